# Ctrl-C inside a compiled loop.  A kernel that runs without the GIL never
# returns to the interpreter, so Python's SIGINT handler would not run until
# it ends (minutes for a long solve).  Every CHECK_WORK multiply-adds of its
# own work, a kernel running in the main thread -- the only one signal
# handlers run in -- takes the GIL and runs them: KeyboardInterrupt (or any
# handler's exception) propagates out of the kernel.  CHECK_WORK is ~10 ms
# of coordinate descent: one GIL round trip per ~10 ms costs nothing
# measurable.  Worker threads (CV folds) skip it: handlers never run there,
# and waiting for the GIL held by another thread would cost them time.
#
# A module that cimports this calls remember_main_thread() at import.
from cpython.exc cimport PyErr_CheckSignals

cdef extern from "Python.h":
    unsigned long PyThread_get_thread_ident() nogil

cdef extern from *:
    """
    static unsigned long sklreg_main_thread = 0;
    """
    unsigned long sklreg_main_thread

cdef enum:
    CHECK_WORK = 10000000


cdef inline void remember_main_thread():
    import threading
    global sklreg_main_thread
    sklreg_main_thread = <unsigned long>threading.main_thread().ident


cdef inline bint handles_signals() noexcept nogil:
    """True in the thread that runs Python's signal handlers."""
    return PyThread_get_thread_ident() == sklreg_main_thread


cdef inline int check_signals(double* work) except -1 nogil:
    """Run pending signal handlers once ``work`` reaches CHECK_WORK (then
    reset it to 0).  Returns -1 with the handler's exception set."""
    if work[0] < CHECK_WORK:
        return 0
    work[0] = 0.0
    with gil:
        PyErr_CheckSignals()
    return 0
