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

import bz2
import codecs
import csv
import gzip
import io
import lzma
import os
import re
import tempfile
import zlib
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
CSV_FIELD_LIMIT = 16 * 1024 * 1024  # bytes of a CSV record when no limit is given (a stray quote cannot swallow more)
# compressed input, recognised by its first bytes (whatever the file is called, stdin too) and read as a stream
COMPRESSED = {b"\x1f\x8b": ("gzip", gzip.GzipFile), b"BZh": ("bzip2", bz2.BZ2File),
              b"\xfd7zXZ\x00": ("xz", lzma.LZMAFile)}
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")
UNSUPPORTED = {b"PK\x03\x04": "a zip archive", b"\x28\xb5\x2f\xfd": "zstd-compressed"}
TABLE_SUFFIXES = (".yaml", ".yml")
# a line (paragraph, CSV row) of more than this many bytes per --max-record-chars is skipped unread: its text
# cannot be within the limit unless the rest of the record is huge (UTF-8 is at most 4 bytes a character,
# a JSON escape 6)
LINE_BYTES_PER_CHAR = 8
SKELETON_FACTOR = 4  # an over-long CSV record is skipped by its quoting, kept up to 4 x the limit (_skeleton)


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
    """The format implied by a file name's extension (under a compression suffix: ``news.jsonl.gz``).

    >>> detect_format("news.CSV"), detect_format("a/b.ndjson"), detect_format("day.txt.gz")
    ('csv', 'jsonl', 'txt')
    """
    name = Path(path)
    if name.suffix.lower() in COMPRESSED_SUFFIXES:
        name = name.with_suffix("")
    fmt = EXTENSIONS.get(name.suffix.lower())
    if fmt is None:
        hint = ""
        if name.suffix.lower() in TABLE_SUFFIXES:
            hint = " (an alias table? give it with --tables PATH, once per table)"
        raise InputError(
            f"{path}: cannot tell the format from the extension; give --format jsonl|csv|tsv|txt{hint}"
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
    stream: IO[bytes], fmt: str, *, encoding: str = "utf-8", field: str = "text", paragraphs: bool = False,
    delimiter: str | None = None, max_line_bytes: int | None = None, label: str = "<input>",
) -> Iterator[Record]:
    """Records of one input stream, in order.  A gzip, bzip2 or xz stream is decompressed on the fly.

    ``max_line_bytes``: a line (paragraph, CSV row) longer than this is never held in memory: it is skipped
    in pieces and becomes a ``record_too_long`` error record.  ``delimiter``: the CSV field separator.
    """
    stream = decompressed(stream, label)
    if fmt == "jsonl":
        return _jsonl(stream, max_line_bytes)
    if fmt in ("csv", "tsv"):
        return _CsvRecords(stream, fmt, encoding, field, delimiter, max_line_bytes, label)
    if fmt == "txt":
        return _paragraphs(stream, max_line_bytes) if paragraphs else _txt(stream, max_line_bytes)
    raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def decompressed(stream: IO[bytes], label: str = "<input>") -> IO[bytes]:
    """``stream`` itself, or a decompressing reader over it when it starts like gzip, bzip2 or xz data.

    >>> import gzip
    >>> decompressed(io.BytesIO(gzip.compress(b"one\\ntwo\\n"))).read()
    b'one\\ntwo\\n'
    """
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]  (e.g. BytesIO: peek needs a buffer)
    head = stream.peek(8)[:8]  # type: ignore[attr-defined]
    for magic, what in UNSUPPORTED.items():
        if head.startswith(magic):
            raise InputError(f"{label}: this is {what}; unpack it first (gzip, bzip2 and xz are read as they are)")
    for magic, (what, opener) in COMPRESSED.items():
        if head.startswith(magic):
            return io.BufferedReader(_Unpacking(opener(fileobj=stream) if opener is gzip.GzipFile else opener(stream),
                                                what, label), 1 << 20)
    return stream


