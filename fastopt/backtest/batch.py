"""Parameter batches: thousands of backtests over one chain in one compiled pass.

:func:`run_batch` expands a parameter grid into rule sets, compiles each with
:func:`fastopt.backtest.rules.compile_rules` (a bad value is reported with the
set it belongs to), prepares the chain once and runs the sets through
:func:`fastopt.kernels.backtest.run_batch_nb` (``prange`` over sets, each set
the same serial loop as :func:`fastopt.backtest.run_backtest`) in chunks, so
that a progress bar can advance and Ctrl-C stops cleanly between chunks. The
metrics of every set come from the metrics kernel, exactly as
:func:`run_backtest` computes them. With ``client=`` the chunks run on a Dask
cluster instead (:mod:`fastopt.backtest.distributed`); the results are
identical.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt._validate import check_int
from fastopt.backtest.prepared import PreparedChain, prepare_chain
from fastopt.backtest.rule_sets import _N_VALUES, BATCH_COLUMNS, RuleSets, evaluate_sets
from fastopt.backtest.rules import check_rule_names, compile_rules
from fastopt.kernels import backtest as _kb
from fastopt.kernels import rule_records as _rr

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = [
    "BATCH_COLUMNS",
    "BatchInterrupted",
    "RuleSets",
    "compile_grid",
    "evaluate_sets",
    "run_batch",
    "run_sets",
]

_INT_COLUMNS = frozenset({"max_drawdown_duration", "max_drawdown_recovery", "n_trades"})


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C; ``partial`` holds the sets finished before it.

    Attributes
    ----------
    partial : polars.DataFrame
        The result frame of the sets finished before the interruption.
    """

    def __init__(self, partial: pl.DataFrame, total: int) -> None:
        super().__init__(f"batch interrupted after {partial.height} of {total} parameter sets")
        self.partial = partial


