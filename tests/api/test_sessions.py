"""Sign-in sessions over real HTTP (issue 17, items 3, 5 and 6): `POST /signin` with a
local account, the session cookie and its flags, `GET /session`, `POST /signout`, the
Origin check, throttling (429), the idle timeout, a disabled account, session ids that
rotate, and the session's actor over a websocket, ended with its session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.requests import Request
from starlette.responses import Response

from accord.application.accounts import Outcome, SignedIn
from accord.runtime import Runtime
from accord.settings import SettingsError
from accord.web.app import create_app
from accord.web.signin import client_address, set_session_cookie
from tests.api.secured import SecuredServer
from tests.api.server import ApiServer
from tests.api.signed_in import (
    PASSWORD,
    add_account,
    http_client,
    post_signin,
    session_cookie,
    sign_in,
)
from tests.support.graphql_client import bearer, websocket
from tests.support.operations import Recorder

PARTNERSHIPS = "{ partnerships(first: 10) { totalCount edges { node { id name } } } }"
FOLLOW = """subscription($id: ID!, $after: Int) {
  partnershipEvents(partnershipId: $id, afterPosition: $after) { position type recordedBy }
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'accord.db'}"
    secured = SecuredServer(url)
    try:
        yield secured
    finally:
        secured.stop()


def fresh(server: SecuredServer, stem: str) -> str:
    """A new account (each test its own: throttles and sessions do not mix)."""
    actor = f"{stem}-{uuid.uuid4().hex[:6]}"
    add_account(server, actor)
    return actor


def log_of(server: SecuredServer, actor: str) -> list[Outcome]:
    return [line.outcome for line in server.api.runtime.accounts.log(actor)]


def test_signing_in_sets_the_session_cookie_and_session_names_the_actor(
    server: SecuredServer,
) -> None:
    actor = fresh(server, "ann")
    response = post_signin(server, actor)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert response.headers["cache-control"] == "no-store"
    cookie, marker = response.headers.get_list("set-cookie")
    assert cookie.startswith("accord_session=")
    flags = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # the server is on loopback
    # Beside it, readable by the page, a marker that holds no secret.
    assert marker.split(";")[0] == "accord_signed_in=1" and "httponly" not in marker.lower()
    session_id = session_cookie(response)
    assert len(session_id) >= 40
    session = http_client(server.api.url).get(
        "/session", headers={"Cookie": f"accord_session={session_id}"}
    )
    assert session.status_code == 200
    assert session.headers["cache-control"] == "no-store"
    assert session.json()["actor"] == actor and len(session.json()["csrf"]) >= 40
    assert log_of(server, actor) == [Outcome.SUCCESS]


def test_session_without_a_live_cookie_is_401(server: SecuredServer) -> None:
    client = http_client(server.api.url)
    assert client.get("/session").status_code == 401
    forged = {"Cookie": "accord_session=" + "x" * 43}
    assert client.get("/session", headers=forged).status_code == 401
    assert client.post("/graphql", json={"query": PARTNERSHIPS}, headers=forged).status_code == (
        401
    )


def test_a_wrong_password_is_401_with_the_page_again_and_no_cookie(
    server: SecuredServer,
) -> None:
    actor = fresh(server, "bea")
    response = post_signin(server, actor, "not the right password at all")
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert "wrong" in response.text and 'name="password"' in response.text
    assert log_of(server, actor) == [Outcome.FAILURE]
    unknown = post_signin(server, "nobody-" + uuid.uuid4().hex[:6])
    assert unknown.status_code == 401 and "set-cookie" not in unknown.headers


