"""Anderson extrapolation of a fixed-point iteration (one implementation,
used by the coordinate-descent kernel and by Huber's scale/majoriser
alternation)."""
import numpy as np

from libc.math cimport fabs, isfinite


cdef class Anderson:
    """Anderson extrapolation of the last ``memory + 1`` iterates.

    From the iterates, the affine combination whose successive differences
    are smallest (``min ||U c||, sum c = 1``) extrapolates where they are
    heading.

    Parameters
    ----------
    size : int
        Length of an iterate.
    memory : int
        Differences combined (``memory + 1`` iterates).
    ridge : float, default=0
        Added to the differences' Gram matrix, times its trace.  0: a nearly
        singular system gives up (no candidate) -- right for coordinate
        descent, whose differences are well spread.  An outer iteration that
        converges along one slow mode makes that system singular as a rule;
        a relative ridge (1e-12) keeps it solvable (without it, an L1 Huber
        fit near alpha_max took 1000 outer iterations instead of 8).
    orthant : bool, default=True
        Keep the candidate in the orthant of the last iterate (coefficients
        it would carry across zero are put at zero): while signs are fixed
        the CD map is affine and the extrapolation is good, but a
        coefficient that is leaving the support would be extrapolated to
        the wrong sign -- without this, at alpha_max / 100 every candidate
        was worse than the iterate.  Off for iterates that are not all
        coefficients (an intercept, a scale).

    The caller keeps the candidate only if it is better than the iterate.
    """

    def __init__(self, Py_ssize_t size, Py_ssize_t memory, double ridge=0.0,
                 bint orthant=True):
        self.iterates = np.zeros((memory + 1, size))
        self.gram = np.zeros((memory, memory))
        self.weights = np.zeros(memory)
        self.candidate = np.zeros(size)
        self.filled = 0
        self.ridge = ridge
        self.orthant = orthant

    cdef bint push(self, const double[::1] w, const int[::1] ws) noexcept nogil:
        """Record w[ws] as the next iterate; True once a full memory is ready."""
        cdef Py_ssize_t k
        for k in range(ws.shape[0]):
            self.iterates[self.filled, k] = w[ws[k]]
        self.filled += 1
        return self.filled == self.iterates.shape[0]

    cdef bint extrapolate(self) noexcept nogil:
        """Fill ``candidate`` and start a new memory; False if the
        differences are degenerate."""
        cdef Py_ssize_t a, b, k, mem = self.gram.shape[0], m = self.candidate.shape[0]
        cdef double acc, trace = 0.0, total = 0.0
        self.filled = 0
        for a in range(mem):
            for b in range(a, mem):
                acc = 0.0
                for k in range(m):
                    acc += ((self.iterates[a + 1, k] - self.iterates[a, k])
                            * (self.iterates[b + 1, k] - self.iterates[b, k]))
                self.gram[a, b] = acc
                self.gram[b, a] = acc
            trace += self.gram[a, a]
            self.weights[a] = 1.0
        if self.ridge > 0.0:
            for a in range(mem):
                self.gram[a, a] += self.ridge * max(trace, 1e-300)
        if not solve_small(self.gram, self.weights):
            return False
        for a in range(mem):
            if not isfinite(self.weights[a]):
                return False
            total += self.weights[a]
        if total == 0.0:
            return False
        for k in range(m):
            acc = 0.0
            for a in range(mem):
                acc += self.weights[a] * self.iterates[a + 1, k]
            acc /= total
            if self.orthant and not acc * self.iterates[mem, k] > 0.0:
                acc = 0.0
            self.candidate[k] = acc
        return True

    def extrapolated(self, iterates):
        """The candidate from ``iterates`` (memory + 1 rows, oldest first),
        None if degenerate."""
        cdef const double[:, ::1] rows = np.ascontiguousarray(iterates, dtype=np.float64)
        cdef const int[::1] ws = np.arange(rows.shape[1], dtype=np.intc)
        cdef Py_ssize_t a
        self.filled = 0
        for a in range(rows.shape[0]):
            self.push(rows[a], ws)
        return np.array(self.candidate) if self.extrapolate() else None


cdef bint solve_small(double[:, ::1] a, double[::1] b) noexcept nogil:
    """Solve a x = b in place (x in b) by Gaussian elimination with partial
    pivoting; a is tiny (the Anderson memory).  False if a is singular."""
    cdef Py_ssize_t n = b.shape[0], i, k, piv
    cdef double factor, scale = 0.0
    for i in range(n):
        scale = max(scale, fabs(a[i, i]))
    for k in range(n):
        piv = k
        for i in range(k + 1, n):
            if fabs(a[i, k]) > fabs(a[piv, k]):
                piv = i
        if fabs(a[piv, k]) <= 1e-14 * scale:
            return False
        if piv != k:
            for i in range(n):
                a[k, i], a[piv, i] = a[piv, i], a[k, i]
            b[k], b[piv] = b[piv], b[k]
        for i in range(k + 1, n):
            factor = a[i, k] / a[k, k]
            for piv in range(k, n):
                a[i, piv] -= factor * a[k, piv]
            b[i] -= factor * b[k]
    for k in range(n - 1, -1, -1):
        for i in range(k + 1, n):
            b[k] -= a[k, i] * b[i]
        b[k] /= a[k, k]
    return True
