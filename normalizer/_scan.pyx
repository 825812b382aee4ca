# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled exact path: :meth:`Scanner.find <normalizer.scan.Scanner.find>` and the mentions of its hits
(:func:`normalizer.decide.mention_from_hit`), the same steps as the Python in ``scan.py`` and ``decide.py``
with the per-character and per-match work in C.  :func:`core` is the pipeline's exact path in one call (``decide.
core_mentions``): the scan, the hit selection (``decide.select_hits``) and the mentions, plus two flags that let
the pipeline skip ``restore_inflected`` and ``borrowed_checks`` when no mention can need them; without explain
its hits carry no key (only explanations show it).  The fast fold (``_fold.pyx``) makes the padded bytes, the
case-inverted fold and the case marks the scan reads in its own pass over the text.

The Python code stays the reference: ``tests/test_exact_identity.py`` runs both paths over the dev texts and the
generator corpora and compares their ``explain=True`` output with digests stored before this module existed.
Rare branches (Arabic proclitics, the shorter-key fallback's key lookup, multi-entity decisions, explain data,
case tests of text without case marks) call the same Python helpers as the reference.
"""

from cpython cimport array
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_DECREF, Py_INCREF
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport (
    PyUnicode_DATA,
    PyUnicode_DecodeUTF8,
    PyUnicode_GET_LENGTH,
    PyUnicode_KIND,
    PyUnicode_READ,
    PyUnicode_Substring,
)
from sys import intern

from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memchr, memset

cdef extern from "_slots.h":
    object nz_new_slotted(PyTypeObject* tp, Py_ssize_t n, const Py_ssize_t* offs, PyObject** vals)
    int nz_slot_offsets(object cls, object fields, Py_ssize_t* out) except -1

cdef extern from *:
    """
    /* An instance of a tuple subclass without instance dict (scan.Hit): tuple.__new__(tp, (a, ..., g)). */
    static PyObject* nz_new_tuple7(PyTypeObject* tp, PyObject* a, PyObject* b, PyObject* c, PyObject* d,
                                   PyObject* e, PyObject* f, PyObject* g) {
        PyObject* vals[7] = {a, b, c, d, e, f, g};
        PyObject* o = tp->tp_alloc(tp, 7);
        if (o == NULL) return NULL;
        for (int i = 0; i < 7; i++) { Py_INCREF(vals[i]); PyTuple_SET_ITEM(o, i, vals[i]); }
        return o;
    }
    """
    object nz_new_tuple7(PyTypeObject* tp, PyObject* a, PyObject* b, PyObject* c, PyObject* d, PyObject* e,
                         PyObject* f, PyObject* g)

cdef enum:
    F_ARABIC = 1
    F_ARTICLE = 2
    F_UPPER = 4
    F_NEEDCAP = 8
    MODE_IDENTITY = 0
    MODE_FAST = 1  # only space runs collapsed: original = folded + breakpoints at or before it
    MODE_GENERAL = 2  # Folded.span over the breakpoint arrays

cdef struct HitPos:
    Py_ssize_t start
    Py_ssize_t end
    Py_ssize_t idx


DEF CAP_U = 85  # b"U" in the case marks
DEF CAP_L = 108  # b"l"

cdef str FALLBACK = "fallback:shorter"
cdef tuple FALLBACK_T = (FALLBACK,)
cdef object FALSE = False
cdef tuple EMPTY = ()


cdef inline object _hit(object tp, object a, object b, object c, object d, object e, object f, object g):
    return nz_new_tuple7(<PyTypeObject*>tp, <PyObject*>a, <PyObject*>b, <PyObject*>c, <PyObject*>d, <PyObject*>e,
                         <PyObject*>f, <PyObject*>g)


cdef inline bint _is_arabic(Py_UCS4 c) nogil:
    return 0x600 <= c <= 0x6ff or 0x750 <= c <= 0x77f or 0x8a0 <= c <= 0x8ff


cdef inline bint _is_apostrophe(Py_UCS4 c) nogil:
    return c == 0x27 or c == 0x2019 or c == 0x2bc or c == 0x2018 or c == 0x60 or c == 0xb4 or c == 0x2032


cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)
    bint Py_UNICODE_ISALPHA(Py_UCS4 ch)
    bint Py_UNICODE_ISUPPER(Py_UCS4 ch)
    bint Py_UNICODE_ISLOWER(Py_UCS4 ch)
    bint Py_UNICODE_ISTITLE(Py_UCS4 ch)


cdef bint _shouting_word(int kind, void* data, Py_ssize_t a, Py_ssize_t b, bint* has_alpha):
    """For ``w = source[a:b]``: ``w.isupper() and sum(c.isalpha() for c in w) >= 2``; ``has_alpha``: any alpha."""
    cdef Py_ssize_t i, alpha = 0
    cdef bint cased = False, lower = False
    cdef Py_UCS4 c
    for i in range(a, b):
        c = PyUnicode_READ(kind, data, i)
        if Py_UNICODE_ISALPHA(c):
            alpha += 1
        if Py_UNICODE_ISLOWER(c) or Py_UNICODE_ISTITLE(c):
            lower = True
        elif Py_UNICODE_ISUPPER(c):
            cased = True
    has_alpha[0] = alpha > 0
    return cased and not lower and alpha >= 2


cdef bint _shouting(str source, Py_ssize_t start, Py_ssize_t end):
    """``affixes.shouting``: the last word in the 40 characters before and the first in the 40 after (str.split's
    words, cut at the window) are both all-capitals words of two letters or more."""
    cdef int kind = PyUnicode_KIND(source)
    cdef void* data = PyUnicode_DATA(source)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(source), lo = start - 40 if start > 40 else 0
    cdef Py_ssize_t hi = end + 40 if end + 40 < n else n, i, j
    cdef bint ok1 = True, ok2 = True, a1 = False, a2 = False
    cdef int words = 0
    i = start - 1
    while i >= lo and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)):
        i -= 1
    if i >= lo:  # a word ends at i
        j = i
        while j >= lo and not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)):
            j -= 1
        ok1 = _shouting_word(kind, data, j + 1, i + 1, &a1)
        words += a1
    i = end
    while i < hi and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)):
        i += 1
    if i < hi:
        j = i
        while j < hi and not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)):
            j += 1
        ok2 = _shouting_word(kind, data, i, j, &a2)
        words += a2
    return words == 2 and ok1 and ok2


def shouting(str source, Py_ssize_t start, Py_ssize_t end):
    """The compiled ``affixes.shouting`` (for the tests)."""
    return _shouting(source, start, end)


cdef class _Scan:
    """One ``find`` over one folded text (one automaton pass at a time)."""

    cdef MatcherView v
    cdef str source, padded
    cdef bytes utf8  # padded as UTF-8 (general fold; None: encoded per call)
    cdef bint want_key  # hits carry their key (else None: core() without explain)
    cdef HitStore store  # core(): the hits as arrays (None: Hit tuples appended to ``hits``)
    # accept()'s hit when it returns True
    cdef Py_ssize_t cur_start, cur_end, cur_fend
    cdef bint cur_inflected
    cdef object cur_rows, cur_rules, cur_key
    cdef object suffixes
    cdef list hits
    cdef const unsigned char* flags
    cdef int kind, skind
    cdef void* data
    cdef void* sdata
    cdef Py_ssize_t n, slen, short, maxlen, min_alias, ftext_len
    cdef const char* caps
    cdef Py_ssize_t ncaps
    cdef object caps_obj
    cdef int mode
    cdef Py_ssize_t* fpos
    cdef Py_ssize_t* opos
    cdef Py_ssize_t nbp

    def __dealloc__(self):
        free(self.fpos)
        free(self.opos)

    # ----------------------------------------------------------------------------------------------- text
    cdef inline Py_UCS4 ch(self, Py_ssize_t i):
        return PyUnicode_READ(self.kind, self.data, i)

    cdef Py_ssize_t find_space(self, Py_ssize_t a, Py_ssize_t b):
        """``padded.find(" ", a, b)``"""
        if b > self.n:
            b = self.n
        if a < 0:
            a = 0
        while a < b:
            if PyUnicode_READ(self.kind, self.data, a) == 32:
                return a
            a += 1
        return -1

    cdef Py_ssize_t rfind_space(self, Py_ssize_t a, Py_ssize_t b):
        """``padded.rfind(" ", a, b)``"""
        if b > self.n:
            b = self.n
        if a < 0:
            a = 0
        b -= 1
        while b >= a:
            if PyUnicode_READ(self.kind, self.data, b) == 32:
                return b
            b -= 1
        return -1

    cdef bint caps_has(self, int mark, Py_ssize_t a, Py_ssize_t b):
        """``caps.find(mark, a, b) != -1``"""
        if b > self.ncaps:
            b = self.ncaps
        if a < 0:
            a = 0
        if b <= a:
            return False
        return memchr(self.caps + a, mark, b - a) != NULL

    # ------------------------------------------------------------------------------------------- offsets
    cdef void set_breakpoints(self, tuple fpos, tuple opos) except *:
        cdef Py_ssize_t i, k = len(fpos)
        free(self.fpos)
        free(self.opos)
        self.fpos = <Py_ssize_t*>malloc((k + 1) * sizeof(Py_ssize_t))
        self.opos = <Py_ssize_t*>malloc((k + 1) * sizeof(Py_ssize_t))
        if self.fpos == NULL or self.opos == NULL:
            raise MemoryError()
        for i in range(k):
            self.fpos[i] = fpos[i]
        if opos is not None:
            for i in range(k):
                self.opos[i] = opos[i]
        self.nbp = k

    cdef Py_ssize_t bisect_right(self, Py_ssize_t x):
        cdef Py_ssize_t lo = 0, hi = self.nbp, mid
        while lo < hi:
            mid = (lo + hi) >> 1
            if x < self.fpos[mid]:
                hi = mid
            else:
                lo = mid + 1
        return lo

    cdef Py_ssize_t orig(self, Py_ssize_t i):
        """``Folded.orig``"""
        cdef Py_ssize_t k
        if i >= self.ftext_len:
            return self.slen
        if self.nbp == 0:
            return i
        k = self.bisect_right(i) - 1
        if k < 0:
            return i
        return self.opos[k] + (i - self.fpos[k])

    cdef void span(self, Py_ssize_t a, Py_ssize_t b, Py_ssize_t* start, Py_ssize_t* end):
        """Folded ``[a, b)`` -> original ``[start, end)`` (``_identity``, ``_fast_span`` or ``Folded.span``)."""
        cdef Py_ssize_t os, oe
        if self.mode == MODE_IDENTITY:
            start[0], end[0] = a, b
        elif self.mode == MODE_FAST:
            start[0] = a + self.bisect_right(a)
            end[0] = b + self.bisect_right(b) if b < self.ftext_len else self.slen
        else:
            os = self.orig(a)
            oe = self.orig(b)
            if oe <= os and b > a:
                oe = self.orig(b - 1) + 1
            if b > a and b < self.ftext_len and self.ch(b + 1) != 32:  # folded.text[b] is padded[b + 1]
                oe = max(self.orig(b - 1) + 1, os)
            start[0], end[0] = os, oe

    # ------------------------------------------------------------------------------------------- matches
    cdef list matches(self, object ac, object raw, Py_ssize_t lo, Py_ssize_t hi):
        """``Scanner._matches``: leftmost-longest matches in ``padded[lo:hi]`` in str offsets."""
        cdef list ms, out
        cdef bytes b
        cdef str sub
        cdef const unsigned char* p
        cdef Py_ssize_t pb, pc, s, e, i, nb
        cdef tuple t
        if raw is not None:
            ms = ac.find(raw if lo == 0 and hi == PyBytes_GET_SIZE(raw) else raw[lo:hi])
            if lo == 0:
                return ms
            return [(<Py_ssize_t>t[0] + lo, <Py_ssize_t>t[1] + lo, t[2]) for t in ms]
        if lo == 0 and hi == self.n and self.utf8 is not None:  # the whole text: encoded once for both passes
            if PyBytes_GET_SIZE(self.utf8) == self.n:  # ASCII
                return ac.find(self.utf8)
            b = self.utf8
        else:
            sub = PyUnicode_Substring(self.padded, lo, hi)
            if sub.isascii():
                ms = ac.find(sub.encode("ascii"))
                if lo == 0:
                    return ms
                return [(<Py_ssize_t>t[0] + lo, <Py_ssize_t>t[1] + lo, t[2]) for t in ms]
            b = sub.encode("utf-8")
        ms = ac.find(b)
        p = <const unsigned char*>PyBytes_AS_STRING(b)
        out = []
        pb = pc = 0
        for t in ms:  # UTF-8 byte offsets -> str offsets (matches do not overlap and come in order)
            s, e = t[0], t[1]
            for i in range(pb, s):
                if (p[i] & 0xC0) != 0x80:
                    pc += 1
            s = pc
            for i in range(t[0], e):
                if (p[i] & 0xC0) != 0x80:
                    pc += 1
            out.append((s + lo, pc + lo, t[2]))
            pb = e
        return out

    cdef void run(self, object ac, array.array pkeys_arr, object raw) except *:
        """``Scanner._scan``"""
        cdef list todo = [(0, self.n)]
        cdef const unsigned int* pkeys = pkeys_arr.data.as_uints
        if pkeys_arr.ob_descr.itemsize != sizeof(unsigned int):
            raise TypeError("key numbers must be an array of unsigned int")
        cdef Py_ssize_t lo, hi, s, e, w, nxt, a, b
        cdef unsigned int k
        cdef unsigned char f
        cdef Py_ssize_t n = self.n
        cdef object t
        cdef tuple mt, rules
        while todo:
            lo, hi = todo.pop()
            for t in self.matches(ac, raw, lo, hi):
                mt = <tuple>t
                s = <Py_ssize_t>mt[0]
                e = <Py_ssize_t>mt[1]
                k = pkeys[<Py_ssize_t>mt[2]]
                f = self.flags[k]
                if e < n and self.ch(e) != 32 and not (f & F_ARABIC) and self.find_space(s + 1, e) == -1:
                    # one word ending inside a longer one: only a fused suffix can save it (no shorter key)
                    if e - s < self.v.short:
                        continue
                    w = self.find_space(e, n)
                    if PyUnicode_Substring(self.padded, e, n if w == -1 else w) not in self.suffixes:
                        continue
                if ((f & F_NEEDCAP) and not (f & F_ARABIC)
                        and (e == n or self.ch(e) == 32) and ((f & F_UPPER) or self.find_space(s + 1, e) == -1)):
                    self.span(s, e - 1, &a, &b)
                    if not self.caps_has(CAP_U, a, b):  # no capital: accept's F_NEEDCAP test rejects it
                        continue
                if self.accept(k, s, e):
                    self.push()
                    rules = <tuple>self.cur_rules
                    if rules[PyTuple_GET_SIZE(rules) - 1] == FALLBACK:
                        todo.append((self.cur_fend, min(n, e + self.v.maxlen)))
                else:  # rejected: what started inside this span was hidden by it; look again
                    nxt = self.find_space(s + 1, e)
                    if nxt != -1:
                        todo.append((nxt, min(n, e + self.v.maxlen)))

    cdef bint accept(self, unsigned int k, Py_ssize_t s, Py_ssize_t e) except -1:
        """``Scanner._accept``: True with the hit in the ``cur_*`` fields"""
        cdef unsigned char f = self.flags[k]
        cdef list rules = None
        cdef Py_ssize_t ws, name_start, w, start, end, n = self.n, nrows, i
        cdef bint inflected = False, has_upper, all_upper
        cdef str prefix, tail, text = None, key, case
        cdef tuple rows, ok, r, out_rules
        cdef object art
        if f & F_ARABIC:
            ws = self.rfind_space(0, s) + 1
            prefix = PyUnicode_Substring(self.padded, ws, s)
            if prefix:
                if not self.v.proclitic_re.match(prefix):
                    return False
                rules = [f"proclitic:{prefix}"]
            if f & F_ARTICLE:
                art = self.v.article
                if not (prefix.endswith(art) or prefix.endswith("لل")):
                    return False
            name_start = s
        else:
            name_start = s + 1
        if e < n and self.ch(e) != 32:
            w = self.find_space(e, n)
            tail = PyUnicode_Substring(self.padded, e, n if w == -1 else w)
            if e - name_start >= self.v.min_alias and tail in self.suffixes:
                inflected = True
                rules = (rules or []) + [f"suffix-fused:{tail}"]
            else:
                return self.shorter(s, e)
        self.span(name_start - 1, e - 1, &start, &end)
        has_upper = self.caps_has(CAP_U, start, end)  # affixes.case_flags(text), on the case marks
        all_upper = has_upper and not self.caps_has(CAP_L, start, end)
        if (f & F_NEEDCAP) and not has_upper:  # lower-case 'time' for the acronym TIME: no alias can accept it
            if (f & F_UPPER) or self.find_space(s + 1, e) == -1:
                return False
            return self.shorter(s, e)
        rows = self.v.rows_for(k)
        if end < self.slen and _is_apostrophe(PyUnicode_READ(self.skind, self.sdata, end)) and e < n - 1:
            rules = (rules or []) + ["suffix-apostrophe"]
        nrows = PyTuple_GET_SIZE(rows)
        if nrows == 1:
            case = (<tuple>rows[0])[1]
            if case == "any" or (has_upper if case == "cased" else all_upper if case == "upper"
                                 else self._text(text, start, end) == (<tuple>rows[0])[0]):
                ok = rows
            else:
                ok = ()
        else:
            kept = []
            for i in range(nrows):
                r = <tuple>rows[i]
                case = r[1]
                if case == "any" or (has_upper if case == "cased" else all_upper if case == "upper"
                                     else self._text(text, start, end) == r[0]):
                    kept.append(r)
            ok = tuple(kept)
        if not ok:
            return self.shorter(s, e) if self.find_space(name_start, e) != -1 else False
        key = PyUnicode_Substring(self.padded, name_start, e) if self.want_key else None  # (for explain only)
        if e - name_start <= 2:
            for r in ok:
                if r[1] != "upper":
                    break
            else:
                if _shouting(self.source, start, end):
                    return False
        if inflected:
            w = self.find_space(e, n)
            self.span(name_start - 1, (n if w == -1 else w) - 1, &ws, &end)
        if rules:
            out_rules = ("alias", *rules, f"case:{(<tuple>ok[0])[1]}")
        else:
            out_rules = self.v.plain_rules[(<tuple>ok[0])[1]]
        self.cur_start, self.cur_end, self.cur_fend, self.cur_inflected = start, end, e, inflected
        self.cur_rows, self.cur_rules, self.cur_key = ok, out_rules, key
        return True

    cdef str _text(self, str text, Py_ssize_t start, Py_ssize_t end):
        return text if text is not None else PyUnicode_Substring(self.source, start, end)

    cdef bint shorter(self, Py_ssize_t s, Py_ssize_t e) except -1:
        """``Scanner._shorter``: the longest shorter key at ``s`` (True: its hit in the ``cur_*`` fields)."""
        cdef Py_ssize_t pos = self.rfind_space(s + 1, e)
        cdef bint arabic = s < self.n and _is_arabic(self.ch(s))
        cdef Py_ssize_t k
        cdef object index = self.v.index
        while pos > s:
            k = index.find(PyUnicode_Substring(self.padded, s, pos) if arabic
                           else PyUnicode_Substring(self.padded, s + 1, pos))
            if k >= 0:
                if self.accept(<unsigned int>k, s, pos):  # hit._replace(rules=hit.rules + _FALLBACK)
                    self.cur_rules = <tuple>self.cur_rules + FALLBACK_T
                    return True
            pos = self.rfind_space(s + 1, pos)
        return False

    cdef int push(self) except -1:
        """The accepted hit (``cur_*``) into the store, or as a Hit tuple into ``hits``."""
        if self.store is not None:
            return self.store.add(self.cur_start, self.cur_end, self.cur_fend, self.cur_inflected, self.cur_rows,
                                  self.cur_rules, self.cur_key)
        self.hits.append(_hit(self.v.hit_type, self.cur_start, self.cur_end, self.cur_rows, self.cur_rules,
                              self.cur_inflected, self.cur_fend, self.cur_key))
        return 0


cdef class HitStore:
    """core()'s hits: positions in a C array (what the selection sorts), their rows, rules and keys in lists."""

    cdef HitPos* pos
    cdef Py_ssize_t n, cap
    cdef list rows, rules, keys
    cdef bytearray inflected

    def __cinit__(self):
        self.pos = NULL
        self.n = self.cap = 0
        self.rows, self.rules, self.keys, self.inflected = [], [], [], bytearray()

    def __dealloc__(self):
        free(self.pos)

    cdef int add(self, Py_ssize_t start, Py_ssize_t end, Py_ssize_t fend, bint inflected, object rows,
                 object rules, object key) except -1:
        cdef HitPos* grown
        if self.n == self.cap:
            self.cap = 2 * self.cap + 16
            grown = <HitPos*>realloc(self.pos, self.cap * sizeof(HitPos))
            if grown == NULL:
                raise MemoryError()
            self.pos = grown
        self.pos[self.n].start = start
        self.pos[self.n].end = end
        self.pos[self.n].idx = self.n
        self.n += 1
        self.rows.append(rows)
        self.rules.append(rules)
        self.keys.append(key)
        self.inflected.append(inflected)
        return 0