def test_a_cookie_session_records_as_admin_with_its_csrf_value(server: SecuredServer) -> None:
    person = sign_in(server, fresh(server, "ada"))
    formed = person.record(
        "formPartnership", {"name": "Seaside", "purpose": "Care", "occurredAt": "2024-01-01"}
    )
    assert formed["__typename"] == "FormPartnershipSuccess", formed
    pid = formed["partnership"]["id"]
    granted = person.record(
        "grantRole", {"partnershipId": pid, "actor": "someone", "role": "VIEWER"}
    )
    assert granted["__typename"] == "GrantRoleSuccess", granted
    assert granted["event"]["recordedBy"] == person.actor
    role = person.data("query($id: ID!) { partnership(id: $id) { myRole } }", {"id": pid})
    assert role == {"partnership": {"myRole": "ADMIN"}}


def test_sign_in_from_another_origin_is_403_and_opens_no_session(server: SecuredServer) -> None:
    actor = fresh(server, "oli")
    for origin in ("http://evil.example", "null", server.api.url.replace("http:", "https:")):
        response = post_signin(server, actor, origin=origin)
        assert response.status_code == 403, origin
        assert "set-cookie" not in response.headers
    # No Origin: a same-origin Referer will do, another or none will not.
    assert post_signin(server, actor, origin=None).status_code == 403
    elsewhere = post_signin(server, actor, origin=None, referer="http://evil.example/signin")
    assert elsewhere.status_code == 403
    assert log_of(server, actor) == []  # refused before the password was looked at
    own = post_signin(server, actor, origin=None, referer=server.api.url + "/signin")
    assert own.status_code == 303


def test_a_form_that_is_not_urlencoded_is_refused(server: SecuredServer) -> None:
    actor = fresh(server, "mo")
    response = http_client(server.api.url).post(
        "/signin",
        json={"actor": actor, "password": PASSWORD},
        headers={"Origin": server.api.url},
        follow_redirects=False,
    )
    assert response.status_code == 415 and "set-cookie" not in response.headers


def test_an_oversized_sign_in_is_refused_unread(server: SecuredServer) -> None:
    actor = fresh(server, "big")
    response = post_signin(server, actor, "x" * 20_000)
    assert response.status_code == 413 and "set-cookie" not in response.headers
    assert log_of(server, actor) == []
    long_name = post_signin(server, "n" * 5_000)
    assert long_name.status_code == 401 and "set-cookie" not in long_name.headers


def test_five_wrong_passwords_then_the_right_one_is_429(server: SecuredServer) -> None:
    actor = fresh(server, "tess")
    for _ in range(5):
        assert post_signin(server, actor, "a wrong password, typed again").status_code == 401
    response = post_signin(server, actor)  # the right password, too late
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) == 15 * 60
    assert "set-cookie" not in response.headers
    assert "too many" in response.text
    assert log_of(server, actor)[-1] is Outcome.THROTTLED


def test_the_session_id_rotates_at_each_sign_in_and_the_old_one_ends(
    server: SecuredServer,
) -> None:
    actor = fresh(server, "rob")
    first = sign_in(server, actor)
    again = post_signin(server, actor, cookie=first.session_id)
    assert again.status_code == 303
    second = session_cookie(again)
    assert second != first.session_id
    client = http_client(server.api.url)
    assert client.get("/session", headers=first.cookie()).status_code == 401
    assert first.send(PARTNERSHIPS).status_code == 401
    renewed = client.get("/session", headers={"Cookie": f"accord_session={second}"})
    assert renewed.status_code == 200 and renewed.json()["csrf"] != first.csrf
    assert log_of(server, actor) == [Outcome.SUCCESS, Outcome.SUCCESS, Outcome.SIGNOUT]


