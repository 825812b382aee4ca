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


def best_aliases(cand: np.ndarray, starts: np.ndarray, lens: np.ndarray, toks: np.ndarray, col: np.ndarray,
                 sim: np.ndarray, slots: list[dict[int, float]], rows: list[int], times: list[int],
                 lengths: np.ndarray, query_len: int, limit: int, mark: np.ndarray) -> tuple[list, float]:
    """The ``limit`` best candidates, best first, each with its tokens, and twice the best one's score.  A
    candidate's score is the sum over the query's ``slots`` (distinct; ``times``: how often each stands in the
    query) of its best token's weight in that slot (times its matching tokens, up to ``times``, for a repeated
    word), over (its length + the query's): a token weighs the larger of its edit similarity to the slot's word
    (``sim[rows[s], col]`` times the slot's ``mass``; no word when ``rows[s] < 0``) and the slot's weight for it.
    ``mark`` is zero on entry and on return."""
    total = np.zeros(len(starts), dtype=np.float32)
    for slot, row, times_s in zip(slots, rows, times, strict=True):
        got = sim[row, col] * np.float32(getattr(slot, "mass", 0.0)) if row >= 0 else np.zeros(len(toks), np.float32)
        ts = np.fromiter(slot.keys(), np.int64, len(slot))
        mark[ts] = np.fromiter(slot.values(), np.float32, len(slot))
        got = np.maximum(got, mark[toks])
        mark[ts] = 0.0
        best = np.maximum.reduceat(got, starts)
        if times_s == 1:
            total += best
        else:  # a repeated word: once per time the alias has a matching token
            hits = np.add.reduceat((got > 0).astype(np.float32), starts)
            total += best * np.minimum(hits, np.float32(times_s))
    total /= lengths[cand].astype(np.float32) + query_len
    best = np.lexsort((cand, -total))[:limit]
    flat, at, n = toks.tolist(), starts[best].tolist(), lens[best].tolist()
    return ([(i, flat[a:a + m]) for i, a, m in zip(cand[best].tolist(), at, n, strict=True)],
            2 * float(total[best[0]]) if len(best) else 0.0)


def pick(tokens: np.ndarray, sims: np.ndarray, df: np.ndarray, per_token: int, penalty: float, rare: int,
         min_sim: float) -> dict[int, float]:
    """Token -> similarity for the ``per_token`` best tokens of at least ``min_sim`` (``penalty`` less for a
    token in ``rare`` aliases or fewer): highest similarity, then most aliases, then lowest number; in their
    order when no more than ``per_token`` qualify."""
    df = df[tokens]
    sims = sims - np.float32(penalty) * (df <= rare)
    ok = sims >= np.float32(min_sim)
    tokens, sims, df = tokens[ok], sims[ok], df[ok]
    if len(tokens) > per_token:
        order = np.lexsort((tokens, -df, -sims))[:per_token]
        tokens, sims = tokens[order], sims[order]
    return dict(zip(tokens.tolist(), sims.tolist(), strict=True))


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
