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
from fastopt.kernels.bs import bsm_price_scalar
from fastopt.kernels.position import STOCK, leg_greeks

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


@jit
def leg_risk_nb(kind, weight, strike, tau, vol, und, spot, rate, div, out):  # type: ignore[no-untyped-def]
    """:data:`RISK_FIELDS` of every leg into ``out`` (n_legs, 12); leg ``i`` is on the
    underlying ``und[i]`` (an index into ``spot``, ``rate`` and ``div``)."""
    for i in range(kind.shape[0]):
        u = und[i]
        one_leg_risk(
            kind[i], weight[i], strike[i], tau[i], vol[i], spot[u], rate[u], div[u], out, i
        )
    return out


@jit_parallel
def leg_risk_par_nb(kind, weight, strike, tau, vol, und, spot, rate, div, out):  # type: ignore[no-untyped-def]
    """:func:`leg_risk_nb` with the legs spread over threads (identical results)."""
    for i in prange(kind.shape[0]):
        u = und[i]
        one_leg_risk(
            kind[i], weight[i], strike[i], tau[i], vol[i], spot[u], rate[u], div[u], out, i
        )
    return out


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
def _cell_pnl(kind, weight, strike, tau, vol, und, spot, rate, div, value, move, dvol, out_col):  # type: ignore[no-untyped-def]
    """P&L of every underlying for one grid cell (spot x (1 + move), vol + dvol floored at
    0) into ``out_col`` (n_underlyings,)."""
    out_col[:] = 0.0
    for i in range(kind.shape[0]):
        u = und[i]
        s = spot[u] * (1.0 + move)
        if kind[i] == STOCK:
            now = weight[i] * s
        else:
            v = max(vol[i] + dvol, 0.0)
            now = weight[i] * bsm_price_scalar(
                s, strike[i], tau[i], v, rate[u], div[u], kind[i] == 0
            )
        out_col[u] += now - value[i]


@jit_parallel
def scenario_grid_nb(
    kind, weight, strike, tau, vol, und, spot, rate, div, value, moves, dvols, out
):  # type: ignore[no-untyped-def]
    """Full-revaluation P&L of every underlying's legs on a grid of relative spot moves
    (every underlying moved by the same fraction) and absolute vol shifts: ``out``
    (n_moves, n_dvols, n_underlyings). ``value`` is each leg's value today (the
    ``value`` column of :func:`leg_risk_nb`); options are repriced at the same ``tau``
    (an instantaneous shock)."""
    n_v = dvols.shape[0]
    for c in prange(moves.shape[0] * n_v):
        a = c // n_v
        b = c % n_v
        _cell_pnl(
            kind,
            weight,
            strike,
            tau,
            vol,
            und,
            spot,
            rate,
            div,
            value,
            moves[a],
            dvols[b],
            out[a, b],
        )
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
