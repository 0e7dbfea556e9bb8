"""Generated files (PDF extracts, the summary sheet and statistics as PDF, the consent form,
the personal-data export) as rows with a lifecycle, and the printed extracts they carry.

A file is requested in a view, built by a worker on the `pdf` queue and downloaded later:
requested → building → ready, or failed with the error. It expires; a periodic task removes
expired files (the row stays, with its history, and says the file is gone).

Every student extract printed is an `ExtractCopy`: its short code (printed with a QR code)
lets the school's staff check it against the journal (the digest of the data it printed), and
the office records on it to whom and when the paper was handed over.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from school.models import ClassGroup, ReportingPeriod, SchoolOwned, Student

# How long a built file stays downloadable.
FILE_LIFETIME = dt.timedelta(days=7)


class FileKind(models.TextChoices):
    STUDENT_EXTRACT = "student_extract", _("student's extract")
    CLASS_BATCH = "class_batch", _("class extracts")
    SUMMARY_SHEET = "summary_sheet", _("summary sheet")
    STATISTICS = "statistics", _("statistics")
    CONSENT_FORM = "consent_form", _("consent form")
    PD_EXPORT = "pd_export", _("personal data export")


class FileStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    BUILDING = "building", _("building")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


def generated_upload_to(instance, _filename: str) -> str:
    # The stored name is ours (random-free but unguessable is not needed: files are never
    # served as public media, only through the download view that checks the viewer).
    return f"generated/{instance.school_id}/{instance.pk}.pdf"


class GeneratedFile(SchoolOwned):
    kind = models.CharField(_("kind"), max_length=20, choices=FileKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=FileStatus.choices, default=FileStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What to build: ids and dates, as JSON (the task reloads everything from them).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=300)
    # The class a class batch or summary sheet is of: its class teacher sees the batch.
    class_group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("of"), default=0)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=generated_upload_to, max_length=300, blank=True)
    file_removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("generated file")
        verbose_name_plural = _("generated files")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The office's and the requester's lists of recent files, newest first.
            models.Index(fields=["school", "-created_at"], name="generated_school_recent"),
            # The expiry sweep: ready files past their expiry that still hold a file.
            models.Index(fields=["expires_at"], name="generated_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="generated_failed_has_error",
                violation_error_message=_("A failed file must say why it failed."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status in (FileStatus.READY, FileStatus.FAILED)

    @property
    def downloadable(self) -> bool:
        return self.status == FileStatus.READY and bool(self.file) and not self.file_removed_at

    @property
    def percent(self) -> int:
        if self.status == FileStatus.READY:
            return 100
        if not self.progress_total:
            return 0
        return min(99, round(100 * self.progress_done / self.progress_total))


class ExtractCopy(SchoolOwned):
    """One student's extract as printed in a generated file: what it covered, the digest of
    the data it printed, its verification code, and the paper's delivery."""

    generated_file = models.ForeignKey(
        GeneratedFile,
        verbose_name=_("generated file"),
        on_delete=models.CASCADE,
        related_name="copies",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+"
    )
    class_group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("class"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    as_of = models.DateField(_("as of"))
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    digest = models.CharField(_("digest of the printed data"), max_length=64)
    made_at = models.DateTimeField(_("made at"))
    handed_to = models.CharField(_("handed over to"), max_length=200, blank=True)
    handed_on = models.DateField(_("handed over on"), null=True, blank=True)
    handed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handed_recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("printed extract")
        verbose_name_plural = _("printed extracts")
        ordering = ["generated_file", "pk"]
        indexes = [
            # The class teacher's delivery page: the class's extracts of a period.
            models.Index(fields=["class_group", "period"], name="extract_class_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(handed_to="") & Q(handed_on__isnull=True))
                | (~Q(handed_to="") & Q(handed_on__isnull=False)),
                name="extract_handed_to_and_on_together",
                violation_error_message=_(
                    "A handed-over extract names both the recipient and the date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")),
                name="extract_range_ordered",
                violation_error_message=_("The extract's range ends before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.student}"

    @property
    def handed_over(self) -> bool:
        return bool(self.handed_on)
