"""Pages of the consent app. Views adapt: parse a form, fetch through a selector, call one
service, render or redirect."""

import mimetypes
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from accounts.access import role_required
from accounts.clientip import client_ip
from accounts.models import SecurityEventKind
from accounts.rules import is_guardian, is_school_admin
from accounts.security import security_event_record

from . import selectors, services
from .forms import (
    ActivateForm,
    ConsentRecordForm,
    ContactForm,
    OwnContactForm,
    PdRequestForm,
    WithdrawForm,
)
from .models import ContactSource, Decision

admin_only = role_required(is_school_admin)
guardian_only = role_required(is_guardian)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- The register ---------------------------------------------------------------------------


@require_GET
@admin_only
def register(request):
    """The register searched by name, class and status (`?name=&class=&status=`), paged."""
    status = request.GET.get("status", request.GET.get("filter", ""))
    if status not in selectors.FILTERS:
        status = ""
    name = request.GET.get("name", "").strip()[:100]
    class_raw = request.GET.get("class", "")
    class_id = int(class_raw) if class_raw.isdigit() else None
    page, rows = selectors.register_page(
        request.user,
        filter_name=status,
        page_number=request.GET.get("page", 1),
        name=name,
        class_id=class_id,
    )
    query = urlencode(
        {k: v for k, v in {"name": name, "class": class_id or "", "status": status}.items() if v}
    )
    return render(
        request,
        "consent/register.html",
        {
            "rows": rows,
            "page": page,
            "filter_name": status,
            "name": name,
            "class_id": class_id,
            "classes": selectors.register_classes(request.user),
            "query": query,
            "purposes": selectors.PURPOSES,
        },
    )


def _family_context(request, link, **forms):
    services.access_log_record(request.user, link.student, _("consent register: family page"))
    context = {
        "link": link,
        "history": selectors.consent_history(link),
        "contacts": selectors.contacts_of(link.guardian_id),
        "record_form": ConsentRecordForm(links=selectors.children_links(link), current=link),
        "contact_form": ContactForm(),
    }
    context.update(forms)
    return context


@require_GET
@admin_only
def family(request, link_id: int):
    link = selectors.link_for_admin(request.user, link_id)
    return render(request, "consent/family.html", _family_context(request, link))


