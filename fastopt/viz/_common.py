"""Input checks shared by the figure builders (validation only, no math)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from fastopt._typing import Float64Array
from fastopt._validate import as_float_array, check_choice, check_positive
from fastopt.strategies.strategy import Strategy

PER_CHOICES = ("position", "share")


def check_strategy(value: object, name: str = "strategy") -> Strategy:
    """``value`` if it is a :class:`~fastopt.strategies.Strategy`, else ``TypeError``."""
    if not isinstance(value, Strategy):
        msg = f"`{name}` must be a fastopt Strategy, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def distribution_vol(strategy: Strategy, vol: float | None = None) -> float:
    """The volatility the analytics use for the underlying's distribution.

    ``vol`` if given, else the strategy's ``vol``, else the IV of the option leg
    nearest the money: the same rule as :func:`fastopt.strategies.analyze`.
    """
    from fastopt.strategies.analytics import distribution_vol

    return distribution_vol(strategy, vol)


def has_vol(strategy: Strategy) -> bool:
    """True when the analytics can find a distribution volatility without ``vol=``."""
    from fastopt.strategies.analytics import has_distribution_vol

    return bool(has_distribution_vol(strategy))


def require_leg_vols(strategy: Strategy, what: str) -> None:
    """``ValueError`` unless every option leg has a volatility (its ``iv`` or the
    strategy's ``vol``): values before expiry need them."""
    a = strategy.arrays
    from fastopt.strategies.leg import KIND_CODE

    opt = a.kind != KIND_CODE["stock"]
    if bool(np.isnan(a.vol[opt]).any()):
        msg = (
            f"{what} needs a volatility for every option leg: give the strategy a `vol` "
            "or the legs an `iv`"
        )
        raise ValueError(msg)


def per_divisor(strategy: Strategy, per: str) -> float:
    """1 for ``per="position"``; the option multiplier for ``per="share"``.

    The same convention as ``Strategy.greeks(per=...)``: the multiplier of the
    first option leg (1 for a stock-only position).
    """
    check_choice(per, "per", PER_CHOICES)
    if per == "position":
        return 1.0
    mult = [leg.multiplier for leg in strategy.legs if leg.kind != "stock"]
    return float(mult[0]) if mult and mult[0] is not None else 1.0


def as_date_list(dates: object, name: str = "dates") -> list[object]:
    """``None`` -> ``[]``; one date, ISO string or number -> ``[it]``; a sequence -> a list."""
    if dates is None:
        return []
    if isinstance(dates, str | dt.date | int | float | np.integer | np.floating):
        return [dates]
    if isinstance(dates, Sequence | np.ndarray):
        return list(dates)
    msg = (
        f"`{name}` must be a date, an ISO date string, years as a number, or a sequence "
        f"of them; got {type(dates).__name__}"
    )
    raise TypeError(msg)


def price_grid(spots: object, name: str = "spots") -> Float64Array:
    """A sorted, de-duplicated 1-D float64 grid of > 0 prices with at least 2 points."""
    arr = as_float_array(spots, name)
    if arr.ndim != 1:
        msg = f"`{name}` must be a 1-D array of prices, got shape {arr.shape}"
        raise ValueError(msg)
    check_positive(arr, name)
    out: Float64Array = np.unique(arr.astype(np.float64))
    if out.shape[0] < 2:
        msg = f"`{name}` needs at least 2 distinct prices, got {out.shape[0]}"
        raise ValueError(msg)
    return out
