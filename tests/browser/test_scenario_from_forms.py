"""The shared scenario hartmoor-a recorded from its first step through the page's forms
alone (issue 14, "Done when"), by Chromium step by step; its health then equals
`tests/scenarios/hartmoor-a.expected.json` at every probe."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from accord.domain.instants import parse_instant
from tests.api.server import ApiServer, start_server
from tests.browser.conftest import watch
from tests.support.operations import HEALTH_QUERY, now_text
from tests.support.probes import Probe, check_probes
from tests.support.scenarios import load_steps, replay_steps

NAME = "hartmoor-a"


@pytest.fixture
def server(tmp_path: Any) -> Iterator[ApiServer]:
    api = start_server(f"sqlite:///{tmp_path / 'forms.db'}")
    try:
        yield api
    finally:
        api.stop()


class FormDriver:
    """Records one step at a time through the page's forms, as a person would."""

    def __init__(self, page: Page, base: str, catalogue: dict[str, Any]) -> None:
        self.page = page
        self.base = base
        self.zone = ZoneInfo(catalogue["timeZone"])
        self.controls = {
            kind["mutation"]: {
                field["name"]: field["control"] for field in [*catalogue["common"], *kind["fields"]]
            }
            for kind in catalogue["kinds"]
        }
        self.partnership_id = ""

    def local(self, instant: str) -> str:
        return parse_instant(instant).astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")

    def open(self, mutation: str, given: dict[str, Any]) -> Any:
        page = self.page
        dialog = page.locator("#record-dialog")
        waiting = dialog.locator(f"form[data-mutation={mutation}]:not([data-recorded-event])")
        if dialog.is_visible() and waiting.count():
            return dialog.locator(f"form[data-mutation={mutation}]")
        if dialog.is_visible():
            page.locator("#record-close").click()
        if mutation == "formPartnership":
            page.locator("#new-partnership").click()
        elif mutation == "retractEntry":
            page.goto(f"{self.base}?partnership={self.partnership_id}&event={given['eventId']}")
            page.locator(f"#event-details[data-event-id='{given['eventId']}']").wait_for()
            page.locator("#event-details [data-open-form=retractEntry]").click()
        else:
            page.locator(f"main [data-open-form={mutation}]:visible").first.click()
        form = dialog.locator(f"form[data-mutation={mutation}]")
        form.wait_for()
        return form

    def record(self, mutation: str, given: dict[str, Any]) -> tuple[str, str]:
        form = self.open(mutation, given)
        controls = self.controls[mutation]
        if "occurredAt" in given:
            form.locator("[name=occurredAt]").fill(self.local(given["occurredAt"]))
        expect(form).not_to_have_attribute("aria-busy", "true")
        for name, value in given.items():
            control = controls.get(name)
            if name in ("partnershipId", "occurredAt") or control is None:
                continue
            if control == "partners":
                for partner in value:
                    form.locator(f"[name={name}][value='{partner}']").check()
            elif control == "shares":
                rows = form.locator("[data-share-row]")
                while rows.count() < len(value):
                    form.get_by_role("button", name="Add a row").click()
                for index in range(rows.count()):
                    share = value[index] if index < len(value) else {"partnerId": "", "share": ""}
                    form.locator(f"[name='shares.{index}.partnerId']").select_option(
                        share["partnerId"]
                    )
                    form.locator(f"[name='shares.{index}.share']").fill(str(share["share"]))
            elif control == "boolean":
                form.locator(f"[name={name}]").set_checked(bool(value))
            elif control in ("select", "partner", "goal", "commitment"):
                form.locator(f"[name={name}]").select_option(str(value))
            elif control == "datetime":
                form.locator(f"[name={name}]").fill(self.local(value))
            else:
                form.locator(f"[name={name}]").fill(str(value))
        form.locator("button[type=submit]").click()
        form.locator(".form-success").wait_for()
        event_id = form.get_attribute("data-recorded-event")
        link = form.locator("[data-event-link]").get_attribute("href")
        self.partnership_id = link.split("partnership=")[1].split("&")[0]
        if mutation == "formPartnership":  # the page goes on to its first partner
            self.page.locator("#record-dialog form[data-mutation=joinPartner]").wait_for()
        return self.partnership_id, str(event_id)


def test_hartmoor_a_recorded_through_the_forms_alone_has_the_expected_health(
    chromium: Browser, server: ApiServer
) -> None:
    catalogue = server.client.get("/forms.json").json()
    watched = watch(chromium, server.url)
    page = watched.page
    page.set_default_timeout(15_000)
    try:
        page.goto(server.url + "/")
        page.locator("#new-partnership").wait_for()
        driver = FormDriver(page, server.url + "/", catalogue)
        known_at: dict[int, str] = {}

        def before_phase(phase: int) -> None:
            known_at[phase - 1] = now_text()
            time.sleep(0.02)

        steps = load_steps(NAME)
        recorded = list(replay_steps(steps, driver.record, lambda ids: ids, before_phase))
        known_at.setdefault(1, now_text())
        known_at[2] = now_text()
        assert len(recorded) == len(steps)
        partnership_id = recorded[-1][0]

        def read(probe: Probe) -> Any:
            return server.data(
                HEALTH_QUERY,
                {
                    "id": partnership_id,
                    "asOf": probe.as_of,
                    "knownAt": known_at[probe.known_phase],
                    "windowDays": probe.window_days,
                },
            )["partnership"]["health"]

        check_probes(NAME, read)
        history = server.data(
            "query ($id: ID!) { partnership(id: $id) { version } }", {"id": partnership_id}
        )
        assert history["partnership"]["version"] == len(steps)
        assert [e for e in watched.errors if "Failed to load resource" not in e] == []
    finally:
        page.context.close()
