"""Writes of the consent app. Keyword-only, each owns its transaction and validates first."""

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import STAFF_ROLES, Role, SecurityEventKind, User
from accounts.security import security_event_record
from accounts.sessions import sessions_end_for
from school.models import Guardian, GuardianStudent, Student

from . import events, pdregistry
from .dates import add_working_days
from .models import (
    AccessLogEntry,
    ActivationCode,
    Consent,
    ContactPoint,
    ContactSource,
    Decision,
    Destruction,
    PdRequest,
    Purpose,
)
from .validators import normalise_contact

logger = logging.getLogger(__name__)

PD_REQUEST_WORKING_DAYS = 10
DESTRUCTION_DAYS = 30
ACTIVATION_DAYS = 14
# What a scan may be, told by its first bytes (never by its name): the stored file gets the
# extension of what it is, so it is served with the right type.
SCAN_TYPES = [
    (b"%PDF-", ".pdf"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
]


def _same_school(user, *objects) -> None:
    """Ids from a form are never trusted: every object must belong to the actor's school."""
    for obj in objects:
        if obj.school_id != user.school_id:
            raise ValidationError(_("This record belongs to another school."))


def scan_validate(document) -> str:
    """A scan is a PDF, JPEG or PNG no larger than UPLOAD_MAX_BYTES, judged by its content
    whatever its name says. Returns the extension of what it really is."""
    if document.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "document": _("The scan is too large: at most %(mb)s MB.")
                % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
            }
        )
    document.seek(0)
    head = document.read(8)
    document.seek(0)
    for magic, extension in SCAN_TYPES:
        if head.startswith(magic):
            return extension
    raise ValidationError({"document": _("The scan must be a PDF, JPEG or PNG file.")})


# --- Consent --------------------------------------------------------------------------------


def consent_record(
    *,
    recorded_by: User,
    guardian: Guardian,
    student: Student,
    purpose: str,
    decision: str,
    form: str,
    decided_on: dt.date,
    document_ref: str = "",
    document=None,
) -> Consent:
    """Record a guardian's decision for one child and purpose. A new decision is a new row."""
    _same_school(recorded_by, guardian, student)
    if not GuardianStudent.objects.filter(guardian=guardian, student=student).exists():
        raise ValidationError(_("This parent is not linked to this student."))
    if decided_on > recorded_by.school.today():
        raise ValidationError(
            {"decided_on": _("The date of the decision cannot be in the future.")}
        )
    extension = scan_validate(document) if document else ""
    consent = Consent(
        school_id=guardian.school_id,
        guardian=guardian,
        student=student,
        purpose=purpose,
        decision=decision,
        form=form,
        decided_on=decided_on,
        document_ref=document_ref.strip(),
        recorded_by=recorded_by,
    )
    consent.full_clean(exclude=["document", "recorded_by"])
    try:
        with transaction.atomic():
            if document:
                consent.document.save(f"scan{extension}", document, save=False)
            consent.save()
            security_event_record(
                kind=SecurityEventKind.CONSENT_CHANGED,
                actor=recorded_by,
                school_id=consent.school_id,
                detail=f"recorded #{consent.pk}: {consent.purpose} {consent.decision}, "
                f"parent #{consent.guardian_id}, student #{consent.student_id}",
            )
    except IntegrityError:
        # A double submit raced past full_clean: the partial unique index refused the second.
        raise ValidationError(
            _(
                "There is already a decision in force for this parent, child and purpose; "
                "record its withdrawal first."
            )
        ) from None
    return consent


