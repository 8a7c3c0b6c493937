"""The counter-based generator: exact SplitMix64 outputs, uniform range, normal quality."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from fastopt.kernels import rng

JIT = not numba.config.DISABLE_JIT


def _splitmix64(key: int, index: int) -> int:
    mask = (1 << 64) - 1
    z = (key + (index + 1) * 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


@pytest.mark.parametrize("key", [0, 1, 2**63 + 12345, 2**64 - 1])
@pytest.mark.parametrize("index", [0, 1, 7, 10**12])
def test_mix64_is_splitmix64(key, index):
    assert int(rng.mix64(np.uint64(key), np.uint64(index))) == _splitmix64(key, index)


def test_splitmix64_reference_vector():
    # first outputs of SplitMix64 seeded with 0 (the reference sequence of Vigna's splitmix64.c)
    assert _splitmix64(0, 0) == 0xE220A8397B1DCDAF
    assert _splitmix64(0, 1) == 0x6E789E6AA1B965F4


@numba.njit
def _normals(key, n):  # pragma: no cover - compiled
    out = np.empty(2 * n)
    for j in range(n):
        a, b = rng.normal_pair_at(key, np.uint64(j))
        out[2 * j] = a
        out[2 * j + 1] = b
    return out


@numba.njit
def _uniforms(key, n):  # pragma: no cover - compiled
    out = np.empty(n)
    for j in range(n):
        out[j] = rng.uniform_at(key, np.uint64(j))
    return out


@pytest.mark.skipif(not JIT, reason="statistical sample too large without the JIT")
@pytest.mark.parametrize("key", [1, 99, 2**40 + 7])
def test_normals_pass_ks_and_moments(key):
    z = _normals(np.uint64(key), 500_000)
    assert stats.kstest(z, "norm").pvalue > 0.001
    n = z.size
    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.var() - 1.0) < 4 * np.sqrt(2 / n)
    assert abs(stats.kurtosis(z)) < 4 * np.sqrt(24 / n)
    assert abs(np.corrcoef(z[:-1], z[1:])[0, 1]) < 4 / np.sqrt(n)


@pytest.mark.skipif(not JIT, reason="statistical sample too large without the JIT")
def test_uniforms_open_interval_and_chi_square():
    u = _uniforms(np.uint64(5), 1_000_000)
    assert u.min() > 0.0
    assert u.max() < 1.0
    counts = np.histogram(u, bins=100, range=(0, 1))[0]
    assert stats.chisquare(counts).pvalue > 0.001


def test_inverse_cdf_normal_matches_box_muller_distribution_edges():
    for u in (1e-300, 1e-17, 0.02, 0.5, 0.98, 1 - 1e-16):
        z = float(rng.norm_ppf(u))
        assert stats.norm.cdf(z) == pytest.approx(u, rel=1e-12, abs=1e-300)
    assert np.isfinite(rng.normal_at(np.uint64(3), np.uint64(0)))
