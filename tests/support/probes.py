"""The probes of `tests/scenarios/*.expected.json`, and the one loop that checks a
health against them.

Each probe asks for every health figure of a scenario at an instant (`asOf`), as known
after phase 1 or phase 2 (`knownPhase`), over a window (`windowDays`). The expected
figures are keyed (per-partner lists by partner id, per-kind lists by kind, ...);
`to_expected_shape` maps API.md's `health` JSON to that shape, so any suite (pure,
storage, command line, API) can compare its health with a probe.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.scenarios import SCENARIOS

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Probe:
    scenario: str
    index: int
    as_of: str
    known_phase: int
    window_days: int
    expected: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.scenario}-{self.index}-{self.as_of[:10]}-k{self.known_phase}"

    def mismatches(self, health_json: Mapping[str, Any]) -> list[str]:
        """Every figure of an API-shaped `health` JSON that differs from this probe's."""
        return [
            f"{self.label}: {problem}"
            for problem in compare_health_json(health_json, self.expected)
        ]


def load_probes(name: str, phases: Collection[int] = (1, 2)) -> list[Probe]:
    """The probes of scenario `name` asking as known after one of `phases`."""
    raw: list[dict[str, Any]] = json.loads((SCENARIOS / f"{name}.expected.json").read_text())
    probes = [
        Probe(
            name,
            index,
            probe["asOf"],
            int(probe["knownPhase"]),
            int(probe["windowDays"]),
            probe["expected"],
        )
        for index, probe in enumerate(raw)
    ]
    return [probe for probe in probes if probe.known_phase in phases]


def check_probes(
    name: str,
    read: Callable[[Probe], Mapping[str, Any]],
    phases: Collection[int] = (1, 2),
) -> list[tuple[Probe, Mapping[str, Any]]]:
    """Read the health of every probe of scenario `name` (of `phases`) with `read`, and
    fail the test with every figure that differs; each probe with its reading, for more
    checks."""
    probes = load_probes(name, phases)
    assert probes, f"{name} has no probes as known after phase {sorted(phases)}"
    readings = [(probe, read(probe)) for probe in probes]
    mismatches = [problem for probe, health in readings for problem in probe.mismatches(health)]
    assert mismatches == []
    return readings


def to_expected_shape(health_json: Mapping[str, Any]) -> dict[str, Any]:
    """API.md's `health` JSON in the probes' shape: per-partner lists keyed by partner
    id, per-kind lists by kind, roles as role -> person (null when vacant), answers as
    question -> status, and `active` the partners the shares cover."""
    power, trust, capacity = health_json["power"], health_json["trust"], health_json["capacity"]
    return {
        "active": [share["partner"]["id"] for share in power["shares"]],
        "power": {
            **{key: value for key, value in power.items() if key != "shares"},
            "shares": {
                share["partner"]["id"]: {
                    key: value for key, value in share.items() if key != "partner"
                }
                for share in power["shares"]
            },
        },
        "trust": {
            **{
                key: value
                for key, value in trust.items()
                if key not in ("reliability", "latestRound")  # the scenarios have no rounds
            },
            "reliability": {
                entry["partner"]["id"]: {
                    key: value for key, value in entry.items() if key != "partner"
                }
                for entry in trust["reliability"]
            },
        },
        "capacity": {
            "fulfilment": {entry["kind"]: entry["value"] for entry in capacity["fulfilment"]},
            "outstanding": {entry["kind"]: entry["value"] for entry in capacity["outstanding"]},
            "vacantRoles": capacity["vacantRoles"],
            "longestVacancyDays": capacity["longestVacancyDays"],
            "leadershipChanges": capacity["leadershipChanges"],
            "roles": {
                role["role"]: None if role["vacant"] else role["person"]
                for role in capacity["roles"]
            },
        },
        "goals": dict(health_json["goals"]),
        "check": {
            "classification": health_json["check"]["classification"],
            "answers": {
                answer["question"]: answer["status"] for answer in health_json["check"]["answers"]
            },
        },
    }


def compare_health_json(
    actual_health_json: Mapping[str, Any],
    expected: Mapping[str, Any],
    tolerance: float = TOLERANCE,
) -> list[str]:
    """Every difference between an API-shaped `health` JSON and a probe's `expected`
    (numbers within `tolerance`), as `path: expected X, got Y`; empty when they agree."""
    mismatches: list[str] = []
    _compare(to_expected_shape(actual_health_json), expected, "", tolerance, mismatches)
    return mismatches


def _compare(actual: Any, expected: Any, path: str, tolerance: float, out: list[str]) -> None:
    where = path or "."
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            out.append(f"{where}: expected an object, got {actual!r}")
            return
        for key in expected.keys() - actual.keys():
            out.append(f"{path}.{key}: missing (expected {expected[key]!r})")
        for key in actual.keys() - expected.keys():
            out.append(f"{path}.{key}: unexpected (got {actual[key]!r})")
        for key in expected.keys() & actual.keys():
            _compare(actual[key], expected[key], f"{path}.{key}", tolerance, out)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            out.append(f"{where}: expected {expected!r}, got {actual!r}")
            return
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            _compare(got, want, f"{path}.{index}", tolerance, out)
    elif isinstance(expected, bool) or isinstance(actual, bool):
        if actual is not expected:
            out.append(f"{where}: expected {expected!r}, got {actual!r}")
    elif isinstance(expected, int | float) and isinstance(actual, int | float):
        if not math.isclose(actual, expected, rel_tol=0.0, abs_tol=tolerance):
            out.append(f"{where}: expected {expected!r}, got {actual!r}")
    elif actual != expected:
        out.append(f"{where}: expected {expected!r}, got {actual!r}")
