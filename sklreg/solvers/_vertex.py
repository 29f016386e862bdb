"""Crossover: from the interior point's answer to the exact optimum.

The interior point ends *near* the optimum, with every residual and every
coefficient a little off zero.  The exact optimum is recovered from which
rows are at zero there:

*Rows.*  The samples (``a_i = [x_i, 1]``, target ``y_i``, slopes ``c+ = s_i
tau`` above and ``c- = s_i (1 - tau)`` below), and one *coordinate row* per
coefficient (``a = e_j``, target 0, slopes ``lam_j`` both ways: 0 for the
intercept and unpenalised features).  The objective is ``sum_rows
rho(y - A beta) + beta' M beta / 2`` (``M = diag(mu, 0)``); a row's dual
value ``theta`` lives in ``[-c-, c+]``, it is ``c+`` above zero and ``-c-``
below, and optimality is ``A^T theta = M beta``.

*Linear program* (``M = 0``, an L1 penalty or none): an optimum is a vertex,
``k = p + fit_intercept`` rows of independent ``a`` at zero residual (the
*basis* h): ``beta = A_h^{-1} y_h``.  The other rows' theta follow from their
residual's sign and the basis rows' from ``A_h^T theta_h = -A_N^T theta_N``;
the vertex is optimal when each ``theta_h`` is in its box -- then the duality
gap is zero up to rounding, and the coefficients whose coordinate row is in
the basis are exactly zero.  ``vertex`` takes the basis the interior point
points at (rows ranked by ``|residual|`` against the room theta has in its
box), and while a ``theta_h`` is out of its box moves along the edge that
frees that row (a simplex step, Barrodale & Roberts' line search over the
rows' kinks).  The steps run on targets perturbed by ~1e-9 of their scale,
which makes every step strictly descending (ties in y make the problem
degenerate); the final basis is solved with the true targets.

*Quadratic program* (``mu > 0``): the optimum solves one linear system once
the rows at zero residual and the signs of the others are known
(``active_set``); a few rounds move the rows whose sign or box is violated.

Either returns None when it does not end on a consistent point; the caller
keeps the interior point's answer then.  The caller certifies what it gets.
"""
import numpy as np
from scipy.linalg import lu_factor, lu_solve, qr, LinAlgError

PERTURBATION = 1e-9      # of the targets' scale: breaks ties, not the basis
DUAL_TOL = 1e-12         # a basis theta this far (of the slopes) out of its box is in
MIN_PIVOTS = 50
REFRESH = 25             # pivots between recomputations from scratch
CHUNK = 64               # candidate rows projected together (_independent_rows)
ACTIVE_SET_ROUNDS = 20
IDENTIFY = 1e-3          # rows scoring below this are taken at zero (active_set)


class _RowSystem:
    """The rows of a ``QuantileProblem``: samples, then one per coordinate."""

    def __init__(self, pb):
        self.pb = pb
        self.n, self.k = pb.y.shape[0], pb.p + pb.fit_intercept
        slope = np.zeros(self.k)
        slope[:pb.p] = pb.lam
        self.c_pos = np.concatenate([pb.s * pb.tau, slope])
        self.c_neg = np.concatenate([pb.s * (1 - pb.tau), slope])
        self.y = np.concatenate([pb.y, np.zeros(self.k)])
        self.M = np.zeros(self.k)
        self.M[:pb.p] = pb.mu

    def products(self, beta):
        """A @ beta."""
        return np.concatenate([self.pb.normal.B(beta), beta])

    def transposed(self, theta):
        """A^T @ theta."""
        return self.pb.normal.BT(theta[:self.n]) + theta[self.n:]

    def block(self, idx):
        """The rows ``idx`` of A, dense (len(idx), k)."""
        idx = np.asarray(idx, dtype=np.intp)
        out = np.zeros((idx.size, self.k))
        samples = idx < self.n
        if samples.any():
            out[samples, :self.pb.p] = self.pb.rows.dense_rows(idx[samples])
            if self.pb.fit_intercept:
                out[samples, self.pb.p] = 1.0
        coords = np.flatnonzero(~samples)
        out[coords, idx[coords] - self.n] = 1.0
        return out

    def sides(self, r):
        """theta of rows off zero: c+ above, -c- below."""
        return np.where(r > 0, self.c_pos, -self.c_neg)

    def at_zero_scores(self, beta, theta_ipm):
        """Per row, small when it is at zero residual at the optimum: |r|
        against the room theta has in its box, both relative to their
        scales.  Zero-slope coordinate rows score inf (theta must be 0)."""
        r = np.abs(self.y - self.products(beta))
        width = self.c_pos + self.c_neg
        room = np.minimum(self.c_pos - theta_ipm, self.c_neg + theta_ipm)
        r_scale = max(np.mean(r[:self.n]), 1e-300)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            score = (r / r_scale) / np.maximum(room / width, 1e-300)
        score[width == 0] = np.inf
        return score


