"""The catalogue of event kinds: each kind of event a partnership's history holds,
declared once.

A kind is its event class, the mutation that records it, its input fields, its judge
(decide), the timeline entries it makes, what it changes beyond its timelines (evolve),
what it is about, the role it needs, whether it can be retracted, and its descriptions.
Everything else derives from here: the commands (`accord.domain.commands`), the
aggregate's dispatch (`accord.domain.partnership`), the GraphQL mutations and `EventType`
enum, the read model's type names (`accord.projections.event_types`), the timeline's
lanes and the page's forms (`accord.web.forms`, from each field's reader shape and what it
refers to). `tests/unit/test_catalogue.py` checks that every kind is covered everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from accord.domain import events
from accord.domain import rules as r
from accord.domain import timelines as tl
from accord.domain.chain import event_type_name
from accord.domain.fields import (
    LONG,
    OPTIONAL_LONG,
    ROUND_INVITATION,
    ROUND_PARTNER,
    SCORE,
    SHORT,
    FieldSpec,
    Refers,
    boolean,
    identifier,
    identifiers,
    instant,
    integer,
    items_of,
    one_of,
    optional,
    positive_number,
    required,
    risk_shares,
)
from accord.domain.values import AccessRole, DecisionCategory, DecisionMethod, ResourceKind, Sector


class About(StrEnum):
    """What a kind of event is about: the timeline's lanes, and the read model's groups."""

    PARTNERS = "PARTNERS"
    GOALS = "GOALS"
    DECISIONS = "DECISIONS"
    COMMITMENTS = "COMMITMENTS"
    LEADERSHIP = "LEADERSHIP"
    TRUST = "TRUST"
    RECORD = "RECORD"
    """The record itself (retractions, access): never in a metric or on the timeline."""


@dataclass(frozen=True, slots=True, eq=False)
class Kind:
    """One kind of event, and everything about it."""

    event_class: type[events.PartnershipEvent]
    mutation: str
    fields: tuple[FieldSpec, ...]
    """The mutation's own input fields (beyond API.md's common ones), in the order of the
    event's data fields."""
    decide: r.Judge
    touches: r.Touches
    """The timeline entries an event of this kind makes."""
    evolve: r.Evolve | None
    """What an event of this kind changes in the aggregate beyond its timelines."""
    about: About
    happened: str
    """What an event of this kind says happened (`EventType`'s description)."""
    does: str
    """What its mutation does (the mutation's description)."""
    needs: AccessRole = AccessRole.RECORDER
    retractable: bool = True
    in_partnership: bool = True
    """False for the kind that forms a partnership (no partnershipId, no expectedVersion)."""
    note: str = ""
    """Said after the mutation's description."""
    own_mutation: bool = False
    """Recorded by a mutation of its own whose input is not the event's data (a check-in
    round's: `accord.graphql.rounds`): no generic mutation, form or register sheet; the
    service records it from `fields` as the round's code fills them in."""
    type_name: str = field(init=False)
    """UPPER_SNAKE, as `Event.type` gives it (`GOAL_REAFFIRMED`)."""
    attributes: tuple[tuple[str, str], ...] = field(init=False)
    """(API name, event attribute) for each input field."""

    def __post_init__(self) -> None:
        names = self.event_class.data_names()
        if [spec.name for spec in self.fields] != [api for _, api in names]:
            msg = f"{self.mutation}'s fields are not {self.event_class.__name__}'s data"
            raise TypeError(msg)
        object.__setattr__(self, "type_name", event_type_name(self.event_class.__name__))
        object.__setattr__(self, "attributes", tuple((api, name) for name, api in names))

    @property
    def event_description(self) -> str:
        return f"{self.happened} (`{self.mutation}`)."

    @property
    def mutation_description(self) -> str:
        note = self.note or ("ADMIN only" if self.needs is AccessRole.ADMIN else "")
        return f"{self.does} ({self.event_class.__name__}){'; ' + note if note else ''}."


