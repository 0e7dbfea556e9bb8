"""A lesson's homework and its files."""

import datetime as dt
import mimetypes
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..history import lesson_record_change
from ..models import (
    ChangeAction,
    Homework,
    HomeworkFile,
    Lesson,
    MarkChange,
)
from .checks import refuse_in_closed_period

ALLOWED_HOMEWORK_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# What a file of each accepted type starts with. A name says nothing: an executable renamed
# `report.pdf` must not reach the families, so every upload is judged by its content.
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
# Office Open XML and OpenDocument files are zip archives; what they hold says what they are.
ZIP_MEMBERS = {
    ".docx": "word/document.xml",
    ".pptx": "ppt/presentation.xml",
    ".xlsx": "xl/workbook.xml",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
TEXT_SNIFF_BYTES = 64 * 1024


def _is_text(head: bytes) -> bool:
    """Plain text: no NUL bytes, and it reads as UTF-8 or as the Windows Cyrillic code page."""
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1251"):
        try:
            # The sniffed block may end inside a UTF-8 sequence: allow that one cut.
            head.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and error.start >= len(head) - 3:
                return True
    return False


def _zip_holds(upload, member: str, content: bytes | None = None) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            if member not in archive.namelist():
                return False
            return content is None or archive.read(member).strip() == content
    except (zipfile.BadZipFile, OSError, KeyError, EOFError):
        return False
    finally:
        upload.seek(0)


def content_matches(upload, suffix: str) -> bool:
    """Whether the upload's bytes are a file of the type its extension names."""
    upload.seek(0)
    head = upload.read(TEXT_SNIFF_BYTES)
    upload.seek(0)
    if suffix in MAGIC:
        return head.startswith(MAGIC[suffix])
    if suffix in ZIP_MEMBERS:
        return head.startswith(b"PK\x03\x04") and _zip_holds(upload, ZIP_MEMBERS[suffix])
    if suffix == ".odt":
        return head.startswith(b"PK\x03\x04") and _zip_holds(upload, "mimetype", ODT_MIMETYPE)
    if suffix == ".txt":
        return _is_text(head)
    return False


def _validate_upload(upload) -> tuple[str, str]:
    name = PurePath(upload.name or "").name[:255]
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_HOMEWORK_TYPES:
        raise ValidationError(
            {"files": [_("«%(name)s»: this file type is not accepted.") % {"name": name}]}
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "files": [
                    _("«%(name)s» is too large (at most %(mb)s MB).")
                    % {"name": name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
                ]
            }
        )
    if not content_matches(upload, suffix):
        raise ValidationError(
            {
                "files": [
                    _("«%(name)s»: the file's content is not a %(type)s file.")
                    % {"name": name, "type": suffix[1:].upper()}
                ]
            }
        )
    return name, ALLOWED_HOMEWORK_TYPES[suffix] or mimetypes.guess_type(name)[0]


@transaction.atomic
def homework_set(
    *, user, lesson: Lesson, text: str, due_date: dt.date | None = None, files=()
) -> Homework | None:
    """Set the lesson's homework (one per lesson) and attach files. An empty text with no
    files and no earlier homework sets nothing."""
    text = text.strip()
    if len(text) > 5000:
        raise ValidationError({"text": [_("The homework is too long (at most 5000 characters).")]})
    if due_date is not None and due_date < lesson.date:
        raise ValidationError({"due_date": [_("The due date cannot be before the lesson.")]})
    checked = [(_validate_upload(f), f) for f in files]
    refuse_in_closed_period(user=user, lesson=lesson)
    homework = Homework.objects.select_for_update().filter(lesson=lesson).first()
    before = _homework_snapshot(homework) if homework is not None else None
    if homework is None:
        if not text and not checked:
            return None
        if not text:
            raise ValidationError({"text": [_("Write the assignment for the attached files.")]})
        homework = Homework.objects.create(
            school_id=lesson.school_id, lesson=lesson, text=text, due_date=due_date, created_by=user
        )
    else:
        if not text:
            raise ValidationError({"text": [_("Write the assignment.")]})
        homework.text, homework.due_date = text, due_date
        homework.save(update_fields=["text", "due_date", "updated_at"])
    lesson_record_change(
        lesson=lesson,
        entity=MarkChange.Entity.HOMEWORK,
        object_id=homework.pk,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        user=user,
        before=before,
        after=_homework_snapshot(homework),
    )
    for (name, content_type), upload in checked:
        attached = HomeworkFile.objects.create(
            school_id=lesson.school_id,
            homework=homework,
            file=upload,
            original_name=name,
            size=upload.size,
            content_type=content_type,
        )
        lesson_record_change(
            lesson=lesson,
            entity=MarkChange.Entity.HOMEWORK_FILE,
            object_id=attached.pk,
            action=ChangeAction.CREATE,
            user=user,
            before=None,
            after={"name": name, "size": upload.size},
        )
    return homework


def _homework_snapshot(homework: Homework) -> dict:
    due = homework.due_date
    return {"text": homework.text, "due_date": due.isoformat() if due else None}


@transaction.atomic
def homework_file_delete(*, user, attachment: HomeworkFile) -> None:
    """Remove a file from the lesson's homework; the history keeps its name, who and when.
    The stored file itself goes once the transaction has committed."""
    lesson = attachment.homework.lesson
    refuse_in_closed_period(user=user, lesson=lesson)
    locked = HomeworkFile.objects.select_for_update().filter(pk=attachment.pk).first()
    if locked is None:
        raise HomeworkFile.DoesNotExist
    lesson_record_change(
        lesson=lesson,
        entity=MarkChange.Entity.HOMEWORK_FILE,
        object_id=locked.pk,
        action=ChangeAction.DELETE,
        user=user,
        before={"name": locked.original_name, "size": locked.size},
        after=None,
    )
    stored, name = locked.file.storage, locked.file.name
    locked.delete()
    transaction.on_commit(lambda: stored.delete(name))
