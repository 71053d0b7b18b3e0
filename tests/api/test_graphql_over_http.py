"""GraphQL over HTTP (API.md, Transport) against a real `accord serve` with tokens on:
graphql-http's audit suite (every MUST and SHOULD passes), then the media types and
status codes one by one."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import ROOT, Processes, issue_token, logs

AUDIT_SCRIPT = Path(__file__).with_name("graphql_http_audit.mjs")
GRAPHQL_HTTP = ROOT / "node_modules" / "graphql-http"
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@dataclass
class Served:
    processes: Processes
    url: str
    token: str
    client: httpx.Client

    def post(
        self, body: Any, accept: str | None = GRAPHQL_RESPONSE, **headers: str
    ) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {"content-type": JSON, "authorization": f"Bearer {self.token}", **headers}
        if accept is not None:
            sent["accept"] = accept
        return self.client.post(self.url, content=content, headers=sent)

    def get(self, params: dict[str, str], accept: str = GRAPHQL_RESPONSE) -> httpx.Response:
        headers = {"accept": accept, "authorization": f"Bearer {self.token}"}
        return self.client.get(self.url, params=params, headers=headers)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp("graphql-over-http")
    database = f"sqlite:///{directory / 'accord.db'}"
    token = issue_token(database, "auditor")
    processes = Processes(directory)
    try:
        api = processes.serve(database, projector=True, token=token)
        with httpx.Client(timeout=30) as client:
            yield Served(processes, f"http://127.0.0.1:{api.port}/graphql", token, client)
    finally:
        processes.stop_all()


# ------------------------------------------------------------------ the audit


def test_graphql_http_audits_pass_every_must_and_should(served: Served) -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed (CI installs it: .ci/run)"
    assert GRAPHQL_HTTP.is_dir(), "graphql-http is missing: run `npm ci` (make assets does)"
    finished = subprocess.run(
        [node, str(AUDIT_SCRIPT), served.url, served.token],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr + logs(served.processes)
    results = [json.loads(line) for line in finished.stdout.splitlines() if line.strip()]
    counts: dict[str, list[int]] = {}
    failures = []
    for result in results:
        level = result["name"].split(" ", 1)[0]
        passed = result["status"] == "ok"
        tally = counts.setdefault(level, [0, 0])
        tally[0 if passed else 1] += 1
        if not passed and level in ("MUST", "SHOULD"):
            failures.append(
                f"{result['id']} {result['name']}: {result['reason']} "
                f"(HTTP {result['httpStatus']}, {result['contentType']}: {result['body'][:300]})"
            )
    summary = ", ".join(
        f"{level} {ok} passed, {failed} failed" for level, (ok, failed) in counts.items()
    )
    print(f"graphql-http audits: {summary}")
    for failure in failures:
        print(failure)
    assert not failures, "\n".join(failures)
    assert counts["MUST"][0] >= 10 and counts["SHOULD"][0] >= 20, summary


# ------------------------------------------- application/graphql-response+json


def _errors_only(response: httpx.Response, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body, body
    errors: list[dict[str, Any]] = body["errors"]
    assert errors and all(error["message"] for error in errors)
    return errors


def test_a_document_that_does_not_parse_is_400_without_data(served: Served) -> None:
    errors = _errors_only(served.post({"query": "{"}), 400)
    assert errors[0]["message"].startswith("Syntax Error")


def test_a_document_that_does_not_validate_is_400_without_data(served: Served) -> None:
    _errors_only(served.post({"query": "{ noSuchField }"}), 400)


def test_a_refused_query_is_400_without_data(served: Served) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"
    errors = _errors_only(served.post({"query": query}), 400)
    assert errors[0]["extensions"]["code"] == "QUERY_REFUSED"


def test_variables_that_cannot_be_coerced_are_400_without_data(served: Served) -> None:
    query = "query($first: Int!) { partnerships(first: $first) { totalCount } }"
    _errors_only(served.post({"query": query, "variables": {"first": "many"}}), 400)
    _errors_only(served.post({"query": query, "variables": {}}), 400)


def test_once_execution_started_it_is_200_with_data(served: Served) -> None:
    ok = served.post({"query": "{ partnerships { totalCount } }"})
    assert ok.status_code == 200
    assert ok.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert ok.json() == {"data": {"partnerships": {"totalCount": 0}}}
    # A bad argument is a field error: execution started, so 200 with `data` (null here).
    bad = served.post({"query": "{ partnerships(first: 501) { totalCount } }"})
    assert bad.status_code == 200
    body = bad.json()
    assert "data" in body and body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_malformed_requests_are_400_in_the_negotiated_media_type(served: Served) -> None:
    for body in (
        b'{ "not JSON',
        b"\xff\xfe",
        b'"a string"',
        b'[{"query": "{ __typename }"}]',
        {"notquery": "{ __typename }"},
        {"query": 1},
        {"query": "{ __typename }", "operationName": 0},
        {"query": "{ __typename }", "variables": "{}"},
        {"query": "{ __typename }", "extensions": []},
    ):
        errors = _errors_only(served.post(body), 400)
        assert errors[0]["extensions"]["code"] == "BAD_REQUEST", body
        legacy = served.post(body, accept=JSON)
        assert legacy.status_code == 400 and legacy.headers["content-type"] == JSON, body


def test_a_body_that_is_not_json_is_415(served: Served) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = served.post({"query": "{ __typename }"}, **{"content-type": content_type})
        errors = _errors_only(response, 415)
        assert errors[0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    latin1 = served.post(
        {"query": "{ __typename }"}, **{"content-type": f"{JSON}; charset=latin-1"}
    )
    assert latin1.status_code == 415
    utf8 = served.post({"query": "{ __typename }"}, **{"content-type": f"{JSON}; charset=UTF-8"})
    assert utf8.status_code == 200


def test_a_client_that_accepts_neither_media_type_gets_406(served: Served) -> None:
    for accept in ("text/plain", "application/xml", f"{GRAPHQL_RESPONSE};q=0, {JSON};q=0"):
        response = served.post({"query": "{ __typename }"}, accept=accept)
        assert response.status_code == 406, accept
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


def test_accept_is_negotiated(served: Served) -> None:
    cases = {
        None: JSON,
        "*/*": JSON,
        "application/*": JSON,
        JSON: JSON,
        f"{JSON}; charset=utf-8": JSON,
        GRAPHQL_RESPONSE: GRAPHQL_RESPONSE,
        f"{GRAPHQL_RESPONSE}; charset=utf-8": GRAPHQL_RESPONSE,
        f"{GRAPHQL_RESPONSE}, {JSON};q=0.9": GRAPHQL_RESPONSE,
        f"{JSON}, {GRAPHQL_RESPONSE}": GRAPHQL_RESPONSE,
        f"{GRAPHQL_RESPONSE};q=0.5, {JSON}": JSON,
        f"text/html, {GRAPHQL_RESPONSE};q=0.8, */*;q=0.1": GRAPHQL_RESPONSE,
    }
    for accept, media_type in cases.items():
        response = served.post({"query": "{ __typename }"}, accept=accept)
        assert response.status_code == 200, accept
        assert response.headers["content-type"].split(";")[0] == media_type, accept


def test_a_mutation_over_get_is_405_and_runs_nothing(served: Served) -> None:
    mutation = 'mutation { formPartnership(input: {name: "x", purpose: "y"}) { __typename } }'
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = served.get({"query": mutation}, accept=accept)
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == "POST"
        assert response.headers["content-type"].split(";")[0] == accept
        assert "data" not in response.json()
    query = served.get({"query": "{ partnerships { totalCount } }"})
    assert query.status_code == 200
    assert query.json() == {"data": {"partnerships": {"totalCount": 0}}}


# ----------------------------------------------------- application/json (legacy)


def test_legacy_clients_get_200_and_null_data_for_request_errors(served: Served) -> None:
    query = "query($first: Int!) { partnerships(first: $first) { totalCount } }"
    for body in ({"query": "{"}, {"query": "{ noSuchField }"}, {"query": query}):
        for accept in (JSON, "*/*", None):
            response = served.post(body, accept=accept)
            assert response.status_code == 200, (body, accept)
            assert response.headers["content-type"] == JSON
            answer = response.json()
            assert answer["data"] is None and answer["errors"], answer


# ---------------------------------------------------------- Accord's own refusals


def test_without_a_token_it_is_401_in_the_negotiated_media_type(served: Served) -> None:
    for accept, media_type in ((GRAPHQL_RESPONSE, GRAPHQL_RESPONSE), (JSON, JSON), (None, JSON)):
        headers = {"content-type": JSON} | ({"accept": accept} if accept else {})
        response = served.client.post(served.url, json={"query": "{ __typename }"}, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].split(";")[0] == media_type
        assert response.headers["www-authenticate"] == "Bearer"
        body = response.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_body_over_64_kib_is_still_413(served: Served) -> None:
    body = {"query": "{ __typename }", "variables": {"x": "a" * 70_000}}
    response = served.post(body)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_every_answer_has_a_request_id_and_the_ide_page_is_still_served(served: Served) -> None:
    answers = [
        served.post({"query": "{"}),
        served.post({"query": "{ __typename }"}, accept="text/plain"),
        served.post({"query": "{ __typename }"}, **{"content-type": "text/plain"}),
        served.get({"query": "mutation { __typename }"}),
    ]
    assert all(len(answer.headers["x-request-id"]) == 32 for answer in answers)
    page = served.client.get(served.url, headers={"accept": "text/html"})
    assert page.status_code == 200 and "GraphiQL" in page.text
