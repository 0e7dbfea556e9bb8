"""The progress report (Отчёт об успеваемости): per class, parallel (all classes of one level)
and school, how many pupils are отличники, хорошисты, with one «4», with one «3»,
неуспевающие and не аттестованы, for one period.

Each pupil is in exactly one of the main categories, decided from their finals of the period
in every graded subject their class is taught:
- failing (неуспевающий): any 2 or 1, or a fail (незачёт);
- not assessed (н/а): otherwise, a final of н/а, a deferral or a missing final;
- excellent (отличник): otherwise, every mark a 5;
- good (хорошист): otherwise, only 4 and 5;
- satisfactory: otherwise (a 3 among 4 and 5).
Two reserve lines are counted inside those: «with one 4» (one 4, all else 5: inside good) and
«with one 3» (one 3, all else 4 or 5: inside satisfactory). A pass (зачёт) spoils nothing;
an exempt final (осв.) is not due.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from journal.models import FinalKind, FinalMark
from school.models import (
    ClassGroup,
    Enrollment,
    PeriodKind,
    Student,
    StudyGroupKind,
    Subject,
    TeachingAssignment,
)

from . import statistics as st
from .ordering import SubjectOrder, class_key

FAILING, NOT_ASSESSED, EXCELLENT, GOOD, SATISFACTORY = (
    "failing",
    "not_assessed",
    "excellent",
    "good",
    "satisfactory",
)
ONE_FOUR, ONE_THREE = "one_four", "one_three"
# The columns of the report, in the order of the paper form.
CATEGORIES = (EXCELLENT, GOOD, ONE_FOUR, ONE_THREE, FAILING, NOT_ASSESSED)
LABELS = {
    EXCELLENT: _("Excellent (all 5)"),
    GOOD: _("Good (4 and 5)"),
    ONE_FOUR: _("With one 4"),
    ONE_THREE: _("With one 3"),
    FAILING: _("Failing"),
    NOT_ASSESSED: _("Not assessed"),
}


def pupil_categories(labels: list[str | None]) -> set[str]:
    """The categories of one pupil from the labels of their due finals ('5'…'1', 'pass',
    'fail', 'na', 'deferred', 'exempt'; None for a missing final): one main category, plus
    a reserve line where it applies."""
    due = [label for label in labels if label != "exempt"]
    if any(label in {"2", "1", "fail"} for label in due):
        return {FAILING}
    if any(label in {None, "na", "deferred"} for label in due):
        return {NOT_ASSESSED}
    marks = Counter(label for label in due if label in st.NUMERIC)
    if marks["3"]:
        return {SATISFACTORY, ONE_THREE} if marks["3"] == 1 else {SATISFACTORY}
    if marks["4"]:
        return {GOOD, ONE_FOUR} if marks["4"] == 1 else {GOOD}
    return {EXCELLENT}


@dataclass
class ProgressLine:
    """One line of the report: a class, a parallel or the school."""

    label: str
    level: int | None = None  # a parallel's or class's level; None for the school
    class_group: ClassGroup | None = None
    students: int = 0
    counts: Counter = field(default_factory=Counter)
    pupils: dict = field(default_factory=lambda: defaultdict(list))  # category → student ids

    def add(self, student_id: int, categories: set[str]) -> None:
        self.students += 1
        for category in categories:
            self.counts[category] += 1
            self.pupils[category].append(student_id)

    def cells(self):
        """(category, count, share in percent) in the order of the columns."""
        return [(c, self.counts[c], st.percent(self.counts[c], self.students)) for c in CATEGORIES]

    @property
    def scope_query(self) -> str:
        """The query string naming this line's pupils for the pupils page."""
        if self.class_group is not None:
            return f"class_id={self.class_group.pk}"
        if self.level is not None:
            return f"level={self.level}"
        return ""


@dataclass
class ProgressReport:
    period: object
    lines: list  # classes, each parallel's total after its classes, the school last
    school: ProgressLine
    categories: dict  # student id → categories
    finals: dict  # student id → {subject id: FinalMark or None}
    subjects: dict  # subject id → Subject
    levels: dict = field(default_factory=dict)  # student id → their class's level


