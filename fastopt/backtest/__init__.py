"""Backtest analytics: performance metrics and drawdowns of equity curves.

See :mod:`fastopt.backtest.metrics` and ``docs/metrics.md``.
"""

from __future__ import annotations

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
    "ZERO_VOL",
    "drawdown",
    "performance_metrics",
]
