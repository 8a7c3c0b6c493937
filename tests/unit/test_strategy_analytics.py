"""Strategy analytics against closed forms, quadrature, brute-force grids and MC."""

from __future__ import annotations

import datetime as dt
import math

import numba
import numpy as np
import pytest
from scipy import integrate, stats

import fastopt
from fastopt.strategies.analytics import (
    analyze,
    prob_reach_profit,
    prob_touch,
    scenario_grid,
    strategy_greeks,
)
from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy, year_fraction

ASOF = dt.date(2024, 1, 2)
JIT = not numba.config.DISABLE_JIT  # the coverage run executes kernels as Python: smaller sizes


def optionlab_condor(year_basis: int) -> Strategy:
    # optionlab 1.9.1 documentation example, measured in research/strategy.md section 1.2
    exp = dt.date(2024, 2, 13) if year_basis == 252 else dt.date(2024, 2, 1)  # 30 days either way
    legs = [
        Leg("put", 1, 150.0, exp, premium=2.00),
        Leg("put", -1, 160.0, exp, premium=4.50),
        Leg("call", -1, 180.0, exp, premium=4.00),
        Leg("call", 1, 190.0, exp, premium=1.60),
    ]
    return Strategy(legs, spot=168.99, vol=0.483, rate=0.045, asof=ASOF, year_basis=year_basis)


def lognormal(s: Strategy, h: float) -> stats.rv_continuous:
    sd = s.vol * math.sqrt(h)
    m = math.log(s.spot) + (s.rate - s.div - 0.5 * s.vol**2) * h
    return stats.lognorm(s=sd, scale=math.exp(m))


def intrinsic_pnl(s: Strategy, x: np.ndarray) -> np.ndarray:
    """P&L at a common expiry written independently of the kernels."""
    x = np.asarray(x, dtype=float)
    total = np.full_like(x, -s.cost)
    for leg in s.legs:
        if leg.kind == "stock":
            total += leg.units * x
        elif leg.kind == "call":
            total += leg.units * np.maximum(x - leg.strike, 0.0)
        else:
            total += leg.units * np.maximum(leg.strike - x, 0.0)
    return total


def test_optionlab_parity_252_business_days():
    a = optionlab_condor(252).analyze()
    assert a.exact
    assert a.pop == pytest.approx(0.4013, abs=5e-5)
    assert a.breakevens == pytest.approx((155.10, 184.90), abs=1e-9)
    assert a.expected_profit == pytest.approx(414.06, abs=0.005)
    assert a.expected_loss == pytest.approx(-457.95, abs=0.005)
    assert (a.max_profit, a.max_loss, a.cost) == (490.0, -510.0, -490.0)


def test_year_basis_moves_pop_by_points():
    # research: the same 30 days read as 30/365 give 0.4736 instead of 0.4013
    assert optionlab_condor(365).pop() == pytest.approx(0.4736, abs=5e-5)
    assert year_fraction(ASOF, dt.date(2024, 2, 13), 252) == 30 / 252
    assert year_fraction(ASOF, dt.date(2024, 2, 1), 365) == 30 / 365


@pytest.mark.parametrize("basis", [365, 252])
def test_expiry_pop_and_ev_match_quadrature(basis):
    s = optionlab_condor(basis)
    a = s.analyze()
    dist = lognormal(s, s.horizon)
    kinks = [150.0, 160.0, 180.0, 190.0, *a.breakevens]
    pdf_pnl = lambda x: intrinsic_pnl(s, np.array([x]))[0] * dist.pdf(x)  # noqa: E731
    ev = sum(
        integrate.quad(pdf_pnl, lo, hi, epsabs=1e-10)[0]
        for lo, hi in zip([1e-9, *sorted(kinks)], [*sorted(kinks), 5000.0], strict=True)
    )
    assert a.expected_value == pytest.approx(ev, rel=1e-7, abs=1e-6)
    lo, hi = 160.0 - (4.9 - 1e-4), 180.0 + (4.9 - 1e-4)  # P&L >= $0.01 on 100 shares
    assert a.pop == pytest.approx(dist.cdf(hi) - dist.cdf(lo), abs=1e-10)


