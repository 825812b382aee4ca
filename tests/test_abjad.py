"""Abjad alignment (normalizer/abjad.py, rules in data/variants.yaml `abjad`): one test per rule."""

import pytest

from normalizer.names.keys import default_variants

V = default_variants()
A = V.abjad


def fits(arabic: str, latin: str) -> bool:
    return A.fits(V.folder.fold_key(arabic), V.folder.fold_key(V.prepare(latin)))


def unwritten(arabic: str, latin: str) -> int | None:
    return A.unwritten(V.folder.fold_key(arabic), V.folder.fold_key(V.prepare(latin)))


@pytest.mark.parametrize(("arabic", "latin", "cost", "rule"), [
    ("سوريا", "Syria", 0, "long vowels و ي and final ا written; y between consonants is a vowel (vowel_y)"),
    ("داعش", "Daesh", 0, "ayn written as a Latin vowel (glottal)"),
    ("أردوغان", "Erdoğan", 0, "initial alef carries any vowel (initial); ğ is g"),
    ("أنقرة", "Ankara", 1, "final ة is a vowel (final); a short a left unwritten"),
    ("إسطنبول", "Istanbul", 1, "ط is t; و for u"),
    ("تركيا", "Türkiye", 2, "ü unwritten, y a glide left over (leftover_glides)"),
    ("صنعاء", "Sanaa", 1, "ayn as a, a final hamza unwritten; the first a is short"),
    ("يحيى", "Yahya", 1, "ى folds to ي: a final vowel; y at the start meets ي"),
    ("دولة", "Devlet", None, "Turkish v for و (latin_glides), but the final t is not written in Arabic"),
    ("جنديرس", "Cenderes", 2, "Turkish c is j; e for ي; two short e unwritten"),
    ("العراق", "Iraq", 0, "the article dropped when the Latin spelling has none"),
])
def test_fits(arabic: str, latin: str, cost: int | None, rule: str) -> None:
    assert unwritten(arabic, latin) == cost, rule


@pytest.mark.parametrize(("arabic", "latin", "why"), [
    ("ترك", "Türkiye", "no final vowel written: the Latin final e has no letter"),
    ("طريق", "Türkiye", "a long i between r and k that the Latin spelling lacks"),
    ("يترك", "Türkiye", "a leading ي the Latin spelling lacks"),
    ("دش", "Daesh", "two Latin vowels in a row left unwritten"),
    ("أراك", "Iraq", "q is ق, never ك (latin_only)"),
    ("الأعراق", "Iraq", "a medial ayn must be written in Latin"),
    ("حلب", "Aleppo", "the Latin initial vowel has no letter"),
    ("يمارسون", "Mersin", "leading ي and a trailing و ن"),
])
def test_does_not_fit(arabic: str, latin: str, why: str) -> None:
    assert not fits(arabic, latin), why


@pytest.mark.parametrize(("arabic", "latin", "expected", "why"), [
    ("سوريا", "Syria", True, "full fit, 5 letters"),
    ("داعش", "Daesh", True, "full fit, 4 letters (min_letters)"),
    ("أفغانستان", "Afghanistan", True, "one short i unwritten, but 6 consonants (min_consonants)"),
    ("تركيا", "Türkiye", False, "a short vowel unwritten on a 3-consonant skeleton"),
    ("صورة", "Syria", False, "a short i unwritten on a 2-consonant skeleton"),
    ("لعبة", "Libya", False, "the frequent word for 'game' (common_words)"),
    ("عندي", "Inde", False, "the frequent word for 'I have' (common_words)"),
])
def test_names(arabic: str, latin: str, expected: bool, why: str) -> None:
    assert A.names(V.folder.fold_key(arabic), V.folder.fold_key(latin)) is expected, why


def test_common_words_list_is_folded_and_leaves_names_out() -> None:
    common = V.common_words
    assert len(common) > 50_000
    sample = sorted(common)[::500]
    assert all(w == V.folder.fold_key(w) for w in sample)
    for word in ("gibt", "woman", "لعبة", "günü"):
        assert V.folder.fold_key(word) in common, word
    for name in ("سوريا", "داعش", "تركيا", "العراق", "Türkei", "Suriye", "Syrien"):
        assert V.folder.fold_key(name) not in common, name
