"""A mutation's answer completed by its plan equals graphql-core's completion of it; where
graphql-core would have something to say (a null in a non-null field, an enum value it
does not know, a read that fails), the plan gives the answer up to graphql-core."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import ExecutionResult, parse

from accord.graphql.answer_plans import AnswerPlan, Unplanned, plan_answer
from accord.graphql.direct_mutations import AnsweringExecutionContext, _root_field
from accord.graphql.enums import ErrorCode
from accord.graphql.errors import ForbiddenError, ValidationError, VersionConflictError
from accord.graphql.schema import schema

DOCUMENT = parse(
    """
    mutation Grant($input: GrantRoleInput!) {
      granted: grantRole(input: $input) {
        kind: __typename
        ... on Error { message }
        ... on ValidationError { code field }
        ... on VersionConflictError { code expectedVersion currentVersion }
        ...forbidden
      }
    }
    fragment forbidden on ForbiddenError { code __typename }
    """
)
VARIABLES = {"input": {"partnershipId": "p", "actor": "bob", "role": "VIEWER"}}


def executor() -> AnsweringExecutionContext:
    built = AnsweringExecutionContext.build(schema._schema, DOCUMENT, raw_variable_values=VARIABLES)
    assert isinstance(built, AnsweringExecutionContext)
    return built


def the_plan() -> AnswerPlan:
    made = executor()
    plan = plan_answer(made, _root_field(made))
    assert plan is not None
    return plan


def by_graphql_core(answer: Any) -> ExecutionResult:
    made = executor()
    made.answer = answer
    result = made.execute_operation()
    assert isinstance(result, ExecutionResult)
    return result


@pytest.mark.parametrize(
    "answer",
    [
        ValidationError(message="blank", code=ErrorCode.VALIDATION, field="actor"),
        VersionConflictError(
            message="moved on", code=ErrorCode.VERSION_CONFLICT, expected_version=3,
            current_version=4,
        ),
        ForbiddenError(message="no", code=ErrorCode.FORBIDDEN),
    ],
    ids=["validation", "conflict", "forbidden"],
)  # fmt: skip
def test_a_plan_completes_each_kind_of_answer_as_graphql_core_does(answer: Any) -> None:
    expected = by_graphql_core(answer)
    assert expected.errors is None
    assert the_plan().complete(answer) == expected.data


@pytest.mark.parametrize(
    "answer",
    [
        ValidationError(message=None, code=ErrorCode.VALIDATION, field="actor"),  # type: ignore[arg-type]
        ValidationError(message="blank", code="NOT_A_CODE", field="actor"),  # type: ignore[arg-type]
        VersionConflictError(
            message="x", code=ErrorCode.VERSION_CONFLICT, expected_version="three",  # type: ignore[arg-type]
            current_version=4,
        ),
        "not an answer at all",
    ],
    ids=["null-in-non-null", "unknown-enum-value", "not-an-int", "unknown-type"],
)  # fmt: skip
def test_a_plan_gives_up_where_graphql_core_reports_an_error(answer: Any) -> None:
    with pytest.raises(Unplanned):
        the_plan().complete(answer)
    assert by_graphql_core(answer).errors


def test_no_plan_is_made_for_a_field_with_arguments() -> None:
    document = parse(
        """mutation($input: RecordTrustCheckInInput!) { recordTrustCheckIn(input: $input) {
          ... on RecordTrustCheckInSuccess { event { retracted } } } }"""
    )
    check_in = {"partnershipId": "p", "respondentId": "r", "reliability": 3}
    check_in |= {"openness": 3, "respect": 3, "sharedOwnership": 3}
    built = AnsweringExecutionContext.build(
        schema._schema, document, raw_variable_values={"input": check_in}
    )
    assert isinstance(built, AnsweringExecutionContext)
    assert plan_answer(built, _root_field(built)) is None
