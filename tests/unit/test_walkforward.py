"""fastopt.backtest.walk_forward: windows, selection, stitching and no look-ahead."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastopt.backtest import (
    LOWER_IS_BETTER,
    prepare_chain,
    run_backtest,
    run_batch,
    walk_forward,
)
from fastopt.backtest.walkforward import window_bounds
from fastopt.data import generate_chains

GRID = {"short_delta": [0.1, 0.16, 0.25], "width": [10.0, 25.0]}
FIXED = {"min_dte": 15, "max_dte": 40, "commission_per_contract": 0.65}


@pytest.fixture(scope="module")
def prep():
    chain = generate_chains(start="2016-01-01", end="2017-06-30", max_dte=50, seed=11)
    return prepare_chain(chain)


@pytest.fixture(scope="module")
def wf(prep):
    return walk_forward(prep, GRID, fixed=FIXED, in_sample=120, out_of_sample=60)


def test_window_bounds():
    assert window_bounds(10, 4, 3, 3, anchored=False) == [(0, 4, 4, 7), (3, 7, 7, 10)]
    assert window_bounds(10, 4, 3, 3, anchored=True) == [(0, 4, 4, 7), (0, 7, 7, 10)]
    assert window_bounds(11, 4, 3, 3, anchored=False)[-1] == (6, 10, 10, 11)  # short last
    assert window_bounds(12, 4, 2, 4, anchored=False) == [(0, 4, 4, 6), (4, 8, 8, 10)]  # gaps


def test_windows_tile_the_out_of_sample_days(prep, wf):
    w = wf.windows
    assert w["window"].to_list() == list(range(w.height))
    assert w.height == -(-(prep.n_days - 120) // 60)
    assert wf.equity.height == prep.n_days - 120
    assert wf.equity["date"].to_list() == prep.dates.to_list()[120:]
    for row in w.iter_rows(named=True):
        assert row["in_end"] < row["out_start"] <= row["out_end"]
    # rolling: consecutive in-sample windows move by one out-of-sample length
    days = prep.dates.to_list()
    assert [days.index(d) for d in w["in_start"]] == [60 * k for k in range(w.height)]


def test_each_window_picks_the_in_sample_best_and_trades_it_out_of_sample(prep, wf):
    account = 100_000.0
    for row in wf.windows.iter_rows(named=True):
        ins = run_batch(prep, GRID, fixed=FIXED, start=row["in_start"], end=row["in_end"])
        best = int(ins["sharpe"].fill_nan(None).arg_max())
        assert row["set"] == best
        assert row["in_sample_sharpe"] == ins["sharpe"][best]
        assert (row["short_delta"], row["width"]) == (ins["short_delta"][best], ins["width"][best])
        oos = run_backtest(prep, **FIXED, short_delta=row["short_delta"], width=row["width"],
                           start=row["out_start"], end=row["out_end"], capital=account)  # fmt: skip
        got = wf.equity.filter(pl.col("window") == row["window"])
        np.testing.assert_array_equal(got["equity"].to_numpy(), oos.equity["equity"].to_numpy())
        assert row["out_of_sample_trades"] == oos.trades.height
        assert row["out_of_sample_return"] == pytest.approx(oos.equity["equity"][-1] / account - 1)
        account = oos.equity["equity"][-1]


def test_stitched_account_adds_up(wf):
    eq = wf.equity
    assert eq["equity"][-1] == pytest.approx(100_000.0 + wf.trades["pnl"].sum(), abs=1e-6)
    assert eq["pnl"].sum() == pytest.approx(eq["equity"][-1] - 100_000.0, abs=1e-6)
    assert wf.metrics["n_trades"][0] == wf.trades.height > 0
    assert wf.trades["window"].is_sorted()
    assert wf.trades["exit_date"].max() <= eq["date"].max()


def test_anchored_in_sample_windows_start_at_the_first_day(prep):
    res = walk_forward(prep, GRID, fixed=FIXED, in_sample=120, out_of_sample=90, anchored=True)
    assert res.windows["in_start"].unique().to_list() == [prep.date(0)]


def test_lower_is_better_metrics_pick_the_minimum(prep):
    assert "annual_volatility" in LOWER_IS_BETTER
    res = walk_forward(prep, GRID, fixed=FIXED, in_sample=120, out_of_sample=120,
                       metric="annual_volatility")  # fmt: skip
    row = res.windows.row(0, named=True)
    ins = run_batch(prep, GRID, fixed=FIXED, start=row["in_start"], end=row["in_end"])
    assert row["set"] == int(ins["annual_volatility"].arg_min())


def test_window_without_a_defined_metric_stays_flat(prep):
    never = {**FIXED, "delta_tolerance": 0.0, "width": 5.0}
    res = walk_forward(prep, {"short_delta": [0.999]}, fixed=never, in_sample=120,
                       out_of_sample=60)  # fmt: skip
    assert res.windows["set"].null_count() == res.windows.height
    assert (res.equity["equity"] == 100_000.0).all()
    assert res.trades.height == 0
    assert "window" in res.trades.columns


def _perturbed(prep, cut, seed):
    """``prep`` with every quote and the underlying from day ``cut`` on changed at random."""
    rng = np.random.default_rng(seed)
    lo = int(prep.offsets[cut])
    arrays = {}
    for name in ("bid", "ask", "delta"):
        a = getattr(prep, name).copy()
        a[lo:] *= rng.uniform(0.3, 1.7, a.size - lo)
        arrays[name] = a
    arrays["ask"][lo:] = np.maximum(arrays["ask"][lo:], arrays["bid"][lo:])
    arrays["delta"][lo:] = np.clip(arrays["delta"][lo:], -1.0, 1.0)
    und = prep.underlying.copy()
    und[cut:] *= rng.uniform(0.8, 1.2, und.size - cut)
    return dataclasses.replace(prep, underlying=und, **arrays)


@settings(max_examples=8, deadline=None)
@given(cut=st.integers(130, 370), seed=st.integers(0, 2**32 - 1))
def test_no_window_sees_data_after_its_end(prep, wf, cut, seed):
    changed = walk_forward(_perturbed(prep, cut, seed), GRID, fixed=FIXED, in_sample=120,
                           out_of_sample=60)  # fmt: skip
    cut_date = prep.date(cut)
    for old, new in zip(wf.windows.iter_rows(named=True), changed.windows.iter_rows(named=True),
                        strict=True):  # fmt: skip
        if old["in_end"] < cut_date:  # selection made before the change
            assert new["set"] == old["set"]
            assert new["in_sample_sharpe"] == old["in_sample_sharpe"]
        if old["out_end"] < cut_date:  # traded entirely before the change
            assert new["out_of_sample_return"] == old["out_of_sample_return"]
    before = wf.equity.filter(pl.col("date") < cut_date)
    assert changed.equity.filter(pl.col("date") < cut_date).equals(before)


def test_perturbation_does_change_later_windows(prep, wf):
    changed = walk_forward(_perturbed(prep, 130, 1), GRID, fixed=FIXED, in_sample=120,
                           out_of_sample=60)  # fmt: skip
    assert not changed.equity.equals(wf.equity)  # the property test above is not vacuous


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"step": 30}, ValueError, "`step` .* must be >= `out_of_sample`"),
        ({"in_sample": 1}, ValueError, "in_sample"),
        ({"out_of_sample": 0}, ValueError, "out_of_sample"),
        ({"in_sample": 10_000}, ValueError, "walk-forward needs more than `in_sample`"),
        ({"metric": "sharp"}, ValueError, "metric"),
        ({"anchored": 1}, TypeError, "anchored"),
    ],
)
def test_bad_arguments(prep, kwargs, error, match):
    args = {"in_sample": 120, "out_of_sample": 60, **kwargs}
    with pytest.raises(error, match=match):
        walk_forward(prep, GRID, fixed=FIXED, **args)


def test_capital_cannot_vary(prep):
    with pytest.raises(ValueError, match="must not vary `capital`"):
        walk_forward(prep, {"capital": [1e5, 2e5]}, fixed={**FIXED, "width": 10.0},
                     in_sample=120)  # fmt: skip


def test_dates_restrict_the_run(prep):
    res = walk_forward(prep, GRID, fixed=FIXED, in_sample=60, out_of_sample=60,
                       start="2016-06-01", end=dt.date(2017, 1, 31))  # fmt: skip
    assert res.windows["in_start"][0] >= dt.date(2016, 6, 1)
    assert res.equity["date"].max() <= dt.date(2017, 1, 31)
