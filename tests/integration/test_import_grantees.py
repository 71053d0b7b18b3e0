"""A role given in an import is read as the API reads it: a workbook's or a steps file's
`grantRole` may name a person by the e-mail address they signed in with (the event
records their opaque OpenID actor id), and names beginning `oidc:` or
`check-in-round:` that no one signed in as are refused, naming the cell or the step."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accord.application.oidc_actors import oidc_actor_id
from accord.runtime import Runtime
from tests.integration.test_workbook_import import (
    accord,
    base,
    exported,
    nothing_recorded,
    refused,
)

ISSUER = "https://login.example.nhs.uk/tenant/v2.0"
EMAIL = "sam.jones@example.nhs.uk"
ACTOR = oidc_actor_id(ISSUER, "subject-of-sam")


@pytest.fixture
def signed_in_once(sqlite_url: str) -> str:
    """A database where Sam has signed in with single sign-on once."""
    runtime = Runtime.open(sqlite_url, project=False)
    try:
        store = runtime.app.directory
        assert store is not None
        runtime.accounts.store.remember_oidc_user(  # type: ignore[attr-defined]
            ACTOR, ISSUER, "subject-of-sam", "Sam Jones", EMAIL, datetime.now(UTC)
        )
    finally:
        runtime.close()
    return sqlite_url


def grant(actor: str) -> dict[str, object]:
    return {"occurredAt": "2024-03-01", "actor": actor, "role": "VIEWER"}


def granted_actors(pid: str, url: str) -> list[str]:
    return [e["data"]["actor"] for e in exported(pid, url) if e["type"] == "ROLE_GRANTED"]


def test_a_workbook_grants_a_role_by_e_mail_address_to_the_openid_actor(
    tmp_path: Path, signed_in_once: str
) -> None:
    path = base(tmp_path, grantRole=[grant(EMAIL), grant("the board secretary")])
    code, out = accord("import", str(path), "--database", signed_in_once)
    assert code == 0, out
    assert granted_actors(out.strip(), signed_in_once) == [ACTOR, "the board secretary"]


@pytest.mark.parametrize("name", ["check-in-round:0b1c", "oidc:0123456789abcdef", " OIDC:x"])
def test_a_workbook_naming_a_reserved_grantee_is_refused_at_its_cell(
    tmp_path: Path, signed_in_once: str, name: str
) -> None:
    path = base(tmp_path, grantRole=[grant(name)])
    [line] = refused(path, signed_in_once)
    assert line.startswith("'Give someone a role'!B3: actor: VALIDATION: names beginning")
    assert "reserved" in line
    assert nothing_recorded(signed_in_once)


def test_a_workbook_may_name_a_known_openid_actor_by_its_id(
    tmp_path: Path, signed_in_once: str
) -> None:
    path = base(tmp_path, grantRole=[grant(ACTOR)])
    code, out = accord("import", str(path), "--database", signed_in_once)
    assert code == 0, out
    assert granted_actors(out.strip(), signed_in_once) == [ACTOR]


def steps_file(tmp_path: Path, actor: str) -> Path:
    path = tmp_path / "grants.steps.json"
    steps = [
        {"mutation": "formPartnership", "input": {"name": "Harbour", "purpose": "Care"}},
        {"mutation": "grantRole", "input": {"actor": actor, "role": "RECORDER"}},
    ]
    path.write_text(json.dumps({"steps": steps}), "utf-8")
    return path


def test_a_steps_file_reads_its_grantees_as_the_api_does(
    tmp_path: Path, signed_in_once: str
) -> None:
    code, out = accord("import", str(steps_file(tmp_path, EMAIL)), "--database", signed_in_once)
    assert code == 0, out
    assert granted_actors(out.strip(), signed_in_once) == [ACTOR]

    code, out = accord(
        "import", str(steps_file(tmp_path, "check-in-round:1")), "--database", signed_in_once
    )
    assert code == 1
    assert "step 1: actor: VALIDATION: names beginning" in out


@pytest.mark.parametrize("actor", ["check-in-round:forged", "oidc:" + "0" * 32])
def test_an_import_is_never_recorded_as_a_round_or_an_unknown_openid_user(
    tmp_path: Path, signed_in_once: str, actor: str
) -> None:
    for path in (steps_file(tmp_path, "the board secretary"), base(tmp_path)):
        code, out = accord("import", str(path), "--actor", actor, "--database", signed_in_once)
        assert code == 2 and out == ""
    assert nothing_recorded(signed_in_once)


def test_an_import_may_be_recorded_as_a_known_openid_user(
    tmp_path: Path, signed_in_once: str
) -> None:
    code, out = accord(
        "import", str(base(tmp_path)), "--actor", ACTOR, "--database", signed_in_once
    )
    assert code == 0, out
    assert {e["recordedBy"] for e in exported(out.strip(), signed_in_once)} == {ACTOR}
