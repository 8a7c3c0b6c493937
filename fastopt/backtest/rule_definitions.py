"""Every backtest rule defined once: name, type, default, bounds and description.

:class:`RuleKeywords` is the single definition. Each field's annotation is the
rule's Python type wrapped in ``Annotated`` with a :class:`Rule`: its default,
its per-value check (:class:`Real`, :class:`Integer`, :class:`Delta`,
:class:`Choice` or a named parser) and its description. Everything else is
derived from it:

* the keyword arguments of :func:`fastopt.backtest.run_backtest` (statically
  through ``Unpack[RuleKeywords]``, at run time through its signature and the
  ``Parameters`` section of its docstring);
* :data:`fastopt.backtest.rules.DEFAULT_RULES` and ``RULE_NAMES`` (the keys a
  batch grid, a walk-forward and the YAML job's ``rules``/``grid`` take);
* the per-value validation in :func:`fastopt.backtest.rules.compile_rules`
  (relations between rules, such as ``min_dte <= max_dte``, are checked there);
* the rule reference in ``docs/backtest.md`` (:func:`rule_reference`; a test
  keeps the guide equal to it).

Examples
--------
>>> from fastopt.backtest.rule_definitions import RULES
>>> r = RULES["short_delta"]
>>> r.default, r.type_text, r.bounds_text
(0.16, 'float', '(0, 1)')
>>> RULES["stop_loss"].parse(None, "stop_loss")
nan
"""

from __future__ import annotations

import inspect
import math
import numbers
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, TypedDict

from fastopt._validate import check_choice, check_int, scalar_float
from fastopt.backtest.prepared import TIMEFRAMES

__all__ = [
    "GROUPS",
    "RULES",
    "Choice",
    "Delta",
    "Integer",
    "Real",
    "Rule",
    "RuleKeywords",
    "rule_parameters_doc",
    "rule_reference",
    "rule_signature",
]

UNDERLYING_TYPES: tuple[str, ...] = ("broad_index", "equity", "narrow_index")
"""Underlyings whose naked-option margin rate the backtest knows (Reg T / Cboe)."""

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class Real:
    """A finite real in ``[low, high]`` (``(low, high]`` when ``open_low``); bools refused.

    ``nullable``: ``None`` switches the rule off and parses to NaN. ``unit``
    is added to the message of an ``open_low`` violation (e.g. "strike points").
    """

    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False
    nullable: bool = False
    unit: str = ""
    none: str = "off"

    def parse(self, value: object, name: str) -> float:
        """The value as float (NaN for ``None`` when nullable), or raise naming ``name``."""
        if value is None and self.nullable:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            msg = f"`{name}` must be a real number, got {value!r}"
            raise TypeError(msg)
        x = math.nan
        if isinstance(value, float) or (isinstance(value, int) and abs(value) < 2**63):
            x = float(value)  # the common case, without an array round trip
        if not math.isfinite(x):  # NumPy scalars, and the error for inf / nan
            x = scalar_float(value, name)
        if not self.low <= x <= self.high:
            msg = f"`{name}` must be in [{self.low}, {self.high}], got {value!r}"
            raise ValueError(msg)
        if self.open_low and x == self.low:
            unit = f" {self.unit}" if self.unit else ""
            off = " (or None)" if self.nullable else ""
            msg = f"`{name}` must be {self._interval()}{unit}{off}, got {value!r}"
            raise ValueError(msg)
        return x

    def _interval(self) -> str:
        if math.isinf(self.high):
            return f"> {self.low:g}"
        return f"in ({self.low:g}, {self.high:g}]"

    def text(self) -> str:
        """The allowed values in words, for the rule reference."""
        if self.open_low:
            bounds = self._interval().replace("in ", "")
        elif math.isinf(self.low) and math.isinf(self.high):
            bounds = "any"
        elif math.isinf(self.high):
            bounds = f">= {self.low:g}"
        else:
            bounds = f"[{self.low:g}, {self.high:g}]"
        return bounds + (f", or None ({self.none})" if self.nullable else "")


