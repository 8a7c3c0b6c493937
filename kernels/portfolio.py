"""Risk of a portfolio of legs on many underlyings: money Greeks per leg, their sums per
underlying, a spot x vol scenario grid and the delta-normal volatility.

Every leg is valued by :func:`fastopt.kernels.position.leg_greeks` (the one BSM formula)
at its underlying's spot, rate and dividend, ``tau`` years before its expiry. A leg's
``weight`` is ``units x multiplier`` (shares per unit of the option's price), so every
output is money (or shares) for the whole leg:

=====  ================  ==============================================================
col    name              meaning (for the whole leg)
=====  ================  ==============================================================
0      ``value``         weight x price
1      ``delta``         shares: weight x delta
2      ``dollar_delta``  money per 1.00 move of the underlying in relative terms: delta x S
3      ``gamma``         shares per 1.00 move of the underlying: weight x gamma
4      ``dollar_gamma``  change of the dollar delta for a 1 % move: gamma x S^2 / 100
5      ``vega``          money per vol point (0.01): weight x vega / 100
6      ``theta``         money per calendar day: weight x theta / 365
7      ``rho``           money per rate point (0.01): weight x rho / 100
8      ``vanna``         shares per vol point: weight x vanna / 100
9      ``volga``         money of vega per vol point, per vol point: weight x volga / 10^4
10     ``charm``         shares per calendar day: weight x charm / 365
11     ``notional``      money of underlying controlled: abs(weight) x S
=====  ================  ==============================================================

A stock leg (``kind`` 2) is worth ``weight x S`` with delta ``weight`` and no other Greek.
A NaN vol of an option leg gives NaN in every column of that leg, and so in every sum it
enters: missing data never reads as zero risk.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_parallel
from fastopt.kernels.position import STOCK, leg_greeks
from fastopt.kernels.var import N_CONST, full_reval_pnl_nb, hoist_constants_nb

RISK_FIELDS: tuple[str, ...] = (
    "value",
    "delta",
    "dollar_delta",
    "gamma",
    "dollar_gamma",
    "vega",
    "theta",
    "rho",
    "vanna",
    "volga",
    "charm",
    "notional",
)
"""Columns of :func:`leg_risk_nb`'s output, in order."""

N_RISK = len(RISK_FIELDS)


@jit
def one_leg_risk(kind, weight, strike, tau, vol, spot, rate, div, out, i):  # type: ignore[no-untyped-def]
    """The :data:`RISK_FIELDS` of leg ``i`` into ``out[i]``."""
    if kind == STOCK:
        out[i, :] = 0.0
        out[i, 0] = weight * spot
        out[i, 1] = weight
        out[i, 2] = weight * spot
        out[i, 11] = abs(weight) * spot
        return
    if math.isnan(vol):
        out[i, :] = np.nan
        return
    g = leg_greeks(kind, spot, strike, tau, vol, rate, div)
    out[i, 0] = weight * g[0]
    out[i, 1] = weight * g[1]
    out[i, 2] = weight * g[1] * spot
    out[i, 3] = weight * g[2]
    out[i, 4] = weight * g[2] * spot * spot / 100.0
    out[i, 5] = weight * g[3] / 100.0
    out[i, 6] = weight * g[4] / 365.0
    out[i, 7] = weight * g[5] / 100.0
    out[i, 8] = weight * g[6] / 100.0
    out[i, 9] = weight * g[7] / 10_000.0
    out[i, 10] = weight * g[8] / 365.0
    out[i, 11] = abs(weight) * spot


NO_MARKET = 0
"""Status code of :func:`leg_risk_nb`: a leg's underlying has no spot (NaN)."""
EXPIRED = 1
"""Status code of :func:`leg_risk_nb`: an option leg expired before its market's day."""


