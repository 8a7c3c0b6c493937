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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fastopt.backtest.prepared import TIMEFRAMES
from fastopt.backtest.rule_definitions import (
    RULES,
    UNDERLYING_TYPES,
    Choice,
    Delta,
    Real,
    Rule,
)
from fastopt.kernels import backtest as _kb
from fastopt.kernels import rule_records as _rr
from fastopt.strategies.margin import NAKED_MIN_PCT, NAKED_PCT, STOCK_INITIAL
from fastopt.strategies.structures import (
    backtest_aliases,
    backtest_debit_structures,
    backtest_legs,
)

__all__ = [
    "DEFAULT_RULES",
    "RULE_NAMES",
    "STRUCTURES",
    "STRUCTURE_RULE",
    "UNDERLYING_TYPES",
    "Rules",
    "compile_rules",
]

# legs as (signed units, kind: 0 call / 1 put, mode, ref, slot): mode 0 = by |delta| (the
# structure's delta target), 1 = a wing `width` further out of the money than leg `ref`,
# 2 = the same strike as leg `ref`, 3 = a wing `width` further in the money than leg `ref`;
# slot 0 = the traded (near) expiry, 1 = the far expiry of a calendar / diagonal; kind 2
# mode 5 = the stock (one unit = `multiplier` shares, quoted at the underlying). All three
# tables come from the structure table, fastopt.strategies.structures.
LEGS: dict[str, tuple[tuple[int, int, int, int, int], ...]] = backtest_legs()
"""The legs of every structure the backtest trades."""
DEBIT_STRUCTURES = backtest_debit_structures()
"""Structures entered for a net debit (the rest for a net credit)."""
ALIASES = backtest_aliases()
"""Other names of some structures (``put_credit_spread`` ...)."""
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
            targets.append(Delta().parse(leg["delta"], f"legs[{n}].delta"))
        elif chosen == ["moneyness"]:
            rows.append((units, kind, 4, -1, slot))
            targets.append(Real(0.0, 1.0).parse(leg["moneyness"], f"legs[{n}].moneyness"))
        elif chosen == ["same_strike_as"]:
            rows.append((units, kind, 2, ref("same_strike_as"), slot))
            targets.append(0.0)
        else:
            points = Real(0.0).parse(leg["wing"], f"legs[{n}].wing")
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


STRUCTURE_RULE = Rule("iron_condor", Choice(STRUCTURES), "legs", (
    "The structure traded (aliases resolved; `\"custom\"`: the `legs` rule); its legs "
    "are in `fastopt.backtest.rules.LEGS`."), "structure", "str")  # fmt: skip
"""The ``structure`` rule (the positional argument of :func:`fastopt.backtest.run_backtest`)."""

DEFAULT_RULES: dict[str, Any] = {
    "structure": STRUCTURE_RULE.default,
    **{name: rule.default for name, rule in RULES.items()},
}
"""Every rule of :func:`fastopt.backtest.run_backtest` with its default (from
:mod:`fastopt.backtest.rule_definitions`)."""

RULE_NAMES: tuple[str, ...] = tuple(DEFAULT_RULES)
"""The rule names a parameter grid may set."""


@dataclass(frozen=True)
class Rules:
    """Validated rules of one backtest, as the kernel's leg table and rule records.

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
    entry, exits, sizing, costs : numpy.ndarray
        ``(1,)`` arrays of the typed records of :mod:`fastopt.kernels.rule_records`
        (``ENTRY``, ``EXITS``, ``SIZING``, ``COSTS``).
    """

    structure: str
    legs: tuple[tuple[int, int, int, int, int], ...]
    leg_i: npt.NDArray[np.int64]
    leg_f: npt.NDArray[np.float64]
    entry: np.ndarray[Any, np.dtype[np.void]]
    exits: np.ndarray[Any, np.dtype[np.void]]
    sizing: np.ndarray[Any, np.dtype[np.void]]
    costs: np.ndarray[Any, np.dtype[np.void]]

    @property
    def quantity(self) -> int:
        """Contracts per leg."""
        return int(self.sizing["quantity"][0])

    @property
    def multiplier(self) -> float:
        """Shares per contract."""
        return float(self.sizing["multiplier"][0])

    @property
    def capital(self) -> float:
        """Starting account value."""
        return float(self.sizing["capital"][0])

    def records(self) -> tuple[np.void, np.void, np.void, np.void]:
        """The four rule records as :func:`fastopt.kernels.backtest.run_nb` takes them."""
        return self.entry[0], self.exits[0], self.sizing[0], self.costs[0]

    def describe_entry(self) -> str:
        """The entry rules in words (for the no-trade warning)."""
        e = self.entry[0]
        return (
            f"DTE {e['min_dte']:g}..{e['max_dte']:g}, short |delta| "
            f"{self.leg_f[0]:g} +/- {e['delta_tolerance']:g}"
        )


