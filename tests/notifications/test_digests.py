"""The evening and weekly digests: built for every guardian of the school in a number of
queries that does not grow with the guardians; a job run twice sends nothing twice."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consent.models import Purpose
from journal import models as jm
from notifications.digests import digest_build, digests_due
from notifications.models import DigestRun, Kind, Mode, OutboxMessage, Preference
from tests import factories as f
from tests.conftest import MOSCOW
from tests.consent.factories import ContactFactory

from .conftest import consent_to


def add_families(cast, count: int) -> list:
    """`count` more pupils of 7 «А», each with a parent consenting to SMS and e-mail, a mark,
    an absence and homework for tomorrow."""
    made = []
    for n in range(count):
        pupil = f.EnrollmentFactory(
            school=cast.school,
            class_group=cast.class_7a,
            year=cast.year,
            student=f.StudentFactory(school=cast.school, first_name=f"Ученик{n}"),
        ).student
        link = f.GuardianStudentFactory(
            school=cast.school, student=pupil, guardian=f.GuardianFactory(school=cast.school)
        )
        guardian = link.guardian
        ContactFactory(guardian=guardian, kind="phone", value=f"+7900000{n:04d}")
        ContactFactory(guardian=guardian, kind="email", value=f"parent{n}@example.ru")
        consent_to(cast, guardian, pupil, Purpose.SMS)
        consent_to(cast, guardian, pupil, Purpose.EMAIL)
        f.MarkFactory(lesson=cast.lesson, student=pupil, value="4", work_type=cast.answer)
        jm.Attendance.objects.create(
            school=cast.school,
            lesson=cast.lesson,
            student=pupil,
            code="ill",
            date=cast.lesson.date,
            created_by=cast.subject_teacher,
        )
        made.append(guardian)
    return made


@pytest.fixture
def homework(cast):
    tomorrow = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.russian,
        teacher=cast.class_teacher.teacher,
        date=cast.today + dt.timedelta(days=1),
        lesson_number=1,
        work_type=cast.answer,
    )
    return jm.Homework.objects.create(
        school=cast.school,
        lesson=cast.lesson,
        text="Упражнение 125",
        due_date=tomorrow.date,
        created_by=cast.subject_teacher,
    )


def build(cast, kind=Kind.EVENING):
    with CaptureQueriesContext(connection) as queries:
        made = digest_build(school=cast.school, kind=kind, day=cast.today)
    return made, len(queries)


def test_the_digest_query_count_does_not_grow_with_the_guardians(cast, homework, policy):
    from notifications.preferences import policy_of

    policy_of(cast.school.pk)  # the policy comes from the cache from then on
    add_families(cast, 2)
    made_small, queries_small = build(cast)
    OutboxMessage.objects.all().delete()
    DigestRun.objects.all().delete()
    add_families(cast, 8)
    made_large, queries_large = build(cast)
    assert made_small == 2 * 2 and made_large == 10 * 2  # SMS and e-mail each
    # 14 reads and writes and 4 savepoint statements, for 2 or 10 families alike.
    assert queries_large == queries_small <= 18


def test_the_digest_reads_like_the_diary_day(cast, homework, policy):
    [guardian] = add_families(cast, 1)
    build(cast)
    mail = OutboxMessage.objects.get(guardian=guardian, channel="email")
    assert mail.subject == "День: Ученик0"
    assert "Математика: 4 (Ответ на уроке)" in mail.body
    assert "Упражнение 125" in mail.body and "Пропуски" in mail.body
    assert "<strong>4</strong>" in mail.html and "/notifications/unsubscribe/" in mail.html
    sms = OutboxMessage.objects.get(guardian=guardian, channel="sms")
    assert (
        sms.body
        == "Ученик0, 25.11: Математика 4; пропусков: 1; ДЗ по предметам: 1. Подробнее в дневнике."
    )


def test_a_digest_job_run_twice_sends_nothing_twice(cast, homework, policy):
    add_families(cast, 3)
    first, _ = build(cast)
    again, _ = build(cast)
    assert (first, again) == (6, 0)
    assert OutboxMessage.objects.filter(kind=Kind.EVENING).count() == 6
    # Even a crashed run (not finished) rebuilt: the dedupe keys hold.
    DigestRun.objects.update(finished_at=None)
    build(cast)
    assert OutboxMessage.objects.filter(kind=Kind.EVENING).count() == 6


def test_who_chose_at_once_or_nothing_gets_no_evening_digest(cast, homework, policy):
    [guardian] = add_families(cast, 1)
    student = guardian.links.get().student
    Preference.objects.create(
        school=cast.school, guardian=guardian, student=student, channel="sms", mode=Mode.OFF
    )
    Preference.objects.create(
        school=cast.school, guardian=guardian, student=student, channel="email", mode=Mode.INSTANT
    )
    made, _ = build(cast)
    assert made == 0


def test_the_weekly_digest_has_the_forecast_and_what_it_takes(cast, homework, policy):
    [guardian] = add_families(cast, 1)
    build(cast, Kind.WEEKLY)
    mail = OutboxMessage.objects.get(guardian=guardian, channel="email", kind=Kind.WEEKLY)
    assert mail.subject == "Неделя: Ученик0"
    # One 4 of weight 1: the forecast is 4; one more five makes 4.5, the threshold for 5.
    assert "Математика: 4,0 → 4 (ещё пятёрок до «5»: 1)" in mail.body


def test_digests_come_at_the_schools_evening_hour(cast, homework, policy, clock):
    add_families(cast, 1)
    assert digests_due() == 0  # 10:00
    clock.move_to(dt.datetime(2026, 11, 25, 19, 5, tzinfo=MOSCOW))
    assert digests_due() == 2
    assert digests_due() == 0
