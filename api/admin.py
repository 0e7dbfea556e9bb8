"""API clients in the admin: the school admin sees their school's clients and revokes them
(creation prints a secret once: `manage.py api_client`, docs/api.md)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import ReadOnlyAdminMixin, SchoolScopedAdmin

from .models import ApiClient
from .services import api_client_revoke


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    list_display = ["name", "source", "scopes", "created_at", "revoked_at"]
    fields = ["name", "source", "scopes", "account", "created_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected clients"))
    def revoke(self, request, queryset):
        clients = list(queryset.filter(revoked_at__isnull=True))
        for client in clients:
            api_client_revoke(client=client)
        self.message_user(
            request,
            ngettext("%(n)d client revoked.", "%(n)d clients revoked.", len(clients))
            % {"n": len(clients)},
            messages.SUCCESS,
        )
