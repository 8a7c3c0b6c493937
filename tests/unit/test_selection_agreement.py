"""The backtest entry and the chain builders pick the same legs: one selection kernel
(fastopt.kernels.select), checked on every entry of ten years of generated chains."""

from __future__ import annotations

import warnings

import polars as pl
import pytest

from fastopt.backtest import run_backtest
from fastopt.data import generate_chains
from fastopt.strategies.chain_select import iron_condor_from_chain, vertical_from_chain


@pytest.fixture(scope="module")
def chain() -> pl.DataFrame:
    return generate_chains(start="2009-01-01", end="2018-12-31", seed=1)


def _strikes(legs: list[str]) -> list[float]:
    return [float(text.split()[2]) for text in legs]


@pytest.mark.parametrize(("structure", "width"), [("iron_condor", 50.0), ("bull_put_spread", 25.0)])
def test_backtest_and_chain_builders_agree_on_every_entry(chain, structure, width):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_backtest(chain, structure, short_delta=0.16, width=width, min_dte=30,
                           max_dte=60, max_positions=60, profit_target=None, stop_loss=None,
                           max_margin_usage=None, delta_tolerance=0.05)  # fmt: skip
    trades = res.trades
    assert trades.height > 2000  # an entry on (almost) every day of the ten years
    days = chain.partition_by("date", as_dict=True)
    # every entry of the condor; every tenth of the vertical (the same kernel calls)
    every = 1 if structure == "iron_condor" else 10
    for row in (
        trades.select("entry_date", "expiry", "legs").gather_every(every).iter_rows(named=True)
    ):
        day = days[(row["entry_date"],)]
        if structure == "iron_condor":
            st = iron_condor_from_chain(day, expiry=row["expiry"], short_delta=0.16,
                                        width=width, delta_tolerance=0.05)  # fmt: skip
            picked = sorted(leg.strike for leg in st.legs)
            # the backtest's legs: short put, its wing, short call, its wing
            sp, lp, sc, lc = _strikes(row["legs"])
            assert picked == [lp, sp, sc, lc], row
        else:
            st = vertical_from_chain(day, "put", side="credit", delta=0.16, width=width,
                                     expiry=row["expiry"], delta_tolerance=0.05)  # fmt: skip
            sp, lp = _strikes(row["legs"])
            assert [leg.strike for leg in st.legs] == [lp, sp], row
