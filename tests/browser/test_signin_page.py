"""Signing in from the page (issue 17, item 7) in Chromium, against a real secured server:
the page offers "Sign in" (and the token form) when the server needs it, a local account
signs in through /signin, the page says who is signed in and sends the session's CSRF
value, a VIEWER can record nothing, sign-out ends the session, and the back button then
shows nothing private. The sign-in page passes axe, empty and with an error."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.secured import SecuredServer
from tests.api.signed_in import PASSWORD, add_account, http_client
from tests.browser.conftest import Demo, Watched, watch
from tests.browser.test_recording_forms import axe_violations

PRIVATE = "Harbour Private Partnership"
SECTIONS = ("#health", "#timeline-section", "#decisions")


@dataclass
class World:
    server: SecuredServer
    partnership_id: str
    admin_token: str

    @property
    def url(self) -> str:
        return self.server.api.url

    def version(self) -> int:
        return self.server.version(self.partnership_id)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    server = SecuredServer(f"sqlite:///{tmp_path_factory.mktemp('signin') / 'accord.db'}")
    try:
        admin = server.issue("ada")
        formed = server.data(
            admin,
            f"""mutation {{ formPartnership(input: {{name: "{PRIVATE}", purpose: "Care"}}) {{
                 ... on FormPartnershipSuccess {{ partnership {{ id }} }} }} }}""",
        )["formPartnership"]["partnership"]["id"]
        server.data(
            admin,
            """mutation ($id: ID!) { setGoal(input: {partnershipId: $id, goalId: "g1",
                 statement: "Fewer delayed discharges"}) { __typename } }""",
            {"id": formed},
        )
        yield World(server, formed, admin)
    finally:
        server.stop()


def viewer(world: World) -> str:
    """A new local account, a VIEWER of the partnership."""
    actor = f"vic-{uuid.uuid4().hex[:6]}"
    add_account(world.server, actor)
    world.server.data(
        world.admin_token,
        "mutation ($id: ID!, $actor: String!) { grantRole(input: {partnershipId: $id, "
        "actor: $actor, role: VIEWER}) { __typename } }",
        {"id": world.partnership_id, "actor": actor},
    )
    return actor


def sign_in_from_the_page(page: Page, world: World, actor: str) -> None:
    """Open the page, follow its "Sign in" link, and sign in with the form."""
    page.goto(f"{world.url}/?partnership={world.partnership_id}")
    offer = page.locator("#token-form")
    expect(offer).to_be_visible(timeout=20_000)
    expect(page.locator("#token-input")).to_be_visible()  # the token form stays
    page.get_by_role("link", name="Sign in").click()
    page.wait_for_url(f"{world.url}/signin")
    page.get_by_label("Account name").fill(actor)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{world.url}/")
    for section in SECTIONS:
        page.wait_for_selector(f"{section}[aria-busy=false]", timeout=20_000)


def shows_nothing_private(page: Page) -> None:
    page.wait_for_load_state()
    page.wait_for_timeout(500)  # let a page that would fetch have done so
    assert PRIVATE not in page.content()
    assert "Fewer delayed discharges" not in page.content()


@pytest.fixture
def watched(chromium: Browser, world: World) -> Iterator[Watched]:
    page = watch(chromium, world.url)
    yield page
    page.page.context.close()


def test_a_viewer_signs_in_records_nothing_signs_out_and_back_shows_nothing(
    watched: Watched, world: World
) -> None:
    page = watched.page
    actor = viewer(world)
    sign_in_from_the_page(page, world, actor)
    expect(page.locator("#who")).to_be_visible()
    expect(page.locator("#who")).to_contain_text(f"Signed in as {actor}")
    expect(page.locator("#token-form")).to_be_hidden()
    expect(page.locator("#partnership-name")).to_have_text(PRIVATE)
    # The cookie is out of the page's reach.
    assert "accord_session" not in page.evaluate("document.cookie")
    # A VIEWER is offered no form in the partnership.
    offered = page.eval_on_selector_all(
        "[data-open-form]:not([hidden] *)", "nodes => nodes.map(n => n.dataset.openForm)"
    )
    assert [form for form in offered if form != "formPartnership"] == []
    # Nor can the page's own session record: the server refuses a VIEWER.
    before = world.version()
    answer: dict[str, Any] = page.evaluate(
        """async ([id]) => {
             const session = await (await fetch("session")).json();
             const response = await fetch("graphql", {
               method: "POST",
               headers: {"content-type": "application/json", "x-accord-csrf": session.csrf},
               body: JSON.stringify({query: `mutation ($id: ID!) { setGoal(input:
                 {partnershipId: $id, statement: "From a viewer"}) { __typename } }`,
                 variables: {id}}),
             });
             return {status: response.status, body: await response.json()};
           }""",
        [world.partnership_id],
    )
    assert answer["status"] == 200
    assert answer["body"]["data"]["setGoal"]["__typename"] == "ForbiddenError"
    assert world.version() == before
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "accord_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # Sign out: the sign-in page, and the session is over.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{world.url}/signin")
    assert [c for c in page.context.cookies() if c["name"] == "accord_session"] == []
    old = http_client(world.url).get(
        "/session", headers={"Cookie": f"accord_session={cookie['value']}"}
    )
    assert old.status_code == 401
    shows_nothing_private(page)
    # The back button: every page it reaches shows nothing private.
    visited = []
    for _ in range(2):
        page.go_back()
        visited.append(page.url)
        shows_nothing_private(page)
    # The signed-in page itself was replaced by the sign-in page: back reaches the form,
    # then the page as first opened, loaded anew (no-store), asking to sign in.
    assert visited == [f"{world.url}/signin", f"{world.url}/?partnership={world.partnership_id}"]
    expect(page.locator("#token-form")).to_be_visible()
    assert [e for e in watched.errors if "401" not in e and "Failed to load" not in e] == []
    assert watched.foreign_requests == []


def test_the_page_sends_the_csrf_value_and_follows_live(watched: Watched, world: World) -> None:
    page = watched.page
    actor = viewer(world)
    requests: list[dict[str, str]] = []
    page.on(
        "request",
        lambda request: (
            requests.append(request.headers) if request.url.endswith("/graphql") else None
        ),
    )
    sign_in_from_the_page(page, world, actor)
    csrf = page.evaluate("fetch('session').then((r) => r.json()).then((b) => b.csrf)")
    sent = [headers for headers in requests if headers.get("x-accord-csrf")]
    assert sent and all(headers["x-accord-csrf"] == csrf for headers in sent)
    # Live: a goal the admin sets reaches the page over its websocket (CSRF in init).
    world.server.data(
        world.admin_token,
        """mutation ($id: ID!) { setGoal(input: {partnershipId: $id,
             statement: "Seen live by the viewer"}) { __typename } }""",
        {"id": world.partnership_id},
    )
    expect(page.locator("body")).to_contain_text("Seen live by the viewer", timeout=20_000)
    # GraphiQL reads /session too: its schema's introspection is let through.
    with page.expect_response(
        lambda r: r.url.endswith("/graphql") and r.request.method == "POST", timeout=20_000
    ) as introspection:
        page.goto(f"{world.url}/graphql")
    assert introspection.value.request.headers.get("x-accord-csrf") == csrf
    assert introspection.value.status == 200
    assert "__schema" in introspection.value.json()["data"]


def test_a_wrong_password_says_so_on_the_sign_in_page(chromium: Browser, world: World) -> None:
    plain = watch(chromium, world.url)  # the page's own CSP: nothing it does is blocked
    try:
        plain.page.goto(f"{world.url}/signin")
        plain.page.get_by_label("Account name").fill("nobody-here")
        plain.page.get_by_label("Password").fill("not the password at all")
        plain.page.get_by_role("button", name="Sign in").click()
        expect(plain.page.get_by_role("alert")).to_contain_text("wrong")
        assert [e for e in plain.errors if "401" not in e] == []
        assert plain.foreign_requests == []
    finally:
        plain.page.context.close()
    watched = watch(chromium, world.url, bypass_csp=True)  # axe is injected
    page = watched.page
    page.goto(f"{world.url}/signin")
    assert axe_violations(page) == []
    page.get_by_label("Account name").fill("nobody-here")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong")
    expect(page.get_by_label("Account name")).to_have_value("nobody-here")
    assert axe_violations(page) == []
    watched.page.context.close()


def test_without_auth_the_page_offers_no_sign_in(browser_page: Watched, demo: Demo) -> None:
    browser_page.open(demo.url)
    page = browser_page.page
    expect(page.locator("#who")).to_be_hidden()
    expect(page.locator("#token-form")).to_be_hidden()


def test_the_signed_in_header_passes_axe(chromium: Browser, world: World) -> None:
    watched = watch(chromium, world.url, bypass_csp=True)  # axe is injected
    try:
        page = watched.page
        sign_in_from_the_page(page, world, viewer(world))
        expect(page.locator("#who")).to_be_visible()
        assert axe_violations(page, ".site-header") == []
        page.locator("#sign-out").focus()
        expect(page.locator("#sign-out")).to_be_focused()
    finally:
        watched.page.context.close()


def test_a_refused_single_sign_on_says_so_plainly_and_passes_axe(
    chromium: Browser, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page a refused OpenID sign-in ends on (here a callback with no sign-in begun,
    refused before the provider is asked): what happened, and a way to sign in again."""
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", "http://127.0.0.1:9/realms/accord")
    monkeypatch.setenv("ACCORD_OIDC_CLIENT_ID", "accord")
    monkeypatch.setenv("ACCORD_OIDC_CLIENT_SECRET", "a-secret-the-provider-would-know")
    server = SecuredServer(f"sqlite:///{tmp_path / 'accord.db'}")
    watched = watch(chromium, server.api.url, bypass_csp=True)  # axe is injected
    try:
        page = watched.page
        answer = page.goto(f"{server.api.url}/auth/callback?code=x")
        assert answer is not None and answer.status == 400
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in failed")
        expect(page.get_by_role("alert")).to_contain_text("sign in again")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Sign in again").click()
        expect(page).to_have_url(f"{server.api.url}/signin")
        expect(page.get_by_label("Account name")).to_be_visible()
        assert watched.foreign_requests == []
    finally:
        watched.page.context.close()
        server.stop()
