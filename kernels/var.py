"""Value at risk and expected shortfall of a book of European options on one underlying.

Contract: option arrays (``strike, t, vol, is_call, qty``) are 1-D,
C-contiguous, of the same length ``n_options``; scenario arrays (``z``,
``log_ret``, ``spot_h``, ``pnl``) have length ``n_scenarios``; everything is
float64 except the boolean ``is_call``. ``qty`` is the signed quantity times
the contract multiplier. Units: ``t`` and ``horizon`` in years, ``vol``,
``rate``, ``div``, ``drift`` annualised and continuously compounded.

Scenarios are terminal underlying values at the horizon ``h`` from a GBM
step, ``S_h = S exp((mu - vol^2/2) h + vol sqrt(h) z)``, with the standard
normals ``z`` drawn by the caller (seeded). Full revaluation prices every
option at every scenario with the remaining time ``max(t - h, 0)`` (an option
with ``t <= h`` is worth its intrinsic value on the scenario spot) and adds
``qty * (V_scenario - V_now)`` over options in index order, so every
scenario's P&L is bit-identical whatever the thread count or block layout.

Performance: :func:`full_reval_pnl_nb` evaluates the BSM price in *hoisted
form* (see :func:`_bsm_price_hoisted`): per-option constants (log-moneyness
at today's spot plus carry, ``1/(vol sqrt(tau))``, discounted spot and strike
factors) are computed once, the scenario's log-return once, and the inner
loop runs over a block of scenarios for one option, so LLVM vectorises it.
This is the one benchmarked exception to "one formula, one place"; the tests
check it equals :func:`fastopt.kernels.bs._bsm_one` to 1e-13 relative.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels._special import (
    INV_SQRT2,
    _erf_small,
    _erfcx_large,
    _erfcx_mid,
    blend,
    exp_neg_half_sq,
    fast_exp,
    fast_log,
    norm_cdf_with_pdf,
)
from fastopt.kernels.bs import _bsm_one

BLOCK = 256
"""Scenarios per block of the revaluation loop (the vectorised inner loop's length)."""

N_CONST = 9
"""Rows of the hoisted per-option constants (see :func:`hoist_constants_nb`)."""


@jit
def scenario_spots_nb(spot, z, drift, vol, horizon, log_ret, spot_h):
    """GBM log-returns and spots at the horizon into ``log_ret``, ``spot_h`` (n_scenarios,)."""
    m = (drift - 0.5 * vol * vol) * horizon
    sd = vol * math.sqrt(horizon)
    for j in range(z.shape[0]):
        x = m + sd * z[j]
        log_ret[j] = x
        spot_h[j] = spot * fast_exp(x)
    return log_ret, spot_h


@jit
def hoist_constants_nb(spot, strike, t, vol, rate, div, is_call, qty, horizon, out):
    """Per-option constants of the hoisted BSM form into ``out`` (9, n_options).

    Rows: ``a = ln(S/K) + (r - q) tau``, ``1/(vol sqrt(tau))`` (0 when not
    live), ``vol sqrt(tau)``, ``e^{-q tau}``, ``K e^{-r tau}``, ``w = +-1``,
    ``qty``, today's price ``V_now`` (from :func:`_bsm_one` at ``t``) and
    ``e^{(r - q) tau} / K`` (so that ``F/K = S_h`` times it), with
    ``tau = max(t - horizon, 0)``.
    """
    for i in range(strike.shape[0]):
        tau = max(t[i] - horizon, 0.0)
        vst = vol[i] * math.sqrt(tau)
        out[0, i] = fast_log(spot / strike[i]) + (rate - div) * tau
        out[1, i] = 1.0 / vst if vst > 0.0 else 0.0
        out[2, i] = vst
        out[3, i] = fast_exp(-div * tau)
        out[4, i] = strike[i] * fast_exp(-rate * tau)
        out[5, i] = 1.0 if is_call[i] else -1.0
        out[6, i] = qty[i]
        out[7, i] = _bsm_one(spot, strike[i], t[i], vol[i], rate, div, is_call[i], False)[0]
        out[8, i] = fast_exp((rate - div) * tau) / strike[i]
    return out


# Regions of the normal CDF in ``_special.norm_cdf_with_pdf`` (on y = |x| / sqrt 2):
# Cody's three rational approximations; the generic function evaluates all three.
_CENTRAL = 0  # y <= 0.46875: erf series
_MID = 1  # 0.46875 < y <= 4: erfcx rational
_FAR = 2  # y > 4: erfcx asymptotic rational
_MIXED = 3  # the block spans several regions: the generic CDF


@jit_inline
def _cdf_in_region(x: float, ex: float, region: int) -> float:
    """``norm_cdf_with_pdf(x, ex)`` for an ``x`` known to lie in ``region``.

    Evaluates only the branch of :func:`fastopt.kernels._special.norm_cdf_with_pdf`
    that the generic function would select, with the same operations, so
    the result is bit-identical (the generic ``blend(m, a, b) = m a + (1 - m) b``
    returns the selected side exactly because the other side is finite); the
    tests check this identity region by region. ``region`` is a constant at
    each call site, so every specialised loop stays branch-free.
    """
    if region == _CENTRAL:
        y = abs(x) * INV_SQRT2
        erf_s = _erf_small(y)
        return 0.5 + 0.5 * blend(x >= 0.0, erf_s, -erf_s)
    if region == _MID:
        half_erfc = 0.5 * ex * _erfcx_mid(abs(x) * INV_SQRT2)
        return blend(x >= 0.0, 1.0 - half_erfc, half_erfc)
    if region == _FAR:
        half_erfc = 0.5 * ex * _erfcx_large(abs(x) * INV_SQRT2)
        return blend(x >= 0.0, 1.0 - half_erfc, half_erfc)
    return norm_cdf_with_pdf(x, ex)


@jit_inline
def _region(d_lo: float, d_hi: float) -> int:
    """The CDF region holding every x in [d_lo, d_hi], or ``_MIXED``."""
    y_lo = abs(d_lo) * INV_SQRT2
    y_hi = abs(d_hi) * INV_SQRT2
    if y_lo <= 0.46875 and y_hi <= 0.46875:
        return _CENTRAL
    if d_lo > 0.0 or d_hi < 0.0:  # one sign: |x| is monotone on the interval
        if min(y_lo, y_hi) > 0.46875 and max(y_lo, y_hi) <= 4.0:
            return _MID
        if min(y_lo, y_hi) > 4.0:
            return _FAR
    return _MIXED


@jit
def _cdf_block(x, ex, region, out):
    """``out[j] = norm_cdf_with_pdf(x[j], ex[j])``, with every ``x[j]`` in ``region``."""
    n = x.shape[0]
    if region == _CENTRAL:
        for j in range(n):
            out[j] = _cdf_in_region(x[j], ex[j], _CENTRAL)
    elif region == _MID:
        for j in range(n):
            out[j] = _cdf_in_region(x[j], ex[j], _MID)
    elif region == _FAR:
        for j in range(n):
            out[j] = _cdf_in_region(x[j], ex[j], _FAR)
    else:
        for j in range(n):
            out[j] = norm_cdf_with_pdf(x[j], ex[j])
    return out


@jit_inline
def _d1(lr: float, a: float, inv_vst: float, vst: float) -> float:
    """d1 of the hoisted form: ``(ln(S_h/S) + a) / (vol sqrt(tau)) + vol sqrt(tau) / 2``."""
    return (lr + a) * inv_vst + 0.5 * vst


@jit
def option_block_prices_nb(c, i, log_ret, spot_h, lr_lo, lr_hi, work, v):
    """Prices of option ``i`` on a block of scenarios into ``v`` (n_block,): the BSM
    price in hoisted form.

    This is the formula of :func:`fastopt.kernels.bs._bsm_one` evaluated on the
    per-option constants ``c[:, i]`` (see :func:`hoist_constants_nb`): with
    ``lr = ln(S_h/S)`` the scenario log-return, ``s = S_h`` the scenario spot,
    ``ln(F/K) = lr + a``, ``d1 = ln(F/K) / (vol sqrt(tau)) + vol sqrt(tau) / 2``,
    ``d2 = d1 - vol sqrt(tau)`` and ``w = +-1``, the price is
    ``max(w (s e^{-q tau} N(w d1) - K e^{-r tau} N(w d2)), 0)``; at
    ``vol sqrt(tau) == 0`` it is the discounted intrinsic value of the forward,
    ``max(w (s e^{-q tau} - K e^{-r tau}), 0)``. The CDFs take the density
    factors ``exp(-d^2/2)``, the second one through the identity
    ``exp(-d2^2/2) = exp(-d1^2/2) F/K`` with ``F/K = s g`` (one exponential saved).

    ``lr_lo <= log_ret[j] <= lr_hi`` for every ``j`` (the block's range): d1
    and d2 are monotone in ``lr``, so their ranges give the region of the
    normal CDF each falls in, and only that branch is evaluated
    (:func:`_cdf_in_region`; bit-identical to the generic CDF). ``work`` is
    scratch space of shape (6, n_block).
    """
    a = c[0, i]
    inv_vst = c[1, i]
    vst = c[2, i]
    df_q = c[3, i]
    kdr = c[4, i]
    w = c[5, i]
    g = c[8, i]
    nb = v.shape[0]
    if not vst > 0.0:
        for j in range(nb):
            v[j] = max(w * (spot_h[j] * df_q - kdr), 0.0)
        return v
    x1 = work[0, :nb]
    x2 = work[1, :nb]
    e1 = work[2, :nb]
    e2 = work[3, :nb]
    n1 = work[4, :nb]
    n2 = work[5, :nb]
    for j in range(nb):
        d1 = _d1(log_ret[j], a, inv_vst, vst)
        ex = exp_neg_half_sq(d1)
        x1[j] = w * d1
        x2[j] = w * (d1 - vst)
        e1[j] = ex
        e2[j] = ex * (spot_h[j] * g)
    d1_lo = _d1(lr_lo, a, inv_vst, vst)
    d1_hi = _d1(lr_hi, a, inv_vst, vst)
    x1_lo = w * d1_lo
    x1_hi = w * d1_hi
    x2_lo = w * (d1_lo - vst)
    x2_hi = w * (d1_hi - vst)
    r1 = _region(min(x1_lo, x1_hi), max(x1_lo, x1_hi))
    r2 = _region(min(x2_lo, x2_hi), max(x2_lo, x2_hi))
    _cdf_block(x1, e1, r1, n1)
    _cdf_block(x2, e2, r2, n2)
    for j in range(nb):
        v[j] = max(w * (spot_h[j] * df_q * n1[j] - kdr * n2[j]), 0.0)
    return v


@jit_inline
def _reval_block(c, log_ret, spot_h, pnl):
    """Set ``pnl`` (one block of scenarios) to the book P&L, adding options in index order."""
    nb = pnl.shape[0]
    lr_lo = log_ret[0]
    lr_hi = log_ret[0]
    for j in range(nb):
        pnl[j] = 0.0
        lr_lo = min(lr_lo, log_ret[j])
        lr_hi = max(lr_hi, log_ret[j])
    work = np.empty((6, nb))
    v = np.empty(nb)
    for i in range(c.shape[1]):
        option_block_prices_nb(c, i, log_ret, spot_h, lr_lo, lr_hi, work, v)
        qty = c[6, i]
        v_now = c[7, i]
        for j in range(nb):
            pnl[j] += qty * (v[j] - v_now)


@jit
def full_reval_pnl_nb(consts, log_ret, spot_h, pnl):
    """Full-revaluation P&L of every scenario into ``pnl`` (n_scenarios,); serial.

    ``consts`` is the output of :func:`hoist_constants_nb`. Any scenario order
    gives the same numbers; sorted by log-return is faster (narrow blocks
    mostly fall in one region of the normal CDF).
    """
    n = log_ret.shape[0]
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in range(n_blocks):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, n)
        _reval_block(consts, log_ret[j0:j1], spot_h[j0:j1], pnl[j0:j1])
    return pnl


