"""Volatility analytics: IV rank and percentile, expected move, realised vol, regimes.

Every function validates its input here, once, then calls a kernel in
:mod:`fastopt.kernels.vol`. Time runs along axis 0.

Inputs and outputs:

* NumPy arrays (or anything array-like) in, NumPy float64 arrays out, same
  shape (1-D, or 2-D with one series per column); warm-up rows are NaN;
* a Polars ``Series``/``DataFrame`` in, a Polars ``Series`` out, with null
  where the NumPy result has NaN;
* a pandas ``Series``/``DataFrame`` in, a pandas ``Series`` out carrying the
  input's index, NaN in the warm-up.

Computations run in float64 whatever the input dtype.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from fastopt._typing import Float64Array
from fastopt._validate import (
    as_float_array,
    broadcast,
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
    is_scalar_input,
    wrap,
)
from fastopt.kernels import vol as _kv

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "STRADDLE_FACTOR_NORMAL",
    "STRADDLE_FACTOR_RULE_OF_THUMB",
    "ExpectedMove",
    "VolEstimator",
    "VolRegime",
    "expected_move",
    "iv_percentile",
    "iv_rank",
    "realized_vol",
    "vol_regime",
]

Estimator: TypeAlias = Literal[
    "close_to_close", "parkinson", "garman_klass", "rogers_satchell", "yang_zhang"
]
RegimeMethod: TypeAlias = Literal["percentile", "level"]
StraddleMethod: TypeAlias = Literal["normal", "rule_of_thumb"]

VolEstimator = _kv.VolEstimator
"""Integer codes of the estimators (``VolEstimator.YANG_ZHANG == 4``)."""
VolRegime = _kv.VolRegime
"""Regime codes: ``UNDEFINED=-1, LOW=0, NORMAL=1, HIGH=2, EXTREME=3``."""

STRADDLE_FACTOR_NORMAL: float = math.sqrt(math.pi / 2.0)
"""sqrt(pi/2) = 1.2533: one sigma of a normal move per unit of ATM straddle price."""
STRADDLE_FACTOR_RULE_OF_THUMB: float = 0.85
"""The traders' "85 % of the straddle" expected-move heuristic (about 0.68 sigma)."""

_ESTIMATORS: tuple[str, ...] = (
    "close_to_close",
    "parkinson",
    "garman_klass",
    "rogers_satchell",
    "yang_zhang",
)
_ROLES: tuple[str, ...] = ("open", "high", "low", "close")
_NEEDS: dict[str, tuple[str, ...]] = {
    "close_to_close": ("close",),
    "parkinson": ("high", "low"),
    "garman_klass": _ROLES,
    "rogers_satchell": _ROLES,
    "yang_zhang": _ROLES,
}
# Estimators that use the previous close: their first row has no value.
_USES_PREVIOUS_CLOSE = frozenset({"close_to_close", "yang_zhang"})
_DEFAULT_THRESHOLDS: dict[str, tuple[float, ...]] = {
    "percentile": (25.0, 75.0, 95.0),
    "level": (0.12, 0.20, 0.30),
}


# --------------------------------------------------------------------------- input plumbing


def _pandas_type(obj: object, name: str) -> bool:
    """True if ``obj`` is a ``pandas.<name>`` (without importing pandas if it is not loaded)."""
    pd_mod = sys.modules.get("pandas")
    return pd_mod is not None and isinstance(obj, getattr(pd_mod, name))


@dataclass(frozen=True, slots=True)
class _Series:
    """A validated-to-float64 time series and how to give the result back."""

    values: Float64Array  # (n, k), C-contiguous
    kind: Literal["numpy", "polars", "pandas"]
    ndim: int
    index: Any = None


