"""The distribution of the underlying at a date, with the strategy's profit regions."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from fastopt._typing import Float64Array
from fastopt._validate import as_float_array, check_int, check_positive
from fastopt.exceptions import FastoptWarning
from fastopt.viz import style as st
from fastopt.viz._common import check_strategy, distribution_vol

if TYPE_CHECKING:
    import plotly.graph_objects as go

DEFAULT_POINTS = 1001
N_SD = 6.0
"""Half-width of the density grid in standard deviations of the log price."""


def terminal_prices(paths: object) -> Float64Array:
    """The simulated prices at the last time: the last row of ``Paths.spot`` or of a
    2-D array (time on axis 0), or a 1-D array as is; finite and > 0."""
    from fastopt.simulation import Paths

    raw = paths.spot if isinstance(paths, Paths) else paths
    arr = as_float_array(raw, "paths")
    if arr.ndim == 2:
        arr = arr[-1]
    elif arr.ndim != 1:
        msg = (
            "`paths` must be a Paths, a 1-D array of prices or a 2-D array (time x paths); "
            f"got shape {arr.shape} (for correlated paths pick one asset: paths.spot[..., i])"
        )
        raise ValueError(msg)
    if arr.shape[0] == 0:
        msg = "`paths` holds no prices"
        raise ValueError(msg)
    check_positive(arr, "paths")
    return np.ascontiguousarray(arr, dtype=np.float64)


def _regions(
    x: Float64Array, y: Float64Array, mask: npt.NDArray[np.bool_]
) -> tuple[Float64Array, Float64Array]:
    """Closed polygons under ``y`` over each run of ``mask``, separated by NaN (for
    ``fill="toself"``, which fills each gap-separated segment on its own)."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)  # exclusive
    xs: list[Float64Array] = []
    ys: list[Float64Array] = []
    gap = np.array([np.nan])
    for a, b in zip(starts, stops, strict=True):
        if b - a < 2:
            continue
        xs += [x[a : a + 1], x[a:b], x[b - 1 : b], gap]
        ys += [np.zeros(1), y[a:b], np.zeros(1), gap]
    if not xs:
        return np.empty(0), np.empty(0)
    return np.concatenate(xs[:-1]), np.concatenate(ys[:-1])


