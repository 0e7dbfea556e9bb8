"""Who may, over the school's roster: the access vocabulary every app filters with.

Each predicate answers one exact question and, where it can, answers it as a `Q` (or a
queryset) that the caller puts inside its own query, so that the permission lives in the
query: "not yours" then simply finds nothing and becomes the same 404 as "not there". Role
predicates (is_school_leader, is_teacher, …) live in accounts/rules.py; consent (whose diary is
open) in consent/rules.py; lessons (who gives this lesson) in journal/rules.py.

A teacher's rights come from their Teacher profile, whatever their role (a deputy head who
teaches has both); a disabled account has none.
"""

from django.db.models import Q, QuerySet

from accounts.models import Role

from .models import ClassGroup, Enrollment, Student, TeachingAssignment


def teacher_id_of(user) -> int | None:
    """The id of the user's Teacher profile, or None (not a teacher, signed out, disabled)."""
    if not (user.is_authenticated and user.is_active):
        return None
    teacher = getattr(user, "teacher", None)
    return teacher.pk if teacher else None


def assignments_of(user) -> QuerySet[TeachingAssignment]:
    """The user's teaching assignments (every year; filter by year as needed). Substituting a
    lesson is not an assignment: see journal.rules.lessons_given_by."""
    teacher_id = teacher_id_of(user)
    if teacher_id is None:
        return TeachingAssignment.objects.none()
    return TeachingAssignment.objects.filter(teacher_id=teacher_id)


def teaches(user, *, subject_id: int, class_group_id=None, study_group_id=None) -> Q:
    """As a Q over TeachingAssignment: the user teaches this subject to this group, or to this
    whole class. Teaching a subgroup of a class does not make one a teacher of the whole
    class's journal for that subject, only of the subgroup's. Give exactly one of the two."""
    q = Q(teacher_id=teacher_id_of(user), subject_id=subject_id)
    if study_group_id is not None:
        return q & Q(study_group_id=study_group_id)
    return q & Q(class_group_id=class_group_id, study_group__isnull=True)


def is_subject_teacher_of(user, *, subject_id: int, class_group_id=None, study_group_id=None):
    """The boolean form of `teaches`, for a page that must decide before it queries."""
    if teacher_id_of(user) is None or (class_group_id is None and study_group_id is None):
        return False
    return TeachingAssignment.objects.filter(
        teaches(
            user,
            subject_id=subject_id,
            class_group_id=class_group_id,
            study_group_id=study_group_id,
        )
    ).exists()


def homeroom_classes(user, prefix: str = "") -> Q:
    """As a Q over ClassGroup (or, with a prefix such as "class_group__", over anything that
    points at one): the classes whose class teacher (классный руководитель) the user is."""
    teacher_id = teacher_id_of(user)
    if teacher_id is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}class_teacher_id": teacher_id})


def is_class_teacher_of(user, class_group: ClassGroup) -> bool:
    """The user is the homeroom teacher of the class (no query: the class is at hand)."""
    teacher_id = teacher_id_of(user)
    return teacher_id is not None and class_group.class_teacher_id == teacher_id


def classes_taught(user) -> Q:
    """As a Q over ClassGroup: the classes the user teaches a subject to, as a whole or in one
    of its subgroups, or is the class teacher of."""
    teacher_id = teacher_id_of(user)
    if teacher_id is None:
        return Q(pk__in=[])
    return (
        Q(class_teacher_id=teacher_id)
        | Q(assignments__teacher_id=teacher_id)
        | Q(study_groups__assignments__teacher_id=teacher_id)
    )


def children_of(user) -> QuerySet[Student]:
    """The students whose family the user is, in the user's school: a guardian's linked
    children (a removed link counts at once; a guardian of several children gets them all),
    a student's own record. Nobody else has children. Whether their diary may be opened is
    consent's question (consent.rules.diary_open)."""
    if not (user.is_authenticated and user.is_active and user.school_id):
        return Student.objects.none()
    # By role, then by profile inside the query: no query to find the profile first.
    if user.role == Role.GUARDIAN:
        found = Student.objects.filter(guardian_links__guardian__user=user)
    elif user.role == Role.STUDENT:
        found = Student.objects.filter(user=user)
    else:
        return Student.objects.none()
    return found.filter(school_id=user.school_id)


def is_guardian_of(user, student_id: int) -> bool:
    """The user is a guardian linked to this student now."""
    return (
        user.is_authenticated
        and user.role == Role.GUARDIAN
        and children_of(user).filter(pk=student_id).exists()
    )


def homeroom_pupils(user, day) -> QuerySet[Student]:
    """The pupils enrolled on `day` in a class whose class teacher (классный руководитель) the
    user is, in the user's school. The class teacher reads their diary (the week, marks and
    remarks) read-only; teaching a class a subject does not count. The family's consent is
    not asked: it governs what reaches the family electronically, not the school's staff."""
    if teacher_id_of(user) is None or not user.school_id:
        return Student.objects.none()
    enrolled = Enrollment.objects.on_day(day).filter(homeroom_classes(user, "class_group__"))
    return Student.objects.filter(school_id=user.school_id, pk__in=enrolled.values("student_id"))


def office_pupils(user) -> QuerySet[Student]:
    """Every pupil of the user's school when the user is the school's administrator
    (администратор ОУ), who prints marks for families on paper: their marks are read there,
    never written. Nobody else's pupils, and nobody for any other role."""
    if not (user.is_authenticated and user.is_active and user.school_id):
        return Student.objects.none()
    if not user.has_role(Role.SCHOOL_ADMIN):
        return Student.objects.none()
    return Student.objects.filter(school_id=user.school_id)


def pupils_whose_marks_staff_read(user, day) -> QuerySet[Student]:
    """The pupils whose marks page a staff member opens: the office's whole school, or the
    class teacher's homeroom pupils (school.rules.homeroom_pupils)."""
    if user.is_authenticated and user.has_role(Role.SCHOOL_ADMIN):
        return office_pupils(user)
    return homeroom_pupils(user, day)
