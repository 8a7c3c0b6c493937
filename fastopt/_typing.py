"""Type aliases shared by the facade."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.floating[Any]]
Float64Array: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
KindLike: TypeAlias = str | bool | npt.ArrayLike
"""``"call"``/``"put"`` (also ``"c"``/``"p"``), a boolean (True = call) or an array of either."""
Model: TypeAlias = Literal["bsm", "black76", "bachelier"]
