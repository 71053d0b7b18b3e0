"""`GET /partnerships/{id}/report.pdf` over real HTTP, tokens on: the board pack for
anyone who may read the partnership (a VIEWER), the same 404 for an outsider and for an
unknown id, 401 without credentials (as the workbook export answers)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from accord.cli import main
from tests.api.secured import UNKNOWN_ID, SecuredServer
from tests.support.scenarios import SCENARIOS


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


@pytest.fixture
def world(sqlite_url: str) -> Iterator[tuple[SecuredServer, str]]:
    code, out = accord(
        "import",
        str(SCENARIOS / "hartmoor-a.steps.json"),
        "--actor",
        "alice",
        "--database",
        sqlite_url,
    )
    assert code == 0, out
    pid = out.strip()
    server = SecuredServer(sqlite_url)
    try:
        admin = server.issue("alice")
        granted = server.post(
            admin,
            "mutation($input: GrantRoleInput!) { grantRole(input: $input) { __typename } }",
            {"input": {"partnershipId": pid, "actor": "victor", "role": "VIEWER"}},
        )
        assert granted.json()["data"]["grantRole"]["__typename"] == "GrantRoleSuccess", granted.text
        yield server, pid
    finally:
        server.stop()


def test_a_viewer_gets_the_pdf_an_outsider_and_an_unknown_id_the_same_404(
    world: tuple[SecuredServer, str], tmp_path: Path
) -> None:
    server, pid = world
    query = "?asOf=2026-09-30&since=2026-07-01"
    url = f"{server.api.url}/partnerships/{pid}/report.pdf{query}"
    viewer = {"Authorization": f"Bearer {server.issue('victor')}"}
    answer = httpx.get(url, headers=viewer, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="hartmoor-partnership-23-board-pack-2026-09-30.pdf"'
    )
    reader = PdfReader(io.BytesIO(answer.content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "Hartmoor Partnership 23" in text and "Since 1 Jul 2026" in text
    assert "Status: " in text

    outsider = {"Authorization": f"Bearer {server.issue('mallory')}"}
    hidden = httpx.get(url, headers=outsider, timeout=60)
    unknown = httpx.get(
        f"{server.api.url}/partnerships/{UNKNOWN_ID}/report.pdf{query}", headers=outsider
    )
    not_an_id = httpx.get(f"{server.api.url}/partnerships/nope/report.pdf", headers=outsider)
    assert hidden.status_code == unknown.status_code == not_an_id.status_code == 404
    assert hidden.content == unknown.content == not_an_id.content
    assert hidden.headers["content-type"] == unknown.headers["content-type"]

    assert httpx.get(url, timeout=60).status_code == 401
    forged = {"Authorization": "Bearer acc_not-a-token"}
    assert httpx.get(url, headers=forged, timeout=60).status_code == 401
    bad = httpx.get(f"{server.api.url}/partnerships/{pid}/report.pdf?asOf=soon", headers=viewer)
    assert bad.status_code == 400
