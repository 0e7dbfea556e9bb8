from django.contrib import admin

from accounts.admin import SchoolScopedAdmin

from .models import AccessLogEntry, Consent, ContactPoint, Destruction, PdRequest


@admin.register(Consent)
class ConsentAdmin(SchoolScopedAdmin):
    """Consent rows are kept, never edited away: withdrawal is recorded, deletion is refused."""

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
    autocomplete_fields = ["guardian", "student"]
    readonly_fields = ["recorded_by", "recorded_at", "withdrawn_recorded_by"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        elif "withdrawn_on" in form.changed_data and obj.withdrawn_on:
            obj.withdrawn_recorded_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyScopedAdmin(SchoolScopedAdmin):
    """Evidence the school keeps: viewable by its administrator, written only by services."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyScopedAdmin):
    """Contacts change through the consent pages (contact_set keeps the provenance)."""

    list_display = ["guardian", "kind", "value", "source", "recorded_at", "replaced_at"]
    list_filter = ["kind", "source"]
    search_fields = ["guardian__last_name", "value"]


@admin.register(PdRequest)
class PdRequestAdmin(ReadOnlyScopedAdmin):
    list_display = ["guardian", "student", "received_on", "due_on", "answered_on"]


@admin.register(Destruction)
class DestructionAdmin(ReadOnlyScopedAdmin):
    list_display = ["guardian_name", "model_label", "rows", "destroyed_at"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["viewed_at", "viewer", "student", "what"]
    list_select_related = ["viewer", "student"]
