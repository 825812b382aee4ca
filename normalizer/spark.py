"""Spark integration: normalise a DataFrame column of texts, or resolve a column of names, on the executors.

.. code-block:: python

    from normalizer.spark import normalize_column, resolve_column
    out = normalize_column(df, "text", lang_col="lang", tables=["my.yaml"], output_col="mentions")
    names = resolve_column(df, "name", limit=3, output_col="candidates")

``normalize_column`` adds ``mentions`` (array of structs: text, start, end, id, canonical, type, score, method,
alias, lang, inflected, ambiguous, candidates; offsets index that row's text, exactly as
:meth:`Normalizer.normalize` gives them) and ``normalize_error`` (``struct<code, message>``, null when the row
was fine): a null or non-string text, invalid UTF-8 in a binary column or a text over ``max_text_chars`` costs
its own row, never the task.  ``resolve_column`` adds ``candidates`` (id, canonical, type, score, alias, method,
as :meth:`Normalizer.resolve` ranks them) and the same error column.

How it runs (see README "Spark"): the tables are copied to a content-addressed staging directory and compiled
once on the driver into a compiled-table cache (:mod:`normalizer.cache`, with the variant and fuzzy indexes);
tables and cache are shipped with ``SparkContext.addFile``; each Python worker process builds one Normalizer from
them on its first batch (a load, not a build: ~0.1 s for the bundled tables) and keeps it for every later batch
and task (:mod:`normalizer.spark_worker`).  The work is a batch UDF over the text (and language) column only, an
Arrow UDF on pyspark 4.1+ (a pandas UDF before): the DataFrame's other columns never leave the JVM.
"""

import os
import threading
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from . import spark_stage
from .spark_stage import stage_root
from .spark_worker import Job
from .tables import Problem, TableError

__all__ = ["candidate_type", "mention_type", "normalize_column", "resolve_column", "stage_root", "worker_report"]

_LOCK = threading.Lock()
_PREPARED: dict[tuple[str, str], Job] = {}  # (application id, tables digest) -> Job: prepared once per session
_PANDAS_UDF = False  # True: a pandas UDF even where Arrow UDFs exist (benchmarks/bench_spark.py compares them)


def _pyspark():  # noqa: ANN202
    try:
        from pyspark.sql import functions, types
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("normalizer.spark needs pyspark: pip install 'normalizer[spark]'") from exc
    return functions, types


# ------------------------------------------------------------------------------------------------------ schema
def candidate_type():  # noqa: ANN201
    """``struct<id, canonical, type, score, alias, method>`` (a :class:`~normalizer.Candidate` without features)."""
    _, T = _pyspark()
    return T.StructType([T.StructField("id", T.StringType()), T.StructField("canonical", T.StringType()),
                         T.StructField("type", T.StringType()), T.StructField("score", T.DoubleType()),
                         T.StructField("alias", T.StringType()), T.StructField("method", T.StringType())])


def mention_type():  # noqa: ANN201
    """The struct of one mention: :meth:`Mention.to_dict` with every field present."""
    _, T = _pyspark()
    s, i = T.StringType(), T.IntegerType()
    return T.StructType([T.StructField("text", s), T.StructField("start", i), T.StructField("end", i),
                         T.StructField("id", s), T.StructField("canonical", s), T.StructField("type", s),
                         T.StructField("score", T.DoubleType()), T.StructField("method", s),
                         T.StructField("alias", s), T.StructField("lang", s),
                         T.StructField("inflected", T.BooleanType()), T.StructField("ambiguous", T.BooleanType()),
                         T.StructField("candidates", T.ArrayType(candidate_type()))])


def _error_type():  # noqa: ANN202
    _, T = _pyspark()
    return T.StructType([T.StructField("code", T.StringType()), T.StructField("message", T.StringType())])


