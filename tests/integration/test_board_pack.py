"""The board pack (issue 18): its text says what `health` says (the name, each question's
status word, every evidence line) for both shared scenarios at two probes each, one
read as known after phase 1; `accord report` writes it from a real store; the PDF is
tagged (PDF/UA-1: structure tree, language, headings, figures with alternative text) with
its fonts embedded; its pages render to PNG with pdftoppm.

veraPDF (the open PDF/UA checker) is not installable here, so the tag tree is checked
with pypdf instead: what the checker's first rules look at (StructTreeRoot, MarkInfo
Marked, the document language, H1/H2 headings, every Figure's /Alt, embedded fonts, the
PDF/UA identification in the XMP metadata).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from accord.cli import main
from accord.domain.instants import parse_instant
from accord.projections.board_pack import STATUS_WORDS
from accord.projections.health import Health, health
from accord.web.board_pack import board_pack
from tests.support.probes import Probe, load_probes
from tests.support.scenarios import SCENARIO_NAMES, SCENARIOS, build_history, load_steps

ROOT = Path(__file__).resolve().parents[2]
ZONE = "Europe/London"


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def docs_image(name: str, tmp_path: Path) -> Path:
    """docs/NAME with ACCORD_UPDATE_DOCS=1 (the README's pictures), else a temporary file."""
    if os.environ.get("ACCORD_UPDATE_DOCS") == "1":
        return ROOT / "docs" / name
    return tmp_path / name


def squeezed(text: str) -> str:
    """Text without any white space: lines wrap (and may break after a hyphen) anywhere."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def two_probes(name: str) -> list[Probe]:
    """One probe read as known after phase 1, one as known after phase 2 (the last)."""
    return [load_probes(name, [1])[0], load_probes(name, [2])[-1]]


def assert_says_what_health_says(text: str, name: str, reading: Health) -> None:
    flat = squeezed(text)
    assert squeezed(name) in flat
    for answer in reading.check.answers:
        assert squeezed(f"Status: {STATUS_WORDS[answer.status]}") in flat
        for line in answer.evidence:
            assert squeezed(line) in flat, line
        assert squeezed(answer.prompt) in flat


CASES = [(name, probe) for name in SCENARIO_NAMES for probe in two_probes(name)]


@pytest.mark.parametrize(("name", "probe"), CASES, ids=[probe.label for _, probe in CASES])
def test_the_pack_says_each_status_and_every_evidence_line_of_health(
    name: str, probe: Probe
) -> None:
    history = build_history(load_steps(name), name)
    as_of = parse_instant(probe.as_of)
    known_at = history.known_at[probe.known_phase]
    pack, _html, pdf = board_pack(
        history.events,
        as_of=as_of,
        known_at=known_at,
        since=None,
        window_days=probe.window_days,
        zone_name=ZONE,
        chain_valid=True,
    )
    reading = health(history.events, as_of, known_at, probe.window_days)
    assert pdf.startswith(b"%PDF-1.7")
    assert_says_what_health_says(pdf_text(pdf), pack.name, reading)
    assert [q.status for q in pack.questions] == [a.status for a in reading.check.answers]
    # The audit line: the newest event known at knownAt, its position and hash.
    known = [e for e in history.events if e.recorded_at <= known_at]
    newest = max(known, key=lambda event: event.position)
    text = squeezed(pdf_text(pdf))
    assert squeezed(f"is event {newest.position}, whose hash begins {newest.hash[:16]}") in text
    assert len(pack.questions[0].chart.months) == 25  # 24 months back, monthly, and as-of


def structure(pdf: bytes) -> tuple[DictionaryObject, dict[str, int], list[Any]]:
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    counts: dict[str, int] = {}
    alts: list[Any] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            return
        tag = node.get("/S")
        if tag is not None:
            counts[str(tag)] = counts.get(str(tag), 0) + 1
            if tag == "/Figure":
                alts.append(node.get("/Alt"))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else []:
            walk(kid)

    walk(root["/StructTreeRoot"])
    return root, counts, alts


def fonts_of(pdf: bytes) -> dict[str, bool]:
    """Each font the pages use -> whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            inner = descendants[0].get_object() if descendants else font
            descriptor = inner.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return found


@pytest.fixture(scope="module")
def hartmoor_pack() -> tuple[str, bytes]:
    history = build_history(load_steps("hartmoor-a"), "hartmoor-a")
    probe = load_probes("hartmoor-a", [2])[-1]
    pack, _, pdf = board_pack(
        history.events,
        as_of=parse_instant(probe.as_of),
        known_at=history.known_at[2],
        since=None,
        window_days=365,
        zone_name=ZONE,
        chain_valid=True,
        events_checked=len(history.events),
    )
    return pack.name, pdf


def test_the_pdf_is_tagged_for_pdf_ua_with_language_headings_and_chart_texts(
    hartmoor_pack: tuple[str, bytes],
) -> None:
    _, pdf = hartmoor_pack
    root, counts, alts = structure(pdf)
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert counts["/H1"] == 1 and counts["/H2"] >= 8 and counts["/H3"] >= 8
    assert counts["/Table"] >= 1 and counts["/TH"] >= 5
    assert counts["/Figure"] == 4  # one chart per question
    assert all(alt and str(alt).startswith("Line chart of the figures behind") for alt in alts)
    metadata = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in metadata  # the PDF/UA-1 identification
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title is not None
    assert reader.metadata.title.startswith("Board pack: Hartmoor Partnership")
    fonts = fonts_of(pdf)
    assert fonts and all(fonts.values()), fonts
    # Only faces that fonts-dejavu-core has (what the Dockerfile installs): no italics.
    faces = {name.split("+", 1)[-1] for name in fonts}
    assert faces <= {"DejaVu-Sans", "DejaVu-Sans-Bold", "DejaVu-Sans-Mono"}, faces


def test_the_pack_has_contents_with_page_numbers_and_numbered_pages(
    hartmoor_pack: tuple[str, bytes],
) -> None:
    _, pdf = hartmoor_pack
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    contents = reader.pages[1].extract_text() or ""
    assert "Contents" in contents
    # Each entry ends with the page it starts on (CSS target-counter), in order.
    numbers = [int(n) for n in re.findall(r"\.\s*(\d+)\s*$", contents, re.MULTILINE)]
    assert numbers[:4] == [3, 4, 5, 6] and numbers == sorted(numbers) and numbers[-1] <= pages
    for index, page in enumerate(reader.pages, start=1):
        assert f"Page {index} of {pages}" in (page.extract_text() or "")
    third = reader.pages[2].extract_text() or ""
    assert "Is this a true partnership?" in third


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) missing")
def test_the_pages_render_to_png(tmp_path: Path, hartmoor_pack: tuple[str, bytes]) -> None:
    """pdftoppm (poppler) renders every page; the README shows page 1 and a question."""
    from PIL import Image

    _, pdf = hartmoor_pack
    source = tmp_path / "pack.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "page")], check=True
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(PdfReader(io.BytesIO(pdf)).pages)
    for png in pngs:
        with Image.open(png) as image:
            assert image.size[0] > 400 and image.getextrema() != ((255, 255),) * 3
    for page, name in ((1, "board-pack-cover.png"), (5, "board-pack-question.png")):
        target = docs_image(name, tmp_path)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                str(source),
                str(target.with_suffix("")),
            ],
            check=True,
        )
        assert target.is_file()


