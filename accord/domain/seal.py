"""Seals: an HMAC of each event's hash under an audit key kept outside the store.

Anyone can recompute the public hash chain; only the server can seal it, so a chain
rewritten and recomputed by someone without the key no longer verifies.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable


def make_sealer(key: bytes) -> Callable[[str], str]:
    def seal(digest: str) -> str:
        return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()

    return seal
