"""On generated histories, health agrees with a naive reading of METRICS.md.

The histories (from `bench.generate`) are recorded partly out of order, and some of
their commitments, deliveries and check-ins are then retracted. Readings are taken at
random instants and at the instants where figures change (events, due dates,
deadlines), as known at the end and part-way through, for several windows.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from accord.domain.instants import parse_instant
from accord.projections.health import health_at, health_to_json, prepare
from accord.projections.records import IndexedEvent
from bench.generate import generate_history
from tests.support.probes import compare_health_json
from tests.support.scenarios import build_history
from tests.unit.reference_health import reference_health

RETRACTABLE = ("COMMITMENT_MADE", "COMMITMENT_DELIVERED", "TRUST_CHECK_IN_RECORDED")


def _retract_some(events: list[IndexedEvent], rng: random.Random) -> list[IndexedEvent]:
    """Append retractions of a few commitments, deliveries and check-ins."""
    result = list(events)
    targets = rng.sample([e for e in events if e.type in RETRACTABLE and not e.retracted_at], 12)
    last = max(e.recorded_at for e in events)
    for offset, target in enumerate(targets, start=1):
        retraction = IndexedEvent(
            partnership_id=target.partnership_id,
            position=len(result) + 1,
            event_id=f"retraction-{offset}",
            type="ENTRY_RETRACTED",
            occurred_at=target.occurred_at,
            recorded_at=last + timedelta(minutes=offset),
            recorded_by="tester",
            data={"eventId": target.event_id, "reason": "Recorded in error"},
            hash="0" * 64,
            previous_hash=None,
        )
        result.append(retraction)
        index = result.index(target)
        result[index] = replace(
            target, retracted_by=retraction.event_id, retracted_at=retraction.recorded_at
        )
    return result


def _instants(events: list[IndexedEvent], rng: random.Random) -> list[datetime]:
    first = min(e.occurred_at for e in events)
    last = max(e.occurred_at for e in events)
    span = (last - first).total_seconds()
    instants = [first + timedelta(seconds=rng.uniform(0, span)) for _ in range(6)]
    instants += [e.occurred_at for e in rng.sample(events, 4)]
    dues = [parse_instant(e.data["dueAt"]) for e in events if e.type == "COMMITMENT_MADE"]
    instants += [due + timedelta(days=14) for due in rng.sample(dues, 3)]
    instants += rng.sample(dues, 2)
    return instants


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_health_agrees_with_a_naive_reading_of_the_metrics(seed: int) -> None:
    rng = random.Random(seed)
    steps = generate_history(700, seed, shuffle_recording=True, span_days=900)["steps"]
    events = _retract_some(build_history(steps, f"generated-{seed}").events, rng)
    recorded = sorted(e.recorded_at for e in events)
    known_ats = [recorded[-1], recorded[len(recorded) // 2], recorded[-7]]
    mismatches: list[str] = []
    for known_at in known_ats:
        history = prepare(events, known_at)
        for as_of in _instants(events, rng):
            for window_days in (365, 90):
                actual = health_to_json(health_at(history, as_of, window_days))
                expected = reference_health(events, as_of, known_at, window_days)
                mismatches += [
                    f"{as_of.isoformat()} k={known_at.isoformat()} W={window_days}: {problem}"
                    for problem in compare_health_json(actual, expected)
                ]
    assert mismatches == []
