"""Risk limits: what a portfolio may hold, per underlying and in total, soft or hard.

A :class:`Limit` bounds the magnitude of one measure (:data:`MEASURES`) on one scope:
the whole portfolio (``"total"``), every underlying (``"each"``) or one named
underlying. It has a ``soft`` level (crossing it raises an alert) and/or a ``hard``
level (a trade that would cross it is denied, and a book beyond it puts the engine in
the REDUCING state). :class:`RiskLimits` holds a set of them, from code, a dict or a
YAML file (``config/risk_limits.yaml``), with errors that name the field.

Examples
--------
>>> from fastopt.risk import Limit, RiskLimits
>>> limits = RiskLimits([Limit("delta", hard=500.0), Limit("vega", soft=800.0, hard=1000.0,
...                                                         scope="each")])
>>> limits.to_dict()["limits"][1]
{'measure': 'vega', 'scope': 'each', 'soft': 800.0, 'hard': 1000.0}
>>> RiskLimits.from_dict(limits.to_dict()) == limits
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from fastopt._validate import real_number

__all__ = ["MEASURES", "SCOPES", "Limit", "RiskLimits"]


class Measure(NamedTuple):
    """What a measure is and its unit."""

    description: str
    unit: str
    per_underlying: bool  # also defined for one underlying (not only the total)


MEASURES: dict[str, Measure] = {
    "delta": Measure("|delta| of the options and stock", "shares", True),
    "dollar_delta": Measure("|delta x spot|", "money per 1.00 relative move", True),
    "gamma": Measure("|gamma|", "shares per 1.00 move of the underlying", True),
    "dollar_gamma": Measure("|change of the dollar delta for a 1 % move|", "money", True),
    "vega": Measure("|vega|", "money per vol point", True),
    "theta": Measure("|theta|", "money per calendar day", True),
    "notional": Measure("sum of |units x multiplier| x spot", "money", True),
    "positions": Measure("number of open position groups (strategies, trades)", "count", True),
    "concentration": Measure(
        "notional of one underlying / the portfolio's notional", "fraction", True
    ),
    "scenario_loss": Measure("largest loss on the spot x vol scenario grid", "money", True),
    "daily_loss": Measure("loss since the start of the day (engine)", "money", False),
    "var": Measure(
        "full-revaluation value at risk in correlated scenarios (the engine's VarSettings)",
        "money",
        False,
    ),
}
"""Every measure a limit may bound: description, unit, whether it exists per underlying."""

SCOPES = ("total", "each")
"""The two generic scopes; any other scope names one underlying."""


@dataclass(frozen=True, slots=True)
class Limit:
    """A bound on the magnitude of one measure on one scope.

    Parameters
    ----------
    measure : str
        A key of :data:`MEASURES`.
    soft, hard : float, optional
        Alert level and deny level (>= 0; at least one; ``soft <= hard``).
    scope : str, default "total"
        ``"total"`` (the whole portfolio), ``"each"`` (every underlying on its own) or
        an underlying's name.

    Examples
    --------
    >>> from fastopt.risk import Limit
    >>> Limit("gamma", hard=50.0, scope="SPX").scope
    'SPX'
    >>> Limit("gamma", soft=60.0, hard=50.0)
    Traceback (most recent call last):
    ...
    ValueError: limit gamma/total: `soft` (60.0) must not exceed `hard` (50.0)
    """

    measure: str
    soft: float | None = None
    hard: float | None = None
    scope: str = "total"

    def __post_init__(self) -> None:
        if not isinstance(self.measure, str) or self.measure not in MEASURES:
            msg = f"`measure` must be one of {sorted(MEASURES)}, got {self.measure!r}"
            raise ValueError(msg)
        if not isinstance(self.scope, str) or not self.scope.strip():
            msg = f"`scope` must be 'total', 'each' or an underlying's name, got {self.scope!r}"
            raise ValueError(msg)
        object.__setattr__(self, "scope", self.scope.strip())
        if self.scope != "total" and not MEASURES[self.measure].per_underlying:
            msg = f"limit {self.measure}: exists only for the scope 'total', got {self.scope!r}"
            raise ValueError(msg)
        label = f"limit {self.measure}/{self.scope}"
        for name in ("soft", "hard"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                x = real_number(value, name)
            except (TypeError, ValueError) as exc:
                msg = f"{label}: {exc}"
                raise type(exc)(msg) from exc
            if x < 0.0:
                msg = f"{label}: `{name}` must be a level >= 0 (a magnitude), got {x!r}"
                raise ValueError(msg)
            object.__setattr__(self, name, x)
        if self.soft is None and self.hard is None:
            msg = f"{label}: give a `soft` or a `hard` level (or both)"
            raise ValueError(msg)
        if self.soft is not None and self.hard is not None and self.soft > self.hard:
            msg = f"{label}: `soft` ({self.soft}) must not exceed `hard` ({self.hard})"
            raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """The limit as a plain dict (levels left out when not set)."""
        out: dict[str, Any] = {"measure": self.measure, "scope": self.scope}
        if self.soft is not None:
            out["soft"] = self.soft
        if self.hard is not None:
            out["hard"] = self.hard
        return out


@dataclass(frozen=True)
class RiskLimits:
    """A set of :class:`Limit` (one per measure and scope).

    Examples
    --------
    >>> from fastopt.risk import RiskLimits
    >>> limits = RiskLimits.from_dict({"limits": [{"measure": "delta", "hard": 500}]})
    >>> limits.limits[0].hard
    500.0
    """

    limits: tuple[Limit, ...]

    def __init__(self, limits: Iterable[Limit] = ()) -> None:
        items = tuple(limits)
        seen: set[tuple[str, str]] = set()
        for i, lim in enumerate(items):
            if not isinstance(lim, Limit):
                msg = f"`limits[{i}]` must be a Limit, got {type(lim).__name__}"
                raise TypeError(msg)
            key = (lim.measure, lim.scope)
            if key in seen:
                msg = (
                    f"`limits[{i}]`: a second limit on {lim.measure}/{lim.scope}; give one "
                    "limit with both its soft and hard levels"
                )
                raise ValueError(msg)
            seen.add(key)
        object.__setattr__(self, "limits", items)

    def __iter__(self) -> Any:
        return iter(self.limits)

    def __len__(self) -> int:
        return len(self.limits)

    @property
    def measures(self) -> frozenset[str]:
        """The measures any limit bounds."""
        return frozenset(lim.measure for lim in self.limits)

    def to_dict(self) -> dict[str, Any]:
        """``{"limits": [limit dicts]}``, the YAML layout."""
        return {"limits": [lim.to_dict() for lim in self.limits]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RiskLimits:
        """Limits from ``{"limits": [{"measure", "scope"?, "soft"?, "hard"?}, ...]}``.

        Raises
        ------
        ValueError
            A missing ``limits`` list, an unknown key, or any :class:`Limit` error
            (messages name the entry: ``limits[2].hard``).
        """
        if not isinstance(data, Mapping) or set(data) != {"limits"}:
            keys = sorted(data) if isinstance(data, Mapping) else type(data).__name__
            msg = f"risk limits must be a mapping with the one key 'limits', got {keys}"
            raise ValueError(msg)
        entries = data["limits"]
        if not isinstance(entries, list):
            msg = f"`limits` must be a list of limits, got {type(entries).__name__}"
            raise ValueError(msg)
        allowed = {"measure", "scope", "soft", "hard"}
        out = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                msg = f"`limits[{i}]` must be a mapping, got {type(entry).__name__}"
                raise ValueError(msg)
            unknown = sorted(set(entry) - allowed)
            if unknown:
                msg = f"`limits[{i}]` has unknown key(s) {unknown}; allowed: {sorted(allowed)}"
                raise ValueError(msg)
            if "measure" not in entry:
                msg = f"`limits[{i}].measure` is missing"
                raise ValueError(msg)
            try:
                out.append(Limit(**entry))
            except (TypeError, ValueError) as exc:
                msg = f"`limits[{i}]`: {exc}"
                raise ValueError(msg) from exc
        return cls(out)

    @classmethod
    def from_yaml(cls, path: str | Path) -> RiskLimits:
        """Limits from a YAML file of :meth:`to_dict`'s layout (``config/risk_limits.yaml``).

        Raises
        ------
        FileNotFoundError
            No such file.
        ValueError
            Malformed YAML or any :meth:`from_dict` error (with the file's name).
        """
        import yaml

        p = Path(path)
        try:
            data = yaml.safe_load(p.read_text())
        except yaml.YAMLError as exc:
            msg = f"{p}: not valid YAML: {exc}"
            raise ValueError(msg) from exc
        try:
            return cls.from_dict(data)
        except ValueError as exc:
            msg = f"{p}: {exc}"
            raise ValueError(msg) from exc

    def to_yaml(self, path: str | Path) -> Path:
        """Write the limits as YAML (atomically: a temporary file renamed); returns the path."""
        import yaml

        p = Path(path)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False))
        tmp.replace(p)
        return p
