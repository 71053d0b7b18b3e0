"""The board pack close to the floor (`report_ratio`, issue 18).

A generated 10,000-event partnership (at scale 1) is recorded in a fresh SQLite store.
Each round times `accord report` run in-process as the command line runs it (opening
the store, reading the partnership's events, verifying its hash chain, gathering the
pack, laying it out) and, as the floor, WeasyPrint alone laying out that same pack from
its saved HTML (the charts are inline SVG in it) to the same tagged PDF; the order
alternates between rounds. The target is the median of the rounds' ratios (<= 1.5:
gathering the figures costs little next to the layout).

`python -m bench.board_pack` runs this benchmark alone.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime

from accord.cli import main as accord
from accord.domain.instants import parse_instant
from accord.projections.board_pack import build_board_pack
from accord.runtime import Runtime
from accord.storage.projector import Projector
from accord.web.board_pack import html_to_pdf, pack_html
from bench.common import DATA, Results, fresh_sqlite, scaled
from bench.generate import generate_history

ZONE = "Europe/London"


def report_ratio(results: Results, events: int, rounds: int = 5) -> float:
    steps = generate_history(events, seed=5)["steps"]
    url = fresh_sqlite("board-pack.db")
    runtime = Runtime.open(url, project=False)
    pid, _ = runtime.app.import_steps(steps, actor="bench")
    Projector(runtime.app, runtime.views).run_until_current()
    history = runtime.reader.events(str(pid))
    runtime.close()
    as_of = max(event.occurred_at for event in history)
    as_of_text = as_of.date().isoformat()
    now = datetime.now(UTC)
    # The saved HTML of the same pack: what the floor lays out.
    pack = build_board_pack(
        history,
        as_of=parse_instant(as_of_text, end_of_day=True),
        known_at=now,
        window_days=365,
        chain_valid=True,
        events_checked=len(history),
    )
    saved = DATA / "board-pack.html"
    saved.write_text(pack_html(pack, ZONE), encoding="utf-8")
    output = DATA / "board-pack.pdf"

    def report() -> float:
        started = time.perf_counter()
        with redirect_stdout(io.StringIO()):
            code = accord(
                [
                    *("report", str(pid), "--as-of", as_of_text),
                    *("--output", str(output), "--database", url),
                ]
            )
        elapsed = time.perf_counter() - started
        assert code == 0
        return elapsed

    def layout() -> float:
        started = time.perf_counter()
        html_to_pdf(saved.read_text(encoding="utf-8"))
        return time.perf_counter() - started

    layout()  # fonts and WeasyPrint's modules loaded once, for both sides
    report_times: list[float] = []
    layout_times: list[float] = []
    for round_ in range(rounds):
        sides = [(report_times, report), (layout_times, layout)]
        for times, run in sides[:: -1 if round_ % 2 else 1]:
            times.append(run())
    ratios = [mine / floor for mine, floor in zip(report_times, layout_times, strict=True)]
    from pypdf import PdfReader

    pages = len(PdfReader(output).pages)
    label = f"{len(history):,} events"
    results.figure(f"board pack, {label}: accord report", "s", report_times)
    results.figure(f"board pack, {label}: WeasyPrint alone from saved HTML", "s", layout_times)
    results.figure("board pack: ratio per round", "ratio", ratios)
    results.notes.append(f"board pack of {label}: {pages} pages")
    return statistics.median(ratios)


def run(results: Results) -> None:
    results.target("report_ratio", report_ratio(results, scaled(10_000, 1_000)), "<=", 1.5)


if __name__ == "__main__":
    alone = Results()
    run(alone)
    for figure in alone.figures:
        row = figure.row()
        print(
            f"{row['name'][:60]:60} {row['unit']:6} {row['min']:9.3f} {row['median']:9.3f} "
            f"{row['max']:9.3f}"
        )
    for name, (value, op, goal) in alone.targets.items():
        print(f"# {name}: {value:.3f} (target {op} {goal})")
        print(f"TARGET {name} {value:.4f}")
    sys.exit(0)
