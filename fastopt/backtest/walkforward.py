"""Walk-forward analysis: pick the best parameter set in sample, trade it out of sample.

:func:`walk_forward` cuts the prepared chain into consecutive out-of-sample
windows of ``out_of_sample`` trading days (advancing by ``step``). Before
each, an in-sample window -- the ``in_sample`` trading days just before it
(rolling) or every day from the start (anchored) -- is backtested for every
parameter set of the grid with :func:`fastopt.backtest.run_batch`'s engine;
the set with the best ``metric`` there is then traded over the out-of-sample
window alone, starting from the account value the previous window ended
with. Each backtest sees only its own window's days (the chain arrays are
cut before the kernel runs), so no window can use data from after its end;
positions still open on a window's last day are closed there at their
natural price (``end_of_data``).
"""

from __future__ import annotations

import datetime as dt
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt._validate import check_choice, check_int
from fastopt.backtest.batch import BATCH_COLUMNS, compile_grid, run_sets
from fastopt.backtest.engine import NoTradesWarning, _trade_frame, run_metrics, run_prepared
from fastopt.backtest.prepared import PreparedChain, prepare_chain
from fastopt.backtest.rules import Rules, compile_rules
from fastopt.kernels import backtest as _kb

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = ["LOWER_IS_BETTER", "WalkForwardResult", "walk_forward"]

LOWER_IS_BETTER = frozenset({"annual_volatility", "max_drawdown_duration", "max_drawdown_recovery"})
"""Metrics for which the smallest in-sample value is the best (the others: the largest)."""


@dataclass(frozen=True)
class WalkForwardResult:
    """Outcome of :func:`walk_forward`.

    Attributes
    ----------
    windows : polars.DataFrame
        One row per window: ``window`` (0-based), ``in_start``, ``in_end``,
        ``out_start``, ``out_end`` (Date, inclusive), ``set`` (the chosen
        grid set; null when no set had a defined in-sample metric), the
        chosen set's grid values, ``in_sample_<metric>``,
        ``out_of_sample_return`` (the window's return on the account value it
        started with) and ``out_of_sample_trades``.
    equity : polars.DataFrame
        The stitched out-of-sample equity: ``date``, ``equity``, ``pnl``,
        ``open_positions``, ``window``.
    trades : polars.DataFrame
        Every out-of-sample trade (the :func:`run_backtest` trade log) with
        its ``window``.
    metrics : polars.DataFrame
        :func:`fastopt.backtest.performance_metrics` of the stitched equity
        with every out-of-sample trade.
    """

    windows: pl.DataFrame
    equity: pl.DataFrame
    trades: pl.DataFrame
    metrics: pl.DataFrame


def window_bounds(
    n_days: int, in_sample: int, out_of_sample: int, step: int, *, anchored: bool
) -> list[tuple[int, int, int, int]]:
    """``(in_first, in_stop, out_first, out_stop)`` day indices of every window.

    Out-of-sample windows start at ``in_sample``, ``in_sample + step``, ...
    while a start is before ``n_days``; the last one may be shorter.

    Examples
    --------
    >>> from fastopt.backtest.walkforward import window_bounds
    >>> window_bounds(10, 4, 3, 3, anchored=False)
    [(0, 4, 4, 7), (3, 7, 7, 10)]
    >>> window_bounds(10, 4, 3, 3, anchored=True)
    [(0, 4, 4, 7), (0, 7, 7, 10)]
    """
    out = []
    first = in_sample
    while first < n_days:
        stop = min(n_days, first + out_of_sample)
        out.append((0 if anchored else first - in_sample, first, first, stop))
        first += step
    return out


def _best(frame: pl.DataFrame, metric: str) -> int | None:
    """Row of the best defined ``metric`` (ties: the lowest set), or None."""
    values = frame[metric].cast(pl.Float64).fill_null(np.nan).to_numpy()
    if metric in LOWER_IS_BETTER:
        values = -values
    finite = ~np.isnan(values)
    if not finite.any():
        return None
    values = np.where(finite, values, -np.inf)
    return int(np.argmax(values))


