"""Transliteration-variant keys (rules in ``data/variants.yaml``).

>>> v = default_variants()
>>> v.key("Ebu Hüseyin el-Kureyşi") == v.key("Abu Hussein al-Qurashi") == v.key("أبو حسين القرشي")
True
>>> v.key("DEAŞ") == v.key("Daesh") == v.key("Daech") == v.key("داعش")
True
>>> v.key("Dschindires") == v.key("Cenderes") == v.key("Jindires")
True
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from ..fold import DATA_DIR, Folder, default_folder
from .abjad import Abjad, bare_arabic
from .translit import Translit

_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class TokenKey:
    """The variant form of one token: ``kind`` is "name", "particle" (key = marker) or "article"."""

    key: str
    kind: str
    roman: str  # romanised (rewrites applied, vowels kept) - what edit similarity is computed on
    arabic: bool = False  # Arabic script: roman has only the vowels Arabic writes (long ones)
    text: str = field(default="", compare=False)  # the folded token it was made from (for the abjad alignment)
    script: str = field(default="latin", compare=False)  # the script it is written in (translit.Translit.script)
    # the token less a case ending, each way it may be read (Бахмута -> Бахмут; Νιγηρίας -> Νιγηρί, Νιγηρία)
    stems: tuple[TokenKey, ...] = field(default=(), compare=False)


class Variants:
    def __init__(self, folder: Folder, path: Path | None = None) -> None:
        self.path = path or DATA_DIR / "variants.yaml"
        data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        self.version = f"{data.get('version', 0)}"
        self.folder = folder
        self._before = str.maketrans({k: v for k, v in data["before_fold"].items()})
        self.particles = {folder.fold_key(w): marker for marker, ws in data["particles"].items() for w in ws}
        self.articles = frozenset(folder.fold_key(w) for w in data["articles"])
        self.free_articles = frozenset(folder.fold_key(w) for w in data.get("free_articles", data["articles"]))
        self.adjective_endings = tuple(sorted({folder.fold_key(w) for w in data.get("adjective_endings", ())}))
        rew = data["rewrites"]
        order = sorted(rew, key=len, reverse=True)
        self._rewrite_re = re.compile("|".join(map(re.escape, order)))
        self._rewrites = rew
        self.vowels = frozenset(data["vowels"])
        self._vclass = str.maketrans(data.get("vowel_classes") or {})
        self.arabic = {folder.fold_key(k) or k: v for k, v in data["arabic"].items()}
        self.drop_final_h = bool(data.get("drop_final_h", True))
        self._common_path = DATA_DIR / data["common_words"] if data.get("common_words") else None
        self._common: frozenset[str] | None = None
        self.abjad = Abjad(data["abjad"], self.arabic, rew, lambda: self.common_words)
        self.translit = Translit(data, folder.fold_key)
        ab = data["abjad"]
        self._ar_vowels = {k: v[0] for k, v in ab["arabic_vowels"].items()}
        self._ar_final = {k: v[0] for k, v in ab["final"].items()}
        self._ar_digraphs: dict[str, str] = data.get("arabic_digraphs") or {}
        self._ar_digraph_re = re.compile("|".join(map(re.escape, self._ar_digraphs))) if self._ar_digraphs else None

    @property
    def common_words(self) -> frozenset[str]:
        """Frequent ordinary words (folded) that are never guessed to be a name (loaded on first use)."""
        if self._common is None:
            words: frozenset[str] = frozenset()
            if self._common_path is not None:
                with gzip.open(self._common_path, "rt", encoding="utf-8") as fh:
                    words = frozenset(w for w in fh.read().split("\n") if w and not w.startswith("#"))
            self._common = words
        return self._common

    # --------------------------------------------------------------------------------------------- tokens
    @lru_cache(maxsize=200_000)  # noqa: B019
    def token(self, folded_token: str, lang: str | None = None) -> TokenKey:
        """Variant form of one *folded* token (see :meth:`tokens` for raw text), in the spelling conventions of
        ``lang``, with its ``stems`` when it carries a case ending of its script or language."""
        got = self._token(folded_token, lang)
        if got.kind == "name":
            stems = self.translit.stems(folded_token, lang)
            if stems:
                got = replace(got, stems=tuple(self._token(s, lang) for s in stems))
        return got

    def _token(self, t: str, lang: str | None) -> TokenKey:
        if t in self.particles:
            return TokenKey(self.particles[t], "particle", self.particles[t].lower())
        if t in self.articles:
            return TokenKey("", "article", "")
        script = self.translit.script(t)
        if script == "arabic":
            bare = bare_arabic(t)
            if self._ar_digraph_re is not None:
                bare = self._ar_digraph_re.sub(lambda m: self._ar_digraphs[m.group()], bare)
            letters = [self.arabic.get(c, "") for c in bare]
            if self.drop_final_h and len(letters) > 2 and letters[-1] == "h":
                letters.pop()
            skel = _collapse("".join(letters))
            return TokenKey(skel, "name", self._arabic_roman(bare), arabic=True, text=t, script=script)
        latin = self.translit.latin(t, lang)
        if latin != t:
            if latin in self.particles:
                return TokenKey(self.particles[latin], "particle", self.particles[latin].lower(), script=script)
            if latin in self.articles:
                return TokenKey("", "article", "", script=script)
        roman = self._rewrite_re.sub(lambda m: self._rewrites[m.group()], latin)
        if self.drop_final_h and len(roman) > 3 and roman.endswith("h") and roman[-2] in self.vowels:
            roman = roman[:-1]
        skel = _collapse("".join(c for c in roman if c not in self.vowels))
        return TokenKey(skel or _collapse(roman), "name", _collapse(roman.translate(self._vclass)), text=t,
                        script=script)

    def _arabic_roman(self, word: str) -> str:
        """An Arabic word in the romanised alphabet, with the vowels it writes (long ones, a final one): سوريا ->
        suria; what edit similarity across scripts is computed on (the consonant key is what meets)."""
        last = len(word) - 1
        out = []
        for i, c in enumerate(word):
            if c in self._ar_vowels:
                out.append(self._ar_vowels[c])
            elif i == last and c in self._ar_final:
                out.append(self._ar_final[c])
            else:
                out.append(self.arabic.get(c, ""))
        return _collapse("".join(out).translate(self._vclass))

    def tokens(self, text: str, lang: str | None = None) -> list[TokenKey]:
        """Variant forms of the tokens of raw ``text`` (articles included, as kind "article"), read with the
        conventions of ``lang`` (an alias's or the text's language)."""
        folded = self.folder.fold_key(self.prepare(text))
        return [self.token(t, lang) for t in folded.split()]

    def prepare(self, text: str) -> str:
        """Apply ``before_fold``: ş -> sh, ç -> ch, ğ -> g, and drop the ayn/hamza letters ʿ ʾ."""
        return text.translate(self._before)

    @lru_cache(maxsize=100_000)  # noqa: B019
    def token_of_raw(self, raw: str, lang: str | None = None) -> TokenKey:
        """Variant form of one raw word (a token of running text, no separators inside)."""
        return self.token(self.folder.fold_key(self.prepare(raw)).replace(" ", ""), lang)

    def key(self, text: str, lang: str | None = None) -> str:
        """The variant key of a whole name: particle markers and consonant skeletons, articles dropped."""
        return key_of(self.tokens(text, lang))


def has_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


def key_of(tokens: list[TokenKey]) -> str:
    return " ".join(t.key for t in tokens if t.kind != "article" and t.key)


def roman_of(tokens: list[TokenKey]) -> str:
    return " ".join(t.roman for t in tokens if t.kind != "article" and t.roman)


def _collapse(s: str) -> str:
    """Collapse doubled letters: Hattab -> Hatab."""
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=2)
def _variants_for(path: str) -> Variants:
    return Variants(default_folder(), Path(path))


_DEFAULT_PATH = str(DATA_DIR / "variants.yaml")


def default_variants() -> Variants:
    return _variants_for(_DEFAULT_PATH)


_SMALL_WORDS = frozenset("of the and for to in on de du des la le les et der die das und für von al el".split())


def derive_acronyms(names: list[str]) -> set[str]:
    """Acronyms of multi-word organisation names: the initials of their capitalised words.

    >>> sorted(derive_acronyms(["Islamic State", "Syrian National Army", "Daesh", "Islamic State – Khorasan Province"]))
    ['IS', 'ISKP', 'SNA']
    """
    out: set[str] = set()
    for name in names:
        words = [w for w in re.split(r"[\s\-–—/]+", name) if w]
        if len(words) < 2:
            continue
        initials = [w[0] for w in words if w.lower() not in _SMALL_WORDS]
        if len(initials) >= 2 and all(c.isupper() for c in initials):
            out.add("".join(initials).upper())
    return out
