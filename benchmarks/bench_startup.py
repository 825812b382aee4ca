"""Start-up benchmark: time from ``Normalizer(tables=[TSV])`` to the first ``normalize()`` and ``resolve()`` answers.

    python benchmarks/bench_startup.py                 # 1m aliases
    python benchmarks/bench_startup.py --sizes 100k 1m
    python benchmarks/bench_startup.py --sizes 1m --modes cache cache/resolve

Each measurement is a fresh interpreter.  ``cold``: ``cache=False`` (parse, fold, build the automaton and, on the
first answer, the variant index); ``cache-build``: an empty cache directory, so everything is built and the cache
written; ``cache``: the same directory again, so everything the cache holds comes from it; ``-core``: the
variant, fuzzy and context passes off; ``-nofuzzy``: the fuzzy pass off (``normalize()`` then needs the variant
index but not the fuzzy one; ``resolve()`` uses both).  Modes ending in ``/resolve`` call ``resolve()`` first and ``normalize()``
second; the others the reverse.  Every time is measured from the constructor's call (``constructor``) or from
the end of the previous step (``normalize``, ``resolve``: the first call of each, including any index it builds
on first use); ``to first answer`` = constructor + the first call; in brackets the process's CPU seconds (less
sensitive to other load on a shared machine than wall time).  ``import`` is ``import normalizer`` (not in the
other figures); RSS is the process's resident memory after each step.
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
FIRST_NAME = "Ebu Cemal el-Ani"  # a re-romanised name: exact, variant and fuzzy candidate sources all run
MODES = ("cold", "cold/resolve", "cache-build", "cache", "cache/resolve", "cold-core", "cache-core", "cold-nofuzzy",
         "cache-nofuzzy")


def run_worker(size: str, mode: str) -> dict:
    tsv = data(size)["aliases"]
    t0 = time.perf_counter()
    from normalizer import Normalizer

    t_import = time.perf_counter() - t0
    base, _, order = mode.partition("/")
    params = inspect.signature(Normalizer).parameters
    if not base.startswith("cold") and "cache" not in params:
        return {"size": size, "mode": mode, "skipped": "Normalizer has no cache option"}
    kw: dict = {"cache": not base.startswith("cold")} if "cache" in params else {}
    if base.endswith("-core"):  # exact/folded alias matching only: the variant, fuzzy and context passes off
        kw.update({k: False for k in ("variants", "fuzzy", "context") if k in params})
    elif base.endswith("-nofuzzy") and "fuzzy" in params:  # variant and context passes on, the fuzzy pass off
        kw["fuzzy"] = False
    out: dict = {"size": size, "mode": mode, "import_s": round(t_import, 3)}
    t, c = time.perf_counter(), time.process_time()
    n = Normalizer(tables=[tsv], bundled=False, **kw)
    out["construct_s"], out["construct_cpu_s"] = round(time.perf_counter() - t, 3), round(time.process_time() - c, 3)
    out["rss_construct_mb"] = round(rss_mb()["rss"], 1)
    steps = ("resolve", "normalize") if order == "resolve" else ("normalize", "resolve")
    for step in steps:
        t, c = time.perf_counter(), time.process_time()
        if step == "normalize":
            out["mentions"] = len(n.normalize(FIRST_TEXT).mentions)
        else:
            out["candidates"] = len(n.resolve(FIRST_NAME))
        out[f"{step}_s"], out[f"{step}_cpu_s"] = round(time.perf_counter() - t, 3), round(time.process_time() - c, 3)
        out[f"rss_{step}_mb"] = round(rss_mb()["rss"], 1)
    out["aliases"] = n.alias_count
    out["peak_mb"] = round(rss_mb()["peak"], 1)
    return out


def markdown(results: list[dict]) -> str:
    lines = [
        "| aliases | mode | import s | constructor s | first normalize s | first resolve s | to first answer s "
        "| RSS MB constructor / normalize / resolve | peak MB | process wall s | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r or "skipped" in r:
            lines.append(f"| {r.get('size', '')} | {r.get('mode', '')} | {r.get('skipped') or r.get('error')} |")
            continue
        first = "resolve" if r["mode"].endswith("/resolve") else "normalize"

        def t(step: str, r: dict = r) -> str:  # wall (CPU) seconds
            cpu = r.get(f"{step}_cpu_s")
            return f"{r[f'{step}_s']:.2f}" + (f" ({cpu:.2f})" if cpu is not None else "")

        total = {"": r["construct_s"] + r[f"{first}_s"]}
        if "construct_cpu_s" in r:
            total["cpu"] = r["construct_cpu_s"] + r[f"{first}_cpu_s"]
        lines.append(
            f"| {r['size']} | {r['mode']} | {r['import_s']:.2f} | {t('construct')} | {t('normalize')} | "
            f"{t('resolve')} | **{total['']:.2f}**" + (f" ({total['cpu']:.2f})" if "cpu" in total else "") + " | "
            f"{r['rss_construct_mb']:.0f} / "
            f"{r['rss_normalize_mb']:.0f} / {r['rss_resolve_mb']:.0f} | {r['peak_mb']:.0f} | {r['wall_s']:.2f} | {r.get('load', 0):.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs=2, metavar=("SIZE", "MODE"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", nargs="+", default=["1m"])
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES,
                    help="in this order; cache modes after cache-build read what it wrote")
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
                for mode in args.modes:
                    res = worker(Path(__file__), [size, mode])
                    res.setdefault("size", size)
                    res.setdefault("mode", mode)
                    res["load"] = os.getloadavg()[0]
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
