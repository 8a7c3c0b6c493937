"""fastopt strategy analytics against optionlab 1.9.1 (same inputs, same run).

Targets (issue: multi-leg strategies):
- full iron-condor analysis (grid, break-evens, max P/L, POP, EV, Greeks, margin)
  >= 5x optionlab's default run (POP, expectations, IV, per-leg Greeks, 10,001-price grid);
- before expiry: the 1,001-price x 50-date P&L grid, and a full pre-expiry
  analysis, each >= 10x optionlab's one pre-expiry evaluation.
The optionlab case is the research one (``research/strategy.md`` section 1.2):
S = 168.99, vol 48.3 %, r 4.5 %, 30 business days, puts 150/160, calls 180/190.
Skips with the reason when optionlab is not installed (``pip install -e .[peers]``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from benchmarks.conftest import record, wall_seconds
from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy

optionlab = pytest.importorskip("optionlab", reason="optionlab is not installed (.[peers])")

ASOF = dt.date(2024, 1, 2)
LEGS = [("put", 1, 150.0, 2.00), ("put", -1, 160.0, 4.50), ("call", -1, 180.0, 4.00),
        ("call", 1, 190.0, 1.60)]  # fmt: skip


def business_days_after(start: dt.date, n: int) -> dt.date:
    return np.busday_offset(start, n, roll="forward").astype(dt.date)


def ours(expiry_bdays: int, legs_spec=LEGS) -> Strategy:
    exp = business_days_after(ASOF, expiry_bdays)
    legs = [Leg(k, q, strike, exp, premium=p) for k, q, strike, p in legs_spec]
    return Strategy(legs, spot=168.99, vol=0.483, rate=0.045, asof=ASOF, year_basis=252)


def fair_legs(expiry_bdays: int) -> list[tuple[str, int, float, float]]:
    """The condor's legs at their BS value for a longer expiry (so that the position
    can profit from time decay before it: a meaningful pre-expiry probability)."""
    fair = ours(expiry_bdays, [(k, q, strike, None) for k, q, strike, _ in LEGS])
    return [(leg.kind, leg.quantity, leg.strike, leg.premium) for leg in fair.legs]


def peer_inputs(target_days: int, expiry_days: int | None, legs_spec=LEGS) -> dict:
    legs = []
    for kind, q, strike, prem in legs_spec:
        leg = {"type": kind, "strike": strike, "premium": prem, "n": 100,
               "action": "buy" if q > 0 else "sell"}  # fmt: skip
        if expiry_days is not None:
            leg["expiration"] = expiry_days
        legs.append(leg)
    return {
        "stock_price": 168.99, "volatility": 0.483, "interest_rate": 0.045,
        "min_stock": 120.0, "max_stock": 220.0, "strategy": legs,
        "days_to_target_date": target_days,
    }  # fmt: skip


@pytest.mark.benchmark(group="strategy-peers")
def test_iron_condor_vs_optionlab(benchmark):
    s = ours(30)
    inputs = optionlab.Inputs.model_validate(peer_inputs(30, None))
    out = optionlab.run_strategy(inputs)
    a = s.analyze(grid=10_001)
    assert a.pop == pytest.approx(out.probability_of_profit, abs=1e-4)
    lo, hi = out.profit_ranges[0]
    assert a.breakevens == pytest.approx((lo, hi), abs=0.011)  # peer grid step 0.01
    assert a.expected_profit == pytest.approx(out.expected_profit_if_profitable, rel=1e-3)
    assert a.expected_loss == pytest.approx(out.expected_loss_if_unprofitable, rel=1e-3)

    def full():
        return s.analyze(grid=10_001), s.greeks(), s.margin()

    t_ours = wall_seconds(full, reps=300)
    t_peer = wall_seconds(lambda: optionlab.run_strategy(inputs), reps=30)
    ratio = t_peer / t_ours
    record("strategy_peers", {"iron_condor_at_expiry": {
        "fastopt_ms": t_ours * 1e3, "optionlab_ms": t_peer * 1e3, "ratio": ratio,
        "target_ratio": 5.0}})  # fmt: skip
    benchmark.pedantic(full, rounds=20, iterations=10)
    assert ratio >= 5.0, f"only {ratio:.1f}x optionlab"


@pytest.mark.benchmark(group="strategy-peers")
def test_before_expiry_vs_optionlab(benchmark):
    spec = fair_legs(63)
    s = ours(63, spec)
    h = 31 / 252
    inputs = optionlab.Inputs.model_validate(peer_inputs(31, 63, spec))
    out = optionlab.run_strategy(inputs)
    a = s.analyze(at=h, grid=1001)
    assert a.pop == pytest.approx(out.probability_of_profit, abs=2e-3)
    spots = np.linspace(120.0, 220.0, 1001)
    hs = np.linspace(0.0, h, 50)

    t_grid = wall_seconds(lambda: s.pnl_grid(spots, hs), reps=30)
    t_full = wall_seconds(lambda: (s.analyze(at=h, grid=1001), s.greeks()), reps=30)
    t_peer = wall_seconds(lambda: optionlab.run_strategy(inputs), reps=5)
    record("strategy_peers", {"before_expiry": {
        "fastopt_grid_1001x50_ms": t_grid * 1e3, "fastopt_analysis_ms": t_full * 1e3,
        "optionlab_one_date_ms": t_peer * 1e3, "ratio_grid": t_peer / t_grid,
        "ratio_analysis": t_peer / t_full, "target_ratio": 10.0,
        "pop_fastopt": a.pop, "pop_optionlab": out.probability_of_profit}})  # fmt: skip
    benchmark.pedantic(lambda: s.pnl_grid(spots, hs), rounds=10, iterations=1)
    assert t_peer / t_grid >= 10.0
    assert t_peer / t_full >= 10.0
