"""The board pack (issue 18): its text says what `health` says (the name, each question's
status word, every evidence line) for both shared scenarios at two probes each, one
read as known after phase 1; `accord report` writes it from a real store; the PDF is
tagged (PDF/UA-1: structure tree, language, headings, figures with alternative text) with
its fonts embedded; its pages render to PNG with pdftoppm. Each question's status word
and evidence are on that question's own page(s). `accord report` and `accord export
--format xlsx` read a bare date as that whole day in ACCORD_TIMEZONE and refuse a wrong
option (exit 2, naming it) before writing anything; "Commitments now overdue" lists every
commitment past due and not delivered, as a naive reading of the events counts them.

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
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from accord.cli import main
from accord.domain.instants import parse_instant
from accord.projections import event_types as types
from accord.projections.board_pack import STATUS_WORDS
from accord.projections.health import Health, health
from accord.projections.health_report import QUESTION_TEXT
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


def accord_refused(*args: str) -> tuple[int, str, str]:
    """The exit code, standard output and standard error of `accord ARGS`."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


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


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, squeezed (`squeezed`)."""
    return [squeezed(page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def question_pages(pages: list[str], reading: Health) -> dict[str, tuple[int, int]]:
    """Each question's pages: (the page its heading and status are on, the page after
    its last), found after the contents page."""
    starts = []
    for answer in reading.check.answers:
        heading = squeezed(QUESTION_TEXT[answer.question.value])
        starts.append(
            next(
                index
                for index in range(2, len(pages))
                if pages[index].startswith(heading) or f"{heading}Status:" in pages[index]
            )
        )
    story = next(i for i in range(starts[-1] + 1, len(pages)) if "Decisions" in pages[i])
    ends = [*starts[1:], story]
    return {
        answer.question.value: (start, end)
        for answer, start, end in zip(reading.check.answers, starts, ends, strict=True)
    }


def assert_says_what_health_says(pdf: bytes, name: str, reading: Health) -> None:
    """The name on the cover; each question's status word on its own page (the only
    status there), its evidence lines and prompt on its pages."""
    pages = page_texts(pdf)
    assert squeezed(name) in pages[0]
    where = question_pages(pages, reading)
    for answer in reading.check.answers:
        start, end = where[answer.question.value]
        statuses = re.findall(r"Status:(Green|Amber|Red|Insufficientdata)", pages[start])
        assert statuses == [squeezed(STATUS_WORDS[answer.status])], (answer.question, statuses)
        text = "".join(pages[start:end])
        for line in answer.evidence:
            assert squeezed(line) in text, (answer.question, line)
        assert squeezed(answer.prompt) in text


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
    assert_says_what_health_says(pdf, pack.name, reading)
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
        "health",
        pid,
        "--as-of",
        "2026-09-30T22:59:59.999999+00:00",
        "--json",
        "--database",
        sqlite_url,
    )  # the end of 30 September in London, as the report reads the bare date
    answers = json.loads(health_json)["check"]["answers"]
    pages = page_texts(output.read_bytes())
    text = "".join(pages)
    for answer in answers:
        status = {"INSUFFICIENT_DATA": "Insufficient data"}.get(
            answer["status"], answer["status"].capitalize()
        )
        heading = squeezed(QUESTION_TEXT[answer["question"]])
        (page,) = [p for p in pages[2:] if p.startswith(heading) or f"{heading}Status:" in p]
        assert re.findall(r"Status:(Green|Amber|Red|Insufficientdata)", page) == [squeezed(status)]
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


LONDON = "Europe/London"


def test_accord_report_reads_a_bare_date_as_that_day_in_accord_timezone(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As of 30 June is the end of 30 June where the board is: the cover says so, the
    story starts at the first minute of `--since`'s day, the file is named for 30 June,
    in London and in Los Angeles (where that end is already 1 July in UTC)."""
    code, out = accord("import", str(SCENARIOS / "hartmoor-b.steps.json"), "--database", sqlite_url)
    assert code == 0
    pid = out.strip()
    for zone, summer in ((LONDON, "BST"), ("America/Los_Angeles", "PDT")):
        monkeypatch.setenv("ACCORD_TIMEZONE", zone)
        folder = tmp_path / summer
        folder.mkdir()
        monkeypatch.chdir(folder)
        code, out = accord(
            "report",
            pid,
            "--as-of",
            "2025-06-30",
            "--since",
            "2025-04-02",
            "--database",
            sqlite_url,
        )
        assert code == 0
        assert out.strip() == "hartmoor-partnership-56-board-pack-2025-06-30.pdf"
        cover = page_texts((folder / out.strip()).read_bytes())[0]
        assert squeezed(f"As of 30 June 2025 at 23:59 {summer}") in cover
        assert squeezed(f"Since the last meeting 2 April 2025 at 00:00 {summer}") in cover
        code, out = accord(
            "export", pid, "--format", "xlsx", "--as-of", "2025-06-30", "--database", sqlite_url
        )
        assert code == 0
        assert out.strip() == "hartmoor-partnership-56-2025-06-30.xlsx"


