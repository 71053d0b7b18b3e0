"""Per-subject timelines: the rules that judge each event as of its `occurredAt`.

Every event touches one or more subjects: a partner (whose membership it needs), a goal,
a commitment or a leadership role. A subject's timeline is its entries in `occurredAt`
order, ties in recording order (position). The history is valid when every timeline
folds without a problem; so a backdated entry is judged against what came before it,
and may not break what came after it. Appending at the end (the usual case) needs only
the timeline's tail state; inserting in the middle refolds that one timeline.

Entries are small lists, `[occurred_micros, position, kind]` plus `version` for an
endorsement, so aggregates snapshot compactly.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from accord.domain.errors import ErrorCode

Entry = list[int | str]
State = dict[str, Any]

# Entry kinds per subject.
JOIN, LEAVE, NAMED = "join", "leave", "named"  # partner
SET, REVISE, ENDORSE, REAFFIRM, RETIRE = "set", "revise", "endorse", "reaffirm", "retire"  # goal
MADE, DELIVER, RELEASE = "made", "deliver", "release"  # commitment
APPOINT, DEPART = "appoint", "depart"  # role


@dataclass(frozen=True)
class Problem:
    """Why an entry is invalid where it stands: its code, the field, and a reason."""

    code: ErrorCode
    field: str
    reason: str


def _partner(state: State, kind: str) -> Problem | None:
    active = bool(state.get("active"))
    if kind == JOIN:
        if active:
            return Problem(ErrorCode.DUPLICATE, "partnerId", "the partner is already active")
        state["active"] = True
    elif kind == LEAVE:
        if not active:
            return Problem(ErrorCode.VALIDATION, "partnerId", "the partner is not active then")
        state["active"] = False
    elif not active:
        return Problem(ErrorCode.VALIDATION, "partnerId", "the partner is not active then")
    return None


def _goal(state: State, kind: str, version: int | None) -> Problem | None:
    if kind == SET:
        state.update(set=True, retired=False, version=1)
        return None
    if not state.get("set"):
        return Problem(ErrorCode.NOT_FOUND, "goalId", "the goal was not set by then")
    if state.get("retired"):
        return Problem(ErrorCode.VALIDATION, "goalId", "the goal is retired by then")
    if kind == REVISE:
        state["version"] += 1
    elif kind == RETIRE:
        state["retired"] = True
    elif kind == ENDORSE and version != state["version"]:
        return Problem(
            ErrorCode.VALIDATION,
            "version",
            f"the goal's current version then is {state['version']}, not {version}",
        )
    return None


def _commitment(state: State, kind: str) -> Problem | None:
    if kind == MADE:
        state.update(made=True, released=False)
        return None
    if not state.get("made"):
        return Problem(ErrorCode.VALIDATION, "occurredAt", "it is dated before its commitment")
    if state.get("released"):
        return Problem(ErrorCode.VALIDATION, "commitmentId", "the commitment is released by then")
    if kind == RELEASE:
        state["released"] = True
    return None


def _role(state: State, kind: str) -> Problem | None:
    if kind == APPOINT:
        state["held"] = True
    elif not state.get("held"):
        return Problem(ErrorCode.VALIDATION, "role", "the role has no holder then")
    else:
        state["held"] = False
    return None


def step(subject: str, state: State, entry: Entry) -> Problem | None:
    """Apply one entry to a subject's state; the problem if it is invalid there."""
    kind = str(entry[2])
    if subject.startswith("partner:"):
        return _partner(state, kind)
    if subject.startswith("goal:"):
        version = int(entry[3]) if len(entry) > 3 else None
        return _goal(state, kind, version)
    if subject.startswith("commitment:"):
        return _commitment(state, kind)
    return _role(state, kind)


# Entries whose kind changes a subject's state; removing any other entry cannot make a
# later one invalid, so only these need a refold when retracted.
STATEFUL = frozenset({JOIN, LEAVE, SET, REVISE, RETIRE, MADE, RELEASE, APPOINT, DEPART})


def sort_key(entry: Entry) -> tuple[int, int]:
    return int(entry[0]), int(entry[1])


def fold(subject: str, entries: list[Entry]) -> tuple[State, Entry | None, Problem | None]:
    """Fold a whole timeline: its final state, and the first invalid entry if any."""
    state: State = {}
    for entry in entries:
        problem = step(subject, state, entry)
        if problem is not None:
            return state, entry, problem
    return state, None, None


def insertion_index(entries: list[Entry], entry: Entry) -> int:
    """Where `entry` goes in a timeline kept in (occurredAt, position) order."""
    key = sort_key(entry)
    if not entries or sort_key(entries[-1]) <= key:
        return len(entries)  # the usual case: the newest entry
    return bisect_right(entries, key, key=sort_key)


@dataclass(frozen=True)
class Removal:
    """What taking one entry out of a timeline does: where the entry is, whether it takes
    the whole timeline with it (a commitment's making takes its deliveries and release),
    and whether the subject's state may change (so the timeline needs a refold)."""

    index: int
    whole: bool
    refold: bool

    def applied_to(self, entries: list[Entry]) -> list[Entry]:
        """A copy of the timeline without the entry (the timeline itself unchanged)."""
        if self.whole:
            return []
        return [*entries[: self.index], *entries[self.index + 1 :]]

    def apply(self, entries: list[Entry]) -> None:
        """Take the entry out of the timeline, in place."""
        if self.whole:
            entries.clear()
        else:
            del entries[self.index]


def removal(entries: list[Entry], at: int, position: int) -> Removal | None:
    """What removing the entry at (at, position) does to a timeline; None when the
    timeline has no such entry."""
    index = insertion_index(entries, [at, position, ""]) - 1
    if index < 0 or int(entries[index][1]) != position:
        return None
    kind = entries[index][2]
    if kind == MADE:
        return Removal(index, whole=True, refold=True)
    return Removal(index, whole=False, refold=kind in STATEFUL)
