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

The structures themselves (legs, strike roles, ordering rules) are specified
once, in :data:`fastopt.strategies.structures.STRUCTURES`; every builder here
is that specification plus its signature and docstring. :data:`BUILDERS` maps
every name to its function (in the table's order) and :func:`build` calls one
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
import inspect
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, ForwardRef, Literal, TypeAlias, TypedDict, TypeVar, Unpack

import numpy as np

from fastopt._validate import as_date
from fastopt.kernels.enums import ExpirySlot, LegKind
from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy
from fastopt.strategies.structures import STRUCTURES, LegSpec

__all__ = [
    "BUILDERS",
    "CommonKeywords",
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


class CommonKeywords(TypedDict, total=False):
    """The keywords every builder takes (see the module docstring); all optional."""

    quantity: int
    premiums: Premiums
    vol: float | None
    rate: float
    div: float
    asof: DateLike | None
    year_basis: int
    multiplier: float


_DEFAULTS: dict[str, object] = {
    "quantity": 1,
    "premiums": None,
    "vol": None,
    "rate": 0.0,
    "div": 0.0,
    "asof": None,
    "year_basis": 365,
    "multiplier": 100.0,
}
"""The defaults of :class:`CommonKeywords`, in signature order."""

# A leg of a structure: (kind, signed ratio per unit, strike, expiry); stock has no strike/expiry.
_Spec: TypeAlias = tuple[str, int, float | None, dt.date | None]

_OPS: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le}
_KIND_NAME = {LegKind.CALL: "call", LegKind.PUT: "put", LegKind.STOCK: "stock"}
_F = TypeVar("_F", bound=Callable[..., Strategy])
_ENTRIES: dict[str, Callable[..., Strategy]] = {}


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


def _strikes(name: str, **strikes: object) -> dict[str, float]:
    return {arg: _positive(name, arg, value) for arg, value in strikes.items()}


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


def _build(
    name: str,
    spot: object,
    strikes: tuple[object, ...],
    expiries: tuple[object, ...],
    common: CommonKeywords,
    *,
    kind: object = "call",
    ratio: object = 2,
) -> Strategy:
    """Build the structure ``STRUCTURES[name]``: check every argument, then assemble it.

    ``strikes`` come in the order of the spec's strike roles, ``expiries`` are
    ``(expiry,)`` or ``(near_expiry, far_expiry)``; ``kind`` applies to
    structures with put variants, ``ratio`` to those with a scaled leg.
    """
    unknown = [key for key in common if key not in _DEFAULTS]
    if unknown:
        msg = f"{name}() got an unexpected keyword argument {unknown[0]!r}"
        raise TypeError(msg)
    spec = STRUCTURES[name]
    n = _whole(name, "ratio", ratio, 2) if spec.takes_ratio else 1
    legs: tuple[LegSpec, ...] = spec.legs
    if spec.put_legs is not None and _kind(name, kind) == "put":
        legs = spec.put_legs
    k = _strikes(name, **dict(zip(spec.strikes, strikes, strict=True)))
    if spec.order:
        _order(name, "strikes", spec.order, **k)
    if spec.equal_wings:
        _equal_wings(name, *k.values())
    if len(expiries) == 1:
        near = far = _date(name, "expiry", expiries[0])
    else:
        near = _date(name, "near_expiry", expiries[0])
        far = _date(name, "far_expiry", expiries[1])
        _order(name, "expiries", "near_expiry < far_expiry", near_expiry=near, far_expiry=far)
    specs: list[_Spec] = [
        (
            _KIND_NAME[leg.kind],
            (n if leg.ratio > 0 else -n) if leg.scaled else leg.ratio,
            None if leg.strike is None else k[leg.strike],
            None if leg.kind == LegKind.STOCK else far if leg.expiry == ExpirySlot.FAR else near,
        )
        for leg in legs
    ]
    return _make(
        name,
        spot,
        specs,
        common.get("quantity", 1),
        common.get("premiums"),
        common.get("vol"),
        common.get("rate", 0.0),
        common.get("div", 0.0),
        common.get("asof"),
        common.get("year_basis", 365),
        common.get("multiplier", 100.0),
    )


def _entry(func: _F) -> _F:
    """Register a builder and give it its full signature (the common keywords spelled out)."""
    sig = inspect.signature(func)
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    hints = CommonKeywords.__annotations__
    for key, default in _DEFAULTS.items():
        hint = hints[key]
        text = hint.__forward_arg__ if isinstance(hint, ForwardRef) else hint
        params.append(
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=text)
        )
    func.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    _ENTRIES[func.__name__] = func
    return func


