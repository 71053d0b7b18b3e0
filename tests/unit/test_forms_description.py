"""The page's forms as `GET /forms.json` describes them (accord.web.forms): every kind of
the catalogue, in its order, every field worded, each control what the field's reader
and what it refers to call for, and each select's options the GraphQL enum's values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from accord.domain.catalogue import KINDS, About, Kind
from accord.domain.fields import FieldSpec, Refers
from accord.domain.values import LONG_TEXT_LIMIT, SHORT_TEXT_LIMIT
from accord.graphql import enums
from accord.web import forms

DESCRIPTION = forms.describe("Europe/London")
BY_MUTATION = {form["mutation"]: form for form in DESCRIPTION["kinds"]}


def _worded(item: dict[str, Any]) -> None:
    assert isinstance(item["label"], str) and item["label"].strip(), item
    assert isinstance(item["help"], str) and item["help"].strip(), item
    assert item["control"] in forms.CONTROLS, item
    assert isinstance(item["required"], bool), item


def test_the_description_is_json_with_the_time_zone_and_the_common_fields() -> None:
    assert json.loads(json.dumps(DESCRIPTION)) == DESCRIPTION
    assert DESCRIPTION["timeZone"] == "Europe/London"
    assert forms.describe("America/New_York")["timeZone"] == "America/New_York"
    assert [item["name"] for item in DESCRIPTION["common"]] == ["occurredAt"]
    occurred = DESCRIPTION["common"][0]
    _worded(occurred)
    assert occurred["control"] == "datetime" and occurred["required"] is False
    assert [section["name"] for section in DESCRIPTION["sections"]] == [a.value for a in About]


def test_every_kind_in_the_catalogues_order() -> None:
    assert [form["mutation"] for form in DESCRIPTION["kinds"]] == [k.mutation for k in KINDS]
    assert len(DESCRIPTION["kinds"]) == 19


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.mutation)
def test_each_kind_is_its_catalogue_entry_worded(kind: Kind) -> None:
    form = BY_MUTATION[kind.mutation]
    assert form["type"] == kind.type_name
    assert form["section"] == kind.about.value
    assert form["needs"] == kind.needs.value
    assert form["inPartnership"] is kind.in_partnership
    assert form["retractable"] is kind.retractable
    assert form["title"].strip() and form["help"].strip()
    assert [item["name"] for item in form["fields"]] == [spec.name for spec in kind.fields]
    for item, spec in zip(form["fields"], kind.fields, strict=True):
        _worded(item)
        assert item["required"] is spec.required
        _matches_reader(item, spec)


def _matches_reader(item: dict[str, Any], spec: FieldSpec) -> None:
    """The control and its bounds are what the field's reader accepts."""
    shape, control = spec.shape, item["control"]
    if spec.refers is not None and shape.kind != "shares":
        expected = {
            Refers.PARTNER: "partners" if shape.kind == "ids" else "partner",
            Refers.GOAL: "goal",
            Refers.COMMITMENT: "commitment",
            Refers.LEADERSHIP_ROLE: "role",
            Refers.EVENT: "event",
            Refers.ACTOR: "actor",
        }[spec.refers]
        assert control == expected, spec.name
    elif shape.kind == "text":
        assert control == ("text" if shape.max_length == SHORT_TEXT_LIMIT else "textarea")
    else:
        assert (
            control
            == {
                "enum": "select",
                "integer": "integer",
                "number": "number",
                "boolean": "boolean",
                "instant": "datetime",
                "id": "id",
                "shares": "shares",
            }[shape.kind]
        ), spec.name
    if shape.kind == "ids":
        assert spec.refers is Refers.PARTNER, f"{spec.name}: a list of ids names partners"
    if shape.kind == "text":
        assert item["maxLength"] == shape.max_length in (SHORT_TEXT_LIMIT, LONG_TEXT_LIMIT)
    else:
        assert "maxLength" not in item
    if shape.kind in ("integer", "number"):
        assert item["min"] == shape.low
        assert item.get("max") == shape.high
        assert item.get("exclusiveMin", False) is shape.low_excluded
    else:
        assert "min" not in item and "max" not in item
    if spec.default is not None:
        assert item["default"] == (
            list(spec.default) if isinstance(spec.default, tuple) else spec.default
        )
    else:
        assert "default" not in item
    if control == "shares":
        assert [sub["name"] for sub in item["items"]] == ["partnerId", "share"]
        for sub, sub_spec in zip(item["items"], shape.items, strict=True):
            _worded(sub)
            _matches_reader(sub, sub_spec)


