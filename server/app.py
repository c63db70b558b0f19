"""The FastAPI application: routes, error handlers, middleware, and the live-poke plumbing."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text

from server import errors
from server.auth.routes import router as auth_router
from server.auth.service import AuthService
from server.config import MAX_BODY_BYTES, MIN_SCHEMA_VERSION, SCHEMA_VERSION, Settings
from server.db import Database, stored_secret
from server.deps import AppContext, CtxDep
from server.errors import ApiError, ErrorBody
from server.live.hub import Hub
from server.live.listener import PgListener
from server.middleware import RequestBodyMiddleware
from server.pins import router as pins_router
from server.schemas import Health
from server.sync.purge import purge_tombstones
from server.sync.routes import router as sync_router
from server.users import router as users_router

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

health_router = APIRouter(tags=["health"])


@health_router.get("/health", operation_id="health", response_model=Health,
                   summary="Is the server up and its database reachable?",
                   responses={503: {"model": ErrorBody, "description": "Database unreachable"}})
def health(ctx: CtxDep) -> dict[str, Any]:
    try:
        with ctx.db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        raise ApiError(503, "database_unavailable",
                       "The server cannot reach its database.") from exc
    return {"status": "ok", "database": ctx.db.engine.dialect.name,
            "schema_version": SCHEMA_VERSION, "min_schema_version": MIN_SCHEMA_VERSION}


class _Purger:
    """Purges old tombstones now and then, in a daemon thread."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db, self._settings = db, settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bayline-purge", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(min(60.0, self._settings.purge_interval)):
            try:
                purge_tombstones(self._db, days=self._settings.tombstone_days)
            except Exception:
                log.exception("purging tombstones failed")
            if self._stop.wait(max(0.0, self._settings.purge_interval - 60.0)):
                break


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API on ``settings.database_url`` (already migrated)."""
    settings = settings or Settings()
    db = Database.from_url(settings.database_url)
    secret = settings.secret_key or stored_secret(db)
    if not secret:
        raise RuntimeError("The database has no signing key: run `python -m server migrate`.")
    hub = Hub()
    ctx = AppContext(settings=settings, db=db, auth=AuthService(db, settings, secret), hub=hub)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        listener: PgListener | None = None
        if db.sqlite:
            db.poke_hook = hub.publish
        else:
            listener = PgListener(settings.database_url, hub)
            listener.start()
            await asyncio.get_running_loop().run_in_executor(None, listener.ready.wait, 10)
        purger = _Purger(db, settings) if settings.purge_interval > 0 else None
        if purger:
            purger.start()
        # Everything loaded so far (modules, mappers, the schema) lives as long as the
        # process: keep it out of the cycle collector, whose full passes would otherwise
        # walk it and stall every request now and then.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            hub.close_all()
            if purger:
                purger.stop()
            if listener:
                listener.stop()
            db.dispose()

    app = FastAPI(
        title="Bayline central API",
        version="1.0.0",
        summary="The sync protocol v1 between Bayline desk clients and kiosks and the shop's "
                "central store.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    errors.install(app)
    for router in (health_router, auth_router, sync_router, users_router, pins_router):
        app.include_router(router, prefix=API_PREFIX)
    # Level 1: most of the size win for JSON at a fraction of the CPU of the default 9.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(RequestBodyMiddleware, max_bytes=MAX_BODY_BYTES)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several worker processes): settings from the env."""
    return create_app(Settings())
