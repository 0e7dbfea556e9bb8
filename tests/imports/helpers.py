"""Files made by the tests, and running an import to its preview or to the end."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import services
from imports.models import ImportBatch


def csv_file(
    lines: list[str], *, encoding="utf-8", name="list.csv", delimiter=";"
) -> SimpleUploadedFile:
    text = "\r\n".join(delimiter.join(cells) for cells in lines) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(lines: list[list], name="list.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for cells in lines:
        book.active.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(capture, user, kind, upload_file, **options) -> ImportBatch:
    with capture(execute=True):
        batch = services.batch_upload(
            uploaded_by=user, kind=kind, upload=upload_file, options=options
        )
    batch.refresh_from_db()
    return batch


def confirm(capture, batch, user, **kwargs) -> ImportBatch:
    with capture(execute=True):
        services.batch_confirm(batch=batch, confirmed_by=user, **kwargs)
    batch.refresh_from_db()
    return batch
