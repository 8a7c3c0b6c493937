"""A daily chain validated once and flattened into the arrays the backtest kernel reads.

:func:`prepare_chain` validates a chain (:func:`fastopt.data.validate_chain`),
keeps the requested date range and lays it out as NumPy arrays: one row per
quote sorted by ``(date, expiry, strike, kind)`` and CSR offsets per day.
Validation and flattening are most of the cost of a single backtest (0.12 s
of 0.14 s on ten years of chains), so a :class:`PreparedChain` is what to
hold on to when many backtests run over the same data: :func:`run_backtest`,
:func:`run_batch` and :func:`walk_forward` all accept one, and
:meth:`PreparedChain.window` cuts a day range without copying.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from fastopt._validate import as_date, check_int
from fastopt.kernels import backtest as _kb

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = ["PreparedChain", "prepare_chain"]

_EPOCH = dt.date(1970, 1, 1)
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class PreparedChain:
    """A validated daily chain as flat arrays (see :func:`prepare_chain`).

    Attributes
    ----------
    A "day" below is one bar: a trading day of a daily chain, or one
    timestamp of an intraday chain (``date`` of dtype Datetime).

    offsets : numpy.ndarray
        int64 ``(n_days + 1,)``: bar ``d`` owns rows ``offsets[d]:offsets[d + 1]``.
    day_num : numpy.ndarray
        int64 ``(n_days,)``: the calendar date of each bar as days since
        1970-01-01, non-decreasing (increasing for a daily chain).
    weekday : numpy.ndarray
        int64 ``(n_days,)``: 0 = Monday ... 6 = Sunday.
    period : numpy.ndarray
        int64 ``(n_days, 5)``: the bar's period number per timeframe
        (:data:`TIMEFRAMES`: bar, hour, day, week, month); a bar is the last
        of its period when the next bar's number differs.
    bar_time : numpy.ndarray
        int64 ``(n_days,)``: the bar's time key, days since 1970-01-01 for a
        daily chain, microseconds since 1970-01-01 for an intraday one.
    underlying : numpy.ndarray
        float64 ``(n_days,)``: the underlying price of each day.
    day_f : numpy.ndarray
        float64 ``(n_days, 3)``: the IV rank and IV percentile of each day in
        percent (NaN where undefined), from the at-the-money IV (see
        :func:`prepare_chain`), and the cash dividend per share going ex on
        the bar (the chain's optional ``dividend`` column; 0 = none).
    expiry, strike, kind, bid, ask, delta, iv, volume : numpy.ndarray
        Per quote: expiry (int64 days since 1970-01-01), strike, kind (int64,
        0 = call, 1 = put), bid, ask, delta, iv, volume (float64; NaN =
        missing). Each bar ends with one synthetic stock row (kind 2, expiry
        :data:`STOCK_EXPIRY`, strike 0, bid = ask = the underlying, delta 1,
        no iv or volume) for the stock legs of covered structures.
    intraday : bool
        True when bars are timestamps (the chain's ``date`` was a Datetime).
    """

    offsets: I64
    day_num: I64
    weekday: I64
    period: I64
    bar_time: I64
    underlying: F64
    day_f: F64
    expiry: I64
    strike: F64
    kind: I64
    bid: F64
    ask: F64
    delta: F64
    iv: F64
    volume: F64
    intraday: bool = False

    @property
    def n_days(self) -> int:
        """Number of trading days."""
        return int(self.day_num.size)

    @property
    def n_rows(self) -> int:
        """Number of quotes."""
        return int(self.expiry.size)

    @property
    def dates(self) -> pl.Series:
        """The bars as a Polars series named ``date``: Date, or Datetime("us") intraday."""
        if self.intraday:
            return pl.Series("date", self.bar_time).cast(pl.Datetime("us"))
        return pl.Series("date", self.day_num.astype(np.int32)).cast(pl.Date)

    def date(self, d: int) -> dt.date:
        """The date (a datetime for an intraday chain) of bar index ``d``."""
        if self.intraday:
            return _EPOCH_DT + dt.timedelta(microseconds=int(self.bar_time[d]))
        return _EPOCH + dt.timedelta(days=int(self.day_num[d]))

    def time_key(self, value: object, name: str) -> int:
        """``value`` (a date, datetime or ISO string) as a ``bar_time`` key."""
        if self.intraday:
            if isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
            if isinstance(value, dt.datetime):
                return int((value - _EPOCH_DT) // dt.timedelta(microseconds=1))
            day = as_date(value, name)
            return (day - _EPOCH).days * 86_400_000_000
        return (as_date(value, name) - _EPOCH).days

    def kernel_args(self) -> tuple[Any, ...]:
        """The arrays in the order :func:`fastopt.kernels.backtest.run_nb` takes them."""
        return (
            self.offsets,
            self.day_num,
            self.weekday,
            self.period,
            self.underlying,
            self.day_f,
            self.expiry,
            self.strike,
            self.kind,
            self.bid,
            self.ask,
            self.delta,
            self.iv,
            self.volume,
        )

    def window(self, first: int, stop: int) -> PreparedChain:
        """Days ``first .. stop - 1`` as a chain of their own (views, no copy).

        Parameters
        ----------
        first, stop : int
            Day indices, ``0 <= first < stop <= n_days``.
        """
        if not 0 <= first < stop <= self.n_days:
            msg = f"window [{first}, {stop}) must satisfy 0 <= first < stop <= {self.n_days}"
            raise ValueError(msg)
        lo, hi = int(self.offsets[first]), int(self.offsets[stop])
        per_day = {name: getattr(self, name)[first:stop] for name in _PER_DAY}
        per_row = {name: getattr(self, name)[lo:hi] for name in _PER_ROW}
        return PreparedChain(
            offsets=self.offsets[first : stop + 1] - lo,
            **per_day,
            **per_row,
            intraday=self.intraday,
        )

    def day_index(self, value: object, name: str) -> int:
        """Index of the first bar on or after ``value`` (``n_days`` if none)."""
        return int(np.searchsorted(self.bar_time, self.time_key(value, name), side="left"))

    def __reduce__(self) -> tuple[Any, ...]:  # pickles as plain arrays (Dask ships it)
        return (PreparedChain, tuple(getattr(self, f.name) for f in fields(self)))


_PER_DAY = ("day_num", "weekday", "period", "bar_time", "underlying", "day_f")
_PER_ROW = ("expiry", "strike", "kind", "bid", "ask", "delta", "iv", "volume")
_EPOCH_DT = dt.datetime(1970, 1, 1)
STOCK_EXPIRY = _kb.STOCK_EXPIRY
"""The expiry key of the synthetic stock row every bar carries (kind 2; see prepare_chain)."""
TIMEFRAMES: tuple[str, ...] = ("bar", "hour", "day", "week", "month")
"""Timeframes of :attr:`PreparedChain.period` (and of the entry/manage rules)."""


def _f64(frame: pl.DataFrame, name: str) -> F64:
    if name not in frame.columns:
        return np.full(frame.height, np.nan)
    col = frame[name].cast(pl.Float64).fill_null(np.nan)
    return np.ascontiguousarray(col.to_numpy(), dtype=np.float64)


def _chain_frame(chain: object) -> pl.DataFrame:
    """The validated chain."""
    from fastopt.data import load_chain, validate_chain

    if isinstance(chain, pl.LazyFrame):
        chain = chain.collect()
    loaded = not isinstance(chain, pl.DataFrame)
    if loaded:
        try:
            chain = load_chain(chain)  # pandas frames, paths: validated there
        except TypeError:
            msg = f"`chain` must be a Polars or pandas DataFrame, got {type(chain).__name__}"
            raise TypeError(msg) from None
    assert isinstance(chain, pl.DataFrame)
    if chain.height == 0:
        msg = "`chain` is empty (0 rows)"
        raise ValueError(msg)
    frame = chain if loaded else validate_chain(chain)[0]
    if frame.schema["date"] != pl.Date and not isinstance(frame.schema["date"], pl.Datetime):
        msg = f"`chain` `date` must be a Date or Datetime, got {frame.schema['date']}"
        raise ValueError(msg)
    if "root" in frame.columns and frame["root"].n_unique() > 1:
        msg = f"`chain` must hold one root, got {frame['root'].unique().sort().to_list()[:5]}"
        raise ValueError(msg)
    if "delta" not in frame.columns or frame["delta"].is_null().all():
        msg = "`chain` needs a `delta` column: legs are chosen by target |delta|"
        raise ValueError(msg)
    return frame


ATM_DTE = 30
"""The at-the-money IV of a day is read at the expiry nearest this many days (>= 7)."""


def _iv_rank_percentile(
    offsets: I64, day_num: I64, und: F64, expiry: I64, strike: F64, iv: F64, window: int
) -> F64:
    """``(n_days, 2)``: IV rank and IV percentile of the at-the-money IV (NaN undefined)."""
    from fastopt.kernels.chains import atm_iv_nb
    from fastopt.volatility import iv_percentile, iv_rank

    out = np.full((day_num.size, 3), np.nan)
    out[:, 2] = 0.0
    atm = atm_iv_nb(offsets, day_num, und, expiry, strike, iv, float(ATM_DTE), 7,
                    np.empty(day_num.size))  # fmt: skip
    valid = np.flatnonzero(np.isfinite(atm))
    if valid.size == 0:
        return out
    first = int(valid[0])
    tail = atm[first:]
    for k in range(1, tail.size):  # carry the last value over days without one
        if not math.isfinite(tail[k]):
            tail[k] = tail[k - 1]
    if tail.size >= window:
        out[first:, 0] = iv_rank(tail, window=window)
        out[first:, 1] = iv_percentile(tail, window=window)
    return out


def _periods(bar_time: I64, day_num: I64, *, intraday: bool) -> I64:
    """``(n, 5)`` period numbers: bar, hour, day, week (Monday first), month."""
    dates = (np.datetime64("1970-01-01", "D") + day_num.astype("timedelta64[D]")).astype(
        "datetime64[M]"
    )
    return np.ascontiguousarray(
        np.stack(
            [
                np.arange(bar_time.size, dtype=np.int64),
                bar_time // 3_600_000_000 if intraday else day_num,
                day_num,
                (day_num + 3) // 7,  # 1970-01-05 was a Monday: weeks run Monday..Sunday
                dates.astype(np.int64),
            ],
            axis=1,
        )
    )


def _as_moment(value: object, name: str) -> dt.datetime:
    """A date or datetime (or ISO string) as a datetime, for comparing bounds."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ("T" in value or " " in value.strip()):
        return dt.datetime.fromisoformat(value)
    return dt.datetime.combine(as_date(value, name), dt.time())


def _check_range(start: object, end: object) -> None:
    """Raise when both bounds are given and ``start`` is after ``end``."""
    if start is not None and end is not None:
        lo, hi = _as_moment(start, "start"), _as_moment(end, "end")
        if lo > hi:
            msg = f"`start` ({lo}) must not be after `end` ({hi})"
            raise ValueError(msg)


def prepare_chain(
    chain: object,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    iv_window: int = 252,
) -> PreparedChain:
    """Validate a daily chain once and flatten it for the backtest kernels.

    Parameters
    ----------
    chain : polars.DataFrame, polars.LazyFrame, pandas.DataFrame, path or PreparedChain
        A daily chain in the :mod:`fastopt.data` schema with a ``delta``
        column (validated with :func:`fastopt.data.validate_chain`; invalid
        rows raise). A :class:`PreparedChain` is cut to ``start .. end``.
    start, end : datetime.date or str, optional
        Inclusive date range to keep.
    iv_window : int, default 252
        Trading days of the IV rank / IV percentile window (today included;
        :func:`fastopt.iv_rank`). The series ranked is the day's at-the-money
        IV: the mean call/put ``iv`` at the strike nearest the underlying of
        the expiry nearest 30 calendar days (at least 7), carried forward over
        days without one. It is computed on the whole chain before the date
        range is cut, so a range starting later already has a rank; the first
        ``iv_window - 1`` days of the chain have none (entry filters on it
        then wait). A chain without ``iv`` has no rank.

    Returns
    -------
    PreparedChain

    Raises
    ------
    TypeError
        ``chain`` is not a frame, a path or a prepared chain.
    ValueError
        An empty or invalid chain, a non-daily ``date``, several roots, no
        ``delta`` column, ``start`` after ``end`` or no date in the range.

    Examples
    --------
    >>> from fastopt.backtest import prepare_chain
    >>> from fastopt.data import generate_chains
    >>> chain = generate_chains(start="2018-01-02", end="2018-01-31", max_dte=45, seed=1)
    >>> prep = prepare_chain(chain, start="2018-01-08")
    >>> prep.n_days, str(prep.date(0)), prep.n_rows < chain.height
    (17, '2018-01-08', True)
    """
    if isinstance(chain, PreparedChain):
        _check_range(start, end)
        first = 0 if start is None else chain.day_index(start, "start")
        stop = chain.n_days if end is None else chain.n_days - _days_after(chain, end)
        if first >= stop:
            msg = (
                f"no chain date in `start`={start} .. `end`={end}; the chain covers "
                f"{chain.date(0)} .. {chain.date(chain.n_days - 1)}"
            )
            raise ValueError(msg)
        return chain.window(first, stop)
    window = check_int(iv_window, "iv_window", 2)
    full = _chain_frame(chain)
    intraday = isinstance(full.schema["date"], pl.Datetime)
    if intraday:
        key = full["date"].cast(pl.Datetime("us")).cast(pl.Int64).to_numpy()
    else:
        key = full["date"].cast(pl.Int32).to_numpy().astype(np.int64)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    offsets = np.r_[starts, key.size].astype(np.int64)
    bar_time = np.ascontiguousarray(key[starts])
    day_num = bar_time // 86_400_000_000 if intraday else bar_time.copy()
    und = np.ascontiguousarray(full["underlying"].to_numpy()[starts], dtype=np.float64)
    expiry = full["expiry"].cast(pl.Int32).to_numpy().astype(np.int64)
    strike, iv = _f64(full, "strike"), _f64(full, "iv")
    ranks = _iv_rank_percentile(offsets, day_num, und, expiry, strike, iv, window)
    if "dividend" in full.columns:
        div = full["dividend"].cast(pl.Float64).fill_null(0.0).to_numpy()[starts]
        if not np.isfinite(div).all() or (div < 0.0).any():
            msg = "`chain` column `dividend` must be finite and >= 0 (cash per share going ex)"
            raise ValueError(msg)
        ranks[:, 2] = div
    # one synthetic stock row per bar, last in the bar (expiry STOCK_EXPIRY, kind 2): the
    # stock leg of a covered call or collar is quoted at the underlying, delta 1
    at = offsets[1:]
    n_bars = day_num.size
    nan = np.full(n_bars, np.nan)
    prep = PreparedChain(
        offsets=offsets + np.arange(n_bars + 1, dtype=np.int64),
        day_num=day_num,
        weekday=np.ascontiguousarray((day_num + 3) % 7, dtype=np.int64),  # 1970-01-01: Thursday
        period=_periods(bar_time, day_num, intraday=intraday),
        bar_time=bar_time,
        underlying=und,
        day_f=ranks,
        expiry=np.insert(expiry, at, STOCK_EXPIRY),
        strike=np.insert(strike, at, 0.0),
        kind=np.insert((full["kind"] == "put").to_numpy().astype(np.int64), at, 2),
        bid=np.insert(_f64(full, "bid"), at, und),
        ask=np.insert(_f64(full, "ask"), at, und),
        delta=np.insert(_f64(full, "delta"), at, 1.0),
        iv=np.insert(iv, at, nan),
        volume=np.insert(_f64(full, "volume"), at, nan),
        intraday=intraday,
    )
    return prep if start is None and end is None else prepare_chain(prep, start=start, end=end)


def _days_after(chain: PreparedChain, end: object) -> int:
    """Number of bars after ``end`` (a date includes all of its bars)."""
    if (
        chain.intraday
        and not isinstance(end, dt.datetime)
        and not (isinstance(end, str) and ("T" in end or " " in end))
    ):
        key = chain.time_key(as_date(end, "end") + dt.timedelta(days=1), "end") - 1
    else:
        key = chain.time_key(end, "end")
    return int(chain.n_days - np.searchsorted(chain.bar_time, key, side="right"))