def _series_input(value: object, name: str) -> _Series:
    """Turn a NumPy/Polars/pandas series (1-D or 2-D array) into a float64 (n, k) array."""
    index: Any = None
    kind: Literal["numpy", "polars", "pandas"] = "numpy"
    if isinstance(value, pl.DataFrame | pl.LazyFrame):
        msg = f"`{name}` must be a 1-D/2-D array or a Series, got a Polars frame; select a column"
        raise TypeError(msg)
    if isinstance(value, pl.Series):
        if value.null_count():
            first = int(value.is_null().arg_max() or 0)
            msg = (
                f"`{name}` contains {value.null_count()} null values (first at row {first}); "
                "drop or fill them first"
            )
            raise ValueError(msg)
        if not value.dtype.is_numeric():
            msg = f"`{name}` must be numeric, got a Polars Series of dtype {value.dtype}"
            raise TypeError(msg)
        arr = as_float_array(value.to_numpy(), name)
        kind = "polars"
    elif _pandas_type(value, "Series"):
        index = value.index  # type: ignore[attr-defined]
        arr = as_float_array(value.to_numpy(), name)  # type: ignore[attr-defined]
        kind = "pandas"
    elif _pandas_type(value, "DataFrame"):
        msg = f"`{name}` must be a 1-D or 2-D array or a Series, got a pandas DataFrame"
        raise TypeError(msg)
    else:
        arr = as_float_array(value, name)
    if arr.ndim not in (1, 2):
        msg = f"`{name}` must be 1-D (time) or 2-D (time, series), got shape {arr.shape}"
        raise ValueError(msg)
    ndim = arr.ndim
    values = np.ascontiguousarray(arr.reshape(arr.shape[0], -1), dtype=np.float64)
    return _Series(values, kind, ndim, index)


def _check_window(window: object, n: int, what: str) -> int:
    """``window`` must be an integer in [2, n]; ``what`` names the ``n`` observations."""
    w = check_int(window, "window", 2)
    if w > n:
        msg = f"`window` must be <= {n} (the number of {what}), got {w}"
        raise ValueError(msg)
    return w


def _output(result: npt.NDArray[Any], src: _Series, name: str) -> Any:
    """Give the kernel's (n, k) result back in the caller's container."""
    if src.ndim == 1:
        result = result[:, 0]
    if src.kind == "polars":
        if result.dtype.kind == "f":
            return pl.Series(name, result, nan_to_null=True)
        series = pl.Series(name, result)
        return series.set(series == -1, None)
    if src.kind == "pandas":
        import pandas as pd  # already loaded: the input was a pandas object

        return pd.Series(result, index=src.index, name=name)
    return result


# --------------------------------------------------------------------------- IV rank / percentile


@overload
def iv_rank(iv: pl.Series, *, window: int = 252) -> pl.Series: ...
@overload
def iv_rank(iv: pd.Series[float], *, window: int = 252) -> pd.Series[float]: ...
@overload
def iv_rank(iv: npt.ArrayLike, *, window: int = 252) -> Float64Array: ...
def iv_rank(iv: Any, *, window: int = 252) -> Any:
    r"""Rolling implied-volatility rank over a trailing window, in percent.

    Parameters
    ----------
    iv : array_like, polars.Series or pandas.Series
        Implied volatility, shape ``(n,)`` or ``(n, k)`` (time on axis 0, one
        series per column). Any units (decimal or percentage points): the rank
        is scale-free. Must be finite and ``>= 0``.
    window : int, default 252
        Number of observations in the window, today included (252 = one year
        of trading days). ``2 <= window <= n``.

    Returns
    -------
    numpy.ndarray, polars.Series or pandas.Series
        IV rank in ``[0, 100]``, same length as ``iv``. The first
        ``window - 1`` rows are NaN (null for Polars), and so is every row
        whose window is flat (``max == min``: no rank exists).

    Raises
    ------
    TypeError
        ``iv`` is not numeric, or ``window`` is not an integer.
    ValueError
        ``iv`` holds NaN/inf/null or a negative value (the message names the
        row), or ``window`` is outside ``[2, n]``.

    Notes
    -----
    With :math:`W_t = \{x_{t-w+1}, \dots, x_t\}` the window ending today,

    .. math::

        \mathrm{rank}_t = 100 \, \frac{x_t - \min W_t}{\max W_t - \min W_t}.

    0 means today's IV is the lowest of the window, 100 the highest. The
    rolling min/max use monotone deques (O(n)).

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.volatility import iv_rank
    >>> iv_rank(np.array([0.20, 0.30, 0.25, 0.10, 0.40]), window=3)
    array([ nan,  nan,  50.,   0., 100.])
    """
    src = _series_input(iv, "iv")
    check_nonnegative(src.values, "iv")
    w = _check_window(window, src.values.shape[0], "observations in `iv`")
    return _output(_kv.iv_rank_nb(src.values, w), src, "iv_rank")


