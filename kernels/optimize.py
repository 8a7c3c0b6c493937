"""Exhaustive strike search for credit structures on one expiry of a chain.

Strikes arrive sorted ascending, one array per side (puts, calls), with the
per-share fills a trader gets when selling (``sell``) and buying (``buy``)
each strike, the absolute delta of each strike, and ``e_put[k]`` /
``e_call[k]`` = E[(K - S_T)^+] / E[(S_T - K)^+] under the analysis lognormal
(undiscounted; the facade computes them with the BS kernel).

Structures (``structure``): 0 iron condor (long put < short put <= short call
< long call), 1 bull put credit spread (long put < short put), 2 bear call
credit spread (short call < long call).

Candidates are laid out without gaps so that every candidate has one flat
index: for the iron condor, short put ``i`` owns
``i * pairs(n_call - m[i])`` slots where ``m[i]`` is the first call strike at
or above the short put strike and ``pairs(x) = x (x - 1) / 2``; within it,
long put ``j`` then the call pair ``(k, lc)`` in row-major order of the upper
triangle. ``score_nb`` writes the objective (NaN where a constraint fails)
and ``decode_nb`` turns flat indices back into strike indices and metrics.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels._special import norm_cdf

IRON_CONDOR, PUT_CREDIT, CALL_CREDIT = 0, 1, 2
OBJ_EV_PER_RISK, OBJ_CREDIT_PER_MARGIN, OBJ_POP, OBJ_EV = 0, 1, 2, 3
N_METRICS = 9
"""Rows of ``decode_nb``'s metrics: credit, max_loss, margin, pop, ev, score,
lower break-even, upper break-even (per share except margin), short-leg |delta| max."""


@jit_inline
def _pairs(x):
    return x * (x - 1) // 2 if x > 1 else 0


@jit
def layout_nb(structure, put_k, call_k):
    """Offsets of each short put's slots (n_put + 1,) and ``m``, the first call index at or
    above each put strike."""
    n_p = put_k.shape[0]
    n_c = call_k.shape[0]
    m = np.searchsorted(call_k, put_k)  # first call strike >= put strike
    if structure == IRON_CONDOR:
        off = np.zeros(n_p + 1, np.int64)
        for i in range(n_p):
            off[i + 1] = off[i] + i * _pairs(n_c - m[i])
    elif structure == PUT_CREDIT:
        off = np.zeros(n_p + 1, np.int64)
        for i in range(n_p):
            off[i + 1] = off[i] + i
    else:
        off = np.zeros(2, np.int64)
        off[1] = _pairs(n_c)
    return off, m


@jit_inline
def _prob_between(lo, hi, s0, mu, sig, h):
    """P(lo < S_h < hi) for the lognormal (lo may be 0, hi may be inf)."""
    sd = sig * math.sqrt(h)
    m = math.log(s0) + (mu - 0.5 * sig * sig) * h
    p_lo = 1.0 if lo <= 0.0 else norm_cdf((m - math.log(lo)) / sd)
    p_hi = 0.0 if hi == np.inf else norm_cdf((m - math.log(hi)) / sd)
    return max(p_lo - p_hi, 0.0)


@jit
def _metrics(
    structure,
    i,
    j,
    k,
    lc,
    put_k,
    put_sell,
    put_buy,
    put_d,
    e_put,
    call_k,
    call_sell,
    call_buy,
    call_d,
    e_call,
    s0,
    mu,
    sig,
    h,
    thr,
    mult,
    objective,
):
    credit = 0.0
    ev = 0.0
    w_p = 0.0
    w_c = 0.0
    lo_be = 0.0
    hi_be = np.inf
    dmax = 0.0
    if structure != CALL_CREDIT:
        credit += put_sell[i] - put_buy[j]
        w_p = put_k[i] - put_k[j]
        ev += -e_put[i] + e_put[j]
        dmax = max(dmax, put_d[i])
    if structure != PUT_CREDIT:
        credit += call_sell[k] - call_buy[lc]
        w_c = call_k[lc] - call_k[k]
        ev += -e_call[k] + e_call[lc]
        dmax = max(dmax, call_d[k])
    ev += credit
    width = max(w_p, w_c)
    max_loss = width - credit
    margin = width * mult
    edge = credit - thr
    if structure != CALL_CREDIT:
        lo_be = put_k[i] - (credit if credit < w_p else w_p)
        lo_p = put_k[i] - edge if edge < w_p else 0.0
    else:
        lo_p = 0.0
    if structure != PUT_CREDIT:
        hi_be = call_k[k] + (credit if credit < w_c else w_c)
        hi_p = call_k[k] + edge if edge < w_c else np.inf
    else:
        hi_p = np.inf
    pop = _prob_between(lo_p, hi_p, s0, mu, sig, h) if edge > 0.0 else 0.0
    if objective == OBJ_EV_PER_RISK:
        score = ev / max_loss if max_loss > 0.0 else np.nan
    elif objective == OBJ_CREDIT_PER_MARGIN:
        score = credit * mult / margin
    elif objective == OBJ_POP:
        score = pop
    else:
        score = ev
    return credit, max_loss, margin, pop, ev, score, lo_be, hi_be, dmax


@jit_inline
def _feasible(mt, put_ok, min_pop, min_credit, max_margin, dmin, dmax_allowed, max_width, mult):
    credit, max_loss, margin, pop = mt[0], mt[1], mt[2], mt[3]
    dmax = mt[8]
    return (
        put_ok
        and max_loss > 0.0
        and pop >= min_pop
        and credit >= min_credit
        and margin <= max_margin
        and margin <= max_width * mult
        and dmax <= dmax_allowed
    )


@jit_inline
def _delta_ok(structure, i, k, put_d, call_d, dmin, dmax):
    ok = True
    if structure != CALL_CREDIT:
        ok = ok and dmin <= put_d[i] <= dmax
    if structure != PUT_CREDIT:
        ok = ok and dmin <= call_d[k] <= dmax
    return ok


@jit_parallel
def score_nb(
    structure,
    off,
    m,
    put_k,
    put_sell,
    put_buy,
    put_d,
    e_put,
    call_k,
    call_sell,
    call_buy,
    call_d,
    e_call,
    s0,
    mu,
    sig,
    h,
    thr,
    mult,
    objective,
    min_pop,
    min_credit,
    max_margin,
    dmin,
    dmax,
    max_width,
    out,
):
    """Objective of every candidate into ``out`` (off[-1],), NaN where infeasible."""
    n_c = call_k.shape[0]
    n_outer = off.shape[0] - 1
    for i in prange(n_outer):
        base = off[i]
        if structure == IRON_CONDOR:
            x = n_c - m[i]
            span = _pairs(x)
            for j in range(i):
                pos = base + j * span
                for k in range(m[i], n_c):
                    for lc in range(k + 1, n_c):
                        mt = _metrics(
                            structure,
                            i,
                            j,
                            k,
                            lc,
                            put_k,
                            put_sell,
                            put_buy,
                            put_d,
                            e_put,
                            call_k,
                            call_sell,
                            call_buy,
                            call_d,
                            e_call,
                            s0,
                            mu,
                            sig,
                            h,
                            thr,
                            mult,
                            objective,
                        )
                        ok = _delta_ok(structure, i, k, put_d, call_d, dmin, dmax)
                        feas = _feasible(
                            mt, ok, min_pop, min_credit, max_margin, dmin, dmax, max_width, mult
                        )
                        out[pos] = mt[5] if feas else np.nan
                        pos += 1
        elif structure == PUT_CREDIT:
            for j in range(i):
                mt = _metrics(
                    structure,
                    i,
                    j,
                    0,
                    0,
                    put_k,
                    put_sell,
                    put_buy,
                    put_d,
                    e_put,
                    call_k,
                    call_sell,
                    call_buy,
                    call_d,
                    e_call,
                    s0,
                    mu,
                    sig,
                    h,
                    thr,
                    mult,
                    objective,
                )
                ok = _delta_ok(structure, i, 0, put_d, call_d, dmin, dmax)
                feas = _feasible(
                    mt, ok, min_pop, min_credit, max_margin, dmin, dmax, max_width, mult
                )
                out[base + j] = mt[5] if feas else np.nan
        else:
            pos = 0
            for k in range(n_c):
                for lc in range(k + 1, n_c):
                    mt = _metrics(
                        structure,
                        0,
                        0,
                        k,
                        lc,
                        put_k,
                        put_sell,
                        put_buy,
                        put_d,
                        e_put,
                        call_k,
                        call_sell,
                        call_buy,
                        call_d,
                        e_call,
                        s0,
                        mu,
                        sig,
                        h,
                        thr,
                        mult,
                        objective,
                    )
                    ok = _delta_ok(structure, 0, k, put_d, call_d, dmin, dmax)
                    feas = _feasible(
                        mt, ok, min_pop, min_credit, max_margin, dmin, dmax, max_width, mult
                    )
                    out[pos] = mt[5] if feas else np.nan
                    pos += 1
    return out


@jit
def decode_nb(
    structure,
    flat,
    off,
    m,
    put_k,
    put_sell,
    put_buy,
    put_d,
    e_put,
    call_k,
    call_sell,
    call_buy,
    call_d,
    e_call,
    s0,
    mu,
    sig,
    h,
    thr,
    mult,
    objective,
    idx_out,
    metrics_out,
):
    """Strike indices (long put, short put, short call, long call; -1 where absent)
    and the ``N_METRICS`` metrics of each flat candidate index."""
    n_c = call_k.shape[0]
    for r in range(flat.shape[0]):
        f = flat[r]
        i = j = k = lc = -1
        if structure == CALL_CREDIT:
            rem = f
            for kk in range(n_c):
                cnt = n_c - kk - 1
                if rem < cnt:
                    k = kk
                    lc = kk + 1 + rem
                    break
                rem -= cnt
        else:
            i = np.searchsorted(off, f, side="right") - 1
            rem = f - off[i]
            if structure == PUT_CREDIT:
                j = rem
            else:
                span = _pairs(n_c - m[i])
                j = rem // span
                rem = rem % span
                for kk in range(m[i], n_c):
                    cnt = n_c - kk - 1
                    if rem < cnt:
                        k = kk
                        lc = kk + 1 + rem
                        break
                    rem -= cnt
        idx_out[r, 0] = j
        idx_out[r, 1] = i
        idx_out[r, 2] = k
        idx_out[r, 3] = lc
        mt = _metrics(
            structure,
            max(i, 0),
            max(j, 0),
            max(k, 0),
            max(lc, 0),
            put_k,
            put_sell,
            put_buy,
            put_d,
            e_put,
            call_k,
            call_sell,
            call_buy,
            call_d,
            e_call,
            s0,
            mu,
            sig,
            h,
            thr,
            mult,
            objective,
        )
        for q in range(N_METRICS):
            metrics_out[r, q] = mt[q]
    return idx_out
