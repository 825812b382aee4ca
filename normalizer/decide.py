"""Decisions: which hits become mentions (no overlaps) and which entity each mention names.

Scoring says how good the evidence is; this module decides.  Rules, in order:

* overlapping hits: the longer span wins, then the higher score, then the earlier start;
* one entity behind the matched key: that entity;
* several entities: an alias spelled exactly as in the text, then one in the caller's language, narrows the
  set; what is still tied is reported as ambiguous (``id=None``) with the candidates, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from typing import Any

import yaml

from . import compiled
from .fold import DATA_DIR, Folded
from .scan import Hit, Row, Scanner
from .types import Candidate, Explanation, Mention, new_candidate, new_mention

SCORE_EXACT = 1.0
SCORE_FOLDED = 0.95
SCORE_DERIVED = 0.9  # an acronym derived from a multi-word name (Islamic State -> IS)
PENALTY_INFLECTED = 0.05
DERIVED = "derived:"
_START = itemgetter(0)
_RANK = itemgetter(0, 1)  # candidates: best score first, then by id


class Thresholds:
    """Decision thresholds from ``data/decide.yaml``: per entity type, single- vs multi-token candidates."""

    def __init__(self, path: Path | None = None) -> None:
        data = yaml.safe_load((path or DATA_DIR / "decide.yaml").read_text(encoding="utf-8"))
        self.default = data["default"]
        self.types: dict[str, dict[str, float]] = data.get("types", {})
        self.margin = float(data.get("ambiguity_margin", 0.03))
        self.min_key_letters = int(data.get("min_key_letters", 2))
        self.resolve_floor = float(data.get("resolve_floor", 0.5))
        self.same_script_similarity: dict[str, float] = {
            k: float(v) for k, v in (data.get("same_script_similarity") or {}).items()}

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
    """Half-open spans with overlap tests, kept as an occupancy map of text positions (grown as needed): a test
    or an addition costs the length of its span, whatever the number of spans and the order they come in (a
    sorted list with ``insert`` cost O(n) per span, O(n^2) for a long text with many mentions).

    >>> t = Taken([(0, 3), (10, 12)])
    >>> t.overlaps(2, 5), t.overlaps(3, 10), t.overlaps(11, 20), t.overlaps(1, 1), t.overlaps(3, 3)
    (True, False, True, True, False)
    >>> list(t)
    [(0, 3), (10, 12)]
    """

    __slots__ = ("_occupied", "_spans")

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._spans = [(s, e) for s, e in spans if e > s]
        occ = self._occupied = bytearray(max([e for _, e in self._spans], default=0))
        for s, e in self._spans:
            if s < 0:
                s = 0
            occ[s:e] = b"\x01" * (e - s)

    @property
    def occupancy(self) -> bytearray:
        """The map itself: 1 at each position a span covers (read-only use: the compiled ``spans.runs``)."""
        return self._occupied

    def overlaps(self, start: int, end: int) -> bool:
        """Does ``[start, end)`` share a position with a span (an empty span: does one cover ``start``)?"""
        occ = self._occupied
        if end <= start:
            return 0 <= start < len(occ) and occ[start] == 1
        return occ.find(1, start if start > 0 else 0, end) != -1

    def add(self, start: int, end: int) -> None:
        if end <= start:
            return
        occ = self._occupied
        if end > len(occ):
            occ.extend(bytes(max(end, 2 * len(occ)) - len(occ)))
        self._spans.append((start, end))
        if start < 0:
            start = 0
        occ[start:end] = b"\x01" * (end - start)

    def __iter__(self):  # noqa: ANN204
        return iter(sorted(self._spans))


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


def select_hits(hits: list[Hit]) -> list[Hit]:
    """``non_overlapping(hits, key=lambda h: (-(h.end - h.start), h.start))``, with no sorting by length or span
    bookkeeping when the hits are already disjoint (the usual case: leftmost-longest matching)."""
    ordered = sorted(hits, key=_START) if len(hits) > 1 else hits
    last = -1
    for h in ordered:
        if h[0] < last or h[1] <= h[0]:
            return non_overlapping(hits, key=lambda h: (-(h.end - h.start), h.start))
        last = h[1]
    return ordered


def _match_score(span: str, text: str, derived: bool, inflected: bool) -> tuple[float, str]:
    if derived:
        score, method = SCORE_DERIVED, "variant"
    elif span == text:
        score, method = SCORE_EXACT, "exact"
    else:
        score, method = SCORE_FOLDED, "folded"
    if inflected:
        score = round(score - PENALTY_INFLECTED, 4)
    return score, method


def mention_from_hit(hit: Hit, source: str, *, lang: str | None, fold_steps=None) -> Mention:  # noqa: ANN001
    """The mention a hit makes: one entity when the hit's aliases (or the exactly spelled / same-language ones
    among them) name one, else an ambiguous mention with the candidates."""
    start, end, rows, rules, inflected = hit[0], hit[1], hit[2], hit[3], hit[4]
    span = source[start:end]
    explain = None if fold_steps is None else Explanation(hit[6], tuple(fold_steps(span)), rules)
    if len(rows) == 1:
        a = rows[0]
    else:
        eid = rows[0][4][0]
        for r in rows:
            if r[4][0] != eid:
                return _decide(span, start, end, rows, inflected, lang, explain)
        a = max(rows, key=lambda a: (a[0] == span, lang is not None and a[2] == lang, -len(a[0])))
    text, _, alang, derived, (eid, canonical, etype) = a
    score, method = _match_score(span, text, derived, inflected)
    return new_mention(span, start, end, eid, canonical, etype, score, method, text, alang, inflected, False, (),
                       explain)


def mentions_from_hits(hits: list[Hit], source: str, *, lang: str | None, fold_steps=None) -> list[Mention]:  # noqa: ANN001
    """``[mention_from_hit(h, source, lang=lang, fold_steps=fold_steps) for h in select_hits(hits)]``, one call
    into the compiled scan module for the whole list when it is built (normalizer/_scan.pyx)."""
    hits = select_hits(hits)
    if compiled.USE:
        return _maker().mentions(hits, source, lang, fold_steps)
    return [mention_from_hit(h, source, lang=lang, fold_steps=fold_steps) for h in hits]


def core_mentions(matcher: Scanner, folded: Folded, *, lang: str | None, fold_steps=None,  # noqa: ANN001
                  borrowed: dict[str, frozenset[str]] | None = None
                  ) -> tuple[list[Mention], list[int] | None, list[int] | None]:
    """``(mentions_from_hits(matcher.find(folded, lang), folded.source, ...), inflected, named)``: ``inflected``
    indexes the mentions that may be inflected forms (the only ones ``inflect.restore_inflected`` can change),
    ``named`` those that may name an entity with one of its borrowed aliases (``borrowed``: entity id -> those
    alias texts; the only ones ``kb.borrowed_checks`` looks at); None: every mention.  The compiled path makes the
    hits and their mentions in one call and tells per hit; the Python reference says None (both steps see all)."""
    if compiled.USE:
        return compiled.scan.core(matcher, folded, lang, fold_steps, borrowed, _MAKER[0] if _MAKER else _maker())
    hits = matcher.find(folded, lang)
    return mentions_from_hits(hits, folded.source, lang=lang, fold_steps=fold_steps), None, None


_MAKER: list = []


def _maker():  # noqa: ANN202
    """The compiled mention maker, with this module's scores and ranking (built once)."""
    if not _MAKER:
        scores = [_match_score("a", "a" if exact else "b", bool(derived), bool(inflected))
                  for derived in (0, 1) for exact in (0, 1) for inflected in (0, 1)]
        fields = ("text", "start", "end", "id", "canonical", "type", "score", "method", "alias", "lang",
                  "inflected", "ambiguous", "candidates", "explain")
        cfields = ("id", "canonical", "type", "score", "alias", "method", "features")
        _MAKER.append(compiled.scan.MentionMaker(Mention, fields, new_mention, Explanation, scores, Candidate,
                                                 cfields, new_candidate, _RANK))
    return _MAKER[0]


