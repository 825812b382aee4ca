"""Candidate spans in running text for names no alias lists exactly, and the variant-key index they meet.

Text is cut into word tokens (from the folded text, with original offsets).  Runs of name-like tokens
(capitalised, Arabic script, name particles Abu/Ebu/Umm/bin, articles al-/el-) form windows of up to
``MAX_WINDOW`` tokens; each window's variant key (see ``variants.py``) is looked up in an index over the aliases'
variant keys (:class:`VariantIndex`, stored as columns: see ``variant_index.py``).  Cost is linear in the text: a
bounded number of dictionary lookups per token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import compiled
from .fold import Folded
from .names.keys import TokenKey, Variants
from .types import slotted_maker

MAX_WINDOW = 7
_ARABIC = re.compile("[\u0600-\u06ff]")
_WORD = re.compile(r"\S+")
GAP_OK = re.compile(r"[\s\-‐‑–'’ʼ`]*")


@dataclass(frozen=True, slots=True)
class Token:
    start: int  # original offsets
    end: int
    key: TokenKey
    cap: bool  # starts with a capital (Latin/Greek/Cyrillic) or is Arabic script
    upper: bool
    folded: str


@dataclass(frozen=True, slots=True)
class Window:
    tokens: tuple[Token, ...]
    at_edge: bool = True  # starts or ends where its run of name-like tokens does

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end

    @property
    def keys(self) -> list[TokenKey]:
        return [t.key for t in self.tokens]

    @property
    def name_tokens(self) -> int:
        return sum(t.key.kind == "name" for t in self.tokens)


def tokenize(folded: Folded, variants: Variants, lang: str | None = None,
             skip: Sequence[tuple[int, int]] = ()) -> list[Token]:
    """Word tokens that may be part of a name, in original offsets (others are skipped, cheaply): words that
    start with a capital letter in the caller's string, Arabic words, and name particles and articles.

    Most words are none of these: the capitals are found in the caller's string and the Arabic words, particles
    and articles in the folded text by regular expressions, so no Python code runs for an ordinary word.
    ``skip``: original spans already taken (exact matches): no token is made inside them."""
    if compiled.USE:  # normalizer/_spans.pyx: the same steps in C (None: read every word, below)
        got = _kernel(variants).tokens(folded.source, folded.text, folded.fpos, folded.opos, skip, lang)
        if got is not None:
            return got
    starts = _name_starts(folded, variants)
    if starts is None:  # a capital the fold moved (or an astral letter): read every word
        return _tokens_at(folded, variants, lang, [m.start() for m in _WORD.finditer(folded.text)], False, skip)
    return _tokens_at(folded, variants, lang, starts, True, skip)


@lru_cache(maxsize=4)
def _kernel(variants: Variants):  # noqa: ANN202
    """The compiled tokenizer for these variants' particles and articles."""
    return compiled.spans.Tokenizer(frozenset(variants.particles) | variants.articles, variants.articles,
                                    variants.free_articles, variants.token_of_raw, _new_token, Token,
                                    ("start", "end", "key", "cap", "upper", "folded"))


_new_token = slotted_maker(Token, ("start", "end", "key", "cap", "upper", "folded"))
_new_window = slotted_maker(Window, ("tokens", "at_edge"))


