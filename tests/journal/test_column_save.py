"""Saving a lesson's column of marks and attendance: all or nothing, history, concurrency."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journal import models as jm
from journal import services
from journal.services import CellInput
from journal.services import column as column_service
from tests import factories as f

from .conftest import column_data


def marks_of(lesson, student=None):
    qs = jm.Mark.objects.filter(lesson=lesson)
    if student is not None:
        qs = qs.filter(student=student)
    return list(qs.order_by("student_id", "slot").values_list("value", flat=True))


def test_a_teacher_saves_a_column_of_marks_and_an_absence(as_user, cast, grid_url):
    data = column_data(
        cast.lesson,
        {cast.pupil: "5", cast.sibling_7a: ("4/3", ""), cast.pupil_no_consent: ("", "absent")},
    )
    response = as_user(cast.subject_teacher).post(grid_url, data)
    assert response.status_code == 302
    assert marks_of(cast.lesson, cast.pupil) == ["5"]
    assert marks_of(cast.lesson, cast.sibling_7a) == ["4", "3"]
    assert jm.Attendance.objects.get(lesson=cast.lesson).student == cast.pupil_no_consent
    cast.lesson.refresh_from_db()
    assert cast.lesson.attendance_checked_at is not None
    history = jm.MarkChange.objects.filter(lesson=cast.lesson)
    assert history.filter(entity="mark", action="create").count() == 3
    assert history.filter(entity="attendance", action="create").count() == 1
    page = as_user(cast.subject_teacher).get(response["Location"]).content.decode()
    assert 'value="4/3"' in page


@pytest.mark.parametrize("bad", ["6", "0", "5.0", " 5 ", "５", "x" * 10_000])
def test_a_bad_mark_is_refused_in_russian_naming_the_student_and_nothing_is_saved(
    as_user, cast, grid_url, bad
):
    data = column_data(cast.lesson, {cast.pupil: "5", cast.sibling_7a: bad})
    response = as_user(cast.subject_teacher).post(grid_url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ничего не сохранено" in page
    assert (
        cast.sibling_7a.last_name in page.split('data-testid="grid-errors"')[1].split("</div>")[0]
    )
    assert marks_of(cast.lesson) == []
    assert not jm.MarkChange.objects.exists()


def test_an_empty_mark_for_a_single_mark_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.mark_set(
            user=cast.subject_teacher,
            lesson=cast.lesson,
            student_id=cast.pupil.pk,
            slot=1,
            value="",
        )
    assert "Не отметка" in " ".join(error.value.messages)
    assert not jm.Mark.objects.exists()


def test_a_double_submit_makes_one_mark(as_user, cast, grid_url):
    data = column_data(cast.lesson, {cast.pupil: "5"})
    client = as_user(cast.subject_teacher)
    assert client.post(grid_url, data).status_code == 302
    assert client.post(grid_url, data).status_code == 302  # same values, same (old) versions
    assert marks_of(cast.lesson) == ["5"]
    assert jm.MarkChange.objects.count() == 1


def test_a_concurrent_change_is_detected_and_nothing_is_overwritten(as_user, cast, grid_url):
    # Both teachers load the page while the cell is empty.
    seen_empty = column_data(cast.lesson, {cast.pupil: "4", cast.sibling_7a: "3"})
    as_user(cast.subject_teacher).post(grid_url, column_data(cast.lesson, {cast.pupil: "5"}))
    response = as_user(cast.deputy_head).post(grid_url, seen_empty)
    assert response.status_code == 400
    page = response.content.decode()
    assert "изменил другой пользователь" in page
    assert "сейчас: 5" in page
    assert marks_of(cast.lesson) == ["5"]  # the sibling's 3 was not half-saved either


def test_a_changed_mark_keeps_its_history_and_the_family_sees_the_current_value(
    as_user, cast, grid_url
):
    client = as_user(cast.subject_teacher)
    client.post(grid_url, column_data(cast.lesson, {cast.pupil: "3"}))
    client.post(grid_url, column_data(cast.lesson, {cast.pupil: "4"}))
    mark = jm.Mark.objects.get(lesson=cast.lesson, student=cast.pupil)
    assert (mark.value, mark.version) == ("4", 2)
    changes = jm.MarkChange.objects.filter(object_id=mark.pk, entity="mark").order_by("id")
    assert [(c.action, c.before and c.before["value"], c.after["value"]) for c in changes] == [
        ("create", None, "3"),
        ("update", "3", "4"),
    ]
    # What a family reads is the marks table: the current value only.
    assert list(jm.Mark.objects.filter(student=cast.pupil).values_list("value", flat=True)) == ["4"]


def test_a_deleted_mark_keeps_its_history(as_user, cast, grid_url):
    client = as_user(cast.subject_teacher)
    client.post(grid_url, column_data(cast.lesson, {cast.pupil: "2"}))
    mark_id = jm.Mark.objects.get().pk
    client.post(grid_url, column_data(cast.lesson, {cast.pupil: ""}))
    assert not jm.Mark.objects.exists()
    deleted = jm.MarkChange.objects.get(object_id=mark_id, action="delete")
    assert deleted.before["value"] == "2"
    assert deleted.after is None
    assert deleted.changed_by == cast.subject_teacher


def test_a_single_mark_with_a_comment_and_its_deletion_with_a_reason(cast):
    mark = services.mark_set(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        student_id=cast.pupil.pk,
        slot=1,
        value="4",
        comment="Хороший ответ",
    )
    services.mark_delete(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        mark_id=mark.pk,
        student_id=cast.pupil.pk,
        version=1,
        reason="Ошибка",
    )
    deleted = jm.MarkChange.objects.get(object_id=mark.pk, action="delete")
    assert deleted.before["comment"] == "Хороший ответ"
    assert deleted.reason == "Ошибка"


def test_tampered_student_of_another_class_is_404_and_nothing_written(as_user, cast, grid_url):
    data = column_data(cast.lesson, {cast.pupil: "5", cast.stranger_child: "2"})
    response = as_user(cast.subject_teacher).post(grid_url, data)
    assert response.status_code == 404
    assert not jm.Mark.objects.exists()


def test_tampered_lesson_of_another_class_is_404_and_nothing_written(as_user, cast, grid_url):
    other = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_5b,
        subject=cast.math,
        teacher=cast.other_teacher.teacher,
        date=cast.today,
        work_type=cast.answer,
    )
    data = column_data(other, {cast.stranger_child: "5"})
    response = as_user(cast.subject_teacher).post(grid_url, data)
    assert response.status_code == 404
    # Even the lesson's own grid URL refuses a teacher who does not teach it.
    other_grid = grid_url.replace(f"/{cast.class_7a.pk}/", f"/{cast.class_5b.pk}/")
    assert as_user(cast.subject_teacher).post(other_grid, data).status_code == 404
    assert not jm.Mark.objects.exists()


def test_the_class_teacher_reads_but_cannot_write_another_subject(as_user, cast, grid_url):
    client = as_user(cast.class_teacher)
    assert client.get(grid_url).status_code == 200
    response = client.post(grid_url, column_data(cast.lesson, {cast.pupil: "5"}))
    assert response.status_code == 404
    assert not jm.Mark.objects.exists()


def _lesson_on(cast, day, **kwargs):
    return f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=day,
        work_type=cast.answer,
        **kwargs,
    )


def _save(user, lesson, student, text="5", reason=""):
    return services.marks_save_column(
        user=user,
        lesson=lesson,
        cells=[CellInput(student_id=student.pk, marks=(text,), label=student.short_name)],
        reason=reason,
    )


def test_a_future_lesson_takes_no_marks(cast):
    lesson = _lesson_on(cast, cast.today + dt.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        _save(cast.subject_teacher, lesson, cast.pupil)
    assert "ещё не прошёл" in " ".join(error.value.messages)
    assert not jm.Mark.objects.exists()


def test_a_cancelled_lesson_takes_no_marks(cast):
    lesson = _lesson_on(cast, cast.today, status=jm.LessonStatus.CANCELLED)
    with pytest.raises(ValidationError) as error:
        _save(cast.subject_teacher, lesson, cast.pupil)
    assert "отменён" in " ".join(error.value.messages)


def test_after_the_edit_window_only_the_deputy_head_corrects_with_a_reason(cast):
    old_day = max(
        cast.today - dt.timedelta(days=cast.school.edit_window_days + 1), cast.year.starts_on
    )
    if old_day >= cast.today - dt.timedelta(days=cast.school.edit_window_days):
        pytest.skip("the school year started too recently for an old lesson")
    lesson = _lesson_on(cast, old_day)
    with pytest.raises(ValidationError) as error:
        _save(cast.subject_teacher, lesson, cast.pupil)
    assert "заместитель директора" in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        _save(cast.deputy_head, lesson, cast.pupil)
    assert "причин" in " ".join(error.value.messages)
    _save(cast.deputy_head, lesson, cast.pupil, reason="Исправление по заявлению")
    change = jm.MarkChange.objects.get()
    assert (change.reason, change.changed_by) == ("Исправление по заявлению", cast.deputy_head)


def test_a_closed_period_refuses_the_teacher(cast):
    cast.period.closed_at = timezone.now()
    cast.period.save(update_fields=["closed_at"])
    with pytest.raises(ValidationError) as error:
        _save(cast.subject_teacher, cast.lesson, cast.pupil)
    assert "период закрыт" in " ".join(error.value.messages).lower()
    assert not jm.Mark.objects.exists()


def test_a_column_save_is_one_transaction(cast, monkeypatch):
    """A failure after the marks were written (the history insert) leaves nothing behind."""

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # the history rows go in through journal.services.column.insert_rows (one INSERT)
    monkeypatch.setattr(column_service, "insert_rows", broken)
    with pytest.raises(RuntimeError):
        services.marks_save_column(
            user=cast.subject_teacher,
            lesson=cast.lesson,
            cells=[
                CellInput(student_id=cast.pupil.pk, marks=("5",)),
                CellInput(student_id=cast.sibling_7a.pk, attendance="ill"),
            ],
        )
    assert not jm.Mark.objects.exists()
    assert not jm.Attendance.objects.exists()


def test_events_are_sent_inside_the_transaction_once_the_rows_are_written(cast):
    """The project's event convention (journal/events.py): a listener sees the marks and runs
    in the save's transaction, so what it writes commits or rolls back with them."""
    from django.db import transaction

    from journal import events

    seen = []

    def listener(**kwargs):
        seen.append(
            (
                kwargs["mark_ids"],
                list(jm.Mark.objects.values_list("pk", flat=True)),
                transaction.get_connection().in_atomic_block,
            )
        )

    events.marks_saved.connect(listener, weak=False, dispatch_uid="t")
    try:
        _save(cast.subject_teacher, cast.lesson, cast.pupil)
    finally:
        events.marks_saved.disconnect(dispatch_uid="t")
    mark = jm.Mark.objects.get()
    assert seen == [([mark.pk], [mark.pk], True)]


