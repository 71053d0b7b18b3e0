"""How figures, quantities and instants are written in sentences."""

from __future__ import annotations

from datetime import datetime
from typing import Final

UNIT_WORDS: Final = {"GBP": "GBP", "FTE_MONTHS": "FTE months", "DAYS": "days"}
KIND_WORDS: Final = {"FUNDING": "funding", "STAFF": "staff", "IN_KIND": "in-kind support"}
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def quantity(value: float) -> str:
    """`245,000`, `5.5`, `0.25`: no needless decimals, thousands separated."""
    tidy = round(value, 6)
    if tidy == int(tidy):
        return f"{int(tidy):,}"
    return f"{tidy:,}".rstrip("0").rstrip(".")


def amount(value: float, unit: str) -> str:
    """A quantity with its unit: `GBP 245,000`, `5.5 FTE months`, `100 days`."""
    if unit == "GBP":
        return f"GBP {quantity(value)}"
    return f"{quantity(value)} {UNIT_WORDS.get(unit, unit)}"


def figure(value: float) -> str:
    """A 0..1 figure to two decimals: `0.77`."""
    return f"{value:.2f}"


def percent(value: float) -> str:
    """A 0..1 figure as a percentage: `73%`."""
    return f"{value * 100:.0f}%"


def count(number: int, singular: str, plural: str | None = None) -> str:
    """`1 decision`, `3 decisions`."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def day(moment: datetime) -> str:
    """The calendar day of an instant: `2025-03-31`."""
    return moment.date().isoformat()


def calendar_day(moment: datetime) -> str:
    """The calendar day (UTC, as every instant here) of an instant, as the page writes
    days: `5 Mar 2026` (English month names whatever the locale)."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