PARTNERSHIP_FORMED = Kind(
    events.PartnershipFormed,
    "formPartnership",
    (required("name", SHORT), required("purpose", LONG)),
    r.no_rules,
    r.no_entries,
    None,
    About.PARTNERS,
    "The partnership was formed",
    "Form a partnership",
    retractable=False,
    in_partnership=False,
    note="the actor becomes its ADMIN",
)
PARTNER_JOINED = Kind(
    events.PartnerJoined,
    "joinPartner",
    (
        optional("partnerId", identifier),
        required("name", SHORT),
        required("sector", one_of(Sector)),
    ),
    r.judge_partner_joined,
    r.partner_joins,
    None,
    About.PARTNERS,
    "A partner joined, or joined again",
    "Record that a partner joined",
)
PARTNER_LEFT = Kind(
    events.PartnerLeft,
    "recordPartnerLeaving",
    (required("partnerId", identifier, refers=Refers.PARTNER), optional("reason", OPTIONAL_LONG)),
    r.judge_partner_left,
    r.partner_leaves,
    None,
    About.PARTNERS,
    "A partner left",
    "Record that a partner left",
)
GOAL_SET = Kind(
    events.GoalSet,
    "setGoal",
    (optional("goalId", identifier), required("statement", LONG)),
    r.judge_goal_set,
    r.goal_entry(tl.SET),
    r.names_id("goal", "goal_id"),
    About.GOALS,
    "A goal was set",
    "Set a goal",
)
GOAL_REVISED = Kind(
    events.GoalRevised,
    "reviseGoal",
    (
        required("goalId", identifier, refers=Refers.GOAL),
        required("statement", LONG),
        required("reason", LONG),
    ),
    r.known_goal,
    r.goal_entry(tl.REVISE),
    None,
    About.GOALS,
    "A goal's statement was revised",
    "Revise a goal's wording",
)
GOAL_ENDORSED = Kind(
    events.GoalEndorsed,
    "endorseGoal",
    (
        required("goalId", identifier, refers=Refers.GOAL),
        required("partnerId", identifier, refers=Refers.PARTNER),
        required("version", integer(1, None)),
        required("rating", SCORE),
    ),
    r.known_goal,
    r.goal_endorsed,
    None,
    About.GOALS,
    "A partner endorsed a goal's version",
    "Record a partner's endorsement of a goal",
)
GOAL_REAFFIRMED = Kind(
    events.GoalReaffirmed,
    "reaffirmGoal",
    (required("goalId", identifier, refers=Refers.GOAL), optional("note", OPTIONAL_LONG)),
    r.known_goal,
    r.goal_entry(tl.REAFFIRM),
    None,
    About.GOALS,
    "A goal was reaffirmed unchanged",
    "Record that a goal still holds",
)
GOAL_RETIRED = Kind(
    events.GoalRetired,
    "retireGoal",
    (required("goalId", identifier, refers=Refers.GOAL), required("reason", LONG)),
    r.known_goal,
    r.goal_entry(tl.RETIRE),
    None,
    About.GOALS,
    "A goal was retired",
    "Retire a goal",
)
DECISION_RECORDED = Kind(
    events.DecisionRecorded,
    "recordDecision",
    (
        optional("decisionId", identifier),
        required("title", SHORT),
        required("category", one_of(DecisionCategory)),
        optional("significance", integer(1, 3), 1),
        required("method", one_of(DecisionMethod)),
        required("decidedBy", identifiers(non_empty=True), refers=Refers.PARTNER),
        optional("consulted", identifiers(non_empty=False), (), refers=Refers.PARTNER),
        optional("dissentedBy", identifiers(non_empty=False), (), refers=Refers.PARTNER),
        optional("rationale", OPTIONAL_LONG),
    ),
    r.judge_decision_recorded,
    r.decision_recorded,
    r.names_id("decision", "decision_id"),
    About.DECISIONS,
    "A decision was recorded",
    "Record a decision",
)
COMMITMENT_MADE = Kind(
    events.CommitmentMade,
    "makeCommitment",
    (
        optional("commitmentId", identifier),
        required("partnerId", identifier, refers=Refers.PARTNER),
        required("kind", one_of(ResourceKind)),
        required("quantity", positive_number),
        optional("unit", SHORT),
        required("dueAt", instant),
        optional("description", OPTIONAL_LONG),
    ),
    r.judge_commitment_made,
    r.commitment_made,
    r.names_id("commitment", "commitment_id"),
    About.COMMITMENTS,
    "A partner committed resources",
    "Record a partner's commitment of resources",
)
COMMITMENT_DELIVERED = Kind(
    events.CommitmentDelivered,
    "recordDelivery",
    (
        required("commitmentId", identifier, refers=Refers.COMMITMENT),
        required("quantity", positive_number),
    ),
    r.known_commitment,
    r.commitment_entry(tl.DELIVER),
    None,
    About.COMMITMENTS,
    "Part or all of a commitment was delivered",
    "Record a delivery against a commitment",
)
COMMITMENT_RELEASED = Kind(
    events.CommitmentReleased,
    "releaseCommitment",
    (
        required("commitmentId", identifier, refers=Refers.COMMITMENT),
        required("byAgreement", boolean),
        required("reason", LONG),
    ),
    r.known_commitment,
    r.commitment_entry(tl.RELEASE),
    None,
    About.COMMITMENTS,
    "A commitment was released",
    "Release a partner from a commitment",
)
RISK_SHARES_AGREED = Kind(
    events.RiskSharesAgreed,
    "agreeRiskShares",
    (required("shares", risk_shares),),
    r.judge_risk_shares_agreed,
    r.risk_shares_agreed,
    None,
    About.PARTNERS,
    "The partners agreed risk shares",
    "Record the risk shares the partners agreed",
)
LEADER_APPOINTED = Kind(
    events.LeaderAppointed,
    "appointLeader",
    (
        required("role", SHORT, refers=Refers.LEADERSHIP_ROLE),
        required("partnerId", identifier, refers=Refers.PARTNER),
        required("person", SHORT),
    ),
    r.no_rules,
    r.leader_appointed,
    None,
    About.LEADERSHIP,
    "Someone was appointed to a role",
    "Record an appointment to a leadership role",
)
LEADER_DEPARTED = Kind(
    events.LeaderDeparted,
    "recordLeaderDeparture",
    (required("role", SHORT, refers=Refers.LEADERSHIP_ROLE), optional("reason", OPTIONAL_LONG)),
    r.no_rules,
    r.leader_departed,
    None,
    About.LEADERSHIP,
    "A role's holder left it",
    "Record that a role's holder left it",
)
TRUST_CHECK_IN_RECORDED = Kind(
    events.TrustCheckInRecorded,
    "recordTrustCheckIn",
    (
        required("respondentId", identifier, refers=Refers.PARTNER),
        optional("aboutId", identifier, refers=Refers.PARTNER),
        required("reliability", SCORE),
        required("openness", SCORE),
        required("respect", SCORE),
        required("sharedOwnership", SCORE),
        optional("note", OPTIONAL_LONG),
    ),
    r.judge_trust_check_in_recorded,
    r.trust_check_in_recorded,
    None,
    About.TRUST,
    "A partner answered a trust check-in",
    "Record a partner's trust check-in",
)
ENTRY_RETRACTED = Kind(
    events.EntryRetracted,
    "retractEntry",
    (required("eventId", identifier, refers=Refers.EVENT), required("reason", LONG)),
    r.judge_entry_retracted,
    r.no_entries,
    r.retract,
    About.RECORD,
    "An earlier entry was retracted",
    "Retract an entry recorded by mistake",
    needs=AccessRole.ADMIN,
    retractable=False,
)
ROLE_GRANTED = Kind(
    events.RoleGranted,
    "grantRole",
    (required("actor", SHORT, refers=Refers.ACTOR), required("role", one_of(AccessRole))),
    r.no_rules,
    r.no_entries,
    r.grant_role,
    About.RECORD,
    "An actor was given an access role",
    "Give an actor a role",
    needs=AccessRole.ADMIN,
    retractable=False,
)
ROLE_REVOKED = Kind(
    events.RoleRevoked,
    "revokeRole",
    (required("actor", SHORT, refers=Refers.ACTOR),),
    r.judge_role_revoked,
    r.no_entries,
    r.revoke_role,
    About.RECORD,
    "An actor's access role was revoked",
    "Take an actor's role away",
    needs=AccessRole.ADMIN,
    retractable=False,
)

