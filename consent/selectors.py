"""Reads of the consent app. Every read takes the viewer; the school scope is in the query, so
another school's row is simply not found (404)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from school.models import ClassGroup, Enrollment, Guardian, GuardianStudent
from school.rules import children_of

from . import pdexport
from .models import AccessLogEntry, Consent, ContactPoint, Decision, PdRequest, Purpose

PURPOSES = [Purpose.DIARY, Purpose.SMS, Purpose.EMAIL]


def _get_or_404(queryset: QuerySet, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def school_links(viewer) -> QuerySet:
    return GuardianStudent.objects.filter(school_id=viewer.school_id)


def link_for_admin(viewer, link_id: int) -> GuardianStudent:
    return _get_or_404(
        school_links(viewer).select_related("guardian__user", "student", "school"), pk=link_id
    )


def children_links(link: GuardianStudent) -> list[GuardianStudent]:
    """The parent's links to each of their children in the school (this link's child
    first), for recording one decision for several children. One query."""
    links = GuardianStudent.objects.filter(
        school_id=link.school_id, guardian_id=link.guardian_id
    ).select_related("student")
    return sorted(links, key=lambda other: (other.pk != link.pk, other.student.full_name))


def guardian_for_admin(viewer, guardian_id: int) -> Guardian:
    return _get_or_404(
        Guardian.objects.filter(school_id=viewer.school_id).select_related("user", "school"),
        pk=guardian_id,
    )


def consent_for_admin(viewer, consent_id: int) -> Consent:
    return _get_or_404(
        Consent.objects.filter(school_id=viewer.school_id).select_related("guardian", "student"),
        pk=consent_id,
    )


def pd_request_for_admin(viewer, request_id: int) -> PdRequest:
    return _get_or_404(
        PdRequest.objects.filter(school_id=viewer.school_id).select_related(
            "guardian", "student", "school"
        ),
        pk=request_id,
    )


# --- The register ---------------------------------------------------------------------------

FILTERS = ("undecided", "refusals", "withdrawn_this_month")


@dataclass
class RegisterRow:
    link: GuardianStudent
    decisions: dict = field(default_factory=dict)  # purpose -> Consent in force

    @property
    def cells(self) -> list:
        return [self.decisions.get(purpose) for purpose in PURPOSES]


REGISTER_PAGE_SIZE = 100


def _name_matches(links: QuerySet, name: str) -> QuerySet:
    """Each word of `name` in the child's or the parent's last or first name."""
    for word in name.split()[:3]:
        links = links.filter(
            Q(student__last_name__icontains=word)
            | Q(student__first_name__icontains=word)
            | Q(guardian__last_name__icontains=word)
            | Q(guardian__first_name__icontains=word)
        )
    return links


def register_page(
    viewer, *, filter_name: str = "", page_number=1, name: str = "", class_id: int | None = None
):
    """One page of the register: a row per guardian and child, with the decision in force for
    each purpose and the child's class today; searched by the child's or the parent's name,
    the class and the status (`filter_name`).

    Three queries whatever the size: the count, the page of links (the filters as EXISTS
    subqueries, the class as a subquery) and the decisions in force for them."""
    in_force = Consent.objects.active().filter(
        guardian_id=OuterRef("guardian_id"), student_id=OuterRef("student_id")
    )
    today = viewer.school.today()
    enrolled = Enrollment.objects.filter(student_id=OuterRef("student_id")).on_day(today)
    links = _name_matches(school_links(viewer).select_related("guardian", "student"), name)
    if class_id is not None:
        links = links.filter(Exists(enrolled.filter(class_group_id=class_id)))
    latest = enrolled.order_by("-joined_on", "-pk")
    links = links.annotate(
        class_level=Subquery(latest.values("class_group__level")[:1]),
        class_letter=Subquery(latest.values("class_group__letter")[:1]),
    )
    if filter_name == "undecided":
        links = links.exclude(Exists(in_force))
    elif filter_name == "refusals":
        links = links.filter(Exists(in_force.filter(decision=Decision.REFUSAL)))
    elif filter_name == "withdrawn_this_month":
        links = links.filter(
            Exists(
                Consent.objects.filter(
                    guardian_id=OuterRef("guardian_id"),
                    student_id=OuterRef("student_id"),
                    withdrawn_on__gte=today.replace(day=1),
                    withdrawn_on__lte=today,
                )
            )
        )
    links = links.order_by("student__last_name", "student__first_name", "guardian__last_name", "pk")
    page = Paginator(links, REGISTER_PAGE_SIZE).get_page(page_number)
    links = list(page.object_list)
    decisions = defaultdict(dict)
    for consent in Consent.objects.active().filter(
        school_id=viewer.school_id,
        guardian_id__in={link.guardian_id for link in links},
        student_id__in={link.student_id for link in links},
    ):
        decisions[(consent.guardian_id, consent.student_id)][consent.purpose] = consent
    rows = [
        RegisterRow(link=link, decisions=decisions[(link.guardian_id, link.student_id)])
        for link in links
    ]
    return page, rows


def register_classes(viewer) -> list[ClassGroup]:
    """The classes of the school this academic year, for the register's class filter."""
    today = viewer.school.today()
    return list(
        ClassGroup.objects.filter(
            school_id=viewer.school_id, year__starts_on__lte=today, year__ends_on__gte=today
        ).order_by("level", "letter")
    )


