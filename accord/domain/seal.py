"""Seals: an HMAC of each event's hash under an audit key kept outside the store.

Anyone can recompute the public hash chain; only the server can seal it, so a chain
rewritten and recomputed by someone without the key no longer verifies.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable


def make_sealer(key: bytes) -> Callable[[str], str]:
    keyed = hmac.new(key, digestmod=hashlib.sha256)  # copied per seal: keyed once

    def seal(digest: str) -> str:
        mac = keyed.copy()
        mac.update(digest.encode("ascii"))
        return mac.hexdigest()

    return seal
