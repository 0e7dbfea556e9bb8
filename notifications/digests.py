"""The evening and weekly digests of a school: built for every guardian at once, in a fixed
number of queries whatever the number of families (each query reads the whole school's day or
week, then the messages are assembled in memory and written in one insert).

A digest run is claimed first (one row per school, kind and day), and every message has its
own dedupe key besides, so a job started twice, or run again after a crash, sends nothing
twice."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, Sum
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from markupsafe import escape

from journal.grading import Thresholds
from journal.models import NUMERIC_MARKS, Attendance, Homework, Mark, Remark
from school.models import Enrollment, ReportingPeriod, School, StudyGroupMembership, current_period

from .links import absolute, unsubscribe_token
from .models import Channel, DigestRun, Kind, Mode, OutboxMessage
from .preferences import Audience, policy_of
from .services import schedule_send
from .texts import sms_fit


@dataclass
class ChildDay:
    marks: list = field(default_factory=list)
    absences: list = field(default_factory=list)
    homework: list = field(default_factory=list)
    remarks: list = field(default_factory=list)
    averages: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.marks or self.absences or self.homework or self.remarks)


def _next_school_day(day: dt.date) -> dt.date:
    following = day + dt.timedelta(days=1)
    while following.weekday() >= 6:  # Sunday: no lessons
        following += dt.timedelta(days=1)
    return following


def _content(school: School, start: dt.date, end: dt.date, weekly: bool) -> dict[int, ChildDay]:
    """Per student: marks, absences and remarks of [start, end], homework due the next school
    day, and for the weekly digest the period's average per subject. Seven queries."""
    days: dict[int, ChildDay] = defaultdict(ChildDay)
    marks = (
        Mark.objects.filter(school=school, date__range=(start, end))
        .select_related("subject", "work_type")
        .order_by("date", "subject__name", "slot")
    )
    for mark in marks:
        days[mark.student_id].marks.append(mark)
    absences = (
        Attendance.objects.filter(school=school, date__range=(start, end))
        .exclude(code="late")
        .select_related("lesson__subject")
        .order_by("date", "lesson__lesson_number")
    )
    for absence in absences:
        days[absence.student_id].absences.append(absence)
    remarks = (
        Remark.objects.filter(school=school, created_at__date__range=(start, end))
        .select_related("subject")
        .order_by("created_at")
    )
    for remark in remarks:
        remark.short = Truncator(remark.text).chars(500)
        days[remark.student_id].remarks.append(remark)
    due = _next_school_day(end)
    classes = dict(
        Enrollment.objects.on_day(end)
        .filter(school=school)
        .values_list("student_id", "class_group_id")
    )
    groups = defaultdict(set)
    for student_id, group_id in StudyGroupMembership.objects.filter(school=school).values_list(
        "student_id", "group_id"
    ):
        groups[student_id].add(group_id)
    by_class, by_group = defaultdict(list), defaultdict(list)
    for homework in (
        Homework.objects.filter(school=school, due_date=due)
        .select_related("lesson__subject")
        .order_by("lesson__subject__name")
    ):
        homework.short = Truncator(homework.text).chars(300)  # once, shared by the class
        if homework.lesson.study_group_id:
            by_group[homework.lesson.study_group_id].append(homework)
        else:
            by_class[homework.lesson.class_group_id].append(homework)
    for student_id, class_id in classes.items():
        found = list(by_class.get(class_id, []))
        for group_id in groups.get(student_id, ()):
            found += by_group.get(group_id, [])
        if found:
            days[student_id].homework = found
    if weekly:
        _averages(school, end, days)
    return days


