"""Awkward content on paper: long and unusual names, emoji, markup typed into homework (text,
and nothing fetched), 400 marks paginating with the table headers repeated."""

import datetime as dt
import http.server
import shutil
import subprocess
import threading

import pytest
from django.urls import reverse

from extracts.models import FileStatus, GeneratedFile
from extracts.pdf import StaticOnlyFetcher, html_to_pdf
from journal import models as jm
from tests import factories as f

from .conftest import flat, lesson, pdf_text


@pytest.fixture
def loopback():
    """A loopback HTTP server that counts every request it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def build_extract(cast, as_user, callbacks, student) -> bytes:
    client = as_user(cast.school_admin)
    with callbacks(execute=True):
        client.post(reverse("extracts:student", args=[student.pk]), {"period": cast.period.pk})
    generated = GeneratedFile.objects.latest("pk")
    assert generated.status == FileStatus.READY, generated.error
    response = client.get(reverse("extracts:download", args=[generated.pk]))
    return b"".join(response.streaming_content), generated


def test_names_emoji_and_markup_print_as_text_and_nothing_is_fetched(
    cast, as_user, django_capture_on_commit_callbacks, tmp_path, loopback
):
    base, hits = loopback
    pupil = cast.pupil
    pupil.last_name = "Салтыкова-Щедрина"
    pupil.first_name = "Алёна"
    pupil.patronymic = "Ё" + "ж" * 148  # the full name passes 150 + … characters
    pupil.save(update_fields=["last_name", "first_name", "patronymic"])
    long_name = pupil.full_name
    assert len(long_name) >= 170
    day = lesson(cast, day=cast.today)
    f.MarkFactory(lesson=day, student=pupil, value="5")
    jm.Remark.objects.create(
        school=cast.school,
        student=pupil,
        lesson=day,
        subject=cast.math,
        kind=jm.RemarkKind.COMMENT,
        text="Молодец 😀",
        author=cast.subject_teacher,
    )
    jm.Homework.objects.create(
        school=cast.school,
        lesson=day,
        text=f'<script>alert(1)</script> <img src="{base}/tracker.png"> упр. 5',
        due_date=cast.today + dt.timedelta(days=1),
        created_by=cast.subject_teacher,
    )
    content, _generated = build_extract(cast, as_user, django_capture_on_commit_callbacks, pupil)
    text = flat(pdf_text(content, tmp_path))
    assert "Салтыкова-Щедрина Алёна Ёжжж" in text
    assert "Молодец 😀" in text
    assert "<script>alert(1)</script>" in text
    assert f'<img src="{base}/tracker.png">' in text
    assert hits == []
    # The project's DejaVu (as "Ednevnik Sans"); Pango may take an emoji from the system's
    # copy of the same DejaVu. No other font, so no glyph drawn as a missing box.
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(
        [shutil.which("pdffonts") or "/usr/bin/pdffonts", str(path)],
        capture_output=True,
        check=True,
    ).stdout.decode()
    families = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    assert "Ednevnik-Sans" in families
    assert families <= {"Ednevnik-Sans", "Ednevnik-Sans-Bold", "DejaVu-Sans"}, families


def test_the_fetcher_refuses_markup_that_would_fetch_and_the_server_is_not_asked(
    loopback, tmp_path
):
    base, hits = loopback
    fetcher = StaticOnlyFetcher()
    html = (
        '<link rel="stylesheet" href="/static/css/print.css">'
        f'<p>x</p><img src="{base}/a.png"><img src="file:///etc/passwd">'
        f'<div style="background: url({base}/b.png)">y</div>'
    )
    content, pages = html_to_pdf(html, fetcher)
    assert content.startswith(b"%PDF") and pages == 1
    assert hits == []
    assert f"{base}/a.png" in fetcher.refused and "file:///etc/passwd" in fetcher.refused
    assert "css/print.css" in fetcher.served and "fonts/DejaVuSans.ttf" in fetcher.served


def test_400_marks_paginate_with_the_table_headers_repeated(
    cast, as_user, django_capture_on_commit_callbacks, tmp_path
):
    marks = []
    start = cast.period.starts_on
    values = ["5", "4", "3", "2"]
    for n in range(400):
        day = start + dt.timedelta(days=n % 35)
        number = n // 35 + 1
        subject = cast.math if n % 2 else cast.russian
        row = lesson(cast, subject=subject, day=day, number=number)
        marks.append(
            jm.Mark(
                school=cast.school,
                lesson=row,
                student=cast.pupil,
                value=values[n % 4],
                work_type=cast.answer,
                date=day,
                subject=subject,
                created_by=cast.subject_teacher,
            )
        )
    jm.Mark.objects.bulk_create(marks)
    content, generated = build_extract(
        cast, as_user, django_capture_on_commit_callbacks, cast.pupil
    )
    assert generated.pages >= 3
    pages = pdf_text(content, tmp_path).split("\f")
    header = "Предмет: отметка, вид работы (вес), комментарий"
    with_header = [i for i, page in enumerate(pages) if header in flat(page)]
    assert len(with_header) >= 2, "the marks table continues with its header on the next page"
