"""Load option chains from files and frames into the chain schema (:func:`load_chain`)."""

from __future__ import annotations

import datetime as dt
import math
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeAlias, overload

import numpy as np
import polars as pl

from fastopt._validate import as_date
from fastopt.data.schema import validate_chain
from fastopt.exceptions import FastoptWarning

__all__ = ["ChainSource", "DateLike", "load_chain", "to_polars"]

ChainSource: TypeAlias = "str | os.PathLike[str] | pl.DataFrame | pl.LazyFrame | Any"
"""A Parquet/CSV path, a Polars DataFrame/LazyFrame or a pandas DataFrame."""

DateLike: TypeAlias = "dt.date | dt.datetime | str"
"""A date, a datetime or an ISO ``"YYYY-MM-DD"`` string."""

_PARQUET = (".parquet", ".pq")
_CSV = (".csv",)
_UNITS = ("ms", "us", "ns")
_KIND_WORDS = {"call": "call", "c": "call", "put": "put", "p": "put"}


def _is_pandas_frame(obj: object) -> bool:
    cls = type(obj)
    return cls.__name__ == "DataFrame" and cls.__module__.split(".")[0] == "pandas"


def _pandas_to_polars(df: Any) -> pl.DataFrame:
    """Convert a pandas DataFrame column by column (no pyarrow needed).

    A named (or date-like) index becomes a column. Datetime columns keep their
    time (tz-aware ones are converted to UTC and made naive); NaN in float
    columns is pandas' missing value and becomes null; nullable and object
    columns go through Python lists with missing values as null.
    """
    import pandas as pd

    if not isinstance(df.index, pd.RangeIndex) and (
        df.index.name is not None or isinstance(df.index, pd.DatetimeIndex)
    ):
        df = df.reset_index()
    data: list[pl.Series] = []
    for name in df.columns:
        s = df[name]
        key = str(name)
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            data.append(pl.Series(key, s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()))
        elif isinstance(s.dtype, np.dtype) and s.dtype.kind in "biufMm":
            arr = s.to_numpy()
            if arr.dtype.kind in "Mm" and np.datetime_data(arr.dtype)[0] not in _UNITS:
                arr = arr.astype(f"{arr.dtype.str[1:3]}[us]")
            data.append(pl.Series(key, arr, nan_to_null=arr.dtype.kind == "f"))
        else:
            values = [
                None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
                for v in s.tolist()
            ]
            if values and all(isinstance(v, pd.Timestamp) or v is None for v in values):
                values = [None if v is None else v.to_pydatetime() for v in values]
            data.append(pl.Series(key, values, strict=False))
    return pl.DataFrame(data)


def to_polars(frame: object, *, name: str = "frame") -> pl.DataFrame:
    """A Polars DataFrame from a Polars DataFrame, a LazyFrame (collected) or a pandas frame.

    The one conversion of frames into Polars that the chain readers share
    (:func:`load_chain`, :mod:`fastopt.strategies.chain_select`). pandas frames are
    converted column by column, without pyarrow: a named or DatetimeIndex becomes a
    column, NaN in float columns becomes null, tz-aware datetimes become naive UTC.

    Parameters
    ----------
    frame : polars.DataFrame, polars.LazyFrame or pandas.DataFrame
        The frame; a Polars DataFrame is returned as is.
    name : str, default "frame"
        The argument's name in the error message.

    Returns
    -------
    polars.DataFrame

    Raises
    ------
    TypeError
        ``frame`` is none of the accepted types.

    Examples
    --------
    >>> import pandas as pd
    >>> from fastopt.data import to_polars
    >>> to_polars(pd.DataFrame({"strike": [100.0, float("nan")]}))["strike"].to_list()
    [100.0, None]
    >>> to_polars({"strike": [1.0]}, name="chain")
    Traceback (most recent call last):
    ...
    TypeError: `chain` must be a polars or pandas DataFrame, got dict (a polars LazyFrame is collected)
    """  # noqa: E501
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if _is_pandas_frame(frame):
        return _pandas_to_polars(frame)
    msg = (
        f"`{name}` must be a polars or pandas DataFrame, got {type(frame).__name__} "
        "(a polars LazyFrame is collected)"
    )
    raise TypeError(msg)


