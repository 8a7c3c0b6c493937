"""Margin of a :class:`~fastopt.strategies.strategy.Strategy`: strategy-based
(Reg T / Cboe) requirements and a TIMS-style portfolio-margin risk array.

Strategy-based margin (:func:`margin`) follows the exchange minimums of Cboe
Rule 10.3 / FINRA 4210 as summarised in the Cboe margin manual; brokers add
house requirements on top. Notation: ``S`` the underlying price
(``strategy.spot``), ``K`` a strike, ``P`` an option's premium per share (the
leg's ``premium``: the trade price, or the theoretical value when it was
omitted), ``m`` the multiplier, ``q`` contracts.

- Long options are paid in full; in a margin account an option with more than
  9 months to expiry (expiry after ``asof`` + 9 calendar months) needs 75 % of
  its cost (maintenance 75 % of its value).
- A naked short call needs ``m q [P + max(pct S - OTM, 10% S)]``, a naked short
  put ``m q [P + max(pct S - OTM, 10% K)]``, with ``pct`` = 20 % (equity,
  narrow-based index), 15 % (broad-based index); a leveraged ETF multiplies
  both percentages by its leverage factor (15 % base: broad-index products
  such as TQQQ; pass ``underlying="narrow_index", leverage=L`` for a leveraged
  narrow-index product).
- A short call and a short put together (straddle, strangle) need the larger
  of the two naked requirements plus the premium of the other side.
- A fully covered same-expiry combination (verticals, iron condors and
  butterflies, butterflies, boxes, any "universal spread") needs its maximum
  loss at expiry, computed at every strike and at 0 by
  :func:`fastopt.kernels.margin.expiry_worst_value_nb`; a vertical credit
  spread needs the lesser of that and the short leg's naked requirement.
  Excess short options (ratio spreads) are charged naked.
- Stock: Reg T 50 % initial; maintenance 25 % long, 30 % short. A covered call
  carries nothing on the call and the stock counts at no more than the call
  strike; a covered put adds the put's in-the-money amount; collar and
  protective put/call use the Cboe hedged maintenance.
- Calendars and diagonals: when the long expires at or after the short, the
  short's requirement is ``max(K_long - K_short, 0)`` for calls
  (``max(K_short - K_long, 0)`` for puts) and the long is paid in full;
  when the long expires first, the short is naked and the long is paid.
- Anything else (a multi-expiry combination that is no calendar, diagonal or
  double calendar/diagonal) gets the conservative rule: the worst loss at
  expiry evaluated at every strike and at 0, long options that expire before a
  short leg count as no cover, unlimited-loss legs are charged naked;
  ``conservative=True`` and the note says so.

Where several treatments are valid (which short options form the naked
excess of a ratio; a spread or a naked short plus a paid long), the one with
the smallest buying-power reduction is used, as a broker's optimiser would.
A cash account pays long options and stock in full, secures short puts with
cash and refuses naked calls and short stock.

``buying_power_reduction`` is the cash the position ties up (tastytrade's
BPR): the requirement minus the option proceeds applied to it, plus what long
legs cost; for a debit trade it is the debit.

:func:`portfolio_margin` revalues the position at 10 moves of the underlying
(Cboe Rule 10.4 / OCC TIMS ranges) and charges the largest loss.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from fastopt._typing import FloatArray
from fastopt._validate import check_choice, readonly, real_number
from fastopt.kernels import margin as mk
from fastopt.kernels import strategy as sk
from fastopt.strategies.leg import KIND_CODE, LegArrays

if TYPE_CHECKING:
    from fastopt.strategies.strategy import Strategy

__all__ = [
    "ACCOUNTS",
    "PM_PRODUCTS",
    "UNDERLYINGS",
    "MarginResult",
    "PortfolioMarginResult",
    "add_months",
    "margin",
    "portfolio_margin",
]

Account = Literal["margin", "cash"]
Underlying = Literal["equity", "narrow_index", "broad_index", "leveraged_etf"]
PMProduct = Literal["equity", "narrow_index", "broad_index", "high_cap_index"]

ACCOUNTS: tuple[str, ...] = ("margin", "cash")
UNDERLYINGS: tuple[str, ...] = ("equity", "narrow_index", "broad_index", "leveraged_etf")
PM_PRODUCTS: tuple[str, ...] = ("equity", "narrow_index", "broad_index", "high_cap_index")

NAKED_PCT: dict[str, float] = {
    "equity": 0.20,
    "narrow_index": 0.20,
    "broad_index": 0.15,
    "leveraged_etf": 0.15,
}
"""Share of the underlying a naked short option adds (before the leverage factor)."""
NAKED_MIN_PCT = 0.10
"""Minimum: 10 % of the underlying (calls) or of the strike (puts), times the leverage."""
STOCK_INITIAL = 0.50
"""Reg T initial margin of stock, long or short (beyond the short-sale proceeds)."""
LONG_STOCK_MAINTENANCE = 0.25
SHORT_STOCK_MAINTENANCE = 0.30
LEAPS_MONTHS = 9
LEAPS_FRACTION = 0.75
"""Long options expiring more than 9 months after ``asof`` need 75 % of their cost."""
HEDGE_STRIKE_PCT = 0.10
"""Collar / protective put or call maintenance: 10 % of the option's strike + its OTM amount."""

PM_RANGES: dict[str, tuple[float, float]] = {
    "equity": (-0.15, 0.15),
    "narrow_index": (-0.15, 0.15),
    "broad_index": (-0.10, 0.10),
    "high_cap_index": (-0.08, 0.06),
}
"""Portfolio-margin valuation range (lowest, highest move) per product class."""
PM_POINTS_PER_SIDE = 5
PM_MIN_PER_CONTRACT = 0.375
"""Portfolio-margin minimum per option contract, times the multiplier ($37.50 for 100)."""

_TOL = 1e-9


