"""Value at risk and expected shortfall of a book of European options on one underlying.

Contract: option arrays (``strike, t, vol, is_call, qty``) are 1-D,
C-contiguous, of the same length ``n_options``; scenario arrays (``z``,
``log_ret``, ``spot_h``, ``pnl``) have length ``n_scenarios``; everything is
float64 except the boolean ``is_call``. ``qty`` is the signed quantity times
the contract multiplier. Units: ``t`` and ``horizon`` in years, ``vol``,
``rate``, ``div``, ``drift`` annualised and continuously compounded.

Scenarios are terminal underlying values at the horizon ``h`` from a GBM
step, ``S_h = S exp((mu - vol^2/2) h + vol sqrt(h) z)``, with the standard
normals ``z`` drawn by the caller (seeded). Full revaluation prices every
option at every scenario with the remaining time ``max(t - h, 0)`` (an option
with ``t <= h`` is worth its intrinsic value on the scenario spot) and adds
``qty * (V_scenario - V_now)`` over options in index order, so every
scenario's P&L is bit-identical whatever the thread count or block layout.

Performance: :func:`full_reval_pnl_nb` evaluates the BSM price in *hoisted
form* (see :func:`_bsm_price_hoisted`): per-option constants (log-moneyness
at today's spot plus carry, ``1/(vol sqrt(tau))``, discounted spot and strike
factors) are computed once, the scenario's log-return once, and the inner
loop runs over a block of scenarios for one option, so LLVM vectorises it.
This is the one benchmarked exception to "one formula, one place"; the tests
check it equals :func:`fastopt.kernels.bs._bsm_one` to 1e-13 relative.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels._special import exp_neg_half_sq, fast_exp, fast_log, norm_cdf_with_pdf
from fastopt.kernels.bs import _bsm_one

BLOCK = 256
"""Scenarios per block of the revaluation loop (the vectorised inner loop's length)."""

N_CONST = 9
"""Rows of the hoisted per-option constants (see :func:`hoist_constants_nb`)."""


@jit
def scenario_spots_nb(spot, z, drift, vol, horizon, log_ret, spot_h):
    """GBM log-returns and spots at the horizon into ``log_ret``, ``spot_h`` (n_scenarios,)."""
    m = (drift - 0.5 * vol * vol) * horizon
    sd = vol * math.sqrt(horizon)
    for j in range(z.shape[0]):
        x = m + sd * z[j]
        log_ret[j] = x
        spot_h[j] = spot * fast_exp(x)
    return log_ret, spot_h


@jit
def hoist_constants_nb(spot, strike, t, vol, rate, div, is_call, qty, horizon, out):
    """Per-option constants of the hoisted BSM form into ``out`` (9, n_options).

    Rows: ``a = ln(S/K) + (r - q) tau``, ``1/(vol sqrt(tau))`` (0 when not
    live), ``vol sqrt(tau)``, ``e^{-q tau}``, ``K e^{-r tau}``, ``w = +-1``,
    ``qty``, today's price ``V_now`` (from :func:`_bsm_one` at ``t``) and
    ``e^{(r - q) tau} / K`` (so that ``F/K = S_h`` times it), with
    ``tau = max(t - horizon, 0)``.
    """
    for i in range(strike.shape[0]):
        tau = max(t[i] - horizon, 0.0)
        vst = vol[i] * math.sqrt(tau)
        out[0, i] = fast_log(spot / strike[i]) + (rate - div) * tau
        out[1, i] = 1.0 / vst if vst > 0.0 else 0.0
        out[2, i] = vst
        out[3, i] = fast_exp(-div * tau)
        out[4, i] = strike[i] * fast_exp(-rate * tau)
        out[5, i] = 1.0 if is_call[i] else -1.0
        out[6, i] = qty[i]
        out[7, i] = _bsm_one(spot, strike[i], t[i], vol[i], rate, div, is_call[i], False)[0]
        out[8, i] = fast_exp((rate - div) * tau) / strike[i]
    return out


@jit_inline
def _bsm_price_hoisted(
    x: float, s: float, inv_vst: float, vst: float, df_q: float, kdr: float, w: float, g: float
) -> float:
    """The BSM price in hoisted form (the formula of ``bs._bsm_one``, live options only).

    ``x = ln(F/K)`` is the log-moneyness of the forward, ``s`` the spot; with
    ``d1 = x / (vol sqrt(tau)) + vol sqrt(tau) / 2``, ``d2 = d1 - vol sqrt(tau)``
    the price is ``max(w (s e^{-q tau} N(w d1) - K e^{-r tau} N(w d2)), 0)``.
    Requires ``vst > 0``; ``inv_vst = 1 / vst``; ``g = e^{(r - q) tau} / K``.
    The normal CDFs take the density factors ``exp(-d^2/2)``; the second one
    uses the identity ``exp(-d2^2/2) = exp(-d1^2/2) F/K`` (one exponential
    saved; equal up to rounding).
    """
    d1 = x * inv_vst + 0.5 * vst
    d2 = d1 - vst
    e1 = exp_neg_half_sq(d1)
    n1 = norm_cdf_with_pdf(w * d1, e1)
    n2 = norm_cdf_with_pdf(w * d2, e1 * (s * g))
    return max(w * (s * df_q * n1 - kdr * n2), 0.0)


@jit_inline
def _intrinsic_hoisted(s: float, df_q: float, kdr: float, w: float) -> float:
    """Discounted intrinsic value of the forward: the BSM price at zero ``vol sqrt(tau)``."""
    return max(w * (s * df_q - kdr), 0.0)


@jit_inline
def _reval_block(c, log_ret, spot_h, pnl):
    """Set ``pnl`` (one block of scenarios) to the book P&L, adding options in index order."""
    nb = pnl.shape[0]
    for j in range(nb):
        pnl[j] = 0.0
    for i in range(c.shape[1]):
        a = c[0, i]
        inv_vst = c[1, i]
        vst = c[2, i]
        df_q = c[3, i]
        kdr = c[4, i]
        w = c[5, i]
        qty = c[6, i]
        v_now = c[7, i]
        g = c[8, i]
        if vst > 0.0:
            for j in range(nb):
                v = _bsm_price_hoisted(log_ret[j] + a, spot_h[j], inv_vst, vst, df_q, kdr, w, g)
                pnl[j] += qty * (v - v_now)
        else:
            for j in range(nb):
                pnl[j] += qty * (_intrinsic_hoisted(spot_h[j], df_q, kdr, w) - v_now)


@jit
def full_reval_pnl_nb(consts, log_ret, spot_h, pnl):
    """Full-revaluation P&L of every scenario into ``pnl`` (n_scenarios,); serial.

    ``consts`` is the output of :func:`hoist_constants_nb`.
    """
    n = log_ret.shape[0]
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in range(n_blocks):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, n)
        _reval_block(consts, log_ret[j0:j1], spot_h[j0:j1], pnl[j0:j1])
    return pnl


