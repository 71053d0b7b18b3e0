"""A real PostgreSQL server started by the test run (as the `postgres` user when root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15", "14", "13"):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin/{name}")
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError(f"{name} not found: install PostgreSQL server binaries")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A throwaway cluster on loopback, trusting local connections."""

    data_dir: Path
    port: int
    user: str

    def _as_owner(self, *command: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return list(command)

    @classmethod
    def start(cls) -> PostgresServer:
        root = Path(tempfile.mkdtemp(prefix="accord-pg-"))
        data = root / "data"
        user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        server = cls(data, free_port(), user)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        subprocess.run(
            server._as_owner(
                _bin("initdb"), "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8"
            ),
            check=True,
            capture_output=True,
        )
        server.run()
        return server

    def run(self) -> None:
        options = (
            f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=300"
        )
        subprocess.run(
            self._as_owner(
                _bin("pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-w",
                "-l",
                str(self.data_dir / "server.log"),
                "start",
            ),
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            self._as_owner(_bin("pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop"),
            check=False,
            capture_output=True,
        )

    def restart(self) -> None:
        self.stop("immediate")
        self.run()

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)
