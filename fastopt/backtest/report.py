"""A self-contained HTML report of a backtest: metrics, charts and tables in one file.

:func:`write_report` renders a :class:`~fastopt.backtest.BacktestResult` (and,
optionally, a buy-and-hold benchmark, a parameter batch, a walk-forward table
and the traded structure) into a single HTML page. plotly.js is embedded once,
inline, so the file opens offline; every text is HTML-escaped; the file is
written atomically (a temporary file in the target directory, then a rename),
so a failed or interrupted run never leaves a partial report.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt._validate import check_int
from fastopt.backtest.engine import BacktestResult
from fastopt.backtest.walkforward import LOWER_IS_BETTER
from fastopt.strategies.strategy import Strategy

if TYPE_CHECKING:
    import plotly.graph_objects as go
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = ["write_report"]

RECENT_TRADES = 20
"""Rows of the recent-trades table."""

# section headings (the tests look for them)
H_METRICS = "Headline metrics"
H_EQUITY = "Equity and drawdown"
H_MONTHLY = "Monthly returns"
H_PARAMS = "Parameter sweep"
H_BEST = "Best parameter sets"
H_TRADES = "Trade statistics"
H_RECENT = "Recent trades"
H_WALK = "Walk-forward windows"
H_PAYOFF = "Payoff diagram"

_HEADLINE: tuple[tuple[str, str], ...] = (
    ("total_return", "Total return"),
    ("cagr", "CAGR"),
    ("sharpe", "Sharpe"),
    ("sortino", "Sortino"),
    ("calmar", "Calmar"),
    ("max_drawdown", "Max drawdown"),
    ("win_rate", "Win rate"),
    ("profit_factor", "Profit factor"),
    ("n_trades", "Trades"),
)
_LABELS: dict[str, str] = {
    **dict(_HEADLINE),
    "annual_volatility": "Annual volatility",
    "max_drawdown_duration": "Max drawdown duration (days)",
    "max_drawdown_recovery": "Max drawdown recovery (days)",
    "tail_ratio": "Tail ratio",
    "exposure": "Exposure",
    "expectancy": "Expectancy",
    "avg_win": "Average win",
    "avg_loss": "Average loss",
}
_PERCENT = frozenset(
    {
        "total_return",
        "cagr",
        "annual_volatility",
        "max_drawdown",
        "win_rate",
        "exposure",
        "benchmark_return",
        "benchmark_max_drawdown",
        "excess_return",
        "share",
    }
)
_MONEY = frozenset(
    {
        "expectancy",
        "avg_win",
        "avg_loss",
        "pnl",
        "commissions",
        "entry_credit",
        "exit_debit",
        "entry_underlying",
        "equity",
    }
)
_RECENT_COLUMNS = (
    "entry_date",
    "exit_date",
    "expiry",
    "legs",
    "quantity",
    "entry_underlying",
    "entry_credit",
    "exit_debit",
    "commissions",
    "pnl",
    "exit_reason",
    "days_held",
)
_MISSING = "–"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True}
_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1200px;
       padding: 1.5em 2em; color: #222; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.sub { color: #666; margin-top: 0; }
.note { color: #666; font-size: 0.9em; }
.kpis { display: flex; flex-wrap: wrap; gap: 0.8em; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; min-width: 8em; }
.kpi .v { font-size: 1.35em; font-weight: bold; }
.kpi .l { color: #666; font-size: 0.85em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.7em; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; }
td.t, th.t { text-align: left; }
.wrap { overflow-x: auto; }
"""