@jit_parallel
def full_reval_pnl_par_nb(consts, log_ret, spot_h, pnl):
    """Full-revaluation P&L into ``pnl`` (n_scenarios,); ``prange`` over scenario blocks."""
    n = log_ret.shape[0]
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, n)
        _reval_block(consts, log_ret[j0:j1], spot_h[j0:j1], pnl[j0:j1])
    return pnl


@jit
def sort_scenarios_nb(log_ret, spot_h):
    """The scenarios sorted by log-return: (order, log_ret[order], spot_h[order])."""
    order = np.argsort(log_ret, kind="mergesort")
    return order, log_ret[order], spot_h[order]


@jit
def unsort_nb(order, values, out):
    """Scatter ``values`` (sorted order) back to scenario order: ``out[order] = values``."""
    for j in range(order.shape[0]):
        out[order[j]] = values[j]
    return out


@jit
def delta_gamma_pnl_nb(spot, spot_h, delta, gamma, theta, horizon, pnl):
    """Delta-gamma-theta P&L ``delta dS + gamma dS^2 / 2 + theta h`` into ``pnl`` (n_scenarios,).

    ``delta``, ``gamma``, ``theta`` are the book's (summed, quantity-weighted)
    Greeks; theta per year of time passing.
    """
    th = theta * horizon
    for j in range(spot_h.shape[0]):
        ds = spot_h[j] - spot
        pnl[j] = delta * ds + 0.5 * gamma * ds * ds + th
    return pnl


