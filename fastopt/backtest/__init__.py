"""Backtests and their analytics: the compiled backtest loop, performance metrics, drawdowns.

See :mod:`fastopt.backtest.engine` (``docs/backtest.md``) and
:mod:`fastopt.backtest.metrics` (``docs/metrics.md``).
"""

from __future__ import annotations

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

__all__ = [
    "BENCHMARK_COLUMNS",
    "METRIC_COLUMNS",
    "STRUCTURES",
    "ZERO_VOL",
    "BacktestResult",
    "NoTradesWarning",
    "drawdown",
    "performance_metrics",
    "run_backtest",
]
