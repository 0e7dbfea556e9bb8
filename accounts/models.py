"""Users and roles: the vocabulary every other app builds on. A user belongs to one school
(school.School)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", _("school administrator")
    DIRECTOR = "director", _("director")
    DEPUTY_HEAD = "deputy_head", _("deputy head")
    TEACHER = "teacher", _("teacher")
    GUARDIAN = "guardian", _("parent (legal representative)")
    STUDENT = "student", _("student")


STAFF_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.DIRECTOR, Role.DEPUTY_HEAD, Role.TEACHER})
FAMILY_ROLES = frozenset({Role.GUARDIAN, Role.STUDENT})


class User(AbstractUser):
    """An account. A user belongs to one school and has one role in it.

    Teaching is a fact about the Teacher profile, not the role: a deputy head who also teaches
    has the deputy head role and a Teacher profile.
    """

    school = models.ForeignKey(
        "school.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(school__isnull=False),
                name="user_with_role_has_school",
                violation_error_message=_("A user with a role must belong to a school."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        """«Иванова А. П.»"""
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip() or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles
