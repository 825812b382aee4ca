"""``normalizer tables check``: validate alias tables and report ambiguous aliases."""

from __future__ import annotations

import argparse
import sys

EXAMPLE = """examples:
  normalizer tables check                      # the bundled tables
  normalizer tables check my.yaml big.tsv      # your own tables (exit status 1 on any error)
  normalizer tables check --strict alias_tables/   # warnings (shared aliases) fail too
  normalizer tables check --bundled my_extra.yaml  # a table with 'extends:' entries for bundled entities
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tables", help="work with alias tables (check)")
    tsub = p.add_subparsers(dest="tables_command", metavar="SUBCOMMAND")
    c = tsub.add_parser("check", help="validate tables: file, line and problem for each error", epilog=EXAMPLE,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("paths", nargs="*", help="table files or directories (default: the bundled tables)")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--bundled", action="store_true",
                   help="load the bundled tables first (to check a table that extends or shares ids with them)")
    c.add_argument("--quiet", "-q", action="store_true", help="print only errors and the summary")
    c.set_defaults(func=run_check)
    p.set_defaults(func=lambda a: (p.print_help(sys.stderr), 2)[1])


def run_check(args: argparse.Namespace) -> int:
    from normalizer.fold import default_folder
    from normalizer.tables import TableError, bundled_dir, load_tables

    folder = default_folder()
    paths = ([bundled_dir()] if args.bundled or not args.paths else []) + list(args.paths)
    try:
        tables = load_tables(paths, fold_key=folder.fold_key, fold_version=folder.version)
    except TableError as exc:
        for p in exc.problems:
            print(p)
        print(f"FAILED: {len(exc.problems)} error(s)", file=sys.stderr)
        return 1
    if not args.quiet:
        for w in tables.warnings:
            print(w)
    print(f"ok: {len(tables.files)} file(s), {len(tables.entities)} entities, {tables.alias_count} aliases, "
          f"{len(tables.warnings)} warning(s), version {tables.version}", file=sys.stderr)
    return 1 if args.strict and tables.warnings else 0
