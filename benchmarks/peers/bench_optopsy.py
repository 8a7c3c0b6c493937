"""fastopt backtests against optopsy 2.3 ``simulate`` (same chain, same rules as far as it allows).

Targets (issue 5, backtest groundwork):
- one iron-condor backtest with delta targeting, stops, bid/ask fills and commissions
  over ten years of generated S&P 500 chains: >= 10x optopsy's ``simulate`` on the
  same chain and rules (warm; fastopt's time includes its chain validation);
- a 1,000-parameter-set batch: under 60 s, and its time per set >= 100x below
  optopsy's time for one combination (an optopsy sweep is a Python loop of
  ``simulate`` calls, so one call is its per-combination cost).

The chain is ``generate_chains(start="2009-01-01", end="2018-12-31", seed=1)``,
converted once (outside the timed region) to optopsy's pandas layout. Both sides:
an iron condor, short legs |delta| nearest 0.16 and long wings |delta| nearest 0.05
(each within 0.05), the expiry nearest 45 DTE within 30-60 DTE, natural (bid/ask)
entry fills, take profit at 50 % of the credit, stop loss at a loss of 2x the
credit, 0.65 per contract, one position at a time. The rule differences that
neither library lets us remove are listed in ``benchmarks/peers/README.md`` and in
the recorded ``rule_differences``. Results go to ``benchmarks/results/backtest_peers.json``.

optopsy 2.3 declares Python >= 3.12; the ``peers`` extra installs it there only, and
on 3.11 pip would pick 2.2, which has none of this API (no ``simulate``, stops,
commissions or per-leg delta targets). On 3.11 install it with
``pip install optopsy==2.3.0 --ignore-requires-python`` (it imports and runs);
otherwise these tests skip with that reason.
"""

from __future__ import annotations

import collections
import importlib.metadata
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from benchmarks.conftest import record, wall_seconds
from fastopt.backtest import prepare_chain, run_backtest, run_batch
from fastopt.data import generate_chains

op = pytest.importorskip(
    "optopsy",
    reason="optopsy is not installed (pip install -e .[peers] on Python >= 3.12; on 3.11: "
    "pip install optopsy==2.3.0 --ignore-requires-python)",
)
if not hasattr(op, "simulate"):  # optopsy <= 2.2: pip's pick on Python 3.11
    pytest.skip(
        "optopsy >= 2.3 is needed (simulate, stops, commissions, per-leg delta targets); on "
        "Python 3.11: pip install optopsy==2.3.0 --ignore-requires-python",
        allow_module_level=True,
    )

START, END = "2009-01-01", "2018-12-31"
SHORT_DELTA, LONG_DELTA, TOLERANCE = 0.16, 0.05, 0.05
MIN_DTE, MAX_DTE = 30, 60
TARGET_DTE = (MIN_DTE + MAX_DTE) / 2  # fastopt's default: the middle of the window
PROFIT_TARGET, STOP_LOSS, COMMISSION = 0.5, 2.0, 0.65
SINGLE_RATIO, BATCH_RATIO, BATCH_SECONDS = 10.0, 100.0, 60.0

RULES: dict[str, Any] = {
    "short_delta": SHORT_DELTA, "long_delta": LONG_DELTA, "delta_tolerance": TOLERANCE,
    "min_dte": MIN_DTE, "max_dte": MAX_DTE, "profit_target": PROFIT_TARGET,
    "stop_loss": STOP_LOSS, "fill": "natural", "commission_per_contract": COMMISSION,
}  # fmt: skip

# 10 x 5 x 4 x 5 = 1,000 sets, every one a valid condor (wing delta below the short delta).
GRID: dict[str, list[Any]] = {
    "short_delta": [round(0.10 + 0.02 * i, 2) for i in range(10)],
    "long_delta": [0.02, 0.03, 0.04, 0.05, 0.06],
    "profit_target": [0.25, 0.5, 0.75, 1.0],
    "min_dte": [20, 25, 30, 35, 40],
}
FIXED: dict[str, Any] = {
    "structure": "iron_condor", "max_dte": MAX_DTE, "stop_loss": STOP_LOSS,
    "fill": "natural", "commission_per_contract": COMMISSION,
}  # fmt: skip

