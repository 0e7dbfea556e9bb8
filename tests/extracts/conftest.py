"""The extracts' fixtures: a journal for the cast's 7 «А» with marks, absences, a published
final, a deferral, homework of the coming week and remarks; PDF text through pdftotext."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from journal import models as jm
from tests import factories as f

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


def pdf_text(content: bytes, tmp_path, *, layout: bool = False) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    args = [PDFTOTEXT, *(["-layout"] if layout else []), str(path), "-"]
    result = subprocess.run(args, capture_output=True, check=True)
    return result.stdout.decode()


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(content: bytes) -> int:
    return content.count(b"/Type /Page\n") + content.count(b"/Type /Page>") or _pdfinfo(content)


def _pdfinfo(content: bytes) -> int:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        out = subprocess.run(
            [shutil.which("pdfinfo") or "/usr/bin/pdfinfo", handle.name],
            capture_output=True,
            check=True,
        ).stdout.decode()
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def lesson(cast, *, subject=None, day=None, number=1, work_type=None, teacher=None):
    subject = subject or cast.math
    return f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=subject,
        teacher=(teacher or cast.subject_teacher).teacher,
        date=day or cast.today - dt.timedelta(days=7),
        lesson_number=number,
        work_type=work_type or cast.answer,
    )


@pytest.fixture
def journal(cast):
    """Pupil (Пётр) has: math 5, 4 (answers) and 3 (control work); Russian 5; an absence;
    a published final for the period in math (4) and a deferred Russian final; homework due
    in the coming week; a remark. Anna (sibling_7a) has a math 2 that must never show on
    Pёtr's paper."""
    today = cast.today
    week_ago = today - dt.timedelta(days=7)
    math1 = lesson(cast, day=week_ago, number=1)
    math2 = lesson(cast, day=week_ago + dt.timedelta(days=1), number=1)
    math3 = lesson(cast, day=week_ago + dt.timedelta(days=2), number=1, work_type=cast.control)
    rus = lesson(cast, subject=cast.russian, day=week_ago, number=2, teacher=cast.class_teacher)
    marks = [
        f.MarkFactory(lesson=math1, student=cast.pupil, value="5"),
        f.MarkFactory(lesson=math2, student=cast.pupil, value="4"),
        f.MarkFactory(lesson=math3, student=cast.pupil, value="3", work_type=cast.control),
        f.MarkFactory(lesson=rus, student=cast.pupil, value="5"),
        f.MarkFactory(lesson=math1, student=cast.sibling_7a, value="2"),
    ]
    jm.Attendance.objects.create(
        school=cast.school,
        lesson=math2,
        student=cast.pupil,
        code=jm.AttendanceCode.ILL,
        date=math2.date,
        created_by=cast.subject_teacher,
    )
    now = timezone.now()
    f.FinalMarkFactory(
        school=cast.school,
        period=cast.period,
        student=cast.pupil,
        subject=cast.math,
        value="4",
        set_by=cast.subject_teacher,
        published_at=now - dt.timedelta(hours=1),
    )
    f.FinalMarkFactory(
        school=cast.school,
        period=cast.period,
        student=cast.pupil,
        subject=cast.russian,
        value="",
        status=jm.FinalStatus.DEFERRED,
        deferral_reason="болезнь",
        deferred_until=today + dt.timedelta(days=14),
        set_by=cast.class_teacher,
        published_at=now - dt.timedelta(hours=1),
    )
    upcoming = lesson(cast, day=today, number=3)
    homework = jm.Homework.objects.create(
        school=cast.school,
        lesson=upcoming,
        text="Задачи № 101–105",
        due_date=today + dt.timedelta(days=2),
        created_by=cast.subject_teacher,
    )
    remark = jm.Remark.objects.create(
        school=cast.school,
        student=cast.pupil,
        lesson=math1,
        subject=cast.math,
        kind=jm.RemarkKind.RECOMMENDATION,
        text="Повторить дроби",
        author=cast.subject_teacher,
    )
    return {"marks": marks, "homework": homework, "remark": remark}
