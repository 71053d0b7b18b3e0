"""Sign-in throttling under concurrent guesses, over real HTTP (issue 17, item 5): wrong
passwords sent all at once, each on its own connection, to a real server on a real
SQLite file. However many arrive together, no more passwords are checked than the
limits allow (5 per account, 20 per address, per lockout): the rest answer 429 and are
logged `throttled`, never `failure`."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from accord.application.accounts import Outcome
from tests.api.secured import SecuredServer
from tests.api.signed_in import FORM, PASSWORD, add_account, post_signin

WRONG = "a wrong password, guessed in a hurry"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SecuredServer]:
    """A server of its own for each test: every request comes from 127.0.0.1, so the
    address's failures must start from none."""
    secured = SecuredServer(f"sqlite:///{tmp_path / 'accord.db'}")
    try:
        yield secured
    finally:
        secured.stop()


def guess_at_once(server: SecuredServer, actors: list[str]) -> Counter[int]:
    """`POST /signin` with a wrong password for each actor, each from its own thread and
    connection, all let go together; how many answered with each status."""
    start = threading.Barrier(len(actors))

    def guess(actor: str) -> int:
        with httpx.Client(base_url=server.api.url, timeout=60) as client:
            start.wait()
            response = client.post(
                "/signin",
                content=str(httpx.QueryParams({"actor": actor, "password": WRONG})),
                headers={"Content-Type": FORM, "Origin": server.api.url},
                follow_redirects=False,
            )
        assert "set-cookie" not in response.headers
        return response.status_code

    with ThreadPoolExecutor(len(actors)) as pool:
        return Counter(pool.map(guess, actors))


def outcomes(server: SecuredServer, actor: str | None = None) -> Counter[Outcome]:
    return Counter(line.outcome for line in server.api.runtime.accounts.log(actor))


def test_forty_guesses_at_once_for_one_account_get_five_passwords_checked(
    server: SecuredServer,
) -> None:
    actor = f"ann-{uuid.uuid4().hex[:6]}"
    add_account(server, actor)
    assert guess_at_once(server, [actor] * 40) == {401: 5, 429: 35}
    assert outcomes(server, actor) == {Outcome.FAILURE: 5, Outcome.THROTTLED: 35}
    # Locked: the right password, too, is refused without being checked.
    assert post_signin(server, actor, PASSWORD).status_code == 429
    assert outcomes(server, actor)[Outcome.FAILURE] == 5


def test_forty_guesses_at_once_from_one_address_get_twenty_passwords_checked(
    server: SecuredServer,
) -> None:
    """Ten names, four guesses each (none reaching an account's limit), one address."""
    names = [f"name{n}-{uuid.uuid4().hex[:6]}" for n in range(10)]
    assert guess_at_once(server, names * 4) == {401: 20, 429: 20}
    assert outcomes(server) == {Outcome.FAILURE: 20, Outcome.THROTTLED: 20}
    actor = f"bea-{uuid.uuid4().hex[:6]}"
    add_account(server, actor)
    assert post_signin(server, actor, PASSWORD).status_code == 429  # the address is locked
