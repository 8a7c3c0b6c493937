"""Multi-leg strategies: legs, positions, payoff and probability analytics,
margin, sizing, strike optimisation, predefined builders."""

from __future__ import annotations

from fastopt.strategies.analytics import StrategyAnalysis, analyze
from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import LegArrays, Strategy, year_fraction

__all__ = ["Leg", "LegArrays", "Strategy", "StrategyAnalysis", "analyze", "year_fraction"]
