"""``normalizer explain``: a readable account of every mention in one text (span, entity, method, score, the
folding steps and the rules that accepted it)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from . import add_table_options, make_normalizer

EXAMPLE = """examples:
  normalizer explain "MİT'in Daesh operasyonu Türkiye'de."
  normalizer explain "Der Geheimdienst MIT hat mit der Polizei ..." --lang de
  echo "DEAŞ'ın yöneticisi" | normalizer explain -          # '-' reads the text from stdin
  normalizer explain "MIT" --json                           # the mentions with their explanations as JSON

Colour on a terminal; plain text when piped or when NO_COLOR is set (or with --color never).
"""

STYLES = {"span": "1;32", "id": "1;36", "amb": "1;33", "dim": "2", "head": "1"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="show why each mention in a text matched",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("text", metavar="TEXT", help="the text ('-' reads stdin)")
    p.add_argument("--lang", default=None, help="language of the text, if known (e.g. tr)")
    p.add_argument("--json", action="store_true", help="print the mentions (with explanations) as JSON")
    p.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the output (default: auto = only on a terminal and without NO_COLOR)",
    )
    add_table_options(p)
    p.set_defaults(func=run)


def use_color(choice: str, stream: Any) -> bool:
    """``auto``: colour only on a terminal and when NO_COLOR is unset or empty (https://no-color.org)."""
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def render(text: str, mentions: Any, color: bool) -> str:
    """The text with the mentions marked, then one block per mention."""

    def c(style: str, s: str) -> str:
        return f"\033[{STYLES[style]}m{s}\033[0m" if color else s

    marked, pos = [], 0
    for m in mentions:
        marked += [text[pos : m.start], c("span", f"[{m.text}]")]
        pos = m.end
    marked.append(text[pos:])
    lines = [
        c("head", "text: ") + "".join(marked).replace("\n", " "),
        f"{len(mentions)} mention{'s' if len(mentions) != 1 else ''}",
    ]
    for i, m in enumerate(mentions, 1):
        lines.append("")
        target = c("amb", "AMBIGUOUS") if m.id is None else f"{c('id', m.id)}  {m.canonical!r} ({m.type})"
        lines.append(f"{i}. {c('span', repr(m.text))} [{m.start}:{m.end}] -> {target}")
        extra = ", inflected" if m.inflected else ""
        lines.append(f"   method {m.method}, score {m.score:.2f}, alias {m.alias!r} ({m.lang}){extra}")
        for cand in m.candidates:
            lines.append(f"   candidate {c('id', cand.id)}  {cand.canonical!r}  score {cand.score:.2f}")
        ex = m.explain
        if ex is not None:
            steps = " -> ".join(ex.fold_steps) if ex.fold_steps else "(none: the text was already folded)"
            lines.append(f"   folded key {ex.key!r}; fold steps: {steps}")
            lines.append(f"   rules: {', '.join(ex.rules) if ex.rules else '(none)'}")
            for k, v in sorted(ex.features.items()):
                lines.append(c("dim", f"   {k}: {v}"))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from normalizer import TableError

    if args.text == "-" and sys.stdin is None:
        print("normalizer explain: error: stdin is closed: give the TEXT as an argument", file=sys.stderr)
        return 2
    text = sys.stdin.read() if args.text == "-" else args.text
    try:
        norm = make_normalizer(args)
    except (TableError, OSError) as exc:
        print(f"normalizer explain: error: invalid table:\n{exc}", file=sys.stderr)
        return 2
    result = norm.normalize(text, lang=args.lang, explain=True)
    if args.json:
        print(json.dumps(result.to_dict(explain=True), ensure_ascii=False, indent=2))
    else:
        print(render(text, result.mentions, use_color(args.color, sys.stdout)))
    return 0
