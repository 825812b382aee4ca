"""normalize_column in a local[2] Spark session against `normalizer normalize --workers 2`, same JSONL, same run.

    python benchmarks/bench_spark.py                          # 5 MB JSONL, bundled tables, then a 1M-alias table
    python benchmarks/bench_spark.py --size-mb 20 --repeat 3 --transports
    python benchmarks/bench_spark.py --big none --out benchmarks/results/spark.md

Needs the spark and bench extras (pip install -e '.[spark,bench]') and Java. Measured:

* session start-up: ``SparkSession.builder...getOrCreate()`` (a new JVM);
* first-batch latency: ``normalize_column`` on a one-row DataFrame, split into the driver's part (stage and
  compile the tables, ship them) and the first job (Python worker start, Normalizer load, one batch);
* records/s: the JSONL read with ``spark.read.json`` (explicit schema: no inference pass) and written with
  ``.write.json``, against the CLI reading it and writing JSONL to /dev/null; runs alternate (CLI, Spark, ...).
  CPU seconds: the CLI's own rusage; for Spark the JVM and its Python workers (psutil, the process tree);
* ``--transports``: the same job through a pandas UDF (where Arrow UDFs exist), ``mapInPandas`` and
  ``mapInArrow`` (the whole row crosses to Python and back) instead of the Arrow UDF (only the text column does);
* executor RSS: each Python worker process holds one Normalizer; with the bundled tables, then in a new session
  with bundled + the 1M-alias table of ``benchmarks/generate.py`` (``--big``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_cli import generate as generate_jsonl  # noqa: E402  (the CLI benchmark's input: same sentences)

SCHEMA = "id long, lang string, text string"


def start_session(partition_bytes: int):  # noqa: ANN201
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    t0 = time.perf_counter()
    spark = (SparkSession.builder.master("local[2]").appName("bench-spark").config("spark.ui.enabled", "false")
             .config("spark.sql.files.maxPartitionBytes", str(partition_bytes))
             .config("spark.driver.memory", "2g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark, time.perf_counter() - t0


def tree_cpu() -> float:
    """User + system CPU seconds of this process's descendants (the JVM, the Python daemon and its workers)."""
    total = 0.0
    for p in psutil.Process().children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def worker_rss() -> dict[str, float]:
    """RSS in MB of the JVM and of each Python worker (the processes forked by pyspark.daemon)."""
    jvm, workers = 0.0, []
    for p in psutil.Process().children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
            rss = p.memory_info().rss / 2**20
            if "java" in cmd.split(" ")[0]:
                jvm += rss
            elif "pyspark.daemon" in cmd and "pyspark.daemon" in " ".join(p.parent().cmdline()):
                workers.append(rss)
        except psutil.Error:
            pass
    return {"jvm": jvm, "workers": sorted(workers, reverse=True)}


def run_cli(path: Path, tables: list[str]) -> dict[str, float]:
    cmd = [sys.executable, "-m", "normalizer", "normalize", str(path), "--workers", "2", "--quiet"]
    if tables:
        cmd += ["--tables", *tables]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime}


def run_spark(spark, path: Path, tables: list[str], transport: str = "udf") -> dict[str, float]:  # noqa: ANN001
    from normalizer import spark as nzs
    from normalizer.spark import normalize_column

    out_dir = Path(tempfile.mkdtemp(prefix="bench-spark-out-"))
    cpu0, t0 = tree_cpu(), time.perf_counter()
    df = spark.read.schema(SCHEMA).json(str(path))
    nzs._PANDAS_UDF = transport == "pandas-udf"
    try:
        out = normalize_column(df, "text", tables=tables) if "udf" in transport else _map_transport(df, tables, transport)
        out.write.mode("overwrite").json(str(out_dir / "o"))
    finally:
        nzs._PANDAS_UDF = False
    res = {"wall": time.perf_counter() - t0, "cpu": tree_cpu() - cpu0}
    shutil.rmtree(out_dir, ignore_errors=True)
    return res


def _map_transport(df, tables: list[str], transport: str):  # noqa: ANN001, ANN202
    """The same work through mapInPandas / mapInArrow: every column goes to Python and back."""
    import pyarrow as pa
    from pyspark.sql import types as T
    from pyspark.sql.pandas.types import to_arrow_type

    from normalizer import spark as nzs
    from normalizer import spark_worker

    job = nzs._prepare(df, tables, True, True)
    mentions, error = T.ArrayType(nzs.mention_type()), nzs._error_type()
    schema = T.StructType(df.schema.fields + [T.StructField("mentions", mentions), T.StructField("normalize_error", error)])
    if transport == "pandas":
        def run(frames):  # noqa: ANN001, ANN202
            for pdf in frames:
                rows = spark_worker.normalize_rows(job, pdf["text"].tolist(), [None] * len(pdf), max_text_chars=None)
                pdf["mentions"], pdf["normalize_error"] = [r[0] for r in rows], [r[1] for r in rows]
                yield pdf
        return df.mapInPandas(run, schema)
    m_type, e_type = to_arrow_type(mentions), to_arrow_type(error)

    def run_arrow(batches):  # noqa: ANN001, ANN202
        for b in batches:
            rows = spark_worker.normalize_rows(job, b.column("text").to_pylist(), [None] * b.num_rows,
                                               max_text_chars=None)
            cols = b.columns + [pa.array([r[0] for r in rows], m_type), pa.array([r[1] for r in rows], e_type)]
            yield pa.RecordBatch.from_arrays(cols, names=b.schema.names + ["mentions", "normalize_error"])
    return df.mapInArrow(run_arrow, schema)


