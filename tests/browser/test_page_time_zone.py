"""The page shows every time in the deployment's zone (ACCORD_TIMEZONE), not only in its
forms, and its days are whole days there (issue 14): a server in New York, a browser in
Los Angeles, and a decision taken at 22:30 on 30 June New York time (02:30 UTC on
1 July)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.api.server import start_server
from tests.browser.conftest import Demo, Watched, watch
from tests.browser.test_recording_forms import EVENT, mutate

ZONE = "America/New_York"
TAKEN = "2025-07-01T02:30:00+00:00"  # 22:30 EDT on 30 June
HEALTH = """query ($id: ID!, $asOf: DateTime) { partnership(id: $id) {
  health(asOf: $asOf) { check { answers { question evidence } } } } }"""


@pytest.fixture
def new_york(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Demo, dict[str, str]]]:
    """A server started with ACCORD_TIMEZONE=America/New_York, and two events' ids: a
    decision and a commitment due at noon New York time on 31 December 2025."""
    monkeypatch.setenv("ACCORD_TIMEZONE", ZONE)
    server = start_server(f"sqlite:///{tmp_path / 'zone.db'}")
    demo = Demo(server, "")
    try:
        formed = mutate(
            demo,
            "formPartnership",
            {"name": "Hudson Care", "purpose": "Times", "occurredAt": "2025-01-06T15:00:00Z"},
        )
        demo.partnership_id = formed["partnership"]["id"]
        for partner in ("p1", "p2"):
            mutate(
                demo,
                "joinPartner",
                {
                    "partnershipId": demo.partnership_id,
                    "partnerId": partner,
                    "name": f"Partner {partner}",
                    "sector": "OTHER",
                    "occurredAt": "2025-01-07T15:00:00Z",
                },
            )
        decision = mutate(
            demo,
            "recordDecision",
            {
                "partnershipId": demo.partnership_id,
                "title": "Late-night decision",
                "category": "STRATEGY",
                "method": "CONSENSUS",
                "decidedBy": ["p1", "p2"],
                "occurredAt": TAKEN,
            },
        )
        commitment = mutate(
            demo,
            "makeCommitment",
            {
                "partnershipId": demo.partnership_id,
                "partnerId": "p1",
                "kind": "STAFF",
                "quantity": 2,
                "dueAt": "2025-12-31T17:00:00Z",
                "occurredAt": "2025-02-03T15:00:00Z",
            },
        )
        yield demo, {"decision": decision["event"]["id"], "commitment": commitment["event"]["id"]}
    finally:
        server.stop()


def decisions_counted(demo: Demo, as_of: str) -> str:
    """The API's first line of evidence for "Is this a true partnership?" as of an instant."""
    answers = demo.query(HEALTH, asOf=as_of)["health"]["check"]["answers"]
    return str(answers[0]["evidence"][0])


