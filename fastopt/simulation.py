"""Simulated price paths: GBM, Merton jump-diffusion, Heston (QE) and correlated GBM.

All simulators share one random-number design (:mod:`fastopt.kernels.rng`):
a counter-based generator keyed by ``seed``, so the same seed gives
bit-identical paths whatever the thread count, and raising ``n_paths`` keeps
the first paths and appends new ones.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fastopt._random import stream_key
from fastopt._validate import check_int, check_memory, scalar_float, time_grid
from fastopt.exceptions import FastoptWarning
from fastopt.kernels import paths as _paths
from fastopt.parallel import use_parallel

__all__ = [
    "FellerWarning",
    "Paths",
    "simulate_correlated_gbm",
    "simulate_gbm",
    "simulate_heston",
    "simulate_merton",
]

BLOCK = 256  # paths per parallel task (even: antithetic pairs never straddle two blocks)


class FellerWarning(FastoptWarning):
    """Heston parameters violate the Feller condition 2 kappa theta >= xi**2 (allowed)."""


@dataclass(frozen=True, slots=True)
class Paths:
    """Simulated paths, time on axis 0.

    Attributes
    ----------
    times : numpy.ndarray
        Grid times in years, shape ``(n_steps + 1,)``, starting at 0.
    spot : numpy.ndarray
        Prices, shape ``(n_steps + 1, n_paths)`` (``(n_steps + 1, n_paths,
        n_assets)`` for correlated paths); row 0 is the initial price. A
        transposed view of path-major storage: ``spot[:, i]`` (one path) is
        contiguous.
    variance : numpy.ndarray or None
        Heston instantaneous variance, same shape as ``spot``; None otherwise.
    """

    times: npt.NDArray[np.float64]
    spot: npt.NDArray[np.floating[Any]]
    variance: npt.NDArray[np.floating[Any]] | None = None


def _common(
    t: object, n_paths: object, n_steps: int | None, times: object, *, antithetic: bool
) -> tuple[float, int, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    t_f = scalar_float(t, "t", minimum=0.0, strict=True)
    n = check_int(n_paths, "n_paths", 1)
    if antithetic and n % 2 == 1:
        msg = f"`n_paths` must be even with antithetic=True (pairs of paths), got {n}"
        raise ValueError(msg)
    grid, dt = time_grid(t_f, n_steps, times)
    return t_f, n, grid, dt


def _out(n: int, n_steps: int, dtype: npt.DTypeLike, extra: tuple[int, ...] = ()) -> Any:
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        msg = f"`dtype` must be float32 or float64, got {dtype!r}"
        raise ValueError(msg)
    shape = (n, n_steps + 1, *extra)
    check_memory(int(np.prod(shape)) * dt.itemsize, f"storing {n:,} paths x {n_steps + 1} times")
    return np.empty(shape, dtype=dt)


def _view(out: Any) -> Any:
    """Path-major storage -> time on axis 0 (a transposed view, no copy)."""
    return np.swapaxes(out, 0, 1)


def simulate_gbm(
    spot: float,
    t: float,
    vol: float,
    rate: float = 0.0,
    div: float = 0.0,
    *,
    n_paths: int,
    n_steps: int | None = None,
    times: npt.ArrayLike | None = None,
    antithetic: bool = False,
    seed: int | np.random.SeedSequence | None = None,
    dtype: npt.DTypeLike = np.float64,
) -> Paths:
    r"""Simulate geometric Brownian motion paths (exact log-normal steps).

    Parameters
    ----------
    spot : float
        Initial price (> 0).
    t : float
        Horizon in years (> 0).
    vol : float
        Volatility (>= 0).
    rate, div : float
        Risk-free rate and dividend yield; the drift is ``rate - div``.
    n_paths : int
        Number of paths (even with ``antithetic``).
    n_steps : int, optional
        Equal steps over ``(0, t]`` (default 1). Exclusive with ``times``.
    times : array_like, optional
        Strictly increasing grid times ending at ``t``.
    antithetic : bool, default False
        Paths in pairs ``(2m, 2m+1)`` driven by opposite normals.
    seed : int, SeedSequence or None
        Same seed, same paths (bit for bit), whatever the thread count.
    dtype : float64 or float32
        Storage dtype (arithmetic is float64).

    Returns
    -------
    Paths
        ``times`` (n_steps + 1,) and ``spot`` (n_steps + 1, n_paths).

    Raises
    ------
    ValueError
        Non-positive spot or t, negative vol, n_paths < 1 (odd with
        antithetic), n_steps < 1, bad ``times``.
    MemoryError
        When the paths cannot fit in free memory (raised before allocating).

    Notes
    -----
    .. math:: S_{t_j} = S_{t_{j-1}} \exp\big((r - q - \sigma^2/2)\Delta t_j
              + \sigma\sqrt{\Delta t_j}\, Z_j\big)

    Examples
    --------
    >>> import fastopt
    >>> p = fastopt.simulate_gbm(100.0, 1.0, 0.2, 0.05, n_paths=4, n_steps=3, seed=1)
    >>> p.spot.shape, p.times.tolist()
    ((4, 4), [0.0, 0.3333333333333333, 0.6666666666666666, 1.0])
    >>> bool((p.spot[0] == 100.0).all())
    True
    """
    s0 = scalar_float(spot, "spot", minimum=0.0, strict=True)
    v = scalar_float(vol, "vol", minimum=0.0)
    r = scalar_float(rate, "rate")
    q = scalar_float(div, "div")
    _, n, grid, dt = _common(t, n_paths, n_steps, times, antithetic=antithetic)
    drift = (r - q - 0.5 * v * v) * dt
    vol_sd = v * np.sqrt(dt)
    out = _out(n, grid.size, dtype)
    kernel = _paths.gbm_paths_par_nb if use_parallel(out.size) else _paths.gbm_paths_nb
    kernel(stream_key(seed), s0, drift, vol_sd, antithetic, BLOCK, out)
    return Paths(times=np.r_[0.0, grid], spot=_view(out))


def merton_drift(
    rate: float, div: float, vol: float, lam: float, mu_j: float, sd_j: float, dt: Any
) -> Any:
    """Per-step compensated log drift of Merton's model: (r - q - lam*kbar - vol^2/2) dt."""
    kbar = math.exp(mu_j + 0.5 * sd_j * sd_j) - 1.0
    return (rate - div - lam * kbar - 0.5 * vol * vol) * dt


