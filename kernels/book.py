"""The open positions of a backtest run: one record per position slot.

:data:`BOOK_DTYPE` is the layout of the backtest loop's book
(:func:`fastopt.kernels.backtest.run_nb`), one record per slot
(``max_positions`` slots); a slot is free when ``active`` is false.

===============  ===========  ==========================================================
field            dtype        meaning
===============  ===========  ==========================================================
``trade``        int64        index of the position's trade record
``entry``        int64        bar of the entry
``expiry``       int64        the traded expiry, days since 1970-01-01
``credit``       float64      net entry price per share of one unit (> 0: a credit)
``mid``          float64      mid debit to close per share, at the last mark
``nat``          float64      natural debit to close (after slippage), at the last mark
``delta``        float64      net delta per unit of the structure, at the last mark
``short_delta``  float64      the largest ``|delta|`` of a short leg, at the last mark
``scale``        float64      contracts x multiplier
``bpr``          float64      buying-power reduction (money)
``div``          float64      dividends received on stock legs, per share of a unit
``rows``         int64[4]     each leg's chain row at the entry (-1: no leg)
``last``         int64[4]     each leg's chain row at its last quote
``itm``          uint8[4]     each leg in the money at expiry (physical settlement)
``active``       bool         the slot holds a position
``assign``       bool         a short leg is due for early assignment
``pending``      bool         settled into stock at expiry, sold on the next bar
===============  ===========  ==========================================================
"""

from __future__ import annotations

import numpy as np

from fastopt.kernels._jit import jit
from fastopt.kernels.records import record_dtype

MAX_LEGS = 4
"""Legs of one position (the backtest's structures have at most four)."""

BOOK_DTYPE = record_dtype(
    [
        ("trade", "i8"),
        ("entry", "i8"),
        ("expiry", "i8"),
        ("credit", "f8"),
        ("mid", "f8"),
        ("nat", "f8"),
        ("delta", "f8"),
        ("short_delta", "f8"),
        ("scale", "f8"),
        ("bpr", "f8"),
        ("div", "f8"),
        ("rows", "i8", (MAX_LEGS,)),
        ("last", "i8", (MAX_LEGS,)),
        ("itm", "u1", (MAX_LEGS,)),
        ("active", "?"),
        ("assign", "?"),
        ("pending", "?"),
    ]
)
"""One open-position slot (aligned)."""


@jit
def new_book(n):  # type: ignore[no-untyped-def]
    """A book of ``n`` free slots (``rows`` and ``last`` -1, everything else 0)."""
    book = np.zeros(n, dtype=BOOK_DTYPE)
    for p in range(n):
        for j in range(MAX_LEGS):
            book[p].rows[j] = -1
            book[p].last[j] = -1
    return book
