"""The fuzzy index's gather and verify loops in numpy and its CRC-table lookups: the reference of the compiled kernel
(``normalizer/_fuzzy.pyx``, same signatures, same rules, same float32 arithmetic); :func:`kernel` gives the one that
runs.

Candidates are ordered by score, then by alias number (ties: the alias listed first, as a scan over the table
would pick).
"""

from __future__ import annotations

import sys
from array import array
from types import ModuleType
from zlib import crc32

import numpy as np

from .. import compiled


def kernel() -> ModuleType:
    """The compiled kernel when it was built (and :data:`compiled.USE`), else this module."""
    return compiled.fuzzy if compiled.USE and compiled.fuzzy is not None else sys.modules[__name__]


def gather(post_ptr: np.ndarray, post: np.ndarray, post_len: np.ndarray, lengths: np.ndarray, tokens: np.ndarray,
           weights: np.ndarray, work: np.ndarray, shortest: int, longest: int, window: bool,
           keep: int, n: int, query_len: int, bonus: float) -> np.ndarray:
    """Add each token's weight onto the aliases holding it (only those with a folded length in [shortest,
    longest] when ``window``, for a token in more than 64 aliases), keep the best aliases by that sum until they
    hold ``keep`` of the (alias, token) hits, and return the ``n`` best of those by sum (+ ``bonus`` for an alias
    within two letters of ``query_len``) over (alias length + query length), in no particular order (here: best
    first).  ``work`` (two floats per
    alias: the sum and, in the compiled kernel, the hits) is zero on entry and on return."""
    scores = work[0::2]
    parts = []
    for t, w in zip(tokens.tolist(), weights, strict=True):
        a, b = int(post_ptr[t]), int(post_ptr[t + 1])
        if window and b - a > 64:  # postings are sorted by alias length within a token
            seg = post_len[a:b]
            a, b = a + int(seg.searchsorted(np.uint8(shortest))), a + int(seg.searchsorted(np.uint8(longest), "right"))
        ids = post[a:b]
        scores[ids] += w
        parts.append(ids)
    cat = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    alias, hits = np.unique(cat, return_counts=True)
    raw = scores[alias]
    scores[alias] = 0.0
    if len(cat) > keep:  # the best by sum while they hold ``keep`` hits (an alias holds one per token)
        order = np.lexsort((alias, -raw))
        before = np.cumsum(hits[order]) - hits[order]
        order = order[before < keep]
        alias, raw = alias[order], raw[order]
    length = lengths[alias].astype(np.int64)
    if bonus:
        raw = np.where(np.abs(length - query_len) <= 2, raw + np.float32(bonus), raw)
    rough = raw / (length + query_len).astype(np.float32)
    return alias[np.lexsort((alias, -rough))[:n]].astype(np.int64)


def alias_tokens(cand: np.ndarray, alias_ptr: np.ndarray, alias_tok: np.ndarray,
                 mark: np.ndarray) -> tuple[np.ndarray, ...]:
    """The candidates' token lists, flat: (kept candidates, start of each one's tokens, their counts, the tokens,
    the column of each token in the distinct tokens, the distinct tokens).  Candidates without tokens are dropped;
    ``mark`` is the compiled kernel's (unused here)."""
    starts, ends = alias_ptr[cand].astype(np.int64), alias_ptr[cand + 1].astype(np.int64)
    lens = ends - starts
    keep = lens > 0
    cand, starts, lens = cand[keep], starts[keep], lens[keep]
    offsets = np.cumsum(lens) - lens
    flat = np.repeat(starts - offsets, lens) + np.arange(int(lens.sum()))
    toks = alias_tok[flat].astype(np.int64)
    uniq, col = np.unique(toks, return_inverse=True)
    return cand, offsets, lens, toks, col.astype(np.int32), uniq


def slot_totals(starts: np.ndarray, lens: np.ndarray, toks: np.ndarray, col: np.ndarray, sim: np.ndarray,
                rows: np.ndarray, mass: np.ndarray, times: np.ndarray, prop_ptr: np.ndarray, prop_tok: np.ndarray,
                prop_w: np.ndarray, mark: np.ndarray) -> np.ndarray:
    """Per candidate, the sum over the query's slots of its best token's weight in that slot (times the hits,
    up to the slot's ``times``, for a repeated word): a token weighs the larger of its edit similarity to the
    slot's word (``sim[rows[s], col]``, times ``mass[s]``; no word when ``rows[s] < 0``) and its proposed weight
    (``prop_tok``/``prop_w`` from ``prop_ptr[s]`` to ``prop_ptr[s + 1]``).  ``mark`` is zero on entry and return."""
    total = np.zeros(len(starts), dtype=np.float32)
    if not len(starts):
        return total
    for s in range(len(rows)):
        got = sim[rows[s], col] * mass[s] if rows[s] >= 0 else np.zeros(len(toks), np.float32)
        ts = prop_tok[prop_ptr[s]:prop_ptr[s + 1]]
        mark[ts] = prop_w[prop_ptr[s]:prop_ptr[s + 1]]
        got = np.maximum(got, mark[toks])
        mark[ts] = 0.0
        best = np.maximum.reduceat(got, starts)
        if times[s] == 1:
            total += best
        else:  # a repeated word: once per time the alias has a matching token
            hits = np.add.reduceat((got > 0).astype(np.float32), starts)
            total += best * np.minimum(hits, np.float32(times[s]))
    return total


def crc(s: str) -> int:
    return crc32(s.encode("utf-8"))


def deletions(s: str, min_len: int, max_len: int) -> list[str]:
    return [s[:i] + s[i + 1:] for i in range(len(s))] if min_len <= len(s) <= max_len else []


def lookup(word: str, hashes: np.ndarray, ids: np.ndarray, vocab: list[str]) -> int | None:
    """The number of ``word`` in ``vocab`` through the sorted CRC table (``hashes``, ``ids``), or None."""
    h = crc(word)
    at = int(hashes.searchsorted(np.uint32(h)))
    while at < len(hashes) and hashes[at] == h:
        t = int(ids[at])
        if vocab[t] == word:
            return t
        at += 1
    return None


def neighbours(words: list[str], min_len: int, max_len: int, hashes: np.ndarray, ids: np.ndarray) -> list[set[int]]:
    """For each word, the numbers whose entries in the sorted CRC table (``hashes``, ``ids``) carry the CRC of the
    word or, for a word of ``min_len`` to ``max_len`` characters, of one of its one-character deletions."""
    hs, owner = array("I"), []
    for j, w in enumerate(words):
        for v in {w, *deletions(w, min_len, max_len)}:
            hs.append(crc(v))
            owner.append(j)
    out: list[set[int]] = [set() for _ in words]
    if hs:
        q = np.frombuffer(hs, dtype=np.uint32)
        lo, hi = np.searchsorted(hashes, q, "left").tolist(), np.searchsorted(hashes, q, "right").tolist()
        for j, a, b in zip(owner, lo, hi, strict=True):
            if b > a:
                out[j].update(ids[a:b].tolist())
    return out