def _merton_params(
    jump_intensity: object, jump_mean: object, jump_vol: object
) -> tuple[float, float, float]:
    lam = scalar_float(jump_intensity, "jump_intensity", minimum=0.0)
    mu_j = scalar_float(jump_mean, "jump_mean")
    sd_j = scalar_float(jump_vol, "jump_vol", minimum=0.0)
    return lam, mu_j, sd_j


def simulate_merton(
    spot: float,
    t: float,
    vol: float,
    rate: float = 0.0,
    div: float = 0.0,
    *,
    jump_intensity: float,
    jump_mean: float,
    jump_vol: float,
    n_paths: int,
    n_steps: int | None = None,
    times: npt.ArrayLike | None = None,
    antithetic: bool = False,
    seed: int | np.random.SeedSequence | None = None,
    dtype: npt.DTypeLike = np.float64,
) -> Paths:
    r"""Simulate Merton (1976) jump-diffusion paths, drift-compensated.

    Jumps arrive as a Poisson process of intensity ``jump_intensity`` (per
    year); log jump sizes are normal with mean ``jump_mean`` and standard
    deviation ``jump_vol``. The drift is compensated so that
    :math:`E[S_t] = S_0 e^{(r-q)t}`:

    .. math:: d\ln S = (r - q - \lambda\bar k - \sigma^2/2)\,dt + \sigma\,dW + dJ,
              \quad \bar k = e^{\mu_J + \delta^2/2} - 1 .

    Other arguments as in :func:`simulate_gbm`.

    Examples
    --------
    >>> import fastopt
    >>> p = fastopt.simulate_merton(100.0, 1.0, 0.2, 0.05, jump_intensity=0.5,
    ...                             jump_mean=-0.1, jump_vol=0.15, n_paths=2, n_steps=4, seed=3)
    >>> p.spot.shape
    (5, 2)
    """
    s0 = scalar_float(spot, "spot", minimum=0.0, strict=True)
    v = scalar_float(vol, "vol", minimum=0.0)
    r = scalar_float(rate, "rate")
    q = scalar_float(div, "div")
    lam, mu_j, sd_j = _merton_params(jump_intensity, jump_mean, jump_vol)
    _, n, grid, dt = _common(t, n_paths, n_steps, times, antithetic=antithetic)
    drift = merton_drift(r, q, v, lam, mu_j, sd_j, dt)
    out = _out(n, grid.size, dtype)
    kernel = _paths.merton_paths_par_nb if use_parallel(out.size) else _paths.merton_paths_nb
    kernel(
        stream_key(seed), s0, drift, v * np.sqrt(dt), dt, lam, mu_j, sd_j, antithetic, BLOCK, out
    )
    return Paths(times=np.r_[0.0, grid], spot=_view(out))


