"""Monte Carlo prices with error bars, and Monte Carlo Greeks.

Every estimate comes with its standard error and a confidence interval. The
kernels (:mod:`fastopt.kernels.mc`) return per-sample discounted payoffs (and
controls, and pathwise derivatives); this module averages them, applies the
control-variate regression and builds the intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from fastopt._random import stream_key
from fastopt._validate import check_choice, check_int, check_memory, parse_kind, scalar_float
from fastopt._validate import time_grid as _time_grid
from fastopt.kernels import mc as _mc
from fastopt.kernels._special import norm_ppf
from fastopt.kernels.enums import Barrier, Control, Payoff, PayoffSpec
from fastopt.parallel import use_parallel
from fastopt.pricing import bs_price
from fastopt.simulation import _merton_params, heston_params, merton_drift

__all__ = ["GreekEstimate", "MCGreeks", "MCResult", "mc_greeks", "mc_price"]

BLOCK = 64  # samples per parallel task
PayoffName = Literal[
    "european", "digital", "asian_arithmetic", "asian_geometric",
    "lookback_fixed", "lookback_floating", "barrier",
]  # fmt: skip
ModelName = Literal["gbm", "merton", "heston"]
ControlName = Literal["terminal_spot", "bs_vanilla", "geometric_asian"]
BarrierName = Literal["up_out", "up_in", "down_out", "down_in"]

_PAYOFFS = {
    "european": Payoff.EUROPEAN,
    "digital": Payoff.DIGITAL,
    "asian_arithmetic": Payoff.ASIAN_ARITHMETIC,
    "asian_geometric": Payoff.ASIAN_GEOMETRIC,
    "lookback_fixed": Payoff.LOOKBACK_FIXED,
    "lookback_floating": Payoff.LOOKBACK_FLOATING,
    "barrier": Payoff.BARRIER,
}
_CONTROLS = {
    "terminal_spot": Control.TERMINAL_SPOT,
    "bs_vanilla": Control.BS_VANILLA,
    "geometric_asian": Control.GEOMETRIC_ASIAN,
}
_BARRIERS = {
    "up_out": Barrier.UP_OUT,
    "up_in": Barrier.UP_IN,
    "down_out": Barrier.DOWN_OUT,
    "down_in": Barrier.DOWN_IN,
}


@dataclass(frozen=True, slots=True)
class MCResult:
    """A Monte Carlo price with its error bars.

    Attributes
    ----------
    price, stderr : float
        The estimate and its standard error.
    ci_low, ci_high : float
        Confidence interval at level ``confidence`` (normal quantiles for
        pseudo-random sampling; Student t over the randomisations for RQMC).
    confidence : float
    n_paths : int
        Paths simulated (antithetic pairs count twice).
    n_samples : int
        Independent samples behind ``stderr`` (pairs with antithetic; the
        number of randomisations with RQMC).
    method : {"pseudo", "rqmc"}
    antithetic : bool
    control : str or None
        The control variate used.
    control_beta : float or None
        Its estimated regression coefficient.
    variance_reduction : float
        Variance of the plain estimator divided by the variance of the one
        used, per sample (1.0 without a control; for antithetic pairs it is
        measured against the pair's plain variance, so multiply by the pair
        gain for the total).
    """

    price: float
    stderr: float
    ci_low: float
    ci_high: float
    confidence: float
    n_paths: int
    n_samples: int
    method: str
    antithetic: bool
    control: str | None
    control_beta: float | None
    variance_reduction: float


@dataclass(frozen=True, slots=True)
class GreekEstimate:
    """One Monte Carlo Greek: value, standard error and how it was estimated."""

    value: float
    stderr: float
    method: str


@dataclass(frozen=True, slots=True)
class MCGreeks:
    """Monte Carlo price and Greeks (per unit, as :class:`fastopt.Greeks`)."""

    price: MCResult
    delta: GreekEstimate
    gamma: GreekEstimate
    vega: GreekEstimate


@dataclass(frozen=True, slots=True)
class _Problem:
    """Validated inputs of one pricing problem."""

    spot: float
    strike: float
    t: float
    vol: float
    rate: float
    div: float
    w: float
    payoff: str
    model: str
    times: npt.NDArray[np.float64]
    dt: npt.NDArray[np.float64]
    spec: PayoffSpec
    control_mean: float
    merton: tuple[float, float, float]
    heston: tuple[float, float, float, float, float]


def _geometric_asian_closed_form(p: _Problem) -> float:
    """Discrete geometric-Asian price (fixings at the grid times): the control's mean."""
    from fastopt.closed_forms import geometric_asian_price

    if not np.allclose(p.dt, p.dt[0], rtol=1e-12, atol=0.0):
        msg = "control='geometric_asian' needs an equally spaced grid (use n_steps)"
        raise ValueError(msg)
    return float(
        geometric_asian_price(
            p.spot, p.strike, p.t, p.vol, p.rate, p.div,
            "call" if p.w > 0 else "put", n_fixings=p.times.size,
        )
    )  # fmt: skip


