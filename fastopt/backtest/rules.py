"""Backtest rules: validated once, compiled to the arrays the backtest kernel reads.

:func:`compile_rules` takes the keyword arguments of
:func:`fastopt.backtest.run_backtest` (every rule except the chain and the
date range), checks each one and returns :class:`Rules`: the leg table and
the parameter vector of :mod:`fastopt.kernels.backtest`. The single
backtest, the parameter batch, the walk-forward and the Dask runner all go
through it, so a rule means the same thing everywhere and a bad value gets
the same message.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fastopt._validate import check_choice, check_int, scalar_float
from fastopt.backtest.prepared import TIMEFRAMES
from fastopt.kernels import backtest as _kb
from fastopt.strategies.margin import NAKED_MIN_PCT, NAKED_PCT, STOCK_INITIAL

__all__ = ["DEFAULT_RULES", "RULE_NAMES", "STRUCTURES", "Rules", "compile_rules"]

# legs as (signed units, kind: 0 call / 1 put, mode, ref, slot): mode 0 = by |delta| (the
# structure's delta target), 1 = a wing `width` further out of the money than leg `ref`,
# 2 = the same strike as leg `ref`, 3 = a wing `width` further in the money than leg `ref`;
# slot 0 = the traded (near) expiry, 1 = the far expiry of a calendar / diagonal; kind 2
# mode 5 = the stock (one unit = `multiplier` shares, quoted at the underlying)
LEGS: dict[str, tuple[tuple[int, int, int, int, int], ...]] = {
    "short_put": ((-1, 1, 0, -1, 0),),
    "short_call": ((-1, 0, 0, -1, 0),),
    "bull_put_spread": ((-1, 1, 0, -1, 0), (1, 1, 1, 0, 0)),
    "bear_call_spread": ((-1, 0, 0, -1, 0), (1, 0, 1, 0, 0)),
    "short_strangle": ((-1, 1, 0, -1, 0), (-1, 0, 0, -1, 0)),
    "short_straddle": ((-1, 1, 0, -1, 0), (-1, 0, 2, 0, 0)),
    "iron_condor": ((-1, 1, 0, -1, 0), (1, 1, 1, 0, 0), (-1, 0, 0, -1, 0), (1, 0, 1, 2, 0)),
    "iron_butterfly": ((-1, 1, 0, -1, 0), (-1, 0, 2, 0, 0), (1, 1, 1, 0, 0), (1, 0, 1, 1, 0)),
    "jade_lizard": ((-1, 1, 0, -1, 0), (-1, 0, 0, -1, 0), (1, 0, 1, 1, 0)),
    "long_call": ((1, 0, 0, -1, 0),),
    "long_put": ((1, 1, 0, -1, 0),),
    "long_straddle": ((1, 1, 0, -1, 0), (1, 0, 2, 0, 0)),
    "long_strangle": ((1, 1, 0, -1, 0), (1, 0, 0, -1, 0)),
    "bull_call_spread": ((1, 0, 0, -1, 0), (-1, 0, 1, 0, 0)),
    "bear_put_spread": ((1, 1, 0, -1, 0), (-1, 1, 1, 0, 0)),
    "call_butterfly": ((-2, 0, 0, -1, 0), (1, 0, 1, 0, 0), (1, 0, 3, 0, 0)),
    "put_butterfly": ((-2, 1, 0, -1, 0), (1, 1, 1, 0, 0), (1, 1, 3, 0, 0)),
    "covered_call": ((-1, 0, 0, -1, 0), (1, 2, 5, -1, 0)),
    "protective_put": ((1, 1, 0, -1, 0), (1, 2, 5, -1, 0)),
    "collar": ((1, 1, 0, -1, 0), (-1, 0, 0, -1, 0), (1, 2, 5, -1, 0)),
    "covered_put": ((-1, 1, 0, -1, 0), (-1, 2, 5, -1, 0)),
    "call_calendar": ((-1, 0, 0, -1, 0), (1, 0, 2, 0, 1)),
    "put_calendar": ((-1, 1, 0, -1, 0), (1, 1, 2, 0, 1)),
    "call_diagonal": ((-1, 0, 0, -1, 0), (1, 0, 3, 0, 1)),
    "put_diagonal": ((-1, 1, 0, -1, 0), (1, 1, 3, 0, 1)),
}
DEBIT_STRUCTURES = frozenset(
    {"long_call", "long_put", "long_straddle", "long_strangle", "bull_call_spread",
     "bear_put_spread", "call_butterfly", "put_butterfly", "call_calendar", "put_calendar",
     "call_diagonal", "put_diagonal", "covered_call", "protective_put", "collar"}
)  # fmt: skip
"""Structures entered for a net debit (the rest for a net credit)."""
ALIASES = {
    "put_credit_spread": "bull_put_spread",
    "call_credit_spread": "bear_call_spread",
    "call_debit_spread": "bull_call_spread",
    "put_debit_spread": "bear_put_spread",
}
STRUCTURES: tuple[str, ...] = (*LEGS, *ALIASES, "custom")
"""Accepted ``structure`` names (four aliases, then ``"custom"``: the ``legs`` rule)."""

_LEG_KEYS = ("units", "kind", "delta", "moneyness", "wing", "of", "direction",
             "same_strike_as", "expiry")  # fmt: skip
_KINDS = {"call": 0, "put": 1, "stock": 2, "c": 0, "p": 1, "s": 2}


def _custom_legs(spec: object) -> tuple[tuple[tuple[int, int, int, int, int], ...], list[float]]:
    """The ``legs`` rule of a custom structure as kernel leg rows and targets."""
    if isinstance(spec, str | bytes) or not isinstance(spec, Sequence) or not spec:
        msg = f"`legs` must be a non-empty list of leg dicts, got {spec!r}"
        raise TypeError(msg)
    if len(spec) > _kb.MAX_LEGS:
        msg = f"`legs` has {len(spec)} legs; at most {_kb.MAX_LEGS}"
        raise ValueError(msg)
    rows: list[tuple[int, int, int, int, int]] = []
    targets: list[float] = []
    for n, leg in enumerate(spec):
        where = f"`legs`[{n}]"
        if not isinstance(leg, Mapping):
            msg = f"{where} must be a dict like {{'units': -1, 'kind': 'put', 'delta': 0.2}}"
            raise TypeError(msg)
        unknown = [k for k in leg if k not in _LEG_KEYS]
        if unknown:
            msg = f"{where}: unknown keys {unknown}; allowed: {', '.join(_LEG_KEYS)}"
            raise ValueError(msg)
        units = leg.get("units")
        if isinstance(units, bool) or not isinstance(units, int) or units == 0:
            msg = f"{where}: `units` must be a non-zero integer (signed contracts), got {units!r}"
            raise ValueError(msg)
        kind_name = str(leg.get("kind", "")).strip().lower()
        if kind_name not in _KINDS:
            msg = f"{where}: `kind` must be 'call', 'put' or 'stock', got {leg.get('kind')!r}"
            raise ValueError(msg)
        kind = _KINDS[kind_name]
        slot = {"near": 0, "far": 1}.get(str(leg.get("expiry", "near")))
        if slot is None:
            msg = f"{where}: `expiry` must be 'near' or 'far', got {leg.get('expiry')!r}"
            raise ValueError(msg)
        chosen = [k for k in ("delta", "moneyness", "wing", "same_strike_as") if k in leg]
        if kind == 2:
            if chosen or slot:
                msg = f"{where}: a stock leg takes only `units` (lots of `multiplier` shares)"
                raise ValueError(msg)
            rows.append((units, 2, 5, -1, 0))
            targets.append(0.0)
            continue
        if len(chosen) != 1:
            msg = (
                f"{where}: give exactly one of `delta`, `moneyness`, `wing` (with `of`) or "
                f"`same_strike_as`, got {chosen or 'none'}"
            )
            raise ValueError(msg)

        def ref(key: str, leg: Mapping[str, Any] = leg, n: int = n, where: str = where) -> int:
            value = leg.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n:
                msg = f"{where}: `{key}` must be the index of an earlier leg, got {value!r}"
                raise ValueError(msg)
            if rows[value][1] == 2:
                msg = f"{where}: `{key}` must name an option leg, not the stock"
                raise ValueError(msg)
            return value

        if chosen == ["delta"]:
            rows.append((units, kind, 0, -1, slot))
            targets.append(_delta(leg["delta"], f"legs[{n}].delta"))
        elif chosen == ["moneyness"]:
            rows.append((units, kind, 4, -1, slot))
            targets.append(_real(leg["moneyness"], f"legs[{n}].moneyness", low=0.0, high=1.0))
        elif chosen == ["same_strike_as"]:
            rows.append((units, kind, 2, ref("same_strike_as"), slot))
            targets.append(0.0)
        else:
            points = _real(leg["wing"], f"legs[{n}].wing", low=0.0)
            if points <= 0.0:
                msg = f"{where}: `wing` must be > 0 strike points, got {leg['wing']!r}"
                raise ValueError(msg)
            side = leg.get("direction", "out")
            if side not in ("out", "in"):
                msg = f"{where}: `direction` must be 'out' or 'in' (of the money), got {side!r}"
                raise ValueError(msg)
            rows.append((units, kind, 1 if side == "out" else 3, ref("of"), slot))
            targets.append(points)
    if all(row[1] == 2 for row in rows):
        msg = "`legs` needs at least one option leg"
        raise ValueError(msg)
    if rows[0][1] == 2:
        msg = "`legs`[0] must be an option leg (the trade's expiry is the first leg's)"
        raise ValueError(msg)
    return tuple(rows), targets


DEFAULT_RULES: dict[str, Any] = {
    "structure": "iron_condor",
    "short_delta": 0.16,
    "long_delta": None,
    "width": None,
    "delta_tolerance": 0.05,
    "quantity": 1,
    "min_dte": 30,
    "max_dte": 60,
    "target_dte": None,
    "weekdays": None,
    "max_positions": 1,
    "fill": "natural",
    "slippage": 0.0,
    "commission_per_contract": 0.0,
    "commission_per_order": 0.0,
    "profit_target": 0.5,
    "stop_loss": 2.0,
    "max_hold_days": None,
    "exit_dte": None,
    "capital": 100_000.0,
    "multiplier": 100.0,
    "fee_per_contract": 0.0,
    "delta_exit": None,
    "iv_rank_min": None,
    "iv_rank_max": None,
    "iv_percentile_min": None,
    "iv_percentile_max": None,
    "max_margin_usage": 1.0,
    "capital_per_trade": None,
    "max_volume_participation": None,
    "underlying_type": "broad_index",
    "entry_timeframe": "bar",
    "manage_timeframe": "bar",
    "roll_dte": None,
    "roll_delta": None,
    "early_assignment_extrinsic": None,
    "settlement": "cash",
    "short_moneyness": None,
    "slippage_ticks": 0.0,
    "tick_size": 0.05,
    "calendar_gap": 30,
    "gamma_exit": None,
    "vega_exit": None,
    "legs": None,
    "entry_side": None,
    "exit_fill": "natural",
}
"""Every rule of :func:`fastopt.backtest.run_backtest` with its default."""

RULE_NAMES: tuple[str, ...] = tuple(DEFAULT_RULES)
"""The rule names a parameter grid may set."""

UNDERLYING_TYPES: tuple[str, ...] = ("broad_index", "equity", "narrow_index")
"""Underlyings whose naked-option margin rate the backtest knows (Reg T / Cboe)."""

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Rules:
    """Validated rules of one backtest, as kernel arrays.

    Attributes
    ----------
    structure : str
        The canonical structure name (aliases resolved).
    legs : tuple of tuple of int
        ``(units, kind, mode, ref, slot)`` per leg (see :mod:`fastopt.kernels.backtest`).
    leg_i : numpy.ndarray
        ``(n_legs, LEG_COLS)`` int64 leg table as the kernel reads it.
    leg_f : numpy.ndarray
        ``(n_legs,)`` float64 leg targets (delta or wing width).
    params : numpy.ndarray
        ``(N_PARAMS,)`` float64 parameter vector.
    """

    structure: str
    legs: tuple[tuple[int, int, int, int, int], ...]
    leg_i: npt.NDArray[np.int64]
    leg_f: npt.NDArray[np.float64]
    params: npt.NDArray[np.float64]

    @property
    def quantity(self) -> int:
        """Contracts per leg."""
        return int(self.params[_kb.P_QTY])

    @property
    def multiplier(self) -> float:
        """Shares per contract."""
        return float(self.params[_kb.P_MULT])

    @property
    def capital(self) -> float:
        """Starting account value."""
        return float(self.params[_kb.P_CAPITAL])

    def describe_entry(self) -> str:
        """The entry rules in words (for the no-trade warning)."""
        p = self.params
        return (
            f"DTE {p[_kb.P_MIN_DTE]:g}..{p[_kb.P_MAX_DTE]:g}, short |delta| "
            f"{self.leg_f[0]:g} +/- {p[_kb.P_DELTA_TOL]:g}"
        )


def _real(value: object, name: str, *, low: float, high: float = math.inf) -> float:
    """A finite real in [low, high] (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"`{name}` must be a real number, got {value!r}"
        raise TypeError(msg)
    x = scalar_float(value, name)
    if not low <= x <= high:
        msg = f"`{name}` must be in [{low}, {high}], got {value!r}"
        raise ValueError(msg)
    return x


def _delta(value: object, name: str) -> float:
    x = _real(value, name, low=-math.inf)
    if not 0.0 < x < 1.0:
        msg = f"`{name}` must be an absolute delta in (0, 1), got {value!r}"
        raise ValueError(msg)
    return x


def _optional(value: object, name: str, *, low: float, high: float = math.inf) -> float:
    return math.nan if value is None else _real(value, name, low=low, high=high)


def _positive(value: object, name: str) -> float:
    """None (rule off, NaN) or a real > 0."""
    x = _optional(value, name, low=0.0)
    if x == 0.0:
        msg = f"`{name}` must be > 0 (or None), got {value!r}"
        raise ValueError(msg)
    return x


def _weekday_flags(weekdays: object) -> list[float]:
    if weekdays is None:
        return [1.0] * 7
    items = [weekdays] if isinstance(weekdays, str | int) else weekdays
    if not isinstance(items, Sequence) or not items:
        msg = f"`weekdays` must be a non-empty sequence of weekdays, got {weekdays!r}"
        raise TypeError(msg)
    flags = [0.0] * 7
    for item in items:
        if isinstance(item, str) and item.strip().lower()[:3] in _WEEKDAYS:
            flags[_WEEKDAYS.index(item.strip().lower()[:3])] = 1.0
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            flags[item] = 1.0
        else:
            msg = (
                f"`weekdays` entries must be 0 (Monday) .. 6 (Sunday) or names like 'mon', "
                f"got {item!r}"
            )
            raise ValueError(msg)
    return flags


def check_rule_names(names: Sequence[str] | Mapping[str, Any], where: str) -> None:
    """Raise ``ValueError`` naming ``where`` if a name is not a rule."""
    for key in names:
        if key not in DEFAULT_RULES:
            import difflib

            close = difflib.get_close_matches(str(key), RULE_NAMES, n=3)
            hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
            msg = f"{where}: unknown rule {key!r}{hint}; the rules are {', '.join(RULE_NAMES)}"
            raise ValueError(msg)


def compile_rules(**rules: Any) -> Rules:
    """Validate backtest rules and compile them to kernel arrays.

    Parameters
    ----------
    **rules
        Any of :data:`RULE_NAMES` (the keyword arguments of
        :func:`fastopt.backtest.run_backtest` other than ``chain``, ``start``
        and ``end``); the others take :data:`DEFAULT_RULES`.

    Returns
    -------
    Rules

    Raises
    ------
    TypeError, ValueError
        An unknown rule name, or a value of the wrong type or out of range;
        the message names the rule.

    Examples
    --------
    >>> from fastopt.backtest.rules import compile_rules
    >>> r = compile_rules(structure="put_credit_spread", short_delta=0.2, width=10)
    >>> r.structure, r.leg_i.shape, float(r.leg_f[1])
    ('bull_put_spread', (2, 5), 10.0)
    """
    check_rule_names(rules, "compile_rules")
    kw = {**DEFAULT_RULES, **rules}
    name = check_choice(kw["structure"], "structure", STRUCTURES)
    name = ALIASES.get(name, name)
    custom = _custom_legs(kw["legs"]) if name == "custom" else None
    if custom is None and kw["legs"] is not None:
        msg = "`legs` defines a custom structure: give structure='custom' with it"
        raise ValueError(msg)
    legs = LEGS.get(name, ()) if custom is None else custom[0]
    has_wing = custom is None and any(leg[2] in (1, 3) for leg in legs)
    sd = _delta(kw["short_delta"], "short_delta")
    width, long_delta = kw["width"], kw["long_delta"]
    wing_mode, wing_target = 1, math.nan
    if has_wing:
        if width is not None:
            wing_target = _real(width, "width", low=0.0)
            if wing_target <= 0.0:
                msg = f"`width` must be > 0 strike points, got {width!r}"
                raise ValueError(msg)
        elif long_delta is not None and any(leg[2] == 3 for leg in legs):
            msg = f"structure {name!r} has an in-the-money wing: give `width` (strike points)"
            raise ValueError(msg)
        elif long_delta is not None:
            wing_mode, wing_target = 0, _delta(long_delta, "long_delta")
            if wing_target >= sd:
                msg = (
                    f"`long_delta` ({long_delta!r}) must be < `short_delta` ({sd!r}): "
                    "the wings are further out of the money"
                )
                raise ValueError(msg)
        else:
            msg = f"structure {name!r} has long wings: give `width` (strike points) or `long_delta`"
            raise ValueError(msg)
    tol = _real(kw["delta_tolerance"], "delta_tolerance", low=0.0)
    qty = check_int(kw["quantity"], "quantity", 1)
    lo_dte = check_int(kw["min_dte"], "min_dte", 1)
    hi_dte = check_int(kw["max_dte"], "max_dte", 1)
    if lo_dte > hi_dte:
        msg = f"`min_dte` ({lo_dte}) must be <= `max_dte` ({hi_dte})"
        raise ValueError(msg)
    target_dte = kw["target_dte"]
    tgt_dte = (
        0.5 * (lo_dte + hi_dte) if target_dte is None else _real(target_dte, "target_dte", low=0.0)
    )
    flags = _weekday_flags(kw["weekdays"])
    max_pos = check_int(kw["max_positions"], "max_positions", 1)
    fill_mode = check_choice(kw["fill"], "fill", ("natural", "mid"))
    slip = _real(kw["slippage"], "slippage", low=0.0, high=1.0)
    c_contract = _real(kw["commission_per_contract"], "commission_per_contract", low=0.0)
    c_order = _real(kw["commission_per_order"], "commission_per_order", low=0.0)
    pt = _positive(kw["profit_target"], "profit_target")
    sl = _optional(kw["stop_loss"], "stop_loss", low=0.0)
    if sl == 0.0:
        msg = "`stop_loss` must be > 0 (or None), got 0"
        raise ValueError(msg)
    max_hold = kw["max_hold_days"]
    hold = math.nan if max_hold is None else float(check_int(max_hold, "max_hold_days", 1))
    exit_dte = kw["exit_dte"]
    x_dte = math.nan if exit_dte is None else float(check_int(exit_dte, "exit_dte", 0))
    cap = _real(kw["capital"], "capital", low=0.0)
    mult = _real(kw["multiplier"], "multiplier", low=0.0)
    if cap <= 0.0 or mult <= 0.0:
        bad = "capital" if cap <= 0.0 else "multiplier"
        msg = f"`{bad}` must be > 0, got {kw[bad]!r}"
        raise ValueError(msg)

    leg_i = np.array([list(leg) for leg in legs], dtype=np.int64)
    leg_f = np.array(
        [sd if leg[2] == 0 else 0.0 if leg[2] == 2 else wing_target for leg in legs],
        dtype=np.float64,
    )
    if has_wing and wing_mode == 0:
        leg_i[leg_i[:, 2] == 1, 2] = 0  # wings by delta too
    if custom is not None:
        leg_f = np.array(custom[1], dtype=np.float64)
    moneyness = _optional(kw["short_moneyness"], "short_moneyness", low=0.0, high=1.0)
    if (
        not math.isnan(moneyness) and custom is None
    ):  # the body by distance from the spot instead of delta
        body = np.array([leg[2] == 0 for leg in legs])
        leg_i[body, 2] = 4
        leg_f[body] = moneyness
    params = np.zeros(_kb.N_PARAMS, dtype=np.float64)
    params[_kb.P_CAPITAL] = cap
    params[_kb.P_QTY] = qty
    params[_kb.P_MULT] = mult
    params[_kb.P_MIN_DTE] = lo_dte
    params[_kb.P_MAX_DTE] = hi_dte
    params[_kb.P_TARGET_DTE] = tgt_dte
    params[_kb.P_MAX_POS] = max_pos
    params[_kb.P_FILL_MID] = 1.0 if fill_mode == "mid" else 0.0
    params[_kb.P_SLIPPAGE] = slip
    params[_kb.P_COMM_CONTRACT] = c_contract
    params[_kb.P_COMM_ORDER] = c_order
    params[_kb.P_PROFIT_TARGET] = pt
    params[_kb.P_STOP_LOSS] = sl
    params[_kb.P_MAX_HOLD] = hold
    params[_kb.P_EXIT_DTE] = x_dte
    params[_kb.P_DELTA_TOL] = tol
    params[_kb.P_WEEKDAY0 : _kb.P_WEEKDAY0 + 7] = flags
    params[_kb.P_COMM_FEE] = _real(kw["fee_per_contract"], "fee_per_contract", low=0.0)
    params[_kb.P_DELTA_EXIT] = _positive(kw["delta_exit"], "delta_exit")
    bands = {}
    for what in ("iv_rank", "iv_percentile"):
        lo_name, hi_name = f"{what}_min", f"{what}_max"
        band_lo = _optional(kw[lo_name], lo_name, low=0.0, high=100.0)
        band_hi = _optional(kw[hi_name], hi_name, low=0.0, high=100.0)
        if band_lo > band_hi:
            msg = f"`{lo_name}` ({band_lo:g}) must be <= `{hi_name}` ({band_hi:g})"
            raise ValueError(msg)
        bands[what] = (band_lo, band_hi)
    params[_kb.P_IVR_MIN], params[_kb.P_IVR_MAX] = bands["iv_rank"]
    params[_kb.P_IVP_MIN], params[_kb.P_IVP_MAX] = bands["iv_percentile"]
    params[_kb.P_MAX_MARGIN] = _positive(kw["max_margin_usage"], "max_margin_usage")
    params[_kb.P_SIZE_FRACTION] = _optional(
        kw["capital_per_trade"], "capital_per_trade", low=0.0, high=1.0
    )
    if params[_kb.P_SIZE_FRACTION] == 0.0:
        msg = "`capital_per_trade` must be in (0, 1] (or None), got 0"
        raise ValueError(msg)
    params[_kb.P_PARTICIPATION] = _positive(
        kw["max_volume_participation"], "max_volume_participation"
    )
    kind = check_choice(kw["underlying_type"], "underlying_type", UNDERLYING_TYPES)
    params[_kb.P_NAKED_PCT] = NAKED_PCT[kind]
    params[_kb.P_NAKED_MIN_PCT] = NAKED_MIN_PCT
    params[_kb.P_ENTRY_TF] = TIMEFRAMES.index(
        check_choice(kw["entry_timeframe"], "entry_timeframe", TIMEFRAMES)
    )
    params[_kb.P_MANAGE_TF] = TIMEFRAMES.index(
        check_choice(kw["manage_timeframe"], "manage_timeframe", TIMEFRAMES)
    )
    roll = kw["roll_dte"]
    params[_kb.P_ROLL_DTE] = math.nan if roll is None else float(check_int(roll, "roll_dte", 0))
    params[_kb.P_ROLL_DELTA] = _optional(kw["roll_delta"], "roll_delta", low=0.0, high=1.0)
    if params[_kb.P_ROLL_DELTA] == 0.0:
        msg = "`roll_delta` must be in (0, 1] (or None), got 0"
        raise ValueError(msg)
    params[_kb.P_EARLY_EXTRINSIC] = _positive(
        kw["early_assignment_extrinsic"], "early_assignment_extrinsic"
    )
    settlement = check_choice(kw["settlement"], "settlement", ("cash", "physical"))
    params[_kb.P_PHYSICAL] = 1.0 if settlement == "physical" else 0.0
    side = kw["entry_side"]
    if side is None:
        side = "any" if custom is not None else "debit" if name in DEBIT_STRUCTURES else "credit"
    side = check_choice(side, "entry_side", ("credit", "debit", "any"))
    params[_kb.P_DEBIT] = {"credit": 0.0, "debit": 1.0, "any": 2.0}[side]
    params[_kb.P_CALENDAR_GAP] = check_int(kw["calendar_gap"], "calendar_gap", 1)
    params[_kb.P_GAMMA_EXIT] = _positive(kw["gamma_exit"], "gamma_exit")
    params[_kb.P_VEGA_EXIT] = _positive(kw["vega_exit"], "vega_exit")
    if settlement == "physical" and any(leg[4] == 1 or leg[1] == 2 for leg in legs):
        msg = (
            f"settlement='physical' is not supported for {name!r} (legs of two expiries or "
            "a stock leg)"
        )
        raise ValueError(msg)
    params[_kb.P_STOCK_INITIAL] = STOCK_INITIAL
    exit_fill = check_choice(kw["exit_fill"], "exit_fill", ("natural", "mid"))
    params[_kb.P_EXIT_MID] = 1.0 if exit_fill == "mid" else 0.0
    ticks = _real(kw["slippage_ticks"], "slippage_ticks", low=0.0)
    tick = _real(kw["tick_size"], "tick_size", low=0.0)
    params[_kb.P_SLIP_ABS] = ticks * tick
    if not math.isnan(params[_kb.P_ROLL_DTE]) and params[_kb.P_ROLL_DTE] >= lo_dte:
        msg = (
            f"`roll_dte` ({params[_kb.P_ROLL_DTE]:g}) must be < `min_dte` ({lo_dte}): a roll "
            "reopens by the entry rules and would roll again at once"
        )
        raise ValueError(msg)
    return Rules(structure=name, legs=legs, leg_i=leg_i, leg_f=leg_f, params=params)
