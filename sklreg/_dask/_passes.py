"""The passes of one fit over Dask data: run block by block, merged on the
workers, counted and reported at ``verbose > 0``."""
from sklreg._dask._moments import tree_reduce


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
