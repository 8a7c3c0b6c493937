"""Positions: one leg record for strategies, backtest trade logs and risk books.

A position is a NumPy structured array of :data:`LEG_DTYPE` records, one per leg
(:mod:`fastopt.kernels.legs`): ``kind`` (a :data:`fastopt.kernels.enums.LegKind`
code: 0 call, 1 put, 2 stock), ``units`` (signed: contracts of an option, units of
stock), ``strike``, ``expiry`` (days since 1970-01-01; :data:`NO_EXPIRY` for stock),
``premium``, ``vol``, ``multiplier`` and ``underlying`` (an index, 0 for one
underlying). The conversions here are the only place the three other forms of a
leg are read or written:

* :func:`from_legs`, :func:`from_strategy` -- :class:`fastopt.Leg` objects / a
  :class:`fastopt.Strategy` (whose kernel arrays, ``Strategy.arrays``, are built
  from these records);
* :func:`from_trades` -- a backtest trade log (its ``legs`` strings such as
  ``"-1 P 2500 2018-03-16"`` or ``"100 S"``);
* :func:`from_book` -- a :func:`fastopt.portfolio_risk` book (``strike, t, kind,
  quantity[, vol]``);
* :func:`to_frame` / :func:`from_frame` -- a Polars frame, one row per leg.

The money convention
--------------------
Prices (``premium``, ``strike``) are **per share**. Money -- cost, P&L, margin,
risk -- is ``units x multiplier x price`` (:func:`money`). ``multiplier`` is the
number of shares one unit controls: **100 by default** (a listed equity option
contract; :data:`DEFAULT_MULTIPLIER`), configurable per leg. A
:class:`fastopt.Leg` of stock counts shares (``multiplier`` 1); a backtest's stock
leg counts units of ``multiplier`` shares. Both give the same money.

Examples
--------
>>> from fastopt import Leg, Strategy
>>> from fastopt import positions
>>> s = Strategy([Leg("put", -1, 90.0, "2025-03-21", premium=1.20)],
...              spot=100.0, vol=0.2, asof="2025-02-21")
>>> rec = positions.from_strategy(s)
>>> rec["kind"].tolist(), rec["units"].tolist(), rec["multiplier"].tolist()
([1], [-1.0], [100.0])
>>> positions.money(rec)  # a credit of $120
-120.0
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from fastopt._typing import Float64Array
from fastopt._validate import (
    as_date,
    as_float_array,
    broadcast,
    check_finite,
    check_nonnegative,
    check_positive,
    parse_kind,
)
from fastopt.kernels import legs as _kl

if TYPE_CHECKING:
    import polars as pl

    from fastopt.strategies.leg import Leg
    from fastopt.strategies.strategy import Strategy
else:
    from fastopt._lazy import polars as pl

BOOK_COLUMNS: tuple[str, ...] = ("strike", "t", "kind", "quantity")
"""Required columns of a :func:`fastopt.portfolio_risk` table book."""

__all__ = [
    "BOOK_COLUMNS",
    "DEFAULT_MULTIPLIER",
    "KIND_NAMES",
    "LEG_DTYPE",
    "NO_EXPIRY",
    "LegRecords",
    "TradeLegs",
    "book_arrays",
    "from_book",
    "from_frame",
    "from_legs",
    "from_strategy",
    "from_trades",
    "money",
    "option_arrays",
    "to_frame",
]

LEG_DTYPE: np.dtype[Any] = _kl.LEG_DTYPE
"""The leg record (see :mod:`fastopt.kernels.legs`)."""

LegRecords = np.ndarray
"""A 1-D array of :data:`LEG_DTYPE` records (type alias, for annotations)."""

NO_EXPIRY: int = int(_kl.NO_EXPIRY)
"""``expiry`` of a stock leg (it never expires)."""

DEFAULT_MULTIPLIER = 100.0
"""Shares per option contract unless told otherwise."""

KIND_NAMES: tuple[str, ...] = ("call", "put", "stock")
"""The name of each ``kind`` code (index = code)."""

EPOCH = dt.date(1970, 1, 1)
"""Day 0 of ``expiry``."""

_KIND_LETTER = {"C": _kl.CALL, "P": _kl.PUT}
_FRAME_COLUMNS = ("kind", "units", "strike", "expiry", "premium", "vol", "multiplier")


class TradeLegs(NamedTuple):
    """The legs of a trade log: records and the trade (row of the log) of each."""

    legs: np.ndarray[Any, np.dtype[Any]]
    """:data:`LEG_DTYPE` records, the legs of trade 0 first, in the log's order."""
    trade: np.ndarray[Any, np.dtype[np.int64]]
    """Row of the trade log each record belongs to."""


