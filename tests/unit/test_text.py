"""The compact text form of legs: formatting, parsing, round trips, error messages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy
from fastopt.strategies.text import format_leg, format_legs, parse_leg, parse_legs

positive = st.floats(min_value=0.0, exclude_min=True, allow_nan=False, allow_infinity=False)
nonneg = st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)
quantities = st.integers(-(10**9), 10**9).filter(bool)


@st.composite
def legs(draw: st.DrawFn) -> Leg:
    kind = draw(st.sampled_from(["call", "put", "stock"]))
    option = kind != "stock"
    return Leg(
        kind,  # type: ignore[arg-type]
        draw(quantities),
        draw(positive) if option else None,
        draw(st.dates()) if option else None,
        premium=draw(st.none() | nonneg),
        multiplier=draw(st.none() | st.sampled_from([1.0, 10.0, 100.0]) | positive),
        iv=draw(st.none() | positive),
    )


@given(st.lists(legs(), min_size=1, max_size=6))
def test_round_trip(xs: list[Leg]) -> None:
    text = format_legs(xs)
    assert parse_legs(text) == tuple(xs)
    # case does not matter, and neither does extra whitespace or a trailing separator
    assert parse_legs(text.lower()) == tuple(xs)
    assert parse_legs(text.upper()) == tuple(xs)
    assert parse_legs("  " + text.replace(" ", "   ").replace(";", " ;\n") + " ; ") == tuple(xs)


@given(legs())
def test_tokens_after_the_kind_may_come_in_any_order(leg: Leg) -> None:
    qty, kind, *rest = format_leg(leg).split()
    assert parse_leg(" ".join([qty, kind, *reversed(rest)])) == leg


@given(positive, nonneg)
def test_numbers_print_short_and_exact(strike: float, premium: float) -> None:
    leg = Leg("put", -1, strike, "2025-03-21", premium=premium)
    text = format_leg(leg)
    assert ".0 " not in text + " "
    parsed = parse_leg(text)
    assert parsed.strike == strike
    assert parsed.premium == premium


@pytest.mark.parametrize(
    ("leg", "text"),
    [
        (Leg("put", -1, 90.0, "2025-03-21", premium=1.20), "-1 P 90 @1.2 2025-03-21"),
        (Leg("call", 2, 102.5, "2025-03-21"), "+2 C 102.5 2025-03-21"),
        (Leg("stock", 100, premium=50.0), "+100 S @50"),
        (Leg("stock", -300), "-300 S"),
        (Leg("stock", 10, premium=5.0, multiplier=100.0), "+10 S @5 x100"),
        (
            Leg("call", 1, 4500.0, "2025-12-19", premium=0.05, multiplier=50.0, iv=0.1875),
            "+1 C 4500 @0.05 2025-12-19 x50 iv=0.1875",
        ),
        (
            Leg("put", 1, 0.1 + 0.2, "2025-03-21", multiplier=1.0),
            "+1 P 0.30000000000000004 2025-03-21 x1",
        ),
        (Leg("call", 1, 1e20, "2025-03-21", premium=0.0), "+1 C 1e+20 @0 2025-03-21"),
    ],
)
def test_format_examples(leg: Leg, text: str) -> None:
    assert format_leg(leg) == text
    assert parse_leg(text) == leg


def test_words_and_lowercase_are_accepted() -> None:
    expected = (
        Leg("put", -1, 90.0, "2025-03-21", premium=1.2),
        Leg("call", 1, 110.0, "2025-03-21", premium=0.8, iv=0.25),
        Leg("stock", 100, premium=101.5),
    )
    text = "-1 put 90 @1.20 2025-03-21\n1 Call 110 @0.80 2025-03-21 IV=0.25; +100 STOCK @101.50"
    assert parse_legs(text) == expected
    assert parse_legs("-1 p 90 @1.2 2025-03-21; +1 c 110 2025-03-21 @.8 iv=.25; 100 s @101.5") == (
        expected
    )


def test_strategy_str_and_from_text() -> None:
    s = Strategy.from_text(
        "-1 P 90 @1.20 2025-03-21; +1 P 85 @0.55 2025-03-21",
        spot=100.0,
        vol=0.2,
        asof="2025-02-21",
    )
    assert str(s) == "-1 P 90 @1.2 2025-03-21; +1 P 85 @0.55 2025-03-21"
    assert s.cost == pytest.approx(-65.0)
    # legs without a premium get their Black-Scholes value, which then prints exactly
    t = Strategy.from_text("+1 C 100 2025-03-21", spot=100.0, vol=0.2, asof="2025-02-21")
    assert Strategy.from_text(str(t), spot=100.0, vol=0.2, asof="2025-02-21").legs == t.legs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "-1 P 90 2025-03-21; +1 Q 85",
            "leg 2 (\"+1 Q 85\"): unknown kind 'Q', expected C, P or S (or call, put, stock)",
        ),
        (
            "1.5 C 90 2025-03-21",
            "leg 1 (\"1.5 C 90 2025-03-21\"): bad quantity '1.5', expected a "
            "signed whole number like +1 or -2 first",
        ),
        ("C 90 2025-03-21", "leg 1 (\"C 90 2025-03-21\"): bad quantity 'C'"),
        ("0 C 90 2025-03-21", 'leg 1 ("0 C 90 2025-03-21"): quantity is 0, expected a non-zero'),
        ("+1", 'leg 1 ("+1"): missing kind after the quantity, expected C, P or S'),
        ("+1 C 2025-03-21", 'leg 1 ("+1 C 2025-03-21"): missing strike, expected a number'),
        ("+1 C 90", 'leg 1 ("+1 C 90"): missing expiry, expected a date YYYY-MM-DD'),
        ("+1 C 90 2025-02-30", "bad expiry '2025-02-30', expected a real date YYYY-MM-DD"),
        (
            "+1 C 90 21/03/2025",
            "unexpected token '21/03/2025', expected a strike, @premium, an "
            "expiry YYYY-MM-DD, x<multiplier> or iv=<vol>",
        ),
        ("+1 C 90 95 2025-03-21", "second strike '95', expected at most one strike"),
        ("+1 C 90 @1 @2 2025-03-21", "second premium '@2', expected at most one premium"),
        ("+1 C 90 @abc 2025-03-21", "bad premium '@abc', expected a number"),
        ("+1 C inf 2025-03-21", "bad strike 'inf', expected a finite number"),
        ("+1 C 90 2025-03-21 xten", "bad multiplier 'xten', expected a number"),
        ("+1 C 90 2025-03-21 iv=", "bad iv 'iv=', expected a number"),
        ("+1 C -90 2025-03-21", "call leg `strike` must be > 0, got -90.0"),
        ("+1 C 90 @-1 2025-03-21", "`premium` must be >= 0"),
        ("+1 C 90 2025-03-21 iv=0", "`iv` must be > 0"),
        ("+1 C 90 2025-03-21 x0", "`multiplier` must be > 0"),
        ("+100 S 50", 'leg 1 ("+100 S 50"): a stock leg takes no strike or expiry'),
        ("+100 S @50 2025-03-21", "a stock leg takes no strike or expiry"),
        ("", "no legs in ''"),
        (" ;\n; ", "no legs in"),
    ],
)
def test_parse_errors_name_the_leg_the_token_and_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_legs(text)


def test_leg_numbers_skip_blank_pieces() -> None:
    with pytest.raises(ValueError, match=r'^leg 3 \("\+1 C 90"\)'):
        parse_legs("+1 C 90 2025-03-21;; +1 P 90 2025-03-21\n\n+1 C 90")


def test_parse_legs_needs_a_string() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        parse_legs(["+1 C 90 2025-03-21"])  # type: ignore[arg-type]


def test_expiry_is_a_date() -> None:
    (leg,) = parse_legs("+1 C 90 2025-03-21")
    assert leg.expiry == dt.date(2025, 3, 21)
    assert leg.multiplier == 100.0
    assert leg.premium is None
    assert leg.iv is None
