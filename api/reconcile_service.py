"""The reconciliation service's logic (W3C Reconciliation API v0.2) over a :class:`~normalizer.Normalizer`,
independent of HTTP: candidates and their scores, the ``match`` rule, suggest, data extension.

Scores are on a 0-100 scale: 100 x the name layer's score (``Normalizer.resolve``: 1.0 for a name spelled as
in the tables, 0.95 folded, less for variant and fuzzy spellings) plus the evidence of the query's properties:

* ``wikidata`` (a Q-id): +50 when the candidate has that id, -50 when it has another one; an entity with that
  id is a candidate even when its name is spelled too far off to be found by name.
* ``context`` (text around the name, e.g. the sentence or the article; read up to the server's
  ``--max-text-chars``): +15 when the text names the entity
  (``Normalizer.normalize`` finds it there), +10 when it holds one of the entity's table ``context`` words.
* ``type`` (as a property, or the query's ``type`` with ``type_strict: "should"``): -20 for another type.
  The query's ``type`` otherwise (``type_strict`` ``any``, the default, or ``all``) keeps only those types.
* ``lang``: the language of the name, passed to ``resolve(lang=)`` (an alias of that language is preferred).

The ``match`` rule (:func:`is_match`): the best candidate is a match when nothing contradicts it (no
``wikidata`` of another id, no type penalty) and one of these holds:

1. its ``wikidata`` id is the one the query gives;
2. the query is one of its names, spelled alike or alike after folding (method ``exact``/``folded``), and no
   other candidate is, unless the properties put it ``MATCH_MARGIN`` (15) points ahead of that other;
3. it scores at least ``MATCH_MIN_SCORE`` (85) and ``MATCH_MARGIN`` (15) points more than the second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from normalizer import Entity, Normalizer

from .reconcile_catalog import catalog, description, type_name, type_ref
from .reconcile_query import Query

MATCH_MIN_SCORE = 85.0
MATCH_MARGIN = 15.0
WIKIDATA_BONUS = 50.0
CONTEXT_FOUND_BONUS = 15.0
CONTEXT_WORD_BONUS = 10.0
TYPE_PENALTY = 20.0
NAME_METHODS = ("exact", "folded")  # the query is one of the entity's names
FETCH_MIN = 15  # candidates asked of resolve() before filtering by type and re-ranking by properties
NAME_SLACK = 2  # a query whose folded form is over twice (+20 chars) the longest folded name names nothing
SUGGEST_LIMIT = 10

@dataclass
class Scored:
    entity: Entity
    name_score: float  # the name layer's score, 0..1 (0: found by a property only)
    method: str  # the name layer's method, or "property"
    name_features: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, bool] = field(default_factory=dict)  # property features: type_match, wikidata_match...
    bonus: float = 0.0
    penalised: bool = False

    @property
    def score(self) -> float:
        return round(100 * self.name_score + self.bonus, 2)


def feature_list(s: Scored) -> list[dict[str, Any]]:
    """Why a candidate scored as it did, as ``[{id, value}]``: the name layer's score and method, every
    numeric or boolean feature the name layer reported (whatever their names), then the properties' evidence."""
    feats: list[dict[str, Any]] = [{"id": "name_score", "value": round(s.name_score, 4)},
                                   {"id": f"method_{s.method}", "value": True}]
    for key, value in s.name_features.items():
        if isinstance(value, bool):
            feats.append({"id": key, "value": value})
        elif isinstance(value, (int, float)) and math.isfinite(value):
            feats.append({"id": key, "value": round(float(value), 4)})
    feats += [{"id": key, "value": value} for key, value in s.evidence.items()]
    return feats


def is_match(ranked: Sequence[Scored]) -> bool:
    """The module docstring's ``match`` rule, for the best of ``ranked`` (sorted best first)."""
    if not ranked:
        return False
    top = ranked[0]
    if top.penalised:
        return False
    if top.evidence.get("wikidata_match"):
        return True
    rivals = [s for s in ranked[1:] if s.method in NAME_METHODS and top.score - s.score < MATCH_MARGIN]
    if top.method in NAME_METHODS and not rivals:
        return True
    margin = top.score - ranked[1].score if len(ranked) > 1 else math.inf
    return top.score >= MATCH_MIN_SCORE and margin >= MATCH_MARGIN


