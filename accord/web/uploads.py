"""Workbooks over HTTP: `POST /partnerships/{id}/import`, a registers workbook (or one
sheet of it as CSV) uploaded to add entries to a partnership, judged as `accord import`
judges it; `GET /partnerships/{id}/export.xlsx` (`accord export --format xlsx`, for a
VIEWER or above); `GET /registers.xlsx`, the template (no partnership data: no token).

The body is `multipart/form-data` with the file in the part `file` (`.xlsx`, or `.csv`
with the part `kind` naming its kind of entry); `?dryRun=true` judges and records
nothing. The actor needs RECORDER or ADMIN (per row, a kind that needs ADMIN is refused
for a RECORDER, as the API refuses it); a partnership the actor has no role in is
NOT_FOUND, as in the API. The one exception to the 64 KiB body limit: a body of up to
`MAX_UPLOAD_BYTES`, and a workbook within `UPLOAD_LIMITS` (API.md, Limits).

Answers (JSON): 200 `{"partnershipId", "dryRun", "recorded", "sheets": [{"sheet",
"entries", "from", "to"}]}`; 422 `{"refusals": [{"where", "sheet", "cell", "field",
"code", "message"}], "errors"}` with nothing recorded; otherwise `{"errors": [{"message",
"extensions": {"code"}}]}`: 400 BAD_REQUEST (no file, a file that cannot be read), 401
UNAUTHENTICATED, 403 FORBIDDEN, 404 NOT_FOUND, 409 VERSION_CONFLICT (someone recorded
while it was judged: nothing recorded), 413 REQUEST_TOO_LARGE, 415
UNSUPPORTED_MEDIA_TYPE.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import PurePath
from typing import Any, Final
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accord.application.workbooks import Judged, Row, WorkbookRefused, import_rows
from accord.domain.errors import DomainError, VersionConflict
from accord.domain.instants import InstantError, parse_instant
from accord.domain.values import AccessRole
from accord.graphql.context import Services
from accord.graphql.limits import MAX_WINDOW_DAYS
from accord.graphql.partnership_reads import LAST_SERIES_INSTANT
from accord.projections.records import IndexedEvent
from accord.settings import time_zone as configured_time_zone
from accord.threads import in_worker_thread
from accord.web.etags import PRIVATE_REVALIDATE, etag_of, matches, not_modified
from accord.web.registers import SHEETS, write_template
from accord.web.signin import COOKIE, session_actor
from accord.web.view import TokenCheck, bearer_token
from accord.web.workbook_export import export_file_name, write_export
from accord.web.workbook_files import Limits, MiB, UnreadableFile, read_csv, read_workbook

UPLOAD_LIMITS = Limits(file_bytes=10 * MiB, unpacked_bytes=100 * MiB, rows=20_000)
"""What one upload may be: a 10 MiB file, unpacking to 100 MiB, of 20,000 entries."""
MAX_UPLOAD_BYTES = UPLOAD_LIMITS.file_bytes + 64 * 1024
"""The body: the file and the form's other parts."""
IMPORT_PATH = "/partnerships/{partnership_id}/import"
EXPORT_PATH = "/partnerships/{partnership_id}/export.xlsx"
TEMPLATE_PATH = "/registers.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    body.update(extra)
    return JSONResponse(body, status)


