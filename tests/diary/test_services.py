"""The diary's own writes: idempotent, validated, never touching journal data."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from diary import selectors, services
from diary.models import CalendarFeed, WeekAcknowledgement
from journal import models as jm

pytestmark = pytest.mark.django_db


def frame_of(user, student, day):
    return selectors.diary_frame(user, student.pk, on=day)


def test_acknowledging_twice_keeps_one_row_and_the_first_time(cast):
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    frame = frame_of(cast.guardian, cast.pupil, monday)
    first = services.week_acknowledgement_create(frame=frame, week_start=monday)
    second = services.week_acknowledgement_create(frame=frame, week_start=monday)
    assert first.pk == second.pk
    assert second.acknowledged_at == first.acknowledged_at
    assert WeekAcknowledgement.objects.count() == 1


def test_a_week_must_start_on_monday_and_have_begun(cast):
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    frame = frame_of(cast.guardian, cast.pupil, monday)
    with pytest.raises(ValidationError):
        services.week_acknowledgement_create(frame=frame, week_start=monday + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.week_acknowledgement_create(frame=frame, week_start=monday + dt.timedelta(days=7))
    assert not WeekAcknowledgement.objects.exists()


def test_a_student_cannot_sign_for_a_parent(cast):
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    frame = frame_of(cast.student, cast.pupil, monday)
    with pytest.raises(ValidationError):
        services.week_acknowledgement_create(frame=frame, week_start=monday)


def test_the_diary_writes_no_journal_rows(cast):
    counts = [m.objects.count() for m in (jm.Mark, jm.Lesson, jm.Remark, jm.FinalMark)]
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    frame = frame_of(cast.guardian, cast.pupil, monday)
    services.week_acknowledgement_create(frame=frame, week_start=monday)
    services.calendar_feed_create(user=cast.guardian, frame=frame)
    assert counts == [m.objects.count() for m in (jm.Mark, jm.Lesson, jm.Remark, jm.FinalMark)]


def test_a_new_feed_revokes_the_old_one(cast):
    frame = frame_of(cast.guardian, cast.pupil, cast.today)
    old = services.calendar_feed_create(user=cast.guardian, frame=frame)
    new = services.calendar_feed_create(user=cast.guardian, frame=frame)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None
    assert CalendarFeed.objects.active().count() == 1
    assert len(new.token) >= 43


def test_no_feed_without_consent(cast):
    frame = frame_of(cast.guardian_without_consent, cast.pupil_no_consent, cast.today)
    with pytest.raises(ValidationError):
        services.calendar_feed_create(user=cast.guardian_without_consent, frame=frame)
