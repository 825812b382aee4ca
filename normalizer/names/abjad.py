"""Abjad alignment: does a Latin spelling fit an Arabic-script word letter by letter?

Arabic script writes a name's consonants and its long vowels (ا و ي), and a vowel at either end of the word; a
Latin spelling of the same name adds only the short vowels in between.  So ``تركيا`` fits ``Türkiye`` (t-[ü]-r-k-i-y-e:
only the short ü and the glide y are left over), while ``ترك`` (*he left*: no final vowel written) and ``طريق``
(*road*: a long i between r and k) do not.  A consonant skeleton alone cannot tell these apart (all three are t-r-k);
this check is what lets a single Arabic word meet a Latin alias on its own.  The letter classes are data
(``abjad`` in ``data/variants.yaml``).

>>> from normalizer.names.keys import default_variants
>>> a = default_variants().abjad
>>> a.fits("تركيا", "turkiye"), a.fits("ترك", "turkiye"), a.fits("طريق", "turkiye")
(True, False, False)
>>> a.fits("داعش", "daesh"), a.fits("دش", "daesh"), a.fits("سوريا", "syria"), a.fits("انقره", "ankara")
(True, False, True, True)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rapidfuzz.distance import Indel

_ratio = Indel.normalized_similarity

# symbol kinds: ("C", class) consonant, ("V", classes) vowel letter, ("G", "") ayn/hamza, ("L", class) Latin glide


class Abjad:
    def __init__(self, data: dict[str, Any], arabic_consonants: dict[str, str], latin_rewrites: dict[str, str],
                 common_words: Callable[[], frozenset[str]] = frozenset) -> None:
        self.arabic_consonants = arabic_consonants
        self._common_words = common_words  # frequent ordinary words (folded), loaded on first use
        self.min_letters = int(data.get("min_letters", 4))
        self.min_consonants = int(data.get("min_consonants", 4))
        self.roman_similarity = float(data.get("roman_similarity", 1.01))
        self.roman_min_letters = int(data.get("roman_min_letters", 99))
        self._memo: dict[tuple[str, str], int | None] = {}  # (arabic, latin) -> unwritten vowels
        self.arabic_vowels: dict[str, str] = data["arabic_vowels"]  # letter -> Latin vowel classes it may stand for
        self.initial: dict[str, str] = data["initial"]  # letter at the start -> classes (alef: hamza + any vowel)
        self.final: dict[str, str] = data["final"]  # letter at the end -> classes (ي for alef maksura, ه for teh marbuta)
        self.glottal = frozenset(data["glottal"])  # ayn/hamza: a Latin vowel, an apostrophe, or nothing
        self.latin_vowels: dict[str, str] = data["latin_vowels"]  # Latin letter -> its class
        self.latin_glides: dict[str, str] = data["latin_glides"]  # y w v: the classes of Arabic vowel letters they meet
        self.leftover_glides = frozenset(data["leftover_glides"])
        self.vowel_y: dict[str, str] = data.get("vowel_y", {})  # y between consonants is a vowel: its classes
        # Latin letters that name one Arabic letter of their class only (q is ق, never ك): placeholder -> (class, letters)
        only: dict[str, str] = data.get("latin_only", {})
        self._only = {chr(0xE000 + i): (_consonant_class(k, latin_rewrites), v) for i, (k, v) in enumerate(only.items())}
        self._only_re = re.compile("|".join(map(re.escape, sorted(only, key=len, reverse=True)))) if only else None
        self._only_mark = {k: chr(0xE000 + i) for i, k in enumerate(only)}
        rew = {k: v for k, v in latin_rewrites.items() if k not in self.latin_vowels and k not in self.latin_glides
               and not set(k) & set(self.latin_vowels) - {"h"}}
        order = sorted(rew, key=len, reverse=True)
        self._rewrite_re = re.compile("|".join(map(re.escape, order))) if order else None
        self._rewrites = rew

    # -------------------------------------------------------------------------------------------- symbols
    def arabic_symbols(self, word: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        last = len(word) - 1
        for i, c in enumerate(word):
            if i == last and c in self.final:
                out.append(("V", self.final[c]))
            elif i == 0 and c in self.initial:
                out.append(("V", self.initial[c]))
            elif c in self.arabic_vowels:
                out.append(("V", self.arabic_vowels[c]))
            elif c in self.glottal:
                out.append(("G", ""))
            elif c in self.arabic_consonants:
                out.append(("C", f"{self.arabic_consonants[c]}:{c}"))
        return _dedupe(out)

    def latin_symbols(self, word: str) -> list[tuple[str, str]]:
        if self._only_re is not None:
            word = self._only_re.sub(lambda m: self._only_mark[m.group()], word)
        if self._rewrite_re is not None:
            word = self._rewrite_re.sub(lambda m: self._rewrites[m.group()], word)
        word = word.replace("sh", "S")  # as in Variants: the sh class after ch -> sh, sch -> sh
        out: list[tuple[str, str]] = []
        for i, c in enumerate(word):
            if c in self._only:
                out.append(("C", "{}:{}".format(*self._only[c])))
            elif c in self.latin_vowels:
                out.append(("V", self.latin_vowels[c]))
            elif c in self.vowel_y and _between_consonants(word, i, self.latin_vowels):
                out.append(("V", self.vowel_y[c]))  # y as a vowel (Syria), not a glide (Türkiye)
            elif c in self.latin_glides:
                out.append(("L", c))
            elif c.isalpha():
                out.append(("C", c))
        return _dedupe(out)

    # ------------------------------------------------------------------------------------------ alignment
    def fits(self, arabic: str, latin: str) -> bool:
        """Whether the folded Latin token ``latin`` spells the folded Arabic token ``arabic`` (see module doc)."""
        return self.unwritten(arabic, latin) is not None

    def unwritten(self, arabic: str, latin: str) -> int | None:
        """How many Latin vowels the Arabic spelling leaves unwritten at best (0: every Latin vowel is an Arabic
        letter, as سوريا for Syria), or None when the two do not fit."""
        key = (arabic, latin)
        got = self._memo.get(key, -1)
        if got != -1:
            return got
        la = self.latin_symbols(latin)
        bare = bare_arabic(arabic)  # the article dropped too, unless the Latin spelling keeps it (Albukamal)
        forms = [arabic, bare] if bare != arabic else [arabic]
        costs = [c for c in (self._align(self.arabic_symbols(f), la) for f in forms) if c is not None] if la else []
        got = min(costs) if costs else None
        if len(self._memo) > 50_000:
            self._memo.clear()  # (threads may race here: a lost entry is only recomputed)
        self._memo[key] = got
        return got

    def names(self, arabic: str, latin: str) -> bool:
        """Whether one Arabic word alone can name what the Latin word names: not a frequent ordinary word, and a full
        fit (no Latin vowel unwritten) of ``min_letters`` letters or a fit with ``min_consonants`` consonants.

        >>> from normalizer.names.keys import default_variants
        >>> a = default_variants().abjad
        >>> a.names("سوريا", "syria"), a.names("صوره", "syria"), a.names("لعبه", "libya")
        (True, False, False)
        """
        bare = bare_arabic(arabic)
        common = self._common_words()
        if arabic in common or bare in common:
            return False
        cost = self.unwritten(arabic, latin)
        if cost is None:
            return False
        symbols = self.arabic_symbols(bare)
        if cost == 0:
            return len(symbols) >= self.min_letters
        return sum(k == "C" for k, _ in symbols) >= self.min_consonants  # a long skeleton: Afghanistan

    def near(self, arabic_roman: str, latin_roman: str) -> bool:
        """Whether an Arabic word's romanised form (its consonant classes and the vowels it writes) is within
        ``roman_similarity`` of a Latin word's: a spelling taken from another language's form of the name.

        >>> from normalizer.names.keys import default_variants
        >>> v = default_variants()
        >>> v.abjad.near(v.token("اوكرانيا").roman, v.token("ukraine").roman)
        True
        """
        return len(arabic_roman) >= 3 and _ratio(arabic_roman, latin_roman) >= self.roman_similarity

    def names_near(self, arabic: str, arabic_roman: str, latin_roman: str) -> bool:
        """:meth:`names` for a word that is only :meth:`near` the Latin spelling: not an ordinary word, and
        ``roman_min_letters`` letters at least."""
        common = self._common_words()
        return (arabic not in common and bare_arabic(arabic) not in common
                and len(bare_arabic(arabic)) >= self.roman_min_letters and self.near(arabic_roman, latin_roman))

    def _pair(self, a: tuple[str, str], b: tuple[str, str]) -> bool:
        ka, va = a
        kb, vb = b
        if ka == "C":  # Arabic "class:letter"; Latin "class" or "class:letters it may stand for"
            if kb != "C":
                return False
            cls, _, letter = va.partition(":")
            lcls, _, letters = vb.partition(":")
            return cls == lcls and (not letters or letter in letters)
        if ka == "G":
            return kb == "V"
        if kb == "V":
            return bool(set(vb) & set(va))
        if kb == "L":
            return bool(set(self.latin_glides[vb]) & set(va))
        return False

    def _align(self, ar: list[tuple[str, str]], la: list[tuple[str, str]]) -> int | None:
        """The fewest Latin vowels and glides left over (unwritten in Arabic) over the alignments of the two symbol
        lists, or None when they do not align."""
        n, m = len(ar), len(la)
        best: dict[tuple[int, int, bool], int] = {(0, 0, False): 0}
        for i in range(n + 1):
            for j in range(m + 1):
                for left in (False, True):
                    cost = best.get((i, j, left))
                    if cost is None:
                        continue
                    nxt: list[tuple[tuple[int, int, bool], int]] = []
                    if i < n and j < m and self._pair(ar[i], la[j]):
                        nxt.append(((i + 1, j + 1, False), cost))
                    if i == n - 1 and ar[i][0] == "G":
                        nxt.append(((i + 1, j, left), cost))  # a final ayn/hamza unwritten in Latin (Sanaa)
                    if 0 < j < m - 1 and not left and self._leftover(la[j]):
                        nxt.append(((i, j + 1, True), cost + 1))  # a short vowel (or glide) Arabic omits
                    for key, c in nxt:
                        if c < best.get(key, 1 << 30):
                            best[key] = c
        ends = [c for k, c in best.items() if k[0] == n and k[1] == m]
        return min(ends) if ends else None

    def _leftover(self, sym: tuple[str, str]) -> bool:
        return sym[0] == "V" or (sym[0] == "L" and sym[1] in self.leftover_glides)


def bare_arabic(word: str) -> str:
    """An Arabic word without its article ال (a word of 3 letters or fewer keeps it)."""
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


def _consonant_class(latin: str, rewrites: dict[str, str]) -> str:
    """The consonant class of a Latin letter or digraph (kh -> h, q -> k), as the variant rewrites give it."""
    out = rewrites.get(latin, latin)
    return "S" if out in ("sh", "S") else rewrites.get(out, out)


def _between_consonants(word: str, i: int, vowels: dict[str, str]) -> bool:
    """Whether ``word[i]`` has no vowel on either side (the word's ends count as consonants after a letter)."""
    before = word[i - 1] if i else ""
    after = word[i + 1] if i + 1 < len(word) else ""
    return bool(before) and before not in vowels and after not in vowels


def _dedupe(syms: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Doubled consonants and glides count once (Raqqa = رقة, Tayyip = طيب: shadda is not written)."""
    out: list[tuple[str, str]] = []
    for s in syms:
        if not out or out[-1] != s or s[0] not in "CL":  # consonants and glides (Tayyip)
            out.append(s)
    return out
