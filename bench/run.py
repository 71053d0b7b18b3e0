"""`make bench`: every benchmark against its baseline measured in the same run.

Prints a table of figures (min / median / max) and ends with one line per target:
`TARGET <name> <value>`. ACCORD_BENCH_SCALE (default 1) shrinks the workloads for a
quick look; generated stores are kept in .bench-data between runs.
"""

from __future__ import annotations

import os
import sys

from bench import board_pack, page, read_side, workbooks, write_side
from bench.common import DATA, Results


def main() -> int:
    results = Results()
    postgres = None
    if os.environ.get("ACCORD_BENCH_POSTGRES", "1") == "1":
        from bench.postgres import fresh_database

        postgres = fresh_database()
    sections = [
        ("write side", lambda: write_side.run(results, postgres)),
        ("read side", lambda: read_side.run(results)),
        ("workbooks", lambda: workbooks.run(results)),
        ("board pack", lambda: board_pack.run(results)),
        ("page", lambda: page.run(results)),
    ]
    try:
        from bench import http_side

        sections.append(("HTTP", lambda: http_side.run(results)))
    except ImportError:
        results.notes.append("HTTP benchmarks not present")
    for name, section in sections:
        print(f"== {name}", file=sys.stderr, flush=True)
        section()
    print(f"{'figure':60} {'unit':9} {'min':>11} {'median':>11} {'max':>11}")
    for figure in results.figures:
        row = figure.row()
        print(
            f"{row['name'][:60]:60} {row['unit']:9} {row['min']:11.3f} "
            f"{row['median']:11.3f} {row['max']:11.3f}"
        )
    results.save(DATA / "results.json")
    try:
        from bench.report import write_report

        write_report(results)
    except ImportError:
        pass
    for name, (value, op, goal) in results.targets.items():
        met = value >= goal if op == ">=" else value <= goal
        print(f"# {name}: {value:.3f} (target {op} {goal}) {'met' if met else 'MISSED'}")
    for name, (value, _, _) in results.targets.items():
        print(f"TARGET {name} {value:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