CHECK_IN_ROUND_OPENED = Kind(
    events.CheckInRoundOpened,
    "openCheckInRound",
    (
        required("roundId", identifier),
        required("closesAt", instant),
        required("minimumResponses", integer(3, 10_000)),
        required("aboutPartners", boolean),
        required("keepNotes", boolean),
        required("invitations", items_of(*ROUND_INVITATION)),
    ),
    r.judge_round_opened,
    r.round_opened,
    r.open_round,
    About.TRUST,
    "A check-in round opened",
    "Open a trust check-in round: a private link for each person asked, e-mailed when "
    "addresses are given and the server sends e-mail",
    needs=AccessRole.ADMIN,
    retractable=False,
    own_mutation=True,
)
CHECK_IN_REMINDERS_SENT = Kind(
    events.CheckInRemindersSent,
    "remindCheckInRound",
    (required("roundId", identifier), required("count", integer(0, None))),
    r.judge_round_open,
    r.no_entries,
    None,
    About.TRUST,
    "Reminders were sent to those of a check-in round who had not answered",
    "E-mail a reminder to those of a check-in round who have not answered",
    needs=AccessRole.ADMIN,
    retractable=False,
    own_mutation=True,
)
CHECK_IN_ROUND_CLOSED = Kind(
    events.CheckInRoundClosed,
    "closeCheckInRound",
    (required("roundId", identifier), required("partners", items_of(*ROUND_PARTNER))),
    r.judge_round_closed,
    r.no_entries,
    r.close_round,
    About.TRUST,
    "A check-in round closed",
    "Close a check-in round now, recording the check-ins of the partners with enough "
    "answers (a round also closes by itself at its closesAt)",
    needs=AccessRole.ADMIN,
    retractable=False,
    own_mutation=True,
)

