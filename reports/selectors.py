"""Reads for the finals pages, the summary sheet, the 24-hour report, the student's record and
the statistics. Every read of pupil data takes the viewer and scopes the query: "not yours"
raises Http404, exactly like "not there"."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.http import Http404

from accounts.rules import is_school_leader
from consent.models import Consent, Purpose
from journal.models import FinalKind, FinalMark, FinalStatus, Lesson, Mark
from journal.selectors import finals_suggest, roster
from school.models import (
    ClassGroup,
    CurriculumPlan,
    Enrollment,
    Holiday,
    PeriodKind,
    ReportingPeriod,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from school.rules import homeroom_classes

from . import statistics as st

# --- Summary sheet ------------------------------------------------------------------------------


def summary_class(user, class_id: int) -> ClassGroup:
    """A class whose summary sheet the user may see: leaders of its school and its class
    teacher. Anything else is 404."""
    visible = Q() if is_school_leader(user) else homeroom_classes(user)
    class_group = (
        ClassGroup.objects.filter(visible, pk=class_id, school_id=user.school_id)
        .select_related("year", "class_teacher")
        .first()
    )
    if class_group is None:
        raise Http404
    return class_group


@dataclass
class SummarySheet:
    class_group: ClassGroup
    students: list
    subjects: list
    columns: list  # (key, label): a period id with kind, or year/exam
    cells: dict = field(default_factory=dict)  # (student_id, subject_id, column key) → FinalMark
    deferred: list = field(default_factory=list)


def summary_sheet(class_group: ClassGroup) -> SummarySheet:
    """Students × subjects × (periods, year, exam) of one class for its year. Five queries."""
    students = list(roster(class_group=class_group))
    periods = [
        p
        for p in ReportingPeriod.objects.filter(
            year_id=class_group.year_id,
            level_min__lte=class_group.level,
            level_max__gte=class_group.level,
        ).order_by("starts_on")
        if p.kind != PeriodKind.YEAR
    ]
    finals = list(
        FinalMark.objects.filter(
            student__in=[s.pk for s in students], period__year_id=class_group.year_id
        ).select_related("subject", "period", "student")
    )
    planned = set(
        CurriculumPlan.objects.filter(
            year_id=class_group.year_id, level=class_group.level
        ).values_list("subject_id", flat=True)
    )
    subject_ids = planned | {fm.subject_id for fm in finals}
    subjects = list(Subject.objects.filter(pk__in=subject_ids).order_by("name"))
    columns = [(f"p{p.pk}", p.name) for p in periods] + [("year", None), ("exam", None)]
    sheet = SummarySheet(class_group, students, subjects, columns)
    for fm in finals:
        column = {FinalKind.YEAR: "year", FinalKind.EXAM: "exam"}.get(fm.kind, f"p{fm.period_id}")
        sheet.cells[(fm.student_id, fm.subject_id, column)] = fm
        if fm.status == FinalStatus.DEFERRED:
            sheet.deferred.append(fm)
    return sheet


# --- The 24-hour report ------------------------------------------------------------------------

LATE_AFTER = dt.timedelta(hours=24)


def late_finals(*, school, now: dt.datetime):
    """Finals and exam results that did not reach the family within 24 hours (2.6): published
    more than 24 hours after being set, or still unpublished 24 hours after being set."""
    deadline = ExpressionWrapper(F("set_at") + Value(LATE_AFTER), output_field=DateTimeField())
    return (
        FinalMark.objects.filter(school=school, set_at__lte=now - LATE_AFTER)
        .annotate(deadline=deadline)
        .filter(Q(published_at__isnull=True) | Q(published_at__gt=F("deadline")))
        .select_related("student", "subject", "period")
        .order_by("set_at")
    )


def pending_finals(*, school, now: dt.datetime):
    """Finals not yet visible to the family whose 24 hours have not run out yet."""
    return (
        FinalMark.objects.filter(
            school=school, published_at__isnull=True, set_at__gt=now - LATE_AFTER
        )
        .select_related("student", "subject", "period")
        .order_by("set_at")
    )


def finals_without_electronic_access(*, school, year):
    """Finals of the year whose student has no guardian with diary consent in force: the family
    cannot see them electronically and receives them on a paper extract (2.2)."""
    consent = Consent.objects.granted(Purpose.DIARY).filter(student_id=OuterRef("student_id"))
    return (
        FinalMark.objects.filter(school=school, period__year=year)
        .annotate(has_consent=Exists(consent))
        .filter(has_consent=False)
        .select_related("student", "subject", "period")
        .order_by("student__last_name", "student__first_name", "subject__name")
    )


# --- The student's record across years ---------------------------------------------------------


def record_student(user, student_id: int) -> Student:
    """A student whose record across years the user may see: school leaders, and a teacher
    who is or was the class teacher of one of the student's classes. 404 otherwise."""
    students = Student.objects.filter(pk=student_id, school_id=user.school_id)
    if not is_school_leader(user):
        students = students.filter(
            pk__in=Enrollment.objects.filter(homeroom_classes(user, "class_group__")).values(
                "student_id"
            )
        )
    student = students.first()
    if student is None:
        raise Http404
    return student


