"""The reports pages: who may open them (403 for a wrong role, 404 for someone else's ids,
405 for a wrong method), what they show and what a form error looks like."""

import datetime as dt

import pytest
from django.urls import reverse

from journal.models import FinalMark, MarkChange
from journal.services import final_mark_defer, final_mark_set
from tests import factories as f
from tests.reports.helpers import give_marks


def finals_url(cast, klass=None, subject=None, period=None):
    return reverse(
        "journal:finals",
        args=[(klass or cast.class_7a).pk, (subject or cast.math).pk, (period or cast.period).pk],
    )


# --- Finals page ----------------------------------------------------------------------------


def test_the_teacher_sees_average_count_and_suggestion(cast, as_user):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("3", cast.control), ("4", cast.answer)])
    response = as_user(cast.subject_teacher).get(finals_url(cast))
    assert response.status_code == 200
    body = response.content.decode()
    row = body[body.index(f'data-student="{cast.pupil.pk}"') :]
    row = row[: row.index("</tr>")]
    # (5 + 9 + 4) / 5 = 3.60, three marks, suggested 4.
    assert "3,60" in row or "3.60" in row
    assert '<td class="num">3</td>' in row
    assert '<td class="num suggested">4</td>' in row
    assert "мало отметок" not in row  # three marks are enough for the school
    other = body[body.index(f'data-student="{cast.sibling_7a.pk}"') :]
    assert "мало отметок" in other[: other.index("</tr>")]  # no marks at all


def test_the_teacher_confirms_and_overrides_with_a_reason(cast, as_user):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("5", cast.answer)])
    client = as_user(cast.subject_teacher)
    url = finals_url(cast)
    response = client.post(url, {f"s{cast.pupil.pk}": "4", f"s{cast.sibling_7a.pk}": "na"})
    assert response.status_code == 400
    assert "отличается от предложенной 5" in response.content.decode()
    assert not FinalMark.objects.exists()
    response = client.post(
        url,
        {
            f"s{cast.pupil.pk}": "4",
            f"r{cast.pupil.pk}": "Не сдал <b>зачёт</b>",
            f"s{cast.sibling_7a.pk}": "na",
        },
    )
    assert response.status_code == 302
    finals = {fm.student_id: fm for fm in FinalMark.objects.all()}
    assert finals[cast.pupil.pk].value == "4"
    assert finals[cast.sibling_7a.pk].status == "not_assessed"
    assert MarkChange.objects.filter(reason="Не сдал <b>зачёт</b>").exists()


def test_a_bad_choice_is_a_russian_form_error_and_nothing_is_saved(cast, as_user):
    response = as_user(cast.subject_teacher).post(finals_url(cast), {f"s{cast.pupil.pk}": "6"})
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()
    assert not FinalMark.objects.exists()


def test_finals_page_access(cast, as_user, client):
    url = finals_url(cast)
    assert as_user(cast.deputy_head).get(url).status_code == 200  # authorised corrections
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.student).get(url).status_code == 403
    # Another teacher's class, another subject, another school: 404 like a missing id.
    assert as_user(cast.other_teacher).get(url).status_code == 404
    assert as_user(cast.class_teacher).get(url).status_code == 404  # teaches Russian here
    assert (
        as_user(cast.subject_teacher).get(finals_url(cast, klass=cast.class_5b)).status_code == 404
    )
    other_school_class = f.ClassGroupFactory()
    assert (
        as_user(cast.subject_teacher).get(finals_url(cast, klass=other_school_class)).status_code
        == 404
    )
    assert as_user(cast.subject_teacher).put(url).status_code == 405


def test_a_teacher_cannot_post_finals_for_another_class(cast, as_user):
    url = finals_url(cast, klass=cast.class_5b)
    response = as_user(cast.subject_teacher).post(url, {f"s{cast.sibling_5b.pk}": "5"})
    assert response.status_code == 404
    assert not FinalMark.objects.exists()


def test_finals_page_queries_do_not_grow_with_the_class(
    cast, as_user, django_assert_max_num_queries
):
    client = as_user(cast.subject_teacher)
    give_marks(cast, cast.pupil, [("5", cast.answer)] * 3)
    with django_assert_max_num_queries(16):
        client.get(finals_url(cast))
    for _ in range(20):
        student = f.EnrollmentFactory(
            school=cast.school, class_group=cast.class_7a, year=cast.year
        ).student
        give_marks(cast, student, [("4", cast.answer)] * 3)
    with django_assert_max_num_queries(16):
        assert client.get(finals_url(cast)).status_code == 200


