"""Sign-in for people: local accounts, sessions, throttling and the sign-in log.

Bearer tokens (`storage.tokens`) stay for programs. People sign in, with a local account's
password or with their organisation's OpenID provider (`web.signin`), to a session: a
random id in a cookie, kept server-side only as its SHA-256, with a per-session CSRF
value, an idle timeout and an absolute one. Everything here lives in the shared database
(an `AccountStore`), so it holds across API processes and survives `accord rebuild`.

- Passwords are hashed with Argon2id (argon2-cffi) and never logged; a password shorter
  than 12 characters, or among the 20,000 commonest (`data/common-passwords.txt.gz`), is
  refused.
- When a failed sign-in is the 5th for an account within 15 minutes, the account is
  locked until 15 minutes after that failure: its sign-ins are refused (throttled, the
  password unchecked, not counted as failures) until then. A success clears its failures.
  An address is limited likewise, at 20. Each attempt is checked against the limits and
  registered (as a failure until its password proves right) in one step that concurrent
  attempts for the same account or address take in turn, in any process, so no more
  than 5 passwords (20 for an address) are ever checked per lockout.
- Every sign-in, failure, throttled attempt, sign-out and session end is appended to the
  sign-in log, which the server never deletes.
"""

from __future__ import annotations

import gzip
import hashlib
import secrets
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Protocol

MIN_PASSWORD = 12
LOGGED_NAME = 200
"""The longest account name; a longer one given at sign-in is logged cut to this."""
MAX_PASSWORD = 1024
IDLE = timedelta(hours=8)
ABSOLUTE = timedelta(days=7)
THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20
RESERVED_PREFIXES = ("oidc:", "check-in-round:")
"""Actor names no local account, token or grant may take: they name OpenID users and
check-in rounds."""
COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt.gz"


class Outcome(StrEnum):
    """What a sign-in log line records."""

    SUCCESS = "success"
    FAILURE = "failure"
    THROTTLED = "throttled"
    SIGNOUT = "signout"
    EXPIRED = "expired"
    DISABLED = "disabled"


class Method(StrEnum):
    PASSWORD = "password"
    OIDC = "oidc"


class AccountError(ValueError):
    """An account command that cannot be done, said plainly (the CLI prints it)."""


@dataclass(frozen=True)
class AccountInfo:
    actor: str
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True)
class SessionRecord:
    actor: str
    method: Method
    csrf: str
    created_at: datetime
    last_seen: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class LogLine:
    at: datetime
    actor: str
    address: str
    outcome: Outcome
    method: Method

    def __str__(self) -> str:
        """One line, tab-separated. The actor is whatever a sign-in form was given, so
        its control characters (a tab or newline would forge a field or a line, an escape
        would drive the reader's terminal) and backslashes are shown escaped."""
        when = self.at.astimezone(UTC).isoformat(timespec="seconds")
        fields = (when, _shown(self.actor), _shown(self.address), self.outcome, self.method)
        return "\t".join(fields)


