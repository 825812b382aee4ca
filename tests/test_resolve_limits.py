"""resolve(): text passed as a name; a typo in a Russian case form."""

from normalizer import Normalizer
from normalizer.resolve import MAX_NAME_WORDS


def test_text_is_not_a_name_only_exact_matches(bundled: Normalizer) -> None:
    text = " ".join(["Ebu Bekir el-Bağdadi"] * 10)
    assert len(text.split()) > MAX_NAME_WORDS
    assert bundled.resolve(text) == []  # no fuzzy guess from a paragraph (it cost ~50 ms before)
    assert bundled.resolve("Ebu Bekir el-Bağdadi")[0].id == "per:abu-bakr-al-baghdadi"


def test_a_typo_in_a_case_form_still_resolves(bundled: Normalizer) -> None:
    # the fuzzy index holds the generated case forms too (Сирийскими ... is the instrumental of an alias)
    got = bundled.resolve("Сирийскими демократическими силaми")  # Latin "a" inside: a typo
    # (the Latin "a" romanises as the Cyrillic one: same key, so a variant candidate, not a fuzzy one)
    assert got and got[0].id == "org:sdf" and got[0].method in ("variant", "fuzzy")