def _tokens_at(folded: Folded, variants: Variants, lang: str | None, starts: list[int], known: bool,
               skip: Sequence[tuple[int, int]] = ()) -> list[Token]:
    """The tokens at these folded word starts (``known``: each is already known to be a capital, an Arabic word,
    a particle or an article; else that is checked here)."""
    out: list[Token] = []
    source, text = folded.source, folded.text
    particles, articles = variants.particles, variants.articles
    identity = not folded.fpos
    ends = [len(text) if (e := text.find(" ", fs)) < 0 else e for fs in starts]
    spans = word_spans(folded, starts, ends) if known else None
    if spans is not None and skip:  # words inside an exact match are no part of any other mention
        taken_s = np.fromiter((s for s, _ in skip), np.int64, len(skip))
        taken_e = np.fromiter((e for _, e in skip), np.int64, len(skip))
        order = np.argsort(taken_s)
        taken_s, taken_e = taken_s[order], taken_e[order]
        ws = np.fromiter((s for s, _ in spans), np.int64, len(spans))
        k = np.searchsorted(taken_s, ws, "right") - 1
        inside = (k >= 0) & (ws < taken_e[np.maximum(k, 0)])
        if inside.any():
            keep = (~inside).tolist()
            starts = [x for x, y in zip(starts, keep, strict=True) if y]
            ends = [x for x, y in zip(ends, keep, strict=True) if y]
            spans = [x for x, y in zip(spans, keep, strict=True) if y]
    for n, fs in enumerate(starts):
        end = ends[n]
        f = text[fs:end]
        if not f:
            continue
        arabic = f[0] >= "\u0600" and bool(_ARABIC.match(f))
        if not known and not arabic and not source[fs if identity else folded.orig(fs)].isupper() \
                and f not in particles and f not in articles:
            continue  # a lower-case word
        s, e = spans[n] if spans is not None else (fs, end) if identity else folded.span(fs, end)
        raw = source[s:e]
        cap = arabic or raw[:1].isupper()
        if f in articles and f not in variants.free_articles and source[e:e + 1] not in "-‐‑–":
            continue  # "en", "as", "es": a word, not an article, unless hyphenated (ad-Dawla)
        out.append(_new_token(s, e, variants.token_of_raw(raw, lang), cap, raw.isupper(), f))
    return out


def _orig_many(folded: Folded, i: np.ndarray) -> np.ndarray:
    """``Folded.orig`` of many folded offsets at once (the fold has breakpoints)."""
    fpos, opos = np.asarray(folded.fpos), np.asarray(folded.opos)
    k = np.searchsorted(fpos, i, "right") - 1
    got = np.where(k >= 0, opos[np.maximum(k, 0)] + (i - fpos[np.maximum(k, 0)]), i)
    return np.where(i >= len(folded.text), len(folded.source), got)


def word_spans(folded: Folded, starts: list[int], ends: list[int]) -> list[tuple[int, int]]:
    """``Folded.span`` of many whole words at once (each ``end`` at a space or the end of the text), vectorised."""
    if not folded.fpos:
        return list(zip(starts, ends, strict=True))

    def orig(i: np.ndarray) -> np.ndarray:
        return _orig_many(folded, i)

    s, e = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    os_, oe = orig(s), orig(e)
    inside = (oe <= os_) & (e > s)  # the word lies inside one expanded character
    if inside.any():
        oe = np.where(inside, orig(np.maximum(e - 1, 0)) + 1, oe)
    return list(zip(os_.tolist(), oe.tolist(), strict=True))


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _capital() -> re.Pattern[str]:
    """A capital letter (``str.isupper``) of the Basic Multilingual Plane."""
    ranges: list[tuple[int, int]] = []
    for c in range(0x10000):
        if chr(c).isupper():
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1] = (ranges[-1][0], c)
            else:
                ranges.append((c, c))
    return re.compile("[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "")
                                    for a, b in ranges) + "]")


@lru_cache(maxsize=8)
def _special(words: frozenset[str]) -> re.Pattern[str]:
    """A folded word that is Arabic or one of ``words`` (particles, articles)."""
    alt = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return re.compile(rf"(?<!\S)(?:[\u0600-\u06ff]|(?:{alt})(?!\S))")


