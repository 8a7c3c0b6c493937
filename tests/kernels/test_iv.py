"""Implied-vol kernels against a 40-digit mpmath truth, status codes, threads, dtypes."""

from __future__ import annotations

import math

import mpmath as mp
import numba
import numpy as np
import pytest

import fastopt
from fastopt.iv import implied_vol
from fastopt.kernels import iv as kiv
from fastopt.kernels.enums import IVStatus, Model
from tests.mp_oracle import bsm_price as mp_price

EPS = float(np.finfo(np.float64).eps)
JIT = not numba.config.DISABLE_JIT
N_DOMAIN = 1500 if JIT else 150  # pure-Python kernels are ~1000x slower


def exact_vega_delta(s, k, t, v, r, q, call, model):
    """(vega, |delta|) at 40 digits, for the conditioning of the problem."""
    s, k, t, v, r, q = (mp.mpf(float(x)) for x in (s, k, t, v, r, q))
    sd = v * mp.sqrt(t)
    w = 1 if call else -1
    disc = mp.e ** (-r * t)
    if model == "bachelier":
        d = (s - k) / sd
        return float(disc * mp.npdf(d) * mp.sqrt(t)), float(disc * mp.ncdf(w * d))
    fwd = s * mp.e ** ((r - q) * t) if model == "bsm" else s
    d1 = mp.log(fwd / k) / sd + sd / 2
    vega = disc * fwd * mp.npdf(d1) * mp.sqrt(t)
    return float(vega), float(disc * fwd / s * mp.ncdf(w * d1))


def run(price, spot, strike, t, rate=0.0, div=0.0, call=True, model=Model.BSM, dtype=np.float64):
    """Call the serial kernel on broadcast inputs; return (vol, status, iterations)."""
    arrs = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (price, spot, strike, t, rate, div)),
        np.asarray(call, dtype=bool),
    )
    flat = [np.ascontiguousarray(a.ravel()) for a in arrs]
    floats = [a.astype(dtype) for a in flat[:6]]
    vol = np.empty(flat[0].size, dtype=dtype)
    status = np.empty(flat[0].size, dtype=np.int8)
    kiv.implied_vol_1d_nb(*floats, flat[6], model, vol, status)
    v2, s2, iters = kiv.implied_vol_iters_1d_nb(*flat[:6], flat[6], model)
    if dtype == np.float64:
        np.testing.assert_array_equal(vol, v2)
        np.testing.assert_array_equal(status, s2)
    return vol, status, iters


def random_domain(seed, n, model):
    """Whole domain: T 1 day..30 y, vol 1%..500%, moneyness 0.2..5, r -5%..15%."""
    rng = np.random.default_rng(seed)
    spot = np.full(n, 100.0)
    t = np.exp(rng.uniform(math.log(1 / 365), math.log(30.0), n))
    rate = rng.uniform(-0.05, 0.15, n)
    call = rng.random(n) < 0.5
    if model == "bachelier":
        strike = spot + rng.normal(0, 1, n) * np.exp(rng.uniform(math.log(0.01), math.log(100), n))
        vol = np.exp(rng.uniform(math.log(0.1), math.log(100.0), n))
        div = np.zeros(n)
    else:
        strike = spot * np.exp(rng.uniform(math.log(0.2), math.log(5.0), n))
        vol = np.exp(rng.uniform(math.log(0.01), math.log(5.0), n))
        div = rng.uniform(0.0, 0.1, n) if model == "bsm" else np.zeros(n)
    price = np.array(
        [
            mp_price(*row, model=model)
            for row in zip(spot, strike, t, vol, rate, div, call, strict=True)
        ]
    )
    vd = np.array(
        [
            exact_vega_delta(*row, model)
            for row in zip(spot, strike, t, vol, rate, div, call, strict=True)
        ]
    )
    return spot, strike, t, vol, rate, div, call, price, vd[:, 0], vd[:, 1]


