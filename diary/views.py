"""The family's diary: pages over journal data, each scoped to the viewer through
selectors.diary_frame (a child not linked to the viewer is a 404, like a missing one)."""

import datetime as dt
import re
from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from accounts.access import role_required
from accounts.audit import record_access
from accounts.rules import is_family_member, is_guardian, is_school_admin, is_teacher
from consent import selectors as consent_selectors
from consent.rules import may_open_diary_of
from journal.grading import Thresholds
from journal.models import FinalKind
from school.models import current_period
from school.rules import homeroom_pupils, pupils_whose_marks_staff_read

from . import ical, selectors, services, weekcache
from .charts import child_marks_chart
from .forecast import forecast
from .week import build_week

# A day of the week the phone's day view opens on (`?day=2026-11-25`).
DAY_PARAM = re.compile(r"\d{4}-\d{2}-\d{2}")

family_only = role_required(is_family_member)

# The child switcher keeps the section: another child's marks from the marks page.
TAB_URLS = {
    "week": "diary:current_week",
    "marks": "diary:marks",
    "finals": "diary:finals",
    "timetable": "diary:timetable",
    "calendar": "diary:calendar",
    "teachers": "diary:teachers",
    "remarks": "diary:remarks",
    "feed": "diary:feed_settings",
}


def _render_diary(request, frame, template, context, *, tab):
    """Render a diary page, or the paper-extracts explanation without diary consent."""
    base = {"frame": frame, "student": frame.student, "tab": tab, "tab_url": TAB_URLS[tab]}
    if request.user.school_id == frame.student.school_id:
        request.user.school = frame.school  # the header's school name: already loaded
    if not frame.may_open:
        # Whose decision is missing: each parent's latest diary decision (the viewer's first).
        base["decisions"] = consent_selectors.diary_decisions(request.user, frame.student.pk)
        base["viewer_decided"] = next((d for d in base["decisions"] if d.is_viewer), None)
        return render(request, "diary/no_consent.html", base)
    return render(request, template, {**base, **context})


@require_GET
@family_only
def home(request):
    """A guardian of several children picks one; one child goes straight to the week."""
    children = selectors.diary_children(request.user)
    if len(children) == 1:
        return redirect("diary:current_week", student_id=children[0].pk)
    return render(request, "diary/home.html", {"children": children})


@require_GET
@family_only
def current_week(request, student_id: int):
    frame = selectors.diary_frame(request.user, student_id)
    week = selectors.week_start_of(frame.on)
    return redirect("diary:week", student_id=frame.student.pk, week=week)


@require_GET
@family_only
def week(request, student_id: int, week: dt.date):
    monday = selectors.week_start_of(week)
    if monday != week:
        return redirect("diary:week", student_id=student_id, week=monday)
    # The access and consent check comes first, on every request; only then the cache.
    frame = selectors.diary_frame(request.user, student_id, on=monday, journal_version=True)
    if not frame.may_open:
        return _render_diary(request, frame, "", {}, tab="week")
    today = frame.school.today()
    selection = DAY_PARAM.fullmatch(request.GET.get("day", ""))
    key = weekcache.week_key(request.user, frame, monday, today)
    if key is not None:  # the phone's day view is part of what is cached
        key = f"{key}:{selection.group(0) if selection else ''}"
    cached = weekcache.cached_days(key)
    if cached is None:
        lessons = selectors.week_lessons(frame, monday)
        days = build_week(
            frame,
            monday,
            lessons=lessons,
            marks=selectors.week_marks(frame, monday),
            homework=selectors.week_homework(frame, monday, [lesson.pk for lesson in lessons]),
            remarks=selectors.week_remarks(frame, monday),
            today=today,
        )
        selected = _selected_day(request, days, today)
        days_html = render_to_string(
            "diary/_week_days.html",
            {
                "days": days,
                "student": frame.student,
                "selected_day": selected,
                "previous_day": _day_link(frame, _school_day_next_to(selected, -1)),
                "next_day": _day_link(frame, _school_day_next_to(selected, +1)),
            },
        )
        weekcache.keep_days(key, f"{selected.isoformat()}|{days_html}")
    else:
        chosen, _bar, days_html = cached.partition("|")
        selected = dt.date.fromisoformat(chosen)
        days_html = mark_safe(days_html)  # noqa: S308 -- our own rendering, kept by weekcache
    context = {
        "week": monday,
        "week_end": monday + dt.timedelta(days=6),
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "this_week": selectors.week_start_of(today),
        "days_html": days_html,
        "today": today,
        "selected_day": selected,
        "today_link": _day_link(frame, today),
        "can_acknowledge": frame.guardian_id is not None and monday <= today,
    }
    return _render_diary(request, frame, "diary/week.html", context, tab="week")


