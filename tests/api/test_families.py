"""What arrives by API reaches the families exactly as what a teacher writes in the journal: the
diary, the history and the notifications' outbox, through the same services and events."""

import datetime as dt

import pytest

from consent.models import Purpose
from journal.models import MarkChange
from notifications import transports
from notifications.models import Kind, Mode, NotificationPolicy, OutboxMessage, Preference
from school.models import ExternalEntity
from school.services import external_map
from tests import factories as f
from tests.consent.factories import ContactFactory
from tests.notifications.conftest import consent_to


@pytest.fixture
def family(cast, settings):
    """The pupil's guardian with SMS consent and a phone, who wants every mark at once."""
    settings.SMS_BACKEND = "locmem"
    transports.sms_outbox.clear()
    NotificationPolicy.objects.create(school=cast.school, coalesce_minutes=0)
    guardian = cast.guardian.guardian
    ContactFactory(guardian=guardian, kind="phone", value="+79001234567")
    consent_to(cast, guardian, cast.pupil, Purpose.SMS)
    Preference.objects.create(
        school=cast.school, guardian=guardian, student=cast.pupil, channel="sms", mode=Mode.INSTANT
    )
    yield guardian
    transports.sms_outbox.clear()


@pytest.fixture
def known(cast):
    for entity, ext, obj in [
        (ExternalEntity.LESSON, "L1", cast.lesson),
        (ExternalEntity.STUDENT, "P1", cast.pupil),
    ]:
        external_map(
            school=cast.school, source="other-journal", entity=entity, external_id=ext, obj=obj
        )


def test_a_mark_by_api_is_in_the_diary_the_history_and_the_familys_outbox(
    api, cast, known, family, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/marks/",
            {"items": [{"id": "M1", "lesson": "L1", "student": "P1", "value": "4"}]},
        )
    assert response.status_code == 200, response.json()
    history = MarkChange.objects.get(student=cast.pupil)
    assert (history.action, history.changed_by) == ("create", api.api_client.account)
    page = as_user(cast.guardian).get(f"/diary/{cast.pupil.pk}/marks/").content.decode()
    assert "Математика" in page and ">4<" in page.replace(" ", "")
    message = OutboxMessage.objects.get(guardian=family)
    assert (message.kind, message.channel, message.status) == (Kind.MARK, "sms", "sent")
    assert transports.sms_outbox[0]["body"] == (
        "Пётр, новые отметки: Математика 4. Подробнее в дневнике."
    )
    # The same batch again is unchanged: no second message.
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/api/v1/marks/",
            {"items": [{"id": "M1", "lesson": "L1", "student": "P1", "value": "4"}]},
        )
    assert OutboxMessage.objects.count() == 1


def test_a_message_to_parents_by_api_goes_to_the_family_at_once(
    api, cast, known, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/remarks/",
            {
                "items": [
                    {
                        "id": "R1",
                        "lesson": "L1",
                        "student": "P1",
                        "kind": "message",
                        "text": "Прошу зайти в школу",
                    }
                ]
            },
        )
    assert response.status_code == 200, response.json()
    message = OutboxMessage.objects.get(guardian=family)
    assert message.kind == Kind.MESSAGE
    assert message.body.endswith("Математика: Прошу зайти в школу")


def test_tomorrows_lesson_cancelled_by_api_is_told_to_the_family(
    api, cast, family, today, django_capture_on_commit_callbacks
):
    tomorrow = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=today + dt.timedelta(days=1),
        lesson_number=4,
        work_type=cast.answer,
    )
    external_map(
        school=cast.school,
        source="other-journal",
        entity=ExternalEntity.LESSON,
        external_id="L2",
        obj=tomorrow,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/lessons/delete/", {"items": [{"id": "L2"}]})
    assert response.status_code == 200, response.json()
    message = OutboxMessage.objects.get(guardian=family)
    assert message.kind == Kind.SCHEDULE
    assert message.body == "Пётр, изменения в расписании: Математика 26.11, урок 4 отменён."
