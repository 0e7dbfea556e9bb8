"""The class journal: lessons, marks, attendance, homework, remarks, finals and their history;
every record a teacher makes. The school's structure (classes, students, the timetable) lives
in the school app.

Invariants live in the database (constraints), with a Russian message for validation. Indexes
carry a comment naming the query they serve. `save()` never sends, enqueues or calls out: the
services announce what happened (journal.events) and other apps listen.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from school.models import (
    ClassGroup,
    Modified,
    ReportingPeriod,
    School,
    SchoolOwned,
    Student,
    StudyGroup,
    Subject,
    Teacher,
    TeachingAssignment,
    TimetableEntry,
)


class LessonPlan(SchoolOwned):
    """КТП: the planned topic of the n-th lesson of a teaching assignment."""

    assignment = models.ForeignKey(
        TeachingAssignment,
        verbose_name=_("teaching assignment"),
        on_delete=models.CASCADE,
        related_name="planned_topics",
    )
    number = models.PositiveSmallIntegerField(_("lesson number in the course"))
    topic = models.CharField(_("topic"), max_length=500)

    class Meta:
        verbose_name = _("planned topic")
        verbose_name_plural = _("planned topics")
        ordering = ["assignment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "number"],
                name="lesson_plan_unique",
                violation_error_message=_("This lesson number is already planned."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.topic}"


class WorkType(SchoolOwned, Modified):
    """Вид работы with the weight it carries in the weighted average."""

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    is_control = models.BooleanField(
        _("control work"), default=False, help_text=_("Shown in the control-works calendar.")
    )

    class Meta:
        verbose_name = _("work type")
        verbose_name_plural = _("work types")
        ordering = ["weight", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"],
                name="work_type_unique_name",
                violation_error_message=_("A work type with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=10),
                name="work_type_weight_range",
                violation_error_message=_("The weight must be from 1 to 10."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight})"


# --- Timetable and lessons -------------------------------------------------------------------


class LessonStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    CANCELLED = "cancelled", _("cancelled")
    MOVED = "moved", _("moved")


class Lesson(SchoolOwned):
    """One concrete lesson on a date. A lesson counts as held once its date has come unless it
    was cancelled or moved; a moved lesson points to its replacement through `moved_to`."""

    class_group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lessons",
    )
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lessons",
    )
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT)
    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="lessons"
    )
    substitute_teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("substitute teacher"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substituted_lessons",
    )
    timetable_entry = models.ForeignKey(
        TimetableEntry,
        verbose_name=_("timetable entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
    )
    date = models.DateField(_("date"))
    lesson_number = models.PositiveSmallIntegerField(_("lesson number"))
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    planned_topic = models.ForeignKey(
        LessonPlan,
        verbose_name=_("planned topic"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
    )
    work_type = models.ForeignKey(
        WorkType, verbose_name=_("work type"), on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LessonStatus.choices, default=LessonStatus.SCHEDULED
    )
    moved_from = models.OneToOneField(
        "self",
        verbose_name=_("moved from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moved_to",
    )
    room = models.CharField(_("room"), max_length=20, blank=True)
    # A cancellation records why and the paper it rests on (the application or order).
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    cancel_document = models.CharField(_("document"), max_length=200, blank=True)
    # When attendance was first taken (no Attendance rows alone cannot tell "all present" from
    # "not checked"): the teacher's home and filling control list lessons still lacking it.
    attendance_checked_at = models.DateTimeField(_("attendance taken at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["date", "lesson_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(class_group__isnull=False) | Q(study_group__isnull=False),
                name="lesson_has_class_or_group",
                violation_error_message=_("Choose a class or a group."),
            ),
            models.UniqueConstraint(
                fields=["timetable_entry", "date"],
                name="lesson_unique_per_entry_and_date",
                violation_error_message=_("This timetable lesson already exists on that date."),
            ),
        ]
        indexes = [
            # The journal grid: lessons of a class and subject within a period.
            models.Index(
                fields=["class_group", "subject", "date"], name="lesson_class_subject_date"
            ),
            # The journal grid of a group and the week of a student in a group.
            models.Index(fields=["study_group", "date"], name="lesson_group_date"),
            # The diary week: a class's lessons in a date range.
            models.Index(fields=["class_group", "date"], name="lesson_class_date"),
            # The teacher's home and filling control: a teacher's lessons by date.
            models.Index(fields=["teacher", "date"], name="lesson_teacher_date"),
            models.Index(fields=["substitute_teacher", "date"], name="lesson_substitute_date"),
            # Statistics: lessons of the school in a period.
            models.Index(fields=["school", "date"], name="lesson_school_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.lesson_number}: {self.subject} ({self.group_label})"

    @property
    def group_label(self) -> str:
        return str(self.study_group or self.class_group)

    @property
    def effective_teacher(self) -> Teacher:
        return self.substitute_teacher or self.teacher


# --- Records: marks, attendance, homework, remarks, finals ------------------------------------


class MarkValue(models.TextChoices):
    FIVE = "5", "5"
    FOUR = "4", "4"
    THREE = "3", "3"
    TWO = "2", "2"
    ONE = "1", "1"
    PASS = "pass", _("pass")
    FAIL = "fail", _("fail")


NUMERIC_MARKS = {"5": 5, "4": 4, "3": 3, "2": 2, "1": 1}
MAX_MARKS_PER_LESSON = 3


class Mark(SchoolOwned):
    """An отметка. Several per lesson are allowed, one per slot (a dictation: grammar, spelling).

    Marks are the largest table and the one written most: the foreign keys that lead a
    composite index below get no index of their own (school → mark_school_date, lesson →
    mark_unique_slot, student → mark_student_date)."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, db_index=False
    )
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        on_delete=models.PROTECT,
        related_name="marks",
        db_index=False,
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="marks",
        db_index=False,
    )
    slot = models.PositiveSmallIntegerField(_("mark number in the lesson"), default=1)
    value = models.CharField(_("mark"), max_length=4, choices=MarkValue.choices)
    work_type = models.ForeignKey(WorkType, verbose_name=_("work type"), on_delete=models.PROTECT)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    # Copied from the lesson so that a student's marks by date need no join (diary week, forecast).
    date = models.DateField(_("date"))
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    # Optimistic concurrency: a save carries the version it read; a stale one is refused.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ["date", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "student", "slot"],
                name="mark_unique_slot",
                violation_error_message=_(
                    "This student already has a mark in this slot of the lesson."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__in=[v for v, _label in MarkValue.choices]),
                name="mark_value_in_scale",
                violation_error_message=_("A mark must be 1–5, pass or fail."),
            ),
            models.CheckConstraint(
                condition=Q(slot__gte=1, slot__lte=MAX_MARKS_PER_LESSON),
                name="mark_slot_range",
                violation_error_message=_("A lesson holds at most three marks per student."),
            ),
        ]
        indexes = [
            # The diary week and the forecast: a student's marks by date (and subject).
            models.Index(fields=["student", "date"], name="mark_student_date"),
            models.Index(fields=["student", "subject", "date"], name="mark_student_subject_date"),
            # Suggested finals for a whole school and period.
            models.Index(fields=["school", "date"], name="mark_school_date"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_value_display()} ({self.date:%d.%m})"

    @property
    def points(self) -> int | None:
        return NUMERIC_MARKS.get(self.value)


class AttendanceCode(models.TextChoices):
    ABSENT = "absent", _("absent (н)")
    ILL = "ill", _("ill (б)")
    EXCUSED = "excused", _("excused (у)")
    LATE = "late", _("late (оп)")


ATTENDANCE_SHORT = {"absent": "н", "ill": "б", "excused": "у", "late": "оп"}


class Attendance(SchoolOwned):
    """A пропуск or lateness. No row means the student was present. Its lesson and student
    keys lead the composite indexes below (attendance_unique, attendance_student_date)."""

    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        on_delete=models.PROTECT,
        related_name="attendance",
        db_index=False,
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="attendance",
        db_index=False,
    )
    code = models.CharField(_("code"), max_length=10, choices=AttendanceCode.choices)
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    date = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "student"],
                name="attendance_unique",
                violation_error_message=_("Attendance for this student and lesson already exists."),
            ),
            models.CheckConstraint(
                condition=Q(code__in=[v for v, _label in AttendanceCode.choices]),
                name="attendance_code_valid",
                violation_error_message=_("Unknown attendance code."),
            ),
        ]
        indexes = [
            # The diary week and attendance statistics: a student's absences by date.
            models.Index(fields=["student", "date"], name="attendance_student_date"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {ATTENDANCE_SHORT[self.code]} ({self.date:%d.%m})"


class Homework(SchoolOwned):
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="homework"
    )
    text = models.TextField(_("assignment"), max_length=5000)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("homework")
        verbose_name_plural = _("homework")
        ordering = ["lesson__date"]
        indexes = [
            # The diary week: homework due in a week for a student's lessons.
            models.Index(fields=["school", "due_date"], name="homework_school_due"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


def homework_upload_to(instance: "HomeworkFile", filename: str) -> str:
    return f"homework/{instance.school_id}/{instance.homework_id}/{filename}"


class HomeworkFile(SchoolOwned):
    homework = models.ForeignKey(
        Homework, verbose_name=_("homework"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=homework_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size, bytes"))
    content_type = models.CharField(_("type"), max_length=100)

    class Meta:
        verbose_name = _("homework file")
        verbose_name_plural = _("homework files")

    def __str__(self) -> str:
        return self.original_name


class RemarkKind(models.TextChoices):
    COMMENT = "comment", pgettext_lazy("remark kind", "comment")
    RECOMMENDATION = "recommendation", _("recommendation")
    MESSAGE = "message", _("message to parents")


class Remark(SchoolOwned):
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="remarks"
    )
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="remarks",
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RemarkKind.choices)
    text = models.TextField(_("text"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        ordering = ["-created_at"]
        indexes = [
            # The diary's remarks list, newest first.
            models.Index(fields=["student", "-created_at"], name="remark_student_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class FinalKind(models.TextChoices):
    PERIOD = "period", _("period mark")
    YEAR = "year", _("year mark")
    EXAM = "exam", _("exam mark")


class FinalStatus(models.TextChoices):
    GRADED = "graded", _("graded")
    NOT_ASSESSED = "not_assessed", _("not assessed (н/а)")
    EXEMPT = "exempt", _("exempt (осв.)")
    DEFERRED = "deferred", _("deferred")


class FinalMark(SchoolOwned):
    """An итоговая отметка for a period, the year or an exam."""

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="final_marks"
    )
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT)
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="final_marks",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=FinalKind.choices, default=FinalKind.PERIOD
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FinalStatus.choices, default=FinalStatus.GRADED
    )
    value = models.CharField(_("mark"), max_length=4, choices=MarkValue.choices, blank=True)
    exam_name = models.CharField(_("exam"), max_length=100, blank=True)
    deferral_reason = models.CharField(_("deferral reason"), max_length=300, blank=True)
    deferral_document = models.CharField(_("deferral document"), max_length=200, blank=True)
    deferred_until = models.DateField(_("deferred until"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"))
    # When the family could first see it (2.6: within 24 hours of set_at).
    published_at = models.DateTimeField(_("visible to the family since"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("final mark")
        verbose_name_plural = _("final marks")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "period", "kind"],
                name="final_mark_unique",
                violation_error_message=_(
                    "This student already has a final mark for this subject and period."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(status="graded") & Q(value__in=[v for v, _l in MarkValue.choices]))
                | (~Q(status="graded") & Q(value="")),
                name="final_mark_value_matches_status",
                violation_error_message=_(
                    "A graded final needs a mark from the scale; other statuses have none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="deferred")
                | (Q(deferred_until__isnull=False) & ~Q(deferral_reason="")),
                name="final_mark_deferral_complete",
                violation_error_message=_("A deferral needs a reason and a date."),
            ),
        ]
        indexes = [
            # The summary sheet and statistics: finals of a period.
            models.Index(fields=["period", "subject"], name="final_period_subject"),
            # The diary's finals page and the student's record across years.
            models.Index(fields=["student", "period"], name="final_student_period"),
        ]

    def __str__(self) -> str:
        shown = (
            self.get_value_display()
            if self.status == FinalStatus.GRADED
            else self.get_status_display()
        )
        return f"{self.student}: {self.subject} — {shown}"


class PeriodClosing(SchoolOwned):
    """Each closing of a reporting period: who, when, and the reason the deputy head gave for
    closing before the period's end or with finals missing (regulation 2.5)."""

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="closings",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    missing_finals = models.PositiveIntegerField(_("finals missing"), default=0)
    early = models.BooleanField(_("closed before the period's end"), default=False)

    class Meta:
        verbose_name = _("closing of a period")
        verbose_name_plural = _("closings of periods")
        ordering = ["-closed_at"]

    def __str__(self) -> str:
        return f"{self.period}: {self.closed_at:%d.%m.%Y}"


class ChangeAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


class MarkChange(SchoolOwned):
    """The history of a mark, an attendance record or a final mark (regulation 1.4).

    Rows are only ever added: who, when, the value before and after, and the reason. The
    history survives deletion of the record it describes (object_id is not a foreign key).
    """

    class Entity(models.TextChoices):
        MARK = "mark", _("mark")
        ATTENDANCE = "attendance", _("attendance")
        FINAL_MARK = "final_mark", _("final mark")
        TOPIC = "topic", _("topic and work type")
        HOMEWORK = "homework", _("homework")
        HOMEWORK_FILE = "homework_file", _("homework file")
        REMARK = "remark", _("remark")

    entity = models.CharField(_("record"), max_length=16, choices=Entity.choices)
    object_id = models.BigIntegerField(_("record id"))
    action = models.CharField(_("action"), max_length=8, choices=ChangeAction.choices)
    # Empty for what belongs to the whole lesson (its topic, homework and files).
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.ForeignKey(
        Subject,
        verbose_name=_("subject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change history")
        ordering = ["-changed_at", "-id"]
        indexes = [
            # The history of one record.
            models.Index(fields=["entity", "object_id"], name="change_entity_object"),
            # A student's history for the school (and the personal-data export).
            models.Index(fields=["student", "changed_at"], name="change_student_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} #{self.object_id}: {self.get_action_display()}"