@overload
def iv_percentile(iv: pl.Series, *, window: int = 252) -> pl.Series: ...
@overload
def iv_percentile(iv: pd.Series[float], *, window: int = 252) -> pd.Series[float]: ...
@overload
def iv_percentile(iv: npt.ArrayLike, *, window: int = 252) -> Float64Array: ...
def iv_percentile(iv: Any, *, window: int = 252) -> Any:
    r"""Rolling implied-volatility percentile: % of the previous ``window - 1`` days below today.

    Parameters
    ----------
    iv : array_like, polars.Series or pandas.Series
        Implied volatility, shape ``(n,)`` or ``(n, k)`` (time on axis 0). Any
        units. Must be finite and ``>= 0``.
    window : int, default 252
        Number of observations in the window, today included, so today is
        compared with the ``window - 1`` observations before it.
        ``2 <= window <= n``.

    Returns
    -------
    numpy.ndarray, polars.Series or pandas.Series
        IV percentile in ``[0, 100]``; the first ``window - 1`` rows are NaN
        (null for Polars).

    Raises
    ------
    TypeError
        ``iv`` is not numeric, or ``window`` is not an integer.
    ValueError
        ``iv`` holds NaN/inf/null or a negative value, or ``window`` is outside
        ``[2, n]``.

    Notes
    -----
    .. math::

        \mathrm{pct}_t = \frac{100}{w - 1} \sum_{j=t-w+1}^{t-1} \mathbf{1}[x_j < x_t].

    Ties count as not below, so a value equal to all of its predecessors has
    percentile 0 and one above all of them has 100. This equals pandas'
    ``(s.rolling(w).rank(method="min") - 1) / (w - 1) * 100``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.volatility import iv_percentile
    >>> iv_percentile(np.array([0.20, 0.30, 0.25, 0.10, 0.40]), window=3)
    array([ nan,  nan,  50.,   0., 100.])
    """
    src = _series_input(iv, "iv")
    check_nonnegative(src.values, "iv")
    w = _check_window(window, src.values.shape[0], "observations in `iv`")
    return _output(_kv.iv_percentile_nb(src.values, w), src, "iv_percentile")


# --------------------------------------------------------------------------- expected move


@dataclass(frozen=True, slots=True)
class ExpectedMove:
    """An expected move and its band around spot.

    Attributes
    ----------
    move : float or numpy.ndarray
        Size of the move in price units (``n_sigma`` standard deviations).
    lower, upper : float or numpy.ndarray
        ``spot - move`` and ``spot + move``.
    """

    move: Any
    lower: Any
    upper: Any


