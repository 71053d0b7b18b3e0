"""The used ID tokens (`storage.oidc_tokens`) on SQLite and PostgreSQL: a token signs in
once, across connections (so across API processes), and is forgotten once expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accord.settings import database_from_url
from accord.storage.event_store import open_views
from accord.storage.oidc_tokens import UsedIdTokens


def test_a_token_is_claimed_once(database_url: str) -> None:
    views = open_views(database_from_url(database_url))
    first, second = UsedIdTokens(views), UsedIdTokens(views)  # two processes, say
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=5)
    assert not first.seen("a" * 64)
    assert first.claim("a" * 64, expires, now)
    assert second.seen("a" * 64)
    assert not second.claim("a" * 64, expires, now)
    assert second.claim("b" * 64, now + timedelta(seconds=1), now)
    # Past its expiry a hash is forgotten (the token is refused as expired anyway).
    later = now + timedelta(seconds=2)
    assert first.claim("c" * 64, later + timedelta(minutes=5), later)
    assert not first.seen("b" * 64)
    assert first.seen("a" * 64)
