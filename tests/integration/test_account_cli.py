"""`accord account add | list | password | disable | log` as real processes (the whole flow
on SQLite and PostgreSQL), and the password typed at the terminal in-process: exit 1 for
a refused password or an unknown account, 2 for usage (a reserved or missing actor name,
no password to read); the password never in anything printed."""

from __future__ import annotations

import getpass
import io
import subprocess
import sys
from collections.abc import Iterator

import pytest

from accord.application.accounts import SignedIn
from accord.cli import main
from accord.runtime import Runtime
from tests.support.processes import ROOT, accord_environment

PASSWORD = "ochre lantern quietly"
NEW = "granite kettle morning"


def account(database: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`accord account ARGS --database DATABASE`, `stdin` as its standard input."""
    done = subprocess.run(
        [sys.executable, "-m", "accord", "account", *args, "--database", database],
        cwd=ROOT,
        env=accord_environment(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for secret in (PASSWORD, NEW, "qwerty123456", "too short"):
        assert secret not in done.stdout + done.stderr, "a password was printed"
    return done


def _sign_in(database: str, password: str) -> SignedIn | None:
    runtime = Runtime.open(database, project=False)
    try:
        result = runtime.accounts.sign_in("alice", password, "10.0.0.1")
        return result if isinstance(result, SignedIn) else None
    finally:
        runtime.close()


def test_add_list_password_disable_and_log(database_url: str) -> None:
    db = database_url
    done = account(db, "add", "--actor", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, "added the account 'alice'\n", "")
    again = account(db, "add", "--actor", "alice", "--password-stdin", stdin=NEW + "\n")
    assert again.returncode == 1 and "'alice' already has an account" in again.stderr

    listed = account(db, "list")
    assert listed.returncode == 0
    [line] = listed.stdout.splitlines()
    actor, created, state = line.split("\t")
    assert (actor, state) == ("alice", "active") and created.startswith("created 20")
    assert "argon2" not in listed.stdout

    assert _sign_in(db, PASSWORD) is not None  # a session, and a success in the log
    changed = account(db, "password", "--actor", "alice", "--password-stdin", stdin=NEW + "\n")
    assert (changed.returncode, changed.stdout) == (
        0,
        "set the password of 'alice': 1 session(s) ended\n",  # the session before it
    )
    assert _sign_in(db, PASSWORD) is None  # a failure in the log
    assert _sign_in(db, NEW) is not None  # a second live session

    disabled = account(db, "disable", "--actor", "alice")
    assert (disabled.returncode, disabled.stdout) == (0, "disabled 'alice': 1 session(s) ended\n")
    assert _sign_in(db, NEW) is None
    twice = account(db, "disable", "--actor", "alice")
    assert twice.returncode == 1 and "already disabled" in twice.stderr
    listed = account(db, "list")
    assert listed.stdout.split("\t")[2].startswith("disabled 20")

    log = account(db, "log")
    assert log.returncode == 0
    fields = [row.split("\t") for row in log.stdout.splitlines()]
    assert [(f[1], f[2], f[3], f[4]) for f in fields] == [
        ("alice", "10.0.0.1", "success", "password"),
        ("alice", "-", "expired", "password"),  # the new password ended its session
        ("alice", "10.0.0.1", "failure", "password"),
        ("alice", "10.0.0.1", "success", "password"),
        ("alice", "-", "disabled", "password"),
        ("alice", "10.0.0.1", "failure", "password"),
    ]
    assert all(f[0].startswith("20") and f[0].endswith("+00:00") for f in fields)
    assert account(db, "log", "--actor", "alice").stdout == log.stdout
    assert account(db, "log", "--actor", "bob").stdout == ""


def test_the_log_shows_a_hostile_actor_name_escaped(sqlite_url: str) -> None:
    runtime = Runtime.open(sqlite_url, project=False)
    try:
        runtime.accounts.sign_in("x\n2026-01-01T00:00:00+00:00\tadmin\x1b[2J", NEW, "10.0.0.9")
    finally:
        runtime.close()
    log = account(sqlite_url, "log")
    assert log.returncode == 0 and "\x1b" not in log.stdout
    [line] = log.stdout.splitlines()
    assert line.split("\t")[1:] == [
        "x\\n2026-01-01T00:00:00+00:00\\tadmin\\x1b[2J",
        "10.0.0.9",
        "failure",
        "password",
    ]


def test_a_common_or_short_password_is_refused(sqlite_url: str) -> None:
    for password, says in (
        ("qwerty123456", "among the 20,000 most common"),
        ("too short", "at least 12 characters"),
    ):
        done = account(
            sqlite_url, "add", "--actor", "alice", "--password-stdin", stdin=password + "\n"
        )
        assert done.returncode == 1, done
        assert done.stdout == "" and says in done.stderr
    assert account(sqlite_url, "list").stdout == ""
    account(sqlite_url, "add", "--actor", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    done = account(
        sqlite_url, "password", "--actor", "alice", "--password-stdin", stdin="qwerty123456\n"
    )
    assert done.returncode == 1 and "among the 20,000 most common" in done.stderr
    assert _sign_in(sqlite_url, PASSWORD) is not None  # unchanged


@pytest.mark.parametrize("actor", ["oidc:someone", "OIDC:x", "check-in-round:abc"])
def test_a_reserved_actor_name_is_refused(sqlite_url: str, actor: str) -> None:
    done = account(sqlite_url, "add", "--actor", actor, "--password-stdin", stdin=PASSWORD)
    assert done.returncode == 2
    assert "reserved" in done.stderr and "oidc:" in done.stderr
    assert account(sqlite_url, "list").stdout == ""


def test_usage_and_unknown_accounts(sqlite_url: str) -> None:
    missing = account(sqlite_url, "add", "--password-stdin", stdin=PASSWORD)
    assert missing.returncode == 2 and "--actor" in missing.stderr
    nothing = account(sqlite_url, "add", "--actor", "alice", "--password-stdin", stdin="")
    assert nothing.returncode == 2 and "nothing on standard input" in nothing.stderr
    no_tty = account(sqlite_url, "add", "--actor", "alice", stdin=PASSWORD + "\n")
    assert no_tty.returncode == 2 and "use --password-stdin" in no_tty.stderr
    unknown = account(sqlite_url, "password", "--actor", "bob", "--password-stdin", stdin=NEW)
    assert unknown.returncode == 1 and "no account 'bob'" in unknown.stderr
    unknown = account(sqlite_url, "disable", "--actor", "bob")
    assert unknown.returncode == 1 and "no account 'bob'" in unknown.stderr
    assert account(sqlite_url, "list").stdout == ""
    bare = subprocess.run(
        [sys.executable, "-m", "accord", "account"],
        cwd=ROOT,
        env=accord_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bare.returncode == 2 and "add,list,disable,password,log" in bare.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What getpass will be given, one answer per prompt (a terminal on stdin)."""
    answers: list[str] = []
    prompts: list[str] = []

    def fake_getpass(prompt: str = "Password: ", stream: object = None) -> str:
        prompts.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    yield answers


def test_a_password_typed_twice_at_the_terminal(
    sqlite_url: str, typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--database", sqlite_url]
    typed.extend([PASSWORD, PASSWORD + "x"])
    assert main(["account", "add", "--actor", "alice", *db]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    typed[:] = ["qwerty123456"]  # refused before it is asked again
    assert main(["account", "add", "--actor", "alice", *db]) == 1
    assert "among the 20,000 most common" in capsys.readouterr().err
    assert typed == []
    typed.extend([PASSWORD, PASSWORD])
    assert main(["account", "add", "--actor", "alice", *db]) == 0
    typed.extend([NEW, NEW])
    assert main(["account", "password", "--actor", "alice", *db]) == 0
    out = capsys.readouterr()
    assert PASSWORD not in out.out + out.err and NEW not in out.out + out.err
    assert _sign_in(sqlite_url, NEW) is not None
