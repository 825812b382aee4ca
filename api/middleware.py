"""The outer guard of every request (pure ASGI, so it is cheap): pins the Normalizer the request will use,
adds ``X-Table-Version`` to every response, enforces the body limit on the bytes actually received (a chunked
body cannot bypass it), requires JSON in UTF-8, and turns any unexpected exception into a logged JSON 500.

The pieces (:class:`VersionedSend`, :func:`read_body`, :func:`internal_error`) are shared with the lean
handlers of the hot routes (``api/lean.py``), so both paths answer alike."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

from .errors import error_response
from .state import ApiState

log = logging.getLogger("normalizer.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

NORMALIZER_KEY = "normalizer.instance"
VERSION_HEADER = b"x-table-version"
BODY_TIMEOUT = 60.0  # seconds to receive a whole body
# After refusing an over-limit body, read and discard the rest of it (up to these bounds) before ending the
# response: closing a socket with unread bytes makes the kernel send a reset, which can destroy the 413 in
# the client's receive buffer before the client (still sending) reads it.
DRAIN_MAX_BYTES = 64 * 1024 * 1024
DRAIN_SECONDS = 10.0
_asyncio_timeout = getattr(asyncio, "timeout", None)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", ()):
        if k.lower() == name:
            return v
    return None


def _is_form(content_type: bytes | None) -> bool:
    """``application/x-www-form-urlencoded`` in UTF-8 (the charset OpenRefine declares; the default)."""
    parts = (content_type or b"").decode("latin-1").lower().split(";")
    charset = next((p.split("=", 1)[1].strip().strip('"') for p in parts[1:] if "charset=" in p), "utf-8")
    return parts[0].strip() == "application/x-www-form-urlencoded" and charset in ("utf-8", "utf8")


def _is_json(content_type: bytes | None) -> bool:
    if not content_type:
        return False
    if content_type == b"application/json":
        return True
    parts = content_type.decode("latin-1").lower().split(";")
    media = parts[0].strip()
    charset = next(
        (p.split("=", 1)[1].strip().strip('"') for p in parts[1:] if p.strip().startswith("charset=")),
        "utf-8",
    )
    return (
        media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
    ) and charset in ("utf-8", "utf8")


class VersionedSend:
    """Wraps ``send``: adds ``X-Table-Version`` (unless the app set it) and remembers if a response began."""

    __slots__ = ("send", "version", "started")

    def __init__(self, send: Send, version: bytes) -> None:
        self.send, self.version, self.started = send, version, False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = list(message.get("headers", ()))
            if not any(k.lower() == VERSION_HEADER for k, _ in headers):  # /admin/reload sets the new one
                headers.append((VERSION_HEADER, self.version))
                message = {**message, "headers": headers}
        await self.send(message)


async def internal_error(state: ApiState, scope: Scope, receive: Receive, send: VersionedSend) -> None:
    """Count and log the exception being handled; answer a JSON 500 unless a response already began."""
    state.count_unexpected()
    log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
    if send.started:
        raise  # the response is half sent: let the server close the connection
    await error_response(500, "internal_error", "unexpected server error (logged); please report it")(
        scope, receive, send
    )


class GuardMiddleware:
    def __init__(self, app: ASGIApp, state: ApiState, form_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.state = state
        self.form_paths = form_paths  # paths whose POST body may also be a urlencoded form (api/reconcile.py)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        norm = scope.get(NORMALIZER_KEY)  # already pinned when a lean handler passed the request on
        if norm is None:
            norm = scope[NORMALIZER_KEY] = self.state.holder.current()
        vsend = VersionedSend(send, norm.version.encode("ascii"))
        try:
            if scope["method"] in ("POST", "PUT", "PATCH"):
                body = await read_body(scope, receive, vsend, self.state.settings.max_body_bytes,
                                       forms=scope["path"] in self.form_paths)
                if body is None:
                    return
                receive = replay(body, receive)
            await self.app(scope, receive, vsend)
        except Exception:
            await internal_error(self.state, scope, receive, vsend)


async def read_body(
    scope: Scope, receive: Receive, send: Send, limit: int, *, forms: bool = False
) -> bytes | None:
    """The whole body, or None after answering an error (or if the client went away).  ``forms``: a
    urlencoded form in UTF-8 is accepted too."""
    declared = _header(scope, b"content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        await _too_large(scope, receive, send, limit, int(declared))
        return None
    try:
        if _asyncio_timeout is not None:  # Python 3.11+: half the cost of anyio.fail_after per request
            async with _asyncio_timeout(BODY_TIMEOUT):
                body = await _receive_body(receive, limit)
        else:  # pragma: no cover - Python 3.10
            with anyio.fail_after(BODY_TIMEOUT):
                body = await _receive_body(receive, limit)
    except TimeoutError:
        await error_response(408, "request_timeout", f"the body did not arrive within {BODY_TIMEOUT:.0f} s")(
            scope, receive, send
        )
        return None
    except _TooLarge as exc:  # answered outside the body's time limit: the drain has its own
        await _too_large(scope, receive, send, limit, None if exc.more else 0, exc.size)
        return None
    if body is None:
        return None
    if not body:
        return body
    content_type = _header(scope, b"content-type")
    if not _is_json(content_type) and not (forms and _is_form(content_type)):
        await error_response(
            415,
            "unsupported_media_type",
            "send the body as JSON in UTF-8 with 'Content-Type: application/json'",
        )(scope, receive, send)
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        await error_response(
            400,
            "invalid_utf8",
            f"the body is not valid UTF-8: {exc.reason} at byte "
            f"{exc.start} ({body[exc.start : exc.start + 1]!r}); encode the JSON as UTF-8",
        )(scope, receive, send)
        return None
    return body


class _TooLarge(Exception):
    def __init__(self, size: int, more: bool) -> None:
        self.size, self.more = size, more


async def _receive_body(receive: Receive, limit: int) -> bytes | None:
    """The body's bytes; None if the client went away; raises _TooLarge past ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        more = message.get("more_body", False)
        if size > limit:
            raise _TooLarge(size, more)
        if not more:
            return chunk if not chunks else b"".join([*chunks, chunk])
        chunks.append(chunk)


async def _too_large(
    scope: Scope, receive: Receive, send: Send, limit: int, remaining: int | None, received: int = 0
) -> None:
    """Answer 413, then (within bounds) read and discard the rest of the body before ending the response.

    ``remaining``: bytes the client will still send (0: none, None: unknown, e.g. chunked).  The 413 goes out
    whole at once (its Content-Length is set), so a client that reads while it sends has it immediately."""
    resp = error_response(
        413, "body_too_large", f"request body larger than {limit} bytes: split it into smaller requests"
    )
    expects_continue = (_header(scope, b"expect") or b"").lower() == b"100-continue"
    if remaining == 0 or expects_continue or (remaining or 0) > DRAIN_MAX_BYTES:
        await resp(scope, receive, send)  # nothing to drain, or a body we will not wait for
        return
    await send({"type": "http.response.start", "status": 413, "headers": resp.raw_headers})
    await send({"type": "http.response.body", "body": resp.body, "more_body": True})
    deadline = time.monotonic() + DRAIN_SECONDS
    with anyio.move_on_after(DRAIN_SECONDS):
        while received <= DRAIN_MAX_BYTES and time.monotonic() < deadline:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            received += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the already-read body once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
