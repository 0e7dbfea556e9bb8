"""Writes of the outbox. The row is written before anything is sent, in the transaction of what
caused it; consent, quiet hours and the daily caps are checked again when it is sent."""

import datetime as dt
import hashlib
import logging
import os
import time
import zoneinfo
from concurrent.futures import ThreadPoolExecutor

from celery import current_app, signature
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from consent.models import ContactPoint
from consent.rules import may_send_to

from . import timing
from .models import (
    COALESCED_KINDS,
    Channel,
    FinalNotice,
    FlaggedContact,
    Kind,
    Mode,
    OutboxMessage,
    OutboxStatus,
    PaperNotice,
)
from .preferences import CHANNEL_CONTACT, Audience, policy_of
from .texts import render_instant
from .transports import Permanent, Transient, Unknown, transport_for

logger = logging.getLogger(__name__)

# A message is tried this many times through transient errors before it fails.
MAX_ATTEMPTS = 6
# Beyond this a message is left for the relay rather than scheduled with a countdown (a
# broker holding a task for hours would redeliver it).
SCHEDULE_AHEAD = dt.timedelta(minutes=15)
# A claim older than this with no outcome: the worker died mid-send.
STALE_CLAIM = dt.timedelta(minutes=5)


class RetryLater(Exception):  # noqa: N818 -- a named signal for the task's retry policy
    """The provider did not take the message but may later; the row is queued again."""

    def __init__(self, countdown: int):
        super().__init__(f"retry in {countdown} s")
        self.countdown = countdown


def task_name(channel: str) -> str:
    return f"notifications.{channel}_send"


def _publish(message_id: int, channel: str, countdown: float | None = None) -> bool:
    """Hand the id to a worker. A dead broker never fails the caller: the row stays queued and
    a later relay sends it. The task is named, not imported: tasks call services, never the
    reverse (a signature by name still honours eager mode)."""
    try:
        options = {"countdown": max(0, int(countdown))} if countdown else {}
        signature(task_name(channel), args=[message_id]).apply_async(**options)
    except Exception:  # noqa: BLE001 -- the broker's errors are many; the row is safe
        logger.warning("Could not schedule outbox message %s; it stays queued", message_id)
        return False
    return True


class _Publisher:
    """Publishing after a commit happens on a thread of its own, so a teacher's save never
    waits for the broker (a dead Redis takes seconds to refuse: the client retries its
    connection). After a failure the thread stops trying for a while and leaves the rows to
    the relay. Made lazily per process (web servers fork)."""

    PAUSE_AFTER_FAILURE = 30.0

    def __init__(self):
        self.pid = None
        self.executor = None
        self.paused_until: dict[str, float] = {}  # per broker URL

    def submit(self, items) -> None:
        if self.pid != os.getpid():
            self.pid = os.getpid()
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
        self.executor.submit(self._run, items)

    def _run(self, items) -> None:
        broker = str(current_app.conf.broker_url)
        for message_id, channel, countdown in items:
            if time.monotonic() < self.paused_until.get(broker, 0.0):
                return  # the broker was down a moment ago: the relay sends these
            if not _publish(message_id, channel, countdown):
                self.paused_until[broker] = time.monotonic() + self.PAUSE_AFTER_FAILURE


_publisher = _Publisher()


def schedule_send(message_id: int, channel: str, countdown: float | None = None) -> None:
    _publish(message_id, channel, countdown)


def _schedule_after_commit(items) -> None:
    if current_app.conf.task_always_eager:
        for item in items:  # in-process tasks (development without Redis, tests)
            _publish(*item)
    else:
        _publisher.submit(items)


def _schedule_on_commit(rows) -> None:
    now = timezone.now()
    due = []
    for pk, channel, not_before in rows:
        wait = (not_before - now).total_seconds() if not_before else 0
        if wait <= SCHEDULE_AHEAD.total_seconds():
            due.append((pk, channel, wait))
    if due:
        transaction.on_commit(lambda: _schedule_after_commit(due))


def _contact(guardian_id: int, channel: str) -> str | None:
    return (
        ContactPoint.objects.current()
        .filter(guardian_id=guardian_id, kind=CHANNEL_CONTACT[channel])
        .order_by("-recorded_at", "-pk")
        .values_list("value", flat=True)
        .first()
    )


