"""``normalizer normalize``: batch-normalise JSONL, CSV/TSV or plain-text files (a thin layer over
:mod:`normalizer.batch`)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType
from typing import IO, Any

from . import add_table_options, make_normalizer

EXAMPLE = """examples:
  normalizer normalize examples/news.txt                       # one record per line -> JSONL on stdout
  normalizer normalize articles.jsonl --field body --replace --output out.jsonl --workers 2
  normalizer normalize sheet.csv --field text --to csv --output sheet.out.csv
  cat news.jsonl | normalizer normalize - --no-bundled --tables my.yaml | jq .mentions
  normalizer normalize eski.txt --encoding cp1254 --paragraphs   # Turkish Windows file, one record per paragraph
  normalizer normalize export.csv --delimiter ';' --tables my.yaml --tables more.tsv   # --tables: one path each
  normalizer normalize day1.jsonl.gz day2.jsonl.gz -o out.jsonl   # gzip, bzip2, xz: read as they are

output:
  JSONL/CSV record in -> the same record plus "mentions" (and "normalized" with --replace); txt line/paragraph in
  -> {"_line": n, "text": ..., "mentions": [...]}.  With --to csv: the input columns plus _line, entity_ids,
  canonical_names (joined by |), normalized (with --replace) and _error.  Output is always UTF-8.

nothing lost:
  Every input record gives exactly one output record, in input order: its result, or an error record
  {"_line": 17, "_error": {"code": ..., "message": ...}} (codes: invalid_json, not_an_object, missing_field,
  not_a_string, invalid_encoding, field_count, csv_syntax, record_too_long, normalize_failed, internal_error).
  Blank lines are skipped in JSONL/CSV (they are records in txt).  A summary goes to stderr.
  --output writes a temporary file beside OUT and renames it into place only when the run is complete.

exit status:
  0 all records normalised (or --keep-going);  1 some records failed (their error records were written);
  2 bad usage, unreadable input, bad header, or an invalid table;  130 interrupted (Ctrl-C);  143 SIGTERM.
"""


class Terminated(BaseException):
    """Raised in the main thread by the SIGTERM handler so cleanup runs.  A ``BaseException`` (like
    ``KeyboardInterrupt``), so the per-record ``except Exception`` that turns a bug into one error record can
    never swallow it."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "normalize",
        help="normalise JSONL/CSV/TSV/txt files (or stdin) to JSONL or CSV",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="input files; '-' or none reads stdin")
    p.add_argument(
        "--format",
        choices=["jsonl", "csv", "tsv", "txt"],
        help="input format (default: from the extension; JSONL for stdin)",
    )
    p.add_argument("--field", default="text", help="JSON key or CSV column holding the text (default: text)")
    p.add_argument("--id-field", default="id", help="field copied into error records (default: id)")
    p.add_argument("--output", "-o", metavar="OUT", help="write here (atomically) instead of stdout")
    p.add_argument(
        "--workers",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default 1; 0 = one per CPU); output order is kept",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="add 'normalized': the text with each resolved mention replaced by its canonical name",
    )
    p.add_argument("--to", choices=["jsonl", "csv"], default="jsonl", help="output format (default: jsonl)")
    p.add_argument(
        "--paragraphs", action="store_true", help="txt input: one record per blank-line separated paragraph"
    )
    p.add_argument("--encoding", default="utf-8", help="input encoding, e.g. cp1254 (default: utf-8)")
    p.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="CSV field separator, for CSV input and --to csv output (default ','; e.g. ';', or '\\t')",
    )
    p.add_argument(
        "--max-record-chars",
        type=int,
        default=1_000_000,
        metavar="N",
        help="a record whose text is longer is an error record, record_too_long; a line of more than 8 x N "
        "bytes is skipped unread (default 1000000; 0 = no limit but the library's)",
    )
    p.add_argument("--keep-going", action="store_true", help="exit 0 even if some records failed")
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress bar, and no summary unless some records failed",
    )
    p.add_argument("--lang", default=None, help="language of all texts (e.g. tr), if known")
    add_table_options(p, link_option=False)
    p.set_defaults(func=run)


