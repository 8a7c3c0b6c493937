"""Monte Carlo pricing kernels: per-sample discounted payoffs, controls and pathwise Greeks.

Contract. Each kernel simulates ``n_samples`` samples (``2 * n_samples``
paths with antithetic variates, a sample being the mean of the pair) and
writes ``out[N_OUT, n_samples]``:

* row 0 ``payoff``: discounted payoff;
* row 1 ``control``: the discounted control variate (0 when none);
* rows 2-4: pathwise delta, pathwise vega and likelihood-ratio/pathwise gamma
  (GBM only, payoffs that allow them; zeros otherwise).

Nothing is reduced here: statistics (means, standard errors, control-variate
coefficients) are taken by the caller over the per-sample rows, so the result
is independent of how samples are split between threads. The path dynamics
come from :mod:`fastopt.kernels.paths` (one definition per model).

Features of a path (from ``log(S_t/S_0)`` at the grid times, ``t_0`` = 0
excluded from averages, included in extremes): terminal value, arithmetic and
geometric averages over the grid times, maximum and minimum, and the barrier
survival indicator, with the Brownian-bridge probability of crossing between
grid times (continuous monitoring) when asked for.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels._special import fast_exp, norm_ppf
from fastopt.kernels.enums import Barrier, Control, Payoff
from fastopt.kernels.paths import (
    gbm_increments,
    gbm_log_path,
    heston_log_path,
    merton_log_path,
    sum8,
)
from fastopt.kernels.rng import normal_pair_at

N_OUT = 5


@jit_inline
def _survival(buf, step_var, spec):  # type: ignore[no-untyped-def]
    """Probability that the path did not touch the barrier (0/1 at grid times)."""
    n = buf.shape[0]
    up = spec.barrier == Barrier.UP_OUT or spec.barrier == Barrier.UP_IN
    lb = spec.barrier_log
    prev = 0.0
    surv = 1.0
    hit = (lb <= 0.0) if up else (lb >= 0.0)
    for j in range(n):
        x = buf[j]
        hit = hit or (x >= lb if up else x <= lb)
        if spec.continuous and step_var[j] > 0.0:
            a = lb - prev
            b = lb - x
            p_cross = math.exp(-2.0 * a * b / step_var[j])
            prod_pos = a * b > 0.0
            surv *= (1.0 - p_cross) if prod_pos else 0.0
        prev = x
    return 0.0 if hit else surv


@jit_inline
def _payoff(buf, step_var, scratch, s0, spec, disc):  # type: ignore[no-untyped-def]
    """Discounted payoff and the raw features used by controls: (y, x_t, geo)."""
    n = buf.shape[0]
    w = spec.w
    k = spec.strike
    x_t = s0 * fast_exp(buf[n - 1])
    code = spec.payoff
    geo = 0.0
    if code == Payoff.ASIAN_GEOMETRIC or spec.control == Control.GEOMETRIC_ASIAN:
        geo = s0 * math.exp(sum8(buf, n) / n)
    if code == Payoff.EUROPEAN:
        y = max(w * (x_t - k), 0.0)
    elif code == Payoff.DIGITAL:
        y = spec.cash if w * (x_t - k) > 0.0 else 0.0
    elif code == Payoff.ASIAN_ARITHMETIC:
        for j in range(n):  # vectorised exp, then a vectorised sum
            scratch[j] = fast_exp(buf[j])
        y = max(w * (s0 * sum8(scratch, n) / n - k), 0.0)
    elif code == Payoff.ASIAN_GEOMETRIC:
        y = max(w * (geo - k), 0.0)
    elif code == Payoff.LOOKBACK_FIXED or code == Payoff.LOOKBACK_FLOATING:
        hi = 0.0
        lo = 0.0
        for j in range(n):
            hi = max(hi, buf[j])
            lo = min(lo, buf[j])
        s_hi = s0 * math.exp(hi)
        s_lo = s0 * math.exp(lo)
        if code == Payoff.LOOKBACK_FIXED:
            y = max(s_hi - k, 0.0) if w > 0.0 else max(k - s_lo, 0.0)
        else:
            y = x_t - s_lo if w > 0.0 else s_hi - x_t
    else:  # barrier
        vanilla = max(w * (x_t - k), 0.0)
        surv = _survival(buf, step_var, spec)
        knock_out = spec.barrier == Barrier.UP_OUT or spec.barrier == Barrier.DOWN_OUT
        y = vanilla * (surv if knock_out else 1.0 - surv)
    return disc * y, x_t, geo


@jit_inline
def _control(x_t, geo, spec, disc):  # type: ignore[no-untyped-def]
    """The discounted control variate of one path."""
    c = spec.control
    if c == Control.TERMINAL_SPOT:
        return disc * x_t
    if c == Control.BS_VANILLA:
        return disc * max(spec.w * (x_t - spec.control_strike), 0.0)
    if c == Control.GEOMETRIC_ASIAN:
        return disc * max(spec.w * (geo - spec.strike), 0.0)
    return 0.0


@jit_inline
def _pathwise(buf, times, s0, mu, vol, spec, disc, x_t):  # type: ignore[no-untyped-def]
    """Pathwise delta and vega and LR-pathwise gamma under GBM (European and Asian payoffs)."""
    n = buf.shape[0]
    w = spec.w
    k = spec.strike
    code = spec.payoff
    big_t = times[n - 1]
    adj = mu + 0.5 * vol * vol
    if code == Payoff.EUROPEAN:
        itm = w * (x_t - k) > 0.0
        delta = disc * w * x_t / s0 if itm else 0.0
        vega = disc * w * x_t * (buf[n - 1] - adj * big_t) / vol if itm else 0.0
        z = (buf[n - 1] - (mu - 0.5 * vol * vol) * big_t) / (vol * math.sqrt(big_t))
        gamma = disc * w * k * z / (s0 * s0 * vol * math.sqrt(big_t)) if itm else 0.0
        return delta, vega, gamma
    if code == Payoff.ASIAN_ARITHMETIC:
        acc = 0.0
        dv = 0.0
        for j in range(n):
            s = fast_exp(buf[j])
            acc += s
            dv += s * (buf[j] - adj * times[j])
        avg = s0 * acc / n
        itm = w * (avg - k) > 0.0
        delta = disc * w * avg / s0 if itm else 0.0
        vega = disc * w * s0 * dv / (n * vol) if itm else 0.0
        return delta, vega, 0.0
    if code == Payoff.ASIAN_GEOMETRIC:
        acc = 0.0
        dv = 0.0
        for j in range(n):
            acc += buf[j]
            dv += buf[j] - adj * times[j]
        geo = s0 * math.exp(acc / n)
        itm = w * (geo - k) > 0.0
        delta = disc * w * geo / s0 if itm else 0.0
        vega = disc * w * geo * dv / (n * vol) if itm else 0.0
        return delta, vega, 0.0
    return 0.0, 0.0, 0.0


@jit_inline
def _gbm_block(
    key, s0, drift, vol_sd, times, mu, vol, disc, spec, antithetic, greeks, out, b, block
):  # type: ignore[no-untyped-def]
    """Samples ``[b*block, (b+1)*block)`` under GBM."""
    n_samples = out.shape[1]
    n = drift.shape[0]
    buf = np.empty(n)
    scratch = np.empty(n)
    step_var = np.empty(n)
    for j in range(n):
        step_var[j] = vol_sd[j] * vol_sd[j]
    two_cd = np.empty(n)
    acc = 0.0
    for j in range(n):
        acc += drift[j]
        two_cd[j] = 2.0 * acc
    terminal_only = (spec.payoff == Payoff.EUROPEAN or spec.payoff == Payoff.DIGITAL) and (
        spec.control != Control.GEOMETRIC_ASIAN
    )
    n_legs = 2 if antithetic else 1
    scale = 1.0 / n_legs
    for i in range(b * block, min((b + 1) * block, n_samples)):
        y = 0.0
        c = 0.0
        d = 0.0
        v = 0.0
        g = 0.0
        for leg in range(n_legs):
            if terminal_only and not greeks:
                if leg == 0:
                    gbm_increments(key, i, drift, vol_sd, scratch)
                    buf[n - 1] = sum8(scratch, n)
                else:
                    buf[n - 1] = two_cd[n - 1] - buf[n - 1]
            elif leg == 0:
                gbm_log_path(key, i, drift, vol_sd, buf)
            else:
                for j in range(n):
                    buf[j] = two_cd[j] - buf[j]
            yy, x_t, geo = _payoff(buf, step_var, scratch, s0, spec, disc)
            y += yy
            c += _control(x_t, geo, spec, disc)
            if greeks:
                dd, vv, gg = _pathwise(buf, times, s0, mu, vol, spec, disc, x_t)
                d += dd
                v += vv
                g += gg
        out[0, i] = y * scale
        out[1, i] = c * scale
        out[2, i] = d * scale
        out[3, i] = v * scale
        out[4, i] = g * scale


@jit
def mc_gbm_nb(key, s0, drift, vol_sd, times, mu, vol, disc, spec, antithetic, greeks, block, out):  # type: ignore[no-untyped-def]
    """Per-sample GBM results into ``out`` (N_OUT, n_samples); serial."""
    n_blocks = (out.shape[1] + block - 1) // block
    for b in range(n_blocks):
        _gbm_block(
            key, s0, drift, vol_sd, times, mu, vol, disc, spec, antithetic, greeks, out, b, block
        )
    return out


@jit_parallel
def mc_gbm_par_nb(
    key, s0, drift, vol_sd, times, mu, vol, disc, spec, antithetic, greeks, block, out
):  # type: ignore[no-untyped-def]
    """Per-sample GBM results; ``prange`` over blocks of samples."""
    n_blocks = (out.shape[1] + block - 1) // block
    for b in prange(n_blocks):
        _gbm_block(
            key, s0, drift, vol_sd, times, mu, vol, disc, spec, antithetic, greeks, out, b, block
        )
    return out


@jit_inline
def _gbm_one_step_block(key, s0, drift, vol_sd, disc, spec, antithetic, out, b, block):  # type: ignore[no-untyped-def]
    """One-step GBM, European/digital payoffs: a branch-free loop over samples (vectorised).

    Sample ``i`` draws the first normal of pair ``i`` exactly as the general
    kernel does for a one-step grid, so both kernels give identical results.
    """
    n_samples = out.shape[1]
    w = spec.w
    k = spec.strike
    cash = spec.cash
    c_strike = spec.control_strike
    digital = spec.payoff == Payoff.DIGITAL
    spot_ctrl = spec.control == Control.TERMINAL_SPOT
    any_ctrl = 1.0 if spec.control != Control.NONE else 0.0
    dn_weight = 1.0 if antithetic else 0.0
    f = disc * (0.5 if antithetic else 1.0)
    start = b * block
    stop = min(start + block, n_samples)
    # block-local views indexed from 0: LLVM then knows indices are non-negative
    # (no wraparound checks) and vectorises the loop
    o_pay = out[0, start:stop]
    o_ctl = out[1, start:stop]
    first = np.uint64(start)
    for ii in range(stop - start):
        z, _ = normal_pair_at(key, first + np.uint64(ii))
        up = s0 * fast_exp(drift + vol_sd * z)
        dn = s0 * fast_exp(drift - vol_sd * z)
        y_up = max(w * (up - k), 0.0)
        y_dn = max(w * (dn - k), 0.0)
        y_up = (cash if y_up > 0.0 else 0.0) if digital else y_up
        y_dn = (cash if y_dn > 0.0 else 0.0) if digital else y_dn
        c_up = up if spot_ctrl else max(w * (up - c_strike), 0.0)
        c_dn = dn if spot_ctrl else max(w * (dn - c_strike), 0.0)
        o_pay[ii] = f * (y_up + dn_weight * y_dn)
        o_ctl[ii] = f * any_ctrl * (c_up + dn_weight * c_dn)
    out[2:, start:stop] = 0.0


@jit
def mc_gbm_one_step_nb(key, s0, drift, vol_sd, disc, spec, antithetic, block, out):  # type: ignore[no-untyped-def]
    """One-step GBM European/digital samples into ``out`` (N_OUT, n_samples); serial."""
    n_blocks = (out.shape[1] + block - 1) // block
    for b in range(n_blocks):
        _gbm_one_step_block(key, s0, drift, vol_sd, disc, spec, antithetic, out, b, block)
    return out


@jit_parallel
def mc_gbm_one_step_par_nb(key, s0, drift, vol_sd, disc, spec, antithetic, block, out):  # type: ignore[no-untyped-def]
    """One-step GBM European/digital samples; ``prange`` over blocks."""
    n_blocks = (out.shape[1] + block - 1) // block
    for b in prange(n_blocks):
        _gbm_one_step_block(key, s0, drift, vol_sd, disc, spec, antithetic, out, b, block)
    return out


@jit_inline
def _merton_block(
    key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, disc, spec, antithetic, out, b, block
):  # type: ignore[no-untyped-def]
    n_samples = out.shape[1]
    n = drift.shape[0]
    buf = np.empty(n)
    scratch = np.empty(n)
    step_var = np.empty(n)
    for j in range(n):
        step_var[j] = vol_sd[j] * vol_sd[j]  # bridge on the diffusion part only
    n_legs = 2 if antithetic else 1
    for i in range(b * block, min((b + 1) * block, n_samples)):
        y = 0.0
        c = 0.0
        for leg in range(n_legs):
            sign = 1.0 if leg == 0 else -1.0
            merton_log_path(key, i, sign, drift, vol_sd, dt, lam, mu_j, sd_j, buf)
            yy, x_t, geo = _payoff(buf, step_var, scratch, s0, spec, disc)
            y += yy
            c += _control(x_t, geo, spec, disc)
        out[0, i] = y / n_legs
        out[1, i] = c / n_legs
        out[2, i] = 0.0
        out[3, i] = 0.0
        out[4, i] = 0.0


@jit
def mc_merton_nb(key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, disc, spec, antithetic, block, out):  # type: ignore[no-untyped-def]
    """Per-sample Merton jump-diffusion results into ``out``; serial."""
    n_blocks = (out.shape[1] + block - 1) // block
    for b in range(n_blocks):
        _merton_block(
            key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, disc, spec, antithetic, out, b, block
        )
    return out


@jit_parallel
def mc_merton_par_nb(
    key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, disc, spec, antithetic, block, out
):  # type: ignore[no-untyped-def]
    """Per-sample Merton results; ``prange`` over blocks of samples."""
    n_blocks = (out.shape[1] + block - 1) // block
    for b in prange(n_blocks):
        _merton_block(
            key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, disc, spec, antithetic, out, b, block
        )
    return out


@jit_inline
def _heston_block(
    key, s0, dt, carry, v0, kappa, theta, xi, rho, disc, spec, antithetic, out, b, block
):  # type: ignore[no-untyped-def]
    n_samples = out.shape[1]
    n = dt.shape[0]
    buf = np.empty(n)
    vbuf = np.empty(n)
    scratch = np.empty(n)
    step_var = np.empty(n)
    n_legs = 2 if antithetic else 1
    for i in range(b * block, min((b + 1) * block, n_samples)):
        y = 0.0
        c = 0.0
        for leg in range(n_legs):
            sign = 1.0 if leg == 0 else -1.0
            heston_log_path(key, i, sign, dt, carry, v0, kappa, theta, xi, rho, buf, vbuf)
            prev_v = v0
            for j in range(n):  # bridge variance: variance at the start of the step
                step_var[j] = prev_v * dt[j]
                prev_v = vbuf[j]
            yy, x_t, geo = _payoff(buf, step_var, scratch, s0, spec, disc)
            y += yy
            c += _control(x_t, geo, spec, disc)
        out[0, i] = y / n_legs
        out[1, i] = c / n_legs
        out[2, i] = 0.0
        out[3, i] = 0.0
        out[4, i] = 0.0


@jit
def mc_heston_nb(key, s0, dt, carry, v0, kappa, theta, xi, rho, disc, spec, antithetic, block, out):  # type: ignore[no-untyped-def]
    """Per-sample Heston (QE) results into ``out``; serial."""
    n_blocks = (out.shape[1] + block - 1) // block
    for b in range(n_blocks):
        _heston_block(
            key, s0, dt, carry, v0, kappa, theta, xi, rho, disc, spec, antithetic, out, b, block
        )
    return out


@jit_parallel
def mc_heston_par_nb(
    key, s0, dt, carry, v0, kappa, theta, xi, rho, disc, spec, antithetic, block, out
):  # type: ignore[no-untyped-def]
    """Per-sample Heston results; ``prange`` over blocks of samples."""
    n_blocks = (out.shape[1] + block - 1) // block
    for b in prange(n_blocks):
        _heston_block(
            key, s0, dt, carry, v0, kappa, theta, xi, rho, disc, spec, antithetic, out, b, block
        )
    return out


# --------------------------------------------------------------------------- randomised QMC


@jit
def brownian_bridge_plan_nb(times):  # type: ignore[no-untyped-def]
    """Construction order of a Brownian bridge on ``times`` (n,), breadth first.

    Returns ``(target, left, right, w_left, w_right, sd)`` of length n: step
    ``k`` sets ``W[target[k]] = w_left*W[left] + w_right*W[right] + sd*z_k``,
    where index -1 means time 0 (W = 0) and ``right == -1`` for the first step
    (the terminal point, from time 0). The first normals carry the
    large-scale moves, which is what makes low-discrepancy points effective.
    """
    n = times.shape[0]
    target = np.empty(n, np.int64)
    left = np.empty(n, np.int64)
    right = np.empty(n, np.int64)
    w_left = np.empty(n)
    w_right = np.empty(n)
    sd = np.empty(n)
    target[0] = n - 1
    left[0] = -1
    right[0] = -1
    w_left[0] = 0.0
    w_right[0] = 0.0
    sd[0] = math.sqrt(times[n - 1])
    q_lo = np.empty(2 * n + 1, np.int64)  # queue of intervals (lo, hi), lo = -1 is time 0
    q_hi = np.empty(2 * n + 1, np.int64)  # each split pushes two: at most 2n - 1 in all
    head = 0
    tail = 0
    q_lo[tail] = -1
    q_hi[tail] = n - 1
    tail += 1
    k = 1
    while head < tail:
        lo = q_lo[head]
        hi = q_hi[head]
        head += 1
        if hi - lo <= 1:
            continue
        mid = (lo + hi) // 2 if lo >= 0 else (hi - 1) // 2
        t_lo = 0.0 if lo < 0 else times[lo]
        t_hi = times[hi]
        t_mid = times[mid]
        target[k] = mid
        left[k] = lo
        right[k] = hi
        w_left[k] = (t_hi - t_mid) / (t_hi - t_lo)
        w_right[k] = (t_mid - t_lo) / (t_hi - t_lo)
        sd[k] = math.sqrt((t_mid - t_lo) * (t_hi - t_mid) / (t_hi - t_lo))
        k += 1
        q_lo[tail] = lo
        q_hi[tail] = mid
        tail += 1
        q_lo[tail] = mid
        q_hi[tail] = hi
        tail += 1
    return target, left, right, w_left, w_right, sd


@jit_inline
def _bridge_block(
    u,
    plan_t,
    plan_l,
    plan_r,
    plan_wl,
    plan_wr,
    plan_sd,
    times,
    s0,
    mu,
    vol,
    disc,
    spec,
    out,
    b,
    block,
):  # type: ignore[no-untyped-def]
    n_samples = u.shape[0]
    n = u.shape[1]
    w = np.empty(n)
    buf = np.empty(n)
    scratch = np.empty(n)
    step_var = np.empty(n)
    prev_t = 0.0
    for j in range(n):
        step_var[j] = vol * vol * (times[j] - prev_t)
        prev_t = times[j]
    drift = mu - 0.5 * vol * vol
    for i in range(b * block, min((b + 1) * block, n_samples)):
        for k in range(n):
            z = norm_ppf(u[i, k])
            lo = plan_l[k]
            hi = plan_r[k]
            base = 0.0
            if lo >= 0:
                base += plan_wl[k] * w[lo]
            if hi >= 0:
                base += plan_wr[k] * w[hi]
            w[plan_t[k]] = base + plan_sd[k] * z
        for j in range(n):
            buf[j] = drift * times[j] + vol * w[j]
        y, x_t, geo = _payoff(buf, step_var, scratch, s0, spec, disc)
        out[0, i] = y
        out[1, i] = _control(x_t, geo, spec, disc)
        out[2, i] = 0.0
        out[3, i] = 0.0
        out[4, i] = 0.0


@jit
def mc_gbm_qmc_nb(
    u, plan_t, plan_l, plan_r, plan_wl, plan_wr, plan_sd, times, s0, mu, vol, disc, spec, block, out
):  # type: ignore[no-untyped-def]
    """GBM payoffs from uniforms ``u`` (n_samples, n_steps) via a Brownian bridge; serial."""
    n_blocks = (u.shape[0] + block - 1) // block
    for b in range(n_blocks):
        _bridge_block(
            u,
            plan_t,
            plan_l,
            plan_r,
            plan_wl,
            plan_wr,
            plan_sd,
            times,
            s0,
            mu,
            vol,
            disc,
            spec,
            out,
            b,
            block,
        )
    return out


@jit_parallel
def mc_gbm_qmc_par_nb(
    u, plan_t, plan_l, plan_r, plan_wl, plan_wr, plan_sd, times, s0, mu, vol, disc, spec, block, out
):  # type: ignore[no-untyped-def]
    """GBM payoffs from uniforms via a Brownian bridge; ``prange`` over blocks."""
    n_blocks = (u.shape[0] + block - 1) // block
    for b in prange(n_blocks):
        _bridge_block(
            u,
            plan_t,
            plan_l,
            plan_r,
            plan_wl,
            plan_wr,
            plan_sd,
            times,
            s0,
            mu,
            vol,
            disc,
            spec,
            out,
            b,
            block,
        )
    return out
