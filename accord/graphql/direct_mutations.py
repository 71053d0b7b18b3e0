"""A shorter way through for a mutation sent over HTTP.

strawberry takes a mutation through its HTTP view, its extension hooks, its argument
conversion (the input built as a dataclass, only to be turned back into the plain dict
the service reads) and its resolver wrappers: on this kind of machine about 1.5 ms of
the event loop's time, more than the command itself costs. Here a document that has
already been parsed, checked and validated (the query cache says so), whose one operation
is a mutation of one root field, runs with none of that:

- graphql-core coerces the variables and the field's arguments, exactly as it would;
- the input goes to the service as `record` sends it (`inputs.plain_input` gives what
  `raw_input` gives for the object strawberry would have built);
- graphql-core completes the root field's value with the schema's own execution context,
  so every field below it, every error, path and null is what the usual way gives.

Anything else goes the usual way: another kind of operation, more than one root field,
any directive, a document not yet validated, variables that do not coerce (so the usual
way reports them, and nothing was recorded).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any, cast

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.collect_fields import FieldDetailsList, collect_fields
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.pyutils import AwaitableOrValue, Path, Undefined, UndefinedType
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionContext as StrawberryExecutionContext
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType
from strawberry.utils.await_maybe import await_maybe

from accord.graphql.answer_plans import AnswerPlan, Unplanned, plan_answer
from accord.graphql.context import AccordContext
from accord.graphql.errors import should_mask_error
from accord.graphql.execution import AccordExecutionContext
from accord.graphql.inputs import plain_input
from accord.graphql.limits import CACHED_QUERIES, QUERIES
from accord.graphql.mutations import SUCCESSES, Recorded, record
from accord.graphql.schema import MaskUnexpectedErrors


@dataclass(eq=False)
class DirectMutation:
    """A validated document whose operation is one mutation field."""

    document: DocumentNode
    operation: OperationDefinitionNode
    field_node: FieldNode
    success: type[Recorded]
    planned: bool = False
    plan: AnswerPlan | None = None
    """How to complete its answers, once planned (None: graphql-core completes them)."""


class _HasDirective(Visitor):
    found = False

    def enter_directive(self, *_: Any) -> None:
        self.found = True


def _direct(document: DocumentNode, operation_name: str | None) -> DirectMutation | None:
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.MUTATION:
        return None
    selections = operations[0].selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    success = SUCCESSES.get(selections[0].name.value)
    directives = _HasDirective()
    visit(document, directives)
    if success is None or directives.found:
        return None
    return DirectMutation(document, operations[0], selections[0], success)


class DirectMutations:
    """Which query texts may take the short way (decided once per text and operation)."""

    def __init__(self, schema: strawberry.Schema, size: int = CACHED_QUERIES) -> None:
        self.schema = schema
        self.size = size
        # Used on the event loop only.
        self._known: dict[tuple[str, str | None], tuple[DocumentNode, DirectMutation | None]] = {}
        self.answered = 0
        """How many mutations took the short way."""

    def find(self, query: str, operation_name: str | None) -> DirectMutation | None:
        """The direct mutation for this text, or None: the usual way (which also parses,
        checks and validates a text the first time it is seen)."""
        checked = QUERIES.get(self.schema._schema, query)
        if checked is None or checked.errors != []:
            return None
        key = (query, operation_name)
        known = self._known.get(key)
        if known is None or known[0] is not checked.document:
            known = self._known[key] = (checked.document, _direct(checked.document, operation_name))
            while len(self._known) > self.size:  # the oldest first
                del self._known[next(iter(self._known))]
        return known[1]

    async def run(
        self,
        direct: DirectMutation,
        context: AccordContext,
        variables: dict[str, Any] | None,
        query: str,
    ) -> ExecutionResult | None:
        """The mutation's result, or None when its variables do not coerce (nothing
        recorded: the usual way reports why)."""
        schema = self.schema._schema
        if not direct.planned:
            executor = self._executor(direct, context, variables)
            if executor is None:
                return None
            direct.plan = plan_answer(executor, _root_field(executor))
            direct.planned = True
        coerced = get_variable_values(
            schema, direct.operation.variable_definitions or (), variables or {}, max_errors=50
        )
        if isinstance(coerced, list):
            return None
        mutation_type = schema.mutation_type
        assert mutation_type is not None
        name = direct.field_node.name.value
        field_def = mutation_type.fields[name]
        try:
            arguments = get_argument_values(field_def, direct.field_node, coerced)
        except GraphQLError:
            return None
        self.answered += 1
        answer: Any
        try:
            answer = await record(context, name, plain_input(arguments["input"]), direct.success)
        except Exception as error:  # completed as the resolver's error would be
            answer = _Failed(error)
        if direct.plan is not None and not isinstance(answer, _Failed):
            with suppress(Unplanned):
                return ExecutionResult(data=direct.plan.complete(answer), errors=None)
        executor = self._executor(direct, context, variables)
        assert executor is not None  # its variables coerced above
        executor.answer = answer
        result = await await_maybe(executor.execute_operation())
        assert isinstance(result, GraphQLExecutionResult)
        errors = result.errors
        if errors:
            errors = self._processed(errors, context, variables, query)
        return ExecutionResult(data=result.data, errors=errors, extensions=result.extensions)

    def _executor(
        self, direct: DirectMutation, context: AccordContext, variables: dict[str, Any] | None
    ) -> AnsweringExecutionContext | None:
        """graphql-core's execution context for the document (None: the variables do
        not coerce)."""
        operation = direct.operation
        executor = AnsweringExecutionContext.build(
            self.schema._schema,
            direct.document,
            context_value=context,
            raw_variable_values=variables,
            operation_name=operation.name.value if operation.name else None,
            is_awaitable=cast(Any, optimized_is_awaitable),
        )
        if isinstance(executor, list):
            return None
        assert isinstance(executor, AnsweringExecutionContext)
        return executor

    def _processed(
        self,
        errors: list[GraphQLError],
        context: AccordContext,
        variables: dict[str, Any] | None,
        query: str,
    ) -> list[GraphQLError]:
        """Errors logged and masked as the schema's extensions do on the usual way."""
        execution_context = StrawberryExecutionContext(
            query=query,
            schema=self.schema,
            allowed_operations=(StrawberryOperationType.MUTATION,),
            context=context,
            variables=variables,
        )
        self.schema.process_errors(errors, execution_context)
        masking = MaskUnexpectedErrors(should_mask_error=should_mask_error)
        masking.execution_context = execution_context
        return [masking.anonymise_error(e) if should_mask_error(e) else e for e in errors]


@dataclass(frozen=True)
class _Failed:
    """The command raised: the root field's error."""

    error: Exception


def _root_field(executor: AnsweringExecutionContext) -> FieldDetailsList:
    mutation_type = executor.schema.mutation_type
    assert mutation_type is not None
    collected = collect_fields(
        executor.schema, executor.fragments, executor.variable_values, mutation_type,
        executor.operation,
    )  # fmt: skip
    (details,) = collected.grouped_field_set.values()
    return details


class AnsweringExecutionContext(AccordExecutionContext):
    """The schema's execution context, with the root field's value already known."""

    answer: Any = None

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        if path.prev is not None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        field_def: GraphQLField | None = self.schema.get_field(
            parent_type, field_details_list[0].node.name.value
        )
        if field_def is None:
            return Undefined
        return_type = field_def.type
        nodes = [details.node for details in field_details_list]
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        try:
            if isinstance(self.answer, _Failed):
                raise self.answer.error
            completed = self.complete_value(
                return_type, field_details_list, info, path, self.answer, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._guarded(completed, return_type, field_details_list, path)
        return completed