def _problem(
    spot: object, strike: object, t: object, vol: object, rate: object, div: object,
    kind: object, payoff: str, model: str, n_steps: int | None, times: object,
    control: str | None, barrier: float | None, barrier_type: str | None,
    monitoring: str, cash: float, model_params: dict[str, Any],
) -> _Problem:  # fmt: skip
    s0 = scalar_float(spot, "spot", minimum=0.0, strict=True)
    k = scalar_float(strike, "strike", minimum=0.0)
    t_f = scalar_float(t, "t", minimum=0.0, strict=True)
    r = scalar_float(rate, "rate")
    q = scalar_float(div, "div")
    is_call = parse_kind(kind)
    if is_call.ndim != 0:
        msg = f"`kind` must be a single 'call' or 'put' here, got {kind!r:.60}"
        raise ValueError(msg)
    w = 1.0 if bool(is_call) else -1.0
    check_choice(payoff, "payoff", tuple(_PAYOFFS))
    check_choice(model, "model", ("gbm", "merton", "heston"))
    path_dependent = payoff not in ("european", "digital")
    if n_steps is None and times is None:
        n_steps = 252 if (path_dependent or model == "heston") else 1
    grid, dt = _time_grid(t_f, n_steps, times)
    merton = (0.0, 0.0, 0.0)
    heston = (0.0, 1.0, 1.0, 1.0, 0.0)
    if model == "heston":
        heston = heston_params(
            model_params.get("v0", _required(model_params, "v0", model)),
            _required(model_params, "kappa", model),
            _required(model_params, "theta", model),
            _required(model_params, "vol_of_vol", model),
            _required(model_params, "rho", model),
        )
        v = math.sqrt(heston[0])
    else:
        v = scalar_float(vol, "vol", minimum=0.0, strict=True)
    if model == "merton":
        merton = _merton_params(
            _required(model_params, "jump_intensity", model),
            _required(model_params, "jump_mean", model),
            _required(model_params, "jump_vol", model),
        )
    extra = [k_ for k_, val in model_params.items() if val is not None]
    allowed = {"gbm": (), "merton": ("jump_intensity", "jump_mean", "jump_vol")}.get(
        model, ("v0", "kappa", "theta", "vol_of_vol", "rho")
    )
    unexpected = [k_ for k_ in extra if k_ not in allowed]
    if unexpected:
        msg = f"parameters {unexpected} do not apply to model={model!r}"
        raise ValueError(msg)
    barrier_log = 0.0
    barrier_code = 0
    if payoff == "barrier":
        if barrier is None or barrier_type is None:
            msg = "payoff='barrier' needs `barrier` (a level > 0) and `barrier_type`"
            raise ValueError(msg)
        b = scalar_float(barrier, "barrier", minimum=0.0, strict=True)
        barrier_code = _BARRIERS[check_choice(barrier_type, "barrier_type", tuple(_BARRIERS))]
        barrier_log = math.log(b / s0)
    check_choice(monitoring, "monitoring", ("continuous", "discrete"))
    control_code = Control.NONE
    if control is not None:
        control_code = _CONTROLS[check_choice(control, "control", tuple(_CONTROLS))]
        if control in ("bs_vanilla", "geometric_asian") and model != "gbm":
            msg = f"control={control!r} has a known mean only under model='gbm'"
            raise ValueError(msg)
        if control == "geometric_asian" and payoff != "asian_arithmetic":
            msg = "control='geometric_asian' is for payoff='asian_arithmetic'"
            raise ValueError(msg)
    # a BS-vanilla control at the payoff's own strike would be the payoff itself for
    # European options: there it is struck 10 % out of the money instead
    control_strike = k * (1.0 + 0.1 * w) if payoff == "european" else k
    spec = PayoffSpec(
        _PAYOFFS[payoff], w, k, scalar_float(cash, "cash"), barrier_log, barrier_code,
        monitoring == "continuous", control_code, control_strike,
    )  # fmt: skip
    p = _Problem(s0, k, t_f, v, r, q, w, payoff, model, grid, dt, spec, 0.0, merton, heston)
    mean = 0.0
    if control == "terminal_spot":
        mean = s0 * math.exp(-q * t_f)
    elif control == "bs_vanilla":
        mean = float(bs_price(s0, control_strike, t_f, v, r, q, "call" if w > 0 else "put"))
    elif control == "geometric_asian":
        mean = _geometric_asian_closed_form(p)
    return _Problem(s0, k, t_f, v, r, q, w, payoff, model, grid, dt, spec, mean, merton, heston)


