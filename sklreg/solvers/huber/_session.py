"""The solves of one Huber problem: one penalty (``solve_huber``) or a
decreasing sequence of them (``huber_path``, used by ``regularization_path``
and so by every fold of ``HuberRegressorCV``).

Each alpha of a path starts from the previous solution (coefficients,
intercept, scale, residual and the penalty-free part of its certificate);
P(0), so the target ``tol * P(0)``, and the scale floor are computed once,
and Newton's Hessian keeps its inlier Gram from one alpha to the next.  Each
alpha is certified exactly as a single fit is.

When the scale goes to zero (an exact fit of many samples: epsilon = 1,
p close to n or above, ...) both iterative solvers crawl, and the problem
is then its sigma -> 0 limit, solved exactly by ``_face``; the Huber
certificate at that solution, with its dual point, says whether it is the
optimum.
"""
import numpy as np

from sklreg._core._design import Design
from sklreg.solvers._base import FINISHED_GAP_FLOOR, gap_target
from sklreg.solvers.huber._face import solve_face
from sklreg.solvers.huber._face_dual import least_energy
from sklreg.solvers.huber._face_newton import face_newton
from sklreg.solvers.huber._face_problem import FaceProblem
from sklreg.solvers.huber._hessian import Hessian
from sklreg.solvers.huber._majorise import majorise
from sklreg.solvers.huber._newton import newton
from sklreg.solvers.huber._problem import HuberProblem
from sklreg.solvers.huber._result import HuberResult
from sklreg.solvers.huber._scale import best_scale
from sklreg.utils._blas import single_threaded_blas
from sklreg.utils._progress import solver_progress

NEWTON_MAX_FEATURES = 500   # p above this: the p x p solves stop paying off
DENSE_FINISH = 10**7        # n * p**2 (the Gram's flops) of a sparse X whose finish
                            # runs on a dense copy: a few ms, fewer than the
                            # majoriser's iterations to the same target
SCALE_FLOOR = 1e-12         # sigma >= SCALE_FLOOR * (mean |y - ybar|), >= 10 eps
WORKING_SET_MIN = 10        # coordinates the face's working set grows by, at least
WORKING_SET_ROUNDS = 30     # then the face on every coordinate
FACE_NEEDS = {"l1_l2_weights"}   # of the penalty: FaceProblem takes l1, l2, positive


@solver_progress("Huber solver", "iterations")
def solve_huber(problem, w, *, tol=1e-5, max_iter=100, solver="auto"):
    """Minimise the Huber objective of ``problem`` from coefficients ``w``.

    ``solver='auto'`` takes Newton for dense X, a smooth penalty,
    p <= NEWTON_MAX_FEATURES and n >= 2 p, else the majoriser with
    coordinate descent.  Returns a HuberResult.
    """
    with single_threaded_blas():
        session = Session(problem, tol, max_iter, solver)
        return _for_caller(problem, session.finish(session.solve(w / problem.y_scale)))


@solver_progress("Huber solver", "iterations")
def huber_path(problem, penalties, w, *, tol=1e-5, max_iter=100, solver="auto"):
    """Solve ``problem`` at each ``(l1, l2)`` of ``penalties`` in turn, each
    from the previous solution; each certified to ``tol * P(0)`` as
    ``solve_huber``'s.  Returns one HuberResult per penalty."""
    results, start = [], None
    w = w / problem.y_scale
    with single_threaded_blas():
        session = Session(problem, tol, max_iter, solver)
        for l1, l2 in penalties:
            problem.set_penalty(l1, l2)
            result = session.solve(w, start)
            results.append(result)
            w = np.array(result.coef, dtype=np.float64)
            start = result
    for result in results:
        _for_caller(problem, result)
        result.residual = result.dual = None     # what only the next alpha needed
    return results


def _for_caller(problem, result):
    """The result in the caller's units: y's scale (the solvers see ``y /
    problem.y_scale``) and X's intercept (the solvers' is that of ``X - 1
    problem.shift^T``)."""
    if result.residual is not None:      # a huge epsilon was reduced: see HuberProblem
        excess = problem.excess(result.residual, result.scale)
        result.gap += excess
        result.primal += excess
    c = problem.y_scale
    coef = np.asarray(result.coef, dtype=np.float64)
    result.intercept = c * problem.intercept(coef, result.intercept)
    result.coef = c * coef
    result.scale *= c
    result.gap *= c
    result.primal *= c
    result.tol_abs *= c
    if result.residual is not None and c != 1.0:
        result.residual = c * result.residual
    return result


