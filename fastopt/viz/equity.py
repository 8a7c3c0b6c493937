"""Equity curve and drawdown of a track record (backtests, live accounts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt._typing import Float64Array
from fastopt._validate import as_float_array, check_finite
from fastopt.viz import style as st

if TYPE_CHECKING:
    import plotly.graph_objects as go


def _values(data: object, name: str) -> tuple[Float64Array, list[Any] | None]:
    """(values, dates or None) from an array, a Polars/pandas Series or a frame with
    ``equity`` (and optionally ``date``) columns."""
    import polars as pl

    dates: list[Any] | None = None
    mod = type(data).__module__
    if mod.startswith("pandas"):
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            if "equity" not in data.columns:
                msg = f"`{name}` frame needs an 'equity' column; got columns {list(data.columns)}"
                raise ValueError(msg)
            if "date" in data.columns:
                dates = data["date"].to_list()
            data = data["equity"]
        if isinstance(data, pd.Series):
            if data.isna().any():
                msg = f"`{name}` has {int(data.isna().sum())} missing values"
                raise ValueError(msg)
            if dates is None and isinstance(data.index, pd.DatetimeIndex):
                dates = list(data.index.to_pydatetime())
            data = data.to_numpy()
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    if isinstance(data, pl.DataFrame):
        if "equity" not in data.columns:
            msg = f"`{name}` frame needs an 'equity' column; got columns {data.columns}"
            raise ValueError(msg)
        if "date" in data.columns:
            dates = data["date"].to_list()
        data = data["equity"]
    if isinstance(data, pl.Series):
        if data.null_count():
            msg = f"`{name}` has {data.null_count()} missing values"
            raise ValueError(msg)
        data = data.to_numpy()
    arr = as_float_array(data, name)
    if arr.ndim != 1 or arr.shape[0] < 1:
        msg = f"`{name}` must be 1-D with at least one value, got shape {arr.shape}"
        raise ValueError(msg)
    check_finite(arr, name)
    return np.asarray(arr, dtype=np.float64), dates


def _dates(dates: object) -> Any:
    """x values from a sequence, an array, or a Polars/pandas Series or Index."""
    if hasattr(dates, "to_list"):  # polars Series, pandas Series/Index
        return dates.to_list()
    if isinstance(dates, np.ndarray) and dates.ndim == 1:
        return dates
    if isinstance(dates, Sequence) and not isinstance(dates, str | bytes):
        return list(dates)
    msg = f"`dates` must be a sequence of dates or numbers, got {type(dates).__name__}"
    raise TypeError(msg)


def _drawdown(equity: object) -> tuple[Float64Array, bool]:
    """:func:`fastopt.backtest.drawdown` of the curve, relative when every value is > 0
    (else in the curve's units, a P&L curve), and which of the two it is.

    >>> _drawdown([100.0, 120.0, 90.0, 130.0])[0].tolist()
    [0.0, 0.0, -0.25, 0.0]
    >>> _drawdown([0.0, 50.0, -20.0])[0].tolist()
    [0.0, 0.0, -70.0]
    """
    from fastopt.backtest.metrics import drawdown as drawdown_kernel

    values, _ = _values(equity, "equity")
    relative = bool((values > 0.0).all())
    if values.shape[0] < 2:  # one point: no peak to fall from
        return np.zeros(values.shape[0]), relative
    return np.asarray(drawdown_kernel(values, relative=relative), dtype=np.float64), relative


def equity_figure(
    equity: object,
    *,
    dates: object = None,
    benchmark: object = None,
    title: str | None = None,
) -> go.Figure:
    """Equity curve (top) and drawdown (bottom), sharing the x axis.

    Parameters
    ----------
    equity : array_like, polars.Series, polars.DataFrame or pandas equivalent
        The account value over time. A frame needs an ``equity`` column and
        may have a ``date`` column (the x axis).
    dates : sequence, optional
        x values (dates, ISO strings or numbers), one per value; not with a
        frame that has a ``date`` column. Default: the frame's dates, else
        0, 1, 2, ...
    benchmark : array_like or Series, optional
        A second curve of the same length (e.g. buy-and-hold), rebased to
        start at the equity's first value when both start > 0.
    title : str, optional
        Default: total return and maximum drawdown.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``"equity"``, ``"benchmark"`` (if given) in row 1 and
        ``"drawdown"`` in row 2: relative (fraction, shown as %) when every
        equity value is > 0, else in dollars (see :func:`drawdown`).

    Raises
    ------
    ValueError
        Not 1-D, non-finite or missing values, a frame without ``equity``,
        lengths that differ, ``dates`` given twice.

    Examples
    --------
    >>> import polars as pl
    >>> import datetime as dt
    >>> from fastopt.viz import equity_figure
    >>> frame = pl.DataFrame({
    ...     "date": [dt.date(2025, 1, d) for d in (2, 3, 6, 7)],
    ...     "equity": [100.0, 120.0, 90.0, 130.0]})
    >>> fig = equity_figure(frame)
    >>> [t.name for t in fig.data]
    ['equity', 'drawdown']
    >>> [float(v) for v in fig.data[1].y]
    [0.0, 0.0, -0.25, 0.0]
    >>> fig.layout.title.text
    'equity: total return +30.0%, max drawdown -25.0%'
    """
    from plotly.subplots import make_subplots

    values, frame_dates = _values(equity, "equity")
    n = values.shape[0]
    if dates is not None:
        if frame_dates is not None:
            msg = "`dates` given twice: the `equity` frame already has a 'date' column"
            raise ValueError(msg)
        x: Any = _dates(dates)
        if len(x) != n:
            msg = f"`dates` has {len(x)} values but `equity` has {n}"
            raise ValueError(msg)
    elif frame_dates is not None:
        x = frame_dates
    else:
        x = np.arange(n)
    dd, relative = _drawdown(values)

    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.05,
        row_heights=[0.7, 0.3],
    )
    import plotly.graph_objects as go

    fig.add_trace(
        go.Scatter(
            x=x,
            y=values,
            name="equity",
            mode="lines",
            line={"color": st.EQUITY_LINE, "width": 2},
            hovertemplate="%{x}<br>equity %{y:,.2f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    if benchmark is not None:
        bench, _ = _values(benchmark, "benchmark")
        if bench.shape[0] != n:
            msg = f"`benchmark` has {bench.shape[0]} values but `equity` has {n}"
            raise ValueError(msg)
        if values[0] > 0.0 and bench[0] > 0.0:
            bench = bench * (values[0] / bench[0])
        fig.add_trace(
            go.Scatter(
                x=x,
                y=bench,
                name="benchmark",
                mode="lines",
                line={"color": st.BENCHMARK_LINE, "width": 1.5, "dash": "dot"},
                hovertemplate="%{x}<br>benchmark %{y:,.2f}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=dd,
            name="drawdown",
            mode="lines",
            line={"color": st.LOSS, "width": 1},
            fill="tozeroy",
            fillcolor=st.DRAWDOWN_FILL,
            hovertemplate=(
                "%{x}<br>drawdown %{y:.2%}<extra></extra>"
                if relative
                else "%{x}<br>drawdown %{y:$,.2f}<extra></extra>"
            ),
        ),
        row=2,
        col=1,
    )
    worst = float(dd.min())
    if title is None:
        if relative:
            total = values[-1] / values[0] - 1.0
            title = f"equity: total return {total:+.1%}, max drawdown {worst:.1%}"
        else:
            title = (
                f"equity: change {st.money(float(values[-1] - values[0]))}, "
                f"max drawdown {st.money(worst)}"
            )
    layout = st.base_layout(title, "", "equity", hovermode="x unified")
    layout.pop("xaxis")
    layout.pop("yaxis")
    fig.update_layout(layout)
    fig.update_yaxes(title_text="equity", row=1, col=1)
    fig.update_yaxes(
        title_text="drawdown",
        tickformat=".0%" if relative else "$,.0f",
        rangemode="tozero",
        row=2,
        col=1,
    )
    return fig
