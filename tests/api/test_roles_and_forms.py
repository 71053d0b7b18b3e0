"""What the page asks before it offers a form (issue 14), over real HTTP:
`Partnership.myRole` and `Partnership.members` for each kind of caller, with tokens and
under `--no-auth`, and `GET /forms.json`, served without a token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from accord.web.forms import describe
from tests.api.secured import SecuredServer
from tests.api.server import ApiServer
from tests.support.operations import Recorder

ACTORS = {"VIEWER": "vera", "RECORDER": "rick", "ADMIN": "alice", "OTHER ADMIN": "zoe"}

ROLES = """query($id: ID!, $knownAt: DateTime) {
  partnership(id: $id) { myRole members(knownAt: $knownAt) { actor role since } }
}"""


@dataclass
class World:
    server: SecuredServer
    partnership_id: str
    tokens: dict[str, str]
    granted: dict[str, dict[str, Any]]
    """The event that gave each actor its current role."""
    before_rick: str
    """A moment after vera's first grant was recorded and before rick's."""

    def roles(self, caller: str, known_at: str | None = None) -> dict[str, Any]:
        data = self.server.data(
            self.tokens[caller], ROLES, {"id": self.partnership_id, "knownAt": known_at}
        )
        partnership: dict[str, Any] = data["partnership"]
        return partnership


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{tmp_path_factory.mktemp('roles') / 'accord.db'}"
    server = SecuredServer(url)
    try:
        tokens = {caller: server.issue(actor) for caller, actor in ACTORS.items()}
        admin = Recorder(server.api, tokens["ADMIN"])
        pid = admin.form("Riverside")
        history = server.data(
            tokens["ADMIN"],
            "query($id: ID!) { partnership(id: $id) { history { edges { node { recordedAt "
            "recordedBy } } } } }",
            {"id": pid},
        )
        formed = history["partnership"]["history"]["edges"][0]["node"]

        def grant(actor: str, role: str, occurred_at: str = "2024-02-01") -> dict[str, Any]:
            given = {"partnershipId": pid, "actor": actor, "role": role, "occurredAt": occurred_at}
            return admin.record("grantRole", given)

        first_vera = grant("vera", "RECORDER")
        rick = grant("rick", "RECORDER")
        vera = grant("vera", "VIEWER", "2024-01-15")  # a new role replaces the old
        grant("temp", "VIEWER")
        admin.record("revokeRole", {"partnershipId": pid, "actor": "temp"})
        zoe = grant("zoe", "ADMIN")
        granted = {"alice": formed, "vera": vera, "rick": rick, "zoe": zoe}
        assert first_vera["recordedAt"] < rick["recordedAt"]
        yield World(server, pid, tokens, granted, first_vera["recordedAt"])
    finally:
        server.stop()


@pytest.mark.parametrize("caller", ["VIEWER", "RECORDER", "ADMIN"])
def test_each_caller_sees_its_own_role(world: World, caller: str) -> None:
    assert world.roles(caller)["myRole"] == caller


@pytest.mark.parametrize("caller", ["VIEWER", "RECORDER"])
def test_only_an_admin_sees_the_members(world: World, caller: str) -> None:
    response = world.server.body(
        world.tokens[caller], ROLES, {"id": world.partnership_id, "knownAt": None}
    )
    assert "errors" not in response, response
    assert response["data"]["partnership"]["members"] is None


@pytest.mark.parametrize("caller", ["ADMIN", "OTHER ADMIN"])
def test_an_admin_sees_every_member_by_name_with_when_the_role_was_given(
    world: World, caller: str
) -> None:
    members = world.roles(caller)["members"]
    assert members == [
        {"actor": "alice", "role": "ADMIN", "since": world.granted["alice"]["recordedAt"]},
        {"actor": "rick", "role": "RECORDER", "since": world.granted["rick"]["recordedAt"]},
        {"actor": "vera", "role": "VIEWER", "since": world.granted["vera"]["recordedAt"]},
        {"actor": "zoe", "role": "ADMIN", "since": world.granted["zoe"]["recordedAt"]},
    ]
    # since is when the grant was recorded, not the (backdated) occurredAt it was given
    assert world.granted["vera"]["occurredAt"].startswith("2024-01-15")


def test_members_as_known_at_an_earlier_instant(world: World) -> None:
    members = world.roles("ADMIN", known_at=world.before_rick)["members"]
    assert [(m["actor"], m["role"]) for m in members] == [("alice", "ADMIN"), ("vera", "RECORDER")]


def test_an_outsider_gets_no_partnership_at_all(world: World) -> None:
    outsider = world.server.issue("mallory")
    data = world.server.data(outsider, ROLES, {"id": world.partnership_id, "knownAt": None})
    assert data == {"partnership": None}


def test_without_auth_everyone_is_admin_and_sees_the_members(api: ApiServer) -> None:
    pid = Recorder(api).form("Local")
    Recorder(api).record("grantRole", {"partnershipId": pid, "actor": "vera", "role": "VIEWER"})
    partnership = api.data(ROLES, {"id": pid, "knownAt": None})["partnership"]
    assert partnership["myRole"] == "ADMIN"
    assert [(m["actor"], m["role"]) for m in partnership["members"]] == [
        ("local", "ADMIN"),
        ("vera", "VIEWER"),
    ]


# ---------------------------------------------------------------- /forms.json


def test_forms_json_is_served_without_a_token_under_auth(world: World) -> None:
    client = world.server.api.client
    response = client.get("/forms.json")  # no Authorization header
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == describe("Europe/London")
    assert json.loads(response.content.decode("utf-8")) == response.json()
    assert "public" in response.headers["cache-control"]
    etag = response.headers["etag"]
    again = client.get("/forms.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    # GraphQL still needs one
    assert world.server.post(None, "{ __typename }").status_code == 401


def test_forms_json_names_the_time_zone_it_is_given(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.api.server import start_server

    monkeypatch.setenv("ACCORD_TIMEZONE", "America/New_York")
    server = start_server(sqlite_url)
    try:
        body = server.client.get("/forms.json").json()
    finally:
        server.stop()
    assert body["timeZone"] == "America/New_York"
    assert body == describe("America/New_York")
