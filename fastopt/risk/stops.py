"""Stop and exit rules of a portfolio's positions: the backtest's exit rules, evaluated by
the backtest's exit kernel for every position group in one call.

The rules are the backtest's own (:data:`fastopt.backtest.rule_definitions.RULES`, the
``exits`` group): ``stop_loss`` and ``profit_target`` (fractions of the credit received
or the debit paid), ``delta_exit`` (|delta| of one unit of the structure),
``gamma_exit`` and ``vega_exit`` (the group's absolute gamma in shares and vega per vol
point), ``roll_dte`` and ``roll_delta`` (a short leg's |delta|, e.g. 0.30), ``exit_dte``
and ``max_hold_days``. Names, defaults, bounds and error messages are the backtest's;
every group of the portfolio (a strategy, a trade, a single leg) is one position, and
:func:`fastopt.kernels.exits.exit_reasons_nb` returns why each should close
(:data:`fastopt.kernels.exits.REASONS`: ``"stop_loss"``, ``"roll"``, ...; ``""`` = stays
open).

A position's *unit* is its smallest option quantity (one iron condor of a group of
three); its credit is the entry prices' ``-sum(units x price)`` per unit, per share. A
group without an entry price on every leg cannot be judged by the stop and target: its
``status`` says so, never "stays open" by silence.

Examples
--------
>>> from fastopt import iron_condor
>>> from fastopt.risk import MarketState, Portfolio
>>> from fastopt.risk.stops import StopRules, evaluate_stops
>>> ic = iron_condor(100.0, 90.0, 95.0, 105.0, 110.0, "2025-03-21", vol=0.2,
...                  asof="2025-02-19")
>>> book = Portfolio()
>>> _ = book.add_strategy(ic, "XYZ", quantity=2)
>>> _ = book.update({"XYZ": MarketState(spot=93.0, date="2025-03-05")})
>>> evaluate_stops(book, StopRules(stop_loss=1.0)).select("group", "reason").row(0)
(0, 'stop_loss')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt.backtest.rule_definitions import RULES
from fastopt.kernels import exits as _ke
from fastopt.kernels import portfolio as _kp
from fastopt.kernels import rule_records as _rr
from fastopt.kernels.legs import STOCK
from fastopt.risk.portfolio import Portfolio

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = ["STOP_RULES", "StopRules", "evaluate_stops"]

STOP_RULES: tuple[str, ...] = (
    "stop_loss",
    "profit_target",
    "delta_exit",
    "gamma_exit",
    "vega_exit",
    "roll_dte",
    "roll_delta",
    "exit_dte",
    "max_hold_days",
)
"""The backtest's exit rules the risk layer evaluates (their definitions: ``RULES``)."""

_COL = {name: i for i, name in enumerate(_kp.RISK_FIELDS)}


@dataclass(frozen=True)
class StopRules:
    """The stop and exit rules of every position (each ``None`` = off).

    The defaults are the backtest's (a stop at 2 x the credit, a target at half of it);
    values are checked by the backtest's rule definitions.

    Examples
    --------
    >>> from fastopt.risk.stops import StopRules
    >>> StopRules(profit_target=None, roll_delta=0.3).roll_delta
    0.3
    >>> StopRules(roll_delta=1.5)
    Traceback (most recent call last):
    ...
    ValueError: `roll_delta` must be in [0.0, 1.0], got 1.5
    """

    stop_loss: float | None = RULES["stop_loss"].default
    profit_target: float | None = RULES["profit_target"].default
    delta_exit: float | None = None
    gamma_exit: float | None = None
    vega_exit: float | None = None
    roll_dte: int | None = None
    roll_delta: float | None = None
    exit_dte: int | None = None
    max_hold_days: int | None = None

    def __post_init__(self) -> None:
        for name in STOP_RULES:
            value = RULES[name].parse(getattr(self, name), name)
            off = value is None or (isinstance(value, float) and math.isnan(value))
            object.__setattr__(self, name, None if off else value)

    def record(self) -> np.ndarray[Any, np.dtype[Any]]:
        """The rules as one :data:`fastopt.kernels.rule_records.EXITS` record (NaN = off)."""
        rec = np.zeros(1, dtype=_rr.EXITS)
        for name in STOP_RULES:
            value = getattr(self, name)
            field = "max_hold" if name == "max_hold_days" else name
            rec[field] = math.nan if value is None else float(value)
        rec["early_extrinsic"] = math.nan
        return rec


def _per_group(values: np.ndarray[Any, Any], group: np.ndarray[Any, Any], n: int) -> Any:
    out = np.zeros(n)
    np.add.at(out, group, values)
    return out


