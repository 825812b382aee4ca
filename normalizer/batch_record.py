"""Per-record work of the batch engine: one input :class:`~normalizer.batch_io.Record` becomes one output
record (input record + ``mentions``) or one error record, serialised as JSONL or CSV.

>>> from normalizer import Normalizer
>>> from normalizer.batch_io import Record
>>> n = Normalizer(bundled=False)
>>> normalize_record(n, "jsonl", Record(3, b'{"id": 7, "text": 1}'))
{'_line': 3, 'id': 7, '_error': {'code': 'not_a_string', 'message': "field 'text' is a number, not a string"}}
>>> normalize_record(n, "jsonl", Record(4, b'{"id": 8, "text": "x"'))["_error"]["code"]
'invalid_json'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from .batch_io import LINE_BYTES_PER_CHAR, Record
from .pipeline import Normalizer
from .types import Mention, Result

ADDED_CSV_COLUMNS = ("_line", "entity_ids", "canonical_names", "normalized", "_error")
JSON_TYPES = {
    dict: "an object",
    list: "an array",
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
}


@dataclass(frozen=True)
class BatchOptions:
    """What to read and what to write (the same for every record)."""

    field: str = "text"  # the JSON key / CSV column holding the text
    id_field: str | None = "id"  # copied into error records (and CSV output of JSONL) to identify the record
    # add "normalized": the text with each resolved mention replaced by its canonical name
    replace: bool = False
    to: str = "jsonl"  # output format: jsonl | csv
    paragraphs: bool = False  # txt input: one record per blank-line separated paragraph
    encoding: str = "utf-8"
    lang: str | None = None
    delimiter: str | None = None  # CSV field separator, input and --to csv output (default ",")
    # a record whose text is longer is an error record (record_too_long), so time and memory per record stay
    # bounded; 0 = only the library's own limit
    max_record_chars: int = 1_000_000

    def max_line_bytes(self) -> int | None:
        """Input lines longer than this are skipped unread (see batch_io.LINE_BYTES_PER_CHAR)."""
        return LINE_BYTES_PER_CHAR * self.max_record_chars if self.max_record_chars > 0 else None


class RecordError(Exception):
    """A record that cannot be normalised; becomes an error record, never stops the run."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Chunk(NamedTuple):
    fmt: str
    source: str | None  # file label when several inputs are given (added as "_file")
    columns: tuple[str, ...] | None  # CSV output columns
    records: list[Record]
    nbytes: int
    header: bool = False  # write the CSV header row first


class ChunkResult(NamedTuple):
    data: bytes  # the serialized output records
    count: int
    errors: list[str]  # "file:line: code: message" for each error record
    mentions: int
    ids: set[str]
    nbytes: int


def replace_mentions(text: str, mentions: Sequence[Mention]) -> str:
    """``text`` with every resolved mention replaced by its canonical name (ambiguous ones left as written).
    Spans are taken from the original text, so earlier replacements never shift later offsets."""
    parts, pos = [], 0
    for m in sorted(mentions, key=lambda m: m.start):
        if m.id is None or m.canonical is None or m.start < pos:
            continue
        parts += [text[pos : m.start], m.canonical]
        pos = m.end
    parts.append(text[pos:])
    return "".join(parts)


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        hint = " (not UTF-8? give --encoding, e.g. cp1254)" if encoding.replace("_", "-") == "utf-8" else ""
        raise RecordError(
            "invalid_encoding", f"not valid {encoding} at byte {exc.start}: {exc.reason}{hint}"
        ) from None


def _text_of(obj: Any, key: str) -> str:
    if not isinstance(obj, dict):
        raise RecordError(
            "not_an_object", f"the line is {JSON_TYPES.get(type(obj), 'a string')}, not an object"
        )
    if key not in obj:
        raise RecordError("missing_field", f"no field {key!r}")
    value = obj[key]
    if not isinstance(value, str):
        raise RecordError(
            "not_a_string", f"field {key!r} is {JSON_TYPES.get(type(value), 'not text')}, not a string"
        )
    return value


def _prepare(fmt: str, rec: Record, opts: BatchOptions) -> tuple[dict[str, Any], str | None, Any]:
    """``(output record, its text, parsed input)``: the output record without its mentions yet, or the error
    record (text ``None``)."""
    obj: Any = None
    try:
        if rec.error is not None:
            raise RecordError(*rec.error)
        if fmt == "jsonl":
            assert isinstance(rec.data, bytes)
            try:
                obj = json.loads(_decode(rec.data, opts.encoding))
            except json.JSONDecodeError as exc:
                raise RecordError("invalid_json", f"{exc.msg}: column {exc.colno}") from None
            text = _text_of(obj, opts.field)
            out = obj
        elif fmt == "txt":
            assert isinstance(rec.data, bytes)
            text = _decode(rec.data, opts.encoding)
            out = {"_line": rec.line, "text": text}
        else:
            assert isinstance(rec.data, dict)
            obj = out = dict(rec.data)
            text = _text_of(out, opts.field)
        if 0 < opts.max_record_chars < len(text):
            raise RecordError("record_too_long", f"the text has {len(text):,} characters, over the limit of "
                              f"{opts.max_record_chars:,} (--max-record-chars)")
    except RecordError as exc:
        return _error_record(rec, obj, exc, opts), None, obj
    return out, text, obj


def _error_record(rec: Record, obj: Any, exc: RecordError, opts: BatchOptions) -> dict[str, Any]:
    err: dict[str, Any] = {"_line": rec.line}
    if opts.id_field and isinstance(obj, dict) and opts.id_field in obj:
        err[opts.id_field] = obj[opts.id_field]
    err["_error"] = {"code": exc.code, "message": exc.message}
    return err