def expected_move(
    spot: npt.ArrayLike,
    *,
    iv: npt.ArrayLike | None = None,
    t: npt.ArrayLike | None = None,
    straddle: npt.ArrayLike | None = None,
    straddle_method: StraddleMethod = "normal",
    n_sigma: float = 1.0,
) -> ExpectedMove:
    r"""Expected move of the underlying, from implied volatility or from the ATM straddle.

    Give either ``iv`` and ``t``, or ``straddle``.

    Parameters
    ----------
    spot : array_like
        Current price of the underlying, ``> 0``.
    iv : array_like, optional
        Implied volatility, annualised decimal (0.20 = 20 %), ``>= 0``.
    t : array_like, optional
        Time to the horizon (usually the expiry) in years, ``>= 0``; required
        with ``iv``.
    straddle : array_like, optional
        Price of the at-the-money straddle (call + put) expiring at the
        horizon, per share, ``>= 0``.
    straddle_method : {"normal", "rule_of_thumb"}, default "normal"
        How a straddle price becomes a move: ``"normal"`` multiplies by
        :data:`STRADDLE_FACTOR_NORMAL` = sqrt(pi/2) = 1.2533 (a one-sigma
        move, consistent with the ``iv`` route); ``"rule_of_thumb"``
        multiplies by 0.85, the traders' convention (see Notes).
    n_sigma : float, default 1.0
        Width of the band in standard deviations, ``> 0``.

    Returns
    -------
    ExpectedMove
        ``move``, ``lower = spot - move``, ``upper = spot + move``: floats when
        every input is a scalar, else arrays of the broadcast shape.

    Raises
    ------
    TypeError
        A non-numeric argument.
    ValueError
        Neither or both of ``iv`` and ``straddle``; ``iv`` without ``t``;
        ``spot <= 0``; negative (or NaN) ``iv``, ``t`` or ``straddle``;
        ``n_sigma <= 0``; an unknown ``straddle_method``; shapes that do not
        broadcast.

    Notes
    -----
    From implied volatility (the standard deviation of the price over
    ``t`` years under a normal approximation of the lognormal move):

    .. math::

        \mathrm{move} = n_\sigma \, S \, \sigma_{\mathrm{iv}} \sqrt{t}.

    From the straddle: with zero rates and :math:`K = S`, the ATM straddle is
    worth :math:`E|S_T - S|`, and for a normal move with standard deviation
    :math:`s` that is :math:`E|X| = s\sqrt{2/\pi} \approx 0.798\,s`. Hence

    .. math::

        \mathrm{move} = n_\sigma \sqrt{\pi / 2} \; \mathrm{straddle}
        \approx 1.2533 \, n_\sigma \, \mathrm{straddle}
        \quad (\texttt{"normal"}),

    which agrees with the ``iv`` route to first order in
    :math:`\sigma\sqrt{t}`. The widespread "expected move = 0.85 x straddle"
    is a heuristic, not a one-sigma move: under the normal model it is
    :math:`0.85 \sqrt{2/\pi} \approx 0.68` sigma (``"rule_of_thumb"`` gives it,
    still multiplied by ``n_sigma``). We default to the exact normal ratio so
    that both routes answer the same question.

    The band is arithmetic, ``spot -/+ move``; ``lower`` is negative when the
    move exceeds spot (a very large ``n_sigma * iv * sqrt(t)``).

    Examples
    --------
    >>> from fastopt.volatility import expected_move
    >>> em = expected_move(100.0, iv=0.20, t=0.25)
    >>> round(em.move, 10), round(em.lower, 10), round(em.upper, 10)
    (10.0, 90.0, 110.0)
    >>> round(expected_move(100.0, straddle=8.0).move, 4)
    10.0265
    >>> round(expected_move(100.0, straddle=8.0, straddle_method="rule_of_thumb").move, 4)
    6.8
    """
    method = check_choice(straddle_method, "straddle_method", ("normal", "rule_of_thumb"))
    k = as_float_array(n_sigma, "n_sigma")
    if k.ndim != 0:
        msg = f"`n_sigma` must be a scalar, got shape {k.shape}"
        raise ValueError(msg)
    check_positive(k, "n_sigma")
    s = as_float_array(spot, "spot")
    check_positive(s, "spot")
    if (iv is None) == (straddle is None):
        msg = (
            "give either `iv` (with `t`) or `straddle`, not both and not neither; "
            f"got iv={iv!r:.40}, straddle={straddle!r:.40}"
        )
        raise ValueError(msg)
    if iv is not None:
        if t is None:
            msg = "`t` (years to the horizon) is required with `iv`"
            raise ValueError(msg)
        v = as_float_array(iv, "iv")
        check_nonnegative(v, "iv")
        tt = as_float_array(t, "t")
        check_nonnegative(tt, "t")
        shape, (s_f, v_f, t_f) = broadcast({"spot": s, "iv": v, "t": tt})
        sigma_move = _kv.one_sigma_from_iv_1d_nb(
            s_f.astype(np.float64), v_f.astype(np.float64), t_f.astype(np.float64)
        )
        scalar = is_scalar_input(spot, iv, t)
    else:
        if t is not None:
            msg = "`t` is used only with `iv`; the straddle price already reflects the horizon"
            raise ValueError(msg)
        st = as_float_array(straddle, "straddle")
        check_nonnegative(st, "straddle")
        shape, (s_f, st_f) = broadcast({"spot": s, "straddle": st})
        factor = STRADDLE_FACTOR_NORMAL if method == "normal" else STRADDLE_FACTOR_RULE_OF_THUMB
        sigma_move = _kv.one_sigma_from_straddle_1d_nb(st_f.astype(np.float64), factor)
        scalar = is_scalar_input(spot, straddle)
    move, lower, upper = _kv.expected_move_1d_nb(s_f.astype(np.float64), sigma_move, float(k))
    return ExpectedMove(
        move=wrap(move, shape, scalar=scalar),
        lower=wrap(lower, shape, scalar=scalar),
        upper=wrap(upper, shape, scalar=scalar),
    )


# --------------------------------------------------------------------------- realised vol


def _find_column(columns: list[str], role: str, override: str | None) -> str | None:
    """The frame column holding ``role``: ``override`` if given, else a case-insensitive match."""
    if override is not None:
        return override if override in columns else None
    hits = [c for c in columns if c.lower() == role]
    if len(hits) > 1:
        msg = f"several columns match {role!r} case-insensitively: {hits}; pass `columns`"
        raise ValueError(msg)
    return hits[0] if hits else None