def outbox_enqueue(
    *,
    school_id: int,
    guardian_id: int,
    student_id: int,
    channel: str,
    body: str,
    dedupe_key: str,
    subject: str = "",
    html: str = "",
    kind: str = Kind.OTHER,
    not_before: dt.datetime | None = None,
) -> OutboxMessage | None:
    """Queue one message for a guardian about a child, to their current contact on that channel.

    Nothing is queued without consent to the channel or without a contact. The same dedupe key
    twice gives the first row back."""
    if not may_send_to(guardian_id=guardian_id, student_id=student_id, channel=channel):
        return None
    contact = _contact(guardian_id, channel)
    if contact is None:
        return None
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={
                "school_id": school_id,
                "guardian_id": guardian_id,
                "student_id": student_id,
                "channel": channel,
                "kind": kind,
                "recipient": contact,
                "subject": subject,
                "body": body,
                "html": html,
                "not_before": not_before,
            },
        )
        if created:
            _schedule_on_commit([(message.pk, channel, not_before)])
    return message


# --- Events from the journal: coalesced instant messages ---------------------------------------

WANTED = {
    Kind.MARK: {Mode.INSTANT},
    Kind.ABSENCE: {Mode.INSTANT, Mode.DIGEST},
    Kind.FINAL: {Mode.INSTANT, Mode.DIGEST},
    Kind.MESSAGE: {Mode.INSTANT, Mode.DIGEST},
    Kind.SCHEDULE: {Mode.INSTANT, Mode.DIGEST},
}


def _window_end(now: dt.datetime, policy, channel: str, school) -> dt.datetime:
    at = now + dt.timedelta(minutes=policy.coalesce_minutes)
    if channel == Channel.SMS:
        zone = school.time_zone
        if timing.in_quiet_hours(
            at, time_zone=zone, start=policy.quiet_from, end=policy.quiet_until
        ):
            at = timing.quiet_hours_end(
                at, time_zone=zone, start=policy.quiet_from, end=policy.quiet_until
            )
    return at


def _event_token(versions: list[tuple[int, int]]) -> str:
    text = ",".join(f"{pk}.{version}" for pk, version in sorted(versions))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def instant_record(*, school, kind: str, items: dict[int, list[tuple[int, int]]]) -> int:
    """Record journal events (marks, absences, finals) for the families who want them at once.

    `items` maps a student id to the (id, version) pairs of what happened to them. Each
    guardian, child and channel has at most one open message of the kind: new events join it
    until it is sent (the coalescing window), so several marks become one SMS. The dedupe key
    is the event itself, so an event delivered twice adds nothing. Runs in the caller's
    transaction; the send is scheduled after commit. Returns how many messages were opened."""
    if not items:
        return 0
    policy = policy_of(school.pk)
    audience = Audience(school_id=school.pk, student_ids=list(items), policy=policy)
    now = timezone.now()
    opened = 0
    for _attempt in range(2):  # a concurrent writer may open the same message: merge into it
        with transaction.atomic():
            opened_now, lost = _merge_into_open(school, kind, items, audience, policy, now)
        opened += opened_now
        if not lost:
            break
        items = lost
    return opened


