"""Writes of the extracts app: requesting a file, building it (the worker), removing expired
files, recording that a paper extract was handed over."""

import datetime as dt
import logging
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FILE_LIFETIME, ExtractCopy, FileKind, FileStatus, GeneratedFile

logger = logging.getLogger(__name__)

# A build still "building" after this long lost its worker (the hard time limit is 11
# minutes): another run may claim it again.
STALE_BUILD = dt.timedelta(minutes=12)

# Codes are read off paper and typed: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def file_request(
    *,
    requested_by,
    kind: str,
    title: str,
    params: dict,
    class_group=None,
    total: int = 0,
) -> GeneratedFile:
    """A file row in `requested`, and its build handed to the `pdf` queue after commit."""
    if kind not in FileKind.values:
        raise ValidationError(_("Unknown kind of file."))
    with transaction.atomic():
        generated = GeneratedFile.objects.create(
            school_id=requested_by.school_id,
            kind=kind,
            requested_by=requested_by,
            title=title[:300],
            params=params,
            class_group=class_group,
            expires_at=timezone.now() + FILE_LIFETIME,
            progress_total=total,
        )
        transaction.on_commit(lambda: _enqueue(generated.pk))
    return generated


def _enqueue(file_id: int) -> None:
    from .tasks import build_file

    try:
        build_file.delay(file_id)
    except Exception:  # the broker is down: the sweep re-enqueues requested files
        logger.exception("could not enqueue the build of generated file %s", file_id)


def _claim(file_id: int) -> bool:
    """requested → building, once (or again after a lost worker)."""
    now = timezone.now()
    return bool(
        GeneratedFile.objects.filter(pk=file_id)
        .filter(
            Q(status=FileStatus.REQUESTED)
            | Q(status=FileStatus.BUILDING, started_at__lt=now - STALE_BUILD)
        )
        .update(status=FileStatus.BUILDING, started_at=now, progress_done=0)
    )


def file_progress(generated: GeneratedFile, done: int) -> None:
    GeneratedFile.objects.filter(pk=generated.pk).update(progress_done=done)


def file_build(*, file_id: int) -> GeneratedFile | None:
    """Build a requested file (the worker's task). Runs twice harmlessly: a file already
    claimed, built or failed is left alone."""
    from .builders import build

    if not _claim(file_id):
        return None
    generated = GeneratedFile.objects.select_related("school", "requested_by").get(pk=file_id)
    try:
        with transaction.atomic():
            # Copies of an earlier, interrupted run are replaced.
            generated.copies.all().delete()
            pdf, pages, filename = build(generated)
            generated.file.save(f"{generated.pk}.pdf", ContentFile(pdf), save=False)
            generated.status = FileStatus.READY
            generated.pages = pages
            generated.finished_at = timezone.now()
            generated.progress_done = generated.progress_total
            generated.title = filename[:300]
            generated.save(
                update_fields=["file", "status", "pages", "finished_at", "progress_done", "title"]
            )
    except Exception as error:
        logger.exception("building generated file %s failed", file_id)
        GeneratedFile.objects.filter(pk=file_id).update(
            status=FileStatus.FAILED,
            finished_at=timezone.now(),
            error=(f"{type(error).__name__}: {error}")[:2000] or type(error).__name__,
        )
        generated.refresh_from_db()
    return generated


def files_expire(*, now: dt.datetime | None = None) -> int:
    """Remove the files of rows past their expiry; the rows stay and say the file is gone."""
    now = now or timezone.now()
    expired = GeneratedFile.objects.filter(expires_at__lte=now, file_removed_at__isnull=True)
    removed = 0
    for generated in expired.exclude(file=""):
        generated.file.delete(save=False)
        generated.file_removed_at = now
        generated.save(update_fields=["file", "file_removed_at"])
        removed += 1
    expired.filter(file="").update(file_removed_at=now)
    return removed


def files_requeue(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Requested files the broker never got (it was down at request time) are enqueued again;
    a second delivery is harmless (the claim)."""
    now = timezone.now()
    stuck = GeneratedFile.objects.filter(
        status=FileStatus.REQUESTED, created_at__lt=now - older_than, expires_at__gt=now
    ).values_list("pk", flat=True)[:200]
    for file_id in stuck:
        _enqueue(file_id)
    return len(stuck)


def copy_hand_over(*, copy: ExtractCopy, recorded_by, handed_to: str, handed_on: dt.date):
    """Record that a printed extract was handed over: to whom and on which day."""
    handed_to = (handed_to or "").strip()
    errors = {}
    if not handed_to:
        errors["handed_to"] = _("Say to whom the extract was handed over.")
    today = copy.school.today()
    if handed_on is None:
        errors["handed_on"] = _("Give the date it was handed over.")
    elif handed_on > today:
        errors["handed_on"] = _("The date of handing over cannot be in the future.")
    elif handed_on < copy.made_at.astimezone(copy.school.tz).date():
        errors["handed_on"] = _("The extract was handed over before it was made.")
    if errors:
        raise ValidationError(errors)
    copy.handed_to = handed_to[:200]
    copy.handed_on = handed_on
    copy.handed_recorded_by = recorded_by
    copy.handed_recorded_at = timezone.now()
    copy.save(update_fields=["handed_to", "handed_on", "handed_recorded_by", "handed_recorded_at"])
    return copy
