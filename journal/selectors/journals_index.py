"""The index of every class's journals for the director and deputy head: each class of the
year with its subjects, their teachers and the journal page of each."""

from dataclasses import dataclass, field

from django.urls import reverse

from accounts.rules import is_school_leader
from school.models import AcademicYear, ClassGroup, TeachingAssignment


@dataclass
class JournalLink:
    """One journal page: a class's subject, or one of its groups (or a stream) for a subject."""

    subject: str
    group: str  # empty for the whole class
    teachers: list[str]
    url: str


@dataclass
class ClassJournals:
    class_id: int | None  # None for the streams across classes
    label: str
    class_teacher: str
    journals: list[JournalLink] = field(default_factory=list)


def _grid_url(assignment: TeachingAssignment) -> str:
    if assignment.study_group_id:
        return reverse("journal:grid_group", args=[assignment.study_group_id])
    return reverse("journal:grid_class", args=[assignment.class_group_id, assignment.subject_id])


def journals_index(user, year: AcademicYear | None) -> list[ClassJournals]:
    """Every class of the leader's school in the year, by level then letter (5 «А» before
    10 «А»), each with its journals: the whole class's subjects by name, then its groups' by
    subject and group; the streams across classes last. Several teachers of one journal are
    named together. Nothing for anyone but a school leader of that year's school. Two queries
    whatever the size of the school."""
    if year is None or not is_school_leader(user) or year.school_id != user.school_id:
        return []
    classes = ClassGroup.objects.filter(school_id=user.school_id, year=year).select_related(
        "class_teacher"
    )
    index: dict[int | None, ClassJournals] = {
        c.pk: ClassJournals(
            class_id=c.pk,
            label=str(c),
            class_teacher=c.class_teacher.short_name if c.class_teacher else "",
        )
        for c in classes.order_by("level", "letter", "pk")
    }
    assignments = (
        TeachingAssignment.objects.filter(school_id=user.school_id, year=year)
        .select_related("subject", "teacher", "study_group")
        .order_by("subject__name", "study_group__name", "teacher__last_name", "pk")
    )
    links: dict[tuple, JournalLink] = {}
    for a in assignments:
        class_id = a.study_group.class_group_id if a.study_group_id else a.class_group_id
        if class_id not in index:
            class_id = None  # a stream across classes
        key = (class_id, a.study_group_id, a.subject_id)
        if key not in links:
            links[key] = JournalLink(
                subject=a.subject.name,
                group=a.study_group.name if a.study_group_id else "",
                teachers=[],
                url=_grid_url(a),
            )
            if class_id is None and None not in index:
                index[None] = ClassJournals(class_id=None, label="", class_teacher="")
            index[class_id].journals.append(links[key])
        if a.teacher.short_name not in links[key].teachers:
            links[key].teachers.append(a.teacher.short_name)
    for entry in index.values():
        # The whole class's journals first, then the groups'; by subject within each.
        entry.journals.sort(key=lambda j: (bool(j.group), j.subject, j.group))
    streams = index.pop(None, None)
    return [*index.values(), *([streams] if streams else [])]
