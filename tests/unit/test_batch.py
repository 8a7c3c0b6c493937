"""fastopt.backtest.run_batch: equal to run_backtest set by set, grid forms, threads, bad input."""

from __future__ import annotations

import math

import numba
import numpy as np
import polars as pl
import pytest

import fastopt.backtest.batch as batch_mod
from fastopt.backtest import (
    BATCH_COLUMNS,
    BatchInterrupted,
    PreparedChain,
    prepare_chain,
    run_backtest,
    run_batch,
)
from fastopt.backtest.batch import compile_grid
from fastopt.data import generate_chains

GRID = {
    "structure": ["iron_condor", "bull_put_spread", "short_strangle"],
    "short_delta": [0.12, 0.25],
    "profit_target": [0.5, None],
}
FIXED = {"width": 25.0, "min_dte": 20, "max_dte": 45, "commission_per_contract": 0.65}


@pytest.fixture(scope="module")
def prep():
    chain = generate_chains(start="2017-01-01", end="2017-08-31", max_dte=60, seed=5)
    return prepare_chain(chain)


@pytest.fixture(scope="module")
def result(prep):
    return run_batch(prep, GRID, fixed=FIXED)


def test_every_set_equals_its_single_backtest(prep, result):
    assert result.height == 12
    assert result.columns[:4] == ["set", "structure", "short_delta", "profit_target"]
    assert result.columns[4:] == list(BATCH_COLUMNS)
    for row in result.iter_rows(named=True):
        rules = {k: row[k] for k in GRID}
        single = run_backtest(prep, **rules, **FIXED)
        assert row["final_equity"] == single.equity["equity"][-1]
        expected = single.metrics.select(BATCH_COLUMNS[1:]).row(0, named=True)
        for col, value in expected.items():
            got = row[col]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                assert got is None or math.isnan(got), col
            else:
                assert got == value, (col, rules)
    assert (result["n_trades"] > 0).all()
    # the grid really varies the result
    assert result["final_equity"].n_unique() == result.height


def test_cartesian_order_last_key_fastest(result):
    assert result["structure"].to_list()[:4] == ["iron_condor"] * 4
    assert result["short_delta"].to_list()[:4] == [0.12, 0.12, 0.25, 0.25]
    assert result["profit_target"].to_list()[:2] == [0.5, None]
    assert result["set"].to_list() == list(range(12))


def test_grid_forms_agree(prep, result):
    sets = [
        {"structure": s, "short_delta": d, "profit_target": p}
        for s in GRID["structure"]
        for d in GRID["short_delta"]
        for p in GRID["profit_target"]
    ]
    as_list = run_batch(prep, sets, fixed=FIXED)
    as_frame = run_batch(prep, pl.DataFrame(sets), fixed=FIXED)
    assert as_list.equals(result)
    assert as_frame.equals(result)


def test_threads_chunks_and_repeats_give_identical_frames(prep, result):
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = run_batch(prep, GRID, fixed=FIXED, chunk_size=1)
    finally:
        numba.set_num_threads(threads)
    assert serial.equals(result)
    assert run_batch(prep, GRID, fixed=FIXED, chunk_size=5).equals(result)
    assert run_batch(prep, GRID, fixed=FIXED).equals(result)


def test_fixed_rules_and_grid_override(prep):
    res = run_batch(prep, {"quantity": [1, 3]}, fixed={**FIXED, "quantity": 2})
    pnl = res["final_equity"].to_numpy() - 100_000.0
    assert res["quantity"].to_list() == [1, 3]
    assert pnl[1] == pytest.approx(3 * pnl[0], rel=0.05)  # commissions scale too
    assert pnl[0] != 0.0


def test_ruined_set_has_null_metrics_but_counts_trades(prep):
    rules = {"structure": "short_strangle", "short_delta": 0.3, "stop_loss": None,
             "profit_target": None, "min_dte": 20, "max_dte": 45, "capital": 2_000.0,
             "max_margin_usage": None}  # fmt: skip
    res = run_batch(prep, {"quantity": [5, 50]}, fixed=rules)
    for row, qty in zip(res.iter_rows(named=True), (5, 50), strict=True):
        single = run_backtest(prep, **rules, quantity=qty)
        assert row["final_equity"] == single.equity["equity"][-1]
        assert row["n_trades"] == single.trades.height > 0
    assert res["sharpe"][0] is not None
    assert res["sharpe"][1] is None  # the account went below zero
    assert res["max_drawdown"][1] is None


def test_progress_bar_is_shown_on_request(prep, capsys):
    run_batch(prep, {"short_delta": [0.1, 0.2]}, fixed=FIXED, progress=True)
    assert "backtests" in capsys.readouterr().err
    run_batch(prep, {"short_delta": [0.1, 0.2]}, fixed=FIXED, progress=False)
    assert capsys.readouterr().err == ""