def _ohlc_input(
    data: object, needs: tuple[str, ...], columns: Mapping[str, str] | None
) -> tuple[dict[str, Float64Array], _Series]:
    """Extract the needed price arrays as float64 (n, k) plus the output container info."""
    overrides = dict(columns or {})
    unknown = sorted(set(overrides) - set(_ROLES))
    if unknown:
        msg = f"`columns` keys must be among {list(_ROLES)}, got {unknown}"
        raise ValueError(msg)
    raw: dict[str, Any] = {}
    kind: Literal["numpy", "polars", "pandas"] = "numpy"
    index: Any = None
    is_frame = isinstance(data, pl.DataFrame) or _pandas_type(data, "DataFrame")
    if is_frame or isinstance(data, Mapping):
        if isinstance(data, pl.DataFrame):
            kind = "polars"
            names = list(data.columns)
        elif isinstance(data, Mapping):
            names = [str(c) for c in data]
        else:
            kind = "pandas"
            index = data.index  # type: ignore[attr-defined]
            names = [str(c) for c in data.columns]  # type: ignore[attr-defined]
        found = {r: _find_column(names, r, overrides.get(r)) for r in needs}
        missing = [f"{r!r}" + (f" (as {overrides[r]!r})" if r in overrides else "")
                   for r, c in found.items() if c is None]  # fmt: skip
        if missing:
            msg = (
                f"`data` is missing the column(s) {', '.join(missing)} needed by this "
                f"estimator; it has {names}. Map other names with `columns`, "
                "e.g. columns={'close': 'adj_close'}"
            )
            raise ValueError(msg)
        for role, col in found.items():
            if isinstance(data, pl.DataFrame):
                series = data.get_column(str(col))
                if series.null_count():
                    row = int(series.is_null().arg_max() or 0)
                    msg = (
                        f"`{role}` (column {col!r}) contains {series.null_count()} null "
                        f"values (first at row {row}); drop or fill them first"
                    )
                    raise ValueError(msg)
                raw[role] = series.to_numpy()
            elif isinstance(data, Mapping):
                raw[role] = data[col]
            else:
                raw[role] = data[col].to_numpy()  # type: ignore[index]
    else:
        if needs != ("close",):
            msg = (
                "this estimator needs open/high/low/close prices: pass a Polars or pandas "
                "DataFrame or a mapping of arrays, not a single price series "
                f"(got {type(data).__name__})"
            )
            raise ValueError(msg)
        src = _series_input(data, "close")
        return {"close": src.values}, src
    arrays: dict[str, Float64Array] = {}
    shape: tuple[int, ...] | None = None
    for role in needs:
        arr = as_float_array(raw[role], role)
        if arr.ndim not in (1, 2):
            msg = f"`{role}` must be 1-D (time) or 2-D (time, series), got shape {arr.shape}"
            raise ValueError(msg)
        if shape is None:
            shape = arr.shape
        elif arr.shape != shape:
            msg = f"price arrays must share one shape: `{needs[0]}` {shape}, `{role}` {arr.shape}"
            raise ValueError(msg)
        arrays[role] = np.ascontiguousarray(arr.reshape(arr.shape[0], -1), dtype=np.float64)
    ndim = len(shape) if shape is not None else 1
    first = arrays[needs[0]]
    return arrays, _Series(first, kind, ndim, index)


def _where(mask: npt.NDArray[np.bool_]) -> str:
    """'row i' (and column for 2-D input) of the first True in an (n, k) mask, plus a count."""
    rows, cols = np.nonzero(mask)
    where = f"row {int(rows[0])}" + (f", column {int(cols[0])}" if mask.shape[1] > 1 else "")
    return where + ("" if rows.size == 1 else f" ({rows.size} rows)")


