"""The office builds a class batch of paper extracts in a real browser, watches it build,
downloads it, records two extracts as handed over; the class teacher sees which paper
families got theirs."""

from pathlib import Path

import pytest

from extracts.models import ExtractCopy, GeneratedFile
from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_office_builds_downloads_and_hands_over_the_class_teacher_sees_it(
    page, sign_in, cast, live_server, browser
):
    second_paper = f.EnrollmentFactory(
        school=cast.school, class_group=cast.class_7a, year=cast.year
    ).student
    sign_in(page, "school_admin")
    page.goto(f"{live_server.url}/extracts/classes/{cast.class_7a.pk}/")
    form = page.get_by_test_id("batch-form")
    # The paper family is ticked by default; one more student is chosen by hand.
    assert form.locator(f'input[value="{cast.pupil_no_consent.pk}"]').is_checked()
    form.locator(f'input[value="{second_paper.pk}"]').check()
    form.get_by_role("button", name="Сформировать PDF").click()
    page.wait_for_load_state("networkidle")
    status = page.get_by_test_id("file-status")
    status.get_by_test_id("download").wait_for(timeout=60_000)
    assert page.get_by_test_id("status").inner_text() == "готов"
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename.startswith("Выписки 7 «А»")
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    generated = GeneratedFile.objects.get()
    assert generated.copies.count() == 2
    for student in (cast.pupil_no_consent, second_paper):
        row = page.get_by_test_id(f"copy-{student.pk}")
        row.locator("input[name=handed_to]").fill(f"Родитель {student.last_name}")
        row.get_by_role("button", name="Отметить выдачу").click()
        page.wait_for_load_state("networkidle")
    assert ExtractCopy.objects.filter(handed_on__isnull=False).count() == 2

    teacher = browser.new_context(locale="ru-RU").new_page()
    sign_in(teacher, "class_teacher")
    teacher.goto(f"{live_server.url}/extracts/classes/{cast.class_7a.pk}/")
    row = teacher.get_by_test_id(f"delivery-{cast.pupil_no_consent.pk}")
    assert f"Родитель {cast.pupil_no_consent.last_name}" in row.inner_text()
    assert "не сформирована" in teacher.get_by_test_id(f"delivery-{cast.pupil.pk}").inner_text()