def _independent_rows(rows, order, k):
    """(basis, B): the first k rows in ``order`` whose ``a`` are linearly
    independent, and those rows dense; (None, None) if there are fewer.
    Usually the first k are, which one QR tells; else Gram-Schmidt, twice,
    on each candidate against those kept (a chunk of candidates at a time
    against the earlier chunks' rows, then one by one against its own)."""
    first = order[:k].copy()
    if first.size == k:
        block = rows.block(first)
        R = qr(block.T, mode="r", check_finite=False)[0]
        if np.all(np.abs(np.diag(R)) > 1e-9 * np.linalg.norm(block, axis=1)):
            return first, block
    basis = np.empty(k, dtype=np.intp)
    Q = np.zeros((k, k))
    m, start = 0, 0
    while m < k and start < order.size:
        chunk = order[start:start + CHUNK]
        start += chunk.size
        block = rows.block(chunk)
        V = block - (block @ Q[:m].T) @ Q[:m]
        V -= (V @ Q[:m].T) @ Q[:m]
        m0 = m
        for i, a, v in zip(chunk, block, V):
            new = Q[m0:m]
            v = v - new.T @ (new @ v)
            v -= new.T @ (new @ v)
            norm = np.linalg.norm(v)
            if norm > 1e-9 * np.linalg.norm(a):
                Q[m], basis[m] = v / norm, i
                m += 1
                if m == k:
                    break
    return (basis, rows.block(basis)) if m == k else (None, None)


def vertex(pb, beta, theta_ipm, max_pivots=None):
    """The optimal vertex of a linear ``QuantileProblem`` (``mu = 0``).

    Parameters
    ----------
    pb : QuantileProblem
    beta : ndarray of shape (k,)
        The interior point's ``(w, b)``.
    theta_ipm : ndarray of shape (n + k,)
        Its dual values per row (coordinate rows without an L1 part: 0).
    max_pivots : int, optional

    Returns
    -------
    (beta, theta, n_pivots) or None
        ``theta`` of shape (n + k,).
    """
    rows = _RowSystem(pb)
    k = rows.k
    order = np.argsort(rows.at_zero_scores(beta, theta_ipm), kind="stable")
    basis, B = _independent_rows(rows, order, k)
    if basis is None:
        return None
    max_pivots = max(MIN_PIVOTS, 10 * k) if max_pivots is None else max_pivots
    # perturbed targets: every simplex step strictly descends
    rng = np.random.default_rng(0)
    scale = np.concatenate([np.full(rows.n, np.mean(np.abs(pb.y)) + 1e-300),
                            np.full(k, np.max(np.abs(beta), initial=0.0) + 1e-300)])
    y_step = rows.y + PERTURBATION * scale * rng.uniform(0.5, 1.0, rows.y.size)
    dual_tol = DUAL_TOL * max(np.max(rows.c_pos + rows.c_neg), 1e-300)
    try:
        state = _Simplex(rows, basis, y_step, B)
        for n_pivots in range(max_pivots + 1):
            theta_h, over = state.basis_duals()
            if not np.all(np.isfinite(theta_h)):
                return None
            if over.max() <= dual_tol and not state.fresh:
                state.refresh()          # updates drift: confirm from scratch
                continue
            if over.max() <= dual_tol:
                theta = state.theta.copy()
                theta[basis] = np.clip(theta_h, -rows.c_neg[basis], rows.c_pos[basis])
                return _exact_vertex(rows, basis, state.B), theta, n_pivots
            if n_pivots == max_pivots or not state.pivot(int(np.argmax(over)), theta_h):
                return None
    except (LinAlgError, ValueError):
        return None


