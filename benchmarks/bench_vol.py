"""Volatility targets: rolling Yang-Zhang >= 3x pandas, rolling IV percentile faster than pandas.

1,000,000 daily bars, window 252. The pandas baselines are what a user would
write (NumPy logs + ``Series.rolling``); IV percentile's baseline is pandas'
``rolling(w).rank(method="min")``, which has the same definition. JIT compile
time is excluded (warm-up call first); outputs are checked against the
baseline before timing. Numbers go to ``benchmarks/results/vol.json``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from benchmarks.conftest import cpu_seconds, record
from fastopt.kernels import vol as kv

N = 1_000_000
WINDOW = 252
TARGET_RATIO_YZ = 3.0
TARGET_RATIO_PERCENTILE = 1.0


@pytest.fixture(scope="module")
def bars() -> dict[str, np.ndarray]:
    """A seeded random walk of OHLC bars with overnight gaps (seed 2024)."""
    rng = np.random.default_rng(2024)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, N)))
    open_ = np.r_[100.0, close[:-1]] * np.exp(rng.normal(0.0, 0.003, N))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, 0.004, N)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, 0.004, N)))
    iv = np.abs(0.2 + 0.05 * np.cumsum(rng.normal(0.0, 0.02, N)) / math.sqrt(N) * 50)
    return {"open": open_, "high": high, "low": low, "close": close, "iv": iv}


def pandas_yang_zhang(o, h, lo, c, w, periods_per_year=252.0):
    """Yang-Zhang the pandas way: NumPy log terms, two rolling variances, one rolling mean."""
    log_o, log_h, log_l, log_c = np.log(o), np.log(h), np.log(lo), np.log(c)
    overnight = pd.Series(log_o - np.r_[np.nan, log_c[:-1]])
    intraday = log_c - log_o
    u = log_h - log_o
    d = log_l - log_o
    rs = pd.Series(u * (u - intraday) + d * (d - intraday))
    k = 0.34 / (1.34 + (w + 1) / (w - 1))
    var = (
        overnight.rolling(w).var()
        + k * pd.Series(intraday).rolling(w).var()
        + (1 - k) * rs.rolling(w).mean()
    )
    return np.sqrt(var * periods_per_year).to_numpy()


def pandas_iv_percentile(iv, w):
    """% of the previous w - 1 values strictly below today, via pandas' rolling rank."""
    return ((pd.Series(iv).rolling(w).rank(method="min") - 1) / (w - 1) * 100).to_numpy()


@pytest.mark.benchmark(group="vol")
def test_yang_zhang_vs_pandas(benchmark, bars):
    o, h, lo, c = bars["open"], bars["high"], bars["low"], bars["close"]

    def kernel():
        return kv.yang_zhang_1d_nb(o, h, lo, c, WINDOW, 252.0)

    got = kernel()  # warm-up (compile) and parity
    np.testing.assert_allclose(
        got, pandas_yang_zhang(o, h, lo, c, WINDOW), rtol=1e-9, equal_nan=True
    )
    t_kernel = cpu_seconds(kernel)
    t_pandas = cpu_seconds(lambda: pandas_yang_zhang(o, h, lo, c, WINDOW), reps=5)
    benchmark.pedantic(kernel, rounds=5, iterations=1, warmup_rounds=1)
    ratio = t_pandas / t_kernel
    record(
        "vol",
        {
            "yang_zhang_1M_w252_kernel_ms": t_kernel * 1e3,
            "yang_zhang_1M_w252_pandas_ms": t_pandas * 1e3,
            "yang_zhang_ratio_vs_pandas": ratio,
        },
    )
    assert ratio >= TARGET_RATIO_YZ, f"Yang-Zhang only {ratio:.2f}x pandas"


@pytest.mark.benchmark(group="vol")
def test_iv_percentile_vs_pandas(benchmark, bars):
    iv = bars["iv"]

    def kernel():
        return kv.iv_percentile_1d_nb(iv, WINDOW)

    got = kernel()
    np.testing.assert_allclose(got, pandas_iv_percentile(iv, WINDOW), rtol=1e-12, equal_nan=True)
    t_kernel = cpu_seconds(kernel)
    t_pandas = cpu_seconds(lambda: pandas_iv_percentile(iv, WINDOW), reps=3)
    t_rank = cpu_seconds(lambda: kv.iv_rank_1d_nb(iv, WINDOW))
    benchmark.pedantic(kernel, rounds=5, iterations=1, warmup_rounds=1)
    ratio = t_pandas / t_kernel
    record(
        "vol",
        {
            "iv_percentile_1M_w252_kernel_ms": t_kernel * 1e3,
            "iv_percentile_1M_w252_pandas_ms": t_pandas * 1e3,
            "iv_percentile_ratio_vs_pandas": ratio,
            "iv_rank_1M_w252_kernel_ms": t_rank * 1e3,
        },
    )
    assert ratio > TARGET_RATIO_PERCENTILE, f"IV percentile only {ratio:.2f}x pandas"
