"""A compiled daily backtest of one short-premium option structure.

:func:`run_backtest` validates a chain and the rules once, flattens the chain
into NumPy arrays indexed by day (CSR offsets per date; within a day rows
sorted by expiry, strike, kind) and hands them with a small parameter vector
to one compiled kernel, :func:`fastopt.kernels.backtest.run_nb`, which loops
over the days, opens, marks and closes positions and writes the equity curve
and the trade records. This module then builds the Polars frames. See
``docs/backtest.md`` for the rules in full.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Unpack

import numpy as np

from fastopt.backtest.metrics import performance_metrics
from fastopt.backtest.prepared import PreparedChain, prepare_chain
from fastopt.backtest.rule_definitions import RuleKeywords, rule_parameters_doc, rule_signature
from fastopt.backtest.rules import STRUCTURES, Rules, compile_rules
from fastopt.kernels import backtest as _kb
from fastopt.kernels import position as _kp
from fastopt.kernels.exits import REASONS

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = ["STRUCTURES", "BacktestResult", "NoTradesWarning", "run_backtest", "run_prepared"]

Structure = Literal[
    "short_put",
    "short_call",
    "bull_put_spread",
    "bear_call_spread",
    "short_strangle",
    "short_straddle",
    "iron_condor",
    "iron_butterfly",
    "jade_lizard",
    "long_call",
    "long_put",
    "long_straddle",
    "long_strangle",
    "bull_call_spread",
    "bear_put_spread",
    "call_butterfly",
    "put_butterfly",
    "call_calendar",
    "put_calendar",
    "call_diagonal",
    "put_diagonal",
    "covered_call",
    "protective_put",
    "collar",
    "covered_put",
]

_EPOCH = dt.date(1970, 1, 1)
_FILES = ("equity", "trades", "metrics")


class NoTradesWarning(UserWarning):
    """No contract ever matched the entry rules: the trade log is empty."""


@dataclass(frozen=True)
class BacktestResult:
    """Outcome of :func:`run_backtest`.

    Attributes
    ----------
    equity : polars.DataFrame
        One row per trading day: ``date`` (Date), ``equity`` (account value,
        marked at mid), ``pnl`` (change of ``equity`` from the previous day;
        from the starting capital on the first day), ``open_positions`` (Int64,
        after the day's exits and entry).
    trades : polars.DataFrame
        One row per trade in entry order: ``entry_date``, ``exit_date``,
        ``expiry``, ``legs`` (list of strings ``"-1 P 2500 2018-03-16"``:
        signed contracts, kind, strike, expiry), ``quantity``,
        ``entry_underlying``, ``short_put_delta``, ``short_put_iv``,
        ``short_call_delta``, ``short_call_iv`` (at entry; null when the
        structure has no such leg or the chain no such column),
        ``entry_credit`` and ``exit_debit`` (per share, net of all legs),
        ``commissions`` and ``pnl`` (money, for all contracts), ``exit_reason``
        and ``days_held`` (calendar days).
    metrics : polars.DataFrame
        One row from :func:`fastopt.backtest.performance_metrics` of the
        equity curve (daily closes) with the trade P&Ls, the exposure (days
        with an open position) and the buy-and-hold of the underlying as the
        benchmark (``benchmark_return``, ``excess_return``, ``beta``, ...);
        every metric is null when the account value reaches ``<= 0`` or the
        curve has a single day.
    """

    equity: pl.DataFrame
    trades: pl.DataFrame
    metrics: pl.DataFrame

    def positions(self) -> pl.DataFrame:
        """The positions held at the end of every bar: one row per bar and open trade.

        Returns
        -------
        polars.DataFrame
            ``date``, ``trade`` (row of :attr:`trades`), ``legs``, ``quantity``,
            ``entry_date``, ``entry_credit`` -- a trade is held from its entry
            bar up to the bar before its exit. Marks on each bar:
            :func:`fastopt.backtest.replay` (``Replay.positions``).

        Examples
        --------
        >>> from fastopt.backtest import run_backtest
        >>> from fastopt.data import generate_chains
        >>> chain = generate_chains(start="2018-01-02", end="2018-03-30", max_dte=45, seed=1)
        >>> res = run_backtest(chain, "short_put", short_delta=0.2, min_dte=20, max_dte=40)
        >>> held = res.positions()
        >>> held.group_by("date").len().sort("date")["len"].to_list() == (
        ...     res.equity.filter(pl.col("open_positions") > 0)["open_positions"].to_list())
        True
        """
        trades = self.trades.with_row_index("trade").select(
            pl.col("trade").cast(pl.Int64), "legs", "quantity", "entry_date", "exit_date",
            "entry_credit",
        )  # fmt: skip
        held = self.equity.select("date").join_where(
            trades, pl.col("date") >= pl.col("entry_date"), pl.col("date") < pl.col("exit_date")
        )
        return held.drop("exit_date").sort("date", "trade")

    def save(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write ``equity.parquet``, ``trades.parquet`` and ``metrics.parquet``.

        All three are first written under temporary names in ``directory``
        and only renamed into place (``os.replace``, atomic) once every write
        has succeeded, so a failure leaves no partial or temporary file and
        keeps any earlier result intact.

        Parameters
        ----------
        directory : str or os.PathLike
            Created if missing.

        Returns
        -------
        dict of str to pathlib.Path
            The written files by name.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        frames = {"equity": self.equity, "trades": self.trades, "metrics": self.metrics}
        temps: dict[str, Path] = {}
        try:
            for name in _FILES:
                fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
                os.close(fd)
                temps[name] = Path(tmp_name)
                frames[name].write_parquet(temps[name])
            out: dict[str, Path] = {}
            for name in _FILES:
                target = folder / f"{name}.parquet"
                os.replace(temps[name], target)
                out[name] = target
            return out
        finally:
            for tmp in temps.values():
                tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- public API


def run_backtest(
    chain: object,
    structure: Structure | str = "iron_condor",
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    **rules: Unpack[RuleKeywords],
) -> BacktestResult:
    """Backtest one option structure over a daily chain.

    Parameters
    ----------
    chain : polars.DataFrame, polars.LazyFrame, pandas.DataFrame, path or PreparedChain
        A daily chain in the :mod:`fastopt.data` schema (a path or a pandas
        frame is read with :func:`fastopt.data.load_chain`; validated with
        :func:`fastopt.data.validate_chain`; invalid rows raise), or a chain
        already prepared with :func:`fastopt.backtest.prepare_chain` (skips
        the validation: the fastest way to run many backtests). Legs chosen
        by delta need a ``delta`` column; ``iv`` is optional (reported only).
    structure : str, default "iron_condor"
        For a net credit: ``"short_put"``, ``"short_call"``,
        ``"bull_put_spread"`` (alias ``"put_credit_spread"``),
        ``"bear_call_spread"`` (``"call_credit_spread"``),
        ``"short_strangle"``, ``"short_straddle"``, ``"iron_condor"``,
        ``"iron_butterfly"``, ``"jade_lizard"``; for a net debit:
        ``"long_call"``, ``"long_put"``, ``"long_straddle"``,
        ``"long_strangle"``, ``"bull_call_spread"`` (``"call_debit_spread"``),
        ``"bear_put_spread"`` (``"put_debit_spread"``), ``"call_butterfly"``,
        ``"put_butterfly"`` (long butterflies: two short body contracts, a
        wing ``width`` on each side), ``"call_calendar"``, ``"put_calendar"``
        (short the traded expiry, long the same strike ``calendar_gap`` days
        later), ``"call_diagonal"``, ``"put_diagonal"`` (the long far leg
        ``width`` points in the money of the short), ``"covered_call"``,
        ``"protective_put"``, ``"collar"`` (``multiplier`` shares per unit
        bought at the underlying with the options, sold at the underlying on
        exit; the long stock is margined at 50 %), ``"covered_put"`` (short
        stock and a short put). The legs are in
        :data:`fastopt.backtest.rules.LEGS`. At the near expiry the near legs
        settle and the far legs close at their natural price.
        ``"custom"``: the ``legs`` rule.
    {rules}
    start, end : datetime.date or str, optional
        Inclusive date range of the chain to trade.

    Returns
    -------
    BacktestResult
        ``equity``, ``trades`` and ``metrics`` frames.

    Raises
    ------
    TypeError
        A parameter of the wrong type (the message names it); ``chain`` not a
        frame.
    ValueError
        A parameter out of range (negative commissions, ``min_dte >
        max_dte``, a delta outside (0, 1), an unknown structure or fill), a
        wing structure without ``width``/``long_delta``, an empty or invalid
        chain, no chain date between ``start`` and ``end``, or a ``delta``
        column missing while a leg is chosen by delta.

    Warns
    -----
    NoTradesWarning
        No position was ever opened (no contract matched the rules); the
        trade log is then empty and the equity flat.

    Examples
    --------
    >>> from fastopt.backtest import run_backtest
    >>> from fastopt.data import generate_chains
    >>> chain = generate_chains(start="2018-01-02", end="2018-02-28", max_dte=45, seed=1)
    >>> res = run_backtest(chain, "short_put", short_delta=0.2, min_dte=20, max_dte=40,
    ...                    profit_target=0.5, stop_loss=1.0)
    >>> res.trades.height > 0, res.equity.height == chain["date"].n_unique()
    (True, True)
    >>> bool(res.trades["exit_reason"].is_in(["profit_target", "stop_loss", "expiry",
    ...                                         "end_of_data"]).all())
    True
    """
    compiled = compile_rules(structure=structure, **rules)
    prep = prepare_chain(chain, start=start, end=end)
    return run_prepared(prep, compiled, stacklevel=3)


run_backtest.__doc__ = (run_backtest.__doc__ or "").replace("    {rules}", rule_parameters_doc(), 1)
run_backtest.__signature__ = rule_signature(run_backtest)  # type: ignore[attr-defined]


def run_prepared(prep: PreparedChain, rules: Rules, *, stacklevel: int = 2) -> BacktestResult:
    """Run compiled ``rules`` over a prepared chain (the core of :func:`run_backtest`).

    Parameters
    ----------
    prep : PreparedChain
        From :func:`fastopt.backtest.prepare_chain`.
    rules : Rules
        From :func:`fastopt.backtest.rules.compile_rules`.
    stacklevel : int
        Passed to the :class:`NoTradesWarning`.

    Returns
    -------
    BacktestResult
    """
    n_days = prep.n_days
    equity = np.empty(n_days, dtype=np.float64)
    open_n = np.empty(n_days, dtype=np.int64)
    trade_i = np.empty((n_days, _kb.N_TI), dtype=np.int64)
    trade_f = np.empty((n_days, _kb.N_TF), dtype=np.float64)
    n_trades = int(
        _kb.run_nb(
            *prep.kernel_args(), rules.leg_i, rules.leg_f, *rules.records(),
            equity, open_n, trade_i, trade_f,
        )
    )  # fmt: skip
    if n_trades == 0:
        warnings.warn(
            f"no {rules.structure} position was opened: no contract matched the entry rules "
            f"({rules.describe_entry()}) on any of the {n_days} days; the trade log is empty",
            NoTradesWarning,
            stacklevel=stacklevel,
        )
    cap = rules.capital
    # ---------------------------------------------------------------- frames
    eq = pl.DataFrame(
        {
            "date": prep.dates,
            "equity": equity,
            "pnl": np.diff(equity, prepend=cap),
            "open_positions": pl.Series(open_n, dtype=pl.Int64),
        }
    )
    trades = _trade_frame(
        trade_i[:n_trades], trade_f[:n_trades], prep, rules.legs, rules.multiplier
    )
    return BacktestResult(
        equity=eq,
        trades=trades,
        metrics=run_metrics(
            prep.day_num,
            prep.underlying,
            equity,
            trades["pnl"].to_numpy(),
            open_n,
            intraday=prep.intraday,
        ),
    )


def _position_greeks(
    prep: PreparedChain, rows: np.ndarray[Any, Any], signs: np.ndarray[Any, Any], scale: Any
) -> dict[str, np.ndarray[Any, Any]]:
    """Position delta, gamma, vega (per vol point), theta (per day) of each trade's legs at
    chain ``rows`` (n_trades, n_legs), from Black-Scholes at each quote's ``iv``; money
    (:func:`fastopt.kernels.position.trade_greeks_nb`)."""
    out = np.empty((4, rows.shape[0]), dtype=np.float64)
    _kp.trade_greeks_nb(
        np.ascontiguousarray(rows, dtype=np.int64), signs, np.asarray(scale, dtype=np.float64),
        prep.offsets, prep.day_num, prep.underlying, prep.expiry, prep.strike, prep.kind,
        prep.iv, out,
    )  # fmt: skip
    return dict(zip(("delta", "gamma", "vega", "theta"), out, strict=True))


def _price_lists(values: np.ndarray[Any, Any]) -> pl.Series:
    """Per-leg prices as a List(Float64) column (null for a trade still open)."""
    rows = [None if np.isnan(v).any() else v.tolist() for v in values]
    return pl.Series(rows, dtype=pl.List(pl.Float64))


def _trade_frame(
    ti: np.ndarray[Any, Any],
    tf: np.ndarray[Any, Any],
    prep: PreparedChain,
    legs: tuple[tuple[int, int, int, int, int], ...],
    multiplier: float,
) -> pl.DataFrame:
    """The trade log from the kernel's trade records."""
    n = ti.shape[0]
    m = len(legs)
    rows = ti[:, _kb.TI_ROW0 : _kb.TI_ROW0 + m]
    exit_rows = ti[:, _kb.TI_XROW0 : _kb.TI_XROW0 + m]
    qty = tf[:, _kb.TF_QTY].astype(np.int64)
    expiry, strike = prep.expiry, prep.strike
    leg_text: list[list[str]] = []
    for k in range(n):
        texts = []
        for j, leg in enumerate(legs):
            r = int(rows[k, j])
            if leg[1] == 2:  # shares, in the text form of fastopt.strategies ("+100 S")
                texts.append(f"{leg[0] * qty[k] * round(multiplier):+d} S")
                continue
            day = _EPOCH + dt.timedelta(days=int(expiry[r]))
            texts.append(f"{leg[0] * qty[k]:+d} {'P' if leg[1] else 'C'} {strike[r]:.10g} {day}")
        leg_text.append([t.removeprefix("+") for t in texts])
    day_num = prep.day_num
    entry_days = day_num[ti[:, _kb.TI_ENTRY]] if n else np.zeros(0, dtype=np.int64)
    exit_days = day_num[ti[:, _kb.TI_EXIT]] if n else np.zeros(0, dtype=np.int64)
    exp_days = expiry[rows[:, 0]] if n else np.zeros(0, dtype=np.int64)

    def short_col(
        kind_code: int, values: np.ndarray[Any, Any], at: np.ndarray[Any, Any]
    ) -> pl.Series:
        j = next((j for j, leg in enumerate(legs) if leg[0] < 0 and leg[1] == kind_code), None)
        if j is None or n == 0:
            return pl.Series([None] * n, dtype=pl.Float64)
        r = at[:, j]
        picked = np.where(r >= 0, values[np.maximum(r, 0)], np.nan)
        return pl.Series(picked, dtype=pl.Float64, nan_to_null=True)

    def as_date(days: np.ndarray[Any, Any]) -> pl.Series:
        return pl.Series(days.astype(np.int32), dtype=pl.Int32).cast(pl.Date)

    def money(values: np.ndarray[Any, Any]) -> pl.Series:
        return pl.Series(values, dtype=pl.Float64, nan_to_null=True)

    signs = np.array([leg[0] for leg in legs], dtype=np.float64)
    scale = qty * multiplier
    at_entry = _position_greeks(prep, rows, signs, scale)
    at_exit = _position_greeks(prep, exit_rows, signs, scale)
    bars = prep.dates
    columns: dict[str, Any] = {
        "entry_date": bars.gather(ti[:, _kb.TI_ENTRY]) if n else bars.clear(),
        "exit_date": bars.gather(ti[:, _kb.TI_EXIT]) if n else bars.clear(),
        "expiry": as_date(exp_days),
        "legs": pl.Series(leg_text, dtype=pl.List(pl.String)),
        "quantity": pl.Series(qty, dtype=pl.Int64),
        "entry_underlying": money(tf[:, _kb.TF_UND]),
        "exit_underlying": money(tf[:, _kb.TF_UND_EXIT]),
    }
    for name, code in (("put", 1), ("call", 0)):
        columns[f"short_{name}_delta"] = short_col(code, prep.delta, rows)
        columns[f"short_{name}_iv"] = short_col(code, prep.iv, rows)
    for name, code in (("put", 1), ("call", 0)):
        columns[f"short_{name}_delta_exit"] = short_col(code, prep.delta, exit_rows)
        columns[f"short_{name}_iv_exit"] = short_col(code, prep.iv, exit_rows)
    for when, greeks in (("entry", at_entry), ("exit", at_exit)):
        for greek, values in greeks.items():
            columns[f"{when}_{greek}"] = money(values)
    columns.update(
        {
            "rolled_from": pl.Series(
                np.where(ti[:, _kb.TI_ROLLED_FROM] >= 0, ti[:, _kb.TI_ROLLED_FROM], -1),
                dtype=pl.Int64,
            ).replace(-1, None),
            "entry_prices": _price_lists(tf[:, _kb.TF_EPRICE0 : _kb.TF_EPRICE0 + m]),
            "exit_prices": _price_lists(tf[:, _kb.TF_XPRICE0 : _kb.TF_XPRICE0 + m]),
            "entry_credit": money(tf[:, _kb.TF_CREDIT]),
            "exit_debit": money(tf[:, _kb.TF_DEBIT]),
            "bpr": money(tf[:, _kb.TF_BPR]),
            "dividends": money(tf[:, _kb.TF_DIVIDENDS] * scale),
            "entry_commissions": money(tf[:, _kb.TF_ENTRY_COMM]),
            "exit_commissions": money(tf[:, _kb.TF_EXIT_COMM]),
            "commissions": money(tf[:, _kb.TF_ENTRY_COMM] + tf[:, _kb.TF_EXIT_COMM]),
            "pnl": money(tf[:, _kb.TF_PNL]),
            "exit_reason": pl.Series(
                [REASONS[int(c)] for c in ti[:, _kb.TI_REASON]], dtype=pl.String
            ),
            "days_held": pl.Series(exit_days - entry_days, dtype=pl.Int64),
        }
    )
    return pl.DataFrame(columns)


def daily_closes(
    day_num: np.ndarray[Any, Any],
    equity: np.ndarray[Any, Any],
    open_n: np.ndarray[Any, Any],
    *,
    intraday: bool,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Equity (last axis) at each day's last bar and the open-position count at any bar of
    the day; unchanged for a daily chain. Metrics are always on daily returns."""
    if not intraday:
        return equity, open_n
    first = np.flatnonzero(np.r_[True, day_num[1:] != day_num[:-1]])
    last = np.r_[first[1:] - 1, day_num.size - 1]
    return equity[..., last], np.maximum.reduceat(open_n, first, axis=-1)


def run_metrics(
    day_num: np.ndarray[Any, Any],
    underlying: np.ndarray[Any, Any],
    equity: np.ndarray[Any, Any],
    pnl: np.ndarray[Any, Any],
    open_n: np.ndarray[Any, Any],
    *,
    intraday: bool,
) -> pl.DataFrame:
    """``performance_metrics`` of a run on daily closes with the underlying's buy-and-hold
    as the benchmark, or a row of nulls when the metrics are undefined (the account value
    reached ``<= 0``, or a single day). Arrays per bar, ``pnl`` per trade."""
    closes, held = daily_closes(day_num, equity, open_n, intraday=intraday)
    bench, _ = daily_closes(day_num, underlying, open_n, intraday=intraday)
    if closes.size >= 2 and bool((closes > 0.0).all()):
        with np.errstate(divide="ignore", invalid="ignore"):  # flat curves: NaN Sharpe (no JIT)
            return performance_metrics(closes, trades=pnl, exposure=held > 0, benchmark=bench)
    template = performance_metrics([1.0, 1.0], benchmark=[1.0, 1.0])
    return pl.DataFrame(
        {
            c: pl.Series(c, [0 if c == "curve" else None], dtype=template.schema[c])
            for c in template.columns
        }
    )