# --- Query counts ------------------------------------------------------------------------------


def _class_of(cast, size: int) -> list:
    students = [cast.pupil, cast.sibling_7a, cast.pupil_no_consent]
    for _ in range(size - len(students)):
        students.append(
            f.EnrollmentFactory(
                school=cast.school,
                class_group=cast.class_7a,
                year=cast.year,
                student=f.StudentFactory(school=cast.school),
            ).student
        )
    return students


@pytest.mark.parametrize("size", [3, 30])
def test_saving_a_column_of_30_marks_runs_a_fixed_number_of_queries(cast, size):
    students = _class_of(cast, size)
    cells = [CellInput(student_id=s.pk, marks=("5",)) for s in students]
    with CaptureQueriesContext(connection) as queries:
        services.marks_save_column(user=cast.subject_teacher, lesson=cast.lesson, cells=cells)
    # lock the lesson (with its roster and period) + marks + attendance + insert marks + insert
    # history + lesson update (attendance taken): 6, plus the test's savepoint and its release.
    # The outbox listener runs inside the same transaction (the event convention): it reads the
    # school's notification policy (cached afterwards) and whether anyone wants marks at once.
    sql = [q["sql"] for q in queries.captured_queries]
    listener = [q for q in sql if '"notifications_' in q]
    assert len(sql) - len(listener) <= 8
    assert len(listener) <= 2
    assert jm.Mark.objects.count() == size


