"""Implied-volatility kernels: BSM, Black-76 and Bachelier.

These only accept NumPy arrays and scalars that Numba can type. Contract of
:func:`implied_vol_1d_nb` and its ``prange`` twin :func:`implied_vol_1d_par_nb`:

* ``price, spot, strike, t, rate, div`` are 1-D C-contiguous arrays of one
  length ``n`` (float64, or float32 -- the arithmetic is float64 either way),
  ``is_call`` a boolean array of length ``n`` (True = call), ``model`` an int
  scalar coded by :data:`fastopt.kernels.enums.Model`;
* the result is written into ``out_vol`` (float, length ``n``) and
  ``out_status`` (``int8``, length ``n``, coded by
  :data:`fastopt.kernels.enums.IVStatus`). Inputs are never modified;
* units: ``t`` in years; ``rate``, ``div`` and the returned vol annualised and
  continuously compounded. For BSM ``spot`` is the spot price and the vol is
  lognormal; for Black-76 ``spot`` is the forward (``div`` is ignored, the
  forward is discounted at ``rate``); for Bachelier ``spot`` is the forward
  and the vol is normal, in price units per square-root year.

Per-element outcome (no exceptions are raised inside the kernels):

========================  =======================================  =========
condition                 ``out_vol``                              status
========================  =======================================  =========
``t <= 0``                NaN                                      ZERO_TIME
price < intrinsic         NaN                                      BELOW_INTRINSIC
price == intrinsic        0.0 (OTM: price == 0)                    OK
price >= upper bound      NaN (call: S e^{-qT}, put: K e^{-rT})    ABOVE_MAX
otherwise                 the implied vol                          OK
solver failure            NaN (not observed; a safety net)         NO_CONVERGENCE
========================  =======================================  =========

The intrinsic value is the discounted forward intrinsic
``max(theta (S e^{-qT} - K e^{-rT}), 0)``. An in-the-money price within
``4 eps (S e^{-qT} + K e^{-rT})`` of it (the rounding error of the intrinsic
itself) counts as equal to it. Bachelier prices have no upper bound.

Method (lognormal models), after P. Jaeckel, "Let's Be Rational" (2015):
the price is normalised to ``beta = (price - intrinsic) / sqrt(F K D^2)`` of an
out-of-the-money call with log-moneyness ``x = -|ln(F/K)| <= 0`` and total
volatility ``s = sigma sqrt(T)``::

    b(x, s) = e^{x/2} Phi(x/s + s/2) - e^{-x/2} Phi(x/s - s/2).

The vega maximum ``s_c = sqrt(2|x|)`` and the tangents there split the
range of ``b`` into four branches. The initial guess interpolates, with a
rational cubic (Delbourgo-Gregory) whose control parameter matches a second
derivative, either ``s`` itself (two middle branches) or a transform whose
inverse is closed-form: ``Phi(-|x| / (sqrt(3) s))^3`` for small prices and
``Phi(-s/2)`` for prices near the maximum. Householder steps of order 4 then
solve ``1/ln b(s) = 1/ln beta`` (small prices), ``b(s) = beta`` (middle) or
``ln(b_max - b(s)) = ln(b_max - beta)`` (near the maximum); ``b`` is evaluated
in the form that avoids cancellation in each region (scaled ``erfcx`` below
the vega maximum, ``erf`` near the money, sums of positive terms for
``b_max - b``). Two iterations reach machine precision almost everywhere; a
bracket with bisection guards every step. In the two middle branches the
first Householder step is refined on the exact Taylor expansion of ``b``
around the current point (:func:`_mid_refine`: only arithmetic, no new
evaluation of ``b``); when its a-posteriori error bound is below
``ONE_STEP_TOL`` that single iteration is final (three quarters of a typical
batch).

Layout for speed: options are taken in blocks of :data:`CHUNK`. One vectorised
loop normalises the block (polynomial ``fast_exp``/``fast_log``, status checks as
selects); a second one, compiled once for every input dtype, computes each option's
branch, bracket and initial guess as straight-line code with selects (every branch
goes through one shared rational cubic; Cody's erf/erfcx intervals and Acklam's
quantile regions become single rationals with per-lane coefficients) and takes the
first Householder step of the middle branches, with the refinement above. Only
what that step does not settle (the lower and upper branches, which take a second
step, and rare middle cases) runs the scalar, branchy Householder loop, on libm's
exp/log and Estrin-scheme rationals.

Bachelier: with ``x = -|F - K|`` and time value ``v``, the ratio
``v / |x| = psi(u) / |u|`` with ``psi(u) = phi(u) + u Phi(u)`` depends on
``u = x / s`` only; Householder steps solve ``ln psi(u) - ln|u| = ln(v/|x|)``
with ``psi`` from the Mills ratio (continued fraction in the far tail).
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt.kernels._jit import DISABLE_JIT, jit, jit_inline, jit_lanes, jit_parallel
from fastopt.kernels._special import (
    INV_SQRT2,
    INV_SQRT_2PI,
    INV_SQRT_PI,
    fast_exp,
    fast_log,
)
from fastopt.kernels.enums import IVStatus, Model

EPS = 2.220446049250313e-16
SQRT_2PI = 2.5066282746310002
SQRT3 = 1.7320508075688772
LN_SQRT_2PI = 0.9189385332046728
SQRT_HALF_PI = 1.2533141373155003  # sqrt(pi/2)
TWO_PI = 6.283185307179586

MAX_ITER = 32
"""Hard cap on solver iterations (bisection steps included)."""
STEP_TOL = 1e-5
"""Stop after a Householder step whose relative size is below this: the step
has order-4 convergence, so the remaining error is ~ STEP_TOL**4 (relative)."""
BRACKET_SLACK = 1e-9
"""Relative widening of each branch's bracket (see :func:`_initial_guess`)."""
R_MAX = 1e15
"""Rational-cubic control parameter above which the interpolant is linear."""

_BSM = Model.BSM
_BLACK76 = Model.BLACK76
_BACHELIER = Model.BACHELIER
_OK = IVStatus.OK
_BELOW = IVStatus.BELOW_INTRINSIC
_ABOVE = IVStatus.ABOVE_MAX
_NOCONV = IVStatus.NO_CONVERGENCE
_ZERO_T = IVStatus.ZERO_TIME

