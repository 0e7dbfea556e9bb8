"""Final marks (итоговые отметки): suggestions, setting, deferral, closing a period, publishing.

Regulation 2.3, 2.5, 2.6. Every write is a keyword-only service that owns its transaction,
validates before saving, writes history through journal.history and announces
`journal.events.finals_set` after commit.

The diary is a read view of the journal, so a final is visible to the family the moment it is
saved: `published_at` is set to `set_at` in the same write. `finals_publish` exists for rows
that arrive without it (an import, the exchange API) and is what the 24-hour report watches.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_deputy_head, is_school_leader
from school.models import (
    ClassGroup,
    Enrollment,
    PeriodKind,
    ReportingPeriod,
    Student,
    StudyGroup,
    StudyGroupMembership,
    Subject,
    TeachingAssignment,
)

from . import events
from .grading import Average, Thresholds, suggest_final, weighted_average
from .history import change_record, snapshot
from .models import (
    NUMERIC_MARKS,
    FinalKind,
    FinalMark,
    FinalStatus,
    Mark,
    MarkChange,
    MarkValue,
)

# What a teacher may choose for a final: a mark of the scale, н/а or осв. (a deferral has its
# own service because it needs a reason, a document and a date).
FINAL_CHOICES = {
    "5": (FinalStatus.GRADED, "5"),
    "4": (FinalStatus.GRADED, "4"),
    "3": (FinalStatus.GRADED, "3"),
    "2": (FinalStatus.GRADED, "2"),
    MarkValue.PASS: (FinalStatus.GRADED, MarkValue.PASS),
    MarkValue.FAIL: (FinalStatus.GRADED, MarkValue.FAIL),
    "na": (FinalStatus.NOT_ASSESSED, ""),
    "exempt": (FinalStatus.EXEMPT, ""),
}
REASON_MAX = 500


# --- Suggestions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """The weighted average of a student's marks in a subject and the final it points to."""

    average: Average
    suggested: int | None

    @property
    def value(self) -> Decimal | None:
        return self.average.value

    @property
    def count(self) -> int:
        return self.average.count


def _period_students(period: ReportingPeriod) -> dict[int, int]:
    """student id → class id of every student in a graded class of the period's levels."""
    rows = Enrollment.objects.filter(
        school_id=period.school_id,
        year_id=period.year_id,
        left_on__isnull=True,
        class_group__level__gte=max(period.level_min, 2),
        class_group__level__lte=period.level_max,
    ).values_list("student_id", "class_group_id")
    return dict(rows)


def finals_suggest(
    *,
    school,
    period: ReportingPeriod,
    student_ids: list[int] | None = None,
    subject_id: int | None = None,
) -> dict[tuple[int, int], Suggestion]:
    """Suggested finals keyed by (student id, subject id), from the period's marks.

    Two queries whatever the number of students: the marks of the period as `values()` rows
    (joined to the work type's weight), grouped in Python, then averaged and rounded by
    journal.grading. Without `student_ids` the whole school's graded classes of the period's
    levels are covered. A year period's suggestion comes from the period finals instead
    (`year_finals_suggest`).
    """
    thresholds = Thresholds.of(school)
    marks = Mark.objects.filter(
        school_id=school.pk,
        date__gte=period.starts_on,
        date__lte=period.ends_on,
        subject__is_graded=True,
    )
    if student_ids is None:
        student_ids = list(_period_students(period))
    marks = marks.filter(student_id__in=student_ids)
    if subject_id is not None:
        marks = marks.filter(subject_id=subject_id)
    # PostgreSQL groups equal marks (same value and weight) so that Python sees at most
    # students × subjects × 5 values × weights rows, not every mark. A mark of weight w that
    # occurs n times weighs the same as one mark of weight n·w, so journal.grading computes
    # the exact same average from the grouped rows; only the count of marks is summed here.
    grouped: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    rows = (
        marks.order_by()
        .values_list("student_id", "subject_id", "value", "work_type__weight")
        .annotate(n=Count("id"))
    )
    for student_id, subj_id, value, weight, n in rows.iterator(chunk_size=5000):
        grouped[(student_id, subj_id)].append((value, weight * n))
        counts[(student_id, subj_id)] += n if value in NUMERIC_MARKS else 0
    result = {}
    for key, pairs in grouped.items():
        merged = weighted_average(pairs)
        average = Average(total=merged.total, weight=merged.weight, count=counts[key])
        result[key] = Suggestion(average=average, suggested=suggest_final(average, thresholds))
    return result


