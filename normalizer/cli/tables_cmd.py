"""``normalizer tables check``: validate alias tables and report ambiguous aliases; ``normalizer tables link``:
show how tables link to the knowledge base."""

from __future__ import annotations

import argparse
import sys

EXAMPLE = """examples:
  normalizer tables check                      # the bundled tables
  normalizer tables check my.yaml big.tsv      # your own tables (exit status 1 on any error)
  normalizer tables check --strict alias_tables/   # warnings (shared aliases) fail too
  normalizer tables check --bundled my_extra.yaml  # a table with 'extends:' entries for bundled entities
"""

LINK_EXAMPLE = """examples:
  normalizer tables link my.yaml               # each entity: linked (with the evidence), ambiguous, refused, ...
  normalizer tables link my.yaml --json        # one JSON object per entity
  normalizer tables link                       # the bundled tables

In a table, `kb: Q1032` (or `geonames: 2440476`) pins an entity's link and `kb: none` refuses one.
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
    k = tsub.add_parser("link", help="link tables to the knowledge base: each link with its evidence",
                        epilog=LINK_EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    k.add_argument("paths", nargs="*", help="table files or directories (default: the bundled tables)")
    k.add_argument("--json", action="store_true", help="one JSON object per entity")
    k.set_defaults(func=run_link)
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


def run_link(args: argparse.Namespace) -> int:
    import json
    from collections import Counter

    from normalizer.fold import default_folder
    from normalizer.kb import link_tables, load_kb
    from normalizer.names.keys import default_variants
    from normalizer.tables import TableError, bundled_dir, load_tables

    folder = default_folder()
    try:
        tables = load_tables(args.paths or [bundled_dir()], fold_key=folder.fold_key, fold_version=folder.version)
    except TableError as exc:
        for p in exc.problems:
            print(p)
        return 1
    kb = load_kb(fold_key=folder.fold_key, fold_version=folder.version)
    _, links = link_tables(tables, kb, fold_key=folder.fold_key, common_words=default_variants().common_words)
    for link in links:
        if args.json:
            print(json.dumps({"id": link.entity_id, "status": link.status, "kb": link.kb_id,
                              "evidence": link.evidence, "rivals": list(link.rivals), "borrowed": link.borrowed},
                             ensure_ascii=False))
        else:
            print(link)
    counts = Counter(k.status for k in links)
    print(f"{len(links)} entities: " + ", ".join(f"{n} {s}" for s, n in counts.most_common())
          + f"; knowledge base {kb.path.name} ({len(kb)} entities, version {kb.version})", file=sys.stderr)
    return 0
