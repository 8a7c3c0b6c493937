"""Strategy-based (Reg T / Cboe) margin and TIMS-style portfolio margin.

Golden numbers: tastyware/margin-estimator's README (SPY iron condor, F put, TQQQ
call), the Cboe margin manual (strangle, collar), tastytrade's help pages (naked
and cash-secured put examples), all listed in /work/shared/research/strategy.md
section 2. Amounts are compared to the cent.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastopt._validate import readonly
from fastopt.kernels.margin import expiry_worst_value_nb
from fastopt.pricing import bs_price
from fastopt.strategies.leg import Leg
from fastopt.strategies.margin import (
    MarginResult,
    PortfolioMarginResult,
    add_months,
    margin,
    portfolio_margin,
)
from fastopt.strategies.strategy import Strategy

ASOF = dt.date(2024, 11, 15)
EXP = dt.date(2024, 12, 20)
LATE = dt.date(2025, 1, 17)


def make(legs, spot, **kw):
    kw.setdefault("vol", 0.3)
    kw.setdefault("asof", ASOF)
    return Strategy(legs, spot, **kw)


def cents(x):
    return round(x, 2)


def check_parts(m):
    """Components add up to ``initial``; nothing negative."""
    assert isinstance(m, MarginResult)
    assert sum(a for _, a in m.components) == pytest.approx(m.initial, abs=1e-9)
    assert m.initial >= 0.0
    assert m.maintenance >= 0.0
    assert m.buying_power_reduction >= 0.0


# ------------------------------------------------------------------ golden values
def spy_iron_condor():
    return make(
        [
            Leg("put", 1, 567.0, EXP, premium=4.78),
            Leg("put", -1, 572.0, EXP, premium=5.61),
            Leg("call", -1, 602.0, EXP, premium=5.23),
            Leg("call", 1, 607.0, EXP, premium=3.68),
        ],
        587.88,
        vol=0.15,
    )


def test_golden_spy_iron_condor():
    # margin-estimator README: SPY 567/572/602/607, credit 2.38 -> 262.00 (requirement 500)
    ic = spy_iron_condor()
    assert cents(-ic.cost) == 238.0
    m = margin(ic, underlying="broad_index")
    check_parts(m)
    assert m.strategy_type == "iron_condor"
    assert cents(m.initial) == 500.00
    assert cents(m.maintenance) == 500.00
    assert cents(m.buying_power_reduction) == 262.00
    assert not m.conservative
    # the width does not depend on the underlying class, nor on the method route
    assert cents(ic.margin().initial) == 500.00


def test_golden_short_strangle():
    # Cboe margin manual "Short Put and Short Call"; margin-estimator: 1350
    s = make(
        [Leg("call", -1, 110.0, EXP, premium=2.00), Leg("put", -1, 90.0, EXP, premium=1.50)],
        100.0,
    )
    m = margin(s)
    check_parts(m)
    assert m.strategy_type == "short_strangle"
    # call: 2 + max(20 - 10, 10) = 12 > put: 1.5 + max(20 - 10, 9) = 11.5; + put premium 1.5
    assert cents(m.initial) == 1350.00
    assert cents(m.buying_power_reduction) == 1000.00


def test_golden_collar():
    # Cboe margin manual "Collar": initial 50% stock + put; maintenance
    # min(10% K_put + put OTM, 25% K_call) per share = min(4.5 + 5, 13.75) = 9.50
    s = make(
        [
            Leg("stock", 100, premium=50.0),
            Leg("put", 1, 45.0, EXP, premium=1.00),
            Leg("call", -1, 55.0, EXP, premium=0.80),
        ],
        50.0,
    )
    m = margin(s)
    check_parts(m)
    assert m.strategy_type == "collar"
    assert cents(m.initial) == 2600.00
    assert cents(m.maintenance) == 950.00
    assert cents(m.buying_power_reduction) == 2520.00  # the call's 80 applied


def test_golden_f_put():
    # margin-estimator README: short F 11 put @0.45, S=11.03 -> 263.00, because it rounds
    # the per-share amount to cents first; the Cboe formula gives
    # 0.45 + max(0.20 x 11.03 - 0.03, 0.10 x 11) = 2.626 -> 262.60
    s = make([Leg("put", -1, 11.0, EXP, premium=0.45)], 11.03)
    m = margin(s)
    check_parts(m)
    assert m.strategy_type == "naked_put"
    assert cents(m.initial) == 262.60
    assert cents(m.buying_power_reduction) == 217.60
    cash = margin(s, account="cash")
    assert cash.strategy_type == "cash_secured_put"
    # margin-estimator README: cash requirement 1055 = 1100 - 45 (its "cash_requirement")
    assert cents(cash.initial) == 1100.00
    assert cents(cash.buying_power_reduction) == 1055.00


def test_golden_tqqq_leveraged_call():
    # margin-estimator README: naked TQQQ 80 call @4.45, S=77.35, broad ETF, 3x -> 3661.00
    # (per-share rounded to 36.61); formula: 4.45 + max(0.45 x 77.35 - 2.65, 0.30 x 77.35)
    # = 36.6075 -> 3660.75 (15% broad-index base x leverage 3, 10% x 3 minimum)
    s = make([Leg("call", -1, 80.0, EXP, premium=4.45)], 77.35, vol=0.6)
    m = margin(s, underlying="leveraged_etf", leverage=3.0)
    check_parts(m)
    assert m.strategy_type == "naked_call"
    assert cents(m.initial) == 3660.75
    # the same 3x factor on the 20% narrow-index base
    narrow = margin(s, underlying="narrow_index", leverage=3.0)
    assert cents(narrow.initial) == cents(100 * (4.45 + 0.60 * 77.35 - 2.65))


def test_golden_put_credit_spread():
    # research table: 95/100 put credit spread -> 500 before the credit
    s = make(
        [Leg("put", 1, 95.0, EXP, premium=1.10), Leg("put", -1, 100.0, EXP, premium=2.60)],
        102.0,
    )
    m = margin(s)
    check_parts(m)
    assert m.strategy_type == "vertical_credit"
    assert cents(m.initial) == 500.00
    assert cents(m.buying_power_reduction) == 350.00


def test_tastytrade_naked_put_example():
    # tastytrade help "Naked Short Put": 45 put @0.50, S=47.50 -> requirement 750, BPR 700
    s = make([Leg("put", -1, 45.0, EXP, premium=0.50)], 47.50)
    m = margin(s)
    assert cents(m.initial) == 750.00
    assert cents(m.buying_power_reduction) == 700.00


def test_tastytrade_cash_secured_put_example():
    # tastytrade help "Cash-Secured Put": 6 x 11 puts @0.75 -> 6600 secured, BPR 6150
    s = make([Leg("put", -6, 11.0, EXP, premium=0.75)], 11.5)
    m = margin(s, account="cash")
    assert cents(m.initial) == 6600.00
    assert cents(m.buying_power_reduction) == 6150.00


# ------------------------------------------------------------- hand-derived rules
def test_long_options_and_the_nine_month_rule():
    near = make([Leg("call", 2, 100.0, EXP, premium=3.0)], 100.0)
    m = margin(near)
    assert m.strategy_type == "long_options"
    assert cents(m.initial) == cents(m.buying_power_reduction) == 600.00
    cutoff = add_months(ASOF, 9)
    assert cutoff == dt.date(2025, 8, 15)
    at_cutoff = make([Leg("call", 1, 100.0, cutoff, premium=10.0)], 100.0)
    assert cents(margin(at_cutoff).initial) == 1000.00  # not more than 9 months
    leaps = make([Leg("call", 1, 100.0, cutoff + dt.timedelta(days=1), premium=10.0)], 100.0)
    m = margin(leaps)
    assert cents(m.initial) == cents(m.maintenance) == 750.00  # 75% of cost
    assert cents(margin(leaps, account="cash").initial) == 1000.00
    assert add_months(dt.date(2024, 5, 31), 9) == dt.date(2025, 2, 28)


def test_naked_call_and_put_formulas():
    itm_call = make([Leg("call", -2, 95.0, EXP, premium=7.0)], 100.0)
    # 7 + max(20 - 0, 10) = 27 per share
    assert cents(margin(itm_call).initial) == 5400.00
    far_put = make([Leg("put", -1, 60.0, EXP, premium=0.05)], 100.0)
    # 0.05 + max(20 - 40, 6) = 6.05: the 10% x K minimum
    assert cents(margin(far_put).initial) == 605.00
    far_call = make([Leg("call", -1, 150.0, EXP, premium=0.05)], 100.0)
    # 0.05 + max(20 - 50, 10) = 10.05: the 10% x S minimum
    assert cents(margin(far_call).initial) == 1005.00
    # broad index: 15%
    assert cents(margin(itm_call, underlying="broad_index").initial) == 4400.00


def test_short_straddle():
    s = make(
        [Leg("call", -1, 100.0, EXP, premium=3.0), Leg("put", -1, 100.0, EXP, premium=2.5)],
        100.0,
    )
    m = margin(s)
    assert m.strategy_type == "short_straddle"
    # call 3 + 20 = 23 > put 2.5 + 20 = 22.5; + put premium 2.5
    assert cents(m.initial) == 2550.00
    assert cents(m.buying_power_reduction) == 2000.00


def test_vertical_lesser_of_naked_and_width():
    # far OTM, 40 wide: the short put's naked requirement 0.10 + 5 = 5.10 beats 40
    s = make(
        [Leg("put", -1, 50.0, EXP, premium=0.10), Leg("put", 1, 10.0, EXP, premium=0.01)],
        100.0,
    )
    m = margin(s)
    assert m.strategy_type == "vertical_credit"
    assert cents(m.initial) == 511.00  # 510 naked + the long paid in full
    assert cents(m.buying_power_reduction) == 501.00  # 510 - 10 + 1


def test_debit_vertical_pays_the_debit():
    s = make(
        [Leg("call", 1, 100.0, EXP, premium=4.0), Leg("call", -1, 105.0, EXP, premium=1.8)],
        100.0,
    )
    m = margin(s)
    assert m.strategy_type == "vertical_debit"
    assert cents(m.initial) == cents(m.buying_power_reduction) == 220.00


def test_butterflies_and_boxes():
    long_fly = make(
        [
            Leg("call", 1, 95.0, EXP, premium=7.0),
            Leg("call", -2, 100.0, EXP, premium=4.0),
            Leg("call", 1, 105.0, EXP, premium=2.0),
        ],
        100.0,
    )
    m = margin(long_fly)
    assert m.strategy_type == "long_butterfly"
    assert cents(m.initial) == cents(m.buying_power_reduction) == 100.00
    short_fly = make(
        [
            Leg("put", -1, 95.0, EXP, premium=1.0),
            Leg("put", 2, 100.0, EXP, premium=3.0),
            Leg("put", -1, 105.0, EXP, premium=6.5),
        ],
        100.0,
    )
    m = margin(short_fly)
    assert m.strategy_type == "short_butterfly"
    assert cents(m.initial) == 500.00  # worst expiry loss, at 95 and 105
    assert cents(m.buying_power_reduction) == 350.00  # credit 1.50 applied
    bwb = make(
        [
            Leg("put", 1, 90.0, EXP, premium=0.5),
            Leg("put", -2, 100.0, EXP, premium=3.0),
            Leg("put", 1, 105.0, EXP, premium=5.4),
        ],
        100.0,
    )
    m = margin(bwb)
    assert m.strategy_type == "broken_wing_butterfly"
    assert cents(m.initial) == 500.00  # worst at 90: +15 - 20 = -5 per share
    assert cents(m.buying_power_reduction) == 490.00
    box = [
        Leg("call", 1, 95.0, EXP, premium=6.0),
        Leg("call", -1, 105.0, EXP, premium=1.0),
        Leg("put", -1, 95.0, EXP, premium=0.9),
        Leg("put", 1, 105.0, EXP, premium=5.85),
    ]
    m = margin(make(box, 100.0))
    assert m.strategy_type == "box_spread"
    assert cents(m.initial) == cents(m.buying_power_reduction) == 995.00  # pay the debit
    short_box = make([leg.scaled(-1) for leg in box], 100.0)
    m = margin(short_box)
    assert m.strategy_type == "box_spread"
    assert cents(m.initial) == 1000.00
    assert cents(m.buying_power_reduction) == 5.00


def test_iron_butterfly_and_uneven_wings():
    s = make(
        [
            Leg("put", 1, 90.0, EXP, premium=0.5),
            Leg("put", -1, 100.0, EXP, premium=3.0),
            Leg("call", -1, 100.0, EXP, premium=3.2),
            Leg("call", 1, 105.0, EXP, premium=1.0),
        ],
        100.0,
    )
    m = margin(s)
    assert m.strategy_type == "iron_butterfly"
    assert cents(m.initial) == 1000.00  # the wider (put) side
    assert cents(m.buying_power_reduction) == 1000.00 - 470.00


def test_ratio_spread_matched_part_and_naked_excess():
    s = make(
        [Leg("call", 1, 100.0, EXP, premium=5.0), Leg("call", -2, 105.0, EXP, premium=2.5)],
        100.0,
    )
    m = margin(s)
    check_parts(m)
    assert m.strategy_type == "ratio_spread"
    # one 105 call naked: 2.5 + max(20 - 5, 10) = 17.5; the 100/105 pair pays its 2.50 debit
    assert cents(m.initial) == 2000.00
    assert cents(m.buying_power_reduction) == 1750.00
    with pytest.raises(ValueError, match="account='cash' cannot hold naked calls"):
        margin(s, account="cash")


def test_covered_call_and_covered_put():
    otm = make([Leg("stock", 100), Leg("call", -1, 105.0, EXP, premium=2.0)], 100.0)
    m = margin(otm)
    check_parts(m)
    assert m.strategy_type == "covered_call"
    assert cents(m.initial) == 5000.00
    assert cents(m.maintenance) == 2500.00
    assert cents(m.buying_power_reduction) == 4800.00
    itm = make([Leg("stock", 100), Leg("call", -1, 95.0, EXP, premium=6.0)], 100.0)
    assert cents(margin(itm).maintenance) == 2375.00  # stock counted at the 95 strike
    cash = margin(otm, account="cash")
    assert cents(cash.initial) == 10000.00
    assert cents(cash.buying_power_reduction) == 9800.00
    # more calls than shares: the excess call is naked
    over = make([Leg("stock", 100), Leg("call", -2, 105.0, EXP, premium=2.0)], 100.0)
    assert cents(margin(over).initial) == 5000.00 + 100 * (2.0 + 15.0)
    cput = make([Leg("stock", -100), Leg("put", -1, 105.0, EXP, premium=6.0)], 100.0)
    m = margin(cput)
    assert m.strategy_type == "covered_put"
    assert cents(m.initial) == 5000.00 + 500.00  # 50% short stock + the put's ITM amount
    assert cents(m.maintenance) == 3000.00 + 500.00
    assert cents(m.buying_power_reduction) == 5500.00 - 600.00
    with pytest.raises(ValueError, match="short stock"):
        margin(cput, account="cash")


def test_protective_put_and_call():
    pp = make([Leg("stock", 100), Leg("put", 1, 95.0, EXP, premium=2.0)], 100.0)
    m = margin(pp)
    assert m.strategy_type == "protective_put"
    assert cents(m.initial) == 5200.00
    assert cents(m.maintenance) == 1450.00  # min(9.5 + 5, 25) per share
    pc = make([Leg("stock", -100), Leg("call", 1, 105.0, EXP, premium=2.0)], 100.0)
    m = margin(pc)
    assert m.strategy_type == "protective_call"
    assert cents(m.initial) == 5200.00
    assert cents(m.maintenance) == 1550.00  # min(10.5 + 5, 30) per share


def test_stock_only():
    m = margin(make([Leg("stock", 100, premium=48.0)], 50.0))
    assert m.strategy_type == "long_stock"
    assert (cents(m.initial), cents(m.maintenance)) == (2500.00, 1250.00)
    m = margin(make([Leg("stock", -100)], 50.0))
    assert m.strategy_type == "short_stock"
    assert (cents(m.initial), cents(m.maintenance)) == (2500.00, 1500.00)
    assert cents(margin(make([Leg("stock", 100)], 50.0), account="cash").initial) == 5000.00


def test_calendar_and_diagonal():
    cal = make(
        [Leg("call", 1, 100.0, LATE, premium=4.0), Leg("call", -1, 100.0, EXP, premium=2.5)],
        100.0,
    )
    m = margin(cal)
    assert m.strategy_type == "calendar"
    assert cents(m.initial) == cents(m.buying_power_reduction) == 150.00
    diag = make(
        [Leg("put", 1, 95.0, LATE, premium=2.0), Leg("put", -1, 100.0, EXP, premium=3.0)],
        100.0,
    )
    m = margin(diag)
    assert m.strategy_type == "diagonal"
    assert cents(m.initial) == 500.00  # K_short - K_long for puts
    assert cents(m.buying_power_reduction) == 400.00
    assert cents(margin(diag, account="cash").initial) == 500.00
    # long expires first: the short is naked, the long paid
    rev = make(
        [Leg("call", -1, 100.0, LATE, premium=4.0), Leg("call", 1, 100.0, EXP, premium=2.5)],
        100.0,
    )
    m = margin(rev)
    assert m.strategy_type == "calendar"
    assert cents(m.initial) == 250.00 + 2400.00
    assert cents(m.buying_power_reduction) == 250.00 + 2000.00
    with pytest.raises(ValueError, match="cannot hold naked calls"):
        margin(rev, account="cash")
    double = make(
        [
            Leg("call", 1, 105.0, LATE, premium=2.0),
            Leg("call", -1, 105.0, EXP, premium=1.2),
            Leg("put", 1, 95.0, LATE, premium=1.8),
            Leg("put", -1, 95.0, EXP, premium=1.0),
        ],
        100.0,
    )
    m = margin(double)
    assert m.strategy_type == "double_calendar"
    assert cents(m.initial) == 160.00


def test_tastytrade_long_calendar_example():
    # tastytrade help "Long Calendar Spreads": +4 Jun 43 calls @3.00, -4 Mar 43 calls @1.00
    # -> BP effect 800
    s = make(
        [
            Leg("call", 4, 43.0, dt.date(2025, 6, 20), premium=3.00),
            Leg("call", -4, 43.0, dt.date(2025, 3, 21), premium=1.00),
        ],
        43.0,
    )
    m = margin(s)
    assert m.strategy_type == "calendar"
    assert cents(m.buying_power_reduction) == cents(m.initial) == 800.00


def test_unclassifiable_falls_back_to_the_conservative_rule():
    s = make(
        [
            Leg("call", 1, 100.0, LATE, premium=5.0),
            Leg("call", -2, 105.0, EXP, premium=2.0),
            Leg("put", -1, 90.0, dt.date(2025, 2, 21), premium=2.0),
        ],
        100.0,
    )
    m = margin(s)
    check_parts(m)
    assert m.strategy_type == "worst_case"
    assert m.conservative
    assert "conservative" in m.note
    # the long call expires before the short put: no cover; both calls naked
    # (2 + max(20 - 5, 10)) x 200 = 3400; the put at its worst (S = 0): 9000; long paid 500
    assert cents(m.initial) == 500.00 + 3400.00 + 9000.00
    assert cents(m.buying_power_reduction) == 500.00 + 3000.00 + 8800.00


def test_identical_legs_are_netted():
    lower = make(
        [Leg("call", 1, 95.0, EXP, premium=7.0), Leg("call", -1, 100.0, EXP, premium=4.0)], 100.0
    )
    upper = make(
        [Leg("call", -1, 100.0, EXP, premium=4.0), Leg("call", 1, 105.0, EXP, premium=2.0)], 100.0
    )
    m = margin(lower + upper)
    assert m.strategy_type == "long_butterfly"
    assert cents(m.initial) == 100.00
    flat = make(
        [Leg("put", 1, 95.0, EXP, premium=2.0), Leg("put", -1, 95.0, EXP, premium=2.1)], 100.0
    )
    m = margin(flat)
    assert cents(m.initial) == 0.0
    assert cents(m.buying_power_reduction) == 0.0


def test_cash_account_spreads_and_errors():
    ic = spy_iron_condor()
    assert cents(margin(ic, account="cash").buying_power_reduction) == 262.00
    naked = make([Leg("call", -1, 110.0, EXP, premium=1.0)], 100.0)
    with pytest.raises(ValueError, match="account='margin'"):
        margin(naked, account="cash")


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"account": "ira"}, ValueError, "`account` must be one of 'margin', 'cash'"),
        ({"underlying": "bond"}, ValueError, "`underlying` must be one of"),
        ({"leverage": "3"}, TypeError, "`leverage` must be a real number"),
        ({"leverage": float("nan")}, ValueError, "`leverage` must be finite"),
        ({"leverage": 0.5}, ValueError, "`leverage` must be >= 1"),
        ({"underlying": "leveraged_etf"}, ValueError, "needs its `leverage`"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    s = make([Leg("put", -1, 95.0, EXP, premium=1.0)], 100.0)
    with pytest.raises(exc, match=match):
        margin(s, **kwargs)


def test_bad_strategy():
    with pytest.raises(TypeError, match="`strategy` must be a Strategy"):
        margin([Leg("put", -1, 95.0, EXP)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`strategy` must be a Strategy"):
        portfolio_margin("iron condor")  # type: ignore[arg-type]


def test_kernel_worst_value_at_the_kinks():
    a = spy_iron_condor().arrays
    worst, at, slope = expiry_worst_value_nb(a.kind, a.units, a.strike)
    assert worst == -500.0  # premiums excluded: the liability at expiry
    assert at == 0.0  # the first kink where it occurs (flat below 567)
    assert slope == 0.0
    naked = readonly(np.array([0], dtype=np.int64))
    worst, at, slope = expiry_worst_value_nb(
        naked, readonly(np.array([-100.0])), readonly(np.array([100.0]))
    )
    assert slope == -100.0  # unbounded: the caller treats the call as naked
    stock = readonly(np.array([2, 1], dtype=np.int64))
    worst, at, slope = expiry_worst_value_nb(
        stock, readonly(np.array([100.0, 100.0])), readonly(np.array([0.0, 95.0]))
    )
    assert (worst, at, slope) == (9500.0, 0.0, 100.0)  # protective put: worth >= 9,500


# ----------------------------------------------------------------------- properties
strikes = st.sampled_from([80.0, 90.0, 95.0, 100.0, 105.0, 110.0, 120.0])
option_legs = st.lists(
    st.tuples(
        st.sampled_from(["call", "put"]),
        st.integers(-3, 3).filter(bool),
        strikes,
        st.floats(0.05, 15.0),
    ),
    min_size=1,
    max_size=4,
)


@given(option_legs, st.integers(-200, 300), st.floats(70.0, 130.0))
def test_margin_is_never_negative_and_scales(legs, shares, spot):
    built = [Leg(k, q, K, EXP, premium=p) for k, q, K, p in legs]
    if shares:
        built.append(Leg("stock", shares, premium=spot))
    s = make(built, spot)
    m = margin(s)
    check_parts(m)
    triple = make([leg.scaled(3) for leg in built], spot)
    m3 = margin(triple)
    assert m3.initial == pytest.approx(3 * m.initial, rel=1e-9, abs=1e-6)
    assert m3.maintenance == pytest.approx(3 * m.maintenance, rel=1e-9, abs=1e-6)
    assert m3.buying_power_reduction == pytest.approx(
        3 * m.buying_power_reduction, rel=1e-9, abs=1e-6
    )


@given(option_legs, st.floats(70.0, 130.0))
def test_covered_same_expiry_positions_never_tie_up_more_than_they_can_lose(legs, spot):
    built = [Leg(k, q, K, EXP, premium=p) for k, q, K, p in legs]
    s = make(built, spot)
    a = s.arrays
    calls = a.kind == 0
    if a.units[calls].sum() < 0 or a.units[~calls].sum() < 0:
        return  # uncovered shorts: unlimited or naked, no max-loss bound
    m = margin(s)
    assert not m.conservative
    bound = max(-s.max_loss, s.cost, 0.0)  # a position that cannot lose still pays its debit
    assert m.buying_power_reduction <= bound + 1e-6


@given(
    st.sampled_from(["call", "put"]),
    st.sampled_from([1, 2, 5]),
    st.floats(0.5, 5.0),
    st.floats(0.2, 4.0),
    st.floats(-3.0, 3.0),
)
def test_credit_spread_bpr_is_width_minus_credit(kind, q, width, credit, offset):
    spot = 100.0
    short_k = spot + offset
    long_k = short_k + width if kind == "call" else short_k - width
    credit = min(credit, 0.9 * width)
    s = make(
        [Leg(kind, -q, short_k, EXP, premium=credit + 0.5), Leg(kind, q, long_k, EXP, premium=0.5)],
        spot,
    )
    m = margin(s)
    # width <= 10% of S and of K: the naked alternative never undercuts the spread
    assert m.strategy_type == "vertical_credit"
    assert m.initial == pytest.approx(width * 100 * q, rel=1e-12)
    assert m.buying_power_reduction == pytest.approx((width - credit) * 100 * q, rel=1e-9)


# ------------------------------------------------------------------- portfolio margin
def short_put():
    return make([Leg("put", -1, 95.0, EXP, premium=1.0)], 100.0, vol=0.25)


def test_portfolio_margin_ranges():
    pm = portfolio_margin(short_put())
    assert isinstance(pm, PortfolioMarginResult)
    np.testing.assert_allclose(
        pm.moves, [-0.15, -0.12, -0.09, -0.06, -0.03, 0.03, 0.06, 0.09, 0.12, 0.15]
    )
    np.testing.assert_allclose(pm.spots, 100.0 * (1.0 + pm.moves))
    broad = portfolio_margin(short_put(), product="broad_index").moves
    np.testing.assert_allclose(
        broad, [-0.1, -0.08, -0.06, -0.04, -0.02, 0.02, 0.04, 0.06, 0.08, 0.1]
    )
    high = portfolio_margin(short_put(), product="high_cap_index").moves
    expected = [-0.08, -0.064, -0.048, -0.032, -0.016, 0.012, 0.024, 0.036, 0.048, 0.06]
    np.testing.assert_allclose(high, expected)
    assert portfolio_margin(short_put(), product="narrow_index").moves[0] == pytest.approx(-0.15)


def test_portfolio_margin_revalues_with_black_scholes():
    s = short_put()
    pm = portfolio_margin(s)
    t = (EXP - ASOF).days / 365.0
    now = bs_price(100.0, 95.0, t, 0.25, kind="put")
    down = bs_price(85.0, 95.0, t, 0.25, kind="put")
    assert pm.worst_move == pytest.approx(-0.15)
    assert pm.requirement == pytest.approx(100 * (down - now), rel=1e-12)
    assert pm.pnl.shape == (10,)
    assert pm.pnl_by_vol.shape == (1, 10)
    assert pm.minimum == pytest.approx(37.5)


def test_portfolio_margin_minimum_and_stock():
    cheap = make([Leg("call", 2, 200.0, EXP, premium=0.01)], 100.0, vol=0.2)
    pm = portfolio_margin(cheap)
    assert pm.requirement == pytest.approx(75.0)  # 2 x 0.375 x 100
    stock = make([Leg("stock", 100)], 100.0)
    pm = portfolio_margin(stock)
    assert pm.minimum == 0.0
    assert pm.requirement == pytest.approx(1500.0)  # 15% down on 10,000


def test_portfolio_margin_vol_shock_and_iron_condor():
    s = short_put()
    plain = portfolio_margin(s)
    shocked = portfolio_margin(s, vol_shock=0.3)
    assert shocked.vol_factors == (0.7, 1.0, 1.3)
    assert shocked.pnl_by_vol.shape == (3, 10)
    assert shocked.requirement > plain.requirement  # a short option loses when vol rises
    np.testing.assert_allclose(shocked.pnl, shocked.pnl_by_vol.min(axis=0))
    ic = spy_iron_condor()
    pm = portfolio_margin(ic, product="high_cap_index")
    assert pm.minimum == pytest.approx(150.0)
    assert pm.minimum <= pm.requirement <= 500.0  # never more than the width


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"product": "spx"}, ValueError, "`product` must be one of"),
        ({"vol_shock": 1.0}, ValueError, r"`vol_shock` must be in \[0, 1\)"),
        ({"vol_shock": -0.1}, ValueError, "`vol_shock`"),
        ({"vol_shock": None}, TypeError, "`vol_shock` must be a real number"),
    ],
)
def test_portfolio_margin_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        portfolio_margin(short_put(), **kwargs)


@given(option_legs, st.floats(70.0, 130.0), st.sampled_from(["equity", "high_cap_index"]))
def test_portfolio_margin_is_the_worst_loss_or_the_minimum(legs, spot, product):
    s = make([Leg(k, q, K, EXP, premium=p) for k, q, K, p in legs], spot)
    pm = portfolio_margin(s, product=product)
    assert pm.requirement >= pm.minimum > 0.0
    assert pm.requirement == pytest.approx(max(-pm.pnl.min(), pm.minimum), rel=1e-12)


# ------------------------------------------------------------- more combinations
def test_strangle_with_the_put_side_larger():
    s = make(
        [Leg("put", -1, 110.0, EXP, premium=11.0), Leg("call", -1, 120.0, EXP, premium=0.5)],
        100.0,
    )
    m = margin(s)
    assert m.strategy_type == "short_strangle"
    # put: 11 + max(20 - 0, 11) = 31 > call: 0.5 + max(20 - 20, 10) = 10.5; + call premium
    assert cents(m.initial) == 3150.00


def test_jade_lizard_and_other_combinations():
    jl = make(
        [
            Leg("put", -1, 90.0, EXP, premium=1.5),
            Leg("call", -1, 105.0, EXP, premium=1.2),
            Leg("call", 1, 110.0, EXP, premium=0.5),
        ],
        100.0,
    )
    m = margin(jl)
    check_parts(m)
    assert m.strategy_type == "jade_lizard"
    # naked put 1.5 + max(20 - 10, 9) = 11.5 -> 1150; call spread 500 (credit applied)
    assert cents(m.initial) == 1650.00
    assert cents(m.buying_power_reduction) == 1150.00 - 150.00 + 500.00 - 70.00
    combo = make(
        [
            Leg("put", -2, 95.0, EXP, premium=2.0),
            Leg("put", 1, 90.0, EXP, premium=1.0),
            Leg("call", -1, 105.0, EXP, premium=1.5),
        ],
        100.0,
    )
    m = margin(combo)
    check_parts(m)
    assert m.strategy_type == "combination"
    # one 95 put and the 105 call naked together: max(put 17, call 16.5) + call premium 1.5;
    # the 90/95 put spread: 500
    assert cents(m.initial) == 1850.00 + 500.00
    covered_strangle = make(
        [
            Leg("stock", 100),
            Leg("call", -1, 105.0, EXP, premium=2.0),
            Leg("put", -1, 95.0, EXP, premium=2.0),
        ],
        100.0,
    )
    m = margin(covered_strangle)
    assert m.strategy_type == "covered_strangle"
    # stock 5000 + naked put 2 + max(20 - 5, 9.5) = 17 -> 1700
    assert cents(m.initial) == 6700.00
    assert margin(covered_strangle, account="cash").initial == pytest.approx(10000.0 + 9500.0)


def test_calendars_with_unequal_sizes():
    long_heavy = make(
        [Leg("call", 2, 100.0, LATE, premium=4.0), Leg("call", -1, 100.0, EXP, premium=2.5)],
        100.0,
    )
    m = margin(long_heavy)
    assert m.strategy_type == "calendar"
    assert cents(m.initial) == 150.00 + 400.00
    short_heavy = make(
        [Leg("put", 1, 95.0, LATE, premium=2.0), Leg("put", -2, 100.0, EXP, premium=3.0)],
        100.0,
    )
    m = margin(short_heavy)
    assert m.strategy_type == "diagonal"
    # the extra 100 put is naked: 3 + max(20 - 0, 10) = 23
    assert cents(m.initial) == 500.00 + 2300.00
    # cash account: the extra put is cash-secured
    assert cents(margin(short_heavy, account="cash").initial) == 500.00 + 10000.00
    rev_put = make(
        [Leg("put", -1, 95.0, LATE, premium=2.0), Leg("put", 1, 95.0, EXP, premium=1.0)],
        100.0,
    )
    m = margin(rev_put, account="cash")
    assert cents(m.initial) == 100.00 + 9500.00
    assert cents(m.buying_power_reduction) == 100.00 + 9300.00


def test_conservative_rule_with_short_stock():
    s = make(
        [
            Leg("stock", -200, premium=100.0),
            Leg("call", 1, 105.0, LATE, premium=3.0),
            Leg("call", -1, 110.0, EXP, premium=1.0),
        ],
        100.0,
    )
    m = margin(s)
    check_parts(m)
    assert m.conservative
    # naked 110 call 1 + max(20 - 10, 10) = 11 -> 1100; 100 uncovered short shares: 5000;
    # the rest (-100 shares, +1 call 105) can lose 10,500 at expiry (at 105)
    assert cents(m.initial) == 1100.00 + 5000.00 + 10500.00
    assert cents(m.maintenance) == 1100.00 + 3000.00 + 10500.00
    assert cents(m.buying_power_reduction) == 1000.00 + 5000.00 + 10500.00 - 9700.00


def test_calendar_plus_vertical_is_not_a_calendar():
    s = make(
        [
            Leg("call", 1, 100.0, LATE, premium=4.0),
            Leg("call", -1, 100.0, EXP, premium=2.5),
            Leg("put", 1, 90.0, EXP, premium=0.5),
            Leg("put", -1, 95.0, EXP, premium=1.5),
        ],
        100.0,
    )
    m = margin(s)
    check_parts(m)
    assert m.strategy_type == "worst_case"
    assert m.conservative
    # every leg at intrinsic (the long call outlives the shorts): worst at S <= 90: -500,
    # plus the net debit 4.00 - 2.50 + 0.50 - 1.50 = 0.50
    assert cents(m.initial) == 550.00
    assert cents(m.buying_power_reduction) == 550.00
