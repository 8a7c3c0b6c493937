"""Closed-form European option prices and Greeks: BSM, Black-76, Bachelier.

Contract: every array argument is 1-D, C-contiguous and of the same length
``n`` (the facade broadcasts); ``spot, strike, t, vol, rate, div`` are float64
or float32, ``is_call`` is boolean, ``model`` is an int from
:data:`fastopt.kernels.enums.Model`. Units: ``t`` in years; ``vol``, ``rate``,
``div`` annualised and continuously compounded; for Bachelier ``vol`` is in
price units per sqrt(year). Black-76 and Bachelier read ``spot`` as the
forward (futures) price; their ``div`` is ignored.

Arithmetic is float64 whatever the input dtype; outputs take the dtype of the
``out`` array the caller passes. Greeks are per unit: vega per 1.00 of vol,
rho per 1.00 of rate, theta and charm per year (= -d/dt, time passing).

Every quantity of one option comes out of one call to :func:`_bsm_one` or
:func:`_bachelier_one`: d1/d2, the discount factors and the normal CDF/PDF
values are computed once and shared by the price and all Greeks. Both are
branch-free (see ``_special.blend``) so the loops vectorise.

Edge semantics (the limits of the formulas): ``t == 0`` or ``vol == 0``
gives the discounted intrinsic value of the forward, delta of the indicator
(one half exactly at the money), and zero gamma, vega, vanna, volga.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels._special import (
    INV_SQRT_2PI,
    blend,
    exp_neg_half_sq,
    fast_exp,
    fast_log,
    norm_cdf_with_pdf,
)
from fastopt.kernels.enums import Model

N_GREEKS = 9
"""Rows of the Greeks output: price, delta, gamma, vega, theta, rho, vanna, volga, charm."""


@jit_inline
def _bsm_one(
    s: float, k: float, t: float, v: float, r: float, q: float, call: bool, black76: bool
) -> tuple[float, float, float, float, float, float, float, float, float]:
    """Price and the eight Greeks of one BSM (or Black-76) option."""
    w = blend(call, 1.0, -1.0)
    sqt = math.sqrt(t)
    vst = v * sqt
    live = vst > 0.0
    vst_s = blend(live, vst, 1.0)
    v_s = blend(v > 0.0, v, 1.0)
    t_s = blend(t > 0.0, t, 1.0)
    sqt_s = blend(t > 0.0, sqt, 1.0)
    q = blend(black76, r, q)  # Black-76 == BSM on the forward with q = r
    df_r = fast_exp(-r * t)
    df_q = fast_exp(-q * t)
    sdq = s * df_q
    kdr = k * df_r
    d1 = (fast_log(s / k) + (r - q) * t) / vst_s + 0.5 * vst_s
    d2 = d1 - vst_s
    e1 = exp_neg_half_sq(d1)
    n1 = norm_cdf_with_pdf(w * d1, e1)
    n2 = norm_cdf_with_pdf(w * d2, exp_neg_half_sq(d2))
    pdf1 = INV_SQRT_2PI * e1
    # at expiry / zero vol: indicator of being in the money (1/2 at the money)
    moneyness = w * (sdq - kdr)
    ind = blend(moneyness > 0.0, 1.0, blend(moneyness == 0.0, 0.5, 0.0))
    n1 = blend(live, n1, ind)
    n2 = blend(live, n2, ind)
    pdf1 = blend(live, pdf1, 0.0)
    price = w * (sdq * n1 - kdr * n2)
    price = max(price, 0.0)
    delta = w * df_q * n1
    gamma = df_q * pdf1 / (s * vst_s)
    vega = sdq * pdf1 * sqt
    theta = -sdq * pdf1 * v / (2.0 * sqt_s) - w * r * kdr * n2 + w * q * sdq * n1
    rho = blend(black76, -t * price, w * kdr * t * n2)
    vanna = -df_q * pdf1 * d2 / v_s
    volga = vega * d1 * d2 / v_s
    charm = w * q * df_q * n1 - df_q * pdf1 * (2.0 * (r - q) * t - d2 * vst_s) / (2.0 * t_s * vst_s)
    return price, delta, gamma, vega, theta, rho, vanna, volga, charm


@jit_inline
def _bachelier_one(
    f: float, k: float, t: float, v: float, r: float, call: bool
) -> tuple[float, float, float, float, float, float, float, float, float]:
    """Price and the eight Greeks of one Bachelier (normal-model) option on a forward."""
    w = blend(call, 1.0, -1.0)
    sqt = math.sqrt(t)
    vst = v * sqt
    live = vst > 0.0
    vst_s = blend(live, vst, 1.0)
    v_s = blend(v > 0.0, v, 1.0)
    t_s = blend(t > 0.0, t, 1.0)
    sqt_s = blend(t > 0.0, sqt, 1.0)
    df_r = fast_exp(-r * t)
    d = (f - k) / vst_s
    e = exp_neg_half_sq(d)
    n = norm_cdf_with_pdf(w * d, e)
    pdf = INV_SQRT_2PI * e
    moneyness = w * (f - k)
    ind = blend(moneyness > 0.0, 1.0, blend(moneyness == 0.0, 0.5, 0.0))
    n = blend(live, n, ind)
    pdf = blend(live, pdf, 0.0)
    price = max(df_r * (moneyness * n + vst * pdf), 0.0)
    delta = df_r * w * n
    gamma = df_r * pdf / vst_s
    vega = df_r * sqt * pdf
    theta = r * price - df_r * v * pdf / (2.0 * sqt_s)
    rho = -t * price
    vanna = -df_r * pdf * d / v_s
    volga = vega * d * d / v_s
    charm = r * delta + df_r * pdf * d / (2.0 * t_s)
    return price, delta, gamma, vega, theta, rho, vanna, volga, charm


@jit
def bsm_price_scalar(
    s: float, k: float, t: float, v: float, r: float, q: float, call: bool
) -> float:
    """BSM price of one option as a compiled call (not inlined): for scalar callers such as
    root finders and quadratures, where one shared copy compiles faster than an inlined one
    per call site."""
    return _bsm_one(s, k, t, v, r, q, call, False)[0]


@jit_inline
def _bsm_at(spot, strike, t, vol, rate, div, is_call, b76, i):
    """:func:`_bsm_one` of element ``i`` of the input arrays (read as float64)."""
    return _bsm_one(
        np.float64(spot[i]),
        np.float64(strike[i]),
        np.float64(t[i]),
        np.float64(vol[i]),
        np.float64(rate[i]),
        np.float64(div[i]),
        is_call[i],
        b76,
    )


@jit_inline
def _bachelier_at(spot, strike, t, vol, rate, is_call, i):
    """:func:`_bachelier_one` of element ``i`` of the input arrays (read as float64)."""
    return _bachelier_one(
        np.float64(spot[i]),
        np.float64(strike[i]),
        np.float64(t[i]),
        np.float64(vol[i]),
        np.float64(rate[i]),
        is_call[i],
    )


@jit
def price_1d_nb(spot, strike, t, vol, rate, div, is_call, model, out):
    """Option prices into ``out`` (n,); serial."""
    if model == Model.BACHELIER:
        for i in range(spot.shape[0]):
            out[i] = _bachelier_at(spot, strike, t, vol, rate, is_call, i)[0]
    else:
        b76 = model == Model.BLACK76
        for i in range(spot.shape[0]):
            out[i] = _bsm_at(spot, strike, t, vol, rate, div, is_call, b76, i)[0]
    return out


@jit_parallel
def price_1d_par_nb(spot, strike, t, vol, rate, div, is_call, model, out):
    """Option prices into ``out`` (n,); ``prange`` over options."""
    if model == Model.BACHELIER:
        for i in prange(spot.shape[0]):
            out[i] = _bachelier_at(spot, strike, t, vol, rate, is_call, i)[0]
    else:
        b76 = model == Model.BLACK76
        for i in prange(spot.shape[0]):
            out[i] = _bsm_at(spot, strike, t, vol, rate, div, is_call, b76, i)[0]
    return out


@jit_inline
def _store(out, i, g):
    """Write the 9-tuple ``g`` into column ``i`` of ``out`` (9, n)."""
    for row in range(N_GREEKS):
        out[row, i] = g[row]


@jit
def greeks_1d_nb(spot, strike, t, vol, rate, div, is_call, model, out):
    """Price and Greeks into ``out`` (9, n), rows in :data:`N_GREEKS` order; serial."""
    if model == Model.BACHELIER:
        for i in range(spot.shape[0]):
            _store(out, i, _bachelier_at(spot, strike, t, vol, rate, is_call, i))
    else:
        b76 = model == Model.BLACK76
        for i in range(spot.shape[0]):
            _store(out, i, _bsm_at(spot, strike, t, vol, rate, div, is_call, b76, i))
    return out


@jit_parallel
def greeks_1d_par_nb(spot, strike, t, vol, rate, div, is_call, model, out):
    """Price and Greeks into ``out`` (9, n); ``prange`` over options."""
    if model == Model.BACHELIER:
        for i in prange(spot.shape[0]):
            _store(out, i, _bachelier_at(spot, strike, t, vol, rate, is_call, i))
    else:
        b76 = model == Model.BLACK76
        for i in prange(spot.shape[0]):
            _store(out, i, _bsm_at(spot, strike, t, vol, rate, div, is_call, b76, i))
    return out


def empty_greeks(n: int, dtype: np.dtype) -> np.ndarray:  # type: ignore[type-arg]
    """Allocate the (9, n) output of :func:`greeks_1d_nb` (a plain NumPy helper)."""
    return np.empty((N_GREEKS, n), dtype=dtype)
