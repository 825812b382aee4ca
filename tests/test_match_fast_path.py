"""The matcher's fast path (normalizer/scan.py, decide.select_hits, types.new_mention) gives what the general path
gives: the same hits on the fast fold as on the general fold of the same text, the same selection as the greedy
overlap pass, and mentions that compare, copy and pickle like ones built by the dataclass constructor."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import Candidate, Mention, Normalizer
from normalizer.affixes import case_flags
from normalizer.decide import non_overlapping, select_hits
from normalizer.fastfold import FastAux
from normalizer.scan import Hit, _fast_span
from normalizer.types import new_candidate, new_mention

TABLE = Path(__file__).parent / "fixtures" / "match_fast_table.yaml"
N = Normalizer([TABLE], bundled=False, cache=False, variants=False, fuzzy=False, context=False)

# words of the table's aliases in several spellings, plain words (some equal to a capitals-only or cased alias in
# lower case), and separators that fold to one or several spaces
WORDS = ["Rise", "rise", "RISE", "MIT", "mit", "Mit", "Millî", "milli", "İstihbarat", "istihbarat", "Teşkilatı",
         "Teşkilatımız", "Free", "free", "Syrian", "Army", "army's", "ARMY", "Şükrü", "Sukru", "Çelik", "celik",
         "Abu", "Bakr", "el-Kureyşi", "Kureyşi'nin", "Yılmaz'ın", "YILMAZ", "the", "in", "despite", "Ömer", "IS",
         "is", "ISIS", "UN", "un", "Raqqa", "Raqqa's", "Helen", "R.", "Jordan", "Jordanian"]
SEPS = [" ", "  ", ", ", ". ", " — ", "\n\n", " (", ") ", "'", "-", ": "]
texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPS)), max_size=14).map(
    lambda parts: "".join(w + s for w, s in parts))


def _hits(text: str, general: bool) -> list[Hit]:
    """The hits, without ``fend`` (internal: on the fast path capitals-only keys are found in the uncollapsed
    fold, so it counts other positions)."""
    folded = N.folder.fold_general(text) if general else N.folder.fold(text)
    return [h._replace(fend=0) for h in N.matcher.find(folded, None)]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_fast_fold_hits_equal_general_fold_hits(text: str) -> None:
    assert isinstance(N.folder.fold(text).aux, FastAux)  # the words and separators are all in the fast alphabet
    assert _hits(text, general=False) == _hits(text, general=True)


def test_fast_path_finds_the_expected_mentions() -> None:
    got = [(m.text, m.id) for m in N.normalize("The rise of MIT: Rise Yılmaz'ın  ve the mit. Millî  İstihbarat "
                                               "Teşkilatımız, Free  Syrian Army's").mentions]
    assert got == [("MIT", "org:mit"), ("Rise Yılmaz", "per:rise"), ("Millî  İstihbarat Teşkilatımız", "org:mit"),
                   ("Free  Syrian Army", "org:fsa")]


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_fast_span_is_the_fold_span(text: str, data: st.DataObject) -> None:
    folded = N.folder.fold(text)
    n = len(folded.text)
    words = [i for i in range(n) if folded.text[i] != " " and (i == 0 or folded.text[i - 1] == " ")]
    ends = [j for j in range(1, n + 1) if folded.text[j - 1] != " "]
    if words and ends:
        a = data.draw(st.sampled_from(words))
        b = data.draw(st.sampled_from([j for j in ends if j > a] or [n]))
        assert _fast_span(folded)(a, b) == folded.span(a, b)


FAST = N.folder._fast


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([c for c in FAST.alphabet if ord(c) < 0xFDD0]), max_size=12))
def test_case_marks_agree_with_case_flags(word: str) -> None:
    marks = FAST.capitals(FAST.encode(word))
    has_upper = b"U" in marks
    assert (has_upper, has_upper and b"l" not in marks) == case_flags(word)


spans = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 8)), max_size=12)


@settings(max_examples=500, deadline=None)
@given(spans)
def test_select_hits_is_the_greedy_overlap_pass(raw: list[tuple[int, int]]) -> None:
    hits = [Hit(s, s + w, (), ("alias", str(i)), False, 0, "") for i, (s, w) in enumerate(raw)]
    assert select_hits(hits) == non_overlapping(hits, key=lambda h: (-(h.end - h.start), h.start))


def test_fast_constructors_build_equal_objects_that_pickle_and_copy() -> None:
    cands = (new_candidate("a:1", "A", "person", 0.95, "A", "folded"),
             Candidate("b:2", "B", "person", 0.9, "B", "variant", {"edits": 1}))
    m = new_mention("A", 0, 1, None, None, None, 0.5, "folded", "A", "und", False, True, cands, None)
    plain = Mention("A", 0, 1, None, None, None, 0.5, "folded", "A", "und", False, True, cands, None)
    assert m == plain and hash(m) == hash(plain) and m.to_dict() == plain.to_dict()
    assert cands[0] == Candidate("a:1", "A", "person", 0.95, "A", "folded") and cands[0].features == {}
    back = pickle.loads(pickle.dumps(m))
    assert back == m and back.candidates[1].features == {"edits": 1}
    assert copy.deepcopy(m) == m and dataclasses.replace(m, score=0.25).score == 0.25
    r = N.normalize("Free Syrian Army and MIT")
    assert pickle.loads(pickle.dumps(r)) == r
    assert new_candidate("x", "X", "t", 1.0, "x", "exact").features is not new_candidate("y", "Y", "t", 1.0, "y",
                                                                                             "exact").features
