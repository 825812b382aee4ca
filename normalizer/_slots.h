/* Instances of slotted classes (frozen dataclasses with slots) made with their slots set straight from C, for the
   compiled hot paths (_spans.pyx): what the member descriptors' setters would do on a new object, without a call
   per field. */
#ifndef NZ_SLOTS_H
#define NZ_SLOTS_H
#include <Python.h>
#include <structmember.h>

/* A new instance of ``tp`` with its ``n`` object slots (at ``offs``) set to ``vals`` (new references). */
static PyObject* nz_slots_new(PyTypeObject* tp, Py_ssize_t n, const Py_ssize_t* offs, PyObject** vals) {
    PyObject* o = tp->tp_alloc(tp, 0);
    if (o == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_INCREF(vals[i]);
        *(PyObject**)((char*)o + offs[i]) = vals[i];
    }
    return o;
}

/* The slot offset of a writable member descriptor holding an object (T_OBJECT_EX), else -1. */
static Py_ssize_t nz_slots_offset(PyObject* d) {
    if (Py_TYPE(d) != &PyMemberDescr_Type) return -1;
    PyMemberDef* m = ((PyMemberDescrObject*)d)->d_member;
    if (m->type != T_OBJECT_EX || (m->flags & READONLY)) return -1;
    return m->offset;
}
#endif
