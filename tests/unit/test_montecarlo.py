"""mc_price / mc_greeks: every payoff and model runs, reproducibility, bad input."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

import fastopt

S, K, T, R, VOL = 100.0, 100.0, 1.0, 0.05, 0.2
HESTON = {"v0": 0.04, "kappa": 2.0, "theta": 0.04, "vol_of_vol": 0.3, "rho": -0.6}
JUMPS = {"jump_intensity": 0.8, "jump_mean": -0.05, "jump_vol": 0.1}
PAYOFFS = [
    ("european", {}),
    ("digital", {"cash": 3.0}),
    ("asian_arithmetic", {}),
    ("asian_geometric", {}),
    ("lookback_fixed", {}),
    ("lookback_floating", {}),
    ("barrier", {"barrier": 120.0, "barrier_type": "up_out"}),
    ("barrier", {"barrier": 120.0, "barrier_type": "up_in"}),
    ("barrier", {"barrier": 85.0, "barrier_type": "down_out", "monitoring": "discrete"}),
    ("barrier", {"barrier": 85.0, "barrier_type": "down_in"}),
]
N = 64 if numba.config.DISABLE_JIT else 4_000


@pytest.mark.parametrize("model", ["gbm", "merton", "heston"])
@pytest.mark.parametrize(("payoff", "extra"), PAYOFFS)
@pytest.mark.parametrize("kind", ["call", "put"])
def test_every_payoff_and_model_prices_reproducibly(model, payoff, extra, kind):
    params = {"gbm": {}, "merton": JUMPS, "heston": HESTON}[model]
    vol = None if model == "heston" else VOL
    kw = {
        "payoff": payoff,
        "model": model,
        "n_paths": N,
        "n_steps": 6,
        "seed": 5,
        **params,
        **extra,
    }
    a = fastopt.mc_price(S, K, T, vol, R, 0.01, kind, **kw)
    b = fastopt.mc_price(S, K, T, vol, R, 0.01, kind, **kw)
    assert a == b
    assert a.price >= 0.0
    assert a.stderr > 0.0 or a.price == 0.0
    assert a.ci_low <= a.price <= a.ci_high
    assert a.n_paths == N
    assert a.n_samples == N // 2


def test_lookbacks_dominate_the_european():
    kw = {"n_paths": N, "n_steps": 8, "seed": 3, "antithetic": False}
    euro = fastopt.mc_price(S, K, T, VOL, R, **kw)
    fixed = fastopt.mc_price(S, K, T, VOL, R, payoff="lookback_fixed", **kw)
    assert fixed.price >= euro.price  # max over the grid >= terminal value, path by path


def test_controls_run_and_report_beta():
    spot_cv = fastopt.mc_price(S, K, T, VOL, R, n_paths=N, control="terminal_spot", seed=1)
    assert spot_cv.control == "terminal_spot"
    assert spot_cv.control_beta is not None
    assert spot_cv.variance_reduction > 1.0
    bar = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="barrier",
        barrier=130.0,
        barrier_type="up_out",
        n_steps=5,
        n_paths=N,
        control="bs_vanilla",
        seed=1,
    )
    assert bar.control_beta is not None
    asian = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="asian_arithmetic",
        n_steps=4,
        n_paths=N,
        control="geometric_asian",
        seed=1,
    )
    assert asian.variance_reduction > 10.0


def test_rqmc_runs_with_t_interval():
    res = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="asian_geometric",
        n_steps=5,
        n_paths=128,
        method="rqmc",
        n_randomizations=4,
        seed=2,
    )
    assert res.method == "rqmc"
    assert res.n_samples == 4
    assert res.ci_low < res.price < res.ci_high
    ctrl = fastopt.mc_price(
        S,
        K,
        T,
        VOL,
        R,
        payoff="asian_arithmetic",
        n_steps=4,
        n_paths=64,
        method="rqmc",
        n_randomizations=4,
        control="geometric_asian",
        seed=2,
    )
    assert math.isfinite(ctrl.price)


def test_greeks_methods_and_models():
    g = fastopt.mc_greeks(S, K, T, VOL, R, n_paths=N, seed=1)
    assert (g.delta.method, g.vega.method, g.gamma.method) == (
        "pathwise",
        "pathwise",
        "likelihood_ratio_pathwise",
    )
    a = fastopt.mc_greeks(S, K, T, VOL, R, payoff="asian_geometric", n_steps=3, n_paths=N, seed=1)
    assert a.gamma.method == "finite_difference_crn"
    h = fastopt.mc_greeks(S, K, T, None, R, model="heston", n_steps=3, n_paths=N, seed=1, **HESTON)
    assert h.vega.method == "finite_difference_crn"
    assert 0.0 < h.delta.value < 1.0
    m = fastopt.mc_greeks(S, K, T, VOL, R, model="merton", n_paths=N, seed=1, **JUMPS)
    assert 0.0 < m.delta.value < 1.0
    b = fastopt.mc_greeks(S, K, T, VOL, R, payoff="digital", n_paths=N, seed=1)
    assert b.delta.method == "finite_difference_crn"


def test_same_price_with_one_and_two_threads():
    threshold = fastopt.get_parallel_threshold()
    try:
        fastopt.set_parallel_threshold(1)
        fastopt.set_num_threads(1)
        one = fastopt.mc_price(
            S, K, T, VOL, R, payoff="asian_arithmetic", n_steps=4, n_paths=512, seed=3
        )
        fastopt.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = fastopt.mc_price(
            S, K, T, VOL, R, payoff="asian_arithmetic", n_steps=4, n_paths=512, seed=3
        )
    finally:
        fastopt.set_parallel_threshold(threshold)
        fastopt.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert one == two


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_paths": 1}, ValueError, r"`n_paths` must be >= 2"),
        ({"n_paths": 101}, ValueError, r"must be even with antithetic"),
        ({"n_steps": 0}, ValueError, r"`n_steps` must be >= 1"),
        ({"vol": 0.0}, ValueError, r"`vol` must be > 0"),
        ({"spot": 0.0}, ValueError, r"`spot` must be > 0"),
        ({"payoff": "rainbow"}, ValueError, r"`payoff` must be one of"),
        ({"model": "sabr"}, ValueError, r"`model` must be one of"),
        ({"control": "magic"}, ValueError, r"`control` must be one of"),
        ({"method": "lhs"}, ValueError, r"`method` must be one of"),
        ({"confidence": 1.5}, ValueError, r"`confidence` must be in \(0, 1\)"),
        ({"kind": ["call", "put"]}, ValueError, r"single 'call' or 'put'"),
        ({"payoff": "barrier"}, ValueError, r"needs `barrier`"),
        (
            {"payoff": "barrier", "barrier": 120.0, "barrier_type": "sideways"},
            ValueError,
            r"`barrier_type` must be one of",
        ),
        ({"model": "merton"}, ValueError, r"model='merton' needs `jump_intensity`"),
        ({"model": "heston", "v0": 0.04}, ValueError, r"model='heston' needs `kappa`"),
        ({"jump_intensity": 1.0}, ValueError, r"do not apply to model='gbm'"),
        ({"model": "merton", "control": "bs_vanilla", **JUMPS}, ValueError, r"known mean only"),
        ({"control": "geometric_asian"}, ValueError, r"is for payoff='asian_arithmetic'"),
        ({"method": "rqmc", "n_paths": 1000}, ValueError, r"power of 2"),
        (
            {"method": "rqmc", "n_paths": 64, "model": "merton", **JUMPS},
            ValueError,
            r"implemented for model='gbm'",
        ),
        ({"times": [0.2, 0.1, 1.0]}, ValueError, "strictly increasing"),
        ({"monitoring": "daily"}, ValueError, r"`monitoring` must be one of"),
    ],
)
def test_mc_price_bad_input(kwargs, error, match):
    args = {"spot": S, "strike": K, "t": T, "vol": VOL, "n_paths": 100, **kwargs}
    with pytest.raises(error, match=match):
        fastopt.mc_price(
            args.pop("spot"), args.pop("strike"), args.pop("t"), args.pop("vol"), **args
        )


def test_mc_greeks_bad_input():
    with pytest.raises(ValueError, match="method='pathwise' needs"):
        fastopt.mc_greeks(S, K, T, VOL, payoff="digital", method="pathwise", n_paths=100)
    with pytest.raises(TypeError, match="unexpected keyword argument `jump`"):
        fastopt.mc_greeks(S, K, T, VOL, jump=1.0, n_paths=100)
    with pytest.raises(ValueError, match="`bump` must be > 0"):
        fastopt.mc_greeks(S, K, T, VOL, bump=0.0, n_paths=100)
    with pytest.raises(ValueError, match="must be even"):
        fastopt.mc_greeks(S, K, T, VOL, n_paths=101)


def test_geometric_control_needs_equal_steps():
    with pytest.raises(ValueError, match="equally spaced grid"):
        fastopt.mc_price(
            S,
            K,
            T,
            VOL,
            payoff="asian_arithmetic",
            times=[0.1, 0.5, 1.0],
            control="geometric_asian",
            n_paths=100,
        )


def test_explicit_time_grid_matches_n_steps_grid():
    a = fastopt.mc_price(S, K, T, VOL, R, payoff="asian_geometric", n_steps=4, n_paths=200, seed=1)
    b = fastopt.mc_price(
        S, K, T, VOL, R, payoff="asian_geometric", times=np.arange(1, 5) / 4, n_paths=200, seed=1
    )
    assert a.price == pytest.approx(b.price, rel=1e-13)
