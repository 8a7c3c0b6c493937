"""Positions: intrinsic value and Greeks of legs, written once for strategies, backtests
and the risk layer.

A leg is ``(kind, units, strike, ...)`` with ``kind`` a :data:`fastopt.kernels.enums.LegKind`
code (0 call, 1 put, 2 stock) and ``units`` signed (negative = short). Greeks come from
the one Black-Scholes-Merton formula of :mod:`fastopt.kernels.bs` (``_bsm_one``); a stock
leg is worth the spot and has delta 1 and no other Greek.

* :func:`intrinsic` -- the value of one option leg at expiry, per share;
* :func:`exercised_value` -- the value of the stock an exercise delivered, at a later spot;
* :func:`leg_greeks` -- price and the eight Greeks of one unit of a leg;
* :func:`position_greeks_nb` -- a strategy's value and Greeks at a horizon for many
  spots (strategies' ``greeks``);
* :func:`position_gamma_vega` -- gamma and vega of one backtest position per unit of
  the structure (the Greek-breach exits);
* :func:`trade_greeks_nb` -- delta, gamma, vega per vol point and theta per day of
  every trade of a backtest at given chain rows, in money (the trade log's entry and
  exit Greeks).
"""

from __future__ import annotations

import numpy as np

from fastopt.kernels._jit import jit, jit_inline
from fastopt.kernels.bs import _bsm_one

STOCK = 2


@jit_inline
def intrinsic(kind, strike, spot):  # type: ignore[no-untyped-def]
    """Value at expiry per share of a call (``kind`` 0) or put (1): ``max(+-(S - K), 0)``."""
    if kind == 0:
        return max(spot - strike, 0.0)
    return max(strike - spot, 0.0)


@jit_inline
def exercised_value(kind, strike, spot):  # type: ignore[no-untyped-def]
    """Value per share of an exercised call (``S - K``) or put (``K - S``) at ``spot``: the
    stock taken at the strike, valued at the market (negative when the market moved
    through the strike since the exercise)."""
    if kind == 0:
        return spot - strike
    return strike - spot


@jit
def leg_greeks(kind, spot, strike, tau, vol, rate, div):  # type: ignore[no-untyped-def]
    """Price, delta, gamma, vega, theta, rho, vanna, volga, charm of one unit of a leg
    (per share, Greeks per 1.00 of vol and rate, theta per year); stock: ``(S, 1, 0...)``.

    Compiled once and called (not inlined) by every position kernel: the formula is
    compiled one time instead of once per caller."""
    if kind == STOCK:
        return (spot, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return _bsm_one(spot, strike, tau, vol, rate, div, kind == 0, False)


@jit
def position_greeks_nb(spots, h, kind, units, strike, t, vol, rate, div, out):  # type: ignore[no-untyped-def]
    """Value and Greeks of the whole position at time ``h`` for each spot, into ``out``
    (9, n_spots) in ``fastopt.kernels.bs`` row order: the sum over legs of ``units`` x
    the leg's Greeks (expired legs at intrinsic; stock: value S, delta 1)."""
    out[:] = 0.0
    for j in range(kind.shape[0]):
        u = units[j]
        if kind[j] == STOCK:
            for i in range(spots.shape[0]):
                out[0, i] += u * spots[i]
                out[1, i] += u
            continue
        tau = max(t[j] - h, 0.0)
        v = vol[j] if tau > 0.0 else 0.0  # an expired leg may have no vol (NaN)
        for i in range(spots.shape[0]):
            g = leg_greeks(kind[j], spots[i], strike[j], tau, v, rate, div)
            for r in range(9):
                out[r, i] += u * g[r]
    return out


@jit
def position_gamma_vega(kind, units, strike, tau, vol, spot):  # type: ignore[no-untyped-def]
    """``(known, gamma, vega)`` of one position per unit of its structure: the sums of
    ``units x`` each option leg's BSM gamma and vega (per 1.00 of vol) at its own vol,
    rate and dividend 0. ``known`` is False when an option leg has no positive vol or
    no time left (stock legs carry neither Greek)."""
    gamma = 0.0
    vega = 0.0
    for j in range(kind.shape[0]):
        if kind[j] == STOCK:
            continue
        if not (vol[j] > 0.0) or tau[j] <= 0.0:
            return False, 0.0, 0.0
        g = leg_greeks(kind[j], spot, strike[j], tau[j], vol[j], 0.0, 0.0)
        gamma += units[j] * g[2]
        vega += units[j] * g[3]
    return True, gamma, vega


@jit
def trade_greeks_nb(rows, signs, scale, offsets, day_num, und, expiry, strike, kind, iv, out):  # type: ignore[no-untyped-def]
    """Position delta, gamma, vega (per vol point) and theta (per day) of each trade, in
    money, into ``out`` (4, n_trades).

    Trade ``i`` holds ``signs[j] * scale[i]`` units of the chain row ``rows[i, j]``
    (``-1``: the trade has no such row, its Greeks are NaN), valued by BSM at the row's
    ``iv`` with rate and dividend 0 and ``(expiry - day) / 365`` years on the row's day
    (rows are found in the day CSR ``offsets``); a row without a positive IV gives NaN;
    a stock row has delta 1. The legs are added in order starting from 0.0, as NumPy sums
    a row.
    """
    n, m = rows.shape
    for i in range(n):
        acc = np.zeros(4)  # NumPy's row sum: 0.0 plus each leg in order
        for j in range(m):
            r = rows[i, j]
            w = signs[j] * scale[i]
            if r < 0:
                acc[:] += np.nan
                continue
            if kind[r] == STOCK:
                acc[0] += 1.0 * w
                acc[1] += 0.0 * w
                acc[2] += 0.0 * w
                acc[3] += 0.0 * w
                continue
            vol = iv[r]
            if not (np.isfinite(vol) and vol > 0.0):
                acc[:] += np.nan
                continue
            d = np.searchsorted(offsets, r, side="right") - 1
            tau = (expiry[r] - day_num[d]) / 365.0
            g = leg_greeks(kind[r], und[d], strike[r], tau, vol, 0.0, 0.0)
            acc[0] += g[1] * w
            acc[1] += g[2] * w
            acc[2] += g[3] / 100.0 * w
            acc[3] += g[4] / 365.0 * w
        out[:, i] = acc
    return out