def _check_ohlc(p: dict[str, Float64Array]) -> None:
    """Positive prices and a consistent bar: low <= open, close <= high."""
    for role, arr in p.items():
        check_positive(arr, role)
    if "high" in p and "low" in p:
        bad = p["high"] < p["low"]
        if bad.any():
            i = np.nonzero(bad)
            msg = (
                f"`high` must be >= `low`, got high={p['high'][i][0]!r}, "
                f"low={p['low'][i][0]!r} at {_where(bad)}"
            )
            raise ValueError(msg)
    if "open" in p:
        top = np.maximum(p["open"], p["close"])
        bad = p["high"] < top
        if bad.any():
            i = np.nonzero(bad)
            msg = (
                f"`high` must be >= max(`open`, `close`), got high={p['high'][i][0]!r}, "
                f"open={p['open'][i][0]!r}, close={p['close'][i][0]!r} at {_where(bad)}"
            )
            raise ValueError(msg)
        bottom = np.minimum(p["open"], p["close"])
        bad = p["low"] > bottom
        if bad.any():
            i = np.nonzero(bad)
            msg = (
                f"`low` must be <= min(`open`, `close`), got low={p['low'][i][0]!r}, "
                f"open={p['open'][i][0]!r}, close={p['close'][i][0]!r} at {_where(bad)}"
            )
            raise ValueError(msg)


