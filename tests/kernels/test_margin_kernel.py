"""fastopt.kernels.margin.strategy_requirement: hand-computed requirements, and the
strategy-margin facade on random instances of every backtest structure."""

from __future__ import annotations

import datetime as dt
import importlib

import numpy as np
import pytest

from fastopt import bs_price
from fastopt.backtest.rules import LEGS
from fastopt.kernels.margin import strategy_requirement
from fastopt.strategies.leg import Leg
from fastopt.strategies.margin import NAKED_MIN_PCT, NAKED_PCT, STOCK_INITIAL, margin
from fastopt.strategies.strategy import Strategy

PCT = NAKED_PCT["broad_index"]


def req(legs, spot=100.0, pct=PCT, stock_initial=STOCK_INITIAL):
    kind = np.array([k for k, _, _, _ in legs], dtype=np.int64)
    units = np.array([u for _, u, _, _ in legs], dtype=np.float64)
    strike = np.array([s for _, _, s, _ in legs], dtype=np.float64)
    prices = np.array([p for _, _, _, p in legs], dtype=np.float64)
    return strategy_requirement(kind, units, strike, prices, spot, pct, NAKED_MIN_PCT,
                                stock_initial)  # fmt: skip


def test_hand_computed_requirements():
    # iron condor 85/90/110/115 for a 1.35 credit: the wider side (5) less the credit
    ic = [(1, 1.0, 85.0, 0.4), (1, -1.0, 90.0, 1.1), (0, -1.0, 110.0, 1.0), (0, 1.0, 115.0, 0.35)]
    assert req(ic) == pytest.approx(5.0 - 1.35, abs=1e-12)
    # naked put 90 @1: 1 + max(0.15 x 100 - 10, 0.10 x 90) = 10, less the 1 received
    assert req([(1, -1.0, 90.0, 1.0)]) == pytest.approx(9.0)
    # short strangle 90 put @1 / 110 call @1.5: call side 1.5 + max(15 - 10, 10) = 11.5 is
    # larger than the put's 10, plus the put's premium 1, less the 2.5 received
    assert req([(1, -1.0, 90.0, 1.0), (0, -1.0, 110.0, 1.5)]) == pytest.approx(11.5 + 1 - 2.5)
    # put ratio 1 x 2: the matched pair is a debit spread (no width at risk), the excess
    # naked put 90 @1 needs 10; credit 2 x 1 - 3 = -1 (a debit) is paid on top
    assert req([(1, 1.0, 100.0, 3.0), (1, -2.0, 90.0, 1.0)]) == pytest.approx(10.0 + 1.0)
    # covered call: the stock at 50 % less the call premium received
    assert req([(0, -1.0, 105.0, 2.0), (2, 1.0, 0.0, 100.0)]) == pytest.approx(50.0 - 2.0)
    # covered put: 50 % of the short stock on top of its proceeds, less the put premium
    assert req([(1, -1.0, 95.0, 1.5), (2, -1.0, 0.0, 100.0)]) == pytest.approx(48.5)
    # a long call is paid in full
    assert req([(0, 1.0, 100.0, 4.0)]) == pytest.approx(4.0)


def _instance(legs, rng, spot):
    """Random strikes for a structure of (units, kind, mode, ref, slot) legs, priced by
    Black-Scholes (30 days, vol 15-40 %) as a chain would quote them."""
    out = []
    vol = float(rng.uniform(0.15, 0.4))
    for units, kind, mode, ref, _slot in legs:
        if mode == 5:
            out.append((2, float(units), 0.0, 100.0))
            continue
        if mode in (0, 4):
            strike = float(rng.choice(np.arange(80.0, 121.0, 5.0)))
        else:
            ks = out[ref][2]
            w = float(rng.choice([5.0, 10.0, 20.0]))
            up = (kind == 0) == (mode == 1)
            strike = ks if mode == 2 else (ks + w if up else ks - w)
        price = bs_price(spot, strike, 30 / 365, vol, kind="call" if kind == 0 else "put")
        out.append((kind, float(units), strike, price))
    return out


@pytest.mark.parametrize("structure", sorted(s for s in LEGS if "calendar" not in s
                                             and "diagonal" not in s))  # fmt: skip
def test_agrees_with_the_margin_facade_on_random_instances(structure):
    rng = np.random.default_rng(abs(hash(structure)) % 2**32)
    exp = dt.date(2025, 3, 21)
    for _ in range(60):
        spot = float(rng.uniform(85.0, 115.0))
        legs = _instance(LEGS[structure], rng, spot)
        if len({(k, s) for k, _, s, _ in legs}) < len(legs):
            continue  # two legs on one contract
        position = [Leg("stock", round(u * 100), premium=spot) if k == 2 else
                    Leg("call" if k == 0 else "put", round(u), s, exp, premium=p)
                    for k, u, s, p in legs]  # fmt: skip
        legs = [(k, u, s, spot if k == 2 else p) for k, u, s, p in legs]
        st = Strategy(position, spot=spot, vol=0.2, asof="2025-02-21")
        facade = margin(st, underlying="broad_index").buying_power_reduction
        assert req(legs, spot=spot) * 100.0 == pytest.approx(facade, rel=1e-9, abs=1e-6), str(st)


def test_the_facades_pairing_search_gives_the_kernels_requirement(monkeypatch):
    """The facade explains a requirement with its own decomposition search; on 3,000
    random same-expiry positions (1-6 option legs of -3..3 contracts, arbitrary prices,
    long or short stock) the search's total equals the kernel's, which the facade
    reports."""
    fm = importlib.import_module("fastopt.strategies.margin")  # the package exports margin()

    rng = np.random.default_rng(11)
    exp = dt.date(2025, 3, 21)
    cases = []
    while len(cases) < 3000:
        m = int(rng.integers(1, 7))
        kinds = rng.integers(0, 2, m)
        strikes = rng.choice(np.arange(80.0, 125.0, 5.0), m)
        if len({(int(k), float(s)) for k, s in zip(kinds, strikes, strict=True)}) < m:
            continue
        units = rng.choice([-3, -2, -1, 1, 2, 3], m)
        prices = np.round(rng.uniform(0.05, 8.0, m), 2)
        legs = [Leg("call" if k == 0 else "put", int(u), float(s), exp, premium=float(p))
                for k, u, s, p in zip(kinds, units, strikes, prices, strict=True)]  # fmt: skip
        stock = int(rng.choice([0, 0, 0, 100, -100, 200]))
        if stock:
            legs.append(Leg("stock", stock, premium=100.0))
        cases.append(Strategy(legs, spot=float(rng.uniform(85.0, 115.0)), vol=0.2,
                              asof="2025-02-21"))  # fmt: skip
    reported = [margin(s, underlying="equity").buying_power_reduction for s in cases]
    monkeypatch.setattr(fm, "_one_short_dated_expiry", lambda *_: False)
    searched = [margin(s, underlying="equity").buying_power_reduction for s in cases]
    np.testing.assert_allclose(reported, searched, rtol=1e-9, atol=1e-6)