def consent_record_for_children(
    *,
    recorded_by: User,
    guardian: Guardian,
    students: list[Student],
    document=None,
    **decision,
) -> list[Consent]:
    """One decision of a guardian recorded for several of their children at once (a parent of
    two signs one paper for both): a row per child, all in one transaction or none. An error
    about one child names the child; the scan is stored with each row."""
    if not students:
        raise ValidationError({"children": _("Tick at least one child.")})
    rows = []
    with transaction.atomic():
        for student in students:
            if document:
                document.seek(0)
            try:
                rows.append(
                    consent_record(
                        recorded_by=recorded_by,
                        guardian=guardian,
                        student=student,
                        document=document,
                        **decision,
                    )
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    raise
                raise ValidationError(
                    [f"{student.full_name}: {message}" for message in error.messages]
                ) from None
    return rows


def consent_withdraw(
    *,
    recorded_by: User,
    consent: Consent,
    withdrawn_on: dt.date,
    reason: str = "",
    document_ref: str = "",
) -> Consent:
    """Record the withdrawal of a decision in force, with the reason and the reference of the
    paper application it rests on. The row stays; `withdrawn_on` is set once.

    Announces `consent_withdrawn` in the same transaction, so queued messages are cancelled."""
    _same_school(recorded_by, consent)
    if withdrawn_on < consent.decided_on:
        raise ValidationError({"withdrawn_on": _("Withdrawal cannot precede the decision.")})
    if withdrawn_on > recorded_by.school.today():
        raise ValidationError(
            {"withdrawn_on": _("The date of withdrawal cannot be in the future.")}
        )
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, withdrawn_on__isnull=True).update(
            withdrawn_on=withdrawn_on,
            withdrawn_recorded_by=recorded_by,
            withdrawal_reason=reason.strip(),
            withdrawal_document_ref=document_ref.strip(),
        )
        if not updated:
            raise ValidationError(_("This decision has already been withdrawn."))
        consent.withdrawn_on = withdrawn_on
        consent.withdrawn_recorded_by = recorded_by
        consent.withdrawal_reason = reason.strip()
        consent.withdrawal_document_ref = document_ref.strip()
        security_event_record(
            kind=SecurityEventKind.CONSENT_CHANGED,
            actor=recorded_by,
            school_id=consent.school_id,
            detail=f"withdrawn #{consent.pk}: {consent.purpose} on {withdrawn_on.isoformat()}, "
            f"parent #{consent.guardian_id}, student #{consent.student_id}",
        )
        if consent.decision == Decision.CONSENT:
            events.consent_withdrawn.send(
                sender=Consent,
                school_id=consent.school_id,
                guardian_id=consent.guardian_id,
                student_id=consent.student_id,
                purpose=consent.purpose,
            )
    return consent


# --- Contacts -------------------------------------------------------------------------------


def contact_set(
    *,
    recorded_by: User,
    guardian: Guardian,
    kind: str,
    value: str,
    source: str,
    document_ref: str = "",
    verified: bool = False,
) -> ContactPoint:
    """Set a guardian's current phone or e-mail, keeping the replaced one with its provenance.

    Setting the same value again changes nothing."""
    _same_school(recorded_by, guardian)
    try:
        normalised = normalise_contact(kind, value)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from None
    if source == ContactSource.ACCOUNT and getattr(recorded_by, "guardian", None) != guardian:
        raise ValidationError(_("Only the parent can enter contacts in their own account."))
    with transaction.atomic():
        current = (
            ContactPoint.objects.select_for_update()
            .filter(guardian=guardian, kind=kind)
            .current()
            .first()
        )
        if current is not None and current.value == normalised:
            return current
        if current is not None:
            current.replaced_at = timezone.now()
            current.save(update_fields=["replaced_at"])
        try:
            with transaction.atomic():
                return ContactPoint.objects.create(
                    school_id=guardian.school_id,
                    guardian=guardian,
                    kind=kind,
                    value=normalised,
                    source=source,
                    document_ref=document_ref.strip(),
                    recorded_by=recorded_by,
                    verified=verified,
                )
        except IntegrityError:
            # Two first contacts of one kind at once: the partial unique index kept one.
            raise ValidationError(
                {"value": _("The contact was changed at the same time; try again.")}
            ) from None


# --- Accounts -------------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


def activation_code_key(code: str) -> str:
    """What counts attempts at one code (its hash: the code itself is never kept)."""
    return _code_hash(code)


