"""Checks every journal write shares: the lesson lock with its roster, the edit window and closed periods, and sending events."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.rules import is_deputy_head
from journal.db import ArrayOf, Prepared
from school.models import (
    Enrollment,
    ReportingPeriod,
    StudyGroupMembership,
)

from ..models import (
    Lesson,
    LessonStatus,
)


class JournalConflict(ValidationError):
    """Someone else changed a cell since the form was loaded."""


def period_closed_subquery():
    """Whether a closed reporting period covers the lesson's date and class level."""
    level = Coalesce(OuterRef("class_group__level"), OuterRef("study_group__class_group__level"))
    return Exists(
        ReportingPeriod.objects.filter(
            school_id=OuterRef("school_id"),
            starts_on__lte=OuterRef("date"),
            ends_on__gte=OuterRef("date"),
            closed_at__isnull=False,
        ).filter(Q(level_min__lte=level, level_max__gte=level))
    )


def refuse_in_closed_period(*, user, lesson: Lesson) -> None:
    """A closed reporting period is read-only for teachers: its topics and homework too. The
    deputy head may still correct them."""
    if is_deputy_head(user):
        return
    closed = (
        Lesson.objects.filter(pk=lesson.pk)
        .annotate(period_closed=period_closed_subquery())
        .values_list("period_closed", flat=True)
        .first()
    )
    if closed:
        raise ValidationError(
            _("The reporting period is closed: only the deputy head may correct it, with a reason.")
        )


def _roster_subqueries() -> dict:
    """The students of the lesson on its date, as arrays, so that the lock query brings them:
    the class's enrolled students and the group's members (the lesson uses one of them)."""
    enrolled = Enrollment.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("date")),
        class_group_id=OuterRef("class_group_id"),
        joined_on__lte=OuterRef("date"),
    ).values("student_id")
    members = StudyGroupMembership.objects.filter(group_id=OuterRef("study_group_id")).values(
        "student_id"
    )
    return {"enrolled_ids": ArrayOf(enrolled), "member_ids": ArrayOf(members)}


def _lock_query(*, lesson_id: int) -> QuerySet[Lesson]:
    return _locked(Lesson.objects.all()).filter(pk=lesson_id)


def _locked(lessons: QuerySet[Lesson]) -> QuerySet[Lesson]:
    return (
        lessons.select_for_update(of=("self",))
        .select_related("school", "class_group", "study_group")
        .annotate(period_closed=period_closed_subquery(), **_roster_subqueries())
    )


_LOCK = Prepared(_lock_query)  # compiled once: most of the lock's cost was building it


_WITHIN_LOCKS: dict = {}


def _within_lock(build) -> Prepared:
    """The lock query among the lessons `build` makes, compiled once per shape."""
    prepared = _WITHIN_LOCKS.get(build)
    if prepared is None:

        def lock_among(*shape, lesson_id: int, **values) -> QuerySet[Lesson]:
            return _locked(build(*shape, **values)).filter(pk=lesson_id)

        prepared = _WITHIN_LOCKS.setdefault(build, Prepared(lock_among))
    return prepared


def lock_lesson(lesson_id: int, *, within=None) -> Lesson:
    """The lesson row, locked for the rest of the transaction: column saves of one lesson run one
    after another, so a double submit finds the marks of the first and changes nothing. It comes
    with whether its period is closed and with its roster (`lesson.roster_ids`). Looked up among
    `within` when given, the shape and values of a set of lessons (selectors.PreparedLessons,
    whose lock is compiled once per shape); Lesson.DoesNotExist outside it."""
    if within is not None:  # a set of lessons given by its shape and values (PreparedLessons)
        found = _within_lock(within.build).rows(
            within.shape,
            using=router.db_for_write(Lesson),
            lesson_id=int(lesson_id),
            **within.values,
        )
        if not found:
            raise Lesson.DoesNotExist("Lesson matching query does not exist.")
        lesson = found[0]
    else:
        found = _LOCK.rows((), using=router.db_for_write(Lesson), lesson_id=int(lesson_id))
        if not found:
            raise Lesson.DoesNotExist("Lesson matching query does not exist.")
        lesson = found[0]
    lesson.roster_ids = set(lesson.member_ids if lesson.study_group_id else lesson.enrolled_ids)
    return lesson


def edit_refusal(*, user, lesson: Lesson, period_closed: bool, reason: str) -> str | None:
    """Why marks and attendance of this lesson may not be written now, or None.

    A cancelled or moved lesson and a future date are refused to everyone. After the school's
    edit window, or in a closed period, only the deputy head may correct, with a reason.
    """
    today = lesson.school.today()
    if lesson.status == LessonStatus.CANCELLED:
        return _("The lesson was cancelled: it takes no marks or attendance.")
    if lesson.status == LessonStatus.MOVED:
        return _("The lesson was moved: enter marks in the lesson it was moved to.")
    if lesson.date > today:
        return _("The lesson of %(date)s has not taken place yet.") % {
            "date": lesson.date.strftime("%d.%m.%Y")
        }
    window_over = lesson.date < today - dt.timedelta(days=lesson.school.edit_window_days)
    if not (period_closed or window_over):
        return None
    if is_deputy_head(user):
        if not reason.strip():
            return _("A correction after the edit window needs a reason.")
        return None
    if period_closed:
        return _(
            "The reporting period is closed: only the deputy head may correct it, with a reason."
        )
    return _(
        "The edit window (%(days)s days) is over: only the deputy head may correct it, "
        "with a reason."
    ) % {"days": lesson.school.edit_window_days}


def roster_ids(lesson: Lesson) -> QuerySet:
    """Student ids taught in this lesson on its date: the group's members, or the class's
    students enrolled on that date."""
    if lesson.study_group_id:
        return StudyGroupMembership.objects.filter(group_id=lesson.study_group_id).values_list(
            "student_id", flat=True
        )
    return Enrollment.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=lesson.date),
        class_group_id=lesson.class_group_id,
        joined_on__lte=lesson.date,
    ).values_list("student_id", flat=True)


def announce(signal, **kwargs) -> None:
    """Send a journal event inside the service's transaction, once its rows are written (the
    project's event convention: journal/events.py)."""
    signal.send(sender=Lesson, **kwargs)
