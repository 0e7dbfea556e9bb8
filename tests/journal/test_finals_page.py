"""The finals page starts each pupil without a final at the suggested mark, accepts the
suggested marks for the whole list in one step, and sums up its errors at the top."""

from django.urls import reverse

from journal.models import FinalMark
from tests.reports.helpers import give_marks


def finals_url(cast):
    return reverse("journal:finals", args=[cast.class_7a.pk, cast.math.pk, cast.period.pk])


def selected(body: str, student) -> str:
    row = body[body.index(f'data-student="{student.pk}"') :]
    row = row[: row.index("</tr>")]
    select = row[row.index(f'name="s{student.pk}"') :]
    select = select[: select.index("</select>")]
    if "selected" not in select:
        return ""
    return select[: select.index("selected")].rsplit('value="', 1)[1].split('"', 1)[0]


def test_a_pupil_without_a_final_starts_at_the_suggestion(cast, as_user):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("4", cast.answer), ("5", cast.answer)])
    body = as_user(cast.subject_teacher).get(finals_url(cast)).content.decode()
    assert selected(body, cast.pupil) == "5"
    assert selected(body, cast.sibling_7a) == ""  # no marks, no suggestion


def test_accepting_the_suggested_marks_sets_them_for_the_whole_list(cast, as_user):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("5", cast.answer)])
    give_marks(cast, cast.sibling_7a, [("3", cast.answer), ("4", cast.answer), ("3", cast.answer)])
    response = as_user(cast.subject_teacher).post(finals_url(cast), {"accept_suggested": "1"})
    assert response.status_code == 302
    finals = dict(FinalMark.objects.values_list("student_id", "value"))
    assert finals == {cast.pupil.pk: "5", cast.sibling_7a.pk: "3"}


def test_accepting_keeps_finals_already_set(cast, as_user):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("5", cast.answer)])
    client = as_user(cast.subject_teacher)
    client.post(finals_url(cast), {f"s{cast.pupil.pk}": "4", f"r{cast.pupil.pk}": "Не сдал зачёт"})
    response = client.post(
        finals_url(cast),
        {f"s{cast.pupil.pk}": "4", f"v{cast.pupil.pk}": "1", "accept_suggested": "1"},
    )
    assert response.status_code == 302
    assert FinalMark.objects.get(student=cast.pupil).value == "4"


def test_errors_are_summed_up_at_the_top_with_links_to_the_rows(cast, as_user):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("5", cast.answer)])
    response = as_user(cast.subject_teacher).post(finals_url(cast), {f"s{cast.pupil.pk}": "3"})
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index('id="finals-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert f'href="#id_s{cast.pupil.pk}"' in summary
    assert "отличается от предложенной 5" in summary
    assert body.index('id="finals-errors"') < body.index("finals-table")
    assert not FinalMark.objects.exists()