def student_record(student: Student):
    """The student's finals grouped by academic year, with the class of each year."""
    classes = {
        e.year_id: e.class_group
        for e in Enrollment.objects.filter(student=student).select_related("class_group")
    }
    finals = (
        FinalMark.objects.filter(student=student)
        .select_related("subject", "period__year")
        .order_by("-period__year__starts_on", "subject__name", "period__starts_on")
    )
    years: dict = {}
    for fm in finals:
        year = fm.period.year
        entry = years.setdefault(
            year.pk, {"year": year, "class_group": classes.get(year.pk), "subjects": {}}
        )
        entry["subjects"].setdefault(fm.subject, []).append(fm)
    return list(years.values())


# --- Statistics --------------------------------------------------------------------------------


@dataclass
class FinalsStats:
    class_group: ClassGroup
    subject: Subject
    students: int
    distribution: dict
    quality: object
    success: object
    average: object
    sou: object
    deferred: int
    at_risk: int


@dataclass
class LessonStats:
    label: str
    class_group_id: int | None
    study_group_id: int | None
    subject: Subject
    planned: int | None
    counts: st.LessonCounts
    fulfilment: object

    @property
    def rows_query(self) -> str:
        """The query string of the lessons this row counts: its class or group and subject
        (`group=none` for the whole-class lessons of a subject also taught in groups)."""
        parts = [f"subject={self.subject.pk}"]
        if self.class_group_id:
            parts.append(f"class_id={self.class_group_id}")
        parts.append(f"group={self.study_group_id or 'none'}")
        return "&".join(parts)


def _scoped_pairs(school, period, class_id, subject_id, teacher_id):
    """(class id, subject id) pairs of the statistics, from the teaching assignments."""
    qs = TeachingAssignment.objects.filter(school=school, year_id=period.year_id)
    if teacher_id:
        qs = qs.filter(teacher_id=teacher_id)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    pairs = set()
    for class_group_id, group_class_id, subj in qs.values_list(
        "class_group_id", "study_group__class_group_id", "subject_id"
    ):
        klass = class_group_id or group_class_id
        if klass and (not class_id or klass == class_id):
            pairs.add((klass, subj))
    return pairs


def statistics_finals(*, school, period, class_id=None, subject_id=None, teacher_id=None):
    """Per class and subject: finals distribution, quality, success, average, СОУ, deferrals,
    students at risk. A fixed number of queries whatever the number of students."""
    pairs = _scoped_pairs(school, period, class_id, subject_id, teacher_id)
    enrolled = dict(
        Enrollment.objects.active()
        .filter(
            school=school,
            year_id=period.year_id,
            class_group__level__gte=max(period.level_min, 2),
            class_group__level__lte=period.level_max,
            class_group_id__in={c for c, _s in pairs},
        )
        .values_list("student_id", "class_group_id")
    )
    kind = FinalKind.YEAR if period.kind == PeriodKind.YEAR else FinalKind.PERIOD
    finals = defaultdict(dict)  # (class, subject) → student → (status, value)
    for student_id, subj, status, value in FinalMark.objects.filter(
        period=period, kind=kind, student_id__in=list(enrolled)
    ).values_list("student_id", "subject_id", "status", "value"):
        klass = enrolled[student_id]
        if (klass, subj) in pairs:
            finals[(klass, subj)][student_id] = (status, value)
    suggestions = finals_suggest(school=school, period=period, student_ids=list(enrolled))
    forecasts = defaultdict(dict)
    for (student_id, subj), suggestion in suggestions.items():
        forecasts[(enrolled[student_id], subj)][student_id] = suggestion.suggested
    classes = ClassGroup.objects.in_bulk({c for c, _s in pairs})
    subjects = Subject.objects.in_bulk({s for _c, s in pairs})
    sizes = defaultdict(int)
    for klass in enrolled.values():
        sizes[klass] += 1
    result = []
    for klass, subj in sorted(pairs, key=lambda p: (classes[p[0]].level, classes[p[0]].letter)):
        if klass not in sizes:
            continue
        rows = finals.get((klass, subj), {})
        per_student = {s: [f] for s, f in rows.items()}
        labels = {s: st._key(*f) for s, f in rows.items()}
        result.append(
            FinalsStats(
                class_group=classes[klass],
                subject=subjects[subj],
                students=sizes[klass],
                distribution=dict(st.distribution(rows.values())),
                quality=st.quality(per_student)[0],
                success=st.success(per_student)[0],
                average=st.average_mark(rows.values()),
                sou=st.degree_of_learning(rows.values()),
                deferred=sum(1 for label in labels.values() if label == "deferred"),
                at_risk=len(st.at_risk(forecasts.get((klass, subj), {}), labels)),
            )
        )
    return result


