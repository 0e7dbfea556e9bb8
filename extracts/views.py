"""Pages of the extracts app: ask for a file, watch it build, download it; check a printed
extract by its code; record that paper was handed over; spreadsheet exports.

Who may: the office (the school admin) for the whole school, the class teacher for their own
class. A wrong role is 403; a class, student or file outside the viewer's reach is 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from accounts.access import role_required
from accounts.audit import record_access
from accounts.models import SecurityEventKind
from accounts.rules import is_guardian, is_school_admin, is_school_leader, is_teacher
from accounts.security import security_event_record
from consent import selectors as consent_selectors
from consent import services as consent_services
from journal import selectors as journal_selectors
from journal.grading import Thresholds
from school.models import current_period

from . import selectors, services, spreadsheets
from .builders import download_name, statistics_tables_of
from .forms import ExtractForm, HandOverForm
from .models import FileKind
from .tables import journal_grid_table

office_or_class_teacher = role_required(is_school_admin, is_teacher)
office_only = role_required(is_school_admin)


def _site(request) -> str:
    return request.build_absolute_uri("/")


def _to_status(generated):
    return redirect("extracts:file", generated.pk)


# --- The office's page and a class ------------------------------------------------------------


@require_GET
@office_or_class_teacher
def index(request):
    classes = (
        selectors.visible_classes(request.user)
        .select_related("year")
        .order_by("-year__starts_on", "level", "letter")
    )
    return render(
        request,
        "extracts/index.html",
        {"classes": classes, "files": selectors.files_for(request.user)},
    )


def _class_context(request, class_group, form=None):
    periods = selectors.periods_of_class(class_group)
    today = class_group.school.today()
    period = current_period(periods, today)
    chosen = request.GET.get("period")
    if chosen and chosen.isdigit():
        period = next((p for p in periods if p.pk == int(chosen)), period)
    students = selectors.class_roster(class_group)
    paper = selectors.paper_student_ids(request.user, class_group)
    if form is None:
        form = ExtractForm(
            periods=periods,
            students=students,
            initial_students=sorted(paper),
            initial={"period": period.pk if period else None},
        )
    delivery = selectors.class_delivery(request.user, class_group, period)
    record_access(request.user, students, _("Paper extracts of %(group)s") % {"group": class_group})
    return {
        "class_group": class_group,
        "form": form,
        "periods": periods,
        "period": period,
        "paper": paper,
        "delivery": delivery,
        "is_office": is_school_admin(request.user),
        "hand_over_form": HandOverForm(initial={"handed_on": today}),
    }


@require_GET
@office_or_class_teacher
def class_page(request, class_id: int):
    class_group = selectors.class_for_extracts(request.user, class_id)
    return render(request, "extracts/class.html", _class_context(request, class_group))


@require_POST
@office_or_class_teacher
def class_batch(request, class_id: int):
    class_group = selectors.class_for_extracts(request.user, class_id)
    periods = selectors.periods_of_class(class_group)
    students = selectors.class_roster(class_group)
    form = ExtractForm(request.POST, periods=periods, students=students)
    if not form.is_valid():
        return render(
            request, "extracts/class.html", _class_context(request, class_group, form), status=400
        )
    chosen = set(form.cleaned_data["students"])
    ids = [s.pk for s in students if s.pk in chosen]
    generated = _file_request(
        request,
        requested_by=request.user,
        kind=FileKind.CLASS_BATCH,
        title=_("Extracts %(group)s") % {"group": class_group},
        params={
            **form.span_params(),
            "student_ids": ids,
            "duplex": form.cleaned_data["duplex"],
            "as_of": class_group.school.today().isoformat(),
            "site": _site(request),
        },
        class_group=class_group,
        total=len(ids),
    )
    record_access(
        request.user,
        ids,
        _("Paper extracts of %(group)s") % {"group": class_group},
    )
    return _to_status(generated)


@require_http_methods(["GET", "POST"])
@office_or_class_teacher
def student_extract(request, student_id: int):
    student = selectors.student_for_extracts(request.user, student_id)
    frame = selectors.frame_for(student, student.school.today())
    class_group = selectors.class_for_extracts(request.user, frame.class_group_id)
    periods = selectors.periods_of_class(class_group)
    period = current_period(periods, student.school.today())
    form = ExtractForm(
        request.POST or None, periods=periods, initial={"period": period.pk if period else None}
    )
    if request.method == "POST" and form.is_valid():
        generated = _file_request(
            request,
            requested_by=request.user,
            kind=FileKind.STUDENT_EXTRACT,
            title=_("Extract %(name)s") % {"name": student.full_name},
            params={
                **form.span_params(),
                "student_ids": [student.pk],
                "as_of": student.school.today().isoformat(),
                "site": _site(request),
            },
            class_group=class_group,
            total=1,
        )
        record_access(request.user, [student], _("Paper extract of the student"))
        return _to_status(generated)
    return render(
        request,
        "extracts/student.html",
        {"student": student, "class_group": class_group, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- A generated file -----------------------------------------------------------------------------


@require_GET
def file_status(request, file_id: int):
    """Progress while it builds (reloads itself: a meta refresh without JavaScript, a poll of
    the JSON form with it), then the download link or the error."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    generated = selectors.file_for(request.user, file_id)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": generated.status,
                "done": generated.progress_done,
                "total": generated.progress_total,
                "percent": generated.percent,
                "finished": generated.is_done,
            }
        )
    copies = list(generated.copies.select_related("student")) if generated.is_done else []
    return render(
        request,
        "extracts/file.html",
        {
            "file": generated,
            "copies": copies,
            "is_office": is_school_admin(request.user),
            "hand_over_form": HandOverForm(initial={"handed_on": generated.school.today()}),
        },
    )


