"""The OneRoster 1.2 provider: the standard's collection conventions, inside the client's
school, with flat query counts."""

import datetime as dt

import pytest

from api import ids
from journal.models import Homework
from school.models import Teacher
from tests import factories as f

ROSTER = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
COLLECTIONS = [
    (ROSTER, "orgs", "orgs"),
    (ROSTER, "schools", "orgs"),
    (ROSTER, "academicSessions", "academicSessions"),
    (ROSTER, "terms", "academicSessions"),
    (ROSTER, "gradingPeriods", "academicSessions"),
    (ROSTER, "courses", "courses"),
    (ROSTER, "classes", "classes"),
    (ROSTER, "users", "users"),
    (ROSTER, "students", "users"),
    (ROSTER, "teachers", "users"),
    (ROSTER, "enrollments", "enrollments"),
    (GRADEBOOK, "categories", "categories"),
    (GRADEBOOK, "lineItems", "lineItems"),
    (GRADEBOOK, "results", "results"),
]


@pytest.fixture
def marked(cast):
    f.MarkFactory(school=cast.school, lesson=cast.lesson, student=cast.pupil, value="5")
    f.MarkFactory(school=cast.school, lesson=cast.lesson, student=cast.sibling_7a, value="pass")
    return cast


def sid(kind, obj):
    return ids.encode(kind, obj.pk)


@pytest.mark.parametrize(("base", "name", "envelope"), COLLECTIONS)
def test_every_collection_pages_at_the_edges(api, marked, base, name, envelope):
    whole = api.get(f"{base}/{name}")
    assert whole.status_code == 200
    total = int(whole["X-Total-Count"])
    assert total == len(whole.json()[envelope]) >= 1
    first = api.get(f"{base}/{name}", {"limit": 1})
    assert len(first.json()[envelope]) == 1
    assert first["X-Total-Count"] == str(total)
    assert 'rel="first"' in first["Link"] and 'rel="last"' in first["Link"]
    assert ('rel="next"' in first["Link"]) == (total > 1)
    ids_one_by_one = [
        api.get(f"{base}/{name}", {"limit": 1, "offset": n}).json()[envelope][0]["sourcedId"]
        for n in range(total)
    ]
    assert ids_one_by_one == [o["sourcedId"] for o in whole.json()[envelope]]
    past = api.get(f"{base}/{name}", {"offset": total + 5})
    assert past.status_code == 200 and past.json()[envelope] == []
    assert past["X-Total-Count"] == str(total)
    one = whole.json()[envelope][0]
    item = api.get(f"{base}/{name}/{one['sourcedId']}")
    assert item.status_code == 200
    singular = {"classes": "class", "categories": "category"}.get(envelope, envelope[:-1])
    assert item.json()[singular] == one


