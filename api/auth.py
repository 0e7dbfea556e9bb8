"""Who is calling: a Bearer token of an active client, the scope a view needs, the client's
rate limit. Every view of the exchange uses these three (REST_FRAMEWORK settings).

The caller's school is the client's school: every read and write is scoped by
`request.api_client.school_id` inside its query, so another school's ids are simply unknown
(404), as on the pages."""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle


class ClientTokenAuthentication(OAuth2Authentication):
    """A valid, unexpired Bearer token of an active (not revoked) client; the request then
    carries `api_client` and the token's scopes."""

    www_authenticate_realm = "ednevnik"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        _user, token = result
        client = getattr(token.application, "api_client", None) if token.application else None
        if client is None or not client.is_active or not client.account.is_active:
            raise exceptions.AuthenticationFailed("revoked client")
        request._request.api_client = client
        request.api_client = client
        # Client credentials carry no user: the client's own account acts.
        return client.account, token


class HasClientScope(BasePermission):
    """The view's `required_scopes` (any one of them) are among the token's scopes and the
    client's own (a scope taken away from the client stops its older tokens too)."""

    message = "missing scope"

    def has_permission(self, request, view):
        client = getattr(request, "api_client", None)
        if client is None or request.auth is None:
            raise exceptions.NotAuthenticated()
        required = getattr(view, "required_scopes", None)
        if not required:
            return False
        granted = set(request.auth.scope.split()) & client.scope_set
        return bool(granted & set(required))


class ClientRateThrottle(SimpleRateThrottle):
    """API_RATE requests per client (by its id, whatever address it calls from)."""

    scope = "client"

    def get_cache_key(self, request, view):
        client = getattr(request, "api_client", None)
        if client is None:
            return None  # unauthenticated calls end at 401 before doing any work
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