@jit
def first_bad_leg(kind, expiry, und, spot, day):  # type: ignore[no-untyped-def]
    """``-1`` when every leg can be valued, else ``2 x i + code`` for the first bad leg
    ``i`` (:data:`NO_MARKET` or :data:`EXPIRED`)."""
    for i in range(kind.shape[0]):
        u = und[i]
        if math.isnan(spot[u]):
            return 2 * i + NO_MARKET
        if kind[i] != STOCK and expiry[i] < day[u]:
            return 2 * i + EXPIRED
    return -1


@jit
def _leg_at(kind, units, multiplier, strike, expiry, vol, und, spot, rate, div, day, out, i):  # type: ignore[no-untyped-def]
    u = und[i]
    tau = (expiry[i] - day[u]) / 365.0 if kind[i] != STOCK else 0.0
    one_leg_risk(kind[i], units[i] * multiplier[i], strike[i], tau, vol[i], spot[u], rate[u],
                 div[u], out, i)  # fmt: skip


@jit
def leg_risk_nb(kind, units, multiplier, strike, expiry, vol, und, spot, rate, div, day, out):  # type: ignore[no-untyped-def]
    """:data:`RISK_FIELDS` of every leg into ``out`` (n_legs, 12); returns
    :func:`first_bad_leg` (``out`` is filled only when it is ``-1``).

    Leg ``i`` holds ``units[i] x multiplier[i]`` shares' worth (``weight``) of its
    option, on the underlying ``und[i]`` (an index into ``spot``, ``rate``, ``div`` and
    ``day``, the valuation day in days since 1970); ``expiry`` in days since 1970, so
    ``tau = (expiry - day) / 365`` years."""
    status = first_bad_leg(kind, expiry, und, spot, day)
    if status >= 0:
        return status
    for i in range(kind.shape[0]):
        _leg_at(kind, units, multiplier, strike, expiry, vol, und, spot, rate, div, day, out, i)
    return status


@jit_parallel
def leg_risk_par_nb(kind, units, multiplier, strike, expiry, vol, und, spot, rate, div, day, out):  # type: ignore[no-untyped-def]
    """:func:`leg_risk_nb` with the legs spread over threads (identical results)."""
    status = first_bad_leg(kind, expiry, und, spot, day)
    if status >= 0:
        return status
    for i in prange(kind.shape[0]):
        _leg_at(kind, units, multiplier, strike, expiry, vol, und, spot, rate, div, day, out, i)
    return status


@jit
def sum_by_group_nb(values, group, out):  # type: ignore[no-untyped-def]
    """``out[g] = sum of values[i] over i with group[i] == g`` (rows added in order from
    0.0, so a NaN row makes its group's sums NaN); returns ``out``."""
    out[:] = 0.0
    for i in range(values.shape[0]):
        g = group[i]
        for c in range(values.shape[1]):
            out[g, c] += values[i, c]
    return out


@jit
def _stock_weight(kind, weight):  # type: ignore[no-untyped-def]
    """Shares of stock among one underlying's legs."""
    total = 0.0
    for i in range(kind.shape[0]):
        if kind[i] == STOCK:
            total += weight[i]
    return total


@jit
def _hoisted_options(kind, weight, strike, tau, vol, s0, rate, div, dvol, horizon):  # type: ignore[no-untyped-def]
    """The option legs among one underlying's legs as the hoisted constants of
    :func:`fastopt.kernels.var.hoist_constants_nb` (vols shifted by ``dvol``, floored at
    0; ``horizon`` years of decay), with the row of each option."""
    options = np.flatnonzero(kind != STOCK)
    m = options.shape[0]
    k = np.empty(m)
    t = np.empty(m)
    v = np.empty(m)
    w = np.empty(m)
    call = np.empty(m, dtype=np.bool_)
    for j in range(m):
        i = options[j]
        k[j] = strike[i]
        t[j] = tau[i]
        v[j] = max(vol[i] + dvol, 0.0)
        w[j] = weight[i]
        call[j] = kind[i] == 0
    consts = np.empty((N_CONST, m))
    hoist_constants_nb(s0, k, t, v, rate, div, call, w, horizon, consts)
    return consts, options


