"""Run the web application under uvicorn."""

from __future__ import annotations

import threading

import uvicorn

from accord.graphql.context import Services
from accord.graphql.limits import MAX_BODY_BYTES
from accord.runtime import Runtime
from accord.settings import trusted_proxies
from accord.storage.tokens import TokenStore
from accord.web.app import create_app
from accord.web.check_in import install_log_filter
from accord.web.view import TokenCheck


def token_check(runtime: Runtime) -> tuple[TokenCheck, TokenStore]:
    """Bearer tokens checked against the database's token store (one connection, used by
    one thread at a time)."""
    store = TokenStore(runtime.views)
    lock = threading.Lock()

    def check(token: str) -> str | None:
        with lock:
            return store.actor_for(token)

    return check, store


def server_config(
    runtime: Services,
    host: str = "127.0.0.1",
    port: int = 8000,
    auth: bool = False,
    *,
    check_token: TokenCheck | None = None,
    log_level: str = "info",
    access_log: bool = False,
    time_zone: str | None = None,
) -> uvicorn.Config:
    """uvicorn's configuration for the app: websocket messages are held to the same
    64 KiB as request bodies."""
    config = uvicorn.Config(
        create_app(runtime, auth=auth, check_token=check_token, time_zone=time_zone),
        host=host,
        port=port,
        ws="websockets-sansio",
        ws_max_size=MAX_BODY_BYTES,
        ws_per_message_deflate=True,  # subscriptions' messages compressed (permessage-deflate)
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        timeout_graceful_shutdown=5,
        # X-Forwarded-For and -Proto believed only from ACCORD_TRUSTED_PROXIES (uvicorn
        # would otherwise believe them from any process on loopback).
        forwarded_allow_ips=list(trusted_proxies()),
    )
    install_log_filter()  # after uvicorn's logging set-up: no whole check-in link logged
    return config


def serve(
    runtime: Services | str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    auth: bool = False,
    *,
    projector: bool = True,
    check_token: TokenCheck | None = None,
    log_level: str = "info",
    access_log: bool = False,
    time_zone: str | None = None,
) -> int:
    """Serve the API until interrupted (Ctrl-C); the exit status.

    `runtime` is an open runtime, or a database URL (None: the default database) for
    which one is opened, with a projector in this process unless `projector` is false,
    and closed at exit. With `auth` and no `check_token`, bearer tokens are checked
    against the database's token store (`accord token issue`). `time_zone`: the page's
    (None: `ACCORD_TIMEZONE`, default Europe/London).
    """
    owned: Runtime | None = None
    if runtime is None or isinstance(runtime, str):
        owned = runtime = Runtime.open(runtime, project=projector)
    store: TokenStore | None = None
    try:
        if auth and check_token is None:
            if not isinstance(runtime, Runtime):
                msg = "auth needs check_token, or a Runtime whose token store checks tokens"
                raise ValueError(msg)
            check_token, store = token_check(runtime)
        server = uvicorn.Server(
            server_config(
                runtime,
                host,
                port,
                auth,
                check_token=check_token,
                log_level=log_level,
                access_log=access_log,
                time_zone=time_zone,
            )
        )
        server.run()
        return 0 if server.started else 1
    finally:
        if store is not None:
            store.close()
        if owned is not None:
            owned.close()
