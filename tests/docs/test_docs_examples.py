"""Every ```python block of every guide in docs/ runs, top to bottom, per file."""

from __future__ import annotations

import re
from pathlib import Path

import numba
import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
GUIDES = sorted(DOCS.glob("*.md"))
README = DOCS.parent / "README.md"


def test_every_capability_has_a_guide():
    assert {p.stem for p in GUIDES} >= {
        "pricing",
        "implied_vol",
        "volatility",
        "monte_carlo",
        "strategies",
        "strategy_analytics",
        "margin",
        "charts",
    }


@pytest.mark.parametrize("path", [*GUIDES, README], ids=[p.name for p in [*GUIDES, README]])
@pytest.mark.skipif(
    numba.config.DISABLE_JIT, reason="guides use realistic sizes; run compiled (the normal suite)"
)
def test_guide_examples_run(path, capsys):
    blocks = BLOCK.findall(path.read_text())
    assert blocks, f"{path.name} has no python examples"
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for i, code in enumerate(blocks):
        exec(compile(code, f"{path.name}[block {i}]", "exec"), namespace)
    capsys.readouterr()
