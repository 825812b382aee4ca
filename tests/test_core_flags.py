"""The compiled core path's shortcuts (normalizer/_scan.pyx ``core``): its hit selection is ``decide.select_hits``,
its mentions are ``mentions_from_hits(matcher.find(...))``, and the mentions it names as possible inflected forms
and borrowed names are all that ``restore_inflected`` and ``borrowed_checks`` need to look at (the pipeline passes
them those indexes and skips them when there are none).  The corpus-level check of the whole output is
tests/test_exact_identity.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import Normalizer, compiled
from normalizer.decide import core_mentions, mentions_from_hits, non_overlapping, select_hits
from normalizer.inflect import restore_inflected
from normalizer.kb import borrowed_checks, borrowed_names
from normalizer.scan import Hit

N = Normalizer(variants=False, fuzzy=False, context=False)

# own sentences: acronyms, inflected Greek and Russian forms, borrowed place names (ordinary words elsewhere),
# Arabic proclitics, text in and outside the fast fold's alphabet
TEXTS = [
    ("MİT'in Daesh operasyonu Türkiye'de; Kara Kuvvetleri Halep yakınında.", "tr"),
    ("The U.N. said Islamic State and the PKK met in Baghdad; MIT and mit, NATO's envoy in Mali.", "en"),
    ("Mali destek paketi açıklandı. Mali'de seçim var, Nice ve Bamako arasında.", "tr"),
    ("Der Geheimdienst MIT hat mit der Polizei in Syrien ermittelt; Straße nach Bachmut.", "de"),
    ("قال مسؤول في بغداد إن تنظيم داعش هاجم قرية قرب الموصل وبالموصل.", "ar"),
    ("Το Ισλαμικό Κράτος στη Συρία και της Συρίας· η Δαμασκός.", "el"),
    ("Исламское государство в Сирии, Сирию и Сирией; Исламского государства нет.", "ru"),
    ("La France et l'ONU à Damas ; Tombouctou 🇲🇱 et le Mali.", "fr"),
    ("", None),
    ("   ", None),
]


@pytest.fixture(autouse=True)
def _require_compiled() -> None:
    if not compiled.available():
        pytest.fail("the compiled extensions are not built (pip install -e . builds them)")



spans = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 8)), max_size=14)


@settings(max_examples=500, deadline=None)
@given(spans)
def test_compiled_selection_is_the_greedy_overlap_pass(raw: list[tuple[int, int]]) -> None:
    hits = [Hit(s, s + w, (), ("alias", str(i)), False, 0, "") for i, (s, w) in enumerate(raw)]
    chosen = compiled.scan.select_hits(hits)
    assert chosen == select_hits(hits) == non_overlapping(hits, key=lambda h: (-(h.end - h.start), h.start))


@pytest.mark.parametrize("explain", [False, True])
@pytest.mark.parametrize(("text", "lang"), TEXTS)
def test_core_mentions_and_flags(text: str, lang: str | None, explain: bool) -> None:
    folded = N.folder.fold(text)
    steps = N.folder.steps_for if explain else None
    names = borrowed_names(N.tables.entities, N._borrowed)
    mentions, inflected, named = core_mentions(N.matcher, folded, lang=lang, fold_steps=steps, borrowed=names)
    reference = compiled.run_on(False, lambda: mentions_from_hits(N.matcher.find(N.folder.fold(text), lang), text, lang=lang,
                                                      fold_steps=steps))
    assert mentions == reference
    assert restore_inflected(mentions, N.tables, only=inflected) == restore_inflected(mentions, N.tables)
    checked = borrowed_checks(mentions, text, N.tables.entities, N._borrowed, explain=explain)
    assert borrowed_checks(mentions, text, N.tables.entities, N._borrowed, explain=explain, only=named) == checked


def test_the_flags_are_raised_where_there_is_work() -> None:
    """Not always empty: inflected Greek/Russian forms and borrowed names are named (else the test above proves
    nothing about them); the Python reference names every mention (None)."""
    names = borrowed_names(N.tables.entities, N._borrowed)
    flags = [core_mentions(N.matcher, N.folder.fold(t), lang=lg, borrowed=names)[1:] for t, lg in TEXTS]
    assert any(i for i, _ in flags) and any(b for _, b in flags)
    assert compiled.run_on(False, lambda: core_mentions(N.matcher, N.folder.fold(TEXTS[0][0]), lang="tr")[1:]) == (None, None)


def test_a_full_row_memo_empties_and_refills() -> None:
    """The compiled view keeps rows by key number up to the matcher's ``record_memo``, then empties: with a memo
    of two keys the output stays the same."""
    small = Normalizer(variants=False, fuzzy=False, context=False)
    small.matcher.record_memo = 2
    small.matcher.__dict__.pop("_compiled_view", None)
    for _ in range(2):
        for text, lang in TEXTS:
            assert small.normalize(text, lang) == N.normalize(text, lang)
