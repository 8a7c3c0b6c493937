"""Predefined strategies: one function per structure, returning a named :class:`Strategy`.

Every builder takes the underlying price, the strikes of the structure (named
by the role of their leg, lowest strike first), the expiry (``near_expiry``
and ``far_expiry`` for calendars and diagonals) and the same keywords:

quantity : int, default 1
    Number of units of the structure (> 0, whole). Every leg's size is its
    ratio in the structure times ``quantity``; stock legs hold
    ``quantity * multiplier`` shares.
premiums : sequence of float or None, optional
    Price per share of each leg, in leg order (the order of the table in
    ``docs/strategies.md`` and of ``strategy.legs``); for a stock leg the
    entry price. ``None`` (whole sequence or an element) fills that leg with
    its Black-Scholes value at ``vol`` (stock: ``spot``).
vol : float, optional
    Volatility used to value the legs; needed when a premium is missing.
rate, div : float, default 0.0
    Continuously compounded rate and dividend yield.
asof : date or ISO str, optional
    Valuation date (today when omitted).
year_basis : {365, 252}, default 365
    Calendar days / 365 or business days / 252.
multiplier : float, default 100
    Shares per option contract.

A builder checks its inputs before building: strikes out of order for the
structure, a quantity that is zero, negative or fractional, a missing
expiry, a ``premiums`` of the wrong length. The ``ValueError`` names the
builder, the argument and the rule, e.g. ``iron_condor: strikes must satisfy
long_put < short_put <= short_call < long_call, got long_put=95, ...``.

:data:`BUILDERS` maps every name to its function and :func:`build` calls one
by name.

Examples
--------
>>> from fastopt.strategies.builders import iron_condor
>>> ic = iron_condor(100.0, 85.0, 90.0, 110.0, 115.0, "2025-03-21",
...                  premiums=[0.40, 1.10, 1.00, 0.35], vol=0.2, asof="2025-02-21")
>>> ic.name, str(ic)
('iron_condor', '+1 P 85 @0.4 2025-03-21; -1 P 90 @1.1 2025-03-21; -1 C 110 @1 2025-03-21; \
+1 C 115 @0.35 2025-03-21')
>>> round(ic.max_profit, 6), round(ic.max_loss, 6)   # the credit; width - credit
(135.0, -365.0)
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np

from fastopt._validate import as_date
from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy

__all__ = [
    "BUILDERS",
    "DateLike",
    "Premiums",
    "bear_call_spread",
    "bear_put_spread",
    "broken_wing_butterfly",
    "build",
    "bull_call_spread",
    "bull_put_spread",
    "call_backspread",
    "call_calendar",
    "call_diagonal",
    "call_ratio_spread",
    "cash_secured_put",
    "christmas_tree",
    "collar",
    "covered_call",
    "iron_butterfly",
    "iron_condor",
    "jade_lizard",
    "long_box",
    "long_call",
    "long_call_butterfly",
    "long_call_condor",
    "long_put",
    "long_put_butterfly",
    "long_put_condor",
    "long_straddle",
    "long_strangle",
    "poor_mans_covered_call",
    "protective_put",
    "put_backspread",
    "put_calendar",
    "put_diagonal",
    "put_ratio_spread",
    "reverse_iron_condor",
    "risk_reversal",
    "seagull",
    "short_call",
    "short_call_butterfly",
    "short_put",
    "short_put_butterfly",
    "short_straddle",
    "short_strangle",
    "strap",
    "strip",
    "synthetic_long",
    "synthetic_short",
]

DateLike: TypeAlias = dt.date | str
"""A ``datetime.date`` (or datetime) or an ISO ``YYYY-MM-DD`` string."""
Premiums: TypeAlias = Sequence[float | None] | None
"""Per-share premiums in leg order; ``None`` entries are priced with Black-Scholes."""
OptionKind: TypeAlias = Literal["call", "put"]

# A leg of a structure: (kind, signed ratio per unit, strike, expiry); stock has no strike/expiry.
_Spec: TypeAlias = tuple[str, int, float | None, dt.date | None]

_OPS: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le}


# --------------------------------------------------------------------------- validation helpers
def _real(name: str, arg: str, value: object) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        msg = f"{name}: `{arg}` must be a real number, got {value!r}"
        raise TypeError(msg)
    x = float(value)
    if not math.isfinite(x):
        msg = f"{name}: `{arg}` must be finite, got {x!r}"
        raise ValueError(msg)
    return x


def _positive(name: str, arg: str, value: object) -> float:
    x = _real(name, arg, value)
    if x <= 0.0:
        msg = f"{name}: `{arg}` must be > 0, got {x:g}"
        raise ValueError(msg)
    return x


def _whole(name: str, arg: str, value: object, minimum: int) -> int:
    x = _real(name, arg, value)
    if x != round(x) or x < minimum:
        rule = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
        msg = f"{name}: `{arg}` must be {rule}, got {value!r}"
        raise ValueError(msg)
    return int(x)


def _date(name: str, arg: str, value: object) -> dt.date:
    if value is None:
        msg = f"{name}: `{arg}` is required (a date or an ISO string like 2025-03-21), got None"
        raise ValueError(msg)
    try:
        return as_date(value, arg)
    except ValueError as exc:
        msg = f"{name}: {exc}"
        raise ValueError(msg) from None
    except TypeError as exc:
        msg = f"{name}: {exc}"
        raise TypeError(msg) from None


def _kind(name: str, value: object) -> OptionKind:
    kind = {"c": "call", "p": "put"}.get(str(value).lower(), str(value).lower())
    if kind not in ("call", "put") or not isinstance(value, str):
        msg = f"{name}: `kind` must be 'call' or 'put', got {value!r}"
        raise ValueError(msg)
    return "call" if kind == "call" else "put"


def _fmt(value: float | dt.date) -> str:
    return value.isoformat() if isinstance(value, dt.date) else f"{value:g}"


def _order(name: str, what: str, rule: str, **values: float | dt.date) -> None:
    """Check a chain like ``"a < b <= c"`` over ``values``; raise naming the builder and rule."""
    tokens = rule.split()
    ok = all(
        _OPS[tokens[i + 1]](values[tokens[i]], values[tokens[i + 2]])
        for i in range(0, len(tokens) - 2, 2)
    )
    if not ok:
        got = ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())
        msg = f"{name}: {what} must satisfy {rule}, got {got}"
        raise ValueError(msg)


def _strikes(name: str, **strikes: object) -> list[float]:
    return [_positive(name, arg, value) for arg, value in strikes.items()]


def _equal_wings(name: str, lower: float, middle: float, upper: float) -> None:
    low, high = middle - lower, upper - middle
    if abs(low - high) > 1e-9 * max(upper, 1.0):
        msg = (
            f"{name}: wings must be equal (middle - lower == upper - middle), got "
            f"lower={lower:g}, middle={middle:g}, upper={upper:g} (wings {low:g} and {high:g}); "
            "use broken_wing_butterfly for unequal wings"
        )
        raise ValueError(msg)


def _make(
    name: str,
    spot: object,
    specs: Sequence[_Spec],
    quantity: object,
    premiums: Premiums,
    vol: float | None,
    rate: float,
    div: float,
    asof: DateLike | None,
    year_basis: int,
    multiplier: object,
) -> Strategy:
    """Validate the common keywords and assemble the named Strategy."""
    s = _positive(name, "spot", spot)
    q = _whole(name, "quantity", quantity, 1)
    m = _positive(name, "multiplier", multiplier)
    if premiums is None:
        prem: list[float | None] = [None] * len(specs)
    else:
        if isinstance(premiums, str | bytes) or not isinstance(premiums, Sequence):
            msg = (
                f"{name}: `premiums` must be a sequence of {len(specs)} per-share prices, "
                f"got {type(premiums).__name__}"
            )
            raise TypeError(msg)
        if len(premiums) != len(specs):
            msg = (
                f"{name}: `premiums` needs {len(specs)} values (one per leg, in leg order), "
                f"got {len(premiums)}"
            )
            raise ValueError(msg)
        prem = []
        for i, p in enumerate(premiums):
            if p is None:
                prem.append(None)
                continue
            x = _real(name, f"premiums[{i}]", p)
            if x < 0.0:
                msg = (
                    f"{name}: `premiums[{i}]` must be >= 0 (the sign comes from the leg), got {x:g}"
                )
                raise ValueError(msg)
            prem.append(x)
    legs: list[Leg] = []
    for (kind, ratio, strike, expiry), p in zip(specs, prem, strict=True):
        if kind == "stock":
            shares = ratio * q * m
            if shares != round(shares):
                msg = (
                    f"{name}: the stock leg needs whole shares, got quantity * multiplier = "
                    f"{q} * {m:g} = {shares:g}"
                )
                raise ValueError(msg)
            legs.append(Leg("stock", round(shares), premium=p))
        else:
            legs.append(Leg(kind, ratio * q, strike, expiry, p, m))  # type: ignore[arg-type]
    if vol is None and any(leg.premium is None and leg.kind != "stock" for leg in legs):
        msg = (
            f"{name}: `vol` is needed to price the legs without a premium "
            "(pass `vol=` or all `premiums=`)"
        )
        raise ValueError(msg)
    try:
        return Strategy(
            tuple(legs),
            s,
            vol=vol,
            rate=rate,
            div=div,
            asof=asof,  # type: ignore[arg-type]
            year_basis=year_basis,
            name=name,
        )
    except ValueError as exc:
        msg = f"{name}: {exc}"
        raise ValueError(msg) from exc
    except TypeError as exc:
        msg = f"{name}: {exc}"
        raise TypeError(msg) from exc


# --------------------------------------------------------------------------- single options
def long_call(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long call: buy a call; unlimited upside, the debit at risk.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        Call strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 C strike``.

    Examples
    --------
    >>> from fastopt.strategies.builders import long_call
    >>> s = long_call(100.0, 105.0, "2025-03-21", premiums=[1.5], vol=0.2, asof="2025-02-21")
    >>> s.max_loss, s.breakevens, s.payoff([100.0, 110.0]).tolist()
    (-150.0, (106.5,), [-150.0, 350.0])
    """
    name = "long_call"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("call", 1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def short_call(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Short (naked) call: sell a call; keep the credit, unlimited risk above the strike.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        Call strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 C strike``.
    """
    name = "short_call"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("call", -1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def long_put(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long put: buy a put; profit down to zero, the debit at risk.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        Put strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P strike``.
    """
    name = "long_put"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", 1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def short_put(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Short (naked) put: sell a put; keep the credit, risk down to a zero underlying.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        Put strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P strike``.
    """
    name = "short_put"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def cash_secured_put(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Cash-secured put: a short put backed by cash for the strike (the legs of :func:`short_put`).

    The cash (``strike * multiplier`` per contract) is a margin matter, not a
    leg; the name tells margin and reports which treatment applies.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        Put strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P strike``.
    """
    name = "cash_secured_put"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


# --------------------------------------------------------------------------- with stock
def covered_call(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Covered call: long stock and a short call on it; capped upside for the credit.

    Parameters
    ----------
    spot : float
        Underlying price (the stock's entry price unless ``premiums[0]`` says otherwise).
    strike : float
        Strike of the call sold.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+multiplier S``, ``-1 C strike``.

    Examples
    --------
    >>> from fastopt.strategies.builders import covered_call
    >>> cc = covered_call(50.0, 55.0, "2025-03-21", premiums=[None, 1.25], vol=0.25,
    ...                   asof="2025-02-21")
    >>> str(cc)
    '+100 S @50; -1 C 55 @1.25 2025-03-21'
    >>> cc.max_profit   # (55 - 50 + 1.25) * 100
    625.0
    """
    name = "covered_call"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("stock", 1, None, None), ("call", -1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def protective_put(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Protective (married) put: long stock and a long put; loss floored at the strike.

    Parameters
    ----------
    spot : float
        Underlying price (the stock's entry price unless ``premiums[0]`` says otherwise).
    strike : float
        Strike of the put bought.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+multiplier S``, ``+1 P strike``.
    """
    name = "protective_put"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("stock", 1, None, None), ("put", 1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def collar(
    spot: float,
    put_strike: float,
    call_strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Collar: long stock, a long put below and a short call above; P&L boxed between them.

    Parameters
    ----------
    spot : float
        Underlying price (the stock's entry price unless ``premiums[0]`` says otherwise).
    put_strike, call_strike : float
        Strikes of the put bought and the call sold, ``put_strike < call_strike``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+multiplier S``, ``+1 P put_strike``, ``-1 C call_strike``.
    """
    name = "collar"
    kp, kc = _strikes(name, put_strike=put_strike, call_strike=call_strike)
    _order(name, "strikes", "put_strike < call_strike", put_strike=kp, call_strike=kc)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("stock", 1, None, None), ("put", 1, kp, e), ("call", -1, kc, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


# --------------------------------------------------------------------------- verticals
def bull_call_spread(
    spot: float,
    long_strike: float,
    short_strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Bull call spread (debit): buy a call, sell a higher-strike call.

    Parameters
    ----------
    spot : float
        Underlying price.
    long_strike, short_strike : float
        Strikes of the call bought and sold, ``long_strike < short_strike``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 C long_strike``, ``-1 C short_strike``.
    """
    name = "bull_call_spread"
    kl, ks = _strikes(name, long_strike=long_strike, short_strike=short_strike)
    _order(name, "strikes", "long_strike < short_strike", long_strike=kl, short_strike=ks)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("call", 1, kl, e), ("call", -1, ks, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def bear_call_spread(
    spot: float,
    short_strike: float,
    long_strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Bear call spread (credit): sell a call, buy a higher-strike call.

    Parameters
    ----------
    spot : float
        Underlying price.
    short_strike, long_strike : float
        Strikes of the call sold and bought, ``short_strike < long_strike``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 C short_strike``, ``+1 C long_strike``.
    """
    name = "bear_call_spread"
    ks, kl = _strikes(name, short_strike=short_strike, long_strike=long_strike)
    _order(name, "strikes", "short_strike < long_strike", short_strike=ks, long_strike=kl)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("call", -1, ks, e), ("call", 1, kl, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def bull_put_spread(
    spot: float,
    long_strike: float,
    short_strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Bull put spread (credit): buy a put, sell a higher-strike put.

    Parameters
    ----------
    spot : float
        Underlying price.
    long_strike, short_strike : float
        Strikes of the put bought and sold, ``long_strike < short_strike``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P long_strike``, ``-1 P short_strike``.
    """
    name = "bull_put_spread"
    kl, ks = _strikes(name, long_strike=long_strike, short_strike=short_strike)
    _order(name, "strikes", "long_strike < short_strike", long_strike=kl, short_strike=ks)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", 1, kl, e), ("put", -1, ks, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def bear_put_spread(
    spot: float,
    short_strike: float,
    long_strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Bear put spread (debit): sell a put, buy a higher-strike put.

    Parameters
    ----------
    spot : float
        Underlying price.
    short_strike, long_strike : float
        Strikes of the put sold and bought, ``short_strike < long_strike``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P short_strike``, ``+1 P long_strike``.
    """
    name = "bear_put_spread"
    ks, kl = _strikes(name, short_strike=short_strike, long_strike=long_strike)
    _order(name, "strikes", "short_strike < long_strike", short_strike=ks, long_strike=kl)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, ks, e), ("put", 1, kl, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


# --------------------------------------------------------------------------- straddles & co
def long_straddle(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long straddle: buy a put and a call at one strike; profits from a large move.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        The common strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P strike``, ``+1 C strike``.
    """
    name = "long_straddle"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", 1, k, e), ("call", 1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def short_straddle(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Short straddle: sell a put and a call at one strike; profits when the price stays put.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        The common strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P strike``, ``-1 C strike``.
    """
    name = "short_straddle"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, k, e), ("call", -1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def long_strangle(
    spot: float,
    put_strike: float,
    call_strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long strangle: buy an out-of-the-money put and call; profits from a large move.

    Parameters
    ----------
    spot : float
        Underlying price.
    put_strike, call_strike : float
        Strikes, ``put_strike < call_strike``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P put_strike``, ``+1 C call_strike``.
    """
    name = "long_strangle"
    kp, kc = _strikes(name, put_strike=put_strike, call_strike=call_strike)
    _order(name, "strikes", "put_strike < call_strike", put_strike=kp, call_strike=kc)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", 1, kp, e), ("call", 1, kc, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def short_strangle(
    spot: float,
    put_strike: float,
    call_strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Short strangle: sell an out-of-the-money put and call; profits inside the strikes.

    Parameters
    ----------
    spot : float
        Underlying price.
    put_strike, call_strike : float
        Strikes, ``put_strike < call_strike``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P put_strike``, ``-1 C call_strike``.
    """
    name = "short_strangle"
    kp, kc = _strikes(name, put_strike=put_strike, call_strike=call_strike)
    _order(name, "strikes", "put_strike < call_strike", put_strike=kp, call_strike=kc)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, kp, e), ("call", -1, kc, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def strip(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Strip: a long straddle with a second put; a large move, down preferred.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        The common strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+2 P strike``, ``+1 C strike``.
    """
    name = "strip"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", 2, k, e), ("call", 1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def strap(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Strap: a long straddle with a second call; a large move, up preferred.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        The common strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P strike``, ``+2 C strike``.
    """
    name = "strap"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", 1, k, e), ("call", 2, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


# --------------------------------------------------------------------------- condors & butterflies
def iron_condor(
    spot: float,
    long_put: float,
    short_put: float,
    short_call: float,
    long_call: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Iron condor (credit): a bull put spread below and a bear call spread above.

    Parameters
    ----------
    spot : float
        Underlying price.
    long_put, short_put, short_call, long_call : float
        Strikes, ``long_put < short_put <= short_call < long_call``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P long_put``, ``-1 P short_put``, ``-1 C short_call``, ``+1 C long_call``.

    Examples
    --------
    >>> from fastopt.strategies.builders import iron_condor
    >>> iron_condor(100.0, 95.0, 90.0, 110.0, 115.0, "2025-03-21", vol=0.2, asof="2025-02-21")
    Traceback (most recent call last):
    ...
    ValueError: iron_condor: strikes must satisfy long_put < short_put <= short_call < long_call, \
got long_put=95, short_put=90, short_call=110, long_call=115
    """
    name = "iron_condor"
    lp, sp, sc, lc = _strikes(
        name, long_put=long_put, short_put=short_put, short_call=short_call, long_call=long_call
    )
    _order(
        name,
        "strikes",
        "long_put < short_put <= short_call < long_call",
        long_put=lp,
        short_put=sp,
        short_call=sc,
        long_call=lc,
    )
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [
        ("put", 1, lp, e),
        ("put", -1, sp, e),
        ("call", -1, sc, e),
        ("call", 1, lc, e),
    ]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def reverse_iron_condor(
    spot: float,
    short_put: float,
    long_put: float,
    long_call: float,
    short_call: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Reverse (long) iron condor (debit): a bear put spread below and a bull call spread above.

    Parameters
    ----------
    spot : float
        Underlying price.
    short_put, long_put, long_call, short_call : float
        Strikes, ``short_put < long_put <= long_call < short_call``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P short_put``, ``+1 P long_put``, ``+1 C long_call``, ``-1 C short_call``.
    """
    name = "reverse_iron_condor"
    sp, lp, lc, sc = _strikes(
        name, short_put=short_put, long_put=long_put, long_call=long_call, short_call=short_call
    )
    _order(
        name,
        "strikes",
        "short_put < long_put <= long_call < short_call",
        short_put=sp,
        long_put=lp,
        long_call=lc,
        short_call=sc,
    )
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [
        ("put", -1, sp, e),
        ("put", 1, lp, e),
        ("call", 1, lc, e),
        ("call", -1, sc, e),
    ]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def iron_butterfly(
    spot: float,
    long_put: float,
    short_strike: float,
    long_call: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Iron butterfly (credit): a short straddle with a long put below and a long call above.

    Parameters
    ----------
    spot : float
        Underlying price.
    long_put, short_strike, long_call : float
        Strikes, ``long_put < short_strike < long_call`` (wings may differ).
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P long_put``, ``-1 P short_strike``, ``-1 C short_strike``, ``+1 C long_call``.
    """
    name = "iron_butterfly"
    lp, k, lc = _strikes(name, long_put=long_put, short_strike=short_strike, long_call=long_call)
    _order(
        name,
        "strikes",
        "long_put < short_strike < long_call",
        long_put=lp,
        short_strike=k,
        long_call=lc,
    )
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [
        ("put", 1, lp, e),
        ("put", -1, k, e),
        ("call", -1, k, e),
        ("call", 1, lc, e),
    ]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def _butterfly(
    name: str,
    kind: str,
    sign: int,
    lower: object,
    middle: object,
    upper: object,
    expiry: object,
    *,
    equal_wings: bool,
) -> list[_Spec]:
    k1, k2, k3 = _strikes(name, lower=lower, middle=middle, upper=upper)
    _order(name, "strikes", "lower < middle < upper", lower=k1, middle=k2, upper=k3)
    if equal_wings:
        _equal_wings(name, k1, k2, k3)
    e = _date(name, "expiry", expiry)
    return [(kind, sign, k1, e), (kind, -2 * sign, k2, e), (kind, sign, k3, e)]


def long_call_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long call butterfly (debit): calls 1 x -2 x 1 with equal wings; peaks at ``middle``.

    Parameters
    ----------
    spot : float
        Underlying price.
    lower, middle, upper : float
        Strikes, ``lower < middle < upper`` and ``middle - lower == upper - middle``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 C lower``, ``-2 C middle``, ``+1 C upper``.
    """
    name = "long_call_butterfly"
    specs = _butterfly(name, "call", 1, lower, middle, upper, expiry, equal_wings=True)
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def short_call_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Short call butterfly (credit): calls -1 x 2 x -1 with equal wings; profits outside the wings.

    Parameters
    ----------
    spot : float
        Underlying price.
    lower, middle, upper : float
        Strikes, ``lower < middle < upper`` and ``middle - lower == upper - middle``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 C lower``, ``+2 C middle``, ``-1 C upper``.
    """
    name = "short_call_butterfly"
    specs = _butterfly(name, "call", -1, lower, middle, upper, expiry, equal_wings=True)
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def long_put_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long put butterfly (debit): puts 1 x -2 x 1 with equal wings; peaks at ``middle``.

    Parameters
    ----------
    spot : float
        Underlying price.
    lower, middle, upper : float
        Strikes, ``lower < middle < upper`` and ``middle - lower == upper - middle``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P lower``, ``-2 P middle``, ``+1 P upper``.
    """
    name = "long_put_butterfly"
    specs = _butterfly(name, "put", 1, lower, middle, upper, expiry, equal_wings=True)
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def short_put_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Short put butterfly (credit): puts -1 x 2 x -1 with equal wings; profits outside the wings.

    Parameters
    ----------
    spot : float
        Underlying price.
    lower, middle, upper : float
        Strikes, ``lower < middle < upper`` and ``middle - lower == upper - middle``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P lower``, ``+2 P middle``, ``-1 P upper``.
    """
    name = "short_put_butterfly"
    specs = _butterfly(name, "put", -1, lower, middle, upper, expiry, equal_wings=True)
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def broken_wing_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    *,
    kind: OptionKind = "call",
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Broken-wing butterfly: a long 1 x -2 x 1 butterfly whose wings may differ.

    With calls and a wider upper wing (or puts and a wider lower wing) the
    position loses beyond the wide wing and can be opened for a credit, so
    that nothing is lost on the other side.

    Parameters
    ----------
    spot : float
        Underlying price.
    lower, middle, upper : float
        Strikes, ``lower < middle < upper``.
    expiry : date or str
        Expiry date.
    kind : {"call", "put"}
        Option type of all three legs.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 K lower``, ``-2 K middle``, ``+1 K upper`` (K the ``kind``).
    """
    name = "broken_wing_butterfly"
    kd = _kind(name, kind)
    specs = _butterfly(name, kd, 1, lower, middle, upper, expiry, equal_wings=False)
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def _condor(
    name: str, kind: str, k1: object, k2: object, k3: object, k4: object, expiry: object
) -> list[_Spec]:
    a, b, c, d = _strikes(name, k1=k1, k2=k2, k3=k3, k4=k4)
    _order(name, "strikes", "k1 < k2 < k3 < k4", k1=a, k2=b, k3=c, k4=d)
    e = _date(name, "expiry", expiry)
    return [(kind, 1, a, e), (kind, -1, b, e), (kind, -1, c, e), (kind, 1, d, e)]


def long_call_condor(
    spot: float,
    k1: float,
    k2: float,
    k3: float,
    k4: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long call condor (debit): calls 1 x -1 x -1 x 1; profits between ``k2`` and ``k3``.

    Parameters
    ----------
    spot : float
        Underlying price.
    k1, k2, k3, k4 : float
        Strikes, ``k1 < k2 < k3 < k4``; with ``k2 - k1 != k4 - k3`` the
        payoff beyond ``k4`` is not zero (a broken-wing condor).
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 C k1``, ``-1 C k2``, ``-1 C k3``, ``+1 C k4``.
    """
    name = "long_call_condor"
    specs = _condor(name, "call", k1, k2, k3, k4, expiry)
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def long_put_condor(
    spot: float,
    k1: float,
    k2: float,
    k3: float,
    k4: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long put condor (debit): puts 1 x -1 x -1 x 1; profits between ``k2`` and ``k3``.

    Parameters
    ----------
    spot : float
        Underlying price.
    k1, k2, k3, k4 : float
        Strikes, ``k1 < k2 < k3 < k4``; with ``k2 - k1 != k4 - k3`` the
        payoff below ``k1`` is not zero (a broken-wing condor).
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P k1``, ``-1 P k2``, ``-1 P k3``, ``+1 P k4``.
    """
    name = "long_put_condor"
    specs = _condor(name, "put", k1, k2, k3, k4, expiry)
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


# --------------------------------------------------------------------------- calendars & diagonals
def _expiries(name: str, near_expiry: object, far_expiry: object) -> tuple[dt.date, dt.date]:
    near = _date(name, "near_expiry", near_expiry)
    far = _date(name, "far_expiry", far_expiry)
    _order(name, "expiries", "near_expiry < far_expiry", near_expiry=near, far_expiry=far)
    return near, far


def call_calendar(
    spot: float,
    strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Call calendar (time) spread: sell a near call, buy a far call at the same strike.

    Analytics "at expiry" are at ``near_expiry``, the far call valued with
    Black-Scholes at its vol.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        The common strike.
    near_expiry, far_expiry : date or str
        Expiries, ``near_expiry < far_expiry``.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 C strike near_expiry``, ``+1 C strike far_expiry``.

    Examples
    --------
    >>> from fastopt.strategies.builders import call_calendar
    >>> cal = call_calendar(100.0, 100.0, "2025-03-21", "2025-04-17", vol=0.2, asof="2025-02-21")
    >>> cal.cost > 0, cal.expiries[0].isoformat()   # a debit; analysed at the near expiry
    (True, '2025-03-21')
    """
    name = "call_calendar"
    (k,) = _strikes(name, strike=strike)
    near, far = _expiries(name, near_expiry, far_expiry)
    specs: list[_Spec] = [("call", -1, k, near), ("call", 1, k, far)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def put_calendar(
    spot: float,
    strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Put calendar (time) spread: sell a near put, buy a far put at the same strike.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        The common strike.
    near_expiry, far_expiry : date or str
        Expiries, ``near_expiry < far_expiry``.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P strike near_expiry``, ``+1 P strike far_expiry``.
    """
    name = "put_calendar"
    (k,) = _strikes(name, strike=strike)
    near, far = _expiries(name, near_expiry, far_expiry)
    specs: list[_Spec] = [("put", -1, k, near), ("put", 1, k, far)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def call_diagonal(
    spot: float,
    near_strike: float,
    far_strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Call diagonal: sell a near call at one strike, buy a far call at another.

    Parameters
    ----------
    spot : float
        Underlying price.
    near_strike, far_strike : float
        Strikes of the near call sold and the far call bought (any order).
    near_expiry, far_expiry : date or str
        Expiries, ``near_expiry < far_expiry``.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 C near_strike near_expiry``, ``+1 C far_strike far_expiry``.
    """
    name = "call_diagonal"
    kn, kf = _strikes(name, near_strike=near_strike, far_strike=far_strike)
    near, far = _expiries(name, near_expiry, far_expiry)
    specs: list[_Spec] = [("call", -1, kn, near), ("call", 1, kf, far)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def put_diagonal(
    spot: float,
    near_strike: float,
    far_strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Put diagonal: sell a near put at one strike, buy a far put at another.

    Parameters
    ----------
    spot : float
        Underlying price.
    near_strike, far_strike : float
        Strikes of the near put sold and the far put bought (any order).
    near_expiry, far_expiry : date or str
        Expiries, ``near_expiry < far_expiry``.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P near_strike near_expiry``, ``+1 P far_strike far_expiry``.
    """
    name = "put_diagonal"
    kn, kf = _strikes(name, near_strike=near_strike, far_strike=far_strike)
    near, far = _expiries(name, near_expiry, far_expiry)
    specs: list[_Spec] = [("put", -1, kn, near), ("put", 1, kf, far)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def poor_mans_covered_call(
    spot: float,
    long_strike: float,
    short_strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Poor man's covered call: a long deep in-the-money far call in place of the stock,
    and a short near call above it (a call diagonal).

    Parameters
    ----------
    spot : float
        Underlying price.
    long_strike, short_strike : float
        Strikes of the far call bought and the near call sold, ``long_strike < short_strike``.
    near_expiry, far_expiry : date or str
        Expiries of the short and the long call, ``near_expiry < far_expiry``.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 C long_strike far_expiry``, ``-1 C short_strike near_expiry``.
    """
    name = "poor_mans_covered_call"
    kl, ks = _strikes(name, long_strike=long_strike, short_strike=short_strike)
    _order(name, "strikes", "long_strike < short_strike", long_strike=kl, short_strike=ks)
    near, far = _expiries(name, near_expiry, far_expiry)
    specs: list[_Spec] = [("call", 1, kl, far), ("call", -1, ks, near)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


# --------------------------------------------------------------------------- ratio spreads
def call_ratio_spread(
    spot: float,
    long_strike: float,
    short_strike: float,
    expiry: DateLike,
    *,
    ratio: int = 2,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Call ratio (front) spread: buy one call, sell ``ratio`` higher calls; unlimited risk up.

    Parameters
    ----------
    spot : float
        Underlying price.
    long_strike, short_strike : float
        Strikes, ``long_strike < short_strike``.
    expiry : date or str
        Expiry date.
    ratio : int, default 2
        Calls sold per call bought (a whole number >= 2).
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 C long_strike``, ``-ratio C short_strike``.
    """
    name = "call_ratio_spread"
    n = _whole(name, "ratio", ratio, 2)
    kl, ks = _strikes(name, long_strike=long_strike, short_strike=short_strike)
    _order(name, "strikes", "long_strike < short_strike", long_strike=kl, short_strike=ks)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("call", 1, kl, e), ("call", -n, ks, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def put_ratio_spread(
    spot: float,
    short_strike: float,
    long_strike: float,
    expiry: DateLike,
    *,
    ratio: int = 2,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Put ratio (front) spread: buy one put, sell ``ratio`` lower puts; risk down to zero.

    Parameters
    ----------
    spot : float
        Underlying price.
    short_strike, long_strike : float
        Strikes, ``short_strike < long_strike``.
    expiry : date or str
        Expiry date.
    ratio : int, default 2
        Puts sold per put bought (a whole number >= 2).
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-ratio P short_strike``, ``+1 P long_strike``.
    """
    name = "put_ratio_spread"
    n = _whole(name, "ratio", ratio, 2)
    ks, kl = _strikes(name, short_strike=short_strike, long_strike=long_strike)
    _order(name, "strikes", "short_strike < long_strike", short_strike=ks, long_strike=kl)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -n, ks, e), ("put", 1, kl, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def call_backspread(
    spot: float,
    short_strike: float,
    long_strike: float,
    expiry: DateLike,
    *,
    ratio: int = 2,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Call backspread: sell one call, buy ``ratio`` higher calls; unlimited profit up.

    Parameters
    ----------
    spot : float
        Underlying price.
    short_strike, long_strike : float
        Strikes, ``short_strike < long_strike``.
    expiry : date or str
        Expiry date.
    ratio : int, default 2
        Calls bought per call sold (a whole number >= 2).
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 C short_strike``, ``+ratio C long_strike``.
    """
    name = "call_backspread"
    n = _whole(name, "ratio", ratio, 2)
    ks, kl = _strikes(name, short_strike=short_strike, long_strike=long_strike)
    _order(name, "strikes", "short_strike < long_strike", short_strike=ks, long_strike=kl)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("call", -1, ks, e), ("call", n, kl, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def put_backspread(
    spot: float,
    long_strike: float,
    short_strike: float,
    expiry: DateLike,
    *,
    ratio: int = 2,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Put backspread: sell one put, buy ``ratio`` lower puts; large profit on a fall.

    Parameters
    ----------
    spot : float
        Underlying price.
    long_strike, short_strike : float
        Strikes, ``long_strike < short_strike``.
    expiry : date or str
        Expiry date.
    ratio : int, default 2
        Puts bought per put sold (a whole number >= 2).
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+ratio P long_strike``, ``-1 P short_strike``.
    """
    name = "put_backspread"
    n = _whole(name, "ratio", ratio, 2)
    kl, ks = _strikes(name, long_strike=long_strike, short_strike=short_strike)
    _order(name, "strikes", "long_strike < short_strike", long_strike=kl, short_strike=ks)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", n, kl, e), ("put", -1, ks, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


# --------------------------------------------------------------------------- other structures
def jade_lizard(
    spot: float,
    short_put: float,
    short_call: float,
    long_call: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Jade lizard: a short put and a bear call spread; no upside risk when the credit
    exceeds the call spread's width.

    Parameters
    ----------
    spot : float
        Underlying price.
    short_put, short_call, long_call : float
        Strikes, ``short_put < short_call < long_call``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P short_put``, ``-1 C short_call``, ``+1 C long_call``.
    """
    name = "jade_lizard"
    sp, sc, lc = _strikes(name, short_put=short_put, short_call=short_call, long_call=long_call)
    _order(
        name,
        "strikes",
        "short_put < short_call < long_call",
        short_put=sp,
        short_call=sc,
        long_call=lc,
    )
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, sp, e), ("call", -1, sc, e), ("call", 1, lc, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def risk_reversal(
    spot: float,
    put_strike: float,
    call_strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Risk reversal (bullish): sell a put, buy a call above it; stock-like beyond the strikes.

    Parameters
    ----------
    spot : float
        Underlying price.
    put_strike, call_strike : float
        Strikes, ``put_strike <= call_strike`` (equal: a synthetic long).
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P put_strike``, ``+1 C call_strike``.
    """
    name = "risk_reversal"
    kp, kc = _strikes(name, put_strike=put_strike, call_strike=call_strike)
    _order(name, "strikes", "put_strike <= call_strike", put_strike=kp, call_strike=kc)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, kp, e), ("call", 1, kc, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def synthetic_long(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Synthetic long stock: buy a call and sell a put at one strike.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        The common strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P strike``, ``+1 C strike``.
    """
    name = "synthetic_long"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, k, e), ("call", 1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def synthetic_short(
    spot: float,
    strike: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Synthetic short stock: buy a put and sell a call at one strike.

    Parameters
    ----------
    spot : float
        Underlying price.
    strike : float
        The common strike.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 P strike``, ``-1 C strike``.
    """
    name = "synthetic_short"
    (k,) = _strikes(name, strike=strike)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", 1, k, e), ("call", -1, k, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def long_box(
    spot: float,
    lower: float,
    upper: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Long box: a bull call spread plus a bear put spread; pays ``upper - lower`` at expiry.

    Parameters
    ----------
    spot : float
        Underlying price.
    lower, upper : float
        Strikes, ``lower < upper``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``+1 C lower``, ``-1 C upper``, ``+1 P upper``, ``-1 P lower``.
    """
    name = "long_box"
    k1, k2 = _strikes(name, lower=lower, upper=upper)
    _order(name, "strikes", "lower < upper", lower=k1, upper=k2)
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [
        ("call", 1, k1, e),
        ("call", -1, k2, e),
        ("put", 1, k2, e),
        ("put", -1, k1, e),
    ]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def christmas_tree(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    *,
    kind: OptionKind = "call",
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Christmas tree (ladder) 1 x -1 x -1: a vertical debit spread plus one more short
    option further out of the money.

    Calls (a bull call ladder): buy ``lower``, sell ``middle`` and ``upper``;
    the profit peaks between ``middle`` and ``upper`` and the risk is
    unlimited above ``upper``. Puts (a bear put ladder): buy ``upper``, sell
    ``middle`` and ``lower``; the risk grows below ``lower``. (Some texts use
    the name for a 1 x -3 x 2 call butterfly with a skipped strike; that is
    not this builder.)

    Parameters
    ----------
    spot : float
        Underlying price.
    lower, middle, upper : float
        Strikes, ``lower < middle < upper``.
    expiry : date or str
        Expiry date.
    kind : {"call", "put"}
        Option type of all three legs.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Calls: ``+1 C lower``, ``-1 C middle``, ``-1 C upper``;
        puts: ``-1 P lower``, ``-1 P middle``, ``+1 P upper``.
    """
    name = "christmas_tree"
    kd = _kind(name, kind)
    k1, k2, k3 = _strikes(name, lower=lower, middle=middle, upper=upper)
    _order(name, "strikes", "lower < middle < upper", lower=k1, middle=k2, upper=k3)
    e = _date(name, "expiry", expiry)
    signs = (1, -1, -1) if kd == "call" else (-1, -1, 1)
    specs: list[_Spec] = [(kd, sg, k, e) for sg, k in zip(signs, (k1, k2, k3), strict=True)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


def seagull(
    spot: float,
    short_put: float,
    long_call: float,
    short_call: float,
    expiry: DateLike,
    *,
    quantity: int = 1,
    premiums: Premiums = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: DateLike | None = None,
    year_basis: int = 365,
    multiplier: float = 100.0,
) -> Strategy:
    """Seagull (bullish): a bull call spread financed by a short put below it.

    Parameters
    ----------
    spot : float
        Underlying price.
    short_put, long_call, short_call : float
        Strikes, ``short_put < long_call < short_call``.
    expiry : date or str
        Expiry date.
    quantity, premiums, vol, rate, div, asof, year_basis, multiplier
        The common keywords (see :mod:`fastopt.strategies.builders`).

    Returns
    -------
    Strategy
        Legs: ``-1 P short_put``, ``+1 C long_call``, ``-1 C short_call``.
    """
    name = "seagull"
    sp, lc, sc = _strikes(name, short_put=short_put, long_call=long_call, short_call=short_call)
    _order(
        name,
        "strikes",
        "short_put < long_call < short_call",
        short_put=sp,
        long_call=lc,
        short_call=sc,
    )
    e = _date(name, "expiry", expiry)
    specs: list[_Spec] = [("put", -1, sp, e), ("call", 1, lc, e), ("call", -1, sc, e)]
    return _make(
        name, spot, specs, quantity, premiums, vol, rate, div, asof, year_basis, multiplier
    )


# --------------------------------------------------------------------------- registry
BUILDERS: dict[str, Callable[..., Strategy]] = {
    f.__name__: f
    for f in (
        long_call,
        short_call,
        long_put,
        short_put,
        cash_secured_put,
        covered_call,
        protective_put,
        collar,
        bull_call_spread,
        bear_call_spread,
        bull_put_spread,
        bear_put_spread,
        long_straddle,
        short_straddle,
        long_strangle,
        short_strangle,
        strip,
        strap,
        iron_condor,
        reverse_iron_condor,
        iron_butterfly,
        long_call_butterfly,
        short_call_butterfly,
        long_put_butterfly,
        short_put_butterfly,
        broken_wing_butterfly,
        long_call_condor,
        long_put_condor,
        call_calendar,
        put_calendar,
        call_diagonal,
        put_diagonal,
        poor_mans_covered_call,
        call_ratio_spread,
        put_ratio_spread,
        call_backspread,
        put_backspread,
        jade_lizard,
        risk_reversal,
        synthetic_long,
        synthetic_short,
        long_box,
        christmas_tree,
        seagull,
    )
}
"""Every predefined builder by name (the name the built Strategy carries)."""


def build(name: str, /, **kwargs: Any) -> Strategy:
    """Call the builder called ``name`` with ``kwargs``.

    Parameters
    ----------
    name : str
        A key of :data:`BUILDERS` (case-insensitive; ``-`` and spaces read as ``_``).
    **kwargs
        The builder's arguments, by keyword.

    Raises
    ------
    ValueError
        Unknown name (the message lists close matches), or the builder's own
        validation errors.

    Examples
    --------
    >>> from fastopt.strategies.builders import build
    >>> s = build("bull_put_spread", spot=100.0, long_strike=90.0, short_strike=95.0,
    ...           expiry="2025-03-21", premiums=[0.8, 1.9], vol=0.2, asof="2025-02-21")
    >>> s.name, round(s.max_profit, 6), round(s.max_loss, 6)
    ('bull_put_spread', 110.0, -390.0)
    >>> build("iron_condr")
    Traceback (most recent call last):
    ...
    ValueError: unknown strategy 'iron_condr'; did you mean 'iron_condor', \
'reverse_iron_condor', 'long_put_condor'? (all names: fastopt.strategies.builders.BUILDERS)
    """
    if not isinstance(name, str):
        msg = f"the strategy name must be a str, got {type(name).__name__}"
        raise TypeError(msg)
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    func = BUILDERS.get(key)
    if func is None:
        close = difflib.get_close_matches(key, list(BUILDERS), n=3, cutoff=0.6)
        if len(key) >= 4:  # "condor" -> every condor
            close += [n for n in BUILDERS if key in n and n not in close]
        close = close[:6]
        hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        msg = f"unknown strategy {name!r}; {hint}(all names: fastopt.strategies.builders.BUILDERS)"
        raise ValueError(msg)
    return func(**kwargs)
