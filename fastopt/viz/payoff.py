"""Payoff diagram of a strategy: P&L at expiry and at earlier dates."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt.viz import style as st
from fastopt.viz._common import (
    as_date_list,
    check_strategy,
    distribution_vol,
    has_vol,
    per_divisor,
    price_grid,
    require_leg_vols,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

DEFAULT_POINTS = 1001


def payoff_figure(
    strategy: Any,
    *,
    dates: object = None,
    spots: object = None,
    show_breakevens: bool = True,
    show_expected_move: bool = True,
    per: str = "position",
    title: str | None = None,
) -> go.Figure:
    """Payoff diagram: the P&L of a strategy at its first expiry (and at other dates).

    Parameters
    ----------
    strategy : Strategy
        The position (:class:`fastopt.Strategy`).
    dates : date, ISO string, float, or a sequence of them, optional
        Extra valuation dates: one P&L curve each (Black-Scholes value of the
        legs still alive at the strategy's vols). Numbers are years from
        ``strategy.asof``.
    spots : array_like, optional
        Underlying prices of the x axis (sorted for you). Default: 1,001 points
        over +-4 standard deviations of the price at the first expiry, widened
        to include every strike (:func:`fastopt.strategies.analytics.default_grid`).
    show_breakevens : bool, default True
        Dashed vertical lines and markers at the break-evens at expiry.
    show_expected_move : bool, default True
        Shade the +-1 sigma expected move to the first expiry
        (:func:`fastopt.expected_move` with the strategy's vol; skipped when
        the strategy has no volatility).
    per : {"position", "share"}, default "position"
        Dollars for the whole position, or per share (divided by the option
        multiplier).
    title : str, optional
        Figure title (default: the strategy's name and market).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: ``"loss zone"`` and ``"profit zone"`` (fills below and
        above zero of the expiry curve, hidden from the legend), one
        ``"P&L on <date>"`` line per extra date, ``"P&L at expiry (<date>)"``,
        then ``"break-even"`` markers. Shapes: a vertical line per break-even,
        the current spot, the expected-move band. Annotations: max profit / max
        loss (``"unlimited"`` when infinite), break-even and spot labels.

    Raises
    ------
    TypeError
        ``strategy`` is not a Strategy; ``dates`` of the wrong type.
    ValueError
        Bad ``spots`` (not 1-D, not > 0, fewer than 2 points), bad ``per``,
        a date before ``asof``.

    Examples
    --------
    >>> from fastopt.strategies import Leg, Strategy
    >>> from fastopt.viz import payoff_figure
    >>> spread = Strategy([Leg("put", 1, 95.0, "2025-03-21", premium=1.1),
    ...                    Leg("put", -1, 100.0, "2025-03-21", premium=2.6)],
    ...                   spot=102.0, vol=0.2, asof="2025-02-21")
    >>> fig = payoff_figure(spread, dates=["2025-03-07"])
    >>> [t.name for t in fig.data]
    ['loss zone', 'profit zone', 'P&L on 2025-03-07', 'P&L at expiry (2025-03-21)', 'break-even']
    >>> [a.text for a in fig.layout.annotations][:2]
    ['Max profit: $150.00', 'Max loss: -$350.00']
    """
    import plotly.graph_objects as go

    from fastopt.strategies.analytics import default_grid
    from fastopt.volatility import expected_move

    s = check_strategy(strategy)
    div = per_divisor(s, per)
    extra = as_date_list(dates)
    # break-evens and extremes at expiry do not depend on the vol: any will do without one
    vol = distribution_vol(s) if has_vol(s) else None
    analysis = s.analyze(grid=0, vol=1.0 if vol is None else vol)
    h = analysis.at
    if extra or not s.is_single_expiry:
        require_leg_vols(s, "the P&L before expiry")
    grid_vol = 1e-9 if vol is None else vol  # without a vol: strikes and +-30 % of spot
    x = default_grid(s, h, grid_vol, DEFAULT_POINTS) if spots is None else price_grid(spots)
    curves = s.pnl_grid(x, [None, *extra]) / div  # row 0: first expiry
    bes = [b for b in analysis.breakevens if x[0] <= b <= x[-1]]

    # shading: the expiry curve on the grid plus its break-evens, split at zero
    xs = np.union1d(x, bes) if bes else x
    ys = curves[0] if xs is x else np.asarray(s.pnl(xs)) / div
    expiry = s.first_expiry
    exp_label = f"P&L at expiry ({expiry.isoformat()})" if expiry is not None else "P&L"
    hover = "price %{x:,.2f}<br>P&L %{y:$,.2f}<extra>%{fullData.name}</extra>"
    traces: list[Any] = [
        go.Scatter(
            x=xs,
            y=np.minimum(ys, 0.0),
            name="loss zone",
            mode="none",
            fill="tozeroy",
            fillcolor=st.LOSS_FILL,
            hoverinfo="skip",
            showlegend=False,
        ),
        go.Scatter(
            x=xs,
            y=np.maximum(ys, 0.0),
            name="profit zone",
            mode="none",
            fill="tozeroy",
            fillcolor=st.PROFIT_FILL,
            hoverinfo="skip",
            showlegend=False,
        ),
    ]
    for i, d in enumerate(extra):
        traces.append(
            go.Scatter(
                x=x,
                y=curves[i + 1],
                name=_curve_name(d, s.asof, s.year_basis),
                mode="lines",
                line={"color": st.DATE_COLOURS[i % len(st.DATE_COLOURS)], "width": 1.8},
                hovertemplate=hover,
            )
        )
    traces.append(
        go.Scatter(
            x=x,
            y=curves[0],
            name=exp_label,
            mode="lines",
            line={"color": st.EXPIRY_LINE, "width": 2.5},
            hovertemplate=hover,
        )
    )

    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = [
        _corner(f"Max profit: {st.money(analysis.max_profit / div)}", 0.99, st.PROFIT),
        _corner(f"Max loss: {st.money(analysis.max_loss / div)}", 0.93, st.LOSS),
    ]
    if show_breakevens and bes:
        traces.append(
            go.Scatter(
                x=bes,
                y=np.zeros(len(bes)),
                name="break-even",
                mode="markers",
                marker={"color": st.BREAKEVEN, "size": 9, "symbol": "diamond"},
                hovertemplate="break-even %{x:,.2f}<extra></extra>",
            )
        )
        for b in bes:
            shapes.append(st.vline(b, st.BREAKEVEN, dash="dash", width=1.2))
            annotations.append(_top_label(b, f"BE {b:,.2f}", st.BREAKEVEN, y=1.0))
    if x[0] <= s.spot <= x[-1]:
        shapes.append(st.vline(s.spot, st.SPOT_LINE, dash="dot", width=1.5))
        annotations.append(_top_label(s.spot, f"spot {s.spot:,.2f}", st.SPOT_LINE, y=0.0))
    if show_expected_move and h > 0.0 and vol is not None:
        em = expected_move(s.spot, iv=vol, t=h)
        lo, hi = max(em.lower, x[0]), min(em.upper, x[-1])
        if lo < hi:
            shapes.append(st.vband(lo, hi, st.BAND_FILL))
            annotations.append(
                _top_label(
                    0.5 * (lo + hi),
                    f"±1σ expected move {em.lower:,.2f} – {em.upper:,.2f}",
                    "#1f77b4",
                    y=0.06,
                )
            )

    if title is None:
        when = f", expiry {expiry.isoformat()}" if expiry is not None else ""
        vol_text = f", vol {vol:.1%}" if vol is not None else ""
        title = f"{s.name}: spot {s.spot:,.2f}{vol_text}{when}"
    unit = "P&L ($ per share)" if per == "share" else "P&L ($, position)"
    layout = st.base_layout(
        title,
        "underlying price",
        unit,
        shapes=shapes,
        annotations=annotations,
        hovermode="x unified",
    )
    layout["yaxis"].update(zeroline=True, zerolinecolor="#888888", zerolinewidth=1)
    return go.Figure(data=traces, layout=layout)


def _curve_name(when: object, asof: dt.date | None, year_basis: int) -> str:
    """``"P&L on 2025-03-07"``, ``"P&L now (2025-02-21)"`` or ``"P&L at T+18.25d"``."""
    label = st.date_label(when, asof, year_basis)
    if isinstance(when, dt.date | str):
        return f"P&L on {label}"
    return f"P&L {label}" if label.startswith("now") else f"P&L at {label}"


def _corner(text: str, y: float, color: str) -> dict[str, Any]:
    """A text box in the top-left corner of the plot area."""
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0.01,
        "y": y,
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "font": {"color": color, "size": 13},
        "bgcolor": "rgba(255, 255, 255, 0.8)",
    }


def _top_label(x: float, text: str, color: str, *, y: float) -> dict[str, Any]:
    """A small label at data ``x`` and paper height ``y``."""
    return {
        "text": text,
        "xref": "x",
        "yref": "paper",
        "x": x,
        "y": y,
        "yanchor": "bottom" if y < 0.5 else "top",
        "showarrow": False,
        "font": {"color": color, "size": 11},
        "bgcolor": "rgba(255, 255, 255, 0.7)",
    }
