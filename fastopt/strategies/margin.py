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
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from fastopt._typing import FloatArray
from fastopt._validate import check_choice, readonly
from fastopt.kernels import margin as mk
from fastopt.kernels import strategy as sk
from fastopt.strategies.leg import KIND_CODE
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
@dataclass(frozen=True, slots=True)
class _Contract:
    """One option contract line after netting identical legs (units signed)."""

    kind: int
    strike: float
    expiry: dt.date
    units: float
    premium: float
    multiplier: float

    @property
    def is_call(self) -> bool:
        return self.kind == KIND_CODE["call"]

    def label(self, units: float | None = None) -> str:
        u = self.units if units is None else units
        side = "long" if u > 0 else "short"
        kind = "call" if self.is_call else "put"
        return f"{side} {abs(u) / self.multiplier:g} {kind} {self.strike:g} {self.expiry}"


@dataclass(frozen=True, slots=True)
class _Part:
    text: str
    initial: float
    maintenance: float
    bpr: float


@dataclass(frozen=True, slots=True)
class _Ctx:
    spot: float
    pct: float
    min_pct: float
    cash: bool
    leaps_after: dt.date


@dataclass(frozen=True, slots=True)
class _Treatment:
    """A candidate decomposition of the option legs."""

    parts: tuple[_Part, ...]
    covered_calls: tuple[tuple[float, float], ...]  # (strike, units) covered by long stock
    protect: tuple[tuple[float, float], ...]  # (strike, units) long options hedging the stock

    def beats(self, other: _Treatment | None) -> bool:
        """Lower BPR, then lower initial; equal within a micro-dollar keeps ``other``."""
        if other is None:
            return True
        bpr, init = (sum(p.bpr for p in self.parts), sum(p.initial for p in self.parts))
        obpr, oinit = (sum(p.bpr for p in other.parts), sum(p.initial for p in other.parts))
        if abs(bpr - obpr) > 1e-6:
            return bpr < obpr
        return init < oinit - 1e-6


def _pct(x: float) -> str:
    return f"{100.0 * x:g}%"


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


def _merge(strategy: Strategy) -> tuple[list[_Contract], float, float, float]:
    """Net identical option contracts; return (contracts, shares, stock cash, residual cash)."""
    a = strategy.arrays
    groups: dict[tuple[int, float, dt.date, float], list[float]] = {}
    shares = 0.0
    stock_cash = 0.0
    for i, leg in enumerate(strategy.legs):
        u = float(a.units[i])
        p = float(a.premium[i])
        if int(a.kind[i]) == KIND_CODE["stock"]:
            shares += u
            stock_cash += u * p
            continue
        assert leg.expiry is not None
        assert leg.multiplier is not None
        key = (int(a.kind[i]), float(a.strike[i]), leg.expiry, float(leg.multiplier))
        acc = groups.setdefault(key, [0.0, 0.0])
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
        contracts.append(_Contract(kind, strike, expiry, units, prem, mult))
    contracts.sort(key=lambda c: (c.expiry, c.kind, c.strike))
    if abs(shares) <= _TOL:
        shares = 0.0
    return contracts, shares, stock_cash, residual


def _naked_per_share(c: _Contract, ctx: _Ctx) -> tuple[float, str]:
    """Naked requirement per share (premium included) and how it was computed."""
    s = ctx.spot
    if c.is_call:
        otm = max(c.strike - s, 0.0)
        floor, base = ctx.min_pct * s, "S"
    else:
        otm = max(s - c.strike, 0.0)
        floor, base = ctx.min_pct * c.strike, "K"
    per = c.premium + max(ctx.pct * s - otm, floor)
    how = (
        f"{c.premium:.2f} + max({_pct(ctx.pct)} x {s:g} - OTM {otm:.2f}, "
        f"{_pct(ctx.min_pct)} x {base}) = {per:.4f}/share"
    )
    return per, how


