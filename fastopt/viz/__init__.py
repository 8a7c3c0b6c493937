"""Charts: Plotly figures of strategies, Greeks, distributions and equity curves.

Every builder returns a ``plotly.graph_objects.Figure`` for you to show,
compose or save:

- :func:`payoff_figure`: P&L at expiry and at earlier dates, break-evens,
  profit/loss shading, expected-move band, max profit/loss;
- :func:`greeks_surface_figure`: a Greek over spot x time (a strategy) or
  strike x expiry (one option type), as a surface or heatmap;
- :func:`distribution_figure`: the lognormal density of the underlying with
  the profit regions shaded, optionally against simulated paths;
- :func:`equity_figure`: an equity curve and its drawdown.

:func:`save` writes HTML and JSON anywhere, and PNG/SVG/PDF through kaleido
and a Chromium browser (``pip install fastopt[viz]``; one browser per process,
see :func:`export_session`).
"""

from __future__ import annotations

from fastopt.viz.distribution import distribution_figure
from fastopt.viz.equity import equity_figure
from fastopt.viz.export import FORMATS, export_session, save, static_export_available
from fastopt.viz.greeks import OptionGrid, greeks_surface_figure
from fastopt.viz.payoff import payoff_figure

__all__ = [
    "FORMATS",
    "OptionGrid",
    "distribution_figure",
    "equity_figure",
    "export_session",
    "greeks_surface_figure",
    "payoff_figure",
    "save",
    "static_export_available",
]