cdef unsigned char MARKS[65536]  # case marks per code point (0: not computed yet), as FastFold.cap_bytes


cdef unsigned char _mark(Py_UCS4 cp) except 0:
    """``"."`` not cased, ``"U"`` upper case, ``"l"`` other cased (``c.lower() != c.upper()``)."""
    cdef unsigned char m
    if cp < 65536 and MARKS[cp]:
        return MARKS[cp]
    c = chr(cp)
    m = 46 if c.lower() == c.upper() else CAP_U if c.isupper() else CAP_L
    if cp < 65536:
        MARKS[cp] = m
    return m


def case_marks(str text):
    """The case marks of any text (``FastFold.capitals`` for text outside its alphabet)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef bytes out = PyBytes_FromStringAndSize(NULL, n)
    cdef unsigned char* p = <unsigned char*>PyBytes_AS_STRING(out)
    for i in range(n):
        p[i] = _mark(PyUnicode_READ(kind, data, i))
    return out


def _no_view():
    return None


cdef inline Py_ssize_t _at(array.array a, Py_ssize_t i):
    """``a[i]`` of an unsigned array of any item size (the columns use H, I or Q)."""
    cdef int size = a.ob_descr.itemsize
    if size == 4:
        return a.data.as_uints[i]
    if size == 2:
        return a.data.as_ushorts[i]
    if size == 8:
        return <Py_ssize_t>a.data.as_ulonglongs[i]
    return a[i]


cdef inline str _utf8(bytes blob, array.array ends, Py_ssize_t i):
    """String ``i`` of a StringTable (``blob``, ``ends``)."""
    cdef Py_ssize_t a = _at(ends, i - 1) if i else 0
    return PyUnicode_DecodeUTF8(PyBytes_AS_STRING(blob) + a, _at(ends, i) - a, NULL)


cdef class MatcherView:
    """What the scan reads from an AliasMatcher, looked up once (kept on the matcher as ``_compiled_view``)."""

    cdef object main, upper, index, record, proclitic_re, article, hit_type, plain_rules, fast, fastaux
    cdef dict suffixes_lang
    cdef object suffixes_any
    cdef array.array main_keys, upper_keys
    cdef bytes flags
    cdef dict records, ents
    cdef PyObject** rowcache  # key number -> its rows (owned references; at most ``memo``, then emptied)
    cdef Py_ssize_t nkeys, ncached
    cdef Py_ssize_t short, min_alias, maxlen, memo
    # AliasMatcher.record's columns
    cdef array.array key_alias_ends, key_alias, entity, text_ends, alias_meta, info_ends, id_ends
    cdef bytes text_blob, info_blob, id_blob
    cdef tuple metas

    def __init__(self, matcher, hit_type, plain_rules, Py_ssize_t memo, fast=None, fastaux=None):
        self.main, self.upper = matcher._main, matcher._upper
        self.fast, self.fastaux = fast, fastaux
        self.suffixes_lang, self.suffixes_any = matcher.affixes.suffixes_lang, matcher.affixes.suffixes_any
        self.main_keys, self.upper_keys = matcher._main_keys, matcher._upper_keys
        for keys in (self.main_keys, self.upper_keys):
            if keys.ob_descr.itemsize != sizeof(unsigned int):
                raise TypeError("key numbers must be an array of unsigned int")
        self.flags = matcher._flags
        self.records = matcher._records
        self.index, self.record = matcher._index, matcher.record
        self.proclitic_re, self.article = matcher.affixes.proclitic_re, matcher.affixes.article
        self.short = matcher.affixes.min_alias_length + 1
        self.min_alias = matcher.affixes.min_alias_length
        self.maxlen = matcher.max_key_len
        self.hit_type, self.plain_rules = hit_type, plain_rules
        self.ents, self.memo = matcher._ents, memo
        self.nkeys = len(matcher.keys)
        self.rowcache = <PyObject**>calloc(self.nkeys + 1, sizeof(PyObject*))
        if self.rowcache == NULL:
            raise MemoryError()
        cols = matcher._aliases
        self.key_alias_ends, self.key_alias = matcher._key_alias_ends, matcher._key_alias
        self.entity, self.alias_meta = cols.entity, matcher._alias_meta
        # interned: the case tests compare a row's rule with literals, equal strings then the same object
        self.metas = tuple((intern(c), intern(lg), d) for c, lg, d in matcher._metas)
        self.text_blob, self.text_ends = cols.text.blob, cols.text.ends
        self.info_blob, self.info_ends = matcher._ent_info.blob, matcher._ent_info.ends
        self.id_blob, self.id_ends = cols.entity_ids.blob, cols.entity_ids.ends

    def __dealloc__(self):
        self.clear_rows()
        free(self.rowcache)

    cdef void clear_rows(self) noexcept:
        cdef Py_ssize_t i
        cdef PyObject* p
        if self.rowcache == NULL:
            return
        for i in range(self.nkeys):
            p = self.rowcache[i]
            if p != NULL:
                self.rowcache[i] = NULL
                Py_DECREF(<object>p)
        self.ncached = 0

    cdef inline tuple rows_for(self, Py_ssize_t k):
        """``records.get(k) or record_of(k)`` through an array by key number (no int object, no dict lookup)."""
        cdef PyObject* p = self.rowcache[k]
        cdef tuple rows
        if p != NULL:
            return <tuple>p
        rows = self.records.get(k)
        if not rows:
            rows = self.record_of(k)
        if self.ncached >= self.memo:
            self.clear_rows()
        Py_INCREF(rows)
        self.rowcache[k] = <PyObject*>rows
        self.ncached += 1
        return rows

    def __reduce__(self):  # not pickled: rebuilt on the next find
        return _no_view, ()

    def rows(self, Py_ssize_t k):
        """:meth:`record_of` (for the tests)."""
        return self.record_of(k)

    cdef tuple entity_info(self, Py_ssize_t ec):
        """``AliasMatcher._entity_info``: (id, canonical name, type) of entity number ``ec``."""
        cdef str typed = _utf8(self.info_blob, self.info_ends, ec)
        cdef Py_ssize_t sep = typed.find("\x1f")
        return (_utf8(self.id_blob, self.id_ends, ec), typed[sep + 1:], typed[:sep])

    cdef tuple record_of(self, Py_ssize_t k):
        """``AliasMatcher.record``: the aliases of key number ``k`` as rows, memoised in the matcher's dicts."""
        cdef Py_ssize_t j, i, ec, lo = _at(self.key_alias_ends, k - 1) if k else 0, hi = _at(self.key_alias_ends, k)
        cdef list rows = []
        cdef tuple meta
        for j in range(lo, hi):
            i = _at(self.key_alias, j)
            ec = _at(self.entity, i)
            info = self.ents.get(ec)
            if info is None:
                info = self.entity_info(ec)
                self.ents[ec] = info
            meta = <tuple>self.metas[_at(self.alias_meta, i)]
            rows.append((_utf8(self.text_blob, self.text_ends, i), meta[0], meta[1], meta[2], info))
        out = tuple(rows)
        if len(self.records) >= self.memo:
            self.records.clear()
            self.ents.clear()
        self.records[k] = out
        return out


