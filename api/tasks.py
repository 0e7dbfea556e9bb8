"""The exchange's long jobs: a school's OneRoster CSV bundle (eager in dev and tests)."""

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime


@shared_task(name="api.bundle_export")
def bundle_export(school_id: int, since: str | None = None, viewer_id: int | None = None):
    """Build the school's bundle (bulk, or delta after `since`) and keep it for download;
    returns its name. Can run twice: each run keeps one more file."""
    from django.contrib.auth import get_user_model

    from school.models import School

    from .bundle import files
    from .bundle.export import bundle_export as build

    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return None
    viewer = get_user_model().objects.filter(pk=viewer_id).first() if viewer_id else None
    content = build(school=school, since=parse_datetime(since) if since else None, viewer=viewer)
    kind = "delta" if since else "bulk"
    return files.save(school_id=school.pk, kind=kind, content=content, now=timezone.now())
