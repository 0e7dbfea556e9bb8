"""How django-oauth-toolkit issues tokens here: client credentials only, each client limited to
the scopes its school admin gave it, a revoked client refused a new token."""

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from .models import SCOPES


def _client_scopes(application) -> list[str]:
    client = getattr(application, "api_client", None) if application is not None else None
    if client is None or not client.is_active:
        return []
    return sorted(client.scope_set & set(SCOPES))


class ClientScopes(BaseScopes):
    """The scopes a client may ask for are those of its ApiClient row; asking for none gives
    them all."""

    def get_all_scopes(self):
        return {name: str(label) for name, label in SCOPES.items()}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return _client_scopes(application)


class ClientValidator(OAuth2Validator):
    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        client = getattr(request.client, "api_client", None)
        return client is not None and client.is_active
