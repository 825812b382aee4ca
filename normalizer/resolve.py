"""``Normalizer.resolve``: one name in, ranked candidates out — the same folding, variant keys and scoring as
``normalize``, for tools that have a name but no text.

Candidates come from three places, cheapest first: the folded-alias dictionary (exact / folded), the variant-key
dictionary (variant), and a token index — each alias's variant token keys and their one-deletion neighbours,
SymSpell-style — whose hits are rescored with rapidfuzz on the romanised forms (fuzzy).  Brute-force
``rapidfuzz.process.extractOne`` over every alias is the baseline this replaces (see benchmarks/).
"""

from __future__ import annotations

from array import array
from collections import Counter
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from .scoring import key_strength, score_pair, token_overlap, token_similarity
from .types import Alias, Candidate
from .variants import TokenKey, roman_of

if TYPE_CHECKING:
    from .pipeline import Normalizer

MAX_POSTINGS = 20_000  # a token key this common (a bare "Abu") is skipped as a candidate source
TOP_FUZZY = 40


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))} if len(key) >= 3 else set()


class TokenIndex:
    """Variant token key (and its one-deletion forms) -> aliases containing it."""

    def __init__(self, aliases: list[Alias], tokens_of) -> None:  # noqa: ANN001
        self.aliases = aliases
        post: dict[str, array] = {}
        for i, alias in enumerate(aliases):
            seen: set[str] = set()
            for t in tokens_of(alias.text):
                if t.kind != "name" or not t.key:
                    continue
                for k in {t.key} | _deletions(t.key):
                    if k not in seen:
                        seen.add(k)
                        post.setdefault(k, array("i")).append(i)
        self.postings = post

    def candidates(self, tokens: list[TokenKey], limit: int) -> list[int]:
        counts: Counter[int] = Counter()
        for t in tokens:
            if t.kind != "name" or not t.key:
                continue
            hit: set[int] = set()
            for k in {t.key} | _deletions(t.key):
                ids = self.postings.get(k)
                if ids is not None and len(ids) <= MAX_POSTINGS:
                    hit.update(ids)
            counts.update(hit)
        return [i for i, _ in counts.most_common(limit)]


def fuzzy_score(query: list[TokenKey], alias: list[TokenKey], min_whole: float = 0.0) -> tuple[float, dict[str, Any]]:
    """For a candidate no key matched: romanised edit similarity, whole and per token, times key strength."""
    whole = fuzz.ratio(roman_of(query), roman_of(alias)) / 100
    # both ways: a name missing a distinguishing word of the alias (Iraqi National ...) is not that alias
    per_token = min(token_similarity(query, alias), token_similarity(alias, query))
    strength = key_strength(query)
    feats = {"key_match": "tokens", "similarity": round(whole, 4), "token_similarity": round(per_token, 4),
             "token_overlap": round(token_overlap(query, alias), 4), "key_strength": round(strength, 4)}
    return round(0.9 * (whole + per_token) / 2 * min(1.0, 0.4 + strength), 4), feats


def resolve_name(norm: Normalizer, name: str, *, limit: int = 5, lang: str | None = None) -> list[Candidate]:
    key = norm.folder.fold_key(name)
    if not key or limit <= 0:
        return []
    best: dict[str, Candidate] = {}

    def offer(alias: Alias, score: float, method: str, feats: dict[str, Any]) -> None:
        if lang and alias.lang == lang:
            feats = {**feats, "lang_match": True}
        cur = best.get(alias.entity_id)
        if cur is None or cur.score < score:
            ent = norm.tables.entities[alias.entity_id]
            best[alias.entity_id] = Candidate(ent.id, ent.name, ent.type, score, alias.text, method, feats)

    entry = norm.matcher.entries.get(key)
    for a in entry.aliases if entry else ():
        exact = a.text == name.strip()
        offer(a, 1.0 if exact else 0.95, "exact" if exact else "folded", {"key_match": "folded", "key": key})
    index = norm.variant_index
    qtok = norm.variants.tokens(name)
    vkey = " ".join(t.key for t in qtok if t.kind != "article" and t.key)
    for a in index.by_key.get(vkey, ()):
        if a.entity_id not in best or best[a.entity_id].score < 0.95:
            score, feats = score_pair(qtok, index.alias_tokens(a), "variant")
            offer(a, score, "variant", feats)
    tindex = index.token_index()
    for i in tindex.candidates(qtok, TOP_FUZZY):
        a = tindex.aliases[i]
        if a.entity_id in best and best[a.entity_id].method != "fuzzy":
            continue
        score, feats = fuzzy_score(qtok, index.alias_tokens(a))
        offer(a, score, "fuzzy", feats)
    floor = norm.thresholds.resolve_floor
    ranked = sorted((c for c in best.values() if c.score >= floor), key=lambda c: (-c.score, c.id))
    return ranked[:limit]
