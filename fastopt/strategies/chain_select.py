"""Build strategies from an option chain: pick strikes by delta or by distance, price legs
from the quotes.

The chain is a Polars ``DataFrame`` of one quote date for one underlying with
the columns of the chain schema: ``date, expiry, strike, kind`` (``"call"`` /
``"put"``), ``bid, ask, underlying`` (the underlying's price) and optionally
``iv`` and ``delta``. A pandas frame or a Polars ``LazyFrame`` is accepted and
converted. Rows with a missing bid or ask are ignored.

Where the chain has no ``iv`` (or a null one), the implied volatility is
solved from the mid price with :func:`fastopt.implied_vol`; where it has no
``delta``, the delta comes from :func:`fastopt.bs_greeks` at that IV. Time to
expiry counts from the quote date on ``year_basis`` (calendar days / 365 by
default). Quotes with no implied volatility (a mid below intrinsic, the
expiry day itself) get NaN and are never picked by delta.

Fills: ``fill="mid"`` prices every leg at ``(bid + ask) / 2``;
``fill="natural"`` buys at the ask and sells at the bid (the conservative
price you get by crossing the spread).

Examples
--------
A synthetic chain (prices from Black-Scholes, a 0.10 wide market):

>>> import datetime as dt
>>> import numpy as np
>>> import polars as pl
>>> from fastopt import bs_price
>>> from fastopt.strategies.chain_select import iron_condor_from_chain, pick_by_delta
>>> strikes = np.arange(70.0, 131.0, 5.0)
>>> t = 45 / 365
>>> rows = [(k, kind, bs_price(100.0, k, t, 0.25, kind=kind))
...         for kind in ("call", "put") for k in strikes]
>>> chain = pl.DataFrame({
...     "date": [dt.date(2025, 1, 6)] * len(rows),
...     "expiry": [dt.date(2025, 2, 20)] * len(rows),
...     "strike": [r[0] for r in rows], "kind": [r[1] for r in rows],
...     "bid": [max(r[2] - 0.05, 0.0) for r in rows], "ask": [r[2] + 0.05 for r in rows],
...     "underlying": [100.0] * len(rows)})
>>> q = pick_by_delta(chain, "2025-02-20", "put", 0.16)
>>> q.strike, round(q.delta, 3)   # the nearest on a 5-wide chain
(90.0, -0.107)
>>> ic = iron_condor_from_chain(chain, dte=45, short_delta=0.16, width=5.0)
>>> [(leg.quantity, leg.kind, leg.strike) for leg in ic.legs]
[(1, 'put', 85.0), (-1, 'put', 90.0), (-1, 'call', 110.0), (1, 'call', 115.0)]
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from fastopt._validate import as_date
from fastopt.exceptions import ImpliedVolWarning
from fastopt.iv import implied_vol
from fastopt.kernels import select as _ks
from fastopt.kernels.enums import Select
from fastopt.pricing import bs_greeks
from fastopt.strategies import builders
from fastopt.strategies.strategy import YEAR_BASES, Strategy, year_fraction

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = [
    "REQUIRED_COLUMNS",
    "ChainQuote",
    "enrich_chain",
    "iron_condor_from_chain",
    "pick_by_delta",
    "pick_by_distance",
    "select_expiry",
    "straddle_from_chain",
    "strangle_from_chain",
    "vertical_from_chain",
]

REQUIRED_COLUMNS: tuple[str, ...] = (
    "date",
    "expiry",
    "strike",
    "kind",
    "bid",
    "ask",
    "underlying",
)  # the keys of fastopt.data.REQUIRED_COLUMNS (not imported here: polars loads on first use)
"""Columns a chain must have (``iv`` and ``delta`` are optional): those of
:data:`fastopt.data.REQUIRED_COLUMNS`."""

Fill: TypeAlias = Literal["mid", "natural"]
OptionKind: TypeAlias = Literal["call", "put"]
DateLike: TypeAlias = dt.date | str

_STRIKE_MATCH = 1e-9
"""Relative tolerance for "this strike is on the chain"."""


@dataclass(frozen=True, slots=True)
class ChainQuote:
    """One quote picked from a chain.

    Attributes
    ----------
    expiry : datetime.date
    kind : {"call", "put"}
    strike, bid, ask, mid : float
        Strike and quotes per share; ``mid = (bid + ask) / 2``.
    iv : float
        Implied volatility (from the chain, else solved from ``mid``; NaN if none).
    delta : float
        Delta per share (from the chain, else Black-Scholes at ``iv``; puts negative).
    underlying : float
        The underlying's price on the quote row.
    """

    expiry: dt.date
    kind: OptionKind
    strike: float
    bid: float
    ask: float
    mid: float
    iv: float
    delta: float
    underlying: float

    def price(self, side: Literal["buy", "sell"], fill: Fill = "mid") -> float:
        """Per-share fill price: the mid, or for ``fill="natural"`` the ask (buy) / bid (sell)."""
        if fill == "mid":
            return self.mid
        return self.ask if side == "buy" else self.bid


# --------------------------------------------------------------------------- preparation
def _normalise(chain: object, where: str) -> pl.DataFrame:
    """Chain with typed columns ``date, expiry, kind, strike, bid, ask, underlying[, iv, delta],
    mid``: validated by :func:`fastopt.data.validate_chain` (the one chain schema), one quote
    date checked, rows without a bid or ask dropped."""
    from fastopt.data import to_polars, validate_chain  # polars and the loaders on first use

    df = to_polars(chain, name="chain")
    if df.height == 0:
        msg = f"{where}: `chain` is empty"
        raise ValueError(msg)
    # a NaN quote is no quote here, as a null is: such rows are ignored below
    nan_quotes = [c for c in ("bid", "ask") if c in df.columns and df.schema[c].is_float()]
    if nan_quotes:
        df = df.with_columns(pl.col(c).fill_nan(None) for c in nan_quotes)
    try:
        frame, _ = validate_chain(df)
    except ValueError as exc:
        msg = f"{where}: {exc}"
        raise ValueError(msg) from None
    if frame.schema["date"] != pl.Date:  # intraday quotes: the day they were taken on
        frame = frame.with_columns(pl.col("date").dt.date())
    days = frame["date"].unique().sort()
    if days.len() > 1:
        shown = ", ".join(d.isoformat() for d in days.head(5).to_list())
        more = ", ..." if days.len() > 5 else ""
        msg = (
            f"{where}: `chain` has {days.len()} quote dates ({shown}{more}); "
            "pass the rows of one date, e.g. chain.filter(pl.col('date') == day)"
        )
        raise ValueError(msg)
    keep = ["date", "expiry", "kind", "strike", "bid", "ask", "underlying"]
    keep += [c for c in ("iv", "delta") if c in frame.columns]
    out = frame.select(keep).filter(pl.col("bid").is_not_null() & pl.col("ask").is_not_null())
    if out.height == 0:
        msg = f"{where}: `chain` has no row with both a bid and an ask"
        raise ValueError(msg)
    return out.with_columns(((pl.col("bid") + pl.col("ask")) / 2.0).alias("mid"))


def _check_market(where: str, rate: float, div: float, year_basis: int) -> None:
    for name, value in (("rate", rate), ("div", div)):
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
        ):
            msg = f"{where}: `{name}` must be a finite number, got {value!r}"
            raise ValueError(msg)
    if year_basis not in YEAR_BASES:
        msg = f"{where}: `year_basis` must be 365 or 252, got {year_basis!r}"
        raise ValueError(msg)


def _add_iv_delta(frame: pl.DataFrame, rate: float, div: float, year_basis: int) -> pl.DataFrame:
    """Add ``t`` and fill ``iv``/``delta`` (solving where the chain has none)."""
    day = frame["date"][0]
    expiries = frame["expiry"].to_list()
    t_of = {e: year_fraction(day, e, year_basis) if e >= day else -1.0 for e in set(expiries)}
    t = np.array([t_of[e] for e in expiries], dtype=np.float64)
    n = frame.height
    spot = frame["underlying"].to_numpy()
    strike = frame["strike"].to_numpy()
    kind = frame["kind"].to_numpy().astype(str)
    iv = np.full(n, np.nan)
    if "iv" in frame.columns:
        iv = frame["iv"].fill_null(np.nan).to_numpy().astype(np.float64, copy=True)
        iv[~(iv > 0.0)] = np.nan
    live = t > 0.0
    need = np.flatnonzero(np.isnan(iv) & live)
    if need.size:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ImpliedVolWarning)
            solved = implied_vol(
                frame["mid"].to_numpy()[need],
                spot[need],
                strike[need],
                t[need],
                rate,
                div,
                kind[need],
            )
        iv[need] = np.asarray(solved, dtype=np.float64)
        iv[need[~(iv[need] > 0.0)]] = np.nan  # a mid at intrinsic gives 0: no usable vol
    delta = np.full(n, np.nan)
    if "delta" in frame.columns:
        delta = frame["delta"].fill_null(np.nan).to_numpy().astype(np.float64, copy=True)
    todo = np.flatnonzero(np.isnan(delta) & np.isfinite(iv) & live)
    if todo.size:
        g = bs_greeks(spot[todo], strike[todo], t[todo], iv[todo], rate, div, kind[todo])
        delta[todo] = np.asarray(g.delta, dtype=np.float64)
    return frame.with_columns(pl.Series("t", t), pl.Series("iv", iv), pl.Series("delta", delta))


def enrich_chain(
    chain: object, *, rate: float = 0.0, div: float = 0.0, year_basis: int = 365
) -> pl.DataFrame:
    """The chain, validated, with ``mid``, ``t`` (years), ``iv`` and ``delta`` filled in.

    Parameters
    ----------
    chain : polars.DataFrame
        One quote date (see :mod:`fastopt.strategies.chain_select`).
    rate, div : float
        Continuously compounded rate and dividend yield for the IV and delta solves.
    year_basis : {365, 252}
        Calendar days / 365 or business days / 252 from the quote date to expiry.

    Returns
    -------
    polars.DataFrame
        Columns ``date, expiry, kind, strike, bid, ask, underlying, mid, t, iv,
        delta``; ``iv``/``delta`` from the chain where present, else solved
        (NaN where there is no implied vol). Rows without a bid or ask are dropped.
    """
    where = "enrich_chain"
    _check_market(where, rate, div, year_basis)
    return _add_iv_delta(_normalise(chain, where), rate, div, year_basis)


# --------------------------------------------------------------------------- selection
def _select_expiry(
    frame: pl.DataFrame, where: str, expiry: object, dte: object
) -> tuple[dt.date, pl.DataFrame]:
    available = sorted(set(frame["expiry"].to_list()))
    if expiry is not None and dte is not None:
        msg = f"{where}: pass `expiry` or `dte`, not both"
        raise ValueError(msg)
    if expiry is None and dte is None:
        shown = ", ".join(d.isoformat() for d in available[:8])
        msg = f"{where}: pass `expiry=` (one of {shown}) or `dte=` (days to expiry)"
        raise ValueError(msg)
    if expiry is not None:
        try:
            chosen = as_date(expiry, "expiry")
        except (ValueError, TypeError) as exc:
            msg = f"{where}: {exc}"
            raise ValueError(msg) from None
        if chosen not in available:
            shown = ", ".join(d.isoformat() for d in available[:12])
            msg = f"{where}: `expiry` {chosen} is not on the chain; expiries: {shown}"
            raise ValueError(msg)
    else:
        if isinstance(dte, bool) or not isinstance(dte, numbers.Real) or not math.isfinite(dte):
            msg = f"{where}: `dte` must be a number of days, got {dte!r}"
            raise ValueError(msg)
        if dte < 0:
            msg = f"{where}: `dte` must be >= 0, got {dte!r}"
            raise ValueError(msg)
        day: dt.date = frame["date"][0]
        # nearest in calendar days; on a tie the earlier expiry
        chosen = min(available, key=lambda e: (abs((e - day).days - dte), e))
    return chosen, frame.filter(pl.col("expiry") == chosen)


def select_expiry(
    chain: object, *, expiry: DateLike | None = None, dte: float | None = None
) -> dt.date:
    """The chain's expiry: ``expiry`` itself (checked to be on the chain), or the one whose
    calendar days from the quote date are nearest ``dte`` (the earlier one on a tie).

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from fastopt.strategies.chain_select import select_expiry
    >>> chain = pl.DataFrame({"date": [dt.date(2025, 1, 6)] * 3,
    ...     "expiry": [dt.date(2025, 1, 17), dt.date(2025, 2, 21), dt.date(2025, 3, 21)],
    ...     "strike": [100.0] * 3, "kind": ["call"] * 3, "bid": [1.0] * 3,
    ...     "ask": [1.1] * 3, "underlying": [100.0] * 3})
    >>> select_expiry(chain, dte=45)   # 46 days away
    datetime.date(2025, 2, 21)
    """
    frame = _normalise(chain, "select_expiry")
    return _select_expiry(frame, "select_expiry", expiry, dte)[0]


def _kind_arg(where: str, kind: object) -> OptionKind:
    k = {"c": "call", "p": "put"}.get(str(kind).lower(), str(kind).lower())
    if not isinstance(kind, str) or k not in ("call", "put"):
        msg = f"{where}: `kind` must be 'call' or 'put', got {kind!r}"
        raise ValueError(msg)
    return "call" if k == "call" else "put"


def _quote(frame: pl.DataFrame, i: int) -> ChainQuote:
    row = frame.row(i, named=True)
    return ChainQuote(
        expiry=row["expiry"],
        kind=row["kind"],
        strike=float(row["strike"]),
        bid=float(row["bid"]),
        ask=float(row["ask"]),
        mid=float(row["mid"]),
        iv=float(row["iv"]),
        delta=float(row["delta"]),
        underlying=float(row["underlying"]),
    )


def _of_kind(frame: pl.DataFrame, where: str, kind: OptionKind, expiry: dt.date) -> pl.DataFrame:
    rows = frame.filter(pl.col("kind") == kind).sort("strike")
    if rows.height == 0:
        msg = f"{where}: no {kind} quotes for expiry {expiry}"
        raise ValueError(msg)
    return rows


def _select(rows: pl.DataFrame, mode: int, kind: OptionKind, target: float,
            ref_strike: float = 0.0) -> tuple[int, float]:  # fmt: skip
    """:func:`fastopt.kernels.select.select_leg` over the quotes of one kind and expiry
    (sorted by strike): the picked row (-1: none) and its distance from the target."""
    n = rows.height
    code = 0 if kind == "call" else 1
    r, err = _ks.select_leg(
        mode, code, float(target), float(ref_strike), 0.0, 0, n,
        np.full(n, code, dtype=np.int64),
        np.array(rows["strike"].to_numpy(), dtype=np.float64),  # writable copies: the
        np.array(rows["bid"].to_numpy(), dtype=np.float64),  # backtest's signature
        np.array(rows["ask"].to_numpy(), dtype=np.float64),
        np.array(rows["delta"].to_numpy(), dtype=np.float64),
    )  # fmt: skip
    return int(r), float(err)


def _by_delta(
    frame: pl.DataFrame,
    where: str,
    kind: OptionKind,
    expiry: dt.date,
    target: float,
    tolerance: float | None,
) -> ChainQuote:
    rows = _of_kind(frame, where, kind, expiry)
    i, best = _select(rows, Select.DELTA, kind, abs(target))
    if i < 0:
        msg = f"{where}: no {kind} quote for expiry {expiry} has a delta (no implied vol)"
        raise ValueError(msg)
    if tolerance is not None and best > tolerance:
        q = _quote(rows, i)
        msg = (
            f"{where}: no {kind} strike for expiry {expiry} within delta tolerance "
            f"{tolerance:g} of {abs(target):g}; the nearest is strike {q.strike:g} with "
            f"delta {q.delta:.4f}"
        )
        raise ValueError(msg)
    return _quote(rows, i)


def _by_strike(
    frame: pl.DataFrame,
    where: str,
    kind: OptionKind,
    expiry: dt.date,
    target: float,
    tolerance: float | None,
    what: str,
) -> ChainQuote:
    rows = _of_kind(frame, where, kind, expiry)
    strikes = rows["strike"].to_numpy()
    gap = np.abs(strikes - target)
    best = float(gap.min())
    tied = np.flatnonzero(gap <= best + _STRIKE_MATCH * target)
    # ties: the strike further out of the money
    i = int(tied[-1] if kind == "call" else tied[0])
    if tolerance is not None and best > tolerance:
        near = ", ".join(f"{k:g}" for k in strikes[np.argsort(gap)[:3]])
        msg = (
            f"{where}: {what}: no {kind} strike within {tolerance:g} of {target:g} for "
            f"expiry {expiry} (nearest: {near})"
        )
        raise ValueError(msg)
    return _quote(rows, i)


def _wing(
    frame: pl.DataFrame, where: str, kind: OptionKind, expiry: dt.date, ref: float, width: float
) -> ChainQuote:
    """The wing ``width`` further out of the money than strike ``ref``: the quoted strike
    nearest ``ref +- width`` strictly beyond ``ref`` (the wider on a tie), as the backtest
    picks it (:func:`fastopt.kernels.select.select_leg`)."""
    rows = _of_kind(frame, where, kind, expiry)
    i, _ = _select(rows, Select.WING_OUT, kind, width, ref)
    if i < 0:
        side = "above" if kind == "call" else "below"
        msg = (
            f"{where}: width {width:g} is not available on the chain: no {kind} strike "
            f"{side} {ref:g} for expiry {expiry}"
        )
        raise ValueError(msg)
    return _quote(rows, i)


def _check_delta(where: str, name: str, value: object, kind: OptionKind | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        msg = f"{where}: `{name}` must be a number, got {value!r}"
        raise ValueError(msg)
    x = float(value)
    if not 0.0 < abs(x) < 1.0:
        msg = f"{where}: `{name}` must be between 0 and 1 in absolute value, got {x:g}"
        raise ValueError(msg)
    if kind == "call" and x < 0.0:
        msg = f"{where}: `{name}` for a call must be > 0, got {x:g}"
        raise ValueError(msg)
    return x


def _check_tolerance(where: str, name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value) >= 0.0:
        msg = f"{where}: `{name}` must be None or a number >= 0, got {value!r}"
        raise ValueError(msg)
    return float(value)


def pick_by_delta(
    chain: object,
    expiry: DateLike,
    kind: OptionKind,
    target_delta: float,
    *,
    tolerance: float | None = 0.10,
    rate: float = 0.0,
    div: float = 0.0,
    year_basis: int = 365,
) -> ChainQuote:
    """The quote of ``kind`` at ``expiry`` whose delta is nearest ``target_delta``.

    Deltas are compared in absolute value, so ``0.16`` and ``-0.16`` both pick
    the 16-delta put; on a tie (two quotes exactly as far from the target) the
    one further out of the money wins -- the higher call strike, the lower put
    strike: the rule of :mod:`fastopt.kernels.select`, which the backtest uses
    too. Quotes without a delta (no implied vol) are skipped.

    Parameters
    ----------
    chain : polars.DataFrame
        One quote date (see :mod:`fastopt.strategies.chain_select`).
    expiry : date or str
        An expiry on the chain.
    kind : {"call", "put"}
    target_delta : float
        ``0 < |target_delta| < 1`` (> 0 for calls).
    tolerance : float or None, default 0.10
        Largest accepted ``| |delta| - |target_delta| |``; None accepts the nearest.
    rate, div, year_basis
        Market inputs for solving IV and delta where the chain has none.

    Returns
    -------
    ChainQuote

    Raises
    ------
    ValueError
        Bad chain (empty, several dates, missing columns), an expiry not on
        the chain, no quote of ``kind``, or no delta within ``tolerance``.
    """
    where = "pick_by_delta"
    _check_market(where, rate, div, year_basis)
    k = _kind_arg(where, kind)
    target = _check_delta(where, "target_delta", target_delta, k)
    tol = _check_tolerance(where, "tolerance", tolerance)
    frame = _normalise(chain, where)
    chosen, rows = _select_expiry(frame, where, expiry, None)
    rows = _add_iv_delta(rows, rate, div, year_basis)
    return _by_delta(rows, where, k, chosen, target, tol)


def _distance_target(kind: OptionKind, spot: float, distance: float, *, relative: bool) -> float:
    step = spot * distance if relative else distance
    return spot + step if kind == "call" else spot - step


def pick_by_distance(
    chain: object,
    expiry: DateLike,
    kind: OptionKind,
    distance: float,
    *,
    relative: bool = False,
    tolerance: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    year_basis: int = 365,
) -> ChainQuote:
    """The quote of ``kind`` at ``expiry`` whose strike is nearest ``distance`` out of the money.

    The target strike is ``underlying + distance`` for a call and
    ``underlying - distance`` for a put (a negative distance goes in the
    money); with ``relative=True`` the distance is a fraction of the
    underlying (``0.05`` = 5 %). On a tie the strike further out of the money wins.

    Parameters
    ----------
    chain : polars.DataFrame
        One quote date (see :mod:`fastopt.strategies.chain_select`).
    expiry : date or str
        An expiry on the chain.
    kind : {"call", "put"}
    distance : float
        Out-of-the-money distance from the underlying, in price units or (``relative``) a fraction.
    relative : bool, default False
    tolerance : float or None
        Largest accepted gap between the strike and its target, in the units
        of ``distance`` (price units, or a fraction of the underlying); None
        accepts the nearest.
    rate, div, year_basis
        Market inputs for solving IV and delta where the chain has none.

    Returns
    -------
    ChainQuote
    """
    where = "pick_by_distance"
    _check_market(where, rate, div, year_basis)
    k = _kind_arg(where, kind)
    if (
        isinstance(distance, bool)
        or not isinstance(distance, numbers.Real)
        or not math.isfinite(distance)
    ):
        msg = f"{where}: `distance` must be a finite number, got {distance!r}"
        raise ValueError(msg)
    tol = _check_tolerance(where, "tolerance", tolerance)
    frame = _normalise(chain, where)
    chosen, rows = _select_expiry(frame, where, expiry, None)
    rows = _add_iv_delta(rows, rate, div, year_basis)
    spot = float(np.median(rows["underlying"].to_numpy()))
    target = _distance_target(k, spot, float(distance), relative=relative)
    if target <= 0.0:
        msg = f"{where}: `distance` {distance!r} puts the target strike at {target:g} (<= 0)"
        raise ValueError(msg)
    strike_tol = None if tol is None else (tol * spot if relative else tol)
    return _by_strike(rows, where, k, chosen, target, strike_tol, f"distance {distance:g}")


# --------------------------------------------------------------------------- strategies
@dataclass(frozen=True, slots=True)
class _Market:
    frame: pl.DataFrame
    expiry: dt.date
    spot: float
    day: dt.date


def _market(
    where: str,
    chain: object,
    expiry: object,
    dte: object,
    fill: object,
    rate: float,
    div: float,
    year_basis: int,
) -> _Market:
    _check_market(where, rate, div, year_basis)
    if fill not in ("mid", "natural"):
        msg = f"{where}: `fill` must be 'mid' or 'natural', got {fill!r}"
        raise ValueError(msg)
    frame = _normalise(chain, where)
    chosen, rows = _select_expiry(frame, where, expiry, dte)
    rows = _add_iv_delta(rows, rate, div, year_basis)
    spot = float(np.median(rows["underlying"].to_numpy()))
    return _Market(rows, chosen, spot, frame["date"][0])


def _positive_width(where: str, width: object) -> float:
    if isinstance(width, bool) or not isinstance(width, numbers.Real) or not math.isfinite(width):
        msg = f"{where}: `width` must be a number, got {width!r}"
        raise ValueError(msg)
    if width <= 0.0:
        msg = f"{where}: `width` must be > 0, got {width!r}"
        raise ValueError(msg)
    return float(width)


def _side(where: str, side: object, allowed: tuple[str, str]) -> str:
    if side not in allowed:
        msg = f"{where}: `side` must be {allowed[0]!r} or {allowed[1]!r}, got {side!r}"
        raise ValueError(msg)
    return str(side)


def _finish(
    where: str,
    builder: Any,
    strikes: Sequence[float],
    quotes: Sequence[ChainQuote],
    signs: Sequence[int],
    m: _Market,
    fill: Fill,
    vol: float | None,
    rate: float,
    div: float,
    asof: DateLike | None,
    year_basis: int,
    quantity: int,
    multiplier: float,
) -> Strategy:
    """Call ``builder`` with the picked strikes and fills, then give each leg its chain IV."""
    premiums = [
        q.price("buy" if sign > 0 else "sell", fill) for q, sign in zip(quotes, signs, strict=True)
    ]
    strategy: Strategy = builder(
        m.spot,
        *strikes,
        m.expiry,
        quantity=quantity,
        premiums=premiums,
        vol=vol,
        rate=rate,
        div=div,
        asof=m.day if asof is None else asof,
        year_basis=year_basis,
        multiplier=multiplier,
    )
    legs = tuple(
        replace(leg, iv=q.iv) if math.isfinite(q.iv) and q.iv > 0.0 else leg
        for leg, q in zip(strategy.legs, quotes, strict=True)
    )
    try:
        return replace(strategy, legs=legs)
    except ValueError as exc:  # pragma: no cover - a leg with neither premium nor vol
        msg = f"{where}: {exc}"
        raise ValueError(msg) from exc


def iron_condor_from_chain(
    chain: object,
    *,
    expiry: DateLike | None = None,
    dte: float | None = None,
    short_delta: float = 0.16,
    width: float = 5.0,
    fill: Fill = "mid",
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    quantity: int = 1,
    multiplier: float = 100.0,
    delta_tolerance: float | None = 0.10,
) -> Strategy:
    """An iron condor from the chain: short put and call nearest ``short_delta``, long wings
    ``width`` further out, premiums from the quotes.

    Parameters
    ----------
    chain : polars.DataFrame
        One quote date (see :mod:`fastopt.strategies.chain_select`).
    expiry : date or str, optional
        The expiry to trade; or
    dte : float, optional
        days to expiry: the expiry nearest that many calendar days from the quote date.
    short_delta : float, default 0.16
        Target |delta| of the short put and the short call.
    width : float, default 5.0
        Distance from each short strike to its long wing: each wing is the
        quoted strike nearest ``short -+ width`` beyond the short strike (the
        wider on a tie), as the backtest picks it.
    fill : {"mid", "natural"}, default "mid"
        Mid prices, or natural (buy at the ask, sell at the bid).
    vol : float, optional
        The strategy's ``vol`` (the distribution of probabilities); legs carry
        their chain IV either way. Default: the IV of the leg nearest the money.
    rate, div, year_basis
        Market inputs (also for solving IV and delta where the chain has none).
    asof : date or str, optional
        Valuation date of the strategy; default the chain's quote date.
    quantity, multiplier
        As for :func:`fastopt.strategies.builders.iron_condor`.
    delta_tolerance : float or None, default 0.10
        Largest accepted gap between a short leg's |delta| and ``short_delta``.

    Returns
    -------
    Strategy
        An ``iron_condor``: ``+1 P (sp - width)``, ``-1 P sp``, ``-1 C sc``, ``+1 C (sc + width)``.

    Raises
    ------
    ValueError
        Bad chain, no expiry chosen, no short strike within ``delta_tolerance``,
        or no quoted strike beyond a short one for its wing ("width not available").
    """
    where = "iron_condor_from_chain"
    target = _check_delta(where, "short_delta", short_delta)
    w = _positive_width(where, width)
    tol = _check_tolerance(where, "delta_tolerance", delta_tolerance)
    m = _market(where, chain, expiry, dte, fill, rate, div, year_basis)
    sp = _by_delta(m.frame, where, "put", m.expiry, target, tol)
    sc = _by_delta(m.frame, where, "call", m.expiry, target, tol)
    lp = _wing(m.frame, where, "put", m.expiry, sp.strike, w)
    lc = _wing(m.frame, where, "call", m.expiry, sc.strike, w)
    quotes = (lp, sp, sc, lc)
    return _finish(
        where,
        builders.iron_condor,
        [q.strike for q in quotes],
        quotes,
        (1, -1, -1, 1),
        m,
        fill,
        vol,
        rate,
        div,
        asof,
        year_basis,
        quantity,
        multiplier,
    )


def vertical_from_chain(
    chain: object,
    kind: OptionKind,
    *,
    side: Literal["credit", "debit"] = "credit",
    delta: float = 0.30,
    width: float = 5.0,
    expiry: DateLike | None = None,
    dte: float | None = None,
    fill: Fill = "mid",
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    quantity: int = 1,
    multiplier: float = 100.0,
    delta_tolerance: float | None = 0.10,
) -> Strategy:
    """A vertical spread from the chain: one leg at ``delta``, the other ``width`` further
    out of the money.

    ``side="credit"`` sells the ``delta`` option and buys the further one (a
    ``bear_call_spread`` with calls, a ``bull_put_spread`` with puts);
    ``side="debit"`` buys the ``delta`` option and sells the further one (a
    ``bull_call_spread`` / ``bear_put_spread``).

    Parameters
    ----------
    chain : polars.DataFrame
    kind : {"call", "put"}
    side : {"credit", "debit"}, default "credit"
    delta : float, default 0.30
        Target |delta| of the leg nearer the money.
    width : float, default 5.0
        Strike distance to the other leg: the quoted strike nearest that far
        beyond the first leg (the wider on a tie), as the backtest picks it.
    expiry, dte, fill, vol, rate, div, asof, year_basis, quantity, multiplier, delta_tolerance
        As for :func:`iron_condor_from_chain`.

    Returns
    -------
    Strategy
    """
    where = "vertical_from_chain"
    k = _kind_arg(where, kind)
    sd = _side(where, side, ("credit", "debit"))
    target = _check_delta(where, "delta", delta)
    w = _positive_width(where, width)
    tol = _check_tolerance(where, "delta_tolerance", delta_tolerance)
    m = _market(where, chain, expiry, dte, fill, rate, div, year_basis)
    near = _by_delta(m.frame, where, k, m.expiry, target, tol)
    far = _wing(m.frame, where, k, m.expiry, near.strike, w)
    near_sign = -1 if sd == "credit" else 1
    if k == "call":  # legs in strike order: near (lower), far (higher)
        quotes, signs = (near, far), (near_sign, -near_sign)
        builder = builders.bear_call_spread if sd == "credit" else builders.bull_call_spread
    else:  # far (lower), near (higher)
        quotes, signs = (far, near), (-near_sign, near_sign)
        builder = builders.bull_put_spread if sd == "credit" else builders.bear_put_spread
    return _finish(
        where,
        builder,
        [q.strike for q in quotes],
        quotes,
        signs,
        m,
        fill,
        vol,
        rate,
        div,
        asof,
        year_basis,
        quantity,
        multiplier,
    )


def strangle_from_chain(
    chain: object,
    *,
    side: Literal["short", "long"] = "short",
    delta: float = 0.16,
    expiry: DateLike | None = None,
    dte: float | None = None,
    fill: Fill = "mid",
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    quantity: int = 1,
    multiplier: float = 100.0,
    delta_tolerance: float | None = 0.10,
) -> Strategy:
    """A strangle from the chain: the put and the call whose |delta| is nearest ``delta``.

    Parameters
    ----------
    chain : polars.DataFrame
    side : {"short", "long"}, default "short"
        ``short_strangle`` or ``long_strangle``.
    delta : float, default 0.16
        Target |delta| of both legs.
    expiry, dte, fill, vol, rate, div, asof, year_basis, quantity, multiplier, delta_tolerance
        As for :func:`iron_condor_from_chain`.

    Returns
    -------
    Strategy
        Legs: put then call.
    """
    where = "strangle_from_chain"
    sd = _side(where, side, ("short", "long"))
    target = _check_delta(where, "delta", delta)
    tol = _check_tolerance(where, "delta_tolerance", delta_tolerance)
    m = _market(where, chain, expiry, dte, fill, rate, div, year_basis)
    put = _by_delta(m.frame, where, "put", m.expiry, target, tol)
    call = _by_delta(m.frame, where, "call", m.expiry, target, tol)
    sign = -1 if sd == "short" else 1
    builder = builders.short_strangle if sd == "short" else builders.long_strangle
    return _finish(
        where,
        builder,
        [put.strike, call.strike],
        (put, call),
        (sign, sign),
        m,
        fill,
        vol,
        rate,
        div,
        asof,
        year_basis,
        quantity,
        multiplier,
    )


def straddle_from_chain(
    chain: object,
    *,
    side: Literal["short", "long"] = "short",
    expiry: DateLike | None = None,
    dte: float | None = None,
    fill: Fill = "mid",
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    quantity: int = 1,
    multiplier: float = 100.0,
) -> Strategy:
    """A straddle from the chain at the strike nearest the underlying that has both a put
    and a call quote (the lower one on a tie).

    Parameters
    ----------
    chain : polars.DataFrame
    side : {"short", "long"}, default "short"
        ``short_straddle`` or ``long_straddle``.
    expiry, dte, fill, vol, rate, div, asof, year_basis, quantity, multiplier
        As for :func:`iron_condor_from_chain`.

    Returns
    -------
    Strategy
        Legs: put then call.
    """
    where = "straddle_from_chain"
    sd = _side(where, side, ("short", "long"))
    m = _market(where, chain, expiry, dte, fill, rate, div, year_basis)
    puts = set(m.frame.filter(pl.col("kind") == "put")["strike"].to_list())
    both = sorted(
        k for k in set(m.frame.filter(pl.col("kind") == "call")["strike"].to_list()) if k in puts
    )
    if not both:
        msg = f"{where}: no strike has both a put and a call quote for expiry {m.expiry}"
        raise ValueError(msg)
    strike = min(both, key=lambda k: (abs(k - m.spot), k))
    put = _by_strike(m.frame, where, "put", m.expiry, strike, None, "straddle")
    call = _by_strike(m.frame, where, "call", m.expiry, strike, None, "straddle")
    sign = -1 if sd == "short" else 1
    builder = builders.short_straddle if sd == "short" else builders.long_straddle
    return _finish(
        where,
        builder,
        [strike],
        (put, call),
        (sign, sign),
        m,
        fill,
        vol,
        rate,
        div,
        asof,
        year_basis,
        quantity,
        multiplier,
    )
