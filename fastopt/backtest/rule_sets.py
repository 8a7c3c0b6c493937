"""Stacked rule sets and their evaluation: the unit of work of a parameter batch.

:class:`RuleSets` holds many compiled rule sets as the batch kernel reads them;
:func:`evaluate_sets` backtests them over one prepared chain and returns the final
equity and the metrics of each. :mod:`fastopt.backtest.batch` runs it in chunks
locally, :mod:`fastopt.backtest.distributed` on Dask workers; both import it from
here (so neither imports the other).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fastopt.backtest.engine import daily_closes
from fastopt.backtest.metrics import METRIC_COLUMNS
from fastopt.backtest.prepared import PreparedChain
from fastopt.kernels import backtest as _kb
from fastopt.kernels import metrics as _km

__all__ = ["BATCH_COLUMNS", "RuleSets", "evaluate_sets"]

BATCH_COLUMNS: tuple[str, ...] = ("final_equity", *METRIC_COLUMNS)
"""Result columns of :func:`fastopt.backtest.run_batch` after ``set`` and the parameter
columns."""

_N_VALUES = len(BATCH_COLUMNS) + 1  # + an internal "ruined" flag (equity reached <= 0)


@dataclass(frozen=True, eq=False)
class RuleSets:
    """Many compiled rule sets stacked for :func:`fastopt.kernels.backtest.run_batch_nb`.

    Attributes
    ----------
    leg_i : numpy.ndarray
        ``(n_sets, MAX_LEGS, LEG_COLS)`` int64 leg tables (rows past ``n_legs`` unused).
    leg_f : numpy.ndarray
        ``(n_sets, MAX_LEGS)`` float64 leg targets.
    n_legs : numpy.ndarray
        ``(n_sets,)`` int64.
    entry, exits, sizing, costs : numpy.ndarray
        ``(n_sets,)`` arrays of the rule records of :mod:`fastopt.kernels.rule_records`.
    """

    leg_i: npt.NDArray[np.int64]
    leg_f: npt.NDArray[np.float64]
    n_legs: npt.NDArray[np.int64]
    entry: np.ndarray[Any, np.dtype[np.void]]
    exits: np.ndarray[Any, np.dtype[np.void]]
    sizing: np.ndarray[Any, np.dtype[np.void]]
    costs: np.ndarray[Any, np.dtype[np.void]]

    @property
    def n_sets(self) -> int:
        """Number of rule sets."""
        return int(self.entry.shape[0])

    def take(self, lo: int, hi: int) -> RuleSets:
        """Sets ``lo .. hi - 1``."""
        return RuleSets(
            self.leg_i[lo:hi], self.leg_f[lo:hi], self.n_legs[lo:hi], self.entry[lo:hi],
            self.exits[lo:hi], self.sizing[lo:hi], self.costs[lo:hi],
        )  # fmt: skip


def evaluate_sets(
    prep: PreparedChain, rules: RuleSets, *, parallel: bool = True
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Backtest every set over ``prep``; ``(n_sets, len(BATCH_COLUMNS))`` float64.

    Row ``s`` holds the final equity and the metrics of set ``s`` (NaN when
    the account value ever reaches ``<= 0``, except ``final_equity`` and
    ``n_trades``). This is the unit of work of a chunk, local or on a Dask
    worker.
    """
    n, n_days = rules.n_sets, prep.n_days
    equity = np.empty((n, n_days), dtype=np.float64)
    open_n = np.empty((n, n_days), dtype=np.int64)
    trade_pnl = np.empty((n, n_days), dtype=np.float64)
    n_trades = np.zeros(n, dtype=np.int64)
    kernel = _kb.run_batch_nb if parallel and n > 1 else _kb.run_batch_serial_nb
    kernel(*prep.kernel_args(), rules.leg_i, rules.leg_f, rules.n_legs, rules.entry,
           rules.exits, rules.sizing, rules.costs, equity, open_n, trade_pnl, n_trades)  # fmt: skip
    out = np.full((n, _N_VALUES), np.nan)
    out[:, 0] = equity[:, -1]
    equity, open_n = daily_closes(prep.day_num, equity, open_n, intraday=prep.intraday)
    n_days = equity.shape[1]
    out[:, 1 + _km.Metric.n_trades] = n_trades
    solvent = (equity > 0.0).all(axis=1)
    out[:, -1] = ~solvent | (n_days < 2)  # metrics undefined: null
    ok = np.flatnonzero(solvent) if n_days >= 2 else np.zeros(0, np.int64)
    if ok.size:
        pnl = np.concatenate([trade_pnl[s, : n_trades[s]] for s in ok])
        offsets = np.r_[0, np.cumsum(n_trades[ok])].astype(np.int64)
        metrics = np.empty((_km.N_METRICS, ok.size))
        expo = (open_n[ok] > 0).astype(np.float64)
        kernel_m = (
            _km.performance_metrics_par_nb
            if parallel and ok.size > 1
            else _km.performance_metrics_nb
        )
        with np.errstate(divide="ignore", invalid="ignore"):  # flat curves (pure-Python runs)
            kernel_m(np.ascontiguousarray(equity[ok]), pnl, offsets, expo, 252.0, 0.0, 0.0, metrics)
        out[ok, 1:-1] = metrics.T
    return out
