"""Table loading and validation: every problem names file, line and what is wrong."""

import subprocess
import sys
from pathlib import Path

import pytest

from normalizer import Normalizer, TableError, load_tables
from normalizer.fold import fold_key

FIXTURES = Path(__file__).parent / "fixtures"
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"


def write(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(TableError) as exc:
        load_tables([path])
    return [str(p) for p in exc.value.problems]


def test_duplicate_id_names_file_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, "dup.yaml", "entities:\n  - id: a\n    type: person\n    name: A\n  - id: a\n    type: person\n    name: B\n")
    (msg,) = problems(p)
    assert msg.startswith(f"{p}:5: error: duplicate id 'a'")
    assert "first at" in msg and ":2" in msg


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("entities:\n  - id: a\n    type: person\n    name: A\n    aliases: ['']\n", 5, "empty alias"),
        ("entities:\n  - id: a\n    type: person\n    name: A\n    aliases:\n      xx: [B]\n", 6, "unknown language code 'xx'"),
        ("entities:\n  - id: a\n    type: person\n    name: A\n    alias: [B]\n", 5, "unknown entity field 'alias'"),
        ("entities:\n  - id: a\n    type: person\n", 2, "missing a non-empty 'name'"),
        ("entities:\n  - id: a b\n    type: person\n    name: A\n", 2, "invalid id 'a b'"),
        ("entities:\n  - id: a\n    type: person\n    name: A\n    wikidata: 123\n", 5, "invalid wikidata id"),
        ("entities:\n  - id: a\n    type: person\n    name: A\n    aliases: [{alias: B, case: loud}]\n", 5, "unknown case rule"),
        ("entitys:\n  - id: a\n", 1, "unknown top-level key 'entitys'"),
        ("entities:\n  - id: a\n    name: [A\n", 4, "YAML syntax error"),
        ("", 1, "empty table"),
    ],
)
def test_yaml_problems(tmp_path: Path, body: str, line: int, needle: str) -> None:
    p = write(tmp_path, "t.yaml", body)
    msgs = problems(p)
    assert any(m.startswith(f"{p}:{line}: error:") and needle in m for m in msgs), msgs


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    body = "entities:\n  - id: a\n    type: person\n    name: A\n    aliases: ['']\n  - id: a\n    type: person\n    name: B\n"
    assert len(problems(write(tmp_path, "t.yaml", body))) == 2


def test_tsv_loads_and_groups_rows(tmp_path: Path) -> None:
    p = write(tmp_path, "t.tsv", "id\talias\tlang\ttype\tname\nx:1\tFoo Bar\ten\tperson\tFoo Bar\nx:2\tBaz\t\t\t\nx:1\tFubar\ttr\t\t\n")
    t = load_tables([p])
    assert t.entities["x:1"].name == "Foo Bar" and t.entities["x:1"].type == "person"
    assert {a.text for a in t.entities["x:1"].aliases} == {"Foo Bar", "Fubar"}
    assert t.entities["x:2"].type == "other" and t.entities["x:2"].name == "Baz"


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("ident\talias\nx\ty\n", 1, "missing column(s) ['id']"),
        ("id\talias\tcolour\nx\ty\tz\n", 1, "unknown column(s) ['colour']"),
        ("id\talias\nx\ty\textra\n", 2, "expected 2 tab-separated columns, found 3"),
        ("id\talias\tlang\nx\ty\tzz\n", 2, "unknown language code 'zz'"),
        ("id\talias\nx\t \n", 2, "empty alias"),
    ],
)
def test_tsv_problems(tmp_path: Path, body: str, line: int, needle: str) -> None:
    p = write(tmp_path, "t.tsv", body)
    msgs = problems(p)
    assert any(m.startswith(f"{p}:{line}: error:") and needle in m for m in msgs), msgs


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    assert "no such table file" in problems(tmp_path / "nope.yaml")[0]
    assert "unknown table format" in problems(write(tmp_path, "t.json", "{}"))[0]


def test_shared_alias_is_a_warning_unless_known(tmp_path: Path) -> None:
    body = ("entities:\n  - id: a\n    type: person\n    name: A\n    aliases: [Abu Bakr]\n"
            "  - id: b\n    type: person\n    name: B\n    aliases: [Abu Bakr]\n")
    t = load_tables([write(tmp_path, "t.yaml", body)], fold_key=fold_key)
    assert len(t.warnings) == 1 and "shared by 2 entities" in str(t.warnings[0])
    body2 = body + "known_ambiguous:\n  - {alias: Abu Bakr, ids: [a, b], note: kunya}\n"
    assert load_tables([write(tmp_path, "t2.yaml", body2)], fold_key=fold_key).warnings == []


def test_later_table_adds_aliases_to_same_id(tmp_path: Path) -> None:
    extra = write(tmp_path, "extra.yaml", "entities:\n  - id: org:isis\n    type: organization\n    name: Islamic State\n    aliases: [Daeş]\n")
    n = Normalizer([FIXTURES / "core_table.yaml", extra], bundled=False)
    assert "Daeş" in {a.text for a in n.entity("org:isis").aliases}
    assert "ISIS" in {a.text for a in n.entity("org:isis").aliases}


def test_bad_table_raises_from_library(tmp_path: Path) -> None:
    p = write(tmp_path, "dup.yaml", "entities:\n  - id: a\n    type: person\n    name: A\n  - id: a\n    type: person\n    name: A\n")
    with pytest.raises(TableError, match="duplicate id"):
        Normalizer([p], bundled=False)


def test_tables_check_command(tmp_path: Path) -> None:
    bad = write(tmp_path, "dup.yaml", "entities:\n  - id: a\n    type: person\n    name: A\n  - id: a\n    type: person\n    name: A\n")
    r = subprocess.run([sys.executable, "-m", "normalizer", "tables", "check", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1 and f"{bad}:5: error: duplicate id" in r.stdout
    ok = subprocess.run([sys.executable, "-m", "normalizer", "tables", "check", str(FIXTURES / "core_table.yaml")],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "ok:" in ok.stderr
    assert "Yılmaz" in ok.stdout  # the shared alias warning


def test_bundled_tables_pass_check() -> None:
    r = subprocess.run([sys.executable, "-m", "normalizer", "tables", "check", "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(not DEV.exists(), reason="dev set not present")
def test_dev_user_table_loads_as_is() -> None:
    t = load_tables([DEV / "user_table.yaml"])
    assert len(t.entities) == 31
