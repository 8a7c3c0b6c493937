"""Path simulators: shapes, reproducibility, thread independence, bad input."""

from __future__ import annotations

import numba
import numpy as np
import pytest

import fastopt

HESTON = {"v0": 0.04, "kappa": 2.0, "theta": 0.04, "vol_of_vol": 0.3, "rho": -0.6}
JUMPS = {"jump_intensity": 0.8, "jump_mean": -0.05, "jump_vol": 0.1}
CORR = [[1.0, 0.3], [0.3, 1.0]]


def _all(n_paths, seed, antithetic=False, threads_threshold=None):
    return [
        fastopt.simulate_gbm(
            100.0, 1.0, 0.2, 0.03, n_paths=n_paths, n_steps=5, seed=seed, antithetic=antithetic
        ).spot,
        fastopt.simulate_merton(
            100.0,
            1.0,
            0.2,
            0.03,
            n_paths=n_paths,
            n_steps=5,
            seed=seed,
            antithetic=antithetic,
            **JUMPS,
        ).spot,
        fastopt.simulate_heston(
            100.0, 1.0, 0.03, n_paths=n_paths, n_steps=5, seed=seed, antithetic=antithetic, **HESTON
        ).variance,
        fastopt.simulate_correlated_gbm(
            [100.0, 50.0],
            1.0,
            [0.2, 0.3],
            CORR,
            n_paths=n_paths,
            n_steps=5,
            seed=seed,
            antithetic=antithetic,
        ).spot,
    ]


@pytest.mark.parametrize("antithetic", [False, True])
def test_same_seed_same_paths_and_more_paths_extend_them(antithetic):
    a = _all(8, 123, antithetic)
    b = _all(8, 123, antithetic)
    c = _all(16, 123, antithetic)
    d = _all(8, 124, antithetic)
    for x, y, z, w in zip(a, b, c, d, strict=True):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z[:, :8])
        assert not np.array_equal(x, w)


def test_bit_identical_with_one_and_two_threads():
    threshold = fastopt.get_parallel_threshold()
    try:
        fastopt.set_parallel_threshold(1)
        fastopt.set_num_threads(1)
        one = _all(600, 9)
        fastopt.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = _all(600, 9)
    finally:
        fastopt.set_parallel_threshold(threshold)
        fastopt.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for x, y in zip(one, two, strict=True):
        np.testing.assert_array_equal(x, y)


def test_antithetic_pairs_mirror_each_other():
    p = fastopt.simulate_gbm(100.0, 1.0, 0.2, 0.03, n_paths=6, n_steps=4, antithetic=True, seed=1)
    log_a = np.log(p.spot[1:, 0::2] / 100.0)
    log_b = np.log(p.spot[1:, 1::2] / 100.0)
    drift = (0.03 - 0.5 * 0.04) * p.times[1:, None]
    np.testing.assert_allclose(log_a + log_b, np.broadcast_to(2 * drift, log_a.shape), atol=1e-12)


def test_grid_shapes_dtype_and_initial_values():
    p = fastopt.simulate_gbm(
        100.0, 2.0, 0.2, times=[0.5, 1.0, 2.0], n_paths=3, seed=0, dtype=np.float32
    )
    assert p.spot.shape == (4, 3)
    assert p.spot.dtype == np.float32
    np.testing.assert_array_equal(p.times, [0.0, 0.5, 1.0, 2.0])
    assert np.all(p.spot[0] == 100.0)
    h = fastopt.simulate_heston(50.0, 1.0, n_paths=2, n_steps=3, seed=0, **HESTON)
    assert h.variance is not None
    assert np.all(h.variance[0] == 0.04)
    assert np.all(h.variance >= 0.0)
    c = fastopt.simulate_correlated_gbm([1.0, 2.0, 3.0], 1.0, 0.2, np.eye(3), n_paths=2, seed=0)
    assert c.spot.shape == (2, 2, 3)


def test_zero_vol_is_deterministic_growth():
    p = fastopt.simulate_gbm(100.0, 1.0, 0.0, 0.05, 0.01, n_paths=2, n_steps=4, seed=0)
    np.testing.assert_allclose(p.spot[:, 0], 100.0 * np.exp(0.04 * p.times), rtol=1e-14)


