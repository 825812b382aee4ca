"""Server settings (also passed to worker processes through environment variables) and the reloadable
reference to the current :class:`~normalizer.Normalizer`."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread

from normalizer import Normalizer, TableError

log = logging.getLogger("normalizer.api")

ENV_PREFIX = "NORMALIZER_API_"
# Threads doing CPU work at once (matching, entity search, parsing big bodies, reloads): the GIL runs one at a
# time, two keep it busy across releases; more only queue for the GIL and each makes the event loop wait
# longer for it (16 clients searching /entities through 40 threads: /health p50 130 ms, p90 335 ms).
CPU_THREADS = 2
SIGNAL_ENV = ENV_PREFIX + "RELOAD_SIGNAL"


@dataclass(frozen=True)
class Settings:
    tables: tuple[str, ...] = ()
    bundled: bool = True
    allow_reload: bool = False
    max_body_bytes: int = 8_000_000
    max_batch_items: int = 1000
    max_text_chars: int = 200_000
    lean: bool = True  # serve the hot routes with the lean handlers of api/lean.py
    # jobs up to this many characters are matched on the event loop, larger ones in a thread
    inline_chars: int = 2_000

    def to_env(self) -> dict[str, str]:
        """Environment variables that :meth:`from_env` reads back (for ``uvicorn --workers N``)."""
        return {
            ENV_PREFIX + "TABLES": os.pathsep.join(str(Path(t).resolve()) for t in self.tables),
            ENV_PREFIX + "BUNDLED": "1" if self.bundled else "0",
            ENV_PREFIX + "ALLOW_RELOAD": "1" if self.allow_reload else "0",
            ENV_PREFIX + "MAX_BODY_BYTES": str(self.max_body_bytes),
            ENV_PREFIX + "MAX_BATCH_ITEMS": str(self.max_batch_items),
            ENV_PREFIX + "MAX_TEXT_CHARS": str(self.max_text_chars),
            ENV_PREFIX + "LEAN": "1" if self.lean else "0",
            ENV_PREFIX + "INLINE_CHARS": str(self.inline_chars),
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        d = cls()

        def get(name: str, default: object) -> str:
            return env.get(ENV_PREFIX + name, str(default))

        tables = tuple(t for t in get("TABLES", "").split(os.pathsep) if t)
        return cls(
            tables=tables,
            bundled=get("BUNDLED", "1") != "0",
            allow_reload=get("ALLOW_RELOAD", "0") == "1",
            max_body_bytes=int(get("MAX_BODY_BYTES", d.max_body_bytes)),
            max_batch_items=int(get("MAX_BATCH_ITEMS", d.max_batch_items)),
            max_text_chars=int(get("MAX_TEXT_CHARS", d.max_text_chars)),
            lean=get("LEAN", "1") != "0",
            inline_chars=int(get("INLINE_CHARS", d.inline_chars)),
        )


class ReloadSignal:
    """A file shared by the worker processes: a reload in one worker rewrites it and the others follow."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.seen = self._stamp()

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def bump(self, version: str) -> None:
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(f"{version} {time.time_ns()} {os.getpid()}\n", encoding="utf-8")
        os.replace(tmp, self.path)  # a new inode: the stamp always changes
        self.seen = self._stamp()

    def changed(self) -> bool:
        stamp = self._stamp()
        if stamp == self.seen:
            return False
        self.seen = stamp
        return True


class NormalizerHolder:
    """One reference to the current Normalizer.  A reload builds the new one fully, then swaps the reference,
    so a request sees either the old or the new tables, never a mix; invalid tables leave the old in place.

    Every Normalizer it holds is warmed first (:meth:`Normalizer.warm`: the indexes otherwise built on first
    use), the first at construction, i.e. before the server answers anything, and each new one before the
    swap: no request ever waits for an index to be built (on the event loop, it would stall every request)."""

    CHECK_EVERY = 0.25  # seconds between looks at the shared reload signal

    def __init__(
        self, normalizer: Normalizer, loader: Callable[[], Normalizer], signal: ReloadSignal | None = None
    ) -> None:
        self._current = normalizer.warm()
        self._loader = loader
        self._lock = threading.Lock()
        self._signal = signal
        self._next_check = 0.0

    def current(self) -> Normalizer:
        if self._signal is not None:
            now = time.monotonic()
            if now >= self._next_check:
                self._next_check = now + self.CHECK_EVERY
                if self._signal.changed():
                    threading.Thread(
                        target=self._follow, name="normalizer-follow-reload", daemon=True
                    ).start()
        return self._current

    def reload(self) -> tuple[Normalizer, Normalizer]:
        """Re-read the tables and swap; returns ``(old, new)``.  Raises TableError and keeps the old tables."""
        with self._lock:
            new = self._loader().warm()
            old, self._current = self._current, new
            if self._signal is not None:
                self._signal.bump(new.version)
            log.info("tables reloaded: %s -> %s", old.version, new.version)
            return old, new

    def _follow(self) -> None:
        with self._lock:
            try:
                new = self._loader().warm()
            except (TableError, OSError) as exc:
                log.error(
                    "another worker reloaded, but the tables no longer load here; keeping %s: %s",
                    self._current.version,
                    exc,
                )
                return
            old, self._current = self._current, new
            log.info("tables reloaded after another worker: %s -> %s", old.version, new.version)


class _Busy:
    """``with state.busy():`` counts a job in ``in_flight`` (a plain class: cheaper than @contextmanager)."""

    __slots__ = ("state",)

    def __init__(self, state: ApiState) -> None:
        self.state = state

    def __enter__(self) -> None:
        with self.state._lock:
            self.state.in_flight += 1

    def __exit__(self, *exc: object) -> None:
        with self.state._lock:
            self.state.in_flight -= 1


@dataclass
class ApiState:
    settings: Settings
    holder: NormalizerHolder
    unexpected_errors: int = 0
    in_flight: int = 0  # requests being matched right now (inline or in worker threads)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads_loop: object = None  # the event loop whose thread pool is capped

    def limit_threads(self) -> None:
        """Cap the event loop's default thread pool (FastAPI's sync routes, ``anyio.to_thread``) at
        ``CPU_THREADS``; once per event loop (the cap is per loop), called at the start of each request."""
        loop = asyncio.get_running_loop()
        if self._threads_loop is not loop:
            anyio.to_thread.current_default_thread_limiter().total_tokens = CPU_THREADS
            self._threads_loop = loop

    def count_unexpected(self) -> None:
        with self._lock:
            self.unexpected_errors += 1

    def busy(self) -> _Busy:
        return _Busy(self)
