"""The consent register searched by name, class and status and paged; the request form finds
the parent by name instead of listing every pair; one decision recorded for several children
of one parent (a row per child, in one transaction)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consent.models import Consent, PdRequest, Purpose
from school.models import GuardianStudent
from tests import factories as f


def _families(cast, n, *, klass=None, prefix="Новиков"):
    for i in range(n):
        student = f.StudentFactory(school=cast.school, last_name=f"{prefix}{i}")
        if klass is not None:
            f.EnrollmentFactory(
                school=cast.school, class_group=klass, year=cast.year, student=student
            )
        guardian = f.GuardianFactory(school=cast.school, last_name=f"Родитель{prefix}{i}")
        GuardianStudent.objects.create(
            school=cast.school, guardian=guardian, student=student, relation="father"
        )


def test_the_register_finds_a_family_by_the_childs_or_the_parents_name(as_user, cast):
    client = as_user(cast.school_admin)
    by_child = client.get(reverse("consent:register"), {"name": cast.stranger_child.last_name})
    body = by_child.content.decode()
    assert cast.stranger_child.full_name in body
    assert cast.pupil.full_name not in body
    parent = cast.guardian_of_two.guardian
    by_parent = client.get(reverse("consent:register"), {"name": parent.last_name}).content
    assert cast.sibling_7a.full_name in by_parent.decode()
    assert cast.sibling_5b.full_name in by_parent.decode()
    assert cast.pupil.full_name not in by_parent.decode()


def test_the_register_filters_by_class_and_shows_it(as_user, cast):
    body = (
        as_user(cast.school_admin)
        .get(reverse("consent:register"), {"class": cast.class_5b.pk})
        .content.decode()
    )
    assert cast.stranger_child.full_name in body and cast.sibling_5b.full_name in body
    assert cast.pupil.full_name not in body
    assert "5 «Б»" in body


def test_the_register_combines_name_class_and_status(as_user, cast):
    body = (
        as_user(cast.school_admin)
        .get(
            reverse("consent:register"),
            {"class": cast.class_7a.pk, "status": "undecided", "name": "Олег"},
        )
        .content.decode()
    )
    assert cast.pupil_no_consent.full_name in body
    assert cast.pupil.full_name not in body


def test_the_register_pages_keep_the_search(as_user, cast):
    _families(cast, 130, klass=cast.class_5b, prefix="Поиск")
    client = as_user(cast.school_admin)
    first = client.get(reverse("consent:register"), {"name": "Поиск", "class": cast.class_5b.pk})
    body = first.content.decode()
    assert "Страница 1 из 2" in body
    assert f"name=%D0%9F%D0%BE%D0%B8%D1%81%D0%BA&amp;class={cast.class_5b.pk}&amp;page=2" in body
    second = client.get(
        reverse("consent:register"), {"name": "Поиск", "class": cast.class_5b.pk, "page": 2}
    ).content.decode()
    assert second.count("Поиск") >= 30
    assert cast.stranger_child.full_name not in second


@pytest.mark.parametrize("query", [{}, {"name": "Новиков1"}, {"class": "x", "status": "refusals"}])
def test_the_register_takes_the_same_queries_with_many_families(
    as_user, cast, django_assert_max_num_queries, query
):
    _families(cast, 20)
    client = as_user(cast.school_admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("consent:register"), query).status_code == 200
    _families(cast, 200, prefix="Ещё")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("consent:register"), query).status_code == 200


def test_another_school_finds_nothing_of_ours(as_user, cast):
    body = (
        as_user(cast.outsider)
        .get(reverse("consent:register"), {"name": cast.pupil.last_name})
        .content.decode()
    )
    assert cast.pupil.full_name not in body


def test_the_request_form_finds_the_parent_by_name_and_lists_no_pairs_before(as_user, cast):
    _families(cast, 50)
    client = as_user(cast.school_admin)
    empty = client.get(reverse("consent:pd_requests")).content.decode()
    assert 'name="link"' not in empty and "Новиков" not in empty
    parent = cast.guardian.guardian
    found = client.get(reverse("consent:pd_requests"), {"guardian": parent.last_name})
    body = found.content.decode()
    link = GuardianStudent.objects.get(guardian=parent, student=cast.pupil)
    assert f'value="{link.pk}"' in body and cast.pupil.full_name in body
    assert "Новиков1" not in body
    response = client.post(
        reverse("consent:pd_requests"),
        {"guardian": parent.last_name, "link": link.pk, "received_on": cast.today.isoformat()},
    )
    assert response.status_code == 302
    assert PdRequest.objects.get().student == cast.pupil


def test_the_request_form_takes_the_same_queries_with_many_families(
    as_user, cast, django_assert_max_num_queries
):
    client = as_user(cast.school_admin)
    _families(cast, 10)
    with django_assert_max_num_queries(6):
        client.get(reverse("consent:pd_requests"), {"guardian": "Новиков"})
    _families(cast, 100, prefix="Новиков-")
    with django_assert_max_num_queries(6):
        client.get(reverse("consent:pd_requests"), {"guardian": "Новиков"})


def test_another_schools_pair_cannot_be_posted(as_user, cast):
    link = GuardianStudent.objects.get(student=cast.pupil)
    response = as_user(cast.outsider).post(
        reverse("consent:pd_requests"), {"link": link.pk, "received_on": cast.today.isoformat()}
    )
    assert response.status_code == 400
    assert not PdRequest.objects.exists()


def _record(client, link, **extra):
    return client.post(
        reverse("consent:record", args=[link.pk]),
        {
            "purpose": "sms",
            "decision": "consent",
            "form": "paper",
            "decided_on": "2026-11-20",
            "document_ref": "Заявление № 5",
            **extra,
        },
    )


def test_a_parent_of_two_records_one_decision_for_both(as_user, cast, link_of):
    link = link_of(cast.guardian_of_two, cast.sibling_7a)
    client = as_user(cast.school_admin)
    page = client.get(reverse("consent:family", args=[link.pk])).content.decode()
    assert 'name="also_for"' in page and f'value="{cast.sibling_5b.pk}"' in page
    scan = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    response = _record(client, link, also_for=[cast.sibling_5b.pk], document=scan)
    assert response.status_code == 302
    rows = Consent.objects.filter(guardian=link.guardian, purpose=Purpose.SMS)
    assert {row.student_id for row in rows} == {cast.sibling_7a.pk, cast.sibling_5b.pk}
    assert {row.document_ref for row in rows} == {"Заявление № 5"}
    assert all(row.document.name.endswith(".png") for row in rows)


def test_a_parent_of_one_is_offered_no_other_child(as_user, cast, link):
    page = as_user(cast.school_admin).get(reverse("consent:family", args=[link.pk]))
    assert 'name="also_for"' not in page.content.decode()


def test_one_child_refused_means_nothing_is_recorded(as_user, cast, link_of):
    link = link_of(cast.guardian_of_two, cast.sibling_7a)
    # The second child already has an SMS decision in force: the whole record is refused.
    f.ConsentFactory(
        school=cast.school,
        guardian=link.guardian,
        student=cast.sibling_5b,
        purpose=Purpose.SMS,
    )
    response = _record(as_user(cast.school_admin), link, also_for=[cast.sibling_5b.pk])
    assert response.status_code == 400
    assert cast.sibling_5b.full_name in response.content.decode()
    assert not Consent.objects.filter(
        guardian=link.guardian, student=cast.sibling_7a, purpose=Purpose.SMS
    ).exists()


def test_a_child_of_another_family_cannot_be_ticked(as_user, cast, link_of):
    link = link_of(cast.guardian_of_two, cast.sibling_7a)
    response = _record(as_user(cast.school_admin), link, also_for=[cast.pupil.pk])
    assert response.status_code == 400
    assert not Consent.objects.filter(student=cast.pupil, purpose=Purpose.SMS).exists()