def test_accord_report_writes_the_pack_from_a_store(tmp_path: Path, sqlite_url: str) -> None:
    code, out = accord("import", str(SCENARIOS / "hartmoor-b.steps.json"), "--database", sqlite_url)
    assert code == 0
    pid = out.strip()
    output = tmp_path / "pack.pdf"
    code, out = accord(
        "report",
        pid,
        "--as-of",
        "2026-09-30",
        "--since",
        "2026-06-01",
        "--output",
        str(output),
        "--database",
        sqlite_url,
    )
    assert code == 0 and out.strip() == str(output)
    code, health_json = accord(
        "health", pid, "--as-of", "2026-09-30", "--json", "--database", sqlite_url
    )
    answers = json.loads(health_json)["check"]["answers"]
    text = squeezed(pdf_text(output.read_bytes()))
    for answer in answers:
        status = {"INSUFFICIENT_DATA": "Insufficient data"}.get(
            answer["status"], answer["status"].capitalize()
        )
        assert squeezed(f"Status: {status}") in text
        for line in answer["evidence"]:
            assert squeezed(line) in text
    assert squeezed("The whole hash chain") in text and squeezed("verifies now") in text
    assert squeezed("Since 1 Jun 2026") in text
    # The default file name: the partnership's name and the as-of day, in the directory.
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, out = accord("report", pid, "--as-of", "2026-09-30", "--database", sqlite_url)
    finally:
        os.chdir(cwd)
    assert code == 0
    assert out.strip() == "hartmoor-partnership-56-board-pack-2026-09-30.pdf"
    assert (tmp_path / out.strip()).is_file()
    code, _ = accord("report", "00000000-0000-0000-0000-000000000000", "--database", sqlite_url)
    assert code == 1