def _days(day: dt.date) -> int:
    return (day - EPOCH).days


def _empty(n: int) -> np.ndarray[Any, np.dtype[Any]]:
    rec = np.zeros(n, dtype=LEG_DTYPE)
    rec["premium"] = np.nan
    rec["vol"] = np.nan
    rec["multiplier"] = DEFAULT_MULTIPLIER
    rec["expiry"] = NO_EXPIRY
    return rec


def _multiplier(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"`multiplier` must be a real number > 0, got {value!r}"
        raise TypeError(msg)
    arr = np.asarray(float(value))
    check_finite(arr, "multiplier")
    check_positive(arr, "multiplier")
    return float(arr)


def _underlying(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        msg = f"`underlying` must be an int >= 0, got {value!r}"
        raise TypeError(msg)
    if not 0 <= int(value) <= np.iinfo(np.int32).max:
        msg = f"`underlying` must be an int in [0, 2**31), got {value!r}"
        raise ValueError(msg)
    return int(value)


def from_legs(
    legs: Sequence[Leg], *, vol: float | None = None, underlying: int = 0
) -> np.ndarray[Any, np.dtype[Any]]:
    """Leg records from :class:`fastopt.Leg` objects.

    Parameters
    ----------
    legs : sequence of Leg
        The legs, in order.
    vol : float, optional
        Volatility of option legs without their own ``iv`` (a strategy's ``vol``);
        ``None`` leaves them NaN.
    underlying : int, default 0
        Index of the underlying the legs are on.

    Returns
    -------
    numpy.ndarray
        One :data:`LEG_DTYPE` record per leg: ``units`` is the leg's ``quantity``,
        ``multiplier`` its multiplier (1 for stock by default), ``premium`` NaN
        where the leg has none, stock legs with strike 0, expiry
        :data:`NO_EXPIRY` and vol 0.

    Raises
    ------
    TypeError
        An element is not a :class:`fastopt.Leg`, or a bad ``underlying``.

    Examples
    --------
    >>> import datetime as dt
    >>> from fastopt import Leg
    >>> from fastopt.positions import from_legs
    >>> rec = from_legs([Leg("call", 2, 105.0, "2025-03-21", iv=0.3), Leg("stock", -100)])
    >>> rec["kind"].tolist(), rec["units"].tolist(), rec["vol"].tolist()
    ([0, 2], [2.0, -100.0], [0.3, 0.0])
    >>> int(rec["expiry"][0]) == (dt.date(2025, 3, 21) - dt.date(1970, 1, 1)).days
    True
    """
    from fastopt.strategies.leg import Leg

    und = _underlying(underlying)
    n = len(legs)
    kind, units, mult = [0] * n, [0.0] * n, [0.0] * n
    strike, expiry = [0.0] * n, [NO_EXPIRY] * n
    premium, vols = [math.nan] * n, [math.nan] * n
    fallback = math.nan if vol is None else vol
    for i, leg in enumerate(legs):  # columns first: one structured write per field
        if not isinstance(leg, Leg):
            msg = f"legs[{i}] must be a Leg, got {type(leg).__name__}"
            raise TypeError(msg)
        units[i] = leg.quantity
        mult[i] = DEFAULT_MULTIPLIER if leg.multiplier is None else leg.multiplier
        if leg.premium is not None:
            premium[i] = leg.premium
        if leg.kind == "stock":
            kind[i] = _kl.STOCK
            vols[i] = 0.0
            continue
        assert leg.strike is not None
        assert leg.expiry is not None
        kind[i] = _kl.CALL if leg.kind == "call" else _kl.PUT
        strike[i] = leg.strike
        expiry[i] = _days(leg.expiry)
        vols[i] = leg.iv if leg.iv is not None else fallback
    rec = np.zeros(n, dtype=LEG_DTYPE)
    rec["kind"], rec["units"], rec["multiplier"] = kind, units, mult
    rec["strike"], rec["expiry"] = strike, expiry
    rec["premium"], rec["vol"] = premium, vols
    rec["underlying"] = und
    return rec


def from_strategy(strategy: Strategy) -> np.ndarray[Any, np.dtype[Any]]:
    """The leg records of a :class:`fastopt.Strategy` (a read-only copy of ``strategy.records``).

    Parameters
    ----------
    strategy : Strategy
        Any strategy; its premiums are filled (legs built without one carry their
        theoretical value) and option legs without an ``iv`` carry the strategy's
        ``vol``.

    Returns
    -------
    numpy.ndarray
        :data:`LEG_DTYPE` records, one per leg, in the strategy's order.

    Raises
    ------
    TypeError
        ``strategy`` is not a :class:`fastopt.Strategy`.

    Examples
    --------
    >>> from fastopt import iron_condor
    >>> from fastopt.positions import from_strategy
    >>> ic = iron_condor(100.0, 85.0, 90.0, 110.0, 115.0, expiry="2025-03-21", vol=0.2,
    ...                  asof="2025-02-21")
    >>> rec = from_strategy(ic)
    >>> rec["units"].tolist(), rec["strike"].tolist()
    ([1.0, -1.0, -1.0, 1.0], [85.0, 90.0, 110.0, 115.0])
    """
    from fastopt.strategies.strategy import Strategy

    if not isinstance(strategy, Strategy):
        msg = f"`strategy` must be a Strategy, got {type(strategy).__name__}"
        raise TypeError(msg)
    return strategy.records.copy()


def _parse_leg(text: object, row: int, multiplier: float) -> tuple[int, float, float, int]:
    """``(kind, units, strike, expiry days)`` of one trade-log leg string."""
    try:
        if not isinstance(text, str):
            raise ValueError
        parts = text.split()
        if len(parts) == 2 and parts[1] == "S":  # shares of stock
            return _kl.STOCK, int(parts[0]) / multiplier, 0.0, NO_EXPIRY
        units, kind, strike, expiry = parts
        return (
            _KIND_LETTER[kind],
            float(int(units)),
            float(strike),
            _days(dt.date.fromisoformat(expiry)),
        )
    except (ValueError, KeyError):
        msg = (
            f"`trades` row {row}: leg {text!r} is not '<units> <C|P> <strike> <expiry>' "
            "(or '<shares> S')"
        )
        raise ValueError(msg) from None


def from_trades(
    trades: pl.DataFrame,
    *,
    multiplier: float = DEFAULT_MULTIPLIER,
    prices: Literal["entry", "exit"] | None = "entry",
    underlying: int = 0,
) -> TradeLegs:
    """Leg records from a backtest trade log (``BacktestResult.trades``).

    Parameters
    ----------
    trades : polars.DataFrame
        A trade log with a ``legs`` column (a list of strings per trade:
        ``"<signed contracts> <C|P> <strike> <expiry>"``, or ``"<signed shares> S"``
        for stock) and, for ``prices``, an ``entry_prices``/``exit_prices`` column
        (per-share fills, one per leg).
    multiplier : float, default 100
        Shares per contract of the run (:func:`fastopt.backtest.run_backtest`'s
        ``multiplier``). A stock leg of ``n`` shares becomes ``n / multiplier``
        units.
    prices : {"entry", "exit"} or None, default "entry"
        Which fills become ``premium``; ``None`` (or a trade without fills, such
        as one still open at ``"exit"``) leaves NaN.
    underlying : int, default 0
        Index of the underlying.

    Returns
    -------
    TradeLegs
        ``legs`` (:data:`LEG_DTYPE` records, ``vol`` NaN) and ``trade`` (the log
        row of each record).

    Raises
    ------
    TypeError
        ``trades`` is not a Polars frame.
    ValueError
        No ``legs`` column, an unreadable leg string, a price list whose length
        is not the number of legs, a bad ``multiplier`` or ``prices``.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from fastopt.positions import from_trades
    >>> log = pl.DataFrame({"legs": [["-2 P 2500 2018-03-16", "2 P 2450 2018-03-16"]],
    ...                     "entry_prices": [[12.5, 8.25]]})
    >>> legs, trade = from_trades(log)
    >>> legs["units"].tolist(), legs["strike"].tolist(), legs["premium"].tolist()
    ([-2.0, 2.0], [2500.0, 2450.0], [12.5, 8.25])
    >>> trade.tolist(), legs["kind"].tolist(), legs["multiplier"].tolist()
    ([0, 0], [1, 1], [100.0, 100.0])
    """
    if not isinstance(trades, pl.DataFrame):
        msg = f"`trades` must be a Polars DataFrame (a trade log), got {type(trades).__name__}"
        raise TypeError(msg)
    mult = _multiplier(multiplier)
    und = _underlying(underlying)
    if prices not in ("entry", "exit", None):
        msg = f"`prices` must be 'entry', 'exit' or None, got {prices!r}"
        raise ValueError(msg)
    if "legs" not in trades.columns:
        msg = f"`trades` has no `legs` column; got {trades.columns}"
        raise ValueError(msg)
    texts = trades["legs"].to_list()
    price_col = None if prices is None else f"{prices}_prices"
    fills: list[Any] = (
        trades[price_col].to_list()
        if price_col is not None and price_col in trades.columns
        else [None] * len(texts)
    )
    n = sum(len(t) for t in texts if t is not None)
    rec = _empty(n)
    rec["multiplier"] = mult
    rec["underlying"] = und
    trade = np.empty(n, dtype=np.int64)
    at = 0
    for k, row in enumerate(texts):
        row = row or []
        fill = fills[k]
        if fill is not None and len(fill) != len(row):
            msg = f"`trades` row {k}: {len(fill)} {price_col} for {len(row)} legs"
            raise ValueError(msg)
        for j, text in enumerate(row):
            kind, units, strike, expiry = _parse_leg(text, k, mult)
            r = rec[at]
            r["kind"], r["units"], r["strike"], r["expiry"] = kind, units, strike, expiry
            if fill is not None and fill[j] is not None:
                r["premium"] = fill[j]
            trade[at] = k
            at += 1
    return TradeLegs(rec, trade)


def _book_columns(book: object) -> dict[str, Any]:
    """The book's columns as a name -> array-like mapping."""
    if isinstance(book, pl.DataFrame):
        return {c: book.get_column(c).to_numpy() for c in book.columns}
    if isinstance(book, Mapping):
        return {str(k): v for k, v in book.items()}
    columns = getattr(book, "columns", None)
    if columns is not None and hasattr(book, "__getitem__"):  # pandas.DataFrame
        return {str(c): np.asarray(book[c]) for c in columns}
    msg = (
        "`book` must be a dict of arrays, a polars.DataFrame or a pandas.DataFrame with "
        f"columns {', '.join(BOOK_COLUMNS)} (and optionally vol), got {type(book).__name__}"
    )
    raise TypeError(msg)


def book_arrays(
    book: object, vol: float
) -> tuple[Float64Array, Float64Array, Float64Array, npt.NDArray[np.bool_], Float64Array]:
    """Validate a :func:`fastopt.portfolio_risk` table book; return flat ``strike, t,
    vol, is_call, quantity`` (``vol`` fills a missing ``vol`` column).

    Examples
    --------
    >>> from fastopt.positions import book_arrays
    >>> strike, t, vol, is_call, qty = book_arrays(
    ...     {"strike": [95.0, 105.0], "t": 0.25, "kind": ["put", "call"], "quantity": [-1, 2]},
    ...     0.2)
    >>> t.tolist(), is_call.tolist(), qty.tolist()
    ([0.25, 0.25], [False, True], [-1.0, 2.0])
    """
    cols = _book_columns(book)
    missing = [c for c in BOOK_COLUMNS if c not in cols]
    if missing:
        msg = (
            f"`book` is missing column(s) {', '.join(repr(c) for c in missing)}; required: "
            f"{', '.join(BOOK_COLUMNS)} (optional: vol); got {sorted(cols)!r}"
        )
        raise ValueError(msg)
    empty = [c for c in BOOK_COLUMNS if np.size(cols[c]) == 0]
    if empty:
        msg = f"`book` must hold at least one option, got empty column(s) {empty!r}"
        raise ValueError(msg)
    named: dict[str, np.ndarray[Any, Any]] = {}
    for name in ("strike", "t", "quantity", "vol"):
        if name not in cols:
            continue
        label = f"book['{name}']"
        arr = as_float_array(cols[name], label)
        if name == "strike":
            check_positive(arr, label)
        elif name in ("t", "vol"):
            check_nonnegative(arr, label)
        else:
            check_finite(arr, label)
        named[label] = arr.astype(np.float64)
    named["book['kind']"] = parse_kind(cols["kind"], "book['kind']")
    shape, flat = broadcast(named)
    if len(shape) > 1:
        msg = f"`book` columns must be 1-D (one row per option), got shape {shape}"
        raise ValueError(msg)
    arrays = dict(zip(named, flat, strict=True))
    strike = arrays["book['strike']"]
    vols = arrays.get("book['vol']", np.full(strike.shape[0], vol))
    return (
        strike,
        arrays["book['t']"],
        np.ascontiguousarray(vols, dtype=np.float64),
        arrays["book['kind']"],
        arrays["book['quantity']"],
    )


def from_book(
    book: Mapping[str, npt.ArrayLike] | pl.DataFrame | Any,
    *,
    asof: dt.date | str,
    vol: float | None = None,
    multiplier: float = DEFAULT_MULTIPLIER,
    underlying: int = 0,
) -> np.ndarray[Any, np.dtype[Any]]:
    """Leg records from a :func:`fastopt.portfolio_risk` book.

    Parameters
    ----------
    book : dict of arrays, polars.DataFrame or pandas.DataFrame
        Columns ``strike, t, kind, quantity`` and optionally ``vol``, validated as
        :func:`fastopt.portfolio_risk` does.
    asof : datetime.date or str
        The date ``t`` counts from: ``expiry = asof + round(t x 365)`` days (the
        book's times are rounded to whole calendar days).
    vol : float, optional
        Vol of the rows when the book has no ``vol`` column (NaN if ``None``).
    multiplier : float, default 100
        Shares per option (``portfolio_risk``'s ``multiplier``).
    underlying : int, default 0
        Index of the underlying.

    Returns
    -------
    numpy.ndarray
        :data:`LEG_DTYPE` records: ``units`` = ``quantity``, ``premium`` NaN (a book
        holds no prices).

    Raises
    ------
    ValueError, TypeError
        As :func:`fastopt.portfolio_risk` for the book; a bad ``asof``,
        ``multiplier`` or ``underlying``.

    Examples
    --------
    >>> from fastopt.positions import from_book, to_frame
    >>> book = {"strike": [95.0, 105.0], "t": [0.25, 0.5], "kind": ["put", "call"],
    ...         "quantity": [-10.0, 5.0]}
    >>> rec = from_book(book, asof="2025-01-02", vol=0.2)
    >>> rec["kind"].tolist(), rec["units"].tolist(), rec["vol"].tolist()
    ([1, 0], [-10.0, 5.0], [0.2, 0.2])
    >>> [str(d) for d in to_frame(rec)["expiry"].to_list()]  # 91 and 182 days later
    ['2025-04-03', '2025-07-03']
    """
    day = as_date(asof, "`asof`")
    mult = _multiplier(multiplier)
    und = _underlying(underlying)
    fill = np.nan if vol is None else float(vol)
    strike, t, vols, is_call, qty = book_arrays(book, fill)
    rec = _empty(strike.shape[0])
    rec["kind"] = np.where(is_call, _kl.CALL, _kl.PUT)
    rec["units"] = qty
    rec["strike"] = strike
    rec["expiry"] = _days(day) + np.rint(t * 365.0).astype(np.int64)
    rec["vol"] = vols
    rec["multiplier"] = mult
    rec["underlying"] = und
    return rec


def option_arrays(
    legs: object, *, asof: dt.date | str, vol: float
) -> tuple[Float64Array, Float64Array, Float64Array, npt.NDArray[np.bool_], Float64Array]:
    """Leg records of options on one underlying as the arrays that value them at ``asof``.

    Returns ``strike, t, vol, is_call, weight``: ``t = (expiry - asof) / 365`` years,
    ``vol`` the records' vols (``vol`` where they are NaN) and ``weight = units x
    multiplier`` (shares per unit of the option's price), the inverse of
    :func:`from_book`.

    Raises
    ------
    ValueError
        No records, a stock leg, legs on several underlyings, an expiry before
        ``asof``, non-finite units, a strike or multiplier that is not > 0, a
        negative vol.
    TypeError
        ``legs`` is not a 1-D array of :data:`LEG_DTYPE` records; a bad ``asof``.

    Examples
    --------
    >>> from fastopt.positions import from_book, option_arrays
    >>> rec = from_book({"strike": [95.0], "t": [91 / 365], "kind": ["put"],
    ...                  "quantity": [-2.0]}, asof="2025-01-02", vol=0.2)
    >>> strike, t, vol, is_call, weight = option_arrays(rec, asof="2025-01-02", vol=0.3)
    >>> t.tolist() == [91 / 365], vol.tolist(), weight.tolist()
    (True, [0.2], [-200.0])
    """
    rec = _check_records(legs)
    if rec.shape[0] == 0:
        msg = "`book` must hold at least one option, got no leg records"
        raise ValueError(msg)
    stock = np.flatnonzero(rec["kind"] == _kl.STOCK)
    if stock.size:
        msg = f"`book` record {int(stock[0])} is a stock leg; only options can be valued here"
        raise ValueError(msg)
    if np.unique(rec["underlying"]).size > 1:
        msg = "`book` records are on several underlyings; value one underlying at a time"
        raise ValueError(msg)
    day = as_date(asof, "`asof`")
    days = rec["expiry"] - _days(day)
    late = np.flatnonzero(days < 0)
    if late.size:
        k = int(late[0])
        expiry = EPOCH + dt.timedelta(days=int(rec["expiry"][k]))
        msg = f"`book` record {k} expired on {expiry}, before `asof` {day}"
        raise ValueError(msg)
    check_finite(rec["units"], "book['units']")
    check_positive(rec["strike"], "book['strike']")
    check_positive(rec["multiplier"], "book['multiplier']")
    vols = np.where(np.isnan(rec["vol"]), float(vol), rec["vol"]).astype(np.float64)
    check_nonnegative(vols, "book['vol']")
    return (
        np.ascontiguousarray(rec["strike"], dtype=np.float64),
        days.astype(np.float64) / 365.0,
        vols,
        rec["kind"] == _kl.CALL,
        rec["units"] * rec["multiplier"],
    )


def _check_records(legs: object) -> np.ndarray[Any, np.dtype[Any]]:
    if not isinstance(legs, np.ndarray) or legs.dtype != LEG_DTYPE or legs.ndim != 1:
        got = legs.dtype if isinstance(legs, np.ndarray) else type(legs).__name__
        msg = f"`legs` must be a 1-D array of fastopt.positions.LEG_DTYPE records, got {got}"
        raise TypeError(msg)
    return legs


def to_frame(
    legs: np.ndarray[Any, np.dtype[Any]], *, trade: npt.ArrayLike | None = None
) -> pl.DataFrame:
    """The leg records as a Polars frame, one row per leg.

    Parameters
    ----------
    legs : numpy.ndarray
        :data:`LEG_DTYPE` records.
    trade : array of int, optional
        A ``trade`` column to put first (e.g. :attr:`TradeLegs.trade`).

    Returns
    -------
    polars.DataFrame
        ``[trade,] kind`` (``"call"``/``"put"``/``"stock"``), ``units``, ``strike``
        (null for stock), ``expiry`` (Date, null for stock), ``premium``, ``vol``
        (null where NaN), ``multiplier``, ``underlying``.

    Raises
    ------
    TypeError
        ``legs`` is not an array of :data:`LEG_DTYPE`.
    ValueError
        ``trade`` has another length.

    Examples
    --------
    >>> from fastopt import Leg
    >>> from fastopt.positions import from_legs, to_frame
    >>> to_frame(from_legs([Leg("put", -1, 90.0, "2025-03-21", premium=1.2)])).row(0)
    ('put', -1.0, 90.0, datetime.date(2025, 3, 21), 1.2, None, 100.0, 0)
    """
    rec = _check_records(legs)
    stock = rec["kind"] == _kl.STOCK
    expiry = np.where(stock, 0, rec["expiry"]).astype(np.int32)
    cols: dict[str, pl.Series] = {}
    if trade is not None:
        tr = np.asarray(trade, dtype=np.int64)
        if tr.shape != rec.shape:
            msg = f"`trade` must have one entry per leg ({rec.shape[0]}), got shape {tr.shape}"
            raise ValueError(msg)
        cols["trade"] = pl.Series(tr, dtype=pl.Int64)
    names = np.asarray(KIND_NAMES, dtype=object)
    cols.update(
        {
            "kind": pl.Series(names[rec["kind"].astype(np.intp)].tolist(), dtype=pl.String),
            "units": pl.Series(rec["units"], dtype=pl.Float64),
            "strike": pl.Series(np.where(stock, np.nan, rec["strike"]), nan_to_null=True),
            "expiry": pl.Series(expiry, dtype=pl.Int32)
            .cast(pl.Date)
            .scatter(np.flatnonzero(stock), None),
            "premium": pl.Series(rec["premium"], dtype=pl.Float64, nan_to_null=True),
            "vol": pl.Series(rec["vol"], dtype=pl.Float64, nan_to_null=True),
            "multiplier": pl.Series(rec["multiplier"], dtype=pl.Float64),
            "underlying": pl.Series(rec["underlying"], dtype=pl.Int32),
        }
    )
    return pl.DataFrame(cols)


def from_frame(frame: pl.DataFrame) -> np.ndarray[Any, np.dtype[Any]]:
    """Leg records from a frame of :func:`to_frame`'s columns (its inverse).

    Parameters
    ----------
    frame : polars.DataFrame
        Columns ``kind, units, strike, expiry, premium, vol, multiplier`` and
        optionally ``underlying`` (0 if absent); other columns are ignored.
        Nulls are NaN (strike 0 and :data:`NO_EXPIRY` for stock).

    Returns
    -------
    numpy.ndarray
        :data:`LEG_DTYPE` records.

    Raises
    ------
    TypeError
        ``frame`` is not a Polars frame.
    ValueError
        A column is missing, a ``kind`` is unknown, or an option row has no strike
        or expiry.

    Examples
    --------
    >>> from fastopt import Leg
    >>> from fastopt.positions import from_frame, from_legs, to_frame
    >>> rec = from_legs([Leg("call", 1, 100.0, "2025-03-21", premium=2.0, iv=0.2),
    ...                  Leg("stock", 50, premium=101.0)])
    >>> bool((from_frame(to_frame(rec)) == rec).all())
    True
    """
    if not isinstance(frame, pl.DataFrame):
        msg = f"`frame` must be a Polars DataFrame, got {type(frame).__name__}"
        raise TypeError(msg)
    missing = [c for c in _FRAME_COLUMNS if c not in frame.columns]
    if missing:
        msg = f"`frame` is missing the column(s) {missing}; a leg frame has {list(_FRAME_COLUMNS)}"
        raise ValueError(msg)
    kind_names = frame["kind"].cast(pl.String).to_list()
    unknown = sorted({str(k) for k in kind_names if k not in KIND_NAMES})
    if unknown:
        msg = f"`frame` column `kind` must be one of {KIND_NAMES}, got {unknown}"
        raise ValueError(msg)
    kind = np.array([KIND_NAMES.index(k) for k in kind_names], dtype=np.int8)
    stock = kind == _kl.STOCK

    def floats(name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        return frame[name].cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64)

    strike = floats("strike")
    expiry_s = frame["expiry"].cast(pl.Date)
    no_expiry = expiry_s.is_null().to_numpy()
    bad = ~stock & (no_expiry | np.isnan(strike))
    if bad.any():
        msg = f"`frame` option row(s) {np.flatnonzero(bad)[:5].tolist()} have no strike or expiry"
        raise ValueError(msg)
    rec = _empty(frame.height)
    rec["kind"] = kind
    rec["units"] = floats("units")
    rec["strike"] = np.where(stock, 0.0, strike)
    days = expiry_s.cast(pl.Int32).fill_null(0).to_numpy().astype(np.int64)
    rec["expiry"] = np.where(stock, NO_EXPIRY, days)
    rec["premium"] = floats("premium")
    rec["vol"] = floats("vol")
    rec["multiplier"] = floats("multiplier")
    if "underlying" in frame.columns:
        rec["underlying"] = frame["underlying"].to_numpy()
    return rec


def money(legs: np.ndarray[Any, np.dtype[Any]], prices: npt.ArrayLike | None = None) -> float:
    """Money of a position at per-share ``prices``: ``sum(units x multiplier x price)``.

    Parameters
    ----------
    legs : numpy.ndarray
        :data:`LEG_DTYPE` records.
    prices : array of float, optional
        One per-share price per leg; default the records' ``premium`` (then the
        result is the cash paid to open: negative for a credit).

    Returns
    -------
    float
        NaN when a price is NaN.

    Raises
    ------
    TypeError
        ``legs`` is not an array of :data:`LEG_DTYPE`.
    ValueError
        ``prices`` has another length.

    Examples
    --------
    >>> from fastopt import Leg
    >>> from fastopt.positions import from_legs, money
    >>> rec = from_legs([Leg("put", -1, 90.0, "2025-03-21", premium=1.2),
    ...                  Leg("put", 1, 85.0, "2025-03-21", premium=0.5)])
    >>> money(rec), money(rec, [0.0, 0.0])
    (-70.0, 0.0)
    """
    rec = _check_records(legs)
    price = (
        np.ascontiguousarray(rec["premium"])
        if prices is None
        else np.ascontiguousarray(prices, dtype=np.float64)
    )
    if price.shape != rec.shape:
        msg = f"`prices` must have one entry per leg ({rec.shape[0]}), got shape {price.shape}"
        raise ValueError(msg)
    out = np.empty(rec.shape[0])
    return float(
        _kl.leg_money_nb(
            np.ascontiguousarray(rec["units"]), np.ascontiguousarray(rec["multiplier"]), price, out
        )
    )
