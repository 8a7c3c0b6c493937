"""Closed-form prices used as Monte Carlo checks: Merton jumps, geometric Asian, Margrabe.

Contract: every array argument is 1-D, C-contiguous, float64 and of the same
length ``n`` (the facade validates and broadcasts); ``is_call`` is boolean.
Units: ``t`` in years; ``vol``, ``rate``, ``div`` and the jump intensity
annualised and continuously compounded. Outputs go into a caller-given
float64 ``out`` of length ``n``.

Each formula maps onto the one Black-Scholes-Merton core,
:func:`fastopt.kernels.bs._bsm_one`; nothing here re-derives the Black
formula:

* Merton (1976): a Poisson-weighted sum of BSM prices with per-term
  volatility and rate;
* discrete (or continuous) geometric-average Asian: Black-76 on the mean of
  the lognormal geometric average;
* Margrabe (1978): BSM on ``S1`` with "strike" ``S2``, "rate" ``div2``,
  "dividend" ``div1`` and the volatility of the ratio ``S1/S2``.

Each kernel has a serial form and a ``_par_nb`` twin (``prange`` over
options) sharing one inlined per-option function.
"""

from __future__ import annotations

import math

from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels.bs import _bsm_one

MERTON_TAIL_TOL = 1e-16
"""The Merton series stops once the Poisson weight of the omitted terms is below this."""

MERTON_MAX_TERMS = 100_000
"""Hard cap on the Merton series; a series still not converged there gives NaN."""

_LOG_SPACE_FROM = 500.0  # Poisson means above this: weights from lgamma (exp(-x) underflows)


@jit_inline
def _poisson_weight(n: int, x: float, log_x: float, prev: float, log_space: bool) -> float:
    """P(N = n) for N ~ Poisson(x), from the previous weight (or directly in log space)."""
    if log_space:
        return math.exp(-x + n * log_x - math.lgamma(n + 1.0))
    if n == 0:
        return math.exp(-x)
    return prev * x / n


@jit_inline
def _merton_one(
    s: float,
    k: float,
    t: float,
    v: float,
    r: float,
    q: float,
    call: bool,
    lam: float,
    mu_j: float,
    sig_j: float,
    n_terms: int,
) -> float:
    """Merton jump-diffusion price of one option; ``n_terms <= 0`` means adaptive."""
    log1k = mu_j + 0.5 * sig_j * sig_j  # ln(1 + kappa), exactly
    kappa = math.expm1(log1k)
    x = lam * (1.0 + kappa) * t  # Poisson mean of the jump count under the jump measure
    log_x = math.log(x) if x > 0.0 else -math.inf
    log_space = x > _LOG_SPACE_FROM
    t_s = t if t > 0.0 else 1.0
    var0 = v * v
    r0 = r - lam * kappa
    fixed = n_terms > 0
    cap = n_terms if fixed else MERTON_MAX_TERMS
    total = 0.0
    w = 0.0
    for n in range(cap):
        w = _poisson_weight(n, x, log_x, w, log_space)
        if w > 0.0:
            v_n = math.sqrt(var0 + n * sig_j * sig_j / t_s)
            r_n = r0 + n * log1k / t_s
            total += w * _bsm_one(s, k, t, v_n, r_n, q, call, False)[0]
        if not fixed and n + 2.0 > x:
            # tail after n: sum_{m>n} w_m <= w_{n+1} / (1 - x / (n + 2))
            w_next = _poisson_weight(n + 1, x, log_x, w, log_space)
            if w_next * (n + 2.0) / (n + 2.0 - x) < MERTON_TAIL_TOL:
                return total
    return total if fixed else math.nan


@jit
def merton_price_1d_nb(spot, strike, t, vol, rate, div, is_call, lam, mu_j, sig_j, n_terms, out):
    """Merton (1976) jump-diffusion prices into ``out`` (n,); serial."""
    for i in range(spot.shape[0]):
        out[i] = _merton_one(
            spot[i],
            strike[i],
            t[i],
            vol[i],
            rate[i],
            div[i],
            is_call[i],
            lam[i],
            mu_j[i],
            sig_j[i],
            n_terms,
        )
    return out


