"""Cold compile time of the backtest path: the first ``run_backtest`` and the first
``run_batch`` call in a fresh process with an empty Numba cache.

``python benchmarks/compile_backtest.py [label]`` prints the times and appends a row
to ``benchmarks/results/compile_backtest.csv``. Each measurement runs in its own
subprocess with a new temporary ``NUMBA_CACHE_DIR``; the chain is built before the
clock starts (its generator's kernels are compiled first on a one-day chain).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, time, warnings
warnings.simplefilter("ignore")
from fastopt.data import generate_chains
generate_chains(start="2018-01-02", end="2018-01-05", seed=1)
chain = generate_chains(start="2016-01-01", end="2016-12-31", seed=1)
from fastopt.backtest import prepare_chain, run_backtest, run_batch
prep = prepare_chain(chain)
t0 = time.perf_counter(); run_backtest(prep, width=50.0); t1 = time.perf_counter()
run_batch(prep, {"short_delta": [0.1, 0.2]}, fixed={"width": 50.0}, progress=False)
t2 = time.perf_counter()
run_backtest(prep, width=50.0); t3 = time.perf_counter()
print(json.dumps({"run_backtest_first_s": t1 - t0, "run_batch_first_s": t2 - t1,
                  "run_backtest_warm_s": t3 - t2}))
"""


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", CHILD], env=env, check=False, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        out = proc.stdout
        total = time.perf_counter() - start
    result = json.loads(out.strip().splitlines()[-1])
    result["process_s"] = total
    return result


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "now"
    r = measure()
    print(json.dumps(r, indent=1))
    path = Path(__file__).parent / "results" / "compile_backtest.csv"
    new = not path.exists()
    with path.open("a") as fh:
        if new:
            fh.write("label,run_backtest_first_s,run_batch_first_s,run_backtest_warm_s,process_s\n")
        fh.write(
            f"{label},{r['run_backtest_first_s']:.2f},{r['run_batch_first_s']:.2f},"
            f"{r['run_backtest_warm_s']:.3f},{r['process_s']:.1f}\n"
        )


if __name__ == "__main__":
    main()
