"""Shared benchmark helpers: seeded data, CPU-time measurement, result recording."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

RESULTS = Path(__file__).parent / "results"


def cpu_seconds(fn: Callable[[], Any], *, reps: int = 7) -> float:
    """Best-of-``reps`` process CPU seconds of ``fn()`` (one warm-up call first).

    CPU time, not wall time: this 2-core machine is shared, and CPU seconds of a
    single-threaded kernel are the less noisy per-core figure.
    """
    fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def wall_seconds(fn: Callable[[], Any], *, reps: int = 7) -> float:
    """Best-of-``reps`` wall-clock seconds of ``fn()`` (one warm-up call first)."""
    fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def record(name: str, results: dict[str, Any]) -> None:
    """Merge ``results`` into ``benchmarks/results/<name>.json`` (atomic write)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(results)
    data["_machine"] = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "recorded": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    fd, tmp = tempfile.mkstemp(dir=RESULTS, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
    os.replace(tmp, path)


@pytest.fixture(scope="session")
def option_batch() -> dict[str, np.ndarray]:
    """The research batch: 1,000,000 mixed options (seed 12345)."""
    rng = np.random.default_rng(12345)
    n = 1_000_000
    return {
        "spot": rng.uniform(50, 150, n),
        "strike": rng.uniform(50, 150, n),
        "t": rng.integers(4, 1096, n) / 365.0,
        "vol": rng.uniform(0.05, 1.0, n),
        "rate": rng.uniform(0.0, 0.08, n),
        "div": rng.uniform(0.0, 0.04, n),
        "is_call": rng.random(n) < 0.5,
    }
