"""A lesson's homework and its files."""

import datetime as dt
import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Homework,
    HomeworkFile,
    Lesson,
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
    for (name, content_type), upload in checked:
        HomeworkFile.objects.create(
            school_id=lesson.school_id,
            homework=homework,
            file=upload,
            original_name=name,
            size=upload.size,
            content_type=content_type,
        )
    return homework