@pytest.mark.parametrize("size", [3, 30])
def test_changing_a_column_runs_a_fixed_number_of_queries(cast, size):
    students = _class_of(cast, size)
    services.marks_save_column(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        cells=[CellInput(student_id=s.pk, marks=("5",), attendance="absent") for s in students],
    )
    cells = [
        CellInput(
            student_id=s.pk,
            marks=("4",),
            mark_versions={1: 1},
            attendance="ill",
            attendance_version=1,
        )
        for s in students
    ]
    with CaptureQueriesContext(connection) as queries:
        services.marks_save_column(user=cast.subject_teacher, lesson=cast.lesson, cells=cells)
    # lock + marks and attendance (one UNION ALL) + update marks + update attendance + history,
    # + the savepoint and its release: 7. The outbox listener, inside the same transaction,
    # turns the absences into pending messages for the families: the absences, the school, the
    # links, the preferences, the consents, the contacts and the pending messages under their
    # own savepoint: 9, the same for 3 pupils as for 30.
    assert len(queries.captured_queries) <= 16
    assert set(jm.Mark.objects.values_list("value", flat=True)) == {"4"}


def test_the_deputy_head_corrects_a_closed_period_in_the_grid_with_a_reason(
    as_user, cast, grid_url
):
    cast.period.closed_at = timezone.now()
    cast.period.save(update_fields=["closed_at"])
    client = as_user(cast.deputy_head)
    response = client.post(grid_url, column_data(cast.lesson, {cast.pupil: "4"}))
    assert response.status_code == 400
    assert "нужна причина" in response.content.decode()
    assert not jm.Mark.objects.exists()
    response = client.post(
        grid_url, column_data(cast.lesson, {cast.pupil: "4"}, extra={"reason": "Приказ № 12"})
    )
    assert response.status_code == 302
    change = jm.MarkChange.objects.get()
    assert (change.reason, change.changed_by) == ("Приказ № 12", cast.deputy_head)
    # The teacher is refused with the reason.
    response = as_user(cast.subject_teacher).post(
        grid_url, column_data(cast.lesson, {cast.pupil: "5"})
    )
    assert response.status_code == 400
    assert "Отчётный период закрыт" in response.content.decode()
    assert jm.Mark.objects.get().value == "4"


