"""Candidate spans in running text for names no alias lists exactly, and the variant-key index they meet.

Text is cut into word tokens (from the folded text, with original offsets).  Runs of name-like tokens
(capitalised, Arabic script, name particles Abu/Ebu/Umm/bin, articles al-/el-) form windows of up to
``MAX_WINDOW`` tokens; each window's variant key (see ``variants.py``) is looked up in an index over the aliases'
variant keys (:class:`VariantIndex`, stored as columns: see ``variant_index.py``).  Cost is linear in the text: a
bounded number of dictionary lookups per token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .fold import DATA_DIR, Folded
from .names.keys import TokenKey, Variants

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


def load_stopwords(fold_key, path: Path | None = None) -> frozenset[str]:  # noqa: ANN001
    data = yaml.safe_load((path or DATA_DIR / "stopwords.yaml").read_text(encoding="utf-8"))
    return frozenset(fold_key(w) for words in data.values() for w in words)


def tokenize(folded: Folded, variants: Variants, lang: str | None = None) -> list[Token]:
    """Word tokens that may be part of a name, in original offsets (others are skipped, cheaply)."""
    out: list[Token] = []
    source = folded.source
    particles, articles = variants.particles, variants.articles
    identity = not folded.fpos
    for m in _WORD.finditer(folded.text):
        f = m.group()
        fs = m.start()
        arabic = f[0] >= "\u0600" and bool(_ARABIC.match(f))
        if not arabic and not source[fs if identity else folded.orig(fs)].isupper() \
                and f not in particles and f not in articles:
            continue  # most tokens: lower-case words, rejected with one lookup
        s, e = (fs, m.end()) if identity else folded.span(fs, m.end())
        raw = source[s:e]
        cap = arabic or raw[:1].isupper()
        if f in articles and f not in variants.free_articles and source[e:e + 1] not in "-‐‑–":
            continue  # "en", "as", "es": a word, not an article, unless hyphenated (ad-Dawla)
        cased = [c for c in raw if c.lower() != c.upper()]
        upper = bool(cased) and all(c.isupper() for c in cased)
        out.append(Token(s, e, variants.token_of_raw(raw, lang), cap, upper, f))
    return out


def windows(tokens: list[Token], source: str, taken) -> list[Window]:  # noqa: ANN001  (decide.Taken)
    """All windows over runs of adjacent name-like tokens, longest first within each run.

    A window never crosses punctuation other than hyphens/apostrophes, never overlaps ``taken`` spans, starts with
    a name, particle or article and ends with a capitalised name token.
    """
    runs: list[list[Token]] = []
    cur: list[Token] = []
    for tok in tokens:
        gap = source[cur[-1].end:tok.start] if cur else ""
        dotted = gap == "." and len(tok.folded) == 1 and len(cur[-1].folded) == 1 and tok.upper and cur[-1].upper
        if cur and not dotted and (not GAP_OK.fullmatch(gap) or gap.count("\n") > 1):
            runs.append(cur)
            cur = []
        if taken.overlaps(tok.start, tok.end):
            if cur:
                runs.append(cur)
            cur = []
            continue
        cur.append(tok)
    if cur:
        runs.append(cur)
    out: list[Window] = []
    for run in runs:
        n = len(run)
        for size in range(min(n, MAX_WINDOW), 0, -1):
            for i in range(0, n - size + 1):
                toks = run[i:i + size]
                last = toks[-1]
                if last.key.kind != "name" or not last.cap:
                    continue
                if i > 0 and run[i - 1].key.kind == "article":
                    continue  # "al-X" is not "X": a window never drops the article before it
                out.append(Window(tuple(toks), i == 0 or i + size == n))
    return out
