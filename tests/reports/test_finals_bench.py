"""Suggested finals for a whole school: the number of queries does not grow with the number
of students (1× and 10×), and the benchmark function reports it."""

from bench.finals import busiest_period, run, synthetic_school
from journal.selectors import finals_suggest


def test_whole_school_suggestions_take_the_same_queries_at_1x_and_10x(
    db, django_assert_num_queries
):
    small = synthetic_school(classes=2, students_per_class=3, marks_per_student=6)
    big = synthetic_school(classes=2, students_per_class=30, marks_per_student=6, seed=2)
    for school, students in ((small, 6), (big, 60)):
        period = busiest_period(school)
        with django_assert_num_queries(2):  # the students of the period, then their marks
            suggestions = finals_suggest(school=school, period=period)
        assert len({s for s, _subj in suggestions}) == students


def test_the_benchmark_reports_queries_and_seconds(db):
    school = synthetic_school(classes=2, students_per_class=4, marks_per_student=12)
    result = run(school)
    assert result["scenario"] == "finals_school"
    assert result["queries"] == 2
    assert result["students"] == 8
    assert result["marks"] == 8 * 12
    assert result["seconds"] >= 0