_BR_LOWER = 0
_BR_MID = 1
_BR_UPPER = 2

# Acklam's rational approximation of the normal quantile (relative error < 1.2e-9),
# good enough for an initial guess.
_A0, _A1, _A2 = -3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02
_A3, _A4, _A5 = 1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00
_B0, _B1, _B2 = -5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02
_B3, _B4 = 6.680131188771972e01, -1.328068155288572e01
_C0, _C1, _C2 = -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00
_C3, _C4, _C5 = -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00
_D0, _D1 = 7.784695709041462e-03, 3.224671290700398e-01
_D2, _D3 = 2.445134137142996e00, 3.754408661907416e00


# ---------------------------------------------------------------------------
# The scalar Householder loop is branchy: LLVM does not vectorise it, so what
# counts there is latency. In that loop libm's exp/log beat the polynomial
# ``fast_exp``/``fast_log`` (4.15 vs 3.07 M IV/cpu-s when the whole solver was
# scalar), and evaluating one of Cody's intervals is cheaper than all three. The
# vectorised passes (below, ``*_all``) make the opposite choices.
# ---------------------------------------------------------------------------


if DISABLE_JIT:

    def _recip(v: float) -> float:
        """1 / v with NumPy semantics in pure Python (inf at 0, no ZeroDivisionError)."""
        return float(np.float64(1.0) / np.float64(v))

else:

    @jit_inline
    def _recip(v: float) -> float:
        """1 / v (a division; in pure Python, with NumPy semantics)."""
        return 1.0 / v


@jit_inline
def _erf_small(y: float) -> float:
    """erf(y) for |y| <= 0.5: Cody's first interval, Estrin's scheme (short dependency chains)."""
    z = y * y
    z2 = z * z
    num = (3.20937758913846947e03 + 3.77485237685302021e02 * z) + z2 * (
        1.13864154151050156e02 + 3.16112374387056560e00 * z + 1.85777706184603153e-1 * z2
    )
    den = (2.84423683343917062e03 + 1.28261652607737228e03 * z) + z2 * (
        2.44024637934444173e02 + 2.36012909523441209e01 * z + z2
    )
    return y * num / den


@jit_inline
def _erfcx_mid(y: float) -> float:
    """exp(y^2) erfc(y) for 0.46875 <= y <= 4: Cody's second interval, Estrin's scheme."""
    y2 = y * y
    y4 = y2 * y2
    n01 = 1.23033935479799725e03 + 2.05107837782607147e03 * y
    n23 = 1.71204761263407058e03 + 8.81952221241769090e02 * y
    n45 = 2.98635138197400131e02 + 6.61191906371416295e01 * y
    n67 = 8.88314979438837594e00 + 5.64188496988670089e-1 * y
    num = (n01 + y2 * n23) + y4 * ((n45 + y2 * n67) + y4 * 2.15311535474403846e-8)
    d01 = 1.23033935480374942e03 + 3.43936767414372164e03 * y
    d23 = 4.36261909014324716e03 + 3.29079923573345963e03 * y
    d45 = 1.62138957456669019e03 + 5.37181101862009858e02 * y
    d67 = 1.17693950891312499e02 + 1.57449261107098347e01 * y
    den = (d01 + y2 * d23) + y4 * ((d45 + y2 * d67) + y4)
    return num / den


@jit_inline
def _erfcx_large(y: float) -> float:
    """exp(y^2) erfc(y) for y > 4: Cody's third interval, Estrin's scheme; finite for y > 0."""
    w = 1.0 / (y * y)
    w2 = w * w
    w4 = w2 * w2
    num = (
        (6.58749161529837803e-4 + 1.60837851487422766e-2 * w)
        + w2 * (1.25781726111229246e-1 + 3.60344899949804439e-1 * w)
        + w4 * (3.05326634961232344e-1 + 1.63153871373020978e-2 * w)
    )
    den = (
        (2.33520497626869185e-3 + 6.05183413124413191e-2 * w)
        + w2 * (5.27905102951428412e-1 + 1.87295284992346047e00 * w)
        + w4 * (2.56852019228982242e00 + w)
    )
    return (INV_SQRT_PI - w * num / den) / y


@jit_inline
def erfcx(y: float) -> float:
    """exp(y^2) erfc(y) for y >= 0 (one interval evaluated)."""
    if y <= 0.46875:
        return (1.0 - _erf_small(y)) * math.exp(y * y)
    if y <= 4.0:
        return _erfcx_mid(y)
    return _erfcx_large(y)


@jit_inline
def _erfc_scaled(y: float, e: float, c: float) -> float:
    """``e erfcx(y)`` for y >= 0, given ``c = e exp(y^2)`` (known in closed form)."""
    if y <= 0.46875:
        return c * (1.0 - _erf_small(y))
    if y <= 4.0:
        return e * _erfcx_mid(y)
    return e * _erfcx_large(y)


@jit_inline
def _sinh_small(y: float) -> float:
    """sinh(y) for |y| <= 0.25 (Taylor series to y^13, error < 1e-20 relative)."""
    z = y * y
    z2 = z * z
    p = (1.0 / 6.0 + z * (1.0 / 120.0)) + z2 * (
        (1.0 / 5040.0 + z * (1.0 / 362880.0)) + z2 * (1.0 / 39916800.0 + z * (1.0 / 6227020800.0))
    )
    return y + y * z * p


# ---------------------------------------------------------------------------
# rational cubic interpolation (Delbourgo & Gregory)
# ---------------------------------------------------------------------------


@jit_inline
def _rc_control(h: float, delta: float, dl: float, dr: float, d2: float, at_left: bool) -> float:
    """Control parameter matching second derivative ``d2`` at one end, kept shape-preserving.

    ``h = xr - xl`` and ``delta = (yr - yl) / h`` describe the data, ``dl``/``dr`` the end slopes.
    Selects only (no branches), so that it vectorises.
    """
    den = delta - dl if at_left else dr - delta
    oth = dr - delta if at_left else delta - dl
    # den == 0: the data are linear at that end; so is the interpolant
    safe = den if den != 0.0 else 1.0
    r = (0.5 * h * d2 + dr - dl) / safe
    r = r if den != 0.0 else R_MAX
    # Minimum keeping the curvature sign of convex/concave data at both ends.
    same = den * oth > 0.0
    r_min = max((dr - dl) / (oth if same else 1.0), (dr - dl) / safe)
    r_min = r_min if same else 0.0
    r = r if r >= r_min else r_min  # also catches NaN
    return min(r, R_MAX)


