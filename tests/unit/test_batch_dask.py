"""fastopt.backtest.run_batch on a real Dask LocalCluster: same frame as locally, chain shipped
once per worker, scheduler address, client="local", a killed worker, Ctrl-C, thread counts."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import numba
import pytest

pytest.importorskip("dask.distributed")

import dask.distributed as dd
from dask.distributed import Client, Future, LocalCluster

import fastopt.backtest.distributed as dist_mod
from fastopt.backtest import BatchInterrupted, PreparedChain, prepare_chain, run_batch
from fastopt.data import generate_chains

GRID = {"short_delta": [0.1, 0.16, 0.25], "width": [10.0, 25.0], "profit_target": [0.5, None]}
FIXED = {"min_dte": 20, "max_dte": 45}
N_SETS = 12
N_WORKERS = 2


def _start_cluster() -> tuple[LocalCluster, Client]:
    # The scheduler always starts an HTTP server, on 8787 unless told otherwise, even
    # with dashboard_address=None; a port already held (another cluster, a concurrent
    # test run) makes distributed warn, which pytest turns into an error: use a free port.
    cluster = LocalCluster(
        n_workers=N_WORKERS,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    return cluster, Client(cluster)


def _stop_cluster(cluster: LocalCluster, client: Client) -> None:
    client.close()
    cluster.close()


def _wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _scheduler_keys(client: Client, prefix: str) -> list[str]:
    def keys(dask_scheduler: Any) -> list[str]:
        return [str(k) for k in dask_scheduler.tasks if str(k).startswith(prefix)]

    return list(client.run_on_scheduler(keys))


@pytest.fixture(scope="module")
def prep():
    chain = generate_chains(start="2017-01-01", end="2017-06-30", max_dte=60, seed=5)
    return prepare_chain(chain)


@pytest.fixture(scope="module")
def local(prep):
    frame = run_batch(prep, GRID, fixed=FIXED, progress=False)
    assert frame.height == N_SETS
    assert frame["final_equity"].n_unique() == N_SETS  # the sets really differ
    return frame


@pytest.fixture(scope="module")
def cluster(prep):
    # Workers run the serial batch kernel: compile it here first so that they load it from
    # the on-disk cache instead of compiling it twice at once (which can take long enough,
    # GIL held, to upset the cluster's bookkeeping on a cold CI cache).
    from fastopt.backtest.batch import compile_grid, evaluate_sets

    evaluate_sets(prep, compile_grid({"width": [10.0, 25.0]}, FIXED)[1], parallel=False)
    cluster, client = _start_cluster()
    client.wait_for_workers(N_WORKERS, timeout=60)
    yield cluster, client
    _stop_cluster(cluster, client)


@pytest.fixture
def client(cluster):
    return cluster[1]


@pytest.fixture
def submitted(client, monkeypatch):
    """The ``(args, kwargs)`` of every ``client.submit`` made by ``evaluate_on_dask``."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    real = client.submit

    def submit(*args: Any, **kwargs: Any) -> Future:
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(client, "submit", submit)
    return calls


@pytest.mark.parametrize(("partitions", "n_tasks"), [(None, 4 * N_WORKERS), (5, 5), (100, N_SETS)])
def test_dask_frame_equals_local(prep, local, client, submitted, partitions, n_tasks):
    res = run_batch(prep, GRID, fixed=FIXED, client=client, partitions=partitions, progress=False)
    assert res.equals(local)
    assert res.schema == local.schema
    # contiguous partitions covering every set once, each one task
    assert len(submitted) == n_tasks
    bounds = sorted((args[3], args[3] + args[2].n_sets) for args, _ in submitted)
    assert [lo for lo, _ in bounds] == [0] + [hi for _, hi in bounds[:-1]]
    assert bounds[-1][1] == N_SETS
    assert all(hi > lo for lo, hi in bounds)
    assert all(kwargs["retries"] == 2 for _, kwargs in submitted)


def test_repeated_runs_are_bit_identical(prep, client):
    first = run_batch(prep, GRID, fixed=FIXED, client=client, partitions=3, progress=False)
    second = run_batch(prep, GRID, fixed=FIXED, client=client, partitions=7, progress=False)
    assert first.equals(second)


