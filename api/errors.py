"""Every error of the API as JSON ``{"error": {"code", "message", "details"?}}``, mapped in this one module.

Stable codes: ``body_too_large``, ``too_many_items``, ``text_too_long``, ``invalid_json``, ``invalid_utf8``,
``unsupported_media_type``, ``validation_error``, ``not_found``, ``method_not_allowed``, ``reload_disabled``,
``table_error``, ``request_timeout``, ``internal_error`` (a bug: logged with its traceback); the server
itself (``api/server.py``) answers ``bad_request``, ``request_timeout`` and ``overloaded`` in the same shape."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("normalizer.api")

# Python's message for an integer too long to parse (CVE-2020-10735 limit), which names a Python setting
_HUGE_INT = re.compile(r"integer string conversion: value has (\d+) digits")
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def json_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON; falls back to ``\\u`` escapes when a string holds a lone surrogate."""
    try:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, separators=(",", ":")).encode("ascii")


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


class ApiError(Exception):
    """An expected error: a status, a stable code and a message saying what to fix."""

    def __init__(
        self, status: int, code: str, message: str, details: Sequence[Mapping[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = [dict(d) for d in details] if details is not None else None


def error_body(code: str, message: str, details: Iterable[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        err["details"] = [dict(d) for d in details]
    return {"error": err}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Iterable[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status_code=status, headers=dict(headers or {}))


def where(loc: Sequence[Any], prefix: str = "") -> str:
    """``("body", "items", 3, "text")`` -> ``items[3].text``; query/path parameters are named as such."""
    loc = list(loc)
    kind = ""
    if loc and loc[0] in ("query", "path", "header"):
        kind = f"{loc.pop(0)} parameter "
    elif loc and loc[0] == "body":
        loc.pop(0)
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return f"{kind}{out}" if out else "request body"


def describe_errors(
    errors: Sequence[Mapping[str, Any]], prefix: str = ""
) -> tuple[str, list[dict[str, Any]]]:
    """A one-line message and per-error details (never echoing the input, which may be large)."""
    details = []
    for e in errors:
        loc = where(e.get("loc", ()), prefix)
        kind = e.get("type", "")
        if kind == "extra_forbidden":
            msg = "unknown field: check the spelling (the fields are listed in /docs)"
        elif kind == "missing":
            msg = "required field is missing"
        else:
            msg = str(e.get("msg", "invalid value"))
        details.append({"loc": loc, "type": kind, "message": msg})
    shown = "; ".join(f"{d['loc']}: {d['message']}" for d in details[:5])
    more = f" (and {len(details) - 5} more)" if len(details) > 5 else ""
    return shown + more, details


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.details)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    bad_json = [e for e in errors if e.get("type") == "json_invalid"]
    if bad_json:
        e = bad_json[0]
        pos = e.get("loc", ("body", 0))[-1]
        reason = (e.get("ctx") or {}).get("error", "JSON decode error")
        return error_response(400, "invalid_json", f"the body is not valid JSON: {reason} at character {pos}")
    if (
        len(errors) == 1
        and errors[0].get("type") == "missing"
        and tuple(errors[0].get("loc", ())) == ("body",)
    ):
        return error_response(422, "validation_error", "a JSON object body is required (see /docs)")
    message, details = describe_errors(errors)
    return error_response(422, "validation_error", message, details)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    cause = exc.__cause__
    if exc.status_code == 400 and cause is not None:  # FastAPI could not parse the body
        if isinstance(cause, RecursionError):
            return error_response(400, "invalid_json", "the body is not valid JSON: nested too deeply")
        if isinstance(cause, UnicodeDecodeError):
            return error_response(400, "invalid_utf8", f"the body is not valid UTF-8: {cause.reason}")
        digits = _HUGE_INT.search(str(cause))
        if isinstance(cause, ValueError) and digits:
            return error_response(
                400,
                "invalid_json",
                f"the body has a number with {digits[1]} digits; numbers may have at most 4300 digits "
                "(ids of that size can be sent as strings)",
            )
        return error_response(400, "invalid_json", f"the body could not be parsed as JSON: {cause}")
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = str(exc.detail)
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path} (see /docs)"
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every expected error into the JSON shape above."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
