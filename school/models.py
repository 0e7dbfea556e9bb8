"""The school and its structure: the year, periods, holidays, classes, groups, enrollments,
students, guardians, teachers, subjects, curriculum, teaching assignments, bells and the
timetable. Every other app builds on these; this app imports none of them.

Invariants live in the database (constraints), with a Russian message for validation. Indexes
carry a comment naming the query they serve. The shared meanings ("enrolled on a day", "the
current period of a school on a day") are QuerySet methods here, and every caller uses them.
"""

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class Modified(models.Model):
    """When the row last changed: the exchange's delta reads (OneRoster `dateLastModified`).
    Saves with `update_fields` name it too, or the change goes unseen by those reads."""

    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        abstract = True


class School(Modified):
    """One school (образовательная организация). Every row of pupil data belongs to one."""

    name = models.CharField(_("full name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    inn = models.CharField(_("taxpayer number (INN)"), max_length=12, blank=True)
    director_name = models.CharField(_("director's full name"), max_length=200, blank=True)
    office_hours = models.TextField(
        _("office hours"),
        max_length=500,
        blank=True,
        db_default="",  # rows written by code that predates the field still insert
        help_text=_("When families can come to the office, e.g. «Пн–Пт 9:00–17:00, каб. 101»."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )
    # Rounding thresholds for the suggested final mark: average >= threshold gives the mark.
    threshold_5 = models.DecimalField(
        _("threshold for 5"), max_digits=3, decimal_places=2, default=Decimal("4.50")
    )
    threshold_4 = models.DecimalField(
        _("threshold for 4"), max_digits=3, decimal_places=2, default=Decimal("3.50")
    )
    threshold_3 = models.DecimalField(
        _("threshold for 3"), max_digits=3, decimal_places=2, default=Decimal("2.50")
    )
    # A teacher may change marks of a lesson this many days after it; later needs the deputy head.
    edit_window_days = models.PositiveSmallIntegerField(
        _("edit window, days"), default=14, validators=[MaxValueValidator(365)]
    )
    min_marks_for_forecast = models.PositiveSmallIntegerField(
        _("marks needed for a confident forecast"), default=3, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold_5__gt=models.F("threshold_4"))
                & models.Q(threshold_4__gt=models.F("threshold_3"))
                & models.Q(threshold_3__gt=1)
                & models.Q(threshold_5__lte=5),
                name="school_thresholds_ordered",
                violation_error_message=_(
                    "Thresholds must satisfy 5 ≥ threshold for 5 > threshold for 4 > "
                    "threshold for 3 > 1."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self):
        """The date now in the school's own time zone (not the server's)."""
        return timezone.now().astimezone(self.tz).date()

    def now(self):
        return timezone.now().astimezone(self.tz)


LEVELS = [(n, str(n)) for n in range(1, 12)]


class SchoolOwned(models.Model):
    """Every row belongs to a school; every query is scoped by it."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE)

    class Meta:
        abstract = True


class PersonName(models.Model):
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        return short_name(self.last_name, self.first_name, self.patronymic)


def short_name(last_name: str, first_name: str = "", patronymic: str = "") -> str:
    """«Иванова М.П.»: how staff pages name people (full names are for the family's
    list of teachers and for pickers, where namesakes must be told apart)."""
    initials = "".join(f"{p[0]}." for p in (first_name, patronymic) if p)
    return f"{last_name} {initials}".strip()


# --- The school year ------------------------------------------------------------------------


class AcademicYear(SchoolOwned, Modified):
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 2026/2027"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "starts_on"],
                name="academic_year_unique_start",
                violation_error_message=_("This school already has a year starting on that date."),
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lt=models.F("ends_on")),
                name="academic_year_dates_ordered",
                violation_error_message=_("The year must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("quarter")
    TRIMESTER = "trimester", _("trimester")
    HALF_YEAR = "half_year", _("half-year")
    YEAR = "year", _("year")


class ReportingPeriodQuerySet(models.QuerySet):
    def for_level(self, level: int | None):
        """The periods that apply to a class level (quarters for grades 2–9, half-years for
        10–11, as the school set them). No level (a stream across classes): every period."""
        if level is None:
            return self
        return self.filter(level_min__lte=level, level_max__gte=level)

    def covering(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


def current_period(periods, day):
    """THE current period of a school on a day: the rule every page uses.

    `periods` are the periods of a year for one class level (or, for a school-wide page, for
    all levels), in any order. The year as a whole is only the answer when there are no
    shorter periods. On a day inside a quarter or half-year: that one (holidays inside it
    included; of several, the one that started last: the quarter rather than the half-year of
    older classes). On a day between two (the autumn, winter or spring holidays, the summer):
    the one that ended last — its finals are what teachers and families look at then. Before
    the first one starts: the first. None when there are no periods at all."""
    ordinary = [p for p in periods if p.kind != PeriodKind.YEAR] or list(periods)
    covering = [p for p in ordinary if p.starts_on <= day <= p.ends_on]
    if covering:
        return max(covering, key=lambda p: (p.starts_on, p.pk or 0))
    ended = [p for p in ordinary if p.ends_on < day]
    if ended:
        return max(ended, key=lambda p: (p.ends_on, p.pk or 0))
    return min(ordinary, key=lambda p: (p.starts_on, p.pk or 0), default=None)


class ReportingPeriod(SchoolOwned, Modified):
    """A quarter, trimester, half-year or the year, for a range of class levels."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="periods",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    name = models.CharField(_("name"), max_length=50)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    level_min = models.PositiveSmallIntegerField(_("from level"), choices=LEVELS, default=1)
    level_max = models.PositiveSmallIntegerField(_("to level"), choices=LEVELS, default=11)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["year", "level_min", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "number", "level_min"],
                name="period_unique",
                violation_error_message=_("This period already exists for these levels."),
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")),
                name="period_dates_ordered",
                violation_error_message=_("The period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(
                    level_min__gte=1, level_max__lte=11, level_min__lte=models.F("level_max")
                ),
                name="period_levels_valid",
                violation_error_message=_("Class levels must be from 1 to 11, lowest first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.level_min}–{self.level_max})"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Holiday(SchoolOwned, Modified):
    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="holidays",
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    level_min = models.PositiveSmallIntegerField(_("from level"), choices=LEVELS, default=1)
    level_max = models.PositiveSmallIntegerField(_("to level"), choices=LEVELS, default=11)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")),
                name="holiday_dates_ordered",
                violation_error_message=_("The holiday must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- People ---------------------------------------------------------------------------------


class Teacher(SchoolOwned, PersonName, Modified):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="teacher",
    )
    position = models.CharField(_("position"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["last_name", "first_name"]


class Student(SchoolOwned, PersonName, Modified):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["last_name", "first_name", "patronymic"]
        indexes = [
            # The school's student search in the admin and the office's lists.
            models.Index(fields=["school", "last_name", "first_name"], name="student_school_name"),
        ]


class Relation(models.TextChoices):
    MOTHER = "mother", _("mother")
    FATHER = "father", _("father")
    GUARDIAN = "guardian", _("legal guardian")
    TRUSTEE = "trustee", _("trustee")


class Guardian(SchoolOwned, PersonName, Modified):
    """A parent or other legal representative. Contacts and consent live in the consent app."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardian",
    )
    students = models.ManyToManyField(
        Student, through="GuardianStudent", related_name="guardians", verbose_name=_("children")
    )

    class Meta:
        verbose_name = _("parent")
        verbose_name_plural = _("parents")
        ordering = ["last_name", "first_name"]


class GuardianStudent(SchoolOwned, Modified):
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="links"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="guardian_links"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)

    class Meta:
        verbose_name = _("parent–child link")
        verbose_name_plural = _("parent–child links")
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student"],
                name="guardian_student_unique",
                violation_error_message=_("This parent is already linked to this student."),
            ),
        ]
        # The guardian_student_unique index serves "is this user a guardian of that student".

    def __str__(self) -> str:
        return f"{self.guardian} — {self.student} ({self.get_relation_display()})"


# --- Classes, groups, subjects, plans --------------------------------------------------------


class ClassGroup(SchoolOwned, Modified):
    """A homeroom class, e.g. 7 «Б»."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="class_groups",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=LEVELS)
    letter = models.CharField(_("letter"), max_length=3)
    class_teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("class teacher"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_classes",
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["year", "level", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "level", "letter"],
                name="class_group_unique",
                violation_error_message=_("This class already exists in this year."),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=11),
                name="class_group_level_range",
                violation_error_message=_("The class level must be from 1 to 11."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} «{self.letter}»"

    @property
    def is_graded(self) -> bool:
        """Grade 1 is taught without marks (безотметочное обучение)."""
        return self.level > 1


class EnrollmentQuerySet(models.QuerySet):
    """What "in this class" means. `left_on` is the last day in the class (inclusive): a pupil
    who leaves on Friday is still in the class that Friday. Each caller picks the meaning it
    needs by name; `day`, `starts_on` and `ends_on` may be dates or expressions (OuterRef)."""

    def on_day(self, day):
        """Enrolled on that day: joined by then and not yet left."""
        return self.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gte=day))

    def during(self, starts_on, ends_on):
        """Enrolled on any day of the span, leavers and late joiners included: the journal grid
        of a period shows everyone who was in the class at some point of it."""
        return self.filter(joined_on__lte=ends_on).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=starts_on)
        )

    def active(self):
        """Not left: no leaving date recorded. Finals and the class lists go to the pupils
        who are still in the class."""
        return self.filter(left_on__isnull=True)


class Enrollment(SchoolOwned, Modified):
    """A student's membership of a homeroom class for a year. One active class per year."""

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="enrollments"
    )
    class_group = models.ForeignKey(
        ClassGroup, verbose_name=_("class"), on_delete=models.PROTECT, related_name="enrollments"
    )
    year = models.ForeignKey(
        AcademicYear, verbose_name=_("academic year"), on_delete=models.PROTECT, related_name="+"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "year"],
                condition=Q(left_on__isnull=True),
                name="enrollment_one_active_class_per_year",
                violation_error_message=_(
                    "The student is already enrolled in a class this year; "
                    "record the leaving date there first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="enrollment_dates_ordered",
                violation_error_message=_("A student cannot leave before joining."),
            ),
        ]
        indexes = [
            # The journal grid and the summary sheet: the active students of a class.
            models.Index(fields=["class_group", "left_on"], name="enrollment_class_active"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.class_group}"


class Subject(SchoolOwned, Modified):
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    is_graded = models.BooleanField(_("graded with marks"), default=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"],
                name="subject_unique_name",
                violation_error_message=_("A subject with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StudyGroupKind(models.TextChoices):
    SUBGROUP = "subgroup", _("subgroup of a class")
    STREAM = "stream", _("stream across classes")
    INDIVIDUAL = "individual", _("individual plan")


class StudyGroup(SchoolOwned, Modified):
    """A subset of a class (languages, IT), a stream across classes, or an individual plan."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="study_groups",
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=StudyGroupKind.choices, default=StudyGroupKind.SUBGROUP
    )
    name = models.CharField(_("name"), max_length=100)
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="study_groups"
    )
    class_group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="study_groups",
        help_text=_("Empty for a stream across classes."),
    )
    students = models.ManyToManyField(
        Student,
        through="StudyGroupMembership",
        related_name="study_groups",
        verbose_name=_("students"),
    )

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"],
                name="study_group_unique_name",
                violation_error_message=_("A group with this name already exists this year."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="subgroup") | Q(class_group__isnull=False),
                name="study_group_subgroup_has_class",
                violation_error_message=_("A subgroup belongs to a class."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StudyGroupMembership(SchoolOwned, Modified):
    group = models.ForeignKey(
        StudyGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="memberships"
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="group_memberships",
    )

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "student"],
                name="study_group_membership_unique",
                violation_error_message=_("The student is already in this group."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.group}"


class CurriculumPlan(SchoolOwned):
    """Учебный план: hours per week of a subject for a class level."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="curriculum",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=LEVELS)
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )

    class Meta:
        verbose_name = _("curriculum line")
        verbose_name_plural = _("curriculum")
        ordering = ["level", "subject__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "level", "subject"],
                name="curriculum_unique",
                violation_error_message=_("This subject is already planned for this level."),
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0),
                name="curriculum_hours_positive",
                violation_error_message=_("Hours per week must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.subject} — {self.hours_per_week}"


class TeachingAssignment(SchoolOwned, Modified):
    """A teacher teaches a subject to a class, or to one of its groups, in a year."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="assignments"
    )
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT)
    class_group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(class_group__isnull=False) | Q(study_group__isnull=False),
                name="assignment_has_class_or_group",
                violation_error_message=_("Choose a class or a group."),
            ),
            models.UniqueConstraint(
                fields=["teacher", "subject", "class_group"],
                condition=Q(study_group__isnull=True),
                name="assignment_unique_class",
                violation_error_message=_(
                    "This teacher already teaches this subject in this class."
                ),
            ),
            models.UniqueConstraint(
                fields=["teacher", "subject", "study_group"],
                condition=Q(study_group__isnull=False),
                name="assignment_unique_group",
                violation_error_message=_(
                    "This teacher already teaches this subject in this group."
                ),
            ),
        ]
        indexes = [
            # is_subject_teacher_of and the teacher's home: assignments of one teacher.
            models.Index(fields=["teacher", "year"], name="assignment_teacher_year"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher.short_name}: {self.subject} — {self.study_group or self.class_group}"


# --- Bells and the timetable ---------------------------------------------------------------

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
]


class BellSchedule(SchoolOwned):
    """Звонки: lesson number → start and end time."""

    lesson_number = models.PositiveSmallIntegerField(_("lesson number"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("bell")
        verbose_name_plural = _("bell schedule")
        ordering = ["lesson_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "lesson_number"],
                name="bell_unique_number",
                violation_error_message=_("This lesson number already has times."),
            ),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="bell_times_ordered",
                violation_error_message=_("A lesson must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson_number}: {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class TimetableEntry(SchoolOwned, Modified):
    """One line of the weekly timetable: weekday × lesson number → subject, group, teacher."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="timetable",
    )
    class_group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timetable",
    )
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timetable",
    )
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT)
    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="timetable"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    lesson_number = models.PositiveSmallIntegerField(_("lesson number"))
    room = models.CharField(_("room"), max_length=20, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable")
        ordering = ["weekday", "lesson_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(class_group__isnull=False) | Q(study_group__isnull=False),
                name="timetable_has_class_or_group",
                violation_error_message=_("Choose a class or a group."),
            ),
            models.UniqueConstraint(
                fields=["class_group", "weekday", "lesson_number", "valid_from"],
                condition=Q(study_group__isnull=True),
                name="timetable_class_slot_unique",
                violation_error_message=_("The class already has a lesson in this slot."),
            ),
            models.UniqueConstraint(
                fields=["study_group", "weekday", "lesson_number", "valid_from"],
                condition=Q(study_group__isnull=False),
                name="timetable_group_slot_unique",
                violation_error_message=_("The group already has a lesson in this slot."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.lesson_number}: {self.subject}"


# --- The exchange: the ids another system gives our rows -----------------------------------


class ExternalEntity(models.TextChoices):
    YEAR = "year", _("academic year")
    PERIOD = "period", _("reporting period")
    HOLIDAY = "holiday", _("holiday")
    CLASS = "class", _("class")
    GROUP = "group", _("study group")
    SUBJECT = "subject", _("subject")
    TEACHER = "teacher", _("teacher")
    STUDENT = "student", _("student")
    GUARDIAN = "guardian", _("parent")
    ASSIGNMENT = "assignment", _("teaching assignment")
    TIMETABLE = "timetable", _("timetable entry")
    LESSON = "lesson", _("lesson")
    MARK = "mark", _("mark")
    ATTENDANCE = "attendance", _("attendance")
    REMARK = "remark", _("remark")
    FINAL = "final", _("final mark")
    HOMEWORK_FILE = "homeworkfile", _("homework file")


class ExternalId(SchoolOwned):
    """Our row that another system (`source`: the journal that sends it) knows by its own id.

    Upserts from that system find the row here, so the same payload twice changes nothing;
    a row can be known to several systems under different ids. `object_id` is not a foreign
    key (one table for every entity): a mapping whose row is gone is treated as unknown."""

    source = models.CharField(_("sending system"), max_length=50)
    entity = models.CharField(_("record"), max_length=12, choices=ExternalEntity.choices)
    external_id = models.CharField(_("its id there"), max_length=100)
    object_id = models.BigIntegerField(_("our record id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("external id")
        verbose_name_plural = _("external ids")
        constraints = [
            # Also the index of every lookup: (school, source, entity, external id) → our row.
            models.UniqueConstraint(
                fields=["school", "source", "entity", "external_id"],
                name="external_id_unique",
                violation_error_message=_("This id of the sending system is already mapped."),
            ),
        ]
        indexes = [
            # The reconciliation reads: our rows back to the sender's ids.
            models.Index(fields=["entity", "object_id"], name="external_id_object"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.entity}:{self.external_id} → {self.object_id}"
