"""The main job: a configured parameter batch, walk-forward and HTML report.

:func:`run_job` is what ``fastopt backtest config/backtest/<name>.yaml`` and
``make demo`` run: load or generate the chain, run the parameter batch, trade
the best set over the whole period, walk it forward, print the tables and
write the self-contained HTML report (:func:`fastopt.backtest.write_report`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastopt.backtest.batch import run_batch
from fastopt.backtest.config import JobConfig
from fastopt.backtest.engine import BacktestResult, run_backtest
from fastopt.backtest.prepared import prepare_chain
from fastopt.backtest.report import write_report
from fastopt.backtest.walkforward import LOWER_IS_BETTER, WalkForwardResult, walk_forward

if TYPE_CHECKING:
    import polars as pl

    from fastopt.strategies.strategy import Strategy
else:
    from fastopt._lazy import polars as pl

__all__ = ["JobResult", "run_job"]

SHOWN_METRICS = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate",
                 "n_trades")  # fmt: skip


@dataclass(frozen=True)
class JobResult:
    """Outcome of :func:`run_job`.

    Attributes
    ----------
    batch : polars.DataFrame or None
        :func:`run_batch` frame (None without a grid).
    best : dict
        The rules of the best set (the configured rules without a grid).
    backtest : BacktestResult
        The best set over the whole period.
    walk_forward : WalkForwardResult or None
    report : pathlib.Path
    seconds : dict of str to float
        Wall time of each step.
    """

    batch: pl.DataFrame | None
    best: dict[str, Any]
    backtest: BacktestResult
    walk_forward: WalkForwardResult | None
    report: Path
    seconds: dict[str, float]


def _load(config: JobConfig) -> pl.DataFrame:
    from fastopt.data import generate_chains, load_chain

    if config.source == "generated":
        return generate_chains(start=config.start, end=config.end, **config.generator)
    return load_chain(config.source, start=config.start, end=config.end)


def _payoff_strategy(result: BacktestResult) -> Strategy | None:
    """The last trade's structure as a Strategy priced at its entry (for the payoff chart)."""
    from fastopt.strategies.strategy import Strategy

    if result.trades.height == 0:
        return None
    last = result.trades.row(-1, named=True)
    ivs = [last[c] for c in ("short_put_iv", "short_call_iv") if last.get(c) is not None]
    vol = sum(ivs) / len(ivs) if ivs else 0.2
    text = "; ".join(last["legs"])
    return Strategy.from_text(text, spot=last["entry_underlying"], vol=vol, asof=last["entry_date"])


def _as_result(wf: WalkForwardResult) -> BacktestResult:
    return BacktestResult(equity=wf.equity.drop("window"), trades=wf.trades.drop("window"),
                          metrics=wf.metrics)  # fmt: skip


def run_job(
    config: JobConfig,
    *,
    progress: bool | None = None,
    echo: Callable[[str], None] = print,
) -> JobResult:
    """Run a configured backtest job end to end and write its report.

    Parameters
    ----------
    config : JobConfig
        From :func:`fastopt.backtest.config.load_config`.
    progress : bool, optional
        Progress bars on the batch and the walk-forward (default: when
        stderr is a terminal).
    echo : callable, default print
        Receives the printed tables and the summary.

    Returns
    -------
    JobResult

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fastopt.backtest.config import parse_config
    >>> from fastopt.backtest.job import run_job
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> cfg = parse_config({"name": "demo", "data": {"start": "2018-01-02", "end": "2018-06-29",
    ...                     "max_dte": 50}, "rules": {"structure": "short_put", "min_dte": 20,
    ...                     "max_dte": 45}, "grid": {"short_delta": [0.1, 0.2]}}, folder)
    >>> res = run_job(cfg, echo=lambda text: None)
    >>> res.batch.height, res.report.name, res.report.exists()
    (2, 'demo.html', True)
    """
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    chain = _load(config)
    prep = prepare_chain(chain)
    seconds["data"] = time.perf_counter() - t0
    echo(f"{config.name}: {chain.height:,} chain rows, {prep.n_days:,} trading days "
         f"{prep.date(0)} .. {prep.date(prep.n_days - 1)} ({seconds['data']:.2f} s)")  # fmt: skip

    batch = None
    best: dict[str, Any] = dict(config.rules)
    if config.grid is not None:
        t0 = time.perf_counter()
        batch = run_batch(prep, config.grid, fixed=config.rules, progress=progress)
        seconds["batch"] = time.perf_counter() - t0
        ranked = batch.sort(config.metric, descending=config.metric not in LOWER_IS_BETTER,
                            nulls_last=True, maintain_order=True)  # fmt: skip
        top = ranked.head(config.top).select("set", *config.grid, *SHOWN_METRICS)
        echo(f"\nparameter batch: {batch.height} sets in {seconds['batch']:.2f} s; "
             f"best {config.top} by {config.metric}:")  # fmt: skip
        with pl.Config(tbl_rows=config.top, tbl_cols=-1, tbl_width_chars=160,
                       float_precision=4, tbl_hide_dataframe_shape=True):  # fmt: skip
            echo(str(top))
        best = {**config.rules, **{k: ranked[k][0] for k in config.grid}}

    t0 = time.perf_counter()
    backtest = run_backtest(prep, **best)
    seconds["backtest"] = time.perf_counter() - t0

    wf = None
    main = backtest
    if config.walk_forward is not None and config.grid is not None:
        t0 = time.perf_counter()
        wf = walk_forward(prep, config.grid, fixed=config.rules, progress=progress,
                          **config.walk_forward)  # fmt: skip
        seconds["walk_forward"] = time.perf_counter() - t0
        cols = ["window", "out_start", "out_end", *config.grid,
                f"in_sample_{config.walk_forward.get('metric', 'sharpe')}",
                "out_of_sample_return", "out_of_sample_trades"]  # fmt: skip
        echo(f"\nwalk-forward: {wf.windows.height} windows in {seconds['walk_forward']:.2f} s")
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=160, float_precision=4,
                       tbl_hide_dataframe_shape=True):  # fmt: skip
            echo(str(wf.windows.select(cols)))
        if wf.trades.height:
            main = _as_result(wf)
    with pl.Config(tbl_cols=-1, tbl_width_chars=160, float_precision=4,
                   tbl_hide_dataframe_shape=True):  # fmt: skip
        label = "walk-forward out-of-sample" if main is not backtest else "best set, whole period"
        echo(f"\n{label}:")
        echo(str(main.metrics.select(SHOWN_METRICS)))

    t0 = time.perf_counter()
    underlying = pl.DataFrame({"date": prep.dates, "underlying": prep.underlying})
    title = f"{config.name}: " + (
        "walk-forward out-of-sample" if main is not backtest else "backtest of the best set"
    )
    report = write_report(
        config.report_path, main, title=title, underlying=underlying, batch=batch,
        batch_params=list(config.grid or ()), metric=config.metric,
        walk_forward=None if wf is None else wf.windows, strategy=_payoff_strategy(main),
        top=config.top,
    )  # fmt: skip
    seconds["report"] = time.perf_counter() - t0
    echo(f"\nreport: {report} ({seconds['report']:.2f} s)")
    return JobResult(batch=batch, best=best, backtest=backtest, walk_forward=wf, report=report,
                     seconds=seconds)  # fmt: skip