def _due_subjects(school, period, class_ids):
    """Class id → ids of the graded subjects the class is taught this year (whole class or in
    subgroups), from the teaching assignments. One query."""
    due = defaultdict(set)
    # A subgroup's subject is due for the whole class (every pupil is in one of its groups); an
    # individual plan's is due for its own pupils only, who have its final among theirs.
    assignments = TeachingAssignment.objects.filter(
        school=school, year_id=period.year_id, subject__is_graded=True
    ).exclude(study_group__kind=StudyGroupKind.INDIVIDUAL)
    for klass, group_klass, subject_id in assignments.values_list(
        "class_group_id", "study_group__class_group_id", "subject_id"
    ):
        klass = klass or group_klass
        if klass in class_ids:
            due[klass].add(subject_id)
    return due


def progress_report(*, school, period, class_id=None, level=None) -> ProgressReport:
    """The progress report of a period for the school (or one class, or one parallel). Five
    queries whatever the number of classes and pupils."""
    enrolled = Enrollment.objects.active().filter(
        school=school,
        year_id=period.year_id,
        class_group__level__gte=max(period.level_min, 2),
        class_group__level__lte=period.level_max,
    )
    if class_id:
        enrolled = enrolled.filter(class_group_id=class_id)
    if level:
        enrolled = enrolled.filter(class_group__level=level)
    classes = {}
    class_of = {}
    for enrolment in enrolled.select_related("class_group"):
        classes[enrolment.class_group_id] = enrolment.class_group
        class_of[enrolment.student_id] = enrolment.class_group_id
    due = _due_subjects(school, period, set(classes))
    kind = FinalKind.YEAR if period.kind == PeriodKind.YEAR else FinalKind.PERIOD
    given = defaultdict(dict)  # student → subject → FinalMark
    for fm in FinalMark.objects.filter(period=period, kind=kind, student_id__in=list(class_of)):
        given[fm.student_id][fm.subject_id] = fm
    subject_ids = set().union(*due.values()) | {s for row in given.values() for s in row}
    subjects = Subject.objects.in_bulk(subject_ids)
    categories, finals = {}, {}
    for student_id, klass in class_of.items():
        own = given.get(student_id, {})
        row = {s: own.get(s) for s in due.get(klass, set())} | own
        finals[student_id] = row
        categories[student_id] = pupil_categories(
            [st.final_key(fm.status, fm.value) if fm else None for fm in row.values()]
        )
    return _lines(period, classes, class_of, categories, finals, subjects)


def _lines(period, classes, class_of, categories, finals, subjects) -> ProgressReport:
    by_class = {k: ProgressLine(str(c), c.level, c) for k, c in classes.items()}
    by_level = {}
    school_line = ProgressLine("")
    for student_id, klass in class_of.items():
        level = classes[klass].level
        parallel = by_level.setdefault(level, ProgressLine(str(level), level))
        for line in (by_class[klass], parallel, school_line):
            line.add(student_id, categories[student_id])
    lines = []
    for level in sorted(by_level):
        ordered = sorted((c for c in classes.values() if c.level == level), key=class_key)
        lines += [by_class[c.pk] for c in ordered] + [by_level[level]]
    levels = {student_id: classes[klass].level for student_id, klass in class_of.items()}
    return ProgressReport(period, lines, school_line, categories, finals, subjects, levels)


def progress_pupils(report: ProgressReport, category: str):
    """The pupils behind one number of the report, by name, each with their finals in
    curriculum order. Two queries."""
    ids = [s for s, cats in report.categories.items() if category in cats]
    students = Student.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic")
    order = SubjectOrder.of(school=report.period.school_id, year_id=report.period.year_id)
    result = []
    for student in students:
        subjects = order.sorted(
            (report.subjects[s] for s in report.finals[student.pk] if s in report.subjects),
            report.levels.get(student.pk),
        )
        result.append((student, [(s, report.finals[student.pk][s.pk]) for s in subjects]))
    return result
