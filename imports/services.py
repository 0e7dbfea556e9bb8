"""Writes of the imports app: an upload, its column mapping, the check (a dry run rolled
back) and the import itself (the same run, committed), each a named step.

The check and the import run in a Celery task (imports.tasks) and report their progress
through the cache (the run's own transaction hides its rows until it commits). The import is
all or nothing: every line in one transaction; a line that failed the check is left out, as
the preview said; a line that fails only now undoes the whole import and the batch says why.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from school.selectors import current_year

from . import columns, rows
from .models import WORKING, ImportBatch, ImportKind, ImportStatus
from .parsing import Table, TableError, read_table

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 20
ACTION_KEYS = (rows.CREATED, rows.UPDATED, rows.UNCHANGED)
# Data lines in one file: more than any school's roster or timetable, and a check that still
# ends within the task's time limit.
IMPORT_MAX_ROWS = 10_000


class _DryRun(Exception):
    """Raised to roll the check's writes back."""


# --- Upload and mapping ------------------------------------------------------------------


def batch_upload(*, uploaded_by, kind: str, upload, options: dict | None = None) -> ImportBatch:
    """Store the file and what its header says; checking starts at once when every needed
    field found its column, else the admin maps the columns first."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Choose what the file holds.")]})
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large.")]})
    upload.seek(0)
    content = upload.read()
    limit = getattr(settings, "IMPORT_MAX_ROWS", IMPORT_MAX_ROWS)
    try:
        table = read_table(content, max_rows=limit)
    except TableError as error:
        raise ValidationError({"file": [str(error)]}) from None
    if len(table.rows) > limit:
        raise ValidationError(
            {
                "file": [
                    _("A file may hold at most %(limit)s lines: split it into several files.")
                    % {"limit": limit}
                ]
            }
        )
    mapping = columns.guess_mapping(kind, table.headers)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            school_id=uploaded_by.school_id,
            kind=kind,
            uploaded_by=uploaded_by,
            file_name=(upload.name or "file")[-255:],
            content=content,
            encoding=table.encoding,
            headers=table.headers,
            mapping=mapping,
            options=options or {},
            progress_total=len(table.rows),
        )
        if not columns.missing_fields(kind, mapping):
            _check_start(batch)
    return batch


def batch_map(*, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """The admin's mapping of columns to fields; checking starts when it is complete."""
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        raise ValidationError(_("This import can no longer be changed."))
    known = {c.name for c in columns.columns_of(batch.kind)}
    clean = {k: f for k, f in mapping.items() if f in known and k.isdigit()}
    if len(set(clean.values())) != len(clean):
        raise ValidationError({"mapping": [_("Each field may take only one column.")]})
    missing = columns.missing_fields(batch.kind, clean)
    if missing:
        raise ValidationError(
            {"mapping": [_("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)}]}
        )
    with transaction.atomic():
        batch.mapping = clean
        batch.save(update_fields=["mapping"])
        _check_start(batch)
    return batch


def _check_start(batch: ImportBatch) -> None:
    batch.status = ImportStatus.PREVIEWING
    batch.queued_at = timezone.now()
    batch.save(update_fields=["status", "queued_at"])
    transaction.on_commit(lambda: _enqueue("preview", batch.pk))


# Longer than the task's hard time limit (ednevnik/celery.py): a step still working after
# this long lost its worker or was never delivered.
STALE_STEP = dt.timedelta(minutes=15)


def batches_requeue(*, now: dt.datetime | None = None) -> int:
    """Hand checks and imports whose worker never came back to a worker again (their steps
    claim their status, so a step that is in fact still running is not done twice)."""
    now = now or timezone.now()
    stale = list(
        ImportBatch.objects.filter(status__in=WORKING, queued_at__lt=now - STALE_STEP).values_list(
            "pk", "status"
        )
    )
    for pk, status in stale:
        ImportBatch.objects.filter(pk=pk, status=status).update(queued_at=now)
        _enqueue("preview" if status == ImportStatus.PREVIEWING else "apply", pk)
    return len(stale)


# How long a finished import keeps its file and its preview (names, phones as written): the
# roster itself is in the school's records; the counts and errors stay.
KEEP_FILES = dt.timedelta(days=30)


def batches_expire(*, now: dt.datetime | None = None) -> int:
    """Drop the uploaded file and the line-by-line preview of imports finished more than
    KEEP_FILES ago. Returns how many were cleared."""
    now = now or timezone.now()
    return (
        ImportBatch.objects.filter(
            status__in=(ImportStatus.APPLIED, ImportStatus.FAILED, ImportStatus.PREVIEWED),
            created_at__lt=now - KEEP_FILES,
        )
        .exclude(preview={})
        .update(content=b"", preview={})
    )


def _enqueue(step: str, batch_id: int) -> None:
    from . import tasks

    task = tasks.batch_preview if step == "preview" else tasks.batch_apply
    try:
        task.delay(batch_id)
    except Exception:  # the broker is down: the page says so and offers to start it again
        logger.exception("could not enqueue the %s of import %s", step, batch_id)


# --- The run -----------------------------------------------------------------------------


def progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def progress_of(batch: ImportBatch) -> int:
    return cache.get(progress_key(batch.pk), 0)


def _line_values(table_row: list[str], mapping: dict[str, str]) -> dict:
    return {
        name: (table_row[int(index)] if int(index) < len(table_row) else "").strip()
        for index, name in mapping.items()
    }


def _error_items(line: int, error: ValidationError, labels: dict) -> list[dict]:
    items = []
    if hasattr(error, "error_dict"):
        for field_name, messages in error.message_dict.items():
            label = labels.get(field_name, "")
            items += [{"line": line, "field": str(label), "message": m} for m in messages]
    else:
        items += [{"line": line, "field": "", "message": m} for m in error.messages]
    return items


def _timetable_start(batch: ImportBatch) -> dt.date:
    """The timetable's first day, refused once it is no longer in the future: the lessons up
    to today were taught and keep their lines."""
    day = dt.date.fromisoformat(batch.options["valid_from"])
    if day <= batch.school.today():
        raise ValidationError(
            _(
                "The timetable's first day %(day)s has passed: upload the file again "
                "with tomorrow or a later day."
            )
            % {"day": day.strftime("%d.%m.%Y")}
        )
    return day


def _context(batch: ImportBatch, user) -> rows.Context:
    school = batch.school
    year = current_year(school)
    if year is None:
        raise ValidationError(_("The school has no academic year yet."))
    options = {**batch.options, "batch": batch.pk}
    if batch.kind == ImportKind.TIMETABLE:
        options["valid_from_date"] = _timetable_start(batch)
        options["lessons_until"] = rows.lessons_horizon(school, year)
    return rows.Context(
        school=school,
        year=year,
        user=user,
        kind=batch.kind,
        options=options,
        file_name=batch.file_name,
    )


def _run(batch: ImportBatch, table: Table, user) -> dict:
    """Every line through its handler, each in a savepoint; returns the preview."""
    ctx = _context(batch, user)
    handler = rows.HANDLERS[batch.kind]
    labels = {c.name: c.label for c in columns.columns_of(batch.kind)}
    lines, errors = [], []
    for number in table.broken:
        errors.append(
            {
                "line": number,
                "field": "",
                "message": _(
                    "The line has bytes of no known encoding (not UTF-8 or Windows-1251)."
                ),
            }
        )
    for done_count, (number, cells) in enumerate(table.rows, 1):
        values = _line_values(cells, batch.mapping)
        if not any(values.values()):
            continue
        try:
            with transaction.atomic():
                done = handler(ctx, values, number)
        except ValidationError as error:
            errors += _error_items(number, error, labels)
        except DatabaseError:  # a rule of the database the checks did not foresee
            logger.exception("import %s, line %s", batch.pk, number)
            errors.append({"line": number, "field": "", "message": _("The line cannot be saved.")})
        else:
            lines.append(
                {
                    "line": number,
                    "action": done.action,
                    "label": done.label,
                    "changes": [[str(a), str(b), str(c)] for a, b, c in done.changes],
                    "notes": [str(n) for n in done.notes],
                }
            )
        if done_count % PROGRESS_EVERY == 0:
            cache.set(progress_key(batch.pk), done_count, 3600)
    finish = rows.FINISHERS.get(batch.kind)
    extra = finish(ctx) if finish else {}
    errors.sort(key=lambda e: e["line"])
    counts = {key: sum(1 for x in lines if x["action"] == key) for key in ACTION_KEYS}
    counts["errors"] = len({e["line"] for e in errors})
    counts["missing"] = len(extra.get("missing", []))
    return {"lines": lines, "errors": errors, "counts": counts, **extra}


def _claim(batch_id: int, status: str):
    return ImportBatch.objects.select_for_update().filter(pk=batch_id, status=status).first()


def batch_preview(*, batch_id: int) -> ImportBatch | None:
    """The check: the whole import run and rolled back. Idempotent (a checked batch is left)."""
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.PREVIEWING).first()
    if batch is None:
        return None
    result = {}
    try:
        table = read_table(bytes(batch.content))
        with transaction.atomic():
            result = _run(batch, table, batch.uploaded_by)
            raise _DryRun
    except _DryRun:
        pass
    except (TableError, ValidationError) as error:
        return _fail(batch, " ".join(getattr(error, "messages", [str(error)])))
    except Exception:  # never left "checking" for good: the admin sees it failed
        logger.exception("the check of import %s failed", batch.pk)
        return _fail(batch, _("The file could not be checked."))
    batch.preview = result
    batch.counts = result["counts"]
    batch.errors = result["errors"]
    batch.status = ImportStatus.PREVIEWED
    batch.progress_done = batch.progress_total
    batch.save(update_fields=["preview", "counts", "errors", "status", "progress_done"])
    cache.delete(progress_key(batch.pk))
    return batch


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportStatus.FAILED
    batch.error = message or _("The import failed.")
    batch.save(update_fields=["status", "error"])
    cache.delete(progress_key(batch.pk))
    return batch


# --- Confirm and apply -------------------------------------------------------------------


def batch_confirm(*, batch: ImportBatch, confirmed_by, end_missing: bool = False) -> ImportBatch:
    """The admin confirms what the preview showed: the import starts."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.PREVIEWED:
            raise ValidationError(_("This import is not waiting for confirmation."))
        if locked.kind == ImportKind.TIMETABLE:
            _timetable_start(locked)
        locked.status = ImportStatus.APPLYING
        locked.applied_by = confirmed_by
        locked.options = {**locked.options, "end_missing": bool(end_missing)}
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "applied_by", "options", "queued_at"])
        transaction.on_commit(lambda: _enqueue("apply", locked.pk))
    return locked


def _unexpected(preview: dict, result: dict) -> list[dict]:
    known = {e["line"] for e in preview.get("errors", [])}
    return [e for e in result["errors"] if e["line"] not in known]


def batch_apply(*, batch_id: int) -> ImportBatch | None:
    """The import: one transaction; the batch is applied with it, or failed and nothing kept."""
    failure = None
    try:
        with transaction.atomic():
            batch = _claim(batch_id, ImportStatus.APPLYING)
            if batch is None:
                return None
            table = read_table(bytes(batch.content))
            result = _run(batch, table, batch.applied_by or batch.uploaded_by)
            new_errors = _unexpected(batch.preview, result)
            if new_errors:
                first = new_errors[0]
                failure = _("Line %(line)s: %(message)s The import was undone.") % first
                raise _DryRun
            batch.preview = result
            batch.counts = result["counts"]
            batch.errors = result["errors"]
            batch.status = ImportStatus.APPLIED
            batch.applied_at = timezone.now()
            batch.progress_done = batch.progress_total
            batch.save(
                update_fields=[
                    "preview",
                    "counts",
                    "errors",
                    "status",
                    "applied_at",
                    "progress_done",
                ]
            )
    except _DryRun:
        pass
    except (TableError, ValidationError) as error:
        failure = " ".join(getattr(error, "messages", [str(error)]))
    except Exception:  # rolled back; never left "importing" for good
        logger.exception("import %s failed", batch_id)
        failure = _("The import failed and was undone.")
    if failure is not None:
        batch = ImportBatch.objects.get(pk=batch_id)
        return _fail(batch, failure)
    cache.delete(progress_key(batch_id))
    return batch