def test_sign_out_needs_the_csrf_header_then_ends_the_session(server: SecuredServer) -> None:
    person = sign_in(server, fresh(server, "sid"))
    client = http_client(server.api.url)
    refused = client.post("/signout", headers=person.cookie())
    assert refused.status_code == 403
    wrong = client.post("/signout", headers=person.headers(csrf="guessed"))
    assert wrong.status_code == 403
    assert person.send(PARTNERSHIPS).status_code == 200  # still signed in
    out = client.post("/signout", headers=person.headers(), follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    cleared = out.headers.get_list("set-cookie")
    assert [cookie.split("=")[0] for cookie in cleared] == ["accord_session", "accord_signed_in"]
    assert all("max-age=0" in cookie.lower() for cookie in cleared)
    assert client.get("/session", headers=person.cookie()).status_code == 401
    assert person.send(PARTNERSHIPS).status_code == 401
    assert log_of(server, person.actor) == [Outcome.SUCCESS, Outcome.SIGNOUT]
    # Asked for JSON (as the page's fetch does): 204.
    other = sign_in(server, fresh(server, "sia"))
    headers = {**other.headers(), "Accept": "application/json"}
    assert client.post("/signout", headers=headers).status_code == 204


def test_an_idle_session_expires_401_and_is_logged_expired(server: SecuredServer) -> None:
    person = sign_in(server, fresh(server, "ida"))
    accounts = server.api.runtime.accounts
    clock = accounts.clock
    try:
        later = datetime.now(UTC) + timedelta(hours=7, minutes=50)
        accounts.clock = lambda: later
        assert person.send(PARTNERSHIPS).status_code == 200  # used within 8 hours
        much_later = later + timedelta(hours=8, minutes=1)
        accounts.clock = lambda: much_later
        assert person.send(PARTNERSHIPS).status_code == 401
        client = http_client(server.api.url)
        assert client.get("/session", headers=person.cookie()).status_code == 401
    finally:
        accounts.clock = clock
    assert log_of(server, person.actor) == [Outcome.SUCCESS, Outcome.EXPIRED]
    assert person.send(PARTNERSHIPS).status_code == 401  # ended, not only idle


def test_a_session_older_than_seven_days_ends_though_in_use(server: SecuredServer) -> None:
    person = sign_in(server, fresh(server, "abe"))
    accounts = server.api.runtime.accounts
    clock = accounts.clock
    start = datetime.now(UTC)
    try:
        for hours in range(6, 7 * 24, 6):  # used every six hours
            moment = start + timedelta(hours=hours)
            accounts.clock = lambda moment=moment: moment  # type: ignore[misc]
            assert person.send(PARTNERSHIPS).status_code == 200, hours
        final = start + timedelta(days=7, minutes=1)
        accounts.clock = lambda: final
        assert person.send(PARTNERSHIPS).status_code == 401
    finally:
        accounts.clock = clock
    assert log_of(server, person.actor)[-1] is Outcome.EXPIRED


def test_disabling_the_account_ends_an_open_session_at_its_next_request(
    server: SecuredServer,
) -> None:
    person = sign_in(server, fresh(server, "dan"))
    assert person.send(PARTNERSHIPS).status_code == 200
    server.api.runtime.accounts.disable(person.actor)  # as `accord account disable` does
    assert person.send(PARTNERSHIPS).status_code == 401
    client = http_client(server.api.url)
    assert client.get("/session", headers=person.cookie()).status_code == 401
    assert post_signin(server, person.actor).status_code == 401  # nor a new one


def test_a_bearer_token_ignores_the_cookie(server: SecuredServer) -> None:
    person = sign_in(server, fresh(server, "cal"))
    token = server.issue("token-holder")
    seaside = Recorder(server.api, token).form("Token's own")
    headers = {**person.cookie(), **bearer(token), "Content-Type": "application/json"}
    answer = http_client(server.api.url).post(
        "/graphql",
        json={
            "query": "query($id: ID!) { partnership(id: $id) { myRole } }",
            "variables": {"id": seaside},
        },
        headers=headers,
    )
    assert answer.status_code == 200
    assert answer.json()["data"] == {"partnership": {"myRole": "ADMIN"}}  # the token's actor
    forged = {**person.headers(), "Authorization": "Bearer acc_forged"}
    refused = http_client(server.api.url).post(
        "/graphql", json={"query": PARTNERSHIPS}, headers=forged
    )
    assert refused.status_code == 401  # a bad token is not rescued by a good cookie


@pytest.mark.parametrize("ending", ["sign-out", "disable", "idle"])
def test_a_websocket_with_the_cookie_and_csrf_streams_until_the_session_ends(
    server: SecuredServer, ending: str
) -> None:
    person = sign_in(server, fresh(server, "wes"))
    formed = person.record(
        "formPartnership", {"name": "Followed", "purpose": "Care", "occurredAt": "2024-01-01"}
    )
    pid = formed["partnership"]["id"]
    upgrade = {**person.cookie(), "Origin": server.api.url}
    with websocket(server.api, upgrade) as client:
        client.init({"X-Accord-CSRF": person.csrf})
        operation = client.subscribe(FOLLOW, {"id": pid, "after": formed["partnership"]["version"]})
        person.record("setGoal", {"partnershipId": pid, "statement": "Seen live"})
        (seen,) = client.next_payloads(1)
        assert seen["data"]["partnershipEvents"]["recordedBy"] == person.actor
        accounts = server.api.runtime.accounts
        clock = accounts.clock
        try:
            if ending == "sign-out":
                out = http_client(server.api.url).post("/signout", headers=person.headers())
                assert out.status_code in (204, 303)
            elif ending == "disable":
                accounts.disable(person.actor)  # `accord account disable`
            else:
                later = datetime.now(UTC) + timedelta(hours=8, minutes=1)
                accounts.clock = lambda: later
            message = client.receive(timeout=5)  # within a recheck, with nothing recorded
        finally:
            accounts.clock = clock
        assert message["type"] == "error" and message["id"] == operation, message
        assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert person.send(PARTNERSHIPS).status_code == 401


def test_signin_page_is_plain_and_offers_no_provider_without_one(server: SecuredServer) -> None:
    page = http_client(server.api.url).get("/signin")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert '<form method="post" action="signin"' in page.text
    assert "<script" not in page.text and "auth/login" not in page.text


def test_signin_page_links_the_provider_when_openid_is_configured(
    server: SecuredServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", "https://login.example.org/tenant/v2.0")
    monkeypatch.setenv("ACCORD_OIDC_CLIENT_ID", "accord")
    monkeypatch.setenv("ACCORD_OIDC_CLIENT_SECRET", "not-a-real-secret")
    monkeypatch.setenv("ACCORD_OIDC_PROVIDER_NAME", "NHSmail")
    page = http_client(server.api.url).get("/signin")
    assert '<a class="button" href="auth/login">Sign in with NHSmail</a>' in page.text


def test_the_page_and_graphql_answers_are_not_stored_under_auth(server: SecuredServer) -> None:
    person = sign_in(server, fresh(server, "pia"))
    home = http_client(server.api.url).get("/")
    assert home.headers["cache-control"] == "no-store"
    assert home.headers["x-frame-options"] == "DENY"  # nor framed by another site
    assert home.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert person.send(PARTNERSHIPS).headers["cache-control"] == "no-store"


def test_without_auth_there_is_nothing_to_sign_in_to(api: ApiServer) -> None:
    client = http_client(api.url)
    assert client.get("/session").status_code == 401
    page = client.get("/signin", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/"
    assert api.data(PARTNERSHIPS)["partnerships"]["totalCount"] == 0  # `local`, as ever
    assert "cache-control" not in client.get("/").headers


# ---------------------------------------------------------------- the cookie's flags


def request_to(url: str, headers: dict[str, str] | None = None) -> Request:
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    raw = [(b"host", host.encode())] + [
        (name.lower().encode(), value.encode()) for name, value in (headers or {}).items()
    ]
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": scheme,
        "server": (host.split(":")[0], 443 if scheme == "https" else 80),
        "client": ("203.0.113.9", 50000),
        "path": "/" + path,
        "root_path": "",
        "query_string": b"",
        "headers": raw,
    }
    return Request(scope)


def cookie_flags(request: Request) -> list[str]:
    response = Response()
    set_session_cookie(response, SignedIn("id", "csrf", "ann"), request)
    cookie, marker = response.headers.getlist("set-cookie")
    flags = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert ("secure" in marker.lower()) is ("secure" in flags)
    return flags


@pytest.mark.parametrize(
    ("url", "headers", "secure"),
    [
        ("https://example.org/signin", {}, True),
        ("http://accord.example.org/signin", {}, True),  # reached as a name: not loopback
        ("http://127.0.0.1:8000/signin", {}, False),
        ("http://localhost:8000/signin", {}, False),
        ("http://[::1]:8000/signin", {}, False),
        ("http://127.0.0.1:8000/signin", {"X-Forwarded-For": "198.51.100.7"}, True),
    ],
)
def test_the_cookie_is_secure_unless_on_loopback(
    url: str, headers: dict[str, str], secure: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCORD_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("ACCORD_PUBLIC_URL", raising=False)
    flags = cookie_flags(request_to(url, headers))
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert ("secure" in flags) is secure


def test_behind_plain_http_the_cookie_is_not_secure_when_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_COOKIE_SECURE", "0")
    assert "secure" not in cookie_flags(request_to("http://accord.internal/signin"))
    monkeypatch.setenv("ACCORD_COOKIE_SECURE", "1")
    assert "secure" in cookie_flags(request_to("http://127.0.0.1:8000/signin"))


def test_forwarded_for_names_the_client_only_behind_a_trusted_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forwarded = {"X-Forwarded-For": "198.51.100.7, 10.0.0.5"}
    monkeypatch.delenv("ACCORD_TRUSTED_PROXIES", raising=False)
    assert client_address(request_to("https://example.org/", forwarded)) == "203.0.113.9"
    monkeypatch.setenv("ACCORD_TRUSTED_PROXIES", "203.0.113.0/24, 10.0.0.0/8")
    assert client_address(request_to("https://example.org/", forwarded)) == "198.51.100.7"
    spoofed = {"X-Forwarded-For": "not-an-address, 10.0.0.5"}
    assert client_address(request_to("https://example.org/", spoofed)) == "203.0.113.9"
    monkeypatch.setenv("ACCORD_TRUSTED_PROXIES", "192.0.2.1")
    assert client_address(request_to("https://example.org/", forwarded)) == "203.0.113.9"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACCORD_COOKIE_SECURE", "sometimes"),
        ("ACCORD_TRUSTED_PROXIES", "the proxy"),
        ("ACCORD_SESSION_IDLE_HOURS", "eight"),
        ("ACCORD_SESSION_DAYS", "0"),
    ],
)
def test_a_wrong_sign_in_setting_is_refused_at_start(
    name: str, value: str, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    runtime = Runtime.open(sqlite_url, project=False)
    try:
        with pytest.raises(SettingsError, match=name):
            create_app(runtime, auth=True)
    finally:
        runtime.close()


@pytest.mark.parametrize("trusted", [None, "127.0.0.1"])
def test_the_logged_address_is_forwarded_only_by_a_trusted_proxy(
    trusted: str | None, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if trusted is None:
        monkeypatch.delenv("ACCORD_TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("ACCORD_TRUSTED_PROXIES", trusted)
    secured = SecuredServer(sqlite_url)  # uvicorn started with the setting
    try:
        actor = fresh(secured, "fay")
        client = http_client(secured.api.url)
        body = f"actor={actor}&password=wrong+but+long+enough"
        headers = {
            "Origin": secured.api.url,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": "198.51.100.7",
        }
        assert client.post("/signin", content=body, headers=headers).status_code == 401
        (line,) = secured.api.runtime.accounts.log(actor)
        assert line.address == ("198.51.100.7" if trusted else "127.0.0.1")
    finally:
        secured.stop()
