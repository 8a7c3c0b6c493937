"""One leg of a position: an option (call or put) or the underlying stock."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from fastopt._validate import as_date
from fastopt.positions import DEFAULT_MULTIPLIER

if TYPE_CHECKING:
    import numpy as np

    from fastopt._typing import FloatArray

LegKind = Literal["call", "put", "stock"]
LEG_KINDS: tuple[str, ...] = ("call", "put", "stock")
KIND_CODE: dict[str, int] = {"call": 0, "put": 1, "stock": 2}
"""Integer code of each leg kind, as the strategy kernels read it."""

__all__ = ["DEFAULT_MULTIPLIER", "KIND_CODE", "LEG_KINDS", "Leg", "LegArrays", "LegKind"]


def _finite(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            import numpy as np

            if isinstance(value, np.integer | np.floating):
                value = float(value)
            else:
                raise TypeError
        except TypeError:
            msg = f"{what} must be a real number, got {value!r}"
            raise TypeError(msg) from None
    x = float(value)
    if not math.isfinite(x):
        msg = f"{what} must be finite, got {x!r}"
        raise ValueError(msg)
    return x


@dataclass(frozen=True, slots=True)
class Leg:
    """One leg of a strategy.

    Parameters
    ----------
    kind : {"call", "put", "stock"}
        What the leg holds.
    quantity : int
        Signed size: positive long, negative short. Contracts for options,
        shares for stock. Never zero; whole numbers only.
    strike : float, optional
        Strike of an option leg (> 0). ``None`` for stock.
    expiry : datetime.date or str, optional
        Expiry date of an option leg (ISO string accepted). ``None`` for stock.
    premium : float, optional
        Price per share paid (long) or received (short), >= 0; for a stock leg,
        the entry price. ``None`` means "not known yet": a :class:`Strategy`
        fills it with the theoretical Black-Scholes value at its ``vol``.
    multiplier : float
        Shares per contract (100 by default); 1 for stock legs by default.
    iv : float, optional
        Implied volatility of this leg; ``None`` uses the strategy's ``vol``.

    Examples
    --------
    >>> from fastopt import Leg
    >>> leg = Leg("put", -1, 90.0, "2025-03-21", premium=1.20)
    >>> leg.is_short, leg.cost
    (True, -120.0)
    """

    kind: LegKind
    quantity: int
    strike: float | None = None
    expiry: dt.date | None = None
    premium: float | None = None
    multiplier: float | None = None
    iv: float | None = None

    def __post_init__(self) -> None:
        kind = self.kind.lower() if isinstance(self.kind, str) else self.kind
        kind = {"c": "call", "p": "put", "s": "stock"}.get(kind, kind)
        if kind not in LEG_KINDS:
            msg = f"leg `kind` must be one of {LEG_KINDS}, got {self.kind!r}"
            raise ValueError(msg)
        object.__setattr__(self, "kind", kind)
        q = _finite(self.quantity, "leg `quantity`")
        if q == 0.0 or q != round(q):
            msg = f"leg `quantity` must be a non-zero whole number, got {self.quantity!r}"
            raise ValueError(msg)
        object.__setattr__(self, "quantity", int(q))
        if kind == "stock":
            if self.strike is not None or self.expiry is not None:
                msg = "a stock leg has no `strike` or `expiry`; pass None"
                raise ValueError(msg)
            if self.multiplier is None:
                object.__setattr__(self, "multiplier", 1.0)
        else:
            if self.strike is None:
                msg = f"{kind} leg needs a `strike`"
                raise ValueError(msg)
            k = _finite(self.strike, f"{kind} leg `strike`")
            if k <= 0.0:
                msg = f"{kind} leg `strike` must be > 0, got {k!r}"
                raise ValueError(msg)
            object.__setattr__(self, "strike", k)
            if self.expiry is None:
                msg = f"{kind} {k:g} leg needs an `expiry` date"
                raise ValueError(msg)
            object.__setattr__(self, "expiry", as_date(self.expiry, f"{kind} {k:g} leg `expiry`"))
            if self.multiplier is None:
                object.__setattr__(self, "multiplier", DEFAULT_MULTIPLIER)
        m = _finite(self.multiplier, "leg `multiplier`")
        if m <= 0.0:
            msg = f"leg `multiplier` must be > 0, got {m!r}"
            raise ValueError(msg)
        object.__setattr__(self, "multiplier", m)
        if self.premium is not None:
            p = _finite(self.premium, f"{self.label} leg `premium`")
            if p < 0.0:
                msg = (
                    f"{self.label} leg `premium` must be >= 0 (the sign comes from quantity), "
                    f"got {p!r}"
                )
                raise ValueError(msg)
            object.__setattr__(self, "premium", p)
        if self.iv is not None:
            v = _finite(self.iv, f"{self.label} leg `iv`")
            if v <= 0.0:
                msg = f"{self.label} leg `iv` must be > 0, got {v!r}"
                raise ValueError(msg)
            object.__setattr__(self, "iv", v)

    @property
    def label(self) -> str:
        """Short human label, e.g. ``"-1 put 90"`` or ``"+100 stock"``."""
        size = f"{self.quantity:+d}"
        if self.kind == "stock":
            return f"{size} stock"
        return f"{size} {self.kind} {self.strike:g}"

    @property
    def is_short(self) -> bool:
        """True for a negative quantity."""
        return self.quantity < 0

    @property
    def units(self) -> float:
        """Signed shares controlled: ``quantity * multiplier``."""
        return self.quantity * float(self.multiplier)  # type: ignore[arg-type]

    @property
    def cost(self) -> float:
        """Cash paid to open the leg (negative for a credit); needs ``premium``."""
        if self.premium is None:
            msg = f"{self.label} leg has no `premium`"
            raise ValueError(msg)
        return self.units * self.premium

    def with_premium(self, premium: float) -> Leg:
        """A copy with ``premium`` set."""
        return replace(self, premium=premium)

    def scaled(self, factor: int) -> Leg:
        """A copy with the quantity multiplied by ``factor`` (a non-zero int)."""
        return replace(self, quantity=self.quantity * factor)


class LegArrays(NamedTuple):
    """The legs as the kernels read them (one element per leg, read-only).

    Built by :class:`~fastopt.strategies.strategy.Strategy` from its leg records
    (:attr:`Strategy.records`, :data:`fastopt.positions.LEG_DTYPE`): ``units`` here
    are shares (the records' ``units x multiplier``) and ``t`` the records' expiry
    in years on the strategy's year basis.
    """

    kind: np.ndarray[Any, np.dtype[np.int64]]
    """0 call, 1 put, 2 stock (:data:`fastopt.strategies.leg.KIND_CODE`)."""
    units: FloatArray
    """Signed shares: quantity x multiplier."""
    strike: FloatArray
    """Strike (0 for stock)."""
    premium: FloatArray
    """Entry price per share (premium, or the stock's entry price)."""
    t: FloatArray
    """Years from ``asof`` to the leg's expiry on the strategy's year basis (0 for stock)."""
    vol: FloatArray
    """Volatility used to value the leg before its expiry."""
