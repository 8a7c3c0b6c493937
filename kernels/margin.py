"""Margin kernels: the worst value a set of legs can reach at a common expiry.

Strategy-based margin charges a fully covered same-expiry combination
(verticals, iron condors, butterflies, boxes, any "universal spread") its
maximum potential loss at expiry. The value of the legs at expiry,
``sum units * intrinsic`` (stock: ``units * x``), is piecewise linear in the
underlying price ``x``: its minimum over ``x >= 0`` sits at ``x = 0`` or at a
strike, unless the slope beyond the last strike is negative (then the loss is
unlimited). The kinks come from ``fastopt.kernels.strategy`` (one formula).

Legs arrive as in ``fastopt.kernels.strategy``: ``kind`` (int64: 0 call,
1 put, 2 stock), ``units`` (signed shares), ``strike`` (0 for stock).

:func:`strategy_requirement` is the whole strategy-based requirement of one unit of
a same-expiry structure (naked legs, spreads, the straddle / strangle rule, ratio
excess, covered and stock legs): the backtest's buying-power reduction, and the
figure :mod:`fastopt.strategies.margin` checks its pairing search against.
"""

from __future__ import annotations

import numpy as np

from fastopt.kernels._jit import jit, jit_inline
from fastopt.kernels.strategy import _expiry_profile


@jit
def expiry_worst_value_nb(kind, units, strike):
    """``(worst, at, slope)``: the lowest value of the legs at a common expiry over the
    kinks ``x = 0`` and every strike, the price ``at`` where it occurs, and the slope
    of the value beyond the last strike (negative: the value falls without bound).

    Premiums are not included: ``-worst`` is the liability the position can owe at
    expiry, the quantity strategy-based margin charges for a covered combination.
    """
    premium = np.zeros(kind.shape[0])
    xs, fs, slope = _expiry_profile(kind, units, strike, premium)
    i = np.argmin(fs)
    return fs[i], xs[i], slope


@jit_inline
def naked_requirement(is_call, strike, spot, premium, pct, min_pct):  # type: ignore[no-untyped-def]
    """Reg T requirement of one naked short option, per share: the premium plus
    ``max(pct * spot - out-of-the-money amount, min_pct * base)``, ``base`` the spot
    for a call and the strike for a put (the facade's :mod:`fastopt.strategies.margin`
    and the backtest kernel both use it)."""
    if is_call:
        otm = max(strike - spot, 0.0)
        floor = min_pct * spot
    else:
        otm = max(spot - strike, 0.0)
        floor = min_pct * strike
    return premium + max(pct * spot - otm, floor)


@jit
def straddle_rule(naked, prem):  # type: ignore[no-untyped-def]
    """Requirement of naked calls (``[0]``) and puts (``[1]``) held together: the larger
    side plus the other side's premium (Reg T short straddle / strangle)."""
    if naked[0] > 0.0 and naked[1] > 0.0:
        return naked[0] + prem[1] if naked[0] >= naked[1] else naked[1] + prem[0]
    return naked[0] + naked[1]


@jit
def strategy_requirement(kind, units, strike, prices, spot, naked_pct, naked_min, credit,  # type: ignore[no-untyped-def]
                         stock_initial):  # fmt: skip
    """Strategy-based buying-power reduction, per share, of one unit of a same-expiry
    structure whose legs are ``kind``, ``units`` (signed; stock in units of the
    option multiplier), ``strike`` and fill ``prices`` per share, entered for ``credit``
    per share (negative: a debit) with the underlying at ``spot``.

    Long stock (covered calls, collars): the stock at ``stock_initial``, its
    short calls covered, long options paid; short stock (covered puts): the
    proceeds plus ``stock_initial`` of the value, its short puts covered.
    Otherwise, per kind (calls, puts): with no more short than long contracts
    the whole position is covered and is charged its largest loss at expiry
    (:func:`expiry_worst_value_nb`: the width of a spread, the wider side of a
    condor, nothing for long options). A kind with more short contracts is
    naked: when it has one short and one long strike (a ratio spread) the
    matched contracts count as a spread (its width at risk, if any) and the
    excess as naked (:func:`naked_requirement`), otherwise every short of the
    kind is naked; naked calls and puts together follow :func:`straddle_rule`.
    The cheaper of that and "every short naked, longs paid" is charged. The
    credit received is then applied (a debit is paid in full).
    """
    n_legs = kind.shape[0]
    stock = 0.0
    for j in range(n_legs):
        if kind[j] == 2:
            stock += units[j]
    if stock > 0.0:
        return max(-credit - (1.0 - stock_initial) * stock * spot, 0.0)
    if stock < 0.0:  # short stock (covered puts): the sale proceeds plus stock_initial held
        return max(-credit - (1.0 + stock_initial) * stock * spot, 0.0)
    short_units = np.zeros(2)
    long_units = np.zeros(2)
    n_short = np.zeros(2, dtype=np.int64)
    n_long = np.zeros(2, dtype=np.int64)
    short_k = np.zeros(2)
    long_k = np.zeros(2)
    short_p = np.zeros(2)
    all_naked = np.zeros(2)
    all_prem = np.zeros(2)
    for j in range(n_legs):
        kk = kind[j]
        u = units[j]
        k = strike[j]
        if u < 0:
            short_units[kk] -= u
            if n_short[kk] == 0 or short_k[kk] != k:
                n_short[kk] += 1
            short_k[kk] = k
            short_p[kk] = prices[j]
            req = naked_requirement(kk == 0, k, spot, prices[j], naked_pct, naked_min)
            all_naked[kk] -= u * req
            all_prem[kk] -= u * prices[j]
        else:
            long_units[kk] += u
            if n_long[kk] == 0 or long_k[kk] != k:
                n_long[kk] += 1
            long_k[kk] = k
    if short_units[0] <= long_units[0] and short_units[1] <= long_units[1]:
        worst, _, _ = expiry_worst_value_nb(kind, units, strike)
        return max(-worst - credit, 0.0)
    naked = np.zeros(2)
    prem = np.zeros(2)
    width = 0.0
    for kk in range(2):
        if short_units[kk] == 0.0:
            continue
        ks = short_k[kk]
        kl = long_k[kk]
        risk = max(kl - ks, 0.0) if kk == 0 else max(ks - kl, 0.0)  # a credit spread's width
        if short_units[kk] > long_units[kk]:
            if long_units[kk] > 0.0 and n_short[kk] == 1 and n_long[kk] == 1:
                excess = short_units[kk] - long_units[kk]
                naked[kk] = excess * naked_requirement(
                    kk == 0, ks, spot, short_p[kk], naked_pct, naked_min
                )
                prem[kk] = excess * short_p[kk]
                width += long_units[kk] * risk
            else:
                naked[kk] = all_naked[kk]
                prem[kk] = all_prem[kk]
        else:  # covered on this side: its width at risk (one short and one long strike)
            width += short_units[kk] * (risk if n_short[kk] == 1 and n_long[kk] == 1 else 0.0)
    req = min(straddle_rule(naked, prem) + width, straddle_rule(all_naked, all_prem))
    return max(req - credit, 0.0)