def form_parts(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Each part of a multipart/form-data body: name -> (file name, content)."""
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        msg = "the body is not multipart/form-data"
        raise ValueError(msg)
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            parts[name] = (part.get_filename(), payload)
    return parts


def _summary(judged: Judged) -> list[dict[str, Any]]:
    return [
        {
            "sheet": sheet.sheet,
            "entries": sheet.entries,
            "from": sheet.first.date().isoformat() if sheet.first else None,
            "to": sheet.last.date().isoformat() if sheet.last else None,
        }
        for sheet in judged.sheets.values()
    ]


def import_endpoint(
    services: Services, *, auth: bool, check_token: TokenCheck | None, time_zone: str
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint, over one runtime."""
    zone = ZoneInfo(time_zone)

    async def endpoint(request: Request) -> Response:
        caller = await _caller(request, auth, check_token)
        if isinstance(caller, Response):
            return caller
        actor, enforce, pid = caller
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            return _error(
                415, "UNSUPPORTED_MEDIA_TYPE", "send the file as multipart/form-data (part 'file')"
            )
        dry_run = request.query_params.get("dryRun", "false").lower() in ("true", "1")
        body = await request.body()
        try:
            parts = await in_worker_thread(form_parts, content_type, body)
        except ValueError as error:
            return _error(400, "BAD_REQUEST", str(error))
        if "file" not in parts:
            return _error(400, "BAD_REQUEST", "no part 'file': attach the workbook as 'file'")
        filename, content = parts["file"]
        kind = parts.get("kind", (None, b""))[1].decode("utf-8", "replace").strip() or None

        def judge() -> Response:
            try:
                partnership = services.app.partnership(pid)
            except DomainError:
                return _error(404, "NOT_FOUND", "unknown partnership")
            role = partnership.role_of(actor)
            if enforce and role is None:
                return _error(404, "NOT_FOUND", "unknown partnership")
            if enforce and role is not None and not role.allows(AccessRole.RECORDER):
                return _error(
                    403,
                    "FORBIDDEN",
                    f"your role {role.value} does not allow this (it needs RECORDER)",
                )
            try:
                rows = _read(filename or "upload.xlsx", content, kind)
                made, judged = import_rows(
                    services.app,
                    rows,
                    partnership_id=pid,
                    actor=actor,
                    zone=zone,
                    dry_run=dry_run,
                    form_sheet=SHEETS[0].title,
                    enforce_access=enforce,
                )
            except UnreadableFile as error:
                return _error(400, "BAD_REQUEST", str(error))
            except WorkbookRefused as refused:
                return _refused(refused)
            except DomainError:
                return _error(404, "NOT_FOUND", "unknown partnership")
            except VersionConflict as error:
                return _error(
                    409,
                    "VERSION_CONFLICT",
                    f"someone recorded while the file was judged ({error}): nothing was "
                    "recorded; send it again",
                )
            if not dry_run:  # answered once the views show it, as a mutation is
                services.wait_for(judged.last_notification)
            entries = sum(sheet.entries for sheet in judged.sheets.values())
            return JSONResponse(
                {
                    "partnershipId": str(made),
                    "dryRun": dry_run,
                    "entries": entries,
                    "recorded": 0 if dry_run else entries,
                    "sheets": _summary(judged),
                }
            )

        return await in_worker_thread(judge)

    return endpoint


async def _caller(
    request: Request, auth: bool, check_token: TokenCheck | None
) -> tuple[str, bool, uuid.UUID] | Response:
    """(actor, whether access is enforced, the partnership's id in the path), or the
    answer to give: 401 without a valid token, 404 for an id that is no UUID."""
    who = await _actor(request, auth, check_token)
    if who is None:
        return _error(401, "UNAUTHENTICATED", "a valid bearer token is required")
    try:
        pid = uuid.UUID(request.path_params["partnership_id"])
    except ValueError:
        return _error(404, "NOT_FOUND", "unknown partnership")
    return (*who, pid)


async def _actor(
    request: Request, auth: bool, check_token: TokenCheck | None
) -> tuple[str, bool] | None:
    """(actor, whether access is enforced), or None without a valid token (or, without
    `Authorization`, a live session cookie with the session's X-Accord-CSRF header)."""
    if not auth:
        return "local", False
    if request.headers.get("authorization") is None and COOKIE in request.cookies:
        person = await session_actor(request, csrf=True)
        return (person.name, True) if person is not None else None
    token = bearer_token(request.headers.get("authorization"))
    name = await in_worker_thread(check_token, token) if token and check_token else None
    return (name, True) if name else None


FIRST_INSTANT: Final = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest moment a download is read as of, as known at or since."""
LAST_INSTANT: Final = LAST_SERIES_INSTANT
"""Downloads' moments are before this (GraphQL's `healthSeries` bound: the year 9999)."""
EXPORT_PARAMETERS: Final = ("asOf", "knownAt", "windowDays")
"""The query parameters the workbook is made from."""
DOWNLOAD_FIELDS: Final = {
    "asOf": "asOf",
    "knownAt": "knownAt",
    "since": "since",
    "windowDays": "windowDays",
}
"""A download's options as the query string names them (the command line: `--as-of`)."""