def test_chain_shipped_once_per_worker(prep, local, client, submitted, monkeypatch):
    """What is checked (all real cluster state, read while the batch runs):

    * the chain is scattered once, with ``broadcast=True``, and every task is
      submitted with that one future (the chain is not embedded in the tasks);
    * on the scheduler every task depends on exactly that one key;
    * on each worker the chain key was put in memory exactly once (the worker's
      own state-machine story: one receive from the client's scatter or one
      replica from a peer), and the workers executed every partition once;
    * afterwards the chain and the results are released from the cluster.
    """
    scatters: list[tuple[Any, dict[str, Any], Any]] = []
    real_scatter = client.scatter

    def scatter(data: Any, **kwargs: Any) -> Any:
        out = real_scatter(data, **kwargs)
        scatters.append((data, kwargs, out))
        return out

    monkeypatch.setattr(client, "scatter", scatter)
    snap: dict[str, Any] = {}
    real_as_completed = dd.as_completed

    def as_completed(futures: list[Future], **kwargs: Any) -> Iterator[Any]:
        keys = [f.key for f in futures]

        def deps(dask_scheduler: Any) -> dict[str, list[str]]:
            tasks = dask_scheduler.tasks
            return {k: sorted(d.key for d in tasks[k].dependencies) for k in keys if k in tasks}

        def all_known() -> bool:  # the submissions reach the scheduler asynchronously
            snap["deps"] = client.run_on_scheduler(deps)
            return len(snap["deps"]) == len(keys)

        _wait_until(all_known)
        yield from real_as_completed(futures, **kwargs)
        chain_key = snap["deps"][keys[0]][0]
        snap["chain_key"] = chain_key

        def who_has(dask_scheduler: Any) -> list[str]:
            return sorted(ws.address for ws in dask_scheduler.tasks[chain_key].who_has)

        snap["who_has"] = client.run_on_scheduler(who_has)

        def story(dask_worker: Any) -> dict[str, int]:
            chain = dask_worker.state.story(chain_key)
            tasks = dask_worker.state.story(*keys)
            return {
                "chain_in_memory": sum(ev[1] == "put-in-memory" for ev in chain),
                "executed": sum(ev[1:3] == ("executing", "memory") for ev in tasks),
            }

        snap["workers"] = client.run(story)

    monkeypatch.setattr(dd, "as_completed", as_completed)
    res = run_batch(prep, GRID, fixed=FIXED, client=client, progress=False)
    assert res.equals(local)

    [(data, kwargs, out)] = scatters
    assert len(data) == 1
    assert isinstance(data[0], PreparedChain)
    assert kwargs["broadcast"] is True
    [chain_future] = out
    assert len(submitted) == 4 * N_WORKERS
    assert all(args[1] is chain_future for args, _ in submitted)  # the future, not the chain
    chain_key = snap["chain_key"]
    assert chain_key == chain_future.key
    assert all(d == [chain_key] for d in snap["deps"].values())
    workers = set(client.nthreads())
    # Every worker received the chain exactly once (its own task log, below). Who holds it
    # at the end is timing: the scheduler's active memory manager may drop a replica once
    # a worker has no task left that needs it (seen in the slow pure-Python coverage run).
    assert snap["who_has"]
    assert set(snap["who_has"]) <= workers
    assert set(snap["workers"]) == workers
    assert all(w["chain_in_memory"] == 1 for w in snap["workers"].values()), snap["workers"]
    # (which worker runs how many partitions is the scheduler's choice: a worker that is
    # still compiling the kernels may get none, so only the total is checked)
    assert sum(w["executed"] for w in snap["workers"].values()) == len(submitted)
    # nothing of the batch stays on the cluster
    token = submitted[0][1]["key"].rsplit("-", 1)[0]
    _wait_until(lambda: not _scheduler_keys(client, token))
    _wait_until(lambda: not _scheduler_keys(client, chain_key))


@pytest.fixture
def connections(monkeypatch):
    """The ``(client, objects to close)`` of every ``_connect`` call of ``evaluate_on_dask``."""
    made: list[tuple[Any, list[Any]]] = []
    real = dist_mod._connect

    def connect(client: object) -> tuple[Any, list[Any]]:
        out = real(client)
        made.append(out)
        return out

    monkeypatch.setattr(dist_mod, "_connect", connect)
    return made


def test_scheduler_address(prep, local, cluster, connections):
    cluster_, client = cluster
    address = cluster_.scheduler_address
    assert isinstance(address, str)
    res = run_batch(prep, GRID, fixed=FIXED, client=address, partitions=4, progress=False)
    assert res.equals(local)
    [(own, owned)] = connections
    assert owned == [own]
    assert own is not client
    assert own.status == "closed"  # the call's own connection, closed
    assert client.status == "running"


