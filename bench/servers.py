"""Server processes for the HTTP benchmarks: started, awaited, measured and stopped."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from bench.common import DATA
from bench.load import fetch, get
from tests.support.postgres import free_port


class ServerProcess:
    """A server in its own process on a free loopback port: `bench.http_server` (the app
    with the plain baselines beside it) or the `accord` command itself."""

    def __init__(self, command: Sequence[str], port: int, name: str) -> None:
        self.port = port
        self.name = name
        (DATA / "logs").mkdir(parents=True, exist_ok=True)
        self.log_path = DATA / "logs" / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            list(command),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=_environment(),
            preexec_fn=_die_with_parent,
        )

    @classmethod
    def bench_app(cls, url: str, *, history_cache: bool = True) -> ServerProcess:
        port = free_port()
        command = [sys.executable, "-m", "bench.http_server", "--database", url]
        command += ["--port", str(port)]
        if not history_cache:
            command.append("--no-history-cache")
        return cls(command, port, f"server-{port}")

    @classmethod
    def accord(cls, *arguments: str, serve: bool = True) -> ServerProcess:
        """`accord serve --no-auth ...` on a free port, or another `accord` command."""
        port = free_port()
        command = [sys.executable, "-m", "accord", *arguments]
        if serve:
            command += ["--no-auth", "--port", str(port)]
        return cls(command, port, f"accord-{arguments[0]}-{port}")

    def wait_ready(self, timeout: float = 120.0) -> ServerProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log_path}")
            try:
                status, _ = fetch(self.port, get("/healthz"))
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start: see {self.log_path}")

    def memory_mb(self) -> tuple[float, float]:
        """The process's resident set now and at its peak (VmRSS, VmHWM), in MiB."""
        values = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values["VmRSS"], values["VmHWM"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child: be stopped (SIGTERM) if the benchmark dies first (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(
        part for part in (root, environment.get("PYTHONPATH", "")) if part
    )
    return environment
