"""Events' (and snapshots') stored state written by orjson reads back, through
eventsourcing's own mapper, as exactly the event the stock transcoder's JSON gives."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from eventsourcing.domain import Snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.application.service import AccordApplication
from accord.domain.partnership import PartnershipEvent
from accord.storage.mapper import mapper_with
from accord.storage.state_encoding import encode_event_state, encode_snapshot_state
from bench.generate import generate_history

IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def recorded(app: AccordApplication, pid: Any) -> list[PartnershipEvent]:
    return [e for e in app.events.get(pid) if isinstance(e, PartnershipEvent)]


@pytest.fixture
def history() -> tuple[AccordApplication, AccordApplication, Any]:
    fast = AccordApplication(IN_MEMORY, audit_key=b"k", mapper=mapper_with(encode_event_state))
    pid, _ = fast.import_steps(generate_history(2_000, seed=21)["steps"], actor="admin")
    for mutation, extra in (
        ("grantRole", {"actor": "viewer-é", "role": "VIEWER"}),
        ("revokeRole", {"actor": "viewer-é"}),
        (
            "recordTrustCheckIn",
            {
                "respondentId": "p00",
                "reliability": 4,
                "openness": 3,
                "respect": 4,
                "sharedOwnership": 3,
                "note": "ça va 😀 \u2028",
            },
        ),
    ):
        fast.execute(mutation, {"partnershipId": str(pid), **extra}, actor="admin")
    stock = AccordApplication(IN_MEMORY, audit_key=b"k")
    return fast, stock, pid


def test_every_kind_of_event_reads_back_as_the_stock_encoding_gives_it(
    history: tuple[AccordApplication, AccordApplication, Any],
) -> None:
    fast, stock, pid = history
    kinds: Counter[str] = Counter()
    for event in recorded(fast, pid):
        via_orjson = fast.mapper.to_stored_event(event)
        via_stock = stock.mapper.to_stored_event(event)
        assert via_orjson.topic == via_stock.topic
        state = dict(vars(event))
        del state["originator_id"], state["originator_version"]
        if type(event).class_version > 1:  # as eventsourcing's mapper writes it
            state["class_version"] = type(event).class_version
        written = encode_event_state(state)
        assert written is not None
        assert via_orjson.state == written  # orjson wrote it, not the transcoder
        again = stock.mapper.to_domain_event(via_orjson)
        assert vars(again) == vars(stock.mapper.to_domain_event(via_stock))
        kinds[event.type_name()] += 1
    assert len(kinds) >= 18, kinds  # every kind the history makes


def test_what_orjson_cannot_write_is_left_to_the_transcoder() -> None:
    assert encode_event_state({"note": "lone \ud800 surrogate"}) is None
    assert encode_event_state({"count": 2**70}) is None
    assert encode_event_state({"nested": [{"when": datetime.now(UTC)}]}) is None
    assert encode_event_state({"local": datetime.now().astimezone()}) is None
    assert encode_event_state({"id": __import__("uuid").uuid4()}) is None


@settings(max_examples=300)
@given(st.datetimes(timezones=st.just(UTC)))
def test_an_instant_is_written_as_isoformat_writes_it(moment: datetime) -> None:
    written = encode_event_state({"at": moment})
    assert written is not None
    assert orjson.loads(written) == {"at": {"_type_": "datetime_iso", "_data_": moment.isoformat()}}


def test_a_snapshot_is_written_as_the_stock_transcoder_writes_it(
    history: tuple[AccordApplication, AccordApplication, Any],
) -> None:
    fast, stock, pid = history
    snapshot = Snapshot.take(fast.partnership(pid))
    state = dict(vars(snapshot))
    del state["originator_id"], state["originator_version"]
    written = encode_snapshot_state(state)
    assert written is not None
    assert written == stock.mapper.transcoder.encode(state)  # the same bytes
    mapper = mapper_with(encode_event_state, encode_snapshot_state)(stock.mapper)
    assert mapper.to_stored_event(snapshot).state == written  # orjson wrote it
    again = stock.mapper.to_domain_event(mapper.to_stored_event(snapshot))
    assert isinstance(again, Snapshot)
    assert vars(again.mutate(None)) == vars(snapshot.mutate(None))


def test_a_snapshot_orjson_cannot_write_is_left_to_the_transcoder() -> None:
    now = datetime.now(UTC)
    assert encode_snapshot_state({"timestamp": now, "state": {"id": uuid.uuid4()}}) is None
    assert encode_snapshot_state({"timestamp": now, "state": {"at": [now]}}) is None
    assert encode_snapshot_state({"timestamp": now, "state": None}) is None
