"""Hypothesis properties of multi-leg strategies."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy

ASOF = dt.date(2025, 1, 6)
vols = st.floats(0.05, 1.5)
days = st.integers(1, 400)
spot = st.floats(20.0, 500.0)


@given(spot, vols, days, st.floats(0.5, 1.0), st.floats(1.0, 1.5), st.floats(-0.02, 0.08))
def test_long_butterfly_never_loses_more_than_its_debit(s0, vol, d, lo, hi, rate):
    exp = ASOF + dt.timedelta(days=d)
    k1, k3 = s0 * lo, s0 * hi
    k2 = 0.5 * (k1 + k3)
    fly = Strategy(
        [Leg("call", 1, k1, exp), Leg("call", -2, k2, exp), Leg("call", 1, k3, exp)],
        spot=s0,
        vol=vol,
        rate=rate,
        asof=ASOF,
    )
    debit = fly.cost
    assert debit >= -1e-9
    a = fly.analyze()
    assert a.max_loss == pytest.approx(-debit, abs=1e-9 * s0 * 100)
    grid = np.linspace(0.01, 3 * s0, 2001)
    assert fly.payoff(grid).min() >= -debit - 1e-9 * s0 * 100
    assert fly.pnl(grid, at=0.5 * fly.horizon).min() >= -debit - 1e-6 * s0 * 100
    assert a.max_profit == pytest.approx((k2 - k1) * 100 - debit, rel=1e-9, abs=1e-9)
    assert 0.0 <= a.pop <= 1.0


@given(spot, vols, days, st.floats(0.6, 1.4), st.floats(-0.02, 0.08), st.floats(0.0, 0.05))
def test_synthetic_forward_payoff_is_linear_and_pop_matches_one_breakeven(s0, vol, d, m, r, q):
    exp = ASOF + dt.timedelta(days=d)
    k = s0 * m
    syn = Strategy(
        [Leg("call", 1, k, exp), Leg("put", -1, k, exp)],
        spot=s0,
        vol=vol,
        rate=r,
        div=q,
        asof=ASOF,
    )
    x = np.linspace(0.1 * s0, 3 * s0, 101)
    np.testing.assert_allclose(syn.payoff(x), 100 * (x - k) - syn.cost, atol=1e-9 * s0 * 100)
    a = syn.analyze()
    assert a.max_profit == np.inf
    assert a.max_loss == pytest.approx(-(100 * k + syn.cost))
    (be,) = a.breakevens
    assert be == pytest.approx(k + syn.cost / 100, rel=1e-12)
    # fair premiums: the risk-neutral expected P&L is the cost carried at the rate
    h = syn.horizon
    assert a.expected_value == pytest.approx(syn.cost * (np.exp(r * h) - 1), abs=1e-7 * s0 * 100)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["call", "put"]),
            st.integers(-3, 3).filter(bool),
            st.floats(0.5, 1.5),
            st.floats(0.0, 20.0),
        ),
        min_size=1,
        max_size=6,
    ),
    vols,
    days,
)
def test_analysis_is_consistent_with_its_own_payoff(legs, vol, d):
    s0 = 100.0
    exp = ASOF + dt.timedelta(days=d)
    s = Strategy(
        [Leg(k, q, s0 * m, exp, premium=p) for k, q, m, p in legs],
        spot=s0,
        vol=vol,
        asof=ASOF,
    )
    a = s.analyze()
    assert 0.0 <= a.pop <= 1.0
    be = np.array(a.breakevens)
    scale = 100 * sum(abs(q) for _, q, _, _ in legs) * s0  # dollars at stake: rounding scale
    if be.size:
        assert np.all(np.diff(be) > 0)
        np.testing.assert_allclose(s.payoff(be), 0.0, atol=1e-9 * scale)
    grid = np.linspace(1e-6, 4 * s0, 4001)
    f = s.payoff(grid)
    assert f.max() <= a.max_profit + 1e-9 * scale
    assert f.min() >= a.max_loss - 1e-9 * scale
    if np.isfinite(a.expected_profit) and np.isfinite(a.expected_loss):
        assert a.expected_profit >= 0.01 - 1e-9
        assert a.expected_loss < 0.01
        assert a.expected_value == pytest.approx(
            a.pop * a.expected_profit + (1 - a.pop) * a.expected_loss, abs=1e-6 * (1 + abs(f).max())
        )


def test_conditional_expectations_stay_bounded_far_in_the_tail():
    # found by hypothesis: profit only 42 sd away, where the tail probabilities underflow
    exp = ASOF + dt.timedelta(days=3)
    s = Strategy([Leg("call", 2, 116.9921875, exp, premium=2.0)], spot=100.0, vol=0.05, asof=ASOF)
    a = s.analyze()
    assert 0.0 <= a.pop < 1e-300
    if a.pop > 0.0:
        assert a.expected_profit >= 0.01
    assert a.expected_loss == pytest.approx(-400.0)
