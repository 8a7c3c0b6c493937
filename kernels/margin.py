"""Margin kernels: the worst value a set of legs can reach at a common expiry.

Strategy-based margin charges a fully covered same-expiry combination
(verticals, iron condors, butterflies, boxes, any "universal spread") its
maximum potential loss at expiry. The value of the legs at expiry,
``sum units * intrinsic`` (stock: ``units * x``), is piecewise linear in the
underlying price ``x``: its minimum over ``x >= 0`` sits at ``x = 0`` or at a
strike, unless the slope beyond the last strike is negative (then the loss is
unlimited). Intrinsic values come from ``fastopt.kernels.position`` (one formula).

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
from fastopt.kernels.position import intrinsic


@jit_inline
def _value_at(kind, units, strike, x):  # type: ignore[no-untyped-def]
    """Value of the legs at a common expiry with the underlying at ``x`` (stock: ``u x``)."""
    acc = -0.0
    for j in range(kind.shape[0]):
        if kind[j] == 2:
            acc += units[j] * x
        else:
            acc += units[j] * intrinsic(kind[j], strike[j], x)
    return acc


@jit
def expiry_worst_value_nb(kind, units, strike):  # type: ignore[no-untyped-def]
    """``(worst, at, slope)``: the lowest value of the legs at a common expiry over the
    kinks ``x = 0`` and every strike, the price ``at`` where it occurs (the lowest such
    price), and the slope of the value beyond the last strike (negative: the value falls
    without bound). Legs with zero units are allowed (they add nothing).

    Premiums are not included: ``-worst`` is the liability the position can owe at
    expiry, the quantity strategy-based margin charges for a covered combination.
    Allocation-free: the margin search calls it for every candidate decomposition.
    """
    slope = 0.0
    for j in range(kind.shape[0]):
        if kind[j] != 1:
            slope += units[j]
    worst = _value_at(kind, units, strike, 0.0)
    at = 0.0
    for i in range(kind.shape[0]):
        if kind[i] == 2:
            continue
        x = strike[i]
        v = _value_at(kind, units, strike, x)
        if v < worst or (v == worst and x < at):
            worst = v
            at = x
    return worst, at, slope


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

# rows of the float (WF_*) and integer (WI_*) workspaces of strategy_requirement_ws
WF_UNITS, WF_STRIKE, WF_CASH, WF_UNITS_C, WF_STRIKE_C, WF_PREM, WF_PER = 0, 1, 2, 3, 4, 5, 6
WF_TAKE_C = 7  # three rows: the call picks
WF_TAKE_P = 10  # three rows: the put picks
WF_NAKED, WF_REST, WF_LEFT = 13, 14, 15
N_WF = 16
WI_KIND, WI_KIND_C, WI_ASC_C, WI_ASC_P, WI_DESC_C, WI_DESC_P, WI_ORDER = 0, 1, 2, 3, 4, 5, 6
WI_CALLS, WI_PUTS = 7, 8
N_WI = 9


@jit
def margin_workspace(n_legs):  # type: ignore[no-untyped-def]
    """``(wf, wi)``: the scratch arrays :func:`strategy_requirement_ws` needs for up to
    ``n_legs`` legs (allocate once, reuse for every position)."""
    return np.empty((N_WF, n_legs)), np.empty((N_WI, n_legs), dtype=np.int64)


@jit
def _stable_order(keys, order, descending):  # type: ignore[no-untyped-def]
    """Write into ``order`` the indices that sort ``keys`` (ascending or descending),
    equal keys in their original order (an insertion sort: a handful of contracts)."""
    n = keys.shape[0]
    for i in range(n):
        order[i] = i
    for i in range(1, n):
        j = i
        while j > 0 and (
            keys[order[j - 1]] < keys[order[j]]
            if descending
            else keys[order[j - 1]] > keys[order[j]]
        ):
            order[j - 1], order[j] = order[j], order[j - 1]
            j -= 1


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
def _naked_bpr(kind, units_naked, per, premium, left, order, calls, puts):  # type: ignore[no-untyped-def]
    """BPR of naked shorts (``units_naked`` > 0 per contract): a call and a put are paired
    by the straddle rule (largest requirements first), the rest alone; each unit's
    requirement less its premium. ``left``, ``order``, ``calls``, ``puts``: scratch."""
    _stable_order(per, order, True)  # largest requirement first
    n_c = 0
    n_p = 0
    for i in order:
        left[i] = units_naked[i]
        if units_naked[i] > _TOL:
            if kind[i] == 0:
                calls[n_c] = i
                n_c += 1
            else:
                puts[n_p] = i
                n_p += 1
    bpr = 0.0
    i = 0
    j = 0
    if n_c > 0 and n_p > 0:
        while i < n_c and j < n_p:
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
    for k in range(i, n_c):
        c = calls[k]
        bpr += per[c] * left[c] - premium[c] * left[c]
    for k in range(j, n_p):
        p = puts[k]
        bpr += per[p] * left[p] - premium[p] * left[p]
    return bpr


@jit
def _treatment_bpr(kind, units, strike, premium, per, shares, spot, take_c, take_p,  # type: ignore[no-untyped-def]
                   wf, wi):  # fmt: skip
    """BPR of one decomposition (``inf`` when it is not valid): the taken short calls
    covered by long stock (lowest strikes first), the taken short puts by short stock
    (highest strikes first), the rest of the taken shorts naked; what remains is long
    options paid in full or a covered spread charged its largest loss at expiry plus its
    net cost."""
    n = kind.shape[0]
    naked = wf[WF_NAKED, :n]
    rest_u = wf[WF_REST, :n]
    order = wi[WI_ORDER, :n]
    bpr = 0.0
    naked[:] = 0.0
    _stable_order(strike, order, False)
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
    bpr += _naked_bpr(kind, naked, per, premium, wf[WF_LEFT, :n], order, wi[WI_CALLS, :n],
                      wi[WI_PUTS, :n])  # fmt: skip
    any_left = False
    all_long = True
    cost = 0.0
    for i in range(n):
        rest_u[i] = units[i] + take_c[i] + take_p[i]
        if abs(rest_u[i]) > _TOL:
            any_left = True
            cost += rest_u[i] * premium[i]
            if rest_u[i] <= 0.0:
                all_long = False
        else:
            rest_u[i] = 0.0
    if not any_left:
        return bpr
    if all_long:
        return bpr + cost
    worst, _, slope = expiry_worst_value_nb(kind, rest_u, strike)
    if slope < -_TOL:
        return np.inf
    return bpr + max(0.0, -worst) + cost


@jit
def _same(a, b):  # type: ignore[no-untyped-def]
    """True when the rows ``a`` and ``b`` are equal element by element (a loop: nopython
    has no generator expressions, and ``(a == b).all()`` would allocate)."""
    for i in range(a.shape[0]):  # noqa: SIM110
        if a[i] != b[i]:
            return False
    return True


@jit
def strategy_requirement_ws(kind, units, strike, prices, spot, naked_pct, naked_min,  # type: ignore[no-untyped-def]
                            stock_initial, wf, wi):  # fmt: skip
    """:func:`strategy_requirement` with the scratch arrays of :func:`margin_workspace`
    (no allocation: the backtest calls it for every entry)."""
    n_legs = kind.shape[0]
    shares = 0.0
    n = 0
    k_ = wi[WI_KIND]
    u_ = wf[WF_UNITS]
    s_ = wf[WF_STRIKE]
    cash = wf[WF_CASH]
    for j in range(n_legs):  # net identical contracts
        if kind[j] == 2:
            shares += units[j]
            continue
        at = -1
        for i in range(n):
            if k_[i] == kind[j] and s_[i] == strike[j]:
                at = i
        if at < 0:
            at = n
            k_[n] = kind[j]
            s_[n] = strike[j]
            u_[n] = 0.0
            cash[n] = 0.0
            n += 1
        u_[at] += units[j]
        cash[at] += units[j] * prices[j]
    residual = 0.0
    m = 0
    kind_c = wi[WI_KIND_C]
    units_c = wf[WF_UNITS_C]
    strike_c = wf[WF_STRIKE_C]
    prem = wf[WF_PREM]
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
    if abs(shares) <= _TOL:
        shares = 0.0
    stock_bpr = stock_initial * spot * abs(shares)
    if m == 0:
        return max(stock_bpr + residual, 0.0)
    kind_c = kind_c[:m]
    units_c = units_c[:m]
    strike_c = strike_c[:m]
    prem = prem[:m]
    per = wf[WF_PER, :m]
    sum_c = 0.0
    sum_p = 0.0
    short_c = 0.0
    short_p = 0.0
    for i in range(m):
        per[i] = naked_requirement(kind_c[i] == 0, strike_c[i], spot, prem[i], naked_pct,
                                   naked_min)  # fmt: skip
        if kind_c[i] == 0:
            sum_c += units_c[i]
            short_c -= min(units_c[i], 0.0)
        else:
            sum_p += units_c[i]
            short_p -= min(units_c[i], 0.0)
    excess_c = max(-sum_c, 0.0)
    excess_p = max(-sum_p, 0.0)
    by_strike = wi[WI_ORDER, :m]
    _stable_order(strike_c, by_strike, False)
    asc_c = wi[WI_ASC_C]
    asc_p = wi[WI_ASC_P]
    n_sc = 0
    n_sp = 0
    for i in by_strike:  # short calls and short puts by strike
        if units_c[i] < 0.0:
            if kind_c[i] == 0:
                asc_c[n_sc] = i
                n_sc += 1
            else:
                asc_p[n_sp] = i
                n_sp += 1
    desc_c = wi[WI_DESC_C, :n_sc]
    desc_p = wi[WI_DESC_P, :n_sp]
    for k in range(n_sc):
        desc_c[k] = asc_c[n_sc - 1 - k]
    for k in range(n_sp):
        desc_p[k] = asc_p[n_sp - 1 - k]
    asc_c = asc_c[:n_sc]
    asc_p = asc_p[:n_sp]
    tc = wf[WF_TAKE_C : WF_TAKE_C + 3, :m]
    tp = wf[WF_TAKE_P : WF_TAKE_P + 3, :m]
    _take(asc_c, units_c, excess_c, tc[0])
    _take(desc_c, units_c, excess_c, tc[1])
    _take(asc_c, units_c, short_c, tc[2])
    _take(desc_p, units_c, excess_p, tp[0])
    _take(asc_p, units_c, excess_p, tp[1])
    _take(desc_p, units_c, short_p, tp[2])
    best = np.inf
    for a in range(3):
        if (a == 1 and _same(tc[1], tc[0])) or (
            a == 2 and (_same(tc[2], tc[0]) or _same(tc[2], tc[1]))
        ):
            continue  # the same decomposition as an earlier pick
        for b in range(3):
            if (b == 1 and _same(tp[1], tp[0])) or (
                b == 2 and (_same(tp[2], tp[0]) or _same(tp[2], tp[1]))
            ):
                continue
            t = _treatment_bpr(kind_c, units_c, strike_c, prem, per, shares, spot, tc[a], tp[b],
                               wf, wi)  # fmt: skip
            best = min(best, t)
    return max(best + stock_bpr + residual, 0.0)


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
    wf, wi = margin_workspace(max(kind.shape[0], 1))
    return strategy_requirement_ws(kind, units, strike, prices, spot, naked_pct, naked_min,
                                   stock_initial, wf, wi)  # fmt: skip
