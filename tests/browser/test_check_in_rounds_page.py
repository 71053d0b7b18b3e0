"""The trust card's check-in rounds (issue 16) in Chromium, against a real server: a round
opened through the API and answered through its links shows its answers so far while
open, and once closed the API's figures (invited, answered, rate per partner and
overall), the partners with too few answers marked, and health's evidence line; nothing
as of a day before it opened; free of WCAG 2.2 A and AA violations by axe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.api.server import ApiServer, start_server
from tests.browser.conftest import Watched, docs_image, watch
from tests.browser.test_recording_forms import axe_violations

GOOD = {"reliability": "4", "openness": "3", "respect": "5", "sharedOwnership": "2"}
NAMES = {"p1": "North Trust", "p2": "Eastshire Council", "p3": "Care Charity"}
INVITED = {"p1": 4, "p2": 5, "p3": 3}
ROUNDS = """query ($id: ID!, $asOf: DateTime, $knownAt: DateTime) { partnership(id: $id) {
  checkInRounds(asOf: $asOf, knownAt: $knownAt) {
    id status minimumResponses invited answered responseRate
    partners { partner { id name } invited answered responseRate enough } } } }"""
EVIDENCE = """query ($id: ID!) { partnership(id: $id) { health {
  check { answers { question evidence } } } } }"""
TRUST = "#health-cards article[data-question=TRUST]"


def mutate(server: ApiServer, mutation: str, values: dict[str, Any], extra: str = "") -> Any:
    name = mutation[0].upper() + mutation[1:]
    result = server.data(
        f"""mutation ($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename
             ... on Error {{ message }}
             ... on {name}Success {{ partnership {{ id }} {extra} }} }} }}""",
        {"input": values},
    )[mutation]
    assert result["__typename"] == f"{name}Success", result
    return result


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ApiServer]:
    served = start_server(f"sqlite:///{tmp_path / 'accord.db'}")
    try:
        yield served
    finally:
        served.stop()


def partnership(server: ApiServer) -> str:
    """Three partners, formed in January 2025."""
    formed = mutate(
        server,
        "formPartnership",
        {"name": "Rounds partnership", "purpose": "Asking its people", "occurredAt": "2025-01-06"},
    )["partnership"]["id"]
    for partner_id, name in NAMES.items():
        mutate(
            server,
            "joinPartner",
            {
                "partnershipId": formed,
                "partnerId": partner_id,
                "name": name,
                "sector": "OTHER",
                "occurredAt": "2025-01-07",
            },
        )
    return str(formed)


def open_round(
    server: ApiServer, partnership_id: str, **values: Any
) -> tuple[str, dict[str, list[str]]]:
    """A round asking the three partners' people; its id, and its links by partner."""
    closes = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    opened = mutate(
        server,
        "openCheckInRound",
        {
            "partnershipId": partnership_id,
            "closesAt": closes.isoformat().replace("+00:00", "Z"),
            "minimumResponses": 3,
            "invitations": [{"partnerId": p, "count": n} for p, n in INVITED.items()],
            **values,
        },
        "links { partner { id } url } round { id }",
    )
    links: dict[str, list[str]] = {}
    for link in opened["links"]:
        links.setdefault(link["partner"]["id"], []).append(urljoin(server.url, link["url"]))
    return opened["round"]["id"], links


def answer(links: list[str]) -> None:
    for url in links:
        response = httpx.post(url, data=GOOD, timeout=10)
        assert response.status_code == 200, response.text


