"""GraphQL documents the tests send, and a client that records mutations through any
`GraphQLClient`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accord.domain.instants import format_instant
from tests.support.graphql_client import GraphQLClient, bearer

PARTNER = "partner { id name sector joinedAt leftAt }"

HEALTH_FIELDS = f"""
  asOf knownAt windowDays
  power {{
    decisionCount equality equity transparency consensusRate governanceShare
    shares {{ {PARTNER} decisionShare contributionShare riskShare }}
  }}
  trust {{
    index perceived respondents reciprocityGap reliabilityMean reliabilityMin bureaucracySignal
    reliability {{ {PARTNER} kept broken reliability }}
    latestRound {{ roundId closedAt invited answered responseRate }}
  }}
  capacity {{
    fulfilment {{ kind value }} outstanding {{ kind value }}
    vacantRoles longestVacancyDays leadershipChanges
    roles {{ role {PARTNER} person since vacant }}
  }}
  goals {{ activeGoals coverage agreement stalenessDays revisions }}
  check {{ classification answers {{ question status evidence prompt }} }}
"""

HEALTH_QUERY = f"""
query Health($id: ID!, $asOf: DateTime, $knownAt: DateTime, $windowDays: Int) {{
  partnership(id: $id) {{
    health(asOf: $asOf, knownAt: $knownAt, windowDays: $windowDays) {{ {HEALTH_FIELDS} }}
  }}
}}"""

EVENT_FIELDS = """
  id type position occurredAt recordedAt recordedBy summary data retracted hash previousHash
"""


def mutation_document(name: str) -> str:
    stem = name[0].upper() + name[1:]
    return f"""
mutation Record($input: {stem}Input!) {{
  result: {name}(input: $input) {{
    __typename
    ... on {stem}Success {{
      event {{ {EVENT_FIELDS} }}
      partnership {{ id version }}
    }}
    ... on ValidationError {{ code field message }}
    ... on VersionConflictError {{ code message expectedVersion currentVersion }}
    ... on ForbiddenError {{ code message }}
  }}
}}
"""


def now_text() -> str:
    return format_instant(datetime.now(UTC))


class Recorder:
    """Records mutations through the HTTP API (as the bearer of `token`, if given)."""

    def __init__(self, api: GraphQLClient, token: str | None = None) -> None:
        self.api = api
        self.headers = bearer(token)

    def result(self, name: str, given: dict[str, Any]) -> dict[str, Any]:
        """The mutation's result union member (top-level errors fail the test)."""
        data = self.api.data(mutation_document(name), {"input": given}, headers=self.headers)
        result: dict[str, Any] = data["result"]
        return result

    def record(self, name: str, given: dict[str, Any]) -> dict[str, Any]:
        """The event a mutation that must succeed recorded."""
        result = self.result(name, given)
        assert result["__typename"].endswith("Success"), result
        event: dict[str, Any] = result["event"]
        return event

    def form(self, name: str = "Riverside Care Partnership", **extra: Any) -> str:
        given = {"name": name, "purpose": "Joined-up care", "occurredAt": "2024-01-01", **extra}
        result = self.result("formPartnership", given)
        assert result["__typename"] == "FormPartnershipSuccess", result
        partnership_id: str = result["partnership"]["id"]
        return partnership_id
