"""Listeners: other apps announce, consent keeps the access log (regulation 1.7)."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from accounts.audit import student_data_viewed
from school.models import Student

from .models import AccessLogEntry
from .services import access_log_record_many


@receiver(student_data_viewed, dispatch_uid="consent.student_data_viewed")
def log_student_data_viewed(*, viewer, student_ids, what, **kwargs):
    """One AccessLogEntry per student shown, in one INSERT (accounts/audit.py says why)."""
    access_log_record_many(viewer, student_ids, what)


@receiver(pre_delete, sender=Student, dispatch_uid="consent.access_log_keeps_the_name")
def access_log_keeps_the_student(instance, **kwargs):
    """The access log outlives a deleted student: its rows keep the id and the name (the
    foreign key itself is set to NULL by the deletion)."""
    AccessLogEntry.objects.filter(student_id=instance.pk).update(
        student_ref=instance.pk, student_name=instance.full_name[:460]
    )
