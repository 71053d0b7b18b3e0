"""The Starlette application: /graphql, /healthz, /forms.json, workbook uploads
and downloads (/partnerships/{id}/import, /partnerships/{id}/export.xlsx,
/registers.xlsx), the board pack (/partnerships/{id}/report.pdf), the home page and
static assets."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute

from accord.graphql.context import Services
from accord.graphql.feed import ViewsFeed
from accord.settings import (
    cookie_secure,
    oidc_settings,
    session_days,
    session_idle_hours,
    trusted_proxies,
)
from accord.settings import time_zone as configured_time_zone
from accord.threads import in_worker_thread
from accord.web.board_pack import REPORT_PATH, report_endpoint
from accord.web.body_limit import BodySizeLimit
from accord.web.check_in import BODY_LIMIT, PATH, CheckInGuard, check_in_endpoint, rounds_of
from accord.web.compression import Compression
from accord.web.forms import describe
from accord.web.oidc import oidc_routes
from accord.web.request_ids import RequestIds
from accord.web.signin import signin_routes
from accord.web.static_files import CachedStaticFiles, versioned_page
from accord.web.uploads import (
    EXPORT_PATH,
    IMPORT_PATH,
    MAX_UPLOAD_BYTES,
    TEMPLATE_PATH,
    export_endpoint,
    import_endpoint,
    template_endpoint,
)
from accord.web.view import AccordGraphQL, TokenCheck

STATIC = Path(__file__).with_name("static")

# The files the page and GraphiQL load, under static/. The browser libraries (vendor/,
# graphiql/) are kept in the repository, built from pinned npm packages by `make assets`.
PAGE_FILES = (
    "index.html",
    "app.css",
    "check-in.css",
    "js/main.js",
    "vendor/vis-timeline-graph2d.min.js",
    "vendor/echarts.min.js",
    "graphiql/graphiql.min.js",
    "graphiql/graphiql.min.css",
    "graphiql/plugin-explorer.umd.js",
    "graphiql/plugin-explorer.css",
    "graphiql/react.production.min.js",
    "graphiql/react-dom.production.min.js",
    "graphiql/graphql-ws.min.js",
)


class MissingPageFiles(RuntimeError):
    """The page's files are not all installed: the server would serve a broken page."""

    def __init__(self, static: Path, missing: list[str]) -> None:
        self.static = static
        self.missing = missing
        super().__init__(
            f"cannot serve the page: {', '.join(missing)} missing from {static}. In a clone "
            "of the repository these files are kept under accord/web/static: restore them "
            "with git, or rebuild them with `make assets`. An installed Accord lacking them "
            "was built from an incomplete tree: reinstall it from a wheel built from a full "
            "clone (docker/build-wheel.sh)."
        )


def check_page_files(static: Path = STATIC) -> None:
    """Raise MissingPageFiles, naming them, if any of PAGE_FILES is not under `static`."""
    missing = [name for name in PAGE_FILES if not (static / name).is_file()]
    if missing:
        raise MissingPageFiles(static, missing)