def rounds(server: ApiServer, partnership_id: str, **variables: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = server.data(ROUNDS, {"id": partnership_id, **variables})[
        "partnership"
    ]["checkInRounds"]
    return found


def percent(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"


def open_page(
    chromium: Browser, server: ApiServer, partnership_id: str, query: str = ""
) -> Watched:
    watched = watch(chromium, server.url, bypass_csp=True)  # axe is injected
    watched.open(f"{server.url}/?partnership={partnership_id}{query}")
    return watched


def reload(watched: Watched) -> None:
    watched.page.reload()
    watched.page.wait_for_selector("#health[aria-busy=false]", timeout=20_000)


def shown_round(page: Page, round_id: str) -> Locator:
    return page.locator(f"{TRUST} [data-role=check-in-round][data-round-id='{round_id}']")


def expect_figures(shown: Locator, api_round: dict[str, Any]) -> None:
    """Each partner's row, and the overall line, are the API's figures."""
    rows = shown.locator("tbody tr")
    expect(rows).to_have_count(len(api_round["partners"]))
    for part in api_round["partners"]:
        row = shown.locator(f"tbody tr[data-partner-id={part['partner']['id']}]")
        expect(row.locator("th")).to_contain_text(part["partner"]["name"])
        expect(row.locator("[data-role=invited]")).to_have_text(str(part["invited"]))
        expect(row.locator("[data-role=answered]")).to_have_text(str(part["answered"]))
        expect(row.locator("[data-role=rate]")).to_have_text(percent(part["responseRate"]))
        expect(row.locator("[data-role=too-few]")).to_have_count(0 if part["enough"] else 1)
    overall = (
        f"answered by {api_round['answered']} of {api_round['invited']} invited, "
        f"{percent(api_round['responseRate'])}."
    )
    expect(shown.locator("[data-role=round-overall]")).to_contain_text(overall, ignore_case=True)


def test_a_rounds_figures_show_while_open_and_once_closed_and_not_before_it_opened(
    chromium: Browser, server: ApiServer, tmp_path: Path
) -> None:
    pid = partnership(server)
    watched = open_page(chromium, server, pid)
    page = watched.page
    try:
        expect(page.locator(f"{TRUST} .round-list")).to_have_count(0)  # no round: nothing

        round_id, links = open_round(server, pid)
        assert {p: len(urls) for p, urls in links.items()} == INVITED
        answer(links["p1"][:2] + links["p3"][:1])
        reload(watched)
        shown = shown_round(page, round_id)
        expect(shown).to_have_attribute("data-status", "OPEN")
        expect(shown.locator("[data-role=round-when]")).to_contain_text("Open: opened")
        expect(shown.locator("[data-role=round-overall]")).to_have_text(
            "So far answered by 3 of 12 invited, 25%."
        )
        expect(shown.locator("thead")).to_contain_text("Answered so far")
        (api_open,) = rounds(server, pid)
        assert api_open["status"] == "OPEN"
        assert [p["answered"] for p in api_open["partners"]] == [2, 0, 1]
        expect_figures(shown, api_open)
        expect(shown.locator("[data-role=too-few]").first).to_contain_text("so far")
        assert axe_violations(page, TRUST) == []

        answer(links["p1"][2:3] + links["p2"][:4])
        mutate(server, "closeCheckInRound", {"partnershipId": pid, "roundId": round_id})
        reload(watched)
        shown = shown_round(page, round_id)
        expect(shown).to_have_attribute("data-status", "CLOSED")
        expect(shown.locator("[data-role=round-when]")).to_contain_text("Closed: opened")
        (api_closed,) = rounds(server, pid)
        assert api_closed["status"] == "CLOSED"
        assert (api_closed["answered"], api_closed["invited"]) == (8, 12)
        assert [p["enough"] for p in api_closed["partners"]] == [True, True, False]
        expect_figures(shown, api_closed)
        expect(shown.locator("[data-role=round-overall]")).to_have_text(
            "Answered by 8 of 12 invited, 67%."
        )
        too_few = shown.locator("tbody tr[data-partner-id=p3] [data-role=too-few]")
        expect(too_few).to_have_text("too few responses: not recorded")

        # Health's evidence says the same, from the API and on the page.
        answers = server.data(EVIDENCE, {"id": pid})["partnership"]["health"]["check"]["answers"]
        (trust,) = [a["evidence"] for a in answers if a["question"] == "TRUST"]
        (line,) = [e for e in trust if e.startswith("Latest check-in round")]
        assert line.endswith("answered by 8 of 12 invited, 67%.")
        expect(page.locator(f"{TRUST} [data-role=evidence] li", has_text=line)).to_have_count(1)
        assert axe_violations(page, TRUST) == []
        target = docs_image("check-in-rounds.png", tmp_path)
        page.locator(TRUST).screenshot(path=str(target))
        assert target.stat().st_size > 10_000

        # As of a day before the round opened (the page's "As of date"): no round.
        page.fill("#as-of-date", "2025-06-30")
        page.wait_for_selector("#health[data-as-of='2025-06-30'][aria-busy=false]")
        assert rounds(server, pid, asOf="2025-06-30T23:59:59Z") == []
        expect(page.locator(f"{TRUST} .round-list")).to_have_count(0)
        expect(page.locator(f"{TRUST} [data-role=evidence]")).not_to_contain_text(
            "Latest check-in round"
        )
        assert watched.errors == []
        assert watched.foreign_requests == []
    finally:
        page.context.close()


def test_as_of_a_day_a_closed_round_was_open_its_answers_then_are_not_known(
    chromium: Browser, server: ApiServer
) -> None:
    pid = partnership(server)
    opened_at = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
    round_id, links = open_round(
        server, pid, occurredAt=opened_at.isoformat().replace("+00:00", "Z")
    )
    answer(links["p1"][:3])
    mutate(server, "closeCheckInRound", {"partnershipId": pid, "roundId": round_id})
    then = (datetime.now(ZoneInfo("Europe/London")) - timedelta(days=1)).date().isoformat()
    (api_then,) = rounds(server, pid, asOf=f"{then}T12:00:00Z")
    assert (api_then["status"], api_then["answered"]) == ("OPEN", None)

    watched = open_page(chromium, server, pid, f"&asOf={then}")
    page = watched.page
    try:
        page.wait_for_selector(f"#health[data-as-of='{then}'][aria-busy=false]")
        shown = shown_round(page, round_id)
        expect(shown).to_have_attribute("data-status", "OPEN")
        expect(shown.locator("[data-role=round-overall]")).to_contain_text(
            "12 people invited. Open then: how many had answered by that day is not kept"
        )
        for part in api_then["partners"]:
            row = shown.locator(f"tbody tr[data-partner-id={part['partner']['id']}]")
            expect(row.locator("[data-role=invited]")).to_have_text(str(part["invited"]))
            expect(row.locator("[data-role=answered]")).to_have_text("not known")
            expect(row.locator("[data-role=rate]")).to_have_text("–")
        expect(shown.locator("[data-role=too-few]")).to_have_count(0)
        assert axe_violations(page, TRUST) == []

        today = datetime.now(ZoneInfo("Europe/London")).date().isoformat()
        page.fill("#as-of-date", today)
        page.wait_for_selector(f"#health[data-as-of='{today}'][aria-busy=false]")
        shown = shown_round(page, round_id)
        expect(shown).to_have_attribute("data-status", "CLOSED")
        (api_now,) = rounds(server, pid)
        expect_figures(shown, api_now)

        # A second round: the latest first, the earlier one folded away.
        second_id, _ = open_round(server, pid)
        reload(watched)
        rounds_shown = page.locator(f"{TRUST} [data-role=check-in-round]")
        expect(rounds_shown).to_have_count(2)
        expect(rounds_shown.first).to_have_attribute("data-round-id", second_id)
        earlier = page.locator(f"{TRUST} details.round-earlier")
        expect(earlier.locator("summary")).to_have_text("Earlier rounds (1)")
        expect(shown_round(page, round_id)).to_be_hidden()
        earlier.locator("summary").click()
        expect(shown_round(page, round_id)).to_be_visible()
        expect_figures(shown_round(page, round_id), api_now)
        assert axe_violations(page, TRUST) == []
        assert watched.errors == []
    finally:
        page.context.close()
