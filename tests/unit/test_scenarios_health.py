"""Both shared scenarios, replayed without a database, match every expected figure.

Each probe of `tests/scenarios/*.expected.json` asks for the health at an instant as
known after phase 1 or phase 2; every figure must agree within 1e-9.
"""

from __future__ import annotations

from functools import cache

import pytest

from accord.domain.instants import parse_instant
from accord.projections.health import health, health_to_json
from tests.support.probes import Probe, compare_health_json, load_probes
from tests.support.scenarios import SCENARIO_NAMES, ScenarioHistory, load_history


@cache
def _history(name: str) -> ScenarioHistory:
    return load_history(name)


@pytest.mark.parametrize(
    "probe",
    [probe for name in SCENARIO_NAMES for probe in load_probes(name)],
    ids=lambda probe: probe.label,
)
def test_every_figure_of_the_probe_matches_the_expected_file(probe: Probe) -> None:
    history = _history(probe.scenario)
    reading = health(
        history.events,
        parse_instant(probe.as_of, end_of_day=True),
        history.known_at[probe.known_phase],
        probe.window_days,
    )
    assert probe.mismatches(health_to_json(reading)) == []


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_both_knowledge_phases_are_probed(name: str) -> None:
    assert {probe.known_phase for probe in load_probes(name)} == {1, 2}


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_what_was_learnt_in_phase_two_changes_some_figure(name: str) -> None:
    history = _history(name)
    changed = 0
    for probe in load_probes(name):
        as_of = parse_instant(probe.as_of, end_of_day=True)
        readings = [
            health_to_json(health(history.events, as_of, history.known_at[phase], 365))
            for phase in (1, 2)
        ]
        changed += readings[0]["power"] != readings[1]["power"]
    assert changed > 0


def test_a_figure_off_by_more_than_the_tolerance_is_reported() -> None:
    history = _history("hartmoor-a")
    probe = load_probes("hartmoor-a")[-1]
    reading = health_to_json(
        health(
            history.events,
            parse_instant(probe.as_of),
            history.known_at[probe.known_phase],
            probe.window_days,
        )
    )
    expected = {**probe.expected, "goals": {**probe.expected["goals"]}}
    expected["goals"]["coverage"] += 2e-9
    assert compare_health_json(reading, expected) == [
        f".goals.coverage: expected {expected['goals']['coverage']!r}, "
        f"got {reading['goals']['coverage']!r}"
    ]
