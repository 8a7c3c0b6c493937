"""Thread count and the size above which kernels run in parallel.

The serial kernel is canonical; its ``prange`` twin is used only for batches of
at least :func:`get_parallel_threshold` elements and only when more than one
thread is allowed. Below that size the cost of waking the thread pool
dominates (measured in ``benchmarks/bench_pricing.py``; on a shared 2-core
machine a parallel region has a floor of several milliseconds). Results are
identical whatever the thread count: the kernels have no shared accumulators.
"""

from __future__ import annotations

import numba

from fastopt._validate import check_int

_THRESHOLD = {"value": 20_000}


def set_num_threads(n: int) -> None:
    """Set the number of threads the parallel kernels may use (1 disables parallelism).

    Parameters
    ----------
    n : int
        Between 1 and the number of threads Numba was started with
        (``NUMBA_NUM_THREADS``, by default the number of cores).

    Examples
    --------
    >>> import fastopt
    >>> fastopt.set_num_threads(1)
    >>> fastopt.get_num_threads()
    1
    >>> fastopt.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    """
    n = check_int(n, "n", 1)
    if n > numba.config.NUMBA_NUM_THREADS:
        msg = f"`n` must be <= {numba.config.NUMBA_NUM_THREADS} (NUMBA_NUM_THREADS), got {n!r}"
        raise ValueError(msg)
    numba.set_num_threads(n)


def get_num_threads() -> int:
    """Return the number of threads the parallel kernels use."""
    return int(numba.get_num_threads())


def set_parallel_threshold(n: int) -> None:
    """Set the batch size from which the parallel kernels are used.

    Examples
    --------
    >>> import fastopt
    >>> fastopt.set_parallel_threshold(50_000)
    >>> fastopt.get_parallel_threshold()
    50000
    >>> fastopt.set_parallel_threshold(20_000)
    """
    _THRESHOLD["value"] = check_int(n, "n", 1)


def get_parallel_threshold() -> int:
    """Return the batch size from which the parallel kernels are used."""
    return _THRESHOLD["value"]


def use_parallel(n_items: int) -> bool:
    """True when a batch of ``n_items`` should run on the parallel kernel."""
    return n_items >= _THRESHOLD["value"] and numba.get_num_threads() > 1
