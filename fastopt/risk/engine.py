"""The pre-trade risk engine: limits checked before a trade, states, transitions, alerts.

:class:`RiskEngine` watches a :class:`~fastopt.risk.portfolio.Portfolio` against
:class:`~fastopt.risk.limits.RiskLimits`:

* :meth:`RiskEngine.check` values a proposed trade in the portfolio's market and adds its
  risk to the book's aggregates (incrementally: the book is not revalued), then returns
  a :class:`Decision` -- accepted, or denied with every violated hard limit named, the
  value after the trade and the limit;
* the engine is in one of three :class:`EngineState`\\ s: ``ACTIVE`` (every trade within
  the hard limits passes), ``REDUCING`` (only trades that reduce every breached measure,
  and breach nothing new, pass) and ``HALTED`` (nothing passes);
* :meth:`RiskEngine.evaluate` measures the book after a market update: soft and hard
  breaches become alerts (:class:`~fastopt.risk.alerts.AlertCenter`), a hard breach moves
  ACTIVE to REDUCING, the book back inside its hard limits moves REDUCING to ACTIVE, a
  daily loss beyond its hard limit HALTS; :meth:`halt`, :meth:`reduce` and
  :meth:`resume` transition by hand. Every transition is recorded with its reason.

Examples
--------
>>> from fastopt.risk import Limit, MarketState, Portfolio, RiskEngine, RiskLimits
>>> book = Portfolio()
>>> _ = book.add_option("SPY", "put", 450.0, "2025-03-21", -2, iv=0.2)
>>> _ = book.update({"SPY": MarketState(spot=460.0, date="2025-02-19")})
>>> engine = RiskEngine(book, RiskLimits([Limit("delta", hard=100.0)]), alerts=[])
>>> decision = engine.check_option("SPY", "put", 450.0, "2025-03-21", -1, iv=0.2)
>>> decision.accepted, decision.violations[0].describe()
(False, 'delta/total: 102.052 after the trade > hard limit 100 (68.0347 before)')
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt.kernels import portfolio as _kp
from fastopt.risk.alerts import AlertCenter, Handler
from fastopt.risk.limits import MEASURES, RiskLimits
from fastopt.risk.portfolio import Portfolio

if TYPE_CHECKING:
    from fastopt._typing import Float64Array
    from fastopt.strategies.leg import Leg
    from fastopt.strategies.strategy import Strategy

__all__ = [
    "Decision",
    "EngineState",
    "MeasureTable",
    "RiskEngine",
    "Transition",
    "VarSettings",
    "Violation",
]

_COLUMN = {name: i for i, name in enumerate(_kp.RISK_FIELDS)}
_MEASURE_NAMES: tuple[str, ...] = _kp.MEASURE_NAMES
assert tuple(MEASURES) == _MEASURE_NAMES, "limits.MEASURES follows the kernel's rows"
_ROW = {name: i for i, name in enumerate(_MEASURE_NAMES)}
_LOSS = _ROW["scenario_loss"]


class EngineState(enum.StrEnum):
    """Trading states of the engine."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


@dataclass(frozen=True, slots=True)
class Violation:
    """A hard (or soft) limit a book is beyond: ``value > limit``."""

    measure: str
    subject: str  # "total" or an underlying
    value: float
    limit: float
    hard: bool
    before: float = math.nan  # the value before the trade (checks only)

    def describe(self) -> str:
        """One line: measure, subject, value, level (and the value before a trade)."""
        kind = "hard" if self.hard else "soft"
        if math.isnan(self.before):
            return (
                f"{self.measure}/{self.subject}: {self.value:,.6g} > {kind} limit {self.limit:,.6g}"
            )
        return (
            f"{self.measure}/{self.subject}: {self.value:,.6g} after the trade > {kind} limit "
            f"{self.limit:,.6g} ({self.before:,.6g} before)"
        )


