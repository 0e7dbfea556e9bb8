"""Final-mark services: suggestions, setting with reasons, history, closing, deferral, access."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from journal import events
from journal.models import FinalKind, FinalMark, FinalStatus, MarkChange
from journal.selectors import finals_suggest, year_finals_suggest
from journal.services import (
    FinalEntry,
    final_mark_defer,
    final_mark_set,
    finals_publish,
    finals_set,
    period_close,
)
from tests import factories as f
from tests.reports.helpers import give_marks


def test_the_suggestion_comes_from_the_weighted_average(cast):
    # 5×1 + 3×3 + 4×1 = 18 over weight 5 → 3.6 → 4 by the default thresholds.
    give_marks(cast, cast.pupil, [("5", cast.answer), ("3", cast.control), ("4", cast.answer)])
    suggestion = finals_suggest(school=cast.school, period=cast.period)[
        (cast.pupil.pk, cast.math.pk)
    ]
    assert suggestion.value == Decimal("3.60")
    assert suggestion.count == 3
    assert suggestion.suggested == 4


def test_the_school_thresholds_change_the_suggestion(cast):
    cast.school.threshold_4 = Decimal("3.70")
    cast.school.save()
    give_marks(cast, cast.pupil, [("5", cast.answer), ("3", cast.control), ("4", cast.answer)])
    suggestion = finals_suggest(school=cast.school, period=cast.period)[
        (cast.pupil.pk, cast.math.pk)
    ]
    assert suggestion.suggested == 3  # 3.6 < 3.7


def test_confirming_the_suggestion_sets_a_visible_final_with_history(
    cast, django_capture_on_commit_callbacks
):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("4", cast.answer)])
    received = []
    events.finals_set.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t1")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            final = final_mark_set(
                user=cast.subject_teacher,
                student=cast.pupil,
                subject=cast.math,
                period=cast.period,
                choice="5",
            )
    finally:
        events.finals_set.disconnect(dispatch_uid="t1")
    assert (final.status, final.value, final.kind) == (FinalStatus.GRADED, "5", FinalKind.PERIOD)
    assert final.published_at == final.set_at
    change = MarkChange.objects.get(entity="final_mark", object_id=final.pk)
    assert change.action == "create" and change.after["value"] == "5"
    assert received == [
        {
            "signal": events.finals_set,
            "sender": FinalMark,
            "school_id": cast.school.pk,
            "final_mark_ids": [final.pk],
        }
    ]


def test_a_mark_other_than_the_suggested_one_needs_a_reason(cast):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("5", cast.answer)])
    with pytest.raises(ValidationError) as error:
        final_mark_set(
            user=cast.subject_teacher,
            student=cast.pupil,
            subject=cast.math,
            period=cast.period,
            choice="4",
        )
    assert "предложенной 5" in str(error.value.message_dict[f"student-{cast.pupil.pk}"])
    assert not FinalMark.objects.exists()
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="4",
        reason="Не сдал зачёт по теме",
    )
    assert final.value == "4"
    assert MarkChange.objects.get(object_id=final.pk).reason == "Не сдал зачёт по теме"


def test_double_submit_writes_once(cast):
    kwargs = {
        "user": cast.subject_teacher,
        "student": cast.pupil,
        "subject": cast.math,
        "period": cast.period,
        "choice": "na",
    }
    final_mark_set(**kwargs)
    final_mark_set(**kwargs)
    assert FinalMark.objects.get().status == FinalStatus.NOT_ASSESSED
    assert MarkChange.objects.count() == 1


def test_a_stale_form_is_refused(cast):
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="3",
    )
    finals_set(
        user=cast.subject_teacher,
        period=cast.period,
        subject=cast.math,
        class_group=cast.class_7a,
        entries=[FinalEntry(cast.pupil.pk, "4", version=final.version)],
    )
    with pytest.raises(ValidationError):
        finals_set(
            user=cast.subject_teacher,
            period=cast.period,
            subject=cast.math,
            class_group=cast.class_7a,
            entries=[FinalEntry(cast.pupil.pk, "5", version=final.version)],
        )
    assert FinalMark.objects.get().value == "4"


def test_a_closed_period_needs_a_reason_and_keeps_history(cast):
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="3",
    )
    with pytest.raises(PermissionDenied):
        period_close(user=cast.subject_teacher, period=cast.period)
    period_close(user=cast.deputy_head, period=cast.period, reason="Приказ № 12")
    cast.period.refresh_from_db()
    assert cast.period.is_closed and cast.period.closed_by == cast.deputy_head
    with pytest.raises(ValidationError) as error:
        final_mark_set(
            user=cast.subject_teacher,
            student=cast.pupil,
            subject=cast.math,
            period=cast.period,
            choice="4",
        )
    assert "Период закрыт" in str(error.value)
    final_mark_set(
        user=cast.deputy_head,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="4",
        reason="Пересдача по решению педсовета",
    )
    history = list(MarkChange.objects.filter(object_id=final.pk).order_by("id"))
    assert [h.action for h in history] == ["create", "update"]
    assert history[1].before["value"] == "3" and history[1].after["value"] == "4"
    assert history[1].reason == "Пересдача по решению педсовета"


def test_a_teacher_sets_finals_only_for_their_own_class_and_subject(cast):
    for user, subject, student in [
        (cast.other_teacher, cast.math, cast.pupil),  # teaches maths, but in 5 «Б»
        (cast.subject_teacher, cast.russian, cast.pupil),  # teaches 7 «А», but maths
        (cast.subject_teacher, cast.math, cast.sibling_5b),  # a student of 5 «Б»
        (cast.guardian, cast.math, cast.pupil),
    ]:
        with pytest.raises(PermissionDenied):
            final_mark_set(
                user=user, student=student, subject=subject, period=cast.period, choice="5"
            )
    with pytest.raises(PermissionDenied):  # a student of another class smuggled into the form
        finals_set(
            user=cast.subject_teacher,
            period=cast.period,
            subject=cast.math,
            class_group=cast.class_7a,
            entries=[FinalEntry(cast.stranger_child.pk, "5")],
        )
    assert not FinalMark.objects.exists()


def test_year_mark_is_suggested_from_the_period_marks(cast):
    # Quarters 5, 4, 4 → (5 + 4 + 4) / 3 = 4.33 → 4.
    for number, value in [(1, "5"), (3, "4"), (4, "4")]:
        period = f.PeriodFactory(
            school=cast.school,
            year=cast.year,
            number=number,
            name=f"{number} четверть",
            starts_on=cast.year.starts_on,
            ends_on=cast.year.starts_on + dt.timedelta(days=30),
        )
        f.FinalMarkFactory(
            school=cast.school, period=period, student=cast.pupil, subject=cast.math, value=value
        )
    suggestion = year_finals_suggest(
        school=cast.school,
        year_period=cast.year_period,
        student_ids=[cast.pupil.pk],
        subject_id=cast.math.pk,
    )[(cast.pupil.pk, cast.math.pk)]
    assert (suggestion.value, suggestion.suggested) == (Decimal("4.33"), 4)
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.year_period,
        choice="4",
    )
    assert final.kind == FinalKind.YEAR


def test_an_exam_result_needs_the_exam_name(cast):
    with pytest.raises(ValidationError):
        final_mark_set(
            user=cast.subject_teacher,
            student=cast.pupil,
            subject=cast.math,
            period=cast.year_period,
            choice="5",
            exam=True,
        )
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.year_period,
        choice="5",
        exam=True,
        exam_name="ОГЭ",
    )
    assert (final.kind, final.exam_name, final.published_at) == ("exam", "ОГЭ", final.set_at)


def test_deferral_needs_reason_document_and_date_and_is_resolved_by_the_mark(cast):
    kwargs = {"user": cast.subject_teacher, "student": cast.pupil, "subject": cast.math}
    with pytest.raises(ValidationError) as error:
        final_mark_defer(**kwargs, period=cast.period, reason=" ", document="", due_date=cast.today)
    assert set(error.value.message_dict) == {"reason", "document"}
    final = final_mark_defer(
        **kwargs,
        period=cast.period,
        reason="Болезнь",
        document="Справка № 12",
        due_date=cast.today + dt.timedelta(days=10),
    )
    assert final.status == FinalStatus.DEFERRED and final.published_at == final.set_at
    resolved = final_mark_set(**kwargs, period=cast.period, choice="4")
    assert resolved.pk == final.pk
    assert (resolved.status, resolved.value) == (FinalStatus.GRADED, "4")
    assert resolved.deferred_until == cast.today + dt.timedelta(days=10)  # kept for the record
    assert MarkChange.objects.filter(object_id=final.pk).count() == 2


def test_finals_publish_makes_unpublished_rows_visible_once(cast):
    row = f.FinalMarkFactory(
        school=cast.school, period=cast.period, student=cast.pupil, subject=cast.math
    )
    assert row.published_at is None
    assert finals_publish(school=cast.school) == 1
    assert finals_publish(school=cast.school) == 0
    row.refresh_from_db()
    assert row.published_at is not None


def test_repeated_equal_marks_are_grouped_without_changing_the_average(cast):
    # 5, 5, 5 (weight 1), 3, 3 (weight 3) and a pass: (15 + 18) / (3 + 6) = 33 / 9 = 3.666… → 4;
    # five numeric marks (the pass does not count).
    give_marks(
        cast,
        cast.pupil,
        [("5", cast.answer)] * 3 + [("3", cast.control)] * 2 + [("pass", cast.answer)],
    )
    suggestion = finals_suggest(school=cast.school, period=cast.period)[
        (cast.pupil.pk, cast.math.pk)
    ]
    assert (suggestion.value, suggestion.count, suggestion.suggested) == (Decimal("3.67"), 5, 4)


def test_a_deferral_date_in_the_past_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        final_mark_defer(
            user=cast.subject_teacher,
            student=cast.pupil,
            subject=cast.math,
            period=cast.period,
            reason="Болезнь",
            document="Справка",
            due_date=cast.today - dt.timedelta(days=1),
        )
    assert error.value.message_dict["due_date"] == ["Срок не может быть в прошлом."]
    assert not FinalMark.objects.exists()


def test_a_pass_fail_subject_takes_pass_or_fail_only(cast):
    cast.math.is_graded = False
    cast.math.save(update_fields=["is_graded"])
    with pytest.raises(ValidationError) as error:
        final_mark_set(
            user=cast.subject_teacher,
            student=cast.pupil,
            subject=cast.math,
            period=cast.period,
            choice="5",
        )
    assert "зачёт или незачёт" in str(error.value)
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="pass",
    )
    assert (final.status, final.value) == ("graded", "pass")


def _closed_period_with_a_final(cast):
    final = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="3",
    )
    period_close(user=cast.deputy_head, period=cast.period, reason="Приказ № 12")
    cast.period.refresh_from_db()
    return final


def test_in_a_closed_period_only_the_deputy_head_corrects_a_final(cast):
    final = _closed_period_with_a_final(cast)
    for user in (cast.subject_teacher, cast.director):
        with pytest.raises(ValidationError) as error:
            final_mark_set(
                user=user,
                student=cast.pupil,
                subject=cast.math,
                period=cast.period,
                choice="4",
                reason="Пересдача по решению педсовета",
            )
        assert "только заместитель директора" in str(error.value)
    final.refresh_from_db()
    assert final.value == "3" and final.version == 1


@pytest.mark.parametrize("reason", [".", "   ", "—", "...", "?!", "12", "a."])
def test_a_correction_in_a_closed_period_needs_a_real_reason(cast, reason):
    final = _closed_period_with_a_final(cast)
    with pytest.raises(ValidationError) as error:
        final_mark_set(
            user=cast.deputy_head,
            student=cast.pupil,
            subject=cast.math,
            period=cast.period,
            choice="4",
            reason=reason,
        )
    assert "Период закрыт" in str(error.value)
    final.refresh_from_db()
    assert final.value == "3"
    assert not MarkChange.objects.filter(object_id=final.pk, action="update").exists()
