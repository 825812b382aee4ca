"""Core matching behaviour: word boundaries, suffixes, clitics, acronym case, overlaps, ambiguity."""

import pytest

from normalizer import Normalizer


def found(n: Normalizer, text: str, lang: str | None = None) -> list[tuple[str, str | None]]:
    return [(m.text, m.id) for m in n.normalize(text, lang=lang).mentions]


def test_contract_example(core: Normalizer) -> None:
    r = core.normalize("MİT'in Daesh operasyonu", lang=None)
    assert [(m.text, m.start, m.end, m.id) for m in r.mentions] == [("MİT", 0, 3, "org:mit"), ("Daesh", 7, 12, "org:isis")]
    mit, daesh = r.mentions
    assert mit.method == "folded" and mit.alias == "MIT" and mit.canonical == "National Intelligence Organization"
    assert daesh.method == "exact" and daesh.score == 1.0 and daesh.type == "organization"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DEAŞ'ın saldırısı", [("DEAŞ", "org:isis")]),
        ("Türkiye’ye döndü", [("Türkiye", "loc:turkey")]),
        ("IŞİD`e karşı", [("IŞİD", "org:isis")]),
        ("Suriye'deki", [("Suriye", "loc:syria")]),
    ],
)
def test_turkish_suffix_after_apostrophe_is_outside_span(core: Normalizer, text: str, expected: list) -> None:
    assert found(core, text) == expected


def test_fused_suffix_gives_whole_word_and_inflected(core: Normalizer) -> None:
    r = core.normalize("Millî İstihbarat Teşkilatımız açıkladı", lang="tr")
    (m,) = r.mentions
    assert m.text == "Millî İstihbarat Teşkilatımız" and m.inflected and m.id == "org:mit"
    assert m.score < 1.0


def test_demonym_is_not_a_fused_suffix(core: Normalizer) -> None:
    assert found(core, "Syrian and Iraqi officials met in Turkish towns") == []


@pytest.mark.parametrize("text", ["Gülşen geldi", "Cantürk aradı", "Gülten", "turkey dinner", "gül bahçesi"])
def test_no_match_inside_words_or_in_wrong_case(core: Normalizer, text: str) -> None:
    assert found(core, text) == []


def test_word_boundaries_accept_whole_words(core: Normalizer) -> None:
    assert found(core, "Gül ve Can, (Gül)!") == [("Gül", "per:gul"), ("Can", "per:can"), ("Gül", "per:gul")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Geheimdienst MIT hat mit der Polizei gearbeitet", [("MIT", "org:mit")]),
        ("This is what IS wants", [("IS", "org:isis")]),
        ("un accord avec l'ONU et un autre", []),
        ("the UN and the U.N. said", [("UN", "org:un"), ("U.N", "org:un")]),
        ("MİT ve mit", [("MİT", "org:mit")]),
    ],
)
def test_short_acronyms_match_only_in_capitals(core: Normalizer, text: str, expected: list) -> None:
    assert found(core, text) == expected


def test_shouting_headline_acronym_ignored(core: Normalizer) -> None:
    assert found(core, "WHAT IS HAPPENING") == []
    assert found(core, "Daesh (IS) said") == [("Daesh", "org:isis"), ("IS", "org:isis")]


def test_longest_match_wins_and_spans_never_overlap(core: Normalizer) -> None:
    r = core.normalize("Irak Şam İslam Devleti ve Irak")
    assert [(m.text, m.id) for m in r.mentions] == [("Irak Şam İslam Devleti", "org:isis"), ("Irak", "loc:iraq")]


def test_failed_longest_match_falls_back_to_shorter(core: Normalizer) -> None:
    # "Irak Şam İslam Devletix" fails the word end: "Irak" alone still matches
    assert found(core, "Irak Şam İslam Devletix") == [("Irak", "loc:iraq")]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("وسوريا", "سوريا"),
        ("بسوريا", "سوريا"),
        ("وبسوريا", "سوريا"),
        ("في العراق", "العراق"),
        ("والعراق", "العراق"),
        ("بالرقة", "الرقة"),
        ("للرقة", "رقة"),  # ل + ال contracted: the bare name is the span
        ("وداعش", "داعش"),
    ],
)
def test_arabic_proclitics_are_outside_the_span(core: Normalizer, text: str, span: str) -> None:
    r = core.normalize(text)
    assert [m.text for m in r.mentions] == [span]
    m = r.mentions[0]
    assert text[m.start:m.end] == span


def test_arabic_no_match_inside_other_words(core: Normalizer) -> None:
    assert found(core, "مسوريا") == []  # م is not a proclitic
    assert found(core, "رقة") == []  # bare form of an article alias needs the article


def test_arabic_with_harakat_and_alef_variants(core: Normalizer) -> None:
    text = "قالت تُرْكِيا إن داعـش"
    assert found(core, text) == [("تُرْكِيا", "loc:turkey"), ("داعـش", "org:isis")]


def test_ambiguous_alias_is_reported_not_guessed(core: Normalizer) -> None:
    (m,) = core.normalize("Yılmaz konuştu").mentions
    assert m.ambiguous and m.id is None
    assert {c.id for c in m.candidates} == {"per:ali-a", "per:ali-b"}


def test_full_name_is_unambiguous(core: Normalizer) -> None:
    assert found(core, "Mehmet Yılmaz konuştu") == [("Mehmet Yılmaz", "per:ali-b")]


def test_expansion_offsets(core: Normalizer) -> None:
    text = "In der Großen Straße"  # inflected: not the alias itself, but a German case ending read off (variant)
    (m,) = core.normalize(text, lang="de").mentions
    assert (m.text, m.method, m.inflected) == ("Großen Straße", "variant", True) and text[m.start:m.end] == m.text
    text = "an der  Große   Straße, dann"
    (m,) = core.normalize(text).mentions
    assert m.text == "Große   Straße" and text[m.start:m.end] == m.text


def test_explain_says_why(core: Normalizer) -> None:
    (m,) = core.normalize("DEAŞ'ın", explain=True).mentions
    assert m.explain is not None
    assert m.explain.key == "deas"
    assert "strip_diacritics" in m.explain.fold_steps
    assert "suffix-apostrophe" in m.explain.rules and "alias" in m.explain.rules
    assert core.normalize("DEAŞ").mentions[0].explain is None


def test_greek_and_mixed_scripts(core: Normalizer) -> None:
    assert found(core, "Η ΣΥΡΊΑ και η Συρία") == [("ΣΥΡΊΑ", "loc:syria"), ("Συρία", "loc:syria")]


def test_entity_name_is_an_alias(core: Normalizer) -> None:
    assert found(core, "TRT Türk reported") == [("TRT Türk", "org:trt")]
