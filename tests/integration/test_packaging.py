"""Every way of installing Accord ships the page: the wheel, built from a clean clone as the
Dockerfile's build stage builds it, installed alone in a fresh venv with the application's
locked dependencies, serves a page whose timeline draws in Chromium. The Dockerfile, the
lock files and the vendored browser libraries are checked here too (no Docker engine on
this machine: the Dockerfile is parsed, and its build stage replayed)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from playwright.sync_api import Browser

from tests.integration.dockerfile import Stage, dockerfile_stages

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "accord" / "web" / "static"
SCENARIO = Path("tests") / "scenarios" / "hartmoor-a.steps.json"
PDF_PACKAGES = {"libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"}
"""What WeasyPrint needs in the image for the board pack (pango; the DejaVu fonts it embeds)."""


# --- the Dockerfile ------------------------------------------------------------------


def stages() -> dict[str, Stage]:
    parsed = dockerfile_stages((ROOT / "Dockerfile").read_text())
    return {stage.name: stage for stage in parsed}


def test_the_dockerfile_builds_a_wheel_and_installs_it_alone_in_a_slim_runtime() -> None:
    parsed = dockerfile_stages((ROOT / "Dockerfile").read_text())
    assert [stage.name for stage in parsed] == ["build", "runtime"]
    build, runtime = parsed
    assert build.arguments("RUN") == ["sh docker/build-wheel.sh dist"]
    assert build.arguments("WORKDIR") == ["/src"]
    for stage in parsed:
        assert stage.base in ("${PYTHON_IMAGE}", "python:3.11-slim")
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in (ROOT / "Dockerfile").read_text()

    # The runtime stage installs the locked dependencies with hashes, then the build
    # stage's wheel with no dependencies of its own: nothing unpinned.
    copies = runtime.arguments("COPY")
    assert "requirements/app.txt /tmp/app.txt" in copies
    assert "--from=build /src/dist/ /tmp/dist/" in copies
    runs = " && ".join(runtime.arguments("RUN"))
    assert "pip install --no-cache-dir --require-hashes -r /tmp/app.txt" in runs
    assert "pip install --no-cache-dir --no-deps /tmp/dist/accord-*.whl" in runs
    assert runs.index("--require-hashes") < runs.index("/tmp/dist/accord-*.whl")
    # No node, no npm, no compiler: the page's files are in the wheel. The one apt-get
    # installs the board pack's PDF libraries and fonts (PDF_PACKAGES), nothing else.
    text = " ".join(arguments for _, arguments in runtime.instructions)
    assert not re.search(r"\b(node|nodejs|npm|npx|gcc)\b", text), text
    for run in runtime.arguments("RUN"):
        for part in run.split("&&"):
            words = part.split()
            if words[:2] == ["apt-get", "install"]:
                assert words[2:4] == ["-y", "--no-install-recommends"], part
                assert set(words[4:]) == PDF_PACKAGES, part
            else:
                assert "apt-get" not in words or words[:2] == ["apt-get", "update"], part
    assert "ADD" not in {word for word, _ in runtime.instructions}

    users = runtime.arguments("USER")
    assert users and users[-1] not in ("root", "0")
    assert runtime.arguments("EXPOSE") == ["8000"]
    cmd = runtime.arguments("CMD")[-1]
    assert json.loads(cmd)[:2] == ["accord", "serve"]  # exec form: signals reach accord
    assert "--no-auth" not in cmd


def test_the_build_stage_copies_what_the_wheel_is_built_from() -> None:
    copied = {
        source
        for arguments in stages()["build"].arguments("COPY")
        for source in arguments.split()[:-1]
    }
    assert {"pyproject.toml", "README.md", "requirements", "docker", "accord"} <= copied
    for source in copied:
        assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and "node_modules" in ignored and ".git" in ignored


# --- the vendored browser libraries and the lock files -------------------------------


@pytest.mark.parametrize("folder", ["vendor", "graphiql"])
def test_the_page_libraries_are_kept_in_the_repository_with_licences_and_checksums(
    folder: str,
) -> None:
    directory = STATIC / folder
    listed = {}
    for line in (directory / "VERSIONS").read_text().splitlines():
        if line and not line.startswith("#"):
            digest, name = line.split()
            listed[name] = digest
    assert listed
    for name, digest in listed.items():
        assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest, name
    assert list(directory.glob("LICENSE.*"))
    tracked = subprocess.run(
        ["git", "ls-files", f"accord/web/static/{folder}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in [*listed, "VERSIONS"]:
        assert f"accord/web/static/{folder}/{name}" in tracked, name
    assert "accord/web/static/vendor" not in (ROOT / ".gitignore").read_text()


def locked(path: Path) -> dict[str, str]:
    """Name -> version of a hash-locked requirements file; every entry has hashes."""
    pins: dict[str, str] = {}
    for line in path.read_text().replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement, *options = line.split()
        name, _, version = requirement.partition("==")
        assert version, f"{path.name}: {requirement} is not pinned"
        assert options and all(option.startswith("--hash=sha256:") for option in options), name
        pins[canonicalize_name(name)] = version
    return pins


def test_dependencies_are_locked_with_hashes_and_satisfy_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    app = locked(ROOT / "requirements" / "app.txt")
    dev = locked(ROOT / "requirements" / "dev.txt")
    build = locked(ROOT / "requirements" / "build.txt")
    runtime = [Requirement(text) for text in project["project"]["dependencies"]]
    development = [Requirement(text) for text in project["project"]["optional-dependencies"]["dev"]]
    for requirement in runtime:
        assert requirement.specifier.contains(
            app[canonicalize_name(requirement.name)], prereleases=True
        )
    for requirement in [*runtime, *development]:
        assert requirement.specifier.contains(
            dev[canonicalize_name(requirement.name)], prereleases=True
        )
    for name, version in app.items():  # CI tests what the image runs
        assert dev[name] == version, name
    for text in project["build-system"]["requires"]:
        requirement = Requirement(text)
        assert requirement.specifier.contains(build[canonicalize_name(requirement.name)])
    # The code reaches into graphql-core and strawberry: both named, strawberry bounded.
    names: dict[str, Requirement] = {
        canonicalize_name(requirement.name): requirement for requirement in runtime
    }
    assert "graphql-core" in names
    strawberry = names["strawberry-graphql"].specifier
    assert strawberry.contains(app["strawberry-graphql"])
    assert not strawberry.contains("0.342.0") and not strawberry.contains("0.340.0")
    assert not names["eventsourcing"].specifier.contains("9.6.0")


# --- the server refuses to start without the page's files ----------------------------


def test_the_server_refuses_to_start_when_the_page_files_are_missing(
    tmp_path: Path, sqlite_url: str
) -> None:
    from accord.runtime import Runtime
    from accord.web.app import PAGE_FILES, MissingPageFiles, create_app

    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    (static / "vendor" / "echarts.min.js").unlink()
    (static / "graphiql" / "graphiql.min.js").unlink()
    runtime = Runtime.open(sqlite_url, project=False)
    try:
        with pytest.raises(MissingPageFiles) as refused:
            create_app(runtime, static=static)
        message = str(refused.value)
        assert "vendor/echarts.min.js" in message and "graphiql/graphiql.min.js" in message
        assert str(static) in message and "make assets" in message
        assert refused.value.missing == ["vendor/echarts.min.js", "graphiql/graphiql.min.js"]
        create_app(runtime)  # the installed tree has every file
    finally:
        runtime.close()
    assert all((STATIC / name).is_file() for name in PAGE_FILES)


# --- a wheel from a clean clone, installed alone, serves the page --------------------


def _run(
    command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def _clean_environment(**extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    environment.update(extra)
    return environment


def _base_python() -> str:
    """The interpreter the project's venv was made from (a venv of a venv would see it)."""
    return getattr(sys, "_base_executable", sys.executable)


