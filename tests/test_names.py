"""The name layer (normalizer/names/): script-general keys, language conventions, case endings, token alignment,
and what they let a small English-only table find in other scripts and languages. Sentences written for these
tests."""

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from normalizer import Normalizer
from normalizer.fold import DATA_DIR
from normalizer.names.keys import default_variants
from normalizer.names.score import align
from normalizer.names.translit import default_translit

V = default_variants()
T = default_translit()
RULES = yaml.safe_load((DATA_DIR / "variants.yaml").read_text(encoding="utf-8"))
TABLE = Path(__file__).parent / "fixtures" / "names_beat_table.yaml"


@pytest.fixture(scope="module")
def user() -> Normalizer:
    return Normalizer([TABLE], bundled=False)


def found(n: Normalizer, text: str, lang: str | None) -> list[tuple[str, str | None]]:
    return [(m.text, m.id) for m in n.normalize(text, lang=lang).mentions]


# ------------------------------------------------------------------------------------------- conventions
@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        # one person across scripts and romanisation conventions: (text, lang)
        ([("Prigozhin", "en"), ("Prigoschin", "de"), ("Prigojine", "fr"), ("Prigojin", "tr"), ("Пригожин", "ru"),
          ("Πριγκόζιν", "el"), ("بريغوجين", "ar")], "brgSn"),
        ([("Zelensky", "en"), ("Selenskyj", "de"), ("Zelenski", "tr"), ("Зеленский", "ru"), ("Ζελένσκι", "el"),
          ("زيلينسكي", "ar")], "SlnSk"),
        ([("Bakhmut", "en"), ("Bachmut", "de"), ("Bahmut", "tr"), ("Бахмут", "ru"), ("Μπαχμούτ", "el"),
          ("باخموت", "ar")], "bhmt"),
        ([("Donetsk", "en"), ("Donezk", "de"), ("Donetsk", "fr"), ("Донецк", "ru"), ("Ντονέτσκ", "el"),
          ("دونيتسك", "ar")], "dnSk"),
        ([("Zaporizhzhia", "en"), ("Saporischschja", "de"), ("Zaporijia", "fr"), ("Запорожье", "ru"),
          ("زابوريزهيا", "ar"), ("زابوروجي", "ar")], "SbrS"),
        ([("Yevgeny", "en"), ("Jewgeni", "de"), ("Evgueni", "fr"), ("Евгений", "ru")], "gn"),
        ([("Tinubu", "en"), ("Τινούμπου", "el"), ("تينوبو", "ar")], "tnb"),
    ],
)
def test_one_key_across_scripts_and_conventions(spellings: list[tuple[str, str]], key: str) -> None:
    assert {(s, V.key(s, lang)) for s, lang in spellings} == {(s, key) for s, _ in spellings}


def test_every_convention_and_script_letter_is_data_that_changes_something() -> None:
    for lang, rules in RULES["conventions"].items():
        for src, dst in rules.items():
            assert T.latin(f"a{src}a", lang) == f"a{dst}a", (lang, src)
    for script, spec in RULES["scripts"].items():
        for src, dst in spec["letters"].items():
            assert T.latin(src, None) == dst, (script, src)
            assert T.script(src) == script


def test_a_language_convention_applies_only_to_its_language() -> None:
    assert T.latin("jemen", "de") == "yemen" and T.latin("jemen", "en") == "jemen"  # German j is y
    assert T.latin("cenderes", "tr") == "jenderes" and T.latin("cenderes", "fr") == "cenderes"
    assert V.key("Jemen", "de") == V.key("Yemen", "en") != V.key("Jemen", "en")


@pytest.mark.parametrize(
    ("word", "lang", "stem"),
    [("Бахмута", "ru", "бахмут"), ("Пригожиным", "ru", "пригожин"), ("Νίγηρα", "el", "νιγηρ"),
     ("Prigoschins", "de", "prigoschin"), ("Großen", "de", "gross")],
)
def test_case_endings_are_read_off_by_script_or_language(word: str, lang: str, stem: str) -> None:
    tok = V.token_of_raw(word, lang)
    assert stem in [s.text for s in tok.stems]


def test_no_ending_is_read_off_a_short_word_or_in_another_language() -> None:
    assert V.token_of_raw("Ира", "ru").stems == ()  # too short to lose an ending (min_stem)
    assert V.token_of_raw("Prigozhins", "en").stems == ()  # -s is a German genitive, not English


