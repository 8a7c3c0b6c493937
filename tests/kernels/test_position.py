"""fastopt.kernels.position: intrinsic values and position Greeks against bs_greeks."""

from __future__ import annotations

import numpy as np
import pytest

import fastopt
from fastopt.kernels import position as kp


def test_intrinsic_and_exercised_value():
    assert kp.intrinsic(0, 95.0, 100.0) == 5.0
    assert kp.intrinsic(0, 105.0, 100.0) == 0.0
    assert kp.intrinsic(1, 105.0, 100.0) == 5.0
    assert kp.intrinsic(1, 95.0, 100.0) == 0.0
    assert kp.exercised_value(0, 95.0, 90.0) == -5.0  # the market fell through the strike
    assert kp.exercised_value(1, 95.0, 90.0) == 5.0


def test_leg_greeks_are_bs_greeks_and_stock_is_delta_one():
    g = fastopt.bs_greeks(100.0, 105.0, 0.25, 0.2, rate=0.01, div=0.02, kind="put")
    ours = kp.leg_greeks(1, 100.0, 105.0, 0.25, 0.2, 0.01, 0.02)
    assert ours == (g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.vanna, g.volga,
                    g.charm)  # fmt: skip
    assert kp.leg_greeks(2, 101.0, 0.0, 0.0, 0.0, 0.0, 0.0) == (101.0, 1.0, 0, 0, 0, 0, 0, 0, 0)


def test_position_gamma_vega():
    kind = np.array([1, 1, 0, 2], dtype=np.int64)
    units = np.array([-1.0, 1.0, -2.0, 1.0])
    strike = np.array([95.0, 90.0, 105.0, 0.0])
    tau = np.array([0.1, 0.1, 0.1, 0.0])
    vol = np.array([0.2, 0.25, 0.18, np.nan])
    known, gamma, vega = kp.position_gamma_vega(kind, units, strike, tau, vol, 100.0)
    g = fastopt.bs_greeks(100.0, strike[:3], 0.1, vol[:3], kind=["put", "put", "call"])
    assert known
    assert gamma == pytest.approx(float(units[:3] @ g.gamma), rel=1e-14)
    assert vega == pytest.approx(float(units[:3] @ g.vega), rel=1e-14)
    vol[1] = 0.0
    assert not kp.position_gamma_vega(kind, units, strike, tau, vol, 100.0)[0]
    tau[0] = 0.0
    vol[1] = 0.25
    assert not kp.position_gamma_vega(kind, units, strike, tau, vol, 100.0)[0]


def test_trade_greeks_match_a_numpy_evaluation_bit_for_bit():
    # two days: rows 0-2 on day 0 (spot 100), rows 3-5 on day 1 (spot 102)
    offsets = np.array([0, 3, 6], dtype=np.int64)
    day_num = np.array([1000, 1001], dtype=np.int64)
    und = np.array([100.0, 102.0])
    expiry = np.array([1030, 1030, 10**9, 1030, 1030, 10**9], dtype=np.int64)
    strike = np.array([95.0, 105.0, 0.0, 95.0, 105.0, 0.0])
    kind = np.array([1, 0, 2, 1, 0, 2], dtype=np.int64)
    iv = np.array([0.22, 0.18, np.nan, 0.21, np.nan, np.nan])
    rows = np.array([[0, 1, 2], [3, 4, 5], [3, -1, 5]], dtype=np.int64)
    signs = np.array([-1.0, -1.0, 1.0])
    scale = np.array([100.0, 300.0, 200.0])
    out = np.empty((4, 3))
    kp.trade_greeks_nb(rows, signs, scale, offsets, day_num, und, expiry, strike, kind, iv, out)
    g = fastopt.bs_greeks(100.0, [95.0, 105.0], 30 / 365.0, [0.22, 0.18], kind=["put", "call"])
    w = signs * 100.0
    expect = [0.0 + g.delta[0] * w[0] + g.delta[1] * w[1] + 1.0 * w[2],
              0.0 + g.gamma[0] * w[0] + g.gamma[1] * w[1] + 0.0,
              0.0 + g.vega[0] / 100.0 * w[0] + g.vega[1] / 100.0 * w[1] + 0.0,
              0.0 + g.theta[0] / 365.0 * w[0] + g.theta[1] / 365.0 * w[1] + 0.0]  # fmt: skip
    assert out[:, 0].tolist() == expect
    assert np.isnan(out[:, 1]).all()  # a leg without IV
    assert np.isnan(out[:, 2]).all()  # a leg the trade does not have


def test_position_greeks_sum_of_legs():
    spots = np.array([90.0, 100.0, 110.0])
    kind = np.array([0, 1, 2], dtype=np.int64)
    units = np.array([-100.0, 200.0, 50.0])
    strike = np.array([105.0, 95.0, 0.0])
    t = np.array([0.5, 0.25, 0.0])
    vol = np.array([0.2, 0.3, np.nan])
    out = np.empty((9, 3))
    kp.position_greeks_nb(spots, 0.1, kind, units, strike, t, vol, 0.01, 0.0, out)
    c = fastopt.bs_greeks(spots, 105.0, 0.4, 0.2, rate=0.01)
    p = fastopt.bs_greeks(spots, 95.0, 0.15, 0.3, rate=0.01, kind="put")
    np.testing.assert_allclose(out[0], -100 * c.price + 200 * p.price + 50 * spots, rtol=1e-13)
    np.testing.assert_allclose(out[1], -100 * c.delta + 200 * p.delta + 50, rtol=1e-13)
    np.testing.assert_allclose(out[3], -100 * c.vega + 200 * p.vega, rtol=1e-13)