def test_the_director_may_not_post_a_column(as_user, cast, grid_url):
    response = as_user(cast.director).post(grid_url, column_data(cast.lesson, {cast.pupil: "5"}))
    assert response.status_code == 403
    assert not jm.Mark.objects.exists()


def test_a_subject_of_another_school_in_the_url_is_404(as_user, cast):
    from django.urls import reverse

    foreign = f.SubjectFactory(name="Физика")
    url = reverse("journal:grid_class", args=[cast.class_7a.pk, foreign.pk])
    assert as_user(cast.deputy_head).get(url).status_code == 404


def test_typed_marks_match_stored_ones_by_position_whatever_their_slots(cast):
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="4", slot=2)  # slot 1 was deleted
    services.marks_save_column(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        cells=[CellInput(student_id=cast.pupil.pk, marks=("5", "3"), mark_versions={2: 1})],
    )
    stored = dict(jm.Mark.objects.values_list("slot", "value"))
    assert stored == {2: "5", 3: "3"}  # reads back as «5/3»
    assert sorted(jm.MarkChange.objects.values_list("action", flat=True)) == ["create", "update"]


def test_attendance_changes_and_deletions_keep_their_history(as_user, cast, grid_url):
    client = as_user(cast.subject_teacher)
    client.post(grid_url, column_data(cast.lesson, {cast.pupil: ("", "absent")}))
    client.post(grid_url, column_data(cast.lesson, {cast.pupil: ("", "ill")}))
    client.post(grid_url, column_data(cast.lesson, {cast.pupil: ("", "")}))
    assert not jm.Attendance.objects.exists()
    changes = jm.MarkChange.objects.filter(entity="attendance").order_by("id")
    assert [
        (c.action, c.before and c.before["code"], c.after and c.after["code"]) for c in changes
    ] == [
        ("create", None, "absent"),
        ("update", "absent", "ill"),
        ("delete", "ill", None),
    ]
    page = client.get(reverse("journal:history", args=[cast.lesson.pk])).content.decode()
    assert "болел (б)" in page and "удалена" in page