def create_app(
    runtime: Services,
    *,
    auth: bool = False,
    check_token: TokenCheck | None = None,
    static: Path = STATIC,
    time_zone: str | None = None,
) -> Starlette:
    """The web application over one runtime, serving the page from `static`.

    `auth=False` serves everyone as the local actor with access not enforced. With
    `auth=True`, requests need a bearer token that `check_token` maps to an actor
    (without `check_token`, no token is valid). `time_zone` is the IANA name the page
    shows and takes local times in (None: `ACCORD_TIMEZONE`, default Europe/London).
    Raises MissingPageFiles, naming them, when any of the page's files are missing, and
    SettingsError for a time zone zoneinfo does not know.
    """
    check_page_files(static)
    forms_body = json.dumps(
        describe(configured_time_zone(time_zone)), ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    forms_etag = '"' + hashlib.sha256(forms_body).hexdigest()[:32] + '"'
    feed = ViewsFeed(runtime)
    if auth:  # sign-in sessions' lifetimes (ACCORD_SESSION_IDLE_HOURS, ACCORD_SESSION_DAYS)
        idle_hours, days = session_idle_hours(), session_days()
        if idle_hours is not None:
            runtime.accounts.idle = timedelta(hours=idle_hours)
        if days is not None:
            runtime.accounts.absolute = timedelta(days=days)
        cookie_secure(), trusted_proxies()  # read again per request: refused here at start
    graphql = AccordGraphQL(runtime, feed, check_token=check_token, auth=auth)
    # The home page links its files by content hash (?v=), so they are cached for good.
    page = versioned_page((static / "index.html").read_text(encoding="utf-8"), static)

    async def healthz(request: Request) -> Response:
        try:
            position = await in_worker_thread(runtime.reader.position)
        except Exception as exc:  # the views cannot be read: not healthy
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, 503)
        projector = runtime.projector_thread
        body: dict[str, object] = {"status": "ok", "viewsPosition": position}
        if projector is not None and projector.error is not None:
            body["projectorError"] = type(projector.error).__name__
        return JSONResponse(body)

    async def forms(request: Request) -> Response:
        """The page's forms (accord.web.forms): no partnership data, so no token needed;
        the same for every caller until the server restarts, so cacheable."""
        headers = {"Cache-Control": "public, max-age=300", "ETag": forms_etag}
        if forms_etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers, media_type="application/json")
        return Response(forms_body, media_type="application/json", headers=headers)

    async def home(request: Request) -> Response:
        # Under auth the page shows private data: never kept (nor restored by the back
        # button after sign-out).
        # Nor framed by another site (clickjacking a signed-in person's forms).
        headers = (
            {
                "Cache-Control": "no-store",
                "X-Frame-Options": "DENY",
                "Content-Security-Policy": "frame-ancestors 'none'",
            }
            if auth
            else None
        )
        return Response(page, media_type="text/html", headers=headers)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        feed.start()
        try:
            yield
        finally:
            feed.stop()

    upload = import_endpoint(
        runtime, auth=auth, check_token=check_token, time_zone=configured_time_zone(time_zone)
    )
    routes = [
        Route("/", home, name="home"),
        Route(IMPORT_PATH, upload, name="import", methods=["POST"]),
        Route(
            EXPORT_PATH,
            export_endpoint(
                runtime,
                auth=auth,
                check_token=check_token,
                time_zone=configured_time_zone(time_zone),
            ),
            name="export",
            methods=["GET"],
        ),
        Route(
            REPORT_PATH,
            report_endpoint(
                runtime,
                auth=auth,
                check_token=check_token,
                time_zone=configured_time_zone(time_zone),
            ),
            name="report",
            methods=["GET"],
        ),
        Route(TEMPLATE_PATH, template_endpoint(), name="template", methods=["GET"]),
        *signin_routes(runtime.accounts, auth=auth),
        *(oidc_routes(runtime.accounts, oidc) if auth and (oidc := oidc_settings()) else []),
        Route("/graphql", graphql, name="graphql", methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql, name="graphql_ws"),
        Route("/healthz", healthz, name="healthz"),
        Route("/forms.json", forms, name="forms", methods=["GET"]),
        Route(
            PATH,
            check_in_endpoint(rounds_of(runtime), configured_time_zone(time_zone)),
            name="check_in",
            methods=["GET", "POST"],
        ),
        Mount("/static", CachedStaticFiles(directory=static), name="static"),
    ]
    larger = ((re.compile(r"^/partnerships/[^/]+/import$"), MAX_UPLOAD_BYTES), BODY_LIMIT)
    middleware = [
        Middleware(RequestIds),
        Middleware(Compression),  # br or gzip for text answers of 1 KiB or more
        Middleware(CheckInGuard),  # outside the body limit: a refused body is never read
        Middleware(BodySizeLimit, larger=larger),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.accord_accounts = runtime.accounts  # web.signin.session_actor
    return app
