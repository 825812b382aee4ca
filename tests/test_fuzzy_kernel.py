"""The compiled fuzzy kernel (normalizer/_fuzzy.pyx) against its numpy reference (names/fuzzy_kernel.py): the
same candidates, in the same order, from the fuzzy index's search over a generated table large enough for every
branch (postings cut to the query's length window, more hits than are kept, weak words, repeated words)."""

from __future__ import annotations

import random

import pytest

from normalizer import compiled
from normalizer.names.fuzzy_index import FuzzyIndex
from normalizer.names.keys import default_variants

FIRST = ("Ahmet Mehmet Mustafa Hasan Huseyin Ibrahim Osman Yusuf Murat Emre Burak Kemal Selim Tarik Harun Halil "
         "Omer Bilal Cemal Ismail Hamza Idris Yunus Zeki").split()
MIDDLE = "bin ibn Abu Abd al-Rahman Hamid Said Nasir Karim Aziz Latif Majid Rashid".split()
LAST = ("Yilmaz Kaya Demir Sahin Celik Yildiz Yildirim Ozturk Aydin Ozdemir Arslan Dogan Kilic Aslan Cetin Kara "
        "Koc Kurt Ozkan Simsek").split()


@pytest.fixture(scope="module")
def index() -> FuzzyIndex:
    if not compiled.available() or compiled.fuzzy is None:
        pytest.fail("the compiled extensions are not built (pip install -e . builds them)")
    texts = [f"{f} {m} {s}" for f in FIRST for m in MIDDLE for s in LAST]
    texts += [f"{f} {s}" for f in FIRST for s in LAST] * 2  # homonyms: the same alias twice
    texts += ["", "Tarik bin Tarik el-Kureyshi", "Harun bin Harun"]
    return FuzzyIndex.build(texts, default_variants())


def _queries() -> list[str]:
    rng = random.Random(7)
    out = ["Tariq bin Tarik el-Kureyşi", "Harun ben Haroun", "Mehmet", "Yilmaz", "Xqzvw Kaya", "Ahmet Ahmet Ahmet"]
    for _ in range(150):
        name = f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(LAST)}" if rng.random() < 0.6 \
            else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        chars = list(name)
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(chars))
            op = rng.randrange(3)
            if op == 0:
                del chars[i]
            elif op == 1:
                chars[i] = rng.choice("aeiouklmnrstz")
            else:
                chars.insert(i, rng.choice("aeiouklmnrstz "))
        out.append("".join(chars))
    return out


def _top(index: FuzzyIndex, query: str, use: bool) -> list[tuple[int, list[int]]]:
    v = default_variants()
    words = v.folder.fold_key(v.prepare(query)).split()
    keys = [v.token(w) for w in words]
    old = compiled.USE
    compiled.USE = use
    try:
        slots, weak = index.expand(words, keys)
        return index.top(slots, len(" ".join(words)), weak=weak)
    finally:
        compiled.USE = old


def test_compiled_kernel_gives_the_reference_candidates(index: FuzzyIndex) -> None:
    queries = _queries()
    got = [_top(index, q, True) for q in queries]
    assert got == [_top(index, q, False) for q in queries]
    assert sum(len(g) for g in got) > 20 * len(queries)  # the search found candidates for most queries


def test_equal_candidates_come_in_table_order(index: FuzzyIndex) -> None:
    got = _top(index, "Ahmet Yilmaz", True)
    same = [i for i, toks in got if toks == got[0][1]]
    assert len(same) == 2 and same == sorted(same)  # the two homonyms, the one listed first first


def test_compiled_lookups_give_the_reference_tokens(index: FuzzyIndex) -> None:
    rng = random.Random(5)
    words = [rng.choice(index.vocab) for _ in range(300)]
    words += ["".join(rng.choice("aeıışğüöçkrmnحسنкирлλ") for _ in range(rng.randint(0, 12))) for _ in range(300)]
    words += [w[:i] + w[i + 1:] for w in words[:300] for i in range(0, len(w), 3)] + ["x" * 41, "y" * 40]
    skels = index.skels + [s[1:] for s in index.skels]

    def run() -> tuple:
        return ([index.token(w) for w in words], index.neighbours(words), index.neighbours(words, romans=True),
                index.neighbours(skels, skeletons=True), index.neighbours(skels, skeletons=True, min_len=4))

    old = compiled.USE
    try:
        compiled.USE = True
        got = run()
        compiled.USE = False
        assert got == run()
    finally:
        compiled.USE = old
    assert sum(t is not None for t in got[0]) >= 300 and sum(map(len, got[1])) > 600  # deletions meet tokens


def test_compiled_pick_gives_the_reference_tokens() -> None:
    import numpy as np

    from normalizer.names import fuzzy_kernel

    rng = np.random.default_rng(11)
    df = rng.integers(0, 6, 500).astype(np.int32)
    for n in (0, 3, 10, 11, 40, 200):
        for dtype in (np.int32, np.int64):
            tokens = rng.choice(500, n, replace=False).astype(dtype)
            sims = rng.choice(np.float32([0.5, 0.62, 0.7, 0.7, 0.8, 0.9, 1.0]), n).astype(np.float32)
            args = (tokens, sims, df, 10, 0.1, 2, 0.6)
            got = compiled.fuzzy.pick(*args)
            want = fuzzy_kernel.pick(*args)
            assert got == want and list(got) == list(want)  # the same tokens, weights and order
