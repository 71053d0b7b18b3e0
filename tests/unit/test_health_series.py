"""Health series: sample instants, and a series equals separate health readings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accord.domain.instants import parse_instant
from accord.projections.health import (
    Interval,
    health,
    health_series,
    health_to_json,
    sample_instants,
)
from tests.support.scenarios import load_history


def _days(samples: list[datetime]) -> list[str]:
    return [sample.isoformat() for sample in samples]


def test_monthly_samples_keep_the_day_of_month_clamped_to_shorter_months() -> None:
    start = datetime(2025, 1, 31, 10, 30, tzinfo=UTC)
    samples = sample_instants(start, datetime(2025, 5, 30, tzinfo=UTC), Interval.MONTH)
    assert _days(samples) == [
        "2025-01-31T10:30:00+00:00",
        "2025-02-28T10:30:00+00:00",
        "2025-03-31T10:30:00+00:00",
        "2025-04-30T10:30:00+00:00",
    ]


def test_monthly_samples_reach_the_twenty_ninth_of_february_in_a_leap_year() -> None:
    start = datetime(2024, 1, 30, tzinfo=UTC)
    samples = sample_instants(start, datetime(2024, 3, 30, tzinfo=UTC), "MONTH")
    assert [sample.date().isoformat() for sample in samples] == [
        "2024-01-30",
        "2024-02-29",
        "2024-03-30",
    ]


def test_quarterly_samples_move_on_three_months_across_years() -> None:
    start = datetime(2024, 11, 30, 23, 59, tzinfo=UTC)
    samples = sample_instants(start, datetime(2025, 12, 1, tzinfo=UTC), Interval.QUARTER)
    assert [sample.date().isoformat() for sample in samples] == [
        "2024-11-30",
        "2025-02-28",
        "2025-05-30",
        "2025-08-30",
        "2025-11-30",
    ]


def test_daily_and_weekly_samples_include_to() -> None:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    end = datetime(2025, 3, 15, tzinfo=UTC)
    assert len(sample_instants(start, end, "DAY")) == 15
    assert _days(sample_instants(start, end, "WEEK"))[-1] == "2025-03-15T00:00:00+00:00"
    assert sample_instants(end, start, "DAY") == []


def test_an_unknown_interval_is_refused() -> None:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        sample_instants(start, start, "YEAR")


def test_a_series_of_48_months_equals_48_separate_health_readings() -> None:
    history = load_history("hartmoor-a")
    known_at = history.known_at[2]
    start = parse_instant("2022-10-31")
    end = parse_instant("2026-09-30", end_of_day=True)
    series = health_series(history.events, start, end, Interval.MONTH, known_at, 180)
    assert len(series) == 48
    for reading in series:
        alone = health(history.events, reading.as_of, known_at, 180)
        assert health_to_json(reading) == health_to_json(alone)
        assert reading == alone
    assert series[4].as_of == parse_instant("2023-02-28")
