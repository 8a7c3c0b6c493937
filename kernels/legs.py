"""The leg record: one layout for a leg in strategies, backtests and the risk layer.

:data:`LEG_DTYPE` is a NumPy structured dtype, one record per leg:

============  =======  ================================================================
field         dtype    meaning
============  =======  ================================================================
``kind``      int8     a :data:`fastopt.kernels.enums.LegKind` code (0 call, 1 put, 2 stock)
``units``     float64  signed size: contracts of an option, units of stock (< 0 short)
``strike``    float64  strike per share (0 for stock)
``expiry``    int64    expiry, days since 1970-01-01 (:data:`NO_EXPIRY` for stock)
``premium``   float64  price per share paid or received (entry price of stock; NaN: unknown)
``vol``       float64  volatility that values the leg before expiry (NaN: unknown)
``multiplier`` float64 shares per unit (100 for a listed option contract)
``underlying`` int32   index of the underlying the leg is on (0 for one underlying)
============  =======  ================================================================

Money is ``units x multiplier x price`` (prices per share): :func:`leg_money_nb`.
Kernels never take the records themselves: the facade hands them the fields as
contiguous arrays (``records["strike"]``...).
"""

from __future__ import annotations

import numpy as np

from fastopt.kernels._jit import jit
from fastopt.kernels.enums import LegKind
from fastopt.kernels.select import STOCK_EXPIRY

LEG_FIELDS: tuple[tuple[str, str], ...] = (
    ("kind", "i1"),
    ("units", "f8"),
    ("strike", "f8"),
    ("expiry", "i8"),
    ("premium", "f8"),
    ("vol", "f8"),
    ("multiplier", "f8"),
    ("underlying", "i4"),
)
"""Field names and dtypes of :data:`LEG_DTYPE`, in order."""

LEG_DTYPE = np.dtype(list(LEG_FIELDS))
"""One leg record (packed, no padding)."""

NO_EXPIRY = STOCK_EXPIRY
"""The ``expiry`` of a stock leg (it never expires): the backtest's stock-row key."""

CALL = LegKind.CALL
PUT = LegKind.PUT
STOCK = LegKind.STOCK


@jit
def leg_money_nb(units, multiplier, price, out):  # type: ignore[no-untyped-def]
    """Money of each leg, ``units x multiplier x price``, into ``out``; returns the sum
    (legs added in order from 0.0; a NaN price gives NaN)."""
    total = 0.0
    for i in range(units.shape[0]):
        v = units[i] * multiplier[i] * price[i]
        out[i] = v
        total += v
    return total
