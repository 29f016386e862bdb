"""Primal-dual interior point for penalised quantile regression.

The problem (scaled by ``n_w``, which changes nothing but the numbers)::

    min_{w, b}  sum_i s_i rho_tau(y_i - x_i.w - b)
                + sum_j lam_j |w_j| + sum_j mu_j / 2 w_j**2

is written as one piecewise-linear loss over *rows*: the n samples, plus one
pseudo-row ``0 - w_j`` with the symmetric slopes ``lam_j`` per L1-penalised
feature.  Splitting each row residual into ``u - v`` (u, v >= 0) gives a
linear (quadratic when ``mu > 0``) program whose dual variable ``theta``
lives in the box ``[-c^-, c^+]`` of the row's slopes, with stationarity
``A^T theta = M beta`` (``beta = (w, b)``, ``M = diag(mu, 0)``).

Each iteration is a Mehrotra predictor-corrector step, as in Koenker & Ng's
Frisch-Newton ``rq.fit.fnb``: the Newton system reduces to the
``(p+1) x (p+1)`` normal matrix ``A^T diag(q) A + M``, i.e. one weighted Gram
``X^T diag(q) X`` (the pseudo-rows only add a diagonal), factorised once and
used for both the predictor and the corrector.  Cost O(n p^2) per
iteration, typically 15-30 iterations, memory size(X) + O(n + p^2): the LP's
2n + 2p copy is never built.

It stops on the certified duality gap of the original problem (see
``QuantileProblem.dual`` in ``sklreg.solvers._quantile_problem``), at most
``tol * P(0)``.
"""
import numpy as np

from sklreg._core._ipm import RowState
from sklreg.solvers._base import FINISHED_GAP_FLOOR, SolverResult, check_penalty, gap_target
from sklreg.solvers._vertex import MIN_PIVOTS, active_set, vertex
from sklreg.utils._progress import report_progress, solver_progress

STEP_FRACTION = 0.99995   # stay this fraction of the way inside the boundary
FINISH_EVERY = 0.1        # after a failed finish, try again when the gap is 10x down
FINISH_TRIES = 3          # ... at most this often (every try is within tol)
PER_COLUMN_SPREAD = 30   # log2 range of column scales above which per-column
                         # scales may replace the common one (below: never
                         # better where measured, see solve_ipm)
HANDOVER = 1e-6           # the finish starts at a gap of at most this * P(0) (and tol's)
PIVOTS, LAST_PIVOTS = 2, 10   # simplex steps allowed per coefficient (the last try: more)
NEEDS = {"l1_l2_weights"}   # of the penalty: the interior point takes lam and mu alone


@solver_progress("interior point", "iterations")
def solve_ipm(problem, w0, *, tol=1e-6, max_iter=100, p0=None, dual_out=None,
              exact=True):
    """Minimise a ``QuantileProblem`` by a primal-dual interior point.

    The interior point runs on the problem with X divided by the geometric
    mean of its columns' root-mean-squares (rounded to a power of two) (``QuantileProblem.rescaled``):
    its iterates are not invariant to the scale of X -- one starting slack
    serves the samples' residuals and the L1 pseudo-rows' ``w_j`` -- and with
    every column scaled by 1e3..1e6 it stalled with gaps up to P(0) itself.
    (One common factor, not one per column: per-column scales move the
    disparity into the pseudo-rows' slopes ``lam_j / d_j``, which was
    worse.)  The certificate is the same objective's.

    Parameters
    ----------
    problem : QuantileProblem
    w0 : ndarray of shape (p,)
        Starting coefficients (the interior point is built around them).
    tol : float
        Stop when the duality gap is at most ``tol * P(0)``.
    max_iter : int
        Maximum number of predictor-corrector iterations.
    p0 : float, optional
        The ``P(0)`` that ``tol`` is relative to; the problem's own when None
        (a reduced problem passes the full one's).
    dual_out : list, optional
        When given, the dual point of the returned solution (length n, in
        n_w units, not yet made feasible) is appended to it.
    exact : bool, default=True
        Finish with the crossover of ``sklreg.solvers._vertex`` (the exact
        optimum); False returns the interior point's answer.

    Returns
    -------
    SolverResult
    """
    check_penalty("the interior point (solver='ipm')", problem.penalty_terms, NEEDS,
                  remedy="; use solver='highs' for bounds")
    d = _column_scales(problem)
    result = _interior_point(problem.rescaled(d), np.asarray(w0, dtype=np.float64) * d,
                             tol=tol, max_iter=max_iter, p0=p0, dual_out=dual_out,
                             exact=exact)
    result.coef = result.coef / d
    return result