def test_every_time_on_the_page_is_in_the_deployments_zone(
    chromium: Browser, new_york: tuple[Demo, dict[str, str]]
) -> None:
    demo, ids = new_york
    event_id = ids["decision"]
    assert demo.server.client.get("/forms.json").json()["timeZone"] == ZONE
    watched: Watched = watch(chromium, demo.server.url)  # the browser is in Los Angeles
    try:
        watched.open(
            f"{demo.url}?partnership={demo.partnership_id}&event={event_id}&asOf=2025-06-30"
        )
        page = watched.page
        expect(page.locator("#page-zone")).to_have_text(ZONE)

        # the details: New York time, with the zone's short name; the API's instant kept
        page.locator(f"#event-details[data-event-id='{event_id}'] #details-summary").wait_for()
        happened = page.locator("#details-body time").first
        expect(happened).to_have_text("30 Jun 2025, 22:30:00 EDT")
        assert happened.get_attribute("datetime") == TAKEN
        assert page.locator("#details-body time").nth(1).inner_text().endswith((" EST", " EDT"))

        # the decisions table: decided on 30 June there
        row = page.locator("#decisions-table tbody tr").first
        expect(row.locator("td").first).to_have_text("30 Jun 2025")
        assert row.locator("td").nth(9).inner_text().split("\n")[0].endswith((" EST", " EDT"))

        # as of 30 June means the end of 30 June in New York: the decision counts
        page.wait_for_selector("#health[data-as-of='2025-06-30'][aria-busy=false]")
        shown = page.locator("#health-cards article").first.locator("ul.evidence li").first
        expected = decisions_counted(demo, "2025-06-30T23:59:59.999999-04:00")
        assert expected.startswith("1 decision")
        assert decisions_counted(demo, "2025-06-30") != expected  # the UTC day would not
        expect(shown).to_have_text(expected)

        # the decisions' "to" filter is a whole day in New York too
        page.get_by_label("Decided to").fill("2025-06-30")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_selector("#decisions[data-count='1'][aria-busy=false]")

        # the timeline's axis reads New York time: zoomed to days, the decision's point
        # lies within the axis's 30 June, before the as-of line at that day's end
        days = [
            page.locator(f"#timeline .vis-time-axis .vis-text.vis-minor.{day}")
            for day in ("vis-day30.vis-june", "vis-day1.vis-july")
        ]
        for _ in range(12):  # zoom in until the axis shows the days around the decision
            page.locator("#timeline").focus()
            page.keyboard.press("+")
            page.locator("#decisions-table tbody button").first.click()
            page.wait_for_timeout(200)  # the window moves to the selected item
            if all(day.count() for day in days):
                break

        def left(selector: str) -> float:
            box = page.locator(f"#timeline {selector}").first.bounding_box()
            assert box is not None, selector
            return float(box["x"] + box["width"] / 2 if "dot" in selector else box["x"])

        point = left(".vis-item.vis-dot.decision-recorded")
        june_30 = left(".vis-time-axis .vis-text.vis-minor.vis-day30.vis-june")
        july_1 = left(".vis-time-axis .vis-text.vis-minor.vis-day1.vis-july")
        as_of = left(".vis-custom-time.as-of")
        assert june_30 < point < july_1, (june_30, point, july_1)
        assert point < as_of <= july_1 + 2, (point, as_of, july_1)

        # an instant in an entry's data (a commitment's dueAt) is shown in the zone too
        page.goto(f"{demo.url}?partnership={demo.partnership_id}&event={ids['commitment']}")
        due = page.locator("#details-body dl.data-list time")
        expect(due).to_have_text("31 Dec 2025, 12:00:00 EST")
        assert due.get_attribute("datetime") == "2025-12-31T17:00:00+00:00"

        # a form's "When it happened" shows and takes New York wall-clock time (not the
        # browser's, in Los Angeles), and is sent with New York's offset
        page.locator("#decisions [data-open-form=recordDecision]").click()
        form = page.locator("#record-dialog form[data-mutation=recordDecision]")
        expect(form).not_to_have_attribute("aria-busy", "true")
        occurred = form.locator("[name=occurredAt]")
        expect(form.locator("label[for=f-recordDecision-occurredAt]")).to_contain_text(
            f"({ZONE} time)"
        )
        shown = datetime.fromisoformat(occurred.input_value()).replace(tzinfo=ZoneInfo(ZONE))
        assert abs((shown - datetime.now(ZoneInfo(ZONE))).total_seconds()) < 120, shown
        occurred.fill("2025-07-01T10:30")  # EDT: 14:30 UTC
        expect(form).not_to_have_attribute("aria-busy", "true")
        form.locator("[name=title]").fill("Morning decision")
        form.locator("[name=category]").select_option("STRATEGY")
        form.locator("[name=method]").select_option("CONSENSUS")
        form.locator("[name=decidedBy][value=p1]").check()
        form.locator("button[type=submit]").click()
        page.locator("#record-dialog form[data-recorded-event]").wait_for()
        expect(form.locator(".form-success")).to_contain_text("(happened 1 Jul 2025, 10:30 EDT)")
        event = demo.server.data(EVENT, {"id": form.get_attribute("data-recorded-event")})
        assert event["node"]["occurredAt"] == "2025-07-01T14:30:00+00:00"
        assert watched.errors == []
    finally:
        watched.page.context.close()