@jit_inline
def _rc_eval(t: float, h: float, yl: float, yr: float, dl: float, dr: float, r: float) -> float:
    """Rational cubic through (xl, yl, dl), (xr, yr, dr) with control ``r`` at
    ``t = (xv - xl) / h``, ``h = xr - xl`` (selects only)."""
    omt = 1.0 - t
    t2 = t * t
    omt2 = omt * omt
    num = yr * t2 * t + (r * yr - h * dr) * t2 * omt + (r * yl + h * dl) * t * omt2
    num += yl * omt2 * omt
    cubic = num / (1.0 + (r - 3.0) * t * omt)
    return yr * t + yl * omt if r >= R_MAX else cubic


# ---------------------------------------------------------------------------
# normalised Black function, x <= 0 (out-of-the-money call)
# ---------------------------------------------------------------------------


@jit_inline
def _black_vega(x: float, h: float, s: float, bmax: float, ibmax: float) -> tuple[float, float]:
    """(b(x, s), b'(s)) for x <= 0, s > 0, ``h = x/s``, ``bmax = e^{x/2} = 1/ibmax``.

    ``b'(s) = phi(x/s + s/2) e^{x/2} = E / sqrt(2 pi)`` with
    ``E = exp(-(x^2/s^2 + s^2/4) / 2)``, and every form of ``b`` below shares ``E``
    (without cancellation).
    """
    t = 0.5 * s
    d1 = h + t
    d2 = h - t
    e = math.exp(-0.5 * (h * h + t * t))
    if d1 <= 0.0:  # below the vega maximum: a difference of two erfcx
        # e exp(d1^2/2) = e^{x/2} = bmax and e exp(d2^2/2) = e^{-x/2} = 1/bmax
        g1 = _erfc_scaled(-d1 * INV_SQRT2, e, bmax)
        b = 0.5 * (g1 - _erfc_scaled(-d2 * INV_SQRT2, e, ibmax))
    elif x > -0.5:  # near the money: sinh(x/2) + (e^{x/2} erf(d1/r2) + e^{-x/2} erf(-d2/r2))/2
        y1 = d1 * INV_SQRT2
        y2 = -d2 * INV_SQRT2
        t1 = bmax * _erf_small(y1) if y1 <= 0.5 else bmax - e * erfcx(y1)
        t2 = _erf_small(y2) * ibmax if y2 <= 0.5 else ibmax - e * erfcx(y2)
        b = _sinh_small(0.5 * x) + 0.5 * (t1 + t2)
    else:  # b_max - (e^{x/2} Phi(-d1) + e^{-x/2} Phi(d2)); b >= b_c >= b_max / 10 here
        g1 = _erfc_scaled(d1 * INV_SQRT2, e, bmax)
        b = bmax - 0.5 * (g1 + _erfc_scaled(-d2 * INV_SQRT2, e, ibmax))
    return b, INV_SQRT_2PI * e


@jit_inline
def _log_black(h: float, s: float) -> tuple[float, float]:
    """(ln b(x, s), b'(s) / b(s)) for s <= s_c (h + s/2 <= 0, h = x/s); no underflow."""
    t = 0.5 * s
    d1 = min(h + t, 0.0)
    dd = 0.5 * (erfcx(-d1 * INV_SQRT2) - erfcx(-(h - t) * INV_SQRT2))
    return math.log(dd) - 0.5 * (h * h + t * t), INV_SQRT_2PI / dd


@jit_inline
def _log_gap(h: float, s: float) -> tuple[float, float]:
    """(ln(b_max - b(x, s)), b'(s) / (b_max - b)) for s >= s_c (h = x/s); a sum of positives."""
    t = 0.5 * s
    d1 = max(h + t, 0.0)
    gg = 0.5 * (erfcx(d1 * INV_SQRT2) + erfcx((t - h) * INV_SQRT2))
    return math.log(gg) - 0.5 * (h * h + t * t), INV_SQRT_2PI / gg


@jit_inline
def _curvature(x: float, s: float) -> tuple[float, float, float, float, float]:
    """``(1/s, h, h^2, b2, b3)`` of the normalised Black function at ``s``: ``h = x/s``,
    ``b2 = b''/b'`` and ``b3 = b'''/b'``, the coefficients every objective builds on."""
    u = 1.0 / s
    h = x * u
    hh = h * h
    b2 = hh * u - 0.25 * s
    return u, h, hh, b2, b2 * b2 - 3.0 * hh * u * u - 0.25


@jit_inline
def _householder_step(nu: float, h2: float, h3: float) -> float:
    """Order-4 Householder step from the Newton step ``nu`` and the objective's
    ``f''/f'`` (``h2``) and ``f'''/f'`` (``h3``)."""
    return nu * (1.0 + 0.5 * h2 * nu) / (1.0 + nu * (h2 + h3 * nu / 6.0))


MID_ONE_STEP = 0.02
"""Middle branches: refine a Householder step of relative size below this with
:func:`_mid_refine` (from the initial guess, steps are < 4e-3 on the research batch)."""
ONE_STEP_TOL = 0.05 * EPS
"""Accept the refined step when its a-posteriori error bound is below this (relative)."""


