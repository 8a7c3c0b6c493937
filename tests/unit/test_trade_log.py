"""The trade log: per-leg fill prices that add up to the credits and debits, positions by bar."""

from __future__ import annotations

import polars as pl
import pytest

from fastopt.backtest import run_backtest
from fastopt.data import generate_chains


@pytest.fixture(scope="module")
def chain():
    return generate_chains(start="2018-01-01", end="2018-06-30", max_dte=60, seed=21)


def units_of(trade):
    return [int(x.split()[0]) // trade["quantity"] for x in trade["legs"]]


@pytest.mark.parametrize(
    "rules",
    [
        {"structure": "iron_condor", "short_delta": 0.16, "width": 25.0, "slippage": 0.2},
        {"structure": "call_butterfly", "short_delta": 0.4, "width": 20.0, "fill": "mid",
         "profit_target": 1.0, "stop_loss": 0.5},
        {"structure": "short_strangle", "short_delta": 0.2, "settlement": "physical",
         "profit_target": None, "stop_loss": None, "max_margin_usage": None},
    ],
)  # fmt: skip
def test_leg_prices_add_up_to_credit_and_debit(chain, rules):
    res = run_backtest(chain, min_dte=20, max_dte=45, max_positions=2, **rules)
    assert res.trades.height > 2
    for t in res.trades.iter_rows(named=True):
        u = units_of(t)
        assert len(t["entry_prices"]) == len(t["exit_prices"]) == len(u)
        credit = sum(-k * p for k, p in zip(u, t["entry_prices"], strict=True))
        debit = sum(-k * p for k, p in zip(u, t["exit_prices"], strict=True))
        assert t["entry_credit"] == pytest.approx(credit, abs=1e-9)
        assert t["exit_debit"] == pytest.approx(debit, abs=1e-9)
        if t["exit_reason"] == "expiry":
            for text, price in zip(t["legs"], t["exit_prices"], strict=True):
                _, kind, strike, _ = text.split()
                s, k = t["exit_underlying"], float(strike)
                assert price == pytest.approx(max(s - k, 0.0) if kind == "C" else max(k - s, 0.0))


def test_entry_prices_are_the_quotes_worsened_by_slippage(chain):
    res = run_backtest(chain, "bull_put_spread", short_delta=0.25, width=25.0, min_dte=20,
                       max_dte=45, slippage=0.5)  # fmt: skip
    t = res.trades.row(0, named=True)
    day = chain.filter(pl.col("date") == t["entry_date"])
    for text, price in zip(t["legs"], t["entry_prices"], strict=True):
        units, _, strike, _ = text.split()
        q = day.filter((pl.col("kind") == "put") & (pl.col("strike") == float(strike))
                       & (pl.col("expiry") == t["expiry"])).row(0, named=True)  # fmt: skip
        half = 0.5 * (q["ask"] - q["bid"])
        want = q["bid"] - half if int(units) < 0 else q["ask"] + half
        assert price == pytest.approx(want)


def test_positions_by_bar(chain):
    res = run_backtest(chain, "short_put", short_delta=0.2, min_dte=20, max_dte=45,
                       max_positions=3)  # fmt: skip
    held = res.positions()
    counts = dict(held.group_by("date").len().iter_rows())
    for date, n in res.equity.select("date", "open_positions").iter_rows():
        assert counts.get(date, 0) == n
    first = held.filter(pl.col("trade") == 0)
    assert first["date"].min() == res.trades["entry_date"][0]
    assert first["date"].max() < res.trades["exit_date"][0]


def test_exit_fill_at_mid_with_slippage(chain):
    rules = {"structure": "bull_put_spread", "short_delta": 0.3, "width": 25.0,
             "min_dte": 20, "max_dte": 45, "max_hold_days": 10, "profit_target": None,
             "stop_loss": None}  # fmt: skip
    mid = run_backtest(chain, **rules, exit_fill="mid", slippage=0.25)
    t = mid.trades.filter(pl.col("exit_reason") == "max_hold").row(0, named=True)
    day = chain.filter((pl.col("date") == t["exit_date"]) & (pl.col("expiry") == t["expiry"]))
    for text, price in zip(t["legs"], t["exit_prices"], strict=True):
        units, _, strike, _ = text.split()
        q = day.filter((pl.col("kind") == "put") & (pl.col("strike") == float(strike))).row(
            0, named=True)  # fmt: skip
        cost = 0.25 * (q["ask"] - q["bid"])
        half = 0.5 * (q["bid"] + q["ask"])
        assert price == pytest.approx(half + cost if int(units) < 0 else half - cost)
    assert t["exit_debit"] == pytest.approx(
        sum(-int(x.split()[0]) * p for x, p in zip(t["legs"], t["exit_prices"], strict=True))
    )
    with pytest.raises(ValueError, match="exit_fill"):
        run_backtest(chain, **rules, exit_fill="bid")