class _Simplex:
    """A basis and what a pivot updates: the vertex ``beta``, the residuals
    ``r``, the non-basis rows' theta and ``A^T theta`` (recomputed from
    scratch every ``REFRESH`` pivots and before optimality is declared)."""

    def __init__(self, rows, basis, y, B):
        self.rows, self.basis, self.y, self.B = rows, basis, y, B
        self.refresh()

    def refresh(self):
        # B, the basis rows, is kept up to date row by row (exact copies)
        rows, basis = self.rows, self.basis
        self.lu = _RowUpdatedLU(self.B)
        self.beta = _solve(self.lu.lu, self.B, self.y[basis])
        self.r = self.y - rows.products(self.beta)
        self.r[basis] = 0.0
        self.theta = rows.sides(self.r)
        self.theta[basis] = 0.0
        self.At_theta = rows.transposed(self.theta)
        self.fresh, self.age = True, 0

    def basis_duals(self):
        """theta of the basis rows (A_h^T theta_h = -A_N^T theta_N) and how
        far each is out of its box."""
        rows, basis = self.rows, self.basis
        theta_h = self.lu.solve(-self.At_theta, trans=1)
        over = np.maximum(theta_h - rows.c_pos[basis], -rows.c_neg[basis] - theta_h)
        return theta_h, over

    def pivot(self, pos, theta_h):
        """Basis row ``pos`` (theta out of its box) leaves: along the edge
        where its residual grows on the side its theta points to, the
        objective is piecewise linear; walk its kinks (rows crossing zero)
        to where its slope turns non-negative, and let that row enter.
        False when no row does."""
        rows, basis, r = self.rows, self.basis, self.r
        j = basis[pos]
        sigma = 1.0 if theta_h[pos] > rows.c_pos[j] else -1.0
        e = np.zeros(rows.k)
        e[pos] = -sigma
        d = self.lu.solve(e)                             # A_h d = -sigma e_pos
        g = -rows.products(d)                            # r(t) = r + t g
        g[basis] = 0.0
        slope = (rows.c_pos[j] if sigma > 0 else rows.c_neg[j]) + np.dot(self.theta, g)
        crossed = _kinks_to_zero_slope(rows, r, g, slope)
        if crossed is None:
            return False
        entering = crossed[-1]
        t = -r[entering] / g[entering]
        self.beta += t * d
        r += t * g
        r[entering], r[j] = 0.0, sigma * t
        old = self.theta[crossed].copy()
        flipped = crossed[:-1]
        self.theta[flipped] = np.where(r[flipped] > 0, rows.c_pos[flipped], -rows.c_neg[flipped])
        self.theta[entering] = 0.0
        self.theta[j] = rows.c_pos[j] if sigma > 0 else -rows.c_neg[j]
        changed = np.append(crossed, j)
        delta = self.theta[changed] - np.append(old, 0.0)
        self.At_theta += rows.block(changed).T @ delta
        basis[pos] = entering
        self.age += 1
        if self.age >= REFRESH:
            self.refresh()
        else:
            self.B[pos] = rows.block([entering])[0]
            self.lu.replace(pos, self.B[pos])
            self.fresh = False
        return True


class _RowUpdatedLU:
    """Solves with a matrix B0 (LU-factored once) whose rows ``pos`` have
    been replaced, by the Woodbury identity: ``B = B0 + U W`` with ``U``
    the columns ``e_pos`` and ``W`` the rows' changes.  A replacement costs
    two solves with B0 and a solve O(k^2 + k r), r rows replaced, instead
    of a new O(k^3) factorization per simplex step."""

    def __init__(self, B):
        self.B0 = B.copy()
        self.lu = lu_factor(B, check_finite=False)
        k = B.shape[0]
        self.pos = []
        self.W = np.zeros((0, k))        # B[pos] - B0[pos]
        self.Z = np.zeros((k, 0))        # B0^-1 U
        self.Y = np.zeros((k, 0))        # B0^-T W^T

    def replace(self, i, row):
        if i not in self.pos:
            self.pos.append(i)
            e = np.zeros(self.B0.shape[0])
            e[i] = 1.0
            self.Z = np.column_stack([self.Z, lu_solve(self.lu, e, check_finite=False)])
            self.W = np.vstack([self.W, row - self.B0[i]])
            self.Y = np.column_stack([self.Y, np.zeros(self.B0.shape[0])])
        j = self.pos.index(i)
        self.W[j] = row - self.B0[i]
        self.Y[:, j] = lu_solve(self.lu, self.W[j], trans=1, check_finite=False)
        self.C = np.eye(len(self.pos)) + self.W @ self.Z     # I + W B0^-1 U

    def solve(self, rhs, trans=0):
        """B x = rhs (B^T x = rhs with ``trans=1``)."""
        x = lu_solve(self.lu, rhs, trans=trans, check_finite=False)
        if not self.pos:
            return x
        if trans:
            return x - self.Y @ np.linalg.solve(self.C.T, x[self.pos])
        return x - self.Z @ np.linalg.solve(self.C, self.W @ x)


