"""Document-local aliases (normalizer/local_alias.py, data/local_alias.yaml): names a text gives to what it names."""


import pytest

from normalizer import Normalizer

TABLE = """entities:
  - {id: per:guler, type: person, name: Kasım Güler}
  - {id: per:goren, type: person, name: Mehmet Gören}
  - {id: org:isis, type: organization, name: Islamic State, aliases: [Daesh, ISIS]}
  - {id: per:erdogan, type: person, name: Recep Tayyip Erdoğan, aliases: [Erdoğan]}
"""


@pytest.fixture(scope="module")
def n(tmp_path_factory: pytest.TempPathFactory) -> Normalizer:
    path = tmp_path_factory.mktemp("t") / "t.yaml"
    path.write_text(TABLE, encoding="utf-8")
    return Normalizer([path], bundled=False)


def found(n: Normalizer, text: str) -> list[tuple[str, str | None, str]]:
    out = []
    for m in n.normalize(text).mentions:
        assert text[m.start:m.end] == m.text
        out.append((m.text, m.id, m.method))
    return out


def test_codename_in_quotes_names_the_person_here_and_later(n: Normalizer) -> None:
    text = 'Police detained Kasım Güler, codenamed "Ebu Zerka", in Mersin. Ebu Zerka had crossed the border.'
    assert found(n, text) == [("Kasım Güler", "per:guler", "exact"), ("Ebu Zerka", "per:guler", "context"),
                              ("Ebu Zerka", "per:guler", "context")]


def test_turkish_codename_before_the_name(n: Normalizer) -> None:
    text = "‘Yahya’ kod adlı Mehmet Gören yakalandı. Yahya örgütün sorumlusuydu."
    assert [(t, i) for t, i, _ in found(n, text)] == [("Yahya", "per:goren"), ("Mehmet Gören", "per:goren"),
                                                      ("Yahya", "per:goren")]


def test_several_names_after_also_known_as(n: Normalizer) -> None:
    text = "Daesh (also known as ISIS/ISIL) claimed the attack; ISIL fighters fled."
    got = [(t, i) for t, i, _ in found(n, text)]
    assert got == [("Daesh", "org:isis"), ("ISIS", "org:isis"), ("ISIL", "org:isis"), ("ISIL", "org:isis")]


def test_unquoted_run_of_capitalised_words(n: Normalizer) -> None:
    text = "Mehmet Gören, codenamed Abu Yasir Al-Turki, was caught."
    assert ("Abu Yasir Al-Turki", "per:goren", "context") in found(n, text)


@pytest.mark.parametrize("text", [
    'Erdoğan dit « Le Sultan » devant la presse.',  # "dit" (said) introduces a quotation, not a name
    'Kasım Güler, known as "the butcher", was tried.',  # not a name: lower case
    'Kasım Güler said "Ankara" twice.',  # no phrase
])
def test_quotations_are_not_names(n: Normalizer, text: str) -> None:
    assert [m for m in found(n, text) if m[2] == "context"] == []
