"""The reports pages: finals entry, deferrals, periods, the summary sheet, the 24-hour report,
the student's record across years and the statistics.

Views adapt: they check the role (403), fetch through a scoped selector (404), call one
service and render or redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_director, is_school_leader, is_teacher
from journal import finals as services
from journal.models import FinalKind
from school.models import ClassGroup, PeriodKind, ReportingPeriod, current_period
from school.selectors import current_year

from . import selectors
from .forms import DeferForm, FinalsForm, StatisticsFilterForm

# --- Finals entry ---------------------------------------------------------------------------


@require_GET
@role_required(is_teacher)
def finals_home(request):
    """The teacher's classes and subjects with a link to the finals of each period."""
    year = current_year(request.user.school)
    rows = selectors.teacher_finals_links(request.user, year)
    deferred = list(selectors.deferrals_of(request.user))
    record_access(
        request.user, (fm.student for fm in deferred), _("Finals: the deferred finals I set")
    )
    return render(
        request, "reports/finals_home.html", {"rows": rows, "year": year, "deferred": deferred}
    )


@require_http_methods(["GET", "POST"])
@role_required(is_teacher, is_school_leader)
def finals_class(request, class_id: int, subject_id: int, period_id: int, exam: bool = False):
    class_group, subject, period = selectors.finals_class_scope(
        request.user, class_id=class_id, subject_id=subject_id, period_id=period_id
    )
    if exam and period.kind != PeriodKind.YEAR:
        raise Http404
    return _finals_page(request, period=period, subject=subject, class_group=class_group, exam=exam)


@require_http_methods(["GET", "POST"])
@role_required(is_teacher, is_school_leader)
def finals_group(request, group_id: int, period_id: int):
    group, period = selectors.finals_group_scope(
        request.user, group_id=group_id, period_id=period_id
    )
    return _finals_page(request, period=period, subject=group.subject, study_group=group)


