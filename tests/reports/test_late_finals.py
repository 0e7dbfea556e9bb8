"""The 24-hour guarantee (2.6): the report catches a final that reached the family late, with
the clock moved by passing `now` to the report."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from journal.services import final_mark_set, finals_publish
from reports.selectors import finals_without_electronic_access, late_finals, pending_finals
from tests import factories as f

SET_AT = dt.datetime(2026, 12, 25, 10, 0, tzinfo=dt.UTC)


def test_a_final_set_through_the_journal_is_visible_at_once(cast):
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="5",
        now=SET_AT,
    )
    assert final.published_at == SET_AT
    # A week later it is still not late: it was visible the moment it was set.
    assert not late_finals(school=cast.school, now=SET_AT + dt.timedelta(days=7)).exists()


def test_the_report_catches_a_late_final_when_the_clock_moves(cast):
    # Imported at 10:00 on 25.12 without being published (e.g. through an exchange).
    row = f.FinalMarkFactory(
        school=cast.school, period=cast.period, student=cast.pupil, subject=cast.math, set_at=SET_AT
    )
    on_time = f.FinalMarkFactory(
        school=cast.school,
        period=cast.period,
        student=cast.sibling_7a,
        subject=cast.math,
        set_at=SET_AT,
        published_at=SET_AT + dt.timedelta(hours=23, minutes=59),
    )
    # 23 hours later: unpublished but not late yet; it shows as pending.
    assert list(late_finals(school=cast.school, now=SET_AT + dt.timedelta(hours=23))) == []
    assert list(pending_finals(school=cast.school, now=SET_AT + dt.timedelta(hours=23))) == [row]
    assert not pending_finals(school=cast.school, now=SET_AT + dt.timedelta(hours=25)).exists()
    # The clock moves past 24 hours: the unpublished final is late.
    assert list(late_finals(school=cast.school, now=SET_AT + dt.timedelta(hours=25))) == [row]
    # Published 30 hours after it was set: it stays on the report as late, with its times.
    finals_publish(school=cast.school, now=SET_AT + dt.timedelta(hours=30))
    late = list(late_finals(school=cast.school, now=SET_AT + dt.timedelta(days=3)))
    assert late == [row]
    assert late[0].published_at - late[0].set_at == dt.timedelta(hours=30)
    assert on_time not in late


def test_families_without_diary_consent_are_listed_for_the_paper_route(cast, as_user):
    for student in (cast.pupil, cast.pupil_no_consent):
        final_mark_set(
            user=cast.subject_teacher,
            student=student,
            subject=cast.math,
            period=cast.period,
            choice="4",
        )
    paper = list(finals_without_electronic_access(school=cast.school, year=cast.year))
    assert [fm.student_id for fm in paper] == [cast.pupil_no_consent.pk]
    row = f.FinalMarkFactory(
        school=cast.school,
        period=cast.period,
        student=cast.sibling_7a,
        subject=cast.math,
        set_at=timezone.now() - dt.timedelta(hours=48),
    )
    body = as_user(cast.director).get(reverse("reports:late_finals")).content.decode()
    assert "Итоговые отметки за 24 часа" in body
    late_table = body[
        body.index('class="table late-finals"') : body.index('class="table paper-route"')
    ]
    assert row.student.short_name in late_table and "ещё нет" in late_table
    paper_table = body[body.index('class="table paper-route"') :]
    assert cast.pupil_no_consent.short_name in paper_table
    assert cast.pupil.short_name not in paper_table
    assert "бумажной выписке" in body


def test_the_24_hour_page_lists_pending_finals_and_its_queries_do_not_grow(
    cast, as_user, django_assert_max_num_queries
):
    client = as_user(cast.director)
    url = reverse("reports:late_finals")

    def add(n, hours_ago):
        for _ in range(n):
            student = f.EnrollmentFactory(
                school=cast.school, class_group=cast.class_7a, year=cast.year
            ).student
            f.FinalMarkFactory(
                school=cast.school,
                period=cast.period,
                student=student,
                subject=cast.math,
                set_at=timezone.now() - dt.timedelta(hours=hours_ago),
            )

    add(1, 2)
    add(1, 30)
    with django_assert_max_num_queries(12) as small:
        body = client.get(url).content.decode()
    assert "Ещё не доступны семье, 24 часа не истекли" in body
    add(10, 2)
    add(10, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
