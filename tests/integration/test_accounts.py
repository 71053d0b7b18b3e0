"""Local accounts, sessions, throttling and the sign-in log (`application.accounts` over
`storage.accounts`) on real SQLite and PostgreSQL databases, with an injected clock:
weak passwords refused; only an Argon2id hash stored; the 5th failure for an account
(20th for an address) within 15 minutes locks it until 15 minutes after that failure,
its sign-ins throttled meanwhile (neither checked nor counted), a success clearing the
account's count; concurrent wrong guesses from several runtimes get no more passwords
checked than that; sessions end after 8 idle hours, after 7 days, at sign-out
and when their account is disabled, each logged once; two runtimes (two API processes)
share sessions and throttles; `accord rebuild` leaves all of it alone; nothing in the
code deletes from the sign-in log."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accord.application.accounts import (
    AccountError,
    Accounts,
    Method,
    Outcome,
    Refused,
    SignedIn,
    check_password,
)
from accord.runtime import Runtime
from accord.storage.accounts import SqlAccountStore
from tests.support.processes import run_accord

PASSWORD = "ochre lantern quietly"
OTHER = "granite kettle morning"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Opened:
    runtime: Runtime
    accounts: Accounts
    clock: Clock

    @property
    def store(self) -> SqlAccountStore:
        store = self.accounts.store
        assert isinstance(store, SqlAccountStore)
        return store

    def outcomes(self, actor: str | None = None) -> list[Outcome]:
        return [line.outcome for line in self.accounts.log(actor)]


def _open(url: str, clock: Clock) -> tuple[Runtime, Accounts]:
    runtime = Runtime.open(url, project=False)
    return runtime, Accounts(runtime.accounts.store, clock=clock)


@pytest.fixture
def opened(database_url: str) -> Iterator[Opened]:
    clock = Clock()
    runtime, accounts = _open(database_url, clock)
    try:
        yield Opened(runtime, accounts, clock)
    finally:
        runtime.close()


def _signed_in(result: SignedIn | Refused) -> SignedIn:
    assert isinstance(result, SignedIn), result
    return result


def _refused(result: SignedIn | Refused, *, throttled: bool) -> Refused:
    assert isinstance(result, Refused), result
    assert result.throttled is throttled, result
    return result


# ------------------------------------------------------------------ passwords


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short", "at least 12 characters"),
        ("elevenchars", "at least 12 characters"),
        ("qwerty123456", "among the 20,000 most common"),
        ("QWERTY123456", "among the 20,000 most common"),
        ("password1234", "among the 20,000 most common"),
    ],
)
def test_a_short_or_common_password_is_refused_with_a_message(password: str, says: str) -> None:
    with pytest.raises(AccountError, match=says) as refused:
        check_password(password)
    assert password not in str(refused.value)


def test_a_weak_password_stores_nothing(opened: Opened) -> None:
    for password in ("qwerty123456", "too short"):
        with pytest.raises(AccountError):
            opened.accounts.add("alice", password)
    assert opened.accounts.accounts() == []
    opened.accounts.add("alice", PASSWORD)
    with pytest.raises(AccountError, match="among the 20,000 most common"):
        opened.accounts.set_password("alice", "qwerty123456")
    assert _signed_in(opened.accounts.sign_in("alice", PASSWORD, "10.0.0.1"))


def test_only_an_argon2id_hash_is_stored_never_the_password(opened: Opened) -> None:
    opened.accounts.add("alice", PASSWORD)
    opened.accounts.sign_in("alice", OTHER, "10.0.0.1")  # a wrong one: logged, not kept
    signed = _signed_in(opened.accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    found = opened.store.account("alice")
    assert found is not None
    stored, disabled_at = found
    assert stored.startswith("$argon2id$") and disabled_at is None
    assert PASSWORD not in stored
    # Nowhere in the tables: not the passwords, not the session id (only its hash).
    tables = ("accounts", "sessions", "signin_failures", "signin_log")
    rows = [str(row) for table in tables for row in opened.store._all(f"SELECT * FROM {table}")]
    assert rows
    for secret in (PASSWORD, OTHER, signed.session_id):
        assert not any(secret in row for row in rows), secret
    assert opened.accounts.accounts()[0].actor == "alice"
    assert "argon2" not in repr(opened.accounts.accounts())


def test_a_changed_password_replaces_the_old_one(opened: Opened) -> None:
    opened.accounts.add("alice", PASSWORD)
    opened.accounts.set_password("alice", OTHER)
    _refused(opened.accounts.sign_in("alice", PASSWORD, "10.0.0.1"), throttled=False)
    _signed_in(opened.accounts.sign_in("alice", OTHER, "10.0.0.1"))
    with pytest.raises(AccountError, match="no account 'bob'"):
        opened.accounts.set_password("bob", OTHER)
    with pytest.raises(AccountError, match="already has an account"):
        opened.accounts.add("alice", OTHER)


# ----------------------------------------------------------------- throttling


def test_five_failures_throttle_the_account_for_fifteen_minutes(opened: Opened) -> None:
    accounts, clock = opened.accounts, opened.clock
    accounts.add("alice", PASSWORD)
    for _ in range(5):
        fifth = clock.now
        refused = _refused(accounts.sign_in("alice", OTHER, "10.0.0.1"), throttled=False)
        assert refused.message == "the account name or password is wrong"
        clock.advance(seconds=10)
    # The sixth, with the right password, is refused as throttled (429), from any address.
    refused = _refused(accounts.sign_in("alice", PASSWORD, "10.0.0.2"), throttled=True)
    assert "15 minutes" in refused.message
    assert opened.outcomes("alice") == [Outcome.FAILURE] * 5 + [Outcome.THROTTLED]
    throttled = accounts.log("alice")[-1]
    assert (throttled.address, throttled.method) == ("10.0.0.2", Method.PASSWORD)
    # Locked until 15 minutes after the fifth failure (09:00:40): refused a second before.
    clock.now = fifth + timedelta(minutes=15, seconds=-1)
    _refused(accounts.sign_in("alice", PASSWORD, "10.0.0.1"), throttled=True)
    clock.now = fifth + timedelta(minutes=15)
    signed = _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    assert accounts.session(signed.session_id) is not None
    assert opened.outcomes("alice")[-2:] == [Outcome.THROTTLED, Outcome.SUCCESS]


def test_the_lock_lasts_fifteen_minutes_from_the_fifth_failure_not_the_first(
    opened: Opened,
) -> None:
    """Failures spread over the window: one at 09:00, four at 09:14. The fifth, at 09:14,
    locks the account until 09:29, not 09:15 (15 minutes after the first); attempts
    meanwhile are throttled without their password being checked, and are not counted:
    from 09:29 the account has five fresh guesses again, no fewer."""
    accounts, clock = opened.accounts, opened.clock
    start = clock.now
    accounts.add("alice", PASSWORD)
    _refused(accounts.sign_in("alice", OTHER, "10.0.0.1"), throttled=False)
    clock.now = start + timedelta(minutes=14)
    for _ in range(4):
        _refused(accounts.sign_in("alice", OTHER, "10.0.0.1"), throttled=False)
    _refused(accounts.sign_in("alice", OTHER, "10.0.0.1"), throttled=True)
    for moment in (timedelta(minutes=15, seconds=1), timedelta(minutes=28, seconds=59)):
        clock.now = start + moment
        _refused(accounts.sign_in("alice", PASSWORD, "10.0.0.2"), throttled=True)
    assert opened.outcomes("alice") == [Outcome.FAILURE] * 5 + [Outcome.THROTTLED] * 3
    clock.now = start + timedelta(minutes=29)  # checked again: five wrong guesses, then 429
    for _ in range(5):
        _refused(accounts.sign_in("alice", OTHER, "10.0.0.1"), throttled=False)
    _refused(accounts.sign_in("alice", PASSWORD, "10.0.0.1"), throttled=True)
    clock.now = start + timedelta(minutes=44)
    _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    assert opened.outcomes("alice")[5:] == (
        [Outcome.THROTTLED] * 3 + [Outcome.FAILURE] * 5 + [Outcome.THROTTLED, Outcome.SUCCESS]
    )


def test_concurrent_guesses_from_several_runtimes_get_five_passwords_checked(
    database_url: str,
) -> None:
    """Three runtimes (three API processes' connections), twelve wrong guesses for one
    account from each, all at once: each attempt is checked against the limit and
    counted in one step, so exactly five passwords are checked and the rest throttled;
    likewise twenty per address, across accounts."""
    clock = Clock()
    opened = [_open(database_url, clock) for _ in range(3)]
    try:
        opened[0][1].add("alice", PASSWORD)

        def at_once(who: list[tuple[str, str]]) -> Counter[bool | None]:
            """Each (actor, address) guessed by its own thread, all let go together, in
            turn through each runtime; how many refused as throttled (True) or not."""
            start = threading.Barrier(len(who))

            def guess(index: int) -> bool | None:
                actor, address = who[index]
                start.wait()
                result = opened[index % 3][1].sign_in(actor, OTHER, address)
                return result.throttled if isinstance(result, Refused) else None

            with ThreadPoolExecutor(len(who)) as pool:
                return Counter(pool.map(guess, range(len(who))))

        assert at_once([("alice", f"10.0.1.{i}") for i in range(36)]) == {False: 5, True: 31}
        log = opened[1][1].log("alice")
        assert Counter(line.outcome for line in log) == {
            Outcome.FAILURE: 5,
            Outcome.THROTTLED: 31,
        }
        # 36 guesses from one address for nine names, four each (no account's limit).
        names = [f"name-{i % 9}" for i in range(36)]
        assert at_once([(name, "203.0.113.7") for name in names]) == {False: 20, True: 16}
        failures = [line for line in opened[2][1].log() if line.address == "203.0.113.7"]
        assert sum(line.outcome is Outcome.FAILURE for line in failures) == 20
    finally:
        for runtime, _ in opened:
            runtime.close()


def test_successes_are_not_failures_of_their_address(opened: Opened) -> None:
    """A success clears its account's failures and is not one of its address's: people
    behind one address (an office's) who sign in do not lock it for the others."""
    accounts = opened.accounts
    for name in ("alice", "bob", "carol"):
        accounts.add(name, PASSWORD)
    for name in ("dan", "erin", "frank", "gina"):
        for _ in range(4):
            _refused(accounts.sign_in(name, OTHER, "203.0.113.9"), throttled=False)
    _refused(accounts.sign_in("alice", OTHER, "203.0.113.9"), throttled=False)  # the 17th
    for _ in range(3):  # six sign-ins: were they counted, the address would lock at 20
        for name in ("alice", "bob"):
            _signed_in(accounts.sign_in(name, PASSWORD, "203.0.113.9"))
    for _ in range(3):  # the 18th to the 20th failure
        _refused(accounts.sign_in("carol", OTHER, "203.0.113.9"), throttled=False)
    _refused(accounts.sign_in("carol", PASSWORD, "203.0.113.9"), throttled=True)


def test_a_throttled_account_does_not_throttle_another(opened: Opened) -> None:
    opened.accounts.add("alice", PASSWORD)
    opened.accounts.add("bob", OTHER)
    for _ in range(5):
        opened.accounts.sign_in("alice", OTHER, "10.0.0.1")
    _refused(opened.accounts.sign_in("alice", PASSWORD, "10.0.0.1"), throttled=True)
    _signed_in(opened.accounts.sign_in("bob", OTHER, "10.0.0.1"))


def test_a_success_resets_the_account_failures(opened: Opened) -> None:
    accounts, clock = opened.accounts, opened.clock
    accounts.add("alice", PASSWORD)
    for _ in range(4):
        _refused(accounts.sign_in("alice", OTHER, "10.0.0.1"), throttled=False)
    _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    clock.advance(minutes=1)
    for _ in range(4):  # eight failures within 15 minutes, but only four since the success
        _refused(accounts.sign_in("alice", OTHER, "10.0.0.1"), throttled=False)
    _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    assert Outcome.THROTTLED not in opened.outcomes("alice")


def test_twenty_failures_from_an_address_throttle_it_across_accounts(opened: Opened) -> None:
    accounts, clock = opened.accounts, opened.clock
    accounts.add("alice", PASSWORD)
    # Four failures for each of five names (none reaching an account's limit), one address.
    for name in ("bob", "carol", "dan", "erin", "frank"):
        for _ in range(4):
            _refused(accounts.sign_in(name, OTHER, "203.0.113.9"), throttled=False)
    # alice never failed, but her right password from that address is refused...
    _refused(accounts.sign_in("alice", PASSWORD, "203.0.113.9"), throttled=True)
    assert opened.outcomes("alice") == [Outcome.THROTTLED]
    # ... while from another address she signs in.
    _signed_in(accounts.sign_in("alice", PASSWORD, "198.51.100.7"))
    clock.advance(minutes=15)
    _signed_in(accounts.sign_in("alice", PASSWORD, "203.0.113.9"))


# ------------------------------------------------------------------- sessions


def test_a_session_ends_after_eight_idle_hours_logged_once(opened: Opened) -> None:
    accounts, clock = opened.accounts, opened.clock
    accounts.add("alice", PASSWORD)
    signed = _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    live = accounts.session(signed.session_id)
    assert live is not None and (live.actor, live.csrf) == ("alice", signed.csrf)
    for _ in range(3):  # used within 8 hours each time: it lives on past 8 hours in all
        clock.advance(hours=7, minutes=59)
        assert accounts.session(signed.session_id) is not None
    clock.advance(hours=8, seconds=1)
    assert accounts.session(signed.session_id, "10.0.0.1") is None
    assert accounts.session(signed.session_id, "10.0.0.1") is None  # ended, not logged again
    assert opened.outcomes("alice") == [Outcome.SUCCESS, Outcome.EXPIRED]
    expired = accounts.log("alice")[-1]
    assert (expired.address, expired.method, expired.at) == (
        "10.0.0.1",
        Method.PASSWORD,
        clock.now,
    )


def test_a_session_ends_seven_days_after_sign_in_however_used(opened: Opened) -> None:
    accounts, clock = opened.accounts, opened.clock
    accounts.add("alice", PASSWORD)
    signed = _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    started = clock.now
    while clock.now + timedelta(hours=4) <= started + timedelta(days=7):
        clock.advance(hours=4)
        assert accounts.session(signed.session_id) is not None
    clock.now = started + timedelta(days=7, seconds=1)
    assert accounts.session(signed.session_id) is None
    assert accounts.session(signed.session_id) is None
    assert opened.outcomes("alice") == [Outcome.SUCCESS, Outcome.EXPIRED]


def test_sign_out_ends_the_session_and_is_logged(opened: Opened) -> None:
    accounts = opened.accounts
    accounts.add("alice", PASSWORD)
    first = _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    second = _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.2"))
    assert first.session_id != second.session_id and first.csrf != second.csrf  # rotated
    assert accounts.sign_out(first.session_id, "10.0.0.1") is True
    assert accounts.session(first.session_id) is None
    assert accounts.sign_out(first.session_id, "10.0.0.1") is False  # logged once
    assert accounts.session(second.session_id) is not None  # the other one lives on
    assert opened.outcomes("alice") == [Outcome.SUCCESS, Outcome.SUCCESS, Outcome.SIGNOUT]
    assert accounts.sign_out("no-such-session", "10.0.0.1") is False
    assert accounts.session("no-such-session") is None
    assert accounts.session("") is None


def test_disable_ends_the_sessions_at_once_and_refuses_sign_in(opened: Opened) -> None:
    accounts = opened.accounts
    accounts.add("alice", PASSWORD)
    accounts.add("bob", OTHER)
    sessions = [_signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1")) for _ in range(2)]
    bobs = _signed_in(accounts.sign_in("bob", OTHER, "10.0.0.1"))
    assert accounts.disable("alice") == 2
    for signed in sessions:
        assert accounts.session(signed.session_id) is None
    assert accounts.session(bobs.session_id) is not None
    assert opened.outcomes("alice") == [Outcome.SUCCESS, Outcome.SUCCESS, Outcome.DISABLED]
    _refused(accounts.sign_in("alice", PASSWORD, "10.0.0.1"), throttled=False)
    [info] = [a for a in accounts.accounts() if a.actor == "alice"]
    assert info.disabled_at == opened.clock.now
    with pytest.raises(AccountError, match="already disabled"):
        accounts.disable("alice")
    with pytest.raises(AccountError, match="no account 'nobody'"):
        accounts.disable("nobody")


def test_a_session_of_an_account_disabled_elsewhere_is_refused_at_its_next_use(
    opened: Opened,
) -> None:
    """Disabled straight in the store (as by another process mid-request, before its
    sessions were ended): the session is still refused at its next use, and ended."""
    accounts = opened.accounts
    accounts.add("alice", PASSWORD)
    signed = _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    assert opened.store.disable("alice", opened.clock.now)
    assert accounts.session(signed.session_id) is None
    record = opened.store.session(hashlib.sha256(signed.session_id.encode()).hexdigest())
    assert record is not None and record.ended_at is not None


# ------------------------------------------------ shared database, rebuild, log


def test_two_runtimes_share_sessions_and_throttles(database_url: str) -> None:
    clock = Clock()
    first, one = _open(database_url, clock)
    second, two = _open(database_url, clock)
    try:
        one.add("alice", PASSWORD)
        signed = _signed_in(two.sign_in("alice", PASSWORD, "10.0.0.1"))
        seen = one.session(signed.session_id)
        assert seen is not None and seen.csrf == signed.csrf
        assert one.sign_out(signed.session_id, "10.0.0.1")
        assert two.session(signed.session_id) is None
        for accounts in (one, two, one, two, one):  # five failures across the two
            _refused(accounts.sign_in("alice", OTHER, "10.0.0.1"), throttled=False)
        _refused(two.sign_in("alice", PASSWORD, "10.0.0.1"), throttled=True)
        _refused(one.sign_in("alice", PASSWORD, "10.0.0.1"), throttled=True)
        clock.advance(minutes=15)
        kept = _signed_in(one.sign_in("alice", PASSWORD, "10.0.0.1"))
        assert two.disable("alice") == 1
        assert one.session(kept.session_id) is None
        assert [line.outcome for line in one.log("alice")] == [
            line.outcome for line in two.log("alice")
        ]
    finally:
        first.close()
        second.close()


def test_rebuild_leaves_accounts_sessions_and_the_log(database_url: str) -> None:
    clock = Clock(datetime.now(UTC))  # real time: the session must be live after the run
    runtime, accounts = _open(database_url, clock)
    try:
        runtime.app.execute("formPartnership", {"name": "North", "purpose": "Care"}, actor="ann")
        accounts.add("alice", PASSWORD)
        accounts.add("bob", OTHER)
        accounts.sign_in("alice", OTHER, "10.0.0.1")
        signed = _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
        accounts.disable("bob")
        before = (accounts.accounts(), accounts.log(), accounts.session(signed.session_id))
    finally:
        runtime.close()
    done = run_accord("rebuild", "--database", database_url)
    assert done.returncode == 0, done.stderr
    assert "rebuilt views from" in done.stdout
    runtime, accounts = _open(database_url, clock)
    try:
        after = (accounts.accounts(), accounts.log(), accounts.session(signed.session_id))
        assert after == before
        assert after[2] is not None and after[2].actor == "alice"
        assert [line.outcome for line in after[1]] == [
            Outcome.FAILURE,
            Outcome.SUCCESS,
            Outcome.DISABLED,
        ]
    finally:
        runtime.close()


def test_the_log_lists_each_line_in_order_and_by_actor(opened: Opened) -> None:
    accounts, clock = opened.accounts, opened.clock
    accounts.add("alice", PASSWORD)
    signed = _signed_in(accounts.sign_in("alice", PASSWORD, "10.0.0.1"))
    clock.advance(minutes=1)
    accounts.sign_in("bob", OTHER, "10.0.0.2")
    clock.advance(minutes=1)
    accounts.sign_out(signed.session_id, "10.0.0.1")
    lines = [str(line) for line in accounts.log()]
    assert lines == [
        "2026-03-02T09:00:00+00:00\talice\t10.0.0.1\tsuccess\tpassword",
        "2026-03-02T09:01:00+00:00\tbob\t10.0.0.2\tfailure\tpassword",
        "2026-03-02T09:02:00+00:00\talice\t10.0.0.1\tsignout\tpassword",
    ]
    assert [str(line) for line in accounts.log("bob")] == [lines[1]]
    assert accounts.log("nobody") == []


def test_no_code_deletes_from_or_rewrites_the_sign_in_log() -> None:
    """The log is append-only: no statement in Accord's code deletes, updates, truncates
    or drops `signin_log`."""
    forbidden = re.compile(
        r"(DELETE\s+FROM|UPDATE|TRUNCATE(\s+TABLE)?|DROP\s+TABLE(\s+IF\s+EXISTS)?)\s+"
        r"[\"']?signin_log\b",
        re.IGNORECASE,
    )
    sources = [
        path
        for path in (ROOT / "accord").rglob("*")
        if path.suffix in (".py", ".sql") and path.is_file()
    ]
    assert any("signin_log" in path.read_text("utf-8") for path in sources)
    offending = [
        str(path.relative_to(ROOT)) for path in sources if forbidden.search(path.read_text("utf-8"))
    ]
    assert offending == []
    assert not forbidden.search("INSERT INTO signin_log (at) VALUES (?)")
    assert forbidden.search("delete  from signin_log where 1")


def test_a_hostile_actor_name_cannot_forge_a_log_line_or_drive_a_terminal(
    opened: Opened,
) -> None:
    """A sign-in form's actor is anyone's to write: kept as given, shown escaped."""
    hostile = "bob\n2026-03-02T09:00:00+00:00\tadmin\t10.0.0.1\tsuccess\x1b[2J\u202e\\"
    opened.accounts.sign_in(hostile, OTHER, "10.0.0.1")
    [line] = opened.accounts.log()
    assert line.actor == hostile
    shown = str(line)
    assert "\n" not in shown and "\x1b" not in shown and "\u202e" not in shown
    assert shown.split("\t") == [
        "2026-03-02T09:00:00+00:00",
        "bob\\n2026-03-02T09:00:00+00:00\\tadmin\\t10.0.0.1\\tsuccess\\x1b[2J\\u202e\\\\",
        "10.0.0.1",
        "failure",
        "password",
    ]


def test_a_new_password_ends_the_accounts_sessions(database_url: str) -> None:
    """A password changed after a break-in shuts the intruder out at once."""
    runtime = Runtime.open(database_url, project=False)
    try:
        accounts = runtime.accounts
        accounts.add("pat", "a long enough passphrase")
        signed_in = accounts.sign_in("pat", "a long enough passphrase", "10.0.0.9")
        assert isinstance(signed_in, SignedIn)
        assert accounts.set_password("pat", "another long passphrase") == 1
        assert accounts.session(signed_in.session_id) is None
        assert [line.outcome for line in accounts.log("pat")][-1] is Outcome.EXPIRED
        assert isinstance(accounts.sign_in("pat", "another long passphrase", "10.0.0.9"), SignedIn)
    finally:
        runtime.close()


def test_a_very_long_name_is_logged_cut_short(database_url: str) -> None:
    runtime = Runtime.open(database_url, project=False)
    try:
        runtime.accounts.sign_in("x" * 8000, "whatever it is here", "10.0.0.8")
        (line,) = runtime.accounts.log("x" * 200)
        assert line.outcome is Outcome.FAILURE
    finally:
        runtime.close()


def test_an_email_two_openid_users_claimed_names_neither(database_url: str) -> None:
    """A provider may let people change their e-mail claim: a grant by e-mail must not go
    to whoever claimed the address last."""
    runtime = Runtime.open(database_url, project=False)
    try:
        store = runtime.accounts.store
        assert isinstance(store, SqlAccountStore)
        now = datetime.now(UTC)
        store.remember_oidc_user("oidc:aa", "https://id.example", "s1", "Ann", "ann@nhs.net", now)
        assert store.oidc_actor_for_email("ANN@nhs.net") == "oidc:aa"
        store.remember_oidc_user("oidc:bb", "https://id.example", "s2", "Bo", "ann@nhs.net", now)
        assert store.oidc_actor_for_email("ann@nhs.net") is None
    finally:
        runtime.close()