# --------------------------------------------------------------------------- formatting
def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: object, name: str = "") -> str:
    """A cell's text: percents, money and plain numbers by column name and type."""
    if value is None:
        return _MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if name in _PERCENT:
            return f"{v:.2%}"
        if name in _MONEY:
            return f"{v:,.2f}"
        a = abs(v)
        if a >= 1000.0:
            return f"{v:,.2f}"
        if a == 0.0:
            return "0"
        if a >= 1e-4:
            return f"{v:.4g}"
        return f"{v:.3e}"
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    text_columns: Sequence[int] = (),
) -> str:
    """An HTML table of already-formatted cells (escaped here)."""
    left = set(text_columns)

    def cls(i: int) -> str:
        return ' class="t"' if i in left else ""

    head = "".join(f"<th{cls(i)}>{_esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{_esc(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (
        f'<div class="wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _frame_table(frame: pl.DataFrame) -> str:
    """Every row and column of ``frame`` as an HTML table (text columns left-aligned)."""
    text = [i for i, dtype in enumerate(frame.dtypes) if not dtype.is_numeric()]
    rows = [[_fmt(v, c) for c, v in zip(frame.columns, row, strict=True)] for row in frame.rows()]
    return _table(frame.columns, rows, text_columns=text)


def _section(heading: str, *parts: str) -> str:
    return f"<section><h2>{_esc(heading)}</h2>\n" + "\n".join(parts) + "\n</section>"


def _note(text: str) -> str:
    return f'<p class="note">{_esc(text)}</p>'


# --------------------------------------------------------------------------- validation
def _as_frame(value: object, name: str) -> pl.DataFrame:
    """A Polars frame from a Polars (lazy) frame or a pandas frame, else ``TypeError``."""
    if isinstance(value, pl.LazyFrame):
        value = value.collect()
    if isinstance(value, pl.DataFrame):
        return value
    if type(value).__module__.startswith("pandas"):
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            out: pl.DataFrame = pl.from_pandas(value)
            return out
    msg = f"`{name}` must be a polars DataFrame, got {type(value).__name__}"
    raise TypeError(msg)


def _require_columns(frame: pl.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"`{name}` needs columns {missing}; got columns {frame.columns}"
        raise ValueError(msg)


def _check_result(result: object) -> BacktestResult:
    if not isinstance(result, BacktestResult):
        msg = f"`result` must be a fastopt.backtest.BacktestResult, got {type(result).__name__}"
        raise TypeError(msg)
    for attr in ("equity", "trades", "metrics"):
        frame = getattr(result, attr)
        if not isinstance(frame, pl.DataFrame):
            msg = f"`result.{attr}` must be a polars DataFrame, got {type(frame).__name__}"
            raise TypeError(msg)
    _require_columns(result.equity, ("date", "equity"), "result.equity")
    if result.equity.height == 0:
        msg = "`result.equity` has no rows: nothing to report"
        raise ValueError(msg)
    if not result.equity.schema["date"].is_temporal():
        msg = f"`result.equity` column 'date' must be a date, got {result.equity.schema['date']}"
        raise TypeError(msg)
    if result.equity["equity"].null_count():
        msg = "`result.equity` column 'equity' has missing values"
        raise ValueError(msg)
    return result


def _check_underlying(value: object) -> pl.DataFrame:
    frame = _as_frame(value, "underlying")
    _require_columns(frame, ("date", "underlying"), "underlying")
    frame = frame.select("date", "underlying")
    dtype = frame.schema["date"]
    if isinstance(dtype, pl.Datetime):
        frame = frame.with_columns(pl.col("date").dt.date())
    elif dtype != pl.Date:
        msg = f"`underlying` column 'date' must be a Date, got {dtype}"
        raise TypeError(msg)
    if not frame.schema["underlying"].is_numeric():
        msg = f"`underlying` column 'underlying' must be numeric, got {frame.schema['underlying']}"
        raise TypeError(msg)
    if frame["date"].is_duplicated().any():
        first = frame.filter(pl.col("date").is_duplicated())["date"][0]
        msg = f"`underlying` has duplicate dates (first {first}); give one row per date"
        raise ValueError(msg)
    return frame.with_columns(pl.col("underlying").cast(pl.Float64))


def _check_batch(
    value: object, params: object, metric: str
) -> tuple[pl.DataFrame | None, list[str]]:
    if isinstance(params, str) or not isinstance(params, Sequence):
        msg = f"`batch_params` must be a sequence of column names, got {params!r}"
        raise TypeError(msg)
    names = list(params)
    bad = [p for p in names if not isinstance(p, str)]
    if bad:
        msg = f"`batch_params` must hold column names (str), got {bad!r}"
        raise TypeError(msg)
    if len(set(names)) != len(names):
        msg = f"`batch_params` has duplicate names: {names}"
        raise ValueError(msg)
    if value is None:
        if names:
            msg = "`batch_params` given without `batch`"
            raise ValueError(msg)
        return None, names
    batch = _as_frame(value, "batch")
    missing = [p for p in names if p not in batch.columns]
    if missing:
        msg = f"`batch_params` names {missing} are not columns of `batch` ({batch.columns})"
        raise ValueError(msg)
    if metric not in batch.columns:
        msg = f"`metric` {metric!r} is not a column of `batch`; got columns {batch.columns}"
        raise ValueError(msg)
    if metric in names:
        msg = f"`metric` {metric!r} is one of `batch_params`; pick a metric column"
        raise ValueError(msg)
    if not batch.schema[metric].is_numeric():
        msg = f"`metric` column {metric!r} of `batch` must be numeric, got {batch.schema[metric]}"
        raise TypeError(msg)
    return batch, names


# --------------------------------------------------------------------------- computations
def _start_equity(equity: pl.DataFrame) -> float:
    """The starting capital: the first equity less the first day's P&L (when known)."""
    first = float(equity["equity"][0])
    if "pnl" in equity.columns and equity["pnl"][0] is not None:
        return first - float(equity["pnl"][0])
    return first


def _monthly_returns(equity: pl.DataFrame, start: float) -> pl.DataFrame:
    """Month-end equity and the month's return, one row per calendar month with data.

    Returns columns ``year``, ``month`` (1-12), ``equity`` (the last value of the
    month) and ``return`` (a fraction: month-end over the previous month-end,
    the first month over ``start``; null when the previous value is <= 0).
    """
    ends = (
        equity.select("date", pl.col("equity").cast(pl.Float64))
        .sort("date")
        .group_by(pl.col("date").dt.truncate("1mo").alias("period"), maintain_order=True)
        .agg(pl.col("equity").last())
    )
    prev = pl.col("equity").shift(1, fill_value=start)
    return ends.select(
        pl.col("period").dt.year().alias("year"),
        pl.col("period").dt.month().alias("month"),
        "equity",
        pl.when(prev > 0.0).then(pl.col("equity") / prev - 1.0).otherwise(None).alias("return"),
    )


def _buy_and_hold(equity: pl.DataFrame, underlying: pl.DataFrame, start: float) -> pl.Series:
    """``start × underlying / underlying on the first equity date``, on the equity's dates.

    Days without an underlying value carry the previous one forward.
    """
    dates = equity.select(pl.col("date").cast(pl.Date)).with_row_index("_row")
    joined = (
        dates.join(underlying, on="date", how="left")
        .sort("_row")
        .with_columns(pl.col("underlying").fill_null(strategy="forward"))
    )
    first = joined["underlying"][0]
    if first is None or not math.isfinite(first) or first <= 0.0:
        day = joined["date"][0]
        msg = f"`underlying` needs a finite value > 0 on the first equity date {day}, got {first}"
        raise ValueError(msg)
    out: pl.Series = (joined["underlying"] * (start / first)).alias("buy_and_hold")
    return out


def _best_expr(metric: str) -> pl.Expr:
    value = pl.col(metric).cast(pl.Float64).fill_nan(None)
    return (value.min() if metric in LOWER_IS_BETTER else value.max()).alias(metric)


def _param_pivot(batch: pl.DataFrame, x: str, y: str, metric: str) -> pl.DataFrame:
    """The best ``metric`` for each (``x``, ``y``) pair over every other parameter.

    Best is the max, or the min for :data:`LOWER_IS_BETTER` metrics; NaN counts as
    missing. Rows sorted by ``x`` then ``y``.
    """
    return batch.group_by(x, y).agg(_best_expr(metric)).sort(x, y, nulls_last=True)


def _best_sets(batch: pl.DataFrame, metric: str, top: int) -> pl.DataFrame:
    """The ``top`` rows of ``batch`` ranked by ``metric`` (best first; NaN and null last)."""
    key = "__fastopt_rank_key__"
    ranked = batch.with_columns(pl.col(metric).cast(pl.Float64).fill_nan(None).alias(key)).sort(
        key, descending=metric not in LOWER_IS_BETTER, nulls_last=True, maintain_order=True
    )
    return ranked.drop(key).head(top)


def _trade_stats(trades: pl.DataFrame) -> list[tuple[str, str]]:
    """(label, value) rows of the trade statistics."""
    n = trades.height
    rows: list[tuple[str, str]] = [("Trades", f"{n:,}")]
    if "pnl" not in trades.columns or n == 0:
        return rows
    pnl = trades["pnl"].cast(pl.Float64).drop_nulls().drop_nans()
    wins = pnl.filter(pnl > 0.0)
    losses = pnl.filter(pnl < 0.0)

    def money(value: Any) -> str:
        return _MISSING if value is None else f"{float(value):,.2f}"

    rows += [
        ("Winners", f"{wins.len():,}"),
        ("Losers", f"{losses.len():,}"),
        ("Win rate", f"{wins.len() / pnl.len():.2%}" if pnl.len() else _MISSING),
        ("Total P&L", money(pnl.sum())),
        ("Average P&L", money(pnl.mean())),
        ("Average win", money(wins.mean() if wins.len() else None)),
        ("Average loss", money(losses.mean() if losses.len() else None)),
        ("Largest win", money(wins.max() if wins.len() else None)),
        ("Largest loss", money(losses.min() if losses.len() else None)),
    ]
    if "days_held" in trades.columns:
        mean = trades.select(pl.col("days_held").cast(pl.Float64).mean()).item()
        rows.append(("Average days held", _MISSING if mean is None else f"{mean:.1f}"))
    if "commissions" in trades.columns:
        rows.append(("Total commissions", money(trades["commissions"].sum())))
    return rows


def _exit_reasons(trades: pl.DataFrame) -> pl.DataFrame:
    """Trades per ``exit_reason``: ``exit_reason``, ``trades``, ``share``, ``pnl`` (sum)."""
    aggs = [pl.len().alias("trades")]
    if "pnl" in trades.columns:
        aggs.append(pl.col("pnl").sum().alias("pnl"))
    counts = trades.group_by("exit_reason").agg(aggs)
    return counts.with_columns((pl.col("trades") / trades.height).alias("share")).sort(
        ["trades", "exit_reason"], descending=[True, False]
    )


# --------------------------------------------------------------------------- figures
def _equity_figure(equity: pl.DataFrame, benchmark: pl.Series | None) -> go.Figure:
    """Equity (+ buy-and-hold) on top, drawdown below (:func:`fastopt.viz.equity_figure`)."""
    import plotly.graph_objects as go

    from fastopt.viz import style as st
    from fastopt.viz.equity import equity_figure

    fig = equity_figure(equity.select("date", "equity"))
    if benchmark is not None:
        fig.add_trace(
            go.Scatter(
                x=equity["date"].to_list(),
                y=benchmark.to_numpy(),
                name="buy & hold",
                mode="lines",
                line={"color": st.BENCHMARK_LINE, "width": 1.5, "dash": "dot"},
                hovertemplate="%{x}<br>buy & hold %{y:,.2f}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.update_layout(height=560)
    return fig


def _monthly_figure(monthly: pl.DataFrame) -> go.Figure:
    """Year x month heatmap of the monthly returns in %."""
    import plotly.graph_objects as go

    from fastopt.viz import style as st

    years = sorted(set(monthly["year"].to_list()))
    z: list[list[float | None]] = [[None] * 12 for _ in years]
    yearly: dict[int, float] = dict.fromkeys(years, 1.0)
    for year, month, ret in monthly.select("year", "month", "return").iter_rows():
        if ret is not None:
            z[years.index(year)][month - 1] = 100.0 * ret
            yearly[year] *= 1.0 + ret
    labels = [f"{y} ({yearly[y] - 1.0:+.1%})" for y in years]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(_MONTHS),
            y=labels,
            colorscale="RdYlGn",
            zmid=0.0,
            texttemplate="%{z:.1f}",
            hovertemplate="%{y} %{x}: %{z:.2f}%<extra></extra>",
            colorbar={"title": {"text": "%"}},
            xgap=2,
            ygap=2,
        )
    )
    layout = st.base_layout(
        "monthly returns (%), year total in brackets",
        "",
        "",
        height=max(260, 80 + 36 * len(years)),
    )
    layout["yaxis"].update(type="category", autorange="reversed")
    fig.update_layout(layout)
    return fig


def _param_figure(batch: pl.DataFrame, params: Sequence[str], metric: str) -> go.Figure:
    """Heatmap of the best ``metric`` over the first two parameters, or a line for one."""
    import plotly.graph_objects as go

    from fastopt.viz import style as st

    lower = metric in LOWER_IS_BETTER
    best = "min" if lower else "max"
    if len(params) == 1:
        p = params[0]
        line = batch.group_by(p).agg(_best_expr(metric)).sort(p, nulls_last=True)
        fig = go.Figure(
            go.Scatter(
                x=line[p].to_list(),
                y=line[metric].to_list(),
                mode="lines+markers",
                name=metric,
                line={"color": st.EQUITY_LINE},
            )
        )
        fig.update_layout(st.base_layout(f"{metric} by {p}", p, metric))
        return fig
    x, y = params[0], params[1]
    pivot = _param_pivot(batch, x, y, metric)
    xs = pivot[x].unique(maintain_order=True).to_list()
    ys = pivot[y].unique().sort(nulls_last=True).to_list()
    z: list[list[float | None]] = [[None] * len(xs) for _ in ys]
    for xv, yv, v in pivot.iter_rows():
        z[ys.index(yv)][xs.index(xv)] = v
    rest = list(params[2:])
    title = f"{metric} by {x} and {y}" + (f" ({best} over {', '.join(rest)})" if rest else "")
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(v) for v in xs],
            y=[str(v) for v in ys],
            colorscale=st.COLORSCALE_SEQUENTIAL,
            reversescale=lower,
            texttemplate="%{z:.3g}",
            hovertemplate=f"{x} %{{x}}<br>{y} %{{y}}<br>{metric} %{{z:.4g}}<extra></extra>",
            colorbar={"title": {"text": metric}},
        )
    )
    layout = st.base_layout(title, x, y)
    layout["xaxis"]["type"] = "category"
    layout["yaxis"]["type"] = "category"
    fig.update_layout(layout)
    return fig


