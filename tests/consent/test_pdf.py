"""The printable consent form carries the items of 152-FZ art. 9 part 4; the PDF renderer
fetches nothing but our own static files."""

import subprocess

import pytest
from django.urls import reverse

from consent.models import AccessLogEntry
from extracts.models import GeneratedFile
from extracts.pdf import PRINT_BASE_URL, StaticOnlyFetcher
from tests.consent.factories import ContactFactory


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def built_pdf(client, url, callbacks, **extra) -> bytes:
    """The consent app's PDF link leads to the generated-file page: ask, build, download."""
    response = client.get(url, **extra)
    assert response.status_code == 302
    with callbacks(execute=True):
        started = client.post(response["Location"], **extra)
    assert started.status_code == 302
    generated = GeneratedFile.objects.latest("pk")
    assert generated.status == "ready", generated.error
    download = client.get(reverse("extracts:download", args=[generated.pk]), **extra)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    return b"".join(download.streaming_content)


@pytest.fixture
def form_pdf(cast, link, as_user, django_capture_on_commit_callbacks):
    school = cast.school
    school.address = "г. Тверь, ул. Школьная, д. 7"
    school.inn = "6901234567"
    school.save(update_fields=["address", "inn"])
    ContactFactory(guardian=link.guardian, kind="phone", value="+79001234567")
    return built_pdf(
        as_user(cast.school_admin),
        reverse("consent:form_pdf", args=[link.pk]),
        django_capture_on_commit_callbacks,
    )


@pytest.fixture
def form_text(form_pdf, tmp_path):
    return pdf_text(form_pdf, tmp_path)


def test_cyrillic_renders_with_an_embedded_dejavu_font_and_the_view_is_logged(
    cast, form_pdf, tmp_path
):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(form_pdf)
    fonts = subprocess.run(["/usr/bin/pdffonts", str(path)], capture_output=True, check=True)
    assert "DejaVu-Sans" in fonts.stdout.decode()
    assert "Согласие на обработку персональных данных" in pdf_text(form_pdf, tmp_path)
    assert AccessLogEntry.objects.filter(viewer=cast.school_admin, student=cast.pupil).exists()


def test_the_form_names_subject_and_representative(cast, link, form_text):
    assert link.guardian.full_name in form_text
    assert cast.pupil.full_name in form_text
    assert "Субъект персональных данных" in form_text
    assert "Представитель" in form_text


def test_the_form_names_the_operator_with_address_and_inn(form_text):
    assert "Оператор" in form_text
    assert "МБОУ «Средняя школа № 7»" in form_text
    assert "г. Тверь, ул. Школьная, д. 7" in form_text
    assert "ИНН 6901234567" in form_text


def test_the_form_lists_purposes_data_actions_term_and_withdrawal(form_text):
    for item in [
        "Цели обработки",
        "электронному дневнику",
        "SMS",
        "электронной почте",
        "+7 900 123-45-67",
        "Перечень персональных данных",
        "Действия с персональными данными",
        "Срок действия согласия",
        "Порядок отзыва",
        "152-ФЗ",
    ]:
        assert item in form_text, item


def test_the_fetcher_serves_our_static_files():
    response = StaticOnlyFetcher().fetch(PRINT_BASE_URL + "static/css/consent_print.css")
    assert b"DejaVu Sans" in response.read()
    assert response.headers.get_content_type() == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/css/consent_print.css",
        "file:///etc/passwd",
        PRINT_BASE_URL + "media/consent/1/1/scan.pdf",
        PRINT_BASE_URL + "static/../../etc/passwd",
        "http://127.0.0.1:8000/static/css/consent_print.css",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_the_form_is_russian_and_one_page_even_for_an_english_ui(
    cast, link, as_user, tmp_path, django_capture_on_commit_callbacks
):
    content = built_pdf(
        as_user(cast.school_admin),
        reverse("consent:form_pdf", args=[link.pk]),
        django_capture_on_commit_callbacks,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Согласие на обработку персональных данных" in pdf_text(content, tmp_path)
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["/usr/bin/pdfinfo", str(path)], capture_output=True, check=True)
    assert "Pages:           1" in info.stdout.decode()
