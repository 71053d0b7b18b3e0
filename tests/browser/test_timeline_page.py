"""The timeline and health page shows what the GraphQL API returns, and only that."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser

from tests.browser.conftest import AXE, Demo, Watched, docs_image, watch

STATUS_LABELS = {
    "GREEN": "Green",
    "AMBER": "Amber",
    "RED": "Red",
    "INSUFFICIENT_DATA": "Insufficient data",
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

TIMELINE = """query ($id: ID!, $knownAt: DateTime, $from: DateTime, $to: DateTime,
                   $asOf: DateTime) {
  partnership(id: $id) {
  timeline(knownAt: $knownAt, from: $from, to: $to, asOf: $asOf) {
    groups { id content } items { id group content start end type className title eventId }
  } } }"""
EVENT = """query ($id: ID!) { node(id: $id) { ... on Event {
  id type recordedBy recordedAt hash summary retracted } } }"""
HEALTH = """query ($id: ID!, $asOf: DateTime) { partnership(id: $id) {
  health(asOf: $asOf) { check { classification answers { question status evidence prompt } } }
  } }"""
SERIES = """query ($id: ID!, $from: DateTime!, $to: DateTime!) { partnership(id: $id) {
  healthSeries(from: $from, to: $to, interval: MONTH) {
    asOf
    trust { index perceived respondents reliabilityMean reliabilityMin }
    power { decisionCount equality equity shares { partner { id } decisionShare } }
    capacity { fulfilment { kind value } vacantRoles longestVacancyDays }
    goals { activeGoals coverage agreement stalenessDays }
    check { classification answers { question status } }
  } } }"""
DECISIONS = """query ($id: ID!, $category: DecisionCategory, $partnerId: ID, $from: DateTime,
                    $to: DateTime) {
  partnership(id: $id) {
    decisions(first: 500, category: $category, partnerId: $partnerId, from: $from, to: $to) {
      totalCount edges { node { id } } } } }"""


def open_demo(page: Watched, demo: Demo, query: str = "") -> None:
    page.open(f"{demo.url}?partnership={demo.partnership_id}{query}")


def loaded_span(page: Watched) -> dict[str, str]:
    """The span the timeline's loaded windows cover, as `timeline(from, to)` takes it."""
    section = page.page.locator("#timeline-section")
    return {
        "from": section.get_attribute("data-loaded-from") or "",
        "to": section.get_attribute("data-loaded-to") or "",
    }


def whole_history(page: Watched, demo: Demo) -> list[dict[str, Any]]:
    """Show the whole history (every window loaded): the API's items, once drawn."""
    items: list[dict[str, Any]] = demo.query(TIMELINE)["timeline"]["items"]
    page.page.get_by_role("button", name="Whole history").click()
    page.page.wait_for_selector(
        f"#timeline-section[data-item-count='{len(items)}'][aria-busy=false]"
    )
    return items


def cards(page: Watched) -> list[dict[str, Any]]:
    """The four questions as the page shows them."""
    shown = []
    for card in page.page.locator("#health-cards article.card").all():
        shown.append(
            {
                "question": card.get_attribute("data-question"),
                "status": card.locator("[data-role=status]").inner_text().strip(),
                "evidence": [
                    line.strip() for line in card.locator("ul.evidence li").all_inner_texts()
                ],
                "prompt": card.locator("[data-role=prompt]").inner_text().strip(),
            }
        )
    return shown


def day_end(demo: Demo, day: str) -> str:
    """What the page means by "as of" a day: the end of that day in the deployment's time
    zone (dates.js), not the UTC day the API reads a bare date as."""
    zone = ZoneInfo(demo.server.client.get("/forms.json").json()["timeZone"])
    return datetime.combine(date.fromisoformat(day), time.max, tzinfo=zone).isoformat()


def api_cards(demo: Demo, as_of: str) -> list[dict[str, Any]]:
    """The four questions as the API answers them for that day (its end in the
    deployment's zone)."""
    answers = demo.query(HEALTH, asOf=day_end(demo, as_of))["health"]["check"]["answers"]
    return [
        {
            "question": answer["question"],
            "status": STATUS_LABELS[answer["status"]],
            "evidence": answer["evidence"],
            "prompt": answer["prompt"],
        }
        for answer in answers
    ]


