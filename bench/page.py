"""The page at any size (issue 19): ready time and bytes on the wire, cold cache.

`accord serve` on the HTTP benchmark's store (`sized_store("http", ...)`: one generated
partnership each of 300, 1,000, 5,000 and 10,000 events, each spanning five years), and
Debian's Chromium (/usr/bin/chromium, headless, the tests' launch options) driven by
Playwright. For each size, 3 loads of `/?partnership=ID&asOf=DAY`, each in a new browser
context (a cold cache: nothing kept from an earlier load), DAY being the history's last
day, so the year on screen is the fullest one. A load is timed from navigation to the
page's `body[data-ready]` (`data-ready-ms`: `performance.now()` when the timeline's first
window, the four questions and the charts are drawn); its bytes are the sum of CDP's
`Network.loadingFinished` `encodedDataLength` (each response as it came over the wire,
compressed, headers included) of every request made until every section has its data
(the decisions table's first page included). The figures are the best of the 3 ready
times and the bytes of a load.

Targets: `page_ready_growth` (best ready time at 10,000 events / at 300, <= 1.5) and
`page_kb_10k` (kilobytes to make the 10,000-event page ready, <= 600).

`python -m bench.page` runs this benchmark alone (and adds its figures to the last
run's .bench-data/results.json, then writes docs/PERFORMANCE.md again from it).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from bench.common import DATA, Results, scaled
from bench.http_side import _last_instant
from bench.servers import ServerProcess
from bench.stores import partnership_ids, sized_store

LOADS = 3
SETTLE_SECONDS = 15
"""After the first load, time for the server's background compression of the page's files."""
SECTIONS = ("#health", "#timeline-section", "#trends", "#decisions")
SERIES = "page ready (s) by events in the partnership"


def sizes() -> list[int]:
    """The HTTP benchmark's sizes (the same store)."""
    return [300, scaled(1_000, 300), scaled(5_000, 500), scaled(10_000, 1_000)]


def _load(browser: Any, url: str) -> tuple[float, int, int]:
    """One cold load: (seconds to ready, bytes on the wire, requests)."""
    from tests.browser.conftest import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        received = {"bytes": 0, "requests": 0}

        def finished(event: dict[str, Any]) -> None:
            received["bytes"] += int(event.get("encodedDataLength", 0))
            received["requests"] += 1

        cdp.on("Network.loadingFinished", finished)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        ready_ms = float(page.locator("body").get_attribute("data-ready-ms") or "nan")
        for section in SECTIONS:
            page.wait_for_selector(f"{section}[aria-busy=false]", timeout=120_000)
        page.wait_for_load_state("networkidle")
        return ready_ms / 1000, received["bytes"], received["requests"]
    finally:
        context.close()


def run(results: Results) -> None:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    measured = sizes()
    url = sized_store("http", measured)
    ids = dict(zip(measured, partnership_ids(url), strict=True))
    ready: dict[int, float] = {}
    kilobytes: dict[int, float] = {}
    series = results.series.setdefault(SERIES, [])
    with (
        ServerProcess.accord("serve", "--database", url).wait_ready() as server,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            base = f"http://127.0.0.1:{server.port}/"
            # The server's first answers (its caches, the page's files compressed once)
            # are not what a person meets later: one load first, not counted.
            _load(browser, f"{base}?partnership={ids[measured[0]]}")
            # It then makes the files' smallest brotli in the background (seconds of CPU
            # for the largest libraries), which the measured loads should neither pay
            # for nor share the machine with.
            time.sleep(SETTLE_SECONDS)
            for size in measured:
                pid = ids[size]
                day = _last_instant(url, pid)[:10]
                page_url = f"{base}?partnership={pid}&asOf={day}"
                loads = [_load(browser, page_url) for _ in range(LOADS)]
                times = [seconds for seconds, _, _ in loads]
                sent = [size_ / 1024 for _, size_, _ in loads]
                results.figure(f"page, {size:,} events: ready (cold cache)", "s", times)
                results.figure(f"page, {size:,} events: transferred (cold cache)", "KiB", sent)
                results.figure(
                    f"page, {size:,} events: requests (cold cache)",
                    "count",
                    [float(count) for _, _, count in loads],
                )
                ready[size] = min(times)
                kilobytes[size] = max(sent)
                series.append((size, ready[size]))
        finally:
            browser.close()
    results.target("page_ready_growth", ready[measured[-1]] / ready[measured[0]], "<=", 1.5)
    results.target("page_kb_10k", kilobytes[measured[-1]], "<=", 600)


def _merge_into_last_run(alone: Results) -> None:
    """Add this run's figures to the last full run's results and write the report again."""
    path = DATA / "results.json"
    if not path.exists():
        return
    saved = json.loads(path.read_text())
    names = {figure.name for figure in alone.figures}
    saved["figures"] = [row for row in saved["figures"] if row["name"] not in names]
    saved["figures"] += [figure.row() for figure in alone.figures]
    saved["targets"].update({k: list(v) for k, v in alone.targets.items()})
    saved["series"].update(alone.series)
    path.write_text(json.dumps(saved, indent=2))
    from bench.report import main as report

    report()


if __name__ == "__main__":
    alone = Results()
    run(alone)
    for figure in alone.figures:
        row = figure.row()
        print(
            f"{row['name'][:60]:60} {row['unit']:6} {row['min']:9.3f} {row['median']:9.3f} "
            f"{row['max']:9.3f}"
        )
    for name, (value, op, goal) in alone.targets.items():
        print(f"# {name}: {value:.3f} (target {op} {goal})")
        print(f"TARGET {name} {value:.4f}")
    if "--report" in sys.argv:
        _merge_into_last_run(alone)
    sys.exit(0)
