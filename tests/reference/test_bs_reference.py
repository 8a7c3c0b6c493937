"""Prices and Greeks against mpmath (tight oracle), QuantLib (independent) and Haug's tables."""

from __future__ import annotations

import numpy as np
import pytest

import fastopt
from tests.mp_oracle import bsm as mp_bsm
from tests.mp_oracle import bsm_price as mp_price

RNG = np.random.default_rng(7)
NAMES = ("price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm")


def _random_batch(n, *, model="bsm"):
    s = RNG.uniform(50, 150, n)
    k = RNG.uniform(50, 150, n)
    t = RNG.integers(1, 365 * 30, n) / 365.0
    v = RNG.uniform(0.01, 1.5, n) if model != "bachelier" else RNG.uniform(1.0, 60.0, n)
    r = RNG.uniform(-0.02, 0.08, n)
    q = RNG.uniform(0.0, 0.05, n) if model == "bsm" else np.zeros(n)
    c = RNG.random(n) < 0.5
    return s, k, t, v, r, q, c


@pytest.mark.parametrize("model", ["bsm", "black76", "bachelier"])
def test_price_matches_mpmath_to_1e12(model):
    s, k, t, v, r, q, c = _random_batch(400, model=model)
    got = fastopt.bs_price(s, k, t, v, r, q, c, model=model)
    ref = np.array([mp_price(*row, model=model) for row in zip(s, k, t, v, r, q, c, strict=True)])
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15 * s.max())


@pytest.mark.parametrize("model", ["bsm", "black76", "bachelier"])
def test_all_greeks_match_mpmath(model):
    s, k, t, v, r, q, c = _random_batch(40, model=model)
    g = fastopt.bs_greeks(s, k, t, v, r, q, c, model=model)
    ref = np.array([mp_bsm(*row, model=model) for row in zip(s, k, t, v, r, q, c, strict=True)])
    for j, name in enumerate(NAMES):
        got = getattr(g, name)
        scale = np.max(np.abs(ref[:, j]))
        np.testing.assert_allclose(got, ref[:, j], rtol=1e-10, atol=1e-13 * scale, err_msg=name)


def test_deep_otm_tiny_prices_keep_relative_accuracy():
    s = np.full(6, 100.0)
    k = np.array([200.0, 300.0, 400.0, 50.0, 30.0, 25.0])
    c = np.array([True, True, True, False, False, False])
    t, v = 0.5, 0.2
    got = fastopt.bs_price(s, k, t, v, 0.01, 0.0, c)
    ref = np.array([mp_price(100.0, kk, t, v, 0.01, 0.0, cc) for kk, cc in zip(k, c, strict=True)])
    assert np.all(ref < 1e-5)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-300)


# Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed.), worked examples.
# kind, spot, strike, t, vol, rate, div, model, quantity, value, decimals
HAUG = [
    ("call", 60.0, 65.0, 0.25, 0.30, 0.08, 0.00, "bsm", "price", 2.1334, 4),
    ("put", 100.0, 95.0, 0.50, 0.20, 0.10, 0.05, "bsm", "price", 2.4648, 4),
    ("put", 19.0, 19.0, 0.75, 0.28, 0.10, 0.00, "black76", "price", 1.7011, 4),
    ("call", 1.56, 1.60, 0.50, 0.12, 0.06, 0.08, "bsm", "price", 0.0291, 4),
    ("call", 105.0, 100.0, 0.50, 0.36, 0.10, 0.10, "bsm", "delta", 0.5946, 4),
    ("put", 105.0, 100.0, 0.50, 0.36, 0.10, 0.10, "bsm", "delta", -0.3566, 4),
    ("call", 55.0, 60.0, 0.75, 0.30, 0.10, 0.00, "bsm", "gamma", 0.0278, 4),
    ("put", 55.0, 60.0, 0.75, 0.30, 0.10, 0.00, "bsm", "gamma", 0.0278, 4),
    ("call", 55.0, 60.0, 0.75, 0.30, 0.10, 0.00, "bsm", "vega", 18.9358, 4),
    ("put", 430.0, 405.0, 1 / 12, 0.20, 0.07, 0.05, "bsm", "theta", -31.1924, 4),
    ("call", 72.0, 75.0, 1.0, 0.19, 0.09, 0.00, "bsm", "rho", 38.7325, 4),
    ("call", 100.0, 100.0, 1.0, 0.20, 0.05, 0.00, "bsm", "price", 10.450584, 6),
]


@pytest.mark.parametrize(
    ("kind", "s", "k", "t", "v", "r", "q", "model", "qty", "value", "dec"), HAUG
)
def test_haug_published_values(kind, s, k, t, v, r, q, model, qty, value, dec):
    g = fastopt.bs_greeks(s, k, t, v, r, q, kind, model=model)
    assert round(getattr(g, qty), dec) == value


def test_quantlib_cross_check_prices_and_first_order_greeks():
    ql = pytest.importorskip("QuantLib")
    today = ql.Date(15, 1, 2025)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    n = 300
    s = RNG.uniform(50, 150, n)
    k = RNG.uniform(50, 150, n)
    days = RNG.integers(4, 1096, n)
    v = RNG.uniform(0.05, 1.0, n)
    r = RNG.uniform(-0.01, 0.08, n)
    q = RNG.uniform(0.0, 0.04, n)
    c = RNG.random(n) < 0.5
    t = days / 365.0
    g = fastopt.bs_greeks(s, k, t, v, r, q, c)
    for i in range(n):
        spot = ql.QuoteHandle(ql.SimpleQuote(float(s[i])))
        rts = ql.YieldTermStructureHandle(ql.FlatForward(today, float(r[i]), dc))
        qts = ql.YieldTermStructureHandle(ql.FlatForward(today, float(q[i]), dc))
        vts = ql.BlackVolTermStructureHandle(
            ql.BlackConstantVol(today, ql.NullCalendar(), float(v[i]), dc)
        )
        proc = ql.BlackScholesMertonProcess(spot, qts, rts, vts)
        opt = ql.EuropeanOption(
            ql.PlainVanillaPayoff(ql.Option.Call if c[i] else ql.Option.Put, float(k[i])),
            ql.EuropeanExercise(today + int(days[i])),
        )
        opt.setPricingEngine(ql.AnalyticEuropeanEngine(proc))
        ref = {
            "price": opt.NPV(),
            "delta": opt.delta(),
            "gamma": opt.gamma(),
            "vega": opt.vega(),
            "theta": opt.theta(),
            "rho": opt.rho(),
        }
        for name, value in ref.items():
            got = getattr(g, name)[i]
            # QuantLib is good to ~6e-7 relative on tiny prices (its own error)
            assert abs(got - value) <= 1e-6 * abs(value) + 1e-9 * s[i], (i, name, got, value)
