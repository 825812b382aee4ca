"""Fuzzy benchmark: ``Normalizer.resolve(name, limit=5)`` against brute-force rapidfuzz, latency and recall@1.

    python benchmarks/bench_resolve.py                      # 100k and 1m aliases, 300 queries of each kind
    python benchmarks/bench_resolve.py --sizes 100k --queries 50

Queries (``benchmarks/generate.py``): a table alias with 1 or 2 random character edits (``edit1``, ``edit2``) and
Arabic names re-spelled with components from different romanisations (``reromanised``: Ebu/Abu/Abou,
el-/al-, Kureyşi/Qurashi/Kuraschi...), spellings no table lists.  A query is answered right at rank 1 when the
first candidate's entity is the query's entity; recall@5 looks at the first five.

* ``resolve``: the public ``n.resolve(q, limit=5)`` on ``Normalizer(tables=[TSV], bundled=False)`` (tables from
  the compiled-table cache in ``benchmarks/.cache/normalizer-cache``, filled by a separate process first, so
  ``build s`` is the cached start; the first query, which builds any lazy index, is timed separately as
  ``first query s``);
* ``rapidfuzz``: ``process.extractOne(q, aliases, scorer=fuzz.ratio)`` over every alias, pre-processed once
  with ``utils.default_process`` (lower case, punctuation stripped): the brute-force baseline.

Each tool runs in a fresh interpreter; RSS is measured after the first query.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path

from _common import HERE, data, machine, rss_mb, worker

KINDS = ("edit1", "edit2", "reromanised")
CACHE_DIR = HERE / ".cache" / "normalizer-cache"


def _queries(size: str, per_kind: int) -> list[dict]:
    with data(size)["queries"].open(encoding="utf-8") as fh:
        qs = [json.loads(line) for line in fh]
    return [q for kind in KINDS for q in [q for q in qs if q["kind"] == kind][:per_kind]]


def _resolve_tool(tsv: Path):  # noqa: ANN202
    os.environ.setdefault("NORMALIZER_CACHE_DIR", str(CACHE_DIR))
    from normalizer import Normalizer

    n = Normalizer(tables=[tsv], bundled=False)

    def ask(q: str) -> list[str]:
        return [c.id for c in n.resolve(q, limit=5)]

    return ask


def _rapidfuzz_tool(tsv: Path):  # noqa: ANN202
    from rapidfuzz import fuzz, process, utils

    choices: list[str] = []
    ids: list[str] = []
    with tsv.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            choices.append(utils.default_process(row[1]))
            ids.append(row[0])

    def ask(q: str) -> list[str]:
        best = process.extractOne(utils.default_process(q), choices, scorer=fuzz.ratio, processor=None)
        return [ids[best[2]]] if best else []

    return ask


def run_worker(tool: str, size: str, per_kind: int) -> dict:
    tsv = data(size)["aliases"]
    if tool == "warm":  # fill the compiled-table cache, so "build s" of resolve below is the cached start
        t0 = time.perf_counter()
        _resolve_tool(tsv)
        return {"tool": tool, "size": size, "build_s": round(time.perf_counter() - t0, 2)}
    queries = _queries(size, per_kind)
    t0 = time.perf_counter()
    ask = _resolve_tool(tsv) if tool == "resolve" else _rapidfuzz_tool(tsv)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    ask(queries[0]["query"])
    first_s = time.perf_counter() - t1
    rss = rss_mb()
    lat: dict[str, list[float]] = {k: [] for k in KINDS}
    at1: dict[str, int] = dict.fromkeys(KINDS, 0)
    at5: dict[str, int] = dict.fromkeys(KINDS, 0)
    for q in queries:
        t = time.perf_counter()
        got = ask(q["query"])
        lat[q["kind"]].append(time.perf_counter() - t)
        at1[q["kind"]] += bool(got) and got[0] == q["entity"]
        at5[q["kind"]] += q["entity"] in got[:5]
    every = [x for k in KINDS for x in lat[k]]
    out = {
        "tool": tool,
        "size": size,
        "build_s": round(build_s, 2),
        "first_query_s": round(first_s, 3),
        "rss_mb": round(rss["rss"], 1),
        "queries": len(every),
    }
    for name, xs in (("all", every), *((k, lat[k]) for k in KINDS)):
        if xs:
            qs = statistics.quantiles(xs, n=20) if len(xs) > 1 else [xs[0]] * 19
            out[name] = {
                "p50_ms": round(statistics.median(xs) * 1e3, 3),
                "p95_ms": round(qs[18] * 1e3, 3),
                "n": len(xs),
            }
            if name != "all":
                out[name].update(
                    {
                        "recall_at_1": round(at1[name] / len(xs), 4),
                        "recall_at_5": round(at5[name] / len(xs), 4),
                    }
                )
    return out


def markdown(results: list[dict]) -> str:
    lines = [
        "| aliases | tool | build s | first query s | RSS MB | p50 ms | p95 ms | "
        + " | ".join(f"{k} R@1 (R@5)" for k in KINDS)
        + " |",
        "|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(KINDS),
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['args'][1]} | {r['args'][0]} | error: {' / '.join(r['error'])[-200:]} |")
            continue
        cells = " | ".join(
            f"{100 * r[k]['recall_at_1']:.1f}% ({100 * r[k]['recall_at_5']:.1f}%)" for k in KINDS
        )
        lines.append(
            f"| {r['size']} | {r['tool']} | {r['build_s']:.2f} | {r['first_query_s']:.2f} | "
            f"{r['rss_mb']:.0f} | {r['all']['p50_ms']:.2f} | {r['all']['p95_ms']:.2f} | {cells} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "SIZE"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", nargs="+", default=["100k", "1m"])
    ap.add_argument("--tools", nargs="+", default=["resolve", "rapidfuzz"])
    ap.add_argument("--queries", type=int, default=300, help="queries of each kind")
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker[0], args.worker[1], args.queries)))
        return []
    results = []
    for size in args.sizes:
        data(size)
        if "resolve" in args.tools:
            print(json.dumps(worker(Path(__file__), ["warm", size])), file=sys.stderr, flush=True)
        for tool in args.tools:
            res = worker(Path(__file__), [tool, size, "--queries", str(args.queries)])
            print(json.dumps(res), file=sys.stderr, flush=True)
            results.append(res)
    print(f"Machine: {machine()}\n\n" + markdown(results))
    return results


if __name__ == "__main__":
    main()
