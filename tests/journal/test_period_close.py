"""Closing a reporting period: a confirmation page with the period's end and the missing
finals; closing early or with finals missing needs a reason, which is recorded."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from journal import models as jm
from journal import selectors, services
from school import models as sm
from tests import factories as f


@pytest.fixture
def ended(cast):
    """A quarter that ended last month, for 7 «А»."""
    return f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        name="Первая четверть",
        number=9,
        starts_on=cast.today - dt.timedelta(days=80),
        ends_on=cast.today - dt.timedelta(days=41),
    )


def final(cast, period, student, subject, value="4"):
    return jm.FinalMark.objects.create(
        school=cast.school,
        student=student,
        subject=subject,
        period=period,
        value=value,
        set_by=cast.subject_teacher,
        set_at=timezone.now(),
    )


def all_finals(cast, period):
    for pupil in (cast.pupil, cast.sibling_7a, cast.pupil_no_consent):
        final(cast, period, pupil, cast.math)
        final(cast, period, pupil, cast.russian)
    for pupil in (cast.sibling_5b, cast.stranger_child):
        final(cast, period, pupil, cast.math)


def test_the_report_lists_missing_finals_by_class_subject_and_teacher(cast, ended):
    final(cast, ended, cast.pupil, cast.math)
    rows = selectors.missing_finals(cast.deputy_head, ended)
    assert [(r.group_label, r.subject, r.teacher, r.missing, r.pupils) for r in rows] == [
        ("5 «Б»", "Математика", cast.other_teacher.teacher.short_name, 2, 2),
        ("7 «А»", "Математика", cast.subject_teacher.teacher.short_name, 2, 3),
        ("7 «А»", "Русский язык", cast.class_teacher.teacher.short_name, 3, 3),
    ]
    assert rows[0].none_set and not rows[1].none_set


def test_closing_with_missing_finals_is_refused_without_a_reason(cast, ended):
    with pytest.raises(ValidationError) as error:
        services.period_close(user=cast.deputy_head, period=ended)
    assert "Не выставлено итоговых отметок: 8" in " ".join(error.value.messages)
    ended.refresh_from_db()
    assert not ended.is_closed and not jm.PeriodClosing.objects.exists()


def test_closing_a_running_period_is_refused_without_a_reason(cast):
    all_finals(cast, cast.period)
    with pytest.raises(ValidationError) as error:
        services.period_close(user=cast.deputy_head, period=cast.period)
    assert "досрочно" in " ".join(error.value.messages)


def test_a_finished_complete_period_closes_without_a_reason(cast, ended):
    all_finals(cast, ended)
    closing = services.period_close(user=cast.deputy_head, period=ended)
    assert (closing.reason, closing.missing_finals, closing.early) == ("", 0, False)


def test_the_reason_is_recorded_with_what_was_missing(cast, ended):
    closing = services.period_close(user=cast.deputy_head, period=ended, reason="Приказ № 5")
    ended.refresh_from_db()
    assert ended.is_closed
    assert (closing.reason, closing.missing_finals, closing.closed_by) == (
        "Приказ № 5",
        8,
        cast.deputy_head,
    )


def test_the_confirmation_page_says_when_the_period_ends_and_what_is_missing(
    as_user, cast, django_assert_max_num_queries
):
    url = reverse("journal:period_close", args=[cast.period.pk])
    client = as_user(cast.deputy_head)
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert cast.period.ends_on.strftime("%d.%m.%Y") in body
    assert "ещё не закончился" in body and "Русский язык" in body
    cast.period.refresh_from_db()
    assert not cast.period.is_closed


def test_posting_without_a_reason_shows_the_error_at_the_top(as_user, cast):
    url = reverse("journal:period_close", args=[cast.period.pk])
    response = as_user(cast.deputy_head).post(url, {"reason": " "})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    cast.period.refresh_from_db()
    assert not cast.period.is_closed


def test_the_close_page_is_the_deputy_heads(as_user, cast):
    url = reverse("journal:period_close", args=[cast.period.pk])
    assert as_user(cast.director).get(url).status_code == 403
    assert as_user(cast.subject_teacher).get(url).status_code == 403
    other = f.PeriodFactory()
    assert (
        as_user(cast.deputy_head).get(reverse("journal:period_close", args=[other.pk])).status_code
        == 404
    )


def test_the_missing_finals_report_for_the_leaders(as_user, cast, django_assert_max_num_queries):
    url = reverse("journal:missing_finals", args=[cast.period.pk])
    client = as_user(cast.director)
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200 and "Русский язык" in page.content.decode()
    assert as_user(cast.subject_teacher).get(url).status_code == 403
    assert as_user(cast.deputy_head).post(url).status_code == 405
    other = f.PeriodFactory()
    assert (
        as_user(cast.director).get(reverse("journal:missing_finals", args=[other.pk])).status_code
        == 404
    )


def test_the_report_does_not_grow_in_queries_with_the_school(
    cast, ended, django_assert_num_queries
):
    for n in range(3):
        klass = f.ClassGroupFactory(school=cast.school, year=cast.year, level=8, letter="АБВ"[n])
        f.TeachingAssignmentFactory(
            school=cast.school,
            year=cast.year,
            teacher=cast.subject_teacher.teacher,
            subject=cast.math,
            class_group=klass,
        )
        f.EnrollmentFactory(
            school=cast.school,
            class_group=klass,
            year=cast.year,
            student=f.StudentFactory(school=cast.school),
        )
    with django_assert_num_queries(3):
        rows = selectors.missing_finals(cast.deputy_head, ended)
    assert len(rows) == 6
    assert sm.ClassGroup.objects.filter(level=8).count() == 3
