# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Compiled core of :func:`normalizer.names.score.align`: the word pairs and both coverages, the same steps and the
same float arithmetic as the Python reference (``score._coverage``); ``tests/test_align_identity.py`` compares them.

A pair of words in the same script family (both Arabic script or neither, and not both in one non-Latin script)
is compared here with ``ratio`` on the romanised forms, which is what ``pair_similarity`` does for them; any other
pair goes through ``pair_similarity`` itself.
"""

from libc.stdlib cimport free, malloc


def coverage(list q, list a, object wt, object known, object pair_similarity, object ratio,
             double particle_weight, double min_pair, Py_ssize_t min_joined):
    """(pairs as (similarity, query word numbers, alias word numbers), query coverage, alias coverage)."""
    cdef Py_ssize_t nq = len(q), na = len(a), i, j, k, n = 0, m
    cdef Py_ssize_t cap = nq * na + (nq - 1) * na + (na - 1) * nq + 1
    cdef double s, w, total_a, got_q, cov_a, cov_q, mean_a, sum_q
    cdef tuple qi, aj
    cdef double* sim = <double*>malloc(cap * sizeof(double))
    cdef int* opt = <int*>malloc(cap * 4 * sizeof(int))  # query word, second query word or -1, alias word, second or -1
    cdef Py_ssize_t* order = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
    cdef char* used_q = <char*>malloc(nq + 1)
    cdef char* used_a = <char*>malloc(na + 1)
    cdef double* wa = <double*>malloc((na + 1) * sizeof(double))
    cdef double* wq = <double*>malloc((nq + 1) * sizeof(double))
    cdef char* unknown = <char*>malloc(nq + 1)
    if not (sim and opt and order and used_q and used_a and wa and wq and unknown):
        free(sim); free(opt); free(order); free(used_q); free(used_a); free(wa); free(wq); free(unknown)
        raise MemoryError()
    try:
        qroman = [t.roman for t in q]
        aroman = [t.roman for t in a]
        qarabic = [t.arabic for t in q]
        aarabic = [t.arabic for t in a]
        qscript = [t.script for t in q]
        ascript = [t.script for t in a]
        for j in range(na):
            y = a[j]
            wa[j] = <double>wt(y) * (particle_weight if y.kind == "particle" else 1.0)
        for i in range(nq):
            for j in range(na):
                if qarabic[i] == aarabic[j] and (qscript[i] != ascript[j] or qscript[i] == "latin"):
                    s = <double>ratio(qroman[i], aroman[j]) / 100
                else:
                    s = <double>pair_similarity(q[i], a[j])
                if s >= min_pair:
                    sim[n] = s
                    opt[4 * n], opt[4 * n + 1], opt[4 * n + 2], opt[4 * n + 3] = i, -1, j, -1
                    n += 1
        for i in range(nq - 1):  # two query words written as one (long) alias word, and the reverse
            joined = qroman[i] + qroman[i + 1]
            for j in range(na):
                if len(aroman[j]) >= min_joined:
                    s = <double>ratio(joined, aroman[j]) / 100
                    if s >= min_pair:
                        sim[n] = s
                        opt[4 * n], opt[4 * n + 1], opt[4 * n + 2], opt[4 * n + 3] = i, i + 1, j, -1
                        n += 1
        for j in range(na - 1):
            joined = aroman[j] + aroman[j + 1]
            for i in range(nq):
                if len(qroman[i]) >= min_joined:
                    s = <double>ratio(qroman[i], joined) / 100
                    if s >= min_pair:
                        sim[n] = s
                        opt[4 * n], opt[4 * n + 1], opt[4 * n + 2], opt[4 * n + 3] = i, -1, j, j + 1
                        n += 1
        for k in range(n):  # stable sort, best first (insertion: a few dozen options)
            m = k
            while m > 0 and sim[order[m - 1]] < sim[k]:
                order[m] = order[m - 1]
                m -= 1
            order[m] = k
        for i in range(nq):
            used_q[i] = 0
        for j in range(na):
            used_a[j] = 0
        pairs = []
        cov_a = 0.0
        for m in range(n):
            k = order[m]
            i, j = opt[4 * k], opt[4 * k + 2]
            if used_q[i] or used_a[j] or (opt[4 * k + 1] >= 0 and used_q[opt[4 * k + 1]]) \
                    or (opt[4 * k + 3] >= 0 and used_a[opt[4 * k + 3]]):
                continue
            used_q[i] = used_a[j] = 1
            if opt[4 * k + 1] >= 0:
                used_q[opt[4 * k + 1]] = 1
            if opt[4 * k + 3] >= 0:
                used_a[opt[4 * k + 3]] = 1
            if opt[4 * k + 1] < 0:
                qi = (i,)
            else:
                qi = (i, opt[4 * k + 1])
            if opt[4 * k + 3] < 0:
                aj = (j,)
            else:
                aj = (j, opt[4 * k + 3])
            pairs.append((sim[k], qi, aj))
        for s_, _, aj in pairs:
            for j in aj:
                cov_a += wa[j] * <double>s_
        total_a = 0.0
        for j in range(na):
            total_a += wa[j]
        cov_a = cov_a / total_a
        # a query word weighs its own rarity when the tables know the word; else what the alias word it pairs
        # with weighs; an unpaired one, the alias's mean word
        mean_a = total_a / na
        for i in range(nq):
            t = q[i]
            if known is None or known(t):
                unknown[i] = 0
                w = <double>wt(t)
            else:
                unknown[i] = 1
                w = mean_a
            wq[i] = w * (particle_weight if t.kind == "particle" else 1.0)
        got_q = 0.0
        for s_, qi, aj in pairs:
            w = 0.0
            for j in aj:
                w += wa[j]
            w = w / len(aj)
            for i in qi:
                if unknown[i]:
                    wq[i] = w * (particle_weight if q[i].kind == "particle" else 1.0)
                got_q += wq[i] * <double>s_
        sum_q = 0.0
        for i in range(nq):
            sum_q += wq[i]
        cov_q = got_q / sum_q
        return pairs, cov_q, cov_a
    finally:
        free(sim); free(opt); free(order); free(used_q); free(used_a); free(wa); free(wq); free(unknown)
