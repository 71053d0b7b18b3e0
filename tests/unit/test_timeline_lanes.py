"""The timeline: six lanes, points and ranges, retracted items marked."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from accord.projections.timeline import Timeline, TimelineItem, timeline
from tests.unit.history_builder import KNOWN, HistoryBuilder, day

NOW = day(1000)


def _timeline(history: HistoryBuilder, **options: object) -> Timeline:
    arguments: dict[str, object] = {
        "from_": None,
        "to": None,
        "types": None,
        "known_at": KNOWN,
        "now": NOW,
    }
    arguments.update(options)
    return timeline(history.events, **arguments)  # type: ignore[arg-type]


def _by_event(result: Timeline) -> dict[str, TimelineItem]:
    return {item.event_id: item for item in result.items}


def test_there_is_one_group_per_lane() -> None:
    result = _timeline(HistoryBuilder())
    assert [(group.id, group.content) for group in result.groups] == [
        ("GOALS", "Goals"),
        ("DECISIONS", "Decisions"),
        ("COMMITMENTS", "Commitments"),
        ("LEADERSHIP", "Leadership"),
        ("PARTNERS", "Partners"),
        ("TRUST", "Trust"),
    ]


def test_each_event_is_a_point_in_its_lane_named_by_its_type() -> None:
    history = HistoryBuilder(("a", "b"))
    decision = history.decide(day(1), ["a"])
    check_in = history.check_in("a", "b", 4, day(2))
    goal = history.set_goal("g", day(3))
    items = _by_event(_timeline(history))
    assert (items[decision.event_id].group, items[decision.event_id].type) == ("DECISIONS", "point")
    assert items[decision.event_id].class_name == "decision-recorded"
    assert items[decision.event_id].end is None
    assert items[decision.event_id].content == decision.data["title"]
    assert items[decision.event_id].title == (
        f"Decision '{decision.data['title']}' recorded (DELIVERY, by a)"
    )
    assert items[check_in.event_id].group == "TRUST"
    assert items[check_in.event_id].content == "Check-in: a name on b name"
    assert items[goal.event_id].group == "GOALS"
    assert [item.group for item in _timeline(history).items][:3] == ["PARTNERS"] * 3


def test_a_tenure_runs_from_appointment_to_departure_or_replacement() -> None:
    history = HistoryBuilder(("a", "b"))
    first = history.appoint("Chair", "a", "Ann", day(1))
    departure = history.depart("Chair", day(5))
    second = history.appoint("Chair", "b", "Bob", day(7))
    third = history.appoint("Chair", "a", "Ali", day(9))
    items = _by_event(_timeline(history))
    assert (items[first.event_id].type, items[first.event_id].end) == ("range", day(5))
    assert (items[departure.event_id].type, items[departure.event_id].group) == (
        "point",
        "LEADERSHIP",
    )
    assert items[second.event_id].end == day(9)
    assert items[third.event_id].end == NOW
    # A tenure still lasting ends at the timeline's as-of, whatever window is asked for.
    assert _by_event(_timeline(history, to=day(20)))[third.event_id].end == NOW


def test_a_retracted_departure_lets_the_tenure_run_on() -> None:
    history = HistoryBuilder(("a",))
    appointment = history.appoint("Chair", "a", "Ann", day(1))
    departure = history.depart("Chair", day(5))
    history.retract(departure)
    items = _by_event(_timeline(history))
    assert items[appointment.event_id].end == NOW
    assert items[departure.event_id].class_name == "leader-departed retracted"


def test_a_commitment_runs_to_the_later_of_its_due_date_and_its_last_delivery() -> None:
    history = HistoryBuilder(("a",))
    early = history.commit("c1", "a", "FUNDING", 10, day(10), day(1))
    late = history.commit("c2", "a", "FUNDING", 10, day(10), day(1))
    released = history.commit("c3", "a", "FUNDING", 10, day(10), day(1))
    history.deliver("c1", 10, day(5))
    history.deliver("c2", 5, day(12))
    history.deliver("c2", 5, day(15))
    history.release("c3", day(20), by_agreement=True)
    items = _by_event(_timeline(history))
    assert (items[early.event_id].type, items[early.event_id].end) == ("range", day(10))
    assert items[late.event_id].end == day(15)
    assert items[released.event_id].end == day(20)
    assert items[early.event_id].content == "a name: GBP 10 of funding"


def test_retracted_items_are_shown_marked_as_known_at_known_at() -> None:
    history = HistoryBuilder(("a",))
    made = history.commit("c1", "a", "FUNDING", 10, day(10), day(1))
    delivery = history.deliver("c1", 10, day(5))
    retraction = history.retract(made)
    items = _by_event(_timeline(history))
    assert items[made.event_id].class_name == "commitment-made retracted"
    assert items[delivery.event_id].class_name == "commitment-delivered retracted"
    assert retraction.event_id not in items
    earlier = _by_event(_timeline(history, known_at=retraction.recorded_at - timedelta(seconds=1)))
    assert earlier[made.event_id].class_name == "commitment-made"


def test_role_grants_are_not_items_and_later_recordings_are_hidden() -> None:
    history = HistoryBuilder(("a",))
    grant = history.add("grantRole", day(1), actor="alice", role="ADMIN")
    late = history.decide(day(1), ["a"], recorded_at=KNOWN + timedelta(days=1))
    items = _by_event(_timeline(history))
    assert grant.event_id not in items
    assert late.event_id not in items


def test_types_and_the_from_to_interval_filter_the_items() -> None:
    history = HistoryBuilder(("a",))
    history.decide(day(1), ["a"])
    inside = history.decide(day(5), ["a"])
    history.decide(day(9), ["a"])
    tenure = history.appoint("Chair", "a", "Ann", day(2))
    only_decisions = _timeline(history, types=["DECISION_RECORDED"])
    assert {item.group for item in only_decisions.items} == {"DECISIONS"}
    window = _by_event(_timeline(history, from_=day(4), to=day(6)))
    assert set(window) == {inside.event_id, tenure.event_id}
    assert window[tenure.event_id].end == NOW


def test_neighbouring_windows_agree_on_every_item_they_both_show() -> None:
    """An item's id and end never depend on the window asked for: a client may load the
    window on screen, then its neighbours, and merge them by id."""
    history = HistoryBuilder(("a", "b"))
    for offset in range(0, 60, 3):
        history.decide(day(offset), ["a"])
    history.appoint("Chair", "a", "Ann", day(4))
    history.appoint("Chair", "b", "Bea", day(25))
    history.appoint("Treasurer", "b", "Cy", day(31))  # still lasting
    history.check_in("a", "b", 4, day(40))
    whole = {item.id: item for item in _timeline(history).items}
    edges = [None, day(10), day(20), day(30), day(45), None]
    seen: dict[str, TimelineItem] = {}
    for from_, to in pairwise(edges):
        for item in _timeline(history, from_=from_, to=to).items:
            assert item == whole[item.id]
            assert seen.setdefault(item.id, item) == item
    assert set(seen) == set(whole)
    lasting = [item for item in whole.values() if item.content == "Treasurer: Cy"]
    assert [item.end for item in lasting] == [NOW]
