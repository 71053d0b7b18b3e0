"""Recording from the page (issue 14): the forms built from /forms.json, their errors,
idempotency, version conflicts, and live updates, against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import AXE, Demo, Watched, docs_image, watch

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VERSION = "query ($id: ID!) { partnership(id: $id) { version } }"
EVENT = (
    """query ($id: ID!) { node(id: $id) { ... on Event { id type summary data occurredAt } } }"""
)
HISTORY = """query ($id: ID!) { partnership(id: $id) { history(first: 500) {
  edges { node { id type position data } } } } }"""


def mutate(demo: Demo, mutation: str, values: dict[str, Any]) -> dict[str, Any]:
    name = mutation[0].upper() + mutation[1:]
    result: dict[str, Any] = demo.server.data(
        f"""mutation ($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename
             ... on Error {{ message }}
             ... on {name}Success {{ event {{ id summary }}
                                     partnership {{ id version }} }} }} }}""",
        {"input": values},
    )[mutation]
    assert result["__typename"] == f"{name}Success", result
    return result


def new_partnership(demo: Demo) -> str:
    """A small partnership of three partners, formed a year ago."""
    formed = mutate(
        demo,
        "formPartnership",
        {
            "name": "Forms test partnership",
            "purpose": "Testing the forms",
            "occurredAt": "2025-01-06",
        },
    )["partnership"]["id"]
    for partner_id, name in (
        ("p1", "North Trust"),
        ("p2", "Eastshire Council"),
        ("p3", "Care Charity"),
    ):
        mutate(
            demo,
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


def version(demo: Demo, partnership_id: str) -> int:
    return int(demo.server.data(VERSION, {"id": partnership_id})["partnership"]["version"])


def events(demo: Demo, partnership_id: str) -> list[dict[str, Any]]:
    history = demo.server.data(HISTORY, {"id": partnership_id})["partnership"]["history"]
    return [edge["node"] for edge in history["edges"]]


def open_page(browser: Browser, demo: Demo, partnership_id: str, **options: Any) -> Watched:
    watched = watch(browser, demo.server.url, **options)
    watched.open(f"{demo.url}?partnership={partnership_id}")
    return watched


def open_form(page: Page, mutation: str, where: str = "main") -> Any:
    page.locator(f"{where} [data-open-form={mutation}]").first.click()
    form = page.locator(f"#record-dialog form[data-mutation={mutation}]")
    form.wait_for()
    expect(form).not_to_have_attribute("aria-busy", "true")
    return form


def axe_violations(page: Page, where: str | None = None) -> list[str]:
    """WCAG 2.2 A and AA violations in the page, or only in the element `where`."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "([tags, where]) => axe.run(where ? document.querySelector(where) : document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        [WCAG_TAGS, where],
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in results["violations"]
    ]


@pytest.fixture
def partnership(demo: Demo) -> str:
    return new_partnership(demo)


@pytest.fixture
def forms_page(chromium: Browser, demo: Demo, partnership: str) -> Iterator[Watched]:
    watched = open_page(chromium, demo, partnership, bypass_csp=True)
    yield watched
    watched.page.context.close()


def fill_decision(form: Any, title: str) -> None:
    form.locator("[name=title]").fill(title)
    form.locator("[name=category]").select_option("GOVERNANCE")
    form.locator("[name=method]").select_option("CONSENSUS")
    form.locator("[name=decidedBy][value=p1]").check()
    form.locator("[name=decidedBy][value=p2]").check()
    form.locator("[name=consulted][value=p3]").check()