def _shown(text: str) -> str:
    """`text` with every character that is not printable, and `\\`, escaped as Python
    writes it (`\\t`, `\\x1b`, `\\u202e`, `\\\\`)."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(
        char if char.isprintable() and char != "\\" else char.encode("unicode_escape").decode()
        for char in text
    )


class AccountStore(Protocol):
    """Accounts, sessions, throttles and the log (`accord.storage.accounts`)."""

    def add_account(self, actor: str, password_hash: str, now: datetime) -> bool:
        """False (nothing stored) if the actor already has an account."""

    def account(self, actor: str) -> tuple[str, datetime | None] | None:
        """(password hash, disabled at) of an account, or None."""

    def set_password(self, actor: str, password_hash: str) -> bool: ...

    def disable(self, actor: str, now: datetime) -> bool:
        """False if there is no such account or it is already disabled."""

    def accounts(self) -> list[AccountInfo]: ...

    def add_session(self, digest: str, record: SessionRecord) -> None: ...

    def session(self, digest: str) -> SessionRecord | None: ...

    def touch(self, digest: str, now: datetime) -> None: ...

    def end_session(self, digest: str, now: datetime) -> bool:
        """False if it had already ended."""

    def end_sessions_of(self, actor: str, now: datetime) -> int: ...

    def register_attempt(self, limits: Mapping[str, int], now: datetime, window: timedelta) -> bool:
        """Check a sign-in attempt against the limits of its throttle keys (`account:..`,
        `address:..` to the failures each allows within `window`) and register it, as one
        step that concurrent attempts sharing a key take in turn (across processes): False,
        registering nothing, when a key is locked at `now` (`locked_until` of its
        failures); else a failure at `now` under every key, which counts until the
        attempt proves right (`clear_failures`, `forgive_attempt`), and True."""

    def forgive_attempt(self, key: str, at: datetime) -> None:
        """Remove one failure registered under `key` at `at` (its attempt succeeded)."""

    def clear_failures(self, key: str) -> None: ...

    def append_log(self, line: LogLine) -> None: ...

    def log(self, actor: str | None = None) -> list[LogLine]: ...


@dataclass(frozen=True)
class SignedIn:
    """A new session: its id (for the cookie only) and its CSRF value."""

    session_id: str
    csrf: str
    actor: str


@dataclass(frozen=True)
class Refused:
    """A sign-in refused: 401 (`throttled` False) or 429."""

    throttled: bool
    message: str


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def check_password(password: str) -> None:
    """Raise AccountError unless the password is long enough and not a common one."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must be at most {MAX_PASSWORD} characters")
    if password.lower() in _common_passwords():
        raise AccountError(
            "that password is among the 20,000 most common ones: choose another (a few "
            "unrelated words make a long password easy to remember)"
        )


def check_actor_name(actor: str) -> str:
    """The actor name of a local account, checked; raises AccountError."""
    actor = actor.strip()
    if not actor or len(actor) > 200 or not actor.isprintable():
        raise AccountError("--actor: 1 to 200 printable characters")
    if actor.lower().startswith(RESERVED_PREFIXES):
        raise AccountError(
            f"--actor: names beginning {' or '.join(RESERVED_PREFIXES)} are reserved"
        )
    return actor


def locked_until(
    failures: Iterable[datetime], limit: int, window: timedelta = THROTTLE_WINDOW
) -> datetime | None:
    """The end of a throttle key's lock: `window` after the latest of its failures that
    was the `limit`-th within `window` (itself included), or None if none was. The key is
    locked while the time is before it."""
    times = sorted(failures)
    end = None
    for at in times:
        if bisect_right(times, at) - bisect_right(times, at - window) >= limit:
            end = at + window
    return end


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


