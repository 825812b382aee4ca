"""Document context: short forms of names already found in the same document, and ambiguous mentions settled by
what else the document names.

* A window whose key is the last name token of an entity found elsewhere in the document (``Güler`` after
  ``Kasım Güler``, ``al-Qurashi`` after the full name) or its kunya (``Abu Zeyd``) resolves to that entity;
  several such entities: the nearest mention wins (preceding first).
* An ambiguous mention whose candidates include exactly one entity found elsewhere in the document, or whose
  table ``context`` words occur in it, resolves to that entity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from functools import lru_cache

from .decide import Taken
from .names.index import VariantIndex
from .names.keys import TokenKey, Variants
from .spans import Token, windows
from .tables import TableSet
from .types import Entity, Explanation, Mention

SCORE_CONTEXT = 0.85

MIN_PARTIAL_LETTERS = 3


def partial_keys(entity: Entity, variants: Variants, extra: list[str], lang: str | None = None) -> set[str]:
    """Short forms of an entity's names: the last name token's key, and the kunya (Abu X) pair; ``extra``: the
    names the document gives it (in ``lang``). (The table part is cached per entity: see :func:`_table_partials`.)"""
    out = set(_table_partials(entity, variants))
    for text in extra:
        out |= _text_partials(variants, text, lang)
    return out


@lru_cache(maxsize=50_000)
def _text_partials(variants: Variants, text: str, lang: str | None) -> frozenset[str]:
    """:func:`_partials` of one name as a document writes it (remembered: news repeats its names)."""
    return frozenset(_partials([(text, lang)], variants))


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


def context_pass(mentions: list[Mention], tokens: list[Token], source: str, index: VariantIndex, tables: TableSet,
                 stopwords: frozenset[str], steps, lang: str | None = None,  # noqa: ANN001
                 folded: str | None = None) -> list[Mention]:
    """Resolve short forms and ambiguous mentions from what the same document already names.  ``folded``: the
    document's fold (``Folder.fold(source).text``) when the caller has it: its stripped form is the document's
    ``fold_key``, which is otherwise computed again for the table words of ambiguous mentions."""
    positions: dict[str, list[int]] = defaultdict(list)
    for m in mentions:
        if m.id:
            positions[m.id].append(m.start)
    if not positions:
        return mentions
    folded_doc = None
    resolved: list[Mention] = []
    for m in mentions:
        if m.id is None and m.candidates:
            ids = {c.id for c in m.candidates}
            eid = nearest(positions, ids, m.start)
            rule = "context:document"
            if eid is None:
                if folded_doc is None:  # (fold_key is the fold, stripped)
                    folded_doc = f" {index.variants.folder.fold_key(source) if folded is None else folded.strip()} "
                hits = {c.id for c in m.candidates if any(
                    f" {index.variants.folder.fold_key(w)} " in folded_doc for w in tables.entities[c.id].context)}
                eid = next(iter(hits)) if len(hits) == 1 else None
                rule = "context:table-words"
            if eid is not None:
                c = next(c for c in m.candidates if c.id == eid)
                expl = replace(m.explain, rules=m.explain.rules + (rule,)) if m.explain else None
                m = replace(m, id=c.id, canonical=c.canonical, type=c.type, score=c.score * 0.95,
                            alias=c.alias, ambiguous=False, explain=expl)
        resolved.append(m)
    partial: dict[str, set[str]] = defaultdict(set)
    for eid in positions:
        if tables.entities[eid].type != "person":
            continue  # short forms of organisation or place names are words (Nation, State, Army)
        extra = [m.text for m in resolved if m.id == eid]
        for k in partial_keys(tables.entities[eid], index.variants, extra, lang):
            partial[k].add(eid)
    if not partial:
        return resolved
    words = {w for k in partial for w in k.split()}
    tokens = [t for t in tokens if t.key.kind != "name" or t.key.key in words]  # only words of some short form
    taken = Taken((m.start, m.end) for m in resolved)
    for win in windows(tokens, source, taken):
        if len(win.tokens) > 3 or taken.overlaps(win.start, win.end):
            continue
        if win.name_tokens == 1 and win.tokens[-1].folded in stopwords:
            continue
        key = window_key(win.keys)
        ids = partial.get(key)
        if not ids:
            continue
        eid = nearest(positions, ids, win.start)
        if eid is None:
            continue
        ent = tables.entities[eid]
        text = source[win.start:win.end]
        expl = Explanation(key, tuple(steps(text)), ("context:short-form",), {"entities_with_this_form": sorted(ids)}) if steps else None
        resolved.append(Mention(text, win.start, win.end, eid, ent.name, ent.type, SCORE_CONTEXT, "context", ent.name,
                                explain=expl))
        taken.add(win.start, win.end)
    return resolved
