"""Risk alerts: limit breaches, rule triggers and threshold crossings as `Alert` events.

An `AlertCenter` watches levels (``observe``) and one-off events (``trigger``) and delivers
the resulting `Alert` objects to its handlers (by default: the standard ``logging`` module).

Deduplication
    A level is tracked per ``(rule, subject)``. The first observation with
    ``abs(value) > limit`` emits a ``"breach"`` alert; while the level stays breached,
    further observations emit nothing and are only counted in ``AlertCenter.suppressed``.
    One-off triggers are never deduplicated by level, only per ``(rule, subject, timestamp)``:
    replaying the same trigger at the same timestamp delivers it once.
Re-arming
    A breached level re-arms when it comes back inside: a ``"cleared"`` alert (severity INFO)
    is emitted and the next excursion above the limit is a new breach. ``reset`` re-arms by
    hand, silently.
Hysteresis
    With hysteresis ``h`` (a fraction in [0, 1)) a breached level re-arms only once
    ``abs(value) <= limit * (1 - h)``, so a measure hovering around its limit does not
    flip between breach and cleared on every tick. ``h = 0`` re-arms at the limit itself.

Examples
--------
>>> from fastopt.risk.alerts import AlertCenter, AlertLog
>>> log = AlertLog()
>>> center = AlertCenter([log], hysteresis=0.1)
>>> for delta in (800, 1250, 1300, 950, 850, 1100):
...     _ = center.observe("max_delta", "SPX", delta, 1000)
>>> for alert in log.alerts:
...     print(alert.kind, "|", alert.message)
breach | max_delta breached on SPX: 1,250 > 1,000
cleared | max_delta cleared on SPX: 850 <= 900 (limit 1,000, hysteresis 10%)
breach | max_delta breached on SPX: 1,100 > 1,000
>>> center.suppressed, center.active()
(2, (('max_delta', 'SPX'),))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import math
import numbers
from collections.abc import Callable, Iterable
from typing import Final

__all__ = ["Alert", "AlertCenter", "AlertLog", "Handler", "Severity"]

Handler = Callable[["Alert"], object]
"""A callable taking one `Alert`; its return value is ignored."""

_KINDS: Final = ("breach", "cleared", "trigger")

_LEVELS: Final = {"info": logging.INFO, "warning": logging.WARNING, "critical": logging.CRITICAL}


class Severity(enum.StrEnum):
    """How serious an alert is; the value is the lower-case name.

    Examples
    --------
    >>> Severity("critical").level == logging.CRITICAL
    True
    >>> str(Severity.WARNING)
    'warning'
    """

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def level(self) -> int:
        """The matching ``logging`` level (``logging.INFO``, ``WARNING`` or ``CRITICAL``)."""
        return _LEVELS[self.value]


def _severity(value: object, name: str = "severity") -> Severity:
    """A `Severity` from a member or its (case-insensitive) name; ValueError otherwise."""
    if isinstance(value, Severity):
        return value
    if isinstance(value, str) and value.strip().lower() in _LEVELS:
        return Severity(value.strip().lower())
    allowed = ", ".join(repr(s.value) for s in Severity)
    msg = f"`{name}` must be one of {allowed}; got {value!r}"
    raise ValueError(msg)


def _real(value: object, name: str) -> float:
    """A Python float from a real number (not a bool, a string or a complex)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"`{name}` must be a real number, got {value!r}"
        raise TypeError(msg)
    return float(value)


def _not_nan(value: object, name: str) -> float:
    """A real number that is not NaN (infinities are allowed)."""
    x = _real(value, name)
    if math.isnan(x):
        msg = f"`{name}` must not be NaN (missing data is never inside a limit)"
        raise ValueError(msg)
    return x


def _text(value: object, name: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str):
        msg = f"`{name}` must be a string, got {type(value).__name__}"
        raise TypeError(msg)
    if not value:
        msg = f"`{name}` must not be empty"
        raise ValueError(msg)
    return value


def _hysteresis(value: object) -> float:
    """A hysteresis fraction in [0, 1)."""
    h = _real(value, "hysteresis")
    if not 0.0 <= h < 1.0:
        msg = f"`hysteresis` must be a fraction in [0, 1), got {h!r}"
        raise ValueError(msg)
    return h