@pytest.mark.parametrize(("model", "code"), [("bsm", 0), ("black76", 1), ("bachelier", 2)])
def test_whole_domain_accuracy_in_condition_units(model, code):
    data = random_domain(11 + code, N_DOMAIN, model)
    spot, strike, t, vol, rate, div, call, price, vega, delta = data
    got, status, iters = run(price, spot, strike, t, rate, div, call, code)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = EPS * price / vega  # vol error caused by rounding the price alone
        # ... and by rounding the inputs: spot/forward to one ulp moves the price by delta*S*eps
        cond_in = EPS * (price + delta * np.abs(spot)) / vega
    informative = (status == IVStatus.OK) & (price > 1e-290) & (vega > 0) & (got > 0)
    assert informative.mean() > 0.5
    err = np.abs(got - vol)
    # Error at the level of the conditioning (or of rounding vol itself) ...
    units = err[informative] / np.maximum(cond_in[informative], EPS * vol[informative])
    assert units.max() < 30.0, units.max()
    assert np.percentile(units, 99) < 10.0
    # ... and the research target: 1e-12 absolute wherever cond < 1e-14.
    good = informative & (cond < 1e-14)
    assert err[good].max() <= 1e-12
    # Non-OK only where the price carries no information (rounded to the bound).
    assert set(np.unique(status)) <= {IVStatus.OK, IVStatus.ABOVE_MAX}
    if model != "bachelier":
        upper = np.where(call, spot * np.exp(-div * t), strike * np.exp(-rate * t))
        if code == Model.BLACK76:
            upper = np.where(call, spot * np.exp(-rate * t), strike * np.exp(-rate * t))
        above = status == IVStatus.ABOVE_MAX
        np.testing.assert_allclose(price[above], upper[above], rtol=4 * EPS)
    # LBR-class convergence: at most two iterations wherever the price is informative.
    if model != "bachelier":
        assert iters[informative].max() <= 2
    else:
        assert iters[informative].max() <= 6


# The hard cases of research/pricing.md section 4: (spot, strike, t, vol, call, abs tol)
HARD_CASES = [
    pytest.param(100.0, 300.0, 0.1, 0.3, True, 1e-14, id="deep-otm-call-K3S-price-3.6e-31"),
    pytest.param(100.0, 500.0, 1.0, 0.3, False, 1e-12, id="deep-itm-put-K5S"),
    pytest.param(100.0, 50.0, 0.25, 0.2, False, 1e-14, id="deep-otm-put-KS/2-price-1.4e-12"),
    pytest.param(100.0, 100.0, 1 / (365 * 24), 0.3, True, 1e-13, id="1-hour-atm"),
    pytest.param(100.0, 101.0, 1 / (365 * 24), 0.3, True, 1e-13, id="1-hour-1pct-otm"),
    pytest.param(100.0, 100.0, 3.0, 5.0, True, 1e-11, id="vol-5-T-3"),
    pytest.param(100.0, 105.0, 1.0, 0.01, True, 1e-14, id="vol-1pct-5pct-otm"),
    pytest.param(100.0, 100.0, 1 / 365, 0.01, False, 1e-14, id="1-day-vol-1pct"),
    pytest.param(100.0, 150.0, 30.0, 0.05, True, 1e-14, id="30-years-low-vol"),
]


@pytest.mark.parametrize(("spot", "strike", "t", "vol", "call", "tol"), HARD_CASES)
def test_hard_cases(spot, strike, t, vol, call, tol):
    price = mp_price(spot, strike, t, vol, 0.0, 0.0, call)
    vega, delta = exact_vega_delta(spot, strike, t, vol, 0.0, 0.0, call, "bsm")
    got, status, _ = run(price, spot, strike, t, call=call)
    assert status[0] == IVStatus.OK
    # deep ITM: the time value is a small difference, so the inputs' rounding dominates
    cond_in = EPS * (price + delta * spot) / vega
    assert abs(got[0] - vol) <= max(tol, 10 * cond_in)


def test_deep_otm_call_price_is_tiny():
    assert 1e-31 < mp_price(100.0, 300.0, 0.1, 0.3, 0.0, 0.0, True) < 1e-30


