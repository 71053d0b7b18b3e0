"""The partnership's history as lanes and items that feed vis-timeline (API.md, Timeline).

Every event known at `knownAt` is an item, except retractions and role grants; an
item whose event is retracted as known then (or belongs to a retracted commitment)
is still shown, with the class `retracted`. A leader's tenure is a range from
appointment to departure (or replacement; while it lasts, to the timeline's as-of,
now, whatever window `from`/`to` is asked for, so an item's `id` and `end` never
depend on the window and neighbouring windows agree); a commitment is a range from
when it was made to the later of its `dueAt` and its last delivery or release.
Everything else is a point.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from accord.domain.catalogue import ALL_KINDS, About
from accord.domain.instants import parse_instant
from accord.projections import event_types
from accord.projections.event_data import Data, EventDataError, integer
from accord.projections.records import IndexedEvent
from accord.projections.summary import summary
from accord.projections.visibility import (
    in_history_order,
    is_withdrawn,
    retracted_commitment_ids,
    retracted_ids,
)
from accord.projections.wording import KIND_WORDS, amount, count, percent, quantity

LANES: Final = (
    ("GOALS", "Goals"),
    ("DECISIONS", "Decisions"),
    ("COMMITMENTS", "Commitments"),
    ("LEADERSHIP", "Leadership"),
    ("PARTNERS", "Partners"),
    ("TRUST", "Trust"),
)
"""Lane id -> its heading, in display order."""

LANE_OF: Final = {
    kind.type_name: kind.about.value for kind in ALL_KINDS if kind.about is not About.RECORD
}
"""Event type -> its lane (what its kind is about); the record's own kinds (retractions,
role grants) are not items."""

POINT: Final = "point"
RANGE: Final = "range"
RETRACTED: Final = "retracted"


@dataclass(frozen=True, slots=True)
class TimelineGroup:
    id: str
    content: str


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One vis-timeline item. `content` is plain text (not HTML); `title` is the
    event's summary sentence; `class_name` names the event type (`decision-recorded`),
    plus `retracted` when it is."""

    id: str
    group: str
    content: str
    start: datetime
    end: datetime | None
    type: str
    class_name: str
    title: str | None
    event_id: str


@dataclass(frozen=True, slots=True)
class Timeline:
    groups: tuple[TimelineGroup, ...]
    items: tuple[TimelineItem, ...]
    latest: datetime | None = None
    """The latest start of any item of the types asked for, inside the window or not
    (where a page with nothing recent in its window can look instead)."""


def timeline(
    events: Sequence[IndexedEvent],
    from_: datetime | None,
    to: datetime | None,
    types: Collection[str] | None,
    known_at: datetime,
    now: datetime,
) -> Timeline:
    """The lanes and items of the events known at `known_at` whose span meets
    `[from_, to]` (each bound optional), of the event types `types` (all when None).
    A tenure still lasting runs to `now` (the timeline's as-of), whatever the window:
    an item is the same in every window that shows it."""
    known = [event for event in events if event.recorded_at <= known_at]
    retracted = retracted_ids(known, known_at)
    withdrawn = retracted_commitment_ids(known, retracted)
    ordered = in_history_order(known)
    spans = _Spans(ordered, retracted, now)
    labels = _Labels(ordered)
    items: list[TimelineItem] = []
    latest: datetime | None = None
    for event in ordered:
        lane = LANE_OF.get(event.type)
        if lane is None or (types is not None and event.type not in types):
            continue
        if latest is None or event.occurred_at > latest:
            latest = event.occurred_at
        start, end = event.occurred_at, spans.end_of(event)
        if (to is not None and start > to) or (from_ is not None and (end or start) < from_):
            continue
        class_name = event.type.lower().replace("_", "-")
        if is_withdrawn(event, retracted, withdrawn):
            class_name += f" {RETRACTED}"
        items.append(
            TimelineItem(
                id=event.event_id,
                group=lane,
                content=labels.content(event),
                start=start,
                end=end,
                type=POINT if end is None else RANGE,
                class_name=class_name,
                title=summary(event),
                event_id=event.event_id,
            )
        )
    return Timeline(
        groups=tuple(TimelineGroup(lane, heading) for lane, heading in LANES),
        items=tuple(items),
        latest=latest,
    )


