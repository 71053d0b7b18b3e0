"""The page sends only what is seen (issue 19): the timeline loads the window on screen
and then its neighbours as the person pans or zooms, each once, dense lanes clustered;
the decisions table loads a page at a time, on request, never repeating a row; and the
numbers on the page are the API's at each step."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from tests.browser.conftest import Demo, Watched

WINDOW = timedelta(days=365)
TIMELINE = """query ($id: ID!, $from: DateTime, $to: DateTime) { partnership(id: $id) {
  timeline(from: $from, to: $to) {
    groups { id content } items { id group content start end type className title eventId }
  } } }"""
DECISIONS = """query ($id: ID!, $first: Int!, $after: String) { partnership(id: $id) {
  decisions(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }"""


class Requests:
    """The GraphQL operations the page sends, by name, with their variables."""

    def __init__(self, watched: Watched) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        watched.page.on("request", self.seen)

    def seen(self, request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            body = json.loads(request.post_data or "{}")
            query: str = body.get("query", "")
            name = query.split("(")[0].split()[-1] if query.strip().startswith("query") else ""
            self.sent.append((name, body.get("variables") or {}))

    def named(self, name: str) -> list[dict[str, Any]]:
        return [variables for sent, variables in self.sent if sent == name]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def loaded(page: Watched) -> tuple[str, str, int]:
    section = page.page.locator("#timeline-section")
    return (
        section.get_attribute("data-loaded-from") or "",
        section.get_attribute("data-loaded-to") or "",
        int(section.get_attribute("data-item-count") or "0"),
    )


def api_items(demo: Demo, start: str, end: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = demo.query(TIMELINE, **{"from": start, "to": end})["timeline"][
        "items"
    ]
    return items


def drawn_ids(page: Watched) -> list[str]:
    ids: list[str] = page.page.eval_on_selector_all(
        "#timeline [data-item-id]", "nodes => nodes.map(node => node.dataset.itemId)"
    )
    return ids


def clustered(page: Watched) -> list[int]:
    """How many items each cluster drawn holds."""
    sizes: list[int] = page.page.eval_on_selector_all(
        "#timeline .vis-item.cluster [data-cluster]", "nodes => nodes.map(n => +n.dataset.cluster)"
    )
    return sizes


def wait_for_count(page: Watched, count: int) -> None:
    page.page.wait_for_selector(
        f"#timeline-section[data-item-count='{count}'][aria-busy=false]", timeout=20_000
    )


def open_at(page: Watched, demo: Demo, as_of: str) -> Requests:
    requests = Requests(page)
    page.open(f"{demo.url}?partnership={demo.partnership_id}&asOf={as_of}")
    page.page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    return requests


def test_the_page_loads_the_year_around_the_as_of_date_then_the_next_as_it_pans(
    browser_page: Watched, demo: Demo
) -> None:
    requests = open_at(browser_page, demo, "2025-06-30")
    page = browser_page.page
    start, end, count = loaded(browser_page)
    assert _instant(end) - _instant(start) == WINDOW
    assert _instant(start) < datetime(2025, 6, 30, tzinfo=UTC) < _instant(end)
    # One request, for the window on screen: the API's items for it, every one.
    windows = requests.named("TimelineWindow")
    assert len(windows) == 1
    assert (_instant(windows[0]["from"]), _instant(windows[0]["to"])) == (
        _instant(start),
        _instant(end),
    )
    expected = api_items(demo, start, end)
    assert count == len(expected) > 20
    assert "Timeline" not in {name for name, _ in requests.sent}  # never the whole history
    text = page.locator("#timeline-count").inner_text()
    assert text.startswith(f"{count} items in 6 lanes loaded")
    assert set(drawn_ids(browser_page)) <= {item["id"] for item in expected}

    # Panning past the loaded window's start loads the year before it, once, and draws it.
    page.get_by_role("button", name="Earlier").click()
    page.get_by_role("button", name="Earlier").click()
    earlier = (_instant(start) - WINDOW).isoformat()
    both = api_items(demo, earlier, end)
    wait_for_count(browser_page, len(both))
    new_start, new_end, _ = loaded(browser_page)
    assert (_instant(new_start), _instant(new_end)) == (_instant(earlier), _instant(end))
    windows = requests.named("TimelineWindow")
    assert len(windows) == 2
    assert (_instant(windows[1]["from"]), _instant(windows[1]["to"])) == (
        _instant(earlier),
        _instant(start),
    )
    only_earlier = {item["id"] for item in api_items(demo, earlier, start)} - {
        item["id"] for item in expected
    }
    drawn = drawn_ids(browser_page)
    assert only_earlier & set(drawn)
    assert len(drawn) == len(set(drawn))  # every item drawn once, whichever windows hold it
    assert (
        page.locator("#timeline-count")
        .inner_text()
        .startswith(f"{len(both)} items in 6 lanes loaded")
    )

    # Back where it started: nothing is fetched again.
    page.get_by_role("button", name="Later").click()
    page.get_by_role("button", name="Later").click()
    page.wait_for_timeout(500)
    assert len(requests.named("TimelineWindow")) == 2
    assert loaded(browser_page)[2] == len(both)
    assert browser_page.errors == []


def test_whole_history_loads_every_window_once_and_clusters_dense_lanes(
    browser_page: Watched, demo: Demo
) -> None:
    requests = open_at(browser_page, demo, "2025-06-30")
    page = browser_page.page
    in_year = sum(clustered(browser_page))
    page.get_by_role("button", name="Whole history").click()
    everything = demo.query(TIMELINE)["timeline"]["items"]
    wait_for_count(browser_page, len(everything))
    page.locator("#timeline .vis-item.cluster").first.wait_for()
    page.wait_for_timeout(300)
    clusters = clustered(browser_page)
    drawn = drawn_ids(browser_page)
    assert clusters and min(clusters) >= 2
    assert sum(clusters) > in_year
    # Fewer boxes than items: the rest are counted in clusters.
    assert len(drawn) < len(everything)
    assert len(drawn) == len(set(drawn))
    # Each window was asked for once: the windows asked for never overlap.
    windows = sorted(
        (_instant(v["from"]), _instant(v["to"])) for v in requests.named("TimelineWindow")
    )
    assert len(windows) >= 2
    for (_, earlier_end), (later_start, _) in pairwise(windows):
        assert earlier_end <= later_start
    # Zooming in opens the clusters again.
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    page.locator("#timeline [data-item-id]").first.wait_for()
    assert loaded(browser_page)[2] == len(everything)
    assert browser_page.errors == []


CLUSTERED_SHARE = """() => {
  const inClusters = [...document.querySelectorAll("#timeline .vis-item.cluster [data-cluster]")]
    .reduce((sum, node) => sum + Number(node.dataset.cluster), 0);
  const boxes = document.querySelectorAll("#timeline [data-item-id]").length;
  return inClusters + boxes ? inClusters / (inClusters + boxes) : 0;
}"""


def share_until(page: Any, wanted: Callable[[float], bool], seconds: float = 20) -> None:
    """Wait until the share of items in clusters is `wanted` (polled: the page's CSP
    allows no evaluated strings, which `wait_for_function` needs)."""
    deadline = time.monotonic() + seconds
    while not wanted(share := float(page.evaluate(CLUSTERED_SHARE))):
        assert time.monotonic() < deadline, f"the share of items in clusters stayed {share}"
        page.wait_for_timeout(100)


def test_zooming_out_clusters_dense_lanes_and_zooming_in_opens_them(
    browser_page: Watched, demo: Demo
) -> None:
    open_at(browser_page, demo, "2025-06-30")
    page = browser_page.page
    year: float = page.evaluate(CLUSTERED_SHARE)
    assert year < 1
    for _ in range(3):
        page.get_by_role("button", name="Zoom out").click()
    # More of what is on screen is counted in clusters, each of two items or more.
    share_until(page, lambda share: share > year)
    assert min(clustered(browser_page)) >= 2
    drawn = drawn_ids(browser_page)
    assert len(drawn) == len(set(drawn))
    zoomed_out: float = page.evaluate(CLUSTERED_SHARE)
    for _ in range(6):
        page.get_by_role("button", name="Zoom in").click()
    share_until(page, lambda share: share < zoomed_out)
    assert page.locator("#timeline [data-item-id]").count() > 0
    assert browser_page.errors == []


def test_the_decisions_table_loads_more_on_request_never_repeating_a_row(
    browser_page: Watched, demo: Demo
) -> None:
    requests = open_at(browser_page, demo, "2025-06-30")
    page = browser_page.page
    expected: list[str] = []
    after = None
    while True:
        answer = demo.query(DECISIONS, first=50, after=after)["decisions"]
        expected += [edge["node"]["id"] for edge in answer["edges"]]
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
    total = answer["totalCount"]
    assert total == len(expected) > 50

    def shown() -> list[str]:
        page.wait_for_selector("#decisions[aria-busy=false]")
        ids: list[str] = page.eval_on_selector_all(
            "#decisions-table tbody tr", "rows => rows.map(row => row.dataset.decisionId)"
        )
        return ids

    page.wait_for_selector(f"#decisions[data-count='{total}'][data-shown='50']")
    assert shown() == expected[:50]
    count = page.locator("#decisions-count").inner_text()
    assert count.startswith(f"{total} decisions recorded; the first 50 shown")
    assert len(requests.named("DecisionsPage")) == 1
    more = page.get_by_role("button", name="Show more decisions")
    assert more.inner_text() == f"Show more decisions (50 of {total} shown)"
    more.dblclick()  # a double click still loads the next page once
    page.wait_for_selector(f"#decisions[data-shown='{min(100, total)}']")
    rows = shown()
    assert rows == expected[:100]
    assert len(rows) == len(set(rows))
    pages = requests.named("DecisionsPage")
    assert len(pages) == 2
    assert pages[1]["after"] and pages[1]["first"] == 50
    while more.is_visible():
        before = int(page.locator("#decisions").get_attribute("data-shown") or "0")
        more.click()
        page.wait_for_selector(f"#decisions[data-shown='{min(before + 50, total)}']")
    assert shown() == expected
    assert len(requests.named("DecisionsPage")) == -(-total // 50)
    assert page.locator("#decisions-count").inner_text().startswith(f"{total} decisions recorded")
    assert "shown" not in page.locator("#decisions-count").inner_text()
    assert browser_page.errors == []


def test_a_quiet_partnership_opens_on_the_year_up_to_its_latest_entry(
    chromium: Any, tmp_path: Any
) -> None:
    """Nothing recorded in the year around today: the page shows the year around the
    latest entry instead of an empty window (two windows asked for, each once)."""
    from tests.api.server import start_server
    from tests.browser.conftest import watch

    server = start_server(f"sqlite:///{tmp_path / 'quiet.db'}")
    watched = None
    try:
        long_ago = datetime.now(UTC) - timedelta(days=3 * 365)
        formed = server.data(
            "mutation($input: FormPartnershipInput!) { formPartnership(input: $input) "
            "{ ... on FormPartnershipSuccess { partnership { id } } } }",
            {"input": {"name": "Quiet", "purpose": "Care", "occurredAt": long_ago.isoformat()}},
        )
        pid = formed["formPartnership"]["partnership"]["id"]
        for days in range(10, 60, 10):
            server.data(
                "mutation($input: SetGoalInput!) { setGoal(input: $input) { __typename } }",
                {
                    "input": {
                        "partnershipId": pid,
                        "statement": f"Goal {days}",
                        "occurredAt": (long_ago + timedelta(days=days)).isoformat(),
                    }
                },
            )
        latest = server.data(
            "query($id: ID!, $from: DateTime!, $to: DateTime!) { partnership(id: $id) "
            "{ timeline(from: $from, to: $to) { items { id } latest } } }",
            {"id": pid, "from": "2000-01-01", "to": "2000-12-31"},
        )["partnership"]["timeline"]
        assert latest["items"] == []  # nothing in that window, but where to look is known
        assert _instant(latest["latest"]) == long_ago + timedelta(days=50)
        watched = watch(chromium, server.url)
        requests = Requests(watched)
        watched.open(f"{server.url}/?partnership={pid}")
        watched.page.wait_for_selector("body[data-ready=true]", timeout=20_000)
        start, end, count = loaded(watched)
        assert count == 6  # its formation and five goals
        assert _instant(start) < long_ago + timedelta(days=50) < _instant(end)
        windows = requests.named("TimelineWindow")
        assert len(windows) == len({(w["from"], w["to"]) for w in windows}) == 2
    finally:
        if watched is not None:
            watched.page.context.close()
        server.stop()


class Windows:
    """The page's TimelineWindow answers, as they arrive: (variables, the answer)."""

    def __init__(self, watched: Watched) -> None:
        self.answers: list[Any] = []
        watched.page.on("response", self.seen)

    def seen(self, response: Any) -> None:
        request = response.request
        if not (request.method == "POST" and request.url.endswith("/graphql")):
            return
        if "query TimelineWindow" in json.loads(request.post_data or "{}").get("query", ""):
            self.answers.append(response)

    def wait_for(self, watched: Watched, count: int) -> list[tuple[dict[str, Any], Any]]:
        """The first `count` answers (variables, timeline), once they have come."""
        for _ in range(200):
            if len(self.answers) >= count:
                break
            watched.page.wait_for_timeout(100)
        assert len(self.answers) >= count, f"{len(self.answers)} TimelineWindow answers"
        return [
            (json.loads(answer.request.post_data)["variables"], answer.json()["data"])
            for answer in self.answers[:count]
        ]


def test_windows_fetched_at_different_moments_agree_on_where_an_open_tenure_ends(
    chromium: Any, tmp_path: Any
) -> None:
    """Every window of a view is asked for with the view's one `asOf` (the instant it
    opened), so a tenure still open ends at the same instant in each, however far apart
    they are fetched; a new entry seen live opens a new view, with a later `asOf`."""
    from tests.api.server import start_server
    from tests.browser.conftest import watch
    from tests.support.operations import Recorder

    server = start_server(f"sqlite:///{tmp_path / 'tenure.db'}")
    watched = None
    try:
        now = datetime.now(UTC)
        recorder = Recorder(server)
        pid = recorder.form(occurredAt=(now - timedelta(days=3 * 365)).isoformat())
        recorder.record(
            "joinPartner",
            {
                "partnershipId": pid,
                "partnerId": "nhs",
                "name": "NHS Trust",
                "sector": "NHS_TRUST",
                "occurredAt": (now - timedelta(days=1000)).isoformat(),
            },
        )
        tenure = recorder.record(
            "appointLeader",
            {
                "partnershipId": pid,
                "role": "chair",
                "partnerId": "nhs",
                "person": "A. Chair",
                "occurredAt": (now - timedelta(days=2 * 365)).isoformat(),
            },
        )["id"]
        watched = watch(chromium, server.url)
        windows = Windows(watched)
        watched.open(f"{server.url}/?partnership={pid}")
        page = watched.page
        page.wait_for_selector("body[data-ready=true]", timeout=20_000)
        page.wait_for_selector("#live-status[data-live=live]", timeout=20_000)

        def ends(answers: list[tuple[dict[str, Any], Any]]) -> list[tuple[datetime, datetime]]:
            """For each answer: the `asOf` it was asked with, and where the tenure ends."""
            found = []
            for variables, data in answers:
                items = data["partnership"]["timeline"]["items"]
                (item,) = [item for item in items if item["id"] == tenure]
                found.append((_instant(variables["asOf"]), _instant(item["end"])))
            return found

        # The year around today, then (over a second later) the year before it: both show
        # the tenure, and agree on its end: the view's as-of.
        page.wait_for_timeout(1_100)
        page.get_by_role("button", name="Earlier").click()
        page.get_by_role("button", name="Earlier").click()
        first_view = windows.wait_for(watched, 2)
        view_as_of = _instant(page.locator("#timeline").get_attribute("data-view-as-of") or "")
        assert ends(first_view) == [(view_as_of, view_as_of)] * 2
        assert now < view_as_of < datetime.now(UTC)
        # another window, fetched later
        assert _instant(first_view[1][0]["to"]) <= _instant(first_view[0][0]["from"])

        # A new entry, seen live: a new view, at a later as-of, which all its windows use.
        recorder.record("setGoal", {"partnershipId": pid, "statement": "Fewer admissions"})
        refreshed = windows.wait_for(watched, 3)
        page.wait_for_selector("#timeline-section[aria-busy=false]")
        page.get_by_role("button", name="Later").click()
        page.get_by_role("button", name="Later").click()
        second_view = ends(windows.wait_for(watched, 4)[2:])
        later_as_of = _instant(page.locator("#timeline").get_attribute("data-view-as-of") or "")
        assert later_as_of > view_as_of
        assert second_view == [(later_as_of, later_as_of)] * 2
        assert refreshed[2][0]["from"] == first_view[1][0]["from"]  # the window on screen kept
        assert watched.errors == []
    finally:
        if watched is not None:
            watched.page.context.close()
        server.stop()
