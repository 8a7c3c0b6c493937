"""fastopt.risk.hedging: hedges that really neutralise (recomputed after applying them)."""

from __future__ import annotations

import datetime as dt

import pytest

from fastopt.risk import MarketState, Portfolio
from fastopt.risk.hedging import HedgeInstrument, delta_hedge, hedge_suggestions

DAY = dt.date(2025, 2, 19)
EXP = dt.date(2025, 3, 21)
OPTIONS = [
    HedgeInstrument("call", 470.0, EXP, iv=0.19, half_spread=0.05),
    HedgeInstrument("put", 440.0, EXP, iv=0.21, half_spread=0.08),
    HedgeInstrument("put", 450.0, "2025-04-17", iv=0.2, half_spread=0.12),
    HedgeInstrument("call", 500.0, "2025-06-20", iv=0.17, half_spread=0.2),
]


def short_puts() -> Portfolio:
    book = Portfolio()
    book.add_option("SPY", "put", 450.0, EXP, -20, iv=0.2)
    book.add_option("SPY", "call", 480.0, "2025-04-17", -7, iv=0.18)
    book.add_stock("QQQ", 100)
    book.update({"SPY": MarketState(460.0, DAY, rate=0.04), "QQQ": MarketState(400.0, DAY)})
    return book


def spy_greeks(book: Portfolio) -> dict[str, float]:
    row = book.greeks().by_underlying.row(0, named=True)
    assert row["underlying"] == "SPY"
    return row


@pytest.mark.parametrize("lot", [1.0, 10.0, 100.0])
def test_delta_hedge_leaves_at_most_half_a_lot(lot):
    book = short_puts()
    greeks = spy_greeks(book)
    before = greeks["delta"]
    hedge = delta_hedge(book, "SPY", lot=lot, half_spread=0.02)
    (trade,) = hedge.trades
    assert trade.quantity % lot == 0
    assert trade.quantity == -round(before / lot) * lot
    assert trade.cost == pytest.approx(abs(trade.quantity) * 0.02)
    hedge.apply(book)
    after = spy_greeks(book)
    assert after["delta"] == pytest.approx(hedge.residual["delta"], abs=1e-9)
    assert abs(after["delta"]) <= lot / 2
    assert after["gamma"] == pytest.approx(greeks["gamma"], rel=1e-12)  # stock has no gamma
    assert hedge.residual["gamma"] == pytest.approx(greeks["gamma"], rel=1e-12)
    assert book.greeks().by_underlying.row(1, named=True)["delta"] == 100.0  # QQQ untouched


@pytest.mark.parametrize(
    "targets",
    [
        ("delta", "gamma"),
        ("gamma",),
        ("delta", "gamma", "vega"),
        ("gamma", "vega"),
        ("delta", "vega"),
    ],
)
def test_every_suggestion_neutralises_within_its_tolerance_after_applying_it(targets):
    ranked = hedge_suggestions(
        short_puts(), "SPY", OPTIONS, targets=targets, lot=1.0, stock_half_spread=0.01
    )
    option_greeks = [t for t in targets if t != "delta"]
    from math import comb

    assert 1 <= len(ranked) <= comb(len(OPTIONS), len(option_greeks))
    costs = [s.cost for s in ranked]
    assert costs == sorted(costs)
    for s in ranked:
        book = short_puts()
        s.apply(book)
        after = spy_greeks(book)
        for g in targets:
            assert after[g] == pytest.approx(s.residual[g], abs=1e-8)
            assert abs(after[g]) <= s.tolerance[g] + 1e-9
        assert all(float(t.quantity).is_integer() for t in s.trades)
        want_cost = sum(
            abs(t.quantity)
            * (
                0.01
                if t.instrument == "stock"
                else 100 * next(o.half_spread for o in OPTIONS if o.label == t.instrument)
            )
            for t in s.trades
        )
        assert s.cost == pytest.approx(want_cost)
        assert ("stock" in [t.instrument for t in s.trades]) == ("delta" in targets)


def test_errors():
    book = short_puts()
    with pytest.raises(KeyError, match="holds nothing on 'IWM'"):
        delta_hedge(book, "IWM")
    with pytest.raises(ValueError, match="`lot` must be > 0"):
        delta_hedge(book, "SPY", lot=0)
    with pytest.raises(ValueError, match="`half_spread` must be >= 0"):
        delta_hedge(book, "SPY", half_spread=-1)
    with pytest.raises(ValueError, match="needs gamma and/or vega"):
        hedge_suggestions(book, "SPY", OPTIONS, targets=("delta",))
    with pytest.raises(ValueError, match="`targets` must be one of"):
        hedge_suggestions(book, "SPY", OPTIONS, targets=("theta",))
    with pytest.raises(ValueError, match="repeats"):
        hedge_suggestions(book, "SPY", OPTIONS, targets=("gamma", "gamma"))
    with pytest.raises(ValueError, match="need as many instruments, got 1"):
        hedge_suggestions(book, "SPY", OPTIONS[:1], targets=("gamma", "vega"))
    with pytest.raises(TypeError, match=r"`instruments\[0\]` must be a HedgeInstrument"):
        hedge_suggestions(book, "SPY", ["call"], targets=("gamma",))
    same = [OPTIONS[0], OPTIONS[0]]
    with pytest.raises(ValueError, match="collinear"):
        hedge_suggestions(book, "SPY", same, targets=("gamma", "vega"))
    with pytest.raises(ValueError, match="`iv` must be > 0"):
        HedgeInstrument("call", 470.0, EXP, iv=0.0)
    with pytest.raises(ValueError, match="`kind` must be one of"):
        HedgeInstrument("fwd", 470.0, EXP, iv=0.2)
    nan_book = Portfolio()
    nan_book.add_option("SPY", "put", 450.0, EXP, -1)
    nan_book.update({"SPY": MarketState(460.0, DAY)})
    with pytest.raises(ValueError, match="risk of 'SPY' is undefined"):
        delta_hedge(nan_book, "SPY")


def test_an_applied_hedge_is_entered_at_its_price_and_costs_its_spread():
    from fastopt.risk import StopRules, evaluate_stops

    book = short_puts()
    best = hedge_suggestions(
        book, "SPY", OPTIONS, targets=("delta", "gamma"), stock_half_spread=0.01
    )[0]
    ids = best.apply(book)
    group = int(book.groups[list(book.ids).index(ids[0])])
    row = evaluate_stops(book, StopRules()).filter(group=group).row(0, named=True)
    assert row["pnl"] == pytest.approx(-best.cost, rel=1e-9)