def _record(dtype: np.dtype[Any], **fields: Any) -> np.ndarray[Any, np.dtype[np.void]]:
    """A ``(1,)`` array of one ``dtype`` record; every field must be given (one write)."""
    assert dtype.names is not None
    if set(fields) != set(dtype.names):  # a kernel field without a rule, or a typo
        msg = f"record fields {sorted(fields)} do not match {sorted(dtype.names)}"
        raise AssertionError(msg)
    return np.array([tuple(fields[name] for name in dtype.names)], dtype=dtype)


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
    >>> r.structure, r.leg_i.shape, float(r.leg_f[1]), float(r.entry["max_dte"][0])
    ('bull_put_spread', (2, 5), 10.0, 60.0)
    """
    check_rule_names(rules, "compile_rules")
    kw = {**DEFAULT_RULES, **rules}
    name = STRUCTURE_RULE.parse(kw["structure"], "structure")
    name = ALIASES.get(name, name)
    custom = _custom_legs(kw["legs"]) if name == "custom" else None
    if custom is None and kw["legs"] is not None:
        msg = "`legs` defines a custom structure: give structure='custom' with it"
        raise ValueError(msg)
    v = {key: rule.parse(kw[key]) for key, rule in RULES.items() if key != "legs"}
    legs = LEGS.get(name, ()) if custom is None else custom[0]
    has_wing = custom is None and any(leg[2] in (1, 3) for leg in legs)
    sd = v["short_delta"]
    wing_mode, wing_target = 1, math.nan
    if has_wing:
        if kw["width"] is not None:
            wing_target = v["width"]
        elif kw["long_delta"] is not None and any(leg[2] == 3 for leg in legs):
            msg = f"structure {name!r} has an in-the-money wing: give `width` (strike points)"
            raise ValueError(msg)
        elif kw["long_delta"] is not None:
            wing_mode, wing_target = 0, v["long_delta"]
            if wing_target >= sd:
                msg = (
                    f"`long_delta` ({kw['long_delta']!r}) must be < `short_delta` ({sd!r}): "
                    "the wings are further out of the money"
                )
                raise ValueError(msg)
        else:
            msg = f"structure {name!r} has long wings: give `width` (strike points) or `long_delta`"
            raise ValueError(msg)
    lo_dte, hi_dte = int(v["min_dte"]), int(v["max_dte"])
    if lo_dte > hi_dte:
        msg = f"`min_dte` ({lo_dte}) must be <= `max_dte` ({hi_dte})"
        raise ValueError(msg)
    for what in ("iv_rank", "iv_percentile"):
        lo_name, hi_name = f"{what}_min", f"{what}_max"
        if v[lo_name] > v[hi_name]:
            msg = f"`{lo_name}` ({v[lo_name]:g}) must be <= `{hi_name}` ({v[hi_name]:g})"
            raise ValueError(msg)
    if not math.isnan(v["roll_dte"]) and v["roll_dte"] >= lo_dte:
        msg = (
            f"`roll_dte` ({v['roll_dte']:g}) must be < `min_dte` ({lo_dte}): a roll "
            "reopens by the entry rules and would roll again at once"
        )
        raise ValueError(msg)
    if v["settlement"] == "physical" and any(leg[4] == 1 or leg[1] == 2 for leg in legs):
        msg = (
            f"settlement='physical' is not supported for {name!r} (legs of two expiries or "
            "a stock leg)"
        )
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
    moneyness = v["short_moneyness"]
    if not math.isnan(moneyness) and custom is None:  # the body by distance from the spot
        body = np.array([leg[2] == 0 for leg in legs])
        leg_i[body, 2] = 4
        leg_f[body] = moneyness
    side = v["entry_side"]
    if side is None:
        side = "any" if custom is not None else "debit" if name in DEBIT_STRUCTURES else "credit"
    target_dte = v["target_dte"]
    entry = _record(
        _rr.ENTRY,
        min_dte=lo_dte,
        max_dte=hi_dte,
        target_dte=0.5 * (lo_dte + hi_dte) if math.isnan(target_dte) else target_dte,
        max_positions=v["max_positions"],
        delta_tolerance=v["delta_tolerance"],
        weekdays=v["weekdays"],
        iv_rank_min=v["iv_rank_min"],
        iv_rank_max=v["iv_rank_max"],
        iv_percentile_min=v["iv_percentile_min"],
        iv_percentile_max=v["iv_percentile_max"],
        timeframe=TIMEFRAMES.index(v["entry_timeframe"]),
        side={"credit": _rr.SIDE_CREDIT, "debit": _rr.SIDE_DEBIT, "any": _rr.SIDE_ANY}[side],
        calendar_gap=v["calendar_gap"],
    )
    exits = _record(
        _rr.EXITS,
        stop_loss=v["stop_loss"],
        profit_target=v["profit_target"],
        delta_exit=v["delta_exit"],
        gamma_exit=v["gamma_exit"],
        vega_exit=v["vega_exit"],
        roll_dte=v["roll_dte"],
        roll_delta=v["roll_delta"],
        exit_dte=v["exit_dte"],
        max_hold=v["max_hold_days"],
        early_extrinsic=v["early_assignment_extrinsic"],
        timeframe=TIMEFRAMES.index(v["manage_timeframe"]),
        physical=v["settlement"] == "physical",
    )
    sizing = _record(
        _rr.SIZING,
        capital=v["capital"],
        quantity=v["quantity"],
        multiplier=v["multiplier"],
        max_margin=v["max_margin_usage"],
        size_fraction=v["capital_per_trade"],
        participation=v["max_volume_participation"],
        naked_pct=NAKED_PCT[v["underlying_type"]],
        naked_min_pct=NAKED_MIN_PCT,
        stock_initial=STOCK_INITIAL,
    )
    costs = _record(
        _rr.COSTS,
        fill_mid=v["fill"] == "mid",
        exit_mid=v["exit_fill"] == "mid",
        slippage=v["slippage"],
        slippage_abs=v["slippage_ticks"] * v["tick_size"],
        commission_per_contract=v["commission_per_contract"],
        commission_per_order=v["commission_per_order"],
        fee_per_contract=v["fee_per_contract"],
    )
    return Rules(name, legs, leg_i, leg_f, entry, exits, sizing, costs)
