"""Input validation for the facade: the only place where arguments are checked.

Every public function validates here once, then hands plain contiguous NumPy
arrays to a kernel. Messages are lower-case, name the argument, show the
offending value (and its index for arrays) and say what is allowed.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
from typing import Any

import numpy as np
import numpy.typing as npt

from fastopt._typing import BoolArray, FloatArray

_CALL_WORDS = {"call": True, "c": True, "put": False, "p": False}


def _first_bad(mask: npt.NDArray[np.bool_], values: FloatArray) -> str:
    """Describe the first element where ``mask`` is True: value and index."""
    flat = np.flatnonzero(mask.ravel())
    idx = int(flat[0])
    val = values.ravel()[idx]
    where = "" if values.ndim == 0 else f" at flat index {idx}"
    count = "" if flat.size == 1 else f" ({flat.size} elements)"
    return f"{float(val)!r}{where}{count}"


def as_float_array(value: object, name: str) -> FloatArray:
    """Convert ``value`` to a float32/float64 array, rejecting non-numeric input.

    Integers and booleans are promoted to float64; float32 stays float32;
    float16 becomes float32. Strings, objects, complex numbers and datetimes
    raise ``TypeError``.
    """
    if isinstance(value, str | bytes):
        msg = f"`{name}` must be a real number or an array of them, got {value!r}"
        raise TypeError(msg)
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged sequences and the like
        msg = f"`{name}` must be a real number or an array of them, got {value!r}"
        raise TypeError(msg) from exc
    kind = arr.dtype.kind
    if kind in "biu":
        return arr.astype(np.float64)
    if kind == "f":
        if arr.dtype == np.float32 or arr.dtype == np.float64:
            return arr
        if arr.dtype.itemsize < 4:
            return arr.astype(np.float32)
        return arr.astype(np.float64)
    msg = (
        f"`{name}` must be a real number or an array of them, got dtype {arr.dtype} "
        f"(value {value!r:.80})"
    )
    raise TypeError(msg)


def _bounds(arr: FloatArray) -> tuple[float, float]:
    """(min, max) in two SIMD reductions; NaN anywhere makes both NaN."""
    if arr.size == 0:
        return 0.0, 0.0
    return float(arr.min()), float(arr.max())


def check_finite(arr: FloatArray, name: str) -> None:
    """Raise ``ValueError`` if any element is NaN or infinite."""
    lo, hi = _bounds(arr)
    if -math.inf < lo and hi < math.inf:  # fast path: no temporaries
        return
    bad = ~np.isfinite(arr)
    msg = f"`{name}` must be finite, got {_first_bad(bad, arr)}"
    raise ValueError(msg)


def check_positive(arr: FloatArray, name: str) -> None:
    """Raise ``ValueError`` unless every element is finite and > 0."""
    lo, hi = _bounds(arr)
    if lo > 0.0 and hi < math.inf:
        return
    check_finite(arr, name)
    bad = arr <= 0
    msg = f"`{name}` must be > 0, got {_first_bad(bad, arr)}"
    raise ValueError(msg)


def check_nonnegative(arr: FloatArray, name: str) -> None:
    """Raise ``ValueError`` unless every element is finite and >= 0."""
    lo, hi = _bounds(arr)
    if lo >= 0.0 and hi < math.inf:
        return
    check_finite(arr, name)
    bad = arr < 0
    msg = f"`{name}` must be >= 0, got {_first_bad(bad, arr)}"
    raise ValueError(msg)


def parse_kind(kind: object, name: str = "kind") -> BoolArray:
    """Turn ``"call"``/``"put"``/``"c"``/``"p"``/booleans (or arrays of them) into booleans.

    True means call. Case is ignored for strings.
    """
    if isinstance(kind, str):
        key = kind.strip().lower()
        if key not in _CALL_WORDS:
            msg = f"`{name}` must be 'call' or 'put' (or 'c'/'p', or a boolean), got {kind!r}"
            raise ValueError(msg)
        return np.asarray(_CALL_WORDS[key])
    if isinstance(kind, bool | np.bool_):
        return np.asarray(bool(kind))
    arr = np.asarray(kind)
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind in "USO":
        lowered = np.char.lower(np.char.strip(arr.astype(str)))
        is_call = np.isin(lowered, ["call", "c"])
        is_put = np.isin(lowered, ["put", "p"])
        bad = ~(is_call | is_put)
        if bad.any():
            idx = int(np.flatnonzero(bad.ravel())[0])
            msg = (
                f"`{name}` must contain only 'call'/'put' (or 'c'/'p'), got "
                f"{str(arr.ravel()[idx])!r} at flat index {idx}"
            )
            raise ValueError(msg)
        return is_call
    msg = (
        f"`{name}` must be 'call'/'put', a boolean (True = call) or an array of them, "
        f"got {kind!r:.80}"
    )
    raise TypeError(msg)


def check_choice(value: object, name: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed`` strings, else raise ``ValueError``."""
    if not isinstance(value, str) or value not in allowed:
        msg = f"`{name}` must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}"
        raise ValueError(msg)
    return value