def test_singular_correlation_is_accepted():
    corr = [[1.0, 1.0], [1.0, 1.0]]
    p = fastopt.simulate_correlated_gbm([100.0, 100.0], 1.0, [0.2, 0.2], corr, n_paths=4, seed=2)
    np.testing.assert_allclose(p.spot[:, :, 0], p.spot[:, :, 1], rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"spot": -1.0}, ValueError, r"`spot` must be > 0"),
        ({"vol": -0.2}, ValueError, r"`vol` must be >= 0"),
        ({"t": 0.0}, ValueError, r"`t` must be > 0"),
        ({"n_paths": 0}, ValueError, r"`n_paths` must be >= 1"),
        ({"n_paths": 3, "antithetic": True}, ValueError, r"must be even with antithetic"),
        ({"n_steps": 0}, ValueError, r"`n_steps` must be >= 1"),
        ({"n_steps": 2.5}, TypeError, r"`n_steps` must be an integer"),
        ({"times": [0.5, 0.4, 1.0]}, ValueError, r"strictly increasing"),
        ({"times": [0.5, 0.9]}, ValueError, r"must end at `t`"),
        ({"times": [0.5, 1.0], "n_steps": 2}, ValueError, r"either `n_steps` or `times`"),
        ({"seed": "x"}, TypeError, r"`seed` must be an int"),
        ({"seed": -3}, ValueError, r"non-negative"),
        ({"dtype": np.int32}, ValueError, r"`dtype` must be float32 or float64"),
    ],
)
def test_bad_gbm_input(kwargs, error, match):
    args = {"spot": 100.0, "t": 1.0, "vol": 0.2, "n_paths": 4, **kwargs}
    with pytest.raises(error, match=match):
        fastopt.simulate_gbm(args.pop("spot"), args.pop("t"), args.pop("vol"), **args)


def test_memory_request_that_cannot_fit_is_refused_before_allocating():
    with pytest.raises(MemoryError, match=r"needs .* GiB but only"):
        fastopt.simulate_gbm(100.0, 1.0, 0.2, n_paths=10**9, n_steps=10**4, seed=0)


@pytest.mark.parametrize(
    ("corr", "match"),
    [
        ([[1.0, 0.5], [0.4, 1.0]], "symmetric"),
        ([[1.0, 1.5], [1.5, 1.0]], "unit diagonal and entries in"),
        ([[2.0, 0.0], [0.0, 1.0]], "unit diagonal"),
        ([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]], "positive semi-definite"),
        ([[1.0]], r"shape \(2, 2\)"),
        ([[1.0, np.nan], [np.nan, 1.0]], "finite"),
    ],
)
def test_bad_correlation_matrices(corr, match):
    spot = [100.0, 100.0, 100.0] if len(corr) == 3 else [100.0, 100.0]
    with pytest.raises(ValueError, match=match):
        fastopt.simulate_correlated_gbm(spot, 1.0, 0.2, corr, n_paths=2, seed=0)


def test_bad_correlated_spot_and_vol():
    with pytest.raises(ValueError, match="`spot` must be a 1-D array"):
        fastopt.simulate_correlated_gbm([100.0, -1.0], 1.0, 0.2, CORR, n_paths=2)
    with pytest.raises(ValueError, match="`vol` must be finite"):
        fastopt.simulate_correlated_gbm([100.0, 1.0], 1.0, [0.2, -0.2], CORR, n_paths=2)


def test_heston_parameter_checks_and_feller_warning():
    with pytest.raises(ValueError, match=r"`rho` must be in \[-1, 1\]"):
        fastopt.simulate_heston(100.0, 1.0, n_paths=2, **{**HESTON, "rho": -1.5})
    with pytest.raises(ValueError, match="`kappa` must be > 0"):
        fastopt.simulate_heston(100.0, 1.0, n_paths=2, **{**HESTON, "kappa": 0.0})
    with pytest.warns(fastopt.FellerWarning, match="Feller"):
        p = fastopt.simulate_heston(
            100.0, 1.0, n_paths=4, n_steps=8, seed=1, **{**HESTON, "vol_of_vol": 1.5}
        )
    assert np.all(p.variance >= 0.0)


def test_bad_merton_parameters():
    with pytest.raises(ValueError, match="`jump_intensity` must be >= 0"):
        fastopt.simulate_merton(100.0, 1.0, 0.2, n_paths=2, **{**JUMPS, "jump_intensity": -1.0})
    with pytest.raises(ValueError, match="`jump_vol` must be >= 0"):
        fastopt.simulate_merton(100.0, 1.0, 0.2, n_paths=2, **{**JUMPS, "jump_vol": -0.1})