def _selected_day(request, days, today: dt.date) -> dt.date:
    """The day a phone shows of the week: `?day=` when it is one of the week's days, else
    today when the week holds it, else the week's first day."""
    dates = [day.date for day in days]
    wanted = request.GET.get("day", "")
    try:
        chosen = dt.date.fromisoformat(wanted) if wanted else None
    except ValueError:
        chosen = None
    if chosen in dates:
        return chosen
    return today if today in dates else dates[0]


def _day_link(frame, day: dt.date, url_name: str = "diary:week") -> dict:
    """The week page opened on one day (the phone's day view)."""
    monday = selectors.week_start_of(day)
    url = reverse(url_name, kwargs={"student_id": frame.student.pk, "week": monday})
    return {"date": day, "url": f"{url}?day={day.isoformat()}"}


def _school_day_next_to(day: dt.date, step: int) -> dt.date:
    """The previous (step −1) or next (+1) weekday: Monday's previous day is Friday."""
    day += dt.timedelta(days=step)
    while day.weekday() > 4:
        day += dt.timedelta(days=step)
    return day


@require_POST
@family_only
def acknowledge_week(request, student_id: int, week: dt.date):
    if not is_guardian(request.user):
        raise Http404
    frame = selectors.diary_frame(request.user, student_id, on=week)
    if not frame.may_open:
        raise Http404
    try:
        services.week_acknowledgement_create(frame=frame, week_start=week)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: the week is confirmed as read."))
    return redirect("diary:week", student_id=student_id, week=selectors.week_start_of(week))


def _period_choice(request, frame):
    periods = selectors.periods_for(frame)
    chosen = None
    wanted = request.GET.get("period", "")
    if wanted.isdigit():
        chosen = next((p for p in periods if p.pk == int(wanted)), None)
        if chosen is None:
            raise Http404
    return periods, chosen or current_period(periods, frame.on)


@require_GET
@family_only
def marks(request, student_id: int):
    frame = selectors.diary_frame(request.user, student_id)
    if not frame.may_open:
        return _render_diary(request, frame, "", {}, tab="marks")
    context = marks_context(request, frame)
    return _render_diary(request, frame, "diary/marks.html", context, tab="marks")


def marks_context(request, frame) -> dict:
    """The marks page of one child for a period (`?period=`): per subject the marks, the
    forecast and the absences; the chart of marks by period. Staff pages show the same."""
    periods, period = _period_choice(request, frame)
    school = frame.school
    thresholds = Thresholds.of(school)
    weight = selectors.lowest_weight(school.pk)
    subjects = OrderedDict()
    for mark in selectors.period_marks(frame, period) if period else []:
        subject = {"pk": mark.subject.pk, "name": mark.subject.name}
        subjects.setdefault(mark.subject.pk, (subject, []))[1].append(mark)
    absences = selectors.period_absences(frame, period) if period else {}
    for subject_id, counts in absences.items():  # a subject with absences and no marks yet
        subjects.setdefault(subject_id, ({"pk": subject_id, "name": counts.subject_name}, []))
    rows = [
        {
            "subject": subject,
            "marks": subject_marks,
            "absences": absences.get(subject_id),
            "forecast": forecast(
                [(m.value, m.work_type.weight) for m in subject_marks],
                thresholds,
                min_marks=school.min_marks_for_forecast,
                assumed_weight=weight,
            ),
        }
        for subject_id, (subject, subject_marks) in subjects.items()
    ]
    rows.sort(key=lambda row: row["subject"]["name"])
    return {
        "periods": periods,
        "period": period,
        "rows": rows,
        "missed_total": sum(counts.missed for counts in absences.values()),
        "late_total": sum(counts.late for counts in absences.values()),
        "thresholds": thresholds,
        "assumed_weight": weight,
        "min_marks": school.min_marks_for_forecast,
        "graded_class": frame.class_level is None or frame.class_level > 1,
        "chart": child_marks_chart(frame, periods),
    }


@require_GET
@family_only
def finals(request, student_id: int):
    frame = selectors.diary_frame(request.user, student_id)
    if not frame.may_open:
        return _render_diary(request, frame, "", {}, tab="finals")
    return _render_diary(
        request,
        frame,
        "diary/finals.html",
        _finals_grid(selectors.published_finals(frame)),
        tab="finals",
    )


