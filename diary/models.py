"""What a family itself records in the diary. Nothing here copies journal data (regulation 1.5):
a week acknowledgement («Ознакомлен») and the secret address of a personal calendar feed."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from school.models import Guardian, SchoolOwned, Student


class WeekAcknowledgement(SchoolOwned):
    """A guardian confirms having read a child's week, as a parent signs a paper diary."""

    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        related_name="week_acknowledgements",
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="week_acknowledgements",
    )
    week_start = models.DateField(_("week starting"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("week acknowledgement")
        verbose_name_plural = _("week acknowledgements")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student", "week_start"],
                name="week_ack_unique",
                violation_error_message=_("This week is already acknowledged."),
            ),
            models.CheckConstraint(
                condition=Q(week_start__week_day=2),
                name="week_ack_starts_on_monday",
                violation_error_message=_("A week starts on Monday."),
            ),
        ]
        indexes = [
            # The class teacher's page: the acknowledgements of a class's students for one week.
            models.Index(fields=["week_start", "student"], name="week_ack_week_student"),
        ]
        # week_ack_unique's index serves the week page's "has this guardian confirmed".

    def __str__(self) -> str:
        return f"{self.guardian} — {self.student}: {self.week_start:%d.%m.%Y}"


class HomeVisit(SchoolOwned):
    """When a guardian last opened the home page with this child on it, so that the page can
    say what is new since the previous visit. `news_since` is where the current visit's news
    starts: the previous visit's time, kept while the guardian moves around the site."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="home_visits"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(_("last seen at"))
    news_since = models.DateTimeField(_("news since"))

    class Meta:
        verbose_name = _("home page visit")
        verbose_name_plural = _("home page visits")
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student"],
                name="home_visit_unique",
                violation_error_message=_("The visit of this parent and child is recorded."),
            ),
        ]
        # home_visit_unique's index serves the home page's lookup by guardian and children.

    def __str__(self) -> str:
        return f"{self.guardian} — {self.student}: {self.seen_at:%d.%m.%Y %H:%M}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


def feed_token_hash(token: str) -> str:
    """Only this SHA-256 of a feed's secret is stored (the secret has 256 random bits), so
    nobody who reads the database or the admin can rebuild a family's feed address."""
    return hashlib.sha256(str(token).encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(SchoolOwned):
    """A secret, revocable address of a child's iCal feed for one account.

    Calendar applications fetch the feed without a session, so the token is the credential;
    each fetch still checks that the account may open the child's diary now."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(_("secret's hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    # The secret itself, on the instance that was just created only (shown to the family once).
    token = ""

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "student"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active",
                violation_error_message=_("This account already has a feed for this child."),
            ),
        ]
        # The unique index on token_hash serves the feed's lookup; calendar_feed_one_active's
        # index serves the settings page.

    def __str__(self) -> str:
        return f"{self.user} — {self.student}"

    def save(self, *args, **kwargs):
        if not self.token_hash:
            self.token = new_feed_token()
            self.token_hash = feed_token_hash(self.token)
        super().save(*args, **kwargs)


class JournalVersion(models.Model):
    """A counter per part of the journal a week page shows: a class's lessons without a group
    (kind «c»), a group's lessons («g»), a student's remarks outside lessons («s»).

    Database triggers (PostgreSQL: migration 0005; SQLite: diary/triggers.py, created after
    every migrate) bump it in the same transaction as every insert, change or deletion of
    lessons, marks, attendance, homework, homework files and remarks, whatever code wrote them. The rendered week of a child is cached under the sum of its class's, its
    groups' and its own counters (diary/weekcache.py): counters only grow, so any write the
    week could show changes the key."""

    class Kind(models.TextChoices):
        CLASS = "c", _("class")
        GROUP = "g", _("group")
        STUDENT = "s", _("student")

    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)
    ref_id = models.BigIntegerField(_("class, group or student id"))
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("journal version")
        verbose_name_plural = _("journal versions")
        constraints = [
            # The triggers' upsert target; also the week page's lookup.
            models.UniqueConstraint(fields=["kind", "ref_id"], name="journal_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref_id} v{self.version}"
