"""Position sizing: how many copies of a :class:`~fastopt.strategies.strategy.Strategy`
to trade.

Every function counts whole copies of the position as given (a strategy with
``+1/-1`` contracts per leg is one copy; 3 copies trade ``+3/-3``), rounding
down, and never returns a negative number.

- :func:`size_fixed_fractional` risks at most ``risk_fraction`` of ``capital``:
  copies x max loss <= capital x risk_fraction. Positions with unlimited loss
  have no max loss to size on: size them by margin instead.
- :func:`size_by_margin` fills ``buying_power`` with the buying-power reduction
  of :func:`fastopt.strategies.margin.margin` per copy (margin is linear in
  the number of copies).
- :func:`kelly_fraction` is the capped Kelly criterion
  ``f* = p - (1 - p) / b`` with ``b = avg_win / |avg_loss|``, clipped to
  ``[0, cap]``; :func:`size_kelly` feeds it the probability of profit and
  the conditional expectations of :meth:`Strategy.analyze` and risks
  ``f* x capital`` against the max loss per copy.
"""

from __future__ import annotations

import math
from typing import Any

from fastopt._validate import real_number
from fastopt.strategies.margin import margin
from fastopt.strategies.strategy import Strategy

__all__ = ["kelly_fraction", "size_by_margin", "size_fixed_fractional", "size_kelly"]

_EPS = 1e-9  # relative slack so that an exact fit is not lost to rounding


def _strategy(value: object) -> Strategy:
    if not isinstance(value, Strategy):
        msg = f"`strategy` must be a Strategy, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def _positive(value: object, name: str) -> float:
    x = real_number(value, name)
    if x <= 0.0:
        msg = f"`{name}` must be > 0, got {x!r}"
        raise ValueError(msg)
    return x


def _fraction(value: object, name: str) -> float:
    x = real_number(value, name)
    if not 0.0 < x <= 1.0:
        msg = f"`{name}` must be in (0, 1], got {x!r}"
        raise ValueError(msg)
    return x


def _copies(budget: float, per_copy: float) -> int:
    """Whole copies of ``per_copy`` that fit in ``budget`` (both > 0)."""
    return max(math.floor(budget / per_copy * (1.0 + _EPS)), 0)


def _risk_per_copy(strategy: Strategy, max_loss: float) -> float:
    if max_loss == -math.inf:
        msg = (
            f"{strategy.name!r} has unlimited max loss, so a fraction of capital cannot bound "
            "its risk; size it by margin (size_by_margin) or add a protective leg"
        )
        raise ValueError(msg)
    if not max_loss < 0.0:
        msg = (
            f"{strategy.name!r} cannot lose money at the first expiry (max loss {max_loss!r}): "
            "risk-based sizing is unbounded; size it by margin (size_by_margin)"
        )
        raise ValueError(msg)
    return -max_loss


def size_fixed_fractional(strategy: Strategy, capital: float, risk_fraction: float) -> int:
    """Copies of ``strategy`` such that copies x max loss <= ``capital`` x ``risk_fraction``.

    Parameters
    ----------
    strategy : Strategy
    capital : float
        Account value in dollars (> 0).
    risk_fraction : float
        Share of capital the position may lose, in (0, 1] (e.g. 0.02).

    Returns
    -------
    int
        Whole copies, rounded down (0 when one copy risks too much).

    Raises
    ------
    ValueError
        When the max loss is unlimited (naked calls, short stock) or zero.

    Examples
    --------
    A 5-wide put credit spread for 1.50 risks $350 per copy:

    >>> from fastopt.strategies.leg import Leg
    >>> from fastopt.strategies.strategy import Strategy
    >>> from fastopt.strategies.sizing import size_fixed_fractional
    >>> s = Strategy([Leg("put", 1, 95.0, "2025-03-21", premium=1.10),
    ...               Leg("put", -1, 100.0, "2025-03-21", premium=2.60)],
    ...              spot=102.0, vol=0.2, asof="2025-02-21")
    >>> size_fixed_fractional(s, 100_000, 0.02)   # 2,000 / 350
    5
    """
    s = _strategy(strategy)
    cap = _positive(capital, "capital")
    frac = _fraction(risk_fraction, "risk_fraction")
    return _copies(cap * frac, _risk_per_copy(s, s.max_loss))


