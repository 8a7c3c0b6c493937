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
import math
import numbers
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from fastopt._validate import as_date, check_choice, check_int, scalar_float
from fastopt.backtest.metrics import performance_metrics
from fastopt.kernels import backtest as _kb

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = ["STRUCTURES", "BacktestResult", "NoTradesWarning", "run_backtest"]

Structure = Literal[
    "short_put",
    "short_call",
    "bull_put_spread",
    "bear_call_spread",
    "short_strangle",
    "iron_condor",
]

# legs as (sign, kind: 0 call / 1 put, mode: 0 delta / 1 wing, ref leg of a wing)
_STRUCTURES: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "short_put": ((-1, 1, 0, -1),),
    "short_call": ((-1, 0, 0, -1),),
    "bull_put_spread": ((-1, 1, 0, -1), (1, 1, 1, 0)),
    "bear_call_spread": ((-1, 0, 0, -1), (1, 0, 1, 0)),
    "short_strangle": ((-1, 1, 0, -1), (-1, 0, 0, -1)),
    "iron_condor": ((-1, 1, 0, -1), (1, 1, 1, 0), (-1, 0, 0, -1), (1, 0, 1, 2)),
}
_ALIASES = {"put_credit_spread": "bull_put_spread", "call_credit_spread": "bear_call_spread"}
STRUCTURES: tuple[str, ...] = (*_STRUCTURES, *_ALIASES)
"""Accepted ``structure`` names (the last two are aliases)."""

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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
        equity curve with the trade P&Ls and the exposure (days with an open
        position); every metric is null when the account value reaches
        ``<= 0`` or the curve has a single day.
    """

    equity: pl.DataFrame
    trades: pl.DataFrame
    metrics: pl.DataFrame

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


# --------------------------------------------------------------------------- validation


def _real(value: object, name: str, *, low: float, high: float = math.inf) -> float:
    """A finite real in [low, high] (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"`{name}` must be a real number, got {value!r}"
        raise TypeError(msg)
    x = scalar_float(value, name)
    if not low <= x <= high:
        msg = f"`{name}` must be in [{low}, {high}], got {value!r}"
        raise ValueError(msg)
    return x


def _delta(value: object, name: str) -> float:
    x = _real(value, name, low=-math.inf)
    if not 0.0 < x < 1.0:
        msg = f"`{name}` must be an absolute delta in (0, 1), got {value!r}"
        raise ValueError(msg)
    return x


def _optional(value: object, name: str, *, low: float, high: float = math.inf) -> float:
    return math.nan if value is None else _real(value, name, low=low, high=high)


def _weekday_flags(weekdays: object) -> list[float]:
    if weekdays is None:
        return [1.0] * 7
    items = [weekdays] if isinstance(weekdays, str | int) else weekdays
    if not isinstance(items, Sequence) or not items:
        msg = f"`weekdays` must be a non-empty sequence of weekdays, got {weekdays!r}"
        raise TypeError(msg)
    flags = [0.0] * 7
    for item in items:
        if isinstance(item, str) and item.strip().lower()[:3] in _WEEKDAYS:
            flags[_WEEKDAYS.index(item.strip().lower()[:3])] = 1.0
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            flags[item] = 1.0
        else:
            msg = (
                f"`weekdays` entries must be 0 (Monday) .. 6 (Sunday) or names like 'mon', "
                f"got {item!r}"
            )
            raise ValueError(msg)
    return flags


def _chain_frame(chain: object, start: object, end: object) -> pl.DataFrame:
    """The validated, date-filtered chain."""
    from fastopt.data import load_chain, validate_chain

    if isinstance(chain, pl.LazyFrame):
        chain = chain.collect()
    if not isinstance(chain, pl.DataFrame):
        try:
            chain = load_chain(chain)  # pandas frames
        except TypeError:
            msg = f"`chain` must be a Polars or pandas DataFrame, got {type(chain).__name__}"
            raise TypeError(msg) from None
    assert isinstance(chain, pl.DataFrame)
    if chain.height == 0:
        msg = "`chain` is empty (0 rows)"
        raise ValueError(msg)
    frame, _ = validate_chain(chain)
    if frame.schema["date"] != pl.Date:
        msg = f"`chain` must be daily: `date` of dtype Date, got {frame.schema['date']}"
        raise ValueError(msg)
    if "root" in frame.columns and frame["root"].n_unique() > 1:
        msg = f"`chain` must hold one root, got {frame['root'].unique().sort().to_list()[:5]}"
        raise ValueError(msg)
    lo = None if start is None else as_date(start, "start")
    hi = None if end is None else as_date(end, "end")
    if lo is not None and hi is not None and lo > hi:
        msg = f"`start` ({lo}) must not be after `end` ({hi})"
        raise ValueError(msg)
    if lo is not None:
        frame = frame.filter(pl.col("date") >= lo)
    if hi is not None:
        frame = frame.filter(pl.col("date") <= hi)
    if frame.height == 0:
        first, last = str(chain["date"].min()), str(chain["date"].max())
        msg = f"no chain date in `start`={lo} .. `end`={hi}; the chain covers {first} .. {last}"
        raise ValueError(msg)
    return frame


def _f64(frame: pl.DataFrame, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    if name not in frame.columns:
        return np.full(frame.height, np.nan)
    col = frame[name].cast(pl.Float64).fill_null(np.nan)
    return np.ascontiguousarray(col.to_numpy(), dtype=np.float64)


# --------------------------------------------------------------------------- public API


def run_backtest(
    chain: object,
    structure: Structure | str = "iron_condor",
    *,
    short_delta: float = 0.16,
    long_delta: float | None = None,
    width: float | None = None,
    delta_tolerance: float = 0.05,
    quantity: int = 1,
    min_dte: int = 30,
    max_dte: int = 60,
    target_dte: float | None = None,
    weekdays: Sequence[int | str] | None = None,
    max_positions: int = 1,
    fill: Literal["natural", "mid"] = "natural",
    slippage: float = 0.0,
    commission_per_contract: float = 0.0,
    commission_per_order: float = 0.0,
    profit_target: float | None = 0.5,
    stop_loss: float | None = 2.0,
    max_hold_days: int | None = None,
    exit_dte: int | None = None,
    capital: float = 100_000.0,
    multiplier: float = 100.0,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> BacktestResult:
    """Backtest one short-premium option structure over a daily chain.

    Parameters
    ----------
    chain : polars.DataFrame, polars.LazyFrame, pandas.DataFrame or path
        A daily chain in the :mod:`fastopt.data` schema (a path or a pandas
        frame is read with :func:`fastopt.data.load_chain`; validated with
        :func:`fastopt.data.validate_chain`; invalid rows raise). Legs chosen
        by delta need a ``delta`` column; ``iv`` is optional (reported only).
    structure : str, default "iron_condor"
        ``"short_put"``, ``"short_call"``, ``"bull_put_spread"`` (alias
        ``"put_credit_spread"``), ``"bear_call_spread"`` (alias
        ``"call_credit_spread"``), ``"short_strangle"`` or ``"iron_condor"``.
    short_delta : float, default 0.16
        Target ``|delta|`` of every short leg, in (0, 1).
    long_delta : float, optional
        Target ``|delta|`` of the long wings (spreads, condor), in (0, 1).
    width : float, optional
        Wing width in strike points: the long leg is the strike nearest
        ``short -/+ width`` further out of the money (ties: the wider one).
        Takes precedence over ``long_delta``; one of the two is required for
        structures with wings.
    delta_tolerance : float, default 0.05
        A delta-chosen leg needs ``| |delta| - target | <= delta_tolerance``.
    quantity : int, default 1
        Contracts per leg.
    min_dte, max_dte : int, default 30, 60
        Calendar days to expiry allowed at entry; ``1 <= min_dte <= max_dte``.
    target_dte : float, optional
        The expiry nearest this DTE inside the window is traded (ties: the
        earlier); default the middle of the window.
    weekdays : sequence of int or str, optional
        Days on which entries are allowed (0 = Monday or ``"mon"`` ...);
        default every day.
    max_positions : int, default 1
        Open positions at most; at most one new position opens per day.
    fill : {"natural", "mid"}
        Entry prices: sell at the bid and buy at the ask, or at the mid.
    slippage : float, default 0.0
        Fraction of each leg's spread ``ask - bid`` by which every entry
        price is worsened (sells lower, buys higher), in [0, 1].
    commission_per_contract, commission_per_order : float, default 0.0
        Charged on entry and on every exit except expiry settlement.
    profit_target : float or None, default 0.5
        Close when the natural debit to close is ``<= credit * (1 -
        profit_target)`` (0.5 = half the credit earned); in (0, 1]. None: off.
    stop_loss : float or None, default 2.0
        Close when the natural debit is ``>= credit * (1 + stop_loss)``, i.e.
        the loss reaches ``stop_loss`` times the credit; ``> 0``. None: off.
    max_hold_days : int or None
        Close once the position has been held this many calendar days (>= 1).
    exit_dte : int or None
        Close once the days to expiry are ``<= exit_dte`` (>= 0).
    capital : float, default 100000
        Starting account value, ``> 0``.
    multiplier : float, default 100
        Shares per contract.
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
    name = check_choice(structure, "structure", STRUCTURES)
    name = _ALIASES.get(name, name)
    legs = _STRUCTURES[name]
    has_wing = any(leg[2] == 1 for leg in legs)
    sd = _delta(short_delta, "short_delta")
    wing_mode, wing_target = 1, math.nan
    if has_wing:
        if width is not None:
            wing_target = _real(width, "width", low=0.0)
            if wing_target <= 0.0:
                msg = f"`width` must be > 0 strike points, got {width!r}"
                raise ValueError(msg)
        elif long_delta is not None:
            wing_mode, wing_target = 0, _delta(long_delta, "long_delta")
            if wing_target >= sd:
                msg = (
                    f"`long_delta` ({long_delta!r}) must be < `short_delta` ({short_delta!r}): "
                    "the wings are further out of the money"
                )
                raise ValueError(msg)
        else:
            msg = f"structure {name!r} has long wings: give `width` (strike points) or `long_delta`"
            raise ValueError(msg)
    tol = _real(delta_tolerance, "delta_tolerance", low=0.0)
    qty = check_int(quantity, "quantity", 1)
    lo_dte = check_int(min_dte, "min_dte", 1)
    hi_dte = check_int(max_dte, "max_dte", 1)
    if lo_dte > hi_dte:
        msg = f"`min_dte` ({lo_dte}) must be <= `max_dte` ({hi_dte})"
        raise ValueError(msg)
    tgt_dte = (
        0.5 * (lo_dte + hi_dte) if target_dte is None else _real(target_dte, "target_dte", low=0.0)
    )
    flags = _weekday_flags(weekdays)
    max_pos = check_int(max_positions, "max_positions", 1)
    fill_mode = check_choice(fill, "fill", ("natural", "mid"))
    slip = _real(slippage, "slippage", low=0.0, high=1.0)
    c_contract = _real(commission_per_contract, "commission_per_contract", low=0.0)
    c_order = _real(commission_per_order, "commission_per_order", low=0.0)
    pt = _optional(profit_target, "profit_target", low=0.0, high=1.0)
    if pt == 0.0:
        msg = "`profit_target` must be in (0, 1] (or None), got 0"
        raise ValueError(msg)
    sl = _optional(stop_loss, "stop_loss", low=0.0)
    if sl == 0.0:
        msg = "`stop_loss` must be > 0 (or None), got 0"
        raise ValueError(msg)
    hold = (
        math.nan if max_hold_days is None else float(check_int(max_hold_days, "max_hold_days", 1))
    )
    x_dte = math.nan if exit_dte is None else float(check_int(exit_dte, "exit_dte", 0))
    cap = _real(capital, "capital", low=0.0)
    mult = _real(multiplier, "multiplier", low=0.0)
    if cap <= 0.0 or mult <= 0.0:
        bad = "capital" if cap <= 0.0 else "multiplier"
        msg = f"`{bad}` must be > 0, got {capital if bad == 'capital' else multiplier!r}"
        raise ValueError(msg)

    frame = _chain_frame(chain, start, end)
    if "delta" not in frame.columns or frame["delta"].is_null().all():
        msg = "`chain` needs a `delta` column: legs are chosen by target |delta|"
        raise ValueError(msg)

    # ---------------------------------------------------------------- flatten
    date_num = frame["date"].cast(pl.Int32).to_numpy().astype(np.int64)
    starts = np.flatnonzero(np.r_[True, date_num[1:] != date_num[:-1]])
    offsets = np.ascontiguousarray(np.r_[starts, date_num.size], dtype=np.int64)
    day_num = np.ascontiguousarray(date_num[starts])
    weekday = np.ascontiguousarray((day_num + 3) % 7, dtype=np.int64)  # 1970-01-01: Thursday
    und = np.ascontiguousarray(frame["underlying"].to_numpy()[starts], dtype=np.float64)
    expiry = np.ascontiguousarray(
        frame["expiry"].cast(pl.Int32).to_numpy().astype(np.int64), dtype=np.int64
    )
    strike = _f64(frame, "strike")
    kind = np.ascontiguousarray((frame["kind"] == "put").to_numpy().astype(np.int64))
    bid, ask = _f64(frame, "bid"), _f64(frame, "ask")
    delta, iv = _f64(frame, "delta"), _f64(frame, "iv")

    leg_i = np.array([list(leg) for leg in legs], dtype=np.int64)
    leg_f = np.array([sd if leg[2] == 0 else wing_target for leg in legs], dtype=np.float64)
    if has_wing and wing_mode == 0:
        leg_i[:, 2] = 0  # wings by delta too
    params = np.zeros(_kb.N_PARAMS, dtype=np.float64)
    params[_kb.P_CAPITAL] = cap
    params[_kb.P_QTY] = qty
    params[_kb.P_MULT] = mult
    params[_kb.P_MIN_DTE] = lo_dte
    params[_kb.P_MAX_DTE] = hi_dte
    params[_kb.P_TARGET_DTE] = tgt_dte
    params[_kb.P_MAX_POS] = max_pos
    params[_kb.P_FILL_MID] = 1.0 if fill_mode == "mid" else 0.0
    params[_kb.P_SLIPPAGE] = slip
    params[_kb.P_COMM_CONTRACT] = c_contract
    params[_kb.P_COMM_ORDER] = c_order
    params[_kb.P_PROFIT_TARGET] = pt
    params[_kb.P_STOP_LOSS] = sl
    params[_kb.P_MAX_HOLD] = hold
    params[_kb.P_EXIT_DTE] = x_dte
    params[_kb.P_DELTA_TOL] = tol
    params[_kb.P_WEEKDAY0 : _kb.P_WEEKDAY0 + 7] = flags

    n_days = day_num.size
    equity = np.empty(n_days, dtype=np.float64)
    open_n = np.empty(n_days, dtype=np.int64)
    trade_i = np.empty((n_days, _kb.N_TI), dtype=np.int64)
    trade_f = np.empty((n_days, _kb.N_TF), dtype=np.float64)
    n_trades = int(
        _kb.run_nb(
            offsets, day_num, weekday, und, expiry, strike, kind, bid, ask, delta, iv,
            leg_i, leg_f, params, equity, open_n, trade_i, trade_f,
        )
    )  # fmt: skip
    if n_trades == 0:
        warnings.warn(
            f"no {name} position was opened: no contract matched the entry rules "
            f"(DTE {lo_dte}..{hi_dte}, short |delta| {sd} +/- {tol}) on any of the "
            f"{n_days} days; the trade log is empty",
            NoTradesWarning,
            stacklevel=2,
        )

    # ---------------------------------------------------------------- frames
    dates = pl.Series("date", day_num.astype(np.int32)).cast(pl.Date)
    eq = pl.DataFrame(
        {
            "date": dates,
            "equity": equity,
            "pnl": np.diff(equity, prepend=cap),
            "open_positions": pl.Series(open_n, dtype=pl.Int64),
        }
    )
    trades = _trade_frame(
        trade_i[:n_trades], trade_f[:n_trades], day_num, legs, qty, expiry, strike, delta, iv
    )
    return BacktestResult(
        equity=eq, trades=trades, metrics=_metrics(equity, trades["pnl"].to_numpy(), open_n)
    )


def _trade_frame(
    ti: np.ndarray[Any, Any],
    tf: np.ndarray[Any, Any],
    day_num: np.ndarray[Any, Any],
    legs: tuple[tuple[int, int, int, int], ...],
    qty: int,
    expiry: np.ndarray[Any, Any],
    strike: np.ndarray[Any, Any],
    delta: np.ndarray[Any, Any],
    iv: np.ndarray[Any, Any],
) -> pl.DataFrame:
    """The trade log from the kernel's trade records."""
    n = ti.shape[0]
    rows = ti[:, _kb.TI_ROW0 : _kb.TI_ROW0 + len(legs)]
    leg_text: list[list[str]] = []
    for k in range(n):
        texts = []
        for j, leg in enumerate(legs):
            r = int(rows[k, j])
            day = _EPOCH + dt.timedelta(days=int(expiry[r]))
            texts.append(f"{leg[0] * qty:+d} {'P' if leg[1] else 'C'} {strike[r]:.10g} {day}")
        leg_text.append([t.removeprefix("+") for t in texts])
    entry_days = day_num[ti[:, _kb.TI_ENTRY]] if n else np.zeros(0, dtype=np.int64)
    exit_days = day_num[ti[:, _kb.TI_EXIT]] if n else np.zeros(0, dtype=np.int64)
    exp_days = expiry[rows[:, 0]] if n else np.zeros(0, dtype=np.int64)

    def short_col(kind_code: int, values: np.ndarray[Any, Any]) -> pl.Series:
        j = next((j for j, leg in enumerate(legs) if leg[0] < 0 and leg[1] == kind_code), None)
        if j is None or n == 0:
            return pl.Series([None] * n, dtype=pl.Float64)
        return pl.Series(values[rows[:, j]], dtype=pl.Float64, nan_to_null=True)

    def as_date(days: np.ndarray[Any, Any]) -> pl.Series:
        return pl.Series(days.astype(np.int32), dtype=pl.Int32).cast(pl.Date)

    return pl.DataFrame(
        {
            "entry_date": as_date(entry_days),
            "exit_date": as_date(exit_days),
            "expiry": as_date(exp_days),
            "legs": pl.Series(leg_text, dtype=pl.List(pl.String)),
            "quantity": pl.Series([qty] * n, dtype=pl.Int64),
            "entry_underlying": pl.Series(tf[:, _kb.TF_UND], dtype=pl.Float64),
            "short_put_delta": short_col(1, delta),
            "short_put_iv": short_col(1, iv),
            "short_call_delta": short_col(0, delta),
            "short_call_iv": short_col(0, iv),
            "entry_credit": pl.Series(tf[:, _kb.TF_CREDIT], dtype=pl.Float64),
            "exit_debit": pl.Series(tf[:, _kb.TF_DEBIT], dtype=pl.Float64),
            "commissions": pl.Series(tf[:, _kb.TF_COMM], dtype=pl.Float64),
            "pnl": pl.Series(tf[:, _kb.TF_PNL], dtype=pl.Float64),
            "exit_reason": pl.Series(
                [_kb.REASONS[int(c)] for c in ti[:, _kb.TI_REASON]], dtype=pl.String
            ),
            "days_held": pl.Series(exit_days - entry_days, dtype=pl.Int64),
        }
    )


def _metrics(
    equity: np.ndarray[Any, Any], pnl: np.ndarray[Any, Any], open_n: np.ndarray[Any, Any]
) -> pl.DataFrame:
    """``performance_metrics`` of the run, or a row of nulls when it is undefined."""
    if equity.size >= 2 and bool((equity > 0.0).all()):
        with np.errstate(divide="ignore", invalid="ignore"):  # flat curves: NaN Sharpe (no JIT)
            return performance_metrics(equity, trades=pnl, exposure=open_n > 0)
    template = performance_metrics([1.0, 1.0])
    return pl.DataFrame(
        {
            c: pl.Series(c, [0 if c == "curve" else None], dtype=template.schema[c])
            for c in template.columns
        }
    )
