from django.contrib import admin

from accounts.admin import AccessLoggedAdmin, ReadOnlyAdminMixin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, AccessLoggedAdmin):
    """The outbox is written by services only; the admin may look, not touch, and looking at
    messages about a student is logged in that student's access log."""

    list_display = ["created_at", "guardian", "channel", "recipient", "status", "sent_at"]
    list_filter = ["channel", "status"]
    list_select_related = ["guardian"]