def year_finals_suggest(
    *, school, year_period: ReportingPeriod, student_ids: list[int], subject_id: int
) -> dict[tuple[int, int], Suggestion]:
    """A year mark suggested from the period marks of the year: their plain average (each
    period weighs 1), rounded by the school's thresholds. One query."""
    thresholds = Thresholds.of(school)
    rows = FinalMark.objects.filter(
        school_id=school.pk,
        period__year_id=year_period.year_id,
        kind=FinalKind.PERIOD,
        status=FinalStatus.GRADED,
        subject_id=subject_id,
        student_id__in=student_ids,
    ).values_list("student_id", "value")
    grouped: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    for student_id, value in rows:
        grouped[(student_id, subject_id)].append((value, 1))
    return {
        key: Suggestion(average=avg, suggested=suggest_final(avg, thresholds))
        for key, avg in ((k, weighted_average(v)) for k, v in grouped.items())
    }


# --- Who may ------------------------------------------------------------------------------------


def may_set_finals(
    user,
    *,
    subject_id: int,
    class_group: ClassGroup | None = None,
    study_group: StudyGroup | None = None,
) -> bool:
    """A teacher assigned to the subject in this class (or group) sets its finals; the deputy
    head and the director may make an authorised correction in any class of their school."""
    school_id = (class_group or study_group).school_id
    if school_id != getattr(user, "school_id", None):
        return False
    if is_school_leader(user):
        return True
    teacher = getattr(user, "teacher", None)
    if teacher is None or not user.is_active:
        return False
    assignments = TeachingAssignment.objects.filter(teacher=teacher, subject_id=subject_id)
    if study_group is not None:
        return assignments.filter(study_group=study_group).exists()
    return assignments.filter(class_group=class_group, study_group__isnull=True).exists()


def roster(*, class_group: ClassGroup | None = None, study_group: StudyGroup | None = None):
    """The students a finals page covers: a class's active students or a group's members."""
    if study_group is not None:
        ids = StudyGroupMembership.objects.filter(group=study_group).values("student_id")
    else:
        ids = Enrollment.objects.filter(class_group=class_group, left_on__isnull=True).values(
            "student_id"
        )
    return Student.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic")


# --- Setting finals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinalEntry:
    """One student's final on a finals form: `choice` is a key of FINAL_CHOICES."""

    student_id: int
    choice: str
    reason: str = ""
    version: int | None = None


def _kind_for(period: ReportingPeriod, exam: bool) -> str:
    if exam:
        return FinalKind.EXAM
    return FinalKind.YEAR if period.kind == PeriodKind.YEAR else FinalKind.PERIOD


def _check_scope(*, period, subject, class_group, study_group) -> None:
    group = class_group or study_group
    if class_group is not None:
        level = class_group.level
    else:
        level = study_group.class_group.level if study_group.class_group_id else None
    if period.school_id != group.school_id or subject.school_id != group.school_id:
        raise PermissionDenied
    if period.year_id != group.year_id:
        raise ValidationError({"period": _("The period belongs to another academic year.")})
    if level == 1:
        raise ValidationError({"period": _("Grade 1 is taught without marks: it has no finals.")})
    if level is not None and not (period.level_min <= level <= period.level_max):
        raise ValidationError({"period": _("This period does not apply to the class's level.")})


