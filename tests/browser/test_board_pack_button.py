"""The page's "Board pack (PDF)" button (issue 18): it downloads the pack of the
partnership shown, as of the page's as-of day and as known at its known-at day (each the
end of that day in the page's zone, as the page reads them), in Chromium against a real
server; the PDF's cover says those two days."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser
from pypdf import PdfReader

from accord.domain.instants import parse_instant
from accord.web.board_pack import in_words
from tests.browser.conftest import Demo
from tests.browser.test_recording_forms import open_page

ZONE = ZoneInfo("Europe/London")  # the server's ACCORD_TIMEZONE: the page's zone


def day_end(day: str) -> datetime:
    """The last microsecond of `day` in the page's zone."""
    return datetime.fromisoformat(f"{day}T23:59:59.999999").replace(tzinfo=ZONE)


def test_the_board_pack_button_downloads_the_pack_as_of_and_as_known_at_the_page_s_days(
    chromium: Browser, demo: Demo, tmp_path: Path
) -> None:
    watched = open_page(chromium, demo, demo.partnership_id)
    page = watched.page
    asked: list[str] = []
    refused: list[str] = []
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    page.on("request", lambda r: asked.append(r.url) if "/report.pdf" in r.url else None)
    known_day = datetime.now(ZONE).date().isoformat()  # everything the demo recorded
    try:
        page.fill("#as-of-date", "2025-06-30")
        page.wait_for_selector("#health[data-as-of='2025-06-30'][aria-busy=false]")
        page.fill("#known-at-date", known_day)
        page.dispatch_event("#known-at-date", "change")
        page.wait_for_selector(f"#health[data-known-at='{known_day}'][aria-busy=false]")
        with page.expect_download(timeout=60_000) as pack:
            page.get_by_role("button", name="Board pack (PDF)").click()
        (url,) = asked
        query = parse_qs(urlparse(url).query)
        assert parse_instant(query["asOf"][0]) == day_end("2025-06-30").astimezone(UTC)
        assert parse_instant(query["knownAt"][0]) == day_end(known_day).astimezone(UTC)
        assert pack.value.suggested_filename.endswith("-board-pack-2025-06-30.pdf")
        path = tmp_path / pack.value.suggested_filename
        pack.value.save_as(path)
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        cover = re.sub(r"\s+", " ", reader.pages[0].extract_text() or "")
        assert "As of 30 June 2025 at 23:59 BST" in cover
        assert f"As known at {in_words(day_end(known_day), ZONE)}" in cover
        text = "\n".join(p.extract_text() or "" for p in reader.pages)
        assert "Is this a true partnership?" in text and "Status: " in text
        assert refused == [] and watched.foreign_requests == [], watched.errors
    finally:
        page.context.close()
