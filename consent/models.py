"""Consent and refusal to the processing of personal data (regulation 2.1, 152-FZ)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from journal.models import Guardian, SchoolOwned, Student


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
