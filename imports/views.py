"""Pages of the imports app, for the school admin only: upload a file, map its columns,
watch it being checked, read the preview, confirm, watch it being imported.

A wrong role is 403; another school's import is 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.rules import is_school_admin

from . import columns, selectors, services
from .forms import MappingForm, UploadForm
from .models import ImportKind, ImportStatus

admin_only = role_required(is_school_admin)


def _index(request, form, status=200):
    context = {
        "form": form,
        "batches": selectors.batches_of(request.user),
        "kinds": [(kind, columns.columns_of(kind)) for kind in ImportKind],
    }
    return render(request, "imports/index.html", context, status=status)


@require_GET
@admin_only
def index(request):
    return _index(request, UploadForm(today=request.user.school.today()))


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
@admin_only
def upload(request):
    form = UploadForm(request.POST, request.FILES, today=request.user.school.today())
    if not form.is_valid():
        return _index(request, form, status=400)
    try:
        batch = services.batch_upload(
            uploaded_by=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            options=form.options(),
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _index(request, form, status=400)
    if batch.status == ImportStatus.UPLOADED:
        return redirect("imports:mapping", batch.pk)
    return redirect("imports:batch", batch.pk)


@require_GET
@admin_only
def batch_page(request, batch_id: int):
    """Progress while it is checked or imported (reloads itself without JavaScript), then the
    preview with its confirmation, or the result."""
    batch = selectors.batch_for(request.user, batch_id)
    if batch.status == ImportStatus.UPLOADED:
        return redirect("imports:mapping", batch.pk)
    preview = batch.preview or {}
    lines = preview.get("lines", [])
    return render(
        request,
        "imports/batch.html",
        {
            "batch": batch,
            "done": services.progress_of(batch) if batch.is_working else batch.progress_done,
            "changed": [x for x in lines if x["action"] != "unchanged"],
            "unchanged": [x for x in lines if x["action"] == "unchanged"],
            "missing": preview.get("missing", []),
            "is_timetable": batch.kind == ImportKind.TIMETABLE,
        },
    )


@require_http_methods(["GET", "POST"])
@admin_only
def mapping(request, batch_id: int):
    batch = selectors.batch_for(request.user, batch_id)
    form = MappingForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_map(batch=batch, mapping=form.mapping())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect("imports:batch", batch.pk)
    return render(
        request,
        "imports/mapping.html",
        {
            "batch": batch,
            "form": form,
            "missing": columns.missing_fields(batch.kind, batch.mapping),
            "sample": selectors.batch_sample(batch),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@admin_only
def confirm(request, batch_id: int):
    batch = selectors.batch_for(request.user, batch_id)
    try:
        services.batch_confirm(
            batch=batch,
            confirmed_by=request.user,
            end_missing=bool(request.POST.get("end_missing")),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import has started."))
    return redirect("imports:batch", batch.pk)
