"""Exit rules: would a position close on this bar, and why.

One definition of every exit rule, called by the backtest loop
(:mod:`fastopt.kernels.backtest`) and, for its stop rules, by the risk layer.
Rules arrive as an :class:`ExitRules` record (NaN switches a rule off); the
position's state on the bar as plain scalars; the answer is an
:data:`fastopt.kernels.enums.ExitReason` code (0: stays open).

The order of precedence (the first that applies wins):

1. ``PHYSICAL`` -- stock assigned at yesterday's expiry is sold today;
2. ``EXPIRY`` -- the bar is past the expiry, or the last bar of the expiry day;
3. ``EARLY_ASSIGNMENT`` -- a short in-the-money leg is assigned early
   (:func:`assigned_early`);
4. on a managed bar with every leg quoted: ``STOP_LOSS`` (the P&L per share at the
   closing price ``<= -stop_loss x |credit|``), ``PROFIT_TARGET`` (``>= profit_target x
   |credit|``), ``DELTA`` (``|position delta per unit| >= delta_exit``), ``GREEK``
   (:func:`greek_breach`), ``ROLL`` (``DTE <= roll_dte`` or the largest short
   ``|delta| >= roll_delta``), ``DTE`` (``DTE <= exit_dte``), ``MAX_HOLD`` (calendar
   days held ``>= max_hold``);
5. ``END`` -- the last bar of the data.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from fastopt.kernels._jit import jit, jit_inline
from fastopt.kernels.enums import ExitReason
from fastopt.kernels.position import intrinsic

R_PROFIT_TARGET = ExitReason.PROFIT_TARGET
R_STOP_LOSS = ExitReason.STOP_LOSS
R_DTE = ExitReason.DTE
R_MAX_HOLD = ExitReason.MAX_HOLD
R_EXPIRY = ExitReason.EXPIRY
R_END = ExitReason.END
R_DELTA = ExitReason.DELTA
R_ROLL = ExitReason.ROLL
R_EARLY_ASSIGNMENT = ExitReason.EARLY_ASSIGNMENT
R_PHYSICAL = ExitReason.PHYSICAL
R_GREEK = ExitReason.GREEK


REASONS = (
    "",
    "profit_target",
    "stop_loss",
    "dte",
    "max_hold",
    "expiry",
    "end_of_data",
    "delta_breach",
    "roll",
    "early_assignment",
    "assigned_at_expiry",
    "greek_breach",
)
"""Exit reason names by code (the trade log's ``exit_reason``, the risk layer's stops)."""


class ExitRules(NamedTuple):
    """The exit rules of a position (float64 each; NaN = the rule is off)."""

    stop_loss: float  # close when P&L <= -stop_loss x |credit or debit|
    profit_target: float  # close when P&L >= profit_target x |credit or debit|
    delta_exit: float  # close when |position delta per unit of the structure| >= this
    gamma_exit: float  # close when |position gamma| (shares per point, all units) >= this
    vega_exit: float  # close when |position vega| (money per vol point, all units) >= this
    roll_dte: float  # roll when days to expiry <= this
    roll_delta: float  # roll when the largest short |delta| >= this
    exit_dte: float  # close when days to expiry <= this
    max_hold: float  # close when calendar days held >= this
    early_extrinsic: float  # a short ITM leg with less extrinsic value is assigned early


@jit_inline
def assigned_early(kind, strike, spot, mid, early_extrinsic, div_next):  # type: ignore[no-untyped-def]
    """True when a short option leg quoted at ``mid`` per share is assigned early: it is
    in the money and its extrinsic value (``mid - intrinsic``) is below
    ``early_extrinsic`` or, for a call, below the cash dividend going ex on the next bar
    (``div_next``; 0 = none)."""
    value = intrinsic(kind, strike, spot)
    extrinsic = mid - value
    return value > 0.0 and (
        (not math.isnan(early_extrinsic) and extrinsic < early_extrinsic)
        or (kind == 0 and div_next > 0.0 and extrinsic < div_next)
    )


@jit_inline
def greek_breach(rules, gamma, vega, units):  # type: ignore[no-untyped-def]
    """True when the position's gamma or vega (per unit of the structure, vega per 1.00
    of vol) times ``units`` (quantity x multiplier) reaches its limit."""
    return (not math.isnan(rules.gamma_exit) and abs(gamma) * units >= rules.gamma_exit) or (
        not math.isnan(rules.vega_exit) and abs(vega) * units / 100.0 >= rules.vega_exit
    )


@jit
def exit_reason(  # type: ignore[no-untyped-def]
    rules,
    pending,
    expired,
    quoted,
    assign,
    manage,
    last,
    credit,
    close_debit,
    net_delta,
    breach,
    dte,
    short_delta,
    held_days,
):
    """The :data:`~fastopt.kernels.enums.ExitReason` code of one position on one bar.

    ``pending``: stock from yesterday's assignment is still held; ``expired``: the bar
    is past the expiry or the expiry day's last bar; ``quoted``: every leg has a quote
    today; ``assign``: :func:`assigned_early` holds for a short leg; ``manage``: managed
    exits are checked on this bar; ``last``: the data's last bar; ``credit``: the entry
    credit per share (negative: a debit; dividends received included); ``close_debit``:
    the cost per share of closing now; ``net_delta``: delta per unit of the structure;
    ``breach``: :func:`greek_breach`; ``dte``: calendar days to expiry; ``short_delta``:
    the largest short ``|delta|``; ``held_days``: calendar days since the entry.
    """
    basis = abs(credit)  # targets and stops are fractions of the credit or debit
    if pending:
        return R_PHYSICAL
    if expired:
        return R_EXPIRY
    if quoted and assign:
        return R_EARLY_ASSIGNMENT
    if quoted and manage:
        if not math.isnan(rules.stop_loss) and credit - close_debit <= -basis * rules.stop_loss:
            return R_STOP_LOSS
        if (
            not math.isnan(rules.profit_target)
            and credit - close_debit >= basis * rules.profit_target
        ):
            return R_PROFIT_TARGET
        if not math.isnan(rules.delta_exit) and abs(net_delta) >= rules.delta_exit:
            return R_DELTA
        if breach:
            return R_GREEK
        if (not math.isnan(rules.roll_dte) and dte <= rules.roll_dte) or (
            not math.isnan(rules.roll_delta) and short_delta >= rules.roll_delta
        ):
            return R_ROLL
        if not math.isnan(rules.exit_dte) and dte <= rules.exit_dte:
            return R_DTE
        if not math.isnan(rules.max_hold) and held_days >= rules.max_hold:
            return R_MAX_HOLD
    if last:
        return R_END
    return 0


@jit
def exit_reasons_nb(  # type: ignore[no-untyped-def]
    rules, credit, close_debit, net_delta, gamma, vega, units, dte, short_delta, held_days, out
):
    """:func:`exit_reason` of a block of open positions, all quoted and managed now (the
    risk layer's stop rules), into ``out`` (int64, one code per position).

    Position ``i``: ``credit`` and ``close_debit`` per share per unit of its structure,
    ``net_delta``, ``gamma`` and ``vega`` (per 1.00 of vol) per unit, ``units`` the
    contracts x multiplier (:func:`greek_breach`), ``dte`` calendar days to its first
    expiry (``<= 0``: expired), ``short_delta`` the largest short ``|delta|``,
    ``held_days`` the days since it was opened (NaN: unknown, so ``max_hold`` never
    fires). A NaN ``credit`` or ``close_debit`` fails every comparison: the caller
    reports such positions as undefined.
    """
    for i in range(credit.shape[0]):
        breach = greek_breach(rules, gamma[i], vega[i], units[i])
        out[i] = exit_reason(
            rules,
            False,
            dte[i] <= 0.0,
            True,
            False,
            True,
            False,
            credit[i],
            close_debit[i],
            net_delta[i],
            breach,
            dte[i],
            short_delta[i],
            held_days[i],
        )
    return out