def test_local_cluster_started_and_closed(prep, local, connections):
    res = run_batch(prep, GRID, fixed=FIXED, client="local", progress=False)
    assert res.equals(local)
    [(own, owned)] = connections
    assert owned[0] is own
    assert isinstance(owned[1], LocalCluster)
    assert own.status == "closed"
    assert owned[1].status.name == "closed"


def test_task_error_is_retried(prep, local, client, tmp_path, monkeypatch):
    """A partition whose task raises once is rerun (``retries=2``)."""
    marker = tmp_path / "failed"

    def flaky(chain: Any, rules: Any, lo: int) -> Any:
        import fastopt.backtest.distributed as mod  # on the worker: the real module

        if lo == 6 and not marker.exists():
            marker.touch()
            raise OSError("transient failure")
        return mod._evaluate_part(chain, rules, lo)

    monkeypatch.setattr(dist_mod, "_evaluate_part", flaky)  # a closure: pickled by value
    res = run_batch(prep, GRID, fixed=FIXED, client=client, partitions=N_SETS, progress=False)
    assert marker.exists()
    assert res.equals(local)


def test_lost_worker_partition_is_retried(prep, local, tmp_path, monkeypatch):
    """A worker process really dies (SIGKILL) while running a partition: Dask reschedules
    that partition (and whatever else the dead worker held) on the other worker.

    The kill is made deterministic by doing it from inside the task: the first
    attempt at partition 5 records its worker's pid and kills that process;
    the rerun finds the record and computes normally. A dedicated cluster is
    used because the nanny restarts the dead worker, which the other tests
    should not have to wait for.
    """
    marker = tmp_path / "killed"

    def deadly(chain: Any, rules: Any, lo: int) -> Any:
        import os
        import signal

        import fastopt.backtest.distributed as mod  # on the worker: the real module

        if lo == 5:
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass
            else:
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                os.kill(os.getpid(), signal.SIGKILL)
        return mod._evaluate_part(chain, rules, lo)

    monkeypatch.setattr(dist_mod, "_evaluate_part", deadly)  # a closure: pickled by value
    cluster, client = _start_cluster()
    try:
        client.wait_for_workers(N_WORKERS, timeout=60)
        pids_before = set(client.run(os.getpid).values())
        res = run_batch(prep, GRID, fixed=FIXED, client=client, partitions=N_SETS, progress=False)
        killed = int(marker.read_text())
        assert killed in pids_before  # a worker of this cluster died during the run
        assert res.equals(local)
        # the nanny replaced it with a new process
        client.wait_for_workers(N_WORKERS, timeout=60)
        _wait_until(lambda: killed not in set(client.run(os.getpid).values()))
    finally:
        _stop_cluster(cluster, client)


def test_keyboard_interrupt_keeps_finished_sets(prep, local, client, monkeypatch):
    real_as_completed = dd.as_completed
    seen: list[Future] = []
    yielded: list[tuple[int, int]] = []

    def interrupted(futures: list[Future], **kwargs: Any) -> Iterator[Any]:
        seen.extend(futures)
        for i, item in enumerate(real_as_completed(futures, **kwargs)):
            if i == 2:
                raise KeyboardInterrupt
            _, (lo, rows) = item
            yielded.append((lo, rows.shape[0]))
            yield item

    monkeypatch.setattr(dd, "as_completed", interrupted)
    with pytest.raises(BatchInterrupted) as info:
        run_batch(prep, GRID, fixed=FIXED, client=client, partitions=4, progress=False)
    partial = info.value.partial
    expected_sets = sorted(s for lo, n in yielded for s in range(lo, lo + n))
    assert len(yielded) == 2
    assert partial["set"].to_list() == expected_sets
    assert partial.columns == local.columns
    assert partial.cast(dict(local.schema)).equals(local[expected_sets])
    assert f"after {len(expected_sets)} of {N_SETS}" in str(info.value)
    # every task future was cancelled and the cluster let go of the batch and the chain
    assert len(seen) == 4
    assert all(f.cancelled() for f in seen)
    token = seen[0].key.rsplit("-", 1)[0]
    _wait_until(lambda: not _scheduler_keys(client, token))
    _wait_until(lambda: not _scheduler_keys(client, "PreparedChain-"))


def test_thread_count_independent(prep, local, client):
    dask_res = run_batch(prep, GRID, fixed=FIXED, client=client, progress=False)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one_thread = run_batch(prep, GRID, fixed=FIXED, progress=False, chunk_size=5)
    finally:
        numba.set_num_threads(threads)
    assert one_thread.equals(dask_res)
    assert one_thread.equals(local)
