"""OpenID users as actors: the opaque actor id derived from the issuer and the stable
subject, and the names `grantRole` and `revokeRole` take (a known e-mail address, or a
known OpenID actor id; other names beginning `oidc:` or `check-in-round:` are reserved).

The actor recorded in events is never the e-mail address (which can change and which a
person may ask to have forgotten): that stays beside it, outside the event log, in the
accounts' store (`storage.accounts`, `oidc_users`).
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol, runtime_checkable

from accord.application.accounts import RESERVED_PREFIXES
from accord.domain.errors import invalid

OIDC_PREFIX = "oidc:"
GRANTEE_MUTATIONS = ("grantRole", "revokeRole")
"""The mutations whose `actor` input may be a known OpenID user's e-mail address."""


@runtime_checkable
class OidcDirectory(Protocol):
    """The accounts' store's OpenID users (`storage.accounts.SqlAccountStore`)."""

    def oidc_actor_for_email(self, email: str) -> str | None: ...

    def oidc_display(self, actor: str) -> str | None: ...

    def unknown_address(self, name: str) -> bool:
        """Whether `name`, an e-mail address no OpenID user (or more than one) signed in
        with, is to be refused as a grantee: so when people sign in with single sign-on
        and no local account or bearer token goes by that name. Recorded, it would give
        the role to no one (the person signs in as their `oidc:` id) and put an address
        in the history for good."""
        ...


def oidc_actor_id(issuer: str, subject: str) -> str:
    """`oidc:` and 32 hex digits of SHA-256(issuer, NUL, subject): opaque, stable for as
    long as the provider keeps the subject, the same in every Accord process."""
    digest = hashlib.sha256(f"{issuer}\x00{subject}".encode()).hexdigest()
    return OIDC_PREFIX + digest[:32]


def is_reserved(actor: str) -> bool:
    return actor.strip().lower().startswith(RESERVED_PREFIXES)


def grantee(actor: str, directory: OidcDirectory | None) -> str:
    """The actor a role is given to (or taken from): a known OpenID user's e-mail address
    becomes its actor id; a known OpenID actor id stays; any other name beginning
    `oidc:` or `check-in-round:` is refused, as is an unknown address the directory
    refuses (`OidcDirectory.unknown_address`) (DomainError VALIDATION on `actor`)."""
    text = actor.strip()
    if is_reserved(text):
        if (
            directory is not None
            and text.startswith(OIDC_PREFIX)
            and directory.oidc_display(text) is not None
        ):
            return text
        raise invalid(
            "actor",
            f"names beginning {' or '.join(RESERVED_PREFIXES)} are reserved: give a person's "
            "e-mail address (once they have signed in with single sign-on) or an actor name",
        )
    if directory is not None and "@" in text and len(text) <= 320:
        found = directory.oidc_actor_for_email(text)
        if found is not None:
            return found
        if directory.unknown_address(text):
            raise invalid(
                "actor",
                f"no one has signed in with single sign-on as {text} (or more than one "
                "person has): ask them to sign in once (they see nothing until given a "
                "role), then give the role again; or give their oidc: id",
            )
    return actor


def with_grantee(
    mutation: str, raw: dict[str, Any], directory: OidcDirectory | None
) -> dict[str, Any]:
    """A mutation's input as the service reads it, its `actor` resolved by `grantee` for
    `grantRole` and `revokeRole` (other mutations: unchanged)."""
    if mutation not in GRANTEE_MUTATIONS or not isinstance(raw.get("actor"), str):
        return raw
    return {**raw, "actor": grantee(raw["actor"], directory)}