cdef _Scan _new_scan(MatcherView v, str source, str padded, object suffixes, object caps):
    cdef _Scan sc = _Scan.__new__(_Scan)
    sc.v = v
    sc.source = source
    sc.slen = PyUnicode_GET_LENGTH(source)
    sc.skind = PyUnicode_KIND(source)
    sc.sdata = PyUnicode_DATA(source)
    sc.padded = padded
    sc.n = PyUnicode_GET_LENGTH(padded)
    sc.kind = PyUnicode_KIND(padded)
    sc.data = PyUnicode_DATA(padded)
    sc.ftext_len = sc.n - 1
    sc.suffixes = suffixes
    sc.flags = <const unsigned char*>PyBytes_AS_STRING(v.flags)
    sc.caps_obj = caps
    sc.caps = PyBytes_AS_STRING(caps)
    sc.ncaps = PyBytes_GET_SIZE(caps)
    sc.fpos = sc.opos = NULL
    sc.nbp = 0
    sc.mode = MODE_IDENTITY
    sc.want_key = True
    return sc


def find(matcher, folded, object suffixes, object fast, object fastaux, object hit_type, object plain_rules,
         Py_ssize_t memo):
    """``Scanner.find`` (``fast``, ``fastaux``: the folder's FastFold and the FastAux class, to recognise a fast-path
    fold; ``hit_type``, ``plain_rules``: scan.Hit and scan._PLAIN_RULES; ``memo``: matcher._MEMO).

    One difference in means, none in results: text outside the fast fold's alphabet gets case marks too
    (:func:`case_marks`), so its case tests read them instead of calling ``case_flags`` on the span (the same
    tests: ``tests/test_compiled.py``)."""
    return _find(view(matcher, fast, fastaux, hit_type, plain_rules, memo), folded, suffixes)