def _column_scales(problem):
    """The scaling ``d`` of ``solve_ipm``: one common power of two, or one
    per column where that leaves both the columns and the L1 weights
    ``lam_j / d_j`` far better balanced (columns 2**100 apart, as X with
    one column of entries 1e30 scaled and centred, and the others of 1e27:
    each column's lam then sits at its column's scale, and the common
    factor left both 2**100 apart and the interior point stalled)."""
    rms = problem.col_norms() / np.sqrt(problem.n_w)
    ok = (rms > 0) & np.isfinite(rms)
    if not ok.any():
        return np.ones(problem.p)
    # powers of two: the scaling itself rounds nothing
    own = np.where(ok, 2.0 ** np.round(np.log2(np.where(ok, rms, 1.0))), 1.0)
    common = np.full(problem.p, 2.0 ** np.round(np.mean(np.log2(rms[ok]))))

    def spread(d):
        """log2 range of the scaled columns' RMS, and of their L1 weights."""
        logs = [np.log2(rms[ok] / d[ok])]
        penalized = ok & (problem.lam > 0)
        if penalized.any():
            logs.append(np.log2(problem.lam[penalized] / d[penalized]))
        return max(np.ptp(x) for x in logs)

    if spread(common) > PER_COLUMN_SPREAD and spread(own) < spread(common):
        return own
    return common


