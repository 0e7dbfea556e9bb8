"""Regulation 1.7: every staff page that shows a student's records logs who looked at whom,
what and when; the family sees it on «who looked at my children's records»; the family's own
diary pages log nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import record_access, student_data_viewed
from consent.models import AccessLogEntry
from journal import services as journal_services
from journal.services import final_mark_defer
from school import models as sm
from tests import factories as f


def logged(viewer=None) -> dict[int, set[str]]:
    """What the access log holds: student id → the texts logged (for one viewer if given)."""
    rows = AccessLogEntry.objects.all()
    if viewer is not None:
        rows = rows.filter(viewer=viewer)
    out: dict[int, set[str]] = {}
    for student_id, what in rows.values_list("student_id", "what"):
        out.setdefault(student_id, set()).add(what)
    return out


def ids(*students) -> set[int]:
    return {s.pk for s in students}


@pytest.fixture
def class_7a_students(cast):
    return ids(cast.pupil, cast.sibling_7a, cast.pupil_no_consent)


def opened(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response


# --- The announcement and its listener ----------------------------------------------------------


def test_the_consent_app_listens_to_the_announcement(cast):
    assert student_data_viewed.has_listeners()
    assert record_access(cast.subject_teacher, [cast.pupil, cast.pupil.pk], "журнал") == 1
    entry = AccessLogEntry.objects.get()
    assert (entry.viewer, entry.student, entry.what) == (cast.subject_teacher, cast.pupil, "журнал")
    assert entry.school == cast.school


def test_a_family_member_is_never_logged(cast):
    assert record_access(cast.guardian, [cast.pupil], "дневник") == 0
    assert record_access(cast.student, [cast.pupil], "дневник") == 0
    assert not AccessLogEntry.objects.exists()


def test_a_page_that_shows_nobody_logs_nothing(cast):
    assert record_access(cast.subject_teacher, [], "журнал") == 0
    assert record_access(cast.subject_teacher, [None], "журнал") == 0
    assert not AccessLogEntry.objects.exists()


# --- The journal --------------------------------------------------------------------------------


def test_the_journal_grid_logs_the_students_of_the_class_and_no_one_else(
    as_user, cast, class_7a_students
):
    opened(
        as_user(cast.subject_teacher),
        reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk]),
    )
    assert logged(cast.subject_teacher) == {
        pk: {"Журнал: Математика, 7 «А»"} for pk in class_7a_students
    }


def test_the_journal_grid_logs_one_insert_and_stays_within_eight_queries(as_user, cast):
    for _n in range(25):
        f.EnrollmentFactory(school=cast.school, class_group=cast.class_7a, year=cast.year)
    url = reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])
    client = as_user(cast.subject_teacher)
    with CaptureQueriesContext(connection) as queries:
        opened(client, url)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "consent_accesslogentry" in inserts[0]["sql"]
    assert len(queries.captured_queries) <= 8  # the benchmark target, the INSERT included
    assert AccessLogEntry.objects.count() == 28


def test_a_group_journal_logs_only_the_members_of_the_group(as_user, cast):
    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А англ. 1",
        subject=cast.russian,
        class_group=cast.class_7a,
    )
    sm.StudyGroupMembership.objects.create(school=cast.school, group=group, student=cast.pupil)
    opened(as_user(cast.class_teacher), reverse("journal:grid_group", args=[group.pk]))
    assert logged() == {cast.pupil.pk: {"Журнал: Русский язык, 7А англ. 1"}}


def test_a_journal_the_viewer_may_not_see_logs_nothing(as_user, cast):
    url = reverse("journal:grid_class", args=[cast.class_5b.pk, cast.math.pk])
    opened(as_user(cast.subject_teacher), url, status=404)
    opened(as_user(cast.guardian), url, status=403)
    assert not AccessLogEntry.objects.exists()


def _lesson_text(cast, what: str) -> str:
    return f"Урок {cast.today:%d.%m.%Y}, Математика, 7 «А»: {what}"


def test_the_lesson_page_logs_its_roster(as_user, cast, class_7a_students):
    opened(as_user(cast.deputy_head), reverse("journal:lesson", args=[cast.lesson.pk]))
    text = _lesson_text(cast, "отметки и посещаемость")
    assert logged(cast.deputy_head) == {pk: {text} for pk in class_7a_students}


def test_a_lesson_page_shown_again_with_errors_logs_too(as_user, cast, class_7a_students):
    client = as_user(cast.subject_teacher)
    url = reverse("journal:lesson", args=[cast.lesson.pk])
    response = client.post(url, {"section": "column", f"mark-{cast.pupil.pk}": "шесть"})
    assert response.status_code == 400
    assert set(logged(cast.subject_teacher)) == class_7a_students


def test_the_mark_page_logs_only_its_student(as_user, cast):
    url = reverse("journal:mark", args=[cast.lesson.pk, cast.sibling_7a.pk])
    opened(as_user(cast.class_teacher), url)
    assert logged() == {
        cast.sibling_7a.pk: {_lesson_text(cast, "отметки ученика и история их изменений")}
    }


def test_the_history_page_logs_the_students_whose_changes_it_shows(as_user, cast):
    journal_services.mark_set(
        user=cast.subject_teacher, lesson=cast.lesson, student_id=cast.pupil.pk, slot=1, value="5"
    )
    opened(as_user(cast.director), reverse("journal:history", args=[cast.lesson.pk]))
    text = _lesson_text(cast, "история изменений отметок и посещаемости")
    assert logged(cast.director) == {cast.pupil.pk: {text}}


def test_journal_pages_that_name_no_student_log_nothing(as_user, cast):
    opened(as_user(cast.deputy_head), reverse("journal:control"))
    opened(as_user(cast.subject_teacher), reverse("journal:control_works"))
    opened(as_user(cast.subject_teacher), reverse("journal:home"))
    assert not AccessLogEntry.objects.exists()


# --- The reports --------------------------------------------------------------------------------


def test_the_finals_page_logs_the_class(as_user, cast, class_7a_students):
    url = reverse("journal:finals", args=[cast.class_7a.pk, cast.math.pk, cast.period.pk])
    opened(as_user(cast.subject_teacher), url)
    text = "Итоговые отметки: Математика, 7 «А», Текущая четверть"
    assert logged() == {pk: {text} for pk in class_7a_students}


def test_the_exam_page_logs_the_class(as_user, cast, class_7a_students):
    url = reverse("journal:finals_exam", args=[cast.class_7a.pk, cast.math.pk, cast.year_period.pk])
    opened(as_user(cast.subject_teacher), url)
    text = "Результаты экзаменов: Математика, 7 «А»"
    assert logged() == {pk: {text} for pk in class_7a_students}


def test_the_finals_page_of_a_group_logs_its_members(as_user, cast):
    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        kind=sm.StudyGroupKind.STREAM,
        name="Поток 7",
        subject=cast.math,
        class_group=None,
    )
    sm.StudyGroupMembership.objects.create(school=cast.school, group=group, student=cast.sibling_5b)
    url = reverse("journal:finals_group", args=[group.pk, cast.period.pk])
    opened(as_user(cast.deputy_head), url)
    assert logged() == {
        cast.sibling_5b.pk: {"Итоговые отметки: Математика, Поток 7, Текущая четверть"}
    }


def test_the_teachers_finals_list_logs_the_students_of_their_deferrals(as_user, cast):
    final_mark_defer(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        reason="Болезнь",
        document="Справка № 1",
        due_date=cast.today + dt.timedelta(days=10),
    )
    opened(as_user(cast.subject_teacher), reverse("journal:finals_home"))
    assert logged() == {cast.pupil.pk: {"Итоговые отметки: отсроченные мной итоговые отметки"}}
    opened(as_user(cast.other_teacher), reverse("journal:finals_home"))  # no deferrals of theirs
    assert not logged(cast.other_teacher)


def test_the_summary_sheet_logs_the_class(as_user, cast, class_7a_students):
    opened(as_user(cast.class_teacher), reverse("reports:summary_sheet", args=[cast.class_7a.pk]))
    assert logged() == {pk: {"Сводная ведомость 7 «А»"} for pk in class_7a_students}


def test_the_student_record_logs_that_student(as_user, cast):
    opened(as_user(cast.director), reverse("reports:student_record", args=[cast.sibling_5b.pk]))
    assert logged() == {
        cast.sibling_5b.pk: {"Результаты по годам обучения: итоговые отметки ученика"}
    }


def test_the_24_hour_report_logs_the_students_it_lists(as_user, cast):
    set_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    f.FinalMarkFactory(
        school=cast.school, period=cast.period, student=cast.pupil, subject=cast.math, set_at=set_at
    )
    opened(as_user(cast.deputy_head), reverse("reports:late_finals"))
    assert logged() == {cast.pupil.pk: {"Итоговые отметки за 24 часа: отчёт о доведении до семьи"}}


def test_the_statistics_rows_log_the_students_and_the_marks_they_list(
    as_user, cast, class_7a_students
):
    client = as_user(cast.deputy_head)
    base = reverse("reports:statistics_rows") + f"?period={cast.period.pk}&class_id="
    opened(client, f"{base}{cast.class_7a.pk}&subject={cast.math.pk}&metric=students")
    text = "Статистика: итоговые отметки, Математика, 7 «А», Текущая четверть"
    assert logged() == {pk: {text} for pk in class_7a_students}
    AccessLogEntry.objects.all().delete()
    f.MarkFactory(lesson=cast.lesson, student=cast.sibling_7a, value="4", work_type=cast.answer)
    opened(client, f"{base}&metric=worktype-{cast.answer.pk}")
    assert logged() == {
        cast.sibling_7a.pk: {"Статистика: отметки по виду работы, Текущая четверть"}
    }


def test_the_statistics_page_of_numbers_logs_nothing(as_user, cast):
    opened(as_user(cast.director), reverse("reports:statistics"))
    assert not AccessLogEntry.objects.exists()


# --- The class teacher's page in the diary ------------------------------------------------------


def test_the_class_teachers_acknowledgements_page_logs_the_class(as_user, cast, class_7a_students):
    url = reverse("diary:class_acknowledgements", args=[cast.class_7a.pk])
    opened(as_user(cast.class_teacher), url)
    assert set(logged(cast.class_teacher)) == class_7a_students
    [what] = {w for texts in logged().values() for w in texts}
    assert what.startswith("Подтверждения просмотра дневника: 7 «А», неделя с ")


# --- What the family sees -----------------------------------------------------------------------


def test_the_guardian_sees_who_opened_the_journal_for_their_child_only(as_user, cast):
    opened(
        as_user(cast.subject_teacher),
        reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk]),
    )
    opened(
        as_user(cast.other_teacher),
        reverse("journal:grid_class", args=[cast.class_5b.pk, cast.math.pk]),
    )
    page = opened(as_user(cast.guardian), reverse("consent:my_access_log")).content.decode()
    assert cast.subject_teacher.full_name in page
    assert "Журнал: Математика, 7 «А»" in page
    assert cast.pupil.full_name in page
    assert cast.other_teacher.full_name not in page  # they looked at 5 «Б», not at this child
    assert cast.sibling_7a.full_name not in page  # a classmate is another family's business

    # A parent of a child in 5 «Б» sees the 5 «Б» teacher, not the 7 «А» one.
    stranger = opened(as_user(cast.stranger), reverse("consent:my_access_log")).content.decode()
    assert cast.other_teacher.full_name in stranger
    assert cast.subject_teacher.full_name not in stranger
    assert "Журнал: Математика, 5 «Б»" in stranger

    # A parent of two sees both children, each with who looked.
    both = opened(as_user(cast.guardian_of_two), reverse("consent:my_access_log")).content.decode()
    assert cast.sibling_7a.full_name in both and cast.sibling_5b.full_name in both
    assert cast.subject_teacher.full_name in both and cast.other_teacher.full_name in both


def test_the_familys_own_diary_pages_write_nothing(as_user, cast):
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="5")
    pages = [
        reverse("diary:home"),
        reverse("diary:current_week", args=[cast.pupil.pk]),
        reverse("diary:marks", args=[cast.pupil.pk]),
        reverse("diary:finals", args=[cast.pupil.pk]),
        reverse("diary:timetable", args=[cast.pupil.pk]),
        reverse("diary:teachers", args=[cast.pupil.pk]),
        reverse("diary:remarks", args=[cast.pupil.pk]),
    ]
    for user, own in ((cast.guardian, [reverse("consent:my_access_log")]), (cast.student, [])):
        client = as_user(user)
        for url in pages + own:
            assert client.get(url).status_code in (200, 302), url
    assert not AccessLogEntry.objects.exists()


# --- The school's data in the admin -------------------------------------------------------------


def test_the_admins_list_of_students_logs_the_students_on_the_page(as_user, cast):
    client = as_user(cast.school_admin)
    opened(client, reverse("admin:school_student_changelist"))
    everyone = ids(
        cast.pupil, cast.sibling_7a, cast.sibling_5b, cast.pupil_no_consent, cast.stranger_child
    )
    assert set(logged(cast.school_admin)) == everyone
    [what] = {w for texts in logged().values() for w in texts}
    assert what.startswith("Данные школы: ")


def test_the_admins_page_of_a_student_or_a_mark_logs_that_student(as_user, cast):
    client = as_user(cast.school_admin)
    opened(client, reverse("admin:school_student_change", args=[cast.sibling_5b.pk]))
    assert set(logged()) == ids(cast.sibling_5b)
    AccessLogEntry.objects.all().delete()
    mark = f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="5")
    opened(client, reverse("admin:journal_mark_change", args=[mark.pk]))
    assert set(logged()) == ids(cast.pupil)
    AccessLogEntry.objects.all().delete()
    opened(client, reverse("admin:journal_mark_changelist"))
    assert set(logged()) == ids(cast.pupil)


def test_the_admins_pages_without_student_records_log_nothing(as_user, cast):
    client = as_user(cast.school_admin)
    opened(client, reverse("admin:school_subject_changelist"))
    opened(client, reverse("admin:index"))
    assert not AccessLogEntry.objects.exists()