def _complete(out: dict[str, Any], text: str, result: Result, opts: BatchOptions) -> dict[str, Any]:
    out["mentions"] = [m.to_dict() for m in result.mentions]
    if opts.replace:
        out["normalized"] = replace_mentions(text, result.mentions)
    return out


def _process(
    n: Normalizer, fmt: str, rec: Record, opts: BatchOptions
) -> tuple[dict[str, Any], Result | None]:
    """The output record for ``rec`` and its result (``None`` for an error record)."""
    out, text, obj = _prepare(fmt, rec, opts)
    if text is None:
        return out, None
    try:
        result = n.normalize(text, lang=opts.lang)
    except (TypeError, ValueError) as exc:
        return _error_record(rec, obj, RecordError("normalize_failed", str(exc)), opts), None
    return _complete(out, text, result, opts), result


def _process_many(
    n: Normalizer, fmt: str, records: list[Record], opts: BatchOptions
) -> list[tuple[dict[str, Any], Result | None]]:
    """``[_process(n, fmt, rec, opts) for rec in records]`` with one ``normalize_many`` call for the chunk's
    texts; if that call fails (a text too long, a bug), each record is processed alone, so only the failing
    record becomes an error record."""
    try:
        prepared = [_prepare(fmt, rec, opts) for rec in records]
        results = iter(n.normalize_many([text for _, text, _ in prepared if text is not None], lang=opts.lang))
        return [(out, None) if text is None else (_complete(out, text, r := next(results), opts), r)
                for out, text, _ in prepared]
    except Exception:  # noqa: BLE001
        return [_guarded(n, fmt, rec, opts) for rec in records]


def _guarded(n: Normalizer, fmt: str, rec: Record, opts: BatchOptions) -> tuple[dict[str, Any], Result | None]:
    try:
        return _process(n, fmt, rec, opts)
    except Exception as exc:  # noqa: BLE001 - a bug must cost one record, not the run
        return {"_line": rec.line, "_error": {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}}, None


def normalize_record(
    n: Normalizer, fmt: str, rec: Record, opts: BatchOptions | None = None
) -> dict[str, Any]:
    """The output record (input record + ``mentions``) or the error record for one input record."""
    return _guarded(n, fmt, rec, opts or BatchOptions())[0]


def output_columns(
    fmt: str, header: Sequence[str] | None, opts: BatchOptions, multi: bool
) -> tuple[str, ...]:
    """CSV output columns: the input columns (for JSONL/txt: the id and text fields), then the added ones."""
    if fmt in ("csv", "tsv"):
        base = list(header or [])
    elif fmt == "txt":
        base = ["_line", "text"]
    else:
        base = [c for c in (opts.id_field, opts.field) if c]
    added = [c for c in ADDED_CSV_COLUMNS if c != "normalized" or opts.replace]
    cols = (["_file"] if multi else []) + base + added
    return tuple(dict.fromkeys(cols))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _csv_row(out: dict[str, Any], rec: Record, columns: Sequence[str], ok: bool) -> list[str]:
    """One CSV output row: ids and canonical names of the mentions joined by ``|`` (empty for an ambiguous one)."""
    row = dict(out)
    row["_line"] = rec.line
    if ok:
        row["entity_ids"] = "|".join(m["id"] or "" for m in out["mentions"])
        row["canonical_names"] = "|".join(m["canonical"] or "" for m in out["mentions"])
        row["_error"] = ""
    else:
        row["_error"] = f"{out['_error']['code']}: {out['_error']['message']}"
    return [_cell(row.get(c)) for c in columns]


def process_chunk(n: Normalizer, chunk: Chunk, opts: BatchOptions) -> ChunkResult:
    """Normalise and serialise one chunk (runs in a worker process, or in-process for one worker)."""
    outs: list[dict[str, Any]] = []
    writer = (csv.writer(buf := io.StringIO(), lineterminator="\n", delimiter=opts.delimiter or ",")
              if opts.to == "csv" else None)
    if writer is not None and chunk.header:
        writer.writerow(chunk.columns or ())
    errors: list[str] = []
    mentions, ids = 0, set()
    for rec, (out, result) in zip(chunk.records, _process_many(n, chunk.fmt, chunk.records, opts), strict=True):
        if chunk.source is not None:
            out = {"_file": chunk.source, **out}
        if result is None:
            e = out["_error"]
            errors.append(
                f"{chunk.source or ''}{':' if chunk.source else 'line '}{rec.line}: "
                f"{e['code']}: {e['message']}"
            )
        else:
            mentions += len(result.mentions)
            ids.update(m.id for m in result.mentions if m.id is not None)
        if writer is not None:
            writer.writerow(_csv_row(out, rec, chunk.columns or (), result is not None))
        else:
            outs.append(out)
    if writer is not None:
        data = buf.getvalue().encode("utf-8", "backslashreplace")
    else:
        data = _jsonl_bytes(outs)
    return ChunkResult(data, len(chunk.records), errors, mentions, ids, chunk.nbytes)


def _jsonl_bytes(outs: list[dict[str, Any]]) -> bytes:
    if not outs:
        return b""
    text = "\n".join([json.dumps(o, ensure_ascii=False) for o in outs]) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # lone surrogates (from \\ud800 escapes in the input): keep those records ASCII-escaped
        lines = []
        for o in outs:
            line = json.dumps(o, ensure_ascii=False)
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:
                line = json.dumps(o)
            lines.append(line)
        return ("\n".join(lines) + "\n").encode("utf-8")
