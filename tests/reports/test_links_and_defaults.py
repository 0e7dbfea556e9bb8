"""Reports: the finals page links a student's record only for those the record admits; the
statistics open on the period most classes are in."""

from django.urls import reverse


def _finals(cast, subject):
    return reverse("journal:finals", args=[cast.class_7a.pk, subject.pk, cast.period.pk])


def test_a_subject_teacher_is_not_sent_to_a_record_they_may_not_open(cast, as_user):
    client = as_user(cast.subject_teacher)
    record = reverse("reports:student_record", args=[cast.pupil.pk])
    body = client.get(_finals(cast, cast.math)).content.decode()
    assert cast.pupil.last_name in body
    assert record not in body
    assert client.get(record).status_code == 404


def test_the_class_teacher_and_the_deputy_head_follow_the_record_link(cast, as_user):
    record = reverse("reports:student_record", args=[cast.pupil.pk])
    for user, subject in ((cast.class_teacher, cast.russian), (cast.deputy_head, cast.math)):
        client = as_user(user)
        assert record in client.get(_finals(cast, subject)).content.decode()
        assert client.get(record).status_code == 200


def test_statistics_open_on_the_quarter_when_a_half_year_of_older_classes_also_runs(cast, as_user):
    from school.models import PeriodKind
    from tests import factories as f

    f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        kind=PeriodKind.HALF_YEAR,
        number=1,
        name="1 полугодие",
        starts_on=cast.year.starts_on,
        ends_on=cast.period.ends_on,
        level_min=10,
        level_max=11,
    )
    body = as_user(cast.director).get(reverse("reports:statistics")).content.decode()
    assert f"Результаты: {cast.period.name}" in body


def test_the_periods_page_lists_quarters_then_half_years_then_the_year(cast, as_user):
    from school.models import PeriodKind
    from tests import factories as f

    f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        kind=PeriodKind.HALF_YEAR,
        number=1,
        name="1 полугодие",
        starts_on=cast.year.starts_on,
        ends_on=cast.period.ends_on,
        level_min=10,
        level_max=11,
    )
    body = as_user(cast.deputy_head).get(reverse("journal:periods")).content.decode()
    assert body.index(cast.period.name) < body.index("1 полугодие") < body.index("Год (1–11)")


def test_plan_fulfilment_names_a_groups_row_by_the_group(cast, as_user):
    from school import models as sm
    from tests import factories as f

    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А Английский язык, 1 гр.",
        subject=cast.russian,
        class_group=cast.class_7a,
    )
    f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,  # a group's lesson carries its class too
        study_group=group,
        subject=cast.russian,
        teacher=cast.class_teacher.teacher,
        date=cast.today,
        lesson_number=5,
        work_type=cast.answer,
    )
    body = (
        as_user(cast.director)
        .get(reverse("reports:statistics") + f"?period={cast.period.pk}")
        .content.decode()
    )
    table = body[body.index("stats-lessons") :]
    assert "7А Английский язык, 1 гр." in table[: table.index("</table>")]
