"""`timeline(from, to, asOf)` over HTTP: a window whose `from` is after its `to` is refused
naming `from`, and windows of one view, fetched at different moments with the same
`asOf`, agree on where a tenure still open ends (API.md, Timeline)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.server import ApiServer
from tests.support.operations import Recorder

WINDOW = """query ($id: ID!, $from: DateTime, $to: DateTime, $asOf: DateTime) {
  partnership(id: $id) {
    timeline(from: $from, to: $to, asOf: $asOf) { items { id type className start end } }
  } }"""


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _with_an_open_tenure(api: ApiServer) -> tuple[str, str]:
    """A partnership whose chair, appointed on 1 March 2024, has not left: its id and the
    tenure's item id."""
    recorder = Recorder(api)
    pid = recorder.form()
    recorder.record(
        "joinPartner",
        {
            "partnershipId": pid,
            "partnerId": "nhs",
            "name": "NHS Trust",
            "sector": "NHS_TRUST",
            "occurredAt": "2024-02-01",
        },
    )
    tenure = recorder.record(
        "appointLeader",
        {
            "partnershipId": pid,
            "role": "chair",
            "partnerId": "nhs",
            "person": "A. Chair",
            "occurredAt": "2024-03-01",
        },
    )
    return pid, str(tenure["id"])


def _tenure(api: ApiServer, pid: str, tenure: str, **window: str) -> dict[str, Any]:
    items = api.data(WINDOW, {"id": pid, **window})["partnership"]["timeline"]["items"]
    found: dict[str, Any] = next(item for item in items if item["id"] == tenure)
    return found


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-01-01", "2025-01-01"),
        ("2025-06-01T12:00:00Z", "2025-06-01T11:59:59Z"),
    ],
)
def test_a_window_whose_from_is_after_its_to_is_refused_naming_from(
    api: ApiServer, start: str, end: str
) -> None:
    pid = Recorder(api).form()
    body = api.post(WINDOW, {"id": pid, "from": start, "to": end})
    assert body["data"] == {"partnership": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["extensions"]["argument"] == "from"
    assert error["message"].startswith("from: must not be after `to`")
    assert error["path"] == ["partnership", "timeline"]


def test_a_window_of_one_day_or_one_instant_is_not_refused(api: ApiServer) -> None:
    """A bare `from` is the start of its day and a bare `to` its end: the same day is a
    window; so is one instant."""
    pid = Recorder(api).form()
    for start, end in (("2024-01-01", "2024-01-01"), ("2024-01-01T00:00Z", "2024-01-01T00:00Z")):
        items = api.data(WINDOW, {"id": pid, "from": start, "to": end})["partnership"]["timeline"][
            "items"
        ]
        assert [item["className"] for item in items] == ["partnership-formed"]


def test_windows_fetched_at_different_moments_with_one_as_of_agree_on_an_open_tenure(
    api: ApiServer,
) -> None:
    pid, tenure = _with_an_open_tenure(api)
    as_of = datetime.now(UTC).isoformat()
    first = _tenure(api, pid, tenure, **{"from": "2024-01-01", "to": "2024-12-31"}, asOf=as_of)
    time.sleep(1.1)  # the server's "now" moves on between the two windows
    later = _tenure(api, pid, tenure, **{"from": "2025-01-01", "to": "2025-12-31"}, asOf=as_of)
    assert first == later
    assert first["type"] == "range" and _instant(first["end"]) == _instant(as_of)
    # A bare date is the end of that day; before the appointment, the tenure is a moment.
    day = _tenure(api, pid, tenure, asOf="2025-06-30")
    assert _instant(day["end"]) == datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)
    early = _tenure(api, pid, tenure, asOf="2024-01-15")
    assert early["end"] == early["start"]


def test_without_as_of_an_open_tenure_ends_at_the_moment_asked(api: ApiServer) -> None:
    """`asOf` left out is now: each request's own moment (so a client fetching a view
    window by window passes one `asOf` to them all)."""
    pid, tenure = _with_an_open_tenure(api)
    before = datetime.now(UTC)
    end = _instant(_tenure(api, pid, tenure)["end"])
    assert before <= end <= datetime.now(UTC) + timedelta(seconds=1)
