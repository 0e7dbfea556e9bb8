"""The small server-drawn charts of marks by period: on the statistics page for the school's
leaders and on the marks page for a family's own child. Each is an <svg role="img"> named by
its <title> and <desc>, with the same numbers in a table, and no inline style (the CSP)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.distribution import scaled
from tests import factories as f


@pytest.fixture
def first_quarter(cast):
    return f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        number=1,
        name="1 четверть",
        starts_on=cast.year.starts_on,
        ends_on=cast.period.starts_on - dt.timedelta(days=1),
        closed_at=timezone.now(),
    )


def give(cast, student, values, day, klass=None):
    for i, value in enumerate(values):
        lesson = f.LessonFactory(
            school=cast.school,
            class_group=klass or cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            date=day + dt.timedelta(days=i % 5),
            lesson_number=1 + i // 5,
            work_type=cast.answer,
        )
        f.MarkFactory(lesson=lesson, student=student, value=value, work_type=cast.answer)


@pytest.fixture
def marked(cast, first_quarter):
    """The pupil: 5, 5, 4, 3 in the first quarter and 5, 2 in the running one; his classmate
    and a 5 «Б» pupil get other marks."""
    give(cast, cast.pupil, ["5", "5", "4", "3"], first_quarter.starts_on + dt.timedelta(days=7))
    give(cast, cast.pupil, ["5", "2"], cast.period.starts_on)
    give(cast, cast.sibling_7a, ["4", "4"], cast.period.starts_on + dt.timedelta(days=7))
    give(cast, cast.sibling_5b, ["3"], cast.period.starts_on, klass=cast.class_5b)


def chart_of(body, chart_id):
    start = body.index(f'data-chart="{chart_id}"')
    return body[start : body.index("</figure>", start)]


def table_rows(chart):
    table = chart[chart.index("<tbody>") : chart.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]


def assert_accessible_svg(chart, chart_id):
    assert f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in chart
    assert f'<title id="{chart_id}-title">' in chart and f'<desc id="{chart_id}-desc">' in chart
    assert "style=" not in chart and "<script" not in chart


def test_the_leaders_chart_counts_the_schools_marks_per_period(cast, marked, as_user):
    body = (
        as_user(cast.deputy_head)
        .get(reverse("reports:statistics") + f"?period={cast.period.pk}")
        .content.decode()
    )
    chart = chart_of(body, "marks-chart")
    assert_accessible_svg(chart, "marks-chart")
    assert table_rows(chart) == [
        ["1 четверть", "2 (50 %)", "1 (25 %)", "1 (25 %)", "0 (0 %)", "4"],
        ["Текущая четверть", "1 (20 %)", "2 (40 %)", "1 (20 %)", "1 (20 %)", "5"],
    ]
    # The tallest share of the chart (50 % of fives in the first quarter) fills the plot.
    assert 'height="100"' in chart


def test_the_leaders_chart_follows_the_class_filter(cast, marked, as_user):
    url = reverse("reports:statistics") + f"?period={cast.period.pk}&class_id={cast.class_5b.pk}"
    chart = chart_of(as_user(cast.director).get(url).content.decode(), "marks-chart")
    assert table_rows(chart)[-1] == [
        "Текущая четверть",
        "0 (0 %)",
        "0 (0 %)",
        "1 (100 %)",
        "0 (0 %)",
        "1",
    ]


def test_a_family_sees_its_own_childs_marks_only(cast, marked, as_user):
    response = as_user(cast.guardian).get(reverse("diary:marks", args=[cast.pupil.pk]))
    chart = chart_of(response.content.decode(), "child-marks-chart")
    assert_accessible_svg(chart, "child-marks-chart")
    assert table_rows(chart) == [
        ["1 четверть", "2 (50 %)", "1 (25 %)", "1 (25 %)", "0 (0 %)", "4"],
        ["Текущая четверть", "1 (50 %)", "0 (0 %)", "0 (0 %)", "1 (50 %)", "2"],
    ]


def test_no_marks_no_chart(cast, as_user):
    response = as_user(cast.guardian).get(reverse("diary:marks", args=[cast.pupil.pk]))
    assert response.status_code == 200
    assert "child-marks-chart" not in response.content.decode()


def test_bars_are_scaled_to_the_largest_share_of_the_chart():
    rows = scaled(
        [
            {"name": "1", "bars": [("5", 1), ("4", 3), ("3", 0), ("2", 0)]},
            {"name": "2", "bars": [("5", 0), ("4", 0), ("3", 0), ("2", 0)]},
        ]
    )
    assert [r["total"] for r in rows] == [4, 0]
    # 3 of 4 is the largest share: a bar of 3 marks in period 1 is drawn full height.
    assert rows[0]["scale"] == 3 and rows[1]["scale"] == 0