def _timestamp(value: object) -> dt.datetime:
    """The given datetime (naive accepted as is), or now in UTC when None."""
    if value is None:
        return dt.datetime.now(dt.UTC)
    if not isinstance(value, dt.datetime):
        msg = f"`timestamp` must be a datetime.datetime or None, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def _fmt(x: float) -> str:
    """Compact, readable number: thousands separators and at most 6 significant digits."""
    return f"{x:,.6g}"


def _magnitude(x: float) -> str:
    """A value as compared against a limit: ``|-1,250|`` for negatives (limits are sizes)."""
    return f"|{_fmt(x)}|" if x < 0 else _fmt(x)


@dataclasses.dataclass(frozen=True, slots=True)
class Alert:
    """One alert event.

    Parameters
    ----------
    severity : Severity or str
        ``"info"``, ``"warning"`` or ``"critical"`` (strings are coerced to `Severity`).
    rule : str
        The rule or limit that produced it, e.g. ``"max_delta"``.
    subject : str
        What it is about: an underlying, a position id as text, or ``"portfolio"``.
    value : float
        The observed value (NaN allowed only for ``kind="trigger"``).
    limit : float
        The limit it was compared against (NaN allowed only for ``kind="trigger"``).
    timestamp : datetime.datetime
        When it happened (naive or aware).
    message : str
        Human-readable text; this is what the logging handler logs.
    kind : str
        ``"breach"`` (the level crossed the limit), ``"cleared"`` (it came back inside,
        after hysteresis) or ``"trigger"`` (a one-off rule trigger).

    Raises
    ------
    ValueError
        Unknown ``severity`` or ``kind``; NaN ``value`` or ``limit`` outside triggers.
    TypeError
        Non-real ``value``/``limit``, non-string text fields, non-datetime ``timestamp``.

    Examples
    --------
    >>> import datetime as dt
    >>> a = Alert("warning", "max_delta", "SPX", 1250, 1000, dt.datetime(2025, 3, 3),
    ...           "max_delta breached on SPX", "breach")
    >>> a.severity is Severity.WARNING, a.value, a.severity.level == logging.WARNING
    (True, 1250.0, True)
    """

    severity: Severity
    rule: str
    subject: str
    value: float
    limit: float
    timestamp: dt.datetime
    message: str
    kind: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", _severity(self.severity))
        if self.kind not in _KINDS:
            allowed = ", ".join(repr(k) for k in _KINDS)
            msg = f"`kind` must be one of {allowed}; got {self.kind!r}"
            raise ValueError(msg)
        for name in ("rule", "subject"):
            _text(getattr(self, name), name)
        if not isinstance(self.message, str):
            msg = f"`message` must be a string, got {type(self.message).__name__}"
            raise TypeError(msg)
        if not isinstance(self.timestamp, dt.datetime):
            msg = f"`timestamp` must be a datetime.datetime, got {type(self.timestamp).__name__}"
            raise TypeError(msg)
        for name in ("value", "limit"):
            check = _real if self.kind == "trigger" else _not_nan
            object.__setattr__(self, name, check(getattr(self, name), name))


class AlertLog:
    """A handler that keeps every alert it receives in ``alerts`` (for tests and notebooks).

    Examples
    --------
    >>> log = AlertLog()
    >>> center = AlertCenter([log])
    >>> _ = center.trigger("stop_loss", "pos-17", -520.0, -500.0)
    >>> [a.message for a in log.alerts]
    ['stop_loss triggered on pos-17: value -520, limit -500']
    """

    __slots__ = ("alerts",)

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def __call__(self, alert: Alert) -> None:
        self.alerts.append(alert)


