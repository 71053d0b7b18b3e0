"""A deliberately naive reading of METRICS.md, to check the indexed implementation.

Everything is recomputed from the visible events for each reading, with plain float
arithmetic and no indexes: slow and simple, so the fast implementation can be compared
with it on many generated histories. The result has the probes' keyed shape
(`tests/scenarios/*.expected.json`), so `compare_health_json` applies.
"""

from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta
from typing import Any

from accord.domain.instants import parse_instant
from accord.projections.records import IndexedEvent

KINDS = ("FUNDING", "STAFF", "IN_KIND")


def _r(value: float) -> float:
    return round(value, 9)


def _ge(value: float | None, threshold: float) -> bool:
    return value is not None and _r(value) >= threshold


def _lt(value: float | None, threshold: float) -> bool:
    return value is not None and _r(value) < threshold


def _gt(value: float | None, threshold: float) -> bool:
    return value is not None and _r(value) > threshold


def _days(span: timedelta) -> float:
    return span.total_seconds() / 86400


class Reading:
    def __init__(
        self, events: list[IndexedEvent], t: datetime, k: datetime, window_days: int
    ) -> None:
        self.events, self.t, self.k, self.window_days = events, t, k, window_days
        self.start = t - timedelta(days=window_days)
        gone = {e.event_id for e in events if e.retracted_at is not None and e.retracted_at <= k}
        dead = {
            e.data["commitmentId"]
            for e in events
            if e.type == "COMMITMENT_MADE" and e.event_id in gone and e.recorded_at <= k
        }
        seen = [
            e
            for e in events
            if e.recorded_at <= k
            and e.occurred_at <= t
            and e.event_id not in gone
            and e.type != "ENTRY_RETRACTED"
            and not (
                e.type in ("COMMITMENT_DELIVERED", "COMMITMENT_RELEASED")
                and e.data["commitmentId"] in dead
            )
        ]
        self.seen = sorted(seen, key=lambda e: (e.occurred_at, e.position))
        status: dict[str, bool] = {}
        for e in self.seen:
            if e.type == "PARTNER_JOINED":
                status[e.data["partnerId"]] = True
            elif e.type == "PARTNER_LEFT":
                status[e.data["partnerId"]] = False
        self.active = sorted(p for p, on in status.items() if on)
        self.made = {e.data["commitmentId"]: e for e in self.seen if e.type == "COMMITMENT_MADE"}

    def in_window(self, moment: datetime) -> bool:
        return self.start < moment <= self.t

    def of(self, kind: str) -> list[IndexedEvent]:
        return [e for e in self.seen if e.type == kind]

    # -- power ---------------------------------------------------------------------------
    def power(self) -> dict[str, Any]:
        decisions = [e for e in self.of("DECISION_RECORDED") if self.in_window(e.occurred_at)]
        count = len(decisions)
        credit = dict.fromkeys(self.active, 0.0)
        for d in decisions:
            for p in d.data["decidedBy"]:
                if p in credit:
                    credit[p] += d.data["significance"] / len(d.data["decidedBy"])
        total = sum(credit.values())
        share = {p: credit[p] / total if total else 0.0 for p in self.active}
        n = len(self.active)
        equality = None
        if count >= 5 and n >= 2 and total != 0:
            spread = sum(abs(share[i] - share[j]) for i in self.active for j in self.active)
            equality = 1 - spread / (2 * (n - 1))
        contribution, funding = self.contributions()
        risk = self.risk()
        equity = None
        if equality is not None and contribution is not None:
            gaps = 0.0
            for p in self.active:
                owed = contribution[p] if risk is None else (contribution[p] + risk[p]) / 2
                gaps += abs(share[p] - owed)
            equity = 1 - 0.5 * gaps

        def part(test: Any) -> float | None:
            return sum(1 for d in decisions if test(d.data)) / count if count else None

        self.funding, self.share = funding, share
        self.governance = part(lambda data: data["category"] == "GOVERNANCE")
        return {
            "decisionCount": count,
            "equality": equality,
            "equity": equity,
            "transparency": part(lambda data: bool((data["rationale"] or "").strip())),
            "consensusRate": part(lambda data: data["method"] == "CONSENSUS"),
            "governanceShare": self.governance,
            "shares": {
                p: {
                    "decisionShare": share[p],
                    "contributionShare": None if contribution is None else contribution[p],
                    "riskShare": None if risk is None else risk[p],
                }
                for p in self.active
            },
        }

    def contributions(self) -> tuple[dict[str, float] | None, dict[str, float] | None]:
        by_kind: dict[str, dict[str, float]] = {}
        for e in self.of("COMMITMENT_DELIVERED"):
            made = self.made.get(e.data["commitmentId"])
            if made is None or not self.in_window(e.occurred_at):
                continue
            partner = made.data["partnerId"]
            if partner in self.active:
                kind = by_kind.setdefault(made.data["kind"], dict.fromkeys(self.active, 0.0))
                kind[partner] += e.data["quantity"]
        kinds = {kind: amounts for kind, amounts in by_kind.items() if sum(amounts.values())}
        if not kinds:
            return None, None
        shares = {
            p: sum(amounts[p] / sum(amounts.values()) for amounts in kinds.values()) / len(kinds)
            for p in self.active
        }
        funding = None
        if "FUNDING" in kinds:
            amounts = kinds["FUNDING"]
            funding = {p: amounts[p] / sum(amounts.values()) for p in self.active}
        return shares, funding

    def risk(self) -> dict[str, float] | None:
        agreements = self.of("RISK_SHARES_AGREED")
        if not agreements:
            return None
        agreed = {s["partnerId"]: s["share"] for s in agreements[-1].data["shares"]}
        shares = {p: agreed.get(p, 0.0) for p in self.active}
        total = sum(shares.values())
        return {p: s / total for p, s in shares.items()} if total else None

    # -- trust ---------------------------------------------------------------------------
    def scores(self) -> dict[tuple[str, str | None], float]:
        latest: dict[tuple[str, str | None], float] = {}
        for e in self.of("TRUST_CHECK_IN_RECORDED"):
            if e.occurred_at <= self.t - timedelta(days=180):
                continue
            d = e.data
            items = (d["reliability"], d["openness"], d["respect"], d["sharedOwnership"])
            latest[(d["respondentId"], d["aboutId"])] = sum((x - 1) / 4 for x in items) / 4
        return {
            (r, a): s
            for (r, a), s in latest.items()
            if r in self.active and (a is None or a in self.active)
        }

    def latest_round(self) -> dict[str, Any] | None:
        """The latest check-in round closed in the window (not in the probes' shape: the
        API's `health` has no such field yet), response figures summed over partners."""
        closed = [e for e in self.of("CHECK_IN_ROUND_CLOSED") if self.in_window(e.occurred_at)]
        if not closed:
            return None
        last = closed[-1]
        invited = sum(p["invited"] for p in last.data["partners"])
        answered = sum(p["answered"] for p in last.data["partners"])
        return {
            "roundId": last.data["roundId"],
            "closedAt": last.occurred_at,
            "invited": invited,
            "answered": answered,
            "responseRate": answered / invited if invited else None,
        }

    def perceived(self) -> tuple[float | None, int]:
        scores = self.scores()
        respondents = len({r for r, _ in scores})
        if not scores or respondents < math.ceil(2 * len(self.active) / 3):
            return None, respondents
        return sum(scores.values()) / len(scores), respondents

    def outcome(self, made: IndexedEvent) -> str | None:
        cid, q = made.data["commitmentId"], made.data["quantity"]
        due = parse_instant(made.data["dueAt"])
        if not (self.in_window(due) and due <= self.t):
            return None
        releases = [e for e in self.of("COMMITMENT_RELEASED") if e.data["commitmentId"] == cid]
        if releases and releases[0].data["byAgreement"]:
            return None
        deadline = due + timedelta(days=14)
        delivered = sum(
            e.data["quantity"]
            for e in self.of("COMMITMENT_DELIVERED")
            if e.data["commitmentId"] == cid and e.occurred_at <= min(self.t, deadline)
        )
        if _r(delivered) >= _r(q):
            return "kept"
        if releases or deadline <= self.t:
            return "broken"
        return None

    def trust(self) -> dict[str, Any]:
        perceived, respondents = self.perceived()
        scores = self.scores()
        gaps = [
            abs(s - scores[(a, r)])
            for (r, a), s in scores.items()
            if a is not None and (a, r) in scores
        ]
        tally = {p: {"kept": 0, "broken": 0} for p in self.active}
        for made in self.made.values():
            result = self.outcome(made)
            if result and made.data["partnerId"] in tally:
                tally[made.data["partnerId"]][result] += 1
        reliability = {
            p: {**c, "reliability": (c["kept"] + 1) / (c["kept"] + c["broken"] + 2)}
            for p, c in tally.items()
        }
        evidenced = [r["reliability"] for r in reliability.values() if r["kept"] + r["broken"]]
        mean = sum(evidenced) / len(evidenced) if evidenced else None
        present = [x for x in (perceived, mean) if x is not None]
        before, _ = Reading(
            self.events, self.t - timedelta(days=180), self.k, self.window_days
        ).perceived()
        signal = (
            _ge(self.governance, 0.5)
            and perceived is not None
            and before is not None
            and _ge(before - perceived, 0.1)
        )
        return {
            "index": sum(present) / len(present) if present else None,
            "perceived": perceived,
            "respondents": respondents,
            "reciprocityGap": max(gaps) if gaps else None,
            "reliabilityMean": mean,
            "reliabilityMin": min(evidenced) if evidenced else None,
            "bureaucracySignal": signal,
            "reliability": reliability,
        }

    # -- capacity ------------------------------------------------------------------------
    def capacity(self) -> dict[str, Any]:
        got: dict[str, float] = {}
        wanted: dict[str, float] = {}
        owed: dict[str, float] = {}
        for cid, made in self.made.items():
            q, kind = made.data["quantity"], made.data["kind"]
            due = parse_instant(made.data["dueAt"])
            delivered = sum(
                e.data["quantity"]
                for e in self.of("COMMITMENT_DELIVERED")
                if e.data["commitmentId"] == cid
            )
            releases = [e for e in self.of("COMMITMENT_RELEASED") if e.data["commitmentId"] == cid]
            if self.in_window(due) and not (releases and releases[0].data["byAgreement"]):
                got[kind] = got.get(kind, 0.0) + min(delivered, q)
                wanted[kind] = wanted.get(kind, 0.0) + q
            if due > self.t and not releases:
                owed[kind] = owed.get(kind, 0.0) + max(0.0, q - delivered)
        holders: dict[str, str | None] = {}
        vacated: dict[str, datetime] = {}
        changes = 0
        for e in self.seen:
            role = str(e.data.get("role"))
            if e.type == "LEADER_APPOINTED":
                if role in holders and self.in_window(e.occurred_at):
                    changes += 1
                holders[role] = e.data["person"]
            elif e.type == "LEADER_DEPARTED" and holders.get(role) is not None:
                holders[role] = None
                vacated[role] = e.occurred_at
        vacancies = [_days(self.t - vacated[r]) for r, person in holders.items() if person is None]
        return {
            "fulfilment": {k: got[k] / wanted[k] for k in KINDS if k in wanted},
            "outstanding": {k: owed[k] for k in KINDS if k in owed},
            "vacantRoles": len(vacancies),
            "longestVacancyDays": max(vacancies) if vacancies else None,
            "leadershipChanges": changes,
            "roles": holders,
        }

    # -- goals ---------------------------------------------------------------------------
    def goals(self) -> dict[str, Any]:
        version: dict[str, int] = {}
        retired: set[str] = set()
        latest: dict[str, dict[str, tuple[int, int]]] = {}
        touched: datetime | None = None
        revisions = 0
        for e in self.seen:
            d = e.data
            if e.type == "GOAL_SET":
                version[d["goalId"]] = 1
            elif e.type == "GOAL_REVISED":
                version[d["goalId"]] += 1
                revisions += self.in_window(e.occurred_at)
            elif e.type == "GOAL_RETIRED":
                retired.add(d["goalId"])
            elif e.type == "GOAL_ENDORSED":
                latest.setdefault(d["goalId"], {})[d["partnerId"]] = (d["version"], d["rating"])
            if e.type in ("GOAL_SET", "GOAL_REVISED", "GOAL_REAFFIRMED"):
                touched = e.occurred_at
        goals = [g for g in version if g not in retired]
        coverages, agreements = [], []
        for g in goals:
            ratings = [
                rating
                for p, (v, rating) in latest.get(g, {}).items()
                if p in self.active and v == version[g]
            ]
            coverages.append(len(ratings) / len(self.active))
            if len(ratings) >= 3:
                agreements.append(max(0.0, 1 - statistics.variance(ratings) / 2))
        return {
            "activeGoals": len(goals),
            "coverage": sum(coverages) / len(coverages) if coverages else None,
            "agreement": sum(agreements) / len(agreements) if agreements else None,
            "stalenessDays": None if touched is None else _days(self.t - touched),
            "revisions": revisions,
        }

    # -- check ---------------------------------------------------------------------------
    def reading(self) -> dict[str, Any]:
        power, trust, capacity, goals = self.power(), self.trust(), self.capacity(), self.goals()
        classification = "INSUFFICIENT_DATA"
        if power["equality"] is not None:
            top = max(self.active, key=lambda p: self.share[p])
            classification = "PARTNERSHIP"
            if _ge(self.share[top], 0.8):
                funding = None if self.funding is None else self.funding[top]
                classification = "CLIENT_SUPPLIER" if _ge(funding, 0.8) else "ADVISORY"
        answers = {
            "TRUE_PARTNERSHIP": self._true_partnership(power, classification),
            "COMMON_GOALS": self._common_goals(goals),
            "TRUST": self._trust(trust),
            "WHO_DOES_THE_WORK": self._work(capacity),
        }
        return {
            "active": self.active,
            "power": power,
            "trust": trust,
            "capacity": capacity,
            "goals": goals,
            "check": {"classification": classification, "answers": answers},
        }

    @staticmethod
    def _true_partnership(power: dict[str, Any], classification: str) -> str:
        if power["equality"] is None:
            return "INSUFFICIENT_DATA"
        if classification in ("CLIENT_SUPPLIER", "ADVISORY"):
            return "RED"
        equity, equality = power["equity"], power["equality"]
        fair = _ge(equity, 0.75) or (equity is None and _ge(equality, 0.6))
        return "GREEN" if _ge(power["transparency"], 0.9) and fair else "AMBER"

    @staticmethod
    def _common_goals(goals: dict[str, Any]) -> str:
        if goals["activeGoals"] == 0:
            return "INSUFFICIENT_DATA"
        coverage, agreement, stale = goals["coverage"], goals["agreement"], goals["stalenessDays"]
        if _lt(coverage, 0.75) or _lt(agreement, 0.5) or _gt(stale, 548) or goals["revisions"] > 4:
            return "RED"
        if (
            coverage is not None
            and _r(coverage) == 1
            and (agreement is None or _ge(agreement, 0.7))
            and stale is not None
            and _r(stale) <= 365
        ):
            return "GREEN"
        return "AMBER"

    @staticmethod
    def _trust(trust: dict[str, Any]) -> str:
        perceived, low, gap = trust["perceived"], trust["reliabilityMin"], trust["reciprocityGap"]
        if perceived is None and trust["reliabilityMean"] is None:
            return "INSUFFICIENT_DATA"
        if _lt(perceived, 0.5) or _lt(low, 0.5) or trust["bureaucracySignal"]:
            return "RED"
        if (
            (perceived is None or _ge(perceived, 0.75))
            and (low is None or _ge(low, 0.75))
            and (gap is None or _lt(gap, 0.25))
        ):
            return "GREEN"
        return "AMBER"

    @staticmethod
    def _work(capacity: dict[str, Any]) -> str:
        fulfilment = capacity["fulfilment"].values()
        if not fulfilment and not capacity["roles"]:
            return "INSUFFICIENT_DATA"
        if (
            any(_lt(f, 0.75) for f in fulfilment)
            or _gt(capacity["longestVacancyDays"], 90)
            or capacity["leadershipChanges"] >= 2
        ):
            return "RED"
        if (
            all(_ge(f, 0.9) for f in fulfilment)
            and capacity["vacantRoles"] == 0
            and capacity["leadershipChanges"] == 0
        ):
            return "GREEN"
        return "AMBER"


def reference_health(
    events: list[IndexedEvent], as_of: datetime, known_at: datetime, window_days: int
) -> dict[str, Any]:
    """Every figure of METRICS.md, in the probes' keyed shape."""
    return Reading(events, as_of, known_at, window_days).reading()


def reference_latest_round(
    events: list[IndexedEvent], as_of: datetime, known_at: datetime, window_days: int
) -> dict[str, Any] | None:
    """The latest check-in round closed in the window `(as_of - W, as_of]`, as known at
    `known_at` (METRICS.md, Check-in rounds)."""
    return Reading(events, as_of, known_at, window_days).latest_round()
