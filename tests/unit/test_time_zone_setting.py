"""`ACCORD_TIMEZONE`: an IANA name, Europe/London by default, checked at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.cli import main
from accord.settings import SettingsError, time_zone


def test_europe_london_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_TIMEZONE", raising=False)
    assert time_zone() == "Europe/London"
    monkeypatch.setenv("ACCORD_TIMEZONE", "")
    assert time_zone() == "Europe/London"


def test_any_iana_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_TIMEZONE", "America/New_York")
    assert time_zone() == "America/New_York"
    assert time_zone("UTC") == "UTC"


@pytest.mark.parametrize("name", ["Nowhere/Town", "Europe/Londn", "../../etc/passwd", "/etc"])
def test_an_unknown_name_is_a_settings_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("ACCORD_TIMEZONE", name)
    with pytest.raises(SettingsError, match=r"^ACCORD_TIMEZONE: .* is not an IANA time zone"):
        time_zone()


def test_serve_refuses_to_start_with_an_unknown_time_zone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ACCORD_TIMEZONE", "Mars/Olympus_Mons")
    database = f"sqlite:///{tmp_path}/never.db"
    assert main(["serve", "--database", database, "--port", "1"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("accord: ACCORD_TIMEZONE: 'Mars/Olympus_Mons'"), error
    assert not (tmp_path / "never.db").exists()  # stopped before the database was opened
