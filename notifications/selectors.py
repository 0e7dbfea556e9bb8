"""Reads of the notifications app, each scoped to the viewer inside the query."""

from django.db.models import Count, Q

from consent.models import Consent, Purpose
from school.models import GuardianStudent
from school.rules import children_of

from .models import (
    KIND_SWITCH,
    FlaggedContact,
    OutboxMessage,
    OutboxStatus,
    PaperNotice,
    Preference,
)
from .preferences import policy_of


def mask(recipient: str) -> str:
    """A contact shown to staff who do not need it whole: +7 900 ***-**-67, m***@example.ru."""
    if "@" in recipient:
        local, _sep, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(recipient) > 4:
        return recipient[:2] + "*" * (len(recipient) - 4) + recipient[-2:]
    return "***"


def guardian_settings(user):
    """The guardian's children with the mode, the weekly choice and the switches of teachers'
    messages and tomorrow's changed lessons of each channel (the school's default where the
    guardian never chose). Two queries and the policy."""
    children = list(children_of(user).order_by("last_name", "first_name"))
    if not children:
        return []
    guardian = user.guardian
    policy = policy_of(user.school_id)
    prefs = {
        (p.student_id, p.channel): p
        for p in Preference.objects.filter(guardian=guardian, student__in=children)
    }
    rows = []
    for child in children:
        channels = []
        for channel in ("sms", "email"):
            pref = prefs.get((child.pk, channel))
            channels.append(
                {
                    "channel": channel,
                    "mode": pref.mode if pref else policy.default_mode(channel),
                    "weekly": pref.weekly if pref else policy.weekly,
                    **{
                        field: getattr(pref if pref else policy, field)
                        for field in KIND_SWITCH.values()
                    },
                }
            )
        rows.append({"child": child, "channels": channels})
    return rows


def delivery_log(viewer, *, status: str = "", channel: str = "", limit: int = 200):
    """The school's messages, newest first, for the school admin's delivery log."""
    messages = OutboxMessage.objects.filter(school_id=viewer.school_id)
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return messages.select_related("guardian", "student").order_by("-created_at", "-id")[:limit]


def failures_by_reason(viewer):
    """Failed, undelivered, unknown and capped messages of the school, counted by reason."""
    return (
        OutboxMessage.objects.filter(school_id=viewer.school_id)
        .filter(
            Q(status__in=[OutboxStatus.FAILED, OutboxStatus.UNDELIVERED, OutboxStatus.UNKNOWN])
            | Q(status=OutboxStatus.CANCELLED, error_code="cap")
        )
        .values("channel", "status", "error_code", "error")
        .annotate(count=Count("id"))
        .order_by("-count", "channel")
    )


def flagged_contacts(viewer):
    return FlaggedContact.objects.filter(school_id=viewer.school_id).select_related("guardian")


def paper_notices(viewer):
    """The families to tell on paper because no electronic channel reached them (an SMS that
    failed or was not delivered, without e-mail consent), with the reason. The other paper
    list, families without the electronic diary, is consent.rules.is_on_paper_list."""
    return (
        PaperNotice.objects.filter(school_id=viewer.school_id, done_at__isnull=True)
        .select_related("guardian", "student", "message")
        .order_by("-created_at")
    )


def unsubscribe_link(*, guardian_id: int, student_id: int) -> GuardianStudent | None:
    """The parent–child link a signed unsubscribe address names (None once it has ended)."""
    return (
        GuardianStudent.objects.filter(guardian_id=guardian_id, student_id=student_id)
        .select_related("guardian", "student")
        .first()
    )


def email_consent(*, guardian_id: int, student_id: int) -> Consent | None:
    """The parent's consent in force to e-mail about this child, if any."""
    return (
        Consent.objects.granted(Purpose.EMAIL)
        .filter(guardian_id=guardian_id, student_id=student_id)
        .first()
    )
