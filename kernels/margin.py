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
