"""Request bodies: at most 1 MiB (declared or actual, before and after gzip), and
``Content-Encoding: gzip`` decoded before the routes see them."""

from __future__ import annotations

import json
import zlib

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def _send_error(send: Send, status: int, error: str, detail: str) -> None:
    body = json.dumps({"error": error, "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class RequestBodyMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        too_big = f"A request body can be at most {self.max_bytes // 1024} KiB."
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _send_error(send, 400, "bad_request", "Content-Length is not a number.")
                return
            if int(declared) > self.max_bytes:
                await _send_error(send, 413, "too_large", too_big)
                return
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip", ""):
            await _send_error(send, 415, "unsupported_encoding",
                              f"Content-Encoding '{encoding}' is not supported; use gzip.")
            return
        if declared is None and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(send, 413, "too_large", too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if encoding == "gzip":
            try:
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                body = inflater.decompress(body, self.max_bytes + 1)
                if len(body) > self.max_bytes or inflater.unconsumed_tail:
                    await _send_error(send, 413, "too_large", too_big + " (after gunzip)")
                    return
                if not inflater.eof:
                    raise zlib.error("truncated")
            except zlib.error:
                await _send_error(send, 400, "bad_gzip", "The body is not valid gzip data.")
                return
            raw: list[tuple[bytes, bytes]] = [
                (k, v) for k, v in scope["headers"]
                if k.lower() not in (b"content-encoding", b"content-length")]
            raw.append((b"content-length", str(len(body)).encode()))
            scope = {**scope, "headers": raw}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
