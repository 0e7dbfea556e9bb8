"""Final marks (итоговые отметки): setting, deferral, publishing.

Regulation 2.3, 2.5, 2.6. Every write is a keyword-only service that owns its transaction,
validates before saving, writes history through journal.history and announces
`journal.events.finals_set`.

The diary is a read view of the journal, so a final is visible to the family the moment it is
saved: `published_at` is set to `set_at` in the same write. `finals_publish` exists for rows
that arrive without it (an import, the exchange API) and is what the 24-hour report watches.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_deputy_head
from school.models import (
    ClassGroup,
    Enrollment,
    PeriodKind,
    ReportingPeriod,
    Student,
    StudyGroup,
    Subject,
)

from .. import events
from ..history import change_record, snapshot
from ..models import (
    FinalKind,
    FinalMark,
    FinalStatus,
    MarkChange,
    MarkValue,
)
from ..selectors.finals import (
    Suggestion,
    finals_suggest,
    may_set_finals,
    roster,
    year_finals_suggest,
)

# What a teacher may choose for a final: a mark of the scale, н/а or осв. (a deferral has its
# own service because it needs a reason, a document and a date).


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
REASON_MIN_LETTERS = 3  # a correction in a closed period names its reason in words


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
    - a mark other than the suggested one needs a reason;
    - in a closed period only the deputy head corrects, and with a real reason;
    - a stale form (the row's version moved on since it was read) is refused.
    Unchanged entries are skipped, so a double submit writes nothing twice. A deferred final
    is resolved by setting it. Each write keeps history and is visible to the family at once.
    """
    scope = {"class_group": class_group, "study_group": study_group}
    if not may_set_finals(user, subject_id=subject.pk, **scope):
        raise PermissionDenied
    _check_scope(period=period, subject=subject, **scope)
    kind = _kind_for(period, exam)
    exam_name = exam_name.strip()
    if kind == FinalKind.EXAM and not exam_name:
        raise ValidationError({"exam_name": _("Name the exam.")})
    wanted, errors = _checked_entries(entries, subject=subject, roster_ids=_roster_ids(scope))
    try:
        with transaction.atomic():
            existing = _locked_finals(wanted, subject=subject, period=period, kind=kind)
            plan = FinalsPlan(
                user=user,
                period=period,
                subject=subject,
                kind=kind,
                exam_name=exam_name,
                now=now or timezone.now(),
                suggestions=suggestions or {},
            )
            for entry, reason in wanted:
                refusal = plan.add(entry, reason, existing.get(entry.student_id))
                if refusal:
                    errors[f"student-{entry.student_id}"] = [refusal]
            if errors:
                raise ValidationError(errors)
            written = plan.write()
            _announce(period.school_id, [r.pk for r in written])
    except IntegrityError as exc:
        # Two tabs created the same final at once: the second is told, nothing is half-saved.
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Someone saved these finals at the same time; reload the page.")]}
        ) from exc
    return written


def _roster_ids(scope: dict) -> set[int]:
    return set(roster(**scope).values_list("pk", flat=True))


def _checked_entries(entries, *, subject: Subject, roster_ids: set[int]):
    """The entries that may be planned, with their stripped reasons, and the errors of the
    others (by `student-<id>`). A student off the roster is PermissionDenied."""
    wanted, errors = [], {}
    for entry in entries:
        key = f"student-{entry.student_id}"
        if entry.student_id not in roster_ids:
            raise PermissionDenied
        reason = entry.reason.strip()
        if entry.choice not in FINAL_CHOICES:
            errors[key] = [_("Choose a mark from the list.")]
        elif not subject.is_graded and entry.choice in {"5", "4", "3", "2"}:
            errors[key] = [_("This subject is assessed as pass or fail.")]
        elif len(reason) > REASON_MAX:
            errors[key] = [_("The reason is too long.")]
        else:
            wanted.append((entry, reason))
    return wanted, errors


def _locked_finals(wanted, *, subject, period, kind) -> dict[int, FinalMark]:
    """The stored finals of the entries, locked until the transaction ends, by student id."""
    rows = FinalMark.objects.select_for_update().filter(
        student_id__in=[e.student_id for e, _r in wanted], subject=subject, period=period, kind=kind
    )
    return {row.student_id: row for row in rows}


def is_real_reason(reason: str) -> bool:
    """A reason a reader of the history can understand: at least REASON_MIN_LETTERS letters
    («.», «-», «123» or «   » are not a reason)."""
    return sum(ch.isalpha() for ch in reason) >= REASON_MIN_LETTERS


@dataclass
class FinalsPlan:
    """The finals one save creates and updates, with their history; `add` plans one entry
    (or says why not), `write` saves them all."""

    user: object
    period: ReportingPeriod
    subject: Subject
    kind: str
    exam_name: str
    now: dt.datetime
    suggestions: dict
    create: list = field(default_factory=list)  # (row, reason)
    update: list = field(default_factory=list)  # (row, snapshot before, reason)

    def add(self, entry: FinalEntry, reason: str, row: FinalMark | None) -> str | None:
        status, value = FINAL_CHOICES[entry.choice]
        if row is not None and self._unchanged(row, status, value):
            return None  # a double submit too: nothing to write
        refusal = self._refusal(entry, reason, row, status, value)
        if refusal:
            return refusal
        if row is None:
            row = FinalMark(
                school_id=self.period.school_id,
                student_id=entry.student_id,
                subject=self.subject,
                period=self.period,
                kind=self.kind,
            )
            self.create.append((row, reason))
        else:
            self.update.append((row, snapshot(row), reason))
            row.version += 1
        row.status, row.value = status, value
        row.exam_name = self.exam_name if self.kind == FinalKind.EXAM else ""
        row.set_by, row.set_at, row.published_at = self.user, self.now, self.now
        return None

    def _unchanged(self, row: FinalMark, status: str, value: str) -> bool:
        return (
            row.status == status
            and row.value == value
            and (self.kind != FinalKind.EXAM or row.exam_name == self.exam_name)
        )

    def _refusal(self, entry, reason: str, row, status: str, value: str) -> str | None:
        """Why this change may not be written, or None."""
        # A form carries the version it saw, 0 for "no final yet": a final set meanwhile by
        # someone else (another tab) is reported, never silently overwritten.
        if row is not None and entry.version is not None and row.version != entry.version:
            return _("Someone changed this final while you were editing; reload the page.")
        if self.period.is_closed:
            if not is_deputy_head(self.user):
                return _("The period is closed: only the deputy head may correct its finals.")
            if not is_real_reason(reason):
                return _("The period is closed: give the reason for the change.")
        suggestion = self.suggestions.get((entry.student_id, self.subject.pk))
        suggested = str(suggestion.suggested) if suggestion and suggestion.suggested else None
        if suggested and status == FinalStatus.GRADED and value != suggested and not reason:
            return _("The mark differs from the suggested %(mark)s: give the reason.") % {
                "mark": suggested
            }
        return None

    def write(self) -> list[FinalMark]:
        created = FinalMark.objects.bulk_create([row for row, _reason in self.create])
        if self.update:
            FinalMark.objects.bulk_update(
                [row for row, _b, _r in self.update],
                ["status", "value", "exam_name", "set_by", "set_at", "published_at", "version"],
            )
        history = [
            change_record(obj=row, action="create", user=self.user, before=None, reason=reason)
            for row, reason in self.create
        ] + [
            change_record(obj=row, action="update", user=self.user, before=before, reason=reason)
            for row, before, reason in self.update
        ]
        MarkChange.objects.bulk_create(history)
        return created + [row for row, _b, _r in self.update]


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
