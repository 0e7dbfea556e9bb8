"""The write API: upserts by the sender's ids through the journal's services, all or nothing."""

import pytest

from journal import events
from journal.models import Attendance, Lesson, Mark, MarkChange, Remark
from school.models import ClassGroup, Enrollment, ExternalEntity, Student
from school.services import external_map

ROSTER = [
    (
        "years",
        [{"id": "Y", "name": "2030/2031", "starts_on": "2030-09-01", "ends_on": "2031-08-31"}],
    ),
    ("subjects", [{"id": "MATH", "name": "Алгебра"}]),
    ("teachers", [{"id": "T1", "last_name": "Петрова", "first_name": "Анна"}]),
    ("classes", [{"id": "8A", "year": "Y", "level": 8, "letter": "А", "class_teacher": "T1"}]),
    (
        "students",
        [
            {
                "id": "S1",
                "last_name": "Орлов",
                "first_name": "Миша",
                "class": "8A",
                "joined_on": "2030-09-01",
            },
            {
                "id": "S2",
                "last_name": "Белова",
                "first_name": "Оля",
                "class": "8A",
                "joined_on": "2030-09-01",
            },
        ],
    ),
    (
        "guardians",
        [
            {
                "id": "G1",
                "last_name": "Орлова",
                "first_name": "Елена",
                "children": [{"student": "S1", "relation": "mother"}],
            }
        ],
    ),
    ("assignments", [{"id": "A1", "year": "Y", "teacher": "T1", "subject": "MATH", "class": "8A"}]),
]


def send_roster(api):
    for entity, items in ROSTER:
        response = api.post(f"/api/v1/{entity}/", {"items": items})
        assert response.status_code == 200, (entity, response.json())


@pytest.fixture
def known(cast):
    """The cast's lesson and pupils as the sending system knows them."""
    for entity, ext, obj in [
        (ExternalEntity.LESSON, "L1", cast.lesson),
        (ExternalEntity.STUDENT, "P1", cast.pupil),
        (ExternalEntity.STUDENT, "P2", cast.sibling_7a),
        (ExternalEntity.STUDENT, "X", cast.stranger_child),
    ]:
        external_map(
            school=cast.school, source="other-journal", entity=entity, external_id=ext, obj=obj
        )


def test_a_roster_arrives_and_the_same_batch_twice_changes_nothing(api, cast):
    send_roster(api)
    klass = ClassGroup.objects.get(school=cast.school, level=8, letter="А")
    assert klass.class_teacher.last_name == "Петрова"
    assert Enrollment.objects.filter(class_group=klass).count() == 2
    orlov = Student.objects.get(last_name="Орлов")
    assert orlov.guardians.get().last_name == "Орлова"
    counts = (Student.objects.count(), Enrollment.objects.count(), MarkChange.objects.count())
    for entity, items in ROSTER:
        again = api.post(f"/api/v1/{entity}/", {"items": items}).json()
        assert again["unchanged"] == len(items), (entity, again)
    assert (
        Student.objects.count(),
        Enrollment.objects.count(),
        MarkChange.objects.count(),
    ) == counts


def test_a_changed_item_is_updated_in_place(api, cast):
    send_roster(api)
    response = api.post(
        "/api/v1/students/",
        {
            "items": [
                {
                    "id": "S1",
                    "last_name": "Орлов",
                    "first_name": "Михаил",
                    "class": "8A",
                    "joined_on": "2030-09-01",
                }
            ]
        },
    )
    assert response.json()["results"][0]["action"] == "updated"
    assert Student.objects.filter(first_name="Михаил").count() == 1


def test_an_invalid_item_rolls_back_its_batch_with_a_precise_error(api, cast):
    send_roster(api)
    response = api.post(
        "/api/v1/students/",
        {
            "items": [
                {"id": "S3", "last_name": "Новый", "first_name": "Ученик", "class": "8A"},
                {"id": "S4", "last_name": "Ещё", "first_name": "Один", "class": "9Z"},
            ]
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "index": 1,
            "id": "S4",
            "field": "class",
            "message": "Не найдено: класс «9Z»; сначала передайте эту запись.",
        }
    ]
    assert not Student.objects.filter(last_name="Новый").exists()


def test_a_malformed_item_names_its_index_and_field(api, cast):
    response = api.post(
        "/api/v1/classes/",
        {
            "items": [
                {"id": "C1", "year": "Y", "level": 3, "letter": "А"},
                {"id": "C2", "year": "Y", "level": 14, "letter": "Б"},
            ]
        },
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["index"], error["id"], error["field"]) == (1, "C2", "level")


