"""The served schema: exported to schema.graphql, documented throughout, and as API.md says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    FieldDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLUnionType,
    InputValueDefinitionNode,
    ObjectTypeDefinitionNode,
    parse,
    print_ast,
)
from graphql.pyutils import Undefined

from accord.domain import values
from accord.domain.catalogue import BY_MUTATION as DOMAIN_MUTATIONS
from accord.graphql import enums
from accord.graphql.export import SDL_PATH, main, sdl
from accord.graphql.schema import schema
from accord.projections import event_types

API_MD = Path(__file__).resolve().parents[2] / "docs" / "API.md"
SERVED = schema._schema


def own_types() -> list[GraphQLNamedType]:
    return [
        named
        for name, named in SERVED.type_map.items()
        if not name.startswith("__") and name not in ("String", "Int", "Float", "Boolean", "ID")
    ]


def test_the_exported_sdl_is_the_served_schema() -> None:
    assert SDL_PATH.read_text() == sdl(), "run: python -m accord.graphql.export"
    assert main(["--check"]) == 0


def test_the_export_check_fails_when_the_file_differs(tmp_path: Path) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text(sdl().replace("Partnership", "Partnershp", 1))
    assert main(["--check", "--output", str(stale)]) == 1
    assert main(["--output", str(stale)]) == 0
    assert main(["--check", "--output", str(stale)]) == 0


def test_every_type_field_argument_and_value_is_described() -> None:
    missing: list[str] = []
    for named in own_types():
        if not named.description:
            missing.append(named.name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    missing.append(f"{named.name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not arg.description:
                        missing.append(f"{named.name}.{field_name}({arg_name})")
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if not input_field.description:
                    missing.append(f"{named.name}.{field_name}")
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not value.description:
                    missing.append(f"{named.name}.{value_name}")
    assert not missing, f"without a description: {missing}"


def test_the_enums_hold_the_domains_values() -> None:
    pairs = [
        (enums.Sector, values.Sector),
        (enums.DecisionCategory, values.DecisionCategory),
        (enums.DecisionMethod, values.DecisionMethod),
        (enums.ResourceKind, values.ResourceKind),
        (enums.AccessRole, values.AccessRole),
    ]
    for ours, theirs in pairs:
        assert [member.name for member in ours] == [member.value for member in theirs]
    declared = {
        value
        for name, value in vars(event_types).items()
        if name.isupper() and isinstance(value, str)
    }
    assert {member.name for member in enums.EventType} == declared


def test_every_mutation_takes_one_input_and_returns_its_result_union() -> None:
    mutation = SERVED.mutation_type
    assert mutation is not None
    assert set(mutation.fields) == set(DOMAIN_MUTATIONS)
    for name, field in mutation.fields.items():
        stem = name[0].upper() + name[1:]
        assert list(field.args) == ["input"]
        assert str(field.args["input"].type) == f"{stem}Input!"
        assert str(field.type) == f"{stem}Result!"
        union = SERVED.type_map[f"{stem}Result"]
        assert isinstance(union, GraphQLUnionType)
        assert [member.name for member in union.types] == [
            f"{stem}Success",
            "ValidationError",
            "VersionConflictError",
            "ForbiddenError",
        ]
        success = SERVED.type_map[f"{stem}Success"]
        assert isinstance(success, GraphQLObjectType)
        given = SERVED.type_map[f"{stem}Input"]
        assert isinstance(given, GraphQLInputObjectType)
        spec = DOMAIN_MUTATIONS[name]
        fields = {key: str(value.type) for key, value in success.fields.items()}
        if spec.own_mutation:  # a check-in round's: its own input, the round beside the event
            assert fields == {
                "event": "Event!",
                "partnership": "Partnership!",
                "round": "CheckInRound!",
                **ROUND_SUCCESS_EXTRAS[name],
            }
            assert set(given.fields) == ROUND_INPUTS[name]
            continue
        assert fields == {"event": "Event!", "partnership": "Partnership!"}
        common = {"occurredAt", "idempotencyKey"} | (
            {"partnershipId", "expectedVersion"} if spec.in_partnership else set()
        )
        assert set(given.fields) == common | {field.name for field in spec.fields}
        for field_spec in spec.fields:
            required = str(given.fields[field_spec.name].type).endswith("!")
            assert required == field_spec.required, f"{name}.{field_spec.name}"


ROUND_SUCCESS_EXTRAS = {
    "openCheckInRound": {"links": "[CheckInLink!]!", "emailed": "Int!"},
    "closeCheckInRound": {"checkIns": "[Event!]!"},
    "remindCheckInRound": {},
}
ROUND_INPUTS = {
    "openCheckInRound": {
        "partnershipId",
        "closesAt",
        "minimumResponses",
        "invitations",
        "aboutPartners",
        "keepNotes",
        "occurredAt",
        "expectedVersion",
        "idempotencyKey",
    },
    "closeCheckInRound": {"partnershipId", "roundId"},
    "remindCheckInRound": {"partnershipId", "roundId"},
}


def _contract_blocks() -> list[ObjectTypeDefinitionNode]:
    if not API_MD.exists():
        pytest.skip(f"{API_MD} is not here")
    blocks = re.findall(r"```graphql\n(.*?)```", API_MD.read_text(), re.S)
    definitions: list[ObjectTypeDefinitionNode] = []
    for block in blocks:
        document = parse(block)
        definitions.extend(
            d for d in document.definitions if isinstance(d, ObjectTypeDefinitionNode)
        )
    return definitions


def _argument(node: InputValueDefinitionNode) -> str:
    default = f" = {print_ast(node.default_value)}" if node.default_value else ""
    return f"{node.name.value}: {print_ast(node.type)}{default}"


def test_the_types_of_api_md_are_served_as_written() -> None:
    definitions = _contract_blocks()
    assert {d.name.value for d in definitions} >= {"Query", "Partnership", "Event", "Health"}
    for definition in definitions:
        served = SERVED.type_map.get(definition.name.value)
        assert isinstance(served, GraphQLObjectType), definition.name.value
        declared = {i.name.value for i in definition.interfaces or ()}
        assert declared <= {i.name for i in served.interfaces}
        for field in definition.fields or ():
            assert isinstance(field, FieldDefinitionNode)
            where = f"{definition.name.value}.{field.name.value}"
            ours = served.fields.get(field.name.value)
            assert ours is not None, f"{where} is missing"
            assert str(ours.type) == print_ast(field.type), where
            for argument in field.arguments or ():
                theirs = ours.args.get(argument.name.value)
                assert theirs is not None, f"{where}({argument.name.value}) is missing"
                printed = f"{argument.name.value}: {theirs.type}"
                if theirs.default_value is not Undefined:
                    printed += f" = {theirs.default_value}"
                assert printed == _argument(argument), where
