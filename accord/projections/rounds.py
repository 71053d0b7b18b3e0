"""Trust check-in rounds as of an instant, as known at an instant (METRICS.md, Check-in
rounds).

A round opens (`CHECK_IN_ROUND_OPENED`: who is asked, how many people per partner, until
when), may send reminders (`CHECK_IN_REMINDERS_SENT`), and closes
(`CHECK_IN_ROUND_CLOSED`: how many were asked and answered per partner), recording its
check-ins at the close. A round is CLOSED as of `t` exactly when its close is among the
events seen then; until then it is OPEN, even past its `closesAt`, and what was answered
is not known (null). The round kinds cannot be retracted; the round's check-ins can, and
`check_ins` counts those that stand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.health.round_responses import closed_partners, rate
from accord.projections.records import IndexedEvent
from accord.projections.visibility import visible_events


class RoundStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


@dataclass(frozen=True, slots=True)
class RoundPartnerView:
    """One partner asked in a round. `answered`, `response_rate` and `enough` are null
    while the round is open."""

    partner_id: str
    invited: int
    answered: int | None
    response_rate: float | None
    """`answered / invited` (0..1); null while open or when nobody was invited."""
    enough: bool | None
    """`answered >= minimum_responses`: whether the round could report this partner's
    answers."""
    recorded: bool | None
    """Whether the round's check-in of this partner about the partnership stands (false
    for too few answers, for a partner no longer active at the close, or once retracted);
    null while open."""


@dataclass(frozen=True, slots=True)
class RoundView:
    id: str
    opened_at: datetime
    closes_at: datetime
    status: RoundStatus
    minimum_responses: int
    about_partners: bool
    keep_notes: bool
    reminders: int
    """People reminded, over every `CHECK_IN_REMINDERS_SENT` of the round."""
    closed_at: datetime | None
    partners: tuple[RoundPartnerView, ...]
    """In the order of the invitations (any partner the close adds, after them)."""
    invited: int
    answered: int | None
    """Null while open."""
    response_rate: float | None
    """`answered / invited` over every partner (0..1); null while open or when nobody was
    invited."""
    check_ins: int
    """The check-ins the round recorded that are not retracted."""


@dataclass(slots=True)
class _Round:
    opened: IndexedEvent
    reminders: int = 0
    closed: IndexedEvent | None = None
    check_ins: int = 0
    respondents: set[str] = field(default_factory=set)
    """Partners with a standing check-in of the round about the partnership."""


def check_in_rounds(
    events: Iterable[IndexedEvent], as_of: datetime, known_at: datetime
) -> list[RoundView]:
    """Every round opened by `as_of`, as known at `known_at`, in the order opened."""
    rounds: dict[str, _Round] = {}
    for event in visible_events(list(events), as_of, known_at):
        if event.type == types.CHECK_IN_ROUND_OPENED:
            rounds.setdefault(event_data.text(event.data, "roundId"), _Round(event))
            continue
        if event.type not in (
            types.CHECK_IN_REMINDERS_SENT,
            types.CHECK_IN_ROUND_CLOSED,
            types.TRUST_CHECK_IN_RECORDED,
        ):
            continue
        round_id = event_data.optional_text(event.data, "roundId")
        found = rounds.get(round_id) if round_id is not None else None
        if found is None:
            continue
        if event.type == types.CHECK_IN_REMINDERS_SENT:
            found.reminders += event_data.integer(event.data, "count")
        elif event.type == types.CHECK_IN_ROUND_CLOSED:
            found.closed = found.closed or event
        else:
            found.check_ins += 1
            if event_data.optional_text(event.data, "aboutId") is None:
                found.respondents.add(event_data.text(event.data, "respondentId"))
    return [_view(round_id, found) for round_id, found in rounds.items()]


def _view(round_id: str, found: _Round) -> RoundView:
    data = found.opened.data
    minimum = event_data.integer(data, "minimumResponses")
    invited: dict[str, int] = {}
    for invitation in event_data.objects(data, "invitations"):
        partner_id = event_data.text(invitation, "partnerId")
        invited[partner_id] = invited.get(partner_id, 0) + event_data.integer(invitation, "count")
    answered: dict[str, int] | None = None
    if found.closed is not None:  # the close gives each invited partner's figures
        closed = {partner.partner_id: partner for partner in closed_partners(found.closed.data)}
        for partner_id, partner in closed.items():
            invited[partner_id] = partner.invited
        answered = {
            partner_id: closed[partner_id].answered if partner_id in closed else 0
            for partner_id in invited
        }
    partners = tuple(
        RoundPartnerView(
            partner_id=partner_id,
            invited=count,
            answered=None if answered is None else answered[partner_id],
            response_rate=None if answered is None else rate(answered[partner_id], count),
            enough=None if answered is None else answered[partner_id] >= minimum,
            recorded=None if answered is None else partner_id in found.respondents,
        )
        for partner_id, count in invited.items()
    )
    total_invited = sum(invited.values())
    total_answered = None if answered is None else sum(answered.values())
    return RoundView(
        id=round_id,
        opened_at=found.opened.occurred_at,
        closes_at=event_data.instant(data, "closesAt"),
        status=RoundStatus.OPEN if found.closed is None else RoundStatus.CLOSED,
        minimum_responses=minimum,
        about_partners=event_data.flag(data, "aboutPartners"),
        keep_notes=event_data.flag(data, "keepNotes"),
        reminders=found.reminders,
        closed_at=None if found.closed is None else found.closed.occurred_at,
        partners=partners,
        invited=total_invited,
        answered=total_answered,
        response_rate=None if total_answered is None else rate(total_answered, total_invited),
        check_ins=found.check_ins,
    )
