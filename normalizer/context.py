"""Document context: short forms of names already found in the same document, and ambiguous mentions settled by
what else the document names.

* A window whose key is the last name token of an entity found elsewhere in the document (``Güler`` after
  ``Kasım Güler``, ``al-Qurashi`` after the full name) or its kunya (``Abu Zeyd``) resolves to that entity;
  several such entities: the nearest mention wins (preceding first).
* An ambiguous mention whose candidates include exactly one entity found elsewhere in the document, or whose
  table ``context`` words occur in it, resolves to that entity.
"""

from __future__ import annotations

from .names.keys import TokenKey, Variants
from .types import Entity

MIN_PARTIAL_LETTERS = 3


def partial_keys(entity: Entity, variants: Variants, extra: list[str], lang: str | None = None) -> set[str]:
    """Short forms of an entity's names: the last name token's key, and the kunya (Abu X) pair; ``extra``: the
    names the document gives it (in ``lang``). (The table part is cached per entity: see :func:`_table_partials`.)"""
    return _table_partials(entity, variants) | _partials([(t, lang) for t in extra], variants)


_CACHE: dict[tuple[int, int], tuple[Entity, frozenset[str]]] = {}


def _table_partials(entity: Entity, variants: Variants) -> frozenset[str]:
    key = (id(variants), id(entity))
    got = _CACHE.get(key)
    if got is None or got[0] is not entity:  # identity check: a reloaded table has new Entity objects
        if len(_CACHE) > 200_000:
            _CACHE.clear()
        got = _CACHE[key] = (entity, frozenset(_partials([(a.text, a.lang) for a in entity.aliases], variants)))
    return got[1]


def _partials(texts: list[tuple[str, str | None]], variants: Variants) -> set[str]:
    keys: set[str] = set()
    for text, lang in texts:
        toks = [t for t in variants.tokens(text, lang) if t.kind != "article" and t.key]
        names = [t for t in toks if t.kind == "name"]
        if len(toks) >= 2 and names and len(names[-1].key) >= MIN_PARTIAL_LETTERS:
            keys.add(names[-1].key)
        if len(toks) >= 3 and toks[0].kind == "particle" and toks[1].kind == "name":
            keys.add(f"{toks[0].key} {toks[1].key}")
    return keys


def nearest(positions: dict[str, list[int]], ids: set[str], at: int) -> str | None:
    """The id among ``ids`` with the nearest mention before ``at``; failing that, the nearest after; else None."""
    best: tuple[int, int, str] | None = None
    for eid in ids:
        for p in positions.get(eid, ()):
            cand = (0 if p <= at else 1, abs(at - p), eid)
            if best is None or cand < best:
                best = cand
    return best[2] if best else None


def window_key(keys: list[TokenKey]) -> str:
    return " ".join(t.key for t in keys if t.kind != "article" and t.key)
