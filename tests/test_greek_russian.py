"""Greek and Russian text: case forms of names (normalizer/inflect.py, ``inflection`` in affixes.yaml), the
bundled tables' Greek and Russian names, and precision traps.

The fixture ``tests/fixtures/inflection/{texts,gold}.jsonl`` holds hand-written news-style sentences (42 Greek, 42
Russian) with hand-annotated gold spans in the dev set's format, so ``normalizer eval`` reads it as well.
``python tests/test_greek_russian.py`` prints precision and recall on it (every predicted mention counts).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from normalizer import Normalizer
from normalizer.fold import fold_key
from normalizer.inflect import Inflector, default_inflector
from normalizer.types import BORROWED_SOURCES

FIX = Path(__file__).parent / "fixtures" / "inflection"
USER_TABLE = FIX / "user_table.yaml"


def _read(name: str) -> list[dict]:
    with (FIX / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(norm: Normalizer) -> dict[str, dict[str, float]]:
    """Strict precision / recall per language over the fixture: a prediction is right when its span and entity
    equal a gold mention's; every other prediction (any entity, or ambiguous) is a false positive."""
    texts, gold = _read("texts.jsonl"), _read("gold.jsonl")
    out: dict[str, dict[str, float]] = {}
    for lang in sorted({t["lang"] for t in texts}) + ["all"]:
        tp = fp = fn = 0
        for t in texts:
            if lang != "all" and t["lang"] != lang:
                continue
            want = {(g["start"], g["end"], g["entity"]) for g in gold if g["doc"] == t["id"]}
            got = {(m.start, m.end, m.id) for m in norm.normalize(t["text"], lang=t["lang"]).mentions}
            tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        out[lang] = {"precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
                     "tp": tp, "fp": fp, "fn": fn}
    return out


@pytest.fixture(scope="module")
def bundled() -> Normalizer:
    return Normalizer()


@pytest.fixture(scope="module")
def user() -> Normalizer:
    return Normalizer([USER_TABLE], bundled=False)


def _one(norm: Normalizer, text: str, lang: str | None = None):  # noqa: ANN202
    ms = norm.normalize(text, lang=lang).mentions
    assert len(ms) == 1, [(m.text, m.id) for m in ms]
    m = ms[0]
    assert text[m.start:m.end] == m.text
    return m


# ------------------------------------------------------------------------------------------------- the fixture
def test_fixture_spans_are_consistent() -> None:
    texts = {t["id"]: t["text"] for t in _read("texts.jsonl")}
    gold = _read("gold.jsonl")
    assert len(texts) >= 60 and {t["lang"] for t in _read("texts.jsonl")} == {"el", "ru"}
    for g in gold:
        assert texts[g["doc"]][g["start"]:g["end"]] == g["text"], g


def test_precision_and_recall_on_the_fixture(bundled: Normalizer) -> None:
    s = score(bundled)
    for lang in ("el", "ru"):
        assert s[lang]["precision"] >= 0.97, s[lang]
        assert s[lang]["recall"] >= 0.95, s[lang]


def test_gold_inflected_forms_are_flagged(bundled: Normalizer) -> None:
    texts = {t["id"]: t for t in _read("texts.jsonl")}
    flagged = 0
    for g in _read("gold.jsonl"):
        t = texts[g["doc"]]
        found = [m for m in bundled.normalize(t["text"], lang=t["lang"]).mentions if m.start == g["start"]]
        if found and found[0].inflected:
            flagged += 1
            assert g.get("inflected"), (g, found[0])  # a nominative is never reported inflected
    assert flagged >= 40


# ------------------------------------------------------------------------------------------------- behaviour
@pytest.mark.parametrize(("text", "lang", "word", "alias"), [
    ("Η κυβέρνηση της Συρίας απάντησε.", "el", "Συρίας", "Συρία"),
    ("Επέστρεψε στη Δαμασκό χθες.", "el", "Δαμασκό", "Δαμασκός"),
    ("ΝΕΑ ΕΠΙΘΕΣΗ ΣΤΗΝ ΠΕΡΙΟΧΗ ΤΗΣ ΣΥΡΙΑΣ", "el", "ΣΥΡΙΑΣ", "Συρία"),
    ("Удары по Сирии продолжаются.", "ru", "Сирии", "Сирия"),
    ("Граница с Сирией закрыта.", "ru", "Сирией", "Сирия"),
    ("Посол прибыл в Дамаск, затем в Ирак.", "ru", "Дамаск", "Дамаск"),
    ("Боевики отступили из Анбара.", None, "Анбара", "Анбар"),
])
def test_case_forms_match_the_whole_word(user: Normalizer, text: str, lang: str | None, word: str, alias: str) -> None:
    ms = [m for m in user.normalize(text, lang=lang).mentions if m.text == word]
    assert len(ms) == 1
    m = ms[0]
    assert (m.start, m.end) == (text.index(word), text.index(word) + len(word))
    assert m.alias == alias
    assert m.inflected is (word != alias)
    if m.inflected:
        assert (m.method, m.score) == ("folded", 0.9)
        assert m.to_dict()["inflected"] is True


