"""``Normalizer.search_entities`` (normalizer/search.py: the aliases' folded keys in one string, found by
``str.find``) against the plain definition: every alias folded and tested, best rank per entity (equal, then
starts with, then contains), by name, at most ``limit``."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import Normalizer

N = Normalizer()
FOLDED = [(e, [N.folder.fold_key(a.text) for a in e.aliases]) for e in N.tables.entities.values()]
KEYS = sorted({k for _, keys in FOLDED for k in keys})


def reference(query: str, limit: int) -> list[str]:
    key = N.folder.fold_key(query)
    if not key:
        return []
    scored = []
    for ent, keys in FOLDED:
        ranks = []
        for k in keys:
            ranks += [0] if k == key else [1] if k.startswith(key) else [2] if key in k else []
        if ranks:
            scored.append((min(ranks), ent.name, ent.id))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [eid for _, _, eid in scored[:limit]]


def _ids(query: str, limit: int) -> list[str]:
    return [e.id for e in N.search_entities(query, limit=limit)]


def test_known_names_come_first() -> None:
    assert _ids("Daesh", 2) == ["org:isis", "org:global-coalition-against-daesh"]
    assert _ids("DEAŞ", 1) == ["org:isis"]  # folded like the text: case, marks, dotted I
    assert _ids("zzqx", 5) == [] and _ids("", 5) == [] and _ids("  ", 5) == []


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(KEYS), st.integers(0, 30), st.integers(1, 8), st.sampled_from([1, 5, 20, 200]))
def test_same_entities_as_the_plain_search(key: str, start: int, width: int, limit: int) -> None:
    """Any piece of any alias (a prefix, a middle part, a whole one), as typed (upper case too)."""
    piece = key[min(start, len(key)):][:width]
    for query in (piece, piece.upper(), key):
        assert _ids(query, limit) == reference(query, limit)


def test_warm_builds_the_search_unless_told_not_to() -> None:
    """A server's warm() builds it before serving; a batch or Spark worker (``search=False``) never pays for it."""
    fresh = Normalizer([Path(__file__).parent / "fixtures" / "core_table.yaml"], bundled=False, link=False)
    assert fresh.warm(search=False)._search is None
    assert fresh.warm()._search is not None
