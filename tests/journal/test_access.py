"""Every journal view: the right roles get in, wrong roles get 403, strangers 404, wrong methods 405."""

import pytest
from django.urls import reverse

from tests import factories as f


def urls(cast):
    lesson = cast.lesson
    return {
        "home": reverse("journal:home"),
        "grid": reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk]),
        "lesson": reverse("journal:lesson", args=[lesson.pk]),
        "history": reverse("journal:history", args=[lesson.pk]),
        "control": reverse("journal:control"),
        "control_works": reverse("journal:control_works"),
        "timetable": reverse("journal:timetable"),
    }


ALLOWED = {
    "home": ["subject_teacher", "class_teacher", "other_teacher", "deputy_head", "director"],
    "grid": ["subject_teacher", "class_teacher", "deputy_head", "director"],
    "lesson": ["subject_teacher", "class_teacher", "deputy_head", "director"],
    "history": ["subject_teacher", "class_teacher", "deputy_head", "director"],
    "control": ["deputy_head", "director"],
    "control_works": [
        "subject_teacher",
        "class_teacher",
        "other_teacher",
        "deputy_head",
        "director",
    ],
    "timetable": ["deputy_head", "director"],
}
WRONG_ROLE = {
    "home": ["guardian", "student", "school_admin", "outsider"],
    "grid": ["guardian", "student", "school_admin", "outsider"],
    "lesson": ["guardian", "student", "school_admin", "outsider"],
    "history": ["guardian", "student", "school_admin"],
    "control": ["subject_teacher", "class_teacher", "guardian", "student", "school_admin"],
    "control_works": ["guardian", "student", "school_admin"],
    "timetable": ["subject_teacher", "guardian", "student", "school_admin"],
}
STRANGERS = {
    # Teachers and leaders of the school (or another school) who may use the view but not this object.
    "grid": ["other_teacher"],
    "lesson": ["other_teacher"],
    "history": ["other_teacher"],
}


def _cases(table):
    return [(view, persona) for view, personas in table.items() for persona in personas]


@pytest.mark.parametrize(("view", "persona"), _cases(ALLOWED))
def test_allowed_roles_open_the_page(as_user, cast, view, persona):
    response = as_user(getattr(cast, persona)).get(urls(cast)[view])
    assert response.status_code == 200


@pytest.mark.parametrize(("view", "persona"), _cases(WRONG_ROLE))
def test_wrong_roles_get_403(as_user, cast, view, persona):
    response = as_user(getattr(cast, persona)).get(urls(cast)[view])
    assert response.status_code == 403


@pytest.mark.parametrize(("view", "persona"), _cases(STRANGERS))
def test_strangers_get_404(as_user, cast, view, persona):
    response = as_user(getattr(cast, persona)).get(urls(cast)[view])
    assert response.status_code == 404


@pytest.fixture
def other_school_teacher(db):
    school = f.SchoolFactory()
    return f.TeacherFactory(school=school).user


@pytest.fixture
def other_school_deputy(db):
    return f.UserFactory(role="deputy_head")


@pytest.mark.parametrize("view", ["grid", "lesson", "history"])
def test_a_teacher_of_another_school_gets_404(as_user, cast, other_school_teacher, view):
    assert as_user(other_school_teacher).get(urls(cast)[view]).status_code == 404


@pytest.mark.parametrize("view", ["grid", "lesson", "history"])
def test_a_deputy_head_of_another_school_gets_404(as_user, cast, other_school_deputy, view):
    assert as_user(other_school_deputy).get(urls(cast)[view]).status_code == 404


def test_a_missing_lesson_is_404_like_someone_elses(as_user, cast):
    url = reverse("journal:lesson", args=[cast.lesson.pk + 10_000])
    assert as_user(cast.subject_teacher).get(url).status_code == 404


@pytest.mark.parametrize(
    ("view", "persona", "method"),
    [
        ("home", "subject_teacher", "post"),
        ("history", "subject_teacher", "post"),
        ("control", "director", "post"),
        ("control_works", "subject_teacher", "post"),
        ("grid", "subject_teacher", "put"),
        ("lesson", "subject_teacher", "delete"),
        ("timetable", "deputy_head", "put"),
    ],
)
def test_wrong_method_is_405(as_user, cast, view, persona, method):
    response = getattr(as_user(getattr(cast, persona)), method)(urls(cast)[view])
    assert response.status_code == 405


@pytest.mark.parametrize("name", ["journal:substitute", "journal:move", "journal:cancel"])
def test_lesson_changes_are_post_only_and_for_the_deputy_head(as_user, cast, name):
    url = reverse(name, args=[cast.lesson.pk])
    # Cancelling shows its confirmation page on GET; the others take POST only.
    expected = 200 if name == "journal:cancel" else 405
    assert as_user(cast.deputy_head).get(url).status_code == expected
    assert as_user(cast.subject_teacher).post(url).status_code == 403
    assert as_user(cast.director).post(url).status_code == 403
    assert as_user(cast.guardian).post(url).status_code == 403