@jit
def _underlying_grid_pnl(  # type: ignore[no-untyped-def]
    kind, weight, strike, tau, vol, rate, div, value, s0, moves, log_ret, dvol, out_col
):
    """P&L at every spot move of one underlying's legs (one vol shift) into ``out_col``
    (n_moves,): options by the hoisted full revaluation of :mod:`fastopt.kernels.var`
    (from their value at the shifted vol, plus the shift's own P&L ``V_shifted - value``),
    stock at ``weight x S x move``."""
    n_moves = moves.shape[0]
    stock_w = _stock_weight(kind, weight)
    for a in range(n_moves):
        out_col[a] = stock_w * s0 * moves[a]
    consts, options = _hoisted_options(kind, weight, strike, tau, vol, s0, rate, div, dvol, 0.0)
    if options.shape[0] == 0:
        return
    shift = 0.0
    for j in range(options.shape[0]):
        shift += consts[6, j] * consts[7, j] - value[options[j]]
    spot_h = np.empty(n_moves)
    for a in range(n_moves):
        spot_h[a] = s0 * (1.0 + moves[a])
    pnl = np.empty(n_moves)
    full_reval_pnl_nb(consts, log_ret, spot_h, pnl)
    for a in range(n_moves):
        out_col[a] += pnl[a] + shift


@jit_parallel
def scenario_grid_nb(
    kind, weight, strike, tau, vol, offsets, spot, rate, div, value, moves, dvols, out
):  # type: ignore[no-untyped-def]
    """Full-revaluation P&L of every underlying's legs on a grid of relative spot moves
    (every underlying moved by the same fraction) and absolute vol shifts (vols floored
    at 0) into ``out`` (n_underlyings, n_dvols, n_moves).

    The legs are grouped by underlying: those of underlying ``u`` are rows
    ``offsets[u]:offsets[u + 1]``. ``value`` is each leg's value today (the ``value``
    column of :func:`leg_risk_nb`); options are repriced at the same ``tau`` (an
    instantaneous shock). The cells are independent (``prange``); within one the legs
    are added in row order, whatever the thread count.
    """
    n_u = offsets.shape[0] - 1
    n_v = dvols.shape[0]
    log_ret = np.empty(moves.shape[0])
    for a in range(moves.shape[0]):
        log_ret[a] = math.log1p(moves[a])
    for c in prange(n_u * n_v):
        u = c // n_v
        b = c % n_v
        lo = offsets[u]
        hi = offsets[u + 1]
        _underlying_grid_pnl(kind[lo:hi], weight[lo:hi], strike[lo:hi], tau[lo:hi], vol[lo:hi],
                             rate[u], div[u], value[lo:hi], spot[u], moves, log_ret, dvols[b],
                             out[u, b])  # fmt: skip
    return out


@jit_parallel
def scenario_pnl_nb(
    kind, weight, strike, tau, vol, offsets, spot, rate, div, log_ret, horizon, out
):  # type: ignore[no-untyped-def]
    """Full-revaluation P&L of every underlying's legs in correlated scenarios: ``out``
    (n_underlyings, n_scenarios) from the log-returns ``log_ret`` (n_underlyings,
    n_scenarios) of each underlying over ``horizon`` years.

    Legs grouped by underlying as in :func:`scenario_grid_nb`; options lose ``horizon``
    of time (one past its expiry is worth its intrinsic value), implied vols are held;
    stock gains ``weight x (S_h - S)``. ``prange`` over underlyings; within one, the
    options are added in row order."""
    n_u = offsets.shape[0] - 1
    n_sc = log_ret.shape[1]
    for u in prange(n_u):
        lo = offsets[u]
        hi = offsets[u + 1]
        s0 = spot[u]
        spot_h = np.empty(n_sc)
        for j in range(n_sc):
            spot_h[j] = s0 * math.exp(log_ret[u, j])
        stock_w = _stock_weight(kind[lo:hi], weight[lo:hi])
        for j in range(n_sc):
            out[u, j] = stock_w * (spot_h[j] - s0)
        consts, options = _hoisted_options(kind[lo:hi], weight[lo:hi], strike[lo:hi],
                                           tau[lo:hi], vol[lo:hi], s0, rate[u], div[u], 0.0,
                                           horizon)  # fmt: skip
        if options.shape[0] == 0:
            continue
        pnl = np.empty(n_sc)
        full_reval_pnl_nb(consts, log_ret[u], spot_h, pnl)
        for j in range(n_sc):
            out[u, j] += pnl[j]
    return out


