"""Single sign-on by OpenID Connect (issue 17): `GET /auth/login` and `GET /auth/callback`.

The authorization code flow with PKCE (S256), the client authenticated by
`client_secret_basic`, with authlib's httpx client (discovery, the authorization URL, the
code exchange) and joserfc (the ID token: its signature against the provider's JWKS, then
`iss`, `aud`, `exp`, `iat` and `nonce`). No JOSE is written here.

- `/auth/login` keeps the pending login server-side (the state only as its SHA-256, the
  nonce and the PKCE verifier: `SqlAccountStore.put_login`), binds it to the browser with
  a short-lived cookie holding the state, and redirects to the provider. The redirect URI
  is `<ACCORD_PUBLIC_URL or the request's origin>/auth/callback`.
- `/auth/callback` takes the pending login once (within 10 minutes), exchanges the code,
  verifies the ID token, refuses one already used (`storage.oidc_tokens`), derives the
  actor id from the issuer and the stable subject (`sub`, or Entra's `oid`: never the
  e-mail address), keeps the `ACCORD_OIDC_ACTOR_CLAIM` claim and the e-mail address as
  display data outside the event log, checks `ACCORD_OIDC_ALLOWED_DOMAINS`, opens a
  session (the cookie of `web.signin`) and answers 303 to `/`.

Every refusal is a plain page (400 or 401) and a `failure` line with method `oidc` in the
sign-in log; the reason is logged (`accord.oidc`), never a token, code or claim value.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any, Protocol

import httpx
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from accord.application.accounts import Accounts, LogLine, Method, Outcome, SignedIn
from accord.application.oidc_actors import oidc_actor_id
from accord.settings import OidcSettings, public_url
from accord.storage.accounts import SqlAccountStore
from accord.storage.oidc_tokens import UsedIdTokens
from accord.threads import in_worker_thread
from accord.web.signin import (
    client_address,
    cookie_is_secure,
    page_root,
    session_id_of,
    set_session_cookie,
)

with warnings.catch_warnings():
    import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401 (its filter first)

    # authlib 1.9 prefers httpx2 and warns, once, that it falls back to httpx (which the
    # rest of Accord uses): the fallback is supported until authlib 2.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
        AsyncOAuth2Client,
    )

log = logging.getLogger("accord.oidc")

LOGIN_PATH = "/auth/login"
CALLBACK_PATH = "/auth/callback"
LOGIN_COOKIE = "accord_oidc_login"
PENDING = timedelta(minutes=10)
LEEWAY_SECONDS = 10
"""Clock skew allowed between Accord and the provider (`exp`, `iat`)."""
METADATA_SECONDS = 3600.0
"""How long the discovery document and the JWKS are kept (an unknown key id fetches the
JWKS again at once)."""
HTTP_TIMEOUT = 10.0
SCOPE = "openid email profile"
SIGNING_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
"""Asymmetric algorithms only: never `none`, never one keyed by the client secret."""
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache", "Referrer-Policy": "no-referrer"}


class Refusal(Exception):
    """A sign-in refused: the page's status and message, the log's reason and actor."""

    def __init__(self, status: int, message: str, reason: str, actor: str = "-") -> None:
        super().__init__(reason)
        self.status = status
        self.message = message
        self.reason = reason
        self.actor = actor


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


@dataclass
class _Cached:
    value: Any
    fetched: float


class OidcStore(Protocol):
    """What the endpoints use of the accounts' store (`storage.accounts.SqlAccountStore`)."""

    def put_login(self, state_hash: str, nonce: str, verifier: str, now: datetime) -> None: ...

    def take_login(self, state_hash: str, since: datetime) -> tuple[str, str] | None: ...

    def remember_oidc_user(
        self,
        actor: str,
        issuer: str,
        subject: str,
        display: str | None,
        email: str | None,
        now: datetime,
    ) -> None: ...

    def append_log(self, line: LogLine) -> None: ...


