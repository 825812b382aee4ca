"""The executor side of :mod:`normalizer.spark`: one :class:`~normalizer.Normalizer` per Python worker process,
built once from the tables and compiled-table cache the driver shipped, and the per-batch work.

Nothing here imports pyspark at module level (only :func:`_shipped_dir` asks ``SparkFiles`` where the shipped
files are), so the batch functions are plain Python, testable without Spark:

>>> job = Job(key="doc", tables=(), ship=None)
>>> out = normalize_rows(job, ["x", None, 7], [None, None, None], max_text_chars=None)
>>> out[0][1], out[1]
(None, (None, {'code': 'not_a_string', 'message': 'text is null, not a string'}))
>>> out[2][1]["code"]
'not_a_string'
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .pipeline import Normalizer

Error = dict[str, str]
Row = tuple[list[dict[str, Any]] | None, Error | None]  # (mentions or candidates, error): one is None


@dataclass(frozen=True)
class Job:
    """What a worker needs to build its Normalizer: small, pickled into every task.

    ``tables``: the staged table paths (the same absolute paths the driver built its cache from, so the cache key
    matches); ``ship``: the name under which ``SparkContext.addFile`` shipped ``tables/`` and ``cache/`` (None: no
    shipping, the worker builds from ``tables`` as they are)."""

    key: str
    tables: tuple[str, ...]
    ship: str | None
    root: str | None = None  # the staging directory holding ``tables`` (recreated on a node that lacks it)
    cached: bool = True  # ``cache/`` holds the compiled tables (False: build from the tables, no cache)
    bundled: bool = False  # the bundled tables and the knowledge base's places too (they come with the package)


# ------------------------------------------------------------------------------------ one Normalizer per process
_LOCK = threading.Lock()
_NORMALIZERS: dict[Job, Normalizer] = {}  # most recently used last
KEEP = int(os.environ.get("NORMALIZER_SPARK_KEEP", "2"))  # Normalizers kept per process (a 1M-alias one: ~0.4 GB)
_STATS: dict[str, dict[str, Any]] = {}  # per Job.key: builds, batches, rows, build seconds, cache hit


def normalizer_for(job: Job) -> Normalizer:
    """This process's Normalizer for ``job``: built on the first batch, reused by every later batch and task."""
    n = _NORMALIZERS.get(job)
    if n is not None and next(reversed(_NORMALIZERS)) == job:
        return n
    with _LOCK:
        n = _NORMALIZERS.pop(job, None)
        if n is not None:
            _NORMALIZERS[job] = n  # now the most recently used
        else:
            while len(_NORMALIZERS) >= max(1, KEEP):  # another configuration's Normalizer makes room
                _NORMALIZERS.pop(next(iter(_NORMALIZERS)))
            t0 = time.perf_counter()
            n, hit = _build(job)
            _NORMALIZERS[job] = n
            st = _stats(job)
            st["builds"] += 1
            st["build_seconds"] = round(time.perf_counter() - t0, 3)
            st["cache_hit"] = hit
    return n


def worker_stats() -> dict[str, dict[str, Any]]:
    """Per job key: this process's pid, Normalizer builds, batches, rows, build seconds and whether the build
    came from the shipped cache (for tests and benchmarks)."""
    return {k: dict(v) for k, v in _STATS.items()}


def _stats(job: Job) -> dict[str, Any]:
    return _STATS.setdefault(job.key, {"pid": os.getpid(), "builds": 0, "batches": 0, "rows": 0,
                                       "build_seconds": None, "cache_hit": None})


def _build(job: Job) -> tuple[Normalizer, bool | list[str] | None]:
    """The Normalizer and whether it was loaded whole from the shipped cache: True, or the cache files this
    worker had to write (None: nothing was shipped)."""
    if job.ship is None:
        return Normalizer(list(job.tables), bundled=job.bundled), None
    shipped = _shipped_dir(job.ship)
    tables = _local_tables(job, shipped / "tables")
    if not job.cached:
        return Normalizer(tables, bundled=job.bundled, cache=False), False
    cache = shipped / "cache"
    before = _listing(cache)
    n = warm(Normalizer(tables, bundled=job.bundled, cache=cache))
    written = [name for name, _ in sorted(set(_listing(cache)) - set(before))]
    if written:  # e.g. another normalizer version or Python on the executors than on the driver: slow, not wrong
        warnings.warn(f"normalizer.spark: the shipped compiled tables do not fit this worker (same normalizer and "
                      f"Python as the driver?); built {', '.join(written)} here", stacklevel=2)
    return n, True if not written else written  # True: every index came from the shipped files


def warm(n: Normalizer) -> Normalizer:
    """Load (or build and cache) the indexes that normalize() and resolve() build on first use (not the entity
    search: a Spark job never searches)."""
    return n.warm(search=False)


