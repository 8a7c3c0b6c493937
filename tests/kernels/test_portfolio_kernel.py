"""The portfolio risk kernel: money Greeks per leg, sums per underlying, the scenario grid."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from fastopt import bs_greeks, bs_price
from fastopt.kernels import portfolio as kp

RNG = np.random.default_rng(11)


def random_book(n: int, n_und: int = 3):
    kind = RNG.integers(0, 3, n).astype(np.int8)
    units = RNG.integers(-20, 21, n).astype(np.float64)
    mult = np.where(kind == 2, 1.0, 100.0)
    strike = RNG.uniform(80.0, 120.0, n)
    expiry = RNG.integers(20_001, 20_365, n).astype(np.int64)  # days since 1970
    vol = RNG.uniform(0.1, 0.5, n)
    und = RNG.integers(0, n_und, n).astype(np.int32)
    spot = RNG.uniform(90.0, 110.0, n_und)
    rate = RNG.uniform(0.0, 0.05, n_und)
    div = RNG.uniform(0.0, 0.03, n_und)
    day = np.full(n_und, 20_000, dtype=np.int64)
    return kind, units, mult, strike, expiry, vol, und, spot, rate, div, day


def risk_of(book):
    out = np.empty((book[0].shape[0], kp.N_RISK))
    assert kp.leg_risk_nb(*book, out) == -1
    return out


def test_leg_risk_is_bs_greeks_times_weight_in_the_stated_units():
    book = random_book(400)
    kind, units, mult, strike, expiry, vol, und, spot, rate, div, day = book
    out = risk_of(book)
    opt = kind != 2
    s = spot[und][opt]
    tau = (expiry - day[und]) / 365.0
    g = bs_greeks(
        s, strike[opt], tau[opt], vol[opt], rate[und][opt], div[und][opt], kind=kind[opt] == 0
    )
    weight = units * mult
    w = weight[opt]
    col = {f: i for i, f in enumerate(kp.RISK_FIELDS)}
    want = {
        "value": w * g.price,
        "delta": w * g.delta,
        "dollar_delta": w * g.delta * s,
        "gamma": w * g.gamma,
        "dollar_gamma": w * g.gamma * s * s / 100.0,
        "vega": w * g.vega / 100.0,
        "theta": w * g.theta / 365.0,
        "rho": w * g.rho / 100.0,
        "vanna": w * g.vanna / 100.0,
        "volga": w * g.volga / 1e4,
        "charm": w * g.charm / 365.0,
        "notional": np.abs(w) * s,
    }
    for name, values in want.items():
        assert_allclose(out[opt, col[name]], values, rtol=1e-12, atol=1e-9, err_msg=name)
    st = ~opt
    assert_array_equal(out[st, col["value"]], weight[st] * spot[und][st])
    assert_array_equal(out[st, col["delta"]], weight[st])
    assert_array_equal(out[st, col["gamma"]], 0.0)
    assert_array_equal(out[st, col["notional"]], np.abs(weight[st]) * spot[und][st])


def test_bad_legs_are_reported_not_valued():
    book = list(random_book(50))
    kind, expiry, und, spot, day = book[0], book[4], book[6], book[7], book[10]
    first_option = int(np.flatnonzero(kind != 2)[0])
    expiry = expiry.copy()
    expiry[first_option] = 19_999  # a day before its market's day
    book[4] = expiry
    assert kp.first_bad_leg(kind, expiry, und, spot, day) == 2 * first_option + kp.EXPIRED
    assert kp.leg_risk_nb(*book, np.empty((50, kp.N_RISK))) == 2 * first_option + kp.EXPIRED
    spot = spot.copy()
    spot[und[0]] = np.nan
    assert kp.first_bad_leg(kind, book[4], und, spot, day) == kp.NO_MARKET  # leg 0 first


def test_hand_computed_small_book():
    # 1 ATM call (100 shares), S = K = 100, t = 1 (365 days), vol 0.2, r = q = 0:
    # d1 = 0.1, delta N(0.1) = 0.539827837277, gamma phi(0.1)/(S vol) = 0.0198476273738506
    book = (
        np.array([0, 2], np.int8),
        np.array([1.0, -50.0]),
        np.array([100.0, 1.0]),
        np.array([100.0, 0.0]),
        np.array([365, 0], np.int64),
        np.array([0.2, 0.0]),
        np.zeros(2, np.int32),
        np.array([100.0]),
        np.zeros(1),
        np.zeros(1),
        np.zeros(1, np.int64),
    )
    out = risk_of(book)
    total = kp.sum_by_group_nb(out, np.zeros(2, np.int64), np.empty((1, kp.N_RISK)))[0]
    assert total[1] == pytest.approx(100 * 0.539827837277 - 50, rel=1e-11)
    assert total[3] == pytest.approx(100 * 0.0198476273738506, rel=1e-12)
    assert total[0] == pytest.approx(100 * 7.965567455405804 - 50 * 100.0, rel=1e-12)


def test_parallel_twin_is_identical_and_nan_vol_poisons_its_group():
    book = list(random_book(5_000))
    a = risk_of(book)
    b = np.empty((5_000, kp.N_RISK))
    assert kp.leg_risk_par_nb(*book, b) == -1
    assert_array_equal(a, b)
    kind, und = book[0], book[6]
    vol = book[5].copy()
    first_option = int(np.flatnonzero(kind != 2)[0])
    vol[first_option] = np.nan
    book[5] = vol
    c = risk_of(book)
    assert np.isnan(c[first_option]).all()
    sums = kp.sum_by_group_nb(c, und.astype(np.int64), np.empty((3, kp.N_RISK)))
    bad = int(und[first_option])
    assert np.isnan(sums[bad]).all()
    others = [g for g in range(3) if g != bad]
    want = np.stack([c[und == g].sum(axis=0) for g in others])
    assert_allclose(sums[others], want, rtol=1e-12, atol=1e-6)
    groups = np.bincount(und, minlength=3)
    m = kp.measures_nb(sums, groups, kp.GREEK_COLUMNS, np.zeros((12, 4)))
    assert np.isnan(m[:7, bad]).all()
    assert np.isnan(m[:7, 3]).all()  # the total is undefined too
    assert np.isnan(m[kp.CONCENTRATION_ROW]).all()  # the notional is undefined: no shares


def test_measures_by_hand():
    sums = np.zeros((3, kp.N_RISK))
    sums[0, [1, 2, 3, 4, 5, 6, 11]] = [-10.0, -1000.0, 2.0, 5.0, -30.0, 4.0, 3000.0]
    sums[1, [1, 2, 3, 4, 5, 6, 11]] = [4.0, 800.0, -1.0, -2.0, 10.0, -1.0, 1000.0]
    sums[2, :] = 123.0  # no open group: ignored
    groups = np.array([2, 1, 0])
    m = kp.measures_nb(sums, groups, kp.GREEK_COLUMNS, np.zeros((12, 4)))
    names = kp.MEASURE_NAMES
    assert m[names.index("delta")].tolist() == [10.0, 4.0, 0.0, 6.0]
    assert m[names.index("dollar_delta")].tolist() == [1000.0, 800.0, 0.0, 200.0]
    assert m[names.index("vega")].tolist() == [30.0, 10.0, 0.0, 20.0]
    assert m[names.index("notional")].tolist() == [3000.0, 1000.0, 0.0, 4000.0]
    assert m[names.index("positions")].tolist() == [2.0, 1.0, 0.0, 3.0]
    assert m[names.index("concentration")].tolist() == [0.75, 0.25, 0.0, 0.75]


def test_scenario_grid_is_full_revaluation():
    kind, units, mult, strike, expiry, vol, und, spot, rate, div, day = random_book(60, n_und=2)
    order = np.argsort(und, kind="stable")
    kind, units, mult, strike, expiry, vol, und = (
        a[order] for a in (kind, units, mult, strike, expiry, vol, und)
    )
    risk = risk_of((kind, units, mult, strike, expiry, vol, und, spot, rate, div, day))
    weight = units * mult
    tau = np.where(kind == 2, 0.0, (expiry - day[und]) / 365.0)
    offsets = np.array([0, int((und == 0).sum()), 60])
    moves = np.array([-0.1, 0.0, 0.07])
    dvols = np.array([-0.3, 0.0, 0.05])  # -0.3 floors every vol at 0
    out = kp.scenario_grid_nb(
        kind,
        weight,
        strike,
        tau,
        vol,
        offsets,
        spot,
        rate,
        div,
        np.ascontiguousarray(risk[:, 0]),
        moves,
        dvols,
        np.zeros((2, 3, 3)),
    )
    for a, m in enumerate(moves):
        for b, dv in enumerate(dvols):
            s = spot[und] * (1 + m)
            opt = kind != 2
            now = np.where(opt, 0.0, weight * s)
            now[opt] = weight[opt] * bs_price(
                s[opt],
                strike[opt],
                tau[opt],
                np.maximum(vol[opt] + dv, 0.0),
                rate[und][opt],
                div[und][opt],
                kind=kind[opt] == 0,
            )
            pnl = now - risk[:, 0]
            for u in range(2):
                assert out[u, b, a] == pytest.approx(pnl[und == u].sum(), rel=1e-9, abs=1e-6)
    assert_allclose(out[:, 1, 1], 0.0, atol=1e-9)  # no shock, no P&L


def test_delta_normal_vol():
    d = np.array([1000.0, -500.0, 250.0])
    a = RNG.normal(size=(3, 3))
    cov = a @ a.T * 1e-4
    assert kp.delta_normal_vol_nb(d, cov) == pytest.approx(np.sqrt(d @ cov @ d), rel=1e-13)
