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


class LegKindT(NamedTuple):
    """What a leg holds (the ``kind`` column of every leg record and chain row)."""

    CALL: int = 0
    PUT: int = 1
    STOCK: int = 2  # one unit = ``multiplier`` shares (backtest) or one share (strategies)


LegKind = LegKindT()


class SelectT(NamedTuple):
    """How a backtest leg is picked from a day's chain slice (:mod:`fastopt.kernels.select`)."""

    DELTA: int = 0  # |delta| nearest the target
    WING_OUT: int = 1  # ``width`` strike points further out of the money than a reference leg
    SAME_STRIKE: int = 2  # the strike of a reference leg
    WING_IN: int = 3  # ``width`` strike points further in the money than a reference leg
    MONEYNESS: int = 4  # the strike nearest ``spot * (1 -/+ m)`` (puts below, calls above)
    STOCK: int = 5  # the bar's synthetic stock row


Select = SelectT()


class ExpirySlotT(NamedTuple):
    """Which expiry of a structure a leg trades."""

    NEAR: int = 0  # the traded expiry (nearest the target DTE)
    FAR: int = 1  # the far expiry of a calendar or diagonal


ExpirySlot = ExpirySlotT()


class ExitReasonT(NamedTuple):
    """Why a position closed (:mod:`fastopt.kernels.exits`); 0 = still open."""

    NONE: int = 0
    PROFIT_TARGET: int = 1
    STOP_LOSS: int = 2
    DTE: int = 3
    MAX_HOLD: int = 4
    EXPIRY: int = 5
    END: int = 6
    DELTA: int = 7
    ROLL: int = 8
    EARLY_ASSIGNMENT: int = 9
    PHYSICAL: int = 10
    GREEK: int = 11


ExitReason = ExitReasonT()
