"""Finals in the OneRoster gradebook: a line item per class (teaching assignment) and
reporting period in the category of finals, and a result per published final, exam result or
deferral, each in the pupil's class."""

import pytest
from django.utils import timezone

from api import ids
from journal.models import FinalKind, FinalStatus
from tests import factories as f

GRADEBOOK = "/ims/oneroster/gradebook/v1p2"


@pytest.fixture
def finals(cast):
    """The pupil's published quarter final 5, a classmate's deferral, an unpublished final
    (not shown) and a year exam result."""
    published = f.FinalMarkFactory(
        school=cast.school,
        period=cast.period,
        student=cast.pupil,
        subject=cast.math,
        value="5",
        set_by=cast.subject_teacher,
        published_at=timezone.now(),
    )
    deferred = f.FinalMarkFactory(
        school=cast.school,
        period=cast.period,
        student=cast.sibling_7a,
        subject=cast.math,
        value="",
        status=FinalStatus.DEFERRED,
        deferral_reason="Болезнь",
        deferred_until=cast.period.ends_on,
        set_by=cast.subject_teacher,
    )
    f.FinalMarkFactory(
        school=cast.school,
        period=cast.period,
        student=cast.pupil_no_consent,
        subject=cast.math,
        value="3",
        set_by=cast.subject_teacher,
    )
    exam = f.FinalMarkFactory(
        school=cast.school,
        period=cast.year_period,
        student=cast.pupil,
        subject=cast.math,
        kind=FinalKind.EXAM,
        exam_name="Переводной экзамен",
        value="4",
        set_by=cast.subject_teacher,
        published_at=timezone.now(),
    )
    return published, deferred, exam


def final_item(assignment, period):
    return ids.encode("finalLineItem", assignment.pk, period.pk)


def test_a_class_has_a_final_line_item_per_reporting_period(api, cast):
    math_7a = cast.subject_teacher.teacher.assignments.get()
    items = api.get(f"{GRADEBOOK}/classes/{ids.encode('class', math_7a.pk)}/lineItems").json()
    finals = [i for i in items["lineItems"] if i["metadata"].get("ru.final")]
    assert {i["sourcedId"] for i in finals} == {
        final_item(math_7a, cast.period),
        final_item(math_7a, cast.year_period),
    }
    quarter = next(i for i in finals if i["sourcedId"] == final_item(math_7a, cast.period))
    assert quarter["title"] == f"Математика: итоговая, {cast.period.name}"
    assert quarter["class"]["sourcedId"] == ids.encode("class", math_7a.pk)
    assert quarter["gradingPeriod"]["sourcedId"] == ids.encode("period", cast.period.pk)
    assert quarter["dueDate"] == cast.period.ends_on.isoformat() + "T00:00:00Z"
    category = quarter["category"]["sourcedId"]
    assert category == ids.encode("finalCategory", cast.school.pk)
    read = api.get(f"{GRADEBOOK}/categories/{category}").json()["category"]
    assert (read["title"], read["metadata"]["ru.final"]) == ("Итоговая отметка", True)
    assert api.get(f"{GRADEBOOK}/lineItems/{quarter['sourcedId']}").json()["lineItem"] == quarter
    picked = api.get(
        f"{GRADEBOOK}/classes/{ids.encode('class', math_7a.pk)}/lineItems",
        {"filter": "title~'итоговая'", "fields": "title,gradingPeriod"},
    ).json()["lineItems"]
    assert {i["gradingPeriod"]["sourcedId"] for i in picked} == {
        ids.encode("period", cast.period.pk),
        ids.encode("period", cast.year_period.pk),
    }


def test_the_finals_are_results_of_their_line_item(api, cast, finals):
    published, deferred, exam = finals
    math_7a = cast.subject_teacher.teacher.assignments.get()
    klass = ids.encode("class", math_7a.pk)
    path = f"{GRADEBOOK}/classes/{klass}/lineItems/{final_item(math_7a, cast.period)}/results"
    results = api.get(path).json()["results"]
    by_id = {r["sourcedId"]: r for r in results}
    assert set(by_id) == {
        ids.encode("finalResult", published.pk),
        ids.encode("finalResult", deferred.pk),
    }
    five = by_id[ids.encode("finalResult", published.pk)]
    assert (five["score"], five["textScore"], five["scoreStatus"]) == (5.0, "5", "fully graded")
    assert five["lineItem"]["sourcedId"] == final_item(math_7a, cast.period)
    assert five["student"]["sourcedId"] == ids.encode("student", cast.pupil.pk)
    later = by_id[ids.encode("finalResult", deferred.pk)]
    assert (later["score"], later["textScore"], later["scoreStatus"]) == (
        None,
        "deferred",
        "not submitted",
    )
    assert later["comment"] == "Болезнь"
    year = f"{GRADEBOOK}/classes/{klass}/lineItems/{final_item(math_7a, cast.year_period)}/results"
    [exam_result] = api.get(year).json()["results"]
    assert exam_result["metadata"]["ru.finalKind"] == "exam"
    assert exam_result["metadata"]["ru.examName"] == "Переводной экзамен"


def test_the_whole_results_collection_holds_marks_and_finals(api, cast, finals):
    f.MarkFactory(school=cast.school, lesson=cast.lesson, student=cast.pupil, value="4")
    response = api.get(f"{GRADEBOOK}/results", {"filter": "scoreStatus='fully graded'"})
    assert response.status_code == 200
    kinds = sorted(bool(r.get("metadata", {}).get("ru.final")) for r in response.json()["results"])
    assert kinds == [False, True, True]  # the mark, the quarter's final and the exam result
    one = ids.encode("finalResult", finals[0].pk)
    assert api.get(f"{GRADEBOOK}/results/{one}").json()["result"]["textScore"] == "5"


def test_a_final_line_item_of_another_class_is_not_found(api, cast):
    math_7a = cast.subject_teacher.teacher.assignments.get()
    other = cast.other_teacher.teacher.assignments.get()
    wrong = (
        f"{GRADEBOOK}/classes/{ids.encode('class', other.pk)}/lineItems/"
        f"{final_item(math_7a, cast.period)}/results"
    )
    assert api.get(wrong).status_code == 404