def _naked_parts(
    calls: Sequence[tuple[_Contract, float]], puts: Sequence[tuple[_Contract, float]], ctx: _Ctx
) -> list[_Part]:
    """Naked shorts (contract, units > 0); a call and a put together use the straddle rule."""
    rc = sorted(((*_naked_per_share(c, ctx), c, u) for c, u in calls), key=lambda r: -r[0])
    rp = sorted(((*_naked_per_share(c, ctx), c, u) for c, u in puts), key=lambda r: -r[0])
    left_c = [r[3] for r in rc]
    left_p = [r[3] for r in rp]
    parts: list[_Part] = []
    i = j = 0
    while i < len(rc) and j < len(rp):
        u = min(left_c[i], left_p[j])
        qc, _, c, _ = rc[i]
        qp, _, p, _ = rp[j]
        if qc >= qp:
            req = (qc + p.premium) * u
            why = f"call requirement {qc * u:.2f} + put premium {p.premium * u:.2f}"
        else:
            req = (qp + c.premium) * u
            why = f"put requirement {qp * u:.2f} + call premium {c.premium * u:.2f}"
        text = f"{c.label(-u)} + {p.label(-u)}, short call and put: {why}"
        parts.append(_Part(text, req, req, req - (c.premium + p.premium) * u))
        left_c[i] -= u
        left_p[j] -= u
        if left_c[i] <= _TOL:
            i += 1
        if left_p[j] <= _TOL:
            j += 1
    for rows, left, start in ((rc, left_c, i), (rp, left_p, j)):
        for k in range(start, len(rows)):
            per, how, c, _ = rows[k]
            u = left[k]
            req = per * u
            parts.append(_Part(f"naked {c.label(-u)}: {how}", req, req, req - c.premium * u))
    return parts


def _long_part(c: _Contract, units: float, ctx: _Ctx) -> _Part:
    cost = units * c.premium
    if not ctx.cash and c.expiry > ctx.leaps_after:
        amt = LEAPS_FRACTION * cost
        text = f"{c.label(units)}: more than {LEAPS_MONTHS} months to expiry, 75% of its cost"
    else:
        amt = cost
        text = f"{c.label(units)}: paid in full"
    return _Part(text, amt, amt, amt)


def _worst_value(kind: Sequence[int], units: Sequence[float], strike: Sequence[float]) -> float:
    """Lowest value of the legs at a common expiry (kernel); -inf when unbounded below."""
    worst, _at, slope = mk.expiry_worst_value_nb(
        readonly(np.asarray(kind, dtype=np.int64)),
        readonly(np.asarray(units, dtype=np.float64)),
        readonly(np.asarray(strike, dtype=np.float64)),
    )
    if slope < -_TOL:  # pragma: no cover - callers remove the excess short calls first
        return -math.inf
    return float(worst)


def _spread_part(legs: Sequence[_Contract]) -> _Part | None:
    """A fully covered same-expiry group: its max loss at expiry (None if not covered)."""
    worst = _worst_value([c.kind for c in legs], [c.units for c in legs], [c.strike for c in legs])
    if worst == -math.inf:  # pragma: no cover - the excess short calls were removed
        return None
    loss = max(0.0, -worst)
    cost = sum(c.units * c.premium for c in legs)
    names = ", ".join(c.label() for c in legs)
    extra = "plus the net debit" if cost > 0.0 else "option proceeds applied"
    what = "covered spread" if any(c.units > 0.0 for c in legs) else "cash-secured"
    text = f"{what} ({names}): max loss at expiry {loss:.2f}, {extra}"
    initial = loss + max(cost, 0.0)
    return _Part(text, initial, initial, loss + cost)


def _take(
    shorts: Sequence[_Contract], amount: float, *, ascending: bool
) -> list[tuple[_Contract, float]]:
    """Pick ``amount`` short units, by strike ascending or descending."""
    out: list[tuple[_Contract, float]] = []
    left = amount
    for c in sorted(shorts, key=lambda c: c.strike, reverse=not ascending):
        if left <= _TOL:
            break
        u = min(-c.units, left)
        out.append((c, u))
        left -= u
    return out


