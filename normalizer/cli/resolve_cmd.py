"""``normalizer resolve``: ranked candidate entities for one name (no running text)."""

from __future__ import annotations

import argparse
import json
import sys

from . import add_table_options, make_normalizer

EXAMPLE = """examples:
  normalizer resolve DEAŞ                       # table: rank, score, id, canonical name, type, alias, method
  normalizer resolve "Milli Istihbarat" --limit 3 --json
  normalizer resolve ISIS --no-bundled --tables my.yaml

exit status: 0 at least one candidate; 1 no candidate; 2 invalid table or bad usage.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "resolve",
        help="ranked candidate entities for one name",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", metavar="NAME", help="the name to resolve, e.g. 'DEAŞ'")
    p.add_argument("--limit", type=int, default=5, help="at most this many candidates (default 5)")
    p.add_argument("--lang", default=None, help="language of the name, if known")
    p.add_argument("--json", action="store_true", help="print the candidates as a JSON list")
    add_table_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from normalizer import TableError

    if args.limit < 1:
        print("normalizer resolve: error: --limit must be at least 1", file=sys.stderr)
        return 2
    try:
        norm = make_normalizer(args)
    except (TableError, OSError) as exc:
        print(f"normalizer resolve: error: invalid table:\n{exc}", file=sys.stderr)
        return 2
    cands = norm.resolve(args.name, limit=args.limit, lang=args.lang)
    if args.json:
        print(json.dumps([c.to_dict() for c in cands], ensure_ascii=False, indent=2))
    elif cands:
        rows = [("#", "score", "id", "canonical", "type", "alias", "method")]
        rows += [
            (str(i), f"{c.score:.2f}", c.id, c.canonical, c.type, c.alias, c.method)
            for i, c in enumerate(cands, 1)
        ]
        widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
        for r in rows:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    if not cands:
        print(f"normalizer resolve: no candidate for {args.name!r}", file=sys.stderr)
        return 1
    return 0
