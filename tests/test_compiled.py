"""The compiled exact path (normalizer/_scan.pyx, _fold.pyx) against its Python reference (scan.py, decide.py,
fold.py, fastfold.py): same folds, same offset maps, same mentions on generated text.  The corpus-level check is
tests/test_exact_identity.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import Normalizer, compiled
from normalizer.fold import default_folder

FIXTURES = Path(__file__).parent / "fixtures"
FOLDER = default_folder()
FAST_ALPHABET = [c for c in FOLDER._fast.alphabet if ord(c) < 0xFDD0]


@pytest.fixture(autouse=True)
def _require_compiled() -> None:
    if not compiled.available():
        pytest.fail("the compiled extensions are not built (pip install -e . builds them)")


def _both(fn):  # noqa: ANN001, ANN202
    """``fn()`` on the compiled path and on the Python reference."""
    return compiled.run_on(True, fn), compiled.run_on(False, fn)



def _fold_tuple(text: str) -> tuple:
    f = FOLDER.fold(text)
    aux = f.aux
    return (f.text, f.fpos, f.opos, None if aux is None else (aux.collapsed, aux.raw, aux.private))


SPECIAL = list("ßẞǅﬁ¼…\u200b\u200c\u064b\u0651\u0301 \t\n.,;'’-—«»") + ["\U0001f600", "\U00010400", "\ufdd0"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(FAST_ALPHABET + list("  ..,;'’-—") * 3), max_size=80))
def test_fast_fold_same_as_reference(text: str) -> None:
    fast, slow = _both(lambda: _fold_tuple(text))
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.text(alphabet=st.sampled_from(SPECIAL + list("abcİıشمΣяЖ")), max_size=60))
def test_general_fold_same_as_reference(text: str) -> None:
    fast, slow = _both(lambda: _fold_tuple(text))
    assert fast == slow
    c, p = _both(lambda: FOLDER.fold_general(text))
    assert (c.text, c.fpos, c.opos) == (p.text, p.fpos, p.opos)


CORE = Normalizer([FIXTURES / "core_table.yaml"], bundled=False, variants=False, fuzzy=False, context=False)
WORDS = ["ISIS", "isis", "Isis", "IS", "is", "Daesh", "DAESH", "DEAŞ", "Deaş", "IŞİD", "MİT", "MIT", "mit", "Mit",
         "Millî İstihbarat Teşkilatı", "MILLI ISTIHBARAT TESKILATI", "UN", "un", "U.N.", "Türkiye", "Turkey",
         "Türkei", "TÜRKİYE", "Irak Şam İslam Devleti", "Irak", "Iraq", "Suriye", "Syria", "Συρία", "ΣΥΡΊΑ",
         "داعش", "وداعش", "بداعش", "الدولة الإسلامية", "والرقة", "الرقة", "تركيا", "العراق", "Gül", "gül", "GÜL",
         "Abdullah Gül", "the", "in", "and", "Straße", "ß", "x"]
SEPS = [" ", "  ", ", ", ". ", "'in ", "’de ", "'s ", "'", "-", "\n", " (", ") ", "ya ", "nin ", "\u200b", "—"]
pieces = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPS)), max_size=14)


def _dump(text: str, lang: str | None) -> str:
    r = CORE.normalize(text, lang, explain=True)
    return json.dumps([m.to_dict(explain=True) for m in r.mentions], ensure_ascii=False, sort_keys=True)


@settings(max_examples=400, deadline=None)
@given(pieces, st.sampled_from([None, "en", "tr", "de", "ar", "el"]))
def test_scan_same_mentions_as_reference(parts: list, lang: str | None) -> None:
    text = "".join(w + s for w, s in parts)
    fast, slow = _both(lambda: _dump(text, lang))
    assert fast == slow


def test_mentions_are_real_mentions(monkeypatch) -> None:  # noqa: ANN001
    """The compiled path builds Mention objects field by field: they compare, hash, pickle and print like ones
    made by the constructor."""
    import pickle

    from normalizer.types import Mention

    monkeypatch.setattr(compiled, "USE", True)
    text = "MİT'in Daesh operasyonu ve Suriye'deki Gül."
    ms = CORE.normalize(text, "tr").mentions
    assert [m.text for m in ms] == ["MİT", "Daesh", "Suriye", "Gül"]
    for m in ms:
        assert type(m) is Mention
        again = Mention(m.text, m.start, m.end, m.id, m.canonical, m.type, m.score, m.method, m.alias, m.lang,
                        m.inflected, m.ambiguous, m.candidates, m.explain)
        assert again == m and hash(again) == hash(m) and repr(again) == repr(m)
        assert pickle.loads(pickle.dumps(m)) == m
        assert text[m.start:m.end] == m.text


WORDISH = st.text(alphabet=st.sampled_from(list("aAbBİıǅ1 \t\n.-'’ΣσЖж") + ["\u2003", "\u00a0"]), max_size=50)


@settings(max_examples=500, deadline=None)
@given(WORDISH, st.integers(0, 60), st.integers(0, 5))
def test_shouting_same_as_reference(text: str, start: int, width: int) -> None:
    from normalizer.affixes import shouting

    start = min(start, len(text))
    end = min(start + width, len(text))
    assert compiled.scan.shouting(text, start, end) == shouting(text, start, end)


def test_shouting_cases() -> None:
    for text, start, end, want in [("BREAKING: UN BACKS DEAL", 10, 12, True), ("Breaking: UN backs deal", 10, 12, False),
                                   ("THE UN", 4, 6, False), ("A UN BB", 2, 4, False), ("XX UN YY", 3, 5, True)]:
        assert compiled.scan.shouting(text, start, end) is want


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30) | st.text(alphabet=st.sampled_from(list("aAßẞǅİıΣσЖж1 ͅ\u0345") + ["\U00010400", "\U00010428"]),
                                     max_size=30))
def test_case_marks_give_case_flags(text: str) -> None:
    """The scan's case tests on the case marks of any text are affixes.case_flags (what the reference calls)."""
    from normalizer.affixes import case_flags

    marks = compiled.scan.case_marks(text)
    assert len(marks) == len(text)
    has_upper = b"U" in marks
    assert (has_upper, has_upper and b"l" not in marks) == case_flags(text)
    fast = FOLDER._fast.encode(text)
    if fast is not None:
        assert marks == FOLDER._fast.capitals(fast)