class _Unpacking(io.RawIOBase):
    """A decompressor as a raw stream whose damaged or truncated data is an :class:`InputError` naming the file."""

    def __init__(self, inner: IO[bytes], what: str, label: str) -> None:
        self.inner, self.what, self.label = inner, what, label

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # noqa: ANN001
        try:
            return self.inner.readinto(buf)  # type: ignore[attr-defined]
        except (EOFError, OSError, lzma.LZMAError, zlib.error) as exc:
            raise InputError(f"{self.label}: the {self.what} data is damaged or cut short ({exc})") from None


def csv_header(records: Iterator[Record]) -> list[str] | None:
    """The header row read by a CSV/TSV reader (``None`` for other formats, or before it has started)."""
    return getattr(records, "header", None)


def _long_line(stream: IO[bytes], start: bytes) -> int:
    """Skip the rest of a line that began with ``start`` (already over the limit); its length in bytes."""
    size = len(start)
    while not start.endswith(b"\n"):
        start = stream.readline(1 << 20)
        if not start:
            break
        size += len(start)
    return size


def _too_long(size: int, limit: int) -> tuple[str, str]:
    return ("record_too_long", f"the line has {size:,} bytes, over the limit of {limit:,} "
            f"({LINE_BYTES_PER_CHAR} x --max-record-chars); it was skipped unread")


def _lines(stream: IO[bytes], limit: int | None = None) -> Iterator[tuple[int, bytes | None, int]]:
    """Numbered raw lines without their line ending (``None`` and the byte count for a line over ``limit``);
    a UTF-8 byte order mark on line 1 is dropped."""
    n = 0
    while True:
        raw = stream.readline(-1 if limit is None else limit + 1)
        if not raw:
            return
        n += 1
        if limit is not None and len(raw) > limit and not raw.endswith(b"\n"):
            yield n, None, _long_line(stream, raw)
            continue
        if n == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        if raw.endswith(b"\n"):
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
        yield n, raw, len(raw)


def _jsonl(stream: IO[bytes], limit: int | None = None) -> Iterator[Record]:
    for n, raw, size in _lines(stream, limit):
        if raw is None:
            yield Record(n, None, _too_long(size, limit or 0))
        elif raw.strip():
            yield Record(n, raw)


def _txt(stream: IO[bytes], limit: int | None = None) -> Iterator[Record]:
    for n, raw, size in _lines(stream, limit):
        yield Record(n, raw) if raw is not None else Record(n, None, _too_long(size, limit or 0))


def _paragraphs(stream: IO[bytes], limit: int | None = None) -> Iterator[Record]:
    start, buf, size = 0, None, 0  # buf: the lines of the paragraph being read (None between paragraphs)
    for n, raw, length in _lines(stream, limit):
        if raw is not None and not raw.strip():
            if buf is not None:
                yield _paragraph(start, buf, size, limit)
                buf, size = None, 0
            continue
        if buf is None:
            start, buf = n, []
        size += length + 1
        if raw is None or (limit is not None and size - 1 > limit):
            buf.clear()  # over the limit: keep counting, stop keeping
        else:
            buf.append(raw)
    if buf is not None:
        yield _paragraph(start, buf, size, limit)


def _paragraph(start: int, lines: list[bytes], size: int, limit: int | None) -> Record:
    if limit is not None and size - 1 > limit:
        return Record(start, None, _too_long(size - 1, limit))
    return Record(start, b"\n".join(lines))


