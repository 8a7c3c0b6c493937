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


class PayoffT(NamedTuple):
    """Payoff types of the Monte Carlo pricing kernels."""

    EUROPEAN: int = 0  # max(w (S_T - K), 0)
    DIGITAL: int = 1  # cash if w (S_T - K) > 0
    ASIAN_ARITHMETIC: int = 2  # max(w (A - K), 0), A = mean of S at the grid times
    ASIAN_GEOMETRIC: int = 3  # max(w (G - K), 0), G = geometric mean of S at the grid times
    LOOKBACK_FIXED: int = 4  # call max(M - K, 0), put max(K - m, 0)
    LOOKBACK_FLOATING: int = 5  # call S_T - m, put M - S_T
    BARRIER: int = 6  # European payoff, knocked in/out at a barrier


Payoff = PayoffT()


class BarrierT(NamedTuple):
    """Barrier types."""

    UP_OUT: int = 0
    UP_IN: int = 1
    DOWN_OUT: int = 2
    DOWN_IN: int = 3


Barrier = BarrierT()


class ControlT(NamedTuple):
    """Control variates of the Monte Carlo pricing kernels."""

    NONE: int = 0
    TERMINAL_SPOT: int = 1  # discounted S_T, mean S_0 exp(-q T)
    BS_VANILLA: int = 2  # discounted European payoff, mean = Black-Scholes price (GBM)
    GEOMETRIC_ASIAN: int = 3  # discounted geometric-Asian payoff, mean = closed form (GBM)


Control = ControlT()


class PayoffSpec(NamedTuple):
    """Everything the pricing kernels need to evaluate a payoff (scalars only)."""

    payoff: int  # a Payoff code
    w: float  # +1 call, -1 put
    strike: float
    cash: float  # digital payout
    barrier_log: float  # log(barrier / spot)
    barrier: int  # a Barrier code
    continuous: bool  # Brownian-bridge correction of the barrier between grid times
    control: int  # a Control code
    control_strike: float  # strike of the BS-vanilla control