def _required(params: dict[str, Any], name: str, model: str) -> Any:
    value = params.get(name)
    if value is None:
        msg = f"model={model!r} needs `{name}`"
        raise ValueError(msg)
    return value


def _samples(p: _Problem, n_samples: int, key: np.uint64, *, antithetic: bool, greeks: bool) -> Any:
    """Run the model's kernel: per-sample rows (N_OUT, n_samples)."""
    check_memory(_mc.N_OUT * n_samples * 8, f"{n_samples:,} Monte Carlo samples")
    out = np.empty((_mc.N_OUT, n_samples))  # every kernel writes every row
    par = use_parallel(n_samples * p.times.size)
    disc = math.exp(-p.rate * p.t)
    one_step = p.times.size == 1 and p.payoff in ("european", "digital") and not greeks
    if p.model == "gbm" and one_step:
        kernel = _mc.mc_gbm_one_step_par_nb if par else _mc.mc_gbm_one_step_nb
        drift1 = (p.rate - p.div - 0.5 * p.vol**2) * p.t
        kernel(key, p.spot, drift1, p.vol * math.sqrt(p.t), disc, p.spec, antithetic, 4096, out)
    elif p.model == "gbm":
        kernel = _mc.mc_gbm_par_nb if par else _mc.mc_gbm_nb
        drift = (p.rate - p.div - 0.5 * p.vol**2) * p.dt
        kernel(
            key, p.spot, drift, p.vol * np.sqrt(p.dt), p.times, p.rate - p.div, p.vol, disc,
            p.spec, antithetic, greeks, BLOCK, out,
        )  # fmt: skip
    elif p.model == "merton":
        lam, mu_j, sd_j = p.merton
        kernel = _mc.mc_merton_par_nb if par else _mc.mc_merton_nb
        drift = merton_drift(p.rate, p.div, p.vol, lam, mu_j, sd_j, p.dt)
        kernel(
            key, p.spot, drift, p.vol * np.sqrt(p.dt), p.dt, lam, mu_j, sd_j, disc, p.spec,
            antithetic, BLOCK, out,
        )  # fmt: skip
    else:
        v0, kappa, theta, xi, rho = p.heston
        kernel = _mc.mc_heston_par_nb if par else _mc.mc_heston_nb
        kernel(
            key, p.spot, p.dt, (p.rate - p.div) * p.dt, v0, kappa, theta, xi, rho, disc,
            p.spec, antithetic, BLOCK, out,
        )  # fmt: skip
    return out


