"""The only place Numba decorator options live.

Every kernel in ``fastopt.kernels`` is decorated through one of these helpers so
that caching, the error model and the inlining policy are set once:

* :func:`jit` -- a serial kernel, ``cache=True``, ``error_model="numpy"``
  (division by zero gives inf/NaN instead of raising inside compiled code);
* :func:`jit_parallel` -- the ``prange`` twin of a serial kernel;
* :func:`jit_inline` -- scalar helpers, inlined at the Numba IR level so the
  callers' loops can be auto-vectorised by LLVM;
* :func:`jit_lanes` -- a serial kernel of branch-free SIMD loops (quiet about
  discarded lanes when run as pure Python).

``fastmath`` is never used for pricing or implied volatility: it lets LLVM
assume that no NaN or inf occurs, which breaks the NaN contract of the facade.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

DISABLE_JIT: bool = bool(numba.config.DISABLE_JIT)

_COMMON: dict[str, Any] = {"cache": True, "error_model": "numpy", "nogil": True}


def jit(func: F) -> F:
    """Compile a serial kernel (cached, NumPy error model, releases the GIL)."""
    return numba.njit(**_COMMON)(func)  # type: ignore[no-any-return]


def jit_parallel(func: F) -> F:
    """Compile the ``prange`` twin of a kernel (``parallel=True``)."""
    return numba.njit(parallel=True, **_COMMON)(func)  # type: ignore[no-any-return]


def jit_inline(func: F) -> F:
    """Compile a scalar helper that is inlined into every caller."""
    return numba.njit(inline="always", **_COMMON)(func)  # type: ignore[no-any-return]


def jit_lanes(func: F) -> F:
    """Compile a serial kernel whose loops evaluate every branch on every SIMD lane and
    select one (so LLVM vectorises them).

    Compiled, this is :func:`jit`. In pure Python (``NUMBA_DISABLE_JIT=1``, the kernel
    coverage run) the function runs under ``np.errstate(all="ignore")``: lanes whose
    values are discarded may divide by zero or overflow, which compiled code does
    silently and NumPy scalars would warn about.
    """
    if not DISABLE_JIT:
        return jit(func)

    @functools.wraps(func)
    def quiet(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return func(*args)

    return quiet  # type: ignore[return-value]
