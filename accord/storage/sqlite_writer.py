"""The process that writes a large SQLite import (`accord.storage.sqlite.WriterProcess`)
while the importing one judges it. Standard library only: it starts in a few tens of
milliseconds, before the first rows are judged."""

from __future__ import annotations

import pickle
import sqlite3
import sys
from contextlib import suppress
from typing import Any

ABORT = "abort"


def main(path: str, statement: str, snapshot_statement: str) -> None:
    """The writer process: insert each list of rows read from stdin, in one transaction;
    at the end (a tuple: the snapshot's row, or None) insert the snapshot, commit and
    answer with the last notification id; roll back on `ABORT`, on an error, or when
    the importing process goes away (stdin ends)."""
    rows_in, answers = sys.stdin.buffer, sys.stdout.buffer
    database = sqlite3.connect(path, timeout=30, isolation_level=None)
    answer: tuple[Any, ...] | None = None
    try:
        database.execute("BEGIN IMMEDIATE")
        last = 0
        while True:
            rows = pickle.load(rows_in)
            if rows == ABORT:
                return
            if type(rows) is not list:
                break
            database.executemany(statement, rows)
            if rows:
                last = database.execute("SELECT last_insert_rowid()").fetchone()[0]
        if rows is not None and snapshot_statement:
            database.execute(snapshot_statement, rows)
        database.execute("COMMIT")
        answer = ("committed", last)
    except EOFError:  # the importing process has gone
        pass
    except sqlite3.Error as error:
        answer = ("failed", type(error).__name__, str(error))
    finally:
        if database.in_transaction:
            database.execute("ROLLBACK")
        database.close()
    if answer is not None:
        with suppress(OSError):
            pickle.dump(answer, answers)
            answers.flush()
