# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled fuzzy kernel: the gather and verify steps of :meth:`FuzzyIndex.top
<normalizer.names.fuzzy_search.Search.top>` (the per-posting and per-token loops) and the index's CRC-table
lookups (a token's number, deletion neighbours), the same rules and the same float32 arithmetic as the reference
in ``names/fuzzy_kernel.py`` (``tests/test_fuzzy_kernel.py`` compares them).

Candidates are ordered by score, then by alias number (ties: the alias listed first, as a scan over the table
would pick).
"""

import numpy as np

from libc.stdlib cimport free, malloc

cdef extern from *:
    """
    #if defined(__GNUC__)
    #define nz_prefetch(p) __builtin_prefetch(p, 1)
    #else
    #define nz_prefetch(p) ((void)0)
    #endif
    """
    void nz_prefetch(const void* p) noexcept nogil

cdef enum:
    AHEAD = 16  # postings read ahead: their per-alias sums are fetched from memory while the current ones add up

ctypedef fused ptr_t:
    unsigned int
    long long

ctypedef fused tok_t:
    unsigned short
    int


cdef inline bint _worse(float sa, int ia, float sb, int ib) noexcept nogil:
    """Whether (sa, ia) ranks after (sb, ib): lower score, or the same score and a later alias."""
    return sa < sb or (sa == sb and ia > ib)


cdef void _sift(float* s, int* ids, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    """Restore the heap (the worst entry on top) below position ``i``."""
    cdef Py_ssize_t c
    cdef float ts = s[i]
    cdef int ti = ids[i]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and _worse(s[c + 1], ids[c + 1], s[c], ids[c]):
            c += 1
        if not _worse(s[c], ids[c], ts, ti):
            break
        s[i], ids[i] = s[c], ids[c]
        i = c
    s[i], ids[i] = ts, ti


cdef Py_ssize_t _best(const float* s, const int* ids, Py_ssize_t n, Py_ssize_t k, float* hs, int* hi) noexcept nogil:
    """The ``k`` best of ``n`` (score, alias) entries into ``hs``/``hi``, best first; returns how many."""
    cdef Py_ssize_t m = 0, j, i
    if k <= 0:
        return 0
    for j in range(n):
        if m < k:
            hs[m], hi[m] = s[j], ids[j]
            m += 1
            if m == k:
                for i in range(k // 2 - 1, -1, -1):
                    _sift(hs, hi, k, i)
        elif _worse(hs[0], hi[0], s[j], ids[j]):
            hs[0], hi[0] = s[j], ids[j]
            _sift(hs, hi, k, 0)
    if m < k:
        for i in range(m // 2 - 1, -1, -1):
            _sift(hs, hi, m, i)
    # heap sort: the worst to the end, so the array ends best first
    for j in range(m - 1, 0, -1):
        hs[0], hs[j] = hs[j], hs[0]
        hi[0], hi[j] = hi[j], hi[0]
        _sift(hs, hi, j, 0)
    return m


cdef void _select(float* s, int* ids, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    """Reorder the ``n`` (score, alias) entries so that the first ``k`` are the ``k`` best, in any order (Hoare's
    selection: linear time on average)."""
    cdef Py_ssize_t lo = 0, hi = n - 1, i, j, at = k - 1
    cdef float ps, ts
    cdef int pi, ti
    if k <= 0 or k >= n:
        return
    while lo < hi:
        ps, pi = s[at], ids[at]
        i, j = lo, hi
        while i <= j:
            while _worse(ps, pi, s[i], ids[i]):
                i += 1
            while _worse(s[j], ids[j], ps, pi):
                j -= 1
            if i <= j:
                ts, ti = s[i], ids[i]
                s[i], ids[i] = s[j], ids[j]
                s[j], ids[j] = ts, ti
                i += 1
                j -= 1
        if j < at:
            lo = i
        if at < i:
            hi = j


cdef inline Py_ssize_t _first_over(const unsigned char[:] v, Py_ssize_t lo, Py_ssize_t hi, int x) noexcept nogil:
    """The first position in ``[lo, hi)`` of sorted ``v`` holding more than ``x`` (``hi`` if none)."""
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) // 2
        if v[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def gather(const ptr_t[:] post_ptr, const int[:] post, const unsigned char[:] post_len,
           const unsigned char[:] lengths, const long long[:] tokens, const float[:] weights,
           float[:] work, int shortest, int longest, bint window,
           Py_ssize_t keep, Py_ssize_t n, int query_len, float bonus):
    """Add each token's weight onto the aliases holding it (only those with a folded length in [shortest,
    longest] when ``window``, for a token in more than 64 aliases), keep the best aliases by that sum until they
    hold ``keep`` of the (alias, token) hits, and return the ``n`` best of those by sum (+ ``bonus`` for an alias
    within two letters of ``query_len``) over (alias length + query length), in no particular order.  ``work`` (two floats per
    alias, side by side in memory: the sum and the hits) is zero on entry and on return."""
    cdef Py_ssize_t k, p, a, a2, b, total = 0, n_touch = 0, m, j, cum
    cdef int i
    cdef float w
    cdef Py_ssize_t n_tok = tokens.shape[0]
    for k in range(n_tok):
        total += <Py_ssize_t>(post_ptr[tokens[k] + 1] - post_ptr[tokens[k]])
    cdef int* touched = <int*>malloc((total + 1) * sizeof(int))
    cdef float* raw = <float*>malloc((total + 1) * sizeof(float))
    cdef float* hs = <float*>malloc((total + 1) * sizeof(float))
    cdef int* hi_ = <int*>malloc((total + 1) * sizeof(int))
    if touched == NULL or raw == NULL or hs == NULL or hi_ == NULL:
        free(touched); free(raw); free(hs); free(hi_)
        raise MemoryError()
    cdef Py_ssize_t hits = 0
    try:
        with nogil:
            for k in range(n_tok):
                a, b = <Py_ssize_t>post_ptr[tokens[k]], <Py_ssize_t>post_ptr[tokens[k] + 1]
                if window and b - a > 64:  # postings are sorted by alias length within a token
                    a2 = _first_over(post_len, a, b, shortest - 1)
                    a, b = a2, _first_over(post_len, a2, b, longest)
                w = weights[k]
                for p in range(a, b):
                    if p + AHEAD < b:
                        nz_prefetch(&work[2 * post[p + AHEAD]])
                    i = post[p]
                    if work[2 * i + 1] == 0.0:
                        touched[n_touch] = i
                        n_touch += 1
                    work[2 * i + 1] += 1.0
                    work[2 * i] += w
                hits += b - a
            for j in range(n_touch):
                raw[j] = work[2 * touched[j]]
            if hits > keep:  # the best by sum while they hold ``keep`` hits (an alias holds one per token)
                m = keep if keep < n_touch else n_touch
                _select(raw, touched, n_touch, m)
                m = _best(raw, touched, m, m, hs, hi_)
                cum = 0
                j = 0
                while j < m and cum < keep:
                    cum += <Py_ssize_t>work[2 * hi_[j] + 1]
                    j += 1
                m = j
            else:
                m = n_touch
                for j in range(m):
                    hs[j], hi_[j] = raw[j], touched[j]
            for j in range(n_touch):
                work[2 * touched[j]] = 0.0
                work[2 * touched[j] + 1] = 0.0
            for j in range(m):
                i = hi_[j]
                w = hs[j]
                if bonus != 0.0 and abs(<int>lengths[i] - query_len) <= 2:
                    w = w + bonus
                raw[j] = w / <float>(<int>lengths[i] + query_len)
                touched[j] = i
            if m > n:
                _select(raw, touched, m, n)
                m = n
        out = np.empty(m, dtype=np.int64)
        for j in range(m):
            out[j] = touched[j]
        return out
    finally:
        free(touched); free(raw); free(hs); free(hi_)


def alias_tokens(const long long[:] cand, const ptr_t[:] alias_ptr, const tok_t[:] alias_tok, float[:] mark):
    """The candidates' token lists, flat: (kept candidates, start of each one's tokens, their counts, the tokens,
    the column of each token in the distinct tokens, the distinct tokens).  Candidates without tokens are dropped;
    ``mark`` (one float per token) is zero on entry and on return."""
    cdef Py_ssize_t n = cand.shape[0], j, p, total = 0, m = 0, u = 0, at = 0
    cdef long long c
    cdef Py_ssize_t a, b
    cdef int t
    for j in range(n):  # (the token lists are fetched from memory ahead of the second pass)
        if j + AHEAD < n:
            nz_prefetch(&alias_ptr[cand[j + AHEAD]])
        a = <Py_ssize_t>alias_ptr[cand[j]]
        nz_prefetch(&alias_tok[a])
        total += <Py_ssize_t>alias_ptr[cand[j] + 1] - a
    kept = np.empty(n, dtype=np.int64)
    starts = np.empty(n, dtype=np.int64)
    lens = np.empty(n, dtype=np.int64)
    toks = np.empty(total, dtype=np.int64)
    col = np.empty(total, dtype=np.int32)
    uniq = np.empty(total, dtype=np.int64)
    cdef long long[:] kv = kept, sv = starts, lv = lens, tv = toks, uv = uniq
    cdef int[:] cv = col
    for j in range(n):
        c = cand[j]
        a, b = <Py_ssize_t>alias_ptr[c], <Py_ssize_t>alias_ptr[c + 1]
        if b <= a:
            continue
        kv[m], sv[m], lv[m] = c, at, b - a
        m += 1
        for p in range(a, b):
            t = alias_tok[p]
            tv[at] = t
            if mark[t] == 0.0:
                uv[u] = t
                u += 1
                mark[t] = <float>u
            cv[at] = <int>mark[t] - 1
            at += 1
    for j in range(u):
        mark[uv[j]] = 0.0
    return kept[:m], starts[:m], lens[:m], toks, col, uniq[:u]


def best_aliases(const long long[:] cand, const long long[:] starts, const long long[:] lens,
                 const long long[:] toks, const int[:] col, const float[:, :] sim, list slots, list rows, list times,
                 const unsigned char[:] lengths, int query_len, Py_ssize_t limit, float[:] mark):
    """The ``limit`` best candidates, best first, each with its tokens, and twice the best one's score.  A
    candidate's score is the sum over the query's ``slots`` (distinct; ``times``: how often each stands in the
    query) of its best token's weight in that slot (times its matching tokens, up to ``times``, for a repeated
    word), over (its length + the query's): a token weighs the larger of its edit similarity to the slot's word
    (``sim[rows[s], col]`` times the slot's ``mass``; no word when ``rows[s] < 0``) and the slot's weight for it.
    ``mark`` is zero on entry and on return."""
    cdef Py_ssize_t n = starts.shape[0], s, j, p, k, m
    cdef Py_ssize_t n_slot = len(slots)
    cdef float best, g, v, hit, ms
    cdef int row, tm
    cdef float* total = <float*>malloc((n + 1) * sizeof(float))
    cdef int* ids = <int*>malloc((n + 1) * sizeof(int))
    cdef float* hs = <float*>malloc((n + 1) * sizeof(float))
    cdef int* hi = <int*>malloc((n + 1) * sizeof(int))
    if not (total and ids and hs and hi):
        free(total); free(ids); free(hs); free(hi)
        raise MemoryError()
    try:
        for j in range(n):
            total[j] = 0.0
            ids[j] = <int>j
        for s in range(n_slot):
            slot = slots[s]
            for t, w in (<dict>slot).items():
                mark[<Py_ssize_t>t] = <float>w
            row, tm = rows[s], times[s]
            ms = <float>getattr(slot, "mass", 0.0)
            with nogil:
                for j in range(n):
                    best = 0.0
                    hit = 0.0
                    for p in range(starts[j], starts[j] + lens[j]):
                        v = sim[row, col[p]] * ms if row >= 0 else 0.0
                        g = mark[toks[p]]
                        if v > g:
                            g = v
                        if g > best:
                            best = g
                        if g > 0.0:
                            hit += 1.0
                    if tm == 1:
                        total[j] += best
                    else:
                        total[j] += best * (hit if hit < tm else <float>tm)
            for t in (<dict>slot):
                mark[<Py_ssize_t>t] = 0.0
        for j in range(n):
            total[j] = total[j] / (<float>lengths[cand[j]] + <float>query_len)
            ids[j] = <int>cand[j]
        # the best by score, then by alias number: select, then order the few kept
        m = _best(total, ids, n, limit, hs, hi)
        found = []
        for k in range(m):  # the position of each kept alias in ``cand`` (alias numbers are distinct)
            for j in range(n):
                if ids[j] == hi[k]:
                    found.append((hi[k], [toks[p] for p in range(starts[j], starts[j] + lens[j])]))
                    break
        return found, (2 * <double>hs[0] if m else 0.0)
    finally:
        free(total); free(ids); free(hs); free(hi)


ctypedef fused idx_t:
    int
    long long


cdef inline bint _pick_before(float sa, int da, long long ta, float sb, int db, long long tb) noexcept nogil:
    return sa > sb or (sa == sb and (da > db or (da == db and ta < tb)))


def pick(const idx_t[:] tokens, const float[:] sims, const int[:] df, Py_ssize_t per_token, float penalty,
         int rare, float min_sim):
    """Token -> similarity for the ``per_token`` best tokens of at least ``min_sim`` (``penalty`` less for a
    token in ``rare`` aliases or fewer): highest similarity, then most aliases, then lowest number; in their
    order when no more than ``per_token`` qualify."""
    cdef Py_ssize_t n = tokens.shape[0], k, m = 0, j, i
    cdef float s
    cdef int d
    cdef long long t
    cdef float* ks = <float*>malloc((n + 1) * sizeof(float))
    cdef int* kd = <int*>malloc((n + 1) * sizeof(int))
    cdef long long* kt = <long long*>malloc((n + 1) * sizeof(long long))
    if not (ks and kd and kt):
        free(ks); free(kd); free(kt)
        raise MemoryError()
    try:
        for k in range(n):
            t = tokens[k]
            d = df[t]
            s = sims[k] - (penalty if d <= rare else <float>0.0)
            if s >= min_sim:
                ks[m], kd[m], kt[m] = s, d, t
                m += 1
        out = {}
        if m <= per_token:
            for k in range(m):
                out[kt[k]] = ks[k]
            return out
        for k in range(per_token):  # selection: the best of the rest to position k
            j = k
            for i in range(k + 1, m):
                if _pick_before(ks[i], kd[i], kt[i], ks[j], kd[j], kt[j]):
                    j = i
            ks[k], ks[j] = ks[j], ks[k]
            kd[k], kd[j] = kd[j], kd[k]
            kt[k], kt[j] = kt[j], kt[k]
            out[kt[k]] = ks[k]
        return out
    finally:
        free(ks); free(kd); free(kt)


# ------------------------------------------------------------------------------------ token and neighbour lookups
cdef unsigned int _crc_table[256]


cdef void _crc_init() noexcept:
    cdef unsigned int c
    cdef int n, k
    for n in range(256):
        c = n
        for k in range(8):
            c = (0xEDB88320U ^ (c >> 1)) if c & 1 else (c >> 1)
        _crc_table[n] = c


_crc_init()


cdef inline unsigned int _crc(unsigned int crc, const unsigned char* buf, Py_ssize_t n) noexcept nogil:
    """zlib's CRC-32 of ``buf`` continued from ``crc`` (``_crc(_crc(0, a), b) == zlib.crc32(a + b)``)."""
    cdef Py_ssize_t i
    crc = crc ^ 0xFFFFFFFFU
    for i in range(n):
        crc = _crc_table[(crc ^ buf[i]) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFU


cdef inline Py_ssize_t _lower(const unsigned int[:] h, unsigned int x) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = h.shape[0], mid
    while lo < hi:
        mid = (lo + hi) // 2
        if h[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def lookup(str word, const unsigned int[:] hashes, const tok_t[:] ids, list vocab):
    """The number of ``word`` in ``vocab`` through the sorted CRC table (``hashes``, ``ids``), or None."""
    cdef bytes b = word.encode("utf-8")
    cdef unsigned int h = _crc(0, b, len(b))
    cdef Py_ssize_t at = _lower(hashes, h), n = hashes.shape[0]
    while at < n and hashes[at] == h:
        if vocab[ids[at]] == word:
            return int(ids[at])
        at += 1
    return None


def neighbours(list words, Py_ssize_t min_len, Py_ssize_t max_len, const unsigned int[:] hashes, const tok_t[:] ids):
    """For each word, the numbers whose entries in the sorted CRC table (``hashes``, ``ids``) carry the CRC of the
    word or, for a word of ``min_len`` to ``max_len`` characters, of one of its one-character deletions."""
    cdef bytes b
    cdef const unsigned char* p
    cdef Py_ssize_t nb, i, c, n_char, lo, k, n = hashes.shape[0]
    cdef unsigned int h
    cdef Py_ssize_t starts[4 * 64 + 2]
    cdef unsigned int pre[4 * 64 + 2]
    if max_len > 64:
        raise ValueError("max_len > 64")
    out = []
    for w in words:
        got = set()
        b = w.encode("utf-8")
        p = b
        nb = len(b)
        n_char = len(w)
        # the word itself, then each deletion: the CRC of the bytes before the character continued over those after
        h = _crc(0, p, nb)
        lo = _lower(hashes, h)
        while lo < n and hashes[lo] == h:
            got.add(ids[lo])
            lo += 1
        if min_len <= n_char <= max_len:
            c = 0
            for i in range(nb):
                if (p[i] & 0xC0) != 0x80:  # a character starts here
                    starts[c] = i
                    c += 1
            starts[c] = nb
            pre[0] = 0
            for k in range(c):
                pre[k + 1] = _crc(pre[k], p + starts[k], starts[k + 1] - starts[k])
            for k in range(c):
                h = _crc(pre[k], p + starts[k + 1], nb - starts[k + 1])
                lo = _lower(hashes, h)
                while lo < n and hashes[lo] == h:
                    got.add(ids[lo])
                    lo += 1
        out.append(got)
    return out
