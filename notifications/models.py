"""The outbox: every message is a row before anything is sent (architecture rule 8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from school.models import Guardian, SchoolOwned, Student


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", pgettext_lazy("message status", "cancelled")


class OutboxMessage(SchoolOwned):
    """One message to one guardian about one child on one channel.

    Status only moves forward: queued → sending → sent | failed, or queued → cancelled. The
    unique dedupe key makes a second enqueue of the same event a no-op."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="outbox"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="outbox"
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(pgettext_lazy("e-mail", "subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Cancelling what is queued for a guardian (consent withdrawn, access ended).
            models.Index(fields=["guardian", "status"], name="outbox_guardian_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_status_display()})"
