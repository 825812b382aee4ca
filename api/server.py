"""The connection guards that uvicorn lacks, over its HTTP/1.1 protocols (httptools, or h11), so that slow or
idle clients cannot hold the server:

* **header timeout**: a request's headers must be complete within ``header_timeout`` seconds of their first
  byte (uvicorn has none: a client sending one header byte a second held its connection forever); else the
  server answers a JSON 408 and closes;
* **idle timeout from the start**: a connection that never sends a byte is closed after the keep-alive
  timeout like an idle keep-alive one (uvicorn starts that timer only after a first response);
* **write timeout**: when a client stops reading its answer (the buffers full), the connection is aborted
  after ``write_timeout`` seconds without progress (uvicorn keeps it, and the unsent answer in memory,
  for as long as the client likes);
* **connection limit** that starves no one: when more than ``max_connections`` are open, the ones idle the
  longest (no request in progress: keep-alive, or headers still arriving) are closed to make room, so idle
  sockets can never lock out a new client; only when every connection has a request in progress does a new
  request get a JSON 503 ``overloaded`` (``Retry-After: 1``) and its connection closed.

A request that cannot be parsed, or whose headers pass 64 KB (h11: 16 KB while incomplete), gets a JSON 400
``bad_request`` too.
The body has its own time limit (``api.middleware.BODY_TIMEOUT``).  ``normalizer serve`` passes the class as
``functools.partial(GuardedH11Protocol, limits=...)`` for uvicorn's ``http`` setting (picklable, so every worker
process gets the same limits)."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is a dependency
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

from .errors import error_response, json_bytes
from .middleware import Receive, Scope, Send


@dataclass(frozen=True)
class ServerLimits:
    header_timeout: float = 10.0  # seconds from a request's first byte to the end of its headers
    max_connections: int = 512  # open connections; idle ones are closed to make room
    write_timeout: float = 30.0  # seconds a response may wait for a client that does not read it


DEFAULT_LIMITS = ServerLimits()
MAX_HEADER_BYTES = 64 * 1024  # a request line and headers larger than this get a 400
_TIMEOUT_BODY = json_bytes(
    {
        "error": {
            "code": "request_timeout",
            "message": "the request headers did not arrive in time: send the whole request at once",
        }
    }
)
_BAD_REQUEST_BODY = json_bytes(
    {
        "error": {
            "code": "bad_request",
            "message": "not a valid HTTP/1.1 request (a malformed request line or header, or headers too large)",
        }
    }
)
_BAD_REQUEST_RESPONSE = (
    b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(_BAD_REQUEST_BODY), _BAD_REQUEST_BODY)
)
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)


class _Guards:
    """The guards, over uvicorn's h11 or httptools protocol (same attributes: ``cycle``, ``connections``,
    ``transport``, ``app``, the keep-alive timer, ``send_400_response``)."""

    cycle: Any
    connections: set[Any]
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    app: Any
    timeout_keep_alive: float
    timeout_keep_alive_task: asyncio.TimerHandle | None
    timeout_keep_alive_handler: Any

    def __init__(self, *args: Any, limits: ServerLimits = DEFAULT_LIMITS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._app = self.app
        self.app = self._admit
        self._header_timer: asyncio.TimerHandle | None = None
        self._write_timer: asyncio.TimerHandle | None = None
        self._write_left = 0  # bytes waiting to be sent at the last look
        self._header_bytes = 0  # bytes received since the last request began
        self.last_active = time.monotonic()

    # ------------------------------------------------------------------------------------------ connection
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # answers go out as two writes (head, body): without TCP_NODELAY the body waits for the client's
            # delayed ACK of the head, 40 ms a request (asyncio sets it, but not on the sockets that uvicorn's
            # --workers N processes accept on)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # silent from the start: closed like an idle keep-alive connection
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )
        if len(self.connections) > self.limits.max_connections:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        self._cancel_write_timer()
        super().connection_lost(exc)

    def pause_writing(self) -> None:  # the transport's buffer is over its high-water mark
        super().pause_writing()
        if self._write_timer is None:
            self._write_left = self.transport.get_write_buffer_size()
            self._write_timer = self.loop.call_later(self.limits.write_timeout, self._write_stalled)

    def resume_writing(self) -> None:
        self._cancel_write_timer()
        super().resume_writing()

    def data_received(self, data: bytes) -> None:
        self.last_active = time.monotonic()
        waiting = self.between_requests()
        super().data_received(data)
        if not self.between_requests():
            self._cancel_header_timer()  # the headers are complete
            self._header_bytes = 0
        elif not self.transport.is_closing():
            self._header_bytes = self._header_bytes + len(data) if waiting else len(data)
            if self._header_bytes > MAX_HEADER_BYTES:  # (httptools has no limit of its own; h11: 16 KB)
                self.send_400_response("request headers too large")
            elif self._header_timer is None:
                self._header_timer = self.loop.call_later(self.limits.header_timeout, self._headers_too_slow)

    def on_response_complete(self) -> None:
        self.last_active = time.monotonic()
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        """A request h11 cannot parse: JSON like every other error (uvicorn's is text/plain; it logged)."""
        if not self.transport.is_closing():
            self.transport.write(_BAD_REQUEST_RESPONSE)
            self.transport.close()

    def between_requests(self) -> bool:
        """No request in progress: waiting for (the rest of) the next request's headers, or idle."""
        return self.cycle is None or self.cycle.response_complete

    # ------------------------------------------------------------------------------------------ guards
    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _cancel_write_timer(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _write_stalled(self) -> None:
        """Abort if nothing was sent since the last look; else look again later."""
        self._write_timer = None
        left = self.transport.get_write_buffer_size()
        if left and left >= self._write_left:
            self.transport.abort()
        elif left:
            self._write_left = left
            self._write_timer = self.loop.call_later(self.limits.write_timeout, self._write_stalled)

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.between_requests() and not self.transport.is_closing():
            self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()

    def _make_room(self) -> None:
        """Close the connections idle the longest until at most ``max_connections`` stay open."""
        live = [c for c in self.connections if not c.transport.is_closing()]
        excess = len(live) - self.limits.max_connections
        if excess <= 0:
            return
        idle = [
            c
            for c in live
            if c is not self and isinstance(c, _Guards) and c.between_requests()
        ]
        idle.sort(key=lambda c: c.last_active)
        for c in idle[:excess]:
            c._cancel_header_timer()
            c.transport.close()

    def _overloaded(self) -> bool:
        if len(self.connections) <= self.limits.max_connections:
            return False
        live = sum(1 for c in self.connections if not c.transport.is_closing())
        return live > self.limits.max_connections

    async def _admit(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._overloaded():
            await error_response(
                503,
                "overloaded",
                f"the server has {self.limits.max_connections} connections with requests in progress; "
                "retry in a moment",
                headers={"retry-after": "1", "connection": "close"},
            )(scope, receive, send)
            return
        await self._app(scope, receive, send)


class GuardedH11Protocol(_Guards, H11Protocol):
    """uvicorn's pure-Python HTTP/1.1 protocol (h11) with the guards."""


if HttpToolsProtocol is not None:

    class GuardedHttpToolsProtocol(_Guards, HttpToolsProtocol):
        """uvicorn's protocol over httptools (C, llhttp: 0.23 ms of CPU a request against h11's 0.40) with
        the guards; the one ``normalizer serve`` uses when httptools is installed."""

else:  # pragma: no cover - httptools is a dependency
    GuardedHttpToolsProtocol = None  # type: ignore[assignment,misc]


def guarded_protocol(http: str = "auto") -> type:
    """The guarded protocol class: ``httptools`` (``auto``: when installed) or ``h11``."""
    if http == "h11" or (http == "auto" and GuardedHttpToolsProtocol is None):
        return GuardedH11Protocol
    if GuardedHttpToolsProtocol is None:
        raise RuntimeError("httptools is not installed: pip install httptools, or use http='h11'")
    return GuardedHttpToolsProtocol
