"""fastopt.positions: one leg record, converted from strategies, trade logs and risk books."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_array_equal

from fastopt import Leg, Strategy, iron_condor
from fastopt import positions as ps
from fastopt import risk_measures as rm
from fastopt.kernels.legs import LEG_DTYPE

EPOCH = dt.date(1970, 1, 1)
EXP = dt.date(2025, 3, 21)


def days(d: dt.date) -> int:
    return (d - EPOCH).days


def same(a: np.ndarray, b: np.ndarray) -> None:
    """Equal records, NaN equal to NaN."""
    assert a.dtype == b.dtype == LEG_DTYPE
    for name in LEG_DTYPE.names:
        assert_array_equal(a[name], b[name], err_msg=name)


def test_strategy_to_records_to_frame_and_back():
    s = Strategy(
        [
            Leg("put", -2, 90.0, EXP, premium=1.2),
            Leg("call", 1, 110.0, "2025-04-17", iv=0.3),  # premium filled at its iv
            Leg("stock", 100, premium=100.5),
        ],
        spot=100.0,
        vol=0.2,
        asof="2025-02-21",
    )
    rec = ps.from_strategy(s)
    assert rec.dtype == LEG_DTYPE
    assert rec["kind"].tolist() == [1, 0, 2]
    assert rec["units"].tolist() == [-2.0, 1.0, 100.0]
    assert rec["strike"].tolist() == [90.0, 110.0, 0.0]
    assert rec["expiry"].tolist() == [days(EXP), days(dt.date(2025, 4, 17)), ps.NO_EXPIRY]
    assert rec["premium"].tolist() == [1.2, s.legs[1].premium, 100.5]
    assert rec["vol"].tolist() == [0.2, 0.3, 0.0]
    assert rec["multiplier"].tolist() == [100.0, 100.0, 1.0]
    assert rec["underlying"].tolist() == [0, 0, 0]
    # one money convention: units x multiplier x premium is the strategy's cost
    assert ps.money(rec) == pytest.approx(s.cost, rel=1e-15)
    # the kernel arrays of the strategy are the records'
    a = s.arrays
    assert_array_equal(a.kind, rec["kind"])
    assert_array_equal(a.units, rec["units"] * rec["multiplier"])
    assert_array_equal(a.strike, rec["strike"])
    assert_array_equal(a.premium, rec["premium"])
    assert_array_equal(a.vol, rec["vol"])
    assert not s.records.flags.writeable
    frame = ps.to_frame(rec)
    assert frame.columns == [
        "kind", "units", "strike", "expiry", "premium", "vol", "multiplier", "underlying"
    ]  # fmt: skip
    assert frame.row(0) == ("put", -2.0, 90.0, EXP, 1.2, 0.2, 100.0, 0)
    assert frame.row(2) == ("stock", 100.0, None, None, 100.5, 0.0, 1.0, 0)
    same(ps.from_frame(frame), rec)


def test_records_with_unknowns_round_trip_through_a_frame():
    rec = ps.from_legs([Leg("call", 1, 100.0, EXP), Leg("stock", -5)], underlying=3)
    assert np.isnan(rec["premium"]).all()
    assert np.isnan(rec["vol"][0])
    frame = ps.to_frame(rec, trade=[7, 7])
    assert frame["trade"].to_list() == [7, 7]
    assert frame["premium"].null_count() == 2
    same(ps.from_frame(frame), rec)
    same(ps.from_frame(frame.drop("underlying")), _zero_underlying(rec))


def _zero_underlying(rec: np.ndarray) -> np.ndarray:
    out = rec.copy()
    out["underlying"] = 0
    return out


def test_from_legs_vol_fallback_and_builders():
    ic = iron_condor(100.0, 85.0, 90.0, 110.0, 115.0, expiry=EXP, vol=0.2, asof="2025-02-21")
    rec = ps.from_strategy(ic)
    assert rec["units"].tolist() == [1.0, -1.0, -1.0, 1.0]
    assert (rec["vol"] == 0.2).all()
    assert ps.money(rec) == pytest.approx(ic.cost, rel=1e-15)
    rec["units"] = 0.0  # a copy: the strategy's records are untouched
    assert ic.records["units"].tolist() == [1.0, -1.0, -1.0, 1.0]


def test_trade_log_to_records_by_hand():
    log = pl.DataFrame(
        {
            "legs": [
                ["-1 P 2500 2018-03-16", "1 P 2450 2018-03-16"],
                ["-3 C 2750.5 2018-04-20", "300 S"],
            ],
            "quantity": [1, 3],
            "entry_prices": [[12.5, 8.25], [4.0, 2700.0]],
            "exit_prices": [[1.5, 0.25], None],  # the second trade is still open
        }
    )
    legs, trade = ps.from_trades(log)
    assert trade.tolist() == [0, 0, 1, 1]
    assert legs["kind"].tolist() == [1, 1, 0, 2]
    assert legs["units"].tolist() == [-1.0, 1.0, -3.0, 3.0]  # 300 shares = 3 units of 100
    assert legs["strike"].tolist() == [2500.0, 2450.0, 2750.5, 0.0]
    mar16, apr20 = days(dt.date(2018, 3, 16)), days(dt.date(2018, 4, 20))
    assert legs["expiry"].tolist() == [mar16, mar16, apr20, ps.NO_EXPIRY]
    assert legs["premium"].tolist() == [12.5, 8.25, 4.0, 2700.0]
    assert legs["multiplier"].tolist() == [100.0] * 4
    assert np.isnan(legs["vol"]).all()
    # money: the first trade is a credit of (12.5 - 8.25) x 100 = $425
    assert ps.money(legs[trade == 0]) == -425.0
    # the second: -3 x 100 x 4 + 3 x 100 x 2700 = 808,800
    assert ps.money(legs[trade == 1]) == 808_800.0
    exit_legs, _ = ps.from_trades(log, prices="exit", multiplier=50.0)
    assert exit_legs["premium"][:2].tolist() == [1.5, 0.25]
    assert np.isnan(exit_legs["premium"][2:]).all()
    assert exit_legs["units"][3] == 6.0  # 300 shares in units of 50
    bare, _ = ps.from_trades(log.drop("entry_prices"))
    assert np.isnan(bare["premium"]).all()
    frame = ps.to_frame(legs, trade=trade)
    assert frame.row(2) == (1, "call", -3.0, 2750.5, dt.date(2018, 4, 20), 4.0, None, 100.0, 0)


def test_trade_log_of_a_backtest():
    from fastopt.backtest import run_backtest
    from fastopt.data import generate_chains

    chain = generate_chains(start="2018-01-02", end="2018-04-30", max_dte=45, seed=1)
    for structure, kw in (
        ("iron_condor", {"width": 25.0}),
        ("covered_call", {"capital": 1e6, "short_delta": 0.3}),
    ):
        res = run_backtest(chain, structure, min_dte=20, max_dte=40, **kw)
        trades = res.trades
        assert trades.height > 0
        legs, trade = ps.from_trades(trades)
        assert legs.shape[0] == sum(len(x) for x in trades["legs"].to_list())
        for k, t in enumerate(trades.iter_rows(named=True)):
            mine = legs[trade == k]
            # entry_credit is per unit of the structure, per share
            want = -t["entry_credit"] * t["quantity"] * 100.0
            assert ps.money(mine) == pytest.approx(want, rel=1e-12, abs=1e-9)
            assert np.allclose(mine["expiry"][mine["kind"] != 2], days(t["expiry"]))


def test_book_to_records_and_portfolio_risk_default_multiplier():
    book = {
        "strike": [95.0, 105.0, 100.0],
        "t": [0.25, 0.5, 1.0],
        "kind": ["put", "c", "CALL"],
        "quantity": [-10.0, 5.0, 1.0],
        "vol": [0.3, 0.25, 0.2],
    }
    rec = ps.from_book(book, asof="2025-01-02")
    start = days(dt.date(2025, 1, 2))
    assert rec["kind"].tolist() == [1, 0, 0]
    assert rec["units"].tolist() == [-10.0, 5.0, 1.0]
    assert rec["strike"].tolist() == [95.0, 105.0, 100.0]
    assert rec["expiry"].tolist() == [start + 91, start + 182, start + 365]  # round(t x 365)
    assert rec["vol"].tolist() == [0.3, 0.25, 0.2]
    assert rec["multiplier"].tolist() == [100.0] * 3  # as portfolio_risk's default
    assert np.isnan(rec["premium"]).all()
    pl_book = pl.DataFrame({k: v for k, v in book.items() if k != "kind"}).with_columns(
        kind=pl.Series(["put", "call", "call"])
    )
    same(ps.from_book(pl_book, asof=dt.date(2025, 1, 2)), rec)
    no_vol = {k: v for k, v in book.items() if k != "vol"}
    assert np.isnan(ps.from_book(no_vol, asof="2025-01-02")["vol"]).all()
    assert ps.from_book(no_vol, asof="2025-01-02", vol=0.4)["vol"].tolist() == [0.4] * 3
    r = ps.from_book(no_vol, asof="2025-01-02", multiplier=1.0, underlying=2)
    assert r["multiplier"].tolist() == [1.0] * 3
    assert r["underlying"].tolist() == [2] * 3
    # the book's value today in records money equals portfolio_risk's (default 100)
    risk = rm.portfolio_risk(book, spot=100.0, vol=0.2, n_scenarios=100, seed=1)
    from fastopt import bs_price

    prices = bs_price(
        100.0, rec["strike"], np.asarray(book["t"]), rec["vol"], kind=["put", "call", "call"]
    )
    assert ps.money(rec, prices) == pytest.approx(risk.value, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ps.from_strategy("x"), TypeError, r"`strategy` must be a Strategy, got str"),
        (lambda: ps.from_legs(["x"]), TypeError, r"legs\[0\] must be a Leg, got str"),
        (lambda: ps.from_legs([], underlying=-1), ValueError, r"`underlying` must be an int in"),
        (lambda: ps.from_legs([], underlying=1.0), TypeError, r"`underlying` must be an int"),
        (lambda: ps.from_trades({"legs": []}), TypeError, r"`trades` must be a Polars DataFrame"),
        (
            lambda: ps.from_trades(pl.DataFrame({"x": [1]})),
            ValueError,
            r"`trades` has no `legs` column",
        ),
        (
            lambda: ps.from_trades(pl.DataFrame({"legs": [["-1 X 100 2018-01-19"]]})),
            ValueError,
            r"`trades` row 0: leg '-1 X 100 2018-01-19' is not '<units> <C\|P> <strike> <expiry>'",
        ),
        (
            lambda: ps.from_trades(
                pl.DataFrame({"legs": [[None]]}, schema={"legs": pl.List(pl.String)})
            ),
            ValueError,
            r"row 0: leg None is not",
        ),
        (
            lambda: ps.from_trades(pl.DataFrame({"legs": [["-1 P 100"]]})),
            ValueError,
            r"row 0: leg '-1 P 100' is not",
        ),
        (
            lambda: ps.from_trades(
                pl.DataFrame({"legs": [["-1 P 100 2018-01-19"]], "entry_prices": [[1.0, 2.0]]})
            ),
            ValueError,
            r"`trades` row 0: 2 entry_prices for 1 legs",
        ),
        (
            lambda: ps.from_trades(pl.DataFrame({"legs": [["1 S"]]}), prices="mid"),
            ValueError,
            r"`prices` must be 'entry', 'exit' or None",
        ),
        (
            lambda: ps.from_trades(pl.DataFrame({"legs": [["1 S"]]}), multiplier=0.0),
            ValueError,
            r"multiplier",
        ),
        (
            lambda: ps.from_trades(pl.DataFrame({"legs": [["1 S"]]}), multiplier="100"),
            TypeError,
            r"`multiplier` must be a real number > 0",
        ),
        (
            lambda: ps.from_book({"strike": [1.0]}, asof="2025-01-02"),
            ValueError,
            r"`book` is missing column",
        ),
        (lambda: ps.to_frame(np.zeros(3)), TypeError, r"LEG_DTYPE records, got float64"),
        (lambda: ps.to_frame([1]), TypeError, r"LEG_DTYPE records, got list"),
        (
            lambda: ps.to_frame(np.zeros(2, LEG_DTYPE), trade=[1]),
            ValueError,
            r"`trade` must have one entry per leg \(2\)",
        ),
        (lambda: ps.money(np.zeros(2, LEG_DTYPE), [1.0]), ValueError, r"`prices` must have one"),
        (lambda: ps.from_frame({"kind": []}), TypeError, r"`frame` must be a Polars DataFrame"),
        (
            lambda: ps.from_frame(pl.DataFrame({"kind": ["call"]})),
            ValueError,
            r"`frame` is missing the column\(s\) \['units'",
        ),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_frame_errors():
    frame = ps.to_frame(ps.from_legs([Leg("call", 1, 100.0, EXP, premium=1.0)]))
    with pytest.raises(ValueError, match=r"`kind` must be one of \('call', 'put', 'stock'\)"):
        ps.from_frame(frame.with_columns(kind=pl.lit("future")))
    with pytest.raises(ValueError, match=r"option row\(s\) \[0\] have no strike or expiry"):
        ps.from_frame(frame.with_columns(expiry=pl.lit(None, dtype=pl.Date)))


def same_risk(a: rm.RiskMeasures, b: rm.RiskMeasures) -> None:
    """Every field of two RiskMeasures identical (arrays bit for bit)."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert_array_equal(np.asarray(x), np.asarray(y), err_msg=f.name)


