"""Strategies from an option chain: strike picks by delta and distance, fills, errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from fastopt import bs_greeks, bs_price, implied_vol
from fastopt.strategies.chain_select import (
    ChainQuote,
    enrich_chain,
    iron_condor_from_chain,
    pick_by_delta,
    pick_by_distance,
    select_expiry,
    straddle_from_chain,
    strangle_from_chain,
    vertical_from_chain,
)

DAY = dt.date(2025, 1, 6)
EXPIRIES = [DAY + dt.timedelta(days=d) for d in (17, 45, 73)]
STRIKES = np.arange(60.0, 140.01, 2.5)
HALF = 0.02  # half the bid/ask spread


def smile(k: np.ndarray | float) -> np.ndarray | float:
    x = np.log(np.asarray(k) / 100.0)
    return 0.22 - 0.05 * x + 0.3 * x * x


def make_chain(spot: float = 100.0, rate: float = 0.0, expiries=EXPIRIES) -> pl.DataFrame:
    frames = []
    for e in expiries:
        t = (e - DAY).days / 365.0
        for kind in ("call", "put"):
            price = np.asarray(bs_price(spot, STRIKES, t, smile(STRIKES), rate, kind=kind))
            frames.append(
                pl.DataFrame(
                    {
                        "date": [DAY] * STRIKES.size,
                        "expiry": [e] * STRIKES.size,
                        "strike": STRIKES,
                        "kind": [kind] * STRIKES.size,
                        "bid": np.maximum(price - HALF, 0.0),
                        "ask": price + HALF,
                        "underlying": np.full(STRIKES.size, spot),
                    }
                )
            )
    return pl.concat(frames)


CHAIN = make_chain()


def true_delta(kind: str, expiry: dt.date, spot: float = 100.0, rate: float = 0.0) -> np.ndarray:
    t = (expiry - DAY).days / 365.0
    return np.asarray(bs_greeks(spot, STRIKES, t, smile(STRIKES), rate, kind=kind).delta)


def nearest_delta_strike(kind: str, expiry: dt.date, target: float, **kw: float) -> float:
    d = np.abs(true_delta(kind, expiry, **kw))
    return float(STRIKES[np.argmin(np.abs(d - target))])


SC45 = nearest_delta_strike("call", EXPIRIES[1], 0.16)


# --------------------------------------------------------------------------- picks
@pytest.mark.parametrize("expiry", EXPIRIES)
@pytest.mark.parametrize("kind", ["call", "put"])
@pytest.mark.parametrize("target", [0.1, 0.16, 0.25, 0.3, 0.5])
def test_pick_by_delta_chooses_the_nearest_delta(expiry, kind, target):
    q = pick_by_delta(CHAIN, expiry, kind, target, tolerance=None)
    assert isinstance(q, ChainQuote)
    assert q.strike == nearest_delta_strike(kind, expiry, target)
    assert (q.kind, q.expiry, q.underlying) == (kind, expiry, 100.0)
    # IV solved from the mid recovers the vol the chain was priced with; delta follows
    assert q.iv == pytest.approx(smile(q.strike), rel=1e-8)
    t = (expiry - DAY).days / 365.0
    assert q.delta == pytest.approx(bs_greeks(100.0, q.strike, t, q.iv, kind=kind).delta)
    assert q.mid == pytest.approx((q.bid + q.ask) / 2.0)
    assert np.sign(q.delta) == (1 if kind == "call" else -1)


def test_pick_by_delta_sign_of_the_target_does_not_matter_for_puts():
    a = pick_by_delta(CHAIN, EXPIRIES[1], "put", 0.16)
    b = pick_by_delta(CHAIN, EXPIRIES[1], "put", -0.16)
    assert a == b


def test_pick_by_delta_with_a_rate_and_a_252_basis():
    chain = make_chain(rate=0.05)
    q = pick_by_delta(chain, EXPIRIES[1], "call", 0.25, rate=0.05)
    assert q.strike == nearest_delta_strike("call", EXPIRIES[1], 0.25, rate=0.05)
    assert q.iv == pytest.approx(smile(q.strike), rel=1e-8)
    # on the business-day basis (33 days / 252 > 45 / 365) the same price is a lower vol
    q252 = pick_by_delta(chain, EXPIRIES[1], "call", 0.25, rate=0.05, year_basis=252)
    t252 = np.busday_count(DAY, EXPIRIES[1]) / 252.0
    assert q252.iv < q.iv
    assert q252.iv == pytest.approx(implied_vol(q.mid, 100.0, q.strike, t252, 0.05), rel=1e-12)


def test_chain_iv_and_delta_columns_are_used_when_present():
    e = EXPIRIES[1]
    delta = np.where(CHAIN["kind"] == "put", -0.5, 0.5)
    iv = np.full(CHAIN.height, 0.99)
    # make the 80 put the 16-delta put by decree; leave the 85 put's delta null (computed)
    is_80 = (CHAIN["kind"] == "put") & (CHAIN["strike"] == 80.0) & (CHAIN["expiry"] == e)
    is_85 = (CHAIN["kind"] == "put") & (CHAIN["strike"] == 85.0) & (CHAIN["expiry"] == e)
    delta[is_80.to_numpy()] = -0.16
    chain = CHAIN.with_columns(
        pl.Series("delta", delta).scatter(np.flatnonzero(is_85.to_numpy()), None),
        pl.Series("iv", iv),
    )
    q = pick_by_delta(chain, e, "put", 0.16)
    assert (q.strike, q.delta, q.iv) == (80.0, -0.16, 0.99)
    # the 85 put's delta is computed, at the chain's iv of 0.99
    t = (e - DAY).days / 365.0
    d85 = bs_greeks(100.0, 85.0, t, 0.99, kind="put").delta
    q85 = pick_by_delta(chain, e, "put", d85)
    assert (q85.strike, q85.delta) == (85.0, pytest.approx(d85, rel=1e-14))


def test_pick_by_delta_ties_go_further_out_of_the_money():
    e = EXPIRIES[1]
    chain = CHAIN.filter(pl.col("expiry") == e).with_columns(
        pl.when(pl.col("strike") == 90.0)
        .then(-0.14)
        .when(pl.col("strike") == 92.5)
        .then(-0.18)
        .otherwise(-0.6)
        .alias("delta")
    )
    assert pick_by_delta(chain, e, "put", 0.16).strike == 90.0


@pytest.mark.parametrize(
    ("kind", "distance", "relative", "strike"),
    [
        ("put", 7.0, False, 92.5),
        ("call", 5.0, False, 105.0),
        ("put", 0.1, True, 90.0),
        ("call", 0.1, True, 110.0),
        ("call", -10.0, False, 90.0),  # negative: in the money
        ("put", 6.25, False, 92.5),  # tie between 92.5 and 95: further OTM
        ("call", 6.25, False, 107.5),
        ("put", 0.0, False, 100.0),
    ],
)
def test_pick_by_distance(kind, distance, relative, strike):
    q = pick_by_distance(CHAIN, EXPIRIES[0], kind, distance, relative=relative)
    assert q.strike == strike
    assert q.kind == kind


def test_pick_by_distance_tolerance():
    q = pick_by_distance(CHAIN, EXPIRIES[0], "put", 7.0, tolerance=0.5)
    assert q.strike == 92.5
    with pytest.raises(ValueError, match=r"no put strike within 0.4 of 93 .*nearest: 92.5, 95"):
        pick_by_distance(CHAIN, EXPIRIES[0], "put", 7.0, tolerance=0.4)
    with pytest.raises(ValueError, match=r"within 0.1 of 93 "):  # relative: 0.001 of 100
        pick_by_distance(CHAIN, EXPIRIES[0], "put", 0.07, relative=True, tolerance=0.001)
    with pytest.raises(ValueError, match=r"target strike at -5"):
        pick_by_distance(CHAIN, EXPIRIES[0], "put", 105.0)


@pytest.mark.parametrize(
    ("dte", "expected"),
    [(0, EXPIRIES[0]), (40, EXPIRIES[1]), (31, EXPIRIES[0]), (59, EXPIRIES[1]), (400, EXPIRIES[2])],
)
def test_select_expiry_nearest_dte_earlier_on_a_tie(dte, expected):
    assert select_expiry(CHAIN, dte=dte) == expected


def test_numpy_scalars_are_accepted():
    assert select_expiry(CHAIN, dte=np.int64(40)) == EXPIRIES[1]
    ic = iron_condor_from_chain(
        CHAIN, dte=np.float64(45.0), width=np.float64(5.0), rate=np.float32(0)
    )
    assert ic.name == "iron_condor"


def test_select_expiry_by_date():
    assert select_expiry(CHAIN, expiry=EXPIRIES[2].isoformat()) == EXPIRIES[2]
    with pytest.raises(ValueError, match=r"`expiry` 2025-02-21 is not on the chain; expiries: "):
        select_expiry(CHAIN, expiry="2025-02-21")


def test_enrich_chain():
    out = enrich_chain(CHAIN)
    assert {"mid", "t", "iv", "delta"} <= set(out.columns)
    assert out.height == CHAIN.height
    otm = out.filter(
        (pl.col("bid") > 0)
        & (
            ((pl.col("kind") == "call") & (pl.col("strike") >= 100.0))
            | ((pl.col("kind") == "put") & (pl.col("strike") <= 100.0))
        )
    )
    assert otm.height > 40
    assert np.allclose(otm["iv"].to_numpy(), smile(otm["strike"].to_numpy()), rtol=1e-8)
    # quotes without an implied vol (mid below intrinsic) get NaN, never an error
    low = CHAIN.with_columns(pl.lit(0.0).alias("bid"), pl.lit(0.001).alias("ask"))
    itm = enrich_chain(low).filter((pl.col("kind") == "call") & (pl.col("strike") < 90.0))
    assert itm["iv"].is_nan().all()
    assert itm["delta"].is_nan().all()


# --------------------------------------------------------------------------- strategies
@pytest.mark.parametrize("fill", ["mid", "natural"])
def test_iron_condor_from_chain(fill):
    e = EXPIRIES[1]
    ic = iron_condor_from_chain(CHAIN, dte=45, short_delta=0.16, width=5.0, fill=fill)
    sp = nearest_delta_strike("put", e, 0.16)
    sc = nearest_delta_strike("call", e, 0.16)
    assert ic.name == "iron_condor"
    assert [(leg.kind, leg.quantity, leg.strike, leg.expiry) for leg in ic.legs] == [
        ("put", 1, sp - 5.0, e),
        ("put", -1, sp, e),
        ("call", -1, sc, e),
        ("call", 1, sc + 5.0, e),
    ]
    assert ic.asof == DAY
    assert ic.spot == 100.0
    rows = enrich_chain(CHAIN).filter(pl.col("expiry") == e)
    for leg in ic.legs:
        row = rows.filter((pl.col("kind") == leg.kind) & (pl.col("strike") == leg.strike))
        side = "ask" if leg.quantity > 0 else "bid"
        expected = row["mid"][0] if fill == "mid" else row[side][0]
        assert leg.premium == pytest.approx(expected, abs=1e-15)
        assert leg.iv == pytest.approx(smile(leg.strike), rel=1e-8)
    assert ic.cost < 0  # a credit
    assert ic.max_profit == pytest.approx(-ic.cost)
    assert ic.max_loss == pytest.approx(-(500.0 + ic.cost))


def test_natural_fill_costs_the_spread_on_every_leg():
    mid = iron_condor_from_chain(CHAIN, expiry=EXPIRIES[1], fill="mid")
    nat = iron_condor_from_chain(CHAIN, expiry=EXPIRIES[1], fill="natural")
    assert nat.cost - mid.cost == pytest.approx(4 * HALF * 100.0)


def test_iron_condor_from_chain_options():
    ic = iron_condor_from_chain(
        CHAIN,
        expiry=EXPIRIES[2],
        short_delta=0.30,
        width=10.0,
        quantity=2,
        vol=0.25,
        asof="2025-01-07",
    )
    sp = nearest_delta_strike("put", EXPIRIES[2], 0.30)
    assert [leg.strike for leg in ic.legs][:2] == [sp - 10.0, sp]
    assert [leg.quantity for leg in ic.legs] == [2, -2, -2, 2]
    assert ic.vol == 0.25
    assert ic.asof == dt.date(2025, 1, 7)


@pytest.mark.parametrize(
    ("kind", "side", "name", "signs"),
    [
        ("put", "credit", "bull_put_spread", (1, -1)),
        ("call", "credit", "bear_call_spread", (-1, 1)),
        ("put", "debit", "bear_put_spread", (-1, 1)),
        ("call", "debit", "bull_call_spread", (1, -1)),
    ],
)
def test_vertical_from_chain(kind, side, name, signs):
    e = EXPIRIES[1]
    v = vertical_from_chain(CHAIN, kind, side=side, delta=0.30, width=5.0, expiry=e)
    k = nearest_delta_strike(kind, e, 0.30)
    strikes = [k, k + 5.0] if kind == "call" else [k - 5.0, k]
    assert v.name == name
    assert [(leg.kind, leg.quantity, leg.strike) for leg in v.legs] == [
        (kind, s, x) for s, x in zip(signs, strikes, strict=True)
    ]
    assert (v.cost < 0) == (side == "credit")
    assert v.max_profit - v.max_loss == pytest.approx(500.0)


@pytest.mark.parametrize("side", ["short", "long"])
def test_strangle_from_chain(side):
    e = EXPIRIES[0]
    s = strangle_from_chain(CHAIN, side=side, delta=0.2, dte=17)
    sign = -1 if side == "short" else 1
    assert s.name == f"{side}_strangle"
    assert [(leg.kind, leg.quantity, leg.strike) for leg in s.legs] == [
        ("put", sign, nearest_delta_strike("put", e, 0.2)),
        ("call", sign, nearest_delta_strike("call", e, 0.2)),
    ]


@pytest.mark.parametrize(
    ("spot", "strike"), [(100.0, 100.0), (101.2, 100.0), (101.25, 100.0), (101.3, 102.5)]
)
def test_straddle_from_chain_at_the_strike_nearest_the_underlying(spot, strike):
    chain = make_chain(spot=spot)
    s = straddle_from_chain(chain, side="long", expiry=EXPIRIES[0])
    assert s.name == "long_straddle"
    assert [(leg.kind, leg.quantity, leg.strike) for leg in s.legs] == [
        ("put", 1, strike),
        ("call", 1, strike),
    ]
    assert s.spot == spot


def test_other_frame_types_are_accepted():
    e = EXPIRIES[0]
    expected = pick_by_delta(CHAIN, e, "call", 0.3)
    assert pick_by_delta(CHAIN.lazy(), e, "call", 0.3) == expected
    as_pandas = pd.DataFrame(CHAIN.to_dict(as_series=False))
    assert pick_by_delta(as_pandas, e, "call", 0.3) == expected
    as_pandas["date"] = pd.to_datetime(as_pandas["date"])
    assert pick_by_delta(as_pandas, e, "call", 0.3) == expected
    as_text = CHAIN.with_columns(
        pl.col("date").cast(pl.String),
        pl.col("expiry").cast(pl.String),
        pl.col("kind").str.to_uppercase().str.slice(0, 1),
    )
    assert pick_by_delta(as_text, e, "call", 0.3) == expected


def test_chains_are_validated_by_the_chain_schema_of_fastopt_data():
    """One schema: fastopt.data.validate_chain casts and checks; rows come out sorted."""
    import fastopt.data
    from fastopt.strategies import chain_select

    assert tuple(fastopt.data.REQUIRED_COLUMNS) == chain_select.REQUIRED_COLUMNS
    e = EXPIRIES[0]
    expected = pick_by_delta(CHAIN, e, "call", 0.3)
    shuffled = CHAIN.sample(fraction=1.0, shuffle=True, seed=3)
    assert pick_by_delta(shuffled, e, "call", 0.3) == expected
    assert enrich_chain(shuffled).equals(enrich_chain(CHAIN))
    # integer strikes, " Call "/"P" kinds and an intraday Datetime date are normalised
    odd = CHAIN.filter(pl.col("strike") % 5 == 0).with_columns(
        pl.col("strike").cast(pl.Int64),
        pl.when(pl.col("kind") == "call")
        .then(pl.lit(" Call "))
        .otherwise(pl.lit("P"))
        .alias("kind"),
        (pl.col("date").cast(pl.Datetime) + pl.duration(hours=15)).alias("date"),
    )
    out = enrich_chain(odd)
    assert out.schema["date"] == pl.Date
    assert out.schema["strike"] == pl.Float64
    assert set(out["kind"].to_list()) == {"call", "put"}
    assert out.columns[:7] == ["date", "expiry", "kind", "strike", "bid", "ask", "underlying"]
    with pytest.raises(
        ValueError, match=r"chain column `strike` has dtype String, expected Float64"
    ):
        pick_by_delta(CHAIN.with_columns(pl.col("strike").cast(pl.String)), e, "call", 0.3)


def test_nan_quotes_are_no_quotes():
    e = EXPIRIES[1]
    k = nearest_delta_strike("call", e, 0.3)
    is_k = (pl.col("strike") == k) & (pl.col("kind") == "call") & (pl.col("expiry") == e)
    chain = CHAIN.with_columns(
        pl.when(is_k).then(float("nan")).otherwise(pl.col("ask")).alias("ask")
    )
    assert pick_by_delta(chain, e, "call", 0.3).strike != k
    assert enrich_chain(chain).height == enrich_chain(CHAIN).height - 1


def test_rows_without_quotes_are_ignored():
    e = EXPIRIES[1]
    k = nearest_delta_strike("call", e, 0.3)
    chain = CHAIN.with_columns(
        pl.when((pl.col("strike") == k) & (pl.col("kind") == "call"))
        .then(None)
        .otherwise(pl.col("bid"))
        .alias("bid")
    )
    assert pick_by_delta(chain, e, "call", 0.3).strike != k


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("chain", "message"),
    [
        (CHAIN.head(0), r"pick_by_delta: `chain` is empty"),
        (
            pl.concat(
                [CHAIN, CHAIN.with_columns(pl.lit(DAY + dt.timedelta(days=1)).alias("date"))]
            ),
            r"pick_by_delta: `chain` has 2 quote dates \(2025-01-06, 2025-01-07\); pass the rows",
        ),
        (
            CHAIN.drop("bid", "underlying"),
            r"pick_by_delta: chain is missing required column\(s\) `bid` \(Float64\); "
            r"`underlying` \(Float64\)",
        ),
        (
            CHAIN.with_columns(pl.lit("straddle").alias("kind")),
            r"pick_by_delta: invalid option chain: \d+ bad row\(s\)\n- \d+ row\(s\) with kind is "
            r"not 'call'/'put' \(or 'c'/'p'\); first:\n    row 0: .*kind='straddle'",
        ),
        (
            CHAIN.with_columns((pl.col("ask") - 1.0).alias("ask")),
            r"(?s)pick_by_delta: invalid option chain: .* row\(s\) with crossed quote "
            r"\(bid > ask\)",
        ),
        (CHAIN.with_columns(pl.lit(-1.0).alias("strike")), r"row\(s\) with strike <= 0; first"),
        (
            CHAIN.with_columns(pl.lit(-1.0).alias("underlying")),
            r"row\(s\) with underlying <= 0; first",
        ),
        (
            pl.concat([CHAIN, CHAIN.head(1)]),
            r"1 row\(s\) with duplicate \(date, expiry, strike, kind\[, root\]\) key",
        ),
        (
            CHAIN.with_columns(pl.lit(DAY - dt.timedelta(days=1)).alias("expiry")).unique(
                ["expiry", "strike", "kind"], keep="first"
            ),
            r"row\(s\) with expiry before the quote date",
        ),
        (
            CHAIN.with_columns(pl.lit(None, dtype=pl.Float64).alias("ask")),
            r"no row with both a bid and an ask",
        ),
        (
            CHAIN.filter(pl.col("expiry") == EXPIRIES[0]).with_columns(pl.lit(DAY).alias("expiry")),
            r"no call quote for expiry 2025-01-06 has a delta \(no implied vol\)",
        ),
    ],
)
def test_bad_chains(chain, message):
    with pytest.raises(ValueError, match=message):
        pick_by_delta(chain, EXPIRIES[0] if "2025-01-06 has" not in message else DAY, "call", 0.3)


def test_not_a_frame():
    with pytest.raises(TypeError, match=r"`chain` must be a polars or pandas DataFrame, got dict "):
        pick_by_delta({"strike": [1.0]}, EXPIRIES[0], "call", 0.3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: pick_by_delta(CHAIN, EXPIRIES[1], "put", 0.16, tolerance=0.001),
            r"pick_by_delta: no put strike for expiry 2025-02-20 within delta tolerance 0.001 "
            r"of 0.16; the nearest is strike \d+(\.5)? with delta -0\.1",
        ),
        (
            lambda: pick_by_delta(CHAIN, EXPIRIES[1], "call", -0.3),
            r"`target_delta` for a call must be > 0",
        ),
        (lambda: pick_by_delta(CHAIN, EXPIRIES[1], "put", 1.5), r"between 0 and 1"),
        (lambda: pick_by_delta(CHAIN, EXPIRIES[1], "future", 0.3), r"`kind` must be 'call' or"),
        (
            lambda: iron_condor_from_chain(
                CHAIN.filter((pl.col("kind") == "put") | (pl.col("strike") <= SC45)), dte=45
            ),
            rf"iron_condor_from_chain: width 5 is not available on the chain: no call strike "
            rf"above {SC45:g} for expiry 2025-02-20$",
        ),
        (
            lambda: iron_condor_from_chain(CHAIN, expiry=EXPIRIES[0], dte=17),
            r"iron_condor_from_chain: pass `expiry` or `dte`, not both",
        ),
        (
            lambda: iron_condor_from_chain(CHAIN),
            r"iron_condor_from_chain: pass `expiry=` \(one of 2025-01-23, 2025-02-20, 2025-03-20\)"
            r" or `dte=`",
        ),
        (lambda: iron_condor_from_chain(CHAIN, dte=-1), r"`dte` must be >= 0"),
        (lambda: iron_condor_from_chain(CHAIN, dte=45, width=0), r"`width` must be > 0"),
        (lambda: iron_condor_from_chain(CHAIN, dte=45, fill="last"), r"`fill` must be 'mid'"),
        (lambda: iron_condor_from_chain(CHAIN, dte=45, year_basis=360), r"`year_basis` must be"),
        (
            lambda: iron_condor_from_chain(CHAIN, dte=45, quantity=0),
            r"iron_condor: `quantity` must be a positive whole number",
        ),
        (
            lambda: strangle_from_chain(CHAIN, dte=45, side="credit"),
            r"strangle_from_chain: `side` must be 'short' or 'long', got 'credit'",
        ),
        (
            lambda: vertical_from_chain(CHAIN, "put", side="short", dte=45),
            r"vertical_from_chain: `side` must be 'credit' or 'debit'",
        ),
        (
            lambda: straddle_from_chain(CHAIN.filter(pl.col("kind") == "put"), dte=45),
            r"straddle_from_chain: no strike has both a put and a call quote",
        ),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_wings_are_the_nearest_quoted_strike_beyond_the_short_as_in_the_backtest():
    """The rule of fastopt.kernels.select: a wing ``width`` away that is not on the chain
    is the nearest quoted strike beyond the short one (the wider on a tie)."""
    step = float(STRIKES[1] - STRIKES[0])
    ic = iron_condor_from_chain(CHAIN, dte=45, width=1.4 * step)
    lp, sp, sc, lc = (leg.strike for leg in ic.legs)
    assert (sp - lp, lc - sc) == (step, step)  # 1.4 steps: one step is nearest
    ic = iron_condor_from_chain(CHAIN, dte=45, width=1.5 * step)
    lp, sp, sc, lc = (leg.strike for leg in ic.legs)
    assert (sp - lp, lc - sc) == (2 * step, 2 * step)  # a tie: the wider wing
    missing = CHAIN.filter((pl.col("kind") == "put") | (pl.col("strike") != SC45 + step))
    ic = iron_condor_from_chain(missing, dte=45, width=step)
    assert ic.legs[3].strike == SC45 + 2 * step  # the next quoted call strike
