"""Risk management: a live portfolio with Greeks, limits, pre-trade checks, hedges, stop
rules and alerts.

* :mod:`fastopt.risk.portfolio` -- :class:`Portfolio`, :class:`MarketState`, the Greeks
  per position, per underlying and in total, the spot x vol scenario grid;
* :mod:`fastopt.risk.limits` -- :class:`Limit`, :class:`RiskLimits` (code, dict, YAML);
* :mod:`fastopt.risk.engine` -- :class:`RiskEngine`: pre-trade checks, states ACTIVE /
  REDUCING / HALTED and their transitions;
* :mod:`fastopt.risk.hedging` -- :func:`delta_hedge`, :func:`hedge_suggestions`;
* :mod:`fastopt.risk.stops` -- :class:`StopRules`, :func:`evaluate_stops` (the
  backtest's exit rules and exit kernel);
* :mod:`fastopt.risk.beta` -- :func:`estimate_betas` from a price history;
* :mod:`fastopt.risk.alerts` -- :class:`Alert`, :class:`AlertCenter` (deduplication,
  re-arming, hysteresis).
"""

from fastopt.risk.alerts import Alert, AlertCenter, AlertLog, Severity
from fastopt.risk.beta import estimate_betas
from fastopt.risk.engine import (
    Decision,
    EngineState,
    RiskEngine,
    Transition,
    VarSettings,
    Violation,
)
from fastopt.risk.hedging import (
    HedgeInstrument,
    HedgeSuggestion,
    HedgeTrade,
    delta_hedge,
    hedge_suggestions,
)
from fastopt.risk.limits import MEASURES, Limit, RiskLimits
from fastopt.risk.portfolio import (
    RISK_FIELDS,
    MarketState,
    Portfolio,
    PortfolioGreeks,
    ScenarioGrid,
)
from fastopt.risk.stops import STOP_RULES, StopRules, evaluate_stops

__all__ = [
    "MEASURES",
    "RISK_FIELDS",
    "STOP_RULES",
    "Alert",
    "AlertCenter",
    "AlertLog",
    "Decision",
    "EngineState",
    "HedgeInstrument",
    "HedgeSuggestion",
    "HedgeTrade",
    "Limit",
    "MarketState",
    "Portfolio",
    "PortfolioGreeks",
    "RiskEngine",
    "RiskLimits",
    "ScenarioGrid",
    "Severity",
    "StopRules",
    "Transition",
    "VarSettings",
    "Violation",
    "delta_hedge",
    "estimate_betas",
    "evaluate_stops",
    "hedge_suggestions",
]
