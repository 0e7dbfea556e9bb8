"""The registry of models that hold personal data (in the spirit of Moodle's privacy API).

Every model with a foreign key to a Student, a Guardian or a User is either registered here,
saying how to find its rows about one guardian and one child, what to leave out of an export
and what happens to it after consent is withdrawn, or exempted with the reason why it holds no
family's personal data. `tests/consent/test_pdregistry.py` walks every installed model and
fails, naming the model, when one is neither: a new personal-data model cannot slip past the
export (`pd_export_build`) and the destruction command.

To cover a new model, add one line to `_BUILTIN` below (or call `register`/`exempt` from the
owning app's `AppConfig.ready`), for example::

    register("diary.Acknowledgement", student="student", guardian="guardian",
             retention=Retention.RECORD)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _


class Retention(StrEnum):
    # Journal records rest on education law: never destroyed when consent is withdrawn.
    EDUCATION_LAW = "education_law"
    # Exists only because of consent (contacts, messages): destroyed 30 days after the last electronic
    # consent is withdrawn, by `manage.py destroy_withdrawn_data`.
    CONSENT_BASED = "consent_based"
    # Evidence the operator keeps (consent decisions, requests, logs, sent messages).
    RECORD = "record"


# What each retention means for the family, as the export says it.
RETENTION_TEXT = {
    Retention.EDUCATION_LAW: _(
        "Kept as education law requires; withdrawing consent does not delete it"
    ),
    Retention.CONSENT_BASED: _(
        "Destroyed 30 days after the last consent to electronic delivery is withdrawn"
    ),
    Retention.RECORD: _("Kept as the school's record for the term its record-keeping rules set"),
}


class PdPurpose(StrEnum):
    """Why the school holds a model's rows: the export groups what it holds by purpose and
    names the legal basis of each (152-FZ art. 14 part 7)."""

    EDUCATION = "education"
    FAMILY = "family"
    DIARY = "diary"
    MESSAGES = "messages"
    PAPER = "paper"
    RECORDS = "records"


@dataclass(frozen=True)
class PurposeText:
    title: str
    legal_basis: str


PURPOSES = {
    PdPurpose.EDUCATION: PurposeText(
        _("Keeping the class journal and the pupil's results"),
        _(
            "Federal Law No. 273-FZ «On Education in the Russian Federation», art. 28 part 3 "
            "item 11; Federal Law No. 152-FZ «On Personal Data», art. 6 part 1 item 2"
        ),
    ),
    PdPurpose.FAMILY: PurposeText(
        _("The pupil's parents (legal representatives) and their accounts"),
        _(
            "Federal Law No. 273-FZ «On Education in the Russian Federation», art. 44; "
            "Federal Law No. 152-FZ «On Personal Data», art. 6 part 1 item 2"
        ),
    ),
    PdPurpose.DIARY: PurposeText(
        _("The electronic diary for the family"),
        _(
            "The parent's consent: Federal Law No. 152-FZ «On Personal Data», art. 6 part 1 "
            "item 1 and art. 9; the school's regulation on the electronic diary, 2.1"
        ),
    ),
    PdPurpose.MESSAGES: PurposeText(
        _("SMS and e-mail to the family"),
        _(
            "The parent's consent: Federal Law No. 152-FZ «On Personal Data», art. 6 part 1 "
            "item 1 and art. 9; the school's regulation on the electronic diary, 1.6 and 2.7"
        ),
    ),
    PdPurpose.PAPER: PurposeText(
        _("Paper extracts for families without electronic access"),
        _(
            "The school's regulation on the electronic diary, 2.2; Federal Law No. 273-FZ "
            "«On Education in the Russian Federation», art. 28 part 3 item 11"
        ),
    ),
    PdPurpose.RECORDS: PurposeText(
        _("Records of consent, requests and access to the data"),
        _(
            "Federal Law No. 152-FZ «On Personal Data»: art. 9 part 3 (the operator proves the "
            "consent), art. 14 and 20 (the requests of the subject), art. 18.1 and 19 (the "
            "measures that protect the data)"
        ),
    ),
}

DEFAULT_PURPOSE = {
    Retention.EDUCATION_LAW: PdPurpose.EDUCATION,
    Retention.CONSENT_BASED: PdPurpose.MESSAGES,
    Retention.RECORD: PdPurpose.RECORDS,
}


@dataclass(frozen=True)
class PdEntry:
    label: str  # "app_label.ModelName"
    student: str | None  # lookup path from the model to the Student's pk
    guardian: str | None  # lookup path from the model to the Guardian's pk
    retention: Retention
    match: str = "all"  # "all": every given path must match; "any": one is enough
    exclude: tuple[str, ...] = field(default=())
    purpose: PdPurpose = PdPurpose.RECORDS

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)

    def rows(self, *, guardian_id: int, student_id: int) -> QuerySet:
        """The rows about this guardian and this child, and about nobody else."""
        conditions = []
        if self.student:
            conditions.append(Q(**{self.student: student_id}))
        if self.guardian:
            conditions.append(Q(**{self.guardian: guardian_id}))
        combined = conditions[0]
        for condition in conditions[1:]:
            combined = (combined | condition) if self.match == "any" else (combined & condition)
        return self.model._default_manager.filter(combined).distinct()

    def rows_of_guardian(self, guardian_id: int) -> QuerySet:
        return self.model._default_manager.filter(**{self.guardian: guardian_id})

    def export_fields(self) -> list[str]:
        return [
            f.attname
            for f in self.model._meta.concrete_fields
            if f.name not in self.exclude and f.attname not in self.exclude
        ]


_entries: dict[str, PdEntry] = {}
_exempt: dict[str, str] = {}


def register(
    label: str,
    *,
    retention: Retention,
    student: str | None = None,
    guardian: str | None = None,
    match: str = "all",
    exclude: tuple[str, ...] = (),
    purpose: PdPurpose | None = None,
) -> None:
    if not (student or guardian):
        raise ValueError(f"{label}: give the path to the student, the guardian or both")
    if retention is Retention.CONSENT_BASED and not guardian:
        raise ValueError(f"{label}: consent-based data must be found by guardian to destroy it")
    purpose = purpose or DEFAULT_PURPOSE[retention]
    _entries[label] = PdEntry(label, student, guardian, retention, match, tuple(exclude), purpose)


def exempt(label: str, *, reason: str) -> None:
    """The model references a user, student or guardian but holds no family's personal data
    (staff authorship, school structure); say why."""
    _exempt[label] = reason


def entries() -> list[PdEntry]:
    return list(_entries.values())


def entry_for(label: str) -> PdEntry | None:
    return _entries.get(label)


def exemption_for(label: str) -> str | None:
    return _exempt.get(label)


def consent_based_entries() -> list[PdEntry]:
    return [e for e in _entries.values() if e.retention is Retention.CONSENT_BASED]


# --- The project's models ---------------------------------------------------------------------

_STAFF = "references staff accounts only (authorship, closing); holds no family's data"

_BUILTIN: list[tuple[str, dict]] = [
    # accounts
    (
        "accounts.User",
        {
            "guardian": "guardian",
            "student": "student",
            "match": "any",
            "purpose": PdPurpose.FAMILY,
            "retention": Retention.RECORD,
            "exclude": ("password",),
        },
    ),
    # school: people and links
    (
        "school.Guardian",
        {"guardian": "pk", "purpose": PdPurpose.FAMILY, "retention": Retention.RECORD},
    ),
    ("school.Student", {"student": "pk", "retention": Retention.EDUCATION_LAW}),
    (
        "school.GuardianStudent",
        {
            "guardian": "guardian",
            "student": "student",
            "purpose": PdPurpose.FAMILY,
            "retention": Retention.RECORD,
        },
    ),
    ("school.Enrollment", {"student": "student", "retention": Retention.EDUCATION_LAW}),
    ("school.StudyGroupMembership", {"student": "student", "retention": Retention.EDUCATION_LAW}),
    # journal: what teachers record about a student
    ("journal.Mark", {"student": "student", "retention": Retention.EDUCATION_LAW}),
    ("journal.Attendance", {"student": "student", "retention": Retention.EDUCATION_LAW}),
    ("journal.Remark", {"student": "student", "retention": Retention.EDUCATION_LAW}),
    ("journal.FinalMark", {"student": "student", "retention": Retention.EDUCATION_LAW}),
    ("journal.MarkChange", {"student": "student", "retention": Retention.EDUCATION_LAW}),
    # consent
    (
        "consent.Consent",
        {"guardian": "guardian", "student": "student", "retention": Retention.RECORD},
    ),
    (
        "consent.ContactPoint",
        {
            "guardian": "guardian",
            "purpose": PdPurpose.MESSAGES,
            "retention": Retention.CONSENT_BASED,
        },
    ),
    (
        "consent.ActivationCode",
        {
            "guardian": "guardian",
            "purpose": PdPurpose.FAMILY,
            "retention": Retention.RECORD,
            "exclude": ("code_hash",),
        },
    ),
    (
        "consent.PdRequest",
        {"guardian": "guardian", "student": "student", "retention": Retention.RECORD},
    ),
    ("consent.Destruction", {"guardian": "guardian", "retention": Retention.RECORD}),
    ("consent.AccessLogEntry", {"student": "student", "retention": Retention.RECORD}),
    # diary: what a family itself records
    (
        "diary.WeekAcknowledgement",
        {
            "guardian": "guardian",
            "student": "student",
            "purpose": PdPurpose.DIARY,
            "retention": Retention.RECORD,
        },
    ),
    # A feed exists only because of the diary consent; its secret never leaves the database.
    (
        "diary.CalendarFeed",
        {
            "guardian": "user__guardian",
            "student": "student",
            "match": "all",
            "purpose": PdPurpose.DIARY,
            "retention": Retention.CONSENT_BASED,
            "exclude": ("token_hash",),
        },
    ),
    # A printed extract of a student and whom it was handed to: evidence of paper delivery
    # (regulation 2.2), kept like the other records of what the school gave the family.
    (
        "extracts.ExtractCopy",
        {"student": "student", "purpose": PdPurpose.PAPER, "retention": Retention.RECORD},
    ),
    # When a parent last opened the home page for a child: kept only for the diary's news.
    (
        "diary.HomeVisit",
        {
            "guardian": "guardian",
            "student": "student",
            "match": "all",
            "purpose": PdPurpose.DIARY,
            "retention": Retention.CONSENT_BASED,
        },
    ),
    # notifications: messages exist only because of consent to SMS/e-mail and hold the
    # contact they went to, so they go with the contacts.
    (
        "notifications.OutboxMessage",
        {"guardian": "guardian", "student": "student", "retention": Retention.CONSENT_BASED},
    ),
    # A parent's choices of what to receive, a contact the provider refused, and a message
    # that reached the family on paper only: they exist because of the consent to SMS/e-mail.
    (
        "notifications.Preference",
        {"guardian": "guardian", "student": "student", "retention": Retention.CONSENT_BASED},
    ),
    (
        "notifications.FlaggedContact",
        {"guardian": "guardian", "retention": Retention.CONSENT_BASED},
    ),
    (
        "notifications.PaperNotice",
        {"guardian": "guardian", "student": "student", "retention": Retention.CONSENT_BASED},
    ),
]

_BUILTIN_EXEMPT: list[tuple[str, str]] = [
    ("admin.LogEntry", "Django admin's change log of staff actions; " + _STAFF),
    ("school.Teacher", "a staff profile; a family's request does not cover staff"),
    ("school.ReportingPeriod", _STAFF),
    ("journal.Homework", "homework is set for a class, not a student; " + _STAFF),
    ("reports.DeferralReminder", "a reminder sent to the teacher about a deferral; " + _STAFF),
    (
        "otp_totp.TOTPDevice",
        "a staff member's second sign-in factor (families have none); " + _STAFF,
    ),
    ("accounts.RecoveryCodeDevice", "a staff member's recovery codes (hashes only); " + _STAFF),
    ("journal.PeriodClosing", "who closed a reporting period and why; " + _STAFF),
    (
        "extracts.GeneratedFile",
        "a file someone asked the school to build (its requester; the file expires in a week and "
        "a student's extract is listed by its printed copy, extracts.ExtractCopy)",
    ),
    (
        "api.ApiClient",
        "an outside system's OAuth client of the school and the account it acts as; " + _STAFF,
    ),
    *(
        (
            f"oauth2_provider.{model}",
            "OAuth credentials of the school's exchange clients (their service accounts, never a "
            "family's); " + _STAFF,
        )
        for model in (
            "Application",
            "Grant",
            "AccessToken",
            "RefreshToken",
            "IDToken",
            "DeviceGrant",
        )
    ),
    (
        "accounts.SecurityEvent",
        "the append-only security log (sign-ins, refusals, changes) kept to protect the data "
        "(152-FZ art. 19), not on consent; the director reads it",
    ),
]

for _label, _options in _BUILTIN:
    register(_label, **_options)
for _label, _reason in _BUILTIN_EXEMPT:
    exempt(_label, reason=_reason)
