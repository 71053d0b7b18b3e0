"""Single sign-on by OpenID Connect against a REAL provider (node's certified
`oidc-provider`, tests/support/oidc_provider.mjs) and a real Accord server.

The whole flow: sign in, a role granted (by an ADMIN, by the person's e-mail address) to
the OpenID actor, a mutation recorded as that actor, sign-out. Then the attacks, each by
an intercepting proxy between Accord and the provider's token endpoint (the provider's
front, tests/support/oidc.py) or by the test running the code flow itself to get a
genuine, signed ID token it can misuse: a wrong `aud`, an expired ID token, a re-used ID
token, a wrong `nonce`, a tampered signature. Each refusal: nothing signed in, a
`failure` line with method `oidc` in the sign-in log, no token in any log.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from accord.application.accounts import Method, Outcome
from accord.application.oidc_actors import oidc_actor_id
from accord.web.oidc import LEEWAY_SECONDS
from tests.api.secured import SecuredServer
from tests.api.signed_in import add_account
from tests.support.oidc import (
    EMAIL,
    SUBJECT,
    Client,
    OpenIdProvider,
    claims_of,
    flip_signature_byte,
    free_port,
    provider_available,
    start_provider,
)
from tests.support.operations import Recorder, mutation_document

pytestmark = pytest.mark.skipif(provider_available() is not None, reason=str(provider_available()))

SECRET = "accord-test-client-secret-0123456789abcdef"
OTHER_SECRET = "another-client-secret-0123456789abcdef"
SESSION_QUERY = "{ partnerships { edges { node { id name } } } }"


@dataclass
class Sso:
    secured: SecuredServer
    provider: OpenIdProvider
    accord: str
    accord_client: Client
    other_client: Client

    @property
    def log(self) -> list[Any]:
        return [
            line for line in self.secured.api.runtime.accounts.log() if line.method is Method.OIDC
        ]

    def browser(self) -> httpx.Client:
        return httpx.Client(timeout=15)

    def start_login(self, browser: httpx.Client) -> tuple[str, str]:
        """GET /auth/login: the provider's authorization URL Accord redirects to, and the
        nonce in it."""
        response = browser.get(self.accord + "/auth/login")
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        assert location.startswith(self.provider.issuer + "/")
        query = parse_qs(urlsplit(location).query)
        assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
        assert query["redirect_uri"] == [self.accord + "/auth/callback"]
        assert query["client_id"] == ["accord"]
        return location, query["nonce"][0]

    def finish_login(self, browser: httpx.Client, location: str) -> httpx.Response:
        """Follow the provider's redirects to Accord's callback: Accord's answer to it."""
        for _ in range(15):
            response = browser.get(location)
            if location.startswith(self.accord + "/auth/callback"):
                return response
            assert response.status_code in (302, 303), (location, response.text[:500])
            location = urljoin(location, response.headers["location"])
        raise AssertionError("never came back to Accord")

    def sign_in(self, browser: httpx.Client) -> httpx.Response:
        location, _ = self.start_login(browser)
        return self.finish_login(browser, location)

    def session(self, browser: httpx.Client) -> httpx.Response:
        return browser.get(self.accord + "/session")

    def as_person(
        self, browser: httpx.Client, csrf: str, query: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        response = browser.post(
            self.accord + "/graphql",
            json={"query": query, "variables": variables},
            headers={"X-Accord-CSRF": csrf, "Origin": self.accord},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def _start(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, *, ttl: int = 3600, domains: str = ""
) -> Sso:
    front = free_port()
    issuer = f"http://127.0.0.1:{front}"
    monkeypatch.setenv("ACCORD_OIDC_ISSUER", issuer)
    monkeypatch.setenv("ACCORD_OIDC_CLIENT_ID", "accord")
    monkeypatch.setenv("ACCORD_OIDC_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("ACCORD_OIDC_PROVIDER_NAME", "Eastfield NHS")
    for name in ("ACCORD_OIDC_CLIENT_SECRET_FILE", "ACCORD_PUBLIC_URL", "ACCORD_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ACCORD_OIDC_ALLOWED_DOMAINS", domains)
    monkeypatch.delenv("ACCORD_OIDC_ACTOR_CLAIM", raising=False)
    secured = SecuredServer(sqlite_url)
    accord = f"http://127.0.0.1:{secured.api.port}"
    callback = accord + "/auth/callback"
    accord_client = Client("accord", SECRET, [callback])
    # A second client the provider knows, with the same redirect URI: its ID tokens are
    # genuine and signed, but not for Accord.
    other_client = Client("other", OTHER_SECRET, [callback])
    try:
        provider = start_provider([accord_client, other_client], id_token_ttl=ttl, front_port=front)
    except Exception:
        secured.stop()
        raise
    return Sso(secured, provider, accord, accord_client, other_client)


@pytest.fixture
def sso(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sso]:
    setup = _start(sqlite_url, monkeypatch)
    yield setup
    setup.provider.stop()
    setup.secured.stop()


def _expected_actor(sso: Sso) -> str:
    return oidc_actor_id(sso.provider.issuer, SUBJECT)


def test_sign_in_granted_by_email_records_as_the_oidc_actor_then_sign_out(sso: Sso) -> None:
    actor = _expected_actor(sso)
    admin_token = sso.secured.issue("admin-amir")
    admin = Recorder(sso.secured.api, admin_token)
    partnership_id = admin.form("Eastfield Partnership")

    with sso.browser() as browser:
        page = browser.get(sso.accord + "/signin")
        assert page.status_code == 200
        assert "Sign in with Eastfield NHS" in page.text and "auth/login" in page.text
        answer = sso.sign_in(browser)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        cookie = answer.headers["set-cookie"]
        assert "accord_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        session = sso.session(browser)
        assert session.status_code == 200
        signed_in = session.json()
        assert signed_in["actor"] == actor  # opaque: never the e-mail address
        assert EMAIL not in actor and actor.startswith("oidc:")
        csrf = signed_in["csrf"]

        # No role yet: the partnership is not even visible.
        body = sso.as_person(browser, csrf, SESSION_QUERY, {})
        assert body["data"]["partnerships"]["edges"] == []

        # The ADMIN grants a role by the e-mail address; the event records the actor id.
        granted = admin.record(
            "grantRole",
            {"partnershipId": partnership_id, "actor": EMAIL.upper(), "role": "RECORDER"},
        )
        assert granted["data"]["actor"] == actor
        assert EMAIL.lower() not in str(granted).lower()

        joined = sso.as_person(
            browser,
            csrf,
            mutation_document("joinPartner"),
            {
                "input": {
                    "partnershipId": partnership_id,
                    "partnerId": "eastfield-trust",
                    "name": "Eastfield Trust",
                    "sector": "NHS_TRUST",
                    "occurredAt": "2024-02-01",
                }
            },
        )
        result = joined["data"]["result"]
        assert result["__typename"] == "JoinPartnerSuccess", result
        assert result["event"]["recordedBy"] == actor

        signed_out = browser.post(
            sso.accord + "/signout",
            headers={"X-Accord-CSRF": csrf, "Origin": sso.accord, "Accept": "application/json"},
        )
        assert signed_out.status_code in (204, 303), signed_out.text
        assert sso.session(browser).status_code == 401
        after = browser.post(
            sso.accord + "/graphql",
            json={"query": SESSION_QUERY},
            headers={"X-Accord-CSRF": csrf, "Origin": sso.accord},
        )
        assert after.status_code == 401

    outcomes = [(line.actor, line.outcome) for line in sso.log]
    assert outcomes == [(actor, Outcome.SUCCESS), (actor, Outcome.SIGNOUT)]
    # The e-mail address is display data beside the actor, outside the event log.
    store = sso.secured.api.runtime.accounts.store
    assert store.oidc_actor_for_email(EMAIL) == actor  # type: ignore[attr-defined]
    assert store.oidc_display(actor) == EMAIL  # type: ignore[attr-defined]


def test_signing_in_again_ends_the_session_the_browser_had(sso: Sso) -> None:
    actor = _expected_actor(sso)
    with sso.browser() as browser:
        assert sso.sign_in(browser).status_code == 303
        first = browser.cookies.get("accord_session")
        assert first and sso.session(browser).status_code == 200
        again = sso.sign_in(browser)
        assert again.status_code == 303 and again.headers["location"] == "/"
        second = browser.cookies.get("accord_session")
        assert second and second != first  # a new id at every sign-in
        assert sso.session(browser).status_code == 200
    # The old id is no longer a session, for whoever may have kept it.
    with httpx.Client(timeout=15, cookies={"accord_session": first}) as kept:
        assert kept.get(sso.accord + "/session").status_code == 401
    outcomes = [(line.actor, line.outcome) for line in sso.log]
    assert outcomes == [
        (actor, Outcome.SUCCESS),
        (actor, Outcome.SUCCESS),
        (actor, Outcome.SIGNOUT),
    ]


def test_grants_by_reserved_names(sso: Sso) -> None:
    actor = _expected_actor(sso)
    admin = Recorder(sso.secured.api, sso.secured.issue("admin-amir"))
    partnership_id = admin.form("Eastfield Partnership")

    def grant(name: str) -> dict[str, Any]:
        return admin.result(
            "grantRole", {"partnershipId": partnership_id, "actor": name, "role": "VIEWER"}
        )

    # Before the person has signed in, their id is unknown: refused as reserved.
    for name in (actor, "oidc:" + "0" * 32, "check-in-round:abc", "OIDC:someone"):
        refused = grant(name)
        assert refused["__typename"] == "ValidationError", refused
        assert refused["field"] == "actor" and "reserved" in refused["message"]
    # An address no one has signed in with would give the role to no one (the person
    # signs in as their oidc: id) and put the address in the history: refused, saying
    # what to do.
    for address in (EMAIL, "nobody@eastfield.nhs.uk"):
        refused = grant(address)
        assert refused["__typename"] == "ValidationError", refused
        assert refused["field"] == "actor" and "ask them to sign in once" in refused["message"]
    # Unless a local account or a live bearer token goes by that name.
    add_account(sso.secured, "rota@eastfield.nhs.uk")
    assert grant("rota@eastfield.nhs.uk")["event"]["data"]["actor"] == "rota@eastfield.nhs.uk"
    sso.secured.issue("robot@eastfield.nhs.uk")
    assert grant("robot@eastfield.nhs.uk")["event"]["data"]["actor"] == "robot@eastfield.nhs.uk"
    with sso.browser() as browser:
        assert sso.sign_in(browser).status_code == 303
    # Now known: by its id, or by its e-mail address.
    assert grant(actor)["event"]["data"]["actor"] == actor
    assert grant(EMAIL)["event"]["data"]["actor"] == actor
    revoked = admin.record("revokeRole", {"partnershipId": partnership_id, "actor": EMAIL})
    assert revoked["data"]["actor"] == actor
    # A bearer token can never act as an OpenID user or a round.
    for name in (actor, "check-in-round:abc"):
        with pytest.raises(ValueError, match="reserved"):
            sso.secured.issue(name)


def _assert_refused(
    sso: Sso,
    browser: httpx.Client,
    answer: httpx.Response,
    reason: str,
    caplog: pytest.LogCaptureFixture,
    *tokens: str,
) -> None:
    assert answer.status_code == 401, answer.text
    assert "accord_session" not in answer.headers.get("set-cookie", "")
    assert "accord_session" not in browser.cookies
    assert sso.session(browser).status_code == 401
    assert [line.outcome for line in sso.log] == [Outcome.FAILURE]
    assert any(reason in record.getMessage() for record in caplog.records), caplog.text
    for token in tokens:
        for part in token.split("."):
            assert part not in caplog.text


def test_a_token_for_another_client_is_refused(sso: Sso, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="accord.oidc")
    with sso.browser() as browser:
        location, nonce = sso.start_login(browser)
        # Genuine and signed, with Accord's own nonce, but issued to another client.
        foreign = sso.provider.obtain_id_token(sso.other_client, nonce)
        assert claims_of(foreign)["aud"] == "other"
        sso.provider.on_token = lambda answer: {**answer, "id_token": foreign}
        answer = sso.finish_login(browser, location)
        _assert_refused(sso, browser, answer, "'aud'", caplog, foreign)


def test_an_expired_token_is_refused(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="accord.oidc")
    sso = _start(sqlite_url, monkeypatch, ttl=2)
    try:
        with sso.browser() as browser:
            location, nonce = sso.start_login(browser)
            old = sso.provider.obtain_id_token(sso.accord_client, nonce)
            expires = claims_of(old)["exp"]
            time.sleep(max(0.0, expires + LEEWAY_SECONDS + 1 - time.time()))
            sso.provider.on_token = lambda answer: {**answer, "id_token": old}
            answer = sso.finish_login(browser, location)
            _assert_refused(sso, browser, answer, "expired", caplog, old)
    finally:
        sso.provider.stop()
        sso.secured.stop()


def test_a_reused_token_is_refused(sso: Sso, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="accord.oidc")
    with sso.browser() as browser:
        assert sso.sign_in(browser).status_code == 303
        first = sso.provider.id_tokens[-1]
    log_before = len(sso.log)
    with sso.browser() as other:  # the attacker's browser, replaying the first token
        sso.provider.on_token = lambda answer: {**answer, "id_token": first}
        answer = sso.sign_in(other)
        assert answer.status_code == 401, answer.text
        assert "accord_session" not in other.cookies
        assert sso.session(other).status_code == 401
    assert [line.outcome for line in sso.log[log_before:]] == [Outcome.FAILURE]
    assert any("already used" in r.getMessage() for r in caplog.records), caplog.text
    assert first.split(".")[2] not in caplog.text


def test_a_token_with_another_nonce_is_refused(sso: Sso, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="accord.oidc")
    with sso.browser() as browser:
        # The first login's token (its nonce) answers the second login's callback.
        _, first_nonce = sso.start_login(browser)
        first = sso.provider.obtain_id_token(sso.accord_client, first_nonce)
        second_location, second_nonce = sso.start_login(browser)
        assert first_nonce != second_nonce
        sso.provider.on_token = lambda answer: {**answer, "id_token": first}
        answer = sso.finish_login(browser, second_location)
        _assert_refused(sso, browser, answer, "'nonce'", caplog, first)


def test_a_tampered_signature_is_refused(sso: Sso, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="accord.oidc")
    tampered: list[str] = []

    def flip(answer: dict[str, Any]) -> dict[str, Any]:
        tampered.append(flip_signature_byte(answer["id_token"]))
        return {**answer, "id_token": tampered[-1]}

    sso.provider.on_token = flip
    with sso.browser() as browser:
        answer = sso.sign_in(browser)
        _assert_refused(sso, browser, answer, "signature", caplog, tampered[0])


def test_a_callback_not_started_in_this_browser_is_refused(sso: Sso) -> None:
    """Login CSRF: the attacker's own callback link, opened in the victim's browser."""
    with sso.browser() as attacker:
        location, _ = sso.start_login(attacker)
        for _ in range(15):
            response = attacker.get(location)
            location = urljoin(location, response.headers["location"])
            if location.startswith(sso.accord + "/auth/callback"):
                break
    with sso.browser() as victim:
        answer = victim.get(location)
        assert answer.status_code == 400
        assert "accord_session" not in victim.cookies
    assert [line.outcome for line in sso.log] == [Outcome.FAILURE]


def test_a_callback_is_taken_once(sso: Sso) -> None:
    with sso.browser() as browser:
        location, _ = sso.start_login(browser)
        for _ in range(15):
            response = browser.get(location)
            location = urljoin(location, response.headers["location"])
            if location.startswith(sso.accord + "/auth/callback"):
                break
        login_cookie = browser.cookies.get("accord_oidc_login", domain="127.0.0.1")
        assert login_cookie
        assert browser.get(location).status_code == 303
        # The same callback again, with the same browser's login cookie: refused.
        with httpx.Client(timeout=15, cookies={"accord_oidc_login": login_cookie}) as replay:
            answer = replay.get(location)
            assert answer.status_code == 400
            assert "accord_session" not in replay.cookies
    assert [line.outcome for line in sso.log] == [Outcome.SUCCESS, Outcome.FAILURE]


def test_allowed_domains(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sso = _start(sqlite_url, monkeypatch, domains="westfield.nhs.uk, @council.gov.uk")
    try:
        with sso.browser() as browser:
            answer = sso.sign_in(browser)
            assert answer.status_code == 401
            assert "accord_session" not in browser.cookies
        assert [(line.actor, line.outcome) for line in sso.log] == [
            (_expected_actor(sso), Outcome.FAILURE)
        ]
    finally:
        sso.provider.stop()
        sso.secured.stop()


def _forge(kind: str, sso: Sso, nonce: str) -> str:
    """An ID token with every claim right, signed as an attacker can: without a
    signature, with the client secret (HS256), or with the attacker's own RSA key (named
    by the provider's key id, or carried in the header)."""
    now = int(time.time())
    claims = {
        "iss": sso.provider.issuer,
        "aud": "accord",
        "sub": SUBJECT,
        "email": EMAIL,
        "nonce": nonce,
        "iat": now,
        "exp": now + 300,
    }
    if kind == "none":
        header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=")
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
        return f"{header.decode()}.{payload.decode()}."
    if kind == "HS256 with the client secret":
        key = OctKey.import_key(SECRET)
        return jwt.encode({"alg": "HS256"}, claims, key, algorithms=["HS256"])
    provider_kid = httpx.get(sso.provider.discovery()["jwks_uri"]).json()["keys"][0]["kid"]
    attacker = RSAKey.generate_key(2048)
    header: dict[str, Any] = {"alg": "RS256", "kid": provider_kid}
    if kind == "RS256 with an embedded jwk":
        header = {"alg": "RS256", "jwk": attacker.as_dict(private=False)}
    return jwt.encode(header, claims, attacker, algorithms=["RS256"])


@pytest.mark.parametrize(
    "kind",
    [
        "none",
        "HS256 with the client secret",
        "RS256 with the provider's kid",
        "RS256 with an embedded jwk",
    ],
)
def test_a_forged_token_is_refused(sso: Sso, caplog: pytest.LogCaptureFixture, kind: str) -> None:
    caplog.set_level(logging.WARNING, logger="accord.oidc")
    with sso.browser() as browser:
        location, nonce = sso.start_login(browser)
        forged = _forge(kind, sso, nonce)
        sso.provider.on_token = lambda answer: {**answer, "id_token": forged}
        answer = sso.finish_login(browser, location)
        _assert_refused(sso, browser, answer, "signature", caplog)


def test_the_provider_refusing(sso: Sso) -> None:
    with sso.browser() as browser:
        # The provider sends the person back with an error (they declined, say).
        location, _ = sso.start_login(browser)
        state = parse_qs(urlsplit(location).query)["state"][0]
        answer = browser.get(
            sso.accord + "/auth/callback", params={"error": "access_denied", "state": state}
        )
        assert answer.status_code == 401 and "accord_session" not in browser.cookies
    assert [line.outcome for line in sso.log] == [Outcome.FAILURE]


def test_the_provider_unreachable(sso: Sso) -> None:
    sso.provider.stop()  # before Accord has read its discovery document
    with sso.browser() as browser:
        answer = browser.get(sso.accord + "/auth/login")
        assert answer.status_code == 502 and "Sign-in failed" in answer.text
    assert [line.outcome for line in sso.log] == [Outcome.FAILURE]
