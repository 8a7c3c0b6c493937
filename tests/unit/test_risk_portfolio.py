"""fastopt.risk.Portfolio: positions, market updates, Greeks, scenario grid."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from fastopt import Leg, bs_greeks, bs_price, iron_condor
from fastopt.backtest import run_backtest
from fastopt.risk import MarketState, Portfolio

DAY = dt.date(2025, 2, 19)
EXP = dt.date(2025, 3, 21)
T = (EXP - DAY).days / 365.0


def small_book() -> tuple[Portfolio, dict[str, int]]:
    book = Portfolio()
    ids = {
        "spy_put": book.add_option("SPY", "put", 450.0, EXP, -3, iv=0.2, entry_price=5.0),
        "spy_stock": book.add_stock("SPY", 120, entry_price=455.0),
        "qqq_call": book.add_option("QQQ", "call", 400.0, EXP, 2, iv=0.25),
    }
    book.update(
        {
            "SPY": MarketState(460.0, DAY, rate=0.04, div=0.01),
            "QQQ": MarketState(395.0, DAY, rate=0.04),
        }
    )
    return book, ids


def test_greeks_against_bs_greeks_per_position_and_by_hand():
    book, ids = small_book()
    g = book.greeks()
    put = bs_greeks(460.0, 450.0, T, 0.2, 0.04, 0.01, kind="put")
    call = bs_greeks(395.0, 400.0, T, 0.25, 0.04, 0.0, kind="call")
    rows = {r["id"]: r for r in g.positions.iter_rows(named=True)}
    p, c, s = rows[ids["spy_put"]], rows[ids["qqq_call"]], rows[ids["spy_stock"]]
    assert p["value"] == pytest.approx(-300 * put.price, rel=1e-13)
    assert p["delta"] == pytest.approx(-300 * put.delta, rel=1e-13)
    assert p["gamma"] == pytest.approx(-300 * put.gamma, rel=1e-13)
    assert p["vega"] == pytest.approx(-3 * put.vega, rel=1e-13)  # per vol point
    assert p["theta"] == pytest.approx(-300 * put.theta / 365, rel=1e-13)  # per day
    assert p["rho"] == pytest.approx(-3 * put.rho, rel=1e-13)
    assert p["vanna"] == pytest.approx(-3 * put.vanna, rel=1e-13)
    assert p["volga"] == pytest.approx(-0.03 * put.volga, rel=1e-13)
    assert p["charm"] == pytest.approx(-300 * put.charm / 365, rel=1e-13)
    assert p["dollar_gamma"] == pytest.approx(-300 * put.gamma * 460.0**2 / 100, rel=1e-13)
    assert c["delta"] == pytest.approx(200 * call.delta, rel=1e-13)
    assert s["value"] == 120 * 460.0
    assert s["delta"] == 120.0
    assert s["gamma"] == 0.0
    by = {r["underlying"]: r for r in g.by_underlying.iter_rows(named=True)}
    assert by["SPY"]["delta"] == pytest.approx(-300 * put.delta + 120, rel=1e-13)
    assert by["SPY"]["dollar_delta"] == pytest.approx((-300 * put.delta + 120) * 460, rel=1e-13)
    assert by["SPY"]["n_positions"] == 2
    assert by["QQQ"]["n_positions"] == 1
    assert by["SPY"]["notional"] == pytest.approx(420 * 460.0)
    assert g.total["vega"] == pytest.approx(-3 * put.vega + 2 * call.vega, rel=1e-13)
    assert g.total["value"] == pytest.approx(-300 * put.price + 55_200 + 200 * call.price)
    assert g.complete
    assert g.missing == ()


def test_a_strategy_in_the_portfolio_has_the_strategys_greeks():
    ic = iron_condor(100.0, 90.0, 95.0, 105.0, 110.0, EXP, vol=0.2, asof=DAY)
    book = Portfolio()
    ids = book.add_strategy(ic, "XYZ", quantity=2)
    g = book.update({"XYZ": {"spot": 100.0, "date": DAY}})
    want = ic.greeks(100.0)
    assert len(ids) == 4
    assert g.total["value"] == pytest.approx(2 * want.price, rel=1e-12)
    assert g.total["delta"] == pytest.approx(2 * want.delta, rel=1e-12)
    assert g.total["gamma"] == pytest.approx(2 * want.gamma, rel=1e-12)
    assert g.total["vega"] == pytest.approx(2 * want.vega / 100, rel=1e-12)
    assert g.positions["group"].n_unique() == 1


def test_market_update_only_some_underlyings_and_ivs():
    book, ids = small_book()
    before = book.greeks().by_underlying.filter(pl.col("underlying") == "QQQ")["delta"][0]
    g = book.update({"SPY": MarketState(440.0, DAY)}, ivs={ids["spy_put"]: 0.3})
    qqq = g.by_underlying.filter(pl.col("underlying") == "QQQ")["delta"][0]
    assert qqq == before  # QQQ kept its market
    put = bs_greeks(440.0, 450.0, T, 0.3, kind="put")
    row = g.positions.filter(pl.col("id") == ids["spy_put"]).row(0, named=True)
    assert row["delta"] == pytest.approx(-300 * put.delta, rel=1e-13)
    assert row["vol"] == 0.3


def test_missing_iv_makes_the_risk_undefined_never_smaller():
    book = Portfolio()
    a = book.add_option("SPY", "put", 450.0, EXP, -1)  # no iv
    book.add_stock("SPY", 100)
    book.add_stock("QQQ", 10)
    g = book.update({"SPY": MarketState(460.0, DAY), "QQQ": MarketState(400.0, DAY)})
    assert g.missing == (a,)
    assert not g.complete
    assert math.isnan(g.total["delta"])
    assert math.isnan(g.total["value"])
    spy = g.by_underlying.filter(pl.col("underlying") == "SPY").row(0, named=True)
    qqq = g.by_underlying.filter(pl.col("underlying") == "QQQ").row(0, named=True)
    assert math.isnan(spy["delta"])
    assert qqq["delta"] == 10.0
    with pytest.raises(ValueError, match=f"position {a} has no implied vol"):
        book.scenario_grid()


def test_add_close_roll_and_ids():
    book = Portfolio()
    a = book.add_option("SPY", "put", 450.0, EXP, -1, iv=0.2)
    b = book.add_stock("SPY", 100)
    legs = book.add_legs(
        [Leg("call", 1, 470.0, EXP, iv=0.2), Leg("call", -1, 480.0, EXP)], "SPY", quantity=3
    )
    assert (a, b, legs) == (0, 1, (2, 3))
    assert book.records["units"].tolist() == [-1.0, 100.0, 3.0, -3.0]
    book.close(b)
    assert book.ids.tolist() == [0, 2, 3]
    new = book.roll(a, expiry="2025-04-17", strike=440.0, iv=0.22)
    assert new == 4
    assert book.ids.tolist() == [2, 3, 4]
    rec = book.records[-1]
    assert (rec["strike"], rec["units"], rec["vol"]) == (440.0, -1.0, 0.22)
    assert book.underlyings == ("SPY",)
    with pytest.raises(KeyError, match="no open position with id 1"):
        book.close(1)
    s = book.add_stock("SPY", 5)
    with pytest.raises(ValueError, match=f"position {s} is stock: only options roll"):
        book.roll(s, expiry=EXP)


def test_positions_from_a_backtest_trade_log(tmp_path):
    from fastopt.data import generate_chains

    chain = generate_chains(start="2018-01-01", end="2018-06-30", seed=3)
    res = run_backtest(chain, structure="short_put", quantity=2)
    trades = res.trades
    book = Portfolio()
    ids = book.add_trades(trades, "SPX")
    assert len(ids) == trades.height  # one leg per short put
    assert book.records["units"].tolist() == [-2.0] * trades.height
    day = trades["entry_date"][1]
    open_ids = Portfolio().add_trades(trades, "SPX", open_on=day)
    want = trades.filter((pl.col("entry_date") <= day) & (pl.col("exit_date") > day)).height
    assert len(open_ids) == want >= 1


def test_scenario_grid_and_frame():
    book, _ = small_book()
    grid = book.scenario_grid([-0.1, 0.0, 0.1], [0.0, 0.05])
    assert grid.underlyings == ("SPY", "QQQ")
    assert grid.pnl.shape == (3, 2, 2)
    np.testing.assert_allclose(grid.pnl[1, 0], 0.0, atol=1e-8)
    # SPY down 10 %, vols unchanged, by hand
    put_now = bs_price(460.0, 450.0, T, 0.2, 0.04, 0.01, kind="put")
    put_down = bs_price(414.0, 450.0, T, 0.2, 0.04, 0.01, kind="put")
    want = -300 * (put_down - put_now) + 120 * (414.0 - 460.0)
    assert grid.pnl[0, 0, 0] == pytest.approx(want, rel=1e-10)
    assert grid.worst == pytest.approx(-grid.total.min())
    frame = grid.to_polars()
    assert frame.height == 3 * 2 * 3
    cell = frame.filter((pl.col("spot_move") == -0.1) & (pl.col("vol_move") == 0.0))
    assert cell.filter(pl.col("underlying") == "SPY")["pnl"][0] == grid.pnl[0, 0, 0]
    assert cell.filter(pl.col("underlying") == "total")["pnl"][0] == pytest.approx(grid.total[0, 0])
    assert book.scenario_grid().pnl.shape == (21, 21, 2)


def test_beta_weighted_delta_and_delta_normal_vol():
    book, _ = small_book()
    per = {
        r["underlying"]: r["dollar_delta"]
        for r in book.greeks().by_underlying.iter_rows(named=True)
    }
    bw = book.beta_weighted_delta({"SPY": 1.0, "QQQ": 1.3}, benchmark_spot=460.0)
    assert bw["dollar_delta"] == pytest.approx(per["SPY"] + 1.3 * per["QQQ"])
    assert bw["delta"] == pytest.approx(bw["dollar_delta"] / 460.0)
    cov = np.array([[1e-4, 6e-5], [6e-5, 2e-4]])
    d = np.array([per["SPY"], per["QQQ"]])
    assert book.delta_normal_vol(cov, ["SPY", "QQQ"]) == pytest.approx(np.sqrt(d @ cov @ d))
    with pytest.raises(KeyError, match="no beta for 'QQQ'"):
        book.beta_weighted_delta({"SPY": 1.0}, benchmark_spot=460.0)
    with pytest.raises(ValueError, match="leaves out"):
        book.delta_normal_vol([[1e-4]], ["SPY"])
    with pytest.raises(ValueError, match="symmetric"):
        book.delta_normal_vol([[1e-4, 1.0], [0.0, 1e-4]], ["SPY", "QQQ"])
    with pytest.raises(ValueError, match="must be 2 x 2"):
        book.delta_normal_vol([[1e-4]], ["SPY", "QQQ"])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda b: b.add_option("SPY", "future", 1.0, EXP, 1), ValueError, "`kind` must be one"),
        (lambda b: b.add_option("SPY", "put", -1.0, EXP, 1), ValueError, "`strike` must be > 0"),
        (lambda b: b.add_option("SPY", "put", 1.0, EXP, 0), ValueError, "quantity of 0"),
        (lambda b: b.add_option("SPY", "put", 1.0, EXP, math.inf), ValueError, "finite"),
        (lambda b: b.add_option("SPY", "put", 1.0, "someday", 1), ValueError, "`expiry`"),
        (lambda b: b.add_option("SPY", "put", 1.0, EXP, 1, iv=-0.1), ValueError, "`iv` must be"),
        (lambda b: b.add_option("", "put", 1.0, EXP, 1), ValueError, "`underlying` must be"),
        (lambda b: b.add_option(3, "put", 1.0, EXP, 1), TypeError, "`underlying` must be"),
        (lambda b: b.add_stock("SPY", 1, entry_price=-1.0), ValueError, "`entry_price`"),
        (lambda b: b.add_legs([], "SPY"), ValueError, "at least one leg"),
        (lambda b: b.update({"XXX": MarketState(1.0, DAY)}), KeyError, "unknown underlying"),
        (lambda b: b.update([1]), TypeError, "`market` must be a mapping"),
        (lambda b: b.update({"SPY": 460.0}), TypeError, r"`market\['SPY'\]` must be"),
        (lambda b: b.update({"SPY": {"spot": -1.0, "date": DAY}}), ValueError, "`spot`"),
        (lambda b: b.update({"SPY": MarketState(1.0, DAY)}, ivs={99: 0.2}), KeyError, "id 99"),
        (lambda b: b.update({"SPY": MarketState(1.0, DAY)}, ivs={1: 0.2}), ValueError, "stock"),
        (lambda b: b.close("0"), TypeError, "`position_id` must be an int"),
        (lambda b: b.scenario_grid([-1.5]), ValueError, "`spot_moves` must be > -1.0"),
        (lambda b: b.scenario_grid([], [0.0]), ValueError, "non-empty"),
    ],
)
def test_errors(call, error, message):
    book = Portfolio()
    book.add_option("SPY", "put", 450.0, EXP, -1, iv=0.2)
    book.add_stock("SPY", 100)
    book.update({"SPY": MarketState(460.0, DAY)})
    with pytest.raises(error, match=message):
        call(book)


def test_no_market_and_expired_positions_are_errors():
    book = Portfolio()
    book.add_option("SPY", "put", 450.0, EXP, -1, iv=0.2)
    q = book.add_stock("QQQ", 5)
    with pytest.raises(ValueError, match="position 0 is on 'SPY', which has no market data"):
        book.greeks()
    with pytest.raises(ValueError, match="position 1 is on 'QQQ', which has no market data"):
        book.update({"SPY": MarketState(460.0, DAY)})  # the market is set
    with pytest.raises(ValueError, match=r"position 0 expired on 2025-03-21, before its market"):
        book.update({"SPY": MarketState(460.0, "2025-03-24")})  # the first bad leg wins
    with pytest.raises(ValueError, match=r"position 0 expired on 2025-03-21, before its market"):
        book.update({"QQQ": MarketState(400.0, DAY)})
    book.close(0)
    assert book.update({"QQQ": MarketState(400.0, DAY)}).total["delta"] == 5.0
    assert q == 1


def test_var_of_one_underlying_is_portfolio_risks():
    from fastopt.risk_measures import portfolio_risk

    book = Portfolio()
    book.add_option("SPY", "put", 450.0, EXP, -3, iv=0.2)
    book.add_option("SPY", "call", 470.0, "2025-06-20", 2, iv=0.18)
    book.update({"SPY": MarketState(460.0, DAY, rate=0.03, div=0.01)})
    mine = book.value_at_risk(
        [[0.04]], ["SPY"], confidence=[0.95, 0.99], n_scenarios=5_000, seed=11
    )
    theirs = portfolio_risk(
        book.records,
        spot=460.0,
        vol=0.2,
        rate=0.03,
        div=0.01,
        asof=DAY,
        confidence=[0.95, 0.99],
        n_scenarios=5_000,
        seed=11,
    )
    np.testing.assert_allclose(mine.pnl, theirs.pnl, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(mine.var, theirs.var, rtol=1e-12)
    np.testing.assert_allclose(mine.es, theirs.es, rtol=1e-12)
    assert mine.value == pytest.approx(theirs.value, rel=1e-13)


def test_var_across_correlated_underlyings_is_full_revaluation():
    book, _ = small_book()
    cov = np.array([[0.04, 0.03], [0.03, 0.0625]])  # 20 % and 25 % vols, corr 0.6
    h, n = 5 / 252, 4_000
    r = book.value_at_risk(cov, ["SPY", "QQQ"], horizon=h, n_scenarios=n, seed=5, confidence=0.975)
    # the same scenarios, repriced independently with bs_price
    values, vectors = np.linalg.eigh(cov)
    root = vectors * np.sqrt(values)
    z = np.random.default_rng(5).standard_normal((n, 2))
    mu = np.array([0.04 - 0.01, 0.04])
    steps = (mu - 0.5 * np.diag(cov)) * h + np.sqrt(h) * z @ root.T
    spy, qqq = 460.0 * np.exp(steps[:, 0]), 395.0 * np.exp(steps[:, 1])
    np.testing.assert_allclose(r.spot_scenarios, np.stack([spy, qqq], axis=1), rtol=1e-13)
    put0 = bs_price(460.0, 450.0, T, 0.2, 0.04, 0.01, kind="put")
    call0 = bs_price(395.0, 400.0, T, 0.25, 0.04, 0.0, kind="call")
    put = bs_price(spy, 450.0, T - h, 0.2, 0.04, 0.01, kind="put")
    call = bs_price(qqq, 400.0, T - h, 0.25, 0.04, 0.0, kind="call")
    pnl = -300 * (put - put0) + 120 * (spy - 460.0) + 200 * (call - call0)
    np.testing.assert_allclose(r.pnl, pnl, rtol=1e-10, atol=1e-7)
    k = int(np.ceil(n * 0.025))
    assert r.var == pytest.approx(-np.sort(pnl)[k - 1], rel=1e-10)
    assert r.es == pytest.approx(-np.sort(pnl)[:k].mean(), rel=1e-10)
    # more correlation, more risk for this long-delta book
    r_corr = book.value_at_risk(
        np.array([[0.04, 0.049], [0.049, 0.0625]]),
        ["SPY", "QQQ"],
        horizon=h,
        n_scenarios=n,
        seed=5,
        confidence=0.975,
    )
    assert r_corr.var > r.var


def test_var_errors():
    book, _ = small_book()
    cov = [[0.04, 0.0], [0.0, 0.04]]
    with pytest.raises(ValueError, match="leaves out"):
        book.value_at_risk([[0.04]], ["SPY"])
    with pytest.raises(ValueError, match="positive semi-definite"):
        book.value_at_risk([[0.04, 0.1], [0.1, 0.04]], ["SPY", "QQQ"])
    with pytest.raises(ValueError, match="`horizon` must be > 0"):
        book.value_at_risk(cov, ["SPY", "QQQ"], horizon=0.0)
    with pytest.raises(ValueError, match="`n_scenarios` must be in"):
        book.value_at_risk(cov, ["SPY", "QQQ"], n_scenarios=1)
    with pytest.raises(TypeError, match="`n_scenarios` must be an int"):
        book.value_at_risk(cov, ["SPY", "QQQ"], n_scenarios=10.0)
    nan_book = Portfolio()
    nan_book.add_option("SPY", "put", 450.0, EXP, -1)
    nan_book.update({"SPY": MarketState(460.0, DAY)})
    with pytest.raises(ValueError, match="no implied vol: the VaR is undefined"):
        nan_book.value_at_risk([[0.04]], ["SPY"])


def test_market_and_ivs_from_the_chain_quotes():
    from fastopt.data import generate_chains

    chain = generate_chains(start="2018-01-02", end="2018-02-28", seed=4)
    day = chain["date"].unique().sort()[10]
    quotes = chain.filter(pl.col("date") == day)
    put = quotes.filter(kind="put").sort("strike").row(12, named=True)
    call = quotes.filter(kind="call").sort("strike").row(-12, named=True)
    book = Portfolio()
    a = book.add_option("SPX", "put", put["strike"], put["expiry"], -2)
    b = book.add_option("SPX", "call", call["strike"], call["expiry"], 1, iv=0.99)
    c = book.add_option("SPX", "call", 12_345.0, call["expiry"], 1)  # no such quote
    s = book.add_stock("SPX", 10)
    g = book.update_from_chain(chain, "SPX", date=day, rate=0.01)
    vol = dict(zip(g.positions["id"], g.positions["vol"], strict=True))
    assert vol[a] == put["iv"]
    assert vol[b] == call["iv"]
    assert vol[c] is None  # left without an iv: the risk is undefined, never smaller
    assert g.missing == (c,)
    assert book.market("SPX") == MarketState(put["underlying"], day, 0.01, 0.0)
    book.close(c)
    g = book.update_from_chain(chain, "SPX", date=day)
    want = bs_greeks(
        put["underlying"], put["strike"], (put["expiry"] - day).days / 365, put["iv"], kind="put"
    )
    row = g.positions.filter(pl.col("id") == a).row(0, named=True)
    assert row["delta"] == pytest.approx(-200 * want.delta, rel=1e-12)
    assert g.positions.filter(pl.col("id") == s)["delta"][0] == 10.0
    book.update_from_chain(chain, "SPX")  # default: the chain's last date
    assert book.market("SPX").date == chain["date"].max()
    with pytest.raises(ValueError, match="no quotes on 2030-01-02"):
        book.update_from_chain(chain, "SPX", date="2030-01-02")
    with pytest.raises(ValueError, match="no `iv` column"):
        book.update_from_chain(chain.drop("iv"), "SPX")
    with pytest.raises(KeyError, match="holds nothing on 'NDX'"):
        book.update_from_chain(chain, "NDX")
    with pytest.raises(KeyError, match="no market data for 'XYZ'"):
        book.market("XYZ")


def test_estimate_betas_against_numpy_and_errors():
    from fastopt.risk import estimate_betas

    rng = np.random.default_rng(3)
    n = 300
    m = rng.normal(0, 0.01, n)
    spy = 100 * np.exp(np.cumsum(m))
    a = 50 * np.exp(np.cumsum(0.8 * m + rng.normal(0, 0.004, n)))
    b = 20 * np.exp(np.cumsum(-0.3 * m + rng.normal(0, 0.01, n)))
    dates = pl.date_range(
        dt.date(2020, 1, 1), dt.date(2020, 1, 1) + dt.timedelta(days=n - 1), eager=True
    )
    frame = pl.DataFrame({"date": dates, "SPY": spy, "A": a, "B": b})
    betas = estimate_betas(frame.reverse(), "SPY")  # any row order: sorted by date

    def ref(x, y):
        rx, ry = np.diff(np.log(x)), np.diff(np.log(y))
        return np.cov(rx, ry)[0, 1] / np.var(ry, ddof=1)

    assert betas["A"] == pytest.approx(ref(a, spy), rel=1e-12)
    assert betas["B"] == pytest.approx(ref(b, spy), rel=1e-12)
    last = estimate_betas(frame, "SPY", window=100)
    assert last["A"] == pytest.approx(ref(a[-101:], spy[-101:]), rel=1e-12)
    gaps = frame.with_columns(A=pl.when(pl.int_range(n) % 7 == 0).then(None).otherwise("A"))
    assert np.isfinite(estimate_betas(gaps, "SPY")["A"])  # common dates only
    with pytest.raises(ValueError, match="no `QQQ` column"):
        estimate_betas(frame, "QQQ")
    with pytest.raises(ValueError, match="fewer than `min_observations`"):
        estimate_betas(frame.head(10), "SPY")
    with pytest.raises(ValueError, match="finite prices > 0"):
        estimate_betas(frame.with_columns(A=pl.lit(-1.0)), "SPY")
    with pytest.raises(ValueError, match="no variance"):
        estimate_betas(frame.with_columns(SPY=pl.lit(100.0)), "SPY")