def test_one_update_writes_each_row_its_own_value_version_and_author(cast):
    """The changed marks and attendance go out as one UPDATE … FROM (VALUES …) (not
    bulk_update's CASE WHEN): each row gets its own value and next version, the saver and the
    time; rows of other students and lessons are left as they were; history matches the rows."""
    students = _class_of(cast, 4)
    other = f.MarkFactory(lesson=f.LessonFactory(school=cast.school), student=cast.pupil)
    services.marks_save_column(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        cells=[CellInput(student_id=s.pk, marks=("5", "4"), attendance="absent") for s in students],
    )
    third = students[2]
    cells = [
        CellInput(
            student_id=students[0].pk,
            marks=("3", "4"),
            mark_versions={1: 1, 2: 1},
            attendance="absent",
            attendance_version=1,
        ),
        CellInput(
            student_id=students[1].pk,
            marks=("2", "pass"),
            mark_versions={1: 1, 2: 1},
            attendance="ill",
            attendance_version=1,
        ),
        CellInput(
            student_id=third.pk,
            marks=("5", "4"),
            mark_versions={1: 1, 2: 1},
            attendance="late",
            attendance_version=1,
        ),
    ]
    services.marks_save_column(user=cast.subject_teacher, lesson=cast.lesson, cells=cells)
    rows = {
        (m.student_id, m.slot): m
        for m in jm.Mark.objects.filter(lesson=cast.lesson).select_related("updated_by")
    }
    assert (rows[(students[0].pk, 1)].value, rows[(students[0].pk, 1)].version) == ("3", 2)
    assert (rows[(students[0].pk, 2)].value, rows[(students[0].pk, 2)].version) == ("4", 1)
    assert (rows[(students[1].pk, 1)].value, rows[(students[1].pk, 1)].version) == ("2", 2)
    assert (rows[(students[1].pk, 2)].value, rows[(students[1].pk, 2)].version) == ("pass", 2)
    assert rows[(students[1].pk, 2)].updated_by == cast.subject_teacher
    assert rows[(students[1].pk, 2)].updated_at is not None
    assert rows[(third.pk, 1)].version == 1 and rows[(third.pk, 1)].updated_by is None
    assert rows[(students[3].pk, 1)].version == 1
    attendance = {a.student_id: a for a in jm.Attendance.objects.filter(lesson=cast.lesson)}
    assert (attendance[students[1].pk].code, attendance[students[1].pk].version) == ("ill", 2)
    assert (attendance[third.pk].code, attendance[third.pk].version) == ("late", 2)
    assert (attendance[students[0].pk].code, attendance[students[0].pk].version) == ("absent", 1)
    other.refresh_from_db()
    assert other.version == 1
    updates = jm.MarkChange.objects.filter(action="update")
    assert updates.count() == 5  # three marks and two attendance rows
    change = updates.get(object_id=rows[(students[1].pk, 2)].pk, entity="mark")
    assert change.before["value"] == "4" and change.after["value"] == "pass"


