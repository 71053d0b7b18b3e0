"""Trust check-ins: each (respondent, about) pair's latest score in a window.

A check-in scores four items 1-5; its score is the mean of `(x - 1) / 4` (0..1).
`about` is None for a check-in about the partnership as a whole. A check-in a round
recorded has decimal items (the unrounded means of its answers) and counts like any other.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Final

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.moments import DAY, micros
from accord.projections.records import IndexedEvent

CHECK_IN_WINDOW: Final = 180 * DAY
"""Check-ins count for 180 days."""

ITEMS: Final = ("reliability", "openness", "respect", "sharedOwnership")

Pair = tuple[str, str | None]


def check_in_score(data: event_data.Data) -> float:
    """The mean of `(x - 1) / 4` over the four items (whole numbers, or the decimals a
    check-in round records). Each `(x - 1) / 4` is exact for x in 1..5 and `fsum` rounds
    their sum once, so the score is the correctly rounded mean."""
    return math.fsum((event_data.number(data, item) - 1) / 4 for item in ITEMS) / 4


@dataclass(slots=True)
class _PairTrack:
    instants: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Perception:
    """The scores that count at an instant, one per (respondent, about) pair."""

    scores: dict[Pair, float]
    respondents: int
    perceived: float | None
    """Mean score; null unless respondents >= ceil(2n/3)."""


class CheckInIndex:
    """Every known check-in, by (respondent, about) pair."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        """`events`: known events in history order (other types are skipped)."""
        self._pairs: dict[Pair, _PairTrack] = {}
        for event in events:
            if event.type != types.TRUST_CHECK_IN_RECORDED:
                continue
            pair = (
                event_data.text(event.data, "respondentId"),
                event_data.optional_text(event.data, "aboutId"),
            )
            track = self._pairs.setdefault(pair, _PairTrack())
            track.instants.append(micros(event.occurred_at))
            track.scores.append(check_in_score(event.data))

    def perception(self, at: int, active: Collection[str]) -> Perception:
        """The latest score of each pair in `(at - 180 days, at]` whose partners are
        active, and what they add up to (`active`: the partners active at `at`)."""
        scores: dict[Pair, float] = {}
        for pair, track in self._pairs.items():
            respondent, about = pair
            if respondent not in active or (about is not None and about not in active):
                continue
            index = bisect_right(track.instants, at) - 1
            if index >= 0 and track.instants[index] > at - CHECK_IN_WINDOW:
                scores[pair] = track.scores[index]
        respondents = len({respondent for respondent, _ in scores})
        enough = respondents >= (2 * len(active) + 2) // 3
        perceived = math.fsum(scores.values()) / len(scores) if scores and enough else None
        return Perception(scores=scores, respondents=respondents, perceived=perceived)