def check_int(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        msg = f"`{name}` must be an integer >= {minimum}, got {value!r}"
        raise TypeError(msg)
    if int(value) < minimum:
        msg = f"`{name}` must be >= {minimum}, got {value!r}"
        raise ValueError(msg)
    return int(value)


def compute_dtype(*arrays: FloatArray, dtype: object = None) -> np.dtype[Any]:
    """float32 only if every float input is float32 or ``dtype=float32`` is asked for."""
    if dtype is not None:
        dt: np.dtype[Any] = np.dtype(dtype)  # type: ignore[call-overload]
        if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
            msg = f"`dtype` must be float32 or float64, got {dtype!r}"
            raise ValueError(msg)
        return dt
    if arrays and all(a.dtype == np.float32 for a in arrays):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def broadcast(named: dict[str, np.ndarray[Any, Any]]) -> tuple[tuple[int, ...], list[Any]]:
    """Broadcast the named arrays; return the shape and flat contiguous copies.

    Raises ``ValueError`` naming every argument and its shape when the shapes
    are incompatible.
    """
    arrays = list(named.values())
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError as exc:
        shapes = ", ".join(f"{k}{tuple(v.shape)}" for k, v in named.items())
        msg = f"arguments cannot be broadcast to one shape: {shapes}"
        raise ValueError(msg) from exc
    flat = [readonly(np.ascontiguousarray(np.broadcast_to(a, shape)).ravel()) for a in arrays]
    return shape, flat


def readonly(arr: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Mark a kernel input read-only (a view when it is the caller's array).

    Numba compiles one specialisation per read-only/writable combination of
    its array arguments; handing every kernel input over read-only keeps that
    to one specialisation per dtype (JIT time, and cache hits for users).
    """
    arr.flags.writeable = False
    return arr


def is_scalar_input(*values: object) -> bool:
    """True when every input is a Python/NumPy scalar or a 0-d array."""
    return all(np.ndim(v) == 0 for v in values)  # type: ignore[arg-type]


def wrap(out: np.ndarray[Any, Any], shape: tuple[int, ...], *, scalar: bool) -> Any:
    """Reshape a kernel's flat output; a Python float when the inputs were scalars."""
    if scalar:
        return float(out[0])
    return out.reshape(shape)


MODELS: tuple[str, ...] = ("bsm", "black76", "bachelier")


def market_args(
    values: dict[str, object], kind: object, model: object, dtype: object = None
) -> tuple[tuple[int, ...], list[Any], np.dtype[Any], int, bool]:
    """Validate and broadcast the market arguments shared by pricers and solvers.

    ``values`` maps argument names to values; recognised names get their
    domain checks: ``spot``/``strike`` > 0 (any finite value for Bachelier),
    ``t``/``vol`` >= 0, everything else finite. ``div`` must be 0 for the
    forward-based models. Returns the broadcast shape, the flat contiguous
    arrays in the order of ``values`` followed by the boolean ``is_call``
    array, the compute dtype, the model code and whether the inputs were all
    scalars.
    """
    model_name = check_choice(model, "model", MODELS)
    model_code = MODELS.index(model_name)
    arrays: dict[str, np.ndarray[Any, Any]] = {}
    for name, value in values.items():
        arr = as_float_array(value, name)
        if name in ("spot", "strike") and model_name != "bachelier":
            check_positive(arr, name)
        elif name in ("t", "vol"):
            check_nonnegative(arr, name)
        else:
            check_finite(arr, name)
        arrays[name] = arr
    if model_name != "bsm" and "div" in arrays and np.any(arrays["div"] != 0):
        msg = (
            f"`div` must be 0 for model={model_name!r} (the forward already carries "
            f"the carry), got {values['div']!r:.80}"
        )
        raise ValueError(msg)
    is_call = parse_kind(kind)
    # Python scalars are "weak" (NEP 50): only typed inputs decide float32 vs float64
    typed = [arrays[k] for k, v in values.items() if not isinstance(v, int | float)]
    dt = compute_dtype(*typed, dtype=dtype)
    scalar = is_scalar_input(*values.values(), is_call)
    shape, flat = broadcast({**arrays, "kind": is_call})
    flat = [readonly(a.astype(dt, copy=False)) for a in flat[:-1]] + [flat[-1]]
    return shape, flat, dt, model_code, scalar


def time_grid(
    t: float, n_steps: int | None, times: object
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Return ``(times, dt)`` of a simulation grid, from ``n_steps`` or explicit ``times``.

    ``times`` (if given) must be strictly increasing, positive and end at ``t``;
    otherwise ``n_steps`` equal steps over ``(0, t]``.
    """
    if times is not None:
        if n_steps is not None:
            msg = "give either `n_steps` or `times`, not both"
            raise ValueError(msg)
        grid = as_float_array(times, "times").astype(np.float64).ravel()
        check_finite(grid, "times")
        if grid.size < 1 or np.any(np.diff(np.r_[0.0, grid]) <= 0.0):
            msg = f"`times` must be strictly increasing and > 0, got {grid!r:.120}"
            raise ValueError(msg)
        if not np.isclose(grid[-1], t, rtol=1e-12, atol=0.0):
            msg = f"`times` must end at `t` = {t!r}, got last time {grid[-1]!r}"
            raise ValueError(msg)
        grid[-1] = t
    else:
        n = check_int(1 if n_steps is None else n_steps, "n_steps", 1)
        grid = t * np.arange(1, n + 1, dtype=np.float64) / n
        grid[-1] = t
    return grid, np.diff(np.r_[0.0, grid])


def check_memory(n_bytes: int, what: str) -> None:
    """Raise ``MemoryError`` before allocating ``n_bytes`` that cannot fit in free RAM."""
    try:
        avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return
    if n_bytes > avail:
        msg = (
            f"{what} needs {n_bytes / 2**30:.2f} GiB but only {avail / 2**30:.2f} GiB of memory "
            "is free; reduce n_paths/n_steps, use dtype=float32, or price without storing paths"
        )
        raise MemoryError(msg)


def scalar_float(
    value: object, name: str, *, minimum: float | None = None, strict: bool = False
) -> float:
    """A finite Python float, optionally bounded below (``> minimum`` when ``strict``)."""
    arr = as_float_array(value, name)
    if arr.ndim != 0:
        msg = f"`{name}` must be a scalar, got an array of shape {arr.shape}"
        raise ValueError(msg)
    check_finite(arr, name)
    x = float(arr)
    if minimum is not None and (x <= minimum if strict else x < minimum):
        op = ">" if strict else ">="
        msg = f"`{name}` must be {op} {minimum}, got {x!r}"
        raise ValueError(msg)
    return x


def real_number(value: object, name: str) -> float:
    """A finite Python float from a real number (not a bool, a string or an array)."""
    if type(value) is float and math.isfinite(value):  # the common case, fast
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        msg = f"`{name}` must be a real number, got {value!r}"
        raise TypeError(msg)
    x = float(value)
    if not math.isfinite(x):
        msg = f"`{name}` must be finite, got {x!r}"
        raise ValueError(msg)
    return x


def as_date(value: object, name: str) -> dt.date:
    """A ``datetime.date`` from a date, a datetime or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            msg = f"`{name}` must be an ISO date like 2025-03-21, got {value!r}"
            raise ValueError(msg) from exc
    msg = f"`{name}` must be a datetime.date or an ISO date string, got {type(value).__name__}"
    raise TypeError(msg)
