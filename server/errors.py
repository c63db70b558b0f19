"""Every error body is ``{"error": code, "detail": text}`` (PROTOCOL.md); handlers here."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """An error: a stable code for programs and a sentence for people."""

    model_config = ConfigDict(extra="allow")

    error: str
    detail: str


class ApiError(Exception):
    """Raised anywhere in a request; becomes its status with an ``ErrorBody``."""

    def __init__(self, status: int, error: str, detail: str, *,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers
        self.extra = extra


class _AsciiJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        # ASCII escapes: a detail quoting odd client input can always be encoded.
        return json.dumps(content, separators=(",", ":")).encode("ascii")


def error_response(status: int, error: str, detail: str, *,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return _AsciiJSONResponse({"error": error, "detail": detail, **extra}, status_code=status,
                              headers=headers)


_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
          413: "too_large", 415: "unsupported_media_type", 422: "invalid_request",
          429: "rate_limited"}


def _describe_validation(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    for err in errors:
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            return 400, "malformed_json", f"The body is not valid JSON: {ctx.get('error', 'parse error')}."
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        msg = str(err.get("msg", "invalid"))
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return 422, "invalid_request", "; ".join(parts) + more


#: Documented on every operation, so clients and schema checkers know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": desc} for code, desc in (
        (400, "Malformed request (e.g. not JSON, a broken gzip body)"),
        (401, "Not authenticated"),
        (403, "Not allowed"),
        (413, "Too large"),
        (415, "Unsupported content encoding"),
        (422, "Invalid by schema"),
        (426, "Schema version no longer supported"),
        (429, "Rate limited"),
    )
}


def allowed_methods(request: Request) -> str:
    """Every method some route of this path answers (Starlette names only the first
    route's, though GET and POST of one address are two routes), for ``Allow``."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the protocol's shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.detail, headers=exc.headers,
                              **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        status, code, detail = _describe_validation(exc)
        return error_response(status, code, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES.get(exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is nothing at this address."
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            allow = allowed_methods(request)
            detail = f"This address does not accept that method; it accepts: {allow}."
            headers = {**(headers or {}), "Allow": allow}
        return error_response(exc.status_code, code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return error_response(500, "internal_error",
                              "The server failed to handle this request; it was logged.")
