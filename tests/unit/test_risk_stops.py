"""fastopt.risk.stops: the backtest's exit rules on a portfolio, one kernel call."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastopt import bs_greeks, bs_price
from fastopt.backtest.rules import compile_rules
from fastopt.risk import MarketState, Portfolio
from fastopt.risk.stops import STOP_RULES, StopRules, evaluate_stops

DAY = dt.date(2025, 2, 19)
EXP = dt.date(2025, 3, 21)


def reference_reason(rules: StopRules, credit, debit, delta, gamma, vega, dte, short, held):
    """The backtest's order of precedence, written out independently."""
    basis = abs(credit)
    if dte <= 0:
        return "expiry"
    on = lambda v: v is not None  # noqa: E731
    if on(rules.stop_loss) and credit - debit <= -basis * rules.stop_loss:
        return "stop_loss"
    if on(rules.profit_target) and credit - debit >= basis * rules.profit_target:
        return "profit_target"
    if on(rules.delta_exit) and abs(delta) >= rules.delta_exit:
        return "delta_breach"
    if (on(rules.gamma_exit) and abs(gamma) >= rules.gamma_exit) or (
        on(rules.vega_exit) and abs(vega) >= rules.vega_exit
    ):
        return "greek_breach"
    if (on(rules.roll_dte) and dte <= rules.roll_dte) or (
        on(rules.roll_delta) and short >= rules.roll_delta
    ):
        return "roll"
    if on(rules.exit_dte) and dte <= rules.exit_dte:
        return "dte"
    if on(rules.max_hold_days) and held >= rules.max_hold_days:
        return "max_hold"
    return ""


def test_the_rule_record_is_the_backtests():
    kw = {
        "stop_loss": 1.5,
        "profit_target": 0.4,
        "delta_exit": 0.6,
        "gamma_exit": 30.0,
        "vega_exit": 500.0,
        "roll_dte": 7,
        "roll_delta": 0.3,
        "exit_dte": 3,
        "max_hold_days": 20,
    }
    mine = StopRules(**kw).record()[0]
    theirs = compile_rules(structure="short_put", **kw).exits
    for name in mine.dtype.names:
        if name in ("timeframe", "physical", "early_extrinsic"):
            continue
        assert mine[name] == theirs[name], name
    assert set(STOP_RULES) <= set(kw)


@settings(max_examples=80, deadline=None)
@given(
    spot=st.floats(380.0, 520.0),
    entry=st.floats(0.5, 20.0),
    days=st.integers(0, 29),
    stop=st.one_of(st.none(), st.floats(0.2, 3.0)),
    target=st.one_of(st.none(), st.floats(0.1, 0.9)),
    roll_delta=st.one_of(st.none(), st.floats(0.1, 0.6)),
    exit_dte=st.one_of(st.none(), st.integers(0, 20)),
    max_hold=st.one_of(st.none(), st.integers(1, 30)),
    gamma_exit=st.one_of(st.none(), st.floats(1.0, 200.0)),
)
def test_short_put_reasons_match_an_independent_evaluation(
    spot, entry, days, stop, target, roll_delta, exit_dte, max_hold, gamma_exit
):
    rules = StopRules(
        stop_loss=stop,
        profit_target=target,
        roll_delta=roll_delta,
        exit_dte=exit_dte,
        max_hold_days=max_hold,
        gamma_exit=gamma_exit,
    )
    today = DAY + dt.timedelta(days=days)
    book = Portfolio()
    book.add_option("SPY", "put", 450.0, EXP, -3, iv=0.2, entry_price=entry, opened=DAY)
    book.update({"SPY": MarketState(spot, today)})
    row = evaluate_stops(book, rules).row(0, named=True)
    dte = (EXP - today).days
    t = dte / 365
    price = bs_price(spot, 450.0, t, 0.2, kind="put")
    g = bs_greeks(spot, 450.0, t, 0.2, kind="put")
    assert row["credit"] == pytest.approx(entry)
    assert row["close_debit"] == pytest.approx(price, rel=1e-12, abs=1e-12)
    assert row["pnl"] == pytest.approx(300 * (entry - price), rel=1e-9, abs=1e-9)
    assert row["short_delta"] == pytest.approx(abs(g.delta), rel=1e-12, abs=1e-15)
    assert (row["dte"], row["held_days"], row["units"]) == (dte, days, 3.0)
    want = reference_reason(
        rules, entry, price, -g.delta, -300 * g.gamma, -3 * g.vega, dte, abs(g.delta), days
    )
    assert row["reason"] == want
    assert row["status"] == "ok"


def test_groups_units_and_status():
    book = Portfolio()
    # an iron condor x 2 entered at a credit of 1.50 per share per condor
    legs = [
        ("put", 430.0, 1, 0.5),
        ("put", 440.0, -1, 1.2),
        ("call", 480.0, -1, 1.1),
        ("call", 490.0, 1, 0.3),
    ]
    from fastopt import Leg

    book.add_legs(
        [Leg(k, q, s, EXP, premium=p, iv=0.2) for k, s, q, p in legs], "SPY", quantity=2, opened=DAY
    )
    book.add_option("SPY", "call", 470.0, EXP, 1, iv=0.2)  # no entry price
    book.add_stock("SPY", 100, entry_price=455.0)
    book.update({"SPY": MarketState(460.0, "2025-03-03")})
    frame = evaluate_stops(book, StopRules(profit_target=0.5, max_hold_days=10))
    ic, call, stock = frame.iter_rows(named=True)
    assert ic["units"] == 2.0
    assert ic["credit"] == pytest.approx(1.2 + 1.1 - 0.5 - 0.3)
    assert ic["held_days"] == 12.0
    assert ic["reason"] in ("profit_target", "max_hold")
    assert call["status"] == "no entry price on every leg: stop and target not judged"
    assert math.isnan(call["held_days"])  # added before the book had a market date
    assert call["reason"] == ""
    assert math.isnan(stock["dte"])  # stock never expires
    assert stock["status"] == "opening date unknown: max_hold_days not judged"
    assert stock["reason"] == ""
    triggered = evaluate_stops(
        book, StopRules(profit_target=None, stop_loss=None, max_hold_days=10), only_triggered=True
    )
    assert triggered["group"].to_list() == [0]  # the condor, opened 12 days ago
    with pytest.raises(TypeError, match="`rules` must be a StopRules"):
        evaluate_stops(book, {"stop_loss": 1.0})
    with pytest.raises(TypeError, match="`portfolio` must be a Portfolio"):
        evaluate_stops("book", StopRules())
    assert evaluate_stops(Portfolio(), StopRules()).height == 0


def test_expiry_day_closes():
    book = Portfolio()
    book.add_option("SPY", "put", 450.0, EXP, -1, iv=0.2, entry_price=3.0)
    book.update({"SPY": MarketState(460.0, EXP)})
    assert evaluate_stops(book, StopRules())["reason"].to_list() == ["expiry"]
    assert np.isfinite(book.greeks().total["value"])
