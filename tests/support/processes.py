"""Real `python -m accord ...` processes for team-mode tests.

Each process runs this checkout's code with the test run's environment (so the same
ACCORD_AUDIT_KEY), writes its output to a log file, and is killed at teardown. An API
process (`serve`) gets a free port and is ready once /healthz answers; like
`tests.api.server.ApiServer` it is a `GraphQLClient`, so `Recorder` and `subscriber`
work against it unchanged.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from tests.support.graphql_client import GraphQLClient, bearer
from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


def accord_environment() -> dict[str, str]:
    """The test run's environment, with this checkout first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH", "")])])
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("ACCORD_DATABASE_URL", None)
    return env


def run_accord(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one command to its end (`import`, `rebuild`, `verify`, ...)."""
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        cwd=ROOT,
        env=accord_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class AccordProcess(GraphQLClient):
    """One running `accord` process (a `GraphQLClient` of it when it serves the API)."""

    def __init__(
        self,
        name: str,
        args: list[str],
        log_path: Path,
        port: int | None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        # `headers` go with every request (a bearer token, when served with auth).
        super().__init__(f"http://127.0.0.1:{port}", headers)
        self.name = name
        self.args = args
        self.log_path = log_path
        self.port = port
        self._log = log_path.open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "accord", *args],
            cwd=ROOT,
            env=accord_environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if not self.alive():
                raise AssertionError(f"{self.name} exited:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} never logged {text!r}:\n{self.log()}")
            time.sleep(0.02)

    def wait_healthy(self, timeout: float = 30) -> None:
        if not self.until_healthy(timeout, self.alive):
            state = "never became healthy" if self.alive() else "exited"
            raise AssertionError(f"{self.name} {state}:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, as when a machine or container dies."""
        if self.alive():
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        self.close()
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        self._log.close()


class Processes:
    """Starts processes for one test and kills every one of them at teardown."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[AccordProcess] = []

    def _start(
        self,
        name: str,
        args: list[str],
        port: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AccordProcess:
        process = AccordProcess(name, args, self.log_dir / f"{name}.log", port, headers)
        self.started.append(process)
        return process

    def serve(
        self,
        database: str,
        name: str = "api",
        *,
        projector: bool = False,
        token: str | None = None,
        wait: bool = True,
    ) -> AccordProcess:
        """`accord serve` with `--no-projector` unless `projector`, and `--no-auth`
        unless a `token` is given: then the process checks tokens, and its `client`
        sends this one."""
        port = free_port()
        args = ["serve", "--database", database, "--port", str(port)]
        args += [] if projector else ["--no-projector"]
        args += [] if token else ["--no-auth"]
        process = self._start(name, args, port, bearer(token) if token else None)
        if wait:
            process.wait_healthy()
        return process

    def project(self, database: str, name: str = "worker") -> AccordProcess:
        """`accord project`: the projection worker."""
        return self._start(name, ["project", "--database", database])

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()


def issue_token(database: str, actor: str) -> str:
    """`accord token issue --actor ACTOR`: a bearer token for the actor."""
    issued = run_accord("token", "issue", "--actor", actor, "--database", database)
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip()


def logs(processes: Processes) -> str:
    """Every process's log, for a failure message."""
    return "\n".join(f"--- {p.name}\n{p.log()[-4000:]}" for p in processes.started)