class MeasureTable:
    """Every measure of :data:`~fastopt.risk.limits.MEASURES` for every underlying name and
    the total: ``values[m, j]`` (``j`` = the name's index, the last column the total).

    Indexing by ``(measure, subject)`` reads one value (0 for an underlying without
    positions); :meth:`as_dict` lists the measures some limit bounds.
    """

    __slots__ = ("_limited", "names", "values")

    def __init__(
        self, names: tuple[str, ...], values: Float64Array, limited: frozenset[str]
    ) -> None:
        self.names = names
        self.values = values
        self._limited = limited

    def __getitem__(self, key: tuple[str, str]) -> float:
        measure, subject = key
        col = len(self.names) if subject == "total" else self.names.index(subject)
        return float(self.values[_ROW[measure], col])

    def get(self, key: tuple[str, str], default: float = 0.0) -> float:
        """The value of ``(measure, subject)``, ``default`` for an unknown subject."""
        if key[1] != "total" and key[1] not in self.names:
            return default
        return self[key]

    def as_dict(self) -> dict[tuple[str, str], float]:
        """``{(measure, subject): value}`` for the limited measures (all subjects)."""
        out = {}
        for m in sorted(self._limited, key=_ROW.__getitem__):
            for j, name in enumerate((*self.names, "total")):
                out[(m, name)] = float(self.values[_ROW[m], j])
        return out


@dataclass(frozen=True)
class Decision:
    """The answer to a pre-trade check (truthy when accepted)."""

    accepted: bool
    state: EngineState
    violations: tuple[Violation, ...]
    reason: str
    table: MeasureTable | None = None

    def __bool__(self) -> bool:
        return self.accepted

    @property
    def after(self) -> dict[tuple[str, str], float]:
        """Every limited measure after the trade, by ``(measure, subject)``."""
        return {} if self.table is None else self.table.as_dict()


@dataclass(frozen=True)
class VarSettings:
    """How the engine measures the ``var`` limit: full revaluation of the book in a fixed
    set of correlated scenarios (:meth:`Portfolio.value_at_risk`), drawn once, so a
    trade's VaR is the book's scenario P&L plus the trade's.

    Examples
    --------
    >>> from fastopt.risk import VarSettings
    >>> VarSettings([[0.04]], ["SPY"], confidence=0.975).n_scenarios
    10000
    """

    cov: Any
    underlyings: Sequence[str]
    horizon: float = 1.0 / 252.0
    confidence: float = 0.99
    n_scenarios: int = 10_000
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 < float(self.confidence) < 1.0:
            msg = f"`confidence` must be in (0, 1), got {self.confidence!r}"
            raise ValueError(msg)
        if not float(self.horizon) > 0.0:
            msg = f"`horizon` must be > 0 years, got {self.horizon!r}"
            raise ValueError(msg)
        if isinstance(self.n_scenarios, bool) or not 100 <= int(self.n_scenarios) <= 10**7:
            msg = f"`n_scenarios` must be an int in [100, 10,000,000], got {self.n_scenarios!r}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of the engine's state."""

    timestamp: dt.datetime
    previous: EngineState
    state: EngineState
    reason: str


class _Book:
    """The aggregates the limits read: per-underlying sums, group counts, grid P&L."""

    def __init__(
        self,
        sums: Float64Array,
        groups: np.ndarray[Any, Any],
        grid: Float64Array | None,
        daily_pnl: float,
        paths: Float64Array | None = None,
    ) -> None:
        self.sums = sums  # (n_names, N_RISK)
        self.groups = groups  # (n_names,) open groups per underlying
        self.grid = grid  # (n_spot, n_vol, n_names) scenario P&L, when a limit needs it
        self.daily_pnl = daily_pnl  # P&L since start_day (realised + open)
        self.table: MeasureTable | None = None  # its measures, once computed
        self.paths = paths  # P&L in the VaR scenarios, when a limit needs it


