"""The event store's mapper: partnership events' and snapshots' state written by a faster
encoder.

eventsourcing's mapper, unchanged on the way back (its transcoder reads what the encoder
wrote); `state_encoding` has the encoder.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from accord.domain.partnership import PartnershipEvent

StateEncoder = Callable[[dict[str, Any]], "bytes | None"]


class EventMapper(Mapper[uuid.UUID]):
    """eventsourcing's mapper, with partnership events' (and snapshots') state written by
    a given encoder (None from it: the transcoder writes that one)."""

    def __init__(
        self,
        *,
        encode_state: StateEncoder,
        encode_snapshot: StateEncoder | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.encode_state = encode_state
        self.encode_snapshot = encode_snapshot

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if isinstance(domain_event, PartnershipEvent):
            encode = self.encode_state
        elif type(domain_event) is Snapshot and self.encode_snapshot is not None:
            encode = self.encode_snapshot
        else:  # the transcoder writes it
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:  # as eventsourcing's mapper writes it, for its upcasting
            state["class_version"] = class_version
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        stored_state = encode(state)
        if stored_state is None:
            stored_state = self.transcoder.encode(state)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(type(domain_event)),
            state=stored_state,
        )


def mapper_with(
    encode_state: StateEncoder, encode_snapshot: StateEncoder | None = None
) -> Callable[[Mapper[uuid.UUID]], Mapper[uuid.UUID]]:
    """A factory for `AccordApplication(mapper=...)`: eventsourcing's mapper, events' state
    written by `encode_state`, snapshots' by `encode_snapshot` (if given)."""

    def build(mapper: Mapper[uuid.UUID]) -> Mapper[uuid.UUID]:
        return EventMapper(
            transcoder=mapper.transcoder,
            compressor=mapper.compressor,
            cipher=mapper.cipher,
            encode_state=encode_state,
            encode_snapshot=encode_snapshot,
        )

    return build
