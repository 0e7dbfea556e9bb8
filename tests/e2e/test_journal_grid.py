"""The teacher's grid on a laptop (1366 × 900): a class of 25 on one screen, closed columns,
the keyboard alone, «н» typed as attendance, and no serious accessibility violation."""

import datetime as dt

import pytest
from django.urls import reverse

from journal import models as jm
from tests import factories as f

from .a11y import describe
from .conftest import ARTIFACTS, _page_fixture, loaded

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 900
CLASS_SIZE = 25


@pytest.fixture
def laptop(request, browser):
    """A laptop-sized page (1366 × 900), the screen most teachers fill the journal on."""
    yield from _page_fixture(request, browser, viewport={"width": WIDTH, "height": HEIGHT})


@pytest.fixture
def full_class(cast):
    """7 «А» with 25 pupils, a fortnight of mathematics lessons with marks and absences, the
    lesson of tomorrow (not held yet) and one past the edit window."""
    pupils = [cast.pupil, cast.sibling_7a, cast.pupil_no_consent]
    names = iter(("Абрамов", "Белова", "Васильев", "Гусева", "Дмитриев", "Егорова", "Жуков"))
    while len(pupils) < CLASS_SIZE:
        last = next(names, None) or f"Ученик{len(pupils):02d}"
        pupils.append(
            f.EnrollmentFactory(
                class_group=cast.class_7a,
                student=f.StudentFactory(school=cast.school, last_name=last),
            ).student
        )
    teacher = cast.subject_teacher.teacher
    window = cast.school.edit_window_days
    days = [
        d
        for d in range(1, window + 6)
        if cast.today - dt.timedelta(days=d) >= cast.period.starts_on
    ]
    lessons = {}
    for d in days:
        lessons[d] = f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=teacher,
            date=cast.today - dt.timedelta(days=d),
            work_type=cast.control if d % 4 == 0 else cast.answer,
        )
    marks, absences = [], []
    for lesson in lessons.values():
        for i, pupil in enumerate(pupils):
            if (i + lesson.date.day) % 3 == 0:
                marks.append(
                    jm.Mark(
                        school=cast.school,
                        lesson=lesson,
                        student=pupil,
                        slot=1,
                        value=str(3 + (i // 3 + lesson.date.day) % 3),
                        work_type=lesson.work_type,
                        date=lesson.date,
                        subject=cast.math,
                        created_by=cast.subject_teacher,
                    )
                )
            elif (i + lesson.date.day) % 11 == 0:
                absences.append(
                    jm.Attendance(
                        school=cast.school,
                        lesson=lesson,
                        student=pupil,
                        code="absent",
                        date=lesson.date,
                        created_by=cast.subject_teacher,
                    )
                )
    jm.Mark.objects.bulk_create(marks)
    jm.Attendance.objects.bulk_create(absences)
    tomorrow = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=teacher,
        date=cast.today + dt.timedelta(days=1),
        work_type=cast.answer,
    )
    old = lessons[max(d for d in days if d > window)] if max(days) > window else None
    return {"pupils": pupils, "tomorrow": tomorrow, "old": old}


def _grid_url(cast):
    return reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])


def test_a_class_of_25_fits_a_laptop_screen_with_marks_averages_and_the_edited_column(
    laptop, sign_in, cast, full_class, live_server
):
    page = laptop
    sign_in(page, "subject_teacher")
    page.goto(f"{live_server.url}{_grid_url(cast)}")
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=journal-grid] tbody tr")
    assert rows.count() == CLASS_SIZE
    screens = ARTIFACTS / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screens / "journal-grid-1366x900.png"))
    assert page.evaluate("window.scrollY") == 0
    for i in range(CLASS_SIZE):
        box = rows.nth(i).bounding_box()
        assert box is not None and box["y"] + box["height"] <= HEIGHT, (
            f"pupil {i + 1} of {CLASS_SIZE} is below the screen ({box})"
        )
    # One line per pupil, the edited column as high as the others.
    heights = {round(rows.nth(i).bounding_box()["height"]) for i in range(CLASS_SIZE)}
    assert max(heights) <= 26, heights
    # The averages and the edited column are on the screen too, beside the names.
    for pupil in (full_class["pupils"][0], full_class["pupils"][-1]):
        for testid in (f"average-{pupil.pk}", f"mark-{pupil.pk}", f"att-{pupil.pk}"):
            box = page.get_by_test_id(testid).bounding_box()
            assert box["x"] + box["width"] <= WIDTH and box["y"] + box["height"] <= HEIGHT, testid
    assert page.locator("tbody .att").count() > 0  # absences shown in the read-only cells


