"""Volatility analytics kernels: rolling realised volatility, IV rank/percentile, regimes.

Contract (these only accept NumPy arrays and scalars):

* time runs along axis 0. The ``*_1d_nb`` kernels take 1-D float64 arrays of
  length ``n``; the 2-D ``*_nb`` kernels take ``(n, k)`` arrays (``k``
  independent series in the columns) and loop over the 1-D form column by column;
* every rolling kernel returns a new float64 array of the input's length whose
  row ``t`` summarises the trailing window of rows ``t - window + 1 .. t``
  (today included). Rows without a full window (the warm-up) are NaN;
* the annualisation factor is passed in: a per-period variance is multiplied by
  ``periods_per_year`` (252 for daily bars) and the square root is returned, so
  the volatilities are annualised decimals (0.20 = 20 %);
* per-element bad input (NaN, inf, a non-positive price) gives NaN for every
  window that contains it and nothing else: running sums never absorb a bad
  value, so later windows are unaffected. The facade rejects such input before
  it gets here; the kernels do no other validation.

Realised-volatility estimators (per-bar terms, ``O, H, L, C`` the bar's open,
high, low and close, ``C'`` the previous close):

=================  ====================================================  ==========
estimator          per-period variance over a window of ``w`` bars        warm-up
=================  ====================================================  ==========
close-to-close     sample variance (ddof=1) of ``r = ln(C/C')``, or        ``w`` rows
                   ``mean(r**2)`` when not demeaned
Parkinson          ``mean(ln(H/L)**2) / (4 ln 2)``                         ``w - 1``
Garman-Klass       ``mean(0.5 ln(H/L)**2 - (2 ln 2 - 1) ln(C/O)**2)``      ``w - 1``
Rogers-Satchell    ``mean(ln(H/C) ln(H/O) + ln(L/C) ln(L/O))``             ``w - 1``
Yang-Zhang         ``V_o + k V_c + (1 - k) V_rs``, ``V_o``/``V_c`` sample  ``w`` rows
                   variances of ``ln(O/C')``/``ln(C/O)``, ``V_rs`` the
                   Rogers-Satchell mean, ``k = 0.34 / (1.34 + (w+1)/(w-1))``
=================  ====================================================  ==========

The windowed sums run in O(n): a running sum (a rolling Welford mean/M2 pair for
the variances) is updated by adding the entering and removing the leaving term.
Each running sum also carries a bound on its accumulated rounding error; when
that bound exceeds 1e-12 of the current value (after a few thousand rows, or at
once when a large term such as a crash day leaves the window) the sum is
recomputed exactly from the window. Results therefore stay within ~1e-12
relative of a fresh two-pass computation, at an amortised cost of a few percent.

IV rank uses monotone deques for the rolling min/max (O(n)); IV percentile
counts, for each row, the earlier window members strictly below today's value
(O(n * window), a branch-free loop that LLVM vectorises; 252 compares a row).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from fastopt.kernels._jit import jit
from fastopt.kernels._special import fast_log

F64Array = npt.NDArray[np.float64]
I8Array = npt.NDArray[np.int8]

_FOUR_LN2 = 4.0 * math.log(2.0)
_GK_C = 2.0 * math.log(2.0) - 1.0
_EPS = 2.220446049250313e-16
_REL_TOL = 1e-12  # re-anchor a running sum once its rounding-error bound exceeds this


class VolEstimatorT(NamedTuple):
    """Integer codes of the realised-volatility estimators (``realized_vol_nb``)."""

    CLOSE_TO_CLOSE: int = 0
    PARKINSON: int = 1
    GARMAN_KLASS: int = 2
    ROGERS_SATCHELL: int = 3
    YANG_ZHANG: int = 4


VolEstimator = VolEstimatorT()


class VolRegimeT(NamedTuple):
    """Integer codes returned by ``vol_regime_nb`` with three thresholds (``int8``)."""

    UNDEFINED: int = -1  # warm-up row or NaN input
    LOW: int = 0  # below the first threshold
    NORMAL: int = 1  # first threshold <= x < second
    HIGH: int = 2  # second <= x < third
    EXTREME: int = 3  # x >= third threshold


VolRegime = VolRegimeT()


# --------------------------------------------------------------------------- rolling sums


@jit
def _window_sum(x: F64Array, lo: int, hi: int) -> tuple[float, int]:
    """Sum of the finite values of ``x[lo:hi]`` and the count of non-finite ones."""
    s = 0.0
    bad = 0
    for j in range(lo, hi):
        v = x[j]
        if math.isfinite(v):
            s += v
        else:
            bad += 1
    return s, bad


@jit
def _window_mean_m2(x: F64Array, lo: int, hi: int) -> tuple[int, float, float, int]:
    """Two-pass count, mean and sum of squared deviations of the finite values of ``x[lo:hi]``."""
    s, bad = _window_sum(x, lo, hi)
    cnt = hi - lo - bad
    if cnt == 0:
        return 0, 0.0, 0.0, bad
    mean = s / cnt
    corr = 0.0  # second pass: correct the mean by the mean residual (exact for constants)
    for j in range(lo, hi):
        v = x[j]
        if math.isfinite(v):
            corr += v - mean
    mean += corr / cnt
    m2 = 0.0
    for j in range(lo, hi):
        v = x[j]
        if math.isfinite(v):
            d = v - mean
            m2 += d * d
    return cnt, mean, m2, bad


@jit
def _welford_remove(
    u: float, cnt: int, mean: float, m2: float, bad: int
) -> tuple[int, float, float, int]:
    """Remove ``u`` from a running (count, mean, M2, bad-count) state."""
    if not math.isfinite(u):
        return cnt, mean, m2, bad - 1
    cnt -= 1
    if cnt == 0:
        return 0, 0.0, 0.0, bad
    d = u - mean
    mean -= d / cnt
    m2 -= d * (u - mean)
    return cnt, mean, m2, bad


@jit
def _rolling_mean_into(x: F64Array, window: int, weight: float, out: F64Array) -> None:
    """``out[t] += weight * mean(x[t-window+1 : t+1])``; NaN where the window is short or bad."""
    s = 0.0
    err = 0.0
    bad = 0
    for t in range(x.shape[0]):
        v = x[t]
        if math.isfinite(v):
            s += v
            err += abs(s)
        else:
            bad += 1
        if t >= window:
            u = x[t - window]
            if math.isfinite(u):
                s -= u
                err += abs(s)
            else:
                bad -= 1
        if t >= window - 1 and bad == 0:
            if _EPS * err > _REL_TOL * abs(s):
                s, bad = _window_sum(x, t - window + 1, t + 1)  # re-anchor
                err = 0.0
            out[t] = out[t] + weight * (s / window)
        else:
            out[t] = np.nan


@jit
def _rolling_var_into(x: F64Array, window: int, weight: float, out: F64Array) -> None:
    """``out[t] += weight * var(x[t-window+1 : t+1], ddof=1)``; NaN where short or bad."""
    inv_w = 1.0 / window
    cnt = 0
    mean = 0.0
    m2 = 0.0
    err = 0.0
    bad = 0
    for t in range(x.shape[0]):
        v = x[t]
        if t >= window and cnt == window and math.isfinite(v) and math.isfinite(x[t - window]):
            u = x[t - window]
            delta = v - u
            old_mean = mean
            mean += delta * inv_w
            dv = v - mean
            du = u - old_mean
            m2 += delta * (dv + du)
            err += abs(m2) + abs(delta) * (abs(dv) + abs(du) + 2.0 * abs(mean))
        else:
            if math.isfinite(v):
                cnt += 1
                d = v - mean
                mean += d / cnt
                m2 += d * (v - mean)
            else:
                bad += 1
            if t >= window:
                cnt, mean, m2, bad = _welford_remove(x[t - window], cnt, mean, m2, bad)
            err = math.inf  # warm-up or a bad value: recompute exactly at the next full window
        if t >= window - 1 and bad == 0:
            if _EPS * err > _REL_TOL * m2:
                cnt, mean, m2, bad = _window_mean_m2(x, t - window + 1, t + 1)  # re-anchor
                err = 0.0
            out[t] = out[t] + weight * (max(m2, 0.0) / (window - 1))
        else:
            out[t] = np.nan


@jit
def rolling_mean_1d_nb(x: F64Array, window: int) -> F64Array:
    """Trailing-window mean of ``x`` (n,) -> (n,); NaN where the window is short or has NaN."""
    out = np.zeros(x.shape[0])
    _rolling_mean_into(x, window, 1.0, out)
    return out


@jit
def rolling_var_1d_nb(x: F64Array, window: int) -> F64Array:
    """Trailing-window sample variance (ddof=1) of ``x`` (n,) -> (n,); NaN where short or bad."""
    out = np.zeros(x.shape[0])
    _rolling_var_into(x, window, 1.0, out)
    return out


@jit
def _annualise(var: F64Array, periods_per_year: float) -> F64Array:
    """sqrt(max(var, 0) * periods_per_year) elementwise, NaN kept; in place, returned."""
    for t in range(var.shape[0]):
        v = var[t]
        var[t] = math.sqrt(max(v, 0.0) * periods_per_year) if v == v else np.nan
    return var


# --------------------------------------------------------------------------- per-bar terms


@jit
def log_returns_1d_nb(close: F64Array) -> F64Array:
    """Log returns ``ln(close[t] / close[t-1])`` (n,) -> (n,); row 0 is NaN."""
    n = close.shape[0]
    out = np.empty(n)
    if n > 0:
        out[0] = np.nan
    for t in range(1, n):
        out[t] = fast_log(close[t] / close[t - 1])
    return out


@jit
def _parkinson_terms(high: F64Array, low: F64Array) -> F64Array:
    """Per-bar Parkinson variance ``ln(H/L)**2 / (4 ln 2)``."""
    n = high.shape[0]
    out = np.empty(n)
    for t in range(n):
        hl = fast_log(high[t] / low[t])
        out[t] = hl * hl / _FOUR_LN2
    return out


@jit
def _garman_klass_terms(
    open_: F64Array, high: F64Array, low: F64Array, close: F64Array
) -> F64Array:
    """Per-bar Garman-Klass variance ``0.5 ln(H/L)**2 - (2 ln 2 - 1) ln(C/O)**2``."""
    n = high.shape[0]
    out = np.empty(n)
    for t in range(n):
        hl = fast_log(high[t] / low[t])
        co = fast_log(close[t] / open_[t])
        out[t] = 0.5 * hl * hl - _GK_C * co * co
    return out


@jit
def _rogers_satchell_terms(
    open_: F64Array, high: F64Array, low: F64Array, close: F64Array
) -> F64Array:
    """Per-bar Rogers-Satchell variance ``ln(H/C) ln(H/O) + ln(L/C) ln(L/O)``."""
    n = high.shape[0]
    out = np.empty(n)
    for t in range(n):
        u = fast_log(high[t] / open_[t])
        d = fast_log(low[t] / open_[t])
        c = fast_log(close[t] / open_[t])
        out[t] = u * (u - c) + d * (d - c)
    return out


@jit
def _yang_zhang_terms(
    open_: F64Array, high: F64Array, low: F64Array, close: F64Array
) -> tuple[F64Array, F64Array, F64Array]:
    """Per-bar overnight ``ln(O/C')`` (NaN in row 0), open-to-close ``ln(C/O)``, RS terms."""
    n = high.shape[0]
    overnight = np.empty(n)
    intraday = np.empty(n)
    rs = np.empty(n)
    if n > 0:
        overnight[0] = np.nan
    for t in range(1, n):
        overnight[t] = fast_log(open_[t] / close[t - 1])
    for t in range(n):  # branch-free: LLVM vectorises the three logs
        u = fast_log(high[t] / open_[t])
        d = fast_log(low[t] / open_[t])
        c = fast_log(close[t] / open_[t])
        intraday[t] = c
        rs[t] = u * (u - c) + d * (d - c)
    return overnight, intraday, rs


# --------------------------------------------------------------------------- estimators


@jit
def close_to_close_1d_nb(
    close: F64Array,
    window: int,
    periods_per_year: float,
    demean: bool,
) -> F64Array:
    """Rolling close-to-close vol over ``window`` log returns, (n,) -> (n,); ``window`` NaN rows.

    ``demean=True``: sample std (ddof=1) of the returns; ``False``: ``sqrt(mean(r**2))``.
    """
    r = log_returns_1d_nb(close)
    if demean:
        var = rolling_var_1d_nb(r, window)
    else:
        for t in range(r.shape[0]):
            r[t] = r[t] * r[t]
        var = rolling_mean_1d_nb(r, window)
    return _annualise(var, periods_per_year)


@jit
def parkinson_1d_nb(
    high: F64Array, low: F64Array, window: int, periods_per_year: float
) -> F64Array:
    """Rolling Parkinson (1980) high-low vol, (n,) -> (n,); ``window - 1`` NaN rows."""
    return _annualise(rolling_mean_1d_nb(_parkinson_terms(high, low), window), periods_per_year)


@jit
def garman_klass_1d_nb(
    open_: F64Array,
    high: F64Array,
    low: F64Array,
    close: F64Array,
    window: int,
    periods_per_year: float,
) -> F64Array:
    """Rolling Garman-Klass (1980) OHLC vol, (n,) -> (n,); ``window - 1`` NaN rows."""
    terms = _garman_klass_terms(open_, high, low, close)
    return _annualise(rolling_mean_1d_nb(terms, window), periods_per_year)


@jit
def rogers_satchell_1d_nb(
    open_: F64Array,
    high: F64Array,
    low: F64Array,
    close: F64Array,
    window: int,
    periods_per_year: float,
) -> F64Array:
    """Rolling Rogers-Satchell (1991) drift-free vol, (n,) -> (n,); ``window - 1`` NaN rows."""
    terms = _rogers_satchell_terms(open_, high, low, close)
    return _annualise(rolling_mean_1d_nb(terms, window), periods_per_year)


@jit
def yang_zhang_k(window: int) -> float:
    """Yang-Zhang weight ``k = 0.34 / (1.34 + (n + 1) / (n - 1))`` for a window of ``n`` bars."""
    return 0.34 / (1.34 + (window + 1.0) / (window - 1.0))


@jit
def yang_zhang_1d_nb(
    open_: F64Array,
    high: F64Array,
    low: F64Array,
    close: F64Array,
    window: int,
    periods_per_year: float,
) -> F64Array:
    """Rolling Yang-Zhang (2000) vol, (n,) -> (n,); ``window`` NaN rows (needs the prior close)."""
    overnight, intraday, rs = _yang_zhang_terms(open_, high, low, close)
    k = yang_zhang_k(window)
    var = np.zeros(overnight.shape[0])
    _rolling_var_into(overnight, window, 1.0, var)
    _rolling_var_into(intraday, window, k, var)
    _rolling_mean_into(rs, window, 1.0 - k, var)
    return _annualise(var, periods_per_year)


@jit
def realized_vol_1d_nb(
    open_: F64Array,
    high: F64Array,
    low: F64Array,
    close: F64Array,
    estimator: int,
    window: int,
    periods_per_year: float,
    demean: bool,
) -> F64Array:
    """Dispatch on a ``VolEstimator`` code, (n,) -> (n,); unused price arrays are ignored."""
    if estimator == 0:
        return close_to_close_1d_nb(close, window, periods_per_year, demean)
    if estimator == 1:
        return parkinson_1d_nb(high, low, window, periods_per_year)
    if estimator == 2:
        return garman_klass_1d_nb(open_, high, low, close, window, periods_per_year)
    if estimator == 3:
        return rogers_satchell_1d_nb(open_, high, low, close, window, periods_per_year)
    if estimator == 4:
        return yang_zhang_1d_nb(open_, high, low, close, window, periods_per_year)
    return np.full(close.shape[0], np.nan)


@jit
def realized_vol_nb(
    open_: F64Array,
    high: F64Array,
    low: F64Array,
    close: F64Array,
    estimator: int,
    window: int,
    periods_per_year: float,
    demean: bool,
) -> F64Array:
    """2-dim version of ``realized_vol_1d_nb``: (n, k) -> (n, k), one series per column."""
    n, k = close.shape
    out = np.empty((n, k))
    for j in range(k):
        out[:, j] = realized_vol_1d_nb(
            np.ascontiguousarray(open_[:, j]),
            np.ascontiguousarray(high[:, j]),
            np.ascontiguousarray(low[:, j]),
            np.ascontiguousarray(close[:, j]),
            estimator,
            window,
            periods_per_year,
            demean,
        )
    return out


# --------------------------------------------------------------------------- IV rank / percentile


@jit
def _bad_prefix(x: F64Array) -> npt.NDArray[np.int64]:
    """``p[t]`` = number of non-finite values in ``x[:t]``, (n,) -> (n + 1,)."""
    n = x.shape[0]
    p = np.zeros(n + 1, dtype=np.int64)
    for t in range(n):
        p[t + 1] = p[t] + (0 if math.isfinite(x[t]) else 1)
    return p


@jit
def iv_rank_1d_nb(iv: F64Array, window: int) -> F64Array:
    """Rolling IV rank ``100 (x - min) / (max - min)``, window incl. today, (n,) -> (n,).

    NaN for the first ``window - 1`` rows, for windows holding a NaN, and where
    ``max == min`` (a flat window has no rank).
    """
    n = iv.shape[0]
    out = np.full(n, np.nan)
    bad = _bad_prefix(iv)
    qmin = np.empty(n, dtype=np.int64)  # deque of indices, values increasing
    qmax = np.empty(n, dtype=np.int64)  # deque of indices, values decreasing
    hmin = 0
    tmin = 0
    hmax = 0
    tmax = 0
    for t in range(n):
        v = iv[t]
        while hmin < tmin and qmin[hmin] <= t - window:
            hmin += 1
        while hmax < tmax and qmax[hmax] <= t - window:
            hmax += 1
        if math.isfinite(v):
            while hmin < tmin and iv[qmin[tmin - 1]] >= v:
                tmin -= 1
            qmin[tmin] = t
            tmin += 1
            while hmax < tmax and iv[qmax[tmax - 1]] <= v:
                tmax -= 1
            qmax[tmax] = t
            tmax += 1
        if t >= window - 1 and bad[t + 1] - bad[t + 1 - window] == 0:
            lo = iv[qmin[hmin]]
            hi = iv[qmax[hmax]]
            if hi > lo:
                out[t] = 100.0 * ((v - lo) / (hi - lo))
    return out


@jit
def iv_percentile_1d_nb(iv: F64Array, window: int) -> F64Array:
    """Rolling IV percentile (n,) -> (n,): % of the previous ``window - 1`` rows below today.

    NaN for the first ``window - 1`` rows and for windows holding a NaN.
    """
    n = iv.shape[0]
    out = np.full(n, np.nan)
    bad = _bad_prefix(iv)
    scale = 100.0 / (window - 1)
    for t in range(window - 1, n):
        if bad[t + 1] - bad[t + 1 - window] != 0:
            continue
        v = iv[t]
        prev = iv[t - window + 1 : t]
        cnt = np.int64(0)
        for j in range(prev.shape[0]):  # branch-free so LLVM vectorises the count
            cnt += np.int64(prev[j] < v)
        out[t] = cnt * scale
    return out


@jit
def iv_rank_nb(iv: F64Array, window: int) -> F64Array:
    """2-dim version of ``iv_rank_1d_nb``: (n, k) -> (n, k)."""
    n, k = iv.shape
    out = np.empty((n, k))
    for j in range(k):
        out[:, j] = iv_rank_1d_nb(np.ascontiguousarray(iv[:, j]), window)
    return out


@jit
def iv_percentile_nb(iv: F64Array, window: int) -> F64Array:
    """2-dim version of ``iv_percentile_1d_nb``: (n, k) -> (n, k)."""
    n, k = iv.shape
    out = np.empty((n, k))
    for j in range(k):
        out[:, j] = iv_percentile_1d_nb(np.ascontiguousarray(iv[:, j]), window)
    return out


# --------------------------------------------------------------------------- regimes


@jit
def vol_regime_1d_nb(x: F64Array, thresholds: F64Array) -> I8Array:
    """Bucket ``x`` (n,) by increasing ``thresholds`` (m,) -> int8 (n,).

    Regime = number of thresholds ``<= x`` (0 .. m); -1 where ``x`` is NaN.
    """
    n = x.shape[0]
    m = thresholds.shape[0]
    out = np.empty(n, dtype=np.int8)
    for t in range(n):
        v = x[t]
        if v != v:
            out[t] = -1
            continue
        r = 0
        for i in range(m):
            r += 1 if v >= thresholds[i] else 0
        out[t] = r
    return out


@jit
def vol_regime_nb(x: F64Array, thresholds: F64Array) -> I8Array:
    """2-dim version of ``vol_regime_1d_nb``: (n, k) -> int8 (n, k)."""
    n, k = x.shape
    out = np.empty((n, k), dtype=np.int8)
    for j in range(k):
        out[:, j] = vol_regime_1d_nb(np.ascontiguousarray(x[:, j]), thresholds)
    return out


# --------------------------------------------------------------------------- expected move


@jit
def expected_move_1d_nb(
    spot: F64Array, sigma_move: F64Array, n_sigma: float
) -> tuple[F64Array, F64Array, F64Array]:
    """Band ``spot -/+ n_sigma * sigma_move``: returns (move, lower, upper), each (n,)."""
    n = spot.shape[0]
    move = np.empty(n)
    lower = np.empty(n)
    upper = np.empty(n)
    for i in range(n):
        m = n_sigma * sigma_move[i]
        move[i] = m
        lower[i] = spot[i] - m
        upper[i] = spot[i] + m
    return move, lower, upper


@jit
def one_sigma_from_iv_1d_nb(spot: F64Array, iv: F64Array, t: F64Array) -> F64Array:
    """One-sigma price move ``spot * iv * sqrt(t)``, (n,) -> (n,)."""
    n = spot.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = spot[i] * iv[i] * math.sqrt(t[i])
    return out


@jit
def one_sigma_from_straddle_1d_nb(straddle: F64Array, factor: float) -> F64Array:
    """One-sigma price move ``factor * straddle``, (n,) -> (n,)."""
    n = straddle.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = factor * straddle[i]
    return out
