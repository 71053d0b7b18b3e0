"""Execution with a short path for plain fields: fields without arguments or extensions
that only read an attribute (strawberry's basic fields) or call a synchronous resolver
taking nothing but `self`, of a scalar, enum or object type, or a list of those.

graphql-core completes every field the same way: a path, a resolve-info object, the
resolver, then completion through the non-null, list, leaf and object cases. For a plain
field that costs more than reading the value and completing it directly
(docs/PERFORMANCE.md, Measured figures), and lists of small objects (timeline items,
history events, the figures of a health) spend most of their time there. Plain fields
are read and completed here; every other field takes graphql-core's own path, and so
does a plain field whose value does not complete cleanly (null in a non-null field, a
value a scalar refuses, not a list), so that errors, their paths and null propagation
are exactly graphql-core's.
"""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.execution.executor import invalid_return_type_error
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

LEAF, OBJECT, LEAVES, OBJECTS = range(4)


@dataclass(frozen=True, slots=True)
class Reader:
    """How to read and complete one plain field."""

    read: Callable[[Any], Any]
    kind: int  # LEAF, OBJECT, or a list of LEAVES or OBJECTS
    field_type: GraphQLOutputType
    nullable: bool
    coerce: Callable[[Any], Any] | None = None  # LEAF, LEAVES
    object_type: GraphQLObjectType | None = None  # OBJECT, OBJECTS
    item_type: GraphQLOutputType | None = None  # LEAVES, OBJECTS
    item_nullable: bool = True


_Plan = list[tuple[str, Any, Reader | None]]
"""Per response name: its field details, and how to read it when it is plain."""

_READERS: dict[int, tuple[GraphQLField, Reader | None]] = {}
"""Per schema field (by id; the field is kept, so the id stays its own)."""


def reader_of(field_def: GraphQLField) -> Reader | None:
    known = _READERS.get(id(field_def))
    if known is None:
        known = _READERS[id(field_def)] = (field_def, _reader(field_def))
    return known[1]


