"""fastopt.risk.RiskEngine: pre-trade checks, REDUCING, HALTED, transitions and alerts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastopt import Leg, iron_condor
from fastopt.risk import (
    AlertLog,
    EngineState,
    Limit,
    MarketState,
    Portfolio,
    RiskEngine,
    RiskLimits,
)

DAY = dt.date(2025, 2, 19)
EXP = dt.date(2025, 3, 21)
T0 = dt.datetime(2025, 2, 19, 15, 30)


def book_with(*stock: tuple[str, float]) -> Portfolio:
    book = Portfolio()
    for name, qty in stock:
        book.add_stock(name, qty)
    book.update({name: MarketState(100.0, DAY) for name, _ in stock})
    return book


@settings(max_examples=60, deadline=None)
@given(
    held=st.integers(-300, 300).filter(lambda x: x != 0),
    trade=st.integers(-300, 300).filter(lambda x: x != 0),
    limit=st.integers(0, 400),
)
def test_a_hard_delta_limit_denies_exactly_when_breached(held, trade, limit):
    book = book_with(("SPY", held))
    engine = RiskEngine(book, RiskLimits([Limit("delta", hard=limit)]), alerts=[])
    engine.evaluate()
    decision = engine.check_stock("SPY", trade)
    before, after = abs(held), abs(held + trade)
    if abs(held) > limit:  # the book is beyond the limit: REDUCING
        assert engine.state == EngineState.REDUCING
        assert decision.accepted == (after < before)
    else:
        assert engine.state == EngineState.ACTIVE
        assert decision.accepted == (after <= limit)
        if not decision.accepted:
            (v,) = decision.violations
            assert (v.measure, v.subject, v.value, v.limit, v.before) == (
                "delta",
                "total",
                after,
                limit,
                before,
            )
    assert decision.after[("delta", "total")] == after
    assert len(book) == 1  # a check adds nothing


@settings(max_examples=60, deadline=None)
@given(
    spy=st.integers(-300, 300).filter(lambda x: x != 0),
    qqq=st.integers(-300, 300).filter(lambda x: x != 0),
    trade=st.integers(-400, 400).filter(lambda x: x != 0),
    on_spy=st.booleans(),
)
def test_reducing_passes_exactly_the_trades_that_reduce_every_breached_measure(
    spy, qqq, trade, on_spy
):
    book = book_with(("SPY", spy), ("QQQ", qqq))
    limits = RiskLimits([Limit("delta", hard=150, scope="each")])
    engine = RiskEngine(book, limits, alerts=[])
    engine.evaluate()
    name = "SPY" if on_spy else "QQQ"
    decision = engine.check_stock(name, trade)
    before = {"SPY": abs(spy), "QQQ": abs(qqq)}
    after = dict(before)
    after[name] = abs((spy if on_spy else qqq) + trade)
    breached = [n for n in before if before[n] > 150]
    if not breached:
        assert engine.state == EngineState.ACTIVE
        assert decision.accepted == all(v <= 150 for v in after.values())
        return
    assert engine.state == EngineState.REDUCING
    fresh = [n for n in after if n not in breached and after[n] > 150]
    reduces = all(after[n] < before[n] for n in breached)
    assert decision.accepted == (not fresh and reduces)


def test_states_transitions_and_alerts():
    log = AlertLog()
    book = book_with(("SPY", 100))
    limits = RiskLimits(
        [
            Limit("delta", soft=150, hard=200),
            Limit("daily_loss", hard=1_000),
        ]
    )
    engine = RiskEngine(book, limits, alerts=[log])
    engine.start_day()
    assert engine.evaluate(timestamp=T0) == ()
    book.add_stock("SPY", 80)  # 180 shares: soft breach only
    engine.evaluate(timestamp=T0)
    assert engine.state == EngineState.ACTIVE
    assert [(a.rule, a.kind, a.severity.value) for a in log.alerts] == [
        ("delta:soft", "breach", "warning")
    ]
    book.add_stock("SPY", 40)  # 220 shares: hard breach -> REDUCING
    t1 = T0 + dt.timedelta(minutes=1)
    hard = engine.evaluate(timestamp=t1)
    assert [(v.measure, v.value) for v in hard] == [("delta", 220.0)]
    assert engine.state == EngineState.REDUCING
    tr = engine.transitions[-1]
    assert (tr.previous, tr.state, tr.timestamp) == (EngineState.ACTIVE, EngineState.REDUCING, t1)
    assert "delta/total: 220 > hard limit 200" in tr.reason
    assert not engine.check_stock("SPY", 10)  # increases a breached measure
    assert engine.check_stock("SPY", -10)  # reduces it
    decision, ids = engine.submit(Portfolio.stock_record(-40), "SPY", timestamp=t1)
    assert decision.accepted
    assert ids == (3,)
    assert engine.state == EngineState.ACTIVE  # back within every hard limit
    assert engine.transitions[-1].reason == "back within every hard limit"
    # a 10 % fall loses 1,800 on 180 shares: the daily loss stop halts
    book.update({"SPY": MarketState(90.0, DAY)})
    engine.evaluate(timestamp=t1)
    assert engine.state == EngineState.HALTED
    assert engine.transitions[-1].reason.startswith("daily loss stop: daily_loss/total: 1,800")
    halted = engine.check_stock("SPY", -1)
    assert not halted
    assert halted.reason == "the engine is halted: no trade passes"
    engine.resume("new day, reviewed by hand", timestamp=t1)
    engine.start_day()
    assert engine.state == EngineState.ACTIVE
    assert engine.check_stock("SPY", -1)
    kinds = [(a.rule, a.kind) for a in log.alerts]
    assert ("engine_state", "trigger") in kinds
    assert ("daily_loss:hard", "breach") in kinds
    assert [t.state for t in engine.transitions] == [
        EngineState.REDUCING,
        EngineState.ACTIVE,
        EngineState.HALTED,
        EngineState.ACTIVE,
    ]
    engine.halt("by hand")
    engine.reduce("by hand")
    assert engine.state == EngineState.REDUCING
    with pytest.raises(ValueError, match="`reason` must be a non-empty string"):
        engine.halt(" ")


def test_scenario_loss_is_incremental_and_equals_a_full_revaluation():
    ic = iron_condor(100.0, 90.0, 95.0, 105.0, 110.0, EXP, vol=0.2, asof=DAY)
    book = Portfolio()
    book.add_strategy(ic, "XYZ", quantity=2)
    book.add_option("ABC", "put", 50.0, EXP, -5, iv=0.3)
    book.update({"XYZ": MarketState(100.0, DAY), "ABC": MarketState(52.0, DAY)})
    limits = RiskLimits(
        [Limit("scenario_loss", hard=1e9), Limit("scenario_loss", hard=1e9, scope="each")]
    )
    engine = RiskEngine(book, limits, alerts=[])
    trade = [Leg("put", -3, 95.0, EXP, iv=0.22)]
    decision = engine.check(trade, "XYZ")
    book.add_legs(trade, "XYZ")
    full = book.scenario_grid()
    assert decision.after[("scenario_loss", "total")] == pytest.approx(full.worst, rel=1e-12)
    xyz = max(0.0, -float(full.pnl[:, :, 0].min()))
    assert decision.after[("scenario_loss", "XYZ")] == pytest.approx(xyz, rel=1e-12)
    tight = RiskEngine(book, RiskLimits([Limit("scenario_loss", hard=full.worst - 1)]), alerts=[])
    assert tight.evaluate()[0].measure == "scenario_loss"


def test_positions_concentration_and_notional_limits():
    book = book_with(("SPY", 100), ("QQQ", 100))
    limits = RiskLimits(
        [
            Limit("positions", hard=2),
            Limit("concentration", hard=0.6, scope="each"),
            Limit("notional", hard=30_000, scope="SPY"),
        ]
    )
    engine = RiskEngine(book, limits, alerts=[])
    m = engine.measures()
    assert m[("positions", "total")] == 2
    assert m[("concentration", "SPY")] == 0.5
    d = engine.check_stock("SPY", 10)  # a third group
    assert [v.measure for v in d.violations] == ["positions"]
    book.close(1)  # QQQ gone: SPY is 100 % of the notional
    engine2 = RiskEngine(book, limits, alerts=[])
    assert engine2.measures()[("concentration", "SPY")] == 1.0
    d2 = engine2.check_stock("SPY", 250)
    assert {v.measure for v in d2.violations} == {"concentration", "notional"}
    assert "notional/SPY: 35,000 after the trade > hard limit 30,000 (10,000 before)" in d2.reason


def test_a_trade_without_an_iv_is_denied_as_undefined_and_errors():
    book = book_with(("SPY", 100))
    engine = RiskEngine(book, RiskLimits([Limit("vega", hard=10)]), alerts=[])
    d = engine.check([Leg("call", 1, 100.0, EXP)], "SPY")  # no iv
    assert not d.accepted
    assert "risk undefined after the trade" in d.reason
    with pytest.raises(ValueError, match="no market data"):
        engine.check_stock("QQQ", 1)
    with pytest.raises(TypeError, match="`portfolio` must be a Portfolio"):
        RiskEngine("book", RiskLimits())
    with pytest.raises(TypeError, match="`limits` must be a RiskLimits"):
        RiskEngine(book, [Limit("delta", hard=1)])


def test_check_is_fast_enough_to_be_incremental():
    """The check never revalues the book: its cost does not grow with the book's size."""
    rng = np.random.default_rng(0)
    book = Portfolio()
    for i in range(2_000):
        book.add_option(f"U{i % 20}", "put", float(rng.uniform(80, 120)), EXP, -1, iv=0.2)
    book.update({f"U{i}": MarketState(100.0, DAY) for i in range(20)})
    engine = RiskEngine(book, RiskLimits([Limit("delta", hard=1e9)]), alerts=[])
    engine.check_stock("U0", 1)
    calls = []
    original = book.leg_risk

    def spy(rec=None):
        calls.append(0 if rec is None else rec.shape[0])
        return original(rec)

    book.leg_risk = spy
    engine.check_stock("U3", 1)
    assert calls
    assert max(calls) == 1


