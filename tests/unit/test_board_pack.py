"""The board pack's content (`accord.projections.board_pack`), a pure function of the
events: what `health` and `health_series` say, the entries since `since`, and the record's
own changes, on the shared scenario hartmoor-b."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accord.domain.instants import parse_instant
from accord.projections.board_pack import (
    CHART_FIGURES,
    STATUS_WORDS,
    build_board_pack,
    default_since,
)
from accord.projections.health import health, health_series
from accord.projections.health.series import add_months
from accord.projections.visibility import visible_events
from tests.support.scenarios import build_history, load_steps

HISTORY = build_history(load_steps("hartmoor-b"), "hartmoor-b")
AS_OF = parse_instant("2026-09-30T17:00:00+00:00")


def test_each_question_is_health_s_answer_and_its_chart_the_monthly_series() -> None:
    known_at = HISTORY.known_at[2]
    pack = build_board_pack(HISTORY.events, as_of=AS_OF, known_at=known_at, window_days=365)
    reading = health(HISTORY.events, AS_OF, known_at, 365)
    series = health_series(HISTORY.events, add_months(AS_OF, -24), AS_OF, "MONTH", known_at, 365)
    assert pack.since == default_since(AS_OF) == AS_OF - timedelta(days=90)
    for page, answer in zip(pack.questions, reading.check.answers, strict=True):
        assert (page.question, page.status, page.evidence, page.prompt) == (
            answer.question,
            answer.status,
            answer.evidence,
            answer.prompt,
        )
        assert page.status_word in ("Green", "Amber", "Red", "Insufficient data")
        assert page.status_word == STATUS_WORDS[answer.status]
        assert page.chart.months == tuple(sample.as_of for sample in series)
        for line, (label, read) in zip(page.chart.lines, CHART_FIGURES[page.question], strict=True):
            assert line.label == label
            assert line.values == tuple(read(sample) for sample in series)
        assert page.chart.thresholds


def test_the_story_since_lists_what_happened_after_since_as_known_then() -> None:
    known_at = HISTORY.known_at[2]
    since = AS_OF - timedelta(days=200)
    pack = build_board_pack(
        HISTORY.events, as_of=AS_OF, known_at=known_at, since=since, window_days=365
    )
    seen = [e for e in visible_events(HISTORY.events, AS_OF, known_at) if e.occurred_at > since]
    decisions = [e for e in seen if e.type == "DECISION_RECORDED"]
    assert [d.title for d in pack.decisions] == [e.data["title"] for e in decisions]
    assert all(since < d.occurred_at <= AS_OF for d in pack.decisions)
    made = [e for e in seen if e.type == "COMMITMENT_MADE"]
    assert len(pack.commitments_made) == len(made)
    delivered = [e for e in seen if e.type == "COMMITMENT_DELIVERED"]
    assert len(pack.commitments_delivered) == len(delivered)
    assert all(item.due_at <= AS_OF for item in pack.commitments_overdue)
    assert all(v.days >= 0 for v in pack.vacancies)
    # The audit line: the newest event recorded by knownAt.
    newest = max((e for e in HISTORY.events if e.recorded_at <= known_at), key=lambda e: e.position)
    assert (pack.audit.position, pack.audit.hash_prefix) == (newest.position, newest.hash[:16])


def test_retractions_and_backdated_entries_recorded_since_are_the_record_s_changes() -> None:
    # Phase 2 is recorded after k1 and backdated: as known after it, with `since` at k1,
    # its retractions and backdated entries are the record's changes; as known at k1,
    # there are none.
    k1, k2 = HISTORY.known_at[1], HISTORY.known_at[2]
    after = build_board_pack(HISTORY.events, as_of=AS_OF, known_at=k2, since=k1)
    retractions = [e for e in HISTORY.events if e.type == "ENTRY_RETRACTED"]
    assert retractions and len(after.retracted) == len(retractions)
    targets = {e.data["eventId"] for e in retractions}
    by_position = {e.position: e for e in HISTORY.events}
    assert {by_position[item.position].event_id for item in after.retracted} == targets
    assert after.backdated and all(
        item.occurred_at <= k1 < item.recorded_at for item in after.backdated
    )
    before = build_board_pack(HISTORY.events, as_of=AS_OF, known_at=k1, since=k1)
    assert before.retracted == () and before.backdated == ()


def test_before_anything_is_known_the_pack_is_empty_but_whole() -> None:
    early = datetime(2020, 1, 1, tzinfo=UTC)
    pack = build_board_pack(HISTORY.events, as_of=early, known_at=early)
    assert pack.name == "" and pack.partners == () and pack.decisions == ()
    assert {q.status_word for q in pack.questions} == {"Insufficient data"}
    assert pack.audit.position is None and pack.audit.events_known == 0