def finals_set(
    *,
    user,
    period: ReportingPeriod,
    subject: Subject,
    entries: list[FinalEntry],
    class_group: ClassGroup | None = None,
    study_group: StudyGroup | None = None,
    exam: bool = False,
    exam_name: str = "",
    suggestions: dict[tuple[int, int], Suggestion] | None = None,
    now: dt.datetime | None = None,
) -> list[FinalMark]:
    """Set the finals of a class (or group) in one transaction; returns the rows written.

    Validation, all before anything is saved (a ValidationError keyed by `student-<id>` or a
    field name, in Russian):
    - the user may set finals here (else PermissionDenied) and each student is on the roster;
    - the choice is one of FINAL_CHOICES;
    - a mark other than the suggested one needs a reason; so does any change in a closed period;
    - a stale form (the row's version moved on since it was read) is refused.
    Unchanged entries are skipped, so a double submit writes nothing twice. A deferred final
    is resolved by setting it. Each write keeps history and is visible to the family at once.
    """
    if not may_set_finals(
        user, subject_id=subject.pk, class_group=class_group, study_group=study_group
    ):
        raise PermissionDenied
    _check_scope(period=period, subject=subject, class_group=class_group, study_group=study_group)
    kind = _kind_for(period, exam)
    exam_name = exam_name.strip()
    if kind == FinalKind.EXAM and not exam_name:
        raise ValidationError({"exam_name": _("Name the exam.")})
    now = now or timezone.now()
    allowed = set(
        roster(class_group=class_group, study_group=study_group).values_list("pk", flat=True)
    )
    suggestions = suggestions or {}
    errors: dict[str, list] = {}
    wanted = []
    for entry in entries:
        key = f"student-{entry.student_id}"
        if entry.student_id not in allowed:
            raise PermissionDenied
        if entry.choice not in FINAL_CHOICES:
            errors[key] = [_("Choose a mark from the list.")]
            continue
        if not subject.is_graded and entry.choice in {"5", "4", "3", "2"}:
            errors[key] = [_("This subject is assessed as pass or fail.")]
            continue
        reason = entry.reason.strip()
        if len(reason) > REASON_MAX:
            errors[key] = [_("The reason is too long.")]
            continue
        wanted.append((entry, reason))
    try:
        with transaction.atomic():
            existing = {
                fm.student_id: fm
                for fm in FinalMark.objects.select_for_update().filter(
                    student_id__in=[e.student_id for e, _r in wanted],
                    subject=subject,
                    period=period,
                    kind=kind,
                )
            }
            to_create, to_update, history = [], [], []
            for entry, reason in wanted:
                key = f"student-{entry.student_id}"
                status, value = FINAL_CHOICES[entry.choice]
                row = existing.get(entry.student_id)
                if (
                    row is not None
                    and row.status == status
                    and row.value == value
                    and (kind != FinalKind.EXAM or row.exam_name == exam_name)
                ):
                    continue  # unchanged (a double submit too): nothing to write
                # A form carries the version it saw, 0 for "no final yet": a final set meanwhile
                # by someone else (another tab) is reported, never silently overwritten.
                if row is not None and entry.version is not None and row.version != entry.version:
                    errors[key] = [
                        _("Someone changed this final while you were editing; reload the page.")
                    ]
                    continue
                suggestion = suggestions.get((entry.student_id, subject.pk))
                suggested = (
                    str(suggestion.suggested) if suggestion and suggestion.suggested else None
                )
                if period.is_closed and not reason:
                    errors[key] = [_("The period is closed: give the reason for the change.")]
                    continue
                if suggested and status == FinalStatus.GRADED and value != suggested and not reason:
                    errors[key] = [
                        _("The mark differs from the suggested %(mark)s: give the reason.")
                        % {"mark": suggested}
                    ]
                    continue
                if row is None:
                    row = FinalMark(
                        school_id=period.school_id,
                        student_id=entry.student_id,
                        subject=subject,
                        period=period,
                        kind=kind,
                        set_by=user,
                    )
                    before = None
                    to_create.append((row, reason))
                else:
                    before = snapshot(row)
                    row.version += 1
                    to_update.append((row, before, reason))
                row.status, row.value = status, value
                row.exam_name = exam_name if kind == FinalKind.EXAM else ""
                row.set_by, row.set_at, row.published_at = user, now, now
            if errors:
                raise ValidationError(errors)
            created = FinalMark.objects.bulk_create([r for r, _reason in to_create])
            history += [
                change_record(obj=r, action="create", user=user, before=None, reason=reason)
                for r, reason in to_create
            ]
            if to_update:
                FinalMark.objects.bulk_update(
                    [r for r, _b, _r in to_update],
                    ["status", "value", "exam_name", "set_by", "set_at", "published_at", "version"],
                )
                history += [
                    change_record(obj=r, action="update", user=user, before=b, reason=reason)
                    for r, b, reason in to_update
                ]
            MarkChange.objects.bulk_create(history)
            written = created + [r for r, _b, _r in to_update]
            _announce(period.school_id, [r.pk for r in written])
    except IntegrityError as exc:
        # Two tabs created the same final at once: the second is told, nothing is half-saved.
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Someone saved these finals at the same time; reload the page.")]}
        ) from exc
    return written


