"""Browser tests: the timeline and health page in headless Chromium, against a real server
(uvicorn on a free port) over a real SQLite file holding the demo partnership.

Chromium is Debian's (/usr/bin/chromium), driven by the `playwright` package without a
browser download of its own. When it is missing the tests fail, not skip: CI installs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from tests.api.server import ApiServer, start_server
from tests.support.browser import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
DEMO_STEPS = ROOT / "accord" / "demo" / "demo.steps.json"
VENDOR = ROOT / "accord" / "web" / "static" / "vendor"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def docs_image(name: str, tmp_path: Path) -> Path:
    """Where a test saves a picture of the page: docs/NAME under `make screenshots`
    (ACCORD_UPDATE_DOCS=1), else a temporary file, so a test run leaves the tree clean."""
    if os.environ.get("ACCORD_UPDATE_DOCS") == "1":
        target = ROOT / "docs" / name
        target.parent.mkdir(exist_ok=True)
        return target
    return tmp_path / name


VIEWPORT = {"width": 1400, "height": 900}
SECTIONS = ("#health", "#timeline-section", "#trends", "#decisions")


@dataclass
class Demo:
    """The server, and the id of the demo partnership imported into it."""

    server: ApiServer
    partnership_id: str

    @property
    def url(self) -> str:
        return self.server.url + "/"

    def query(self, query: str, **variables: Any) -> Any:
        """The demo partnership's part of a query taking `$id: ID!`, from the API."""
        return self.server.data(query, {"id": self.partnership_id, **variables})["partnership"]


@dataclass
class Watched:
    """A page, and what went wrong in it: console errors, uncaught exceptions, and
    requests that left the server (there must be none: nothing comes from a CDN)."""

    page: Page
    origin: str
    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def open(self, url: str) -> None:
        """Load the page and wait until every section has its data."""
        self.page.goto(url)
        for section in SECTIONS:
            self.page.wait_for_selector(f"{section}[aria-busy=false]", timeout=20_000)


def _require_browser_tools() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install -y chromium); CI installs it",
            pytrace=False,
        )
    if not (VENDOR / "vis-timeline-graph2d.min.js").exists() or not AXE.exists():
        pytest.fail(
            "the page's libraries (accord/web/static/vendor) or axe-core (node_modules) are "
            "missing: run `make assets` (npm ci && accord/web/vendor.sh)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo partnership, imported with `accord import` into a fresh SQLite file."""
    database = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    imported = subprocess.run(
        [sys.executable, "-m", "accord", "import", str(DEMO_STEPS), "--database", database],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr or imported.stdout
    server = start_server(database)
    try:
        yield Demo(server, imported.stdout.strip().splitlines()[-1])
    finally:
        server.stop()


@pytest.fixture(scope="session")
def page_tools() -> None:
    _require_browser_tools()


@pytest.fixture
def chromium(chromium: Browser, page_tools: None) -> Browser:
    """The shared Chromium (tests/support/browser.py), once the page's tools are checked."""
    return chromium


def watch(browser: Browser, origin: str, **context_options: Any) -> Watched:
    """A fresh page whose errors and foreign requests are recorded. Times are shown in
    UTC whatever the browser's zone, so the page runs in one far from UTC."""
    context = browser.new_context(
        viewport=VIEWPORT,  # type: ignore[arg-type]
        locale="en-GB",
        timezone_id="America/Los_Angeles",
        accept_downloads=True,
        **context_options,
    )
    page = context.new_page()
    watched = Watched(page, origin)
    page.on("console", watched.console)
    page.on("pageerror", lambda error: watched.errors.append(f"uncaught: {error}"))

    def check_request(request: Any) -> None:
        url: str = request.url
        if not url.startswith((origin + "/", "data:", "blob:")):
            watched.foreign_requests.append(url)

    page.on("request", check_request)
    return watched


@pytest.fixture
def browser_page(chromium: Browser, demo: Demo) -> Iterator[Watched]:
    watched = watch(chromium, demo.server.url)
    yield watched
    watched.page.context.close()
