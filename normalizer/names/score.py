"""Scoring features for variant, context and fuzzy candidates.  Each feature is a small documented function that
returns a number in [0, 1]; :func:`combine` turns them into one score.  Deciding (thresholds) is elsewhere
(``decide.py`` with ``data/decide.yaml``)."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz

from .. import compiled
from .abjad import bare_arabic
from .keys import TokenKey, default_variants, key_of, roman_of


def edit_similarity(a: list[TokenKey], b: list[TokenKey]) -> float:
    """Indel similarity of the romanised forms (vowel classes merged); between Arabic-script names, of their letters
    (article dropped); across scripts, of the consonant keys.

    Across scripts only the consonant skeleton can be compared, so a short one is weak evidence: the similarity
    is capped by the number of consonants (2 -> 0.9, 3+ -> 1.0).
    """
    if all_arabic(a) and all_arabic(b):  # same script: the letters themselves, not just the skeletons
        return fuzz.ratio(_arabic_letters(a), _arabic_letters(b)) / 100
    ra, rb = roman_of(a), roman_of(b)
    if _cross_script(a, b) or not ra or not rb:
        ka, kb = key_of(a), key_of(b)
        letters = len(ka.replace(" ", ""))
        return fuzz.ratio(ka, kb) / 100 * min(1.0, 0.7 + 0.1 * letters)
    return fuzz.ratio(ra, rb) / 100


def same_script(a: list[TokenKey], b: list[TokenKey]) -> str | None:
    """The script every name token of both is written in, when that is one non-Latin script; else None."""
    scripts = {t.script for t in (*a, *b) if t.kind == "name"}
    return scripts.pop() if len(scripts) == 1 and "latin" not in scripts else None


def all_arabic(a: list[TokenKey]) -> bool:
    """Whether every name token is Arabic script (articles and particles aside)."""
    names = [t for t in a if t.kind == "name"]
    return bool(names) and all(t.arabic and t.text for t in names)


def _arabic_letters(a: list[TokenKey]) -> str:
    return " ".join(bare_arabic(t.text) for t in a if t.kind == "name")


def _cross_script(a: list[TokenKey], b: list[TokenKey]) -> bool:
    return any(t.arabic for t in a) or any(t.arabic for t in b)


def pair_similarity(x: TokenKey, y: TokenKey) -> float:
    """Similarity of two tokens: edit similarity of the romanised forms; across scripts, 1.0 when the Latin token
    spells the Arabic one letter by letter (abjad alignment, see abjad.py), else the skeletons' edit similarity."""
    if x.arabic != y.arabic and x.kind == y.kind == "name" and _abjad_fit(x, y):
        return 1.0
    if x.script == y.script != "latin" and x.text and y.text:  # same script: the letters themselves
        return fuzz.ratio(bare_arabic(x.text), bare_arabic(y.text)) / 100
    return fuzz.ratio(x.roman, y.roman) / 100


def _abjad_fit(x: TokenKey, y: TokenKey) -> bool:
    """Whether one token is Arabic script and the other, Latin, spells it letter by letter (abjad alignment)."""
    ar, la = (x, y) if x.arabic else (y, x)
    if not ar.arabic or la.arabic or not ar.text or not la.text:
        return False
    return default_variants().abjad.fits(ar.text, la.text)


def cross_script_fit(x: TokenKey, y: TokenKey) -> bool:
    """Whether one of the two tokens is Arabic script and the other, Latin, spells it (abjad alignment)."""
    ar, la = (x, y) if x.arabic else (y, x)
    if not ar.arabic or la.arabic or not ar.text or not la.text:
        return False
    abjad = default_variants().abjad
    return abjad.fits(ar.text, la.text) or abjad.near(ar.roman, la.roman)


def key_strength(a: list[TokenKey]) -> float:
    """How much a key collision says: consonants in the key, 6 or more is full strength."""
    return min(1.0, len(key_of(a).replace(" ", "")) / 6)


def token_overlap(a: list[TokenKey], b: list[TokenKey]) -> float:
    """Share of the alias's name tokens (particle markers included) whose key the candidate has too."""
    want = [t.key for t in b if t.kind != "article" and t.key]
    have = {t.key for t in a if t.kind != "article"}
    return sum(k in have for k in want) / len(want) if want else 0.0


def length_ratio(a: list[TokenKey], b: list[TokenKey]) -> float:
    """Shorter over longer romanised length (a surname against a full name is far below 1)."""
    if _cross_script(a, b):
        la, lb = len(key_of(a)), len(key_of(b))
    else:
        la, lb = len(roman_of(a) or key_of(a)), len(roman_of(b) or key_of(b))
    return min(la, lb) / max(la, lb) if la and lb else 0.0


def combine(features: dict[str, Any]) -> float:
    """One score in [0, 0.94], scaled rather than clipped so the order of strong candidates is kept (0.95 and
    above is kept for exact and folded alias matches)."""
    s = (0.5 + 0.3 * features["similarity"] + 0.15 * features["key_strength"] + 0.05 * features["token_overlap"]
         - 0.3 * max(0.0, 0.75 - features["length_ratio"]))
    return round(0.94 * max(0.0, min(1.0, s)), 4)


