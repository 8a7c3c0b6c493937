"""The implied_vol facade: shapes, dtypes, statuses, warnings, strict mode, validation."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

import fastopt
from fastopt import ImpliedVolError, ImpliedVolWarning
from fastopt import iv as iv_module
from fastopt.iv import IVStatus, implied_vol
from fastopt.kernels.enums import IVStatus as KernelIVStatus
from tests.mp_oracle import bsm_price as mp_price

JIT = not numba.config.DISABLE_JIT


def test_ivstatus_is_the_kernel_enum():
    assert IVStatus is KernelIVStatus
    assert (IVStatus.OK, IVStatus.BELOW_INTRINSIC, IVStatus.ABOVE_MAX) == (0, 1, 2)
    assert (IVStatus.NO_CONVERGENCE, IVStatus.ZERO_TIME) == (3, 4)


def test_scalar_in_python_float_out():
    price = mp_price(100.0, 100.0, 1.0, 0.2, 0.05, 0.0, True)
    vol = implied_vol(price, 100.0, 100.0, 1.0, rate=0.05)
    assert type(vol) is float
    assert vol == pytest.approx(0.2, abs=1e-14)
    vol, status = implied_vol(price, 100.0, 100.0, 1.0, 0.05, return_status=True)
    assert type(vol) is float
    assert type(status) is int
    assert status == IVStatus.OK


def test_arrays_broadcast_and_keep_shape():
    strikes = np.array([[80.0], [100.0], [120.0]])
    vols = np.array([0.1, 0.3, 0.9])
    prices = fastopt.bs_price(100.0, strikes, 0.5, vols, 0.01, 0.02, "put")
    got, status = implied_vol(prices, 100.0, strikes, 0.5, 0.01, 0.02, "put", return_status=True)
    assert got.shape == (3, 3)
    assert status.shape == (3, 3)
    assert status.dtype == np.int8
    np.testing.assert_allclose(got, np.broadcast_to(vols, (3, 3)), atol=1e-12)


def test_mixed_kinds_and_boolean_kinds():
    kinds = np.array(["call", "put", "c", "P"])
    is_call = np.array([True, False, True, False])
    prices = fastopt.bs_price(100.0, [90.0, 95.0, 105.0, 110.0], 1.0, 0.25, kind=is_call)
    a = implied_vol(prices, 100.0, [90.0, 95.0, 105.0, 110.0], 1.0, kind=kinds)
    b = implied_vol(prices, 100.0, [90.0, 95.0, 105.0, 110.0], 1.0, kind=is_call)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, 0.25, atol=1e-13)


def test_empty_input():
    got = implied_vol(np.array([]), 100.0, 100.0, 1.0)
    assert got.shape == (0,)


def test_one_warning_per_call_counting_each_status():
    prices = [5.0, -1.0, 30.0, 150.0, 5.0, 2.0]
    t = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    strikes = [100.0, 100.0, 60.0, 100.0, 100.0, 100.0]
    with pytest.warns(ImpliedVolWarning) as record:
        got, status = implied_vol(prices, 100.0, strikes, t, return_status=True)
    assert len(record) == 1
    msg = str(record[0].message)
    assert "5 of 6" in msg
    assert "2 below intrinsic value" in msg
    assert "1 at or above the upper bound" in msg
    assert "2 zero time to expiry" in msg
    np.testing.assert_array_equal(status, [0, 1, 1, 2, 4, 4])
    assert math.isfinite(got[0])
    assert np.isnan(got[1:]).all()


def test_no_warning_when_everything_solves(recwarn):
    implied_vol([5.0, 6.0], 100.0, 100.0, 1.0)
    assert not recwarn.list


def test_price_at_intrinsic_gives_zero_without_warning(recwarn):
    got = implied_vol([0.0, 20.0, 25.0], 100.0, [110.0, 80.0, 125.0], 1.0, kind="call")
    np.testing.assert_array_equal(got[:2], [0.0, 0.0])
    assert not recwarn.list or got[2] > 0


def test_strict_raises_with_flat_indices_and_statuses():
    prices = np.array([[5.0, -1.0], [150.0, 5.0]])
    t = np.array([[1.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ImpliedVolError, match="3 of 4") as info:
        implied_vol(prices, 100.0, 100.0, t, strict=True)
    np.testing.assert_array_equal(info.value.indices, [1, 2, 3])
    np.testing.assert_array_equal(
        info.value.status, [IVStatus.BELOW_INTRINSIC, IVStatus.ABOVE_MAX, IVStatus.ZERO_TIME]
    )
    assert "1: 1" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_strict_lists_at_most_ten_indices():
    with pytest.raises(ImpliedVolError, match=r"\(15 more\)") as info:
        implied_vol(np.full(25, -1.0), 100.0, 100.0, 1.0, strict=True)
    assert info.value.indices.size == 25


def test_strict_passes_when_all_ok():
    assert implied_vol(5.0, 100.0, 100.0, 1.0, strict=True) > 0


def test_negative_rates_and_dividends_round_trip():
    spot, strike, t, vol = 100.0, np.array([70.0, 100.0, 140.0]), 2.0, 0.35
    for rate, div in [(-0.02, 0.0), (-0.01, 0.03), (0.1, -0.02)]:
        for kind in ("call", "put"):
            prices = fastopt.bs_price(spot, strike, t, vol, rate, div, kind)
            got = implied_vol(prices, spot, strike, t, rate, div, kind)
            np.testing.assert_allclose(got, vol, atol=1e-12)


@pytest.mark.parametrize("model", ["bsm", "black76", "bachelier"])
def test_round_trip_through_bs_price_every_model(model):
    rng = np.random.default_rng(1)
    n = 200
    spot = rng.uniform(50, 150, n)
    t = rng.uniform(0.05, 3.0, n)
    if model == "bachelier":  # normal vol in price units; strikes within 2 sd
        vol = rng.uniform(0.1, 1.0, n) * spot * 0.3
        strike = spot + rng.uniform(-2.0, 2.0, n) * vol * np.sqrt(t)
    else:
        vol = rng.uniform(0.1, 1.0, n)
        strike = spot * np.exp(rng.uniform(-0.4, 0.4, n))
    rate = rng.uniform(-0.02, 0.08, n)
    div = rng.uniform(0, 0.04, n) if model == "bsm" else 0.0
    kind = rng.random(n) < 0.5
    prices = fastopt.bs_price(spot, strike, t, vol, rate, div, kind, model=model)
    got = implied_vol(prices, spot, strike, t, rate, div, kind, model=model)
    np.testing.assert_allclose(got, vol, rtol=1e-10)
    again = fastopt.bs_price(spot, strike, t, got, rate, div, kind, model=model)
    np.testing.assert_allclose(again, prices, rtol=1e-13, atol=1e-13)


def test_black76_equals_bsm_with_div_equal_rate():
    prices = fastopt.bs_price(105.0, [90.0, 110.0], 1.5, 0.3, 0.04, kind="put", model="black76")
    a = implied_vol(prices, 105.0, [90.0, 110.0], 1.5, 0.04, kind="put", model="black76")
    b = implied_vol(prices, 105.0, [90.0, 110.0], 1.5, 0.04, 0.04, kind="put")
    np.testing.assert_allclose(a, b, rtol=1e-14)
    np.testing.assert_allclose(a, 0.3, rtol=1e-12)


def test_float32_inputs_give_float32_output():
    prices = np.array([5.0, 8.0], dtype=np.float32)
    got = implied_vol(prices, np.float32(100.0), np.float32(100.0), np.float32(1.0))
    assert got.dtype == np.float32
    # Python-scalar defaults (rate=0.0) do not promote
    ref = implied_vol(prices.astype(np.float64), 100.0, 100.0, 1.0)
    np.testing.assert_array_equal(got, ref.astype(np.float32))
    assert implied_vol(prices, 100.0, 100.0, 1.0, dtype=np.float64).dtype == np.float64
    assert implied_vol([5.0, 8.0], 100.0, 100.0, 1.0, dtype=np.float32).dtype == np.float32


def test_parallel_path_matches_serial(monkeypatch):
    rng = np.random.default_rng(2)
    n = 3000 if JIT else 300
    spot = rng.uniform(50, 150, n)
    strike = rng.uniform(50, 150, n)
    vol = rng.uniform(0.05, 1.0, n)
    prices = fastopt.bs_price(spot, strike, 0.7, vol)
    monkeypatch.setattr(iv_module, "PARALLEL_THRESHOLD", 10**9)
    serial = implied_vol(prices, spot, strike, 0.7)
    monkeypatch.setattr(iv_module, "PARALLEL_THRESHOLD", 1)
    parallel = implied_vol(prices, spot, strike, 0.7)
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"price": math.nan}, ValueError, "`price` must be finite"),
        ({"price": math.inf}, ValueError, "`price` must be finite"),
        ({"spot": -1.0}, ValueError, "`spot` must be > 0"),
        ({"strike": 0.0}, ValueError, "`strike` must be > 0"),
        ({"t": -0.1}, ValueError, "`t` must be >= 0"),
        ({"rate": math.nan}, ValueError, "`rate` must be finite"),
        ({"div": math.inf}, ValueError, "`div` must be finite"),
        ({"div": 0.01, "model": "black76"}, ValueError, "`div` must be 0"),
        ({"div": 0.01, "model": "bachelier"}, ValueError, "`div` must be 0"),
        ({"model": "heston"}, ValueError, "`model` must be one of"),
        ({"kind": "straddle"}, ValueError, "`kind`"),
        ({"price": "5"}, TypeError, "`price`"),
        ({"strike": [90.0, 100.0, 110.0], "price": [1.0, 2.0]}, ValueError, "broadcast"),
        ({"dtype": np.int32}, ValueError, "`dtype`"),
    ],
)
def test_validation(kwargs, error, match):
    args = {"price": 5.0, "spot": 100.0, "strike": 100.0, "t": 1.0, **kwargs}
    with pytest.raises(error, match=match):
        implied_vol(**args)


def test_quantlib_cross_check_on_well_conditioned_rows():
    ql = pytest.importorskip("QuantLib")
    today = ql.Date(15, 1, 2024)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    rows = [  # (spot, strike, days, vol, rate, div, call)
        (100.0, 100.0, 365, 0.2, 0.05, 0.0, True),
        (100.0, 90.0, 182, 0.35, 0.03, 0.01, False),
        (50.0, 55.0, 730, 0.6, 0.0, 0.02, True),
        (120.0, 100.0, 90, 0.15, 0.07, 0.03, False),
        (80.0, 82.0, 30, 0.45, -0.01, 0.0, True),
    ]
    for spot, strike, days, vol, rate, div, call in rows:
        t = days / 365.0
        price = mp_price(spot, strike, t, vol, rate, div, call)
        opt = ql.EuropeanOption(
            ql.PlainVanillaPayoff(ql.Option.Call if call else ql.Option.Put, strike),
            ql.EuropeanExercise(today + days),
        )
        process = ql.BlackScholesMertonProcess(
            ql.QuoteHandle(ql.SimpleQuote(spot)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, div, dc)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, rate, dc)),
            ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), 0.3, dc)),
        )
        opt.setPricingEngine(ql.AnalyticEuropeanEngine(process))
        ref = opt.impliedVolatility(price, process, 1e-12, 500, 1e-7, 10.0)
        got = implied_vol(price, spot, strike, t, rate, div, "call" if call else "put")
        assert got == pytest.approx(ref, abs=1e-9)
        assert got == pytest.approx(vol, abs=1e-13)
