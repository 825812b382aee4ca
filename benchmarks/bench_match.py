"""Matching benchmark: ``Normalizer.normalize`` end to end against flashtext, pyahocorasick and ahocorasick-rs.

    python benchmarks/bench_match.py                       # all tools, sizes 1k 100k 1m
    python benchmarks/bench_match.py --sizes 1k --tools normalizer flashtext_ci

Every tool runs in a fresh interpreter (honest build time and RSS), builds from the same TSV, then processes the
same corpus one document at a time (``--repeat`` runs).  MB = 10^6 bytes of UTF-8.  Anchors:

* ``flashtext_ci``: flashtext, case-insensitive, on the raw text (it lowercases inside the timed call);
* ``flashtext_fold``, ``pyahocorasick`` (iter_long), ``ahocorasick_rs`` (leftmost-longest): keys and text folded
  with ``unidecode(x).lower()`` *before* timing, plus a word-boundary filter (inside the timed call);
* ``lower``: ``str.lower()`` on the same documents, the proxy for the limit; ``unidecode_fold``: the anchors' fold.

Recall is strict: a gold mention counts when a tool reports exactly its span and its entity among the span's ids
(spans of the folded anchors are mapped back to original offsets, untimed).  ``case_ok`` recall leaves out the
lower-cased spellings of capitalised aliases, which the normalizer's documented case rules reject by design;
``span recall`` counts the span whatever entity was chosen (the normalizer decides one entity where the exact
spelling singles one out; the anchors report every id of the key).  Per-form columns are strict recall.
``normalizer`` is the default ``Normalizer`` (exact/folded matching plus the variant, fuzzy and context passes);
``normalizer_core`` turns those passes off (exact/folded alias matching, this benchmark's subject).  Lazily built
indexes are built by one warm-up call before timing (start-up, see bench_startup).  ``_t2`` / ``_p2``: the same
with 2 threads / 2 forked processes (pool start-up and sending the Mention objects back to the caller included).
"MB/s first run" is the honest figure (no memo warm); "best" is the best of ``--repeat`` runs.  "MB/s CPU" uses
the worker's CPU time instead of wall time (one-thread tools only): on a machine shared with other jobs it moves
much less than wall time, which counts the time the process waits for a core.

``--cache``: the normalizer tools load their tables from the compiled-table cache (``benchmarks/.cache/
match-cache``, filled by a separate process first), as ``Normalizer`` does by default for big tables, so ``build
s`` is the cached start (without it: a cold build, ``cache=False``).  ``--baseline DIR``: also run every
normalizer tool with ``PYTHONPATH=DIR`` (another checkout of the package, e.g. ``git archive`` of an older
commit), reported as ``<tool>@before``: before/after in the same run.  ``--docs N``: the first N documents only.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from _common import HERE, Span, data, load_docs, load_gold, machine, mb, recall, rss_mb, run_times, worker

CACHE_DIR = HERE / ".cache" / "match-cache"

TOOLS = [
    "normalizer",
    "normalizer_p2",
    "normalizer_core",
    "normalizer_core_t2",
    "normalizer_core_p2",
    "flashtext_ci",
    "flashtext_fold",
    "pyahocorasick",
    "ahocorasick_rs",
    "lower",
    "unidecode_fold",
]
ANCHORS = ["flashtext_ci", "flashtext_fold", "pyahocorasick", "ahocorasick_rs", "lower"]


# ------------------------------------------------------------------------------------------------ anchor folding
_ULEN: dict[str, int] = {}


def _fold_map(text: str, folded: str, width: Callable[[str], int]) -> list[int] | None:
    """Folded index -> original index when some character folded to more or fewer than one; else None."""
    if text.isascii() or all(width(c) == 1 for c in set(text) if not c.isascii()):
        return None
    out = []
    for i, c in enumerate(text):
        out.extend([i] * width(c))
    out.append(len(text))
    assert len(out) == len(folded) + 1
    return out


def _uwidth(c: str) -> int:
    from unidecode import unidecode

    if c not in _ULEN:
        _ULEN[c] = len(unidecode(c))
    return _ULEN[c]


def _back(spans: list[tuple[int, int, frozenset[str]]], m: list[int] | None) -> list[Span]:
    if m is None:
        return spans
    return [(m[s], m[e - 1] + 1, ids) for s, e, ids in spans]


def _bounded(text: str, s: int, e: int) -> bool:
    return (s == 0 or not text[s - 1].isalnum()) and (e == len(text) or not text[e].isalnum())


def _read_tsv(path: Path, key: Callable[[str], str]) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            k = key(row[1])
            if k:
                groups.setdefault(k, set()).add(row[0])
    return {k: frozenset(v) for k, v in groups.items()}


def _ufold(s: str) -> str:
    from unidecode import unidecode

    return unidecode(s).lower()


# --------------------------------------------------------------------------------------------------------- tools
def _normalizer(tsv: Path, workers: str = "", cache: bool = False):  # noqa: ANN202
    from normalizer import Normalizer

    params = inspect.signature(Normalizer).parameters
    kw = {"cache": CACHE_DIR if cache else False} if "cache" in params else {}
    opts = set(workers.split("_"))
    if "core" in opts:  # exact/folded alias matching only: the variant, fuzzy and context passes off
        kw.update({k: False for k in ("variants", "fuzzy", "context") if k in params})
    n = Normalizer(tables=[tsv], bundled=False, **kw)
    n.normalize(
        "Warm-up: Mehmet Yılmaz met the Free Syrian Army in Aleppo."
    )  # lazily built indexes: start-up

    def spans(ms) -> list[Span]:  # noqa: ANN001
        return [(m.start, m.end, frozenset([m.id] if m.id else [c.id for c in m.candidates])) for m in ms]

    if "t2" in opts:
        from concurrent.futures import ThreadPoolExecutor

        def run(docs: list[str]) -> list:
            with ThreadPoolExecutor(2) as ex:
                parts = list(ex.map(lambda part: [n.normalize(d).mentions for d in part], _chunks(docs, 32)))
            return [ms for p in parts for ms in p]
    elif "p2" in opts:
        import multiprocessing as mp

        global _N
        _N = n

        def run(docs: list[str]) -> list:
            global _DOCS
            _DOCS = docs
            with mp.get_context("fork").Pool(2) as pool:
                parts = pool.map(_proc_work, _ranges(len(docs), 32))
            return [ms for p in parts for ms in p]
    else:

        def run(docs: list[str]) -> list:
            return [n.normalize(d).mentions for d in docs]

    return run, lambda docs: docs, lambda out, prep: [spans(ms) for ms in out]


_N = None
_DOCS: list[str] = []


def _proc_work(rng: tuple[int, int]) -> list:
    return [_N.normalize(d).mentions for d in _DOCS[rng[0] : rng[1]]]  # type: ignore[union-attr]


def _ranges(n: int, k: int) -> list[tuple[int, int]]:
    step = -(-n // k)
    return [(i, min(n, i + step)) for i in range(0, n, step)]


def _chunks(docs: list[str], k: int) -> list[list[str]]:
    return [docs[a:b] for a, b in _ranges(len(docs), k)]


def _flashtext(tsv: Path, folded: bool):  # noqa: ANN202
    from flashtext import KeywordProcessor

    groups = _read_tsv(tsv, _ufold if folded else str.lower)
    kp = KeywordProcessor(case_sensitive=folded)
    for k, ids in groups.items():
        kp.add_keyword(k, ids)

    def run(texts: list[str]) -> list:
        return [kp.extract_keywords(t, span_info=True) for t in texts]

    if folded:

        def prep(docs: list[str]) -> list[str]:
            return [_ufold(d) for d in docs]

        width = _uwidth
    else:

        def prep(docs: list[str]) -> list[str]:
            return docs

        width = lambda c: len(c.lower())  # noqa: E731

    def spans(out: list, docs: list[str]) -> list[list[Span]]:
        return [
            _back(
                [(s, e, ids) for ids, s, e in o], _fold_map(d, d.lower() if not folded else _ufold(d), width)
            )
            for o, d in zip(out, docs, strict=True)
        ]

    return run, prep, spans


def _pyahocorasick(tsv: Path):  # noqa: ANN202
    import ahocorasick

    groups = _read_tsv(tsv, _ufold)
    auto = ahocorasick.Automaton()
    for k, ids in groups.items():
        auto.add_word(k, (len(k), ids))
    auto.make_automaton()

    def run(texts: list[str]) -> list:
        out = []
        for t in texts:
            hits = []
            for end, (n, ids) in auto.iter_long(t):
                s, e = end - n + 1, end + 1
                if _bounded(t, s, e):
                    hits.append((s, e, ids))
            out.append(hits)
        return out

    return run, lambda docs: [_ufold(d) for d in docs], _folded_spans


def _ahocorasick_rs(tsv: Path):  # noqa: ANN202
    import ahocorasick_rs

    groups = _read_tsv(tsv, _ufold)
    keys = list(groups)
    ids = [groups[k] for k in keys]
    ac = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def run(texts: list[str]) -> list:
        return [
            [(s, e, ids[i]) for i, s, e in ac.find_matches_as_indexes(t) if _bounded(t, s, e)] for t in texts
        ]

    return run, lambda docs: [_ufold(d) for d in docs], _folded_spans


def _folded_spans(out: list, docs: list[str]) -> list[list[Span]]:
    return [_back(o, _fold_map(d, _ufold(d), _uwidth)) for o, d in zip(out, docs, strict=True)]


def _simple(fn: Callable[[str], str]):  # noqa: ANN202
    return (lambda texts: [fn(t) for t in texts]), (lambda docs: docs), None


def build(tool: str, tsv: Path, cache: bool = False):  # noqa: ANN201
    if tool.startswith("normalizer"):
        return _normalizer(tsv, tool.partition("_")[2], cache)
    if tool.startswith("flashtext"):
        return _flashtext(tsv, folded=tool == "flashtext_fold")
    if tool == "pyahocorasick":
        return _pyahocorasick(tsv)
    if tool == "ahocorasick_rs":
        return _ahocorasick_rs(tsv)
    if tool == "lower":
        return _simple(str.lower)
    if tool == "unidecode_fold":
        return _simple(_ufold)
    raise SystemExit(f"unknown tool {tool!r}")


def run_worker(tool: str, size: str, repeat: int, ndocs: int | None = None, cache: bool = False) -> dict:
    """Inside the fresh interpreter: build, measure RSS, time the corpus, compute recall."""
    tsv = data(size)["aliases"]
    if tool == "warm":  # fill the compiled-table cache (not timed)
        from normalizer import Normalizer

        Normalizer(tables=[tsv], bundled=False, cache=CACHE_DIR)
        return {"tool": tool, "size": size}
    before = rss_mb()
    t0 = time.perf_counter()
    run, prep, spans = build(tool, tsv, cache)
    build_s = time.perf_counter() - t0
    after = rss_mb()
    docs = load_docs(size)[:ndocs]
    texts = prep(docs)
    size_mb = mb(docs)
    cpu: list[float] = []

    def timed() -> list:
        c0 = time.process_time()
        got = run(texts)
        cpu.append(time.process_time() - c0)
        return got

    times, out = run_times(timed, repeat)
    seconds = times[0]
    res = {
        "tool": tool,
        "size": size,
        "build_s": round(build_s, 3),
        "rss_mb": round(after["rss"], 1),
        "rss_delta_mb": round(after["rss"] - before["rss"], 1),
        "peak_build_mb": round(after["peak"], 1),
        "mb": round(size_mb, 2),
        "docs": len(docs),
        "seconds": round(seconds, 4),
        "mbps": round(size_mb / seconds, 2),
        "mbps_best": round(size_mb / min(times), 2),
    }
    if not tool.endswith(("_t2", "_p2")):  # one thread: CPU time, robust when other jobs share the cores
        res.update({"cpu_s": round(cpu[0], 4), "mbps_cpu": round(size_mb / max(cpu[0], 1e-9), 2),
                    "mbps_cpu_best": round(size_mb / max(min(cpu), 1e-9), 2)})
    if spans is not None:
        res.update(recall([g for g in load_gold(size) if g["doc"] < len(docs)], spans(out, docs)))
    return res


# ---------------------------------------------------------------------------------------------------- reporting
def markdown(results: list[dict]) -> str:
    lines = []
    for size in dict.fromkeys(r["size"] for r in results):
        rows = [r for r in results if r["size"] == size]
        by = {r["tool"]: r for r in rows if "error" not in r}
        lines += [
            f"\n#### {size} aliases ({rows[0].get('mb', '?')} MB, {rows[0].get('docs', '?')} documents)\n",
            "| tool | build s | RSS MB (Δ build) | MB/s first run | MB/s best | MB/s CPU first (best) | recall | "
            "recall case-ok | span recall case-ok | exact | ascii | lower | UPPER | tr-UPPER | suffixed | other hits |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            if "error" in r:
                lines.append(f"| {r['args'][0]} | error: {' / '.join(r['error'])[-200:]} |")
                continue
            rec = r.get("recall", {})
            forms = " | ".join(
                _pct(rec.get(f"form:{f}"))
                for f in ("exact", "ascii", "lower", "upper", "trupper", "suffixed")
            )
            lines.append(
                f"| {r['tool']} | {r['build_s']:.2f} | {r['rss_mb']:.0f} ({r['rss_delta_mb']:+.0f}) | "
                f"{r['mbps']:.1f} | {r.get('mbps_best', r['mbps']):.1f} | {_cpu(r)} | {_pct(rec.get('all'))} | "
                f"{_pct(rec.get('case_ok'))} | {_pct(rec.get('span_case_ok'))} | {forms} | {r.get('other_hits', '')} |"
            )
        mine = [t for t in by if t.startswith("normalizer")]
        anchors = [a for a in ANCHORS if a in by]
        if mine and anchors:
            lines += [
                "",
                "Speed ratio (first run), normalizer ÷ anchor:",
                "",
                "| | " + " | ".join(anchors) + " |",
                "|---|" + "---:|" * len(anchors),
            ]
            for t in mine:
                cells = " | ".join(f"{by[t]['mbps'] / by[a]['mbps']:.2f}x" for a in anchors)
                lines.append(f"| {t} | {cells} |")
            cpu_mine = [t for t in mine if "mbps_cpu" in by[t]]
            cpu_anchors = [a for a in anchors if "mbps_cpu" in by[a]]
            if cpu_mine and cpu_anchors:
                lines += ["", "The same by CPU time (first run; one-thread tools):", "",
                          "| | " + " | ".join(cpu_anchors) + " |", "|---|" + "---:|" * len(cpu_anchors)]
                for t in cpu_mine:
                    cells = " | ".join(f"{by[t]['mbps_cpu'] / by[a]['mbps_cpu']:.2f}x" for a in cpu_anchors)
                    lines.append(f"| {t} | {cells} |")
    return "\n".join(lines) + "\n"


def _cpu(r: dict) -> str:
    return f"{r['mbps_cpu']:.1f} ({r['mbps_cpu_best']:.1f})" if "mbps_cpu" in r else ""


def _with_path(path: Path | None, fn: Callable[[], dict]) -> dict:
    """``fn()`` with ``PYTHONPATH=path`` for the subprocesses it starts (None: unchanged)."""
    if path is None:
        return fn()
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(Path(path).resolve())
    try:
        return fn()
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "SIZE"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", nargs="+", default=["1k", "100k", "1m"])
    ap.add_argument("--tools", nargs="+", default=TOOLS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    ap.add_argument("--docs", type=int, help="only the first N documents of the corpus")
    ap.add_argument("--cache", action="store_true", help="normalizer tools start from the compiled-table cache")
    ap.add_argument("--baseline", type=Path, help="also run the normalizer tools with PYTHONPATH=BASELINE")
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker[0], args.worker[1], args.repeat, args.docs, args.cache)))
        return []
    opts = ["--repeat", str(args.repeat)] + (["--docs", str(args.docs)] if args.docs else [])
    opts += ["--cache"] if args.cache else []
    results = []
    for size in args.sizes:
        data(size)
        for tool in args.tools:
            versions = [None, args.baseline] if args.baseline and tool.startswith("normalizer") else [None]
            for path in versions:
                if args.cache and tool.startswith("normalizer"):
                    _with_path(path, lambda: worker(Path(__file__), ["warm", size]))  # noqa: B023
                res = _with_path(path, lambda: worker(Path(__file__), [tool, size, *opts]))  # noqa: B023
                if path is not None and "tool" in res:
                    res["tool"] += "@before"
                print(json.dumps(res), file=sys.stderr, flush=True)
                results.append(res)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(f"Machine: {machine()}\n" + markdown(results))
    return results


if __name__ == "__main__":
    main()