def view(matcher, object fast, object fastaux, object hit_type, object plain_rules, Py_ssize_t memo):
    """The matcher's MatcherView (made on first use, kept on the matcher as ``_compiled_view``)."""
    cdef MatcherView v = matcher.__dict__.get("_compiled_view")
    if v is None:
        v = MatcherView(matcher, hit_type, plain_rules, memo, fast, fastaux)
        matcher._compiled_view = v
    return v


def core(matcher, folded, lang, fold_steps, borrowed, MentionMaker maker):
    """``decide.core_mentions``: ``maker.core(find(...), ...)`` in one call (the matcher's suffixes for ``lang``)."""
    cdef MatcherView v = matcher.__dict__.get("_compiled_view")
    if v is None:
        v = matcher.compiled_view()
    suffixes = v.suffixes_lang.get(lang or "", v.suffixes_any)
    cdef HitStore store = HitStore()
    _find(v, folded, suffixes, fold_steps is not None, store)
    return maker.core_store(store, folded.source, lang, fold_steps, borrowed)


cdef list _find(MatcherView v, object folded, object suffixes, bint want_key=True, HitStore store=None):
    cdef object fast = v.fast, fastaux = v.fastaux
    cdef list hits = []
    cdef str text = folded.text
    cdef str source = folded.source
    cdef str padded
    cdef object aux = folded.aux
    cdef bint is_fast = isinstance(aux, fastaux) and aux.fast is fast
    cdef tuple pre = aux.scan if is_fast else None  # made by the compiled fold in its pass (FastFoldC.fold_scan)
    cdef object caps, main_raw, upper_raw
    cdef str plain
    cdef bytes utf8 = None
    cdef _Scan sc
    cdef tuple fpos = folded.fpos
    if pre is not None:
        main_raw, upper_raw, caps, padded, plain = pre
    elif is_fast:
        padded = " " + text
        caps = (<bytes>aux.private).translate(aux.fast.cap_bytes)
        main_raw = b" " + aux.collapsed
        upper_raw = b" " + (<bytes>aux.private).translate(aux.fast.upper_bytes)
        plain = " " + aux.raw.decode("ascii")
    else:
        padded = " " + text
        caps = case_marks(source)
        utf8 = padded.encode("utf-8")
    if v.main is not None:
        sc = _new_scan(v, source, padded, suffixes, caps)
        sc.hits = hits
        sc.want_key = want_key
        sc.store = store
        if is_fast and (fpos or len(text) == len(source)):
            sc.mode = MODE_FAST if fpos else MODE_IDENTITY
            sc.set_breakpoints(fpos, None)
            sc.run(v.main, v.main_keys, main_raw)
        else:
            sc.mode = MODE_GENERAL
            sc.utf8 = utf8
            sc.set_breakpoints(fpos, folded.opos)
            sc.run(v.main, v.main_keys, None)
    # capitals-only keys need a capital in their span (accept's F_NEEDCAP test): none in the text, no hit
    if v.upper is not None and memchr(PyBytes_AS_STRING(caps), CAP_U, PyBytes_GET_SIZE(caps)) != NULL:
        if is_fast:  # capitals-only keys on the case-inverted fold: identity offsets
            sc = _new_scan(v, source, plain, suffixes, caps)
            sc.hits = hits
            sc.want_key = want_key
            sc.store = store
            sc.ftext_len = PyUnicode_GET_LENGTH(plain) - 1
            sc.run(v.upper, v.upper_keys, upper_raw)
        else:
            sc = _new_scan(v, source, padded, suffixes, caps)
            sc.hits = hits
            sc.want_key = want_key
            sc.store = store
            sc.mode = MODE_GENERAL
            sc.utf8 = utf8
            sc.set_breakpoints(fpos, folded.opos)
            sc.run(v.upper, v.upper_keys, None)
    return hits


