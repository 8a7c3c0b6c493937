"""fastopt.viz: figure contents against the analytics, exports, atomic writes, bad input."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
import struct
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import fastopt
from fastopt.exceptions import FastoptWarning
from fastopt.kernels._jit import DISABLE_JIT
from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy
from fastopt.viz import (
    FORMATS,
    OptionGrid,
    distribution_figure,
    equity_figure,
    export_session,
    greeks_surface_figure,
    payoff_figure,
    save,
    static_export_available,
)
from fastopt.viz import export as ex
from fastopt.viz import style as st

EXPIRY = "2025-03-21"
ASOF = "2025-02-21"
N_PATHS = 20_000 if DISABLE_JIT else 100_000

needs_chromium = pytest.mark.skipif(
    not static_export_available(), reason="Chromium/kaleido not available: apt-get install chromium"
)


@pytest.fixture
def spread() -> Strategy:
    """Bull put spread: credit 150, max loss 350, one break-even at 98.5."""
    return Strategy(
        [Leg("put", 1, 95.0, EXPIRY, premium=1.1), Leg("put", -1, 100.0, EXPIRY, premium=2.6)],
        spot=102.0,
        vol=0.2,
        asof=ASOF,
    )


@pytest.fixture
def condor() -> Strategy:
    return Strategy(
        [
            Leg("put", 1, 90.0, EXPIRY, premium=0.35),
            Leg("put", -1, 95.0, EXPIRY, premium=1.05),
            Leg("call", -1, 108.0, EXPIRY, premium=1.10),
            Leg("call", 1, 113.0, EXPIRY, premium=0.30),
        ],
        spot=102.0,
        vol=0.2,
        asof=ASOF,
        name="iron_condor",
    )


def _call(quantity: int) -> Strategy:
    return Strategy(
        [Leg("call", quantity, 105.0, EXPIRY, premium=1.5)], spot=102.0, vol=0.2, asof=ASOF
    )


def _trace(fig: go.Figure, name: str) -> go.Scatter:
    hits = [t for t in fig.data if t.name == name]
    assert len(hits) == 1, [t.name for t in fig.data]
    return hits[0]


def _trapz(y: np.ndarray, x: np.ndarray) -> float:
    y, x = np.asarray(y, float), np.asarray(x, float)
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))


def _polygon_area(x: np.ndarray, y: np.ndarray) -> float:
    """Area under NaN-separated closed polygons (each a run of the density)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    cuts = np.flatnonzero(np.isnan(x))
    total = 0.0
    for seg_x, seg_y in zip(np.split(x, cuts), np.split(y, cuts), strict=True):
        keep = ~np.isnan(seg_x)
        total += _trapz(seg_y[keep], seg_x[keep])
    return total


