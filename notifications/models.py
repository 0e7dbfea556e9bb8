"""The outbox and what decides it: every message is a row before anything is sent
(architecture rule 8); the family's choices and the school's defaults say which rows are made."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from school.models import Guardian, School, SchoolOwned, Student


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")


class Mode(models.TextChoices):
    """What a guardian gets on one channel about one child."""

    INSTANT = "instant", _("at once: every mark and notice")
    DIGEST = "digest", _("evening digest; urgent notices at once")
    OFF = "off", _("nothing")


class Kind(models.TextChoices):
    """What a message is about. Marks, absences, finals, teachers' messages and tomorrow's
    changed lessons of a short window are coalesced into one message per guardian, child and
    channel."""

    MARK = "mark", _("marks")
    ABSENCE = "absence", _("absence")
    FINAL = "final", _("final mark or exam result")
    MESSAGE = "message", _("a teacher's message to parents")
    SCHEDULE = "schedule", _("tomorrow's lesson cancelled or moved")
    EVENING = "evening", _("evening digest")
    WEEKLY = "weekly", _("weekly digest")
    FALLBACK = "fallback", _("instead of an SMS that did not arrive")
    OTHER = "other", _("other")


COALESCED_KINDS = (Kind.MARK, Kind.ABSENCE, Kind.FINAL, Kind.MESSAGE, Kind.SCHEDULE)
# The kinds a guardian (and the school, by default) may turn on or off on their own, besides the
# channel's mode: the field of Preference and NotificationPolicy that says so.
KIND_SWITCH = {Kind.MESSAGE: "teacher_messages", Kind.SCHEDULE: "lesson_changes"}


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    UNKNOWN = "unknown", _("outcome unknown, being checked")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    UNDELIVERED = "undelivered", _("not delivered")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", pgettext_lazy("message status", "cancelled")


FAILED_STATUSES = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED)


class NotificationPolicy(models.Model):
    """The school's defaults and limits. A school without a row uses the defaults below."""

    school = models.OneToOneField(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="notify_policy"
    )
    sms_mode = models.CharField(
        _("SMS by default"), max_length=8, choices=Mode.choices, default=Mode.DIGEST
    )
    email_mode = models.CharField(
        _("e-mail by default"), max_length=8, choices=Mode.choices, default=Mode.DIGEST
    )
    weekly = models.BooleanField(_("weekly digest by default"), default=True)
    teacher_messages = models.BooleanField(
        _("teachers' messages to parents at once by default"), default=True
    )
    lesson_changes = models.BooleanField(
        _("tomorrow's cancelled or moved lessons at once by default"), default=True
    )
    quiet_from = models.TimeField(_("quiet hours from"), default=dt.time(20, 0))
    quiet_until = models.TimeField(_("quiet hours until"), default=dt.time(8, 0))
    evening_at = models.TimeField(_("evening digest at"), default=dt.time(19, 0))
    coalesce_minutes = models.PositiveSmallIntegerField(
        _("marks of this many minutes go in one message"), default=10
    )
    sms_per_guardian_per_day = models.PositiveSmallIntegerField(
        _("SMS per parent per day"), default=5
    )
    sms_daily_budget = models.PositiveIntegerField(_("SMS per school per day"), default=1000)

    class Meta:
        verbose_name = _("notification settings of the school")
        verbose_name_plural = _("notification settings of schools")

    def __str__(self) -> str:
        return str(self.school)

    def default_mode(self, channel: str) -> str:
        return self.sms_mode if channel == Channel.SMS else self.email_mode