def _estimate(y: Any, c: Any | None, mean_c: float) -> tuple[float, float, float | None, float]:
    """Sample mean and standard error, with an optimal-coefficient control variate."""
    n = y.shape[0]
    if c is None:
        return float(np.mean(y)), float(np.std(y, ddof=1) / math.sqrt(n)), None, 1.0
    cov = np.cov(y, c, ddof=1)
    beta = float(cov[0, 1] / cov[1, 1]) if cov[1, 1] > 0 else 0.0
    adj = y - beta * (c - mean_c)
    var_adj = float(np.var(adj, ddof=1))
    vrf = float(cov[0, 0] / var_adj) if var_adj > 0 else math.inf
    return float(np.mean(adj)), math.sqrt(var_adj / n), beta, vrf


def _interval(price: float, se: float, confidence: float, dof: int | None) -> tuple[float, float]:
    """Normal (pseudo-random) or Student-t (RQMC randomisations) confidence interval."""
    if dof is None:
        q = float(norm_ppf(0.5 + confidence / 2))
    else:
        from scipy import stats  # lazy: scipy.stats takes ~0.4 s to import

        q = float(stats.t.ppf(0.5 + confidence / 2, dof))
    return price - q * se, price + q * se


def _rqmc(p: _Problem, n_paths: int, n_randomizations: int, seed: Any) -> list[tuple[Any, Any]]:
    """Per-randomisation (payoffs, controls) from scrambled Sobol points and a Brownian bridge."""
    if p.model != "gbm":
        msg = "method='rqmc' is implemented for model='gbm'"
        raise ValueError(msg)
    per = n_paths // n_randomizations
    if per * n_randomizations != n_paths or per < 2 or per & (per - 1):
        nearest = 2 ** max(1, round(math.log2(max(n_paths / n_randomizations, 2))))
        msg = (
            f"with method='rqmc', `n_paths` / `n_randomizations` must be a power of 2 "
            f"(Sobol balance); got {n_paths} / {n_randomizations}: use e.g. "
            f"n_paths={nearest * n_randomizations}"
        )
        raise ValueError(msg)
    from scipy.stats import qmc

    plan = _mc.brownian_bridge_plan_nb(p.times)
    disc = math.exp(-p.rate * p.t)
    children = np.random.SeedSequence(seed).spawn(n_randomizations)
    results = []
    for child in children:
        u = qmc.Sobol(d=p.times.size, scramble=True, seed=np.random.default_rng(child))
        pts = np.ascontiguousarray(u.random_base2(int(math.log2(per))))
        out = np.empty((_mc.N_OUT, per))
        kernel = _mc.mc_gbm_qmc_par_nb if use_parallel(pts.size) else _mc.mc_gbm_qmc_nb
        kernel(pts, *plan, p.times, p.spot, p.rate - p.div, p.vol, disc, p.spec, BLOCK, out)
        results.append((out[0], out[1]))
    return results


