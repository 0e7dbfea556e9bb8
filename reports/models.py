"""Rows the reports app keeps: reminders sent to teachers about deferred finals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from journal.models import FinalMark
from school.models import SchoolOwned


class DeferralReminder(SchoolOwned):
    """A reminder to a teacher that a deferred final (2.5) is due soon or overdue.

    One row per final, due date and kind: the daily task may run twice (or after a crash) and
    the unique constraint keeps it from reminding twice. The row is written (claimed) before
    the e-mail goes out; `sent_at` is set once it went."""

    class Kind(models.TextChoices):
        SOON = "soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    final_mark = models.ForeignKey(
        FinalMark, verbose_name=_("final mark"), on_delete=models.CASCADE, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deferral reminder")
        verbose_name_plural = _("deferral reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["final_mark", "due_date", "kind"],
                name="deferral_reminder_once",
                violation_error_message=_("This reminder was already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.final_mark_id}: {self.get_kind_display()} ({self.due_date:%d.%m.%Y})"
