"""Closed-form prices for checking Monte Carlo and for direct use.

* :func:`merton_jump_price` -- Merton (1976) jump-diffusion European options;
* :func:`geometric_asian_price` -- discrete (or continuous) geometric-average
  Asian options;
* :func:`margrabe_price` -- Margrabe (1978) option to exchange one asset for
  another.

The facade validates and broadcasts; the formulas live in
:mod:`fastopt.kernels.closed_forms`, each one mapped onto the single
Black-Scholes-Merton core of :mod:`fastopt.kernels.bs`. Computation is in
float64.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import numpy.typing as npt

from fastopt._typing import FloatArray, KindLike
from fastopt._validate import (
    as_float_array,
    broadcast,
    check_finite,
    check_int,
    check_nonnegative,
    check_positive,
    is_scalar_input,
    market_args,
    readonly,
    wrap,
)
from fastopt.kernels import closed_forms as _cf
from fastopt.parallel import use_parallel

__all__ = ["geometric_asian_price", "margrabe_price", "merton_jump_price"]


@overload
def merton_jump_price(
    spot: float,
    strike: float,
    t: float,
    vol: float,
    rate: float = ...,
    div: float = ...,
    kind: str | bool = ...,  # noqa: FBT001
    *,
    jump_intensity: float,
    jump_mean: float,
    jump_vol: float,
    n_terms: int | None = ...,
) -> float: ...
@overload
def merton_jump_price(
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    vol: npt.ArrayLike,
    rate: npt.ArrayLike = ...,
    div: npt.ArrayLike = ...,
    kind: KindLike = ...,
    *,
    jump_intensity: npt.ArrayLike,
    jump_mean: npt.ArrayLike,
    jump_vol: npt.ArrayLike,
    n_terms: int | None = ...,
) -> float | FloatArray: ...
def merton_jump_price(
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    vol: npt.ArrayLike,
    rate: npt.ArrayLike = 0.0,
    div: npt.ArrayLike = 0.0,
    kind: KindLike = "call",
    *,
    jump_intensity: npt.ArrayLike,
    jump_mean: npt.ArrayLike,
    jump_vol: npt.ArrayLike,
    n_terms: int | None = None,
) -> float | FloatArray:
    r"""Price European options under Merton's lognormal jump diffusion.

    Parameters
    ----------
    spot, strike : float or array_like
        Spot and strike (> 0).
    t : float or array_like
        Time to expiry in years (>= 0).
    vol : float or array_like
        Diffusion volatility, annualised (>= 0).
    rate, div : float or array_like, default 0.0
        Risk-free rate and continuous dividend yield.
    kind : {"call", "put"}, bool or array_like, default "call"
        Option type (True = call).
    jump_intensity : float or array_like
        Poisson jump rate :math:`\lambda` per year (>= 0).
    jump_mean : float or array_like
        Mean :math:`\mu_J` of the log jump size :math:`\ln(1+J)`.
    jump_vol : float or array_like
        Standard deviation :math:`\delta` of the log jump size (>= 0).
    n_terms : int, optional
        Number of series terms (``n = 0 .. n_terms - 1``). By default the
        series is summed until the Poisson weight of the omitted terms is
        below ``1e-16`` (about :math:`\lambda' T + 8.5\sqrt{\lambda' T} + 10`
        terms), with a hard cap of 100,000 terms (NaN if not reached).

    Returns
    -------
    float or numpy.ndarray
        A Python float for scalar inputs, else a float64 array of the
        broadcast shape.

    Raises
    ------
    ValueError
        Non-positive spot/strike, negative t/vol/jump_intensity/jump_vol,
        non-finite values, unknown kind, shapes that do not broadcast,
        ``n_terms < 1``.
    TypeError
        Non-numeric inputs, non-integer ``n_terms``.

    Notes
    -----
    With :math:`k = e^{\mu_J + \delta^2/2} - 1` (mean relative jump) and
    :math:`\lambda' = \lambda(1+k)`, the price is the Poisson mixture of
    BSM prices

    .. math::

        V = \sum_{n\ge0} e^{-\lambda' T}\frac{(\lambda' T)^n}{n!}\,
            V_{BSM}(S, K, T, \sigma_n, r_n, q),\quad
        \sigma_n^2 = \sigma^2 + \frac{n\delta^2}{T},\quad
        r_n = r - \lambda k + \frac{n \ln(1+k)}{T}.

    The drift is compensated (:math:`E[S_T] = S e^{(r-q)T}`), so put-call
    parity holds, and ``jump_intensity = 0`` gives the BSM price exactly.
    Each term is priced by the BSM kernel of :func:`fastopt.bs_price`.

    References
    ----------
    .. [1] R. C. Merton, "Option pricing when underlying stock returns are
       discontinuous", J. Financial Economics 3 (1976) 125-144.

    Examples
    --------
    >>> import fastopt.closed_forms as cf
    >>> round(cf.merton_jump_price(100.0, 100.0, 1.0, 0.2, 0.05,
    ...       jump_intensity=1.0, jump_mean=-0.1, jump_vol=0.15), 6)
    12.761289
    >>> round(cf.merton_jump_price(100.0, 100.0, 1.0, 0.2, 0.05,
    ...       jump_intensity=0.0, jump_mean=-0.1, jump_vol=0.15), 6)
    10.450584
    """
    for name, value in (("jump_intensity", jump_intensity), ("jump_vol", jump_vol)):
        check_nonnegative(as_float_array(value, name), name)
    n_fixed = 0 if n_terms is None else check_int(n_terms, "n_terms", 1)
    shape, flat, _, _, scalar = market_args(
        {
            "spot": spot,
            "strike": strike,
            "t": t,
            "vol": vol,
            "rate": rate,
            "div": div,
            "jump_intensity": jump_intensity,
            "jump_mean": jump_mean,
            "jump_vol": jump_vol,
        },
        kind,
        "bsm",
        np.float64,
    )
    s, k, tt, v, r, q, lam, mu, dj, is_call = flat
    out = np.empty(s.shape[0], dtype=np.float64)
    kernel = _cf.merton_price_1d_par_nb if use_parallel(out.shape[0]) else _cf.merton_price_1d_nb
    kernel(s, k, tt, v, r, q, is_call, lam, mu, dj, n_fixed, out)
    return wrap(out, shape, scalar=scalar)  # type: ignore[no-any-return]


@overload
def geometric_asian_price(
    spot: float,
    strike: float,
    t: float,
    vol: float,
    rate: float = ...,
    div: float = ...,
    kind: str | bool = ...,  # noqa: FBT001
    *,
    n_fixings: int | None,
) -> float: ...
@overload
def geometric_asian_price(
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    vol: npt.ArrayLike,
    rate: npt.ArrayLike = ...,
    div: npt.ArrayLike = ...,
    kind: KindLike = ...,
    *,
    n_fixings: int | None,
) -> float | FloatArray: ...
def geometric_asian_price(
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    vol: npt.ArrayLike,
    rate: npt.ArrayLike = 0.0,
    div: npt.ArrayLike = 0.0,
    kind: KindLike = "call",
    *,
    n_fixings: int | None,
) -> float | FloatArray:
    r"""Price geometric-average (fixed-strike) Asian options in closed form.

    Parameters
    ----------
    spot, strike : float or array_like
        Spot and strike (> 0).
    t : float or array_like
        Time to expiry (= the last fixing) in years (>= 0).
    vol : float or array_like
        Volatility, annualised (>= 0).
    rate, div : float or array_like, default 0.0
        Risk-free rate and continuous dividend yield.
    kind : {"call", "put"}, bool or array_like, default "call"
        Payoff :math:`\max(G - K, 0)` or :math:`\max(K - G, 0)`.
    n_fixings : int or None
        Number of equally spaced fixings at :math:`t_i = iT/n`,
        :math:`i = 1..n` (today's spot is not a fixing). ``None`` gives the
        continuous average over :math:`[0, T]`, the limit
        :math:`n \to \infty`.

    Returns
    -------
    float or numpy.ndarray
        A Python float for scalar inputs, else a float64 array.

    Raises
    ------
    ValueError
        Domain errors as for :func:`fastopt.bs_price`; ``n_fixings < 1``.
    TypeError
        Non-numeric inputs, non-integer ``n_fixings``.

    Notes
    -----
    :math:`\ln G = \frac1n\sum_i \ln S_{t_i}` is normal with mean and
    variance

    .. math::

        m = \ln S + (r - q - \tfrac12\sigma^2)\,T\,\frac{n+1}{2n},\qquad
        v = \sigma^2 T\,\frac{(n+1)(2n+1)}{6n^2}

    (continuous average: :math:`T/2` and :math:`\sigma^2 T/3`). The price is
    Black-76 on the forward :math:`E[G] = e^{m + v/2}` with volatility
    :math:`\sqrt{v/T}`, discounted at :math:`r` over :math:`T`.
    ``n_fixings=1`` is the European option.

    References
    ----------
    .. [1] A. G. Z. Kemna, A. C. F. Vorst, "A pricing method for options based
       on average asset values", J. Banking & Finance 14 (1990) 113-129.
    .. [2] P. Glasserman, "Monte Carlo Methods in Financial Engineering",
       Springer 2004, section 4.1.2 (geometric average as control variate).

    Examples
    --------
    >>> import fastopt.closed_forms as cf
    >>> round(cf.geometric_asian_price(100.0, 100.0, 1.0, 0.2, 0.05, n_fixings=252), 6)
    5.565509
    >>> round(cf.geometric_asian_price(100.0, 100.0, 1.0, 0.2, 0.05, n_fixings=1), 6)
    10.450584
    """
    n_fix = 0 if n_fixings is None else check_int(n_fixings, "n_fixings", 1)
    shape, flat, _, _, scalar = market_args(
        {"spot": spot, "strike": strike, "t": t, "vol": vol, "rate": rate, "div": div},
        kind,
        "bsm",
        np.float64,
    )
    out = np.empty(flat[0].shape[0], dtype=np.float64)
    par = use_parallel(out.shape[0])
    kernel = _cf.geometric_asian_price_1d_par_nb if par else _cf.geometric_asian_price_1d_nb
    kernel(*flat, n_fix, out)
    return wrap(out, shape, scalar=scalar)  # type: ignore[no-any-return]


@overload
def margrabe_price(
    spot1: float,
    spot2: float,
    t: float,
    vol1: float,
    vol2: float,
    corr: float,
    div1: float = ...,
    div2: float = ...,
) -> float: ...
@overload
def margrabe_price(
    spot1: npt.ArrayLike,
    spot2: npt.ArrayLike,
    t: npt.ArrayLike,
    vol1: npt.ArrayLike,
    vol2: npt.ArrayLike,
    corr: npt.ArrayLike,
    div1: npt.ArrayLike = ...,
    div2: npt.ArrayLike = ...,
) -> float | FloatArray: ...
def margrabe_price(
    spot1: npt.ArrayLike,
    spot2: npt.ArrayLike,
    t: npt.ArrayLike,
    vol1: npt.ArrayLike,
    vol2: npt.ArrayLike,
    corr: npt.ArrayLike,
    div1: npt.ArrayLike = 0.0,
    div2: npt.ArrayLike = 0.0,
) -> float | FloatArray:
    r"""Price the European option to exchange asset 2 for asset 1, :math:`\max(S_1 - S_2, 0)`.

    Parameters
    ----------
    spot1, spot2 : float or array_like
        Spot prices of the two assets (> 0).
    t : float or array_like
        Time to expiry in years (>= 0).
    vol1, vol2 : float or array_like
        Volatilities, annualised (>= 0).
    corr : float or array_like
        Correlation of the two Brownian motions, in [-1, 1].
    div1, div2 : float or array_like, default 0.0
        Continuous dividend yields.

    Returns
    -------
    float or numpy.ndarray
        A Python float for scalar inputs, else a float64 array.

    Raises
    ------
    ValueError
        Non-positive spots, negative t/vols, ``corr`` outside [-1, 1],
        non-finite values, shapes that do not broadcast.
    TypeError
        Non-numeric inputs.

    Notes
    -----
    The risk-free rate cancels (asset 2 is the numeraire):

    .. math::

        V = S_1 e^{-q_1 T} N(d_1) - S_2 e^{-q_2 T} N(d_2),\quad
        d_{1,2} = \frac{\ln(S_1/S_2) + (q_2 - q_1)T}{\sigma\sqrt T}
                  \pm \tfrac12\sigma\sqrt T,\quad
        \sigma^2 = \sigma_1^2 + \sigma_2^2 - 2\rho\sigma_1\sigma_2,

    i.e. a BSM call on :math:`S_1` with strike :math:`S_2`, rate
    :math:`q_2` and dividend yield :math:`q_1`, which is how it is computed.
    :math:`\sigma^2` is evaluated as
    :math:`(\sigma_1-\sigma_2)^2 + 2(1-\rho)\sigma_1\sigma_2` (never negative).

    References
    ----------
    .. [1] W. Margrabe, "The value of an option to exchange one asset for
       another", J. Finance 33 (1978) 177-186.

    Examples
    --------
    >>> import fastopt.closed_forms as cf
    >>> round(cf.margrabe_price(100.0, 95.0, 1.0, 0.3, 0.2, 0.5), 6)
    12.952273
    """
    arrays: dict[str, np.ndarray[Any, Any]] = {}
    raw = {
        "spot1": spot1,
        "spot2": spot2,
        "t": t,
        "vol1": vol1,
        "vol2": vol2,
        "corr": corr,
        "div1": div1,
        "div2": div2,
    }
    for name, value in raw.items():
        arr = as_float_array(value, name)
        if name in ("spot1", "spot2"):
            check_positive(arr, name)
        elif name in ("t", "vol1", "vol2"):
            check_nonnegative(arr, name)
        else:
            check_finite(arr, name)
        arrays[name] = arr
    bad = np.abs(arrays["corr"]) > 1.0
    if bad.any():
        val = float(arrays["corr"].ravel()[int(np.flatnonzero(bad.ravel())[0])])
        msg = f"`corr` must be in [-1, 1], got {val!r}"
        raise ValueError(msg)
    shape, flat = broadcast(arrays)
    flat = [readonly(a.astype(np.float64, copy=False)) for a in flat]
    out = np.empty(flat[0].shape[0], dtype=np.float64)
    par = use_parallel(out.shape[0])
    kernel = _cf.margrabe_price_1d_par_nb if par else _cf.margrabe_price_1d_nb
    kernel(*flat, out)
    return wrap(out, shape, scalar=is_scalar_input(*raw.values()))  # type: ignore[no-any-return]
