"""Parameter batches on a Dask cluster (``dask.distributed``).

:func:`evaluate_on_dask` is what :func:`fastopt.backtest.run_batch` calls
with ``client=``: the prepared chain is scattered to every worker once
(``broadcast=True``), the parameter sets are cut into contiguous partitions,
each partition is one task running
:func:`fastopt.backtest.rule_sets.evaluate_sets` on its worker, and the rows are
gathered back in grid order. Dask reschedules the task of a worker that dies
on another worker, and a task that raises is retried (``retries=2``). Each
set runs the same serial loop as locally, so the frame is identical to the
local one.
"""

from __future__ import annotations

import contextlib
import itertools
import uuid
from typing import Any

import numpy as np

from fastopt._validate import check_int
from fastopt.backtest.prepared import PreparedChain
from fastopt.backtest.rule_sets import RuleSets, evaluate_sets

__all__ = ["evaluate_on_dask"]


def _evaluate_part(prep: PreparedChain, rules: RuleSets, lo: int) -> tuple[int, Any]:
    """One partition on a worker: ``(lo, rows)``. Serial: Dask supplies the parallelism."""
    return lo, evaluate_sets(prep, rules, parallel=False)


def _connect(client: object) -> tuple[Any, list[Any]]:
    """A ``Client`` for ``client`` and the objects this call must close (in order)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is in the dev extra
        msg = "`client=` needs dask.distributed: pip install 'fastopt[distributed]'"
        raise ImportError(msg) from None
    if isinstance(client, Client):
        return client, []
    if client == "local":
        # No dashboard; the scheduler's HTTP server (always started) on a free
        # local port instead of 8787, which another cluster or a notebook may hold
        # (distributed then warns and moves).
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
        try:
            own = Client(cluster)
        except BaseException:
            cluster.close()
            raise
        return own, [own, cluster]
    if isinstance(client, str):
        own = Client(client)
        return own, [own]
    msg = (
        "`client` must be a dask.distributed.Client, a scheduler address or 'local', "
        f"got {type(client).__name__}"
    )
    raise TypeError(msg)


def evaluate_on_dask(
    prep: PreparedChain,
    rules: RuleSets,
    client: object,
    *,
    values: np.ndarray[Any, np.dtype[np.float64]],
    done: np.ndarray[Any, np.dtype[np.bool_]],
    partitions: int | None = None,
    progress: bool = False,
) -> None:
    """Fill ``values`` (the rows of :func:`evaluate_sets`) and ``done`` on a Dask cluster.

    Parameters
    ----------
    prep : PreparedChain
        Shipped once to every worker.
    rules : RuleSets
        Cut into ``partitions`` contiguous tasks (default 4 per worker).
    client : dask.distributed.Client, str or "local"
        See :func:`fastopt.backtest.run_batch`.
    values, done : numpy.ndarray
        Output rows and the mask of finished sets (filled as tasks finish,
        so an interrupted call leaves what was done).
    partitions : int, optional
    progress : bool
        Show a tqdm progress bar.
    """
    from dask.distributed import as_completed
    from tqdm.auto import tqdm

    dask_client, owned = _connect(client)
    chain_future: Any = None
    futures: list[Any] = []
    try:
        # nthreads() lists every worker; scheduler_info()["workers"] holds at most 5
        # in distributed 2025.4 to 2026.6 (dask/distributed#9045, #9308)
        n_workers = max(1, len(dask_client.nthreads()))
        parts = 4 * n_workers if partitions is None else check_int(partitions, "partitions", 1)
        n = rules.n_sets
        bounds = np.linspace(0, n, min(parts, n) + 1).round().astype(np.int64)
        [chain_future] = dask_client.scatter([prep], broadcast=True, hash=False)
        token = uuid.uuid4().hex[:12]
        futures = [
            dask_client.submit(
                _evaluate_part,
                chain_future,
                rules.take(int(lo), int(hi)),
                int(lo),
                key=f"fastopt-batch-{token}-{i}",
                retries=2,
                pure=False,
            )
            for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
        ]
        with tqdm(total=n, disable=not progress, unit="set", desc="backtests (dask)") as bar:
            for _, (lo, rows) in as_completed(futures, with_results=True):
                values[lo : lo + rows.shape[0]] = rows
                done[lo : lo + rows.shape[0]] = True
                bar.update(rows.shape[0])
    finally:
        # Cancel what is still queued or running and release the results and the
        # scattered chain on the workers (also on success: nothing else holds them).
        # A client that already lost its scheduler must not mask the real error.
        pending = [*futures, *([] if chain_future is None else [chain_future])]
        if pending:
            with contextlib.suppress(Exception):
                dask_client.cancel(pending)
        for obj in owned:
            obj.close()