class _Figures:
    """Renders figures to HTML divs: plotly.js inline with the first one only."""

    def __init__(self) -> None:
        self.count = 0

    def div(self, fig: go.Figure) -> str:
        self.count += 1
        return str(
            fig.to_html(
                full_html=False,
                include_plotlyjs=self.count == 1,
                config=_PLOT_CONFIG,
                div_id=f"fastopt-figure-{self.count}",
                default_height=f"{int(fig.layout.height or 450)}px",
            )
        )


# --------------------------------------------------------------------------- sections
def _metrics_section(metrics: pl.DataFrame) -> str:
    if metrics.height == 0:
        return _section(H_METRICS, _note("no metrics"))
    row = metrics.row(0, named=True)
    cards = "".join(
        f'<div class="kpi"><div class="v">{_esc(_fmt(row[k], k))}</div>'
        f'<div class="l">{_esc(label)}</div></div>'
        for k, label in _HEADLINE
        if k in row
    )
    shown = {k for k, _ in _HEADLINE} | {"curve"}
    others = [
        (_LABELS.get(k, k.replace("_", " ")), _fmt(v, k)) for k, v in row.items() if k not in shown
    ]
    parts = [f'<div class="kpis">{cards}</div>']
    if others:
        parts.append(_table(("metric", "value"), others, text_columns=(0,)))
    return _section(H_METRICS, *parts)