# ------------------------------------------------------------------------------------------------- mentions
cdef class MentionMaker:
    """``decide.mention_from_hit`` (and its ``_decide`` for hits whose aliases name several entities) for a list
    of hits; Mention and Candidate objects get their slots set directly when their classes are slotted ones
    (else their constructors are called)."""

    cdef object cls, new_mention, explanation, ccls, new_candidate, rank
    cdef tuple scores
    cdef Py_ssize_t offs[14]
    cdef Py_ssize_t coffs[7]
    cdef bint direct, cdirect

    def __init__(self, cls, fields, new_mention, explanation, scores, ccls, cfields, new_candidate, rank):
        """``scores``: 8 ``(score, method)`` of ``decide._match_score``, index ``4 * derived + 2 * (alias spelled
        as in the text) + inflected``; ``rank``: the candidates' sort key (``decide._RANK``)."""
        self.cls, self.new_mention, self.explanation = cls, new_mention, explanation
        self.ccls, self.new_candidate, self.rank = ccls, new_candidate, rank
        self.scores = tuple(scores)
        if len(self.scores) != 8:
            raise ValueError("8 scores expected")
        self.direct = len(fields) == 14 and nz_slot_offsets(cls, tuple(fields), self.offs)
        self.cdirect = len(cfields) == 7 and nz_slot_offsets(ccls, tuple(cfields), self.coffs)

    cdef object _mention(self, str span, object ostart, object oend, object eid, object canonical, object etype,
                         object score, object method, object alias, object alang, object inflected,
                         object ambiguous, tuple candidates, object explain):
        cdef PyObject* vals[14]
        if not self.direct:
            return self.new_mention(span, ostart, oend, eid, canonical, etype, score, method, alias, alang,
                                    inflected, ambiguous, candidates, explain)
        vals[0] = <PyObject*>span
        vals[1] = <PyObject*>ostart
        vals[2] = <PyObject*>oend
        vals[3] = <PyObject*>eid
        vals[4] = <PyObject*>canonical
        vals[5] = <PyObject*>etype
        vals[6] = <PyObject*>score
        vals[7] = <PyObject*>method
        vals[8] = <PyObject*>alias
        vals[9] = <PyObject*>alang
        vals[10] = <PyObject*>inflected
        vals[11] = <PyObject*>ambiguous
        vals[12] = <PyObject*>candidates
        vals[13] = <PyObject*>explain
        return nz_new_slotted(<PyTypeObject*>self.cls, 14, self.offs, vals)

    cdef object _candidate(self, object eid, object canonical, object etype, object score, object alias,
                           object method):
        cdef PyObject* vals[7]
        cdef dict features
        if not self.cdirect:
            return self.new_candidate(eid, canonical, etype, score, alias, method)
        features = {}
        vals[0] = <PyObject*>eid
        vals[1] = <PyObject*>canonical
        vals[2] = <PyObject*>etype
        vals[3] = <PyObject*>score
        vals[4] = <PyObject*>alias
        vals[5] = <PyObject*>method
        vals[6] = <PyObject*>features
        return nz_new_slotted(<PyTypeObject*>self.ccls, 7, self.coffs, vals)

    cdef inline tuple _score(self, tuple a, str span, object inflected):
        return <tuple>self.scores[(4 if a[3] else 0) + (2 if a[0] == span else 0) + (1 if inflected else 0)]

    cdef tuple _best(self, object rows, str span, object lang):
        """``max(rows, key=lambda a: (a[0] == span, lang is not None and a[2] == lang, -len(a[0])))``"""
        cdef tuple a = None, r
        cdef int best0 = 0, best1 = 0, best2 = 0, c0, c1, c2
        for x in rows:
            r = <tuple>x
            c0 = r[0] == span
            c1 = lang is not None and r[2] == lang
            c2 = -PyUnicode_GET_LENGTH(r[0])
            if a is None or c0 > best0 or (c0 == best0 and (c1 > best1 or (c1 == best1 and c2 > best2))):
                a, best0, best1, best2 = r, c0, c1, c2
        return a

    cdef object _decide(self, str span, object ostart, object oend, tuple rows, object inflected, object lang,
                        object explain):
        """``decide._decide``: narrow by exact spelling, then language; else an ambiguous mention."""
        cdef dict by_entity = {}, pool, best = {}
        cdef list group, cands, ranked, exact, same
        cdef tuple a, sc, info
        for x in rows:
            eid = (<tuple>(<tuple>x)[4])[0]
            group = by_entity.get(eid)
            if group is None:
                by_entity[eid] = [x]
            else:
                group.append(x)
        pool = by_entity
        if len(pool) > 1:
            exact = [i for i, al in pool.items() if any([(<tuple>y)[0] == span for y in al])]
            if 0 < len(exact) < len(pool):
                pool = {i: pool[i] for i in exact}
        if len(pool) > 1 and lang:
            same = [i for i, al in pool.items() if any([(<tuple>y)[2] == lang for y in al])]
            if 0 < len(same) < len(pool):
                pool = {i: pool[i] for i in same}
        cands = []
        for eid, al in by_entity.items():
            a = <tuple>(<list>al)[0] if len(<list>al) == 1 else self._best(al, span, lang)
            best[eid] = a
            sc = self._score(a, span, inflected)
            info = <tuple>a[4]
            cands.append((-sc[0], eid, self._candidate(eid, info[1], info[2], sc[0], a[0], sc[1])))
        cands.sort(key=self.rank)
        ranked = [c[2] for c in cands]
        if len(pool) == 1:
            eid = next(iter(pool))
            a = <tuple>best[eid]
            sc = self._score(a, span, inflected)
            info = <tuple>a[4]
            return self._mention(span, ostart, oend, eid, info[1], info[2], sc[0], sc[1], a[0], a[2], inflected,
                                 FALSE, tuple(ranked) if len(ranked) > 1 else EMPTY, explain)
        top = ranked[0]
        return self._mention(span, ostart, oend, None, None, None, top.score / len(pool), top.method, top.alias,
                             "und", inflected, True, tuple([c for c in ranked if c.id in pool]), explain)

    def mentions(self, list hits, str source, lang, fold_steps):
        """``[mention_from_hit(h, source, lang=lang, fold_steps=fold_steps) for h in hits]``"""
        return self._make(hits, source, lang, fold_steps)

    cdef list _make(self, list hits, str source, lang, fold_steps):
        """The mentions of ``hits``."""
        cdef list out = []
        cdef tuple hit
        cdef int f = 0
        for h in hits:
            hit = <tuple>h
            out.append(self._one(source, hit[0], hit[1], <tuple>hit[2], hit[3], hit[4], hit[6], lang, fold_steps,
                                 None, &f))
        return out

    def core_store(self, HitStore store, str source, lang, fold_steps, borrowed):
        """``decide.core_mentions`` of the hits in a store: ``(mentions of the selected hits, inflected, borrowed)``,
        the last two the indexes of the mentions that may be an inflected form (a derived alias outside ASCII was
        chosen: ``restore_inflected``) and of those that may name an entity with one of its borrowed aliases
        (``borrowed``: entity id -> those alias texts; None: not known, and None returned: every mention)."""
        cdef list out = [], inflected = [], named = []
        cdef Py_ssize_t i, j
        cdef int f
        cdef dict names = borrowed
        store.n = _select_pos(store.pos, store.n)
        for i in range(store.n):
            j = store.pos[i].idx
            f = 0
            out.append(self._one(source, store.pos[i].start, store.pos[i].end,
                                 <tuple>PyList_GET_ITEM(store.rows, j), <object>PyList_GET_ITEM(store.rules, j),
                                 True if store.inflected[j] else FALSE, <object>PyList_GET_ITEM(store.keys, j), lang,
                                 fold_steps, names, &f))
            if f & 1:
                inflected.append(i)
            if f & 2:
                named.append(i)
        return out, inflected, None if names is None else named

    cdef object _one(self, str source, object ostart, object oend, tuple rows, object rules, object inflected,
                     object key, lang, fold_steps, dict borrowed, int* flags):
        """``decide.mention_from_hit`` of one hit (its fields)."""
        cdef tuple a, info, sc
        cdef Py_ssize_t start = ostart, end = oend, i, nrows
        cdef str span, eid
        cdef object explain
        span = PyUnicode_Substring(source, start, end)
        explain = None if fold_steps is None else self.explanation(key, tuple(fold_steps(span)), rules)
        nrows = PyTuple_GET_SIZE(rows)
        if nrows == 1:
            a = <tuple>rows[0]
        else:
            eid = (<tuple>(<tuple>rows[0])[4])[0]
            for i in range(1, nrows):
                if (<tuple>(<tuple>rows[i])[4])[0] != eid:
                    break
            else:
                i = -1
            if i >= 0:
                for i in range(nrows):  # any of the rows may be the mention's (or a candidate's) alias
                    _flag(<tuple>rows[i], borrowed, flags)
                return self._decide(span, ostart, oend, rows, inflected, lang, explain)
            a = self._best(rows, span, lang)
        info = <tuple>a[4]
        sc = self._score(a, span, inflected)
        _flag(a, borrowed, flags)
        return self._mention(span, ostart, oend, info[0], info[1], info[2], sc[0], sc[1], a[0], a[2], inflected,
                             FALSE, EMPTY, explain)


