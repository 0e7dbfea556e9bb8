"""The few writes a family makes in its diary. None of them touches journal data."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CalendarFeed, HomeVisit, WeekAcknowledgement
from .selectors import DiaryFrame


def week_acknowledgement_create(*, frame: DiaryFrame, week_start: dt.date) -> WeekAcknowledgement:
    """The guardian confirms having read the child's week. Idempotent: a second confirmation
    (double submit, two tabs) keeps the first one's time."""
    if frame.guardian_id is None or not frame.may_open:
        raise ValidationError(_("Only a parent can confirm the week."))
    if week_start.weekday() != 0:
        raise ValidationError(_("A week starts on Monday."))
    if week_start > frame.school.today():
        raise ValidationError(_("A week that has not begun cannot be confirmed."))
    with transaction.atomic():
        ack, _created = WeekAcknowledgement.objects.get_or_create(
            guardian_id=frame.guardian_id,
            student=frame.student,
            week_start=week_start,
            defaults={"school_id": frame.student.school_id},
        )
    return ack


def calendar_feed_create(*, user, frame: DiaryFrame) -> CalendarFeed:
    """A new secret address for the child's feed; an existing one is revoked first."""
    if not frame.may_open:
        raise ValidationError(_("The electronic diary is not available."))
    try:
        with transaction.atomic():
            calendar_feed_revoke(user=user, student_id=frame.student.pk)
            return CalendarFeed.objects.create(
                school_id=frame.student.school_id, user=user, student=frame.student
            )
    except IntegrityError:
        # Two tabs created one at the same moment: the other request's feed stands.
        return CalendarFeed.objects.active().get(user=user, student=frame.student)


def calendar_feed_revoke(*, user, student_id: int) -> int:
    """Revoke the account's active feed of the child; the old address stops working at once."""
    with transaction.atomic():
        return (
            CalendarFeed.objects.active()
            .filter(user=user, student_id=student_id)
            .update(revoked_at=timezone.now())
        )


# A new visit starts after this long without opening the home page; until then the news stay
# those since the previous visit (coming back from the diary does not empty them).
VISIT_GAP = dt.timedelta(minutes=30)
# A parent's first visit: the news of the last week.
FIRST_VISIT_NEWS = dt.timedelta(days=7)


def home_visits_record(
    *, guardian_id: int, school_id: int, student_ids: list[int], now: dt.datetime
) -> dict[int, dt.datetime]:
    """Record that the guardian opened the home page with these children on it; return, per
    child, where the news shown now start (the previous visit, or a week back the first time).
    Two queries whatever the number of children."""
    if not student_ids:
        return {}
    with transaction.atomic():
        visits = {
            v.student_id: v
            for v in HomeVisit.objects.select_for_update().filter(
                guardian_id=guardian_id, student_id__in=student_ids
            )
        }
        rows = []
        for student_id in student_ids:
            visit = visits.get(student_id)
            if visit is None:
                since = now - FIRST_VISIT_NEWS
            elif now - visit.seen_at >= VISIT_GAP:
                since = visit.seen_at
            else:
                since = visit.news_since
            rows.append(
                HomeVisit(
                    school_id=school_id,
                    guardian_id=guardian_id,
                    student_id=student_id,
                    seen_at=now,
                    news_since=since,
                )
            )
        HomeVisit.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["guardian", "student"],
            update_fields=["seen_at", "news_since"],
        )
    return {row.student_id: row.news_since for row in rows}