class OpenIdSignIn:
    """The two endpoints over one provider and one runtime's accounts."""

    def __init__(
        self,
        accounts: Accounts,
        store: OidcStore,
        settings: OidcSettings,
        used: UsedIdTokens | None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.accounts = accounts
        self.store = store
        self.settings = settings
        self.used = used
        self.clock = clock
        self._metadata: _Cached | None = None
        self._keys: _Cached | None = None
        self._lock = asyncio.Lock()
        self._used_here: dict[str, datetime] = {}  # without a database (tests' fakes)

    # ------------------------------------------------------------------ provider

    def _client(self, redirect_uri: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret,
            token_endpoint_auth_method="client_secret_basic",
            code_challenge_method="S256",
            scope=SCOPE,
            redirect_uri=redirect_uri,
            timeout=HTTP_TIMEOUT,
            follow_redirects=False,
        )

    async def metadata(self, client: AsyncOAuth2Client) -> dict[str, Any]:
        """The provider's discovery document (its `issuer` must be the configured one)."""
        async with self._lock:
            cached = self._metadata
            if cached is not None and time.monotonic() - cached.fetched < METADATA_SECONDS:
                return dict(cached.value)
            url = self.settings.issuer + "/.well-known/openid-configuration"
            try:
                response = await client.request("GET", url, withhold_token=True)
                response.raise_for_status()
                document = response.json()
            except (httpx.HTTPError, ValueError) as error:
                raise Refusal(
                    502,
                    "The sign-in provider could not be reached. Try again later.",
                    f"discovery failed ({type(error).__name__})",
                ) from None
            if not isinstance(document, dict) or document.get("issuer") != self.settings.issuer:
                raise Refusal(
                    502,
                    "The sign-in provider is not configured as Accord expects.",
                    "the discovery document names another issuer",
                )
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(document.get(name), str):
                    raise Refusal(
                        502,
                        "The sign-in provider is not configured as Accord expects.",
                        f"the discovery document has no {name}",
                    )
            self._metadata = _Cached(document, time.monotonic())
            return dict(document)

    async def keys(self, client: AsyncOAuth2Client, *, fresh: bool = False) -> KeySet:
        metadata = await self.metadata(client)
        async with self._lock:
            cached = self._keys
            if (
                not fresh
                and cached is not None
                and time.monotonic() - cached.fetched < METADATA_SECONDS
            ):
                keys: KeySet = cached.value
                return keys
            try:
                response = await client.request("GET", metadata["jwks_uri"], withhold_token=True)
                response.raise_for_status()
                keys = KeySet.import_key_set(response.json())
            except (httpx.HTTPError, ValueError, JoseError) as error:
                raise Refusal(
                    502,
                    "The sign-in provider could not be reached. Try again later.",
                    f"the JWKS could not be read ({type(error).__name__})",
                ) from None
            self._keys = _Cached(keys, time.monotonic())
            return keys

    def _algorithms(self, metadata: dict[str, Any]) -> list[str]:
        offered = metadata.get("id_token_signing_alg_values_supported")
        if not isinstance(offered, list):
            return ["RS256"]
        return [name for name in SIGNING_ALGORITHMS if name in offered] or ["RS256"]

    # ------------------------------------------------------------------- the token

    async def verify(self, client: AsyncOAuth2Client, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims, once its signature, `iss`, `aud`, `exp`, `iat` and
        `nonce` are checked and it is marked used; raises Refusal."""
        metadata = await self.metadata(client)
        algorithms = self._algorithms(metadata)
        refused = "Sign-in failed: the provider's answer could not be verified."
        failures = (JoseError, ValueError, LookupError, TypeError)
        try:
            try:
                token = jwt.decode(id_token, await self.keys(client), algorithms=algorithms)
            except failures:
                # Perhaps a key the cached JWKS lacks (the provider rolled its keys): once
                # more with the JWKS fetched again.
                token = jwt.decode(
                    id_token, await self.keys(client, fresh=True), algorithms=algorithms
                )
        except failures as error:
            raise Refusal(
                401, refused, f"the ID token's signature failed ({type(error).__name__})"
            ) from None
        claims = token.claims
        digest = _digest(id_token)
        if await self._seen(digest):
            raise Refusal(401, refused, "the ID token was already used")
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.settings.issuer},
            aud={"essential": True, "value": self.settings.client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise Refusal(401, refused, "the ID token has expired") from None
        except MissingClaimError as error:
            raise Refusal(401, refused, f"the ID token: {error.description}") from None
        except JoseError as error:
            raise Refusal(
                401, refused, f"the ID token: {error.description or error.error}"
            ) from None
        audience = claims.get("aud")
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.settings.client_id:
            raise Refusal(401, refused, "the ID token's azp is not Accord's client id")
        expires = datetime.fromtimestamp(float(claims["exp"]) + LEEWAY_SECONDS, UTC)
        if not await self._claim(digest, expires):
            raise Refusal(401, refused, "the ID token was already used")
        return dict(claims)

    async def _seen(self, digest: str) -> bool:
        if self.used is None:
            return digest in self._used_here
        return await in_worker_thread(self.used.seen, digest)

    async def _claim(self, digest: str, expires: datetime) -> bool:
        now = self.clock()
        if self.used is None:
            for old in [key for key, at in self._used_here.items() if at < now]:
                del self._used_here[old]
            if digest in self._used_here:
                return False
            self._used_here[digest] = expires
            return True
        return await in_worker_thread(self.used.claim, digest, expires, now)

    # ---------------------------------------------------------------- endpoints

    def redirect_uri(self, request: Request) -> str:
        base = public_url() or f"{request.url.scheme}://{request.url.netloc}"
        return base + CALLBACK_PATH

    async def login(self, request: Request) -> Response:
        address = client_address(request)
        try:
            async with self._client(self.redirect_uri(request)) as client:
                metadata = await self.metadata(client)
                state = secrets.token_urlsafe(32)
                nonce = secrets.token_urlsafe(32)
                verifier = secrets.token_urlsafe(48)  # 64 characters: RFC 7636's 43 to 128
                url, _ = client.create_authorization_url(
                    metadata["authorization_endpoint"],
                    state=state,
                    code_verifier=verifier,
                    nonce=nonce,
                )
        except Refusal as refusal:
            return await self._refused(request, refusal, address)
        await in_worker_thread(
            self.store.put_login,
            _digest(state),
            nonce,
            verifier,
            self.clock(),
        )
        response = RedirectResponse(url, 303, headers=NO_STORE)
        response.set_cookie(
            LOGIN_COOKIE,
            state,
            max_age=int(PENDING.total_seconds()),
            path=CALLBACK_PATH,
            httponly=True,
            samesite="lax",
            secure=cookie_is_secure(request),
        )
        return response

    async def callback(self, request: Request) -> Response:
        address = client_address(request)
        try:
            signed_in = await self._callback(request, address)
        except Refusal as refusal:
            return await self._refused(request, refusal, address)
        old = session_id_of(request)
        if old is not None:  # a new id at every sign-in: the old session ends
            await in_worker_thread(self.accounts.sign_out, old, address)
        response = RedirectResponse(page_root(request), 303)
        set_session_cookie(response, signed_in, request)
        response.delete_cookie(LOGIN_COOKIE, path=CALLBACK_PATH, httponly=True, samesite="lax")
        return response

    async def _callback(self, request: Request, address: str) -> SignedIn:
        params = request.query_params
        state = params.get("state", "")
        if not state or len(state) > 200:
            raise Refusal(400, "This sign-in link is incomplete: sign in again.", "no state")
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not hmac.compare_digest(
            cookie.encode("utf-8", "replace"), state.encode("utf-8", "replace")
        ):
            raise Refusal(
                400,
                "This sign-in was not started in this browser: sign in again.",
                "the state is not this browser's",
            )
        pending = await in_worker_thread(
            self.store.take_login,
            _digest(state),
            self.clock() - PENDING,
        )
        if pending is None:
            raise Refusal(
                400,
                "This sign-in has expired or was already used: sign in again.",
                "no pending login for the state",
            )
        nonce, verifier = pending
        if params.get("error"):
            raise Refusal(
                401,
                "The sign-in provider did not sign you in.",
                f"the provider answered {params.get('error', '')[:60]!r}",
            )
        code = params.get("code", "")
        if not code or len(code) > 2000:
            raise Refusal(400, "This sign-in link is incomplete: sign in again.", "no code")
        async with self._client(self.redirect_uri(request)) as client:
            metadata = await self.metadata(client)
            try:
                answer = await client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=verifier,
                    redirect_uri=self.redirect_uri(request),
                )
            except Exception as error:  # authlib's OAuthError, httpx's errors, a bad body
                raise Refusal(
                    401,
                    "Sign-in failed: the provider did not accept the sign-in.",
                    f"the code exchange failed ({type(error).__name__})",
                ) from None
            id_token = answer.get("id_token") if isinstance(answer, dict) else None
            if not isinstance(id_token, str) or not id_token or len(id_token) > 20000:
                raise Refusal(401, "Sign-in failed.", "the provider's answer has no ID token")
            claims = await self.verify(client, id_token, nonce)
        signed_in: SignedIn = await in_worker_thread(self._sign_in, claims, address)
        return signed_in

    def _sign_in(self, claims: dict[str, Any], address: str) -> SignedIn:
        settings = self.settings
        oid = claims.get("oid")
        subject = oid if isinstance(oid, str) and oid else claims["sub"]
        actor = oidc_actor_id(settings.issuer, str(subject))
        email = claims.get("email")
        verified = claims.get("email_verified")
        if not isinstance(email, str) or not email or len(email) > 320 or verified is False:
            email = None  # an address the provider has not verified names no one
        if settings.allowed_domains:
            domain = email.rsplit("@", 1)[-1].lower().rstrip(".") if email and "@" in email else ""
            if domain not in settings.allowed_domains:
                raise Refusal(
                    401,
                    "Your organisation's account may not sign in to this Accord.",
                    "the e-mail address is not in ACCORD_OIDC_ALLOWED_DOMAINS",
                    actor,
                )
        shown = claims.get(settings.actor_claim)
        display = shown if isinstance(shown, str) and shown.strip() else None
        for fallback in (email, claims.get("name"), claims.get("preferred_username"), actor):
            if display is None and isinstance(fallback, str) and fallback.strip():
                display = fallback
        self.store.remember_oidc_user(
            actor, settings.issuer, str(subject), (display or actor)[:320], email, self.clock()
        )
        return self.accounts.open_session(actor, address, Method.OIDC)

    async def _refused(self, request: Request, refusal: Refusal, address: str) -> Response:
        log.warning("OpenID sign-in refused from %s: %s", address, refusal.reason)
        line = LogLine(self.clock(), refusal.actor, address, Outcome.FAILURE, Method.OIDC)
        await in_worker_thread(self.store.append_log, line)
        root = escape(page_root(request))
        body = (
            '<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="robots" content="noindex, nofollow">\n'
            "<title>Sign-in failed - Accord</title>\n"
            f'<link rel="stylesheet" href="{root}static/check-in.css">\n</head>\n<body>\n'
            '<main id="main">\n<h1>Sign-in failed</h1>\n'
            f'<p role="alert">{escape(refusal.message)}</p>\n'
            f'<p><a href="{root}signin">Sign in again</a></p>\n</main>\n</body>\n</html>\n'
        )
        response = HTMLResponse(body, refusal.status, headers=NO_STORE)
        response.delete_cookie(LOGIN_COOKIE, path=CALLBACK_PATH, httponly=True, samesite="lax")
        return response


def oidc_routes(accounts: Accounts, settings: OidcSettings) -> list[Route]:
    """`/auth/login` and `/auth/callback` for one provider."""
    store = accounts.store
    if not isinstance(store, SqlAccountStore):
        raise TypeError("OpenID sign-in needs the accounts kept in the database")
    used = UsedIdTokens(store.views)
    sign_in = OpenIdSignIn(accounts, store, settings, used)
    return [
        Route(LOGIN_PATH, sign_in.login, name="oidc_login", methods=["GET"]),
        Route(CALLBACK_PATH, sign_in.callback, name="oidc_callback", methods=["GET"]),
    ]