cdef inline void _flag(tuple a, dict borrowed, int* flags):
    """``core_store``'s flags for a mention with alias row ``a``: a derived alias outside ASCII (an inflected form
    matches as one: ``restore_inflected``) and a borrowed name (``borrowed_checks``)."""
    cdef object names
    if a[3] and not (<str>a[0]).isascii():
        flags[0] |= 1
    if borrowed is not None:
        names = borrowed.get((<tuple>a[4])[0])
        if names is not None and a[0] in names:
            flags[0] |= 2


# ------------------------------------------------------------------------------------------- hit selection
cdef int _by_start(const void* x, const void* y) noexcept nogil:
    cdef const HitPos* a = <const HitPos*>x
    cdef const HitPos* b = <const HitPos*>y
    if a.start != b.start:
        return -1 if a.start < b.start else 1
    return -1 if a.idx < b.idx else (1 if a.idx > b.idx else 0)


cdef int _by_preference(const void* x, const void* y) noexcept nogil:
    """Longest first, then leftmost, then in the list's order (``sorted`` is stable)."""
    cdef const HitPos* a = <const HitPos*>x
    cdef const HitPos* b = <const HitPos*>y
    cdef Py_ssize_t la = a.end - a.start, lb = b.end - b.start
    if la != lb:
        return -1 if la > lb else 1
    return _by_start(x, y)


