"""Backtest job configuration: a YAML file validated into a frozen :class:`JobConfig`.

The file has six sections; only ``rules`` is required (see
``docs/backtest_job.md`` and ``config/backtest/iron_condor_spx.yaml``)::

    name: iron_condor_spx            # used for the report file name
    data:                            # where the chain comes from
      source: generated              # "generated" (from the bundled S&P 500/VIX data)
                                     # or a chain file (Parquet/CSV) path
      start: 2009-01-01
      end: 2018-12-31
      seed: 1                        # generator options: seed, max_dte, expiries,
      max_dte: 60                    # iv_source, strike_step, spread_pct
    rules: {structure: iron_condor, min_dte: 30, max_dte: 60}  # shared rules
    grid: {short_delta: [0.1, 0.16], width: [25, 50]}          # rule -> values
    walk_forward: {in_sample: 504, out_of_sample: 126, metric: sharpe, anchored: false}
    report: {path: reports/iron_condor_spx.html, metric: sharpe, top: 10}

Every error names the offending field (``data.start``, ``grid.short_delta``,
``walk_forward.in_sample`` ...). Relative paths are resolved against the
directory of the configuration file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from fastopt._validate import as_date
from fastopt.backtest.batch import BATCH_COLUMNS, compile_grid
from fastopt.backtest.rules import check_rule_names, compile_rules

__all__ = ["ConfigError", "JobConfig", "load_config"]

_SECTIONS = ("name", "data", "rules", "grid", "walk_forward", "report")
_DATA_KEYS = ("source", "start", "end", "seed", "max_dte", "expiries", "iv_source",
              "strike_step", "spread_pct")  # fmt: skip
_WF_KEYS = ("in_sample", "out_of_sample", "step", "anchored", "metric")
_REPORT_KEYS = ("path", "metric", "top")


class ConfigError(ValueError):
    """An invalid job configuration; the message names the field."""


@dataclass(frozen=True)
class JobConfig:
    """A validated backtest job (see the module docstring for the file format).

    Attributes
    ----------
    name : str
    source : str or pathlib.Path
        ``"generated"`` or a chain file.
    start, end : datetime.date or None
    generator : dict
        Options for :func:`fastopt.data.generate_chains`.
    rules : dict
        Rules shared by every parameter set.
    grid : dict or None
        Rule -> list of values; None runs the ``rules`` alone.
    walk_forward : dict or None
        Keyword arguments of :func:`fastopt.backtest.walk_forward`.
    report_path : pathlib.Path
    metric : str
    top : int
    """

    name: str
    source: str | Path
    start: dt.date | None
    end: dt.date | None
    generator: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, Any] | None = None
    walk_forward: dict[str, Any] | None = None
    report_path: Path = Path("report.html")
    metric: str = "sharpe"
    top: int = 10


def _fail(where: str, message: str) -> NoReturn:
    """Raise a :class:`ConfigError` for field ``where``."""
    msg = f"config field `{where}`: {message}"
    raise ConfigError(msg) from None


def _mapping(value: object, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        _fail(where, f"must be a mapping, got {type(value).__name__} {value!r}")
    return {str(k): v for k, v in value.items()}


def _known(keys: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in keys:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            _fail(f"{where}.{key}" if where else key,
                        f"unknown field{hint}; allowed: {', '.join(allowed)}")  # fmt: skip


def _int(value: object, where: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        _fail(where, f"must be an integer >= {low}, got {value!r}")
    return value


def _date(value: object, where: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return as_date(value, where)
    except (TypeError, ValueError) as exc:
        _fail(where, str(exc))


def parse_config(raw: object, base_dir: Path) -> JobConfig:
    """Validate a parsed YAML document (see :func:`load_config`)."""
    doc = _mapping(raw, "<top level>")
    _known(doc, _SECTIONS, "")
    if "rules" not in doc:
        _fail("rules", "is required (the rules shared by every parameter set)")
    name = doc.get("name", "backtest")
    if not isinstance(name, str) or not name.strip():
        _fail("name", f"must be a non-empty string, got {name!r}")

    data = _mapping(doc.get("data"), "data")
    _known(data, _DATA_KEYS, "data")
    source = data.get("source", "generated")
    if not isinstance(source, str | os.PathLike):
        _fail("data.source", f"must be 'generated' or a file path, got {source!r}")
    if source != "generated":
        path = Path(source)
        source = path if path.is_absolute() else (base_dir / path)
        if not source.exists():
            _fail("data.source", f"file not found: {source}")
    start, end = _date(data.get("start"), "data.start"), _date(data.get("end"), "data.end")
    if start is not None and end is not None and start > end:
        _fail("data.end", f"{end} is before data.start {start}")
    generator = {k: v for k, v in data.items() if k not in ("source", "start", "end")}
    if generator and source != "generated":
        _fail(f"data.{next(iter(generator))}", "generator options need source: generated")
    if "seed" in generator:
        _int(generator["seed"], "data.seed", 0)
    if "max_dte" in generator:
        _int(generator["max_dte"], "data.max_dte", 1)

    rules = _mapping(doc.get("rules"), "rules")
    try:
        check_rule_names(rules, "rules")
    except ValueError as exc:
        _fail("rules", str(exc).removeprefix("rules: "))
    grid = doc.get("grid")
    if grid is not None:
        grid = _mapping(grid, "grid")
        if not grid:
            _fail("grid", "is empty: give rule -> list of values, or leave it out")
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                _fail(f"grid.{key}", f"must be a non-empty list of values, got {values!r}")
    try:
        if grid is None:
            compile_rules(**rules)
        else:
            compile_grid(grid, rules)
    except (TypeError, ValueError) as exc:
        _fail("grid" if grid else "rules", str(exc))

    wf = doc.get("walk_forward")
    if wf is not None:
        wf = _mapping(wf, "walk_forward")
        _known(wf, _WF_KEYS, "walk_forward")
        if grid is None:
            _fail("walk_forward", "needs a `grid` to choose from")
        for key, low in (("in_sample", 2), ("out_of_sample", 1), ("step", 1)):
            if key in wf:
                _int(wf[key], f"walk_forward.{key}", low)
        if "anchored" in wf and not isinstance(wf["anchored"], bool):
            _fail("walk_forward.anchored", f"must be true or false, got {wf['anchored']!r}")

    report = _mapping(doc.get("report"), "report")
    _known(report, _REPORT_KEYS, "report")
    metric = report.get("metric", (wf or {}).get("metric", "sharpe"))
    checks = (
        ("walk_forward.metric", (wf or {}).get("metric", "sharpe")),
        ("report.metric", metric),
    )
    for where, value in checks:
        if value not in BATCH_COLUMNS:
            close = difflib.get_close_matches(str(value), BATCH_COLUMNS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            _fail(where, f"unknown metric {value!r}{hint}")
    top = _int(report.get("top", 10), "report.top", 1)
    path = Path(report.get("path", f"reports/{name}.html"))
    report_path = path if path.is_absolute() else base_dir / path
    return JobConfig(
        name=name, source=source, start=start, end=end, generator=generator, rules=rules,
        grid=grid, walk_forward=wf, report_path=report_path, metric=metric, top=top,
    )  # fmt: skip


def load_config(path: str | os.PathLike[str]) -> JobConfig:
    """Read and validate a backtest job configuration (YAML).

    Parameters
    ----------
    path : str or os.PathLike
        The YAML file. Relative paths inside it (``data.source``,
        ``report.path``) are taken relative to the working directory when the
        file is inside it, else relative to the file.

    Returns
    -------
    JobConfig

    Raises
    ------
    FileNotFoundError
        No such file.
    ConfigError
        Invalid YAML or an invalid field (a ``ValueError``; the message names
        the field).

    Examples
    --------
    >>> from fastopt.backtest.config import load_config
    >>> cfg = load_config("config/backtest/iron_condor_spx.yaml")
    >>> cfg.name, cfg.rules["structure"], sorted(cfg.grid)
    ('iron_condor_spx', 'iron_condor', ['min_dte', 'profit_target', 'short_delta', 'width'])
    """
    import yaml

    file = Path(path)
    if not file.is_file():
        msg = f"configuration file not found: {file}"
        raise FileNotFoundError(msg)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        msg = f"{file}: not valid YAML: {exc}"
        raise ConfigError(msg) from None
    cwd = Path.cwd().resolve()
    folder = file.resolve().parent
    base = cwd if folder.is_relative_to(cwd) else folder
    try:
        return parse_config(raw, base)
    except ConfigError as exc:
        msg = f"{file}: {exc}"
        raise ConfigError(msg) from None
