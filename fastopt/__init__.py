"""fastopt: fast, accurate options analytics.

Numba-compiled kernels (``fastopt.kernels``) under a typed facade. See the
README and ``docs/`` for the guides.
"""

from __future__ import annotations

from fastopt.exceptions import FastoptWarning, ImpliedVolError, ImpliedVolWarning
from fastopt.parallel import (
    get_num_threads,
    get_parallel_threshold,
    set_num_threads,
    set_parallel_threshold,
)
from fastopt.pricing import bs_greeks, bs_price
from fastopt.results import Greeks
from fastopt.volatility import (
    ExpectedMove,
    expected_move,
    iv_percentile,
    iv_rank,
    realized_vol,
    vol_regime,
)

__version__ = "0.1.0"

__all__ = [
    "ExpectedMove",
    "FastoptWarning",
    "Greeks",
    "ImpliedVolError",
    "ImpliedVolWarning",
    "__version__",
    "bs_greeks",
    "bs_price",
    "expected_move",
    "get_num_threads",
    "get_parallel_threshold",
    "iv_percentile",
    "iv_rank",
    "realized_vol",
    "set_num_threads",
    "set_parallel_threshold",
    "vol_regime",
]