def test_a_bad_limit_and_an_unknown_id_answer_the_standards_errors(api, cast):
    bad = api.get(f"{ROSTER}/users", {"limit": 0})
    assert bad.status_code == 400 and bad.json()["imsx_codeMajor"] == "failure"
    missing = api.get(f"{ROSTER}/users/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    minor = missing.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]
    assert minor["imsx_codeMinorFieldValue"] == "unknownobject"


def test_filters_by_email_status_and_date_last_modified(api, cast, clock):
    user = cast.subject_teacher
    user.email = "Uchitel@School7.ru"
    user.save(update_fields=["email"])
    by_email = api.get(f"{ROSTER}/users", {"filter": "email='uchitel@school7.ru'"})
    by_email = by_email.json()
    assert [u["sourcedId"] for u in by_email["users"]] == [sid("teacher", user.teacher)]
    # Half an hour later (the token lives an hour): one pupil changes.
    clock.move_to(dt.datetime(2026, 11, 25, 7, 30, tzinfo=dt.UTC))
    cast.pupil.first_name = "Павел"
    cast.pupil.save(update_fields=["first_name", "updated_at"])
    delta = api.get(
        f"{ROSTER}/users", {"filter": "dateLastModified>'2026-11-25T07:15:00Z'"}
    ).json()["users"]
    assert [u["givenName"] for u in delta] == ["Павел"]
    enrollment = cast.stranger_child.enrollments.get()
    enrollment.left_on = cast.today
    enrollment.save(update_fields=["left_on", "updated_at"])
    gone = api.get(f"{ROSTER}/students", {"filter": "status='tobedeleted'"}).json()["users"]
    assert [u["sourcedId"] for u in gone] == [sid("student", cast.stranger_child)]


def test_an_or_filter_never_leaves_the_school(client, api, cast):
    other = f.SchoolFactory()
    f.StudentFactory(school=other, first_name="Чужой")
    everyone = api.get(
        f"{ROSTER}/users", {"filter": "status='active' OR status='tobedeleted'"}
    ).json()["users"]
    assert "Чужой" not in {u["givenName"] for u in everyone}
    assert len(everyone) == int(api.get(f"{ROSTER}/users")["X-Total-Count"])


def test_sort_and_fields(api, cast):
    names = api.get(f"{ROSTER}/courses", {"sort": "title", "orderBy": "desc"}).json()["courses"]
    assert [c["title"] for c in names] == ["Русский язык", "Математика"]
    slim = api.get(f"{ROSTER}/courses", {"fields": "sourcedId,title"}).json()["courses"]
    assert all(set(c) == {"sourcedId", "title"} for c in slim)
    unknown = api.get(f"{ROSTER}/courses", {"fields": "title,colour"})
    assert unknown.status_code == 400
    assert "invalid_selection_field" in unknown.content.decode()


@pytest.mark.parametrize(
    "text",
    [
        "status=active",
        "status='active' AND",
        "colour='red'",
        "status='active' AND role='student' AND email='x'",
        "dateLastModified>'yesterday'",
        "sourcedId>'x'",
    ],
)
def test_a_malformed_filter_is_the_standards_400(api, cast, text):
    response = api.get(f"{ROSTER}/users", {"filter": text})
    assert response.status_code == 400
    body = response.json()
    assert body["imsx_codeMajor"] == "failure" and body["imsx_severity"] == "error"
    minor = body["imsx_CodeMinor"]["imsx_codeMinorField"][0]
    assert minor == {
        "imsx_codeMinorFieldName": "TargetEndSystem",
        "imsx_codeMinorFieldValue": "invalid_filter_field",
    }


def test_nested_collections_return_what_the_journal_holds(api, marked):
    cast = marked
    math_7a = cast.subject_teacher.teacher.assignments.get()
    classes = api.get(f"{ROSTER}/teachers/{sid('teacher', cast.subject_teacher.teacher)}/classes")
    assert [c["sourcedId"] for c in classes.json()["classes"]] == [sid("class", math_7a)]
    students = api.get(f"{ROSTER}/classes/{sid('class', math_7a)}/students").json()["users"]
    assert {u["sourcedId"] for u in students} == {
        sid("student", s) for s in (cast.pupil, cast.sibling_7a, cast.pupil_no_consent)
    }
    teachers = api.get(f"{ROSTER}/classes/{sid('class', math_7a)}/teachers").json()["users"]
    assert [u["sourcedId"] for u in teachers] == [sid("teacher", cast.subject_teacher.teacher)]
    periods = api.get(f"{ROSTER}/terms/{sid('period', cast.year_period)}/gradingPeriods")
    assert [p["sourcedId"] for p in periods.json()["academicSessions"]] == [
        sid("period", cast.period)
    ]
    Homework.objects.create(
        school=cast.school, lesson=cast.lesson, text="№ 5", created_by=cast.subject_teacher
    )
    items = api.get(f"{GRADEBOOK}/classes/{sid('class', math_7a)}/lineItems").json()["lineItems"]
    items = [i for i in items if not i["metadata"].get("ru.final")]  # the finals: their own test
    assert [i["sourcedId"] for i in items] == [sid("lineItem", cast.lesson)]
    assert items[0]["metadata"]["ru.homework"] == "№ 5"
    results = api.get(
        f"{GRADEBOOK}/classes/{sid('class', math_7a)}/lineItems/{items[0]['sourcedId']}/results"
    ).json()["results"]
    assert sorted((r["textScore"], r["score"]) for r in results) == [("5", 5.0), ("pass", None)]
    other_class = cast.other_teacher.teacher.assignments.get()
    wrong = (
        f"{GRADEBOOK}/classes/{sid('class', other_class)}/lineItems/{items[0]['sourcedId']}/results"
    )
    assert api.get(wrong).status_code == 404


def test_query_counts_stay_flat(api, marked, django_assert_num_queries):
    for n in range(5):
        f.StudentFactory(school=marked.school, first_name=f"Новенький{n}")
        f.TeacherFactory(school=marked.school)
    # auth (token, application, client, account) + count + page + agents + access-log insert
    with django_assert_num_queries(8):
        assert api.get(f"{ROSTER}/users", {"limit": 100}).status_code == 200
    with django_assert_num_queries(7):
        assert api.get(f"{ROSTER}/enrollments").status_code == 200
    with django_assert_num_queries(7):
        assert api.get(f"{GRADEBOOK}/results").status_code == 200
    assert Teacher.objects.count() > 5
