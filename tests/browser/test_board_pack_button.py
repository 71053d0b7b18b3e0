"""The page's "Board pack (PDF)" button (issue 18): it downloads the pack of the
partnership shown, as of the page's as-of day, in Chromium against a real server."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Browser
from pypdf import PdfReader

from tests.browser.conftest import Demo
from tests.browser.test_recording_forms import open_page


def test_the_board_pack_button_downloads_the_pack_as_of_the_page_s_day(
    chromium: Browser, demo: Demo, tmp_path: Path
) -> None:
    watched = open_page(chromium, demo, demo.partnership_id)
    page = watched.page
    asked: list[str] = []
    refused: list[str] = []
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    page.on("request", lambda r: asked.append(r.url) if "/report.pdf" in r.url else None)
    try:
        page.fill("#as-of-date", "2025-06-30")
        page.wait_for_selector("#health[data-as-of='2025-06-30'][aria-busy=false]")
        with page.expect_download(timeout=60_000) as pack:
            page.get_by_role("button", name="Board pack (PDF)").click()
        assert pack.value.suggested_filename.endswith("-board-pack-2025-06-30.pdf")
        path = tmp_path / pack.value.suggested_filename
        pack.value.save_as(path)
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        text = "\n".join(p.extract_text() or "" for p in reader.pages)
        assert "Is this a true partnership?" in text and "Status: " in text
        (url,) = asked
        query = parse_qs(urlparse(url).query)
        assert query["asOf"][0].startswith("2025-")  # the end of 30 June in the page's zone
        assert "knownAt" not in query
        assert refused == [] and watched.foreign_requests == [], watched.errors
    finally:
        page.context.close()
