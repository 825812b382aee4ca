"""resolve() and the fuzzy index (normalizer/fuzzy_index.py, fuzzy_search.py) on an own small table."""

from __future__ import annotations

import pickle
import random
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalizer import Normalizer
from normalizer.names.fuzzy_index import FuzzyIndex
from normalizer.names.keys import default_variants

TABLE = Path(__file__).parent / "fixtures" / "resolve_table.yaml"


@pytest.fixture(scope="module")
def n() -> Normalizer:
    return Normalizer([TABLE], bundled=False)


def ids(n: Normalizer, name: str, limit: int = 5) -> list[str]:
    return [c.id for c in n.resolve(name, limit=limit)]


@pytest.mark.parametrize(("query", "eid"), [
    ("Abu Bakr al-Bahgdadi", "per:baghdadi"),  # swapped letters
    ("Recep Tayip Erdoan", "per:erdogan"),  # two dropped letters in two words
    ("Kemal Kilicdarolu", "per:kilicdaroglu"),  # ASCII and a dropped letter
    ("Syrain National Army", "org:sna"),
    ("Gulsen Bayraktr", "per:gulsen"),
    ("RecepTayyip Erdoğan", "per:erdogan"),  # two words run together
    ("AbdullahGül", "per:gul"),
    ("Ozgur Suriye Ordus", "org:fsa"),
    ("Alepo", "loc:aleppo"),
])
def test_typos_resolve_to_the_entity(n: Normalizer, query: str, eid: str) -> None:
    got = n.resolve(query)
    assert got and got[0].id == eid
    assert got[0].method in ("variant", "fuzzy") and got[0].score < 0.95


@pytest.mark.parametrize(("query", "eid"), [
    ("Abou Bakr al-Bagdadi", "per:baghdadi"),
    ("Hussein ben Qasim al-Kurdi", "per:hussein-kurdi"),  # ben for ibn
    ("Abu Ibrahim el-Haschimi el-Kuraschi", "per:qurashi"),  # German romanisation, no table lists it
])
def test_other_romanisations_are_variants(n: Normalizer, query: str, eid: str) -> None:
    (first, *_) = n.resolve(query)
    assert (first.id, first.method) == (eid, "variant")
    assert first.features["key_match"] == "variant" and 0.8 < first.score <= 0.94


def test_methods_and_features(n: Normalizer) -> None:
    exact, folded = n.resolve("Ebu Bekir el-Bağdadi")[0], n.resolve("ebu bekir el bagdadi")[0]
    assert (exact.id, exact.method, exact.score) == ("per:baghdadi", "exact", 1.0)
    assert (folded.id, folded.method, folded.score) == ("per:baghdadi", "folded", 0.95)
    assert n.resolve("أبو بكر البغدادي")[0].method == "exact"
    fuzzy = n.resolve("Abu Bakr al-Bahgdadi")[0]
    assert fuzzy.method == "fuzzy" and fuzzy.alias == "Abu Bakr al-Baghdadi"
    assert {"similarity", "alignment", "aligned", "coverage_query", "coverage_alias", "key_strength"} <= set(fuzzy.features)
    assert 0.0 < fuzzy.features["similarity"] < 1.0 and fuzzy.features["aligned"]
    assert fuzzy.to_dict()["features"] == fuzzy.features
    assert n.resolve("Ebu Bekir el-Bağdadi", lang="tr")[0].features.get("lang_match") is True
    assert "lang_match" not in n.resolve("Ebu Bekir el-Bağdadi", lang="en")[0].features


def test_false_friends_stay_apart(n: Normalizer) -> None:
    # another man who shares the kunya is not al-Baghdadi
    assert ids(n, "Abu Bakr al-Iraqi")[0] == "per:iraqi"
    other = {c.id: c.score for c in n.resolve("Abu Bakr al-Masri")}
    typo = n.resolve("Abu Bakr al-Bahgdadi")[0].score
    assert other.get("per:baghdadi", 0.0) < min(0.75, typo - 0.1)
    # Gül is not Gülşen, either way
    assert "per:gulsen" not in ids(n, "Abdullah Gül") and "per:gul" not in ids(n, "Gülşen Bayraktar")
    assert "per:gulsen" not in ids(n, "Gül")


def test_limit_and_order(n: Normalizer) -> None:
    got = n.resolve("Abu Bakr al-Bagdadi", limit=5)
    assert [c.score for c in got] == sorted((c.score for c in got), reverse=True)
    assert len(n.resolve("Abu Bakr al-Bagdadi", limit=1)) == 1
    assert n.resolve("Abu Bakr", limit=0) == [] and n.resolve("Abu Bakr", limit=-3) == []
    # homonyms: both, equal scores, in id order
    twins = n.resolve("Aaron Jenkns")
    assert [c.id for c in twins[:2]] == ["per:jenkins-a", "per:jenkins-b"] and twins[0].score == twins[1].score
    assert all(c.score >= n.thresholds.resolve_floor for c in got)


