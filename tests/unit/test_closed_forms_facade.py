"""Facade of the closed forms: QuantLib and Monte Carlo cross-checks, shapes, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import fastopt
from fastopt import closed_forms as cf
from fastopt.kernels._jit import DISABLE_JIT

ql = pytest.importorskip("QuantLib")

N_MC = 200_000 if DISABLE_JIT else 1_000_000  # NumPy MC: cheap either way


def _ql_setup(spot, rate, div, vol, days):
    """QuantLib BSM process on Actual/360 so that ``days`` maps to t = days / 360 exactly."""
    today = ql.Date(2, 1, 2024)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual360()
    proc = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(spot)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, div, dc)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, rate, dc)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), vol, dc)),
    )
    return today, proc


# --------------------------------------------------------------------------- geometric Asian


@pytest.mark.parametrize(
    ("strike", "kind", "n_fix", "rate", "div", "vol"),
    [
        (100.0, "call", 12, 0.05, 0.0, 0.2),
        (95.0, "put", 4, 0.03, 0.02, 0.35),
        (110.0, "call", 360, 0.0, 0.01, 0.25),
    ],
)
def test_geometric_asian_vs_quantlib_discrete_engine(strike, kind, n_fix, rate, div, vol):
    days = 360
    today, proc = _ql_setup(100.0, rate, div, vol, days)
    step = days // n_fix
    fixings = [today + step * i for i in range(1, n_fix + 1)]
    opt_type = ql.Option.Call if kind == "call" else ql.Option.Put
    option = ql.DiscreteAveragingAsianOption(
        ql.Average.Geometric,
        1.0,
        0,
        fixings,
        ql.PlainVanillaPayoff(opt_type, strike),
        ql.EuropeanExercise(today + days),
    )
    option.setPricingEngine(ql.AnalyticDiscreteGeometricAveragePriceAsianEngine(proc))
    got = cf.geometric_asian_price(100.0, strike, 1.0, vol, rate, div, kind, n_fixings=n_fix)
    assert isinstance(got, float)
    assert_allclose(got, option.NPV(), rtol=1e-10)


def test_geometric_asian_continuous_vs_quantlib():
    today, proc = _ql_setup(100.0, 0.04, 0.01, 0.3, 360)
    option = ql.ContinuousAveragingAsianOption(
        ql.Average.Geometric,
        ql.PlainVanillaPayoff(ql.Option.Call, 100.0),
        ql.EuropeanExercise(today + 360),
    )
    option.setPricingEngine(ql.AnalyticContinuousGeometricAveragePriceAsianEngine(proc))
    got = cf.geometric_asian_price(100.0, 100.0, 1.0, 0.3, 0.04, 0.01, n_fixings=None)
    assert_allclose(got, option.NPV(), rtol=1e-10)


def test_geometric_asian_vs_seeded_monte_carlo():
    spot, strike, t, vol, rate, div, n_fix = 100.0, 100.0, 1.0, 0.25, 0.03, 0.01, 12
    rng = np.random.default_rng(20240101)
    dt = t / n_fix
    z = rng.standard_normal((N_MC, n_fix))
    log_s = np.log(spot) + np.cumsum((rate - div - 0.5 * vol**2) * dt + vol * math.sqrt(dt) * z, 1)
    payoff = math.exp(-rate * t) * np.maximum(np.exp(log_s.mean(axis=1)) - strike, 0.0)
    est, se = payoff.mean(), payoff.std(ddof=1) / math.sqrt(N_MC)
    got = cf.geometric_asian_price(spot, strike, t, vol, rate, div, n_fixings=n_fix)
    assert abs(got - est) < 4 * se


def test_geometric_asian_one_fixing_equals_bs_and_broadcasts():
    k = np.array([[90.0], [100.0], [110.0]])
    got = cf.geometric_asian_price(100.0, k, [0.5, 1.0], 0.2, 0.05, 0.01, "put", n_fixings=1)
    assert got.shape == (3, 2)
    assert_allclose(got, fastopt.bs_price(100.0, k, [0.5, 1.0], 0.2, 0.05, 0.01, "put"), rtol=1e-12)


# --------------------------------------------------------------------------- Margrabe


@pytest.mark.parametrize(
    ("s1", "s2", "v1", "v2", "rho", "q1", "q2"),
    [
        (100.0, 95.0, 0.3, 0.2, 0.5, 0.0, 0.0),
        (100.0, 110.0, 0.25, 0.4, -0.3, 0.02, 0.01),
        (80.0, 80.0, 0.2, 0.2, 0.95, 0.0, 0.04),
    ],
)
def test_margrabe_vs_quantlib(s1, s2, v1, v2, rho, q1, q2):
    today, p1 = _ql_setup(s1, 0.05, q1, v1, 360)
    _, p2 = _ql_setup(s2, 0.05, q2, v2, 360)
    option = ql.MargrabeOption(1, 1, ql.EuropeanExercise(today + 360))
    option.setPricingEngine(ql.AnalyticEuropeanMargrabeEngine(p1, p2, rho))
    got = cf.margrabe_price(s1, s2, 1.0, v1, v2, rho, q1, q2)
    assert isinstance(got, float)
    assert_allclose(got, option.NPV(), rtol=1e-10)


def test_margrabe_vs_seeded_monte_carlo():
    s1, s2, t, v1, v2, rho, q1, q2, r = 100.0, 95.0, 1.0, 0.3, 0.2, 0.5, 0.01, 0.02, 0.04
    rng = np.random.default_rng(7)
    z1 = rng.standard_normal(N_MC)
    z2 = rho * z1 + math.sqrt(1 - rho * rho) * rng.standard_normal(N_MC)
    st1 = s1 * np.exp((r - q1 - 0.5 * v1 * v1) * t + v1 * math.sqrt(t) * z1)
    st2 = s2 * np.exp((r - q2 - 0.5 * v2 * v2) * t + v2 * math.sqrt(t) * z2)
    payoff = math.exp(-r * t) * np.maximum(st1 - st2, 0.0)
    est, se = payoff.mean(), payoff.std(ddof=1) / math.sqrt(N_MC)
    assert abs(cf.margrabe_price(s1, s2, t, v1, v2, rho, q1, q2) - est) < 4 * se


def test_margrabe_array_and_limits():
    rho = np.linspace(-1.0, 1.0, 5)
    got = cf.margrabe_price(100.0, 95.0, 1.0, 0.3, 0.2, rho)
    assert got.shape == (5,)
    assert np.all(np.diff(got) < 0)  # more correlation, less exchange optionality
    assert cf.margrabe_price(100.0, 95.0, 0.0, 0.3, 0.2, 0.5) == 5.0  # expiry: intrinsic


# --------------------------------------------------------------------------- Merton


def test_merton_vs_quantlib_bates_without_stochastic_vol():
    """Bates with a (nearly) constant variance is Merton's model: QuantLib's analytic engine."""
    today = ql.Date(2, 1, 2024)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual360()
    rate, div, vol, lam, mu, dj = 0.04, 0.01, 0.2, 1.5, -0.1, 0.2
    proc = ql.BatesProcess(
        ql.YieldTermStructureHandle(ql.FlatForward(today, rate, dc)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, div, dc)),
        ql.QuoteHandle(ql.SimpleQuote(100.0)),
        vol * vol,  # v0
        1.0,  # kappa
        vol * vol,  # theta
        1e-4,  # vol of variance (QuantLib needs > 0)
        0.0,
        lam,
        mu,
        dj,
    )
    engine = ql.BatesEngine(ql.BatesModel(proc), 1e-12, 100_000)
    for strike, kind in ((90.0, "put"), (100.0, "call"), (120.0, "call")):
        opt_type = ql.Option.Call if kind == "call" else ql.Option.Put
        option = ql.VanillaOption(
            ql.PlainVanillaPayoff(opt_type, strike), ql.EuropeanExercise(today + 360)
        )
        option.setPricingEngine(engine)
        got = cf.merton_jump_price(
            100.0,
            strike,
            1.0,
            vol,
            rate,
            div,
            kind,
            jump_intensity=lam,
            jump_mean=mu,
            jump_vol=dj,
        )
        assert_allclose(got, option.NPV(), rtol=2e-6)


def test_merton_vs_seeded_monte_carlo_and_limits():
    s, k, t, v, r, q, lam, mu, dj = 100.0, 100.0, 1.0, 0.2, 0.05, 0.0, 1.0, -0.1, 0.15
    rng = np.random.default_rng(11)
    kappa = math.exp(mu + 0.5 * dj * dj) - 1.0
    n_jumps = rng.poisson(lam * t, N_MC)
    log_st = (
        math.log(s)
        + (r - q - lam * kappa - 0.5 * v * v) * t
        + v * math.sqrt(t) * rng.standard_normal(N_MC)
        + n_jumps * mu
        + np.sqrt(n_jumps) * dj * rng.standard_normal(N_MC)
    )
    payoff = math.exp(-r * t) * np.maximum(np.exp(log_st) - k, 0.0)
    est, se = payoff.mean(), payoff.std(ddof=1) / math.sqrt(N_MC)
    kw = {"jump_intensity": lam, "jump_mean": mu, "jump_vol": dj}
    got = cf.merton_jump_price(s, k, t, v, r, q, **kw)
    assert abs(got - est) < 4 * se
    assert cf.merton_jump_price(s, k, t, v, r, q, **kw, n_terms=60) == pytest.approx(got, 1e-15)
    no_jumps = cf.merton_jump_price(s, k, t, v, r, q, jump_intensity=0.0, jump_mean=mu, jump_vol=dj)
    assert no_jumps == fastopt.bs_price(s, k, t, v, r, q)
    strikes = np.array([80.0, 100.0, 120.0])
    c = cf.merton_jump_price(s, strikes, t, v, r, q, "call", **kw)
    p = cf.merton_jump_price(s, strikes, t, v, r, q, "put", **kw)
    assert_allclose(c - p, s * math.exp(-q * t) - strikes * math.exp(-r * t), rtol=1e-12)
    # jump parameters broadcast too
    lams = cf.merton_jump_price(
        s, k, t, v, r, q, jump_intensity=[0.0, 1.0], jump_mean=mu, jump_vol=dj
    )
    assert_allclose(lams, [no_jumps, got], rtol=1e-15)


# --------------------------------------------------------------------------- validation


MERTON_KW = {"jump_intensity": 1.0, "jump_mean": -0.1, "jump_vol": 0.15}
M, G, X = cf.merton_jump_price, cf.geometric_asian_price, cf.margrabe_price
BAD_INPUT = [
    (M, (100, 100, 1, 0.2), {**MERTON_KW, "jump_intensity": -1.0}, ValueError, "jump_intensity"),
    (M, (100, 100, 1, 0.2), {**MERTON_KW, "jump_vol": -0.1}, ValueError, "jump_vol"),
    (M, (100, 100, 1, 0.2), {**MERTON_KW, "jump_mean": math.nan}, ValueError, "jump_mean"),
    (M, (100, 100, 1, 0.2), {**MERTON_KW, "n_terms": 0}, ValueError, "n_terms"),
    (M, (100, 100, 1, 0.2), {**MERTON_KW, "n_terms": 2.5}, TypeError, "n_terms"),
    (M, (-1, 100, 1, 0.2), MERTON_KW, ValueError, "spot"),
    (M, (100, 100, 1, 0.2), {**MERTON_KW, "kind": "straddle"}, ValueError, "kind"),
    (G, (100, 100, 1, 0.2), {"n_fixings": 0}, ValueError, "n_fixings"),
    (G, (100, 100, 1, 0.2), {"n_fixings": True}, TypeError, "n_fixings"),
    (G, (100, 100, -1, 0.2), {"n_fixings": 4}, ValueError, "`t`"),
    (G, (100, "x", 1, 0.2), {"n_fixings": 4}, TypeError, "strike"),
    (X, (100, 95, 1, 0.3, 0.2, 1.5), {}, ValueError, "corr"),
    (X, (100, 0, 1, 0.3, 0.2, 0.5), {}, ValueError, "spot2"),
    (X, (100, 95, 1, -0.3, 0.2, 0.5), {}, ValueError, "vol1"),
    (X, (100, 95, 1, 0.3, 0.2, 0.5), {"div2": math.inf}, ValueError, "div2"),
    (X, ([100, 90], [95, 90, 85], 1, 0.3, 0.2, 0.5), {}, ValueError, "spot1"),
]


@pytest.mark.parametrize(("fn", "args", "kwargs", "exc", "match"), BAD_INPUT)
def test_bad_input_names_the_argument(fn, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)
