"""Sign-in for people over HTTP (issue 17): `/signin` (the page and its form's POST),
`/signout`, `/session`, and the session cookie.

A session is a random id in the cookie `accord_session` (`HttpOnly`, `SameSite=Lax`,
`Path=/`, `Secure` unless the server is reached on loopback or `ACCORD_COOKIE_SECURE=0`
says it is behind plain HTTP), kept server-side only as a hash
(`application.accounts.Accounts`). What a cookie-authenticated request must also show
(the CSRF header, a JSON body, the page's own origin) is checked by `web.view`.

The contract (docs/API.md, Access): `POST /signin` takes a form (`actor`, `password`) and
answers 303 to `/` with the cookie, 401 (the page again, with the message), 429
(throttled, with `Retry-After`) or 403 (an `Origin` other than the server's own);
`GET /session` answers `{"actor", "csrf"}` for a live session, 401 otherwise; `POST
/signout` with the session's `X-Accord-CSRF` ends it and clears the cookie (303 to
`/signin`, or 204 when asked for JSON).
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accord import settings
from accord.application.accounts import (
    THROTTLE_WINDOW,
    Accounts,
    Refused,
    SessionRecord,
    SignedIn,
)
from accord.graphql.context import Actor
from accord.threads import in_worker_thread

if TYPE_CHECKING:
    from starlette.applications import Starlette

COOKIE = "accord_session"
MARKER = "accord_signed_in"
"""A second cookie, holding no secret and readable by the page's script, that says a
session was opened in this browser: the page asks `/session` only then (a server
without sign-in is never asked, so never answers 401 to a page that needs none)."""
CSRF_HEADER = "X-Accord-CSRF"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 8 * 1024
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
STYLESHEETS = ("static/check-in.css", "static/signin.css")  # relative: a path prefix works
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
PAGE_HEADERS = {
    **NO_STORE,
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
}
FORWARDED_HEADERS = ("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded")


# ------------------------------------------------------------ where a request is from


def _is_loopback_host(hostname: str | None) -> bool:
    if not hostname:
        return False
    name = hostname.strip().lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _trusted(address: str, proxies: Sequence[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in proxies:
        network = ipaddress.ip_network(proxy, strict=False)
        if ip.version == network.version and ip in network:
            return True
    return False


def client_address(connection: HTTPConnection) -> str:
    """The client's address: the connecting one, or, when that is a proxy listed in
    `ACCORD_TRUSTED_PROXIES`, the last address in `X-Forwarded-For` that is not one."""
    client = connection.scope.get("client")
    peer = str(client[0]) if client else "unknown"
    proxies = settings.trusted_proxies()
    if not proxies or not _trusted(peer, proxies):
        return peer
    forwarded = ",".join(connection.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # not an address: the header cannot be trusted past this
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def _behind_trusted_proxy(connection: HTTPConnection) -> bool:
    client = connection.scope.get("client")
    proxies = settings.trusted_proxies()
    return bool(client and proxies and _trusted(str(client[0]), proxies))


def _scheme(connection: HTTPConnection) -> str:
    scheme = connection.url.scheme.replace("ws", "http")
    if _behind_trusted_proxy(connection):
        proto = connection.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            return proto
    return scheme


def own_origins(connection: HTTPConnection) -> set[str]:
    """The origins this server is reached at: the request's own (its scheme and `Host`),
    and `ACCORD_PUBLIC_URL`'s when set."""
    origins = {f"{_scheme(connection)}://{connection.url.netloc}".lower()}
    public = settings.public_url()
    if public:
        parts = urlsplit(public)
        if parts.scheme and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}".lower())
    return origins


