"""Issue 14's speed figures in one interleaved run, as CPU-time ratios to the anchors.

    python benchmarks/bench_speed.py                         # news + 1m + cli + record (~15-30 min)
    python benchmarks/bench_speed.py --parts news 1m --rounds 7 --out benchmarks/results/speed.md

Parts:

* ``news``: the dev sets' news passages (../shared/eval/dev and dev-beat2, 7 languages) with the bundled tables;
* ``1m``: the generator's 1M-alias table and the first ``--docs`` documents of its corpus (the normalizer from
  the compiled-table cache under benchmarks/.cache/match-cache, filled first if needed);
* ``cli``: ``normalizer normalize --workers 1`` and ``2`` on a generated JSONL file (bench_cli.py), interleaved;
* ``record``: one 5 MB record (news sentences in 7 languages), through the CLI and through ``normalize()`` with
  the passes off, each in a fresh interpreter: time and peak RSS.

Tools of ``news`` and ``1m``, all in one interpreter over the same aliases (the tables' alias texts):
``normalizer`` (default ``Normalizer``: every pass), ``normalizer_core`` (``variants=False, fuzzy=False,
context=False``: exact/folded matching; its time includes the fold and the offsets back into the caller's
string), ``flashtext_ci`` (case-insensitive, on the raw text), ``pyahocorasick`` (``iter_long``) and
``ahocorasick_rs`` (leftmost-longest) on the text casefolded before timing plus a word-boundary filter inside it,
and ``str.lower()`` as a limit.  Each round runs every tool once over its texts (repeated to about
``--min-seconds`` of CPU) in a rotating order (``--pure`` adds ``normalizer_core_pure``: the same on the
Python reference of the compiled path, i.e. the code before it, for before/after in the same run), so a busy spell on the shared machine hits every tool; a tool's
figure is its median MB/s of CPU time (``time.process_time``) over the rounds.  At 1M aliases the default
normalizer runs on the same documents as the others unless ``--default-docs`` asks for fewer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import HERE, machine

ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "eval"
CACHE = HERE / ".cache"
ANCHORS = ("flashtext_ci", "pyahocorasick", "ahocorasick_rs", "lower")
Texts = list[tuple[str, str | None]]


# ------------------------------------------------------------------------------------------------------ tools
def _bounded(text: str, s: int, e: int) -> bool:
    return (s == 0 or not text[s - 1].isalnum()) and (e == len(text) or not text[e].isalnum())


def _anchors(aliases: list[str]) -> dict[str, tuple[Callable[[Texts], object], Callable[[Texts], Texts]]]:
    """name -> (run over prepared texts, prepare texts untimed)."""
    import ahocorasick
    import ahocorasick_rs
    from flashtext import KeywordProcessor

    keys = sorted({a.casefold() for a in aliases if a.strip()})
    kp = KeywordProcessor(case_sensitive=False)
    for a in aliases:
        if a.strip():
            kp.add_keyword(a, a)
    auto = ahocorasick.Automaton()
    for k in keys:
        auto.add_word(k, len(k))
    auto.make_automaton()
    rs = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def casefold(texts: Texts) -> Texts:
        return [(t.casefold(), lang) for t, lang in texts]

    def same(texts: Texts) -> Texts:
        return texts

    def run_flash(texts: Texts) -> int:
        return sum(len(kp.extract_keywords(t, span_info=True)) for t, _ in texts)

    def run_pyaho(texts: Texts) -> int:
        n = 0
        for t, _ in texts:
            for end, length in auto.iter_long(t):
                n += _bounded(t, end - length + 1, end + 1)
        return n

    def run_rs(texts: Texts) -> int:
        n = 0
        for t, _ in texts:
            for _, s, e in rs.find_matches_as_indexes(t):
                n += _bounded(t, s, e)
        return n

    def run_lower(texts: Texts) -> int:
        return sum(len(t.lower()) for t, _ in texts)

    return {"flashtext_ci": (run_flash, same), "pyahocorasick": (run_pyaho, casefold),
            "ahocorasick_rs": (run_rs, casefold), "lower": (run_lower, same)}


def _normalizer_tool(n, pure: bool = False) -> tuple[Callable[[Texts], object], Callable[[Texts], Texts]]:  # noqa: ANN001
    """``pure``: the Python reference of the compiled path (the code before it), for before/after in one run."""
    from normalizer import compiled

    def run(texts: Texts) -> int:
        def count() -> int:
            return sum(len(n.normalize(t, lang).mentions) for t, lang in texts)

        return compiled.run_on(False, count) if pure else count()

    return run, lambda texts: texts


def _normalizer_tools(default, core, args: argparse.Namespace) -> dict:  # noqa: ANN001
    tools = {"normalizer": _normalizer_tool(default), "normalizer_core": _normalizer_tool(core)}
    if args.pure:
        tools["normalizer_core_pure"] = _normalizer_tool(core, pure=True)
    return tools


# ---------------------------------------------------------------------------------------------- interleaving
def interleaved(tools: dict, texts: dict[str, Texts], rounds: int, min_seconds: float) -> dict[str, dict]:
    """Median CPU MB/s per tool over ``rounds`` rotating rounds (each tool's texts repeated to ``min_seconds``)."""
    prepared, reps, nbytes = {}, {}, {}
    for name, (run, prep) in tools.items():
        prepared[name] = prep(texts[name])
        nbytes[name] = sum(len(t.encode("utf-8")) for t, _ in texts[name])
        run(prepared[name][:3])  # warm-up: lazily built indexes, memos of the first texts only
        t0 = time.process_time()
        run(prepared[name])
        one = max(time.process_time() - t0, 1e-6)
        reps[name] = max(1, round(min_seconds / one))
    speeds: dict[str, list[float]] = {name: [] for name in tools}
    names = list(tools)
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            run = tools[name][0]
            t0 = time.process_time()
            for _ in range(reps[name]):
                run(prepared[name])
            speeds[name].append(nbytes[name] * reps[name] / 1e6 / (time.process_time() - t0))
    return {name: {"mb_s": statistics.median(v), "min": min(v), "max": max(v), "mb": nbytes[name] / 1e6,
                   "reps": reps[name]} for name, v in speeds.items()}


def _table(title: str, res: dict[str, dict], load: tuple[float, float]) -> list[str]:
    out = [f"### {title}", "", f"load average before/after: {load[0]:.1f} / {load[1]:.1f}", "",
           "| tool | MB/s (CPU, median) | range | MB per pass | x flashtext_ci | x pyahocorasick | x ahocorasick_rs |",
           "|---|---|---|---|---|---|---|"]
    for name, r in res.items():
        ratios = [f"{r['mb_s'] / res[a]['mb_s']:.2f}" if a in res else "" for a in ANCHORS[:3]]
        out.append(f"| {name} | {r['mb_s']:.3f} | {r['min']:.3f}-{r['max']:.3f} | {r['mb']:.3f} x {r['reps']} | "
                   + " | ".join(ratios) + " |")
    return out + [""]


def part_news(args: argparse.Namespace) -> list[str]:
    from normalizer import Normalizer

    texts: Texts = []
    for name in ("dev", "dev-beat2"):
        for line in (SHARED / name / "texts.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.append((row["text"], row.get("lang")))
    default = Normalizer()
    core = Normalizer(variants=False, fuzzy=False, context=False)
    aliases = [a.text for e in core.tables.entities.values() for a in e.aliases]
    tools = {**_normalizer_tools(default, core, args), **_anchors(aliases)}
    load0 = os.getloadavg()[0]
    res = interleaved(tools, {k: texts for k in tools}, args.rounds, args.min_seconds)
    return _table(f"News passages ({len(texts)} texts, 7 languages, {sum(len(t.encode()) for t, _ in texts) / 1e6:.3f} MB), "
                  f"bundled tables ({len(aliases):,} aliases)", res, (load0, os.getloadavg()[0]))


def part_1m(args: argparse.Namespace) -> list[str]:
    sys.path.insert(0, str(HERE))
    from generate import generate

    from normalizer import Normalizer

    paths = generate("1m")
    docs: Texts = []
    with paths["corpus"].open(encoding="utf-8") as fh:
        for line, _ in zip(fh, range(args.docs), strict=False):
            row = json.loads(line)
            docs.append((row["text"], None))
    aliases = []
    with paths["aliases"].open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            aliases.append(line.split("\t")[1])
    cache = CACHE / "match-cache"
    core = Normalizer([paths["aliases"]], bundled=False, cache=cache, variants=False, fuzzy=False, context=False)
    default = Normalizer([paths["aliases"]], bundled=False, cache=cache)
    tools = {**_normalizer_tools(default, core, args), **_anchors(aliases)}
    texts = {k: docs for k in tools}
    texts["normalizer"] = docs[: args.default_docs or len(docs)]
    load0 = os.getloadavg()[0]
    res = interleaved(tools, texts, args.rounds, args.min_seconds)
    return _table(f"1M aliases, generator corpus ({len(docs)} documents; the default normalizer: the first "
                  f"{min(args.default_docs or len(docs), len(docs))})", res, (load0, os.getloadavg()[0]))


def part_cli(args: argparse.Namespace) -> list[str]:
    sys.path.insert(0, str(HERE))
    import bench_cli

    path = CACHE / f"bench_{args.cli_mb:g}mb.jsonl"
    if not path.exists():
        bench_cli.generate(path, args.cli_mb)
    best: dict[int, dict] = {}
    load0 = os.getloadavg()[0]
    for _ in range(args.cli_repeat):
        for w in (1, 2):
            r = bench_cli.run(path, w, [])
            if w not in best or r["cpu_seconds"] < best[w]["cpu_seconds"]:
                best[w] = r
    one, two = best[1], best[2]
    return [f"### CLI `normalizer normalize --workers 1|2` ({path.name}, default Normalizer, bundled tables)", "",
            f"load average before/after: {load0:.1f} / {os.getloadavg()[0]:.1f}", "",
            "| workers | wall s | CPU s (all processes) | peak RSS all |", "|---|---|---|---|",
            *[f"| {w} | {best[w]['seconds']:.1f} | {best[w]['cpu_seconds']:.1f} | {best[w]['peak_tree_mb']:.0f} MB |"
              for w in (1, 2)],
            "", f"speed-up of 2 workers (wall): x{one['seconds'] / two['seconds']:.2f}; CPU s per worker count: "
            f"{one['cpu_seconds']:.1f} / {two['cpu_seconds']:.1f} (a loaded 2-core machine gives the second worker "
            "only what the other jobs leave)", ""]


RECORD_PROBE = """
import sys, time
from pathlib import Path
from normalizer import Normalizer

def peak_mb():  # VmHWM: this process's peak RSS (ru_maxrss would carry the forking parent's over exec)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

text = Path(sys.argv[1]).read_text(encoding="utf-8")
core = sys.argv[2] == "core"
n = Normalizer(**({"variants": False, "fuzzy": False, "context": False} if core else {}))
n.normalize("MİT'in Daesh operasyonu.")
rss0 = peak_mb()
t0, c0 = time.perf_counter(), time.process_time()
r = n.normalize(text)
print(time.perf_counter() - t0, time.process_time() - c0, len(r.mentions), rss0, peak_mb())
"""


def part_record(args: argparse.Namespace) -> list[str]:
    sys.path.insert(0, str(HERE))
    import random

    import bench_cli

    rng = random.Random(5)
    parts, size = [], 0
    while size < args.record_mb * 1e6:
        s = rng.choice(bench_cli.SENTENCES)
        parts.append(s)
        size += len(s.encode("utf-8")) + 1
    text = " ".join(parts)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        txt = Path(tmp) / "record.txt"
        txt.write_text(text, encoding="utf-8")
        for kind in args.record_kinds:
            out = subprocess.run([sys.executable, "-c", RECORD_PROBE, str(txt), kind], capture_output=True,
                                 text=True, check=True, timeout=3600).stdout.split()
            wall, cpu, n, rss0, peak = map(float, out)
            rows.append(f"| normalize(), {kind} | {wall:.2f} | {cpu:.2f} | {int(n):,} | {peak:.0f} MB "
                        f"({rss0:.0f} before the call) |")
        if "cli" in args.record_kinds_cli:
            jl = Path(tmp) / "record.jsonl"
            jl.write_text(json.dumps({"id": 1, "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
            r = bench_cli.run(jl, 1, ["--max-record-chars", "0"])  # the CLI's default cap is 1M characters
            rows.append(f"| CLI, default, 1 worker (start-up included) | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} "
                        f"| | {r['peak_tree_mb']:.0f} MB |")
    return [f"### One {len(text.encode()) / 1e6:.1f} MB record (news sentences in 7 languages, bundled tables)", "",
            "| how | wall s | CPU s | mentions | peak RSS |", "|---|---|---|---|---|", *rows, ""]


PARTS = {"news": part_news, "1m": part_1m, "cli": part_cli, "record": part_record}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", nargs="+", default=list(PARTS), choices=list(PARTS))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-seconds", type=float, default=0.3, help="CPU seconds per tool per round (about)")
    ap.add_argument("--docs", type=int, default=400, help="1m: documents of the corpus")
    ap.add_argument("--default-docs", type=int, default=0,
                    help="1m: documents for the default normalizer (default: all --docs, as the other tools)")
    ap.add_argument("--cli-mb", type=float, default=2.0)
    ap.add_argument("--cli-repeat", type=int, default=2)
    ap.add_argument("--record-mb", type=float, default=5.0)
    ap.add_argument("--record-kinds", nargs="*", default=["core", "default"], choices=["core", "default"])
    ap.add_argument("--record-kinds-cli", nargs="*", default=["cli"], choices=["cli"])
    ap.add_argument("--pure", action="store_true", help="also normalizer_core on the Python reference (before/after)")
    ap.add_argument("--out", type=Path, help="also write the report here (markdown)")
    args = ap.parse_args()
    from normalizer import compiled

    lines = ["## Speed (benchmarks/bench_speed.py)", "", f"`python benchmarks/bench_speed.py {' '.join(sys.argv[1:])}`"
             f" on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; compiled path: {compiled.USE}", "",
             machine(), ""]
    print("\n".join(lines), flush=True)
    for part in args.parts:  # each part printed and written as it ends (a later failure loses nothing before it)
        got = PARTS[part](args)
        lines += got
        print("\n".join(got), flush=True)
        if args.out:
            args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