class ReconcileService:
    """One batch's worth of work over one Normalizer (the one pinned for the request)."""

    def __init__(self, norm: Normalizer, *, max_context_chars: int = 200_000) -> None:
        self.norm = norm
        self.max_context_chars = max_context_chars
        self.catalog = catalog(norm)
        self._context: dict[str, tuple[set[str], str]] = {}

    # ------------------------------------------------------------------------------------------ reconcile
    def reconcile(self, queries: Iterable[Query]) -> dict[str, dict[str, list[dict[str, Any]]]]:
        return {q.key: {"result": self.candidates(q)} for q in queries}

    def candidates(self, q: Query) -> list[dict[str, Any]]:
        if q.limit == 0:
            return []
        ranked = self.rank(q)
        match = is_match(ranked)
        out = []
        for i, s in enumerate(ranked[: q.limit]):
            ent = s.entity
            out.append({"id": ent.id, "name": ent.name, "score": s.score, "match": match and i == 0,
                        "type": [type_ref(ent.type)], "description": description(ent),
                        "features": feature_list(s)})
        return out

    def rank(self, q: Query) -> list[Scored]:
        langs = q.values("lang")
        found: dict[str, Scored] = {}
        for c in self._resolve(q.query, max(q.limit * 3, FETCH_MIN), langs[0] if langs else None):
            ent = self.norm.entity(c.id)
            if ent is not None and c.id not in found:
                found[c.id] = Scored(ent, c.score, c.method, dict(c.features))
        wikidata = {w.strip().upper() for w in q.values("wikidata") if w.strip()}
        for qid in sorted(wikidata):
            for eid in self.catalog.by_wikidata.get(qid, ()):
                ent = self.norm.entity(eid)
                if ent is not None and eid not in found:
                    found[eid] = Scored(ent, 0.0, "property")
        strict = q.types and q.type_strict != "should"
        ranked = [s for s in found.values() if not strict or s.entity.type in q.types]
        soft_types = set(q.values("type")) | (set(q.types) if not strict else set())
        contexts = [self._context_of(text) for text in q.values("context") if text.strip()]
        for s in ranked:
            self._weigh(s, wikidata, soft_types, contexts)
        ranked.sort(key=lambda s: (-s.score, s.entity.id))
        return ranked

    def _resolve(self, name: str, limit: int, lang: str | None) -> list[Any]:
        key = self.norm.folder.fold_key(name) if name else ""
        if not key or len(key) > NAME_SLACK * self.catalog.longest_name + 20:
            return []  # no name in the tables is anywhere near that long: a pasted paragraph, not a name
        return self.norm.resolve(name, limit=limit, lang=lang)

    def _weigh(self, s: Scored, wikidata: set[str], soft_types: set[str],
               contexts: list[tuple[set[str], str]]) -> None:
        ent = s.entity
        if wikidata:
            own = (ent.wikidata or "").upper()
            s.evidence["wikidata_match"] = own in wikidata
            if own in wikidata:
                s.bonus += WIKIDATA_BONUS
            elif own:
                s.bonus -= WIKIDATA_BONUS
                s.penalised = True
        if soft_types:
            s.evidence["type_match"] = ent.type in soft_types
            if ent.type not in soft_types:
                s.bonus -= TYPE_PENALTY
                s.penalised = True
        if contexts:
            named = any(ent.id in ids for ids, _ in contexts)
            words = any(self._has_context_word(ent, folded) for _, folded in contexts)
            s.evidence["context_names_entity"] = named
            s.evidence["context_word"] = words
            s.bonus += CONTEXT_FOUND_BONUS * named + CONTEXT_WORD_BONUS * (words and not named)

    def _context_of(self, text: str) -> tuple[set[str], str]:
        """The entity ids a context text names, and its folded form (cached for the batch)."""
        got = self._context.get(text)
        if got is None:
            text = text[: self.max_context_chars]  # a longer context is read up to the server's text limit
            ids = {m.id for m in self.norm.normalize(text).mentions if m.id}
            got = self._context[text] = (ids, f" {self.norm.folder.fold_key(text)} ")
        return got

    def _has_context_word(self, ent: Entity, folded: str) -> bool:
        fold = self.norm.folder.fold_key
        return any((k := fold(w)) and f" {k} " in folded for w in ent.context)

    # ------------------------------------------------------------------------------------------ suggest
    def suggest_entities(self, prefix: str, *, cursor: int = 0, limit: int = SUGGEST_LIMIT,
                         types: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Entities whose names start with (or contain) ``prefix``, then close spellings (any script)."""
        want = cursor + limit
        found: dict[str, Entity] = {}
        for ent in self.norm.search_entities(prefix, limit=want * 2 + 20):
            found.setdefault(ent.id, ent)
        if len(found) < want:
            for c in self._resolve(prefix, want, None):
                ent = self.norm.entity(c.id)
                if ent is not None:
                    found.setdefault(ent.id, ent)
        # entities whose canonical name starts with the prefix first (Istanbul before 2016 Istanbul attack)
        key = self.norm.folder.fold_key(prefix)
        ranked = sorted(found.values(), key=lambda e: not self.norm.folder.fold_key(e.name).startswith(key))
        ents = [e for e in ranked if not types or e.type in types][cursor:want]
        return [{"id": e.id, "name": e.name, "description": description(e), "notable": [type_ref(e.type)]}
                for e in ents]

    def suggest_types(self, prefix: str) -> list[dict[str, str]]:
        p = prefix.casefold()
        return [type_ref(t) for t in self.catalog.types if p in t.casefold() or p in type_name(t).casefold()]

    def suggest_properties(self, prefix: str) -> list[dict[str, str]]:
        p = prefix.casefold()
        return [d for d in self.catalog.properties() if p in d["id"].casefold() or p in d["name"].casefold()]