def test_columns_that_cannot_be_saved_are_closed_and_say_why(
    laptop, sign_in, cast, full_class, live_server
):
    page = laptop
    sign_in(page, "subject_teacher")
    page.goto(f"{live_server.url}{_grid_url(cast)}")
    tomorrow = full_class["tomorrow"]
    header = page.get_by_test_id(f"column-{tomorrow.pk}")
    assert "ещё не" in header.get_attribute("title")
    assert "is-closed" in header.get_attribute("class")
    assert header.locator(".edit-link").count() == 0
    old = full_class["old"]
    if old is not None:
        title = page.get_by_test_id(f"column-{old.pk}").get_attribute("title")
        assert "срок" in title.lower() or "окно" in title.lower() or "дн" in title, title
    # Asking for a closed column by its address opens the latest open one instead.
    page.goto(f"{live_server.url}{_grid_url(cast)}?edit={tomorrow.pk}")
    editing = page.locator("thead th.is-editing")
    assert editing.get_attribute("data-testid") == f"column-{cast.lesson.pk}"


def test_the_column_is_filled_from_the_keyboard_and_н_is_saved_as_an_absence(
    laptop, sign_in, cast, full_class, live_server
):
    page = laptop
    sign_in(page, "subject_teacher")
    page.goto(f"{live_server.url}{_grid_url(cast)}")
    page.wait_for_load_state("networkidle")
    inputs = page.locator("input.mark-input")
    ids = [int(inputs.nth(i).get_attribute("name").split("-")[1]) for i in range(3)]
    inputs.nth(0).focus()
    page.keyboard.type("5")
    page.keyboard.press("ArrowDown")  # the next pupil's mark
    assert page.evaluate("document.activeElement.name") == f"mark-{ids[1]}"
    page.keyboard.type("н")  # an absence, typed as in a paper journal
    assert page.get_by_test_id(f"att-{ids[1]}").input_value() == "absent"
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.name") == f"mark-{ids[0]}"
    page.keyboard.press("ArrowRight")  # past the end of the mark: the attendance
    assert page.evaluate("document.activeElement.name") == f"att-{ids[0]}"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.name") == f"mark-{ids[0]}"
    page.keyboard.press("Tab")  # Tab walks the cell: mark, attendance, comment, next mark
    assert page.evaluate("document.activeElement.name") == f"att-{ids[0]}"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('cell-link')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == f"mark-{ids[1]}"
    page.keyboard.press("ArrowDown")
    page.keyboard.type("4/5")
    # Enter walks down to the last pupil, whose Enter submits the column.
    for _ in range(CLASS_SIZE - 3):
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == inputs.last.get_attribute("name")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "Сохранено изменений: 4" in loaded(page)
    lesson = cast.lesson
    assert list(lesson.marks.filter(student_id=ids[0]).values_list("value", flat=True)) == ["5"]
    assert list(
        lesson.marks.filter(student_id=ids[2]).order_by("slot").values_list("value", flat=True)
    ) == ["4", "5"]
    assert not lesson.marks.filter(student_id=ids[1]).exists()
    assert lesson.attendance.get(student_id=ids[1]).code == "absent"
    assert page.get_by_test_id(f"att-{ids[1]}").input_value() == "absent"


def _axe(page) -> list[dict]:
    from .a11y import axe_violations

    return axe_violations(page)


def test_the_grid_and_the_lesson_page_have_no_serious_accessibility_violation(
    laptop, sign_in, cast, full_class, live_server
):
    page = laptop
    sign_in(page, "subject_teacher")
    page.goto(f"{live_server.url}{_grid_url(cast)}")
    page.wait_for_load_state("networkidle")
    violations = _axe(page)
    assert not violations, describe(violations)
    page.goto(f"{live_server.url}{reverse('journal:lesson', args=[cast.lesson.pk])}")
    page.wait_for_load_state("networkidle")
    screens = ARTIFACTS / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screens / "journal-lesson-1366x900.png"), full_page=True)
    violations = _axe(page)
    assert not violations, describe(violations)
