"""Performance metrics of many equity curves at once, and their drawdowns.

Contract (NumPy arrays and scalars only; the facade validates):

* ``equity`` is ``(n_curves, n_periods)``, float64, C-contiguous, every value
  finite and ``> 0``, ``n_periods >= 2``. Row ``j`` is one curve; its period
  returns are the simple returns ``r_t = E_t / E_{t-1} - 1`` (``n_periods - 1``
  of them);
* trades are CSR: ``trade_pnl`` (m,) float64 holds every curve's trade P&Ls
  back to back, curve ``j`` owning ``trade_pnl[trade_offsets[j]:trade_offsets[j+1]]``;
  ``trade_offsets`` (n_curves + 1,) int64. An empty ``trade_offsets`` means "no
  trade list given": the trade statistics are NaN;
* ``exposure`` is ``(n_curves, n_periods)`` float64, a position mask or the
  position sizes (non-zero = in the market); an array with 0 rows means "not
  given": the exposure metric is NaN;
* rates (``risk_free``, ``sortino_target``) are per period; ``periods_per_year``
  annualises (252 for daily bars);
* results go into ``out`` of shape ``(N_METRICS, n_curves)``, row ``Metric.X``
  holding metric ``X`` for every curve.

Definitions (``m = n_periods - 1`` returns, ``P = periods_per_year``, sample
standard deviations with ``ddof=1``):

=======================  ==================================================================
total_return             ``E_last / E_0 - 1``
cagr                     ``(E_last / E_0) ** (P / m) - 1``
annual_volatility        ``std(r) * sqrt(P)`` (NaN with a single return)
sharpe                   ``mean(r - risk_free) / std(r) * sqrt(P)``; NaN when std is zero
sortino                  ``mean(r - target) / DD * sqrt(P)``,
                         ``DD = sqrt(mean(min(r - target, 0) ** 2))``; ``+inf`` when
                         ``DD == 0`` and the mean excess is > 0, NaN when both are zero
calmar                   ``cagr / |max_drawdown|``; NaN without a drawdown
max_drawdown             ``min(E_t / max(E_0..E_t) - 1)``: a fraction ``<= 0`` (-0.1 = 10 %)
max_drawdown_duration    longest run of consecutive periods strictly below the running peak
max_drawdown_recovery    periods from the trough of the max drawdown to the first period at
                         or above its peak; 0 without a drawdown, NaN if not recovered
tail_ratio               ``percentile(r, 95) / |percentile(r, 5)|`` (linear interpolation)
exposure                 fraction of the ``n_periods`` periods with a non-zero position
n_trades                 number of trades
win_rate                 trades with P&L > 0 / all trades (a zero P&L is not a win)
profit_factor            gross profit / gross loss; ``+inf`` when there is no loss, NaN
                         when there is neither
expectancy               mean trade P&L
avg_win, avg_loss        mean P&L of the winning / losing trades (avg_loss < 0); NaN if none
=======================  ==================================================================

A standard deviation (or downside deviation) below :data:`ZERO_VOL` per period
counts as zero: returns computed from prices carry rounding noise of order
1e-16, and a curve that grows at a constant rate must not get a Sharpe ratio
of 1e15.

Benchmark-relative metrics (``benchmark_metrics_nb``, ``b`` the benchmark's
returns, ``a = r - b``): ``excess_return`` = total return minus the
benchmark's total return, ``beta = cov(r, b) / var(b)``, ``correlation`` of
``r`` and ``b``, ``information_ratio = mean(a) / std(a) * sqrt(P)``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numba import prange

from fastopt.kernels._jit import jit, jit_parallel

F64Array = npt.NDArray[np.float64]
I64Array = npt.NDArray[np.int64]

ZERO_VOL = 1e-12
"""Per-period standard deviations at or below this count as zero (rounding noise)."""


class MetricT(NamedTuple):
    """Row of each metric in the ``(N_METRICS, n_curves)`` output of ``performance_metrics_nb``."""

    total_return: int = 0
    cagr: int = 1
    annual_volatility: int = 2
    sharpe: int = 3
    sortino: int = 4
    calmar: int = 5
    max_drawdown: int = 6
    max_drawdown_duration: int = 7
    max_drawdown_recovery: int = 8
    tail_ratio: int = 9
    exposure: int = 10
    n_trades: int = 11
    win_rate: int = 12
    profit_factor: int = 13
    expectancy: int = 14
    avg_win: int = 15
    avg_loss: int = 16


Metric = MetricT()
METRIC_NAMES: tuple[str, ...] = MetricT._fields
N_METRICS = len(METRIC_NAMES)


class RelativeMetricT(NamedTuple):
    """Rows of the ``(N_RELATIVE, n_curves)`` output of ``benchmark_metrics_nb``."""

    excess_return: int = 0
    beta: int = 1
    correlation: int = 2
    information_ratio: int = 3


RelativeMetric = RelativeMetricT()
RELATIVE_NAMES: tuple[str, ...] = RelativeMetricT._fields
N_RELATIVE = len(RELATIVE_NAMES)


# --------------------------------------------------------------------------- helpers


@jit
def _returns(eq: F64Array) -> F64Array:
    """Simple returns ``eq[t] / eq[t-1] - 1``, (n,) -> (n - 1,)."""
    m = eq.shape[0] - 1
    r = np.empty(m)
    for t in range(m):
        r[t] = eq[t + 1] / eq[t] - 1.0
    return r


@jit
def _mean_std(x: F64Array) -> tuple[float, float]:
    """Two-pass mean and sample standard deviation (ddof=1; NaN for one value)."""
    m = x.shape[0]
    s = 0.0
    for t in range(m):
        s += x[t]
    mean = s / m
    ss = 0.0
    for t in range(m):
        d = x[t] - mean
        ss += d * d
    std = math.sqrt(ss / (m - 1)) if m > 1 else math.nan
    return mean, std


@jit
def _select(a: F64Array, lo: int, hi: int, k: int) -> float:
    """Move the ``k``-th smallest of ``a[lo:hi+1]`` to ``a[k]`` (Wirth/Hoare select, in place).

    Afterwards ``a[lo:k] <= a[k] <= a[k+1:hi+1]``; equal values split evenly (ties are cheap).
    """
    while lo < hi:
        x = a[k]
        i = lo
        j = hi
        while True:
            while a[i] < x:
                i += 1
            while x < a[j]:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
            if i > j:
                break
        if j < k:
            lo = i
        if k < i:
            hi = j
    return a[k]


@jit
def _min_from(a: F64Array, start: int) -> float:
    """Minimum of ``a[start:]``."""
    v = a[start]
    for t in range(start + 1, a.shape[0]):
        v = min(v, a[t])
    return v


_SAMPLE = 64  # sample size of the pivot choice in ``_tail_ratio``
_BRACKET = 5  # sample positions on each side of the target rank kept as candidates
_SELECT_DIRECT = 512  # below this many returns, select on the whole array


@jit
def _order_stats(r: F64Array, k: int, buf: F64Array) -> tuple[float, float]:
    """The ``k``-th and ``(k+1)``-th smallest of ``r`` (0-based; the latter capped at the max).

    Floyd-Rivest style: two pivots from a strided sample bracket rank ``k``; one branch-free
    pass counts the values below the lower pivot and compacts those between the pivots into
    ``buf``, and the selection runs on those few. If the bracket misses rank ``k`` or ``k + 1``
    (or ``r`` is short) the selection runs on ``r`` itself, which it reorders.
    """
    m = r.shape[0]
    last = m - 1
    if m >= _SELECT_DIRECT:
        step = m // _SAMPLE
        sample = np.empty(_SAMPLE)
        for i in range(_SAMPLE):
            sample[i] = r[i * step]
        sample.sort()
        centre = (k * _SAMPLE) // m
        lower = sample[max(centre - _BRACKET, 0)]
        upper = sample[min(centre + _BRACKET, _SAMPLE - 1)]
        below = 0
        n_cand = 0
        for t in range(m):  # branch-free compaction: no mispredictions on random data
            v = r[t]
            buf[n_cand] = v
            below += v < lower
            n_cand += (v >= lower) & (v <= upper)
        kk = k - below
        if kk >= 0 and (kk + 1 < n_cand or (k == last and kk < n_cand)):
            a = _select(buf, 0, n_cand - 1, kk)
            b = _min_from(buf[:n_cand], kk + 1) if kk + 1 < n_cand else a
            return a, b
    a = _select(r, 0, last, k)
    b = _min_from(r, k + 1) if k < last else a
    return a, b


@jit
def _tail_ratio(r: F64Array) -> float:
    """``percentile(r, 95) / |percentile(r, 5)|``, linear interpolation (NumPy's default).

    Order statistics by selection (O(n), pivots from a sample), never a sort; reorders ``r``.
    """
    last = r.shape[0] - 1
    pos_lo = 0.05 * last
    pos_hi = 0.95 * last
    lo0 = int(pos_lo)  # positions are >= 0: truncation is floor
    hi0 = int(pos_hi)
    buf = np.empty(r.shape[0])
    c, d = _order_stats(r, hi0, buf)
    a, b = _order_stats(r, lo0, buf)
    p5 = a + (b - a) * (pos_lo - lo0)
    p95 = c + (d - c) * (pos_hi - hi0)
    if p5 == 0.0:  # explicit, so the pure-Python (coverage) run gives the same without warnings
        return np.nan if p95 == 0.0 else math.copysign(np.inf, p95)
    return p95 / abs(p5)


@jit
def _drawdown_stats(eq: F64Array) -> tuple[float, float, float]:
    """(max drawdown <= 0, longest underwater run, recovery periods of the max drawdown)."""
    n = eq.shape[0]
    peak = eq[0]
    max_dd = 0.0
    trough = -1
    dd_peak = peak
    under = 0
    longest = 0
    for t in range(1, n):
        v = eq[t]
        if v >= peak:
            peak = v
            under = 0
        else:
            under += 1
            longest = max(longest, under)
            dd = v / peak - 1.0
            if dd < max_dd:
                max_dd = dd
                trough = t
                dd_peak = peak
    recovery = 0.0
    if trough >= 0:
        recovery = math.nan
        for t in range(trough + 1, n):
            if eq[t] >= dd_peak:
                recovery = float(t - trough)
                break
    return max_dd, float(longest), recovery


@jit
def _trade_stats(pnl: F64Array, lo: int, hi: int, out: F64Array, j: int) -> None:
    """Trade statistics of ``pnl[lo:hi]`` into the trade rows of ``out[:, j]``."""
    n = hi - lo
    wins = 0
    losses = 0
    gross_profit = 0.0
    gross_loss = 0.0
    total = 0.0
    for i in range(lo, hi):
        p = pnl[i]
        total += p
        if p > 0.0:
            wins += 1
            gross_profit += p
        elif p < 0.0:
            losses += 1
            gross_loss -= p
    out[11, j] = float(n)
    out[12, j] = wins / n if n > 0 else math.nan
    if gross_loss > 0.0:
        out[13, j] = gross_profit / gross_loss
    elif gross_profit > 0.0:
        out[13, j] = math.inf
    else:
        out[13, j] = math.nan
    out[14, j] = total / n if n > 0 else math.nan
    out[15, j] = gross_profit / wins if wins > 0 else math.nan
    out[16, j] = -gross_loss / losses if losses > 0 else math.nan


@jit
def _curve_metrics(
    equity: F64Array,
    trade_pnl: F64Array,
    trade_offsets: I64Array,
    exposure: F64Array,
    periods_per_year: float,
    risk_free: float,
    sortino_target: float,
    out: F64Array,
    j: int,
) -> None:
    """Every metric of curve ``j`` into ``out[:, j]``."""
    eq = equity[j]
    n = eq.shape[0]
    r = _returns(eq)
    m = r.shape[0]
    ann = math.sqrt(periods_per_year)

    growth = eq[n - 1] / eq[0]
    out[0, j] = growth - 1.0
    cagr = math.expm1(math.log(growth) * (periods_per_year / m))
    out[1, j] = cagr

    mean, std = _mean_std(r)
    if std <= ZERO_VOL:
        std = 0.0
    out[2, j] = std * ann
    excess = mean - risk_free
    out[3, j] = excess / std * ann if std > 0.0 else math.nan

    down = 0.0
    for t in range(m):
        d = r[t] - sortino_target
        if d < 0.0:
            down += d * d
    dd_dev = math.sqrt(down / m)
    ex_target = mean - sortino_target
    if dd_dev > ZERO_VOL:
        out[4, j] = ex_target / dd_dev * ann
    elif ex_target > ZERO_VOL:
        out[4, j] = math.inf
    else:
        out[4, j] = math.nan

    max_dd, longest, recovery = _drawdown_stats(eq)
    out[5, j] = cagr / abs(max_dd) if max_dd < 0.0 else math.nan
    out[6, j] = max_dd
    out[7, j] = longest
    out[8, j] = recovery

    out[9, j] = _tail_ratio(r)  # last use of r: reorders it

    if exposure.shape[0] > 0:
        held = 0
        x = exposure[j]
        for t in range(n):
            if x[t] != 0.0:
                held += 1
        out[10, j] = held / n
    else:
        out[10, j] = math.nan

    if trade_offsets.shape[0] > 0:
        _trade_stats(trade_pnl, trade_offsets[j], trade_offsets[j + 1], out, j)
    else:
        for k in range(11, 17):
            out[k, j] = math.nan


# --------------------------------------------------------------------------- metrics


@jit
def performance_metrics_nb(
    equity: F64Array,
    trade_pnl: F64Array,
    trade_offsets: I64Array,
    exposure: F64Array,
    periods_per_year: float,
    risk_free: float,
    sortino_target: float,
    out: F64Array,
) -> F64Array:
    """Metrics of every curve of ``equity`` (c, n) into ``out`` (N_METRICS, c); serial."""
    for j in range(equity.shape[0]):
        _curve_metrics(
            equity,
            trade_pnl,
            trade_offsets,
            exposure,
            periods_per_year,
            risk_free,
            sortino_target,
            out,
            j,
        )
    return out


@jit_parallel
def performance_metrics_par_nb(
    equity: F64Array,
    trade_pnl: F64Array,
    trade_offsets: I64Array,
    exposure: F64Array,
    periods_per_year: float,
    risk_free: float,
    sortino_target: float,
    out: F64Array,
) -> F64Array:
    """``performance_metrics_nb`` with ``prange`` over curves (identical results)."""
    for j in prange(equity.shape[0]):
        _curve_metrics(
            equity,
            trade_pnl,
            trade_offsets,
            exposure,
            periods_per_year,
            risk_free,
            sortino_target,
            out,
            j,
        )
    return out


@jit
def _relative_one(
    equity: F64Array, benchmark: F64Array, periods_per_year: float, out: F64Array, j: int
) -> None:
    """Benchmark-relative metrics of curve ``j`` into ``out[:, j]``."""
    eq = equity[j]
    b = benchmark[j] if benchmark.shape[0] == equity.shape[0] else benchmark[0]
    n = eq.shape[0]
    out[0, j] = eq[n - 1] / eq[0] - b[n - 1] / b[0]
    r = _returns(eq)
    rb = _returns(b)
    m = r.shape[0]
    mean_r, sd_r = _mean_std(r)
    mean_b, sd_b = _mean_std(rb)
    cov = 0.0
    for t in range(m):
        cov += (r[t] - mean_r) * (rb[t] - mean_b)
    cov = cov / (m - 1) if m > 1 else math.nan
    out[1, j] = cov / (sd_b * sd_b) if sd_b > ZERO_VOL else math.nan
    if sd_b > ZERO_VOL and sd_r > ZERO_VOL:
        out[2, j] = min(max(cov / (sd_r * sd_b), -1.0), 1.0)
    else:
        out[2, j] = math.nan
    for t in range(m):
        r[t] -= rb[t]
    mean_a, sd_a = _mean_std(r)
    out[3, j] = mean_a / sd_a * math.sqrt(periods_per_year) if sd_a > ZERO_VOL else math.nan


@jit
def benchmark_metrics_nb(
    equity: F64Array, benchmark: F64Array, periods_per_year: float, out: F64Array
) -> F64Array:
    """Relative metrics of ``equity`` (c, n) against ``benchmark`` (1 or c, n) into (N_RELATIVE, c).

    A one-row benchmark is shared by every curve; otherwise row ``j`` is curve ``j``'s.
    """
    for j in range(equity.shape[0]):
        _relative_one(equity, benchmark, periods_per_year, out, j)
    return out


@jit_parallel
def benchmark_metrics_par_nb(
    equity: F64Array, benchmark: F64Array, periods_per_year: float, out: F64Array
) -> F64Array:
    """``benchmark_metrics_nb`` with ``prange`` over curves (identical results)."""
    for j in prange(equity.shape[0]):
        _relative_one(equity, benchmark, periods_per_year, out, j)
    return out


# --------------------------------------------------------------------------- drawdown series


@jit
def drawdown_nb(equity: F64Array, out: F64Array) -> F64Array:
    """Relative drawdown ``E_t / max(E_0..E_t) - 1`` of each row of ``equity`` (c, n) into ``out``.

    Values are ``<= 0`` (0 at a new high); ``equity`` must be > 0.
    """
    for j in range(equity.shape[0]):
        peak = equity[j, 0]
        for t in range(equity.shape[1]):
            v = equity[j, t]
            if v > peak:
                peak = v
            out[j, t] = v / peak - 1.0
    return out


@jit
def drawdown_amount_nb(equity: F64Array, out: F64Array) -> F64Array:
    """Drawdown in the curve's units, ``E_t - max(E_0..E_t)``, row by row into ``out`` (c, n).

    For P&L curves that start at 0 or go negative (any finite values).
    """
    for j in range(equity.shape[0]):
        peak = equity[j, 0]
        for t in range(equity.shape[1]):
            v = equity[j, t]
            if v > peak:
                peak = v
            out[j, t] = v - peak
    return out