@jit_inline
def _mid_refine(s: float, u: float, w: float, nu: float, step: float) -> tuple[float, float]:
    """Refine a Householder step ``step`` on b(s) = beta to (near) machine precision.

    Exact identity: with ``z = D/s``, ``w = h^2 = x^2/s^2`` and ``u = 1/s``,
    ``b'(s + D) / b'(s) = exp(E(z))``, ``E(z) = e1 z + e2 z^2 + w sum_{k>=3} (-1)^(k+1)
    (k+1)/2 z^k``, ``e1 = w - s^2/4``, ``e2 = -3w/2 - s^2/8``. So ``b(s + D) = beta`` is
    ``G(z) = int_0^z exp(E) = nu/s`` (``nu = (beta - b)/b'``). One Newton step on the
    degree-6 Taylor polynomial of ``G`` (coefficients ``f_k/(k+1)``, ``exp(E) = sum
    f_k z^k``), started from the order-4 Householder step, leaves the truncation
    error ``~ |f_6| |z|^7 / 7`` (bounded with ``|f_5| + |f_6|``) plus the Newton error
    ``~ |f_1| dz^2``.

    Returns ``(refined step, bound of its error)``, both absolute in ``s``.
    """
    ss = s * s
    e1 = w - 0.25 * ss
    e2 = -1.5 * w - 0.125 * ss
    e3 = 2.0 * w
    e4 = -2.5 * w
    e5 = 3.0 * w
    e6 = -3.5 * w
    e1s = e1 * e1
    f1 = e1
    f2 = 0.5 * e1s + e2
    f3 = (1.0 / 3.0) * (e1 * f2 + 2.0 * e2 * e1) + e3
    f4 = 0.25 * (e1 * f3 + 3.0 * e3 * e1 + 2.0 * e2 * f2) + e4
    f5 = 0.2 * (e1 * f4 + 4.0 * e4 * e1 + 3.0 * e3 * f2 + 2.0 * e2 * f3) + e5
    f6 = (1.0 / 6.0) * (
        e1 * f5 + 5.0 * e5 * e1 + 4.0 * e4 * f2 + 3.0 * e3 * f3 + 2.0 * e2 * f4
    ) + e6
    z = step * u
    n = nu * u
    z2 = z * z
    z3 = z2 * z
    fz = (1.0 + z * f1) + z2 * (f2 + z * f3) + z2 * z2 * (f4 + z * f5)
    g = z * ((1.0 + 0.5 * z * f1) + z2 * ((1.0 / 3.0) * f2 + 0.25 * z * f3)
             + z2 * z2 * (0.2 * f4 + (1.0 / 6.0) * z * f5))  # fmt: skip
    dz = (n - g) / fz
    z1 = z + dz
    # |f5| too, in case f6 happens to be near a zero while the next ones are not
    err = z3 * z3 * z * (abs(f6) + abs(f5)) * (1.0 / 7.0) + abs(f1) * dz * dz
    return z1 * s, abs(err) * s


# ---------------------------------------------------------------------------
# branch-free forms for the vectorised first pass (initial guess)
# ---------------------------------------------------------------------------


# Cody's three erfc intervals as one degree-8 rational with per-interval coefficients
# (highest degree first, zero-padded): the middle one in y, the small one in y^2 (it
# gives erf(y) / y), the large one in 1/y^2. One Horner pass on the selected
# coefficients serves every SIMD lane with one division instead of three.
_ERFC_NUM_MID = (
    2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
    6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
    1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
)  # fmt: skip
_ERFC_DEN_MID = (
    1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
    1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
    3.43936767414372164e03, 1.23033935480374942e03,
)  # fmt: skip
_ERFC_NUM_SMALL = (
    0.0, 0.0, 0.0, 0.0, 1.85777706184603153e-1, 3.16112374387056560e00,
    1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
)  # fmt: skip
_ERFC_DEN_SMALL = (
    0.0, 0.0, 0.0, 0.0, 1.0, 2.36012909523441209e01, 2.44024637934444173e02,
    1.28261652607737228e03, 2.84423683343917062e03,
)  # fmt: skip
_ERFC_NUM_LARGE = (
    0.0, 0.0, 0.0, 1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
    1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4,
)  # fmt: skip
_ERFC_DEN_LARGE = (
    0.0, 0.0, 0.0, 1.0, 2.56852019228982242e00, 1.87295284992346047e00,
    5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3,
)  # fmt: skip
SMALL_Y = 0.46875
"""Upper end of Cody's first erf interval."""


@jit_inline
def _erfc_scaled_all(y: float, e: float, c: float) -> tuple[float, float]:
    """``(e erfcx(y), erf(y))`` for y >= 0 with ``c = e exp(y^2)``; vectorisable.

    The second value is only meaningful for ``y <= SMALL_Y`` (where the first is
    ``c (1 - erf(y))``). Same coefficients and accuracy as :func:`_erfc_scaled`.
    """
    small = y <= SMALL_Y
    mid = y <= 4.0
    yy = y * y
    w = _recip(yy)
    v = yy if small else (y if mid else w)
    num = 0.0
    den = 0.0
    for k in range(9):
        num = num * v + (
            _ERFC_NUM_SMALL[k] if small else (_ERFC_NUM_MID[k] if mid else _ERFC_NUM_LARGE[k])
        )
        den = den * v + (
            _ERFC_DEN_SMALL[k] if small else (_ERFC_DEN_MID[k] if mid else _ERFC_DEN_LARGE[k])
        )
    ratio = num / den
    erf_y = y * ratio
    scaled = e * (ratio if mid else (INV_SQRT_PI - w * ratio) * (y * w))
    return (c * (1.0 - erf_y) if small else scaled), erf_y


@jit_inline
def _black_vega_all(x: float, h: float, s: float, bmax: float, ibmax: float) -> tuple[float, float]:
    """:func:`_black_vega` with its three forms evaluated and one selected (vectorisable)."""
    t = 0.5 * s
    d1 = h + t
    d2 = h - t
    e = fast_exp(-0.5 * (h * h + t * t))
    y1 = abs(d1) * INV_SQRT2
    y2 = -d2 * INV_SQRT2
    g1, erf1 = _erfc_scaled_all(y1, e, bmax)
    g2, erf2 = _erfc_scaled_all(y2, e, ibmax)
    below = 0.5 * (g1 - g2)
    far = bmax - 0.5 * (g1 + g2)
    t1 = bmax * erf1 if y1 <= SMALL_Y else bmax - g1
    t2 = ibmax * erf2 if y2 <= SMALL_Y else ibmax - g2
    near = _sinh_small(max(0.5 * x, -0.25)) + 0.5 * (t1 + t2)
    b = below if d1 <= 0.0 else (near if x > -0.5 else far)
    return b, INV_SQRT_2PI * e


