"""Year fractions: calendar days / 365 or business days / 252 from a date to an expiry."""

from __future__ import annotations

import datetime as dt

import numpy as np

__all__ = ["YEAR_BASES", "year_fraction"]

YEAR_BASES: tuple[int, ...] = (365, 252)
"""Accepted ``year_basis`` values."""


def year_fraction(start: dt.date, end: dt.date, year_basis: int) -> float:
    """Years from ``start`` to ``end``: calendar days / 365 or business days / 252.

    Business days are weekdays (``numpy.busday_count``); exchange holidays are
    not removed.

    Examples
    --------
    >>> import datetime as dt
    >>> from fastopt.strategies.year_basis import year_fraction
    >>> year_fraction(dt.date(2025, 1, 6), dt.date(2025, 2, 5), 365)
    0.0821917808219178
    >>> year_fraction(dt.date(2025, 1, 6), dt.date(2025, 2, 5), 252)  # 22 business days
    0.0873015873015873
    """
    if year_basis == 365:
        return (end - start).days / 365.0
    if year_basis == 252:
        return float(np.busday_count(start, end)) / 252.0
    msg = f"`year_basis` must be 365 (calendar days) or 252 (business days), got {year_basis!r}"
    raise ValueError(msg)
