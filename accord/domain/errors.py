"""Why a command was refused: a code clients can act on, and the input field at fault."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The error codes of API.md."""

    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"


class DomainError(Exception):
    """A command refused because of its input: nothing was recorded."""

    def __init__(self, code: ErrorCode, field: str, message: str) -> None:
        super().__init__(f"{field}: {code.value}: {message}")
        self.code = code
        self.field = field
        self.message = message


def invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, field, message)


def not_found(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, field, message)


def duplicate(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.DUPLICATE, field, message)


class VersionConflict(Exception):
    """`expectedVersion` differs from the partnership's current version."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"expected version {expected}, but the partnership is at {current}")
        self.code = ErrorCode.VERSION_CONFLICT
        self.expected = expected
        self.current = current
        self.message = str(self)


class Forbidden(Exception):
    """The actor can see the partnership, but its role does not allow this."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = ErrorCode.FORBIDDEN
        self.message = message


UNKNOWN_PARTNERSHIP = "no partnership with this id"
