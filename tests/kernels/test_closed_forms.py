"""Kernels of ``fastopt.kernels.closed_forms`` against independent mpmath / NumPy twins."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import fastopt
from fastopt.kernels import closed_forms as kcf
from fastopt.kernels._jit import DISABLE_JIT
from tests.mp_oracle import bsm_price

N_RANDOM = 40 if DISABLE_JIT else 400


def _f(*xs: float) -> list[np.ndarray]:
    return [np.atleast_1d(np.asarray(x, dtype=np.float64)) for x in xs]


def _merton_kernel(s, k, t, v, r, q, call, lam, mu, dj, n_terms=0, *, parallel=False):
    arrays = np.broadcast_arrays(*_f(s, k, t, v, r, q), np.atleast_1d(call), *_f(lam, mu, dj))
    arrays = [np.ascontiguousarray(a) for a in arrays]
    out = np.empty(arrays[0].shape[0])
    kern = kcf.merton_price_1d_par_nb if parallel else kcf.merton_price_1d_nb
    kern(*arrays, n_terms, out)
    return out


def _merton_mp(s, k, t, v, r, q, call, lam, mu, dj, n_max=200):
    """Independent series in mpmath: jump-count mixture written in the physical form.

    Conditional on n jumps, ln S_T is normal with mean ln S + (r - q - lam kappa - v^2/2) T
    + n mu and variance v^2 T + n dj^2; weights are Poisson(lam T) (not lam').
    """
    mp.mp.dps = 30
    s, k, t, v, r, q, lam, mu, dj = (mp.mpf(float(x)) for x in (s, k, t, v, r, q, lam, mu, dj))
    kappa = mp.e ** (mu + dj**2 / 2) - 1
    w = 1 if call else -1
    total = mp.mpf(0)
    for n in range(n_max):
        weight = mp.e ** (-lam * t) * (lam * t) ** n / mp.factorial(n)
        m = mp.log(s) + (r - q - lam * kappa - v**2 / 2) * t + n * mu
        sd = mp.sqrt(v**2 * t + n * dj**2)
        fwd = mp.e ** (m + sd**2 / 2)  # E[S_T | n]
        if sd == 0:
            total += weight * max(w * (fwd - k), 0)
            continue
        d1 = (mp.log(fwd / k) + sd**2 / 2) / sd
        d2 = d1 - sd
        total += weight * w * (fwd * mp.ncdf(w * d1) - k * mp.ncdf(w * d2))
    return float(mp.e ** (-r * t) * total)


# --------------------------------------------------------------------------- Merton


MERTON_ROWS = [
    # s, k, t, v, r, q, call, lam, mu, dj
    (100.0, 100.0, 1.0, 0.2, 0.05, 0.0, True, 1.0, -0.1, 0.15),
    (100.0, 80.0, 0.5, 0.3, 0.02, 0.01, False, 3.0, 0.05, 0.25),
    (50.0, 60.0, 2.0, 0.1, 0.0, 0.03, True, 0.3, -0.3, 0.4),
    (100.0, 130.0, 0.1, 0.15, -0.01, 0.0, False, 10.0, -0.02, 0.05),
    (100.0, 100.0, 1.0, 0.0, 0.03, 0.0, True, 2.0, 0.0, 0.2),  # no diffusion
]


@pytest.mark.parametrize("row", MERTON_ROWS)
def test_merton_matches_independent_mpmath_series(row):
    got = _merton_kernel(*row)[0]
    assert_allclose(got, _merton_mp(*row), rtol=1e-12, atol=1e-13)


def test_merton_research_value():
    # research/mc.md section 4: 60-term series 12.761289
    got = _merton_kernel(100.0, 100.0, 1.0, 0.2, 0.05, 0.0, True, 1.0, -0.1, 0.15)[0]
    assert round(got, 6) == 12.761289


@pytest.mark.parametrize("call", [True, False])
def test_merton_zero_intensity_is_bsm(call):
    rng = np.random.default_rng(1)
    n = N_RANDOM
    s, k = rng.uniform(50, 150, n), rng.uniform(50, 150, n)
    t, v = rng.uniform(0.01, 3, n), rng.uniform(0.05, 0.8, n)
    r, q = rng.uniform(-0.01, 0.08, n), rng.uniform(0, 0.05, n)
    got = _merton_kernel(s, k, t, v, r, q, np.full(n, call), 0.0, -0.2, 0.3)
    want = fastopt.bs_price(s, k, t, v, r, q, call)
    assert_allclose(got, want, rtol=1e-15, atol=0.0)


def test_merton_put_call_parity():
    rng = np.random.default_rng(2)
    n = N_RANDOM
    s, k = rng.uniform(50, 150, n), rng.uniform(50, 150, n)
    t, v = rng.uniform(0.01, 3, n), rng.uniform(0.05, 0.8, n)
    r, q = rng.uniform(-0.01, 0.08, n), rng.uniform(0, 0.05, n)
    lam, mu, dj = rng.uniform(0, 5, n), rng.uniform(-0.3, 0.2, n), rng.uniform(0, 0.4, n)
    c = _merton_kernel(s, k, t, v, r, q, np.full(n, True), lam, mu, dj)
    p = _merton_kernel(s, k, t, v, r, q, np.full(n, False), lam, mu, dj)
    assert_allclose(c - p, s * np.exp(-q * t) - k * np.exp(-r * t), rtol=1e-11, atol=1e-11)


def test_merton_fixed_terms_converge_to_adaptive_and_serial_equals_parallel():
    args = (100.0, 95.0, 1.0, 0.2, 0.03, 0.01, True, 2.0, -0.1, 0.2)
    adaptive = _merton_kernel(*args)[0]
    assert abs(_merton_kernel(*args, n_terms=1)[0] - adaptive) > 0.01
    assert_allclose(_merton_kernel(*args, n_terms=40)[0], adaptive, rtol=1e-15)
    rng = np.random.default_rng(3)
    k = rng.uniform(60, 140, N_RANDOM)
    ser = _merton_kernel(100.0, k, 1.0, 0.2, 0.03, 0.0, True, 2.0, -0.1, 0.2)
    par = _merton_kernel(100.0, k, 1.0, 0.2, 0.03, 0.0, True, 2.0, -0.1, 0.2, parallel=True)
    assert_array_equal(ser, par)


def test_merton_many_jumps_uses_log_space_weights():
    # lam' T above the log-space threshold: exp(-x) alone would underflow at ~745
    args = (100.0, 100.0, 1.0, 0.2, 0.0, 0.0, True, 800.0, 0.0, 0.01)
    got = _merton_kernel(*args)[0]
    assert_allclose(got, _merton_mp(*args, n_max=1100), rtol=1e-10)


def test_merton_expiry_is_intrinsic_and_cap_gives_nan():
    assert _merton_kernel(110.0, 100.0, 0.0, 0.2, 0.05, 0.0, True, 1.0, -0.1, 0.1)[0] == 10.0
    if not DISABLE_JIT:  # 100,000 terms in pure Python is too slow for the coverage run
        huge = _merton_kernel(100.0, 100.0, 1.0, 0.2, 0.0, 0.0, True, 1e6, 0.0, 0.01)[0]
        assert math.isnan(huge)


# --------------------------------------------------------------------------- geometric Asian


def _geo_kernel(s, k, t, v, r, q, call, n_fix, *, parallel=False):
    arrays = np.broadcast_arrays(*_f(s, k, t, v, r, q), np.atleast_1d(call))
    arrays = [np.ascontiguousarray(a) for a in arrays]
    out = np.empty(arrays[0].shape[0])
    kern = kcf.geometric_asian_price_1d_par_nb if parallel else kcf.geometric_asian_price_1d_nb
    kern(*arrays, n_fix, out)
    return out


def _geo_mp(s, k, t, v, r, q, call, n_fix):
    """Lognormal moments of G summed term by term (no closed-form sums), mpmath."""
    mp.mp.dps = 30
    s, k, t, v, r, q = (mp.mpf(float(x)) for x in (s, k, t, v, r, q))
    times = [t * i / n_fix for i in range(1, n_fix + 1)]
    m = mp.log(s) + (r - q - v**2 / 2) * mp.fsum(times) / n_fix
    var = v**2 * mp.fsum(min(a, b) for a in times for b in times) / n_fix**2
    sd = mp.sqrt(var)
    w = 1 if call else -1
    d2 = (m - mp.log(k)) / sd
    d1 = d2 + sd
    eg = mp.e ** (m + var / 2)
    return float(mp.e ** (-r * t) * w * (eg * mp.ncdf(w * d1) - k * mp.ncdf(w * d2)))


@pytest.mark.parametrize(
    "row",
    [
        (100.0, 100.0, 1.0, 0.2, 0.05, 0.0, True, 12),
        (100.0, 110.0, 0.5, 0.35, 0.02, 0.01, False, 7),
        (80.0, 70.0, 2.0, 0.15, 0.0, 0.03, True, 24),
        (100.0, 100.0, 1.0, 0.2, 0.05, 0.0, False, 3),
    ],
)
def test_geometric_asian_matches_mpmath_moments(row):
    assert_allclose(_geo_kernel(*row)[0], _geo_mp(*row), rtol=1e-13)


def test_geometric_asian_one_fixing_is_european_and_continuous_is_limit():
    rng = np.random.default_rng(4)
    n = N_RANDOM
    s, k = rng.uniform(50, 150, n), rng.uniform(50, 150, n)
    t, v = rng.uniform(0.01, 3, n), rng.uniform(0.05, 0.8, n)
    r, q = rng.uniform(-0.01, 0.08, n), rng.uniform(0, 0.05, n)
    call = rng.random(n) < 0.5
    assert_allclose(
        _geo_kernel(s, k, t, v, r, q, call, 1), fastopt.bs_price(s, k, t, v, r, q, call), rtol=1e-12
    )
    cont = _geo_kernel(s, k, t, v, r, q, call, 0)
    fine = _geo_kernel(s, k, t, v, r, q, call, 100_000)
    assert_allclose(fine, cont, rtol=1e-4, atol=1e-8)
    assert_array_equal(cont, _geo_kernel(s, k, t, v, r, q, call, 0, parallel=True))


def test_geometric_asian_research_value():
    # research/mc.md section 3: discrete geometric closed form, 252 fixings: 5.565509
    assert round(_geo_kernel(100.0, 100.0, 1.0, 0.2, 0.05, 0.0, True, 252)[0], 6) == 5.565509


# --------------------------------------------------------------------------- Margrabe


def _margrabe_kernel(s1, s2, t, v1, v2, rho, q1=0.0, q2=0.0, *, parallel=False):
    arrays = [
        np.ascontiguousarray(a) for a in np.broadcast_arrays(*_f(s1, s2, t, v1, v2, rho, q1, q2))
    ]
    out = np.empty(arrays[0].shape[0])
    (kcf.margrabe_price_1d_par_nb if parallel else kcf.margrabe_price_1d_nb)(*arrays, out)
    return out


@pytest.mark.parametrize(
    "row",
    [
        (100.0, 95.0, 1.0, 0.3, 0.2, 0.5, 0.0, 0.0),
        (100.0, 110.0, 0.5, 0.25, 0.4, -0.3, 0.02, 0.01),
        (50.0, 50.0, 2.0, 0.2, 0.2, 0.9, 0.0, 0.04),
    ],
)
def test_margrabe_matches_mpmath_formula(row):
    s1, s2, t, v1, v2, rho, q1, q2 = row
    sigma = math.sqrt(v1 * v1 + v2 * v2 - 2 * rho * v1 * v2)
    # Margrabe == BSM call on S1, strike S2, "rate" q2, "dividend" q1 (mpmath oracle)
    want = bsm_price(s1, s2, t, sigma, q2, q1, True)
    assert_allclose(_margrabe_kernel(*row)[0], want, rtol=1e-13)


def test_margrabe_limits():
    # asset 2 without vol: a BSM call on S1 struck at S2's deterministic forward, any rate
    r = 0.04
    got = _margrabe_kernel(100.0, 90.0, 1.5, 0.3, 0.0, 0.7, 0.01, 0.02)[0]
    want = fastopt.bs_price(100.0, 90.0 * math.exp((r - 0.02) * 1.5), 1.5, 0.3, r, 0.01)
    assert_allclose(got, want, rtol=1e-13)
    # perfectly correlated equal vols: no optionality, the discounted forward difference
    got = _margrabe_kernel(100.0, 90.0, 1.0, 0.25, 0.25, 1.0, 0.01, 0.03)[0]
    assert_allclose(got, 100.0 * math.exp(-0.01) - 90.0 * math.exp(-0.03), rtol=1e-14)
    # symmetry: exchange(S1, S2) - exchange(S2, S1) = S1 e^{-q1 T} - S2 e^{-q2 T}
    a = _margrabe_kernel(100.0, 95.0, 1.0, 0.3, 0.2, 0.5, 0.01, 0.02)[0]
    b = _margrabe_kernel(95.0, 100.0, 1.0, 0.2, 0.3, 0.5, 0.02, 0.01)[0]
    assert_allclose(a - b, 100.0 * math.exp(-0.01) - 95.0 * math.exp(-0.02), rtol=1e-13)
    rho = np.linspace(-1, 1, 21)
    assert_array_equal(
        _margrabe_kernel(100.0, 95.0, 1.0, 0.3, 0.2, rho),
        _margrabe_kernel(100.0, 95.0, 1.0, 0.3, 0.2, rho, parallel=True),
    )