def heston_params(
    v0: object, kappa: object, theta: object, vol_of_vol: object, rho: object
) -> tuple[float, float, float, float, float]:
    """Validate Heston parameters (warns with :class:`FellerWarning`, never refuses, on Feller)."""
    v0_f = scalar_float(v0, "v0", minimum=0.0)
    kappa_f = scalar_float(kappa, "kappa", minimum=0.0, strict=True)
    theta_f = scalar_float(theta, "theta", minimum=0.0, strict=True)
    xi = scalar_float(vol_of_vol, "vol_of_vol", minimum=0.0, strict=True)
    rho_f = scalar_float(rho, "rho")
    if not -1.0 <= rho_f <= 1.0:
        msg = f"`rho` must be in [-1, 1], got {rho_f!r}"
        raise ValueError(msg)
    if 2.0 * kappa_f * theta_f < xi * xi:
        warnings.warn(
            f"Feller condition violated: 2*kappa*theta = {2 * kappa_f * theta_f:.4g} < "
            f"vol_of_vol**2 = {xi * xi:.4g}; the variance can reach 0 (the QE scheme handles it)",
            FellerWarning,
            stacklevel=3,
        )
    return v0_f, kappa_f, theta_f, xi, rho_f


def simulate_heston(
    spot: float,
    t: float,
    rate: float = 0.0,
    div: float = 0.0,
    *,
    v0: float,
    kappa: float,
    theta: float,
    vol_of_vol: float,
    rho: float,
    n_paths: int,
    n_steps: int | None = None,
    times: npt.ArrayLike | None = None,
    antithetic: bool = False,
    seed: int | np.random.SeedSequence | None = None,
    dtype: npt.DTypeLike = np.float64,
) -> Paths:
    r"""Simulate Heston stochastic-volatility paths with Andersen's QE scheme.

    .. math::

        dS/S = (r - q)\,dt + \sqrt{V}\,dW_1,\quad
        dV = \kappa(\theta - V)\,dt + \xi\sqrt{V}\,dW_2,\quad
        d\langle W_1, W_2\rangle = \rho\,dt .

    The variance uses the quadratic-exponential scheme (switch at
    :math:`\psi_c = 1.5`), the log price Andersen's central discretisation
    (:math:`\gamma_1 = \gamma_2 = 1/2`). Parameters violating the Feller
    condition :math:`2\kappa\theta \ge \xi^2` are allowed, with a
    :class:`FellerWarning`.

    Returns
    -------
    Paths
        ``spot`` and ``variance``, each (n_steps + 1, n_paths).

    References
    ----------
    .. [1] L. Andersen, "Simple and efficient simulation of the Heston
       stochastic volatility model", J. Computational Finance 11(3), 2008.

    Examples
    --------
    >>> import fastopt
    >>> p = fastopt.simulate_heston(100.0, 1.0, 0.02, v0=0.04, kappa=1.5, theta=0.04,
    ...                             vol_of_vol=0.3, rho=-0.7, n_paths=2, n_steps=12, seed=5)
    >>> p.spot.shape, p.variance.shape
    ((13, 2), (13, 2))
    """
    s0 = scalar_float(spot, "spot", minimum=0.0, strict=True)
    r = scalar_float(rate, "rate")
    q = scalar_float(div, "div")
    v0_f, kappa_f, theta_f, xi, rho_f = heston_params(v0, kappa, theta, vol_of_vol, rho)
    _, n, grid, dt = _common(t, n_paths, n_steps, times, antithetic=antithetic)
    out = _out(n, grid.size, dtype)
    out_var = _out(n, grid.size, dtype)
    kernel = _paths.heston_paths_par_nb if use_parallel(out.size) else _paths.heston_paths_nb
    kernel(
        stream_key(seed), s0, dt, (r - q) * dt, v0_f, kappa_f, theta_f, xi, rho_f,
        antithetic, BLOCK, out, out_var,
    )  # fmt: skip
    return Paths(times=np.r_[0.0, grid], spot=_view(out), variance=_view(out_var))