def test_a_substitute_works_in_the_substituted_lesson_only(as_user, cast):
    cast.lesson.substitute_teacher = cast.other_teacher.teacher
    cast.lesson.save(update_fields=["substitute_teacher"])
    other_lesson = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=cast.today,
        work_type=cast.answer,
    )
    client = as_user(cast.other_teacher)
    page = client.get(reverse("journal:lesson", args=[cast.lesson.pk]))
    assert page.status_code == 200
    assert f'action="/journal/lesson/{cast.lesson.pk}/column/"' in page.content.decode()
    assert client.get(reverse("journal:lesson", args=[other_lesson.pk])).status_code == 404
    # The whole 7 «А» maths journal stays closed to them.
    grid = reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])
    assert client.get(grid).status_code == 404


def test_the_class_teacher_sees_the_lesson_read_only(as_user, cast):
    url = reverse("journal:lesson", args=[cast.lesson.pk])
    page = as_user(cast.class_teacher).get(url).content.decode()
    assert "/column/" not in page
    topic = reverse("journal:lesson_topic", args=[cast.lesson.pk])
    response = as_user(cast.class_teacher).post(topic, {"topic": "x"})
    assert response.status_code == 404
    cast.lesson.refresh_from_db()
    assert cast.lesson.topic == ""


def test_the_director_cannot_write_in_a_lesson(as_user, cast):
    url = reverse("journal:lesson_topic", args=[cast.lesson.pk])
    response = as_user(cast.director).post(url, {"topic": "x"})
    assert response.status_code == 403
    cast.lesson.refresh_from_db()
    assert cast.lesson.topic == ""


@pytest.mark.parametrize("name", ["journal:substitute", "journal:move", "journal:cancel"])
def test_a_deputy_head_of_another_school_gets_404_on_lesson_changes(
    as_user, cast, other_school_deputy, name
):
    response = as_user(other_school_deputy).post(
        reverse(name, args=[cast.lesson.pk]), {"date": "2026-12-01", "lesson_number": 3}
    )
    assert response.status_code == 404
    cast.lesson.refresh_from_db()
    assert (cast.lesson.status, cast.lesson.substitute_teacher_id) == ("scheduled", None)


def test_a_work_type_of_another_school_in_the_column_form_is_refused(as_user, cast):
    from journal import models as jm

    from .conftest import column_data

    foreign = f.WorkTypeFactory(name="Чужая работа")
    url = reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])
    data = column_data(cast.lesson, {cast.pupil: "5"}, extra={"work_type": foreign.pk})
    response = as_user(cast.subject_teacher).post(url, data)
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()
    assert not jm.Mark.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["lesson_column", "lesson_topic", "lesson_homework", "lesson_remark"],
)
def test_each_section_of_the_lesson_page_posts_to_its_own_view(as_user, cast, name):
    url = reverse(f"journal:{name}", args=[cast.lesson.pk])
    teacher = as_user(cast.subject_teacher)
    assert teacher.get(url).status_code == 405
    assert as_user(cast.director).post(url, {}).status_code == 403
    assert as_user(cast.other_teacher).post(url, {}).status_code == 404
    assert as_user(cast.guardian).post(url, {}).status_code == 403
    page = reverse("journal:lesson", args=[cast.lesson.pk])
    assert teacher.post(page, {"topic": "x"}).status_code == 405


@pytest.mark.parametrize("name", ["mark_set", "mark_delete"])
def test_setting_and_deleting_a_mark_have_views_of_their_own(as_user, cast, name):
    url = reverse(f"journal:{name}", args=[cast.lesson.pk, cast.pupil.pk])
    assert as_user(cast.subject_teacher).get(url).status_code == 405
    assert as_user(cast.director).post(url, {}).status_code == 403
    assert as_user(cast.other_teacher).post(url, {}).status_code == 404
    stranger = reverse(f"journal:{name}", args=[cast.lesson.pk, cast.stranger_child.pk])
    assert as_user(cast.subject_teacher).post(stranger, {}).status_code == 404


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("timetable_line_add", []),
        ("timetable_bell", []),
        ("timetable_generate", []),
    ],
)
def test_each_timetable_action_has_a_view_of_its_own(as_user, cast, name, args):
    url = reverse(f"journal:{name}", args=args)
    assert as_user(cast.deputy_head).get(url).status_code == 405
    assert as_user(cast.subject_teacher).post(url, {}).status_code == 403
    assert as_user(cast.deputy_head).post(reverse("journal:timetable"), {}).status_code == 405
