"""Property-based calls against our own OpenAPI schema (Schemathesis): whatever it generates
for any operation, no 500 and no response that breaks the schema. Kept fast: a few examples
per operation (SCHEMATHESIS_EXAMPLES raises it)."""

import os
from contextlib import contextmanager

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import GRADEBOOK_READ, READ, ROSTER_READ, WRITE

from .conftest import make_caller

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def inside_the_test_transaction():
    """The app through WSGI inside this test's transaction: as in Django's test client, a
    request must not close the test's database connection (the test client reconnects the
    handler after each of its own requests, so this wraps only the WSGI calls)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_server_error_and_no_response_outside_the_schema(client, cast):
    token = make_caller(client, cast.school, [WRITE, READ, ROSTER_READ, GRADEBOOK_READ]).token
    with inside_the_test_transaction() as wsgi:
        calls, operations = _run_every_operation(wsgi, token)
    print(
        f"schemathesis: {operations} operations, {len(calls)} calls, statuses {sorted(set(calls))}"
    )
    assert operations >= 50
    assert len(calls) >= operations


def _run_every_operation(wsgi, token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi)
    headers = {"Authorization": f"Bearer {token}"}
    calls, operations = [], 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case):
        calls.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    for result in schema.get_all_operations():
        operation = result.ok()
        given(case=operation.as_strategy())(run)()
        operations += 1
    return calls, operations
