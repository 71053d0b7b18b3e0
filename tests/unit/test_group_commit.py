"""Group commit: a lone caller writes at once; callers arriving while a write is in
progress share the next one; a failed group is written again caller by caller, so each
caller gets its own result or its own error."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from accord.storage.postgres.group_commit import GroupCommit


class Store:
    """Writes that can be held open, so that others queue behind them."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.transactions: list[list[str]] = []
        self.refuse = refuse
        self.hold = threading.Event()
        self.hold.set()
        self.writing = threading.Event()
        self.lock = threading.Lock()

    def write_group(self, groups: Sequence[Sequence[str]]) -> list[list[str]]:
        self.writing.set()
        self.hold.wait(5)
        every = [item for group in groups for item in group]
        if self.refuse.intersection(every):
            raise ValueError(f"refused: {sorted(self.refuse.intersection(every))}")
        with self.lock:
            self.transactions.append(every)
        return [[item.upper() for item in group] for group in groups]


def group_commit(store: Store, limit: int = 20) -> GroupCommit[str, list[str]]:
    return GroupCommit(store.write_group, limit)


def write_while_held(
    commit: GroupCommit[str, list[str]], store: Store, first: list[str], then: list[list[str]]
) -> dict[str, object]:
    """`first` is being written (and held) while `then` arrive; each caller's outcome."""
    outcomes: dict[str, object] = {}

    def call(items: list[str]) -> None:
        try:
            outcomes[items[0]] = commit.write(items)
        except Exception as error:
            outcomes[items[0]] = error

    store.hold.clear()
    leader = threading.Thread(target=call, args=(first,))
    leader.start()
    assert store.writing.wait(5)
    followers = [threading.Thread(target=call, args=(items,)) for items in then]
    for follower in followers:
        follower.start()
    while len(commit._queue) < len(then):  # every follower queued behind the held write
        threading.Event().wait(0.001)
    store.hold.set()
    for thread in [leader, *followers]:
        thread.join(5)
    return outcomes


def test_a_lone_caller_writes_at_once_in_a_transaction_of_its_own() -> None:
    store = Store()
    assert group_commit(store).write(["a1", "a2"]) == ["A1", "A2"]
    assert store.transactions == [["a1", "a2"]]


def test_callers_arriving_during_a_write_share_the_next_transaction() -> None:
    store = Store()
    commit = group_commit(store)
    outcomes = write_while_held(commit, store, ["a"], [["b"], ["c1", "c2"], ["d"]])
    assert outcomes == {"a": ["A"], "b": ["B"], "c1": ["C1", "C2"], "d": ["D"]}
    assert store.transactions[0] == ["a"]
    assert sorted(store.transactions[1]) == ["b", "c1", "c2", "d"]
    assert len(store.transactions) == 2


def test_a_transaction_holds_at_most_the_limit_and_the_rest_follow_in_order() -> None:
    store = Store()
    commit = group_commit(store, limit=3)
    outcomes = write_while_held(commit, store, ["a"], [["b1", "b2"], ["c"], ["d1", "d2"]])
    assert outcomes == {"a": ["A"], "b1": ["B1", "B2"], "c": ["C"], "d1": ["D1", "D2"]}
    assert all(len(transaction) <= 3 for transaction in store.transactions)
    assert sorted(item for t in store.transactions for item in t) == [
        "a", "b1", "b2", "c", "d1", "d2"
    ]  # fmt: skip


def test_when_a_shared_transaction_fails_only_the_caller_at_fault_gets_the_error() -> None:
    store = Store(refuse=frozenset({"c"}))
    commit = group_commit(store)
    outcomes = write_while_held(commit, store, ["a"], [["b"], ["c"], ["d"]])
    assert outcomes["a"] == ["A"]
    assert outcomes["b"] == ["B"]
    assert outcomes["d"] == ["D"]
    error = outcomes["c"]
    assert isinstance(error, ValueError) and "refused: ['c']" in str(error)
    # The group failed as a whole, then b and d were written on their own.
    assert sorted(store.transactions) == [["a"], ["b"], ["d"]]


def test_after_a_write_with_nobody_waiting_the_next_caller_leads_again() -> None:
    store = Store(refuse=frozenset({"bad"}))
    commit = group_commit(store)
    with pytest.raises(ValueError, match="refused"):
        commit.write(["bad"])
    assert commit.write(["good"]) == ["GOOD"]
    assert not commit._writing and not commit._queue
