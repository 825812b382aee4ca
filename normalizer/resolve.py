"""``Normalizer.resolve``: one name in, ranked candidates out — the same folding, variant keys and scoring as
``normalize``, for tools that have a name but no text.

Candidates come from the folded-alias dictionary (exact / folded) and from the fuzzy index
(:mod:`normalizer.names.fuzzy_index`, queried as :mod:`normalizer.names.fuzzy_search` describes): the query's words, their
deletion neighbours (typos) and their variant skeletons (spellings) propose aliases; the best are rescored with
rapidfuzz on the variant-folded forms and scored with features like the variant pass: an alias with the query's
whole variant key is a ``variant`` candidate (:func:`~normalizer.names.score.score_pair`), any other a ``fuzzy`` one
(:func:`fuzzy_score`).  Brute-force ``rapidfuzz.process.extractOne`` over every alias is the baseline this
replaces (``benchmarks/bench_resolve.py``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import fuzz

from .names.keys import TokenKey, key_of, roman_of
from .names.score import name_score
from .types import Alias, Candidate

if TYPE_CHECKING:
    from .pipeline import Normalizer

MAX_WORD_CHARS = 40  # ... and a query with a longer word (no name word is that long)
MAX_NAME_WORDS = 12  # a longer query is text, not a name: only exact and folded matches (it would cost ~50 ms)
RESCORE = 12  # index candidates (best by edit ratio of the folded forms) that get the full feature scoring
QUICK_MARGIN = 25  # ... unless this far (in fuzz.ratio points) behind the best
VARIANT_SPELLING = 0.7  # a variant candidate's score x (1 - this x (1 - edit similarity of the folded spellings))


def resolve_name(norm: Normalizer, name: str, *, limit: int = 5, lang: str | None = None) -> list[Candidate]:
    key = norm.folder.fold_key(name)
    if not key or limit <= 0:
        return []
    best: dict[str, tuple[float, Alias, str, dict[str, Any]]] = {}

    def offer(alias: Alias, score: float, method: str, feats: dict[str, Any]) -> None:
        cur = best.get(alias.entity_id)
        if cur is None or cur[0] < score or (cur[0] == score and cur[1].text != alias.text
                                             and fuzz.ratio(name, alias.text) > fuzz.ratio(name, cur[1].text)):
            best[alias.entity_id] = (score, alias, method, feats)

    entry = norm.matcher.entries.get(key)
    for a in entry.aliases if entry else ():
        exact = a.text == name.strip()
        offer(a, 1.0 if exact else 0.95, "exact" if exact else "folded", {"key_match": "folded", "key": key})
    variants = norm.variants
    columns = norm.matcher.alias_columns
    ids = columns.entity_ids

    def entity_of(i: int) -> str:
        return ids[columns.entity[i]]

    words = norm.folder.fold_key(variants.prepare(name)).split()
    if len(words) > MAX_NAME_WORDS or max(map(len, words)) > MAX_WORD_CHARS:
        # not a name but text (or a string of letters no name has): exact and folded only
        return _ranked(norm, best, limit, name=name, lang=lang)
    qtok = [variants.token(w, lang) for w in words]
    vkey = key_of(qtok)
    strong_key = len(vkey.replace(" ", "")) >= norm.thresholds.min_key_letters
    index = norm.fuzzy_index
    qstr = " ".join(words)
    qroman = roman_of(qtok)
    slots, weak = index.expand(words, qtok)
    found = index.top(slots, len(qstr), weak=weak)
    if any(t.script != "latin" for t in qtok if t.kind == "name"):  # another script: through romanised forms too
        slots, weak = index.expand(words, qtok, roman=True)
        found = found + index.top(slots, len(qroman), weak=weak)
    vocab = index.vocab
    n_alias = max(1, index.n_alias)

    def quick_of(toks: list[int]) -> float:
        folded = fuzz.ratio(qstr, " ".join([vocab[t] for t in toks]))
        return max(folded, fuzz.ratio(qroman, " ".join(index.romans(np.asarray(toks)))))

    quick = [quick_of(toks) for _, toks in found]
    weights: dict[str, float] = {}

    def rarity(t: TokenKey) -> float:
        """A word's weight: rarer in the tables weighs more (1 for a word of every alias, ~1 + ln N for a unique one)."""
        got = weights.get(t.text)
        if got is None:
            tid = index.token(t.text) if t.text else None
            got = weights[t.text] = 1.0 if tid is None else math.log((n_alias + 1) / (int(index.df[tid]) + 1)) + 1.0
        return got

    def known(t: TokenKey) -> bool:
        return bool(t.text) and index.token(t.text) is not None
    scored: dict[tuple[int, ...], tuple[str, float, dict[str, Any]]] = {}  # homonyms share their tokens' score
    top = max(quick, default=0.0)
    for rank, n in enumerate(sorted(range(len(found)), key=lambda n: -quick[n])):
        i, toks = found[n]
        same_key = strong_key and index.skeleton_key(toks) == vkey
        if (rank >= RESCORE or quick[n] < top - QUICK_MARGIN) and not (same_key and rank < 2 * RESCORE):
            continue  # far behind the closest spelling: cannot come first
        eid = entity_of(i)
        cur = best.get(eid)
        if cur is not None and cur[0] >= 0.95:
            continue
        got = scored.get(key := tuple(toks))
        if got is None:
            atok = [variants.token(vocab[t]) for t in toks]
            score, feats = name_score(qtok, atok, folded=quick[n] / 100, weight=rarity, known=known)
            if same_key:
                feats["key_match"] = "variant"
            got = scored[key] = ("variant" if same_key else "fuzzy", score, feats)
        offer(index.aliases[i], got[1], got[0], got[2])
    return _ranked(norm, best, limit, name=name, lang=lang)


def _ranked(norm: Normalizer, best: dict[str, tuple[float, Alias, str, dict[str, Any]]], limit: int, *,
            name: str = "", lang: str | None = None) -> list[Candidate]:
    floor = norm.thresholds.resolve_floor
    # equal scores: the alias spelled most like the query (Gulay Kiralp, not Gülay Kıralp, for "Gulay Kirhlp")
    ranked = sorted((v for v in best.values() if v[0] >= floor),
                    key=lambda v: (-v[0], -fuzz.ratio(name, v[1].text), v[1].entity_id))
    out = []
    for score, a, method, feats in ranked[:limit]:
        ent = norm.tables.entities[a.entity_id]
        if lang and a.lang == lang:
            feats = {**feats, "lang_match": True}
        out.append(Candidate(ent.id, ent.name, ent.type, score, a.text, method, feats))
    return out