# --------------------------------------------------------------------------- single options
@_entry
def long_call(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("long_call", spot, (strike,), (expiry,), common)


@_entry
def short_call(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("short_call", spot, (strike,), (expiry,), common)


@_entry
def long_put(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("long_put", spot, (strike,), (expiry,), common)


@_entry
def short_put(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("short_put", spot, (strike,), (expiry,), common)


@_entry
def cash_secured_put(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("cash_secured_put", spot, (strike,), (expiry,), common)


# --------------------------------------------------------------------------- with stock
@_entry
def covered_call(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("covered_call", spot, (strike,), (expiry,), common)


@_entry
def protective_put(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("protective_put", spot, (strike,), (expiry,), common)


@_entry
def collar(
    spot: float,
    put_strike: float,
    call_strike: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("collar", spot, (put_strike, call_strike), (expiry,), common)


# --------------------------------------------------------------------------- verticals
@_entry
def bull_call_spread(
    spot: float,
    long_strike: float,
    short_strike: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("bull_call_spread", spot, (long_strike, short_strike), (expiry,), common)


@_entry
def bear_call_spread(
    spot: float,
    short_strike: float,
    long_strike: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("bear_call_spread", spot, (short_strike, long_strike), (expiry,), common)


@_entry
def bull_put_spread(
    spot: float,
    long_strike: float,
    short_strike: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("bull_put_spread", spot, (long_strike, short_strike), (expiry,), common)


@_entry
def bear_put_spread(
    spot: float,
    short_strike: float,
    long_strike: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("bear_put_spread", spot, (short_strike, long_strike), (expiry,), common)


# --------------------------------------------------------------------------- straddles & co
@_entry
def long_straddle(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("long_straddle", spot, (strike,), (expiry,), common)


@_entry
def short_straddle(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("short_straddle", spot, (strike,), (expiry,), common)


@_entry
def long_strangle(
    spot: float,
    put_strike: float,
    call_strike: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("long_strangle", spot, (put_strike, call_strike), (expiry,), common)


@_entry
def short_strangle(
    spot: float,
    put_strike: float,
    call_strike: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("short_strangle", spot, (put_strike, call_strike), (expiry,), common)


@_entry
def strip(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("strip", spot, (strike,), (expiry,), common)


@_entry
def strap(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("strap", spot, (strike,), (expiry,), common)


# --------------------------------------------------------------------------- condors & butterflies
@_entry
def iron_condor(
    spot: float,
    long_put: float,
    short_put: float,
    short_call: float,
    long_call: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "iron_condor", spot, (long_put, short_put, short_call, long_call), (expiry,), common
    )


@_entry
def reverse_iron_condor(
    spot: float,
    short_put: float,
    long_put: float,
    long_call: float,
    short_call: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "reverse_iron_condor", spot, (short_put, long_put, long_call, short_call), (expiry,), common
    )


@_entry
def iron_butterfly(
    spot: float,
    long_put: float,
    short_strike: float,
    long_call: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("iron_butterfly", spot, (long_put, short_strike, long_call), (expiry,), common)


@_entry
def long_call_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("long_call_butterfly", spot, (lower, middle, upper), (expiry,), common)


@_entry
def short_call_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("short_call_butterfly", spot, (lower, middle, upper), (expiry,), common)


@_entry
def long_put_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("long_put_butterfly", spot, (lower, middle, upper), (expiry,), common)


@_entry
def short_put_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("short_put_butterfly", spot, (lower, middle, upper), (expiry,), common)


@_entry
def broken_wing_butterfly(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    *,
    kind: OptionKind = "call",
    **common: Unpack[CommonKeywords],
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
    return _build(
        "broken_wing_butterfly", spot, (lower, middle, upper), (expiry,), common, kind=kind
    )


@_entry
def long_call_condor(
    spot: float,
    k1: float,
    k2: float,
    k3: float,
    k4: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("long_call_condor", spot, (k1, k2, k3, k4), (expiry,), common)


@_entry
def long_put_condor(
    spot: float,
    k1: float,
    k2: float,
    k3: float,
    k4: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("long_put_condor", spot, (k1, k2, k3, k4), (expiry,), common)


# --------------------------------------------------------------------------- calendars & diagonals
@_entry
def call_calendar(
    spot: float,
    strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("call_calendar", spot, (strike,), (near_expiry, far_expiry), common)


@_entry
def put_calendar(
    spot: float,
    strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("put_calendar", spot, (strike,), (near_expiry, far_expiry), common)


@_entry
def call_diagonal(
    spot: float,
    near_strike: float,
    far_strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "call_diagonal", spot, (near_strike, far_strike), (near_expiry, far_expiry), common
    )


@_entry
def put_diagonal(
    spot: float,
    near_strike: float,
    far_strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "put_diagonal", spot, (near_strike, far_strike), (near_expiry, far_expiry), common
    )


@_entry
def poor_mans_covered_call(
    spot: float,
    long_strike: float,
    short_strike: float,
    near_expiry: DateLike,
    far_expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "poor_mans_covered_call",
        spot,
        (long_strike, short_strike),
        (near_expiry, far_expiry),
        common,
    )


# --------------------------------------------------------------------------- ratio spreads
@_entry
def call_ratio_spread(
    spot: float,
    long_strike: float,
    short_strike: float,
    expiry: DateLike,
    *,
    ratio: int = 2,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "call_ratio_spread", spot, (long_strike, short_strike), (expiry,), common, ratio=ratio
    )


@_entry
def put_ratio_spread(
    spot: float,
    short_strike: float,
    long_strike: float,
    expiry: DateLike,
    *,
    ratio: int = 2,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "put_ratio_spread", spot, (short_strike, long_strike), (expiry,), common, ratio=ratio
    )


@_entry
def call_backspread(
    spot: float,
    short_strike: float,
    long_strike: float,
    expiry: DateLike,
    *,
    ratio: int = 2,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "call_backspread", spot, (short_strike, long_strike), (expiry,), common, ratio=ratio
    )


@_entry
def put_backspread(
    spot: float,
    long_strike: float,
    short_strike: float,
    expiry: DateLike,
    *,
    ratio: int = 2,
    **common: Unpack[CommonKeywords],
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
    return _build(
        "put_backspread", spot, (long_strike, short_strike), (expiry,), common, ratio=ratio
    )


# --------------------------------------------------------------------------- other structures
@_entry
def jade_lizard(
    spot: float,
    short_put: float,
    short_call: float,
    long_call: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("jade_lizard", spot, (short_put, short_call, long_call), (expiry,), common)


@_entry
def risk_reversal(
    spot: float,
    put_strike: float,
    call_strike: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("risk_reversal", spot, (put_strike, call_strike), (expiry,), common)


@_entry
def synthetic_long(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("synthetic_long", spot, (strike,), (expiry,), common)


@_entry
def synthetic_short(
    spot: float, strike: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("synthetic_short", spot, (strike,), (expiry,), common)


@_entry
def long_box(
    spot: float, lower: float, upper: float, expiry: DateLike, **common: Unpack[CommonKeywords]
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
    return _build("long_box", spot, (lower, upper), (expiry,), common)


@_entry
def christmas_tree(
    spot: float,
    lower: float,
    middle: float,
    upper: float,
    expiry: DateLike,
    *,
    kind: OptionKind = "call",
    **common: Unpack[CommonKeywords],
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
    return _build("christmas_tree", spot, (lower, middle, upper), (expiry,), common, kind=kind)


@_entry
def seagull(
    spot: float,
    short_put: float,
    long_call: float,
    short_call: float,
    expiry: DateLike,
    **common: Unpack[CommonKeywords],
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
    return _build("seagull", spot, (short_put, long_call, short_call), (expiry,), common)


# --------------------------------------------------------------------------- registry
BUILDERS: dict[str, Callable[..., Strategy]] = {
    name: _ENTRIES[name] for name, spec in STRUCTURES.items() if spec.builder
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
