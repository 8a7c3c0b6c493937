"""Shared colours, layout defaults and small helpers of the ``fastopt.viz`` figures.

Everything here builds plain dicts (layout fragments, shapes, annotations) that
the figure modules pass to ``plotly.graph_objects.Figure`` once: building the
layout in one go is much faster than ``fig.add_vline``/``update_layout`` calls.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

TEMPLATE = "plotly_white"
FONT_FAMILY = "Helvetica, Arial, sans-serif"

PROFIT = "#2ca02c"
"""Profit colour (lines, markers)."""
LOSS = "#d62728"
"""Loss colour (lines, markers)."""
PROFIT_FILL = "rgba(44, 160, 44, 0.22)"
"""Fill of the regions where the P&L is positive."""
LOSS_FILL = "rgba(214, 39, 40, 0.22)"
"""Fill of the regions where the P&L is negative."""
EXPIRY_LINE = "#1f3b73"
"""The P&L at expiry."""
DATE_COLOURS = ("#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f")
"""The P&L at the extra dates, in order (cycled)."""
SPOT_LINE = "#444444"
BREAKEVEN = "#7f7f7f"
BAND_FILL = "rgba(31, 119, 180, 0.10)"
"""The +-1 sigma expected-move band."""
DENSITY_LINE = "#1f77b4"
HISTOGRAM = "rgba(127, 127, 127, 0.45)"
EQUITY_LINE = "#1f77b4"
BENCHMARK_LINE = "#7f7f7f"
DRAWDOWN_FILL = "rgba(214, 39, 40, 0.30)"
COLORSCALE_DIVERGING = "RdBu"
COLORSCALE_SEQUENTIAL = "Viridis"


def base_layout(title: str | None, x_title: str, y_title: str, **extra: Any) -> dict[str, Any]:
    """The layout every fastopt figure starts from (template, fonts, margins, legend)."""
    layout: dict[str, Any] = {
        "template": TEMPLATE,
        "font": {"family": FONT_FAMILY, "size": 13},
        "margin": {"l": 70, "r": 30, "t": 70, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0.0},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
    }
    if title is not None:
        layout["title"] = {"text": title, "x": 0.5, "xanchor": "center", "y": 0.97}
    layout.update(extra)
    return layout


def vline(x: float, color: str, *, dash: str = "dash", width: float = 1.5) -> dict[str, Any]:
    """A vertical line shape spanning the plot height at data coordinate ``x``."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0.0,
        "y1": 1.0,
        "line": {"color": color, "dash": dash, "width": width},
        "layer": "above",
    }


def vband(x0: float, x1: float, fill: str) -> dict[str, Any]:
    """A vertical band shape between data coordinates ``x0`` and ``x1``, below the traces."""
    return {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": x0,
        "x1": x1,
        "y0": 0.0,
        "y1": 1.0,
        "fillcolor": fill,
        "line": {"width": 0},
        "layer": "below",
    }


def money(value: float) -> str:
    """Dollars for annotations: ``$1,234.56``, ``-$350.00``, or ``unlimited`` when infinite.

    Examples
    --------
    >>> from fastopt.viz.style import money
    >>> money(1234.5), money(-350.0), money(float("inf")), money(float("-inf"))
    ('$1,234.50', '-$350.00', 'unlimited', 'unlimited')
    """
    if math.isinf(value):
        return "unlimited"
    if math.isnan(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def date_label(value: object, asof: dt.date | None = None, year_basis: int = 365) -> str:
    """A legend label for a valuation date: ISO for dates and strings; for years from
    ``asof``, ``"now (<asof>)"`` at 0 and ``"T+<days>d"`` otherwise.

    Examples
    --------
    >>> import datetime as dt
    >>> from fastopt.viz.style import date_label
    >>> date_label("2025-03-07"), date_label(0.0, dt.date(2025, 2, 21)), date_label(0.05)
    ('2025-03-07', 'now (2025-02-21)', 'T+18.25d')
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    years = float(value)  # type: ignore[arg-type]
    if years == 0.0:
        return f"now ({asof.isoformat()})" if asof is not None else "now"
    return f"T+{years * year_basis:.4g}d"
