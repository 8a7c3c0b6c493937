"""Implied volatility: BSM, Black-76 and Bachelier, vectorised, with status codes.

The facade validates and broadcasts; the solver lives once in
:mod:`fastopt.kernels.iv`.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal, overload

import numba
import numpy as np
import numpy.typing as npt

from fastopt._typing import FloatArray, KindLike, Model
from fastopt._validate import market_args, wrap
from fastopt.exceptions import ImpliedVolError, ImpliedVolWarning
from fastopt.kernels import iv as _iv
from fastopt.kernels.enums import IVStatus

__all__ = ["PARALLEL_THRESHOLD", "IVStatus", "implied_vol"]

PARALLEL_THRESHOLD: int = 2_000
"""Batch size from which the ``prange`` kernel is used (when more than one thread
is allowed). One implied vol costs ~0.25 us, about ten prices, so the thread pool
pays off much earlier than for pricing; measured in ``benchmarks/bench_iv.py``.
Module attribute: assign to change it."""

_STATUS_TEXT: dict[int, str] = {
    IVStatus.BELOW_INTRINSIC: "below intrinsic value",
    IVStatus.ABOVE_MAX: "at or above the upper bound",
    IVStatus.NO_CONVERGENCE: "no convergence",
    IVStatus.ZERO_TIME: "zero time to expiry",
}
_MAX_LISTED = 10


def _summary(status: npt.NDArray[np.int8]) -> str:
    """'3 below intrinsic value, 1 zero time to expiry' for the non-OK codes."""
    counts = np.bincount(status.astype(np.int64), minlength=len(IVStatus))
    return ", ".join(f"{int(counts[c])} {text}" for c, text in _STATUS_TEXT.items() if counts[c])


@overload
def implied_vol(
    price: float,
    spot: float,
    strike: float,
    t: float,
    rate: float = ...,
    div: float = ...,
    kind: str | bool = ...,  # noqa: FBT001
    *,
    model: Model = ...,
    strict: bool = ...,
    return_status: Literal[False] = ...,
    dtype: npt.DTypeLike = ...,
) -> float: ...
@overload
def implied_vol(
    price: float,
    spot: float,
    strike: float,
    t: float,
    rate: float = ...,
    div: float = ...,
    kind: str | bool = ...,  # noqa: FBT001
    *,
    model: Model = ...,
    strict: bool = ...,
    return_status: Literal[True],
    dtype: npt.DTypeLike = ...,
) -> tuple[float, int]: ...
@overload
def implied_vol(
    price: npt.ArrayLike,
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    rate: npt.ArrayLike = ...,
    div: npt.ArrayLike = ...,
    kind: KindLike = ...,
    *,
    model: Model = ...,
    strict: bool = ...,
    return_status: Literal[False] = ...,
    dtype: npt.DTypeLike = ...,
) -> float | FloatArray: ...
@overload
def implied_vol(
    price: npt.ArrayLike,
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    rate: npt.ArrayLike = ...,
    div: npt.ArrayLike = ...,
    kind: KindLike = ...,
    *,
    model: Model = ...,
    strict: bool = ...,
    return_status: Literal[True],
    dtype: npt.DTypeLike = ...,
) -> tuple[float | FloatArray, int | npt.NDArray[np.int8]]: ...
def implied_vol(
    price: npt.ArrayLike,
    spot: npt.ArrayLike,
    strike: npt.ArrayLike,
    t: npt.ArrayLike,
    rate: npt.ArrayLike = 0.0,
    div: npt.ArrayLike = 0.0,
    kind: KindLike = "call",
    *,
    model: Model = "bsm",
    strict: bool = False,
    return_status: bool = False,
    dtype: npt.DTypeLike | None = None,
) -> Any:
    r"""Implied volatility of European option prices.

    Parameters
    ----------
    price : float or array_like
        Option price (finite; a negative price is accepted and has no implied
        vol). Same currency units as ``spot`` and ``strike``.
    spot : float or array_like
        Spot price of the underlying (> 0). For ``model="black76"`` and
        ``model="bachelier"`` this is the forward/futures price (any finite
        value for Bachelier).
    strike : float or array_like
        Strike (> 0; any finite value for Bachelier).
    t : float or array_like
        Time to expiry in years (>= 0; ``t == 0`` gives NaN, status ZERO_TIME).
    rate : float or array_like, default 0.0
        Risk-free rate, continuously compounded (negative allowed).
    div : float or array_like, default 0.0
        Continuous dividend yield (BSM only; must be 0 for the forward models).
    kind : {"call", "put"}, bool or array_like, default "call"
        Option type per element (``True`` = call).
    model : {"bsm", "black76", "bachelier"}, default "bsm"
        Black-Scholes-Merton on spot; Black-76 on a forward discounted at
        ``rate``; Bachelier (normal model) on a forward.
    strict : bool, default False
        Raise :class:`~fastopt.ImpliedVolError` instead of returning NaN when
        some price has no implied vol.
    return_status : bool, default False
        Also return the per-element :class:`IVStatus` codes (``int8``).
    dtype : {None, numpy.float32, numpy.float64}, optional
        Compute/result dtype. By default float32 only when every typed input is
        float32; the solver itself always works in float64.

    Returns
    -------
    vol : float or numpy.ndarray
        Implied volatility, annualised: lognormal for BSM/Black-76, normal (in
        price units per square-root year) for Bachelier. NaN where no
        volatility reproduces the price. A Python float for scalar inputs,
        else an array of the broadcast shape.
    status : int or numpy.ndarray of int8
        Only with ``return_status=True``: :class:`IVStatus` per element
        (OK, BELOW_INTRINSIC, ABOVE_MAX, NO_CONVERGENCE, ZERO_TIME).

    Raises
    ------
    ValueError
        Invalid arguments (non-finite price, non-positive spot/strike for the
        lognormal models, negative ``t``, nonzero ``div`` for a forward model,
        unknown ``model``, shapes that do not broadcast).
    TypeError
        Non-numeric arguments or an invalid ``kind``.
    ImpliedVolError
        With ``strict=True``, when some element has a non-OK status; its
        ``indices`` (flat, into the broadcast shape) and ``status`` attributes
        say which and why.

    Warns
    -----
    ImpliedVolWarning
        Once per call (without ``strict``) when some results are NaN; the
        message counts each status.

    Notes
    -----
    With forward :math:`F = S e^{(r-q)T}`, discount :math:`D = e^{-rT}` and
    :math:`w = \pm 1` for calls/puts, the BSM price is
    :math:`V = w D [F N(w d_1) - K N(w d_2)]`, and a vol exists iff

    .. math::

        D \max(w (F - K), 0) \le V < \begin{cases} S e^{-qT} & \text{call} \\
        K e^{-rT} & \text{put.} \end{cases}

    A price equal to the intrinsic value (to within its own rounding,
    :math:`4\epsilon (S e^{-qT} + K e^{-rT})`) gives 0.0. Black-76 is BSM with
    ``spot`` the forward and :math:`q = r`. The Bachelier price
    :math:`D [w (F-K) N(w d) + \sigma_N \sqrt T n(d)]`, :math:`d = (F-K)/(\sigma_N \sqrt T)`,
    has no upper bound.

    The solver follows Jaeckel's "Let's Be Rational": normalised Black
    function, a rational-cubic initial guess on four branches and order-4
    Householder steps on transformed objectives; nearly every option takes two
    iterations. The error in vol is at the level that the rounding of the price
    alone causes (``eps * price / vega``). See ``docs/implied_vol.md``.

    References
    ----------
    .. [1] P. Jaeckel, "Let's Be Rational", Wilmott (2015) 40-53.
    .. [2] P. Jaeckel, "Implied Normal Volatility", Wilmott (2017) 54-57.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from fastopt.iv import IVStatus, implied_vol
    >>> round(implied_vol(10.450583572185565, 100.0, 100.0, 1.0, rate=0.05), 12)
    0.2
    >>> implied_vol([4.0, 8.0], 100.0, [100.0, 95.0], 0.25, kind=["put", "call"]).round(6)
    array([0.200614, 0.263302])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     vol, status = implied_vol([6.0, -1.0, 150.0], 100.0, 100.0, 0.5, return_status=True)
    >>> vol.round(6), status
    (array([0.212895,      nan,      nan]), array([0, 1, 2], dtype=int8))
    >>> status[1] == IVStatus.BELOW_INTRINSIC
    np.True_
    >>> round(implied_vol(3.989422804014327, 100.0, 100.0, 1.0, model="bachelier"), 12)
    10.0
    """
    shape, flat, dt, model_code, scalar = market_args(
        {"price": price, "spot": spot, "strike": strike, "t": t, "rate": rate, "div": div},
        kind,
        model,
        dtype,
    )
    n = flat[0].shape[0]
    vol = np.empty(n, dtype=dt)
    status = np.empty(n, dtype=np.int8)
    parallel = n >= PARALLEL_THRESHOLD and numba.get_num_threads() > 1
    kernel = _iv.implied_vol_1d_par_nb if parallel else _iv.implied_vol_1d_nb
    kernel(*flat, model_code, vol, status)
    bad = np.flatnonzero(status)
    if bad.size:
        what = (
            f"implied_vol: {bad.size} of {n} prices have no implied volatility"
            f" ({_summary(status[bad])})"
        )
        if strict:
            listed = ", ".join(f"{int(i)}: {int(status[i])}" for i in bad[:_MAX_LISTED])
            more = "" if bad.size <= _MAX_LISTED else f", ... ({bad.size - _MAX_LISTED} more)"
            msg = f"{what}; flat index: status = {{{listed}{more}}}"
            raise ImpliedVolError(msg, bad, status[bad].copy())
        warnings.warn(f"{what} (NaN returned)", ImpliedVolWarning, stacklevel=2)
    out = wrap(vol, shape, scalar=scalar)
    if not return_status:
        return out
    return out, (int(status[0]) if scalar else status.reshape(shape))