def test_a_var_limit_uses_fixed_correlated_scenarios_incrementally():
    from fastopt.risk import VarSettings

    book = Portfolio()
    book.add_option("SPY", "put", 450.0, EXP, -5, iv=0.2)
    book.add_option("QQQ", "call", 400.0, EXP, 3, iv=0.25)
    book.update({"SPY": MarketState(460.0, DAY), "QQQ": MarketState(395.0, DAY)})
    cov = [[0.04, 0.03], [0.03, 0.0625]]
    settings = VarSettings(cov, ["SPY", "QQQ"], confidence=0.99, n_scenarios=4_000, seed=9)
    now = book.value_at_risk(cov, ["SPY", "QQQ"], n_scenarios=4_000, seed=9).var
    engine = RiskEngine(book, RiskLimits([Limit("var", hard=now * 1.5)]), alerts=[], var=settings)
    assert engine.measures()[("var", "total")] == pytest.approx(now, rel=1e-12)
    trade = Portfolio.option_record("put", 440.0, EXP, -5, iv=0.21)
    decision = engine.check(trade, "SPY")
    book.add_legs(trade, "SPY")
    after = book.value_at_risk(cov, ["SPY", "QQQ"], n_scenarios=4_000, seed=9).var
    book.close(book.ids[-1])
    assert decision.after[("var", "total")] == pytest.approx(after, rel=1e-12)
    assert decision.accepted == (after <= now * 1.5)
    big = Portfolio.option_record("put", 440.0, EXP, -60, iv=0.21)
    denied = engine.check(big, "SPY")
    assert not denied.accepted
    assert denied.violations[0].measure == "var"
    with pytest.raises(ValueError, match="a `var` limit needs"):
        RiskEngine(book, RiskLimits([Limit("var", hard=1.0)]))
    narrow = RiskEngine(
        book, RiskLimits([Limit("var", hard=1.0)]), alerts=[], var=VarSettings([[0.04]], ["SPY"])
    )
    with pytest.raises(ValueError, match=r"leave out \['QQQ'\]"):
        narrow.evaluate()
    with pytest.raises(ValueError, match="`confidence` must be in"):
        VarSettings([[0.04]], ["SPY"], confidence=1.5)
