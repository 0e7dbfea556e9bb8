"""Schools, users and roles: the vocabulary every other app builds on."""

import zoneinfo
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class School(models.Model):
    """One school (образовательная организация). Every row of pupil data belongs to one."""

    name = models.CharField(_("full name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    inn = models.CharField(_("taxpayer number (INN)"), max_length=12, blank=True)
    director_name = models.CharField(_("director's full name"), max_length=200, blank=True)
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
        School,
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
