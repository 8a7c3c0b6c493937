"""Facade tests for ``fastopt.volatility``: values, containers, validation, properties."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import norm

from fastopt.data import sample_path
from fastopt.volatility import (
    STRADDLE_FACTOR_NORMAL,
    ExpectedMove,
    VolRegime,
    expected_move,
    iv_percentile,
    iv_rank,
    realized_vol,
    vol_regime,
)

DATA = Path(sample_path())
ESTIMATORS = ["close_to_close", "parkinson", "garman_klass", "rogers_satchell", "yang_zhang"]


def _bars(n: int, seed: int, scale: float = 0.01) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, scale, n)))
    open_ = np.r_[100.0, close[:-1]] * np.exp(rng.normal(0.0, scale / 3, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, scale / 2, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, scale / 2, n)))
    return {"open": open_, "high": high, "low": low, "close": close}


def _gbm_bars(n_bars: int, steps: int, sigma: float, seed: int) -> dict[str, np.ndarray]:
    """Daily OHLC from a driftless GBM sampled ``steps`` times a day; open = previous close."""
    rng = np.random.default_rng(seed)
    dt = 1.0 / (252 * steps)
    incr = rng.normal(-0.5 * sigma**2 * dt, sigma * math.sqrt(dt), (n_bars, steps))
    logp = math.log(100.0) + np.cumsum(incr.ravel()).reshape(n_bars, steps)
    first = np.r_[math.log(100.0), logp[:-1, -1]]
    path = np.column_stack([first, logp])
    return {
        "open": np.exp(first),
        "high": np.exp(path.max(axis=1)),
        "low": np.exp(path.min(axis=1)),
        "close": np.exp(logp[:, -1]),
    }


# --------------------------------------------------------------------------- realised vol values


def test_close_to_close_hand_value() -> None:
    # log returns alternate 0.01, -0.01, ...: sample std over 4 returns = 0.01 * sqrt(4/3)
    close = 100.0 * np.exp(0.01 * np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0]))
    got = realized_vol(close, window=4)
    assert np.isnan(got[:4]).all()
    assert_allclose(got[4:], 0.01 * math.sqrt(4 / 3) * math.sqrt(252), rtol=1e-12)
    zero_mean = realized_vol(close, window=4, demean=False)
    assert_allclose(zero_mean[4:], 0.01 * math.sqrt(252), rtol=1e-12)


def test_constant_log_returns_have_zero_close_to_close_vol() -> None:
    close = 50.0 * np.exp(0.002 * np.arange(60))
    got = realized_vol(close, window=10)
    assert_allclose(got[10:], 0.0, atol=1e-12)
    assert realized_vol(close, window=10, demean=False)[-1] == pytest.approx(
        0.002 * math.sqrt(252), rel=1e-12
    )


def test_parkinson_hand_value() -> None:
    bars = {"high": np.array([102.0, 103.0]), "low": np.array([99.0, 100.0])}
    want = math.sqrt(
        (math.log(102 / 99) ** 2 + math.log(103 / 100) ** 2) / (2 * 4 * math.log(2)) * 252
    )
    assert realized_vol(bars, estimator="parkinson", window=2)[1] == pytest.approx(want, rel=1e-13)


def test_flat_bars_have_zero_range_vol() -> None:
    p = np.full(30, 10.0)
    bars = {"open": p, "high": p, "low": p, "close": p}
    for est in ESTIMATORS:
        got = realized_vol(bars, estimator=est, window=5)
        assert_array_equal(got[~np.isnan(got)], 0.0)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_gbm_estimators_recover_sigma(estimator: str) -> None:
    sigma = 0.25
    bars = _gbm_bars(1000, 200, sigma, seed=11)
    est = realized_vol(bars, estimator=estimator, window=999)[-1]
    # Range estimators are biased low by discrete sampling of the high/low (~3% here).
    assert est == pytest.approx(sigma, rel=0.08)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_containers_give_identical_results(estimator: str) -> None:
    bars = _bars(120, 3)
    want = realized_vol(bars, estimator=estimator, window=20)
    pl_frame = pl.DataFrame({k.capitalize(): v for k, v in bars.items()})
    got_pl = realized_vol(pl_frame, estimator=estimator, window=20)
    assert isinstance(got_pl, pl.Series)
    assert got_pl.name == "realized_vol"
    assert got_pl.null_count() == (20 if estimator in ("close_to_close", "yang_zhang") else 19)
    assert_allclose(got_pl.to_numpy(), want, rtol=0, equal_nan=True)
    index = pd.date_range("2020-01-01", periods=120, freq="B")
    got_pd = realized_vol(pd.DataFrame(bars, index=index), estimator=estimator, window=20)
    assert isinstance(got_pd, pd.Series)
    assert got_pd.index.equals(index)
    assert_allclose(got_pd.to_numpy(), want, rtol=0, equal_nan=True)


def test_close_series_inputs_and_columns_override() -> None:
    bars = _bars(80, 4)
    want = realized_vol(bars["close"], window=10)
    frame = pl.DataFrame({"date": np.arange(80), "adj_close": bars["close"]})
    got = realized_vol(frame, window=10, columns={"close": "adj_close"})
    assert_allclose(got.to_numpy(), want, equal_nan=True)
    assert_allclose(
        realized_vol(pl.Series(bars["close"]), window=10).to_numpy(), want, equal_nan=True
    )
    got_pd = realized_vol(pd.Series(bars["close"]), window=10)
    assert_allclose(got_pd.to_numpy(), want, equal_nan=True)
    assert_allclose(realized_vol(list(bars["close"]), window=10), want, equal_nan=True)


def test_two_dim_input_is_column_wise() -> None:
    a, b = _bars(60, 5), _bars(60, 6)
    stacked = {k: np.column_stack([a[k], b[k]]) for k in a}
    got = realized_vol(stacked, estimator="yang_zhang", window=10)
    assert got.shape == (60, 2)
    assert_allclose(got[:, 1], realized_vol(b, estimator="yang_zhang", window=10), equal_nan=True)


def test_periods_per_year_scales_by_sqrt() -> None:
    bars = _bars(50, 7)
    daily = realized_vol(bars, estimator="garman_klass", window=10, periods_per_year=1)
    annual = realized_vol(bars, estimator="garman_klass", window=10, periods_per_year=252)
    assert_allclose(annual, daily * math.sqrt(252), rtol=1e-13, equal_nan=True)


@pytest.mark.skipif(not DATA.exists(), reason="bundled S&P 500 data not installed")
def test_real_sp500_against_pandas() -> None:
    df = pl.read_parquet(DATA)
    o, h, lo, c = (df[k].to_numpy() for k in ("open", "high", "low", "close"))
    w = 21
    rs = np.log(h / c) * np.log(h / o) + np.log(lo / c) * np.log(lo / o)
    want = {
        "close_to_close": pd.Series(np.log(c)).diff().rolling(w).std() * math.sqrt(252),
        "parkinson": np.sqrt(
            pd.Series(np.log(h / lo) ** 2).rolling(w).mean() / (4 * math.log(2)) * 252
        ),
        "rogers_satchell": np.sqrt(pd.Series(rs).rolling(w).mean() * 252),
    }
    for est, ref in want.items():
        got = realized_vol(df, estimator=est, window=w).to_numpy()
        assert_allclose(got, ref.to_numpy(), rtol=1e-9, equal_nan=True)
    yz = realized_vol(df, estimator="yang_zhang", window=w).to_numpy()
    assert np.nanmin(yz) > 0.03
    assert np.nanmax(yz) < 1.2  # the 2008 peak is near 0.9


# --------------------------------------------------------------------------- IV rank / percentile


def test_iv_rank_and_percentile_hand_values() -> None:
    iv = np.array([0.20, 0.30, 0.25, 0.10, 0.40, 0.40, 0.40])
    assert_allclose(
        iv_rank(iv, window=3), [np.nan, np.nan, 50.0, 0.0, 100.0, 100.0, np.nan], equal_nan=True
    )
    assert_allclose(
        iv_percentile(iv, window=3), [np.nan, np.nan, 50.0, 0.0, 100.0, 50.0, 0.0], equal_nan=True
    )


def test_iv_rank_brute_force() -> None:
    iv = np.random.default_rng(8).uniform(0.1, 0.5, 300)
    w = 40
    want = np.full(300, np.nan)
    for t in range(w - 1, 300):
        win = iv[t - w + 1 : t + 1]
        want[t] = 100 * (iv[t] - win.min()) / (win.max() - win.min())
    assert_allclose(iv_rank(iv, window=w), want, rtol=1e-13, equal_nan=True)


def test_iv_containers() -> None:
    iv = np.random.default_rng(9).uniform(10, 40, 50)
    want = iv_percentile(iv, window=10)
    got = iv_percentile(pl.Series("vix", iv), window=10)
    assert isinstance(got, pl.Series)
    assert got.null_count() == 9
    assert_allclose(got.to_numpy(), want, equal_nan=True)
    got_pd = iv_rank(pd.Series(iv, index=np.arange(50) + 100), window=10)
    assert list(got_pd.index[:2]) == [100, 101]
    assert_allclose(got_pd.to_numpy(), iv_rank(iv, window=10), equal_nan=True)
    assert iv_rank(iv.reshape(25, 2), window=5).shape == (25, 2)


@pytest.mark.skipif(not DATA.exists(), reason="bundled S&P 500 data not installed")
def test_real_vix_rank_and_percentile() -> None:
    vix = pl.read_parquet(DATA)["vix"].drop_nulls().to_numpy()
    w = 252
    s = pd.Series(vix)
    pct = (s.rolling(w).rank(method="min") - 1) / (w - 1) * 100
    assert_allclose(iv_percentile(vix, window=w), pct.to_numpy(), rtol=1e-12, equal_nan=True)
    rank = (s - s.rolling(w).min()) / (s.rolling(w).max() - s.rolling(w).min()) * 100
    assert_allclose(iv_rank(vix, window=w), rank.to_numpy(), rtol=1e-12, equal_nan=True)


# --------------------------------------------------------------------------- expected move


def test_expected_move_from_iv() -> None:
    em = expected_move(100.0, iv=0.20, t=0.25)
    assert isinstance(em, ExpectedMove)
    assert isinstance(em.move, float)
    assert (em.move, em.lower, em.upper) == pytest.approx((10.0, 90.0, 110.0), rel=1e-15)
    two = expected_move(400.0, iv=0.30, t=30 / 365, n_sigma=2.0)
    assert two.move == pytest.approx(2 * 400 * 0.30 * math.sqrt(30 / 365), rel=1e-15)


def test_expected_move_from_straddle() -> None:
    assert expected_move(100.0, straddle=8.0).move == pytest.approx(8.0 * math.sqrt(math.pi / 2))
    rot = expected_move(100.0, straddle=8.0, straddle_method="rule_of_thumb")
    assert (rot.move, rot.lower, rot.upper) == pytest.approx((6.8, 93.2, 106.8))


def test_straddle_route_agrees_with_iv_route_under_black_scholes() -> None:
    spot, sigma, t = 100.0, 0.2, 0.25
    half = 0.5 * sigma * math.sqrt(t)
    straddle = 2 * spot * (2 * norm.cdf(half) - 1)  # ATM call + put, zero rates: K = S
    em_straddle = expected_move(spot, straddle=straddle)
    em_iv = expected_move(spot, iv=sigma, t=t)
    assert em_straddle.move == pytest.approx(em_iv.move, rel=1e-3)  # equal to O((sigma*sqrt t)^2)
    assert math.isclose(STRADDLE_FACTOR_NORMAL, 1 / math.sqrt(2 / math.pi), rel_tol=1e-15)


def test_expected_move_broadcasts() -> None:
    em = expected_move([100.0, 200.0], iv=0.2, t=[[0.25], [1.0]])
    assert em.move.shape == (2, 2)
    assert_allclose(em.upper, [[110.0, 220.0], [120.0, 240.0]])


# --------------------------------------------------------------------------- regimes


def test_vol_regime_level_and_percentile() -> None:
    got = vol_regime(np.array([0.10, 0.15, 0.25, 0.45]), method="level")
    assert_array_equal(got, [VolRegime.LOW, VolRegime.NORMAL, VolRegime.HIGH, VolRegime.EXTREME])
    assert got.dtype == np.int8
    rising = np.linspace(0.1, 0.5, 30)
    pct = vol_regime(rising, window=10)
    assert_array_equal(pct[:9], -1)
    assert_array_equal(pct[9:], VolRegime.EXTREME)  # each value above all its predecessors
    custom = vol_regime(rising[::-1], window=10, thresholds=(50.0,))
    assert_array_equal(custom[9:], 0)
    series = vol_regime(pl.Series(rising), window=10)
    assert series.dtype == pl.Int8
    assert series.null_count() == 9


# --------------------------------------------------------------------------- bad input


def test_realized_vol_bad_inputs() -> None:
    bars = _bars(30, 10)
    with pytest.raises(ValueError, match=r"`estimator` must be one of .*'yang_zhang'; got 'foo'"):
        realized_vol(bars, estimator="foo")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"`window` must be >= 2, got 1"):
        realized_vol(bars["close"], window=1)
    with pytest.raises(TypeError, match=r"`window` must be an integer"):
        realized_vol(bars["close"], window=2.5)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"`window` must be <= 29 \(the number of returns"):
        realized_vol(bars["close"], window=30)
    assert realized_vol(bars, estimator="parkinson", window=30).shape == (30,)
    with pytest.raises(ValueError, match=r"`window` must be <= 30 \(the number of bars"):
        realized_vol(bars, estimator="parkinson", window=31)
    bad = bars["close"].copy()
    bad[4] = 0.0
    with pytest.raises(ValueError, match=r"`close` must be > 0, got 0.0 at flat index 4"):
        realized_vol(bad)
    bad[4] = np.nan
    with pytest.raises(ValueError, match=r"`close` must be finite, got nan at flat index 4"):
        realized_vol(bad)
    swapped = dict(bars, high=bars["low"].copy(), low=bars["high"].copy())
    with pytest.raises(ValueError, match=r"`high` must be >= `low`, .* at row 0 \(30 rows\)"):
        realized_vol(swapped, estimator="parkinson")
    low_high = dict(bars, high=bars["high"].copy())
    low_high["high"][7] = max(bars["open"][7], bars["close"][7]) * 0.999
    with pytest.raises(ValueError, match=r"`high` must be >= max\(`open`, `close`\), .* at row 7$"):
        realized_vol(low_high, estimator="yang_zhang", window=5)
    high_low = dict(bars, low=bars["low"].copy())
    high_low["low"][9] = min(bars["open"][9], bars["close"][9]) * 1.001
    with pytest.raises(ValueError, match=r"`low` must be <= min\(`open`, `close`\), .* at row 9$"):
        realized_vol(high_low, estimator="garman_klass", window=5)


def test_realized_vol_bad_containers_and_options() -> None:
    bars = _bars(30, 12)
    frame = pl.DataFrame(bars).drop("low", "open")
    with pytest.raises(ValueError, match=r"missing the column\(s\) 'open', 'low'"):
        realized_vol(frame, estimator="yang_zhang")
    with pytest.raises(ValueError, match=r"missing the column\(s\) 'close' \(as 'adj'\)"):
        realized_vol(frame, columns={"close": "adj"})
    with pytest.raises(ValueError, match=r"`columns` keys must be among"):
        realized_vol(frame, columns={"last": "close"})
    with pytest.raises(ValueError, match=r"needs open/high/low/close prices"):
        realized_vol(bars["close"], estimator="parkinson")
    with pytest.raises(ValueError, match=r"`demean=False` applies only to"):
        realized_vol(bars, estimator="parkinson", demean=False)
    with pytest.raises(ValueError, match=r"`periods_per_year` must be > 0"):
        realized_vol(bars, periods_per_year=0)
    with pytest.raises(ValueError, match=r"must share one shape"):
        realized_vol(dict(bars, high=bars["high"][:-1]), estimator="parkinson")
    with pytest.raises(ValueError, match=r"1-D \(time\) or 2-D"):
        realized_vol(np.ones((3, 3, 3)))
    with pytest.raises(TypeError, match=r"`close` must be a real number"):
        realized_vol(["a", "b", "c"])
    nulls = pl.DataFrame({"close": [1.0, None, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"`close` \(column 'close'\) contains 1 null values"):
        realized_vol(nulls, window=2)
    dup = pl.DataFrame({"Close": [1.0, 2.0, 3.0], "close": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"several columns match 'close'"):
        realized_vol(dup, window=2)


def test_iv_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"`iv` must be >= 0, got -0.1 at flat index 2"):
        iv_rank([0.2, 0.3, -0.1, 0.2], window=2)
    with pytest.raises(ValueError, match=r"`iv` must be finite, got nan"):
        iv_percentile([0.2, np.nan, 0.3], window=2)
    with pytest.raises(ValueError, match=r"`iv` contains 1 null values \(first at row 1\)"):
        iv_rank(pl.Series([0.2, None, 0.3]), window=2)
    with pytest.raises(ValueError, match=r"`window` must be <= 3 \(the number of observations"):
        iv_rank([0.2, 0.3, 0.4], window=4)
    with pytest.raises(ValueError, match=r"`window` must be >= 2"):
        iv_percentile([0.2, 0.3, 0.4], window=1)
    with pytest.raises(TypeError, match=r"got a Polars frame"):
        iv_rank(pl.DataFrame({"iv": [0.2]}))  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"must be numeric"):
        iv_rank(pl.Series(["a", "b"]))


def test_expected_move_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"give either `iv` \(with `t`\) or `straddle`"):
        expected_move(100.0)
    with pytest.raises(ValueError, match=r"give either"):
        expected_move(100.0, iv=0.2, t=1.0, straddle=5.0)
    with pytest.raises(ValueError, match=r"`t` \(years to the horizon\) is required"):
        expected_move(100.0, iv=0.2)
    with pytest.raises(ValueError, match=r"`t` is used only with `iv`"):
        expected_move(100.0, straddle=5.0, t=1.0)
    with pytest.raises(ValueError, match=r"`spot` must be > 0, got -1.0"):
        expected_move(-1.0, iv=0.2, t=1.0)
    with pytest.raises(ValueError, match=r"`iv` must be >= 0, got -0.2"):
        expected_move(100.0, iv=-0.2, t=1.0)
    with pytest.raises(ValueError, match=r"`t` must be >= 0"):
        expected_move(100.0, iv=0.2, t=-1.0)
    with pytest.raises(ValueError, match=r"`straddle` must be >= 0"):
        expected_move(100.0, straddle=-5.0)
    with pytest.raises(ValueError, match=r"`n_sigma` must be > 0"):
        expected_move(100.0, straddle=5.0, n_sigma=0.0)
    with pytest.raises(ValueError, match=r"`straddle_method` must be one of"):
        expected_move(100.0, straddle=5.0, straddle_method="exact")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"`spot` must be a real number"):
        expected_move("100", iv=0.2, t=1.0)
    with pytest.raises(ValueError, match=r"cannot be broadcast"):
        expected_move([1.0, 2.0], iv=[0.1, 0.2, 0.3], t=1.0)


def test_vol_regime_bad_inputs() -> None:
    vol = np.linspace(0.1, 0.3, 20)
    with pytest.raises(ValueError, match=r"`method` must be one of 'percentile', 'level'"):
        vol_regime(vol, method="zscore")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"strictly increasing"):
        vol_regime(vol, method="level", thresholds=(0.2, 0.1))
    with pytest.raises(ValueError, match=r"within \[0, 100\]"):
        vol_regime(vol, window=5, thresholds=(50.0, 150.0))
    with pytest.raises(ValueError, match=r"non-empty"):
        vol_regime(vol, method="level", thresholds=())
    with pytest.raises(ValueError, match=r"`vol` must be >= 0"):
        vol_regime(-vol, method="level")


# --------------------------------------------------------------------------- properties


@st.composite
def _ohlc(draw: st.DrawFn) -> dict[str, np.ndarray]:
    n = draw(st.integers(8, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    return _bars(n, seed, scale=draw(st.sampled_from([0.001, 0.01, 0.05])))


@settings(max_examples=40)
@given(
    bars=_ohlc(),
    scale=st.floats(1e-3, 1e4),
    estimator=st.sampled_from(ESTIMATORS),
)
def test_realized_vol_is_scale_invariant(
    bars: dict[str, np.ndarray], scale: float, estimator: str
) -> None:
    window = 5
    base = realized_vol(bars, estimator=estimator, window=window)  # type: ignore[call-overload]
    scaled = {k: v * scale for k, v in bars.items()}
    got = realized_vol(scaled, estimator=estimator, window=window)  # type: ignore[call-overload]
    assert_allclose(got, base, rtol=1e-7, atol=1e-9, equal_nan=True)
    assert (base[~np.isnan(base)] >= 0).all()


@settings(max_examples=60)
@given(
    iv=st.lists(st.floats(0.0, 3.0, allow_nan=False), min_size=2, max_size=60),
    window=st.integers(2, 60),
)
def test_rank_and_percentile_are_within_0_100(iv: list[float], window: int) -> None:
    window = min(window, len(iv))
    rank = iv_rank(iv, window=window)
    pct = iv_percentile(iv, window=window)
    assert np.isnan(rank[: window - 1]).all()
    assert np.isnan(pct[: window - 1]).all()
    assert not np.isnan(pct[window - 1 :]).any()
    ok = rank[~np.isnan(rank)]
    assert ((ok >= 0) & (ok <= 100)).all()
    assert ((pct[window - 1 :] >= 0) & (pct[window - 1 :] <= 100)).all()
    assert_allclose(iv_rank(np.asarray(iv) * 7.0, window=window), rank, atol=1e-9, equal_nan=True)