@jit_parallel
def merton_price_1d_par_nb(
    spot, strike, t, vol, rate, div, is_call, lam, mu_j, sig_j, n_terms, out
):
    """Merton (1976) jump-diffusion prices into ``out`` (n,); ``prange`` over options."""
    for i in prange(spot.shape[0]):
        out[i] = _merton_one(
            spot[i],
            strike[i],
            t[i],
            vol[i],
            rate[i],
            div[i],
            is_call[i],
            lam[i],
            mu_j[i],
            sig_j[i],
            n_terms,
        )
    return out


@jit_inline
def _geometric_asian_one(
    s: float, k: float, t: float, v: float, r: float, q: float, call: bool, n_fix: int
) -> float:
    """Geometric-average Asian price; ``n_fix`` equally spaced fixings, 0 = continuous."""
    if n_fix > 0:
        nf = float(n_fix)
        a = (nf + 1.0) / (2.0 * nf)  # mean of t_i / T
        b = (nf + 1.0) * (2.0 * nf + 1.0) / (6.0 * nf * nf)  # sum_ij min(t_i, t_j) / (n^2 T)
    else:
        a = 0.5
        b = 1.0 / 3.0
    # ln G ~ N(ln s + (r - q - v^2/2) a t, v^2 b t); Black-76 on its mean E[G]
    fwd = s * math.exp((r - q - 0.5 * v * v) * a * t + 0.5 * v * v * b * t)
    return _bsm_one(fwd, k, t, v * math.sqrt(b), r, q, call, True)[0]


@jit
def geometric_asian_price_1d_nb(spot, strike, t, vol, rate, div, is_call, n_fix, out):
    """Geometric-average Asian prices into ``out`` (n,); serial."""
    for i in range(spot.shape[0]):
        out[i] = _geometric_asian_one(
            spot[i], strike[i], t[i], vol[i], rate[i], div[i], is_call[i], n_fix
        )
    return out


@jit_parallel
def geometric_asian_price_1d_par_nb(spot, strike, t, vol, rate, div, is_call, n_fix, out):
    """Geometric-average Asian prices into ``out`` (n,); ``prange`` over options."""
    for i in prange(spot.shape[0]):
        out[i] = _geometric_asian_one(
            spot[i], strike[i], t[i], vol[i], rate[i], div[i], is_call[i], n_fix
        )
    return out


@jit_inline
def _margrabe_one(
    s1: float, s2: float, t: float, v1: float, v2: float, rho: float, q1: float, q2: float
) -> float:
    """Margrabe exchange option max(S1 - S2, 0) as BSM with r = q2, q = q1."""
    # (v1 - v2)^2 + 2 (1 - rho) v1 v2 == v1^2 + v2^2 - 2 rho v1 v2, never negative for rho <= 1
    dv = v1 - v2
    var = dv * dv + 2.0 * (1.0 - rho) * v1 * v2
    return _bsm_one(s1, s2, t, math.sqrt(max(var, 0.0)), q2, q1, True, False)[0]


@jit
def margrabe_price_1d_nb(spot1, spot2, t, vol1, vol2, corr, div1, div2, out):
    """Margrabe exchange-option prices into ``out`` (n,); serial."""
    for i in range(spot1.shape[0]):
        out[i] = _margrabe_one(
            spot1[i], spot2[i], t[i], vol1[i], vol2[i], corr[i], div1[i], div2[i]
        )
    return out


@jit_parallel
def margrabe_price_1d_par_nb(spot1, spot2, t, vol1, vol2, corr, div1, div2, out):
    """Margrabe exchange-option prices into ``out`` (n,); ``prange`` over options."""
    for i in prange(spot1.shape[0]):
        out[i] = _margrabe_one(
            spot1[i], spot2[i], t[i], vol1[i], vol2[i], corr[i], div1[i], div2[i]
        )
    return out