def _finals_page(request, *, period, subject, class_group=None, study_group=None, exam=False):
    students = list(services.roster(class_group=class_group, study_group=study_group))
    ids = [s.pk for s in students]
    if exam:
        kind, suggestions = FinalKind.EXAM, {}
    elif period.kind == PeriodKind.YEAR:
        kind = FinalKind.YEAR
        suggestions = services.year_finals_suggest(
            school=period.school, year_period=period, student_ids=ids, subject_id=subject.pk
        )
    else:
        kind = FinalKind.PERIOD
        suggestions = services.finals_suggest(
            school=period.school, period=period, student_ids=ids, subject_id=subject.pk
        )
    rows = selectors.finals_rows(
        period=period, subject=subject, students=students, kind=kind, suggestions=suggestions
    )
    exam_name = next((r.final.exam_name for r in rows if r.final and r.final.exam_name), "")
    form = FinalsForm(request.POST or None, rows=rows, exam=exam, exam_name=exam_name)
    if request.method == "POST" and form.is_valid():
        try:
            written = services.finals_set(
                user=request.user,
                period=period,
                subject=subject,
                entries=form.entries(),
                class_group=class_group,
                study_group=study_group,
                exam=exam,
                exam_name=form.cleaned_data.get("exam_name", ""),
                suggestions=suggestions,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Finals saved: %(count)d.") % {"count": len(written)})
            return redirect(request.get_full_path())
    group = study_group or class_group
    record_access(
        request.user,
        students,
        (
            _("Exam results: %(subject)s, %(group)s")
            if exam
            else _("Finals: %(subject)s, %(group)s, %(period)s")
        )
        % {"subject": subject.name, "group": group, "period": period.name},
    )
    context = {
        "form": form,
        "period": period,
        "subject": subject,
        "group": group,
        "class_group": class_group,
        "exam": exam,
        "kind": kind,
        "min_marks": period.school.min_marks_for_forecast,
    }
    return render(request, "reports/finals.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(is_teacher, is_school_leader)
def final_defer(request, class_id: int, subject_id: int, period_id: int):
    """Defer a student's final for illness (2.5)."""
    class_group, subject, period = selectors.finals_class_scope(
        request.user, class_id=class_id, subject_id=subject_id, period_id=period_id
    )
    students = list(services.roster(class_group=class_group))
    form = DeferForm(request.POST or None, students=students)
    if request.method == "POST" and form.is_valid():
        student = next(s for s in students if s.pk == form.cleaned_data["student"])
        try:
            services.final_mark_defer(
                user=request.user,
                student=student,
                subject=subject,
                period=period,
                reason=form.cleaned_data["reason"],
                document=form.cleaned_data["document"],
                due_date=form.cleaned_data["due_date"],
                class_group=class_group,
            )
        except ValidationError as error:
            for name, errs in error.message_dict.items():
                for message in errs:
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("The final is deferred."))
            return redirect("reports:finals", class_group.pk, subject.pk, period.pk)
    context = {"form": form, "class_group": class_group, "subject": subject, "period": period}
    return render(request, "reports/defer.html", context, status=400 if form.errors else 200)


# --- Periods ------------------------------------------------------------------------------------


@require_GET
@role_required(is_school_leader)
def periods(request):
    year = current_year(request.user.school)
    rows = ReportingPeriod.objects.filter(school=request.user.school, year=year).select_related(
        "closed_by"
    )
    return render(request, "reports/periods.html", {"periods": rows, "year": year})


def _own_period(user, period_id: int) -> ReportingPeriod:
    period = ReportingPeriod.objects.filter(pk=period_id, school_id=user.school_id).first()
    if period is None:
        raise Http404
    return period


@require_POST
@role_required(is_deputy_head)
def period_close(request, period_id: int):
    period = _own_period(request.user, period_id)
    try:
        services.period_close(user=request.user, period=period)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The period «%(name)s» is closed.") % {"name": period.name})
    return redirect("reports:periods")


@require_POST
@role_required(is_deputy_head)
def period_reopen(request, period_id: int):
    period = _own_period(request.user, period_id)
    try:
        services.period_reopen(user=request.user, period=period)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The period «%(name)s» is open again.") % {"name": period.name})
    return redirect("reports:periods")


# --- Summary sheet ------------------------------------------------------------------------------


@require_GET
@role_required(is_teacher, is_school_leader)
def summary_list(request):
    """The classes whose summary sheet the user may open."""
    year = current_year(request.user.school)
    classes = ClassGroup.objects.filter(school=request.user.school, year=year)
    if not is_school_leader(request.user):
        classes = classes.filter(class_teacher__user=request.user)
    return render(request, "reports/summary_list.html", {"classes": classes, "year": year})


@require_GET
@role_required(is_teacher, is_school_leader)
def summary_sheet(request, class_id: int):
    class_group = selectors.summary_class(request.user, class_id)
    sheet = selectors.summary_sheet(class_group)
    table = [
        (
            student,
            [
                (
                    subject,
                    [sheet.cells.get((student.pk, subject.pk, key)) for key, _l in sheet.columns],
                )
                for subject in sheet.subjects
            ],
        )
        for student in sheet.students
    ]
    record_access(
        request.user, sheet.students, _("Summary sheet of %(group)s") % {"group": class_group}
    )
    return render(request, "reports/summary_sheet.html", {"sheet": sheet, "table": table})


# --- 24 hours, the student's record --------------------------------------------------------------


@require_GET
@role_required(is_director, is_deputy_head)
def late_finals(request):
    school = request.user.school
    year = current_year(school)
    now = timezone.now()
    context = {
        "late": list(selectors.late_finals(school=school, now=now)),
        "pending": list(selectors.pending_finals(school=school, now=now)),
        "told": list(selectors.finals_told(school=school, now=now)),
        "paper": list(selectors.finals_without_electronic_access(school=school, year=year))
        if year
        else [],
        "now": now,
    }
    shown = [fm.student for key in ("late", "pending", "told", "paper") for fm in context[key]]
    record_access(request.user, shown, _("Finals within 24 hours: the finals report"))
    return render(request, "reports/late_finals.html", context)


@require_GET
@role_required(is_teacher, is_school_leader)
def student_record(request, student_id: int):
    student = selectors.record_student(request.user, student_id)
    years = selectors.student_record(student)
    record_access(request.user, [student], _("The student's record: finals of every year"))
    return render(request, "reports/student_record.html", {"student": student, "years": years})


# --- Statistics ---------------------------------------------------------------------------------


def _statistics_filter(request):
    school = request.user.school
    year = current_year(school)
    choices = selectors.statistics_filters(school, year)
    data = request.GET.copy()
    periods = list(choices["periods"])
    if "period" not in data and periods:
        data["period"] = str(current_period(periods, school.today()).pk)
    form = StatisticsFilterForm(data, **{**choices, "periods": periods})
    return form, {p.pk: p for p in periods}


@require_GET
@role_required(is_school_leader)
def statistics(request):
    form, periods = _statistics_filter(request)
    context = {"form": form}
    if form.is_valid():
        school = request.user.school
        period = periods[form.cleaned_data["period"]]
        scope = {
            "class_id": form.cleaned_data["class_id"],
            "subject_id": form.cleaned_data["subject"],
            "teacher_id": form.cleaned_data["teacher"],
        }
        context.update(
            period=period,
            finals=selectors.statistics_finals(school=school, period=period, **scope),
            lessons=selectors.statistics_lessons(
                school=school, period=period, today=school.today(), **scope
            ),
            work_types=selectors.statistics_work_types(school=school, period=period, **scope),
            rows_url=reverse("reports:statistics_rows"),
        )
    return render(
        request, "reports/statistics.html", context, status=200 if form.is_valid() else 400
    )


@require_GET
@role_required(is_school_leader)
def statistics_rows(request):
    """The rows behind one number of the statistics page."""
    form, periods = _statistics_filter(request)
    metric = request.GET.get("metric", "")
    if not form.is_valid():
        raise Http404
    school = request.user.school
    period = periods[form.cleaned_data["period"]]
    class_id, subject_id = form.cleaned_data["class_id"], form.cleaned_data["subject"]
    context = {"period": period, "metric": metric}
    if metric in selectors.LESSON_METRICS:
        context["lessons"] = selectors.statistics_lesson_list(
            school=school,
            period=period,
            today=school.today(),
            class_id=class_id,
            subject_id=subject_id,
            metric=metric,
            group=request.GET.get("group"),
        )
    elif metric.startswith("worktype-") and metric[9:].isdigit():
        context["marks"] = marks = list(
            selectors.statistics_marks(
                school=school,
                period=period,
                work_type_id=int(metric[9:]),
                class_id=class_id,
                subject_id=subject_id,
            )
        )
        record_access(
            request.user,
            (m.student_id for m in marks),
            _("Statistics: marks of one work type, %(period)s") % {"period": period.name},
        )
    elif metric in selectors.FINALS_METRICS or metric.startswith("final-"):
        if not class_id or not subject_id:
            raise Http404
        klass, subject, students = selectors.statistics_students(
            school=school, period=period, class_id=class_id, subject_id=subject_id, metric=metric
        )
        context.update(class_group=klass, subject=subject, students=students)
        record_access(
            request.user,
            (student for student, _fm, _forecast in students),
            _("Statistics: finals of %(subject)s, %(group)s, %(period)s")
            % {"subject": subject.name, "group": klass, "period": period.name},
        )
    else:
        raise Http404
    return render(request, "reports/statistics_rows.html", context)
