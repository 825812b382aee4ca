"""Compiled-table cache (normalizer/cache.py): a cached Normalizer answers exactly like an uncached one, the cache
follows its tables and rules, and a broken or contended cache is rebuilt, never an error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from normalizer import Normalizer
from normalizer.cache import AUTO_BYTES, SUFFIX, CompactTableSet, cache_key
from normalizer.fold import DATA_DIR, Folder, default_folder
from normalizer.tables import table_files

FIXTURES = Path(__file__).parent / "fixtures"
TABLES = [FIXTURES / "cache_table.yaml", FIXTURES / "cache_people.tsv"]
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"

TEXTS = [
    "MİT'in Daesh operasyonu Türkiye'de sürüyor; Millî İstihbarat Teşkilatımız açıklama yaptı.",
    "Der Geheimdienst MIT hat mit der Polizei in Syrien zusammengearbeitet.",
    "The mit license is not MIT, and IS is a verb here, but ISIS and IŞİD are names.",
    "SDF fighters and the Syrian Democratic Forces entered Raqqa; Suriye Demokratik Güçleri'nin açıklaması.",
    "وسوريا والرقة ورقة الدولة الإسلامية داعش",
    "Abu Bakr was seen in Raqqa. Ebu Bekir el-Kureyşi'nin adı geçti.",
    "ŞÜKRÜ ÇELİK, Sukru Celik and şükrü çelik met Helen R. Jordan and HELEN JORDAN.",
    "İSMAİL IŞIK'ın ekibi, Kuzey Özgür Cephesi (NFF) ve CRC temsilcileriyle görüştü.",
    "Gül bahçede; Ayşe Gül konuştu. GÜL! DEAŞ'ın IŞİD'e, Daech en Syrie.",
    "Συρία, Syrien — Civil Relief Council—CRC; the crc was lower case.",
    "",
    "   \n\t  ",
]


def _dump(n: Normalizer, texts: list[str]) -> list[list[dict]]:
    return [[m.to_dict(explain=True) for m in n.normalize(t, explain=True).mentions] for t in texts]


def _pair(tmp_path: Path, tables: list[Path] = TABLES, **kw) -> tuple[Normalizer, Normalizer]:
    plain = Normalizer(tables, bundled=False, cache=False, **kw)
    Normalizer(tables, bundled=False, cache=tmp_path, **kw)  # builds and writes the cache
    cached = Normalizer(tables, bundled=False, cache=tmp_path, **kw)  # loads it
    return plain, cached


def _cache_files(d: Path) -> list[Path]:
    return sorted(p for p in d.glob(f"*{SUFFIX}") if p.name.count(".") == 1)


def test_cached_normalizer_answers_like_an_uncached_one(tmp_path: Path) -> None:
    plain, cached = _pair(tmp_path)
    assert isinstance(cached.tables, CompactTableSet) and not isinstance(plain.tables, CompactTableSet)
    assert len(_cache_files(tmp_path)) == 1
    got = _dump(cached, TEXTS)
    assert got == _dump(plain, TEXTS)
    assert sum(map(len, got)) >= 25  # the texts do find things: the comparison is not vacuous
    for lang in ("tr", "en", "ar"):  # the same with a language hint
        assert [cached.normalize(t, lang).to_dict() for t in TEXTS] == [plain.normalize(t, lang).to_dict() for t in TEXTS]
    assert (cached.version, cached.entity_count, cached.alias_count) == \
           (plain.version, plain.entity_count, plain.alias_count)


def test_cached_tables_behave_like_the_loaded_ones(tmp_path: Path) -> None:
    plain, cached = _pair(tmp_path)
    for eid in plain.tables.entities:
        assert cached.entity(eid) == plain.entity(eid)
        assert eid in cached.tables.entities
    assert cached.entity("per:nobody") is None and "per:nobody" not in cached.tables.entities
    assert list(cached.tables.entities.values()) == list(plain.tables.entities.values())
    assert dict(cached.tables.entities.items()) == dict(plain.tables.entities.items())
    assert list(cached.tables.warnings) == list(plain.tables.warnings)
    assert cached.tables.known_ambiguous == plain.tables.known_ambiguous
    assert cached.tables.files == plain.tables.files
    for q in ("Gül", "raqqa", "Abu Bakr", "Sükrü Celik", "MIT", "Helen Jordn"):
        assert cached.search_entities(q) == plain.search_entities(q)
        assert [c.to_dict() for c in cached.resolve(q)] == [c.to_dict() for c in plain.resolve(q)]
    assert sorted(cached.matcher.entries) == sorted(plain.matcher.entries)
    for key in plain.matcher.entries:
        assert cached.matcher.entries[key] == plain.matcher.entries[key]


def test_a_changed_table_file_is_rebuilt(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(FIXTURES, tables, ignore=lambda d, names: [n for n in names if not n.startswith("cache_")])
    cache = tmp_path / "cache"
    paths = [tables / "cache_table.yaml", tables / "cache_people.tsv"]
    before = Normalizer(paths, bundled=False, cache=cache)
    assert before.normalize("Zeynep Kaya spoke.").mentions == ()
    with open(paths[1], "a", encoding="utf-8") as fh:
        fh.write("per:0006\tZeynep Kaya\ttr\tperson\tZeynep Kaya\n")
    after = Normalizer(paths, bundled=False, cache=cache)
    assert [m.id for m in after.normalize("Zeynep Kaya spoke.").mentions] == ["per:0006"]
    assert after.version != before.version
    assert len(_cache_files(cache)) == 2  # a new entry; the old one stays until pruned
    assert _dump(after, TEXTS) == _dump(Normalizer(paths, bundled=False, cache=False), TEXTS)


def test_the_key_follows_the_fold_rules_and_table_bytes(tmp_path: Path) -> None:
    rules = tmp_path / "fold.yaml"
    rules.write_text((DATA_DIR / "fold.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    files = table_files(TABLES)
    same = cache_key(files, Folder(rules))
    assert same == cache_key(files, default_folder())
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    assert cache_key(files, Folder(rules)) != same
    other = tmp_path / "t.tsv"
    other.write_bytes(TABLES[1].read_bytes())
    assert cache_key([files[0], other], default_folder()) != same  # a file's name is part of the key too


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "directory"])
def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path, damage: str) -> None:
    plain, _ = _pair(tmp_path)
    (path,) = _cache_files(tmp_path)
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x80\x05not a pickle at all" + data[100:200])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
        path.mkdir()  # unreadable as a file: the cache cannot even be replaced, still no error
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        n = Normalizer(TABLES, bundled=False, cache=tmp_path)
    assert any("table cache" in str(w.message) for w in caught)
    assert _dump(n, TEXTS) == _dump(plain, TEXTS)
    if damage != "directory":
        assert path.read_bytes() != data[: len(data) // 2] and len(path.read_bytes()) > 0  # rewritten
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the rewritten file loads without complaint
            assert _dump(Normalizer(TABLES, bundled=False, cache=tmp_path), TEXTS) == _dump(plain, TEXTS)


def test_an_unwritable_cache_directory_is_a_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        n = Normalizer(TABLES, bundled=False, cache=blocker / "sub")
    assert any("could not write table cache" in str(w.message) for w in caught)
    assert [m.id for m in n.normalize("MİT'in").mentions] == ["org:mit"]


_BUILDER = """
import json, sys
from normalizer import Normalizer
n = Normalizer(json.loads(sys.argv[1]), bundled=False, cache=sys.argv[2])
print(json.dumps([[m.to_dict() for m in n.normalize(t).mentions] for t in json.loads(sys.argv[3])]))
"""


def test_two_processes_building_at_once(tmp_path: Path) -> None:
    args = [json.dumps([str(p) for p in TABLES]), str(tmp_path), json.dumps(TEXTS)]
    env = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}  # neither may see a half-written file
    procs = [subprocess.Popen([sys.executable, "-c", _BUILDER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outs]
    expected = [[m.to_dict() for m in Normalizer(TABLES, bundled=False, cache=False).normalize(t).mentions]
                for t in TEXTS]
    assert all(json.loads(out) == expected for out, _ in outs)
    assert len(_cache_files(tmp_path)) == 1
    assert not list(tmp_path.glob("*.tmp"))  # no temporary file left behind
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = Normalizer(TABLES, bundled=False, cache=tmp_path)
    assert isinstance(again.tables, CompactTableSet)


def test_default_policy_small_tables_skip_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NORMALIZER_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("NORMALIZER_CACHE", raising=False)
    assert sum(p.stat().st_size for p in TABLES) < AUTO_BYTES
    n = Normalizer(TABLES, bundled=False, link=False)
    assert not isinstance(n.tables, CompactTableSet) and not list(tmp_path.iterdir())
    monkeypatch.setenv("NORMALIZER_CACHE", "1")
    Normalizer(TABLES, bundled=False, link=False)
    assert len(_cache_files(tmp_path)) == 1  # the environment asks for it: $NORMALIZER_CACHE_DIR is used
    assert isinstance(Normalizer(TABLES, bundled=False, link=False).tables, CompactTableSet)
    monkeypatch.setenv("NORMALIZER_CACHE", "0")
    assert not isinstance(Normalizer(TABLES, bundled=False).tables, CompactTableSet)
    monkeypatch.delenv("NORMALIZER_CACHE")
    # linked to the knowledge base (the default), the tables' inputs include the KB file: big, so cached
    assert isinstance(Normalizer(TABLES, bundled=False).tables, CompactTableSet)


@pytest.mark.skipif(not (DEV / "texts.jsonl").exists(), reason="dev set not present")
def test_dev_texts_cached_and_uncached_agree(tmp_path: Path) -> None:
    texts = [json.loads(line)["text"] for line in (DEV / "texts.jsonl").read_text(encoding="utf-8").splitlines()]
    plain, cached = _pair(tmp_path, [DEV / "user_table.yaml"])
    assert _dump(cached, texts) == _dump(plain, texts)
    bundled_plain = Normalizer(cache=False)
    bundled_cached = Normalizer(cache=tmp_path / "b")
    bundled_cached = Normalizer(cache=tmp_path / "b")
    assert isinstance(bundled_cached.tables, CompactTableSet)
    assert _dump(bundled_cached, texts) == _dump(bundled_plain, texts)