def test_particles_in_other_scripts() -> None:
    abu = V.tokens("Абу Бакр")
    assert abu[0].kind == "particle" and abu[0].key == V.tokens("Abu Bakr")[0].key


# ------------------------------------------------------------------------------- a small table, other scripts
@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Евгений Пригожин выступил в Бахмуте.", "ru", [("Евгений Пригожин", "per:prigozhin"),
                                                       ("Бахмуте", "loc:bakhmut")]),
        ("Сергей Шойгу прибыл в Бахмут.", "ru", [("Сергей Шойгу", "per:shoigu"), ("Бахмут", "loc:bakhmut")]),
        # Донецк is a frequent Russian word: a transliteration of an ordinary word needs the document's support
        ("Сергей Шойгу прибыл в Донецк.", "ru", [("Сергей Шойгу", "per:shoigu")]),
        ("Бои за Донецкую область: Донецк под обстрелом.", "ru", []),
        ("Ο Πριγκόζιν μίλησε για τον Νίγηρα.", "el", [("Πριγκόζιν", "per:prigozhin"), ("Νίγηρα", "loc:niger")]),
        ("Η κυβέρνηση της Νιγηρίας αποφάσισε.", "el", [("Νιγηρίας", "loc:nigeria")]),
        ("Jewgeni Prigoschin zog nach Bachmut, Prigoschins Söldner auch.", "de",
         [("Jewgeni Prigoschin", "per:prigozhin"), ("Bachmut", "loc:bakhmut"), ("Prigoschins", "per:prigozhin")]),
        ("Le chef de Wagner, Evgueni Prigojine, est à Donetsk.", "fr",
         [("Wagner", "org:wagner"), ("Evgueni Prigojine", "per:prigozhin"), ("Donetsk", "loc:donetsk")]),
        ("زار زيلينسكي مدينة زابوريزهيا.", "ar", [("زيلينسكي", "per:zelensky"), ("زابوريزهيا", "loc:zaporizhzhia")]),
    ],
)
def test_an_english_table_finds_names_in_other_scripts(user: Normalizer, text: str, lang: str,
                                                         expected: list[tuple[str, str]]) -> None:
    got = user.normalize(text, lang=lang)
    assert [(m.text, m.id) for m in got.mentions] == expected
    assert all(text[m.start:m.end] == m.text for m in got.mentions)


def test_an_inflected_reading_is_flagged(user: Normalizer) -> None:
    (m,) = user.normalize("Бои у Бахмута.", lang="ru").mentions  # vowel endings vanish in the key: still a match
    assert m.id == "loc:bakhmut"
    m = user.normalize("Prigoschins Truppe", lang="de").mentions[0]
    assert (m.text, m.inflected, m.method) == ("Prigoschins", True, "variant")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Οι Σύριοι πρόσφυγες και οι Νιγηριανοί φοιτητές.", "el"),  # demonyms, not places
        ("Российские военные и украинские беженцы.", "ru"),
        ("Der Komponist liebte die mali Farbe.", "de"),  # lower case: not Mali
        ("Bu mali konularda açıklama yapıldı.", "tr"),  # Turkish mali (financial)
        ("Он сказал, что денег нет.", "ru"),
    ],
)
def test_false_friends_give_no_guess(user: Normalizer, text: str, lang: str) -> None:
    assert [m for m in user.normalize(text, lang=lang).mentions if m.method != "exact"] == []


def test_niger_is_not_nigeria(user: Normalizer) -> None:
    assert found(user, "Στον Νίγηρα έγινε πραξικόπημα.", "el") == [("Νίγηρα", "loc:niger")]
    assert found(user, "Ο πρόεδρος της Νιγηρίας", "el") == [("Νιγηρίας", "loc:nigeria")]


def test_a_cross_script_ordinary_word_needs_the_document(user: Normalizer) -> None:
    # вагнер is a frequent Russian word (the surname): alone it is a guess; with the group named it counts
    assert found(user, "Вагнер написал оперу.", "ru") == []
    assert found(user, "Бойцы Вагнера и сам Вагнер.", "ru") == [("Вагнера", "org:wagner"), ("Вагнер", "org:wagner")]