def score_pair(candidate: list[TokenKey], alias: list[TokenKey], key_match: str) -> tuple[float, dict[str, Any]]:
    """Score a candidate span (its token keys) against an alias; returns (score, features)."""
    _, afeats = align(candidate, alias)
    feats: dict[str, Any] = {
        "key_match": key_match,
        "similarity": round((edit_similarity(candidate, alias) + afeats["coverage_query"]) / 2, 4),
        "aligned": afeats["aligned"],
        "key_strength": round(key_strength(candidate), 4),
        "token_overlap": round(token_overlap(candidate, alias), 4),
        "length_ratio": round(length_ratio(candidate, alias), 4),
    }
    return combine(feats), feats


def fuzzy_score(query: list[TokenKey], alias: list[TokenKey], min_whole: float = 0.0,
                folded: float | None = None) -> tuple[float, dict[str, Any]]:
    """For a candidate no key matched: romanised edit similarity, whole and per token, times key strength.

    ``folded``: the edit similarity of the two folded spellings, when known (resolve()): it then stands for the
    whole-name similarity (a typo is nearer in spelling than in romanised form).  ``min_whole``: a whole-name
    similarity below it cannot make the score the caller needs (``0.9 * (min_whole + 1) / 2``, per-token
    similarity and key strength being at most 1), so the score is then 0.0, without the token alignment."""
    whole = fuzz.ratio(roman_of(query), roman_of(alias)) / 100
    if folded is None and whole < min_whole:
        return 0.0, {"key_match": "tokens", "similarity": round(whole, 4)}
    # both ways: a name missing a distinguishing word of the alias (Iraqi National ...) is not that alias
    _, afeats = align(query, alias)
    per_token = min(afeats["coverage_query"], afeats["coverage_alias"])
    strength = min(1.0, 0.4 + key_strength(query))
    feats = {"key_match": "tokens", "similarity": round(whole, 4), "token_similarity": round(per_token, 4),
             "aligned": afeats["aligned"],
             "token_overlap": round(token_overlap(query, alias), 4), "key_strength": round(strength - 0.4, 4)}
    if folded is None:
        return round(0.9 * (whole + per_token) / 2 * strength, 4), feats
    feats["folded_similarity"] = round(folded, 4)
    return round(0.9 * (0.75 * folded + 0.25 * per_token) * strength, 4), feats


PARTICLE_WEIGHT = 0.3  # Abu, bin, Umm weigh this much of a name word
QUERY_SHARE = 0.6  # the query's coverage counts more: what the user typed should be explained, an alias may say more
MIN_JOINED = 6  # a word that stands for two has this many letters at least (Abdulaziz, Binalshibh)
MIN_PAIR = 0.67  # two words less alike than this are not aligned


def align(query: list[TokenKey], alias: list[TokenKey], weight: Callable[[TokenKey], float] | None = None,
          known: Callable[[TokenKey], bool] | None = None) -> tuple[float, dict[str, Any]]:
    """Token-aligned similarity of two names, in any order and any script, in [0, 1].

    The name words of both (articles dropped) are paired, best pair first, one word with one word or one word
    with two adjacent words written as one (``ABDOULAZIZ`` ~ ``عبد العزيز``, ``Binalshibh`` ~ ``bin al-Shibh``);
    pairs less alike than :data:`MIN_PAIR` are left unpaired.  Each side's coverage is the weight of its paired
    words times their similarity over the weight of all its words, where a word weighs its rarity in the loaded
    tables (``weight``; ``known`` says whether a query word is a word of the tables, whose weight is then its
    own: rare surnames much, ``Muhammad`` and ``Abdul`` little) and a particle
    :data:`PARTICLE_WEIGHT`; the score weighs the two coverages (:data:`QUERY_SHARE`), so a name part more or fewer
    (``Sergey Kuzhugetovich Shoigu`` ~ ``Sergei Shoigu``) costs only that part's weight.  The details (aligned pairs
    with their similarity, both coverages) are returned for explain."""
    q = [t for t in query if t.kind != "article" and (t.roman or t.key)]
    a = [t for t in alias if t.kind != "article" and (t.roman or t.key)]
    if not q or not a:
        return 0.0, {"aligned": []}
    if len(q) == 1 and len(a) == 1:  # one word each (most windows): the pair is the alignment
        s = pair_similarity(q[0], a[0])
        s = s if s >= MIN_PAIR else 0.0
        return s, {"aligned": [{"query": q[0].text or q[0].roman, "alias": a[0].text or a[0].roman,
                                "similarity": round(s, 3)}] if s else [],
                   "coverage_query": round(s, 4), "coverage_alias": round(s, 4)}
    wt = weight or (lambda t: 1.0)
    if compiled.USE and compiled.align is not None:  # normalizer/_align.pyx: the same steps in C
        pairs, cov_q, cov_a = compiled.align.coverage(q, a, wt, known, pair_similarity, fuzz.ratio, PARTICLE_WEIGHT,
                                                      MIN_PAIR, MIN_JOINED)
    else:
        pairs, cov_q, cov_a = _coverage(q, a, wt, known)
    feats = {"aligned": [{"query": " ".join(q[i].text or q[i].roman for i in qi),
                          "alias": " ".join(a[j].text or a[j].roman for j in aj), "similarity": round(s, 3)}
                         for s, qi, aj in pairs],
             "coverage_query": round(cov_q, 4), "coverage_alias": round(cov_a, 4)}
    return QUERY_SHARE * cov_q + (1 - QUERY_SHARE) * cov_a, feats


