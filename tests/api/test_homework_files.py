"""Homework files through the write API: base64 in the lesson's homework, judged by the
journal's own upload checks (type, content, size), recorded in the history, and deleted only
explicitly, the history keeping the file's name."""

import base64

import pytest

from journal.models import HomeworkFile, MarkChange
from school.models import ExternalEntity
from school.services import external_map

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def known(cast):
    external_map(
        school=cast.school,
        source="other-journal",
        entity=ExternalEntity.LESSON,
        external_id="L1",
        obj=cast.lesson,
    )


def lesson_item(cast, files, text="§ 5, задачи 1–3"):
    return {
        "id": "L1",
        "class": "C",
        "subject": "S",
        "teacher": "T",
        "date": cast.today.isoformat(),
        "lesson_number": cast.lesson.lesson_number,
        "topic": cast.lesson.topic,
        "work_type": cast.lesson.work_type.name,
        "homework": {"text": text, "files": files},
    }


def pdf_file(file_id="F1", name="задачи.pdf", content=PDF, content_type="application/pdf"):
    return {"id": file_id, "name": name, "content_type": content_type, "content": b64(content)}


def send(api, cast, files, **kwargs):
    return api.post("/api/v1/lessons/", {"items": [lesson_item(cast, files, **kwargs)]})


def test_a_file_arrives_with_its_homework_and_its_history(api, cast, known):
    response = send(api, cast, [pdf_file()])
    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == 1
    attached = HomeworkFile.objects.get()
    assert (attached.original_name, attached.content_type, attached.size) == (
        "задачи.pdf",
        "application/pdf",
        len(PDF),
    )
    with attached.file.open("rb") as stored:
        assert stored.read() == PDF
    history = MarkChange.objects.get(entity=MarkChange.Entity.HOMEWORK_FILE)
    assert history.changed_by == api.api_client.account
    assert history.after == {"name": "задачи.pdf", "size": len(PDF)}
    # The same batch again: the file is known by its id, nothing changes.
    again = send(api, cast, [pdf_file()])
    assert again.json()["unchanged"] == 1
    assert HomeworkFile.objects.count() == 1


def test_a_file_left_out_is_not_removed(api, cast, known):
    send(api, cast, [pdf_file()])
    response = send(
        api,
        cast,
        [
            pdf_file(
                "F2",
                name="ответы.txt",
                content_type="text/plain",
                content="Ответы: 1) 5; 2) 7".encode(),
            )
        ],
    )
    assert response.status_code == 200, response.json()
    assert set(HomeworkFile.objects.values_list("original_name", flat=True)) == {
        "задачи.pdf",
        "ответы.txt",
    }


@pytest.mark.parametrize(
    ("part", "message"),
    [
        # An executable renamed: the content is judged, not the name.
        (pdf_file(content=b"MZ\x90\x00\x03" + b"\x00" * 60), "не является файлом PDF"),
        (pdf_file(name="run.exe", content_type="application/octet-stream"), "не принимаются"),
        (pdf_file(content_type="image/png"), "не соответствует файлу"),
    ],
)
def test_a_bad_file_refuses_the_batch_and_saves_nothing(api, cast, known, part, message):
    response = send(api, cast, [part], text="Новое задание")
    assert response.status_code == 422, response.json()
    error = response.json()["errors"][0]
    assert (error["id"], error["field"]) == ("L1", "homework")
    assert message in error["message"]
    assert not HomeworkFile.objects.exists()
    assert not MarkChange.objects.filter(entity=MarkChange.Entity.HOMEWORK).exists()


def test_a_file_over_the_upload_limit_is_refused(api, cast, known, settings):
    settings.UPLOAD_MAX_BYTES = 20
    response = send(api, cast, [pdf_file()])
    assert response.status_code == 422
    assert "слишком большой" in response.json()["errors"][0]["message"]


def test_content_that_is_not_base64_is_a_shape_error(api, cast, known):
    part = pdf_file() | {"content": "не base64!"}
    response = send(api, cast, [part])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "homework"


def test_a_file_is_deleted_explicitly_and_the_history_keeps_it(api, cast, known):
    send(api, cast, [pdf_file()])
    response = api.post("/api/v1/homework_files/delete/", {"items": [{"id": "F1"}]})
    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == 1
    assert not HomeworkFile.objects.exists()
    actions = list(
        MarkChange.objects.filter(entity=MarkChange.Entity.HOMEWORK_FILE)
        .order_by("pk")
        .values_list("action", "before")
    )
    assert actions == [("create", None), ("delete", {"name": "задачи.pdf", "size": len(PDF)})]
    again = api.post("/api/v1/homework_files/delete/", {"items": [{"id": "F1"}]})
    assert again.json()["unchanged"] == 1


def test_homework_files_have_no_upsert_endpoint(api):
    assert api.post("/api/v1/homework_files/", {"items": [{"id": "F1"}]}).status_code == 404
