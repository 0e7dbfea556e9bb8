"""Assemble the week page from the rows the selectors fetched: no queries here."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import pgettext_lazy

from journal.models import Homework, Lesson, LessonStatus, Mark, Remark

from .selectors import Bell, DiaryFrame, HolidaySpan

ATTENDANCE_LABELS = {
    "absent": pgettext_lazy("attendance", "absent (н)"),
    "ill": pgettext_lazy("attendance", "ill (б)"),
    "excused": pgettext_lazy("attendance", "excused (у)"),
    "late": pgettext_lazy("attendance", "late (оп)"),
}


@dataclass
class LessonRow:
    lesson: Lesson
    bell: Bell | None
    marks: list[Mark] = field(default_factory=list)
    homework: list[Homework] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return self.lesson.status == LessonStatus.CANCELLED

    @property
    def moved_away(self) -> bool:
        return self.lesson.status == LessonStatus.MOVED

    @property
    def attendance(self):
        code = getattr(self.lesson, "attendance_code", None)
        return ATTENDANCE_LABELS.get(code) if code else None

    @property
    def moved_to(self) -> Lesson | None:
        try:
            return self.lesson.moved_to
        except Lesson.DoesNotExist:
            return None


@dataclass
class Day:
    date: dt.date
    is_today: bool
    holiday: HolidaySpan | None
    lessons: list[LessonRow] = field(default_factory=list)
    other_marks: list[Mark] = field(default_factory=list)  # marks of lessons not listed
    other_remarks: list[Remark] = field(default_factory=list)
    due: list[Homework] = field(default_factory=list)  # homework due this day


def _by_lesson(rows) -> dict[int, list]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.lesson_id].append(row)
    return grouped


def _days_of(frame: DiaryFrame, week: dt.date, *, lessons, today: dt.date) -> dict[dt.date, Day]:
    """The days the week shows: Monday to Friday, and Saturday and Sunday only when they have
    lessons or are today."""
    days = {}
    weekend_with_lessons = {lesson.date for lesson in lessons if lesson.date.weekday() > 4}
    for offset in range(7):
        date = week + dt.timedelta(days=offset)
        if offset > 4 and date not in weekend_with_lessons and date != today:
            continue
        holiday = next((h for h in frame.holidays if h.covers(date)), None)
        days[date] = Day(date=date, is_today=date == today, holiday=holiday)
    return days


def build_week(
    frame: DiaryFrame,
    week: dt.date,
    *,
    lessons: list[Lesson],
    marks: list[Mark],
    homework: list[Homework],
    remarks: list[Remark],
    today: dt.date,
) -> list[Day]:
    by_lesson_marks = _by_lesson(marks)
    by_lesson_homework = _by_lesson(homework)
    by_lesson_remarks = _by_lesson(r for r in remarks if r.lesson_id)
    loose_remarks = [r for r in remarks if not r.lesson_id]
    days = _days_of(frame, week, lessons=lessons, today=today)

    listed = set()
    for lesson in lessons:
        day = days[lesson.date]
        listed.add(lesson.pk)
        day.lessons.append(
            LessonRow(
                lesson=lesson,
                bell=frame.bells.get(lesson.lesson_number),
                marks=by_lesson_marks.pop(lesson.pk, []),
                homework=by_lesson_homework.get(lesson.pk, []),
                remarks=by_lesson_remarks.pop(lesson.pk, []),
            )
        )
    for item in homework:
        if item.due_date in days and item.due_date != item.lesson.date:
            days[item.due_date].due.append(item)
    for leftover in by_lesson_marks.values():
        for mark in leftover:
            if mark.date in days:
                days[mark.date].other_marks.append(mark)
    tz = frame.school.tz
    for remark in loose_remarks + [r for rs in by_lesson_remarks.values() for r in rs]:
        date = remark.lesson.date if remark.lesson_id else remark.created_at.astimezone(tz).date()
        if date in days:
            days[date].other_remarks.append(remark)
    return list(days.values())
