# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled fold: :meth:`FastFold.fold <normalizer.fastfold.FastFold.fold>` and
:meth:`Folder.fold_general <normalizer.fold.Folder.fold_general>` in one pass over the characters each, with the
same results (the Python versions are the reference: tests/test_fastfold.py and tests/test_exact_identity.py
compare them).
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memset

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND

DEF UNKNOWN = 0xFFFFFFFF
DEF DELETE = 0
DEF EXPAND = 1


cdef class FastFoldC:
    """``FastFold.fold``: private byte per character (the charmap alphabet), its fold, space runs collapsed."""

    cdef short enc[65536]  # code point -> private byte, -1 outside the alphabet
    cdef unsigned char fmap[256]
    cdef bint ok

    def __init__(self, str alphabet, bytes fold_bytes, bint ok):
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
        self.ok = ok

    def fold(self, str text):
        """``(collapsed folded bytes, uncollapsed folded bytes, private bytes, fpos, opos)`` or None."""
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, j, k
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_UCS4 c
        cdef short p
        cdef bint runs = False
        if not self.ok:
            return None
        cdef bytes b = PyBytes_FromStringAndSize(NULL, n)
        cdef bytes t = PyBytes_FromStringAndSize(NULL, n)
        cdef unsigned char* pb = <unsigned char*>PyBytes_AS_STRING(b)
        cdef unsigned char* pt = <unsigned char*>PyBytes_AS_STRING(t)
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c >= 65536:
                return None
            p = self.enc[c]
            if p < 0:
                return None
            pb[i] = <unsigned char>p
            pt[i] = self.fmap[p]
            if i and pt[i] == 32 and pt[i - 1] == 32:
                runs = True
        if not runs:
            return t, t, b, (), ()
        cdef bytes col = PyBytes_FromStringAndSize(NULL, n)
        cdef unsigned char* pc = <unsigned char*>PyBytes_AS_STRING(col)
        cdef list fpos = [], opos = []
        # one breakpoint per removed space: folded index (j - k) is original index (j + 1), k = spaces removed
        # before it (FastFold.fold's numpy steps)
        pc[0] = pt[0]
        k = 0
        j = 1
        for i in range(1, n):
            if pt[i] == 32 and pt[i - 1] == 32:
                fpos.append(i - k)
                opos.append(i + 1)
                k += 1
            else:
                pc[j] = pt[i]
                j += 1
        return col[:j], t, b, tuple(fpos), tuple(opos)


cdef class GeneralFoldC:
    """``Folder.fold_general``: the folder's per-character table (a code point -> one character, ``"\\x00"``
    deleted, ``"\\x01"`` expanded), read through a lookup array filled from the table as characters are met."""

    cdef unsigned int* lut
    cdef object table, fold_char

    def __cinit__(self):
        self.lut = <unsigned int*>malloc(65536 * sizeof(unsigned int))
        if self.lut == NULL:
            raise MemoryError()
        memset(self.lut, 0xFF, 65536 * sizeof(unsigned int))

    def __dealloc__(self):
        free(self.lut)

    def __init__(self, table, fold_char):
        self.table, self.fold_char = table, fold_char

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
                c = self.one(PyUnicode_READ(kind, data, i))
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