def test_interrupt_returns_the_finished_sets(prep, monkeypatch, result):
    calls = {"n": 0}
    real = batch_mod.evaluate_sets

    def flaky(p, rules, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(p, rules, **kw)

    monkeypatch.setattr(batch_mod, "evaluate_sets", flaky)
    with pytest.raises(BatchInterrupted, match="after 4 of 12") as info:
        run_batch(prep, GRID, fixed=FIXED, chunk_size=2)
    assert isinstance(info.value, KeyboardInterrupt)
    assert info.value.partial.equals(result.head(4))


def test_compile_grid_keeps_the_grid_values():
    sets, rules = compile_grid({"short_delta": [0.1, 0.2], "width": 5}, {"min_dte": 10})
    assert sets == [{"short_delta": 0.1, "width": 5}, {"short_delta": 0.2, "width": 5}]
    assert rules.n_legs.tolist() == [4, 4]
    assert rules.leg_f[1].tolist() == [0.2, 5.0, 0.2, 5.0]
    assert rules.take(1, 2).n_sets == 1


def test_weekday_lists_become_text(prep):
    res = run_batch(prep, {"weekdays": [["mon"], ["mon", "fri"]]}, fixed=FIXED)
    assert res["weekdays"].to_list() == ["mon", "mon,fri"]
    assert res["n_trades"][0] <= res["n_trades"][1]


@pytest.mark.parametrize(
    ("grid", "fixed", "error", "match"),
    [
        ({"short_detla": [0.1]}, None, ValueError, "unknown rule 'short_detla'.*short_delta"),
        ({"short_delta": [0.1]}, {"wdith": 5}, ValueError, "`fixed`: unknown rule 'wdith'"),
        ({"short_delta": [0.1, 1.5]}, None, ValueError, r"set 1 \(\{'short_delta': 1.5\}\)"),
        ({"short_delta": []}, None, ValueError, "'short_delta' has no values"),
        ({"quantity": [1, "two"]}, None, TypeError, "set 1.*quantity"),
        ([], None, ValueError, "no parameter sets"),
        ([{"short_delta": 0.1}, 3], None, TypeError, "item 1 must be a dict"),
        ("short_delta", None, TypeError, "`grid` must be a dict"),
        ({"structure": ["iron_condor"]}, {"width": None}, ValueError, "give `width`"),
    ],
)
def test_bad_grids(prep, grid, fixed, error, match):
    with pytest.raises(error, match=match):
        run_batch(prep, grid, fixed=FIXED if fixed is None else fixed)


def test_bad_options(prep):
    with pytest.raises(ValueError, match="chunk_size"):
        run_batch(prep, {"short_delta": [0.1]}, fixed=FIXED, chunk_size=0)
    with pytest.raises(ValueError, match="partitions"):
        run_batch(prep, {"short_delta": [0.1]}, fixed=FIXED, partitions=0)
    with pytest.raises(TypeError, match="`client` must be"):
        run_batch(prep, {"short_delta": [0.1]}, fixed=FIXED, client=3)


# --------------------------------------------------------------------------- prepared chains


def test_prepared_chain_windows_and_ranges(prep):
    part = prepare_chain(prep, start="2017-03-01", end="2017-03-31")
    assert isinstance(part, PreparedChain)
    assert str(part.date(0)) == "2017-03-01"
    assert str(part.date(part.n_days - 1)) == "2017-03-31"
    assert part.offsets[0] == 0
    assert part.offsets[-1] == part.n_rows
    assert np.array_equal(
        part.strike, prep.strike[prep.offsets[part_first(prep, part)] :][: part.n_rows]
    )
    direct = run_backtest(prep, start="2017-03-01", end="2017-06-30", width=25.0)
    via = run_backtest(prepare_chain(prep, start="2017-03-01", end="2017-06-30"), width=25.0)
    assert direct.equity.equals(via.equity)
    assert direct.trades.equals(via.trades)
    with pytest.raises(ValueError, match="no chain date"):
        prepare_chain(prep, start="2019-01-01")
    with pytest.raises(ValueError, match="window"):
        prep.window(5, 5)


def part_first(prep, part):
    return int(np.searchsorted(prep.day_num, part.day_num[0]))


def test_prepared_chain_pickles_as_arrays(prep):
    import pickle

    back = pickle.loads(pickle.dumps(prep))
    assert isinstance(back, PreparedChain)
    assert all(
        np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        for a, b in zip(back.kernel_args(), prep.kernel_args(), strict=True)
    )