# Acklam's two regions as one degree-5 rational (highest degree first): the central
# one in r = (p - 1/2)^2 (times p - 1/2), the tail in q = sqrt(-2 ln p).
_PPF_NUM_CENTRAL = (_A0, _A1, _A2, _A3, _A4, _A5)
_PPF_DEN_CENTRAL = (_B0, _B1, _B2, _B3, _B4, 1.0)
_PPF_NUM_TAIL = (_C0, _C1, _C2, _C3, _C4, _C5)
_PPF_DEN_TAIL = (0.0, _D0, _D1, _D2, _D3, 1.0)


@jit_inline
def _norm_ppf_log(lnp: float) -> float:
    """Approximate inverse normal CDF of ``p = exp(lnp)`` for p <= 1/2; vectorisable.

    Acklam's rational approximation (relative error < 1.2e-9), which is ample for an
    initial guess; both regions share one division. Taking ln p avoids forming tiny p.
    """
    tail = lnp < -3.719339999862803  # p < 0.02425
    q = np.sqrt(-2.0 * min(lnp, -3.7))
    qc = fast_exp(max(lnp, -3.8)) - 0.5
    v = q if tail else qc * qc
    num = 0.0
    den = 0.0
    for k in range(6):
        num = num * v + (_PPF_NUM_TAIL[k] if tail else _PPF_NUM_CENTRAL[k])
        den = den * v + (_PPF_DEN_TAIL[k] if tail else _PPF_DEN_CENTRAL[k])
    return (num if tail else num * qc) / den


@jit_inline
def _initial_guess(
    beta: float, x: float, bmax: float, ibmax: float
) -> tuple[float, float, float, int]:
    """Branch, bracket and initial total vol for b(x, s) = beta (x <= 0, 0 < beta < bmax).

    Returns ``(s0, s_lo, s_hi, branch)``. Straight-line code with selects: each option
    takes its branch's nodes and transform through one shared rational-cubic
    interpolation, so a loop over options vectorises. Only the guess uses the
    polynomial exp/log; the Householder steps that follow use libm.
    """
    inf = math.inf
    ax = -x
    sc = np.sqrt(2.0 * ax)
    # b(x, s_c) = b_max (1 - erfcx(sqrt|x|)) / 2 with b_max e^{|x|} = 1 / b_max
    bc = 0.5 * (bmax - _erfc_scaled_all(np.sqrt(ax), bmax, ibmax)[0])
    ivc = SQRT_2PI * ibmax  # 1 / b'(s_c)
    low_side = beta < bc
    sl = sc - bc * ivc  # the tangents at s_c reach b = 0 at sl and b = b_max at su
    su = sc + (bmax - bc) * ivc
    sp_ok = sl > 0.0 or not low_side
    sp = sl if low_side else su  # the tangent's end on beta's side
    sp = sp if sp_ok else 1.0
    isp = 1.0 / sp
    hp = x * isp
    bp, vp = _black_vega_all(x, hp, sp, bmax, ibmax)
    bp = bp if sp_ok else 0.0
    ivp = _recip(vp) if sp_ok else inf
    lower = low_side and beta < bp
    upper = (not low_side) and beta > bp
    mid = not (lower or upper)
    # the transform: f = A Phi(u)^3, u = -|x|/(sqrt3 s) (lower), f = Phi(u), u = -s/2 (upper)
    amp = TWO_PI * ax / (3.0 * SQRT3)
    u = hp * (1.0 / SQRT3) if low_side else -0.5 * sp
    eu = fast_exp(-0.5 * u * u)
    pu = _erfc_scaled_all(-u * INV_SQRT2, 0.5 * eu, 0.5)[0]  # Phi(u)
    phu = INV_SQRT_2PI * eu
    b2p = hp * hp * isp - 0.25 * sp  # b''/b' at sp
    fs = (TWO_PI / 3.0) * hp * hp * pu * pu * phu if low_side else -0.5 * phu
    fss = fs * isp * (-2.0 + (2.0 * phu * _recip(pu) - u) * -u) if low_side else 0.125 * sp * phu
    df = fs * ivp
    d2f = (fss - fs * b2p) * ivp * ivp
    # one rational cubic per option: (xl, yl, dl) -> (xr, yr, dr) at beta
    if mid:
        xl = bp if low_side else bc
        xr = bc if low_side else bp
        yl = sl if low_side else sc
        yr = sc if low_side else su
        dl = ivp if low_side else ivc
        dr = ivc if low_side else ivp
        d2 = 0.0
    else:
        xl = 0.0 if lower else bp
        xr = bp if lower else bmax
        yl = 0.0 if lower else pu
        yr = amp * pu * pu * pu if lower else 0.0
        dl = 1.0 if lower else df
        dr = df if lower else -0.5
        d2 = d2f
    hx = xr - xl
    ih = _recip(hx)
    r = _rc_control(hx, (yr - yl) * ih, dl, dr, d2, not low_side)
    y = _rc_eval((beta - xl) * ih, hx, yl, yr, dl, dr, r)
    # invert the transform (f ~ beta as beta -> 0: use beta when f is tiny)
    f = y if y > 1e-280 else (beta if lower else 0.5 * (bmax - beta))
    ln_f = fast_log(max(f / amp if lower else f, 1e-300))
    z = _norm_ppf_log(ln_f * (1.0 / 3.0) if lower else ln_f)
    s = ax * _recip(SQRT3 * -z) if lower else (-2.0 * z if upper else y)
    branch = _BR_LOWER if lower else (_BR_UPPER if upper else _BR_MID)
    # The branch ends are computed in floating point, and so is beta: a root at an end
    # (beta == b_c: the vega maximum) may fall a few ulp outside. The bracket is only a
    # safeguard, so widen it slightly rather than reject steps towards such a root.
    s_lo = (0.0 if lower else (su if upper else yl)) * (1.0 - BRACKET_SLACK)
    s_hi = (sl if lower else (inf if upper else yr)) * (1.0 + BRACKET_SLACK)
    # A guess just outside its bracket (a root at a branch end) is moved to the nearest
    # end; a NaN guess (degenerate data) to the middle, or above an open bracket.
    inside = s > s_lo and s < s_hi
    end = min(max(s, s_lo), s_hi)
    usable = s == s and end > 0.0 and end < inf
    s = s if inside else (end if usable else (0.5 * (s_lo + s_hi) if s_hi < inf else 2.0 * s_lo))
    return s, s_lo, s_hi, branch


