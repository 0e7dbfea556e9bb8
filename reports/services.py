"""Writes of the reports app: reminders about deferred finals."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from journal.selectors import open_deferrals
from school.models import School

from .models import DeferralReminder

# A teacher is reminded this many days before a deferred final is due, and again once it is due.
REMIND_DAYS_BEFORE = 3


def deferral_reminders_send(*, school: School, today: dt.date | None = None) -> int:
    """Remind teachers of the school's deferred finals due within REMIND_DAYS_BEFORE days
    («soon») or already due («overdue»): an e-mail to the teacher who deferred the final.

    Idempotent: each (final, due date, kind) is claimed once by a unique row before sending;
    a row left unsent by a crash is sent by the next run. Returns the number of e-mails sent."""
    today = today or school.today()
    due = open_deferrals(school=school, due_before=today + dt.timedelta(days=REMIND_DAYS_BEFORE))
    candidates = [
        DeferralReminder(
            school=school,
            final_mark_id=fm.pk,
            due_date=fm.deferred_until,
            kind=DeferralReminder.Kind.OVERDUE
            if fm.deferred_until <= today
            else DeferralReminder.Kind.SOON,
            recipient_id=fm.set_by_id,
            email=fm.set_by.email,
        )
        for fm in due.select_related("set_by")
    ]
    DeferralReminder.objects.bulk_create(candidates, ignore_conflicts=True)
    sent = 0
    pending = DeferralReminder.objects.filter(
        school=school, sent_at__isnull=True, final_mark__status="deferred"
    ).select_related("final_mark__student", "final_mark__subject", "final_mark__period")
    for reminder in pending:
        with transaction.atomic():
            # Claim with a conditional UPDATE so two workers never send the same reminder.
            claimed = DeferralReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
                sent_at=timezone.now()
            )
            if not claimed:
                continue
            if reminder.email:
                _send(reminder)
                sent += 1
    return sent


def _send(reminder: DeferralReminder) -> None:
    fm = reminder.final_mark
    with override(settings.LANGUAGE_CODE):
        subject = (
            _("A deferred final is overdue")
            if reminder.kind == DeferralReminder.Kind.OVERDUE
            else _("A deferred final is due soon")
        )
        body = _(
            "The final of %(student)s in %(subject)s for %(period)s was deferred until "
            "%(date)s (%(reason)s). Set it in the finals page of the journal."
        ) % {
            "student": fm.student.short_name,
            "subject": fm.subject.name,
            "period": fm.period.name,
            "date": f"{fm.deferred_until:%d.%m.%Y}",
            "reason": fm.deferral_reason,
        }
    # Plain text: names and reasons go out as they are, never as HTML.
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.email], fail_silently=False)
