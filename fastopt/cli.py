"""The ``fastopt`` command line: ``fastopt backtest config/backtest/<name>.yaml``.

Exit status: 0 on success, 2 for a bad command line or configuration (the
message names the field), 130 when interrupted (no partial report is left).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fastopt", description="fastopt command line")
    sub = parser.add_subparsers(dest="command", required=True)
    bt = sub.add_parser(
        "backtest",
        help="run a configured parameter batch, walk-forward and HTML report",
        description="Run the backtest job described by a YAML configuration "
        "(see config/backtest/iron_condor_spx.yaml).",
    )
    bt.add_argument("config", type=Path, help="the YAML configuration file")
    bt.add_argument("--report", type=Path, default=None, help="write the report here instead")
    bars = bt.add_mutually_exclusive_group()
    bars.add_argument("--progress", dest="progress", action="store_true", default=None,
                      help="always show progress bars")  # fmt: skip
    bars.add_argument("--no-progress", dest="progress", action="store_false",
                      help="never show progress bars")  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fastopt`` script; returns the exit status.

    Examples
    --------
    >>> from fastopt.cli import main
    >>> main(["backtest", "no/such/file.yaml"])
    2
    """
    args = _parser().parse_args(argv)
    from dataclasses import replace

    from fastopt.backtest.config import ConfigError, load_config
    from fastopt.backtest.job import run_job

    try:
        config = load_config(args.config)
    except (FileNotFoundError, ConfigError) as exc:
        print(f"fastopt backtest: {exc}", file=sys.stderr)
        return 2
    if args.report is not None:
        config = replace(config, report_path=args.report)
    try:
        run_job(config, progress=args.progress)
    except KeyboardInterrupt:
        print("fastopt backtest: interrupted; no report written", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
