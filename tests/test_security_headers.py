"""Responses that hold pupils' data are never cached; bodies from strangers are capped before
they are read; the admin runs under the same Content-Security-Policy as every page."""

import re

import pytest
from django.urls import reverse

from tests import factories as f

# --- Cache-Control: no-store for every signed-in response -----------------------------------


@pytest.mark.parametrize(
    ("persona", "url_name", "args"),
    [
        ("guardian", "home", []),
        ("subject_teacher", "journal:home", []),
        ("school_admin", "admin:school_student_changelist", []),
        ("director", "reports:statistics", []),
    ],
)
def test_pages_for_a_signed_in_user_are_not_stored_by_any_cache(
    as_user, cast, persona, url_name, args
):
    response = as_user(getattr(cast, persona)).get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_diary_page_of_a_child_is_not_stored(as_user, cast):
    response = as_user(cast.guardian).get(reverse("diary:current_week", args=[cast.pupil.pk]))
    assert response.status_code in (200, 302)
    assert "no-store" in response["Cache-Control"]


def test_a_personal_data_export_is_not_stored(as_user, cast):
    from consent.models import PdRequest

    pd_request = PdRequest.objects.create(
        school=cast.school,
        guardian=cast.pupil.guardian_links.get().guardian,
        student=cast.pupil,
        received_on=cast.today,
        due_on=cast.today,
        registered_by=cast.school_admin,
    )
    response = as_user(cast.school_admin).get(
        reverse("consent:pd_export", args=[pd_request.pk, "json"])
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_public_login_page_is_not_marked_no_store_for_nobody(client):
    # Only signed-in responses are concerned; the login page itself holds no pupil data.
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200


# --- Request bodies ----------------------------------------------------------------------------


def test_an_anonymous_request_with_a_large_body_is_refused_before_it_is_read(client, settings):
    settings.ANONYMOUS_MAX_BODY_BYTES = 1024
    body = "username=x&password=" + "a" * 5000
    response = client.generic(
        "POST",
        reverse("accounts:login"),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413


def test_the_anonymous_cap_applies_to_the_activation_page_too(client, settings):
    settings.ANONYMOUS_MAX_BODY_BYTES = 1024
    response = client.generic(
        "POST",
        reverse("consent:activate"),
        "code=" + "A" * 4000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413


def test_a_small_anonymous_request_passes(client, cast):
    response = client.post(
        reverse("accounts:login"), {"username": "guardian", "password": "secret-pass-123"}
    )
    assert response.status_code == 302


def test_a_signed_in_user_may_send_a_larger_body(as_user, cast, settings):
    settings.ANONYMOUS_MAX_BODY_BYTES = 1024
    client = as_user(cast.guardian)
    response = client.post(
        reverse("consent:my_contacts"), {"kind": "phone", "value": "8 900 765-43-21" + " " * 3000}
    )
    assert response.status_code != 413


def test_nobody_sends_more_than_the_proxys_cap(as_user, cast, settings):
    settings.REQUEST_MAX_BODY_BYTES = 2048
    client = as_user(cast.guardian)
    response = client.post(reverse("consent:my_contacts"), {"kind": "phone", "value": "1" * 5000})
    assert response.status_code == 413


def test_gunicorn_is_published_on_the_internal_network_only():
    """Published on 0.0.0.0, gunicorn would be reachable around the proxy (its body cap, its
    X-Forwarded-For): the web service only exposes its port to the compose network."""
    from pathlib import Path

    compose = (Path(__file__).resolve().parents[1] / "docker-compose.yml").read_text()
    lines = [line.split("#", 1)[0].rstrip() for line in compose.splitlines()]
    web = "\n".join(lines).split("\n  web:", 1)[1].split("\n  worker:", 1)[0]
    published = (
        re.findall(r'^\s+-\s*"?([0-9.:]+)"?$', web.split("ports:", 1)[1], re.M)
        if ("ports:" in web)
        else []
    )
    assert all(p.startswith("127.0.0.1:") for p in published), published
    assert "0.0.0.0:8000" not in web.split("command:", 1)[1].split("]", 1)[0] or not published


# --- The admin's Content-Security-Policy ------------------------------------------------------


def _admin_pages(cast):
    mark_lesson = cast.lesson
    f.MarkFactory(lesson=mark_lesson, student=cast.pupil)
    return [
        reverse("admin:index"),
        reverse("admin:school_student_changelist"),
        reverse("admin:school_student_change", args=[cast.pupil.pk]),
        reverse("admin:school_classgroup_add"),
        reverse("admin:accounts_user_change", args=[cast.subject_teacher.pk]),
        reverse("admin:journal_mark_changelist"),
    ]


def test_the_admin_has_no_unsafe_inline_in_its_policy(as_user, cast):
    client = as_user(cast.school_admin)
    for url in _admin_pages(cast):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy, url
        assert "script-src 'self'" in policy and "style-src 'self'" in policy


def test_the_admin_pages_need_no_inline_script(as_user, cast):
    """Under a policy without 'unsafe-inline' an inline <script> would not run: Django 5.2's
    admin has none on the pages the school uses."""
    client = as_user(cast.school_admin)
    for url in _admin_pages(cast):
        body = client.get(url).content.decode()
        inline = [
            tag
            for tag in re.findall(r"<script\b[^>]*>", body)
            if "src=" not in tag and "application/json" not in tag
        ]
        assert not inline, (url, inline)
        assert not re.search(r"\son[a-z]+\s*=", body), url
