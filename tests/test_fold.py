"""Folding rules: each rule of normalizer/data/fold.yaml does what its doc says."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.fold import default_folder, fold_key


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("MİT", "mit"),  # Turkish dotted capital I: never 'mi̇t'
        ("IŞİD", "isid"),
        ("ılık", "ilik"),
        ("Millî İstihbarat Teşkilatı", "milli istihbarat teskilati"),
        ("şçğöüâîûé", "scgouaiue"),
        ("DEAŞ’ın", "deas in"),  # apostrophes are word breaks
        ("MİT'in", "mit in"),
        ("Türkiye‘ye", "turkiye ye"),
        ("Abu ʼUmar", "abu umar"),
        ("al-Qurashi", "al qurashi"),  # dashes
        ("al–Qurashi", "al qurashi"),
        ("Recep   Tayyip\n\tErdoğan", "recep tayyip erdogan"),  # whitespace runs
        ("Daesh [ISIS]", "daesh isis"),
        ("Straße", "strasse"),
        ("ﬁnal", "final"),
        ("ＭＩＴ", "mit"),  # full-width
        ("Τουρκία", "τουρκια"),  # Greek tonos
        ("ΣΥΡΊΑΣ", "συριασ"),  # final sigma and capitals
        ("القُرَشي", "القرشي"),  # harakat
        ("داعـــش", "داعش"),  # tatweel
        ("أبو إبراهيم آل ٱلقرشي", "ابو ابراهيم ال القرشي"),  # alef forms
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("الدولة", "الدوله"),  # teh marbuta
        ("zero\u200bwidth", "zerowidth"),
        ("s\u0327am", "sam"),  # decomposed (NFD) cedilla
    ],
)
def test_fold_rules(raw: str, folded: str) -> None:
    assert fold_key(raw) == folded


def test_turkish_lower_pitfall_avoided() -> None:
    assert "MİT".lower() != "mit"  # Python's own lower() gives 'mi̇t'
    assert fold_key("MİT") == fold_key("MIT") == fold_key("mit") == "mit"


def test_fold_keeps_length_for_one_to_one_text() -> None:
    f = default_folder().fold("Türkiye'de DEAŞ operasyonu")
    assert len(f.text) == len(f.source)
    assert f.fpos == ()


def test_steps_are_named_in_explain_order() -> None:
    steps = default_folder().steps_for("MİT")
    assert steps == ("turkish_case", "lowercase")
    assert "arabic_marks" in default_folder().steps_for("القُرَشي")


def test_every_rule_step_changes_something() -> None:
    """Each step in the rule file is exercised by at least one character (no dead rules)."""
    folder = default_folder()
    used: set[str] = set()
    for cp in list(range(0x0000, 0x0700)) + list(range(0x1E00, 0x2070)) + list(range(0xFB00, 0xFF70)):
        used.update(folder.trace_char(chr(cp))[1])
    assert {s.name for s in folder.steps} <= used


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80) | st.text(alphabet=st.sampled_from(list(" \t\n\u00a0\u200bﬁßİıΣςΆ\u0301\u064bشЖaA.-'’")), max_size=40))
def test_fold_key_is_the_fold_stripped(text: str) -> None:
    """What the context pass relies on to reuse the document's fold as its key (and fold_key's own fallback)."""
    f = default_folder()
    assert f.fold_key(text) == f.fold(text).text.strip()
