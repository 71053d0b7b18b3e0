"""The history as lanes and items, in the shape vis-timeline reads directly."""

from __future__ import annotations

from datetime import datetime

import strawberry

from accord.projections import timeline as model


@strawberry.type(description="A lane of the timeline.")
class TimelineGroup:
    id: strawberry.ID = strawberry.field(
        description="GOALS, DECISIONS, COMMITMENTS, LEADERSHIP, PARTNERS or TRUST."
    )
    content: str = strawberry.field(description="The lane's heading.")


@strawberry.type(description="One entry on the timeline: a point, a box or a range.")
class TimelineItem:
    id: strawberry.ID = strawberry.field(description="The item's id (its event's id).")
    group: strawberry.ID = strawberry.field(description="The id of its lane.")
    content: str = strawberry.field(description="Its label, as plain text.")
    start: datetime = strawberry.field(description="When it happened, or when its span starts.")
    end: datetime | None = strawberry.field(
        description=(
            "When its span ends: a leader's departure (or, while the tenure lasts, the "
            "timeline's `asOf`, by default now, whatever `from` and `to` are), a "
            "commitment's later of `dueAt` and last delivery or release. Null for points."
        )
    )
    type: str = strawberry.field(description="`point`, `box` or `range`.")
    class_name: str = strawberry.field(
        description="CSS classes: the event type (`decision-recorded`), plus `retracted` if it is."
    )
    title: str | None = strawberry.field(description="A sentence describing it (a tooltip).")
    event_id: strawberry.ID = strawberry.field(description="The event the item shows.")


@strawberry.type(description="The history as lanes (groups) and items, for vis-timeline.")
class Timeline:
    groups: list[TimelineGroup] = strawberry.field(description="The lanes, in display order.")
    items: list[TimelineItem] = strawberry.field(description="The items, in history order.")
    latest: datetime | None = strawberry.field(
        description=(
            "The latest `start` of any item of the types asked for, whether or not it is in "
            "the window `from`..`to` (null for none): where to look when the window is empty."
        )
    )


def timeline_of(timeline: model.Timeline) -> Timeline:
    return Timeline(
        groups=[
            TimelineGroup(id=strawberry.ID(group.id), content=group.content)
            for group in timeline.groups
        ],
        items=[
            TimelineItem(
                id=strawberry.ID(item.id),
                group=strawberry.ID(item.group),
                content=item.content,
                start=item.start,
                end=item.end,
                type=item.type,
                class_name=item.class_name,
                title=item.title,
                event_id=strawberry.ID(item.event_id),
            )
            for item in timeline.items
        ],
        latest=timeline.latest,
    )
