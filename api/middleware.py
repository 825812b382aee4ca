"""The outer guard of every request (pure ASGI, so it is cheap): pins the Normalizer the request will use,
adds ``X-Table-Version`` to every response, enforces the body limit on the bytes actually received (a chunked
body cannot bypass it), requires JSON in UTF-8, and turns any unexpected exception into a logged JSON 500."""

from __future__ import annotations

import logging
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


def _header(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", ()):
        if k.lower() == name:
            return v
    return None


def _is_json(content_type: bytes | None) -> bool:
    if not content_type:
        return False
    parts = content_type.decode("latin-1").lower().split(";")
    media = parts[0].strip()
    charset = next(
        (p.split("=", 1)[1].strip().strip('"') for p in parts[1:] if p.strip().startswith("charset=")),
        "utf-8",
    )
    return (
        media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
    ) and charset in ("utf-8", "utf8")


class GuardMiddleware:
    def __init__(self, app: ASGIApp, state: ApiState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        norm = self.state.holder.current()
        scope[NORMALIZER_KEY] = norm
        version = norm.version.encode("ascii")
        started = False

        async def send_with_version(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                if not any(k.lower() == VERSION_HEADER for k, _ in headers):  # /admin/reload sets the new one
                    headers.append((VERSION_HEADER, version))
                    message = {**message, "headers": headers}
            await send(message)

        try:
            if scope["method"] in ("POST", "PUT", "PATCH"):
                body = await self._read_body(scope, receive, send_with_version)
                if body is None:
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_with_version)
        except Exception:
            self.state.count_unexpected()
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # the response is half sent: let the server close the connection
            await error_response(500, "internal_error", "unexpected server error (logged); please report it")(
                scope, receive, send_with_version
            )

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None after answering an error (or if the client went away)."""
        limit = self.state.settings.max_body_bytes
        too_large = error_response(
            413, "body_too_large", f"request body larger than {limit} bytes: split it into smaller requests"
        )
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await too_large(scope, receive, send)
            return None
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(BODY_TIMEOUT):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        await too_large(scope, receive, send)
                        return None
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await error_response(
                408, "request_timeout", f"the body did not arrive within {BODY_TIMEOUT:.0f} s"
            )(scope, receive, send)
            return None
        body = b"".join(chunks)
        if not body:
            return body
        if not _is_json(_header(scope, b"content-type")):
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


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