class _Spans:
    """Where the range items end: tenures and commitments."""

    def __init__(self, ordered: list[IndexedEvent], retracted: set[str], lasting: datetime):
        self._lasting = lasting
        # Per role: the standing (unretracted) role events, by history index.
        self._role_steps: dict[str, tuple[list[int], list[datetime]]] = {}
        self._index = {event.event_id: index for index, event in enumerate(ordered)}
        self._last_activity: dict[str, datetime] = {}
        for index, event in enumerate(ordered):
            if event.event_id in retracted:
                continue
            if event.type in event_types.LEADERSHIP_EVENTS:
                role = event.data.get("role")
                if isinstance(role, str):
                    indexes, instants = self._role_steps.setdefault(role, ([], []))
                    indexes.append(index)
                    instants.append(event.occurred_at)
            elif event.type in (event_types.COMMITMENT_DELIVERED, event_types.COMMITMENT_RELEASED):
                commitment_id = event.data.get("commitmentId")
                if isinstance(commitment_id, str):
                    self._last_activity[commitment_id] = event.occurred_at

    def end_of(self, event: IndexedEvent) -> datetime | None:
        if event.type == event_types.LEADER_APPOINTED:
            return self._tenure_end(event)
        if event.type == event_types.COMMITMENT_MADE:
            return self._commitment_end(event)
        return None

    def _tenure_end(self, event: IndexedEvent) -> datetime:
        role = event.data.get("role")
        steps = self._role_steps.get(role) if isinstance(role, str) else None
        if steps is not None:
            indexes, instants = steps
            following = bisect_right(indexes, self._index[event.event_id])
            if following < len(indexes):
                return instants[following]
        return max(event.occurred_at, self._lasting)

    def _commitment_end(self, event: IndexedEvent) -> datetime:
        due = event.data.get("dueAt")
        end = event.occurred_at
        if isinstance(due, str):
            end = max(end, parse_instant(due))
        commitment_id = event.data.get("commitmentId")
        last = self._last_activity.get(commitment_id) if isinstance(commitment_id, str) else None
        return max(end, last) if last is not None else end


