"""Facade of VaR / ES: reference P&L, analytic limits, reproducibility, input validation."""

from __future__ import annotations

import math

import numba
import numpy as np
import pandas as pd
import polars as pl
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import ndtr
from scipy.stats import norm

import fastopt
from fastopt import risk_measures as rm
from fastopt.kernels._jit import DISABLE_JIT

N_SC = 3_000 if DISABLE_JIT else 100_000
N_OPT = 6 if DISABLE_JIT else 200


def _book(n: int = N_OPT, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "strike": rng.uniform(70.0, 130.0, n),
        "t": rng.uniform(0.05, 2.0, n),
        "kind": np.where(rng.random(n) < 0.5, "call", "put"),
        "quantity": rng.integers(-10, 11, n).astype(float),
    }


KW = {"spot": 100.0, "vol": 0.25, "rate": 0.03, "div": 0.01, "n_scenarios": N_SC, "seed": 42}


def _reference_pnl(book, *, spot, vol, rate, div, n_scenarios, seed, horizon=1 / 252, mult=100.0):
    """Same scenarios (same seeded draws), NumPy + ndtr BSM revaluation (``mult`` shares per
    option: 100, the default multiplier)."""
    z = np.random.default_rng(np.random.SeedSequence(seed)).standard_normal(n_scenarios)
    s_h = spot * np.exp((rate - div - 0.5 * vol * vol) * horizon + vol * math.sqrt(horizon) * z)
    w = np.where(np.asarray(book["kind"]) == "call", 1.0, -1.0)
    k, t = np.asarray(book["strike"]), np.asarray(book["t"])
    sig = np.asarray(book.get("vol", np.full(k.shape, vol)))

    def bs(s, tau):
        sd = sig * np.sqrt(tau)
        d1 = (np.log(s / k) + (rate - div) * tau) / sd + 0.5 * sd
        d2 = d1 - sd
        return w * (s * np.exp(-div * tau) * ndtr(w * d1) - k * np.exp(-rate * tau) * ndtr(w * d2))

    now = bs(spot, t)
    q = np.asarray(book["quantity"]) * mult
    return np.array([(q * (bs(s, t - horizon) - now)).sum() for s in s_h]), s_h