def shown_status_is(shown: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    """Cards equal, where a card's status shows its label after a decorative symbol."""
    if len(shown) != len(expected):
        return False
    for card, answer in zip(shown, expected, strict=True):
        if not card["status"].endswith(answer["status"]):
            return False
        if {**card, "status": answer["status"]} != answer:
            return False
    return True


def test_the_demo_page_loads_without_console_errors_or_requests_elsewhere(
    browser_page: Watched, demo: Demo
) -> None:
    open_demo(browser_page, demo)
    page = browser_page.page
    name = demo.query("query ($id: ID!) { partnership(id: $id) { name } }")["name"]
    assert page.locator("h1").inner_text() == name
    assert page.locator("#partnership-select").input_value() == demo.partnership_id
    assert page.locator("#health-cards article.card").count() == 4
    assert page.locator("#charts figure canvas").count() == 5
    page.wait_for_timeout(300)  # late errors (resize observers, tooltips) surface too
    assert browser_page.errors == []
    assert browser_page.foreign_requests == []


def test_the_timeline_shows_as_many_items_as_the_api_returns(
    browser_page: Watched, demo: Demo
) -> None:
    open_demo(browser_page, demo, "&asOf=2025-06-30")
    page = browser_page.page
    # The year around the as-of date is loaded: the API's items for it, every one.
    timeline = demo.query(TIMELINE, **loaded_span(browser_page))["timeline"]
    count = len(timeline["items"])
    assert count > 50
    assert page.locator("#timeline-section").get_attribute("data-item-count") == str(count)
    assert (
        page.locator("#timeline-count").inner_text().startswith(f"{count} items in 6 lanes loaded")
    )
    # Every item is drawn, once, in its lane, or counted in a cluster of its lane.
    page.get_by_role("button", name="Zoom in").click()
    page.wait_for_timeout(300)
    drawn = page.eval_on_selector_all(
        "#timeline [data-item-id]", "nodes => nodes.map(node => node.dataset.itemId)"
    )
    assert len(drawn) == len(set(drawn)) > 10
    assert set(drawn) <= {item["id"] for item in timeline["items"]}
    page.get_by_role("button", name="Zoom out").click()
    page.wait_for_timeout(300)
    lanes = page.locator("#timeline .vis-labelset .vis-label").all_inner_texts()
    assert [lane.strip() for lane in lanes] == [group["content"] for group in timeline["groups"]]
    timeline = demo.query(TIMELINE, **loaded_span(browser_page))["timeline"]
    ranges = [item for item in timeline["items"] if item["type"] == "range"]
    boxes = page.locator("#timeline .vis-item.vis-range:not(.cluster)")
    assert 0 < boxes.count() <= len(ranges)
    # The whole history: a retracted item is marked.
    everything = whole_history(browser_page, demo)
    retracted = [item for item in everything if "retracted" in item["className"].split()]
    assert len(retracted) > 0
    # A retracted decision, reached from the decisions table, zoomed in to: drawn marked.
    row = page.locator("#decisions-table tr.retracted").first
    row.get_by_role("button").click()
    page.locator("#details-retracted").filter(has_text="Retracted").wait_for()
    event_id = page.locator("#event-details").get_attribute("data-event-id")
    item = next(item for item in retracted if item["eventId"] == event_id)
    page.locator("#timeline").focus()
    for _ in range(5):
        page.keyboard.press("+")
    page.locator(f"#timeline .vis-item.retracted [data-item-id='{item['id']}']").wait_for()
    assert browser_page.errors == []


def test_clicking_an_item_shows_its_event(browser_page: Watched, demo: Demo) -> None:
    open_demo(browser_page, demo, "&asOf=2025-06-30")
    page = browser_page.page
    items = {item["id"]: item for item in demo.query(TIMELINE)["timeline"]["items"]}
    tenure = page.locator("#timeline .vis-item.vis-range.leader-appointed").first
    item = items[tenure.locator("[data-item-id]").get_attribute("data-item-id") or ""]
    tenure.click()
    details = page.locator(f"#event-details[data-event-id='{item['eventId']}']")
    details.wait_for()
    event = demo.server.data(EVENT, {"id": item["eventId"]})["node"]
    assert page.locator("#details-summary").inner_text() == event["summary"]
    assert page.locator("#details-hash").inner_text() == event["hash"]
    assert page.locator("#details-recorded-by").inner_text() == event["recordedBy"]
    assert page.locator("#details-retracted").inner_text() == "Not retracted"
    assert page.locator("#timeline .vis-item.vis-selected").count() >= 1
    assert browser_page.errors == []


def test_the_keyboard_steps_through_items_and_shows_their_events(
    browser_page: Watched, demo: Demo
) -> None:
    open_demo(browser_page, demo)
    page = browser_page.page
    items = whole_history(browser_page, demo)
    ordered = sorted(items, key=lambda item: item["start"])
    page.locator("#timeline").focus()
    page.keyboard.press("Home")
    page.locator(f"#event-details[data-event-id='{ordered[0]['eventId']}']").wait_for()
    assert page.locator("#details-summary").inner_text().startswith("Partnership")
    page.keyboard.press("ArrowRight")
    page.locator(f"#event-details[data-event-id='{ordered[1]['eventId']}']").wait_for()
    # A retracted decision, reached from the decisions table: marked in words.
    row = page.locator("#decisions-table tr.retracted").first
    row.get_by_role("button").click()
    page.locator("#details-retracted").filter(has_text="Retracted").wait_for()
    assert page.evaluate("document.activeElement.id") == "details-heading"
    assert browser_page.errors == []


def test_moving_the_as_of_date_shows_the_apis_health_for_that_date(
    browser_page: Watched, demo: Demo
) -> None:
    open_demo(browser_page, demo)
    page = browser_page.page
    today = page.locator("#as-of-date").input_value()
    assert shown_status_is(cards(browser_page), api_cards(demo, today))

    page.get_by_label("As of date").fill("2024-06-30")
    page.wait_for_selector("#health[data-as-of='2024-06-30'][aria-busy=false]")
    mid_life = api_cards(demo, "2024-06-30")
    assert mid_life != api_cards(demo, today)
    assert shown_status_is(cards(browser_page), mid_life)
    assert page.locator("#as-of-range").get_attribute("aria-valuetext") == "30 June 2024"

    slider = page.get_by_label("As of: move through the partnership's life")
    slider.focus()
    page.keyboard.press("Home")
    formed = demo.query("query ($id: ID!) { partnership(id: $id) { formedAt } }")["formedAt"][:10]
    page.wait_for_selector(f"#health[data-as-of='{formed}'][aria-busy=false]")
    assert page.locator("#as-of-date").input_value() == formed
    assert shown_status_is(cards(browser_page), api_cards(demo, formed))
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    later = page.locator("#as-of-date").input_value()
    assert later > formed
    page.wait_for_selector(f"#health[data-as-of='{later}'][aria-busy=false]")
    assert shown_status_is(cards(browser_page), api_cards(demo, later))
    assert f"asOf={later}" in page.url
    assert browser_page.errors == []


def _expected_column(sample: dict[str, Any], column: str) -> Any:
    """The value a CSV column holds for one `Health` sample of the API."""
    if column.startswith("power.decisionShare."):
        partner = column.removeprefix("power.decisionShare.")
        shares = [s for s in sample["power"]["shares"] if s["partner"]["id"] == partner]
        return shares[0]["decisionShare"] if shares else None
    if column.startswith("capacity.fulfilment."):
        kind = column.removeprefix("capacity.fulfilment.")
        values = [k["value"] for k in sample["capacity"]["fulfilment"] if k["kind"] == kind]
        return values[0] if values else None
    if column.startswith("check.") and column != "check.classification":
        question = column.removeprefix("check.")
        return next(a["status"] for a in sample["check"]["answers"] if a["question"] == question)
    value: Any = sample
    for part in column.split("."):
        value = value[part]
    return value


def _same(cell: str, expected: Any) -> bool:
    if expected is None:
        return cell == ""
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return cell == str(expected)
    return math.isclose(float(cell), float(expected), rel_tol=0, abs_tol=1e-12)


def test_the_csv_export_matches_the_health_series(browser_page: Watched, demo: Demo) -> None:
    open_demo(browser_page, demo)
    page = browser_page.page
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download health series (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-health-monthly.csv")
    with Path(download.path()).open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))

    trends = page.locator("#trends")
    series = demo.query(
        SERIES, **{"from": trends.get_attribute("data-from"), "to": trends.get_attribute("data-to")}
    )["healthSeries"]
    assert len(rows) == len(series) > 12
    partners = {share["partner"]["id"] for sample in series for share in sample["power"]["shares"]}
    columns = list(rows[0])
    assert {f"power.decisionShare.{partner}" for partner in partners} <= set(columns)
    for row, sample in zip(rows, series, strict=True):
        for column in columns:
            expected = _expected_column(sample, column)
            assert _same(row[column], expected), (sample["asOf"], column, row[column], expected)
    assert browser_page.errors == []


