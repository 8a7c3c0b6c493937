"""Hedge suggestions: delta-neutral with the underlying, delta-gamma and delta-gamma-vega
neutral with chosen options, in whole contracts and lots, ranked by cost.

The Greeks of the book and of every instrument come from the portfolio's one risk kernel
(:meth:`fastopt.risk.Portfolio.leg_risk`) in the portfolio's market. For the option part
the linear system ``A q = -b`` is solved (``A``: gamma and vega per contract of the
chosen instruments, ``b``: the book's), for every set of as many instruments as there
are option targets, and the contracts are rounded to whole numbers; the stock then
neutralises the delta that is left, rounded to lots. Rounding leaves residuals of at
most ``tolerance`` (stated on each suggestion): half a lot of delta for the stock, half
a contract of each instrument for the option Greeks.

Examples
--------
>>> from fastopt.risk import MarketState, Portfolio
>>> from fastopt.risk.hedging import HedgeInstrument, delta_hedge, hedge_suggestions
>>> book = Portfolio()
>>> _ = book.add_option("SPY", "put", 450.0, "2025-03-21", -10, iv=0.2)
>>> _ = book.update({"SPY": MarketState(spot=460.0, date="2025-02-19")})
>>> hedge = delta_hedge(book, "SPY", lot=10)
>>> hedge.trades[0].quantity, round(hedge.residual["delta"], 2)  # short 340 shares
(-340.0, 0.17)
>>> calls = [HedgeInstrument("call", 470.0, "2025-03-21", iv=0.19, half_spread=0.05),
...          HedgeInstrument("put", 440.0, "2025-03-21", iv=0.21, half_spread=0.05)]
>>> best = hedge_suggestions(book, "SPY", calls, targets=("delta", "gamma"))[0]
>>> abs(best.residual["gamma"]) <= best.tolerance["gamma"]
True
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fastopt._validate import as_date, check_choice, real_number
from fastopt.kernels import portfolio as _kp
from fastopt.risk.portfolio import Portfolio

__all__ = ["HedgeInstrument", "HedgeSuggestion", "HedgeTrade", "delta_hedge", "hedge_suggestions"]

_COL = {name: i for i, name in enumerate(_kp.RISK_FIELDS)}
_TARGETS = ("delta", "gamma", "vega")


@dataclass(frozen=True, slots=True)
class HedgeInstrument:
    """An option that may be traded to hedge: kind, strike, expiry, IV and the half
    spread (per share) paid to trade it.

    Examples
    --------
    >>> from fastopt.risk.hedging import HedgeInstrument
    >>> HedgeInstrument("call", 470.0, "2025-03-21", iv=0.19).multiplier
    100.0
    """

    kind: str
    strike: float
    expiry: dt.date
    iv: float
    half_spread: float = 0.0
    multiplier: float = 100.0

    def __post_init__(self) -> None:
        check_choice(self.kind, "kind", ("call", "put"))
        object.__setattr__(self, "expiry", as_date(self.expiry, "expiry"))
        for name in ("strike", "iv", "half_spread", "multiplier"):
            x = real_number(getattr(self, name), name)
            if x < 0.0 or (x == 0.0 and name in ("strike", "iv", "multiplier")):
                low = ">= 0" if name == "half_spread" else "> 0"
                msg = f"`{name}` must be {low}, got {x!r}"
                raise ValueError(msg)
            object.__setattr__(self, name, x)

    @property
    def label(self) -> str:
        """``"call 470 2025-03-21"``."""
        return f"{self.kind} {self.strike:g} {self.expiry}"

    def record(self, quantity: float = 1.0) -> np.ndarray[Any, np.dtype[Any]]:
        """The instrument as a leg record of ``quantity`` contracts."""
        return Portfolio.option_record(
            self.kind, self.strike, self.expiry, quantity, iv=self.iv, multiplier=self.multiplier
        )


@dataclass(frozen=True, slots=True)
class HedgeTrade:
    """One trade of a hedge: ``quantity`` contracts (or shares) of ``instrument``."""

    instrument: str  # "stock" or HedgeInstrument.label
    quantity: float
    cost: float  # half spread x |quantity| x multiplier (money)


@dataclass(frozen=True)
class HedgeSuggestion:
    """A hedge, its cost and the Greeks of the book once it is traded.

    Attributes
    ----------
    targets : tuple of str
        The Greeks it neutralises.
    trades : tuple of HedgeTrade
        What to trade (options first, then the stock).
    cost : float
        The spread paid (money).
    residual : dict of str to float
        ``delta`` (shares), ``gamma`` (shares per point) and ``vega`` (money per vol
        point) of the underlying's book after the hedge.
    tolerance : dict of str to float
        The largest residual rounding can leave on each target.
    legs : numpy.ndarray
        The hedge as leg records (:meth:`apply` adds them).
    """

    underlying: str
    targets: tuple[str, ...]
    trades: tuple[HedgeTrade, ...]
    cost: float
    residual: dict[str, float]
    tolerance: dict[str, float]
    legs: np.ndarray[Any, np.dtype[Any]] = field(repr=False)

    def apply(self, portfolio: Portfolio) -> tuple[int, ...]:
        """Add the hedge's legs to ``portfolio`` (one group); returns their ids."""
        return portfolio.add_legs(self.legs, self.underlying)


