"""The partnership's vocabulary: sectors, categories, methods, kinds, units, roles, limits."""

from __future__ import annotations

import re
from enum import StrEnum


class Sector(StrEnum):
    NHS_TRUST = "NHS_TRUST"
    LOCAL_AUTHORITY = "LOCAL_AUTHORITY"
    PRIMARY_CARE = "PRIMARY_CARE"
    VOLUNTARY_SECTOR = "VOLUNTARY_SECTOR"
    ACADEMIC = "ACADEMIC"
    PRIVATE = "PRIVATE"
    OTHER = "OTHER"


class DecisionCategory(StrEnum):
    STRATEGY = "STRATEGY"
    GOVERNANCE = "GOVERNANCE"
    DELIVERY = "DELIVERY"
    RESOURCING = "RESOURCING"


class DecisionMethod(StrEnum):
    CONSENSUS = "CONSENSUS"
    VOTE = "VOTE"
    SINGLE_PARTNER = "SINGLE_PARTNER"
    DELEGATED = "DELEGATED"


class ResourceKind(StrEnum):
    FUNDING = "FUNDING"
    STAFF = "STAFF"
    IN_KIND = "IN_KIND"


class AccessRole(StrEnum):
    """What an actor may do in a partnership; each role includes the ones before it."""

    VIEWER = "VIEWER"
    RECORDER = "RECORDER"
    ADMIN = "ADMIN"

    def allows(self, needed: AccessRole) -> bool:
        order = [AccessRole.VIEWER, AccessRole.RECORDER, AccessRole.ADMIN]
        return order.index(self) >= order.index(needed)


UNIT_OF_KIND: dict[str, str] = {
    ResourceKind.FUNDING.value: "GBP",
    ResourceKind.STAFF.value: "FTE_MONTHS",
    ResourceKind.IN_KIND.value: "DAYS",
}

SHORT_TEXT_LIMIT = 200  # names, titles, roles, persons, actors
LONG_TEXT_LIMIT = 5_000  # statements, rationales, reasons, notes, descriptions, purposes
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")  # `$` would also match before a final "\n"
IDEMPOTENCY_KEY_LIMIT = 200
SHARE_TOLERANCE = 1e-6
FUTURE_TOLERANCE_DAYS = 1
