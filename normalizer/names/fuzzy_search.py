"""Querying the fuzzy index (:mod:`normalizer.names.fuzzy_index`): a name's words -> the aliases most like it.

1. **Expand** each query word into vocabulary tokens with a similarity: itself (1), its deletion neighbours (typos,
   by edit ratio), the tokens of its variant skeleton (spellings: ``Hussein``/``Hüseyin``/``Husain``, by the better
   of the edit ratios of the words and of their romanised forms); the :data:`PER_TOKEN` best, one-off tokens
   (acronyms) last.  A word nothing is near is "weak" (a worse typo) and is also read as two words run together
   (``AhmetÖzer``, ``AlirAsflan``).
2. **Gather**: each word's best token, the rarest words first (two at least), then the other proposed tokens while
   :data:`BUDGET` postings last (particles and articles never: ``abu``, ``al``); the postings are sorted by alias
   length, so only aliases within max(:data:`WINDOW`, :data:`WINDOW_SHARE`) letters of the query's length are read
   (all lengths when nothing near comes close: :data:`ANY_LENGTH`).  Each token adds its similarity x letters onto
   the aliases holding it: a rough score that picks :data:`VERIFY` aliases (more when a word is weak).
3. **Verify** those with numpy over their token lists: every query word against every token of theirs (rapidfuzz
   ``cdist``), its best similarity times its letters, summed over the words (a repeated word needs a repeated token),
   over both lengths — about ``fuzz.ratio`` — and return the best :data:`TOP` with their tokens.

The cost is bounded by :data:`BUDGET` and :data:`VERIFY`, not by the size of the table (benchmarks/bench_resolve.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from .fuzzy_kernel import kernel
from .keys import TokenKey

if TYPE_CHECKING:
    from .fuzzy_index import FuzzyIndex

MIN_SKELETON = 3  # consonants a word's skeleton needs to propose the tokens sharing it
PER_TOKEN = 10  # vocabulary tokens one query word proposes per route (typos, spellings), best first
MIN_SIM = 0.6
RARE, RARE_PENALTY = 2, 0.1  # a proposed token in this many aliases or fewer loses this much similarity
WEAK = 0.8  # a word whose best token is less similar than this is "weak": maybe a worse typo
SPLIT_WEIGHT = 0.8  # a word read as two run together counts a little less
MIN_SPLIT_DF = 3  # the halves of a split word must each be a token of this many aliases (not a one-off acronym)
MAX_GATHER = 0.04  # tokens in more than this share of the aliases (and MIN_SKIP) are never gathered
MIN_SKIP = 2_000
WINDOW, WINDOW_SHARE = 3, 0.15  # gathered first: aliases within max(3, 15%) letters of the query's length
ANY_LENGTH = 0.7  # ... and any length when none of those comes this close (about fuzz.ratio)
BUDGET = 16_000
VERIFY = 256
VERIFY_WEAK = 4096
TOP = 24
Weak = list[tuple[int, str]] | tuple[()]
Found = list[tuple[int, list[int]]]  # (alias number, its tokens)
_ratio = Indel.normalized_similarity


def _cdist(word: str, others: np.ndarray) -> np.ndarray:
    """Edit similarity (Indel, in [0, 1]) of ``word`` to each of ``others`` (an object array of str)."""
    return process.cdist([word], others, scorer=_ratio, dtype=np.float32)[0]


class Slot(dict):
    """One query word's proposed tokens -> similarity x letters; ``word`` and ``mass`` (its letters, less for the
    half of a split word) let verification compare the word with any token."""

    __slots__ = ("mass", "roman", "word")


class Search:
    """Query methods of :class:`~normalizer.names.fuzzy_index.FuzzyIndex`."""

    def _df(self: FuzzyIndex, t: int) -> int:
        return int(self.post_ptr[t + 1] - self.post_ptr[t])

    def _pick(self: FuzzyIndex, tokens: np.ndarray, sims: np.ndarray) -> dict[int, float]:
        """The :data:`PER_TOKEN` best tokens: highest similarity (less for a one-off token: an acronym, a rare
        spelling), then most aliases."""
        return kernel().pick(tokens, sims, self.df, PER_TOKEN, RARE_PENALTY, RARE, MIN_SIM)  # (ties: token number)

    def _group(self: FuzzyIndex, skels: Iterable[int], skip: dict[int, float], exact: int | None) -> np.ndarray:
        """The tokens of these skeletons, less ``skip`` and ``exact``."""
        parts = [self.skel_tok[self.skel_ptr[s]:self.skel_ptr[s + 1]] for s in skels]
        group = np.concatenate(parts) if len(parts) > 1 else parts[0] if parts else np.zeros(0, np.int32)
        drop = [*skip, exact] if exact is not None else list(skip)
        if not drop or not len(group):
            return group
        mark = self.scratch()
        mark[drop] = 1.0
        group = group[mark[group] == 0.0]
        mark[drop] = 0.0
        return group

    def expand(self: FuzzyIndex, words: list[str], keys: list[TokenKey], *,
               roman: bool = False) -> tuple[list[dict[int, float]], Weak]:
        """Per query word: vocabulary token -> similarity x letters.  Also returns the words nothing near was found
        for (more than about two edits from any token), with their slot numbers: see :meth:`top`.

        ``roman``: the query is in another script than the tables (Arabic, Cyrillic, Greek against Latin): its
        words are compared through their romanised forms with the tokens' romanised forms (no spelling is shared,
        so their deletion neighbours and the tokens of the same or a near skeleton are the candidates)."""
        slots: list[dict[int, float]] = []
        weak: list[tuple[int, str]] = []
        if roman:
            words = [k.roman or w for w, k in zip(words, keys, strict=True)]
        exacts = [None] * len(words) if roman else [self.token(w) for w in words]
        near_words = self.neighbours(words, romans=roman)
        for j, (w, cand) in enumerate(zip(words, near_words, strict=True)):
            cand.discard(exacts[j])  # type: ignore[arg-type]
            ts = np.fromiter(sorted(cand), np.int64, len(cand))
            slots.append(self._pick(ts, _cdist(w, (self.roman_obj if roman else self.vocab_obj)[ts])) if len(ts) else {})
            rare = exacts[j] is not None and self.df[exacts[j]] <= RARE
            if (exacts[j] is None or rare) and len(w) >= 3 and max(slots[-1].values(), default=0) < WEAK:
                weak.append((j, w))
        # spellings: the tokens of the word's skeleton (and, for a weak word, of the skeletons one deletion away)
        weak_keys = [keys[j].key for j, _ in weak if keys[j].kind == "name" and keys[j].key]
        near_skels = dict(zip(weak_keys, self.neighbours(weak_keys, skeletons=True, min_len=4), strict=True))
        for w, k, sims, exact in zip(words, keys, slots, exacts, strict=True):
            if k.kind != "name" or len(k.key) < MIN_SKELETON:
                continue  # a skeleton of one or two consonants (Ali, Ayşe) is shared by hundreds of unrelated words
            same = self.skel_id.get(k.key)
            group = self._group(near_skels.get(k.key, {same} if same is not None else ()), sims, exact)
            if len(group):
                by = _cdist(w, self.roman_obj[group] if roman else self.vocab_obj[group])
                if len(k.roman) >= 4 and not roman:
                    np.maximum(by, _cdist(k.roman, self.romans(group)) - np.float32(0.05), out=by)
                sims.update(self._pick(group, by))
        for sims, exact in zip(slots, exacts, strict=True):
            if exact is not None:
                sims[exact] = 1.0
        pairs = [] if roman else self._splits([w for _, w in weak if len(w) >= 5])
        for left, right in pairs:
            for half in (left, right):
                slots.append({self.token(half): 1.0})
        for j, (w, s) in enumerate(zip(words + [h for p in pairs for h in p], slots, strict=True)):
            slots[j] = s = Slot(s)
            s.word, s.mass = w, len(w) * (1.0 if j < len(words) else SPLIT_WEIGHT)
            s.roman = roman
            for t in s:
                s[t] *= s.mass
        first: dict[str, int] = {}
        for j, w in enumerate(words):  # a repeated word is one slot (an alias must repeat it too to score twice)
            slots[j] = slots[first.setdefault(w, j)]
        return slots, weak

    def _splits(self: FuzzyIndex, words: list[str]) -> list[tuple[str, str]]:
        """Pairs of common tokens that make a word when joined, with at most one letter between them or one edit
        in one half (checked through the deletion table)."""
        min_df = MIN_SPLIT_DF if self.n_alias >= 10_000 else 1  # in a small table every token is rare

        def common(s: str) -> bool:
            t = self.token(s)
            return t is not None and self._df(t) >= min_df

        out: list[tuple[str, str]] = []
        fuzzy: list[tuple[str, str, int]] = []  # known half, unknown half, side of the unknown one (0 left, 1 right)
        for w in words:
            for i in range(1, len(w)):
                left, right = w[:i], w[i:]
                if common(left) and common(right):
                    out.append((left, right))
                if i < 3 or i > len(w) - 3:
                    continue  # a one- or two-letter half (an initial) only when both halves are tokens
                if common(left):
                    fuzzy += [(left, right, 1), (left, right[1:], 1)] if len(right) > 3 else []
                if common(right) and len(left) > 3:
                    fuzzy += [(right, left, 0), (right, left[:-1], 0)]
        if fuzzy:
            near = []
            for (known, unknown, side), got in zip(fuzzy, self.neighbours([f[1] for f in fuzzy]), strict=True):
                for t in got:
                    tok = self.vocab[t]
                    if common(tok) and _ratio(unknown, tok) >= WEAK:
                        near.append((tok, known) if side == 0 else (known, tok))
            out += sorted(set(near), key=lambda p: (-min(len(p[0]), len(p[1])), p))  # long halves first
        return list(dict.fromkeys(out))[:3]

    def top(self: FuzzyIndex, slots: list[dict[int, float]], query_len: int, *, weak: Weak = (),
            limit: int = TOP) -> Found:
        """The ``limit`` aliases most like the query (see the module's description), best first, each with its
        tokens.  ``weak``: (slot,
        word) of query words nothing near was found for: the word may be a worse typo of one of an alias's tokens,
        so aliases of about the query's length are preferred when gathering (:data:`VERIFY_WEAK` of them) and the
        word is compared with every token of those when verifying."""
        skip = max(MIN_SKIP, int(MAX_GATHER * self.n_alias))
        df = self.df
        kind = self.tok_kind  # particles and articles (abu, bin, al) are never gathered, only verified
        ranked = [sorted(((-w, int(df[t]), t) for t, w in sims.items() if 0 < df[t] <= skip and not kind[t]))
                  for sims in {id(s): s for s in slots}.values()]
        # each word's best token, then the others by similarity while the budget lasts; aliases of about the
        # query's length first, any length only when none of those is close
        chosen, used = [], 0
        firsts = sorted((r[0] for r in ranked if r), key=lambda x: x[1])  # the rarest words first, two at least
        for x in firsts + sorted(x for r in ranked for x in r[1:]):
            if used + x[1] <= BUDGET or len(chosen) < 2:
                chosen.append(x)
                used += x[1]
        window = max(WINDOW, round(WINDOW_SHARE * query_len))
        found, best = self._gather(chosen, slots, query_len, weak, limit, (query_len - window, query_len + window))
        if best >= ANY_LENGTH:
            return found
        return self._gather(chosen, slots, query_len, weak, limit)[0]

    def _gather(self: FuzzyIndex, chosen: list[tuple[float, int, int]], slots: list[dict[int, float]],
                query_len: int, weak: Weak, limit: int, lengths: tuple[int, int] | None = None) -> tuple[Found, float]:
        """Add the chosen tokens' (-similarity x letters, df, token) weights onto the aliases holding them (only
        those with a folded length in ``lengths``, when given), pick the best :data:`VERIFY` and verify them
        (:func:`~normalizer.names.fuzzy_kernel.gather`)."""
        if not chosen:
            return [], 0.0
        tokens = np.fromiter((t for _, _, t in chosen), np.int64, len(chosen))
        weights = np.fromiter((-w for w, _, _ in chosen), np.float32, len(chosen))
        shortest, longest = (min(max(x, 0), 255) for x in lengths or (0, 255))
        n = VERIFY_WEAK if weak else VERIFY
        bonus = float(sum(len(w) for _, w in weak))
        work = self.take_scores()
        try:
            cand = kernel().gather(self.post_ptr, self.post, self.post_len, self.lengths, tokens, weights, work,
                                   shortest, longest, lengths is not None, 2 * n, n, query_len, bonus)
        finally:
            self.give_scores(work)
        return self._verify(cand, slots, query_len, limit)

    def _verify(self: FuzzyIndex, cand: np.ndarray, slots: list[dict[int, float]], query_len: int,
                limit: int) -> tuple[Found, float]:
        """Exact scores of the candidate aliases over all the query's words (:func:`~normalizer.names.fuzzy_kernel.
        best_aliases` over their token lists)."""
        k = kernel()
        mark = self.scratch()
        cand, starts, lens, toks, col, uniq = k.alias_tokens(cand, self.alias_ptr, self.alias_tok, mark)
        if not len(cand):
            return [], 0.0
        # every query word against every token of the candidates (typos the neighbourhoods do not reach), and
        # the proposed tokens with their similarity (spellings: romanised similarity)
        words = list(dict.fromkeys(getattr(s, "word", "") for s in slots))
        forms = self.roman_obj if any(getattr(s, "roman", False) for s in slots) else self.vocab_obj
        sim = process.cdist(words, forms[uniq], scorer=_ratio, dtype=np.float32, score_cutoff=MIN_SIM)
        row = {w: r for r, w in enumerate(words)}
        times: dict[int, int] = {}
        for sims in slots:
            times[id(sims)] = times.get(id(sims), 0) + 1
        distinct = list({id(s): s for s in slots}.values())
        rows = [row[w] if (w := getattr(s, "word", "")) else -1 for s in distinct]
        return k.best_aliases(cand, starts, lens, toks, col, sim, distinct, rows, [times[id(s)] for s in distinct],
                              self.lengths, query_len, limit, mark)

    def candidates(self: FuzzyIndex, keys: list[TokenKey], limit: int) -> list[int]:
        """Aliases sharing variant skeletons (or one-deletion neighbours of them) with ``keys``: for the fuzzy pass,
        which has a window's token keys but not its words."""
        names = [k for k in keys if k.kind == "name" and k.key]
        slots: list[dict[int, float]] = []
        for k, near in zip(names, self.neighbours([k.key for k in names], skeletons=True), strict=True):
            skel = self.skel_id.get(k.key)
            sims: dict[int, float] = {}
            for s in near:
                for t in self.skel_tok[self.skel_ptr[s]:self.skel_ptr[s + 1]].tolist():
                    sims[t] = max(sims.get(t, 0.0), len(k.roman) * (1.0 if s == skel else 0.8))
            slots.append(sims)
        query_len = len(" ".join(k.roman for k in keys if k.kind != "article" and k.roman))
        return [i for i, _ in self.top(slots, query_len, limit=limit)]
