"""A schema-driven fuzz run (schemathesis) against the live server: every operation of the
OpenAPI schema the platform serves, bounded in examples, derandomized so CI makes the same calls
every run. No server error allowed; the count of calls is written to test-output/fuzz.json."""

import json
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from hotline.api.api import api
from hotline.api.services import create_client
from hotline.linkage.models import Agency

EXAMPLES = 25  # per operation; 15 operations
CALLS: list[int] = []
REPORT = Path(__file__).resolve().parents[3] / "test-output" / "fuzz.json"


SCHEMA = api.get_openapi_schema(path_prefix="/api/v1/")


@pytest.fixture(scope="module")
def _report():
    CALLS.clear()
    yield
    errors = sum(1 for status in CALLS if status >= 500)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"calls": len(CALLS), "server_errors": errors, "by_status": _by_status()}))


@pytest.fixture
def fuzz_client(live_server, people, _report):
    _client, token = create_client(
        name="fuzz",
        channel="gov_board",
        scopes=["submit", "read_own", "unit_work", "transfer", "calls"],
        unit=people.housing,
        agency=Agency.objects.get(code="110"),
        rate_limit=1_000_000,
    )
    return live_server.url, token


def test_the_fuzzed_schema_is_the_one_served(live_server):
    assert requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=10).json() == json.loads(json.dumps(SCHEMA))


def _by_status() -> dict[str, int]:
    out: dict[str, int] = {}
    for status in CALLS:
        out[str(status)] = out.get(str(status), 0) + 1
    return out


schema = schemathesis.openapi.from_dict(SCHEMA)


def test_no_input_makes_a_server_error(fuzz_client):
    """One live server for every operation (a server per operation cost a database flush each)."""
    base, token = fuzz_client
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def fuzz(case):
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
            response = case.call(base_url=base, headers=headers)
            CALLS.append(response.status_code)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
            if response.status_code != 405:  # an HTTP method the route lacks: Django's own answer
                content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
                assert "application/json" in str(content_type), (response.status_code, case.formatted_path)

        fuzz()
    assert len(CALLS) >= 10 * len(operations)
