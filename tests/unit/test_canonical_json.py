"""The fast canonical JSON is byte-for-byte RFC 8785."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.domain.chain import canonical_json, chain_hash
from accord.domain.instants import format_instant_for_hash

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=1e-5, max_value=1e17),
    st.sampled_from([2.0**53, -(2.0**53), 2.0**60, 1e16, 1e-4, 0.0, -0.0]),
    st.text(),
)
values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400)
@given(st.dictionaries(st.text(max_size=10), values, max_size=6))
def test_canonical_json_equals_rfc8785(body: dict[str, Any]) -> None:
    try:
        expected = rfc8785.dumps(body)
    except Exception:  # rfc8785 refuses some inputs (e.g. lone surrogates); so may we
        return
    assert canonical_json(body) == expected


def test_integral_floats_are_written_as_integers() -> None:
    assert canonical_json({"q": 1500.0, "s": 0.35, "b": "é\n"}) == rfc8785.dumps(
        {"q": 1500.0, "s": 0.35, "b": "é\n"}
    )


texts = st.text() | st.sampled_from(["", "bench", "é\n\u2028", "\ud800"])
moments = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
) | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))]))


@settings(max_examples=300)
@given(
    previous_hash=st.none() | texts,
    partnership_id=texts,
    position=st.integers(min_value=-(2**60), max_value=2**60),
    event_type=texts,
    occurred_at=moments,
    recorded_at=moments,
    recorded_by=texts,
    data=st.dictionaries(st.text(max_size=10), values, max_size=6),
)
def test_the_chain_hash_is_the_sha256_of_the_rfc8785_body(
    previous_hash: str | None,
    partnership_id: str,
    position: int,
    event_type: str,
    occurred_at: datetime,
    recorded_at: datetime,
    recorded_by: str,
    data: dict[str, Any],
) -> None:
    body = {
        "previousHash": previous_hash,
        "partnershipId": partnership_id,
        "position": position,
        "type": event_type,
        "occurredAt": format_instant_for_hash(occurred_at),
        "recordedAt": format_instant_for_hash(recorded_at),
        "recordedBy": recorded_by,
        "data": data,
    }
    try:
        expected = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    except Exception:  # rfc8785 refuses it (a lone surrogate, an unsafe integer): so must we
        with pytest.raises(Exception):  # noqa: B017
            chain_hash(**_arguments(body, occurred_at, recorded_at))
        return
    assert chain_hash(**_arguments(body, occurred_at, recorded_at)) == expected


def _arguments(body: dict[str, Any], occurred_at: datetime, recorded_at: datetime) -> Any:
    return {
        "previous_hash": body["previousHash"],
        "partnership_id": body["partnershipId"],
        "position": body["position"],
        "event_type": body["type"],
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "recorded_by": body["recordedBy"],
        "data": body["data"],
    }


@settings(max_examples=300)
@given(st.datetimes(timezones=st.just(UTC)) | moments)
def test_an_instant_is_hashed_in_its_fixed_form(moment: datetime) -> None:
    data: dict[str, Any] = {}
    body = {
        "previousHash": None,
        "partnershipId": "p",
        "position": 1,
        "type": "T",
        "occurredAt": format_instant_for_hash(moment),
        "recordedAt": format_instant_for_hash(moment),
        "recordedBy": "r",
        "data": data,
    }
    expected = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    assert chain_hash(**_arguments(body, moment, moment)) == expected
