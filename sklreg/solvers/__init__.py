"""Solvers: ``solve_*(datafit, penalty, w, ...) -> SolverResult``.

A solver minimises a datafit plus a separable penalty and stops on the
certified criterion of the design: duality gap <= tol * P(0).
"""
from sklreg.solvers._base import SolverResult
from sklreg.solvers._cd import solve_cd
from sklreg.solvers._pg import solve_pg

__all__ = ["SolverResult", "solve_cd", "solve_pg"]
