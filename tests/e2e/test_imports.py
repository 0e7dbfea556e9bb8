"""The school admin imports a class list in a real browser: uploads a cp1251 CSV, reads the
preview with its one bad line, confirms, and the new class is in the deputy head's list."""

import pytest

from school.models import ClassGroup, Student

from .a11y import check_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "Фамилия;Имя;Отчество;Дата рождения;Класс\r\n"
    "Ёлкина;Дарья;Сергеевна;01.09.2015;3В\r\n"
    "Орлов;Олег;;31.02.2015;3В\r\n"
    "Иванов-Петров;Игорь;;1.9.2015;3В\r\n"
).encode("cp1251")


def test_the_admin_uploads_checks_confirms_and_the_class_appears(
    page, sign_in, cast, live_server, browser
):
    sign_in(page, "school_admin")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Импорт", exact=True).first.click()
    form = page.get_by_test_id("upload-form")
    form.get_by_label("Что в файле").select_option("students")
    form.get_by_label("Файл (CSV или XLSX)").set_input_files(
        files=[{"name": "3В.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    form.get_by_role("button", name="Загрузить и проверить").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("confirm-form").wait_for(timeout=60_000)
    assert page.get_by_test_id("count-created").inner_text() == "2"
    error = page.get_by_test_id("error-line-3")
    assert "Дата рождения" in error.inner_text()
    assert "Такой даты нет." in error.inner_text()
    assert "Новый класс 3 «В»." in page.get_by_test_id("line-2").inner_text()
    check_page(page, "import-preview", width=1280)
    assert not Student.objects.filter(last_name="Ёлкина").exists()

    page.get_by_role("button", name="Подтвердить импорт").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("[data-testid=batch-status][data-status=applied]", timeout=60_000)
    assert page.get_by_test_id("status").inner_text() == "импортирован"
    assert ClassGroup.objects.filter(school=cast.school, level=3, letter="В").exists()

    deputy = browser.new_context(locale="ru-RU").new_page()
    sign_in(deputy, "deputy_head")
    deputy.goto(f"{live_server.url}/")
    row = deputy.get_by_role("row").filter(has_text="3 «В»")
    assert row.count() == 1
    assert row.get_by_role("cell").last.inner_text() == "2"