def test_exam_results_are_entered_on_the_year_period(cast, as_user):
    url = reverse("journal:finals_exam", args=[cast.class_7a.pk, cast.math.pk, cast.year_period.pk])
    client = as_user(cast.subject_teacher)
    response = client.post(url, {"exam_name": "ОГЭ", f"s{cast.pupil.pk}": "5"})
    assert response.status_code == 302
    assert FinalMark.objects.get().exam_name == "ОГЭ"
    quarter_exam = reverse(
        "journal:finals_exam", args=[cast.class_7a.pk, cast.math.pk, cast.period.pk]
    )
    assert client.get(quarter_exam).status_code == 404


# --- Deferral page ----------------------------------------------------------------------------


def test_the_deferral_form(cast, as_user):
    url = reverse("journal:final_defer", args=[cast.class_7a.pk, cast.math.pk, cast.period.pk])
    client = as_user(cast.subject_teacher)
    response = client.post(url, {"student": cast.pupil.pk, "reason": "", "document": ""})
    assert response.status_code == 400
    assert "Обязательное поле" in response.content.decode()
    due = cast.today + dt.timedelta(days=14)
    response = client.post(
        url,
        {
            "student": cast.pupil.pk,
            "reason": "Болезнь",
            "document": "Справка № 5",
            "due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    assert FinalMark.objects.get().deferred_until == due
    # Another class's student cannot be smuggled in.
    response = client.post(
        url,
        {
            "student": cast.sibling_5b.pk,
            "reason": "x",
            "document": "x",
            "due_date": due.isoformat(),
        },
    )
    assert response.status_code == 400
    assert as_user(cast.other_teacher).get(url).status_code == 404
    assert as_user(cast.guardian).get(url).status_code == 403


# --- Periods -----------------------------------------------------------------------------------


def test_the_deputy_head_closes_a_period(cast, as_user):
    url = reverse("journal:period_close", args=[cast.period.pk])
    assert as_user(cast.subject_teacher).post(url).status_code == 403
    assert as_user(cast.deputy_head).put(url).status_code == 405
    assert as_user(cast.outsider).post(url).status_code == 403
    other = f.PeriodFactory()
    assert (
        as_user(cast.deputy_head).post(reverse("journal:period_close", args=[other.pk])).status_code
        == 404
    )
    response = as_user(cast.deputy_head).post(url, {"reason": "Приказ № 12 от 20.11"})
    assert response.status_code == 302
    cast.period.refresh_from_db()
    assert cast.period.is_closed
    page = as_user(cast.deputy_head).get(reverse("journal:periods")).content.decode()
    assert "Открыть снова" in page


# --- Summary sheet -----------------------------------------------------------------------------


def test_summary_sheet_access(cast, as_user):
    url = reverse("reports:summary_sheet", args=[cast.class_7a.pk])
    for user in (cast.class_teacher, cast.deputy_head, cast.director):
        assert as_user(user).get(url).status_code == 200
    assert as_user(cast.subject_teacher).get(url).status_code == 404  # not the class teacher
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.school_admin).get(url).status_code == 403
    other_class = f.ClassGroupFactory()
    assert (
        as_user(cast.deputy_head)
        .get(reverse("reports:summary_sheet", args=[other_class.pk]))
        .status_code
        == 404
    )
    assert as_user(cast.director).post(url).status_code == 405


def test_summary_sheet_is_filled_from_the_finals(cast, as_user):
    final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="5",
    )
    final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.year_period,
        choice="4",
        exam=True,
        exam_name="ОГЭ",
    )
    body = (
        as_user(cast.class_teacher)
        .get(reverse("reports:summary_sheet", args=[cast.class_7a.pk]))
        .content.decode()
    )
    assert "Сводная ведомость" in body
    assert '<span class="final final--5">5</span>' in body
    assert '<span class="final final--4">4</span>' in body
    assert cast.pupil.short_name in body


# --- The 24-hour report, the student's record -------------------------------------------------


