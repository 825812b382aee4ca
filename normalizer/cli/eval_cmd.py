"""``normalizer eval``: score the service on an annotated set."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import add_table_options, make_normalizer

EXAMPLE = """example:
  normalizer eval --texts ../shared/eval/dev/texts.jsonl --gold ../shared/eval/dev/gold.jsonl \\
      --tables ../shared/eval/dev/user_table.yaml --no-bundled
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score on an annotated set (texts.jsonl + gold.jsonl)", epilog=EXAMPLE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--texts", required=True, type=Path, help="JSONL of {id, lang, text}")
    p.add_argument("--gold", required=True, type=Path, help="JSONL of {doc, start, end, text, entity}")
    p.add_argument("--gold-table", type=Path, default=None,
                   help="table giving the gold ids' canonical names (default: user_table.yaml beside --gold)")
    p.add_argument("--ignore-lang", action="store_true", help="do not pass each text's lang to the normalizer")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_table_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from normalizer.evaluate import evaluate
    from normalizer.tables import TableError

    try:
        norm = make_normalizer(args)
    except TableError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        report = evaluate(norm, args.texts, args.gold, gold_table=args.gold_table, use_lang=not args.ignore_lang)
    except TableError as exc:  # --gold-table
        print(exc, file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError) as exc:  # unreadable file, bad JSON line, missing field
        print(f"normalizer eval: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.json else report.format())
    return 0