def _trades_sections(trades: pl.DataFrame) -> list[str]:
    parts = [_table(("statistic", "value"), _trade_stats(trades), text_columns=(0,))]
    if "exit_reason" in trades.columns and trades.height:
        parts.append("<h3>By exit reason</h3>")
        parts.append(_frame_table(_exit_reasons(trades)))
    out = [_section(H_TRADES, *parts)]
    if trades.height:
        cols = [c for c in _RECENT_COLUMNS if c in trades.columns] or trades.columns
        recent = trades.select(cols).tail(RECENT_TRADES)
        out.append(
            _section(
                H_RECENT,
                _note(f"the last {recent.height} of {trades.height} trades, in entry order"),
                _frame_table(recent),
            )
        )
    return out


def _header(title: str, equity: pl.DataFrame, start: float, bench: pl.Series | None) -> str:
    first, last = equity["date"][0], equity["date"][-1]
    end = float(equity["equity"][-1])
    facts = [
        f"{_fmt(first)} to {_fmt(last)}",
        f"{equity.height:,} days",
        f"starting equity {start:,.2f}",
        f"final equity {end:,.2f}",
    ]
    if bench is not None and start > 0.0:
        facts.append(f"buy & hold {float(bench[-1]) / start - 1.0:+.2%}")
    return f'<h1>{_esc(title)}</h1>\n<p class="sub">{_esc(" · ".join(facts))}</p>'