def _lesson_rows(school, period, class_id, subject_id, teacher_id):
    qs = Lesson.objects.filter(
        school=school, date__gte=period.starts_on, date__lte=period.ends_on
    ).filter(
        Q(class_group__level__gte=period.level_min, class_group__level__lte=period.level_max)
        | Q(
            study_group__class_group__level__gte=period.level_min,
            study_group__class_group__level__lte=period.level_max,
        )
    )
    if class_id:
        qs = qs.filter(Q(class_group_id=class_id) | Q(study_group__class_group_id=class_id))
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    if teacher_id:
        qs = qs.filter(teacher_id=teacher_id)
    return qs


def statistics_lessons(*, school, period, today, class_id=None, subject_id=None, teacher_id=None):
    """Plan fulfilment per class (or group) and subject: lessons planned by the curriculum to
    date (hours per week × school weeks, holidays out) against lessons held."""
    until = min(today, period.ends_on)
    units = defaultdict(list)
    meta = {}
    for row in (
        _lesson_rows(school, period, class_id, subject_id, teacher_id)
        .values_list(
            "class_group_id",
            "study_group_id",
            "subject_id",
            "status",
            "date",
            "substitute_teacher_id",
            "class_group__level",
            "study_group__class_group__level",
            "class_group__letter",
            "study_group__name",
        )
        .iterator(chunk_size=5000)
    ):
        klass, group, subj, status, date, substitute, level, glevel, letter, gname = row
        key = (klass, group, subj)
        units[key].append((status, date, substitute is not None))
        # A group's lessons carry its class too (the seed and the timetable set both): the
        # row is the group's, so it is named by the group.
        meta[key] = (level or glevel, gname if group else f"{level} «{letter}»")
    plans = {
        (level, subj): hours
        for level, subj, hours in CurriculumPlan.objects.filter(
            school=school, year_id=period.year_id
        ).values_list("level", "subject_id", "hours_per_week")
    }
    holidays = list(
        Holiday.objects.filter(school=school, year_id=period.year_id).values_list(
            "starts_on", "ends_on", "level_min", "level_max"
        )
    )
    subjects = Subject.objects.in_bulk({k[2] for k in units})
    days_by_level = {}
    result = []
    for key in sorted(units, key=lambda k: (meta[k][0] or 0, meta[k][1], subjects[k[2]].name)):
        level, label = meta[key]
        if level not in days_by_level:
            days_by_level[level] = st.study_days(
                period.starts_on,
                until,
                [(a, b) for a, b, lo, hi in holidays if level is None or lo <= level <= hi],
            )
        hours = plans.get((level, key[2]))
        planned = st.planned_lessons(hours, days_by_level[level]) if hours else None
        counts = st.count_lessons(units[key], until)
        result.append(
            LessonStats(
                label=label,
                class_group_id=key[0],
                study_group_id=key[1],
                subject=subjects[key[2]],
                planned=planned,
                counts=counts,
                fulfilment=st.fulfilment(counts.held, planned) if planned else None,
            )
        )
    return result


def statistics_work_types(*, school, period, class_id=None, subject_id=None, teacher_id=None):
    marks = Mark.objects.filter(school=school, date__gte=period.starts_on, date__lte=period.ends_on)
    if class_id:
        marks = marks.filter(
            Q(lesson__class_group_id=class_id) | Q(lesson__study_group__class_group_id=class_id)
        )
    if subject_id:
        marks = marks.filter(subject_id=subject_id)
    if teacher_id:
        marks = marks.filter(lesson__teacher_id=teacher_id)
    rows = list(marks.values_list("work_type_id", "work_type__name", "value"))
    ids = {name: wid for wid, name, _v in rows}
    return [(ids[line.work_type], line) for line in st.by_work_type((n, v) for _w, n, v in rows)]