def test_late_finals_access(cast, as_user):
    url = reverse("reports:late_finals")
    assert as_user(cast.director).get(url).status_code == 200
    assert as_user(cast.deputy_head).get(url).status_code == 200
    assert as_user(cast.subject_teacher).get(url).status_code == 403
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.director).post(url).status_code == 405


def test_student_record_across_years(cast, as_user):
    old_year = f.YearFactory(
        school=cast.school,
        name="2025/2026",
        starts_on=cast.year.starts_on.replace(year=cast.year.starts_on.year - 1),
        ends_on=cast.year.ends_on.replace(year=cast.year.ends_on.year - 1),
    )
    old_class = f.ClassGroupFactory(school=cast.school, year=old_year, level=6, letter="А")
    f.EnrollmentFactory(
        school=cast.school, class_group=old_class, year=old_year, student=cast.pupil
    )
    old_period = f.PeriodFactory(
        school=cast.school,
        year=old_year,
        kind="year",
        number=1,
        name="Год",
        starts_on=old_year.starts_on,
        ends_on=old_year.ends_on,
    )
    f.FinalMarkFactory(
        school=cast.school,
        period=old_period,
        student=cast.pupil,
        subject=cast.math,
        kind="year",
        value="3",
    )
    final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="5",
    )
    url = reverse("reports:student_record", args=[cast.pupil.pk])
    body = as_user(cast.class_teacher).get(url).content.decode()
    assert "2025/2026" in body and "6 «А»" in body and "7 «А»" in body
    assert body.index(cast.year.name) < body.index("2025/2026")  # newest first
    assert as_user(cast.deputy_head).get(url).status_code == 200
    assert as_user(cast.subject_teacher).get(url).status_code == 404
    assert as_user(cast.guardian).get(url).status_code == 403
    stranger_url = reverse("reports:student_record", args=[f.StudentFactory().pk])
    assert as_user(cast.deputy_head).get(stranger_url).status_code == 404


# --- Statistics access ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reports:statistics", "reports:statistics_rows"])
def test_statistics_access(cast, as_user, name):
    url = reverse(name) + f"?period={cast.period.pk}&metric=held"
    assert as_user(cast.deputy_head).get(url).status_code == 200
    assert as_user(cast.director).get(url).status_code == 200
    assert as_user(cast.class_teacher).get(url).status_code == 403
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.director).post(url).status_code == 405
    other_period = f.PeriodFactory()
    assert as_user(cast.director).get(reverse(name) + f"?period={other_period.pk}").status_code in (
        400,
        404,
    )


def test_deferral_is_shown_on_the_finals_page(cast, as_user):
    final_mark_defer(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        reason="Болезнь",
        document="Справка",
        due_date=cast.today + dt.timedelta(days=5),
    )
    body = as_user(cast.subject_teacher).get(finals_url(cast)).content.decode()
    assert "отсрочена до" in body


def test_summary_sheet_queries_do_not_grow(cast, as_user, django_assert_max_num_queries):
    client = as_user(cast.class_teacher)
    url = reverse("reports:summary_sheet", args=[cast.class_7a.pk])

    def add(n):
        for _ in range(n):
            student = f.EnrollmentFactory(
                school=cast.school, class_group=cast.class_7a, year=cast.year
            ).student
            for subject in (cast.math, cast.russian):
                f.FinalMarkFactory(
                    school=cast.school, period=cast.period, student=student, subject=subject
                )

    add(2)
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_teachers_finals_list_links_their_classes_and_periods(cast, as_user):
    response = as_user(cast.subject_teacher).get(reverse("journal:finals_home"))
    body = response.content.decode()
    assert finals_url(cast) in body
    assert (
        reverse("journal:finals_exam", args=[cast.class_7a.pk, cast.math.pk, cast.year_period.pk])
        in body
    )
    assert finals_url(cast, klass=cast.class_5b) not in body
    assert as_user(cast.guardian).get(reverse("journal:finals_home")).status_code == 403
    assert as_user(cast.subject_teacher).post(reverse("journal:finals_home")).status_code == 405


def test_a_group_teacher_sets_the_groups_finals(cast, as_user):
    group = jm_group(cast)
    url = reverse("journal:finals_group", args=[group.pk, cast.period.pk])
    response = as_user(cast.class_teacher).post(url, {f"s{cast.pupil.pk}": "na"})
    assert response.status_code == 302
    assert FinalMark.objects.get().status == "not_assessed"
    assert as_user(cast.subject_teacher).get(url).status_code == 404  # not their group
    # A class member outside the group cannot be posted through the group page.
    response = as_user(cast.class_teacher).post(url, {f"s{cast.sibling_7a.pk}": "5"})
    assert response.status_code == 302  # the field is not on the form: nothing written
    assert FinalMark.objects.count() == 1


