"""The passes of one fit over Dask data: run block by block, merged on the
workers, counted and reported at ``verbose > 0``."""
import functools

from sklreg._dask._moments import tree_reduce
from sklreg.utils._blas import single_threaded_blas


def on_client(fit):
    """``fit`` (an entry point from the estimators) with one BLAS thread in
    this process: its own work is p x p (small factorisations, where
    OpenBLAS's spinning threads cost 30-300x on busy cores: an eigh of a
    100 x 100 Gram took 0.2 s instead of 0.8 ms), and the blocks of a
    local scheduler run in threads of their own."""
    @functools.wraps(fit)
    def wrapped(*args, **kwargs):
        with single_threaded_blas():
            return fit(*args, **kwargs)
    return wrapped


class Passes:
    """Runs ``block_fn(x, y, s, *args)`` on every block of ``data`` (a
    ``DaskData``) and merges the results on the workers (``merge`` takes a
    list); ``indexed`` passes each block's index and name before args, and
    ``per_block`` (a list, one entry a block: the user's fold_ids) each
    block's entry before those."""

    def __init__(self, data, estimator):
        self.data, self.verbose = data, getattr(estimator, "verbose", 0)
        self.name, self.count = type(estimator).__name__, 0

    def run(self, block_fn, merge, *args, indexed=False, per_block=None):
        import dask

        self.count += 1
        tasks = [dask.delayed(block_fn, pure=True)(
            x, y, s, *(() if per_block is None else (per_block[i],)),
            *((i, self.data.where(i)) if indexed else ()), *args)
            for i, (x, y, s) in enumerate(self.data.blocks())]
        return tree_reduce(tasks, merge)

    def say(self, text):
        if self.verbose:
            print(f"[{self.name}] pass {self.count} over {self.data.n_blocks} blocks: {text}",
                  flush=True)
