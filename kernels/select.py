"""Leg selection: the expiry and the contracts of a structure, picked from one day's
chain slice. Used by the backtest entry (:mod:`fastopt.kernels.backtest`) and by every
``*_from_chain`` builder of :mod:`fastopt.strategies.chain_select`, so the same chain
and the same rule give the same legs.

The chain slice is rows ``[lo, hi)`` of flat arrays sorted by ``(expiry, strike,
kind)`` (kind 0 call, 1 put, 2 stock). A contract can be picked only when it has a
two-sided quote (finite bid and ask).

Selection modes (:data:`fastopt.kernels.enums.Select`):

* ``DELTA`` -- the ``kind`` whose ``|delta|`` is nearest ``target`` (rows with a
  finite delta);
* ``MONEYNESS`` -- the strike nearest ``spot * (1 - target)`` for a put,
  ``spot * (1 + target)`` for a call;
* ``WING_OUT`` / ``WING_IN`` -- the strike nearest ``target`` points further out of
  (into) the money than ``ref_strike``, strictly beyond it;
* ``SAME_STRIKE`` -- the strike ``ref_strike`` exactly;
* ``STOCK`` -- the bar's synthetic stock row (the slice's last row, kind 2).

**The tie rule** (one for every mode): of two candidates at the same distance from
the target, the one further from the money wins -- the higher strike for a call, the
lower for a put; for a wing, the wider wing.

Expiries: :func:`select_expiry` takes the expiry whose days to expiry are nearest
``target_dte`` inside ``[min_dte, max_dte]`` (the earlier on a tie);
:func:`select_far_expiry` the first expiry after a near one nearest ``near + gap``
days (the earlier on a tie).
"""

from __future__ import annotations

import math

import numpy as np

from fastopt.kernels._jit import jit, jit_inline
from fastopt.kernels.enums import Select

STOCK_EXPIRY = 1_000_000_000  # the expiry key of each bar's synthetic stock row (kind 2)
MODE_DELTA = Select.DELTA
MODE_WING_OUT = Select.WING_OUT
MODE_SAME_STRIKE = Select.SAME_STRIKE
MODE_WING_IN = Select.WING_IN
MODE_MONEYNESS = Select.MONEYNESS
MODE_STOCK = Select.STOCK


@jit_inline
def _quoted(bid, ask, r):  # type: ignore[no-untyped-def]
    return math.isfinite(bid[r]) and math.isfinite(ask[r])


@jit
def select_expiry(lo, hi, expiry, today, min_dte, max_dte, target_dte):  # type: ignore[no-untyped-def]
    """The expiry in rows ``[lo, hi)`` with ``min_dte <= expiry - today <= max_dte`` nearest
    ``target_dte`` days (the earlier on a tie), or -1."""
    best_e = -1
    best_dist = np.inf
    r = lo
    while r < hi:
        e = expiry[r]
        dte = e - today
        if dte >= min_dte and dte <= max_dte:
            dist = abs(dte - target_dte)
            if dist < best_dist:
                best_dist = dist
                best_e = e
        while r < hi and expiry[r] == e:
            r += 1
    return best_e


@jit
def select_far_expiry(lo, hi, expiry, near, gap):  # type: ignore[no-untyped-def]
    """The option expiry in rows ``[lo, hi)`` (the rows after the near expiry's) nearest
    ``near + gap`` days (the earlier on a tie), or -1."""
    best_f = -1
    best_gap = np.inf
    r = lo
    while r < hi:
        e = expiry[r]
        gap_err = abs(e - near - gap)
        if gap_err < best_gap and e != STOCK_EXPIRY:
            best_gap = gap_err
            best_f = e
        while r < hi and expiry[r] == e:
            r += 1
    return best_f


@jit
def expiry_rows(lo, hi, expiry, e):  # type: ignore[no-untyped-def]
    """``(first, stop)``: the rows of expiry ``e`` within ``[lo, hi)`` (empty at ``hi``)."""
    first = lo
    while first < hi and expiry[first] != e:
        first += 1
    stop = first
    while stop < hi and expiry[stop] == e:
        stop += 1
    return first, stop


@jit
def select_leg(  # type: ignore[no-untyped-def]
    mode, kind_code, target, ref_strike, spot, lo, hi, kind, strike, bid, ask, delta
):
    """``(row, error)``: the row in ``[lo, hi)`` picked by ``mode`` (see the module
    docstring) for a leg of ``kind_code``, and its distance from the target (``|delta|``
    units for ``DELTA``, strike points otherwise, 0 for ``SAME_STRIKE`` and ``STOCK``);
    row -1 when nothing qualifies."""
    best_r = -1
    best_err = np.inf
    further = kind_code == 0  # calls: a higher strike is further out of the money
    if mode == MODE_DELTA:
        for r in range(lo, hi):
            if kind[r] != kind_code or not math.isfinite(delta[r]) or not _quoted(bid, ask, r):
                continue
            err = abs(abs(delta[r]) - target)
            if err < best_err or (further and err == best_err):
                best_err = err
                best_r = r
    elif mode == MODE_MONEYNESS:
        want = spot * (1.0 - target) if kind_code == 1 else spot * (1.0 + target)
        for r in range(lo, hi):
            if kind[r] != kind_code or not _quoted(bid, ask, r):
                continue
            err = abs(strike[r] - want)
            if err < best_err or (further and err == best_err):
                best_err = err
                best_r = r
    elif mode == MODE_STOCK:
        if hi > lo and kind[hi - 1] == 2:
            best_r = hi - 1
            best_err = 0.0
    elif mode == MODE_SAME_STRIKE:
        for r in range(lo, hi):
            if kind[r] == kind_code and strike[r] == ref_strike and _quoted(bid, ask, r):
                best_r = r
                best_err = 0.0
    else:  # a wing: further out of the money (WING_OUT) or into it (WING_IN)
        up = (kind_code == 0) == (mode == MODE_WING_OUT)
        want = ref_strike + target if up else ref_strike - target
        for r in range(lo, hi):
            if kind[r] != kind_code or not _quoted(bid, ask, r):
                continue
            if (up and strike[r] <= ref_strike) or (not up and strike[r] >= ref_strike):
                continue
            err = abs(strike[r] - want)
            if err < best_err or (up and err == best_err):  # the wider wing
                best_err = err
                best_r = r
    return best_r, best_err