def walk_forward(
    chain: object,
    grid: object,
    *,
    fixed: Mapping[str, Any] | None = None,
    in_sample: int = 252,
    out_of_sample: int = 63,
    step: int | None = None,
    anchored: bool = False,
    metric: str = "sharpe",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    progress: bool | None = None,
    client: object = None,
) -> WalkForwardResult:
    """Walk-forward optimisation of a parameter grid (rolling or anchored windows).

    Parameters
    ----------
    chain : polars.DataFrame, pandas.DataFrame, path or PreparedChain
        As for :func:`fastopt.backtest.run_backtest`.
    grid : dict, list of dict or polars.DataFrame
        The parameter sets, as for :func:`fastopt.backtest.run_batch`.
    fixed : dict, optional
        Rules shared by every set; its ``capital`` is the starting account.
    in_sample : int, default 252
        Trading days of each in-sample window (the first one's length when
        ``anchored``); ``>= 2``.
    out_of_sample : int, default 63
        Trading days of each out-of-sample window, ``>= 1``.
    step : int, optional
        Trading days between window starts; default ``out_of_sample`` (the
        out-of-sample windows tile the data without overlap). ``step >
        out_of_sample`` leaves gaps; ``step < out_of_sample`` is refused
        (overlapping windows cannot be stitched).
    anchored : bool, default False
        In-sample windows all start at the first day (expanding) instead of
        rolling.
    metric : str, default "sharpe"
        The in-sample metric that picks the set: a column of
        :data:`fastopt.backtest.BATCH_COLUMNS`; the largest wins except for
        :data:`LOWER_IS_BETTER`. Sets whose metric is undefined (null or NaN)
        are never picked; a window where none is defined does not trade.
    start, end : datetime.date or str, optional
        Inclusive date range.
    progress : bool, optional
        A progress bar over the windows (default: when stderr is a terminal).
    client : optional
        Run each in-sample batch on Dask (see :func:`run_batch`).

    Returns
    -------
    WalkForwardResult

    Raises
    ------
    TypeError, ValueError
        Bad grid or rules (as for :func:`run_batch`), bad window sizes, an
        unknown metric, or fewer than ``in_sample + 1`` trading days.

    Examples
    --------
    >>> from fastopt.backtest import walk_forward
    >>> from fastopt.data import generate_chains
    >>> chain = generate_chains(start="2017-01-02", end="2017-12-29", max_dte=60, seed=1)
    >>> wf = walk_forward(chain, {"short_delta": [0.1, 0.2], "width": [25.0, 50.0]},
    ...                   fixed={"min_dte": 20, "max_dte": 45}, in_sample=126,
    ...                   out_of_sample=42)
    >>> wf.windows.height, wf.windows.columns[:6]
    (3, ['window', 'in_start', 'in_end', 'out_start', 'out_end', 'set'])
    >>> wf.equity["window"].unique().to_list()
    [0, 1, 2]
    >>> wf.equity["date"].min() == wf.windows["out_start"][0]
    True
    """
    sets, rules = compile_grid(grid, fixed)
    base = dict(fixed or {})
    is_len = check_int(in_sample, "in_sample", 2)
    oos_len = check_int(out_of_sample, "out_of_sample", 1)
    step_len = oos_len if step is None else check_int(step, "step", 1)
    if step_len < oos_len:
        msg = (
            f"`step` ({step_len}) must be >= `out_of_sample` ({oos_len}): overlapping "
            "out-of-sample windows cannot be stitched into one account"
        )
        raise ValueError(msg)
    if not isinstance(anchored, bool):
        msg = f"`anchored` must be True or False, got {anchored!r}"
        raise TypeError(msg)
    metric = check_choice(metric, "metric", BATCH_COLUMNS)
    prep = prepare_chain(chain, start=start, end=end)
    if prep.n_days <= is_len:
        msg = (
            f"the chain has {prep.n_days} trading days in range: walk-forward needs more than "
            f"`in_sample` ({is_len}) to have an out-of-sample window"
        )
        raise ValueError(msg)
    bounds = window_bounds(prep.n_days, is_len, oos_len, step_len, anchored=anchored)
    show = sys.stderr.isatty() if progress is None else bool(progress)
    if any("capital" in s for s in sets):
        msg = "`grid` must not vary `capital` in a walk-forward: give it in `fixed`"
        raise ValueError(msg)
    capital = float(rules.sizing["capital"][0])
    params = list(dict.fromkeys(k for s in sets for k in s))
    from tqdm.auto import tqdm

    rows: list[dict[str, Any]] = []
    equities: list[pl.DataFrame] = []
    trades: list[pl.DataFrame] = []
    account = capital
    for w, (i0, i1, o0, o1) in enumerate(tqdm(bounds, disable=not show, desc="walk-forward")):
        in_frame = run_sets(prep.window(i0, i1), sets, rules, client=client)
        best = _best(in_frame, metric)
        row: dict[str, Any] = {
            "window": w,
            "in_start": prep.date(i0),
            "in_end": prep.date(i1 - 1),
            "out_start": prep.date(o0),
            "out_end": prep.date(o1 - 1),
            "set": best,
        }
        oos = prep.window(o0, o1)
        if best is None:
            row.update(dict.fromkeys(params))
            row[f"in_sample_{metric}"] = None
            eq = pl.DataFrame(
                {
                    "date": oos.dates,
                    "equity": np.full(oos.n_days, account),
                    "pnl": np.zeros(oos.n_days),
                    "open_positions": pl.Series(np.zeros(oos.n_days, dtype=np.int64)),
                }
            )
            n_trades = 0
        else:
            chosen = sets[best]
            row.update({k: chosen.get(k) for k in params})
            row[f"in_sample_{metric}"] = in_frame[metric][best]
            oos_rules = compile_rules(**{**base, **chosen, "capital": account})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NoTradesWarning)  # a quiet window is a result
                res = run_prepared(oos, oos_rules)
            eq = res.equity
            n_trades = res.trades.height
            trades.append(res.trades.with_columns(pl.lit(w, dtype=pl.Int64).alias("window")))
        end_value = float(eq["equity"][-1])
        row["out_of_sample_return"] = end_value / account - 1.0
        row["out_of_sample_trades"] = n_trades
        eq = eq.with_columns(
            pl.when(pl.int_range(pl.len()) == 0)
            .then(pl.col("equity") - account)
            .otherwise(pl.col("pnl"))
            .alias("pnl"),
            pl.lit(w, dtype=pl.Int64).alias("window"),
        )
        equities.append(eq)
        rows.append(row)
        account = end_value

    equity = pl.concat(equities)
    trade_log = (
        pl.concat(trades) if trades else _empty_trades(prep, compile_rules(**{**base, **sets[0]}))
    )
    windows = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("window").cast(pl.Int64), pl.col("set").cast(pl.Int64),
        pl.col("out_of_sample_trades").cast(pl.Int64),
    )  # fmt: skip
    key = equity["date"].cast(pl.Datetime("us") if prep.intraday else pl.Date).cast(pl.Int64)
    bars = np.searchsorted(prep.bar_time, key.to_numpy())  # the out-of-sample bars
    metrics = run_metrics(
        prep.day_num[bars], prep.underlying[bars], equity["equity"].to_numpy(),
        trade_log["pnl"].to_numpy(), equity["open_positions"].to_numpy(),
        intraday=prep.intraday,
    )  # fmt: skip
    return WalkForwardResult(windows=windows, equity=equity, trades=trade_log, metrics=metrics)


def _empty_trades(prep: PreparedChain, rules: Rules) -> pl.DataFrame:
    """An empty trade log with the engine's schema plus ``window``."""
    empty = _trade_frame(
        np.zeros((0, _kb.N_TI), dtype=np.int64),
        np.zeros((0, _kb.N_TF)),
        prep,
        rules.legs,
        rules.multiplier,
    )
    return empty.with_columns(pl.lit(0, dtype=pl.Int64).alias("window")).clear()
