from django.contrib import admin

from accounts.admin import SchoolScopedAdmin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SchoolScopedAdmin):
    """The outbox is written by services only; the admin may look, not touch."""

    list_display = ["created_at", "guardian", "channel", "recipient", "status", "sent_at"]
    list_filter = ["channel", "status"]
    list_select_related = ["guardian"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