def test_the_timeline_download_is_the_apis_timeline_for_vis_timeline(
    browser_page: Watched, demo: Demo
) -> None:
    open_demo(browser_page, demo, "&asOf=2025-06-30")
    page = browser_page.page
    # What is loaded is downloaded: the year around the as-of date, then everything.
    window = demo.query(TIMELINE, **loaded_span(browser_page))["timeline"]
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download timeline (vis-timeline JSON)").click()
    exported = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert exported["groups"] == window["groups"]
    assert sorted(item["id"] for item in exported["items"]) == sorted(
        item["id"] for item in window["items"]
    )
    whole_history(browser_page, demo)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download timeline (vis-timeline JSON)").click()
    exported = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    # Every window of the view was asked for with the view's as-of: a tenure still open
    # ends there in each, so the whole history asked for at that as-of is what is shown.
    as_of = page.locator("#timeline").get_attribute("data-view-as-of") or ""
    timeline = demo.query(TIMELINE, asOf=as_of)["timeline"]
    assert exported["groups"] == timeline["groups"]
    assert sorted(exported["items"], key=lambda item: item["id"]) == sorted(
        timeline["items"], key=lambda item: item["id"]
    )
    assert any(
        item["className"] == "leader-appointed"
        and datetime.fromisoformat(item["end"]) == datetime.fromisoformat(as_of)
        for item in timeline["items"]
    ), "the demo has a tenure still open"