@require_POST
@admin_only
def consent_record(request, link_id: int):
    """Record a decision for the family page's child, and for the parent's other children
    ticked with it: one row per child, in one transaction (all or none)."""
    link = selectors.link_for_admin(request.user, link_id)
    links = selectors.children_links(link)
    form = ConsentRecordForm(request.POST, request.FILES, links=links, current=link)
    if form.is_valid():
        data = dict(form.cleaned_data)
        chosen = set(data.pop("also_for", ()))
        others = [other.student for other in links if other.student_id in chosen]
        try:
            recorded = services.consent_record_for_children(
                recorded_by=request.user,
                guardian=link.guardian,
                students=[link.student, *(s for s in others if s.pk != link.student_id)],
                **data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            done = (
                _("The decision is recorded.")
                if len(recorded) == 1
                else _("The decision is recorded for each of the %(count)d children.")
                % {"count": len(recorded)}
            )
            messages.success(request, done)
            return redirect("consent:family", link_id=link.pk)
    context = _family_context(request, link, record_form=form)
    return render(request, "consent/family.html", context, status=400)


@require_http_methods(["GET", "POST"])
@admin_only
def consent_withdraw(request, consent_id: int):
    """The withdrawal's confirmation page (GET) and its recording (POST): the date, the reason
    and the reference of the parent's paper application, nothing recorded without them."""
    consent = selectors.consent_for_admin(request.user, consent_id)
    link = (
        selectors.school_links(request.user)
        .filter(guardian_id=consent.guardian_id, student_id=consent.student_id)
        .first()
    )
    back = redirect("consent:family", link_id=link.pk) if link else redirect("consent:register")
    if consent.withdrawn_on or consent.decision != Decision.CONSENT:
        messages.error(request, _("This decision has already been withdrawn."))
        return back
    if request.method == "GET":
        form = WithdrawForm(initial={"withdrawn_on": request.user.school.today()})
        return render(request, "consent/withdraw.html", {"consent": consent, "form": form})
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.consent_withdraw(
                recorded_by=request.user,
                consent=consent,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
                document_ref=form.cleaned_data["document_ref"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The withdrawal is recorded."))
            return back
    context = {"consent": consent, "form": form}
    return render(request, "consent/withdraw.html", context, status=400)


@require_GET
@admin_only
def consent_scan(request, consent_id: int):
    """The scan, only through this view: the admin of the consent's school, nothing public."""
    consent = selectors.consent_for_admin(request.user, consent_id)
    if not consent.document:
        raise Http404
    services.access_log_record(request.user, consent.student, _("scan of a consent"))
    content_type = mimetypes.guess_type(consent.document.name)[0] or "application/octet-stream"
    response = FileResponse(consent.document.open("rb"), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="consent-{consent.pk}{_suffix(consent.document.name)}"'
    )
    return response


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


@require_GET
@admin_only
def consent_form_pdf(request, link_id: int):
    """The written consent of 152-FZ art. 9 part 4, pre-filled for this guardian and child:
    built by a worker like every generated file (the extracts app), not in the request."""
    link = selectors.link_for_admin(request.user, link_id)
    url = reverse("extracts:consent_form", args=[link.pk])
    if request.GET.get("variant") == "refusal":
        url += "?variant=refusal"
    return redirect(url)


@require_GET
@guardian_only
def my_consent_form(request, student_id: int):
    """A parent prints the consent (or refusal) form for their own child to sign and bring:
    built by a worker like every generated file (the extracts app)."""
    link = selectors.own_link(request.user, student_id)
    url = reverse("extracts:my_consent_form", args=[link.student_id])
    if request.GET.get("variant") == "refusal":
        url += "?variant=refusal"
    return redirect(url)


@require_POST
@admin_only
def contact_add(request, link_id: int):
    link = selectors.link_for_admin(request.user, link_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_set(
                recorded_by=request.user, guardian=link.guardian, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The contact is saved."))
            return redirect("consent:family", link_id=link.pk)
    context = _family_context(request, link, contact_form=form)
    return render(request, "consent/family.html", context, status=400)


# --- Accounts -------------------------------------------------------------------------------


@require_POST
@admin_only
def account_issue(request, link_id: int):
    """Issue the account and show the one-time code once, on a page to print."""
    link = selectors.link_for_admin(request.user, link_id)
    activation, code = services.account_issue(issued_by=request.user, guardian=link.guardian)
    # The address only: the family types the code, so it never sits in a URL (browser
    # history, proxy and server logs, a photo of the screen's address bar).
    activate_url = request.build_absolute_uri(reverse("consent:activate"))
    response = render(
        request,
        "consent/account_issued.html",
        {
            "link": link,
            "activation": activation,
            "code": code,
            "activate_url": activate_url,
            "username": activation.guardian.user.username,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@admin_only
def account_disable(request, link_id: int):
    link = selectors.link_for_admin(request.user, link_id)
    services.account_disable(disabled_by=request.user, guardian=link.guardian)
    messages.success(request, _("The account is disabled; its sessions have ended."))
    return redirect("consent:family", link_id=link.pk)


@require_POST
@admin_only
def link_remove(request, link_id: int):
    link = selectors.link_for_admin(request.user, link_id)
    services.guardian_link_remove(removed_by=request.user, link=link)
    messages.success(request, _("The parent is no longer linked to the student."))
    return redirect("consent:register")


def _activation_limited(request) -> bool:
    """Activation attempts are limited per client address and per code (django-ratelimit,
    the address as the trusted proxies report it): guessing a code is slow from anywhere."""
    limited = is_ratelimited(
        request,
        group="activation-address",
        key=lambda _group, req: client_ip(req) or "",
        rate=settings.ACTIVATION_RATE_PER_ADDRESS,
        increment=True,
    )
    code = request.POST.get("code", "")
    if code:
        limited = (
            is_ratelimited(
                request,
                group="activation-code",
                key=lambda _group, _req: services.activation_code_key(code),
                rate=settings.ACTIVATION_RATE_PER_CODE,
                increment=True,
            )
            or limited
        )
    return limited


@require_http_methods(["GET", "POST"])
def activate(request):
    """The guardian sets a password with the code the school issued (no sign-in needed)."""
    if request.method == "POST":
        form = ActivateForm(request.POST)
        if _activation_limited(request):
            form.is_valid()
            form.add_error(None, _("Too many attempts. Please wait an hour and try again."))
            security_event_record(kind=SecurityEventKind.ACTIVATION_FAILED, request=request)
            return _no_store(render(request, "consent/activate.html", {"form": form}, status=429))
        if form.is_valid():
            try:
                user = services.account_activate(**form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
                security_event_record(kind=SecurityEventKind.ACTIVATION_FAILED, request=request)
            else:
                security_event_record(kind=SecurityEventKind.ACTIVATION, request=request, user=user)
                messages.success(
                    request,
                    _("The password is set. Sign in with the login %(username)s.")
                    % {"username": user.username},
                )
                return redirect("accounts:login")
        return _no_store(render(request, "consent/activate.html", {"form": form}, status=400))
    # The code is typed, never taken from the address.
    return _no_store(render(request, "consent/activate.html", {"form": ActivateForm()}))


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


# --- The office's lists and personal-data requests ------------------------------------------


@require_GET
@admin_only
def paper_list(request):
    return render(request, "consent/paper_list.html", {"links": selectors.paper_list(request.user)})


@require_http_methods(["GET", "POST"])
@admin_only
def pd_requests(request):
    """The requests, and the form that registers one: the parent is found by name
    (`?guardian=`, kept in the form as it is posted) and picked among the pairs found."""
    search = (request.POST or request.GET).get("guardian", "").strip()[:100]
    links = selectors.link_search(request.user, search)
    if request.method == "POST" and request.POST.get("link", "").isdigit():
        # The pair posted counts even when the search would not find it again; scoped to the
        # school like every pair, so another school's id is simply no choice.
        posted = selectors.school_links(request.user).filter(pk=int(request.POST["link"]))
        links = [*links, *posted.select_related("guardian", "student")]
    form = PdRequestForm(request.POST or None, links=links)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            link = next(found for found in links if found.pk == form.cleaned_data["link"])
            try:
                services.pd_request_register(
                    registered_by=request.user,
                    guardian=link.guardian,
                    student=link.student,
                    received_on=form.cleaned_data["received_on"],
                    document_ref=form.cleaned_data["document_ref"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The request is registered."))
                return redirect("consent:pd_requests")
        status = 400
    return render(
        request,
        "consent/pd_requests.html",
        {
            "form": form,
            "search": search,
            "found": links,
            "requests": selectors.pd_requests(request.user),
            "today": request.user.school.today(),
        },
        status=status,
    )


@require_POST
@admin_only
def pd_request_answer(request, request_id: int):
    pd_request = selectors.pd_request_for_admin(request.user, request_id)
    services.pd_request_answer(answered_by=request.user, request=pd_request)
    messages.success(request, _("The request is marked as answered."))
    return redirect("consent:pd_requests")


@require_GET
@admin_only
def pd_export(request, request_id: int, fmt: str):
    if fmt not in ("json", "pdf"):
        raise Http404
    pd_request = selectors.pd_request_for_admin(request.user, request_id)
    if fmt == "pdf":
        # The PDF takes seconds to lay out: a worker builds it (the extracts app), the office
        # watches it on the file's page and downloads it there.
        return redirect("extracts:pd_export", pd_request.pk)
    services.access_log_record(request.user, pd_request.student, _("personal data export"))
    security_event_record(
        kind=SecurityEventKind.EXPORT,
        request=request,
        actor=request.user,
        detail=f"personal data request #{pd_request.pk} ({fmt}), student #{pd_request.student_id}",
    )
    export = selectors.pd_export_build(
        guardian_id=pd_request.guardian_id, student_id=pd_request.student_id
    )
    response = HttpResponse(
        selectors.pd_export_json(export), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="pd-request-{pd_request.pk}.json"'
    return response


# --- The guardian's own pages ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@guardian_only
def my_contacts(request):
    guardian = request.user.guardian
    form = OwnContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contact_set(
                    recorded_by=request.user,
                    guardian=guardian,
                    source=ContactSource.ACCOUNT,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The contact is saved."))
                return redirect("consent:my_contacts")
        status = 400
    return render(
        request,
        "consent/my_contacts.html",
        {"form": form, "contacts": selectors.own_contacts(request.user)},
        status=status,
    )


@require_GET
@guardian_only
def my_access_log(request):
    # Paged without a COUNT: one row more than a page says whether an older page exists.
    wanted = request.GET.get("page", "1")
    number = int(wanted) if wanted.isdigit() and 0 < int(wanted) < 10_000 else 1
    start = (number - 1) * ACCESS_LOG_PAGE
    rows = list(selectors.access_log_for_family(request.user)[start : start + ACCESS_LOG_PAGE + 1])
    page = {
        "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if len(rows) > ACCESS_LOG_PAGE else None,
    }
    return render(
        request,
        "consent/my_access_log.html",
        {"entries": rows[:ACCESS_LOG_PAGE], "page": page},
    )


ACCESS_LOG_PAGE = 50


@require_GET
@guardian_only
def my_consents(request):
    return render(
        request, "consent/my_consents.html", {"consents": selectors.own_consents(request.user)}
    )
