"""Threshold tests as METRICS.md makes them: on the figure rounded to 9 decimal places,
and a null compared with a number is false."""

from __future__ import annotations

PLACES = 9


def rounded(value: float) -> float:
    return round(value, PLACES)


def at_least(value: float | None, threshold: float) -> bool:
    return value is not None and rounded(value) >= threshold


def at_most(value: float | None, threshold: float) -> bool:
    return value is not None and rounded(value) <= threshold


def below(value: float | None, threshold: float) -> bool:
    return value is not None and rounded(value) < threshold


def above(value: float | None, threshold: float) -> bool:
    return value is not None and rounded(value) > threshold


def equals(value: float | None, target: float) -> bool:
    return value is not None and rounded(value) == target
