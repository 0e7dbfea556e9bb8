from django.contrib import admin

from accounts.admin import SchoolScopedAdmin

from .models import Consent


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
