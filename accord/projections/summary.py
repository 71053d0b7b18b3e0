"""One human sentence for an event (API.md `Event.summary`)."""

from __future__ import annotations

from collections.abc import Callable

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.event_data import Data, EventDataError
from accord.projections.health.checkins import check_in_score
from accord.projections.records import IndexedEvent
from accord.projections.wording import KIND_WORDS, amount, count, figure, percent, quantity


def _get(data: Data, key: str, default: str = "?") -> str:
    value = data.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, float):
        return quantity(value)
    return str(value)


def _because(data: Data, key: str) -> str:
    reason = data.get(key)
    return f": {reason}" if isinstance(reason, str) and reason.strip() else ""


def _names(data: Data, key: str) -> str:
    value = data.get(key)
    if isinstance(value, list) and value:
        return ", ".join(str(item) for item in value)
    return "nobody"


def _formed(data: Data) -> str:
    return f"Partnership '{_get(data, 'name')}' formed: {_get(data, 'purpose')}"


def _joined(data: Data) -> str:
    return (
        f"{_get(data, 'name')} ({_get(data, 'partnerId')}, {_get(data, 'sector')}) "
        "joined the partnership"
    )


def _left(data: Data) -> str:
    return f"{_get(data, 'partnerId')} left the partnership{_because(data, 'reason')}"


def _goal_set(data: Data) -> str:
    return f"Goal {_get(data, 'goalId')} set: '{_get(data, 'statement')}'"


def _goal_revised(data: Data) -> str:
    return (
        f"Goal {_get(data, 'goalId')} revised to '{_get(data, 'statement')}'"
        f"{_because(data, 'reason')}"
    )


def _goal_endorsed(data: Data) -> str:
    return (
        f"{_get(data, 'partnerId')} endorsed version {_get(data, 'version')} of goal "
        f"{_get(data, 'goalId')}, rating it {_get(data, 'rating')} of 5"
    )


def _goal_reaffirmed(data: Data) -> str:
    return f"Goal {_get(data, 'goalId')} reaffirmed{_because(data, 'note')}"


def _goal_retired(data: Data) -> str:
    return f"Goal {_get(data, 'goalId')} retired{_because(data, 'reason')}"


def _decision(data: Data) -> str:
    return (
        f"Decision '{_get(data, 'title')}' recorded "
        f"({_get(data, 'category')}, by {_names(data, 'decidedBy')})"
    )


def _commitment(data: Data) -> str:
    kind = _get(data, "kind")
    size = data.get("quantity")
    promised = (
        amount(float(size), _get(data, "unit", ""))
        if isinstance(size, int | float)
        else "an amount"
    )
    return (
        f"{_get(data, 'partnerId')} committed {promised} of {KIND_WORDS.get(kind, kind)} "
        f"by {_get(data, 'dueAt')[:10]} (commitment {_get(data, 'commitmentId')})"
    )


def _delivery(data: Data) -> str:
    return f"{_get(data, 'quantity')} delivered against commitment {_get(data, 'commitmentId')}"


def _release(data: Data) -> str:
    how = "by agreement" if data.get("byAgreement") is True else "without agreement"
    return f"Commitment {_get(data, 'commitmentId')} released {how}{_because(data, 'reason')}"


def _risk_shares(data: Data) -> str:
    shares = data.get("shares")
    if not isinstance(shares, list) or not shares:
        return "Risk shares agreed"
    parts = [
        f"{item.get('partnerId', '?')} {percent(float(item['share']))}"
        for item in shares
        if isinstance(item, dict) and isinstance(item.get("share"), int | float)
    ]
    return "Risk shares agreed: " + ", ".join(parts)


def _appointed(data: Data) -> str:
    return f"{_get(data, 'person')} ({_get(data, 'partnerId')}) appointed {_get(data, 'role')}"


def _departed(data: Data) -> str:
    return f"The {_get(data, 'role')} left the role{_because(data, 'reason')}"


