"""docker-compose.yml describes the team topology the process tests run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.integration.dockerfile import dockerfile_stages

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


def test_accord_services_run_the_image_the_dockerfile_builds() -> None:
    stages = {stage.name: stage for stage in dockerfile_stages((ROOT / "Dockerfile").read_text())}
    runtime = stages["runtime"]
    exposed = runtime.arguments("EXPOSE")
    for name in ("api", "worker"):
        service = compose()["services"][name]
        assert service["image"] == "accord:latest"
        assert service["build"]["context"] == "."
        assert service["build"]["target"] == "runtime"
        assert service["command"][0] == "accord"  # the wheel's console script, on PATH
    api = compose()["services"]["api"]
    port = api["command"][api["command"].index("--port") + 1]
    assert port in exposed
    assert all(mapping.endswith(f":{port}") for mapping in api["ports"])
    assert api["command"][api["command"].index("--host") + 1] == "0.0.0.0"
    # The health check runs the image's python: the runtime stage's venv is on PATH.
    assert api["healthcheck"]["test"][1] == "python"
    assert any("/opt/accord/bin" in env for env in runtime.arguments("ENV"))
    # The audit key is a secret, read by the image's non-root user.
    assert runtime.arguments("USER") and compose()["secrets"]["accord_audit_key"]["file"]