def test_the_readers_bounds_reach_the_forms() -> None:
    fields = {item["name"]: item for item in BY_MUTATION["recordDecision"]["fields"]}
    assert fields["significance"] | {"label": "", "help": ""} == {
        "name": "significance",
        "label": "",
        "help": "",
        "control": "integer",
        "required": False,
        "min": 1,
        "max": 3,
        "default": 1,
    }
    assert fields["decidedBy"]["minItems"] == 1 and "minItems" not in fields["consulted"]
    quantity = BY_MUTATION["makeCommitment"]["fields"][3]
    assert (quantity["name"], quantity["min"], quantity["exclusiveMin"]) == ("quantity", 0, True)
    rating = BY_MUTATION["endorseGoal"]["fields"][3]
    assert (rating["min"], rating["max"]) == (1, 5)


ENUMS = {
    "sector": enums.Sector,
    "category": enums.DecisionCategory,
    "method": enums.DecisionMethod,
    "kind": enums.ResourceKind,
    "role": enums.AccessRole,
}


def test_each_selects_options_are_the_graphql_enums_values() -> None:
    selects = [
        (form["mutation"], item)
        for form in DESCRIPTION["kinds"]
        for item in form["fields"]
        if item["control"] == "select"
    ]
    assert {name for _, item in selects for name in [item["name"]]} == set(ENUMS)
    for mutation, item in selects:
        values = [option["value"] for option in item["options"]]
        assert values == [member.name for member in ENUMS[item["name"]]], mutation
        for option in item["options"]:
            assert option["label"].strip() and option["label"] != option["value"]
    assert BY_MUTATION["grantRole"]["fields"][1]["control"] == "select"


def test_the_wording_names_only_fields_and_kinds_that_exist() -> None:
    """No label is left behind when a field or a kind goes."""
    names = {spec.name for kind in KINDS for spec in kind.fields}
    mutations = {kind.mutation for kind in KINDS}
    assert set(forms.FIELDS) == names
    assert set(forms.KINDS_WORDING) == mutations
    for mutation, name in forms.OVERRIDES:
        assert name in {spec.name for spec in BY_KIND[mutation].fields}, (mutation, name)


BY_KIND = {kind.mutation: kind for kind in KINDS}


def test_the_titles_the_page_looks_for() -> None:
    titles = {form["mutation"]: form["title"] for form in DESCRIPTION["kinds"]}
    assert titles["recordDecision"] == "Record a decision"
    assert titles["makeCommitment"] == "Make a commitment"
    assert titles["recordDelivery"] == "Record a delivery"
    assert titles["appointLeader"] == "Appoint a leader"
    assert titles["recordLeaderDeparture"] == "Record a leader leaving"
    assert titles["recordTrustCheckIn"] == "Check in"
    assert titles["retractEntry"] == "Retract this entry"
    assert BY_MUTATION["formPartnership"]["inPartnership"] is False
    assert {form["needs"] for form in DESCRIPTION["kinds"] if form["section"] == "RECORD"} == {
        "ADMIN"
    }


def test_each_kind_about_one_goal_has_a_short_action_to_offer_beside_each_goal() -> None:
    about_one_goal = {
        form["mutation"]
        for form in DESCRIPTION["kinds"]
        if any(item["control"] == "goal" for item in form["fields"])
    }
    assert about_one_goal == {"reviseGoal", "endorseGoal", "reaffirmGoal", "retireGoal"}
    assert set(forms.ITEM_ACTIONS) == about_one_goal
    for form in DESCRIPTION["kinds"]:
        if form["mutation"] in about_one_goal:
            assert form["action"].strip() and len(form["action"]) < len(form["title"])
        else:
            assert "action" not in form