@dataclass(frozen=True)
class Delta:
    """An absolute delta in ``(0, 1)``; ``nullable``: ``None`` parses to NaN."""

    nullable: bool = False

    def parse(self, value: object, name: str) -> float:
        """The delta as float, or raise naming ``name``."""
        if value is None and self.nullable:
            return math.nan
        x = Real().parse(value, name)
        if not 0.0 < x < 1.0:
            msg = f"`{name}` must be an absolute delta in (0, 1), got {value!r}"
            raise ValueError(msg)
        return x

    def text(self) -> str:
        """The allowed values in words."""
        return "(0, 1)" + (", or None" if self.nullable else "")


@dataclass(frozen=True)
class Integer:
    """A whole number ``>= low`` (bools refused); ``nullable``: ``None`` parses to NaN."""

    low: int = 0
    nullable: bool = False

    def parse(self, value: object, name: str) -> float:
        """The integer as float (NaN for ``None`` when nullable), or raise naming ``name``."""
        if value is None and self.nullable:
            return math.nan
        return float(check_int(value, name, self.low))

    def text(self) -> str:
        """The allowed values in words."""
        return f"integer >= {self.low}" + (", or None (off)" if self.nullable else "")


@dataclass(frozen=True)
class Choice:
    """One of ``options``; ``nullable``: ``None`` is kept (a default chosen elsewhere)."""

    options: tuple[str, ...]
    nullable: bool = False

    def parse(self, value: object, name: str) -> str | None:
        """The chosen option, or raise naming ``name``."""
        if value is None and self.nullable:
            return None
        return check_choice(value, name, self.options)

    def text(self) -> str:
        """The allowed values in words."""
        listed = ", ".join(f'"{o}"' for o in self.options)
        return listed + (", or None" if self.nullable else "")


@dataclass(frozen=True)
class Parsed:
    """A rule whose value needs its own parser (weekdays, custom legs, the structure)."""

    parser: Callable[[object, str], Any]
    allowed: str

    def parse(self, value: object, name: str) -> Any:
        """The parsed value, or raise naming ``name``."""
        return self.parser(value, name)

    def text(self) -> str:
        """The allowed values in words."""
        return self.allowed


Check = Real | Delta | Integer | Choice | Parsed


def weekday_flags(weekdays: object, name: str = "weekdays") -> list[float]:
    """Seven entry flags (Monday first) from ``None`` (every day) or weekdays."""
    if weekdays is None:
        return [1.0] * 7
    items = [weekdays] if isinstance(weekdays, str | int) else weekdays
    if not isinstance(items, Sequence) or not items:
        msg = f"`{name}` must be a non-empty sequence of weekdays, got {weekdays!r}"
        raise TypeError(msg)
    flags = [0.0] * 7
    for item in items:
        if isinstance(item, str) and item.strip().lower()[:3] in _WEEKDAYS:
            flags[_WEEKDAYS.index(item.strip().lower()[:3])] = 1.0
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            flags[item] = 1.0
        else:
            msg = (
                f"`{name}` entries must be 0 (Monday) .. 6 (Sunday) or names like 'mon', "
                f"got {item!r}"
            )
            raise ValueError(msg)
    return flags


def _as_is(value: object, name: str) -> object:
    """``value`` unchanged: ``legs`` is parsed with the structure (``compile_rules``)."""
    del name
    return value


GROUPS: dict[str, str] = {
    "legs": "Legs",
    "entry": "Entries",
    "sizing": "Size and margin",
    "costs": "Fills and costs",
    "exits": "Exits",
    "account": "Account",
}
"""The rule groups of the reference, in order, with their headings."""


@dataclass(frozen=True)
class Rule:
    """One backtest rule: default, check, group and description.

    The name and the Python type come from the field of :class:`RuleKeywords`
    that carries it; :data:`RULES` fills them in.
    """

    default: Any
    check: Check
    group: str
    doc: str
    name: str = ""
    type_text: str = ""

    def parse(self, value: object, name: str | None = None) -> Any:
        """``value`` checked by the rule's check; errors name the rule."""
        return self.check.parse(value, name or self.name)

    @property
    def bounds_text(self) -> str:
        """The allowed values in words."""
        return self.check.text()


