"""The multi-leg strategy engine: P&L grids, exact expiry analytics, smooth
(pre-expiry / multi-expiry) analytics, probability of touch.

Legs arrive as parallel 1-D arrays (see ``fastopt.strategies.strategy.LegArrays``):
``kind`` (int64: 0 call, 1 put, 2 stock), ``units`` (signed shares = quantity x
multiplier), ``strike`` (0 for stock), ``premium`` (entry price per share),
``t`` (years from the valuation date to expiry) and ``vol`` (the leg's vol).
Money is in position dollars: ``units * (value - premium)`` summed over legs.

Time ``h`` ("elapsed") is measured in years from the valuation date. A leg with
``t <= h`` has expired and is worth its intrinsic value; the others are valued
with Black-Scholes-Merton at ``tau = t - h`` and their own vol.

The underlying at ``h`` is lognormal: ``ln S_h ~ N(ln S0 + (mu - sig^2/2) h, sig^2 h)``.
Then ``P(S_h > x) = N(d2(x))`` and ``E[S_h 1{S_h > x}] = S0 e^{mu h} N(d1(x))``
with ``d2(x) = (ln(S0/x) + (mu - sig^2/2) h) / (sig sqrt h)``, ``d1 = d2 + sig sqrt h``.

The stats vector written by both analysis kernels (``N_STATS`` entries):
``pop, ev, e_profit, e_loss, max_profit, max_loss, prob_loss, n_breakevens``
where ``e_profit``/``e_loss`` are E[P&L | P&L >= c] and E[P&L | P&L < c]
(NaN when that event has probability zero).
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels._special import norm_cdf
from fastopt.kernels.bs import _bsm_one, bsm_price_scalar

N_STATS = 8
STAT_POP, STAT_EV, STAT_E_PROFIT, STAT_E_LOSS = 0, 1, 2, 3
STAT_MAX_PROFIT, STAT_MAX_LOSS, STAT_PROB_LOSS, STAT_N_BE = 4, 5, 6, 7

_GL8_X = np.array(
    [
        -0.9602898564975363,
        -0.7966664774136267,
        -0.5255324099163290,
        -0.1834346424956498,
        0.1834346424956498,
        0.5255324099163290,
        0.7966664774136267,
        0.9602898564975363,
    ]
)
_GL8_W = np.array(
    [
        0.1012285362903763,
        0.2223810344533745,
        0.3137066278286366,
        0.3626837833783620,
        0.3626837833783620,
        0.3137066278286366,
        0.2223810344533745,
        0.1012285362903763,
    ]
)
_Z_MAX = 9.0  # the distribution beyond +-9 sd carries < 1e-18 probability
_Z_STEP = 0.25  # composite Gauss-Legendre panel width in z


@jit_inline
def _leg_value(kind, s, k, tau, v, r, q):
    """Value per share of one leg with ``tau`` years left (intrinsic when tau <= 0)."""
    if kind == 2:
        return s
    call = kind == 0
    if tau <= 0.0:
        return max(s - k, 0.0) if call else max(k - s, 0.0)
    return bsm_price_scalar(s, k, tau, v, r, q, call)


@jit
def leg_values_nb(spot, h, kind, strike, t, vol, rate, div):
    """Per-leg value per share at time ``h`` with leg ``i`` at ``spot[i]`` (n_legs,)."""
    n = kind.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = _leg_value(kind[i], spot[i], strike[i], t[i] - h, vol[i], rate, div)
    return out


@jit
def _pnl_one(s, h, kind, units, strike, premium, t, vol, rate, div):
    acc = 0.0
    for j in range(kind.shape[0]):
        acc += units[j] * (
            _leg_value(kind[j], s, strike[j], t[j] - h, vol[j], rate, div) - premium[j]
        )
    return acc


@jit_inline
def _pnl_row(spots, h, kind, units, strike, premium, t, vol, rate, div, row):
    """P&L at time ``h`` for every spot into ``row``: legs outer, spots inner (vectorises)."""
    n = spots.shape[0]
    cost = 0.0
    for j in range(kind.shape[0]):
        cost += units[j] * premium[j]
    for i in range(n):
        row[i] = -cost
    for j in range(kind.shape[0]):
        u = units[j]
        kd = kind[j]
        k = strike[j]
        tau = t[j] - h
        v = vol[j]
        if kd == 2:
            for i in range(n):
                row[i] += u * spots[i]
        elif tau <= 0.0:
            if kd == 0:
                for i in range(n):
                    row[i] += u * max(spots[i] - k, 0.0)
            else:
                for i in range(n):
                    row[i] += u * max(k - spots[i], 0.0)
        else:
            call = kd == 0
            for i in range(n):
                row[i] += u * _bsm_one(spots[i], k, tau, v, rate, div, call, False)[0]


@jit
def pnl_grid_nb(spots, hs, kind, units, strike, premium, t, vol, rate, div, out):
    """P&L into ``out`` (len(hs), len(spots)) at each time ``hs[r]``; serial."""
    for r in range(hs.shape[0]):
        _pnl_row(spots, hs[r], kind, units, strike, premium, t, vol, rate, div, out[r])
    return out


@jit_parallel
def pnl_grid_par_nb(spots, hs, kind, units, strike, premium, t, vol, rate, div, out):
    """P&L into ``out`` (len(hs), len(spots)); ``prange`` over times."""
    for r in prange(hs.shape[0]):
        _pnl_row(spots, hs[r], kind, units, strike, premium, t, vol, rate, div, out[r])
    return out


# --------------------------------------------------------------------------- lognormal
@jit
def _phi(x):
    """Standard normal CDF with exact limits at +-inf."""
    if x == np.inf:
        return 1.0
    if x == -np.inf:
        return 0.0
    return norm_cdf(x)


@jit_inline
def _tail_between(ua, ub):
    """Phi(ua) - Phi(ub) for ua >= ub, from whichever tail keeps precision."""
    if ub >= 0.0:  # both in the upper half: 1 - Phi(ub) and 1 - Phi(ua) are small
        return max(_phi(-ub) - _phi(-ua), 0.0)
    return max(_phi(ua) - _phi(ub), 0.0)


@jit_inline
def _u(x, m, sd, shift):
    """(ln-mean - ln x) / sd + shift, with x = 0 -> +inf and x = inf -> -inf."""
    if x <= 0.0:
        return np.inf
    if x == np.inf:
        return -np.inf
    return (m - math.log(x)) / sd + shift


@jit
def _seg_moments(a, b, s0, mu, sig, h):
    """(P(a < S_h < b), E[S_h 1{a < S_h < b}]) computed from the precise tail."""
    sd = sig * math.sqrt(h)
    fwd = s0 * math.exp(mu * h)
    if sd <= 0.0:
        inside = a < fwd * math.exp(-0.5 * sig * sig * h) < b or (a < fwd < b)
        return (1.0, fwd) if inside else (0.0, 0.0)
    m = math.log(s0) + (mu - 0.5 * sig * sig) * h
    p = _tail_between(_u(a, m, sd, 0.0), _u(b, m, sd, 0.0))
    if p <= 0.0:
        return 0.0, 0.0
    q = _tail_between(_u(a, m, sd, sd), _u(b, m, sd, sd))
    # a p <= E[S 1{a<S<b}] <= b p exactly; far in a tail (p near the underflow limit)
    # the two tail probabilities lose their relative precision, so enforce the bounds
    return p, min(max(fwd * q, a * p), b * p)


# --------------------------------------------------------------------- expiry (exact)
@jit_inline
def _piece_above(a, b, alpha, beta, c):
    """Part ``(lo, hi)`` of segment ``[a, b]`` where ``alpha + beta x >= c`` (none if lo >= hi)."""
    if beta == 0.0:
        return (a, b) if alpha >= c else (a, a)
    x = (c - alpha) / beta
    if beta > 0.0:
        return max(x, a), b
    return a, min(x, b)


@jit
def _expiry_profile(kind, units, strike, premium):
    """Kinks ``xs`` (0 then the sorted strikes), P&L ``fs`` there, and the slope beyond."""
    n = kind.shape[0]
    cost = 0.0
    slope_inf = 0.0
    for j in range(n):
        cost += units[j] * premium[j]
        if kind[j] != 1:
            slope_inf += units[j]
    ks = np.unique(strike[kind != 2])
    nk = ks.shape[0]
    xs = np.empty(nk + 1)
    xs[0] = 0.0
    xs[1:] = ks
    fs = np.empty(nk + 1)
    for i in range(nk + 1):
        acc = -cost
        for j in range(n):
            if kind[j] == 2:
                acc += units[j] * xs[i]
            elif kind[j] == 0:
                acc += units[j] * max(xs[i] - strike[j], 0.0)
            else:
                acc += units[j] * max(strike[j] - xs[i], 0.0)
        fs[i] = acc
    return xs, fs, slope_inf


@jit_inline
def _segment(xs, fs, slope_inf, seg):
    """(a, b, alpha, beta) of linear piece ``seg``: f(x) = alpha + beta x on [a, b]."""
    nk = xs.shape[0] - 1
    a = xs[seg]
    if seg < nk:
        b = xs[seg + 1]
        beta = (fs[seg + 1] - fs[seg]) / (b - a)
    else:
        b = np.inf
        beta = slope_inf
    return a, b, fs[seg] - beta * a, beta


@jit
def level_set_nb(xs, fs, slope_inf, c, out):
    """Intervals of ``{x >= 0: f(x) >= c}`` (merged) into ``out`` (m, 2); returns their count."""
    n_int = 0
    is_open = False
    cur_lo = 0.0
    cur_hi = 0.0
    for seg in range(xs.shape[0]):
        a, b, alpha, beta = _segment(xs, fs, slope_inf, seg)
        lo, hi = _piece_above(a, b, alpha, beta, c)
        if hi > lo:
            if is_open and lo <= cur_hi * (1.0 + 1e-15):
                cur_hi = hi
            else:
                if is_open:
                    if n_int < out.shape[0]:
                        out[n_int, 0] = cur_lo
                        out[n_int, 1] = cur_hi
                    n_int += 1
                cur_lo, cur_hi, is_open = lo, hi, True
        elif is_open:
            if n_int < out.shape[0]:
                out[n_int, 0] = cur_lo
                out[n_int, 1] = cur_hi
            n_int += 1
            is_open = False
    if is_open:
        if n_int < out.shape[0]:
            out[n_int, 0] = cur_lo
            out[n_int, 1] = cur_hi
        n_int += 1
    return n_int


@jit
def expiry_analysis_nb(kind, units, strike, premium, s0, mu, sig, h, threshold, be_out, stats):
    """Exact analytics of a piecewise-linear P&L (every option leg expires at ``h``).

    The P&L ``f(x)`` is linear between the sorted strikes and on the ray beyond
    the last one. Break-evens are the finite, non-zero ends of the set
    ``{f >= 0}``; the profit set is ``{f >= threshold}``; probabilities and
    partial expectations are exact sums over the linear pieces. Max profit /
    loss sit at the kinks or at 0, and are infinite when the slope beyond the
    last strike is not zero. Writes up to ``be_out.shape[0]`` break-evens and
    the ``N_STATS`` stats; returns the number of break-evens.
    """
    xs, fs, slope_inf = _expiry_profile(kind, units, strike, premium)
    nseg = xs.shape[0]
    max_p = fs.max()
    max_l = fs.min()
    if slope_inf > 1e-12:
        max_p = np.inf
    elif slope_inf < -1e-12:
        max_l = -np.inf
    ints = np.empty((nseg + 1, 2))
    n_int = level_set_nb(xs, fs, slope_inf, 0.0, ints)
    n_be = 0
    for i in range(n_int):
        for e in range(2):
            x = ints[i, e]
            if x > 0.0 and x != np.inf:
                if n_be < be_out.shape[0]:
                    be_out[n_be] = x
                n_be += 1
    pop = 0.0
    p_loss = 0.0
    sum_pp = 0.0
    sum_lp = 0.0
    for seg in range(nseg):
        a, b, alpha, beta = _segment(xs, fs, slope_inf, seg)
        lo, hi = _piece_above(a, b, alpha, beta, threshold)
        if hi > lo:
            pp, mp = _seg_moments(lo, hi, s0, mu, sig, h)
            pop += pp
            sum_pp += alpha * pp + beta * mp
            if lo > a:
                pl, ml = _seg_moments(a, lo, s0, mu, sig, h)
                p_loss += pl
                sum_lp += alpha * pl + beta * ml
            if hi < b:
                pl, ml = _seg_moments(hi, b, s0, mu, sig, h)
                p_loss += pl
                sum_lp += alpha * pl + beta * ml
        else:
            pl, ml = _seg_moments(a, b, s0, mu, sig, h)
            p_loss += pl
            sum_lp += alpha * pl + beta * ml
    ev = sum_pp + sum_lp
    pop = min(max(pop, 0.0), 1.0)
    stats[STAT_POP] = pop
    stats[STAT_EV] = ev
    stats[STAT_E_PROFIT] = sum_pp / pop if pop > 0.0 else np.nan
    stats[STAT_E_LOSS] = sum_lp / p_loss if p_loss > 0.0 else np.nan
    stats[STAT_MAX_PROFIT] = max_p
    stats[STAT_MAX_LOSS] = max_l
    stats[STAT_PROB_LOSS] = p_loss
    stats[STAT_N_BE] = n_be
    return n_be


# ------------------------------------------------------------ smooth (numerical)
@jit_inline
def _black_undiscounted(fwd, k, var, call):
    """E[(S - K)^+] (or the put) for lognormal S with mean ``fwd`` and log-variance ``var``."""
    if var <= 0.0:
        return max(fwd - k, 0.0) if call else max(k - fwd, 0.0)
    return bsm_price_scalar(fwd, k, 1.0, math.sqrt(var), 0.0, 0.0, call)


@jit
def expected_pnl_nb(kind, units, strike, premium, t, vol, h, rate, div, s0, mu, sig):
    """E[P&L at h] in closed form: each live leg's BS value averaged over the lognormal.

    For a leg alive at ``h`` with ``tau = t - h``:
    ``E[BS(S_h)] = e^{-r tau} Black(F = S0 e^{mu h + (r - q) tau}, K, sig^2 h + v^2 tau)``.
    """
    fwd_h = s0 * math.exp(mu * h)
    acc = 0.0
    for j in range(kind.shape[0]):
        if kind[j] == 2:
            val = fwd_h
        else:
            tau = t[j] - h
            call = kind[j] == 0
            if tau <= 0.0:
                val = _black_undiscounted(fwd_h, strike[j], sig * sig * h, call)
            else:
                fwd = fwd_h * math.exp((rate - div) * tau)
                var = sig * sig * h + vol[j] * vol[j] * tau
                val = math.exp(-rate * tau) * _black_undiscounted(fwd, strike[j], var, call)
        acc += units[j] * (val - premium[j])
    return acc


@jit
def _root(x0, f0, x1, f1, c, h, kind, units, strike, premium, t, vol, rate, div):
    """Root of P&L(x) = c in [x0, x1] (signs of f - c differ): Illinois regula falsi."""
    g0 = f0 - c
    g1 = f1 - c
    side = 0
    for _ in range(200):
        x = (x0 * g1 - x1 * g0) / (g1 - g0)
        if not (x0 < x < x1) and not (x1 < x < x0):
            x = 0.5 * (x0 + x1)
        g = _pnl_one(x, h, kind, units, strike, premium, t, vol, rate, div) - c
        if g == 0.0 or abs(x1 - x0) <= 1e-14 * abs(x):
            return x
        if (g > 0.0) == (g1 > 0.0):
            x1, g1 = x, g
            if side == 1:
                g0 *= 0.5
            side = 1
        else:
            x0, g0 = x, g
            if side == -1:
                g1 *= 0.5
            side = -1
    return x


@jit
def _crossings(
    xs, fs, c, f_zero, slope_inf, h, kind, units, strike, premium, t, vol, rate, div, out
):
    """Points where P&L - c changes sign, left to right, from x = 0 (value ``f_zero``)
    over the grid ``xs`` and beyond its end (sign given by ``slope_inf``).

    Returns (count, inside_at_zero)."""
    n = 0
    inside0 = f_zero >= c
    inside = inside0
    px, pf = 0.0, f_zero
    for i in range(xs.shape[0]):
        now = fs[i] >= c
        if now != inside:
            if px == 0.0:
                px = xs[i] * 1e-9
                pf = _pnl_one(px, h, kind, units, strike, premium, t, vol, rate, div)
            x = _root(px, pf, xs[i], fs[i], c, h, kind, units, strike, premium, t, vol, rate, div)
            if n < out.shape[0]:
                out[n] = x
            n += 1
            inside = now
        px, pf = xs[i], fs[i]
    if slope_inf != 0.0 and (slope_inf > 0.0) != inside:
        # the far tail goes to +-inf with the sign of the slope: one more crossing
        x1 = px
        f1 = pf
        for _ in range(200):
            x1 *= 2.0
            f1 = _pnl_one(x1, h, kind, units, strike, premium, t, vol, rate, div)
            if (f1 >= c) != inside:
                break
        x = _root(px, pf, x1, f1, c, h, kind, units, strike, premium, t, vol, rate, div)
        if n < out.shape[0]:
            out[n] = x
        n += 1
    return n, inside0


@jit_inline
def _z_of(x, s0, m_drift, sd):
    if x <= 0.0:
        return -_Z_MAX
    if x == np.inf:
        return _Z_MAX
    return min(max((math.log(x / s0) - m_drift) / sd, -_Z_MAX), _Z_MAX)


@jit
def _partial_pnl(za, zb, s0, m_drift, sd, h, kind, units, strike, premium, t, vol, rate, div):
    """E[P&L 1{za < Z < zb}] with S = s0 exp(m_drift + sd Z): composite 8-point Gauss-Legendre,
    panels split at the strikes of legs already expired (kinks)."""
    if zb <= za:
        return 0.0
    nk = 0
    brk = np.empty(kind.shape[0] + 2)
    brk[0] = za
    nk = 1
    for j in range(kind.shape[0]):
        if kind[j] != 2 and t[j] - h <= 0.0:
            zk = _z_of(strike[j], s0, m_drift, sd)
            if za < zk < zb:
                brk[nk] = zk
                nk += 1
    brk[nk] = zb
    nk += 1
    pts = np.sort(brk[:nk])
    n_nodes = 0
    for p in range(nk - 1):
        if pts[p + 1] > pts[p]:
            n_nodes += 8 * math.ceil((pts[p + 1] - pts[p]) / _Z_STEP)
    xs = np.empty(n_nodes)
    ws = np.empty(n_nodes)
    pos = 0
    for p in range(nk - 1):
        lo = pts[p]
        hi = pts[p + 1]
        if hi <= lo:
            continue
        n_pan = math.ceil((hi - lo) / _Z_STEP)
        w = (hi - lo) / n_pan
        for q in range(n_pan):
            c = lo + (q + 0.5) * w
            for g in range(8):
                z = c + 0.5 * w * _GL8_X[g]
                xs[pos] = s0 * math.exp(m_drift + sd * z)
                ws[pos] = 0.5 * w * _GL8_W[g] * math.exp(-0.5 * z * z)
                pos += 1
    fs = np.empty(n_nodes)
    _pnl_row(xs, h, kind, units, strike, premium, t, vol, rate, div, fs)
    acc = 0.0
    for i in range(n_nodes):
        acc += ws[i] * fs[i]
    return acc * 0.3989422804014327


@jit
def smooth_analysis_nb(
    kind, units, strike, premium, t, vol, h, rate, div, s0, mu, sig, threshold, xs, be_out, stats
):
    """Analytics of the P&L at time ``h`` when it is not piecewise linear (before
    expiry, or calendars at the first expiry).

    ``xs`` is an increasing grid of underlying prices that brackets the
    region of interest (the facade builds it); sign changes of the P&L on it
    (and between 0 and its start, and beyond its end when the P&L is unbounded)
    are refined to ~1e-14 relative. Probabilities are exact N(d2) sums over the
    refined intervals; EV is in closed form (:func:`expected_pnl_nb`); the
    conditional expectations integrate the P&L over the profit set. Returns the
    number of break-evens.
    """
    n = xs.shape[0]
    fs = np.empty(n)
    _pnl_row(xs, h, kind, units, strike, premium, t, vol, rate, div, fs)
    slope_inf = 0.0
    for j in range(kind.shape[0]):
        if kind[j] != 1:
            slope_inf += units[j]
    f_zero = _pnl_one(xs[0] * 1e-9, h, kind, units, strike, premium, t, vol, rate, div)
    # extremes: grid values refined by golden-section search around the best point
    imax = np.argmax(fs)
    imin = np.argmin(fs)
    max_p = max(fs[imax], f_zero)
    max_l = min(fs[imin], f_zero)
    for sign in (1.0, -1.0):
        i = imax if sign > 0 else imin
        if 0 < i < n - 1:
            a, b = xs[i - 1], xs[i + 1]
            gr = 0.6180339887498949
            c1 = b - gr * (b - a)
            c2 = a + gr * (b - a)
            f1 = sign * _pnl_one(c1, h, kind, units, strike, premium, t, vol, rate, div)
            f2 = sign * _pnl_one(c2, h, kind, units, strike, premium, t, vol, rate, div)
            for _ in range(80):
                if f1 > f2:
                    b, c2, f2 = c2, c1, f1
                    c1 = b - gr * (b - a)
                    f1 = sign * _pnl_one(c1, h, kind, units, strike, premium, t, vol, rate, div)
                else:
                    a, c1, f1 = c1, c2, f2
                    c2 = a + gr * (b - a)
                    f2 = sign * _pnl_one(c2, h, kind, units, strike, premium, t, vol, rate, div)
            best = sign * max(f1, f2)
            if sign > 0:
                max_p = max(max_p, best)
            else:
                max_l = min(max_l, best)
    for j in range(kind.shape[0]):  # kinks of legs already expired
        if kind[j] != 2 and t[j] - h <= 0.0:
            fk = _pnl_one(strike[j], h, kind, units, strike, premium, t, vol, rate, div)
            max_p = max(max_p, fk)
            max_l = min(max_l, fk)
    if slope_inf > 1e-12:
        max_p = np.inf
    elif slope_inf < -1e-12:
        max_l = -np.inf
    cross = np.empty(4 * n + 4)
    n_be, _ = _crossings(
        xs, fs, 0.0, f_zero, slope_inf, h, kind, units, strike, premium, t, vol, rate, div, cross
    )
    for i in range(min(n_be, be_out.shape[0])):
        be_out[i] = cross[i]
    n_c, inside = _crossings(
        xs,
        fs,
        threshold,
        f_zero,
        slope_inf,
        h,
        kind,
        units,
        strike,
        premium,
        t,
        vol,
        rate,
        div,
        cross,
    )
    ev = expected_pnl_nb(kind, units, strike, premium, t, vol, h, rate, div, s0, mu, sig)
    sd = sig * math.sqrt(h)
    if sd <= 0.0:
        f0 = _pnl_one(s0 * math.exp(mu * h), h, kind, units, strike, premium, t, vol, rate, div)
        pop = 1.0 if f0 >= threshold else 0.0
        sum_pp = f0 * pop
        p_loss = 1.0 - pop
        sum_lp = f0 * p_loss
    else:
        m_drift = (mu - 0.5 * sig * sig) * h
        pop = 0.0
        p_loss = 0.0
        sum_pp = 0.0
        sum_lp = 0.0
        lo = 0.0
        for i in range(n_c + 1):
            hi = cross[i] if i < n_c else np.inf
            p_piece = _seg_moments(lo, hi, s0, mu, sig, h)[0]
            za = _z_of(lo, s0, m_drift, sd)
            zb = _z_of(hi, s0, m_drift, sd)
            e_piece = _partial_pnl(
                za, zb, s0, m_drift, sd, h, kind, units, strike, premium, t, vol, rate, div
            )
            if inside:
                pop += p_piece
                sum_pp += e_piece
            else:
                p_loss += p_piece
                sum_lp += e_piece
            inside = not inside
            lo = hi
        pop = min(max(pop, 0.0), 1.0)
    stats[STAT_POP] = pop
    stats[STAT_EV] = ev
    stats[STAT_E_PROFIT] = sum_pp / pop if pop > 0.0 else np.nan
    stats[STAT_E_LOSS] = sum_lp / p_loss if p_loss > 0.0 else np.nan
    stats[STAT_MAX_PROFIT] = max_p
    stats[STAT_MAX_LOSS] = max_l
    stats[STAT_PROB_LOSS] = p_loss
    stats[STAT_N_BE] = n_be
    return n_be


# ------------------------------------------------------------------ touch
@jit
def prob_touch_nb(levels, s0, mu, sig, h, out):
    """P(the underlying touches ``levels[i]`` before ``h``) for GBM with drift ``mu``.

    With ``nu = mu - sig^2/2`` and ``b = ln(L/S0)``: for an upper level
    ``P = N((-b + nu h)/(sig sqrt h)) + (L/S0)^{2 nu/sig^2} N((-b - nu h)/(sig sqrt h))``
    and the mirror image for a lower level. Zero drift gives the
    "2 x P(finishing beyond)" rule.
    """
    nu = mu - 0.5 * sig * sig
    sd = sig * math.sqrt(h)
    for i in range(levels.shape[0]):
        lvl = levels[i]
        b = math.log(lvl / s0)
        if b == 0.0:
            out[i] = 1.0
            continue
        if sd <= 0.0:
            out[i] = 1.0 if (b > 0.0 and nu * h >= b) or (b < 0.0 and nu * h <= b) else 0.0
            continue
        pw = math.exp(2.0 * nu * b / (sig * sig))
        if b > 0.0:
            p = norm_cdf((-b + nu * h) / sd) + pw * norm_cdf((-b - nu * h) / sd)
        else:
            p = norm_cdf((b - nu * h) / sd) + pw * norm_cdf((b + nu * h) / sd)
        out[i] = min(max(p, 0.0), 1.0)
    return out


# ------------------------------------------------------- P&L along simulated paths
@jit_parallel
def first_hit_nb(paths, hs, kind, units, strike, premium, t, vol, rate, div, target, out):
    """For each path (column of ``paths``, time on axis 0 at times ``hs``), whether the
    P&L reaches ``target`` at any step (``out[p] = 1``) or not (0)."""
    n_steps, n_paths = paths.shape
    for p in prange(n_paths):
        hit = 0
        for s in range(n_steps):
            if (
                _pnl_one(paths[s, p], hs[s], kind, units, strike, premium, t, vol, rate, div)
                >= target
            ):
                hit = 1
                break
        out[p] = hit
    return out
