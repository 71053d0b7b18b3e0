"""Goals: clear and common goals (METRICS.md, Goals).

Coverage is how many active partners endorse each goal's current version; agreement
is rwg (James, Demaree & Wolf 1984) over those endorsements' ratings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from fractions import Fraction

from accord.projections.health.model import GoalHealth
from accord.projections.health.prepared import PreparedHistory, Sample
from accord.projections.moments import days

MIN_RATINGS = 3
"""Agreement needs at least this many ratings."""

UNIFORM_VARIANCE = 2
"""The variance of a uniform 5-point scale."""


def goals(history: PreparedHistory, sample: Sample) -> GoalHealth:
    """Coverage and agreement of the active goals, how stale they are, and how often
    they were revised in the window."""
    index = history.goals
    active_goals = index.active_goals(sample.at, sample.active_set)
    partners = len(sample.active)
    coverage = (
        float(
            Fraction(sum(len(goal.endorsements) for goal in active_goals))
            / (partners * len(active_goals))
        )
        if active_goals and partners
        else None
    )
    agreements = [
        value
        for value in (agreement([e.rating for e in goal.endorsements]) for goal in active_goals)
        if value is not None
    ]
    latest = bisect_right(index.setting_instants, sample.at)
    revisions = bisect_right(index.revision_instants, sample.at) - bisect_right(
        index.revision_instants, sample.window_start
    )
    return GoalHealth(
        active_goals=len(active_goals),
        coverage=coverage,
        agreement=float(sum(agreements) / len(agreements)) if agreements else None,
        staleness_days=(days(sample.at - index.setting_instants[latest - 1]) if latest else None),
        revisions=revisions,
    )


def agreement(ratings: Sequence[int]) -> Fraction | None:
    """`max(0, 1 - s^2 / 2)`, s^2 the sample variance of the ratings; None for fewer
    than three ratings."""
    count = len(ratings)
    if count < MIN_RATINGS:
        return None
    total = sum(ratings)
    variance = Fraction(count * sum(r * r for r in ratings) - total * total, count * (count - 1))
    return max(Fraction(0), 1 - variance / UNIFORM_VARIANCE)
