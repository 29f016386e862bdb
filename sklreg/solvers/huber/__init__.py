"""Huber regression with Owen's joint scale, certified by a duality gap.

``HuberProblem`` (``_problem``) holds the data, the penalty and the
certificate; ``solve_huber`` and ``huber_path`` (``_session``) choose among
damped Newton (``_newton``, ``_hessian``), the majoriser with coordinate
descent (``_majorise``) and the exact solution of the sigma -> 0 limit
(``_face``), all sharing the exact scale search (``_scale``).
"""
from sklreg.solvers.huber._problem import HuberProblem
from sklreg.solvers.huber._result import HuberResult
from sklreg.solvers.huber._session import fit_at_zero, huber_path, objective_at_zero, solve_huber

__all__ = ["HuberProblem", "HuberResult", "fit_at_zero", "huber_path", "objective_at_zero", "solve_huber"]
