"""Input and output for the batch engine (:mod:`normalizer.batch`).

Readers take a *binary* stream and yield :class:`Record` tuples with the 1-based line number where each record
starts.  Bytes are decoded one line (or one CSV row) at a time, so a line of invalid UTF-8 becomes an error
record for that line and the rest of the file is still read.  Nothing is ever read whole into memory.

>>> import io
>>> [r.line for r in read_records(io.BytesIO(b'{"text": "a"}\\n\\n{"text": "b"}\\n'), "jsonl")]
[1, 3]
>>> [r.data for r in read_records(io.BytesIO(b"one\\ntwo\\n\\nthree\\n"), "txt", paragraphs=True)]
[b'one\\ntwo', b'three']
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

FORMATS = ("jsonl", "csv", "tsv", "txt")
EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "txt",
    ".text": "txt",
}
CSV_FIELD_LIMIT = 16 * 1024 * 1024  # characters; a stray quote cannot swallow more than this into one field


class InputError(Exception):
    """The input as a whole cannot be read (missing file, bad header, unknown format): exit status 2."""


class Record(NamedTuple):
    """One input record: ``data`` is the raw line bytes (jsonl, txt) or the decoded CSV row as a dict;
    ``error`` is ``(code, message)`` when the reader already knows the record is bad."""

    line: int
    data: bytes | dict[str, str] | None
    error: tuple[str, str] | None = None


class Source(NamedTuple):
    """An opened input: ``label`` for messages, ``size`` in bytes when known (regular files)."""

    label: str
    stream: IO[bytes]
    fmt: str
    size: int | None


def detect_format(path: str) -> str:
    """The format implied by a file name's extension.

    >>> detect_format("news.CSV"), detect_format("a/b.ndjson")
    ('csv', 'jsonl')
    """
    fmt = EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: cannot tell the format from the extension; give --format jsonl|csv|tsv|txt"
        )
    return fmt


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; only encodings that write ``\\n`` as the byte 0x0A can be read line by line."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    if "\n".encode(info.name) != b"\n" or info.name.startswith("utf-16") or info.name.startswith("utf-32"):
        raise InputError(f"encoding {encoding!r} is not line-oriented (convert the file to UTF-8 first)")
    return info.name


def open_source(path: str, fmt: str | None, stdin: IO[bytes] | None) -> Source:
    """Open one input (``-`` is stdin, JSONL unless ``fmt`` says otherwise; ``stdin`` is ``None`` when the
    process has no standard input, e.g. ``<&-``)."""
    if path == "-":
        if stdin is None:
            raise InputError("stdin is closed: give an input FILE (or '-' with data on stdin)")
        return Source("<stdin>", stdin, fmt or "jsonl", None)
    fmt = fmt or detect_format(path)
    try:
        stream = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed by the caller
        st = os.fstat(stream.fileno())
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    size = st.st_size if os.path.isfile(path) else None
    return Source(path, stream, fmt, size)


def read_records(
    stream: IO[bytes], fmt: str, *, encoding: str = "utf-8", field: str = "text", paragraphs: bool = False
) -> Iterator[Record]:
    """Records of one input stream, in order."""
    if fmt == "jsonl":
        return _jsonl(stream)
    if fmt in ("csv", "tsv"):
        return _CsvRecords(stream, fmt, encoding, field)
    if fmt == "txt":
        return _paragraphs(stream) if paragraphs else _txt(stream)
    raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def csv_header(records: Iterator[Record]) -> list[str] | None:
    """The header row read by a CSV/TSV reader (``None`` for other formats, or before it has started)."""
    return getattr(records, "header", None)


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """Numbered raw lines without their line ending; a UTF-8 byte order mark on line 1 is dropped."""
    for n, raw in enumerate(stream, 1):
        if n == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        if raw.endswith(b"\n"):
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
        yield n, raw


def _jsonl(stream: IO[bytes]) -> Iterator[Record]:
    for n, raw in _lines(stream):
        if raw.strip():
            yield Record(n, raw)


def _txt(stream: IO[bytes]) -> Iterator[Record]:
    for n, raw in _lines(stream):
        yield Record(n, raw)


def _paragraphs(stream: IO[bytes]) -> Iterator[Record]:
    start, buf = 0, []
    for n, raw in _lines(stream):
        if raw.strip():
            if not buf:
                start = n
            buf.append(raw)
        elif buf:
            yield Record(start, b"\n".join(buf))
            buf = []
    if buf:
        yield Record(start, b"\n".join(buf))


class _CsvRecords:
    """Iterator over CSV/TSV rows as dicts; the header row is read (and checked) on construction."""

    def __init__(self, stream: IO[bytes], fmt: str, encoding: str, field: str) -> None:
        self.stream, self.encoding = stream, encoding
        self.bad: dict[int, str] = {}  # line -> decoding problem
        kw: dict[str, Any] = {"delimiter": "\t", "quoting": csv.QUOTE_NONE} if fmt == "tsv" else {}
        csv.field_size_limit(CSV_FIELD_LIMIT)
        self.reader = csv.reader(self._decoded(), **kw)
        self.rows = self._rows()
        self.header: list[str] | None = None
        first = next(self.rows, None)
        if first is not None:
            _, row, error = first
            if error is not None or row is None:
                raise InputError(f"cannot read the header row: {error[1] if error else 'empty'}")
            dupes = sorted({c for c in row if row.count(c) > 1})
            if dupes:
                raise InputError(f"duplicate column(s) in the header: {', '.join(dupes)}")
            if field not in row:
                raise InputError(f"no column {field!r} in the header ({', '.join(row)}); use --field")
            self.header = row

    def _decoded(self) -> Iterator[str]:
        for n, raw in enumerate(self.stream, 1):
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                yield raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                self.bad[n] = f"line {n}: not valid {self.encoding} at byte {exc.start}: {exc.reason}"
                yield raw.decode(self.encoding, "replace")

    def _rows(self) -> Iterator[tuple[int, list[str] | None, tuple[str, str] | None]]:
        prev = 0
        while True:
            try:
                row: list[str] | None = next(self.reader)
                error = None
            except StopIteration:
                return
            except csv.Error as exc:
                row, error = None, ("csv_syntax", str(exc))
            start, prev = prev + 1, self.reader.line_num
            if row == []:  # a blank line
                continue
            if self.bad and error is None:
                found = [self.bad.pop(k) for k in range(start, prev + 1) if k in self.bad]
                if found:
                    error = ("invalid_encoding", "; ".join(found))
            yield start, row, error

    def __iter__(self) -> _CsvRecords:
        return self

    def __next__(self) -> Record:
        start, row, error = next(self.rows)
        header = self.header or []
        if error is not None or row is None:
            return Record(start, None, error)
        if len(row) != len(header):
            return Record(
                start, None, ("field_count", f"row has {len(row)} fields, the header has {len(header)}")
            )
        return Record(start, dict(zip(header, row, strict=True)))


class AtomicOutput:
    """Write to a temporary file beside ``path``; :meth:`commit` renames it into place (``os.replace``),
    :meth:`discard` removes it.  A reader of ``path`` never sees a half-written file."""

    def __init__(self, path: str) -> None:
        target = Path(path)
        if target.is_dir():
            raise InputError(f"--output {path} is a directory")
        self.path = target
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        except OSError as exc:
            raise InputError(f"--output {path}: {exc.strerror or exc}") from None
        self.tmp = tmp
        self.file: IO[bytes] = os.fdopen(fd, "wb", buffering=1 << 20)

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp made it 0600; give it the usual mode
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        try:
            self.file.close()
        except OSError:
            pass
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass
