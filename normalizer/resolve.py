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
    from .names.fuzzy_index import FuzzyIndex
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
    columns = norm.matcher.alias_columns
    ids, texts = columns.entity_ids, columns.text
    # an index candidate is kept as its alias number (the Alias is built for the ones returned)
    best: dict[str, tuple[float, Alias | int, str, dict[str, Any]]] = {}

    def text_of(a: Alias | int) -> str:
        return texts[a] if isinstance(a, int) else a.text

    def offer(alias: Alias | int, eid: str, score: float, method: str, feats: dict[str, Any]) -> None:
        cur = best.get(eid)
        if cur is None or cur[0] < score or (cur[0] == score and text_of(cur[1]) != text_of(alias)
                                             and fuzz.ratio(name, text_of(alias)) > fuzz.ratio(name, text_of(cur[1]))):
            best[eid] = (score, alias, method, feats)

    entry = norm.matcher.entries.get(key)
    for a in entry.aliases if entry else ():
        exact = a.text == name.strip()
        offer(a, a.entity_id, 1.0 if exact else 0.95, "exact" if exact else "folded", {"key_match": "folded", "key": key})
    variants = norm.variants
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
    quick = _quick(index, found, qstr, qroman)
    keys = [tuple(toks) for _, toks in found]
    weights: dict[str, float] = {}
    # a word's token number: the candidates' words are tokens of known number, others are looked up once
    token_of: dict[str, int | None] = {vocab[t]: t for _, toks in found for t in toks}

    def token(text: str) -> int | None:
        got = token_of.get(text, -1)
        if got == -1:
            got = token_of[text] = index.token(text) if text else None
        return got

    def rarity(t: TokenKey) -> float:
        """A word's weight: rarer in the tables weighs more, (1 + ln(N / df))² (a unique word of N aliases weighs
        ~(1 + ln N)², a word of every alias 1): a rare surname says much more than Muhammad or Abdul."""
        got = weights.get(t.text)
        if got is None:
            tid = token(t.text)
            got = weights[t.text] = 1.0 if tid is None else (math.log((n_alias + 1) / (int(index.df[tid]) + 1)) + 1.0) ** 2
        return got

    def known(t: TokenKey) -> bool:
        return bool(t.text) and token(t.text) is not None

    scored: dict[tuple[int, ...], tuple[str, float, dict[str, Any]]] = {}  # homonyms share their score
    same_keys: dict[tuple[int, ...], bool] = {}
    top = max(quick, default=0.0)
    for rank, n in enumerate(sorted(range(len(found)), key=lambda n: -quick[n])):
        i, toks = found[n]
        k = keys[n]
        far = rank >= RESCORE or quick[n] < top - QUICK_MARGIN
        if far and rank >= 2 * RESCORE:
            continue
        same_key = same_keys.get(k)
        if same_key is None:
            same_key = same_keys[k] = strong_key and index.skeleton_key(toks) == vkey
        if far and not same_key:
            continue  # far behind the closest spelling: cannot come first
        eid = ids[columns.entity[i]]
        cur = best.get(eid)
        if cur is not None and cur[0] >= 0.95:
            continue
        if k in scored:
            got = scored[k]
        else:
            atok = [variants.token(vocab[t]) for t in toks]
            score, feats = name_score(qtok, atok, folded=quick[n] / 100, weight=rarity, known=known)
            if same_key:
                feats["key_match"] = "variant"
            got = scored[k] = ("variant" if same_key else "fuzzy", score, feats)
        offer(i, eid, got[1], got[0], got[2])
    return _ranked(norm, best, limit, name=name, lang=lang)


def _ranked(norm: Normalizer, best: dict[str, tuple[float, Alias | int, str, dict[str, Any]]], limit: int, *,
            name: str = "", lang: str | None = None) -> list[Candidate]:
    floor = norm.thresholds.resolve_floor
    texts = norm.matcher.alias_columns.text
    # equal scores: the alias spelled most like the query (Gulay Kiralp, not Gülay Kıralp, for "Gulay Kirhlp")
    ranked = sorted(((eid, v) for eid, v in best.items() if v[0] >= floor),
                    key=lambda e: (-e[1][0], -fuzz.ratio(name, texts[e[1][1]] if isinstance(e[1][1], int)
                                                         else e[1][1].text), e[0]))
    entities = norm.tables.entities
    name_and_type = getattr(entities, "name_and_type", None)  # compact tables: without building the Entity
    out = []
    for eid, (score, ref, method, feats) in ranked[:limit]:
        a = norm.fuzzy_index.aliases[ref] if isinstance(ref, int) else ref
        if name_and_type is not None:
            ent_name, ent_type = name_and_type(eid)
        else:
            ent = entities[eid]
            ent_name, ent_type = ent.name, ent.type
        if lang and a.lang == lang:
            feats = {**feats, "lang_match": True}
        out.append(Candidate(eid, ent_name, ent_type, score, a.text, method, feats))
    return out


def _quick(index: FuzzyIndex, found: list[tuple[int, list[int]]], qstr: str, qroman: str) -> list[float]:
    """Each found alias's edit ratio with the query: the better of its folded and its romanised spelling's."""
    if not found:
        return []
    vocab = index.vocab
    romans = index.romans(np.fromiter((t for _, toks in found for t in toks), np.int64))
    folded, roman, at = [], [], 0
    for _, toks in found:
        folded.append(" ".join([vocab[t] for t in toks]))
        roman.append(" ".join(romans[at:at + len(toks)]))
        at += len(toks)
    ratio = fuzz.ratio
    return [max(ratio(qstr, f), ratio(qroman, r)) for f, r in zip(folded, roman, strict=True)]
