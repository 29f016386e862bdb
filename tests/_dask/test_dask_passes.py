"""What a fit on Dask data costs: the graphs it submits and the tasks per
block (issue #27), and the block moments that make the one pass."""
import contextlib

import numpy as np
import pytest

from sklreg import ElasticNet, ElasticNetCV, Lasso, LassoCV, Ridge, RidgeCV, regularization_path
import sklreg._dask._moments as moments_module
from sklreg._dask._moments import labelled_moments

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")

N_BLOCKS = 4


class GraphCounter(distributed.diagnostics.plugin.SchedulerPlugin):
    """Counts the graphs submitted to the scheduler and the tasks of each
    kind (the function's name) that reach memory."""

    def __init__(self):
        self.graphs, self.tasks = 0, {}

    def update_graph(self, scheduler, **kwargs):
        self.graphs += 1

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "memory":
            name = (key[0] if isinstance(key, tuple) else str(key)).rsplit("-", 1)[0]
            self.tasks[name] = self.tasks.get(name, 0) + 1


@contextlib.contextmanager
def counting(client):
    scheduler = client.cluster.scheduler
    counter = GraphCounter()
    scheduler.add_plugin(counter, name="sklreg-test-counter")
    try:
        yield counter
    finally:
        scheduler.remove_plugin(name="sklreg-test-counter")


@pytest.fixture(scope="module")
def data(client):
    """Persisted once for the module: a persist's graph (sent asynchronously,
    its keys already in memory from an earlier persist of the same data)
    must not land inside a test's count."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2000, 6)) + 4.0
    y = X[:, :2] @ [1.0, -2.0] + rng.standard_normal(2000)
    Xd = da.from_array(X, chunks=(500, 6)).persist()
    yd = da.from_array(y, chunks=500).persist()
    distributed.wait([Xd, yd])
    return Xd, yd


FITS = [lambda X, y: Lasso(alpha=0.01).fit(X, y),
        lambda X, y: ElasticNet(alpha=0.01).fit(X, y),
        lambda X, y: Ridge(alpha=1.0).fit(X, y),
        lambda X, y: regularization_path(Lasso(), X, y, alphas=20),
        lambda X, y: LassoCV(cv=3, alphas=20).fit(X, y),
        lambda X, y: ElasticNetCV(cv=3, l1_ratio=[0.5, 1.0], alphas=20).fit(X, y),
        lambda X, y: RidgeCV(cv=3, alphas=[0.1, 1.0, 10.0]).fit(X, y)]


@pytest.mark.parametrize("fit", FITS, ids=["Lasso", "ElasticNet", "Ridge", "path",
                                           "LassoCV", "ElasticNetCV", "RidgeCV"])
def test_least_squares_is_one_graph_with_one_moments_task_a_block(client, data, fit):
    """One graph submitted (no second pass, no persist, no separate
    reduction for y or P(0)), whose only per-block work is the moments."""
    with counting(client) as counter:
        fit(*data)
    assert counter.graphs == 1, (counter.graphs, counter.tasks)
    assert counter.tasks.get("_block_moments") == N_BLOCKS
    per_block = {name: count for name, count in counter.tasks.items()
                 if count >= N_BLOCKS and name not in ("_block_moments", "getitem")}
    assert per_block == {}


def _exact(X, Y, s):
    Z = np.column_stack([X, Y]).astype(np.float64)
    w = s.sum()
    mean = s @ Z / w
    C = Z - mean
    return w, mean, (C * s[:, None]).T @ C


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("labelled", [False, True])
def test_block_moments_in_chunks_equal_the_centred_ones(monkeypatch, dtype, weighted, labelled):
    """Chunk by chunk (many chunks here), shifted by the running mean: the
    moments of each label equal the two-pass centred ones to rounding, on a
    column whose mean dwarfs its spread and one that drifts along the rows."""
    monkeypatch.setattr(moments_module, "CHUNK_BYTES", 4096)
    rng = np.random.default_rng(0)
    n = 3001
    X = rng.standard_normal((n, 4))
    X[:, 1] = 1e6 + 0.01 * X[:, 1]
    X[:, 2] += np.linspace(0.0, 1e4, n)
    X = X.astype(dtype)
    Y = rng.standard_normal((n, 2))
    s = rng.uniform(0.0, 2.0, n) if weighted else None
    if weighted:
        s[:700] = 0.0               # whole chunks of zero weight
    labels = rng.integers(-1, 3, n) if labelled else None
    out = labelled_moments(X, Y, s, labels)
    assert sorted(out) == ([-1, 0, 1, 2] if labelled else [0])
    for label, m in out.items():
        rows = np.ones(n, bool) if labels is None else labels == label
        weight, mean, scatter = _exact(X[rows], Y[rows], np.ones(n)[rows] if s is None
                                       else s[rows])
        assert m.rows == rows.sum()
        np.testing.assert_allclose(m.weight, weight, rtol=1e-13)
        np.testing.assert_allclose(m.mean, mean, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(m.scatter, scatter, rtol=1e-11,
                                   atol=1e-12 * np.abs(scatter).max())


def test_nan_in_a_weightless_chunk_is_still_named(monkeypatch):
    monkeypatch.setattr(moments_module, "CHUNK_BYTES", 4096)
    rng = np.random.default_rng(1)
    X, y, s = rng.standard_normal((1000, 3)), rng.standard_normal(1000), np.ones(1000)
    s[:400] = 0.0
    X[10, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or infinity in block 2"):
        moments_module._block_moments(X, y, s, None, 2, "block 2", None)


def test_huber_passes_are_one_task_a_block(client, data):
    """Each of Huber's passes (the moments', then one a Newton step or
    line search) is one graph with one task a block."""
    from sklreg import HuberRegressor
    with counting(client) as counter:
        model = HuberRegressor(alpha=1e-3).fit(*data)
    assert counter.tasks.get("first_block") == N_BLOCKS
    assert counter.tasks.get("block_requests") == N_BLOCKS * (counter.graphs - 1)
    # a pass a Newton step, and one more for a step the line search shortened
    assert model.n_iter_ + 1 <= counter.graphs <= 2 * model.n_iter_ + 1
    assert set(counter.tasks) == {"first_block", "merge_first", "block_requests",
                                  "merge_results"}