@jit_parallel
def full_reval_pnl_par_nb(consts, log_ret, spot_h, pnl):
    """Full-revaluation P&L into ``pnl`` (n_scenarios,); ``prange`` over scenario blocks."""
    n = log_ret.shape[0]
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        j0 = b * BLOCK
        j1 = min(j0 + BLOCK, n)
        _reval_block(consts, log_ret[j0:j1], spot_h[j0:j1], pnl[j0:j1])
    return pnl


@jit
def delta_gamma_pnl_nb(spot, spot_h, delta, gamma, theta, horizon, pnl):
    """Delta-gamma-theta P&L ``delta dS + gamma dS^2 / 2 + theta h`` into ``pnl`` (n_scenarios,).

    ``delta``, ``gamma``, ``theta`` are the book's (summed, quantity-weighted)
    Greeks; theta per year of time passing.
    """
    th = theta * horizon
    for j in range(spot_h.shape[0]):
        ds = spot_h[j] - spot
        pnl[j] = delta * ds + 0.5 * gamma * ds * ds + th
    return pnl


@jit
def tail_measures_nb(pnl, tail_counts, var_out, es_out, tail_var_out):
    """VaR, ES and the P&L variance inside the tail, one per tail count ``m``.

    With ``x_(1) <= ... <= x_(n)`` the sorted P&L: ``VaR = -x_(m)`` (the
    inverse empirical CDF at ``m / n``), ``ES = -mean(x_(1..m))`` and the
    variance of ``x_(1..m)`` (for the standard error of ES).
    """
    srt = np.sort(pnl)
    for c in range(tail_counts.shape[0]):
        m = tail_counts[c]
        acc = 0.0
        for j in range(m):
            acc += srt[j]
        mean = acc / m
        ss = 0.0
        for j in range(m):
            d = srt[j] - mean
            ss += d * d
        var_out[c] = -srt[m - 1]
        es_out[c] = -mean
        tail_var_out[c] = ss / m
    return srt


def empty_constants(n_options: int) -> np.ndarray:  # type: ignore[type-arg]
    """Allocate the (9, n_options) output of :func:`hoist_constants_nb` (plain NumPy)."""
    return np.empty((N_CONST, n_options), dtype=np.float64)
