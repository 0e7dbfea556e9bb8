"""What each kind of generated file is built from: the data read again in the worker, HTML
rendered by a print template, WeasyPrint.

A class batch is one PDF of every student's extract, each a document of its own (its pages
numbered within it; for duplex printing each starts on a right-hand page): the data and the
HTML are made here, the layout is split between a few processes (extracts.pdf.
documents_to_pdf), which share one parsed stylesheet and font configuration."""

import datetime as dt
import re

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from school.models import ClassGroup, ReportingPeriod, Student

from . import selectors, services, tables
from .models import ExtractCopy, FileKind, GeneratedFile


def build(generated: GeneratedFile) -> tuple[bytes, int, str]:
    """(pdf, pages, title) of a generated file. The documents are Russian whatever language
    the one who asked uses: they are handed to families and kept by the school."""
    builder = BUILDERS[generated.kind]
    with translation.override(settings.LANGUAGE_CODE):
        return builder(generated)


def _span(params: dict, school) -> selectors.Span:
    if params.get("period_id"):
        period = ReportingPeriod.objects.get(pk=params["period_id"], school=school)
        return selectors.Span(period.starts_on, period.ends_on, period)
    return selectors.Span(
        dt.date.fromisoformat(params["starts_on"]), dt.date.fromisoformat(params["ends_on"])
    )


def verification_url(site: str, code: str) -> str:
    return site.rstrip("/") + reverse("extracts:verify", args=[code])


def qr_svg(url: str) -> str:
    """An inline SVG of the QR code (no image to fetch)."""
    return segno.make(url, error="m").svg_inline(scale=2, border=0, omitsize=False)


def _spelled_span(span: selectors.Span) -> str:
    if span.period is not None:
        return span.period.name
    return f"{span.starts_on:%d.%m.%Y}–{span.ends_on:%d.%m.%Y}"


def _extract_documents(generated, students, *, span, as_of, shared):
    """Each student's extract as HTML, one after another (the printing starts on the first
    ones while the next are read): its data read again, its printed copy recorded with a new
    verification code, the progress moved on."""
    now = shared["now"]
    for index, student in enumerate(students, 1):
        data = selectors.student_data(student, span, as_of)
        code = services.new_code()
        ExtractCopy.objects.create(
            school=generated.school,
            generated_file=generated,
            student=student,
            class_group_id=data.frame.class_group_id,
            period=span.period,
            starts_on=span.starts_on,
            ends_on=span.ends_on,
            as_of=as_of,
            code=code,
            digest=data.digest(),
            made_at=now,
        )
        url = verification_url(generated.params.get("site", ""), code)
        section = {"data": data, "code": code, "url": url, "qr": qr_svg(url)}
        html = render_to_string("extracts/print/extract.html", {**shared, "section": section})
        services.file_progress(generated, index)
        yield html


def build_extracts(generated: GeneratedFile) -> tuple[bytes, int, str]:
    """A student's extract, or a class batch: one PDF, a document per student."""
    params = generated.params
    school = generated.school
    span = _span(params, school)
    now = timezone.now()
    as_of = dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else school.today()
    students = {
        s.pk: s
        for s in Student.objects.filter(pk__in=params["student_ids"], school=school).select_related(
            "school"
        )
    }
    ordered = [students[i] for i in params["student_ids"] if i in students]
    class_group = generated.class_group
    shared = {
        "school": school,
        "span_label": _spelled_span(span),
        "made_at": timezone.localtime(now, school.tz),
        "now": now,
    }
    content, pages = _pdf().documents_to_pdf(
        _extract_documents(generated, ordered, span=span, as_of=as_of, shared=shared),
        count=len(ordered),
        duplex=bool(params.get("duplex")),
    )
    if generated.kind == FileKind.CLASS_BATCH and class_group is not None:
        title = _("Extracts %(group)s, %(span)s") % {
            "group": class_group,
            "span": _spelled_span(span),
        }
    else:
        title = _("Extract %(name)s, %(span)s") % {
            "name": ordered[0].full_name if ordered else "",
            "span": _spelled_span(span),
        }
    return content, pages, title


