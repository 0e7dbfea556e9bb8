"""The OneRoster 1.2 CSV bundle: exported from the provider's own mapping, imported back
through the write API's services, all or nothing with errors by file, line and field."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone

from api.bundle.columns import COLUMNS
from api.bundle.export import bundle_export
from api.bundle.load import bundle_import
from api.bundle.reader import BundleRefused
from school.models import ClassGroup, Enrollment, Guardian, School, Student, Teacher
from tests import factories as f


def tables_of(data: bytes) -> dict[str, list[dict]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode()))
            )
            for name in archive.namelist()
        }


def headers_of(data: bytes, name: str) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return next(csv.reader(io.StringIO(archive.read(f"{name}.csv").decode())))


def roster_of(school) -> dict:
    return {
        "students": sorted(
            Student.objects.filter(school=school).values_list("last_name", "first_name")
        ),
        "teachers": sorted(
            Teacher.objects.filter(school=school).values_list("last_name", "first_name")
        ),
        "guardians": sorted(
            Guardian.objects.filter(school=school).values_list("last_name", "first_name")
        ),
        "classes": sorted(ClassGroup.objects.filter(school=school).values_list("level", "letter")),
        "enrolments": sorted(
            Enrollment.objects.filter(school=school, left_on__isnull=True).values_list(
                "student__last_name", "student__first_name", "class_group__level"
            )
        ),
        "children": sorted(
            Guardian.objects.filter(school=school).values_list(
                "last_name", "students__last_name", "students__first_name"
            )
        ),
    }


def test_the_bundle_has_the_manifest_and_the_standard_columns(cast):
    data = bundle_export(school=cast.school)
    tables = tables_of(data)
    manifest = {r["propertyName"]: r["value"] for r in tables["manifest"]}
    assert manifest["manifest.version"] == "1.0"
    assert manifest["oneroster.version"] == "1.2"
    assert manifest["file.users"] == "bulk"
    assert manifest["file.results"] == "bulk"
    assert manifest["file.demographics"] == "absent"
    for name, columns in COLUMNS.items():
        assert headers_of(data, name) == columns
    assert {r["name"] for r in tables["orgs"]} == {cast.school.name}
    assert {r["classCode"] for r in tables["classes"]} == {"7 «А»", "5 «Б»"}
    assert {r["role"] for r in tables["roles"]} == {"student", "teacher", "parent"}
    assert len(tables["users"]) == len(tables["roles"])


def test_the_csv_agrees_with_the_rest_provider(cast, api):
    tables = tables_of(bundle_export(school=cast.school))
    rest = api.get("/ims/oneroster/rostering/v1p2/users", {"limit": 1000}).json()["users"]
    by_id = {u["sourcedId"]: u for u in rest}
    assert set(by_id) == {r["sourcedId"] for r in tables["users"]}
    for row in tables["users"]:
        user = by_id[row["sourcedId"]]
        assert row["familyName"] == user["familyName"]
        assert row["givenName"] == user["givenName"]
        assert row["status"] == user["status"]
        assert row["dateLastModified"] == user["dateLastModified"]
        assert row["agentSourcedIds"].split(",") == [a["sourcedId"] for a in user["agents"]] or (
            row["agentSourcedIds"] == "" and user["agents"] == []
        )


def test_a_delta_holds_what_changed_after_the_instant(cast):
    since = timezone.now() + dt.timedelta(seconds=1)
    Student.objects.filter(pk=cast.pupil.pk).update(updated_at=since + dt.timedelta(hours=1))
    tables = tables_of(bundle_export(school=cast.school, since=since))
    manifest = {r["propertyName"]: r["value"] for r in tables["manifest"]}
    assert manifest["file.users"] == "delta"
    assert [r["familyName"] for r in tables["users"]] == [cast.pupil.last_name]
    assert tables["classes"] == []


def test_a_bundle_imported_into_another_school_gives_the_same_roster(cast):
    cast.school.inn = "7701234567"
    cast.school.save(update_fields=["inn"])
    data = bundle_export(school=cast.school)
    twin = f.SchoolFactory(name="Школа-двойник", inn="7701234567")
    admin = f.UserFactory(school=twin, role="school_admin")
    result = bundle_import(school=twin, data=data, user=admin)
    assert (
        result.counts["students"]["created"] == Student.objects.filter(school=cast.school).count()
    )
    assert roster_of(twin) == roster_of(cast.school)
    again = bundle_import(school=twin, data=data, user=admin)
    assert all(c["created"] == c["updated"] == 0 for c in again.counts.values())


def test_the_school_s_own_bundle_imported_back_changes_nothing(cast):
    before = roster_of(cast.school)
    counts = Student.objects.count(), Teacher.objects.count(), ClassGroup.objects.count()
    result = bundle_import(
        school=cast.school, data=bundle_export(school=cast.school), user=cast.school_admin
    )
    assert roster_of(cast.school) == before
    assert (Student.objects.count(), Teacher.objects.count(), ClassGroup.objects.count()) == counts
    assert result.counts["students"]["unchanged"] == len(before["students"])


def _replace(data: bytes, name: str, change) -> bytes:
    tables = tables_of(data)
    rows = tables[name]
    change(rows)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for entry in src.namelist():
            if entry == f"{name}.csv":
                text = io.StringIO()
                writer = csv.DictWriter(text, fieldnames=COLUMNS[name])
                writer.writeheader()
                writer.writerows(rows)
                dst.writestr(entry, text.getvalue())
            else:
                dst.writestr(entry, src.read(entry))
    return out.getvalue()


def test_a_broken_row_refuses_the_whole_bundle_naming_file_line_and_field(cast):
    cast.school.inn = "7701234567"
    cast.school.save(update_fields=["inn"])
    twin = f.SchoolFactory(name="Школа-двойник", inn="7701234567")
    admin = f.UserFactory(school=twin, role="school_admin")

    def break_third(rows):
        rows[2]["familyName"] = "Я" * 200

    data = _replace(bundle_export(school=cast.school), "users", break_third)
    with pytest.raises(BundleRefused) as refused:
        bundle_import(school=twin, data=data, user=admin)
    assert len(refused.value.errors) == 1, refused.value.errors
    [error] = refused.value.errors
    assert (error.file, error.line, error.field) == ("users.csv", 4, "familyName")
    assert "150" in error.message
    assert "users.csv, строка 4, поле familyName" in str(error)
    assert not Student.objects.filter(school=twin).exists()
    assert not Teacher.objects.filter(school=twin).exists()


def test_a_bundle_of_another_school_is_refused(cast):
    other = f.SchoolFactory(name="Чужая школа", inn="5000000000")
    admin = f.UserFactory(school=other, role="school_admin")
    with pytest.raises(BundleRefused) as refused:
        bundle_import(school=other, data=bundle_export(school=cast.school), user=admin)
    assert refused.value.errors[0].file == "orgs.csv"
    assert not Student.objects.filter(school=other).exists()


def test_the_export_holds_nothing_of_another_school(cast):
    other = School.objects.exclude(pk=cast.school.pk).first() or f.SchoolFactory()
    f.StudentFactory(school=other, last_name="Чужаков")
    text = str(tables_of(bundle_export(school=cast.school)))
    assert cast.pupil.last_name in text
    assert "Чужаков" not in text


def test_results_and_enrollments_agree_with_the_rest_provider(cast, api):
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="4", comment="Устно")
    tables = tables_of(bundle_export(school=cast.school))
    gradebook = "/ims/oneroster/gradebook/v1p2"
    [result] = api.get(f"{gradebook}/results").json()["results"]
    [row] = tables["results"]
    assert row["sourcedId"] == result["sourcedId"]
    assert row["lineItemSourcedId"] == result["lineItem"]["sourcedId"]
    assert row["studentSourcedId"] == result["student"]["sourcedId"]
    assert (row["textScore"], row["score"], row["comment"]) == ("4", "4.0", "Устно")
    rest = api.get("/ims/oneroster/rostering/v1p2/enrollments", {"limit": 1000}).json()
    assert {e["sourcedId"] for e in rest["enrollments"]} == {
        r["sourcedId"] for r in tables["enrollments"]
    }


def test_a_study_group_comes_back_as_a_subgroup_of_its_class(cast):
    from school.models import StudyGroup, StudyGroupMembership, TeachingAssignment

    group = StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7 «А» — англ. 1",
        subject=cast.russian,
        class_group=cast.class_7a,
    )
    for pupil in (cast.pupil, cast.sibling_7a):
        StudyGroupMembership.objects.create(school=cast.school, group=group, student=pupil)
    TeachingAssignment.objects.create(
        school=cast.school,
        year=cast.year,
        teacher=cast.other_teacher.teacher,
        subject=cast.russian,
        study_group=group,
    )
    cast.school.inn = "7701234567"
    cast.school.save(update_fields=["inn"])
    data = bundle_export(school=cast.school)
    twin = f.SchoolFactory(name="Школа-двойник", inn="7701234567")
    bundle_import(school=twin, data=data, user=f.UserFactory(school=twin, role="school_admin"))
    [copy] = StudyGroup.objects.filter(school=twin)
    assert (copy.name, copy.class_group.level, copy.class_group.letter) == (
        "7 «А» — англ. 1",
        7,
        "А",
    )
    assert sorted(copy.students.values_list("first_name", flat=True)) == ["Анна", "Пётр"]
    again = bundle_import(school=cast.school, data=data, user=cast.school_admin)
    assert again.counts["groups"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert StudyGroup.objects.filter(school=cast.school).count() == 1
