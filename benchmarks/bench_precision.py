"""Precision probes: what the normalizer finds in text that names nothing (or only what a word list names).

Two probes, both seeded and offline once ``wordfreq`` is installed (``pip install -e '.[bench]'``):

* **word salad**: per language (en de fr tr ar el ru), sentences of the 20,000 most frequent words (wordfreq)
  drawn at random by their frequency, capitalised at the start and here and there (a third of the words in
  German, where nouns are capitalised; Turkish ``i`` capitalises to ``İ``; Greek gets its final ``ς`` back, which
  wordfreq's lists fold to ``σ``).  Exact matches are mostly real names drawn from the list (Berlin, Türkiye);
  every other mention (``variant``, ``fuzzy``, ``context``, ...) is a guess.  A guess whose text the bundled tables
  spell for the same entity is a real name (``Russie``, ``العراق`` against a user table that has only ``Russia``,
  ``Iraq``) and is counted apart; the rest are false friends.  The last line is the total:
  ``guessed mentions: N (... M of them a bundled name of the same entity, N-M false friends)``.
* **Arabic vocabulary**: each of the most frequent Arabic words alone, against a copy of the loaded tables
  without their Arabic/Greek/Cyrillic names: every hit is a cross-script guess (abjad alignment); they are
  printed to be judged by eye (``العراق`` -> Iraq is right, most others are not).  ``--arabic 0 0`` skips it.

    python benchmarks/bench_precision.py                      # bundled tables, 1,500 sentences per language
    python benchmarks/bench_precision.py --tables ../shared/eval/dev-beat2/user_table.yaml --no-bundled
    python benchmarks/bench_precision.py --sentences 50 --arabic 0 2000   # a quick look (~5 s CPU)

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
VOCABULARY = 20000  # most frequent words per language
EXACT = ("exact", "folded")  # every other method is a guess
_NON_LATIN = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0600-\u06ff]")
_GREEK_FINAL_SIGMA = re.compile(r"σ(?!\w)")
_TURKIC_UPPER = {"i": "İ", "ı": "I"}


def vocabulary(lang: str, n: int = VOCABULARY) -> tuple[list[str], list[float]]:
    """The ``n`` most frequent words of ``lang`` and their frequencies, from wordfreq's frequency bands
    (band ``i`` has frequency 10^(-i/100); one pass over the list instead of a ``word_frequency`` call per word,
    which re-tokenises it: 2.7 s per language)."""
    from wordfreq import get_frequency_list
    from wordfreq.numbers import has_digit_sequence

    words: list[str] = []
    weights: list[float] = []
    for band, bucket in enumerate(get_frequency_list(lang)):
        for w in bucket:
            if not has_digit_sequence(w):  # as top_n_list: numbers are not in the lists as such
                words.append(_GREEK_FINAL_SIGMA.sub("ς", w) if lang == "el" else w)
                weights.append(10 ** (-band / 100))
                if len(words) >= n:
                    return words, weights
    return words, weights


def capitalise(word: str, lang: str) -> str:
    """Sentence case as the language writes it (Turkish/Azerbaijani dotted and dotless i)."""
    if lang in ("tr", "az") and word[:1] in _TURKIC_UPPER:
        return _TURKIC_UPPER[word[0]] + word[1:]
    return word[:1].upper() + word[1:]


class BundledNames:
    """The bundled tables' spellings, to tell a guess that is a name of the same entity (``Russie`` for a user
    table's Russia: the word list has real names too) from a false friend.  Same entity: same id, same folded
    canonical name or same Wikidata id."""

    def __init__(self, norm: Normalizer, bundled: Normalizer) -> None:
        self.norm = norm
        self.fk = bundled.folder.fold_key
        self.marks: dict[str, set[str]] = {}
        for e in bundled.tables.entities.values():
            for a in e.aliases:
                self.marks.setdefault(self.fk(a.text), set()).update(self._marks(e.id, e.name, e.wikidata))

    def _marks(self, eid: str, name: str, wikidata: str | None) -> set[str]:
        return {f"id:{eid}", f"name:{self.fk(name)}"} | ({f"wd:{wikidata}"} if wikidata else set())

    def confirms(self, text: str, eid: str | None) -> bool:
        ent = self.norm.tables.entities.get(eid or "")
        return ent is not None and bool(self.marks.get(self.fk(text), set()) & self._marks(ent.id, ent.name,
                                                                                            ent.wikidata))


def word_salad(norm: Normalizer, langs: list[str], sentences: int, seed: int,
               names: BundledNames) -> tuple[list[str], int, int]:
    """The per-language table, the total of guessed mentions and how many of them the bundled tables confirm."""
    rng = random.Random(seed)
    lines = ["| lang | sentences | mentions | exact/folded | guessed | of which a bundled name of the entity | "
             "guessed per 1,000 sentences | top guesses (✓ bundled name) | top exact/folded |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    total = confirmed = 0
    for lang in langs:
        words, weights = vocabulary(lang)
        caps = 0.35 if lang == "de" else 0.08
        hits: Counter[tuple[str, str, str | None]] = Counter()
        for _ in range(sentences):
            ws = rng.choices(words, weights, k=12)
            if lang != "ar":
                ws = [capitalise(w, lang) if i == 0 or rng.random() < caps else w for i, w in enumerate(ws)]
            for m in norm.normalize(" ".join(ws) + ".", lang=lang).mentions:
                hits[(m.method, m.text, m.id)] += 1
        guessed = Counter({k: c for k, c in hits.items() if k[0] not in EXACT})
        exact = Counter({k: c for k, c in hits.items() if k[0] in EXACT})
        ok = {k for k in guessed if names.confirms(k[1], k[2])}
        top = ", ".join(f"{t}→{i} ({meth}{' ✓' if (meth, t, i) in ok else ''}) ×{c}"
                        for (meth, t, i), c in guessed.most_common(5))
        top_exact = ", ".join(f"{t}→{i} ×{c}" for (_, t, i), c in exact.most_common(4))
        n_guess = sum(guessed.values())
        n_ok = sum(guessed[k] for k in ok)
        total += n_guess
        confirmed += n_ok
        lines.append(f"| {lang} | {sentences} | {sum(hits.values())} | {sum(exact.values())} | {n_guess} | {n_ok} | "
                     f"{1000 * n_guess / sentences:.1f} | {top} | {top_exact} |")
    return lines, total, confirmed


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
                    help="ranks of the Arabic words to try alone (default 0 30000; 0 0 skips the probe)")
    args = ap.parse_args(argv)
    try:
        import wordfreq  # noqa: F401
    except ImportError:
        print("bench_precision needs wordfreq: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    if not args.tables and args.no_bundled:
        ap.error("--no-bundled needs --tables")
    norm = Normalizer(args.tables, bundled=not args.no_bundled)
    tables = ", ".join(args.tables) + ("" if args.no_bundled else " + bundled") if args.tables else "bundled"
    print(f"tables: {tables} ({len(norm.tables.entities)} entities); {args.sentences} sentences per language, "
          f"seed {args.seed}\n")
    print("## Word salad\n")
    bundled = norm if not args.tables else Normalizer(variants=False, fuzzy=False, context=False)
    lines, guessed, confirmed = word_salad(norm, args.langs, args.sentences, args.seed, BundledNames(norm, bundled))
    print("\n".join(lines))
    first, last = args.arabic
    if last > first:
        print("\n## Arabic words alone against Latin-script aliases\n")
        with tempfile.TemporaryDirectory() as tmp:
            print("\n".join(arabic_vocabulary(latin_only_copy(norm, Path(tmp)), first, last)))
    print(f"\nguessed mentions: {guessed} (word salad, all languages; {confirmed} of them a bundled name of the "
          f"same entity, {guessed - confirmed} false friends)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
