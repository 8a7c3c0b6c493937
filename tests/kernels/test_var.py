"""Kernels of ``fastopt.kernels.var``: the hoisted BSM form, revaluation, tail measures."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import ndtr

import fastopt
from fastopt.kernels import _special as sp
from fastopt.kernels import var as kv
from fastopt.kernels._jit import DISABLE_JIT
from tests.mp_oracle import bsm_price

N_OPT = 12 if DISABLE_JIT else 300
N_SC = 600 if DISABLE_JIT else 20_000


def _book(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "strike": rng.uniform(60.0, 140.0, n),
        "t": rng.uniform(0.0, 2.0, n),  # some expire before the horizon
        "vol": rng.uniform(0.05, 0.6, n),
        "is_call": rng.random(n) < 0.5,
        "qty": rng.integers(-10, 11, n).astype(np.float64),
    }


def _scenarios(n: int, seed: int, spot=100.0, drift=0.01, vol=0.3, h=5 / 252):
    z = np.random.default_rng(seed).standard_normal(n)
    lr, sh = np.empty(n), np.empty(n)
    kv.scenario_spots_nb(spot, z, drift, vol, h, lr, sh)
    return z, lr, sh


def _consts(b, spot=100.0, rate=0.03, div=0.01, h=5 / 252):
    c = kv.empty_constants(b["strike"].shape[0])
    kv.hoist_constants_nb(
        spot, b["strike"], b["t"], b["vol"], rate, div, b["is_call"], b["qty"], h, c
    )
    return c


def test_scenario_spots_are_gbm():
    z, lr, sh = _scenarios(N_SC, 1, spot=100.0, drift=0.02, vol=0.3, h=0.1)
    assert_allclose(lr, (0.02 - 0.045) * 0.1 + 0.3 * math.sqrt(0.1) * z, rtol=1e-14, atol=1e-16)
    assert_allclose(sh, 100.0 * np.exp(lr), rtol=1e-15)


@pytest.mark.parametrize("region", [kv._CENTRAL, kv._MID, kv._FAR])
def test_cdf_in_region_is_bit_identical_to_generic_cdf(region):
    rng = np.random.default_rng(10 + region)
    lo, hi = {kv._CENTRAL: (0.0, 0.46875), kv._MID: (0.46875, 4.0), kv._FAR: (4.0, 27.0)}[region]
    y = rng.uniform(lo, hi, 2_000 if not DISABLE_JIT else 200)
    y = np.r_[y, [hi] if region != kv._FAR else [], [0.0] if region == kv._CENTRAL else []]
    x = np.sqrt(2.0) * y * np.where(rng.random(y.size) < 0.5, 1.0, -1.0)
    yy = np.abs(x) * sp.INV_SQRT2
    inside = {
        kv._CENTRAL: yy <= 0.46875,
        kv._MID: (yy > 0.46875) & (yy <= 4.0),
        kv._FAR: yy > 4.0,
    }[region]
    x = x[inside]
    ex = np.array([sp.exp_neg_half_sq(v) for v in x])
    got = np.empty(x.size)
    kv._cdf_block(x, ex, region, got)
    want = np.empty(x.size)
    kv._cdf_block(x, ex, kv._MIXED, want)
    assert_array_equal(got, want)
    assert_allclose(want, ndtr(x), rtol=1e-12, atol=1e-300)  # accuracy: test_special.py


def test_region_classification():
    assert kv._region(-0.5, 0.6) == kv._CENTRAL
    assert kv._region(0.7, 5.0) == kv._MID
    assert kv._region(-5.0, -0.7) == kv._MID
    assert kv._region(6.0, 9.0) == kv._FAR
    assert kv._region(-9.0, -6.0) == kv._FAR
    assert kv._region(-0.7, 0.7) == kv._MIXED  # spans central and mid
    assert kv._region(0.5, 6.0) == kv._MIXED
    assert kv._region(-6.0, 6.0) == kv._MIXED


@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_hoisted_prices_equal_bs_price(order):
    """The benchmarked exception: the hoisted BSM form equals fastopt.bs_price.

    1e-13 relative wherever the price is at least 1e-4 of spot. Deeper out of
    the money a price is ill-conditioned (relative error ~ |d| x the rounding
    of d); there the two implementations differ by up to ~1e-12 relative and
    mpmath shows the hoisted form is the closer one (checked on the worst cases).
    """
    rng = np.random.default_rng(5)
    n_opt, n_sc = (8, 256) if DISABLE_JIT else (200, 1_024)
    spot, rate, div, h = 100.0, 0.04, 0.015, 1 / 252
    b = {
        "strike": np.exp(rng.uniform(math.log(50.0), math.log(200.0), n_opt)),
        "t": rng.uniform(h + 1e-3, 3.0, n_opt),
        "vol": rng.uniform(0.05, 1.0, n_opt),
        "is_call": rng.random(n_opt) < 0.5,
        "qty": np.ones(n_opt),
    }
    c = _consts(b, spot, rate, div, h)
    z = rng.standard_normal(n_sc) * 4.0  # wide: every CDF region and the mixed blocks
    lr, sh = np.empty(n_sc), np.empty(n_sc)
    kv.scenario_spots_nb(spot, z, 0.0, 0.3, h, lr, sh)
    if order == "sorted":
        idx = np.argsort(lr)
        lr, sh = lr[idx], sh[idx]
    work, v = np.empty((6, kv.BLOCK)), np.empty(kv.BLOCK)
    tau = b["t"] - h
    got = np.empty((n_sc, n_opt))
    for j0 in range(0, n_sc, kv.BLOCK):
        blk = slice(j0, j0 + kv.BLOCK)
        for i in range(n_opt):
            kv.option_block_prices_nb(c, i, lr[blk], sh[blk], lr[blk].min(), lr[blk].max(), work, v)
            got[blk, i] = v
    want = fastopt.bs_price(sh[:, None], b["strike"], tau, b["vol"], rate, div, b["is_call"])
    big = want >= 1e-4 * spot
    assert big.mean() > 0.3
    assert_allclose(got[big], want[big], rtol=1e-13, atol=0.0)
    small = ~big & (want > 1e-250)
    assert_allclose(got[small], want[small], rtol=5e-12, atol=0.0)
    assert np.all(got[want <= 1e-250] < 1e-240)
    rel = np.where(small, np.abs(got - want) / np.where(small, want, 1.0), 0.0)
    for flat in np.argsort(rel, axis=None)[-5:]:
        j, i = np.unravel_index(flat, rel.shape)
        exact = bsm_price(sh[j], b["strike"][i], tau[i], b["vol"][i], rate, div, b["is_call"][i])
        assert abs(got[j, i] - exact) <= 2e-13 * exact


def test_zero_vol_and_expired_options_are_intrinsic():
    b = {
        "strike": np.array([90.0, 110.0, 95.0, 105.0]),
        "t": np.array([0.001, 0.001, 1.0, 1.0]),  # two expire before the horizon
        "vol": np.array([0.2, 0.2, 0.0, 0.0]),  # two have zero vol
        "is_call": np.array([True, False, True, False]),
        "qty": np.ones(4),
    }
    h = 0.01
    c = _consts(b, 100.0, 0.05, 0.02, h)
    _, lr, sh = _scenarios(64, 3, h=h)
    work, v = np.empty((6, 64)), np.empty(64)
    tau = np.maximum(b["t"] - h, 0.0)
    for i in range(4):
        kv.option_block_prices_nb(c, i, lr, sh, lr.min(), lr.max(), work, v)
        want = fastopt.bs_price(
            sh, b["strike"][i], tau[i], b["vol"][i], 0.05, 0.02, b["is_call"][i]
        )
        assert_allclose(v, want, rtol=1e-14, atol=1e-14)
    # today's value is the BSM price at the full t
    now = fastopt.bs_price(100.0, b["strike"], b["t"], b["vol"], 0.05, 0.02, b["is_call"])
    assert_allclose(c[7], now, rtol=1e-15)


def _numpy_pnl(b, spot, rate, div, h, sh):
    """Slow, independent reference: NumPy + scipy.special.ndtr, one scenario chunk at a time."""
    tau = np.maximum(b["t"] - h, 0.0)

    def bs(s, t):
        w = np.where(b["is_call"], 1.0, -1.0)
        sd = b["vol"] * np.sqrt(t)
        live = sd > 0
        sd_s = np.where(live, sd, 1.0)
        fwd = s * np.exp((rate - div) * t)
        d1 = np.log(fwd / b["strike"]) / sd_s + 0.5 * sd_s
        d2 = d1 - sd_s
        disc = np.exp(-rate * t)
        live_px = w * disc * (fwd * ndtr(w * d1) - b["strike"] * ndtr(w * d2))
        return np.where(
            live, np.maximum(live_px, 0.0), np.maximum(w * disc * (fwd - b["strike"]), 0)
        )

    now = bs(np.array([[spot]]), b["t"])[0]
    out = np.empty(sh.shape[0])
    for j0 in range(0, sh.shape[0], 1_000):
        s = sh[j0 : j0 + 1_000, None]
        out[j0 : j0 + 1_000] = ((bs(s, tau) - now) * b["qty"]).sum(axis=1)
    return out


def test_full_revaluation_matches_numpy_reference_and_is_order_and_thread_independent():
    b = _book(N_OPT, 7)
    spot, rate, div, h = 100.0, 0.03, 0.01, 5 / 252
    c = _consts(b, spot, rate, div, h)
    _, lr, sh = _scenarios(N_SC, 8, spot=spot, h=h)
    pnl = np.empty(N_SC)
    kv.full_reval_pnl_nb(c, lr, sh, pnl)  # scenario (unsorted) order
    ref = _numpy_pnl(b, spot, rate, div, h, sh)
    assert_allclose(pnl, ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())
    order, lrs, shs = kv.sort_scenarios_nb(lr, sh)
    assert np.all(np.diff(lrs) >= 0)
    for kernel in (kv.full_reval_pnl_nb, kv.full_reval_pnl_par_nb):
        sorted_pnl = np.empty(N_SC)
        kernel(c, lrs, shs, sorted_pnl)
        back = np.empty(N_SC)
        kv.unsort_nb(order, sorted_pnl, back)
        assert_array_equal(back, pnl)  # same bits whatever the order or the kernel


@pytest.mark.skipif(DISABLE_JIT, reason="thread count is a compiled-mode notion")
def test_parallel_kernel_independent_of_thread_count():
    b = _book(N_OPT, 9)
    c = _consts(b)
    _, lr, sh = _scenarios(N_SC, 10)
    outs = []
    before = numba.get_num_threads()
    try:
        for n in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(n)
            out = np.empty(N_SC)
            kv.full_reval_pnl_par_nb(c, lr, sh, out)
            outs.append(out)
    finally:
        numba.set_num_threads(before)
    for out in outs[1:]:
        assert_array_equal(out, outs[0])


def test_delta_gamma_pnl():
    _, _, sh = _scenarios(100, 11)
    out = np.empty(100)
    kv.delta_gamma_pnl_nb(100.0, sh, 2.0, 0.5, -36.5, 0.01, out)
    ds = sh - 100.0
    assert_allclose(out, 2.0 * ds + 0.25 * ds * ds - 0.365, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("n", [2, 7, 1_000, 12_345])
def test_tail_measures_against_numpy(n):
    rng = np.random.default_rng(n)
    pnl = rng.standard_t(4, n)
    counts = np.unique(np.clip(np.array([1, 2, n // 100, n // 40, n // 2, n]), 1, n))
    out = np.empty((kv.N_TAIL, counts.size))
    srt = kv.tail_measures_nb(pnl, counts.astype(np.int64), 1.96, out)
    assert_array_equal(srt, np.sort(pnl))
    for c, m in enumerate(counts):
        tail = np.sort(pnl)[:m]
        assert out[0, c] == -np.quantile(pnl, m / n, method="inverted_cdf")
        assert_allclose(out[1, c], -tail.mean(), rtol=1e-12)
        assert out[1, c] >= out[0, c]
        p = m / n
        se = math.sqrt((tail.var() + (1 - p) * (out[1, c] - out[0, c]) ** 2) / m)
        assert_allclose(out[2, c], se, rtol=1e-10, atol=1e-300)
        assert out[3, c] <= out[0, c] <= out[4, c]