def _kinks_to_zero_slope(rows, r, g, slope):
    """The rows whose residual ``r + t g`` crosses zero, by increasing t, up
    to the one where ``slope`` plus the jumps of the crossed rows turns
    non-negative (None if it never does).  Only the first crossings are
    sorted, more as needed."""
    if slope >= 0:
        return None
    candidates = np.flatnonzero(r * g < 0)
    t = -r[candidates] / g[candidates]
    jump = (rows.c_pos[candidates] + rows.c_neg[candidates]) * np.abs(g[candidates])
    m = 64
    while True:
        m = min(m, t.size)
        if m == 0:
            return None
        first = np.argpartition(t, m - 1)[:m] if m < t.size else np.arange(t.size)
        first = first[np.argsort(t[first], kind="stable")]
        reached = np.flatnonzero(slope + np.cumsum(jump[first]) >= 0)
        if reached.size:
            return candidates[first[:reached[0] + 1]]
        if m == t.size:
            return None
        m *= 8


def _solve(lu, B, rhs):
    """B x = rhs, with one step of iterative refinement."""
    x = lu_solve(lu, rhs, check_finite=False)
    return x + lu_solve(lu, rhs - B @ x, check_finite=False)


def _exact_vertex(rows, basis, B):
    """The vertex of ``basis`` for the true targets, its coordinate rows'
    coefficients exactly zero (the others from the sample rows' system)."""
    beta = np.zeros(rows.k)
    held = basis[basis >= rows.n] - rows.n
    free = np.setdiff1d(np.arange(rows.k), held)
    samples = basis < rows.n
    if free.size:
        A = B[np.ix_(samples, free)]
        beta[free] = _solve(lu_factor(A, check_finite=False), A, rows.y[basis[samples]])
    return beta


def active_set(pb, beta, theta_ipm, rounds=ACTIVE_SET_ROUNDS):
    """The exact optimum of a ``QuantileProblem`` with an L2 part (``mu > 0``
    somewhere), from the rows the interior point finds at zero.

    With ``Z`` the rows at zero and the others' theta fixed by their sides,
    the optimum solves ``M beta - A_Z^T theta_Z = A_N^T theta_N`` and
    ``A_Z beta = y_Z`` (coordinate rows in Z hold their coefficient at
    exactly zero; their theta follows).  A round solves that system, then
    moves every row whose residual crossed zero into Z and every Z row
    whose theta left its box out of Z, to the side it left on.  Returns
    (beta, theta) when a round is consistent, else None.
    """
    rows = _RowSystem(pb)
    n, k = rows.n, rows.k
    width = rows.c_pos + rows.c_neg
    zero = rows.at_zero_scores(beta, theta_ipm) < IDENTIFY
    side = np.where(rows.y - rows.products(beta) >= 0, 1.0, -1.0)
    tol = DUAL_TOL * np.max(width)
    for _ in range(rounds):
        theta = np.where(side > 0, rows.c_pos, -rows.c_neg)
        theta[zero] = 0.0
        held = np.flatnonzero(zero[n:])                  # coefficients at zero
        free = np.setdiff1d(np.arange(k), held)
        Zs = np.flatnonzero(zero[:n])
        A_Z = rows.block(Zs)[:, free]
        m = free.size
        kkt = np.block([[np.diag(rows.M[free]), -A_Z.T], [A_Z, np.zeros((Zs.size, Zs.size))]])
        rhs = np.concatenate([rows.transposed(theta)[free], rows.y[Zs]])
        try:
            sol = np.linalg.solve(kkt, rhs)
        except np.linalg.LinAlgError:
            return None
        beta = np.zeros(k)
        beta[free] = sol[:m]
        theta[Zs] = sol[m:]
        # a held coefficient's theta: stationarity B^T theta_s + theta_j = 0
        theta[n + held] = -rows.transposed(np.concatenate([theta[:n], np.zeros(k)]))[held]
        r = rows.y - rows.products(beta)
        r[zero] = 0.0
        crossed = ~zero & (width > 0) & (side * r <= 0)
        left = zero & ((theta > rows.c_pos + tol) | (theta < -rows.c_neg - tol))
        if not crossed.any() and not left.any():
            theta[zero] = np.clip(theta[zero], -rows.c_neg[zero], rows.c_pos[zero])
            return beta, theta
        side[left] = np.sign(theta[left])
        zero = (zero & ~left) | crossed
    return None