def jm_group(cast):
    from school.models import StudyGroup, StudyGroupMembership, TeachingAssignment

    english = f.SubjectFactory(school=cast.school, name="Английский язык")
    group = StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А англ. 1",
        subject=english,
        class_group=cast.class_7a,
    )
    StudyGroupMembership.objects.create(school=cast.school, group=group, student=cast.pupil)
    TeachingAssignment.objects.create(
        school=cast.school,
        year=cast.year,
        teacher=cast.class_teacher.teacher,
        subject=english,
        study_group=group,
    )
    return group


def test_grade_1_has_no_finals(cast):
    from django.core.exceptions import ValidationError

    class_1 = f.ClassGroupFactory(school=cast.school, year=cast.year, level=1, letter="А")
    child = f.EnrollmentFactory(school=cast.school, class_group=class_1, year=cast.year).student
    with pytest.raises(ValidationError) as error:
        final_mark_set(
            user=cast.deputy_head, student=child, subject=cast.math, period=cast.period, choice="5"
        )
    assert "без отметок" in str(error.value)


def test_work_type_counts_link_to_their_marks(cast, as_user):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("3", cast.control)])
    client = as_user(cast.deputy_head)
    page = client.get(reverse("reports:statistics") + f"?period={cast.period.pk}").content.decode()
    link = f"metric=worktype-{cast.control.pk}"
    assert link in page
    rows = client.get(
        reverse("reports:statistics_rows") + f"?period={cast.period.pk}&{link}"
    ).content.decode()
    assert cast.pupil.short_name in rows and "Контрольная работа" in rows


def test_statistics_opens_on_the_current_quarter_not_the_year(cast, as_user):
    body = as_user(cast.deputy_head).get(reverse("reports:statistics")).content.decode()
    assert f"Результаты: {cast.period.name}" in body


def test_the_deputy_head_reopens_a_closed_period(cast, as_user):
    client = as_user(cast.deputy_head)
    client.post(reverse("journal:period_close", args=[cast.period.pk]), {"reason": "Приказ № 12"})
    response = client.post(reverse("journal:period_reopen", args=[cast.period.pk]), follow=True)
    assert "снова открыт" in response.content.decode()
    cast.period.refresh_from_db()
    assert not cast.period.is_closed
    again = client.post(reverse("journal:period_reopen", args=[cast.period.pk]), follow=True)
    assert "Период не закрыт" in again.content.decode()
    assert (
        as_user(cast.director)
        .post(reverse("journal:period_reopen", args=[cast.period.pk]))
        .status_code
        == 403
    )


def test_a_stale_form_is_told_the_final_changed(cast, as_user):
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="3",
    )
    client = as_user(cast.subject_teacher)
    read_version = final.version
    client.post(finals_url(cast), {f"s{cast.pupil.pk}": "4", f"v{cast.pupil.pk}": read_version})
    response = client.post(
        finals_url(cast), {f"s{cast.pupil.pk}": "5", f"v{cast.pupil.pk}": read_version}
    )
    assert response.status_code == 400
    assert "изменили, пока вы её редактировали" in response.content.decode()
    final.refresh_from_db()
    assert final.value == "4"


def test_two_tabs_setting_a_new_final_the_second_is_told(cast, as_user):
    """Both tabs opened the page before any final existed (they carry version 0)."""
    client = as_user(cast.subject_teacher)
    sid = cast.pupil.pk
    first = client.post(finals_url(cast), {f"s{sid}": "5", f"v{sid}": 0})
    assert first.status_code == 302
    second = client.post(finals_url(cast), {f"s{sid}": "3", f"v{sid}": 0})
    assert second.status_code == 400
    assert "изменили, пока вы её редактировали" in second.content.decode()
    final = FinalMark.objects.get(student=cast.pupil, subject=cast.math, period=cast.period)
    assert final.value == "5"
    # The same tab submitting the same value twice (a double click) is no conflict.
    assert client.post(finals_url(cast), {f"s{sid}": "5", f"v{sid}": 0}).status_code == 302
