# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled tokenizer of the name passes: :func:`normalizer.spans.tokenize` (``_name_starts`` and ``_tokens_at``)
with the per-character work in C: the capitals of the caller's string at word starts, their folded offsets (and
the check that they come back), the Arabic words, particles and articles of the folded text, each word's original
span, and the words inside spans already taken.

The Python code in ``spans.py`` stays the reference and runs whenever this returns None (a capital the fold moved,
an astral capital: every word is then read there).  ``tests/test_exact_identity.py`` compares the default
pipeline's ``explain=True`` output on both paths.
"""

from cpython.object cimport PyObject, PyTypeObject
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.stdlib cimport free, malloc

cdef extern from "_slots.h":
    object nz_new_slotted(PyTypeObject* tp, Py_ssize_t n, const Py_ssize_t* offs, PyObject** vals)
    int nz_slot_offsets(object cls, object fields, Py_ssize_t* out) except -1

cdef extern from "Python.h":
    bint Py_UNICODE_ISUPPER(Py_UCS4 ch)
    bint Py_UNICODE_ISALNUM(Py_UCS4 ch)
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)


cdef Py_ssize_t* _ints(object values) except NULL:
    cdef Py_ssize_t i, n = len(values)
    cdef Py_ssize_t* out = <Py_ssize_t*>malloc((n + 1) * sizeof(Py_ssize_t))
    if out == NULL:
        raise MemoryError()
    for i in range(n):
        out[i] = values[i]
    return out


cdef inline Py_ssize_t _bisect_right(const Py_ssize_t* a, Py_ssize_t n, Py_ssize_t x) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


cdef inline Py_ssize_t _orig(const Py_ssize_t* fpos, const Py_ssize_t* opos, Py_ssize_t nb, Py_ssize_t i,
                             Py_ssize_t m, Py_ssize_t n) noexcept nogil:
    """``Folded.orig``: folded index -> original index (``m``: folded length, ``n``: original length)."""
    cdef Py_ssize_t k
    if i >= m:
        return n
    k = _bisect_right(fpos, nb, i) - 1
    return opos[k] + (i - fpos[k]) if k >= 0 else i


cdef class Tokenizer:
    """The constants of one :class:`~normalizer.names.keys.Variants` (particles, articles) and the token maker."""

    cdef frozenset specials, articles, free_articles
    cdef Py_ssize_t longest
    cdef object token_of_raw, make, cls
    cdef dict keys  # lang -> {raw word -> its TokenKey}: token_of_raw's answers, looked up without a call
    cdef Py_ssize_t offs[6]
    cdef readonly bint direct  # Token slots set directly (else make() is called)
    cdef public bint usable

    def __init__(self, specials, articles, free_articles, token_of_raw, make, cls=None, fields=()):
        """``specials``: folded particles and articles (words that start a token in lower case too);
        ``token_of_raw(raw, lang)``: a word's TokenKey; ``make(start, end, key, cap, upper, folded)``: a Token;
        ``cls``, ``fields``: the Token class and its six slots in that order (set directly when it is a slotted
        class without instance dict; else ``make`` is called)."""
        self.specials, self.articles = frozenset(specials), frozenset(articles)
        self.free_articles = frozenset(free_articles)
        self.longest = max((len(w) for w in self.specials), default=0)
        self.token_of_raw, self.make, self.cls = token_of_raw, make, cls
        self.keys = {}
        self.direct = cls is not None and len(fields) == 6 and nz_slot_offsets(cls, tuple(fields), self.offs) == 1
        # a special word with a space (or none at all) is not what the word-at-a-time test below reads
        self.usable = all(w and not any(c.isspace() for c in w) for w in self.specials)

    cdef object _token(self, Py_ssize_t s, Py_ssize_t e, str raw, object lang, bint cap, str f):
        cdef PyObject* vals[6]
        cdef object start, end, upper, ocap
        words = self.keys.get(lang)
        if words is None:
            words = self.keys[lang] = {}
        key = (<dict>words).get(raw)
        if key is None:
            if len(<dict>words) >= 100_000:
                (<dict>words).clear()
            key = (<dict>words)[raw] = self.token_of_raw(raw, lang)
        start, end, upper, ocap = s, e, raw.isupper(), True if cap else False
        if not self.direct:
            return self.make(start, end, key, ocap, upper, f)
        vals[0] = <PyObject*>start
        vals[1] = <PyObject*>end
        vals[2] = <PyObject*>key
        vals[3] = <PyObject*>ocap
        vals[4] = <PyObject*>upper
        vals[5] = <PyObject*>f
        return nz_new_slotted(<PyTypeObject*>self.cls, 6, self.offs, vals)

    def tokens(self, str source, str text, object fpos, object opos, object skip, object lang):
        """``spans.tokenize``'s tokens, or None where the reference must read every word."""
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(source), m = PyUnicode_GET_LENGTH(text)
        cdef int sk = PyUnicode_KIND(source), tk = PyUnicode_KIND(text)
        cdef void* sd = PyUnicode_DATA(source)
        cdef void* td = PyUnicode_DATA(text)
        cdef Py_ssize_t nb = len(fpos), p, q, k, fp, at, fs, fe, s, e, i, nt = 0
        cdef Py_UCS4 c, prev
        cdef Py_ssize_t* fp_a = NULL
        cdef Py_ssize_t* op_a = NULL
        cdef Py_ssize_t* ts = NULL
        cdef Py_ssize_t* te = NULL
        cdef unsigned char* start = NULL
        cdef bint arabic, cap
        if not self.usable:
            return None
        try:
            start = <unsigned char*>malloc(m + 1)
            if start == NULL:
                raise MemoryError()
            for p in range(m + 1):
                start[p] = 0
            if nb:
                fp_a, op_a = _ints(fpos), _ints(opos)
            # the capitals of the caller's string that start a word (an astral capital: the reference's case)
            prev = 0
            for p in range(n):
                c = PyUnicode_READ(sk, sd, p)
                if c >= 0x10000:
                    if Py_UNICODE_ISUPPER(c):
                        return None
                elif Py_UNICODE_ISUPPER(c) and (p == 0 or not Py_UNICODE_ISALNUM(prev)):
                    at = p
                    if nb:  # original -> folded, and back again to check
                        k = _bisect_right(op_a, nb, at) - 1
                        if k < 0:
                            k = 0
                        fp = fp_a[k] + (at - op_a[k]) if at >= op_a[0] else at
                        if _orig(fp_a, op_a, nb, fp, m, n) != at:
                            return None
                    else:
                        fp = at
                    if fp >= m or (fp and PyUnicode_READ(tk, td, fp - 1) != 32):
                        return None
                    start[fp] = 1
                prev = c
            # Arabic words, particles and articles of the folded text
            p = 0
            while p < m:
                if p and not Py_UNICODE_ISSPACE(PyUnicode_READ(tk, td, p - 1)):
                    p += 1
                    continue
                c = PyUnicode_READ(tk, td, p)
                if 0x600 <= c <= 0x6ff:
                    start[p] = 1
                elif not Py_UNICODE_ISSPACE(c):
                    q = p + 1
                    while q < m and q - p <= self.longest and not Py_UNICODE_ISSPACE(PyUnicode_READ(tk, td, q)):
                        q += 1
                    if q - p <= self.longest and text[p:q] in self.specials:
                        start[p] = 1
                p += 1
            # spans already taken, by start
            if skip:
                taken = sorted(skip)
                nt = len(taken)
                ts = <Py_ssize_t*>malloc(nt * sizeof(Py_ssize_t))
                te = <Py_ssize_t*>malloc(nt * sizeof(Py_ssize_t))
                if ts == NULL or te == NULL:
                    raise MemoryError()
                for i in range(nt):
                    ts[i], te[i] = taken[i]
            out = []
            for fs in range(m):
                if not start[fs]:
                    continue
                fe = fs
                while fe < m and PyUnicode_READ(tk, td, fe) != 32:
                    fe += 1
                if nb:
                    s, e = _orig(fp_a, op_a, nb, fs, m, n), _orig(fp_a, op_a, nb, fe, m, n)
                    if e <= s and fe > fs:  # the word lies inside one expanded character
                        e = _orig(fp_a, op_a, nb, fe - 1, m, n) + 1
                else:
                    s, e = fs, fe
                if nt:
                    k = _bisect_right(ts, nt, s) - 1
                    if k >= 0 and s < te[k]:
                        continue  # inside an exact match
                if fe == fs:
                    continue
                f = text[fs:fe]
                c = PyUnicode_READ(tk, td, fs)
                arabic = 0x600 <= c <= 0x6ff
                raw = source[s:e]
                cap = arabic or (e > s and Py_UNICODE_ISUPPER(PyUnicode_READ(sk, sd, s)))
                if f in self.articles and f not in self.free_articles and e < n \
                        and PyUnicode_READ(sk, sd, e) not in (0x2D, 0x2010, 0x2011, 0x2013):
                    continue  # "en", "as", "es": a word, not an article, unless hyphenated (ad-Dawla)
                out.append(self._token(s, e, raw, lang, cap, f))
            return out
        finally:
            free(start)
            free(fp_a)
            free(op_a)
            free(ts)
            free(te)


