"""The two steps that made one big record super-linear (issue 17, item 4), rewritten to be linear, give exactly
the answers of the definitions they replace: ``decide.Taken`` (was a sorted list with ``insert``) and
``local_alias.occurrences`` (was one ``re.finditer`` pass over the whole text per local alias).
Speed is measured in benchmarks, not here: these tests pin the behaviour."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.decide import Taken
from normalizer.local_alias import occurrences

spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda t: (t[0], t[0] + t[1])), max_size=25)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(spans, spans)
def test_taken_answers_like_a_list_of_spans(added: list[tuple[int, int]], queries: list[tuple[int, int]]) -> None:
    t = Taken(added)
    real = [(s, e) for s, e in added if e > s]
    for s, e in queries:
        if e > s:
            expected = any(a < e and s < b for a, b in real)
        else:
            expected = any(a <= s < b for a, b in real)
        assert t.overlaps(s, e) == expected, (s, e)
    assert list(t) == sorted(real)


words = st.sampled_from(["Abu", "Ali", "Ali'", "al-Ali", "Alia", "Ayyoub", "«Ayyoub»", "x", "Ébu", "_", "9",
                         "أبو", "علي"])
seps = st.sampled_from([" ", "  ", ", ", "-", "", "\n", "«", "»", "'"])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.tuples(words, seps), max_size=30), st.lists(st.lists(words, min_size=1, max_size=3), max_size=6))
def test_occurrences_is_finditer_per_alias(parts: list[tuple[str, str]], alias_words: list[list[str]]) -> None:
    source = "".join(w + s for w, s in parts)
    aliases = list(dict.fromkeys(" ".join(ws) for ws in alias_words))
    expected = [(a, [m.span() for m in re.finditer(rf"(?<!\w){re.escape(a)}(?!\w)", source)]) for a in aliases]
    assert occurrences(aliases, source) == expected