# --------------------------------------------------------------------------- the rules
class RuleKeywords(TypedDict, total=False):
    """The keyword rules of :func:`fastopt.backtest.run_backtest` (all optional).

    The single definition of every rule except ``structure`` (the positional
    argument, :data:`STRUCTURE_RULE`).
    """

    short_delta: Annotated[float, Rule(0.16, Delta(), "legs", (
        "Target `abs(delta)` of the body legs chosen by delta: the shorts of a credit "
        "structure, the first long of a debit one (the long call of a call debit spread, "
        "both legs of a long strangle); the contract of the traded expiry nearest it wins "
        "(ties: the one further out of the money, the rule of `fastopt.kernels.select` "
        "that the `*_from_chain` builders share). A straddle's second leg takes the first "
        "one's strike."))]  # fmt: skip
    long_delta: Annotated[float | None, Rule(None, Delta(nullable=True), "legs", (
        "Target `abs(delta)` of the long wings (spreads, condor), below `short_delta`; "
        "used when `width` is not given."))]  # fmt: skip
    width: Annotated[float | None, Rule(None, Real(
        0.0, open_low=True, nullable=True, unit="strike points", none="by long_delta"), "legs", (
        "Wing width in strike points: the wing is the strike nearest `short -/+ width` "
        "further out of the money (butterflies: one wing each side; diagonals: in the "
        "money; ties: the wider wing). Wins over `long_delta`; one of the two is required "
        "for structures with wings."))]  # fmt: skip
    delta_tolerance: Annotated[float, Rule(0.05, Real(0.0), "legs", (
        "A delta-chosen leg needs `abs(abs(delta) - target) <= delta_tolerance`, else no "
        "entry."))]  # fmt: skip
    quantity: Annotated[int, Rule(1, Integer(1), "sizing", (
        "Contracts per structure unit (a butterfly body is 2 per unit); ignored when "
        "`capital_per_trade` sizes by margin."))]  # fmt: skip
    min_dte: Annotated[int, Rule(30, Integer(1), "entry", (
        "Fewest calendar days to expiry allowed at entry (`<= max_dte`)."))]  # fmt: skip
    max_dte: Annotated[int, Rule(60, Integer(1), "entry", (
        "Most calendar days to expiry allowed at entry."))]  # fmt: skip
    target_dte: Annotated[float | None, Rule(None, Real(0.0, nullable=True,
                                                         none="mid-window"), "entry", (
        "The expiry nearest this DTE inside `[min_dte, max_dte]` is traded (ties: the "
        "earlier); None: the middle of the window."))]  # fmt: skip
    weekdays: Annotated[Sequence[int | str] | None, Rule(None, Parsed(
        weekday_flags, '0 (Monday) .. 6 or "mon" .. "sun", or None (every day)'), "entry", (
        "Days on which entries are allowed."))]  # fmt: skip
    max_positions: Annotated[int, Rule(1, Integer(1), "entry", (
        "Open positions at most; at most one new position opens per bar."))]  # fmt: skip
    fill: Annotated[Literal["natural", "mid"], Rule("natural", Choice(("natural", "mid")),
                                                    "costs", (
        "Entry prices: sell at the bid and buy at the ask, or at the mid; then worsened "
        "by the slippage rules. A credit structure needs a net credit `> 0`, a debit one "
        "a net debit."))]  # fmt: skip
    slippage: Annotated[float, Rule(0.0, Real(0.0, 1.0), "costs", (
        "Fraction of each leg's spread `ask - bid` by which every entry price is worsened "
        "(sells lower, buys higher)."))]  # fmt: skip
    commission_per_contract: Annotated[float, Rule(0.0, Real(0.0), "costs", (
        "Commission per contract of every leg, on the entry and on every exit except "
        "expiry settlement."))]  # fmt: skip
    commission_per_order: Annotated[float, Rule(0.0, Real(0.0), "costs", (
        "Commission per order, on the entry and on every exit except expiry "
        "settlement."))]  # fmt: skip
    profit_target: Annotated[float | None, Rule(0.5, Real(0.0, open_low=True, nullable=True),
                                                "exits", (
        "Close when the profit at the natural price to close reaches `profit_target` "
        "times the credit received (0.5: half the credit) or the debit paid (1.0: "
        "doubled)."))]  # fmt: skip
    stop_loss: Annotated[float | None, Rule(2.0, Real(0.0, open_low=True, nullable=True),
                                            "exits", (
        "Close when the loss at the natural price to close reaches `stop_loss` times the "
        "credit (2.0: the debit to close is 3 x the credit) or the debit (0.5: half of it "
        "lost)."))]  # fmt: skip
    max_hold_days: Annotated[int | None, Rule(None, Integer(1, nullable=True), "exits", (
        "Close once the position has been held this many calendar days."))]  # fmt: skip
    exit_dte: Annotated[int | None, Rule(None, Integer(0, nullable=True), "exits", (
        "Close once the days to expiry are `<= exit_dte`."))]  # fmt: skip
    capital: Annotated[float, Rule(100_000.0, Real(0.0, open_low=True), "account", (
        "Starting account value."))]  # fmt: skip
    multiplier: Annotated[float, Rule(100.0, Real(0.0, open_low=True), "sizing", (
        "Shares per contract (and per stock unit)."))]  # fmt: skip
    fee_per_contract: Annotated[float, Rule(0.0, Real(0.0), "costs", (
        "Exchange and regulatory fees per contract, charged with every "
        "commission."))]  # fmt: skip
    delta_exit: Annotated[float | None, Rule(None, Real(0.0, open_low=True, nullable=True),
                                             "exits", (
        "Close when `abs(sum of leg units x delta)` of one structure unit (the chain's "
        'deltas) reaches it (`"delta_breach"`).'))]  # fmt: skip
    iv_rank_min: Annotated[float | None, Rule(None, Real(0.0, 100.0, nullable=True), "entry", (
        "Enter only when the bar's IV rank (0-100, of the at-the-money IV over "
        "`prepare_chain`'s `iv_window`) is at least this; a bar without a rank does not "
        "enter."))]  # fmt: skip
    iv_rank_max: Annotated[float | None, Rule(None, Real(0.0, 100.0, nullable=True), "entry", (
        "Enter only when the bar's IV rank is at most this (`>= iv_rank_min`)."))]  # fmt: skip
    iv_percentile_min: Annotated[float | None, Rule(None, Real(0.0, 100.0, nullable=True),
                                                    "entry", (
        "Enter only when the bar's IV percentile (0-100) is at least this."))]  # fmt: skip
    iv_percentile_max: Annotated[float | None, Rule(None, Real(0.0, 100.0, nullable=True),
                                                    "entry", (
        "Enter only when the bar's IV percentile is at most this "
        "(`>= iv_percentile_min`)."))]  # fmt: skip
    max_margin_usage: Annotated[float | None, Rule(1.0, Real(0.0, open_low=True,
                                                             nullable=True), "sizing", (
        "The buying-power reduction (strategy-based Reg T margin net of the credit, from "
        "`fastopt.kernels.margin.strategy_requirement`, the margin "
        "`fastopt.strategies.margin.margin` gives for the same legs) of every open "
        "position plus the new one must stay within this multiple of the account value, "
        "else no entry. None: no check."))]  # fmt: skip
    capital_per_trade: Annotated[float | None, Rule(None, Real(0.0, 1.0, open_low=True,
                                                               nullable=True), "sizing", (
        "Size each entry by margin: `floor(capital_per_trade x account value / BPR per "
        "unit)` contracts. None: `quantity` contracts."))]  # fmt: skip
    max_volume_participation: Annotated[float | None, Rule(None, Real(
        0.0, open_low=True, nullable=True), "sizing", (
        "At most this fraction of the smallest leg `volume` of the bar is traded (where "
        "the chain has volume); an entry rounded to 0 contracts is skipped."))]  # fmt: skip
    underlying_type: Annotated[str, Rule("broad_index", Choice(UNDERLYING_TYPES), "sizing", (
        "Sets the naked-option margin rate: 15 % for broad indexes, else 20 % "
        "(`fastopt.strategies.margin.NAKED_PCT`)."))]  # fmt: skip
    entry_timeframe: Annotated[str, Rule("bar", Choice(TIMEFRAMES), "entry", (
        "Entries happen only on the last bar of each such period (e.g. `\"week\"`: the "
        "week's last trading day or bar)."))]  # fmt: skip
    manage_timeframe: Annotated[str, Rule("bar", Choice(TIMEFRAMES), "exits", (
        "The managed exits (target, stop, Greek, roll, DTE, time) are checked only on the "
        "last bar of each such period; expiry, early assignment and the end of data act on "
        "every bar."))]  # fmt: skip
    roll_dte: Annotated[int | None, Rule(None, Integer(0, nullable=True), "exits", (
        "Roll (close and reopen at once by the entry rules, out to the target DTE, strikes "
        "re-chosen) when the days to expiry are `<= roll_dte` (`< min_dte`); the new "
        "trade's `rolled_from` names the old one."))]  # fmt: skip
    roll_delta: Annotated[float | None, Rule(None, Real(0.0, 1.0, open_low=True,
                                                        nullable=True), "exits", (
        "Roll when a short leg's `abs(delta)` reaches it."))]  # fmt: skip
    early_assignment_extrinsic: Annotated[float | None, Rule(None, Real(
        0.0, open_low=True, nullable=True), "exits", (
        "A short in-the-money leg whose extrinsic value (mid minus intrinsic, per share) "
        "falls below this is assigned early: it settles at intrinsic value and the other "
        'legs close at their natural price (`"early_assignment"`). Short calls are also '
        "assigned on the bar before an ex-dividend date (the chain's `dividend` column) "
        "when their extrinsic value is below the dividend, whatever this setting."))]  # fmt: skip
    settlement: Annotated[Literal["cash", "physical"], Rule("cash", Choice(("cash", "physical")),
                                                            "exits", (
        "At expiry: settle in cash at intrinsic value (no commission), or take in-the-money "
        "legs into stock at their strikes and sell it at the next bar's underlying "
        '(`"assigned_at_expiry"`).'))]  # fmt: skip
    short_moneyness: Annotated[float | None, Rule(None, Real(0.0, 1.0, nullable=True), "legs", (
        "Choose the body legs by moneyness instead of delta: the strike nearest "
        "`spot x (1 - m)` for puts and `spot x (1 + m)` for calls (0.05: 5 % out of the "
        "money)."))]  # fmt: skip
    slippage_ticks: Annotated[float, Rule(0.0, Real(0.0), "costs", (
        "A fixed slippage of `slippage_ticks x tick_size` per share on every entry price, "
        "on top of `slippage`."))]  # fmt: skip
    tick_size: Annotated[float, Rule(0.05, Real(0.0), "costs", (
        "The tick of `slippage_ticks`."))]  # fmt: skip
    calendar_gap: Annotated[int, Rule(30, Integer(1), "legs", (
        "Calendars and diagonals: the far legs take the expiry nearest `calendar_gap` "
        "calendar days after the traded one (and later than it)."))]  # fmt: skip
    gamma_exit: Annotated[float | None, Rule(None, Real(0.0, open_low=True, nullable=True),
                                             "exits", (
        "Close when the position's absolute gamma (shares per point, all contracts; "
        'Black-Scholes at each leg\'s `iv`) reaches it (`"greek_breach"`).'))]  # fmt: skip
    vega_exit: Annotated[float | None, Rule(None, Real(0.0, open_low=True, nullable=True),
                                            "exits", (
        "Close when the position's absolute vega (money per vol point, all contracts) "
        'reaches it (`"greek_breach"`).'))]  # fmt: skip
    legs: Annotated[Sequence[Mapping[str, Any]] | None, Rule(None, Parsed(
        _as_is, "list of up to 4 leg dicts, or None"), "legs", (
        'A custom structure (`structure="custom"`): each leg `{"units": -2, "kind": '
        '"put", ...}` (signed contracts; `"stock"`: lots of `multiplier` shares) with '
        'exactly one of `"delta": 0.25`, `"moneyness": 0.05`, `"wing": 10, "of": 0` '
        '(`"direction": "in"` for in the money) or `"same_strike_as": 0`, and optionally '
        '`"expiry": "far"`.'))]  # fmt: skip
    entry_side: Annotated[Literal["credit", "debit", "any"] | None, Rule(None, Choice(
        ("credit", "debit", "any"), nullable=True), "costs", (
        'What an entry must receive; None: by the structure (`"any"` for a custom '
        "one)."))]  # fmt: skip
    exit_fill: Annotated[Literal["natural", "mid"], Rule("natural", Choice(("natural", "mid")),
                                                         "costs", (
        "Exits (and the stop / target triggers) at the natural price to close, or at the "
        "mid worsened by the entry slippage model; expiry settlement is at intrinsic value "
        "either way."))]  # fmt: skip


