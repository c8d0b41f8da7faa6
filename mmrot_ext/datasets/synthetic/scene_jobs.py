"""What the scene writers share: split names and rendering scenes in
worker processes."""
import multiprocessing
import os


def check_splits(splits, known):
    """Raise a ValueError naming any split of ``splits`` not in ``known``."""
    unknown = set(splits) - set(known)
    if unknown:
        raise ValueError(f'unknown split(s) {sorted(unknown)}; expected a '
                         f'subset of {sorted(known)}')


def map_scenes(job, count, workers=None):
    """``[job(i) for i in range(count)]``, in a pool of ``workers`` forked
    processes (None: one per core) when there are several of both.

    ``job`` must be picklable (a module-level function or a partial of one)
    and seed its own randomness from ``i``, so the result does not depend
    on ``workers``.
    """
    workers = workers or os.cpu_count() or 1
    if workers > 1 and count > 1:
        with multiprocessing.get_context('fork').Pool(workers) as pool:
            return pool.map(job, range(count), chunksize=8)
    return [job(i) for i in range(count)]
