"""Who may: the role vocabulary shared by every app.

Each predicate takes a user and answers one exact question; views and selectors ask these
instead of comparing roles inline. Object-level predicates (is_subject_teacher_of,
is_guardian_of, ...) live in the rules.py of the app that owns the objects.
"""

from .models import FAMILY_ROLES, STAFF_ROLES, Role


def is_school_admin(user) -> bool:
    """The school's administrator: records consent, accounts, the school's structure."""
    return user.is_authenticated and user.has_role(Role.SCHOOL_ADMIN)


def is_director(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DIRECTOR)


def is_deputy_head(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DEPUTY_HEAD)


def is_school_leader(user) -> bool:
    """Director or deputy head: sees the whole school's journal and statistics."""
    return user.is_authenticated and user.has_role(Role.DIRECTOR, Role.DEPUTY_HEAD)


def is_teacher(user) -> bool:
    """Has a Teacher profile, whatever the role (a deputy head may teach too)."""
    return user.is_authenticated and user.is_active and hasattr(user, "teacher")


def is_staff_member(user) -> bool:
    return user.is_authenticated and user.has_role(*STAFF_ROLES)


def is_guardian(user) -> bool:
    return user.is_authenticated and user.has_role(Role.GUARDIAN) and hasattr(user, "guardian")


def is_student(user) -> bool:
    return user.is_authenticated and user.has_role(Role.STUDENT) and hasattr(user, "student")


def is_family_member(user) -> bool:
    return user.is_authenticated and user.has_role(*FAMILY_ROLES)
