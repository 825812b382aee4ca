# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled fold: :meth:`FastFold.fold <normalizer.fastfold.FastFold.fold>` and
:meth:`Folder.fold_general <normalizer.fold.Folder.fold_general>` in one pass over the characters each, with the
same results (the Python versions are the reference: tests/test_fastfold.py and tests/test_exact_identity.py
compare them).
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memset
from cpython.object cimport PyObject, PyTypeObject

cdef extern from "_slots.h":
    object nz_new_slotted(PyTypeObject* tp, Py_ssize_t n, const Py_ssize_t* offs, PyObject** vals)
    int nz_slot_offsets(object cls, object fields, Py_ssize_t* out) except -1

cdef tuple FOLDED_FIELDS = ("text", "source", "fpos", "opos", "aux")
cdef tuple AUX_FIELDS = ("collapsed", "raw", "private", "fast", "scan")


cdef class _Maker:
    """Instances of a slotted class (fold.Folded, fastfold.FastAux) with their slots set directly, else through
    the constructor."""

    cdef object cls
    cdef Py_ssize_t offs[5]
    cdef bint direct

    def __init__(self, cls, tuple fields):
        self.cls = cls
        self.direct = len(fields) == 5 and nz_slot_offsets(cls, fields, self.offs)

    cdef object make(self, object a, object b, object c, object d, object e):
        cdef PyObject* vals[5]
        if not self.direct:
            return self.cls(a, b, c, d, e)
        vals[0], vals[1], vals[2], vals[3], vals[4] = <PyObject*>a, <PyObject*>b, <PyObject*>c, <PyObject*>d, <PyObject*>e
        return nz_new_slotted(<PyTypeObject*>self.cls, 5, self.offs, vals)

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    int PyUnicode_1BYTE_KIND
    int PyUnicode_2BYTE_KIND
    int PyUnicode_4BYTE_KIND

cdef extern from *:
    """#define NZ_UNKNOWN 0xFFFFFFFFu"""
    const unsigned int UNKNOWN "NZ_UNKNOWN"  # a C constant: a DEF this large compared as a Python int per character
DEF DELETE = 0
DEF EXPAND = 1


ctypedef fused uchar_t:
    unsigned char
    unsigned short
    Py_UCS4


cdef struct FastOut:
    unsigned char* private  # one private byte per character
    unsigned char* raw  # its fold, uncollapsed
    unsigned char* main  # " " + the fold with space runs collapsed (the main automaton's input)
    unsigned char* upper  # " " + the case-inverted fold, uncollapsed (the capitals-only automaton's input)
    unsigned char* praw  # " " + raw
    unsigned char* caps  # case marks
    Py_ssize_t* fpos  # breakpoints: one per removed space
    Py_ssize_t* opos
    Py_ssize_t nbp
    Py_ssize_t nmain


cdef bint _fast_loop(const uchar_t* data, Py_ssize_t n, const short* enc, const unsigned char* fmap,
                     const unsigned char* umap, const unsigned char* cmap, FastOut* o) noexcept nogil:
    """One pass: private byte, fold, case-inverted fold, case marks, collapsed fold and breakpoints; False when a
    character is outside the alphabet."""
    cdef Py_ssize_t i, j = 1, k = 0
    cdef Py_UCS4 c
    cdef short p
    cdef unsigned char f, prev = 0
    o.main[0] = 32
    o.upper[0] = 32
    o.praw[0] = 32
    for i in range(n):
        c = data[i]
        if c >= 65536:  # (never for 1- and 2-byte text: the compiler drops it)
            return False
        p = enc[c]
        if p < 0:
            return False
        f = fmap[p]
        o.private[i] = <unsigned char>p
        o.raw[i] = f
        o.praw[i + 1] = f
        o.upper[i + 1] = umap[p]
        o.caps[i] = cmap[p]
        # one breakpoint per removed space: folded index (i - k) is original index (i + 1), k = spaces removed
        # before it (FastFold.fold's numpy steps)
        if f == 32 and prev == 32 and i:
            o.fpos[k] = i - k
            o.opos[k] = i + 1
            k += 1
        else:
            o.main[j] = f
            j += 1
        prev = f
    o.nbp = k
    o.nmain = j
    return True


cdef object _ascii_str(const unsigned char* p, Py_ssize_t n):
    cdef object s = PyUnicode_New(n, 127)
    memcpy(PyUnicode_DATA(s), p, n)
    return s


