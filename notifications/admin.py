from django.contrib import admin

from accounts.admin import AccessLoggedAdmin, ReadOnlyAdminMixin, SchoolScopedAdmin

from .models import FlaggedContact, NotificationPolicy, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, AccessLoggedAdmin):
    """The outbox is written by services only; the admin may look, not touch, and looking at
    messages about a student is logged in that student's access log."""

    list_display = ["created_at", "guardian", "channel", "kind", "recipient", "status", "sent_at"]
    list_filter = ["channel", "status", "kind"]
    list_select_related = ["guardian"]


@admin.register(NotificationPolicy)
class NotificationPolicyAdmin(SchoolScopedAdmin):
    """The school's defaults, quiet hours and SMS limits."""

    list_display = ["school", "sms_mode", "email_mode", "quiet_from", "quiet_until"]


@admin.register(FlaggedContact)
class FlaggedContactAdmin(SchoolScopedAdmin):
    list_display = ["flagged_at", "guardian", "channel", "value", "reason"]
    list_select_related = ["guardian"]
