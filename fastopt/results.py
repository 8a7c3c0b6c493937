"""Frozen result containers returned by the pricing facade."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

GREEK_NAMES = ("price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm")


@dataclass(frozen=True, slots=True)
class Greeks:
    """Price and Greeks of a batch of options, computed in one pass.

    Every field is a Python float (scalar inputs) or an array of the broadcast
    input shape. Units are per unit of the underlying quantity:

    - ``delta`` = dV/dS, ``gamma`` = d2V/dS2;
    - ``vega`` = dV/dvol per 1.00 of vol (see :attr:`vega_pct`);
    - ``theta`` = -dV/dt per year, i.e. the change as time passes
      (see :meth:`theta_per_day`);
    - ``rho`` = dV/drate per 1.00 of rate, dividend yield held fixed
      (see :attr:`rho_pct`);
    - ``vanna`` = d2V/dS dvol, ``volga`` (vomma) = d2V/dvol2, both per 1.00 of vol;
    - ``charm`` = -d(delta)/dt per year (see :meth:`charm_per_day`).

    Examples
    --------
    >>> import fastopt
    >>> g = fastopt.bs_greeks(100.0, 100.0, 1.0, 0.2, rate=0.05)
    >>> round(g.price, 6), round(g.delta, 6)
    (10.450584, 0.636831)
    >>> round(g.vega_pct, 6), round(g.theta_per_day(), 6)
    (0.37524, -0.017573)
    """

    price: Any
    delta: Any
    gamma: Any
    vega: Any
    theta: Any
    rho: Any
    vanna: Any
    volga: Any
    charm: Any

    @property
    def vega_pct(self) -> Any:
        """Vega per 1 percentage point of vol (``vega / 100``)."""
        return self.vega / 100.0

    @property
    def rho_pct(self) -> Any:
        """Rho per 1 percentage point of rate (``rho / 100``)."""
        return self.rho / 100.0

    @property
    def volga_pct(self) -> Any:
        """Volga per (1 percentage point of vol) squared (``volga / 10_000``)."""
        return self.volga / 10_000.0

    @property
    def vanna_pct(self) -> Any:
        """Vanna per 1 percentage point of vol (``vanna / 100``)."""
        return self.vanna / 100.0

    def theta_per_day(self, days_per_year: float = 365.0) -> Any:
        """Theta per day: ``theta / days_per_year`` (365 calendar or 252 trading days)."""
        return self.theta / days_per_year

    def charm_per_day(self, days_per_year: float = 365.0) -> Any:
        """Charm per day: ``charm / days_per_year``."""
        return self.charm / days_per_year

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict, in the order of :data:`GREEK_NAMES`."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_polars(self) -> pl.DataFrame:
        """One row per option (inputs flattened in C order), one column per field."""
        return pl.DataFrame({k: np.ravel(v) for k, v in self.to_dict().items()})
