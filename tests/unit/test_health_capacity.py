"""Capacity: fulfilment of commitments due in the window, what is still to come, and
the leadership roles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accord.projections.health import Capacity
from tests.unit.history_builder import HistoryBuilder, day, read


def _amounts(entries: tuple) -> dict[str, float]:  # type: ignore[type-arg]
    return {entry.kind: entry.value for entry in entries}


def _capacity(history: HistoryBuilder, at_day: float, window_days: int = 365) -> Capacity:
    return read(history, day(at_day), window_days).capacity


def test_fulfilment_caps_each_delivery_at_its_quantity() -> None:
    history = HistoryBuilder(("a", "b"))
    history.commit("c1", "a", "FUNDING", 100, day(10), day(1))
    history.commit("c2", "b", "FUNDING", 100, day(10), day(1))
    history.deliver("c1", 150, day(5))
    history.deliver("c2", 50, day(5))
    history.deliver("c2", 50, day(21))  # after t
    assert _amounts(_capacity(history, 20).fulfilment) == {"FUNDING": 0.75}


def test_fulfilment_leaves_out_commitments_released_by_agreement_only() -> None:
    history = HistoryBuilder(("a",))
    history.commit("c1", "a", "STAFF", 4, day(10), day(1))
    history.commit("c2", "a", "STAFF", 4, day(10), day(1))
    history.commit("c3", "a", "STAFF", 4, day(10), day(1))
    history.deliver("c1", 4, day(5))
    history.release("c2", day(6), by_agreement=True)
    history.release("c3", day(6), by_agreement=False)
    assert _amounts(_capacity(history, 20).fulfilment) == {"STAFF": 0.5}


def test_fulfilment_covers_commitments_due_in_the_window_only_and_lists_kinds_with_one() -> None:
    history = HistoryBuilder(("a",))
    history.commit("c1", "a", "IN_KIND", 10, day(10), day(1))
    history.commit("c2", "a", "FUNDING", 10, day(40), day(1))
    assert _amounts(_capacity(history, 30).fulfilment) == {"IN_KIND": 0.0}
    assert _amounts(_capacity(history, 30, 21).fulfilment) == {"IN_KIND": 0.0}
    assert _amounts(_capacity(history, 30, 20).fulfilment) == {}
    assert _amounts(_capacity(history, 5).fulfilment) == {}


def test_fulfilment_covers_partners_who_have_left() -> None:
    history = HistoryBuilder(("a", "b"))
    history.commit("c1", "b", "FUNDING", 10, day(10), day(1))
    history.deliver("c1", 5, day(2))
    history.leave("b", day(3))
    assert _amounts(_capacity(history, 20).fulfilment) == {"FUNDING": 0.5}


def test_outstanding_sums_what_is_still_owed_on_commitments_not_yet_due() -> None:
    history = HistoryBuilder(("a", "b"))
    history.commit("c1", "a", "FUNDING", 1000, day(100), day(1))
    history.commit("c2", "b", "FUNDING", 500.5, day(200), day(2))
    history.commit("c3", "a", "STAFF", 2, day(100), day(1))
    history.commit("c4", "a", "IN_KIND", 5, day(100), day(1))
    history.commit("c5", "a", "IN_KIND", 5, day(100), day(30))  # made after t
    history.deliver("c1", 250, day(3))
    history.deliver("c3", 3, day(3))  # over-delivered: owes nothing
    history.release("c4", day(4), by_agreement=False)
    assert _amounts(_capacity(history, 10).outstanding) == {"FUNDING": 1250.5, "STAFF": 0.0}


def test_outstanding_is_exact_for_fractional_quantities() -> None:
    history = HistoryBuilder(("a",))
    for index in range(10):
        history.commit(f"c{index}", "a", "STAFF", 0.1, day(100), day(1))
    history.commit("big", "a", "FUNDING", 1e9 + 0.1, day(100), day(1))
    history.deliver("big", 0.1, day(2))
    amounts = _amounts(_capacity(history, 10).outstanding)
    assert amounts == {"FUNDING": 1e9, "STAFF": 1.0}


def test_a_commitment_due_exactly_at_t_is_fulfilment_not_outstanding() -> None:
    history = HistoryBuilder(("a",))
    history.commit("c1", "a", "FUNDING", 100, day(10), day(1))
    at_due = _capacity(history, 10)
    just_before = read(history, day(10) - timedelta(microseconds=1)).capacity
    assert (_amounts(at_due.fulfilment), _amounts(at_due.outstanding)) == ({"FUNDING": 0.0}, {})
    assert (_amounts(just_before.fulfilment), _amounts(just_before.outstanding)) == (
        {},
        {"FUNDING": 100.0},
    )


def test_a_retracted_commitment_is_out_of_fulfilment_and_outstanding() -> None:
    history = HistoryBuilder(("a",))
    made = history.commit("c1", "a", "FUNDING", 100, day(10), day(1))
    history.commit("c2", "a", "FUNDING", 100, day(100), day(1))
    history.deliver("c1", 100, day(2))
    history.retract(made)
    capacity = _capacity(history, 20)
    assert _amounts(capacity.fulfilment) == {}
    assert _amounts(capacity.outstanding) == {"FUNDING": 100.0}


def test_a_departure_leaves_a_role_vacant_and_the_vacancy_is_counted_in_days() -> None:
    history = HistoryBuilder(("a", "b"))
    history.appoint("Chair", "a", "Ann", day(1))
    history.appoint("Director", "b", "Bob", day(1))
    history.depart("Chair", day(10))
    history.depart("Director", day(30.5))
    capacity = _capacity(history, 40)
    assert capacity.vacant_roles == 2
    assert capacity.longest_vacancy_days == 30.0
    assert [(role.role, role.vacant, role.since) for role in capacity.roles] == [
        ("Chair", True, day(10)),
        ("Director", True, day(30.5)),
    ]


def test_a_partner_leaving_does_not_vacate_its_peoples_roles() -> None:
    history = HistoryBuilder(("a", "b"))
    history.appoint("Chair", "a", "Ann", day(1))
    history.leave("a", day(5))
    capacity = _capacity(history, 10)
    assert capacity.vacant_roles == 0
    assert capacity.longest_vacancy_days is None
    assert (capacity.roles[0].partner_id, capacity.roles[0].person) == ("a", "Ann")


def test_only_appointments_to_a_role_that_had_a_holder_are_leadership_changes() -> None:
    history = HistoryBuilder(("a", "b"))
    history.appoint("Chair", "a", "Ann", day(1))
    history.appoint("Director", "a", "Dee", day(1))
    history.appoint("Chair", "b", "Bob", day(5))
    history.depart("Director", day(6))
    history.appoint("Director", "b", "Dan", day(8))
    capacity = _capacity(history, 10)
    assert capacity.leadership_changes == 2
    assert capacity.vacant_roles == 0
    assert _capacity(history, 400).leadership_changes == 0
    assert _capacity(history, 369.9).leadership_changes == 2
    assert _capacity(history, 370).leadership_changes == 1


def test_roles_not_yet_appointed_at_t_are_not_listed() -> None:
    history = HistoryBuilder(("a",))
    history.appoint("Chair", "a", "Ann", day(10))
    assert _capacity(history, 9).roles == ()
    assert len(_capacity(history, 10).roles) == 1


@pytest.mark.parametrize("kinds", [("IN_KIND", "FUNDING", "STAFF")])
def test_per_kind_lists_are_in_the_order_funding_staff_in_kind(kinds: tuple[str, ...]) -> None:
    history = HistoryBuilder(("a",))
    for index, kind in enumerate(kinds):
        history.commit(f"c{index}", "a", kind, 1, day(10), day(1))
        history.commit(f"d{index}", "a", kind, 1, day(100), day(1))
    capacity = _capacity(history, 20)
    assert [entry.kind for entry in capacity.fulfilment] == ["FUNDING", "STAFF", "IN_KIND"]
    assert [entry.kind for entry in capacity.outstanding] == ["FUNDING", "STAFF", "IN_KIND"]
