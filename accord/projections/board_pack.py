"""The board pack's content: what a partnership board reads before it meets (issue 18).

A pure function of a partnership's indexed events and four moments: `as_of`, `known_at`,
`since` (the last meeting; the pack tells the story from it to `as_of`) and the health
window. Everything is read through the same read model the API and `accord health` use:
the four questions as `health` answers them (status, every evidence line, the prompt),
each question's figures monthly over the previous 24 months (`health_series`, as
`healthSeries` gives them), the state as of `as_of` (commitments, leadership), the
check-in rounds, and the audit line (the newest event known at `known_at`). Nothing here
formats a page: `accord.web.board_pack` lays it out as HTML and a tagged PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.health import Health, Question, Status, health_at, prepare
from accord.projections.health.health_check import PROMPTS
from accord.projections.health.series import add_months, sample_instants
from accord.projections.health_report import QUESTION_TEXT
from accord.projections.records import IndexedEvent
from accord.projections.rounds import RoundStatus, check_in_rounds
from accord.projections.state import CommitmentStatus, commitments, leadership
from accord.projections.summary import summary
from accord.projections.visibility import known_events, retracted_ids
from accord.projections.wording import KIND_WORDS, amount

DEFAULT_SINCE_DAYS: Final = 90
"""`since` defaults to this many days before `as_of`."""
CHART_MONTHS: Final = 24
"""Each question's chart: its figures monthly over this many months before `as_of`."""

