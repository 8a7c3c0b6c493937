"""A live portfolio of option and stock positions on many underlyings, held as arrays.

Positions are :data:`fastopt.positions.LEG_DTYPE` records (one per leg, the leg record of
strategies and backtests), each with a position id and a group (the legs added together:
a strategy, a trade). The market -- spot, rate, dividend and date per underlying, an
implied vol per option -- is set by :meth:`Portfolio.update`; the risk of every leg is
then one call of :func:`fastopt.kernels.portfolio.leg_risk_nb`, summed per underlying
and in total (:class:`PortfolioGreeks`).

Money follows :mod:`fastopt.positions`: prices per share, money ``units x multiplier x
price`` (an option contract controls 100 shares by default, a stock position counts
shares). Greeks are of the whole position: delta and gamma in shares, dollar delta in
money per 1.00 relative move (``delta x S``), dollar gamma the change of the dollar
delta for a 1 % move, vega and rho per point (0.01), theta and charm per calendar day
(see :mod:`fastopt.kernels.portfolio`).

Examples
--------
>>> from fastopt.risk import MarketState, Portfolio
>>> book = Portfolio()
>>> put = book.add_option("SPY", "put", 450.0, "2025-03-21", -2, iv=0.2, entry_price=6.1)
>>> hedge = book.add_stock("SPY", 50)
>>> g = book.update({"SPY": MarketState(spot=460.0, date="2025-02-19")})
>>> round(g.total["delta"], 1)  # 2 short puts of 100 shares (+68) and 50 shares
118.0
>>> g.by_underlying["underlying"].to_list()
['SPY']
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from fastopt import positions as _pos
from fastopt._typing import Float64Array
from fastopt._validate import as_date, check_choice, real_number
from fastopt.kernels import portfolio as _kp
from fastopt.kernels import var as _kv
from fastopt.kernels.legs import CALL, PUT, STOCK

if TYPE_CHECKING:
    import polars as pl

    from fastopt.risk_measures import RiskMeasures
    from fastopt.strategies.leg import Leg
    from fastopt.strategies.strategy import Strategy
else:
    from fastopt._lazy import polars as pl

__all__ = ["RISK_FIELDS", "MarketState", "Portfolio", "PortfolioGreeks", "ScenarioGrid"]

RISK_FIELDS: tuple[str, ...] = _kp.RISK_FIELDS
"""The risk measures of every position, underlying and the total (see the module doc)."""

_UNKNOWN_DAY = np.iinfo(np.int64).min  # a position whose opening date is unknown
_PARALLEL_LEGS = 4_096  # above this many legs the threaded kernel is used


@dataclass(frozen=True, slots=True)
class MarketState:
    """The market of one underlying: spot, valuation date, rate and dividend yield.

    Examples
    --------
    >>> from fastopt.risk import MarketState
    >>> MarketState(spot=100.0, date="2025-01-02", rate=0.04).date
    datetime.date(2025, 1, 2)
    """

    spot: float
    date: dt.date
    rate: float = 0.0
    div: float = 0.0

    def __post_init__(self) -> None:
        spot = real_number(self.spot, "spot")
        if spot <= 0.0:
            msg = f"`spot` must be > 0, got {spot!r}"
            raise ValueError(msg)
        object.__setattr__(self, "spot", spot)
        object.__setattr__(self, "date", as_date(self.date, "date"))
        object.__setattr__(self, "rate", real_number(self.rate, "rate"))
        object.__setattr__(self, "div", real_number(self.div, "div"))


@dataclass(frozen=True)
class PortfolioGreeks:
    """The risk of a portfolio after a market update.

    Attributes
    ----------
    positions : polars.DataFrame
        One row per open leg: ``id, group, underlying, kind, units, strike, expiry,
        multiplier, vol`` and every :data:`RISK_FIELDS` column.
    by_underlying : polars.DataFrame
        One row per underlying with open positions: ``underlying, spot, n_positions``
        and the sums of the :data:`RISK_FIELDS`.
    total : dict of str to float
        The sums over the whole portfolio (dollar measures add across underlyings;
        ``delta`` and ``gamma`` in shares add only as a count of shares).
    missing : tuple of int
        Ids of the positions whose risk is undefined (an option without an implied
        vol): their rows, their underlying's sums and the totals are NaN.
    """

    positions: pl.DataFrame
    by_underlying: pl.DataFrame
    total: dict[str, float]
    missing: tuple[int, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """True when every position has a defined risk."""
        return not self.missing


@dataclass(frozen=True)
class ScenarioGrid:
    """P&L of an instantaneous spot x vol shock, per underlying and in total.

    Attributes
    ----------
    spot_moves, vol_moves : numpy.ndarray
        The relative spot moves (0.05 = +5 %) and absolute vol shifts (0.02 = +2 vol
        points, vols floored at 0) of the grid's rows and columns.
    underlyings : tuple of str
        The underlyings, in the order of the last axis of :attr:`pnl`.
    pnl : numpy.ndarray
        ``(n_spot, n_vol, n_underlyings)`` P&L in money.
    """

    spot_moves: Float64Array
    vol_moves: Float64Array
    underlyings: tuple[str, ...]
    pnl: Float64Array

    @property
    def total(self) -> Float64Array:
        """``(n_spot, n_vol)`` P&L of the whole portfolio."""
        return np.asarray(self.pnl.sum(axis=2), dtype=np.float64)

    @property
    def worst(self) -> float:
        """The largest loss of the whole portfolio on the grid (a positive number; 0 when
        no cell loses)."""
        return max(0.0, -float(self.total.min()))

    def to_polars(self) -> pl.DataFrame:
        """One row per cell and underlying (and ``"total"``): ``underlying, spot_move,
        vol_move, pnl``."""
        n_s, n_v, n_u = self.pnl.shape
        names = [*self.underlyings, "total"]
        cube = np.concatenate([self.pnl, self.total[:, :, None]], axis=2)
        return pl.DataFrame(
            {
                "underlying": np.tile(np.repeat(np.asarray(names), 1), n_s * n_v),
                "spot_move": np.repeat(self.spot_moves, n_v * (n_u + 1)),
                "vol_move": np.tile(np.repeat(self.vol_moves, n_u + 1), n_s),
                "pnl": cube.reshape(-1),
            }
        )


class Portfolio:
    """Option and stock positions keyed by underlying, with their market and risk.

    Parameters
    ----------
    multiplier : float, default 100
        Shares per option contract of the options added without their own multiplier.

    Notes
    -----
    Positions are added (:meth:`add_option`, :meth:`add_stock`, :meth:`add_strategy`,
    :meth:`add_legs`, :meth:`add_trades`), closed (:meth:`close`) and rolled
    (:meth:`roll`); each call returns the new positions' ids. :meth:`update` sets the
    market and computes the risk (:class:`PortfolioGreeks`); :meth:`greeks` returns the
    risk of the last update; any change of the positions recomputes it.

    Examples
    --------
    >>> from fastopt import iron_condor
    >>> from fastopt.risk import MarketState, Portfolio
    >>> ic = iron_condor(100.0, 90.0, 95.0, 105.0, 110.0, "2025-03-21", vol=0.2,
    ...                  asof="2025-02-19")
    >>> book = Portfolio()
    >>> ids = book.add_strategy(ic, "XYZ", quantity=3)
    >>> len(ids), len(book)
    (4, 4)
    >>> g = book.update({"XYZ": MarketState(spot=100.0, date="2025-02-19")})
    >>> one = ic.greeks(100.0)  # the strategy's own position Greeks (money)
    >>> bool(abs(g.total["value"] - 3 * one.price) < 1e-9)  # 3 condors
    True
    >>> bool(abs(g.total["delta"] - 3 * one.delta) < 1e-9)
    True
    """

    def __init__(self, *, multiplier: float = _pos.DEFAULT_MULTIPLIER) -> None:
        self._multiplier = _pos._multiplier(multiplier)
        self._rec = np.zeros(0, dtype=_pos.LEG_DTYPE)
        self._ids = np.zeros(0, dtype=np.int64)
        self._group = np.zeros(0, dtype=np.int64)
        self._opened = np.zeros(0, dtype=np.int64)  # days since 1970; _UNKNOWN_DAY: unknown
        self._names: list[str] = []
        self._index: dict[str, int] = {}
        self._market: dict[int, MarketState] = {}
        self._next_id = 0
        self._next_group = 0
        self._risk: PortfolioGreeks | None = None
        self._leg_risk: Float64Array | None = None
        self._version = 0
        self._market_cache: (
            tuple[Float64Array, Float64Array, Float64Array, npt.NDArray[np.int64]] | None
        ) = None
        self._groups_cache: npt.NDArray[np.int64] | None = None

    # -- positions ---------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._ids.shape[0])

    @property
    def underlyings(self) -> tuple[str, ...]:
        """Names of the underlyings with open positions, in the order first added."""
        used = set(self._rec["underlying"].tolist())
        return tuple(n for i, n in enumerate(self._names) if i in used)

    @property
    def records(self) -> np.ndarray[Any, np.dtype[Any]]:
        """A copy of the open legs as :data:`~fastopt.positions.LEG_DTYPE` records (the
        ``underlying`` field indexes :attr:`underlying_names`)."""
        return self._rec.copy()

    @property
    def ids(self) -> npt.NDArray[np.int64]:
        """Position ids of the open legs, in the order of :attr:`records`."""
        return self._ids.copy()

    @property
    def groups(self) -> npt.NDArray[np.int64]:
        """Group of each open leg (the legs added together share one), as :attr:`ids`."""
        return self._group.copy()

    @property
    def opened(self) -> npt.NDArray[np.int64]:
        """Opening day of each open leg, days since 1970-01-01 (the smallest int64 where
        unknown), as :attr:`ids`."""
        return self._opened.copy()

    def market(self, underlying: str) -> MarketState:
        """The last market state of ``underlying``.

        Raises
        ------
        KeyError
            An unknown underlying, or one without a market yet.
        """
        if underlying not in self._index or self._index[underlying] not in self._market:
            msg = f"no market data for {underlying!r}: call update()"
            raise KeyError(msg)
        return self._market[self._index[underlying]]

    @property
    def underlying_names(self) -> tuple[str, ...]:
        """Every underlying name known to the portfolio, by index."""
        return tuple(self._names)

    def _underlying_index(self, underlying: object) -> int:
        if not isinstance(underlying, str) or not underlying.strip():
            msg = f"`underlying` must be a non-empty name, got {underlying!r}"
            raise TypeError(msg) if not isinstance(underlying, str) else ValueError(msg)
        name = underlying.strip()
        if name not in self._index:
            self._index[name] = len(self._names)
            self._names.append(name)
        return self._index[name]

    def _append(
        self, rec: np.ndarray[Any, np.dtype[Any]], opened: dt.date | str | None = None
    ) -> tuple[int, ...]:
        _check_units(rec)
        n = rec.shape[0]
        if opened is not None:
            day = _pos._days(as_date(opened, "opened"))
        else:  # the date of the underlying's market, when it has one
            state = self._market.get(int(rec["underlying"][0]))
            day = _UNKNOWN_DAY if state is None else _pos._days(state.date)
        self._opened = np.concatenate([self._opened, np.full(n, day, np.int64)])
        ids = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
        self._next_id += n
        self._rec = np.concatenate([self._rec, rec])
        self._ids = np.concatenate([self._ids, ids])
        self._group = np.concatenate([self._group, np.full(n, self._next_group, np.int64)])
        self._next_group += 1
        self._groups_cache = None
        self._changed()
        return tuple(int(i) for i in ids)

    def _changed(self) -> None:
        self._risk = None
        self._leg_risk = None
        self._version += 1

    @property
    def version(self) -> int:
        """A counter that changes with every change of positions or market."""
        return self._version

    def add_option(
        self,
        underlying: str,
        kind: str,
        strike: float,
        expiry: dt.date | str,
        quantity: float,
        *,
        entry_price: float = math.nan,
        iv: float | None = None,
        multiplier: float | None = None,
        opened: dt.date | str | None = None,
    ) -> int:
        """Add an option position; returns its id.

        Parameters
        ----------
        underlying : str
            Name of the underlying (a new name adds the underlying).
        kind : {"call", "put"}
        strike : float
            Strike per share (> 0).
        expiry : datetime.date or str
            Expiry date.
        quantity : float
            Signed number of contracts (< 0 short; not 0).
        entry_price : float, optional
            Price per share paid (long) or received (short).
        iv : float, optional
            Implied vol (a fraction); may be set later by :meth:`update`.
        multiplier : float, optional
            Shares per contract (the portfolio's default, 100, if omitted).
        opened : datetime.date or str, optional
            When the position was opened (default: the underlying's market date, if it
            has one); the ``max_hold_days`` stop rule counts from it.

        Examples
        --------
        >>> from fastopt.risk import Portfolio
        >>> book = Portfolio()
        >>> book.add_option("SPY", "call", 470.0, "2025-03-21", 1, iv=0.18)
        0
        """
        rec = self.option_record(
            kind,
            strike,
            expiry,
            quantity,
            iv=iv,
            entry_price=entry_price,
            multiplier=self._multiplier if multiplier is None else multiplier,
        )
        rec["underlying"] = self._underlying_index(underlying)
        return self._append(rec, opened)[0]

    def add_stock(
        self,
        underlying: str,
        quantity: float,
        *,
        entry_price: float = math.nan,
        opened: dt.date | str | None = None,
    ) -> int:
        """Add a stock position of ``quantity`` shares (< 0 short); returns its id.

        Examples
        --------
        >>> from fastopt.risk import Portfolio
        >>> Portfolio().add_stock("SPY", -100, entry_price=455.0)
        0
        """
        rec = self.stock_record(quantity, entry_price=entry_price)
        rec["underlying"] = self._underlying_index(underlying)
        return self._append(rec, opened)[0]

    @staticmethod
    def option_record(
        kind: str,
        strike: float,
        expiry: dt.date | str,
        quantity: float,
        *,
        iv: float | None = None,
        entry_price: float = math.nan,
        multiplier: float | None = None,
    ) -> np.ndarray[Any, np.dtype[Any]]:
        """One option leg record (validated), on underlying 0.

        Examples
        --------
        >>> from fastopt.risk import Portfolio
        >>> Portfolio.option_record("put", 95.0, "2025-03-21", -1, iv=0.2)["units"].tolist()
        [-1.0]
        """
        name = check_choice(kind, "kind", ("call", "put"))
        k = real_number(strike, "strike")
        if k <= 0.0:
            msg = f"`strike` must be > 0, got {k!r}"
            raise ValueError(msg)
        rec = _pos._empty(1)
        rec["kind"] = CALL if name == "call" else PUT
        rec["units"] = real_number(quantity, "quantity")
        rec["strike"] = k
        rec["expiry"] = _pos._days(as_date(expiry, "expiry"))
        rec["premium"] = _price(entry_price)
        rec["vol"] = math.nan if iv is None else _vol(iv, "iv")
        mult = _pos.DEFAULT_MULTIPLIER if multiplier is None else multiplier
        rec["multiplier"] = _pos._multiplier(mult)
        return rec

    @staticmethod
    def stock_record(
        quantity: float, *, entry_price: float = math.nan
    ) -> np.ndarray[Any, np.dtype[Any]]:
        """One stock leg record of ``quantity`` shares (validated), on underlying 0.

        Examples
        --------
        >>> from fastopt.risk import Portfolio
        >>> Portfolio.stock_record(-50)["multiplier"].tolist()
        [1.0]
        """
        rec = _pos._empty(1)
        rec["kind"] = STOCK
        rec["units"] = real_number(quantity, "quantity")
        rec["strike"] = 0.0
        rec["vol"] = 0.0
        rec["multiplier"] = 1.0
        rec["premium"] = _price(entry_price)
        return rec

    def candidate(
        self,
        legs: np.ndarray[Any, np.dtype[Any]] | Sequence[Leg] | Strategy,
        underlying: str,
        *,
        quantity: float = 1.0,
    ) -> np.ndarray[Any, np.dtype[Any]]:
        """The leg records of a trade on ``underlying`` (``quantity`` times ``legs``: leg
        records, :class:`fastopt.Leg` objects or a :class:`fastopt.Strategy`), validated
        but not added.

        Examples
        --------
        >>> from fastopt import Leg
        >>> from fastopt.risk import Portfolio
        >>> rec = Portfolio().candidate([Leg("call", 1, 105.0, "2025-03-21")], "XYZ",
        ...                             quantity=-3)
        >>> rec["units"].tolist(), rec["underlying"].tolist()
        ([-3.0], [0])
        """
        from fastopt.strategies.strategy import Strategy

        if isinstance(legs, Strategy):
            rec = _pos.from_strategy(legs)
        elif isinstance(legs, np.ndarray):
            rec = _pos._check_records(legs).copy()
        else:
            rec = _pos.from_legs(list(legs))
        if rec.shape[0] == 0:
            msg = "`legs` must hold at least one leg"
            raise ValueError(msg)
        q = real_number(quantity, "quantity")
        if q != 1.0:
            rec["units"] = rec["units"] * q
        rec["underlying"] = self._underlying_index(underlying)
        _check_units(rec)
        return rec

    def groups_by_underlying(self) -> npt.NDArray[np.int64]:
        """Open position groups (strategies, trades, single legs) per underlying index;
        cached until the positions change."""
        n = len(self._names)
        if self._groups_cache is not None and self._groups_cache.shape[0] == n:
            return self._groups_cache
        out = np.zeros(n, dtype=np.int64)
        if len(self):
            pairs = np.unique(
                np.stack([self._rec["underlying"].astype(np.int64), self._group]), axis=1
            )
            np.add.at(out, pairs[0], 1)
        self._groups_cache = out
        return out

    def add_legs(
        self,
        legs: np.ndarray[Any, np.dtype[Any]] | Sequence[Leg] | Strategy,
        underlying: str,
        *,
        quantity: float = 1.0,
        opened: dt.date | str | None = None,
    ) -> tuple[int, ...]:
        """Add leg records (or :class:`fastopt.Leg` objects, or a :class:`fastopt.Strategy`)
        as one group, ``quantity`` times, opened on ``opened`` (default: the underlying's
        market date); returns their ids (the records' own ``underlying`` is replaced).

        Examples
        --------
        >>> from fastopt import Leg
        >>> from fastopt.risk import Portfolio
        >>> Portfolio().add_legs([Leg("put", -1, 90.0, "2025-03-21", iv=0.25),
        ...                       Leg("put", 1, 85.0, "2025-03-21", iv=0.27)], "XYZ")
        (0, 1)
        """
        return self._append(self.candidate(legs, underlying, quantity=quantity), opened)

    def add_strategy(
        self,
        strategy: Strategy,
        underlying: str,
        *,
        quantity: float = 1.0,
        opened: dt.date | str | None = None,
    ) -> tuple[int, ...]:
        """Add a :class:`fastopt.Strategy` (``quantity`` of it) as one group; returns the
        ids of its legs. Its premiums become the entry prices, its vol the legs' IVs;
        ``opened`` defaults to the strategy's ``asof``."""
        when = strategy.asof if opened is None and hasattr(strategy, "asof") else opened
        return self.add_legs(strategy, underlying, quantity=quantity, opened=when)

    def add_trades(
        self, trades: pl.DataFrame, underlying: str, *, open_on: dt.date | str | None = None
    ) -> tuple[int, ...]:
        """Add the legs of a backtest trade log (each trade one group, opened on its
        ``entry_date`` when the log has one) at their entry prices; with ``open_on``, only
        the trades open on that date (entered on or before it, exited after it). Returns
        the ids of the legs added.

        Examples
        --------
        >>> import polars as pl
        >>> from fastopt.risk import Portfolio
        >>> log = pl.DataFrame({"legs": [["-1 P 2500 2018-03-16", "1 P 2450 2018-03-16"]],
        ...                     "quantity": [2]})
        >>> Portfolio().add_trades(log, "SPX")
        (0, 1)
        """
        if open_on is not None and isinstance(trades, pl.DataFrame):
            day = as_date(open_on, "open_on")
            for col in ("entry_date", "exit_date"):
                if col not in trades.columns:
                    msg = f"`trades` needs an `{col}` column to select the trades open on {day}"
                    raise ValueError(msg)
            trades = trades.filter(
                (pl.col("entry_date") <= day)
                & (pl.col("exit_date").is_null() | (pl.col("exit_date") > day))
            )
        legs, trade = _pos.from_trades(trades, prices="entry")
        if legs.shape[0] == 0:
            return ()
        idx = self._underlying_index(underlying)
        legs["underlying"] = idx
        entry = trades["entry_date"].to_list() if "entry_date" in trades.columns else None
        out: list[int] = []
        for t in np.unique(trade):
            when = None if entry is None else entry[int(t)]
            out.extend(self._append(legs[trade == t], when))
        return tuple(out)

    def _row(self, position_id: object) -> int:
        if isinstance(position_id, bool) or not isinstance(position_id, int | np.integer):
            msg = f"`position_id` must be an int, got {position_id!r}"
            raise TypeError(msg)
        rows = np.flatnonzero(self._ids == int(position_id))
        if rows.size == 0:
            msg = f"no open position with id {int(position_id)}"
            raise KeyError(msg)
        return int(rows[0])

    def close(self, position_id: int) -> None:
        """Remove an open position.

        Examples
        --------
        >>> from fastopt.risk import Portfolio
        >>> book = Portfolio()
        >>> pid = book.add_stock("SPY", 10)
        >>> book.close(pid); len(book)
        0
        """
        keep = np.ones(len(self), dtype=bool)
        keep[self._row(position_id)] = False
        self._rec, self._ids, self._group = self._rec[keep], self._ids[keep], self._group[keep]
        self._opened = self._opened[keep]
        self._groups_cache = None
        self._changed()

    def roll(
        self,
        position_id: int,
        *,
        expiry: dt.date | str,
        strike: float | None = None,
        entry_price: float = math.nan,
        iv: float | None = None,
    ) -> int:
        """Close an option position and open the same one at a new expiry (and strike);
        returns the new position's id.

        Examples
        --------
        >>> from fastopt.risk import Portfolio
        >>> book = Portfolio()
        >>> old = book.add_option("SPY", "put", 440.0, "2025-03-21", -1, iv=0.2)
        >>> new = book.roll(old, expiry="2025-04-17", strike=430.0)
        >>> book.records["strike"].tolist(), new
        ([430.0], 1)
        """
        rec = self._rec[self._row(position_id)]
        if rec["kind"] == STOCK:
            msg = f"position {position_id} is stock: only options roll"
            raise ValueError(msg)
        name = self._names[int(rec["underlying"])]
        kind = _pos.KIND_NAMES[int(rec["kind"])]
        new_iv = iv if iv is not None else (None if math.isnan(rec["vol"]) else float(rec["vol"]))
        self.close(position_id)
        return self.add_option(
            name,
            kind,
            float(rec["strike"]) if strike is None else strike,
            expiry,
            float(rec["units"]),
            entry_price=entry_price,
            iv=new_iv,
            multiplier=float(rec["multiplier"]),
        )

    # -- market and risk ---------------------------------------------------------------

    def set_market(
        self,
        market: Mapping[str, MarketState | Mapping[str, Any]],
        *,
        ivs: Mapping[int, float] | None = None,
    ) -> None:
        """:meth:`update` without computing the risk (the engine's fast path: its
        :meth:`~fastopt.risk.RiskEngine.evaluate` reads the risk as arrays)."""
        if not isinstance(market, Mapping):
            got = type(market).__name__
            msg = f"`market` must be a mapping of underlying name to MarketState, got {got}"
            raise TypeError(msg)
        states: dict[int, MarketState] = {}
        for name, state in market.items():
            if name not in self._index:
                msg = f"`market` names the unknown underlying {name!r}; known: {self._names}"
                raise KeyError(msg)
            if isinstance(state, Mapping):
                state = MarketState(**state)
            if not isinstance(state, MarketState):
                got = type(state).__name__
                msg = f"`market[{name!r}]` must be a MarketState or a dict, got {got}"
                raise TypeError(msg)
            states[self._index[name]] = state
        new_vols: dict[int, float] = {}
        for pid, vol in (ivs or {}).items():
            row = self._row(pid)
            if self._rec["kind"][row] == STOCK:
                msg = f"`ivs[{pid}]`: position {pid} is stock and has no implied vol"
                raise ValueError(msg)
            new_vols[row] = _vol(vol, f"ivs[{pid}]")
        self._market.update(states)
        self._market_cache = None
        for row, vol in new_vols.items():
            self._rec["vol"][row] = vol
        self._changed()

    def update(
        self,
        market: Mapping[str, MarketState | Mapping[str, Any]],
        *,
        ivs: Mapping[int, float] | None = None,
    ) -> PortfolioGreeks:
        """Set the market of some underlyings (and IVs of some options); return the risk.

        Parameters
        ----------
        market : mapping of str to MarketState (or a dict of its fields)
            Spot, date, rate and dividend per underlying; underlyings not named keep
            their last market.
        ivs : mapping of int to float, optional
            New implied vols by position id.

        Raises
        ------
        KeyError
            An unknown underlying or position id.
        ValueError
            A position on an underlying without market data, or past its expiry (the
            market given is set all the same: update the other underlyings, or close
            the expired positions, and the risk is computed).

        Examples
        --------
        >>> from fastopt.risk import Portfolio
        >>> book = Portfolio()
        >>> pid = book.add_option("QQQ", "call", 400.0, "2025-06-20", 1)
        >>> g = book.update({"QQQ": {"spot": 395.0, "date": "2025-03-03"}}, ivs={pid: 0.22})
        >>> round(g.total["delta"], 2)
        48.22
        """
        self.set_market(market, ivs=ivs)
        return self.greeks()

    def update_from_chain(
        self,
        chain: pl.DataFrame | Any,
        underlying: str,
        *,
        date: dt.date | str | None = None,
        rate: float = 0.0,
        div: float = 0.0,
    ) -> PortfolioGreeks:
        """Set one underlying's market from an option chain's quotes of one date: the spot
        is the chain's ``underlying`` price, each option position's implied vol the
        ``iv`` of its quote (same expiry, strike and kind); return the risk.

        Parameters
        ----------
        chain : polars.DataFrame or pandas.DataFrame
            A chain in :mod:`fastopt.data`'s schema, with an ``iv`` column (validated).
        underlying : str
            The portfolio's name of the chain's underlying.
        date : datetime.date or str, optional
            The quotes' date (default: the chain's last date).
        rate, div : float, default 0
            Rate and dividend yield of the market state.

        Returns
        -------
        PortfolioGreeks
            Positions without a quote keep their previous vol (NaN if they had none,
            which makes the risk undefined and lists them in ``missing``).

        Raises
        ------
        ValueError
            No ``iv`` column, no quotes on ``date``, or any chain validation error.
        KeyError
            ``underlying`` is not in the portfolio.

        Examples
        --------
        >>> from fastopt.data import generate_chains
        >>> from fastopt.risk import Portfolio
        >>> chain = generate_chains(start="2018-01-02", end="2018-01-31", seed=1)
        >>> day = chain["date"].max()
        >>> quote = chain.filter(date=day, kind="put").sort("strike").row(10, named=True)
        >>> book = Portfolio()
        >>> pid = book.add_option("SPX", "put", quote["strike"], quote["expiry"], -1)
        >>> g = book.update_from_chain(chain, "SPX")
        >>> g.positions["vol"][0] == quote["iv"], g.complete
        (True, True)
        """
        from fastopt.data import to_polars, validate_chain

        frame, _ = validate_chain(to_polars(chain, name="chain"))
        if "iv" not in frame.columns:
            msg = "`chain` has no `iv` column: the implied vols cannot be looked up"
            raise ValueError(msg)
        if underlying not in self._index:
            msg = f"the portfolio holds nothing on {underlying!r}"
            raise KeyError(msg)
        day = as_date(frame["date"].max() if date is None else date, "date")
        quotes = frame.filter(pl.col("date").cast(pl.Date) == day)
        if quotes.height == 0:
            msg = f"`chain` has no quotes on {day}"
            raise ValueError(msg)
        spot = float(quotes["underlying"][0])
        u = self._index[underlying]
        rows = np.flatnonzero((self._rec["underlying"] == u) & (self._rec["kind"] != STOCK))
        if rows.size:
            wanted = pl.DataFrame(
                {
                    "row": rows,
                    "expiry": pl.Series(self._rec["expiry"][rows].astype(np.int32)).cast(pl.Date),
                    "strike": self._rec["strike"][rows],
                    "kind": [_pos.KIND_NAMES[int(k)] for k in self._rec["kind"][rows]],
                }
            )
            found = wanted.join(
                quotes.select("expiry", "strike", "kind", "iv"),
                on=["expiry", "strike", "kind"],
                how="left",
            ).drop_nulls("iv")
            ivs = {
                int(self._ids[r]): float(v) for r, v in zip(found["row"], found["iv"], strict=True)
            }
        else:
            ivs = {}
        self.set_market({underlying: MarketState(spot, day, rate, div)}, ivs=ivs)
        return self.greeks()

    def _market_arrays(
        self,
    ) -> tuple[Float64Array, Float64Array, Float64Array, npt.NDArray[np.int64]]:
        """Spot, rate, dividend and day of every underlying name (NaN spot: no market);
        cached until the market or the names change."""
        n = len(self._names)
        if self._market_cache is not None and self._market_cache[0].shape[0] == n:
            return self._market_cache
        spot, rate, div = np.full(n, np.nan), np.zeros(n), np.zeros(n)
        day = np.full(n, _UNKNOWN_DAY, dtype=np.int64)
        for i, st in self._market.items():
            spot[i], rate[i], div[i], day[i] = st.spot, st.rate, st.div, _pos._days(st.date)
        self._market_cache = (spot, rate, div, day)
        return self._market_cache

    def _tau(self, rec: np.ndarray[Any, np.dtype[Any]], ids: npt.NDArray[np.int64]) -> Float64Array:
        """Years to expiry of each leg at its underlying's date (checked)."""
        und = rec["underlying"]
        spot, _, _, day = self._market_arrays()
        no_market = np.flatnonzero(np.isnan(spot[und]))
        if no_market.size:
            k = int(no_market[0])
            name = self._names[int(und[k])]
            msg = f"position {int(ids[k])} is on {name!r}, which has no market data: call update()"
            raise ValueError(msg)
        option = rec["kind"] != STOCK
        days = np.where(option, rec["expiry"] - day[und], 0)
        late = np.flatnonzero(days < 0)
        if late.size:
            k = int(late[0])
            expiry = _pos.EPOCH + dt.timedelta(days=int(rec["expiry"][k]))
            msg = (
                f"position {int(ids[k])} expired on {expiry}, before its market date "
                f"{self._market[int(und[k])].date}: close or roll it"
            )
            raise ValueError(msg)
        return days.astype(np.float64) / 365.0

    def leg_risk(self, rec: np.ndarray[Any, np.dtype[Any]] | None = None) -> Float64Array:
        """The :data:`RISK_FIELDS` of every open leg (or of the given records, valued in
        this portfolio's market), ``(n_legs, 12)``.

        Raises
        ------
        ValueError
            A leg on an underlying without market data, or past its expiry.
        """
        own = rec is None
        if own and self._leg_risk is not None:
            return self._leg_risk
        legs = self._rec if rec is None else rec
        spot, rate, div, day = self._market_arrays()
        out = np.empty((legs.shape[0], _kp.N_RISK))
        kernel = _kp.leg_risk_par_nb if legs.shape[0] >= _PARALLEL_LEGS else _kp.leg_risk_nb
        status = kernel(
            legs["kind"], legs["units"], legs["multiplier"], legs["strike"], legs["expiry"],
            legs["vol"], legs["underlying"], spot, rate, div, day, out,
        )  # fmt: skip
        if status >= 0:
            self._bad_leg(legs, self._ids if rec is None else None, int(status))
        if own:
            self._leg_risk = out
        return out

    def _bad_leg(
        self, legs: np.ndarray[Any, np.dtype[Any]], ids: npt.NDArray[np.int64] | None, status: int
    ) -> None:
        """Raise the error of a :func:`~fastopt.kernels.portfolio.first_bad_leg` status."""
        k, code = divmod(status, 2)
        who = f"position {int(ids[k])}" if ids is not None else f"leg {k} of the trade"
        u = int(legs["underlying"][k])
        if code == _kp.NO_MARKET:
            msg = f"{who} is on {self._names[u]!r}, which has no market data: call update()"
            raise ValueError(msg)
        expiry = _pos.EPOCH + dt.timedelta(days=int(legs["expiry"][k]))
        msg = (
            f"{who} expired on {expiry}, before its market date {self._market[u].date}: "
            "close or roll it"
        )
        raise ValueError(msg)

    def risk_by_underlying(self, leg_risk: Float64Array | None = None) -> Float64Array:
        """Sums of :data:`RISK_FIELDS` per underlying index, ``(n_names, 12)``."""
        values = self.leg_risk() if leg_risk is None else leg_risk
        out = np.empty((len(self._names), _kp.N_RISK))
        return _kp.sum_by_group_nb(values, np.ascontiguousarray(self._rec["underlying"]), out)  # type: ignore[no-any-return]

    def greeks(self) -> PortfolioGreeks:
        """The risk at the last :meth:`update` (recomputed after any change of positions).

        Examples
        --------
        >>> from fastopt.risk import MarketState, Portfolio
        >>> book = Portfolio()
        >>> _ = book.add_stock("SPY", 100)
        >>> _ = book.update({"SPY": MarketState(spot=450.0, date="2025-01-02")})
        >>> book.greeks().total["dollar_delta"]
        45000.0
        """
        if self._risk is not None:
            return self._risk
        legs = self.leg_risk()
        per_und = self.risk_by_underlying(legs)
        missing = tuple(int(i) for i in self._ids[np.isnan(legs).any(axis=1)])
        used = sorted(set(self._rec["underlying"].tolist()))
        spot, _, _, _ = self._market_arrays()
        frame = _pos.to_frame(self._rec).drop("underlying")
        positions = pl.DataFrame(
            {
                "id": self._ids,
                "group": self._group,
                "underlying": [self._names[int(u)] for u in self._rec["underlying"]],
            }
        ).hstack(frame)
        positions = positions.hstack(pl.DataFrame(dict(zip(RISK_FIELDS, legs.T, strict=True))))
        counts = np.bincount(self._rec["underlying"], minlength=len(self._names))
        by_und = pl.DataFrame(
            {
                "underlying": [self._names[u] for u in used],
                "spot": spot[used],
                "n_positions": counts[used].astype(np.int64),
                **{f: per_und[used, c] for c, f in enumerate(RISK_FIELDS)},
            }
        )
        total = {
            f: float(per_und[used, c].sum()) if used else 0.0 for c, f in enumerate(RISK_FIELDS)
        }
        self._risk = PortfolioGreeks(positions, by_und, total, missing)
        return self._risk

    def scenario_grid(
        self,
        spot_moves: npt.ArrayLike | None = None,
        vol_moves: npt.ArrayLike | None = None,
    ) -> ScenarioGrid:
        """Full-revaluation P&L on a grid of relative spot moves (every underlying by the
        same fraction) and absolute vol shifts; 21 x 21 moves of +-10 % and +-10 vol
        points by default.

        Examples
        --------
        >>> from fastopt.risk import MarketState, Portfolio
        >>> book = Portfolio()
        >>> _ = book.add_option("SPY", "put", 450.0, "2025-03-21", -1, iv=0.2)
        >>> _ = book.update({"SPY": MarketState(spot=460.0, date="2025-02-19")})
        >>> grid = book.scenario_grid([-0.05, 0.0, 0.05], [0.0, 0.05])
        >>> grid.pnl.shape, abs(float(grid.total[1, 0])) < 1e-9  # no move, no vol shift: no P&L
        ((3, 2, 1), True)
        >>> bool(grid.total[0, 1] < grid.total[2, 0])  # down and vol up hurts a short put
        True
        """
        moves = _grid_axis(spot_moves, "spot_moves", low=-1.0)
        dvols = _grid_axis(vol_moves, "vol_moves", low=-math.inf)
        out = self.scenario_pnl(moves, dvols)
        used = sorted(set(self._rec["underlying"].tolist()))
        return ScenarioGrid(moves, dvols, tuple(self._names[u] for u in used), out[:, :, used])

    def scenario_pnl(
        self,
        spot_moves: npt.ArrayLike | None = None,
        vol_moves: npt.ArrayLike | None = None,
        rec: np.ndarray[Any, np.dtype[Any]] | None = None,
    ) -> Float64Array:
        """The grid P&L of the open legs (or of the records ``rec`` valued in this
        portfolio's market) as an array ``(n_spot, n_vol, n_names)`` over every
        underlying name (zeros where there are no legs)."""
        moves = _grid_axis(spot_moves, "spot_moves", low=-1.0)
        dvols = _grid_axis(vol_moves, "vol_moves", low=-math.inf)
        legs = self._rec if rec is None else rec
        ids = self._ids if rec is None else np.arange(legs.shape[0], dtype=np.int64)
        risk = self.leg_risk(rec)
        if np.isnan(risk).any():
            first = int(ids[np.isnan(risk).any(axis=1)][0])
            msg = f"position {first} has no implied vol: its scenario P&L is undefined"
            raise ValueError(msg)
        tau = self._tau(legs, ids)
        spot, rate, div, _ = self._market_arrays()
        order, offsets = self._grouped(legs)
        n_names = len(self._names)
        cube = np.zeros((n_names, dvols.shape[0], moves.shape[0]))
        _kp.scenario_grid_nb(
            np.ascontiguousarray(legs["kind"][order]),
            (legs["units"] * legs["multiplier"])[order],
            np.ascontiguousarray(legs["strike"][order]),
            tau[order],
            np.ascontiguousarray(legs["vol"][order]),
            offsets,
            spot,
            rate,
            div,
            np.ascontiguousarray(risk[order, 0]),
            moves,
            dvols,
            cube,
        )
        return np.ascontiguousarray(cube.transpose(2, 1, 0))

    def _grouped(
        self, legs: np.ndarray[Any, np.dtype[Any]]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
        """The order that groups ``legs`` by underlying (rows in order within one) and
        the group offsets per underlying name."""
        und = np.ascontiguousarray(legs["underlying"]).astype(np.int64)
        order = np.argsort(und, kind="stable")
        n_names = len(self._names)
        offsets = np.zeros(n_names + 1, dtype=np.int64)
        np.cumsum(np.bincount(und, minlength=n_names), out=offsets[1:])
        return order, offsets

    def value_at_risk(
        self,
        cov: npt.ArrayLike,
        underlyings: Sequence[str],
        *,
        horizon: float = 1.0 / 252.0,
        confidence: float | Sequence[float] = 0.99,
        n_scenarios: int = 10_000,
        seed: int | np.random.SeedSequence | None = None,
        drift: Mapping[str, float] | None = None,
    ) -> RiskMeasures:
        """Monte Carlo VaR and expected shortfall of the whole book by full revaluation in
        correlated scenarios of its underlyings.

        Each scenario moves every underlying by a correlated GBM step over ``horizon``:
        ``ln(S_h / S) = (mu - sigma^2 / 2) h + sqrt(h) (L z)`` with ``L L' = cov``;
        every option is repriced with ``horizon`` less time at its own (held) implied
        vol by the hoisted BSM revaluation of :mod:`fastopt.kernels.var` (the kernel of
        :func:`fastopt.portfolio_risk`), stock at the new spot.

        Parameters
        ----------
        cov : array (n, n)
            Annualised covariance of the log-returns of ``underlyings`` (symmetric
            positive semi-definite); every underlying the book holds must be among them.
        underlyings : sequence of str
            The names of ``cov``'s rows.
        horizon : float, default 1/252
            Years (> 0).
        confidence : float or sequence of float, default 0.99
            Levels in (0, 1).
        n_scenarios : int, default 10,000
        seed : int or numpy.random.SeedSequence, optional
            The same seed gives the same numbers.
        drift : mapping of str to float, optional
            Annual drift ``mu`` per underlying; default ``rate - div`` (risk-neutral).

        Returns
        -------
        fastopt.risk_measures.RiskMeasures
            ``spot_scenarios`` is ``(n_scenarios, n)``, in the order of ``underlyings``.

        Examples
        --------
        >>> from fastopt.risk import MarketState, Portfolio
        >>> book = Portfolio()
        >>> _ = book.add_stock("A", 100); _ = book.add_stock("B", 100)
        >>> _ = book.update({"A": MarketState(100.0, "2025-01-02"),
        ...                  "B": MarketState(100.0, "2025-01-02")})
        >>> cov = [[0.04, 0.0], [0.0, 0.04]]  # 20 % vols, uncorrelated
        >>> r = book.value_at_risk(cov, ["A", "B"], n_scenarios=100_000, seed=1)
        >>> bool(abs(r.var - 2.326 * 0.2 / 252 ** 0.5 * 100 * 100 * 2 ** 0.5) < 15)
        True
        """
        from fastopt.risk_measures import from_pnl

        names = list(underlyings)
        c = _covariance(cov, names)
        missing = [n for n in self.underlyings if n not in names]
        if missing:
            msg = f"`underlyings` leaves out {missing}: their risk would count as zero"
            raise ValueError(msg)
        h = real_number(horizon, "horizon")
        if h <= 0.0:
            msg = f"`horizon` must be > 0 years, got {h!r}"
            raise ValueError(msg)
        if isinstance(n_scenarios, bool) or not isinstance(n_scenarios, int | np.integer):
            msg = f"`n_scenarios` must be an int >= 2, got {n_scenarios!r}"
            raise TypeError(msg)
        if not 2 <= int(n_scenarios) <= 10_000_000:
            msg = f"`n_scenarios` must be in [2, 10,000,000], got {n_scenarios!r}"
            raise ValueError(msg)
        n = int(n_scenarios)
        risk = self.leg_risk()
        if np.isnan(risk).any():
            first = int(self._ids[np.isnan(risk).any(axis=1)][0])
            msg = f"position {first} has no implied vol: the VaR is undefined"
            raise ValueError(msg)
        log_ret, steps = self.scenario_log_returns(c, names, horizon=h, n_scenarios=n,
                                                   seed=seed, drift=drift)  # fmt: skip
        pnl = self.scenario_pnl_paths(log_ret, h)
        spot, _, _, _ = self._market_arrays()
        index = [self._index.get(m, -1) for m in names]
        spots = np.where(np.asarray(index) >= 0, spot[np.maximum(index, 0)], np.nan)
        return from_pnl(
            pnl,
            confidence=confidence,
            method="full",
            horizon=h,
            value=float(risk[:, 0].sum()),
            spot_scenarios=spots * np.exp(steps),
        )

    def scenario_log_returns(
        self,
        cov: npt.ArrayLike,
        underlyings: Sequence[str],
        *,
        horizon: float,
        n_scenarios: int,
        seed: int | np.random.SeedSequence | None,
        drift: Mapping[str, float] | None = None,
    ) -> tuple[Float64Array, Float64Array]:
        """Correlated log-returns of ``underlyings`` over ``horizon`` (a GBM step with
        drift ``rate - div`` or ``drift``): ``(per name (n_names, n), per column of cov
        (n, k))`` -- names outside ``underlyings`` do not move."""
        names = list(underlyings)
        c = _covariance(cov, names)
        _, rate, div, _ = self._market_arrays()
        index = [self._index.get(m, -1) for m in names]
        mu = np.array(
            [
                real_number((drift or {}).get(m, rate[i] - div[i] if i >= 0 else 0.0), "drift")
                for m, i in zip(names, index, strict=True)
            ]
        )
        values, vectors = np.linalg.eigh(c)
        root = vectors * np.sqrt(np.clip(values, 0.0, None))  # root @ root.T == cov
        z = np.random.default_rng(seed).standard_normal((n_scenarios, len(names)))
        sigma = np.sqrt(np.diag(c))
        # correlated standard normals per underlying; the GBM step is the VaR kernel's
        zc = (z @ root.T) / np.where(sigma > 0.0, sigma, 1.0)
        steps = np.empty((n_scenarios, len(names)))
        spot_h = np.empty(n_scenarios)
        for k in range(len(names)):
            _kv.scenario_spots_nb(1.0, np.ascontiguousarray(zc[:, k]), float(mu[k]),
                                  float(sigma[k]), horizon, steps[:, k], spot_h)  # fmt: skip
        log_ret = np.zeros((len(self._names), n_scenarios))
        for k, i in enumerate(index):
            if i >= 0:
                log_ret[i] = steps[:, k]
        return log_ret, steps

    def scenario_pnl_paths(
        self,
        log_ret: Float64Array,
        horizon: float,
        rec: np.ndarray[Any, np.dtype[Any]] | None = None,
    ) -> Float64Array:
        """Full-revaluation P&L (n_scenarios,) of the open legs (or of ``rec``) when the
        underlyings move by ``log_ret`` (n_names, n) over ``horizon`` years
        (:func:`~fastopt.kernels.portfolio.scenario_pnl_nb`)."""
        legs = self._rec if rec is None else rec
        ids = self._ids if rec is None else np.arange(legs.shape[0], dtype=np.int64)
        risk = self.leg_risk(rec)
        if np.isnan(risk).any():
            first = int(ids[np.isnan(risk).any(axis=1)][0])
            msg = f"position {first} has no implied vol: the VaR is undefined"
            raise ValueError(msg)
        spot, rate, div, _ = self._market_arrays()
        order, offsets = self._grouped(legs)
        tau = self._tau(legs, ids)
        n_names = len(self._names)
        lr = np.zeros((n_names, log_ret.shape[1]))
        lr[: log_ret.shape[0]] = log_ret
        out = np.empty((n_names, log_ret.shape[1]))
        _kp.scenario_pnl_nb(
            np.ascontiguousarray(legs["kind"][order]),
            (legs["units"] * legs["multiplier"])[order],
            np.ascontiguousarray(legs["strike"][order]),
            tau[order],
            np.ascontiguousarray(legs["vol"][order]),
            offsets,
            np.nan_to_num(spot, nan=1.0),  # names without a market hold no legs here
            rate,
            div,
            lr,
            horizon,
            out,
        )
        return np.ascontiguousarray(out.sum(axis=0))

    def beta_weighted_delta(
        self, betas: Mapping[str, float], benchmark_spot: float
    ) -> dict[str, float]:
        """Delta in shares of a benchmark: ``sum over underlyings of beta x dollar delta /
        benchmark_spot``; returns ``{"delta": ..., "dollar_delta": ...}`` (the dollar
        delta is ``sum of beta x dollar delta``).

        Examples
        --------
        >>> from fastopt.risk import MarketState, Portfolio
        >>> book = Portfolio()
        >>> _ = book.add_stock("AAPL", 100)
        >>> _ = book.update({"AAPL": MarketState(spot=200.0, date="2025-01-02")})
        >>> book.beta_weighted_delta({"AAPL": 1.2}, benchmark_spot=600.0)
        {'delta': 40.0, 'dollar_delta': 24000.0}
        """
        bench = real_number(benchmark_spot, "benchmark_spot")
        if bench <= 0.0:
            msg = f"`benchmark_spot` must be > 0, got {bench!r}"
            raise ValueError(msg)
        per_und = self.risk_by_underlying()
        dollar = 0.0
        for name in self.underlyings:
            if name not in betas:
                msg = f"`betas` has no beta for {name!r}"
                raise KeyError(msg)
            beta = real_number(betas[name], f"betas[{name!r}]")
            dollar += beta * float(per_und[self._index[name], 2])
        return {"delta": dollar / bench, "dollar_delta": dollar}

    def delta_normal_vol(self, cov: npt.ArrayLike, underlyings: Sequence[str]) -> float:
        """Delta-normal volatility of the portfolio's P&L (money): ``sqrt(d' C d)`` with
        ``d`` the dollar deltas of ``underlyings`` and ``C`` the covariance of their
        returns over the horizon of interest (e.g. daily).

        Examples
        --------
        >>> from fastopt.risk import MarketState, Portfolio
        >>> book = Portfolio()
        >>> _ = book.add_stock("A", 100); _ = book.add_stock("B", -50)
        >>> _ = book.update({"A": MarketState(100.0, "2025-01-02"),
        ...                  "B": MarketState(200.0, "2025-01-02")})
        >>> round(book.delta_normal_vol([[0.0001, 0.00005], [0.00005, 0.0001]], ["A", "B"]), 2)
        100.0
        """
        names = list(underlyings)
        c = _covariance(cov, names)
        missing = [n for n in self.underlyings if n not in names]
        if missing:
            msg = f"`underlyings` leaves out {missing}: their risk would count as zero"
            raise ValueError(msg)
        per_und = self.risk_by_underlying()
        d = np.array([per_und[self._index[n], 2] if n in self._index else 0.0 for n in names])
        return float(_kp.delta_normal_vol_nb(d, c))


def _covariance(cov: npt.ArrayLike, names: list[str]) -> Float64Array:
    """``cov`` as a checked symmetric positive semi-definite ``len(names)`` square matrix."""
    c = np.ascontiguousarray(np.asarray(cov, dtype=np.float64))
    if c.shape != (len(names), len(names)):
        msg = f"`cov` must be {len(names)} x {len(names)} (one row per underlying), got {c.shape}"
        raise ValueError(msg)
    if not np.isfinite(c).all() or not np.allclose(c, c.T):
        msg = "`cov` must be a finite symmetric covariance matrix"
        raise ValueError(msg)
    if np.linalg.eigvalsh(c).min() < -1e-12 * max(1.0, float(np.abs(c).max())):
        msg = "`cov` must be a symmetric positive semi-definite covariance matrix"
        raise ValueError(msg)
    return c


def _check_units(rec: np.ndarray[Any, np.dtype[Any]]) -> None:
    units = rec["units"]
    if np.isfinite(units).all() and units.all():  # the common case: one pass each
        return
    zero = np.flatnonzero(units == 0.0)
    if zero.size:
        msg = f"leg {int(zero[0])} has a quantity of 0: nothing to hold"
        raise ValueError(msg)
    if not np.isfinite(rec["units"]).all():
        msg = "a position's quantity must be finite"
        raise ValueError(msg)


def _price(value: object) -> float:
    """An entry price per share: NaN (unknown) or a finite number >= 0."""
    if isinstance(value, float) and math.isnan(value):
        return math.nan
    p = real_number(value, "entry_price")
    if p < 0.0:
        msg = f"`entry_price` must be >= 0 (a price per share), got {p!r}"
        raise ValueError(msg)
    return p


def _vol(value: object, name: str) -> float:
    v = real_number(value, name)
    if v < 0.0:
        msg = f"`{name}` must be >= 0, got {v!r}"
        raise ValueError(msg)
    return v


_DEFAULT_MOVES = np.linspace(-0.1, 0.1, 21)


def _grid_axis(values: npt.ArrayLike | None, name: str, *, low: float) -> Float64Array:
    """A grid axis (default: 21 moves from -0.1 to 0.1), checked."""
    if values is None:
        return _DEFAULT_MOVES.copy()
    arr = np.ascontiguousarray(np.asarray(values, dtype=np.float64).reshape(-1))
    if arr.size == 0 or not np.isfinite(arr).all():
        msg = f"`{name}` must be a non-empty array of finite numbers"
        raise ValueError(msg)
    if (arr <= low).any():
        msg = f"`{name}` must be > {low} (a move of -100 % leaves no spot)"
        raise ValueError(msg)
    return arr