# ----------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class MarginResult:
    """Strategy-based margin of one position, in dollars.

    Attributes
    ----------
    initial : float
        Initial requirement (Reg T / Cboe exchange minimum).
    maintenance : float
        Maintenance requirement (equals ``initial`` for option-only positions
        opened at the current prices; lower for stock and long-dated options).
    buying_power_reduction : float
        Cash the position ties up: the requirement minus the option proceeds
        applied to it, plus what the long legs cost (tastytrade's BPR). For a
        debit trade, the debit.
    strategy_type : str
        How the position was classified, e.g. ``"iron_condor"``,
        ``"short_strangle"``, ``"vertical_credit"``, ``"covered_call"``,
        ``"collar"``, ``"calendar"``, ``"ratio_spread"``, ``"naked_put"``,
        ``"long_options"``, or ``"worst_case"`` for the conservative fallback.
    components : tuple of (str, float)
        What makes up ``initial``: a description and an amount per part (the
        amounts add up to ``initial``).
    conservative : bool
        True when the combination could not be classified and the
        conservative rule was applied (see :mod:`fastopt.strategies.margin`).
    note : str
        Assumptions worth knowing (house rules, the LEAPS cut-off, ...).
    """

    initial: float
    maintenance: float
    buying_power_reduction: float
    strategy_type: str
    components: tuple[tuple[str, float], ...]
    conservative: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class PortfolioMarginResult:
    """TIMS-style portfolio margin: the largest loss over a grid of underlying moves.

    Attributes
    ----------
    requirement : float
        ``max(largest loss, minimum)`` in dollars.
    moves : ndarray, shape (10,)
        Relative moves of the underlying, 5 down then 5 up (e.g. -0.15 ... +0.15).
    spots : ndarray, shape (10,)
        ``spot * (1 + moves)``.
    pnl : ndarray, shape (10,)
        Change of the position's value at each move (worst over the vol scenarios),
        relative to its value now; the risk array.
    pnl_by_vol : ndarray, shape (n_vol, 10)
        The same per vol scenario (rows follow ``vol_factors``).
    vol_factors : tuple of float
        Multipliers applied to every leg's vol: ``(1.0,)``, or
        ``(1 - vol_shock, 1.0, 1 + vol_shock)``.
    worst_move : float
        The move where the loss is largest.
    minimum : float
        ``$0.375 x multiplier`` per option contract.
    product : str
        The product class that set the range.
    """

    requirement: float
    moves: FloatArray
    spots: FloatArray
    pnl: FloatArray
    pnl_by_vol: FloatArray
    vol_factors: tuple[float, ...]
    worst_move: float
    minimum: float
    product: str


# ----------------------------------------------------------------------- internals
# Speed notes: ``margin`` prices several candidate decompositions per call and keeps
# the cheapest, so the candidates are priced with plain numbers only. A part is the
# tuple ``(initial, maintenance, bpr, text, args)``; its description ``text(*args)``
# is written for the winning treatment alone. Contracts are small mutable objects
# (identity hash) carrying their naked requirement per share, computed once per call.
_Text = Callable[..., str]
_Part = tuple[float, float, float, _Text, tuple[object, ...]]
_Leg = tuple[int, float, float]  # (kind code, signed units, strike) as in the kernels
_Taken = tuple[tuple["_Contract", float], ...]

_CALL = KIND_CODE["call"]
_PUT = KIND_CODE["put"]
_STOCK = KIND_CODE["stock"]


class _Ctx:
    __slots__ = ("cash", "leaps_after", "min_pct", "pct", "spot")

    def __init__(
        self, spot: float, pct: float, min_pct: float, *, cash: bool, leaps_after: dt.date
    ) -> None:
        self.spot = spot
        self.pct = pct
        self.min_pct = min_pct
        self.cash = cash
        self.leaps_after = leaps_after


class _Contract:
    """One option contract line after netting identical legs (units signed), with its
    naked requirement per share (premium included) and OTM amount under ``ctx``."""

    __slots__ = (
        "expiry",
        "is_call",
        "kind",
        "multiplier",
        "otm",
        "per",
        "premium",
        "strike",
        "units",
    )

    def __init__(
        self,
        kind: int,
        strike: float,
        expiry: dt.date,
        units: float,
        premium: float,
        multiplier: float,
        ctx: _Ctx,
    ) -> None:
        self.kind = kind
        self.is_call = kind == _CALL
        self.strike = strike
        self.expiry = expiry
        self.units = units
        self.premium = premium
        self.multiplier = multiplier
        s = ctx.spot
        self.otm = max(strike - s, 0.0) if self.is_call else max(s - strike, 0.0)
        self.per = float(
            mk.naked_requirement(self.is_call, strike, s, premium, ctx.pct, ctx.min_pct)
        )

    def label(self, units: float | None = None) -> str:
        u = self.units if units is None else units
        side = "long" if u > 0 else "short"
        tail = _tail(self.is_call, self.strike, self.expiry)
        return f"{side} {abs(u) / self.multiplier:g} {tail}"


@functools.lru_cache(maxsize=1024)
def _tail(is_call: bool, strike: float, expiry: dt.date) -> str:  # noqa: FBT001
    """The contract part of a label, e.g. ``"call 180 2024-02-13"``."""
    return f"{'call' if is_call else 'put'} {strike:g} {expiry}"


class _Treatment(NamedTuple):
    """A candidate decomposition of the option legs, with its summed BPR and initial."""

    parts: list[_Part]
    covered_calls: tuple[tuple[float, float], ...]  # (strike, units) covered by long stock
    protect: tuple[tuple[float, float], ...]  # (strike, units) long options hedging the stock
    bpr: float
    initial: float

    def beats(self, other: _Treatment | None) -> bool:
        """Lower BPR, then lower initial; equal within a micro-dollar keeps ``other``."""
        if other is None:
            return True
        if abs(self.bpr - other.bpr) > 1e-6:
            return self.bpr < other.bpr
        return self.initial < other.initial - 1e-6


def _pct(x: float) -> str:
    return f"{100.0 * x:g}%"


def _same(text: str) -> str:
    return text


def _fixed(initial: float, maintenance: float, bpr: float, text: str) -> _Part:
    """A part whose description is written right away (built once per call)."""
    return (initial, maintenance, bpr, _same, (text,))


