"""Backtests and their analytics: the compiled backtest loop, performance metrics, drawdowns.

See :mod:`fastopt.backtest.engine` (``docs/backtest.md``) and
:mod:`fastopt.backtest.metrics` (``docs/metrics.md``).
"""

from __future__ import annotations

from fastopt.backtest.batch import BATCH_COLUMNS, BatchInterrupted, run_batch
from fastopt.backtest.engine import (
    STRUCTURES,
    BacktestResult,
    NoTradesWarning,
    run_backtest,
)
from fastopt.backtest.metrics import (
    BENCHMARK_COLUMNS,
    METRIC_COLUMNS,
    ZERO_VOL,
    drawdown,
    performance_metrics,
)
from fastopt.backtest.prepared import PreparedChain, prepare_chain
from fastopt.backtest.replay import Replay, replay
from fastopt.backtest.report import write_report
from fastopt.backtest.walkforward import LOWER_IS_BETTER, WalkForwardResult, walk_forward

__all__ = [
    "BATCH_COLUMNS",
    "BENCHMARK_COLUMNS",
    "LOWER_IS_BETTER",
    "METRIC_COLUMNS",
    "STRUCTURES",
    "ZERO_VOL",
    "BacktestResult",
    "BatchInterrupted",
    "NoTradesWarning",
    "PreparedChain",
    "Replay",
    "WalkForwardResult",
    "drawdown",
    "performance_metrics",
    "prepare_chain",
    "replay",
    "run_backtest",
    "run_batch",
    "walk_forward",
    "write_report",
]