def correlation_factor(corr: npt.ArrayLike, n_assets: int) -> npt.NDArray[np.float64]:
    """Lower-triangular factor L with L L^T = corr, for a validated correlation matrix.

    The matrix must be square (n_assets x n_assets), symmetric, with a unit
    diagonal, entries in [-1, 1] and positive semi-definite. Singular
    (semi-definite) matrices are accepted through a pivot-free LDL-style
    fallback on the eigen-decomposition.
    """
    c = np.asarray(corr, dtype=np.float64)
    if c.shape != (n_assets, n_assets):
        msg = f"`corr` must have shape ({n_assets}, {n_assets}) to match `spot`, got {c.shape}"
        raise ValueError(msg)
    if not np.all(np.isfinite(c)):
        msg = "`corr` must be finite"
        raise ValueError(msg)
    if not np.allclose(c, c.T, atol=1e-12):
        msg = "`corr` must be symmetric"
        raise ValueError(msg)
    if not np.allclose(np.diag(c), 1.0, atol=1e-12) or np.any(np.abs(c) > 1.0 + 1e-12):
        msg = "`corr` must have a unit diagonal and entries in [-1, 1]"
        raise ValueError(msg)
    eig = np.linalg.eigvalsh(c)
    if eig[0] < -1e-10:
        msg = f"`corr` must be positive semi-definite; its smallest eigenvalue is {eig[0]:.3g}"
        raise ValueError(msg)
    try:
        return np.asarray(np.linalg.cholesky(c), dtype=np.float64)
    except np.linalg.LinAlgError:
        # semi-definite: L = Q sqrt(Lambda), made lower-triangular by a QR step
        w, v = np.linalg.eigh(c)
        root = v * np.sqrt(np.clip(w, 0.0, None))
        _, r = np.linalg.qr(root.T)
        lower = r.T
        signs = np.sign(np.diag(lower))
        signs[signs == 0] = 1.0
        return np.ascontiguousarray(lower * signs, dtype=np.float64)


def simulate_correlated_gbm(
    spot: npt.ArrayLike,
    t: float,
    vol: npt.ArrayLike,
    corr: npt.ArrayLike,
    rate: float = 0.0,
    div: npt.ArrayLike = 0.0,
    *,
    n_paths: int,
    n_steps: int | None = None,
    times: npt.ArrayLike | None = None,
    antithetic: bool = False,
    seed: int | np.random.SeedSequence | None = None,
    dtype: npt.DTypeLike = np.float64,
) -> Paths:
    r"""Simulate correlated GBM paths of several assets.

    Parameters
    ----------
    spot, vol, div : array_like, shape (n_assets,)
        Initial prices (> 0), volatilities (>= 0) and dividend yields.
    corr : array_like, shape (n_assets, n_assets)
        Correlation matrix: symmetric, unit diagonal, positive semi-definite.

    Returns
    -------
    Paths
        ``spot`` of shape (n_steps + 1, n_paths, n_assets).

    Notes
    -----
    Each step draws independent normals :math:`Z` and uses :math:`LZ`, with
    :math:`LL^T` = ``corr`` (Cholesky; an eigen-decomposition factor for
    singular matrices).

    Examples
    --------
    >>> import fastopt
    >>> p = fastopt.simulate_correlated_gbm([100.0, 50.0], 1.0, [0.2, 0.3],
    ...                                     [[1.0, 0.5], [0.5, 1.0]], 0.01,
    ...                                     n_paths=3, n_steps=2, seed=1)
    >>> p.spot.shape
    (3, 3, 2)
    """
    s0 = np.atleast_1d(np.asarray(spot, dtype=np.float64))
    if s0.ndim != 1 or not np.all(np.isfinite(s0)) or np.any(s0 <= 0):
        msg = f"`spot` must be a 1-D array of prices > 0, got {spot!r:.100}"
        raise ValueError(msg)
    d = s0.size
    vols = np.broadcast_to(np.asarray(vol, dtype=np.float64), (d,))
    divs = np.broadcast_to(np.asarray(div, dtype=np.float64), (d,))
    if not np.all(np.isfinite(vols)) or np.any(vols < 0):
        msg = f"`vol` must be finite and >= 0 for every asset, got {vol!r:.100}"
        raise ValueError(msg)
    r = scalar_float(rate, "rate")
    chol = correlation_factor(corr, d)
    _, n, grid, dt = _common(t, n_paths, n_steps, times, antithetic=antithetic)
    drift = np.ascontiguousarray((r - divs - 0.5 * vols**2)[None, :] * dt[:, None])
    vol_sd = np.ascontiguousarray(vols[None, :] * np.sqrt(dt)[:, None])
    out = _out(n, grid.size, dtype, (d,))
    kernel = (
        _paths.correlated_gbm_paths_par_nb
        if use_parallel(out.size)
        else _paths.correlated_gbm_paths_nb
    )
    kernel(stream_key(seed), s0, drift, vol_sd, chol, antithetic, BLOCK, out)
    return Paths(times=np.r_[0.0, grid], spot=_view(out))