def _new_code() -> str:
    # 12 characters from 31 unambiguous ones: about 59 bits, enough for a code that expires.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def account_issue(*, issued_by: User, guardian: Guardian) -> tuple[ActivationCode, str]:
    """Issue (or re-issue) a guardian's account: create the user if there is none and return a
    one-time activation code. Earlier unused codes stop working. Only the hash is stored."""
    _same_school(issued_by, guardian)
    now = timezone.now()
    with transaction.atomic():
        guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
        if guardian.user_id is None:
            user = User(
                username=f"parent-{guardian.school_id}-{guardian.pk}",
                school_id=guardian.school_id,
                role=Role.GUARDIAN,
                first_name=guardian.first_name,
                last_name=guardian.last_name,
                patronymic=guardian.patronymic,
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            guardian.user = user
            guardian.save(update_fields=["user"])
        ActivationCode.objects.filter(
            guardian=guardian, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        code = _new_code()
        activation = ActivationCode.objects.create(
            school_id=guardian.school_id,
            guardian=guardian,  # the locked row, with its user
            code_hash=_code_hash(code),
            issued_by=issued_by,
            expires_at=now + dt.timedelta(days=ACTIVATION_DAYS),
        )
    return activation, code


def account_activate(*, code: str, password1: str, password2: str) -> User:
    """The guardian sets a password with the one-time code. The code works once, until it
    expires; the password must pass Django's validators."""
    invalid = ValidationError({"code": _("The code is wrong, expired or already used.")})
    with transaction.atomic():
        activation = (
            ActivationCode.objects.select_for_update(of=("self",))
            .select_related("guardian__user")
            .filter(code_hash=_code_hash(code or ""), used_at__isnull=True)
            .filter(expires_at__gt=timezone.now())
            .first()
        )
        if activation is None or activation.guardian.user is None:
            raise invalid
        user = activation.guardian.user
        if password1 != password2:
            raise ValidationError({"password2": _("The two passwords do not match.")})
        try:
            password_validation.validate_password(password1, user)
        except ValidationError as error:
            raise ValidationError({"password1": error.messages}) from None
        user.set_password(password1)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        activation.used_at = timezone.now()
        activation.save(update_fields=["used_at"])
    return user


def account_disable(*, disabled_by: User, guardian: Guardian) -> None:
    """Disable a guardian's account: access and sessions end at once; activation codes not
    yet used stop working (only a newly issued one re-enables the account); queued messages to
    them are cancelled (announced as `guardian_access_ended`)."""
    _same_school(disabled_by, guardian)
    now = timezone.now()
    with transaction.atomic():
        ActivationCode.objects.filter(
            guardian=guardian, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        if guardian.user_id:
            User.objects.filter(pk=guardian.user_id).update(is_active=False)
            sessions_end_for(guardian.user_id)
        events.guardian_access_ended.send(
            sender=Guardian, school_id=guardian.school_id, guardian_id=guardian.pk, student_id=None
        )


def guardian_link_remove(*, removed_by: User, link: GuardianStudent) -> None:
    """Remove a guardian's link to a child: the child's records close to them at once, their
    sessions end, queued messages about the child to them are cancelled."""
    _same_school(removed_by, link)
    with transaction.atomic():
        guardian = link.guardian
        GuardianStudent.objects.filter(pk=link.pk).delete()
        if guardian.user_id:
            sessions_end_for(guardian.user_id)
        events.guardian_access_ended.send(
            sender=GuardianStudent,
            school_id=link.school_id,
            guardian_id=link.guardian_id,
            student_id=link.student_id,
        )


# --- Personal-data requests and destruction -------------------------------------------------


def pd_request_register(
    *,
    registered_by: User,
    guardian: Guardian,
    student: Student,
    received_on: dt.date,
    document_ref: str = "",
) -> PdRequest:
    """Register a guardian's request for their and their child's data; due in 10 working days."""
    _same_school(registered_by, guardian, student)
    if not GuardianStudent.objects.filter(guardian=guardian, student=student).exists():
        raise ValidationError(_("This parent is not linked to this student."))
    if received_on > registered_by.school.today():
        raise ValidationError({"received_on": _("The date of receipt cannot be in the future.")})
    with transaction.atomic():
        return PdRequest.objects.create(
            school_id=guardian.school_id,
            guardian=guardian,
            student=student,
            received_on=received_on,
            due_on=add_working_days(received_on, PD_REQUEST_WORKING_DAYS),
            document_ref=document_ref.strip(),
            registered_by=registered_by,
        )


def pd_request_answer(*, answered_by: User, request: PdRequest) -> PdRequest:
    """Mark the request answered today (the export was handed over). Only the first time counts."""
    _same_school(answered_by, request)
    today = answered_by.school.today()
    with transaction.atomic():
        PdRequest.objects.filter(pk=request.pk, answered_on__isnull=True).update(answered_on=today)
    request.refresh_from_db(fields=["answered_on"])
    return request


ELECTRONIC_PURPOSES = [Purpose.DIARY, Purpose.SMS, Purpose.EMAIL]


def guardians_due_for_destruction(*, school_id: int, today: dt.date):
    """Guardians with no electronic consent in force whose last consent was withdrawn at least
    30 days ago."""
    cutoff = today - dt.timedelta(days=DESTRUCTION_DAYS)
    in_force = Consent.objects.granted_any()
    return (
        Guardian.objects.filter(school_id=school_id)
        .exclude(pk__in=in_force.values("guardian_id"))
        .annotate(
            last_withdrawn=Max(
                "consents__withdrawn_on",
                filter=Q(consents__decision=Decision.CONSENT),
            )
        )
        .filter(last_withdrawn__lte=cutoff)
    )


def consent_based_data_destroy(*, school_id: int, today: dt.date) -> list[Destruction]:
    """Destroy consent-based data (registry entries marked CONSENT_BASED: contacts, messages) of the
    guardians due, with a Destruction row per model and guardian. Running it again finds
    nothing left and records nothing."""
    records = []
    for guardian in guardians_due_for_destruction(school_id=school_id, today=today):
        with transaction.atomic():
            for entry in pdregistry.consent_based_entries():
                deleted, _per_model = entry.rows_of_guardian(guardian.pk).delete()
                if deleted:
                    records.append(
                        Destruction.objects.create(
                            school_id=guardian.school_id,
                            guardian=guardian,
                            guardian_name=guardian.full_name,
                            model_label=entry.label,
                            rows=deleted,
                            reason=_("Consent withdrawn on %(date)s; destroyed after 30 days.")
                            % {"date": guardian.last_withdrawn.strftime("%d.%m.%Y")},
                        )
                    )
    return records


# --- Access log -----------------------------------------------------------------------------


def access_log_record(viewer, student, what: str) -> AccessLogEntry | None:
    """Log that a member of staff viewed a student's personal data. Staff views call this after
    they fetched the student through their selector; family members are not logged (it is
    their own data). `student` is a Student or its id; `what` says which records."""
    if not (viewer.is_authenticated and viewer.role in STAFF_ROLES):
        return None
    student_id = getattr(student, "pk", student)
    school_id = getattr(student, "school_id", None) or viewer.school_id
    entry = AccessLogEntry(
        school_id=school_id,
        viewer=viewer,
        student_id=student_id,
        student_ref=student_id,
        what=str(what)[:200],
    )
    _insert_ignoring_duplicates([entry])  # once a day: see the model's constraint
    return entry


def access_log_record_many(viewer, students, what: str) -> int:
    """Log one view of many students' data at once (a class journal, a summary sheet): one
    INSERT whatever the class size. A view already logged today for the same viewer, student
    and record is not logged again (the unique constraint, conflicts ignored). Returns how many
    students the view concerned."""
    if not (viewer.is_authenticated and viewer.role in STAFF_ROLES):
        return 0
    students = list(students)
    what = str(what)[:200]
    # The same view already logged today (a teacher reloading a journal): its INSERT would
    # change nothing, so it is not sent. The cache only remembers what was committed, and
    # forgets it with the day; without it, the unique constraint still keeps one row a day.
    day = timezone.localdate()
    seen = hashlib.blake2b(
        repr((what, sorted(getattr(s, "pk", s) for s in students))).encode(), digest_size=12
    ).hexdigest()
    key = f"consent:access-logged:v1:{viewer.pk}:{day.isoformat()}:{seen}"
    if _cache_call(cache.get, key):
        return len(students)
    rows = [
        AccessLogEntry(
            school_id=getattr(s, "school_id", None) or viewer.school_id,
            viewer=viewer,
            student_id=getattr(s, "pk", s),
            student_ref=getattr(s, "pk", s),
            what=what,
            viewed_on=day,
        )
        for s in students
    ]
    _insert_ignoring_duplicates(rows)
    transaction.on_commit(lambda: _cache_call(cache.set, key, 1, ACCESS_LOGGED_SECONDS))
    return len(rows)


# How long a logged view is remembered (the key holds the day, so it cannot outlive it).
ACCESS_LOGGED_SECONDS = 24 * 60 * 60


def _cache_call(method, *args):
    """The cache only saves the log a statement: with the cache down, the view is logged by
    its INSERT as before, never refused."""
    try:
        return method(*args)
    except Exception:  # noqa: BLE001 -- any cache failure (Redis down) means "not remembered"
        logger.warning("access log: the cache did not answer", exc_info=True)
        return None


def _insert_ignoring_duplicates(rows: list[AccessLogEntry]) -> None:
    """One INSERT … ON CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite) of access-log rows.

    This is what bulk_create(ignore_conflicts=True) runs, without the transaction it wraps
    around it: a single statement is atomic by itself, and the log is written on every staff
    page, where BEGIN and COMMIT would be two more round trips."""
    if not rows:
        return
    fields = [f for f in AccessLogEntry._meta.concrete_fields if not f.primary_key]
    AccessLogEntry.objects._insert(rows, fields=fields, on_conflict=OnConflict.IGNORE)  # noqa: SLF001
