"""`accord import | verify | export | rebuild` on real stores, and tampering caught by verify."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from accord.cli import main
from tests.support.probes import Probe, check_probes
from tests.support.scenarios import SCENARIO_NAMES, SCENARIOS, load_steps

SCENARIO = SCENARIOS / "hartmoor-a.steps.json"


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_import_records_every_step_and_prints_only_the_id(sqlite_url: str) -> None:
    code, out = accord("import", str(SCENARIO), "--database", sqlite_url)
    assert code == 0
    pid = out.strip()
    assert len(pid) == 36
    code, out = accord("verify", "--database", sqlite_url)
    assert (code, out) == (0, f"{pid} valid 324\n")


def test_the_installed_command_runs_as_a_real_process(sqlite_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "accord", "import", str(SCENARIO), "--database", sqlite_url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1


def test_an_invalid_step_prints_step_field_code_and_records_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    steps = load_steps("hartmoor-a")
    steps[7]["input"]["rating"] = 9
    bad = tmp_path / "bad.steps.json"
    bad.write_text(json.dumps({"steps": steps}))
    code, out = accord("import", str(bad), "--database", sqlite_url)
    assert code == 1
    assert out.startswith("step 7: rating: VALIDATION: ")
    assert accord("verify", "--database", sqlite_url) == (0, "")


def test_export_writes_every_event_field_as_json_lines_and_csv(sqlite_url: str) -> None:
    _, out = accord("import", str(SCENARIO), "--database", sqlite_url)
    pid = out.strip()
    _, lines = accord("export", pid, "--database", sqlite_url)
    rows = [json.loads(line) for line in lines.splitlines()]
    assert len(rows) == 324
    assert set(rows[0]) == {
        "id",
        "type",
        "position",
        "occurredAt",
        "recordedAt",
        "recordedBy",
        "summary",
        "data",
        "retracted",
        "hash",
        "previousHash",
    }
    assert sum(row["retracted"] for row in rows) == 3
    _, text = accord("export", pid, "--format", "csv", "--database", sqlite_url)
    assert len(text.strip().splitlines()) == 325


def _imported(sqlite_url: str) -> tuple[str, sqlite3.Connection]:
    _, out = accord("import", str(SCENARIO), "--database", sqlite_url)
    path = sqlite_url.removeprefix("sqlite:///")
    return out.strip(), sqlite3.connect(path, isolation_level=None)


def _state(db: sqlite3.Connection, position: int) -> bytes:
    return bytes(
        db.execute(
            "SELECT state FROM stored_events WHERE originator_version = ?", (position,)
        ).fetchone()[0]
    )


def test_verify_catches_a_flipped_byte_at_its_position(sqlite_url: str) -> None:
    pid, db = _imported(sqlite_url)
    state = bytearray(_state(db, 40))
    index = state.index(b"Decision") if b"Decision" in state else len(state) // 2
    state[index] ^= 0x01
    db.execute("UPDATE stored_events SET state = ? WHERE originator_version = 40", (bytes(state),))
    assert accord("verify", pid, "--database", sqlite_url) == (1, f"{pid} broken at 40\n")


def test_verify_catches_a_deleted_row_at_its_position(sqlite_url: str) -> None:
    pid, db = _imported(sqlite_url)
    db.execute("DELETE FROM stored_events WHERE originator_version = 100")
    assert accord("verify", pid, "--database", sqlite_url) == (1, f"{pid} broken at 100\n")


def test_verify_catches_a_swapped_pair_of_rows(sqlite_url: str) -> None:
    pid, db = _imported(sqlite_url)
    a, b = _state(db, 60), _state(db, 61)
    db.execute("UPDATE stored_events SET state = ? WHERE originator_version = 60", (b,))
    db.execute("UPDATE stored_events SET state = ? WHERE originator_version = 61", (a,))
    assert accord("verify", pid, "--database", sqlite_url) == (1, f"{pid} broken at 60\n")


def test_verify_counts_an_undecodable_event_as_broken(sqlite_url: str) -> None:
    pid, db = _imported(sqlite_url)
    db.execute("UPDATE stored_events SET state = ? WHERE originator_version = 12", (b"{not json",))
    assert accord("verify", pid, "--database", sqlite_url) == (1, f"{pid} broken at 12\n")


def test_import_and_verify_work_on_postgresql(postgres_url: str) -> None:
    code, out = accord("import", str(SCENARIO), "--database", postgres_url)
    assert code == 0
    assert accord("verify", "--database", postgres_url) == (0, f"{out.strip()} valid 324\n")


def test_rebuild_brings_back_the_same_views(sqlite_url: str) -> None:
    _, db = _imported(sqlite_url)
    before = db.execute("SELECT * FROM view_events ORDER BY partnership_id, position").fetchall()
    code, out = accord("rebuild", "--database", sqlite_url)
    assert code == 0 and "324" in out
    after = db.execute("SELECT * FROM view_events ORDER BY partnership_id, position").fetchall()
    assert before == after and len(after) == 324


def test_a_chain_recomputed_without_the_audit_key_is_caught(sqlite_url: str) -> None:
    from accord.domain.chain import chain_hash
    from accord.runtime import Runtime

    pid, db = _imported(sqlite_url)
    runtime = Runtime.open(sqlite_url, project=False)
    try:
        events = list(runtime.app.stored_events(__import__("uuid").UUID(pid)))
        previous = events[29].hash
        for event in events[30:]:
            values = dict(event.__dict__)
            if event.position == 31:
                values["recorded_by"] = "mallory"
            values["previous_hash"] = previous
            values["hash"] = previous = chain_hash(
                previous_hash=values["previous_hash"],
                partnership_id=pid,
                position=event.position,
                event_type=event.type_name(),
                occurred_at=event.occurred_at,
                recorded_at=event.recorded_at,
                recorded_by=values["recorded_by"],
                data=event.data,
            )
            forged = type(event)(**values)
            stored = runtime.app.mapper.to_stored_event(forged)
            db.execute(
                "UPDATE stored_events SET state = ? WHERE originator_version = ?",
                (stored.state, event.position),
            )
    finally:
        runtime.close()
    assert accord("verify", pid, "--database", sqlite_url) == (1, f"{pid} broken at 31\n")


def test_removing_the_newest_events_is_caught_against_an_anchor(
    sqlite_url: str, tmp_path: Path
) -> None:
    pid, db = _imported(sqlite_url)
    anchor = tmp_path / "anchor.json"
    assert accord("verify", "--anchor", str(anchor), "--database", sqlite_url) == (
        0,
        f"{pid} valid 324\n",
    )
    assert json.loads(anchor.read_text())[pid]["position"] == 324
    db.execute("DELETE FROM stored_events WHERE originator_version > 320")
    assert accord("verify", "--database", sqlite_url) == (0, f"{pid} valid 320\n")
    assert accord("verify", "--anchor", str(anchor), "--database", sqlite_url) == (
        1,
        f"{pid} broken at 321\n",
    )


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_health_json_after_an_import_matches_every_fully_known_probe(
    sqlite_url: str, name: str
) -> None:
    _, out = accord("import", str(SCENARIOS / f"{name}.steps.json"), "--database", sqlite_url)
    pid = out.strip()

    def read(probe: Probe) -> dict[str, Any]:
        code, text = accord(
            "health",
            pid,
            "--as-of",
            probe.as_of,
            "--window-days",
            str(probe.window_days),
            "--json",
            "--database",
            sqlite_url,
        )
        assert code == 0
        health: dict[str, Any] = json.loads(text)
        return health

    check_probes(name, read, phases=[2])


def test_the_health_report_answers_the_four_questions(sqlite_url: str) -> None:
    _, out = accord("import", str(SCENARIO), "--database", sqlite_url)
    code, text = accord("health", out.strip(), "--as-of", "2026-09-30", "--database", sqlite_url)
    assert code == 0
    for question in (
        "Is this a true partnership?",
        "What are your common goals?",
        "Where is the trust?",
        "Who is doing the work?",
    ):
        assert question in text


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--window-days", "999999999", "--window-days: must be a whole number of days"),
        ("--window-days", "0", "--window-days: must be a whole number of days"),
        ("--as-of", "0001-01-01", "--as-of: "),
        ("--as-of", "9999-12-31", "--as-of: "),
        ("--known-at", "soon", "--known-at: "),
    ],
)
def test_health_refuses_an_option_out_of_range_naming_it(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], option: str, value: str, said: str
) -> None:
    _, out = accord("import", str(SCENARIO), "--database", sqlite_url)
    capsys.readouterr()
    code, text = accord("health", out.strip(), option, value, "--database", sqlite_url)
    assert (code, text) == (2, "")
    assert capsys.readouterr().err.startswith(f"accord: {said}")


def test_tokens_are_issued_listed_and_revoked(sqlite_url: str) -> None:
    code, token = accord("token", "issue", "--actor", "alice", "--database", sqlite_url)
    assert code == 0 and token.startswith("acc_")
    _, listing = accord("token", "list", "--database", sqlite_url)
    assert "alice" in listing and token.strip() not in listing
    token_id = listing.split()[0]
    assert accord("token", "revoke", token_id, "--database", sqlite_url) == (
        0,
        "revoked 1 token(s)\n",
    )
