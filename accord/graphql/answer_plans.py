"""Completing a mutation's answer by a plan made once per document.

graphql-core completes a value field by field: a path, a resolve-info object, the type's
checks, the collection of each object's sub-selections, every time. A direct mutation's
document is fixed, and its answer is one of a few known types, so for each of them the
fields to give, under which keys, and how to read and complete each, can be worked out
once. A plan is made only where every field selected, at every depth, is plain (see
`execution`): `__typename`, or a field that reads an attribute, or calls a method of
`self` alone, of a scalar, enum or plain object type, or a list of those.

The plan completes a value only where graphql-core would complete it without a word:
a null in a non-null field, a value a scalar refuses, an object its type disowns, or a
read that raises, and the plan gives up (`Unplanned`); the caller then has graphql-core
complete the same answer, which says precisely what is wrong, where.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLUnionType
from graphql.execution.collect_fields import FieldDetailsList, collect_subfields
from graphql.pyutils import Undefined

from accord.graphql.execution import LEAF, LEAVES, OBJECT, Reader, completed_leaves, reader_of

TYPENAME = "__typename"


class Unplanned(Exception):
    """The value is not one the plan completes: graphql-core must."""


@dataclass(frozen=True, slots=True)
class _Step:
    """One response key of an object: a constant type name, or a plain field."""

    key: str
    typename: str | None = None
    reader: Reader | None = None
    fields: tuple[_Step, ...] = ()  # an object's (or each list item's) own steps


@dataclass(frozen=True)
class AnswerPlan:
    """How to complete a root field's answer, for each type it may be."""

    key: str
    by_type: dict[str, tuple[GraphQLObjectType, tuple[_Step, ...]]]

    def complete(self, answer: Any) -> dict[str, Any]:
        """`{key: completed answer}`, as graphql-core completes it; or `Unplanned`."""
        definition = getattr(type(answer), "__strawberry_definition__", None)
        name = getattr(definition, "name", None)
        planned = self.by_type.get(name) if isinstance(name, str) else None
        if planned is None:
            raise Unplanned
        object_type, steps = planned
        if object_type.is_type_of is not None and not object_type.is_type_of(answer, None):  # type: ignore[arg-type]
            raise Unplanned
        try:
            return {self.key: _completed(steps, answer)}
        except Unplanned:
            raise
        except Exception as error:  # a read raised: graphql-core says where
            raise Unplanned from error


def plan_answer(executor: Any, field_details_list: FieldDetailsList) -> AnswerPlan | None:
    """The plan for the root field of `executor`'s operation (a union of object types),
    or None where some field selected is not plain."""
    field_node = field_details_list[0].node
    mutation_type = executor.schema.mutation_type
    field_def = mutation_type.fields[field_node.name.value]
    union = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else None
    if not isinstance(union, GraphQLUnionType):
        return None
    by_type: dict[str, tuple[GraphQLObjectType, tuple[_Step, ...]]] = {}
    for object_type in union.types:
        steps = _steps(executor, object_type, field_details_list)
        if steps is None:
            return None
        by_type[object_type.name] = (object_type, steps)
    key = field_node.alias.value if field_node.alias else field_node.name.value
    return AnswerPlan(key, by_type)


def _steps(
    executor: Any, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
) -> tuple[_Step, ...] | None:
    collected = collect_subfields(
        executor.schema,
        executor.fragments,
        executor.variable_values,
        executor.operation,
        object_type,
        field_details_list,
    )
    steps: list[_Step] = []
    for key, details in collected.grouped_field_set.items():
        name = details[0].node.name.value
        if name == TYPENAME:
            steps.append(_Step(key, typename=object_type.name))
            continue
        field_def = object_type.fields.get(name)
        if field_def is None or any(detail.node.arguments for detail in details):
            return None
        reader = reader_of(field_def)
        if reader is None:
            return None
        if reader.kind in (LEAF, LEAVES):
            steps.append(_Step(key, reader=reader))
            continue
        assert reader.object_type is not None
        fields = _steps(executor, reader.object_type, details)
        if fields is None:
            return None
        steps.append(_Step(key, reader=reader, fields=fields))
    return tuple(steps)


def _completed(steps: tuple[_Step, ...], source: Any) -> dict[str, Any]:
    completed: dict[str, Any] = {}
    for step in steps:
        if step.typename is not None:
            completed[step.key] = step.typename
            continue
        reader = step.reader
        assert reader is not None
        value = reader.read(source)
        if value is None:
            if not reader.nullable:
                raise Unplanned
            completed[step.key] = None
            continue
        kind = reader.kind
        if kind == LEAF:
            assert reader.coerce is not None
            value = reader.coerce(value)
            if value is Undefined or value is None:
                raise Unplanned
        elif kind == LEAVES:
            value = completed_leaves(reader, value)
            if value is None:
                raise Unplanned
        elif kind == OBJECT:
            value = _object(step, value)
        else:
            if not isinstance(value, list | tuple):
                raise Unplanned
            items: list[Any] = []
            for item in value:
                if item is None:
                    if not reader.item_nullable:
                        raise Unplanned
                    items.append(None)
                else:
                    items.append(_object(step, item))
            value = items
        completed[step.key] = value
    return completed


def _object(step: _Step, value: Any) -> dict[str, Any]:
    assert step.reader is not None and step.reader.object_type is not None
    check = step.reader.object_type.is_type_of
    if check is not None and not check(value, None):  # type: ignore[arg-type]
        raise Unplanned
    return _completed(step.fields, value)