def test_deep_itm_call_with_time_value_below_rounding_gives_zero():
    # K = S/5: the time value (~1e-56) is far below the rounding of the intrinsic value.
    price = mp_price(100.0, 20.0, 0.25, 0.2, 0.0, 0.0, True)
    assert price == 80.0
    got, status, _ = run(price, 100.0, 20.0, 0.25)
    assert status[0] == IVStatus.OK
    assert got[0] == 0.0


@pytest.mark.parametrize(
    ("price", "spot", "strike", "t", "rate", "div", "call", "vol", "status"),
    [
        (5.0, 100.0, 100.0, 0.0, 0.0, 0.0, True, math.nan, IVStatus.ZERO_TIME),
        (0.0, 100.0, 100.0, 0.0, 0.0, 0.0, False, math.nan, IVStatus.ZERO_TIME),
        (9.0, 110.0, 100.0, 1.0, 0.0, 0.0, True, math.nan, IVStatus.BELOW_INTRINSIC),
        (-1e-3, 100.0, 120.0, 1.0, 0.0, 0.0, True, math.nan, IVStatus.BELOW_INTRINSIC),
        (-1.0, 100.0, 80.0, 1.0, 0.0, 0.0, False, math.nan, IVStatus.BELOW_INTRINSIC),
        (100.0, 100.0, 100.0, 1.0, 0.0, 0.0, True, math.nan, IVStatus.ABOVE_MAX),
        (150.0, 100.0, 100.0, 1.0, 0.0, 0.0, True, math.nan, IVStatus.ABOVE_MAX),
        (100.0, 100.0, 100.0, 1.0, 0.0, 0.0, False, math.nan, IVStatus.ABOVE_MAX),
        (0.0, 100.0, 120.0, 1.0, 0.0, 0.0, True, 0.0, IVStatus.OK),
        (0.0, 100.0, 80.0, 1.0, 0.0, 0.0, False, 0.0, IVStatus.OK),
        (10.0, 110.0, 100.0, 1.0, 0.0, 0.0, True, 0.0, IVStatus.OK),
        (20.0, 100.0, 120.0, 1.0, 0.0, 0.0, False, 0.0, IVStatus.OK),
    ],
)
def test_status_codes(price, spot, strike, t, rate, div, call, vol, status):
    got, st, _ = run(price, spot, strike, t, rate, div, call)
    assert st[0] == status
    np.testing.assert_equal(got[0], vol)


def test_intrinsic_with_rates_and_dividends_is_discounted():
    s, k, t, r, q = 120.0, 100.0, 2.0, 0.05, 0.02
    intrinsic = s * math.exp(-q * t) - k * math.exp(-r * t)
    got, st, _ = run([intrinsic, intrinsic * (1 - 1e-9)], s, k, t, r, q, True)
    np.testing.assert_array_equal(st, [IVStatus.OK, IVStatus.BELOW_INTRINSIC])
    assert got[0] == 0.0


@pytest.mark.parametrize("model", [Model.BSM, Model.BLACK76, Model.BACHELIER])
def test_no_convergence_status_is_never_produced_on_random_inputs(model):
    rng = np.random.default_rng(3)
    n = 20_000 if JIT else 300
    price = rng.uniform(-5, 200, n) * rng.choice([1e-12, 1e-3, 1.0], n)
    spot = rng.uniform(1, 200, n)
    strike = rng.uniform(1, 200, n)
    t = rng.choice([0.0, 1e-4, 0.1, 5.0, 30.0], n)
    rate = rng.uniform(-0.05, 0.2, n)
    div = rng.uniform(0, 0.1, n) if model == Model.BSM else np.zeros(n)
    call = rng.random(n) < 0.5
    vol, st, _ = run(price, spot, strike, t, rate, div, call, model)
    assert not np.any(st == IVStatus.NO_CONVERGENCE)
    np.testing.assert_array_equal(np.isnan(vol), st != IVStatus.OK)
    assert np.all(vol[st == IVStatus.OK] >= 0)