def _three_marks(cast):
    """5, 4 and 3 of the pupil in the lesson, each with its own comment; the 3 was given by the
    deputy head (another author)."""
    by = {"5": cast.subject_teacher, "4": cast.subject_teacher, "3": cast.deputy_head}
    return {
        value: f.MarkFactory(
            lesson=cast.lesson,
            student=cast.pupil,
            slot=slot,
            value=value,
            comment=f"comment of {value}",
            created_by=by[value],
        )
        for slot, value in ((1, "5"), (2, "4"), (3, "3"))
    }


def test_deleting_the_middle_mark_leaves_the_others_with_their_own_comment_and_author(
    as_user, cast, grid_url
):
    marks = _three_marks(cast)
    data = column_data(cast.lesson, {cast.pupil: "5/3"})
    response = as_user(cast.subject_teacher).post(grid_url, data)
    assert response.status_code == 302
    rows = {m.pk: m for m in jm.Mark.objects.filter(lesson=cast.lesson, student=cast.pupil)}
    assert set(rows) == {marks["5"].pk, marks["3"].pk}  # the 4 went, not the last mark
    three = rows[marks["3"].pk]
    assert (three.value, three.comment, three.created_by) == ("3", "comment of 3", cast.deputy_head)
    assert three.version == marks["3"].version  # untouched
    assert rows[marks["5"].pk].comment == "comment of 5"
    deleted = jm.MarkChange.objects.get(action="delete")
    assert deleted.object_id == marks["4"].pk
    assert not jm.MarkChange.objects.filter(action="update").exists()


def test_a_changed_value_keeps_its_place_and_a_new_mark_goes_after_the_kept_ones(cast):
    marks = _three_marks(cast)
    versions = {m.slot: m.version for m in marks.values()}
    services.marks_save_column(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        cells=[CellInput(student_id=cast.pupil.pk, marks=("5", "2", "3"), mark_versions=versions)],
    )
    assert marks_of(cast.lesson, cast.pupil) == ["5", "2", "3"]
    changed = jm.Mark.objects.get(pk=marks["4"].pk)
    assert (changed.value, changed.comment) == ("2", "comment of 4")
    versions = dict(
        jm.Mark.objects.filter(lesson=cast.lesson, student=cast.pupil).values_list(
            "slot", "version"
        )
    )
    services.marks_save_column(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        cells=[CellInput(student_id=cast.pupil.pk, marks=("2", "3", "4"), mark_versions=versions)],
    )
    # The 5 was removed and a 4 typed at the end: the 2 and the 3 keep their rows.
    assert jm.Mark.objects.filter(pk__in=[marks["4"].pk, marks["3"].pk]).count() == 2
    assert sorted(marks_of(cast.lesson, cast.pupil)) == ["2", "3", "4"]
    assert jm.Mark.objects.get(pk=marks["3"].pk).comment == "comment of 3"


@pytest.mark.parametrize(
    ("old", "new", "pairs"),
    [
        ("543", "53", [(0, 0), (1, None), (2, 1)]),
        ("54", "4", [(0, None), (1, 0)]),
        ("54", "45", [(0, 0), (1, 1)]),  # a tie: changed in place
        ("5", "54", [(0, 0), (None, 1)]),
        ("", "3", [(None, 0)]),
        ("43", "", [(0, None), (1, None)]),
    ],
)
def test_typed_marks_are_matched_to_stored_ones_by_the_fewest_changes(old, new, pairs):
    assert column_service.match_marks(list(old), list(new)) == pairs
