"""run_backtest: timeframes (intraday bars, decide weekly / manage daily), rolls, early
assignment (extrinsic and dividends) and physical settlement."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from fastopt.backtest import performance_metrics, replay, run_backtest
from fastopt.data import generate_chains

D = [dt.date(2024, 1, d) for d in (2, 3, 4, 5, 8)]
EXP = dt.date(2024, 1, 5)
BASE = {"min_dte": 1, "max_dte": 60, "profit_target": None, "stop_loss": None,
        "max_margin_usage": None}  # fmt: skip


def quote(day, strike, kind, bid, ask, delta, und, expiry=EXP, **extra):
    return {"date": day, "expiry": expiry, "strike": float(strike), "kind": kind, "bid": bid,
            "ask": ask, "underlying": und, "delta": delta, "iv": 0.3, **extra}  # fmt: skip


@pytest.fixture(scope="module")
def daily():
    return generate_chains(start="2017-01-01", end="2017-12-31", max_dte=60, seed=8)


@pytest.fixture(scope="module")
def intraday(daily):
    """Three bars a day (10:00, 13:00, 16:00) from the daily chain, prices nudged per bar."""
    part = daily.filter(pl.col("date") <= dt.date(2017, 6, 30))
    bars = []
    for k, (hour, bump) in enumerate(((10, -0.004), (13, 0.002), (16, 0.0))):
        bars.append(
            part.with_columns(
                (pl.col("date").cast(pl.Datetime("us")) + pl.duration(hours=hour)).alias("date"),
                pl.col("underlying") * (1.0 + bump),
                (pl.col("bid") * (1.0 + 0.02 * (k - 1))).round(2),
                (pl.col("ask") * (1.0 + 0.02 * (k - 1))).round(2),
            )
        )
    out = pl.concat(bars).sort("date", "expiry", "strike", "kind")
    return out.with_columns(pl.max_horizontal("bid", pl.col("ask")).alias("ask"))


# --------------------------------------------------------------------------- timeframes


def test_intraday_bars_run_and_settle_at_the_close(intraday):
    res = run_backtest(intraday, "iron_condor", short_delta=0.16, width=25.0, min_dte=20,
                       max_dte=45)  # fmt: skip
    assert res.equity["date"].dtype == pl.Datetime("us")
    assert res.equity.height == intraday["date"].n_unique()
    assert res.trades.height > 3
    expired = res.trades.filter(pl.col("exit_reason") == "expiry")
    assert expired.height > 0
    # options expire at the close: the expiry day's last bar
    assert (expired["exit_date"].dt.hour() == 16).all()
    assert (expired["exit_date"].dt.date() == expired["expiry"]).all()
    # metrics are on daily closes (annualised with 252 days)
    closes = res.equity.filter(pl.col("date").dt.hour() == 16)
    expected = performance_metrics(closes["equity"].to_numpy(), trades=res.trades["pnl"].to_numpy())
    assert res.metrics["sharpe"][0] == pytest.approx(expected["sharpe"][0], rel=1e-12)
    assert replay(res.trades, intraday).equity().equals(res.equity)


def test_decide_daily_manage_daily_on_intraday_bars(intraday):
    res = run_backtest(intraday, "short_put", short_delta=0.25, min_dte=20, max_dte=45,
                       profit_target=0.3, stop_loss=1.0, entry_timeframe="day",
                       manage_timeframe="day", max_positions=2)  # fmt: skip
    assert (res.trades["entry_date"].dt.hour() == 16).all()
    managed = res.trades.filter(pl.col("exit_reason").is_in(["profit_target", "stop_loss"]))
    assert managed.height > 0
    assert (managed["exit_date"].dt.hour() == 16).all()
    every_bar = run_backtest(intraday, "short_put", short_delta=0.25, min_dte=20, max_dte=45,
                             profit_target=0.3, stop_loss=1.0, max_positions=2)  # fmt: skip
    assert set(every_bar.trades["entry_date"].dt.hour().to_list()) & {10, 13}


def test_enter_weekly_manage_daily(daily):
    res = run_backtest(daily, "short_put", short_delta=0.2, min_dte=20, max_dte=45,
                       entry_timeframe="week", max_positions=5)  # fmt: skip
    days = daily["date"].unique().sort()
    week = days.dt.week()
    last_of_week = days.filter(week != week.shift(-1).fill_null(-1))
    assert res.trades.height > 10
    assert res.trades["entry_date"].is_in(last_of_week.implode()).all()
    monthly = run_backtest(daily, "short_put", short_delta=0.2, min_dte=20, max_dte=45,
                           entry_timeframe="month", max_positions=5)  # fmt: skip
    months = monthly.trades["entry_date"].dt.month()
    assert months.n_unique() == monthly.trades.height  # one entry a month at most


# --------------------------------------------------------------------------- rolls


def test_roll_closes_and_reopens_on_the_same_day(daily):
    res = run_backtest(daily, "short_strangle", short_delta=0.16, min_dte=30, max_dte=50,
                       profit_target=None, stop_loss=None, roll_dte=21,
                       max_margin_usage=None)  # fmt: skip
    t = res.trades.with_row_index("trade")
    rolls = t.filter(pl.col("exit_reason") == "roll")
    assert rolls.height > 3
    for row in rolls.iter_rows(named=True):
        nxt = t.filter(pl.col("rolled_from") == row["trade"])
        assert nxt.height == 1
        assert nxt["entry_date"][0] == row["exit_date"]
        assert (nxt["expiry"][0] - nxt["entry_date"][0]).days >= 30
        assert (row["expiry"] - row["exit_date"]).days <= 21
    assert t.filter(pl.col("rolled_from").is_not_null()).height == rolls.height
    by_delta = run_backtest(daily, "short_put", short_delta=0.2, min_dte=20, max_dte=45,
                            roll_delta=0.3, profit_target=None, stop_loss=None)  # fmt: skip
    rolled = by_delta.trades.filter(pl.col("exit_reason") == "roll")
    assert rolled.height > 0
    assert (rolled["short_put_delta_exit"].abs() >= 0.3).all()


# --------------------------------------------------------------------------- assignment


def test_early_assignment_when_extrinsic_value_is_gone():
    rows = []
    for day, und, (b, a) in zip(D[:3], (100.0, 90.0, 89.0), ((1.0, 1.1), (5.2, 5.4), (6.0, 6.1)),
                                strict=True):  # fmt: skip
        rows.append(quote(day, 95, "put", b, a, -0.3, und))
    res = run_backtest(pl.DataFrame(rows), "short_put", short_delta=0.3, **BASE,
                       early_assignment_extrinsic=0.2)  # fmt: skip
    t = res.trades.row(0, named=True)
    # day 2: intrinsic 5, mid 5.3: extrinsic 0.3 stays; day 3: intrinsic 6, mid 6.05 -> assigned
    assert t["exit_reason"] == "early_assignment"
    assert t["exit_date"] == D[2]
    assert t["exit_debit"] == pytest.approx(6.0)
    assert t["pnl"] == pytest.approx((1.0 - 6.0) * 100)


def test_short_call_assigned_before_an_ex_dividend_date():
    rows = []
    for day, und, div in zip(D[:4], (100.0, 104.0, 104.0, 103.0), (0.0, 0.0, 0.0, 1.5),
                             strict=True):  # fmt: skip
        rows.append(quote(day, 100, "call", 4.8 if day > D[0] else 1.0,
                          5.0 if day > D[0] else 1.1, 0.3, und, expiry=dt.date(2024, 1, 19),
                          dividend=div))  # fmt: skip
    res = run_backtest(pl.DataFrame(rows), "short_call", short_delta=0.3, **BASE)
    t = res.trades.row(0, named=True)
    # extrinsic 4.9 - 4 = 0.9 < the 1.5 dividend going ex on D[3]: assigned on D[2]
    assert t["exit_reason"] == "early_assignment"
    assert t["exit_date"] == D[2]
    assert t["exit_debit"] == pytest.approx(4.0)
    no_div = run_backtest(pl.DataFrame(rows).drop("dividend"), "short_call", short_delta=0.3,
                          **BASE)  # fmt: skip
    assert no_div.trades["exit_reason"][0] == "end_of_data"


def test_physical_settlement_sells_the_stock_on_the_next_bar():
    rows = [quote(D[0], 95, "put", 1.0, 1.1, -0.3, 100.0)]
    rows += [quote(D[1], 95, "put", 3.0, 3.2, -0.6, 93.0)]
    rows += [quote(D[2], 95, "put", 3.9, 4.1, -0.8, 92.0)]
    rows += [quote(D[3], 95, "put", 4.0, 4.0, -1.0, 91.0)]  # expiry day: ITM by 4
    rows += [quote(D[4], 95, "put", 3.0, 3.0, -1.0, 92.5, expiry=dt.date(2024, 2, 16))]
    chain = pl.DataFrame(rows)
    cash = run_backtest(chain, "short_put", short_delta=0.3, **BASE, max_positions=1,
                        weekdays=["tue"])  # fmt: skip
    phys = run_backtest(chain, "short_put", short_delta=0.3, **BASE, max_positions=1,
                        weekdays=["tue"], settlement="physical")  # fmt: skip
    c, p = cash.trades.row(0, named=True), phys.trades.row(0, named=True)
    assert c["exit_reason"] == "expiry"
    assert c["pnl"] == pytest.approx((1.0 - 4.0) * 100)
    assert p["exit_reason"] == "assigned_at_expiry"
    assert p["exit_date"] == D[4]
    assert p["exit_debit"] == pytest.approx(95.0 - 92.5)  # bought at 95, sold at 92.5
    assert p["pnl"] == pytest.approx((1.0 - 2.5) * 100)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"entry_timeframe": "fortnight"}, "entry_timeframe"),
        ({"manage_timeframe": 3}, "manage_timeframe"),
        ({"roll_dte": 40}, "`roll_dte` .* must be < `min_dte`"),
        ({"roll_delta": 0.0}, "roll_delta"),
        ({"early_assignment_extrinsic": -1.0}, "early_assignment_extrinsic"),
        ({"settlement": "stock"}, "settlement"),
    ],
)
def test_bad_event_rules(daily, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        run_backtest(daily, "short_put", min_dte=30, **kwargs)


def test_negative_dividends_are_refused():
    chain = pl.DataFrame([quote(D[0], 95, "put", 1.0, 1.1, -0.3, 100.0, dividend=-1.0),
                          quote(D[1], 95, "put", 1.0, 1.1, -0.3, 100.0, dividend=0.0)])  # fmt: skip
    with pytest.raises(ValueError, match="dividend"):
        run_backtest(chain, "short_put", short_delta=0.3, **BASE)
