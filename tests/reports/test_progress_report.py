"""The progress report (Отчёт об успеваемости) on a crafted class: a pupil with all 5, one
with one 4, one with two 4, one with one 3, one with a 2, one with a missing final; another
class with an н/а. Class, parallel and school totals; every number leads to its pupils; the
queries do not grow with the classes; leaders only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from journal import models as jm
from reports.progress import (
    EXCELLENT,
    FAILING,
    GOOD,
    NOT_ASSESSED,
    ONE_FOUR,
    ONE_THREE,
    SATISFACTORY,
    progress_report,
    pupil_categories,
)
from school import models as sm
from tests import factories as f


def final(cast, student, subject, value="", status="graded", period=None):
    return jm.FinalMark.objects.create(
        school=cast.school,
        student=student,
        subject=subject,
        period=period or cast.period,
        value=value,
        status=status,
        set_by=cast.subject_teacher,
        set_at=timezone.now(),
    )


def pupil(cast, klass, last_name):
    return f.EnrollmentFactory(
        school=cast.school,
        class_group=klass,
        year=cast.year,
        student__last_name=last_name,
        student__school=cast.school,
    ).student


@pytest.fixture
def crafted(cast):
    """7 «А» is taught maths and Russian; 5 «Б» maths. Finals (maths, Russian) of the running
    period; one 7 «А» pupil has no Russian final at all."""
    pupils = {
        "all_fives": cast.pupil,
        "one_four": cast.sibling_7a,
        "two_fours": cast.pupil_no_consent,
        "one_three": pupil(cast, cast.class_7a, "Тройкин"),
        "a_two": pupil(cast, cast.class_7a, "Двойкин"),
        "missing": pupil(cast, cast.class_7a, "Пропускин"),
    }
    for key, (maths, russian) in {
        "all_fives": ("5", "5"),
        "one_four": ("4", "5"),
        "two_fours": ("4", "4"),
        "one_three": ("3", "4"),
        "a_two": ("2", "5"),
        "missing": ("5", None),
    }.items():
        final(cast, pupils[key], cast.math, maths)
        if russian:
            final(cast, pupils[key], cast.russian, russian)
    final(cast, cast.sibling_5b, cast.math, "5")
    final(cast, cast.stranger_child, cast.math, status="not_assessed")
    return pupils


def line_of(report, key):
    return next(
        line
        for line in report.lines + [report.school]
        if (line.class_group and f"class-{line.class_group.pk}" == key)
        or (not line.class_group and line.level and f"level-{line.level}" == key)
        or (key == "school" and line is report.school)
    )


def test_one_category_per_pupil_and_the_reserve_lines():
    assert pupil_categories(["5", "5", "pass"]) == {EXCELLENT}
    assert pupil_categories(["5", "4"]) == {GOOD, ONE_FOUR}
    assert pupil_categories(["4", "4"]) == {GOOD}
    assert pupil_categories(["3", "4", "5"]) == {SATISFACTORY, ONE_THREE}
    assert pupil_categories(["3", "3"]) == {SATISFACTORY}
    assert pupil_categories(["2", "5"]) == {FAILING}
    assert pupil_categories(["fail", "5"]) == {FAILING}
    assert pupil_categories(["2", "na"]) == {FAILING}  # a failing mark wins over н/а
    assert pupil_categories(["5", None]) == {NOT_ASSESSED}  # a missing final
    assert pupil_categories(["5", "deferred"]) == {NOT_ASSESSED}
    assert pupil_categories(["5", "exempt"]) == {EXCELLENT}  # not due


def test_the_crafted_class_parallel_and_school(cast, crafted):
    report = progress_report(school=cast.school, period=cast.period)
    seven = line_of(report, f"class-{cast.class_7a.pk}")
    assert seven.students == 6
    counts = {k: seven.counts[k] for k in (EXCELLENT, GOOD, ONE_FOUR, ONE_THREE, FAILING)}
    assert counts == {EXCELLENT: 1, GOOD: 2, ONE_FOUR: 1, ONE_THREE: 1, FAILING: 1}
    assert seven.counts[NOT_ASSESSED] == 1
    assert set(seven.pupils[ONE_FOUR]) == {crafted["one_four"].pk}
    assert set(seven.pupils[NOT_ASSESSED]) == {crafted["missing"].pk}
    shares = {key: share for key, _count, share in seven.cells()}
    assert str(shares[GOOD]) == "33.3" and str(shares[EXCELLENT]) == "16.7"
    five = line_of(report, f"class-{cast.class_5b.pk}")
    assert (five.students, five.counts[EXCELLENT], five.counts[NOT_ASSESSED]) == (2, 1, 1)
    # Parallels follow their classes, 5 before 7; the school sums everything.
    assert [line.label for line in report.lines] == ["5 «Б»", "5", "7 «А»", "7"]
    assert line_of(report, "level-7").counts == seven.counts
    assert report.school.students == 8
    assert report.school.counts[EXCELLENT] == 2 and report.school.counts[NOT_ASSESSED] == 2


def pupils_page(client, query):
    response = client.get(reverse("reports:progress_pupils") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_every_number_links_to_its_pupils(cast, crafted, as_user):
    client = as_user(cast.deputy_head)
    page = client.get(reverse("reports:progress") + f"?period={cast.period.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Отчёт об успеваемости" in body
    link = f"period={cast.period.pk}&amp;class_id={cast.class_7a.pk}&amp;category=one_four"
    assert link in body
    one_four = pupils_page(client, "?" + link.replace("&amp;", "&"))
    assert crafted["one_four"].short_name in one_four
    for other in ("all_fives", "two_fours", "one_three"):
        assert crafted[other].short_name not in one_four
    missing = pupils_page(
        client, f"?period={cast.period.pk}&class_id={cast.class_7a.pk}&category=not_assessed"
    )
    assert crafted["missing"].short_name in missing and "нет итоговой" in missing
    parallel = pupils_page(client, f"?period={cast.period.pk}&level=5&category=not_assessed")
    assert cast.stranger_child.short_name in parallel
    assert crafted["missing"].short_name not in parallel
    school = pupils_page(client, f"?period={cast.period.pk}&category=excellent")
    assert cast.sibling_5b.short_name in school and crafted["all_fives"].short_name in school
    assert f"?period={cast.period.pk}&amp;category=excellent" in body  # the school's line


def test_a_bad_category_or_level_is_not_found(cast, as_user):
    client = as_user(cast.director)
    base = reverse("reports:progress_pupils") + f"?period={cast.period.pk}"
    assert client.get(base + "&category=bogus").status_code == 404
    assert client.get(base + "&category=good&level=x").status_code == 404


def test_leaders_only(cast, crafted, as_user, client):
    url = reverse("reports:progress") + f"?period={cast.period.pk}"
    pupils = reverse("reports:progress_pupils") + f"?period={cast.period.pk}&category=good"
    for leader in (cast.director, cast.deputy_head):
        assert as_user(leader).get(url).status_code == 200
    teacher = as_user(cast.class_teacher)
    assert teacher.get(url).status_code == 403
    assert teacher.get(pupils).status_code == 403
    assert as_user(cast.director).post(url).status_code == 405


def test_another_schools_leader_cannot_reach_this_schools_period(cast, crafted, as_user):
    other = f.SchoolFactory(name="Другая школа", short_name="Другая")
    year = f.YearFactory(
        school=other, name=cast.year.name, starts_on=cast.year.starts_on, ends_on=cast.year.ends_on
    )
    f.PeriodFactory(school=other, year=year, starts_on=cast.period.starts_on)
    director = f.UserFactory(school=other, role=Role.DIRECTOR, username="other_director")
    client = as_user(director)
    pupils = reverse("reports:progress_pupils") + f"?period={cast.period.pk}&category=good"
    assert client.get(pupils).status_code == 404
    page = client.get(reverse("reports:progress") + f"?period={cast.period.pk}")
    assert page.status_code == 400 and crafted["one_four"].short_name not in page.content.decode()


def test_the_queries_do_not_grow_with_the_classes(
    cast, crafted, as_user, django_assert_max_num_queries
):
    client = as_user(cast.director)
    url = reverse("reports:progress") + f"?period={cast.period.pk}"

    def add_classes(n, start):
        for i in range(n):
            klass = f.ClassGroupFactory(
                school=cast.school, year=cast.year, level=6, letter=chr(ord("А") + start + i)
            )
            f.TeachingAssignmentFactory(
                school=cast.school,
                year=cast.year,
                class_group=klass,
                subject=cast.math,
                teacher=cast.subject_teacher.teacher,
            )
            for _ in range(3):
                student = pupil(cast, klass, "Новиков")
                final(cast, student, cast.math, "4")

    add_classes(1, 0)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    add_classes(5, 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_an_individual_plans_subject_is_due_for_its_pupil_only(cast, crafted):
    physics = f.SubjectFactory(school=cast.school, name="Физика")
    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        kind=sm.StudyGroupKind.INDIVIDUAL,
        name="Физика, индивидуальный план",
        subject=physics,
        class_group=cast.class_7a,
    )
    f.TeachingAssignmentFactory(
        school=cast.school,
        year=cast.year,
        class_group=None,
        study_group=group,
        subject=physics,
        teacher=cast.subject_teacher.teacher,
    )
    final(cast, crafted["one_four"], physics, "3")
    report = progress_report(school=cast.school, period=cast.period)
    assert report.categories[crafted["all_fives"].pk] == {EXCELLENT}  # physics not due
    assert report.categories[crafted["one_four"].pk] == {SATISFACTORY, ONE_THREE}


def test_a_pupils_finals_come_in_curriculum_order(cast, crafted, as_user):
    for subject in (cast.russian, cast.math):  # Russian first, against the alphabet
        sm.CurriculumPlan.objects.create(
            school=cast.school, year=cast.year, level=7, subject=subject, hours_per_week=4
        )
    body = pupils_page(
        as_user(cast.deputy_head),
        f"?period={cast.period.pk}&class_id={cast.class_7a.pk}&category=excellent",
    )
    row = body[body.index(f'data-student="{crafted["all_fives"].pk}"') :]
    assert row.index("Русский язык") < row.index("Математика")
