"""Replay from the trade log: bit-identical equity, positions on a date, fills in order."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from fastopt.backtest import prepare_chain, replay, run_backtest
from fastopt.data import generate_chains


@pytest.fixture(scope="module")
def chain():
    return generate_chains(start="2017-01-01", end="2017-12-31", max_dte=60, seed=4)


RUNS = [
    {"structure": "iron_condor", "short_delta": 0.16, "width": 25.0, "max_positions": 3,
     "commission_per_contract": 0.65, "commission_per_order": 1.0},
    {"structure": "short_strangle", "short_delta": 0.2, "quantity": 2, "max_positions": 2,
     "stop_loss": 1.0, "max_margin_usage": None, "fee_per_contract": 0.05},
    {"structure": "bull_put_spread", "short_delta": 0.3, "width": 10.0, "weekdays": ["mon"],
     "max_positions": 4, "capital_per_trade": 0.05, "exit_dte": 7},
]  # fmt: skip


@pytest.mark.parametrize("rules", RUNS)
def test_equity_rebuilt_from_the_log_is_bit_identical(chain, rules):
    res = run_backtest(chain, min_dte=20, max_dte=45, **rules)
    assert res.trades.height > 3
    rep = replay(res.trades, chain)
    assert rep.equity().equals(res.equity)


def test_replay_from_saved_parquet(chain, tmp_path):
    res = run_backtest(chain, short_delta=0.16, width=25.0, max_positions=2, capital=50_000.0)
    res.save(tmp_path)
    log = pl.read_parquet(tmp_path / "trades.parquet")
    rep = replay(log, prepare_chain(chain), capital=50_000.0)
    assert rep.equity().equals(res.equity)


def test_positions_on_a_date_match_the_run(chain):
    res = run_backtest(chain, short_delta=0.16, width=25.0, max_positions=3, min_dte=20,
                       max_dte=45)  # fmt: skip
    rep = replay(res.trades, chain)
    for row in res.equity.gather_every(17).iter_rows(named=True):
        pos = rep.positions(row["date"])
        assert pos.height == row["open_positions"]
        realised = res.trades.filter(pl.col("exit_date") <= row["date"])["pnl"].sum()
        if pos["unrealised_pnl"].null_count() == 0:
            total = 100_000.0 + realised + pos["unrealised_pnl"].sum()
            assert total == pytest.approx(row["equity"], abs=1e-6)
    with pytest.raises(ValueError, match="not a trading day"):
        rep.positions(dt.date(2017, 1, 1))


def test_events_step_through_every_fill_in_order(chain):
    res = run_backtest(chain, short_delta=0.16, width=25.0, max_positions=2)
    rep = replay(res.trades, chain)
    events = rep.events()
    assert events.height == 2 * res.trades.height
    assert events["date"].is_sorted()
    assert list(rep) == events.to_dicts()
    opened: set[int] = set()
    for e in rep:
        if e["action"] == "open":
            opened.add(e["trade"])
        else:
            assert e["trade"] in opened
            assert e["pnl"] == res.trades["pnl"][e["trade"]]
    same_day = events.filter(pl.col("date").is_duplicated())
    for _, group in same_day.group_by("date"):
        actions = group["action"].to_list()
        assert actions == sorted(actions)  # "close" before "open"


def test_bad_logs(chain):
    res = run_backtest(chain, short_delta=0.16, width=25.0)
    with pytest.raises(TypeError, match="Polars DataFrame"):
        replay(res.trades.to_dicts(), chain)
    with pytest.raises(ValueError, match="missing the trade-log columns"):
        replay(res.trades.drop("pnl"), chain)
    broken = res.trades.with_columns(pl.col("legs").list.eval(pl.lit("nonsense")))
    with pytest.raises(ValueError, match="row 0: leg 'nonsense'"):
        replay(broken, chain)
    with pytest.raises(ValueError, match="not a trading day"):
        replay(res.trades, generate_chains(start="2017-06-01", end="2017-12-31", max_dte=60))
    open_trade = res.trades.with_columns(pl.lit(None, dtype=pl.Date).alias("exit_date"))
    with pytest.raises(ValueError, match="without an exit date"):
        replay(open_trade, chain)


def test_stock_legs_and_bad_quantities_are_read_by_the_one_leg_parser(chain):
    """The log's legs are read by fastopt.positions.from_trades (a stock leg in shares)."""
    res = run_backtest(chain, "covered_call", short_delta=0.3, capital=1e6, min_dte=20, max_dte=45)
    assert any(leg.endswith(" S") for legs in res.trades["legs"].to_list() for leg in legs)
    assert replay(res.trades, chain, capital=1e6).equity().equals(res.equity)
    with pytest.raises(ValueError, match=r"`trades` row 0: `quantity` is 0"):
        replay(res.trades.with_columns(pl.lit(0, dtype=pl.Int64).alias("quantity")), chain)
    with pytest.raises(ValueError, match=r"`trades` row 0: 0 legs, expected 1\.\."):
        replay(res.trades.with_columns(pl.lit([], dtype=pl.List(pl.String)).alias("legs")), chain)
