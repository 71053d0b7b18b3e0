"""Build a partnership's indexed events in a few lines, for the read-function tests.

Each method records one event as the event index holds it (data with the API's
defaults filled in, via `tests.support.scenarios.event_data`). Events are recorded one
second apart from `RECORDING_STARTS`, after every instant the tests use, unless a
test gives `recorded_at`; `KNOWN` is after all of them.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from accord.projections.health import Health, health
from accord.projections.records import IndexedEvent
from tests.support.scenarios import EVENT_TYPES, event_data

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
RECORDING_STARTS = datetime(2030, 1, 1, tzinfo=UTC)
KNOWN = datetime(2031, 1, 1, tzinfo=UTC)


def day(offset: float) -> datetime:
    """`T0` moved on by `offset` days."""
    return T0 + timedelta(days=offset)


class HistoryBuilder:
    def __init__(self, partners: tuple[str, ...] = ()) -> None:
        self.events: list[IndexedEvent] = []
        self.add("formPartnership", day(-10), name="Test partnership", purpose="Testing")
        for partner in partners:
            self.join(partner, day(-5))

    def add(
        self,
        mutation: str,
        at: datetime,
        recorded_at: datetime | None = None,
        **given: Any,
    ) -> IndexedEvent:
        position = len(self.events) + 1
        event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"history-builder/{position}"))
        event = IndexedEvent(
            partnership_id="test-partnership",
            position=position,
            event_id=event_id,
            type=EVENT_TYPES[mutation],
            occurred_at=at,
            recorded_at=recorded_at or RECORDING_STARTS + timedelta(seconds=position),
            recorded_by="tester",
            data=event_data(mutation, given, position),
            hash="0" * 64,
            previous_hash=None,
        )
        self.events.append(event)
        return event

    def join(self, partner: str, at: datetime, sector: str = "NHS_TRUST") -> IndexedEvent:
        return self.add("joinPartner", at, partnerId=partner, name=f"{partner} name", sector=sector)

    def leave(self, partner: str, at: datetime) -> IndexedEvent:
        return self.add("recordPartnerLeaving", at, partnerId=partner)

    def decide(
        self,
        at: datetime,
        by: list[str],
        *,
        significance: int = 1,
        category: str = "DELIVERY",
        method: str = "VOTE",
        rationale: str | None = "Agreed at board",
        recorded_at: datetime | None = None,
    ) -> IndexedEvent:
        return self.add(
            "recordDecision",
            at,
            recorded_at,
            title=f"Decision {len(self.events)}",
            category=category,
            significance=significance,
            method=method,
            decidedBy=by,
            rationale=rationale,
        )

    def commit(
        self,
        commitment: str,
        partner: str,
        kind: str,
        quantity: float,
        due: datetime,
        at: datetime,
    ) -> IndexedEvent:
        return self.add(
            "makeCommitment",
            at,
            commitmentId=commitment,
            partnerId=partner,
            kind=kind,
            quantity=quantity,
            dueAt=due.isoformat(),
        )

    def deliver(self, commitment: str, quantity: float, at: datetime) -> IndexedEvent:
        return self.add("recordDelivery", at, commitmentId=commitment, quantity=quantity)

    def release(self, commitment: str, at: datetime, by_agreement: bool) -> IndexedEvent:
        return self.add(
            "releaseCommitment",
            at,
            commitmentId=commitment,
            byAgreement=by_agreement,
            reason="Circumstances changed",
        )

    def appoint(self, role: str, partner: str, person: str, at: datetime) -> IndexedEvent:
        return self.add("appointLeader", at, role=role, partnerId=partner, person=person)

    def depart(self, role: str, at: datetime) -> IndexedEvent:
        return self.add("recordLeaderDeparture", at, role=role)

    def check_in(
        self,
        respondent: str,
        about: str | None,
        scores: int | tuple[int, int, int, int],
        at: datetime,
    ) -> IndexedEvent:
        items = (scores,) * 4 if isinstance(scores, int) else scores
        return self.add(
            "recordTrustCheckIn",
            at,
            respondentId=respondent,
            aboutId=about,
            reliability=items[0],
            openness=items[1],
            respect=items[2],
            sharedOwnership=items[3],
        )

    def set_goal(self, goal: str, at: datetime) -> IndexedEvent:
        return self.add("setGoal", at, goalId=goal, statement=f"{goal} statement")

    def revise_goal(self, goal: str, at: datetime) -> IndexedEvent:
        return self.add(
            "reviseGoal", at, goalId=goal, statement=f"{goal} revised", reason="Sharper"
        )

    def endorse(
        self, goal: str, partner: str, version: int, rating: int, at: datetime
    ) -> IndexedEvent:
        return self.add(
            "endorseGoal", at, goalId=goal, partnerId=partner, version=version, rating=rating
        )

    def reaffirm_goal(self, goal: str, at: datetime) -> IndexedEvent:
        return self.add("reaffirmGoal", at, goalId=goal)

    def retire_goal(self, goal: str, at: datetime) -> IndexedEvent:
        return self.add("retireGoal", at, goalId=goal, reason="Done")

    def agree_risk_shares(self, shares: dict[str, float], at: datetime) -> IndexedEvent:
        return self.add(
            "agreeRiskShares",
            at,
            shares=[{"partnerId": partner, "share": share} for partner, share in shares.items()],
        )

    def retract(
        self, target: IndexedEvent, recorded_at: datetime | None = None, *, mark: bool = True
    ) -> IndexedEvent:
        """Retract `target`; with `mark=False` the target's retraction fields are left
        empty, as a reader that only has the ENTRY_RETRACTED event would see it."""
        retraction = self.add(
            "retractEntry",
            day(0),
            recorded_at,
            eventId=target.event_id,
            reason="Recorded in error",
        )
        if mark:
            index = self.events.index(target)
            self.events[index] = replace(
                target, retracted_by=retraction.event_id, retracted_at=retraction.recorded_at
            )
        return retraction


def read(
    history: HistoryBuilder,
    at: datetime,
    window_days: int = 365,
    known_at: datetime = KNOWN,
) -> Health:
    """The health of the built history at `at`."""
    return health(history.events, at, known_at, window_days)
