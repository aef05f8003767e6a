"""The OpenAPI document: committed as server/openapi.json and up to date, and the real server (a subprocess on
loopback, SQLite, an enrolled device's token) answers what schemathesis generates from it as it says: never a
5xx, every answer conforming to the documented status codes, content types and schemas, and every error an
ErrorBody with a Chinese message."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from server.app import openapi_document
from server.store import Store
from sync.protocol import ErrorBody
from tests.sync.conftest import start_server

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "server" / "openapi.json"
GRID = "0190a1b2-0000-7000-8000-00000000000a"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_committed_openapi_document_is_the_one_the_server_describes() -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "server", "openapi"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    assert json.loads(generated) == openapi_document()
    assert COMMITTED.read_text(encoding="utf-8") == generated, (
        "server/openapi.json is stale: run python -m server openapi server/openapi.json"
    )


def test_the_openapi_command_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "api.json"
    subprocess.run([sys.executable, "-m", "server", "openapi", str(out)], cwd=ROOT, check=True)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert set(document["paths"]) == {
        "/health",
        "/v1/enrol",
        "/v1/push",
        "/v1/pull",
        "/v1/time",
        "/v1/blobs/{sha256}",
    }
    assert document["components"]["schemas"]["ErrorBody"]["required"] == ["code", "message"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The server's URL and an enrolled (grid) device's token."""
    db = tmp_path_factory.mktemp("openapi") / "server.db"
    store = Store(f"sqlite:///{db}")
    store.init_township([GRID])
    code = store.create_enrol_code([GRID])
    store.close()
    server = start_server(db)
    try:
        answer = requests.post(
            f"{server.url}/v1/enrol", json={"code": code, "device_name": "schemathesis"}, timeout=10
        )
        answer.raise_for_status()
        yield server.url, answer.json()["token"]
    finally:
        server.stop()
        errors = server.process.stderr.read() if server.process.stderr else ""
        assert "Traceback" not in errors, errors


# Built at import, not from a fixture: schemathesis's lazy fixture loader renames test nodes through a pytest
# attribute that pytest 9 no longer has.
schema = schemathesis.openapi.from_dict(openapi_document())


@schemathesis.check
def errors_are_error_bodies_in_chinese(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every non-2xx answer is an ErrorBody whose message a person can read (Chinese); an answer to HEAD has no
    body (RFC 9110), only the headers a GET would have."""
    if response.status_code < 400 or case.method.upper() == "HEAD":
        return None
    body = ErrorBody.model_validate_json(response.content)
    assert _CHINESE.search(body.message), f"error message without Chinese: {body.message!r}"
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    unsupported_method,  # a 405 names the allowed methods (it once did not)
    ignored_auth,  # the same request without the token is refused
]
"""Not ``negative_data_rejection``: the server ignores unknown query parameters and, like pydantic, reads a number
as a time; neither loses or corrupts anything."""


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    database=None,
)
def test_the_server_answers_generated_requests_as_its_schema_says(case: Any, api: tuple[str, str]) -> None:
    url, token = api
    case.call_and_validate(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        checks=CHECKS,
        additional_checks=[errors_are_error_bodies_in_chinese],
        timeout=10,
    )
