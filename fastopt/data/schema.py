"""The option-chain schema and its validation (:func:`validate_chain`).

A chain is a Polars frame, one row per quote:

========================  ====================  =========================================
column                    dtype                 meaning
========================  ====================  =========================================
``date``                  Date (or Datetime)    quote date (a Datetime for intraday data)
``expiry``                Date                  expiration date
``strike``                Float64               strike price, > 0
``kind``                  String                ``"call"`` or ``"put"``
``bid``, ``ask``          Float64               quotes, >= 0, ``bid <= ask`` (null: no quote)
``underlying``            Float64               underlying price at the quote, > 0
``iv``, ``delta``         Float64 (optional)    implied volatility, delta
``last``                  Float64 (optional)    last trade price, >= 0
``volume``                Int64 (optional)      contracts traded
``open_interest``         Int64 (optional)      open contracts
``root`` / ``symbol``     String (optional)     option root (SPX vs SPXW) / underlying
========================  ====================  =========================================

Rows are unique on ``(date, expiry, strike, kind[, root])`` and sorted by
``(date, expiry, strike, kind[, root])``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

__all__ = [
    "CHAIN_SCHEMA",
    "OPTIONAL_COLUMNS",
    "REASONS",
    "REQUIRED_COLUMNS",
    "ValidationReport",
    "validate_chain",
]

REQUIRED_COLUMNS: dict[str, str] = {
    "date": "Date (or Datetime for intraday quotes)",
    "expiry": "Date",
    "strike": "Float64",
    "kind": "String ('call'/'put'; Enum or Categorical accepted)",
    "bid": "Float64",
    "ask": "Float64",
    "underlying": "Float64",
}
"""Required columns and the dtype each must have (or be safely castable to)."""

OPTIONAL_COLUMNS: dict[str, str] = {
    "iv": "Float64",
    "delta": "Float64",
    "last": "Float64",
    "volume": "Int64",
    "open_interest": "Int64",
    "root": "String",
    "symbol": "String",
}
"""Optional columns the schema knows; other columns pass through untouched."""

CHAIN_SCHEMA: dict[str, str] = {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}
"""Every schema column and its dtype."""

REASONS: dict[str, str] = {
    "null_key": "a null date, expiry, strike, kind or underlying",
    "bad_kind": "kind is not 'call'/'put' (or 'c'/'p')",
    "non_finite": "NaN or infinite strike, bid, ask or underlying",
    "non_positive_strike": "strike <= 0",
    "non_positive_underlying": "underlying <= 0",
    "negative_price": "negative bid, ask or last",
    "crossed_quote": "crossed quote (bid > ask)",
    "expiry_before_date": "expiry before the quote date",
    "duplicate_key": "duplicate (date, expiry, strike, kind[, root]) key",
}
"""Why a row is invalid, in the order the checks run (a row gets its first reason)."""

_FLOAT_COLUMNS = ("strike", "bid", "ask", "underlying", "iv", "delta", "last")
_INT_COLUMNS = ("volume", "open_interest")
_STR_COLUMNS = ("root", "symbol")
_KIND_WORDS = {"call": "call", "c": "call", "put": "put", "p": "put"}
_SHOW = 5


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate_chain` changed.

    Attributes
    ----------
    n_input : int
        Rows in.
    n_output : int
        Rows out (``n_input - n_dropped``).
    counts : Mapping[str, int]
        Dropped rows per reason (keys of :data:`REASONS`; only non-zero ones).
    dropped : polars.DataFrame
        The dropped rows (input columns after casts), with ``row`` (index in
        the input) and ``reason`` columns.
    resorted : bool
        True when the input was not sorted by the key and was sorted.
    casts : tuple of str
        Columns that were cast to their schema dtype (``"bid: Int64 -> Float64"``).
    """

    n_input: int
    n_output: int
    counts: Mapping[str, int] = field(default_factory=dict)
    dropped: pl.DataFrame = field(default_factory=pl.DataFrame)
    resorted: bool = False
    casts: tuple[str, ...] = ()

    @property
    def n_dropped(self) -> int:
        """Rows dropped in total."""
        return self.n_input - self.n_output

    def __str__(self) -> str:
        parts = [f"{self.n_input} rows in, {self.n_output} out"]
        parts += [f"{n} dropped: {REASONS[r]}" for r, n in self.counts.items()]
        if self.resorted:
            parts.append("sorted by (date, expiry, strike, kind)")
        return "; ".join(parts)


