from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import AccessLoggedAdmin, ReadOnlyAdminMixin, SchoolScopedAdmin
from school.models import GuardianStudent
from school.templatetags.phones import phone

from .models import AccessLogEntry, Consent, ContactPoint, Destruction, PdRequest


class ReadOnlyScopedAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """Evidence the school keeps: viewable by its administrator, written only by services."""


class ReadOnlyLoggedAdmin(ReadOnlyAdminMixin, AccessLoggedAdmin):
    """Read-only, and looking is logged in the access log of the students concerned."""


@admin.register(Consent)
class ConsentAdmin(ReadOnlyLoggedAdmin):
    """The consent register, read-only: decisions are recorded and withdrawn only on the
    consent pages (consent.services), which check the scan's content, keep the history and
    stop messages on withdrawal."""

    list_display = [
        "guardian",
        "student",
        "purpose",
        "decision",
        "form",
        "decided_on",
        "withdrawn_on",
    ]
    list_filter = ["purpose", "decision", "form", "withdrawn_on"]
    search_fields = ["guardian__last_name", "student__last_name", "document_ref"]
    list_select_related = ["guardian", "student"]
    exclude = ["document"]  # the scan only through consent:scan, which logs the access


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyLoggedAdmin):
    """Contacts change through the consent pages (contact_set keeps the provenance). A
    parent's contacts are their children's data too: looking is logged for each child."""

    list_select_related = ["guardian"]

    def students_of(self, objects) -> list:
        guardian_ids = {obj.guardian_id for obj in objects}
        return list(
            GuardianStudent.objects.filter(guardian_id__in=guardian_ids)
            .values_list("student_id", flat=True)
            .distinct()
        )

    list_display = ["guardian", "kind", "shown_value", "source", "recorded_at", "replaced_at"]
    list_filter = ["kind", "source"]
    search_fields = ["guardian__last_name", "value"]

    @admin.display(description=_("value"), ordering="value")
    def shown_value(self, obj) -> str:
        """A phone as people write it (+7 912 345-67-89), an e-mail address as it is."""
        return phone(obj.value)


@admin.register(PdRequest)
class PdRequestAdmin(ReadOnlyLoggedAdmin):
    list_display = ["guardian", "student", "received_on", "due_on", "answered_on"]


@admin.register(Destruction)
class DestructionAdmin(ReadOnlyScopedAdmin):
    list_display = ["guardian_name", "model_label", "rows", "destroyed_at"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["viewed_at", "viewer", "student_shown", "what"]
    list_select_related = ["viewer", "student"]

    @admin.display(description=_("student"))
    def student_shown(self, entry):
        # A deleted student's entries keep the name written when the student went.
        return entry.student or entry.student_name