@overload
def realized_vol(
    data: pl.DataFrame | pl.Series,
    *,
    estimator: Estimator = ...,
    window: int = ...,
    periods_per_year: float = ...,
    demean: bool = ...,
    columns: Mapping[str, str] | None = ...,
) -> pl.Series: ...
@overload
def realized_vol(
    data: pd.DataFrame | pd.Series[float],
    *,
    estimator: Estimator = ...,
    window: int = ...,
    periods_per_year: float = ...,
    demean: bool = ...,
    columns: Mapping[str, str] | None = ...,
) -> pd.Series[float]: ...
@overload
def realized_vol(
    data: npt.ArrayLike | Mapping[str, npt.ArrayLike],
    *,
    estimator: Estimator = ...,
    window: int = ...,
    periods_per_year: float = ...,
    demean: bool = ...,
    columns: Mapping[str, str] | None = ...,
) -> Float64Array: ...
def realized_vol(
    data: Any,
    *,
    estimator: Estimator = "close_to_close",
    window: int = 21,
    periods_per_year: float = 252,
    demean: bool = True,
    columns: Mapping[str, str] | None = None,
) -> Any:
    r"""Rolling realised (historical) volatility, annualised, from closes or OHLC bars.

    Parameters
    ----------
    data : polars.DataFrame, pandas.DataFrame, mapping, or close prices
        A frame with columns ``open``, ``high``, ``low``, ``close`` (matched
        case-insensitively; other names through ``columns``), a mapping of
        those names to arrays of shape ``(n,)`` or ``(n, k)``, or, for
        ``"close_to_close"`` only, the close prices themselves (array,
        Polars or pandas Series). Only the columns the estimator uses are
        required. Prices must be finite and ``> 0`` with
        ``low <= min(open, close)`` and ``high >= max(open, close)``.
    estimator : {"close_to_close", "parkinson", "garman_klass", "rogers_satchell", "yang_zhang"}
        Which estimator (see Notes). Default ``"close_to_close"``.
    window : int, default 21
        Number of periods (bars, or returns for close-to-close) per estimate.
        At least 2; at most ``n`` for the range estimators and ``n - 1`` for
        those that use the previous close (close-to-close, Yang-Zhang).
    periods_per_year : float, default 252
        Bars per year used to annualise (252 trading days, 52 weeks, 12 months).
    demean : bool, default True
        Close-to-close only: subtract the window's mean return (sample
        standard deviation, ddof=1) or not (zero-mean root mean square).
    columns : mapping, optional
        Column names for the roles, e.g. ``{"close": "adj_close"}``.

    Returns
    -------
    numpy.ndarray, polars.Series or pandas.Series
        Annualised volatility (0.2 = 20 %) per row, shape ``(n,)`` or
        ``(n, k)``: a Polars Series (named ``realized_vol``, null in the
        warm-up) for Polars input, a pandas Series with the input's index for
        pandas input, else a NumPy array with NaN in the warm-up. The warm-up
        is ``window`` rows for close-to-close and Yang-Zhang (they need the
        previous close) and ``window - 1`` rows for the others.

    Raises
    ------
    TypeError
        Non-numeric prices, a non-integer ``window``.
    ValueError
        Unknown ``estimator`` (the message lists the allowed ones); missing
        columns (named); a non-positive, NaN or null price; an inconsistent bar
        (``high < low``, ``high < max(open, close)``, ``low > min(open, close)``,
        naming the row); ``window`` out of range; ``periods_per_year <= 0``;
        ``demean=False`` with an estimator other than close-to-close.

    Notes
    -----
    With :math:`r_i = \ln(C_i / C_{i-1})`, :math:`o_i = \ln(O_i / C_{i-1})`,
    :math:`c_i = \ln(C_i / O_i)`, :math:`u_i = \ln(H_i / O_i)`,
    :math:`d_i = \ln(L_i / O_i)`, a window of :math:`w` bars and
    :math:`P` = ``periods_per_year``, the estimate is
    :math:`\sigma = \sqrt{P\,V}` with

    .. math::

        V_{cc} &= \frac{1}{w-1} \sum (r_i - \bar r)^2
            \quad \Big(\text{or } \frac{1}{w} \sum r_i^2 \text{ if not demeaned}\Big) \\
        V_{P} &= \frac{1}{4 w \ln 2} \sum \ln(H_i / L_i)^2 \\
        V_{GK} &= \frac{1}{w} \sum \Big[\tfrac12 \ln(H_i/L_i)^2 - (2\ln 2 - 1)\, c_i^2\Big] \\
        V_{RS} &= \frac{1}{w} \sum \big[u_i (u_i - c_i) + d_i (d_i - c_i)\big] \\
        V_{YZ} &= V_o + k V_c + (1 - k) V_{RS}, \qquad
            k = \frac{0.34}{1.34 + (w + 1)/(w - 1)}

    where :math:`V_o` and :math:`V_c` are the sample variances (ddof=1) of
    :math:`o_i` and :math:`c_i` over the window. Parkinson and Garman-Klass
    assume no drift and no overnight gap; Rogers-Satchell allows drift;
    Yang-Zhang allows drift and gaps (minimum-variance combination).
    The rolling sums are O(n) (see :mod:`fastopt.kernels.vol`).

    References
    ----------
    .. [1] M. Parkinson, "The extreme value method for estimating the variance
       of the rate of return", J. Business 53 (1980) 61-65.
    .. [2] M. B. Garman, M. J. Klass, "On the estimation of security price
       volatilities from historical data", J. Business 53 (1980) 67-78.
    .. [3] L. C. G. Rogers, S. E. Satchell, "Estimating variance from high,
       low and closing prices", Ann. Appl. Probab. 1 (1991) 504-512.
    .. [4] D. Yang, Q. Zhang, "Drift-independent volatility estimation based
       on high, low, open, and close prices", J. Business 73 (2000) 477-492.

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.volatility import realized_vol
    >>> close = 100.0 * np.exp(0.01 * np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0]))
    >>> vol = realized_vol(close, window=4, periods_per_year=252)
    >>> np.round(vol, 4)
    array([   nan,    nan,    nan,    nan, 0.1833, 0.1833])
    >>> import polars as pl
    >>> bars = pl.DataFrame({"Open": [100.0, 101.0, 102.0], "High": [102.0, 103.0, 104.0],
    ...                      "Low": [99.0, 100.0, 101.0], "Close": [101.0, 102.0, 103.0]})
    >>> realized_vol(bars, estimator="parkinson", window=2).round(4).to_list()
    [None, 0.2832, 0.2804]
    """
    est = check_choice(estimator, "estimator", _ESTIMATORS)
    if not isinstance(demean, bool | np.bool_):
        msg = f"`demean` must be True or False, got {demean!r}"
        raise TypeError(msg)
    if not demean and est != "close_to_close":
        msg = f"`demean=False` applies only to estimator='close_to_close', got {est!r}"
        raise ValueError(msg)
    ppy = as_float_array(periods_per_year, "periods_per_year")
    if ppy.ndim != 0:
        msg = f"`periods_per_year` must be a scalar, got shape {ppy.shape}"
        raise ValueError(msg)
    check_positive(ppy, "periods_per_year")
    needs = _NEEDS[est]
    prices, src = _ohlc_input(data, needs, columns)
    _check_ohlc(prices)
    n = src.values.shape[0]
    if est in _USES_PREVIOUS_CLOSE:
        w = _check_window(window, n - 1, f"returns in {n} prices, for estimator {est!r}")
    else:
        w = _check_window(window, n, f"bars, for estimator {est!r}")
    close = prices.get("close", src.values)
    result = _kv.realized_vol_nb(
        prices.get("open", close),
        prices.get("high", close),
        prices.get("low", close),
        close,
        _ESTIMATORS.index(est),
        w,
        float(ppy),
        bool(demean),
    )
    return _output(result, src, "realized_vol")


