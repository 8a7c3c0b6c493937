"""Betas of underlyings to a benchmark, estimated from a price history.

:func:`estimate_betas` takes closing prices (a Polars or pandas frame with a ``date``
column and one column per symbol), computes daily log-returns over the dates where the
symbol and the benchmark both have a price, and returns each symbol's beta
(:func:`fastopt.kernels.portfolio.beta_nb`: covariance over the benchmark's variance).
The betas feed :meth:`fastopt.risk.Portfolio.beta_weighted_delta`.

Examples
--------
>>> import numpy as np
>>> import polars as pl
>>> from fastopt.risk import estimate_betas
>>> rng = np.random.default_rng(0)
>>> market = np.cumsum(rng.normal(0, 0.01, 500))
>>> prices = pl.DataFrame({"date": pl.date_range(pl.date(2020, 1, 1), pl.date(2021, 5, 14),
...                                              eager=True),
...                        "SPY": 100 * np.exp(market),
...                        "TECH": 50 * np.exp(1.5 * market + rng.normal(0, 0.005, 500))})
>>> {k: round(v, 1) for k, v in estimate_betas(prices, "SPY").items()}
{'TECH': 1.5}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt._validate import check_int
from fastopt.kernels import portfolio as _kp

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = ["estimate_betas"]


def estimate_betas(
    prices: pl.DataFrame | Any,
    benchmark: str,
    *,
    window: int | None = None,
    min_observations: int = 20,
) -> dict[str, float]:
    """Beta of every price column of ``prices`` to the ``benchmark`` column.

    Parameters
    ----------
    prices : polars.DataFrame or pandas.DataFrame
        A ``date`` column and one column of positive closing prices per symbol (nulls
        where a symbol has no price).
    benchmark : str
        The benchmark's column.
    window : int, optional
        Use only the last ``window`` returns (default: all).
    min_observations : int, default 20
        Fewer common returns than this is an error.

    Returns
    -------
    dict of str to float
        ``{symbol: beta}`` for every column but ``date`` and the benchmark.

    Raises
    ------
    ValueError
        No ``date`` or benchmark column, a non-positive price, too few common returns,
        a benchmark without variance.
    """
    from fastopt.data import to_polars

    frame = to_polars(prices, name="prices")
    for col in ("date", benchmark):
        if col not in frame.columns:
            msg = f"`prices` has no `{col}` column; columns: {frame.columns}"
            raise ValueError(msg)
    if window is not None:
        check_int(window, "window", 2)
    check_int(min_observations, "min_observations", 2)
    frame = frame.sort("date")
    symbols = [c for c in frame.columns if c not in ("date", benchmark)]
    out: dict[str, float] = {}
    for sym in symbols:
        pair = frame.select(benchmark, sym).drop_nulls()
        values = pair.to_numpy().astype(np.float64)
        if not (np.isfinite(values).all() and (values > 0).all()):
            msg = f"`prices` columns {benchmark!r} and {sym!r} must be finite prices > 0"
            raise ValueError(msg)
        rets = np.diff(np.log(values), axis=0)
        if window is not None:
            rets = rets[-window:]
        if rets.shape[0] < min_observations:
            msg = (
                f"{sym!r}: {rets.shape[0]} common returns with {benchmark!r}, fewer than "
                f"`min_observations` ({min_observations})"
            )
            raise ValueError(msg)
        beta = float(
            _kp.beta_nb(np.ascontiguousarray(rets[:, 1]), np.ascontiguousarray(rets[:, 0]))
        )
        if np.isnan(beta):
            msg = f"{benchmark!r} has no variance over the returns of {sym!r}: no beta"
            raise ValueError(msg)
        out[sym] = beta
    return out
