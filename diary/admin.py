from django.contrib import admin
from typing_extensions import override

from accounts.admin import SchoolScopedAdmin

from .models import CalendarFeed, WeekAcknowledgement


@admin.register(WeekAcknowledgement)
class WeekAcknowledgementAdmin(SchoolScopedAdmin):
    """Read-only: a family's signature is theirs, not the school's to edit."""

    list_display = ["student", "guardian", "week_start", "acknowledged_at"]
    list_filter = ["week_start"]
    list_select_related = ["student", "guardian"]
    search_fields = ["student__last_name", "guardian__last_name"]

    @override
    def has_add_permission(self, request, *args):
        return False

    @override
    def has_change_permission(self, request, obj=None):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SchoolScopedAdmin):
    """The secret itself is never shown; the school can only see and revoke feeds."""

    list_display = ["user", "student", "created_at", "revoked_at"]
    list_select_related = ["user", "student"]
    exclude = ["token_hash"]
    readonly_fields = ["school", "user", "student", "created_at"]

    @override
    def has_add_permission(self, request, *args):
        return False
