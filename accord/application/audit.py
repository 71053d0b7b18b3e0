"""Recomputing a partnership's hash chain from the event store (API.md, Audit)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from eventsourcing.persistence import Mapper, StoredEvent

from accord.domain.chain import chain_hash
from accord.domain.partnership import PartnershipEvent


@dataclass(frozen=True)
class ChainReport:
    """The result of recomputing a partnership's hash chain from the event store."""

    partnership_id: uuid.UUID
    valid: bool
    events_checked: int
    first_broken_position: int | None
    head_hash: str


def verify_chain(
    partnership_id: uuid.UUID,
    stored_events: Iterable[StoredEvent],
    mapper: Mapper[uuid.UUID],
    sealer: Callable[[str], str] | None,
) -> ChainReport:
    """Recompute the hash chain from the stored events themselves.

    A missing, reordered, edited or undecodable event breaks the chain at its position,
    and so does one whose seal (the HMAC of its hash under the audit key) is wrong: a
    chain recomputed by someone without the key.
    """
    previous: str | None = None
    checked = 0
    head = ""
    for expected_position, stored in enumerate(stored_events, start=1):
        checked = expected_position
        try:
            decoded = mapper.to_domain_event(stored)
            assert isinstance(decoded, PartnershipEvent)
            event = decoded
            ok = (
                event.position == expected_position
                and event.previous_hash == previous
                and event.hash == recompute_hash(partnership_id, event)
                and (sealer is None or event.seal == sealer(event.hash))
            )
        except Exception:  # an undecodable stored event counts as broken
            ok = False
        if not ok:
            return ChainReport(partnership_id, False, checked, expected_position, head)
        previous = head = event.hash
    return ChainReport(partnership_id, True, checked, None, head)


def recompute_hash(partnership_id: uuid.UUID, event: PartnershipEvent) -> str:
    """The hash an event should carry, from its own stored fields."""
    return chain_hash(
        previous_hash=event.previous_hash,
        partnership_id=str(partnership_id),
        position=event.position,
        event_type=event.type_name(),
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        recorded_by=event.recorded_by,
        data=event.data,
    )
