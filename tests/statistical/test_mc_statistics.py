"""Statistical acceptance tests of the Monte Carlo engine (seeded; they can fail).

Every estimate is compared with an independent closed form within 3 standard
errors, the 95 % intervals are checked for coverage, and each variance
reduction technique must reach its acceptance factor.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from scipy import stats

import fastopt

pytestmark = pytest.mark.skipif(
    numba.config.DISABLE_JIT, reason="statistical tests need compiled kernels (sizes)"
)

S, K, T, R, VOL = 100.0, 100.0, 1.0, 0.05, 0.2
BS_CALL = 10.450583572185565


def within(res, ref, n_se=3.0):
    return abs(res.price - ref) <= n_se * res.stderr


@pytest.mark.parametrize("kind", ["call", "put"])
@pytest.mark.parametrize("antithetic", [False, True])
def test_european_within_3_se_of_black_scholes(kind, antithetic):
    ref = fastopt.bs_price(S, 95.0, T, VOL, R, 0.01, kind)
    res = fastopt.mc_price(
        S, 95.0, T, VOL, R, 0.01, kind, n_paths=400_000, antithetic=antithetic, seed=11
    )
    assert within(res, ref)


def test_digital_within_3_se_of_closed_form():
    d2 = (math.log(S / K) + (R - 0.5 * VOL**2) * T) / (VOL * math.sqrt(T))
    ref = 2.0 * math.exp(-R * T) * stats.norm.cdf(d2)
    res = fastopt.mc_price(S, K, T, VOL, R, payoff="digital", cash=2.0, n_paths=400_000, seed=3)
    assert within(res, ref)


def test_geometric_asian_within_3_se_of_closed_form():
    ref = fastopt.geometric_asian_price(S, K, T, VOL, R, 0.0, "call", n_fixings=52)
    res = fastopt.mc_price(
        S, K, T, VOL, R, payoff="asian_geometric", n_steps=52, n_paths=200_000, seed=5
    )
    assert within(res, ref)


def test_merton_within_3_se_of_series():
    jumps = {"jump_intensity": 0.75, "jump_mean": -0.12, "jump_vol": 0.2}
    ref = fastopt.merton_jump_price(S, K, T, VOL, R, 0.0, "call", **jumps)
    res = fastopt.mc_price(S, K, T, VOL, R, model="merton", n_paths=400_000, seed=8, **jumps)
    assert within(res, ref)
    put_ref = fastopt.merton_jump_price(S, 90.0, T, VOL, R, 0.0, "put", **jumps)
    put = fastopt.mc_price(
        S, 90.0, T, VOL, R, kind="put", model="merton", n_steps=4, n_paths=400_000, seed=9, **jumps
    )
    assert within(put, put_ref)


def test_margrabe_within_3_se_of_closed_form():
    ref = fastopt.margrabe_price(100.0, 95.0, 1.0, 0.25, 0.2, 0.4, 0.01, 0.02)
    paths = fastopt.simulate_correlated_gbm(
        [100.0, 95.0],
        1.0,
        [0.25, 0.2],
        [[1.0, 0.4], [0.4, 1.0]],
        0.03,
        [0.01, 0.02],
        n_paths=400_000,
        seed=4,
    )
    s1, s2 = paths.spot[-1, :, 0], paths.spot[-1, :, 1]
    pay = math.exp(-0.03) * np.maximum(s1 - s2, 0.0)  # Margrabe's price is rate-free
    price, se = pay.mean(), pay.std(ddof=1) / math.sqrt(pay.size)
    assert abs(price - ref) <= 3 * se


def test_barrier_up_and_out_matches_quantlib_with_bridge_correction():
    ql = pytest.importorskip("QuantLib")
    today = ql.Date(2, 1, 2025)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    proc = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(S)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, 0.0, dc)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, R, dc)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), VOL, dc)),
    )
    opt = ql.BarrierOption(
        ql.Barrier.UpOut,
        125.0,
        0.0,
        ql.PlainVanillaPayoff(ql.Option.Call, K),
        ql.EuropeanExercise(today + 365),
    )
    opt.setPricingEngine(ql.AnalyticBarrierEngine(proc))
    ref = opt.NPV()
    res = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="barrier",
        barrier=125.0,
        barrier_type="up_out",
        n_steps=25,
        n_paths=400_000,
        seed=12,
    )
    assert within(res, ref)
    # discrete monitoring knocks out less often: clearly above the continuous price
    disc = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="barrier",
        barrier=125.0,
        barrier_type="up_out",
        monitoring="discrete",
        n_steps=25,
        n_paths=400_000,
        seed=12,
    )
    assert disc.price > ref + 3 * disc.stderr
    # in + out = vanilla, path by path
    knock_in = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="barrier",
        barrier=125.0,
        barrier_type="up_in",
        n_steps=25,
        n_paths=400_000,
        seed=12,
    )
    vanilla = fastopt.mc_price(S, K, T, VOL, R, n_steps=25, n_paths=400_000, seed=12)
    assert res.price + knock_in.price == pytest.approx(vanilla.price, rel=1e-12)


def test_heston_matches_quantlib_analytic():
    ql = pytest.importorskip("QuantLib")
    today = ql.Date(2, 1, 2025)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    v0, kappa, theta, xi, rho = 0.04, 1.5, 0.05, 0.4, -0.7
    proc = ql.HestonProcess(
        ql.YieldTermStructureHandle(ql.FlatForward(today, R, dc)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, 0.0, dc)),
        ql.QuoteHandle(ql.SimpleQuote(S)),
        v0,
        kappa,
        theta,
        xi,
        rho,
    )
    opt = ql.VanillaOption(
        ql.PlainVanillaPayoff(ql.Option.Call, K), ql.EuropeanExercise(today + 365)
    )
    opt.setPricingEngine(ql.AnalyticHestonEngine(ql.HestonModel(proc)))
    ref = opt.NPV()
    with pytest.warns(fastopt.FellerWarning, match="Feller condition violated"):
        res = fastopt.mc_price(
            S,
            K,
            T,
            None,
            R,
            model="heston",
            v0=v0,
            kappa=kappa,
            theta=theta,
            vol_of_vol=xi,
            rho=rho,
            n_steps=50,
            n_paths=400_000,
            seed=21,
        )
    assert within(res, ref)


@pytest.mark.slow
def test_ci_coverage_between_93_and_97_percent_over_1000_repetitions():
    hits = 0
    for seed in range(1000):
        res = fastopt.mc_price(S, K, T, VOL, R, n_paths=2_000, antithetic=False, seed=seed)
        hits += res.ci_low <= BS_CALL <= res.ci_high
    assert 0.93 <= hits / 1000 <= 0.97


def test_ci_coverage_between_93_and_97_percent_over_400_repetitions():
    hits = 0
    for seed in range(400):
        res = fastopt.mc_price(S, K, T, VOL, R, n_paths=4_000, seed=10_000 + seed)
        hits += res.ci_low <= BS_CALL <= res.ci_high
    assert 0.93 <= hits / 400 <= 0.97


def _vrf(plain, reduced):
    return (plain.stderr / reduced.stderr) ** 2


def test_variance_reduction_acceptance_factors():
    n = 1_000_000
    plain = fastopt.mc_price(S, K, T, VOL, R, n_paths=n, antithetic=False, seed=1)
    anti = fastopt.mc_price(S, K, T, VOL, R, n_paths=n, antithetic=True, seed=1)
    spot_cv = fastopt.mc_price(
        S, K, T, VOL, R, n_paths=n, antithetic=False, control="terminal_spot", seed=1
    )
    bs_cv = fastopt.mc_price(
        S, K, T, VOL, R, n_paths=n, antithetic=False, control="bs_vanilla", seed=1
    )
    assert _vrf(plain, anti) >= 1.9
    assert _vrf(plain, spot_cv) >= 6.0
    assert _vrf(plain, bs_cv) >= 15.0
    for res in (anti, spot_cv, bs_cv):
        assert within(res, BS_CALL)


def test_asian_geometric_control_and_rqmc_factors_on_252_fixings():
    geo = fastopt.geometric_asian_price(S, K, T, VOL, R, 0.0, "call", n_fixings=252)
    n = 131_072  # RQMC: 8 scramblings x 16,384 Sobol points
    plain = fastopt.mc_price(
        S, K, T, VOL, R, payoff="asian_arithmetic", n_steps=252, n_paths=n, antithetic=False, seed=2
    )
    cv = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="asian_arithmetic",
        n_steps=252,
        n_paths=n,
        antithetic=False,
        control="geometric_asian",
        seed=2,
    )
    rqmc = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="asian_arithmetic",
        n_steps=252,
        n_paths=n,
        method="rqmc",
        n_randomizations=8,
        seed=2,
    )
    assert _vrf(plain, cv) >= 1_000
    assert _vrf(plain, rqmc) >= 1_000
    assert abs(cv.price - rqmc.price) <= 3 * math.hypot(cv.stderr, rqmc.stderr)
    assert cv.price > geo  # arithmetic mean >= geometric mean, path by path
    rqmc_geo = fastopt.mc_price(
        S, K, T, VOL, R, payoff="asian_geometric", n_steps=252, n_paths=n, method="rqmc", seed=3
    )
    assert within(rqmc_geo, geo)


def test_greeks_within_3_se_of_black_scholes():
    g_ref = fastopt.bs_greeks(S, K, T, VOL, R, 0.0, "call")
    for method in ("auto", "finite_difference"):
        g = fastopt.mc_greeks(S, K, T, VOL, R, n_paths=400_000, method=method, seed=31)
        for name in ("delta", "gamma", "vega"):
            est = getattr(g, name)
            assert abs(est.value - getattr(g_ref, name)) <= 3 * est.stderr, (method, name, est)
    put = fastopt.mc_greeks(S, 110.0, T, VOL, R, 0.02, "put", n_paths=400_000, seed=32)
    p_ref = fastopt.bs_greeks(S, 110.0, T, VOL, R, 0.02, "put")
    for name in ("delta", "gamma", "vega"):
        est = getattr(put, name)
        assert abs(est.value - getattr(p_ref, name)) <= 3 * est.stderr, (name, est)


def test_asian_greeks_pathwise_agree_with_finite_differences():
    kw = {"payoff": "asian_arithmetic", "n_steps": 12, "n_paths": 200_000, "seed": 4}
    pw = fastopt.mc_greeks(S, K, T, VOL, R, **kw)
    fd = fastopt.mc_greeks(S, K, T, VOL, R, method="finite_difference", **kw)
    assert pw.delta.method == "pathwise"
    for name in ("delta", "vega"):
        a, b = getattr(pw, name), getattr(fd, name)
        assert abs(a.value - b.value) <= 3 * math.hypot(a.stderr, b.stderr)


def test_terminal_log_returns_are_normal_ks():
    p = fastopt.simulate_gbm(S, T, VOL, R, n_paths=200_000, n_steps=8, seed=17)
    z = (np.log(p.spot[-1] / S) - (R - 0.5 * VOL**2) * T) / (VOL * math.sqrt(T))
    assert stats.kstest(z, "norm").pvalue > 0.01
    jumps = fastopt.simulate_merton(
        S,
        T,
        VOL,
        R,
        jump_intensity=1.0,
        jump_mean=-0.1,
        jump_vol=0.1,
        n_paths=200_000,
        n_steps=8,
        seed=17,
    )
    zj = np.log(jumps.spot[-1] / S)
    assert stats.kstest((zj - zj.mean()) / zj.std(), "norm").pvalue < 1e-6  # fat tails: not normal
    assert jumps.spot[-1].mean() == pytest.approx(S * math.exp(R * T), rel=4e-3)  # compensated


def test_correlated_paths_have_the_asked_correlation():
    corr = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]])
    p = fastopt.simulate_correlated_gbm(
        [100.0, 50.0, 20.0], 1.0, [0.2, 0.3, 0.4], corr, n_paths=200_000, n_steps=4, seed=6
    )
    lr = np.log(p.spot[-1] / p.spot[0])
    np.testing.assert_allclose(np.corrcoef(lr.T), corr, atol=0.01)
    np.testing.assert_allclose(lr.std(axis=0), [0.2, 0.3, 0.4], rtol=0.01)
