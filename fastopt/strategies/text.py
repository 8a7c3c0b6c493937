"""The compact text form of a position: one line, legs separated by ``;``.

Each leg reads ``<signed qty> <C|P|S> [strike] [@premium] [expiry] [x<multiplier>] [iv=<vol>]``:

- ``qty``: a whole number, ``+``/``-`` for long/short (unsigned means long);
  contracts for options, shares for stock;
- the kind: ``C``/``P``/``S`` or ``call``/``put``/``stock`` (any case);
- ``strike``: a number, required for options, absent for stock;
- ``@premium``: price per share paid or received (the entry price for stock);
  omitted: filled with the Black-Scholes value by :class:`~fastopt.strategies.strategy.Strategy`;
- ``expiry``: an ISO date ``YYYY-MM-DD``, required for options;
- ``x<multiplier>``: shares per contract, omitted when it is the default
  (100 for options, 1 for stock);
- ``iv=<vol>``: the leg's own implied volatility (0.25 = 25 %).

After the kind, the tokens are recognised by their shape, so their order is
free; :func:`format_legs` writes them in the order above. Numbers are written
with the shortest text that reads back to the same float (``1.2``, ``90``,
``0.1234567``), so ``parse_legs(format_legs(legs)) == legs`` for every leg.
Newlines separate legs too; blank legs (a trailing ``;``) are ignored.

Examples
--------
>>> from fastopt.strategies.text import format_legs, parse_legs
>>> legs = parse_legs("-1 P 90 @1.20 2025-03-21; +1 put 85 @0.55 2025-03-21 iv=0.22")
>>> legs[1].kind, legs[1].strike, legs[1].iv
('put', 85.0, 0.22)
>>> format_legs(legs)
'-1 P 90 @1.2 2025-03-21; +1 P 85 @0.55 2025-03-21 iv=0.22'
>>> format_legs(parse_legs("+100 stock @50.25"))
'+100 S @50.25'
>>> parse_legs("-1 P 90 2025-03-21; +1 Q 85")
Traceback (most recent call last):
...
ValueError: leg 2 ("+1 Q 85"): unknown kind 'Q', expected C, P or S (or call, put, stock)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

from fastopt.strategies.leg import DEFAULT_MULTIPLIER, Leg

__all__ = ["format_leg", "format_legs", "parse_leg", "parse_legs"]

_KIND_LETTER = {"call": "C", "put": "P", "stock": "S"}
_KIND_WORDS = {
    "c": "call",
    "call": "call",
    "p": "put",
    "put": "put",
    "s": "stock",
    "stock": "stock",
}
_QTY = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEPARATORS = re.compile(r"[;\n]")


def _num(x: float) -> str:
    """Shortest text that reads back as exactly ``x`` (``90.0`` -> ``90``, ``1.2`` -> ``1.2``)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def format_leg(leg: Leg) -> str:
    """One leg in the compact text form, e.g. ``"-1 P 90 @1.2 2025-03-21"``.

    Examples
    --------
    >>> from fastopt.strategies.leg import Leg
    >>> from fastopt.strategies.text import format_leg
    >>> format_leg(Leg("call", 2, 105.5, "2025-06-20", premium=3.0, multiplier=10, iv=0.3))
    '+2 C 105.5 @3 2025-06-20 x10 iv=0.3'
    """
    parts = [f"{leg.quantity:+d}", _KIND_LETTER[leg.kind]]
    if leg.strike is not None:
        parts.append(_num(leg.strike))
    if leg.premium is not None:
        parts.append("@" + _num(leg.premium))
    if leg.expiry is not None:
        parts.append(leg.expiry.isoformat())
    default = 1.0 if leg.kind == "stock" else DEFAULT_MULTIPLIER
    if leg.multiplier is not None and leg.multiplier != default:
        parts.append("x" + _num(leg.multiplier))
    if leg.iv is not None:
        parts.append("iv=" + _num(leg.iv))
    return " ".join(parts)


def format_legs(legs: Iterable[Leg]) -> str:
    """Legs in the compact text form, separated by ``"; "`` (inverse of :func:`parse_legs`).

    Examples
    --------
    >>> from fastopt.strategies.leg import Leg
    >>> from fastopt.strategies.text import format_legs
    >>> format_legs([Leg("stock", 100, premium=50.0),
    ...              Leg("call", -1, 55.0, "2025-03-21", premium=1.25)])
    '+100 S @50; -1 C 55 @1.25 2025-03-21'
    """
    return "; ".join(format_leg(leg) for leg in legs)