def _no_file_in(folder: Path) -> bool:
    return not any(folder.iterdir())


@pytest.mark.parametrize(
    ("command", "option", "value", "message"),
    [
        ("report", "--window-days", "999999999", "--window-days: must be a whole number"),
        ("report", "--window-days", "0", "--window-days: must be a whole number of days from 1"),
        ("report", "--as-of", "0001-01-01", "--as-of: '0001-01-01' is out of range"),
        ("report", "--as-of", "9999-12-31", "--as-of: '9999-12-31' is out of range"),
        ("report", "--as-of", "soon", "--as-of: 'soon' is not an ISO-8601 date-time"),
        ("report", "--known-at", "soon", "--known-at: 'soon' is not an ISO-8601 date-time"),
        ("report", "--since", "yesterday", "--since: 'yesterday' is not an ISO-8601"),
        ("report", "--since", "2026-01-01", "--since: must not be after --as-of"),
        ("export", "--window-days", "100000000000", "--window-days: must be a whole number"),
        ("export", "--as-of", "0001-01-01", "--as-of: '0001-01-01' is out of range"),
        ("export", "--known-at", "tomorrow", "--known-at: 'tomorrow' is not an ISO-8601"),
    ],
)
def test_a_wrong_option_exits_2_naming_it_and_writes_nothing(
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    option: str,
    value: str,
    message: str,
) -> None:
    code, out = accord("import", str(SCENARIOS / "hartmoor-a.steps.json"), "--database", sqlite_url)
    assert code == 0
    pid = out.strip()
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.chdir(folder)
    extra = ["--format", "xlsx"] if command == "export" else []
    as_of = [] if option == "--as-of" else ["--as-of", "2025-06-30"]
    code, out, err = accord_refused(
        command, pid, *extra, *as_of, option, value, "--database", sqlite_url
    )
    assert (code, out) == (2, "")
    assert err.startswith(f"accord: {message}"), err
    assert "Traceback" not in err
    assert _no_file_in(folder)


def _naive_overdue(rows: list[dict[str, Any]], as_of: datetime) -> set[str]:
    """Commitments due by `as_of`, not released and not delivered in full by then, read
    straight from the exported events (retracted entries left out)."""

    def at(text: str) -> datetime:
        return parse_instant(text)

    retracted = {row["data"]["eventId"] for row in rows if row["type"] == types.ENTRY_RETRACTED}
    live = [r for r in rows if r["id"] not in retracted and at(r["occurredAt"]) <= as_of]
    made = {
        r["data"]["commitmentId"]: r["data"] for r in live if r["type"] == types.COMMITMENT_MADE
    }
    released = {r["data"]["commitmentId"] for r in live if r["type"] == types.COMMITMENT_RELEASED}
    delivered: dict[str, float] = {}
    for row in live:
        if row["type"] == types.COMMITMENT_DELIVERED:
            cid = row["data"]["commitmentId"]
            delivered[cid] = delivered.get(cid, 0) + row["data"]["quantity"]
    return {
        cid
        for cid, data in made.items()
        if at(data["dueAt"]) <= as_of
        and cid not in released
        and delivered.get(cid, 0) < data["quantity"]
    }


@pytest.mark.parametrize("window", ["365", "90"])
def test_commitments_now_overdue_lists_every_one_past_due_whatever_the_window(
    tmp_path: Path, sqlite_url: str, window: str
) -> None:
    """The demo partnership as of 5 December 2026: every commitment past due and not
    delivered in full, however long ago it fell due, and no other."""
    demo = ROOT / "accord" / "demo" / "demo.steps.json"
    code, out = accord("import", str(demo), "--database", sqlite_url)
    assert code == 0
    pid = out.strip()
    rows_out = io.StringIO()
    with redirect_stdout(rows_out):
        assert main(["export", pid, "--format", "jsonl", "--database", sqlite_url]) == 0
    rows = [json.loads(line) for line in rows_out.getvalue().splitlines()]
    as_of = parse_instant("2026-12-05", end_of_day=True, zone=ZoneInfo(LONDON))
    expected = _naive_overdue(rows, as_of)
    assert len(expected) == 8  # the audit's count: the old pack listed 6 (3 with 90 days)
    output = tmp_path / "pack.pdf"
    code, _ = accord(
        "report",
        pid,
        "--as-of",
        "2026-12-05",
        "--window-days",
        window,
        "--output",
        str(output),
        "--database",
        sqlite_url,
    )
    assert code == 0
    text = "".join(page_texts(output.read_bytes()))
    start = text.index(squeezed("Commitments now overdue"))
    section = text[start : text.index(squeezed("Leadership changes"), start)]
    descriptions = {
        row["data"]["commitmentId"]: squeezed(row["data"]["description"])
        for row in rows
        if row["type"] == types.COMMITMENT_MADE
    }
    listed = {cid for cid, description in descriptions.items() if description in section}
    assert listed == expected