@jit_inline
def _first_mid_step(
    beta: float, x: float, bmax: float, ibmax: float, s: float, s_lo: float, s_hi: float,
    branch: int,
) -> float:  # fmt: skip
    """The first Householder step of :func:`_householder` on a middle branch, vectorisable.

    Returns the solution when the refined step is final (the same acceptance test as
    the scalar loop), else -1.0 (lower and upper branches always return -1.0; so does a
    step the scalar loop would not accept after one iteration).
    """
    u, h, hh, b2, b3 = _curvature(x, s)
    b, vega = _black_vega_all(x, h, s, bmax, ibmax)
    s_lo = s if b <= beta else s_lo
    s_hi = s if b > beta else s_hi
    nu = (beta - b) / vega
    step = _householder_step(nu, b2, b3)
    fine, err = _mid_refine(s, u, hh, nu, step)
    s_new = s + fine
    done = (
        branch == _BR_MID
        and abs(step) <= MID_ONE_STEP * s
        and err <= ONE_STEP_TOL * s
        and s_new >= s_lo
        and s_new <= s_hi
    )
    return s_new if done else -1.0


# ---------------------------------------------------------------------------
# Householder iterations (scalar)
# ---------------------------------------------------------------------------


@jit
def _householder(
    beta: float, x: float, bmax: float, ibmax: float, tv: float, den: float,
    s: float, s_lo: float, s_hi: float, branch: int,
) -> tuple[float, int, bool]:  # fmt: skip
    """Total vol ``s`` with b(x, s) = beta from the guess and bracket of :func:`_initial_guess`.

    ``ibmax = 1/bmax``; ``beta = tv / den``, and for tiny prices ln(beta) is taken as
    ln(tv) - ln(den) (beta itself may be subnormal or 0 near the bottom of the float
    range). Returns ``(s, iterations, converged)``.
    """
    inf = math.inf
    ln_target = 0.0
    i_target = 0.0
    if branch == _BR_LOWER:
        ln_target = math.log(tv) - math.log(den) if beta < 1e-280 else math.log(beta)
        i_target = 1.0 / ln_target
    elif branch == _BR_UPPER:
        ln_target = math.log(bmax - beta)
    for it in range(MAX_ITER):
        u, h, hh, b2, b3 = _curvature(x, s)
        if branch == _BR_LOWER:  # objective 1/ln b(s) - 1/ln beta
            lnb, rho = _log_black(h, s)
            if lnb > ln_target:
                s_hi = s
            else:
                s_lo = s
            inv_l = 1.0 / lnb
            nu = lnb * (ln_target - lnb) * i_target / rho
            q1 = 1.0 + 2.0 * inv_l
            h2 = b2 - q1 * rho
            h3 = (2.0 + 6.0 * inv_l * (1.0 + inv_l)) * rho * rho - 3.0 * q1 * rho * b2 + b3
        elif branch == _BR_MID:  # objective b(s) - beta
            b, vega = _black_vega(x, h, s, bmax, ibmax)
            if b > beta:
                s_hi = s
            else:
                s_lo = s
            nu = (beta - b) / vega
            h2 = b2
            h3 = b3
        else:  # objective ln(b_max - beta) - ln(b_max - b(s))
            lng, rho = _log_gap(h, s)
            if lng < ln_target:
                s_hi = s
            else:
                s_lo = s
            nu = (lng - ln_target) / rho
            h2 = rho + b2
            h3 = 2.0 * rho * rho + 3.0 * rho * b2 + b3
        step = _householder_step(nu, h2, h3)
        if branch == _BR_MID and abs(step) <= MID_ONE_STEP * s:
            step, err = _mid_refine(s, u, hh, nu, step)
            s_new = s + step
            if err <= ONE_STEP_TOL * s and s_new >= s_lo and s_new <= s_hi:
                return s_new, it + 1, True
        s_new = s + step
        if abs(step) <= STEP_TOL * s and s_new >= s_lo and s_new <= s_hi:
            return s_new, it + 1, True
        if s_new > s_lo and s_new < s_hi:
            s = s_new
        else:  # safeguard: bisect the bracket (or expand it upwards)
            s = 0.5 * (s_lo + s_hi) if s_hi < inf else 2.0 * s
            if s_hi - s_lo <= 4.0 * EPS * s:
                return s, it + 1, True
    return s, MAX_ITER, False


# ---------------------------------------------------------------------------
# Bachelier
# ---------------------------------------------------------------------------


@jit_inline
def _mills_parts(z: float) -> tuple[float, float]:
    """(R, m) for z > 0: Mills ratio R = Phi(-z)/phi(z) and m = 1 - z R > 0."""
    if z < 5.0:
        r = SQRT_HALF_PI * erfcx(z * INV_SQRT2)
        return r, 1.0 - z * r
    tail = 0.0  # Laplace's continued fraction, 30 terms: < 3e-16 for z >= 5
    for k in range(30, 1, -1):
        tail = k / (z + tail)
    w = 1.0 / (z + tail)
    r = 1.0 / (z + w)
    return r, w * r


