"""Head anchors: each partnership's newest position and hash, kept outside the database.

`accord verify --anchor FILE` checks the store against the file (so removing the newest
events is caught: the chain that remains is valid, but shorter than the anchor says, or
different at the anchored position), then writes the current heads to it. Each entry
carries an HMAC under the audit key, so the file cannot be edited to match.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.application.audit import ChainReport
from accord.application.service import AccordApplication
from accord.settings import audit_key


def _mac(pid: str, position: int, head: str) -> str:
    message = f"{pid}\x00{position}\x00{head}".encode()
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


@dataclass
class Anchor:
    path: Path
    app: AccordApplication
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, app: AccordApplication) -> Anchor:
        heads: dict[str, dict[str, Any]] = {}
        if path.exists():
            heads = json.loads(path.read_text(encoding="utf-8"))
        return cls(path, app, heads)

    def check(self, pid: uuid.UUID, report: ChainReport) -> int | None:
        """The first broken position against the anchor, or None when it holds."""
        head = self.heads.get(str(pid))
        if head is None:
            return None
        position, digest = int(head["position"]), str(head["headHash"])
        if not hmac.compare_digest(str(head.get("hmac", "")), _mac(str(pid), position, digest)):
            return 1  # the anchor itself was altered: nothing can be vouched for
        if report.events_checked < position:
            return report.events_checked + 1
        stored = next(iter(self.app.stored_events(pid, after=position - 1)), None)
        if stored is None or stored.hash != digest:
            return position
        return None

    def save(self, app: AccordApplication, ids: list[uuid.UUID]) -> None:
        for pid in ids:
            report = app.verify(pid)
            self.heads[str(pid)] = {
                "partnership": str(pid),
                "position": report.events_checked,
                "headHash": report.head_hash,
                "hmac": _mac(str(pid), report.events_checked, report.head_hash),
            }
        self.path.write_text(json.dumps(self.heads, indent=2), encoding="utf-8")
