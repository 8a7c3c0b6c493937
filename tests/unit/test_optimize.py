"""Strike optimisation against a brute-force search built from Strategy analytics."""

from __future__ import annotations

import datetime as dt
import itertools

import numba
import numpy as np
import polars as pl
import pytest

import fastopt
from fastopt.strategies.leg import Leg
from fastopt.strategies.optimize import optimize_strikes
from fastopt.strategies.strategy import Strategy

ASOF = dt.date(2025, 2, 21)
EXP = dt.date(2025, 3, 23)
H = 30 / 365
VOL = 0.2


def make_chain(strikes: np.ndarray, spread: float = 0.02) -> pl.DataFrame:
    rows = []
    for kind in ("call", "put"):
        mid = fastopt.bs_price(100.0, strikes, H, VOL, kind=kind)
        rows.append(
            pl.DataFrame(
                {
                    "date": [ASOF] * strikes.size,
                    "expiry": [EXP] * strikes.size,
                    "strike": strikes,
                    "kind": [kind] * strikes.size,
                    "bid": mid * (1 - spread),
                    "ask": mid * (1 + spread) + 0.01,
                    "underlying": 100.0,
                }
            )
        )
    return pl.concat(rows)


def condor(lp, sp, sc, lc, fills):
    legs = [
        Leg("put", 1, lp, EXP, premium=fills["put_buy"][lp]),
        Leg("put", -1, sp, EXP, premium=fills["put_sell"][sp]),
        Leg("call", -1, sc, EXP, premium=fills["call_sell"][sc]),
        Leg("call", 1, lc, EXP, premium=fills["call_buy"][lc]),
    ]
    return Strategy(legs, spot=100.0, vol=VOL, asof=ASOF)


@pytest.mark.parametrize("fill", ["mid", "natural"])
def test_iron_condor_search_matches_brute_force(fill):
    strikes = np.arange(90.0, 111.0, 2.0)
    chain = make_chain(strikes)
    res = optimize_strikes(chain, fill=fill, vol=VOL, objective="ev_per_risk", top=10_000)
    fills = {}
    for kind in ("put", "call"):
        side = chain.filter(pl.col("kind") == kind).sort("strike")
        bid, ask = side["bid"].to_numpy(), side["ask"].to_numpy()
        mid = 0.5 * (bid + ask)
        fills[f"{kind}_sell"] = dict(zip(strikes, mid if fill == "mid" else bid, strict=True))
        fills[f"{kind}_buy"] = dict(zip(strikes, mid if fill == "mid" else ask, strict=True))
    brute = []
    n_all = 0
    for lp, sp, sc, lc in itertools.combinations(strikes, 4):
        n_all += 1
        s = condor(lp, sp, sc, lc, fills)
        if s.max_loss >= 0:
            continue
        brute.append(((lp, sp, sc, lc), s))
    for sp_eq in strikes:  # short put and short call on the same strike (iron butterfly)
        for lp in strikes[strikes < sp_eq]:
            for lc in strikes[strikes > sp_eq]:
                n_all += 1
                s = condor(lp, sp_eq, sp_eq, lc, fills)
                if s.max_loss < 0:
                    brute.append(((lp, sp_eq, sp_eq, lc), s))
    assert res["n_candidates"][0] == n_all
    assert res.height == len(brute)
    scores = sorted(
        (s.analyze(grid=0).expected_value / -s.max_loss for _, s in brute), reverse=True
    )
    np.testing.assert_allclose(res["score"].to_numpy(), scores, rtol=1e-9, atol=1e-12)
    # the best candidate's metrics equal the full Strategy analysis of the same condor
    best = res.row(0, named=True)
    s = condor(best["long_put"], best["short_put"], best["short_call"], best["long_call"], fills)
    a = s.analyze()
    assert best["pop"] == pytest.approx(a.pop, abs=1e-12)
    assert best["ev"] == pytest.approx(a.expected_value, rel=1e-9, abs=1e-9)
    assert best["max_loss"] == pytest.approx(-a.max_loss, rel=1e-12)
    assert best["credit"] * 100 == pytest.approx(-s.cost, rel=1e-12)
    assert (best["breakeven_low"], best["breakeven_high"]) == pytest.approx(a.breakevens)
    assert best["margin"] == 100 * max(
        best["short_put"] - best["long_put"], best["long_call"] - best["short_call"]
    )
    assert best["bpr"] == pytest.approx(best["margin"] + s.cost)