cdef class FastFoldC:
    """``FastFold.fold``: private byte per character (the charmap alphabet), its fold, space runs collapsed."""

    cdef short enc[65536]  # code point -> private byte, -1 outside the alphabet
    cdef unsigned char fmap[256]
    cdef unsigned char umap[256]
    cdef unsigned char cmap[256]
    cdef bint ok
    cdef _Maker folded, aux
    cdef object fast

    def __init__(self, str alphabet, bytes fold_bytes, bint ok, bytes upper_bytes=None, bytes cap_bytes=None):
        cdef Py_ssize_t i
        cdef Py_UCS4 c
        for i in range(65536):
            self.enc[i] = -1
        for i in range(len(alphabet)):
            c = alphabet[i]
            if c < 65536:
                self.enc[c] = <short>i
        for i in range(256):
            self.fmap[i] = fold_bytes[i]
            self.umap[i] = upper_bytes[i] if upper_bytes is not None else fold_bytes[i]
            self.cmap[i] = cap_bytes[i] if cap_bytes is not None else 46
        self.ok = ok

    def fold(self, str text):
        """``(collapsed folded bytes, uncollapsed folded bytes, private bytes, fpos, opos)`` or None."""
        r = self.fold_scan(text)
        return None if r is None else r[:5]

    def set_classes(self, folded_cls, aux_cls, fast):
        """What :meth:`fold_folded` makes: ``folded_cls(text, source, fpos, opos, aux_cls(collapsed, raw, private,
        fast, scan))`` (fold.Folded, fastfold.FastAux, the FastFold)."""
        self.folded, self.aux, self.fast = _Maker(folded_cls, FOLDED_FIELDS), _Maker(aux_cls, AUX_FIELDS), fast

    def fold_folded(self, str text):
        """``Folder.fold``'s fast path: the Folded of ``text`` (its ``aux`` with :meth:`fold_scan`'s bytes), or None."""
        r = self.fold_scan(text)
        if r is None:
            return None
        scan = <tuple>(<tuple>r)[5]
        aux = self.aux.make(r[0], r[1], r[2], self.fast, scan)
        return self.folded.make((<str>scan[3])[1:], text, r[3], r[4], aux)

    def fold_scan(self, str text):
        """``fold(text)`` plus what the compiled scan reads, from the same pass: ``(..., (" " + collapsed bytes,
        " " + case-inverted fold (bytes), case marks, " " + collapsed text, " " + uncollapsed text))``, or None."""
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef FastOut o
        cdef bint ok
        cdef unsigned char* buf
        if not self.ok:
            return None
        buf = <unsigned char*>malloc(6 * (n + 1) + 2 * (n + 1) * sizeof(Py_ssize_t))
        if buf == NULL:
            raise MemoryError()
        try:
            o.private = buf
            o.raw = buf + (n + 1)
            o.main = buf + 2 * (n + 1)
            o.upper = buf + 3 * (n + 1)
            o.praw = buf + 4 * (n + 1)
            o.caps = buf + 5 * (n + 1)
            o.fpos = <Py_ssize_t*>(buf + 6 * (n + 1))
            o.opos = o.fpos + (n + 1)
            if kind == PyUnicode_1BYTE_KIND:
                ok = _fast_loop(<const unsigned char*>data, n, self.enc, self.fmap, self.umap, self.cmap, &o)
            elif kind == PyUnicode_2BYTE_KIND:
                ok = _fast_loop(<const unsigned short*>data, n, self.enc, self.fmap, self.umap, self.cmap, &o)
            else:
                ok = _fast_loop(<const Py_UCS4*>data, n, self.enc, self.fmap, self.umap, self.cmap, &o)
            if not ok:
                return None
            raw = PyBytes_FromStringAndSize(<char*>o.raw, n)
            if o.nbp:
                collapsed = PyBytes_FromStringAndSize(<char*>o.main + 1, o.nmain - 1)
                fpos = tuple([o.fpos[i] for i in range(o.nbp)])
                opos = tuple([o.opos[i] for i in range(o.nbp)])
            else:
                collapsed, fpos, opos = raw, (), ()
            scan = (PyBytes_FromStringAndSize(<char*>o.main, o.nmain), PyBytes_FromStringAndSize(<char*>o.upper, n + 1),
                    PyBytes_FromStringAndSize(<char*>o.caps, n), _ascii_str(o.main, o.nmain),
                    _ascii_str(o.praw, n + 1))
            return collapsed, raw, PyBytes_FromStringAndSize(<char*>o.private, n), fpos, opos, scan
        finally:
            free(buf)