def _averages(school, day, days) -> None:
    """The period's weighted average per subject, the suggested final and what it takes to
    reach the next mark (how many fives of weight 1): one aggregate query."""
    period = current_period(ReportingPeriod.objects.filter(school=school), day)
    if period is None:
        return
    thresholds = Thresholds.of(school)
    rows = (
        Mark.objects.filter(
            school=school, date__range=(period.starts_on, day), value__in=list(NUMERIC_MARKS)
        )
        .values("student_id", "subject__name")
        .annotate(
            total=Sum(Cast("value", IntegerField()) * Cast("work_type__weight", IntegerField())),
            weight=Sum("work_type__weight"),
        )
        .order_by("student_id", "subject__name")
    )
    for row in rows:
        if row["student_id"] not in days or not row["weight"]:
            continue
        average = row["total"] / row["weight"]
        mark = thresholds.mark_for(average)
        need = None
        if mark is not None and mark < 5:
            target = float(thresholds.needed_for(mark + 1))
            # (total + 5n) / (weight + n) >= target
            need = max(1, -(-(target * row["weight"] - row["total"]) // (5 - target)))
        days[row["student_id"]].averages.append(
            {
                "subject": row["subject__name"],
                "average": round(average, 2),
                "mark": mark,
                "need": int(need) if need else None,
                "next": (mark or 0) + 1,
            }
        )


def _sms_text(student, child: ChildDay, day_text: str) -> str:
    parts = []
    if child.marks:
        parts.append(", ".join(f"{m.subject.name} {m.get_value_display()}" for m in child.marks))
    if child.absences:
        parts.append(_("missed %(count)s lessons") % {"count": len(child.absences)})
    if child.homework:
        parts.append(_("homework in %(count)s subjects") % {"count": len(child.homework)})
    text = _("%(name)s, %(day)s: %(summary)s. Details in the diary.") % {
        "name": student.first_name,
        "day": day_text,
        "summary": "; ".join(parts) or _("no news"),
    }
    return sms_fit(text)


def digest_build(*, school: School, kind: str, day: dt.date) -> int:
    """Build the evening (or weekly) digest of `day` for every guardian of the school who
    wants it, on each consented channel. Returns the number of messages written; 0 when this
    digest was already built."""
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(school=school, kind=kind, day=day)
    except IntegrityError:
        run = DigestRun.objects.get(school=school, kind=kind, day=day)
        if run.finished_at is not None:
            return 0
    weekly = kind == Kind.WEEKLY
    start = day - dt.timedelta(days=6) if weekly else day
    policy = policy_of(school.pk)
    content = _content(school, start, day, weekly)
    audience = Audience(school_id=school.pk, student_ids=None, policy=policy)
    students = {s.pk: s for s in _students(school, audience)}
    templates = _Templates(kind=kind, day=day, start=start)
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for student_id, child in content.items():
            student = students.get(student_id)
            if student is None or not child:
                continue
            texts = _ChildTexts(templates, student, child)
            for guardian_id, channel, mode, wants_weekly, contact in audience.targets(student_id):
                if weekly and not wants_weekly:
                    continue
                if not weekly and mode != Mode.DIGEST:
                    continue
                rows.append(texts.message(school, guardian_id, channel, contact))
    with transaction.atomic():
        # One statement where the database allows it (SQLite's parameter limit splits it).
        OutboxMessage.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        DigestRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), messages=len(rows))
    transaction.on_commit(lambda: _schedule_run(school, kind, day))
    return len(rows)


def _students(school, audience):
    from school.models import Student

    return Student.objects.filter(school=school, pk__in=list(audience.links)).only(
        "pk", "first_name", "last_name"
    )