RULE_DIFFERENCES = [
    "exit triggers: optopsy tests take-profit/stop-loss on the mid-price P&L of the legs, "
    "fastopt on the natural debit to close (same thresholds: debit <= 0.5 x credit, "
    "debit >= 3 x credit)",
    "early-exit fills: optopsy closes at the mid, fastopt at the natural price (shorts at "
    "the ask, longs at the bid); entries are natural on both sides",
    "expiry: fastopt settles at intrinsic value from the underlying (no commission); optopsy "
    "closes each leg at its last quote at natural prices, with exit_dte_tolerance=60 (the "
    "generated strike grid narrows to +-3 sd as expiry nears, so far-from-the-money legs "
    "stop being quoted before expiry, and optopsy drops every trade without a quote at "
    "exactly 0 DTE)",
    "commissions: both charge 0.65 x 4 contracts per side, but optopsy's simulate leaves them "
    "out of realized_pnl (only its pct_change has them) and also charges the expiry side; "
    "fastopt deducts them from the P&L except at expiry settlement",
    "end of data: fastopt closes at natural on the last day (end_of_data) and does not enter "
    "on it; optopsy closes at the legs' last quotes and labels it expiration",
    "target DTE: optopsy has no minimum entry DTE nor target DTE: its raw candidates are "
    "filtered by a wrapper to the expiry fastopt trades (nearest 45 DTE within 30-60, "
    "precomputed from the chain outside the timed region)",
    "quotes: optopsy ignores quotes whose bid or ask is <= min_bid_ask (set to 1e-9, so "
    "zero bids are out); fastopt accepts a zero bid",
    "stops are checked from the day after entry on days every leg is quoted on both sides; "
    "optopsy stops checking on each contract's last quote date",
    "margin: fastopt checks the Reg T buying-power reduction against the account (never "
    "binding for one condor on 100,000); optopsy has no margin",
]


def to_optopsy(chain: pl.DataFrame) -> pd.DataFrame:
    """The chain in optopsy's layout (built from NumPy columns: no pyarrow needed)."""
    return pd.DataFrame(
        {
            "underlying_symbol": np.full(chain.height, "SPX", dtype=object),
            "underlying_price": chain["underlying"].to_numpy(),
            "option_type": chain["kind"].to_numpy().astype(object),  # "call" / "put"
            "expiration": chain["expiry"].cast(pl.Datetime("ns")).to_numpy(),
            "quote_date": chain["date"].cast(pl.Datetime("ns")).to_numpy(),
            "strike": chain["strike"].to_numpy(),
            "bid": chain["bid"].to_numpy(),
            "ask": chain["ask"].to_numpy(),
            "delta": chain["delta"].to_numpy(),
        }
    )


def traded_expiry(chain: pl.DataFrame) -> pd.Series:
    """Per quote date, the expiry fastopt trades: nearest TARGET_DTE in the window, ties the
    earlier (index: quote date as datetime64[ns])."""
    pairs = (
        chain.select("date", "expiry").unique()
        .with_columns(dte=(pl.col("expiry") - pl.col("date")).dt.total_days())
        .filter(pl.col("dte").is_between(MIN_DTE, MAX_DTE))
        .with_columns(dist=(pl.col("dte") - TARGET_DTE).abs())
        .sort("date", "dist", "expiry").unique("date", keep="first").sort("date")
    )  # fmt: skip
    return pd.Series(
        pairs["expiry"].cast(pl.Datetime("ns")).to_numpy(),
        index=pd.DatetimeIndex(pairs["date"].cast(pl.Datetime("ns")).to_numpy()),
    )


def band(target: float) -> Any:
    """fastopt's delta rule as an optopsy range: nearest ``target`` within the tolerance."""
    return op.TargetRange(target=target, min=max(target - TOLERANCE, 1e-6),
                          max=target + TOLERANCE)  # fmt: skip


def optopsy_rules() -> dict[str, Any]:
    return {
        "max_entry_dte": MAX_DTE, "exit_dte": 0, "exit_dte_tolerance": MAX_DTE,
        "leg1_delta": band(LONG_DELTA), "leg2_delta": band(SHORT_DELTA),
        "leg3_delta": band(SHORT_DELTA), "leg4_delta": band(LONG_DELTA),
        "slippage": "spread", "commission": op.Commission(per_contract=COMMISSION),
        "take_profit": PROFIT_TARGET, "stop_loss": -STOP_LOSS, "min_bid_ask": 1e-9,
    }  # fmt: skip


