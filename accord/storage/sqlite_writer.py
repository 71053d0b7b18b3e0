"""The process that writes a large SQLite import (`accord.storage.sqlite.WriterProcess`)
while the importing one judges it.

Messages arrive on stdin as frames (an 8-byte length, then a pickle): a list of judged
events, mapped here with the event store's own mapper and inserted with eventsourcing's
statement; then `("end", snapshot row or None)`, which commits; or `ABORT`. A thread
reads the frames from the start, so the importing process never waits on this one's
start-up (the mapper's imports).
"""

from __future__ import annotations

import pickle
import queue
import sqlite3
import sys
import threading
from contextlib import suppress
from typing import IO, Any

ABORT = "abort"
END = "end"
_LENGTH = 8


def write_frame(stream: IO[bytes], message: Any) -> None:
    """Send one message: its pickle's length, then the pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_LENGTH, "big"))
    stream.write(data)
    stream.flush()


def _read_frames(stream: IO[bytes], frames: queue.SimpleQueue[bytes | None]) -> None:
    """Put each frame's pickle on `frames`, then None when the stream ends."""
    try:
        while True:
            header = stream.read(_LENGTH)
            if len(header) < _LENGTH:
                break
            size = int.from_bytes(header, "big")
            data = stream.read(size)
            if len(data) < size:
                break
            frames.put(data)
    finally:
        frames.put(None)


def main(path: str, statement: str, snapshot_statement: str) -> None:
    """Insert each list of events received, in one transaction; on `END` insert the
    snapshot's row (if any), commit and answer with the last notification id; roll back
    on `ABORT`, on an error, or when the importing process goes away (stdin ends)."""
    frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    reader = threading.Thread(target=_read_frames, args=(sys.stdin.buffer, frames))
    reader.start()
    answer: tuple[Any, ...] | None = None
    database: sqlite3.Connection | None = None
    try:
        from accord.storage.event_store import import_mapper  # the slow part of starting

        to_stored = import_mapper(path).to_stored_event
        database = sqlite3.connect(path, timeout=30, isolation_level=None)
        database.execute("BEGIN IMMEDIATE")
        last = 0
        while True:
            data = frames.get()
            if data is None:  # the importing process has gone
                return
            message = pickle.loads(data)
            if type(message) is list:
                database.executemany(statement, [row_of(to_stored(e)) for e in message])
                if message:
                    last = database.execute("SELECT last_insert_rowid()").fetchone()[0]
            elif message == ABORT:
                return
            else:
                _, snapshot = message
                if snapshot is not None and snapshot_statement:
                    database.execute(snapshot_statement, snapshot)
                database.execute("COMMIT")
                answer = ("committed", last)
                return
    except Exception as error:  # reported to the importing process, which raises it
        answer = ("failed", type(error).__name__, str(error))
    finally:
        if database is not None:
            if database.in_transaction:
                database.execute("ROLLBACK")
            database.close()
        if answer is not None:
            with suppress(OSError):
                pickle.dump(answer, sys.stdout.buffer)
                sys.stdout.buffer.flush()
        reader.join()  # until the importing process, having read the answer, closes stdin


def row_of(stored: Any) -> tuple[Any, ...]:
    """The parameters of eventsourcing's insert statement for a stored event."""
    originator_id = stored.originator_id
    return (
        originator_id if type(originator_id) is str else originator_id.hex,
        stored.originator_version,
        stored.topic,
        stored.state,
    )
