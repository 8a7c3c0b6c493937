"""fastopt: fast, accurate options analytics.

Numba-compiled kernels (``fastopt.kernels``) under a typed facade. See the
README and ``docs/`` for the guides.
"""

from __future__ import annotations

from fastopt.closed_forms import geometric_asian_price, margrabe_price, merton_jump_price
from fastopt.exceptions import FastoptWarning, ImpliedVolError, ImpliedVolWarning
from fastopt.iv import IVStatus, implied_vol
from fastopt.montecarlo import GreekEstimate, MCGreeks, MCResult, mc_greeks, mc_price
from fastopt.parallel import (
    get_num_threads,
    get_parallel_threshold,
    set_num_threads,
    set_parallel_threshold,
)
from fastopt.pricing import bs_greeks, bs_price
from fastopt.results import Greeks
from fastopt.risk_measures import RiskMeasures, expected_shortfall, portfolio_risk, value_at_risk
from fastopt.simulation import (
    FellerWarning,
    Paths,
    simulate_correlated_gbm,
    simulate_gbm,
    simulate_heston,
    simulate_merton,
)
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
    "FellerWarning",
    "GreekEstimate",
    "Greeks",
    "IVStatus",
    "ImpliedVolError",
    "ImpliedVolWarning",
    "MCGreeks",
    "MCResult",
    "Paths",
    "RiskMeasures",
    "__version__",
    "bs_greeks",
    "bs_price",
    "expected_move",
    "expected_shortfall",
    "geometric_asian_price",
    "get_num_threads",
    "get_parallel_threshold",
    "implied_vol",
    "iv_percentile",
    "iv_rank",
    "margrabe_price",
    "mc_greeks",
    "mc_price",
    "merton_jump_price",
    "portfolio_risk",
    "realized_vol",
    "set_num_threads",
    "set_parallel_threshold",
    "simulate_correlated_gbm",
    "simulate_gbm",
    "simulate_heston",
    "simulate_merton",
    "value_at_risk",
    "vol_regime",
]
