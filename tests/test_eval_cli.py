"""`normalizer eval` as a subprocess on a small set of our own: figures, and bad input as exit 2."""

import json
import subprocess
import sys
from pathlib import Path

TABLE = """entities:
  - {id: org:isis, type: organization, name: Islamic State, aliases: [Daesh]}
  - {id: loc:syria, type: location, name: Syria}
"""


def make_set(tmp_path: Path) -> tuple[Path, Path, Path]:
    text = "Daesh lost ground in Syria. The Islamic State group and Şam were named."
    spans = [("Daesh", "org:isis"), ("Syria", "loc:syria"), ("Islamic State", "org:isis"), ("Şam", "loc:syria")]
    gold = []
    for s, eid in spans:
        start = text.index(s)
        gold.append({"doc": "d1", "start": start, "end": start + len(s), "text": s, "entity": eid})
    (tmp_path / "texts.jsonl").write_text(json.dumps({"id": "d1", "lang": "en", "text": text}) + "\n", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
    (tmp_path / "table.yaml").write_text(TABLE, encoding="utf-8")
    return tmp_path / "texts.jsonl", tmp_path / "gold.jsonl", tmp_path / "table.yaml"


def run_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "normalizer", "eval", *args], capture_output=True, text=True,
                          timeout=120)


def test_figures_on_a_small_set(tmp_path: Path) -> None:
    texts, gold, table = make_set(tmp_path)
    got = run_eval("--texts", str(texts), "--gold", str(gold), "--tables", str(table), "--no-bundled",
                   "--gold-table", str(table), "--json")
    assert got.returncode == 0, got.stderr
    rep = json.loads(got.stdout)
    overall = rep["overlap"]["all"]
    # Şam (Turkish for Damascus/Syria, not a spelling of "Syria") is the one miss; nothing false
    assert (overall["tp"], overall["fn"], overall["fp"]) == (3, 1, 0)
    assert rep["top_missed"] == [["Şam", 1]]


def test_bad_gold_table_and_bad_gold_line_exit_2(tmp_path: Path) -> None:
    texts, gold, table = make_set(tmp_path)
    bad_table = tmp_path / "bad.yaml"
    bad_table.write_text("entities:\n  - {id: x}\n", encoding="utf-8")
    got = run_eval("--texts", str(texts), "--gold", str(gold), "--tables", str(table), "--no-bundled",
                   "--gold-table", str(bad_table))
    assert got.returncode == 2 and "bad.yaml" in got.stderr and "Traceback" not in got.stderr
    gold.write_text(gold.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    got = run_eval("--texts", str(texts), "--gold", str(gold), "--tables", str(table), "--no-bundled")
    assert got.returncode == 2 and "Traceback" not in got.stderr