def test_black76_is_bsm_with_div_equal_rate():
    spot, strike, t, vol, rate, _, call, _, _, _ = random_domain(5, 60, "bsm")
    price = np.array(
        [
            mp_price(*row, model="black76")
            for row in zip(spot, strike, t, vol, rate, rate * 0, call, strict=True)
        ]
    )
    v76, s76, _ = run(price, spot, strike, t, rate, 0.0, call, Model.BLACK76)
    # Black-76 on forward F is BSM on spot F with q = r
    vbsm, sbsm, _ = run(price, spot, strike, t, rate, rate, call, Model.BSM)
    np.testing.assert_array_equal(s76, sbsm)
    np.testing.assert_allclose(v76, vbsm, rtol=1e-13, atol=1e-15)


def test_bachelier_atm_closed_form():
    # ATM Bachelier: price = D sigma sqrt(T) / sqrt(2 pi)
    sig, t, r = 7.5, 0.5, 0.03
    price = math.exp(-r * t) * sig * math.sqrt(t) / math.sqrt(2 * math.pi)
    got, st, _ = run(price, 100.0, 100.0, t, r, 0.0, True, Model.BACHELIER)
    assert st[0] == IVStatus.OK
    assert got[0] == pytest.approx(sig, rel=4 * EPS)


def test_bachelier_accepts_negative_forwards_and_has_no_upper_bound():
    price = mp_price(-20.0, -25.0, 1.0, 30.0, 0.0, 0.0, True, model="bachelier")
    got, st, _ = run(price, -20.0, -25.0, 1.0, model=Model.BACHELIER)
    assert st[0] == IVStatus.OK
    assert got[0] == pytest.approx(30.0, rel=1e-13)
    got, st, _ = run(1e6, 100.0, 100.0, 1.0, model=Model.BACHELIER)
    assert st[0] == IVStatus.OK
    assert got[0] == pytest.approx(1e6 * math.sqrt(2 * math.pi), rel=1e-13)


