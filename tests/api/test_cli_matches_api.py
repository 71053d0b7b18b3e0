"""`accord health --json` is exactly the API's `health` with every field selected (each
`partner` given as its id)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.api.server import start_server
from tests.support.operations import HEALTH_QUERY
from tests.support.scenarios import SCENARIOS


def partners_as_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: ({"id": item["id"]} if key == "partner" and item else partners_as_ids(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [partners_as_ids(item) for item in value]
    return value


def test_health_json_on_the_command_line_equals_the_api(sqlite_url: str) -> None:
    steps = SCENARIOS / "hartmoor-a.steps.json"
    pid = subprocess.run(
        [sys.executable, "-m", "accord", "import", str(steps), "--database", sqlite_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    moments = [("2024-03-09", "2026-01-01", 180), ("2026-09-30T17:00:00+00:00", "2026-11-01", 365)]
    api = start_server(sqlite_url)
    try:
        for as_of, known_at, window in moments:
            from_api = api.data(
                HEALTH_QUERY, {"id": pid, "asOf": as_of, "knownAt": known_at, "windowDays": window}
            )["partnership"]["health"]
            from_cli = json.loads(
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "accord",
                        "health",
                        pid,
                        "--as-of",
                        as_of,
                        "--known-at",
                        known_at,
                        "--window-days",
                        str(window),
                        "--json",
                        "--database",
                        sqlite_url,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            assert from_cli == partners_as_ids(from_api)
    finally:
        api.stop()
