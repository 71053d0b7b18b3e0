"""docker-compose.yml describes the team topology the process tests run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_the_compose_file_has_postgres_two_api_replicas_and_a_worker() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "api", "worker"}
    assert services["api"]["deploy"]["replicas"] == 2
    assert "--no-projector" in services["api"]["command"]
    assert services["worker"]["command"] == ["accord", "project"]


def test_postgres_keeps_its_data_in_a_volume_and_has_a_health_check() -> None:
    postgres = compose()["services"]["postgres"]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "accord-data" in compose()["volumes"]


def test_accord_services_are_configured_by_environment_and_wait_for_postgres() -> None:
    for name in ("api", "worker"):
        service = compose()["services"][name]
        url = service["environment"]["ACCORD_DATABASE_URL"]
        assert url.startswith("postgresql://") and "@postgres:5432/" in url
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "ACCORD_AUDIT_KEY_FILE" in service["environment"]


def test_every_service_restarts_by_itself() -> None:
    for service in compose()["services"].values():
        assert service["restart"] == "unless-stopped"