def mc_price(
    spot: float,
    strike: float,
    t: float,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    kind: str = "call",
    *,
    payoff: PayoffName = "european",
    model: ModelName = "gbm",
    n_paths: int = 100_000,
    n_steps: int | None = None,
    times: npt.ArrayLike | None = None,
    antithetic: bool = True,
    control: ControlName | None = None,
    method: Literal["pseudo", "rqmc"] = "pseudo",
    n_randomizations: int = 16,
    barrier: float | None = None,
    barrier_type: BarrierName | None = None,
    monitoring: Literal["continuous", "discrete"] = "continuous",
    cash: float = 1.0,
    confidence: float = 0.95,
    seed: int | np.random.SeedSequence | None = None,
    jump_intensity: float | None = None,
    jump_mean: float | None = None,
    jump_vol: float | None = None,
    v0: float | None = None,
    kappa: float | None = None,
    theta: float | None = None,
    vol_of_vol: float | None = None,
    rho: float | None = None,
) -> MCResult:
    r"""Price an option by Monte Carlo, with standard error and confidence interval.

    Parameters
    ----------
    spot, strike, t, vol, rate, div, kind
        As in :func:`fastopt.bs_price` (scalars). Under ``model="heston"`` the
        volatility comes from ``v0`` (``vol`` is ignored and may be None).
    payoff : str, default "european"
        ``"european"``, ``"digital"`` (pays ``cash``), ``"asian_arithmetic"`` /
        ``"asian_geometric"`` (average over the grid times, ``t_0`` excluded),
        ``"lookback_fixed"`` / ``"lookback_floating"`` (extremes over the grid,
        ``t_0`` included), ``"barrier"`` (European payoff knocked in/out at
        ``barrier``; ``barrier_type`` up/down in/out; no rebate).
    model : {"gbm", "merton", "heston"}
        Merton needs ``jump_intensity, jump_mean, jump_vol``; Heston needs
        ``v0, kappa, theta, vol_of_vol, rho``.
    n_paths : int, default 100_000
        Paths (even with antithetic).
    n_steps, times
        The time grid: 1 step by default for European/digital payoffs under
        GBM/Merton (exact), else 252 equal steps; or explicit ``times``.
    antithetic : bool, default True
        Antithetic pairs (z, -z); the standard error is taken over pairs.
    control : {"terminal_spot", "bs_vanilla", "geometric_asian"} or None
        Control variate with a known mean: discounted S_T (mean
        :math:`S_0e^{-qT}`), the discounted European payoff at ``strike``
        (mean: the Black-Scholes price; GBM only; struck 10 % out of the money,
        at ``1.1 * strike`` for calls and ``0.9 * strike`` for puts, when the
        payoff is itself European), or the discrete geometric
        Asian (closed form; GBM arithmetic Asians only). The coefficient is
        estimated from the same samples.
    method : {"pseudo", "rqmc"}
        Pseudo-random sampling, or randomised quasi-Monte Carlo: scrambled
        Sobol points (``scipy.stats.qmc``) with a Brownian-bridge
        construction, ``n_randomizations`` independent scramblings giving the
        error bar (GBM only; ``n_paths / n_randomizations`` a power of 2).
    barrier, barrier_type, monitoring
        Barrier level, type, and ``"continuous"`` monitoring (a Brownian-bridge
        crossing probability between grid times; exact for GBM) or
        ``"discrete"`` (at the grid times only).
    confidence : float, default 0.95
        Level of the confidence interval.
    seed : int, SeedSequence or None
        Reproducible whatever the thread count; raising ``n_paths`` extends
        the same paths.

    Returns
    -------
    MCResult

    Raises
    ------
    ValueError
        Non-positive spot/vol/t, n_paths < 2 (odd with antithetic), n_steps <
        1, unknown payoff/model/control, missing model parameters, a control
        without a known mean for the model, invalid barrier arguments.

    Examples
    --------
    >>> import fastopt
    >>> res = fastopt.mc_price(100.0, 100.0, 1.0, 0.2, 0.05, n_paths=200_000, seed=42)
    >>> abs(res.price - 10.450584) < 4 * res.stderr
    True
    >>> res.ci_low < res.price < res.ci_high
    True
    >>> asian = fastopt.mc_price(100.0, 100.0, 1.0, 0.2, 0.05, payoff="asian_arithmetic",
    ...                          n_steps=64, n_paths=20_000, control="geometric_asian", seed=1)
    >>> asian.variance_reduction > 100
    True
    """
    n = check_int(n_paths, "n_paths", 2)
    if antithetic and method == "pseudo" and n % 2 == 1:
        msg = f"`n_paths` must be even with antithetic=True (pairs of paths), got {n}"
        raise ValueError(msg)
    conf = scalar_float(confidence, "confidence")
    if not 0.0 < conf < 1.0:
        msg = f"`confidence` must be in (0, 1), got {conf!r}"
        raise ValueError(msg)
    check_choice(method, "method", ("pseudo", "rqmc"))
    params = {
        "jump_intensity": jump_intensity, "jump_mean": jump_mean, "jump_vol": jump_vol,
        "v0": v0, "kappa": kappa, "theta": theta, "vol_of_vol": vol_of_vol, "rho": rho,
    }  # fmt: skip
    p = _problem(
        spot, strike, t, vol, rate, div, kind, payoff, model, n_steps, times, control,
        barrier, barrier_type, monitoring, cash, params,
    )  # fmt: skip
    if method == "rqmc":
        n_rand = check_int(n_randomizations, "n_randomizations", 2)
        estimates = [
            _estimate(y, c if control else None, p.control_mean)[0]
            for y, c in _rqmc(p, n, n_rand, seed)
        ]
        price = float(np.mean(estimates))
        se = float(np.std(estimates, ddof=1) / math.sqrt(n_rand))
        lo, hi = _interval(price, se, conf, n_rand - 1)
        return MCResult(price, se, lo, hi, conf, n, n_rand, "rqmc", False, control, None, 1.0)
    n_samples = n // 2 if antithetic else n
    out = _samples(p, n_samples, stream_key(seed), antithetic=antithetic, greeks=False)
    price, se, beta, vrf = _estimate(out[0], out[1] if control else None, p.control_mean)
    lo, hi = _interval(price, se, conf, None)
    return MCResult(price, se, lo, hi, conf, n, n_samples, "pseudo", antithetic, control, beta, vrf)