def test_expiry_pop_matches_monte_carlo():
    s = optionlab_condor(365)
    h = s.horizon
    paths = fastopt.simulate_gbm(s.spot, h, s.vol, s.rate, n_paths=400_000, seed=11)
    pnl = intrinsic_pnl(s, paths.spot[-1])
    p = float((pnl >= 0.01).mean())
    se = math.sqrt(p * (1 - p) / pnl.size)
    a = s.analyze()
    assert abs(a.pop - p) < 3 * se
    ev_se = pnl.std() / math.sqrt(pnl.size)
    assert abs(a.expected_value - pnl.mean()) < 3 * ev_se


def test_breakevens_match_brute_force_grid():
    exp = dt.date(2024, 3, 15)
    s = Strategy(
        [
            Leg("call", 1, 95.0, exp, premium=7.0),
            Leg("call", -3, 100.0, exp, premium=3.9),
            Leg("call", 2, 105.0, exp, premium=1.8),
        ],
        spot=100.0,
        vol=0.25,
        asof=ASOF,
    )
    x = np.linspace(1.0, 300.0, 2_000_001)
    f = intrinsic_pnl(s, x)
    sign = f >= 0.0
    idx = np.flatnonzero(sign[1:] != sign[:-1])
    brute = x[idx]
    be = np.array(s.breakevens)
    assert be.shape == brute.shape
    np.testing.assert_allclose(be, brute, atol=2 * (x[1] - x[0]))
    np.testing.assert_allclose(intrinsic_pnl(s, be), 0.0, atol=1e-9)
    kinks = intrinsic_pnl(s, np.array([95.0, 100.0, 105.0, 1e6]))
    assert s.max_profit == pytest.approx(max(f.max(), kinks.max()), abs=1e-9)
    assert s.max_loss == pytest.approx(min(f.min(), kinks.min()), abs=1e-9)  # slope beyond is 0


def test_unlimited_profit_and_loss_detected_from_slopes():
    exp = dt.date(2024, 2, 16)
    naked_call = Strategy([Leg("call", -1, 110.0, exp, premium=1.5)], spot=100.0, asof=ASOF)
    assert naked_call.max_loss == -math.inf
    assert naked_call.max_profit == pytest.approx(150.0)
    long_call = Strategy([Leg("call", 2, 110.0, exp, premium=1.5)], spot=100.0, asof=ASOF)
    assert long_call.max_profit == math.inf
    assert long_call.max_loss == pytest.approx(-300.0)
    short_put = Strategy([Leg("put", -1, 90.0, exp, premium=1.0)], spot=100.0, asof=ASOF)
    assert short_put.max_loss == pytest.approx(-(90.0 - 1.0) * 100)
    covered = Strategy(
        [Leg("stock", 100, premium=100.0), Leg("call", -1, 105.0, exp, premium=2.0)],
        spot=100.0,
        asof=ASOF,
    )
    assert covered.max_profit == pytest.approx((105.0 - 100.0 + 2.0) * 100)
    assert covered.max_loss == pytest.approx(-(100.0 - 2.0) * 100)
    assert covered.breakevens == pytest.approx((98.0,))
    # a ratio backspread: unlimited upside, finite loss at the long strike
    back = Strategy(
        [Leg("call", -1, 100.0, exp, premium=4.0), Leg("call", 2, 110.0, exp, premium=1.0)],
        spot=100.0,
        asof=ASOF,
    )
    assert back.max_profit == math.inf
    assert back.max_loss == pytest.approx((-10.0 + 2.0) * 100)


def test_payoff_scalar_and_array_and_expiry_limit():
    s = optionlab_condor(365)
    assert isinstance(s.payoff(170.0), float)
    grid = np.array([[140.0, 155.1], [170.0, 200.0]])
    np.testing.assert_allclose(s.payoff(grid), intrinsic_pnl(s, grid.ravel()).reshape(2, 2))
    # just before expiry the BS value converges to the payoff
    near = s.pnl(grid, at=s.horizon - 1e-9)
    np.testing.assert_allclose(near, s.payoff(grid), atol=1e-3)


def test_fair_premiums_give_zero_risk_neutral_ev():
    exp = dt.date(2024, 3, 1)
    s = Strategy(
        [Leg("put", -2, 95.0, exp), Leg("call", 1, 110.0, exp), Leg("call", -1, 120.0, exp)],
        spot=100.0,
        vol=0.3,
        rate=0.04,
        div=0.01,
        asof=ASOF,
    )
    # E[value at h] = value now carried at the rate, so E[P&L] = cost (e^{rh} - 1)
    for h in (s.horizon, s.horizon / 2, 0.0):
        expected = s.cost * (math.exp(s.rate * h) - 1.0)
        assert s.analyze(h).expected_value == pytest.approx(expected, abs=1e-6)


