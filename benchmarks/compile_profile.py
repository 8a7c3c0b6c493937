"""Which kernels the first backtest compiles, and for how long (empty Numba cache).

``python benchmarks/compile_profile.py`` runs, in a fresh process with a new
temporary cache, the first ``run_backtest`` and ``run_batch`` calls and prints every
compiled function with its inclusive compile time (callees compiled inside a caller
count in both), slowest first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

CHILD = r"""
import time, warnings, collections
warnings.simplefilter("ignore")
from numba.core import event
from fastopt.data import generate_chains
chain = generate_chains(start="2016-01-01", end="2016-03-31", seed=1)
from fastopt.backtest import prepare_chain, run_backtest, run_batch
prep = prepare_chain(chain)
starts, total = {}, collections.Counter()
class Listener(event.Listener):
    def on_start(self, ev):
        starts[id(ev.data["dispatcher"]), str(ev.data["args"])] = time.perf_counter()
    def on_end(self, ev):
        key = id(ev.data["dispatcher"]), str(ev.data["args"])
        name = ev.data["dispatcher"].py_func.__module__ + "." + ev.data["dispatcher"].__name__
        total[name] += time.perf_counter() - starts.pop(key)
with event.install_listener("numba:compile", Listener()):
    t0 = time.perf_counter()
    run_backtest(prep, width=50.0)
    t1 = time.perf_counter()
    first = total.copy()
    total.clear()
    run_batch(prep, {"short_delta": [0.1, 0.2]}, fixed={"width": 50.0}, progress=False)
    t2 = time.perf_counter()
print(f"run_backtest first {t1 - t0:.1f} s, run_batch first {t2 - t1:.1f} s")
for title, counts in (("run_backtest", first), ("run_batch", total)):
    print(f"-- compiled by the first {title} call")
    for name, secs in counts.most_common(15):
        print(f"{secs:7.2f} s  {name}")
"""

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        sys.exit(subprocess.run([sys.executable, "-c", CHILD], env=env, check=False).returncode)