def _texts_of(parts: Sequence[_Part]) -> tuple[tuple[str, float], ...]:
    return tuple((p[3](*p[4]), p[0]) for p in parts)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the day clipped to the month's length).

    Examples
    --------
    >>> import datetime as dt
    >>> from fastopt.strategies.margin import add_months
    >>> add_months(dt.date(2025, 5, 31), 9)
    datetime.date(2026, 2, 28)
    """
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@functools.lru_cache(maxsize=64)
def _leaps_after(asof: dt.date) -> dt.date:
    return add_months(asof, LEAPS_MONTHS)


def _merge(strategy: Strategy, ctx: _Ctx) -> tuple[list[_Contract], float, float, float]:
    """Net identical option contracts; return (contracts, shares, stock cash, residual cash)."""
    a = strategy.arrays
    groups: dict[tuple[int, float, dt.date, float], list[float]] = {}
    shares = 0.0
    stock_cash = 0.0
    for leg, kind, u, p, strike in zip(
        strategy.legs,
        a.kind.tolist(),
        a.units.tolist(),
        a.premium.tolist(),
        a.strike.tolist(),
        strict=True,
    ):
        if kind == _STOCK:
            shares += u
            stock_cash += u * p
            continue
        assert leg.expiry is not None
        assert leg.multiplier is not None
        key = (kind, strike, leg.expiry, float(leg.multiplier))
        acc = groups.get(key)
        if acc is None:
            acc = groups[key] = [0.0, 0.0]
        acc[0] += u
        acc[1] += u * p
    contracts: list[_Contract] = []
    residual = 0.0
    for (kind, strike, expiry, mult), (units, cash) in groups.items():
        if abs(units) <= _TOL:
            residual += cash
            continue
        prem = cash / units
        if prem < 0.0:  # offsetting legs at odd prices: keep the cash aside
            residual += cash
            prem = 0.0
        contracts.append(_Contract(kind, strike, expiry, units, prem, mult, ctx))
    if len(contracts) > 1:
        contracts.sort(key=_contract_order)
    if abs(shares) <= _TOL:
        shares = 0.0
    return contracts, shares, stock_cash, residual


_contract_order = operator.attrgetter("expiry", "kind", "strike")


# ------------------------------------------------------------------ part texts
def _text_naked(c: _Contract, u: float, ctx: _Ctx) -> str:
    base = "S" if c.is_call else "K"
    how = (
        f"{c.premium:.2f} + max({_pct(ctx.pct)} x {ctx.spot:g} - OTM {c.otm:.2f}, "
        f"{_pct(ctx.min_pct)} x {base}) = {c.per:.4f}/share"
    )
    return f"naked {c.label(-u)}: {how}"


def _text_pair(c: _Contract, p: _Contract, u: float) -> str:
    qc, qp = c.per, p.per
    if qc >= qp:
        why = f"call requirement {qc * u:.2f} + put premium {p.premium * u:.2f}"
    else:
        why = f"put requirement {qp * u:.2f} + call premium {c.premium * u:.2f}"
    return f"{c.label(-u)} + {p.label(-u)}, short call and put: {why}"


def _text_why(text: _Text, args: tuple[object, ...], why: str) -> str:
    return f"{text(*args)} ({why})"


def _text_paid(c: _Contract, units: float) -> str:
    return f"{c.label(units)}: paid in full"


def _text_leaps(c: _Contract, units: float) -> str:
    return f"{c.label(units)}: more than {LEAPS_MONTHS} months to expiry, 75% of its cost"


def _text_hedged(text: _Text, c: _Contract, units: float, hedge: float) -> str:
    return f"{text(c, units)}; hedges {hedge:g} shares (maintenance in the stock line)"


def _text_call_on_stock(c: _Contract, s: float) -> str:
    return f"{c.label(-s)} covered by {s:g} long shares: no requirement, proceeds applied"


def _text_put_on_stock(c: _Contract, s: float, itm: float) -> str:
    return (
        f"{c.label(-s)} covered by {s:g} short shares: in-the-money amount {itm:.2f}, "
        "proceeds applied"
    )


def _text_spread(rest: Sequence[tuple[_Contract, float]], loss: float, cost: float) -> str:
    names = ", ".join(c.label(u) for c, u in rest)
    extra = "plus the net debit" if cost > 0.0 else "option proceeds applied"
    what = "covered spread" if any(u > 0.0 for _, u in rest) else "cash-secured"
    return f"{what} ({names}): max loss at expiry {loss:.2f}, {extra}"


# ------------------------------------------------------------------ part amounts
def _naked_parts(
    calls: Sequence[tuple[_Contract, float]], puts: Sequence[tuple[_Contract, float]], ctx: _Ctx
) -> list[_Part]:
    """Naked shorts (contract, units > 0); a call and a put together use the straddle rule."""
    rc = sorted(calls, key=_minus_per) if len(calls) > 1 else calls
    rp = sorted(puts, key=_minus_per) if len(puts) > 1 else puts
    parts: list[_Part] = []
    i = j = 0
    if rc and rp:
        left_c = [r[1] for r in rc]
        left_p = [r[1] for r in rp]
        while i < len(rc) and j < len(rp):
            u = min(left_c[i], left_p[j])
            c = rc[i][0]
            p = rp[j][0]
            req = (c.per + p.premium) * u if c.per >= p.per else (p.per + c.premium) * u
            parts.append((req, req, req - (c.premium + p.premium) * u, _text_pair, (c, p, u)))
            left_c[i] -= u
            left_p[j] -= u
            if left_c[i] <= _TOL:
                i += 1
            if left_p[j] <= _TOL:
                j += 1
        rows = ((rc, left_c, i), (rp, left_p, j))
    else:
        rows = ((rc, [r[1] for r in rc], 0), (rp, [r[1] for r in rp], 0))
    for r, left, start in rows:
        for k in range(start, len(r)):
            c = r[k][0]
            u = left[k]
            req = c.per * u
            parts.append((req, req, req - c.premium * u, _text_naked, (c, u, ctx)))
    return parts


def _minus_per(r: tuple[_Contract, float]) -> float:
    return -r[0].per


def _long_part(c: _Contract, units: float, ctx: _Ctx, hedge: float = 0.0) -> _Part:
    """A long option paid in full (75 % of its cost when long-dated); ``hedge`` shares of
    stock it protects move that share of its maintenance to the stock line."""
    cost = units * c.premium
    text: _Text
    if not ctx.cash and c.expiry > ctx.leaps_after:
        amt, text = LEAPS_FRACTION * cost, _text_leaps
    else:
        amt, text = cost, _text_paid
    if hedge > _TOL:
        maint = amt * (1.0 - hedge / units)
        return (amt, maint, amt, _text_hedged, (text, c, units, hedge))
    return (amt, amt, amt, text, (c, units))


def _worst_value(legs: Sequence[_Leg]) -> float:
    """Lowest value of the legs at a common expiry (the kernel
    :func:`fastopt.kernels.margin.expiry_worst_value_nb`); -inf when unbounded below.

    >>> legs = [(1, 100.0, 95.0), (1, -100.0, 100.0), (0, -100.0, 105.0), (0, 100.0, 110.0)]
    >>> _worst_value(legs)
    -500.0
    """
    kind, units, strike = zip(*legs, strict=True)
    worst, _at, slope = mk.expiry_worst_value_nb(
        readonly(np.array(kind, dtype=np.int64)),
        readonly(np.array(units, dtype=np.float64)),
        readonly(np.array(strike, dtype=np.float64)),
    )
    if slope < -_TOL:  # pragma: no cover - callers remove the excess short calls first
        return -math.inf
    return float(worst)


def _spread_part(rest: Sequence[tuple[_Contract, float]]) -> _Part | None:
    """A fully covered same-expiry group: its max loss at expiry (None if not covered)."""
    worst = _worst_value([(c.kind, u, c.strike) for c, u in rest])
    if worst == -math.inf:  # pragma: no cover - the excess short calls were removed
        return None
    loss = max(0.0, -worst)
    cost = sum([u * c.premium for c, u in rest])
    initial = loss + max(cost, 0.0)
    return (initial, initial, loss + cost, _text_spread, (rest, loss, cost))


def _take(shorts: Sequence[_Contract], amount: float, *, ascending: bool) -> _Taken:
    """Pick ``amount`` short units, by strike ascending or descending."""
    if amount <= _TOL or not shorts:
        return ()
    out: list[tuple[_Contract, float]] = []
    left = amount
    for c in sorted(shorts, key=_strike_of, reverse=not ascending) if len(shorts) > 1 else shorts:
        if left <= _TOL:
            break
        u = min(-c.units, left)
        out.append((c, u))
        left -= u
    return tuple(out)


def _strike_of(c: _Contract) -> float:
    return c.strike


def _evaluate(
    contracts: Sequence[_Contract],
    taken_calls: _Taken,
    taken_puts: _Taken,
    shares: float,
    ctx: _Ctx,
    *,
    single_expiry: bool,
) -> _Treatment | None:
    """Price one decomposition: removed shorts are covered by stock first, the rest naked;
    what remains is a covered spread (or long options)."""
    removed: dict[_Contract, float] = {}
    parts: list[_Part] = []
    covered: list[tuple[float, float]] = []
    naked_c: Sequence[tuple[_Contract, float]] = ()
    naked_p: Sequence[tuple[_Contract, float]] = ()
    # long stock covers the lowest-strike calls, short stock the highest-strike puts
    # (without such stock every taken short is naked: _take gives units > _TOL)
    if taken_calls:
        if len(taken_calls) > 1:
            taken_calls = tuple(sorted(taken_calls, key=_row_strike))
        removed.update(taken_calls)
        if shares > 0.0:
            naked_c = []
            left = shares
            for c, u in taken_calls:
                s = min(u, left)
                left -= s
                if s > _TOL:
                    covered.append((c.strike, s))
                    parts.append((0.0, 0.0, -c.premium * s, _text_call_on_stock, (c, s)))
                if u - s > _TOL:
                    naked_c.append((c, u - s))
        else:
            naked_c = taken_calls
    if taken_puts:
        if len(taken_puts) > 1:
            taken_puts = tuple(sorted(taken_puts, key=_row_minus_strike))
        removed.update(taken_puts)
        if shares < 0.0:
            naked_p = []
            left = -shares
            for c, u in taken_puts:
                s = min(u, left)
                left -= s
                if s > _TOL:
                    itm = max(c.strike - ctx.spot, 0.0) * s
                    part = (itm, itm, itm - c.premium * s, _text_put_on_stock, (c, s, itm))
                    parts.append(part)
                if u - s > _TOL:
                    naked_p.append((c, u - s))
        else:
            naked_p = taken_puts
    if naked_c or naked_p:
        if (naked_c and ctx.cash) or not single_expiry:
            return None
        parts.extend(_naked_parts(naked_c, naked_p, ctx))
    rest: list[tuple[_Contract, float]] = []
    all_long = True
    for c in contracts:
        u = c.units
        r = removed.get(c)
        if r is not None:
            u += r
            if abs(u) <= _TOL:
                continue
        rest.append((c, u))
        if u <= 0.0:
            all_long = False
    protect: tuple[tuple[float, float], ...] = ()
    if rest and all_long:
        hedge: dict[_Contract, float] = {}
        want_put = shares > 0.0
        hedged = shares and not ctx.cash and not naked_c and not naked_p
        if hedged and all(c.is_call != want_put for c, _ in rest):
            # long puts under long stock (calls over short stock) hedge it: the stock line
            # carries the hedged maintenance, best protection first
            left = abs(shares)
            for c, u in sorted(rest, key=_row_minus_strike if want_put else _row_strike):
                hedge[c] = min(u, left)
                left -= hedge[c]
            protect = tuple((c.strike, h) for c, h in hedge.items() if h > _TOL)
        for c, u in rest:
            parts.append(_long_part(c, u, ctx, hedge.get(c, 0.0)))
    elif rest:
        if not single_expiry and len({c.expiry for c, _ in rest}) > 1:
            return None
        spread = _spread_part(rest)
        if spread is None:  # pragma: no cover - the excess short calls were removed
            return None
        parts.append(spread)
    bpr = sum([p[2] for p in parts])
    initial = sum([p[0] for p in parts])
    return _Treatment(parts, tuple(covered), protect, bpr, initial)


def _row_strike(r: tuple[_Contract, float]) -> float:
    return r[0].strike


def _row_minus_strike(r: tuple[_Contract, float]) -> float:
    return -r[0].strike


def _engine(
    contracts: Sequence[_Contract], shares: float, ctx: _Ctx, *, single_expiry: bool
) -> _Treatment | None:
    """The cheapest valid decomposition of the option legs (by BPR, then initial)."""
    calls: list[float] = []  # units
    puts: list[float] = []
    short_c: list[_Contract] = []
    short_p: list[_Contract] = []
    cost = 0.0  # for _bpr_bound
    scale = 1.0
    for c in contracts:
        u = c.units
        if c.is_call:
            calls.append(u)
            if u < 0.0:
                short_c.append(c)
        else:
            puts.append(u)
            if u < 0.0:
                short_p.append(c)
        cost += u * c.premium
        scale += abs(u) * (c.per + c.premium + c.strike)
    excess_c = max(-sum(calls), 0.0)
    excess_p = max(-sum(puts), 0.0)
    if ctx.cash and excess_c > max(shares, 0.0) + _TOL:
        worst = min(short_c, key=lambda c: c.strike)
        msg = (
            f"account='cash' cannot hold naked calls: short calls on {excess_c:g} shares "
            f"(e.g. {worst.label()}) are covered neither by long calls nor by long stock; "
            "hold the shares or use account='margin'"
        )
        raise ValueError(msg)
    call_picks: list[tuple[float, bool]] = [(excess_c, True), (excess_c, False)]
    # cash account: short puts stay in the covered group, i.e. cash-secured (max loss at 0)
    put_amount = min(excess_p, max(-shares, 0.0)) if ctx.cash else excess_p
    put_picks: list[tuple[float, bool]] = [(put_amount, False), (put_amount, True)]
    if not ctx.cash:  # every short treated naked (longs paid): the "lesser of" alternative
        call_picks.append((-sum([c.units for c in short_c]), True))
        put_picks.append((-sum([c.units for c in short_p]), False))
    # distinct picks only, in first-seen order (the first of equal treatments is kept)
    takes_c = list(dict.fromkeys([_take(short_c, a, ascending=asc) for a, asc in call_picks]))
    takes_p = list(dict.fromkeys([_take(short_p, a, ascending=asc) for a, asc in put_picks]))
    if len(takes_c) == 1 and len(takes_p) == 1:
        return _evaluate(
            contracts, takes_c[0], takes_p[0], shares, ctx, single_expiry=single_expiry
        )
    # without stock every taken short is naked, and a lower bound of a candidate's BPR
    # (_bpr_bound) skips pricing the ones that cannot beat the best so far
    prune = shares == 0.0
    slack = 1e-6 + 1e-9 * scale
    best: _Treatment | None = None
    for taken_c in takes_c:
        for taken_p in takes_p:
            if prune and best is not None and _bpr_bound(taken_c, taken_p, cost) > best.bpr + slack:
                continue
            t = _evaluate(contracts, taken_c, taken_p, shares, ctx, single_expiry=single_expiry)
            if t is not None and t.beats(best):
                best = t
    return best


def _bpr_bound(taken_c: _Taken, taken_p: _Taken, cost: float) -> float:
    """A lower bound of the BPR :func:`_evaluate` gives a decomposition without stock.

    Without stock every taken short is naked: a naked unit's BPR is its requirement less
    its premium, ``A = max(pct S - OTM, floor) > 0``; a short call and put paired by the
    straddle rule charge one of their two ``A``, so the naked parts need at least
    ``min(A) x max(call units, put units)``. The rest (a covered spread: max loss >= 0
    plus its net cost; long options: at least 75 % of their cost) needs at least its net
    cost (75 % of it when positive): ``cost`` (that of all the contracts) plus the
    premium of the taken shorts. Rounding is covered by the caller's slack.
    """
    units_c = units_p = 0.0
    least = math.inf
    for c, u in taken_c:
        units_c += u
        cost += u * c.premium
        least = min(least, c.per - c.premium)
    for c, u in taken_p:
        units_p += u
        cost += u * c.premium
        least = min(least, c.per - c.premium)
    naked = least * max(units_c, units_p) if units_c or units_p else 0.0
    return naked + (cost if cost < 0.0 else LEAPS_FRACTION * cost)


def _chunks(
    total: float, a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]
) -> Iterator[tuple[float, float | None, float | None]]:
    """Walk ``total`` shares, pairing them with the (strike, units) lists ``a`` and ``b``."""
    ra = [u for _, u in a]
    rb = [u for _, u in b]
    i = j = 0
    left = total
    while left > _TOL:
        n = left
        ka = kb = None
        if i < len(a):
            n = min(n, ra[i])
            ka = a[i][0]
        if j < len(b):
            n = min(n, rb[j])
            kb = b[j][0]
        yield n, ka, kb
        left -= n
        if i < len(a):
            ra[i] -= n
            if ra[i] <= _TOL:
                i += 1
        if j < len(b):
            rb[j] -= n
            if rb[j] <= _TOL:
                j += 1


def _stock_part(shares: float, ctx: _Ctx, t: _Treatment | None) -> _Part:
    """Reg T stock requirement, with the covered-call / collar / protective maintenance."""
    s = ctx.spot
    n = abs(shares)
    value = s * n
    if ctx.cash:
        text = f"long {n:g} shares at {s:g}: paid in full (cash account)"
        return _fixed(value, value, value, text)
    initial = STOCK_INITIAL * value
    covered = sorted(t.covered_calls) if t is not None else []
    protect = list(t.protect) if t is not None else []
    maint = 0.0
    if shares > 0.0:
        protect.sort(key=lambda r: -r[0])  # the best protection first
        for k, kc, kp in _chunks(n, covered, protect):
            if kp is not None:
                cap = LONG_STOCK_MAINTENANCE * (kc if kc is not None else s)
                maint += k * min(HEDGE_STRIKE_PCT * kp + max(s - kp, 0.0), cap)
            elif kc is not None:
                maint += k * LONG_STOCK_MAINTENANCE * min(s, kc)
            else:
                maint += k * LONG_STOCK_MAINTENANCE * s
        how = "25% maintenance"
        if covered:
            how += ", shares under a short call valued at no more than its strike"
        if protect:
            how += "; hedged shares: min(10% x K_put + put OTM, 25% x K_call or S)"
        text = f"long {n:g} shares at {s:g}: Reg T 50% initial, {how}"
    else:
        protect.sort(key=lambda r: r[0])
        for k, _, kc in _chunks(n, [], protect):
            if kc is not None:
                base = SHORT_STOCK_MAINTENANCE * s
                maint += k * min(HEDGE_STRIKE_PCT * kc + max(kc - s, 0.0), base)
            else:
                maint += k * SHORT_STOCK_MAINTENANCE * s
        how = "30% maintenance"
        if protect:
            how += "; shares under a long call: min(10% x K_call + call OTM, 30% x S)"
        text = f"short {n:g} shares at {s:g}: Reg T 50% initial beyond the proceeds, {how}"
    return _fixed(initial, maint, initial, text)


# ------------------------------------------------------------------------ naming
def _name(contracts: Sequence[_Contract], shares: float, strategy: Strategy, ctx: _Ctx) -> str:
    calls = [c for c in contracts if c.is_call]
    puts = [c for c in contracts if not c.is_call]
    shorts = [c for c in contracts if c.units < 0.0]
    if shares > 0.0:
        if not shorts and calls == []:
            return "protective_put"
        short_call_units = -sum(c.units for c in calls if c.units < 0.0)
        only_short_calls = all(c.units < 0.0 for c in calls)
        if calls and only_short_calls and short_call_units <= shares + _TOL:
            if not puts:
                return "covered_call"
            if all(c.units > 0.0 for c in puts):
                return "collar"
            if len(contracts) == 2:
                return "covered_strangle"
        return "stock_combination"
    if shares < 0.0:
        if not shorts and puts == []:
            return "protective_call"
        short_puts = not calls and all(c.units < 0.0 for c in puts)
        if short_puts and -sum(c.units for c in puts) <= -shares + _TOL:
            return "covered_put"
        return "stock_combination"
    if not shorts:
        return "long_options"
    n = len(contracts)
    same_size = len({abs(c.units) for c in contracts}) == 1
    if n == 1:
        if calls:
            return "naked_call"
        return "cash_secured_put" if ctx.cash else "naked_put"
    if n == 2:
        a, b = contracts
        if a.kind != b.kind and a.units < 0.0 and b.units < 0.0 and same_size:
            return "short_straddle" if a.strike == b.strike else "short_strangle"
        if a.kind == b.kind and (a.units > 0.0) != (b.units > 0.0):
            if same_size:
                return "vertical_credit" if strategy.cost < 0.0 else "vertical_debit"
            return "ratio_spread"
    if n == 3 and len({c.kind for c in contracts}) == 1:
        lo, mid, hi = sorted(contracts, key=lambda c: c.strike)
        if lo.units == hi.units and mid.units == -2.0 * lo.units:
            if lo.units < 0.0:
                return "short_butterfly"
            equal = math.isclose(mid.strike - lo.strike, hi.strike - mid.strike)
            return "long_butterfly" if equal else "broken_wing_butterfly"
    if n == 3 and same_size and len(puts) == 1 and len(calls) == 2:
        (p,) = puts
        c_lo, c_hi = sorted(calls, key=lambda c: c.strike)
        if p.units < 0.0 and c_lo.units < 0.0 < c_hi.units and p.strike < c_lo.strike:
            return "jade_lizard"
    if n == 4 and same_size and len(calls) == 2:
        p_lo, p_hi = sorted(puts, key=lambda c: c.strike)
        c_lo, c_hi = sorted(calls, key=lambda c: c.strike)
        if p_lo.units > 0.0 > p_hi.units and c_lo.units < 0.0 < c_hi.units:
            if p_hi.strike == c_lo.strike:
                return "iron_butterfly"
            if p_hi.strike < c_lo.strike:
                return "iron_condor"
        if (p_lo.strike, p_hi.strike) == (c_lo.strike, c_hi.strike):
            long_box = c_lo.units > 0.0 > c_hi.units and p_hi.units > 0.0 > p_lo.units
            short_box = c_lo.units < 0.0 < c_hi.units and p_hi.units < 0.0 < p_lo.units
            if long_box or short_box:
                return "box_spread"
    fully_covered = sum(c.units for c in calls) >= -_TOL and sum(c.units for c in puts) >= -_TOL
    if fully_covered:
        return "spread_combination"
    return "ratio_spread" if len({c.kind for c in contracts}) == 1 else "combination"


# ----------------------------------------------------------------- calendars
def _calendar(contracts: Sequence[_Contract], ctx: _Ctx) -> tuple[str, list[_Part]] | None:
    """Calendars, diagonals and double calendars/diagonals (no stock)."""
    by_kind: dict[int, list[_Contract]] = {}
    for c in contracts:
        by_kind.setdefault(c.kind, []).append(c)
    parts: list[_Part] = []
    same_strike = True
    for legs in by_kind.values():
        if len(legs) != 2:
            return None
        long, short = sorted(legs, key=lambda c: -c.units)
        if not long.units > 0.0 > short.units or long.expiry == short.expiry:
            return None
        same_strike &= long.strike == short.strike
        u = min(long.units, -short.units)
        if long.expiry >= short.expiry:
            if long.is_call:
                width = max(long.strike - short.strike, 0.0)
            else:
                width = max(short.strike - long.strike, 0.0)
            cost = u * (long.premium - short.premium)
            text = (
                f"{short.label(-u)} covered by {long.label(u)} (expires at or after it): "
                f"strike difference {width * u:.2f}, long paid in full, proceeds applied"
            )
            initial = width * u + max(cost, 0.0)
            parts.append(_fixed(initial, initial, width * u + cost, text))
        else:
            parts.append(_long_part(long, u, ctx))
            parts.extend(_uncovered_short(short, u, ctx, "the long leg expires first"))
        if long.units > u + _TOL:
            parts.append(_long_part(long, long.units - u, ctx))
        if -short.units > u + _TOL:
            parts.extend(_uncovered_short(short, -short.units - u, ctx, "more shorts than longs"))
    if len(by_kind) == 1:
        name = "calendar" if same_strike else "diagonal"
    else:
        name = "double_calendar" if same_strike else "double_diagonal"
    return name, parts


def _uncovered_short(c: _Contract, units: float, ctx: _Ctx, why: str) -> list[_Part]:
    """A short with no cover: naked (margin), cash-secured put or an error (cash)."""
    if not ctx.cash:
        parts = _naked_parts(
            [(c, units)] if c.is_call else [], [] if c.is_call else [(c, units)], ctx
        )
        return [(p[0], p[1], p[2], _text_why, (p[3], p[4], why)) for p in parts]
    if c.is_call:
        msg = (
            f"account='cash' cannot hold naked calls: {c.label(-units)} is not covered "
            f"({why}); use account='margin'"
        )
        raise ValueError(msg)
    secured = c.strike * units
    text = f"{c.label(-units)} cash-secured: strike x shares {secured:.2f} ({why})"
    return [_fixed(secured, secured, secured - c.premium * units, text)]


# ----------------------------------------------------------------- conservative
def _conservative(
    contracts: Sequence[_Contract], shares: float, stock_cash: float, ctx: _Ctx
) -> list[_Part]:
    """Worst loss at expiry at every strike and at 0; longs expiring before a short give
    no cover; unlimited-loss legs charged naked (short stock: its Reg T requirement)."""
    parts: list[_Part] = []
    short_expiries = [c.expiry for c in contracts if c.units < 0.0]
    last_short = max(short_expiries) if short_expiries else None
    cover: list[_Contract] = []
    for c in contracts:
        if c.units > 0.0 and last_short is not None and c.expiry < last_short:
            cost = c.units * c.premium
            text = f"{c.label()}: expires before a short leg, no cover; paid in full"
            parts.append(_fixed(cost, cost, cost, text))
        else:
            cover.append(c)
    slope = sum(c.units for c in cover if c.is_call) + shares
    rest = [(c, c.units) for c in cover]
    if slope < -_TOL:
        shorts = [c for c in cover if c.is_call and c.units < 0.0]
        amount = min(-slope, -sum(c.units for c in shorts))
        taken = _take(shorts, amount, ascending=True)
        for c, u in taken:
            parts.extend(_uncovered_short(c, u, ctx, "unlimited loss"))
        removed = dict(taken)
        rest = [(c, c.units + removed.get(c, 0.0)) for c in cover]
        rest = [(c, u) for c, u in rest if abs(u) > _TOL]
        slope += sum(u for _, u in taken)
    price = stock_cash / shares if shares else ctx.spot
    if slope < -_TOL:  # short stock beyond the long calls
        if ctx.cash:  # pragma: no cover - short stock is refused before
            msg = "account='cash' cannot hold short stock"
            raise ValueError(msg)
        excess = -slope
        value = ctx.spot * excess
        init = STOCK_INITIAL * value
        text = f"short {excess:g} shares at {ctx.spot:g}: Reg T 50% initial, 30% maintenance"
        parts.append(_fixed(init, SHORT_STOCK_MAINTENANCE * value, init, text))
        shares += excess
    legs: list[_Leg] = [(c.kind, u, c.strike) for c, u in rest]
    if shares:
        legs.append((_STOCK, shares, 0.0))
    if legs:
        worst = _worst_value(legs)
        loss = max(0.0, -worst)
        cost = sum(u * c.premium for c, u in rest) + shares * price
        text = (
            f"worst loss at expiry over every strike and 0 of the rest, every leg at its "
            f"intrinsic value: {loss:.2f}, plus the net debit, option proceeds applied"
        )
        initial = loss + max(cost, 0.0)
        parts.append(_fixed(initial, initial, loss + cost, text))
    return parts


# --------------------------------------------------------------------- public API
def _check_strategy(strategy: object) -> Strategy:
    # a Strategy (checked by its leg arrays: this module is below fastopt.strategies.strategy)
    if not isinstance(getattr(strategy, "arrays", None), LegArrays):
        msg = f"`strategy` must be a Strategy, got {type(strategy).__name__}"
        raise TypeError(msg)
    return strategy  # type: ignore[return-value]


def margin(
    strategy: Strategy,
    *,
    account: Account = "margin",
    underlying: Underlying = "equity",
    leverage: float = 1.0,
) -> MarginResult:
    """Strategy-based (Reg T / Cboe) margin of a position, in dollars.

    Parameters
    ----------
    strategy : Strategy
        The position; requirements use ``strategy.spot`` and each leg's
        ``premium`` (per share) and multiplier.
    account : {"margin", "cash"}
        A cash account pays long options and stock in full, secures short puts
        with cash (``K`` x shares, less the premium) and refuses naked calls
        and short stock with a ``ValueError``.
    underlying : {"equity", "narrow_index", "broad_index", "leveraged_etf"}
        Sets the naked-option percentage: 20 % (equity, narrow-based index),
        15 % (broad-based index; leveraged ETF before its leverage factor).
        The 10 % minimum is the same for all.
    leverage : float
        Leverage factor (>= 1) that multiplies both percentages, e.g. 3.0 for
        TQQQ with ``underlying="leveraged_etf"``; required (> 1) for a
        leveraged ETF. Use the absolute factor for inverse products (2.0 for
        a -2x fund).

    Returns
    -------
    MarginResult
        ``initial``, ``maintenance``, ``buying_power_reduction``, the
        ``strategy_type``, the ``components`` that add up to ``initial``, and
        whether the ``conservative`` fallback was used.

    Notes
    -----
    Exchange minimums only; brokers add house rules (IBKR's 102 % universal
    spread charge, tastytrade's $2.50/share naked minimum, higher percentages
    for volatile names). Amounts are not rounded: tastyware's
    margin-estimator rounds the per-share requirement to cents first and
    prints 3661 for the TQQQ call below, where the formula gives 3660.75.

    Examples
    --------
    The iron condor of tastyware/margin-estimator's README (SPY at 587.88):

    >>> import datetime as dt
    >>> from fastopt.strategies.leg import Leg
    >>> from fastopt.strategies.strategy import Strategy
    >>> from fastopt.strategies.margin import margin
    >>> exp = dt.date(2024, 12, 20)
    >>> ic = Strategy([Leg("put", 1, 567.0, exp, premium=4.78),
    ...                Leg("put", -1, 572.0, exp, premium=5.61),
    ...                Leg("call", -1, 602.0, exp, premium=5.23),
    ...                Leg("call", 1, 607.0, exp, premium=3.68)],
    ...               spot=587.88, vol=0.15, asof="2024-11-15")
    >>> m = margin(ic, underlying="broad_index")
    >>> m.strategy_type, round(m.initial, 2), round(m.buying_power_reduction, 2)
    ('iron_condor', 500.0, 262.0)

    A naked TQQQ call (3x leveraged ETF on a broad index):

    >>> tqqq = Strategy([Leg("call", -1, 80.0, exp, premium=4.45)], spot=77.35,
    ...                 vol=0.6, asof="2024-11-15")
    >>> round(margin(tqqq, underlying="leveraged_etf", leverage=3.0).initial, 2)
    3660.75
    """
    strategy = _check_strategy(strategy)
    acct = check_choice(account, "account", ACCOUNTS)
    under = check_choice(underlying, "underlying", UNDERLYINGS)
    lev = real_number(leverage, "leverage")
    if lev < 1.0:
        msg = f"`leverage` must be >= 1 (use 2.0 for a -2x fund), got {lev!r}"
        raise ValueError(msg)
    if under == "leveraged_etf" and lev == 1.0:
        msg = "underlying='leveraged_etf' needs its `leverage` factor (> 1), e.g. 3.0 for TQQQ"
        raise ValueError(msg)
    assert strategy.asof is not None
    ctx = _Ctx(
        strategy.spot,
        NAKED_PCT[under] * lev,
        NAKED_MIN_PCT * lev,
        cash=acct == "cash",
        leaps_after=_leaps_after(strategy.asof),
    )
    contracts, shares, stock_cash, residual = _merge(strategy, ctx)
    if ctx.cash and shares < 0.0:
        msg = "account='cash' cannot hold short stock; use account='margin'"
        raise ValueError(msg)
    conservative = False
    parts: list[_Part] = []
    if not contracts:
        name = "long_stock" if shares > 0.0 else "short_stock" if shares < 0.0 else "flat"
        if shares:
            parts.append(_stock_part(shares, ctx, None))
    else:
        single = len({c.expiry for c in contracts}) == 1
        treatment = _engine(contracts, shares, ctx, single_expiry=single)
        cal = None
        if treatment is None and not single and shares == 0.0:
            cal = _calendar(contracts, ctx)
        if treatment is not None:
            name = _name(contracts, shares, strategy, ctx)
            parts.extend(treatment.parts)
            if shares:
                parts.append(_stock_part(shares, ctx, treatment))
        elif cal is not None:
            name, cal_parts = cal
            parts.extend(cal_parts)
        else:
            name = "worst_case"
            conservative = True
            parts.extend(_conservative(contracts, shares, stock_cash, ctx))
    if residual:
        text = f"offsetting legs on the same contract: net cash {residual:.2f}, no requirement"
        parts.append(_fixed(0.0, 0.0, residual, text))
    bpr = max(sum([p[2] for p in parts]), 0.0)
    if not ctx.cash and not conservative and _one_short_dated_expiry(contracts, ctx):
        bpr = _kernel_bpr(strategy, ctx)  # the same rules, written once (kernels/margin.py)
    return MarginResult(
        initial=sum([p[0] for p in parts]),
        maintenance=sum([p[1] for p in parts]),
        buying_power_reduction=bpr,
        strategy_type=name,
        components=_texts_of(parts),
        conservative=conservative,
        note=_note(ctx.leaps_after, conservative=conservative),
    )


def _one_short_dated_expiry(contracts: Sequence[_Contract], ctx: _Ctx) -> bool:
    """True when the options share one expiry that is not long-dated (the domain of
    :func:`fastopt.kernels.margin.strategy_requirement`)."""
    expiries = {c.expiry for c in contracts}
    return len(expiries) <= 1 and all(e <= ctx.leaps_after for e in expiries)


def _kernel_bpr(strategy: Strategy, ctx: _Ctx) -> float:
    """Buying-power reduction of a margin-account, single-expiry position from
    :func:`fastopt.kernels.margin.strategy_requirement` (units in shares)."""
    a = strategy.arrays
    return float(
        mk.strategy_requirement(
            np.array(a.kind, dtype=np.int64),  # writable copies: the backtest's signature
            np.array(a.units, dtype=np.float64),
            np.array(a.strike, dtype=np.float64),
            np.array(a.premium, dtype=np.float64),
            ctx.spot,
            ctx.pct,
            ctx.min_pct,
            STOCK_INITIAL,
        )
    )


@functools.lru_cache(maxsize=64)
def _note(leaps_after: dt.date, *, conservative: bool) -> str:
    notes = [
        "Cboe/FINRA exchange minimums; brokers add house requirements",
        f"long options expiring after {leaps_after} (asof + {LEAPS_MONTHS} months) "
        "count as long-dated",
    ]
    if conservative:
        notes.insert(
            0,
            "could not classify this combination: conservative rule applied (worst loss "
            "at expiry at every strike and at 0; long options expiring before a short leg "
            "give no cover; unlimited-loss legs charged naked)",
        )
    return "; ".join(notes) + "."


@functools.lru_cache(maxsize=8)
def _pm_moves(product: str) -> FloatArray:
    """The 10 relative moves of a product class (read-only; callers copy it)."""
    lo, hi = PM_RANGES[product]
    n = PM_POINTS_PER_SIDE
    return readonly(np.concatenate([lo * np.arange(n, 0, -1) / n, hi * np.arange(1, n + 1) / n]))


def portfolio_margin(
    strategy: Strategy, *, product: PMProduct = "equity", vol_shock: float = 0.0
) -> PortfolioMarginResult:
    """TIMS-style portfolio margin: revalue the position at 10 underlying moves.

    Every leg is revalued with Black-Scholes at its own vol at the valuation
    date (``asof``) for 10 equally spaced moves, 5 down and 5 up, over the
    product's range; the requirement is the largest loss against the
    position's value now, and at least $0.375 x multiplier per option contract.

    Parameters
    ----------
    strategy : Strategy
    product : {"equity", "narrow_index", "broad_index", "high_cap_index"}
        Range of the moves: +-15 % (equities, equity options, narrow-based
        indexes), +-10 % (broad-based indexes that are not high-cap),
        -8 % / +6 % (high-capitalisation broad-based indexes: SPX, NDX, ...).
    vol_shock : float
        Relative vol shift in ``[0, 1)``: with ``vol_shock > 0`` each move is
        also valued with every vol times ``1 - vol_shock`` and ``1 + vol_shock``
        and the worst case is kept. Brokers add such shifts; the exchange
        rule has none (default 0).

    Returns
    -------
    PortfolioMarginResult

    Notes
    -----
    One position on one underlying: no offsets between product groups, no
    concentration add-ons, no broker minimums.

    Examples
    --------
    >>> from fastopt.strategies.leg import Leg
    >>> from fastopt.strategies.strategy import Strategy
    >>> from fastopt.strategies.margin import portfolio_margin
    >>> put = Strategy([Leg("put", -1, 95.0, "2025-03-21", premium=1.0)], spot=100.0,
    ...                vol=0.25, asof="2025-02-21")
    >>> pm = portfolio_margin(put)
    >>> pm.moves.round(2).tolist()
    [-0.15, -0.12, -0.09, -0.06, -0.03, 0.03, 0.06, 0.09, 0.12, 0.15]
    >>> round(pm.requirement, 2), pm.worst_move
    (924.33, -0.15)
    """
    strategy = _check_strategy(strategy)
    prod = check_choice(product, "product", PM_PRODUCTS)
    shock = real_number(vol_shock, "vol_shock")
    if not 0.0 <= shock < 1.0:
        msg = f"`vol_shock` must be in [0, 1) (a relative vol shift), got {shock!r}"
        raise ValueError(msg)
    moves = _pm_moves(prod).copy()  # the caller's own array
    spots = strategy.spot * (1.0 + moves)
    grid = readonly(np.append(spots, strategy.spot))
    factors = (1.0,) if shock == 0.0 else (1.0 - shock, 1.0, 1.0 + shock)
    a = strategy.arrays
    hs = readonly(np.zeros(1))
    rows = np.empty((len(factors), grid.shape[0]))
    for r, f in enumerate(factors):
        vol = a.vol if f == 1.0 else readonly(a.vol * f)
        legs = (a.kind, a.units, a.strike, a.premium, a.t, vol)
        sk.pnl_grid_nb(grid, hs, *legs, strategy.rate, strategy.div, rows[r : r + 1])
    base = rows[factors.index(1.0), -1]
    by_vol = rows[:, :-1] - base
    pnl = by_vol.min(axis=0)
    opt = a.kind != KIND_CODE["stock"]
    contracts = np.abs(a.units[opt])  # shares = contracts x multiplier
    minimum = float(PM_MIN_PER_CONTRACT * contracts.sum())
    i = int(np.argmin(pnl))
    loss = max(-float(pnl[i]), 0.0)
    return PortfolioMarginResult(
        requirement=max(loss, minimum),
        moves=readonly(moves),
        spots=readonly(spots),
        pnl=readonly(pnl),
        pnl_by_vol=readonly(by_vol),
        vol_factors=factors,
        worst_move=float(moves[i]),
        minimum=minimum,
        product=prod,
    )