class RiskEngine:
    """Pre-trade checks, states and alerts for a :class:`Portfolio`.

    Parameters
    ----------
    portfolio : Portfolio
        The book, with its market set (:meth:`Portfolio.update`).
    limits : RiskLimits
        The limits.
    alerts : AlertCenter or sequence of handlers, optional
        Where alerts go (default: an :class:`AlertCenter` logging to ``fastopt.risk``).
    spot_moves, vol_moves : array of float, optional
        The scenario grid of ``scenario_loss`` limits (default 21 x 21, +-10 %, +-10 vol
        points).
    var : VarSettings, optional
        The scenarios of a ``var`` limit (required with one).

    Examples
    --------
    >>> from fastopt.risk import Limit, MarketState, Portfolio, RiskEngine, RiskLimits
    >>> book = Portfolio()
    >>> _ = book.add_stock("SPY", 100)
    >>> _ = book.update({"SPY": MarketState(spot=450.0, date="2025-02-19")})
    >>> engine = RiskEngine(book, RiskLimits([Limit("notional", hard=100_000.0)]), alerts=[])
    >>> bool(engine.check_stock("SPY", 100)), bool(engine.check_stock("SPY", 200))
    (True, False)
    """

    def __init__(
        self,
        portfolio: Portfolio,
        limits: RiskLimits,
        *,
        alerts: AlertCenter | Sequence[Handler] | None = None,
        spot_moves: Any = None,
        vol_moves: Any = None,
        var: VarSettings | None = None,
    ) -> None:
        if not isinstance(portfolio, Portfolio):
            msg = f"`portfolio` must be a Portfolio, got {type(portfolio).__name__}"
            raise TypeError(msg)
        if not isinstance(limits, RiskLimits):
            msg = f"`limits` must be a RiskLimits, got {type(limits).__name__}"
            raise TypeError(msg)
        if "var" in limits.measures and not isinstance(var, VarSettings):
            msg = "a `var` limit needs `var=VarSettings(cov, underlyings, ...)`"
            raise ValueError(msg)
        self.portfolio = portfolio
        self.limits = limits
        self._var = var
        self._var_scenarios: tuple[tuple[str, ...], Float64Array] | None = None
        self.alerts = alerts if isinstance(alerts, AlertCenter) else AlertCenter(alerts)
        self._moves = spot_moves
        self._dvols = vol_moves
        self._state = EngineState.ACTIVE
        self._transitions: list[Transition] = []
        self._ref: dict[int, float] = {}  # value of each position at the day's start
        self._last: dict[int, float] = {}  # its value at the last measurement
        self._realized = 0.0
        self._cache: tuple[int, _Book] | None = None
        self._level_cache: tuple[tuple[str, ...], Float64Array, Float64Array] | None = None
        self._limited = limits.measures

    # -- state ---------------------------------------------------------------------------

    @property
    def state(self) -> EngineState:
        """The current :class:`EngineState`."""
        return self._state

    @property
    def transitions(self) -> tuple[Transition, ...]:
        """Every state change so far, in order."""
        return tuple(self._transitions)

    def _move(self, state: EngineState, reason: str, timestamp: dt.datetime | None) -> None:
        if state == self._state:
            return
        when = timestamp or dt.datetime.now(dt.UTC)
        self._transitions.append(Transition(when, self._state, state, reason))
        self.alerts.trigger(
            "engine_state",
            "portfolio",
            severity="critical" if state == EngineState.HALTED else "warning",
            timestamp=when,
            message=f"risk engine {self._state.value} -> {state.value}: {reason}",
        )
        self._state = state

    def halt(self, reason: str, *, timestamp: dt.datetime | None = None) -> None:
        """Stop all trading (by hand)."""
        self._move(EngineState.HALTED, _reason(reason), timestamp)

    def reduce(self, reason: str, *, timestamp: dt.datetime | None = None) -> None:
        """Allow only reducing trades (by hand)."""
        self._move(EngineState.REDUCING, _reason(reason), timestamp)

    def resume(self, reason: str, *, timestamp: dt.datetime | None = None) -> None:
        """Back to ACTIVE (by hand; :meth:`evaluate` moves to REDUCING again if a hard
        limit is still breached)."""
        self._move(EngineState.ACTIVE, _reason(reason), timestamp)

    def start_day(self) -> None:
        """Mark the start of a trading day: the ``daily_loss`` is the loss of the positions
        open now from their value now, plus that of positions added later from their value
        when first seen (their entry at the market), realised losses included."""
        self._ref = dict(
            zip(self.portfolio.ids.tolist(), self.portfolio.leg_risk()[:, 0].tolist(), strict=True)
        )
        self._last = dict(self._ref)
        self._realized = 0.0
        self._cache = None

    def _daily_pnl(self, values: Float64Array) -> float:
        """P&L since :meth:`start_day`: every position's value now less its reference value,
        plus the P&L of positions closed since (at their last value seen)."""
        ids = self.portfolio.ids.tolist()
        now: dict[int, float] = dict(zip(ids, values.tolist(), strict=True))
        for pid in [p for p in self._last if p not in now]:
            self._realized += self._last.pop(pid) - self._ref.pop(pid)
        for pid, v in now.items():
            self._ref.setdefault(pid, v)
        self._last = now
        return self._realized + sum(v - self._ref[p] for p, v in now.items())

    # -- measuring -----------------------------------------------------------------------

    def _paths(self, rec: np.ndarray[Any, Any] | None) -> Float64Array:
        """P&L of the book (or of ``rec``) in the engine's fixed VaR scenarios."""
        assert self._var is not None
        pf = self.portfolio
        names = pf.underlying_names
        if self._var_scenarios is None or self._var_scenarios[0] != names:
            v = self._var
            log_ret, _ = pf.scenario_log_returns(
                v.cov, list(v.underlyings), horizon=float(v.horizon),
                n_scenarios=int(v.n_scenarios), seed=v.seed,
            )  # fmt: skip
            self._var_scenarios = (names, log_ret)
        missing = [n for n in pf.underlyings if n not in self._var.underlyings]
        if rec is not None:
            u = names[int(rec["underlying"][0])]
            missing += [u] if u not in self._var.underlyings else []
        if missing:
            msg = f"the VarSettings leave out {sorted(set(missing))}: their VaR would count as 0"
            raise ValueError(msg)
        return self.portfolio.scenario_pnl_paths(
            self._var_scenarios[1], float(self._var.horizon), rec
        )

    def _var_of(self, paths: Float64Array) -> float:
        from fastopt.risk_measures import from_pnl

        assert self._var is not None
        r = from_pnl(paths, confidence=float(self._var.confidence), method="full",
                     horizon=float(self._var.horizon), value=0.0,
                     spot_scenarios=np.zeros(0))  # fmt: skip
        return max(0.0, float(r.var))

    def _needs_grid(self) -> bool:
        return "scenario_loss" in self._limited

    def _grid(self, rec: np.ndarray[Any, Any] | None) -> Float64Array:
        return self.portfolio.scenario_pnl(self._moves, self._dvols, rec)

    def _book(self) -> _Book:
        pf = self.portfolio
        key = pf.version
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        legs = pf.leg_risk()
        sums = pf.risk_by_underlying(legs)
        groups = pf.groups_by_underlying()
        grid = self._grid(None) if self._needs_grid() else None
        pnl = self._daily_pnl(legs[:, 0]) if "daily_loss" in self._limited else 0.0
        paths = self._paths(None) if "var" in self._limited else None
        book = _Book(sums, groups, grid, pnl, paths)
        book.table = self._table(book)
        self._cache = (key, book)
        return book

    def _table(self, b: _Book) -> MeasureTable:
        """The measures of the aggregates ``b`` (:func:`~fastopt.kernels.portfolio.measures_nb`
        plus the scenario-grid and daily-loss rows)."""
        names = self.portfolio.underlying_names[: b.groups.shape[0]]
        n = len(names)
        values = np.zeros((len(_ROW), n + 1))
        _kp.measures_nb(b.sums[:n], b.groups, _kp.GREEK_COLUMNS, values)
        if b.grid is not None:
            cube = b.grid[:, :, :n]
            worst = -cube.min(axis=(0, 1), initial=0.0) if cube.size else np.zeros(n)
            values[_LOSS, :n] = np.where(b.groups > 0, np.maximum(worst, 0.0), 0.0)
            values[_LOSS, n] = max(0.0, -float(cube.sum(axis=2).min())) if cube.size else 0.0
        values[_ROW["daily_loss"], n] = max(0.0, -b.daily_pnl)
        if b.paths is not None:
            values[_ROW["var"], n] = self._var_of(b.paths)
        return MeasureTable(names, values, self._limited)

    def _levels(self, names: tuple[str, ...]) -> tuple[Float64Array, Float64Array]:
        """The soft and hard levels as matrices like :class:`MeasureTable` (NaN: none)."""
        if self._level_cache is not None and self._level_cache[0] == names:
            return self._level_cache[1], self._level_cache[2]
        n = len(names)
        soft = np.full((len(_ROW), n + 1), np.nan)
        hard = np.full((len(_ROW), n + 1), np.nan)
        for lim in self.limits:
            r = _ROW[lim.measure]
            if lim.scope == "total":
                cols: Any = [n]
            elif lim.scope == "each":
                cols = slice(0, n)
            elif lim.scope in names:
                cols = [names.index(lim.scope)]
            else:
                continue  # an underlying the book does not know (yet): nothing to bound
            for level, out in ((lim.soft, soft), (lim.hard, hard)):
                if level is not None:
                    out[r, cols] = level
        self._level_cache = (names, soft, hard)
        return soft, hard

    def measures(self) -> dict[tuple[str, str], float]:
        """Every measure any limit bounds, by ``(measure, subject)`` (``"total"`` or an
        underlying name), for the book as it is."""
        return self._table(self._book()).as_dict()

    def _beyond(
        self, table: MeasureTable, *, hard: bool = True, before: MeasureTable | None = None
    ) -> tuple[Violation, ...]:
        soft_levels, hard_levels = self._levels(table.names)
        levels = hard_levels if hard else soft_levels
        v = table.values
        bad = v > levels  # False where there is no level (NaN)
        if np.isnan(v).any():  # undefined risk breaches every level it has
            bad |= np.isnan(v) & ~np.isnan(levels)
        if not bad.any():
            return ()
        out = []
        subjects = (*table.names, "total")
        for r, c in zip(*np.nonzero(bad), strict=True):
            prior = math.nan
            if before is not None:
                n_before = before.values.shape[1] - 1  # its underlyings (a trade may add one)
                if c == len(table.names):
                    prior = float(before.values[r, n_before])
                else:
                    prior = float(before.values[r, c]) if c < n_before else 0.0
            out.append(
                Violation(
                    _MEASURE_NAMES[r], subjects[c], float(v[r, c]), float(levels[r, c]), hard, prior
                )
            )
        return tuple(out)

    def violations(self, *, hard: bool = True) -> tuple[Violation, ...]:
        """The limits the book is beyond now: hard levels (or soft ones, ``hard=False``)."""
        return self._beyond(self._table(self._book()), hard=hard)

    # -- pre-trade check -----------------------------------------------------------------

    def check(
        self,
        legs: np.ndarray[Any, Any] | Sequence[Leg] | Strategy,
        underlying: str,
        *,
        quantity: float = 1.0,
    ) -> Decision:
        """Would the book stay within its hard limits after adding ``quantity`` of
        ``legs`` (leg records, :class:`fastopt.Leg` objects or a :class:`fastopt.Strategy`)
        on ``underlying``? The trade is valued in the portfolio's market (its legs' own
        vols) and added to the book's aggregates; nothing is added to the book.

        Returns
        -------
        Decision
            ``accepted``; ``violations`` (the hard limits beyond after the trade, with the
            values before it); ``reason``; ``after`` (every limited measure after the
            trade).
        """
        rec = self.portfolio.candidate(legs, underlying, quantity=quantity)
        if self._state == EngineState.HALTED:
            return Decision(False, self._state, (), "the engine is halted: no trade passes")
        book = self._book()
        before = book.table
        assert before is not None
        after = self._table(self._with(book, rec))  # only the trade is valued
        if np.isnan(after.values).any():
            bad = sorted(k for k, v in after.as_dict().items() if math.isnan(v))
            return Decision(False, self._state, (), f"risk undefined after the trade: {bad}", after)
        found = self._beyond(after, before=before)
        if self._state == EngineState.REDUCING:
            return self._reducing(before, after, found)
        if found:
            reason = "beyond hard limits: " + "; ".join(v.describe() for v in found)
            return Decision(False, self._state, found, reason, after)
        return Decision(True, self._state, (), "within limits", after)

    def _reducing(
        self, before: MeasureTable, after: MeasureTable, found: tuple[Violation, ...]
    ) -> Decision:
        breached = {(v.measure, v.subject) for v in self._beyond(before)}
        fresh = tuple(v for v in found if (v.measure, v.subject) not in breached)
        if fresh:
            reason = "reducing: the trade breaches " + "; ".join(v.describe() for v in fresh)
            return Decision(False, self._state, fresh, reason, after)
        worse = [k for k in breached if not after.get(k) < before.get(k)]
        if worse:
            what = ", ".join(f"{m}/{s}" for m, s in sorted(worse))
            return Decision(False, self._state, found, f"reducing: does not reduce {what}", after)
        return Decision(True, self._state, found, "reducing: reduces every breached measure", after)

    def _with(self, book: _Book, rec: np.ndarray[Any, Any]) -> _Book:
        """The aggregates with the trade's legs added (incremental)."""
        legs = self.portfolio.leg_risk(rec)
        n = len(self.portfolio.underlying_names)
        sums = np.zeros((n, book.sums.shape[1]))
        sums[: book.sums.shape[0]] = book.sums
        groups = np.zeros(n, dtype=np.int64)
        groups[: book.groups.shape[0]] = book.groups
        u = int(rec["underlying"][0])
        sums[u] += legs.sum(axis=0)
        groups[u] += 1
        grid = None
        if book.grid is not None:
            extra = self._grid(rec)
            grid = extra.copy()
            grid[:, :, : book.grid.shape[2]] += book.grid
        paths = None if book.paths is None else book.paths + self._paths(rec)
        return _Book(sums, groups, grid, book.daily_pnl, paths)  # traded at market: no P&L

    def check_option(
        self,
        underlying: str,
        kind: str,
        strike: float,
        expiry: dt.date | str,
        quantity: float,
        *,
        iv: float,
        multiplier: float | None = None,
    ) -> Decision:
        """:meth:`check` of one option trade (``quantity`` signed contracts at ``iv``)."""
        rec = Portfolio.option_record(kind, strike, expiry, quantity, iv=iv, multiplier=multiplier)
        return self.check(rec, underlying)

    def check_stock(self, underlying: str, quantity: float) -> Decision:
        """:meth:`check` of buying (``quantity`` > 0) or selling shares."""
        return self.check(Portfolio.stock_record(quantity), underlying)

    def submit(
        self,
        legs: np.ndarray[Any, Any] | Sequence[Leg] | Strategy,
        underlying: str,
        *,
        quantity: float = 1.0,
        timestamp: dt.datetime | None = None,
    ) -> tuple[Decision, tuple[int, ...]]:
        """:meth:`check`, then add the trade when accepted (and :meth:`evaluate`); returns
        the decision and the new position ids (empty when denied)."""
        decision = self.check(legs, underlying, quantity=quantity)
        if not decision.accepted:
            self.alerts.trigger(
                "trade_denied",
                underlying,
                timestamp=timestamp,
                message=f"trade on {underlying} denied: {decision.reason}",
            )
            return decision, ()
        rec = self.portfolio.candidate(legs, underlying, quantity=quantity)
        ids = self.portfolio.add_legs(rec, underlying)
        self.evaluate(timestamp=timestamp)
        return decision, ids

    # -- after a market update -----------------------------------------------------------

    def evaluate(self, *, timestamp: dt.datetime | None = None) -> tuple[Violation, ...]:
        """Measure the book now: soft and hard levels feed the alerts, the state follows
        the hard breaches and the daily loss; returns the hard violations."""
        table = self._table(self._book())
        soft_levels, hard_levels = self._levels(table.names)
        active = set(self.alerts.active())
        subjects = (*table.names, "total")
        v = table.values
        for levels, tag, severity in (
            (soft_levels, "soft", "warning"),
            (hard_levels, "hard", "critical"),
        ):
            has = ~np.isnan(levels) & ~np.isnan(v)
            watch = has & (v > levels)
            for rule, subject in active:  # breached before: may clear now
                measure, _, kind = rule.partition(":")
                if kind == tag and measure in _ROW and subject in subjects:
                    r, c = _ROW[measure], subjects.index(subject)
                    watch[r, c] = watch[r, c] or bool(has[r, c])
            for r, c in zip(*np.nonzero(watch), strict=True):
                self.alerts.observe(
                    f"{_MEASURE_NAMES[r]}:{tag}",
                    subjects[c],
                    float(v[r, c]),
                    float(levels[r, c]),
                    severity=severity,
                    timestamp=timestamp,
                )
        hard = self._beyond(table)
        loss = [x for x in hard if x.measure == "daily_loss"]
        if loss:
            self._move(EngineState.HALTED, f"daily loss stop: {loss[0].describe()}", timestamp)
        elif hard and self._state == EngineState.ACTIVE:
            reason = "hard limit breached: " + "; ".join(x.describe() for x in hard)
            self._move(EngineState.REDUCING, reason, timestamp)
        elif not hard and self._state == EngineState.REDUCING:
            self._move(EngineState.ACTIVE, "back within every hard limit", timestamp)
        return hard


def _reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        msg = f"`reason` must be a non-empty string, got {reason!r}"
        raise ValueError(msg)
    return reason.strip()