def test_a_mark_by_api_goes_through_the_journal(
    api, cast, known, as_user, django_capture_on_commit_callbacks
):
    seen = []
    events.marks_saved.connect(
        lambda sender, **kw: seen.append(kw), weak=False, dispatch_uid="test-api-mark"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                "/api/v1/marks/",
                {
                    "items": [
                        {
                            "id": "M1",
                            "lesson": "L1",
                            "student": "P1",
                            "value": "5",
                            "comment": "Решил задачу у доски",
                        },
                        {"id": "M2", "lesson": "L1", "student": "P1", "slot": 2, "value": "4"},
                        {"id": "M3", "lesson": "L1", "student": "P2", "value": "pass"},
                    ]
                },
            )
    finally:
        events.marks_saved.disconnect(dispatch_uid="test-api-mark")
    assert response.status_code == 200, response.json()
    marks = Mark.objects.filter(lesson=cast.lesson, student=cast.pupil).order_by("slot")
    assert [m.value for m in marks] == ["5", "4"]
    assert marks[0].created_by == api.api_client.account
    history = MarkChange.objects.filter(student=cast.pupil, action="create")
    assert history.count() == 2 and history.first().changed_by == api.api_client.account
    # The event the notifications' outbox listens to, after the commit, with the mark ids.
    assert sorted(i for kw in seen for i in kw["mark_ids"]) == sorted(
        Mark.objects.filter(lesson=cast.lesson).values_list("pk", flat=True)
    )
    page = as_user(cast.guardian).get(f"/diary/{cast.pupil.pk}/marks/")
    assert page.status_code == 200
    assert "5" in page.content.decode()
    again = api.post(
        "/api/v1/marks/",
        {
            "items": [
                {
                    "id": "M1",
                    "lesson": "L1",
                    "student": "P1",
                    "value": "5",
                    "comment": "Решил задачу у доски",
                }
            ]
        },
    )
    assert again.json()["unchanged"] == 1
    assert MarkChange.objects.filter(student=cast.pupil).count() == 2


