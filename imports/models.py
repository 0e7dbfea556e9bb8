"""An upload of the school's roster or timetable (CSV or XLSX) with its lifecycle.

uploaded → (previewing) → previewed → (applying) → applied, or failed with the error. The
upload's bytes stay on the row (files are small; they are never served back), the preview is
the dry run's result as JSON: every line with what it would do, the errors with their line
numbers and fields, and the school's records the file does not name (an import never
deletes: the admin decides about those)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from school.models import SchoolOwned


class ImportKind(models.TextChoices):
    STUDENTS = "students", _("students and classes")
    GUARDIANS = "guardians", _("parents, links and contacts")
    TEACHERS = "teachers", _("teachers")
    SUBJECTS = "subjects", _("subjects")
    GROUPS = "groups", _("study groups")
    ASSIGNMENTS = "assignments", _("teaching assignments")
    TIMETABLE = "timetable", _("weekly timetable")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    PREVIEWING = "previewing", _("checking")
    PREVIEWED = "previewed", _("checked, waiting for confirmation")
    APPLYING = "applying", _("importing")
    APPLIED = "applied", _("imported")
    FAILED = "failed", _("failed")


WORKING = (ImportStatus.PREVIEWING, ImportStatus.APPLYING)


class ImportBatch(SchoolOwned):
    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"))
    # What the parser found: the encoding, the delimiter, the header row as written.
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    headers = models.JSONField(_("columns of the file"), default=list, blank=True)
    # Column index (as a string) → field name; empty fields are ignored columns.
    mapping = models.JSONField(_("columns mapped to fields"), default=dict, blank=True)
    # The timetable's first day and whether to end lines the file does not name.
    options = models.JSONField(_("options"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    # When its check or import was last handed to a worker: the sweep hands it over again
    # when the broker lost it or its worker died (imports.services.batches_requeue).
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("of"), default=0)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The school's list of recent imports, newest first.
            models.Index(fields=["school", "-created_at"], name="import_school_recent"),
            # The sweep of checks and imports whose worker never came back.
            models.Index(fields=["status", "queued_at"], name="import_status_queued"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def is_working(self) -> bool:
        return self.status in WORKING

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(99, round(100 * self.progress_done / self.progress_total))