def test_full_revaluation_matches_numpy_reference():
    book = _book()
    r = rm.portfolio_risk(book, **KW, confidence=[0.95, 0.99])
    n_ref = min(N_SC, 2_000)
    ref, s_h = _reference_pnl(book, **{**KW, "n_scenarios": n_ref})
    assert_allclose(r.spot_scenarios[:n_ref], s_h, rtol=1e-14)
    assert_allclose(r.pnl[:n_ref], ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
    for j, a in enumerate([0.95, 0.99]):
        m = math.ceil(round(N_SC * (1 - a), 6))
        srt = np.sort(r.pnl)
        assert r.var[j] == -srt[m - 1]
        assert_allclose(r.es[j], -srt[:m].mean(), rtol=1e-12)
    assert r.method == "full"
    assert r.n_scenarios == N_SC
    now = fastopt.bs_price(100.0, book["strike"], book["t"], 0.25, 0.03, 0.01, book["kind"])
    value = float(np.sum(book["quantity"] * 100.0 * now))  # 100 shares per option by default
    assert r.value == pytest.approx(value, rel=1e-12, abs=1e-9)
    assert r.to_polars().shape == (2, 6)


def test_deep_itm_call_book_matches_lognormal_quantile():
    """A deep ITM call is the stock: VaR = S - S exp(m + s z_{1-a}) analytically."""
    spot, vol, h, a = 100.0, 0.3, 10 / 252, 0.99
    book = {"strike": [1.0], "t": [1.0], "kind": ["call"], "quantity": [1.0]}
    r = rm.portfolio_risk(
        book, spot=spot, vol=vol, horizon=h, confidence=a, n_scenarios=N_SC, seed=1, drift=0.0,
        multiplier=1.0,
    )  # per share  # fmt: skip
    # the option value moves 1:1 with spot; time decay of K e^{-rt} is nil at rate 0
    want = spot - spot * math.exp(-0.5 * vol * vol * h + vol * math.sqrt(h) * norm.ppf(1 - a))
    lo, hi = r.var_ci
    assert lo <= r.var <= hi
    assert r.var == pytest.approx(want, rel=0.04 if DISABLE_JIT else 0.02)
    # ES of a lognormal loss, analytic
    s = vol * math.sqrt(h)
    es_want = spot - spot * math.exp(-0.5 * s * s) * norm.cdf(norm.ppf(1 - a) - s) / (1 - a)
    assert r.es == pytest.approx(es_want, rel=0.05 if DISABLE_JIT else 0.02)
    assert r.es_stderr < (0.05 if DISABLE_JIT else 0.02) * r.es


@pytest.mark.parametrize("method", ["full", "delta_gamma"])
def test_default_multiplier_is_100_times_the_per_share_result_for_a_linear_book(method):
    """Intended change of the position core: ``multiplier`` defaults to 100 (it was 1).
    A deep in-the-money call is linear in the spot: every loss is 100 x the per-share one."""
    book = {"strike": [1.0, 2.0], "t": [1.0, 1.0], "kind": ["call", "call"],
            "quantity": [3.0, -1.0]}  # fmt: skip
    kw = {"spot": 100.0, "vol": 0.3, "horizon": 10 / 252, "confidence": [0.95, 0.99],
          "n_scenarios": 20_000, "seed": 5, "drift": 0.0, "method": method}  # fmt: skip
    new = rm.portfolio_risk(book, **kw)
    old = rm.portfolio_risk(book, **kw, multiplier=1.0)  # the former default
    assert_allclose(new.pnl, 100.0 * old.pnl, rtol=1e-12, atol=1e-9)
    assert_allclose(new.var, 100.0 * old.var, rtol=1e-12)
    assert_allclose(new.es, 100.0 * old.es, rtol=1e-12)
    assert new.value == pytest.approx(100.0 * old.value, rel=1e-12)
    assert rm.value_at_risk(book, **kw) == pytest.approx(new.var, rel=0)
    assert rm.expected_shortfall(book, **kw) == pytest.approx(new.es, rel=0)


def test_delta_gamma_close_to_full_for_short_horizons():
    book = {"strike": [95.0, 100.0, 105.0], "t": [0.5, 0.5, 0.5], "kind": ["put", "call", "call"]}
    book["quantity"] = [5.0, -3.0, 2.0]
    kw = {**KW, "horizon": 1 / 252, "confidence": 0.99}
    full = rm.portfolio_risk(book, **kw)
    dg = rm.portfolio_risk(book, **kw, method="delta_gamma")
    assert dg.method == "delta_gamma"
    assert dg.value == pytest.approx(full.value, rel=1e-14)
    assert dg.var == pytest.approx(full.var, rel=0.02)
    assert_allclose(dg.pnl, full.pnl, atol=0.02 * np.abs(full.pnl).max())


def test_es_at_least_var_and_monotone_in_confidence():
    levels = [0.9, 0.95, 0.975, 0.99, 0.999]
    r = rm.portfolio_risk(_book(), **KW, confidence=levels)
    assert isinstance(r.var, np.ndarray)
    assert r.var.shape == (5,)
    assert np.all(r.es >= r.var)
    assert np.all(np.diff(r.var) >= 0)
    assert np.all(np.diff(r.es) >= 0)
    assert np.all(r.var_ci[0] <= r.var)
    assert np.all(r.var <= r.var_ci[1])
    assert_array_equal(rm.value_at_risk(_book(), **KW, confidence=levels), r.var)
    assert_array_equal(rm.expected_shortfall(_book(), **KW, confidence=levels), r.es)
    single = rm.value_at_risk(_book(), **KW, confidence=0.99)
    assert isinstance(single, float)
    assert single == r.var[3]


def test_seeds_reproducible_and_seed_sequence_accepted():
    a = rm.portfolio_risk(_book(), **KW)
    b = rm.portfolio_risk(_book(), **{**KW, "seed": np.random.SeedSequence(42)})
    c = rm.portfolio_risk(_book(), **{**KW, "seed": 43})
    assert_array_equal(a.pnl, b.pnl)
    assert a.var == b.var
    assert not np.array_equal(a.pnl, c.pnl)
    assert rm.portfolio_risk(_book(), **{**KW, "seed": None}).pnl.shape == (N_SC,)


@pytest.mark.skipif(DISABLE_JIT, reason="thread count is a compiled-mode notion")
def test_one_and_two_threads_identical():
    threshold = fastopt.get_parallel_threshold()
    fastopt.set_parallel_threshold(1)  # force the parallel kernel even for small books
    before = numba.get_num_threads()
    try:
        outs = []
        for n in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            fastopt.set_num_threads(n)
            outs.append(rm.portfolio_risk(_book(), **KW))
    finally:
        fastopt.set_num_threads(before)
        fastopt.set_parallel_threshold(threshold)
    for r in outs[1:]:
        assert_array_equal(r.pnl, outs[0].pnl)
        assert r.var == outs[0].var


def test_frames_multiplier_book_vol_and_expired_options():
    book = _book(4, 3)
    frame = pl.DataFrame({**book, "note": ["a", "b", "c", "d"]})  # extra columns ignored
    a = rm.portfolio_risk(book, **KW)
    assert_array_equal(rm.portfolio_risk(frame, **KW).pnl, a.pnl)
    assert_array_equal(rm.portfolio_risk(pd.DataFrame(book), **KW).pnl, a.pnl)
    per_share = rm.portfolio_risk(book, **KW, multiplier=1)
    assert_allclose(a.pnl, 100 * per_share.pnl, rtol=1e-12, atol=1e-9)  # default: 100 shares
    # a per-option vol column equal to `vol` changes nothing; a different one does
    same = rm.portfolio_risk({**book, "vol": np.full(4, 0.25)}, **KW)
    assert_array_equal(same.pnl, a.pnl)
    other = rm.portfolio_risk({**book, "vol": np.full(4, 0.4)}, **KW)
    assert not np.array_equal(other.pnl, a.pnl)
    # an option expiring before the horizon is worth its intrinsic value on the scenario spot
    short = {"strike": 100.0, "t": [0.001], "kind": "call", "quantity": 1.0}  # scalars broadcast
    r = rm.portfolio_risk(short, **{**KW, "horizon": 0.01})
    now = fastopt.bs_price(100.0, 100.0, 0.001, 0.25, 0.03, 0.01)
    assert_allclose(r.pnl, 100.0 * (np.maximum(r.spot_scenarios - 100.0, 0.0) - now), atol=1e-10)


BAD = [
    ({"confidence": 1.0}, ValueError, "confidence"),
    ({"confidence": 0.0}, ValueError, "confidence"),
    ({"confidence": [0.9, 1.2]}, ValueError, "confidence"),
    ({"confidence": [[0.9]]}, ValueError, "confidence"),
    ({"n_scenarios": 1}, ValueError, "n_scenarios"),
    ({"n_scenarios": 10.5}, TypeError, "n_scenarios"),
    ({"vol": -0.2}, ValueError, "vol"),
    ({"vol": [0.2, 0.3]}, ValueError, "vol"),
    ({"spot": 0.0}, ValueError, "spot"),
    ({"horizon": 0.0}, ValueError, "horizon"),
    ({"multiplier": -100}, ValueError, "multiplier"),
    ({"drift": math.nan}, ValueError, "drift"),
    ({"method": "historical"}, ValueError, "method"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": "abc"}, TypeError, "seed"),
    ({"rate": "x"}, TypeError, "rate"),
]


@pytest.mark.parametrize(("override", "exc", "match"), BAD)
def test_bad_arguments_name_the_argument(override, exc, match):
    with pytest.raises(exc, match=match):
        rm.portfolio_risk(_book(3), **{**KW, **override})


ONE = {"strike": [100.0], "t": [1.0], "kind": ["call"], "quantity": [1.0]}
BAD_BOOKS = [
    ({**ONE, "t": [1.0, 1.0, 1.0], "strike": [100.0, 110.0]}, ValueError, "book"),
    ({k: v for k, v in ONE.items() if k != "quantity"}, ValueError, "quantity"),
    ({**ONE, "strike": [-100.0]}, ValueError, "strike"),
    ({**ONE, "t": [-1.0]}, ValueError, r"book\['t'\]"),
    ({**ONE, "kind": ["fwd"]}, ValueError, "kind"),
    ({**ONE, "quantity": [np.nan]}, ValueError, "quantity"),
    ({**ONE, "vol": [-0.1]}, ValueError, "vol"),
    ({**ONE, "strike": [[100.0]]}, ValueError, "1-D"),
    ({"strike": [], "t": [], "kind": [], "quantity": []}, ValueError, "at least one"),
    ([1, 2, 3], TypeError, "book"),
]


@pytest.mark.parametrize(("book", "exc", "match"), BAD_BOOKS)
def test_bad_books_name_the_problem(book, exc, match):
    with pytest.raises(exc, match=match):
        rm.portfolio_risk(book, **KW)
