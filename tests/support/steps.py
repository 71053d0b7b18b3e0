"""Recording a steps file one command at a time, through the service (as clients do),
rather than as one import."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.application.service import AccordApplication, Outcome


def record_steps(
    app: AccordApplication, steps: list[dict[str, Any]], actor: str = "recorder"
) -> Iterator[Outcome]:
    """Each step's outcome, as it is recorded (`eventRef` N names step N's event)."""
    events: list[str] = []
    pid = ""
    for index, step in enumerate(steps):
        raw = dict(step["input"])
        if index:
            raw["partnershipId"] = pid
        if "eventRef" in step:
            raw["eventId"] = events[step["eventRef"]]
        outcome = app.execute(step["mutation"], raw, actor=actor)
        pid = str(outcome.partnership_id)
        events.append(outcome.event.event_id)
        yield outcome