def test_pre_expiry_analysis_against_brute_force_and_quadrature():
    s = optionlab_condor(365)
    h = s.horizon / 2
    a = s.analyze(at=h)
    assert not a.exact
    x = np.geomspace(20.0, 2000.0, 400_001 if JIT else 40_001)
    f = s.pnl(x, at=h)
    sign = f >= 0.0
    brute = x[np.flatnonzero(sign[1:] != sign[:-1])]
    np.testing.assert_allclose(a.breakevens, brute, rtol=2e-5 if JIT else 2e-4)
    np.testing.assert_allclose(s.pnl(np.array(a.breakevens), at=h), 0.0, atol=1e-8)
    assert a.max_profit == pytest.approx(f.max(), rel=1e-6 if JIT else 1e-4)
    assert a.max_loss == pytest.approx(f.min(), rel=1e-6 if JIT else 1e-4)
    dist = lognormal(s, h)
    prof = list(brute)
    # the $0.01 threshold moves the profit interval by a negligible amount here
    assert a.pop == pytest.approx(float(dist.cdf(prof[1]) - dist.cdf(prof[0])), abs=2e-4)
    exact_zero = analyze(s, at=h, threshold=0.0)
    brute_pop = float(dist.cdf(prof[1]) - dist.cdf(prof[0]))
    assert exact_zero.pop == pytest.approx(brute_pop, abs=1e-5 if JIT else 1e-4)
    ev = integrate.quad(lambda y: s.pnl(y, at=h) * dist.pdf(y), 1.0, 1000.0, limit=200)[0]
    assert a.expected_value == pytest.approx(ev, rel=1e-6)
    ep = integrate.quad(lambda y: s.pnl(y, at=h) * dist.pdf(y), prof[0], prof[1], limit=200)[0]
    assert a.expected_profit == pytest.approx(ep / a.pop, rel=1e-3)


def test_pre_expiry_close_to_expiry_converges_to_exact():
    s = optionlab_condor(365)
    exact = s.analyze()
    near = s.analyze(at=s.horizon * (1 - 1e-7))
    assert near.pop == pytest.approx(exact.pop, abs=1e-4)
    np.testing.assert_allclose(near.breakevens, exact.breakevens, rtol=1e-4)
    assert near.max_profit == pytest.approx(exact.max_profit, rel=1e-4)


def test_calendar_at_front_expiry():
    near, far = dt.date(2024, 2, 16), dt.date(2024, 3, 15)
    cal = Strategy(
        [Leg("call", -1, 100.0, near), Leg("call", 1, 100.0, far)],
        spot=100.0,
        vol=0.25,
        asof=ASOF,
    )
    assert not cal.is_single_expiry
    assert cal.first_expiry == near
    a = cal.analyze()
    assert not a.exact
    assert cal.cost > 0  # a debit
    x = np.geomspace(30.0, 300.0, 200_001)
    f = cal.payoff(x)
    sign = f >= 0.0
    brute = x[np.flatnonzero(sign[1:] != sign[:-1])]
    assert len(a.breakevens) == 2
    np.testing.assert_allclose(a.breakevens, brute, rtol=2e-5)
    assert a.max_loss == pytest.approx(-cal.cost, rel=1e-3)  # far from the strike
    assert a.max_profit == pytest.approx(max(f.max(), cal.payoff(100.0)), rel=1e-12)
    dist = lognormal(cal, cal.horizon)
    ev = integrate.quad(
        lambda y: cal.payoff(y) * dist.pdf(y), 10.0, 400.0, points=[100.0], limit=200
    )
    assert a.expected_value == pytest.approx(ev[0], rel=1e-6, abs=1e-6)


def test_custom_vol_and_drift_change_probabilities():
    s = optionlab_condor(365)
    base = s.analyze()
    assert s.analyze(vol=0.2).pop > base.pop  # tighter distribution, more inside the tent
    up = s.analyze(drift=2.0).pop
    assert up < base.pop


