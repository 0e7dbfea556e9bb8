"""Users and roles: the vocabulary every other app builds on. A user belongs to one school
(school.School)."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin


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


# --- Security events ------------------------------------------------------------------------


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("failed sign-in")
    LOGOUT = "logout", _("signed out")
    LOCKOUT = "lockout", _("sign-in paused after failed attempts")
    OTP_ENROLLED = "otp_enrolled", _("two-factor sign-in enabled")
    OTP_FAILED = "otp_failed", _("wrong two-factor code")
    OTP_RECOVERY_USED = "otp_recovery_used", _("recovery code used")
    OTP_RECOVERY_NEW = "otp_recovery_new", _("new recovery codes")
    OTP_DISABLED = "otp_disabled", _("two-factor sign-in disabled")
    OTP_RESET = "otp_reset", _("two-factor sign-in reset by an administrator")
    ACTIVATION = "activation", _("account activated")
    ACTIVATION_FAILED = "activation_failed", _("failed activation")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("password reset requested")
    PASSWORD_RESET = "password_reset", _("password reset by e-mail")
    PERMISSION_DENIED = "permission_denied", _("access denied")
    CONSENT_CHANGED = "consent_changed", _("consent recorded or withdrawn")
    EXPORT = "export", _("data exported")
    ADMIN_CHANGE = "admin_change", _("change in school data")


class AppendOnly(Exception):
    """Security events are evidence: once written they are never changed or removed."""


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("security events cannot be changed")

    def delete(self):
        raise AppendOnly("security events cannot be deleted")

    _raw_delete = delete


class SecurityEvent(models.Model):
    """Something that matters to the school's security: who, what, when, from where.

    Append-only: the ORM refuses updates and deletes (here and in the queryset), and on
    PostgreSQL a trigger refuses them in the database too (migration 0003). The user and the
    school are kept by id without a foreign-key constraint, with the username as written, so an
    event outlives the account it names."""

    school = models.ForeignKey(
        "school.School",
        verbose_name=_("school"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("event"), max_length=30, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("account"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("login"), max_length=150, blank=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("done by"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=200, blank=True)
    detail = models.CharField(_("details"), max_length=500, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]
        indexes = [
            # The director's page: a school's events, newest first, optionally of one kind.
            models.Index(fields=["school", "-at"], name="secevent_school_recent"),
            # The login back-off: recent lockouts of one login from one address.
            models.Index(fields=["username", "kind", "-at"], name="secevent_username_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_kind_display()} {self.username}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("security events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("security events cannot be deleted")


# --- Two-factor recovery codes --------------------------------------------------------------


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """One-time recovery codes for two-factor sign-in (a django-otp device).

    Each code has 120 random bits and only its SHA-256 is stored (ASVS: a lookup secret of at
    least 112 bits may be kept as a SHA-2 hash); a code works once and is deleted when used.
    Wrong codes slow further tries down (django-otp's throttling)."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self):
        return getattr(settings, "OTP_RECOVERY_THROTTLE_FACTOR", 1)

    @staticmethod
    def hash_code(code: str) -> str:
        normalised = "".join(str(code).split()).replace("-", "").upper()
        return hashlib.sha256(normalised.encode()).hexdigest()

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        deleted, _rows = RecoveryCode.objects.filter(
            device=self, code_hash=self.hash_code(token)
        ).delete()
        if deleted:
            self.throttle_reset(commit=True)
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return str(_("recovery code"))  # never the code: only its hash is kept
