"""Speed of the paths the position-core refactor touches, for a before/after record.

``python benchmarks/position_core_speed.py LABEL`` times, warm (JIT excluded), the
10-year iron-condor backtest (best of 7), the 1,000-set batch (best of 3) and the
iron-condor full analysis (best of 300), and adds them under ``LABEL`` to
``benchmarks/results/position_core.json``. Run it on the old and the new code in the
same session, one after the other (never two timings at once on this machine).
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

from benchmarks.bench_backtest import BATCH_FIXED, BATCH_GRID
from benchmarks.bench_strategy import full_analysis
from fastopt.backtest import prepare_chain, run_backtest, run_batch
from fastopt.data import generate_chains
from fastopt.strategies.builders import iron_condor


def best(fn, reps):  # type: ignore[no-untyped-def]
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    label = sys.argv[1]
    warnings.simplefilter("ignore")
    chain = generate_chains(start="2009-01-01", end="2018-12-31", seed=1)
    prep = prepare_chain(chain)

    def ic() -> object:
        return run_backtest(chain, "iron_condor", short_delta=0.16, width=50.0, min_dte=30,
                            max_dte=60, profit_target=0.5, stop_loss=2.0, fill="natural",
                            commission_per_contract=0.65)  # fmt: skip

    def batch() -> object:
        return run_batch(prep, BATCH_GRID, fixed=BATCH_FIXED, progress=False)

    s = iron_condor(100.0, 85.0, 90.0, 110.0, 115.0, "2025-03-21", vol=0.2, asof="2025-02-21")
    ic()
    batch()
    full_analysis(s)
    out = {
        "iron_condor_10y_s": best(ic, 7),
        "batch_1000_sets_s": best(batch, 3),
        "iron_condor_full_analysis_s": best(lambda: full_analysis(s), 300),
    }
    print(label, json.dumps(out))
    path = Path(__file__).parent / "results" / "position_core.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[label] = out
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