def distribution_figure(
    strategy: Any,
    *,
    paths: object = None,
    at: object = None,
    bins: int = 80,
    vol: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """Lognormal density of the underlying at a date, shaded by the strategy's P&L sign.

    The density is the one behind :meth:`fastopt.Strategy.analyze`:
    ``ln S ~ N(ln S0 + (r - q - vol^2/2) h, vol^2 h)`` at ``h`` years. The area
    shaded green (P&L of at least $0.01) is the probability of profit, which
    the title shows.

    Parameters
    ----------
    strategy : Strategy
    paths : Paths or array_like, optional
        Simulated prices to overlay as a histogram normalised to a density: a
        :class:`fastopt.Paths` or a 2-D array (time on axis 0) uses its last
        row, a 1-D array is used as is. They should end at ``at``.
    at : date, ISO string or float, optional
        The date (years from ``asof`` when a number); default the first expiry.
    bins : int, default 80
        Histogram bins of ``paths``.
    vol : float, optional
        Volatility of the distribution (default: the strategy's, as in ``analyze``).
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: ``"loss region"``, ``"profit region"`` (closed polygons under the
        density where the P&L is below / at least $0.01, one per interval,
        separated by NaN), ``"lognormal density"``,
        then ``"simulated"`` (a bar histogram) when ``paths`` is given. Shapes:
        a vertical line per break-even and one at the current spot.

    Raises
    ------
    ValueError
        ``at`` is ``asof`` (the distribution is a point), bad ``paths`` or ``bins``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.strategies import Leg, Strategy
    >>> from fastopt.viz import distribution_figure
    >>> spread = Strategy([Leg("put", 1, 95.0, "2025-03-21", premium=1.1),
    ...                    Leg("put", -1, 100.0, "2025-03-21", premium=2.6)],
    ...                   spot=102.0, vol=0.2, asof="2025-02-21")
    >>> fig = distribution_figure(spread)
    >>> [t.name for t in fig.data]
    ['loss region', 'profit region', 'lognormal density']
    >>> fig.layout.title.text
    'custom on 2025-03-21: P(profit) = 72.7%'
    >>> x, y = fig.data[2].x, fig.data[2].y   # the density integrates to 1
    >>> round(float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)), 4)
    1.0
    """
    import plotly.graph_objects as go
    from scipy.stats import lognorm

    from fastopt.strategies.analytics import DEFAULT_THRESHOLD, default_grid

    s = check_strategy(strategy)
    nbins = check_int(bins, "bins", 1)
    analysis = s.analyze(at=at, vol=vol, grid=0)
    h = analysis.at
    if h <= 0.0:
        msg = (
            f"`at` must be after the strategy's `asof` {s.asof}: at `asof` the price is "
            "known and has no distribution"
        )
        raise ValueError(msg)
    sig = distribution_vol(s, vol)
    sd = sig * math.sqrt(h)
    mean_log = math.log(s.spot) + (s.rate - s.div - 0.5 * sig * sig) * h
    base = default_grid(s, h, sig, 2)
    lo = min(float(base[0]), math.exp(mean_log - N_SD * sd))
    hi = max(float(base[-1]), math.exp(mean_log + N_SD * sd))
    bes = [b for b in analysis.breakevens if lo < b < hi]
    x = np.union1d(np.linspace(lo, hi, DEFAULT_POINTS), bes)
    dens = lognorm.pdf(x, s=sd, scale=math.exp(mean_log))
    pnl = np.asarray(s.pnl(x, at=h))
    at_be = np.isin(x, bes)
    profit = pnl >= DEFAULT_THRESHOLD
    pop = analysis.pop

    loss_x, loss_y = _regions(x, dens, ~profit | at_be)
    profit_x, profit_y = _regions(x, dens, profit | at_be)
    traces: list[Any] = [
        go.Scatter(
            x=loss_x,
            y=loss_y,
            name="loss region",
            legendgroup="loss",
            mode="none",
            fill="toself",
            fillcolor=st.LOSS_FILL,
            hoverinfo="skip",
            showlegend=True,
        ),
        go.Scatter(
            x=profit_x,
            y=profit_y,
            name="profit region",
            legendgroup="profit",
            mode="none",
            fill="toself",
            fillcolor=st.PROFIT_FILL,
            hoverinfo="skip",
            showlegend=True,
        ),
        go.Scatter(
            x=x,
            y=dens,
            name="lognormal density",
            mode="lines",
            line={"color": st.DENSITY_LINE, "width": 2},
            customdata=pnl,
            hovertemplate=(
                "price %{x:,.2f}<br>density %{y:.4g}<br>P&L %{customdata:$,.2f}<extra></extra>"
            ),
        ),
    ]
    if paths is not None:
        terminal = terminal_prices(paths)
        _check_horizon(paths, h)
        counts, edges = np.histogram(terminal, bins=nbins, density=True)
        mc_pop = float(np.mean(np.asarray(s.pnl(terminal, at=h)) >= DEFAULT_THRESHOLD))
        traces.append(
            go.Bar(
                x=0.5 * (edges[:-1] + edges[1:]),
                y=counts,
                width=np.diff(edges),
                name=f"simulated ({terminal.shape[0]:,} paths, P(profit) = {mc_pop:.1%})",
                marker={"color": st.HISTOGRAM, "line": {"width": 0}},
                hovertemplate="price %{x:,.2f}<br>density %{y:.4g}<extra>simulated</extra>",
            )
        )

    shapes = [st.vline(b, st.BREAKEVEN, dash="dash", width=1.2) for b in bes]
    annotations = [
        {
            "text": f"BE {b:,.2f}",
            "xref": "x",
            "yref": "paper",
            "x": b,
            "y": 1.0,
            "yanchor": "top",
            "showarrow": False,
            "font": {"color": st.BREAKEVEN, "size": 11},
        }
        for b in bes
    ]
    shapes.append(st.vline(s.spot, st.SPOT_LINE, dash="dot", width=1.5))
    annotations.append(
        {
            "text": f"spot {s.spot:,.2f}",
            "xref": "x",
            "yref": "paper",
            "x": s.spot,
            "y": 0.0,
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"color": st.SPOT_LINE, "size": 11},
            "bgcolor": "rgba(255, 255, 255, 0.7)",
        }
    )
    if title is None:
        title = f"{s.name} on {_date_text(s, at, h)}: P(profit) = {pop:.1%}"
    layout = st.base_layout(
        title,
        "underlying price",
        "probability density",
        shapes=shapes,
        annotations=annotations,
        barmode="overlay",
        bargap=0.0,
        hovermode="closest",
    )
    return go.Figure(data=traces, layout=layout)


def _date_text(strategy: Any, at: object, h: float) -> str:
    import datetime as dt

    if at is None and strategy.first_expiry is not None:
        return str(strategy.first_expiry.isoformat())
    if isinstance(at, dt.date | str):
        return st.date_label(at)
    return st.date_label(h, strategy.asof, strategy.year_basis)


def _check_horizon(paths: object, h: float) -> None:
    from fastopt.simulation import Paths

    if isinstance(paths, Paths) and paths.times.size:
        end = float(paths.times[-1])
        if abs(end - h) > 0.5 / 365.0:
            msg = (
                f"the paths end at t = {end:.6g} years but the distribution is at "
                f"{h:.6g} years: the histogram and the density describe different dates"
            )
            warnings.warn(msg, FastoptWarning, stacklevel=3)