def evaluate_stops(
    portfolio: Portfolio, rules: StopRules, *, only_triggered: bool = False
) -> pl.DataFrame:
    """Which positions of ``portfolio`` (each group one) the rules close now, and why.

    Parameters
    ----------
    portfolio : Portfolio
        The book, its market set (:meth:`Portfolio.update`).
    rules : StopRules
        The rules.
    only_triggered : bool, default False
        Return only the groups a rule closes.

    Returns
    -------
    polars.DataFrame
        One row per group: ``group, underlying, units`` (the unit count), ``credit`` and
        ``close_debit`` (per share per unit), ``pnl`` (money), ``delta`` (per unit),
        ``short_delta``, ``dte``, ``held_days``, ``reason`` (a
        :data:`~fastopt.kernels.exits.REASONS` name, ``""``: stays open) and ``status``
        (``"ok"``, or why the stop and target could not be judged).

    Raises
    ------
    TypeError
        ``portfolio`` or ``rules`` of the wrong type.
    ValueError
        The portfolio's risk cannot be computed (no market, an expired position).
    """
    if not isinstance(portfolio, Portfolio):
        msg = f"`portfolio` must be a Portfolio, got {type(portfolio).__name__}"
        raise TypeError(msg)
    if not isinstance(rules, StopRules):
        msg = f"`rules` must be a StopRules, got {type(rules).__name__}"
        raise TypeError(msg)
    rec = portfolio.records
    if rec.shape[0] == 0:
        return _frame({}, 0).head(0)
    risk = portfolio.leg_risk()
    groups, inverse = np.unique(portfolio.groups, return_inverse=True)
    n = groups.shape[0]
    option = rec["kind"] != STOCK
    qty = np.full(n, np.inf)
    np.minimum.at(qty, inverse[option], np.abs(rec["units"][option]))
    has_option = np.isfinite(qty)
    qty = np.where(has_option, qty, 1.0)
    mult = np.ones(n)
    mult[inverse[option]] = rec["multiplier"][option]
    shares = qty * mult  # shares per group's unit count
    money_credit = _per_group(-rec["units"] * rec["multiplier"] * rec["premium"], inverse, n)
    value = _per_group(risk[:, _COL["value"]], inverse, n)
    credit = money_credit / shares
    close_debit = -value / shares
    delta = _per_group(risk[:, _COL["delta"]], inverse, n)
    gamma = _per_group(risk[:, _COL["gamma"]], inverse, n)
    vega = _per_group(risk[:, _COL["vega"]], inverse, n)
    names = portfolio.underlying_names
    und = np.zeros(n, dtype=np.int64)
    und[inverse] = rec["underlying"]
    today = np.array([_day(portfolio, names[u]) for u in und], dtype=np.float64)
    expiry = np.full(n, np.inf)
    np.minimum.at(expiry, inverse[option], rec["expiry"][option].astype(np.float64))
    dte = np.where(has_option, expiry - today, np.inf)
    short_delta = np.zeros(n)
    short = option & (rec["units"] < 0)
    leg_delta = np.abs(risk[:, _COL["delta"]] / (rec["units"] * rec["multiplier"]))
    np.maximum.at(short_delta, inverse[short], leg_delta[short])
    opened = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(opened, inverse, portfolio.opened)
    held = np.where(opened == np.iinfo(np.int64).min, np.nan, today - opened)
    out = np.zeros(n, dtype=np.int64)
    _ke.exit_reasons_nb(
        rules.record()[0],
        credit,
        close_debit,
        delta / shares,
        gamma / shares,
        vega * 100.0 / shares,
        shares,
        dte,
        short_delta,
        held,
        out,
    )
    undated = np.isnan(held) & (rules.max_hold_days is not None)
    status = np.select(
        [np.isnan(value), np.isnan(money_credit), undated],
        [
            "no implied vol on every leg: risk undefined",
            "no entry price on every leg: stop and target not judged",
            "opening date unknown: max_hold_days not judged",
        ],
        "ok",
    )
    columns = {
        "group": groups,
        "underlying": [names[u] for u in und],
        "units": qty,
        "credit": credit,
        "close_debit": close_debit,
        "pnl": money_credit + value,
        "delta": delta / shares,
        "short_delta": short_delta,
        "dte": np.where(np.isfinite(dte), dte, np.nan),
        "held_days": held,
        "reason": [_ke.REASONS[int(c)] for c in out],
        "status": status.tolist(),
    }
    frame = _frame(columns, n)
    return frame.filter(pl.col("reason") != "") if only_triggered else frame


def _day(portfolio: Portfolio, name: str) -> float:
    from fastopt.positions import EPOCH

    return float((portfolio.market(name).date - EPOCH).days)


def _frame(columns: dict[str, Any], n: int) -> pl.DataFrame:
    schema = {
        "group": pl.Int64,
        "underlying": pl.String,
        "units": pl.Float64,
        "credit": pl.Float64,
        "close_debit": pl.Float64,
        "pnl": pl.Float64,
        "delta": pl.Float64,
        "short_delta": pl.Float64,
        "dte": pl.Float64,
        "held_days": pl.Float64,
        "reason": pl.String,
        "status": pl.String,
    }
    if not columns:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(columns, schema=schema, nan_to_null=False)