class AlertCenter:
    """Registry of alert handlers and dispatcher with per-level deduplication.

    Not thread-safe: share one center per thread or guard calls with a lock.

    Parameters
    ----------
    handlers : sequence of callables, optional
        Each takes one `Alert`. None (the default) installs a handler that logs every alert
        through ``logging.getLogger(logger_name)`` at the severity's level; an empty
        sequence means no handler.
    hysteresis : float, default 0.0
        Fraction in [0, 1): a breached level re-arms only once
        ``abs(value) <= limit * (1 - hysteresis)``.
    logger_name : str, default "fastopt.risk"
        Logger for the default handler and for handler failures.

    Raises
    ------
    TypeError
        ``hysteresis`` not a real number, ``handlers`` not a sequence, ``handlers[i]`` not
        callable, ``logger_name`` not a string.
    ValueError
        ``hysteresis`` outside [0, 1).

    Examples
    --------
    >>> log = AlertLog()
    >>> center = AlertCenter([log])
    >>> center.observe("max_vega", "portfolio", 5_200.0, 5_000.0).message
    'max_vega breached on portfolio: 5,200 > 5,000'
    >>> center.observe("max_vega", "portfolio", 5_100.0, 5_000.0) is None
    True
    >>> center.observe("max_vega", "portfolio", 4_000.0, 5_000.0).kind
    'cleared'
    >>> len(center.history), center.suppressed
    (2, 1)
    """

    def __init__(
        self,
        handlers: Iterable[Handler] | None = None,
        *,
        hysteresis: float = 0.0,
        logger_name: str = "fastopt.risk",
    ) -> None:
        self._logger = logging.getLogger(_text(logger_name, "logger_name"))
        self._hysteresis = _hysteresis(hysteresis)
        self._handlers: list[Handler] = (
            [self._log_alert] if handlers is None else _handler_list(handlers)
        )
        self._breached: dict[tuple[str, str], float] = {}  # key -> hysteresis at breach start
        self._triggered: set[tuple[str, str, dt.datetime]] = set()
        self._history: list[Alert] = []
        self._suppressed = 0
        self._handler_errors = 0

    # ------------------------------------------------------------------ handlers

    def _log_alert(self, alert: Alert) -> None:
        """The default handler: log the message at the severity's level."""
        self._logger.log(alert.severity.level, alert.message)

    @property
    def handlers(self) -> tuple[Handler, ...]:
        """The registered handlers, in delivery order."""
        return tuple(self._handlers)

    def add_handler(self, handler: Handler) -> None:
        """Append ``handler`` (a callable taking one `Alert`) to the delivery list.

        Examples
        --------
        >>> center, log = AlertCenter([]), AlertLog()
        >>> center.add_handler(log)
        >>> center.handlers == (log,)
        True
        """
        if not callable(handler):
            msg = f"`handler` must be callable, got {handler!r}"
            raise TypeError(msg)
        self._handlers.append(handler)

    def remove_handler(self, handler: Handler) -> None:
        """Remove ``handler`` (its first occurrence); ValueError if it is not registered.

        Examples
        --------
        >>> log = AlertLog()
        >>> center = AlertCenter([log])
        >>> center.remove_handler(log)
        >>> center.handlers
        ()
        """
        try:
            self._handlers.remove(handler)
        except ValueError:
            msg = f"`handler` {handler!r} is not registered"
            raise ValueError(msg) from None

    def emit(self, alert: Alert) -> None:
        """Record ``alert`` in ``history`` and deliver it to every handler, in order.

        A handler that raises does not stop the others: the exception is logged with
        ``logger.exception`` and counted in ``handler_errors``.

        Examples
        --------
        >>> import datetime as dt
        >>> def broken(alert):
        ...     raise RuntimeError("pager down")
        >>> log = AlertLog()
        >>> center = AlertCenter([broken, log], logger_name="fastopt.doctest")
        >>> center.emit(Alert("info", "note", "portfolio", 0, 0, dt.datetime(2025, 1, 2),
        ...                   "hello", "trigger"))
        >>> len(log.alerts), center.handler_errors
        (1, 1)
        """
        if not isinstance(alert, Alert):
            msg = f"`alert` must be an Alert, got {type(alert).__name__}"
            raise TypeError(msg)
        self._history.append(alert)
        for handler in tuple(self._handlers):
            try:
                handler(alert)
            except Exception:
                self._handler_errors += 1
                self._logger.exception("alert handler %r failed on: %s", handler, alert.message)

    # ------------------------------------------------------------------ events

    def observe(
        self,
        rule: str,
        subject: str,
        value: float,
        limit: float,
        *,
        severity: Severity | str = "warning",
        timestamp: dt.datetime | None = None,
        hysteresis: float | None = None,
    ) -> Alert | None:
        """Track a level against a limit; emit on breach and on re-arm, stay quiet between.

        Parameters
        ----------
        rule, subject : str
            The key whose state is tracked, e.g. ``("max_delta", "SPX")``.
        value : float
            The measure; compared by magnitude. NaN raises (missing data is not "inside").
        limit : float
            A magnitude, ``>= 0``; breached when ``abs(value) > limit``.
        severity : Severity or str, default "warning"
            Severity of a breach alert (cleared alerts are always INFO).
        timestamp : datetime.datetime, optional
            Defaults to now in UTC; naive datetimes are accepted as is.
        hysteresis : float, optional
            Overrides the center's hysteresis for this key; stored when a breach starts and
            used to re-arm that breach.

        Returns
        -------
        Alert or None
            The ``"breach"`` or ``"cleared"`` alert emitted, or None.

        Examples
        --------
        >>> center = AlertCenter([])
        >>> center.observe("max_gamma", "QQQ", -75.0, 50.0, hysteresis=0.5).message
        'max_gamma breached on QQQ: |-75| > 50'
        >>> center.observe("max_gamma", "QQQ", 30.0, 50.0) is None  # re-arms at 25
        True
        >>> center.observe("max_gamma", "QQQ", -20.0, 50.0).message
        'max_gamma cleared on QQQ: |-20| <= 25 (limit 50, hysteresis 50%)'
        """
        key = (_text(rule, "rule"), _text(subject, "subject"))
        x = _not_nan(value, "value")
        lim = _not_nan(limit, "limit")
        if lim < 0:
            msg = f"`limit` must be >= 0 (limits are magnitudes), got {lim!r}"
            raise ValueError(msg)
        sev = _severity(severity)
        when = _timestamp(timestamp)
        h = self._hysteresis if hysteresis is None else _hysteresis(hysteresis)
        if key not in self._breached:
            return self._breach(key, x, lim, sev, when, h) if abs(x) > lim else None
        rearm = lim * (1.0 - self._breached[key])
        if abs(x) > rearm:
            self._suppressed += 1
            return None
        return self._clear(key, x, lim, rearm, when)

    def _breach(
        self,
        key: tuple[str, str],
        x: float,
        lim: float,
        sev: Severity,
        when: dt.datetime,
        h: float,
    ) -> Alert:
        text = f"{key[0]} breached on {key[1]}: {_magnitude(x)} > {_fmt(lim)}"
        alert = Alert(sev, key[0], key[1], x, lim, when, text, "breach")
        self._breached[key] = h
        self.emit(alert)
        return alert

    def _clear(
        self, key: tuple[str, str], x: float, lim: float, rearm: float, when: dt.datetime
    ) -> Alert:
        h = self._breached.pop(key)
        text = (
            f"{key[0]} cleared on {key[1]}: {_magnitude(x)} <= {_fmt(rearm)} "
            f"(limit {_fmt(lim)}, hysteresis {h * 100:.6g}%)"
        )
        alert = Alert(Severity.INFO, key[0], key[1], x, lim, when, text, "cleared")
        self.emit(alert)
        return alert

    def trigger(
        self,
        rule: str,
        subject: str,
        value: float = math.nan,
        limit: float = math.nan,
        *,
        severity: Severity | str = "warning",
        timestamp: dt.datetime | None = None,
        message: str | None = None,
    ) -> Alert | None:
        """Emit a one-off ``"trigger"`` alert (a stop rule fired, a state transition).

        Never deduplicated by level; a repeat of the same ``(rule, subject, timestamp)`` is
        suppressed, so replaying a bar does not re-deliver its triggers. A trigger without a
        ``timestamp`` is stamped now (UTC) and always delivered.

        Parameters
        ----------
        rule, subject : str
            What fired and what it is about.
        value, limit : float, default NaN
            Optional numbers for context; NaN means "not applicable".
        severity : Severity or str, default "warning"
        timestamp : datetime.datetime, optional
        message : str, optional
            Defaults to ``"<rule> triggered on <subject>: value <v>, limit <l>"``.

        Returns
        -------
        Alert or None
            The alert emitted, or None for a duplicate.

        Examples
        --------
        >>> import datetime as dt
        >>> center = AlertCenter([])
        >>> t = dt.datetime(2025, 3, 3, 15, 30)
        >>> center.trigger("stop_loss", "pos-17", timestamp=t).message
        'stop_loss triggered on pos-17'
        >>> center.trigger("stop_loss", "pos-17", timestamp=t) is None
        True
        """
        key = (_text(rule, "rule"), _text(subject, "subject"))
        x, lim = _real(value, "value"), _real(limit, "limit")
        sev = _severity(severity)
        if message is not None and not isinstance(message, str):
            msg = f"`message` must be a string or None, got {type(message).__name__}"
            raise TypeError(msg)
        when = _timestamp(timestamp)
        if timestamp is not None:
            if (*key, when) in self._triggered:
                self._suppressed += 1
                return None
            self._triggered.add((*key, when))
        text = _trigger_message(key, x, lim) if message is None else message
        alert = Alert(sev, key[0], key[1], x, lim, when, text, "trigger")
        self.emit(alert)
        return alert

    # ------------------------------------------------------------------ state

    def reset(self, rule: str | None = None, subject: str | None = None) -> None:
        """Re-arm breached levels by hand (no alert), and forget seen triggers.

        With no argument, every key; otherwise those matching ``rule`` and/or ``subject``.

        Examples
        --------
        >>> center = AlertCenter([])
        >>> _ = center.observe("max_delta", "SPX", 2.0, 1.0)
        >>> _ = center.observe("max_delta", "NDX", 2.0, 1.0)
        >>> center.reset(subject="SPX")
        >>> center.active()
        (('max_delta', 'NDX'),)
        """
        if rule is not None:
            _text(rule, "rule")
        if subject is not None:
            _text(subject, "subject")

        def hit(r: str, s: str) -> bool:
            return (rule is None or r == rule) and (subject is None or s == subject)

        self._breached = {k: h for k, h in self._breached.items() if not hit(*k)}
        self._triggered = {k for k in self._triggered if not hit(k[0], k[1])}

    def active(self) -> tuple[tuple[str, str], ...]:
        """The ``(rule, subject)`` pairs currently breached, sorted."""
        return tuple(sorted(self._breached))

    @property
    def history(self) -> tuple[Alert, ...]:
        """Every alert emitted, in order."""
        return tuple(self._history)

    @property
    def hysteresis(self) -> float:
        """The default hysteresis fraction."""
        return self._hysteresis

    @property
    def suppressed(self) -> int:
        """How many observations (and duplicate triggers) were deduplicated."""
        return self._suppressed

    @property
    def handler_errors(self) -> int:
        """How many handler calls raised."""
        return self._handler_errors


def _handler_list(handlers: Iterable[Handler]) -> list[Handler]:
    """Validate a sequence of handlers: each must be callable."""
    if callable(handlers) or isinstance(handlers, str | bytes):
        msg = f"`handlers` must be a sequence of callables (wrap one in a list), got {handlers!r}"
        raise TypeError(msg)
    try:
        items: list[object] = list(handlers)
    except TypeError:
        msg = f"`handlers` must be a sequence of callables, got {type(handlers).__name__}"
        raise TypeError(msg) from None
    out: list[Handler] = []
    for i, handler in enumerate(items):
        if not callable(handler):
            msg = f"`handlers[{i}]` must be callable, got {handler!r}"
            raise TypeError(msg)
        out.append(handler)
    return out


def _trigger_message(key: tuple[str, str], x: float, lim: float) -> str:
    """Default trigger text; NaN numbers are left out."""
    parts = [f"{name} {_fmt(v)}" for name, v in (("value", x), ("limit", lim)) if not math.isnan(v)]
    return f"{key[0]} triggered on {key[1]}" + (": " + ", ".join(parts) if parts else "")