def first_batch(spark, tables: list[str]) -> dict[str, float]:  # noqa: ANN001
    from normalizer.spark import normalize_column

    df = spark.createDataFrame([(0, "und", "MİT'in Daesh operasyonu Türkiye'de.")], SCHEMA)
    t0 = time.perf_counter()
    out = normalize_column(df, "text", tables=tables)
    t1 = time.perf_counter()
    out.collect()
    return {"driver": t1 - t0, "job": time.perf_counter() - t1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=5.0)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--big", default="1m", choices=["1k", "100k", "1m", "none"], help="generated table for the RSS")
    ap.add_argument("--transports", action="store_true", help="also time mapInPandas and mapInArrow")
    ap.add_argument("--out", type=Path, help="append the results (markdown) to this file")
    args = ap.parse_args()
    os.environ["NORMALIZER_SPARK_STAGE"] = str(HERE / ".cache" / "spark-stage")
    path = HERE / ".cache" / f"spark_{args.size_mb:g}mb.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    records = generate_jsonl(path, args.size_mb) if not path.exists() else sum(1 for _ in path.open("rb"))
    lines = [f"## {time.strftime('%Y-%m-%d %H:%M')} `{' '.join(sys.argv[1:]) or '(defaults)'}`", "",
             f"{platform.node()}, {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}; "
             f"{records:,} records, {path.stat().st_size / 1e6:.1f} MB of JSONL", ""]

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    spark, startup = start_session(max(1 << 20, path.stat().st_size // 8))
    say(f"- session start-up: {startup:.1f} s")
    fb = first_batch(spark, [])
    say(f"- first batch, bundled tables: {fb['driver']:.2f} s on the driver (stage, compile, ship) + "
        f"{fb['job']:.2f} s for the first job (worker start, Normalizer load, one batch)")
    say("")
    say("| run | tool | wall s | records/s | CPU s | CPU ms / record |")
    say("|---|---|---|---|---|---|")
    from pyspark.sql import functions

    udf = "Arrow UDF" if hasattr(functions, "arrow_udf") else "pandas UDF"
    tools = [("CLI --workers 2", lambda: run_cli(path, [])), (f"Spark local[2], {udf}", lambda: run_spark(spark, path, []))]
    if args.transports:
        if udf == "Arrow UDF":
            tools.append(("Spark local[2], pandas UDF", lambda: run_spark(spark, path, [], "pandas-udf")))
        tools += [("Spark local[2], mapInPandas", lambda: run_spark(spark, path, [], "pandas")),
                  ("Spark local[2], mapInArrow", lambda: run_spark(spark, path, [], "arrow"))]
    for i in range(args.repeat):
        for name, fn in tools:
            r = fn()
            say(f"| {i + 1} | {name} | {r['wall']:.1f} | {records / r['wall']:,.0f} | {r['cpu']:.1f} | "
                f"{1000 * r['cpu'] / records:.2f} |")
    rss = worker_rss()
    say("")
    say(f"- RSS, bundled tables: Python workers {', '.join(f'{w:.0f}' for w in rss['workers'])} MB; "
        f"JVM {rss['jvm']:.0f} MB")
    spark.stop()  # the JVM stays (py4j keeps it for this process): the next session starts in it
    if args.big != "none":
        from generate import generate

        table = str(generate(args.big)["aliases"])
        spark, startup = start_session(max(1 << 20, path.stat().st_size // 8))
        fb = first_batch(spark, [table])
        from normalizer.spark import normalize_column

        some = spark.read.schema(SCHEMA).json(str(path)).limit(2000).repartition(2).cache()
        some.count()
        t0 = time.perf_counter()
        normalize_column(some, "text", tables=[table]).write.format("noop").mode("overwrite").save()
        wall = time.perf_counter() - t0
        rss = worker_rss()
        say(f"- bundled + {args.big} aliases ({Path(table).stat().st_size / 1e6:.0f} MB TSV), new session in the same JVM "
            f"(start-up {startup:.1f} s): first batch {fb['driver']:.1f} s on the driver + {fb['job']:.1f} s job; "
            f"2,000 records in 2 partitions {wall:.1f} s ({2000 / wall:,.0f} records/s, variant and fuzzy passes on); "
            f"Python workers {', '.join(f'{w:.0f}' for w in rss['workers'])} MB; JVM {rss['jvm']:.0f} MB")
        spark.stop()
    if args.out:
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
