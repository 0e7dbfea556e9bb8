"""Consent and refusal to the processing of personal data (regulation 2.1, 152-FZ)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from school.models import Guardian, SchoolOwned, Student


class Purpose(models.TextChoices):
    DIARY = "diary", _("electronic diary (web account)")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")


class Decision(models.TextChoices):
    CONSENT = "consent", _("consent")
    REFUSAL = "refusal", _("refusal")


class ConsentForm(models.TextChoices):
    PAPER = "paper", _("paper, signed")
    ELECTRONIC = "electronic", _("electronic document")


def consent_upload_to(instance: "Consent", filename: str) -> str:
    return f"consent/{instance.school_id}/{instance.guardian_id}/{filename}"


class ConsentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_on__isnull=True)

    def granted(self, purpose: str):
        return self.active().filter(purpose=purpose, decision=Decision.CONSENT)

    def granted_any(self):
        """Consents in force for any purpose."""
        return self.active().filter(decision=Decision.CONSENT)


class Consent(SchoolOwned):
    """A guardian's decision about one child and one purpose. A decision is never edited away:
    withdrawal is recorded with its date, and a new decision is a new row."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.PROTECT, related_name="consents"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    form = models.CharField(_("form"), max_length=12, choices=ConsentForm.choices)
    decided_on = models.DateField(_("date of the decision"))
    document_ref = models.CharField(_("document reference"), max_length=100, blank=True)
    document = models.FileField(_("scan"), upload_to=consent_upload_to, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason of withdrawal"), max_length=500, blank=True)
    withdrawal_document_ref = models.CharField(
        _("withdrawal application reference"), max_length=100, blank=True
    )
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student", "purpose"],
                condition=Q(withdrawn_on__isnull=True),
                name="consent_one_active_decision",
                violation_error_message=_(
                    "There is already a decision in force for this parent, child and purpose; "
                    "record its withdrawal first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True)
                | Q(withdrawn_on__gte=models.F("decided_on")),
                name="consent_withdrawn_after_decided",
                violation_error_message=_("Withdrawal cannot precede the decision."),
            ),
        ]
        # consent_one_active_decision's index serves has_consent_for (guardian, student, purpose).

    def __str__(self) -> str:
        return f"{self.guardian} / {self.student}: {self.get_purpose_display()} — {self.get_decision_display()}"


# --- Contact details and their provenance (regulation 2.7) ------------------------------------


class ContactKind(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")


class ContactSource(models.TextChoices):
    APPLICATION = "application", _("written application")
    ELECTRONIC = "electronic", _("electronic document")
    ACCOUNT = "account", _("entered by the parent in their account")


class ContactPointQuerySet(models.QuerySet):
    def current(self):
        return self.filter(replaced_at__isnull=True)


class ContactPoint(SchoolOwned):
    """A guardian's phone or e-mail and how it came to the school. A change is a new row; the
    row it replaces keeps its provenance with `replaced_at` set."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=5, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=254)
    source = models.CharField(_("source"), max_length=12, choices=ContactSource.choices)
    document_ref = models.CharField(_("document reference"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified = models.BooleanField(_("verified"), default=False)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    objects = ContactPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["kind", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "kind"],
                condition=Q(replaced_at__isnull=True),
                name="contact_one_current_per_kind",
                violation_error_message=_(
                    "This parent already has a current contact of this kind."
                ),
            ),
        ]
        # contact_one_current_per_kind's index serves the outbox's recipient lookup.

    def __str__(self) -> str:
        return f"{self.guardian}: {self.value}"


# --- Account onboarding ---------------------------------------------------------------------


class ActivationCode(SchoolOwned):
    """A one-time code that lets a guardian set the password of the account the school issued.
    Only its SHA-256 is stored; the code itself is shown once, on the printable page."""

    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        related_name="activation_codes",
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")


# --- Personal-data requests and destruction -------------------------------------------------


class PdRequest(SchoolOwned):
    """A data subject's request for the data held about them and their child (152-FZ art. 14),
    to be answered within 10 working days."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.PROTECT, related_name="pd_requests"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="pd_requests"
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due on"))
    document_ref = models.CharField(_("document reference"), max_length=100, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.guardian} / {self.student}: {self.received_on}"


class Destruction(SchoolOwned):
    """A record that consent-based data was destroyed: what, about whom, when, and why.

    The guardian is kept by id and name only, so the record outlives the destroyed rows."""

    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("parent"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="destructions",
    )
    guardian_name = models.CharField(_("parent's name"), max_length=460)
    model_label = models.CharField(_("data"), max_length=100)
    rows = models.PositiveIntegerField(_("rows destroyed"))
    reason = models.CharField(_("reason"), max_length=200)
    destroyed_at = models.DateTimeField(_("destroyed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-destroyed_at"]


# --- Access log -----------------------------------------------------------------------------


class AccessLogEntry(SchoolOwned):
    """A member of staff looked at a student's personal data (who, whom, what, when)."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The log outlives the student for its retention period (consent.pdregistry): when a
    # student is deleted the link becomes NULL and the id and name stay (consent/receivers.py
    # writes the name just before the student goes).
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="access_log",
    )
    student_ref = models.BigIntegerField(_("student id"), null=True, editable=False)
    student_name = models.CharField(_("student's name"), max_length=460, blank=True, editable=False)
    what = models.CharField(_("what was viewed"), max_length=200)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)
    # One row per viewer, student, record and day: a teacher reloading a class journal twenty
    # times a day is one entry, not twenty (a region would otherwise log tens of millions a day).
    viewed_on = models.DateField(_("viewed on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-viewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "viewer", "what", "viewed_on"], name="accesslog_once_a_day"
            ),
        ]
        indexes = [
            # The guardian's "who looked at my child's records" page, newest first.
            models.Index(fields=["student", "-viewed_at"], name="accesslog_student_recent"),
        ]

    def __str__(self) -> str:
        # The admin's title of the entry (not "AccessLogEntry object (2)").
        when = (
            timezone.localtime(self.viewed_at).strftime("%d.%m.%Y %H:%M") if self.viewed_at else ""
        )
        return f"{when} {self.what}".strip()
