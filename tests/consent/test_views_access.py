"""Every view of the consent app: the right role is allowed; teachers, parents and another
school's administrator are not (403, or 404 for another school's ids); a wrong method is 405."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consent.models import ConsentForm, Purpose
from consent.services import consent_record, pd_request_register

PDF_BYTES = b"%PDF-1.4\n% test scan\n"


@pytest.fixture
def objects(cast, link):
    scanned = consent_record(
        recorded_by=cast.school_admin,
        guardian=link.guardian,
        student=link.student,
        purpose=Purpose.EMAIL,
        decision="consent",
        form=ConsentForm.PAPER,
        decided_on=cast.today,
        document_ref="№ 5",
        document=SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    request = pd_request_register(
        registered_by=cast.school_admin,
        guardian=link.guardian,
        student=link.student,
        received_on=cast.today,
    )
    return {"link": link.pk, "consent": scanned.pk, "request": request.pk}


# (url name, args from objects, allowed method, the other method, the admin's expected status)
ADMIN_VIEWS = [
    ("consent:register", [], "get", "post", 200),
    ("consent:paper_list", [], "get", "post", 200),
    ("consent:pd_requests", [], "get", "put", 200),
    ("consent:family", ["link"], "get", "post", 200),
    ("consent:form_pdf", ["link"], "get", "post", 302),  # to the generated file's request
    ("consent:scan", ["consent"], "get", "post", 200),
    ("consent:pd_export", ["request", "json"], "get", "post", 200),
    ("consent:record", ["link"], "post", "get", 400),  # an empty form: errors, nothing saved
    ("consent:contact_add", ["link"], "post", "get", 400),
    ("consent:withdraw", ["consent"], "get", "put", 200),  # the confirmation page
    ("consent:withdraw", ["consent"], "post", "put", 400),  # no reason, no reference: refused
    ("consent:pd_answer", ["request"], "post", "get", 302),
    ("consent:account_issue", ["link"], "post", "get", 200),
    ("consent:account_disable", ["link"], "post", "get", 302),
    ("consent:link_remove", ["link"], "post", "get", 302),
]
OBJECT_VIEWS = [v for v in ADMIN_VIEWS if v[1]]


def url_of(name, args, objects):
    return reverse(name, args=[objects.get(a, a) for a in args])


@pytest.mark.parametrize(
    ("name", "args", "method", "_other", "status"), ADMIN_VIEWS, ids=lambda v: str(v)
)
def test_the_school_admin_is_allowed(as_user, cast, objects, name, args, method, _other, status):
    response = getattr(as_user(cast.school_admin), method)(url_of(name, args, objects))
    assert response.status_code == status


@pytest.mark.parametrize("who", ["subject_teacher", "guardian", "stranger", "director"])
@pytest.mark.parametrize(
    ("name", "args", "method", "_other", "_status"), ADMIN_VIEWS, ids=lambda v: str(v)
)
def test_other_roles_are_forbidden(
    as_user, cast, objects, who, name, args, method, _other, _status
):
    response = getattr(as_user(getattr(cast, who)), method)(url_of(name, args, objects))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "args", "method", "_other", "_status"), OBJECT_VIEWS, ids=lambda v: str(v)
)
def test_another_schools_admin_gets_404(
    as_user, cast, objects, name, args, method, _other, _status
):
    response = getattr(as_user(cast.outsider), method)(url_of(name, args, objects))
    assert response.status_code == 404
    assert cast.pupil.last_name not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "args", "method", "_other", "_status"), OBJECT_VIEWS, ids=lambda v: str(v)
)
def test_a_missing_id_is_404_too(as_user, cast, objects, name, args, method, _other, _status):
    missing = dict.fromkeys(("link", "consent", "request"), 999999)
    response = getattr(as_user(cast.school_admin), method)(url_of(name, args, missing))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "args", "_method", "other", "_status"), ADMIN_VIEWS, ids=lambda v: str(v)
)
def test_the_wrong_method_is_405(as_user, cast, objects, name, args, _method, other, _status):
    response = getattr(as_user(cast.school_admin), other)(url_of(name, args, objects))
    assert response.status_code == 405


def test_another_schools_lists_show_nothing_of_ours(as_user, cast, objects):
    client = as_user(cast.outsider)
    for name in ("consent:register", "consent:paper_list", "consent:pd_requests"):
        body = client.get(reverse(name)).content.decode()
        assert cast.pupil.last_name not in body
        assert cast.pupil_no_consent.last_name not in body


def test_an_unknown_export_format_is_404(as_user, cast, objects):
    response = as_user(cast.school_admin).get(
        url_of("consent:pd_export", ["request", "xml"], objects)
    )
    assert response.status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, cast, objects):
    response = client.get(reverse("consent:register"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- The guardian's pages -------------------------------------------------------------------

GUARDIAN_VIEWS = [
    ("consent:my_contacts", "get", "put"),
    ("consent:my_access_log", "get", "post"),
    ("consent:my_consents", "get", "post"),
]


@pytest.mark.parametrize(("name", "method", "_other"), GUARDIAN_VIEWS)
def test_the_guardian_is_allowed(as_user, cast, name, method, _other):
    assert getattr(as_user(cast.guardian), method)(reverse(name)).status_code == 200


@pytest.mark.parametrize("who", ["school_admin", "subject_teacher", "student", "outsider"])
@pytest.mark.parametrize(("name", "method", "_other"), GUARDIAN_VIEWS)
def test_others_may_not_open_the_guardians_pages(as_user, cast, who, name, method, _other):
    assert getattr(as_user(getattr(cast, who)), method)(reverse(name)).status_code == 403


@pytest.mark.parametrize(("name", "_method", "other"), GUARDIAN_VIEWS)
def test_the_guardians_pages_refuse_the_wrong_method(as_user, cast, name, _method, other):
    assert getattr(as_user(cast.guardian), other)(reverse(name)).status_code == 405


def test_activation_is_open_to_visitors_and_get_post_only(client, db):
    assert client.get(reverse("consent:activate")).status_code == 200
    assert client.put(reverse("consent:activate")).status_code == 405


def test_a_guardian_sees_only_their_own_contacts(as_user, cast):
    from tests.consent.factories import ContactFactory

    ContactFactory(guardian=cast.guardian.guardian, kind="phone", value="+79001112233")
    ContactFactory(guardian=cast.stranger.guardian, kind="phone", value="+79004445566")
    body = as_user(cast.stranger).get(reverse("consent:my_contacts")).content.decode()
    assert "+7 900 444-55-66" in body
    assert "+7 900 111-22-33" not in body and "+79001112233" not in body


def test_a_guardian_sees_only_their_own_consents(as_user, cast):
    body = as_user(cast.guardian_of_two).get(reverse("consent:my_consents")).content.decode()
    assert cast.sibling_7a.full_name in body and cast.sibling_5b.full_name in body
    assert cast.pupil.full_name not in body
    assert "электронный дневник (личный кабинет)" in body