def test_key_records_same_as_reference() -> None:
    """The compiled scan reads a key's aliases from the columns as AliasMatcher.record does: every key of the
    bundled tables and of a TSV table with homonyms."""
    from normalizer.scan import _PLAIN_RULES, Hit

    for n in (Normalizer(variants=False, fuzzy=False, context=False),
              Normalizer([FIXTURES / "cache_people.tsv"], bundled=False, variants=False, fuzzy=False, context=False)):
        m = n.matcher
        view = compiled.scan.MatcherView(m, Hit, _PLAIN_RULES, m.record_memo)
        for k in range(len(m.keys)):
            m._records.clear()
            m._ents.clear()
            want = m.record(k)
            m._records.clear()
            m._ents.clear()
            assert view.rows(k) == want and m._records[k] == want


# ------------------------------------------------------------------------------------------- the tokenizer
TOKEN_WORDS = ["Abu", "abu", "ebu", "Ebu", "bin", "ibn", "al", "el", "al-", "as", "an", "en", "ad-", "ash", "Umm",
               "ابو", "بن", "ال", "داعش", "الدولة", "Bakr", "BAKR", "Bağdadi", "Ṣalāḥ", "ǅemal", "ÉTAT", "État",
               "İstanbul", "ıraq", "Straße", "STRASSE", "Σύρια", "ΣΥΡΙΑ", "Бахмута", "the", "The", "x", "X", "U",
               "N", "ﬁeld", "Ǆ", "ß", "Ⅻ", "\U00010400bc", "\U0001f600", "a\u0301b", "e\u0327", "ﷲ", "ﻻ", "½"]
TOKEN_SEPS = [" ", "  ", "-", "‐", "–", ". ", ".", ", ", "'", "’", "\n", "\n\n", "\t", "\u00a0", "\u200b", "(", ") ",
              "\u0640", ""]
token_pieces = st.lists(st.tuples(st.sampled_from(TOKEN_WORDS), st.sampled_from(TOKEN_SEPS)), max_size=16)


def _tokens(text: str, lang: str | None, skip: list[tuple[int, int]]) -> list:
    from normalizer.spans import Token, tokenize

    out = []
    for t in tokenize(FOLDER.fold(text), _VARIANTS, lang, skip):
        fields = (t.start, t.end, t.key, t.cap, t.upper, t.folded)
        again = Token(*fields)  # the compiled path sets the slots itself: a real Token all the same
        assert type(t) is Token and t == again and hash(t) == hash(again) and repr(t) == repr(again)
        out.append(fields)
    return out


_VARIANTS = Normalizer(variants=False, fuzzy=False, context=False).variants


@settings(max_examples=600, deadline=None)
@given(token_pieces | st.lists(st.tuples(st.text(max_size=6), st.sampled_from(TOKEN_SEPS)), max_size=10),
       st.sampled_from([None, "en", "tr", "ar", "ru", "el"]), st.lists(st.integers(0, 80), max_size=6))
def test_tokenizer_same_as_reference(parts: list, lang: str | None, cuts: list[int]) -> None:
    """normalizer/_spans.pyx gives the tokens of spans.tokenize's Python code (offsets, keys, case flags), with
    spans to skip (non-overlapping, as the exact matches are) or none."""
    text = "".join(w + s for w, s in parts)
    cuts = sorted({min(c, len(text)) for c in cuts})
    skip = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    from normalizer.spans import _kernel

    assert _kernel(_VARIANTS).direct  # the compiled path sets Token slots itself
    fast, slow = _both(lambda: _tokens(text, lang, skip))
    assert fast == slow
    for start, end, *_ in fast:
        assert 0 <= start < end <= len(text)


@settings(max_examples=400, deadline=None)
@given(token_pieces, st.sampled_from([None, "en", "ar"]), st.lists(st.integers(0, 80), max_size=6))
def test_runs_same_as_reference(parts: list, lang: str | None, cuts: list[int]) -> None:
    """normalizer/_spans.pyx's runs (gaps, paragraph breaks, dotted capitals, taken positions read in C) are
    spans.runs' Python ones, token for token, with taken spans or none."""
    from normalizer.decide import Taken
    from normalizer.spans import runs, tokenize

    text = "".join(w + s for w, s in parts)
    tokens = tokenize(FOLDER.fold(text), _VARIANTS, lang)
    cuts = sorted(min(c, len(text) + 3) for c in cuts)
    taken = Taken(list(zip(cuts[::2], cuts[1::2], strict=False)))
    fast, slow = _both(lambda: runs(tokens, text, taken))
    assert fast == slow
    assert [t for r in fast for t in r] == [t for t in tokens if not taken.overlaps(t.start, t.end)]
    from normalizer.fuzzy_pass import _runs  # the fuzzy pass's looser runs: gaps only

    fast, slow = _both(lambda: _runs(tokens, text))
    assert fast == slow and [t for r in fast for t in r] == tokens