def size_by_margin(strategy: Strategy, buying_power: float, **margin_kwargs: Any) -> int:
    """Copies of ``strategy`` whose buying-power reduction fits in ``buying_power``.

    Parameters
    ----------
    strategy : Strategy
    buying_power : float
        Dollars available (> 0).
    **margin_kwargs
        ``account``, ``underlying``, ``leverage``: see
        :func:`fastopt.strategies.margin.margin`.

    Returns
    -------
    int
        Whole copies, rounded down.

    Raises
    ------
    ValueError
        When the position ties up no buying power (the count is unbounded).

    Examples
    --------
    A naked put needs $2,626 of requirement less the $45 credit per copy:

    >>> from fastopt.strategies.leg import Leg
    >>> from fastopt.strategies.strategy import Strategy
    >>> from fastopt.strategies.sizing import size_by_margin
    >>> put = Strategy([Leg("put", -1, 11.0, "2024-12-20", premium=0.45)], spot=11.03,
    ...                vol=0.4, asof="2024-11-15")
    >>> size_by_margin(put, 10_000)   # 10,000 / 217.60
    45
    >>> size_by_margin(put, 10_000, account="cash")   # cash-secured: 10,000 / 1,055
    9
    """
    s = _strategy(strategy)
    bp = _positive(buying_power, "buying_power")
    bpr = margin(s, **margin_kwargs).buying_power_reduction
    if not bpr > 0.0:
        msg = (
            f"{s.name!r} ties up no buying power (BPR {bpr!r}): the number of copies is "
            "unbounded; size it by risk (size_fixed_fractional) instead"
        )
        raise ValueError(msg)
    return _copies(bp, bpr)


def kelly_fraction(pop: float, avg_win: float, avg_loss: float, *, cap: float = 0.25) -> float:
    """Capped Kelly fraction ``p - (1 - p) / b`` with ``b = avg_win / |avg_loss|``.

    Parameters
    ----------
    pop : float
        Probability of a win, in [0, 1].
    avg_win : float
        Average win (> 0).
    avg_loss : float
        Average loss, as a negative or a positive amount (non-zero).
    cap : float
        Upper bound on the fraction, in (0, 1] (default 0.25: full Kelly is
        too aggressive when ``pop`` and the averages are estimates).

    Returns
    -------
    float
        The fraction of capital to risk, clipped to ``[0, cap]``.

    Examples
    --------
    >>> from fastopt.strategies.sizing import kelly_fraction
    >>> round(kelly_fraction(0.6, 100.0, -100.0), 12)   # 0.6 - 0.4 / 1
    0.2
    >>> round(kelly_fraction(0.7, 150.0, -350.0, cap=1.0), 4)   # a losing bet
    0.0
    >>> kelly_fraction(0.9, 300.0, -100.0)            # 0.8667, capped
    0.25
    """
    p = real_number(pop, "pop")
    if not 0.0 <= p <= 1.0:
        msg = f"`pop` must be a probability in [0, 1], got {p!r}"
        raise ValueError(msg)
    win = _positive(avg_win, "avg_win")
    loss = abs(real_number(avg_loss, "avg_loss"))
    if loss == 0.0:
        msg = "`avg_loss` must be non-zero (a negative or positive amount), got 0"
        raise ValueError(msg)
    c = _fraction(cap, "cap")
    f = p - (1.0 - p) / (win / loss)
    return float(min(max(f, 0.0), c))


def size_kelly(
    strategy: Strategy, capital: float, *, cap: float = 0.25, **analyze_kwargs: Any
) -> int:
    """Copies of ``strategy`` that risk the capped Kelly fraction of ``capital``.

    The fraction comes from :func:`kelly_fraction` with the probability of
    profit (``pop``), ``expected_profit`` and ``expected_loss`` of
    :meth:`Strategy.analyze`; copies = fraction x capital / |max loss per copy|.

    Parameters
    ----------
    strategy : Strategy
    capital : float
        Account value in dollars (> 0).
    cap : float
        Upper bound on the Kelly fraction, in (0, 1].
    **analyze_kwargs
        Passed to :meth:`Strategy.analyze` (``at``, ``vol``, ``drift``,
        ``threshold``).

    Returns
    -------
    int
        Whole copies, rounded down; 0 when the edge is negative.

    Raises
    ------
    ValueError
        When the max loss is unlimited or zero.

    Examples
    --------
    >>> from fastopt.strategies.leg import Leg
    >>> from fastopt.strategies.strategy import Strategy
    >>> from fastopt.strategies.sizing import size_kelly
    >>> call = Strategy([Leg("call", 1, 100.0, "2025-03-21", premium=1.0)],
    ...                 spot=100.0, vol=0.2, asof="2025-02-21")
    >>> size_kelly(call, 10_000)   # cheap call with a positive edge: 25% of 10,000 / $100
    25
    """
    s = _strategy(strategy)
    cap_value = _positive(capital, "capital")
    c = _fraction(cap, "cap")
    analyze_kwargs.setdefault("grid", 0)
    a = s.analyze(**analyze_kwargs)
    risk = _risk_per_copy(s, a.max_loss)
    if a.pop <= 0.0 or not a.expected_profit > 0.0:  # NaN when nothing wins
        return 0  # no winning outcome, or wins that average a loss (a negative threshold)
    if a.pop >= 1.0 or not math.isfinite(a.expected_loss) or a.expected_loss >= 0.0:
        f = c  # no losing outcome left: Kelly says all in, the cap decides
    else:
        f = kelly_fraction(a.pop, a.expected_profit, a.expected_loss, cap=c)
    return _copies(f * cap_value, risk) if f > 0.0 else 0