class Preference(SchoolOwned):
    """A guardian's choice for one child on one channel; without a row the school's default."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="preferences"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    mode = models.CharField(_("what to send"), max_length=8, choices=Mode.choices)
    weekly = models.BooleanField(_("weekly digest"), default=True)
    teacher_messages = models.BooleanField(_("teachers' messages at once"), default=True)
    lesson_changes = models.BooleanField(_("tomorrow's changed lessons at once"), default=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student", "channel"],
                name="preference_one_per_channel",
                violation_error_message=_(
                    "This parent already has a setting for this child and channel."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian} / {self.student}: {self.channel} {self.mode}"


class OutboxMessage(SchoolOwned):
    """One message to one guardian about one child on one channel.

    Status only moves forward: queued → sending → sent → delivered | undelivered, or failed,
    or queued → cancelled; sending → unknown when the provider may have taken it (checked with
    the provider, never sent again blind). The unique dedupe key makes a second enqueue of the
    same event a no-op; at most one open (queued) message per guardian, child, channel and
    coalesced kind collects the events of its window. Coalesced messages keep the ids of
    what they are about in `payload` and get their text when they are sent, so a mark changed
    twice is sent once with its final value and a deleted one is not sent at all."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="outbox"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="outbox"
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    kind = models.CharField(_("about"), max_length=8, choices=Kind.choices, default=Kind.OTHER)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(pgettext_lazy("e-mail", "subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML text"), blank=True)
    payload = models.JSONField(_("what it is about"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=11, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    not_before = models.DateTimeField(_("held until"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    provider_id = models.CharField(_("provider's id"), max_length=64, blank=True)
    provider_status = models.CharField(_("provider's status"), max_length=24, blank=True)
    validity_seconds = models.PositiveIntegerField(_("expires after, s"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=16, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    fallback_of = models.OneToOneField(
        "self",
        verbose_name=_("instead of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fallback",
    )

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Cancelling what is queued for a guardian (consent withdrawn, access ended), and
            # the SMS a guardian got today (the daily cap).
            models.Index(fields=["guardian", "status"], name="outbox_guardian_status"),
            # The relay: queued rows that are due, and rows whose outcome must be checked.
            models.Index(fields=["status", "not_before"], name="outbox_status_due"),
            # A status callback finds its message by the provider's id.
            models.Index(fields=["provider_id"], name="outbox_provider_id"),
            # The delivery log and the school's daily SMS budget.
            models.Index(fields=["school", "channel", "created_at"], name="outbox_school_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student", "channel", "kind"],
                condition=Q(
                    status="queued",
                    kind__in=["mark", "absence", "final", "message", "schedule"],
                ),
                name="outbox_one_open_per_kind",
                violation_error_message=_(
                    "Only one open message per parent, child, channel and kind."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_status_display()})"


class FlaggedContact(SchoolOwned):
    """A phone number or address the provider refused for good (an invalid or landline number,
    a STOP reply, a refused mailbox): the school admin checks it with the family."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    value = models.CharField(_("contact"), max_length=254)
    error_code = models.CharField(_("error code"), max_length=16, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("flagged contact")
        verbose_name_plural = _("flagged contacts")
        ordering = ["-flagged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "channel", "value"],
                name="flagged_contact_once",
                violation_error_message=_("This contact is already flagged."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.reason}"


class PaperNotice(SchoolOwned):
    """A message that reached the family by no electronic channel: the SMS failed or was not
    delivered and there is no e-mail consent. The school tells the family on paper; this is
    the list of whom and why (`notifications.selectors.paper_notices`)."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="+"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+"
    )
    message = models.OneToOneField(
        OutboxMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="paper_notice",
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("handed over on paper"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper notice")
        verbose_name_plural = _("paper notices")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.guardian}: {self.reason}"


class FinalNotice(SchoolOwned):
    """Which message told a family about a final mark or exam result: the 24-hour report reads
    it (through `FinalMark.family_notices`) to show when each family was told."""

    final_mark = models.ForeignKey(
        "journal.FinalMark",
        verbose_name=_("final"),
        on_delete=models.CASCADE,
        related_name="family_notices",
    )
    message = models.ForeignKey(
        OutboxMessage, verbose_name=_("message"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("final notice")
        verbose_name_plural = _("final notices")
        constraints = [
            models.UniqueConstraint(fields=["final_mark", "message"], name="final_notice_once")
        ]


class DigestRun(SchoolOwned):
    """One digest build of a school for one day: claimed first, so a job started twice builds
    once (and every message it makes has its own dedupe key besides)."""

    kind = models.CharField(_("digest"), max_length=8, choices=Kind.choices)
    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    messages = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "day"],
                name="digest_run_once",
                violation_error_message=_("This digest was already built for the day."),
            )
        ]
