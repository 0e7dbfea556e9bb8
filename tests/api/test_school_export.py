"""Leaving with the school's data: export_school writes the school as write-API batches and
files of its own; load_school loads it into another school through the write API's
services, and the family sees the same diary there."""

import datetime as dt
import difflib
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from api.export import export_school
from api.school_load import LoadRefused, load_school
from journal.models import Attendance, FinalMark, Homework, Mark
from school.models import Guardian, Student
from tests import factories as f
from tests.signin import sign_in


@pytest.fixture
def journal(cast):
    """A few weeks of the cast's journal: marks (a double one), an absence, homework, a
    published final."""
    today = cast.today
    past = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=today - dt.timedelta(days=7),
        lesson_number=1,
        work_type=cast.control,
        topic="Дроби",
    )
    Homework.objects.create(
        school=cast.school,
        lesson=past,
        text="№ 12, 14",
        due_date=today,
        created_by=cast.subject_teacher,
    )
    f.MarkFactory(lesson=past, student=cast.pupil, value="4")
    f.MarkFactory(lesson=past, student=cast.pupil, value="5", slot=2)
    f.MarkFactory(lesson=past, student=cast.sibling_7a, value="3", comment="Поправить")
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="5")
    Attendance.objects.create(
        school=cast.school,
        lesson=past,
        student=cast.sibling_7a,
        code="late",
        date=past.date,
        created_by=cast.subject_teacher,
    )
    f.FinalMarkFactory(
        school=cast.school,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        value="5",
        published_at=timezone.now() - dt.timedelta(days=1),
    )
    return past


def _archive(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def test_the_archive_holds_write_api_batches_in_order(cast, journal):
    files = _archive(export_school(school=cast.school))
    manifest = json.loads(files["manifest.json"])
    entities = [b["entity"] for b in manifest["batches"]]
    assert entities.index("years") < entities.index("classes") < entities.index("students")
    assert entities.index("lessons") < entities.index("marks") < entities.index("finals")
    marks = json.loads(files[manifest["batches"][entities.index("marks")]["file"]])
    assert {m["value"] for m in marks["items"]} == {"3", "4", "5"}
    assert set(manifest["files"]) >= {"history.json", "consents.json", "access_log.json"}
    assert json.loads(files["consents.json"])


def test_the_archive_holds_nothing_of_another_school(cast, journal):
    other = f.SchoolFactory(name="Чужая школа")
    f.StudentFactory(school=other, last_name="Чужаков")
    text = b"".join(_archive(export_school(school=cast.school)).values()).decode(errors="ignore")
    assert cast.pupil.last_name in text
    assert "Чужаков" not in text and "Чужая школа" not in text


AUTHOR = re.compile(r"Поставил\(а\) (\S+ )?\S\.")
ID = re.compile(r"/\d+/|\b(id|for|href|action|value|aria-controls)=\"[^\"]*\"|\d{6,}")


def _text(html: str) -> str:
    """The page's main content as text, without ids, links and tokens."""
    html = html.split('<main id="main"', 1)[-1].split("</main>", 1)[0]
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<input[^>]*csrfmiddlewaretoken[^>]*>", "", html)
    html = ID.sub("", html)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    # Who set a mark: in the loaded school, the load's own account (the journal's services
    # record the writer; history.json keeps the first author).
    return AUTHOR.sub("Поставил(а) …", text)


def _diff(a: str, b: str) -> str:
    return "\n".join(line for line in difflib.ndiff(a.split(), b.split()) if line[:1] in "+-")


def _pages(client, student, week) -> list[str]:
    return [
        _text(client.get(reverse(name, kwargs=kwargs)).content.decode())
        for name, kwargs in (
            ("diary:week", {"student_id": student.pk, "week": week}),
            ("diary:marks", {"student_id": student.pk}),
            ("diary:finals", {"student_id": student.pk}),
        )
    ]


def _family_account(school, student):
    """The loaded guardian gets an account and a consent (the archive keeps consents as a
    file of their own: the school records them again)."""
    guardian = Guardian.objects.get(school=school, students=student)
    user = f.UserFactory(school=school, username=f"loaded-{guardian.pk}", role=Role.GUARDIAN)
    guardian.user = user
    guardian.save(update_fields=["user"])
    f.ConsentFactory(school=school, guardian=guardian, student=student)
    return user


def test_a_loaded_school_shows_the_family_the_same_diary(client, cast, journal):
    data = export_school(school=cast.school)
    loaded = load_school(data=data)
    twin = loaded.school
    assert twin.pk != cast.school.pk
    assert loaded.counts["marks"]["created"] == Mark.objects.filter(school=cast.school).count()
    assert FinalMark.objects.filter(school=twin).count() == 1
    assert "history.json" in loaded.not_restored
    week = cast.today - dt.timedelta(days=cast.today.weekday() + 7)
    for original in (cast.pupil, cast.sibling_7a):
        twin_student = Student.objects.get(
            school=twin, last_name=original.last_name, first_name=original.first_name
        )
        guardian = Guardian.objects.get(school=cast.school, students=original).user
        sign_in(client, guardian)
        before = _pages(client, original, week)
        sign_in(client, _family_account(twin, twin_student))
        after = _pages(client, twin_student, week)
        for page_before, page_after in zip(before, after, strict=True):
            assert page_before == page_after, _diff(page_before, page_after)
        assert "Дроби" in after[0] and "№ 12, 14" in after[0]
    mark = Mark.objects.filter(school=twin).first()
    assert mark.created_by.api_client.name == "Перенос данных"


def test_a_refused_item_loads_nothing(cast, journal):
    files = _archive(export_school(school=cast.school))
    manifest = json.loads(files["manifest.json"])
    marks_file = next(b["file"] for b in manifest["batches"] if b["entity"] == "marks")
    marks = json.loads(files[marks_file])
    marks["items"][0]["student"] = "st-nobody"
    files[marks_file] = json.dumps(marks).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    schools = {s.pk for s in type(cast.school).objects.all()}
    with pytest.raises(LoadRefused) as refused:
        load_school(data=out.getvalue())
    assert marks_file in refused.value.errors[0] and "student" in refused.value.errors[0]
    assert {s.pk for s in type(cast.school).objects.all()} == schools


def test_the_commands_write_and_load_the_archive(cast, journal, tmp_path):
    path = tmp_path / "school.zip"
    call_command("export_school", cast.school.pk, str(path))
    out = io.StringIO()
    call_command("load_school", str(path), stdout=out)
    assert "marks: created 4" in out.getvalue()
    assert "not restored (kept in the archive): access_log.json" in out.getvalue()
