"""What the pages do: the register and its filters, recording and withdrawing, scans,
contacts with provenance, the access log the family sees."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from consent.models import AccessLogEntry, Consent, ContactPoint, ContactSource, Purpose
from consent.services import consent_withdraw
from school.models import Guardian, GuardianStudent, Student
from tests import factories as f
from tests.consent.factories import ContactFactory


def test_the_register_shows_each_family_and_decision(as_user, cast):
    body = as_user(cast.school_admin).get(reverse("consent:register")).content.decode()
    assert "Реестр согласий" in body
    for child in (cast.pupil, cast.pupil_no_consent, cast.stranger_child):
        assert child.full_name in body
    assert "нет решения" in body


@pytest.mark.parametrize(
    ("filter_name", "shown", "hidden"),
    [
        ("undecided", "pupil_no_consent", "sibling_7a"),
        ("refusals", "stranger_child", "pupil"),
        ("withdrawn_this_month", "pupil", "stranger_child"),
    ],
)
def test_the_register_filters(as_user, cast, filter_name, shown, hidden):
    consent = Consent.objects.get(guardian=cast.guardian.guardian, purpose=Purpose.DIARY)
    consent_withdraw(recorded_by=cast.school_admin, consent=consent, withdrawn_on=cast.today)
    f.ConsentFactory(
        school=cast.school,
        guardian=cast.stranger.guardian,
        student=cast.stranger_child,
        purpose=Purpose.SMS,
        decision="refusal",
    )
    body = (
        as_user(cast.school_admin)
        .get(reverse("consent:register"), {"filter": filter_name})
        .content.decode()
    )
    assert getattr(cast, shown).full_name in body
    assert getattr(cast, hidden).full_name not in body


def _more_families(cast, n):
    for i in range(n):
        student = f.StudentFactory(school=cast.school, last_name=f"Новиков{i}")
        guardian = f.GuardianFactory(school=cast.school)
        GuardianStudent.objects.create(
            school=cast.school, guardian=guardian, student=student, relation="father"
        )
        f.ConsentFactory(
            school=cast.school, guardian=guardian, student=student, purpose=Purpose.DIARY
        )
        f.ConsentFactory(
            school=cast.school, guardian=guardian, student=student, purpose=Purpose.SMS
        )


@pytest.mark.parametrize("name", ["consent:register", "consent:paper_list", "consent:pd_requests"])
def test_list_pages_take_the_same_queries_at_1x_and_10x(
    as_user, cast, django_assert_max_num_queries, name
):
    client = as_user(cast.school_admin)
    _more_families(cast, 3)
    with django_assert_max_num_queries(8):
        assert client.get(reverse(name)).status_code == 200
    _more_families(cast, 30)
    with django_assert_max_num_queries(8):
        assert client.get(reverse(name)).status_code == 200


def test_recording_a_decision_with_a_scan(as_user, cast, link_of):
    link = link_of(cast.guardian_without_consent, cast.pupil_no_consent)
    response = as_user(cast.school_admin).post(
        reverse("consent:record", args=[link.pk]),
        {
            "purpose": "diary",
            "decision": "consent",
            "form": "paper",
            "decided_on": cast.today.isoformat(),
            "document_ref": "Заявление № 17",
            "document": SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(guardian=link.guardian, purpose="diary")
    assert consent.recorded_by == cast.school_admin
    assert consent.document.name.endswith(".png")
    scan = as_user(cast.school_admin).get(reverse("consent:scan", args=[consent.pk]))
    assert scan.status_code == 200
    assert b"".join(scan.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("scan.exe", b"MZ\x90\x00"),
            "Скан должен быть файлом PDF, JPEG или PNG",
        ),
        (
            # Judged by its content, not its name.
            SimpleUploadedFile("scan.pdf", b"<html>not a pdf"),
            "Скан должен быть файлом PDF, JPEG или PNG",
        ),
    ],
)
def test_a_bad_scan_is_refused_and_nothing_saved(as_user, cast, link_of, upload, message):
    link = link_of(cast.guardian_without_consent, cast.pupil_no_consent)
    response = as_user(cast.school_admin).post(
        reverse("consent:record", args=[link.pk]),
        {
            "purpose": "diary",
            "decision": "consent",
            "form": "paper",
            "decided_on": cast.today.isoformat(),
            "document": upload,
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consent.objects.filter(guardian=link.guardian).exists()


def test_an_oversized_scan_is_refused(as_user, cast, link_of, settings):
    settings.UPLOAD_MAX_BYTES = 10
    link = link_of(cast.guardian_without_consent, cast.pupil_no_consent)
    response = as_user(cast.school_admin).post(
        reverse("consent:record", args=[link.pk]),
        {
            "purpose": "diary",
            "decision": "consent",
            "form": "paper",
            "decided_on": cast.today.isoformat(),
            "document": SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * 100),
        },
    )
    assert response.status_code == 400
    assert "Скан слишком большой" in response.content.decode()


def test_a_future_date_is_refused_with_the_field_named(as_user, cast, link_of):
    link = link_of(cast.guardian_without_consent, cast.pupil_no_consent)
    response = as_user(cast.school_admin).post(
        reverse("consent:record", args=[link.pk]),
        {
            "purpose": "diary",
            "decision": "consent",
            "form": "paper",
            "decided_on": (cast.today + dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Дата решения не может быть в будущем" in response.content.decode()


def test_a_second_decision_in_force_is_refused(as_user, cast, link):
    response = as_user(cast.school_admin).post(
        reverse("consent:record", args=[link.pk]),
        {
            "purpose": "diary",
            "decision": "refusal",
            "form": "paper",
            "decided_on": cast.today.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "уже есть действующее решение" in response.content.decode()
    assert Consent.objects.filter(guardian=link.guardian, purpose="diary").count() == 1


def test_withdrawal_keeps_the_row_and_records_who(as_user, cast, link):
    consent = Consent.objects.get(guardian=link.guardian, purpose="diary")
    client = as_user(cast.school_admin)
    url = reverse("consent:withdraw", args=[consent.pk])
    # The family page links to a confirmation step, which names the decision withdrawn.
    family = client.get(reverse("consent:family", args=[link.pk])).content.decode()
    assert f'href="{url}"' in family and '<form method="post" action="' + url not in family
    confirm = client.get(url).content.decode()
    assert 'data-testid="withdraw-confirm"' in confirm and cast.pupil.full_name in confirm
    # Without a reason and the paper application's reference nothing is recorded.
    refused = client.post(url, {"withdrawn_on": cast.today.isoformat()})
    assert refused.status_code == 400
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    response = client.post(
        url,
        {
            "withdrawn_on": cast.today.isoformat(),
            "reason": "Семья просит бумажные выписки",
            "document_ref": "вх. № 112 от 25.11.2026",
        },
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert (consent.withdrawn_on, consent.withdrawn_recorded_by) == (cast.today, cast.school_admin)
    assert consent.withdrawal_reason == "Семья просит бумажные выписки"
    assert consent.withdrawal_document_ref == "вх. № 112 от 25.11.2026"
    family = client.get(reverse("consent:family", args=[link.pk])).content.decode()
    assert "вх. № 112 от 25.11.2026" in family
    again = client.get(url, follow=True)
    assert "уже отозвано" in again.content.decode()


def test_the_admin_records_a_contact_with_its_provenance(as_user, cast, link):
    response = as_user(cast.school_admin).post(
        reverse("consent:contact_add", args=[link.pk]),
        {
            "kind": "phone",
            "value": "8 (900) 111-22-33",
            "source": "application",
            "document_ref": "вх. 45",
        },
    )
    assert response.status_code == 302
    contact = ContactPoint.objects.get(guardian=link.guardian)
    assert (contact.value, contact.source, contact.recorded_by) == (
        "+79001112233",
        ContactSource.APPLICATION,
        cast.school_admin,
    )


def test_a_garbage_phone_gets_a_russian_error_and_nothing_is_saved(as_user, cast, link):
    response = as_user(cast.school_admin).post(
        reverse("consent:contact_add", args=[link.pk]),
        {"kind": "phone", "value": "позвоните маме", "source": "application"},
    )
    assert response.status_code == 400
    assert "Введите российский номер телефона" in response.content.decode()
    assert not ContactPoint.objects.exists()


def test_the_guardian_changes_their_own_contact_recorded_as_such(as_user, cast):
    client = as_user(cast.guardian)
    client.post(reverse("consent:my_contacts"), {"kind": "email", "value": "mama@example.ru"})
    response = client.post(
        reverse("consent:my_contacts"), {"kind": "email", "value": "mama@school.ru"}
    )
    assert response.status_code == 302
    contacts = ContactPoint.objects.filter(guardian=cast.guardian.guardian).order_by("pk")
    assert [(c.value, c.source, c.replaced_at is not None) for c in contacts] == [
        ("mama@example.ru", ContactSource.ACCOUNT, True),
        ("mama@school.ru", ContactSource.ACCOUNT, False),
    ]
    assert all(c.recorded_by == cast.guardian for c in contacts)
    page = client.get(reverse("consent:my_contacts")).content.decode()
    assert "mama@school.ru" in page and "mama@example.ru" not in page


def test_the_guardian_sees_who_looked_at_their_childs_records(as_user, cast, link):
    as_user(cast.school_admin).get(reverse("consent:family", args=[link.pk]))
    entry = AccessLogEntry.objects.get()
    assert (entry.viewer, entry.student) == (cast.school_admin, cast.pupil)
    body = as_user(cast.guardian).get(reverse("consent:my_access_log")).content.decode()
    assert cast.school_admin.full_name in body
    assert "реестр согласий" in body.lower()
    stranger_body = as_user(cast.stranger).get(reverse("consent:my_access_log")).content.decode()
    assert cast.school_admin.full_name not in stranger_body


def test_names_are_escaped(as_user, cast):
    student = Student.objects.create(
        school=cast.school, last_name="<script>alert(1)</script>", first_name="Ян"
    )
    guardian = Guardian.objects.create(
        school=cast.school, last_name="<img src=x onerror=alert(1)>", first_name="Ия"
    )
    GuardianStudent.objects.create(
        school=cast.school, guardian=guardian, student=student, relation="mother"
    )
    body = as_user(cast.school_admin).get(reverse("consent:register")).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_the_family_page_takes_the_same_queries_with_a_long_history(
    as_user, cast, link, django_assert_max_num_queries
):
    client = as_user(cast.school_admin)
    url = reverse("consent:family", args=[link.pk])

    def grow(n):
        for i in range(n):
            consent = Consent.objects.filter(
                guardian=link.guardian, purpose="sms", withdrawn_on__isnull=True
            ).first()
            if consent:
                consent_withdraw(
                    recorded_by=cast.school_admin, consent=consent, withdrawn_on=cast.today
                )
            f.ConsentFactory(
                school=cast.school,
                guardian=link.guardian,
                student=link.student,
                purpose="sms",
                decided_on=cast.today - dt.timedelta(days=i),
            )
            ContactPoint.objects.filter(guardian=link.guardian, replaced_at__isnull=True).update(
                replaced_at=timezone.now()
            )
            ContactFactory(guardian=link.guardian, value=f"+7900000{i:04d}")

    grow(2)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    grow(20)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_the_register_pages_through_many_families(as_user, cast, settings):
    from consent import selectors

    selectors.REGISTER_PAGE_SIZE, saved = 3, selectors.REGISTER_PAGE_SIZE
    try:
        client = as_user(cast.school_admin)
        first = client.get(reverse("consent:register")).content.decode()
        second = client.get(reverse("consent:register"), {"page": 2}).content.decode()
    finally:
        selectors.REGISTER_PAGE_SIZE = saved
    assert "Страница 1 из 2" in first
    assert "Страница 2 из 2" in second
    assert cast.pupil.full_name in first + second


def test_a_request_is_marked_answered_once(as_user, cast, link):
    from consent.services import pd_request_register

    request = pd_request_register(
        registered_by=cast.school_admin,
        guardian=link.guardian,
        student=link.student,
        received_on=cast.today,
    )
    client = as_user(cast.school_admin)
    client.post(reverse("consent:pd_answer", args=[request.pk]))
    request.refresh_from_db()
    assert request.answered_on == cast.today
    body = client.get(reverse("consent:pd_requests")).content.decode()
    assert "Отметить ответ" not in body


def test_registering_a_request_through_the_page(as_user, cast, link):
    from consent.models import PdRequest

    client = as_user(cast.school_admin)
    response = client.post(
        reverse("consent:pd_requests"),
        {"link": link.pk, "received_on": cast.today.isoformat(), "document_ref": "вх. 101"},
    )
    assert response.status_code == 302
    assert PdRequest.objects.get().document_ref == "вх. 101"
    bad = client.post(reverse("consent:pd_requests"), {"link": link.pk, "received_on": "завтра"})
    assert bad.status_code == 400
    assert "Введите правильную дату" in bad.content.decode()
    assert PdRequest.objects.count() == 1


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:consent_contactpoint_changelist",
        "admin:consent_pdrequest_changelist",
        "admin:consent_destruction_changelist",
        "admin:consent_accesslogentry_changelist",
        "admin:notifications_outboxmessage_changelist",
    ],
)
def test_the_evidence_is_read_only_in_the_admin(as_user, cast, url_name):
    client = as_user(cast.school_admin)
    assert client.get(reverse(url_name)).status_code == 200
    add = reverse(url_name.replace("changelist", "add"))
    assert client.get(add).status_code == 403


def test_the_access_log_page_takes_the_same_queries_at_1x_and_10x(
    as_user, cast, django_assert_max_num_queries
):
    from consent.services import access_log_record_many

    client = as_user(cast.guardian)
    access_log_record_many(
        cast.subject_teacher, [cast.pupil, cast.pupil_no_consent], "журнал 7 «А»"
    )
    with django_assert_max_num_queries(5):
        body = client.get(reverse("consent:my_access_log")).content.decode()
    assert body.count("журнал 7 «А»") == 1  # only their own child's row
    for n in range(10):
        access_log_record_many(cast.class_teacher, [cast.pupil], f"урок {n}: журнал 7 «А»")
    with django_assert_max_num_queries(5):
        body = client.get(reverse("consent:my_access_log")).content.decode()
    assert body.count("журнал 7 «А»") == 11


def test_the_same_view_is_logged_once_a_day(cast):
    from consent.models import AccessLogEntry
    from consent.services import access_log_record, access_log_record_many

    for _ in range(3):
        access_log_record_many(cast.subject_teacher, [cast.pupil, cast.sibling_7a], "журнал")
        access_log_record(cast.subject_teacher, cast.pupil, "журнал")
    assert AccessLogEntry.objects.filter(viewer=cast.subject_teacher).count() == 2
    access_log_record(cast.subject_teacher, cast.pupil, "урок")
    assert AccessLogEntry.objects.filter(viewer=cast.subject_teacher).count() == 3


def test_a_view_logged_today_sends_no_insert_and_the_next_day_logs_again(
    cast, clock, django_assert_num_queries, django_capture_on_commit_callbacks
):
    import datetime as dt

    from consent.models import AccessLogEntry
    from consent.services import access_log_record_many

    shown = [cast.pupil, cast.sibling_7a]
    # The test runs in a transaction: what a commit would do is run by hand.
    with (
        django_assert_num_queries(1),  # the INSERT … ON CONFLICT DO NOTHING
        django_capture_on_commit_callbacks(execute=True),
    ):
        access_log_record_many(cast.subject_teacher, shown, "журнал")
    with django_assert_num_queries(0):  # the same page reloaded: nothing to write
        assert access_log_record_many(cast.subject_teacher, shown, "журнал") == 2
    with django_assert_num_queries(1):  # other pupils shown: logged
        access_log_record_many(cast.subject_teacher, shown[:1], "журнал")
    with django_assert_num_queries(1):  # another page: logged
        access_log_record_many(cast.subject_teacher, shown, "урок")
    assert AccessLogEntry.objects.filter(viewer=cast.subject_teacher).count() == 4
    clock.shift(dt.timedelta(days=1))
    access_log_record_many(cast.subject_teacher, shown, "журнал")
    assert AccessLogEntry.objects.filter(viewer=cast.subject_teacher).count() == 6


def test_a_view_inside_a_transaction_rolled_back_is_logged_by_the_next_one(cast):
    from django.db import transaction

    from consent.models import AccessLogEntry
    from consent.services import access_log_record_many

    with transaction.atomic():
        access_log_record_many(cast.subject_teacher, [cast.pupil], "журнал")
        transaction.set_rollback(True)
    assert not AccessLogEntry.objects.exists()
    access_log_record_many(cast.subject_teacher, [cast.pupil], "журнал")
    assert AccessLogEntry.objects.filter(viewer=cast.subject_teacher).count() == 1


def test_with_the_cache_down_a_view_is_still_logged(cast, settings):
    from consent.models import AccessLogEntry
    from consent.services import access_log_record_many

    # A Redis cache on a port where nothing listens: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert access_log_record_many(cast.subject_teacher, [cast.pupil], "журнал") == 1
    assert AccessLogEntry.objects.filter(viewer=cast.subject_teacher, student=cast.pupil).exists()


def test_family_members_are_not_logged_as_viewers(cast):
    from consent.services import access_log_record, access_log_record_many

    assert access_log_record(cast.guardian, cast.pupil, "дневник") is None
    assert access_log_record_many(cast.student, [cast.pupil], "дневник") == 0
    assert not AccessLogEntry.objects.exists()


def test_a_double_submit_that_races_past_validation_is_refused_cleanly(cast, link_of, monkeypatch):
    from django.core.exceptions import ValidationError

    from consent.services import consent_record

    link = link_of(cast.guardian_without_consent, cast.pupil_no_consent)
    kwargs = {
        "recorded_by": cast.school_admin,
        "guardian": link.guardian,
        "student": link.student,
        "purpose": "diary",
        "decision": "consent",
        "form": "paper",
        "decided_on": cast.today,
    }
    consent_record(**kwargs)
    # The second request validated before the first committed: only the database can refuse it.
    monkeypatch.setattr(Consent, "full_clean", lambda self, **kw: None)
    with (
        translation.override("ru"),
        pytest.raises(ValidationError, match="уже есть действующее решение"),
    ):
        consent_record(**kwargs)
    assert Consent.objects.filter(guardian=link.guardian).count() == 1
