"""Kernels of ``fastopt.kernels.vol`` against independent NumPy/pandas twins."""

from __future__ import annotations

import math

import numba
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from fastopt.kernels import vol as kv

P = 252.0


def _bars(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random consistent OHLC bars (open gaps from the previous close)."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    open_ = np.r_[100.0, close[:-1]] * np.exp(rng.normal(0.0, 0.003, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, 0.004, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, 0.004, n)))
    return open_, high, low, close


# --------------------------------------------------------------------------- pandas twins


def _np_c2c(c: np.ndarray, w: int, demean: bool) -> np.ndarray:
    """Two-pass per window (pandas' running var is itself only ~1e-10 accurate for w=2)."""
    r = np.log(c[1:] / c[:-1])
    win = np.lib.stride_tricks.sliding_window_view(r, w)
    var = win.var(axis=1, ddof=1) if demean else (win**2).mean(axis=1)
    return np.r_[np.full(w, np.nan), np.sqrt(var * P)]


def _pd_parkinson(h: np.ndarray, lo: np.ndarray, w: int) -> np.ndarray:
    t = pd.Series(np.log(h / lo) ** 2 / (4.0 * math.log(2.0)))
    return np.sqrt(t.rolling(w).mean() * P).to_numpy()


def _pd_gk(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, w: int) -> np.ndarray:
    t = 0.5 * np.log(h / lo) ** 2 - (2.0 * math.log(2.0) - 1.0) * np.log(c / o) ** 2
    return np.sqrt(pd.Series(t).rolling(w).mean() * P).to_numpy()


def _rs_terms(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.log(h / c) * np.log(h / o) + np.log(lo / c) * np.log(lo / o)


def _pd_rs(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, w: int) -> np.ndarray:
    return np.sqrt(pd.Series(_rs_terms(o, h, lo, c)).rolling(w).mean() * P).to_numpy()


def _pd_yz(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, w: int) -> np.ndarray:
    overnight = pd.Series(np.log(o[1:] / c[:-1]))
    intraday = pd.Series(np.log(c[1:] / o[1:]))
    rs = pd.Series(_rs_terms(o, h, lo, c)[1:])
    k = 0.34 / (1.34 + (w + 1) / (w - 1))
    var = overnight.rolling(w).var() + k * intraday.rolling(w).var()
    var = var + (1 - k) * rs.rolling(w).mean()
    return np.r_[np.nan, np.sqrt(var * P).to_numpy()]


@pytest.mark.parametrize("window", [2, 5, 21])
@pytest.mark.parametrize("demean", [True, False])
def test_close_to_close_matches_pandas(window: int, demean: bool) -> None:
    _, _, _, c = _bars(300, 1)
    got = kv.close_to_close_1d_nb(c, window, P, demean)
    want = _np_c2c(c, window, demean)
    pandas_r = pd.Series(np.log(c)).diff()
    pandas = (
        pandas_r.rolling(window).std() if demean else np.sqrt((pandas_r**2).rolling(window).mean())
    )
    assert_allclose(got, pandas.to_numpy() * math.sqrt(P), rtol=1e-9, equal_nan=True)
    assert np.isnan(got[:window]).all()
    assert not np.isnan(got[window:]).any()
    assert_allclose(got, want, rtol=1e-11, equal_nan=True)


@pytest.mark.parametrize("window", [2, 7, 21])
def test_range_estimators_match_pandas(window: int) -> None:
    o, h, lo, c = _bars(300, 2)
    cases = [
        (kv.parkinson_1d_nb(h, lo, window, P), _pd_parkinson(h, lo, window)),
        (kv.garman_klass_1d_nb(o, h, lo, c, window, P), _pd_gk(o, h, lo, c, window)),
        (kv.rogers_satchell_1d_nb(o, h, lo, c, window, P), _pd_rs(o, h, lo, c, window)),
    ]
    for got, want in cases:
        assert np.isnan(got[: window - 1]).all()
        assert not np.isnan(got[window - 1 :]).any()
        assert_allclose(got, want, rtol=1e-11, equal_nan=True)


@pytest.mark.parametrize("window", [2, 5, 21])
def test_yang_zhang_matches_pandas(window: int) -> None:
    o, h, lo, c = _bars(300, 3)
    got = kv.yang_zhang_1d_nb(o, h, lo, c, window, P)
    assert np.isnan(got[:window]).all()
    assert not np.isnan(got[window:]).any()
    assert_allclose(got, _pd_yz(o, h, lo, c, window), rtol=1e-11, equal_nan=True)


def test_yang_zhang_k() -> None:
    assert kv.yang_zhang_k(21) == pytest.approx(0.34 / (1.34 + 22 / 20))
    assert kv.yang_zhang_k(2) == pytest.approx(0.34 / (1.34 + 3.0))


def test_rolling_sums_do_not_drift_after_a_huge_value() -> None:
    # A 1e6-sized term leaves the window; later windows of tiny terms must stay exact.
    x = np.full(200, 1e-4)
    x[10] = 1e6
    x[150:] = np.linspace(1e-4, 2e-4, 50)
    w = 20
    assert_allclose(
        kv.rolling_mean_1d_nb(x, w), pd.Series(x).rolling(w).mean(), rtol=1e-12, equal_nan=True
    )
    want_var = np.array(
        [np.nan] * (w - 1) + [np.var(x[i - w + 1 : i + 1], ddof=1) for i in range(w - 1, 200)]
    )
    got_var = kv.rolling_var_1d_nb(x, w)
    assert_allclose(got_var[40:], want_var[40:], rtol=1e-9, atol=1e-22)


def test_rolling_var_constant_is_exactly_zero() -> None:
    assert_array_equal(kv.rolling_var_1d_nb(np.full(50, 0.0123), 10)[9:], 0.0)


def test_bad_value_poisons_only_its_windows() -> None:
    x = np.arange(1.0, 41.0)
    x[10] = np.nan
    x[20] = np.inf
    w = 5
    for f in (kv.rolling_mean_1d_nb, kv.rolling_var_1d_nb):
        got = f(x, w)
        expect_nan = np.zeros(40, dtype=bool)
        expect_nan[: w - 1] = True
        expect_nan[10 : 10 + w] = True
        expect_nan[20 : 20 + w] = True
        assert_array_equal(np.isnan(got), expect_nan)
    assert_allclose(kv.rolling_mean_1d_nb(x, w)[30], np.mean(x[26:31]))
    assert_allclose(kv.rolling_var_1d_nb(x, w)[30], np.var(x[26:31], ddof=1))


def test_nonpositive_price_gives_nan_windows_only() -> None:
    c = _bars(60, 4)[3].copy()
    c[30] = -1.0
    got = kv.close_to_close_1d_nb(c, 5, P, True)
    assert np.isnan(got[30:36]).all()  # returns 30 and 31 are bad: windows 30..35
    assert not np.isnan(got[36:]).any()
    assert not np.isnan(got[5:30]).any()


def test_log_returns() -> None:
    c = np.array([100.0, 110.0, 99.0])
    assert_allclose(kv.log_returns_1d_nb(c), [np.nan, math.log(1.1), math.log(0.9)], rtol=1e-15)


# --------------------------------------------------------------------------- IV rank / percentile


def _brute_rank(x: np.ndarray, w: int) -> np.ndarray:
    out = np.full(x.size, np.nan)
    for t in range(w - 1, x.size):
        win = x[t - w + 1 : t + 1]
        lo, hi = min(win), max(win)
        if hi > lo:
            out[t] = 100.0 * (x[t] - lo) / (hi - lo)
    return out


def _brute_pct(x: np.ndarray, w: int) -> np.ndarray:
    out = np.full(x.size, np.nan)
    for t in range(w - 1, x.size):
        out[t] = 100.0 * sum(1 for v in x[t - w + 1 : t] if v < x[t]) / (w - 1)
    return out


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("window", [2, 3, 10, 50])
def test_rank_and_percentile_vs_brute_force(seed: int, window: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(10, 20, 200).astype(np.float64)  # many ties and flat windows
    assert_allclose(kv.iv_rank_1d_nb(x, window), _brute_rank(x, window), equal_nan=True)
    assert_allclose(kv.iv_percentile_1d_nb(x, window), _brute_pct(x, window), equal_nan=True)


def test_percentile_equals_pandas_rolling_rank_min() -> None:
    x = np.random.default_rng(5).normal(0.2, 0.05, 400)
    w = 30
    want = (pd.Series(x).rolling(w).rank(method="min") - 1) / (w - 1) * 100
    assert_allclose(kv.iv_percentile_1d_nb(x, w), want.to_numpy(), rtol=1e-13, equal_nan=True)


def test_rank_hand_example() -> None:
    x = np.array([0.20, 0.30, 0.25, 0.10, 0.40, 0.40, 0.40])
    assert_allclose(
        kv.iv_rank_1d_nb(x, 3), [np.nan, np.nan, 50.0, 0.0, 100.0, 100.0, np.nan], equal_nan=True
    )
    assert_allclose(
        kv.iv_percentile_1d_nb(x, 3), [np.nan, np.nan, 50.0, 0.0, 100.0, 50.0, 0.0], equal_nan=True
    )


def test_rank_nan_windows() -> None:
    x = np.arange(20.0)
    x[5] = np.nan
    got = kv.iv_rank_1d_nb(x, 4)
    assert np.isnan(got[5:9]).all()
    assert_allclose(got[9:], 100.0)
    got = kv.iv_percentile_1d_nb(x, 4)
    assert np.isnan(got[5:9]).all()
    assert_allclose(got[9:], 100.0)


# --------------------------------------------------------------------------- 2-D, regimes, moves


def test_two_dim_kernels_loop_over_columns() -> None:
    cols = [_bars(80, s) for s in (6, 7, 8)]
    o, h, lo, c = (np.column_stack([b[i] for b in cols]) for i in range(4))
    for code in range(5):
        got = kv.realized_vol_nb(o, h, lo, c, code, 10, P, True)
        for j in range(3):
            want = kv.realized_vol_1d_nb(o[:, j], h[:, j], lo[:, j], c[:, j], code, 10, P, True)
            assert_array_equal(got[:, j], want)
    assert_array_equal(kv.iv_rank_nb(c, 10)[:, 1], kv.iv_rank_1d_nb(c[:, 1].copy(), 10))
    assert_array_equal(kv.iv_percentile_nb(c, 10)[:, 2], kv.iv_percentile_1d_nb(c[:, 2].copy(), 10))


def test_unknown_estimator_code_gives_nan() -> None:
    c = np.linspace(100.0, 110.0, 10)
    assert np.isnan(kv.realized_vol_1d_nb(c, c, c, c, 99, 3, P, True)).all()


def test_vol_regime_buckets() -> None:
    x = np.array([0.0, 0.119, 0.12, 0.2, 0.29, 0.3, 5.0, np.nan])
    got = kv.vol_regime_1d_nb(x, np.array([0.12, 0.20, 0.30]))
    assert_array_equal(got, [0, 0, 1, 2, 2, 3, 3, -1])
    assert got.dtype == np.int8
    assert kv.VolRegime.EXTREME == 3
    assert kv.VolRegime.UNDEFINED == -1
    assert_array_equal(
        kv.vol_regime_nb(x.reshape(-1, 1), np.array([0.1]))[:, 0], [0, 1, 1, 1, 1, 1, 1, -1]
    )


def test_expected_move_kernels() -> None:
    s = np.array([100.0, 50.0])
    m = kv.one_sigma_from_iv_1d_nb(s, np.array([0.2, 0.4]), np.array([0.25, 1.0]))
    assert_allclose(m, [10.0, 20.0], rtol=1e-15)
    move, lower, upper = kv.expected_move_1d_nb(s, m, 2.0)
    assert_allclose(move, [20.0, 40.0])
    assert_allclose(lower, [80.0, 10.0])
    assert_allclose(upper, [120.0, 90.0])
    assert_allclose(kv.one_sigma_from_straddle_1d_nb(np.array([4.0]), 0.85), [3.4])


def test_kernels_callable_from_njit() -> None:
    @numba.njit
    def caller(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> float:
        return kv.yang_zhang_1d_nb(o, h, lo, c, 5, 252.0)[-1] + kv.iv_rank_1d_nb(c, 5)[-1]

    o, h, lo, c = _bars(30, 9)
    want = kv.yang_zhang_1d_nb(o, h, lo, c, 5, 252.0)[-1] + kv.iv_rank_1d_nb(c, 5)[-1]
    assert caller(o, h, lo, c) == pytest.approx(want, rel=1e-15)
