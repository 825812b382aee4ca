"""Run every benchmark and write ``benchmarks/results/<date>.md`` and ``benchmarks/results/latest.md``.

    python benchmarks/run.py                   # everything: 1k/100k/1m matching, resolve, start-up (~20-30 min)
    python benchmarks/run.py --quick           # 1k and 100k only, one timing run each (a few minutes)
    python benchmarks/run.py --only match --sizes 1m

Data are generated on first use into ``benchmarks/.cache/`` (seeded, reproducible, not committed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import HERE, machine  # noqa: E402

BENCHES = ["match", "resolve", "startup"]


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=BENCHES, default=BENCHES)
    ap.add_argument("--sizes", nargs="+", default=None, help="matching sizes (default 1k 100k 1m)")
    ap.add_argument("--quick", action="store_true", help="1k and 100k, one timing run: a smoke run")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    sizes = args.sizes or (["1k", "100k"] if args.quick else ["1k", "100k", "1m"])
    big = [s for s in sizes if s != "1k"] or ["100k"]
    t0 = time.perf_counter()
    sections: list[str] = []
    raw: dict[str, list[dict]] = {}
    for name in args.only:
        try:
            mod = importlib.import_module(f"bench_{name}")
        except ModuleNotFoundError:
            sections.append(f"## {name}\n\nnot run: benchmarks/bench_{name}.py is missing\n")
            continue
        if name == "match":
            argv_b = ["--sizes", *sizes, "--repeat", "1" if args.quick else "2"]
            title = "Matching: `normalize()` end to end vs anchors, one core unless marked"
        elif name == "resolve":
            argv_b = ["--sizes", *big] + (["--queries", "50"] if args.quick else [])
            title = "Fuzzy: `resolve()` vs brute-force rapidfuzz"
        else:
            argv_b = ["--sizes", big[-1]]
            title = "Start-up: `Normalizer(tables=[TSV])` to the first answer"
        print(f"== {name}: {' '.join(argv_b)}", file=sys.stderr, flush=True)
        results = mod.main(argv_b)
        raw[name] = results
        sections.append(
            f"## {title}\n\nCommand: `python benchmarks/bench_{name}.py {' '.join(argv_b)}`\n\n"
            f"{(mod.__doc__ or '').split(chr(10) + chr(10), 2)[-1].strip()}\n\n{mod.markdown(results)}"
        )
    now = dt.datetime.now()
    head = (
        f"# Benchmarks {now:%Y-%m-%d %H:%M}\n\nCommand: `python benchmarks/run.py "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}` ({time.perf_counter() - t0:.0f} s)\n\n"
        f"Machine: {machine()}\n"
    )
    text = head + "\n" + "\n".join(sections)
    args.out.mkdir(parents=True, exist_ok=True)
    dated = args.out / f"{now:%Y-%m-%d}.md"
    dated.write_text(text, encoding="utf-8")
    (args.out / "latest.md").write_text(text, encoding="utf-8")
    (args.out / "raw").mkdir(exist_ok=True)
    (args.out / "raw" / f"{now:%Y-%m-%d}.json").write_text(json.dumps(raw, indent=1))
    print(text)
    print(f"written {dated} and {args.out / 'latest.md'}", file=sys.stderr)
    return dated


if __name__ == "__main__":
    main()
