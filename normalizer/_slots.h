/* Shared by the compiled modules (_scan.pyx, _fold.pyx): slotted instances made without a call per field. */
#ifndef NZ_SLOTS_H
#define NZ_SLOTS_H
#include <Python.h>
#include <structmember.h>

/* A slotted class's instance with its slots set straight from an array (a new object: the slots are empty,
   so this is what the member descriptors' setters would do, without a call per field). */
static PyObject* nz_new_slotted(PyTypeObject* tp, Py_ssize_t n, const Py_ssize_t* offs, PyObject** vals) {
    PyObject* o = tp->tp_alloc(tp, 0);
    if (o == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_INCREF(vals[i]);
        *(PyObject**)((char*)o + offs[i]) = vals[i];
    }
    return o;
}

/* The slot offset of a member descriptor holding an object (T_OBJECT_EX), else -1. */
static Py_ssize_t nz_slot_offset(PyObject* d) {
    if (Py_TYPE(d) != &PyMemberDescr_Type) return -1;
    PyMemberDef* m = ((PyMemberDescrObject*)d)->d_member;
    if (m->type != T_OBJECT_EX || (m->flags & READONLY)) return -1;
    return m->offset;
}

/* The slot offsets of ``fields`` (a tuple of str) in ``cls``: 1 when it is a class without instance dict whose
   ``__slots__`` are these fields, each an object slot; else 0 (-1: an exception is set). */
static int nz_slot_offsets(PyObject* cls, PyObject* fields, Py_ssize_t* out) {
    if (!PyType_Check(cls) || !PyTuple_Check(fields)) return 0;
    PyTypeObject* tp = (PyTypeObject*)cls;
    if (tp->tp_dictoffset != 0) return 0;
    PyObject* slots = PyObject_GetAttrString(cls, "__slots__");
    if (slots == NULL) { PyErr_Clear(); return 0; }
    PyObject* a = PySet_New(slots);
    Py_DECREF(slots);
    if (a == NULL) return -1;
    PyObject* b = PySet_New(fields);
    if (b == NULL) { Py_DECREF(a); return -1; }
    int eq = PyObject_RichCompareBool(a, b, Py_EQ);
    Py_DECREF(a);
    Py_DECREF(b);
    if (eq != 1) return eq;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(fields); i++) {
        PyObject* d = PyDict_GetItemWithError(tp->tp_dict, PyTuple_GET_ITEM(fields, i));
        if (d == NULL) return PyErr_Occurred() ? -1 : 0;
        Py_ssize_t off = nz_slot_offset(d);
        if (off < 0) return 0;
        out[i] = off;
    }
    return 1;
}
#endif
