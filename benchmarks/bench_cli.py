"""Throughput and memory of `normalizer normalize` on a generated JSONL file.

    python benchmarks/bench_cli.py                       # ~100 MB under benchmarks/.cache, workers 1 and 2
    python benchmarks/bench_cli.py --size-mb 1024 --cache-dir /tmp/normalizer-bench --workers 2 --delete

The CLI runs as a subprocess (bundled tables unless --tables/--no-bundled), reading the file and writing JSONL to
/dev/null; the peak RSS of the main process and of the whole process tree is sampled from /proc every 0.2 s, and
the CPU time of the CLI and its workers is taken from getrusage.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SENTENCES = [
    "MİT'in operasyonuyla DEAŞ'ın sözde yöneticisi Suriye'de yakalandı; şüpheli Ankara'ya getirildi.",
    "Turkish intelligence (MIT) said the Islamic State cell had planned attacks in Istanbul and Ankara.",
    "Der türkische Geheimdienst MIT hat mit der Polizei in der Türkei einen IS-Anführer festgenommen.",
    "أعلنت تركيا أن الاستخبارات قبضت على قيادي في داعش شمال سوريا.",
    "La Turquie affirme avoir neutralisé un chef de Daech en Syrie.",
    "Η Τουρκία ανακοίνωσε τη σύλληψη στελέχους του ISIS κοντά στα σύνορα με τη Συρία.",
    "Турция сообщила о задержании главаря ИГИЛ на севере Сирии.",
    "Officials said on Tuesday that the talks would continue next week in the capital.",
    "Kaya, Irak'ta ve Suriye'de görülen hücre hakkında bilgi vermedi.",
]


def generate(path: Path, size_mb: float, seed: int = 7) -> int:
    """Write ~size_mb of JSONL records {id, lang, text}; returns the record count."""
    rng = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    n = written = 0
    tmp = path.with_suffix(".part")
    tmp.parent.mkdir(parents=True, exist_ok=True)  # (benchmarks/.cache/ is not in a fresh checkout)
    with tmp.open("w", encoding="utf-8") as f:
        while written < target:
            text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 4)))
            line = json.dumps({"id": n, "lang": "und", "text": text}, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    tmp.replace(path)
    return n


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run(path: Path, workers: int, extra: list[str]) -> dict[str, float]:
    cmd = [
        sys.executable,
        "-m",
        "normalizer",
        "normalize",
        str(path),
        "--workers",
        str(workers),
        "--quiet",
        *extra,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_main = peak_tree = 0
    samples: list[int] = []
    while proc.poll() is None:
        main = _rss_kb(proc.pid)
        tree = main + sum(_rss_kb(c) for c in _children(proc.pid))
        peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
        samples.append(tree)
        time.sleep(0.2)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the pool workers the CLI joined
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    q = max(1, len(samples) // 4)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "load_before": load,
        "peak_main_mb": peak_main / 1024,
        "peak_tree_mb": peak_tree / 1024,
        "tree_first_quarter_mb": max(samples[:q], default=0) / 1024,
        "tree_last_quarter_mb": max(samples[-q:], default=0) / 1024,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=100)
    ap.add_argument("--cache-dir", type=Path, default=HERE / ".cache")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument(
        "--repeat", type=int, default=1, help="run each worker count N times, interleaved; keep the best"
    )
    ap.add_argument("--delete", action="store_true", help="delete the generated file afterwards")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument(
        "cli_args", nargs="*", help="extra CLI arguments after --, e.g. -- --no-bundled --tables x.yaml"
    )
    args = ap.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    path = args.cache_dir / f"bench_{args.size_mb:g}mb.jsonl"
    if not path.exists():
        t = time.perf_counter()
        n = generate(path, args.size_mb)
        print(f"generated {path} ({n:,} records) in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    with path.open("rb") as f:
        n = sum(1 for _ in f)
    size = path.stat().st_size / 1024 / 1024
    rows = []
    try:
        best: dict[int, dict[str, float]] = {}
        for _ in range(args.repeat):
            for w in args.workers:  # interleaved, so a busy spell on the machine hits every worker count
                r = run(path, w, args.cli_args)
                if w not in best or r["seconds"] < best[w]["seconds"]:
                    best[w] = r
        for w in args.workers:
            r = best[w]
            rows.append(
                {
                    "workers": w,
                    "records": n,
                    "size_mb": round(size, 1),
                    **r,
                    "records_per_s": n / r["seconds"],
                    "mb_per_s": size / r["seconds"],
                }
            )
    finally:
        if args.delete:
            path.unlink(missing_ok=True)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"input: {path.name}, {size:.1f} MB, {n:,} records, {os.cpu_count()} CPUs (times include start-up)")
    print(
        f"{'workers':>7} {'seconds':>8} {'CPU s':>7} {'records/s':>10} {'MB/s':>6} {'peak RSS main':>14} "
        f"{'peak RSS all':>13} {'RSS 1st/last quarter':>21} {'load':>5}"
    )
    for r in rows:
        print(
            f"{r['workers']:>7} {r['seconds']:>8.1f} {r['cpu_seconds']:>7.1f} {r['records_per_s']:>10,.0f} "
            f"{r['mb_per_s']:>6.2f} {r['peak_main_mb']:>11.0f} MB {r['peak_tree_mb']:>10.0f} MB "
            f"{r['tree_first_quarter_mb']:>15.0f} / {r['tree_last_quarter_mb']:.0f} MB {r['load_before']:>5.1f}"
        )
    print(
        "CPU s: user+sys of the CLI and its workers; load: 1-minute load average when the run started "
        "(other jobs on the machine slow the runs down)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