@jit
def _bachelier_total_vol(v: float, x: float) -> tuple[float, int, bool]:
    """Normal total vol ``s`` with s psi(x/s) = v, for x <= 0 and v > 0."""
    if x == 0.0:
        return v * SQRT_2PI, 0, True
    ax = -x
    chi = v / ax
    ln_chi = math.log(chi)
    if chi >= 0.07:  # psi(u) ~ phi0 + u/2 + phi0 u^2/2: small root of a quadratic
        bq = 0.5 + chi
        z = 2.0 * INV_SQRT_2PI / (bq + math.sqrt(bq * bq - 1.0 / math.pi))
    else:  # psi(u) ~ phi(u)/u^2: z^2 + 6 ln z = -2 ln chi - ln(2 pi)
        rhs = -2.0 * ln_chi - 2.0 * LN_SQRT_2PI
        z = math.sqrt(max(rhs, 1.0))
        for _ in range(3):
            z = math.sqrt(max(rhs - 6.0 * math.log(z), 0.25))
    # u = -z < 0; L(u) = ln psi(u) - ln|u| - ln chi is increasing in u.
    u = -z
    u_lo, u_hi = -math.inf, 0.0
    for it in range(MAX_ITER):
        z = -u
        r, m = _mills_parts(z)
        lv = -0.5 * z * z - LN_SQRT_2PI + math.log(m) - math.log(z) - ln_chi
        if lv > 0.0:
            u_hi = u
        else:
            u_lo = u
        nu = -lv * z * m
        rm = r / m
        h2 = z + 1.0 / z - rm
        h3 = -1.0 + 1.0 / (z * z) - 1.0 / m + rm * rm + h2 * h2
        step = _householder_step(nu, h2, h3)
        u_new = u + step
        if abs(step) <= STEP_TOL * z and u_new >= u_lo and u_new <= u_hi:
            return ax / -u_new, it + 1, True
        if u_new > u_lo and u_new < u_hi:
            u = u_new
        else:
            u = 0.5 * (u_lo + u_hi) if u_lo > -math.inf else 2.0 * u
            if u_hi - u_lo <= 4.0 * EPS * abs(u):
                return ax / -u, it + 1, True
    return ax / -u, MAX_ITER, False


# ---------------------------------------------------------------------------
# one option
# ---------------------------------------------------------------------------


@jit
def _bachelier_one(price: float, fwd: float, strike: float, t: float, rate: float,
                   is_call: bool) -> tuple[float, int, int]:  # fmt: skip
    """Bachelier implied vol of one option: ``(vol, status, iterations)``."""
    nan = math.nan
    if not (t > 0.0):
        return nan, _ZERO_T, 0
    df = math.exp(-rate * t)
    intr = df * max(fwd - strike if is_call else strike - fwd, 0.0)
    if intr > 0.0:
        if price < intr - 4.0 * EPS * df * (abs(fwd) + abs(strike)):
            return nan, _BELOW, 0
        tv = price - intr
    else:
        if price < 0.0:
            return nan, _BELOW, 0
        tv = price
    if not (tv > 0.0):
        return 0.0, _OK, 0
    s, n_it, ok = _bachelier_total_vol(tv / df, -abs(fwd - strike))
    if not ok or math.isnan(s):
        return nan, _NOCONV, n_it
    return s / math.sqrt(t), _OK, n_it


# ---------------------------------------------------------------------------
# array kernels
# ---------------------------------------------------------------------------

CHUNK = 256
"""Options per block of the lognormal array kernels (the block's buffers stay in L1)."""
N_ROWS = 12
"""Rows of a block's buffer: beta, x, b_max, 1/b_max, time value, its normaliser,
sqrt t, initial guess, bracket low, bracket high, branch, vectorised first step."""
_SOLVE = -1
"""Status marker of the first pass: the option needs the solver."""


@jit_inline
def _normalise(
    price: float, spot: float, strike: float, t: float, rate: float, div: float,
    is_call: bool, black76: bool,
) -> tuple[float, float, float, float, float, float, int]:  # fmt: skip
    """First pass of a lognormal option: normalisation and status checks, branch-free.

    Returns ``(beta, x, bmax, ibmax, tv, den, code)``: the solver's inputs, and ``code``
    either ``_SOLVE`` or the final status (the vol is then NaN, or 0.0 for ``OK``).
    Only selects, ``fast_exp``/``fast_log`` and square roots, so LLVM vectorises the
    loop that calls it. The checks take effect in the order of the module's table.
    """
    df = fast_exp(-rate * t)
    q = rate if black76 else div
    sq = spot * fast_exp(-q * t)
    x = fast_log(spot / strike) + (rate - q) * t
    kd = strike * df
    diff = sq - kd if is_call else kd - sq
    intr = max(diff, 0.0)
    upper = sq if is_call else kd
    slack = 4.0 * EPS * (sq + kd) if intr > 0.0 else 0.0
    tv = price - intr
    rsq = math.sqrt(sq)
    rkd = math.sqrt(kd)
    den = rsq * rkd
    beta = tv / den
    r_lo = min(rsq, rkd)
    r_hi = max(rsq, rkd)
    bmax = r_lo / r_hi
    ibmax = r_hi / r_lo
    code = _SOLVE
    code = _ABOVE if beta >= bmax else code
    code = _OK if not (tv > 0.0) else code
    code = _BELOW if price < intr - slack else code
    code = _ABOVE if price >= upper else code
    code = _ZERO_T if not (t > 0.0) else code
    return beta, -abs(x), bmax, ibmax, tv, den, code


@jit_inline
def _normalise_block(price, spot, strike, t, rate, div, is_call, black76, lo, hi, buf, codes):  # type: ignore[no-untyped-def]
    """First pass over options ``lo:hi``: rows 0-6 of ``buf`` and the status codes
    (:func:`_normalise`; inlined into each kernel: as a separate compiled function the loop
    is not vectorised and the kernel is 40 % slower)."""
    for i in range(lo, hi):
        ti = np.float64(t[i])
        beta, x, bmax, ibmax, tv, den, code = _normalise(
            np.float64(price[i]), np.float64(spot[i]), np.float64(strike[i]), ti,
            np.float64(rate[i]), np.float64(div[i]), bool(is_call[i]), black76,
        )  # fmt: skip
        j = i - lo
        buf[0, j] = beta
        buf[1, j] = x
        buf[2, j] = bmax
        buf[3, j] = ibmax
        buf[4, j] = tv
        buf[5, j] = den
        buf[6, j] = math.sqrt(max(ti, 0.0))
        codes[j] = code


