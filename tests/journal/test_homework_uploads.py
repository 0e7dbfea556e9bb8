"""Homework files are judged by their content, not their name, and always served as
downloads that a browser will not sniff into something else."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journal import models as jm
from journal.services import homework_set


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD = {
    "отчёт.pdf": b"%PDF-1.7\n...",
    "фото.jpg": b"\xff\xd8\xff\xe0JFIF",
    "схема.png": b"\x89PNG\r\n\x1a\nIHDR",
    "старый.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8,
    "задание.docx": _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}),
    "таблица.xlsx": _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"}),
    "слайды.pptx": _zip({"[Content_Types].xml": b"<x/>", "ppt/presentation.xml": b"<p/>"}),
    "текст.odt": _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
    "читать.txt": "Прочитать § 12, ответить на вопросы".encode(),
    "старая-кодировка.txt": "Упражнение № 5".encode("cp1251"),
}
DISGUISED = {
    "report.pdf": b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
    "photo.jpg": b"\x7fELF\x02\x01\x01",  # a Linux executable
    "task.docx": _zip({"evil.exe": b"MZ"}),  # a zip, but no document inside
    "sheet.xlsx": _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}),
    "page.odt": _zip({"mimetype": b"application/zip"}),
    "notes.txt": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # binary, with NUL bytes
    "picture.png": b"<html><script>alert(1)</script></html>",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_file_that_is_what_its_name_says_is_accepted(cast, media, name):
    upload = SimpleUploadedFile(name, GOOD[name])
    homework = homework_set(
        user=cast.subject_teacher, lesson=cast.lesson, text="Задание", files=[upload]
    )
    stored = homework.files.get()
    assert stored.original_name == name
    with stored.file.open("rb") as handle:
        assert handle.read() == GOOD[name]


@pytest.mark.parametrize("name", sorted(DISGUISED))
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(cast, media, name):
    upload = SimpleUploadedFile(name, DISGUISED[name])
    with pytest.raises(ValidationError) as refused:
        homework_set(user=cast.subject_teacher, lesson=cast.lesson, text="Задание", files=[upload])
    message = refused.value.message_dict["files"][0]
    assert name in message and "не является файлом" in message
    assert not jm.Homework.objects.exists() and not jm.HomeworkFile.objects.exists()


def test_one_bad_file_refuses_the_whole_homework(cast, media):
    files = [
        SimpleUploadedFile("отчёт.pdf", GOOD["отчёт.pdf"]),
        SimpleUploadedFile("report.pdf", DISGUISED["report.pdf"]),
    ]
    with pytest.raises(ValidationError):
        homework_set(user=cast.subject_teacher, lesson=cast.lesson, text="Задание", files=files)
    assert not jm.HomeworkFile.objects.exists()


def test_homework_files_are_served_as_downloads_that_are_not_sniffed(as_user, cast, media):
    homework = homework_set(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        text="Задание",
        files=[SimpleUploadedFile("отчёт.pdf", GOOD["отчёт.pdf"])],
    )
    stored = homework.files.get()
    for user, url in [
        (cast.subject_teacher, reverse("journal:homework_file", args=[stored.pk])),
        (cast.guardian, reverse("diary:homework_file", args=[cast.pupil.pk, stored.pk])),
    ]:
        response = as_user(user).get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;"), url
        assert "filename*=utf-8''" in response["Content-Disposition"], url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"]
