"""The bundled tables: size, identity (Wikidata QIDs), honesty headers, and a clean ambiguity report."""

import re
import subprocess
import sys
from collections import Counter

from normalizer import Normalizer
from normalizer.tables import bundled_dir, table_files


def test_coverage_floor(bundled: Normalizer) -> None:
    ents = [e for e in bundled.tables.entities.values() if not e.source.startswith("kb:")]  # not the KB's places
    assert len(ents) >= 400
    types = Counter(e.type for e in ents)
    assert {"organization", "person", "location", "event"} <= set(types)
    with_tr_ar = sum(1 for e in ents if {"tr", "ar"} <= {a.lang for a in e.aliases})
    assert with_tr_ar / len(ents) >= 0.8  # the rest are names written the same in Turkish, or unknown in Arabic


def test_wikidata_ids_are_well_formed_and_unique(bundled: Normalizer) -> None:
    qids = [e.wikidata for e in bundled.tables.entities.values() if e.wikidata]
    assert qids
    assert all(re.fullmatch(r"Q[1-9][0-9]*", q) for q in qids)
    dupes = [q for q, c in Counter(qids).items() if c > 1]
    assert not dupes


def test_every_file_states_its_date_and_scope() -> None:
    for path in table_files([bundled_dir()]):
        head = path.read_text(encoding="utf-8").split("entities:")[0]
        assert head.lstrip().startswith("#"), path
        assert re.search(r"20\d\d", head), f"{path}: header has no knowledge date"


def test_no_unreviewed_ambiguity() -> None:
    """Every alias shared by several entities is listed under known_ambiguous (check --strict fails otherwise)."""
    r = subprocess.run([sys.executable, "-m", "normalizer", "tables", "check", "--strict"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_core_names_in_each_language(bundled: Normalizer) -> None:
    text = ("Türkiye Turkey Türkei Turquie Τουρκία Турция تركيا | Suriye Syrien Syrie Συρία Сирия سوريا | "
            "Halep Alep Aleppo حلب | Fırat Kalkanı Harekâtı")
    ids = [m.id for m in bundled.normalize(text).mentions]
    assert ids.count("loc:turkey") == 7 and ids.count("loc:syria") == 6 and ids.count("loc:aleppo") == 4
    assert "op:euphrates-shield" in ids