def test_multi_word_names_agree_in_case(user: Normalizer) -> None:
    m = _one(user, "Борьба с Исламским государством продолжается.", "ru")
    assert (m.text, m.id, m.inflected) == ("Исламским государством", "t:isis", True)
    m = _one(user, "Сотрудники Национальной разведывательной организации Турции задержали его.", "ru")
    assert (m.id, m.text) == ("t:mit", "Национальной разведывательной организации Турции")
    m = _one(user, "Он встретился с Реджепом Тайипом Эрдоганом.", "ru")  # a person's name: every word
    assert (m.id, m.text) == ("t:erdogan", "Реджепом Тайипом Эрдоганом")


def test_an_ambiguous_inflected_name_stays_ambiguous(bundled: Normalizer) -> None:
    m = _one(bundled, "Лидеры Партии Баас бежали из страны.", "ru")  # two Baath parties share the name
    assert (m.id, m.ambiguous, m.inflected, m.alias) == (None, True, True, "Партия Баас")
    assert {c.id for c in m.candidates} == {"org:baath-party-iraq", "org:baath-party-syria"}
    assert {c.alias for c in m.candidates} == {"Партия Баас"}


def test_explain_names_the_case(user: Normalizer) -> None:
    m = user.normalize("Στα σύνορα της Συρίας.", lang="el", explain=True).mentions[0]
    assert "inflected:gen" in m.explain.rules


def test_a_form_that_is_another_entitys_name_is_not_added(user: Normalizer) -> None:
    # Χάμα (Hama) + ς would be Χάμας, folded the same as Χαμάς (Hamas): Hamas keeps it
    assert _one(user, "Η Χαμάς ανέλαβε την ευθύνη.", "el").id == "t:hamas"
    assert _one(user, "Οι μάχες στη Χάμα συνεχίζονται.", "el").id == "t:hama"


@pytest.mark.parametrize("text", [
    "Весенняя путина на Волге началась раньше обычного.",  # путина: the fishing season (Путин is cased)
    "Давление газа в трубопроводе упало.",
    "Η λέξη «μιτ» δεν σημαίνει τίποτα, ούτε το «νάτο».",
    "Турецкий спецназ и сирийские оппозиционеры провели операцию.",  # adjectives, not mentions
    "Ο τουρκικός στρατός και οι συριακές δυνάμεις συνεργάζονται.",
    "Τουρκικός και συριακός τύπος μετέδωσαν την είδηση.",
    "Που βρίσκονται σήμερα οι κρατούμενοι;",
    "Η τύχη των Σύριων προσφύγων στα νησιά.",  # the Syrians', not Syria's
    "ΤΟ ΧΩΡΙΟ ΠΟΥ ΕΛΕΓΧΕ Ο ΣΤΡΑΤΟΣ",  # που in a capitals headline is not the WHO
])
def test_traps_give_no_mention(bundled: Normalizer, text: str) -> None:
    assert [(m.text, m.id) for m in bundled.normalize(text).mentions] == []


def test_capital_acronyms_only(bundled: Normalizer) -> None:
    assert _one(bundled, "ΣΥΛΛΗΨΕΙΣ ΑΠΟ ΤΗ ΜΙΤ ΣΤΗ ΔΥΤΙΚΗ ΘΡΑΚΗ", "el").id == "org:mit-turkey"  # Greek letters
    assert _one(bundled, "Σύμφωνα με τη ΜΙΤ, οι ύποπτοι συνελήφθησαν.", "el").id == "org:mit-turkey"
    assert _one(bundled, "Μέλη του ΡΚΚ συνελήφθησαν.", "el").id == "org:pkk"  # Greek capitals that look Latin


def test_greek_folding_sigma_and_accents(bundled: Normalizer) -> None:
    fk = bundled.folder.fold_key
    assert fk("Συρίας") == fk("ΣΥΡΙΑΣ") == fk("Συριας") == fk("Συρίαϲ") == fk("ΣΥΡΙΑϹ") == "συριασ"  # ϲ: lunate
    assert fk("Ευρωπαϊκής") == fk("ΕΥΡΩΠΑΪΚΗΣ") == fk("Ευρωπαικης")
    assert fk("Сирией") == fk("СИРИЕЙ") and fk("Объединённых") == fk("Объединенных")
    m = _one(bundled, "Στα σύνορα τηϲ Συρίαϲ.", "el")
    assert (m.id, m.text) == ("loc:syria", "Συρίαϲ")