def test_strategy_greeks_sum_of_legs_and_parity():
    exp = dt.date(2024, 3, 1)
    h = (exp - ASOF).days / 365
    synth = Strategy(
        [Leg("call", 1, 100.0, exp), Leg("put", -1, 100.0, exp)],
        spot=100.0,
        vol=0.3,
        rate=0.03,
        div=0.02,
        asof=ASOF,
    )
    g = synth.greeks()
    assert g.delta == pytest.approx(100 * math.exp(-0.02 * h), rel=1e-12)
    assert g.gamma == pytest.approx(0.0, abs=1e-10)
    assert g.vega == pytest.approx(0.0, abs=1e-8)
    c = fastopt.bs_greeks(100.0, 100.0, h, 0.3, 0.03, 0.02, "call")
    p = fastopt.bs_greeks(100.0, 100.0, h, 0.3, 0.03, 0.02, "put")
    assert g.theta == pytest.approx(100 * (c.theta - p.theta), rel=1e-12)
    assert g.price == pytest.approx(100 * (c.price - p.price), rel=1e-12)
    share = synth.greeks(per="share")
    assert share.delta == pytest.approx(g.delta / 100)
    spots = np.array([90.0, 100.0, 110.0])
    arr = strategy_greeks(synth, spots)
    assert arr.delta.shape == (3,)
    stock = Strategy([Leg("stock", 100)], spot=50.0, vol=0.2, asof=ASOF)
    sg = stock.greeks(spots)
    np.testing.assert_allclose(sg.delta, 100.0)
    np.testing.assert_allclose(sg.price, 100 * spots)


def test_scenario_grid_matches_repricing():
    exp = dt.date(2024, 2, 16)
    s = Strategy([Leg("put", -1, 100.0, exp)], spot=100.0, vol=0.2, asof=ASOF)
    g = scenario_grid(s, [-0.1, 0.0, 0.1], [0.0, 0.1])
    assert g.shape == (2, 4)
    assert g["+0.0%"][0] == pytest.approx(0.0, abs=1e-9)
    h = (exp - ASOF).days / 365
    repriced = -100 * (fastopt.bs_price(90.0, 100.0, h, 0.3, kind="put") - s.legs[0].premium)
    assert g["-10.0%"][1] == pytest.approx(repriced, rel=1e-12)


def test_prob_touch_reflection_principle_and_mc():
    exp = dt.date(2024, 2, 16)
    s = Strategy([Leg("call", -1, 110.0, exp)], spot=100.0, vol=0.25, asof=ASOF)
    h = s.horizon
    sd = 0.25 * math.sqrt(h)
    # zero drift of the log price: P(touch) = 2 P(finish beyond)
    for lvl in (110.0, 92.0):
        p = prob_touch(s, lvl, drift=0.5 * 0.25**2)
        assert p == pytest.approx(2 * stats.norm.cdf(-abs(math.log(lvl / 100.0)) / sd), rel=1e-12)
    assert prob_touch(s, 100.0) == 1.0
    got = prob_touch(s, 110.0, drift=0.05)
    if JIT:  # 40M path steps
        paths = fastopt.simulate_gbm(100.0, h, 0.25, 0.05, n_paths=20_000, n_steps=2_000, seed=5)
        hit = (paths.spot.max(axis=0) >= 110.0).mean()
        assert got == pytest.approx(hit, abs=0.012)  # discrete monitoring touches slightly less
        assert got > hit


