"""Lean handlers for the hot routes (``POST /normalize``, ``/normalize/batch``, ``/resolve``).

A request on a hot route skips FastAPI's routing, dependency and response machinery (about half of the
server's CPU per 1 KB text): the body is read once by the same guard code, parsed with ``json.loads`` and
validated by the same pydantic models, and the answer is built by the same functions as the FastAPI routes
in ``api/routes.py``; answers are written by orjson where it gives the same bytes as ``json.dumps``.
Anything the lean path does not accept as it is (bad JSON, a validation error, an unusual query string, a
text over the limit, too many items) is handed to those FastAPI routes with the body already read, so every
error keeps its exact status, code and message (tests/test_api_lean.py compares both paths byte for byte);
the routes also stay declared for the OpenAPI docs.

Only jobs known to be small are matched inline on the event loop (a thread-pool hop costs 0.1-0.2 ms of CPU,
as much as matching a short text): at most ``Settings.inline_chars`` characters AND at most ``INLINE_NAMES``
words that may start a name.  Length alone is no bound: the variant and fuzzy passes cost up to ~30 µs per
capitalised (or caseless-script) word they cannot match exactly (2,000 characters of near misses of known
names: 7-9 ms; before the name-layer rewrite, 0.6-1.2 ms per word: 0.2-0.6 s), against ~0.5 µs per character
of ordinary text.  Every other job runs in the thread pool, which is the server's one pool for CPU work
(``api.state.CPU_THREADS``), so a large or name-dense text never blocks the loop: ``/health`` and small
requests still answer."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import anyio.to_thread
from pydantic import ValidationError

from normalizer import Normalizer

from .errors import json_bytes
from .middleware import (
    NORMALIZER_KEY,
    VERSION_HEADER,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    VersionedSend,
    internal_error,
    read_body,
    replay,
)
from .routes import batch_results, mentions_json
from .schemas import BatchRequest, NormalizeRequest, ResolveRequest
from .state import ApiState

try:  # 7x faster than json.dumps on a typical answer (~50 µs a request); the stdlib is the fallback
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None  # type: ignore[assignment]

LEAN_PATHS = frozenset({"/normalize", "/normalize/batch", "/resolve"})
# bodies up to this size are parsed on the event loop (~0.3 ms), larger ones in a thread
PARSE_INLINE_BYTES = 64 * 1024
RESOLVE_COST = 32  # resolve() costs ~30x more per character than normalize() (a 1000-char name: 35-90 ms)
# Inline only up to this many words that may start a name: ~30 µs each at worst (capitalised near misses go
# through the fuzzy pass), so an inline job blocks the loop ~2 ms at most; a 1 KB news paragraph (30-45 such
# words, ~0.5 ms) qualifies, a page of names goes to a thread.
INLINE_NAMES = 64
OFFSETS = {b"": "codepoint", b"offsets=codepoint": "codepoint", b"offsets=utf16": "utf16"}
JSON_TYPE = (b"content-type", b"application/json")
# A word start that may begin a name: a letter that is not lower case (capitals, and letters of caseless
# scripts such as Arabic).  The lower-case letters of the scripts the tables cover are excluded; any other
# lower-case letter counts too (an overestimate, which only sends a job to a thread).
_NAME_START = re.compile(r"\b[^\W\d_a-zß-öø-ÿğışα-ωά-ώа-яѐ-џ]")

# (work giving the JSON answer, estimated cost in characters, the texts whose name-like words bound the rest)
Job = tuple[Callable[[], bytes], int, Sequence[str]]


def name_words(texts: Iterable[str]) -> int:
    """Words that may start a name in ``texts`` (an upper bound on what makes matching expensive)."""
    return sum(len(_NAME_START.findall(t)) for t in texts)


def runs_inline(cost: int, texts: Sequence[str], inline_chars: int) -> bool:
    """True if a job is known to be small enough to run on the event loop."""
    return cost <= inline_chars and (not texts or name_words(texts) <= INLINE_NAMES)


def plain_float(x: float) -> bool:
    """True if orjson writes ``x`` exactly as ``json.dumps`` does (they differ on exponents and NaN)."""
    return x == 0 or 1e-4 <= abs(x) < 1e16


def dump(obj: Any, floats: Iterable[float] | None) -> bytes:
    """The same bytes as :func:`api.errors.json_bytes`, through orjson when every float in ``obj`` is among
    ``floats`` and plain; ``floats=None`` (unknown floats, e.g. explain features) always uses the stdlib."""
    if orjson is not None and floats is not None and all(map(plain_float, floats)):
        try:
            return orjson.dumps(obj)
        except TypeError:  # a lone surrogate, an integer over 64 bits, ...
            pass
    return json_bytes(obj)


def mention_floats(mentions: list[dict[str, Any]]) -> list[float] | None:
    """Every float in mention dicts (scores, candidates' scores); None if they carry explain features."""
    out: list[float] = []
    for m in mentions:
        if "explain" in m:
            return None
        out.append(m["score"])
        for c in m.get("candidates", ()):
            out.append(c["score"])
    return out


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None  # the FastAPI route words the error


class LeanRoutes:
    """The ASGI handler of the hot routes; ``fallback`` is the full FastAPI app."""

    def __init__(self, state: ApiState, fallback: ASGIApp) -> None:
        self.state = state
        self.fallback = fallback
        self.handed_on = 0  # requests passed to the FastAPI routes (errors, unusual queries)
        self.prepare = {
            "/normalize": self._normalize,
            "/normalize/batch": self._batch,
            "/resolve": self._resolve,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self.state
        state.limit_threads()
        norm = scope[NORMALIZER_KEY] = state.holder.current()
        vsend = VersionedSend(send, norm.version.encode("ascii"))
        try:
            body = await read_body(scope, receive, vsend, state.settings.max_body_bytes)
            if body is None:
                return
            prepare = self.prepare[scope["path"]]
            if len(body) <= PARSE_INLINE_BYTES:
                job = prepare(scope, body, norm)
            else:  # parsing and validating a big body takes milliseconds too
                job = await anyio.to_thread.run_sync(prepare, scope, body, norm)
            if job is not None:
                work, cost, texts = job
                if runs_inline(cost, texts, state.settings.inline_chars):
                    out = work()
                else:
                    out = await anyio.to_thread.run_sync(work)
                headers = [(b"content-length", b"%d" % len(out)), JSON_TYPE, (VERSION_HEADER, vsend.version)]
                vsend.started = True
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": out})
                return
        except Exception:
            await internal_error(state, scope, receive, vsend)
            return
        self.handed_on += 1
        if len(body) <= PARSE_INLINE_BYTES:
            await self.fallback(scope, replay(body, receive), vsend)  # it answers (and guards) on its own
        else:  # FastAPI would parse the big body again, on the loop (an 8 MB body: ~0.1 s)
            await self._fallback_in_thread(scope, body, vsend)

    async def _fallback_in_thread(self, scope: Scope, body: bytes, send: VersionedSend) -> None:
        """Let the FastAPI routes answer a big body that the lean path did not take (an error, usually) on
        an event loop of their own in a worker thread, then send their answer (small) from this loop."""
        messages: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def collect(message: Message) -> None:
            messages.append(message)

        def answer() -> None:
            asyncio.run(self.fallback(dict(scope), receive, collect))

        await anyio.to_thread.run_sync(answer)
        for message in messages:
            await send(message)

    def _normalize(self, scope: Scope, body: bytes, norm: Normalizer) -> Job | None:
        offsets = OFFSETS.get(scope.get("query_string", b""))
        data = _json(body) if offsets else None
        try:
            req = NormalizeRequest.model_validate(data)
        except ValidationError:
            return None
        if len(req.text) > self.state.settings.max_text_chars:
            return None

        def work() -> bytes:
            with self.state.busy():
                result = norm.normalize(req.text, req.lang, explain=req.explain)
            mentions = mentions_json(result, offsets, req.explain)
            return dump({"mentions": mentions}, mention_floats(mentions))

        return work, len(req.text), (req.text,)

    def _batch(self, scope: Scope, body: bytes, norm: Normalizer) -> Job | None:
        offsets = OFFSETS.get(scope.get("query_string", b""))
        data = _json(body) if offsets else None
        try:
            items = BatchRequest.model_validate(data).items
        except ValidationError:
            return None
        if len(items) > self.state.settings.max_batch_items:
            return None
        texts = [t for it in items if isinstance(it, dict) and isinstance(t := it.get("text"), str)]
        cost = sum(map(len, texts))

        def work() -> bytes:
            results = batch_results(norm, self.state, items, offsets)
            floats: list[float] | None = []
            for r in results:
                got = mention_floats(r["mentions"]) if "mentions" in r else []
                if got is None:
                    floats = None
                    break
                floats += got
            return dump({"results": results}, floats)

        return work, cost, texts

    def _resolve(self, scope: Scope, body: bytes, norm: Normalizer) -> Job | None:
        try:
            req = ResolveRequest.model_validate(_json(body))  # /resolve has no query parameters
        except ValidationError:
            return None

        def work() -> bytes:
            with self.state.busy():
                cands = norm.resolve(req.name, limit=req.limit, lang=req.lang)
            out = [c.to_dict(features=False) for c in cands]
            return dump({"candidates": out}, [c["score"] for c in out])

        return work, len(req.name) * RESOLVE_COST, ()
