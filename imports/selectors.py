"""Reads of the imports app, scoped to the viewer's school inside the query."""

from django.http import Http404

from .models import ImportBatch


def batches_of(user, limit: int = 30):
    """The school's recent imports (without the files' bytes)."""
    return (
        ImportBatch.objects.filter(school_id=user.school_id)
        .defer("content", "preview")
        .select_related("uploaded_by")[:limit]
    )


def batch_for(user, batch_id: int) -> ImportBatch:
    """One import of the viewer's school, or 404 (another school's is "not there")."""
    batch = (
        ImportBatch.objects.filter(school_id=user.school_id, pk=batch_id)
        .defer("content")
        .select_related("uploaded_by", "applied_by")
        .first()
    )
    if batch is None:
        raise Http404
    return batch


def batch_sample(batch: ImportBatch, size: int = 3) -> list[list[str]]:
    """The first data lines of the file, for the mapping page."""
    from .parsing import TableError, read_table

    content = ImportBatch.objects.filter(pk=batch.pk).values_list("content", flat=True).first()
    try:
        table = read_table(bytes(content or b""))
    except TableError:
        return []
    return [cells for _n, cells in table.rows[:size]]