def from_own_origin(connection: HTTPConnection, *, referer_allowed: bool = True) -> bool:
    """Whether the request's `Origin` is this server's own (without `Origin`, whether its
    `Referer` is, when allowed). `Origin: null` never is."""
    origins = own_origins(connection)
    origin = connection.headers.get("origin")
    if origin is not None:
        return origin.strip().lower() in origins
    if not referer_allowed:
        return False
    referer = connection.headers.get("referer")
    if not referer:
        return False
    parts = urlsplit(referer.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() in origins


# ------------------------------------------------------------------------- the cookie


def cookie_is_secure(request: HTTPConnection) -> bool:
    """`Secure` unless `ACCORD_COOKIE_SECURE=0`, or the server is reached on loopback (and
    not through a proxy, nor published at an https `ACCORD_PUBLIC_URL`); always with
    `ACCORD_COOKIE_SECURE=1` or over https."""
    configured = settings.cookie_secure()
    if configured is not None:
        return configured
    if _scheme(request) == "https" or settings.public_url().lower().startswith("https:"):
        return True
    if any(name in request.headers for name in FORWARDED_HEADERS):
        return True  # a proxy passed the request on: it may have come over the Internet
    return not _is_loopback_host(request.url.hostname)


def set_session_cookie(response: Response, signed_in: SignedIn, request: HTTPConnection) -> None:
    """Give the response the cookie of a session just opened (by a password or OpenID)."""
    secure = cookie_is_secure(request)
    response.set_cookie(
        COOKIE, signed_in.session_id, path="/", httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(MARKER, "1", path="/", httponly=False, samesite="lax", secure=secure)
    response.headers.update(NO_STORE)


def clear_session_cookie(response: Response, request: HTTPConnection) -> None:
    """Tell the browser to forget the session cookie."""
    secure = cookie_is_secure(request)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(MARKER, path="/", httponly=False, samesite="lax", secure=secure)
    response.headers.update(NO_STORE)


# ---------------------------------------------------------------------- the session


def session_id_of(connection: HTTPConnection) -> str | None:
    value = connection.cookies.get(COOKIE)
    return value if value else None


async def live_session(
    connection: HTTPConnection, accounts: Accounts
) -> tuple[str, SessionRecord] | None:
    """The session the request's cookie names, if it is live."""
    session_id = session_id_of(connection)
    if session_id is None:
        return None
    record = await in_worker_thread(accounts.session, session_id, client_address(connection))
    return (session_id, record) if record is not None else None


def _still_live(accounts: Accounts, session_id: str, address: str) -> str | None:
    record = accounts.session(session_id, address)
    return record.actor if record is not None else None


def actor_of_session(
    accounts: Accounts, session_id: str, record: SessionRecord, address: str
) -> Actor:
    """The actor of a live session: rechecked (an open subscription ends when the session
    does: sign-out, expiry, a disabled account), as a revoked token's does."""
    return Actor(
        record.actor,
        enforce_access=True,
        recheck=functools.partial(_still_live, accounts, session_id, address),
    )


def csrf_matches(record: SessionRecord, value: object) -> bool:
    return isinstance(value, str) and hmac.compare_digest(
        value.encode("utf-8", "replace"), record.csrf.encode("utf-8")
    )


def _accounts(connection: HTTPConnection) -> Accounts:
    app: Starlette = connection.scope["app"]
    accounts: Accounts = app.state.accord_accounts
    return accounts


async def session_actor(request: HTTPConnection, *, csrf: bool = False) -> Actor | None:
    """The actor of the request's live session, or None; with `csrf`, only when the
    request also carries the session's `X-Accord-CSRF` header (else the caller checks
    it). Needs the app made by `create_app` (it keeps the accounts in `app.state`)."""
    accounts = _accounts(request)
    found = await live_session(request, accounts)
    if found is None:
        return None
    session_id, record = found
    if csrf and not csrf_matches(record, request.headers.get(CSRF_HEADER)):
        return None
    return actor_of_session(accounts, session_id, record, client_address(request))


# ------------------------------------------------------------------------- the page


def oidc_provider() -> str | None:
    """The name to show on "Sign in with ..." when OpenID Connect is configured."""
    try:
        configured = settings.oidc_settings()
    except settings.SettingsError:  # refused when the server started; no link to it
        return None
    if configured is None:
        return None
    return configured.provider_name or "your organisation"


def render_signin(message: str = "", actor: str = "", signed_in_as: str = "") -> str:
    provider = oidc_provider()
    alert = f'<div class="alert" role="alert"><p>{escape(message)}</p></div>\n' if message else ""
    current = (
        f"<p>You are signed in as <strong>{escape(signed_in_as)}</strong>. "
        '<a href="./">Go to Accord</a>, or sign in as someone else below.</p>\n'
        if signed_in_as
        else ""
    )
    sso = (
        f'<p><a class="button" href="auth/login">Sign in with {escape(provider)}</a></p>\n'
        "<p>Or with an Accord account:</p>\n"
        if provider
        else ""
    )
    return (
        "<!doctype html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        "<title>Sign in - Accord</title>\n"
        + "".join(f'<link rel="stylesheet" href="{sheet}">\n' for sheet in STYLESHEETS)
        + "</head>\n<body>\n"
        '<header class="site"><p class="brand">Accord</p></header>\n'
        '<main id="main">\n<h1>Sign in</h1>\n'
        f"{alert}{current}{sso}"
        '<form method="post" action="signin" class="signin">\n'
        '<div class="field"><label for="actor">Account name</label>\n'
        f'<input id="actor" name="actor" type="text" autocomplete="username" required '
        f'maxlength="200" autocapitalize="none" spellcheck="false" value="{escape(actor)}">'
        "</div>\n"
        '<div class="field"><label for="password">Password</label>\n'
        '<input id="password" name="password" type="password" '
        'autocomplete="current-password" required maxlength="1024"></div>\n'
        '<p><button type="submit">Sign in</button></p>\n'
        "</form>\n"
        "<p>Programs, and people given one, can use a bearer token on "
        '<a href="./">the page</a> instead.</p>\n'
        "</main>\n</body>\n</html>\n"
    )


def _page(status: int, message: str = "", actor: str = "", **headers: str) -> HTMLResponse:
    return HTMLResponse(render_signin(message, actor), status, headers={**PAGE_HEADERS, **headers})


# ------------------------------------------------------------------------ endpoints


def page_root(request: Request) -> str:
    """The page's path: `/`, or the prefix the app is served under."""
    return str(request.scope.get("root_path", "")).rstrip("/") + "/"


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def signin_routes(accounts: Accounts, *, auth: bool) -> list[Route]:
    """`/signin` (GET, POST), `/signout` (POST), `/session` (GET). Without auth (a
    loopback demo, everyone `local`), there is nothing to sign in to: `/signin` leads
    to the page and `/session` answers 401."""

    async def signin_page(request: Request) -> Response:
        if not auth:
            return RedirectResponse(page_root(request), 303, headers=NO_STORE)
        found = await live_session(request, accounts)
        body = render_signin(signed_in_as=found[1].actor if found else "")
        return HTMLResponse(body, headers=PAGE_HEADERS)

    async def signin(request: Request) -> Response:
        if not auth:
            return RedirectResponse(page_root(request), 303, headers=NO_STORE)
        if not from_own_origin(request):
            return _page(
                403,
                "This sign-in did not come from this server's own page. Open the sign-in "
                "page and try again. (Behind a proxy, set ACCORD_PUBLIC_URL to the "
                "address people use.)",
            )
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != FORM_TYPE:
            return _page(415, "The sign-in form must be sent as a form.")
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return _page(413, "That sign-in was too large.")
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            return _page(400, "The sign-in form could not be read.")
        actor = fields.get("actor", "").strip()
        password = fields.get("password", "")
        if not actor or not password:
            return _page(401, "Give the account name and its password.", actor)
        address = client_address(request)
        outcome: SignedIn | Refused = await in_worker_thread(
            accounts.sign_in, actor, password, address
        )
        if isinstance(outcome, Refused):
            if outcome.throttled:
                wait = str(int(THROTTLE_WINDOW.total_seconds()))
                return _page(429, outcome.message, actor, **{"Retry-After": wait})
            return _page(401, outcome.message, actor)
        old = session_id_of(request)
        if old is not None:  # a new id at every sign-in: the old session ends
            await in_worker_thread(accounts.sign_out, old, address)
        response = RedirectResponse(page_root(request), 303)
        set_session_cookie(response, outcome, request)
        return response

    async def session(request: Request) -> Response:
        found = await live_session(request, accounts) if auth else None
        if found is None:
            return JSONResponse({"actor": None}, 401, headers=NO_STORE)
        _, record = found
        return JSONResponse({"actor": record.actor, "csrf": record.csrf}, headers=NO_STORE)

    async def signout(request: Request) -> Response:
        found = await live_session(request, accounts) if auth else None
        if found is None:
            response: Response = JSONResponse({"actor": None}, 401, headers=NO_STORE)
            clear_session_cookie(response, request)
            return response
        session_id, record = found
        if not csrf_matches(record, request.headers.get(CSRF_HEADER)):
            return JSONResponse(
                {"error": f"the session's {CSRF_HEADER} header is required", "code": "CSRF"},
                403,
                headers=NO_STORE,
            )
        await in_worker_thread(accounts.sign_out, session_id, client_address(request))
        if _wants_json(request):
            response = Response(status_code=204)
        else:
            response = RedirectResponse(page_root(request) + "signin", 303)
        clear_session_cookie(response, request)
        return response

    return [
        Route("/signin", signin_page, name="signin_page", methods=["GET"]),
        Route("/signin", signin, name="signin", methods=["POST"]),
        Route("/signout", signout, name="signout", methods=["POST"]),
        Route("/session", session, name="session", methods=["GET"]),
    ]
