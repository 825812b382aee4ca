"""Shared helpers for the benchmarks: data loading, RSS, recall, fresh-subprocess workers, machine description."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from generate import generate

HERE = Path(__file__).resolve().parent
Span = tuple[int, int, frozenset[str]]  # start, end, entity ids the tool gives for the span


def rss_mb() -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident set size of this process in MB (Linux /proc)."""
    out = {"rss": 0.0, "peak": 0.0}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                out["peak"] = int(line.split()[1]) / 1024
    except OSError:
        import resource

        out["peak"] = out["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def data(size: str) -> dict[str, Path]:
    """Paths of the generated files for ``size`` (generated on first use)."""
    return generate(size)


def load_docs(size: str) -> list[str]:
    with data(size)["corpus"].open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def load_gold(size: str) -> list[dict]:
    with data(size)["gold"].open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def mb(docs: Iterable[str]) -> float:
    """Size in MB (10^6 bytes of UTF-8)."""
    return sum(len(d.encode("utf-8")) for d in docs) / 1e6


def run_times(fn, repeat: int) -> tuple[list[float], object]:  # noqa: ANN001
    """Wall times of ``repeat`` calls of ``fn()`` (the first is the honest one: no memo is warm) and the last
    result."""
    times, out = [], None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def recall(gold: list[dict], found: Sequence[Iterable[Span]]) -> dict:
    """Strict recall (same span and the gold entity among the span's ids), overall, case-admitted, per form;
    ``span`` / ``span_case_ok``: the span alone, whatever entity the tool chose."""
    spans: list[dict[tuple[int, int], frozenset[str]]] = [{(s, e): ids for s, e, ids in doc} for doc in found]
    total, hit = Counter(), Counter()
    for g in gold:
        ids = spans[g["doc"]].get((g["start"], g["end"]))
        ok = ids is not None and g["entity"] in ids
        keys = ("all", f"form:{g['form']}") + (("case_ok",) if g["case_ok"] else ())
        for k in keys:
            total[k] += 1
            hit[k] += ok
        for k in ("span",) + (("span_case_ok",) if g["case_ok"] else ()):
            total[k] += 1
            hit[k] += ids is not None
    gold_spans = defaultdict(set)
    for g in gold:
        gold_spans[g["doc"]].add((g["start"], g["end"]))
    other = sum(1 for d, doc in enumerate(spans) for sp in doc if sp not in gold_spans[d])
    return {
        "recall": {k: round(hit[k] / total[k], 4) for k in sorted(total)},
        "n_gold": total["all"],
        "other_hits": other,
    }


def worker(script: Path, args: Sequence[str], timeout: float = 3600) -> dict:
    """Run ``script --worker args`` in a fresh interpreter; it prints one JSON object on its last stdout line."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script), "--worker", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=HERE,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-5:], "args": list(args)}
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["wall_s"] = round(time.perf_counter() - t0, 2)
    return res


def machine() -> str:
    """One paragraph describing the machine, Python and library versions."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    libs = []
    for lib in ("ahocorasick-rs", "pyahocorasick", "flashtext", "rapidfuzz", "unidecode"):
        try:
            libs.append(f"{lib} {version(lib)}")
        except PackageNotFoundError:
            libs.append(f"{lib} (missing)")
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem} RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()} ({platform.python_implementation()}); {', '.join(libs)}; "
        f"commit {git or '?'}"
    )