class _Templates:
    """What every message of a run shares, computed once per run: the digest's two templates
    (Jinja2: thousands of e-mails per run), their translated words, the day as the SMS writes
    it and the unsubscribe link's path."""

    MARKER = "UNSUBSCRIBE-LINK"  # stands for each guardian's own link in a child's e-mail

    def __init__(self, *, kind: str, day: dt.date, start: dt.date):
        from django.template import engines

        jinja = engines["jinja2"]
        self.kind, self.day, self.start = kind, day, start
        self.weekly = kind == Kind.WEEKLY
        self.html = jinja.get_template("notifications/digest.html")
        self.text = jinja.get_template("notifications/digest.txt")
        self.day_text = formats.date_format(day, "d.m")
        self.subject = _("Week of %(name)s") if self.weekly else _("Day of %(name)s")
        # The words of the templates, translated once per run rather than once per e-mail.
        self.words = {
            "marks": _("Marks"),
            "date": _("Date"),
            "subject": _("Subject"),
            "mark": _("Mark"),
            "work": _("Work"),
            "missed": _("Missed lessons"),
            "homework": _("Homework for the next school day"),
            "remarks": _("Remarks and messages from teachers"),
            "forecast_title": _("Forecast for the period"),
            "average": _("Average"),
            "forecast": _("Forecast"),
            "takes": _("What it takes"),
            "more_fives": _("%(need)s more fives for %(next)s"),
            "full_diary": _("The full diary is in your account."),
            "unsubscribe": _("Unsubscribe from these e-mails"),
        }
        marker = "TOKEN"
        self.unsubscribe = absolute(reverse("notifications:unsubscribe", args=[marker]))
        self.marker = marker

    def unsubscribe_url(self, guardian_id: int, student_id: int) -> str:
        token = unsubscribe_token(guardian_id=guardian_id, student_id=student_id)
        return self.unsubscribe.replace(self.marker, token)


class _ChildTexts:
    """A child's digest, written once for all of their guardians: the SMS as it is, the
    e-mail with a marker where each guardian's own unsubscribe link goes."""

    def __init__(self, templates: _Templates, student, child: ChildDay):
        self.t, self.student, self.child = templates, student, child
        self._sms = self._email = None

    def sms(self) -> str:
        if self._sms is None:
            self._sms = _sms_text(self.student, self.child, self.t.day_text)
        return self._sms

    def email(self) -> tuple[str, str, str]:
        if self._email is None:
            t = self.t
            subject = t.subject % {"name": self.student.first_name}
            context = {
                "student": self.student,
                "child": self.child,
                "day": t.day,
                "start": t.start,
                "weekly": t.weekly,
                "subject": subject,
                "unsubscribe_url": t.MARKER,
                "t": t.words,
            }
            self._email = (subject, t.text.render(context), t.html.render(context))
        return self._email

    def message(self, school, guardian_id: int, channel: str, contact: str) -> OutboxMessage:
        t, student_id = self.t, self.student.pk
        common = {
            "school": school,
            "guardian_id": guardian_id,
            "student_id": student_id,
            "channel": channel,
            "kind": t.kind,
            "recipient": contact,
            "dedupe_key": f"{t.kind}:{t.day.isoformat()}:{guardian_id}:{student_id}:{channel}",
        }
        if channel == Channel.SMS:
            return OutboxMessage(body=self.sms(), **common)
        subject, text, html = self.email()
        link = t.unsubscribe_url(guardian_id, student_id)
        return OutboxMessage(
            subject=subject,
            body=text.replace(t.MARKER, link),
            html=html.replace(t.MARKER, str(escape(link))),
            **common,
        )


def _schedule_run(school, kind, day) -> None:
    """Hand the digest's messages to the workers; the relay sends any the broker missed."""
    prefix = f"{kind}:{day.isoformat()}:"
    for pk, channel in OutboxMessage.objects.filter(
        school=school, dedupe_key__startswith=prefix, status="queued"
    ).values_list("pk", "channel"):
        schedule_send(pk, channel)


def digests_due(*, now: dt.datetime | None = None) -> int:
    """Build every digest whose time has come: the evening digest after the school's evening
    hour, the weekly one on Saturdays. Runs every quarter of an hour; built digests are
    skipped by their run row."""
    now = now or timezone.now()
    made = 0
    for school in School.objects.all():
        policy = policy_of(school.pk)
        local = now.astimezone(school.tz)
        if local.time() < policy.evening_at:
            continue
        day = local.date()
        done = set(
            DigestRun.objects.filter(school=school, day=day, finished_at__isnull=False).values_list(
                "kind", flat=True
            )
        )
        if Kind.EVENING not in done:
            made += digest_build(school=school, kind=Kind.EVENING, day=day)
        if day.weekday() == 5 and Kind.WEEKLY not in done:
            made += digest_build(school=school, kind=Kind.WEEKLY, day=day)
    return made