def _read(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or field_def.args or field.extensions:
        return None
    resolve = getattr(field_def.resolve, "__name__", "")
    if field.base_resolver is None and resolve == "_get_basic_result":
        name, default = field.python_name, field.default_resolver
        if default is getattr:
            return operator.attrgetter(name)
        return lambda source: default(source, name)
    method = field.base_resolver
    if (
        method is None
        or resolve != "_resolver"
        or method.is_async
        or method.arguments
        or method.self_parameter is None
        or method.info_parameter is not None
        or method.root_parameter is not None
        or method.parent_parameter is not None
    ):
        return None
    return method


def _unwrapped(kind: GraphQLOutputType) -> tuple[Any, bool]:
    """The type inside a non-null wrapper, and whether it was nullable."""
    if isinstance(kind, GraphQLNonNull):
        return kind.of_type, False
    return kind, True


def _plain_object(kind: Any) -> bool:
    """An object type whose `is_type_of`, if any, is strawberry's (which needs no info)."""
    if not isinstance(kind, GraphQLObjectType):
        return False
    check = kind.is_type_of
    return check is None or (
        check.__name__ == "is_type_of" and "_get_is_type_of" in check.__qualname__
    )


def _reader(field_def: GraphQLField) -> Reader | None:
    read = _read(field_def)
    if read is None:
        return None
    inner, nullable = _unwrapped(field_def.type)
    if is_leaf_type(inner):
        return Reader(read, LEAF, field_def.type, nullable, coerce=_coercion(inner))
    if _plain_object(inner):
        return Reader(read, OBJECT, field_def.type, nullable, object_type=inner)
    if not isinstance(inner, GraphQLList):
        return None
    item, item_nullable = _unwrapped(inner.of_type)
    if is_leaf_type(item):
        coerce = _coercion(item)
        return Reader(
            read, LEAVES, field_def.type, nullable, coerce, None, inner.of_type, item_nullable
        )
    if _plain_object(item):
        return Reader(
            read, OBJECTS, field_def.type, nullable, None, item, inner.of_type, item_nullable
        )
    return None


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


def completed_leaves(reader: Reader, values: Any) -> list[Any] | None:
    """The completed list of leaves, or None where graphql-core's path must say why not."""
    if not isinstance(values, list | tuple):
        return None
    coerce = reader.coerce
    assert coerce is not None
    completed: list[Any] = []
    for value in values:
        if value is None:
            if not reader.item_nullable:
                return None
            completed.append(None)
            continue
        coerced = coerce(value)
        if coerced is Undefined or coerced is None:
            return None
        completed.append(coerced)
    return completed


class AccordExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, reading and completing plain fields directly."""

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
        chosen = plan if self._direct and any(reader for _, _, reader in plan) else None
        self._plans[id(fields)] = (fields, chosen)
        return chosen

    def _plain(self, parent_type: GraphQLObjectType, details: Any) -> Reader | None:
        field_def = self.schema.get_field(parent_type, details[0].node.name.value)
        if field_def is None or any(detail.node.arguments for detail in details):
            return None
        reader = reader_of(field_def)
        if reader is not None and reader.kind in (LEAVES, OBJECTS):
            for detail in details:  # @stream is graphql-core's to handle
                if any(d.name.value == "stream" for d in detail.node.directives or ()):
                    return None
        return reader

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
            for response_name, details, reader in plan:
                if reader is not None:
                    result = self._complete_plain(
                        reader, parent_type, source_value, path, response_name, details,
                        position_context,
                    )  # fmt: skip
                    if result is not _SLOW:
                        results[response_name] = result
                        if reader.kind >= OBJECT and is_awaitable(result):
                            awaitable_fields.append(response_name)
                        continue
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

    def _complete_plain(
        self,
        reader: Reader,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        response_name: str,
        details: Any,
        position_context: Any,
    ) -> Any:
        """The completed value of a plain field, or _SLOW when graphql-core's path must
        complete it (reading it again: a plain field's read has no side effects)."""
        try:
            value = reader.read(source)
            if value is None:
                return None if reader.nullable else _SLOW
            kind = reader.kind
            if kind == LEAF:
                assert reader.coerce is not None
                coerced = reader.coerce(value)
                return _SLOW if coerced is Undefined or coerced is None else coerced
            if kind == LEAVES:
                leaves = completed_leaves(reader, value)
                return _SLOW if leaves is None else leaves
            if kind == OBJECTS and not isinstance(value, list | tuple):
                return _SLOW
        except Exception:
            return _SLOW
        field_path = Path(path, response_name, parent_type.name)
        object_type = reader.object_type
        assert object_type is not None
        completed: Any
        try:
            if kind == OBJECT:
                completed = self._object(object_type, details, field_path, value, position_context)
            else:
                completed = self._objects(
                    reader, parent_type, details, field_path, value, position_context
                )
        except Exception as raw_error:
            self.handle_field_error(raw_error, reader.field_type, details, field_path)
            return None
        if self.is_awaitable(completed):
            return self._guarded(completed, reader.field_type, details, field_path)
        return completed

    def _object(
        self,
        object_type: GraphQLObjectType,
        details: Any,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        check = object_type.is_type_of
        if check is not None and not check(value, None):  # type: ignore[arg-type]
            raise invalid_return_type_error(object_type, value, details)
        return self.collect_and_execute_subfields(
            object_type, details, path, value, position_context
        )

    def _objects(
        self,
        reader: Reader,
        parent_type: GraphQLObjectType,
        details: Any,
        path: Path,
        values: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        object_type, item_type = reader.object_type, reader.item_type
        assert object_type is not None and item_type is not None
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        for index, value in enumerate(values):
            item_path = path.add_key(index, None)
            try:
                if value is None:
                    if not reader.item_nullable:
                        field_name = details[0].node.name.value
                        msg = (
                            f"Cannot return null for non-nullable field {parent_type}.{field_name}."
                        )
                        raise TypeError(msg)
                    completed.append(None)
                    continue
                result = self._object(object_type, details, item_path, value, position_context)
            except Exception as raw_error:
                self.handle_field_error(raw_error, item_type, details, item_path)
                completed.append(None)
                continue
            if self.is_awaitable(result):
                result = self._guarded(result, item_type, details, item_path)
                awaitable_indices.append(index)
            completed.append(result)
        if not awaitable_indices:
            return completed

        async def get_completed() -> list[Any]:
            awaited = await gather_with_cancel(*(completed[index] for index in awaitable_indices))
            for index, result in zip(awaitable_indices, awaited, strict=True):
                completed[index] = result
            return completed

        return get_completed()

    def _guarded(
        self, awaitable: Awaitable[Any], return_type: GraphQLOutputType, details: Any, path: Path
    ) -> Awaitable[Any]:
        async def guarded() -> Any:
            try:
                return await awaitable
            except Exception as raw_error:
                self.handle_field_error(raw_error, return_type, details, path)
                return None

        return guarded()


_SLOW: Any = object()
"""A plain field graphql-core's path must complete."""
