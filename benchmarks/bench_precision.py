"""Precision probes: what the normalizer finds in text that names nothing (or only what a word list names).

Two probes, both seeded and offline once ``wordfreq`` is installed (``pip install -e '.[bench]'``):

* **word salad**: per language, sentences of words drawn at random by their frequency (wordfreq), capitalised
  at the start and here and there (a third of the words in German, where nouns are capitalised).  Exact matches
  are mostly real names drawn from the list (Berlin, Türkiye); every ``variant``/``fuzzy``/``context`` mention is
  a guess about an ordinary word and counts as a false friend.
* **Arabic vocabulary**: each of the most frequent Arabic words alone, against tables whose aliases are all in
  Latin script (a copy of the bundled tables without their Arabic/Greek/Cyrillic names, or ``--tables``): every
  hit is a cross-script guess (abjad alignment); they are printed to be judged by eye.

    python benchmarks/bench_precision.py                      # bundled tables, 1,500 sentences per language
    python benchmarks/bench_precision.py --tables my.yaml --no-bundled --sentences 500

Not run by the test suite.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from normalizer import Normalizer

LANGS = ["en", "de", "fr", "tr", "ar", "el", "ru"]
GUESSES = ("variant", "fuzzy", "context")
_NON_LATIN = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0600-\u06ff]")


def word_salad(norm: Normalizer, langs: list[str], sentences: int, seed: int) -> list[str]:
    from wordfreq import top_n_list, word_frequency

    rng = random.Random(seed)
    lines = ["| lang | sentences | mentions | exact/folded | guessed (variant/fuzzy/context) | guessed per 1,000 sentences | top guesses |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for lang in langs:
        words = top_n_list(lang, 20000)
        weights = [word_frequency(w, lang) for w in words]
        caps = 0.35 if lang == "de" else 0.08
        hits: Counter[tuple[str, str, str | None]] = Counter()
        for _ in range(sentences):
            ws = rng.choices(words, weights, k=12)
            if lang != "ar":
                ws = [w.capitalize() if i == 0 or rng.random() < caps else w for i, w in enumerate(ws)]
            for m in norm.normalize(" ".join(ws) + ".", lang=lang).mentions:
                hits[(m.method, m.text, m.id)] += 1
        guessed = Counter({k: c for k, c in hits.items() if k[0] in GUESSES})
        top = ", ".join(f"{t}→{i} ×{c}" for (_, t, i), c in guessed.most_common(5))
        n_guess = sum(guessed.values())
        lines.append(f"| {lang} | {sentences} | {sum(hits.values())} | {sum(hits.values()) - n_guess} | {n_guess} | "
                     f"{1000 * n_guess / sentences:.1f} | {top} |")
    return lines


def latin_only_copy(norm: Normalizer, directory: Path) -> Path:
    ents = []
    for e in norm.tables.entities.values():
        names = sorted({a.text for a in e.aliases if not _NON_LATIN.search(a.text)} - {e.name})
        if not _NON_LATIN.search(e.name):
            ents.append({"id": e.id, "type": e.type, "name": e.name, "aliases": names})
    path = directory / "latin_only.yaml"
    path.write_text(yaml.safe_dump({"entities": ents}, allow_unicode=True), encoding="utf-8")
    return path


def arabic_vocabulary(table: Path, first: int, last: int) -> list[str]:
    from wordfreq import top_n_list

    norm = Normalizer([table], bundled=False, fuzzy=False, context=False)
    words = top_n_list("ar", last)[first:]
    lines = [f"Arabic words ranked {first:,}-{last:,} alone, against {table.name}: every hit is a cross-script guess.", ""]
    n = 0
    for rank, w in enumerate(words, start=first):
        for m in norm.normalize(w, lang="ar").mentions:
            n += 1
            lines.append(f"    {rank:>6} {w} -> {m.id} ({m.alias}, {m.method} {m.score:.2f})")
    lines.insert(1, f"{n} hits.")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", nargs="*", default=[])
    ap.add_argument("--no-bundled", action="store_true")
    ap.add_argument("--langs", nargs="+", default=LANGS)
    ap.add_argument("--sentences", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--arabic", nargs=2, type=int, default=[0, 30000], metavar=("FIRST", "LAST"),
                    help="ranks of the Arabic words to try alone (default 0 30000)")
    args = ap.parse_args(argv)
    try:
        import wordfreq  # noqa: F401
    except ImportError:
        print("bench_precision needs wordfreq: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    norm = Normalizer(args.tables, bundled=not args.no_bundled)
    print("## Word salad\n")
    print("\n".join(word_salad(norm, args.langs, args.sentences, args.seed)))
    print("\n## Arabic words alone against Latin-script aliases\n")
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(args.tables[0]) if args.tables and args.no_bundled else latin_only_copy(norm, Path(tmp))
        print("\n".join(arabic_vocabulary(table, *args.arabic)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