N_TAIL = 5
"""Rows of the output of :func:`tail_measures_nb`: VaR, ES, ES stderr, VaR CI low/high."""


@jit
def tail_measures_nb(pnl, tail_counts, z_ci, out):
    """VaR, ES and their uncertainty into ``out`` (5, n_levels), one column per tail count.

    With ``x_(1) <= ... <= x_(n)`` the sorted P&L and ``m`` a tail count:

    * ``VaR = -x_(m)`` (the inverse empirical CDF at ``m / n``);
    * ``ES = -mean(x_(1..m))``;
    * ES standard error ``sqrt((s2 + (1 - m/n) (ES - VaR)^2) / m)`` with
      ``s2`` the variance of ``x_(1..m)`` (Manistre and Hancock, 2005);
    * a distribution-free confidence interval for VaR from the order
      statistics at ranks ``m -+ z_ci sqrt(n p (1 - p))``, ``p = m / n``
      (the count of scenarios below the true quantile is binomial).

    Returns the sorted P&L.
    """
    n = pnl.shape[0]
    srt = np.sort(pnl)
    for c in range(tail_counts.shape[0]):
        m = tail_counts[c]
        acc = 0.0
        for j in range(m):
            acc += srt[j]
        mean = acc / m
        ss = 0.0
        for j in range(m):
            d = srt[j] - mean
            ss += d * d
        var = -srt[m - 1]
        es = -mean
        p = m / n
        out[0, c] = var
        out[1, c] = es
        out[2, c] = math.sqrt((ss / m + (1.0 - p) * (es - var) ** 2) / m)
        half = z_ci * math.sqrt(n * p * (1.0 - p))
        lo_rank = min(max(math.floor(m - half), 1), n)
        hi_rank = min(max(math.ceil(m + half), 1), n)
        out[3, c] = -srt[hi_rank - 1]
        out[4, c] = -srt[lo_rank - 1]
    return srt


def empty_constants(n_options: int) -> np.ndarray:  # type: ignore[type-arg]
    """Allocate the (9, n_options) output of :func:`hoist_constants_nb` (plain NumPy)."""
    return np.empty((N_CONST, n_options), dtype=np.float64)
