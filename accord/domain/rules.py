"""Each kind's own rules: how it is judged (decide), the timeline entries it makes, and
what it changes in the aggregate beyond its timelines (evolve).

The catalogue (`accord.domain.catalogue`) names, for each kind, the three functions it
uses from here. Judges see the command's values under the event's attribute names and
may fill them in (generated ids, a commitment's unit, a retraction's target); they raise
DomainError. What every kind shares (occurredAt, the timelines' fold, the hash chain) is
the aggregate's (`accord.domain.partnership`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from accord.domain import timelines as tl
from accord.domain.errors import duplicate, invalid, not_found
from accord.domain.events import (
    EntryRetracted,
    PartnershipEvent,
    RoleGranted,
    RoleRevoked,
    camel,
)
from accord.domain.identity import event_id as event_id_at
from accord.domain.identity import generated_id
from accord.domain.instants import to_micros
from accord.domain.values import SHARE_TOLERANCE, UNIT_OF_KIND, AccessRole

if TYPE_CHECKING:
    from accord.domain.partnership import Partnership

Values = dict[str, Any]
Subject = tuple[str, tl.Entry, str]
"""(subject, entry, the input field that names the subject)"""
Subjects = list[Subject]
Judge = Callable[["Partnership", Values, int, PartnershipEvent | None], None]
"""(the aggregate, the command's values, the new event's position, a retraction's target)"""
Touches = Callable[[Values, int, int], Subjects]
"""(values, occurredAt in microseconds, position) -> the timeline entries it makes"""
Evolve = Callable[["Partnership", Any], None]
"""(the aggregate, the event): what the event changes beyond its timelines"""


# ------------------------------------------------------------------------- judges


def no_rules(*_: Any) -> None:
    """Nothing to judge beyond the fields' shapes and the kind's timelines."""


def _fill_id(p: Partnership, values: Values, name: str, kind: str, position: int) -> None:
    if values.get(name) is None:
        values[name] = generated_id(kind, p.id, position)


def _check_unused(p: Partnership, kind: str, identifier: str, field: str) -> None:
    if identifier in p.ids[kind]:
        raise duplicate(field, f"the {kind} id '{identifier}' is already used")


def judge_partner_joined(p: Partnership, values: Values, position: int, _: Any) -> None:
    _fill_id(p, values, "partner_id", "partner", position)


def judge_partner_left(p: Partnership, values: Values, position: int, _: Any) -> None:
    if f"partner:{values['partner_id']}" not in p.timelines:
        raise invalid("partnerId", f"'{values['partner_id']}' has never been a partner")


def judge_goal_set(p: Partnership, values: Values, position: int, _: Any) -> None:
    _fill_id(p, values, "goal_id", "goal", position)
    _check_unused(p, "goal", values["goal_id"], "goalId")


def known_goal(p: Partnership, values: Values, *_: Any) -> None:
    if values["goal_id"] not in p.ids["goal"]:
        raise not_found("goalId", f"no goal '{values['goal_id']}' in this partnership")


def judge_decision_recorded(p: Partnership, values: Values, position: int, _: Any) -> None:
    _fill_id(p, values, "decision_id", "decision", position)
    _check_unused(p, "decision", values["decision_id"], "decisionId")
    named: set[str] = set()
    for list_name in ("decided_by", "consulted"):
        for index, partner in enumerate(values[list_name]):
            if partner in named:
                raise invalid(f"{camel(list_name)}.{index}", f"names '{partner}' twice")
            named.add(partner)
    dissent: set[str] = set()
    for index, partner in enumerate(values["dissented_by"]):
        if partner in dissent:
            raise invalid(f"dissentedBy.{index}", f"names '{partner}' twice")
        dissent.add(partner)
    if values["method"] == "SINGLE_PARTNER" and len(values["decided_by"]) > 1:
        raise invalid("decidedBy", "a SINGLE_PARTNER decision has exactly one decider")


def judge_commitment_made(p: Partnership, values: Values, position: int, _: Any) -> None:
    _fill_id(p, values, "commitment_id", "commitment", position)
    _check_unused(p, "commitment", values["commitment_id"], "commitmentId")
    unit = UNIT_OF_KIND[values["kind"]]
    if values.get("unit") not in (None, unit):
        raise invalid("unit", f"{values['kind']} is counted in {unit}, not {values['unit']}")
    values["unit"] = unit


def known_commitment(p: Partnership, values: Values, *_: Any) -> None:
    identifier = values["commitment_id"]
    if identifier not in p.ids["commitment"] or not p.timelines.get(
        f"commitment:{identifier}", {}
    ).get("entries"):
        raise not_found("commitmentId", f"no commitment '{identifier}' in this partnership")


def judge_risk_shares_agreed(p: Partnership, values: Values, *_: Any) -> None:
    seen: set[str] = set()
    for index, share in enumerate(values["shares"]):
        if share["partnerId"] in seen:
            raise invalid(f"shares.{index}.partnerId", f"names '{share['partnerId']}' twice")
        seen.add(share["partnerId"])
    total = sum(share["share"] for share in values["shares"])
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise invalid("shares", f"shares must sum to 1 (they sum to {total:.6f})")


def judge_trust_check_in_recorded(p: Partnership, values: Values, *_: Any) -> None:
    if values.get("about_id") is not None and values["about_id"] == values["respondent_id"]:
        raise invalid("aboutId", "a check-in cannot be about the respondent itself")
    round_id = values.get("round_id")
    if round_id is not None:  # recorded by a round at its close, with it
        if rounds_of(p).get(round_id, {}).get("status") != CLOSED:
            raise invalid("roundId", f"the check-in round '{round_id}' has not closed")
        for item in ("reliability", "openness", "respect", "shared_ownership"):
            if not 1 <= values[item] <= 5:
                raise invalid(camel(item), f"must be from 1 to 5 (got {values[item]})")


# A check-in round's state in the aggregate (`Partnership.rounds`).
OPEN = "OPEN"
CLOSED = "CLOSED"


def rounds_of(p: Partnership) -> dict[str, dict[str, Any]]:
    """The partnership's check-in rounds by id (snapshots taken before rounds existed
    have none)."""
    rounds: dict[str, dict[str, Any]] = p.__dict__.setdefault("rounds", {})
    return rounds


def judge_round_opened(p: Partnership, values: Values, position: int, _: Any) -> None:
    if values["round_id"] in rounds_of(p):
        raise duplicate("roundId", f"the check-in round id '{values['round_id']}' is already used")
    seen: set[str] = set()
    for index, invitation in enumerate(values["invitations"]):
        if invitation["partnerId"] in seen:
            raise invalid(
                f"invitations.{index}.partnerId", f"names '{invitation['partnerId']}' twice"
            )
        seen.add(invitation["partnerId"])


def _known_round(p: Partnership, values: Values) -> dict[str, Any]:
    found = rounds_of(p).get(values["round_id"])
    if found is None:
        raise not_found("roundId", f"no check-in round '{values['round_id']}' in this partnership")
    return found


def judge_round_open(p: Partnership, values: Values, *_: Any) -> None:
    """The round is known and still open."""
    if _known_round(p, values)["status"] != OPEN:
        raise invalid("roundId", "the check-in round has closed")


def judge_round_closed(p: Partnership, values: Values, *_: Any) -> None:
    found = _known_round(p, values)
    if found["status"] != OPEN:
        raise invalid("roundId", "the check-in round has closed")
    invited = {item["partnerId"]: item["count"] for item in found["invitations"]}
    given = {item["partnerId"]: item["invited"] for item in values["partners"]}
    if given != invited:
        raise invalid("partners", "must give each invited partner's invitations as opened")
    for index, item in enumerate(values["partners"]):
        if item["answered"] > item["invited"]:
            raise invalid(f"partners.{index}.answered", "is more than were invited")


def judge_entry_retracted(
    p: Partnership, values: Values, position: int, target: PartnershipEvent | None
) -> None:
    if target is None:
        raise not_found("eventId", f"no event '{values['target_event_id']}' in this partnership")
    if not p.kind_of(target).retractable:
        raise invalid("eventId", f"a {target.type_name()} event cannot be retracted")
    if str(target.position) in p.retracted:
        raise invalid("eventId", "the event is already retracted")
    values["target_position"] = target.position
    values["target_at"] = to_micros(target.occurred_at)
    values["target_subjects"] = [subject for subject, _, _ in p.entries_of(target)]
    for subject in values["target_subjects"]:
        entries = p.timelines.get(subject, {}).get("entries", [])
        removal = tl.removal(entries, values["target_at"], target.position)
        if removal is None or not removal.refold:
            continue  # no such entry, or one that changes no state: nothing depends on it
        _, entry, problem = tl.fold(subject, removal.applied_to(entries))
        if entry is not None and problem is not None:
            dependant = event_id_at(p.id, int(entry[1]))
            raise invalid(
                "eventId",
                f"the recorded event {dependant} depends on it ({problem.reason}); "
                "retract that first",
            )


def judge_role_revoked(p: Partnership, values: Values, *_: Any) -> None:
    actor = values["actor"]
    if actor not in p.access:
        raise not_found("actor", f"'{actor}' has no role in this partnership")
    admins = [name for name, role in p.access.items() if role == AccessRole.ADMIN.value]
    if admins == [actor]:
        raise invalid("actor", "the partnership must keep at least one ADMIN")


# ------------------------------------------------------------------ timeline entries


def no_entries(*_: Any) -> Subjects:
    return []


def _partner(pid: str, field: str, at: int, position: int, kind: str = tl.NAMED) -> Subject:
    return (f"partner:{pid}", [at, position, kind], field)


def partner_joins(values: Values, at: int, position: int) -> Subjects:
    return [_partner(values["partner_id"], "partnerId", at, position, tl.JOIN)]


def partner_leaves(values: Values, at: int, position: int) -> Subjects:
    return [_partner(values["partner_id"], "partnerId", at, position, tl.LEAVE)]


def goal_entry(kind: str) -> Touches:
    """The goal's timeline only, with an entry of `kind`."""

    def touches(values: Values, at: int, position: int) -> Subjects:
        return [(f"goal:{values['goal_id']}", [at, position, kind], "goalId")]

    return touches


def goal_endorsed(values: Values, at: int, position: int) -> Subjects:
    return [
        (f"goal:{values['goal_id']}", [at, position, tl.ENDORSE, values["version"]], "goalId"),
        _partner(values["partner_id"], "partnerId", at, position),
    ]


def decision_recorded(values: Values, at: int, position: int) -> Subjects:
    return [
        _partner(pid, f"{camel(list_name)}.{index}", at, position)
        for list_name in ("decided_by", "consulted", "dissented_by")
        for index, pid in enumerate(values[list_name])
    ]


def commitment_made(values: Values, at: int, position: int) -> Subjects:
    return [
        (f"commitment:{values['commitment_id']}", [at, position, tl.MADE], "commitmentId"),
        _partner(values["partner_id"], "partnerId", at, position),
    ]


def commitment_entry(kind: str) -> Touches:
    """The commitment's timeline only, with an entry of `kind`."""

    def touches(values: Values, at: int, position: int) -> Subjects:
        return [(f"commitment:{values['commitment_id']}", [at, position, kind], "commitmentId")]

    return touches


def risk_shares_agreed(values: Values, at: int, position: int) -> Subjects:
    return [
        _partner(share["partnerId"], f"shares.{index}.partnerId", at, position)
        for index, share in enumerate(values["shares"])
    ]


def leader_appointed(values: Values, at: int, position: int) -> Subjects:
    return [
        (f"role:{values['role']}", [at, position, tl.APPOINT], "role"),
        _partner(values["partner_id"], "partnerId", at, position),
    ]


def leader_departed(values: Values, at: int, position: int) -> Subjects:
    return [(f"role:{values['role']}", [at, position, tl.DEPART], "role")]


def round_opened(values: Values, at: int, position: int) -> Subjects:
    """Each invited partner must be active when the round opens."""
    return [
        _partner(item["partnerId"], f"invitations.{index}.partnerId", at, position)
        for index, item in enumerate(values["invitations"])
    ]


def trust_check_in_recorded(values: Values, at: int, position: int) -> Subjects:
    subjects = [_partner(values["respondent_id"], "respondentId", at, position)]
    if values.get("about_id") is not None:
        subjects.append(_partner(values["about_id"], "aboutId", at, position))
    return subjects


# --------------------------------------------------------- beyond the timelines


def names_id(kind: str, attribute: str) -> Evolve:
    """The event names a new goal, decision or commitment id."""

    def evolve(p: Partnership, event: Any) -> None:
        p.ids[kind][getattr(event, attribute)] = event.position

    return evolve


def retract(p: Partnership, event: EntryRetracted) -> None:
    """Take the target's entries out of its timelines, and refold those that change."""
    p.retracted[str(event.target_position)] = event.position
    for subject in event.target_subjects:
        timeline = p.timelines.get(subject)
        if timeline is None:
            continue
        entries = timeline["entries"]
        removal = tl.removal(entries, event.target_at, event.target_position)
        if removal is None:
            continue
        removal.apply(entries)
        if removal.refold:
            timeline["tail"] = tl.fold(subject, entries)[0]


def open_round(p: Partnership, event: Any) -> None:
    rounds_of(p)[event.round_id] = {
        "status": OPEN,
        "minimum": event.minimum_responses,
        "keep_notes": event.keep_notes,
        "closes_at": to_micros(event.closes_at),
        "invitations": event.invitations,
    }


def close_round(p: Partnership, event: Any) -> None:
    rounds_of(p)[event.round_id]["status"] = CLOSED


def grant_role(p: Partnership, event: RoleGranted) -> None:
    p.access[event.actor] = event.role


def revoke_role(p: Partnership, event: RoleRevoked) -> None:
    p.access.pop(event.actor, None)
