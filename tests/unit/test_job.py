"""The main job: YAML configuration, run_job, the `fastopt backtest` command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import fastopt.backtest.job as job_mod
from fastopt.backtest import run_backtest, run_batch
from fastopt.backtest.config import ConfigError, load_config, parse_config
from fastopt.backtest.job import run_job
from fastopt.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = {
    "name": "small",
    "data": {"start": "2017-01-02", "end": "2017-12-29", "max_dte": 50, "seed": 3},
    "rules": {"structure": "iron_condor", "min_dte": 20, "max_dte": 45, "stop_loss": 2.0},
    "grid": {"short_delta": [0.1, 0.2], "width": [25, 50]},
    "walk_forward": {"in_sample": 126, "out_of_sample": 63},
    "report": {"top": 3},
}


def write(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_shipped_config_is_valid():
    cfg = load_config(ROOT / "config/backtest/iron_condor_spx.yaml")
    assert cfg.name == "iron_condor_spx"
    assert cfg.walk_forward == {"in_sample": 504, "out_of_sample": 126, "metric": "sharpe",
                                "anchored": False}  # fmt: skip
    assert cfg.report_path.name == "iron_condor_spx.html"


def test_run_job_matches_the_library_calls(tmp_path):
    cfg = parse_config(SMALL, tmp_path)
    lines: list[str] = []
    res = run_job(cfg, progress=False, echo=lines.append)
    assert res.report == tmp_path / "reports/small.html"
    assert res.report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    from fastopt.data import generate_chains

    chain = generate_chains(start="2017-01-02", end="2017-12-29", max_dte=50, seed=3)
    batch = run_batch(chain, SMALL["grid"], fixed=SMALL["rules"])
    assert res.batch.equals(batch)
    best = int(batch["sharpe"].arg_max())
    assert res.best == {**SMALL["rules"], "short_delta": batch["short_delta"][best],
                        "width": batch["width"][best]}  # fmt: skip
    single = run_backtest(chain, **res.best)
    assert res.backtest.equity.equals(single.equity)
    assert res.walk_forward is not None
    assert res.walk_forward.windows.height == 2
    text = "\n".join(lines)
    assert "parameter batch: 4 sets" in text
    assert "walk-forward: 2 windows" in text
    assert set(res.seconds) == {"data", "batch", "backtest", "walk_forward", "report"}


def test_job_without_grid_runs_the_rules(tmp_path):
    doc = {"rules": {"structure": "short_put", "short_delta": 0.2, "min_dte": 20, "max_dte": 45},
           "data": {"start": "2018-01-02", "end": "2018-04-30", "max_dte": 50},
           "report": {"path": str(tmp_path / "out" / "r.html")}}  # fmt: skip
    res = run_job(parse_config(doc, tmp_path), echo=lambda _: None)
    assert res.batch is None
    assert res.walk_forward is None
    assert res.report == tmp_path / "out" / "r.html"
    assert res.backtest.trades.height > 0


def test_chain_file_source(tmp_path):
    from fastopt.data import generate_chains

    generate_chains(start="2018-01-02", end="2018-03-30", max_dte=50).write_parquet(
        tmp_path / "chain.parquet"
    )
    doc = {"data": {"source": "chain.parquet", "start": "2018-01-10"},
           "rules": {"structure": "short_put", "min_dte": 15, "max_dte": 45}}  # fmt: skip
    cfg = parse_config(doc, tmp_path)
    assert cfg.source == tmp_path / "chain.parquet"
    res = run_job(cfg, echo=lambda _: None)
    assert str(res.backtest.equity["date"][0]) == "2018-01-10"


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        ({"rulez": {}}, r"`rulez`: unknown field \(did you mean 'rules'\?\)"),
        ({"rules": None}, "`rules`"),
        ({"data": {"start": "2018-13-01"}}, "`data.start`"),
        ({"data": {"start": "2018-02-01", "end": "2018-01-01"}}, "`data.end`: 2018-01-01 is bef"),
        ({"data": {"sead": 1}}, r"`data.sead`: unknown field \(did you mean 'seed'\?\)"),
        ({"data": {"seed": -1}}, "`data.seed`: must be an integer >= 0"),
        ({"data": {"source": "missing.parquet"}}, "`data.source`: file not found"),
        ({"rules": {"short_detla": 0.1}}, "`rules`: unknown rule 'short_detla'"),
        ({"rules": {"structure": "iron_condr"}}, "`grid`.*structure"),
        ({"grid": {"short_delta": 0.1}}, "`grid.short_delta`: must be a non-empty list"),
        ({"grid": {"short_delta": [0.1, 2.0], "width": [5]}}, r"`grid`: `grid` set 1 .*short_de"),
        ({"grid": {}}, "`grid`: is empty"),
        ({"walk_forward": {"in_sample": 1}}, "`walk_forward.in_sample`: must be an integer >= 2"),
        ({"walk_forward": {"anchored": "yes"}}, "`walk_forward.anchored`"),
        ({"walk_forward": {"metric": "sharp"}}, "`walk_forward.metric`: unknown metric 'sharp'"),
        ({"report": {"top": 0}}, "`report.top`"),
        ({"report": {"colour": "red"}}, "`report.colour`: unknown field"),
        ({"name": ""}, "`name`"),
    ],
)  # fmt: skip
def test_bad_configs_name_the_field(tmp_path, patch, match):
    doc = {**SMALL, **patch}
    if patch.get("rules") is None and "rules" in patch:
        doc.pop("rules")
    with pytest.raises(ConfigError, match=match):
        parse_config(doc, tmp_path)


def test_load_config_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    top = tmp_path / "list.yaml"
    top.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(top)


def test_walk_forward_needs_a_grid(tmp_path):
    doc = {k: v for k, v in SMALL.items() if k != "grid"}
    with pytest.raises(ConfigError, match="`walk_forward`: needs a `grid`"):
        parse_config({**doc, "rules": {**SMALL["rules"], "width": 25}}, tmp_path)


def test_cli_writes_the_report_and_exit_codes(tmp_path, capsys):
    cfg = write(tmp_path, SMALL)
    report = tmp_path / "custom.html"
    assert main(["backtest", str(cfg), "--report", str(report), "--no-progress"]) == 0
    assert report.exists()
    assert "walk-forward" in capsys.readouterr().out
    assert main(["backtest", str(write(tmp_path, {**SMALL, "grid": {"width": 5}}))]) == 2
    assert "`grid.width`" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["frobnicate"])


def test_cli_interrupt_leaves_no_report(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(job_mod, "write_report", interrupted)
    assert main(["backtest", str(write(tmp_path, SMALL))]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "fastopt.cli", "backtest", "--help"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert "YAML configuration" in out.stdout