class Accounts:
    """Local accounts and sessions over an `AccountStore`."""

    def __init__(
        self,
        store: AccountStore,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        idle: timedelta = IDLE,
        absolute: timedelta = ABSOLUTE,
    ) -> None:
        self.store = store
        self.clock = clock
        self.idle = idle
        self.absolute = absolute
        self._hasher: object | None = None
        self._dummy: str | None = None

    # ---------------------------------------------------------------- hashing

    def _password_hasher(self) -> object:
        if self._hasher is None:
            from argon2 import PasswordHasher  # loaded when first needed

            self._hasher = PasswordHasher()  # Argon2id, the library's current defaults
        return self._hasher

    def _hash(self, password: str) -> str:
        hasher = self._password_hasher()
        return str(hasher.hash(password))  # type: ignore[attr-defined]

    def _verify(self, stored: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        hasher = self._password_hasher()
        try:
            return bool(hasher.verify(stored, password))  # type: ignore[attr-defined]
        except (VerificationError, InvalidHashError):
            return False

    # --------------------------------------------------------------- accounts

    def add(self, actor: str, password: str) -> str:
        actor = check_actor_name(actor)
        check_password(password)
        if not self.store.add_account(actor, self._hash(password), self.clock()):
            raise AccountError(f"'{actor}' already has an account")
        return actor

    def set_password(self, actor: str, password: str) -> int:
        """Set a new password and end the account's sessions (a password changed after
        a break-in must shut the intruder out); how many were ended (logged `expired`)."""
        check_password(password)
        if not self.store.set_password(actor, self._hash(password)):
            raise AccountError(f"no account '{actor}'")
        now = self.clock()
        ended = self.store.end_sessions_of(actor, now)
        if ended:
            self.store.append_log(LogLine(now, actor, "-", Outcome.EXPIRED, Method.PASSWORD))
        return ended

    def disable(self, actor: str) -> int:
        """Disable an account and end its sessions at once; how many were ended."""
        now = self.clock()
        if not self.store.disable(actor, now):
            if self.store.account(actor) is None:
                raise AccountError(f"no account '{actor}'")
            raise AccountError(f"the account '{actor}' is already disabled")
        ended = self.store.end_sessions_of(actor, now)
        self.store.append_log(LogLine(now, actor, "-", Outcome.DISABLED, Method.PASSWORD))
        return ended

    def accounts(self) -> list[AccountInfo]:
        return self.store.accounts()

    # --------------------------------------------------------------- sign-in

    def sign_in(self, actor: str, password: str, address: str) -> SignedIn | Refused:
        """Check a password (throttled per account and per address) and open a session."""
        now = self.clock()
        named = actor[:LOGGED_NAME]  # as logged: no longer than any account's name
        account_key, address_key = f"account:{named.lower()}", f"address:{address}"
        # Checked and registered as a failure at once, before the slow password check:
        # attempts made meanwhile (here or in another process) see it, so concurrent
        # guesses cannot all pass the check before any of them is counted.
        limits = {account_key: ACCOUNT_FAILURES, address_key: ADDRESS_FAILURES}
        if not self.store.register_attempt(limits, now, THROTTLE_WINDOW):
            self.store.append_log(LogLine(now, named, address, Outcome.THROTTLED, Method.PASSWORD))
            return Refused(True, "too many failed sign-ins: try again in 15 minutes")
        found = self.store.account(actor) if len(actor) <= LOGGED_NAME else None
        if found is None:
            self._verify(self._dummy_hash(), password)  # the same time as a wrong password
            ok = False
        else:
            stored, disabled_at = found
            ok = self._verify(stored, password) and disabled_at is None
        if not ok:  # its failures stay registered
            self.store.append_log(LogLine(now, named, address, Outcome.FAILURE, Method.PASSWORD))
            return Refused(False, "the account name or password is wrong")
        self.store.clear_failures(account_key)  # a success resets the account...
        self.store.forgive_attempt(address_key, now)  # ... and is no failure of the address
        return self.open_session(actor, address, Method.PASSWORD)

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hash(secrets.token_urlsafe(16))
        return self._dummy

    def open_session(self, actor: str, address: str, method: Method) -> SignedIn:
        """A new session for a signed-in actor (a new id at every sign-in)."""
        now = self.clock()
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        self.store.add_session(
            _digest(session_id), SessionRecord(actor, method, csrf, now, now, None)
        )
        self.store.append_log(LogLine(now, actor, address, Outcome.SUCCESS, method))
        return SignedIn(session_id, csrf, actor)

    def session(self, session_id: str, address: str = "-") -> SessionRecord | None:
        """The live session a cookie names (its last use now), or None: an unknown,
        ended, idle or too old one (the last two are ended and logged as `expired`), or
        one whose local account was disabled."""
        if not session_id or len(session_id) > 200:
            return None
        digest = _digest(session_id)
        record = self.store.session(digest)
        if record is None or record.ended_at is not None:
            return None
        now = self.clock()
        if now - record.last_seen > self.idle or now - record.created_at > self.absolute:
            if self.store.end_session(digest, now):
                self.store.append_log(
                    LogLine(now, record.actor, address, Outcome.EXPIRED, record.method)
                )
            return None
        if record.method is Method.PASSWORD:
            account = self.store.account(record.actor)
            if account is None or account[1] is not None:
                self.store.end_session(digest, now)
                return None
        if now - record.last_seen > timedelta(minutes=1):  # one write a minute at most
            self.store.touch(digest, now)
        return record

    def sign_out(self, session_id: str, address: str) -> bool:
        digest = _digest(session_id)
        record = self.store.session(digest)
        now = self.clock()
        if record is None or not self.store.end_session(digest, now):
            return False
        self.store.append_log(LogLine(now, record.actor, address, Outcome.SIGNOUT, record.method))
        return True

    def log(self, actor: str | None = None) -> list[LogLine]:
        return self.store.log(actor)
