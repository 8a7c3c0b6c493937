"""Typed rule records of the backtest loop: entry, exits, sizing and costs.

Each record is a NumPy structured dtype; the facade
(:func:`fastopt.backtest.rules.compile_rules`) fills one record of each per
rule set, and :func:`fastopt.kernels.backtest.run_nb` reads the fields by
name (a batch passes arrays of records, one row per set). NaN in a float
field switches that rule off.

* :data:`ENTRY` -- when and what to enter: the DTE window and target, open
  positions at most, the delta tolerance of delta-chosen legs, the weekday
  flags (Monday first, 1.0 = allowed), the IV rank / percentile bands, the
  entry timeframe code, the side an entry needs (0 a net credit, 1 a net
  debit, 2 either) and the calendar gap of far legs;
* :data:`EXITS` -- the fields of :class:`fastopt.kernels.exits.ExitRules`, the
  timeframe code on which managed exits are checked, and physical settlement;
* :data:`SIZING` -- capital, fixed quantity, multiplier, margin cap (a
  multiple of the account value), margin sizing fraction, volume
  participation cap, and the Reg T rates of the margin kernel;
* :data:`COSTS` -- entry and exit fills (natural or mid), slippage as a
  fraction of the spread and in money per share, commissions and fees.
"""

from __future__ import annotations

import numpy as np

from fastopt.kernels.exits import ExitRules
from fastopt.kernels.records import record_dtype

_F8 = np.float64

ENTRY = record_dtype(
    [
        ("min_dte", _F8),
        ("max_dte", _F8),
        ("target_dte", _F8),
        ("max_positions", np.int64),
        ("delta_tolerance", _F8),
        ("weekdays", _F8, (7,)),
        ("iv_rank_min", _F8),
        ("iv_rank_max", _F8),
        ("iv_percentile_min", _F8),
        ("iv_percentile_max", _F8),
        ("timeframe", np.int64),
        ("side", np.int64),
        ("calendar_gap", _F8),
    ]
)
"""Entry rules (one record per rule set)."""

EXITS = record_dtype(
    [*((name, _F8) for name in ExitRules._fields), ("timeframe", np.int64), ("physical", np.bool_)]
)
"""Exit rules: :class:`~fastopt.kernels.exits.ExitRules`, the managed timeframe, physical."""

SIZING = record_dtype(
    [
        ("capital", _F8),
        ("quantity", _F8),
        ("multiplier", _F8),
        ("max_margin", _F8),
        ("size_fraction", _F8),
        ("participation", _F8),
        ("naked_pct", _F8),
        ("naked_min_pct", _F8),
        ("stock_initial", _F8),
    ]
)
"""Sizing and margin rules."""

COSTS = record_dtype(
    [
        ("fill_mid", np.bool_),
        ("exit_mid", np.bool_),
        ("slippage", _F8),
        ("slippage_abs", _F8),
        ("commission_per_contract", _F8),
        ("commission_per_order", _F8),
        ("fee_per_contract", _F8),
    ]
)
"""Fill and cost rules."""

SIDE_CREDIT = 0
SIDE_DEBIT = 1
SIDE_ANY = 2
