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

:func:`strategy_requirement` is the whole strategy-based requirement of a
same-expiry position (naked legs, spreads, the straddle / strangle rule, ratio
excess, covered and stock legs): the backtest's buying-power reduction, and the
figure :func:`fastopt.strategies.margin.margin` reports (its pairing search, kept in
Python, explains it).
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


_TOL = 1e-9


@jit
def _take(order, units, amount, picked):  # type: ignore[no-untyped-def]
    """Take ``amount`` short units from the contracts ``order`` (in that order) into
    ``picked`` (units taken per contract, >= 0)."""
    picked[:] = 0.0
    left = amount
    for i in order:
        if left <= _TOL:
            break
        u = min(-units[i], left)
        picked[i] = u
        left -= u


@jit
def _naked_bpr(kind, units_naked, per, premium):  # type: ignore[no-untyped-def]
    """BPR of naked shorts (``units_naked`` > 0 per contract): a call and a put are paired
    by the straddle rule (largest requirements first), the rest alone; each unit's
    requirement less its premium."""
    order = np.argsort(-per, kind="mergesort")  # largest requirement first, stable
    calls = [i for i in order if kind[i] == 0 and units_naked[i] > _TOL]
    puts = [i for i in order if kind[i] == 1 and units_naked[i] > _TOL]
    left = units_naked.copy()
    bpr = 0.0
    i = 0
    j = 0
    if len(calls) > 0 and len(puts) > 0:
        while i < len(calls) and j < len(puts):
            c = calls[i]
            p = puts[j]
            u = min(left[c], left[p])
            req = (per[c] + premium[p]) * u if per[c] >= per[p] else (per[p] + premium[c]) * u
            bpr += req - (premium[c] + premium[p]) * u
            left[c] -= u
            left[p] -= u
            if left[c] <= _TOL:
                i += 1
            if left[p] <= _TOL:
                j += 1
    for k in range(i, len(calls)):
        c = calls[k]
        bpr += per[c] * left[c] - premium[c] * left[c]
    for k in range(j, len(puts)):
        p = puts[k]
        bpr += per[p] * left[p] - premium[p] * left[p]
    return bpr


@jit
def _treatment_bpr(kind, units, strike, premium, per, shares, spot, take_c, take_p):  # type: ignore[no-untyped-def]
    """BPR of one decomposition (``inf`` when it is not valid): the taken short calls
    covered by long stock (lowest strikes first), the taken short puts by short stock
    (highest strikes first), the rest of the taken shorts naked; what remains is long
    options paid in full or a covered spread charged its largest loss at expiry plus its
    net cost."""
    n = kind.shape[0]
    bpr = 0.0
    naked = np.zeros(n)
    order = np.argsort(strike, kind="mergesort")
    left = shares
    for i in order:  # calls on long stock, lowest strike first
        if take_c[i] <= 0.0:
            continue
        s = min(take_c[i], left) if shares > 0.0 else 0.0
        left -= s
        if s > _TOL:
            bpr -= premium[i] * s
        if take_c[i] - s > _TOL:
            naked[i] = take_c[i] - s
    left = -shares
    for k in range(n - 1, -1, -1):  # puts on short stock, highest strike first
        i = order[k]
        if take_p[i] <= 0.0:
            continue
        s = min(take_p[i], left) if shares < 0.0 else 0.0
        left -= s
        if s > _TOL:
            bpr += max(strike[i] - spot, 0.0) * s - premium[i] * s
        if take_p[i] - s > _TOL:
            naked[i] = take_p[i] - s
    bpr += _naked_bpr(kind, naked, per, premium)
    rest_u = units + take_c + take_p
    keep = np.abs(rest_u) > _TOL
    if not keep.any():
        return bpr
    all_long = True
    cost = 0.0
    for i in range(n):
        if keep[i]:
            cost += rest_u[i] * premium[i]
            if rest_u[i] <= 0.0:
                all_long = False
    if all_long:
        return bpr + cost
    worst, _, slope = expiry_worst_value_nb(kind[keep], rest_u[keep], strike[keep])
    if slope < -_TOL:
        return np.inf
    return bpr + max(0.0, -worst) + cost