def make_strategy(expiry_by_date: pd.Series):
    """op.iron_condor restricted to fastopt's expiry choice (optopsy has no min/target DTE)."""

    def iron_condor_in_window(data: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        raw = op.iron_condor(data, **kwargs)
        if raw.empty:
            return raw
        entry = raw["expiration"] - pd.to_timedelta(raw["dte_entry"], unit="D")
        want = expiry_by_date.reindex(entry.to_numpy()).to_numpy()
        return raw[want == raw["expiration"].to_numpy()]

    return iron_condor_in_window


def run_optopsy(df: pd.DataFrame, strategy) -> Any:
    with warnings.catch_warnings():  # pandas SettingWithCopy / empyrical warnings inside optopsy
        warnings.simplefilter("ignore")
        return op.simulate(df, strategy, capital=100_000.0, quantity=1, max_positions=1,
                           selector="first", **optopsy_rules())  # fmt: skip


def trade_keys_fastopt(trades: pl.DataFrame) -> set[tuple[Any, ...]]:
    keys = set()
    for entry, legs in zip(trades["entry_date"].to_list(), trades["legs"].to_list(), strict=True):
        keys.add((entry, tuple(sorted(float(leg.split()[2]) for leg in legs))))
    return keys


def trade_keys_optopsy(log: pd.DataFrame) -> set[tuple[Any, ...]]:
    keys = set()
    for entry, desc in zip(log["entry_date"], log["description"], strict=True):
        strikes = tuple(sorted(float(part.split()[1]) for part in desc.split("/")))
        keys.add((pd.Timestamp(entry).date(), strikes))
    return keys


@pytest.fixture(scope="module")
def chains():
    chain = generate_chains(start=START, end=END, seed=1)
    return chain, to_optopsy(chain), make_strategy(traded_expiry(chain))


@pytest.fixture(scope="module")
def optopsy_run(chains):
    """One warm optopsy simulate (warmed on one month): (result, seconds)."""
    _, df, strategy = chains
    first = df["quote_date"].iloc[0]
    run_optopsy(df[df["quote_date"] < first + pd.Timedelta(days=31)], strategy)  # warm-up
    t0 = time.perf_counter()
    res = run_optopsy(df, strategy)
    return res, time.perf_counter() - t0


@pytest.mark.benchmark(group="backtest-peers")
def test_iron_condor_vs_optopsy(benchmark, chains, optopsy_run):
    chain, _, _ = chains
    sim, t_peer = optopsy_run

    def ours():
        return run_backtest(chain, "iron_condor", **RULES)

    res = ours()
    t_ours = wall_seconds(ours, reps=5)
    log = sim.trade_log
    ratio = t_peer / t_ours
    n_peer = len(log)
    comm_side = COMMISSION * 4  # per side of one condor
    same = trade_keys_fastopt(res.trades) & trade_keys_optopsy(log)
    record("backtest_peers", {
        "optopsy_version": importlib.metadata.version("optopsy"),
        "chain": {"start": START, "end": END, "seed": 1, "rows": chain.height},
        "iron_condor": {
            "fastopt_s": t_ours, "optopsy_s": t_peer, "ratio": ratio,
            "target_ratio": SINGLE_RATIO, "target_fastopt_s": 0.3,
            "fastopt_trades": res.trades.height, "optopsy_trades": n_peer,
            "same_entry_and_strikes": len(same),
            "fastopt_exit_reasons": dict(collections.Counter(res.trades["exit_reason"].to_list())),
            "optopsy_exit_reasons": dict(collections.Counter(log["exit_type"].tolist())),
            "fastopt_total_pnl": float(res.trades["pnl"].sum()),
            "optopsy_total_pnl_as_reported": float(log["realized_pnl"].sum()),
            "optopsy_total_pnl_less_commissions": float(log["realized_pnl"].sum()
                                                        - 2 * comm_side * n_peer),
            "rules": RULES,
            "optopsy_rules": {k: (v.model_dump() if hasattr(v, "model_dump") else v)
                              for k, v in optopsy_rules().items()},
        },
        "rule_differences": RULE_DIFFERENCES,
    })  # fmt: skip
    benchmark.pedantic(ours, rounds=3, iterations=1)
    assert res.trades.height > 50
    assert n_peer > 50
    assert len(same) >= 0.25 * min(res.trades.height, n_peer)  # the same trades, largely
    assert t_ours <= 0.3, f"{t_ours:.3f} s"
    assert ratio >= SINGLE_RATIO, f"only {ratio:.1f}x optopsy"


@pytest.mark.benchmark(group="backtest-peers")
def test_batch_1000_vs_optopsy(benchmark, chains, optopsy_run):
    import numba

    chain, _, _ = chains
    _, t_peer = optopsy_run  # one optopsy combination: its cost per set of a sweep
    t0 = time.perf_counter()
    prep = prepare_chain(chain)
    t_prep = time.perf_counter() - t0
    run_batch(prep, {k: v[:2] for k, v in GRID.items()}, fixed=FIXED, progress=False)  # compile
    c0, t0 = time.process_time(), time.perf_counter()
    out = run_batch(prep, GRID, fixed=FIXED, progress=False)
    t_batch, cpu_batch = time.perf_counter() - t0, time.process_time() - c0
    n_sets = out.height
    per_set = t_batch / n_sets
    ratio = t_peer / per_set
    record("backtest_peers", {"batch_1000": {
        "sets": n_sets, "grid": GRID, "fixed": FIXED, "threads": numba.get_num_threads(),
        "prepare_s": t_prep, "fastopt_s": t_batch, "fastopt_cpu_s": cpu_batch,
        "fastopt_per_set_s": per_set, "fastopt_cpu_per_set_s": cpu_batch / n_sets,
        "optopsy_per_combination_s": t_peer, "ratio": ratio,
        "ratio_cpu": t_peer / (cpu_batch / n_sets), "target_ratio": BATCH_RATIO,
        "target_s": BATCH_SECONDS, "sets_with_trades": int((out["n_trades"] > 0).sum()),
        "trades_min": int(out["n_trades"].min()), "trades_max": int(out["n_trades"].max()),
    }})  # fmt: skip
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    assert n_sets == 1000
    assert t_batch < BATCH_SECONDS, f"{t_batch:.1f} s"
    assert ratio >= BATCH_RATIO, f"only {ratio:.0f}x optopsy per combination"
