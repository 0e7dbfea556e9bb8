"""The exchange API's callers: a client of the cast's school with every scope, tokens got
through the real token endpoint (client credentials), and helpers to call with them."""

import base64
import json

import pytest

from api.models import GRADEBOOK_READ, READ, ROSTER_READ, WRITE
from api.services import api_client_create


def obtain_token(client, client_id: str, secret: str, scope: str | None = None):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    return client.post("/api/oauth/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")


class Caller:
    """The Django test client speaking with one Bearer token."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def _auth(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, **self._auth())

    def post(self, path, body):
        return self.client.post(
            path, json.dumps(body), content_type="application/json", **self._auth()
        )


def make_caller(client, school, scopes, source="other-journal", name="Региональный журнал"):
    api_client, client_id, secret = api_client_create(
        school=school, name=name, source=source, scopes=scopes
    )
    response = obtain_token(client, client_id, secret)
    assert response.status_code == 200, response.content
    caller = Caller(client, response.json()["access_token"])
    caller.api_client, caller.client_id, caller.secret = api_client, client_id, secret
    return caller


@pytest.fixture
def api(client, cast):
    """A client of the cast's school with every scope."""
    return make_caller(client, cast.school, [WRITE, READ, ROSTER_READ, GRADEBOOK_READ])
