"""Start-up benchmark: time from ``Normalizer(tables=[TSV])`` to the first answer, cold and from the cache.

    python benchmarks/bench_startup.py                 # 1m aliases
    python benchmarks/bench_startup.py --sizes 100k 1m

Each measurement is a fresh interpreter.  ``cold``: ``cache=False`` (parse, fold, build the automaton);
``cache-build``: an empty cache directory, so the table is built and the cache written; ``cache``: the same
directory again, so everything comes from the cache; ``-core``: the same with the variant, fuzzy and context
passes off (their indexes are built on the first answer and are not cached).  ``import`` is ``import normalizer`` (not in the other
figures); RSS is the process's resident memory after the first answer.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _common import data, machine, rss_mb, worker

FIRST_TEXT = "Officials in Aleppo said Mehmet Yılmaz'ın ekibi met the Free Syrian Army on Monday."


def run_worker(size: str, mode: str) -> dict:
    tsv = data(size)["aliases"]
    t0 = time.perf_counter()
    from normalizer import Normalizer

    t_import = time.perf_counter() - t0
    has_cache = "cache" in inspect.signature(Normalizer).parameters
    if not mode.startswith("cold") and not has_cache:
        return {"size": size, "mode": mode, "skipped": "Normalizer has no cache option"}
    kw = {"cache": not mode.startswith("cold")} if has_cache else {}
    if mode.endswith("-core"):  # exact/folded alias matching only: the variant, fuzzy and context passes off
        params = inspect.signature(Normalizer).parameters
        kw.update({k: False for k in ("variants", "fuzzy", "context") if k in params})
    t1 = time.perf_counter()
    n = Normalizer(tables=[tsv], bundled=False, **kw)
    t2 = time.perf_counter()
    r = n.normalize(FIRST_TEXT)
    t3 = time.perf_counter()
    return {
        "size": size,
        "mode": mode,
        "import_s": round(t_import, 3),
        "construct_s": round(t2 - t1, 3),
        "first_answer_s": round(t3 - t1, 3),
        "mentions": len(r.mentions),
        "aliases": n.alias_count,
        "rss_mb": round(rss_mb()["rss"], 1),
    }


def markdown(results: list[dict]) -> str:
    lines = [
        "| aliases | mode | import s | constructor s | constructor → first answer s | process wall s | RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r or "skipped" in r:
            lines.append(
                f"| {r.get('size', '')} | {r.get('mode', '')} | {r.get('skipped') or r.get('error')} |"
            )
            continue
        lines.append(
            f"| {r['size']} | {r['mode']} | {r['import_s']:.2f} | {r['construct_s']:.2f} | "
            f"**{r['first_answer_s']:.2f}** | {r['wall_s']:.2f} | {r['rss_mb']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs=2, metavar=("SIZE", "MODE"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", nargs="+", default=["1m"])
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(*args.worker)))
        return []
    results = []
    old = os.environ.get("NORMALIZER_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="normalizer-bench-cache-") as tmp:
        os.environ["NORMALIZER_CACHE_DIR"] = tmp  # a private, empty cache: the first cached run builds it
        try:
            for size in args.sizes:
                data(size)
                for mode in ("cold", "cache-build", "cache", "cold-core", "cache-core"):
                    res = worker(Path(__file__), [size, mode])
                    res.setdefault("size", size)
                    res.setdefault("mode", mode)
                    print(json.dumps(res), file=sys.stderr, flush=True)
                    results.append(res)
        finally:
            if old is None:
                os.environ.pop("NORMALIZER_CACHE_DIR", None)
            else:
                os.environ["NORMALIZER_CACHE_DIR"] = old
    print(f"Machine: {machine()}\n\n" + markdown(results))
    return results


if __name__ == "__main__":
    main()