def test_float32_in_float32_out():
    spot, strike, t, vol, rate, div, call, price, vega, delta = random_domain(21, 200, "bsm")
    args = [a.astype(np.float32) for a in (price, spot, strike, t, rate, div)]
    v32, st32, _ = run(*args, call, Model.BSM, dtype=np.float32)
    assert v32.dtype == np.float32
    v64, st64, _ = run(*(a.astype(np.float64) for a in args), call)
    # the float32 kernel computes in float64 from the float32 inputs, then rounds once
    np.testing.assert_array_equal(v32, v64.astype(np.float32))
    np.testing.assert_array_equal(st32, st64)
    # against the truth, where float32 rounding of the inputs leaves information
    eps32 = float(np.finfo(np.float32).eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond32 = eps32 * (price + delta * spot) / vega
    well = (st32 == IVStatus.OK) & (cond32 < 1e-4 * vol) & (args[0] > 1e-30)
    assert well.sum() >= 50
    np.testing.assert_allclose(v32[well], vol[well], rtol=2e-3)


def test_parallel_twin_and_thread_count_give_identical_results():
    spot, strike, t, _, rate, div, call, price, *_ = random_domain(31, 400, "bsm")
    args = [np.ascontiguousarray(a) for a in (price, spot, strike, t, rate, div)]
    ref_v = np.empty(price.size)
    ref_s = np.empty(price.size, dtype=np.int8)
    kiv.implied_vol_1d_nb(*args, call, Model.BSM, ref_v, ref_s)
    before = numba.get_num_threads()
    try:
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(threads)
            v = np.empty(price.size)
            s = np.empty(price.size, dtype=np.int8)
            kiv.implied_vol_1d_par_nb(*args, call, Model.BSM, v, s)
            np.testing.assert_array_equal(v, ref_v)
            np.testing.assert_array_equal(s, ref_s)
    finally:
        numba.set_num_threads(before)


def test_kernel_matches_facade():
    spot, strike, t, _, rate, div, call, price, *_ = random_domain(41, 100, "bsm")
    ref, st, _ = run(price, spot, strike, t, rate, div, call)
    got, gst = implied_vol(price, spot, strike, t, rate, div, call, return_status=True)
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(gst, st)


@pytest.mark.skipif(not JIT, reason="throughput is only meaningful compiled")
def test_research_batch_iteration_counts():
    rng = np.random.default_rng(12345)
    n = 50_000
    s = rng.uniform(50, 150, n)
    k = rng.uniform(50, 150, n)
    t = rng.integers(4, 1096, n) / 365
    vol = rng.uniform(0.05, 1.0, n)
    r = rng.uniform(0, 0.08, n)
    q = rng.uniform(0, 0.04, n)
    call = rng.random(n) < 0.5
    price = fastopt.bs_price(s, k, t, vol, r, q, call)
    got, st, iters = run(price, s, k, t, r, q, call)
    vega = fastopt.bs_greeks(s, k, t, vol, r, q, call).vega
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = EPS * price / vega
    good = (cond < 1e-14) & (price > 1e-300)  # bs_price flushes prices below ~1e-308 to 0
    assert np.all(st[good] == IVStatus.OK)
    assert iters[good].max() <= 2
    assert np.mean(iters[good]) <= 2.0
    assert np.abs(got - vol)[good].max() <= 1e-12


def _research_like(seed, n):
    """Fast-to-build batch (fastopt prices) with some options of every status."""
    rng = np.random.default_rng(seed)
    spot = rng.uniform(50, 150, n)
    strike = spot * np.exp(rng.uniform(math.log(0.3), math.log(3.0), n))
    t = np.exp(rng.uniform(math.log(1 / 365), math.log(30.0), n))
    vol = np.exp(rng.uniform(math.log(0.01), math.log(5.0), n))
    rate = rng.uniform(-0.02, 0.1, n)
    div = rng.uniform(0.0, 0.05, n)
    call = rng.random(n) < 0.5
    price = fastopt.bs_price(spot, strike, t, vol, rate, div, call)
    # a few non-OK rows: below intrinsic, above the bound, zero time, zero time value
    price[::37] = -1.0
    price[5::41] = 1e6
    t[7::43] = 0.0
    return [np.ascontiguousarray(a) for a in (price, spot, strike, t, rate, div)], call


@pytest.mark.parametrize("n", [1, kiv.CHUNK - 1, kiv.CHUNK, kiv.CHUNK + 1, 3 * kiv.CHUNK + 5])
def test_results_do_not_depend_on_block_layout(n):
    """Options are solved in blocks of CHUNK: each result equals that option solved alone."""
    args, call = _research_like(51, n)
    vol, status, iters = kiv.implied_vol_iters_1d_nb(*args, call, Model.BSM)
    for i in range(0, n, max(1, n // 40)):  # a sample of single-option calls
        one = [a[i : i + 1] for a in args]
        v1, s1, i1 = kiv.implied_vol_iters_1d_nb(*one, call[i : i + 1], Model.BSM)
        assert (v1[0] == vol[i]) or (math.isnan(v1[0]) and math.isnan(vol[i]))
        assert s1[0] == status[i]
        assert i1[0] == iters[i]
    # reversed order: blocks hold different neighbours, results are the same
    rv, rs, _ = kiv.implied_vol_iters_1d_nb(*(a[::-1].copy() for a in args), call[::-1].copy(), 0)
    np.testing.assert_array_equal(rv[::-1], vol)
    np.testing.assert_array_equal(rs[::-1], status)
    if n > 10:
        assert {IVStatus.OK, IVStatus.BELOW_INTRINSIC, IVStatus.ABOVE_MAX} <= set(status)


def _normalised_root(x, beta, s0):
    """Root of b(x, s) = beta at 40 digits (the normalised Black function)."""
    x, beta = mp.mpf(x), mp.mpf(beta)

    def b(s):
        return mp.e ** (x / 2) * mp.ncdf(x / s + s / 2) - mp.e ** (-x / 2) * mp.ncdf(x / s - s / 2)

    with mp.workdps(40):
        return float(mp.findroot(lambda s: b(s) - beta, mp.mpf(s0)))


def test_vectorised_first_step_agrees_with_the_scalar_loop():
    """Middle-branch options settled in the vectorised loop match the scalar Householder
    loop run from the same guess (which evaluates b with libm and Estrin rationals)."""
    args, call = _research_like(61, 600)
    price, spot, strike, t, rate, div = args
    vol, _status, iters = kiv.implied_vol_iters_1d_nb(*args, call, Model.BSM)
    checked = 0
    branches = set()
    for i in range(price.size):
        beta, x, bmax, ibmax, tv, den, code = kiv._normalise(
            price[i], spot[i], strike[i], t[i], rate[i], div[i], bool(call[i]), False
        )
        if code != kiv._SOLVE:
            continue
        s0, s_lo, s_hi, branch = kiv._initial_guess(beta, x, bmax, ibmax)
        branches.add(branch)
        fast = kiv._first_mid_step(beta, x, bmax, ibmax, s0, s_lo, s_hi, branch)
        s_ref, it_ref, ok = kiv._householder(beta, x, bmax, ibmax, tv, den, s0, s_lo, s_hi, branch)
        assert ok
        if fast > 0.0:  # settled in one vectorised step: the scalar loop also takes one
            assert branch == kiv._BR_MID
            assert it_ref == 1
            assert iters[i] == 1
            # both evaluate b(s) to a few ulp, so compare each with the exact root of
            # b(x, s) = beta, in units of the conditioning eps * beta / b'(s)
            vega = kiv._black_vega(x, x / s_ref, s_ref, bmax, ibmax)[1]
            unit = EPS * (beta / vega + s_ref)
            exact = _normalised_root(x, beta, s_ref)
            assert abs(fast - exact) <= 2.0 * abs(s_ref - exact) + 4.0 * unit
            assert vol[i] == fast / math.sqrt(t[i])
            checked += 1
        else:
            assert vol[i] == s_ref / math.sqrt(t[i])
            assert iters[i] == it_ref
    assert checked > 100
    assert branches == {kiv._BR_LOWER, kiv._BR_MID, kiv._BR_UPPER}


def test_roots_at_the_branch_ends_converge():
    """Total vols exactly at the vega maximum s_c and at the tangents' ends s_l, s_u (and
    an ulp or two either side): the branch ends are computed in floating point, so the
    root may sit just outside its branch's nominal bracket. Regression: a 1-year ATM-ish
    call with vol 0.2 and r = 2 % (s = s_c exactly) once ran to NO_CONVERGENCE."""
    rows = []
    for x in -np.geomspace(1e-6, 3.0, 40):
        xm = mp.mpf(float(x))
        sc = mp.sqrt(2 * abs(xm))

        def b(s, xm=xm):
            return mp.e ** (xm / 2) * mp.ncdf(xm / s + s / 2) - mp.e ** (-xm / 2) * mp.ncdf(
                xm / s - s / 2
            )

        vega_c = mp.npdf(xm / sc + sc / 2) * mp.e ** (xm / 2)
        bc = b(sc)
        ends = [sc, sc + (mp.e ** (xm / 2) - bc) / vega_c]
        if sc - bc / vega_c > 0:
            ends.append(sc - bc / vega_c)
        for s in ends:
            for bump in (1.0 - 2 * EPS, 1.0, 1.0 + 2 * EPS):
                rows.append((float(x), float(s) * bump))
    x, s = np.array(rows).T
    t = np.full(x.size, 1.0)
    strike = np.full(x.size, 100.0)
    spot = strike * np.exp(x)  # forward below the strike: calls out of the money
    call = np.arange(x.size) % 2 == 0  # puts in the money: parity path
    price = np.array(
        [
            mp_price(sp, k, 1.0, v, 0.0, 0.0, c)
            for sp, k, v, c in zip(spot, strike, s, call, strict=True)
        ]
    )
    got, status, iters = run(price, spot, strike, t, 0.0, 0.0, call)
    informative = price - np.where(call, 0.0, strike - spot) > 1e-12 * strike
    assert informative.sum() > 200
    assert np.all(status[informative] == IVStatus.OK)
    assert iters[informative].max() <= 2
    np.testing.assert_allclose(got[informative], s[informative], rtol=1e-9)