STATUS_WORDS: Final = {
    Status.GREEN: "Green",
    Status.AMBER: "Amber",
    Status.RED: "Red",
    Status.INSUFFICIENT_DATA: "Insufficient data",
}
"""A status as the pack writes it."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """A dashed line on a chart: a figure's threshold in the health check's rules."""

    label: str
    value: float


@dataclass(frozen=True, slots=True)
class ChartLine:
    label: str
    values: tuple[float | None, ...]
    """One value per month of the chart (None: the figure is null then)."""


@dataclass(frozen=True, slots=True)
class Chart:
    months: tuple[datetime, ...]
    lines: tuple[ChartLine, ...]
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True, slots=True)
class QuestionPage:
    question: Question
    text: str
    """"Is this a true partnership?" ..."""
    status: Status
    evidence: tuple[str, ...]
    """Exactly as `health` gives them."""
    prompt: str
    chart: Chart

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]


@dataclass(frozen=True, slots=True)
class DecisionItem:
    occurred_at: datetime
    title: str
    method: str
    category: str
    decided_by: tuple[str, ...]
    """Partner names."""
    dissented_by: tuple[str, ...]
    rationale: str | None


@dataclass(frozen=True, slots=True)
class CommitmentItem:
    """A commitment as the pack lists it: who promised what, by when, and what happened
    (`occurred_at` is the entry's own date: made, delivered or released)."""

    occurred_at: datetime
    partner: str
    what: str
    """`GBP 245,000 of funding`."""
    due_at: datetime
    description: str | None
    note: str
    """What happened: `delivered 5 FTE months`, `released by agreement: ...`,
    `12,000 of GBP 40,000 delivered`."""


@dataclass(frozen=True, slots=True)
class EntryItem:
    """An entry told as a sentence (a leadership or goal change, a record change)."""

    occurred_at: datetime
    sentence: str
    position: int
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Vacancy:
    role: str
    since: datetime
    days: float


@dataclass(frozen=True, slots=True)
class RoundItem:
    round_id: str
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    status: RoundStatus
    invited: int
    answered: int | None
    response_rate: float | None


@dataclass(frozen=True, slots=True)
class Audit:
    """The record the pack comes from: its newest event known at `known_at` (so the
    pack can be made again) and whether the whole chain verifies now."""

    position: int | None
    hash_prefix: str | None
    """The first 16 hex digits of that event's hash."""
    events_known: int
    chain_valid: bool | None
    """None: not checked."""
    events_checked: int | None = None


@dataclass(frozen=True, slots=True)
class PartnerItem:
    name: str
    sector: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class BoardPack:
    name: str
    purpose: str
    partners: tuple[PartnerItem, ...]
    as_of: datetime
    known_at: datetime
    since: datetime
    window_days: int
    classification: str
    questions: tuple[QuestionPage, ...]
    decisions: tuple[DecisionItem, ...]
    commitments_made: tuple[CommitmentItem, ...]
    commitments_delivered: tuple[CommitmentItem, ...]
    commitments_released: tuple[CommitmentItem, ...]
    commitments_overdue: tuple[CommitmentItem, ...]
    leadership_changes: tuple[EntryItem, ...]
    vacancies: tuple[Vacancy, ...]
    goal_changes: tuple[EntryItem, ...]
    rounds: tuple[RoundItem, ...]
    retracted: tuple[EntryItem, ...]
    """Entries retracted by a retraction recorded after `since` (as known at `known_at`)."""
    backdated: tuple[EntryItem, ...]
    """Entries recorded after `since` about a moment before it."""
    audit: Audit
    health: Health


# The figures each question's chart draws, and its thresholds (METRICS.md, Health check:
# the numbers the rules compare them with).
_Figure = Callable[[Health], float | None]


def _fulfilment(kind: str) -> _Figure:
    def read(health: Health) -> float | None:
        return next((k.value for k in health.capacity.fulfilment if k.kind == kind), None)

    return read


CHART_FIGURES: Final[dict[Question, tuple[tuple[str, _Figure], ...]]] = {
    Question.TRUE_PARTNERSHIP: (
        ("equality", lambda h: h.power.equality),
        ("equity", lambda h: h.power.equity),
        ("transparency", lambda h: h.power.transparency),
    ),
    Question.COMMON_GOALS: (
        ("coverage", lambda h: h.goals.coverage),
        ("agreement", lambda h: h.goals.agreement),
    ),
    Question.TRUST: (
        ("perceived", lambda h: h.trust.perceived),
        ("reliability (lowest)", lambda h: h.trust.reliability_min),
        ("reciprocity gap", lambda h: h.trust.reciprocity_gap),
    ),
    Question.WHO_DOES_THE_WORK: tuple(
        (f"{KIND_WORDS[kind]} fulfilment", _fulfilment(kind))
        for kind in ("FUNDING", "STAFF", "IN_KIND")
    ),
}
CHART_THRESHOLDS: Final[dict[Question, tuple[Threshold, ...]]] = {
    Question.TRUE_PARTNERSHIP: (
        Threshold("equality, Green without equity", 0.6),
        Threshold("equity, Green", 0.75),
        Threshold("transparency, Green", 0.9),
    ),
    Question.COMMON_GOALS: (
        Threshold("agreement, Red below", 0.5),
        Threshold("agreement, Green", 0.7),
        Threshold("coverage, Red below", 0.75),
    ),
    Question.TRUST: (
        Threshold("reciprocity gap, Green below", 0.25),
        Threshold("perceived and reliability, Red below", 0.5),
        Threshold("perceived and reliability, Green", 0.75),
    ),
    Question.WHO_DOES_THE_WORK: (
        Threshold("fulfilment, Red below", 0.75),
        Threshold("fulfilment, Green", 0.9),
    ),
}

METHOD_NOTES: Final[tuple[tuple[str, str], ...]] = (
    (
        "The record",
        "A figure as of a date, as known at a date, sees exactly the entries recorded by "
        "the second date that happened by the first, without those retracted by then. The "
        "window is the days before the as-of date (365 unless asked otherwise).",
    ),
    (
        "Equality",
        "Each decision in the window gives its significance (1 to 3) in equal parts to the "
        "partners who took it; equality is 1 minus the normalised Gini coefficient of the "
        "active partners' shares (1: equal say). It needs 5 decisions and 2 partners.",
    ),
    (
        "Equity",
        "1 minus half the total difference between each partner's decision share and what "
        "it contributes (its share of the deliveries in the window, of each kind) and "
        "risks (the latest agreed risk shares), averaged.",
    ),
    (
        "Transparency",
        "The share of the window's decisions recorded with a rationale.",
    ),
    (
        "Coverage and agreement",
        "Coverage: the share of active partners endorsing each active goal as it now "
        "stands, averaged over goals. Agreement: 1 minus half the variance of the "
        "endorsements' ratings (rwg; at least 3 ratings).",
    ),
    (
        "Staleness and revisions",
        "Days since any goal was last set, revised or reaffirmed; revisions in the window.",
    ),
    (
        "Perceived trust",
        "The mean check-in score ((item - 1) / 4 over reliability, openness, respect and "
        "shared ownership), latest per respondent and subject in the last 180 days; it "
        "needs two thirds of the partners to have answered.",
    ),
    (
        "Reliability",
        "Per partner (kept + 1) / (kept + broken + 2) over commitments due in the window; "
        "a commitment is kept when delivered within 14 days of its due date.",
    ),
    (
        "Reciprocity gap",
        "The largest difference between what two partners say of each other.",
    ),
    (
        "Fulfilment",
        "Per kind of resource, what was delivered of the commitments due in the window "
        "(each capped at its quantity) over what was promised, leaving out those released "
        "by agreement.",
    ),
    (
        "Leadership",
        "Vacant roles, the longest vacancy in days, and the window's appointments to a "
        "role that had a holder before.",
    ),
)
"""How each figure is computed, in short (docs/METRICS.md has the exact formulas)."""


def default_since(as_of: datetime) -> datetime:
    return as_of - timedelta(days=DEFAULT_SINCE_DAYS)


def _names(events: Sequence[IndexedEvent]) -> dict[str, str]:
    names: dict[str, str] = {}
    for event in events:
        if event.type == types.PARTNER_JOINED:
            partner_id = event_data.optional_text(event.data, "partnerId")
            name = event_data.optional_text(event.data, "name")
            if partner_id and name:
                names[partner_id] = name
    return names


def _chart(question: Question, series: Sequence[Health]) -> Chart:
    return Chart(
        months=tuple(sample.as_of for sample in series),
        lines=tuple(
            ChartLine(label, tuple(read(sample) for sample in series))
            for label, read in CHART_FIGURES[question]
        ),
        thresholds=CHART_THRESHOLDS[question],
    )


def _entry(event: IndexedEvent, sentence: str | None = None) -> EntryItem:
    return EntryItem(
        event.occurred_at, sentence or summary(event), event.position, event.recorded_at
    )


def build_board_pack(
    events: Sequence[IndexedEvent],
    *,
    as_of: datetime,
    known_at: datetime,
    since: datetime | None = None,
    window_days: int = 365,
    chain_valid: bool | None = None,
    events_checked: int | None = None,
) -> BoardPack:
    """The pack of the partnership whose indexed events are `events`, as of `as_of`, as
    known at `known_at`, telling what happened after `since` (default: 90 days before
    `as_of`). `chain_valid` is whether the whole hash chain verifies now (None: not
    checked), as the caller found it."""
    since = default_since(as_of) if since is None else since
    history = prepare(events, known_at)
    now = health_at(history, as_of, window_days)
    series = [
        health_at(history, moment, window_days)
        for moment in sample_instants(add_months(as_of, -CHART_MONTHS), as_of, "MONTH")
    ]
    questions = tuple(
        QuestionPage(
            question=answer.question,
            text=QUESTION_TEXT[answer.question.value],
            status=answer.status,
            evidence=answer.evidence,
            prompt=answer.prompt or PROMPTS[answer.question],
            chart=_chart(answer.question, series),
        )
        for answer in now.check.answers
    )
    recorded = [event for event in events if event.recorded_at <= known_at]
    known = known_events(events, known_at)
    names = _names(known)

    def name(partner_id: str) -> str:
        return names.get(partner_id, partner_id)

    formed = next((e for e in known if e.type == types.PARTNERSHIP_FORMED), None)
    period = [event for event in known if since < event.occurred_at <= as_of]
    decisions = tuple(
        DecisionItem(
            occurred_at=event.occurred_at,
            title=event_data.text(event.data, "title"),
            method=event_data.text(event.data, "method"),
            category=event_data.text(event.data, "category"),
            decided_by=tuple(name(p) for p in event_data.id_list(event.data, "decidedBy")),
            dissented_by=tuple(name(p) for p in event_data.id_list(event.data, "dissentedBy")),
            rationale=event_data.optional_text(event.data, "rationale"),
        )
        for event in period
        if event.type == types.DECISION_RECORDED
    )
    made_events = {
        event_data.text(e.data, "commitmentId"): e
        for e in known
        if e.type == types.COMMITMENT_MADE and e.occurred_at <= as_of
    }

    def commitment_item(commitment_id: str, at: datetime, note: str) -> CommitmentItem | None:
        made = made_events.get(commitment_id)
        if made is None:
            return None
        data = made.data
        kind = event_data.text(data, "kind")
        return CommitmentItem(
            occurred_at=at,
            partner=name(event_data.text(data, "partnerId")),
            what=f"{amount(event_data.number(data, 'quantity'), event_data.text(data, 'unit'))}"
            f" of {KIND_WORDS.get(kind, kind)}",
            due_at=event_data.instant(data, "dueAt"),
            description=event_data.optional_text(data, "description"),
            note=note,
        )

    made_list: list[CommitmentItem | None] = []
    delivered: list[CommitmentItem | None] = []
    released: list[CommitmentItem | None] = []
    for event in period:
        if event.type == types.COMMITMENT_MADE:
            item = commitment_item(
                event_data.text(event.data, "commitmentId"), event.occurred_at, "made"
            )
            made_list.append(item)
        elif event.type == types.COMMITMENT_DELIVERED:
            commitment_id = event_data.text(event.data, "commitmentId")
            made = made_events.get(commitment_id)
            unit = event_data.text(made.data, "unit") if made else ""
            item = commitment_item(
                commitment_id,
                event.occurred_at,
                f"delivered {amount(event_data.number(event.data, 'quantity'), unit)}",
            )
            delivered.append(item)
        elif event.type == types.COMMITMENT_RELEASED:
            agreed = event_data.flag(event.data, "byAgreement")
            how = "by agreement" if agreed else "without agreement"
            reason = event_data.optional_text(event.data, "reason")
            item = commitment_item(
                event_data.text(event.data, "commitmentId"),
                event.occurred_at,
                f"released {how}" + (f": {reason}" if reason else ""),
            )
            released.append(item)
    overdue: list[CommitmentItem | None] = []
    for commitment in commitments(events, as_of, known_at):
        if commitment.status not in (CommitmentStatus.OPEN, CommitmentStatus.BROKEN):
            continue  # kept, or released
        if commitment.due_at > as_of:
            continue  # every one past due, not only those due in the health window
        if commitment.delivered >= commitment.quantity:
            continue
        overdue.append(
            commitment_item(
                commitment.id,
                commitment.due_at,
                f"{amount(commitment.delivered, commitment.unit)} of "
                f"{amount(commitment.quantity, commitment.unit)} delivered"
                + (" (broken)" if commitment.status is CommitmentStatus.BROKEN else ""),
            )
        )
    leadership_changes = tuple(
        _entry(event) for event in period if event.type in types.LEADERSHIP_EVENTS
    )
    vacancies = tuple(
        Vacancy(role.role, role.since, (as_of - role.since).total_seconds() / 86400)
        for role in leadership(events, as_of, known_at)
        if role.vacant
    )
    goal_changes = tuple(_entry(event) for event in period if event.type in types.GOAL_EVENTS)
    rounds = tuple(
        RoundItem(
            round_id=view.id,
            opened_at=view.opened_at,
            closes_at=view.closes_at,
            closed_at=view.closed_at,
            status=view.status,
            invited=view.invited,
            answered=view.answered,
            response_rate=view.response_rate,
        )
        for view in check_in_rounds(events, as_of, known_at)
        if view.status is RoundStatus.OPEN
        or (view.closed_at is not None and view.closed_at > since)
        or view.opened_at > since
    )
    retracted = retracted_ids(recorded, known_at)
    by_id = {event.event_id: event for event in recorded}
    retractions = [
        event
        for event in recorded
        if event.type == types.ENTRY_RETRACTED and event.recorded_at > since
    ]
    retracted_items = tuple(
        _entry(by_id[target])
        for event in retractions
        if (target := event_data.optional_text(event.data, "eventId")) in by_id
    )
    backdated = tuple(
        _entry(event)
        for event in recorded
        if event.recorded_at > since
        and event.occurred_at <= since
        and event.type not in types.RECORD_EVENTS
        and event.event_id not in retracted
    )
    newest = max(recorded, key=lambda event: event.position, default=None)
    active = now.partners
    return BoardPack(
        name=event_data.text(formed.data, "name") if formed else "",
        purpose=(event_data.optional_text(formed.data, "purpose") or "") if formed else "",
        partners=tuple(
            PartnerItem(partner.name, partner.sector, partner.joined_at)
            for partner in active.values()
            if partner.left_at is None
        ),
        as_of=as_of,
        known_at=known_at,
        since=since,
        window_days=window_days,
        classification=now.check.classification.value,
        questions=questions,
        decisions=decisions,
        commitments_made=tuple(i for i in made_list if i is not None),
        commitments_delivered=tuple(i for i in delivered if i is not None),
        commitments_released=tuple(i for i in released if i is not None),
        commitments_overdue=tuple(i for i in overdue if i is not None),
        leadership_changes=leadership_changes,
        vacancies=vacancies,
        goal_changes=goal_changes,
        rounds=rounds,
        retracted=retracted_items,
        backdated=backdated,
        audit=Audit(
            position=newest.position if newest else None,
            hash_prefix=newest.hash[:16] if newest else None,
            events_known=len(recorded),
            chain_valid=chain_valid,
            events_checked=events_checked,
        ),
        health=now,
    )
