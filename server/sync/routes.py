"""``/api/v1/sync``: push, pull and the live event stream."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from app.timeutil import parse_rfc3339, to_rfc3339, utcnow
from server.config import DEFAULT_PULL_LIMIT, MAX_MUTATIONS, MAX_PULL_LIMIT
from server.deps import ClientIdDep, CtxDep, PrincipalDep, check_schema_version
from server.errors import ERROR_RESPONSES, ApiError, ErrorBody
from server.models import Shop
from server.schemas import PullResponse, PushRequest, PushResponse
from server.sync.apply import MutationIn
from server.sync.pull import pull as pull_page
from server.sync.pull import render
from server.sync.push import push as push_batch

router = APIRouter(prefix="/sync", tags=["sync"], responses=ERROR_RESPONSES)


def _json(body: dict[str, Any]) -> Response:
    # ASCII escapes keep any odd character a client sent (quoted back in a reason) safe.
    return Response(json.dumps(body, separators=(",", ":")),
                    media_type="application/json")


@router.post(
    "/push", operation_id="sync_push", response_model=PushResponse,
    summary="Apply a batch of this client's mutations, in order",
    responses={409: {"model": ErrorBody, "description": "mutation_gap: the batch starts "
                     "after LMID + 1 (the body carries last_mutation_id); invalid_batch: the ids "
                     "of a batch are not contiguous and increasing; client_id_mismatch: "
                     "X-Client-Id names another client than the body"}})
def push(body: PushRequest, principal: PrincipalDep, ctx: CtxDep,
         header_client_id: ClientIdDep) -> Response:
    check_schema_version(body.schema_version)
    client_id = str(body.client_id)
    if header_client_id is not None and header_client_id != client_id:
        # valid by the schema, each on its own; together they contradict each other
        raise ApiError(409, "client_id_mismatch",
                       "X-Client-Id and the body's client_id name different clients.")
    if len(body.mutations) > MAX_MUTATIONS:
        raise ApiError(413, "too_many_mutations",
                       f"A push carries at most {MAX_MUTATIONS} mutations; this one has "
                       f"{len(body.mutations)}. Split the batch.")
    mutations = [MutationIn(m.id, m.entity, str(m.row_id), m.op, m.fields, m.base,
                            acting_user_id=str(m.acting_user_id) if m.acting_user_id else None,
                            operation_id=m.operation_id)
                 for m in body.mutations]
    answer = push_batch(ctx.db, principal, client_id, mutations)
    now = utcnow()
    answer["server_time"] = to_rfc3339(now)
    skew = clock_skew(body.device_time, now)
    if skew is not None:
        answer["clock_skew_seconds"] = skew
    return _json(answer)


def clock_skew(device_time: str | None, now: datetime) -> float | None:
    """``device_time`` minus the server's clock in seconds (None when absent or unreadable).
    Device times are kept for audit only, so a skewed clock is reported, never refused."""
    try:
        theirs = parse_rfc3339(device_time)
    except (ValueError, OverflowError):
        return None
    if theirs is None:
        return None
    return round((theirs - now).total_seconds(), 3)


@router.get("/pull", operation_id="sync_pull", response_model=PullResponse,
            summary="A page of the shop's changes after a cursor")
def pull(principal: PrincipalDep, ctx: CtxDep, client_id: ClientIdDep,
         cursor: Annotated[int, Query(ge=0, le=2**63 - 1,
                                      description="The last seq the client has (0: all).")] = 0,
         limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT) -> Response:
    page = pull_page(ctx.db, principal, client_id, cursor, limit)
    return Response(render(page), media_type="application/json")


def _head(ctx: Any, shop_id: str) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(Shop.head).where(Shop.id == shop_id)) or 0)


@router.get(
    "/events", operation_id="sync_events", summary="Live pokes (server-sent events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                     "description": "`event: poke` / `data: {\"head\": N}` whenever the shop's "
                                    "head advances (and once on connect); `: keepalive` "
                                    "comments in between."}})
async def events(request: Request, principal: PrincipalDep, ctx: CtxDep,
                 client_id: ClientIdDep) -> StreamingResponse:
    head = await run_in_threadpool(_head, ctx, principal.shop_id)
    sub = ctx.hub.subscribe(principal.shop_id, head)
    keepalive = ctx.settings.keepalive_seconds
    # The stream ends one token lifetime after it began: the client reconnects with a fresh
    # token, so a revoked session stops hearing pokes within about that time.
    ends_at = time.monotonic() + ctx.settings.access_token_ttl

    async def stream() -> AsyncIterator[str]:
        try:
            yield f"event: poke\ndata: {json.dumps({'head': sub.head})}\n\n"
            sent = sub.head
            while not sub.closed and time.monotonic() < ends_at:
                try:
                    await asyncio.wait_for(sub.event.wait(), timeout=keepalive)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                sub.event.clear()
                if sub.head > sent and not sub.closed:
                    sent = sub.head
                    yield f"event: poke\ndata: {json.dumps({'head': sent})}\n\n"
        finally:
            ctx.hub.unsubscribe(sub)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
