"""Fuzz the REST API from its own OpenAPI document: no 5xx, every answer matches the documented schema, and an
operation that needs authentication refuses a call without it.

Bounded: a fixed number of generated examples per operation, derandomised, so that a run takes the same time and
finds the same things every time."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from kesu.accounts.services import token_create

pytestmark = pytest.mark.django_db

EXAMPLES = 30


# The schema is read from the real WSGI application (the document needs no database).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


@pytest.fixture
def token(world):
    """A token of county X's office, over fixtures of two counties; the WSGI application is kept from closing the
    test's database connection after each request (as django.test.Client does), so calls see the fixtures."""
    world.put("VISITS", world.town1, 100, pid="2024")
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield token_create(actor=world.office, name="模糊测试")[1]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_answers_every_generated_call(case, token):
    # Not checked: that every schema-valid call succeeds (a well-formed but unknown region code is a 400 with a
    # reason) and that every schema-violating call is refused (extra headers are ignored, as HTTP allows).
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[
        checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
        checks.response_schema_conformance, checks.ignored_auth])
