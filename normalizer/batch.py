"""The batch engine behind ``normalizer normalize``: records in, one output record per input record out, in order.

Each record becomes its result or an error record (``{"_line": 17, "_error": {"code": ..., "message": ...}}``),
never nothing.  Work is cut into chunks of records; with ``workers > 1`` the chunks go to worker processes (each
builds its :class:`~normalizer.Normalizer` once, in the pool initializer) and at most ``2 * workers + 2`` chunks
are in flight, so memory stays flat however large the input.  Readers live in :mod:`normalizer.batch_io`, the
per-record work in :mod:`normalizer.batch_record`.

>>> import io
>>> from normalizer import Normalizer
>>> from normalizer.batch_io import Source
>>> src = Source("x", io.BytesIO(b'{"text": "a"}\\nnot json\\n'), "jsonl", None)
>>> out = io.BytesIO()
>>> s = run_batch([src], out, BatchOptions(), normalizer=Normalizer(bundled=False))
>>> (s.read, s.written, s.errors), out.getvalue().splitlines()[1]
((2, 2, 1), b'{"_line": 2, "_error": {"code": "invalid_json", "message": "Expecting value: column 1"}}')
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .batch_io import InputError, Record, Source, csv_header, read_records
from .batch_record import (
    BatchOptions,
    Chunk,
    ChunkResult,
    RecordError,
    normalize_record,
    output_columns,
    process_chunk,
    replace_mentions,
)
from .pipeline import Normalizer

__all__ = [
    "BatchOptions",
    "InputError",
    "Record",
    "RecordError",
    "Source",
    "Summary",
    "normalize_record",
    "process_chunk",
    "read_records",
    "replace_mentions",
    "run_batch",
]


# ------------------------------------------------------------------------------------------- worker processes
_WORKER: dict[str, Any] = {}


def _watch_parent(parent: int) -> None:
    while True:  # the pool's own pipes do not end a worker whose parent was SIGKILLed
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _init_worker(tables: Sequence[str], bundled: bool, opts: BatchOptions, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    _WORKER["opts"] = opts
    try:
        _WORKER["n"] = Normalizer(list(tables), bundled=bundled)
    except Exception as exc:  # noqa: BLE001 - an initializer that raises makes Pool respawn it forever
        _WORKER["error"] = f"worker could not load the tables: {exc}"


def _work(chunk: Chunk) -> ChunkResult:
    if "error" in _WORKER:
        raise InputError(_WORKER["error"])
    return process_chunk(_WORKER["n"], chunk, _WORKER["opts"])


def _parallel(
    chunks: Iterable[Chunk], opts: BatchOptions, tables: Sequence[str], bundled: bool, workers: int
) -> Iterator[ChunkResult]:
    pool = mp.get_context().Pool(
        workers,
        initializer=_init_worker,
        initargs=(tuple(str(t) for t in tables), bundled, opts, os.getpid()),
    )
    try:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_work, (chunk,)))
            if len(pending) >= 2 * workers + 2:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


# ------------------------------------------------------------------------------------------------- the run
@dataclass
class Summary:
    read: int = 0
    written: int = 0
    errors: int = 0
    mentions: int = 0
    entities: set[str] = field(default_factory=set)
    first_errors: list[str] = field(default_factory=list)
    nbytes: int = 0
    seconds: float = 0.0

    def format(self) -> str:
        rate = f", {self.written / self.seconds:,.0f} records/s" if self.seconds > 0 else ""
        return (
            f"{self.read} records read, {self.written} written, {self.errors} errors, {self.mentions} mentions, "
            f"{len(self.entities)} entities ({self.seconds:.1f} s{rate})"
        )


def _chunks(sources: Sequence[Source], opts: BatchOptions, summary: Summary, size: int) -> Iterator[Chunk]:
    multi, first_cols = len(sources) > 1, None
    for i, src in enumerate(sources):
        records = read_records(
            src.stream, src.fmt, encoding=opts.encoding, field=opts.field, paragraphs=opts.paragraphs,
            delimiter=opts.delimiter, max_line_bytes=opts.max_line_bytes(), label=src.label,
        )
        cols = None
        if opts.to == "csv":
            cols = output_columns(src.fmt, csv_header(records), opts, multi)
            if first_cols is not None and cols != first_cols:
                raise InputError(
                    f"{src.label}: its columns differ from the first input's; CSV output needs one "
                    "header (use --to jsonl)"
                )
            first_cols = cols
        label = src.label if multi else None
        if cols is not None and i == 0:
            yield Chunk(src.fmt, label, cols, [], 0, header=True)
        pos = _tell(src.stream)
        batch: list[Record] = []
        nbytes = 0
        for rec in records:
            batch.append(rec)
            nbytes += len(rec.data) + 1 if isinstance(rec.data, bytes) else 64
            summary.read += 1
            if len(batch) >= size or nbytes >= 1 << 20:
                pos, nbytes = _advance(src.stream, pos, nbytes)
                yield Chunk(src.fmt, label, cols, batch, nbytes)
                batch, nbytes = [], 0
        if batch:
            pos, nbytes = _advance(src.stream, pos, nbytes)
            yield Chunk(src.fmt, label, cols, batch, nbytes)


def _tell(stream: IO[bytes]) -> int | None:
    try:
        return stream.tell() if stream.seekable() else None
    except (OSError, ValueError):
        return None


def _advance(stream: IO[bytes], pos: int | None, estimate: int) -> tuple[int | None, int]:
    """The new stream position and the bytes consumed since ``pos`` (``estimate`` when it cannot tell)."""
    now = _tell(stream) if pos is not None else None
    return (now, now - pos) if now is not None and pos is not None else (None, estimate)


def run_batch(
    sources: Sequence[Source],
    out: IO[bytes],
    opts: BatchOptions,
    *,
    tables: Sequence[str | Path] = (),
    bundled: bool = True,
    workers: int = 1,
    normalizer: Normalizer | None = None,
    chunk_records: int = 256,
    flush: bool = False,
    progress: Callable[[Summary], None] | None = None,
) -> Summary:
    """Normalise every record of ``sources`` (in order) and write the output records to ``out``.

    Raises :class:`~normalizer.batch_io.InputError` if an input cannot be read at all; bad records never raise.
    ``flush`` writes each record as soon as it is done (for pipes); ``progress`` is called after each chunk.
    """
    summary = Summary()
    t0 = time.perf_counter()
    if workers <= 1:
        n = normalizer or Normalizer(list(tables), bundled=bundled)
        chunks = _chunks(sources, opts, summary, 1 if flush else chunk_records)
        results: Iterator[ChunkResult] = (process_chunk(n, c, opts) for c in chunks)
    else:
        results = _parallel(
            _chunks(sources, opts, summary, chunk_records), opts, [str(t) for t in tables], bundled, workers
        )
    try:
        for res in results:
            out.write(res.data)
            if flush:
                out.flush()
            summary.written += res.count
            summary.errors += len(res.errors)
            summary.first_errors += res.errors[: max(0, 10 - len(summary.first_errors))]
            summary.mentions += res.mentions
            summary.entities |= res.ids
            summary.nbytes += res.nbytes
            summary.seconds = time.perf_counter() - t0
            if progress is not None:
                progress(summary)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    summary.seconds = time.perf_counter() - t0
    return summary