def _interior_point(problem, w0, *, tol, max_iter, p0, dual_out, exact):
    """``solve_ipm`` on a problem with well-scaled columns."""
    pb = problem
    p0 = pb.primal_at_zero() if p0 is None else p0
    tol_abs = gap_target(tol, p0, FINISHED_GAP_FLOOR)
    floor_abs = gap_target(0.0, p0, FINISHED_GAP_FLOOR)    # the gap's own rounding
    if p0 <= 0.0:                    # w = 0 interpolates y: optimal
        w = np.zeros(pb.p)
        if dual_out is not None:
            dual_out.append(np.zeros(pb.y.shape[0]))
        return SolverResult(coef=w, intercept=pb.best_intercept(w), gap=0.0,
                            primal=0.0, tol_abs=0.0, n_iter=0)
    n, p, l1 = pb.y.shape[0], pb.p, pb.l1
    k = p + pb.fit_intercept
    beta = np.zeros(k)
    beta[:p] = w0
    if pb.fit_intercept:
        beta[p] = pb.best_intercept(w0)
    # slopes of every row: samples, then one pseudo-row per L1 feature
    c_pos = np.concatenate([pb.s * pb.tau, pb.lam[l1]])
    c_neg = np.concatenate([pb.s * (1 - pb.tau), pb.lam[l1]])
    y_rows = np.concatenate([pb.y, np.zeros(l1.size)])
    M = np.zeros(k)
    M[:p] = pb.mu
    quadratic = np.any(M > 0)

    def A(b_):
        return np.concatenate([pb.normal.B(b_), b_[l1]])

    def AT(t):
        out = pb.normal.BT(t[:n])
        out[l1] += t[n:]
        return out

    resid = y_rows - A(beta)
    delta = max(np.mean(np.abs(resid)), 1e-8 * (1 + np.max(np.abs(pb.y))))
    state = RowState(np.maximum(resid, 0) + delta, np.maximum(-resid, 0) + delta,
                     0.5 * (c_pos - c_neg), c_pos, c_neg)
    u, v, theta = np.asarray(state.u), np.asarray(state.v), np.asarray(state.theta)
    q = np.asarray(state.q)
    best, finished, attempt, tries = None, None, np.inf, 0
    n_iter, stalled = 0, False
    while True:
        comp = state.scale()
        stop = n_iter >= max_iter or stalled
        report_progress(n_iter, comp / pb.n_w, tol_abs, gap_name="complementarity")
        # the certificate costs one pass over X, an iteration a p x p Gram
        # product: check it from well before complementarity alone says so,
        # as the multipliers can be at their best before the iterates stall
        if comp <= 1e3 * tol_abs * pb.n_w or stop:
            gap, primal, b = pb.certificate(beta[:p], beta[p] if pb.fit_intercept else 0.0,
                                            theta[:n])
            gap = gap if np.isfinite(gap) else np.inf
            if best is None or gap < best[0]:
                best = (gap, primal, beta[:p].copy(), b, theta[:n].copy())
            if stop or (gap <= tol_abs and not exact):
                if exact:      # from where the iterates stopped: may still be exact
                    finished = _finish_exactly(pb, beta, theta, gap, tol_abs, last=True)
                break
            if gap <= min(tol_abs, HANDOVER * p0) and gap <= FINISH_EVERY * attempt:
                # the exact finish; when it fails from this point, iterate on
                # (towards a tighter gap, from which it needs fewer pivots)
                # and try again
                attempt, tries = gap, tries + 1
                finished = _finish_exactly(pb, beta, theta, gap, tol_abs)
                if finished is not None or tries >= FINISH_TRIES or gap <= floor_abs:
                    break
        n_iter += 1
        extra = M[:p].copy()
        extra[l1] += q[n:]
        pb.normal.factor(q[:n], extra)
        r1 = resid - u + v
        r4 = M * beta - AT(theta)

        def newton(target, corrector):
            d_beta = pb.normal.solve(AT(state.rhs(r1, target, corrector)) - r4)
            a_dbeta = A(d_beta)
            return d_beta, a_dbeta, state.finish(a_dbeta, target, corrector, STEP_FRACTION)

        d_beta, _, (a_p, a_d) = newton(0.0, False)
        if not np.all(np.isfinite(d_beta)):   # a slack hit round-off zero
            stalled = True
            continue
        mu_now = comp / (2 * u.size)
        mu_aff = state.keep_as_predictor(a_p, a_d)
        d_beta, a_dbeta, (a_p, a_d) = newton((mu_aff / mu_now) ** 3 * mu_now, True)
        if quadratic:
            a_p = a_d = min(a_p, a_d)
        beta += a_p * d_beta
        resid -= a_p * a_dbeta
        state.step(a_p, a_d)
        stalled = max(a_p, a_d) < 1e-12 or not np.all(np.isfinite(beta))
    if finished is None and not np.all(np.isfinite(best[2])):
        # every certified iterate overflowed (a row of 1e308): the start,
        # certified as it is, rather than NaN coefficients
        w = np.asarray(w0, dtype=np.float64)
        gap, primal, b, theta = pb.certified_at(w)
        best = (gap, primal, w, b, theta)
    gap, primal, w, b, theta = best if finished is None else finished
    if dual_out is not None:
        dual_out.append(theta)
    return SolverResult(coef=w, intercept=b, gap=gap, primal=primal,
                        tol_abs=tol_abs, n_iter=n_iter)


def _finish_exactly(pb, beta, theta, gap, tol_abs, last=False):
    """The exact optimum from an interior point ``(beta, theta)`` of gap
    ``gap`` (crossover, ``sklreg.solvers._vertex``), when it is certified
    within the target and at least as well; else None.  Returns (gap,
    primal, w, b, theta).  ``last``: the interior point stopped here, so
    the simplex steps get a larger budget."""
    n, p = pb.y.shape[0], pb.p
    theta_rows = np.zeros(n + p + pb.fit_intercept)
    theta_rows[:n] = theta[:n]
    theta_rows[n + pb.l1] = theta[n:]
    if not np.all(np.isfinite(beta)):
        return None
    if np.any(pb.mu > 0):
        found = active_set(pb, beta, theta_rows)
    else:
        k = p + pb.fit_intercept
        found = vertex(pb, beta, theta_rows,
                       max_pivots=max(MIN_PIVOTS, (LAST_PIVOTS if last else PIVOTS) * k))
    if found is None:
        return None
    beta_x, theta_x = found[0], found[1]
    b_x = beta_x[p] if pb.fit_intercept else 0.0
    gap_x, primal_x, _ = pb.certificate(beta_x[:p], b_x, theta_x[:n], refit=False)
    if gap_x <= max(gap, tol_abs):
        return gap_x, primal_x, beta_x[:p], b_x, theta_x[:n]
    return None
