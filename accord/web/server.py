"""Run the web application under uvicorn."""

from __future__ import annotations

import uvicorn

from accord.graphql.context import Services
from accord.graphql.limits import MAX_BODY_BYTES

from .app import create_app
from .view import TokenCheck


def server_config(
    runtime: Services,
    host: str = "127.0.0.1",
    port: int = 8000,
    auth: bool = False,
    *,
    check_token: TokenCheck | None = None,
    log_level: str = "info",
) -> uvicorn.Config:
    """uvicorn's configuration for the app: websocket messages are held to the same
    64 KiB as request bodies."""
    return uvicorn.Config(
        create_app(runtime, auth=auth, check_token=check_token),
        host=host,
        port=port,
        ws="websockets-sansio",
        ws_max_size=MAX_BODY_BYTES,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )


def serve(
    runtime: Services,
    host: str = "127.0.0.1",
    port: int = 8000,
    auth: bool = False,
    *,
    check_token: TokenCheck | None = None,
    log_level: str = "info",
) -> None:
    """Serve the API until interrupted (Ctrl-C)."""
    uvicorn.Server(
        server_config(runtime, host, port, auth, check_token=check_token, log_level=log_level)
    ).run()
