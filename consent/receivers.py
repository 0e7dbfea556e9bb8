"""Listeners: other apps announce, consent keeps the access log (regulation 1.7)."""

from django.dispatch import receiver

from accounts.audit import student_data_viewed

from .services import access_log_record_many


@receiver(student_data_viewed, dispatch_uid="consent.student_data_viewed")
def log_student_data_viewed(sender, *, viewer, student_ids, what, **kwargs):
    """One AccessLogEntry per student shown, in one INSERT (accounts/audit.py says why)."""
    access_log_record_many(viewer, student_ids, what)