def test_constraints_are_respected_and_objectives_rank():
    step = 1.0 if not numba.config.DISABLE_JIT else 2.0  # the coverage run is pure Python
    chain = make_chain(np.arange(70.0, 131.0, step))
    res = optimize_strikes(
        chain,
        min_pop=0.7,
        min_credit=0.3,
        max_margin=600.0,
        short_delta=(0.1, 0.25),
        max_width=5.0,
        objective="credit_per_margin",
        top=50,
    )
    assert res.height == (50 if step == 1.0 else 4)  # 4 pass on the 2-point grid
    assert (res["pop"] >= 0.7).all()
    assert (res["credit"] >= 0.3).all()
    assert (res["margin"] <= 500.0).all()
    assert (res["short_delta"] <= 0.25).all()
    assert np.all(np.diff(res["score"].to_numpy()) <= 0)
    np.testing.assert_allclose(res["score"], res["credit"] * 100 / res["margin"])
    by_pop = optimize_strikes(chain, objective="pop", top=5, max_width=10.0)
    assert by_pop["pop"][0] == pytest.approx(by_pop["score"][0])
    assert np.all(np.diff(by_pop["pop"].to_numpy()) <= 0)


@pytest.mark.parametrize("structure", ["bull_put_spread", "bear_call_spread"])
def test_vertical_credit_spreads(structure):
    strikes = np.arange(90.0, 111.0, 1.0)
    chain = make_chain(strikes)
    res = optimize_strikes(chain, structure, objective="ev", top=3)
    assert res["n_candidates"][0] == len(strikes) * (len(strikes) - 1) // 2
    row = res.row(0, named=True)
    if structure == "bull_put_spread":
        assert row["short_call"] is None
        assert row["long_put"] < row["short_put"]
        assert row["breakeven_low"] == pytest.approx(row["short_put"] - row["credit"])
    else:
        assert row["short_put"] is None
        assert row["short_call"] < row["long_call"]
        assert row["breakeven_high"] == pytest.approx(row["short_call"] + row["credit"])


def test_default_distribution_vol_is_the_implied_vol_nearest_the_money():
    chain = make_chain(np.arange(90.0, 111.0, 2.0), spread=0.0)
    mid = chain.filter((pl.col("kind") == "call") & (pl.col("strike") == 100.0))["bid"][0] + 0.005
    atm_iv = fastopt.implied_vol(mid, 100.0, 100.0, H)
    auto = optimize_strikes(chain, top=3)
    explicit = optimize_strikes(chain, vol=atm_iv, top=3)
    np.testing.assert_allclose(auto["pop"], explicit["pop"], rtol=1e-12)


def test_deltas_and_vol_taken_from_chain_columns_when_present():
    strikes = np.arange(90.0, 111.0, 2.0)
    chain = make_chain(strikes).with_columns(
        pl.when(pl.col("kind") == "call").then(0.3).otherwise(-0.3).alias("delta")
    )
    assert optimize_strikes(chain, short_delta=(0.0, 0.2), top=5).height == 0
    assert optimize_strikes(chain, short_delta=(0.25, 0.35), top=5).height == 5


def test_bad_inputs():
    chain = make_chain(np.arange(90.0, 111.0, 2.0))
    with pytest.raises(ValueError, match="structure"):
        optimize_strikes(chain, "iron_fly")
    with pytest.raises(ValueError, match="objective"):
        optimize_strikes(chain, objective="sharpe")
    with pytest.raises(ValueError, match="fill"):
        optimize_strikes(chain, fill="last")
    with pytest.raises(ValueError, match="missing columns"):
        optimize_strikes(chain.drop("bid"))
    with pytest.raises(ValueError, match="empty"):
        optimize_strikes(chain.clear())
    with pytest.raises(ValueError, match="no quotes"):
        optimize_strikes(chain, expiry="2025-04-17")
    with pytest.raises(ValueError, match="not after"):
        optimize_strikes(chain, asof="2025-04-01")
    with pytest.raises(TypeError, match="DataFrame"):
        optimize_strikes({"strike": [1.0]})
    two = pl.concat([chain, chain.with_columns(pl.lit(dt.date(2025, 4, 17)).alias("expiry"))])
    with pytest.raises(ValueError, match="expiries"):
        optimize_strikes(two)
    assert optimize_strikes(two, expiry=EXP, top=1).height == 1