@jit_lanes
def _solve_block(buf, codes, iters, m):  # type: ignore[no-untyped-def]
    """Initial guesses (vectorised) and Householder steps (scalar) for one block.

    ``buf`` (N_ROWS, CHUNK) float64 holds the first pass's rows (beta, x, bmax, ibmax,
    tv, den, sqrt t) and receives the guesses in rows 7-10; row 0 receives the vols.
    ``codes`` (int8) receives the statuses and ``iters`` (int32) the iteration counts,
    for the first ``m`` columns. One compiled copy serves every kernel and input dtype
    (the guess loop is long straight-line code: compiling it once keeps JIT time low).
    """
    for j in range(m):
        beta = buf[0, j]
        x = buf[1, j]
        s, s_lo, s_hi, branch = _initial_guess(beta, x, buf[2, j], buf[3, j])
        buf[7, j] = s
        buf[8, j] = s_lo
        buf[9, j] = s_hi
        buf[10, j] = branch
        buf[11, j] = _first_mid_step(beta, x, buf[2, j], buf[3, j], s, s_lo, s_hi, branch)
    for j in range(m):
        code = codes[j]
        if code != _SOLVE:
            buf[0, j] = 0.0 if code == _OK else math.nan
            iters[j] = 0
            continue
        if buf[11, j] > 0.0:  # done in the vectorised loop
            buf[0, j] = buf[11, j] / buf[6, j]
            codes[j] = _OK
            iters[j] = 1
            continue
        s, n_it, ok = _householder(
            buf[0, j], buf[1, j], buf[2, j], buf[3, j], buf[4, j], buf[5, j],
            buf[7, j], buf[8, j], buf[9, j], int(buf[10, j]),
        )  # fmt: skip
        iters[j] = n_it
        if ok and not math.isnan(s):
            buf[0, j] = s / buf[6, j]
            codes[j] = _OK
        else:
            buf[0, j] = math.nan
            codes[j] = _NOCONV


@jit_inline
def _lognormal_block(price, spot, strike, t, rate, div, is_call, black76, lo, hi,
                     out_vol, out_status, out_iter, buf, codes, iters):  # type: ignore[no-untyped-def]  # fmt: skip
    """Options ``lo:hi`` (at most :data:`CHUNK`) in three passes.

    The first pass normalises every option into ``buf`` (N_ROWS, CHUNK), vectorised;
    :func:`_solve_block` runs the scalar solver on the options that need it; the last
    pass copies the block out. ``out_iter`` is an int32 array of length n, or of
    length 0 when iterations are not wanted.
    """
    _normalise_block(price, spot, strike, t, rate, div, is_call, black76, lo, hi, buf, codes)
    _solve_block(buf, codes, iters, hi - lo)
    for i in range(lo, hi):
        out_vol[i] = buf[0, i - lo]
        out_status[i] = codes[i - lo]
    if out_iter.shape[0] > 0:
        for i in range(lo, hi):
            out_iter[i] = iters[i - lo]


@jit_inline
def _bachelier_block(price, spot, strike, t, rate, is_call, lo, hi, out_vol, out_status,
                     out_iter):  # type: ignore[no-untyped-def]  # fmt: skip
    """Bachelier options ``lo:hi`` one by one (see :func:`_lognormal_block`)."""
    keep_iter = out_iter.shape[0] > 0
    for i in range(lo, hi):
        vol, status, n_it = _bachelier_one(
            np.float64(price[i]), np.float64(spot[i]), np.float64(strike[i]), np.float64(t[i]),
            np.float64(rate[i]), bool(is_call[i]),
        )  # fmt: skip
        out_vol[i] = vol
        out_status[i] = status
        if keep_iter:
            out_iter[i] = n_it


@jit_inline
def _block_buffers():  # type: ignore[no-untyped-def]
    """Scratch of one block: rows of :func:`_lognormal_block`, statuses, iterations."""
    buf = np.empty((N_ROWS, CHUNK), dtype=np.float64)
    return buf, np.empty(CHUNK, dtype=np.int8), np.empty(CHUNK, dtype=np.int32)


@jit_inline
def _block(price, spot, strike, t, rate, div, is_call, model, lo, hi, out_vol, out_status,
           out_iter, buf, codes, iters):  # type: ignore[no-untyped-def]  # fmt: skip
    """Options ``lo:hi`` of any model."""
    if model == _BACHELIER:
        _bachelier_block(price, spot, strike, t, rate, is_call, lo, hi, out_vol, out_status,
                         out_iter)  # fmt: skip
    else:
        _lognormal_block(price, spot, strike, t, rate, div, is_call, model == _BLACK76, lo, hi,
                         out_vol, out_status, out_iter, buf, codes, iters)  # fmt: skip


@jit
def implied_vol_1d_nb(price, spot, strike, t, rate, div, is_call, model, out_vol, out_status):  # type: ignore[no-untyped-def]
    """Implied vol of ``n`` options into ``out_vol``/``out_status`` (1-D, length ``n``)."""
    n = price.shape[0]
    buf, codes, iters = _block_buffers()
    no_iter = np.empty(0, dtype=np.int32)
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        _block(price, spot, strike, t, rate, div, is_call, model, lo, hi, out_vol, out_status,
               no_iter, buf, codes, iters)  # fmt: skip


@jit_parallel
def implied_vol_1d_par_nb(price, spot, strike, t, rate, div, is_call, model, out_vol, out_status):  # type: ignore[no-untyped-def]
    """``prange`` twin of :func:`implied_vol_1d_nb` (same arguments, same results)."""
    n = price.shape[0]
    n_blocks = (n + CHUNK - 1) // CHUNK
    no_iter = np.empty(0, dtype=np.int32)
    for b in prange(n_blocks):
        buf, codes, iters = _block_buffers()
        lo = b * CHUNK
        hi = min(lo + CHUNK, n)
        _block(price, spot, strike, t, rate, div, is_call, model, lo, hi, out_vol, out_status,
               no_iter, buf, codes, iters)  # fmt: skip


@jit
def implied_vol_iters_1d_nb(price, spot, strike, t, rate, div, is_call, model):  # type: ignore[no-untyped-def]
    """Diagnostics: ``(vol, status, iterations)`` arrays of :func:`implied_vol_1d_nb`."""
    n = price.shape[0]
    out_vol = np.empty(n, dtype=np.float64)
    out_status = np.empty(n, dtype=np.int8)
    out_iter = np.empty(n, dtype=np.int32)
    buf, codes, iters = _block_buffers()
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        _block(price, spot, strike, t, rate, div, is_call, model, lo, hi, out_vol, out_status,
               out_iter, buf, codes, iters)  # fmt: skip
    return out_vol, out_status, out_iter
