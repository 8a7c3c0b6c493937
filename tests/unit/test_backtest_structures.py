"""Every backtest structure: legs as defined, credit or debit, margin, replay; debit exits."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from fastopt import Strategy
from fastopt.backtest import replay, run_backtest
from fastopt.backtest.rules import DEBIT_STRUCTURES, LEGS
from fastopt.data import generate_chains
from fastopt.strategies.margin import margin


@pytest.fixture(scope="module")
def chain():
    return generate_chains(start="2017-01-01", end="2017-09-30", max_dte=60, seed=12)


def parse(text):
    parts = text.split()
    if parts[1] == "S":  # shares of a stock leg
        return int(parts[0]), "S", 0.0, None
    units, kind, strike, expiry = parts
    return int(units), kind, float(strike), dt.date.fromisoformat(expiry)


def per_unit(units, kind, quantity=2):
    """Contracts (or 100-share lots) of one structure unit."""
    return units / quantity / (100 if kind == "S" else 1)


def fill_price(chain, day, units, kind, strike, expiry):
    if kind == "S":  # the stock is quoted at the underlying
        return chain.filter(pl.col("date") == day)["underlying"][0]
    row = chain.filter((pl.col("date") == day) & (pl.col("strike") == strike)
                       & (pl.col("kind") == ("put" if kind == "P" else "call"))
                       & (pl.col("expiry") == expiry))  # fmt: skip
    return row["bid"][0] if units < 0 else row["ask"][0]


@pytest.mark.parametrize("structure", sorted(LEGS))
def test_structure_legs_prices_margin_and_replay(chain, structure):
    delta = 0.5 if "straddle" in structure or "iron_butterfly" in structure else 0.3
    res = run_backtest(chain, structure, short_delta=delta, width=20.0, min_dte=20, max_dte=45,
                       quantity=2, max_margin_usage=None)  # fmt: skip
    assert res.trades.height >= 3, structure
    spec = LEGS[structure]
    for t in res.trades.iter_rows(named=True):
        legs = [parse(x) for x in t["legs"]]
        assert [per_unit(u, k) for u, k, *_ in legs] == [s[0] for s in spec]
        assert [k for _, k, _, _ in legs] == [("C", "P", "S")[s[1]] for s in spec]
        expiries = [e for *_, e in legs]
        for (_, kind, *_, slot), e in zip(spec, expiries, strict=True):  # one near expiry
            if kind != 2:
                assert (e == expiries[0]) == (slot == 0)
        assert t["expiry"] == expiries[0]
        strikes = [k for _, _, k, _ in legs]
        for (_, kind, mode, ref, _), k in zip(spec, strikes, strict=True):
            if mode == 2:
                assert k == strikes[ref]
            elif mode in (1, 3):
                out = (mode == 1) == (kind == 0)  # calls further out are higher
                assert (k > strikes[ref]) if out else (k < strikes[ref])
                assert abs(abs(k - strikes[ref]) - 20.0) <= 10.0
        # the credit is the natural fill of the legs, per structure unit
        credit = sum(-per_unit(u, kd) * fill_price(chain, t["entry_date"], u, kd, k, e)
                     for u, kd, k, e in legs)  # fmt: skip
        assert t["entry_credit"] == pytest.approx(credit, abs=1e-9)
        assert (t["entry_credit"] < 0) == (structure in DEBIT_STRUCTURES)
    # buying-power reduction agrees with the margin module on the first trade
    t = res.trades.row(0, named=True)
    text = "; ".join(
        f"{u} S @{fill_price(chain, t['entry_date'], u, kd, k, e)}"
        if kd == "S"
        else f"{u} {kd} {k:g} @{fill_price(chain, t['entry_date'], u, kd, k, e)} {e}"
        for u, kd, k, e in (parse(x) for x in t["legs"])
    )
    s = Strategy.from_text(text, spot=t["entry_underlying"], asof=t["entry_date"])
    m = margin(s, underlying="broad_index")
    assert t["bpr"] == pytest.approx(m.buying_power_reduction, rel=1e-9, abs=1e-6), (
        structure, m.strategy_type, m.components)  # fmt: skip
    assert replay(res.trades, chain).equity().equals(res.equity)


def test_long_call_profit_target_on_the_debit():
    days = [dt.date(2024, 1, d) for d in (2, 3, 4, 5)]
    rows = [
        {"date": day, "expiry": dt.date(2024, 2, 16), "strike": 100.0, "kind": "call",
         "bid": b, "ask": a, "underlying": u, "delta": 0.5, "iv": 0.2}
        for day, (b, a), u in zip(days, ((2.0, 2.1), (3.0, 3.1), (4.3, 4.4), (6.0, 6.1)),
                                  (100.0, 101.0, 102.5, 104.0), strict=True)
    ]  # fmt: skip
    res = run_backtest(pl.DataFrame(rows), "long_call", short_delta=0.5, min_dte=5,
                       profit_target=1.0, stop_loss=0.5)  # fmt: skip
    t = res.trades.row(0, named=True)
    assert t["entry_credit"] == pytest.approx(-2.1)  # bought at the ask
    assert t["exit_reason"] == "profit_target"  # sold at 4.3 >= 2 x 2.1
    assert t["exit_date"] == days[2]
    assert t["exit_debit"] == pytest.approx(-4.3)
    assert t["pnl"] == pytest.approx((4.3 - 2.1) * 100)
    assert t["bpr"] == pytest.approx(210.0)  # a debit is paid in full


def test_long_put_stop_loss_on_the_debit():
    days = [dt.date(2024, 1, d) for d in (2, 3, 4)]
    rows = [
        {"date": day, "expiry": dt.date(2024, 2, 16), "strike": 100.0, "kind": "put",
         "bid": b, "ask": a, "underlying": 100.0, "delta": -0.5, "iv": 0.2}
        for day, (b, a) in zip(days, ((2.0, 2.2), (1.2, 1.3), (1.0, 1.1)), strict=True)
    ]  # fmt: skip
    res = run_backtest(pl.DataFrame(rows), "long_put", short_delta=0.5, min_dte=5,
                       profit_target=None, stop_loss=0.5)  # fmt: skip
    t = res.trades.row(0, named=True)
    # day 2: selling at 1.2 loses 45 % of 2.2 (not yet); day 3: at 1.0, 55 %
    assert t["exit_reason"] == "stop_loss"
    assert t["exit_date"] == days[2]
    res2 = run_backtest(pl.DataFrame(rows), "long_put", short_delta=0.5, min_dte=5,
                        profit_target=None, stop_loss=0.4)  # fmt: skip
    assert res2.trades["exit_reason"][0] == "stop_loss"
    assert res2.trades["exit_date"][0] == days[1]


def test_butterfly_needs_a_width():
    with pytest.raises(ValueError, match="in-the-money wing"):
        run_backtest(pl.DataFrame(), "call_butterfly", long_delta=0.1)


def test_calendar_settles_the_near_leg_and_sells_the_far_one_at_the_near_expiry():
    near, far = dt.date(2024, 1, 5), dt.date(2024, 2, 2)
    days = [dt.date(2024, 1, d) for d in (2, 3, 4, 5)]
    rows = []
    for day, und, (nb, na), (fb, fa) in zip(
        days, (100.0, 101.0, 102.0, 103.0), ((1.0, 1.1), (1.2, 1.3), (2.0, 2.1), (3.0, 3.0)),
        ((3.0, 3.2), (3.3, 3.5), (3.9, 4.1), (4.4, 4.6)), strict=True,
    ):  # fmt: skip
        for expiry, b, a in ((near, nb, na), (far, fb, fa)):
            quote = {"date": day, "expiry": expiry, "strike": 100.0, "kind": "call", "bid": b}
            rows.append({**quote, "ask": a, "underlying": und, "delta": 0.5, "iv": 0.2})
    res = run_backtest(pl.DataFrame(rows), "call_calendar", short_delta=0.5, min_dte=1,
                       max_dte=10, profit_target=None, stop_loss=None,
                       commission_per_contract=1.0, weekdays=["tue"])  # fmt: skip
    t = res.trades.row(0, named=True)
    assert t["legs"] == ["-1 C 100 2024-01-05", "1 C 100 2024-02-02"]
    assert t["entry_credit"] == pytest.approx(1.0 - 3.2)
    assert t["exit_reason"] == "expiry"
    assert t["exit_date"] == near
    assert t["exit_prices"] == [pytest.approx(3.0), pytest.approx(4.4)]
    assert t["exit_debit"] == pytest.approx(3.0 - 4.4)  # buy back at intrinsic, sell far at bid
    assert t["exit_commissions"] == pytest.approx(1.0)  # the far leg is a trade
    assert t["pnl"] == pytest.approx((-2.2 + 1.4) * 100 - 2.0 - 1.0)
    assert t["bpr"] == pytest.approx(220.0)  # the debit
    with pytest.raises(ValueError, match="physical"):
        run_backtest(pl.DataFrame(rows), "call_calendar", settlement="physical")
    with pytest.raises(ValueError, match="calendar_gap"):
        run_backtest(pl.DataFrame(rows), "call_calendar", calendar_gap=0)


def covered_call_chain(dividend):
    days = [dt.date(2024, 1, d) for d in (2, 3, 4, 5)]
    rows = []
    for day, und, (b, a), div in zip(days, (100.0, 101.0, 103.0, 104.0),
                                     ((1.0, 1.1), (1.4, 1.5), (3.1, 3.2), (4.0, 4.0)),
                                     (0.0, 0.0, dividend, 0.0), strict=True):  # fmt: skip
        quote = {"date": day, "expiry": dt.date(2024, 1, 5), "strike": 100.0, "kind": "call"}
        rows.append({**quote, "bid": b, "ask": a, "underlying": und, "delta": 0.3, "iv": 0.2,
                     "dividend": div})  # fmt: skip
    return pl.DataFrame(rows)


COVERED = {"short_delta": 0.3, "min_dte": 1, "max_dte": 10, "profit_target": None,
           "stop_loss": None, "quantity": 2}  # fmt: skip


def test_covered_call_stock_dividends_and_expiry():
    from fastopt import bs_greeks

    chain = covered_call_chain(dividend=0.3)
    res = run_backtest(chain, "covered_call", **COVERED)
    t = res.trades.row(0, named=True)
    assert t["legs"] == ["-2 C 100 2024-01-05", "200 S"]
    assert t["entry_prices"] == [1.0, 100.0]
    assert t["entry_credit"] == pytest.approx(1.0 - 100.0)
    # Jan 3: the call's extrinsic value 1.45 - 1 = 0.45 beats the 0.3 dividend going ex on
    # Jan 4: no early assignment; the stock earns the dividend
    assert t["exit_reason"] == "expiry"
    assert t["exit_prices"] == [pytest.approx(4.0), pytest.approx(104.0)]
    assert t["dividends"] == pytest.approx(0.3 * 200)
    assert t["pnl"] == pytest.approx((-99.0 - (4.0 - 104.0)) * 200 + 60.0)
    assert t["bpr"] == pytest.approx((99.0 - 0.5 * 100.0) * 200)  # stock at 50 %, call applied
    call_delta = bs_greeks(100.0, 100.0, 3 / 365, 0.2).delta
    assert t["entry_delta"] == pytest.approx(200 - 200 * call_delta, rel=1e-12)
    assert t["entry_vega"] == pytest.approx(-200 * bs_greeks(100.0, 100.0, 3 / 365, 0.2).vega
                                            / 100, rel=1e-12)  # fmt: skip
    assert replay(res.trades, chain).equity().equals(res.equity)
    with pytest.raises(ValueError, match="physical"):
        run_backtest(chain, "covered_call", settlement="physical")


def test_covered_call_assigned_ahead_of_a_larger_dividend():
    res = run_backtest(covered_call_chain(dividend=0.5), "covered_call", **COVERED)
    t = res.trades.row(0, named=True)
    assert t["exit_reason"] == "early_assignment"  # extrinsic 0.45 < 0.5
    assert t["exit_date"] == dt.date(2024, 1, 3)
    assert t["exit_prices"] == [pytest.approx(1.0), pytest.approx(101.0)]  # intrinsic, spot
    assert t["dividends"] == 0.0


CUSTOM_CONDOR = [
    {"units": -1, "kind": "put", "delta": 0.16},
    {"units": 1, "kind": "put", "wing": 20, "of": 0},
    {"units": -1, "kind": "call", "delta": 0.16},
    {"units": 1, "kind": "call", "wing": 20, "of": 2},
]


def test_custom_legs_reproduce_a_named_structure(chain):
    named = run_backtest(chain, "iron_condor", short_delta=0.16, width=20.0, min_dte=20,
                         max_dte=45)  # fmt: skip
    custom = run_backtest(chain, "custom", legs=CUSTOM_CONDOR, entry_side="credit",
                          min_dte=20, max_dte=45)  # fmt: skip
    assert custom.trades.equals(named.trades)
    assert custom.equity.equals(named.equity)


def leg(units, kind, **how):
    return {"units": units, "kind": kind, **how}


@pytest.mark.parametrize(
    "legs",
    [
        # 1x2 put ratio spread: the matched part a debit spread, the excess naked
        [leg(1, "put", delta=0.4), leg(-2, "put", wing=25, of=0)],
        # call backspread: short 1, long 2 further out
        [leg(-1, "call", delta=0.35), leg(2, "call", wing=25, of=0)],
        # broken-wing put butterfly
        [leg(1, "put", delta=0.45), leg(-2, "put", wing=20, of=0), leg(1, "put", wing=40, of=1)],
        # seagull: put spread financed by a short call
        [leg(1, "put", moneyness=0.02), leg(-1, "put", wing=50, of=0),
         leg(-1, "call", moneyness=0.05)],
        # strap: two calls and a put at one strike
        [leg(2, "call", delta=0.5), leg(1, "put", same_strike_as=0)],
    ],
    ids=["ratio_spread", "backspread", "broken_wing", "seagull", "strap"],
)  # fmt: skip
def test_custom_structures_margin_and_replay(chain, legs):
    res = run_backtest(chain, "custom", legs=legs, min_dte=20, max_dte=45, quantity=2,
                       max_margin_usage=None, profit_target=None, stop_loss=None)  # fmt: skip
    assert res.trades.height >= 2
    for t in res.trades.head(3).iter_rows(named=True):
        parsed = [parse(x) for x in t["legs"]]
        assert [per_unit(u, k) for u, k, *_ in parsed] == [leg["units"] for leg in legs]
        text = "; ".join(
            f"{u} {kd} {k:g} @{fill_price(chain, t['entry_date'], u, kd, k, e)} {e}"
            for u, kd, k, e in parsed
        )
        s = Strategy.from_text(text, spot=t["entry_underlying"], asof=t["entry_date"])
        m = margin(s, underlying="broad_index")
        assert t["bpr"] == pytest.approx(m.buying_power_reduction, rel=1e-9, abs=1e-6), (
            t["legs"], m.components)  # fmt: skip
    assert replay(res.trades, chain).equity().equals(res.equity)


@pytest.mark.parametrize(
    ("legs", "match"),
    [
        ([], "non-empty list"),
        ([{"units": 1, "kind": "put", "delta": 0.3}] * 5, "at most 4"),
        ([{"units": 0, "kind": "put", "delta": 0.3}], "non-zero integer"),
        ([{"units": 1, "kind": "future", "delta": 0.3}], "'call', 'put' or 'stock'"),
        ([{"units": 1, "kind": "put"}], "exactly one of"),
        ([{"units": 1, "kind": "put", "delta": 0.3, "moneyness": 0.1}], "exactly one of"),
        ([{"units": 1, "kind": "put", "wing": 5, "of": 0}], "index of an earlier leg"),
        ([{"units": 1, "kind": "put", "delta": 0.3, "colour": "red"}], "unknown keys"),
        ([{"units": -1, "kind": "stock", "delta": 0.5}], "takes only `units`"),
        ([{"units": 1, "kind": "stock"}], "at least one option leg"),
        ([{"units": 1, "kind": "put", "delta": 0.3, "expiry": "later"}], "'near' or 'far'"),
        ([{"units": 1, "kind": "put", "delta": 1.3}], "delta"),
    ],
)
def test_bad_custom_legs(chain, legs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        run_backtest(chain, "custom", legs=legs)


def test_legs_need_the_custom_structure(chain):
    with pytest.raises(ValueError, match="structure='custom'"):
        run_backtest(chain, "iron_condor", legs=CUSTOM_CONDOR, width=10.0)
