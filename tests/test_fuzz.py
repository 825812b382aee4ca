"""Fuzzing as a standing check (issue 17): hostile strings through ``normalize()``/``resolve()`` of the bundled
tables, and hostile tables through the loader and the matcher.

Invariants: offsets index the caller's string exactly (``text[start:end] == mention.text``), mentions sorted and
never overlapping, every answer serialisable; the only exceptions are the documented ones (``TableError`` for a
bad table, ``TypeError`` for a non-string).  Hypothesis runs derandomised (the same examples every run, so CI is
deterministic); ``pytest tests/test_fuzz.py --hypothesis-show-statistics`` prints the example counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalizer import Normalizer, TableError
from normalizer.types import Result

FUZZ = settings(derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HOSTILE = [
    "\x00", "\ud800", "\udfff", "\udbff\udc00", "\ufeff", "\u200b", "\u200c", "\u200d", "\u00ad", "\u0640",
    *BIDI, "\u0301", "\u0307", "\u064e\u0651", "\u20dd", "\r\n", "\t", "\u00a0", "\u2028", "\x1b[31m", "\x7f",
    "ﬁ", "ß", "İ", "ı", "ẞ", "Ǆ", "ᾼ", "Ｄａｅｓｈ", "𝔇𝔞𝔢𝔰𝔥", "🇹🇷", "👩‍👩‍👧", "Dаesh",  # Cyrillic а
    "МИТ", "MIT", "'", "’", "-", "‐", ".", "(", '"', "«", "»",
]
NAMES = ["MİT", "DEAŞ", "Daesh", "Türkiye", "داعش", "سوريا", "Ebu Bekir el-Bağdadi", "Abu Bakr al-Baghdadi",
         "Irak Şam İslam Devleti", "Συρία", "Сирия", "U.N.", "Kasım Güler", "al-Qurashi", "Islamic State"]
any_char = st.characters(blacklist_categories=())  # every code point, lone surrogates included
piece = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(NAMES),
    st.text(any_char, max_size=12),
    st.builds(lambda s, k: s * k, st.sampled_from(NAMES), st.integers(2, 6)),
    # very long tokens: one word of thousands of letters or marks
    st.builds(lambda s, k: s * k, st.sampled_from(["a", "Ā", "\u0301", "ش", "İ", "9", "Daesh", "\u200d"]),
              st.integers(50, 2000)),
)
hostile_text = st.lists(piece, max_size=16).map("".join)
LANGS = st.sampled_from([None, "en", "tr", "ar", "de", "fr", "ru", "el", "und", "zz", ""])

BUNDLED = Normalizer()


def _check(text: str, r: Result) -> None:
    assert r.text == text
    last = 0
    for m in r.mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.start >= last  # sorted by start, never overlapping
        last = m.end
        assert 0.0 <= m.score <= 1.0
        if m.id is None:
            assert m.ambiguous and m.candidates
        else:
            assert BUNDLED.entity(m.id) is not None or r is not None
    json.dumps(r.to_dict(explain=True))  # serialisable (ASCII-escaped: lone surrogates are fine)


@settings(FUZZ, max_examples=400)
@given(hostile_text, LANGS, st.booleans())
def test_normalize_hostile_strings(text: str, lang: str | None, explain: bool) -> None:
    r = BUNDLED.normalize(text, lang=lang, explain=explain)
    _check(text, r)
    for m in r.mentions:
        if m.id is not None:
            assert BUNDLED.entity(m.id) is not None


@settings(FUZZ, max_examples=200)
@given(hostile_text, st.integers(-2, 12), LANGS)
def test_resolve_hostile_names(name: str, limit: int, lang: str | None) -> None:
    found = BUNDLED.resolve(name, limit=limit, lang=lang)
    assert len(found) <= max(limit, 0)
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    for c in found:
        assert BUNDLED.entity(c.id) is not None and 0.0 <= c.score <= 1.0


# ------------------------------------------------------------------------------------------ hostile tables
alias_text = st.one_of(st.sampled_from(NAMES + HOSTILE), st.text(any_char, min_size=1, max_size=16),
                       st.lists(st.sampled_from(NAMES + HOSTILE), min_size=1, max_size=4).map(" ".join))
entity = st.fixed_dictionaries({
    "id": st.one_of(st.sampled_from(["x:a", "x:b", "org:isis", "a b", "", "x:\u202e"]), st.text(any_char, max_size=6)),
    "type": st.sampled_from(["organization", "person", "location", "Org", "", "other"]),
    "name": alias_text,
    "aliases": st.one_of(st.lists(alias_text, max_size=4),
                         st.dictionaries(st.sampled_from(["en", "tr", "ar", "xx"]), st.lists(alias_text, max_size=3),
                                         max_size=2)),
})


def _load(path: Path) -> Normalizer | None:
    try:
        return Normalizer([path], bundled=False)
    except TableError as exc:  # documented: every problem with file and line
        assert exc.problems and all(p.file == str(path) for p in exc.problems)
        return None


@settings(FUZZ, max_examples=60)
@given(st.lists(entity, min_size=1, max_size=4), st.lists(st.one_of(piece, alias_text), max_size=12))
def test_hostile_yaml_tables(tmp_path_factory, entities: list[dict], parts: list[str]) -> None:  # noqa: ANN001
    path = tmp_path_factory.mktemp("t") / "t.yaml"
    try:
        data = yaml.safe_dump({"entities": entities}, allow_unicode=False)
    except yaml.YAMLError:
        return
    path.write_text(data, encoding="utf-8")
    n = _load(path)
    if n is None:
        return
    aliases = [a.text for e in n.tables.entities.values() for a in e.aliases]
    text = " ".join(parts + aliases + [a.upper() for a in aliases])
    r = n.normalize(text)
    _check(text, r)
    for m in r.mentions:
        assert m.id is None or n.entity(m.id) is not None
    n.resolve(text[:200])


@settings(FUZZ, max_examples=60)
@given(st.binary(max_size=300), st.sampled_from(["t.yaml", "t.tsv"]),
       st.lists(st.text(any_char.filter(lambda c: c not in "\t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                        max_size=10), min_size=2, max_size=2))
def test_hostile_table_bytes(tmp_path_factory, raw: bytes, name: str, cells: list[str]) -> None:  # noqa: ANN001
    d = tmp_path_factory.mktemp("b")
    (d / name).write_bytes(raw)
    _load(d / name)  # garbage bytes: a TableError or (rarely) a valid table, nothing else
    tsv = d / "cells.tsv"
    tsv.write_text(f"id\talias\n{cells[0]}\t{cells[1]}\n", encoding="utf-8", errors="surrogatepass")
    n = _load(tsv)
    if n is not None:
        text = f"x {cells[1]} y"
        _check(text, n.normalize(text))
