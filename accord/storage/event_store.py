"""The event store and its views as every Accord process opens them (SQLite or PostgreSQL).

The PostgreSQL modules are imported only for a PostgreSQL database: a SQLite process
never loads psycopg (a tenth of a second at every start of the command line).
"""

from __future__ import annotations

import uuid

from eventsourcing.persistence import Mapper

from accord.application.importing import recorder_writer
from accord.application.service import AccordApplication
from accord.settings import Database, audit_key
from accord.storage.mapper import mapper_with
from accord.storage.sqlite import SqliteViews, import_writer
from accord.storage.state_encoding import encode_event_state, encode_snapshot_state
from accord.storage.views import ViewDatabase


def open_application(database: Database, key: bytes | None = None) -> AccordApplication:
    """The write side as every Accord process opens it: the audit key (or `key`),
    events' and snapshots' state written by orjson (`state_encoding`), and on PostgreSQL
    the views written in each insert's transaction (`storage.postgres.recorder`)."""
    env = database.eventsourcing_env
    if database.kind == "postgresql":  # views written with the events they show
        from accord.storage.postgres import recorder

        env["APPLICATION_RECORDER_TOPIC"] = f"{recorder.__name__}:ViewingPostgresRecorder"
        writer = recorder_writer(recorder.IMPORT_CHUNK)
    else:  # a large import written by a second process while it is judged
        writer = import_writer(database.path)
    return AccordApplication(
        env,
        audit_key=audit_key() if key is None else key,
        mapper=mapper_with(encode_event_state, encode_snapshot_state),
        import_writer=writer,
    )


def import_mapper(path: str) -> Mapper[uuid.UUID]:
    """The mapper of the application `open_application` opens on the SQLite file `path`
    (for the writer process of a large import, `storage.sqlite_writer`)."""
    app = open_application(Database(url=f"sqlite:///{path}", kind="sqlite", path=path), b"-")
    try:
        return app.mapper
    finally:
        app.close()


def open_views(database: Database) -> ViewDatabase:
    """The views' connection factory, in the event store's own database."""
    if database.kind == "postgresql":
        from accord.storage.postgres.views import PostgresViews

        return PostgresViews(database.psycopg_conninfo)
    return SqliteViews(database.path)