def shown_decisions(page: Watched, count: int) -> list[str]:
    """Every decision row, once the table is asked for each page after the first."""
    page.page.wait_for_selector(f"#decisions[data-count='{count}'][aria-busy=false]")
    more = page.page.locator("#decisions-more")
    while more.is_visible():
        shown = page.page.locator("#decisions").get_attribute("data-shown")
        more.click()
        page.page.wait_for_selector(
            f"#decisions:not([data-shown='{shown}'])[aria-busy=false]", timeout=20_000
        )
    ids: list[str] = page.page.eval_on_selector_all(
        "#decisions-table tbody tr", "rows => rows.map(row => row.dataset.decisionId)"
    )
    return ids


def test_the_decisions_table_is_filtered_by_the_api(browser_page: Watched, demo: Demo) -> None:
    open_demo(browser_page, demo)
    page = browser_page.page
    everything = demo.query(DECISIONS)["decisions"]
    assert shown_decisions(browser_page, everything["totalCount"]) == [
        edge["node"]["id"] for edge in everything["edges"]
    ]

    page.get_by_label("Category").select_option("GOVERNANCE")
    page.get_by_label("Partner (deciding, consulted or dissenting)").select_option("carers-link")
    page.get_by_role("button", name="Apply filters").click()
    expected = demo.query(DECISIONS, category="GOVERNANCE", partnerId="carers-link")["decisions"]
    shown = shown_decisions(browser_page, expected["totalCount"])
    assert shown == [edge["node"]["id"] for edge in expected["edges"]]
    assert 0 < len(shown) < everything["totalCount"]

    page.get_by_role("button", name="Clear filters").click()
    page.get_by_label("Decided from").fill("2024-01-01")
    page.get_by_label("Decided to").fill("2024-12-31")
    page.get_by_role("button", name="Apply filters").click()
    expected = demo.query(DECISIONS, **{"from": "2024-01-01", "to": "2024-12-31"})["decisions"]
    shown = shown_decisions(browser_page, expected["totalCount"])
    assert shown == [edge["node"]["id"] for edge in expected["edges"]]
    assert 0 < len(shown) < everything["totalCount"]
    assert browser_page.errors == []


def test_as_known_at_shows_only_what_was_recorded_by_then(
    browser_page: Watched, demo: Demo
) -> None:
    open_demo(browser_page, demo)
    page = browser_page.page
    # The demo was recorded today: the day before, nothing of it was known.
    page.get_by_label("As known at").fill("2023-06-30")
    page.wait_for_selector("#health[data-known-at='2023-06-30'][aria-busy=false]")
    page.wait_for_selector("#timeline-section[data-item-count][aria-busy=false]")
    expected = demo.query(TIMELINE, knownAt="2023-06-30", **loaded_span(browser_page))
    count = len(expected["timeline"]["items"])
    page.wait_for_selector(f"#timeline-section[data-item-count='{count}'][aria-busy=false]")
    assert "as known at 30 June 2023" in page.locator("#timeline-count").inner_text()
    assert "knownAt=2023-06-30" in page.url
    page.get_by_role("button", name="Everything recorded so far").click()
    page.wait_for_selector("#timeline-section[data-item-count][aria-busy=false]")
    everything = demo.query(TIMELINE, **loaded_span(browser_page))["timeline"]["items"]
    assert len(everything) > count
    page.wait_for_selector(f"#timeline-section[data-item-count='{len(everything)}']")
    assert browser_page.errors == []


