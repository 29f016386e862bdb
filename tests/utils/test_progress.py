"""``verbose``: progress lines of long single fits (issue 23 item 9) and of
cross-validation per fold and alpha, naming the l1_ratio (item 8)."""
import builtins
import re

import numpy as np
import pytest

from sklreg import (ElasticNet, ElasticNetCV, HuberRegressor, HuberRegressorCV, Lasso,
                    LassoCV, QuantileRegressor, lasso_path)
from sklreg.utils import _progress
from tests.conftest import make_problem

LINE = re.compile(r"^\[sklreg\] (?P<label>[^:]+): (?P<text>.*) \((?P<secs>[\d.]+) s\)$")


def lines(capsys):
    out = capsys.readouterr().out.splitlines()
    parsed = [LINE.match(line) for line in out if line.startswith("[sklreg]")]
    assert all(parsed), out
    return parsed


@pytest.fixture
def no_tqdm(monkeypatch):
    """The plain-line fallback of the per-fold progress."""
    real_import = builtins.__import__

    def without_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", without_tqdm)


def test_lasso_verbose_2_reports_every_outer_iteration_up_to_the_certified_gap(capsys):
    X, y, _ = make_problem(100, 300)
    model = Lasso(alpha=0.01, tol=1e-10, verbose=2).fit(X, y)
    out = lines(capsys)
    assert len(out) >= 2 and all(m["label"] == "Lasso" for m in out)
    last = re.search(r"passes (\d+), duality gap ([\d.e+-]+) \(target ([\d.e+-]+)\), "
                     r"working set (\d+) features, (\d+) non-zero", out[-1]["text"])
    assert last, out[-1]["text"]
    assert int(last[1]) == model.n_iter_
    assert float(last[2]) == pytest.approx(model.dual_gap_, rel=1e-3, abs=1e-300)
    assert float(last[2]) <= float(last[3])
    assert int(last[5]) == np.count_nonzero(model.coef_)
    passes = [int(re.search(r"passes (\d+)", m["text"])[1]) for m in out]
    assert passes == sorted(passes)


def test_verbose_0_prints_nothing(capsys):
    X, y, _ = make_problem(60, 20)
    Lasso(alpha=0.01).fit(X, y)
    LassoCV(cv=3, alphas=4).fit(X, y)
    HuberRegressor().fit(X, y)
    assert capsys.readouterr().out == ""


class FakeClock:
    """A clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def test_verbose_1_is_quiet_for_a_short_fit_and_rate_limited_for_a_long_one(
        capsys, monkeypatch):
    X, y, _ = make_problem(100, 300)
    every = ElasticNet(alpha=0.005, tol=1e-10, verbose=2).fit(X, y)
    n_lines = len(lines(capsys))
    assert n_lines >= 4

    monkeypatch.setattr(_progress, "_clock", FakeClock(0.0))         # a short fit
    ElasticNet(alpha=0.005, tol=1e-10, verbose=1).fit(X, y)
    assert lines(capsys) == []

    # a slow one: each read of the clock 0.4 s later, so after the first
    # second a line at most every other check
    monkeypatch.setattr(_progress, "_clock", FakeClock(0.4))
    slow = ElasticNet(alpha=0.005, tol=1e-10, verbose=1).fit(X, y)
    some = lines(capsys)
    assert 1 <= len(some) < n_lines
    np.testing.assert_array_equal(slow.coef_, every.coef_)   # printing changes nothing


def test_nested_solvers_stay_silent_and_every_solver_names_itself(capsys):
    X, y, _ = make_problem(80, 10)
    HuberRegressor(l1_ratio=0.5, alpha=0.01, verbose=2).fit(X, y)   # majoriser + CD
    out = lines(capsys)
    assert out and all(m["text"].startswith("Huber solver, iterations") for m in out)
    QuantileRegressor(alpha=0.01, verbose=2).fit(X, y)
    out = lines(capsys)
    assert out and all(m["text"].startswith("interior point, iterations") for m in out)
    X_wide, y_wide, _ = make_problem(40, 120)
    QuantileRegressor(alpha=0.05, solver="ipm-ws", verbose=2).fit(X_wide, y_wide)
    out = lines(capsys)         # the working-set rounds, not their interior points
    assert out and all(m["text"].startswith("interior point on working sets")
                       for m in out)
    QuantileRegressor(alpha=0.01, solver="highs", verbose=2).fit(X, y)
    assert lines(capsys) == []


def test_proximal_gradient_reports_each_gap_check_and_printing_changes_nothing(capsys):
    X, y, _ = make_problem(120, 30)
    quiet = Lasso(alpha=0.01, solver="pg", tol=1e-10).fit(X, y)
    assert lines(capsys) == []
    loud = Lasso(alpha=0.01, solver="pg", tol=1e-10, verbose=2).fit(X, y)
    out = lines(capsys)
    assert out and all(m["text"].startswith("proximal gradient, iterations") for m in out)
    iterations = [int(re.search(r"iterations (\d+)", m["text"])[1]) for m in out]
    assert iterations == sorted(iterations) and iterations[-1] == loud.n_iter_
    gaps = [float(re.search(r"duality gap (\S+)", m["text"])[1]) for m in out]
    assert gaps[-1] <= float(re.search(r"target (\S+)\)", out[-1]["text"])[1])
    np.testing.assert_array_equal(loud.coef_, quiet.coef_)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_cv_verbose_reports_each_fold_and_alpha_with_its_l1_ratio(capsys, no_tqdm, n_jobs):
    X, y, _ = make_problem(90, 8)
    ratios, n_alphas, n_folds = [0.5, 0.9], 4, 3
    ElasticNetCV(l1_ratio=ratios, alphas=n_alphas, cv=n_folds, verbose=2,
                 n_jobs=n_jobs).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    for ratio in ratios:
        folds = [line for line in out if line.startswith("[sklreg] fold")
                 and "path of" in line and f"l1_ratio={ratio}" in line]
        assert len(folds) == n_folds
        done = {(m[1], m[2]) for m in (re.match(
            rf"\[sklreg\] fold (\d)/{n_folds} \(l1_ratio={ratio}\) at alpha=[\d.e+-]+: "
            rf"alpha (\d)/{n_alphas} done", line) for line in out) if m}
        assert done == {(str(k), str(a)) for k in range(1, n_folds + 1)
                        for a in range(1, n_alphas + 1)}
    assert any("refit on all the data" in line for line in out)


def test_cv_verbose_1_keeps_solver_lines_quiet_on_short_fits(capsys, no_tqdm, monkeypatch):
    monkeypatch.setattr(_progress, "_clock", FakeClock(0.0))
    X, y, _ = make_problem(90, 8)
    HuberRegressorCV(alphas=3, cv=3, verbose=1).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(line.startswith("[sklreg] fold") for line in out)


def test_lasso_path_verbose(capsys):
    X, y, _ = make_problem(60, 10)
    alphas, _, gaps = lasso_path(X, y, alphas=5, verbose=2)
    done = [m for m in lines(capsys) if "done" in m["text"]]
    assert len(done) == 5 and all(m["label"].startswith("lasso_path at alpha=") for m in done)
    printed = [float(re.search(r"duality gap ([\d.e+-]+)", m["text"])[1]) for m in done]
    np.testing.assert_allclose(printed, gaps, rtol=1e-3, atol=1e-300)