def _type_text(tp: Any) -> str:
    """A type annotation in numpydoc words (``float | None`` -> ``float or None``)."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is UnionType:
        return " or ".join(_type_text(a) for a in typing.get_args(tp))
    if origin is Literal:
        return "{" + ", ".join(f'"{a}"' for a in typing.get_args(tp)) + "}"
    if tp is NoneType:
        return "None"
    if origin is not None:
        args = typing.get_args(tp)
        inner = " of " + " or ".join(_type_text(a) for a in args[:1]) if args else ""
        return f"{getattr(origin, '__name__', str(origin)).lower()}{inner}"
    return str(getattr(tp, "__name__", tp))


def _collect() -> dict[str, Rule]:
    hints = typing.get_type_hints(RuleKeywords, include_extras=True)
    rules: dict[str, Rule] = {}
    for name, hint in hints.items():
        base, rule = typing.get_args(hint)[:2]
        rules[name] = Rule(rule.default, rule.check, rule.group, rule.doc, name, _type_text(base))
    return rules


RULES: Mapping[str, Rule] = _collect()
"""Every keyword rule by name, in definition order (see :class:`RuleKeywords`)."""


def rule_signature(func: Callable[..., Any]) -> inspect.Signature:
    """``func``'s signature with its ``**rules`` spelled out as keyword-only rules.

    What ``help()``, IDEs and notebooks show for
    :func:`fastopt.backtest.run_backtest`: every rule with its type and default.

    Examples
    --------
    >>> import inspect
    >>> from fastopt.backtest import run_backtest
    >>> inspect.signature(run_backtest).parameters["stop_loss"]
    <Parameter "stop_loss: float | None = 2.0">
    """
    own = inspect.signature(func)
    hints = typing.get_type_hints(RuleKeywords)
    spelled = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=rule.default,
                          annotation=hints[name])
        for name, rule in RULES.items()
    ]  # fmt: skip
    params = [p for p in own.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    first_kw = next(
        (i for i, p in enumerate(params) if p.kind is inspect.Parameter.KEYWORD_ONLY), len(params)
    )
    return own.replace(parameters=[*params[:first_kw], *spelled, *params[first_kw:]])


def rule_parameters_doc(rules: Mapping[str, Rule] = RULES) -> str:
    """The rules as numpydoc ``Parameters`` entries (indented for a function docstring).

    Examples
    --------
    >>> from fastopt.backtest.rule_definitions import rule_parameters_doc
    >>> print(rule_parameters_doc().splitlines()[0])
        short_delta : float, default 0.16
    """
    import textwrap

    lines: list[str] = []
    for rule in rules.values():
        default = "" if rule.default is None else f", default {rule.default!r}"
        lines.append(f"    {rule.name} : {rule.type_text}{default}")
        text = f"{rule.doc} Allowed: {rule.bounds_text}."
        lines += textwrap.wrap(text, 88, initial_indent=" " * 8, subsequent_indent=" " * 8)
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def rule_reference(rules: Mapping[str, Rule] = RULES) -> str:
    """The rule reference of ``docs/backtest.md``: one Markdown table per group.

    Examples
    --------
    >>> from fastopt.backtest.rule_definitions import rule_reference
    >>> rule_reference().splitlines()[0]
    '### Legs'
    """
    out: list[str] = []
    for group, heading in GROUPS.items():
        members = [r for r in rules.values() if r.group == group]
        if not members:
            continue
        out += [f"### {heading}", "", "| rule | type | default | allowed | what it does |",
                "| --- | --- | --- | --- | --- |"]  # fmt: skip
        for r in members:
            default = "None" if r.default is None else f"`{r.default!r}`"
            out.append(
                f"| `{r.name}` | {_cell(r.type_text)} | {default} | {_cell(r.bounds_text)} "
                f"| {_cell(r.doc)} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"