def test_recorded_text_is_shown_as_text_never_as_html(chromium: Browser, demo: Demo) -> None:
    hostile = '<img src=x onerror="window.pwned=1">Zz <b>partnership</b>'
    formed = demo.server.data(
        """mutation ($input: FormPartnershipInput!) { formPartnership(input: $input) {
             ... on FormPartnershipSuccess { partnership { id } } } }""",
        {"input": {"name": hostile, "purpose": "<script>window.pwned=2</script>"}},
    )["formPartnership"]["partnership"]["id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("joinPartner", {"partnerId": "p1", "name": "<i>One</i>", "sector": "OTHER"}),
        ("joinPartner", {"partnerId": "p2", "name": "Two", "sector": "OTHER"}),
        (
            "recordDecision",
            {
                "title": '<img src=y onerror="window.pwned=3">',
                "category": "STRATEGY",
                "method": "CONSENSUS",
                "decidedBy": ["p1", "p2"],
                "rationale": "<a href='javascript:alert(1)'>why</a>",
            },
        ),
    ]
    for mutation, values in steps:
        name = mutation[0].upper() + mutation[1:]
        result = demo.server.data(
            f"mutation ($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename }} }}",
            {"input": {"partnershipId": formed, **values}},
        )
        assert result[mutation]["__typename"] == f"{name}Success", result

    watched = watch(chromium, demo.server.url)
    try:
        watched.open(f"{demo.url}?partnership={formed}")
        page = watched.page
        assert page.locator("h1").inner_text() == hostile
        assert (
            page.locator("#partnership-purpose").inner_text() == "<script>window.pwned=2</script>"
        )
        shown = page.eval_on_selector_all(
            "#timeline [data-item-id]", "nodes => nodes.map(node => node.textContent)"
        )
        assert '<img src=y onerror="window.pwned=3">' in " ".join(shown)
        assert page.locator("#decisions-table").get_by_text("<i>One</i>").count() >= 1
        assert (
            page.locator("main img, main script, main b, main i, main a[href^=javascript]").count()
            == 0
        )
        assert page.evaluate("window.pwned") is None
        assert watched.errors == []
    finally:
        watched.page.context.close()


def test_axe_finds_no_wcag_2_2_a_or_aa_violations(chromium: Browser, demo: Demo) -> None:
    # The page's Content-Security-Policy forbids inline scripts: axe is injected with it
    # bypassed, in a context of its own.
    watched = watch(chromium, demo.server.url, bypass_csp=True)
    try:
        open_demo(watched, demo, "&asOf=2025-06-30")
        page = watched.page
        page.locator("#timeline .vis-item.vis-range.commitment-made").first.click()
        page.locator("#event-details[data-event-id]").wait_for()
        page.locator("#charts details").first.locator("summary").click()
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        violations = [
            f"{violation['id']} ({violation['impact']}): {violation['help']}: "
            + "; ".join(str(node["target"]) for node in violation["nodes"][:5])
            for violation in results["violations"]
        ]
        assert violations == []
        assert watched.errors == []
    finally:
        watched.page.context.close()


def test_a_screenshot_of_the_demo_page_is_saved_for_the_docs(
    browser_page: Watched, demo: Demo, tmp_path: Path
) -> None:
    open_demo(browser_page, demo, "&asOf=2025-06-30")
    page = browser_page.page
    page.wait_for_selector("#health[data-as-of='2025-06-30'][aria-busy=false]")
    page.wait_for_timeout(300)
    bottom = page.evaluate(
        "(() => { const r = document.querySelector('#trends').getBoundingClientRect();"
        " return Math.ceil(r.bottom + window.scrollY) + 16; })()"
    )
    target = docs_image("screenshot.png", tmp_path)
    page.screenshot(
        path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": 1400, "height": bottom}
    )
    assert target.stat().st_size > 50_000
    assert browser_page.errors == []
