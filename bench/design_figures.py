"""The section "Measured figures behind design choices" of docs/PERFORMANCE.md.

Figures measured while the code they explain was written (timed in isolation or
profiled, outside `make bench`, which does not measure them again). The docstrings and
comments at each place keep the reason and point here for the number. `bench/report.py`
writes this text after "Where the write side's time goes".
"""

from __future__ import annotations

TITLE = "Measured figures behind design choices"

DESIGN_FIGURES = """\
Figures measured while the code they explain was written (timed in isolation or
profiled, outside `make bench`, which does not measure them again). Each place keeps
the reason in its docstring or comment and points here for the number.

- **`accord/threads.py`**: anyio's `to_thread.run_sync` costs the event loop about
  0.1 ms a call (a cancel scope, a capacity limiter, checkpoints), more than a
  mutation's own reply; asyncio's executor hand-off costs a fraction of that. So
  blocking work goes to Accord's own thread pool through the loop's executor.
- **`accord/graphql/execution.py`**: graphql-core's completion of a plain field (a path,
  a resolve-info object, the resolver, the non-null, list, leaf and object cases) costs
  several µs more than reading the value and completing it directly. So plain fields
  take a short path.
- **`accord/storage/postgres/group_commit.py`**: a PostgreSQL transaction of one event
  costs about 1 ms of the API process's CPU (the pipeline, the table lock, the notify,
  the commit), each further event in it about 0.1 ms. So concurrent inserts share one
  transaction.
- **`accord/storage/postgres/recorder.py`** (`ViewingPostgresRecorder`): eventsourcing's
  insert through psycopg's pipeline (half a dozen statements) costs about 1 ms of CPU a
  transaction; the same statements as one simple query, parameters bound on the
  client, about 0.1 ms. So the views' statements and eventsourcing's go as one query.
- **`accord/storage/state_encoding.py`**: orjson writes a UTC instant as `isoformat()`
  does in about a fifth of the time. So events' stored state is written with orjson.
- **`accord/storage/sqlite.py`**: SQLite's default `secure_delete` makes a rebuild's drop
  of the views about 4x slower. So the views' connections set `secure_delete=FAST`.
- **`accord/domain/chain.py`**: orjson's sorted JSON of an event's audited fields takes
  about a tenth of the standard library's C encoder's time (0.6 against 6 us for a
  typical decision), and orjson writes a UTC instant in about half the time of
  `isoformat()` (0.5 against 1.1 us). So the hash's canonical JSON and its instants are
  written with orjson, checked against the `rfc8785` package by property tests; the
  hash of an import's event went from about 8.7 to 4.5 us.
- **`accord/web/static/js/timeline.js`** (issue 19): vis-timeline 8.5.4 with its own
  `cluster` option took 1.1-1.6 s in headless Chromium to take in 1,133 items (the year
  on screen of the 10,000-event benchmark partnership), and the page was ready in 2.2 s
  against 1.0 s at 300 events. So the page summarises dense lanes per period itself and
  hands vis-timeline only what is near the window (a few hundred boxes): ready in about
  1.2 s.
- **`accord/web/compression.py`** (issue 19): the page's two libraries (1,095 and 535
  KiB) compress to 291 and 123 KiB with brotli at quality 11, 331 and 138 at quality 5,
  360 and 153 with gzip at level 6; quality 11 takes 1.8 and 0.85 s, quality 5 30 and
  12 ms (graphiql's 3.4 MiB: 5.5 s at quality 11). So a static file's first request
  gets quality 5 at once, and one background thread makes quality 11 once per ETag,
  which is kept and answers every later request; other answers are quality 5. (Making
  quality 11 on the first request kept the first visitor after each start waiting about
  3 s.)
- **`bench/load.py`**: the load generator costs a few tens of µs a request. So it runs
  in the benchmark process, the server in another.
- **`bench/stores.py`**: `import_steps` costs a few hundred µs an event. So large
  benchmark stores are built in several processes and merged.
- **`tests/integration/test_team_mode.py`** (the standby worker): a projector rebuild of
  a 40,000-event history on PostgreSQL takes about a second. So both workers start at
  once, and the active one is killed part-way through.
"""
