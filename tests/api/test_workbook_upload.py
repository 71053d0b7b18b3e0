"""`POST /partnerships/{id}/import`: a workbook uploaded over real HTTP to a server with
tokens on, judged as `accord import` judges it; the one route allowed a body over 64 KiB."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import httpx
import pytest

from accord.cli import main
from accord.web.uploads import MAX_UPLOAD_BYTES, UPLOAD_LIMITS
from tests.api.secured import SecuredServer
from tests.support.workbooks import fill

FORM = {"occurredAt": "2024-01-01", "name": "Harbour", "purpose": "Care at home"}
PARTNERS = [
    {"occurredAt": "2024-01-02", "partnerId": "city", "name": "City", "sector": "LOCAL_AUTHORITY"},
    {"occurredAt": "2024-01-02", "partnerId": "trust", "name": "Trust", "sector": "NHS_TRUST"},
]
ROLES = [
    {"occurredAt": "2024-01-03", "actor": "carol", "role": "RECORDER"},
    {"occurredAt": "2024-01-03", "actor": "victor", "role": "VIEWER"},
]
DECISION = {
    "occurredAt": "2024-02-01",
    "title": "Pool the budgets",
    "category": "RESOURCING",
    "method": "CONSENSUS",
    "decidedBy": "city; trust",
}


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[SecuredServer, str, Path]]:
    base = fill(
        tmp_path / "base.xlsx",
        {"formPartnership": [FORM], "joinPartner": PARTNERS, "grantRole": ROLES},
    )
    code, out = accord("import", str(base), "--actor", "alice", "--database", sqlite_url)
    assert code == 0, out
    server = SecuredServer(sqlite_url)
    try:
        yield server, out.strip(), tmp_path
    finally:
        server.stop()


def upload(
    server: SecuredServer,
    pid: str,
    token: str | None,
    path: Path,
    *,
    dry_run: bool = False,
    kind: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = {"kind": kind} if kind else {}
    return httpx.post(
        f"{server.api.url}/partnerships/{pid}/import" + ("?dryRun=true" if dry_run else ""),
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data=data,
        headers=headers,
        timeout=30,
    )


def entries(server: SecuredServer, pid: str) -> int:
    return server.tokens_runtime.app.partnership(uuid.UUID(pid)).version


def test_a_recorder_previews_then_records_a_workbook(
    world: tuple[SecuredServer, str, Path],
) -> None:
    server, pid, tmp = world
    path = fill(
        tmp / "decisions.xlsx",
        {"recordDecision": [DECISION, {**DECISION, "occurredAt": "2024-03-01"}]},
    )
    token = server.issue("carol")
    before = entries(server, pid)
    preview = upload(server, pid, token, path, dry_run=True)
    assert preview.status_code == 200, preview.text
    assert preview.json() == {
        "partnershipId": pid,
        "dryRun": True,
        "entries": 2,
        "recorded": 0,
        "sheets": [
            {"sheet": "Record a decision", "entries": 2, "from": "2024-02-01", "to": "2024-03-01"}
        ],
    }
    assert entries(server, pid) == before
    done = upload(server, pid, token, path)
    assert done.status_code == 200, done.text
    assert done.json()["recorded"] == 2
    assert entries(server, pid) == before + 2
    history = server.post(
        token,
        "query($id: ID!) { partnership(id: $id) {"
        " history(first: 20) { edges { node { type recordedBy } } } } }",
        {"id": pid},
    ).json()
    nodes = [edge["node"] for edge in history["data"]["partnership"]["history"]["edges"]]
    assert nodes[-1] == {"type": "DECISION_RECORDED", "recordedBy": "carol"}


def test_refusals_come_back_with_their_cells_and_nothing_is_recorded(
    world: tuple[SecuredServer, str, Path],
) -> None:
    server, pid, tmp = world
    path = fill(
        tmp / "bad.xlsx",
        {"recordDecision": [{**DECISION, "significance": 5}, {**DECISION, "decidedBy": "ghost"}]},
    )
    before = entries(server, pid)
    answer = upload(server, pid, server.issue("carol"), path)
    assert answer.status_code == 422
    body = answer.json()
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert [(r["where"], r["field"]) for r in body["refusals"]] == [
        ("'Record a decision'!E3", "significance"),
        ("'Record a decision'!G4", "decidedBy.0"),
    ]
    assert entries(server, pid) == before


def test_at_the_refusal_limit_the_answer_says_there_may_be_more(
    world: tuple[SecuredServer, str, Path],
) -> None:
    server, pid, tmp = world
    path = fill(tmp / "many.xlsx", {"recordDecision": [{**DECISION, "significance": 9}] * 60})
    before = entries(server, pid)
    body = upload(server, pid, server.issue("carol"), path).json()
    assert len(body["refusals"]) == 50 and body["more"] is True
    assert body["errors"][0]["message"] == (
        "50 refusals shown; there may be more: nothing was recorded"
    )
    few = fill(tmp / "few.xlsx", {"recordDecision": [{**DECISION, "significance": 9}] * 2})
    body = upload(server, pid, server.issue("carol"), few).json()
    assert body["more"] is False
    assert body["errors"][0]["message"] == "2 refusals: nothing was recorded"
    assert entries(server, pid) == before


def test_the_page_states_the_limits_the_server_enforces(
    world: tuple[SecuredServer, str, Path],
) -> None:
    server, _, _ = world
    page = httpx.get(f"{server.api.url}/")
    assert page.status_code == 200
    limits = re.search(
        r'id="import-limits"[^>]*data-file-bytes="(\d+)" data-entries="(\d+)">([^<]*)<',
        page.text,
    )
    assert limits is not None
    assert int(limits[1]) == UPLOAD_LIMITS.file_bytes == 10 * 1024 * 1024
    assert int(limits[2]) == UPLOAD_LIMITS.rows == 20_000
    assert " ".join(limits[3].split()).startswith("At most 10 MiB and 20,000 entries")


def test_a_recorder_may_not_upload_what_needs_an_admin(
    world: tuple[SecuredServer, str, Path],
) -> None:
    server, pid, tmp = world
    path = fill(
        tmp / "roles.xlsx",
        {"grantRole": [{"occurredAt": "2024-02-01", "actor": "dan", "role": "ADMIN"}]},
    )
    answer = upload(server, pid, server.issue("carol"), path)
    assert answer.status_code == 422
    assert answer.json()["refusals"][0]["where"] == "'Give someone a role'!A3"
    assert answer.json()["refusals"][0]["code"] == "FORBIDDEN"
    assert upload(server, pid, server.issue("alice"), path).status_code == 200


@pytest.mark.parametrize(
    ("actor", "status", "code"),
    [(None, 401, "UNAUTHENTICATED"), ("victor", 403, "FORBIDDEN"), ("mallory", 404, "NOT_FOUND")],
)
def test_access_is_as_for_mutations(
    world: tuple[SecuredServer, str, Path], actor: str | None, status: int, code: str
) -> None:
    server, pid, tmp = world
    path = fill(tmp / "decisions.xlsx", {"recordDecision": [DECISION]})
    before = entries(server, pid)
    answer = upload(server, pid, server.issue(actor) if actor else None, path)
    assert answer.status_code == status
    assert answer.json()["errors"][0]["extensions"]["code"] == code
    assert entries(server, pid) == before


def test_a_workbook_over_64_kib_is_taken_and_a_body_over_the_upload_limit_is_not(
    world: tuple[SecuredServer, str, Path],
) -> None:
    server, pid, tmp = world
    many = [{**DECISION, "title": f"Decision {n:04d} " + "x" * 150} for n in range(600)]
    path = fill(tmp / "many.xlsx", {"recordDecision": many})
    assert path.stat().st_size > 64 * 1024
    token = server.issue("carol")
    answer = upload(server, pid, token, path)
    assert answer.status_code == 200, answer.text
    assert answer.json()["recorded"] == 600
    huge = tmp / "huge.xlsx"
    huge.write_bytes(bytes(MAX_UPLOAD_BYTES + 1))
    answer = upload(server, pid, token, huge)
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    graphql = httpx.post(
        f"{server.api.url}/graphql",
        content=json.dumps({"query": "{ __typename }", "pad": "x" * 70_000}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert graphql.status_code == 413  # the 64 KiB limit everywhere else


def test_unreadable_files_and_bodies_are_bad_requests(
    world: tuple[SecuredServer, str, Path],
) -> None:
    server, pid, tmp = world
    token = server.issue("carol")
    macro = tmp / "macro.xlsm"
    macro.write_bytes(b"PK")
    answer = upload(server, pid, token, macro)
    assert answer.status_code == 400
    assert "macro-enabled workbook" in answer.json()["errors"][0]["message"]
    plain = httpx.post(
        f"{server.api.url}/partnerships/{pid}/import",
        content=b"not a form",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    assert plain.status_code == 415


def test_a_csv_sheet_is_uploaded_with_its_kind(world: tuple[SecuredServer, str, Path]) -> None:
    server, pid, tmp = world
    path = tmp / "decisions.csv"
    path.write_text(
        "occurredAt,title,category,method,decidedBy\n2024-02-01,=1+1,DELIVERY,VOTE,city\n"
    )
    token = server.issue("carol")
    assert upload(server, pid, token, path).status_code == 400  # no kind
    answer = upload(server, pid, token, path, kind="recordDecision")
    assert answer.status_code == 200, answer.text
    assert answer.json()["recorded"] == 1


def test_a_viewer_downloads_the_xlsx_export_and_anyone_the_template(
    world: tuple[SecuredServer, str, Path],
) -> None:
    import openpyxl

    server, pid, _ = world
    url = f"{server.api.url}/partnerships/{pid}/export.xlsx?asOf=2024-06-30"
    token = server.issue("victor")
    answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == 'attachment; filename="harbour-2024-06-30.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[0] == "History" and book["History"].max_row == 6
    assert httpx.get(url).status_code == 401
    stranger = httpx.get(url, headers={"Authorization": f"Bearer {server.issue('mallory')}"})
    assert stranger.status_code == 404
    template = httpx.get(f"{server.api.url}/registers.xlsx")
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames[1] == (
        "Start a partnership"
    )