def final_mark_set(
    *,
    user,
    student: Student,
    subject: Subject,
    period: ReportingPeriod,
    choice: str,
    reason: str = "",
    class_group: ClassGroup | None = None,
    study_group: StudyGroup | None = None,
    exam: bool = False,
    exam_name: str = "",
    now: dt.datetime | None = None,
) -> FinalMark:
    """Set one student's final (see `finals_set`). Without a class or group the student's
    active class of the period's year is used; the suggestion is computed for the check."""
    if class_group is None and study_group is None:
        enrollment = (
            Enrollment.objects.filter(student=student, year_id=period.year_id, left_on__isnull=True)
            .select_related("class_group")
            .first()
        )
        if enrollment is None:
            raise PermissionDenied
        class_group = enrollment.class_group
    suggestions = None
    if not exam:
        if period.kind == PeriodKind.YEAR:
            suggestions = year_finals_suggest(
                school=period.school,
                year_period=period,
                student_ids=[student.pk],
                subject_id=subject.pk,
            )
        else:
            suggestions = finals_suggest(
                school=period.school, period=period, student_ids=[student.pk], subject_id=subject.pk
            )
    rows = finals_set(
        user=user,
        period=period,
        subject=subject,
        entries=[FinalEntry(student_id=student.pk, choice=choice, reason=reason)],
        class_group=class_group,
        study_group=study_group,
        exam=exam,
        exam_name=exam_name,
        suggestions=suggestions,
        now=now,
    )
    if rows:
        return rows[0]
    return FinalMark.objects.get(
        student=student, subject=subject, period=period, kind=_kind_for(period, exam)
    )