def test_portfolio_risk_of_leg_records_equals_the_table():
    """A table book with whole-day ``t`` and its leg records give the same risk, bit for bit."""
    book = {
        "strike": [95.0, 105.0, 100.0, 90.0],
        "t": [0.0, 30 / 365, 91 / 365, 1.0],
        "kind": ["put", "call", "call", "put"],
        "quantity": [-10.0, 5.0, 1.0, 3.0],
        "vol": [0.3, 0.25, 0.2, 0.35],
    }
    rec = ps.from_book(book, asof="2025-01-02")
    assert (rec["expiry"] - days(dt.date(2025, 1, 2))).tolist() == [0, 30, 91, 365]
    kw = {"spot": 100.0, "vol": 0.2, "rate": 0.03, "div": 0.01, "n_scenarios": 4_000}
    for method in ("full", "delta_gamma"):
        table = rm.portfolio_risk(book, seed=7, method=method, **kw)
        legs = rm.portfolio_risk(rec, seed=7, method=method, asof="2025-01-02", **kw)
        same_risk(legs, table)
    assert rm.value_at_risk(rec, seed=3, asof=dt.date(2025, 1, 2), **kw) == rm.value_at_risk(
        book, seed=3, **kw
    )
    assert rm.expected_shortfall(rec, seed=3, asof="2025-01-02", **kw) == rm.expected_shortfall(
        book, seed=3, **kw
    )
    # records carry their multiplier: half the contract size, half the money at risk
    half = rec.copy()
    half["multiplier"] = 50.0
    risk_half = rm.portfolio_risk(half, seed=7, asof="2025-01-02", **kw)
    risk_full = rm.portfolio_risk(rec, seed=7, asof="2025-01-02", **kw)
    assert risk_half.value == pytest.approx(risk_full.value / 2, rel=1e-12)
    assert risk_half.var == pytest.approx(risk_full.var / 2, rel=1e-12)
    # a NaN vol is priced at the `vol` argument, as a table without a vol column
    no_vol = rec.copy()
    no_vol["vol"] = np.nan
    table_no_vol = {k: v for k, v in book.items() if k != "vol"}
    same_risk(
        rm.portfolio_risk(no_vol, seed=1, asof="2025-01-02", **kw),
        rm.portfolio_risk(table_no_vol, seed=1, **kw),
    )


