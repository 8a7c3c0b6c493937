r"""Deterministic synthetic option chains anchored to a real underlying series.

:func:`generate_chains` turns a daily close series (by default the bundled
S&P 500, :func:`fastopt.data.load_sp500_vix`) into end-of-day chains that a
backtest can trade: weekly and monthly expiries, a fixed strike grid, a put
skew, bid/ask quotes, and quotes on the expiry day itself.

The model
---------
*ATM volatility (30 days)*, per day: with ``iv_source="vix"`` the VIX close /
100 where it exists; elsewhere (and with ``iv_source="realized"``) the proxy
``vrp * realized_vol(close, window=21)`` (close-to-close, annualised with 252
days) with the variance-risk-premium factor ``vrp = 1.2`` (implied vol trades
above realised vol on average); the warm-up takes the first available value.
A float ``iv_source`` is a constant. Everything is floored at ``min_vol``.

*Term structure* (the expected average variance of a mean-reverting variance
with speed ``kappa`` and long-run level ``long_run_vol`` = :math:`\theta`):

.. math:: \sigma_{atm}(T)^2 = \theta^2 + (\sigma_{30}^2 - \theta^2)\,
          \frac{g(T)}{g(30/365)}, \qquad g(T) = \frac{1 - e^{-\kappa T}}{\kappa T}

so a high VIX gives a downward-sloping term structure and a low one an upward slope.

*Smile*: with standardised moneyness :math:`z = \ln(K/F) / (\sigma_{atm}(T)
\sqrt{\max(T, 1/365)})`, clipped to [-4, 4], and the forward
:math:`F = S e^{(r - q) T}`,

.. math:: \sigma(K, T) = \sigma_{atm}(T)\,(1 + \text{skew}\cdot z + \text{curv}\cdot z^2)

(``skew = -0.1``, ``curv = 0.02``: a put skew that flattens for calls).

*Prices and deltas*: Black-Scholes-Merton (the :mod:`fastopt.kernels.bs`
kernel) with ``T = calendar days / 365``, ``rate`` and ``div``.

*Quotes*: spread ``= max(tick, spread_pct * price * (1 + wing |z|)) *
max(1, sigma_30 / vol_ref) * exp(noise * eps)`` with ``eps`` a standard normal
from the counter-based stream of ``seed`` (one draw per row). The relative
spread widens away from the money (``wing``) and when volatility is above
``vol_ref``. ``bid`` is ``price - spread/2`` rounded down to the tick (floored
at 0) and ``ask`` is ``price + spread/2`` rounded up, so the mid is within
half a tick of the model price unless the bid is 0. On the expiry day the
quote is the intrinsic value -/+ half a tick.

*Contracts*: expiries are Fridays (a Friday holiday moves to the previous
trading day of the series) within ``max_dte`` calendar days: ``"monthly"``
the third Friday, ``"weekly"`` the other Fridays, ``"monthly+weekly"`` both.
Strikes are the multiples of ``strike_step`` (default: ``median(close) /
300`` rounded down to 1, 2.5 or 5 times a power of ten -- 5 for an index
around 1,500-3,000) within ``n_sd`` standard deviations
(:math:`\sigma_{atm}(T)\sqrt{\max(T, 1/365)}`) of spot, capped at
``max_moneyness`` (25 %).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from fastopt._random import stream_key
from fastopt._typing import Float64Array
from fastopt._validate import as_date, check_choice, check_int
from fastopt.data.loaders import DateLike, _is_pandas_frame, _pandas_to_polars
from fastopt.kernels import chains as _kc
from fastopt.volatility import realized_vol

__all__ = ["PARALLEL_ROWS", "generate_chains", "resample_underlying"]

PARALLEL_ROWS = 200_000
"""Chains with more rows than this are filled by the ``prange`` kernel."""

_EPOCH = dt.date(1970, 1, 1)
_EXPIRIES = ("monthly+weekly", "monthly", "weekly")
_NICE = (1.0, 2.5, 5.0)


def _nice_step(price: float) -> float:
    """``price / 300`` rounded down to 1, 2.5 or 5 times a power of ten."""
    raw = max(price / 300.0, 1e-6)
    exp10 = 10.0 ** math.floor(math.log10(raw))
    best = exp10
    for m in _NICE:
        if m * exp10 <= raw * (1 + 1e-12):
            best = m * exp10
    return best


def _underlying_frame(underlying: Any) -> pl.DataFrame:
    if underlying is None:
        from fastopt.data import load_sp500_vix

        return load_sp500_vix()
    if _is_pandas_frame(underlying):
        return _pandas_to_polars(underlying)
    if isinstance(underlying, pl.LazyFrame):
        return underlying.collect()
    if isinstance(underlying, pl.DataFrame):
        return underlying
    msg = (
        "`underlying` must be None (the bundled S&P 500), a polars or pandas DataFrame "
        f"with `date` and `close` columns, got {type(underlying).__name__}"
    )
    raise TypeError(msg)


def _positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"`{name}` must be a real number, got {value!r}"
        raise TypeError(msg)
    v = float(value)
    if not math.isfinite(v) or v < 0.0 or (v == 0.0 and not allow_zero):
        msg = f"`{name}` must be {'>= 0' if allow_zero else '> 0'} and finite, got {value!r}"
        raise ValueError(msg)
    return v


def _atm30(frame: pl.DataFrame, close: Float64Array, iv_source: object, vrp: float) -> Float64Array:
    """30-day ATM vol per day (before the ``min_vol`` floor), NaN-free."""
    if isinstance(iv_source, numbers.Real) and not isinstance(iv_source, bool):
        return np.full(close.size, _positive(float(iv_source), "iv_source"), dtype=np.float64)
    src = check_choice(iv_source, "iv_source", ("vix", "realized"))
    window = 21
    if close.size > window + 1:
        proxy = vrp * np.asarray(realized_vol(close, window=window), dtype=np.float64)
        first = np.flatnonzero(np.isfinite(proxy))
        proxy[: first[0]] = proxy[first[0]]
    else:
        proxy = np.full(close.size, 0.2, dtype=np.float64)
    if src == "vix" and "vix" in frame.columns:
        vix = frame["vix"].cast(pl.Float64).fill_nan(None).to_numpy() / 100.0
        out: Float64Array = np.where(np.isfinite(vix) & (vix > 0.0), vix, proxy)
        return out
    return proxy


def _fridays(first: int, last: int, kind: str) -> npt.NDArray[np.int64]:
    """Friday day numbers (days since 1970-01-01) in [first, last] of the given kind."""
    days = np.arange(first, last + 1, dtype=np.int64)
    fri: npt.NDArray[np.int64] = days[(days + 3) % 7 == 4]  # 1970-01-01 was a Thursday
    dom = fri.astype("datetime64[D]").astype(object)
    third = np.fromiter((15 <= d.day <= 21 for d in dom), dtype=np.bool_, count=fri.size)
    if kind == "monthly":
        third_only: npt.NDArray[np.int64] = fri[third]
        return third_only
    if kind == "weekly":
        others: npt.NDArray[np.int64] = fri[~third]
        return others
    return fri


def generate_chains(
    underlying: Any = None,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    seed: int | np.random.SeedSequence = 0,
    expiries: Literal["monthly+weekly", "monthly", "weekly"] = "monthly+weekly",
    max_dte: int = 60,
    strike_step: float | None = None,
    n_sd: float = 3.0,
    max_moneyness: float = 0.25,
    iv_source: Literal["vix", "realized"] | float = "vix",
    vrp: float = 1.2,
    long_run_vol: float = 0.2,
    kappa: float = 4.0,
    min_vol: float = 0.08,
    skew: float = -0.1,
    curv: float = 0.02,
    rate: float = 0.0,
    div: float = 0.0,
    tick: float = 0.05,
    spread_pct: float = 0.03,
    wing: float = 0.25,
    vol_ref: float = 0.2,
    noise: float = 0.25,
) -> pl.DataFrame:
    """Generate end-of-day option chains from a daily underlying series.

    The model (term structure, skew, spreads, contracts) is described in the
    module docstring of :mod:`fastopt.data.synthetic` and in ``docs/data.md``.

    Parameters
    ----------
    underlying : polars or pandas DataFrame, optional
        Daily ``date`` and ``close`` columns (and optionally ``vix`` in vol
        points). Default: the bundled S&P 500 / VIX sample, 1999-2018.
    start, end : date, datetime or ISO string, optional
        Quote dates to generate (inclusive). The whole series still feeds the
        realised-volatility proxy, so a late ``start`` has no warm-up gap.
    seed : int or numpy.random.SeedSequence, default 0
        Seed of the spread noise; the same seed gives an identical frame.
    expiries : {"monthly+weekly", "monthly", "weekly"}
        Third Fridays, the other Fridays, or both.
    max_dte : int, default 60
        Longest calendar days to expiry quoted (expiry-day quotes, dte 0, included).
    strike_step : float, optional
        Strike grid spacing (default from the median close, see above).
    n_sd, max_moneyness : float
        Strike range: ``n_sd`` standard deviations, at most ``max_moneyness``
        (a fraction of spot) either side.
    iv_source : {"vix", "realized"} or float
        ATM 30-day volatility source (a float: constant volatility).
    vrp : float, default 1.2
        Implied / realised volatility ratio of the proxy.
    long_run_vol, kappa : float
        Long-run ATM volatility and its mean-reversion speed (term structure).
    min_vol : float, default 0.08
        Floor of every volatility.
    skew, curv : float
        Smile slope and curvature in standardised moneyness.
    rate, div : float
        Risk-free rate and dividend yield (continuous, annual).
    tick : float, default 0.05
        Quote increment.
    spread_pct, wing, vol_ref, noise : float
        Spread: fraction of the price, widening per unit ``|z|``, the vol above
        which spreads widen proportionally, lognormal noise.

    Returns
    -------
    polars.DataFrame
        The chain schema: ``date``, ``expiry`` (Date), ``strike`` (Float64),
        ``kind`` (``"call"``/``"put"``), ``bid``, ``ask``, ``underlying``,
        ``iv`` (model volatility), ``delta`` (Float64), sorted by ``(date,
        expiry, strike, kind)``, unique on that key.

    Raises
    ------
    TypeError, ValueError
        An argument of the wrong type or out of range (named); an underlying
        without ``date``/``close``, with duplicate dates or non-positive closes.

    Examples
    --------
    >>> from fastopt.data import generate_chains, validate_chain
    >>> chain = generate_chains(start="2018-01-02", end="2018-01-05", max_dte=21)
    >>> chain.height, chain["expiry"].n_unique()
    (1034, 4)
    >>> validate_chain(chain)[1].n_dropped
    0
    >>> chain.row(0, named=True)["kind"], chain["strike"].unique().sort().diff().min()
    ('call', 5.0)
    """
    frame = _underlying_frame(underlying)
    missing = [c for c in ("date", "close") if c not in frame.columns]
    if missing:
        msg = f"`underlying` needs columns {missing}; got {frame.columns}"
        raise ValueError(msg)
    check_choice(expiries, "expiries", _EXPIRIES)
    max_dte = check_int(max_dte, "max_dte", 0)
    floats = {
        "n_sd": n_sd,
        "max_moneyness": max_moneyness,
        "vrp": vrp,
        "long_run_vol": long_run_vol,
        "kappa": kappa,
        "min_vol": min_vol,
        "tick": tick,
        "vol_ref": vol_ref,
    }
    for name, value in floats.items():
        _positive(value, name)
    for name, value in {"spread_pct": spread_pct, "wing": wing, "noise": noise}.items():
        _positive(value, name, allow_zero=True)
    for name, value in {"skew": skew, "curv": curv, "rate": rate, "div": div}.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            msg = f"`{name}` must be a real number, got {value!r}"
            raise TypeError(msg)
    if max_moneyness >= 1.0:
        msg = f"`max_moneyness` must be < 1 (a fraction of spot), got {max_moneyness!r}"
        raise ValueError(msg)
    key = stream_key(seed)

    frame = frame.sort("date")
    if isinstance(frame.schema["date"], pl.Datetime):
        frame = frame.with_columns(pl.col("date").dt.date())
    elif frame.schema["date"] == pl.String:
        frame = frame.with_columns(pl.col("date").str.to_date())
    if frame.schema["date"] != pl.Date:
        msg = f"`underlying` column `date` must be Date, got {frame.schema['date']}"
        raise ValueError(msg)
    if frame["date"].is_duplicated().any():
        msg = "`underlying` has duplicate dates: pass one close per day"
        raise ValueError(msg)
    close = frame["close"].cast(pl.Float64).fill_null(np.nan).to_numpy().copy()
    if not (np.isfinite(close).all() and (close > 0.0).all()):
        bad = int(np.flatnonzero(~(np.isfinite(close) & (close > 0.0)))[0])
        msg = f"`underlying` close must be finite and > 0, got {close[bad]!r} at row {bad}"
        raise ValueError(msg)
    all_days = frame["date"].cast(pl.Int32).to_numpy().astype(np.int64)
    atm30 = np.maximum(_atm30(frame, close, iv_source, vrp), min_vol)

    keep = np.ones(all_days.size, dtype=np.bool_)
    if start is not None:
        keep &= all_days >= (as_date(start, "start") - _EPOCH).days
    if end is not None:
        keep &= all_days <= (as_date(end, "end") - _EPOCH).days
    day = np.ascontiguousarray(all_days[keep])
    spot = np.ascontiguousarray(close[keep])
    a30 = np.ascontiguousarray(atm30[keep])
    if day.size == 0:
        msg = f"no underlying dates between start={start!r} and end={end!r}"
        raise ValueError(msg)
    step = _nice_step(float(np.median(spot))) if strike_step is None else strike_step
    step = _positive(step, "strike_step")

    fri = _fridays(int(day[0]), int(day[-1]) + max_dte, expiries)
    inside = fri <= all_days[-1]
    idx = np.searchsorted(all_days, fri[inside], side="right") - 1
    shifted = fri.copy()
    shifted[inside] = np.where(idx >= 0, all_days[np.maximum(idx, 0)], fri[inside])
    exp_day = np.unique(shifted)
    exp_lo = np.searchsorted(exp_day, day, side="left").astype(np.int64)
    exp_hi = np.searchsorted(exp_day, day + max_dte, side="right").astype(np.int64)

    args = (day, spot, a30, exp_day, exp_lo, exp_hi)
    counts = _kc.count_rows_nb(*args, step, n_sd, max_moneyness, long_run_vol, kappa, min_vol)
    offsets = np.zeros(day.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=offsets[1:])
    n = int(counts.sum())
    spread_params = [tick, spread_pct, wing, vol_ref, noise]
    params = np.array(
        [
            step,
            n_sd,
            max_moneyness,
            long_run_vol,
            kappa,
            min_vol,
            rate,
            div,
            skew,
            curv,
            *spread_params,
        ],
        dtype=np.float64,
    )
    o_day = np.empty(n, dtype=np.int32)
    o_exp = np.empty(n, dtype=np.int32)
    o_call = np.empty(n, dtype=np.bool_)
    o_f = [np.empty(n, dtype=np.float64) for _ in range(5)]
    fill = _kc.fill_chain_par_nb if n > PARALLEL_ROWS else _kc.fill_chain_nb
    fill(*args, offsets, params, key, o_day, o_exp, o_f[0], o_call, *o_f[1:])
    strike, bid, ask, iv, delta = o_f
    is_call = pl.Series("is_call", o_call)
    return pl.DataFrame(
        [
            pl.Series("date", o_day).cast(pl.Date),
            pl.Series("expiry", o_exp).cast(pl.Date),
            pl.Series("strike", strike),
            pl.select(pl.when(pl.lit(is_call)).then(pl.lit("call")).otherwise(pl.lit("put")))
            .to_series()
            .alias("kind"),
            pl.Series("bid", bid),
            pl.Series("ask", ask),
            pl.Series("underlying", np.repeat(spot, counts)),
            pl.Series("iv", iv),
            pl.Series("delta", delta),
        ]
    )


def resample_underlying(
    frame: pl.DataFrame, every: str = "1w", *, time_column: str = "date"
) -> pl.DataFrame:
    """Resample a price series to OHLC bars of another timeframe (Polars ``group_by_dynamic``).

    Parameters
    ----------
    frame : polars.DataFrame
        A ``time_column`` (Date or Datetime) and either ``open, high, low,
        close`` or only ``close`` (each close is then a tick); an optional
        ``volume`` is summed. Unsorted input is sorted.
    every : str, default "1w"
        Polars duration string: ``"1h"``, ``"1d"``, ``"1w"``, ``"1mo"``...
        Weekly bars start on Monday; bars are labelled by their start.
    time_column : str, default "date"
        Name of the time column.

    Returns
    -------
    polars.DataFrame
        ``time_column, open, high, low, close`` (``volume``): open is the first
        open, high the maximum high, low the minimum low, close the last close
        of each bar. Empty bars are absent.

    Examples
    --------
    >>> from fastopt.data import load_sp500_vix, resample_underlying
    >>> weekly = resample_underlying(load_sp500_vix().head(10), "1w")
    >>> weekly.columns, weekly.height
    (['date', 'open', 'high', 'low', 'close', 'volume'], 2)
    """
    if not isinstance(frame, pl.DataFrame):
        msg = f"`frame` must be a polars.DataFrame, got {type(frame).__name__}"
        raise TypeError(msg)
    if time_column not in frame.columns:
        msg = f"`frame` has no time column {time_column!r}; got {frame.columns}"
        raise ValueError(msg)
    tdtype = frame.schema[time_column]
    if not (tdtype == pl.Date or isinstance(tdtype, pl.Datetime)):
        msg = f"`{time_column}` must be Date or Datetime, got {tdtype}"
        raise ValueError(msg)
    if "close" not in frame.columns:
        msg = f"`frame` needs a `close` column; got {frame.columns}"
        raise ValueError(msg)
    has_ohlc = all(c in frame.columns for c in ("open", "high", "low"))
    o, h, lo = ("open", "high", "low") if has_ohlc else ("close", "close", "close")
    aggs = [
        pl.col(o).first().alias("open"),
        pl.col(h).max().alias("high"),
        pl.col(lo).min().alias("low"),
        pl.col("close").last().alias("close"),
    ]
    if "volume" in frame.columns:
        aggs.append(pl.col("volume").sum())
    start_by: Literal["monday", "window"] = "monday" if every.rstrip().endswith("w") else "window"
    return (
        frame.sort(time_column)
        .group_by_dynamic(time_column, every=every, closed="left", label="left", start_by=start_by)
        .agg(aggs)
    )
