"""Every documented bad input gets its documented error, naming the argument."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastopt

GOOD = {"spot": 100.0, "strike": 100.0, "t": 1.0, "vol": 0.2}


def _call(fn, **overrides):
    args = {**GOOD, **overrides}
    return fn(args.pop("spot"), args.pop("strike"), args.pop("t"), args.pop("vol"), **args)


@pytest.mark.parametrize("fn", [fastopt.bs_price, fastopt.bs_greeks])
@pytest.mark.parametrize(
    ("arg", "value", "match"),
    [
        ("vol", -0.1, r"`vol` must be >= 0, got -0.1"),
        ("vol", math.nan, r"`vol` must be finite, got nan"),
        ("vol", [0.2, -1.0], r"`vol` must be >= 0, got -1.0 at flat index 1"),
        ("t", -1.0, r"`t` must be >= 0"),
        ("t", math.inf, r"`t` must be finite"),
        ("spot", 0.0, r"`spot` must be > 0, got 0.0"),
        ("spot", -5.0, r"`spot` must be > 0"),
        (
            "strike",
            [100.0, 0.0, -1.0],
            r"`strike` must be > 0, got 0.0 at flat index 1 \(2 elements\)",
        ),
        ("rate", math.nan, r"`rate` must be finite"),
        ("div", math.inf, r"`div` must be finite"),
        ("kind", "straddle", r"`kind` must be 'call' or 'put'"),
        ("kind", ["call", "cal"], r"`kind` must contain only 'call'/'put'.*'cal' at flat index 1"),
        ("model", "heston", r"`model` must be one of 'bsm', 'black76', 'bachelier'; got 'heston'"),
    ],
)
def test_value_errors_name_the_argument(fn, arg, value, match):
    with pytest.raises(ValueError, match=match):
        _call(fn, **{arg: value})


@pytest.mark.parametrize(
    ("arg", "value"),
    [("spot", "100"), ("vol", [0.1, "a"]), ("strike", 1 + 2j), ("t", object()), ("kind", 3.5)],
)
def test_type_errors_for_non_numeric(arg, value):
    with pytest.raises(TypeError, match=f"`{arg}`"):
        _call(fastopt.bs_price, **{arg: value})


def test_non_broadcastable_shapes_name_arguments():
    with pytest.raises(ValueError, match=r"cannot be broadcast.*spot\(3,\).*strike\(2,\)"):
        fastopt.bs_price([1.0, 2.0, 3.0], [1.0, 2.0], 1.0, 0.2)


def test_forward_models_reject_dividends():
    with pytest.raises(ValueError, match=r"`div` must be 0 for model='black76'"):
        fastopt.bs_price(100.0, 100.0, 1.0, 0.2, 0.01, 0.02, model="black76")


def test_bachelier_accepts_negative_forwards_and_strikes():
    price = fastopt.bs_price(-0.5, -0.25, 1.0, 0.4, kind="put", model="bachelier")
    assert price > 0.25  # at least the intrinsic value


def test_bad_dtype_rejected():
    with pytest.raises(ValueError, match="`dtype` must be float32 or float64"):
        fastopt.bs_price(100.0, 100.0, 1.0, 0.2, dtype=np.int64)


def test_scalars_give_python_floats_and_arrays_broadcast():
    assert type(fastopt.bs_price(100, 100, 1, 0.2)) is float
    out = fastopt.bs_price(np.full((2, 1), 100.0), [90.0, 100.0, 110.0], 1.0, 0.2)
    assert out.shape == (2, 3)
    g = fastopt.bs_greeks(100.0, 100.0, 1.0, 0.2)
    assert all(type(v) is float for v in g.to_dict().values())
    kinds = fastopt.bs_price(100.0, 100.0, 1.0, 0.2, kind=np.array(["C", "put"]))
    assert kinds[0] - kinds[1] == pytest.approx(0.0, abs=1e-12)
    assert fastopt.bs_price(100.0, 100.0, 1.0, 0.2, kind=True) == kinds[0]


def test_dtype_rules():
    f32 = np.float32
    assert fastopt.bs_price(np.array([100.0], f32), f32(100), 1.0, 0.2).dtype == np.float32
    assert fastopt.bs_price(np.array([100.0], f32), np.array([100.0]), 1, 0.2).dtype == np.float64
    assert fastopt.bs_price(np.array([100.0]), 100.0, 1.0, 0.2, dtype=f32).dtype == np.float32
    assert fastopt.bs_price(np.array([100]), 100, 1, 0.2).dtype == np.float64


def test_greeks_views_and_frames():
    g = fastopt.bs_greeks([100.0, 110.0], 100.0, 1.0, 0.2, rate=0.05)
    np.testing.assert_allclose(g.vega_pct, g.vega / 100)
    np.testing.assert_allclose(g.rho_pct, g.rho / 100)
    np.testing.assert_allclose(g.vanna_pct, g.vanna / 100)
    np.testing.assert_allclose(g.volga_pct, g.volga / 1e4)
    np.testing.assert_allclose(g.theta_per_day(252), g.theta / 252)
    np.testing.assert_allclose(g.charm_per_day(), g.charm / 365)
    frame = g.to_polars()
    assert frame.columns == list(g.to_dict())
    assert frame.height == 2


def test_thread_and_threshold_settings_validate():
    with pytest.raises(ValueError, match="`n` must be >= 1"):
        fastopt.set_num_threads(0)
    with pytest.raises(ValueError, match="NUMBA_NUM_THREADS"):
        fastopt.set_num_threads(10_000)
    with pytest.raises(TypeError, match="`n` must be an integer"):
        fastopt.set_parallel_threshold(1.5)
