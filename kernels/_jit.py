"""The only place Numba decorator options live.

Every kernel in ``fastopt.kernels`` is decorated through one of these helpers so
that caching, the error model and the inlining policy are set once:

* :func:`jit` -- a serial kernel, ``cache=True``, ``error_model="numpy"``
  (division by zero gives inf/NaN instead of raising inside compiled code);
* :func:`jit_parallel` -- the ``prange`` twin of a serial kernel;
* :func:`jit_inline` -- scalar helpers, inlined at the Numba IR level so the
  callers' loops can be auto-vectorised by LLVM.

``fastmath`` is never used for pricing or implied volatility: it lets LLVM
assume that no NaN or inf occurs, which breaks the NaN contract of the facade.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

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
