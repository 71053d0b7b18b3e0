"""Typed forms of strawberry's field decorators (its decorator-with-arguments form is
untyped, which mypy's strict mode refuses)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def resolver(description: str) -> Callable[[Resolver], Resolver]:
    """`@strawberry.field(description=...)`, keeping the method's type."""

    def decorate(function: Resolver) -> Resolver:
        return cast(Resolver, strawberry.field(function, description=description))

    return decorate


def subscription(description: str) -> Callable[[Resolver], Resolver]:
    """`@strawberry.subscription(description=...)`, keeping the method's type."""

    def decorate(function: Resolver) -> Resolver:
        return cast(Resolver, strawberry.subscription(function, description=description))

    return decorate


def mutation(description: str) -> Callable[[Resolver], Resolver]:
    """`@strawberry.mutation(description=...)`, keeping the method's type."""

    def decorate(function: Resolver) -> Resolver:
        return cast(Resolver, strawberry.mutation(function, description=description))

    return decorate