class _CsvRecords:
    """Iterator over CSV/TSV rows as dicts; the header row is read (and checked) on construction."""

    def __init__(self, stream: IO[bytes], fmt: str, encoding: str, field: str, delimiter: str | None = None,
                 limit: int | None = None, label: str = "<input>") -> None:
        self.stream, self.encoding, self.limit, self.label = stream, encoding, limit or CSV_FIELD_LIMIT, label
        self.bad: dict[int, tuple[str, str]] = {}  # line -> (code, problem): bad encoding, too long
        self.fed = self.skipped = 0  # bytes read of the current record; characters of its skeleton
        if fmt == "tsv":
            kw: dict[str, Any] = {"delimiter": "\t", "quoting": csv.QUOTE_NONE}
        else:
            kw = {"delimiter": delimiter or ","}
        self._plain = re.compile(f'[^"{re.escape(kw["delimiter"])}\r\n]+')
        # never reached: the text of a record is cut at limit, then its skeleton at SKELETON_FACTOR x limit
        csv.field_size_limit((SKELETON_FACTOR + 1) * self.limit + 2)
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
                raise InputError(f"no column {field!r} in the header ({', '.join(row)}); use --field"
                                 + _delimiter_hint(row, kw["delimiter"]))
            self.header = row

    def _decoded(self) -> Iterator[str]:
        n, limit = 0, self.limit
        while True:
            raw = self.stream.readline(limit + 1)
            if not raw:
                return
            n += 1
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            self.fed += len(raw)
            if self.fed > limit:  # the record is over the limit: its lines are skipped, see _skeleton
                self.bad[n] = ("record_too_long", f"the record has more than {limit:,} bytes "
                               f"({LINE_BYTES_PER_CHAR} x --max-record-chars); it was skipped unread")
                yield self._skeleton(raw, n)
                continue
            try:
                yield raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                self.bad[n] = ("invalid_encoding",
                               f"line {n}: not valid {self.encoding} at byte {exc.start}: {exc.reason}")
                yield raw.decode(self.encoding, "replace")

    def _skeleton(self, raw: bytes, n: int) -> str:
        """Line ``n`` of an over-long record (read to its end in pieces) with each run of ordinary characters
        cut to one ``x``: quotes, delimiters and line ends stay, so the CSV reader still finds where the record
        ends and the next one starts, and the text is never held in memory."""
        parts = [self._plain.sub("x", raw.decode(self.encoding, "replace"))]
        self.skipped += len(parts[0])
        while True:
            if self.skipped > SKELETON_FACTOR * self.limit:  # e.g. millions of delimiters or short lines
                raise InputError(f"{self.label}:{n}: a CSV record over the limit of {self.limit:,} bytes whose quoting "
                                 "cannot be skipped safely; raise --max-record-chars or fix the file")
            if raw.endswith(b"\n") or not (raw := self.stream.readline(1 << 20)):
                return "".join(parts)
            parts.append(self._plain.sub("x", raw.decode(self.encoding, "replace")))
            self.skipped += len(parts[-1])

    def _rows(self) -> Iterator[tuple[int, list[str] | None, tuple[str, str] | None]]:
        prev = 0
        while True:
            self.fed = self.skipped = 0  # bytes of the record being read (the reader never reads ahead of one)
            try:
                row: list[str] | None = next(self.reader)
                error = None
            except StopIteration:
                return
            except csv.Error as exc:
                row, error = None, ("csv_syntax", str(exc))
            start, prev = prev + 1, self.reader.line_num
            found = [self.bad.pop(k) for k in range(start, prev + 1) if k in self.bad] if self.bad else []
            if row == [] and not found:  # a blank line
                continue
            if found:
                too_long = [m for c, m in found if c == "record_too_long"]
                error = ("record_too_long", too_long[0]) if too_long else (
                    error or ("invalid_encoding", "; ".join(m for _, m in found)))
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


def _delimiter_hint(header: list[str], delimiter: str) -> str:
    """A hint when a header of one column looks separated by another character (a ``;`` spreadsheet)."""
    if len(header) != 1:
        return ""
    for other in (";", "\t", "|", ","):
        if other != delimiter and other in header[0]:
            shown = "'\\t'" if other == "\t" else repr(other)
            return f" (is it separated by {shown}? give --delimiter {shown})"
    return ""


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
