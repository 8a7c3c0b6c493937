"""run_backtest v2 rules: margin check and sizing, volume cap, fees, IV-rank filters,
delta-breach exits, Greeks and IV at entry and exit."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from fastopt import Strategy, bs_greeks, iv_percentile, iv_rank
from fastopt.backtest import NoTradesWarning, prepare_chain, run_backtest
from fastopt.data import generate_chains
from fastopt.strategies.margin import margin

D = [dt.date(2024, 1, d) for d in (2, 3, 4, 5, 8, 9)]
EXP = dt.date(2024, 2, 16)


def quote(day, strike, kind, bid, ask, delta, und=100.0, iv=0.2, volume=None):
    row = {"date": day, "expiry": EXP, "strike": float(strike), "kind": kind, "bid": bid,
           "ask": ask, "underlying": und, "delta": delta, "iv": iv}  # fmt: skip
    if volume is not None:
        row["volume"] = volume
    return row


def put_chain(deltas=(-0.25,) * 6, volume=None, und=100.0):
    """One 95 put (bid 1.00 / ask 1.10) and a 90 put (0.30 / 0.40) per day."""
    rows = []
    for day, d95 in zip(D, deltas, strict=True):
        rows.append(quote(day, 90, "put", 0.30, 0.40, -0.1, und=und, volume=volume))
        rows.append(quote(day, 95, "put", 1.00, 1.10, d95, und=und, volume=volume))
    return pl.DataFrame(rows)


SHORT_PUT = {"structure": "short_put", "short_delta": 0.25, "min_dte": 5, "max_dte": 60,
             "profit_target": None, "stop_loss": None}  # fmt: skip


def leg_key(strike, kind, expiry):
    return (
        (pl.col("strike") == float(strike))
        & (pl.col("kind") == ("put" if kind == "P" else "call"))
        & (pl.col("expiry") == dt.date.fromisoformat(expiry))
    )


@pytest.fixture(scope="module")
def generated():
    return generate_chains(start="2017-01-01", end="2018-12-31", max_dte=60, seed=9)


# --------------------------------------------------------------------------- margin


def test_bpr_of_a_short_put_is_the_reg_t_requirement_less_the_credit():
    res = run_backtest(put_chain(), **SHORT_PUT, max_positions=1)
    t = res.trades.row(0, named=True)
    # Reg T broad index: 1.00 + max(15 % x 100 - 5 OTM, 10 % x 95) = 1.00 + 10 = 11 per share
    assert t["bpr"] == pytest.approx((11.0 - 1.0) * 100)
    s = Strategy.from_text("-1 P 95 @1.0 2024-02-16", spot=100.0, asof=D[0])
    m = margin(s, underlying="broad_index")
    assert t["bpr"] == pytest.approx(m.buying_power_reduction)


def test_bpr_of_spreads_and_condors_matches_the_margin_module(generated):
    for structure in ("bull_put_spread", "iron_condor", "short_strangle"):
        res = run_backtest(generated, structure, short_delta=0.2, width=50.0, min_dte=20,
                           max_dte=45, end="2017-06-30")  # fmt: skip
        for t in res.trades.head(3).iter_rows(named=True):
            chain_day = generated.filter(pl.col("date") == t["entry_date"])
            legs = []
            for text in t["legs"]:
                n, kind, strike, expiry = text.split()
                row = chain_day.filter(leg_key(strike, kind, expiry))
                price = row["bid"][0] if int(n) < 0 else row["ask"][0]
                legs.append(f"{n} {kind} {strike} @{price} {expiry}")
            s = Strategy.from_text(
                "; ".join(legs), spot=t["entry_underlying"], asof=t["entry_date"]
            )
            m = margin(s, underlying="broad_index")
            assert t["bpr"] == pytest.approx(m.buying_power_reduction, rel=1e-9, abs=1e-6), (
                structure, t["legs"])  # fmt: skip


def test_margin_check_skips_entries_that_do_not_fit():
    # BPR 1,000 per position: 2,500 of capital holds two, not three
    res = run_backtest(put_chain(), **SHORT_PUT, max_positions=3, capital=2_500.0)
    assert res.trades.height == 2
    assert res.equity["open_positions"].max() == 2
    free = run_backtest(put_chain(), **SHORT_PUT, max_positions=3, capital=2_500.0,
                        max_margin_usage=None)  # fmt: skip
    assert free.equity["open_positions"].max() == 3
    with pytest.warns(NoTradesWarning):
        run_backtest(put_chain(), **SHORT_PUT, capital=900.0)


def test_capital_per_trade_sizes_by_margin():
    res = run_backtest(put_chain(), **SHORT_PUT, capital=100_000.0, capital_per_trade=0.25,
                       max_positions=2)  # fmt: skip
    first, second = res.trades.row(0, named=True), res.trades.row(1, named=True)
    assert first["quantity"] == 25  # floor(0.25 x 100,000 / 1,000)
    assert first["legs"] == ["-25 P 95 2024-02-16"]
    assert first["bpr"] == pytest.approx(25_000.0)
    # the second entry is sized on the account value then (marked at mid: -0.05 x 2,500)
    assert second["quantity"] == math.floor(0.25 * (100_000.0 - 0.05 * 2_500) / 1_000.0)
    capped = run_backtest(put_chain(), **SHORT_PUT, capital=10_000.0, capital_per_trade=1.0,
                          max_margin_usage=0.5)  # fmt: skip
    assert capped.trades["quantity"][0] == 5


def test_volume_participation_caps_the_size():
    res = run_backtest(put_chain(volume=40.0), **SHORT_PUT, quantity=10,
                       max_volume_participation=0.1)  # fmt: skip
    assert res.trades["quantity"].to_list()[0] == 4
    with pytest.warns(NoTradesWarning):
        run_backtest(put_chain(volume=5.0), **SHORT_PUT, max_volume_participation=0.1)
    no_volume = run_backtest(put_chain(), **SHORT_PUT, quantity=10, max_volume_participation=0.1)
    assert no_volume.trades["quantity"][0] == 10  # no volume column: no cap


def test_fees_are_charged_with_every_commission():
    fees = {"commission_per_contract": 0.65, "commission_per_order": 1.0, "fee_per_contract": 0.05}
    res = run_backtest(put_chain(), **SHORT_PUT, **fees, quantity=2, max_hold_days=3)
    t = res.trades.row(0, named=True)
    assert t["entry_commissions"] == pytest.approx(2 * 0.70 + 1.0)
    assert t["exit_commissions"] == pytest.approx(2 * 0.70 + 1.0)
    assert t["pnl"] == pytest.approx((1.00 - 1.10) * 200 - 2 * 2.4)


# --------------------------------------------------------------------------- exits


def test_delta_breach_exit():
    res = run_backtest(put_chain(deltas=(-0.25, -0.28, -0.41, -0.45, -0.5, -0.5)), **SHORT_PUT,
                       delta_exit=0.4)  # fmt: skip
    t = res.trades.row(0, named=True)
    assert t["exit_reason"] == "delta_breach"
    assert t["exit_date"] == D[2]
    assert t["short_put_delta_exit"] == pytest.approx(-0.41)
    assert t["short_put_delta"] == pytest.approx(-0.25)


# --------------------------------------------------------------------------- greeks


def test_greeks_and_iv_at_entry_and_exit(generated):
    res = run_backtest(generated, "iron_condor", short_delta=0.16, width=50.0, quantity=2,
                       end="2017-06-30")  # fmt: skip
    t = res.trades.row(0, named=True)
    day = generated.filter(pl.col("date") == t["entry_date"])
    total = dict.fromkeys(("delta", "gamma", "vega", "theta"), 0.0)
    for text in t["legs"]:
        n, kind, strike, expiry = text.split()
        row = day.filter(leg_key(strike, kind, expiry)).row(0, named=True)
        tau = (dt.date.fromisoformat(expiry) - t["entry_date"]).days / 365.0
        g = bs_greeks(row["underlying"], float(strike), tau, row["iv"],
                      kind="put" if kind == "P" else "call")  # fmt: skip
        units = int(n) * 100
        total["delta"] += units * g.delta
        total["gamma"] += units * g.gamma
        total["vega"] += units * g.vega / 100
        total["theta"] += units * g.theta / 365
    for greek, value in total.items():
        assert t[f"entry_{greek}"] == pytest.approx(value, rel=1e-12, abs=1e-12), greek
    assert t["entry_theta"] > 0.0  # short premium earns time decay
    assert t["entry_vega"] < 0.0
    closed = res.trades.filter(pl.col("exit_reason") != "end_of_data")
    assert closed["exit_delta"].null_count() == 0
    assert closed["short_put_iv_exit"].null_count() == 0
    assert (res.trades["exit_underlying"].is_not_null()).all()


# --------------------------------------------------------------------------- iv rank


def test_iv_rank_of_the_prepared_chain_matches_an_independent_computation(generated):
    prep = prepare_chain(generated)
    dte = (pl.col("expiry") - pl.col("date")).dt.total_days()
    atm = (
        generated.filter(dte >= 7)
        .with_columns(err=(dte - 30).abs(), dist=(pl.col("strike") - pl.col("underlying")).abs())
        .filter(pl.col("err") == pl.col("err").min().over("date"))
        .filter(pl.col("dist") == pl.col("dist").min().over("date"))
        .group_by("date").agg(pl.col("iv").mean()).sort("date")
    )  # fmt: skip
    series = atm["iv"].to_numpy()
    np.testing.assert_allclose(prep.day_f[:, 0], iv_rank(series, window=252), rtol=1e-12)
    np.testing.assert_allclose(prep.day_f[:, 1], iv_percentile(series, window=252), rtol=1e-12)
    assert np.isnan(prep.day_f[:251, :2]).all()
    assert np.isfinite(prep.day_f[251:, :2]).all()
    assert (prep.day_f[:, 2] == 0.0).all()  # no dividend column
    # a later start keeps the rank computed over the whole chain
    late = prepare_chain(generated, start="2018-03-01")
    np.testing.assert_array_equal(late.day_f, prep.day_f[-late.n_days :])


def test_iv_rank_and_percentile_filters(generated):
    prep = prepare_chain(generated)
    rank = pl.DataFrame({"date": prep.dates, "ivr": prep.day_f[:, 0], "ivp": prep.day_f[:, 1]})
    high = run_backtest(prep, "short_put", short_delta=0.2, min_dte=20, max_dte=45,
                        iv_rank_min=50.0, max_positions=3)  # fmt: skip
    entries = rank.join(high.trades.select(date="entry_date"), on="date")
    assert entries.height == high.trades.height > 0
    assert (entries["ivr"] >= 50.0).all()
    band = run_backtest(prep, "short_put", short_delta=0.2, min_dte=20, max_dte=45,
                        iv_percentile_min=20.0, iv_percentile_max=60.0)  # fmt: skip
    got = rank.join(band.trades.select(date="entry_date"), on="date")
    assert got["ivp"].is_between(20.0, 60.0).all()
    assert band.trades.height > 0
    first_day = prep.date(251)
    assert band.trades["entry_date"].min() >= first_day  # no rank, no entry
    unfiltered = run_backtest(prep, "short_put", short_delta=0.2, min_dte=20, max_dte=45)
    assert unfiltered.trades["entry_date"].min() < first_day


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"iv_rank_min": 60.0, "iv_rank_max": 40.0}, "`iv_rank_min` .* must be <= `iv_rank_max`"),
        ({"iv_percentile_max": 101.0}, "iv_percentile_max"),
        ({"delta_exit": 0.0}, "`delta_exit` must be > 0"),
        ({"max_margin_usage": -1.0}, "max_margin_usage"),
        ({"capital_per_trade": 0.0}, "`capital_per_trade` must be in"),
        ({"capital_per_trade": 1.5}, "capital_per_trade"),
        ({"max_volume_participation": 0.0}, "max_volume_participation"),
        ({"fee_per_contract": -0.1}, "fee_per_contract"),
        ({"underlying_type": "crypto"}, "underlying_type"),
    ],
)
def test_bad_new_rules(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_backtest(put_chain(), **SHORT_PUT, **kwargs)


# --------------------------------------------------------------------------- moneyness, ticks


def test_short_moneyness_picks_strikes_by_distance_from_the_spot(generated):
    res = run_backtest(generated, "short_strangle", short_moneyness=0.05, min_dte=20,
                       max_dte=45, end="2017-06-30", max_margin_usage=None)  # fmt: skip
    assert res.trades.height > 2
    for t in res.trades.iter_rows(named=True):
        day = generated.filter(
            (pl.col("date") == t["entry_date"]) & (pl.col("expiry") == t["expiry"])
        )
        spot = t["entry_underlying"]
        for text in t["legs"]:
            _, kind, strike, _ = text.split()
            name = "put" if kind == "P" else "call"
            want = spot * (0.95 if kind == "P" else 1.05)
            strikes = day.filter(pl.col("kind") == name)["strike"].to_numpy()
            assert abs(float(strike) - want) == pytest.approx(np.abs(strikes - want).min())


def test_tick_slippage_moves_every_entry_price():
    base = run_backtest(put_chain(), **SHORT_PUT)
    slipped = run_backtest(put_chain(), **SHORT_PUT, slippage_ticks=2, tick_size=0.05)
    assert base.trades["entry_prices"][0].to_list() == [1.0]
    assert slipped.trades["entry_prices"][0].to_list() == [pytest.approx(0.9)]
    assert slipped.trades["entry_credit"][0] == pytest.approx(0.9)


def test_metrics_include_the_buy_and_hold_benchmark(generated):
    from fastopt.backtest import performance_metrics

    res = run_backtest(generated, "iron_condor", short_delta=0.16, width=50.0, end="2017-12-31")
    und = generated.filter(pl.col("date") <= dt.date(2017, 12, 31)).group_by(
        "date", maintain_order=True).agg(pl.col("underlying").first())  # fmt: skip
    want = performance_metrics(res.equity["equity"].to_numpy(),
                               benchmark=und["underlying"].to_numpy())  # fmt: skip
    for col in ("benchmark_return", "excess_return", "beta", "correlation"):
        assert res.metrics[col][0] == pytest.approx(want[col][0], rel=1e-12), col
    last, first = und["underlying"][-1], und["underlying"][0]
    assert res.metrics["benchmark_return"][0] == pytest.approx(last / first - 1)


def test_gamma_and_vega_breach_exits(generated):
    base = {"structure": "short_strangle", "short_delta": 0.2, "min_dte": 20, "max_dte": 45,
            "quantity": 2, "max_margin_usage": None, "end": "2017-12-31"}  # fmt: skip
    free = run_backtest(generated, **base)
    threshold = float(free.trades["entry_vega"].abs().median()) * 0.9
    res = run_backtest(generated, **base, vega_exit=threshold)
    hit = res.trades.filter(pl.col("exit_reason") == "greek_breach")
    assert hit.height > 0
    assert (hit["exit_vega"].abs() >= threshold * (1 - 1e-9)).all()
    g_threshold = float(free.trades["entry_gamma"].abs().median()) * 1.1
    by_gamma = run_backtest(generated, **base, gamma_exit=g_threshold)
    g_hit = by_gamma.trades.filter(pl.col("exit_reason") == "greek_breach")
    assert g_hit.height > 0
    assert (g_hit["exit_gamma"].abs() >= g_threshold * (1 - 1e-9)).all()
    with pytest.raises(ValueError, match="vega_exit"):
        run_backtest(generated, **base, vega_exit=0.0)