def test_a_decision_recorded_from_its_form_reads_back_through_the_api(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    page = forms_page.page
    form = open_form(page, "recordDecision", "#decisions")
    assert form.get_attribute("novalidate") is not None
    assert axe_violations(page) == []
    # occurredAt shows local time in the deployment's zone, and says what backdating means
    occurred = form.locator("[name=occurredAt]")
    assert occurred.get_attribute("type") == "datetime-local"
    assert (
        "backdate"
        in page.locator(f"#{occurred.get_attribute('aria-describedby').split()[0]}").inner_text()
    )
    fill_decision(form, "Adopt a shared care record")
    occurred.fill("2025-07-01T10:30")  # BST: 09:30 UTC
    expect(form).not_to_have_attribute("aria-busy", "true")
    form.locator("[name=decidedBy][value=p1]").check()
    form.locator("[name=decidedBy][value=p2]").check()
    form.locator("[name=consulted][value=p3]").check()
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    event_id = form.get_attribute("data-recorded-event")
    event = demo.server.data(EVENT, {"id": event_id})["node"]
    assert event["type"] == "DECISION_RECORDED"
    assert event["occurredAt"] == "2025-07-01T09:30:00+00:00"
    assert event["data"]["title"] == "Adopt a shared care record"
    assert event["data"]["category"] == "GOVERNANCE"
    assert event["data"]["decidedBy"] == ["p1", "p2"]
    assert event["data"]["consulted"] == ["p3"]
    assert event["data"]["significance"] == 1
    success = page.locator("#record-dialog .form-success")
    assert "Adopt a shared care record" in success.inner_text()
    assert axe_violations(page) == []
    # the page's data is refreshed: the decision is in the table
    page.locator("#decisions-table").get_by_text("Adopt a shared care record").wait_for(
        timeout=5_000
    )
    success.locator("[data-event-link]").click()
    page.locator(f"#event-details[data-event-id='{event_id}']").wait_for()
    assert forms_page.errors == []


def test_a_check_in_and_a_commitment_are_recorded_from_their_forms(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    page = forms_page.page
    form = open_form(page, "recordTrustCheckIn", "#health-cards")
    form.locator("[name=respondentId]").select_option("p1")
    form.locator("[name=aboutId]").select_option("p2")
    for name, value in (
        ("reliability", "4"),
        ("openness", "3"),
        ("respect", "5"),
        ("sharedOwnership", "2"),
    ):
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=note]").fill("Good month")
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    data = demo.server.data(EVENT, {"id": form.get_attribute("data-recorded-event")})["node"][
        "data"
    ]
    assert {
        k: data[k]
        for k in (
            "respondentId",
            "aboutId",
            "reliability",
            "openness",
            "respect",
            "sharedOwnership",
            "note",
        )
    } == {
        "respondentId": "p1",
        "aboutId": "p2",
        "reliability": 4,
        "openness": 3,
        "respect": 5,
        "sharedOwnership": 2,
        "note": "Good month",
    }
    page.locator("#record-close").click()

    form = open_form(page, "makeCommitment", "#health-cards")
    form.locator("[name=partnerId]").select_option("p2")
    form.locator("[name=kind]").select_option("STAFF")
    form.locator("[name=quantity]").fill("6")
    form.locator("[name=dueAt]").fill("2026-12-31T17:00")  # GMT in winter
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    data = demo.server.data(EVENT, {"id": form.get_attribute("data-recorded-event")})["node"][
        "data"
    ]
    assert (data["partnerId"], data["kind"], data["quantity"], data["unit"], data["dueAt"]) == (
        "p2",
        "STAFF",
        6,
        "FTE_MONTHS",
        "2026-12-31T17:00:00+00:00",
    )
    assert forms_page.errors == []


def test_validation_errors_appear_at_their_fields_and_nothing_is_recorded(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    page = forms_page.page
    before = version(demo, partnership)

    # a rating out of range
    form = open_form(page, "recordTrustCheckIn", "#health-cards")
    form.locator("[name=respondentId]").select_option("p1")
    for name, value in (
        ("reliability", "9"),
        ("openness", "3"),
        ("respect", "3"),
        ("sharedOwnership", "3"),
    ):
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    error = form.locator("[data-error-for=reliability]")
    error.wait_for()
    assert error.inner_text().strip()
    control = form.locator("[name=reliability]")
    assert error.get_attribute("id") in control.get_attribute("aria-describedby").split()
    assert control.get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    page.locator("#record-close").click()

    # an unknown partner among the deciders, named as the list's item
    form = open_form(page, "recordDecision", "#decisions")
    fill_decision(form, "A decision naming a ghost")
    page.eval_on_selector(
        "form[data-mutation=recordDecision] [name=decidedBy][value=p2]",
        "box => { box.value = 'ghost'; }",
    )
    form.locator("button[type=submit]").click()
    error = form.locator("[data-error-for=decidedBy]")
    expect(error).not_to_be_empty()
    assert error.inner_text().startswith("Item 2")
    fieldset = form.locator("fieldset[data-field=decidedBy]")
    assert error.get_attribute("id") in fieldset.get_attribute("aria-describedby").split()

    page.locator("#record-close").click()

    # dates out of order: a goal set before the partnership was formed
    form = open_form(page, "setGoal", "#health-cards")
    form.locator("[name=statement]").fill("A goal from before the partnership")
    form.locator("[name=occurredAt]").fill("2024-03-01T09:00")
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-error-for=occurredAt]")).not_to_be_empty()
    page.locator("#record-close").click()

    # shares not summing to 1
    form = open_form(page, "agreeRiskShares", "#overview")
    rows = form.locator("[data-share-row]")
    assert rows.count() == 3
    for index, share in enumerate(("0.5", "0.2", "0.1")):
        form.locator(f"[name='shares.{index}.share']").fill(share)
    form.locator("button[type=submit]").click()
    page.wait_for_function(
        "[...document.querySelectorAll("
        "'form[data-mutation=agreeRiskShares] [data-error-for^=shares]')]"
        ".some(box => box.textContent !== '')"
    )
    assert version(demo, partnership) == before
    assert forms_page.errors == []


def test_a_departed_partner_is_not_offered_and_if_kept_chosen_is_refused_at_its_field(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    """Partners are offered as of "When it happened"; one chosen at a moment it was a
    partner stays chosen when the moment moves past its leaving, with a note, and the
    API's refusal appears at the field; nothing is recorded."""
    page = forms_page.page
    mutate(
        demo,
        "recordPartnerLeaving",
        {
            "partnershipId": partnership,
            "partnerId": "p3",
            "reason": "Funding ended",
            "occurredAt": "2025-09-01T09:00:00+00:00",
        },
    )
    page.reload()
    page.wait_for_selector("#health[aria-busy=false]")
    form = open_form(page, "recordTrustCheckIn", "#health-cards")
    respondent = form.locator("[name=respondentId]")

    def offered() -> list[str]:
        values: list[str] = respondent.locator("option").evaluate_all(
            "options => options.map(option => option.value).filter(Boolean)"
        )
        return values

    assert offered() == ["p1", "p2"]  # as of now: Care Charity has left
    form.locator("[name=occurredAt]").fill("2025-08-01T09:00")
    expect(form).not_to_have_attribute("aria-busy", "true")
    assert offered() == ["p1", "p2", "p3"]
    respondent.select_option("p3")
    for name in ("reliability", "openness", "respect", "sharedOwnership"):
        form.locator(f"[name={name}]").fill("3")
    form.locator("[name=occurredAt]").fill("2025-10-01T09:00")  # BST: after it left
    expect(form).not_to_have_attribute("aria-busy", "true")
    expect(respondent).to_have_value("p3")
    expect(respondent.locator("option:checked")).to_have_text("Care Charity (not a partner then)")
    expect(form.locator("[data-note-for=respondentId]")).to_contain_text(
        "Care Charity was not an active partner"
    )
    before = version(demo, partnership)
    form.locator("button[type=submit]").click()
    error = form.locator("[data-error-for=respondentId]")
    expect(error).to_contain_text("not active")
    assert error.get_attribute("id") in respondent.get_attribute("aria-describedby").split()
    expect(form).not_to_have_attribute("aria-busy", "true")
    assert version(demo, partnership) == before
    assert axe_violations(page, "#record-dialog") == []
    assert forms_page.errors == []


def test_partners_ticked_then_backdated_before_they_joined_stay_ticked_and_are_refused(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    """Moving "When it happened" never silently unticks a decider: a partner not active at
    the new moment stays ticked, marked, with a note; the API refuses it at the list."""
    page = forms_page.page
    form = open_form(page, "recordDecision", "#decisions")
    fill_decision(form, "Ticked, then backdated")  # decided by p1 and p2, p3 consulted
    form.locator("[name=occurredAt]").fill("2025-01-06T12:00")  # before the partners joined
    expect(form).not_to_have_attribute("aria-busy", "true")
    for name, value in (("decidedBy", "p1"), ("decidedBy", "p2"), ("consulted", "p3")):
        expect(form.locator(f"[name={name}][value={value}]")).to_be_checked()
    expect(form.locator("label[for=f-recordDecision-decidedBy-p1]")).to_have_text(
        "North Trust (not a partner then)"
    )
    expect(form.locator("[data-note-for=decidedBy]")).to_contain_text(
        "North Trust, Eastshire Council were not active partners"
    )
    expect(form.locator("[data-note-for=consulted]")).to_contain_text(
        "Care Charity was not an active partner"
    )
    fieldset = form.locator("fieldset[data-field=decidedBy]")
    assert "f-recordDecision-decidedBy-note" in fieldset.get_attribute("aria-describedby").split()
    assert axe_violations(page, "#record-dialog") == []
    before = version(demo, partnership)
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-error-for=decidedBy]")).to_contain_text("Item 1 (North Trust)")
    expect(form).not_to_have_attribute("aria-busy", "true")
    assert version(demo, partnership) == before

    form.locator("[name=occurredAt]").fill("2025-02-03T12:00")
    expect(form).not_to_have_attribute("aria-busy", "true")
    expect(form.locator("[data-note-for=decidedBy]")).to_be_empty()
    expect(form.locator("label[for=f-recordDecision-decidedBy-p1]")).to_have_text("North Trust")
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    event = demo.server.data(EVENT, {"id": form.get_attribute("data-recorded-event")})["node"]
    assert event["occurredAt"] == "2025-02-03T12:00:00+00:00"
    assert (event["data"]["decidedBy"], event["data"]["consulted"]) == (["p1", "p2"], ["p3"])
    assert forms_page.errors == []


def test_a_double_click_records_once(forms_page: Watched, demo: Demo, partnership: str) -> None:
    page = forms_page.page
    before = version(demo, partnership)
    form = open_form(page, "setGoal", "#health-cards")
    form.locator("[name=statement]").fill("Fewer emergency admissions")
    form.locator("button[type=submit]").dblclick()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    page.wait_for_timeout(500)
    assert version(demo, partnership) == before + 1
    goals = [e for e in events(demo, partnership) if e["type"] == "GOAL_SET"]
    assert [g["data"]["statement"] for g in goals] == ["Fewer emergency admissions"]
    assert forms_page.errors == []


def test_a_retry_after_an_answer_is_lost_records_once(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    """The server records the entry but its answer never reaches the page: the form says
    the entry may have been recorded, and sending again (the same idempotency key) records
    nothing more and shows the one entry."""
    page = forms_page.page
    before = version(demo, partnership)
    form = open_form(page, "setGoal", "#health-cards")
    form.locator("[name=statement]").fill("Recorded, its answer lost")
    lost: list[str] = []

    def lose_the_answer(route: Route) -> None:
        body = route.request.post_data or ""
        if "setGoal(" in body and not lost:
            route.fetch()  # the server records it...
            lost.append(body)
            route.abort("connectionreset")  # ...and the page hears nothing
        else:
            route.continue_()

    page.route("**/graphql", lose_the_answer)
    form.locator("button[type=submit]").click()
    expect(form).to_have_attribute("data-unanswered", "true")
    alert = form.locator("[role=alert]")
    expect(alert).to_contain_text("may or may not have been recorded")
    assert "Nothing was recorded" not in alert.inner_text()
    assert page.evaluate("document.activeElement.matches('#record-dialog [role=alert]')")
    assert version(demo, partnership) == before + 1  # it was
    expect(form.locator("[name=statement]")).to_have_value("Recorded, its answer lost")
    assert axe_violations(page, "#record-dialog") == []
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    page.unroute("**/graphql", lose_the_answer)
    assert len(lost) == 1
    assert version(demo, partnership) == before + 1  # nothing more
    goals = [e for e in events(demo, partnership) if e["type"] == "GOAL_SET"]
    assert [g["data"]["statement"] for g in goals] == ["Recorded, its answer lost"]
    assert form.get_attribute("data-recorded-event") == goals[0]["id"]
    assert [e for e in forms_page.errors if "Failed to load resource" not in e] == []


def test_a_conflict_explains_what_was_recorded_and_a_resend_records(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    page = forms_page.page
    form = open_form(page, "recordDecision", "#decisions")
    fill_decision(form, "Typed before the conflict")
    mutate(demo, "setGoal", {"partnershipId": partnership, "statement": "A goal set meanwhile"})
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-conflict]").wait_for()
    alert = form.locator("[role=alert]")
    assert "A goal set meanwhile" in alert.inner_text() or "goal" in alert.inner_text().lower()
    assert form.locator("[name=title]").input_value() == "Typed before the conflict"
    expect(form).not_to_have_attribute("aria-busy", "true")
    assert page.evaluate("document.activeElement.matches('#record-dialog [role=alert]')")
    assert axe_violations(page) == []  # the conflict's explanation, in the whole page
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    titles = [
        e["data"].get("title")
        for e in events(demo, partnership)
        if e["type"] == "DECISION_RECORDED"
    ]
    assert titles == ["Typed before the conflict"]
    assert forms_page.errors == []


def test_an_entry_recorded_in_one_browser_appears_in_another_without_reloading(
    chromium: Browser, demo: Demo, partnership: str
) -> None:
    recorder = open_page(chromium, demo, partnership)
    watcher = open_page(chromium, demo, partnership)
    try:
        watcher.page.locator("#live-status[data-live=live]").wait_for(timeout=5_000)
        page = recorder.page
        form = open_form(page, "recordDecision", "#decisions")
        fill_decision(form, "Seen live elsewhere")
        form.locator("button[type=submit]").click()
        page.locator("#record-dialog form[data-recorded-event]").wait_for()
        watcher.page.locator("#decisions-table").get_by_text("Seen live elsewhere").wait_for(
            timeout=3_000
        )
        # an entry recorded through the API appears too
        section = watcher.page.locator("#timeline-section")
        before = section.get_attribute("data-item-count")
        mutate(demo, "setGoal", {"partnershipId": partnership, "statement": "Set through the API"})
        # The timeline shows the window it loaded (issue 19): the API's items for it.
        expect(section).not_to_have_attribute("data-item-count", str(before), timeout=3_000)
        items = demo.server.data(
            """query ($id: ID!, $from: DateTime, $to: DateTime) {
              partnership(id: $id) { timeline(from: $from, to: $to) { items { id } } } }""",
            {
                "id": partnership,
                "from": section.get_attribute("data-loaded-from"),
                "to": section.get_attribute("data-loaded-to"),
            },
        )["partnership"]["timeline"]["items"]
        expect(section).to_have_attribute("data-item-count", str(len(items)), timeout=3_000)
        # and one recorded by an import (a CSV sheet uploaded, as `accord import` reads it)
        sheet = (
            "occurredAt,title,category,method,decidedBy\n"
            "2025-03-01,Imported live,DELIVERY,VOTE,p2\n"
        )
        answer = httpx.post(
            f"{demo.server.url}/partnerships/{partnership}/import",
            files={"file": ("decisions.csv", sheet.encode(), "text/csv")},
            data={"kind": "recordDecision"},
            timeout=30,
        )
        assert answer.status_code == 200 and answer.json()["recorded"] == 1, answer.text
        watcher.page.locator("#decisions-table").get_by_text("Imported live").wait_for(
            timeout=3_000
        )
        assert recorder.errors == [] and watcher.errors == []
    finally:
        recorder.page.context.close()
        watcher.page.context.close()


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.api.secured import SecuredServer

    server = SecuredServer(f"sqlite:///{tmp_path_factory.mktemp('roles') / 'roles.db'}")
    try:
        yield server
    finally:
        server.stop()


def signed_in(
    browser: Browser, server: Any, token: str, partnership_id: str, event: str | None = None
) -> Watched:
    """The page opened by an actor who gives their bearer token in the page's token form
    (at an entry's link, `&event=ID`, when `event` is given)."""
    watched = watch(browser, server.api.url)
    page = watched.page
    link = f"&event={event}" if event else ""
    page.goto(f"{server.api.url}/?partnership={partnership_id}{link}")
    page.locator("#token-input").fill(token)
    page.locator("#token-form button[type=submit]").click()
    for section in ("#health", "#timeline-section", "#decisions"):
        page.wait_for_selector(f"{section}[aria-busy=false]", timeout=20_000)
    return watched


def test_each_role_is_offered_only_what_it_may_do(chromium: Browser, secured: Any) -> None:
    admin = secured.issue("ada")
    tokens = {"VIEWER": secured.issue("vic"), "RECORDER": secured.issue("rob"), "ADMIN": admin}
    formed = secured.data(
        admin,
        """mutation { formPartnership(input: {name: "Roles", purpose: "Who may record"}) {
             ... on FormPartnershipSuccess { partnership { id } } } }""",
    )["formPartnership"]["partnership"]["id"]
    joined = secured.data(
        admin,
        """mutation ($id: ID!) { joinPartner(input: {partnershipId: $id, partnerId: "p1",
             name: "One", sector: OTHER}) { ... on JoinPartnerSuccess { event { id } } } }""",
        {"id": formed},
    )["joinPartner"]["event"]["id"]
    secured.data(  # a goal, so that the actions beside a goal are offered too
        admin,
        """mutation ($id: ID!) { setGoal(input: {partnershipId: $id, goalId: "g1",
             statement: "Who may record"}) { __typename } }""",
        {"id": formed},
    )
    for role_granted in ('actor: "vic", role: VIEWER', 'actor: "rob", role: RECORDER'):
        secured.data(
            admin,
            f'mutation {{ grantRole(input: {{partnershipId: "{formed}", {role_granted}}}) '
            "{ __typename } }",
        )
    offered: dict[str, set[str]] = {}
    for role, token in tokens.items():
        # The entry's link selects it: a lone point at the timeline's edge may sit under
        # vis-timeline's background panel, where a click does not reach it.
        watched = signed_in(chromium, secured, token, formed, event=joined)
        try:
            page = watched.page
            page.locator(f"#event-details[data-event-id='{joined}']").wait_for()
            page.locator("#details-summary").wait_for()
            offered[role] = set(
                page.eval_on_selector_all(
                    "[data-open-form]:not([hidden] *)",
                    "nodes => nodes.map(n => n.dataset.openForm)",
                )
            )
            if role == "ADMIN":
                assert page.locator("#people").is_visible()
                assert page.locator("#new-partnership").is_visible()
                form = open_form(page, "retractEntry", "#event-details")
                event_id = page.locator("#event-details").get_attribute("data-event-id")
                assert form.locator("[name=eventId]").input_value() == event_id
                form.locator("[name=reason]").fill("Entered by mistake")
                form.locator("button[type=submit]").click()
                page.locator("#record-dialog form[data-recorded-event]").wait_for()
                retracted = secured.data(
                    admin,
                    "query ($id: ID!) { node(id: $id) { ... on Event { retracted } } }",
                    {"id": event_id},
                )
                assert retracted["node"]["retracted"] is True
            else:
                assert not page.locator("#people").is_visible()
            assert [e for e in watched.errors if "Failed to load resource" not in e] == []
        finally:
            watched.page.context.close()
    catalogue = secured.api.client.get("/forms.json").json()
    in_partnership = {k["mutation"] for k in catalogue["kinds"]} - {"formPartnership"}
    assert len(in_partnership) == 18
    assert offered["VIEWER"] == set()
    assert offered["RECORDER"] == in_partnership - {"retractEntry", "grantRole", "revokeRole"}
    assert offered["ADMIN"] == in_partnership  # all; a new partnership at the top, as below


def test_without_forms_json_the_page_stays_read_only(chromium: Browser, demo: Demo) -> None:
    watched = watch(chromium, demo.server.url)
    try:
        watched.page.route("**/forms.json", lambda route: route.fulfill(status=404, body=""))
        watched.open(f"{demo.url}?partnership={demo.partnership_id}")
        page = watched.page
        assert page.locator("#health-cards article.card").count() == 4
        assert page.locator("[data-open-form]").count() == 0
        assert page.locator("#new-partnership").is_hidden()
        assert [e for e in watched.errors if "Failed to load resource" not in e] == []
    finally:
        watched.page.context.close()


def test_a_new_partnership_is_formed_and_joined_from_the_page(
    chromium: Browser, demo: Demo
) -> None:
    watched = watch(chromium, demo.server.url)
    try:
        watched.open(f"{demo.url}?partnership={demo.partnership_id}")
        page = watched.page
        page.locator("#new-partnership").click()
        form = page.locator("#record-dialog form[data-mutation=formPartnership]")
        form.locator("[name=name]").fill("Riverside Care Alliance")
        form.locator("[name=purpose]").fill("Joined-up care at home")
        form.locator("button[type=submit]").click()
        # then its first partner joins, in the new partnership
        join = page.locator("#record-dialog form[data-mutation=joinPartner]")
        join.wait_for()
        expect(page.locator("h1")).to_have_text("Riverside Care Alliance")
        formed = page.locator("#partnership-select").input_value()
        join.locator("[name=name]").fill("Riverside Hospital Trust")
        join.locator("[name=sector]").select_option("NHS_TRUST")
        join.locator("button[type=submit]").click()
        page.locator("#record-dialog form[data-recorded-event]").wait_for()
        partners = demo.server.data(
            "query ($id: ID!) { partnership(id: $id) { name partners { name sector } } }",
            {"id": formed},
        )["partnership"]
        assert partners == {
            "name": "Riverside Care Alliance",
            "partners": [{"name": "Riverside Hospital Trust", "sector": "NHS_TRUST"}],
        }
        # the success's link opens the entry on the timeline, also as an address
        link = page.locator("#record-dialog [data-event-link]")
        href = link.get_attribute("href")
        event_id = link.get_attribute("data-event-link")
        page.goto(f"{demo.url}{href}")
        page.locator(f"#event-details[data-event-id='{event_id}']").wait_for()
        assert watched.errors == []
    finally:
        watched.page.context.close()


def server_on(database_url: str, port: int) -> Any:
    """A server on a given port (as `start_server`, which picks a free one): a restart."""
    import socket
    import threading
    import time

    import uvicorn

    from accord.runtime import Runtime
    from accord.web.server import server_config
    from tests.api.server import ApiServer

    runtime = Runtime.open(database_url)
    server = uvicorn.Server(server_config(runtime, port=port, log_level="warning"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    return ApiServer(runtime, server, thread, port)


def test_the_page_reconnects_after_a_server_restart_and_misses_nothing(
    chromium: Browser, tmp_path: Any
) -> None:
    from tests.api.server import start_server

    database = f"sqlite:///{tmp_path / 'restart.db'}"
    first = start_server(database)
    port = first.port
    demo = Demo(first, "")
    demo.partnership_id = new_partnership(demo)
    watched = watch(chromium, first.url)
    try:
        watched.open(f"{first.url}/?partnership={demo.partnership_id}")
        page = watched.page
        expect(page.locator("#live-status")).to_have_attribute("data-live", "live")
        first.stop()
        expect(page.locator("#live-status")).to_have_attribute("data-live", "reconnecting")
        second = server_on(database, port)
        try:
            demo.server = second
            # recorded before the page is back: replayed after its last position
            mutate(demo, "setGoal", {"partnershipId": demo.partnership_id, "statement": "G1"})
            expect(page.locator("#live-status")).to_have_attribute(
                "data-live", "live", timeout=10_000
            )
            mutate(demo, "setGoal", {"partnershipId": demo.partnership_id, "statement": "G2"})
            facts = page.locator("#partnership-facts")
            expect(facts).to_contain_text(f"{version(demo, demo.partnership_id)} events recorded")
        finally:
            watched.page.context.close()
            second.stop()
    finally:
        if first.thread.is_alive():
            first.stop()


Step = tuple[str, str, dict[str, str], dict[str, Any]]

# What each form is given, and what its entry's data must then hold. In this order in one
# partnership (three partners, goal g1 and commitment c1 set through the API first);
# retractEntry and formPartnership (then its first partner) follow, opened where they are.
EVERY_FORM: list[Step] = [
    (
        "setGoal",
        "#health-cards",
        {"goalId": "g2", "statement": "Fewer falls at home"},
        {"goalId": "g2", "statement": "Fewer falls at home"},
    ),
    (
        "joinPartner",
        "#overview",
        {"partnerId": "p4", "name": "Hill Surgery", "sector": "select:PRIMARY_CARE"},
        {"partnerId": "p4", "name": "Hill Surgery", "sector": "PRIMARY_CARE"},
    ),
    (
        "makeCommitment",
        "#health-cards",
        {
            "commitmentId": "c2",
            "partnerId": "select:p4",
            "kind": "select:STAFF",
            "quantity": "6",
            "dueAt": "2027-06-30T17:00",  # BST: 16:00 UTC
        },
        {
            "commitmentId": "c2",
            "partnerId": "p4",
            "kind": "STAFF",
            "quantity": 6,
            "unit": "FTE_MONTHS",
            "dueAt": "2027-06-30T16:00:00+00:00",
        },
    ),
    (
        "recordDecision",
        "#decisions",
        {
            "title": "Share one care record",
            "category": "select:GOVERNANCE",
            "method": "select:CONSENSUS",
            "decidedBy=p1": "check",
            "decidedBy=p2": "check",
            "consulted=p3": "check",
        },
        {
            "title": "Share one care record",
            "category": "GOVERNANCE",
            "method": "CONSENSUS",
            "decidedBy": ["p1", "p2"],
            "consulted": ["p3"],
        },
    ),
    (
        "recordTrustCheckIn",
        "#health-cards",
        {
            "respondentId": "select:p1",
            "aboutId": "select:p2",
            "reliability": "4",
            "openness": "3",
            "respect": "5",
            "sharedOwnership": "2",
        },
        {
            "respondentId": "p1",
            "aboutId": "p2",
            "reliability": 4,
            "openness": 3,
            "respect": 5,
            "sharedOwnership": 2,
        },
    ),
    (
        "reviseGoal",
        "#health-cards",
        {"goalId": "select:g1", "statement": "Care at home", "reason": "Plainer"},
        {"goalId": "g1", "statement": "Care at home", "reason": "Plainer"},
    ),
    (
        "endorseGoal",
        "#health-cards",
        {"goalId": "select:g1", "partnerId": "select:p1", "rating": "4"},
        {"goalId": "g1", "partnerId": "p1", "version": 2, "rating": 4},
    ),
    (
        "reaffirmGoal",
        "#health-cards",
        {"goalId": "select:g1", "note": "Still right"},
        {"goalId": "g1", "note": "Still right"},
    ),
    (
        "recordDelivery",
        "#health-cards",
        {"commitmentId": "select:c1", "quantity": "400"},
        {"commitmentId": "c1", "quantity": 400},
    ),
    (
        "releaseCommitment",
        "#health-cards",
        {"commitmentId": "select:c1", "byAgreement": "check", "reason": "Budget moved"},
        {"commitmentId": "c1", "byAgreement": True, "reason": "Budget moved"},
    ),
    (
        "agreeRiskShares",
        "#overview",
        {
            "shares.0.share": "0.4",
            "shares.1.share": "0.3",
            "shares.2.share": "0.2",
            "shares.3.share": "0.1",
        },
        {
            "shares": [
                {"partnerId": "p1", "share": 0.4},
                {"partnerId": "p2", "share": 0.3},
                {"partnerId": "p3", "share": 0.2},
                {"partnerId": "p4", "share": 0.1},
            ]
        },
    ),
    (
        "appointLeader",
        "#health-cards",
        {"role": "Programme director", "partnerId": "select:p1", "person": "Sam Jones"},
        {"role": "Programme director", "partnerId": "p1", "person": "Sam Jones"},
    ),
    (
        "recordLeaderDeparture",
        "#health-cards",
        {"role": "Programme director", "reason": "Moved on"},
        {"role": "Programme director", "reason": "Moved on"},
    ),
    (
        "retireGoal",
        "#health-cards",
        {"goalId": "select:g1", "reason": "Met"},
        {"goalId": "g1", "reason": "Met"},
    ),
    (
        "recordPartnerLeaving",
        "#overview",
        {"partnerId": "select:p3", "reason": "Funding ended"},
        {"partnerId": "p3", "reason": "Funding ended"},
    ),
    (
        "grantRole",
        "#people",
        {"actor": "zoe", "role": "select:RECORDER"},
        {"actor": "zoe", "role": "RECORDER"},
    ),
    ("revokeRole", "#people", {"actor": "zoe"}, {"actor": "zoe"}),
]


def fill(form: Any, values: dict[str, str]) -> None:
    """Fill a form's controls: "check" ticks a box (`name=value` for one box of a group),
    "select:VALUE" chooses an option, anything else is typed."""
    for key, value in values.items():
        name, _, box = key.partition("=")
        selector = f"[name='{name}'][value='{box}']" if box else f"[name='{name}']"
        control = form.locator(selector)
        if value == "check":
            control.check()
        elif value.startswith("select:"):
            control.select_option(value.removeprefix("select:"))
        else:
            control.fill(value)


def unworded(form: Any) -> list[str]:
    """The fields of an open form shown by their API name, or without a label or help:
    each control (or its group) has a visible label in words and text saying what it is."""
    found: list[str] = form.evaluate(
        """form => [...form.querySelectorAll('[data-field]')].flatMap(field => {
             const name = field.dataset.field;
             const label = field.matches('fieldset')
               ? field.querySelector('legend')
               : field.querySelector(`label[for="${CSS.escape(field.querySelector(
                   '[name]')?.id ?? '')}"]`);
             const text = (label?.innerText ?? '').replace(/\\(.*\\)/g, '').trim();
             const help = field.querySelector('.hint')?.innerText.trim();
             return text && text !== name && label.checkVisibility() && help ? [] : [name];
           })"""
    )
    return found


def recorded_and_accessible(
    page: Page, demo: Demo, form: Any, mutation: str, expected: dict[str, Any]
) -> dict[str, Any]:
    """After Record: the success (what was recorded, with its link) passes axe, and the
    entry it names reads back through the API with the fields sent. The entry, from the API."""
    recorded = page.locator(f"#record-dialog form[data-mutation={mutation}][data-recorded-event]")
    recorded.wait_for()
    success = form.locator(".form-success")
    expect(success).to_contain_text("Recorded:")
    event_id = recorded.get_attribute("data-recorded-event")
    assert success.locator("[data-event-link]").get_attribute("data-event-link") == event_id
    node: dict[str, Any] = demo.server.data(EVENT, {"id": event_id})["node"]
    shown = {key: node["data"].get(key) for key in expected}
    assert shown == expected, mutation
    assert axe_violations(page, "#record-dialog") == [], f"{mutation}, after success"
    return node


def test_every_form_records_reads_back_and_passes_axe_after_success(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    page = forms_page.page
    mutate(
        demo,
        "setGoal",
        {"partnershipId": partnership, "goalId": "g1", "statement": "Care closer to home"},
    )
    mutate(
        demo,
        "makeCommitment",
        {
            "partnershipId": partnership,
            "commitmentId": "c1",
            "partnerId": "p2",
            "kind": "FUNDING",
            "quantity": 1000,
            "dueAt": "2026-12-31",
        },
    )
    page.reload()
    page.wait_for_selector("#health[aria-busy=false]")
    page.locator("#people summary").click()
    checked: list[str] = []
    recorded: dict[str, str] = {}
    for mutation, where, values, expected in EVERY_FORM:
        form = open_form(page, mutation, where)
        assert axe_violations(page) == [], mutation
        assert unworded(form) == [], mutation
        fill(form, values)
        form.locator("button[type=submit]").click()
        recorded[mutation] = recorded_and_accessible(page, demo, form, mutation, expected)["id"]
        checked.append(mutation)
        page.locator("#record-close").click()

    # retractEntry, in the details of the entry it takes out (the check-in)
    check_in = recorded["recordTrustCheckIn"]
    page.goto(f"{demo.url}?partnership={partnership}&event={check_in}")
    page.locator(f"#event-details[data-event-id='{check_in}'] [data-open-form]").wait_for()
    form = open_form(page, "retractEntry", "#event-details")
    assert unworded(form) == []
    assert form.locator("[name=eventId]").input_value() == check_in
    form.locator("[name=reason]").fill("Entered twice")
    form.locator("button[type=submit]").click()
    recorded_and_accessible(
        page, demo, form, "retractEntry", {"eventId": check_in, "reason": "Entered twice"}
    )
    retracted = demo.server.data(
        "query ($id: ID!) { node(id: $id) { ... on Event { retracted } } }", {"id": check_in}
    )
    assert retracted["node"]["retracted"] is True
    checked.append("retractEntry")
    page.locator("#record-close").click()

    # formPartnership: its success stands until the new partnership is open, then the
    # form for its first partner follows. The page's question of the actor's role in it
    # is held back meanwhile, so that axe sees the success itself.
    held: list[Route] = []

    def hold_my_role(route: Route) -> None:
        if "myRole" in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/graphql", hold_my_role)
    page.locator("#new-partnership").click()
    form = page.locator("#record-dialog form[data-mutation=formPartnership]")
    form.wait_for()
    assert unworded(form) == []
    fill(form, {"name": "Axe Valley Alliance", "purpose": "Care across the valley"})
    form.locator("button[type=submit]").click()
    formed = recorded_and_accessible(
        page,
        demo,
        form,
        "formPartnership",
        {"name": "Axe Valley Alliance", "purpose": "Care across the valley"},
    )
    for _ in range(100):  # the page asks once the success is shown; answered only now
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    for route in held:
        route.continue_()
    page.unroute("**/graphql", hold_my_role)
    checked.append("formPartnership")
    join = page.locator("#record-dialog form[data-mutation=joinPartner]")
    join.wait_for()
    expect(join).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("h1")).to_have_text("Axe Valley Alliance")
    assert unworded(join) == []
    fill(join, {"name": "Valley Hospital", "sector": "select:NHS_TRUST"})
    join.locator("button[type=submit]").click()
    recorded_and_accessible(
        page, demo, join, "joinPartner", {"name": "Valley Hospital", "sector": "NHS_TRUST"}
    )
    assert formed["type"] == "PARTNERSHIP_FORMED"
    catalogue = demo.server.client.get("/forms.json").json()
    assert sorted(set(checked)) == sorted(kind["mutation"] for kind in catalogue["kinds"])
    assert len(set(checked)) == 19
    assert forms_page.errors == []


def test_a_screenshot_of_a_form_with_an_error_is_saved_for_the_docs(
    forms_page: Watched, partnership: str, tmp_path: Path
) -> None:
    page = forms_page.page
    form = open_form(page, "recordDecision", "#decisions")
    form.locator("[name=title]").fill("Pool the falls-prevention budgets")
    form.locator("[name=category]").select_option("RESOURCING")
    form.locator("[name=method]").select_option("CONSENSUS")
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-error-for=decidedBy]")).not_to_be_empty()
    target = docs_image("recording-form.png", tmp_path)
    page.locator("#record-dialog").screenshot(path=str(target))
    assert target.stat().st_size > 20_000
    assert forms_page.errors == []


def goal_card(page: Page) -> Any:
    return page.locator("#health-cards article[data-question=COMMON_GOALS]")


def test_each_goal_has_its_actions_beside_it_with_the_goal_chosen(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    page = forms_page.page
    for goal_id, statement in (("g1", "Care closer to home"), ("g2", "Fewer falls at home")):
        mutate(
            demo,
            "setGoal",
            {"partnershipId": partnership, "goalId": goal_id, "statement": statement},
        )
    goals = goal_card(page).locator("[data-role=goals] li[data-goal-id]")
    expect(goals).to_have_count(2)  # live: no reload
    assert goals.nth(1).get_attribute("data-goal-id") == "g2"
    # the card itself offers setting a goal; what is done to one goal is offered beside it
    card_level = page.eval_on_selector_all(
        "#health-cards article[data-question=COMMON_GOALS] > .record-actions [data-open-form]",
        "nodes => nodes.map(n => n.dataset.openForm)",
    )
    assert card_level == ["setGoal"]
    second = goals.nth(1)
    beside = second.locator("[data-open-form]")
    assert [beside.nth(i).get_attribute("data-open-form") for i in range(beside.count())] == [
        "reviseGoal",
        "endorseGoal",
        "reaffirmGoal",
        "retireGoal",
    ]
    for i in range(beside.count()):  # each button names its goal to a screen reader
        assert "Fewer falls at home" in (beside.nth(i).get_attribute("aria-label") or "")

    # endorse the second goal: it is chosen, and its current version filled in
    second.locator("[data-open-form=endorseGoal]").click()
    form = page.locator("#record-dialog form[data-mutation=endorseGoal]")
    expect(form.locator("[name=goalId]")).to_have_value("g2")
    expect(form.locator("[name=version]")).to_have_value("1")
    form.locator("[name=partnerId]").select_option("p1")
    form.locator("[name=rating]").fill("4")
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    data = demo.server.data(EVENT, {"id": form.get_attribute("data-recorded-event")})["node"]
    assert (data["type"], data["data"]["goalId"], data["data"]["version"]) == (
        "GOAL_ENDORSED",
        "g2",
        1,
    )
    page.locator("#record-close").click()

    # revise it: the list then shows its new wording
    goal_card(page).locator("li[data-goal-id=g2] [data-open-form=reviseGoal]").click()
    form = page.locator("#record-dialog form[data-mutation=reviseGoal]")
    expect(form.locator("[name=goalId]")).to_have_value("g2")
    form.locator("[name=statement]").fill("Fewer falls, at home and in care homes")
    form.locator("[name=reason]").fill("Care homes too")
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    page.locator("#record-close").click()
    expect(goal_card(page).locator("li[data-goal-id=g2]")).to_contain_text(
        "Fewer falls, at home and in care homes (version 2)"
    )

    # retire the first: it leaves the list
    goal_card(page).locator("li[data-goal-id=g1] [data-open-form=retireGoal]").click()
    form = page.locator("#record-dialog form[data-mutation=retireGoal]")
    expect(form.locator("[name=goalId]")).to_have_value("g1")
    form.locator("[name=reason]").fill("Achieved")
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    page.locator("#record-close").click()
    expect(goal_card(page).locator("[data-role=goals] li[data-goal-id]")).to_have_count(1)
    retired = [e for e in events(demo, partnership) if e["type"] == "GOAL_RETIRED"]
    assert [e["data"]["goalId"] for e in retired] == ["g1"]
    assert forms_page.errors == []


def test_a_goal_action_keeps_its_goal_when_it_was_not_active_then_and_says_why(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    """Opened beside a goal the page lists as of its as-of day, a form keeps that goal
    chosen whatever "When it happened" says, says beside it when the goal was set or
    retired if it was not active then, and leaves the judgement to the API."""
    page = forms_page.page
    for goal_id, statement, moment in (
        ("g1", "Care closer to home", "2025-03-03T09:00:00+00:00"),
        ("g2", "Fewer falls at home", "2025-02-03T09:00:00+00:00"),
    ):
        mutate(
            demo,
            "setGoal",
            {
                "partnershipId": partnership,
                "goalId": goal_id,
                "statement": statement,
                "occurredAt": moment,
            },
        )
    mutate(
        demo,
        "retireGoal",
        {
            "partnershipId": partnership,
            "goalId": "g2",
            "reason": "Folded into the first",
            "occurredAt": "2025-06-02T09:00:00+00:00",
        },
    )
    page.goto(f"{demo.url}?partnership={partnership}&asOf=2025-04-01")
    page.wait_for_selector("#health[aria-busy=false]")
    expect(goal_card(page).locator("[data-role=goals] li[data-goal-id]")).to_have_count(2)

    # Endorse the first goal, backdated to before it was set (and before the partners joined)
    goal_card(page).locator("li[data-goal-id=g1] [data-open-form=endorseGoal]").click()
    form = page.locator("#record-dialog form[data-mutation=endorseGoal]")
    expect(form).not_to_have_attribute("aria-busy", "true")
    goal = form.locator("[name=goalId]")
    expect(goal).to_have_value("g1")
    expect(form.locator("[name=version]")).to_have_value("1")
    form.locator("[name=partnerId]").select_option("p1")
    form.locator("[name=rating]").fill("4")
    form.locator("[name=occurredAt]").fill("2025-01-06T12:00")
    expect(form).not_to_have_attribute("aria-busy", "true")
    goal_note = form.locator("[data-note-for=goalId]")
    partner_note = form.locator("[data-note-for=partnerId]")
    expect(goal).to_have_value("g1")  # kept, not reset to "Choose…"
    expect(goal.locator("option:checked")).to_have_text("Care closer to home (not active then)")
    expect(goal_note).to_contain_text("“Care closer to home” was set on 3 Mar 2025, 09:00 GMT")
    expect(goal_note).to_contain_text("the record will refuse this entry")
    expect(form.locator("[name=partnerId]")).to_have_value("p1")
    expect(partner_note).to_contain_text("North Trust was not an active partner")
    assert goal_note.get_attribute("id") in goal.get_attribute("aria-describedby").split()
    assert axe_violations(page, "#record-dialog") == []

    # a moment when the partners were there, the goal still not set: only the goal's note
    form.locator("[name=occurredAt]").fill("2025-02-10T09:00")
    expect(form).not_to_have_attribute("aria-busy", "true")
    expect(partner_note).to_be_empty()
    expect(goal_note).to_contain_text("was set on 3 Mar 2025")
    before = version(demo, partnership)
    form.locator("button[type=submit]").click()  # the API judges: refused, at the goal
    expect(form.locator("[data-error-for=goalId]")).to_contain_text("not set by then")
    expect(form).not_to_have_attribute("aria-busy", "true")
    assert version(demo, partnership) == before
    expect(goal).to_have_value("g1")
    assert axe_violations(page, "#record-dialog") == []

    # from when it was set: no note, and it records
    form.locator("[name=occurredAt]").fill("2025-03-10T09:00")
    expect(form).not_to_have_attribute("aria-busy", "true")
    expect(goal_note).to_be_empty()
    expect(goal.locator("option:checked")).to_have_text("Care closer to home (version 1)")
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    event = demo.server.data(EVENT, {"id": form.get_attribute("data-recorded-event")})["node"]
    assert (event["type"], event["occurredAt"]) == ("GOAL_ENDORSED", "2025-03-10T09:00:00+00:00")
    assert {k: event["data"][k] for k in ("goalId", "partnerId", "version", "rating")} == {
        "goalId": "g1",
        "partnerId": "p1",
        "version": 1,
        "rating": 4,
    }
    page.locator("#record-close").click()

    # Revise the second goal, listed as of 1 April 2025 but retired since: as of now (the
    # form's default moment) it is not active, and the form says since when
    goal_card(page).locator("li[data-goal-id=g2] [data-open-form=reviseGoal]").click()
    form = page.locator("#record-dialog form[data-mutation=reviseGoal]")
    expect(form).not_to_have_attribute("aria-busy", "true")
    goal = form.locator("[name=goalId]")
    goal_note = form.locator("[data-note-for=goalId]")
    expect(goal).to_have_value("g2")
    expect(goal_note).to_contain_text("“Fewer falls at home” was retired on 2 Jun 2025, 10:00 BST")
    expect(goal_note).to_contain_text("choose an earlier moment")
    assert axe_violations(page, "#record-dialog") == []
    form.locator("[name=statement]").fill("Fewer falls, at home and in care homes")
    form.locator("[name=reason]").fill("Care homes too")
    before = version(demo, partnership)
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-error-for=goalId]")).to_contain_text("retired by then")
    expect(form).not_to_have_attribute("aria-busy", "true")
    assert version(demo, partnership) == before
    form.locator("[name=occurredAt]").fill("2025-05-01T10:00")  # BST
    expect(form).not_to_have_attribute("aria-busy", "true")
    expect(goal_note).to_be_empty()
    expect(goal).to_have_value("g2")
    form.locator("button[type=submit]").click()
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    event = demo.server.data(EVENT, {"id": form.get_attribute("data-recorded-event")})["node"]
    assert (event["type"], event["occurredAt"], event["data"]["goalId"]) == (
        "GOAL_REVISED",
        "2025-05-01T09:00:00+00:00",
        "g2",
    )
    assert forms_page.errors == []


def active(page: Page) -> dict[str, Any]:
    """What has the keyboard focus."""
    focused: dict[str, Any] = page.evaluate(
        """() => { const a = document.activeElement;
             return {tag: a.tagName.toLowerCase(), name: a.getAttribute('name'),
                     value: a.value ?? null, text: a.textContent.trim().slice(0, 80),
                     openForm: a.dataset.openForm ?? null, className: a.className,
                     inDialog: Boolean(a.closest('#record-dialog'))}; }"""
    )
    return focused


def tab_to(page: Page, selector: str, *, back: bool = False, limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until the focus is on an element matching `selector`."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"Tab never reached {selector}; the focus is on {active(page)}")


def test_a_decision_is_recorded_with_the_keyboard_alone(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    page = forms_page.page
    before = version(demo, partnership)
    # from the top of the page: the "Decisions" link, then the first thing in that section
    page.evaluate("document.activeElement.blur()")
    tab_to(page, "nav a[href='#decisions']")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active(page)["openForm"] == "recordDecision"
    page.keyboard.press("Enter")
    form = page.locator("#record-dialog form[data-mutation=recordDecision]")
    form.wait_for()
    expect(form).not_to_have_attribute("aria-busy", "true")
    assert active(page)["name"] == "occurredAt"  # the dialog opens on its first field

    tab_to(page, "[name=title]")
    page.keyboard.type("Agreed from the keyboard")
    tab_to(page, "[name=significance]")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("1.5")
    page.keyboard.press("Enter")  # a slip the page's own check catches: not sent
    expect(form.locator("[data-error-for=significance]")).not_to_be_empty()
    assert active(page)["name"] == "significance"  # the answer to correct
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("2")
    tab_to(page, "[name=category]")
    page.keyboard.type("Gov")  # a closed select takes the first letters of an option
    tab_to(page, "[name=method]")
    page.keyboard.type("By c")
    # back up to the title to correct it, then on to the button, deciders left out
    tab_to(page, "[name=title]", back=True)
    page.keyboard.press("End")
    page.keyboard.type(" at last")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    # the API's error is at the deciders, and the focus is on their first box
    expect(form.locator("[data-error-for=decidedBy]")).not_to_be_empty()
    expect(form.locator("[role=alert]")).not_to_be_empty()
    focus = active(page)
    assert (focus["name"], focus["value"]) == ("decidedBy", "p1"), focus
    assert version(demo, partnership) == before
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert active(page)["value"] == "p2"
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Space")

    # recorded as sent; the focus on the message saying so
    page.locator("#record-dialog form[data-recorded-event]").wait_for()
    assert "form-success" in active(page)["className"]
    event = demo.server.data(EVENT, {"id": form.get_attribute("data-recorded-event")})["node"]
    assert event["type"] == "DECISION_RECORDED"
    sent = ("title", "significance", "category", "method", "decidedBy")
    assert {key: event["data"][key] for key in sent} == {
        "title": "Agreed from the keyboard at last",
        "significance": 2,
        "category": "GOVERNANCE",
        "method": "CONSENSUS",
        "decidedBy": ["p1", "p2"],
    }
    assert version(demo, partnership) == before + 1
    # the message's link and buttons follow it; "Close" goes back to where the form opened
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Show it on the timeline"
    tab_to(page, "#record-dialog .form-success button:nth-child(2)")
    assert active(page)["text"] == "Close"
    page.keyboard.press("Enter")
    expect(page.locator("#record-dialog")).not_to_be_visible()
    assert active(page)["openForm"] == "recordDecision"
    assert forms_page.errors == []


def partnerships_count(demo: Demo) -> int:
    return int(demo.server.data("{ partnerships { totalCount } }")["partnerships"]["totalCount"])


def test_every_form_passes_axe_empty_and_with_errors(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    page = forms_page.page
    mutate(demo, "setGoal", {"partnershipId": partnership, "goalId": "g1", "statement": "Home"})
    joined = events(demo, partnership)[1]["id"]  # a partner joining: retractable
    mutate(
        demo,
        "makeCommitment",
        {
            "partnershipId": partnership,
            "commitmentId": "c1",
            "partnerId": "p2",
            "kind": "FUNDING",
            "quantity": 1000,
            "dueAt": "2026-12-31",
        },
    )
    page.goto(f"{demo.url}?partnership={partnership}&event={joined}")
    page.locator(f"#event-details[data-event-id='{joined}'] [data-open-form]").wait_for()
    page.wait_for_selector("#health[aria-busy=false]")
    expect(goal_card(page).locator("li[data-goal-id=g1]")).to_be_visible()
    page.locator("#people summary").click()
    before = version(demo, partnership)
    formed_before = partnerships_count(demo)
    catalogue = demo.server.client.get("/forms.json").json()
    checked = []
    for kind in catalogue["kinds"]:
        mutation = kind["mutation"]
        if mutation == "formPartnership":
            page.locator("#new-partnership").click()
        else:
            page.locator(f"[data-open-form={mutation}]:visible").first.click()
        form = page.locator(f"#record-dialog form[data-mutation={mutation}]")
        form.wait_for()
        expect(form).not_to_have_attribute("aria-busy", "true")
        assert axe_violations(page, "#record-dialog") == [], f"{mutation}, empty"
        if "action" in kind:  # opened beside a goal, which is chosen: unchoose it
            form.locator("[name=goalId]").select_option("")
        form.locator("button[type=submit]").click()  # sent as opened: refused
        expect(form.locator("[role=alert]")).not_to_be_empty()
        expect(form).not_to_have_attribute("aria-busy", "true")
        assert form.get_attribute("data-recorded-event") is None, mutation
        shown = form.locator("[data-error-for]").all_inner_texts()
        assert any(text.strip() for text in shown), f"{mutation}: no field shows its error"
        assert axe_violations(page, "#record-dialog") == [], f"{mutation}, with errors"
        page.locator("#record-close").click()
        checked.append(mutation)
    assert len(checked) == 19
    assert version(demo, partnership) == before
    assert partnerships_count(demo) == formed_before  # nor was a partnership formed
    assert forms_page.errors == []


def test_every_form_opens_is_filled_in_order_and_closes_from_the_keyboard(
    forms_page: Watched, demo: Demo, partnership: str
) -> None:
    """Each of the 19 forms: Enter on its button opens it with the focus inside; Tab
    reaches every one of its controls, in the order they are shown, without leaving the
    dialog; Escape closes it and gives the focus back to the button."""
    page = forms_page.page
    mutate(demo, "setGoal", {"partnershipId": partnership, "goalId": "g1", "statement": "Home"})
    joined = events(demo, partnership)[1]["id"]
    page.goto(f"{demo.url}?partnership={partnership}&event={joined}")
    page.locator(f"#event-details[data-event-id='{joined}'] [data-open-form]").wait_for()
    page.wait_for_selector("#health[aria-busy=false]")
    expect(goal_card(page).locator("li[data-goal-id=g1]")).to_be_visible()
    page.locator("#people summary").click()
    catalogue = demo.server.client.get("/forms.json").json()
    checked = []
    for kind in catalogue["kinds"]:
        mutation = kind["mutation"]
        opener = page.locator(
            "#new-partnership"
            if mutation == "formPartnership"
            else f"[data-open-form={mutation}]:visible"
        ).first
        opener.focus()
        page.keyboard.press("Enter")
        form = page.locator(f"#record-dialog form[data-mutation={mutation}]")
        form.wait_for()
        expect(form).not_to_have_attribute("aria-busy", "true")
        assert active(page)["inDialog"], f"{mutation}: the focus is not in the form"
        controls: list[str] = form.evaluate(
            """f => [...f.querySelectorAll('[name]')]
                 .filter(c => !c.disabled && c.type !== 'hidden' && c.offsetParent !== null)
                 .map(c => c.name + '=' + (c.type === 'checkbox' ? c.value : ''))"""
        )
        reached: list[str] = []
        for _ in range(len(controls) * 2 + 10):
            focused = page.evaluate(
                """() => { const a = document.activeElement;
                     return {inDialog: Boolean(a.closest('#record-dialog')),
                             outside: a !== document.body && !a.closest('#record-dialog'),
                             key: a.name ? a.name + '=' + (a.type === 'checkbox' ? a.value : '')
                                         : null}; }"""
            )
            # Past the last control the browser's own toolbar may take the focus (the
            # page behind a modal dialog is inert): never the page's other controls.
            assert not focused["outside"], f"{mutation}: Tab left the dialog for the page"
            if focused["key"] in controls and focused["key"] not in reached:
                reached.append(focused["key"])
            page.keyboard.press("Tab")
        assert reached == controls, f"{mutation}: Tab reached {reached} of {controls}"
        page.keyboard.press("Escape")
        expect(page.locator("#record-dialog")).not_to_have_attribute("open", "")
        assert page.evaluate("el => document.activeElement === el", opener.element_handle()), (
            f"{mutation}: the focus did not go back to the form's button"
        )
        checked.append(mutation)
    assert len(checked) == 19
    assert forms_page.errors == []