def mc_greeks(
    spot: float,
    strike: float,
    t: float,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    kind: str = "call",
    *,
    payoff: PayoffName = "european",
    model: ModelName = "gbm",
    n_paths: int = 100_000,
    n_steps: int | None = None,
    times: npt.ArrayLike | None = None,
    antithetic: bool = True,
    method: Literal["auto", "pathwise", "finite_difference"] = "auto",
    bump: float = 1e-2,
    barrier: float | None = None,
    barrier_type: BarrierName | None = None,
    monitoring: Literal["continuous", "discrete"] = "continuous",
    cash: float = 1.0,
    confidence: float = 0.95,
    seed: int | np.random.SeedSequence | None = None,
    **model_params: float,
) -> MCGreeks:
    r"""Monte Carlo delta, gamma and vega with standard errors.

    ``method="auto"`` uses, under GBM, pathwise delta and vega and the
    likelihood-ratio/pathwise gamma for European payoffs, pathwise delta and
    vega with central finite-difference gamma for Asian payoffs, all in the
    same pass as the price. Everything else uses central finite differences
    with common random numbers (the same seed re-simulates the same paths
    with bumped inputs; relative bump ``bump``), which keeps their error bars
    small. Every Greek comes with its standard error.

    Other arguments as in :func:`mc_price`.

    Notes
    -----
    Pathwise European estimators (:math:`w = \pm1`, :math:`D = e^{-rT}`):

    .. math::

        \Delta = D\,w\,1\{w(S_T-K)>0\}\,\frac{S_T}{S_0},\quad
        \mathcal V = D\,w\,1\{\cdot\}\,S_T\frac{\ln(S_T/S_0) - (r-q+\sigma^2/2)T}{\sigma},\quad
        \Gamma = D\,w\,1\{\cdot\}\,\frac{K Z}{S_0^2\sigma\sqrt T}.

    Examples
    --------
    >>> import fastopt
    >>> g = fastopt.mc_greeks(100.0, 100.0, 1.0, 0.2, 0.05, n_paths=200_000, seed=7)
    >>> abs(g.delta.value - 0.636831) < 4 * g.delta.stderr
    True
    >>> g.delta.method
    'pathwise'
    """
    n = check_int(n_paths, "n_paths", 2)
    if antithetic and n % 2 == 1:
        msg = f"`n_paths` must be even with antithetic=True (pairs of paths), got {n}"
        raise ValueError(msg)
    check_choice(method, "method", ("auto", "pathwise", "finite_difference"))
    h = scalar_float(bump, "bump", minimum=0.0, strict=True)
    allowed = (
        "jump_intensity",
        "jump_mean",
        "jump_vol",
        "v0",
        "kappa",
        "theta",
        "vol_of_vol",
        "rho",
    )
    for name in model_params:
        if name not in allowed:
            msg = f"unexpected keyword argument `{name}`"
            raise TypeError(msg)
    args = (spot, strike, t, vol, rate, div, kind, payoff, model, n_steps, times, None,
            barrier, barrier_type, monitoring, cash, dict(model_params))  # fmt: skip
    p = _problem(*args)
    key = stream_key(seed)
    n_samples = n // 2 if antithetic else n
    pathwise_ok = p.model == "gbm" and p.payoff in (
        "european",
        "asian_arithmetic",
        "asian_geometric",
    )
    if method == "pathwise" and not pathwise_ok:
        msg = "method='pathwise' needs model='gbm' and a European or Asian payoff"
        raise ValueError(msg)
    use_pw = pathwise_ok and method != "finite_difference"
    base = _samples(p, n_samples, key, antithetic=antithetic, greeks=use_pw)
    price, se, _, _ = _estimate(base[0], None, 0.0)
    lo, hi = _interval(price, se, scalar_float(confidence, "confidence"), None)
    price_res = MCResult(price, se, lo, hi, float(confidence), n, n_samples, "pseudo",
                         antithetic, None, None, 1.0)  # fmt: skip

    def bumped(**changes: float) -> Any:
        q = _problem(*_replace(args, **changes))
        return _samples(q, n_samples, key, antithetic=antithetic, greeks=False)[0]

    def est(x: Any, how: str) -> GreekEstimate:
        return GreekEstimate(
            float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(n_samples)), how
        )

    s0 = p.spot
    hs = h * s0
    if use_pw:
        delta = est(base[2], "pathwise")
        vega = est(base[3], "pathwise")
    if not use_pw or p.payoff != "european":
        up, down = bumped(spot=s0 + hs), bumped(spot=s0 - hs)
        gamma = est((up - 2.0 * base[0] + down) / hs**2, "finite_difference_crn")
        if not use_pw:
            delta = est((up - down) / (2.0 * hs), "finite_difference_crn")
    else:
        gamma = est(base[4], "likelihood_ratio_pathwise")
    if not use_pw:
        if p.model == "heston":
            v0 = p.heston[0]
            hv = h * v0
            vega_s = (bumped(v0=v0 + hv) - bumped(v0=v0 - hv)) / (2.0 * hv)
            vega = est(vega_s * 2.0 * math.sqrt(v0), "finite_difference_crn")  # dV/dsqrt(v0)
        else:
            hv = h * p.vol
            vega = est((bumped(vol=p.vol + hv) - bumped(vol=p.vol - hv)) / (2.0 * hv),
                       "finite_difference_crn")  # fmt: skip
    return MCGreeks(price=price_res, delta=delta, gamma=gamma, vega=vega)


def _replace(args: tuple[Any, ...], **changes: float) -> tuple[Any, ...]:
    """The argument tuple of :func:`_problem` with spot, vol or v0 changed."""
    out = list(args)
    if "spot" in changes:
        out[0] = changes["spot"]
    if "vol" in changes:
        out[3] = changes["vol"]
    if "v0" in changes:
        out[16] = {**out[16], "v0": changes["v0"]}
    return tuple(out)