def _evaluate(
    contracts: Sequence[_Contract],
    taken_calls: Sequence[tuple[_Contract, float]],
    taken_puts: Sequence[tuple[_Contract, float]],
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
    naked_c: list[tuple[_Contract, float]] = []
    naked_p: list[tuple[_Contract, float]] = []
    # long stock covers the lowest-strike calls, short stock the highest-strike puts
    left = max(shares, 0.0)
    for c, u in sorted(taken_calls, key=lambda r: r[0].strike):
        removed[c] = u
        s = min(u, left)
        left -= s
        if s > _TOL:
            covered.append((c.strike, s))
            text = f"{c.label(-s)} covered by {s:g} long shares: no requirement, proceeds applied"
            parts.append(_Part(text, 0.0, 0.0, -c.premium * s))
        if u - s > _TOL:
            naked_c.append((c, u - s))
    left = max(-shares, 0.0)
    for c, u in sorted(taken_puts, key=lambda r: -r[0].strike):
        removed[c] = u
        s = min(u, left)
        left -= s
        if s > _TOL:
            itm = max(c.strike - ctx.spot, 0.0) * s
            text = (
                f"{c.label(-s)} covered by {s:g} short shares: in-the-money amount {itm:.2f}, "
                "proceeds applied"
            )
            parts.append(_Part(text, itm, itm, itm - c.premium * s))
        if u - s > _TOL:
            naked_p.append((c, u - s))
    if (naked_c and ctx.cash) or (not single_expiry and (naked_c or naked_p)):
        return None
    parts.extend(_naked_parts(naked_c, naked_p, ctx))
    rest = [replace(c, units=c.units + removed.get(c, 0.0)) for c in contracts]
    rest = [c for c in rest if abs(c.units) > _TOL]
    protect: tuple[tuple[float, float], ...] = ()
    if rest and all(c.units > 0.0 for c in rest):
        hedge: dict[_Contract, float] = {}
        want_put = shares > 0.0
        hedged = shares and not ctx.cash and not naked_c and not naked_p
        if hedged and all(c.is_call != want_put for c in rest):
            # long puts under long stock (calls over short stock) hedge it: the stock line
            # carries the hedged maintenance, best protection first
            left = abs(shares)
            for c in sorted(rest, key=lambda c: -c.strike if want_put else c.strike):
                hedge[c] = min(c.units, left)
                left -= hedge[c]
            protect = tuple((c.strike, h) for c, h in hedge.items() if h > _TOL)
        for c in rest:
            part = _long_part(c, c.units, ctx)
            h = hedge.get(c, 0.0)
            if h > _TOL:
                part = replace(
                    part,
                    text=f"{part.text}; hedges {h:g} shares (maintenance in the stock line)",
                    maintenance=part.maintenance * (1.0 - h / c.units),
                )
            parts.append(part)
    elif rest:
        if not single_expiry and len({c.expiry for c in rest}) > 1:
            return None
        spread = _spread_part(rest)
        if spread is None:  # pragma: no cover - the excess short calls were removed
            return None
        parts.append(spread)
    return _Treatment(tuple(parts), tuple(covered), protect)


def _engine(
    contracts: Sequence[_Contract], shares: float, ctx: _Ctx, *, single_expiry: bool
) -> _Treatment | None:
    """The cheapest valid decomposition of the option legs (by BPR, then initial)."""
    calls = [c for c in contracts if c.is_call]
    puts = [c for c in contracts if not c.is_call]
    short_c = [c for c in calls if c.units < 0.0]
    short_p = [c for c in puts if c.units < 0.0]
    total_c = -sum(c.units for c in short_c)
    total_p = -sum(c.units for c in short_p)
    excess_c = max(-sum(c.units for c in calls), 0.0)
    excess_p = max(-sum(c.units for c in puts), 0.0)
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
        call_picks.append((total_c, True))
        put_picks.append((total_p, False))
    best: _Treatment | None = None
    seen: set[tuple[tuple[tuple[_Contract, float], ...], ...]] = set()
    for amount_c, asc_c in call_picks:
        taken_c = _take(short_c, amount_c, ascending=asc_c)
        for amount_p, asc_p in put_picks:
            taken_p = _take(short_p, amount_p, ascending=asc_p)
            key = (tuple(taken_c), tuple(taken_p))
            if key in seen:
                continue
            seen.add(key)
            t = _evaluate(contracts, taken_c, taken_p, shares, ctx, single_expiry=single_expiry)
            if t is not None and t.beats(best):
                best = t
    return best


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
        return _Part(
            f"long {n:g} shares at {s:g}: paid in full (cash account)", value, value, value
        )
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
    return _Part(text, initial, maint, initial)


# ------------------------------------------------------------------------ naming
def _name(contracts: Sequence[_Contract], shares: float, cost: float, ctx: _Ctx) -> str:
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
                return "vertical_credit" if cost < 0.0 else "vertical_debit"
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
            parts.append(_Part(text, initial, initial, width * u + cost))
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
        return [replace(p, text=f"{p.text} ({why})") for p in parts]
    if c.is_call:
        msg = (
            f"account='cash' cannot hold naked calls: {c.label(-units)} is not covered "
            f"({why}); use account='margin'"
        )
        raise ValueError(msg)
    secured = c.strike * units
    text = f"{c.label(-units)} cash-secured: strike x shares {secured:.2f} ({why})"
    return [_Part(text, secured, secured, secured - c.premium * units)]


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
            parts.append(_Part(text, cost, cost, cost))
        else:
            cover.append(c)
    slope = sum(c.units for c in cover if c.is_call) + shares
    if slope < -_TOL:
        shorts = [c for c in cover if c.is_call and c.units < 0.0]
        amount = min(-slope, -sum(c.units for c in shorts))
        taken = _take(shorts, amount, ascending=True)
        for c, u in taken:
            parts.extend(_uncovered_short(c, u, ctx, "unlimited loss"))
        removed = dict(taken)
        cover = [replace(c, units=c.units + removed.get(c, 0.0)) for c in cover]
        cover = [c for c in cover if abs(c.units) > _TOL]
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
        parts.append(_Part(text, init, SHORT_STOCK_MAINTENANCE * value, init))
        shares += excess
    kinds = [c.kind for c in cover]
    units = [c.units for c in cover]
    strikes = [c.strike for c in cover]
    if shares:
        kinds.append(KIND_CODE["stock"])
        units.append(shares)
        strikes.append(0.0)
    if units:
        worst = _worst_value(kinds, units, strikes)
        loss = max(0.0, -worst)
        cost = sum(c.units * c.premium for c in cover) + shares * price
        text = (
            f"worst loss at expiry over every strike and 0 of the rest, every leg at its "
            f"intrinsic value: {loss:.2f}, plus the net debit, option proceeds applied"
        )
        initial = loss + max(cost, 0.0)
        parts.append(_Part(text, initial, initial, loss + cost))
    return parts


# --------------------------------------------------------------------- public API
def _check_strategy(strategy: object) -> Strategy:
    if not isinstance(strategy, Strategy):
        msg = f"`strategy` must be a Strategy, got {type(strategy).__name__}"
        raise TypeError(msg)
    return strategy


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"`{name}` must be a real number, got {value!r}"
        raise TypeError(msg)
    x = float(value)
    if not math.isfinite(x):
        msg = f"`{name}` must be finite, got {x!r}"
        raise ValueError(msg)
    return x


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
    lev = _real(leverage, "leverage")
    if lev < 1.0:
        msg = f"`leverage` must be >= 1 (use 2.0 for a -2x fund), got {lev!r}"
        raise ValueError(msg)
    if under == "leveraged_etf" and lev == 1.0:
        msg = "underlying='leveraged_etf' needs its `leverage` factor (> 1), e.g. 3.0 for TQQQ"
        raise ValueError(msg)
    assert strategy.asof is not None
    ctx = _Ctx(
        spot=strategy.spot,
        pct=NAKED_PCT[under] * lev,
        min_pct=NAKED_MIN_PCT * lev,
        cash=acct == "cash",
        leaps_after=add_months(strategy.asof, LEAPS_MONTHS),
    )
    contracts, shares, stock_cash, residual = _merge(strategy)
    if ctx.cash and shares < 0.0:
        msg = "account='cash' cannot hold short stock; use account='margin'"
        raise ValueError(msg)
    notes = [
        "Cboe/FINRA exchange minimums; brokers add house requirements",
        f"long options expiring after {ctx.leaps_after} (asof + {LEAPS_MONTHS} months) "
        "count as long-dated",
    ]
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
            name = _name(contracts, shares, strategy.cost, ctx)
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
            notes.insert(
                0,
                "could not classify this combination: conservative rule applied (worst loss "
                "at expiry at every strike and at 0; long options expiring before a short leg "
                "give no cover; unlimited-loss legs charged naked)",
            )
    if residual:
        text = f"offsetting legs on the same contract: net cash {residual:.2f}, no requirement"
        parts.append(_Part(text, 0.0, 0.0, residual))
    initial = sum(p.initial for p in parts)
    return MarginResult(
        initial=initial,
        maintenance=sum(p.maintenance for p in parts),
        buying_power_reduction=max(sum(p.bpr for p in parts), 0.0),
        strategy_type=name,
        components=tuple((p.text, p.initial) for p in parts),
        conservative=conservative,
        note="; ".join(notes) + ".",
    )


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
    shock = _real(vol_shock, "vol_shock")
    if not 0.0 <= shock < 1.0:
        msg = f"`vol_shock` must be in [0, 1) (a relative vol shift), got {shock!r}"
        raise ValueError(msg)
    lo, hi = PM_RANGES[prod]
    n = PM_POINTS_PER_SIDE
    moves = np.concatenate([lo * np.arange(n, 0, -1) / n, hi * np.arange(1, n + 1) / n])
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
