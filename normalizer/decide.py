"""Decisions: which hits become mentions (no overlaps) and which entity each mention names.

Scoring says how good the evidence is; this module decides.  Rules, in order:

* overlapping hits: the longer span wins, then the higher score, then the earlier start;
* one entity behind the matched key: that entity;
* several entities: an alias spelled exactly as in the text, then one in the caller's language, narrows the
  set; what is still tied is reported as ambiguous (``id=None``) with the candidates, never guessed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .fold import DATA_DIR
from .matcher import Hit
from .tables import TableSet
from .types import Alias, Candidate, Explanation, Mention

SCORE_EXACT = 1.0
SCORE_FOLDED = 0.95
SCORE_DERIVED = 0.9  # an acronym derived from a multi-word name (Islamic State -> IS)
PENALTY_INFLECTED = 0.05
DERIVED = "derived:"


class Thresholds:
    """Decision thresholds from ``data/decide.yaml``: per entity type, single- vs multi-token candidates."""

    def __init__(self, path: Path | None = None) -> None:
        data = yaml.safe_load((path or DATA_DIR / "decide.yaml").read_text(encoding="utf-8"))
        self.default = data["default"]
        self.types: dict[str, dict[str, float]] = data.get("types", {})
        self.margin = float(data.get("ambiguity_margin", 0.03))
        self.min_key_letters = int(data.get("min_key_letters", 2))
        self.resolve_floor = float(data.get("resolve_floor", 0.5))
        self.same_script_similarity = float(data.get("arabic_letter_similarity", 0.0))

    def threshold(self, etype: str, name_tokens: int) -> float:
        t = self.types.get(etype, self.default)
        return float(t["single_token"] if name_tokens <= 1 else t["multi_token"])


def pick(scored: list[tuple[float, Any]], margin: float) -> tuple[Any | None, list[tuple[float, Any]]]:
    """Best-first list; the best wins only if it leads the next *other entity* by more than ``margin``."""
    scored = sorted(scored, key=lambda t: -t[0])
    if not scored:
        return None, []
    if len(scored) > 1 and scored[0][0] - scored[1][0] <= margin:
        return None, scored
    return scored[0][1], scored


class Taken:
    """Disjoint half-open spans with O(log n) overlap tests.

    >>> t = Taken([(0, 3), (10, 12)])
    >>> t.overlaps(2, 5), t.overlaps(3, 10), t.overlaps(11, 20)
    (True, False, True)
    """

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in spans:
            self.add(s, e)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)
        if i > 0 and self.ends[i - 1] > start:
            return True
        return i < len(self.starts) and self.starts[i] < end

    def add(self, start: int, end: int) -> None:
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)

    def __iter__(self):  # noqa: ANN204
        return iter(zip(self.starts, self.ends, strict=True))


def non_overlapping(items: Iterable, *, key=None) -> list:  # noqa: ANN001
    """Greedy selection of non-overlapping spans: longest first, then best score, then leftmost.

    Items need ``start``, ``end`` and ``score`` (or ``key`` giving a sort key for preference).
    """
    def pref(h):  # noqa: ANN001, ANN202
        return key(h) if key else (-(h.end - h.start), -getattr(h, "score", 0.0), h.start)

    chosen: list = []
    taken = Taken()
    for h in sorted(items, key=pref):
        if h.end > h.start and not taken.overlaps(h.start, h.end):
            chosen.append(h)
            taken.add(h.start, h.end)
    return sorted(chosen, key=lambda h: h.start)


def _match_score(span: str, alias: Alias, inflected: bool) -> tuple[float, str]:
    if alias.source.startswith(DERIVED):
        score, method = SCORE_DERIVED, "variant"
    elif span == alias.text:
        score, method = SCORE_EXACT, "exact"
    else:
        score, method = SCORE_FOLDED, "folded"
    if inflected:
        score = round(score - PENALTY_INFLECTED, 4)
    return score, method


def mention_from_hit(hit: Hit, source: str, tables: TableSet, *, lang: str | None, fold_steps=None) -> Mention:  # noqa: ANN001
    span = source[hit.start:hit.end]
    name_part = span
    by_entity: dict[str, list[Alias]] = {}
    for a in hit.aliases:
        by_entity.setdefault(a.entity_id, []).append(a)

    def best_alias(aliases: list[Alias]) -> Alias:
        return max(aliases, key=lambda a: (a.text == name_part, lang is not None and a.lang == lang, -len(a.text)))

    pool = dict(by_entity)
    if len(pool) > 1:
        exact = {i: al for i, al in pool.items() if any(a.text == name_part for a in al)}
        if 0 < len(exact) < len(pool):
            pool = exact
    if len(pool) > 1 and lang:
        same = {i: al for i, al in pool.items() if any(a.lang == lang for a in al)}
        if 0 < len(same) < len(pool):
            pool = same
    candidates = []
    for eid, aliases in by_entity.items():
        ent = tables.entities[eid]
        a = best_alias(aliases)
        score, method = _match_score(name_part, a, hit.inflected)
        candidates.append(Candidate(eid, ent.name, ent.type, score, a.text, method))
    candidates.sort(key=lambda c: (-c.score, c.id))
    explain = None
    if fold_steps is not None:
        explain = Explanation(hit.entry.key, tuple(fold_steps(span)), hit.rules)
    if len(pool) == 1:
        eid = next(iter(pool))
        ent = tables.entities[eid]
        a = best_alias(pool[eid])
        score, method = _match_score(name_part, a, hit.inflected)
        return Mention(span, hit.start, hit.end, eid, ent.name, ent.type, score, method, a.text, a.lang,
                       hit.inflected, False, tuple(candidates) if len(candidates) > 1 else (), explain)
    top = candidates[0]
    return Mention(span, hit.start, hit.end, None, None, None, top.score / len(pool), top.method, top.alias,
                   "und", hit.inflected, True, tuple(c for c in candidates if c.id in pool), explain)
