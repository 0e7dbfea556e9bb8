"""The OpenAPI description of how to authenticate: OAuth 2.0 client credentials."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .models import SCOPES


class ClientCredentialsScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ClientTokenAuthentication"
    name = "OAuth2CC"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/oauth/token/",
                    "scopes": {name: str(label) for name, label in SCOPES.items()},
                }
            },
        }

    def get_security_requirement(self, auto_schema):
        return {self.name: list(getattr(auto_schema.view, "required_scopes", []))}