def _as_values(value: object) -> list[Any]:
    """Grid values of one rule: a sequence of values, or one value (str, number, None)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        return [value]
    values = list(value)
    if not values:
        msg = "has no values (an empty list)"
        raise ValueError(msg)
    return values


def _expand(grid: object) -> list[dict[str, Any]]:
    """The parameter sets of ``grid`` (dict of lists, list of dicts or a Polars frame)."""
    if isinstance(grid, pl.DataFrame):
        sets = grid.to_dicts()
    elif isinstance(grid, Mapping):
        keys = list(grid)
        columns = []
        for key in keys:
            try:
                columns.append(_as_values(grid[key]))
            except ValueError as exc:
                msg = f"`grid` rule {key!r} {exc}"
                raise ValueError(msg) from None
        sets = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*columns)]
    elif isinstance(grid, Sequence) and not isinstance(grid, str | bytes):
        sets = []
        for i, item in enumerate(grid):
            if not isinstance(item, Mapping):
                msg = f"`grid` item {i} must be a dict of rules, got {type(item).__name__}"
                raise TypeError(msg)
            sets.append(dict(item))
    else:
        msg = (
            "`grid` must be a dict of rule -> list of values, a list of dicts or a Polars "
            f"DataFrame, got {type(grid).__name__}"
        )
        raise TypeError(msg)
    if not sets:
        msg = "`grid` has no parameter sets"
        raise ValueError(msg)
    return sets


def compile_grid(
    grid: object, fixed: Mapping[str, Any] | None = None
) -> tuple[list[dict[str, Any]], RuleSets]:
    """Expand a parameter grid and compile every set.

    Parameters
    ----------
    grid : dict, list of dict or polars.DataFrame
        A dict of rule name -> list of values (the Cartesian product, in key
        order, the last key varying fastest; a single value is one choice),
        a list of dicts (one per set) or a frame (one set per row).
    fixed : dict, optional
        Rules shared by every set (a grid value overrides it).

    Returns
    -------
    sets : list of dict
        The grid's own values of each set.
    rules : RuleSets

    Raises
    ------
    TypeError, ValueError
        An unknown rule name, or an invalid value: the message names the set
        index, its parameters and the rule.

    Examples
    --------
    >>> from fastopt.backtest.batch import compile_grid
    >>> sets, rules = compile_grid({"short_delta": [0.1, 0.2], "width": [5, 10]},
    ...                            {"structure": "iron_condor"})
    >>> len(sets), sets[1], rules.n_sets
    (4, {'short_delta': 0.1, 'width': 10}, 4)
    """
    base = dict(fixed or {})
    check_rule_names(base, "`fixed`")
    sets = _expand(grid)
    n = len(sets)
    leg_i = np.zeros((n, _kb.MAX_LEGS, _kb.LEG_COLS), dtype=np.int64)
    leg_f = np.zeros((n, _kb.MAX_LEGS), dtype=np.float64)
    n_legs = np.zeros(n, dtype=np.int64)
    records = {
        "entry": np.zeros(n, dtype=_rr.ENTRY),
        "exits": np.zeros(n, dtype=_rr.EXITS),
        "sizing": np.zeros(n, dtype=_rr.SIZING),
        "costs": np.zeros(n, dtype=_rr.COSTS),
    }
    for s, values in enumerate(sets):
        check_rule_names(values, f"`grid` set {s}")
        try:
            rules = compile_rules(**{**base, **values})
        except (TypeError, ValueError) as exc:
            msg = f"`grid` set {s} ({values}): {exc}"
            raise type(exc)(msg) from None
        m = rules.leg_i.shape[0]
        leg_i[s, :m] = rules.leg_i
        leg_f[s, :m] = rules.leg_f
        n_legs[s] = m
        for key, rows in records.items():
            rows[s] = getattr(rules, key)[0]
    return sets, RuleSets(leg_i, leg_f, n_legs, **records)


def _frame(
    sets: list[dict[str, Any]], values: np.ndarray[Any, Any], index: np.ndarray[Any, Any]
) -> pl.DataFrame:
    """The result frame: set numbers ``index``, their grid values and result rows."""
    frame = pl.DataFrame({"set": pl.Series("set", index, dtype=pl.Int64)})
    if sets:
        params = pl.DataFrame(
            [{k: _cell(v) for k, v in s.items()} for s in sets], infer_schema_length=None
        )
        frame = pl.concat([frame, params], how="horizontal")
    metrics = {}
    ruined = np.flatnonzero(values[:, -1] != 0.0)  # every metric null, as in run_backtest
    for k, col in enumerate(BATCH_COLUMNS):
        series = pl.Series(col, values[:, k], dtype=pl.Float64, nan_to_null=col in _INT_COLUMNS)
        if ruined.size and col not in ("final_equity", "n_trades"):
            series = series.scatter(ruined, None)
        metrics[col] = series.cast(pl.Int64) if col in _INT_COLUMNS else series
    return pl.concat([frame, pl.DataFrame(metrics)], how="horizontal")


def _cell(value: object) -> object:
    """A grid value as a frame cell (weekday lists become text)."""
    if isinstance(value, dt.date | str | int | float) or value is None:
        return value
    if isinstance(value, Sequence):
        return ",".join(str(v) for v in value)
    return value


def _default_chunk(n_sets: int) -> int:
    import numba

    threads = int(numba.get_num_threads())
    return max(4 * threads, min(256, math.ceil(n_sets / 50)))


def run_batch(
    chain: object,
    grid: object,
    *,
    fixed: Mapping[str, Any] | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    progress: bool | None = None,
    chunk_size: int | None = None,
    client: object = None,
    partitions: int | None = None,
) -> pl.DataFrame:
    """Backtest every parameter set of a grid over one chain; a frame of metrics per set.

    Parameters
    ----------
    chain : polars.DataFrame, pandas.DataFrame, path or PreparedChain
        As for :func:`fastopt.backtest.run_backtest`; validated and
        flattened once for all sets.
    grid : dict, list of dict or polars.DataFrame
        The rules that vary: a dict of rule name -> list of values (every
        combination, last key fastest), a list of dicts or a frame (one set
        per row). Rule names are those of :func:`run_backtest`
        (:data:`fastopt.backtest.rules.RULE_NAMES`), e.g. ``short_delta``,
        ``width``, ``min_dte``, ``profit_target``, ``structure``.
    fixed : dict, optional
        Rules shared by all sets (defaults as in :func:`run_backtest`).
    start, end : datetime.date or str, optional
        Inclusive date range.
    progress : bool, optional
        Show a progress bar (tqdm, on stderr); default: when stderr is a
        terminal.
    chunk_size : int, optional
        Sets per compiled call (the progress and interruption granularity);
        default ``max(4 x threads, n_sets / 50)`` capped at 256.
    client : dask.distributed.Client, str or "local", optional
        Run the chunks on a Dask cluster: a client, a scheduler address
        (``"tcp://host:8786"``) or ``"local"`` (a ``LocalCluster`` started
        and closed for this call). Default: this process.
    partitions : int, optional
        Number of Dask tasks (default 4 per worker); ignored locally.

    Returns
    -------
    polars.DataFrame
        One row per set in grid order: ``set`` (Int64), the grid's rules as
        given (lists such as ``weekdays`` joined as text), then
        ``final_equity`` and the metric columns of
        :func:`fastopt.backtest.performance_metrics` (computed as by
        :func:`run_backtest`: null when the account value ever reaches
        ``<= 0``, except ``final_equity`` and ``n_trades``).

    Raises
    ------
    TypeError, ValueError
        A bad chain, grid or rule value (the message names the set and the
        rule), a bad ``chunk_size`` or ``partitions``.
    BatchInterrupted
        Ctrl-C during the batch (a ``KeyboardInterrupt``): the sets finished
        so far are in its ``partial`` frame; nothing is written anywhere.

    Notes
    -----
    Each set is the serial loop of :func:`run_backtest`, so a set gives the
    same numbers whatever the thread count, chunk size or Dask layout, and
    the same as :func:`run_backtest` with the same rules.

    Examples
    --------
    >>> from fastopt.backtest import run_batch
    >>> from fastopt.data import generate_chains
    >>> chain = generate_chains(start="2018-01-02", end="2018-06-29", max_dte=60, seed=1)
    >>> res = run_batch(chain, {"short_delta": [0.1, 0.16, 0.25], "width": [25.0, 50.0]},
    ...                 fixed={"structure": "iron_condor", "min_dte": 25, "max_dte": 50})
    >>> res.height, res.columns[:4]
    (6, ['set', 'short_delta', 'width', 'final_equity'])
    >>> bool((res["n_trades"] > 0).all())
    True
    """
    sets, rules = compile_grid(grid, fixed)
    prep = prepare_chain(chain, start=start, end=end)
    show = sys.stderr.isatty() if progress is None else bool(progress)
    return run_sets(
        prep, sets, rules, chunk_size=chunk_size, progress=show, client=client,
        partitions=partitions,
    )  # fmt: skip


def run_sets(
    prep: PreparedChain,
    sets: list[dict[str, Any]],
    rules: RuleSets,
    *,
    chunk_size: int | None = None,
    progress: bool = False,
    client: object = None,
    partitions: int | None = None,
) -> pl.DataFrame:
    """:func:`run_batch` on a prepared chain and a compiled grid (see there)."""
    n = rules.n_sets
    chunk = _default_chunk(n) if chunk_size is None else check_int(chunk_size, "chunk_size", 1)
    if partitions is not None:
        check_int(partitions, "partitions", 1)
    values = np.full((n, _N_VALUES), np.nan)
    done = np.zeros(n, dtype=np.bool_)
    try:
        if client is not None:
            from fastopt.backtest.distributed import evaluate_on_dask  # imports dask

            evaluate_on_dask(prep, rules, client, values=values, done=done,
                             partitions=partitions, progress=progress)  # fmt: skip
        else:
            _evaluate_local(prep, rules, values, done, chunk, show=progress)
    except KeyboardInterrupt:
        idx = np.flatnonzero(done)
        raise BatchInterrupted(_frame([sets[i] for i in idx], values[idx], idx), n) from None
    return _frame(sets, values, np.arange(n))


def _evaluate_local(
    prep: PreparedChain,
    rules: RuleSets,
    values: np.ndarray[Any, Any],
    done: np.ndarray[Any, Any],
    chunk: int,
    *,
    show: bool,
) -> None:
    """Run the sets chunk by chunk in this process, advancing a progress bar."""
    from tqdm.auto import tqdm

    n = rules.n_sets
    with tqdm(total=n, disable=not show, unit="set", desc="backtests") as bar:
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            values[lo:hi] = evaluate_sets(prep, rules.take(lo, hi))
            done[lo:hi] = True
            bar.update(hi - lo)
