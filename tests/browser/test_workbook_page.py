"""Spreadsheets on the page (issue 15): the template and the partnership's workbook
downloaded, a workbook checked (its refusals listed by cell, nothing recorded) and then
recorded with "Record all", against a real server in Chromium."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from playwright.sync_api import Browser, expect

from accord.web.uploads import UPLOAD_LIMITS
from tests.browser.conftest import Demo
from tests.browser.test_recording_forms import axe_violations, events, new_partnership, open_page
from tests.support.workbooks import fill

GRANT = {"occurredAt": "2025-02-01", "actor": "bob", "role": "VIEWER"}


def test_a_workbook_is_checked_then_recorded_from_the_page(
    chromium: Browser, demo: Demo, tmp_path: Path
) -> None:
    pid = new_partnership(demo)
    before = len(events(demo, pid))
    bad = fill(tmp_path / "bad.xlsx", {"grantRole": [{**GRANT, "role": "OWNER"}]})
    good = fill(tmp_path / "good.xlsx", {"grantRole": [GRANT]})
    watched = open_page(chromium, demo, pid, bypass_csp=True)  # axe is injected
    page = watched.page
    try:
        section = page.locator("#spreadsheets")
        expect(section.locator("#import-form")).to_be_visible()
        page.set_input_files("#import-file", str(bad))
        page.get_by_role("button", name="Check the workbook").click()
        refusals = section.locator(".import-refusals tbody tr")
        expect(refusals).to_have_count(1)
        expect(refusals.first.locator("td").first).to_have_text("'Give someone a role'!C3")
        expect(section.locator(".import-refused")).to_be_focused()
        expect(page.locator("#import-record")).to_be_hidden()
        assert axe_violations(page, "#spreadsheets") == []
        assert len(events(demo, pid)) == before

        page.set_input_files("#import-file", str(good))
        page.get_by_role("button", name="Check the workbook").click()
        expect(section.locator(".import-ok")).to_have_text(
            "good.xlsx: 1 entry to record, nothing recorded yet."
        )
        expect(section.locator(".import-sheets li")).to_have_text(
            ["Give someone a role: 1 entry, 2025-02-01"]
        )
        assert len(events(demo, pid)) == before
        # Every state the progress element goes through while the workbook is recorded.
        page.evaluate(
            """() => {
              const bar = document.querySelector("#import-progress");
              window.progressStates = [];
              new MutationObserver(() => window.progressStates.push({
                state: bar.dataset.state ?? null,
                indeterminate: !bar.hasAttribute("value"),
                label: bar.getAttribute("aria-label"),
                hidden: bar.hidden,
              })).observe(bar, { attributes: true });
            }"""
        )
        page.get_by_role("button", name="Record all").click()
        expect(section.locator(".import-ok")).to_have_text("Recorded 1 entry from good.xlsx.")
        states = page.evaluate("window.progressStates")
        recording = [s for s in states if s["state"] == "recording" and not s["hidden"]]
        assert recording, states
        assert recording[-1] == {
            "state": "recording",
            "indeterminate": True,
            "label": "Recording…",
            "hidden": False,
        }
        expect(page.locator("#import-progress")).to_be_hidden()
        recorded = events(demo, pid)
        assert len(recorded) == before + 1
        assert recorded[-1]["type"] == "ROLE_GRANTED"
        assert recorded[-1]["data"] == {"actor": "bob", "role": "VIEWER"}
        assert axe_violations(page, "#spreadsheets") == []
        # Chromium logs the refused check's answer (HTTP 422) as a failed resource.
        unexpected = [error for error in watched.errors if "status of 422" not in error]
        assert unexpected == [] and watched.foreign_requests == []
    finally:
        page.context.close()


def test_the_template_and_the_partnership_s_workbook_download_from_the_page(
    chromium: Browser, demo: Demo, tmp_path: Path
) -> None:
    watched = open_page(chromium, demo, demo.partnership_id)
    page = watched.page
    try:
        with page.expect_download() as template:
            page.get_by_role("link", name="Download the registers template (Excel)").click()
        path = tmp_path / "registers.xlsx"
        template.value.save_as(path)
        assert openpyxl.load_workbook(path).sheetnames[:2] == [
            "Instructions",
            "Start a partnership",
        ]
        with page.expect_download() as export:
            page.get_by_role(
                "button", name="Download this partnership's registers and history (Excel)"
            ).click()
        assert export.value.suggested_filename.endswith(".xlsx")
        path = tmp_path / export.value.suggested_filename
        export.value.save_as(path)
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[-1] == "Health" and book["History"].max_row > 10
        assert watched.errors == [] and watched.foreign_requests == []
    finally:
        page.context.close()


def test_a_workbook_over_the_upload_limit_is_refused_before_it_is_sent(
    chromium: Browser, demo: Demo, tmp_path: Path
) -> None:
    big = tmp_path / "big.xlsx"
    big.write_bytes(bytes(UPLOAD_LIMITS.file_bytes + 1))
    watched = open_page(chromium, demo, demo.partnership_id)
    page = watched.page
    sent: list[str] = []
    page.on(
        "request", lambda request: sent.append(request.url) if "/import" in request.url else None
    )
    try:
        section = page.locator("#spreadsheets")
        expect(section.locator("#import-limits")).to_have_text(
            "At most 10 MiB and 20,000 entries in one workbook: split a larger one and "
            "import each part."
        )
        page.set_input_files("#import-file", str(big))
        page.get_by_role("button", name="Check the workbook").click()
        expect(section.locator(".import-error")).to_have_text(
            "big.xlsx: this file is over 10 MiB: split the workbook and import each part."
        )
        expect(section.locator(".import-error")).to_be_focused()
        assert sent == []
        assert watched.errors == [] and watched.foreign_requests == []
    finally:
        page.context.close()
