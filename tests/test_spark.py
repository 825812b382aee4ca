"""normalizer.spark in a real local[2] Spark session (one per test session): identity with the library on the dev
sets, bad rows, tables shipped to the executors, one Normalizer per Python worker.

Without Java or pyspark these tests skip, unless NORMALIZER_REQUIRE_SPARK=1 (set by .ci/run): then they fail."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from normalizer import TableError

pytestmark = pytest.mark.spark
REQUIRE = os.environ.get("NORMALIZER_REQUIRE_SPARK") == "1"
EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"  # ../shared beside the checkout


def _unavailable(why: str) -> None:
    if REQUIRE:
        pytest.fail(f"{why} (NORMALIZER_REQUIRE_SPARK=1)", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def spark(tmp_path_factory):  # noqa: ANN001, ANN201
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError as exc:
        _unavailable(f"pyspark, pandas or pyarrow missing ({exc}): pip install -e '.[spark]'")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        _unavailable("no Java runtime (java not on PATH, JAVA_HOME unset): apt-get install openjdk-17-jre-headless")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers run this interpreter (with this venv)
    old_stage = os.environ.get("NORMALIZER_SPARK_STAGE")
    os.environ["NORMALIZER_SPARK_STAGE"] = str(tmp_path_factory.mktemp("spark-stage"))
    try:
        session = (SparkSession.builder.master("local[2]").appName("normalizer-tests")
                   .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                   .config("spark.sql.execution.arrow.maxRecordsPerBatch", "4")  # several batches per task
                   .config("spark.driver.memory", "2g").getOrCreate())  # (a 50 MB literal plan in one test)
    except Exception as exc:  # noqa: BLE001 - e.g. the JVM does not start
        _unavailable(f"cannot start a local Spark session: {exc}")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if old_stage is None:
        os.environ.pop("NORMALIZER_SPARK_STAGE", None)
    else:
        os.environ["NORMALIZER_SPARK_STAGE"] = old_stage


def _eval_file(*parts: str) -> Path:
    path = EVAL.joinpath(*parts)
    if not path.is_file():
        _unavailable(f"dev set file {path} missing (../shared/eval beside the checkout)")
    return path


def _full(d: dict) -> dict:
    """A Mention.to_dict() with every field of the Spark struct (the optional ones at their defaults)."""
    return {"inflected": False, "ambiguous": False, "candidates": [], **d}


_LIBRARY = """
import json, sys
from normalizer import Normalizer
req = json.load(sys.stdin)
n = Normalizer(req["tables"], bundled=req["bundled"])
if req["kind"] == "normalize":
    out = [[m.to_dict() for m in n.normalize(text, lang).mentions] for text, lang in req["items"]]
else:
    out = [[c.to_dict(features=False) for c in n.resolve(name, limit=req["limit"])] for name in req["items"]]
