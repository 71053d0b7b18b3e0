"""A valid input for every mutation, with what it needs recorded first (a partner to
leave, a goal to revise, a commitment to deliver against, ...), so each call succeeds
for a caller allowed to make it however many calls came before."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.operations import Recorder
from tests.support.scenarios import EVENT_TYPES as STEP_EVENT_TYPES

ROUND_EVENT_TYPES = {
    "openCheckInRound": "CHECK_IN_ROUND_OPENED",
    "closeCheckInRound": "CHECK_IN_ROUND_CLOSED",
    "remindCheckInRound": "CHECK_IN_REMINDERS_SENT",
}
"""A check-in round's own mutations (their inputs are not their events' data)."""
EVENT_TYPES = {**STEP_EVENT_TYPES, **ROUND_EVENT_TYPES}
MUTATIONS = tuple(EVENT_TYPES)
ADMIN_ONLY = frozenset({"retractEntry", "grantRole", "revokeRole", *ROUND_EVENT_TYPES})


class Seeder:
    """Records, as an ADMIN, what the next input needs in one partnership (which has the
    active partners `nhs` and `council`)."""

    def __init__(self, admin: Recorder, partnership_id: str) -> None:
        self.admin = admin
        self.partnership_id = partnership_id
        self._counter = itertools.count(1)

    @classmethod
    def new(cls, admin: Recorder, name: str = "Riverside") -> Seeder:
        partnership_id = admin.form(name)
        seeder = cls(admin, partnership_id)
        for partner, sector in (("nhs", "NHS_TRUST"), ("council", "LOCAL_AUTHORITY")):
            seeder.record(
                "joinPartner",
                {
                    "partnerId": partner,
                    "name": partner.title(),
                    "sector": sector,
                    "occurredAt": "2024-01-02",
                },
            )
        return seeder

    def fresh(self, stem: str) -> str:
        return f"{stem}-{next(self._counter)}"

    def record(self, mutation: str, given: dict[str, Any]) -> dict[str, Any]:
        return self.admin.record(mutation, {"partnershipId": self.partnership_id, **given})

    def partner(self) -> str:
        partner = self.fresh("p")
        self.record("joinPartner", {"partnerId": partner, "name": partner, "sector": "OTHER"})
        return partner

    def goal(self) -> str:
        goal = self.fresh("g")
        self.record("setGoal", {"goalId": goal, "statement": goal})
        return goal

    def commitment(self) -> str:
        commitment = self.fresh("c")
        self.record(
            "makeCommitment",
            {
                "commitmentId": commitment,
                "partnerId": self.partner(),
                "kind": "STAFF",
                "quantity": 2,
                "dueAt": "2030-01-01",
            },
        )
        return commitment

    def leader_role(self) -> str:
        role = self.fresh("Chair")
        self.record("appointLeader", {"role": role, "partnerId": self.partner(), "person": "Pat"})
        return role

    def grantee(self) -> str:
        actor = self.fresh("someone")
        self.record("grantRole", {"actor": actor, "role": "VIEWER"})
        return actor

    def check_in_round(self) -> str:
        """An open check-in round's id."""
        event = self.record("openCheckInRound", _round_input())
        return str(event["data"]["roundId"])

    def retractable(self) -> str:
        return str(self.record("setGoal", {"statement": "by mistake"})["id"])

    def valid_input(self, mutation: str) -> dict[str, Any]:
        """An input that `mutation` accepts now (`partnershipId` included but for
        `formPartnership`)."""
        given = _BUILDERS[mutation](self)
        if mutation != "formPartnership":
            given["partnershipId"] = self.partnership_id
        return given


def _round_input() -> dict[str, Any]:
    closes = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return {
        "closesAt": closes,
        "invitations": [{"partnerId": "nhs", "count": 3, "emails": ["someone@example.org"]}],
    }


_BUILDERS: dict[str, Callable[[Seeder], dict[str, Any]]] = {
    "openCheckInRound": lambda s: _round_input(),
    "closeCheckInRound": lambda s: {"roundId": s.check_in_round()},
    "remindCheckInRound": lambda s: {"roundId": s.check_in_round()},
    "formPartnership": lambda s: {"name": s.fresh("Formed"), "purpose": "Joined-up care"},
    "joinPartner": lambda s: {"partnerId": s.fresh("p"), "name": "New", "sector": "ACADEMIC"},
    "recordPartnerLeaving": lambda s: {"partnerId": s.partner(), "reason": "Merged"},
    "setGoal": lambda s: {"goalId": s.fresh("g"), "statement": "Fewer admissions"},
    "reviseGoal": lambda s: {"goalId": s.goal(), "statement": "Reworded", "reason": "Clearer"},
    "endorseGoal": lambda s: {
        "goalId": s.goal(),
        "partnerId": s.partner(),
        "version": 1,
        "rating": 4,
    },
    "reaffirmGoal": lambda s: {"goalId": s.goal(), "note": "Still right"},
    "retireGoal": lambda s: {"goalId": s.goal(), "reason": "Done"},
    "recordDecision": lambda s: {
        "decisionId": s.fresh("d"),
        "title": "Hire",
        "category": "RESOURCING",
        "method": "CONSENSUS",
        "decidedBy": [s.partner()],
        "consulted": ["nhs"],
        "dissentedBy": ["council"],
        "rationale": "Because",
    },
    "makeCommitment": lambda s: {
        "commitmentId": s.fresh("c"),
        "partnerId": s.partner(),
        "kind": "FUNDING",
        "quantity": 100,
        "unit": "GBP",
        "dueAt": "2030-01-01",
        "description": "Money",
    },
    "recordDelivery": lambda s: {"commitmentId": s.commitment(), "quantity": 1},
    "releaseCommitment": lambda s: {
        "commitmentId": s.commitment(),
        "byAgreement": True,
        "reason": "No longer needed",
    },
    "agreeRiskShares": lambda s: {
        "shares": [{"partnerId": "nhs", "share": 0.6}, {"partnerId": "council", "share": 0.4}]
    },
    "appointLeader": lambda s: {"role": s.fresh("Lead"), "partnerId": "nhs", "person": "Sam"},
    "recordLeaderDeparture": lambda s: {"role": s.leader_role(), "reason": "Retired"},
    "recordTrustCheckIn": lambda s: {
        "respondentId": "nhs",
        "aboutId": "council",
        "reliability": 4,
        "openness": 3,
        "respect": 5,
        "sharedOwnership": 4,
        "note": "Fine",
    },
    "retractEntry": lambda s: {"eventId": s.retractable(), "reason": "Entered by mistake"},
    "grantRole": lambda s: {"actor": s.fresh("newcomer"), "role": "RECORDER"},
    "revokeRole": lambda s: {"actor": s.grantee()},
}