class _Labels:
    """Short item texts, naming partners by name where the history gives one."""

    def __init__(self, ordered: list[IndexedEvent]) -> None:
        self._names: dict[str, str] = {}
        self._units: dict[str, str] = {}
        for event in ordered:
            data = event.data
            if event.type == event_types.PARTNER_JOINED:
                self._names[str(data.get("partnerId"))] = str(data.get("name"))
            elif event.type == event_types.COMMITMENT_MADE:
                self._units[str(data.get("commitmentId"))] = str(data.get("unit") or "")

    def _partner(self, data: Data, key: str) -> str:
        partner_id = data.get(key)
        if not isinstance(partner_id, str):
            return "the partnership"
        return self._names.get(partner_id, partner_id)

    def content(self, event: IndexedEvent) -> str:
        label = LABELS.get(event.type)
        return summary(event) if label is None else label(self, event.data)

    def _release(self, data: Data) -> str:
        how = "by agreement" if data.get("byAgreement") is True else "without agreement"
        return f"{data.get('commitmentId')} released {how}"

    def _endorsement(self, data: Data) -> str:
        return (
            f"{self._partner(data, 'partnerId')} endorsed {data.get('goalId')} "
            f"v{data.get('version')} ({data.get('rating')}/5)"
        )

    def _check_in(self, data: Data) -> str:
        pair = f"{self._partner(data, 'respondentId')} on {self._partner(data, 'aboutId')}"
        if data.get("roundId") is None:
            return f"Check-in: {pair}"
        responses = data.get("responses")
        if isinstance(responses, int) and not isinstance(responses, bool):
            return f"Check-in round: {pair} ({count(responses, 'response')})"
        return f"Check-in round: {pair}"

    def _round_opened(self, data: Data) -> str:
        listed = _objects(data, "invitations")
        names = [self._partner(item, "partnerId") for item in listed]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        try:
            asked = sum(integer(item, "count") for item in listed)
        except EventDataError:
            asked = 0
        people = f" ({count(asked, 'person', 'people')} asked)" if asked else ""
        return f"Check-in round opened: {shown or 'nobody'}{people}"

    def _round_closed(self, data: Data) -> str:
        listed = _objects(data, "partners")
        try:
            invited = sum(integer(item, "invited") for item in listed)
            answered = sum(integer(item, "answered") for item in listed)
        except EventDataError:
            return "Check-in round closed"
        rate = f" ({percent(answered / invited)})" if invited else ""
        return f"Check-in round closed: {answered} of {invited} answered{rate}"

    def _commitment(self, data: Data) -> str:
        size, kind = data.get("quantity"), str(data.get("kind"))
        promised = (
            amount(float(size), str(data.get("unit") or ""))
            if isinstance(size, int | float)
            else "?"
        )
        return f"{self._partner(data, 'partnerId')}: {promised} of {KIND_WORDS.get(kind, kind)}"

    def _delivery(self, data: Data) -> str:
        size = data.get("quantity")
        unit = self._units.get(str(data.get("commitmentId")), "")
        delivered = amount(float(size), unit) if isinstance(size, int | float) else quantity(0.0)
        return f"Delivered {delivered} on {data.get('commitmentId')}"


def _objects(data: Data, key: str) -> list[Data]:
    """The objects listed under `key` (what is not an object is left out)."""
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


LABELS: Final[dict[str, Callable[[_Labels, Data], str]]] = {
    event_types.PARTNERSHIP_FORMED: lambda _, data: f"Formed: {data.get('name')}",
    event_types.PARTNER_JOINED: lambda _, data: f"{data.get('name')} joined",
    event_types.PARTNER_LEFT: lambda labels, data: f"{labels._partner(data, 'partnerId')} left",
    event_types.GOAL_SET: lambda _, data: f"Goal set: {data.get('statement')}",
    event_types.GOAL_REVISED: lambda _, data: f"Goal revised: {data.get('statement')}",
    event_types.GOAL_ENDORSED: _Labels._endorsement,
    event_types.GOAL_REAFFIRMED: lambda _, data: f"Goal reaffirmed: {data.get('goalId')}",
    event_types.GOAL_RETIRED: lambda _, data: f"Goal retired: {data.get('goalId')}",
    event_types.DECISION_RECORDED: lambda _, data: str(data.get("title")),
    event_types.COMMITMENT_MADE: _Labels._commitment,
    event_types.COMMITMENT_DELIVERED: _Labels._delivery,
    event_types.COMMITMENT_RELEASED: _Labels._release,
    event_types.RISK_SHARES_AGREED: lambda _, data: "Risk shares agreed",
    event_types.LEADER_APPOINTED: lambda _, data: f"{data.get('role')}: {data.get('person')}",
    event_types.LEADER_DEPARTED: lambda _, data: f"{data.get('role')} vacated",
    event_types.TRUST_CHECK_IN_RECORDED: _Labels._check_in,
    event_types.CHECK_IN_ROUND_OPENED: _Labels._round_opened,
    event_types.CHECK_IN_REMINDERS_SENT: lambda _, data: (
        f"Check-in reminders: {data.get('count')} sent"
    ),
    event_types.CHECK_IN_ROUND_CLOSED: _Labels._round_closed,
}
"""Each item's short text, by the type of its event: one for each kind with a lane."""
