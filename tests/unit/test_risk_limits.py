"""fastopt.risk.limits: Limit, RiskLimits, dict and YAML round trips, errors naming fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastopt.risk import MEASURES, Limit, RiskLimits

D = "limit delta/total: "
CONFIG = Path(__file__).resolve().parents[2] / "config" / "risk_limits.yaml"


def test_bundled_config_loads_and_round_trips(tmp_path):
    limits = RiskLimits.from_yaml(CONFIG)
    assert len(limits) == 10
    assert limits.measures <= set(MEASURES)
    vega = next(lim for lim in limits if lim.measure == "vega")
    assert (vega.scope, vega.soft, vega.hard) == ("total", 40000.0, 50000.0)
    out = limits.to_yaml(tmp_path / "limits.yaml")
    assert RiskLimits.from_yaml(out) == limits
    assert not (tmp_path / "limits.yaml.tmp").exists()
    assert RiskLimits.from_dict(limits.to_dict()) == limits


def test_limit_levels_are_floats_and_scope_is_trimmed():
    lim = Limit("gamma", soft=1, hard=2, scope=" SPX ")
    assert (lim.soft, lim.hard, lim.scope) == (1.0, 2.0, "SPX")
    assert Limit("delta", hard=0).to_dict() == {"measure": "delta", "scope": "total", "hard": 0.0}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"measure": "beta", "hard": 1}, ValueError, r"`measure` must be one of"),
        ({"measure": "delta"}, ValueError, r"give a `soft` or a `hard` level"),
        (
            {"measure": "delta", "hard": -1},
            ValueError,
            D + r"`hard` must be a level >= 0 \(a magnitude\)",
        ),
        (
            {"measure": "delta", "soft": float("inf")},
            ValueError,
            D + r"`soft` must be finite, got inf",
        ),
        (
            {"measure": "delta", "hard": "1"},
            TypeError,
            D + r"`hard` must be a real number",
        ),
        ({"measure": "delta", "soft": 2, "hard": 1}, ValueError, r"`soft` \(2.0\) must not"),
        ({"measure": "delta", "hard": 1, "scope": ""}, ValueError, r"`scope` must be"),
        ({"measure": "daily_loss", "hard": 1, "scope": "each"}, ValueError, r"only for the"),
        ({"measure": "delta", "hard": float("nan")}, ValueError, r"finite"),
    ],
)
def test_limit_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        Limit(**kwargs)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"limit": []}, r"the one key 'limits'"),
        ([], r"the one key 'limits', got list"),
        ({"limits": {}}, r"`limits` must be a list"),
        ({"limits": [3]}, r"`limits\[0\]` must be a mapping"),
        (
            {"limits": [{"measure": "delta", "max": 3}]},
            r"`limits\[0\]` has unknown key\(s\) \['max'\]",
        ),
        ({"limits": [{"hard": 3}]}, r"`limits\[0\].measure` is missing"),
        (
            {"limits": [{"measure": "delta", "hard": 1}, {"measure": "vega", "hard": -2}]},
            r"`limits\[1\]`: limit vega/total: `hard` must be",
        ),
        (
            {"limits": [{"measure": "delta", "hard": 1}, {"measure": "delta", "soft": 1}]},
            r"`limits\[1\]`: a second limit on delta/total",
        ),
    ],
)
def test_dict_errors_name_the_entry(data, message):
    with pytest.raises(ValueError, match=message):
        RiskLimits.from_dict(data)


def test_yaml_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("limits: [measure: delta\n")
    with pytest.raises(ValueError, match=r"bad.yaml: not valid YAML"):
        RiskLimits.from_yaml(bad)
    bad.write_text("limits:\n  - {measure: delta, hard: -1}\n")
    with pytest.raises(ValueError, match=r"bad.yaml: `limits\[0\]`"):
        RiskLimits.from_yaml(bad)
    with pytest.raises(FileNotFoundError):
        RiskLimits.from_yaml(tmp_path / "missing.yaml")
    with pytest.raises(TypeError, match=r"`limits\[0\]` must be a Limit"):
        RiskLimits([{"measure": "delta"}])