def _decide(span: str, start: int, end: int, rows: tuple[Row, ...], inflected: bool, lang: str | None,
            explain: Explanation | None) -> Mention:
    """Several entities behind the hit's aliases: narrow by exact spelling, then language; else ambiguous."""
    by_entity: dict[str, list[Row]] = {}
    for r in rows:
        group = by_entity.get(r[4][0])
        if group is None:
            by_entity[r[4][0]] = [r]
        else:
            group.append(r)
    pool = by_entity
    if len(pool) > 1:
        exact = [i for i, al in pool.items() if any(a[0] == span for a in al)]
        if 0 < len(exact) < len(pool):
            pool = {i: pool[i] for i in exact}
    if len(pool) > 1 and lang:
        same = [i for i, al in pool.items() if any(a[2] == lang for a in al)]
        if 0 < len(same) < len(pool):
            pool = {i: pool[i] for i in same}
    candidates = []
    best: dict[str, Row] = {}
    for eid, aliases in by_entity.items():
        a = best[eid] = aliases[0] if len(aliases) == 1 else max(
            aliases, key=lambda a: (a[0] == span, lang is not None and a[2] == lang, -len(a[0])))
        score, method = _match_score(span, a[0], a[3], inflected)
        candidates.append((-score, eid, new_candidate(eid, a[4][1], a[4][2], score, a[0], method)))
    candidates.sort(key=_RANK)
    ranked = [c[2] for c in candidates]
    if len(pool) == 1:
        eid = next(iter(pool))
        a = best[eid]
        score, method = _match_score(span, a[0], a[3], inflected)
        return new_mention(span, start, end, eid, a[4][1], a[4][2], score, method, a[0], a[2], inflected,
                           False, tuple(ranked) if len(ranked) > 1 else (), explain)
    top = ranked[0]
    return new_mention(span, start, end, None, None, None, top.score / len(pool), top.method, top.alias, "und",
                       inflected, True, tuple(c for c in ranked if c.id in pool), explain)
