"""Seeds to generator keys: how ``seed`` becomes the counter-based stream key."""

from __future__ import annotations

import numpy as np


def stream_key(seed: int | np.random.SeedSequence | None) -> np.uint64:
    """The 64-bit key of the counter-based generator for ``seed``.

    ``seed`` is an int, a :class:`numpy.random.SeedSequence` or None (fresh OS
    entropy). The key is the first 64-bit word of
    ``SeedSequence(seed).generate_state``, so equal seeds give equal keys and
    nearby integer seeds give unrelated streams.
    """
    if isinstance(seed, np.random.SeedSequence):
        ss = seed
    elif seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)):
        if seed is not None and int(seed) < 0:
            msg = f"`seed` must be a non-negative int, a SeedSequence or None, got {seed!r}"
            raise ValueError(msg)
        ss = np.random.SeedSequence(None if seed is None else int(seed))
    else:
        msg = f"`seed` must be an int, a numpy.random.SeedSequence or None, got {seed!r}"
        raise TypeError(msg)
    return np.uint64(ss.generate_state(1, dtype=np.uint64)[0])
