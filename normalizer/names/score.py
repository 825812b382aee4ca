"""Scoring features for variant, context and fuzzy candidates.  Each feature is a small documented function that
returns a number in [0, 1]; :func:`combine` turns them into one score.  Deciding (thresholds) is elsewhere
(``decide.py`` with ``data/decide.yaml``)."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

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


def token_similarity(a: list[TokenKey], b: list[TokenKey]) -> float:
    """Mean, over the candidate's name tokens, of the best similarity to any alias token (romanised forms):
    ``Hüseyin`` against ``Hussein`` scores high, against ``Hasan`` low, even when the whole names look alike."""
    cand = [t for t in a if t.kind != "article" and t.roman]
    ali = [t for t in b if t.kind != "article" and t.roman]
    if not cand or not ali:
        return 0.0
    return sum(max(pair_similarity(x, y) for y in ali) for x in cand) / len(cand)


def pair_similarity(x: TokenKey, y: TokenKey) -> float:
    """Similarity of two tokens: edit similarity of the romanised forms; across scripts, 1.0 when the Latin token
    spells the Arabic one letter by letter (abjad alignment, see abjad.py), else the skeletons' edit similarity."""
    if x.arabic != y.arabic and x.kind == y.kind == "name" and cross_script_fit(x, y):
        return 1.0
    if x.script == y.script != "latin" and x.text and y.text:  # same script: the letters themselves
        return fuzz.ratio(bare_arabic(x.text), bare_arabic(y.text)) / 100
    return fuzz.ratio(x.roman, y.roman) / 100


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
    feats: dict[str, Any] = {
        "key_match": key_match,
        "similarity": round((edit_similarity(candidate, alias) + token_similarity(candidate, alias)) / 2, 4),
        "key_strength": round(key_strength(candidate), 4),
        "token_overlap": round(token_overlap(candidate, alias), 4),
        "length_ratio": round(length_ratio(candidate, alias), 4),
    }
    return combine(feats), feats


def fuzzy_score(query: list[TokenKey], alias: list[TokenKey], min_whole: float = 0.0,
                folded: float | None = None) -> tuple[float, dict[str, Any]]:
    """For a candidate no key matched: romanised edit similarity, whole and per token, times key strength.

    ``folded``: the edit similarity of the two folded spellings, when known (resolve()): it then stands for the
    whole-name similarity (a typo is nearer in spelling than in romanised form)."""
    whole = fuzz.ratio(roman_of(query), roman_of(alias)) / 100
    # both ways: a name missing a distinguishing word of the alias (Iraqi National ...) is not that alias
    per_token = min(token_similarity(query, alias), token_similarity(alias, query))
    strength = min(1.0, 0.4 + key_strength(query))
    feats = {"key_match": "tokens", "similarity": round(whole, 4), "token_similarity": round(per_token, 4),
             "token_overlap": round(token_overlap(query, alias), 4), "key_strength": round(strength - 0.4, 4)}
    if folded is None:
        return round(0.9 * (whole + per_token) / 2 * strength, 4), feats
    feats["folded_similarity"] = round(folded, 4)
    return round(0.9 * (0.75 * folded + 0.25 * per_token) * strength, 4), feats
