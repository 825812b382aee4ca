"""Fuzzy benchmark: ``Normalizer.resolve(name, limit=5)`` against brute-force rapidfuzz, latency and recall@1.

    python benchmarks/bench_resolve.py                      # 100k and 1m aliases, 300 queries of each kind
    python benchmarks/bench_resolve.py --sizes 100k --queries 50
    python benchmarks/bench_resolve.py --sizes 1m --out results/resolve.md   # append a dated section there

Queries (``benchmarks/generate.py``): a table alias with 1 or 2 random character edits (``edit1``, ``edit2``) and
Arabic names re-spelled with components from different romanisations (``reromanised``: Ebu/Abu/Abou,
el-/al-, Kureyşi/Qurashi/Kuraschi...), spellings no table lists.  A query is answered right at rank 1 when the
first candidate's entity is the query's entity; recall@5 looks at the first five.

* ``resolve``: the public ``n.resolve(q, limit=5)`` on ``Normalizer(tables=[TSV], bundled=False)``.  A separate
  process first fills the compiled-table cache in ``benchmarks/.cache/normalizer-cache`` with the tables and the
  fuzzy index (``index build s``: building the index from the loaded tables, once); the measured process then
  starts from the cache (``build s``: constructor; ``index load s``: the index from the cache), and its RSS is
  taken after the first query (tables + matcher + fuzzy index).
* ``rapidfuzz``: ``process.extractOne(q, aliases, scorer=fuzz.ratio)`` over every alias, pre-processed once
  with ``utils.default_process`` (lower case, punctuation stripped): the brute-force baseline.

Each tool runs in a fresh interpreter, one after the other; latency is wall time per query (``cpu p50``: CPU
time, steadier on a shared machine).  ``x faster`` is rapidfuzz's p50 over resolve's (wall, and CPU), measured in
the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from _common import HERE, data, machine, rss_mb, worker

KINDS = ("edit1", "edit2", "reromanised")
CACHE_DIR = HERE / ".cache" / "normalizer-cache"


def _queries(size: str, per_kind: int) -> list[dict]:
    with data(size)["queries"].open(encoding="utf-8") as fh:
        qs = [json.loads(line) for line in fh]
    return [q for kind in KINDS for q in [q for q in qs if q["kind"] == kind][:per_kind]]


def _normalizer(tsv: Path):  # noqa: ANN202
    os.environ.setdefault("NORMALIZER_CACHE_DIR", str(CACHE_DIR))
    from normalizer import Normalizer

    return Normalizer(tables=[tsv], bundled=False, cache=True)


def _resolve_tool(tsv: Path, out: dict):  # noqa: ANN202
    n = _normalizer(tsv)
    out["build_s"] = time.perf_counter()
    t0 = time.perf_counter()
    index = n.fuzzy_index
    out["index_load_s"] = round(time.perf_counter() - t0, 3)
    out["index_mb"] = round(index.nbytes() / 1e6, 1)

    def ask(q: str) -> list[str]:
        return [c.id for c in n.resolve(q, limit=5)]

    return ask


def _rapidfuzz_tool(tsv: Path, out: dict):  # noqa: ANN202
    from rapidfuzz import fuzz, process, utils

    choices: list[str] = []
    ids: list[str] = []
    with tsv.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            choices.append(utils.default_process(row[1]))
            ids.append(row[0])
    out["build_s"] = time.perf_counter()

    def ask(q: str) -> list[str]:
        best = process.extractOne(utils.default_process(q), choices, scorer=fuzz.ratio, processor=None)
        return [ids[best[2]]] if best else []

    return ask


def _warm(tsv: Path) -> dict:
    """Fill the compiled-table cache: tables, matcher and fuzzy index (timed apart)."""
    t0 = time.perf_counter()
    n = _normalizer(tsv)
    t1 = time.perf_counter()
    index = n.fuzzy_index
    return {"tables_s": round(t1 - t0, 2), "index_build_s": round(time.perf_counter() - t1, 2),
            "index_mb": round(index.nbytes() / 1e6, 1)}


def run_worker(tool: str, size: str, per_kind: int) -> dict:
    tsv = data(size)["aliases"]
    if tool == "warm":
        return {"tool": tool, "size": size, **_warm(tsv)}
    queries = _queries(size, per_kind)
    out: dict = {"tool": tool, "size": size}
    t0 = time.perf_counter()
    ask = _resolve_tool(tsv, out) if tool == "resolve" else _rapidfuzz_tool(tsv, out)
    out["build_s"] = round(out["build_s"] - t0, 2)
    t1 = time.perf_counter()
    ask(queries[0]["query"])
    out["first_query_s"] = round(time.perf_counter() - t1, 3)
    out["rss_mb"] = round(rss_mb()["rss"], 1)
    lat: dict[str, list[float]] = {k: [] for k in KINDS}
    cpu: list[float] = []
    at1: dict[str, int] = dict.fromkeys(KINDS, 0)
    at5: dict[str, int] = dict.fromkeys(KINDS, 0)
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        got = ask(q["query"])
        cpu.append(time.process_time() - c)
        lat[q["kind"]].append(time.perf_counter() - t)
        at1[q["kind"]] += bool(got) and got[0] == q["entity"]
        at5[q["kind"]] += q["entity"] in got[:5]
    every = [x for k in KINDS for x in lat[k]]
    out["queries"] = len(every)
    out["cpu_p50_ms"] = round(statistics.median(cpu) * 1e3, 3)
    for name, xs in (("all", every), *((k, lat[k]) for k in KINDS)):
        if xs:
            qs = statistics.quantiles(xs, n=20) if len(xs) > 1 else [xs[0]] * 19
            out[name] = {"p50_ms": round(statistics.median(xs) * 1e3, 3), "p95_ms": round(qs[18] * 1e3, 3),
                         "n": len(xs)}
            if name != "all":
                out[name].update({"recall_at_1": round(at1[name] / len(xs), 4),
                                  "recall_at_5": round(at5[name] / len(xs), 4)})
    return out


def markdown(results: list[dict]) -> str:
    lines = [
        "| aliases | tool | build s | index build s | index load s | first query s | RSS MB | p50 ms | p95 ms | "
        "cpu p50 ms | x faster (wall / cpu) | " + " | ".join(f"{k} R@1 (R@5)" for k in KINDS) + " |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(KINDS),
    ]
    anchor = {r["size"]: r["all"]["p50_ms"] for r in results if r.get("tool") == "rapidfuzz" and "all" in r}
    cpu_anchor = {r["size"]: r["cpu_p50_ms"] for r in results if r.get("tool") == "rapidfuzz" and "all" in r}
    warm = {r["size"]: r for r in results if r.get("tool") == "warm"}
    for r in results:
        if "error" in r:
            lines.append(f"| {r['args'][1]} | {r['args'][0]} | error: {' / '.join(r['error'])[-200:]} |")
            continue
        if r["tool"] == "warm":
            continue
        cells = " | ".join(f"{100 * r[k]['recall_at_1']:.1f}% ({100 * r[k]['recall_at_5']:.1f}%)" for k in KINDS)
        ratio = anchor.get(r["size"], 0) / r["all"]["p50_ms"] if r["all"]["p50_ms"] else 0
        cpu_ratio = cpu_anchor.get(r["size"], 0) / r["cpu_p50_ms"] if r["cpu_p50_ms"] else 0
        idx_build = warm.get(r["size"], {}).get("index_build_s", "") if r["tool"] == "resolve" else ""
        idx_load = r.get("index_load_s", "")
        lines.append(
            f"| {r['size']} | {r['tool']} | {r['build_s']:.2f} | {idx_build} | {idx_load} | "
            f"{r['first_query_s']:.3f} | {r['rss_mb']:.0f} | {r['all']['p50_ms']:.3f} | {r['all']['p95_ms']:.2f} | "
            f"{r['cpu_p50_ms']:.3f} | {ratio:.0f}x / {cpu_ratio:.0f}x | {cells} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "SIZE"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", nargs="+", default=["100k", "1m"])
    ap.add_argument("--tools", nargs="+", default=["resolve", "rapidfuzz"])
    ap.add_argument("--queries", type=int, default=300, help="queries of each kind")
    ap.add_argument("--out", type=Path, help="append the table as a dated section to this Markdown file")
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker[0], args.worker[1], args.queries)))
        return []
    load0 = os.getloadavg()
    results = []
    for size in args.sizes:
        data(size)
        if "resolve" in args.tools:
            res = worker(Path(__file__), ["warm", size])
            print(json.dumps(res), file=sys.stderr, flush=True)
            results.append(res)
        for tool in args.tools:
            res = worker(Path(__file__), [tool, size, "--queries", str(args.queries)])
            print(json.dumps(res), file=sys.stderr, flush=True)
            results.append(res)
    load1 = os.getloadavg()
    loads = f"load average {load0[0]:.2f} at the start, {load1[0]:.2f} at the end"
    text = f"Machine: {machine()}\n\n{markdown(results)}\n({loads})\n"
    print(text)
    if args.out:
        cmd = "python benchmarks/bench_resolve.py " + " ".join(a for a in (argv or sys.argv[1:]))
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(f"\n## {date.today().isoformat()} {time.strftime('%H:%M')}: `{cmd}`\n\n{text}")
    return results


if __name__ == "__main__":
    main()
