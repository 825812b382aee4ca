"""Bad or extreme input gives a result or a clear error, never a crash or a hang."""

import pytest

from normalizer import Normalizer


def test_empty_and_blank(core: Normalizer) -> None:
    assert core.normalize("").mentions == ()
    assert core.normalize("   \n\t ").mentions == ()


def test_one_megabyte_of_text(core: Normalizer) -> None:
    para = "Ankara'da MİT ve DEAŞ hakkında açıklama yapıldı; Türkiye’ye dönen şüpheli yakalandı. "
    text = para * (1_000_000 // len(para) + 1)
    r = core.normalize(text)
    assert len(r.mentions) == 3 * (1_000_000 // len(para) + 1)
    m = r.mentions[-1]
    assert text[m.start:m.end] == m.text


def test_lone_surrogates_and_controls(core: Normalizer) -> None:
    text = "\ud800MİT\x00\x1b[31m DEAŞ\udfff\u202eTürkiye\x7f"
    r = core.normalize(text)
    assert [m.text for m in r.mentions] == ["MİT", "DEAŞ", "Türkiye"]
    for m in r.mentions:
        assert text[m.start:m.end] == m.text


def test_non_string_is_a_clear_error(core: Normalizer) -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        core.normalize(b"MIT")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        core.resolve(None)  # type: ignore[arg-type]


def test_pathological_repetition(core: Normalizer) -> None:
    text = "Irak Şam İslam " * 20000 + "Devleti"
    r = core.normalize(text)
    assert r.mentions[-1].id == "org:isis"
    assert all(text[m.start:m.end] == m.text for m in r.mentions)