def _merge_into_open(school, kind, items, audience, policy, now):
    open_rows = {
        (row.guardian_id, row.student_id, row.channel): row
        for row in OutboxMessage.objects.select_for_update().filter(
            kind=kind, status=OutboxStatus.QUEUED, student_id__in=list(items)
        )
    }
    creates, updates, wanted = [], [], {}
    for student_id, versions in items.items():
        ids = [pk for pk, _version in versions]
        token = _event_token(versions)
        for guardian_id, channel, mode, _weekly, contact in audience.targets(student_id):
            if mode not in WANTED[kind] or not audience.wants(
                guardian_id, student_id, channel, kind
            ):
                continue
            row = open_rows.get((guardian_id, student_id, channel))
            if row is not None:
                row.payload = {"ids": sorted(set(row.payload.get("ids", [])) | set(ids))}
                updates.append(row)
                continue
            key = f"{kind}:{guardian_id}:{student_id}:{channel}:{token}"
            wanted[key] = (student_id, versions)
            creates.append(
                OutboxMessage(
                    school=school,
                    guardian_id=guardian_id,
                    student_id=student_id,
                    channel=channel,
                    kind=kind,
                    recipient=contact,
                    payload={"ids": sorted(ids)},
                    dedupe_key=key,
                    not_before=_window_end(now, policy, channel, school),
                )
            )
    if updates:
        OutboxMessage.objects.bulk_update(updates, ["payload"])
    lost = {}
    created = []
    if creates:
        OutboxMessage.objects.bulk_create(creates, ignore_conflicts=True)
        made = {
            key: (pk, channel, not_before)
            for key, pk, channel, not_before in OutboxMessage.objects.filter(
                dedupe_key__in=list(wanted)
            ).values_list("dedupe_key", "pk", "channel", "not_before")
        }
        for key, (student_id, versions) in wanted.items():
            if key in made:
                created.append(made[key])
            else:  # another transaction opened this guardian's message meanwhile
                lost[student_id] = versions
        _schedule_on_commit(created)
    if kind == Kind.FINAL:
        _link_finals([*(r.pk for r in updates), *(pk for pk, _c, _n in created)])
    return len(created), lost


def _link_finals(message_ids: list[int]) -> None:
    notices = [
        FinalNotice(school_id=m.school_id, final_mark_id=final_id, message_id=m.pk)
        for m in OutboxMessage.objects.filter(pk__in=message_ids).only("pk", "school_id", "payload")
        for final_id in m.payload.get("ids", [])
    ]
    FinalNotice.objects.bulk_create(notices, ignore_conflicts=True)


def instant_forget(*, kind: str, ids: list[int]) -> int:
    """What was deleted is not told: remove the ids from open messages; a message left with
    nothing is cancelled. Returns how many were cancelled."""
    gone = set(ids)
    cancelled = 0
    with transaction.atomic():
        for row in OutboxMessage.objects.select_for_update().filter(
            kind=kind, status=OutboxStatus.QUEUED
        ):
            kept = [pk for pk in row.payload.get("ids", []) if pk not in gone]
            if len(kept) == len(row.payload.get("ids", [])):
                continue
            if kept:
                row.payload = {"ids": kept}
                row.save(update_fields=["payload"])
            else:
                cancelled += OutboxMessage.objects.filter(
                    pk=row.pk, status=OutboxStatus.QUEUED
                ).update(status=OutboxStatus.CANCELLED, error="deleted before it was sent")
    return cancelled


# --- Sending -----------------------------------------------------------------------------------


