"""The ``normalizer`` command: a thin layer over the library.  Each subcommand lives in its own module with a
``register(subparsers)`` function; add new ones to ``COMMANDS``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS = ["normalize", "resolve", "explain", "tables", "eval", "serve"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="normalizer",
        description="Find entity mentions in multilingual text and resolve them to canonical IDs.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"normalizer.cli.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name != f"normalizer.cli.{name}_cmd":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if "--tables" in (sys.argv[1:] if argv is None else argv):  # the old `--tables A B` form
            parser.error(f"unrecognized arguments: {' '.join(extra)} (--tables takes one path; repeat it for "
                         "each table: --tables A --tables B)")
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    if sys.stdout is None and args.command != "serve" and getattr(args, "output", None) in (None, "-"):
        # started with stdout closed (`>&-`): the answer would be lost, so say so instead
        hint = ": give --output OUT" if hasattr(args, "output") else ""
        print(f"normalizer {args.command}: error: stdout is closed{hint}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def add_table_options(p: argparse.ArgumentParser, *, link_option: bool = True) -> None:
    """--tables / --no-bundled (/ --no-link), shared by every command that builds a Normalizer."""
    p.add_argument("--tables", action="append", default=[], metavar="PATH",
                   help="an extra alias table file or directory; repeat the option for several")
    p.add_argument("--no-bundled", action="store_true", help="do not load the bundled tables (only --tables)")
    if link_option:  # (not yet carried to batch workers or API workers, which rebuild their Normalizer)
        p.add_argument("--no-link", action="store_true",
                       help="do not link the tables to the knowledge base (no borrowed names, no KB places)")


def make_normalizer(args: argparse.Namespace):  # noqa: ANN201
    from normalizer import Normalizer

    return Normalizer(args.tables, bundled=not args.no_bundled, link=not getattr(args, "no_link", False))
