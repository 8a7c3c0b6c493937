"""``Strategy``: a position of legs on one underlying, and its market inputs.

The analytics (payoff, break-evens, max profit/loss, probability of profit,
expected value, Greeks, margin) are methods that hand the legs to the
compiled engine in ``fastopt.kernels.strategy`` as plain arrays; the
computations live in :mod:`fastopt.strategies.analytics` and
:mod:`fastopt.strategies.margin`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from fastopt import positions as _positions
from fastopt._typing import FloatArray
from fastopt._validate import as_date, readonly
from fastopt.strategies import analytics as _analytics
from fastopt.strategies import margin as _margin
from fastopt.strategies import text as _text
from fastopt.strategies.leg import KIND_CODE, Leg, LegArrays, _finite
from fastopt.strategies.year_basis import YEAR_BASES, year_fraction

if TYPE_CHECKING:
    from fastopt.results import Greeks

__all__ = ["YEAR_BASES", "LegArrays", "Strategy", "StrategyFacts", "year_fraction"]


class StrategyFacts(NamedTuple):
    """Structural facts of a strategy, computed once at construction."""

    horizon: float
    """Years to the first option expiry (0 without options)."""
    last_expiry: float
    """Years to the last option expiry (0 without options)."""
    strike_min: float
    """Lowest option strike (NaN without options)."""
    strike_max: float
    """Highest option strike (NaN without options)."""
    vol_needed_before: float
    """Valuing before this many years needs a vol some option leg lacks (-1: never)."""
    first_no_vol_leg: int
    """Index of that leg (-1: none)."""


@dataclass(frozen=True)
class Strategy:
    """A multi-leg position on one underlying, with the market it is valued in.

    Parameters
    ----------
    legs : sequence of Leg
        At least one leg. Legs may have different expiries (calendars,
        diagonals) and may include stock.
    spot : float
        Underlying price (> 0).
    vol : float, optional
        Volatility (annualised on ``year_basis``) for legs without their own
        ``iv`` and for the distribution of the underlying in probabilities.
        Needed unless every option leg has an ``iv``.
    rate, div : float
        Continuously compounded risk-free rate and dividend yield.
    asof : datetime.date or str, optional
        Valuation date; today when omitted. Expiries before it are an error.
    year_basis : {365, 252}
        Calendar days / 365 or business days / 252 for every time to expiry.
        It moves probabilities by several points: pick the one your vol is
        quoted on.
    name : str
        A label (builders set it, e.g. ``"iron_condor"``).

    Legs without a ``premium`` are filled with their theoretical
    Black-Scholes value at ``asof`` (stock legs with ``spot``).

    Examples
    --------
    >>> from fastopt import Leg, Strategy
    >>> s = Strategy(
    ...     [Leg("put", +1, 95.0, "2025-03-21", premium=1.10),
    ...      Leg("put", -1, 100.0, "2025-03-21", premium=2.60)],
    ...     spot=102.0, vol=0.2, asof="2025-02-21")
    >>> s.cost  # a credit
    -150.0
    >>> s.max_profit, s.max_loss
    (150.0, -350.0)
    """

    legs: tuple[Leg, ...]
    spot: float
    vol: float | None = None
    rate: float = 0.0
    div: float = 0.0
    asof: dt.date | None = None
    year_basis: int = 365
    name: str = "custom"
    _arrays: LegArrays = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.legs, Leg) or not isinstance(self.legs, Iterable):
            msg = f"`legs` must be a sequence of Leg, got {type(self.legs).__name__}"
            raise TypeError(msg)
        legs = tuple(self.legs)
        if not legs:
            msg = "a Strategy needs at least one Leg"
            raise ValueError(msg)
        for i, leg in enumerate(legs):
            if not isinstance(leg, Leg):
                msg = f"legs[{i}] must be a Leg, got {type(leg).__name__}"
                raise TypeError(msg)
        object.__setattr__(self, "legs", legs)
        spot = _finite(self.spot, "`spot`")
        if spot <= 0.0:
            msg = f"`spot` must be > 0, got {spot!r}"
            raise ValueError(msg)
        object.__setattr__(self, "spot", spot)
        if self.vol is not None:
            vol = _finite(self.vol, "`vol`")
            if vol <= 0.0:
                msg = f"`vol` must be > 0, got {vol!r}"
                raise ValueError(msg)
            object.__setattr__(self, "vol", vol)
        object.__setattr__(self, "rate", _finite(self.rate, "`rate`"))
        object.__setattr__(self, "div", _finite(self.div, "`div`"))
        asof = dt.date.today() if self.asof is None else as_date(self.asof, "`asof`")
        object.__setattr__(self, "asof", asof)
        if self.year_basis not in YEAR_BASES:
            msg = (
                "`year_basis` must be 365 (calendar days) or 252 (business days), "
                f"got {self.year_basis!r}"
            )
            raise ValueError(msg)
        for leg in legs:
            if leg.kind == "stock":
                continue
            assert leg.expiry is not None
            if leg.expiry < asof:
                msg = f"{leg.label} leg expired on {leg.expiry} before `asof` {asof}"
                raise ValueError(msg)
            if leg.iv is None and self.vol is None and leg.premium is None:
                msg = (
                    f"{leg.label} leg has no `premium` to fill: give it a premium, an `iv`, "
                    "or the strategy a `vol`"
                )
                raise ValueError(msg)
        records = _positions.from_legs(legs, vol=self.vol)
        n = len(legs)
        kind = records["kind"].astype(np.int64)
        units = records["units"] * records["multiplier"]  # shares: quantity x multiplier
        strike = np.ascontiguousarray(records["strike"])
        t = np.array(
            [
                0.0 if leg.expiry is None else year_fraction(asof, leg.expiry, self.year_basis)
                for leg in legs
            ]
        )
        vol_arr = np.ascontiguousarray(records["vol"])
        premium = np.ascontiguousarray(records["premium"])
        missing = np.isnan(premium)
        if missing.any():
            from fastopt.kernels.strategy import leg_values_nb

            fair = leg_values_nb(
                readonly(np.full(n, spot)),
                0.0,
                kind,
                strike,
                t,
                np.nan_to_num(vol_arr),
                self.rate,
                self.div,
            )
            premium = np.where(missing, fair, premium)
            records["premium"] = premium
            legs = tuple(
                leg.with_premium(float(premium[i])) if missing[i] else leg
                for i, leg in enumerate(legs)
            )
            object.__setattr__(self, "legs", legs)
        records.flags.writeable = False
        self.__dict__["_records"] = records
        arrays = LegArrays(*(readonly(a) for a in (kind, units, strike, premium, t, vol_arr)))
        object.__setattr__(self, "_arrays", arrays)
        opt = kind != KIND_CODE["stock"]
        no_vol = opt & np.isnan(vol_arr)
        self.__dict__["_facts"] = StrategyFacts(
            horizon=float(t[opt].min()) if opt.any() else 0.0,
            last_expiry=float(t[opt].max()) if opt.any() else 0.0,
            strike_min=float(strike[opt].min()) if opt.any() else float("nan"),
            strike_max=float(strike[opt].max()) if opt.any() else float("nan"),
            vol_needed_before=float(t[no_vol].max()) if no_vol.any() else -1.0,
            first_no_vol_leg=int(np.argmax(no_vol)) if no_vol.any() else -1,
        )

    # ------------------------------------------------------------------ basics
    @property
    def arrays(self) -> LegArrays:
        """The legs as read-only arrays, in the kernels' layout (built from :attr:`records`)."""
        return self._arrays

    @property
    def records(self) -> np.ndarray[Any, np.dtype[Any]]:
        """The legs as read-only :data:`fastopt.positions.LEG_DTYPE` records (premiums filled).

        Examples
        --------
        >>> from fastopt import Leg, Strategy
        >>> s = Strategy([Leg("call", 1, 100.0, "2025-03-21", premium=2.0)],
        ...              spot=100.0, vol=0.2, asof="2025-02-21")
        >>> s.records[["kind", "units", "strike", "premium", "multiplier"]].tolist()
        [(0, 1.0, 100.0, 2.0, 100.0)]
        """
        records: np.ndarray[Any, np.dtype[Any]] = self.__dict__["_records"]
        return records

    @property
    def cost(self) -> float:
        """Net cash paid to open the position (negative: a credit), in dollars."""
        a = self._arrays
        return float(np.dot(a.units, a.premium))

    @property
    def facts(self) -> StrategyFacts:
        """Structural facts computed once at construction (expiry span, strike range)."""
        facts: StrategyFacts = self.__dict__["_facts"]
        return facts

    @property
    def horizon(self) -> float:
        """Years to the earliest option expiry (0 for a stock-only position)."""
        return self.facts.horizon

    @property
    def expiries(self) -> tuple[dt.date, ...]:
        """Distinct option expiries, earliest first."""
        return tuple(sorted({leg.expiry for leg in self.legs if leg.expiry is not None}))

    @property
    def first_expiry(self) -> dt.date | None:
        """The earliest option expiry (the date "at expiry" analytics refer to)."""
        ex = self.expiries
        return ex[0] if ex else None

    @property
    def is_single_expiry(self) -> bool:
        """True when every option leg expires on the same date (piecewise-linear payoff)."""
        return len(self.expiries) <= 1

    def with_market(self, **changes: Any) -> Strategy:
        """A copy with market inputs changed (``spot``, ``vol``, ``rate``, ``div``, ``asof``)."""
        allowed = {"spot", "vol", "rate", "div", "asof", "year_basis", "name"}
        bad = set(changes) - allowed
        if bad:
            msg = f"with_market() accepts {sorted(allowed)}, got {sorted(bad)}"
            raise TypeError(msg)
        return replace(self, **changes)

    def __add__(self, other: Strategy) -> Strategy:
        """Combine two strategies on the same market into one position."""
        if not isinstance(other, Strategy):
            return NotImplemented
        mine = (self.spot, self.vol, self.rate, self.div, self.asof, self.year_basis)
        theirs = (other.spot, other.vol, other.rate, other.div, other.asof, other.year_basis)
        if mine != theirs:
            msg = (
                "can only add strategies valued in the same market (spot, vol, rate, div, asof, "
                f"year_basis): {mine} != {theirs}"
            )
            raise ValueError(msg)
        return replace(self, legs=self.legs + other.legs, name=f"{self.name}+{other.name}")

    def __str__(self) -> str:
        return _text.format_legs(self.legs)

    @classmethod
    def from_text(cls, text: str, spot: float, **market: Any) -> Strategy:
        """Parse the compact text form (see :func:`fastopt.strategies.text.parse_legs`).

        Examples
        --------
        >>> from fastopt import Strategy
        >>> s = Strategy.from_text(
        ...     "-1 P 90 @1.20 2025-03-21; +1 P 85 @0.55 2025-03-21",
        ...     spot=100.0, vol=0.2, asof="2025-02-21")
        >>> str(s)
        '-1 P 90 @1.2 2025-03-21; +1 P 85 @0.55 2025-03-21'
        """
        return cls(_text.parse_legs(text), spot, **market)

    # ------------------------------------------------------------- analytics
    def _time_at(self, at: object) -> float:
        return _analytics.horizon_years(self, at)

    def payoff(self, spots: object) -> Any:
        """P&L at the first expiry for underlying prices ``spots``, in dollars.

        Legs expiring later (calendars) are valued with Black-Scholes at
        their own vol. Scalars in give a float out.

        Examples
        --------
        >>> from fastopt import Leg, Strategy
        >>> s = Strategy([Leg("call", 1, 100.0, "2025-03-21", premium=2.0)],
        ...              spot=100.0, asof="2025-02-21")
        >>> s.payoff([90.0, 100.0, 110.0])
        array([-200., -200.,  800.])
        """
        return _analytics.pnl(self, spots, None)

    def pnl(self, spots: object, at: object = None) -> Any:
        """P&L at date ``at`` (a date, ISO string, or years from ``asof``; default
        the first expiry) for underlying prices ``spots``, in dollars."""
        return _analytics.pnl(self, spots, at)

    def pnl_grid(self, spots: object, at: Sequence[object]) -> FloatArray:
        """P&L for every (date, spot) pair: an array of shape ``(len(at), len(spots))``."""
        return _analytics.pnl_grid(self, spots, at)

    def analyze(self, at: object = None, **kwargs: Any) -> _analytics.StrategyAnalysis:
        """Everything at once: see :func:`fastopt.strategies.analytics.analyze`."""
        return _analytics.analyze(self, at, **kwargs)

    def _shape(self) -> _analytics.StrategyAnalysis:
        """Analysis for the vol-free quantities (break-evens, extremes), cached."""
        cached = self.__dict__.get("_shape_cache")
        if cached is None:
            vol = (
                None if _analytics.has_distribution_vol(self) else 1.0
            )  # shape only: any vol will do
            cached = _analytics.analyze(self, grid=0, vol=vol)
            self.__dict__["_shape_cache"] = cached
        return cached

    @property
    def breakevens(self) -> tuple[float, ...]:
        """Underlying prices where the P&L at the first expiry crosses zero."""
        return self._shape().breakevens

    @property
    def max_profit(self) -> float:
        """Largest P&L at the first expiry (``inf`` when unlimited), in dollars."""
        return self._shape().max_profit

    @property
    def max_loss(self) -> float:
        """Smallest P&L at the first expiry (negative; ``-inf`` when unlimited)."""
        return self._shape().max_loss

    def pop(self, **kwargs: Any) -> float:
        """Probability of profit (P&L >= $0.01); see :func:`analytics.analyze`."""
        return self.analyze(grid=0, **kwargs).pop

    def greeks(self, spots: object = None, at: object = 0.0, *, per: str = "position") -> Greeks:
        """Position Greeks: see :func:`fastopt.strategies.analytics.strategy_greeks`."""
        return _analytics.strategy_greeks(self, spots, at, per=per)

    def margin(self, **kwargs: Any) -> _margin.MarginResult:
        """Strategy-based (Reg T / Cboe) margin: see :func:`fastopt.strategies.margin.margin`."""
        return _margin.margin(self, **kwargs)