# ------------------------------------------------------------------------------------------------- public API
def normalize_column(df, text_col: str, *, lang_col: str | None = None, tables: Sequence[str | Path] = (),  # noqa: ANN001, ANN201
                     bundled: bool = True, output_col: str = "mentions", error_col: str = "normalize_error",
                     max_text_chars: int | None = None, cache: bool = True):
    """``df`` plus ``output_col`` (the mentions in ``text_col``) and ``error_col`` (null, or why the row failed).

    ``lang_col``: a string column with each row's language (null: unknown).  ``tables``/``bundled``: as for
    :class:`~normalizer.Normalizer`; paths are read on the driver and shipped, so they need not exist on the
    executors.  ``max_text_chars``: longer texts get ``text_too_long`` instead of mentions.  ``cache=False``
    ships only the tables: each Python worker then builds the Normalizer itself."""
    if max_text_chars is not None and max_text_chars < 0:
        raise ValueError("max_text_chars must be >= 0 or None")
    values, langs, what = _inputs(df, text_col, lang_col, output_col, error_col)
    udf = _normalize_udf(_prepare(df, tables, bundled, cache), what, max_text_chars)
    return _attach(df, udf(values, langs), output_col, error_col)


def resolve_column(df, name_col: str, *, limit: int = 5, lang_col: str | None = None,  # noqa: ANN001, ANN201
                   tables: Sequence[str | Path] = (), bundled: bool = True, output_col: str = "candidates",
                   error_col: str = "normalize_error", cache: bool = True):
    """``df`` plus ``output_col``: each name's ranked candidates (best first, at most ``limit``), and
    ``error_col``."""
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive int, not {limit!r}")
    values, langs, what = _inputs(df, name_col, lang_col, output_col, error_col)
    udf = _resolve_udf(_prepare(df, tables, bundled, cache), what, limit)
    return _attach(df, udf(values, langs), output_col, error_col)


def _inputs(df, col: str, lang_col: str | None, output_col: str, error_col: str):  # noqa: ANN001, ANN202
    """The UDF's input columns, checked on the driver before anything is built; ``what``: why every row of a
    column that is not text fails (None for a string or binary column)."""
    F, T = _pyspark()
    fields = {f.name: f.dataType for f in df.schema.fields}
    for c in (col, lang_col):
        if c is not None and c not in fields:
            raise ValueError(f"no column {c!r} in the DataFrame (columns: {', '.join(fields)})")
    if lang_col is not None and not isinstance(fields[lang_col], T.StringType):
        raise TypeError(f"lang_col {lang_col!r} must be a string column, not {fields[lang_col].simpleString()}")
    if output_col == error_col:
        raise ValueError("output_col and error_col must differ")
    dtype = fields[col]
    if isinstance(dtype, (T.StringType, T.BinaryType)):
        values, what = df[col], None
    else:  # a whole column that is not text: every row gets not_a_string, the job still runs
        values, what = F.lit(None).cast("string"), f"column {col!r} is {dtype.simpleString()}, not a string"
    langs = df[lang_col] if lang_col is not None else F.lit(None).cast("string")
    return values, langs, what


def _attach(df, result, output_col: str, error_col: str):  # noqa: ANN001, ANN202
    """``df`` with the UDF's struct split into the output and error columns (the UDF runs once per row)."""
    F, _ = _pyspark()
    tmp = f"__normalizer_{os.getpid()}_{id(result)}"
    return (df.withColumn(tmp, result)
              .withColumn(output_col, F.col(tmp).getField("result"))
              .withColumn(error_col, F.col(tmp).getField("error"))
              .drop(tmp))


def _result_type(item_type):  # noqa: ANN001, ANN202
    _, T = _pyspark()
    return T.StructType([T.StructField("result", T.ArrayType(item_type)), T.StructField("error", _error_type())])


def _normalize_udf(job: Job, what: str | None, max_text_chars: int | None):  # noqa: ANN202
    from . import spark_worker

    rows = partial(spark_worker.normalize_rows, job, max_text_chars=max_text_chars, column_error=what)
    return _batch_udf(rows, mention_type())


def _resolve_udf(job: Job, what: str | None, limit: int):  # noqa: ANN202
    from . import spark_worker

    return _batch_udf(partial(spark_worker.resolve_rows, job, limit=limit, column_error=what), candidate_type())


