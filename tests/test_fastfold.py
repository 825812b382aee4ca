"""The fold's fast path (normalizer/fastfold.py) is the general fold, only faster: same folded text, same offset
map, and its case-inverted fold blocks exactly the words the ``upper`` case rule rejects."""

from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.fastfold import FastAux
from normalizer.fold import default_folder
from normalizer.matcher import case_ok

FOLDER = default_folder()
FAST = FOLDER._fast
ALPHABET = [c for c in FAST.alphabet if ord(c) < 0xFDD0]
fast_text = st.text(alphabet=st.sampled_from(ALPHABET + list("  ..,;'’-—") * 3), max_size=80)


def _same_map(text: str) -> None:
    fast, general = FOLDER.fold(text), FOLDER.fold_general(text)
    assert isinstance(fast.aux, FastAux)
    assert fast.text == general.text
    n = len(fast.text)
    assert [fast.orig(i) for i in range(n + 1)] == [general.orig(i) for i in range(n + 1)]
    assert all(fast.span(i, j) == general.span(i, j) for i in range(n) for j in range(i, n + 1))


@settings(max_examples=400, deadline=None)
@given(fast_text)
def test_fast_fold_equals_general_fold(text: str) -> None:
    _same_map(text)


def test_fast_fold_on_news_like_text() -> None:
    for text in ["MİT'in Daesh operasyonu.  Türkiye’de, (DEAŞ) — 3 kişi...", "  a  b  ", "Helen R. Jordan said.",
                 "İSMAİL IŞIK'ın ekibi; Ömer Çelik: «Şam» … ", "", " ", "x"]:
        _same_map(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_other_text_takes_the_general_path(text: str) -> None:
    f = FOLDER.fold(text)
    if all(c in ALPHABET for c in text):
        _same_map(text)
    else:
        assert f.aux is None
        g = FOLDER.fold_general(text)
        assert (f.text, f.fpos, f.opos) == (g.text, g.fpos, g.opos)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=6))
def test_case_inverted_fold_keeps_exactly_the_capitals_words(word: str) -> None:
    folded = FOLDER.fold(word)
    inverted = FAST.upper(folded.aux.private)
    has_cased = any(c.lower() != c.upper() for c in word)
    # an upper-case-only key can match the inverted fold exactly where the source passes the "upper" rule
    assert (inverted == folded.aux.raw) == (case_ok("upper", word, word) or not has_cased)
