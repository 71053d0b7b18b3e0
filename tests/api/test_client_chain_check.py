"""A client can recompute the hash chain from `history` alone (docs/verify_chain.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.api.server import ApiServer, start_server
from tests.support.scenarios import SCENARIOS

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_chain.py"


def test_the_readme_script_recomputes_the_chain_from_history(sqlite_url: str) -> None:
    imported = subprocess.run(
        [
            sys.executable,
            "-m",
            "accord",
            "import",
            str(SCENARIOS / "hartmoor-b.steps.json"),
            "--database",
            sqlite_url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = imported.stdout.strip()
    api: ApiServer = start_server(sqlite_url)
    try:
        audit = api.data(
            "query($id: ID!) { partnership(id: $id) { audit { valid eventsChecked headHash } } }",
            {"id": pid},
        )["partnership"]["audit"]
        result = subprocess.run(
            [sys.executable, str(SCRIPT), f"{api.url}/graphql", pid],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        api.stop()
    assert audit["valid"]
    assert result.stdout.split() == ["valid", str(audit["eventsChecked"]), audit["headHash"]]