def link_search(viewer, name: str, *, limit: int = 20) -> list[GuardianStudent]:
    """Parents and children of the school whose names contain every word of `name`, to pick
    one from (a form's search instead of a list of every pair): at most `limit`, one query."""
    if not name.strip():
        return []
    links = _name_matches(school_links(viewer).select_related("guardian", "student"), name)
    return list(links.order_by("guardian__last_name", "student__last_name", "pk")[:limit])


def consent_history(link: GuardianStudent) -> QuerySet:
    return Consent.objects.filter(
        guardian_id=link.guardian_id, student_id=link.student_id
    ).select_related("recorded_by", "withdrawn_recorded_by")


def contacts_of(guardian_id: int) -> QuerySet:
    """Current and replaced contacts, newest first within each kind."""
    return ContactPoint.objects.filter(guardian_id=guardian_id).select_related("recorded_by")


def current_contacts_of(guardian_id: int) -> list[ContactPoint]:
    return list(ContactPoint.objects.current().filter(guardian_id=guardian_id))


def paper_list(viewer) -> list[GuardianStudent]:
    """Families who get paper extracts: no consent to the web diary in force for this guardian
    and child (regulation 2.2). One query."""
    diary = Consent.objects.granted(Purpose.DIARY).filter(
        guardian_id=OuterRef("guardian_id"), student_id=OuterRef("student_id")
    )
    return list(
        school_links(viewer)
        .exclude(Exists(diary))
        .select_related("guardian", "student")
        .order_by("student__last_name", "student__first_name")
    )


def pd_requests(viewer) -> QuerySet:
    return PdRequest.objects.filter(school_id=viewer.school_id).select_related(
        "guardian", "student", "registered_by"
    )


# --- The guardian's own pages ---------------------------------------------------------------


def own_contacts(viewer) -> QuerySet:
    return ContactPoint.objects.current().filter(guardian__user=viewer)


def own_consents(viewer) -> QuerySet:
    """The decisions recorded for the viewer (a guardian) about their children, with history."""
    return (
        Consent.objects.filter(guardian__user=viewer)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "purpose", "-decided_on", "-id")
    )


def access_log_for_family(viewer) -> QuerySet:
    """Who at the school looked at the records of the viewer's children, newest first (the
    page pages it)."""
    return (
        AccessLogEntry.objects.filter(student__guardian_links__guardian__user=viewer)
        .select_related("viewer", "student")
        .order_by("-viewed_at", "-id")
    )


# --- Personal-data export -------------------------------------------------------------------


def pd_export_build(*, guardian_id: int, student_id: int) -> pdexport.PdExport:
    """Everything held about this guardian and this child, grouped by purpose, as the family
    reads it (consent.pdexport), and nothing about anyone else."""
    return pdexport.build(guardian_id=guardian_id, student_id=student_id)


def pd_export_json(export: pdexport.PdExport) -> str:
    return pdexport.as_json(export)


def guardians_with_children(viewer) -> QuerySet:
    return (
        Guardian.objects.filter(school_id=viewer.school_id)
        .select_related("user")
        .prefetch_related(
            Prefetch("links", queryset=GuardianStudent.objects.select_related("student"))
        )
    )


@dataclass
class DiaryDecision:
    """One guardian's diary decision about a child, as the no-consent page says it."""

    guardian: Guardian
    is_viewer: bool
    state: str  # "consent", "refusal", "withdrawn" or "none"
    on: dt.date | None = None


def diary_decisions(viewer, student_id: int) -> list[DiaryDecision]:
    """For a child of the viewer (school.rules.children_of): each linked guardian's latest
    diary decision, the viewer's own first. Two queries."""
    links = list(
        GuardianStudent.objects.filter(student__in=children_of(viewer), student_id=student_id)
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name", "pk")
    )
    latest: dict[int, Consent] = {}
    for consent in Consent.objects.filter(
        student_id=student_id,
        guardian_id__in=[link.guardian_id for link in links],
        purpose=Purpose.DIARY,
    ).order_by("decided_on", "pk"):
        latest[consent.guardian_id] = consent
    rows = []
    for link in links:
        consent = latest.get(link.guardian_id)
        if consent is None:
            state, on = "none", None
        elif consent.withdrawn_on:
            state, on = "withdrawn", consent.withdrawn_on
        else:
            state, on = consent.decision, consent.decided_on
        rows.append(DiaryDecision(link.guardian, link.guardian.user_id == viewer.pk, state, on))
    rows.sort(key=lambda row: not row.is_viewer)
    return rows


def own_links(viewer) -> QuerySet:
    """The viewer's own links to their children (a parent's)."""
    return GuardianStudent.objects.filter(guardian__user=viewer, student__in=children_of(viewer))


def own_link(viewer, student_id: int) -> GuardianStudent:
    """The viewer's own link to this child (a parent's), or Http404."""
    return _get_or_404(
        GuardianStudent.objects.select_related("guardian", "student", "school").filter(
            guardian__user=viewer, student__in=children_of(viewer)
        ),
        student_id=student_id,
    )