def _scan(source: str | os.PathLike[str]) -> pl.LazyFrame:
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in _PARQUET + _CSV:
        msg = (
            f"cannot tell the format of chain file {str(path)!r} from its suffix "
            f"{suffix!r}; expected one of {', '.join(_PARQUET + _CSV)}"
        )
        raise ValueError(msg)
    if not path.is_file():
        msg = f"chain file not found: {str(path)!r}"
        raise FileNotFoundError(msg)
    if suffix in _PARQUET:
        return pl.scan_parquet(path)
    return pl.scan_csv(path, try_parse_dates=True)


def _kind_expr() -> pl.Expr:
    """``kind`` spelled any common way (``"C"``, ``" Call "``, ...) as ``"call"``/``"put"``."""
    low = pl.col("kind").cast(pl.String).str.strip_chars().str.to_lowercase()
    return low.replace(_KIND_WORDS).alias("kind")


def _normalise(
    lf: pl.LazyFrame, columns: Mapping[str, str] | None, *, kind: bool = True
) -> pl.LazyFrame:
    """Rename vendor columns, normalise string/datetime dates and (``kind=True``) ``kind``,
    lazily."""
    names = lf.collect_schema().names()
    bom = {n: n.lstrip("\ufeff").strip() for n in names if n != n.lstrip("\ufeff").strip()}
    if bom:
        lf = lf.rename(bom)
        names = [bom.get(n, n) for n in names]
    if columns:
        unknown = [k for k in columns if k not in names]
        if unknown:
            msg = f"`columns` maps {unknown} but the source has no such column(s); got {names}"
            raise ValueError(msg)
        targets = [columns.get(n, n) for n in names]
        clash = sorted({t for t in targets if targets.count(t) > 1})
        if clash:
            msg = f"`columns` maps several source columns to {clash}"
            raise ValueError(msg)
        lf = lf.rename(dict(columns))
    schema = lf.collect_schema()
    exprs: list[pl.Expr] = []
    if kind and _textual_kind(schema):
        exprs.append(_kind_expr())
    for name in ("date", "expiry"):
        if name in schema and schema[name] == pl.String:
            exprs.append(pl.col(name).str.to_date(strict=True))
    if "expiry" in schema and isinstance(schema["expiry"], pl.Datetime):
        exprs.append(pl.col("expiry").dt.date())
    return lf.with_columns(exprs) if exprs else lf


def _textual_kind(schema: Mapping[str, Any]) -> bool:
    dtype = schema.get("kind")
    return dtype is not None and (
        dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    )


def _date_filter(lf: pl.LazyFrame, start: DateLike | None, end: DateLike | None) -> pl.LazyFrame:
    if start is None and end is None:
        return lf
    schema = lf.collect_schema()
    if "date" not in schema:
        msg = "`start`/`end` need a `date` column (map it with `columns=`)"
        raise ValueError(msg)
    dtype = schema["date"]
    lo = None if start is None else as_date(start, "start")
    hi = None if end is None else as_date(end, "end")
    if lo is not None and hi is not None and lo > hi:
        msg = f"`start` ({lo}) is after `end` ({hi})"
        raise ValueError(msg)
    col = pl.col("date")
    conds: list[pl.Expr] = []
    if isinstance(dtype, pl.Datetime):
        if lo is not None:
            conds.append(col >= pl.lit(dt.datetime.combine(lo, dt.time())).cast(dtype))
        if hi is not None:
            stop = dt.datetime.combine(hi + dt.timedelta(days=1), dt.time())
            conds.append(col < pl.lit(stop).cast(dtype))
    else:
        if lo is not None:
            conds.append(col >= pl.lit(lo))
        if hi is not None:
            conds.append(col <= pl.lit(hi))
    return lf.filter(pl.all_horizontal(conds))


