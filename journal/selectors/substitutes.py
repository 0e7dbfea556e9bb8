"""Who can substitute a lesson: the school's teachers, those who teach the lesson's subject
first, each with whether they are free at the lesson's date and period."""

from dataclasses import dataclass

from school.models import Teacher, TeachingAssignment

from ..models import Lesson, LessonStatus


@dataclass(frozen=True)
class SubstituteCandidate:
    """A teacher of the school as a possible substitute for one lesson. `busy_with` names the
    lesson they give at the same date and period ("7 «Б», Математика"), empty when free."""

    teacher_id: int
    name: str
    teaches_subject: bool
    busy_with: str

    @property
    def is_free(self) -> bool:
        return not self.busy_with


def _lesson_label(row: dict) -> str:
    if row["study_group__name"]:
        group = row["study_group__name"]
    elif row["class_group__level"]:
        group = f"{row['class_group__level']} «{row['class_group__letter']}»"
    else:
        group = ""
    return ", ".join(part for part in (group, row["subject__name"]) if part)


def busy_teachers(lesson: Lesson) -> dict[int, str]:
    """The teachers who give another lesson at the lesson's date and period (as its teacher
    with no substitute, or as its substitute), with that lesson's label. Cancelled and moved
    lessons keep nobody busy. The same rule the move of a lesson checks. One query."""
    rows = (
        Lesson.objects.filter(
            school_id=lesson.school_id,
            date=lesson.date,
            lesson_number=lesson.lesson_number,
            status=LessonStatus.SCHEDULED,
        )
        .exclude(pk=lesson.pk)
        .values(
            "teacher_id",
            "substitute_teacher_id",
            "class_group__level",
            "class_group__letter",
            "study_group__name",
            "subject__name",
        )
        .order_by("pk")
    )
    busy: dict[int, str] = {}
    for row in rows:
        busy.setdefault(row["substitute_teacher_id"] or row["teacher_id"], _lesson_label(row))
    return busy


def substitute_candidates(lesson: Lesson) -> list[SubstituteCandidate]:
    """Every teacher of the lesson's school but its own teacher, in the order the picker shows
    them: the free ones who teach the lesson's subject (in the lesson's academic year), the
    other free ones, then the busy ones (subject teachers first); by surname within each.
    Three queries whatever the size of the school."""
    subject_teachers = set(
        TeachingAssignment.objects.filter(
            school_id=lesson.school_id,
            subject_id=lesson.subject_id,
            year__starts_on__lte=lesson.date,
            year__ends_on__gte=lesson.date,
        ).values_list("teacher_id", flat=True)
    )
    busy = busy_teachers(lesson)
    teachers = (
        Teacher.objects.filter(school_id=lesson.school_id)
        .exclude(pk=lesson.teacher_id)
        .only("pk", "last_name", "first_name", "patronymic")
        .order_by("last_name", "first_name", "patronymic", "pk")
    )
    candidates = [
        SubstituteCandidate(
            teacher_id=t.pk,
            name=f"{t.last_name} {t.first_name} {t.patronymic}".strip(),
            teaches_subject=t.pk in subject_teachers,
            busy_with=busy.get(t.pk, ""),
        )
        for t in teachers
    ]
    # A stable sort keeps the surname order inside each band.
    candidates.sort(key=lambda c: (not c.is_free, not c.teaches_subject))
    return candidates
