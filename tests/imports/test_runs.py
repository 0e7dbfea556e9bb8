"""The run itself: the id column, a line that fails only at the import, tasks run twice."""

import pytest

from imports import services
from imports.models import ImportKind, ImportStatus
from school.models import Guardian, Student
from tests import factories as f

from .helpers import confirm, csv_file, upload

pytestmark = pytest.mark.django_db


def test_the_id_column_finds_the_same_pupil_after_a_change_of_name(
    cast, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    header = ["Код", "Фамилия", "Имя", "Дата рождения", "Класс"]
    first = upload(
        capture,
        cast.school_admin,
        ImportKind.STUDENTS,
        csv_file([header, ["A-17", "Котова", "Вера", "05.05.2015", "3А"]]),
    )
    confirm(capture, first, cast.school_admin)
    second = upload(
        capture,
        cast.school_admin,
        ImportKind.STUDENTS,
        csv_file([header, ["A-17", "Котова-Лис", "Вера", "05.05.2015", "3А"]]),
    )
    assert second.counts["updated"] == 1
    assert second.preview["lines"][0]["changes"] == [["фамилия", "Котова", "Котова-Лис"]]
    confirm(capture, second, cast.school_admin)
    assert Student.objects.filter(school=cast.school, first_name="Вера").count() == 1


def test_a_line_that_fails_only_at_the_import_undoes_all_of_it(
    cast, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    rows = [
        ["ФИО родителя", "Телефон", "Фамилия", "Имя", "Класс"],
        ["Белова Анна Ивановна", "+7 900 000-00-01", cast.pupil.last_name, "Пётр", "7А"],
        ["Белов Иван Петрович", "+7 900 000-00-02", cast.sibling_5b.last_name, "Илья", "5Б"],
    ]
    batch = upload(capture, cast.school_admin, ImportKind.GUARDIANS, csv_file(rows))
    assert (batch.counts["created"], batch.counts["errors"]) == (2, 0), batch.errors
    # Between the check and the confirmation a namesake of the second child is added.
    child = cast.sibling_5b
    f.StudentFactory(
        school=cast.school,
        last_name=child.last_name,
        first_name=child.first_name,
        patronymic=child.patronymic,
    )
    batch = confirm(capture, batch, cast.school_admin)
    assert batch.status == ImportStatus.FAILED
    assert batch.error.startswith("Строка 3:")
    assert "Импорт отменён целиком." in batch.error
    assert not Guardian.objects.filter(last_name__in=["Белова", "Белов"]).exists()


def test_each_step_runs_once_however_often_its_task_runs(cast, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    rows = [["Фамилия", "Имя", "Класс"], ["Рыбкин", "Юрий", "3А"]]
    batch = upload(capture, cast.school_admin, ImportKind.STUDENTS, csv_file(rows))
    assert services.batch_preview(batch_id=batch.pk) is None  # already checked
    confirm(capture, batch, cast.school_admin)
    assert services.batch_apply(batch_id=batch.pk) is None  # already imported
    assert Student.objects.filter(last_name="Рыбкин").count() == 1


def test_a_step_whose_worker_never_came_back_is_handed_over_again(
    cast, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from imports.models import ImportBatch

    rows = [["Фамилия", "Имя", "Класс"], ["Рыбкин", "Юрий", "3А"]]
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost it
        batch = services.batch_upload(
            uploaded_by=cast.school_admin, kind=ImportKind.STUDENTS, upload=csv_file(rows)
        )
    assert services.batches_requeue() == 0  # not stale yet
    later = timezone.now() + dt.timedelta(minutes=16)
    assert services.batches_requeue(now=later) == 1
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.status == ImportStatus.PREVIEWED
    assert batch.counts["created"] == 1


def test_a_check_that_breaks_says_so_instead_of_checking_for_ever(cast):
    from imports.models import ImportBatch

    batch = ImportBatch.objects.create(
        school=cast.school,
        kind=ImportKind.TIMETABLE,
        uploaded_by=cast.school_admin,
        file_name="t.csv",
        content="День недели;Номер урока\nПн;1\n".encode(),
        status=ImportStatus.PREVIEWING,
        options={},  # no first day: cannot be checked
    )
    batch = services.batch_preview(batch_id=batch.pk)
    assert batch.status == ImportStatus.FAILED
    assert batch.error == "Файл не удалось проверить."


def test_a_finished_import_drops_its_file_and_preview_after_30_days(
    cast, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from imports.models import ImportBatch

    rows = [["Фамилия", "Имя", "Класс"], ["Рыбкин", "Юрий", "3А"]]
    batch = upload(
        django_capture_on_commit_callbacks, cast.school_admin, ImportKind.STUDENTS, csv_file(rows)
    )
    confirm(django_capture_on_commit_callbacks, batch, cast.school_admin)
    assert services.batches_expire() == 0
    assert services.batches_expire(now=timezone.now() + dt.timedelta(days=31)) == 1
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert (bytes(batch.content), batch.preview) == (b"", {})
    assert batch.counts["created"] == 1  # the counts stay
    assert Student.objects.filter(last_name="Рыбкин").exists()
