"""``normalizer serve``: run the HTTP API with uvicorn (the tables load once, at start)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
from functools import partial

from . import add_table_options, make_normalizer

EXAMPLE = """example:
  normalizer serve --port 8000                                   # bundled tables
  normalizer serve --tables my_table.yaml --no-bundled --allow-reload --workers 2
  curl -s localhost:8000/normalize -H 'Content-Type: application/json' \\
      -d '{"text": "MİT\\u0027in Daesh operasyonu", "lang": "tr"}'
docs: http://127.0.0.1:8000/docs
"""


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _non_negative(value: str) -> int:
    n = int(value)
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {n}")
    return n


def _positive_seconds(value: str) -> float:
    x = float(value)
    if not x > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {value}")
    return x


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="run the HTTP API (FastAPI + uvicorn)",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=_positive, default=1, help="worker processes (default 1)")
    p.add_argument(
        "--allow-reload",
        action="store_true",
        help="enable POST /admin/reload (re-reads the table files, swaps them atomically)",
    )
    p.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=8_000_000,
        help="request body limit in bytes (default 8 MB: 1000 batch items of 1,000 characters fit in any JSON encoding)",
    )
    p.add_argument(
        "--max-batch-items", type=_positive, default=1000, help="items per /normalize/batch (default 1000)"
    )
    p.add_argument(
        "--max-text-chars", type=_positive, default=200_000, help="characters per text (default 200000)"
    )
    p.add_argument(
        "--inline-chars",
        type=_non_negative,
        default=2_000,
        help="texts (or batches) up to this many characters are matched on the event loop, larger ones in a "
        "thread so that they never block it (default 2000; 0: always a thread)",
    )
    p.add_argument(
        "--no-lean",
        action="store_true",
        help="serve /normalize, /normalize/batch and /resolve through FastAPI too (slower; for comparison)",
    )
    p.add_argument(
        "--header-timeout",
        type=_positive_seconds,
        default=10.0,
        help="seconds from a request's first byte to the end of its headers, else 408 and close (default 10)",
    )
    p.add_argument(
        "--keep-alive-timeout",
        type=_positive_seconds,
        default=5.0,
        help="seconds an idle connection (also a new one that sends nothing) stays open (default 5)",
    )
    p.add_argument(
        "--write-timeout",
        type=_positive_seconds,
        default=30.0,
        help="seconds a response may wait for a client that does not read it, then the connection is "
        "aborted (default 30)",
    )
    p.add_argument(
        "--max-connections",
        type=_positive,
        default=512,
        help="open connections per worker; the longest idle are closed to make room, and only when all have a "
        "request in progress does a new request get 503 overloaded (default 512)",
    )
    p.add_argument(
        "--http",
        choices=["auto", "httptools", "h11"],
        default="auto",
        help="HTTP/1.1 parser: httptools (C, ~0.17 ms less CPU a request; auto: when installed) or h11",
    )
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--access-log", action="store_true", help="log every request (off by default: it costs)")
    p.add_argument("--no-access-log", action="store_true", help=argparse.SUPPRESS)  # the old default's flag
    add_table_options(p, link_option=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.server import ServerLimits, guarded_protocol
    from api.state import SIGNAL_ENV, Settings
    from normalizer import TableError

    try:
        norm = make_normalizer(args)  # fail fast, before any worker starts
    except TableError as exc:
        print(exc, file=sys.stderr)
        return 1
    settings = Settings(
        tables=tuple(args.tables),
        bundled=not args.no_bundled,
        allow_reload=args.allow_reload,
        max_body_bytes=args.max_body_bytes,
        max_batch_items=args.max_batch_items,
        max_text_chars=args.max_text_chars,
        lean=not args.no_lean,
        inline_chars=args.inline_chars,
    )
    print(
        f"normalizer API: {norm.entity_count} entities, {norm.alias_count} aliases, tables {norm.version}; "
        f"docs at http://{args.host}:{args.port}/docs",
        file=sys.stderr,
        flush=True,
    )
    common = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "access_log": args.access_log and not args.no_access_log,
        "timeout_graceful_shutdown": 10,
        "timeout_keep_alive": args.keep_alive_timeout,
        # with --workers N the supervisor kills a worker that does not answer its ping within this many
        # seconds; uvicorn's 5 s killed workers still loading and warming their tables on a busy machine
        # (then again and again), and could kill one busy in a long native call
        "timeout_worker_healthcheck": 60,
        "loop": "uvloop" if _importable("uvloop") else "asyncio",
        # uvicorn's protocol plus header, write and idle timeouts and a connection limit that closes idle
        # connections first (api/server.py); a partial of a module-level class pickles, so every worker gets
        # the limits
        "http": partial(
            guarded_protocol(args.http),
            limits=ServerLimits(
                header_timeout=args.header_timeout,
                max_connections=args.max_connections,
                write_timeout=args.write_timeout,
            ),
        ),
    }
    if args.workers == 1:
        app = create_app(
            norm,
            tables=settings.tables,
            bundled=settings.bundled,
            allow_reload=settings.allow_reload,
            max_body_bytes=settings.max_body_bytes,
            max_batch_items=settings.max_batch_items,
            max_text_chars=settings.max_text_chars,
            lean=settings.lean,
            inline_chars=settings.inline_chars,
        )
        uvicorn.run(app, **common)
        return 0
    # Several processes: each worker imports the app factory and reads the settings from the environment.
    os.environ.update(settings.to_env())
    signal_dir = tempfile.mkdtemp(prefix="normalizer-serve-") if args.allow_reload else None
    if signal_dir:
        os.environ[SIGNAL_ENV] = os.path.join(signal_dir, "reload")
    try:
        uvicorn.run("api.app:app_from_env", factory=True, workers=args.workers, **common)
    finally:
        if signal_dir:
            shutil.rmtree(signal_dir, ignore_errors=True)
    return 0
