"""Check-in rounds in the application and the store, on real SQLite and PostgreSQL: what
a close records (the means of the answers, for the pairs with enough), that nothing of an
answer outlives the close, and that the links and answers are sealed.

(The same through the API and the answer page: tests/api/test_check_in_rounds.py.)"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from accord.application.rounds import Refusal, RoundRefused, token_digest
from accord.application.service import StepError
from accord.domain.errors import DomainError
from accord.runtime import Runtime


@pytest.fixture
def runtime(database_url: str) -> Iterator[Runtime]:
    opened = Runtime.open(database_url, project=False)
    yield opened
    opened.close()


def _partnership(runtime: Runtime, partners: list[str]) -> str:
    app = runtime.app
    formed = app.execute("formPartnership", {"name": "North", "purpose": "Care"}, actor="ann")
    pid = str(formed.partnership_id)
    for partner in partners:
        app.execute(
            "joinPartner",
            {
                "partnershipId": pid,
                "partnerId": partner,
                "name": partner.title(),
                "sector": "NHS_TRUST",
            },
            actor="ann",
        )
    return pid


def _open(runtime: Runtime, pid: str, counts: dict[str, int], **more: Any) -> Any:
    raw = {
        "partnershipId": pid,
        "closesAt": (datetime.now(UTC) + timedelta(days=14)).isoformat(),
        "invitations": [{"partnerId": p, "count": n} for p, n in counts.items()],
        **more,
    }
    return runtime.rounds.open(
        raw, actor="ann", enforce_access=True, names={}, partnership_name="North"
    )


def _token(path: str) -> str:
    return path.rsplit("/", 1)[1]


def _items(reliability: int, openness: int, respect: int, shared: int) -> dict[str, str]:
    return {
        "reliability": str(reliability),
        "openness": str(openness),
        "respect": str(respect),
        "sharedOwnership": str(shared),
    }


def test_a_close_records_the_means_of_pairs_with_enough_answers(runtime: Runtime) -> None:
    pid = _partnership(runtime, ["nhs", "council", "gp"])
    opened = _open(runtime, pid, {"nhs": 4, "council": 3, "gp": 2})
    links = {
        p: [_token(link.path) for link in opened.links if link.partner_id == p]
        for p in ("nhs", "council", "gp")
    }
    assert [len(links[p]) for p in ("nhs", "council", "gp")] == [4, 3, 2]
    answers = {
        "nhs": [(5, 4, 4, 3), (4, 4, 3, 3), (3, 2, 4, 5), (2, 3, 3, 3)],
        "council": [(1, 2, 3, 4), (2, 2, 2, 2), (5, 5, 5, 4)],
        "gp": [(5, 5, 5, 5), (4, 4, 4, 4)],
    }
    for partner, given in answers.items():
        for token, items in zip(links[partner], given, strict=True):
            runtime.rounds.answer(token, _items(*items))
    outcomes = runtime.rounds.close(
        {"partnershipId": pid, "roundId": opened.round_id}, actor="ann", enforce_access=True
    )
    closed, *check_ins = [outcome.event for outcome in outcomes]
    assert closed.type_name() == "CHECK_IN_ROUND_CLOSED"
    assert closed.data["partners"] == [
        {"partnerId": "nhs", "invited": 4, "answered": 4},
        {"partnerId": "council", "invited": 3, "answered": 3},
        {"partnerId": "gp", "invited": 2, "answered": 2},
    ]
    assert closed.recorded_by == "ann"
    by_partner = {event.data["respondentId"]: event.data for event in check_ins}
    assert set(by_partner) == {"nhs", "council"}  # gp: 2 answers, fewer than 3
    assert by_partner["nhs"] == {
        "respondentId": "nhs",
        "aboutId": None,
        "reliability": 3.5,
        "openness": 3.25,
        "respect": 3.5,
        "sharedOwnership": 3.5,
        "note": None,
        "responses": 4,
        "roundId": opened.round_id,
    }
    council = by_partner["council"]
    assert council["reliability"] == pytest.approx(8 / 3)
    assert council["openness"] == 3 and council["respect"] == pytest.approx(10 / 3)
    assert {event.recorded_by for event in check_ins} == {f"check-in-round:{opened.round_id}"}
    assert runtime.app.verify(uuid.UUID(pid)).valid


def test_a_link_answers_once_and_not_after_the_close(runtime: Runtime) -> None:
    pid = _partnership(runtime, ["nhs", "council"])
    opened = _open(runtime, pid, {"nhs": 3, "council": 3})
    first, second = (_token(link.path) for link in opened.links[:2])
    runtime.rounds.answer(first, _items(3, 3, 3, 3))
    with pytest.raises(RoundRefused) as used:
        runtime.rounds.answer(first, _items(1, 1, 1, 1))
    assert used.value.refusal is Refusal.USED
    with pytest.raises(RoundRefused) as unknown:
        runtime.rounds.answer("x" * 43, _items(1, 1, 1, 1))
    assert unknown.value.refusal is Refusal.UNKNOWN
    with pytest.raises(DomainError) as bad:
        runtime.rounds.answer(second, {**_items(3, 3, 3, 3), "respect": "6"})
    assert bad.value.field == "respect"
    answered_by = opened.links[0].partner_id
    other = "nhs" if answered_by == "council" else "council"
    assert runtime.rounds.answered(opened.round_id) == {answered_by: 1, other: 0}
    runtime.rounds.close(
        {"partnershipId": pid, "roundId": opened.round_id}, actor="ann", enforce_access=True
    )
    with pytest.raises(RoundRefused) as closed:
        runtime.rounds.answer(second, _items(3, 3, 3, 3))
    assert closed.value.refusal is Refusal.CLOSED
    assert runtime.rounds.answered(opened.round_id) is None
    with pytest.raises(DomainError) as again:
        runtime.rounds.close(
            {"partnershipId": pid, "roundId": opened.round_id}, actor="ann", enforce_access=True
        )
    assert again.value.field == "roundId"


def test_nothing_of_an_answer_outlives_the_close(runtime: Runtime) -> None:
    pid = _partnership(runtime, ["nhs", "council"])
    opened = _open(runtime, pid, {"nhs": 3, "council": 3}, keepNotes=True)
    for index, link in enumerate(opened.links):
        runtime.rounds.answer(
            _token(link.path), {**_items(4, 4, 4, 4), "note": f"note number {index}"}
        )
    connection: Any = runtime.views.connect()
    try:

        def count(sql: str) -> int:
            return int(connection.execute(sql).fetchone()[0])

        assert count("SELECT COUNT(*) FROM check_in_answers") == 6
        sealed = [row[0] for row in connection.execute("SELECT sealed FROM check_in_answers")]
        # An answer names no invitation and has no time: three columns, none of them that.
        columns = connection.execute("SELECT * FROM check_in_answers").fetchone()
        assert len(columns) == 3
        assert count("SELECT COUNT(*) FROM check_in_invitations WHERE link IS NOT NULL") == 0
        outcomes = runtime.rounds.close(
            {"partnershipId": pid, "roundId": opened.round_id}, actor="ann", enforce_access=True
        )
        assert count("SELECT COUNT(*) FROM check_in_answers") == 0
        assert count("SELECT COUNT(*) FROM check_in_rounds WHERE round_key IS NOT NULL") == 0
        assert (
            count(
                "SELECT COUNT(*) FROM check_in_invitations "
                "WHERE email IS NOT NULL OR link IS NOT NULL"
            )
            == 0
        )
    finally:
        connection.close()
    notes = sorted(note for outcome in outcomes[1:] for note in outcome.event.data.get("notes", []))
    assert notes == sorted(f"note number {i}" for i in range(6))
    if runtime.database.kind == "sqlite":  # overwritten in the file, not only unlinked
        kept = Path(runtime.database.path).read_bytes()
        wal = Path(runtime.database.path + "-wal")
        kept += wal.read_bytes() if wal.exists() else b""
        assert sealed and not any(answer.encode() in kept for answer in sealed)


def test_links_are_sealed_and_an_idempotent_retry_gives_the_same_ones(runtime: Runtime) -> None:
    pid = _partnership(runtime, ["nhs", "council"])
    closes = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    first = _open(runtime, pid, {"nhs": 3, "council": 3}, idempotencyKey="r1", closesAt=closes)
    again = _open(runtime, pid, {"nhs": 3, "council": 3}, idempotencyKey="r1", closesAt=closes)
    assert again.round_id == first.round_id and again.outcome.replayed
    assert sorted(link.path for link in again.links) == sorted(link.path for link in first.links)
    connection: Any = runtime.views.connect()
    try:
        stored = [
            row[0]
            for row in connection.execute("SELECT token_hash FROM check_in_invitations").fetchall()
        ]
        links = " ".join(
            str(row) for row in connection.execute("SELECT * FROM check_in_invitations").fetchall()
        )
    finally:
        connection.close()
    tokens = [_token(link.path) for link in first.links]
    assert sorted(stored) == sorted(token_digest(token) for token in tokens)
    assert not any(token in links for token in tokens)  # kept sealed, never as given
    assert all(len(token) >= 43 for token in tokens)  # 256 bits


def test_an_outsider_cannot_open_and_nothing_is_stored(runtime: Runtime) -> None:
    pid = _partnership(runtime, ["nhs", "council"])
    raw = {
        "partnershipId": pid,
        "closesAt": (datetime.now(UTC) + timedelta(days=14)).isoformat(),
        "invitations": [{"partnerId": "nhs", "count": 3}],
    }
    with pytest.raises(DomainError):
        runtime.rounds.open(
            raw, actor="mallory", enforce_access=True, names={}, partnership_name=""
        )
    with pytest.raises(DomainError) as unknown_partner:
        runtime.rounds.open(
            {**raw, "invitations": [{"partnerId": "nope", "count": 3}]},
            actor="ann",
            enforce_access=True,
            names={},
            partnership_name="",
        )
    assert unknown_partner.value.field == "invitations.0.partnerId"
    with pytest.raises(DomainError) as short:
        runtime.rounds.open(
            {
                **raw,
                "invitations": [{"partnerId": "nhs", "count": 1, "emails": ["a@x.org", "b@x.org"]}],
            },
            actor="ann",
            enforce_access=True,
            names={},
            partnership_name="",
        )
    assert short.value.field == "invitations.0.count"
    connection: Any = runtime.views.connect()
    try:
        assert connection.execute("SELECT COUNT(*) FROM check_in_invitations").fetchone()[0] == 0
        assert connection.execute("SELECT COUNT(*) FROM check_in_rounds").fetchone()[0] == 0
    finally:
        connection.close()


def test_a_round_closes_by_itself_when_its_time_comes(runtime: Runtime) -> None:
    pid = _partnership(runtime, ["nhs", "council"])
    opened = _open(runtime, pid, {"nhs": 3, "council": 3})
    for link in opened.links:
        if link.partner_id == "nhs":
            runtime.rounds.answer(_token(link.path), _items(2, 3, 4, 5))
    later = datetime.now(UTC) + timedelta(days=15)
    runtime.rounds._clock = lambda: later
    assert runtime.rounds.close_due() == 1
    events = list(runtime.app.stored_events(uuid.UUID(pid)))
    closed = [e for e in events if e.type_name() == "CHECK_IN_ROUND_CLOSED"]
    assert [e.recorded_by for e in closed] == [f"check-in-round:{opened.round_id}"]
    check_ins = [e for e in events if e.type_name() == "TRUST_CHECK_IN_RECORDED"]
    assert [(e.data["respondentId"], e.data["responses"]) for e in check_ins] == [("nhs", 3)]
    assert runtime.rounds.close_due() == 0


def test_stored_version_1_check_ins_are_upcast_and_keep_their_hashes(tmp_path: Any) -> None:
    """A check-in stored before rounds (no class_version in its state) reads as version 2
    with no round fields, and the chain still verifies."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    runtime = Runtime.open(url, project=False)
    try:
        pid = _partnership(runtime, ["nhs", "council"])
        runtime.app.execute(
            "recordTrustCheckIn",
            {
                "partnershipId": pid,
                "respondentId": "nhs",
                "aboutId": "council",
                "reliability": 4,
                "openness": 3,
                "respect": 5,
                "sharedOwnership": 2,
            },
            actor="ann",
        )
    finally:
        runtime.close()
    db = sqlite3.connect(tmp_path / "old.db")
    rows = db.execute(
        "SELECT rowid, state FROM stored_events WHERE topic LIKE '%TrustCheckInRecorded'"
    ).fetchall()
    assert len(rows) == 1
    state = rows[0][1]
    import json

    decoded = json.loads(state)
    assert decoded.pop("class_version") == 2
    for key in ("responses", "round_id", "notes"):
        assert decoded.pop(key) is None
    db.execute(
        "UPDATE stored_events SET state = ? WHERE rowid = ?",
        (json.dumps(decoded).encode(), rows[0][0]),
    )
    db.commit()
    db.close()
    runtime = Runtime.open(url, project=False)
    try:
        events = list(runtime.app.stored_events(uuid.UUID(pid)))
        check_in = events[-1]
        assert check_in.responses is None and check_in.round_id is None
        assert check_in.data == {
            "respondentId": "nhs",
            "aboutId": "council",
            "reliability": 4,
            "openness": 3,
            "respect": 5,
            "sharedOwnership": 2,
            "note": None,
        }
        assert runtime.app.verify(uuid.UUID(pid)).valid
    finally:
        runtime.close()


