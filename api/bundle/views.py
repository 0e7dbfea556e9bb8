"""The school admin's page of the OneRoster CSV bundle: export (built by a Celery task, kept
for download) and import (one upload, all or nothing, errors by file, line and field)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.rules import is_school_admin

from .. import tasks
from . import files
from .load import bundle_import
from .reader import BundleRefused

admin_only = role_required(is_school_admin)


class ExportForm(forms.Form):
    since = forms.DateTimeField(
        label=gettext_lazy("Changed after (empty: everything)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ImportForm(forms.Form):
    bundle = forms.FileField(label=gettext_lazy("Bundle (zip)"))


def _page(request, *, export_form=None, import_form=None, errors=(), imported=None, status=200):
    context = {
        "export_form": export_form or ExportForm(),
        "import_form": import_form or ImportForm(),
        "bundles": files.names(request.user.school_id),
        "errors": errors,
        "imported": imported,
    }
    return render(request, "api/bundle.html", context, status=status)


@require_GET
@admin_only
def bundle_page(request):
    return _page(request)


@require_POST
@admin_only
def bundle_export(request):
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    since: dt.datetime | None = form.cleaned_data["since"]
    tasks.bundle_export.delay(
        request.user.school_id, since.isoformat() if since else None, request.user.pk
    )
    messages.success(request, _("The bundle is being built; it appears in the list when ready."))
    return redirect("api:bundle")


@require_GET
@admin_only
def bundle_download(request, name: str):
    handle = files.open_file(request.user.school_id, name)
    if handle is None:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")


@require_POST
@admin_only
def bundle_upload(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, import_form=form, status=400)
    try:
        imported = bundle_import(
            school=request.user.school, data=form.cleaned_data["bundle"].read(), user=request.user
        )
    except BundleRefused as refused:
        return _page(request, import_form=form, errors=refused.errors, status=422)
    return _page(request, imported=imported)