def test_prob_reach_profit_matches_independent_path_evaluation():
    exp = dt.date(2024, 2, 16)
    s = Strategy([Leg("put", -1, 95.0, exp)], spot=100.0, vol=0.2, asof=ASOF)
    est = prob_reach_profit(s, 0.5, n_paths=4_000, seed=3)
    goal = 0.5 * s.max_profit
    paths = fastopt.simulate_gbm(
        100.0, s.horizon, 0.2, 0.0, n_paths=4_000, n_steps=math.ceil(s.horizon * 252), seed=3
    )
    hits = np.zeros(4_000, dtype=bool)
    for i, t in enumerate(paths.times[1:], start=1):
        hits |= s.pnl(paths.spot[i], at=float(t)) >= goal
    assert est.value == pytest.approx(hits.mean(), abs=1e-12)
    assert prob_reach_profit(s, target=-1e9, n_paths=100, seed=1).value == 1.0
    assert prob_reach_profit(s, 0.9, n_paths=4_000, seed=3).value < est.value


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        (
            {"kind": "straddle", "quantity": 1, "strike": 1.0, "expiry": "2025-01-01"},
            ValueError,
            "kind",
        ),
        (
            {"kind": "call", "quantity": 0, "strike": 1.0, "expiry": "2025-01-01"},
            ValueError,
            "quantity",
        ),
        (
            {"kind": "call", "quantity": 1.5, "strike": 1.0, "expiry": "2025-01-01"},
            ValueError,
            "whole",
        ),
        (
            {"kind": "call", "quantity": 1, "strike": -1.0, "expiry": "2025-01-01"},
            ValueError,
            "strike",
        ),
        ({"kind": "put", "quantity": 1, "strike": 90.0}, ValueError, "expiry"),
        ({"kind": "put", "quantity": 1, "strike": 90.0, "expiry": "21/03/2025"}, ValueError, "ISO"),
        (
            {"kind": "put", "quantity": 1, "strike": 90.0, "expiry": "2025-03-21", "premium": -1.0},
            ValueError,
            "premium",
        ),
        (
            {"kind": "put", "quantity": 1, "strike": "90", "expiry": "2025-03-21"},
            TypeError,
            "strike",
        ),
        ({"kind": "stock", "quantity": 100, "strike": 90.0}, ValueError, "stock"),
        (
            {"kind": "put", "quantity": 1, "strike": 90.0, "expiry": "2025-03-21", "iv": 0.0},
            ValueError,
            "iv",
        ),
    ],
)
def test_bad_legs(kwargs, err, match):
    with pytest.raises(err, match=match):
        Leg(**kwargs)


def test_bad_strategies_and_arguments():
    exp = dt.date(2024, 2, 16)
    leg = Leg("put", -1, 95.0, exp)
    with pytest.raises(ValueError, match="at least one"):
        Strategy([], spot=100.0)
    with pytest.raises(ValueError, match="spot"):
        Strategy([leg], spot=-1.0, vol=0.2, asof=ASOF)
    with pytest.raises(ValueError, match="no `premium`"):
        Strategy([leg], spot=100.0, asof=ASOF)
    priced = Strategy([Leg("put", -1, 95.0, exp, premium=1.0)], spot=100.0, asof=ASOF)
    assert priced.max_loss == -9400.0  # expiry analytics need no vol ...
    with pytest.raises(ValueError, match="needs a vol"):
        priced.pnl(100.0, at=0.0)  # ... valuing before expiry does
    with pytest.raises(ValueError, match="volatility"):
        priced.pop()
    with pytest.raises(ValueError, match="expired"):
        Strategy([leg], spot=100.0, vol=0.2, asof="2024-03-01")
    with pytest.raises(ValueError, match="year_basis"):
        Strategy([leg], spot=100.0, vol=0.2, asof=ASOF, year_basis=360)
    with pytest.raises(TypeError, match="Leg"):
        Strategy(["-1 P 95"], spot=100.0)  # type: ignore[list-item]
    s = Strategy([leg], spot=100.0, vol=0.2, asof=ASOF)
    with pytest.raises(ValueError, match="before"):
        s.pnl(100.0, at="2023-12-01")
    with pytest.raises(ValueError, match="spots"):
        s.payoff([100.0, -5.0])
    with pytest.raises(TypeError, match="`at`"):
        s.analyze(at=[1.0])
    with pytest.raises(ValueError, match="`at`"):
        s.analyze(at=-0.1)
    with pytest.raises(ValueError, match="vol"):
        s.analyze(vol=-0.2)
    with pytest.raises(ValueError, match="per"):
        s.greeks(per="contract")
    with pytest.raises(ValueError, match="spot_moves"):
        scenario_grid(s, [-1.5], [0.0])
    with pytest.raises(ValueError, match="non-positive"):
        scenario_grid(s, [0.0], [-0.5])
    with pytest.raises(ValueError, match="target"):
        prob_reach_profit(Strategy([Leg("call", 1, 100.0, exp)], spot=100.0, vol=0.2, asof=ASOF))


def test_filled_premiums_are_theoretical_values():
    exp = dt.date(2024, 2, 16)
    s = Strategy(
        [Leg("call", 1, 105.0, exp, iv=0.3), Leg("stock", -100)], spot=100.0, asof=ASOF, rate=0.02
    )
    h = (exp - ASOF).days / 365
    assert s.legs[0].premium == pytest.approx(
        fastopt.bs_price(100.0, 105.0, h, 0.3, 0.02), rel=1e-14
    )
    assert s.legs[1].premium == 100.0
    assert s.cost == pytest.approx(100 * s.legs[0].premium - 100 * 100.0)
