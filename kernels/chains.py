"""Synthetic option chains: expand (day x expiry x strike x kind) rows and quote them.

The facade (:mod:`fastopt.data.synthetic`) hands over one row per trading day
(``day`` as days since 1970-01-01, ``spot``, the 30-day ATM volatility
``atm30``), the sorted expiry days and, per day, the slice ``[exp_lo, exp_hi)``
of expiries that are quoted. Two passes:

1. :func:`count_rows_nb` -- rows per day (strike range per expiry, two kinds);
   the facade turns it into write offsets with a cumulative sum;
2. :func:`fill_chain_nb` / :func:`fill_chain_par_nb` -- write every row at its
   offset: the strike grid, the smile volatility, the Black-Scholes price and
   delta (one call of :func:`fastopt.kernels.bs._bsm_one` per row) and the
   quoted bid/ask.

The model (documented for users in ``docs/data.md``):

* term structure (expected average variance of a mean-reverting variance)::

      atm(T)^2 = theta^2 + (atm30^2 - theta^2) * g(T) / g(30/365),
      g(T) = (1 - exp(-kappa T)) / (kappa T),   g(0) = 1,

  floored at ``min_vol``;
* smile in standardised moneyness ``z = ln(K/F) / (atm(T) sqrt(max(T, 1/365)))``,
  clipped to [-4, 4]: ``iv = atm(T) * (1 + skew z + curv z^2)``, floored at
  ``min_vol``;
* spread ``= max(tick, spread_pct * price * (1 + wing |z|)) * max(1, atm30 /
  vol_ref) * exp(noise * eps)`` with ``eps`` standard normal number ``row``
  of the counter-based stream ``key``; bid rounded down, ask rounded up to the
  tick around ``price -/+ spread / 2`` (bid floored at 0);
* on the expiry day (``T == 0``) the quote is intrinsic -/+ half a tick.

Every random draw depends only on ``(key, row)``, so the serial and parallel
fills are bit-identical.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels.bs import _bsm_one
from fastopt.kernels.rng import normal_at

YEAR_DAYS = 365.0
"""Calendar days per year of the time to expiry."""

REF_T = 30.0 / 365.0
"""Tenor of the ATM volatility the caller supplies (the VIX is a 30-day IV)."""

Z_MAX = 4.0
"""The smile is flat beyond this many standard deviations."""


@jit_inline
def _g(kappa, t):  # type: ignore[no-untyped-def]
    """Average of exp(-kappa s) over s in [0, t] (1 at t = 0)."""
    x = kappa * t
    if x < 1e-8:
        return 1.0 - 0.5 * x
    return (1.0 - math.exp(-x)) / x


@jit_inline
def atm_vol_at(atm30, t, theta, kappa, min_vol):  # type: ignore[no-untyped-def]
    """ATM volatility of tenor ``t`` (years) from the 30-day one (term structure above)."""
    var = theta * theta + (atm30 * atm30 - theta * theta) * _g(kappa, t) / _g(kappa, REF_T)
    floor = min_vol * min_vol
    var = max(var, floor)
    return math.sqrt(var)


@jit_inline
def _strike_index_range(spot, atm, t, step, n_sd, max_mny):  # type: ignore[no-untyped-def]
    """First and last strike index (strike = index * step) quoted for one expiry."""
    sd = atm * math.sqrt(max(t, 1.0 / YEAR_DAYS))
    lo = spot * max(math.exp(-n_sd * sd), 1.0 - max_mny)
    hi = spot * min(math.exp(n_sd * sd), 1.0 + max_mny)
    i0 = max(math.ceil(lo / step - 1e-9), 1)
    i1 = math.floor(hi / step + 1e-9)
    return i0, i1


@jit
def count_rows_nb(  # type: ignore[no-untyped-def]
    day, spot, atm30, exp_day, exp_lo, exp_hi, step, n_sd, max_mny, theta, kappa, min_vol
):
    """Rows per trading day: sum over its expiries of 2 x (strikes in range)."""
    n = day.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    for i in range(n):
        c = 0
        for j in range(exp_lo[i], exp_hi[i]):
            t = (exp_day[j] - day[i]) / YEAR_DAYS
            atm = atm_vol_at(atm30[i], t, theta, kappa, min_vol)
            i0, i1 = _strike_index_range(spot[i], atm, t, step, n_sd, max_mny)
            if i1 >= i0:
                c += 2 * (i1 - i0 + 1)
        counts[i] = c
    return counts


@jit_inline
def _fill_day(  # type: ignore[no-untyped-def]
    i,
    day,
    spot,
    atm30,
    exp_day,
    exp_lo,
    exp_hi,
    offsets,
    params,
    key,
    o_day,
    o_exp,
    o_strike,
    o_call,
    o_bid,
    o_ask,
    o_iv,
    o_delta,
):
    """Write the rows of trading day ``i`` from ``offsets[i]`` on."""
    step = params[0]
    n_sd = params[1]
    max_mny = params[2]
    theta = params[3]
    kappa = params[4]
    min_vol = params[5]
    rate = params[6]
    div = params[7]
    skew = params[8]
    curv = params[9]
    tick = params[10]
    spread_pct = params[11]
    wing = params[12]
    vol_ref = params[13]
    noise = params[14]
    inv_tick = 1.0 / tick
    # strikes as index / (1 / step) when that is an integer: 43.7, not 43.7000000001
    inv_step = 1.0 / step
    exact = abs(inv_step - round(inv_step)) < 1e-9 and inv_step >= 1.0
    inv_step = float(round(inv_step))
    half_tick = 0.5 * tick
    s = spot[i]
    a30 = atm30[i]
    vol_mult = max(1.0, a30 / vol_ref)
    r = offsets[i]
    for j in range(exp_lo[i], exp_hi[i]):
        t = (exp_day[j] - day[i]) / YEAR_DAYS
        atm = atm_vol_at(a30, t, theta, kappa, min_vol)
        i0, i1 = _strike_index_range(s, atm, t, step, n_sd, max_mny)
        fwd = s * math.exp((rate - div) * t)
        sd = atm * math.sqrt(max(t, 1.0 / YEAR_DAYS))
        for ik in range(i0, i1 + 1):
            k = ik / inv_step if exact else ik * step
            z = math.log(k / fwd) / sd
            z = min(max(z, -Z_MAX), Z_MAX)
            iv = max(atm * (1.0 + skew * z + curv * z * z), min_vol)
            for c in range(2):
                call = c == 0
                g = _bsm_one(s, k, t, iv, rate, div, call, False)
                price = g[0]
                if t > 0.0:
                    eps = normal_at(key, np.uint64(r))
                    spread = max(tick, spread_pct * price * (1.0 + wing * abs(z)))
                    spread *= vol_mult * math.exp(noise * eps)
                    half = 0.5 * spread
                    bid = math.floor((price - half) * inv_tick + 1e-9) / inv_tick
                    ask = math.ceil((price + half) * inv_tick - 1e-9) / inv_tick
                    bid = max(bid, 0.0)
                else:
                    bid = max(price - half_tick, 0.0)
                    ask = price + half_tick
                o_day[r] = day[i]
                o_exp[r] = exp_day[j]
                o_strike[r] = k
                o_call[r] = call
                o_bid[r] = bid
                o_ask[r] = ask
                o_iv[r] = iv
                o_delta[r] = g[1]
                r += 1


@jit
def fill_chain_nb(  # type: ignore[no-untyped-def]
    day,
    spot,
    atm30,
    exp_day,
    exp_lo,
    exp_hi,
    offsets,
    params,
    key,
    o_day,
    o_exp,
    o_strike,
    o_call,
    o_bid,
    o_ask,
    o_iv,
    o_delta,
):
    """Fill every row (serial). ``params`` holds, in order: step, n_sd, max_mny, theta,
    kappa, min_vol, rate, div, skew, curv, tick, spread_pct, wing, vol_ref, noise."""
    for i in range(day.shape[0]):
        _fill_day(
            i,
            day,
            spot,
            atm30,
            exp_day,
            exp_lo,
            exp_hi,
            offsets,
            params,
            key,
            o_day,
            o_exp,
            o_strike,
            o_call,
            o_bid,
            o_ask,
            o_iv,
            o_delta,
        )


@jit_parallel
def fill_chain_par_nb(  # type: ignore[no-untyped-def]
    day,
    spot,
    atm30,
    exp_day,
    exp_lo,
    exp_hi,
    offsets,
    params,
    key,
    o_day,
    o_exp,
    o_strike,
    o_call,
    o_bid,
    o_ask,
    o_iv,
    o_delta,
):
    """:func:`fill_chain_nb` with ``prange`` over trading days (identical output)."""
    for i in prange(day.shape[0]):
        _fill_day(
            i,
            day,
            spot,
            atm30,
            exp_day,
            exp_lo,
            exp_hi,
            offsets,
            params,
            key,
            o_day,
            o_exp,
            o_strike,
            o_call,
            o_bid,
            o_ask,
            o_iv,
            o_delta,
        )


@jit
def atm_iv_nb(offsets, day_num, und, expiry, strike, iv, target_dte, min_dte, out):  # type: ignore[no-untyped-def]
    """At-the-money IV of each day of a flattened chain into ``out`` (n_days,).

    Rows are sorted by ``(day, expiry, strike, kind)`` with CSR ``offsets`` (the
    layout of :func:`fastopt.kernels.backtest.run_nb`). The day's expiry is the
    one nearest ``target_dte`` calendar days among those ``>= min_dte`` with a
    finite ``iv`` (ties: the earlier); its strike nearest the underlying (ties:
    the lower); the value is the mean ``iv`` of the call and the put there (the
    one quoted when only one is). NaN for a day without any.
    """
    for d in range(day_num.shape[0]):
        lo = offsets[d]
        hi = offsets[d + 1]
        best_e = -1
        best_err = np.inf
        for r in range(lo, hi):
            dte = expiry[r] - day_num[d]
            if dte >= min_dte and math.isfinite(iv[r]) and abs(dte - target_dte) < best_err:
                best_err = abs(dte - target_dte)
                best_e = expiry[r]
        out[d] = np.nan
        if best_e < 0:
            continue
        best_k = np.nan
        best_dist = np.inf
        for r in range(lo, hi):
            if expiry[r] == best_e and math.isfinite(iv[r]):
                dist = abs(strike[r] - und[d])
                if dist < best_dist:
                    best_dist = dist
                    best_k = strike[r]
        total = 0.0
        count = 0
        for r in range(lo, hi):
            if expiry[r] == best_e and strike[r] == best_k and math.isfinite(iv[r]):
                total += iv[r]
                count += 1
        out[d] = total / count
    return out
