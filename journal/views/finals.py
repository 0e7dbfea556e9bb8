"""Finals entry (a class's or group's finals of a period, the exam results, deferrals) and the deputy head's closing and reopening of reporting periods."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_school_leader, is_teacher
from journal.models import FinalKind
from school.models import PeriodKind, ReportingPeriod
from school.rules import is_class_teacher_of
from school.selectors import current_year

from .. import selectors, services
from ..forms import DeferForm, FinalsForm

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
        request, "journal/finals_home.html", {"rows": rows, "year": year, "deferred": deferred}
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
    students = list(selectors.roster(class_group=class_group, study_group=study_group))
    ids = [s.pk for s in students]
    if exam:
        kind, suggestions = FinalKind.EXAM, {}
    elif period.kind == PeriodKind.YEAR:
        kind = FinalKind.YEAR
        suggestions = selectors.year_finals_suggest(
            school=period.school, year_period=period, student_ids=ids, subject_id=subject.pk
        )
    else:
        kind = FinalKind.PERIOD
        suggestions = selectors.finals_suggest(
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
        # The student's record across years opens for the school's leaders and the class
        # teacher (the rule of reports' record page).
        "record_links": class_group is not None
        and (is_school_leader(request.user) or is_class_teacher_of(request.user, class_group)),
    }
    return render(request, "journal/finals.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(is_teacher, is_school_leader)
def final_defer(request, class_id: int, subject_id: int, period_id: int):
    """Defer a student's final for illness (2.5)."""
    class_group, subject, period = selectors.finals_class_scope(
        request.user, class_id=class_id, subject_id=subject_id, period_id=period_id
    )
    students = list(selectors.roster(class_group=class_group))
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
            return redirect("journal:finals", class_group.pk, subject.pk, period.pk)
    context = {"form": form, "class_group": class_group, "subject": subject, "period": period}
    return render(request, "journal/defer.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(is_school_leader)
def periods(request):
    year = current_year(request.user.school)
    rows = ReportingPeriod.objects.filter(school=request.user.school, year=year).select_related(
        "closed_by"
    )
    return render(request, "journal/periods.html", {"periods": rows, "year": year})


def _own_period(user, period_id: int) -> ReportingPeriod:
    period = ReportingPeriod.objects.filter(pk=period_id, school_id=user.school_id).first()
    if period is None:
        raise Http404
    return period


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
    return redirect("journal:periods")
