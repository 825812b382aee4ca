"""Offsets are sacred: property tests of the fold's offset map on arbitrary Unicode."""

from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import Normalizer
from normalizer.fold import default_folder

FOLDER = default_folder()
# arbitrary code points (lone surrogates and controls included) mixed with the characters the fold treats specially
texty = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=()),
        st.sampled_from(list("İIıiŞşĞğ'’ - \n\t.ßﬁ\u0327\u0307\u064b\u0640أإآةى\u200bΆάςداعشMİTGül")),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(texty)
def test_offset_map_is_monotone_and_bounded(text: str) -> None:
    f = FOLDER.fold(text)
    prev = 0
    for i in range(len(f.text) + 1):
        o = f.orig(i)
        assert 0 <= o <= len(text)
        assert o >= prev
        prev = o
    assert f.orig(len(f.text)) == len(text)


@settings(max_examples=300, deadline=None)
@given(texty)
def test_word_spans_refold_to_the_same_key(text: str) -> None:
    """Any folded word run maps back to an original span that folds to the same words."""
    f = FOLDER.fold(text)
    words = []
    i = 0
    t = f.text
    while i < len(t):
        if t[i] == " ":
            i += 1
            continue
        j = t.find(" ", i)
        j = len(t) if j == -1 else j
        words.append((i, j))
        i = j
    for a, b in words:
        s, e = f.span(a, b)
        assert 0 <= s <= e <= len(text)
        assert FOLDER.fold_key(text[s:e]) == t[a:b].strip()


def _mk() -> Normalizer:
    from pathlib import Path

    return Normalizer([Path(__file__).parent / "fixtures" / "core_table.yaml"], bundled=False)


CORE = _mk()
names = st.sampled_from(["MİT", "DEAŞ", "Daesh", "Türkiye", "سوريا", "Irak Şam İslam Devleti", "Gül", "Σ Συρία"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(texty, names), max_size=8))
def test_mentions_index_the_callers_string(parts: list[str]) -> None:
    text = " ".join(parts)
    r = CORE.normalize(text)
    last_end = 0
    for m in r.mentions:
        assert text[m.start:m.end] == m.text
        assert m.start >= last_end  # sorted, never overlapping
        last_end = m.end
        assert 0.0 <= m.score <= 1.0


@settings(max_examples=300, deadline=None)
@given(texty)
def test_vectorised_word_spans_equal_the_fold_s_own(text: str) -> None:
    """spans.word_spans (the tokenizer's vectorised offset map) gives exactly Folded.span for every word."""
    import re

    from normalizer.spans import _name_starts, word_spans

    f = FOLDER.fold(text)
    words = list(re.finditer(r"\S+", f.text))
    starts, ends = [m.start() for m in words], [m.end() for m in words]
    assert word_spans(f, starts, ends) == [f.span(s, e) for s, e in zip(starts, ends, strict=True)]
    from normalizer.names.keys import default_variants

    got = _name_starts(f, default_variants())  # every capital found from the caller's string starts a word
    if got is not None:
        assert set(got) <= set(starts)
        assert all(text[f.orig(s)].isupper() for s in got if f.text[s] < "\u0600" and not any(
            f.text[s:e] in default_variants().particles or f.text[s:e] in default_variants().articles
            for e in [f.text.find(" ", s) if f.text.find(" ", s) >= 0 else len(f.text)]))
