"""No-arbitrage identities and analytic-vs-numerical Greeks, for every model."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import fastopt

spots = st.floats(1.0, 1000.0)
money = st.floats(0.2, 5.0)
times = st.floats(1.0 / 365.0, 30.0)
vols = st.floats(0.01, 5.0)
rates = st.floats(-0.05, 0.15)
divs = st.floats(0.0, 0.10)


@given(spots, money, times, vols, rates, divs)
@example(100.0, 1.0, 1.0 / 365.0, 0.01, 0.0, 0.0)
@example(100.0, 5.0, 30.0, 5.0, 0.15, 0.1)
def test_put_call_parity(s, m, t, v, r, q):
    k = s * m
    c = fastopt.bs_price(s, k, t, v, r, q, "call")
    p = fastopt.bs_price(s, k, t, v, r, q, "put")
    parity = s * math.exp(-q * t) - k * math.exp(-r * t)
    assert c - p == pytest.approx(parity, rel=1e-12, abs=1e-12 * (s + k))


@given(spots, money, times, vols, rates, divs, st.booleans())
def test_no_arbitrage_bounds(s, m, t, v, r, q, call):
    k = s * m
    price = fastopt.bs_price(s, k, t, v, r, q, call)
    sdq, kdr = s * math.exp(-q * t), k * math.exp(-r * t)
    lower = max(sdq - kdr, 0.0) if call else max(kdr - sdq, 0.0)
    upper = sdq if call else kdr
    tol = 1e-12 * (s + k)
    assert lower - tol <= price <= upper + tol


@given(spots, money, times, rates, divs, st.booleans())
def test_monotone_in_vol_and_strike(s, m, t, r, q, call):
    k = s * m
    vol_grid = np.linspace(0.01, 3.0, 64)
    by_vol = fastopt.bs_price(s, k, t, vol_grid, r, q, call)
    assert np.all(np.diff(by_vol) >= -1e-12 * (s + k))
    strikes = k * np.linspace(0.5, 2.0, 64)
    by_strike = fastopt.bs_price(s, strikes, t, 0.3, r, q, call)
    d = np.diff(by_strike)
    assert np.all(d <= 1e-12 * (s + k)) if call else np.all(d >= -1e-12 * (s + k))


@given(
    st.floats(50.0, 150.0),
    st.floats(0.7, 1.4),
    st.floats(0.05, 5.0),
    st.floats(0.1, 0.8),
    st.floats(-0.02, 0.08),
    st.floats(0.0, 0.05),
    st.booleans(),
    st.sampled_from(["bsm", "black76", "bachelier"]),
)
def test_analytic_greeks_match_central_differences(s, m, t, v, r, q, call, model):
    k = s * m
    if model != "bsm":
        q = 0.0
    if model == "bachelier":
        v = v * s
    g = fastopt.bs_greeks(s, k, t, v, r, q, call, model=model)

    def price(s_=s, t_=t, v_=v, r_=r):
        return fastopt.bs_price(s_, k, t_, v_, r_, q, call, model=model)

    hs, hv, ht, hr = 1e-4 * s, 1e-4 * v, 1e-5, 1e-5
    fd = {
        "delta": (price(s_=s + hs) - price(s_=s - hs)) / (2 * hs),
        "gamma": (price(s_=s + hs) - 2 * g.price + price(s_=s - hs)) / hs**2,
        "vega": (price(v_=v + hv) - price(v_=v - hv)) / (2 * hv),
        "theta": -(price(t_=t + ht) - price(t_=t - ht)) / (2 * ht),
        "rho": (price(r_=r + hr) - price(r_=r - hr)) / (2 * hr),
    }
    for name, value in fd.items():
        assert getattr(g, name) == pytest.approx(value, rel=1e-4, abs=1e-6 * s), name

    def greeks(s_=s, t_=t, v_=v):
        return fastopt.bs_greeks(s_, k, t_, v_, r, q, call, model=model)

    vanna_fd = (greeks(v_=v + hv).delta - greeks(v_=v - hv).delta) / (2 * hv)
    volga_fd = (greeks(v_=v + hv).vega - greeks(v_=v - hv).vega) / (2 * hv)
    charm_fd = -(greeks(t_=t + ht).delta - greeks(t_=t - ht).delta) / (2 * ht)
    assert g.vanna == pytest.approx(vanna_fd, rel=1e-5, abs=1e-8)
    assert g.volga == pytest.approx(volga_fd, rel=1e-5, abs=1e-6 * s)
    assert g.charm == pytest.approx(charm_fd, rel=1e-4, abs=1e-7)


@given(spots, money, times, vols, rates, divs, st.booleans())
def test_float32_matches_float64(s, m, t, v, r, q, call):
    k = s * m
    args64 = [np.array([x]) for x in (s, k, t, v, r, q)]
    args32 = [a.astype(np.float32) for a in args64]
    p64 = fastopt.bs_price(*[a.astype(np.float32).astype(np.float64) for a in args64[:6]], call)
    p32 = fastopt.bs_price(*args32, call)
    assert p32.dtype == np.float32
    # float32 storage: the result is the float64 answer rounded to float32
    assert abs(float(p32[0]) - float(p64[0])) <= 6e-8 * abs(float(p64[0])) + 1e-30


def test_expiry_and_zero_vol_limits():
    # t = 0: intrinsic; vol = 0: discounted intrinsic of the forward
    assert fastopt.bs_price(110.0, 100.0, 0.0, 0.2, 0.05) == 10.0
    assert fastopt.bs_price(90.0, 100.0, 0.0, 0.2, kind="put") == 10.0
    assert fastopt.bs_price(90.0, 100.0, 0.0, 0.2) == 0.0
    fwd_intrinsic = 100.0 * math.exp(-0.01) - 95.0 * math.exp(-0.05)
    assert fastopt.bs_price(100.0, 95.0, 1.0, 0.0, 0.05, 0.01) == pytest.approx(fwd_intrinsic)
    g = fastopt.bs_greeks([110.0, 100.0, 90.0], 100.0, 0.0, 0.2)
    np.testing.assert_array_equal(g.delta, [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(g.gamma, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(g.vega, [0.0, 0.0, 0.0])
    # the limit is continuous: a tiny vol prices at the same intrinsic
    assert fastopt.bs_price(100.0, 95.0, 1.0, 1e-9, 0.05, 0.01) == pytest.approx(fwd_intrinsic)


def test_same_result_with_one_and_two_threads():
    rng = np.random.default_rng(3)
    n = 50_000
    args = (
        rng.uniform(50, 150, n),
        rng.uniform(50, 150, n),
        rng.uniform(0.01, 3, n),
        rng.uniform(0.05, 1, n),
        0.03,
        0.01,
        rng.random(n) < 0.5,
    )
    threshold = fastopt.get_parallel_threshold()
    fastopt.set_parallel_threshold(1000)
    try:
        fastopt.set_num_threads(1)
        one = fastopt.bs_greeks(*args)
        fastopt.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = fastopt.bs_greeks(*args)
    finally:
        fastopt.set_parallel_threshold(threshold)
        fastopt.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for name in ("price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
