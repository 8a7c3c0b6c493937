"""Golden outputs for behaviour-preserving refactors of the position core.

``python -m tests.golden.capture record DIR`` runs every named backtest structure
(and variants with stops, targets, rolls, early assignment, physical settlement,
margin sizing, fees, Greek exits, mid fills) on a fixed generated ten-year chain,
a parameter batch, and the analytics, Greeks and margin of every strategy
builder, and writes the results to ``DIR``; ``compare DIR`` runs the same and
reports every difference bit for bit (NaN equal to NaN). Not part of the test
suite: it takes a minute warm and is run before and after a refactor.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from fastopt.backtest import run_backtest, run_batch
from fastopt.backtest.rules import LEGS
from fastopt.data import generate_chains


def _variants() -> dict[str, dict[str, Any]]:
    runs: dict[str, dict[str, Any]] = {}
    for name in LEGS:
        kw: dict[str, Any] = {"structure": name, "width": 25.0, "long_delta": None}
        if name in ("covered_call", "protective_put", "collar", "covered_put"):
            kw["width"] = None
        runs[name] = kw
    ic = {"structure": "iron_condor", "width": 50.0}
    runs.update(
        {
            "ic_fees_mid": {
                **ic,
                "fill": "mid",
                "slippage": 0.1,
                "commission_per_contract": 0.65,
                "commission_per_order": 1.0,
                "fee_per_contract": 0.1,
                "exit_fill": "mid",
            },
            "ic_stops_targets": {
                **ic,
                "profit_target": 0.25,
                "stop_loss": 1.0,
                "exit_dte": 7,
                "max_hold_days": 20,
                "max_positions": 3,
            },
            "ic_margin_sized": {
                **ic,
                "capital_per_trade": 0.2,
                "max_margin_usage": 0.5,
                "max_positions": 4,
            },
            "ic_roll": {**ic, "roll_dte": 10, "roll_delta": 0.35, "profit_target": None},
            "ic_greek_exits": {**ic, "gamma_exit": 5.0, "vega_exit": 100.0, "delta_exit": 0.3},
            "ic_filters": {
                **ic,
                "iv_rank_min": 30.0,
                "weekdays": ["mon", "wed", "fri"],
                "entry_timeframe": "week",
                "slippage_ticks": 1.0,
            },
            "sp_assignment": {
                "structure": "short_put",
                "short_delta": 0.4,
                "early_assignment_extrinsic": 0.5,
                "settlement": "physical",
                "profit_target": None,
                "stop_loss": None,
            },
            "cc_early": {
                "structure": "covered_call",
                "short_delta": 0.3,
                "early_assignment_extrinsic": 0.3,
                "profit_target": None,
            },
            "bps_physical": {
                "structure": "bull_put_spread",
                "short_delta": 0.3,
                "width": 50.0,
                "settlement": "physical",
                "profit_target": None,
                "stop_loss": None,
            },
            "strangle_moneyness": {
                "structure": "short_strangle",
                "short_moneyness": 0.05,
                "quantity": 3,
                "max_positions": 2,
            },
            "ratio_custom": {
                "structure": "custom",
                "legs": [
                    {"units": -2, "kind": "put", "delta": 0.2},
                    {"units": 1, "kind": "put", "wing": 25.0, "of": 0, "direction": "in"},
                ],
                "entry_side": "any",
            },
        }
    )
    return runs


def _builder_cases() -> dict[str, Any]:
    from tests.unit.test_builders import CASES, MKT

    return {name: (args, {**MKT, **kw}) for name, (args, kw, _legs, _facts) in CASES.items()}


def _frame_to_dict(frame: pl.DataFrame) -> dict[str, list[Any]]:
    return {c: frame[c].to_list() for c in frame.columns}


def capture() -> dict[str, Any]:
    """Every golden output as plain Python values (floats kept exactly via repr)."""
    from fastopt.strategies.builders import BUILDERS

    chain = generate_chains(start="2009-01-01", end="2018-12-31", seed=1, max_dte=100)
    out: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, kw in _variants().items():
            res = run_backtest(chain, **kw)
            out[f"bt/{key}/equity"] = _frame_to_dict(res.equity)
            out[f"bt/{key}/trades"] = _frame_to_dict(res.trades)
            out[f"bt/{key}/metrics"] = _frame_to_dict(res.metrics)
        grid = {
            "short_delta": [0.1, 0.16, 0.25],
            "width": [25.0, 50.0],
            "profit_target": [0.5, None],
            "min_dte": [20, 30],
        }
        batch = run_batch(
            chain,
            grid,
            fixed={"structure": "iron_condor", "commission_per_contract": 0.65},
            progress=False,
        )
        out["batch"] = _frame_to_dict(batch)
        for name, (args, kw) in _builder_cases().items():
            st = BUILDERS[name](100.0, *args, **kw)
            facts: dict[str, Any] = {"str": str(st)}
            for attr in ("max_profit", "max_loss", "breakevens"):
                try:
                    facts[attr] = getattr(st, attr)
                except Exception as exc:
                    facts[attr] = f"error {type(exc).__name__}: {exc}"
            try:
                facts["pop"] = st.pop()
            except Exception as exc:
                facts["pop"] = f"error {type(exc).__name__}: {exc}"
            try:
                g = st.greeks()
                facts["greeks"] = [
                    np.asarray(getattr(g, k)).tolist()
                    for k in (
                        "price",
                        "delta",
                        "gamma",
                        "vega",
                        "theta",
                        "rho",
                        "vanna",
                        "volga",
                        "charm",
                    )
                ]
            except Exception as exc:
                facts["greeks"] = f"error {type(exc).__name__}: {exc}"
            try:
                m = st.margin()
                facts["margin"] = repr(m)
            except Exception as exc:
                facts["margin"] = f"error {type(exc).__name__}: {exc}"
            try:
                a = st.analyze()
                facts["analyze"] = repr(a)
            except Exception as exc:
                facts["analyze"] = f"error {type(exc).__name__}: {exc}"
            out[f"strategy/{name}"] = facts
    return out


def _encode(value: Any) -> Any:
    if isinstance(value, float):
        return {"f": value.hex()} if math.isfinite(value) else {"f": repr(value)}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, (np.floating,)):
        return _encode(float(value))
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return repr(value)


def main(argv: list[str]) -> int:
    mode, folder = argv[1], Path(argv[2])
    data = _encode(capture())
    path = folder / "goldens.json"
    if mode == "record":
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=0, sort_keys=True))
        print(f"recorded {len(data)} goldens to {path}")
        return 0
    old = json.loads(path.read_text())
    bad = 0
    for key in sorted(set(old) | set(data)):
        if old.get(key) != data.get(key):
            bad += 1
            a, b = old.get(key), data.get(key)
            if isinstance(a, dict) and isinstance(b, dict):
                cols = [c for c in set(a) | set(b) if a.get(c) != b.get(c)]
                print(f"DIFF {key}: {sorted(cols)}")
            else:
                print(f"DIFF {key}")
    print(f"{len(data) - bad} of {len(data)} goldens identical, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