# --------------------------------------------------------------------------- regimes


@overload
def vol_regime(
    vol: pl.Series,
    *,
    method: RegimeMethod = ...,
    window: int = ...,
    thresholds: tuple[float, ...] | None = ...,
) -> pl.Series: ...
@overload
def vol_regime(
    vol: pd.Series[float],
    *,
    method: RegimeMethod = ...,
    window: int = ...,
    thresholds: tuple[float, ...] | None = ...,
) -> pd.Series[int]: ...
@overload
def vol_regime(
    vol: npt.ArrayLike,
    *,
    method: RegimeMethod = ...,
    window: int = ...,
    thresholds: tuple[float, ...] | None = ...,
) -> npt.NDArray[np.int8]: ...
def vol_regime(
    vol: Any,
    *,
    method: RegimeMethod = "percentile",
    window: int = 252,
    thresholds: tuple[float, ...] | None = None,
) -> Any:
    r"""Classify a volatility series into integer regimes (low / normal / high / extreme).

    Parameters
    ----------
    vol : array_like, polars.Series or pandas.Series
        Volatility (implied, e.g. VIX / 100, or realised), shape ``(n,)`` or
        ``(n, k)``, finite and ``>= 0``.
    method : {"percentile", "level"}, default "percentile"
        ``"percentile"``: bucket today's rolling percentile
        (:func:`iv_percentile` over ``window``) by ``thresholds`` in percent,
        default ``(25, 75, 95)``. ``"level"``: bucket the volatility itself,
        default ``(0.12, 0.20, 0.30)`` (annualised decimals, VIX 12/20/30).
    window : int, default 252
        Window of the rolling percentile (``"percentile"`` only).
    thresholds : tuple of float, optional
        Strictly increasing cut points; ``m`` thresholds give regimes
        ``0 .. m``. With ``"percentile"`` they must lie in ``[0, 100]``.

    Returns
    -------
    numpy.ndarray of int8, polars.Series or pandas.Series
        Regime per row: the number of thresholds at or below the value, so
        with three thresholds ``VolRegime.LOW=0, NORMAL=1, HIGH=2,
        EXTREME=3``. ``-1`` (``VolRegime.UNDEFINED``; null for Polars) in the
        first ``window - 1`` rows of the ``"percentile"`` method.

    Raises
    ------
    TypeError
        Non-numeric ``vol`` or ``thresholds``, non-integer ``window``.
    ValueError
        NaN/negative ``vol``; unknown ``method``; thresholds empty, not
        strictly increasing, or out of range; ``window`` outside ``[2, n]``.

    Notes
    -----
    With cut points :math:`c_1 < \dots < c_m` and the classified value
    :math:`y_t` (the percentile or the level),

    .. math::

        \mathrm{regime}_t = \#\{\, i : c_i \le y_t \,\}.

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.volatility import vol_regime
    >>> vol_regime(np.array([0.10, 0.15, 0.25, 0.45]), method="level")
    array([0, 1, 2, 3], dtype=int8)
    """
    meth = check_choice(method, "method", ("percentile", "level"))
    src = _series_input(vol, "vol")
    check_nonnegative(src.values, "vol")
    cuts = as_float_array(
        _DEFAULT_THRESHOLDS[meth] if thresholds is None else thresholds, "thresholds"
    )
    if cuts.ndim != 1 or cuts.size == 0:
        msg = f"`thresholds` must be a non-empty 1-D sequence, got {thresholds!r}"
        raise ValueError(msg)
    cuts = np.ascontiguousarray(cuts, dtype=np.float64)
    if not np.all(np.isfinite(cuts)) or np.any(np.diff(cuts) <= 0):
        msg = f"`thresholds` must be finite and strictly increasing, got {thresholds!r}"
        raise ValueError(msg)
    if meth == "percentile":
        if cuts[0] < 0 or cuts[-1] > 100:
            msg = f"`thresholds` are percentiles here: each within [0, 100], got {thresholds!r}"
            raise ValueError(msg)
        w = _check_window(window, src.values.shape[0], "observations in `vol`")
        values = _kv.iv_percentile_nb(src.values, w)
    else:
        if cuts[0] < 0:
            msg = f"`thresholds` are volatility levels here: each >= 0, got {thresholds!r}"
            raise ValueError(msg)
        values = src.values
    return _output(_kv.vol_regime_nb(values, cuts), src, "vol_regime")