def _finals_grid(finals) -> dict:
    """One grid as the paper report card has it: subjects × the periods (quarters or
    half-years) in order, then the year, then the exams."""
    order = {FinalKind.PERIOD: 0, FinalKind.YEAR: 1, FinalKind.EXAM: 2}
    columns: dict[tuple, dict] = {}
    cells: dict[tuple, dict] = OrderedDict()
    for final in finals:
        key = (final.kind, final.period_id)
        columns.setdefault(
            key,
            {
                "period": final.period,
                "kind": final.kind,
                "sort": (order.get(final.kind, 3), final.period.starts_on, final.period_id),
            },
        )
        cells.setdefault(final.subject, {})[key] = final
    ordered = sorted(columns.items(), key=lambda item: item[1]["sort"])
    rows = [
        {"subject": subject, "cells": [by_key.get(key) for key, _column in ordered]}
        for subject, by_key in sorted(cells.items(), key=lambda item: item[0].name)
    ]
    return {"columns": [column for _key, column in ordered], "rows": rows}


@require_GET
@family_only
def timetable(request, student_id: int):
    frame = selectors.diary_frame(request.user, student_id)
    if not frame.may_open:
        return _render_diary(request, frame, "", {}, tab="timetable")
    monday = selectors.week_start_of(frame.on)
    weekdays = OrderedDict()
    for row in selectors.week_timetable_as_held(frame, monday):
        day = monday + dt.timedelta(days=row["weekday_number"] - 1)
        weekdays.setdefault(day, []).append(_timetable_row(frame, row))
    context = {"weekdays": weekdays, "week": monday}
    return _render_diary(request, frame, "diary/timetable.html", context, tab="timetable")


def _short_name(last: str | None, first: str | None, patronymic: str | None) -> str:
    """Фамилия И.О., as school.models.PersonName.short_name writes it."""
    initials = "".join(f"{p[0]}." for p in (first, patronymic) if p)
    return f"{last or ''} {initials}".strip()


def _timetable_row(frame, row: dict) -> dict:
    teacher = _short_name(
        row["teacher__last_name"], row["teacher__first_name"], row["teacher__patronymic"]
    )
    substitute = _short_name(row["sub_last"], row["sub_first"], row["sub_patronymic"])
    return {
        **row,
        "bell": frame.bells.get(row["lesson_number"]),
        "teacher": teacher,
        "substitute": substitute,
    }


@require_GET
@family_only
def school_calendar(request, student_id: int):
    frame = selectors.diary_frame(request.user, student_id)
    if not frame.may_open:
        return _render_diary(request, frame, "", {}, tab="calendar")
    periods, period = _period_choice(request, frame)
    context = {
        "periods": periods,
        "period": period,
        "control_works": selectors.control_works(frame, period) if period else [],
        "holidays": selectors.year_holidays(frame),
    }
    return _render_diary(request, frame, "diary/calendar.html", context, tab="calendar")


@require_GET
@family_only
def teachers(request, student_id: int):
    frame = selectors.diary_frame(request.user, student_id)
    if not frame.may_open:
        return _render_diary(request, frame, "", {}, tab="teachers")
    context = {
        "assignments": selectors.child_teachers(frame),
        "class_teacher": selectors.class_teacher_of(frame),
    }
    return _render_diary(request, frame, "diary/teachers.html", context, tab="teachers")


@require_GET
@family_only
def remarks(request, student_id: int):
    frame = selectors.diary_frame(request.user, student_id)
    if not frame.may_open:
        return _render_diary(request, frame, "", {}, tab="remarks")
    page = Paginator(selectors.child_remarks(frame), 30).get_page(request.GET.get("page"))
    return _render_diary(request, frame, "diary/remarks.html", {"page": page}, tab="remarks")


@require_GET
@family_only
def homework_file(request, student_id: int, file_id: int):
    """A homework attachment, served only to a family that may open the child's diary."""
    frame = selectors.diary_frame(request.user, student_id)
    if not frame.may_open:
        raise Http404
    found = selectors.homework_file_for(frame, file_id)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The calendar feed ------------------------------------------------------------------------


NEW_FEED_KEY = "diary_new_feed"


