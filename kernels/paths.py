"""Path simulation: GBM, Merton jump-diffusion, Heston (QE), correlated GBM.

Contract. Arrays are C-contiguous float64. A time grid of ``n_steps`` steps
is given as per-step arrays (``dt``, and the model's per-step drift/vol
terms), all of length ``n_steps``. Full paths are written path-major into
``out[n_paths, n_steps + 1]`` (the facade returns the transposed view, time on
axis 0); column 0 is the initial value.

Randomness is counter-based (:mod:`fastopt.kernels.rng`): path ``p`` draws
uniforms ``p * n_dims + d``, ``d < n_dims``, so results do not depend on the
thread count, and raising ``n_paths`` extends the same paths. With
``antithetic`` the paths come in pairs ``(2m, 2m + 1)`` driven by the draws of
index ``m`` and by their reflections (``z -> -z``, ``u -> 1 - u``).

Each model has a ``*_log_path`` helper that fills ``buf[0:n_steps]`` with
``log(S_t / S_0)`` at the grid times for one path; the stored-path kernels and
the pricing kernels in :mod:`fastopt.kernels.mc` share these helpers, so a
model's dynamics are written once.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels._special import fast_exp, fast_log, norm_ppf
from fastopt.kernels.rng import normal_pair_at, uniform_at

PSI_CRIT = 1.5  # Andersen's switching level between the quadratic and exponential QE branches


@jit_inline
def n_pairs_gbm(n_steps):  # type: ignore[no-untyped-def]
    """Number of Box-Muller pairs one GBM path draws (one normal per step)."""
    return (n_steps + 1) // 2


@jit_inline
def gbm_log_path(key, path, drift, vol_sd, buf):  # type: ignore[no-untyped-def]
    """Fill ``buf`` with log(S_t/S_0) of one GBM path; returns the terminal log return.

    ``drift[j] = (r - q - vol**2 / 2) dt_j`` and ``vol_sd[j] = vol sqrt(dt_j)``.
    The antithetic twin of a path is ``2 * cumulative drift - log path``.
    """
    n = drift.shape[0]
    gbm_increments(key, path, drift, vol_sd, buf)
    acc = 0.0
    for j in range(n):  # running sum: the log path
        acc += buf[j]
        buf[j] = acc
    return acc


@jit_inline
def sum8(buf, n):  # type: ignore[no-untyped-def]
    """Sum of ``buf[:n]`` with eight independent accumulators.

    IEEE semantics forbid LLVM to reorder a plain running sum, which would
    keep it scalar and latency-bound; eight explicit partial sums are combined
    into SIMD adds (the result is deterministic, only rounded differently).
    """
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
    m = n - n % 8
    for j in range(0, m, 8):
        a0 += buf[j]
        a1 += buf[j + 1]
        a2 += buf[j + 2]
        a3 += buf[j + 3]
        a4 += buf[j + 4]
        a5 += buf[j + 5]
        a6 += buf[j + 6]
        a7 += buf[j + 7]
    rest = 0.0
    for j in range(m, n):
        rest += buf[j]
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + rest


@jit_inline
def gbm_increments(key, path, drift, vol_sd, buf):  # type: ignore[no-untyped-def]
    """Fill ``buf`` with the log increments of one GBM path (vectorised draws)."""
    n = drift.shape[0]
    half = n // 2
    base = np.uint64(path) * np.uint64(n_pairs_gbm(n))
    for j in range(half):
        z0, z1 = normal_pair_at(key, base + np.uint64(j))
        buf[2 * j] = drift[2 * j] + vol_sd[2 * j] * z0
        buf[2 * j + 1] = drift[2 * j + 1] + vol_sd[2 * j + 1] * z1
    if n % 2 == 1:
        z0, _ = normal_pair_at(key, base + np.uint64(half))
        buf[n - 1] = drift[n - 1] + vol_sd[n - 1] * z0


@jit_inline
def _signed_uniform(key, index, sign):  # type: ignore[no-untyped-def]
    """Uniform draw, reflected (1 - u) for the antithetic twin."""
    u = uniform_at(key, index)
    return u if sign > 0.0 else 1.0 - u


@jit_inline
def merton_log_path(key, path, sign, drift, vol_sd, dt, lam, jump_mean, jump_vol, buf):  # type: ignore[no-untyped-def]
    """Fill ``buf`` with log(S_t/S_0) of one Merton jump-diffusion path.

    ``drift[j] = (r - q - lam * kbar - vol**2 / 2) dt_j`` (compensated). Per
    step three uniforms: the diffusion normal, the Poisson count (inverse
    CDF) and the normal of the summed log-jump sizes, N(n mu_J, n delta^2).
    """
    n = drift.shape[0]
    base = np.uint64(path) * np.uint64(3 * n)
    acc = 0.0
    for j in range(n):
        idx = base + np.uint64(3 * j)
        z = norm_ppf(_signed_uniform(key, idx, sign))
        u = _signed_uniform(key, idx + np.uint64(1), sign)
        zj = norm_ppf(_signed_uniform(key, idx + np.uint64(2), sign))
        mean_jumps = lam * dt[j]
        p = math.exp(-mean_jumps)
        cdf = p
        k = 0
        while u > cdf and k < 64:  # Poisson inverse CDF (a few iterations at most)
            k += 1
            p *= mean_jumps / k
            cdf += p
        acc += drift[j] + vol_sd[j] * z + k * jump_mean + math.sqrt(k) * jump_vol * zj
        buf[j] = acc
    return acc


@jit_inline
def heston_log_path(key, path, sign, dt, carry, v0, kappa, theta, xi, rho, buf, var_buf):  # type: ignore[no-untyped-def]
    """Fill ``buf`` with log(S_t/S_0) (and ``var_buf`` with V_t) of one Heston path, QE scheme.

    Andersen's quadratic-exponential scheme for the variance (switch at
    psi = 1.5) with the central (gamma1 = gamma2 = 1/2) log-price step;
    ``carry[j] = (r - q) dt_j``. Two uniforms per step.
    """
    n = dt.shape[0]
    base = np.uint64(path) * np.uint64(2 * n)
    x = 0.0
    v = v0
    rho_xi = rho / xi
    for j in range(n):
        h = dt[j]
        e = math.exp(-kappa * h)
        m = theta + (v - theta) * e
        s2 = v * xi * xi * e * (1.0 - e) / kappa + theta * xi * xi * (1.0 - e) ** 2 / (2.0 * kappa)
        psi = s2 / (m * m)
        idx = base + np.uint64(2 * j)
        u = _signed_uniform(key, idx, sign)
        # quadratic branch (psi <= 1.5)
        psi_q = min(psi, PSI_CRIT)
        inv = 2.0 / max(psi_q, 1e-300)
        b2 = inv - 1.0 + math.sqrt(inv) * math.sqrt(max(inv - 1.0, 0.0))
        a = m / (1.0 + b2)
        zv = norm_ppf(u)
        v_quad = a * (math.sqrt(b2) + zv) ** 2
        # exponential branch (psi > 1.5)
        psi_e = max(psi, PSI_CRIT)
        pe = (psi_e - 1.0) / (psi_e + 1.0)
        beta = (1.0 - pe) / m
        v_exp = 0.0 if u <= pe else fast_log((1.0 - pe) / max(1.0 - u, 1e-300)) / beta
        v_next = v_quad if psi <= PSI_CRIT else v_exp
        k0 = -rho_xi * kappa * theta * h
        k1 = 0.5 * h * (kappa * rho_xi - 0.5) - rho_xi
        k2 = 0.5 * h * (kappa * rho_xi - 0.5) + rho_xi
        k34 = 0.5 * h * (1.0 - rho * rho)
        z = norm_ppf(_signed_uniform(key, idx + np.uint64(1), sign))
        x += carry[j] + k0 + k1 * v + k2 * v_next + math.sqrt(k34 * (v + v_next)) * z
        v = v_next
        buf[j] = x
        var_buf[j] = v
    return x


# --------------------------------------------------------------------------- stored paths


@jit_inline
def _gbm_store_block(key, s0, drift, vol_sd, antithetic, out, b, block):  # type: ignore[no-untyped-def]
    """Simulate paths ``[b*block, (b+1)*block)`` of ``out`` (GBM; ``block`` is even).

    An antithetic pair shares one set of draws: the reflected log path is
    ``2 * cumulative drift - log path``.
    """
    n_paths = out.shape[0]
    n = drift.shape[0]
    buf = np.empty(n)
    two_cd = np.empty(n)
    acc = 0.0
    for j in range(n):
        acc += drift[j]
        two_cd[j] = 2.0 * acc
    start = b * block
    stop = min(start + block, n_paths)
    if antithetic:
        for m in range(start // 2, stop // 2):
            gbm_log_path(key, m, drift, vol_sd, buf)
            out[2 * m, 0] = s0
            out[2 * m + 1, 0] = s0
            for j in range(n):
                out[2 * m, j + 1] = s0 * fast_exp(buf[j])
                out[2 * m + 1, j + 1] = s0 * fast_exp(two_cd[j] - buf[j])
    else:
        for p in range(start, stop):
            gbm_log_path(key, p, drift, vol_sd, buf)
            out[p, 0] = s0
            for j in range(n):
                out[p, j + 1] = s0 * fast_exp(buf[j])


@jit
def gbm_paths_nb(key, s0, drift, vol_sd, antithetic, block, out):  # type: ignore[no-untyped-def]
    """Full GBM paths into ``out`` (n_paths, n_steps + 1); serial."""
    n_blocks = (out.shape[0] + block - 1) // block
    for b in range(n_blocks):
        _gbm_store_block(key, s0, drift, vol_sd, antithetic, out, b, block)
    return out


@jit_parallel
def gbm_paths_par_nb(key, s0, drift, vol_sd, antithetic, block, out):  # type: ignore[no-untyped-def]
    """Full GBM paths into ``out``; ``prange`` over blocks of paths."""
    n_blocks = (out.shape[0] + block - 1) // block
    for b in prange(n_blocks):
        _gbm_store_block(key, s0, drift, vol_sd, antithetic, out, b, block)
    return out


@jit_inline
def _merton_store_block(key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, antithetic, out, b, block):  # type: ignore[no-untyped-def]
    n_paths = out.shape[0]
    n = drift.shape[0]
    buf = np.empty(n)
    start = b * block
    stop = min(start + block, n_paths)
    for p in range(start, stop):
        path = p // 2 if antithetic else p
        sign = -1.0 if antithetic and p % 2 == 1 else 1.0
        merton_log_path(key, path, sign, drift, vol_sd, dt, lam, mu_j, sd_j, buf)
        out[p, 0] = s0
        for j in range(n):
            out[p, j + 1] = s0 * fast_exp(buf[j])


@jit
def merton_paths_nb(key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, antithetic, block, out):  # type: ignore[no-untyped-def]
    """Full Merton jump-diffusion paths into ``out``; serial."""
    n_blocks = (out.shape[0] + block - 1) // block
    for b in range(n_blocks):
        _merton_store_block(key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, antithetic, out, b, block)
    return out


@jit_parallel
def merton_paths_par_nb(key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, antithetic, block, out):  # type: ignore[no-untyped-def]
    """Full Merton jump-diffusion paths into ``out``; ``prange`` over blocks."""
    n_blocks = (out.shape[0] + block - 1) // block
    for b in prange(n_blocks):
        _merton_store_block(key, s0, drift, vol_sd, dt, lam, mu_j, sd_j, antithetic, out, b, block)
    return out


@jit_inline
def _heston_store_block(
    key, s0, dt, carry, v0, kappa, theta, xi, rho, antithetic, out, out_var, b, block
):  # type: ignore[no-untyped-def]
    n_paths = out.shape[0]
    n = dt.shape[0]
    buf = np.empty(n)
    vbuf = np.empty(n)
    start = b * block
    stop = min(start + block, n_paths)
    for p in range(start, stop):
        path = p // 2 if antithetic else p
        sign = -1.0 if antithetic and p % 2 == 1 else 1.0
        heston_log_path(key, path, sign, dt, carry, v0, kappa, theta, xi, rho, buf, vbuf)
        out[p, 0] = s0
        out_var[p, 0] = v0
        for j in range(n):
            out[p, j + 1] = s0 * fast_exp(buf[j])
            out_var[p, j + 1] = vbuf[j]


@jit
def heston_paths_nb(key, s0, dt, carry, v0, kappa, theta, xi, rho, antithetic, block, out, out_var):  # type: ignore[no-untyped-def]
    """Full Heston paths (spot into ``out``, variance into ``out_var``); serial."""
    n_blocks = (out.shape[0] + block - 1) // block
    for b in range(n_blocks):
        _heston_store_block(
            key, s0, dt, carry, v0, kappa, theta, xi, rho, antithetic, out, out_var, b, block
        )
    return out


@jit_parallel
def heston_paths_par_nb(
    key, s0, dt, carry, v0, kappa, theta, xi, rho, antithetic, block, out, out_var
):  # type: ignore[no-untyped-def]
    """Full Heston paths; ``prange`` over blocks of paths."""
    n_blocks = (out.shape[0] + block - 1) // block
    for b in prange(n_blocks):
        _heston_store_block(
            key, s0, dt, carry, v0, kappa, theta, xi, rho, antithetic, out, out_var, b, block
        )
    return out


@jit_inline
def _corr_store_block(key, s0, drift, vol_sd, chol, antithetic, out, b, block):  # type: ignore[no-untyped-def]
    """Correlated GBM block; ``drift``/``vol_sd`` (n_steps, n_assets), ``chol`` square.

    Per path: draw the (step, asset) normals (vectorised, asset-major scratch),
    correlate them with ``chol`` as small dense AXPYs over the steps, take
    running sums, then exponentiate; an antithetic twin reuses the draws.
    """
    n_paths = out.shape[0]
    n = drift.shape[0]
    d = drift.shape[1]
    n_dims = n * d
    pairs = (n_dims + 1) // 2
    flat = np.empty(2 * pairs)
    z = np.empty((d, n))  # z[c, j]: normal of asset factor c at step j
    x = np.empty((d, n))  # correlated log increments, then log path, per asset
    e = np.empty(n)
    drift_t = np.ascontiguousarray(drift.T)
    vol_t = np.ascontiguousarray(vol_sd.T)
    two_cd = np.empty((d, n))
    for a in range(d):
        acc = 0.0
        for j in range(n):
            acc += drift_t[a, j]
            two_cd[a, j] = 2.0 * acc
    start = b * block
    stop = min(start + block, n_paths)
    p = start
    while p < stop:
        path = p // 2 if antithetic else p
        base = np.uint64(path) * np.uint64(pairs)
        for k in range(pairs):
            z0, z1 = normal_pair_at(key, base + np.uint64(k))
            flat[2 * k] = z0
            flat[2 * k + 1] = z1
        for j in range(n):
            for c in range(d):
                z[c, j] = flat[j * d + c]
        for a in range(d):
            for j in range(n):
                x[a, j] = 0.0
            for c in range(a + 1):
                lac = chol[a, c]
                for j in range(n):
                    x[a, j] += lac * z[c, j]
            for j in range(n):
                x[a, j] = drift_t[a, j] + vol_t[a, j] * x[a, j]
            acc = 0.0
            for j in range(n):
                acc += x[a, j]
                x[a, j] = acc
        n_out = 2 if antithetic else 1
        for leg in range(n_out):
            q = p + leg
            dest = out[q]  # (n_steps + 1, n_assets) view of this path
            for a in range(d):
                xa = x[a]
                ta = two_cd[a]
                sa = s0[a]
                if leg == 0:
                    for j in range(n):  # vectorised exp into a contiguous row
                        e[j] = sa * fast_exp(xa[j])
                else:
                    for j in range(n):
                        e[j] = sa * fast_exp(ta[j] - xa[j])
                dest[0, a] = sa
                for j in range(n):  # strided store into the path-major output
                    dest[j + 1, a] = e[j]
        p += n_out


@jit
def correlated_gbm_paths_nb(key, s0, drift, vol_sd, chol, antithetic, block, out):  # type: ignore[no-untyped-def]
    """Correlated GBM paths into ``out`` (n_paths, n_steps + 1, n_assets); serial."""
    n_blocks = (out.shape[0] + block - 1) // block
    for b in range(n_blocks):
        _corr_store_block(key, s0, drift, vol_sd, chol, antithetic, out, b, block)
    return out


@jit_parallel
def correlated_gbm_paths_par_nb(key, s0, drift, vol_sd, chol, antithetic, block, out):  # type: ignore[no-untyped-def]
    """Correlated GBM paths; ``prange`` over blocks of paths."""
    n_blocks = (out.shape[0] + block - 1) // block
    for b in prange(n_blocks):
        _corr_store_block(key, s0, drift, vol_sd, chol, antithetic, out, b, block)
    return out
