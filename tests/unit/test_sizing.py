"""Position sizing: fixed fractional, by margin, capped Kelly."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastopt.strategies.leg import Leg
from fastopt.strategies.margin import margin
from fastopt.strategies.sizing import (
    kelly_fraction,
    size_by_margin,
    size_fixed_fractional,
    size_kelly,
)
from fastopt.strategies.strategy import Strategy

ASOF = dt.date(2024, 11, 15)
EXP = dt.date(2024, 12, 20)


def make(legs, spot=100.0, **kw):
    kw.setdefault("vol", 0.3)
    kw.setdefault("asof", ASOF)
    return Strategy(legs, spot, **kw)


def put_spread():
    """95/100 put credit spread for 1.50: max loss 350, BPR 350."""
    return make(
        [Leg("put", 1, 95.0, EXP, premium=1.10), Leg("put", -1, 100.0, EXP, premium=2.60)],
        102.0,
    )


def naked_call():
    return make([Leg("call", -1, 110.0, EXP, premium=1.0)])


# ------------------------------------------------------------------ fixed fractional
def test_fixed_fractional():
    s = put_spread()
    assert s.max_loss == pytest.approx(-350.0)
    assert size_fixed_fractional(s, 100_000, 0.02) == 5  # 2,000 / 350 = 5.7
    assert size_fixed_fractional(s, 3_500, 0.1) == 1  # an exact fit counts
    assert size_fixed_fractional(s, 3_499, 0.1) == 0
    assert size_fixed_fractional(s, 10_000, 1.0) == 28


def test_fixed_fractional_refuses_unlimited_or_riskless_positions():
    with pytest.raises(ValueError, match=r"unlimited max loss.*size_by_margin"):
        size_fixed_fractional(naked_call(), 100_000, 0.02)
    free = make([Leg("call", 1, 100.0, EXP, premium=0.0)])
    with pytest.raises(ValueError, match="cannot lose money"):
        size_fixed_fractional(free, 100_000, 0.02)


@pytest.mark.parametrize(
    ("capital", "fraction", "exc", "match"),
    [
        (0.0, 0.02, ValueError, "`capital` must be > 0"),
        (-5.0, 0.02, ValueError, "`capital` must be > 0"),
        (math.inf, 0.02, ValueError, "`capital` must be finite"),
        ("1e5", 0.02, TypeError, "`capital` must be a real number"),
        (1e5, 0.0, ValueError, r"`risk_fraction` must be in \(0, 1\]"),
        (1e5, 1.5, ValueError, r"`risk_fraction` must be in \(0, 1\]"),
        (1e5, True, TypeError, "`risk_fraction` must be a real number"),
    ],
)
def test_fixed_fractional_bad_arguments(capital, fraction, exc, match):
    with pytest.raises(exc, match=match):
        size_fixed_fractional(put_spread(), capital, fraction)


def test_bad_strategy():
    with pytest.raises(TypeError, match="`strategy` must be a Strategy"):
        size_fixed_fractional("spread", 1e5, 0.02)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`strategy` must be a Strategy"):
        size_by_margin(None, 1e5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`strategy` must be a Strategy"):
        size_kelly(1.0, 1e5)  # type: ignore[arg-type]


@given(st.floats(100.0, 1e7), st.floats(0.001, 1.0))
def test_fixed_fractional_never_exceeds_the_risk_budget(capital, fraction):
    n = size_fixed_fractional(put_spread(), capital, fraction)
    budget = capital * fraction
    assert n * 350.0 <= budget * (1 + 1e-9)
    assert (n + 1) * 350.0 > budget


# ------------------------------------------------------------------------ by margin
def test_by_margin():
    put = make([Leg("put", -1, 11.0, EXP, premium=0.45)], 11.03)
    assert size_by_margin(put, 10_000) == 45  # BPR 217.60
    assert size_by_margin(put, 10_000, account="cash") == 9  # BPR 1,055
    assert size_by_margin(put_spread(), 1_000) == 2  # BPR 350
    # 1 + max(20 - 10, 10) = 11 -> 1,100 less the 100 credit: BPR 1,000; unlimited risk is fine
    assert size_by_margin(naked_call(), 10_000) == 10
    call = make([Leg("call", -1, 80.0, EXP, premium=4.45)], 77.35)
    assert size_by_margin(call, 10_000, underlying="leveraged_etf", leverage=3.0) == 3


def test_by_margin_errors():
    flat = make([Leg("put", 1, 95.0, EXP, premium=2.0), Leg("put", -1, 95.0, EXP, premium=2.0)])
    with pytest.raises(ValueError, match="ties up no buying power"):
        size_by_margin(flat, 10_000)
    with pytest.raises(ValueError, match="`buying_power` must be > 0"):
        size_by_margin(put_spread(), 0)
    with pytest.raises(ValueError, match="`account` must be one of"):
        size_by_margin(put_spread(), 10_000, account="ira")


@given(st.floats(500.0, 1e7))
def test_by_margin_fills_the_buying_power(bp):
    s = put_spread()
    n = size_by_margin(s, bp)
    bpr = margin(s).buying_power_reduction
    assert n * bpr <= bp * (1 + 1e-9)
    assert (n + 1) * bpr > bp
    if n:
        copies = make([leg.scaled(n) for leg in s.legs], s.spot)
        assert margin(copies).buying_power_reduction == pytest.approx(n * bpr)


# --------------------------------------------------------------------------- Kelly
def test_kelly_fraction_values():
    assert kelly_fraction(0.6, 100.0, -100.0) == pytest.approx(0.2)
    assert kelly_fraction(0.6, 100.0, 100.0) == pytest.approx(0.2)  # loss sign ignored
    assert kelly_fraction(0.5, 200.0, -100.0, cap=1.0) == pytest.approx(0.25)
    assert kelly_fraction(0.9, 300.0, -100.0) == 0.25  # capped
    assert kelly_fraction(0.9, 300.0, -100.0, cap=0.5) == 0.5
    assert kelly_fraction(0.3, 100.0, -100.0) == 0.0  # negative edge
    assert kelly_fraction(1.0, 1.0, -1e9) == 0.25
    assert kelly_fraction(0.0, 1e9, -1.0) == 0.0


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((1.2, 1.0, -1.0), {}, ValueError, r"`pop` must be a probability in \[0, 1\]"),
        ((-0.1, 1.0, -1.0), {}, ValueError, "`pop`"),
        ((0.5, 0.0, -1.0), {}, ValueError, "`avg_win` must be > 0"),
        ((0.5, 1.0, 0.0), {}, ValueError, "`avg_loss` must be non-zero"),
        ((0.5, 1.0, -1.0), {"cap": 0.0}, ValueError, r"`cap` must be in \(0, 1\]"),
        ((0.5, 1.0, -1.0), {"cap": 2.0}, ValueError, "`cap`"),
        (("0.5", 1.0, -1.0), {}, TypeError, "`pop` must be a real number"),
        ((0.5, float("nan"), -1.0), {}, ValueError, "`avg_win` must be finite"),
    ],
)
def test_kelly_fraction_bad_arguments(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        kelly_fraction(*args, **kwargs)


@given(st.floats(0.0, 1.0), st.floats(0.01, 1e4), st.floats(-1e4, -0.01), st.floats(0.01, 1.0))
def test_kelly_fraction_is_bounded_and_increases_with_pop(p, win, loss, cap):
    f = kelly_fraction(p, win, loss, cap=cap)
    assert 0.0 <= f <= cap
    assert kelly_fraction(min(p + 0.05, 1.0), win, loss, cap=cap) >= f
    raw = p - (1.0 - p) * abs(loss) / win
    assert f == pytest.approx(min(max(raw, 0.0), cap), abs=1e-12)


def test_size_kelly_matches_the_analysis():
    s = put_spread()
    a = s.analyze(grid=0, vol=0.2)  # the distribution's vol, below the 30% priced in
    f = kelly_fraction(a.pop, a.expected_profit, a.expected_loss, cap=1.0)
    assert 0.1 < f < 0.3
    assert size_kelly(s, 100_000, cap=1.0, vol=0.2) == math.floor(f * 100_000 / 350.0)
    assert size_kelly(s, 100_000, cap=0.01, vol=0.2) == 2  # 1,000 / 350
    # at the priced-in vol the credit spread has no edge: no copies
    assert size_kelly(s, 100_000, cap=1.0) == 0


def test_size_kelly_edges():
    with pytest.raises(ValueError, match="unlimited max loss"):
        size_kelly(naked_call(), 100_000)
    # never profitable: no copies
    hopeless = make([Leg("call", 1, 100.0, EXP, premium=50.0)], vol=0.01)
    assert hopeless.pop() == 0.0
    assert size_kelly(hopeless, 100_000) == 0
    # (almost) never losing: the cap decides
    far = make(
        [Leg("put", 1, 45.0, EXP, premium=0.0), Leg("put", -1, 50.0, EXP, premium=0.10)],
        vol=0.05,
    )
    assert far.pop() == 1.0
    assert size_kelly(far, 100_000) == math.floor(0.25 * 100_000 / 490.0)
    # an overpriced call whose "wins" (anything but a total loss) average a loss: no edge
    rich = make([Leg("call", 1, 100.0, EXP, premium=8.0)], vol=0.2)
    assert rich.analyze(grid=0, threshold=-799.0).expected_profit < 0.0
    assert size_kelly(rich, 100_000, threshold=-799.0) == 0
    with pytest.raises(ValueError, match="`cap`"):
        size_kelly(put_spread(), 100_000, cap=0.0)
    with pytest.raises(ValueError, match="`capital` must be > 0"):
        size_kelly(put_spread(), -1.0)