def replay_build_stage(context: Path, image: Path, python_bin: Path) -> Path:
    """Do what the Dockerfile's build stage does, in `image` (its filesystem root, with
    WORKDIR and COPY destinations under it), with `python_bin` first on PATH as the image's
    python3 is; the wheel it leaves in its output directory."""
    build = stages()["build"]
    workdir = image
    for keyword, arguments in build.instructions:
        if keyword == "WORKDIR":
            workdir = image / arguments.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            *sources, destination = arguments.split()
            target = workdir / destination
            for source in sources:
                origin = context / source
                if origin.is_dir():
                    shutil.copytree(origin, target, dirs_exist_ok=True)
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, target / origin.name)
        elif keyword == "RUN":
            path = f"{python_bin}{os.pathsep}{os.environ['PATH']}"
            _run(["sh", "-c", arguments], cwd=workdir, env=_clean_environment(PATH=path))
        else:
            assert keyword in ("ARG", "ENV"), f"the replay does not know {keyword}"
    wheels = list((workdir / "dist").glob("accord-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def page_files() -> tuple[str, ...]:
    from accord.web.app import PAGE_FILES

    return PAGE_FILES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv holding only the application's locked dependencies and the wheel built from
    a clone of the committed HEAD; yields the venv's bin directory."""
    work = tmp_path_factory.mktemp("packaging")
    clone = work / "clone"
    _run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)])
    builder = work / "build-venv"
    venv.EnvBuilder(with_pip=True).create(builder)
    wheel = replay_build_stage(clone, work / "image", builder / "bin")
    names = zipfile.ZipFile(wheel).namelist()
    for name in page_files():
        assert f"accord/web/static/{name}" in names, name
    assert any(name.startswith("accord/web/static/vendor/LICENSE.") for name in names)
    print(f"{wheel.name}: {wheel.stat().st_size} bytes", file=sys.stderr)

    target = work / "app-venv"
    _run([_base_python(), "-m", "venv", str(target)], env=_clean_environment())
    pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    environment = _clean_environment()
    _run([*pip, "--require-hashes", "-r", str(clone / "requirements" / "app.txt")], env=environment)
    _run([*pip, "--no-deps", str(wheel)], env=environment)
    shutil.rmtree(clone)  # nothing of the source is left to import from
    yield target / "bin"


