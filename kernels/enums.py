"""Integer codes shared by kernels and facade (NamedTuple enums, VBT style)."""

from __future__ import annotations

from typing import NamedTuple


class ModelT(NamedTuple):
    """Pricing models understood by the kernels in ``bs.py``."""

    BSM: int = 0  # Black-Scholes-Merton on spot with continuous dividend yield
    BLACK76: int = 1  # Black-76 on a forward/futures price, discounted at `rate`
    BACHELIER: int = 2  # normal model on a forward, vol in price units, discounted


Model = ModelT()


class IVStatusT(NamedTuple):
    """Per-element outcome of the implied-volatility solver (``int8``)."""

    OK: int = 0  # a volatility reproduces the price (0.0 when price == intrinsic)
    BELOW_INTRINSIC: int = 1  # price below the discounted intrinsic value: no vol exists
    ABOVE_MAX: int = 2  # price at/above the no-arbitrage upper bound: no finite vol
    NO_CONVERGENCE: int = 3  # the solver did not reach the tolerance (should not happen)
    ZERO_TIME: int = 4  # t == 0: the price carries no information about vol


IVStatus = IVStatusT()
