"""Affix rules and case tests for the matcher: fused suffixes, Arabic proclitics, alias case rules.

The rules are data (``data/affixes.yaml``); :class:`Affixes` folds them with the matcher's folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .fold import DATA_DIR, Folder


@dataclass(frozen=True)
class Affixes:
    suffixes_any: frozenset[str]
    suffixes_lang: dict[str, frozenset[str]]
    min_alias_length: int
    proclitic_re: re.Pattern[str]
    article: str

    @classmethod
    def load(cls, folder: Folder, path: Path | None = None) -> Affixes:
        data = yaml.safe_load((path or DATA_DIR / "affixes.yaml").read_text(encoding="utf-8"))
        suf = data["suffixes"]
        fk = folder.fold_key
        any_ = frozenset(fk(s) for lst in suf["any"].values() for s in lst)
        by_lang = {lang: frozenset(fk(s) for s in lst) | any_ for lang, lst in suf.get("lang", {}).items()}
        ar = data["proclitics"]["ar"]
        conj = "|".join(map(re.escape, map(fk, ar["conjunctions"])))
        prep = "|".join(map(re.escape, map(fk, ar["prepositions"])))
        art = fk(ar["article"])
        contr = "|".join(map(re.escape, map(fk, ar.get("contractions", {}))))
        pattern = f"^(?:{conj})?(?:(?:{prep})?(?:{re.escape(art)})?|(?:{contr}))$"
        return cls(any_, by_lang, int(suf["min_alias_length"]), re.compile(pattern), art)

    def suffixes(self, lang: str | None) -> frozenset[str]:
        return self.suffixes_lang.get(lang or "", self.suffixes_any)


def case_ok(rule: str, span: str, alias: str) -> bool:
    """Does ``span`` (as written in the text) satisfy the alias's case rule?

    >>> case_ok("upper", "MİT", "MIT"), case_ok("upper", "mit", "MIT"), case_ok("cased", "gül", "Gül")
    (True, False, False)
    """
    if rule == "any":
        return True
    if rule == "exact":
        return span == alias
    cased = [c for c in span if c.lower() != c.upper()]
    if rule == "upper":
        return bool(cased) and all(c.isupper() for c in cased)
    return any(c.isupper() for c in cased)  # "cased"


@lru_cache(maxsize=65536)
def case_flags(span: str) -> tuple[bool, bool]:
    """(some cased character is upper case, all cased characters are upper case and there is one): case_ok's tests.

    >>> case_flags("MİT"), case_flags("Gül"), case_flags("gül"), case_flags("123")
    ((True, True), (True, False), (False, False), (False, False))
    """
    if span.isascii():
        return span != span.lower(), span.isupper()
    cased = [c for c in span if c.lower() != c.upper()]
    return any(c.isupper() for c in cased), bool(cased) and all(c.isupper() for c in cased)


def shouting(source: str, start: int, end: int) -> bool:
    """A 1–2 letter capitals acronym inside all-capitals text (a headline) is a word, not an acronym."""
    before = source[max(0, start - 40):start].split()
    after = source[end:end + 40].split()
    words = [w for w in (before[-1:] + after[:1]) if any(c.isalpha() for c in w)]
    return len(words) == 2 and all(w.isupper() and sum(c.isalpha() for c in w) >= 2 for w in words)