def _shipped_dir(name: str) -> Path:
    from pyspark import SparkFiles

    return Path(SparkFiles.get(name))


def _local_tables(job: Job, shipped: Path) -> list[str]:
    """The staged table paths, recreated from the shipped copy when this machine lacks them (a cluster node):
    the same paths give the same cache key.  When they cannot be created, the shipped copy itself is used (the
    cache then misses and the worker builds from the tables, with a warning)."""
    root = Path(job.root) if job.root else None
    if root is None or root.is_dir():
        return list(job.tables)
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}."))
        shutil.copytree(shipped, tmp, dirs_exist_ok=True)
        try:
            os.rename(tmp, root)  # atomic: two workers of one node both end with a whole copy
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not root.is_dir():
                raise
        return list(job.tables)
    except OSError as exc:
        warnings.warn(f"normalizer.spark: cannot recreate {root} ({exc}); building from the shipped tables",
                      stacklevel=2)
        return [str(shipped / Path(t).relative_to(root)) for t in job.tables]


def _listing(d: Path) -> list[tuple[str, int]]:
    try:
        return sorted((p.name, p.stat().st_size) for p in d.iterdir())
    except OSError:
        return []


# ------------------------------------------------------------------------------------------------ per batch
def _bad_value(value: object, what: str) -> Error | None:
    if isinstance(value, str):
        return None
    kind = "null" if value is None or value != value else f"a {type(value).__name__}"  # NaN: pandas' null
    return {"code": "not_a_string", "message": f"{what} is {kind}, not a string"}


def _lang(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _mention_row(m) -> dict[str, Any]:  # noqa: ANN001
    d = m.to_dict(explain=False)
    d.setdefault("inflected", False)
    d.setdefault("ambiguous", False)
    d.setdefault("candidates", [])
    return d


def normalize_rows(job: Job, texts: Sequence[object], langs: Sequence[object], *, max_text_chars: int | None,
                   column_error: str | None = None) -> list[Row]:
    """One (mentions, error) pair per text, in order; a bad text costs its own row, never the batch.
    ``column_error``: the whole column is not text (every row gets it as a ``not_a_string`` error)."""
    n = normalizer_for(job)
    out: list[Row | None] = []
    todo: list[tuple[int, str, str | None]] = []  # (row, text, lang) of the valid texts: one normalize_many call
    for text, lang in zip(texts, langs, strict=True):
        if column_error is not None:
            out.append((None, {"code": "not_a_string", "message": column_error}))
            continue
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                out.append((None, {"code": "invalid_encoding",
                                   "message": f"not valid UTF-8 at byte {exc.start}: {exc.reason}"}))
                continue
        err = _bad_value(text, "text")
        if err is None and max_text_chars is not None and len(text) > max_text_chars:  # type: ignore[arg-type]
            err = {"code": "text_too_long",
                   "message": f"text has {len(text)} characters, over max_text_chars={max_text_chars}"}  # type: ignore[arg-type]
        if err is not None:
            out.append((None, err))
            continue
        todo.append((len(out), text, _lang(lang)))  # type: ignore[arg-type]
        out.append(None)
    try:
        results = n.normalize_many([t for _, t, _ in todo], lang=[lg for _, _, lg in todo])
        for (row, _, _), result in zip(todo, results, strict=True):
            out[row] = ([_mention_row(m) for m in result.mentions], None)
    except Exception:  # noqa: BLE001 - one text at a time, so a bad one costs its own row only
        for row, text, lang in todo:
            out[row] = _one(n, text, lang)
    _count(job, len(out))
    return out  # type: ignore[return-value]


def _one(n: Normalizer, text: str, lang: str | None) -> Row:
    try:
        return [_mention_row(m) for m in n.normalize(text, lang).mentions], None
    except (TypeError, ValueError) as exc:
        return None, {"code": "normalize_failed", "message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a bug costs one row, not the task
        return None, {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}


def resolve_rows(job: Job, names: Sequence[object], langs: Sequence[object], *, limit: int,
                 column_error: str | None = None) -> list[Row]:
    """One (candidates, error) pair per name, in order."""
    n = normalizer_for(job)
    out: list[Row] = []
    for name, lang in zip(names, langs, strict=True):
        err = _bad_value(name, "name") if column_error is None else {"code": "not_a_string", "message": column_error}
        if err is not None:
            out.append((None, err))
            continue
        try:
            cands = n.resolve(name, limit=limit, lang=_lang(lang))  # type: ignore[arg-type]
            out.append(([c.to_dict(features=False) for c in cands], None))
        except (TypeError, ValueError) as exc:
            out.append((None, {"code": "resolve_failed", "message": str(exc)}))
        except Exception as exc:  # noqa: BLE001
            out.append((None, {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}))
    _count(job, len(out))
    return out


def _count(job: Job, rows: int) -> None:
    st = _stats(job)
    st["batches"] += 1
    st["rows"] += rows