def _float(token: str, text: str, what: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        msg = f"{where}: bad {what} {token!r}, expected a number"
        raise ValueError(msg) from None
    if not math.isfinite(value):
        msg = f"{where}: bad {what} {token!r}, expected a finite number"
        raise ValueError(msg)
    return value


def parse_leg(text: str, number: int = 1) -> Leg:
    """Parse one leg of the compact text form; ``number`` labels error messages.

    Raises
    ------
    ValueError
        ``leg <number> ("<text>"): <what is wrong>, expected <what is allowed>``.

    Examples
    --------
    >>> from fastopt.strategies.text import parse_leg
    >>> parse_leg("-2 call 110 @0.85 2025-03-21")
    Leg(kind='call', quantity=-2, strike=110.0, expiry=datetime.date(2025, 3, 21), \
premium=0.85, multiplier=100.0, iv=None)
    """
    body = text.strip()
    where = f"leg {number} ({body!r})" if '"' in body else f'leg {number} ("{body}")'
    tokens = body.split()
    if not tokens:
        msg = f"{where}: empty leg, expected '<qty> <C|P|S> [strike] [@premium] [expiry]'"
        raise ValueError(msg)
    if not _QTY.fullmatch(tokens[0]):
        msg = (
            f"{where}: bad quantity {tokens[0]!r}, expected a signed whole number "
            "like +1 or -2 first"
        )
        raise ValueError(msg)
    quantity = int(tokens[0])
    if quantity == 0:
        msg = f"{where}: quantity is 0, expected a non-zero whole number like +1 or -2"
        raise ValueError(msg)
    if len(tokens) < 2:
        msg = f"{where}: missing kind after the quantity, expected C, P or S"
        raise ValueError(msg)
    kind = _KIND_WORDS.get(tokens[1].lower())
    if kind is None:
        msg = f"{where}: unknown kind {tokens[1]!r}, expected C, P or S (or call, put, stock)"
        raise ValueError(msg)
    strike: float | None = None
    premium: float | None = None
    expiry: dt.date | None = None
    multiplier: float | None = None
    iv: float | None = None

    def once(current: object, what: str, token: str) -> None:
        if current is not None:
            msg = f"{where}: second {what} {token!r}, expected at most one {what}"
            raise ValueError(msg)

    for token in tokens[2:]:
        low = token.lower()
        if low.startswith("@"):
            once(premium, "premium", token)
            premium = _float(token, token[1:], "premium", where)
        elif low.startswith("iv="):
            once(iv, "iv", token)
            iv = _float(token, token[3:], "iv", where)
        elif low.startswith("x"):
            once(multiplier, "multiplier", token)
            multiplier = _float(token, token[1:], "multiplier", where)
        elif _DATE.fullmatch(token):
            once(expiry, "expiry", token)
            try:
                expiry = dt.date.fromisoformat(token)
            except ValueError:
                msg = f"{where}: bad expiry {token!r}, expected a real date YYYY-MM-DD"
                raise ValueError(msg) from None
        else:
            try:
                float(token)
            except ValueError:
                msg = (
                    f"{where}: unexpected token {token!r}, expected a strike, @premium, "
                    "an expiry YYYY-MM-DD, x<multiplier> or iv=<vol>"
                )
                raise ValueError(msg) from None
            once(strike, "strike", token)
            strike = _float(token, token, "strike", where)
    if kind == "stock":
        if strike is not None or expiry is not None:
            msg = f"{where}: a stock leg takes no strike or expiry, expected '+100 S @50'"
            raise ValueError(msg)
    else:
        if strike is None:
            msg = f"{where}: missing strike, expected a number after {tokens[1]!r}"
            raise ValueError(msg)
        if expiry is None:
            msg = f"{where}: missing expiry, expected a date YYYY-MM-DD"
            raise ValueError(msg)
    try:
        return Leg(kind, quantity, strike, expiry, premium, multiplier, iv)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        msg = f"{where}: {exc}"
        raise ValueError(msg) from exc


def parse_legs(text: str) -> tuple[Leg, ...]:
    """Parse the compact text form (legs separated by ``;`` or newlines) into legs.

    Raises
    ------
    TypeError
        ``text`` is not a string.
    ValueError
        No legs, or a leg that does not parse; the message names the leg
        number (from 1), the bad token and what was expected.

    Examples
    --------
    >>> from fastopt.strategies.text import parse_legs
    >>> [leg.label for leg in parse_legs("+100 S @50; -1 C 55 @1.25 2025-03-21")]
    ['+100 stock', '-1 call 55']
    """
    if not isinstance(text, str):
        msg = f"the text form must be a str, got {type(text).__name__}"
        raise TypeError(msg)
    pieces = [p for p in _SEPARATORS.split(text) if p.strip()]
    if not pieces:
        msg = f"no legs in {text!r}, expected e.g. '-1 P 90 @1.20 2025-03-21; +1 P 85 2025-03-21'"
        raise ValueError(msg)
    return tuple(parse_leg(piece, i) for i, piece in enumerate(pieces, start=1))