def _name_starts(folded: Folded, variants: Variants) -> list[int] | None:
    """Folded offsets of the words that may be part of a name (see :func:`tokenize`), in order; None when a
    capital of the caller's string does not start a folded word where expected (then every word is read)."""
    source, text = folded.source, folded.text
    if any(m.group().isupper() for m in _ASTRAL.finditer(source)):  # (an emoji is no capital)
        return None
    ups = [m.start() for m in _capital().finditer(source)]
    ups = [p for p in ups if p == 0 or not source[p - 1].isalnum()]  # at a word start
    starts = set()
    if ups:
        if folded.fpos:  # original -> folded offsets, and back again to check (vectorised)
            fpos, opos = np.asarray(folded.fpos), np.asarray(folded.opos)
            at = np.asarray(ups)
            k = np.maximum(np.searchsorted(opos, at, "right") - 1, 0)
            fp = np.where(at >= opos[0], fpos[k] + (at - opos[k]), at)
            if not np.array_equal(_orig_many(folded, fp), at):
                return None
            fps = fp.tolist()
        else:
            fps = ups
        for fp in fps:
            if fp >= len(text) or (fp and text[fp - 1] != " "):
                return None
            starts.add(fp)
    starts.update(m.start() for m in _special(frozenset(variants.particles) | variants.articles).finditer(text))
    return sorted(starts)


def windows(tokens: list[Token], source: str, taken,  # noqa: ANN001  (decide.Taken)
            keep: Callable[[list[Token]], Container[tuple[int, int]]] | None = None) -> list[Window]:
    """All windows over runs of adjacent name-like tokens (:func:`runs`), longest first within each run
    (:func:`run_windows`)."""
    return [w for run in runs(tokens, source, taken) for w in run_windows(run, keep)]


def runs(tokens: list[Token], source: str, taken) -> list[list[Token]]:  # noqa: ANN001  (decide.Taken)
    """Runs of adjacent name-like tokens: a run never crosses punctuation other than hyphens/apostrophes (a dot
    between single capitals aside: U.N.) nor a paragraph break, and holds no token overlapping ``taken``."""
    if compiled.USE:  # normalizer/_spans.pyx: the same in C
        return compiled.spans.runs(tokens, source, taken.occupancy)
    out: list[list[Token]] = []
    cur: list[Token] = []
    for tok in tokens:
        gap = source[cur[-1].end:tok.start] if cur else ""
        dotted = gap == "." and len(tok.folded) == 1 and len(cur[-1].folded) == 1 and tok.upper and cur[-1].upper
        if cur and not dotted and (not GAP_OK.fullmatch(gap) or gap.count("\n") > 1):
            out.append(cur)
            cur = []
        if taken.overlaps(tok.start, tok.end):
            if cur:
                out.append(cur)
            cur = []
            continue
        cur.append(tok)
    if cur:
        out.append(cur)
    return out


def run_windows(run: list[Token], keep: Callable[[list[Token]], Container[tuple[int, int]]] | None = None,
                ) -> list[Window]:
    """The windows of one run, longest first, then leftmost: each starts with a name, particle or article and
    ends with a capitalised name token.  ``keep``: given the run, the ``(start, size)`` of its windows worth making
    (the others are left out before they are made)."""
    n = len(run)
    if n == 1:  # most runs: one capitalised word
        t = run[0]
        if t.key.kind == "name" and t.cap and (keep is None or (0, 1) in keep(run)):
            return [_new_window((t,), True)]
        return []
    if keep is None:
        spans = [(i, size) for size in range(min(n, MAX_WINDOW), 0, -1) for i in range(n - size + 1)]
    else:  # longest first, then leftmost
        spans = sorted(keep(run), key=lambda w: (-w[1], w[0]))
    out: list[Window] = []
    for i, size in spans:
        last = run[i + size - 1]
        if last.key.kind != "name" or not last.cap:
            continue
        if i > 0 and run[i - 1].key.kind == "article":
            continue  # "al-X" is not "X": a window never drops the article before it
        out.append(_new_window(tuple(run[i:i + size]), i == 0 or i + size == n))
    return out


def edges_ok(win: Window, stopwords: frozenset[str]) -> bool:
    """A name neither starts nor ends with a function word (الرئيس إن is not Ras al-Ayn)."""
    names = [t for t in win.tokens if t.key.kind == "name"]
    return bool(names) and names[0].folded not in stopwords and names[-1].folded not in stopwords