@jit
def strategy_requirement(kind, units, strike, prices, spot, naked_pct, naked_min,  # type: ignore[no-untyped-def]
                         stock_initial):  # fmt: skip
    """Strategy-based buying-power reduction, per share, of one unit of a same-expiry
    structure in a margin account: legs ``kind``, ``units`` (signed; stock in units of
    the option multiplier), ``strike`` and fill ``prices`` per share (stock: its price),
    with the underlying at ``spot``. The premiums received are applied and debits paid
    (the requirement is net of the position's own cash).

    The rules of :func:`fastopt.strategies.margin.margin` (Reg T / Cboe), written once:
    stock at ``stock_initial`` of its value; every decomposition of the short options
    into (a) shorts covered by stock (calls by long stock, puts by short stock, which
    add their in-the-money amount), (b) naked shorts (:func:`naked_requirement`, calls
    and puts paired by the straddle rule) and (c) the rest -- long options paid in full,
    or a covered same-expiry spread charged its largest loss at expiry
    (:func:`expiry_worst_value_nb`) -- is priced, and the cheapest is charged ("the
    lesser of" a spread and its shorts naked). The shorts taken out of the spread are
    the excess over the longs (lowest or highest strikes first) or all of them.
    """
    n_legs = kind.shape[0]
    shares = 0.0
    stock_cash = 0.0
    n = 0
    k_ = np.empty(n_legs, dtype=np.int64)
    u_ = np.zeros(n_legs)
    s_ = np.empty(n_legs)
    cash = np.zeros(n_legs)
    for j in range(n_legs):  # net identical contracts
        if kind[j] == 2:
            shares += units[j]
            stock_cash += units[j] * prices[j]
            continue
        at = -1
        for i in range(n):
            if k_[i] == kind[j] and s_[i] == strike[j]:
                at = i
        if at < 0:
            at = n
            k_[n] = kind[j]
            s_[n] = strike[j]
            n += 1
        u_[at] += units[j]
        cash[at] += units[j] * prices[j]
    residual = 0.0
    m = 0
    kind_c = np.empty(n, dtype=np.int64)
    units_c = np.empty(n)
    strike_c = np.empty(n)
    prem = np.empty(n)
    for i in range(n):
        if abs(u_[i]) <= _TOL:
            residual += cash[i]
            continue
        p = cash[i] / u_[i]
        if p < 0.0:
            residual += cash[i]
            p = 0.0
        kind_c[m] = k_[i]
        units_c[m] = u_[i]
        strike_c[m] = s_[i]
        prem[m] = p
        m += 1
    kind_c = kind_c[:m]
    units_c = units_c[:m]
    strike_c = strike_c[:m]
    prem = prem[:m]
    if abs(shares) <= _TOL:
        shares = 0.0
    stock_bpr = stock_initial * spot * abs(shares)
    if m == 0:
        return max(stock_bpr + residual, 0.0)
    per = np.empty(m)
    for i in range(m):
        per[i] = naked_requirement(kind_c[i] == 0, strike_c[i], spot, prem[i], naked_pct,
                                   naked_min)  # fmt: skip
    sum_c = 0.0
    sum_p = 0.0
    short_c = 0.0
    short_p = 0.0
    for i in range(m):
        if kind_c[i] == 0:
            sum_c += units_c[i]
            short_c -= min(units_c[i], 0.0)
        else:
            sum_p += units_c[i]
            short_p -= min(units_c[i], 0.0)
    excess_c = max(-sum_c, 0.0)
    excess_p = max(-sum_p, 0.0)
    by_strike = np.argsort(strike_c, kind="mergesort")
    shorts_c = [i for i in by_strike if kind_c[i] == 0 and units_c[i] < 0.0]
    shorts_p = [i for i in by_strike if kind_c[i] == 1 and units_c[i] < 0.0]
    shorts_c_desc = shorts_c[::-1]
    shorts_p_desc = shorts_p[::-1]
    takes_c = np.zeros((3, m))
    takes_p = np.zeros((3, m))
    _take(shorts_c, units_c, excess_c, takes_c[0])
    _take(shorts_c_desc, units_c, excess_c, takes_c[1])
    _take(shorts_c, units_c, short_c, takes_c[2])
    _take(shorts_p_desc, units_c, excess_p, takes_p[0])
    _take(shorts_p, units_c, excess_p, takes_p[1])
    _take(shorts_p_desc, units_c, short_p, takes_p[2])
    best = np.inf
    for a in range(3):
        for b in range(3):
            t = _treatment_bpr(kind_c, units_c, strike_c, prem, per, shares, spot,
                               takes_c[a], takes_p[b])  # fmt: skip
            best = min(best, t)
    return max(best + stock_bpr + residual, 0.0)
