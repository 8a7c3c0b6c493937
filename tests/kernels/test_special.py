"""Vectorisable special functions against mpmath (40 digits)."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from fastopt.kernels import _special as sp

mp.mp.dps = 40
EPS = 2.220446049250313e-16
RNG = np.random.default_rng(20261128)


def _rel(got, ref):
    return abs(got - ref) / abs(ref)


@pytest.mark.parametrize("x", [*RNG.uniform(-740.0, 709.0, 300), -1e-300, 0.0, 1e-10, 0.5, 700.0])
def test_fast_exp_matches_mpmath(x):
    ref = float(mp.exp(mp.mpf(float(x))))
    assert _rel(sp.fast_exp(float(x)), ref) <= 2 * EPS


@pytest.mark.parametrize("x", [*np.exp(RNG.uniform(-700.0, 700.0, 300)), 1.0, 2.0, 0.5, 1e-300])
def test_fast_log_matches_mpmath(x):
    ref = float(mp.log(mp.mpf(float(x))))
    got = sp.fast_log(float(x))
    assert abs(got - ref) <= 2 * EPS * max(abs(ref), 1e-300)


@pytest.mark.parametrize("x", [*RNG.uniform(-37.0, 9.0, 400), -0.46875 * 2**0.5, 4 * 2**0.5, 0.0])
def test_norm_cdf_relative_accuracy_whole_line(x):
    ref = float(mp.ncdf(mp.mpf(float(x))))
    assert _rel(sp.norm_cdf(float(x)), ref) <= 8 * EPS


@pytest.mark.parametrize("y", [*RNG.uniform(0.0, 30.0, 200), 0.0, 0.46875, 4.0, 1e3])
def test_erfcx_matches_mpmath(y):
    ref = float(mp.exp(mp.mpf(float(y)) ** 2) * mp.erfc(mp.mpf(float(y))))
    assert _rel(sp.erfcx(float(y)), ref) <= 8 * EPS


def test_norm_pdf_tail_accuracy():
    for x in (-37.0, -20.0, 5.0, 30.0):
        ref = float(mp.npdf(mp.mpf(x)))
        assert _rel(sp.norm_pdf(x), ref) <= 4 * EPS


def test_special_values():
    assert sp.fast_exp(-800.0) == 0.0
    assert sp.fast_exp(800.0) == math.inf
    assert math.isnan(sp.fast_exp(math.nan))
    assert sp.fast_exp(-744.0) == math.exp(-744.0)  # subnormal result kept
    assert sp.fast_log(0.0) == -math.inf
    assert math.isnan(sp.fast_log(-1.0))
    assert sp.fast_log(math.inf) == math.inf
    assert math.isnan(sp.fast_log(math.nan))
    assert sp.norm_cdf(-40.0) == 0.0
    assert sp.norm_cdf(40.0) == 1.0
    assert math.isnan(sp.norm_cdf(math.nan))
    assert sp.blend(True, 1.5, 2.5) == 1.5
    assert sp.blend(False, 1.5, 2.5) == 2.5
