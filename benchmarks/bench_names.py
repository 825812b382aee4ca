"""The name layer's cost: default ``normalize()`` on the dev sets' texts against flashtext's exact matching over
the same aliases, in one run, by CPU time; and where the time goes (stage profile).

    python benchmarks/bench_names.py                  # bundled tables, ../shared/eval/{dev,dev-beat2} texts
    python benchmarks/bench_names.py --repeat 7 --out benchmarks/results/names.md

Figures are ratios within the run (the machine is shared): ``x`` = flashtext's CPU time / ours.  "cold" is the
first pass of a fresh Normalizer (nothing remembered); "warm" the best later pass (names met before are decided
from memory, as in a long-running service or a batch).  ``resolve()`` is timed on the names-dev queries against
brute-force ``rapidfuzz.process.extractOne`` over the same table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))

import normalizer.pipeline as pipeline  # noqa: E402
from normalizer import Normalizer  # noqa: E402

# what a long-running service has done before the texts come: every lazy index and word list loaded (a paragraph
# of its own, in several scripts, none of the dev texts)
WARM_UP = ("Ebu Bekir el-Bağdadi ve Abu Bakr al-Bahgdadi, Daesh'in Suriye'deki liderleri. Пригожин в Бахмуте. "
           "Ο Πριγκόζιν στον Νίγηρα. قال زيلينسكي في أوكرانيا. Jewgeni Prigoschins Söldner.")
STAGES = ("tokenize", "variant_mentions", "fuzzy_mentions", "context_pass", "local_alias_mentions")


def _texts(sets: list[str]) -> list[dict]:
    out = []
    for s in sets:
        out += [json.loads(line) for line in (SHARED / s / "texts.jsonl").read_text(encoding="utf-8").splitlines()]
    return out


def _cpu(fn, repeat: int) -> tuple[float, float]:  # noqa: ANN001
    """(first, best) CPU seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return times[0], min(times[1:] or times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["dev", "dev-beat2"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="append a dated markdown section to this file")
    args = ap.parse_args(argv)
    from flashtext import KeywordProcessor

    texts = _texts(args.sets)
    size = sum(len(t["text"].encode("utf-8")) for t in texts) / 1e6
    norm = Normalizer()
    norm.normalize("warm up: Daesh, Türkiye", lang="en")
    norm.resolve("Daesh")
    kp = KeywordProcessor(case_sensitive=False)
    for ent in norm.tables.entities.values():
        for a in ent.aliases:
            kp.add_keyword(a.text, ent.id)

    def run_flashtext() -> None:
        for t in texts:
            kp.extract_keywords(t["text"], span_info=True)

    def run(n: Normalizer) -> None:
        for t in texts:
            n.normalize(t["text"], lang=t["lang"])

    rows = []
    _, ft = _cpu(run_flashtext, args.repeat)
    rows.append(("flashtext (exact, case-insensitive)", ft, ft))
    fresh = Normalizer()
    for lang in ("en", "de", "ru", "ar"):  # the lazy indexes and word lists, not the memos of these texts
        fresh.normalize(WARM_UP, lang=lang)
    cold, warm = _cpu(lambda: run(fresh), args.repeat)
    rows.append(("normalize(), default (every pass)", cold, warm))
    core = Normalizer(variants=False, fuzzy=False, context=False)
    core.normalize(WARM_UP)
    c0, c1 = _cpu(lambda: run(core), args.repeat)
    rows.append(("normalize(), exact/folded only", c0, c1))

    # stage profile (warm)
    spent = dict.fromkeys(STAGES, 0.0)
    originals = {name: getattr(pipeline, name) for name in STAGES}

    def timed(name: str):  # noqa: ANN202
        fn = originals[name]

        def wrapper(*a, **k):  # noqa: ANN002, ANN003, ANN202
            t0 = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.process_time() - t0
        return wrapper

    for name in STAGES:
        setattr(pipeline, name, timed(name))
    t0 = time.process_time()
    run(fresh)
    total = time.process_time() - t0
    for name, fn in originals.items():
        setattr(pipeline, name, fn)

    lines = [f"## {time.strftime('%Y-%m-%d %H:%M')} — {len(texts)} texts ({size:.3f} MB) of {', '.join(args.sets)}, "
             f"bundled tables ({norm.alias_count} aliases), CPU time, best of {args.repeat}", "",
             "| | cold MB/s | warm MB/s | x flashtext (cold) | x flashtext (warm) |", "|---|---:|---:|---:|---:|"]
    for label, first, best in rows:
        lines.append(f"| {label} | {size / first:.2f} | {size / best:.2f} | {ft / first:.3f} | {ft / best:.3f} |")
    lines += ["", "Stage profile of a warm default pass (share of its CPU time):", "",
              "| stage | ms | share |", "|---|---:|---:|"]
    for name in STAGES:
        lines.append(f"| {name} | {1000 * spent[name]:.1f} | {spent[name] / total:.0%} |")
    rest = total - sum(spent.values())
    lines.append(f"| fold, automaton, exact/folded decisions, the rest | {1000 * rest:.1f} | {rest / total:.0%} |")

    names_file = SHARED / "names-dev" / "names.jsonl"
    if names_file.exists():
        from rapidfuzz import fuzz, process
        from unidecode import unidecode

        table = Normalizer([SHARED / "names-dev" / "names_table.yaml"], bundled=False)
        queries = [json.loads(line)["query"] for line in names_file.read_text(encoding="utf-8").splitlines()]
        primary = [e.name for e in table.tables.entities.values()]
        choices = [unidecode(p).lower() for p in primary]
        table.resolve(queries[0])
        ours, brute = [], []
        for q in queries:
            t0 = time.process_time()
            table.resolve(q, limit=5)
            ours.append(time.process_time() - t0)
            t0 = time.process_time()
            process.extractOne(unidecode(q).lower(), choices, scorer=fuzz.ratio)
            brute.append(time.process_time() - t0)
        lines += ["", f"resolve() on {len(queries)} names-dev queries (281-name table): median "
                  f"{1000 * statistics.median(ours):.2f} ms; brute-force extractOne "
                  f"{1000 * statistics.median(brute):.3f} ms"]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write("\n" + report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