def test_portfolio_risk_of_a_strategy_value_matches_its_price():
    ic = iron_condor(100.0, 90.0, 95.0, 105.0, 110.0, EXP, vol=0.2, asof="2025-02-19")
    rec = ps.from_strategy(ic)
    risk = rm.portfolio_risk(rec, spot=100.0, vol=0.2, asof="2025-02-19", n_scenarios=500, seed=2)
    from fastopt import bs_price

    t = (rec["expiry"] - days(dt.date(2025, 2, 19))) / 365.0
    kinds = ["call" if k == 0 else "put" for k in rec["kind"]]
    prices = bs_price(100.0, rec["strike"], t, rec["vol"], kind=kinds)
    assert ps.money(rec, prices) == pytest.approx(risk.value, rel=1e-12)
    assert risk.value < 0  # a short iron condor is a liability today


def _stock_and_call():
    return ps.from_legs([Leg("call", -1, 100.0, EXP, premium=1.0), Leg("stock", 100)])


@pytest.mark.parametrize(
    ("book", "kw", "error", "message"),
    [
        (lambda: _stock_and_call(), {"asof": "2025-02-19"}, ValueError, r"record 1 is a stock"),
        (
            lambda: np.concatenate(
                [ps.from_legs([Leg("put", 1, 90.0, EXP)], underlying=u) for u in (0, 1)]
            ),
            {"asof": "2025-02-19"},
            ValueError,
            r"several underlyings",
        ),
        (
            lambda: ps.from_legs([Leg("put", 1, 90.0, EXP)]),
            {"asof": "2025-04-01"},
            ValueError,
            r"record 0 expired on 2025-03-21, before `asof` 2025-04-01",
        ),
        (lambda: ps.from_legs([Leg("put", 1, 90.0, EXP)]), {}, ValueError, r"`asof` is required"),
        (
            lambda: ps.from_legs([Leg("put", 1, 90.0, EXP)]),
            {"asof": "2025-02-19", "multiplier": 100.0},
            ValueError,
            r"`multiplier` does not apply to leg records",
        ),
        (
            lambda: {"strike": [90.0], "t": [0.1], "kind": ["put"], "quantity": [1.0]},
            {"asof": "2025-02-19"},
            ValueError,
            r"`asof` applies only to a book of leg records",
        ),
        (lambda: np.zeros(0, LEG_DTYPE), {"asof": "2025-02-19"}, ValueError, r"no leg records"),
        (
            lambda: np.zeros((2, 2), LEG_DTYPE),
            {"asof": "2025-02-19"},
            TypeError,
            r"LEG_DTYPE records",
        ),
        (
            lambda: ps.from_legs([Leg("put", 1, 90.0, EXP)]),
            {"asof": "someday"},
            ValueError,
            r"`asof`",
        ),
    ],
)
def test_portfolio_risk_leg_record_errors(book, kw, error, message):
    with pytest.raises(error, match=message):
        rm.portfolio_risk(book(), spot=100.0, vol=0.2, n_scenarios=100, seed=0, **kw)
