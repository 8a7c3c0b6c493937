"""Chart targets: payoff figure < 100 ms warm; PNG/SVG < 500 ms with a running browser.

The payoff figure is the research one (``/work/shared/research/strategy.md``
section 4): a two-leg put spread, 1,001 prices, the expiry curve and three date
curves. Static export goes through ``fastopt.viz.save`` (kaleido v1 + Chromium)
with the process-wide browser already started; the one-shot cost (a fresh
browser per file, what plain ``fig.write_image`` does) is recorded for
comparison. Medians of wall time (the figure is built in the calling thread,
the image in the browser process). Numbers go to
``benchmarks/results/viz.json``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.conftest import record
from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy
from fastopt.viz import export_session, payoff_figure, save, static_export_available

TARGET_FIGURE_S = 0.100
TARGET_STATIC_S = 0.500
DATES = ["2025-02-28", "2025-03-07", "2025-03-14"]


def median_seconds(fn: Callable[[], Any], *, reps: int, warmup: int = 2) -> tuple[float, float]:
    """(median, min) wall seconds of ``fn()`` over ``reps`` runs after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


@pytest.fixture(scope="module")
def spread() -> Strategy:
    return Strategy(
        [
            Leg("put", 1, 95.0, "2025-03-21", premium=1.1),
            Leg("put", -1, 100.0, "2025-03-21", premium=2.6),
        ],
        spot=102.0,
        vol=0.2,
        asof="2025-02-21",
    )


@pytest.mark.benchmark(group="viz")
def test_payoff_figure_build(benchmark, spread):
    def build():
        return payoff_figure(spread, dates=DATES)

    t0 = time.perf_counter()
    fig = build()  # compiles the kernels (or loads the cache), loads the template
    first_call = time.perf_counter() - t0
    assert len(fig.data[-2].x) == 1001
    assert len(fig.data) == 2 + len(DATES) + 2
    med, best = median_seconds(build, reps=30)
    json_med, _ = median_seconds(lambda: build().to_json(), reps=15)
    benchmark.pedantic(build, rounds=10, iterations=1)
    record(
        "viz",
        {
            "payoff_figure_1001pts_3dates": {
                "median_s": med,
                "min_s": best,
                "build_plus_to_json_median_s": json_med,
                "first_call_s": first_call,
                "target_s": TARGET_FIGURE_S,
            }
        },
    )
    assert med < TARGET_FIGURE_S, f"payoff figure {med * 1e3:.1f} ms > {TARGET_FIGURE_S * 1e3} ms"


@pytest.mark.benchmark(group="viz")
@pytest.mark.skipif(
    not static_export_available(), reason="Chromium/kaleido not available: apt-get install chromium"
)
def test_static_export_with_running_browser(benchmark, spread):
    fig = payoff_figure(spread, dates=DATES)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        # one-shot: a fresh browser per file (what fig.write_image does without a server)
        one_shot = []
        for i in range(3):
            t0 = time.perf_counter()
            with export_session():
                save(fig, out / f"cold{i}.png")
            one_shot.append(time.perf_counter() - t0)

        with export_session():
            t0 = time.perf_counter()
            save(fig, out / "first.png")  # waits for the browser to start (async), then renders
            first_render = time.perf_counter() - t0
            for fmt in ("png", "svg", "pdf"):
                med, best = median_seconds(
                    lambda fmt=fmt: save(fig, out / f"fig.{fmt}"), reps=15, warmup=2
                )
                results[fmt] = {"median_s": med, "min_s": best}
            benchmark.pedantic(lambda: save(fig, out / "bench.png"), rounds=5, iterations=1)
        assert (out / "fig.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in (out / "fig.svg").read_text()[:200]
        assert (out / "fig.pdf").read_bytes()[:4] == b"%PDF"

    record(
        "viz",
        {
            "static_export_900x500": {
                **{f"{fmt}_{k}": v for fmt, d in results.items() for k, v in d.items()},
                "start_plus_first_render_s": first_render,
                "one_shot_png_median_s": statistics.median(one_shot),
                "one_shot_png_runs_s": one_shot,
                "target_s": TARGET_STATIC_S,
            }
        },
    )
    for fmt in ("png", "svg"):
        med = results[fmt]["median_s"]
        assert med < TARGET_STATIC_S, (
            f"{fmt} export {med * 1e3:.0f} ms > {TARGET_STATIC_S * 1e3} ms"
        )