@overload
def load_chain(
    source: ChainSource,
    *,
    columns: Mapping[str, str] | None = ...,
    lazy: Literal[False] = ...,
    start: DateLike | None = ...,
    end: DateLike | None = ...,
    drop_invalid: bool = ...,
) -> pl.DataFrame: ...
@overload
def load_chain(
    source: ChainSource,
    *,
    columns: Mapping[str, str] | None = ...,
    lazy: Literal[True],
    start: DateLike | None = ...,
    end: DateLike | None = ...,
    drop_invalid: bool = ...,
) -> pl.LazyFrame: ...
def load_chain(
    source: ChainSource,
    *,
    columns: Mapping[str, str] | None = None,
    lazy: bool = False,
    start: DateLike | None = None,
    end: DateLike | None = None,
    drop_invalid: bool = False,
) -> pl.DataFrame | pl.LazyFrame:
    """Load an option chain into the chain schema.

    Parameters
    ----------
    source : path, polars.DataFrame, polars.LazyFrame or pandas.DataFrame
        A ``.parquet``/``.pq`` or ``.csv`` file (the suffix picks the reader;
        files are scanned, so filters reach the reader), or a frame. pandas
        frames are converted column by column (no pyarrow needed); a named or
        DatetimeIndex becomes a column.
    columns : mapping, optional
        Vendor name -> schema name, e.g. ``{"quotedate": "date", "type":
        "kind", "underlying_last": "underlying"}``. ``kind`` values such as
        ``"C"``/``"P"``/``"Call"`` are normalised to ``"call"``/``"put"``.
    lazy : bool, default False
        True: return a ``LazyFrame`` (renamed and normalised, with the date
        range filter pushed down to the scan) that is *not yet validated* --
        call :func:`validate_chain` on what you collect. False: collect and
        validate.
    start, end : date, datetime or ISO string, optional
        Keep quote dates in ``[start, end]`` (inclusive, whole days).
    drop_invalid : bool, default False
        Passed to :func:`validate_chain` (eager loads only). Dropped rows are
        announced with a :class:`fastopt.FastoptWarning` that summarises the
        report.

    Returns
    -------
    polars.DataFrame or polars.LazyFrame
        A validated chain sorted by ``(date, expiry, strike, kind)``; a
        Datetime ``date`` whose times are all midnight becomes Date.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Unknown file suffix; a ``columns`` key the source lacks; ``start >
        end``; any validation error of :func:`validate_chain`.
    TypeError
        ``source`` is none of the accepted types.

    Examples
    --------
    >>> import polars as pl
    >>> from fastopt.data import load_chain
    >>> vendor = pl.DataFrame({
    ...     "quotedate": ["2018-01-02", "2018-01-02", "2018-01-03"],
    ...     "expiration": ["2018-01-19"] * 3, "strike": [2700, 2700, 2700],
    ...     "type": ["C", "P", "C"], "bid": [20.1, 22.0, 25.3], "ask": [20.6, 22.5, 25.9],
    ...     "underlying_last": [2695.8, 2695.8, 2713.1]})
    >>> chain = load_chain(vendor, columns={"quotedate": "date", "expiration": "expiry",
    ...                                     "type": "kind", "underlying_last": "underlying"},
    ...                    start="2018-01-02", end="2018-01-02")
    >>> chain.select("date", "kind", "strike").rows()
    [(datetime.date(2018, 1, 2), 'call', 2700.0), (datetime.date(2018, 1, 2), 'put', 2700.0)]
    """
    lf: pl.LazyFrame
    if isinstance(source, str | os.PathLike):
        lf = _scan(source)
    elif isinstance(source, pl.LazyFrame):
        lf = source
    elif isinstance(source, pl.DataFrame) or _is_pandas_frame(source):
        lf = to_polars(source, name="source").lazy()
    else:
        msg = (
            "`source` must be a Parquet/CSV path, a polars DataFrame/LazyFrame or a pandas "
            f"DataFrame, got {type(source).__name__}"
        )
        raise TypeError(msg)
    lf = _date_filter(_normalise(lf, columns, kind=lazy), start, end)
    if lazy:
        return lf
    frame = lf.collect()
    if _textual_kind(frame.schema) and not (
        frame.schema["kind"] == pl.String and bool(frame["kind"].is_in(["call", "put"]).all())
    ):  # spelled otherwise: normalise (skipped when already canonical: 4M strings cost)
        frame = frame.with_columns(_kind_expr())
    if "date" in frame.columns and isinstance(frame.schema["date"], pl.Datetime):
        d = frame["date"]
        if d.is_null().all() or bool((d.dt.truncate("1d") == d).all()):
            frame = frame.with_columns(pl.col("date").dt.date())
    chain, report = validate_chain(frame, drop_invalid=drop_invalid)
    if report.n_dropped:
        warnings.warn(
            f"load_chain dropped invalid rows: {report} (call validate_chain(..., "
            "drop_invalid=True) on the frame for the full report)",
            FastoptWarning,
            stacklevel=2,
        )
    return chain
