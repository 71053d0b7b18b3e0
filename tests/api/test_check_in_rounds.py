"""Check-in rounds through real HTTP: an ADMIN opens a round, the people asked answer by
form POST on their private links, the close records one check-in per partner with
enough answers, and `health` counts them as docs/METRICS.md says (figures worked by hand
below). Then: what is refused, and that nothing links an answer to an invitation."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import httpx
import pytest

from accord.application.rounds import token_digest
from tests.api.secured import SecuredServer
from tests.api.server import ApiServer

OPEN = """
mutation($input: OpenCheckInRoundInput!) {
  openCheckInRound(input: $input) {
    __typename
    ... on OpenCheckInRoundSuccess {
      event { id type data recordedBy }
      round { id status invited answered minimumResponses partners { partner { id } invited } }
      links { partner { id } url }
    }
    ... on ValidationError { field message }
    ... on ForbiddenError { message }
  }
}"""
CLOSE = """
mutation($input: CloseCheckInRoundInput!) {
  closeCheckInRound(input: $input) {
    __typename
    ... on CloseCheckInRoundSuccess {
      event { type data recordedBy }
      checkIns { type data recordedBy occurredAt }
      round { id status closedAt }
    }
    ... on ValidationError { field message }
    ... on ForbiddenError { message }
  }
}"""
ROUNDS = """
query($id: ID!, $asOf: DateTime) {
  partnership(id: $id) {
    checkInRounds(asOf: $asOf) {
      id opensAt closedAt status invited answered responseRate minimumResponses
      partners { partner { id } invited answered responseRate enough recorded }
    }
    health(asOf: $asOf) {
      trust { perceived respondents latestRound { roundId invited answered responseRate } }
      check { answers { question evidence } }
    }
  }
}"""
EVENTS = """
query($id: ID!) {
  partnership(id: $id) { history(first: 200) { edges { node { type data recordedBy } } } }
}"""

# What each person answers (reliability, openness, respect, sharedOwnership).
ANSWERS = {
    "nhs": [(5, 4, 4, 3), (4, 4, 3, 3), (3, 2, 4, 5), (2, 3, 3, 3)],
    "council": [(1, 2, 3, 4), (2, 2, 2, 2), (5, 5, 5, 4)],
    "gp": [(5, 5, 5, 5), (4, 4, 4, 4)],
}
ITEMS = ("reliability", "openness", "respect", "sharedOwnership")


def _form(items: tuple[int, int, int, int]) -> dict[str, str]:
    return {name: str(value) for name, value in zip(ITEMS, items, strict=True)}


def _partnership(api: Any, partners: list[str]) -> str:
    formed = api.data(
        'mutation { formPartnership(input: {name: "North", purpose: "Care"}) '
        "{ ... on FormPartnershipSuccess { partnership { id } } } }"
    )
    pid = formed["formPartnership"]["partnership"]["id"]
    for partner in partners:
        api.data(
            "mutation($input: JoinPartnerInput!) { joinPartner(input: $input) { __typename } }",
            {
                "input": {
                    "partnershipId": pid,
                    "partnerId": partner,
                    "name": partner.upper(),
                    "sector": "NHS_TRUST",
                }
            },
        )
    return str(pid)


def _open(api: Any, pid: str, counts: dict[str, int], **more: Any) -> dict[str, Any]:
    closes = (datetime.now(UTC) + timedelta(days=14)).isoformat()
    given = {
        "partnershipId": pid,
        "closesAt": closes,
        "minimumResponses": 3,
        "invitations": [{"partnerId": p, "count": n} for p, n in counts.items()],
        **more,
    }
    result: dict[str, Any] = api.data(OPEN, {"input": given})["openCheckInRound"]
    return result


@pytest.fixture
def round_logs() -> Iterator[list[str]]:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not record.name.startswith(("httpx", "httpcore")):  # the test's own client
                lines.append(self.format(record))

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lines
    root.removeHandler(handler)
    root.setLevel(before)


def test_a_round_answered_by_form_records_the_means_and_health_counts_them(
    api: ApiServer, round_logs: list[str]
) -> None:
    pid = _partnership(api, ["nhs", "council", "gp"])
    opened = _open(api, pid, {"nhs": 4, "council": 3, "gp": 2})
    assert opened["__typename"] == "OpenCheckInRoundSuccess"
    assert opened["event"]["type"] == "CHECK_IN_ROUND_OPENED"
    assert opened["event"]["data"]["invitations"] == [
        {"partnerId": "nhs", "count": 4},
        {"partnerId": "council", "count": 3},
        {"partnerId": "gp", "count": 2},
    ]
    assert opened["round"]["status"] == "OPEN" and opened["round"]["answered"] == 0
    links: dict[str, list[str]] = {}
    for link in opened["links"]:
        links.setdefault(link["partner"]["id"], []).append(link["url"])
    assert {p: len(urls) for p, urls in links.items()} == {"nhs": 4, "council": 3, "gp": 2}
    assert len({url for urls in links.values() for url in urls}) == 9

    for partner, given in ANSWERS.items():
        for url, items in zip(links[partner], given, strict=True):
            page = api.client.get(url)
            assert page.status_code == 200 and 'name="sharedOwnership"' in page.text
            answered = api.client.post(url, data=_form(items))
            assert answered.status_code == 200, answered.text
    round_id = opened["round"]["id"]
    live = api.data(ROUNDS, {"id": pid})["partnership"]["checkInRounds"][0]
    assert live["status"] == "OPEN" and live["answered"] == 9  # counted, nothing shown

    while_open = datetime.now(UTC)  # after the opening and every answer, before the close
    closed = api.data(CLOSE, {"input": {"partnershipId": pid, "roundId": round_id}})
    closed = closed["closeCheckInRound"]
    assert closed["__typename"] == "CloseCheckInRoundSuccess"
    assert closed["event"]["data"]["partners"] == [
        {"partnerId": "nhs", "invited": 4, "answered": 4},
        {"partnerId": "council", "invited": 3, "answered": 3},
        {"partnerId": "gp", "invited": 2, "answered": 2},
    ]
    check_ins = {c["data"]["respondentId"]: c for c in closed["checkIns"]}
    assert set(check_ins) == {"nhs", "council"}  # gp: 2 answers, fewer than 3: nothing
    nhs, council = check_ins["nhs"]["data"], check_ins["council"]["data"]
    # nhs: reliability (5+4+3+2)/4 = 3.5, openness (4+4+2+3)/4 = 3.25, respect 14/4 = 3.5,
    # sharedOwnership 14/4 = 3.5.
    assert [nhs[item] for item in ITEMS] == [3.5, 3.25, 3.5, 3.5]
    assert nhs["responses"] == 4 and nhs["roundId"] == round_id and nhs["aboutId"] is None
    # council: 8/3, 9/3 = 3, 10/3, 10/3 (unrounded).
    assert [council[item] for item in ITEMS] == pytest.approx([8 / 3, 3, 10 / 3, 10 / 3])
    assert council["responses"] == 3
    assert {c["recordedBy"] for c in closed["checkIns"]} == {f"check-in-round:{round_id}"}

    read = api.data(ROUNDS, {"id": pid})["partnership"]
    (view,) = read["checkInRounds"]
    assert (view["status"], view["invited"], view["answered"], view["responseRate"]) == (
        "CLOSED",
        9,
        9,
        1.0,
    )
    assert [
        (p["partner"]["id"], p["answered"], p["enough"], p["recorded"]) for p in view["partners"]
    ] == [("nhs", 4, True, True), ("council", 3, True, True), ("gp", 2, False, False)]
    # METRICS.md: a check-in's score is the mean of (x - 1) / 4 over its items; perceived
    # trust is the mean over the pairs, given at least ceil(2n/3) = 2 of 3 respondents.
    nhs_score = sum(Fraction(x) - 1 for x in ("7/2", "13/4", "7/2", "7/2")) / 16  # 39/64
    council_score = sum(Fraction(x) - 1 for x in ("8/3", "3", "10/3", "10/3")) / 16  # 25/48
    trust = read["health"]["trust"]
    assert trust["respondents"] == 2
    assert trust["perceived"] == pytest.approx(float((nhs_score + council_score) / 2))
    assert trust["latestRound"] == {
        "roundId": round_id,
        "invited": 9,
        "answered": 9,
        "responseRate": 1.0,
    }
    evidence = [
        line for answer in read["health"]["check"]["answers"] for line in answer["evidence"]
    ]
    assert any(
        re.match(r"Latest check-in round \(closed .*\): answered by 9 of 9 invited, 100%", line)
        for line in evidence
    ), evidence

    # As of a moment while the round was open: the round, open, and what was known then
    # (no answered count, which is known only live, and no closed round's rate); trust
    # without the round's check-ins, recorded only at the close.
    assert view["opensAt"] < while_open.isoformat() < view["closedAt"]
    then = api.data(ROUNDS, {"id": pid, "asOf": while_open.isoformat()})["partnership"]
    (was,) = then["checkInRounds"]
    assert (was["id"], was["status"], was["invited"], was["answered"]) == (
        round_id,
        "OPEN",
        9,
        None,
    )
    assert [
        (p["partner"]["id"], p["invited"], p["answered"], p["enough"], p["recorded"])
        for p in was["partners"]
    ] == [
        ("nhs", 4, None, None, None),
        ("council", 3, None, None, None),
        ("gp", 2, None, None, None),
    ]
    assert then["health"]["trust"]["respondents"] == 0
    assert then["health"]["trust"]["perceived"] is None
    assert then["health"]["trust"]["latestRound"] is None

    # Nothing links an answer to an invitation: no stored answer is left, no event or
    # log line holds a link's token.
    tokens = [url.rsplit("/", 1)[1] for urls in links.values() for url in urls]
    database = sqlite3.connect(api.runtime.database.path)
    try:
        assert database.execute("SELECT COUNT(*) FROM check_in_answers").fetchone() == (0,)
        assert database.execute(
            "SELECT COUNT(*) FROM check_in_invitations WHERE link IS NOT NULL"
        ).fetchone() == (0,)
    finally:
        database.close()
    events = api.data(EVENTS, {"id": pid})["partnership"]["history"]["edges"]
    text = str(events) + "\n".join(round_logs)
    for token in tokens:
        assert token not in text and token_digest(token) not in text


def _stored(api: ApiServer, pid: str) -> tuple[int, int]:
    """(the rows of the stored answers' table, the partnership's events), as they are."""
    database = sqlite3.connect(api.runtime.database.path)
    try:
        (answers,) = database.execute("SELECT COUNT(*) FROM check_in_answers").fetchone()
    finally:
        database.close()
    events = api.data(EVENTS, {"id": pid})["partnership"]["history"]["edges"]
    return int(answers), len(events)


def test_refusals_store_nothing(api: ApiServer) -> None:
    """A used link (409), an unknown token (404) and a link after the close (410) are
    refused, and nothing is stored: no answer row, no event, before or after the close;
    after the close no answer row is left at all."""
    pid = _partnership(api, ["nhs", "council"])
    opened = _open(api, pid, {"nhs": 3, "council": 3})
    first, second = opened["links"][0]["url"], opened["links"][1]["url"]
    no_answer = _stored(api, pid)
    assert no_answer[0] == 0
    assert api.client.post(first, data=_form((3, 3, 3, 3))).status_code == 200
    one_answer = _stored(api, pid)
    assert one_answer == (1, no_answer[1])  # an answer is stored, and records no event

    assert api.client.post(first, data=_form((1, 1, 1, 1))).status_code == 409
    assert _stored(api, pid) == one_answer
    unknown = "/check-in/" + "A" * 43
    assert api.client.get(unknown).status_code == 404
    assert api.client.post(unknown, data=_form((1, 1, 1, 1))).status_code == 404
    assert _stored(api, pid) == one_answer
    rounds = api.data(ROUNDS, {"id": pid})["partnership"]["checkInRounds"]
    assert rounds[0]["answered"] == 1

    round_id = opened["round"]["id"]
    api.data(CLOSE, {"input": {"partnershipId": pid, "roundId": round_id}})
    closed = _stored(api, pid)
    # No answer left; one event more: the close (1 answer, fewer than 3: no check-in).
    assert closed == (0, one_answer[1] + 1)
    history = api.data(EVENTS, {"id": pid})["partnership"]["history"]["edges"]
    assert [e["node"]["type"] for e in history].count("TRUST_CHECK_IN_RECORDED") == 0
    assert api.client.get(second).status_code == 410
    assert api.client.post(second, data=_form((1, 1, 1, 1))).status_code == 410
    assert _stored(api, pid) == closed
    again = api.data(CLOSE, {"input": {"partnershipId": pid, "roundId": round_id}})
    assert again["closeCheckInRound"]["field"] == "roundId"
    assert _stored(api, pid) == closed
    bad = _open(api, pid, {"nhs": 3}, minimumResponses=2)
    assert (bad["__typename"], bad["field"]) == ("ValidationError", "minimumResponses")
    past = _open(api, pid, {"nhs": 3}, closesAt="2020-01-01T00:00:00Z")
    assert (past["__typename"], past["field"]) == ("ValidationError", "closesAt")
    twice = _open(api, pid, {"nhs": 3}, invitations=[{"partnerId": "nhs", "count": 3}] * 2)
    assert (twice["__typename"], twice["field"]) == ("ValidationError", "invitations.1.partnerId")
    rounds = api.data(ROUNDS, {"id": pid})["partnership"]["checkInRounds"]
    assert len(rounds) == 1  # none of the refused opens left a round


def test_only_an_admin_opens_or_closes_a_round(tmp_path: Any) -> None:
    server = SecuredServer(f"sqlite:///{tmp_path / 'secured.db'}")
    try:
        admin, viewer = server.issue("ann"), server.issue("vic")
        api = server.api
        api.headers["Authorization"] = f"Bearer {admin}"
        api.close()
        pid = _partnership(api, ["nhs", "council"])
        api.data(
            "mutation($input: GrantRoleInput!) { grantRole(input: $input) { __typename } }",
            {"input": {"partnershipId": pid, "actor": "vic", "role": "VIEWER"}},
        )
        closes = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        given = {
            "partnershipId": pid,
            "closesAt": closes,
            "invitations": [{"partnerId": "nhs", "count": 3}],
        }
        refused = server.post(viewer, OPEN, {"input": given}).json()["data"]["openCheckInRound"]
        assert refused["__typename"] == "ForbiddenError"
        opened = server.post(admin, OPEN, {"input": given}).json()["data"]["openCheckInRound"]
        assert opened["__typename"] == "OpenCheckInRoundSuccess"
        round_id = opened["round"]["id"]
        close = {"input": {"partnershipId": pid, "roundId": round_id}}
        refused = server.post(viewer, CLOSE, close).json()["data"]["closeCheckInRound"]
        assert refused["__typename"] == "ForbiddenError"
        outsider = server.issue("mallory")
        hidden = server.post(outsider, CLOSE, close).json()["data"]["closeCheckInRound"]
        assert hidden["__typename"] == "ValidationError" and hidden["field"] == "partnershipId"
        # The answer page needs no token at all.
        url = opened["links"][0]["url"]

        assert url.startswith(api.url + "/check-in/")
        assert httpx.get(url).status_code == 200
    finally:
        server.stop()