@jit
def delta_normal_vol_nb(dollar_delta, cov):  # type: ignore[no-untyped-def]
    """Delta-normal volatility of the P&L, ``sqrt(d' C d)``, of dollar deltas ``d`` per
    underlying and the covariance ``C`` of their returns over the horizon."""
    total = 0.0
    n = dollar_delta.shape[0]
    for i in range(n):
        for j in range(n):
            total += dollar_delta[i] * cov[i, j] * dollar_delta[j]
    return math.sqrt(max(total, 0.0))


MEASURE_NAMES: tuple[str, ...] = (
    "delta",
    "dollar_delta",
    "gamma",
    "dollar_gamma",
    "vega",
    "theta",
    "notional",
    "positions",
    "concentration",
    "scenario_loss",
    "daily_loss",
    "var",
)
"""Rows of :func:`measures_nb`'s output: the risk layer's limited measures, in order."""

N_GREEK_MEASURES = 7
"""The first rows, magnitudes of the :data:`RISK_FIELDS` columns :data:`GREEK_COLUMNS`."""

GREEK_COLUMNS = np.array([1, 2, 3, 4, 5, 6, 11], dtype=np.int64)
"""The :data:`RISK_FIELDS` column of each of the first :data:`N_GREEK_MEASURES` rows."""

POSITIONS_ROW = 7
CONCENTRATION_ROW = 8


@jit
def measures_nb(sums, groups, greek_columns, out):  # type: ignore[no-untyped-def]
    """The measures of a book from its sums per underlying ``sums`` (n, 12) and open
    groups per underlying ``groups`` (n,) into ``out`` (12, n + 1), the last column the
    whole book: ``|sum|`` of each Greek measure's column, the group count, the share of
    the book's notional (the total column: the largest share). Underlyings without a
    group count 0 (their sums are ignored); the scenario-loss, daily-loss and VaR rows
    are left to the caller."""
    n = groups.shape[0]
    out[: N_GREEK_MEASURES + 2, :] = 0.0
    total = np.zeros(sums.shape[1])
    for u in range(n):
        if groups[u] > 0:
            for c in range(sums.shape[1]):
                total[c] += sums[u, c]
    for r in range(N_GREEK_MEASURES):
        c = greek_columns[r]
        for u in range(n):
            if groups[u] > 0:
                out[r, u] = abs(sums[u, c])
        out[r, n] = abs(total[c])
    notional = total[11]
    best = 0.0
    count = 0
    for u in range(n):
        if groups[u] > 0:
            out[POSITIONS_ROW, u] = groups[u]
            count += groups[u]
            if math.isnan(notional):
                share = np.nan  # undefined, never 0
            else:
                share = sums[u, 11] / notional if notional > 0.0 else 0.0
            out[CONCENTRATION_ROW, u] = share
            best = share if math.isnan(share) or math.isnan(best) else max(best, share)
    out[POSITIONS_ROW, n] = count
    out[CONCENTRATION_ROW, n] = best
    return out


@jit
def beta_nb(returns, benchmark):  # type: ignore[no-untyped-def]
    """Beta of ``returns`` to ``benchmark`` (same length, finite): their sample covariance
    over the benchmark's sample variance (NaN when it has none)."""
    n = returns.shape[0]
    ma = 0.0
    mb = 0.0
    for i in range(n):
        ma += returns[i]
        mb += benchmark[i]
    ma /= n
    mb /= n
    cov = 0.0
    var = 0.0
    for i in range(n):
        db = benchmark[i] - mb
        cov += (returns[i] - ma) * db
        var += db * db
    return cov / var if var > 0.0 else np.nan
