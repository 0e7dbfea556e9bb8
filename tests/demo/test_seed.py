"""The synthetic school: deterministic, complete, and with the demo cast it promises."""

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from consent.rules import may_open_diary_of
from journal import models as jm
from school import models as sm
from school.models import School


def seed(*args) -> dict:
    out = io.StringIO()
    call_command("seed_school", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def small_school(db):
    return seed("--students", "60", "--seed", "7")


def test_the_json_report_names_every_demo_login_and_the_counts(small_school):
    assert set(small_school["logins"]) == {
        "admin",
        "director",
        "deputy_head",
        "class_teacher",
        "subject_teacher",
        "guardian",
        "guardian_without_consent",
        "student",
    }
    counts = small_school["counts"]
    school = School.objects.get(pk=small_school["school_id"])
    assert counts["students"] == sm.Student.objects.filter(school=school).count() == 60
    assert counts["marks"] == jm.Mark.objects.filter(school=school).count() > 0
    assert counts["lessons"] == jm.Lesson.objects.filter(school=school).count() > 0


def test_the_demo_logins_work_and_mean_what_they_say(small_school):
    logins, password = small_school["logins"], small_school["password"]
    for username in logins.values():
        assert authenticate(username=username, password=password) is not None, username
    guardian = authenticate(username=logins["guardian"], password=password)
    children = list(guardian.guardian.students.all())
    assert len(children) == 2
    assert all(may_open_diary_of(guardian, child.pk) for child in children)
    without = authenticate(username=logins["guardian_without_consent"], password=password)
    assert not any(may_open_diary_of(without, c.pk) for c in without.guardian.students.all())


def test_the_same_seed_builds_the_same_school(db):
    first, second = seed("--students", "60", "--seed", "3"), seed("--students", "60", "--seed", "3")
    assert first["counts"] | {"schools": 0} == second["counts"] | {"schools": 0}
    marks = [
        list(
            jm.Mark.objects.filter(school_id=run["school_id"])
            .order_by("date", "id")
            .values_list("value", "date")[:200]
        )
        for run in (first, second)
    ]
    assert marks[0] == marks[1]


def test_grade_one_is_taught_without_marks(small_school):
    assert not jm.Mark.objects.filter(
        school_id=small_school["school_id"], lesson__class_group__level=1
    ).exists()


def test_if_empty_builds_nothing_when_a_school_exists(small_school):
    out = io.StringIO()
    call_command("seed_school", "--if-empty", stdout=out)
    assert School.objects.count() == 1
    assert "roditel" in out.getvalue()


def test_parents_have_confirmed_past_weeks_but_the_demo_parent_left_the_latest(small_school):
    """The class teacher's confirmations page has something to show in the demo, and the demo
    parent still has a week to confirm."""
    import datetime as dt

    from diary.models import WeekAcknowledgement

    school_id = small_school["school_id"]
    confirmed = WeekAcknowledgement.objects.filter(school_id=school_id)
    assert small_school["counts"]["week_acknowledgements"] == confirmed.count() > 0
    assert all(monday.weekday() == 0 for monday in confirmed.values_list("week_start", flat=True))
    today = dt.date.fromisoformat(small_school["today"])
    assert not confirmed.filter(week_start__gt=today - dt.timedelta(days=5)).exists()
    demo = confirmed.filter(guardian__user__username=small_school["logins"]["guardian"])
    latest = confirmed.order_by("-week_start").values_list("week_start", flat=True).first()
    assert demo.exists() and not demo.filter(week_start=latest).exists()
    # Only families who read the electronic diary confirm it.
    assert not confirmed.filter(
        guardian__user__username=small_school["logins"]["guardian_without_consent"]
    ).exists()


def test_parents_who_agreed_to_sms_or_e_mail_have_a_phone_or_an_address(small_school):
    from consent.models import ContactKind, ContactPoint, Purpose
    from consent.validators import normalise_contact

    school_id = small_school["school_id"]
    contacts = ContactPoint.objects.filter(school_id=school_id)
    assert small_school["counts"]["contacts"] == contacts.count() > 0
    for contact in contacts:
        assert normalise_contact(contact.kind, contact.value) == contact.value
    with_sms = set(
        sm.Guardian.objects.filter(
            school_id=school_id, consents__purpose=Purpose.SMS, consents__decision="consent"
        ).values_list("pk", flat=True)
    )
    phones = set(contacts.filter(kind=ContactKind.PHONE).values_list("guardian_id", flat=True))
    assert phones == with_sms