def statistics_marks(*, school, period, work_type_id, class_id=None, subject_id=None):
    """The marks of one work type that the by-work-type numbers count."""
    marks = Mark.objects.filter(
        school=school,
        date__gte=period.starts_on,
        date__lte=period.ends_on,
        work_type_id=work_type_id,
    )
    if class_id:
        marks = marks.filter(
            Q(lesson__class_group_id=class_id) | Q(lesson__study_group__class_group_id=class_id)
        )
    if subject_id:
        marks = marks.filter(subject_id=subject_id)
    return marks.select_related("student", "subject", "work_type").order_by("date", "student_id")


def statistics_filters(school, year):
    return {
        # The periods of the younger classes first (quarters), then those of the older ones
        # (half-years), the whole year last: the default is the first one under way, which is
        # then the quarter most classes are in, not the half-year of the 10th and 11th grades.
        "periods": ReportingPeriod.objects.filter(school=school, year=year).order_by(
            Case(When(kind=PeriodKind.YEAR, then=1), default=0), "level_min", "starts_on"
        ),
        "classes": ClassGroup.objects.filter(school=school, year=year),
        "subjects": Subject.objects.filter(school=school),
        "teachers": Teacher.objects.filter(school=school),
    }


# --- The rows behind a number -------------------------------------------------------------------

FINALS_METRICS = {"students", "good", "successful", "at_risk", "deferred"}
LESSON_METRICS = {"held", "cancelled", "moved", "substituted", "upcoming"}


def statistics_students(*, school, period, class_id, subject_id, metric):
    """The students a finals statistic counts, with their final and forecast."""
    class_group = ClassGroup.objects.filter(pk=class_id, school=school).first()
    subject = Subject.objects.filter(pk=subject_id, school=school).first()
    if class_group is None or subject is None:
        raise Http404
    students = list(roster(class_group=class_group))
    kind = FinalKind.YEAR if period.kind == PeriodKind.YEAR else FinalKind.PERIOD
    finals = {
        fm.student_id: fm
        for fm in FinalMark.objects.filter(
            period=period, kind=kind, subject=subject, student__in=[s.pk for s in students]
        )
    }
    forecasts = {
        s: sug.suggested
        for (s, _subj), sug in finals_suggest(
            school=school,
            period=period,
            student_ids=[s.pk for s in students],
            subject_id=subject.pk,
        ).items()
    }
    per_student = {s: [(fm.status, fm.value)] for s, fm in finals.items()}
    labels = {s: st._key(fm.status, fm.value) for s, fm in finals.items()}
    if metric == "good":
        chosen = st.quality(per_student)[1]
    elif metric == "successful":
        chosen = st.success(per_student)[1]
    elif metric == "at_risk":
        chosen = st.at_risk(forecasts, labels)
    elif metric == "deferred":
        chosen = {s for s, label in labels.items() if label == "deferred"}
    elif metric.startswith("final-"):
        chosen = {s for s, label in labels.items() if label == metric[6:]}
    else:
        chosen = {s.pk for s in students}
    return (
        class_group,
        subject,
        [(s, finals.get(s.pk), forecasts.get(s.pk)) for s in students if s.pk in chosen],
    )


def statistics_lesson_list(
    *, school, period, today, class_id, subject_id, metric, group: str | None = None
):
    """The lessons a plan-fulfilment number counts; `group` is a study group id, "none" for
    lessons of the whole class, or None for both."""
    until = min(today, period.ends_on)
    qs = _lesson_rows(school, period, class_id, subject_id, None)
    if group == "none":
        qs = qs.filter(study_group__isnull=True)
    elif group is not None and group.isdigit():
        qs = qs.filter(study_group_id=int(group))
    if metric == "held":
        qs = qs.filter(status="scheduled", date__lte=until)
    elif metric == "substituted":
        qs = qs.filter(status="scheduled", date__lte=until, substitute_teacher__isnull=False)
    elif metric == "upcoming":
        qs = qs.filter(status="scheduled", date__gt=until)
    elif metric in {"cancelled", "moved"}:
        qs = qs.filter(status=metric)
    return qs.select_related(
        "subject", "class_group", "study_group", "teacher", "substitute_teacher", "moved_to"
    ).order_by("date", "lesson_number")