def _lot(value: object) -> float:
    lot = real_number(value, "lot")
    if lot <= 0.0:
        msg = f"`lot` must be > 0 shares, got {lot!r}"
        raise ValueError(msg)
    return lot


def _book_greeks(portfolio: Portfolio, underlying: str) -> np.ndarray[Any, np.dtype[Any]]:
    if underlying not in portfolio.underlying_names:
        msg = f"the portfolio holds nothing on {underlying!r}"
        raise KeyError(msg)
    row = portfolio.underlying_names.index(underlying)
    sums = np.asarray(portfolio.risk_by_underlying()[row], dtype=np.float64)
    if np.isnan(sums).any():
        msg = f"the risk of {underlying!r} is undefined (a position has no implied vol)"
        raise ValueError(msg)
    return sums


def _stock(delta: float, lot: float, half_spread: float) -> tuple[float, float]:
    shares = -round(delta / lot) * lot
    return float(shares) + 0.0, abs(shares) * half_spread


def _suggestion(
    portfolio: Portfolio,
    underlying: str,
    targets: tuple[str, ...],
    options: Sequence[tuple[HedgeInstrument, float]],
    book: np.ndarray[Any, np.dtype[Any]],
    lot: float,
    stock_half_spread: float,
    tolerance: dict[str, float],
) -> HedgeSuggestion:
    parts = []
    trades = []
    after = book.copy()
    for inst, q in options:
        if q == 0.0:
            continue
        rec = _on(inst.record(q), portfolio, underlying)
        risk = portfolio.leg_risk(rec)
        # traded at the model price plus (buying) or minus (selling) the half spread
        rec["premium"] = risk[0, _COL["value"]] / (q * inst.multiplier) + math.copysign(
            inst.half_spread, q
        )
        parts.append(rec)
        trades.append(HedgeTrade(inst.label, q, abs(q) * inst.multiplier * inst.half_spread))
        after += risk[0]
    if "delta" in targets:
        shares, cost = _stock(float(after[_COL["delta"]]), lot, stock_half_spread)
        if shares != 0.0:
            spot = portfolio.market(underlying).spot
            stock = _on(Portfolio.stock_record(shares, entry_price=spot), portfolio, underlying)
            stock["premium"] = spot + math.copysign(stock_half_spread, shares)
            parts.append(stock)
            trades.append(HedgeTrade("stock", shares, cost))
            after += portfolio.leg_risk(stock)[0]
    legs = np.concatenate(parts) if parts else Portfolio.stock_record(1.0)[:0]
    residual = {t: float(after[_COL[t]]) for t in _TARGETS}
    return HedgeSuggestion(
        underlying,
        targets,
        tuple(trades),
        float(sum(t.cost for t in trades)),
        residual,
        tolerance,
        legs,
    )


def _on(
    rec: np.ndarray[Any, np.dtype[Any]], portfolio: Portfolio, underlying: str
) -> np.ndarray[Any, np.dtype[Any]]:
    out = rec.copy()
    out["underlying"] = portfolio.underlying_names.index(underlying)
    return out


def delta_hedge(
    portfolio: Portfolio, underlying: str, *, lot: float = 1.0, half_spread: float = 0.0
) -> HedgeSuggestion:
    """Shares of the underlying that make its book delta-neutral, rounded to ``lot``.

    Parameters
    ----------
    portfolio : Portfolio
        The book, its market set.
    underlying : str
        Which underlying's book to hedge.
    lot : float, default 1
        Shares per lot (the stock is traded in whole lots).
    half_spread : float, default 0
        Half the stock's bid-ask spread (money per share): the cost of the hedge.

    Returns
    -------
    HedgeSuggestion
        One stock trade (none when the delta is within half a lot); the residual delta
        is at most ``lot / 2`` shares.

    Examples
    --------
    >>> from fastopt.risk import MarketState, Portfolio
    >>> from fastopt.risk.hedging import delta_hedge
    >>> book = Portfolio()
    >>> _ = book.add_option("SPY", "call", 460.0, "2025-03-21", 5, iv=0.2)
    >>> _ = book.update({"SPY": MarketState(spot=460.0, date="2025-02-19")})
    >>> h = delta_hedge(book, "SPY", lot=100, half_spread=0.01)
    >>> h.trades[0].quantity, h.cost, abs(h.residual["delta"]) <= 50
    (-300.0, 3.0, True)
    """
    book = _book_greeks(portfolio, underlying)
    lot_size = _lot(lot)
    spread = real_number(half_spread, "half_spread")
    if spread < 0.0:
        msg = f"`half_spread` must be >= 0, got {spread!r}"
        raise ValueError(msg)
    tol = {"delta": lot_size / 2.0}
    return _suggestion(portfolio, underlying, ("delta",), (), book, lot_size, spread, tol)


