"""Deterministic generator of valid partnership histories in the `scenarios/` steps format.

    python -m bench.generate --events 100000 --seed 1 -o history.json

`generate_history(events, seed)` returns `{"name", "steps": [{"mutation", "input",
"phase"}]}` with exactly `events` steps (for `events >= 1`), the first being
`formPartnership`. Every step names only partners active at its `occurredAt`, uses fresh
ids, matching units, endorses the goal's current version, never touches a retired goal,
delivers or releases only unreleased commitments after they were made, departs only
from held roles, and agrees risk shares summing to 1 over active partners (API.md,
Validation). Retractions (`"eventRef": N`) only ever target decisions.

`occurredAt` is strictly increasing in recording order, unless `shuffle_recording=True`:
then some decisions and check-ins that name only the permanent partners (the first
three, who join at formation and never leave) are recorded later than their
`occurredAt` would place them (backdated), which is valid whenever they are recorded.

A history spans `span_days` (default `min(5 years, max(180, 7 * events))` days) from
`start`, so 100,000 events from the default start end in early 2025, several a day.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

__all__ = ["generate_history", "main"]

SECTORS = (
    "NHS_TRUST",
    "LOCAL_AUTHORITY",
    "PRIMARY_CARE",
    "VOLUNTARY_SECTOR",
    "ACADEMIC",
    "PRIVATE",
    "OTHER",
)
SECTOR_NAMES = {
    "NHS_TRUST": ("{} Hospitals NHS Foundation Trust", "{} Community Health NHS Trust"),
    "LOCAL_AUTHORITY": ("{} County Council", "{} Borough Council"),
    "PRIMARY_CARE": ("{} GP Federation", "{} Primary Care Network"),
    "VOLUNTARY_SECTOR": ("{} Carers' Centre", "Age Concern {}"),
    "ACADEMIC": ("University of {}", "{} Institute of Health Research"),
    "PRIVATE": ("{} Home Care Ltd", "{} Care Homes Group"),
    "OTHER": ("{} Housing Association", "{} Fire and Rescue Service"),
}
PLACES = (
    "Ashdown",
    "Brackenford",
    "Calder",
    "Dunmere",
    "Eastholme",
    "Fernley",
    "Greywater",
    "Harrowgate",
    "Ivybridge",
    "Kestrel Vale",
    "Langmoor",
    "Marshfield",
)
FIRST_NAMES = (
    "Alex",
    "Amira",
    "Ben",
    "Chloe",
    "David",
    "Esther",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Joanna",
    "Kwame",
    "Laura",
    "Mohammed",
    "Niamh",
    "Owen",
    "Priya",
    "Ruth",
    "Sam",
    "Tariq",
)
SURNAMES = (
    "Adeyemi",
    "Bell",
    "Chen",
    "Davies",
    "Evans",
    "Fraser",
    "Gupta",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kaur",
    "Lewis",
    "Morgan",
    "Novak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Walsh",
)
ROLES = ("Chair", "Senior Responsible Owner", "Programme Director", "Clinical Lead")
CATEGORIES = ("STRATEGY", "GOVERNANCE", "DELIVERY", "RESOURCING")
CATEGORY_CUMULATIVE = list(itertools.accumulate((2, 2, 4, 2)))
METHODS = ("CONSENSUS", "VOTE", "SINGLE_PARTNER", "DELEGATED")
METHOD_CUMULATIVE = list(itertools.accumulate((9, 4, 4, 3)))
SIGNIFICANCES = (1, 2, 3)
SIGNIFICANCE_CUMULATIVE = list(itertools.accumulate((6, 3, 1)))
TOPICS = (
    "discharge hub",
    "reablement service",
    "carers' support offer",
    "frailty MDT",
    "virtual ward",
    "falls prevention",
    "step-down beds",
    "shared care record",
    "winter plan",
    "pooled budget",
)
VERBS = {
    "STRATEGY": ("Set the direction for the", "Refocus the", "Agree outcomes for the"),
    "GOVERNANCE": ("Agree terms of reference for the", "Set reporting for the", "Review the"),
    "DELIVERY": ("Extend the", "Pilot changes to the", "Roll out the"),
    "RESOURCING": ("Fund the", "Staff the", "Reallocate budget to the"),
}
UNITS = {"FUNDING": "GBP", "STAFF": "FTE_MONTHS", "IN_KIND": "DAYS"}
KINDS = ("FUNDING", "STAFF", "IN_KIND")
KIND_CUMULATIVE = list(itertools.accumulate((4, 3, 3)))
PERMANENT = 3  # the first partners join at formation and never leave

# Relative weights of the actions drawn after the opening steps.
ACTIONS = (
    ("decision", 28),
    ("checkin", 22),
    ("commitment", 10),
    ("delivery", 13),
    ("release", 2),
    ("endorse", 8),
    ("set_goal", 1.5),
    ("revise_goal", 0.8),
    ("reaffirm_goal", 0.8),
    ("retire_goal", 0.4),
    ("appoint", 3),
    ("depart", 2),
    ("risk_shares", 1),
    ("leave", 0.5),
    ("join", 0.6),
    ("retract", 0.4),
)
# Structural events happen at most about once per this many days, however dense the
# history: a 100,000-event history over five years has a dozen leavers, not hundreds.
AT_MOST_EVERY_DAYS = {
    "set_goal": 90,
    "revise_goal": 120,
    "reaffirm_goal": 120,
    "retire_goal": 200,
    "appoint": 45,
    "depart": 60,
    "risk_shares": 180,
    "leave": 150,
    "join": 120,
}


def _parse_start(start: str) -> datetime:
    if len(start) == 10:
        return datetime.fromisoformat(start).replace(hour=9, tzinfo=UTC)
    moment = datetime.fromisoformat(start)
    if moment.tzinfo is None:
        raise ValueError("start needs an offset, or is a bare date")
    return moment.astimezone(UTC)


class _Generator:
    def __init__(
        self, events: int, seed: int, start: str, partners: int, span_days: float | None
    ) -> None:
        if partners < 2:
            raise ValueError("a partnership needs at least 2 partners")
        self.events = events
        self.rng = random.Random(seed)
        self.seed = seed
        self.start = _parse_start(start)
        if span_days is None:
            span_days = min(5 * 365, max(180, 7 * events))
        self.mean_gap = max(1.0, span_days * 86_400 / max(events, 1))
        self.seconds = 0  # since start
        midnight = self.start.replace(hour=0, minute=0, second=0, microsecond=0)
        self.start_day = midnight.date()
        self.start_offset = int((self.start - midnight).total_seconds())
        self.day = -1
        self.opening = True
        self.day_text = ""
        self.steps: list[dict[str, Any]] = []
        rng = self.rng
        # The pool: `partners` founders plus a few who may join later.
        self.pool: list[tuple[str, str, str]] = []
        for i in range(partners + max(2, partners // 2)):
            sector = SECTORS[i % len(SECTORS)]
            place = PLACES[(i + seed) % len(PLACES)]
            name = rng.choice(SECTOR_NAMES[sector]).format(place)
            self.pool.append((f"p{i:02d}", name, sector))
        self.founders = partners
        self.active: list[str] = []
        self.active_set: set[str] = set()
        self.inactive: list[str] = []  # joinable: left, or never joined (not founders)
        self.goals: list[dict[str, Any]] = []  # active goals
        self.open: list[dict[str, Any]] = []  # unreleased, not fully delivered
        self.holders: dict[str, str | None] = {}
        self.decision_steps: list[int] = []
        self.retraction_targets: set[int] = set()
        self.counter = 0
        self.leaning = {pid: rng.uniform(-0.8, 0.8) for pid, _, _ in self.pool}

    # -- helpers -------------------------------------------------------------------
    def _tick(self) -> str:
        if self.opening:  # formation at `start`, then the founders an hour apart
            self.seconds += 3600 if self.steps else 0
        else:
            self.seconds += max(1, int(self.mean_gap * (0.3 + 1.4 * self.rng.random())))
        return self._format(self.seconds)

    def _format(self, seconds: int) -> str:
        """`start + seconds` as `2020-01-06T09:00:00+00:00`, the date part cached."""
        day, rest = divmod(seconds + self.start_offset, 86_400)
        if day != self.day:
            self.day = day
            self.day_text = (self.start_day + timedelta(days=day)).isoformat()
        hours, rest = divmod(rest, 3600)
        return f"{self.day_text}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}+00:00"

    def _pick(self, items: tuple[Any, ...], cumulative: Sequence[float]) -> Any:
        """`rng.choices(items, cum_weights=cumulative)[0]`, faster."""
        return items[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def _emit(self, mutation: str, data: dict[str, Any], **extra: Any) -> int:
        data["occurredAt"] = self._tick()
        step: dict[str, Any] = {"mutation": mutation, "input": data, "phase": 1}
        step.update(extra)
        self.steps.append(step)
        return len(self.steps) - 1

    def _person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"

    def _score(self, pid: str) -> int:
        value = 3.6 + self.leaning[pid] + 2.8 * (self.rng.random() - 0.5)
        return min(5, max(1, round(value)))

    # -- actions -------------------------------------------------------------------
    def form(self) -> None:
        self._emit(
            "formPartnership",
            {
                "name": f"Generated Partnership {self.seed}",
                "purpose": "Join up hospital discharge, community care and carers' support",
            },
        )

    def join(self, pid: str | None = None) -> bool:
        if pid is None:
            if not self.inactive:
                return False
            pid = self.inactive.pop(self.rng.randrange(len(self.inactive)))
        _, name, sector = self.pool[int(pid[1:])]
        self._emit("joinPartner", {"partnerId": pid, "name": name, "sector": sector})
        self.active.append(pid)
        self.active_set.add(pid)
        return True

    def leave(self) -> bool:
        leavers = [p for p in self.active if int(p[1:]) >= PERMANENT]
        if len(self.active) <= 3 or not leavers:
            return False
        pid = self.rng.choice(leavers)
        reason = self.rng.choice(
            ("Funding ended", "Merged into another organisation", "Priorities changed", None)
        )
        data: dict[str, Any] = {"partnerId": pid}
        if reason:
            data["reason"] = reason
        self._emit("recordPartnerLeaving", data)
        self.active.remove(pid)
        self.active_set.discard(pid)
        self.inactive.append(pid)
        return True

    def set_goal(self) -> bool:
        if len(self.goals) >= 5:
            return False
        gid = self._new_id("g")
        topic = self.rng.choice(TOPICS)
        self._emit("setGoal", {"goalId": gid, "statement": f"Improve the {topic} for residents"})
        self.goals.append({"id": gid, "version": 1, "endorsed": set(), "topic": topic})
        return True

    def endorse(self) -> bool:
        if not self.goals:
            return False
        goal = self.rng.choice(self.goals)
        waiting = [p for p in self.active if p not in goal["endorsed"]]
        if not waiting:
            if self.rng.random() < 0.8:
                return False
            waiting = self.active
        pid = self.rng.choice(waiting)
        rating = min(5, max(1, round(3.8 + self.leaning[pid] + 2.4 * (self.rng.random() - 0.5))))
        self._emit(
            "endorseGoal",
            {"goalId": goal["id"], "partnerId": pid, "version": goal["version"], "rating": rating},
        )
        goal["endorsed"].add(pid)
        return True

    def revise_goal(self) -> bool:
        if not self.goals:
            return False
        goal = self.rng.choice(self.goals)
        goal["version"] += 1
        goal["endorsed"] = set()
        self._emit(
            "reviseGoal",
            {
                "goalId": goal["id"],
                "statement": f"Improve the {goal['topic']} (version {goal['version']})",
                "reason": self.rng.choice(("Annual review", "New national guidance", "Target met")),
            },
        )
        return True

    def reaffirm_goal(self) -> bool:
        if not self.goals:
            return False
        data: dict[str, Any] = {"goalId": self.rng.choice(self.goals)["id"]}
        if self.rng.random() < 0.7:
            data["note"] = "Board reaffirmed the goal"
        self._emit("reaffirmGoal", data)
        return True

    def retire_goal(self) -> bool:
        if len(self.goals) < 2:
            return False
        goal = self.goals.pop(self.rng.randrange(len(self.goals)))
        self._emit("retireGoal", {"goalId": goal["id"], "reason": "Achieved or handed over"})
        return True

    def decision(self) -> bool:
        rng = self.rng
        active = self.active
        n = len(active)
        method = self._pick(METHODS, METHOD_CUMULATIVE)
        if method == "CONSENSUS":
            deciders = rng.sample(active, rng.randint(max(1, n - 2), n))
        elif method == "VOTE":
            deciders = rng.sample(active, max(1, n // 2 + 1))
        elif method == "SINGLE_PARTNER":
            deciders = [rng.choice(active)]
        else:
            deciders = rng.sample(active, min(n, rng.randint(1, 2)))
        others = [p for p in active if p not in deciders]
        rng.shuffle(others)
        consulted = others[: rng.randint(0, len(others))]
        rest = others[len(consulted) :]
        dissent = rest[: rng.randint(0, min(2, len(rest)))] if rng.random() < 0.25 else []
        category = self._pick(CATEGORIES, CATEGORY_CUMULATIVE)
        topic = rng.choice(TOPICS)
        data: dict[str, Any] = {
            "decisionId": self._new_id("d"),
            "title": f"{rng.choice(VERBS[category])} {topic}",
            "category": category,
            "significance": self._pick(SIGNIFICANCES, SIGNIFICANCE_CUMULATIVE),
            "method": method,
            "decidedBy": deciders,
            "consulted": consulted,
        }
        if dissent:
            data["dissentedBy"] = dissent
        if rng.random() < 0.85:
            data["rationale"] = f"Agreed at the partnership board after discussing the {topic}"
        self.decision_steps.append(self._emit("recordDecision", data))
        return True

    def commitment(self) -> bool:
        rng = self.rng
        pid = rng.choice(self.active)
        kind = self._pick(KINDS, KIND_CUMULATIVE)
        if kind == "FUNDING":
            quantity: float = rng.randint(10, 5000) * 100
        elif kind == "STAFF":
            quantity = rng.randint(1, 48) / 2
        else:
            quantity = rng.randint(1, 60)
        due = self._format(self.seconds + rng.randint(30, 365) * 86_400 + rng.randint(0, 8) * 3600)
        cid = self._new_id("c")
        data: dict[str, Any] = {
            "commitmentId": cid,
            "partnerId": pid,
            "kind": kind,
            "quantity": quantity,
            "dueAt": due,
        }
        if rng.random() < 0.8:
            data["unit"] = UNITS[kind]
        if rng.random() < 0.5:
            data["description"] = f"{kind.replace('_', '-').lower()} for the {rng.choice(TOPICS)}"
        self._emit("makeCommitment", data)
        self.open.append({"id": cid, "remaining": quantity, "kind": kind})
        return True

    def _take_open(self) -> dict[str, Any] | None:
        if not self.open:
            return None
        i = self.rng.randrange(len(self.open))
        self.open[i], self.open[-1] = self.open[-1], self.open[i]
        return self.open[-1]

    def delivery(self) -> bool:
        c = self._take_open()
        if c is None:
            return False
        if self.rng.random() < 0.55:
            quantity = c["remaining"]
        else:
            quantity = c["remaining"] * self.rng.choice((0.25, 0.5, 0.75))
            if c["kind"] == "FUNDING":
                quantity = float(round(quantity))
            quantity = round(quantity, 2) or c["remaining"]
        c["remaining"] = round(c["remaining"] - quantity, 6)
        self._emit("recordDelivery", {"commitmentId": c["id"], "quantity": quantity})
        if c["remaining"] <= 0:
            self.open.pop()
        return True

    def release(self) -> bool:
        c = self._take_open()
        if c is None:
            return False
        self.open.pop()
        by_agreement = self.rng.random() < 0.6
        reason = "Priorities changed by agreement" if by_agreement else "Could not be resourced"
        self._emit(
            "releaseCommitment",
            {"commitmentId": c["id"], "byAgreement": by_agreement, "reason": reason},
        )
        return True

    def appoint(self) -> bool:
        role = self.rng.choice(ROLES)
        pid = self.rng.choice(self.active)
        self._emit("appointLeader", {"role": role, "partnerId": pid, "person": self._person()})
        self.holders[role] = pid
        return True

    def depart(self) -> bool:
        held = [role for role, holder in self.holders.items() if holder is not None]
        if not held:
            return False
        role = self.rng.choice(held)
        data: dict[str, Any] = {"role": role}
        if self.rng.random() < 0.7:
            data["reason"] = self.rng.choice(("Retired", "New post elsewhere", "End of term"))
        self._emit("recordLeaderDeparture", data)
        self.holders[role] = None
        return True

    def checkin(self) -> bool:
        rng = self.rng
        respondent = rng.choice(self.active)
        data: dict[str, Any] = {"respondentId": respondent}
        if rng.random() < 0.5:
            about = rng.choice(self.active)
            if about != respondent:
                data["aboutId"] = about
        for item in ("reliability", "openness", "respect", "sharedOwnership"):
            data[item] = self._score(respondent)
        if rng.random() < 0.15:
            data["note"] = "Quarterly check-in"
        self._emit("recordTrustCheckIn", data)
        return True

    def risk_shares(self) -> bool:
        weights = [self.rng.randint(1, 10) for _ in self.active]
        total = sum(weights)
        shares = [
            {"partnerId": pid, "share": w / total}
            for pid, w in sorted(zip(self.active, weights, strict=True))
        ]
        self._emit("agreeRiskShares", {"shares": shares})
        return True

    def retract(self) -> bool:
        candidates = self.decision_steps
        if not candidates:
            return False
        target = candidates.pop(self.rng.randrange(len(candidates)))
        self.retraction_targets.add(target)
        self._emit(
            "retractEntry",
            {"reason": "Recorded in error"},
            eventRef=target,
        )
        return True

    # -- driver ----------------------------------------------------------------------
    def run(self) -> list[dict[str, Any]]:
        opening: list[Callable[[], object]] = [self.form]
        opening += [partial(self.join, f"p{i:02d}") for i in range(self.founders)]
        opening += [self.set_goal, self.set_goal]
        opening += [partial(self._appoint_role, "Chair"), self.risk_shares]
        self.inactive = [pid for pid, _, _ in self.pool[self.founders :]]
        for action in opening:
            if len(self.steps) >= self.events:
                return self.steps
            action()
        self.opening = False
        names = [name for name, _ in ACTIONS]
        total = sum(w for _, w in ACTIONS)
        gap_days = self.mean_gap / 86_400
        weights = [
            min(w, total * gap_days / AT_MOST_EVERY_DAYS[name]) if name in AT_MOST_EVERY_DAYS else w
            for name, w in ACTIONS
        ]
        table = {name: getattr(self, name) for name in names}
        batch: list[str] = []
        while len(self.steps) < self.events:
            if not batch:
                batch = self.rng.choices(names, weights, k=1024)
            name = batch.pop()
            if not table[name]():
                (self.decision if self.rng.random() < 0.55 else self.checkin)()
        return self.steps

    def _appoint_role(self, role: str) -> bool:
        pid = self.active[0]
        self._emit("appointLeader", {"role": role, "partnerId": pid, "person": self._person()})
        self.holders[role] = pid
        return True

    def backdate(self, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Record some decisions and check-ins naming only permanent partners later than
        their occurredAt (so they are backdated), and renumber the eventRefs."""
        permanent = {f"p{i:02d}" for i in range(min(PERMANENT, self.founders))}
        movable = []
        for i, step in enumerate(steps):
            if i in self.retraction_targets:
                continue
            data = step["input"]
            if step["mutation"] == "recordDecision":
                named = data["decidedBy"] + data["consulted"] + data.get("dissentedBy", [])
            elif step["mutation"] == "recordTrustCheckIn":
                named = [data["respondentId"], data.get("aboutId", data["respondentId"])]
            else:
                continue
            if set(named) <= permanent:
                movable.append(i)
        n = len(steps)
        keys = [(i, 0) for i in range(n)]
        if movable:
            chosen = self.rng.sample(movable, max(1, len(movable) // 5))
            for i in chosen:
                keys[i] = (min(n - 1, i + self.rng.randint(1, max(3, n // 4))), 1)
        order = sorted(range(n), key=lambda i: keys[i])
        new_index = {old: new for new, old in enumerate(order)}
        result = []
        for old in order:
            step = steps[old]
            if "eventRef" in step:
                step = {**step, "eventRef": new_index[step["eventRef"]]}
            result.append(step)
        return result


def generate_history(
    events: int,
    seed: int = 0,
    start: str = "2020-01-06",
    partners: int = 6,
    *,
    shuffle_recording: bool = False,
    span_days: float | None = None,
) -> dict[str, Any]:
    """A valid history of `events` steps (see the module docstring)."""
    generator = _Generator(events, seed, start, partners, span_days)
    steps = generator.run()
    if shuffle_recording:
        steps = generator.backdate(steps)
    name = f"generated-{events}-seed{seed}" + ("-shuffled" if shuffle_recording else "")
    return {"name": name, "steps": steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description="Generate a valid partnership history."
    )
    parser.add_argument("--events", type=int, default=1000, help="number of steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", default="2020-01-06", help="formation date (or instant)")
    parser.add_argument("--partners", type=int, default=6, help="founding partners")
    parser.add_argument("--span-days", type=float, default=None, help="days the history spans")
    parser.add_argument(
        "--shuffle-recording", action="store_true", help="record some steps backdated"
    )
    parser.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    parser.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    args = parser.parse_args(argv)
    history = generate_history(
        args.events,
        seed=args.seed,
        start=args.start,
        partners=args.partners,
        shuffle_recording=args.shuffle_recording,
        span_days=args.span_days,
    )
    if args.output == "-":
        sys.stdout.write(json.dumps(history, indent=args.indent))
        sys.stdout.write("\n")
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(json.dumps(history, indent=args.indent))
            out.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