def _tables_pdf(generated: GeneratedFile, title: str, tables) -> tuple[bytes, int, str]:
    html = render_to_string(
        "extracts/print/tables.html",
        {
            "school": generated.school,
            "title": title,
            "tables": tables,
            "made_at": timezone.localtime(timezone.now(), generated.school.tz),
        },
    )
    content, pages = _pdf().html_to_pdf(html)
    return content, pages, title


def summary_tables(class_group) -> list:
    from reports import selectors as reports

    return [tables.summary_sheet_table(reports.summary_sheet(class_group))]


def statistics_tables_of(school, params: dict) -> tuple[ReportingPeriod, list]:
    from reports import selectors as reports

    period = ReportingPeriod.objects.get(pk=params["period_id"], school=school)
    scope = {
        "class_id": params.get("class_id"),
        "subject_id": params.get("subject_id"),
        "teacher_id": params.get("teacher_id"),
    }
    return period, tables.statistics_tables(
        period=period,
        finals=reports.statistics_finals(school=school, period=period, **scope),
        lessons=reports.statistics_lessons(
            school=school, period=period, today=school.today(), **scope
        ),
        work_types=reports.statistics_work_types(school=school, period=period, **scope),
    )


def build_summary_sheet(generated: GeneratedFile) -> tuple[bytes, int, str]:
    class_group = ClassGroup.objects.select_related("year", "class_teacher", "school").get(
        pk=generated.params["class_id"], school=generated.school
    )
    title = _("Summary sheet %(group)s") % {"group": class_group}
    return _tables_pdf(generated, title, summary_tables(class_group))


def build_statistics(generated: GeneratedFile) -> tuple[bytes, int, str]:
    period, found = statistics_tables_of(generated.school, generated.params)
    title = _("Statistics, %(period)s") % {"period": period.name}
    return _tables_pdf(generated, title, found)


def build_consent_form(generated: GeneratedFile) -> tuple[bytes, int, str]:
    from consent import selectors as consent

    links = consent.school_links(generated.requested_by)
    if generated.requested_by.role == "guardian":  # a parent's own form
        links = consent.own_links(generated.requested_by)
    link = links.select_related("guardian", "student", "school").get(pk=generated.params["link_id"])
    html = render_to_string(
        "consent/print/consent_form.html",
        {
            "link": link,
            "school": link.school,
            "guardian": link.guardian,
            "student": link.student,
            "contacts": consent.current_contacts_of(link.guardian_id),
            "refusal": generated.params.get("refusal", False),
        },
    )
    content, pages = _pdf().html_to_pdf(html)
    return content, pages, _("Consent form %(name)s") % {"name": link.guardian.full_name}


def build_pd_export(generated: GeneratedFile) -> tuple[bytes, int, str]:
    from consent import selectors as consent

    pd_request = consent.pd_request_for_admin(
        generated.requested_by, generated.params["pd_request_id"]
    )
    export = consent.pd_export_build(
        guardian_id=pd_request.guardian_id, student_id=pd_request.student_id
    )
    html = render_to_string(
        "consent/print/pd_export.html",
        {
            "export": export,
            "pd_request": pd_request,
        },
    )
    content, pages = _pdf().html_to_pdf(html)
    return content, pages, _("Personal data, request %(number)s") % {"number": pd_request.pk}


BUILDERS = {
    FileKind.STUDENT_EXTRACT: build_extracts,
    FileKind.CLASS_BATCH: build_extracts,
    FileKind.SUMMARY_SHEET: build_summary_sheet,
    FileKind.STATISTICS: build_statistics,
    FileKind.CONSENT_FORM: build_consent_form,
    FileKind.PD_EXPORT: build_pd_export,
}

UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_name(title: str) -> str:
    """A file name from the title: Cyrillic kept, path and control characters gone."""
    name = UNSAFE_IN_NAME.sub(" ", title).strip(" .") or "file"
    return " ".join(name.split())[:150] + ".pdf"


def _pdf():
    """The PDF machinery (WeasyPrint, pypdf), imported when a file is built: the URL conf
    imports this module through the views, and every process that resolves a URL (a digest's
    unsubscribe link, say) would otherwise load WeasyPrint first."""
    from . import pdf

    return pdf