json.dump(out, sys.stdout)
"""


def _library(kind: str, items: list, *, tables=(), bundled: bool = True, limit: int = 5) -> list:  # noqa: ANN001
    """The library's answers, computed in a fresh process with the Python workers' hash seed (Spark gives its
    workers PYTHONHASHSEED, "0" unless the driver has one): resolve()'s ranking of near ties depends on set
    order, so a process with another seed can rank them differently."""
    req = {"kind": kind, "items": items, "tables": [str(t) for t in tables], "bundled": bundled, "limit": limit}
    env = {**os.environ, "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")}
    proc = subprocess.run([sys.executable, "-c", _LIBRARY], input=json.dumps(req), capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    return [[_full(m) for m in ms] for ms in out] if kind == "normalize" else out


def _dev_texts() -> list[dict]:
    rows = []
    for name in ("dev", "dev-beat2"):
        with _eval_file(name, "texts.jsonl").open(encoding="utf-8") as fh:
            rows += [{"id": f"{name}/{r['id']}", "lang": r["lang"], "text": r["text"]} for r in map(json.loads, fh)]
    return rows


def _by_id(df, col: str = "mentions") -> dict:  # noqa: ANN001
    return {r["id"]: [m.asDict(recursive=True) for m in r[col]] for r in df.collect()}


# --------------------------------------------------------------------------------------------------- identity
def test_identity_with_library_bundled_tables(spark):  # noqa: ANN001
    from normalizer.spark import normalize_column

    rows = _dev_texts()
    df = spark.createDataFrame(rows, "id string, lang string, text string").repartition(2)
    out = normalize_column(df, "text")
    assert out.columns == ["id", "lang", "text", "mentions", "normalize_error"]
    got = out.collect()
    assert all(r.normalize_error is None for r in got)
    got = {r["id"]: [m.asDict(recursive=True) for m in r.mentions] for r in got}
    want = dict(zip([r["id"] for r in rows], _library("normalize", [(r["text"], None) for r in rows]), strict=True))
    assert sum(map(len, want.values())) > 200  # the dev texts are full of names: a real comparison
    for rid in want:  # same mentions, same order, same offsets
        assert got[rid] == want[rid], rid


def test_identity_with_library_user_table_and_lang(spark):  # noqa: ANN001
    from normalizer.spark import normalize_column

    rows, tables = _dev_texts(), [_eval_file("dev", "user_table.yaml"), _eval_file("dev-beat2", "user_table.yaml")]
    df = spark.createDataFrame(rows, "id string, lang string, text string").repartition(2)
    got = _by_id(normalize_column(df, "text", lang_col="lang", tables=tables, bundled=False))
    lib = _library("normalize", [(r["text"], r["lang"]) for r in rows], tables=tables, bundled=False)
    want = dict(zip([r["id"] for r in rows], lib, strict=True))
    assert sum(map(len, want.values())) > 100
    assert any(m["method"] not in ("exact", "folded") for ms in want.values() for m in ms)  # variants too
    assert got == want


def test_resolve_column_gives_the_library_candidates(spark):  # noqa: ANN001
    from normalizer.spark import resolve_column

    table = _eval_file("names-dev", "names_table.yaml")
    with _eval_file("names-dev", "names.jsonl").open(encoding="utf-8") as fh:
        queries = [json.loads(line)["query"] for line in fh]
    df = spark.createDataFrame([(i, q) for i, q in enumerate(queries)], "id int, name string").repartition(2)
    out = resolve_column(df, "name", limit=3, tables=[table], bundled=False, output_col="candidates").collect()
    got = {r.id: [c.asDict() for c in r.candidates] for r in out}
    want = dict(enumerate(_library("resolve", queries, tables=[table], bundled=False, limit=3)))
    assert len(got) == len(queries) and all(r.normalize_error is None for r in out)
    assert sum(1 for c in want.values() if c) > len(queries) // 2
    assert got == want


# --------------------------------------------------------------------------------------------------- bad rows
def test_bad_rows_get_normalize_error_and_the_others_their_mentions(spark):  # noqa: ANN001
    from pyspark.sql import functions as F

    from normalizer.pipeline import MAX_TEXT_CHARS
    from normalizer.spark import normalize_column

    good = ["Ankara ve Şam arasında Daesh konuşuldu.", "Syria and Iraq border talks.", "MİT açıklama yaptı."]
    rows = [(0, good[0]), (1, None), (2, "Turkey " * 40), (3, good[1]), (4, good[2])]
    df = spark.createDataFrame(rows, "id int, text string").coalesce(1)  # one partition, one batch of 4 + 1
    got = {r.id: r for r in normalize_column(df, "text", max_text_chars=100).collect()}
    lib = dict(zip((0, 3, 4), _library("normalize", [(t, None) for t in good]), strict=True))
    assert got[1].normalize_error.asDict() == {"code": "not_a_string", "message": "text is null, not a string"}
    assert got[1].mentions is None
    assert got[2].normalize_error.code == "text_too_long" and got[2].mentions is None
    for i in (0, 3, 4):
        assert got[i].normalize_error is None
        assert [m.asDict(recursive=True) for m in got[i].mentions] == lib[i] != []

    # over the library's own limit: built in the JVM (no 50 MB from the driver), only the error comes back
    big = spark.range(1).select(F.lit(7).alias("id"), F.repeat(F.lit("a"), MAX_TEXT_CHARS + 1).alias("text"))
    row = normalize_column(big.unionByName(df.limit(1)), "text").select("id", "normalize_error", "mentions").collect()
    err = {r.id: r for r in row}
    assert err[7].normalize_error.code == "normalize_failed" and "too long" in err[7].normalize_error.message
    assert err[0].normalize_error is None and err[0].mentions


def test_non_string_and_binary_columns(spark):  # noqa: ANN001
    from normalizer.spark import normalize_column

    ints = spark.createDataFrame([(1, 5), (2, None)], "id int, text int")
    got = normalize_column(ints, "text").collect()
    assert {r.normalize_error.code for r in got} == {"not_a_string"}
    assert "int" in got[0].normalize_error.message and all(r.mentions is None for r in got)

    blobs = [(1, "Türkiye".encode()), (2, b"\xff\xfe Syria"), (3, None)]
    got = {r.id: r for r in normalize_column(spark.createDataFrame(blobs, "id int, text binary"), "text").collect()}
    assert [m.id for m in got[1].mentions] == ["loc:turkey"] and got[1].normalize_error is None
    assert got[2].normalize_error.code == "invalid_encoding" and got[2].mentions is None
    assert got[3].normalize_error.code == "not_a_string"


def test_bad_arguments_fail_on_the_driver(spark, tmp_path):  # noqa: ANN001
    from normalizer.spark import normalize_column, resolve_column

    df = spark.createDataFrame([(1, "x")], "id int, text string")
    with pytest.raises(ValueError, match="no column 'body'"):
        normalize_column(df, "body")
    with pytest.raises(ValueError, match="limit"):
        resolve_column(df, "text", limit=0)
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - id: org:x\n    name: X Corp\n", encoding="utf-8")  # no type
    with pytest.raises(TableError) as exc:
        normalize_column(df, "text", tables=[bad], bundled=False)
    assert str(bad) in str(exc.value)  # the user's file, not the staged copy


# ------------------------------------------------------------------------------------- shipping and workers
def test_user_table_path_is_shipped_and_one_normalizer_per_worker(spark, tmp_path):  # noqa: ANN001
    from normalizer.spark import normalize_column, stage_root, worker_report

    table = tmp_path / "mine.yaml"
    table.write_text(
        "entities:\n"
        "  - id: org:kestrel\n    type: organization\n    name: Kestrel Relief Fund\n"
        "    aliases:\n      en: [KRF, Kestrel Fund]\n      tr: [Kestrel Yardım Vakfı]\n",
        encoding="utf-8")
    texts = [f"Report {i}: the Kestrel Relief Fund (KRF) met donors; Kestrel Yardım Vakfı'nın ofisi." for i in range(40)]
    df = spark.createDataFrame(list(enumerate(texts)), "id int, text string").repartition(2)
    out = normalize_column(df, "text", tables=[str(table)], bundled=False)
    # the executors must not need the driver's files: drop the original, the staged tables and the cache
    table.unlink()
    staged = [d for d in stage_root().iterdir() if (d / "tables" / "0" / "mine.yaml").is_file()]
    assert len(staged) == 1
    shutil.rmtree(staged[0] / "tables")
    shutil.rmtree(staged[0] / "cache")
    first = out.collect()
    second = out.collect()  # a second job: the same worker processes, no new Normalizer
    for rows in (first, second):
        assert len(rows) == 40
        for r in rows:
            assert r.normalize_error is None
            assert [(m.text, m.id) for m in r.mentions] == [
                ("Kestrel Relief Fund", "org:kestrel"), ("KRF", "org:kestrel"), ("Kestrel Yardım Vakfı", "org:kestrel")]
            assert r.mentions[0].start == r.text.index("Kestrel")
    assert (staged[0] / "tables" / "0" / "mine.yaml").is_file()  # a worker recreated the staged path
    report = [w for w in worker_report(spark, partitions=2) if w["key"] == _ship_key(staged[0])]
    assert report, "no Python worker reports this job's Normalizer"
    assert all(w["builds"] == 1 and w["cache_hit"] for w in report), report
    assert sum(w["batches"] for w in report) > len(report)  # reused across batches (4 rows per Arrow batch)


def _ship_key(stage: Path) -> str:
    ships = [p.name for p in stage.iterdir() if p.name.startswith("ship-")]
    assert len(ships) == 1
    return ships[0][len("ship-"):]


@pytest.mark.parametrize("required", [True, False])
def test_missing_java_fails_when_required_else_skips(tmp_path, required):  # noqa: ANN001
    """What CI relies on: with NORMALIZER_REQUIRE_SPARK=1 a machine without Java fails these tests."""
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "NORMALIZER_REQUIRE_SPARK")}
    env["PATH"] = str(tmp_path)  # no java on it (the interpreter is called by its full path)
    if required:
        env["NORMALIZER_REQUIRE_SPARK"] = "1"
    test = f"{Path(__file__).resolve()}::test_bad_arguments_fail_on_the_driver"
    proc = subprocess.run([sys.executable, "-m", "pytest", test, "-p", "no:cacheprovider", "-rfs"], env=env,
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert "no Java runtime" in proc.stdout, proc.stdout[-2000:]
    if required:
        assert proc.returncode == 1 and "1 error" in proc.stdout, proc.stdout[-2000:]
    else:
        assert proc.returncode == 0 and "1 skipped" in proc.stdout, proc.stdout[-2000:]


def test_table_directory_without_cache(spark, tmp_path):  # noqa: ANN001
    """A directory of tables (YAML and TSV, read recursively) is shipped as it is; cache=False: each worker
    builds its Normalizer from the shipped tables."""
    from normalizer.spark import normalize_column, worker_report

    (tmp_path / "t" / "sub").mkdir(parents=True)
    (tmp_path / "t" / "orgs.yaml").write_text(
        "entities:\n  - id: org:lantern\n    type: organization\n    name: Lantern Aid\n", encoding="utf-8")
    (tmp_path / "t" / "sub" / "people.tsv").write_text(
        "id\talias\tlang\ttype\tname\nper:oduya\tMarit Oduya\tund\tperson\tMarit Oduya\n", encoding="utf-8")
    df = spark.createDataFrame([(1, "Marit Oduya joined Lantern Aid in 2019.")], "id int, text string")
    row = normalize_column(df, "text", tables=[tmp_path / "t"], bundled=False, cache=False).collect()[0]
    assert [(m.text, m.start, m.end, m.id) for m in row.mentions] == [
        ("Marit Oduya", 0, 11, "per:oduya"), ("Lantern Aid", 19, 30, "org:lantern")]
    built = [w for w in worker_report(spark) if w["cache_hit"] is False]
    assert built and all(w["builds"] == 1 for w in built)


def test_ship_dir_links_tables_and_cache_and_drops_pruned_keys(tmp_path):  # noqa: ANN001
    from normalizer.spark_stage import ship_dir

    base = tmp_path / "0123abcd"
    (base / "tables" / "0").mkdir(parents=True)
    (base / "tables" / "0" / "t.yaml").write_text("entities: []\n", encoding="utf-8")
    (base / "cache").mkdir()
    for name in ("new.nzc", "new.fuzzy_index-v2.nzc", "other.nzc"):
        (base / "cache" / name).write_bytes(b"x")
    for key in ("old", "other", base.name):  # old: pruned from the cache; other: still cached; base.name: cache=False
        (base / f"ship-{key}").mkdir()
    ship = ship_dir(base, "new", sorted((base / "cache").glob("new.*")))
    assert sorted(p.relative_to(ship).as_posix() for p in ship.rglob("*") if p.is_file()) == [
        "cache/new.fuzzy_index-v2.nzc", "cache/new.nzc", "tables/0/t.yaml"]
    assert sorted(p.name for p in base.glob("ship-*")) == sorted(["ship-new", "ship-other", f"ship-{base.name}"])
