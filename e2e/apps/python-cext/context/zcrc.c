/* A tiny C extension that links zlib: zcrc.crc32(bytes) and zcrc.zlib_version(). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <zlib.h>

static PyObject *zcrc_crc32(PyObject *self, PyObject *args) {
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "y*", &buf))
        return NULL;
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, (const Bytef *)buf.buf, (uInt)buf.len);
    PyBuffer_Release(&buf);
    return PyLong_FromUnsignedLong(crc);
}

static PyObject *zcrc_zlib_version(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(zlibVersion());
}

static PyMethodDef zcrc_methods[] = {
    {"crc32", zcrc_crc32, METH_VARARGS, "CRC-32 of a bytes-like object, computed by zlib."},
    {"zlib_version", zcrc_zlib_version, METH_NOARGS, "Version of the zlib loaded at run time."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef zcrc_module = {
    PyModuleDef_HEAD_INIT, "zcrc", "CRC-32 through zlib.", -1, zcrc_methods
};

PyMODINIT_FUNC PyInit_zcrc(void) {
    return PyModule_Create(&zcrc_module);
}