class Session:
    """The solves of one problem at one or several penalties.

    They share what the penalty does not change: the scale floor, ``P(0)``
    (so the absolute tolerance) and Newton's Hessian, whose inlier Gram is
    corrected by the samples that change side from one solve to the next
    rather than rebuilt.
    """

    def __init__(self, problem, tol, max_iter, solver):
        s, y = problem.s, problem.y
        spread = np.dot(s, np.abs(y - np.dot(s, y) / problem.n_w)) / problem.n_w
        problem.scale_floor = max(SCALE_FLOOR * spread, 10 * np.finfo(np.float64).eps)
        self.problem, self.max_iter, self.solver = problem, max_iter, solver
        p0 = objective_at_zero(problem).primal
        self.tol_abs = gap_target(tol, p0, FINISHED_GAP_FLOOR)
        self.finish_abs = gap_target(tol * tol, p0, FINISHED_GAP_FLOOR)
        self.hessian = None

    def _method(self):
        problem = self.problem
        if self.solver != "auto":
            return self.solver
        dense = isinstance(problem.X, np.ndarray)
        return "newton" if dense and self._newton_applies() else "majorise"

    def _newton_applies(self):
        problem = self.problem
        n, p = problem.X.shape
        return problem.smooth and p <= NEWTON_MAX_FEATURES and 2 * p <= n

    def _run(self, w, max_iter, floor_exit, start=None, tol_abs=None):
        problem = self.problem
        # the solvers update their start in place (the coordinate-descent
        # kernel does): a result it came from (a finish that fails is
        # dropped) must keep its coefficients
        w = np.array(w, dtype=np.float64)
        tol_abs = self.tol_abs if tol_abs is None else tol_abs
        if self._method() == "newton":
            if self.hessian is None:
                self.hessian = Hessian(problem)
            return newton(problem, w, tol_abs=tol_abs, max_iter=max_iter,
                          fallback=majorise, floor_exit=floor_exit, start=start,
                          hessian=self.hessian)
        return majorise(problem, w, tol_abs=tol_abs, max_iter=max_iter,
                        floor_exit=floor_exit, start=start)

    def solve(self, w, start=None):
        """Solve from w (and ``start``, the HuberResult that goes with it)."""
        problem, max_iter = self.problem, self.max_iter
        w = np.array(w, dtype=np.float64)
        n, p = problem.X.shape
        if p == 0:
            return self._run(w, max_iter, False, start)
        # epsilon = 1: d fit / d sigma = sum over inliers of s_i (1 - z_i**2)
        # >= 0, the optimal scale is the floor whatever w: the face first.
        # Elsewhere (n <= p + 1 included: a strong penalty keeps the scale
        # up) the solvers stop when the scale reaches the floor.
        # the face's solver takes the penalty's weights alone (no bounds)
        face_applies = FACE_NEEDS <= problem.penalty.provides
        if problem.eps == 1.0 and face_applies:
            face = self._face(w, start, 0)
            if face.converged:
                return face
        result = self._run(w, max_iter, face_applies, start)
        if result.stalled:
            result = self._unstall(result)
        if result.converged or result.n_iter >= max_iter or not face_applies:
            return result
        # the scale reached its floor: the face, else on without stopping there
        face = self._face(result.coef, result, result.n_iter)
        if face.converged:
            return face
        rest = self._run(result.coef, max_iter - result.n_iter, False, result)
        rest.n_iter += result.n_iter
        return rest if rest.gap <= face.gap else face

    def _unstall(self, result):
        """A majoriser stalled above its target (its least-squares steps at
        their rounding floor): with an L1 part, Newton on the support, signs
        held, within what is left of max_iter (it is not limited by that
        floor); else, or when that does not improve it, the result as it is."""
        left = self.max_iter - result.n_iter
        if self.problem.smooth or left <= 0:
            return result
        return face_newton(self.problem, result, self.tol_abs, left)

    def finish(self, result):
        """A certified single fit carried on by Newton towards ``tol**2 *
        P(0)``, within ``max_iter`` and at most as many iterations again: a
        solver stopping right at its certificate leaves the coefficients
        less accurate than scikit-learn's L-BFGS-B (which overshoots its own
        stopping rule).  Only where Newton solves (smooth penalty, p <= n /
        2; dense X, or on a dense copy a sparse one whose Gram costs at most
        DENSE_FINISH flops); convergence is still judged at ``tol * P(0)``; a start
        certified as it is (a warm start) is kept, with no iteration, as
        scikit-learn's is."""
        if not result.converged or result.gap <= self.finish_abs or (
                not 0 < result.n_iter < self.max_iter):
            return result
        # at most as many iterations again (Newton needs one or two): a
        # target that rounding puts out of reach costs no more than that
        budget = min(result.n_iter, self.max_iter - result.n_iter)
        problem = self.problem
        n, p = problem.X.shape
        if self._method() == "newton":
            finer = self._run(result.coef, budget, False, result, tol_abs=self.finish_abs)
        elif self.solver == "auto" and problem.design.is_sparse and (
                self._newton_applies() and n * p * p <= DENSE_FINISH):
            # small sparse X: Newton on a dense copy costs a few passes where
            # the majoriser's linear rate would take as many again as the solve
            finer = newton(problem.densified(), np.array(result.coef, dtype=np.float64),
                           tol_abs=self.finish_abs, max_iter=budget, fallback=majorise,
                           start=result)
        elif self.solver == "auto" and not problem.smooth and (
                n * np.count_nonzero(result.coef) ** 2 <= DENSE_FINISH):
            # an L1 part: Newton on the support, signs held
            return face_newton(problem, result, self.finish_abs, budget)
        else:
            # many features, a large sparse X: no finish
            return result
        if finer.primal > result.primal or finer.gap > result.gap:
            return result
        finer.n_iter += result.n_iter
        finer.tol_abs = self.tol_abs
        return finer

    def _face(self, w, start, n_iter):
        """The exact solution of the sigma -> 0 face from (w, start's
        intercept), as a HuberResult certified on the Huber problem; the
        solve counts as one iteration after the ``n_iter`` done."""
        problem = self.problem
        b = start.intercept if start is not None else (
            np.dot(problem.s, problem.residual(w, 0.0)) / problem.n_w
            if problem.fit_intercept else 0.0)
        face = FaceProblem(problem.design, problem.y, problem.s, 2.0 * problem.eps,
                           problem.l1, problem.l2, problem.positive, problem.fit_intercept,
                           frozen=problem.constant, shift=problem.shift)
        found = _solve_on_working_sets(face, w, b, problem.constant)
        w = found.coef
        r = problem.residual(w, found.intercept)
        sigma = best_scale(problem, r)[0]
        cert = min(problem.gap(w, r, sigma, found.theta), problem.gap(w, r, sigma),
                   key=lambda c: c.gap)
        if cert.gap > self.tol_abs and found.optimal:
            # another optimal dual point of the face may meet the Huber
            # dual's energy bound where this one does not
            theta = least_energy(face, w, found.intercept, found.theta)
            cert = min(cert, problem.gap(w, r, sigma, theta), key=lambda c: c.gap)
        return HuberResult(coef=w, intercept=found.intercept, gap=cert.gap,
                           primal=cert.primal, tol_abs=self.tol_abs, n_iter=n_iter + 1,
                           scale=sigma, residual=r, dual=cert.dual)