def _progress_bar(total: int | None) -> tuple[Any, Any]:
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: the worker pool forks after this
    bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        dynamic_ncols=True,
        desc="normalize",
        smoothing=0.1,
    )

    def update(summary: Any) -> None:
        rate = summary.written / summary.seconds if summary.seconds else 0
        bar.set_postfix_str(
            f"{summary.written:,} records, {rate:,.0f} rec/s, {summary.errors} errors", refresh=False
        )
        bar.update(summary.nbytes - bar.n)

    return bar, update


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def run(args: argparse.Namespace) -> int:
    from normalizer.batch import BatchOptions, run_batch
    from normalizer.batch_io import (
        TABLE_SUFFIXES,
        AtomicOutput,
        InputError,
        Source,
        check_encoding,
        open_source,
    )
    from normalizer.tables import TableError

    def fail(msg: str) -> int:
        print(f"normalizer normalize: error: {msg}", file=sys.stderr)
        return 2

    workers = args.workers if args.workers > 0 else (os.cpu_count() or 1)
    if args.workers < 0:
        return fail("--workers must be 0 or more")
    if args.paragraphs and args.format not in (None, "txt"):
        return fail("--paragraphs needs txt input")
    if args.max_record_chars < 0:
        return fail("--max-record-chars must be 0 or more")
    delimiter = args.delimiter
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1 or delimiter in "\"\r\n":
            return fail(f"--delimiter must be one character other than a quote or a newline, not {args.delimiter!r}")
        if args.format == "tsv":
            return fail("--delimiter is for CSV (TSV is tab-separated): give --format csv --delimiter CHAR")
    tables_as_input = [f for f in args.files if f.lower().endswith(TABLE_SUFFIXES)]
    if tables_as_input and args.tables:
        return fail(
            f"{tables_as_input[0]} looks like an alias table, not an input file: --tables takes one path; "
            f"repeat it for each table (--tables {args.tables[-1]} --tables {tables_as_input[0]})"
        )
    sources: list[Source] = []
    sink: AtomicOutput | None = None
    bar = None
    old_term = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        encoding = check_encoding(args.encoding)
        files = args.files or ["-"]
        if files.count("-") > 1:
            return fail("stdin ('-') can be read only once")
        for path in files:
            sources.append(open_source(path, args.format, sys.stdin.buffer if sys.stdin is not None else None))
        if args.paragraphs and any(s.fmt != "txt" for s in sources):
            return fail("--paragraphs needs txt input")
        try:
            norm = make_normalizer(args)
        except TableError as exc:
            return fail(f"invalid table:\n{exc}")
        except OSError as exc:
            return fail(f"cannot read a table: {exc}")
        opts = BatchOptions(
            field=args.field,
            id_field=args.id_field or None,
            replace=args.replace,
            to=args.to,
            paragraphs=args.paragraphs,
            encoding=encoding,
            lang=args.lang,
            delimiter=delimiter,
            max_record_chars=args.max_record_chars,
        )
        if args.output and args.output != "-":
            sink = AtomicOutput(args.output)
            out: IO[bytes] = sink.file
        else:
            out = sys.stdout.buffer
        progress = None
        if not args.quiet and sys.stderr.isatty():
            sizes = [s.size for s in sources]
            bar, progress = _progress_bar(sum(sizes) if None not in sizes else None)  # type: ignore[arg-type]
        interactive = sink is None and any(s.size is None for s in sources)
        summary = run_batch(
            sources,
            out,
            opts,
            tables=args.tables,
            bundled=not args.no_bundled,
            workers=workers,
            normalizer=norm,
            flush=interactive and workers == 1,
            progress=progress,
        )
        if sink is not None:
            sink.commit()
            sink = None
        else:
            out.flush()
    except InputError as exc:
        return fail(str(exc))
    except (KeyboardInterrupt, Terminated) as exc:
        what, status = ("terminated", 143) if isinstance(exc, Terminated) else ("interrupted", 130)
        kept = f"; {args.output} not written" if sink is not None else ""
        print(f"normalizer normalize: {what}{kept}", file=sys.stderr)
        return status
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the reader went away (e.g. `| head`)
        return 0
    except OSError as exc:  # a read error mid-file, a full disk
        return fail(f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}")
    finally:
        signal.signal(signal.SIGTERM, old_term)
        if bar is not None:
            bar.close()
        if sink is not None:
            sink.discard()
        for s in sources:
            if sys.stdin is None or s.stream is not sys.stdin.buffer:
                s.stream.close()
    if not args.quiet or summary.errors:
        print(f"normalizer normalize: {summary.format()}", file=sys.stderr)
        for line in summary.first_errors:
            print(f"  {line}", file=sys.stderr)
        if summary.errors > len(summary.first_errors):
            print(
                f"  ... and {summary.errors - len(summary.first_errors)} more error records", file=sys.stderr
            )
    return 1 if summary.errors and not args.keep_going else 0