@pytest.mark.parametrize("odd", ["", "   ", "!!!", "-", "\u0301", "\ud800", "x", "ab" * 3000, "\n\t", "0000"])
def test_odd_input_is_answered(n: Normalizer, odd: str) -> None:
    got = n.resolve(odd)
    assert isinstance(got, list) and len(got) <= 5
    assert all(c.score >= n.thresholds.resolve_floor for c in got)


def test_not_a_string_is_a_type_error(n: Normalizer) -> None:
    with pytest.raises(TypeError):
        n.resolve(b"Daesh")  # type: ignore[arg-type]


ALIASES = [(a.text, e.id) for e in Normalizer([TABLE], bundled=False).tables.entities.values() for a in e.aliases]


@settings(max_examples=len(ALIASES) * 2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(ALIASES))
def test_every_alias_resolves_to_its_entity(n: Normalizer, pair: tuple[str, str]) -> None:
    alias, eid = pair
    got = n.resolve(alias)
    assert got[0].score == 1.0 and got[0].method == "exact"
    assert eid in [c.id for c in got if c.score == got[0].score]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([p for p in ALIASES if len(p[0]) >= 12 and p[0].isascii()]), st.integers(0, 10**6))
def test_one_dropped_letter_keeps_the_entity_in_the_top_five(n: Normalizer, pair: tuple[str, str], seed: int) -> None:
    alias, eid = pair
    letters = [i for i, c in enumerate(alias) if c.isalpha()]
    i = random.Random(seed).choice(letters[1:])
    assert eid in ids(n, alias[:i] + alias[i + 1:])


def test_index_is_compact_and_round_trips() -> None:
    v = default_variants()
    texts = ["Ebu Bekir el-Bağdadi", "Abu Bakr al-Baghdadi", "Gülşen Bayraktar", "", "Daesh"]
    index = FuzzyIndex.build(texts, v)
    assert [index.text(i) for i in range(len(texts))] == [v.folder.fold_key(v.prepare(t)) for t in texts]
    assert index.n_alias == 5 and index.post_ptr[-1] == len(index.post)
    bagdadi = index.token("bagdadi")
    assert bagdadi is not None and index.vocab[bagdadi] == "bagdadi" and index.token("bagdad") is None
    assert {index.vocab[t] for t in index.neighbours(["bahgdadi"])[0]} >= {"bagdadi"}  # a swap: two deletions
    assert bagdadi in index.neighbours(["bagdad"])[0] and bagdadi in index.neighbours(["bagddadi"])[0]
    copy = pickle.loads(pickle.dumps(index))
    assert copy.vocab == index.vocab and copy.token("bagdadi") == bagdadi \
        and copy.text(1) == index.text(1)
    assert index.skeleton_key(index.tokens(0)) == index.skeleton_key(index.tokens(1)) == v.key(texts[0])


def test_index_is_cached_with_the_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Normalizer([TABLE], bundled=False, cache=tmp_path)
    want = [c.to_dict() for c in first.resolve("Recep Tayip Erdoan")]
    assert list(tmp_path.glob("*.fuzzy_index-*.nzc"))

    def no_build(*args: object, **kw: object) -> None:
        raise AssertionError("the index should come from the cache")

    monkeypatch.setattr(FuzzyIndex, "build", no_build)
    again = Normalizer([TABLE], bundled=False, cache=tmp_path)
    assert [c.to_dict() for c in again.resolve("Recep Tayip Erdoan")] == want
    assert again.fuzzy_index is again.variant_index.token_index()  # one index for resolve() and the fuzzy pass


def test_threads_share_one_normalizer(n: Normalizer) -> None:
    queries = ["Abu Bakr al-Bahgdadi", "Recep Tayip Erdoan", "Gulsen Bayraktr", "Syrain National Army"] * 5
    want = {q: [c.to_dict() for c in n.resolve(q)] for q in queries}
    bad: list[str] = []

    def work() -> None:
        for q in queries:
            if [c.to_dict() for c in n.resolve(q)] != want[q]:
                bad.append(q)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad


def test_fuzzy_pass_in_running_text_uses_the_same_index(n: Normalizer) -> None:
    (m,) = n.normalize("Dün Recep Tayip Erdoan konuştu.").mentions
    assert (m.id, m.method, m.text) == ("per:erdogan", "fuzzy", "Recep Tayip Erdoan")