def _coverage(q: list[TokenKey], a: list[TokenKey], wt: Callable[[TokenKey], float],
              known: Callable[[TokenKey], bool] | None) -> tuple[list[tuple[float, tuple[int, ...], tuple[int, ...]]],
                                                                 float, float]:
    """:func:`align`'s word pairs (similarity, query words, alias words) and both coverages (the reference of the
    compiled ``normalizer/_align.pyx``)."""
    wa = [wt(t) * (PARTICLE_WEIGHT if t.kind == "particle" else 1.0) for t in a]
    # the pairs alike enough (MIN_PAIR), word with word first, then words written as one; best first (a stable
    # sort: among equals, word with word first)
    options: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []
    for i, x in enumerate(q):
        for j, y in enumerate(a):
            s = pair_similarity(x, y)
            if s >= MIN_PAIR:
                options.append((s, (i,), (j,)))
    ratio = fuzz.ratio
    for i in range(len(q) - 1):  # two query words written as one (long) alias word, and the reverse
        joined = _joined(q[i], q[i + 1])
        for j, y in enumerate(a):
            if len(y.roman) >= MIN_JOINED and (s := ratio(joined, y.roman) / 100) >= MIN_PAIR:
                options.append((s, (i, i + 1), (j,)))
    for j in range(len(a) - 1):
        joined = _joined(a[j], a[j + 1])
        for i, x in enumerate(q):
            if len(x.roman) >= MIN_JOINED and (s := ratio(x.roman, joined) / 100) >= MIN_PAIR:
                options.append((s, (i,), (j, j + 1)))
    options.sort(key=itemgetter(0), reverse=True)
    used_q: set[int] = set()
    used_a: set[int] = set()
    pairs = []
    for s, qi, aj in options:
        if not used_q.isdisjoint(qi) or not used_a.isdisjoint(aj):
            continue
        used_q.update(qi)
        used_a.update(aj)
        pairs.append((s, qi, aj))
    paired_wa = {j: s for s, _, aj in pairs for j in aj}
    cov_a = sum(wa[j] * s for j, s in paired_wa.items()) / sum(wa)
    # a query word weighs its own rarity when the tables know the word; else (another script, a misspelling) what
    # the alias word it pairs with weighs; an unpaired one, the alias's mean word
    mean_a = sum(wa) / len(wa)
    own = [wt(t) if known is None or known(t) else None for t in q]
    wq = [(mean_a if w is None else w) * (PARTICLE_WEIGHT if t.kind == "particle" else 1.0) for t, w in zip(q, own, strict=False)]
    got_q = 0.0
    for s, qi, aj in pairs:
        w = sum(wa[j] for j in aj) / len(aj)
        for i in qi:
            if own[i] is None:
                wq[i] = w * (PARTICLE_WEIGHT if q[i].kind == "particle" else 1.0)
            got_q += wq[i] * s
    cov_q = got_q / sum(wq)
    return pairs, cov_q, cov_a


def _joined(x: TokenKey, y: TokenKey) -> str:
    return x.roman + y.roman


def name_score(query: list[TokenKey], alias: list[TokenKey], *, folded: float | None = None,
               weight: Callable[[TokenKey], float] | None = None,
               known: Callable[[TokenKey], bool] | None = None) -> tuple[float, dict[str, Any]]:
    """One name against one alias, for ``resolve()``: the token alignment (:func:`align`) and the edit similarity
    of the whole romanised names (``folded``: of the folded spellings, when the two share a script: a typo is
    nearer in spelling than in romanised form), scaled by how much the query's key says (a short name is weak
    evidence).  In [0, 0.94]: 0.95 and above is for exact and folded alias matches."""
    aligned, feats = align(query, alias, weight, known)
    whole = fuzz.ratio(roman_of(query), roman_of(alias)) / 100
    if folded is not None:
        whole = max(whole, folded)
    strength = min(1.0, 0.4 + key_strength(query))
    feats.update({"key_match": "tokens", "similarity": round(whole, 4), "alignment": round(aligned, 4),
                  "key_strength": round(strength - 0.4, 4), "script": _script_pair(query, alias)})
    return round(0.94 * (0.55 * aligned + 0.45 * whole) * strength, 4), feats


def _script_pair(a: list[TokenKey], b: list[TokenKey]) -> str:
    sa = sorted({t.script for t in a if t.kind == "name"})
    sb = sorted({t.script for t in b if t.kind == "name"})
    return "+".join(sa) if sa == sb else f"{'+'.join(sa)}/{'+'.join(sb)}"
