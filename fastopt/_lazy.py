"""Deferred imports of heavy optional-at-runtime modules (import fastopt stays fast).

``polars`` costs ~0.1 s to import; the pricing and Monte Carlo paths never need
it, so the modules that do use it reach it through this proxy, which imports the
real module on first attribute access.
"""

from __future__ import annotations

import importlib
from typing import Any


class _DeferredModule:
    """A stand-in that imports ``name`` the first time an attribute is read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


polars: Any = _DeferredModule("polars")