def outbox_send(*, message_id: int) -> str | None:
    """Send one due message, once. Returns its status, or None when another worker has it, it
    is not due yet or no longer queued.

    The row is claimed with a conditional UPDATE (queued → sending) before the provider is
    called; consent is checked after the claim, so a withdrawal that any listener missed still
    stops the message. An SMS inside the quiet hours is released until they end; an SMS past
    the daily caps goes by e-mail or waits for the digest."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.QUEUED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .update(status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    message = OutboxMessage.objects.select_related("student", "school").get(pk=message_id)
    if not may_send_to(
        guardian_id=message.guardian_id, student_id=message.student_id, channel=message.channel
    ):
        _finish(message, OutboxStatus.CANCELLED, error="no consent at send time")
        return OutboxStatus.CANCELLED
    if message.channel == Channel.SMS:
        stop = _sms_gate(message, now)
        if stop is not None:
            return stop
    renders = message.kind in COALESCED_KINDS or (message.kind == Kind.FALLBACK and message.payload)
    if renders and not _render(message):
        _finish(message, OutboxStatus.CANCELLED, error="nothing left to tell")
        return OutboxStatus.CANCELLED
    return _hand_over(message, now)


def _render(message) -> bool:
    kind = message.payload.get("kind", message.kind)
    rendered = render_instant(
        kind=kind,
        ids=message.payload.get("ids", []),
        student=message.student,
        channel=message.channel,
        guardian_id=message.guardian_id,
    )
    if rendered is None:
        return False
    message.subject, message.body, message.html = (
        rendered["subject"],
        rendered["body"],
        rendered["html"],
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        subject=message.subject, body=message.body, html=message.html
    )
    return True


def _sms_gate(message, now) -> str | None:
    """Quiet hours, the allowed countries and the caps; None lets the SMS go."""
    policy = policy_of(message.school_id)
    zone = message.school.time_zone
    window = {"time_zone": zone, "start": policy.quiet_from, "end": policy.quiet_until}
    hold = None
    if timing.in_quiet_hours(now, **window):
        hold = timing.quiet_hours_end(now, **window)
    else:
        validity = timing.sms_validity(
            now, time_zone=zone, start=policy.quiet_from, end=policy.quiet_until
        )
        if validity < timing.MIN_VALIDITY:
            hold = timing.quiet_hours_end(now + dt.timedelta(seconds=validity + 1), **window)
        message.validity_seconds = validity
    if hold is not None:
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.QUEUED, not_before=hold, attempts=F("attempts") - 1
        )
        return OutboxStatus.QUEUED
    OutboxMessage.objects.filter(pk=message.pk).update(validity_seconds=message.validity_seconds)
    if not any(message.recipient.startswith(p) for p in settings.SMS_ALLOWED_PREFIXES):
        return _permanent(
            message, Permanent("the number is outside the allowed countries", "prefix")
        )
    refusal = _over_cap(message, policy, now)
    if refusal:
        _finish(message, OutboxStatus.CANCELLED, error=refusal, error_code="cap")
        _fall_back(message, refusal, over_cap=True)
        return OutboxStatus.CANCELLED
    return None


def _over_cap(message, policy, now) -> str:
    zone = zoneinfo.ZoneInfo(message.school.time_zone)
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    spent = (
        OutboxMessage.objects.filter(
            channel=Channel.SMS, claimed_at__gte=midnight, school_id=message.school_id
        )
        .exclude(pk=message.pk)
        .exclude(status__in=[OutboxStatus.CANCELLED, OutboxStatus.QUEUED])
    )
    if spent.filter(guardian_id=message.guardian_id).count() >= policy.sms_per_guardian_per_day:
        return "the parent's daily SMS limit is reached"
    if spent.count() >= policy.sms_daily_budget:
        return "the school's daily SMS budget is spent"
    return ""


def _hand_over(message, now) -> str:
    try:
        accepted = transport_for(message.channel).send(message=message)
    except Transient as error:
        if message.attempts >= MAX_ATTEMPTS:
            return _fail(message, error)
        countdown = min(600, 15 * 2 ** (message.attempts - 1))
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.QUEUED,
            not_before=now + dt.timedelta(seconds=countdown),
            error=str(error)[:500],
            error_code=error.code,
        )
        raise RetryLater(countdown) from error
    except Unknown as error:
        logger.warning("Outbox message %s: outcome unknown: %s", message.pk, error)
        _finish(message, OutboxStatus.UNKNOWN, error=str(error)[:500], error_code=error.code)
        return OutboxStatus.UNKNOWN
    except Permanent as error:
        return _permanent(message, error)
    except Exception as error:  # noqa: BLE001 -- a broken transport is recorded, not raised
        logger.exception("Outbox message %s failed", message.pk)
        return _fail(message, error)
    _finish(
        message,
        OutboxStatus.SENT,
        sent_at=timezone.now(),
        provider_id=accepted.provider_id,
        provider_status=accepted.provider_status,
        error="",
        error_code="",
    )
    return OutboxStatus.SENT


def _fail(message, error) -> str:
    reason = str(error)[:500]
    _finish(message, OutboxStatus.FAILED, error=reason, error_code=getattr(error, "code", ""))
    _fall_back(message, reason)
    return OutboxStatus.FAILED


def _permanent(message, error: Permanent) -> str:
    FlaggedContact.objects.get_or_create(
        guardian_id=message.guardian_id,
        channel=message.channel,
        value=message.recipient,
        defaults={
            "school_id": message.school_id,
            "error_code": error.code,
            "reason": str(error)[:300],
        },
    )
    return _fail(message, error)


def _finish(message, status: str, *, from_statuses=(OutboxStatus.SENDING,), **fields) -> int:
    # Only from "sending" (or what the caller names): status moves forward, never back.
    return OutboxMessage.objects.filter(pk=message.pk, status__in=from_statuses).update(
        status=status, **fields
    )


# --- When an SMS does not arrive ---------------------------------------------------------------


def _fall_back(message, reason: str, *, over_cap: bool = False) -> None:
    """An SMS that failed, was not delivered or was over the caps goes by e-mail when the
    family consented to it; otherwise the family is on the paper list with the reason (marks
    over the cap wait for the evening digest instead)."""
    if message.channel != Channel.SMS:
        _paper(message, reason)
        return
    email = None
    if may_send_to(guardian_id=message.guardian_id, student_id=message.student_id, channel="email"):
        email = _contact(message.guardian_id, Channel.EMAIL)
    if email:
        payload = (
            {"ids": message.payload.get("ids", []), "kind": message.kind} if message.payload else {}
        )
        try:
            with transaction.atomic():
                fallback = OutboxMessage.objects.create(
                    school_id=message.school_id,
                    guardian_id=message.guardian_id,
                    student_id=message.student_id,
                    channel=Channel.EMAIL,
                    kind=Kind.FALLBACK,
                    recipient=email,
                    subject=message.subject,
                    body=message.body,
                    payload=payload,
                    dedupe_key=f"fallback:{message.pk}",
                    fallback_of_id=message.pk,
                )
        except IntegrityError:
            return  # already fell back (a replayed callback)
        if message.kind == Kind.FINAL:
            _link_finals([fallback.pk])
        _schedule_on_commit([(fallback.pk, Channel.EMAIL, None)])
        return
    if over_cap and message.kind == Kind.MARK:
        return  # the evening digest carries the marks
    _paper(message, reason)


def _paper(message, reason: str) -> None:
    PaperNotice.objects.get_or_create(
        message_id=message.pk,
        defaults={
            "school_id": message.school_id,
            "guardian_id": message.guardian_id,
            "student_id": message.student_id,
            "reason": reason[:300],
        },
    )


# --- What the provider says afterwards ---------------------------------------------------------

# Twilio's statuses in the order they may move; a failure outranks "delivered", so a late or
# replayed "delivered" never erases it.
STATUS_RANK = {
    "queued": 1,
    "accepted": 1,
    "scheduled": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "partially_delivered": 4,
    "read": 5,
    "undelivered": 6,
    "failed": 6,
    "canceled": 6,
}
OURS = {
    "sent": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "partially_delivered": OutboxStatus.DELIVERED,
    "read": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.UNDELIVERED,
    "canceled": OutboxStatus.UNDELIVERED,
    "failed": OutboxStatus.FAILED,
}
REASONS = {
    "30036": "expired before delivery (quiet hours came)",
    "30007": "blocked by the operator as bulk SMS",
    "30003": "the phone is unreachable",
    "30005": "unknown or inactive number",
    "30006": "a landline or unreachable carrier",
}


def outbox_status_update(*, provider_id: str, provider_status: str, error_code: str = "") -> bool:
    """Apply a provider's status report. Status only moves forward; the same report twice, or
    one that arrives after a later one, changes nothing. An SMS that was not delivered goes by
    e-mail or onto the paper list. Returns whether anything changed."""
    rank = STATUS_RANK.get(provider_status)
    if rank is None or not provider_id:
        return False
    lower = ["", *(s for s, r in STATUS_RANK.items() if r < rank)]
    fields = {"provider_status": provider_status}
    ours = OURS.get(provider_status)
    if ours:
        fields["status"] = ours
    if ours == OutboxStatus.DELIVERED:
        fields["delivered_at"] = timezone.now()
    if error_code:
        fields["error_code"] = error_code[:16]
        fields["error"] = REASONS.get(error_code, f"provider error {error_code}")
    with transaction.atomic():
        changed = (
            OutboxMessage.objects.filter(provider_id=provider_id, provider_status__in=lower)
            .exclude(status=OutboxStatus.CANCELLED)
            .update(**fields)
        )
        if changed and ours in (OutboxStatus.UNDELIVERED, OutboxStatus.FAILED):
            for message in OutboxMessage.objects.filter(provider_id=provider_id):
                if error_code in ("21610", "30005", "30006"):
                    _flag(message, error_code, fields.get("error", ""))
                _fall_back(message, fields.get("error") or f"SMS {provider_status}")
    return bool(changed)


def _flag(message, code: str, reason: str) -> None:
    FlaggedContact.objects.get_or_create(
        guardian_id=message.guardian_id,
        channel=message.channel,
        value=message.recipient,
        defaults={"school_id": message.school_id, "error_code": code, "reason": reason[:300]},
    )


def outbox_reconcile(*, limit: int = 200) -> int:
    """Settle messages whose outcome is unknown (a 5xx or a timeout from the provider, or a
    worker that died mid-send): ask the provider what it has. Found: its status is recorded.
    Not found: the provider never took it, so it fails and falls back; it is never sent again
    blind. Returns how many were settled."""
    now = timezone.now()
    OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=OutboxStatus.UNKNOWN, error="the worker stopped while sending")
    settled = 0
    doubtful = OutboxMessage.objects.filter(status=OutboxStatus.UNKNOWN, channel=Channel.SMS)
    for message in doubtful.order_by("claimed_at")[:limit]:
        try:
            found = transport_for(message.channel).lookup(message=message)
        except Exception:  # noqa: BLE001 -- the provider is still away: try again later
            logger.warning("Could not check message %s with the provider", message.pk)
            continue
        if found is None:
            settled += _finish(
                message,
                OutboxStatus.FAILED,
                from_statuses=(OutboxStatus.UNKNOWN,),
                error="the provider never received it",
            )
            _fall_back(message, "the SMS provider never received it")
            continue
        status = OURS.get(found.provider_status, OutboxStatus.SENT)
        settled += _finish(
            message,
            status,
            from_statuses=(OutboxStatus.UNKNOWN,),
            provider_id=found.provider_id,
            provider_status=found.provider_status,
            sent_at=message.claimed_at,
            error="",
        )
    return settled


def outbox_cancel_queued(
    *, guardian_id: int, student_id: int | None = None, channel: str | None = None, reason: str
) -> int:
    """Cancel what is still queued for a guardian (about one child, on one channel)."""
    queued = OutboxMessage.objects.filter(guardian_id=guardian_id, status=OutboxStatus.QUEUED)
    if student_id is not None:
        queued = queued.filter(student_id=student_id)
    if channel is not None:
        queued = queued.filter(channel=channel)
    return queued.update(status=OutboxStatus.CANCELLED, error=reason)


def outbox_relay(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Send what is due and stayed queued (the broker was down when it was enqueued, a hold
    ended, a retry is due). Each message is claimed by outbox_send, so a relay running beside
    the workers never sends twice. Returns how many were handed to a worker."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=older_than_seconds)
    rows = list(
        OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, created_at__lte=cutoff)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("created_at")
        .values_list("pk", "channel")[:limit]
    )
    for message_id, channel in rows:
        schedule_send(message_id, channel)
    return len(rows)


# --- The family's choices ----------------------------------------------------------------------


def preferences_save(*, guardian, choices) -> int:
    """Save a guardian's modes: (student_id, channel, mode, weekly[, teacher_messages,
    lesson_changes]) for their own children only (the caller passes the children the
    guardian's selector returned; switches left out keep what is stored). Changing a channel
    to "nothing" cancels what is queued on it."""
    from .models import KIND_SWITCH, Preference
    from .preferences import instant_forget as forget_instant

    saved = 0
    with transaction.atomic():
        for student_id, channel, mode, weekly, *switches in choices:
            Preference.objects.update_or_create(
                guardian=guardian,
                student_id=student_id,
                channel=channel,
                defaults={
                    "school_id": guardian.school_id,
                    "mode": mode,
                    "weekly": weekly,
                    **dict(zip(KIND_SWITCH.values(), switches, strict=False)),
                },
            )
            saved += 1
            if mode == Mode.OFF:
                outbox_cancel_queued(
                    guardian_id=guardian.pk,
                    student_id=student_id,
                    channel=channel,
                    reason="the parent turned the channel off",
                )
    transaction.on_commit(lambda: forget_instant(guardian.school_id))
    forget_instant(guardian.school_id)
    return saved


def unsubscribe(*, guardian_id: int, student_id: int, channel: str) -> None:
    """The one-click unsubscribe: this channel sends nothing more about this child (consent
    stays as it is; withdrawing it is a separate step)."""
    from school.models import Guardian

    guardian = Guardian.objects.get(pk=guardian_id)
    weekly = False
    preferences_save(guardian=guardian, choices=[(student_id, channel, Mode.OFF, weekly)])
