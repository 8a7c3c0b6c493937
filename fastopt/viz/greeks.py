"""A Greek as a surface or heatmap: a strategy over spot x time, or one option
type over strike x expiry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from fastopt._validate import as_float_array, check_choice, check_int, check_positive
from fastopt.results import GREEK_NAMES
from fastopt.strategies.strategy import Strategy
from fastopt.viz import style as st
from fastopt.viz._common import (
    as_date_list,
    distribution_vol,
    has_vol,
    per_divisor,
    price_grid,
    require_leg_vols,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

FIGURE_KINDS: tuple[str, ...] = ("surface", "heatmap")
GREEK_ALIASES: dict[str, str] = {"vomma": "volga"}

_UNITS: dict[str, str] = {
    "price": "$",
    "delta": "$ per $1 of spot",
    "gamma": "delta per $1 of spot",
    "vega": "$ per 1.00 of vol",
    "theta": "$ per year",
    "rho": "$ per 1.00 of rate",
    "vanna": "delta per 1.00 of vol",
    "volga": "vega per 1.00 of vol",
    "charm": "delta per year",
}


@dataclass(frozen=True)
class OptionGrid:
    """One option type over a grid of strikes and expiries, for
    :func:`greeks_surface_figure`.

    Parameters
    ----------
    spot : float
        Underlying price (> 0).
    strikes : array_like
        1-D strikes (> 0): the x axis.
    expiries : array_like
        1-D times to expiry in years (> 0): the y axis.
    vol : float or array_like
        Volatility, a scalar or an array broadcastable to
        ``(len(expiries), len(strikes))`` (a volatility surface).
    rate, div : float
        Risk-free rate and dividend yield.
    kind : {"call", "put"}
        The option type.

    Examples
    --------
    >>> from fastopt.viz import OptionGrid
    >>> OptionGrid(100.0, [90, 100, 110], [0.25, 0.5], 0.2).kind
    'call'
    """

    spot: float
    strikes: npt.ArrayLike
    expiries: npt.ArrayLike
    vol: npt.ArrayLike
    rate: float = 0.0
    div: float = 0.0
    kind: str = "call"


def _greek_name(greek: object) -> str:
    name = GREEK_ALIASES.get(greek, greek) if isinstance(greek, str) else greek
    return check_choice(name, "greek", GREEK_NAMES)


def _as_grid(value: object) -> OptionGrid:
    if isinstance(value, OptionGrid):
        return value
    if isinstance(value, Mapping):
        allowed = {f.name for f in fields(OptionGrid)}
        bad = set(value) - allowed
        if bad:
            msg = f"option parameters accept {sorted(allowed)}; got unknown {sorted(bad)}"
            raise TypeError(msg)
        try:
            return OptionGrid(**value)
        except TypeError as exc:
            msg = f"option parameters need spot, strikes, expiries and vol: {exc}"
            raise TypeError(msg) from None
    msg = (
        "`strategy_or_params` must be a Strategy, an OptionGrid or a mapping with spot, "
        f"strikes, expiries, vol (rate, div, kind); got {type(value).__name__}"
    )
    raise TypeError(msg)


def _axis(values: object, name: str) -> npt.NDArray[np.float64]:
    arr = as_float_array(values, name)
    if arr.ndim != 1 or arr.shape[0] < 2:
        msg = f"`{name}` must be a 1-D array of at least 2 values, got shape {arr.shape}"
        raise ValueError(msg)
    check_positive(arr, name)
    return np.asarray(arr, dtype=np.float64)


def _trace(kind: str, x: Any, y: Any, z: Any, greek: str, z_title: str, hover: str) -> Any:
    import plotly.graph_objects as go

    finite = z[np.isfinite(z)]
    two_signed = finite.size > 0 and float(finite.min()) < 0.0 < float(finite.max())
    common: dict[str, Any] = {
        "x": x,
        "y": y,
        "z": z,
        "name": greek,
        "colorscale": st.COLORSCALE_DIVERGING if two_signed else st.COLORSCALE_SEQUENTIAL,
        "colorbar": {"title": {"text": z_title, "side": "right"}},
        "hovertemplate": hover,
    }
    if two_signed:  # centre the diverging scale on zero: blue positive, red negative
        bound = float(np.abs(finite).max())
        lo, hi = ("cmin", "cmax") if kind == "surface" else ("zmin", "zmax")
        common.update({lo: -bound, hi: bound, "reversescale": True})
    return go.Surface(**common) if kind == "surface" else go.Heatmap(**common)


def greeks_surface_figure(
    strategy_or_params: Any,
    greek: str = "delta",
    *,
    spots: object = None,
    dates: object = None,
    kind: str = "surface",
    per: str = "position",
    n_spots: int = 81,
    n_dates: int = 30,
    title: str | None = None,
) -> go.Figure:
    """A Greek as a 3-D surface or a heatmap.

    Two inputs:

    - a :class:`fastopt.Strategy`: the position's Greek (``Strategy.greeks``)
      over underlying price (x) x days to the first expiry (y);
    - option parameters (an :class:`OptionGrid`, or a mapping with ``spot,
      strikes, expiries, vol`` and optionally ``rate, div, kind``): one option
      type's Greek (:func:`fastopt.bs_greeks`) over strike (x) x years to
      expiry (y).

    Parameters
    ----------
    strategy_or_params : Strategy, OptionGrid or mapping
    greek : str, default "delta"
        One of ``price, delta, gamma, vega, theta, rho, vanna, volga, charm``
        (``vomma`` is accepted for ``volga``). Units are those of
        :class:`fastopt.Greeks` (vega per 1.00 of vol, theta per year).
    spots : array_like, optional
        Strategy only: underlying prices (default ``n_spots`` points over the
        range of :func:`fastopt.strategies.analytics.default_grid`).
    dates : sequence of dates, ISO strings or years, optional
        Strategy only: valuation dates (default ``n_dates`` dates evenly spaced
        from ``asof`` up to, not including, the first expiry).
    kind : {"surface", "heatmap"}, default "surface"
    per : {"position", "share"}, default "position"
        Strategy only: see :meth:`fastopt.Strategy.greeks`.
    n_spots, n_dates : int
        Grid sizes when ``spots`` / ``dates`` are not given.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Surface`` or ``Heatmap`` trace named after the Greek; ``z`` has
        shape ``(len(y), len(x))``.

    Raises
    ------
    ValueError
        Unknown ``greek`` or ``kind`` (the message lists the allowed ones), bad
        grids, a strategy without an option leg alive after ``asof``.
    TypeError
        ``strategy_or_params`` of another type; unknown option parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.strategies import Leg, Strategy
    >>> from fastopt.viz import greeks_surface_figure
    >>> straddle = Strategy([Leg("call", 1, 100.0, "2025-03-21"),
    ...                      Leg("put", 1, 100.0, "2025-03-21")],
    ...                     spot=100.0, vol=0.2, asof="2025-02-21")
    >>> fig = greeks_surface_figure(straddle, "gamma", kind="heatmap", n_spots=41, n_dates=10)
    >>> fig.data[0].type, np.shape(fig.data[0].z)
    ('heatmap', (10, 41))
    >>> params = {"spot": 100.0, "strikes": np.linspace(80, 120, 21),
    ...           "expiries": [0.1, 0.25, 0.5, 1.0], "vol": 0.2, "kind": "put"}
    >>> np.shape(greeks_surface_figure(params, "vega").data[0].z)
    (4, 21)
    """
    import plotly.graph_objects as go

    name = _greek_name(greek)
    check_choice(kind, "kind", FIGURE_KINDS)
    if isinstance(strategy_or_params, Strategy):
        x, y, z, labels = _strategy_grid(
            strategy_or_params, name, spots, dates, per, n_spots, n_dates
        )
    else:
        if spots is not None or dates is not None:
            msg = (
                "`spots` and `dates` apply to a Strategy; for option parameters put the "
                "grid in `strikes` and `expiries`"
            )
            raise ValueError(msg)
        x, y, z, labels = _option_grid(_as_grid(strategy_or_params), name)
    x_title, y_title, default_title = labels
    unit = _UNITS[name]
    hover = f"{x_title} %{{x:,.2f}}<br>{y_title} %{{y:,.3g}}<br>{name} %{{z:,.4g}}<extra></extra>"
    z_title = f"{name} ({unit})"
    trace = _trace(kind, x, y, z, name, z_title, hover)
    layout = st.base_layout(title if title is not None else default_title, x_title, y_title)
    if kind == "surface":
        layout["scene"] = {
            "xaxis": {"title": {"text": x_title}},
            "yaxis": {"title": {"text": y_title}},
            "zaxis": {"title": {"text": z_title}},
        }
        layout["margin"] = {"l": 10, "r": 10, "t": 60, "b": 10}
    return go.Figure(data=[trace], layout=layout)


def _strategy_grid(
    strategy: Strategy,
    greek: str,
    spots: object,
    dates: object,
    per: str,
    n_spots: int,
    n_dates: int,
) -> tuple[Any, Any, Any, tuple[str, str, str]]:
    from fastopt.strategies.analytics import default_grid, horizon_years

    per_divisor(strategy, per)  # validates `per`
    require_leg_vols(strategy, "a Greek surface")
    horizon = strategy.horizon
    if horizon <= 0.0:
        msg = (
            "a Greek surface needs an option leg expiring after `asof`; "
            f"{strategy.name!r} has none (first expiry {strategy.first_expiry})"
        )
        raise ValueError(msg)
    if spots is None:
        vol = distribution_vol(strategy) if has_vol(strategy) else 1e-9
        x = default_grid(strategy, horizon, vol, check_int(n_spots, "n_spots", 2))
    else:
        x = price_grid(spots)
    given = as_date_list(dates)
    if given:
        hs = np.array([horizon_years(strategy, d) for d in given], dtype=np.float64)
    else:
        hs = np.linspace(0.0, horizon, check_int(n_dates, "n_dates", 1), endpoint=False)
    rows = [np.asarray(getattr(strategy.greeks(spots=x, at=float(h), per=per), greek)) for h in hs]
    z = np.vstack(rows) if rows else np.empty((0, x.shape[0]))
    days = (horizon - hs) * strategy.year_basis
    day_word = "calendar" if strategy.year_basis == 365 else "trading"
    where = "position" if per == "position" else "per share"
    title = f"{strategy.name}: {greek} ({where}) by spot and time"
    return x, days, z, ("underlying price", f"{day_word} days to first expiry", title)


def _option_grid(grid: OptionGrid, greek: str) -> tuple[Any, Any, Any, tuple[str, str, str]]:
    from fastopt.pricing import bs_greeks

    strikes = _axis(grid.strikes, "strikes")
    expiries = _axis(grid.expiries, "expiries")
    kind = check_choice(grid.kind, "kind", ("call", "put"))
    g = bs_greeks(
        grid.spot, strikes[None, :], expiries[:, None], grid.vol, grid.rate, grid.div, kind
    )
    z = np.broadcast_to(np.asarray(getattr(g, greek)), (expiries.size, strikes.size))
    title = f"{kind} {greek} by strike and expiry (spot {float(grid.spot):,.2f})"
    return strikes, expiries, np.ascontiguousarray(z), ("strike", "years to expiry", title)
