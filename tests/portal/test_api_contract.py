"""Contract test of the API: schemathesis generates requests from /api/schema/ (bounded to
30 examples per operation, in-process through the WSGI application: loopback only, nothing
leaves the machine) and checks that no answer is a server error and that every answer
conforms to the OpenAPI document (status code, content type, body schema)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 30


@pytest.fixture
def wsgi_app():
    """The WSGI application, without closing the test's database connection at the end of
    each request (what Django's own test client does too)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_api_conforms_to_its_contract(wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/projets/", "/api/projets/{pk}/",
                                               "/api/territoires/{code}/",
                                               "/api/organisations/", "/api/indicateurs/"}
    calls = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call_and_validate(checks=CHECKS)
            calls.append((case.operation.path, response.status_code))

        check()
    assert len(calls) >= len(operations)
    assert {status for _path, status in calls} <= {200, 400, 404}
