"""Structured record dtypes whose fields kernels read by attribute.

Kernels read a record's fields as attributes (``book[p].credit``,
``rules.stop``). Compiled, Numba types every structured dtype the same way;
in pure Python (``NUMBA_DISABLE_JIT=1``, the kernel coverage run) only
elements of a ``numpy.record`` dtype have attributes, a plain structured
dtype's elements are ``numpy.void``. :func:`record_dtype` therefore builds
the aligned dtype as a ``numpy.record`` one: compiled code and cache entries
are unchanged (the two dtypes compare equal and Numba gives them one type).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def record_dtype(fields: list[tuple[Any, ...]]) -> np.dtype[Any]:
    """An aligned structured dtype of ``fields`` whose elements have attributes.

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.kernels.records import record_dtype
    >>> d = record_dtype([("a", np.float64), ("rows", np.int64, (2,))])
    >>> r = np.zeros(1, dtype=d)[0]
    >>> float(r.a), r.rows.tolist(), d == np.dtype([("a", "f8"), ("rows", "i8", (2,))])
    (0.0, [0, 0], True)
    """
    return np.dtype((np.record, np.dtype(fields, align=True)))
