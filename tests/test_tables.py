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


def test_same_id_in_two_files_is_an_error_naming_both(tmp_path: Path) -> None:
    # issue 17: a second definition in another file used to be merged silently (its name and type won)
    extra = write(tmp_path, "extra.yaml", "entities:\n  - id: org:isis\n    type: person\n    name: Other\n")
    with pytest.raises(TableError) as exc:
        Normalizer([FIXTURES / "core_table.yaml", extra], bundled=False)
    (problem,) = exc.value.problems
    assert (problem.file, problem.line) == (str(extra), 2)
    assert f"first at {FIXTURES / 'core_table.yaml'}:" in problem.message and "extends: org:isis" in problem.message
    tsv = write(tmp_path, "bulk.tsv", "id\talias\norg:isis\tDaeşş\n")
    with pytest.raises(TableError, match=r"bulk.tsv:2: error: duplicate id 'org:isis' \(first at "):
        Normalizer([FIXTURES / "core_table.yaml", tsv], bundled=False)
    # the same file given twice is read once, not a conflict with itself
    n = Normalizer([FIXTURES / "core_table.yaml", FIXTURES / "core_table.yaml"], bundled=False)
    assert len(n.tables.files) == 1


def test_extends_adds_aliases_and_context_to_an_entity_of_another_table(tmp_path: Path) -> None:
    extra = write(tmp_path, "extra.yaml", "entities:\n  - extends: org:isis\n    aliases:\n      tr: [Daeşçiler]\n"
                  "    context: [Rakka]\n")
    bulk = write(tmp_path, "bulk.tsv", "extends\talias\tlang\norg:isis\tDevlet-i İslamiye\ttr\n")
    base = Normalizer([FIXTURES / "core_table.yaml"], bundled=False).entity("org:isis")
    n = Normalizer([extra, FIXTURES / "core_table.yaml", bulk], bundled=False)  # order does not matter
    ent = n.entity("org:isis")
    assert (ent.name, ent.type, ent.source) == (base.name, base.type, base.source)
    added = {a.text: a.source for a in ent.aliases} .items() - {a.text: a.source for a in base.aliases}.items()
    assert added == {("Daeşçiler", f"{extra}:4"), ("Devlet-i İslamiye", f"{bulk}:2")}
    assert "Rakka" in ent.context
    assert [m.id for m in n.normalize("Daeşçiler ve Devlet-i İslamiye").mentions] == ["org:isis", "org:isis"]
    # `tables check` of an extension of the bundled tables needs them loaded: --bundled
    ext = write(tmp_path, "ext.yaml", "entities:\n  - extends: org:isis\n    aliases: [Daeşçiler]\n")
    r = subprocess.run([sys.executable, "-m", "normalizer", "tables", "check", str(ext)], capture_output=True, text=True)
    assert r.returncode == 1 and "no loaded table defines an entity 'org:isis'" in r.stdout
    r = subprocess.run([sys.executable, "-m", "normalizer", "tables", "check", "--bundled", str(ext)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_bad_extends_entries(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "entities:\n  - extends: org:nope\n    aliases: [X]\n"
                "  - extends: org:isis\n    name: Renamed\n")
    with pytest.raises(TableError) as exc:
        Normalizer([FIXTURES / "core_table.yaml", bad], bundled=False)
    assert sorted(str(p) for p in exc.value.problems) == [
        f"{bad}:2: error: 'extends: org:nope': no loaded table defines an entity 'org:nope'",
        f"{bad}:5: error: an 'extends' entry adds aliases and context only, not 'name' (id, type and name are set "
        "where the entity is defined)",
    ]


def test_alias_that_folds_to_nothing_is_a_warning(tmp_path: Path) -> None:
    # issue 17: an alias of only punctuation was accepted silently and could never match
    p = write(tmp_path, "punct.yaml", "entities:\n  - id: x:a\n    type: other\n    name: Alpha\n"
              "    aliases:\n      - '!!!'\n      - ـ\n      - Beta\n")
    n = Normalizer([p], bundled=False)
    assert [(w.file, w.line, w.level) for w in n.tables.warnings] == [(str(p), 6, "warning"), (str(p), 7, "warning")]
    assert "'!!!' of 'x:a' has no letter or digit after folding" in n.tables.warnings[0].message
    r = subprocess.run([sys.executable, "-m", "normalizer", "tables", "check", str(p)], capture_output=True, text=True)
    assert r.returncode == 0 and f"{p}:6: warning: alias '!!!'" in r.stdout
    r = subprocess.run([sys.executable, "-m", "normalizer", "tables", "check", "--strict", str(p)],
                       capture_output=True, text=True)
    assert r.returncode == 1


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
