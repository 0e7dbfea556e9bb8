"""Extreme input is a 404 or a Russian form error, never a server error: dates at the ends of
the calendar, ids beyond the database's bigint, in paths, queries and forms."""

import pytest
from django.urls import reverse

HUGE = "99999999999999999999999"  # 23 digits: beyond PostgreSQL's bigint and SQLite's integer


@pytest.fixture
def client_of(cast, as_user):
    def of(persona):
        return as_user(getattr(cast, persona))

    return of


@pytest.mark.parametrize("week", ["0001-01-01", "0001-01-03", "9999-12-27", "9999-12-31"])
def test_a_week_at_the_ends_of_the_calendar_is_a_404(client_of, cast, week):
    client = client_of("guardian")
    response = client.get(f"/diary/{cast.pupil.pk}/week/{week}/")
    assert response.status_code == 404


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-27"])
def test_acknowledging_a_week_at_the_ends_of_the_calendar_is_a_404(client_of, cast, week):
    response = client_of("guardian").post(f"/diary/{cast.pupil.pk}/week/{week}/acknowledge/")
    assert response.status_code == 404


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-27"])
def test_the_class_acknowledgements_at_the_ends_of_the_calendar_are_a_404(client_of, cast, week):
    response = client_of("class_teacher").get(
        f"/diary/class/{cast.class_7a.pk}/acknowledgements/{week}/"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("starts", "ends"),
    [("0001-01-01", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01")],
)
def test_the_control_works_calendar_from_0001_to_9999_is_not_a_server_error(
    client_of, cast, starts, ends
):
    response = client_of("subject_teacher").get(
        reverse("journal:control_works"), {"from": starts, "to": ends}
    )
    assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize(("starts", "ends"), [("0001-01-01", "9999-12-31")])
def test_the_filling_control_from_0001_to_9999_is_not_a_server_error(client_of, cast, starts, ends):
    response = client_of("director").get(reverse("journal:control"), {"from": starts, "to": ends})
    assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize(
    "path",
    [
        f"/diary/{HUGE}/",
        f"/diary/{HUGE}/marks/",
        f"/journal/lesson/{HUGE}/",
        f"/journal/grid/class/{HUGE}/{HUGE}/",
        f"/reports/students/{HUGE}/record/",
        f"/reports/summary/{HUGE}/",
        f"/consent/family/{HUGE}/",
    ],
)
def test_an_id_beyond_bigint_in_a_path_is_a_404(client, cast, as_user, path):
    persona = {
        "diary": cast.guardian,
        "journal": cast.subject_teacher,
        "consent": cast.school_admin,
    }
    user = persona.get(path.split("/")[1], cast.director)
    response = as_user(user).get(path)
    assert response.status_code == 404


def test_statistics_rows_with_a_23_digit_id_are_not_a_server_error(client_of, cast):
    response = client_of("director").get(
        reverse("reports:statistics_rows"),
        {"period": HUGE, "class_id": HUGE, "subject": HUGE, "metric": "quality"},
    )
    assert response.status_code in (400, 404)


def test_a_remark_for_a_student_beyond_bigint_is_refused(client_of, cast):
    response = client_of("subject_teacher").post(
        reverse("journal:lesson_remark", args=[cast.lesson.pk]),
        {"student": HUGE, "kind": "note", "text": "Молодец"},
    )
    assert response.status_code in (200, 400, 404)
