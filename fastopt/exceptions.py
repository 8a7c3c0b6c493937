"""Exceptions and warnings raised by fastopt."""

from __future__ import annotations


class FastoptWarning(UserWarning):
    """Base class of every warning fastopt emits."""


class ImpliedVolWarning(FastoptWarning):
    """Some prices have no implied volatility (NaN returned, see the status codes)."""


class ImpliedVolError(ValueError):
    """Raised by ``implied_vol(..., strict=True)`` when some prices have no implied vol.

    Attributes
    ----------
    indices : numpy.ndarray
        Flat indices (into the broadcast inputs) of the offending elements.
    status : numpy.ndarray
        Their :class:`fastopt.IVStatus` codes.
    """

    def __init__(self, msg: str, indices: object, status: object) -> None:
        super().__init__(msg)
        self.indices = indices
        self.status = status
