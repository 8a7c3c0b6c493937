"""Payoff and probability analytics of a :class:`~fastopt.strategies.Strategy`.

Everything here validates, converts and wraps; the math is in
``fastopt.kernels.strategy``:

- at the first expiry of a single-expiry position the P&L is piecewise linear
  and every number is exact (break-evens, max profit/loss with unlimited
  detection from the slope beyond the last strike, probability of profit as a
  sum of ``N(d2)`` over the profit intervals, expected value and conditional
  expectations from lognormal partial expectations);
- before expiry, or at the first expiry of a calendar/diagonal, the P&L is
  smooth: break-evens are refined roots (~1e-14 relative), the probability is
  the same exact ``N(d2)`` sum over the refined intervals, the expected value
  is in closed form, conditional expectations use Gauss-Legendre quadrature.

The distribution of the underlying is lognormal with volatility ``vol``
(default: the strategy's ``vol``) and drift ``drift`` (default: risk-neutral,
``rate - div``), over years counted on the strategy's ``year_basis``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt._typing import FloatArray
from fastopt._validate import as_date, as_float_array, check_finite, check_positive, readonly
from fastopt.kernels import position as kp
from fastopt.kernels import strategy as sk
from fastopt.results import Greeks
from fastopt.strategies.leg import KIND_CODE
from fastopt.strategies.year_basis import year_fraction

if TYPE_CHECKING:
    from fastopt.strategies.strategy import Strategy

DEFAULT_THRESHOLD = 0.01
"""Dollars of P&L a position must make to count as a profit (tastytrade's $0.01)."""


@dataclass(frozen=True, slots=True)
class StrategyAnalysis:
    """Everything a trader checks before placing a position, at one date.

    Money is in position dollars (multiplier included); probabilities are
    under the lognormal described in :mod:`fastopt.strategies.analytics`.

    Attributes
    ----------
    at : float
        Years from ``asof`` to the analysis date (the first expiry by default).
    exact : bool
        True when the P&L is piecewise linear there (single expiry, at expiry):
        every number is then exact.
    breakevens : tuple of float
        Underlying prices where the P&L crosses zero, increasing.
    max_profit, max_loss : float
        Extremes of the P&L over all underlying prices (``inf`` / ``-inf``
        when unlimited; max_loss is negative for a losing extreme).
    pop : float
        Probability that the P&L is at least ``threshold`` dollars.
    expected_value : float
        E[P&L].
    expected_profit, expected_loss : float
        E[P&L | profit] and E[P&L | no profit] (NaN when the event is impossible).
    cost : float
        Net debit (> 0) or credit (< 0) paid to open.
    spots, pnl : ndarray
        The P&L on a price grid (empty when ``grid=0``).
    """

    at: float
    exact: bool
    breakevens: tuple[float, ...]
    max_profit: float
    max_loss: float
    pop: float
    expected_value: float
    expected_profit: float
    expected_loss: float
    cost: float
    spots: FloatArray
    pnl: FloatArray

    @property
    def risk_reward(self) -> float:
        """max_profit / -max_loss (inf or NaN where one side is unlimited or zero)."""
        if self.max_loss == 0.0:
            return float("inf")
        return float(self.max_profit / -self.max_loss)


def horizon_years(strategy: Strategy, at: object) -> float:
    """Years from ``strategy.asof`` to ``at``: None (first expiry), a date/ISO string,
    or a number of years (>= 0)."""
    if at is None:
        return strategy.horizon
    if isinstance(at, dt.date | str):
        day = as_date(at, "`at`")
        assert strategy.asof is not None
        if day < strategy.asof:
            msg = f"`at` {day} is before the strategy's `asof` {strategy.asof}"
            raise ValueError(msg)
        return year_fraction(strategy.asof, day, strategy.year_basis)
    if isinstance(at, bool) or not isinstance(at, int | float | np.floating | np.integer):
        msg = f"`at` must be None, a date, an ISO date string or years as a number, got {at!r}"
        raise TypeError(msg)
    h = float(at)
    if not np.isfinite(h) or h < 0.0:
        msg = f"`at` in years must be finite and >= 0, got {h!r}"
        raise ValueError(msg)
    return h


def _spots(spots: object) -> tuple[FloatArray, bool]:
    arr = as_float_array(spots, "spots")
    check_finite(arr, "spots")
    check_positive(arr, "spots")
    return arr, arr.ndim == 0


def _legs(strategy: Strategy, h: float | None = None) -> tuple[Any, ...]:
    """The leg arrays; with ``h``, first check that every leg alive at ``h`` has a vol."""
    a = strategy.arrays
    if h is not None and h < strategy.facts.vol_needed_before:
        alive = (a.kind != KIND_CODE["stock"]) & (a.t > h) & np.isnan(a.vol)
        if alive.any():
            leg = strategy.legs[int(np.flatnonzero(alive)[0])]
            msg = (
                f"{leg.label} leg is valued before its expiry and needs a vol: give it an `iv` "
                "or the strategy a `vol`"
            )
            raise ValueError(msg)
    return a.kind, a.units, a.strike, a.premium, a.t, a.vol


def pnl(strategy: Strategy, spots: object, at: object = None) -> Any:
    """P&L in dollars at date ``at`` (default: the first expiry) for prices ``spots``.

    Examples
    --------
    >>> from fastopt import Leg, Strategy
    >>> from fastopt.strategies.analytics import pnl
    >>> s = Strategy([Leg("call", 1, 100.0, "2025-03-21", premium=2.0)],
    ...              spot=100.0, vol=0.2, asof="2025-02-21")
    >>> round(pnl(s, 100.0, at="2025-02-21"), 6)  # today: BS value minus the premium paid
    20.961761
    """
    arr, scalar = _spots(spots)
    h = horizon_years(strategy, at)
    flat = readonly(np.ascontiguousarray(arr.ravel(), dtype=np.float64))
    out = np.empty((1, flat.shape[0]))
    sk.pnl_grid_nb(flat, np.array([h]), *_legs(strategy, h), strategy.rate, strategy.div, out)
    res = out[0].reshape(arr.shape)
    return float(res) if scalar else res


def pnl_grid(strategy: Strategy, spots: object, at: Sequence[object]) -> FloatArray:
    """P&L in dollars for every date in ``at`` (rows) and price in ``spots`` (columns).

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt import Leg, Strategy
    >>> from fastopt.strategies.analytics import pnl_grid
    >>> s = Strategy([Leg("put", -1, 100.0, "2025-03-21")], spot=100.0, vol=0.2,
    ...              asof="2025-02-21")
    >>> pnl_grid(s, np.linspace(80, 120, 1001), [0.0, 0.02, 0.05]).shape
    (3, 1001)
    """
    arr, _ = _spots(spots)
    flat = readonly(np.ascontiguousarray(arr.ravel(), dtype=np.float64))
    if isinstance(at, str | dt.date) or not isinstance(at, Sequence | np.ndarray):
        msg = "`at` must be a sequence of dates or of years"
        raise TypeError(msg)
    hs = np.array([horizon_years(strategy, a) for a in at], dtype=np.float64)
    out = np.empty((hs.shape[0], flat.shape[0]))
    kern = (
        sk.pnl_grid_par_nb
        if hs.shape[0] * flat.shape[0] * len(strategy.legs) > 40_000
        else sk.pnl_grid_nb
    )
    kern(
        flat,
        readonly(hs),
        *_legs(strategy, float(hs.min(initial=np.inf))),
        strategy.rate,
        strategy.div,
        out,
    )
    return out


def distribution_vol(strategy: Strategy, vol: float | None = None) -> float:
    """Volatility of the underlying's distribution in probabilities: ``vol`` when given,
    else the strategy's ``vol``, else the IV of the option leg nearest the money."""
    if vol is not None:
        v = float(vol)
        if not np.isfinite(v) or v <= 0.0:
            msg = f"`vol` must be finite and > 0, got {vol!r}"
            raise ValueError(msg)
        return v
    if strategy.vol is not None:
        return strategy.vol
    a = strategy.arrays
    opt = np.flatnonzero(a.kind != KIND_CODE["stock"])
    if opt.size == 0:
        msg = "a stock-only strategy needs `vol` for probabilities"
        raise ValueError(msg)
    nearest = opt[np.argmin(np.abs(a.strike[opt] - strategy.spot))]
    v = float(a.vol[nearest])
    if not np.isfinite(v):
        msg = "probabilities need a volatility: give the strategy a `vol` or pass `vol=`"
        raise ValueError(msg)
    return v


def has_distribution_vol(strategy: Strategy) -> bool:
    """True when probabilities can be computed without an explicit ``vol=``."""
    try:
        distribution_vol(strategy, None)
    except ValueError:
        return False
    return True


def default_grid(strategy: Strategy, h: float, vol: float, n: int) -> FloatArray:
    """A price grid for charts and searches: +-4 sd of the distribution at ``h``
    (at least +-30 % of spot), widened to include every strike with a 10 % margin."""
    sd = vol * math.sqrt(max(h, 1.0 / 365.0))
    lo = strategy.spot * min(math.exp(-4.0 * sd), 0.7)
    hi = strategy.spot * max(math.exp(4.0 * sd), 1.3)
    facts = strategy.facts
    if facts.strike_min == facts.strike_min:  # not NaN: there are option legs
        lo = min(lo, 0.9 * facts.strike_min)
        hi = max(hi, 1.1 * facts.strike_max)
    if n == 1:
        return np.array([lo])
    grid = np.arange(n, dtype=np.float64)
    grid *= (hi - lo) / (n - 1)
    grid += lo
    grid[-1] = hi
    return grid


def _search_grid(strategy: Strategy, h: float, vol: float) -> FloatArray:
    """Log-spaced bracket for the smooth analysis: +-10 sd and every strike / 2 .. x2."""
    sd = vol * np.sqrt(max(h, 1.0 / 365.0))
    a = strategy.arrays
    ks = a.strike[a.kind != KIND_CODE["stock"]]
    lo = strategy.spot * np.exp(-10.0 * sd)
    hi = strategy.spot * np.exp(10.0 * sd)
    if ks.size:
        lo = min(lo, 0.5 * float(ks.min()))
        hi = max(hi, 2.0 * float(ks.max()))
    return np.geomspace(lo, hi, 2049)


def analyze(
    strategy: Strategy,
    at: object = None,
    *,
    vol: float | None = None,
    drift: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    grid: int = 1001,
) -> StrategyAnalysis:
    """Break-evens, max profit/loss, probability of profit, expected values and a
    P&L grid, at date ``at`` (default: the first expiry).

    Parameters
    ----------
    strategy : Strategy
    at : date, ISO string or float, optional
        Analysis date (years from ``asof`` when a number). Default: the first expiry.
    vol : float, optional
        Volatility of the underlying's distribution; default the strategy's
        ``vol`` (or the IV of the option leg nearest the money).
    drift : float, optional
        Annual drift of the underlying; default ``rate - div`` (risk neutral).
    threshold : float
        P&L in dollars that counts as a profit (default $0.01).
    grid : int
        Points of the returned P&L grid (0 for none).

    Examples
    --------
    The iron condor of optionlab's documentation (30 business days, 252 basis):

    >>> import datetime as dt
    >>> from fastopt import Leg, Strategy
    >>> asof, exp = dt.date(2024, 1, 2), dt.date(2024, 2, 13)   # 30 business days
    >>> ic = Strategy([Leg("put", 1, 150.0, exp, premium=2.00),
    ...                Leg("put", -1, 160.0, exp, premium=4.50),
    ...                Leg("call", -1, 180.0, exp, premium=4.00),
    ...                Leg("call", 1, 190.0, exp, premium=1.60)],
    ...               spot=168.99, vol=0.483, rate=0.045, asof=asof, year_basis=252)
    >>> a = ic.analyze()
    >>> round(a.pop, 4), [round(b, 2) for b in a.breakevens]
    (0.4013, [155.1, 184.9])
    >>> a.max_profit, a.max_loss
    (490.0, -510.0)
    """
    h = horizon_years(strategy, at)
    sig = distribution_vol(strategy, vol)
    mu = strategy.rate - strategy.div if drift is None else float(drift)
    if not np.isfinite(mu):
        msg = f"`drift` must be finite, got {drift!r}"
        raise ValueError(msg)
    thr = float(threshold)
    if not np.isfinite(thr):
        msg = f"`threshold` must be finite, got {threshold!r}"
        raise ValueError(msg)
    a = strategy.arrays
    exact = h >= strategy.facts.last_expiry  # every option leg expired: piecewise linear
    stats = np.empty(sk.N_STATS)
    be = np.empty(4 * len(strategy.legs) + 8)
    if exact:
        n_be = sk.expiry_analysis_nb(
            a.kind, a.units, a.strike, a.premium, strategy.spot, mu, sig, h, thr, be, stats
        )
    else:
        n_be = sk.smooth_analysis_nb(
            *_legs(strategy, h),
            h,
            strategy.rate,
            strategy.div,
            strategy.spot,
            mu,
            sig,
            thr,
            readonly(_search_grid(strategy, h, sig)),
            be,
            stats,
        )
    if grid:
        spots = default_grid(strategy, h, sig, grid)
        curve2d = np.empty((1, grid))
        sk.pnl_grid_nb(
            readonly(spots),
            np.array([h]),
            *(_legs(strategy) if exact else _legs(strategy, h)),
            strategy.rate,
            strategy.div,
            curve2d,
        )
        curve = curve2d[0]
    else:
        spots = curve = np.empty(0)
    return StrategyAnalysis(
        at=h,
        exact=exact,
        breakevens=tuple(float(x) for x in be[: min(n_be, be.shape[0])]),
        max_profit=float(stats[sk.STAT_MAX_PROFIT]),
        max_loss=float(stats[sk.STAT_MAX_LOSS]),
        pop=float(stats[sk.STAT_POP]),
        expected_value=float(stats[sk.STAT_EV]),
        expected_profit=float(stats[sk.STAT_E_PROFIT]),
        expected_loss=float(stats[sk.STAT_E_LOSS]),
        cost=strategy.cost,
        spots=spots,
        pnl=curve,
    )


PER_CHOICES = ("position", "share")


def strategy_greeks(
    strategy: Strategy, spots: object = None, at: object = 0.0, *, per: str = "position"
) -> Greeks:
    """Price and Greeks of the whole position: the sum over legs.

    Parameters
    ----------
    strategy : Strategy
    spots : float or array, optional
        Underlying prices to evaluate at (default: the strategy's spot).
    at : date, ISO string or float
        Valuation date (default 0.0 = ``asof``); legs expired by then count
        at intrinsic value with zero gamma/vega.
    per : {"position", "share"}
        ``"position"``: dollars for the whole position (units = quantity x
        multiplier). ``"share"``: divided by the option multiplier (the sum of
        legs per one contract of each, the way a quote screen shows it).

    Returns
    -------
    Greeks
        ``price`` is the position's value (not its P&L); the units of every
        Greek are those of :class:`fastopt.Greeks` (vega per 1.00 of vol,
        theta per year: use ``theta_per_day()``, ``vega_pct``).

    Examples
    --------
    >>> from fastopt import Leg, Strategy
    >>> legs = [Leg("call", 1, 100.0, "2025-03-21"), Leg("put", 1, 100.0, "2025-03-21")]
    >>> straddle = Strategy(legs, spot=100.0, vol=0.2, asof="2025-02-21")
    >>> g = straddle.greeks()
    >>> round(g.delta, 4), round(g.gamma, 4)
    (2.2096, 14.3983)
    >>> round(straddle.greeks(per="share").delta, 6)
    0.022096
    """
    if per not in PER_CHOICES:
        msg = f"`per` must be one of {PER_CHOICES}, got {per!r}"
        raise ValueError(msg)
    h = horizon_years(strategy, at)
    legs = _legs(strategy, h)
    s_arr, scalar = _spots(strategy.spot if spots is None else spots)
    flat = readonly(np.ascontiguousarray(s_arr.ravel(), dtype=np.float64))
    total = np.empty((9, flat.shape[0]))
    kind, units, strike, _, t, vol = legs
    kp.position_greeks_nb(flat, h, kind, units, strike, t, vol, strategy.rate, strategy.div, total)
    if per == "share":
        mult = [leg.multiplier or 1.0 for leg in strategy.legs if leg.kind != "stock"]
        total /= mult[0] if mult else 1.0
    rows = [t.reshape(s_arr.shape) for t in total]
    vals: list[Any] = [float(r) for r in rows] if scalar else rows
    return Greeks(*vals)


def scenario_grid(
    strategy: Strategy,
    spot_moves: object = (-0.2, -0.1, -0.05, 0.0, 0.05, 0.1, 0.2),
    vol_moves: object = (-0.1, -0.05, 0.0, 0.05, 0.1),
    at: object = 0.0,
) -> Any:
    """P&L of the position for every relative spot move x absolute vol move.

    Parameters
    ----------
    spot_moves : sequence of float
        Relative moves of the underlying (0.05 = +5 %), > -1.
    vol_moves : sequence of float
        Absolute shifts added to every leg's vol (0.05 = +5 vol points); a
        shifted vol must stay > 0.
    at : date, ISO string or float
        Valuation date (default ``asof``: an instant shock).

    Returns
    -------
    polars.DataFrame
        One row per vol move: ``vol_move`` then one column per spot move named
        like ``"+5.0%"``, values in dollars.

    Examples
    --------
    >>> from fastopt import Leg, Strategy
    >>> from fastopt.strategies.analytics import scenario_grid
    >>> s = Strategy([Leg("put", -1, 100.0, "2025-03-21")], spot=100.0, vol=0.2, asof="2025-02-21")
    >>> g = scenario_grid(s, [-0.1, 0.0, 0.1], [0.0, 0.1])
    >>> g.columns
    ['vol_move', '-10.0%', '+0.0%', '+10.0%']
    >>> round(g["+0.0%"][0], 6)   # no move, no time: no P&L
    0.0
    """
    import polars as pl

    sm = as_float_array(spot_moves, "spot_moves").ravel()
    vm = as_float_array(vol_moves, "vol_moves").ravel()
    check_finite(sm, "spot_moves")
    check_finite(vm, "vol_moves")
    if sm.size == 0 or vm.size == 0:
        msg = "`spot_moves` and `vol_moves` must not be empty"
        raise ValueError(msg)
    if sm.min() <= -1.0:
        msg = f"`spot_moves` must be > -1 (a -100 % move), got {float(sm.min())!r}"
        raise ValueError(msg)
    a = strategy.arrays
    opt = a.kind != KIND_CODE["stock"]
    if opt.any() and float((a.vol[opt]).min() + vm.min()) <= 0.0:
        msg = f"`vol_moves` {float(vm.min())!r} makes a leg's vol non-positive"
        raise ValueError(msg)
    h = horizon_years(strategy, at)
    _legs(strategy, h)
    spots = readonly(strategy.spot * (1.0 + sm.astype(np.float64)))
    out = np.empty((vm.size, sm.size))
    row = np.empty((1, sm.size))
    for i, dv in enumerate(vm):
        sk.pnl_grid_nb(
            spots,
            np.array([h]),
            a.kind,
            a.units,
            a.strike,
            a.premium,
            a.t,
            readonly(a.vol + float(dv)),
            strategy.rate,
            strategy.div,
            row,
        )
        out[i] = row[0]
    cols = {"vol_move": vm.astype(np.float64)}
    for j, m in enumerate(sm):
        cols[f"{100.0 * float(m):+.1f}%"] = out[:, j]
    return pl.DataFrame(cols)


def prob_touch(
    strategy: Strategy,
    levels: object,
    at: object = None,
    *,
    vol: float | None = None,
    drift: float | None = None,
) -> Any:
    """Probability that the underlying touches each price in ``levels`` before ``at``
    (default: the first expiry), under the same lognormal as :func:`analyze`.

    Examples
    --------
    >>> from fastopt import Leg, Strategy
    >>> from fastopt.strategies.analytics import prob_touch
    >>> s = Strategy([Leg("call", -1, 110.0, "2025-03-21")], spot=100.0, vol=0.25,
    ...              asof="2025-02-21")
    >>> p = prob_touch(s, 110.0, drift=0.0 + 0.5 * 0.25**2)  # driftless log-price
    >>> round(p, 4)  # = 2 N(-ln(1.1) / (0.25 sqrt(28/365)))
    0.1687
    """
    arr, scalar = _spots(levels)
    h = horizon_years(strategy, at)
    sig = distribution_vol(strategy, vol)
    mu = strategy.rate - strategy.div if drift is None else float(drift)
    flat = readonly(np.ascontiguousarray(arr.ravel(), dtype=np.float64))
    out = sk.prob_touch_nb(flat, strategy.spot, mu, sig, h, np.empty(flat.shape[0]))
    res = out.reshape(arr.shape)
    return float(res) if scalar else res


@dataclass(frozen=True, slots=True)
class ProbabilityEstimate:
    """A Monte Carlo probability with its standard error."""

    value: float
    stderr: float
    n_paths: int


def prob_reach_profit(
    strategy: Strategy,
    fraction: float = 0.5,
    *,
    target: float | None = None,
    at: object = None,
    n_paths: int = 20_000,
    steps_per_year: int = 252,
    vol: float | None = None,
    drift: float | None = None,
    seed: int | np.random.SeedSequence | None = None,
) -> ProbabilityEstimate:
    """Probability that the position's P&L reaches ``fraction`` of its max profit
    (tastytrade's "P50" for 0.5) at any monitoring step before ``at`` (default:
    the first expiry), by Monte Carlo on GBM paths of the underlying.

    The position is marked to model (each leg at its own vol) on every step of
    a grid with ``steps_per_year`` steps a year (daily by default), along paths
    from :func:`fastopt.simulate_gbm` with the analysis vol and drift. Give
    ``target`` (dollars) instead of ``fraction`` for any other level.

    Examples
    --------
    >>> from fastopt import Leg, Strategy
    >>> from fastopt.strategies.analytics import prob_reach_profit
    >>> s = Strategy([Leg("put", -1, 95.0, "2025-03-21")], spot=100.0, vol=0.2,
    ...              asof="2025-02-21")
    >>> est = prob_reach_profit(s, 0.5, seed=1)
    >>> 0.5 < est.value < 1.0 and est.stderr < 0.005
    True
    """
    from fastopt._validate import check_int
    from fastopt.simulation import simulate_gbm

    h = horizon_years(strategy, at)
    if h <= 0.0:
        msg = "prob_reach_profit needs a date after `asof` (`at` or the first expiry)"
        raise ValueError(msg)
    n = check_int(n_paths, "n_paths", 2)
    spy = check_int(steps_per_year, "steps_per_year", 1)
    if target is None:
        f = float(fraction)
        if not np.isfinite(f) or f <= 0.0:
            msg = f"`fraction` must be finite and > 0, got {fraction!r}"
            raise ValueError(msg)
        mp = analyze(strategy, grid=0).max_profit
        if not np.isfinite(mp) or mp <= 0.0:
            msg = f"max profit is {mp!r}: give `target` in dollars instead of `fraction`"
            raise ValueError(msg)
        goal = f * mp
    else:
        goal = float(target)
        if not np.isfinite(goal):
            msg = f"`target` must be finite, got {target!r}"
            raise ValueError(msg)
    _legs(strategy, 0.0)
    sig = distribution_vol(strategy, vol)
    mu = strategy.rate - strategy.div if drift is None else float(drift)
    steps = max(1, int(np.ceil(h * spy)))
    paths = simulate_gbm(strategy.spot, h, sig, mu, 0.0, n_paths=n, n_steps=steps, seed=seed)
    a = strategy.arrays
    hits = np.empty(n, dtype=np.int64)
    sk.first_hit_nb(
        paths.spot[1:],
        readonly(paths.times[1:]),
        a.kind,
        a.units,
        a.strike,
        a.premium,
        a.t,
        a.vol,
        strategy.rate,
        strategy.div,
        goal,
        hits,
    )
    p = float(hits.mean())
    return ProbabilityEstimate(p, float(np.sqrt(max(p * (1.0 - p), 0.0) / n)), n)