@require_http_methods(["GET", "POST"])
@never_cache
@family_only
def feed_settings(request, student_id: int):
    """Create, replace or revoke the secret feed address (POST); show it (GET)."""
    frame = selectors.diary_frame(request.user, student_id)
    if not frame.may_open:
        return _render_diary(request, frame, "", {}, tab="feed")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            feed = services.calendar_feed_create(user=request.user, frame=frame)
            # Shown once, on the page this redirect opens: only its hash is stored.
            request.session[NEW_FEED_KEY] = [frame.student.pk, feed.token]
            messages.success(request, _("A new calendar address is ready."))
        elif action == "revoke":
            services.calendar_feed_revoke(user=request.user, student_id=frame.student.pk)
            messages.success(request, _("The calendar address no longer works."))
        else:
            messages.error(request, _("Unknown action."))
        return redirect("diary:feed_settings", student_id=frame.student.pk)
    feed = selectors.active_feed(request.user, frame.student.pk)
    student_pk, token = request.session.pop(NEW_FEED_KEY, None) or (None, "")
    url = (
        request.build_absolute_uri(
            reverse("diary:feed", kwargs={"student_id": frame.student.pk, "token": token})
        )
        if feed and token and student_pk == frame.student.pk
        else ""
    )
    # The same address for calendar apps: webcal:// opens the phone's "subscribe" dialogue.
    webcal = "webcal://" + url.split("://", 1)[1] if url else ""
    context = {"feed": feed, "feed_url": url, "webcal_url": webcal}
    return _render_diary(request, frame, "diary/feed_settings.html", context, tab="feed")