@require_GET
def file_download(request, file_id: int):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    generated = selectors.file_for(request.user, file_id)
    if not generated.downloadable:
        raise Http404
    response = FileResponse(generated.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=download_name(generated.title)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


# --- Verification and delivery ---------------------------------------------------------------------


@require_GET
def verify(request, code: str):
    """The school's staff check a printed extract: when and for whom it was made, and whether
    the journal changed since. Anyone else learns nothing: the same 404 as a wrong code."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    copy = selectors.copy_by_code(request.user, code)
    unchanged = selectors.copy_current_digest(copy) == copy.digest
    record_access(request.user, [copy.student], _("Verification of a paper extract"))
    return render(request, "extracts/verify.html", {"copy": copy, "unchanged": unchanged})


@require_POST
@office_only
def hand_over(request, copy_id: int):
    copy = selectors.copy_for_office(request.user, copy_id)
    form = HandOverForm(request.POST)
    back = request.POST.get("next") or reverse("extracts:file", args=[copy.generated_file_id])
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("extracts:file", args=[copy.generated_file_id])
    if form.is_valid():
        try:
            services.copy_hand_over(
                copy=copy,
                recorded_by=request.user,
                handed_to=form.cleaned_data["handed_to"],
                handed_on=form.cleaned_data["handed_on"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Handing over of the extract for %(name)s is recorded.")
                % {"name": copy.student.short_name},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(back)


# --- PDFs of other apps through the same machinery ---------------------------------------------


def _file_request(request, **kwargs):
    """A generated file asked for, within EXTRACT_REQUEST_RATE per user (a PDF costs a worker
    seconds of CPU; a 429 past the limit)."""
    if is_ratelimited(
        request,
        group="extracts.request",
        key="user",
        rate=settings.EXTRACT_REQUEST_RATE,
        increment=True,
    ):
        raise Ratelimited
    return services.file_request(**kwargs)


def _request_page(request, title: str):
    """GET: the button that asks a worker to build the file (a GET never starts work)."""
    return render(request, "extracts/request.html", {"title": title})


@require_http_methods(["GET", "POST"])
@office_only
def consent_form(request, link_id: int):
    link = consent_selectors.link_for_admin(request.user, link_id)
    if request.method == "GET":
        return _request_page(
            request, _("Consent form %(name)s") % {"name": link.guardian.full_name}
        )
    consent_services.access_log_record(request.user, link.student, _("printable consent form"))
    return _consent_form_request(request, link)


def _consent_form_request(request, link):
    refusal = request.GET.get("variant") == "refusal"
    title = _("Refusal form %(name)s") if refusal else _("Consent form %(name)s")
    generated = _file_request(
        request,
        requested_by=request.user,
        kind=FileKind.CONSENT_FORM,
        title=title % {"name": link.guardian.full_name},
        params={"link_id": link.pk, "refusal": refusal},
        total=1,
    )
    return _to_status(generated)


@require_http_methods(["GET", "POST"])
@role_required(is_guardian)
def my_consent_form(request, student_id: int):
    """A parent's own consent (or refusal) form for their child, to print, sign and bring."""
    link = consent_selectors.own_link(request.user, student_id)
    if request.method == "GET":
        return _request_page(
            request, _("Consent form %(name)s") % {"name": link.guardian.full_name}
        )
    return _consent_form_request(request, link)


@require_http_methods(["GET", "POST"])
@office_only
def pd_export(request, request_id: int):
    pd_request = consent_selectors.pd_request_for_admin(request.user, request_id)
    if request.method == "GET":
        return _request_page(
            request, _("Personal data, request %(number)s") % {"number": pd_request.pk}
        )
    consent_services.access_log_record(request.user, pd_request.student, _("personal data export"))
    security_event_record(
        kind=SecurityEventKind.EXPORT,
        request=request,
        actor=request.user,
        detail=f"personal data request #{pd_request.pk} (pdf), student #{pd_request.student_id}",
    )
    generated = _file_request(
        request,
        requested_by=request.user,
        kind=FileKind.PD_EXPORT,
        title=_("Personal data, request %(number)s") % {"number": pd_request.pk},
        params={"pd_request_id": pd_request.pk},
        total=1,
    )
    return _to_status(generated)


# --- The summary sheet and the statistics: PDF (built by the worker), XLSX and CSV -------------

SPREADSHEETS = {
    "xlsx": (
        spreadsheets.to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (spreadsheets.to_csv, "text/csv; charset=utf-8"),
}


def _spreadsheet(tables, fmt: str, title: str):
    from django.http import HttpResponse

    if fmt not in SPREADSHEETS:
        raise Http404
    render_to, content_type = SPREADSHEETS[fmt]
    response = HttpResponse(render_to(tables), content_type=content_type)
    name = download_name(title).removesuffix(".pdf") + f".{fmt}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@role_required(is_teacher, is_school_leader)
def summary_pdf(request, class_id: int):
    from reports.selectors import summary_class

    class_group = summary_class(request.user, class_id)
    title = _("Summary sheet %(group)s") % {"group": class_group}
    if request.method == "GET":
        return _request_page(request, title)
    generated = _file_request(
        request,
        requested_by=request.user,
        kind=FileKind.SUMMARY_SHEET,
        title=title,
        params={"class_id": class_group.pk},
        class_group=class_group,
        total=1,
    )
    return _to_status(generated)


@require_GET
@role_required(is_teacher, is_school_leader)
def summary_export(request, class_id: int, fmt: str):
    from reports.selectors import summary_class, summary_sheet

    from .tables import summary_sheet_table

    class_group = summary_class(request.user, class_id)
    sheet = summary_sheet(class_group)
    table = summary_sheet_table(sheet)
    record_access(request.user, sheet.students, table.title)
    return _spreadsheet([table], fmt, table.title)


def _statistics_params(request) -> dict:
    """The statistics page's filter (reports.forms), as ids; Http404 when it does not parse."""
    from reports.forms import StatisticsFilterForm
    from reports.selectors import statistics_filters
    from school.selectors import current_year

    school = request.user.school
    choices = statistics_filters(school, current_year(school))
    periods = list(choices["periods"])
    data = request.GET.copy() if request.method == "GET" else request.POST.copy()
    if "period" not in data and periods:
        data["period"] = str(current_period(periods, school.today()).pk)
    form = StatisticsFilterForm(data, **{**choices, "periods": periods})
    if not form.is_valid():
        raise Http404
    return {
        "period_id": form.cleaned_data["period"],
        "class_id": form.cleaned_data["class_id"],
        "subject_id": form.cleaned_data["subject"],
        "teacher_id": form.cleaned_data["teacher"],
    }


@require_http_methods(["GET", "POST"])
@role_required(is_school_leader)
def statistics_pdf(request):
    params = _statistics_params(request)
    if request.method == "GET":
        return _request_page(request, _("Statistics"))
    generated = _file_request(
        request,
        requested_by=request.user,
        kind=FileKind.STATISTICS,
        title=_("Statistics"),
        params=params,
        total=1,
    )
    return _to_status(generated)


@require_GET
@role_required(is_school_leader)
def statistics_export(request, fmt: str):
    period, found = statistics_tables_of(request.user.school, _statistics_params(request))
    return _spreadsheet(found, fmt, _("Statistics, %(period)s") % {"period": period.name})


# --- The journal grid of a class-subject-period: XLSX and CSV ----------------------------------


def _journal_export(request, scope, fmt: str):
    """Whoever may see the grid (its teacher, the class teacher, the school's leaders: the
    journal's own scope, 404 for anyone else) gets it as a spreadsheet, for `?period=` or the
    current period."""
    if fmt not in SPREADSHEETS:
        raise Http404
    periods, period = journal_selectors.periods_for(scope, scope.school.today())
    chosen = request.GET.get("period")
    if chosen:
        period = next((p for p in periods if str(p.pk) == chosen), None)
    if period is None:
        raise Http404
    grid = journal_selectors.journal_grid(scope, period, Thresholds.of(scope.school))
    table = journal_grid_table(scope, period, grid)
    record_access(request.user, (row.student for row in grid.rows), table.title)
    return _spreadsheet([table], fmt, table.title)


@require_GET
@role_required(is_teacher, is_school_leader)
def journal_class_export(request, class_id: int, subject_id: int, fmt: str):
    scope = journal_selectors.journal_scope(request.user, class_id=class_id, subject_id=subject_id)
    return _journal_export(request, scope, fmt)


@require_GET
@role_required(is_teacher, is_school_leader)
def journal_group_export(request, group_id: int, fmt: str):
    scope = journal_selectors.journal_scope(request.user, group_id=group_id, subject_id=0)
    return _journal_export(request, scope, fmt)
