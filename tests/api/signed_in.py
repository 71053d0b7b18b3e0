"""People signed in to a secured server over real HTTP (issue 17): a local account made
with `Accounts.add` (as `accord account add` does), `POST /signin` as the page's form
sends it, and the session cookie and CSRF value carried by hand, as a browser and the
page do."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from tests.api.secured import SecuredServer
from tests.support.operations import mutation_document

PASSWORD = "a long and unusual passphrase 42"
FORM = "application/x-www-form-urlencoded"


class _KeepsNone(DefaultCookiePolicy):
    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


@cache
def http_client(url: str) -> httpx.Client:
    """A client that keeps no cookie: each request carries exactly what a test gives it."""
    return httpx.Client(base_url=url, timeout=30, cookies=CookieJar(policy=_KeepsNone()))


@dataclass
class Person:
    """A signed-in person: the cookie's session id and the session's CSRF value."""

    server: SecuredServer
    actor: str
    session_id: str
    csrf: str

    @property
    def http(self) -> httpx.Client:
        return http_client(self.server.api.url)

    @property
    def origin(self) -> str:
        return self.server.api.url

    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"accord_session={self.session_id}"}

    def headers(self, *, csrf: str | None = "own") -> dict[str, str]:
        """The cookie, and the CSRF header (`own`: the session's; None: none)."""
        headers = self.cookie()
        if csrf is not None:
            headers["X-Accord-CSRF"] = self.csrf if csrf == "own" else csrf
        return headers

    def send(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        csrf: str | None = "own",
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> httpx.Response:
        body = json.dumps({"query": query, "variables": dict(variables or {})})
        headers = {**self.headers(csrf=csrf), "Content-Type": content_type, "Accept": accept}
        return self.http.post("/graphql", content=body, headers=headers)

    def data(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = self.send(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    def record(self, mutation: str, given: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.data(mutation_document(mutation), {"input": given})["result"]
        return result


def add_account(server: SecuredServer, actor: str, password: str = PASSWORD) -> None:
    server.api.runtime.accounts.add(actor, password)


def post_signin(
    server: SecuredServer,
    actor: str,
    password: str = PASSWORD,
    *,
    origin: str | None = "own",
    referer: str | None = None,
    cookie: str | None = None,
) -> httpx.Response:
    """`POST /signin` as the sign-in page's form sends it (`origin` "own": the server's)."""
    headers = {"Content-Type": FORM}
    if origin is not None:
        headers["Origin"] = server.api.url if origin == "own" else origin
    if referer is not None:
        headers["Referer"] = referer
    if cookie is not None:
        headers["Cookie"] = f"accord_session={cookie}"
    return http_client(server.api.url).post(
        "/signin",
        content=httpx.QueryParams({"actor": actor, "password": password}).__str__(),
        headers=headers,
        follow_redirects=False,
    )


def session_cookie(response: httpx.Response) -> str:
    """The session id a sign-in's `Set-Cookie` gives."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name.strip() == "accord_session":
            return rest.split(";")[0]
    raise AssertionError(f"no session cookie in {response.headers}")


def sign_in(server: SecuredServer, actor: str, password: str = PASSWORD) -> Person:
    response = post_signin(server, actor, password)
    assert response.status_code == 303, response.text
    session_id = session_cookie(response)
    session = http_client(server.api.url).get(
        "/session", headers={"Cookie": f"accord_session={session_id}"}
    )
    assert session.status_code == 200, session.text
    assert session.json()["actor"] == actor
    return Person(server, actor, session_id, session.json()["csrf"])