class DownloadArgumentError(ValueError):
    """A download's option that cannot be used; the message begins with its name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class DownloadMoments:
    """What a download (the board pack, the workbook) is made as of."""

    as_of: datetime
    known_at: datetime | None
    """None: not given (as known now: the newest entry recorded)."""
    since: datetime | None
    """None: not given (the pack's default, 90 days before `as_of`)."""
    window_days: int


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _download_instant(field: str, text: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime:
    first, last = FIRST_INSTANT.date().isoformat(), LAST_INSTANT.date().isoformat()
    out_of_range = f"{_quoted(text)} is out of range: give a moment from {first} to before {last}"
    try:
        moment = parse_instant(text, end_of_day=end_of_day, zone=zone)
    except InstantError as error:
        if "out of range" in str(error):
            raise DownloadArgumentError(field, out_of_range) from None
        raise DownloadArgumentError(field, str(error)) from None
    except OverflowError:
        raise DownloadArgumentError(field, out_of_range) from None
    if not FIRST_INSTANT <= moment < LAST_INSTANT:
        raise DownloadArgumentError(field, out_of_range)
    return moment


def read_download_options(
    given: Mapping[str, str | None],
    *,
    zone: str,
    now: datetime,
    names: Mapping[str, str] = DOWNLOAD_FIELDS,
) -> DownloadMoments:
    """A download's `asOf`, `knownAt`, `since` and `windowDays` (keys of `given`; empty
    or missing: not given), read the same way over HTTP and on the command line: a bare
    date is that whole day in `zone` (ACCORD_TIMEZONE), its end for `asOf` and `knownAt`,
    its start for `since`; `asOf` defaults to `now`, `windowDays` to 365 (1 to 36,500,
    as GraphQL takes it); every moment from 1900-01-01 to before 9999-01-01; `since` not
    after `asOf`. Raises DownloadArgumentError naming the field (as `names` spells it)."""
    local = ZoneInfo(zone)

    def text(key: str) -> str | None:
        value = given.get(key) if key in names else None
        return value.strip() if value and value.strip() else None

    as_of_text, known_text, since_text = text("asOf"), text("knownAt"), text("since")
    as_of = (
        _download_instant(names["asOf"], as_of_text, local, end_of_day=True) if as_of_text else now
    )
    known_at = (
        _download_instant(names["knownAt"], known_text, local, end_of_day=True)
        if known_text
        else None
    )
    since = (
        _download_instant(names["since"], since_text, local, end_of_day=False)
        if since_text
        else None
    )
    window_text = text("windowDays")
    window_days = 365
    if window_text is not None:
        bounds = f"must be a whole number of days from 1 to {MAX_WINDOW_DAYS:,}"
        try:
            window_days = int(window_text)
        except ValueError:
            raise DownloadArgumentError(
                names["windowDays"], f"{bounds} (got {_quoted(window_text)})"
            ) from None
        if not 1 <= window_days <= MAX_WINDOW_DAYS:
            raise DownloadArgumentError(
                names["windowDays"], f"{bounds} (got {_quoted(window_text)})"
            )
    if since is not None and since > as_of:
        raise DownloadArgumentError(
            names["since"], f"must not be after {names['asOf']} (the story ends there)"
        )
    return DownloadMoments(as_of, known_at, since, window_days)


def read_moments(
    request: Request, now: datetime, zone: str, parameters: Sequence[str]
) -> DownloadMoments:
    """A download's options from its query string (`read_download_options`): those of
    `parameters` it takes, others ignored."""
    return read_download_options(
        {name: request.query_params.get(name) for name in parameters},
        zone=zone,
        now=now,
        names={name: DOWNLOAD_FIELDS[name] for name in parameters},
    )


def refuse_argument(error: DownloadArgumentError) -> Response:
    """400 BAD_REQUEST, its message naming the parameter (also in `extensions.field`)."""
    body = {
        "errors": [
            {"message": str(error), "extensions": {"code": "BAD_REQUEST", "field": error.field}}
        ]
    }
    return JSONResponse(body, 400)


def newest_recorded(events: Sequence[IndexedEvent], now: datetime) -> datetime:
    """What "as known now" means for a download: when its newest entry was recorded
    (the same content as now, and the same bytes until something is recorded)."""
    return max((event.recorded_at for event in events), default=now)


def export_endpoint(
    services: Services,
    *,
    auth: bool,
    check_token: TokenCheck | None,
    time_zone: str | None = None,
) -> Callable[[Request], Awaitable[Response]]:
    """`GET /partnerships/{id}/export.xlsx[?asOf=T&knownAt=K&windowDays=N]`: the
    workbook (options read by `read_download_options`; a bare date is that day in
    `time_zone`, default ACCORD_TIMEZONE). With `asOf` given it has an ETag (the
    partnership's version and newest hash, the options): its bytes depend on nothing
    else (`write_export`), so `If-None-Match` naming it is answered 304 without the
    workbook being made again."""
    zone = configured_time_zone(time_zone)

    async def endpoint(request: Request) -> Response:
        caller = await _caller(request, auth, check_token)
        if isinstance(caller, Response):
            return caller
        actor, enforce, pid = caller
        now = datetime.now(UTC)
        try:
            options = read_moments(request, now, zone, EXPORT_PARAMETERS)
        except DownloadArgumentError as error:
            return refuse_argument(error)

        def build() -> Response:
            try:
                partnership = services.app.partnership(pid)
            except DomainError:
                return _error(404, "NOT_FOUND", "unknown partnership")
            if enforce and partnership.role_of(actor) is None:
                return _error(404, "NOT_FOUND", "unknown partnership")
            events = services.reader.events(str(pid))
            known_at = options.known_at or newest_recorded(events, now)
            filename = export_file_name(partnership.name, options.as_of, zone)
            headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
            if request.query_params.get("asOf"):  # else "now": it moves
                etag = etag_of(
                    "export.xlsx",
                    pid,
                    partnership.version,
                    len(events),
                    events[-1].hash if events else "",
                    options.as_of.isoformat(),
                    known_at.isoformat(),
                    options.window_days,
                    zone,
                    partnership.name,
                )
                headers |= {"ETag": etag, "Cache-Control": PRIVATE_REVALIDATE}
                if matches(request, etag):
                    return not_modified(etag, {"Cache-Control": PRIVATE_REVALIDATE})
            out = io.BytesIO()
            write_export(
                out,
                events,
                as_of=options.as_of,
                known_at=known_at,
                window_days=options.window_days,
            )
            return Response(out.getvalue(), media_type=XLSX, headers=headers)

        return await in_worker_thread(build)

    return endpoint


def template_endpoint() -> Callable[[Request], Awaitable[Response]]:
    """`GET /registers.xlsx`: the template, made once (it changes only with the server)."""
    made: list[bytes] = []

    async def endpoint(request: Request) -> Response:
        if not made:
            out = io.BytesIO()
            await in_worker_thread(write_template, out)
            made.append(out.getvalue())
        return Response(
            made[0],
            media_type=XLSX,
            headers={
                "Content-Disposition": 'attachment; filename="registers.xlsx"',
                "Cache-Control": "public, max-age=300",
            },
        )

    return endpoint


def _read(filename: str, content: bytes, kind: str | None) -> list[Row]:
    name = PurePath(filename).name
    if name.casefold().endswith(".csv"):
        if kind is None:
            msg = "a CSV file holds one sheet: name its kind of entry in the part 'kind'"
            raise UnreadableFile(msg)
        return read_csv(content, sheet=PurePath(name).stem, kind=kind, limits=UPLOAD_LIMITS)
    return read_workbook(content, name=name, limits=UPLOAD_LIMITS)


def _refused(refused: WorkbookRefused) -> Response:
    refusals = [
        {
            "where": refusal.where,
            "sheet": refusal.sheet,
            "cell": refusal.cell,
            "field": refusal.field,
            "code": refusal.code,
            "message": refusal.message,
        }
        for refusal in refused.refusals
    ]
    return _error(422, "VALIDATION", refused.summary, refusals=refusals, more=refused.cut)


__all__ = [
    "EXPORT_PATH",
    "IMPORT_PATH",
    "MAX_UPLOAD_BYTES",
    "TEMPLATE_PATH",
    "UPLOAD_LIMITS",
    "export_endpoint",
    "form_parts",
    "import_endpoint",
    "template_endpoint",
]