def final_mark_defer(
    *,
    user,
    student: Student,
    subject: Subject,
    period: ReportingPeriod,
    reason: str,
    document: str,
    due_date: dt.date,
    class_group: ClassGroup | None = None,
    study_group: StudyGroup | None = None,
    now: dt.datetime | None = None,
) -> FinalMark:
    """Defer a student's final for illness (2.5): a reason, the supporting document and the date
    by which the final is to be set. Visible to the family at once as «deferred»; the teacher
    is reminded as the date nears (reports.tasks); setting the mark resolves it."""
    if class_group is None and study_group is None:
        enrollment = Enrollment.objects.filter(
            student=student, year_id=period.year_id, left_on__isnull=True
        ).first()
        class_group = enrollment.class_group if enrollment else None
        if class_group is None:
            raise PermissionDenied
    if not may_set_finals(
        user, subject_id=subject.pk, class_group=class_group, study_group=study_group
    ):
        raise PermissionDenied
    _check_scope(period=period, subject=subject, class_group=class_group, study_group=study_group)
    if not roster(class_group=class_group, study_group=study_group).filter(pk=student.pk).exists():
        raise PermissionDenied
    now = now or timezone.now()
    reason, document = reason.strip(), document.strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Give the reason for the deferral.")]
    elif len(reason) > 300:
        errors["reason"] = [_("The reason is too long.")]
    if not document:
        errors["document"] = [_("Name the supporting document (e.g. a medical certificate).")]
    elif len(document) > 200:
        errors["document"] = [_("The document reference is too long.")]
    if due_date is None:
        errors["due_date"] = [_("Give the date by which the final is to be set.")]
    elif due_date < now.astimezone(period.school.tz).date():
        errors["due_date"] = [_("The due date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    kind = _kind_for(period, exam=False)
    with transaction.atomic():
        row = (
            FinalMark.objects.select_for_update()
            .filter(student=student, subject=subject, period=period, kind=kind)
            .first()
        )
        if row is None:
            row = FinalMark(
                school_id=period.school_id,
                student=student,
                subject=subject,
                period=period,
                kind=kind,
            )
            before, action = None, "create"
        else:
            before, action = snapshot(row), "update"
            row.version += 1
        row.status, row.value = FinalStatus.DEFERRED, ""
        row.deferral_reason, row.deferral_document, row.deferred_until = reason, document, due_date
        row.set_by, row.set_at, row.published_at = user, now, now
        row.save()
        MarkChange.objects.bulk_create(
            [change_record(obj=row, action=action, user=user, before=before, reason=reason)]
        )
        _announce(period.school_id, [row.pk])
    return row


def _announce(school_id: int, ids: list[int]) -> None:
    if ids:
        transaction.on_commit(
            lambda: events.finals_set.send(
                sender=FinalMark, school_id=school_id, final_mark_ids=ids
            )
        )


# --- Periods and publishing ----------------------------------------------------------------------


def period_close(*, user, period: ReportingPeriod, now: dt.datetime | None = None) -> None:
    """The deputy head closes a period: its finals can still be corrected, but only with a
    reason, and every correction keeps history."""
    if not is_deputy_head(user) or user.school_id != period.school_id:
        raise PermissionDenied
    with transaction.atomic():
        locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if locked.closed_at is not None:
            raise ValidationError({"period": _("The period is already closed.")})
        locked.closed_at, locked.closed_by = now or timezone.now(), user
        locked.save(update_fields=["closed_at", "closed_by"])
    period.closed_at, period.closed_by = locked.closed_at, locked.closed_by


def period_reopen(*, user, period: ReportingPeriod) -> None:
    """The deputy head reopens a closed period (e.g. closed by mistake)."""
    if not is_deputy_head(user) or user.school_id != period.school_id:
        raise PermissionDenied
    with transaction.atomic():
        updated = ReportingPeriod.objects.filter(pk=period.pk, closed_at__isnull=False).update(
            closed_at=None, closed_by=None
        )
        if not updated:
            raise ValidationError({"period": _("The period is not closed.")})
    period.closed_at = period.closed_by = None


def finals_publish(*, school, now: dt.datetime | None = None) -> int:
    """Make visible to the family every final of the school not yet published (rows that came
    in without it, e.g. from an import); returns how many. Safe to run twice."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            FinalMark.objects.select_for_update()
            .filter(school=school, published_at__isnull=True)
            .values_list("pk", flat=True)
        )
        FinalMark.objects.filter(pk__in=ids).update(published_at=now)
        _announce(school.pk, ids)
    return len(ids)


def open_deferrals(*, school, due_before: dt.date | None = None):
    """Deferred finals of the school not yet resolved, optionally due before a date."""
    q = Q(school=school, status=FinalStatus.DEFERRED)
    if due_before is not None:
        q &= Q(deferred_until__lte=due_before)
    return FinalMark.objects.filter(q)
