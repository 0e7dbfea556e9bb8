"""A parent chooses e-mail at once; a teacher saves a mark; the e-mail reaches a loopback SMTP
server; the parent unsubscribes with one click from the link in it."""

import re

import pytest
from django.urls import reverse

from consent.models import ConsentForm, Purpose
from consent.services import consent_record
from notifications.models import Mode, NotificationPolicy, Preference
from tests.consent.factories import ContactFactory

from .conftest import loaded

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp(settings):
    from tests.fakes.smtp import start_smtp_fake

    fake = start_smtp_fake()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = fake.host, fake.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield fake
    fake.close()


@pytest.fixture
def email_family(cast):
    NotificationPolicy.objects.create(school=cast.school, coalesce_minutes=0)
    guardian = cast.guardian.guardian
    ContactFactory(guardian=guardian, kind="email", value="mama@example.ru")
    consent_record(
        recorded_by=cast.school_admin,
        guardian=guardian,
        student=cast.pupil,
        purpose=Purpose.EMAIL,
        decision="consent",
        form=ConsentForm.PAPER,
        decided_on=cast.today,
    )
    return guardian


def test_settings_then_a_mark_by_email_then_one_click_unsubscribe(
    browser, page, sign_in, cast, email_family, smtp, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    sign_in(page, "guardian")
    page.get_by_role("link", name="Уведомления").click()
    page.wait_for_load_state("networkidle")
    page.select_option(f"#id_mode-{cast.pupil.pk}-email", "instant")
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state("networkidle")
    assert "Настройки уведомлений сохранены" in loaded(page)
    assert Preference.objects.get(guardian=email_family, channel="email").mode == Mode.INSTANT

    teacher = browser.new_context(locale="ru-RU").new_page()
    sign_in(teacher, "subject_teacher")
    teacher.goto(
        f"{live_server.url}{reverse('journal:grid_class', args=[cast.class_7a.pk, cast.math.pk])}"
    )
    teacher.get_by_test_id(f"mark-{cast.pupil.pk}").fill("5")
    teacher.get_by_test_id("save-column").click()
    teacher.wait_for_load_state("networkidle")
    assert "Сохранено изменений: 1" in loaded(teacher)

    [received] = smtp.messages
    mail = received.message
    assert received.recipients == ["mama@example.ru"]
    assert mail["Subject"] == "Новые отметки: Пётр"
    assert "Математика: 5" in mail.get_body(("plain",)).get_content()
    link = re.search(r"<([^>]+)>", str(mail["List-Unsubscribe"])).group(1)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    visitor = browser.new_context(locale="ru-RU").new_page()  # not signed in
    visitor.goto(link)
    assert "Прекратить письма" in loaded(visitor)
    assert Preference.objects.get(guardian=email_family, channel="email").mode == Mode.INSTANT
    visitor.get_by_test_id("unsubscribe").click()
    visitor.wait_for_load_state("networkidle")
    assert visitor.get_by_test_id("unsubscribed").is_visible()
    assert Preference.objects.get(guardian=email_family, channel="email").mode == Mode.OFF