KINDS: tuple[Kind, ...] = (
    PARTNERSHIP_FORMED,
    PARTNER_JOINED,
    PARTNER_LEFT,
    GOAL_SET,
    GOAL_REVISED,
    GOAL_ENDORSED,
    GOAL_REAFFIRMED,
    GOAL_RETIRED,
    DECISION_RECORDED,
    COMMITMENT_MADE,
    COMMITMENT_DELIVERED,
    COMMITMENT_RELEASED,
    RISK_SHARES_AGREED,
    LEADER_APPOINTED,
    LEADER_DEPARTED,
    TRUST_CHECK_IN_RECORDED,
    ENTRY_RETRACTED,
    ROLE_GRANTED,
    ROLE_REVOKED,
)
"""Every kind recorded from its mutation's input, in API.md's order (the order of the
generic mutations, the page's forms and the workbook's sheets)."""
ROUND_KINDS: tuple[Kind, ...] = (
    CHECK_IN_ROUND_OPENED,
    CHECK_IN_ROUND_CLOSED,
    CHECK_IN_REMINDERS_SENT,
)
"""The kinds a check-in round records through its own mutations (`own_mutation`)."""
ALL_KINDS: tuple[Kind, ...] = KINDS + ROUND_KINDS
"""Every kind (the order of `EventType`)."""

BY_MUTATION: dict[str, Kind] = {kind.mutation: kind for kind in ALL_KINDS}
BY_CLASS: dict[type[events.PartnershipEvent], Kind] = {kind.event_class: kind for kind in ALL_KINDS}


def types_about(about: About) -> frozenset[str]:
    """The type names of the kinds about `about`."""
    return frozenset(kind.type_name for kind in ALL_KINDS if kind.about is about)
