"""Execution with a short path for plain fields: fields of a scalar or enum type, without
arguments or extensions, that only read an attribute (strawberry's basic fields) or call
a synchronous resolver taking nothing but `self`.

graphql-core completes every field the same way: a path, a resolve-info object, the
resolver, then completion through the non-null, list and leaf cases. For a plain field
that costs several microseconds and gives exactly what reading the attribute and
coercing it gives, and long lists of small objects (timeline items, history events,
health figures) spend most of their time there. Plain fields are read directly here;
every other field, and any plain field whose value does not complete cleanly (null in a
non-null field, a value the scalar refuses), takes graphql-core's own path, so errors
and their locations are exactly graphql-core's.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

_Plain = tuple[Callable[[Any], Any], Callable[[Any], Any], bool]
"""How to read a plain field: its value from the source, its coercion, nullable."""
_Plan = list[tuple[str, Any, _Plain | None]]
"""Per response name: its field details, and how to read it when it is plain."""

_PLAIN: dict[int, tuple[GraphQLField, _Plain | None]] = {}
"""Per schema field (by id; the field is kept, so the id stays its own): how to read it."""


def _plain_field(field_def: GraphQLField) -> _Plain | None:
    known = _PLAIN.get(id(field_def))
    if known is None:
        known = _PLAIN[id(field_def)] = (field_def, _reader(field_def))
    return known[1]


def _reader(field_def: GraphQLField) -> _Plain | None:
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or field_def.args or field.extensions:
        return None
    resolve = getattr(field_def.resolve, "__name__", "")
    read: Callable[[Any], Any]
    if field.base_resolver is None and resolve == "_get_basic_result":
        name, default = field.python_name, field.default_resolver
        read = (
            operator.attrgetter(name)
            if default is getattr
            else lambda source: default(source, name)
        )
    elif field.base_resolver is not None and resolve == "_resolver":
        method = field.base_resolver
        if (
            method.is_async
            or method.arguments
            or method.self_parameter is None
            or method.info_parameter is not None
            or method.root_parameter is not None
            or method.parent_parameter is not None
        ):
            return None
        read = method
    else:
        return None
    kind = field_def.type
    nullable = not isinstance(kind, GraphQLNonNull)
    leaf = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    return (read, _coercion(leaf), nullable) if is_leaf_type(leaf) else None


def _coercion(leaf: GraphQLLeafType) -> Callable[[Any], Any]:
    """`leaf.coerce_output_value`; for strawberry's enums (which find a member's name by
    comparing it with every value in turn) a lookup of the name by the member's value,
    the first in declaration order as that scan finds."""
    wrapped = getattr(leaf, "wrapped_cls", None)
    if not isinstance(leaf, GraphQLEnumType) or wrapped is None:
        return leaf.coerce_output_value
    names: dict[Any, str] = {}
    try:
        for name, value in leaf.values.items():
            names.setdefault(value.value, name)
    except TypeError:  # unhashable values: the scan it is
        return leaf.coerce_output_value
    coerce = leaf.coerce_output_value

    def coerce_member(value: Any) -> Any:
        if isinstance(value, wrapped):
            name = names.get(value.value)
            if name is not None:
                return name
        return coerce(value)

    return coerce_member


class AccordExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, reading plain fields directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed by the grouped field set's id; the set is kept so its id stays unique.
        self._plans: dict[int, tuple[GroupedFieldSet, _Plan | None]] = {}
        middleware = self.middleware_manager
        self._direct = middleware is None or not getattr(middleware, "middlewares", ())

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> _Plan | None:
        cached = self._plans.get(id(fields))
        if cached is not None:
            return cached[1]
        plan: _Plan = [
            (name, details, self._plain(parent_type, details)) for name, details in fields.items()
        ]
        chosen = plan if self._direct and any(plain for _, _, plain in plan) else None
        self._plans[id(fields)] = (fields, chosen)
        return chosen

    def _plain(self, parent_type: GraphQLObjectType, details: Any) -> _Plain | None:
        field_def = self.schema.get_field(parent_type, details[0].node.name.value)
        if field_def is None or any(detail.node.arguments for detail in details):
            return None
        return _plain_field(field_def)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._plan(parent_type, grouped_field_set)
        if plan is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for response_name, details, plain in plan:
                if plain is not None:
                    read, coerce, nullable = plain
                    try:
                        value = read(source_value)
                        if value is None:
                            if nullable:
                                results[response_name] = None
                                continue
                        else:
                            coerced = coerce(value)
                            if coerced is not Undefined and coerced is not None:
                                results[response_name] = coerced
                                continue
                    except Exception:  # graphql-core's path reports it as it would
                        pass
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()