def _decode(values: object) -> np.ndarray:
    """A plotly JSON array: a list, or a base64 typed array ``{"dtype", "bdata"}``."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


def _vlines(fig: go.Figure) -> list[float]:
    return [s.x0 for s in fig.layout.shapes if s.type == "line" and s.x0 == s.x1]


# --------------------------------------------------------------------------- payoff
def test_payoff_traces_match_the_strategy_pnl(spread):
    dates = ["2025-02-28", dt.date(2025, 3, 7), 0.0, 0.05]
    fig = payoff_figure(spread, dates=dates)
    assert [t.name for t in fig.data] == [
        "loss zone",
        "profit zone",
        "P&L on 2025-02-28",
        "P&L on 2025-03-07",
        "P&L now (2025-02-21)",
        "P&L at T+18.25d",
        "P&L at expiry (2025-03-21)",
        "break-even",
    ]
    line = _trace(fig, "P&L at expiry (2025-03-21)")
    x = np.asarray(line.x)
    assert x.shape == (1001,)
    assert_allclose(line.y, spread.pnl(x), rtol=1e-13, atol=1e-10)
    for name, when in zip([t.name for t in fig.data[2:6]], dates, strict=True):
        assert_allclose(_trace(fig, name).y, spread.pnl(x, at=when), rtol=1e-13, atol=1e-10)
    # the default grid covers the strikes and the spot
    assert x[0] < 95.0
    assert x[-1] > 102.0
    assert "price" in line.hovertemplate
    assert "P&L" in line.hovertemplate


def test_payoff_breakevens_spot_and_annotations(spread):
    a = spread.analyze()
    fig = payoff_figure(spread)
    assert a.breakevens == pytest.approx((98.5,))
    assert _trace(fig, "break-even").x == pytest.approx(a.breakevens)
    assert list(_trace(fig, "break-even").y) == [0.0]
    lines = _vlines(fig)
    assert any(v == pytest.approx(98.5) for v in lines)
    assert any(v == pytest.approx(102.0) for v in lines)  # spot
    texts = [ann.text for ann in fig.layout.annotations]
    assert "Max profit: $150.00" in texts
    assert "Max loss: -$350.00" in texts
    assert "BE 98.50" in texts
    assert "spot 102.00" in texts


def test_payoff_without_breakevens_and_band(spread):
    fig = payoff_figure(spread, show_breakevens=False, show_expected_move=False)
    assert "break-even" not in [t.name for t in fig.data]
    assert _vlines(fig) == [pytest.approx(102.0)]
    assert not [s for s in fig.layout.shapes if s.type == "rect"]


def test_payoff_expected_move_band(spread):
    fig = payoff_figure(spread)
    (band,) = [s for s in fig.layout.shapes if s.type == "rect"]
    em = fastopt.expected_move(102.0, iv=0.2, t=spread.horizon)
    assert (band.x0, band.x1) == (pytest.approx(em.lower), pytest.approx(em.upper))
    assert band.x0 == pytest.approx(102.0 - 102.0 * 0.2 * math.sqrt(28 / 365))
    assert band.fillcolor == st.BAND_FILL


@pytest.mark.parametrize(
    ("quantity", "text"),
    [(1, "Max profit: unlimited"), (-1, "Max loss: unlimited")],
)
def test_payoff_unlimited_annotation(quantity, text):
    fig = payoff_figure(_call(quantity))
    assert text in [ann.text for ann in fig.layout.annotations]


def test_payoff_shading_colours_and_split(condor):
    fig = payoff_figure(condor)
    loss, profit = _trace(fig, "loss zone"), _trace(fig, "profit zone")
    assert profit.fillcolor == st.PROFIT_FILL
    assert loss.fillcolor == st.LOSS_FILL
    assert profit.fill == loss.fill == "tozeroy"
    assert profit.showlegend is False
    assert loss.showlegend is False
    x = np.asarray(profit.x)
    assert_array_equal(x, loss.x)
    assert np.all(np.asarray(profit.y) >= 0.0)
    assert np.all(np.asarray(loss.y) <= 0.0)
    # the shading grid contains the exact break-evens, and both parts add up to the P&L
    for b in condor.analyze(grid=0).breakevens:
        assert np.any(x == b)
    assert_allclose(np.asarray(profit.y) + np.asarray(loss.y), condor.pnl(x), atol=1e-9)


def test_payoff_custom_spots_and_per_share(spread):
    spots = [110.0, 90.0, 100.0, 95.0, 100.0]
    fig = payoff_figure(spread, spots=spots, per="share", title="my spread")
    line = _trace(fig, "P&L at expiry (2025-03-21)")
    assert list(line.x) == [90.0, 95.0, 100.0, 110.0]
    assert_allclose(line.y, spread.pnl(np.array([90.0, 95.0, 100.0, 110.0])) / 100.0)
    texts = [ann.text for ann in fig.layout.annotations]
    assert "Max profit: $1.50" in texts
    assert "Max loss: -$3.50" in texts
    assert fig.layout.title.text == "my spread"
    assert "per share" in fig.layout.yaxis.title.text


def test_payoff_calendar():
    cal = Strategy(
        [Leg("call", -1, 100.0, EXPIRY), Leg("call", 1, 100.0, "2025-04-17")],
        spot=100.0,
        vol=0.25,
        asof=ASOF,
    )
    fig = payoff_figure(cal, dates=["2025-03-01"])
    line = _trace(fig, "P&L at expiry (2025-03-21)")
    assert_allclose(line.y, cal.pnl(np.asarray(line.x)), rtol=1e-12, atol=1e-9)
    assert len(_trace(fig, "break-even").x) == 2


def test_payoff_of_a_strategy_without_volatility():
    legs = [Leg("put", 1, 95.0, EXPIRY, premium=1.1), Leg("put", -1, 100.0, EXPIRY, premium=2.6)]
    novol = Strategy(legs, spot=102.0, asof=ASOF)
    fig = payoff_figure(novol)
    line = _trace(fig, "P&L at expiry (2025-03-21)")
    assert_allclose(line.y, novol.pnl(np.asarray(line.x)))
    assert _trace(fig, "break-even").x == pytest.approx((98.5,))
    assert not [s for s in fig.layout.shapes if s.type == "rect"]  # no expected move
    assert "vol" not in fig.layout.title.text
    with pytest.raises(ValueError, match="needs a volatility"):
        payoff_figure(novol, dates=["2025-03-07"])
    with pytest.raises(ValueError, match="needs a volatility"):
        greeks_surface_figure(novol)


def test_payoff_bad_input(spread):
    with pytest.raises(TypeError, match="Strategy"):
        payoff_figure([spread])
    with pytest.raises(ValueError, match="`per` must be one of 'position', 'share'"):
        payoff_figure(spread, per="contract")
    with pytest.raises(ValueError, match="1-D"):
        payoff_figure(spread, spots=np.ones((2, 2)))
    with pytest.raises(ValueError, match="> 0"):
        payoff_figure(spread, spots=[-1.0, 100.0])
    with pytest.raises(ValueError, match="at least 2"):
        payoff_figure(spread, spots=[100.0])
    with pytest.raises(ValueError, match="before"):
        payoff_figure(spread, dates=["2025-01-01"])
    with pytest.raises(TypeError, match="dates"):
        payoff_figure(spread, dates={"a": 1})


# --------------------------------------------------------------------------- Greeks
def test_greeks_surface_of_a_strategy(condor):
    fig = greeks_surface_figure(condor, "gamma", kind="heatmap", n_spots=31, n_dates=7)
    (tr,) = fig.data
    assert tr.type == "heatmap"
    assert tr.name == "gamma"
    x, y, z = np.asarray(tr.x), np.asarray(tr.y), np.asarray(tr.z)
    assert z.shape == (7, 31)
    hs = np.linspace(0.0, condor.horizon, 7, endpoint=False)
    assert_allclose(y, (condor.horizon - hs) * 365)
    for row, h in zip(z, hs, strict=True):
        assert_allclose(row, condor.greeks(spots=x, at=float(h)).gamma, rtol=1e-13)
    assert "days to first expiry" in fig.layout.yaxis.title.text


def test_greeks_surface_dates_per_share_and_surface(spread):
    fig = greeks_surface_figure(
        spread, "vomma", spots=[95.0, 100.0, 105.0], dates=[ASOF, "2025-03-07"], per="share"
    )
    (tr,) = fig.data
    assert tr.type == "surface"
    assert tr.name == "volga"
    assert_allclose(tr.y, [28.0, 14.0])
    g = spread.greeks(spots=np.array([95.0, 100.0, 105.0]), at="2025-03-07", per="share")
    assert_allclose(np.asarray(tr.z)[1], g.volga, rtol=1e-13)
    assert fig.layout.scene.zaxis.title.text.startswith("volga")


def test_greeks_surface_of_option_parameters():
    strikes, expiries = np.linspace(80.0, 120.0, 9), np.array([0.1, 0.5, 1.0])
    vol = 0.2 + 0.1 * ((strikes[None, :] - 100.0) / 20.0) ** 2 + 0.0 * expiries[:, None]
    grid = OptionGrid(100.0, strikes, expiries, vol, rate=0.03, kind="put")
    fig = greeks_surface_figure(grid, "vega", kind="heatmap")
    ref = fastopt.bs_greeks(100.0, strikes[None, :], expiries[:, None], vol, 0.03, 0.0, "put")
    assert_allclose(fig.data[0].z, ref.vega, rtol=1e-14)
    assert list(fig.data[0].x) == list(strikes)
    assert list(fig.data[0].y) == list(expiries)
    as_dict = greeks_surface_figure(
        {"spot": 100.0, "strikes": strikes, "expiries": expiries, "vol": 0.25}, "delta"
    )
    ref = fastopt.bs_greeks(100.0, strikes[None, :], expiries[:, None], 0.25)
    assert_allclose(as_dict.data[0].z, ref.delta, rtol=1e-14)
    assert as_dict.layout.title.text.startswith("call delta")


def test_greeks_surface_bad_input(spread):
    with pytest.raises(ValueError, match=r"`greek` must be one of 'price', 'delta'.*'charm'"):
        greeks_surface_figure(spread, "speed")
    with pytest.raises(ValueError, match="`kind` must be one of 'surface', 'heatmap'"):
        greeks_surface_figure(spread, kind="contour")
    with pytest.raises(TypeError, match="unknown"):
        greeks_surface_figure({"spot": 100.0, "strikes": [90, 100], "expiry": [1.0], "vol": 0.2})
    with pytest.raises(TypeError, match="need spot, strikes, expiries and vol"):
        greeks_surface_figure({"spot": 100.0, "strikes": [90, 100]})
    with pytest.raises(TypeError, match="Strategy, an OptionGrid or a mapping"):
        greeks_surface_figure([100.0, 0.2])
    with pytest.raises(ValueError, match="apply to a Strategy"):
        greeks_surface_figure(OptionGrid(100.0, [90, 100], [0.5, 1.0], 0.2), spots=[90.0, 100.0])
    with pytest.raises(ValueError, match="strikes"):
        greeks_surface_figure(OptionGrid(100.0, [100.0], [0.5, 1.0], 0.2))
    with pytest.raises(ValueError, match="kind"):
        greeks_surface_figure(OptionGrid(100.0, [90, 100], [0.5, 1.0], 0.2, kind="straddle"))
    stock = Strategy([Leg("stock", 100)], spot=100.0, vol=0.2, asof=ASOF)
    with pytest.raises(ValueError, match="option leg"):
        greeks_surface_figure(stock)
    with pytest.raises(ValueError, match="n_spots"):
        greeks_surface_figure(spread, n_spots=1)


# --------------------------------------------------------------------------- distribution
def _lognormal_pdf(x, s0, mu, sig, h):
    m, sd = math.log(s0) + (mu - 0.5 * sig * sig) * h, sig * math.sqrt(h)
    return np.exp(-0.5 * ((np.log(x) - m) / sd) ** 2) / (x * sd * math.sqrt(2.0 * math.pi))


def test_distribution_density_and_profit_probability(spread):
    a = spread.analyze(grid=0)
    fig = distribution_figure(spread)
    assert [t.name for t in fig.data] == ["loss region", "profit region", "lognormal density"]
    assert fig.layout.title.text == f"custom on 2025-03-21: P(profit) = {a.pop:.1%}"
    dens = _trace(fig, "lognormal density")
    x, y = np.asarray(dens.x), np.asarray(dens.y)
    assert_allclose(y, _lognormal_pdf(x, 102.0, 0.0, 0.2, spread.horizon), rtol=1e-12)
    assert _trapz(y, x) == pytest.approx(1.0, abs=1e-5)
    profit, loss = _trace(fig, "profit region"), _trace(fig, "loss region")
    assert profit.fillcolor == st.PROFIT_FILL
    assert loss.fillcolor == st.LOSS_FILL
    p_profit = _polygon_area(profit.x, profit.y)
    assert p_profit == pytest.approx(a.pop, abs=2e-4)
    assert p_profit + _polygon_area(loss.x, loss.y) == pytest.approx(1.0, abs=1e-5)
    assert _vlines(fig) == [pytest.approx(98.5), pytest.approx(102.0)]


def test_distribution_two_loss_regions(condor):
    a = condor.analyze(grid=0)
    fig = distribution_figure(condor, at=EXPIRY)
    loss = _trace(fig, "loss region")
    assert int(np.isnan(np.asarray(loss.x, float)).sum()) == 1  # two polygons
    assert _polygon_area(_trace(fig, "profit region").x, _trace(fig, "profit region").y) == (
        pytest.approx(a.pop, abs=2e-4)
    )


def test_distribution_before_expiry_with_vol(spread):
    fig = distribution_figure(spread, at="2025-03-07", vol=0.3)
    a = spread.analyze(at="2025-03-07", vol=0.3, grid=0)
    assert f"{a.pop:.1%}" in fig.layout.title.text
    assert "2025-03-07" in fig.layout.title.text
    dens = _trace(fig, "lognormal density")
    assert_allclose(dens.y, _lognormal_pdf(np.asarray(dens.x), 102.0, 0.0, 0.3, 14 / 365))


def test_distribution_monte_carlo_overlay(spread):
    a = spread.analyze(grid=0)
    paths = fastopt.simulate_gbm(102.0, spread.horizon, 0.2, n_paths=N_PATHS, n_steps=2, seed=7)
    fig = distribution_figure(spread, paths=paths, bins=50)
    bars = fig.data[-1]
    assert bars.type == "bar"
    assert bars.name.startswith(f"simulated ({N_PATHS:,} paths, P(profit) = ")
    heights, widths = np.asarray(bars.y), np.asarray(bars.width)
    assert heights.shape == (50,)
    assert float(np.sum(heights * widths)) == pytest.approx(1.0, rel=1e-12)
    terminal = paths.spot[-1]
    mc_pop = float(np.mean(spread.pnl(terminal) >= 0.01))
    assert f"{mc_pop:.1%}" in bars.name
    assert mc_pop == pytest.approx(a.pop, abs=5 * math.sqrt(a.pop * (1 - a.pop) / N_PATHS))
    # a 2-D array uses its last row, a 1-D array is used as is: same histogram
    from_2d = distribution_figure(spread, paths=np.asarray(paths.spot), bins=50).data[-1]
    from_1d = distribution_figure(spread, paths=terminal.copy(), bins=50).data[-1]
    assert_array_equal(from_2d.y, heights)
    assert_array_equal(from_1d.y, heights)


def test_distribution_bad_input(spread):
    with pytest.raises(ValueError, match="after the strategy's `asof`"):
        distribution_figure(spread, at=ASOF)
    with pytest.raises(ValueError, match="shape"):
        distribution_figure(spread, paths=np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="> 0"):
        distribution_figure(spread, paths=np.array([100.0, -1.0]))
    with pytest.raises(ValueError, match="no prices"):
        distribution_figure(spread, paths=np.array([]))
    with pytest.raises(ValueError, match="bins"):
        distribution_figure(spread, paths=np.array([100.0]), bins=0)
    with pytest.raises(TypeError, match="Strategy"):
        distribution_figure("spread")
    short = fastopt.simulate_gbm(102.0, 0.5, 0.2, n_paths=100, seed=1)
    with pytest.warns(FastoptWarning, match="different dates"):
        distribution_figure(spread, paths=short)


# --------------------------------------------------------------------------- equity
def test_equity_drawdown_values():
    eq = np.array([100.0, 110.0, 99.0, 121.0, 108.9, 130.0])
    fig = equity_figure(eq)
    assert [t.name for t in fig.data] == ["equity", "drawdown"]
    expected = [0.0, 0.0, 99.0 / 110.0 - 1.0, 0.0, 108.9 / 121.0 - 1.0, 0.0]
    assert_allclose(fig.data[1].y, expected, rtol=1e-15, atol=1e-15)
    assert_allclose(fig.data[0].y, eq)
    assert list(fig.data[0].x) == list(range(6))
    assert fig.layout.title.text == "equity: total return +30.0%, max drawdown -10.0%"
    # two rows sharing x
    assert fig.data[1].xaxis == "x2"
    assert fig.data[1].yaxis == "y2"
    assert fig.layout.xaxis.matches == "x2"
    assert fig.layout.yaxis2.tickformat == ".0%"


def test_equity_from_frames_and_series():
    days = [dt.date(2025, 1, d) for d in (2, 3, 6, 7)]
    frame = pl.DataFrame({"date": days, "equity": [100.0, 120.0, 90.0, 130.0]})
    fig = equity_figure(frame, benchmark=pl.Series([50.0, 55.0, 45.0, 60.0]))
    assert list(fig.data[0].x) == days
    assert [t.name for t in fig.data] == ["equity", "benchmark", "drawdown"]
    assert_allclose(fig.data[1].y, [100.0, 110.0, 90.0, 120.0])  # rebased to 100
    assert_allclose(fig.data[2].y, [0.0, 0.0, -0.25, 0.0])
    from_pandas = equity_figure(pd.DataFrame({"date": days, "equity": [100.0, 120.0, 90.0, 130.0]}))
    assert_allclose(from_pandas.data[1].y, [0.0, 0.0, -0.25, 0.0])
    assert list(from_pandas.data[0].x) == days
    series = pd.Series([1.0, 2.0, 1.5], index=pd.date_range("2025-01-01", periods=3))
    fig = equity_figure(series)
    assert len(fig.data[0].x) == 3
    assert fig.data[0].x[0] == dt.datetime(2025, 1, 1)
    fig = equity_figure(pl.Series("equity", [1.0, 2.0, 1.5]), dates=["a", "b", "c"])
    assert list(fig.data[0].x) == ["a", "b", "c"]


def test_equity_pnl_curve_uses_dollar_drawdown():
    pnl = [0.0, 50.0, -20.0, 10.0]
    fig = equity_figure(pnl)
    assert_allclose(fig.data[1].y, [0.0, 0.0, -70.0, -40.0])
    assert "max drawdown -$70.00" in fig.layout.title.text


def test_equity_bad_input():
    with pytest.raises(ValueError, match="'equity' column"):
        equity_figure(pl.DataFrame({"value": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="finite"):
        equity_figure([1.0, np.nan])
    with pytest.raises(ValueError, match="missing"):
        equity_figure(pl.Series([1.0, None]))
    with pytest.raises(ValueError, match="1-D"):
        equity_figure(np.ones((2, 2)))
    with pytest.raises(ValueError, match="`dates` has 2 values"):
        equity_figure([1.0, 2.0, 3.0], dates=["a", "b"])
    with pytest.raises(ValueError, match="given twice"):
        equity_figure(pl.DataFrame({"date": [1, 2], "equity": [1.0, 2.0]}), dates=[1, 2])
    with pytest.raises(ValueError, match="`benchmark` has 2"):
        equity_figure([1.0, 2.0, 3.0], benchmark=[1.0, 2.0])
    with pytest.raises(TypeError, match="dates"):
        equity_figure([1.0, 2.0], dates="2025-01-01")


# --------------------------------------------------------------------------- export: text
def test_save_html_round_trip(tmp_path, spread):
    fig = payoff_figure(spread)
    out = save(fig, tmp_path / "payoff.html")
    assert out == tmp_path / "payoff.html"
    assert out.is_file()
    html = out.read_text()
    assert "<html>" in html[:100]
    assert "P&L at expiry (2025-03-21)" in html
    assert "Plotly.newPlot" in html
    assert out.stat().st_size > 1_000_000  # plotly.js embedded: works offline
    small = save(fig, tmp_path / "cdn.html", include_plotlyjs="cdn")
    assert small.stat().st_size < out.stat().st_size / 3
    assert "cdn.plot.ly" in small.read_text()


def test_save_json_round_trip(tmp_path, spread):
    fig = payoff_figure(spread, dates=[0.0])
    out = save(fig, str(tmp_path / "payoff.json"))
    json.loads(out.read_text())  # valid JSON
    back = pio.read_json(out)
    assert [t.name for t in back.data] == [t.name for t in fig.data]
    line = _trace(back, "P&L at expiry (2025-03-21)")
    x, y = _decode(line.x), _decode(line.y)
    assert x.shape == (1001,)
    assert_allclose(y, spread.pnl(x), rtol=1e-13, atol=1e-10)
    no_suffix = save(fig, tmp_path / "payoff", format="JSON")
    assert pio.read_json(no_suffix).data[0].name == "loss zone"


def test_save_bad_input(tmp_path, spread):
    fig = payoff_figure(spread)
    with pytest.raises(ValueError, match=r"\.html, \.json, \.png, \.svg, \.pdf"):
        save(fig, tmp_path / "payoff.gif")
    with pytest.raises(ValueError, match="no suffix"):
        save(fig, tmp_path / "payoff")
    with pytest.raises(ValueError, match="`format` must be one of 'html'"):
        save(fig, tmp_path / "payoff.png", format="eps")
    with pytest.raises(ValueError, match="contradicts"):
        save(fig, tmp_path / "payoff.png", format="svg")
    with pytest.raises(TypeError, match="Figure"):
        save(fig.to_dict(), tmp_path / "payoff.html")
    with pytest.raises(TypeError, match="path"):
        save(fig, 3)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save(fig, tmp_path / "missing" / "payoff.html")
    with pytest.raises(ValueError, match="directory"):
        save(fig, tmp_path / "payoff.html", include_plotlyjs="directory")
    with pytest.raises(ValueError, match="width"):
        save(fig, tmp_path / "payoff.png", width=0)
    with pytest.raises(TypeError, match="height"):
        save(fig, tmp_path / "payoff.png", height=500.5)
    with pytest.raises(ValueError, match="scale"):
        save(fig, tmp_path / "payoff.png", scale=math.inf)
    assert list(tmp_path.iterdir()) == []
    assert FORMATS == ("html", "json", "png", "svg", "pdf")


# --------------------------------------------------------------------------- export: atomic
def test_failed_render_leaves_no_file(tmp_path, monkeypatch, spread):
    def boom(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(ex, "_render_static", boom)
    with pytest.raises(RuntimeError, match="exploded"):
        save(payoff_figure(spread), tmp_path / "payoff.png")
    assert list(tmp_path.iterdir()) == []
    old = tmp_path / "keep.svg"
    old.write_text("<svg>old</svg>")
    with pytest.raises(RuntimeError, match="exploded"):
        save(payoff_figure(spread), old)
    assert old.read_text() == "<svg>old</svg>"
    assert list(tmp_path.iterdir()) == [old]


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch, spread, where):
    target = tmp_path / "payoff.html"
    target.write_text("previous version")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ex.os, where, interrupt)
    with pytest.raises(KeyboardInterrupt):
        save(payoff_figure(spread), target)
    monkeypatch.undo()
    assert target.read_text() == "previous version"
    assert list(tmp_path.iterdir()) == [target]  # temporary file removed


# --------------------------------------------------------------------------- export: missing deps
def test_missing_kaleido_gives_install_hint(tmp_path, monkeypatch, spread):
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido -> ImportError
    assert static_export_available() is False
    with pytest.raises(RuntimeError, match=r"pip install fastopt\[viz\].*apt-get install chromium"):
        save(payoff_figure(spread), tmp_path / "payoff.png")
    with pytest.raises(RuntimeError, match="kaleido is not installed"), export_session():
        pass
    assert save(payoff_figure(spread), tmp_path / "payoff.html").is_file()  # HTML still works
    assert [p.name for p in tmp_path.iterdir()] == ["payoff.html"]


def test_missing_browser_gives_install_hint(tmp_path, monkeypatch, spread):
    pytest.importorskip("kaleido")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    assert static_export_available() is False
    with pytest.raises(RuntimeError, match=r"BROWSER_PATH=.*apt-get install chromium"):
        save(payoff_figure(spread), tmp_path / "payoff.svg")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- export: static
@pytest.fixture(scope="module")
def _stop_browser_after_module():
    yield
    if static_export_available():
        import kaleido

        ex._stop(kaleido)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@needs_chromium
@pytest.mark.usefixtures("_stop_browser_after_module")
def test_static_png_svg_pdf(tmp_path, spread):
    fig = payoff_figure(spread)
    png = save(fig, tmp_path / "payoff.png")
    assert _png_size(png.read_bytes()) == (900, 500)
    hi = save(fig, tmp_path / "payoff@2x.png", width=600, height=400, scale=2.0)
    assert _png_size(hi.read_bytes()) == (1200, 800)
    svg = save(fig, tmp_path / "payoff.svg").read_text()
    assert "<svg" in svg[:200]
    assert "Max profit: $150.00" in svg
    assert save(fig, tmp_path / "payoff.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "payoff.pdf",
        "payoff.png",
        "payoff.svg",
        "payoff@2x.png",
    ]


@needs_chromium
@pytest.mark.usefixtures("_stop_browser_after_module")
def test_export_session_reuses_and_stops_the_browser(tmp_path, spread, condor):
    import kaleido

    ex._stop(kaleido)
    assert ex._server_alive(kaleido) is False
    with export_session():
        assert ex._server_alive(kaleido) is True
        with export_session():  # nested: the outer session owns the browser
            save(distribution_figure(condor), tmp_path / "dist.png")
        assert ex._server_alive(kaleido) is True
        save(greeks_surface_figure(condor, "delta"), tmp_path / "surface.svg")
        save(equity_figure([100.0, 90.0, 120.0]), tmp_path / "equity.pdf")
    assert ex._server_alive(kaleido) is False
    assert (tmp_path / "dist.png").read_bytes()[:4] == b"\x89PNG"
    # without a session the browser starts lazily and stays up for the process
    save(payoff_figure(spread), tmp_path / "lazy.png")
    assert ex._server_alive(kaleido) is True


@needs_chromium
@pytest.mark.usefixtures("_stop_browser_after_module")
def test_browser_that_fails_to_start_raises_instead_of_hanging(tmp_path, monkeypatch, spread):
    import kaleido

    ex._stop(kaleido)
    # kaleido's server thread dies with the browser's error: expected here, keep it quiet
    monkeypatch.setattr(threading, "excepthook", lambda args: None)
    fake = Path("/bin/false")
    if not os.access(fake, os.X_OK):
        pytest.skip("/bin/false is not available")
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    with pytest.raises(RuntimeError, match="failed to start or crashed"):
        save(payoff_figure(spread), tmp_path / "payoff.png")
    assert list(tmp_path.iterdir()) == []
    assert ex._server_alive(kaleido) is False
    monkeypatch.delenv("BROWSER_PATH")
    assert save(payoff_figure(spread), tmp_path / "payoff.svg").is_file()  # recovers