# ------------------------------------------------------------------------------------------------- resolve
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Евгений Пригожин", "per:prigozhin"),
        ("Πριγκόζιν", "per:prigozhin"),
        ("يفغيني بريغوجين", "per:prigozhin"),
        ("Prigozhin Yevgeny", "per:prigozhin"),  # reordered
        ("Sergey Kuzhugetovich Shoigu", "per:shoigu"),  # a name part more
        ("Шойгу", "per:shoigu"),
        ("Wolodymyr Selenskyj", "per:zelensky"),
    ],
)
def test_resolve_in_any_script_and_order(user: Normalizer, query: str, expected: str) -> None:
    got = user.resolve(query, limit=3)
    assert got and got[0].id == expected, [(c.id, c.score) for c in got]
    assert "aligned" in got[0].features or got[0].method in ("exact", "folded")


def test_alignment_pairs_words_in_any_order_and_weighs_rarity() -> None:
    q, a = V.tokens("Shoigu Sergei"), V.tokens("Sergei Shoigu")
    score, feats = align(q, a)
    assert score == 1.0 and {p["query"] for p in feats["aligned"]} == {"shoigu", "sergei"}
    rare = {"shoigu": 5.0, "sergei": 1.0}
    part, _ = align(V.tokens("Shoigu"), a, weight=lambda t: rare.get(t.text, 1.0))
    given_name, _ = align(V.tokens("Sergei"), a, weight=lambda t: rare.get(t.text, 1.0))
    assert part > given_name  # the rare surname says more than the common given name
    joined, feats = align(V.tokens("Abdulaziz"), V.tokens("Abdul Aziz"))
    assert joined > 0.9 and feats["aligned"][0]["alias"] == "abdul aziz"  # two words written as one


# ------------------------------------------------------------------------------------------------ property
_TO_CYRILLIC = [("shch", "щ"), ("kh", "х"), ("gh", "г"), ("th", "т"), ("dh", "з"), ("ph", "ф"), ("ou", "у"),
                ("oo", "у"), ("ee", "и"), ("ie", "и"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"), ("yu", "ю"),
                ("ya", "я"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
                ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
                ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("j", "ж"), ("q", "к"),
                ("c", "ч"), ("w", "в"), ("x", "кс")]
_TO_GREEK = [("gh", "γ"), ("dh", "ζ"), ("ou", "ου"), ("oo", "ου"), ("ee", "ι"), ("ie", "ι"), ("th", "θ"), ("ps", "ψ"), ("ks", "ξ"), ("ch", "τσ"), ("sh", "σ"), ("zh", "ζ"), ("kh", "χ"),
             ("ph", "φ"), ("b", "μπ"), ("d", "ντ"), ("g", "γκ"), ("u", "ου"), ("a", "α"), ("e", "ε"), ("i", "ι"),
             ("o", "ο"), ("y", "ι"), ("k", "κ"), ("l", "λ"), ("m", "μ"), ("n", "ν"), ("p", "π"), ("r", "ρ"),
             ("s", "σ"), ("t", "τ"), ("f", "φ"), ("v", "β"), ("z", "ζ"), ("h", "χ"), ("j", "τζ"), ("q", "κ"),
             ("c", "τσ"), ("w", "β"), ("x", "ξ")]


def _spell(word: str, table: list[tuple[str, str]]) -> str:
    out, i = [], 0
    while i < len(word):
        for src, dst in table:
            if word.startswith(src, i):
                out.append(dst)
                i += len(src)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def _latin_table_names() -> list[str]:
    from normalizer.tables import bundled_dir, load_tables

    tables = load_tables([bundled_dir()])
    names = {a.text for e in tables.entities.values() for a in e.aliases
             if a.lang in ("en", "und") and a.text.isascii() and a.text.replace(" ", "").isalpha()
             and 4 <= len(a.text) <= 30 and not a.text.isupper()}
    return sorted(names)


LATIN_NAMES = _latin_table_names()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LATIN_NAMES), st.sampled_from(["cyrillic", "greek"]))
def test_a_table_name_and_its_transliteration_meet(name: str, script: str) -> None:
    """A Latin table name written letter by letter in Cyrillic or Greek (as a Russian or Greek newspaper would)
    has the name's key: the conventions of the scripts form one system."""
    # Greek reads αι, ει, οι, αυ, ευ as one vowel (a Greek paper writes Ain as Αΐν, and the fold drops the
    # dialytika), and μπ, ντ, γκ as b, d, g: Latin letter pairs that would spell those are another test
    assume(script != "greek" or not re.search("[aeou][iy]|[ae]u|m[pb]|n[tdcjkg]", name.lower()))
    table = _TO_CYRILLIC if script == "cyrillic" else _TO_GREEK
    other = " ".join(_spell(w, table) for w in name.lower().split())
    assert V.key(other) == V.key(name.lower()), (name, other)
