"""Who may, in the journal: named predicates with their exact meaning.

A user's teaching rights come from their Teacher profile: the TeachingAssignments of the
lesson's academic year, and substitutions (a substitute teacher may work in the lessons they
substitute, and only those).
"""

from django.db.models import Q

from accounts.rules import is_school_leader
from school.models import ClassGroup, GuardianStudent, StudyGroup, TeachingAssignment

from .models import Lesson


def _teacher_id(user) -> int | None:
    teacher = getattr(user, "teacher", None) if user.is_authenticated and user.is_active else None
    return teacher.pk if teacher else None


def is_subject_teacher_of(
    user,
    *,
    subject_id: int,
    class_group: ClassGroup | None = None,
    study_group: StudyGroup | None = None,
) -> bool:
    """The user teaches this subject to this class, or to this group (a stream or an individual
    plan included). Teaching a subgroup of a class does not make one a teacher of the whole
    class's journal for that subject, only of the subgroup's."""
    teacher_id = _teacher_id(user)
    if teacher_id is None:
        return False
    assignments = TeachingAssignment.objects.filter(teacher_id=teacher_id, subject_id=subject_id)
    if study_group is not None:
        return assignments.filter(study_group=study_group).exists()
    if class_group is not None:
        return assignments.filter(class_group=class_group, study_group__isnull=True).exists()
    return False


def is_class_teacher_of(user, class_group: ClassGroup) -> bool:
    """The user is the homeroom teacher (классный руководитель) of the class."""
    teacher_id = _teacher_id(user)
    return teacher_id is not None and class_group.class_teacher_id == teacher_id


def may_teach_lesson(user, lesson: Lesson) -> bool:
    """The user gives this lesson: its teacher, its substitute, or an assigned teacher of its
    class or group and subject."""
    teacher_id = _teacher_id(user)
    if teacher_id is None:
        return False
    if teacher_id in (lesson.teacher_id, lesson.substitute_teacher_id):
        return True
    return is_subject_teacher_of(
        user,
        subject_id=lesson.subject_id,
        class_group=lesson.class_group,
        study_group=lesson.study_group,
    )


def may_view_class(user, class_group: ClassGroup) -> bool:
    """School leaders see every class of their school; a class teacher sees their class."""
    if class_group.school_id != getattr(user, "school_id", None):
        return False
    return is_school_leader(user) or is_class_teacher_of(user, class_group)


def is_guardian_of(user, student_id: int) -> bool:
    """The user's Guardian profile is linked to the student now (a removed link counts at once)."""
    guardian = getattr(user, "guardian", None) if user.is_authenticated and user.is_active else None
    if guardian is None:
        return False
    return GuardianStudent.objects.filter(guardian=guardian, student_id=student_id).exists()


def lessons_taught_by(user):
    """Lessons the user gives as teacher or substitute, as a Q for Lesson querysets."""
    teacher_id = _teacher_id(user)
    if teacher_id is None:
        return Q(pk__in=[])
    return Q(teacher_id=teacher_id) | Q(substitute_teacher_id=teacher_id)