cdef class GeneralFoldC:
    """``Folder.fold_general``: the folder's per-character table (a code point -> one character, ``"\\x00"``
    deleted, ``"\\x01"`` expanded), read through a lookup array filled from the table as characters are met."""

    cdef unsigned int* lut
    cdef object table, fold_char
    cdef _Maker folded

    def __cinit__(self):
        self.lut = <unsigned int*>malloc(65536 * sizeof(unsigned int))
        if self.lut == NULL:
            raise MemoryError()
        memset(self.lut, 0xFF, 65536 * sizeof(unsigned int))

    def __dealloc__(self):
        free(self.lut)

    def __init__(self, table, fold_char, folded_cls=None):
        self.table, self.fold_char = table, fold_char
        self.folded = None if folded_cls is None else _Maker(folded_cls, FOLDED_FIELDS)

    def fold_folded(self, str text):
        """``Folder.fold_general``: ``Folded(folded text, text, fpos, opos, None)``."""
        cdef tuple r = self.fold(text)
        return self.folded.make(r[0], text, r[1], r[2], None)

    cdef inline unsigned int one(self, unsigned int c) except? 0xFFFFFFFE:
        cdef unsigned int v
        if c < 65536:
            v = self.lut[c]
            if v != UNKNOWN:
                return v
            v = <unsigned int>ord(self.table[<long>c])
            self.lut[c] = v
            return v
        return <unsigned int>ord(self.table[<long>c])

    def fold(self, str text):
        """``(folded text, fpos, opos)``"""
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, j, a, b, flen, last, sp
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef unsigned int* t1 = <unsigned int*>malloc((n + 1) * sizeof(unsigned int))
        cdef unsigned int* out = NULL
        cdef unsigned int c
        cdef bint special = False
        cdef Py_ssize_t cap, m
        cdef list fpos, opos
        cdef str exp
        if t1 == NULL:
            raise MemoryError()
        try:
            for i in range(n):
                c = PyUnicode_READ(kind, data, i)
                c = self.lut[c] if c < 65536 and self.lut[c] != UNKNOWN else self.one(c)
                t1[i] = c
                if c == DELETE or c == EXPAND or (c == 32 and i and (t1[i - 1] == 32 or t1[i - 1] == DELETE)):
                    special = True
            if not special:
                return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, t1, n), (), ()
            cap = n + 16
            out = <unsigned int*>malloc(cap * sizeof(unsigned int))
            if out == NULL:
                raise MemoryError()
            fpos, opos = [], []
            flen = last = 0
            i = 0
            while i < n:
                c = t1[i]
                if c == 32 or c == DELETE:  # [ \x00]{2,} first, then a single \x00
                    j = i + 1
                    while j < n and (t1[j] == 32 or t1[j] == DELETE):
                        j += 1
                    if j - i < 2 and c == 32:
                        i += 1
                        continue
                    if j - i < 2:
                        j = i + 1
                    a, b = i, j
                elif c == EXPAND:
                    a, b = i, i + 1
                else:
                    i += 1
                    continue
                # out += t1[last:a]
                m = a - last
                if flen + m + 1 > cap:
                    cap = 2 * cap + m + 1
                    out = _grow(out, cap)
                for j in range(m):
                    out[flen + j] = t1[last + j]
                flen += m
                if c == EXPAND:
                    exp = self.fold_char(text[a])
                    m = len(exp)
                    if flen + m + 1 > cap:
                        cap = 2 * cap + m + 1
                        out = _grow(out, cap)
                    for j in range(m):
                        fpos.append(flen + j)
                        opos.append(a)
                        out[flen + j] = exp[j]
                    flen += m
                else:
                    sp = -1
                    for j in range(a, b):
                        if t1[j] == 32:
                            sp = j
                            break
                    if sp >= 0:
                        fpos.append(flen)
                        opos.append(sp)
                        out[flen] = 32
                        flen += 1
                fpos.append(flen)
                opos.append(b)
                last = b
                i = b
            m = n - last
            if flen + m > cap:
                cap = flen + m
                out = _grow(out, cap)
            for j in range(m):
                out[flen + j] = t1[last + j]
            flen += m
            return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, flen), tuple(fpos), tuple(opos)
        finally:
            free(t1)
            free(out)


cdef unsigned int* _grow(unsigned int* buf, Py_ssize_t cap) except NULL:
    cdef unsigned int* nb = <unsigned int*>realloc(buf, cap * sizeof(unsigned int))
    if nb == NULL:
        raise MemoryError()
    return nb