def _solve_on_working_sets(face, w, b, constant):
    """``solve_face`` on a growing set of coordinates: the start's support
    and every coordinate that cannot sit at zero, then, while coordinates
    outside the set violate their L1 bound at the solution, the worst of
    them (at most as many as the set holds) join it.  A face step then
    costs a system of the size of the fitted samples and the set, not of
    all p coordinates (50 x 20000 with an L1 penalty: p may be huge, the
    basis at most n + 1)."""
    kept = ((w != 0) | ~face.kinked) & ~constant
    found = None
    for _ in range(WORKING_SET_ROUNDS):
        face.freeze(constant | ~kept)
        found = solve_face(face, w, b)
        w, b = found.coef, found.intercept
        if kept.all() or not found.optimal:
            break
        excess, slack = face.excess(face.correlations(found.theta))
        outside = np.flatnonzero(~kept & ~constant & (excess > slack))
        if not outside.size:
            break
        size = max(np.count_nonzero(kept), WORKING_SET_MIN)
        kept[outside[np.argsort(excess[outside])[::-1][:size]]] = True
        found = None
    face.freeze(constant)            # the dual point is judged on every coordinate
    return found if found is not None else solve_face(face, w, b)


def fit_at_zero(y, sample_weight, epsilon, fit_intercept, tol=1e-10):
    """The fit of y alone (every coefficient zero): its best intercept and
    scale, a HuberResult in y's units."""
    y = np.asarray(y, dtype=np.float64)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    # one zero column, as a fit on no feature: on an empty design the solver
    # does not take its sigma -> 0 face (epsilon = 1: the scale collapses)
    zero = np.zeros((y.shape[0], 1), order="F")
    problem = HuberProblem(zero, Design(zero), y, sample_weight, epsilon, np.zeros(1),
                           np.zeros(1), False, fit_intercept)
    return solve_huber(problem, np.zeros(1), tol=tol, max_iter=1000)


def objective_at_zero(problem):
    """The solve at w = 0 with the best intercept and scale (a HuberResult;
    ``primal`` is P(0))."""
    n = problem.X.shape[0]
    empty = np.empty((n, 0), order="F")
    zero = HuberProblem(empty, Design(empty), problem.y, problem.s, problem.eps,
                        np.zeros(0), np.zeros(0), False, problem.fit_intercept, y_scale=1.0)
    zero.scale_floor = problem.scale_floor
    return newton(zero, np.zeros(0), tol_abs=0.0, max_iter=100, rel_tol=1e-13)
