"""`normalizer eval --names`: resolve() on name queries against brute-force rapidfuzz, as a subprocess on a small
set of our own names; usage errors; and the reference's figures on the shared names dev set (skipped without it)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from normalizer import Normalizer
from normalizer.evaluate_names import KINDS, evaluate_names

NAMES_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "names-dev"

TABLE = """entities:
  - {id: "p:obermayer", type: person, name: KARL HEINRICH OBERMAYER}
  - {id: "p:svoboda", type: person, name: LUDMILA SVOBODA}
  - {id: "p:novak", type: person, name: JAN NOVAK}
  - {id: "p:nowak", type: person, name: JAN NOWAK}
  - {id: "o:calder", type: organization, name: CALDER HARBOUR TRUST}
  - {id: "p:haddad", type: person, name: SAMIR YOUSSEF HADDAD}
"""
QUERIES = [
    {"query": "Karl Heinrich Obermaier", "entity": "p:obermayer", "kind": "spelling_variant"},
    {"query": "Calder Harbor Trust", "entity": "o:calder", "kind": "spelling_variant"},
    {"query": "Людмила Свобода", "entity": "p:svoboda", "kind": "original_script"},
    {"query": "سمير يوسف حداد", "entity": "p:haddad", "kind": "original_script"},
    # given for two entities: either is right, for both lines
    {"query": "Jan Novak", "entity": "p:novak", "kind": "other_name", "ambiguous": True},
    {"query": "Jan Novak", "entity": "p:nowak", "kind": "other_name", "ambiguous": True},
    # a nickname no spelling reaches: wrong for both
    {"query": "The Night Baker", "entity": "p:svoboda", "kind": "other_name"},
]


def make_set(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "table.yaml").write_text(TABLE, encoding="utf-8")
    (tmp_path / "names.jsonl").write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUERIES),
                                          encoding="utf-8")
    return tmp_path / "names.jsonl", tmp_path / "table.yaml"


def run_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "normalizer", "eval", *args], capture_output=True, text=True,
                          timeout=120)


def test_names_json_report(tmp_path: Path) -> None:
    names, table = make_set(tmp_path)
    got = run_eval("--names", str(names), "--tables", str(table), "--no-bundled", "--json")
    assert got.returncode == 0, got.stderr
    rep = json.loads(got.stdout)
    ours, ref = rep["normalizer"], rep["reference"]
    assert list(ours) == [*KINDS, "all"] and list(ref) == list(ours)
    assert {k: v["n"] for k, v in ours.items()} == {"spelling_variant": 2, "original_script": 2,
                                                    "other_name": 3, "all": 7}
    # brute force on unidecode: both typos, the Cyrillic and the Arabic name (smyr ywsf hdd), the shared name
    # for both its entities; the nickname is only within the first five (six entities)
    assert ref["spelling_variant"]["at1"] == 2
    assert ref["original_script"]["at1"] == 2
    assert (ref["other_name"]["at1"], ref["other_name"]["atk"]) == (2, 3)
    assert ours["spelling_variant"]["at1"] == 2
    assert ours["other_name"]["at1"] == 2  # Jan Novak is right for p:novak and for p:nowak
    missed = {m["query"]: m for m in rep["misses"]}
    assert "Jan Novak" not in missed and "Karl Heinrich Obermaier" not in missed
    assert missed["The Night Baker"]["expected"] == ["p:svoboda"]
    assert missed["The Night Baker"]["expected_names"] == ["LUDMILA SVOBODA"]
    assert len(rep["misses"]) == 7 - ours["all"]["at1"]
    for side in ("resolve", "brute_force_extractOne"):
        t = rep["cpu_time_per_call"][side]
        assert 0 <= t["median_ms"] <= t["p95_ms"]
    assert rep["limit"] == 5 and rep["unknown_ids"] == []


def test_names_text_report_limit_and_misses(tmp_path: Path) -> None:
    names, table = make_set(tmp_path)
    got = run_eval("--names", str(names), "--tables", str(table), "--no-bundled", "--limit", "1",
                   "--show-misses", "1")
    assert got.returncode == 0, got.stderr
    lines = got.stdout.splitlines()
    assert "resolve acc@1 r@1" in lines[0] and "brute force acc@1 r@1" in lines[0]
    row = {ln.split("|")[0].strip(): ln.split("|") for ln in lines if "|" in ln}
    assert row["other_name"][1].strip() == "3"
    assert row["other_name"][3].split() == ["0.667", "0.667"]  # brute force, limit 1: r@1 == acc@1
    assert any(ln.startswith("CPU time per call: resolve() median") for ln in lines)
    listed = [ln for ln in lines if ln.startswith("  [")]
    assert len(listed) == 1 and "expected" in listed[0]


def test_unknown_expected_id_is_reported(tmp_path: Path) -> None:
    names, table = make_set(tmp_path)
    norm = Normalizer([table], bundled=False)
    from normalizer.evaluate_names import NameQuery

    rep = evaluate_names(norm, [NameQuery("Jan Novak", "p:nobody", "spelling_variant")])
    assert rep.unknown_ids == ("p:nobody",)
    assert rep.normalizer["all"].at1 == 0 and rep.reference["all"].at1 == 0
    assert rep.misses[0].expected_names == ("?",)


@pytest.mark.parametrize("args, message", [
    ([], "give either --texts and --gold, or --names"),
    (["--texts", "t.jsonl"], "give either --texts and --gold, or --names"),
    (["--names", "n.jsonl", "--texts", "t.jsonl"], "--names does not go with --texts"),
    (["--names", "n.jsonl", "--gold-table", "g.yaml"], "--names does not go with --gold-table"),
    (["--texts", "t.jsonl", "--gold", "g.jsonl", "--show-misses", "3"], "--show-misses: only with --names"),
    (["--names", "n.jsonl", "--limit", "0"], "--limit must be at least 1"),
])
def test_usage_errors(args: list[str], message: str) -> None:
    got = run_eval(*args)
    assert got.returncode == 2
    assert message in got.stderr and "usage: normalizer eval" in got.stderr and "Traceback" not in got.stderr


def test_bad_names_file_exits_2(tmp_path: Path) -> None:
    names, table = make_set(tmp_path)
    names.write_text(names.read_text(encoding="utf-8") + '{"query": "X", "kind": "other_name"}\n', encoding="utf-8")
    got = run_eval("--names", str(names), "--tables", str(table), "--no-bundled")
    assert got.returncode == 2 and f"{names}:8: 'entity'" in got.stderr and "Traceback" not in got.stderr
    got = run_eval("--names", str(tmp_path / "absent.jsonl"), "--tables", str(table), "--no-bundled")
    assert got.returncode == 2 and "absent.jsonl" in got.stderr and "Traceback" not in got.stderr


@pytest.mark.skipif(not (NAMES_DEV / "names.jsonl").exists(), reason="names dev set not present")
def test_names_dev_reference_figures() -> None:
    norm = Normalizer([NAMES_DEV / "names_table.yaml"], bundled=False)
    rep = evaluate_names(norm, NAMES_DEV / "names.jsonl")
    assert {k: v.n for k, v in rep.normalizer.items()} == {"spelling_variant": 142, "original_script": 45,
                                                         "other_name": 258, "all": 445}
    assert rep.unknown_ids == ()
    # The README's 0.933 on Arabic script is reproduced (42/45). Its 0.950 on spelling variants (135/142) is not:
    # unidecode(name).lower() + fuzz.ratio gives 133/142 = 0.937 (rapidfuzz 3, no default processor). 0.950 is
    # what rapidfuzz's default_process on top gives (134), plus crediting the ambiguous "Ansar al-Sharia" ->
    # ANSAR AL CHARIA DERNA, presumably one of the entries the list also gives that name to, whose queries are
    # held out of this file (so only QDe.143 counts here).
    assert (rep.reference["original_script"].at1, round(rep.reference["original_script"].acc1, 3)) == (42, 0.933)
    assert rep.reference["spelling_variant"].at1 == 133
    assert len(rep.misses) == 445 - rep.normalizer["all"].at1
    assert all(0 <= s.at1 <= s.atk <= s.n for s in [*rep.normalizer.values(), *rep.reference.values()])