cdef Py_ssize_t _select_pos(HitPos* pos, Py_ssize_t n) except -1:
    """``decide.select_hits`` on positions: sorts ``pos[:n]`` into the chosen hits in start order and returns their
    number (all of them when they are disjoint, else ``non_overlapping``'s choice: longest first, then leftmost,
    then the list's order; an occupancy map of positions)."""
    cdef Py_ssize_t i, c = 0, last = -1, top = 0, s, e
    cdef unsigned char* occ
    for i in range(n):
        if pos[i].end > top:
            top = pos[i].end
    if n > 1:
        qsort(pos, n, sizeof(HitPos), _by_start)
    for i in range(n):
        if pos[i].start < last or pos[i].end <= pos[i].start:
            break
        last = pos[i].end
    else:
        return n
    qsort(pos, n, sizeof(HitPos), _by_preference)
    occ = <unsigned char*>calloc(top + 1, 1)
    if occ == NULL:
        raise MemoryError()
    for i in range(n):
        s = pos[i].start if pos[i].start > 0 else 0
        e = pos[i].end
        if e <= pos[i].start or memchr(occ + s, 1, e - s) != NULL:
            continue
        memset(occ + s, 1, e - s)
        pos[c] = pos[i]  # (c <= i: a slot already read)
        c += 1
    free(occ)
    qsort(pos, c, sizeof(HitPos), _by_start)
    return c


cdef list _select(list hits):
    """``decide.select_hits`` on a list of Hit tuples."""
    cdef Py_ssize_t n = PyList_GET_SIZE(hits), i, c
    cdef tuple t
    cdef HitPos* pos
    if n == 0:
        return hits
    pos = <HitPos*>malloc(n * sizeof(HitPos))
    if pos == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            t = <tuple>PyList_GET_ITEM(hits, i)
            pos[i].start = t[0]
            pos[i].end = t[1]
            pos[i].idx = i
        c = _select_pos(pos, n)
        return [<object>PyList_GET_ITEM(hits, pos[i].idx) for i in range(c)]
    finally:
        free(pos)


def select_hits(list hits):
    """The compiled ``decide.select_hits`` (for the tests)."""
    return _select(hits)
