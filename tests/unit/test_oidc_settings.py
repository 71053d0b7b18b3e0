"""ACCORD_OIDC_*: what single sign-on is configured by, and the errors naming the
variable at fault; the OpenID actor id and the names grants take."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.application.oidc_actors import grantee, oidc_actor_id
from accord.domain.errors import DomainError
from accord.settings import SettingsError, oidc_settings

ISSUER = "https://login.microsoftonline.com/tenant-id/v2.0"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ACCORD_OIDC_ISSUER",
        "ACCORD_OIDC_CLIENT_ID",
        "ACCORD_OIDC_CLIENT_SECRET",
        "ACCORD_OIDC_CLIENT_SECRET_FILE",
        "ACCORD_OIDC_ACTOR_CLAIM",
        "ACCORD_OIDC_ALLOWED_DOMAINS",
        "ACCORD_OIDC_PROVIDER_NAME",
    ):
        monkeypatch.delenv(name, raising=False)


def _configure(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    base = {
        "ACCORD_OIDC_ISSUER": ISSUER + "/",
        "ACCORD_OIDC_CLIENT_ID": "client-1",
        "ACCORD_OIDC_CLIENT_SECRET": "s3cret",
    }
    for name, value in {**base, **values}.items():
        monkeypatch.setenv(name, value)


def test_not_configured() -> None:
    assert oidc_settings() is None


def test_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    _configure(monkeypatch, ACCORD_OIDC_ALLOWED_DOMAINS=" nhs.net, @Council.Gov.UK ,")
    settings = oidc_settings()
    assert settings is not None
    assert settings.issuer == ISSUER  # the trailing slash dropped
    assert (settings.client_id, settings.client_secret) == ("client-1", "s3cret")
    assert settings.actor_claim == "email"
    assert settings.allowed_domains == ("nhs.net", "council.gov.uk")
    assert settings.provider_name == "login.microsoftonline.com"
    assert "s3cret" not in repr(settings)


def test_secret_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    _configure(monkeypatch, ACCORD_OIDC_CLIENT_SECRET_FILE=str(secret))
    monkeypatch.delenv("ACCORD_OIDC_CLIENT_SECRET")
    settings = oidc_settings()
    assert settings is not None and settings.client_secret == "from-a-file"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"ACCORD_OIDC_ISSUER": "http://id.example.org"}, "ACCORD_OIDC_ISSUER"),
        ({"ACCORD_OIDC_ISSUER": "id.example.org"}, "ACCORD_OIDC_ISSUER"),
        ({"ACCORD_OIDC_CLIENT_ID": ""}, "ACCORD_OIDC_CLIENT_ID"),
        ({"ACCORD_OIDC_CLIENT_SECRET": ""}, "ACCORD_OIDC_CLIENT_SECRET"),
        ({"ACCORD_OIDC_CLIENT_SECRET_FILE": "/nonexistent/secret"}, "ACCORD_OIDC_CLIENT_SECRET"),
        ({"ACCORD_OIDC_ACTOR_CLAIM": "e mail"}, "ACCORD_OIDC_ACTOR_CLAIM"),
        ({"ACCORD_OIDC_ALLOWED_DOMAINS": "nhs.net, https://x"}, "ACCORD_OIDC_ALLOWED_DOMAINS"),
        ({"ACCORD_OIDC_PROVIDER_NAME": "x" * 101}, "ACCORD_OIDC_PROVIDER_NAME"),
    ],
)
def test_errors_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], named: str
) -> None:
    _configure(monkeypatch, **values)
    with pytest.raises(SettingsError, match=named):
        oidc_settings()


def test_http_only_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    _configure(monkeypatch, ACCORD_OIDC_ISSUER="http://127.0.0.1:8080")
    settings = oidc_settings()
    assert settings is not None and settings.issuer == "http://127.0.0.1:8080"


def test_actor_id_is_opaque_and_stable() -> None:
    actor = oidc_actor_id(ISSUER, "subject-1")
    assert actor == oidc_actor_id(ISSUER, "subject-1")
    assert actor.startswith("oidc:") and len(actor) == len("oidc:") + 32
    assert actor != oidc_actor_id(ISSUER, "subject-2")
    assert actor != oidc_actor_id("https://other.example.org", "subject-1")
    # The NUL between issuer and subject: no two pairs run together the same.
    assert oidc_actor_id("https://a.example/x", "y") != oidc_actor_id("https://a.example/", "xy")


class Directory:
    def __init__(self, single_sign_on: bool = False) -> None:
        self.known = {"ann@nhs.net": oidc_actor_id(ISSUER, "ann")}
        self.single_sign_on = single_sign_on
        self.names = {"robot@nhs.net"}  # a local account's or a bearer token's name

    def unknown_address(self, name: str) -> bool:
        return self.single_sign_on and name not in self.names

    def oidc_actor_for_email(self, email: str) -> str | None:
        return self.known.get(email.lower())

    def oidc_display(self, actor: str) -> str | None:
        return next((e for e, a in self.known.items() if a == actor), None)


def test_grantee() -> None:
    directory = Directory()
    ann = oidc_actor_id(ISSUER, "ann")
    assert grantee("Ann@NHS.net", directory) == ann
    assert grantee(ann, directory) == ann
    assert grantee("bob@nhs.net", directory) == "bob@nhs.net"
    assert grantee("carol", directory) == "carol"
    for reserved in ("oidc:" + "f" * 32, "check-in-round:r1", " OIDC:x", "Check-In-Round:r"):
        with pytest.raises(DomainError) as refused:
            grantee(reserved, directory)
        assert refused.value.field == "actor"
    with pytest.raises(DomainError):
        grantee(ann, None)


def test_with_single_sign_on_an_unknown_address_is_refused_as_a_grantee() -> None:
    directory = Directory(single_sign_on=True)
    assert grantee("Ann@NHS.net", directory) == oidc_actor_id(ISSUER, "ann")
    assert grantee("robot@nhs.net", directory) == "robot@nhs.net"
    assert grantee("carol", directory) == "carol"  # not an address
    with pytest.raises(DomainError) as refused:
        grantee("bob@nhs.net", directory)
    assert refused.value.field == "actor"
    assert "ask them to sign in once" in refused.value.message


def test_serve_stops_at_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from accord.cli import main

    _configure(monkeypatch, ACCORD_OIDC_ISSUER="http://id.example.org")
    database = tmp_path / "accord.db"
    assert main(["serve", "--database", f"sqlite:///{database}", "--port", "0"]) == 2
    assert "ACCORD_OIDC_ISSUER" in capsys.readouterr().err
    assert not database.exists()  # stopped before the database was opened


@pytest.mark.parametrize("actor", ["oidc:" + "a" * 32, "OIDC:x", "check-in-round:r1"])
def test_no_token_for_a_reserved_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], actor: str
) -> None:
    from accord.cli import main

    database = f"sqlite:///{tmp_path / 'accord.db'}"
    assert main(["token", "issue", "--actor", actor, "--database", database]) != 0
    assert "reserved" in capsys.readouterr().err
