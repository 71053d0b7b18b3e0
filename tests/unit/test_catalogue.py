"""Every kind of the catalogue is covered everywhere a kind is spelled: the domain's
events and dispatch, the GraphQL mutations, inputs and `EventType`, the read model's
type names, the summary and timeline wording, and API.md's mutation table."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from accord.domain import catalogue, events
from accord.domain.catalogue import ALL_KINDS, BY_CLASS, BY_MUTATION, KINDS, About, Kind
from accord.domain.partnership import Partnership, PartnershipEvent
from accord.domain.values import AccessRole
from accord.graphql import mutations
from accord.graphql.schema import schema
from accord.projections import event_types, timeline
from accord.projections.records import IndexedEvent
from accord.projections.summary import summary

API_MD = Path(__file__).resolve().parents[2] / "docs" / "API.md"
SERVED = schema._schema
NAMES = [kind.type_name for kind in ALL_KINDS]
IDS = {"ids": NAMES}
INPUT_IDS = {"ids": [kind.type_name for kind in KINDS]}


def _stem(kind: Kind) -> str:
    return kind.mutation[0].upper() + kind.mutation[1:]


def test_each_kind_is_declared_once() -> None:
    assert len(set(NAMES)) == len(ALL_KINDS) == len(BY_MUTATION) == len(BY_CLASS)
    assert [kind for kind in ALL_KINDS if kind.own_mutation] == list(catalogue.ROUND_KINDS)
    declared = {
        value
        for value in vars(events).values()
        if isinstance(value, type)
        and issubclass(value, PartnershipEvent)
        and value is not PartnershipEvent
    }
    assert declared == set(BY_CLASS)
    for kind in ALL_KINDS:
        assert getattr(catalogue, kind.type_name) is kind
        assert kind.type_name == kind.event_class.type_name()


@pytest.mark.parametrize("kind", ALL_KINDS, **IDS)
def test_the_aggregate_keeps_each_event_class_where_stored_events_find_it(kind: Kind) -> None:
    name = kind.event_class.__name__
    assert getattr(Partnership, name) is kind.event_class
    assert f"accord.domain.partnership:Partnership.{name}" == kind.event_class.TOPIC
    assert Partnership.kind_of(object.__new__(kind.event_class)) is kind


def test_the_mutation_table_is_the_catalogues() -> None:
    assert [spec.name for spec in mutations.MUTATIONS] == [kind.mutation for kind in KINDS]
    served = SERVED.mutation_type
    assert served is not None
    assert list(served.fields) == [kind.mutation for kind in ALL_KINDS]
    for kind in catalogue.ROUND_KINDS:  # their own resolvers (accord.graphql.rounds)
        assert kind.own_mutation and kind.needs is AccessRole.ADMIN
        assert served.fields[kind.mutation].description.endswith("ADMIN only.")
    for kind in KINDS:
        assert served.fields[kind.mutation].description == kind.mutation_description
        admin = kind.needs is AccessRole.ADMIN
        assert kind.mutation_description.endswith("ADMIN only.") == admin, kind.mutation


def test_the_event_type_enum_is_the_catalogues() -> None:
    enum = SERVED.type_map["EventType"]
    assert isinstance(enum, GraphQLEnumType)
    assert list(enum.values) == NAMES
    for kind in ALL_KINDS:
        assert enum.values[kind.type_name].description == kind.event_description
        assert f"`{kind.mutation}`" in kind.event_description


@pytest.mark.parametrize("kind", KINDS, **INPUT_IDS)
def test_each_kind_has_its_input_type(kind: Kind) -> None:
    given = SERVED.type_map[f"{_stem(kind)}Input"]
    assert isinstance(given, GraphQLInputObjectType)
    common = {"occurredAt", "idempotencyKey"}
    if kind.in_partnership:
        common |= {"partnershipId", "expectedVersion"}
    assert set(given.fields) == common | {spec.name for spec in kind.fields}
    for spec in kind.fields:
        required = str(given.fields[spec.name].type).endswith("!")
        assert required == spec.required, f"{kind.mutation}.{spec.name}"
    success = SERVED.type_map[f"{_stem(kind)}Success"]
    assert isinstance(success, GraphQLObjectType)


@pytest.mark.parametrize("kind", ALL_KINDS, **IDS)
def test_the_read_model_names_each_kind(kind: Kind) -> None:
    assert getattr(event_types, kind.type_name) == kind.type_name
    groups = {
        About.GOALS: event_types.GOAL_EVENTS,
        About.COMMITMENTS: event_types.COMMITMENT_EVENTS,
        About.LEADERSHIP: event_types.LEADERSHIP_EVENTS,
        About.PARTNERS: event_types.PARTNER_EVENTS,
        About.RECORD: event_types.RECORD_EVENTS,
    }
    for about, group in groups.items():
        assert (kind.type_name in group) == (kind.about is about)


@pytest.mark.parametrize("kind", ALL_KINDS, **IDS)
def test_each_kind_has_its_summary_sentence(kind: Kind) -> None:
    event = IndexedEvent(
        partnership_id="p",
        position=2,
        event_id="e",
        type=kind.type_name,
        occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
        recorded_at=datetime(2025, 1, 1, tzinfo=UTC),
        recorded_by="a",
        data={},
        hash="h",
        previous_hash=None,
    )
    fallback = f"{kind.type_name.replace('_', ' ').capitalize()} recorded"
    assert summary(event) != fallback


@pytest.mark.parametrize("kind", ALL_KINDS, **IDS)
def test_each_kind_is_on_its_timeline_lane_or_none(kind: Kind) -> None:
    lanes = {lane for lane, _ in timeline.LANES}
    if kind.about is About.RECORD:
        assert kind.type_name not in timeline.LANE_OF
        assert kind.type_name not in timeline.LABELS
    else:
        assert timeline.LANE_OF[kind.type_name] in lanes
        assert kind.type_name in timeline.LABELS


def _api_md() -> str:
    if not API_MD.exists():
        pytest.skip(f"{API_MD} is not here")
    return API_MD.read_text()


def _table_fields(cell: str) -> list[tuple[str, bool]]:
    """`decisionId, title!, category! (A, B), decidedBy! [ID!] (non-empty)` ->
    [(name, required)], ignoring what brackets and parentheses say of each."""
    cell = cell.split("—")[0]
    cell = re.sub(r"\[[^\]]*\]", "", cell)
    cell = re.sub(r"\([^)]*\)", "", cell)
    fields = []
    for part in cell.split(","):
        match = re.match(r"\s*(\w+)(!?)", part)
        assert match is not None, part
        fields.append((match.group(1), match.group(2) == "!"))
    return fields


def test_api_md_lists_every_kind_with_its_fields() -> None:
    rows = re.findall(r"^\| (\w+) \| (\w+) \| (.*) \|$", _api_md(), re.M)
    rows = [row for row in rows if row[0] != "mutation"]
    assert [(mutation, event) for mutation, event, _ in rows] == [
        (kind.mutation, kind.event_class.__name__) for kind in KINDS
    ]
    for (mutation, _, cell), kind in zip(rows, KINDS, strict=True):
        expected = [(spec.name, spec.required) for spec in kind.fields]
        assert _table_fields(cell) == expected, mutation
        assert ("ADMIN only" in cell) == (kind.needs is AccessRole.ADMIN), mutation


def test_api_md_names_the_kinds_that_cannot_be_retracted() -> None:
    text = _api_md()
    start = text.index("- Retractions: not of ")
    named = set(re.findall(r"`(\w+)`", text[start : text.index(";", start)]))
    assert named == {kind.event_class.__name__ for kind in ALL_KINDS if not kind.retractable}
