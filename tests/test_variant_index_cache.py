"""The variant index (names.index.VariantIndex) as columns and in the compiled-table cache: the same aliases under the same
keys as the object-built index it replaces, the same answers cached and uncached, rebuilt when the tables or fold
rules change, safe with several processes; and the start-up fast paths (case rule, string index) agree with the
definitions they replace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from array import array
from pathlib import Path
from zlib import crc32

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import normalizer.names.index as spans
from normalizer import Normalizer
from normalizer.cache import SUFFIX, CompactTableSet
from normalizer.compact import StringIndex, StringTable
from normalizer.fold import DATA_DIR, Folder
from normalizer.names.keys import key_of
from normalizer.tables import _case_rule_chars, default_case_rule

FIXTURES = Path(__file__).parent / "fixtures"
TABLES = [FIXTURES / "variant_cache_table.yaml"]

TEXTS = [
    "Abou Bakr el-Baghdadi a été vu à Dschindires. Plus tard, al-Baghdadi a parlé.",
    "Ebu Hüseyin el-Kureyşi'nin adamları Cenderes'e girdi; Kureyşi konuştu.",
    "Abu Hussein al-Qurashi and Mehmet Hasan Yilmas met U.N. envoys; the SNA and Suriye Milli Ordusu agreed.",
    "Mehmed Hassan Yilmas, Jandairis, Abu Bekr al-Iraki. Abu Bakr spoke.",
    "",
]
NAMES = ["Ebu Bekir el-Bagdadi", "Abu Bakr", "Abu Hussein al-Qurashi", "Mehmet Hasan Yilmas", "Dschindiris", "UN",
         "Nations Unies", "Suriye Ordusu", "nobody at all"]


def _answers(n: Normalizer) -> tuple[list, list]:
    mentions = [[m.to_dict(explain=True) for m in n.normalize(t, explain=True).mentions] for t in TEXTS]
    return mentions, [[c.to_dict() for c in n.resolve(q)] for q in NAMES]


def _side_files(d: Path) -> list[Path]:
    return sorted(d.glob(f"*.variant_index*{SUFFIX}"))


def _reference(n: Normalizer) -> dict[str, dict]:
    """The index as the object-built VariantIndex made it (from Entity objects), for comparison."""
    variants, k = n.variants, n.thresholds.min_key_letters
    by_key: dict = {}
    acronyms: dict = {}
    by_ends: dict = {}
    for ent in n.tables.entities.values():
        for alias in ent.aliases:
            letters = alias.text.replace(".", "")
            if 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper():
                acronyms.setdefault(variants.folder.fold_key(letters), []).append(alias)
            key = key_of(variants.tokens(alias.text, alias.lang))  # each alias read in its language's conventions
            if len(key.replace(" ", "")) >= k:
                by_key.setdefault(key, []).append(alias)
            parts = key.split()
            if len(parts) >= 4:
                by_ends.setdefault((parts[0], parts[-1]), []).append(alias)
    return {"by_key": by_key, "acronyms": acronyms, "by_ends": by_ends}


def _as_dicts(index: spans.VariantIndex) -> dict[str, dict]:
    return {name: {key: getattr(index, name)[key] for key in getattr(index, name)}
            for name in ("by_key", "acronyms", "by_ends")}


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Normalizer, Normalizer]:
    plain = Normalizer(TABLES, bundled=False, cache=False)
    assert Normalizer(TABLES, bundled=False, cache=tmp_path).variant_index is not None  # builds both caches
    cached = Normalizer(TABLES, bundled=False, cache=tmp_path)
    return plain, cached


def test_cached_and_uncached_answer_alike_with_every_pass(pair: tuple[Normalizer, Normalizer]) -> None:
    plain, cached = pair
    assert isinstance(cached.tables, CompactTableSet) and not isinstance(plain.tables, CompactTableSet)
    got = _answers(cached)
    assert got == _answers(plain)
    methods = {m["method"] for doc in got[0] for m in doc} | {c["method"] for cands in got[1] for c in cands}
    assert {"exact", "variant", "context", "fuzzy", "folded"} <= methods  # every pass had something to do


@pytest.mark.parametrize("tables", [TABLES, []], ids=["variant-table", "bundled"])
def test_the_index_holds_what_the_object_built_one_held(tmp_path: Path, tables: list[Path]) -> None:
    plain = Normalizer(tables, bundled=not tables, cache=False)
    assert Normalizer(tables, bundled=not tables, cache=tmp_path).variant_index is not None
    cached = Normalizer(tables, bundled=not tables, cache=tmp_path)
    ref = _reference(plain)
    assert sum(map(len, ref.values())) > 10 and ref["by_ends"] and ref["acronyms"]
    assert _as_dicts(plain.variant_index) == ref
    assert _as_dicts(cached.variant_index) == ref  # same keys, same aliases, same (table) order
    index = cached.variant_index
    assert list(index._aliases) == [a for e in plain.tables.entities.values() for a in e.aliases]  # no derived ones
    key = next(iter(ref["by_ends"]))
    assert key in index.by_ends and index.by_ends[key] == ref["by_ends"][key]
    assert index.by_key.get("no such key") is None and "no such key" not in index.by_key
    assert index.by_ends.get(("x", "y"), ()) == () and index.acronyms.get(42) is None
    with pytest.raises(KeyError):
        index.by_key["no such key"]
    assert len(index.by_key) == len(ref["by_key"])


def test_the_cached_index_is_loaded_not_rebuilt(pair: tuple[Normalizer, Normalizer], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    plain, _ = pair
    expected = _answers(plain)
    assert len(_side_files(tmp_path)) == 1
    calls: list[int] = []
    real = spans.build_state
    monkeypatch.setattr(spans, "build_state", lambda *a, **k: calls.append(1) or real(*a, **k))
    cached = Normalizer(TABLES, bundled=False, cache=tmp_path)
    assert _answers(cached) == expected and calls == []
    _side_files(tmp_path)[0].unlink()
    again = Normalizer(TABLES, bundled=False, cache=tmp_path)
    assert _answers(again) == expected and calls == [1]  # missing: built once and written
    assert len(_side_files(tmp_path)) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncate", "stale"])
def test_a_bad_index_file_is_rebuilt(pair: tuple[Normalizer, Normalizer], tmp_path: Path, damage: str) -> None:
    plain, _ = pair
    (side,) = _side_files(tmp_path)
    data = side.read_bytes()
    if damage == "garbage":
        side.write_bytes(b"\x80\x05 not a pickle")
    elif damage == "truncate":
        side.write_bytes(data[: len(data) // 2])
    else:  # a whole, readable file that does not fit the tables (another alias count)
        import pickle

        with open(side, "rb") as fh:
            head, state = pickle.load(fh), pickle.load(fh)
        with open(side, "wb") as fh:
            pickle.dump(head, fh)
            pickle.dump({**state, "columns": state["columns"] + 1}, fh)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        n = Normalizer(TABLES, bundled=False, cache=tmp_path)
        assert _answers(n) == _answers(plain)
    assert any("rebuilding" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rewritten file loads without complaint
        assert _answers(Normalizer(TABLES, bundled=False, cache=tmp_path)) == _answers(plain)


def test_rebuilt_when_a_table_file_or_the_fold_rules_change(tmp_path: Path) -> None:
    table = tmp_path / "t.yaml"
    table.write_text(TABLES[0].read_text(encoding="utf-8"), encoding="utf-8")
    cache = tmp_path / "cache"
    assert Normalizer([table], bundled=False, cache=cache).normalize("Zeyneb Kaya spoke.").mentions == ()
    text = table.read_text(encoding="utf-8").replace(
        "known_ambiguous:", "  - {id: per:kaya, type: person, name: Zeynep Kaya}\nknown_ambiguous:")
    table.write_text(text, encoding="utf-8")
    after = Normalizer([table], bundled=False, cache=cache)
    assert [m.id for m in after.normalize("Zeyneb Kaya spoke.").mentions] == ["per:kaya"]
    assert len(_side_files(cache)) == 2  # one index per table version
    rules = tmp_path / "fold.yaml"
    rules.write_text((DATA_DIR / "fold.yaml").read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    other = Normalizer([table], bundled=False, cache=cache, folder=Folder(rules))
    assert _answers(other) == _answers(Normalizer([table], bundled=False, cache=False))
    assert len(_side_files(cache)) == 3


_WORKER = """
import json, sys
from normalizer import Normalizer
n = Normalizer(json.loads(sys.argv[1]), bundled=False, cache=sys.argv[2])
texts, names = json.loads(sys.argv[3]), json.loads(sys.argv[4])
print(json.dumps([[[m.to_dict() for m in n.normalize(t).mentions] for t in texts],
                  [[c.to_dict() for c in n.resolve(q)] for q in names]]))