def _batch_udf(rows, item_type):  # noqa: ANN001, ANN202
    """A UDF of (values, langs) giving struct<result: array<item_type>, error>, a batch at a time: an Arrow UDF
    where pyspark has them (4.1+: no pandas on the way), else a pandas UDF.  ``rows(values, langs)`` is the work
    (:mod:`normalizer.spark_worker`): one (result, error) pair per value."""
    F, T = _pyspark()
    rtype = _result_type(item_type)
    if hasattr(F, "arrow_udf") and not _PANDAS_UDF:
        import pyarrow as pa
        from pyspark.sql.pandas.types import to_arrow_type

        result_t, error_t = to_arrow_type(T.ArrayType(item_type)), to_arrow_type(_error_type())

        def arrow_batch(values: pa.Array, langs: pa.Array) -> pa.Array:
            out = rows(values.to_pylist(), langs.to_pylist())
            return pa.StructArray.from_arrays([pa.array([r[0] for r in out], result_t),
                                               pa.array([r[1] for r in out], error_t)], names=["result", "error"])

        return F.arrow_udf(arrow_batch, returnType=rtype)
    import pandas as pd

    def pandas_batch(values: pd.Series, langs: pd.Series) -> pd.DataFrame:
        out = rows(values.tolist(), langs.tolist())
        return pd.DataFrame({"result": [r[0] for r in out], "error": [r[1] for r in out]})

    return F.pandas_udf(pandas_batch, returnType=rtype)


# ---------------------------------------------------------------------------------------- tables and cache
def _prepare(df, tables: Sequence[str | Path], bundled: bool, cache: bool) -> Job:  # noqa: ANN001
    """Stage the tables, compile them on the driver (once per session) and ship tables and cache."""
    if isinstance(tables, (str, Path)):
        tables = [tables]
    # only the user's tables are staged: the bundled tables and the knowledge base come with the package (installed
    # alike on the driver and the executors), and bundled=True means more than their files (the KB's places)
    sources = [Path(t) for t in tables]
    for p in sources:
        if not p.exists():
            raise TableError([Problem(str(p), 0, "no such table file or directory")])
    digest = spark_stage.digest(sources) + ("-bundled" if bundled else "")
    try:
        sc = df.sparkSession.sparkContext
    except Exception as exc:  # noqa: BLE001 - Spark Connect has no SparkContext to ship files with
        raise NotImplementedError("normalizer.spark needs a classic Spark session (SparkContext.addFile ships the "
                                  "tables); Spark Connect is not supported") from exc
    memo = (sc.applicationId, f"{digest}:{cache}")
    with _LOCK:
        if memo in _PREPARED:
            return _PREPARED[memo]
        base = spark_stage.stage_root() / digest
        staged, originals = spark_stage.stage(sources, base / "tables")
        key, files = (spark_stage.compile_tables(staged, originals, base / "cache", bundled=bundled) if cache
                      else (digest, []))
        ship = spark_stage.ship_dir(base, key, files)
        sc.addFile(str(ship), recursive=True)
        job = Job(key=key, tables=tuple(staged), ship=ship.name, root=str(base / "tables"), cached=cache,
                  bundled=bundled)
        _PREPARED[memo] = job
        return job


def worker_report(spark, *, partitions: int = 2) -> list[dict]:  # noqa: ANN001
    """What the Python workers that run a small UDF job hold, one dict per job key and worker process: ``pid``,
    ``builds`` (Normalizers built: 1 per process and configuration), ``batches``, ``rows``, ``build_seconds``,
    ``cache_hit`` (True: loaded whole from the shipped cache; else the cache files the worker had to write).  Spark hands tasks to idle workers, so with as many
    partitions as executor cores this sees every worker of a local session; on a cluster, a sample."""
    import json

    import pandas as pd

    from . import spark_worker

    F, _ = _pyspark()

    def report(ids: pd.Series) -> pd.Series:
        import time

        time.sleep(0.2)  # keep this worker busy, so that the other partitions go to the other idle workers
        stats = spark_worker.worker_stats()
        return pd.Series([json.dumps({"pid": os.getpid(), "stats": stats})] * len(ids))

    udf = F.pandas_udf(report, returnType="string")
    rows = spark.range(partitions, numPartitions=partitions).select(udf("id").alias("r")).collect()
    seen = {r.r for r in rows}
    out = []
    for raw in sorted(seen):
        d = json.loads(raw)
        out += [{"key": k, **v} for k, v in d["stats"].items()]
    return out