@require_GET
@never_cache
def feed(request, student_id: int, token: str):
    """The iCal feed. No session: the secret address is the credential, and the account it
    belongs to must still be allowed to open the child's diary. Calendar services poll from
    many addresses, so the limit counts fetches of the address itself (FEED_RATE)."""
    if is_ratelimited(
        request,
        group="diary.feed",
        key=lambda _group, _request: f"{student_id}:{token[:64]}",
        rate=settings.FEED_RATE,
        increment=True,
    ):
        raise Ratelimited
    found = selectors.feed_by_token(student_id, token)
    owner = found.user
    if not owner.is_active or not may_open_diary_of(owner, student_id):
        raise Http404
    frame = selectors.diary_frame(owner, student_id)
    body = ical.calendar(
        _("Diary: %(name)s") % {"name": frame.student.first_name},
        _feed_events(frame),
        now=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="diary.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _feed_events(frame):
    """Lessons of the last two and the next eight weeks, the control works of the current
    period (also beyond those weeks), and the year's holidays."""
    start = selectors.week_start_of(frame.on) - dt.timedelta(days=14)
    end = start + dt.timedelta(days=70)
    lessons = selectors.lessons_between(frame, start, end)
    period = current_period(selectors.periods_for(frame), frame.on)
    if period is not None:
        lessons += [
            lesson
            for lesson in selectors.control_works(frame, period)
            if not start <= lesson.date <= end
        ]
    for lesson in lessons:
        yield _lesson_event(frame, lesson)
    for holiday in selectors.year_holidays(frame):
        yield ical.Event(
            uid=f"holiday-{holiday.pk}@ednevnik",
            summary=_("Holidays: %(name)s") % {"name": holiday.name},
            starts=holiday.starts_on,
            ends=holiday.ends_on,
        )


def _lesson_event(frame, lesson) -> ical.Event:
    tz = frame.school.tz
    bell = frame.bells.get(lesson.lesson_number)
    teacher = lesson.substitute_teacher or lesson.teacher
    summary = lesson.subject.name
    if lesson.work_type_id and lesson.work_type.is_control:
        summary = f"{summary}: {lesson.work_type.name}"
    event = ical.Event(
        uid=f"lesson-{lesson.pk}@ednevnik",
        summary=summary,
        description=" · ".join(p for p in (lesson.topic, teacher.short_name) if p),
        location=lesson.room,
        cancelled=lesson.status != "scheduled",
    )
    if bell:
        event.starts = dt.datetime.combine(lesson.date, bell.starts_at, tzinfo=tz)
        event.ends = dt.datetime.combine(lesson.date, bell.ends_at, tzinfo=tz)
    else:
        event.starts = event.ends = lesson.date
    return event


# --- The class teacher's view -------------------------------------------------------------------


@require_GET
@role_required(is_teacher)
def class_acknowledgements(request, class_id: int, week: dt.date | None = None):
    klass = selectors.class_of_class_teacher(request.user, class_id)
    request.user.school = klass.school  # the same school, already loaded for the header
    today = klass.school.today()
    monday = selectors.week_start_of(week or today)
    context = {
        "klass": klass,
        "week": monday,
        "week_end": monday + dt.timedelta(days=6),
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "rows": selectors.class_acknowledgements(klass, monday),
    }
    context["confirmed"] = sum(1 for row in context["rows"] if row["confirmed"])
    record_access(
        request.user,
        (row["student"] for row in context["rows"]),
        _("Diary acknowledgements: %(group)s, week starting %(date)s")
        % {"group": klass, "date": monday.strftime("%d.%m.%Y")},
    )
    return render(request, "diary/class_acknowledgements.html", context)


# --- Staff read a pupil's diary ---------------------------------------------------------------
# Read-only pages of one pupil's diary for the school's staff: the class teacher reads the week,
# marks and remarks of the homeroom class's pupils (school.rules.homeroom_pupils); the office
# (school admin) reads the marks of any pupil of its school, which it prints for families
# (school.rules.office_pupils). Another pupil is a 404; any other role a 403. The family's
# consent is not asked: it governs what reaches the family electronically.

marks_readers = role_required(is_teacher, is_school_admin)
class_teachers = role_required(is_teacher)

STAFF_TABS = [
    ("week", "diary:pupil", _lazy("Week")),
    ("marks", "diary:pupil_marks", _lazy("Marks")),
    ("remarks", "diary:pupil_remarks", _lazy("Remarks")),
]


def _render_staff(request, frame, template, context, *, tab, what):
    """A staff page of the pupil's diary, announced to the access log."""
    # The office reads marks only; the class teacher the week, the marks and the remarks.
    shown = [t for t in STAFF_TABS if t[0] == "marks" or is_teacher(request.user)]
    tabs = [
        {"name": name, "url": reverse(url_name, args=[frame.student.pk]), "label": label}
        for name, url_name, label in shown
    ]
    record_access(request.user, [frame.student.pk], _("Pupil's diary: %(what)s") % {"what": what})
    base = {
        "frame": frame,
        "student": frame.student,
        "tab": tab,
        "staff_tabs": tabs,
        "layout": "diary/staff/_layout.html",
    }
    return render(request, template, {**base, **context})


@require_GET
@class_teachers
def pupil(request, student_id: int):
    frame = selectors.staff_diary_frame(request.user, student_id, pupils=homeroom_pupils)
    week = selectors.week_start_of(frame.on)
    return redirect("diary:pupil_week", student_id=frame.student.pk, week=week)


@require_GET
@class_teachers
def pupil_week(request, student_id: int, week: dt.date):
    monday = selectors.week_start_of(week)
    if monday != week:
        return redirect("diary:pupil_week", student_id=student_id, week=monday)
    frame = selectors.staff_diary_frame(request.user, student_id, pupils=homeroom_pupils, on=monday)
    today = frame.school.today()
    lessons = selectors.week_lessons(frame, monday)
    days = build_week(
        frame,
        monday,
        lessons=lessons,
        marks=selectors.week_marks(frame, monday),
        homework=selectors.week_homework(frame, monday, [lesson.pk for lesson in lessons]),
        remarks=selectors.week_remarks(frame, monday),
        today=today,
    )
    selected = _selected_day(request, days, today)
    link = "diary:pupil_week"
    context = {
        "week": monday,
        "week_end": monday + dt.timedelta(days=6),
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "this_week": selectors.week_start_of(today),
        "days": days,
        "staff": True,
        "selected_day": selected,
        "today_link": _day_link(frame, today, link),
        "previous_day": _day_link(frame, _school_day_next_to(selected, -1), link),
        "next_day": _day_link(frame, _school_day_next_to(selected, +1), link),
    }
    what = _("week starting %(date)s") % {"date": monday.strftime("%d.%m.%Y")}
    return _render_staff(request, frame, "diary/staff/week.html", context, tab="week", what=what)


@require_GET
@marks_readers
def pupil_marks(request, student_id: int):
    frame = selectors.staff_diary_frame(
        request.user, student_id, pupils=pupils_whose_marks_staff_read
    )
    context = marks_context(request, frame)
    what = _("marks, %(period)s") % {"period": context["period"] or "—"}
    return _render_staff(request, frame, "diary/marks.html", context, tab="marks", what=what)


@require_GET
@class_teachers
def pupil_remarks(request, student_id: int):
    frame = selectors.staff_diary_frame(request.user, student_id, pupils=homeroom_pupils)
    page = Paginator(selectors.child_remarks(frame), 30).get_page(request.GET.get("page"))
    return _render_staff(
        request, frame, "diary/remarks.html", {"page": page}, tab="remarks", what=_("remarks")
    )


@require_GET
@role_required(is_school_admin)
def pupil_search(request):
    """The office finds a pupil of its school by name or class, to read and print the marks."""
    form = {"name": request.GET.get("name", "").strip()[:100], "class": request.GET.get("class")}
    class_id = int(form["class"]) if (form["class"] or "").isdigit() else None
    found = selectors.office_pupil_search(request.user, name=form["name"], class_id=class_id)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    record_access(request.user, page.object_list, _("Pupil search"))
    context = {
        "form": form,
        "class_id": class_id,
        "classes": selectors.office_classes(request.user),
        "page": page,
    }
    return render(request, "diary/staff/pupil_search.html", context)