"""


def test_processes_building_the_index_at_once(tmp_path: Path) -> None:
    args = [json.dumps([str(p) for p in TABLES]), str(tmp_path), json.dumps(TEXTS), json.dumps(NAMES)]
    env = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}  # none may meet a half-written file
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outs]
    plain = Normalizer(TABLES, bundled=False, cache=False)
    expected = [[[m.to_dict() for m in plain.normalize(t).mentions] for t in TEXTS],
                [[c.to_dict() for c in plain.resolve(q)] for q in NAMES]]
    assert all(json.loads(out) == expected for out, _ in outs)
    assert len(_side_files(tmp_path)) == 1 and not list(tmp_path.glob(".*.tmp"))


# ------------------------------------------------------------------------------------ start-up fast paths
_MIXED = st.text(st.sampled_from("aAzZ09 .-'’İıIiŞşÇçĞğÖöÜüßẞǅǄǆªⓐⒶΣσςΆάЖжداعش١Ⅳⅳ𝐀ꭰ") | st.characters(), max_size=8)


@given(_MIXED)
@settings(max_examples=300, deadline=None)
def test_case_rule_fast_paths_agree_with_the_definition(alias: str) -> None:
    assert default_case_rule(alias) == _case_rule_chars(alias)


def test_case_rule_every_character() -> None:
    for cp in range(0x3000):  # Latin, Greek, Cyrillic, Arabic, letter-like symbols, circled letters ...
        c = chr(cp)
        for s in (c, "A" + c, "ab" + c, c * 4):
            assert default_case_rule(s) == _case_rule_chars(s), (hex(cp), s)
    assert [default_case_rule(s) for s in ("MIT", "MİT", "IŞİD", "ISKP", "Gül", "gül", "U.N.", "A1", "ª", "")] \
        == ["upper", "upper", "cased", "cased", "cased", "any", "upper", "upper", "any", "any"]


@given(st.lists(st.text(max_size=4), max_size=60))
@settings(max_examples=200, deadline=None)
def test_string_index_matches_the_sorted_definition(strings: list[str]) -> None:
    table = StringTable.build(strings)
    index = StringIndex.build(table)
    pairs = sorted((crc32(s.encode("utf-8")), i) for i, s in enumerate(strings))
    assert (index.hashes, index.order) == (array("I", (h for h, _ in pairs)), array("I", (i for _, i in pairs)))
    for s in strings:
        assert index.find(s) == strings.index(s)
    assert index.find("\x00absent\x00") == -1
