"""The paper extracts with real parts: a class batch asked for through the page, built by a
real Celery worker consuming the `pdf` queue on Redis (a prefork worker, whose pool process
splits the batch between processes of its own), downloaded and read back with pdftotext."""

import datetime as dt
import shutil
import subprocess
import time

import pytest
from django.test import Client
from django.urls import reverse

from extracts.models import ExtractCopy, FileStatus, GeneratedFile
from tests import factories as f
from tests.signin import sign_in

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


def wait_for_file(file_id: int, timeout: float = 120.0) -> GeneratedFile:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        generated = GeneratedFile.objects.get(pk=file_id)
        if generated.is_done:
            return generated
        time.sleep(0.2)
    raise AssertionError(f"the file was not built within {timeout} s: {generated.status}")


@pytest.fixture
def media(settings, tmp_path):
    """One media directory for this process (the download) and the worker (the build)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


def test_a_class_batch_is_built_by_the_pdf_worker_and_downloaded(
    cast, media, worker_factory, tmp_path
):
    day = cast.today - dt.timedelta(days=7)
    lesson = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=day,
        lesson_number=1,
        work_type=cast.answer,
    )
    f.MarkFactory(lesson=lesson, student=cast.pupil, value="5")
    f.MarkFactory(lesson=lesson, student=cast.sibling_7a, value="3")
    worker_factory(
        env={"DJANGO_MEDIA_ROOT": media, "PRINT_PROCESSES": "2"},
        queues=("pdf",),
        pool="prefork",
    )
    client = sign_in(Client(), cast.class_teacher)
    students = [cast.pupil, cast.sibling_7a, cast.pupil_no_consent]
    response = client.post(
        reverse("extracts:class_batch", args=[cast.class_7a.pk]),
        {"period": cast.period.pk, "students": [s.pk for s in students], "duplex": "on"},
    )
    assert response.status_code == 302
    generated = GeneratedFile.objects.get(kind="class_batch")
    assert response["Location"] == reverse("extracts:file", args=[generated.pk])

    generated = wait_for_file(generated.pk)
    assert generated.status == FileStatus.READY, generated.error
    status = client.get(reverse("extracts:file", args=[generated.pk]) + "?format=json").json()
    assert status["status"] == "ready" and status["finished"] and status["percent"] == 100

    download = client.get(reverse("extracts:download", args=[generated.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    path = tmp_path / "batch.pdf"
    path.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, check=True)
    pages = text.stdout.decode().split("\f")
    flat = [" ".join(page.split()) for page in pages]
    # Three one-page extracts, duplex: a blank page after the first two.
    assert generated.pages == 5
    for index, student in zip((0, 2, 4), students, strict=True):
        assert student.full_name in flat[index], (index, flat[index][:200])
        assert "Выписка из электронного журнала" in flat[index]
        assert "1/1" in flat[index].replace(" ", "")
    assert flat[1] == "" and flat[3] == ""
    assert "Математика" in flat[0] and "5" in flat[0]
    codes = list(
        ExtractCopy.objects.filter(generated_file=generated).values_list("code", flat=True)
    )
    assert len(codes) == 3
    assert all(any(code in page for page in flat) for code in codes)
