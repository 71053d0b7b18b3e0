"""The server process of the HTTP benchmarks: Accord's application as `accord serve`
builds it (`server_config`: the same app, uvicorn loop and HTTP parser), with the
baselines mounted beside it under /plain: Starlette endpoints that call the same read and
pure functions and serialise the same JSON as the GraphQL response, without GraphQL.

    python -m bench.http_server --database URL --port PORT [--no-history-cache]

`--no-history-cache` makes the reader read every history from the store (its cache of
recent histories holds nothing), for measuring the store rather than the cache.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accord.domain.instants import format_instant
from accord.graphql.connections import encode_cursor, page_bounds
from accord.graphql.partnership_reads import matching_events
from accord.graphql.scalars import end_of, parse_date_time
from accord.projections.event_json import event_json
from accord.projections.health import health, health_to_json
from accord.projections.records import IndexedEvent
from accord.projections.timeline import timeline
from accord.runtime import Runtime
from accord.storage import reader as reader_module
from accord.threads import in_worker_thread
from accord.web.server import server_config


def _instant(request: Request, name: str) -> datetime | None:
    text = request.query_params.get(name)
    return end_of(parse_date_time(text)) if text else None


def _event_json(event: IndexedEvent, known_at: datetime) -> dict[str, Any]:
    return {**event_json(event, known_at), "partnershipId": event.partnership_id}


def _history_json(events: list[IndexedEvent], first: int, now: datetime) -> dict[str, Any]:
    found, keys = matching_events(events, now, None, None, None)
    bounds = page_bounds(keys, None, first)
    edges = [
        {"cursor": encode_cursor("history", keys[i]), "node": _event_json(found[i], now)}
        for i in bounds
    ]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": bounds.stop < len(keys),
            "hasPreviousPage": False,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": len(found),
    }


def _timeline_json(
    events: list[IndexedEvent], to: datetime | None, now: datetime
) -> dict[str, Any]:
    result = timeline(events, None, to, None, now, now)
    return {
        "groups": [{"id": group.id, "content": group.content} for group in result.groups],
        "items": [
            {
                "id": item.id,
                "group": item.group,
                "content": item.content,
                "start": format_instant(item.start),
                "end": format_instant(item.end) if item.end is not None else None,
                "type": item.type,
                "className": item.class_name,
                "title": item.title,
                "eventId": item.event_id,
            }
            for item in result.items
        ],
    }


def plain_routes(runtime: Runtime) -> list[Route]:
    """The baselines: /plain/trivial, /plain/health, /plain/timeline, /plain/history."""
    reads = runtime.reads

    def partnership_field(name: str, compute: Callable[..., Any]) -> Any:
        async def endpoint(request: Request) -> Response:
            partnership_id = request.query_params["id"]
            if await reads.partnership(partnership_id) is None:
                return JSONResponse({"data": {"partnership": None}})
            events = await reads.events(partnership_id)
            now = datetime.now(UTC)
            value = await in_worker_thread(compute, request, events, now)
            return JSONResponse({"data": {"partnership": {name: value}}})

        return endpoint

    def health_of(request: Request, events: list[IndexedEvent], now: datetime) -> Any:
        as_of = _instant(request, "asOf") or now
        return health_to_json(health(events, as_of, now, 365))

    def timeline_of(request: Request, events: list[IndexedEvent], now: datetime) -> Any:
        return _timeline_json(events, _instant(request, "to"), now)

    def history_of(request: Request, events: list[IndexedEvent], now: datetime) -> Any:
        return _history_json(events, int(request.query_params.get("first", "100")), now)

    async def trivial(request: Request) -> Response:
        return JSONResponse({"data": {"__typename": "Query"}})

    return [
        Route("/plain/trivial", trivial),
        Route("/plain/health", partnership_field("health", health_of)),
        Route("/plain/timeline", partnership_field("timeline", timeline_of)),
        Route("/plain/history", partnership_field("history", history_of)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-history-cache", action="store_true")
    args = parser.parse_args()
    if args.no_history_cache:
        reader_module.CACHED_PARTNERSHIPS = 0
    runtime = Runtime.open(args.database)
    config = server_config(runtime, port=args.port, log_level="warning")
    config.app.router.routes[0:0] = plain_routes(runtime)
    try:
        uvicorn.Server(config).run()
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
