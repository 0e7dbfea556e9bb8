"""The reports pages: the summary sheet, the 24-hour report, the student's record across years
and the statistics. (Finals entry and the reporting periods are the journal's.)

Views adapt: they check the role (403), fetch through a scoped selector (404), call one
service and render or redirect.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_director, is_school_leader, is_teacher
from school.models import ClassGroup, current_period
from school.selectors import current_year

from . import selectors
from .forms import StatisticsFilterForm

# --- Finals entry ---------------------------------------------------------------------------


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


@require_GET
@role_required(is_director, is_deputy_head)
def late_finals(request):
    school = request.user.school
    year = current_year(school)
    now = timezone.now()
    context = {
        "late": list(selectors.late_finals(school=school, now=now)),
        "pending": list(selectors.pending_finals(school=school, now=now)),
        "paper": list(selectors.finals_without_electronic_access(school=school, year=year))
        if year
        else [],
        "now": now,
    }
    shown = [fm.student for key in ("late", "pending", "paper") for fm in context[key]]
    record_access(request.user, shown, _("Finals within 24 hours: the finals report"))
    return render(request, "reports/late_finals.html", context)


@require_GET
@role_required(is_teacher, is_school_leader)
def student_record(request, student_id: int):
    student = selectors.record_student(request.user, student_id)
    years = selectors.student_record(student)
    record_access(request.user, [student], _("The student's record: finals of every year"))
    return render(request, "reports/student_record.html", {"student": student, "years": years})


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