def _check_in(data: Data) -> str:
    about = data.get("aboutId")
    subject = about if isinstance(about, str) and about else "the partnership"
    try:
        score = f"score {figure(check_in_score(data))}"
    except EventDataError:
        score = ""
    sentence = f"Trust check-in by {_get(data, 'respondentId')} about {subject}"
    if data.get("roundId") is None:
        return f"{sentence} ({score})" if score else sentence
    responses = data.get("responses")
    mean = (
        f"the mean of {count(responses, 'response')}"
        if isinstance(responses, int) and not isinstance(responses, bool)
        else "the mean of its responses"
    )
    return f"{sentence} from check-in round {_get(data, 'roundId')}: {mean}" + (
        f" ({score})" if score else ""
    )


def _sum_of(data: Data, key: str, field: str) -> int | None:
    """The sum of `field` over the objects listed under `key`; None when unreadable."""
    try:
        return sum(event_data.integer(item, field) for item in event_data.objects(data, key))
    except EventDataError:
        return None


def _round_opened(data: Data) -> str:
    invitations = data.get("invitations")
    partners = len(invitations) if isinstance(invitations, list) else 0
    invited = _sum_of(data, "invitations", "count")
    asked = (
        f"{count(invited, 'person', 'people')} asked across {count(partners, 'partner')}"
        if invited is not None and partners
        else "nobody asked yet"
    )
    return (
        f"Check-in round {_get(data, 'roundId')} opened until {_get(data, 'closesAt')[:10]}: "
        f"{asked}; a check-in is recorded from {_get(data, 'minimumResponses')} answers"
    )


def _reminders(data: Data) -> str:
    sent = data.get("count")
    whom = (
        count(sent, "person", "people")
        if isinstance(sent, int) and not isinstance(sent, bool)
        else "those"
    )
    return f"Reminders sent to {whom} who had not answered check-in round {_get(data, 'roundId')}"


def _round_closed(data: Data) -> str:
    invited = _sum_of(data, "partners", "invited")
    answered = _sum_of(data, "partners", "answered")
    if invited is None or answered is None or not invited:
        return f"Check-in round {_get(data, 'roundId')} closed"
    return (
        f"Check-in round {_get(data, 'roundId')} closed: {answered} of {invited} invited "
        f"answered ({percent(answered / invited)})"
    )


def _retracted(data: Data) -> str:
    return f"Entry {_get(data, 'eventId')} retracted{_because(data, 'reason')}"


def _granted(data: Data) -> str:
    return f"{_get(data, 'actor')} granted the {_get(data, 'role')} role"


def _revoked(data: Data) -> str:
    return f"{_get(data, 'actor')}'s role revoked"


_SENTENCES: dict[str, Callable[[Data], str]] = {
    types.PARTNERSHIP_FORMED: _formed,
    types.PARTNER_JOINED: _joined,
    types.PARTNER_LEFT: _left,
    types.GOAL_SET: _goal_set,
    types.GOAL_REVISED: _goal_revised,
    types.GOAL_ENDORSED: _goal_endorsed,
    types.GOAL_REAFFIRMED: _goal_reaffirmed,
    types.GOAL_RETIRED: _goal_retired,
    types.DECISION_RECORDED: _decision,
    types.COMMITMENT_MADE: _commitment,
    types.COMMITMENT_DELIVERED: _delivery,
    types.COMMITMENT_RELEASED: _release,
    types.RISK_SHARES_AGREED: _risk_shares,
    types.LEADER_APPOINTED: _appointed,
    types.LEADER_DEPARTED: _departed,
    types.TRUST_CHECK_IN_RECORDED: _check_in,
    types.CHECK_IN_ROUND_OPENED: _round_opened,
    types.CHECK_IN_REMINDERS_SENT: _reminders,
    types.CHECK_IN_ROUND_CLOSED: _round_closed,
    types.ENTRY_RETRACTED: _retracted,
    types.ROLE_GRANTED: _granted,
    types.ROLE_REVOKED: _revoked,
}


def summary(event: IndexedEvent) -> str:
    """One sentence saying what the event records, e.g.
    "Decision 'Decision 0' recorded (DELIVERY, by p0-nhs-trust)"."""
    sentence = _SENTENCES.get(event.type)
    if sentence is None:
        return f"{event.type.replace('_', ' ').capitalize()} recorded"
    return sentence(event.data)