# ------------------------------------------------------------------------------------------------- the rules
def test_rules_leave_indeclinable_names_and_acronyms_alone() -> None:
    inf = default_inflector()
    assert inf.forms("Алеппо", "ru") == {} and inf.forms("Дараа", "ru") == {}  # foreign -о, -аа
    assert inf.forms("ООН", "ru") == {} and inf.forms("ΝΑΤΟ", "el") == {}  # capitals
    assert inf.forms("Ирак", "en") == {}  # not a Greek/Russian alias
    assert inf.forms("Iraq", "ru") == {}  # Latin letters in a Russian list
    assert inf.forms("Газа", "ru")["gen"] == "Газы"
    assert inf.forms("Косово Поле", "ru")["gen"] == "Косова Поле"  # -о declines inside a longer name


def test_rules_word_by_word() -> None:
    inf = default_inflector()
    assert inf.forms("Лига арабских государств", "ru")["gen"] == "Лиги арабских государств"  # head noun only
    assert inf.forms("Свободная сирийская армия", "ru")["gen"] == "Свободной сирийской армии"  # adjectives agree
    assert inf.forms("Зеленский", "ru", person=True)["ins"] == "Зеленским"
    assert set(inf.forms("Путин", "ru", person=True)["ins"]) == {"Путином", "Путиным"}
    assert inf.forms("Κυριάκος Μητσοτάκης", "el", person=True)["gen"] == "Κυριάκου Μητσοτάκη"
    assert inf.forms("Ανατολική Γούτα", "el")["gen"] == "Ανατολικής Γούτας"
    assert inf.forms("Συρία", "el") == {"gen": "Συρίας"}  # never Συρίων: folded, that is Σύριων (the Syrians')
    assert fold_key("Ηνωμένων Αραβικών Εμιράτων") in map(fold_key, inf.forms("Ηνωμένα Αραβικά Εμιράτα", "el")["gen"])
    assert inf.forms("Συριακός Εθνικός Στρατός", "el")["gen"] == "Συριακού Εθνικού Στρατού"
    assert "Ηνωμένων Αραβικών Εμιράτων" in inf.forms("Ηνωμένα Αραβικά Εμιράτα", "el")["gen"]


def test_rules_come_from_the_data_file(tmp_path: Path) -> None:
    rules = tmp_path / "affixes.yaml"
    rules.write_text("inflection:\n  min_word_letters: 3\n  languages:\n    ru:\n      script: cyrillic\n"
                     "      langs: [ru]\n      noun:\n        а: {gen: ы}\n", encoding="utf-8")
    inf = Inflector(rules)
    assert inf.forms("Уфа", "ru") == {"gen": "Уфы"}
    assert inf.forms("Ирак", "ru") == {}
    rules.write_text("inflection:\n  languages:\n    xx:\n      script: latin\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown script"):
        Inflector(rules)


def test_bundled_tables_do_not_hand_list_forms_the_rules_make(bundled: Normalizer) -> None:
    inf, fk = default_inflector(), bundled.folder.fold_key
    listed = []
    for ent in bundled.tables.entities.values():
        made: set[str] = set()
        for a in ent.aliases:
            if a.source.startswith(BORROWED_SOURCES):  # names from the knowledge base are not hand-listed
                continue
            if a.lang in ("el", "ru") and fk(a.text) in made:
                listed.append((ent.id, a.text))
            for forms in inf.forms(a.text, a.lang, person=ent.type == "person").values():
                made.update(fk(f) for f in ((forms,) if isinstance(forms, str) else forms))
    assert listed == []


def test_inflected_aliases_survive_the_compiled_table_cache(tmp_path: Path) -> None:
    plain = Normalizer([USER_TABLE], bundled=False, cache=False)
    Normalizer([USER_TABLE], bundled=False, cache=tmp_path)  # writes the cache
    cached = Normalizer([USER_TABLE], bundled=False, cache=tmp_path)
    text = "Переговоры в Дамаске: Анкара и Сирией, Συρίας."
    assert [m.to_dict() for m in cached.normalize(text).mentions] == [m.to_dict() for m in plain.normalize(text).mentions]
    assert any(m.inflected for m in cached.normalize(text).mentions)


def test_entity_view_lists_only_table_aliases(user: Normalizer) -> None:
    names = user.entity("t:syria").to_dict()["aliases"]
    assert (names["el"], names["ru"]) == (["Συρία"], ["Сирия"])


def test_cli_reports_inflected(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "normalizer", "normalize", "-", "--no-bundled", "--tables",
                          str(USER_TABLE), "--quiet"], input='{"text": "Войска вошли в Сирию."}\n',
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert out.returncode == 0, out.stderr
    (m,) = json.loads(out.stdout)["mentions"]
    assert (m["text"], m["id"], m["alias"], m.get("inflected")) == ("Сирию", "t:syria", "Сирия", True)


if __name__ == "__main__":
    for lang, s in score(Normalizer()).items():
        print(f"{lang:4} P={s['precision']:.3f} R={s['recall']:.3f}  tp={s['tp']} fp={s['fp']} fn={s['fn']}")
