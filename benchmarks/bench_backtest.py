"""Backtest groundwork targets (issue 5), JIT excluded (warm-up first).

- 10 years of synthetic daily chains from the bundled S&P 500/VIX data: "in
  seconds" (recorded; asserted <= 5 s);
- one iron-condor backtest with delta targeting, stops, bid/ask fills and
  commissions over those 10 years: <= 0.3 s warm;
- performance metrics of 1,000 equity curves x 2,520 days: recorded, and >= 3x
  a straightforward NumPy implementation of the same metrics.
Numbers go to ``benchmarks/results/backtest.json``.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.conftest import record, wall_seconds
from fastopt.backtest import performance_metrics, run_backtest
from fastopt.data import generate_chains


@pytest.fixture(scope="module")
def chain():
    return generate_chains(start="2009-01-01", end="2018-12-31", seed=1)


@pytest.mark.benchmark(group="backtest")
def test_generate_ten_years(benchmark, chain):
    secs = wall_seconds(lambda: generate_chains(start="2009-01-01", end="2018-12-31", seed=1),
                        reps=3)  # fmt: skip
    record("backtest", {"generate_chains_10y": {"rows": chain.height, "seconds": secs,
                                                "target_s": 5.0}})  # fmt: skip
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    assert chain.height > 4_000_000
    assert secs <= 5.0


@pytest.mark.benchmark(group="backtest")
def test_iron_condor_ten_years(benchmark, chain):
    def run():
        return run_backtest(chain, "iron_condor", short_delta=0.16, width=50.0, min_dte=30,
                            max_dte=60, profit_target=0.5, stop_loss=2.0, fill="natural",
                            commission_per_contract=0.65)  # fmt: skip

    res = run()
    secs = wall_seconds(run, reps=5)
    record("backtest", {"iron_condor_10y": {"rows": chain.height, "trades": res.trades.height,
                                            "seconds": secs, "target_s": 0.3}})  # fmt: skip
    benchmark.pedantic(run, rounds=1, iterations=1)
    assert res.trades.height > 50
    assert secs <= 0.3, f"{secs:.3f} s"


def numpy_metrics(eq: np.ndarray) -> tuple[np.ndarray, ...]:
    r = eq[:, 1:] / eq[:, :-1] - 1.0
    mean, sd = r.mean(axis=1), r.std(axis=1, ddof=1)
    sharpe = mean / sd * np.sqrt(252)
    down = np.sqrt(np.mean(np.minimum(r, 0.0) ** 2, axis=1))
    sortino = mean / down * np.sqrt(252)
    dd = (eq / np.maximum.accumulate(eq, axis=1) - 1.0).min(axis=1)
    tail = np.percentile(r, 95, axis=1) / np.abs(np.percentile(r, 5, axis=1))
    cagr = (eq[:, -1] / eq[:, 0]) ** (252 / (eq.shape[1] - 1)) - 1.0
    return sharpe, sortino, dd, tail, cagr, sd * np.sqrt(252)


@pytest.mark.benchmark(group="backtest")
def test_metrics_1000_curves(benchmark):
    rng = np.random.default_rng(7)
    eq = 100.0 * np.cumprod(1.0 + rng.normal(3e-4, 0.01, (1_000, 2_520)), axis=1)
    frame = performance_metrics(eq)
    np.testing.assert_allclose(frame["sharpe"].to_numpy(), numpy_metrics(eq)[0], rtol=1e-9)
    ours = wall_seconds(lambda: performance_metrics(eq), reps=7)
    base = wall_seconds(lambda: numpy_metrics(eq), reps=3)
    result = {"fastopt_s": ours, "numpy_s": base, "ratio": base / ours, "target_ratio": 3.0}
    record("backtest", {"metrics_1000x2520": result})
    benchmark.pedantic(lambda: performance_metrics(eq), rounds=3, iterations=1)
    assert base / ours >= 3.0
