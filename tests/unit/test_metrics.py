"""Tests of ``fastopt.backtest.metrics``: every metric against independent NumPy/pandas code."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import fastopt
from fastopt.backtest import (
    BENCHMARK_COLUMNS,
    METRIC_COLUMNS,
    drawdown,
    performance_metrics,
)

PPY = 252.0


# --------------------------------------------------------------------------- reference code


def _ref_drawdown_stats(eq: np.ndarray) -> tuple[float, int, float]:
    """(max drawdown, longest underwater run, recovery of the max drawdown) with pandas."""
    s = pd.Series(eq)
    peak = s.cummax()
    dd = s / peak - 1.0
    under = s < peak
    runs = (under != under.shift()).cumsum()
    longest = int(under.groupby(runs).sum().max())
    mdd = float(dd.min())
    if mdd == 0.0:
        return 0.0, longest, 0.0
    trough = int(dd.to_numpy().argmin())
    after = np.nonzero(eq[trough + 1 :] >= peak.iloc[trough])[0]
    recovery = float(after[0] + 1) if after.size else math.nan
    return mdd, longest, recovery


def _reference(
    eq: np.ndarray,
    pnl: np.ndarray | None = None,
    expo: np.ndarray | None = None,
    ppy: float = PPY,
    rf: float = 0.0,
    target: float = 0.0,
) -> dict[str, float]:
    r = pd.Series(eq).pct_change().dropna().to_numpy()
    m = r.size
    sd = r.std(ddof=1)
    cagr = (eq[-1] / eq[0]) ** (ppy / m) - 1.0
    downside = np.sqrt(np.mean(np.minimum(r - target, 0.0) ** 2))
    mdd, longest, recovery = _ref_drawdown_stats(eq)
    out = {
        "total_return": eq[-1] / eq[0] - 1.0,
        "cagr": cagr,
        "annual_volatility": sd * np.sqrt(ppy),
        "sharpe": np.mean(r - rf) / sd * np.sqrt(ppy),
        "sortino": np.mean(r - target) / downside * np.sqrt(ppy),
        "calmar": cagr / abs(mdd),
        "max_drawdown": mdd,
        "max_drawdown_duration": longest,
        "max_drawdown_recovery": recovery,
        "tail_ratio": np.percentile(r, 95) / abs(np.percentile(r, 5)),
        "exposure": math.nan if expo is None else float(np.mean(expo != 0)),
    }
    if pnl is None:
        out.update(dict.fromkeys(METRIC_COLUMNS[11:], math.nan))
    else:
        wins, losses = pnl[pnl > 0], pnl[pnl < 0]
        out.update(
            n_trades=pnl.size,
            win_rate=wins.size / pnl.size,
            profit_factor=wins.sum() / -losses.sum() if losses.size else math.inf,
            expectancy=pnl.mean(),
            avg_win=wins.mean() if wins.size else math.nan,
            avg_loss=losses.mean() if losses.size else math.nan,
        )
    return out


def _curves(n_curves: int, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0004, 0.01, (n_curves, n - 1))
    r[:, 10:15] = 0.0  # flat stretch: ties in drawdown and quantiles
    return 100.0 * np.cumprod(np.c_[np.ones(n_curves), 1.0 + r], axis=1)


def _row_dict(frame: pl.DataFrame, i: int) -> dict[str, float]:
    row = frame.row(i, named=True)
    return {k: (math.nan if v is None else float(v)) for k, v in row.items()}


def _assert_row(got: dict[str, float], want: dict[str, float]) -> None:
    for key, value in want.items():
        assert_allclose(got[key], value, rtol=1e-10, atol=1e-13, err_msg=key)


# --------------------------------------------------------------------------- values


def test_hand_computed_tiny_case():
    row = _row_dict(performance_metrics([100.0, 110.0, 99.0, 120.0]), 0)
    assert row["total_return"] == pytest.approx(0.2, abs=1e-15)
    assert row["max_drawdown"] == pytest.approx(-0.1, abs=1e-15)
    assert row["max_drawdown_duration"] == 1
    assert row["max_drawdown_recovery"] == 1
    assert row["cagr"] == pytest.approx(1.2**84 - 1.0, rel=1e-12)
    r = np.array([0.1, -0.1, 120.0 / 99.0 - 1.0])
    assert row["sortino"] == pytest.approx(r.mean() / math.sqrt(0.01 / 3) * math.sqrt(252))
    assert math.isnan(row["win_rate"])
    assert math.isnan(row["exposure"])


def test_every_metric_matches_reference():
    eq = _curves(4, 300, seed=1)
    rng = np.random.default_rng(2)
    pnl = [rng.normal(1.0, 10.0, k) for k in (5, 17, 1, 40)]
    pnl[2] = np.array([-3.0])
    expo = rng.random((4, 300)) < 0.6
    got = performance_metrics(
        eq, trades=pnl, exposure=expo, risk_free=0.0001, sortino_target=0.0002
    )
    assert got.columns == ["curve", *METRIC_COLUMNS]
    assert got["curve"].to_list() == [0, 1, 2, 3]
    for j in range(4):
        want = _reference(eq[j], pnl[j], expo[j], rf=0.0001, target=0.0002)
        _assert_row(_row_dict(got, j), want)


def test_long_curves_match_reference():
    """Long curves take the sampled-pivot selection path of the tail ratio (and its fallback)."""
    rng = np.random.default_rng(12)
    m = 2520
    r = np.empty((5, m))
    r[0] = rng.normal(0.0005, 0.01, m)
    r[1] = np.clip(0.01 * rng.standard_t(2, m), -0.5, 0.5)  # fat tails
    r[2] = np.where(rng.random(m) < 0.7, 0.0, rng.normal(0.0, 0.02, m))  # mostly flat
    r[3] = rng.normal(0.0, 0.01, m)
    r[3, :: m // 64] = 0.0  # every sampled pivot is 0: the bracket misses, full selection
    r[4] = np.sort(rng.normal(0.0, 0.01, m))  # sorted returns
    eq = 100.0 * np.cumprod(np.c_[np.ones(5), 1.0 + r], axis=1)
    got = performance_metrics(eq)
    for j in range(5):
        _assert_row(_row_dict(got, j), _reference(eq[j]))


def test_periods_per_year_and_unrecovered_drawdown():
    eq = np.array([100.0, 104.0, 101.0, 98.0, 103.0, 102.0])
    got = _row_dict(performance_metrics(eq, periods_per_year=12), 0)
    _assert_row(got, _reference(eq, ppy=12.0))
    assert math.isnan(got["max_drawdown_recovery"])
    assert got["max_drawdown_duration"] == 4


def test_benchmark_columns_match_reference():
    eq = _curves(3, 200, seed=3)
    bench = _curves(1, 200, seed=4)[0]
    got = performance_metrics(eq, benchmark=bench)
    assert got.columns == ["curve", *METRIC_COLUMNS, *BENCHMARK_COLUMNS]
    b_alone = _row_dict(performance_metrics(bench), 0)
    rb = np.diff(bench) / bench[:-1]
    for j in range(3):
        row = _row_dict(got, j)
        r = np.diff(eq[j]) / eq[j][:-1]
        a = r - rb
        want = {
            "benchmark_return": b_alone["total_return"],
            "benchmark_sharpe": b_alone["sharpe"],
            "benchmark_max_drawdown": b_alone["max_drawdown"],
            "excess_return": (eq[j][-1] / eq[j][0]) - (bench[-1] / bench[0]),
            "beta": np.cov(r, rb)[0, 1] / np.var(rb, ddof=1),
            "correlation": np.corrcoef(r, rb)[0, 1],
            "information_ratio": a.mean() / a.std(ddof=1) * np.sqrt(PPY),
        }
        _assert_row(row, want)
    per_curve = performance_metrics(eq, benchmark=np.stack([bench] * 3))
    assert per_curve.equals(got)


def test_benchmark_against_itself():
    eq = _curves(1, 100, seed=5)
    row = _row_dict(performance_metrics(eq, benchmark=eq[0] * 3.0), 0)
    assert row["beta"] == pytest.approx(1.0, rel=1e-12)
    assert row["correlation"] == pytest.approx(1.0, rel=1e-12)
    assert row["excess_return"] == pytest.approx(0.0, abs=1e-14)
    assert math.isnan(row["information_ratio"])  # zero tracking error


# --------------------------------------------------------------------------- edge cases


def test_constant_curve():
    row = _row_dict(performance_metrics(np.full(50, 100.0)), 0)
    assert row["annual_volatility"] == 0.0
    assert math.isnan(row["sharpe"])
    assert math.isnan(row["sortino"])  # no downside and no excess
    assert math.isnan(row["calmar"])  # no drawdown
    assert row["max_drawdown"] == 0.0
    assert row["max_drawdown_duration"] == 0
    assert row["max_drawdown_recovery"] == 0
    assert math.isnan(row["tail_ratio"])


def test_constant_growth_has_zero_volatility():
    row = _row_dict(performance_metrics(100.0 * 1.001 ** np.arange(500)), 0)
    assert row["annual_volatility"] == 0.0
    assert math.isnan(row["sharpe"])
    assert row["sortino"] == math.inf


def test_trade_edge_cases():
    eq = [100.0, 101.0, 102.0]
    row = _row_dict(performance_metrics(eq, trades=[1.0, 2.0, 0.0]), 0)
    assert row["profit_factor"] == math.inf
    assert row["win_rate"] == pytest.approx(2 / 3)
    assert math.isnan(row["avg_loss"])
    assert row["avg_win"] == 1.5
    empty = _row_dict(performance_metrics(eq, trades=[np.array([])]), 0)
    assert empty["n_trades"] == 0
    assert all(math.isnan(empty[k]) for k in METRIC_COLUMNS[12:])
    frame = performance_metrics(eq)
    assert frame["n_trades"].null_count() == 1


def test_two_periods():
    row = _row_dict(performance_metrics([100.0, 105.0]), 0)
    assert row["total_return"] == pytest.approx(0.05)
    assert math.isnan(row["annual_volatility"])
    assert math.isnan(row["sharpe"])
    assert row["sortino"] == math.inf


# --------------------------------------------------------------------------- input forms


def test_input_forms_agree():
    eq = _curves(2, 60, seed=6)
    base = performance_metrics(eq)
    assert performance_metrics([eq[0], eq[1]]).equals(base)
    assert performance_metrics(eq.astype(np.float32)).shape == base.shape
    assert performance_metrics(pl.Series("equity", eq[0])).equals(base[:1])
    assert performance_metrics(eq[1]).drop("curve").equals(base[1:].drop("curve"))
    dates = pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 2, 29), eager=True)
    frame = pl.DataFrame({"date": dates, "a": eq[0], "b": eq[1]})
    named = performance_metrics(frame)
    assert named["name"].to_list() == ["a", "b"]
    assert named.drop("name").equals(base)
    pdf = pd.DataFrame({"a": eq[0], "b": eq[1]})
    assert performance_metrics(pdf).equals(named)
    assert performance_metrics(pd.Series(eq[0])).equals(base[:1])
    assert performance_metrics(frame.lazy()).equals(named)


def test_trade_forms_agree():
    eq = _curves(3, 30, seed=7)
    lists = [np.array([1.0, -2.0]), np.array([]), np.array([3.0, 4.0, -1.0])]
    a = performance_metrics(eq, trades=lists)
    b = performance_metrics(eq, trades=(np.array([1.0, -2.0, 3.0, 4.0, -1.0]), [0, 2, 2, 5]))
    assert a.equals(b)
    one = performance_metrics(eq[0], trades=np.array([1.0, -2.0]))
    assert one.equals(a[:1])


def test_parallel_kernel_is_identical():
    eq = _curves(8, 120, seed=8)
    expo = np.ones(120)
    serial = performance_metrics(eq, trades=[[1.0]] * 8, exposure=expo, benchmark=eq[0])
    old = fastopt.get_parallel_threshold()
    try:
        fastopt.set_parallel_threshold(1)
        par = performance_metrics(eq, trades=[[1.0]] * 8, exposure=expo, benchmark=eq[0])
    finally:
        fastopt.set_parallel_threshold(old)
    assert par.equals(serial)


# --------------------------------------------------------------------------- drawdown


def test_drawdown_against_numpy():
    eq = _curves(3, 80, seed=9)
    want = eq / np.maximum.accumulate(eq, axis=1) - 1.0
    assert_allclose(drawdown(eq), want, rtol=0, atol=1e-15)
    assert_allclose(drawdown(eq[0]), want[0], rtol=0, atol=1e-15)
    assert drawdown(pl.Series(eq[0])).shape == (80,)
    pnl = np.array([0.0, 50.0, -20.0, 10.0, 60.0])
    assert_array_equal(drawdown(pnl, relative=False), [0.0, 0.0, -70.0, -40.0, 0.0])
    assert drawdown(eq, relative=False).max() == 0.0


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"equity": [100.0, -1.0, 3.0]}, ValueError, r"`equity` must be > 0.*period 1"),
        ({"equity": [100.0, math.nan, 3.0]}, ValueError, r"`equity` must be finite"),
        ({"equity": [100.0]}, ValueError, r"`equity` needs at least 1 curve of at least 2"),
        ({"equity": [[1.0, 2.0], [1.0, 2.0, 3.0]]}, ValueError, r"equal lengths"),
        ({"equity": np.ones((2, 2, 2))}, ValueError, r"`equity` must be 1-D"),
        ({"equity": ["a", "b"]}, TypeError, r"`equity` must be a real number"),
        ({"periods_per_year": 0}, ValueError, r"`periods_per_year` must be > 0"),
        ({"periods_per_year": True}, TypeError, r"`periods_per_year` must be a number"),
        ({"equity": np.ones((5, 1))}, ValueError, r"curves are rows"),
        ({"periods_per_year": math.inf}, ValueError, r"`periods_per_year` must be finite"),
        ({"risk_free": math.nan}, ValueError, r"`risk_free` must be finite"),
        ({"sortino_target": [0.1, 0.2]}, ValueError, r"`sortino_target` must be a scalar"),
        ({"benchmark": [1.0, 2.0]}, ValueError, r"`benchmark` must be one curve of 3"),
        ({"benchmark": [1.0, 0.0, 2.0]}, ValueError, r"`benchmark` must be > 0"),
        ({"exposure": [1, 0]}, ValueError, r"`exposure` must have shape"),
        ({"exposure": [1, math.nan, 0]}, ValueError, r"`exposure` must be finite"),
        ({"trades": [[1.0], [2.0]]}, ValueError, r"one trade list per curve"),
        ({"trades": [1.0, math.inf]}, ValueError, r"`trades` P&Ls must be finite"),
        ({"trades": (np.array([1.0, 2.0]), np.array([0, 1]))}, ValueError, r"offsets"),
        ({"trades": (np.array([1.0]), np.array([0.0, 1.0]))}, TypeError, r"integer offsets"),
    ],
)
def test_validation(kwargs, exc, match):
    args = {"equity": [100.0, 101.0, 102.0], **kwargs}
    with pytest.raises(exc, match=match):
        performance_metrics(**args)


def test_validation_polars_and_drawdown():
    with pytest.raises(ValueError, match=r"`equity` column 'x' contains 1 null"):
        performance_metrics(pl.DataFrame({"x": [1.0, None, 2.0]}))
    with pytest.raises(TypeError, match=r"column 's' of dtype String"):
        performance_metrics(pl.DataFrame({"s": ["a", "b"]}))
    with pytest.raises(ValueError, match=r"`equity` must be > 0"):
        drawdown([0.0, 1.0])
    with pytest.raises(TypeError, match=r"`relative` must be True or False"):
        drawdown([1.0, 2.0], relative="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

returns_lists = st.lists(
    st.floats(-0.2, 0.2, allow_nan=False, allow_subnormal=False), min_size=3, max_size=40
)
RATIOS = [*METRIC_COLUMNS[:10]]  # total_return .. tail_ratio


def _from_returns(r: list[float]) -> np.ndarray:
    return 100.0 * np.cumprod(np.r_[1.0, 1.0 + np.asarray(r)])


@settings(max_examples=60, deadline=None)
@given(returns_lists, st.floats(0.01, 1e4))
@example([-0.028207929993102232, 0.125, 0.125, -0.028207929993102232], 0.01171875)  # 2 troughs
def test_scaling_changes_no_ratio(r, scale):
    eq = _from_returns(r)
    a = performance_metrics(eq)
    b = performance_metrics(eq * scale)
    prev_peak = np.maximum.accumulate(eq)[:-1]
    tie = bool(np.any(np.abs(eq[1:] / prev_peak - 1.0) < 1e-9))  # rounding decides "recovered"
    dd = eq / np.maximum.accumulate(eq) - 1.0
    worst = dd.min()
    # two troughs equally deep up to rounding: which is "the" max drawdown is a coin toss
    tie = tie or (worst < 0.0 and int(np.sum(np.abs(dd - worst) <= 1e-9 * abs(worst))) > 1)
    for col in RATIOS:
        if tie and col in ("max_drawdown_duration", "max_drawdown_recovery"):
            continue
        x, y = a[col].to_numpy()[0], b[col].to_numpy()[0]
        undefined = not np.isfinite(x) or abs(x) > 1e6  # NaN/inf or rounding-dominated
        if col in ("sharpe", "sortino", "tail_ratio", "calmar") and undefined:
            continue
        assert_allclose(y, x, rtol=1e-6, atol=1e-9, err_msg=col)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1e-4, 0.1), min_size=2, max_size=30))
def test_monotone_curve_has_no_drawdown(r):
    eq = _from_returns(r)
    row = _row_dict(performance_metrics(eq), 0)
    assert row["max_drawdown"] == 0.0
    assert row["max_drawdown_duration"] == 0
    assert row["max_drawdown_recovery"] == 0
    assert row["sortino"] == math.inf
    assert math.isnan(row["calmar"])
    assert_array_equal(drawdown(eq), np.zeros(eq.size))


@settings(max_examples=30, deadline=None)
@given(st.lists(returns_lists.filter(lambda x: len(x) >= 3), min_size=1, max_size=5))
def test_batch_equals_each_alone(many):
    n = min(len(x) for x in many)
    curves = np.stack([_from_returns(x[:n]) for x in many])
    trades = [np.asarray(x[:n]) * 100 for x in many]
    batch = performance_metrics(curves, trades=trades, benchmark=curves[0])
    for j in range(len(many)):
        alone = performance_metrics(curves[j], trades=trades[j], benchmark=curves[0])
        assert batch[j].drop("curve").equals(alone.drop("curve"))