cdef inline bint _gap_char(Py_UCS4 c) noexcept:
    """A character that may stand between two words of one name (spans.GAP_OK)."""
    return (Py_UNICODE_ISSPACE(c) or c == 0x2D or c == 0x2010 or c == 0x2011 or c == 0x2013 or c == 0x27
            or c == 0x2019 or c == 0x2BC or c == 0x60)


def runs(list tokens, str source, bytearray occupied, bint strict=True):
    """``spans.runs`` with the gaps and the taken positions (``Taken.occupancy``) read in C; ``strict=False``:
    ``fuzzy_pass._runs`` (tokens only spaces, hyphens or apostrophes apart: no paragraph or dot rule)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(source), nocc = len(occupied), a, b, p, s, e, nl
    cdef int sk = PyUnicode_KIND(source)
    cdef void* sd = PyUnicode_DATA(source)
    cdef unsigned char* occ = occupied
    cdef Py_UCS4 c
    cdef bint ok, taken
    out = []
    cur = []
    for tok in tokens:
        s, e = tok.start, tok.end
        if cur:
            prev = cur[len(cur) - 1]  # (no wraparound in this module)
            a, b = prev.end, s
            ok, nl = True, 0
            p = a
            while p < b and p < n:
                c = PyUnicode_READ(sk, sd, p)
                if c == 10:
                    nl += 1
                if not _gap_char(c):
                    ok = False
                    break
                p += 1
            if not strict:
                if not ok:
                    out.append(cur)
                    cur = []
            elif (not ok or nl > 1) and not (  # U.N.: a dot between single capitals keeps the run
                    b == a + 1 and PyUnicode_READ(sk, sd, a) == 0x2E and len(tok.folded) == 1
                    and len(prev.folded) == 1 and tok.upper and prev.upper):
                out.append(cur)
                cur = []
        if e <= s:
            taken = 0 <= s < nocc and occ[s] == 1
        else:
            taken = False
            p = s if s > 0 else 0
            while p < e and p < nocc:
                if occ[p] == 1:
                    taken = True
                    break
                p += 1
        if taken:
            if cur:
                out.append(cur)
            cur = []
            continue
        cur.append(tok)
    if cur:
        out.append(cur)
    return out