def _schema_error(name: str, dtype: pl.DataType, detail: str = "") -> ValueError:
    msg = f"chain column `{name}` has dtype {dtype}, expected {CHAIN_SCHEMA[name]}" + (
        f" ({detail})" if detail else ""
    )
    return ValueError(msg)


def _cast_date(s: pl.Series, *, allow_datetime: bool) -> pl.Series:
    """A Date series from Date/Datetime/String (``allow_datetime`` keeps Datetime)."""
    if s.dtype == pl.Date:
        return s
    if isinstance(s.dtype, pl.Datetime):
        return s if allow_datetime else s.dt.date()
    if s.dtype == pl.String:
        try:
            return s.str.to_date(strict=True)
        except pl.exceptions.PolarsError:
            pass
        try:
            parsed = s.str.to_datetime(strict=True)
        except pl.exceptions.PolarsError as exc:
            raise _schema_error(s.name, s.dtype, "strings that do not parse as dates") from exc
        return parsed if allow_datetime else parsed.dt.date()
    raise _schema_error(s.name, s.dtype)


def _cast_columns(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Apply the safe casts of the schema; raise on missing or mistyped columns."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        wanted = "; ".join(f"`{c}` ({REQUIRED_COLUMNS[c]})" for c in missing)
        msg = (
            f"chain is missing required column(s) {wanted}; got columns {frame.columns} "
            "(map vendor names with load_chain(..., columns={...}))"
        )
        raise ValueError(msg)
    casts: list[str] = []
    out: dict[str, pl.Series] = {}
    for name in frame.columns:
        s = frame[name]
        new = s
        if name in ("date", "expiry"):
            new = _cast_date(s, allow_datetime=name == "date")
        elif name in _FLOAT_COLUMNS:
            if not s.dtype.is_numeric():
                raise _schema_error(name, s.dtype)
            new = s.cast(pl.Float64)
        elif name in _INT_COLUMNS:
            if s.dtype.is_float():
                frac = (s.drop_nulls() % 1.0 != 0.0).any()
                if frac:
                    raise _schema_error(name, s.dtype, "non-integer values")
            elif not s.dtype.is_integer():
                raise _schema_error(name, s.dtype)
            new = s.cast(pl.Int64)
        elif name == "kind":
            if s.dtype not in (pl.String, pl.Categorical) and not isinstance(s.dtype, pl.Enum):
                raise _schema_error(name, s.dtype)
            if s.dtype == pl.String and bool(s.is_in(["call", "put"]).all()):
                new = s
            else:
                low = s.cast(pl.String).str.strip_chars().str.to_lowercase()
                new = low.replace_strict(_KIND_WORDS, default=low, return_dtype=pl.String)
        elif name in _STR_COLUMNS:
            if s.dtype not in (pl.String, pl.Categorical) and not isinstance(s.dtype, pl.Enum):
                raise _schema_error(name, s.dtype)
            new = s.cast(pl.String)
        if new.dtype != s.dtype:
            casts.append(f"{name}: {s.dtype} -> {new.dtype}")
        out[name] = new.alias(name)
    return pl.DataFrame(list(out.values())), casts


def _key_columns(frame: pl.DataFrame) -> list[str]:
    keys = ["date", "expiry", "strike", "kind"]
    return [*keys, "root"] if "root" in frame.columns else keys


def _checks(frame: pl.DataFrame, keys: list[str]) -> list[pl.Expr]:
    """One boolean column per reason of :data:`REASONS` (True = the row fails it).

    ``frame`` must be sorted by ``keys``: duplicates are then adjacent.
    """
    col = pl.col
    null_key = pl.any_horizontal(
        *[col(c).is_null() for c in ("date", "expiry", "strike", "kind", "underlying")]
    )
    finite = ["strike", "underlying", "bid", "ask"]
    non_finite = pl.any_horizontal(*[~col(c).is_finite() for c in finite])
    prices = [c for c in ("bid", "ask", "last") if c in frame.columns]
    negative = pl.any_horizontal(*[col(c) < 0.0 for c in prices])
    date = col("date")
    if frame.schema["date"] != pl.Date:
        date = date.dt.date()
    duplicate = pl.all_horizontal(*[col(k).eq_missing(col(k).shift(1)) for k in keys])
    exprs = [
        null_key,
        ~col("kind").is_in(["call", "put"]),
        non_finite,
        col("strike") <= 0.0,
        col("underlying") <= 0.0,
        negative,
        col("bid") > col("ask"),
        col("expiry") < date,
        duplicate,
    ]
    return [e.fill_null(False).alias(f"__{r}") for e, r in zip(exprs, REASONS, strict=True)]


def _reason_of_flags() -> pl.Expr:
    """The first failed check of each row, from the ``__<reason>`` flag columns."""
    names = list(REASONS)
    expr: Any = pl.when(pl.col(f"__{names[0]}")).then(pl.lit(names[0]))
    for reason in names[1:]:
        expr = expr.when(pl.col(f"__{reason}")).then(pl.lit(reason))
    out: pl.Expr = expr.otherwise(pl.lit(None, dtype=pl.String)).alias("reason")
    return out


def _describe(bad: pl.DataFrame, counts: Mapping[str, int]) -> str:
    lines = [f"invalid option chain: {sum(counts.values())} bad row(s)"]
    shown = [c for c in bad.columns if c in CHAIN_SCHEMA]
    for reason, n in counts.items():
        rows = bad.filter(pl.col("reason") == reason).head(_SHOW)
        lines.append(f"- {n} row(s) with {REASONS[reason]}; first:")
        for rec in rows.iter_rows(named=True):
            vals = ", ".join(f"{c}={rec[c]!r}" for c in shown)
            lines.append(f"    row {rec['row']}: {vals}")
    lines.append("pass drop_invalid=True to drop them (the report lists every dropped row)")
    return "\n".join(lines)


def _rows_in_key_order(keys: list[str]) -> pl.Expr:
    """True when every row is >= the previous one in the lexicographic key order.

    One pass with shifted columns (ties allowed: duplicates are reported by their
    own check); a null or NaN key compares false, so such input is sorted and
    then reported.
    """
    ge = pl.col(keys[-1]) >= pl.col(keys[-1]).shift(1)
    for key in reversed(keys[:-1]):
        now, before = pl.col(key), pl.col(key).shift(1)
        ge = (now > before) | ((now == before) & ge)
    return ge.slice(1).all()


def validate_chain(
    frame: pl.DataFrame, *, drop_invalid: bool = False
) -> tuple[pl.DataFrame, ValidationReport]:
    """Check an option chain against the schema; cast, sort and (optionally) drop bad rows.

    Parameters
    ----------
    frame : polars.DataFrame
        The chain (see the module docstring for the schema). Safe casts are
        applied: integer prices to Float64, ``"YYYY-MM-DD"`` strings to Date,
        a Datetime ``expiry`` to Date, ``kind`` values ``"C"``/``"P"``/``"Call"``
        (any case, Enum or Categorical) to ``"call"``/``"put"``.
    drop_invalid : bool, default False
        False: raise on the first problem. True: drop the invalid rows and
        list them in the report (never a silent drop).

    Returns
    -------
    chain : polars.DataFrame
        The valid rows, columns cast, sorted by ``(date, expiry, strike, kind[, root])``.
    report : ValidationReport
        Counts per reason, the dropped rows, whether the input was re-sorted
        and which columns were cast.

    Raises
    ------
    ValueError
        A required column is missing or has a dtype that cannot be cast safely
        (the message names the column and the expected dtype); or, with
        ``drop_invalid=False``, invalid rows: null keys, an unknown ``kind``,
        NaN/inf prices, ``strike <= 0``, ``underlying <= 0``, a negative
        price, ``bid > ask``, ``expiry < date``, duplicate keys. The message
        gives the count per reason and the first five offending rows (their
        index in the input and their values).
    TypeError
        ``frame`` is not a Polars DataFrame.

    Notes
    -----
    Unsorted input is sorted, not rejected (``report.resorted``). For
    duplicate keys the first occurrence is valid and the later ones are the
    offending rows. Null ``bid``/``ask`` (no quote) are allowed.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from fastopt.data import validate_chain
    >>> chain = pl.DataFrame({
    ...     "date": ["2024-01-02"] * 3, "expiry": ["2024-01-19"] * 3,
    ...     "strike": [100, 105, 110], "kind": ["C", "C", "C"],
    ...     "bid": [5.1, 2.0, 0.9], "ask": [5.3, 1.8, 1.0], "underlying": [104.0] * 3})
    >>> validate_chain(chain)
    Traceback (most recent call last):
    ...
    ValueError: invalid option chain: 1 bad row(s)
    - 1 row(s) with crossed quote (bid > ask); first:
        row 1: date=datetime.date(2024, 1, 2), expiry=datetime.date(2024, 1, 19), strike=105.0, kind='call', bid=2.0, ask=1.8, underlying=104.0
    pass drop_invalid=True to drop them (the report lists every dropped row)
    >>> clean, report = validate_chain(chain, drop_invalid=True)
    >>> clean.height, dict(report.counts), report.dropped["row"].to_list()
    (2, {'crossed_quote': 1}, [1])
    >>> clean.schema["strike"], clean["kind"].to_list()
    (Float64, ['call', 'call'])
    """  # noqa: E501
    if not isinstance(frame, pl.DataFrame):
        msg = (
            f"`frame` must be a polars.DataFrame, got {type(frame).__name__} "
            "(use fastopt.data.load_chain for files, LazyFrames and pandas frames)"
        )
        raise TypeError(msg)
    n_input = frame.height
    cast, casts = _cast_columns(frame)
    keys = _key_columns(cast)
    in_order = cast.height < 2 or (
        cast["date"].is_sorted()  # cheap early exit for time-shuffled input
        and bool(cast.select(_rows_in_key_order(keys)).item())
    )
    tagged = cast.with_row_index("row")
    if not in_order:
        tagged = tagged.sort([*keys, "row"])  # stable: the first duplicate stays first
    flags = [f"__{r}" for r in REASONS]
    tagged = tagged.with_columns(_checks(cast, keys))
    is_bad = pl.any_horizontal(*[pl.col(f) for f in flags])
    bad = (
        tagged.filter(is_bad)
        .with_columns(_reason_of_flags())
        .sort("row")
        .select("row", *cast.columns, "reason")
    )
    counts: dict[str, int] = {}
    if bad.height:
        vc = bad["reason"].value_counts()
        found = dict(zip(vc["reason"].to_list(), vc["count"].to_list(), strict=True))
        counts = {r: int(found[r]) for r in REASONS if r in found}
        if not drop_invalid:
            raise ValueError(_describe(bad, counts))
        good = tagged.filter(~is_bad).drop("row", *flags)
    else:
        good = tagged.drop("row", *flags)
    report = ValidationReport(
        n_input=n_input,
        n_output=good.height,
        counts=counts,
        dropped=bad,
        resorted=not in_order,
        casts=tuple(casts),
    )
    return good, report
