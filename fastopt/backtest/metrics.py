"""Performance metrics of backtests: many equity curves at once, one row per curve.

The arithmetic lives in :mod:`fastopt.kernels.metrics` (see its module
docstring for every formula); this module validates the inputs once, packs
them into contiguous float64 arrays and wraps the result in a Polars frame.

Equity curves are given as rows: a 2-D array is ``(n_curves, n_periods)``, a
1-D array is one curve, a list holds curves of equal length, a Polars or
pandas ``Series`` is one curve and a Polars or pandas ``DataFrame`` holds one
curve per column (Polars date/time columns are skipped).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt._typing import Float64Array
from fastopt._validate import as_float_array, readonly, scalar_float
from fastopt.kernels import metrics as _km
from fastopt.parallel import use_parallel

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = [
    "BENCHMARK_COLUMNS",
    "METRIC_COLUMNS",
    "ZERO_VOL",
    "drawdown",
    "performance_metrics",
]

METRIC_COLUMNS: tuple[str, ...] = _km.METRIC_NAMES
"""The metric columns of :func:`performance_metrics`, in order (after ``curve``)."""
BENCHMARK_COLUMNS: tuple[str, ...] = (
    "benchmark_return",
    "benchmark_sharpe",
    "benchmark_max_drawdown",
    *_km.RELATIVE_NAMES,
)
"""The columns added by ``benchmark=`` (after the metric columns)."""
ZERO_VOL: float = _km.ZERO_VOL
"""Per-period standard deviations at or below this count as zero (Sharpe is then NaN)."""

_INT_COLUMNS = frozenset({"max_drawdown_duration", "max_drawdown_recovery", "n_trades"})
_EMPTY_OFFSETS = readonly(np.zeros(0, dtype=np.int64))
_EMPTY_PNL = readonly(np.zeros(0, dtype=np.float64))


# --------------------------------------------------------------------------- input plumbing


def _polars_curves(value: pl.Series | pl.DataFrame, name: str) -> tuple[Any, list[str] | None]:
    """Rows of values and curve names from a Polars Series or frame (one curve per column)."""
    series: list[pl.Series]
    if isinstance(value, pl.Series):
        series = [value]
    else:
        series = [s for s in value.get_columns() if not s.dtype.is_temporal()]
        if not series:
            msg = f"`{name}` frame has no numeric columns; got columns {value.columns}"
            raise ValueError(msg)
    rows = []
    for s in series:
        if not s.dtype.is_numeric():
            msg = f"`{name}` must be numeric, got column {s.name!r} of dtype {s.dtype}"
            raise TypeError(msg)
        if s.null_count():
            first = int(s.is_null().arg_max() or 0)
            msg = (
                f"`{name}` column {s.name!r} contains {s.null_count()} null values "
                f"(first at row {first}); drop or fill them first"
            )
            raise ValueError(msg)
        rows.append(s.to_numpy())
    names = [s.name for s in series] if isinstance(value, pl.DataFrame) else None
    return np.stack(rows) if len(rows) > 1 else rows[0], names


def _is_pandas_frame(obj: object) -> bool:
    """True for a pandas DataFrame (without importing pandas if it is not loaded)."""
    pd_mod = sys.modules.get("pandas")
    return pd_mod is not None and isinstance(obj, pd_mod.DataFrame)


def _where(bad: np.ndarray[Any, Any], arr: np.ndarray[Any, Any]) -> str:
    """'<value> at curve i, period t' of the first True in the (c, n) mask ``bad``."""
    rows, cols = np.nonzero(bad)
    i, t = int(rows[0]), int(cols[0])
    more = "" if rows.size == 1 else f" ({rows.size} values)"
    return f"{float(arr[i, t])!r} at curve {i}, period {t}{more}"


def _curves(
    value: object, name: str, *, positive: bool = True
) -> tuple[Float64Array, list[str] | None, int]:
    """Validated ``(n_curves, n_periods)`` float64 C array, curve names, input ndim."""
    names: list[str] | None = None
    raw: Any = value
    if isinstance(value, pl.LazyFrame):
        raw = value.collect()
    if isinstance(raw, pl.Series | pl.DataFrame):
        raw, names = _polars_curves(raw, name)
    elif _is_pandas_frame(raw):
        names = [str(col) for col in raw.columns]
        raw = as_float_array(raw.to_numpy(), name).T  # columns are curves
    elif isinstance(raw, list | tuple) and raw and all(np.ndim(v) == 1 for v in raw):
        lengths = {len(v) for v in raw}
        if len(lengths) > 1:
            msg = (
                f"`{name}` curves must have equal lengths, got lengths {[len(v) for v in raw][:10]}"
            )
            raise ValueError(msg)
        raw = [as_float_array(v, f"{name}[{i}]") for i, v in enumerate(raw)]
    arr = as_float_array(raw, name)
    ndim = arr.ndim
    if ndim not in (1, 2):
        msg = f"`{name}` must be 1-D (one curve) or 2-D (curves, periods), got shape {arr.shape}"
        raise ValueError(msg)
    out = np.ascontiguousarray(arr.reshape(-1, arr.shape[-1]), dtype=np.float64)
    if out.shape[0] < 1 or out.shape[1] < 2:
        msg = (
            f"`{name}` needs at least 1 curve of at least 2 periods (curves are rows: "
            f"(n_curves, n_periods)), got shape {arr.shape}"
        )
        raise ValueError(msg)
    finite = np.isfinite(out)
    if not finite.all():
        msg = f"`{name}` must be finite, got {_where(~finite, out)}"
        raise ValueError(msg)
    if positive and not (out > 0.0).all():
        msg = (
            f"`{name}` must be > 0 (returns need a positive account value; pass "
            f"relative=False to `drawdown` for P&L curves), got {_where(out <= 0.0, out)}"
        )
        raise ValueError(msg)
    return readonly(out), names, ndim


def _trades(trades: object, n_curves: int) -> tuple[Float64Array, np.ndarray[Any, Any]]:
    """CSR ``(pnl, offsets)`` from a tuple ``(pnl, offsets)``, a list per curve or one array."""
    if isinstance(trades, tuple) and len(trades) == 2 and np.ndim(trades[1]) == 1:
        offsets_raw = np.asarray(trades[1])
        if offsets_raw.dtype.kind not in "iu":
            msg = (
                "`trades` as a tuple is (pnl, offsets) with integer offsets; got offsets of "
                f"dtype {offsets_raw.dtype} (give per-curve trades as a list instead)"
            )
            raise TypeError(msg)
        pnl = as_float_array(trades[0], "trades")
        offsets = offsets_raw.astype(np.int64)
        if pnl.ndim != 1:
            msg = f"`trades` P&Ls must be 1-D, got shape {pnl.shape}"
            raise ValueError(msg)
        if (
            offsets.shape[0] != n_curves + 1
            or offsets[0] != 0
            or offsets[-1] != pnl.shape[0]
            or np.any(np.diff(offsets) < 0)
        ):
            msg = (
                f"`trades` offsets must be non-decreasing, of length n_curves + 1 = "
                f"{n_curves + 1}, start at 0 and end at len(pnl) = {pnl.shape[0]}; got "
                f"{offsets.tolist()!r:.120}"
            )
            raise ValueError(msg)
    else:
        if isinstance(trades, list | tuple) and (
            n_curves > 1 or (trades and np.ndim(trades[0]) == 1)
        ):
            per_curve = list(trades)
        else:
            per_curve = [trades]
        if len(per_curve) != n_curves:
            msg = f"`trades` must hold one trade list per curve ({n_curves}), got {len(per_curve)}"
            raise ValueError(msg)
        parts = []
        for i, p in enumerate(per_curve):
            arr = as_float_array(p, f"trades[{i}]")
            if arr.ndim != 1:
                msg = f"`trades[{i}]` must be a 1-D array of trade P&Ls, got shape {arr.shape}"
                raise ValueError(msg)
            parts.append(arr.astype(np.float64))
        offsets = np.zeros(n_curves + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([a.shape[0] for a in parts])
        pnl = np.concatenate(parts) if parts else _EMPTY_PNL
    pnl = np.ascontiguousarray(pnl, dtype=np.float64)
    bad = ~np.isfinite(pnl)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        msg = f"`trades` P&Ls must be finite, got {float(pnl[i])!r} at flat index {i}"
        raise ValueError(msg)
    return readonly(pnl), readonly(np.ascontiguousarray(offsets))


def _exposure(exposure: object, shape: tuple[int, int]) -> Float64Array:
    """Position mask/sizes of shape (n_periods,) or (n_curves, n_periods) as (c, n) float64."""
    arr = as_float_array(exposure, "exposure")
    if arr.shape not in ((shape[1],), shape):
        msg = (
            f"`exposure` must have shape ({shape[1]},) or {shape} (a position mask per "
            f"period), got {arr.shape}"
        )
        raise ValueError(msg)
    arr = np.ascontiguousarray(np.broadcast_to(arr, shape), dtype=np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        msg = f"`exposure` must be finite, got {_where(~finite, arr)}"
        raise ValueError(msg)
    return readonly(arr)


def _metrics(
    values: Float64Array,
    pnl: Float64Array,
    offsets: np.ndarray[Any, Any],
    exposure: Float64Array,
    ppy: float,
    rf: float,
    target: float,
) -> Float64Array:
    """Run the serial or the parallel metrics kernel; (N_METRICS, n_curves)."""
    out = np.empty((_km.N_METRICS, values.shape[0]))
    kernel = (
        _km.performance_metrics_par_nb
        if use_parallel(values.size) and values.shape[0] > 1
        else _km.performance_metrics_nb
    )
    kernel(values, pnl, offsets, exposure, ppy, rf, target, out)
    return out


# --------------------------------------------------------------------------- public API


def performance_metrics(
    equity: object,
    *,
    trades: object = None,
    exposure: object = None,
    periods_per_year: float = 252,
    risk_free: float = 0.0,
    sortino_target: float = 0.0,
    benchmark: object = None,
) -> pl.DataFrame:
    r"""Performance metrics of one or many equity curves, one row per curve.

    Parameters
    ----------
    equity : array_like, list of arrays, polars.Series or polars.DataFrame
        Account values over time, finite and ``> 0``, at least 2 periods: a
        1-D array (one curve), a 2-D array ``(n_curves, n_periods)`` (one
        curve per **row**), a list of equal-length curves, a Polars or pandas
        Series (one curve) or a Polars or pandas DataFrame (one curve per
        column; Polars date/time columns are skipped).
    trades : tuple, list or array, optional
        Closed-trade P&Ls for the trade statistics: a list with one 1-D array
        per curve, a single 1-D array when there is one curve, or a CSR tuple
        ``(pnl, offsets)`` (curve ``j`` owns ``pnl[offsets[j]:offsets[j+1]]``,
        ``offsets`` integer of length ``n_curves + 1``). Without it the trade
        columns are NaN (``n_trades`` null).
    exposure : array_like, optional
        Position per period, shape ``(n_periods,)`` (shared) or
        ``(n_curves, n_periods)``: a boolean mask or position sizes (non-zero
        = in the market). Without it ``exposure`` is NaN.
    periods_per_year : float, default 252
        Periods per year (252 daily, 52 weekly, 12 monthly); annualises CAGR,
        volatility, Sharpe, Sortino and the information ratio.
    risk_free : float, default 0.0
        Risk-free rate **per period** subtracted from the returns in Sharpe.
    sortino_target : float, default 0.0
        Target (minimum acceptable) return per period of the Sortino ratio.
    benchmark : array_like or polars.Series, optional
        A buy-and-hold equity curve of the underlying, same number of periods,
        ``> 0``: one curve shared by all, or one per curve (2-D). Adds the
        columns ``benchmark_return``, ``benchmark_sharpe``,
        ``benchmark_max_drawdown``, ``excess_return`` (total return minus the
        benchmark's), ``beta``, ``correlation`` (of period returns) and
        ``information_ratio`` (annualised mean active return over tracking
        error).

    Returns
    -------
    polars.DataFrame
        ``curve`` (Int64, 0-based; plus ``name`` for a DataFrame input), then
        the columns of :data:`METRIC_COLUMNS`: ``total_return``, ``cagr``,
        ``annual_volatility``, ``sharpe``, ``sortino``, ``calmar``,
        ``max_drawdown`` (a fraction ``<= 0``: -0.1 is a 10 % drawdown),
        ``max_drawdown_duration`` (longest run of periods below a previous
        peak), ``max_drawdown_recovery`` (periods from the trough of the max
        drawdown back to its peak: 0 without a drawdown, null if not
        recovered), ``tail_ratio``, ``exposure``, ``n_trades``, ``win_rate``,
        ``profit_factor``, ``expectancy``, ``avg_win``, ``avg_loss``; then
        :data:`BENCHMARK_COLUMNS` if ``benchmark`` is given. Durations and
        ``n_trades`` are Int64, the rest Float64.

    Raises
    ------
    TypeError
        Non-numeric input; a ``trades`` tuple whose offsets are not integers.
    ValueError
        Non-finite or non-positive equity or benchmark (naming the curve and
        period), fewer than 2 periods, curves of different lengths, a
        benchmark or exposure of the wrong shape, one trade list per curve
        missing, bad CSR offsets, non-finite trade P&Ls,
        ``periods_per_year <= 0``, non-finite rates.

    Notes
    -----
    With simple returns :math:`r_t = E_t / E_{t-1} - 1`, :math:`m = n - 1`
    returns, :math:`P` periods per year and sample standard deviations
    (ddof = 1):

    .. math::

        \mathrm{CAGR} = (E_{n-1}/E_0)^{P/m} - 1, \quad
        \mathrm{Sharpe} = \frac{\overline{r - r_f}}{\operatorname{sd}(r)}\sqrt{P}, \quad
        \mathrm{Sortino} = \frac{\overline{r - \tau}}
            {\sqrt{\tfrac1m \sum \min(r_t - \tau, 0)^2}}\sqrt{P}

    Calmar is CAGR over ``|max_drawdown|``; the tail ratio is the 95th over
    the absolute 5th percentile of the returns (linear interpolation).
    Undefined values: Sharpe (and beta, correlation, information ratio) NaN
    when the standard deviation is zero (at most :data:`ZERO_VOL` per
    period, e.g. a constant curve; a single return also gives NaN); Sortino
    ``+inf`` when no return falls below the target and the mean excess is
    positive, NaN when both are zero; Calmar NaN without a drawdown;
    profit factor ``+inf`` with profits and no loss, NaN with neither;
    ``avg_win``/``avg_loss``/``win_rate``/``expectancy`` NaN without such
    trades.

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.backtest import performance_metrics
    >>> m = performance_metrics([100.0, 110.0, 99.0, 120.0], trades=[10.0, -11.0, 21.0])
    >>> row = m.row(0, named=True)
    >>> round(row["total_return"], 6), round(row["max_drawdown"], 6)
    (0.2, -0.1)
    >>> row["max_drawdown_duration"], row["max_drawdown_recovery"], row["n_trades"]
    (1, 1, 3)
    >>> round(row["profit_factor"], 4), round(row["win_rate"], 4)
    (2.8182, 0.6667)
    >>> curves = np.array([[100.0, 101.0, 102.0], [100.0, 90.0, 95.0]])
    >>> performance_metrics(curves)["max_drawdown"].round(3).to_list()
    [0.0, -0.1]
    """
    values, names, _ = _curves(equity, "equity")
    c, n = values.shape
    if isinstance(periods_per_year, bool | np.bool_):
        msg = f"`periods_per_year` must be a number > 0, got {periods_per_year!r}"
        raise TypeError(msg)
    ppy = scalar_float(periods_per_year, "periods_per_year", minimum=0.0, strict=True)
    rf = scalar_float(risk_free, "risk_free")
    target = scalar_float(sortino_target, "sortino_target")
    if trades is None:
        pnl, offsets = _EMPTY_PNL, _EMPTY_OFFSETS
    else:
        pnl, offsets = _trades(trades, c)
    expo = (
        readonly(np.zeros((0, n), dtype=np.float64))
        if exposure is None
        else _exposure(exposure, (c, n))
    )
    out = _metrics(values, pnl, offsets, expo, ppy, rf, target)
    columns: dict[str, Any] = {"curve": pl.Series("curve", np.arange(c), dtype=pl.Int64)}
    if names is not None:
        columns["name"] = pl.Series("name", names, dtype=pl.String)
    for k, col in enumerate(METRIC_COLUMNS):
        if col in _INT_COLUMNS:
            columns[col] = pl.Series(col, out[k], nan_to_null=True).cast(pl.Int64)
        else:
            columns[col] = pl.Series(col, out[k], dtype=pl.Float64)
    if benchmark is not None:
        bench, _, _ = _curves(benchmark, "benchmark")
        if bench.shape[1] != n or bench.shape[0] not in (1, c):
            msg = (
                f"`benchmark` must be one curve of {n} periods or {c} such curves, "
                f"got shape {bench.shape}"
            )
            raise ValueError(msg)
        empty_expo = readonly(np.zeros((0, n), dtype=np.float64))
        own = _metrics(bench, _EMPTY_PNL, _EMPTY_OFFSETS, empty_expo, ppy, rf, target)
        own = np.broadcast_to(own, (own.shape[0], c))
        rel = np.empty((_km.N_RELATIVE, c))
        kernel = (
            _km.benchmark_metrics_par_nb
            if use_parallel(values.size) and c > 1
            else _km.benchmark_metrics_nb
        )
        kernel(values, bench, ppy, rel)
        for col, row in zip(
            BENCHMARK_COLUMNS,
            [
                own[_km.Metric.total_return],
                own[_km.Metric.sharpe],
                own[_km.Metric.max_drawdown],
                *rel,
            ],
            strict=True,
        ):
            columns[col] = pl.Series(col, np.asarray(row), dtype=pl.Float64)
    return pl.DataFrame(columns)


def drawdown(equity: object, *, relative: bool = True) -> Float64Array:
    """Drawdown of each equity curve from its running peak, period by period.

    Parameters
    ----------
    equity : array_like, list of arrays, polars.Series or polars.DataFrame
        As in :func:`performance_metrics`: a 1-D curve or ``(n_curves,
        n_periods)`` rows, at least 2 periods, finite.
    relative : bool, default True
        ``True``: the fraction below the peak, ``equity / peak - 1`` (``<= 0``;
        needs equity ``> 0``). ``False``: the amount below the peak in the
        curve's units, ``equity - peak`` (any finite values, e.g. a P&L curve
        starting at 0).

    Returns
    -------
    numpy.ndarray
        Float64, 0 at each new high; shape ``(n_periods,)`` for a 1-D input
        or a Polars Series, else ``(n_curves, n_periods)``.

    Raises
    ------
    TypeError
        Non-numeric input or a non-boolean ``relative``.
    ValueError
        NaN/inf, fewer than 2 periods, non-positive equity with
        ``relative=True``.

    Examples
    --------
    >>> from fastopt.backtest import drawdown
    >>> drawdown([100.0, 120.0, 90.0, 130.0]).tolist()
    [0.0, 0.0, -0.25, 0.0]
    >>> drawdown([0.0, 50.0, -20.0], relative=False).tolist()
    [0.0, 0.0, -70.0]
    """
    if not isinstance(relative, bool | np.bool_):
        msg = f"`relative` must be True or False, got {relative!r}"
        raise TypeError(msg)
    values, _, ndim = _curves(equity, "equity", positive=bool(relative))
    out = np.empty(values.shape)
    if relative:
        _km.drawdown_nb(values, out)
    else:
        _km.drawdown_amount_nb(values, out)
    if ndim == 1:
        return out.reshape(values.shape[1])
    return out
