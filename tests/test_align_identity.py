"""align()'s compiled word pairing (normalizer/_align.pyx) against its Python reference (names/score.py
``_coverage``): the same score and the same explain data for names in several scripts, with and without word
weights."""

from __future__ import annotations

import random

import pytest

from normalizer import compiled
from normalizer.names.keys import default_variants
from normalizer.names.score import align, name_score

WORDS = ("Abu Bakr al-Baghdadi Ebu Bekir el-Bağdadi أبو بكر البغدادي Abdulaziz Abdul Aziz عبد العزيز bin ibn "
         "Binalshibh al-Shibh Hüseyin Hussein Husain Recep Tayyip Erdoğan Erdogan Sergey Sergei Shoigu Шойгу "
         "Сергей Кужугетович Σεργκέι Σόιγκου Muhammad Mohammed Umm Kulthum R. J. Jeffrey Winthorpe Daesh").split()


@pytest.fixture(autouse=True)
def _require_compiled() -> None:
    if not compiled.available() or compiled.align is None:
        pytest.fail("the compiled extensions are not built (pip install -e . builds them)")



def test_compiled_align_gives_the_reference_result() -> None:
    v = default_variants()
    rng = random.Random(3)
    weights = {w: rng.choice([0.5, 1.0, 2.25, 7.3, 19.0]) for w in WORDS}
    weights.update({v.folder.fold_key(v.prepare(w)): x for w, x in list(weights.items())})

    def weight(t):  # noqa: ANN001, ANN202
        return weights.get(t.text, 1.0)

    def known(t):  # noqa: ANN001, ANN202
        return len(t.text) % 3 != 0

    compared = 0
    for _ in range(600):
        q = v.tokens(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))))
        a = v.tokens(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))))
        for args in ((q, a), (q, a, weight, known), (q, a, weight, None)):
            assert compiled.run_on(True, lambda args=args: align(*args)) == compiled.run_on(False, lambda args=args: align(*args))
            compared += 1
        scored = [compiled.run_on(use, lambda q=q, a=a: name_score(q, a, weight=weight, known=known)) for use in (True, False)]
        assert scored[0] == scored[1]
    assert compared == 1800


def test_compiled_align_pairs_words_written_as_one() -> None:
    v = default_variants()
    got = compiled.run_on(True, lambda: align(v.tokens("ABDOULAZIZ Hamid"), v.tokens("Abdul Aziz Hamid")))
    assert got == compiled.run_on(False, lambda: align(v.tokens("ABDOULAZIZ Hamid"), v.tokens("Abdul Aziz Hamid")))
    assert any(len(p["alias"].split()) == 2 for p in got[1]["aligned"])  # one word paired with two
