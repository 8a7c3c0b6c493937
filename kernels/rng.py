"""Counter-based random numbers: reproducible whatever the thread count.

Every variate is a pure function of ``(key, index)``: the ``index``-th output
of the SplitMix64 generator started at ``key`` (Steele, Lea and Flood 2014;
the generator behind Java's ``SplittableRandom``, which passes BigCrush). A
path simulation draws variate ``index = path * n_dims + dim``, so

* results do not depend on how paths are split between threads (no shared
  generator state, no reduction order issues inside a path);
* raising ``n_paths`` extends the same paths (a path's draws depend only on
  its own index);
* common random numbers across runs (finite-difference Greeks) come free: the
  same ``key`` gives the same normals;
* the hash is plain 64-bit integer arithmetic, so LLVM vectorises a loop of
  draws (AVX-512 ``vpmullq``); normals come in pairs from Box-Muller with
  vectorisable log/sin/cos (:func:`normal_pair_at`, the fast path) or one at a
  time from the inverse CDF :func:`fastopt.kernels._special.norm_ppf`.

Uniforms are ``(top 53 bits + 0.5) * 2**-53``: in the open interval (0, 1),
never exactly 0 or 1, so normals are finite (|z| < 8.3).

References
----------
.. [1] G. L. Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number
   generators", OOPSLA 2014.
"""

from __future__ import annotations

import math

import numpy as np

from fastopt.kernels._jit import DISABLE_JIT, jit_inline
from fastopt.kernels._special import fast_log, norm_ppf, sincos_turns

if DISABLE_JIT:  # Python ints do not wrap: mask to 64 bits explicitly
    _MASK = 0xFFFFFFFFFFFFFFFF
    _GAMMA = 0x9E3779B97F4A7C15
    _M1 = 0xBF58476D1CE4E5B9
    _M2 = 0x94D049BB133111EB
    _S30, _S27, _S31, _S11 = 30, 27, 31, 11
    _ONE = 1
else:  # pragma: no cover - compiled mode only; coverage runs with NUMBA_DISABLE_JIT=1
    _MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
    _GAMMA = np.uint64(0x9E3779B97F4A7C15)
    _M1 = np.uint64(0xBF58476D1CE4E5B9)
    _M2 = np.uint64(0x94D049BB133111EB)
    _S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
    _ONE = np.uint64(1)

_TWO_M53 = 1.0 / 9007199254740992.0


if DISABLE_JIT:

    def mix64(key, index):  # type: ignore[no-untyped-def]
        """The ``index``-th SplitMix64 output after state ``key`` (Python-int twin)."""
        z = (int(key) + (int(index) + 1) * _GAMMA) & _MASK
        z = ((z ^ (z >> _S30)) * _M1) & _MASK
        z = ((z ^ (z >> _S27)) * _M2) & _MASK
        return z ^ (z >> _S31)

else:  # pragma: no cover - compiled mode only

    @jit_inline
    def mix64(key, index):  # type: ignore[no-untyped-def]
        """The ``index``-th SplitMix64 output after state ``key`` (uint64 in, uint64 out)."""
        z = (key + (index + _ONE) * _GAMMA) & _MASK
        z = ((z ^ (z >> _S30)) * _M1) & _MASK
        z = ((z ^ (z >> _S27)) * _M2) & _MASK
        return z ^ (z >> _S31)


@jit_inline
def uniform_at(key, index):  # type: ignore[no-untyped-def]
    """Uniform variate in (0, 1) number ``index`` of stream ``key``."""
    return (float(mix64(key, index) >> _S11) + 0.5) * _TWO_M53


@jit_inline
def normal_pair_at(key, pair):  # type: ignore[no-untyped-def]
    """Two independent standard normals from uniforms ``2*pair`` and ``2*pair + 1``.

    Box-Muller with vectorisable log/sin/cos: about 3x the speed of the inverse
    CDF. ``r = sqrt(-2 log u1)`` with ``u1 >= 2**-54`` bounds |z| by 8.7.
    """
    u1 = uniform_at(key, pair + pair)
    u2 = uniform_at(key, pair + pair + _ONE)
    r = math.sqrt(-2.0 * fast_log(u1))
    s, c = sincos_turns(u2)
    return r * c, r * s


@jit_inline
def normal_at(key, index):  # type: ignore[no-untyped-def]
    """Standard normal variate number ``index`` of stream ``key`` (inverse CDF)."""
    return norm_ppf(uniform_at(key, index))
