"""Pricing-core targets: price + Greeks >= 40M options/s per core and >= 3x NumPy/scipy.

Run with ``make bench``. Ratios are measured in the same run; JIT compilation is
excluded (every timed function is called once first). Numbers are written to
``benchmarks/results/pricing.json``.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time

import numba
import numpy as np
import pytest
from scipy.special import ndtr

import fastopt
from benchmarks.conftest import cpu_seconds, record, wall_seconds
from fastopt.kernels import bs

TARGET_PER_CORE = 40e6
TARGET_RATIO_NUMPY = 3.0


def numpy_price_greeks(spot, strike, t, vol, rate, div, is_call):
    """The baseline a user would write: NumPy + scipy.special.ndtr, price + 5 Greeks."""
    w = np.where(is_call, 1.0, -1.0)
    sqt = np.sqrt(t)
    vst = vol * sqt
    d1 = (np.log(spot / strike) + (rate - div + 0.5 * vol * vol) * t) / vst
    d2 = d1 - vst
    dq = np.exp(-div * t)
    dr = np.exp(-rate * t)
    n1 = ndtr(w * d1)
    n2 = ndtr(w * d2)
    pdf = np.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi)
    price = w * (spot * dq * n1 - strike * dr * n2)
    delta = w * dq * n1
    gamma = dq * pdf / (spot * vst)
    vega = spot * dq * pdf * sqt
    theta = (
        -spot * dq * pdf * vol / (2 * sqt) - w * rate * strike * dr * n2 + w * div * spot * dq * n1
    )
    rho = w * strike * t * dr * n2
    return price, delta, gamma, vega, theta, rho


@numba.njit(cache=True, error_model="numpy")
def libm_price_greeks(spot, strike, t, vol, rate, div, is_call, out):
    """A plain Numba loop on libm's log/exp/erfc: what the vectorised kernel replaces."""
    for i in range(spot.shape[0]):
        w = 1.0 if is_call[i] else -1.0
        sqt = math.sqrt(t[i])
        vst = vol[i] * sqt
        d1 = (math.log(spot[i] / strike[i]) + (rate[i] - div[i]) * t[i]) / vst + 0.5 * vst
        d2 = d1 - vst
        dq = math.exp(-div[i] * t[i])
        dr = math.exp(-rate[i] * t[i])
        n1 = 0.5 * math.erfc(-w * d1 / math.sqrt(2.0))
        n2 = 0.5 * math.erfc(-w * d2 / math.sqrt(2.0))
        pdf = math.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi)
        out[0, i] = w * (spot[i] * dq * n1 - strike[i] * dr * n2)
        out[1, i] = w * dq * n1
        out[2, i] = dq * pdf / (spot[i] * vst)
        out[3, i] = spot[i] * dq * pdf * sqt
        out[4, i] = (
            -spot[i] * dq * pdf * vol[i] / (2 * sqt)
            - w * rate[i] * strike[i] * dr * n2
            + w * div[i] * spot[i] * dq * n1
        )
        out[5, i] = w * strike[i] * t[i] * dr * n2


def _args(b):
    return b["spot"], b["strike"], b["t"], b["vol"], b["rate"], b["div"], b["is_call"]


@pytest.mark.benchmark(group="pricing")
def test_price_and_greeks_per_core_and_vs_numpy(benchmark, option_batch):
    args = _args(option_batch)
    n = args[0].shape[0]
    out = bs.empty_greeks(n, np.dtype(np.float64))

    def kernel():
        return bs.greeks_1d_nb(*args, 0, out)

    kernel()
    base = numpy_price_greeks(*args)
    for j in range(6):  # parity with the baseline before timing
        np.testing.assert_allclose(out[j], base[j], rtol=1e-9, atol=1e-10)
    t_kernel = cpu_seconds(kernel)
    t_price = cpu_seconds(lambda: bs.price_1d_nb(*args, 0, out[0]))
    t_numpy = cpu_seconds(lambda: numpy_price_greeks(*args), reps=3)
    libm_out = np.empty((6, n))
    t_libm = cpu_seconds(lambda: libm_price_greeks(*args, libm_out))
    benchmark.pedantic(kernel, rounds=5, iterations=1, warmup_rounds=1)
    per_core = n / t_kernel
    ratio = t_numpy / t_kernel
    record(
        "pricing",
        {
            "greeks_per_core_M_per_s": per_core / 1e6,
            "price_only_per_core_M_per_s": n / t_price / 1e6,
            "numpy_scipy_greeks_M_per_s": n / t_numpy / 1e6,
            "libm_numba_greeks_M_per_s": n / t_libm / 1e6,
            "ratio_vs_numpy": ratio,
            "ratio_vs_libm_numba": t_libm / t_kernel,
            "note": "price + 8 Greeks (5 first-order + vanna, volga, charm) vs baseline price + 5",
        },
    )
    assert per_core >= TARGET_PER_CORE, f"{per_core / 1e6:.1f}M/s per core < 40M/s"
    assert ratio >= TARGET_RATIO_NUMPY, f"only {ratio:.2f}x the NumPy/scipy baseline"


@pytest.mark.benchmark(group="pricing")
def test_parallel_scaling_and_threshold(benchmark, option_batch):
    args = _args(option_batch)
    rows = {}
    for n in (1_000, 10_000, 100_000, 1_000_000):
        a = [x[:n] for x in args]
        out = bs.empty_greeks(n, np.dtype(np.float64))
        t_ser = wall_seconds(lambda a=a, out=out: bs.greeks_1d_nb(*a, 0, out))
        t_par = wall_seconds(lambda a=a, out=out: bs.greeks_1d_par_nb(*a, 0, out))
        rows[str(n)] = {"serial_M_per_s": n / t_ser / 1e6, "parallel_M_per_s": n / t_par / 1e6}
    out = bs.empty_greeks(len(args[0]), np.dtype(np.float64))
    benchmark.pedantic(lambda: bs.greeks_1d_par_nb(*args, 0, out), rounds=5, warmup_rounds=1)
    record(
        "pricing",
        {
            "parallel_scaling_wall": rows,
            "threads": numba.get_num_threads(),
            "parallel_threshold": fastopt.get_parallel_threshold(),
        },
    )
    # results must not depend on the thread count
    ser = bs.greeks_1d_nb(*args, 0, bs.empty_greeks(len(args[0]), np.dtype(np.float64)))
    np.testing.assert_array_equal(ser, out)


@pytest.mark.benchmark(group="cold-start")
def test_cold_start_import_and_first_price_under_1s(benchmark):
    code = (
        "import fastopt; fastopt.bs_price(100.0, 100.0, 1.0, 0.2); "
        "fastopt.bs_greeks(100.0, 100.0, 1.0, 0.2)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # populate the JIT cache
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    best = min(times)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy, numba, polars"], check=True)
    floor = time.perf_counter() - t0
    benchmark.pedantic(lambda: subprocess.run([sys.executable, "-c", code], check=True), rounds=3)
    record("pricing", {"cold_start_s": best, "import_numpy_numba_polars_s": floor})
    assert best < 1.0, f"cold start {best:.2f}s"