def test_a_steps_file_cannot_record_a_round(runtime: Runtime) -> None:
    """A round's own kinds are recorded by the round; an import refuses them, naming the step."""
    closes = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    steps = [
        {"mutation": "formPartnership", "input": {"name": "North", "purpose": "Care"}},
        {
            "mutation": "joinPartner",
            "input": {"partnerId": "nhs", "name": "N", "sector": "NHS_TRUST"},
        },
        {
            "mutation": "openCheckInRound",
            "input": {
                "roundId": "r1",
                "closesAt": closes,
                "minimumResponses": 3,
                "aboutPartners": False,
                "keepNotes": False,
                "invitations": [{"partnerId": "nhs", "count": 3}],
            },
        },
    ]
    with pytest.raises(StepError) as refused:
        runtime.app.import_steps(steps, actor="ann")
    assert refused.value.step == 2
    assert refused.value.error.field == "mutation"
    assert runtime.app.partnership_ids() == []


def test_a_partner_gone_by_the_close_is_not_recorded_though_it_answered(runtime: Runtime) -> None:
    pid = _partnership(runtime, ["nhs", "council", "gp"])
    opened = _open(runtime, pid, {"nhs": 3, "council": 3}, aboutPartners=True)
    for link in opened.links:
        form = _items(4, 4, 4, 4)
        other = "council" if link.partner_id == "nhs" else "nhs"
        form |= {f"about.{other}.{item}": "2" for item in ("reliability", "openness")}
        form |= {f"about.{other}.{item}": "3" for item in ("respect", "sharedOwnership")}
        form |= {f"about.gp.{item}": "5" for item in ("reliability", "openness", "respect")}
        form |= {"about.gp.sharedOwnership": "1"}
        runtime.rounds.answer(_token(link.path), form)
    runtime.app.execute(
        "recordPartnerLeaving", {"partnershipId": pid, "partnerId": "council"}, actor="ann"
    )
    outcomes = runtime.rounds.close(
        {"partnershipId": pid, "roundId": opened.round_id}, actor="ann", enforce_access=True
    )
    closed, *check_ins = [outcome.event for outcome in outcomes]
    assert closed.data["partners"][1] == {"partnerId": "council", "invited": 3, "answered": 3}
    pairs = {(e.data["respondentId"], e.data["aboutId"]): e.data for e in check_ins}
    # council left: nothing by it or about it; nhs about the partnership and about gp.
    assert set(pairs) == {("nhs", None), ("nhs", "gp")}
    assert [pairs[("nhs", "gp")][item] for item in ("reliability", "sharedOwnership")] == [5, 1]
    assert pairs[("nhs", "gp")]["responses"] == 3