def test_a_wheel_from_a_clean_clone_installed_alone_serves_a_page_whose_timeline_draws(
    installed: Path, tmp_path: Path, chromium: Browser
) -> None:
    environment = _clean_environment(ACCORD_AUDIT_KEY="packaging-test-key")
    where = _run(
        [str(installed / "python"), "-c", "import accord; print(accord.__file__)"],
        cwd=tmp_path,
        env=environment,
    ).stdout.strip()
    assert where.startswith(str(installed.parent)), where
    database = f"sqlite:///{tmp_path / 'accord.db'}"
    imported = _run(
        [str(installed / "accord"), "import", str(ROOT / SCENARIO), "--database", database],
        cwd=tmp_path,
        env=environment,
    )
    partnership = imported.stdout.strip().splitlines()[-1]

    port = free_port()
    server = subprocess.Popen(
        [
            *(str(installed / "accord"), "serve", "--no-auth", "--host", "127.0.0.1"),
            *("--port", str(port), "--database", database),
        ],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the installed server did not start"
            time.sleep(0.2)

        errors: list[str] = []
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{url}/?partnership={partnership}")
            page.wait_for_selector("#timeline-section[aria-busy=false]", timeout=30_000)
            page.wait_for_selector("#timeline .vis-item", state="attached", timeout=30_000)
            assert page.locator("#timeline .vis-item").count() > 10
            page.wait_for_selector("#trends[aria-busy=false]", timeout=30_000)
            assert page.locator("#charts figure canvas").count() >= 1  # ECharts drew
        finally:
            context.close()
        assert errors == []
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()


def test_the_installed_server_refuses_to_start_without_the_page_files(
    installed: Path, tmp_path: Path
) -> None:
    site = _run(
        [str(installed / "python"), "-c", "import accord.web.app as a; print(a.STATIC)"],
        cwd=tmp_path,
    ).stdout.strip()
    (Path(site) / "vendor" / "echarts.min.js").unlink()
    refused = subprocess.run(
        [
            *(str(installed / "accord"), "serve", "--no-auth", "--port", str(free_port())),
            *("--database", f"sqlite:///{tmp_path / 'accord.db'}"),
        ],
        cwd=tmp_path,
        env=_clean_environment(ACCORD_AUDIT_KEY="packaging-test-key"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2, refused.stderr
    assert "vendor/echarts.min.js" in refused.stderr and "make assets" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not re.search(r"Uvicorn running", refused.stderr)