# --------------------------------------------------------------------------- public
def write_report(
    path: str | os.PathLike[str],
    result: BacktestResult,
    *,
    title: str = "fastopt backtest",
    underlying: pl.DataFrame | None = None,
    batch: pl.DataFrame | None = None,
    batch_params: Sequence[str] = (),
    metric: str = "sharpe",
    walk_forward: pl.DataFrame | None = None,
    strategy: Strategy | None = None,
    top: int = 10,
) -> Path:
    """Write a self-contained HTML report of a backtest.

    The page has, in order: the headline metrics, the equity curve (against
    buy-and-hold when ``underlying`` is given) with its drawdown, a heatmap of
    the monthly returns, the parameter sweep and its best sets (with
    ``batch``), the trade statistics and the last 20 trades, the walk-forward
    windows (with ``walk_forward``) and the payoff diagram of the traded
    structure (with ``strategy``). plotly.js is embedded once, inline: the file
    opens offline and needs no network.

    Parameters
    ----------
    path : str or os.PathLike
        The HTML file. Its directory is created if missing; an existing file
        is replaced atomically (written to a temporary file in the same
        directory, then renamed), so a failure leaves no partial report and
        no temporary file, and keeps an earlier report intact.
    result : BacktestResult
        From :func:`fastopt.backtest.run_backtest`.
    title : str, default "fastopt backtest"
        The page title (escaped).
    underlying : polars.DataFrame, optional
        Columns ``date`` (Date) and ``underlying``: the buy-and-hold benchmark,
        ``starting equity × underlying / underlying on the first equity
        date``, joined on ``date`` (a missing day carries the previous value).
        The starting equity is the first day's equity less its P&L.
    batch : polars.DataFrame, optional
        Parameter-batch results, one row per parameter set.
    batch_params : sequence of str, default ()
        The parameter columns of ``batch`` (the rest are metrics). With two or
        more, a heatmap of the best ``metric`` over the first two, taken over
        the others; with one, ``metric`` against it.
    metric : str, default "sharpe"
        The ``batch`` column that ranks the sets and colours the heatmap.
        Larger is better, except for ``max_drawdown_duration``,
        ``max_drawdown_recovery`` and ``annual_volatility`` (smaller is).
        NaN and null rank last.
    walk_forward : polars.DataFrame, optional
        Walk-forward windows (any columns), shown as a table.
    strategy : Strategy, optional
        The traded structure: its payoff diagram
        (:func:`fastopt.viz.payoff_figure`).
    top : int, default 10
        Rows of the best-sets table.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        An argument of the wrong type (``result`` not a BacktestResult, a
        frame that is not a frame, ``strategy`` not a Strategy, a non-numeric
        ``metric`` column, ...).
    ValueError
        ``metric`` or ``batch_params`` names that are not columns of
        ``batch``, ``batch_params`` without ``batch``, ``top < 1``,
        ``underlying`` without the needed columns or value on the first
        equity date, ``path`` an existing directory.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from fastopt.backtest import run_backtest
    >>> from fastopt.backtest.report import write_report
    >>> from fastopt.data import generate_chains
    >>> chain = generate_chains(start="2018-01-02", end="2018-03-30", max_dte=45, seed=1)
    >>> res = run_backtest(chain, "iron_condor", short_delta=0.16, width=50.0)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = write_report(Path(d) / "reports" / "condor.html", res, title="Iron condor")
    ...     page = out.read_text(encoding="utf-8")
    >>> out.name, "<h2>Monthly returns</h2>" in page, page.count("* plotly.js v")
    ('condor.html', True, 1)
    """
    from fastopt.viz.export import atomic_write

    if not isinstance(path, str | os.PathLike):
        msg = f"`path` must be a str or path-like, got {type(path).__name__}"
        raise TypeError(msg)
    target = Path(path)
    if target.is_dir():
        msg = f"`path` {str(target)!r} is a directory; give a file name such as report.html"
        raise ValueError(msg)
    res = _check_result(result)
    if not isinstance(title, str):
        msg = f"`title` must be a str, got {type(title).__name__}"
        raise TypeError(msg)
    if not isinstance(metric, str):
        msg = f"`metric` must be a str (a column of `batch`), got {metric!r}"
        raise TypeError(msg)
    n_top = check_int(top, "top", 1)
    under = None if underlying is None else _check_underlying(underlying)
    frame, params = _check_batch(batch, batch_params, metric)
    walk = None if walk_forward is None else _as_frame(walk_forward, "walk_forward")
    if strategy is not None and not isinstance(strategy, Strategy):
        msg = f"`strategy` must be a fastopt Strategy, got {type(strategy).__name__}"
        raise TypeError(msg)

    equity = res.equity.sort("date")
    start = _start_equity(equity)
    bench = None if under is None else _buy_and_hold(equity, under, start)
    figures = _Figures()

    body = [_header(title, equity, start, bench), _metrics_section(res.metrics)]
    body.append(
        _section(
            H_EQUITY + (" vs buy-and-hold" if bench is not None else ""),
            figures.div(_equity_figure(equity, bench)),
        )
    )
    monthly = _monthly_returns(equity, start)
    body.append(
        _section(
            H_MONTHLY,
            _note(
                "month-end equity over the previous month-end (the first month over the "
                "starting equity)"
            ),
            figures.div(_monthly_figure(monthly)),
        )
    )
    if frame is not None:
        if params and frame.height:
            body.append(_section(H_PARAMS, figures.div(_param_figure(frame, params, metric))))
        order = "lowest" if metric in LOWER_IS_BETTER else "highest"
        best = _best_sets(frame, metric, n_top)
        body.append(
            _section(
                H_BEST,
                _note(f"the {best.height} of {frame.height} sets with the {order} {metric}"),
                _frame_table(best),
            )
        )
    body.extend(_trades_sections(res.trades))
    if walk is not None:
        body.append(_section(H_WALK, _frame_table(walk)))
    if strategy is not None:
        from fastopt.viz.payoff import payoff_figure

        body.append(_section(H_PAYOFF, figures.div(payoff_figure(strategy))))

    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, page.encode("utf-8"))
    return target
