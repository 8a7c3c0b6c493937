"""European option prices and Greeks: Black-Scholes-Merton, Black-76, Bachelier.

The facade validates and broadcasts; the formulas live once in
:mod:`fastopt.kernels.bs`.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import numpy.typing as npt

from fastopt._typing import FloatArray, KindLike, Model
from fastopt._validate import market_args, wrap
from fastopt.kernels import bs as _bs
from fastopt.parallel import use_parallel
from fastopt.results import GREEK_NAMES, Greeks

__all__ = ["bs_greeks", "bs_price"]


@overload
def bs_price(
    spot: float,
    strike: float,
    t: float,
    vol: float,
    rate: float = ...,
    div: float = ...,
    kind: str | bool = ...,  # noqa: FBT001
    *,
    model: Model = ...,
    dtype: npt.DTypeLike = ...,
) -> float: ...
@overload
def bs_price(
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    vol: npt.ArrayLike,
    rate: npt.ArrayLike = ...,
    div: npt.ArrayLike = ...,
    kind: KindLike = ...,
    *,
    model: Model = ...,
    dtype: npt.DTypeLike = ...,
) -> float | FloatArray: ...
def bs_price(
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    vol: npt.ArrayLike,
    rate: npt.ArrayLike = 0.0,
    div: npt.ArrayLike = 0.0,
    kind: KindLike = "call",
    *,
    model: Model = "bsm",
    dtype: npt.DTypeLike | None = None,
) -> float | FloatArray:
    r"""Price European options in closed form.

    Parameters
    ----------
    spot : float or array_like
        Spot price of the underlying (> 0). For ``model="black76"`` and
        ``model="bachelier"`` this is the forward/futures price (any finite
        value for Bachelier).
    strike : float or array_like
        Strike (> 0; any finite value for Bachelier).
    t : float or array_like
        Time to expiry in years (>= 0).
    vol : float or array_like
        Volatility, annualised (>= 0). Lognormal for BSM/Black-76; for
        Bachelier an absolute (normal) volatility in price units per sqrt(year).
    rate : float or array_like, default 0.0
        Risk-free rate, continuously compounded (negative allowed).
    div : float or array_like, default 0.0
        Continuous dividend yield (BSM only; must be 0 for the forward models).
    kind : {"call", "put"}, bool or array_like, default "call"
        Option type; booleans mean True = call.
    model : {"bsm", "black76", "bachelier"}, default "bsm"
        Pricing model.
    dtype : {None, numpy.float32, numpy.float64}
        Output dtype. By default float32 only when every float input is
        float32. Arithmetic is always float64.

    Returns
    -------
    float or numpy.ndarray
        A Python float when every input is a scalar, else an array of the
        broadcast shape.

    Raises
    ------
    ValueError
        Non-positive spot/strike, negative or non-finite t/vol, non-finite
        rate/div, unknown kind or model, nonzero div with a forward model,
        shapes that do not broadcast.
    TypeError
        Non-numeric inputs (strings, objects, complex numbers).

    Notes
    -----
    BSM with continuous dividend yield :math:`q`, forward
    :math:`F = S e^{(r-q)t}`, :math:`w = \pm 1` for calls/puts:

    .. math::

        V = w\,e^{-rt}\left[F\,N(w d_1) - K\,N(w d_2)\right],\quad
        d_{1,2} = \frac{\ln(F/K)}{\sigma\sqrt t} \pm \tfrac12\sigma\sqrt t .

    Black-76 is the same with :math:`F` given (``spot``) and discounting at
    :math:`r`. Bachelier: :math:`V = e^{-rt}[w(F-K)N(wd) + \sigma\sqrt t\,n(d)]`,
    :math:`d = (F-K)/(\sigma\sqrt t)`. At ``t == 0`` or ``vol == 0`` the price
    is the discounted intrinsic value of the forward.

    References
    ----------
    .. [1] F. Black, M. Scholes, "The Pricing of Options and Corporate
       Liabilities", J. Political Economy 81 (1973); R. Merton, "Theory of
       Rational Option Pricing", Bell J. Econ. 4 (1973).
    .. [2] F. Black, "The pricing of commodity contracts", J. Financial
       Economics 3 (1976).
    .. [3] L. Bachelier, "Théorie de la spéculation" (1900).

    Examples
    --------
    >>> import fastopt
    >>> round(fastopt.bs_price(100.0, 100.0, 1.0, 0.2, rate=0.05), 6)
    10.450584
    >>> fastopt.bs_price(100.0, [90.0, 110.0], 0.5, 0.25, kind="put").round(4)
    array([ 2.8412, 13.4412])
    >>> round(fastopt.bs_price(100.0, 100.0, 1.0, 20.0, rate=0.05, model="bachelier"), 4)
    7.5897
    """
    shape, flat, dt, model_code, scalar = market_args(
        {"spot": spot, "strike": strike, "t": t, "vol": vol, "rate": rate, "div": div},
        kind,
        model,
        dtype,
    )
    out = np.empty(flat[0].shape[0], dtype=dt)
    kernel = _bs.price_1d_par_nb if use_parallel(out.shape[0]) else _bs.price_1d_nb
    kernel(*flat, model_code, out)
    return wrap(out, shape, scalar=scalar)  # type: ignore[no-any-return]


def bs_greeks(
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    vol: npt.ArrayLike,
    rate: npt.ArrayLike = 0.0,
    div: npt.ArrayLike = 0.0,
    kind: KindLike = "call",
    *,
    model: Model = "bsm",
    dtype: npt.DTypeLike | None = None,
) -> Greeks:
    r"""Price and first- and second-order Greeks in one pass.

    Arguments, validation and broadcasting are those of :func:`bs_price`.

    Returns
    -------
    Greeks
        Frozen dataclass with ``price, delta, gamma, vega, theta, rho, vanna,
        volga, charm`` (floats for scalar inputs, else arrays). Units per 1.00
        (vega per 1.00 vol, rho per 1.00 rate, theta and charm per year of
        time passing); ``Greeks`` offers per-1% and per-day views.

    Notes
    -----
    For BSM (:math:`w = \pm1`, :math:`n` the normal density):

    .. math::

        \Delta = w e^{-qt} N(wd_1),\quad
        \Gamma = \frac{e^{-qt} n(d_1)}{S\sigma\sqrt t},\quad
        \mathcal V = S e^{-qt} n(d_1)\sqrt t,\\
        \Theta = -\frac{S e^{-qt} n(d_1)\sigma}{2\sqrt t} - w r K e^{-rt} N(wd_2)
                 + w q S e^{-qt} N(wd_1),\quad
        \rho = w K t e^{-rt} N(w d_2),\\
        \text{vanna} = -e^{-qt} n(d_1) \frac{d_2}{\sigma},\quad
        \text{volga} = \mathcal V \frac{d_1 d_2}{\sigma},\quad
        \text{charm} = w q e^{-qt} N(wd_1)
          - e^{-qt} n(d_1)\frac{2(r-q)t - d_2\sigma\sqrt t}{2t\sigma\sqrt t}.

    Black-76 Greeks are taken with respect to the forward, and its rho
    (forward held fixed) is :math:`-tV`; the same holds for Bachelier.
    At ``t == 0`` or ``vol == 0``: delta is the discounted in-the-money
    indicator (1/2 at the money), gamma/vega/vanna/volga are 0.

    Examples
    --------
    >>> import fastopt
    >>> g = fastopt.bs_greeks(100.0, 100.0, 1.0, 0.2, rate=0.05)
    >>> round(g.delta, 6), round(g.gamma, 6), round(g.vega, 6), round(g.rho, 6)
    (0.636831, 0.018762, 37.524035, 53.232482)
    >>> g = fastopt.bs_greeks([95.0, 105.0], 100.0, 0.25, 0.3, kind="put")
    >>> g.delta.round(4)
    array([-0.6052, -0.3445])
    """
    shape, flat, dt, model_code, scalar = market_args(
        {"spot": spot, "strike": strike, "t": t, "vol": vol, "rate": rate, "div": div},
        kind,
        model,
        dtype,
    )
    out = _bs.empty_greeks(flat[0].shape[0], dt)
    kernel = _bs.greeks_1d_par_nb if use_parallel(out.shape[1]) else _bs.greeks_1d_nb
    kernel(*flat, model_code, out)
    values: dict[str, Any] = {
        name: wrap(out[j], shape, scalar=scalar) for j, name in enumerate(GREEK_NAMES)
    }
    return Greeks(**values)