def hedge_suggestions(
    portfolio: Portfolio,
    underlying: str,
    instruments: Sequence[HedgeInstrument],
    *,
    targets: Sequence[str] = ("delta", "gamma"),
    lot: float = 1.0,
    stock_half_spread: float = 0.0,
) -> tuple[HedgeSuggestion, ...]:
    """Hedges that neutralise ``targets`` of an underlying's book, cheapest first.

    For every set of as many ``instruments`` as there are option targets (``gamma``,
    ``vega``), the contracts that zero those Greeks are solved for and rounded to whole
    contracts; with ``delta`` among the targets, stock in whole lots then neutralises the
    delta that is left. Sets whose system is singular are skipped.

    Parameters
    ----------
    portfolio : Portfolio
        The book, its market set.
    underlying : str
        Which underlying's book to hedge.
    instruments : sequence of HedgeInstrument
        The options that may be traded (valued at their own IV in the book's market).
    targets : sequence of {"delta", "gamma", "vega"}, default ("delta", "gamma")
        The Greeks to neutralise (at least one option Greek; ``("delta",)`` alone is
        :func:`delta_hedge`).
    lot : float, default 1
        Shares per lot of the stock hedge.
    stock_half_spread : float, default 0
        Half the stock's spread (money per share).

    Returns
    -------
    tuple of HedgeSuggestion
        Ranked by cost, then by the size of the residuals.

    Raises
    ------
    ValueError
        Unknown or repeated targets, fewer instruments than option targets, no
        instrument set that can neutralise the targets.

    Examples
    --------
    >>> from fastopt.risk import MarketState, Portfolio
    >>> from fastopt.risk.hedging import HedgeInstrument, hedge_suggestions
    >>> book = Portfolio()
    >>> _ = book.add_option("SPY", "put", 450.0, "2025-03-21", -20, iv=0.2)
    >>> _ = book.update({"SPY": MarketState(spot=460.0, date="2025-02-19")})
    >>> opts = [HedgeInstrument("put", 450.0, "2025-04-17", iv=0.2, half_spread=0.1),
    ...         HedgeInstrument("call", 470.0, "2025-03-21", iv=0.19, half_spread=0.1)]
    >>> ranked = hedge_suggestions(book, "SPY", opts, targets=("delta", "gamma", "vega"))
    >>> len(ranked), [t.instrument for t in ranked[0].trades][:2]
    (1, ['put 450 2025-04-17', 'call 470 2025-03-21'])
    >>> best = ranked[0]
    >>> all(abs(best.residual[g]) <= best.tolerance[g] for g in ("delta", "gamma", "vega"))
    True
    """
    names = tuple(targets)
    for t in names:
        check_choice(t, "targets", _TARGETS)
    if len(set(names)) != len(names):
        msg = f"`targets` repeats a Greek: {names}"
        raise ValueError(msg)
    greeks = [t for t in _TARGETS[1:] if t in names]
    if not greeks:
        msg = "`targets` needs gamma and/or vega (for delta alone use delta_hedge)"
        raise ValueError(msg)
    insts = list(instruments)
    for i, inst in enumerate(insts):
        if not isinstance(inst, HedgeInstrument):
            msg = f"`instruments[{i}]` must be a HedgeInstrument, got {type(inst).__name__}"
            raise TypeError(msg)
    if len(insts) < len(greeks):
        msg = (
            f"{len(greeks)} option Greek(s) to neutralise need as many instruments, "
            f"got {len(insts)}"
        )
        raise ValueError(msg)
    book = _book_greeks(portfolio, underlying)
    lot_size = _lot(lot)
    spread = real_number(stock_half_spread, "stock_half_spread")
    per = portfolio.leg_risk(
        _on(np.concatenate([inst.record(1.0) for inst in insts]), portfolio, underlying)
    )
    cols = [_COL[g] for g in greeks]
    out = []
    for combo in itertools.combinations(range(len(insts)), len(greeks)):
        a = per[np.ix_(list(combo), cols)].T  # rows: Greeks, columns: instruments
        if abs(np.linalg.det(a)) < 1e-12 * max(1.0, float(np.abs(a).max()) ** len(greeks)):
            continue
        q = np.rint(np.linalg.solve(a, -book[cols]))
        tol = {g: 0.5 * float(np.abs(a[r]).sum()) for r, g in enumerate(greeks)}
        if "delta" in names:
            tol["delta"] = lot_size / 2.0
        chosen = [(insts[i], float(q[k]) + 0.0) for k, i in enumerate(combo)]
        out.append(_suggestion(portfolio, underlying, names, chosen, book, lot_size, spread, tol))
    if not out:
        msg = "no set of `instruments` can neutralise the targets (their Greeks are collinear)"
        raise ValueError(msg)

    def rank(s: HedgeSuggestion) -> tuple[float, float]:
        scale = sum(abs(s.residual[t]) / max(s.tolerance[t], 1e-300) for t in names)
        return (s.cost, scale if math.isfinite(scale) else math.inf)

    return tuple(sorted(out, key=rank))
