"""``normalizer eval``: score the service on an annotated set (texts + gold mentions), or ``resolve()`` on a set
of name queries against brute-force rapidfuzz (``--names``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import add_table_options, make_normalizer

EXAMPLE = """examples:
  normalizer eval --texts ../shared/eval/dev/texts.jsonl --gold ../shared/eval/dev/gold.jsonl \\
      --tables ../shared/eval/dev/user_table.yaml --no-bundled
  normalizer eval --names ../shared/eval/names-dev/names.jsonl \\
      --tables ../shared/eval/names-dev/names_table.yaml --no-bundled --show-misses 20
"""
TEXT_ONLY = ("gold_table", "ignore_lang")  # options of the --texts/--gold mode
NAMES_ONLY = ("show_misses", "limit")  # options of the --names mode


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score on an annotated set (texts + gold, or name queries)", epilog=EXAMPLE,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       usage="normalizer eval (--texts TEXTS --gold GOLD | --names NAMES) [options]")
    p.add_argument("--texts", type=Path, help="JSONL of {id, lang, text}")
    p.add_argument("--gold", type=Path, help="JSONL of {doc, start, end, text, entity}")
    p.add_argument("--gold-table", type=Path, default=None,
                   help="table giving the gold ids' canonical names (default: user_table.yaml beside --gold)")
    p.add_argument("--ignore-lang", action="store_true", help="do not pass each text's lang to the normalizer")
    p.add_argument("--names", type=Path,
                   help="JSONL of {query, entity, kind[, ambiguous]}: score resolve() (acc@1, r@limit per kind) "
                        "and brute-force rapidfuzz over the loaded entities' primary names")
    p.add_argument("--limit", type=int, default=None, help="with --names: candidates per query (default 5)")
    p.add_argument("--show-misses", type=int, default=None, metavar="N",
                   help="with --names: list the first N queries resolve() gets wrong at @1")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_table_options(p)
    p.set_defaults(func=run, eval_parser=p)


def _check_mode(args: argparse.Namespace) -> None:
    p: argparse.ArgumentParser = args.eval_parser
    if args.names is not None:
        clash = [f"--{o}" for o in ("texts", "gold") if getattr(args, o) is not None]
        clash += [f"--{o.replace('_', '-')}" for o in TEXT_ONLY if getattr(args, o) not in (None, False)]
        if clash:
            p.error(f"--names does not go with {', '.join(clash)}")
        if args.limit is not None and args.limit < 1:
            p.error("--limit must be at least 1")
    else:
        if args.texts is None or args.gold is None:
            p.error("give either --texts and --gold, or --names")
        clash = [f"--{o.replace('_', '-')}" for o in NAMES_ONLY if getattr(args, o) is not None]
        if clash:
            p.error(f"{', '.join(clash)}: only with --names")


def run(args: argparse.Namespace) -> int:
    from normalizer.tables import TableError

    _check_mode(args)
    try:
        norm = make_normalizer(args)
    except TableError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        if args.names is not None:
            from normalizer.evaluate_names import evaluate_names

            names = evaluate_names(norm, args.names, limit=args.limit or 5)
            out = (json.dumps(names.as_dict(), ensure_ascii=False, indent=2) if args.json
                   else names.format(show_misses=args.show_misses or 0))
        else:
            from normalizer.evaluate import evaluate

            report = evaluate(norm, args.texts, args.gold, gold_table=args.gold_table,
                              use_lang=not args.ignore_lang)
            out = json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.json else report.format()
    except TableError as exc:  # --gold-table
        print(exc, file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError) as exc:  # unreadable file, bad JSON line, missing field
        print(f"normalizer eval: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0