def test_a_mark_for_a_pupil_outside_the_lesson_is_refused(api, cast, known):
    response = api.post(
        "/api/v1/marks/",
        {
            "items": [
                {"id": "M1", "lesson": "L1", "student": "P1", "value": "5"},
                {"id": "M9", "lesson": "L1", "student": "X", "value": "3"},
            ]
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] | {"message": ""} == {
        "index": 1,
        "id": "M9",
        "field": "student",
        "message": "",
    }
    assert not Mark.objects.exists()


def test_a_deleted_mark_keeps_its_history(api, cast, known):
    api.post(
        "/api/v1/marks/", {"items": [{"id": "M1", "lesson": "L1", "student": "P1", "value": "2"}]}
    )
    response = api.post("/api/v1/marks/delete/", {"items": [{"id": "M1", "reason": "ошибка"}]})
    assert response.json()["updated"] == 1
    assert not Mark.objects.exists()
    assert list(MarkChange.objects.order_by("id").values_list("action", flat=True)) == [
        "create",
        "delete",
    ]
    assert api.post("/api/v1/marks/delete/", {"items": [{"id": "M1"}]}).json()["unchanged"] == 1


def test_attendance_and_a_message_to_parents(api, cast, known):
    response = api.post(
        "/api/v1/attendance/",
        {"items": [{"id": "A1", "lesson": "L1", "student": "P1", "code": "ill"}]},
    )
    assert response.status_code == 200, response.json()
    assert Attendance.objects.get(student=cast.pupil).code == "ill"
    api.post("/api/v1/attendance/delete/", {"items": [{"id": "A1"}]})
    assert not Attendance.objects.exists()
    remark = api.post(
        "/api/v1/remarks/",
        {
            "items": [
                {
                    "id": "R1",
                    "lesson": "L1",
                    "student": "P1",
                    "kind": "message",
                    "text": "Прошу зайти в школу",
                }
            ]
        },
    )
    assert remark.status_code == 200
    assert Remark.objects.get().kind == "message"


def test_lessons_with_topic_homework_substitution_and_cancellation(api, cast, known):
    send_roster(api)
    api.post(
        "/api/v1/teachers/", {"items": [{"id": "T2", "last_name": "Сидоров", "first_name": "Олег"}]}
    )
    lesson = {
        "id": "L9",
        "class": "8A",
        "subject": "MATH",
        "teacher": "T1",
        "date": "2030-09-02",
        "lesson_number": 1,
        "topic": "Дроби",
        "work_type": cast.answer.name,
        "substitute_teacher": "T2",
        "homework": {"text": "№ 12, 14"},
    }
    first = api.post("/api/v1/lessons/", {"items": [lesson]})
    assert first.status_code == 200, first.json()
    stored = Lesson.objects.get(topic="Дроби")
    assert stored.substitute_teacher.last_name == "Сидоров"
    assert stored.homework.get().text == "№ 12, 14"
    assert api.post("/api/v1/lessons/", {"items": [lesson]}).json()["unchanged"] == 1
    assert api.post("/api/v1/lessons/delete/", {"items": [{"id": "L9"}]}).status_code == 200
    stored.refresh_from_db()
    assert stored.status == "cancelled"


def test_a_substitute_busy_at_that_period_is_refused_by_the_item_field(api, cast, known):
    send_roster(api)
    api.post(
        "/api/v1/teachers/", {"items": [{"id": "T2", "last_name": "Сидоров", "first_name": "Олег"}]}
    )
    own = {
        "id": "L10",
        "class": "8A",
        "subject": "MATH",
        "teacher": "T2",
        "date": "2030-09-03",
        "lesson_number": 2,
    }
    assert api.post("/api/v1/lessons/", {"items": [own]}).status_code == 200
    lesson = {**own, "id": "L11", "teacher": "T1", "lesson_number": 3, "substitute_teacher": "T2"}
    assert api.post("/api/v1/lessons/", {"items": [lesson]}).status_code == 200
    busy = {**lesson, "id": "L12", "lesson_number": 2}
    response = api.post("/api/v1/lessons/", {"items": [busy]})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "substitute_teacher"
    assert "Сидоров" in error["message"]
    assert Lesson.objects.filter(date="2030-09-03", lesson_number=2).count() == 1  # L10 alone


def test_reconciliation_counts_and_checksums_per_class(api, cast, known):
    external_map(
        school=cast.school,
        source="other-journal",
        entity=ExternalEntity.PERIOD,
        external_id="Q2",
        obj=cast.period,
    )
    api.post(
        "/api/v1/marks/", {"items": [{"id": "M1", "lesson": "L1", "student": "P1", "value": "5"}]}
    )
    response = api.get("/api/v1/reconciliation/", {"period": "Q2"})
    assert response.status_code == 200
    row = next(c for c in response.json()["classes"] if c["level"] == 7)
    import hashlib

    assert row["marks"] == {
        "count": 1,
        "not_sent": 0,
        "checksum": hashlib.sha256(b"L1|P1|1|5").hexdigest(),
    }
    assert row["students"] == 3
    assert api.get("/api/v1/reconciliation/", {"period": "nope"}).status_code == 404


def test_finals_and_a_deferral_through_the_finals_service(api, cast, known):
    from journal.models import FinalMark

    for entity, ext, obj in [
        (ExternalEntity.SUBJECT, "MATH7", cast.math),
        (ExternalEntity.PERIOD, "Q2", cast.period),
    ]:
        external_map(
            school=cast.school, source="other-journal", entity=entity, external_id=ext, obj=obj
        )
    final = {"id": "F1", "student": "P1", "subject": "MATH7", "period": "Q2", "choice": "4"}
    response = api.post("/api/v1/finals/", {"items": [final]})
    assert response.status_code == 200, response.json()
    row = FinalMark.objects.get(student=cast.pupil, subject=cast.math, period=cast.period)
    assert (row.value, row.set_by, row.published_at is not None) == (
        "4",
        api.api_client.account,
        True,
    )
    assert api.post("/api/v1/finals/", {"items": [final]}).json()["unchanged"] == 1
    deferral = {
        "id": "D1",
        "student": "P2",
        "subject": "MATH7",
        "period": "Q2",
        "reason": "болезнь",
        "document": "справка № 12",
        "due_date": "2026-12-10",
    }
    assert api.post("/api/v1/deferrals/", {"items": [deferral]}).json()["created"] == 1
    assert api.post("/api/v1/deferrals/", {"items": [deferral]}).json()["unchanged"] == 1
    assert FinalMark.objects.get(student=cast.sibling_7a).status == "deferred"
    assert MarkChange.objects.filter(entity="final_mark").count() == 2
