"""Who may call: a token of an active client of the school, with the scope the path needs."""

from django.utils import timezone

from accounts.models import Role
from api.models import GRADEBOOK_READ, ROSTER_READ, WRITE
from api.services import api_client_revoke
from consent.models import AccessLogEntry
from tests import factories as f

from .conftest import make_caller, obtain_token

USERS = "/ims/oneroster/rostering/v1p2/users"
MARKS = "/api/v1/marks/"


def test_no_token_is_a_401_with_the_standards_body(client, cast):
    response = client.get(USERS)
    assert response.status_code == 401
    assert (
        response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "unauthorisedrequest"
    )
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.post(MARKS, {}, content_type="application/json").status_code == 401


def test_a_wrong_secret_gets_no_token(client, cast, api):
    assert obtain_token(client, api.client_id, "not-the-secret").status_code == 401


def test_a_revoked_client_is_refused_at_once_and_gets_no_new_token(client, cast, api):
    assert api.get(USERS).status_code == 200
    api_client_revoke(client=api.api_client, now=timezone.now())
    assert api.get(USERS).status_code == 401
    assert obtain_token(client, api.client_id, api.secret).status_code == 401


def test_a_missing_scope_is_a_403(client, cast):
    roster_only = make_caller(client, cast.school, [ROSTER_READ], source="lms")
    assert roster_only.get(USERS).status_code == 200
    refused = roster_only.get("/ims/oneroster/gradebook/v1p2/results")
    assert refused.status_code == 403
    assert refused.json()["imsx_codeMajor"] == "failure"
    assert roster_only.post(MARKS, {"items": []}).status_code == 403


def test_a_client_cannot_ask_for_a_scope_it_was_not_given(client, cast):
    caller = make_caller(client, cast.school, [ROSTER_READ], source="lms")
    assert obtain_token(client, caller.client_id, caller.secret, scope=WRITE).status_code == 400


def test_another_schools_token_sees_nothing_of_this_school(client, cast, api):
    mine = api.get(f"{USERS}", {"filter": "role='student'"}).json()["users"][0]["sourcedId"]
    other_school = f.SchoolFactory()
    other = make_caller(client, other_school, [ROSTER_READ, GRADEBOOK_READ], source="x")
    assert other.get(f"{USERS}/{mine}").status_code == 404
    assert other.get(USERS).json()["users"] == []


def test_every_call_that_shows_pupils_is_in_the_access_log(cast, api):
    api.get(USERS, {"filter": "role='student'"})
    logged = AccessLogEntry.objects.filter(student=cast.pupil)
    assert logged.count() == 1
    assert logged.get().viewer.api_client == api.api_client
    assert logged.get().viewer.role == Role.DIRECTOR


def test_the_rate_limit_counts_per_client(cast, api, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "client": "2/min"}
    try:
        assert api.get(USERS).status_code == 200
        assert api.get(USERS).status_code == 200
        third = api.get(USERS)
        assert third.status_code == 429
        assert "server_busy" in third.content.decode()
    finally:
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
