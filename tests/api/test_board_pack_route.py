"""`GET /partnerships/{id}/report.pdf` over real HTTP, tokens on: the board pack for
anyone who may read the partnership (a VIEWER, by token or signed in with a session
cookie and its X-Accord-CSRF header), the same 404 for an outsider and for an unknown
id, 401 without credentials (as the workbook export answers). A bare date is that whole
day in ACCORD_TIMEZONE (Europe/London here); a wrong option is refused with 400 naming
it, as `export.xlsx` refuses it; without `knownAt` the pack is as known when its newest
entry was recorded, so one ETag always names the same bytes."""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader

from accord.cli import main
from accord.web.board_pack import in_words
from tests.api.secured import UNKNOWN_ID, SecuredServer
from tests.api.signed_in import add_account, sign_in
from tests.support.scenarios import SCENARIOS

LONDON = ZoneInfo("Europe/London")


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SecuredServer, str]]:
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('pack') / 'accord.db'}"
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


def pages(pdf: bytes) -> list[str]:
    """Each page's text, white space squeezed to single spaces."""
    return [
        re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def viewer(server: SecuredServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.issue('victor')}"}


def test_a_viewer_signed_in_with_a_session_downloads_the_pack(
    world: tuple[SecuredServer, str],
) -> None:
    """The page's way: the session cookie and the session's X-Accord-CSRF header."""
    server, pid = world
    add_account(server, "victor")
    person = sign_in(server, "victor")
    path = f"/partnerships/{pid}/report.pdf?asOf=2026-09-30"
    answer = person.http.get(path, headers=person.headers(), timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert "Hartmoor Partnership 23" in pages(answer.content)[0]
    # The cookie alone (a cross-site request could carry it) is not enough.
    assert person.http.get(path, headers=person.headers(csrf=None)).status_code == 401


def test_a_bare_date_is_that_whole_day_in_accord_timezone(
    world: tuple[SecuredServer, str],
) -> None:
    """As of 30 June: the cover says 30 June at 23:59 (London's summer time), the story
    starts at the first minute of `since`'s day there, and the file is named for 30 June."""
    server, pid = world
    url = f"{server.api.url}/partnerships/{pid}/report.pdf?asOf=2025-06-30&since=2025-04-02"
    answer = httpx.get(url, headers=viewer(server), timeout=120)
    assert answer.status_code == 200, answer.text
    cover = pages(answer.content)[0]
    assert "As of 30 June 2025 at 23:59 BST" in cover
    assert "Since the last meeting 2 April 2025 at 00:00 BST" in cover
    assert answer.headers["content-disposition"].endswith('-board-pack-2025-06-30.pdf"')
    winter = httpx.get(
        f"{server.api.url}/partnerships/{pid}/report.pdf?asOf=2025-12-31&knownAt=2026-01-01",
        headers=viewer(server),
        timeout=120,
    )
    cover = pages(winter.content)[0]
    assert "As of 31 December 2025 at 23:59 GMT" in cover
    assert "As known at 1 January 2026 at 23:59 GMT" in cover
    # `since` left out: 90 days before, the same time of day on the local calendar.
    assert "Since the last meeting 2 October 2025 at 23:59 BST" in cover


REFUSED = [
    ("windowDays=999999999", "windowDays", "from 1 to 36,500"),
    ("windowDays=100000000000", "windowDays", "from 1 to 36,500"),
    ("windowDays=0", "windowDays", "from 1 to 36,500"),
    ("windowDays=a+year", "windowDays", "a whole number of days"),
    ("asOf=0001-01-01", "asOf", "out of range"),
    ("asOf=9999-12-31", "asOf", "out of range"),
    ("asOf=1899-12-31T23:59:59%2B00:00", "asOf", "out of range"),
    ("asOf=soon", "asOf", "'soon' is not an ISO-8601 date-time"),
    ("asOf=2025-02-30", "asOf", "not a valid date"),
    ("knownAt=soon", "knownAt", "'soon' is not an ISO-8601 date-time"),
    ("knownAt=2025-06-30T12:00", "knownAt", "has no offset"),
    ("knownAt=9999-12-31", "knownAt", "out of range"),
]
PACK_ONLY = [
    ("since=yesterday", "since", "'yesterday' is not an ISO-8601 date-time"),
    ("since=0001-01-01", "since", "out of range"),
    ("asOf=2025-06-30&since=2026-01-01", "since", "must not be after asOf"),
    ("asOf=2025-06-30&since=2025-07-01", "since", "must not be after asOf"),
]


def test_a_wrong_option_is_refused_with_400_naming_it(world: tuple[SecuredServer, str]) -> None:
    """The board pack and the workbook read their options alike: each wrong one is a 400
    whose message begins with the parameter's name (also in extensions.field), never a
    500, and no file is made."""
    server, pid = world
    headers = viewer(server)
    cases = [("report.pdf", *case) for case in REFUSED + PACK_ONLY]
    cases += [("export.xlsx", *case) for case in REFUSED]
    for download, query, field, fragment in cases:
        answer = httpx.get(
            f"{server.api.url}/partnerships/{pid}/{download}?{query}", headers=headers, timeout=60
        )
        assert answer.status_code == 400, (download, query, answer.text)
        assert answer.headers["content-type"] == "application/json", query
        (error,) = answer.json()["errors"]
        assert error["extensions"] == {"code": "BAD_REQUEST", "field": field}, query
        assert error["message"].startswith(f"{field}: "), (query, error["message"])
        assert fragment in error["message"], (query, error["message"])
        assert "content-disposition" not in answer.headers
    # The bounds themselves are taken.
    for query in ("windowDays=1", "windowDays=36500&asOf=1900-01-01", "asOf=9998-12-31"):
        answer = httpx.get(
            f"{server.api.url}/partnerships/{pid}/report.pdf?{query}", headers=headers, timeout=120
        )
        assert answer.status_code == 200, (query, answer.text)
    since_day = httpx.get(
        f"{server.api.url}/partnerships/{pid}/report.pdf?asOf=2025-06-30&since=2025-06-30",
        headers=headers,
        timeout=120,
    )
    assert since_day.status_code == 200, since_day.text  # a one-day story


def _newest_recorded(server: SecuredServer, pid: str) -> datetime:
    return max(e.recorded_at for e in server.api.runtime.reader.events(pid))


def _after_the_minute_of(moment: datetime) -> None:
    """Wait until the clock has passed the minute `moment` fell in (a pack printing
    "now" to the minute would then differ from one printing `moment`)."""
    next_minute = moment.replace(second=0, microsecond=0).timestamp() + 60
    time.sleep(max(0.0, next_minute - time.time() + 0.5))


def test_without_known_at_the_pack_is_as_known_at_its_newest_entry_and_one_etag_one_file(
    world: tuple[SecuredServer, str],
) -> None:
    """The page's usual download (asOf, no knownAt): the cover's "As known at" is when the
    newest entry was recorded, not the minute the pack was made, so the same request
    gives the same bytes and its ETag may be answered 304; the pack is byte for byte the
    one asked for as known at that moment."""
    server, pid = world
    headers = viewer(server)
    newest = _newest_recorded(server, pid)
    _after_the_minute_of(newest)
    url = f"{server.api.url}/partnerships/{pid}/report.pdf?asOf=2026-09-30"
    first = httpx.get(url, headers=headers, timeout=120)
    assert first.status_code == 200, first.text
    assert f"As known at {in_words(newest, LONDON)}" in pages(first.content)[0]
    again = httpx.get(url, headers=headers, timeout=120)
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    cached = httpx.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
    assert (cached.status_code, cached.content) == (304, b"")
    known = newest.isoformat().replace("+", "%2B")
    explicit = httpx.get(f"{url}&knownAt={known}", headers=headers, timeout=120)
    assert explicit.content == first.content


def test_the_workbook_s_bytes_do_not_depend_on_the_clock(
    world: tuple[SecuredServer, str],
) -> None:
    """export.xlsx's ETag names one file: two downloads seconds apart are the same bytes
    (openpyxl would date the file and each of its parts by the clock)."""
    server, pid = world
    headers = viewer(server)
    url = f"{server.api.url}/partnerships/{pid}/export.xlsx?asOf=2026-09-30"
    first = httpx.get(url, headers=headers, timeout=120)
    assert first.status_code == 200, first.text
    time.sleep(2.1)  # a zip entry's time has a two-second resolution
    again = httpx.get(url, headers=headers, timeout=120)
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert first.headers["content-disposition"].endswith('-2026-09-30.xlsx"')
    cached = httpx.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304


def test_a_pack_verifies_the_hash_chain_once(
    world: tuple[SecuredServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, pid = world
    app = server.api.runtime.app
    verify = app.verify
    calls: list[Any] = []

    def counted(partnership_id: uuid.UUID) -> Any:
        calls.append(partnership_id)
        return verify(partnership_id)

    monkeypatch.setattr(app, "verify", counted)
    url = f"{server.api.url}/partnerships/{pid}/report.pdf?asOf=2026-09-30&knownAt=2026-10-01"
    answer = httpx.get(url, headers=viewer(server), timeout=120)
    assert answer.status_code == 200, answer.text
    assert "The whole hash chain" in pages(answer.content)[0]
    assert calls == [uuid.UUID(pid)]
