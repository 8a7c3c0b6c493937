"""fastopt.backtest.run_backtest: hand-computed trades, equity identity, I/O, bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from fastopt.backtest import BacktestResult, NoTradesWarning, run_backtest
from fastopt.data import generate_chains

D1, D2, D3, D4 = (dt.date(2024, 1, d) for d in (2, 3, 4, 5))  # Tue .. Fri
EXP = dt.date(2024, 1, 19)
NO_EXITS = {"profit_target": None, "stop_loss": None}
CENT = 1e-9


def quote(day, expiry, strike, kind, bid, ask, und=100.0, delta=None, iv=0.2):
    if delta is None:
        delta = -0.5 if kind == "put" else 0.5
    return {
        "date": day,
        "expiry": expiry,
        "strike": float(strike),
        "kind": kind,
        "bid": bid,
        "ask": ask,
        "underlying": und,
        "delta": delta,
        "iv": iv,
    }


def spread_chain(days):
    """A put spread chain: per day (P95 bid, ask), (P90 bid, ask); P95 is the 25-delta put."""
    rows = []
    for day, (b95, a95), (b90, a90) in days:
        rows.append(quote(day, EXP, 90, "put", b90, a90, delta=-0.12))
        rows.append(quote(day, EXP, 95, "put", b95, a95, delta=-0.25))
        rows.append(quote(day, EXP, 100, "put", 3.0, 3.2, delta=-0.5))
    return pl.DataFrame(rows)


SPREAD = {"structure": "bull_put_spread", "short_delta": 0.25, "width": 5.0, "min_dte": 5}


@pytest.fixture(scope="module")
def generated():
    return generate_chains(start="2018-01-01", end="2018-03-31", seed=3)


# --------------------------------------------------------------------------- hand-computed


def test_short_put_held_to_expiry_settles_at_intrinsic():
    exp = D4
    chain = pl.DataFrame(
        [
            quote(D1, exp, 95, "put", 1.00, 1.20, delta=-0.20),
            quote(D1, exp, 100, "put", 3.00, 3.20, delta=-0.50),
            quote(D2, exp, 95, "put", 1.50, 1.70, und=98.0, delta=-0.30),
            quote(D2, exp, 100, "put", 3.00, 3.20, und=98.0, delta=-0.60),
            quote(D4, exp, 95, "put", 2.95, 3.05, und=92.0, delta=-1.0),
            quote(D4, exp, 100, "put", 7.95, 8.05, und=92.0, delta=-1.0),
        ]
    )
    res = run_backtest(
        chain,
        "short_put",
        short_delta=0.2,
        delta_tolerance=0.01,
        min_dte=1,
        max_dte=10,
        quantity=2,
        commission_per_contract=0.65,
        commission_per_order=1.0,
        **NO_EXITS,
    )
    t = res.trades.row(0, named=True)
    assert res.trades.height == 1
    assert t["legs"] == ["-2 P 95 2024-01-05"]
    assert (t["entry_date"], t["exit_date"], t["exit_reason"]) == (D1, D4, "expiry")
    assert t["entry_credit"] == pytest.approx(1.00, abs=CENT)
    assert t["exit_debit"] == pytest.approx(3.00, abs=CENT)  # 95 - 92, not the quote
    assert t["commissions"] == pytest.approx(2.30, abs=CENT)  # 2 x 0.65 + 1, none at expiry
    assert t["pnl"] == pytest.approx((1.00 - 3.00) * 200 - 2.30, abs=CENT)  # -402.30
    assert t["short_put_delta"] == -0.2
    assert t["short_put_iv"] == 0.2
    assert t["short_call_delta"] is None
    assert t["entry_underlying"] == 100.0
    assert res.equity["equity"].to_list() == pytest.approx(
        [100_000 - 20 - 2.3, 100_000 - 120 - 2.3, 100_000 - 402.3], abs=CENT
    )
    assert res.equity["open_positions"].to_list() == [1, 1, 0]
    assert res.equity["pnl"].sum() == pytest.approx(-402.30, abs=CENT)


def test_put_spread_stopped_out_when_the_spread_ask_crosses_the_stop():
    chain = spread_chain(
        [
            (D1, (1.00, 1.10), (0.30, 0.40)),  # credit 1.00 - 0.40 = 0.60, stop at 1.20
            (D2, (1.40, 1.50), (0.40, 0.50)),  # debit 1.50 - 0.40 = 1.10 < 1.20
            (D3, (1.80, 1.95), (0.55, 0.65)),  # debit 1.95 - 0.55 = 1.40 >= 1.20: stop
            (D4, (1.00, 1.10), (0.30, 0.40)),
        ]
    )
    res = run_backtest(chain, **SPREAD, stop_loss=1.0, profit_target=None, weekdays=["tue"])
    t = res.trades.row(0, named=True)
    assert res.trades.height == 1
    assert t["legs"] == ["-1 P 95 2024-01-19", "1 P 90 2024-01-19"]
    assert (t["exit_date"], t["exit_reason"]) == (D3, "stop_loss")
    assert t["entry_credit"] == pytest.approx(0.60, abs=CENT)
    assert t["exit_debit"] == pytest.approx(1.40, abs=CENT)
    assert t["pnl"] == pytest.approx(-80.00, abs=CENT)
    assert t["days_held"] == 2


def test_profit_target_exit():
    chain = spread_chain(
        [
            (D1, (1.00, 1.10), (0.30, 0.40)),  # credit 0.60, target debit <= 0.30
            (D2, (0.60, 0.70), (0.20, 0.30)),  # 0.50
            (D3, (0.25, 0.35), (0.10, 0.15)),  # 0.25: take profit
            (D4, (0.20, 0.30), (0.05, 0.10)),
        ]
    )
    res = run_backtest(chain, **SPREAD, profit_target=0.5, stop_loss=2.0, weekdays=["tue"])
    t = res.trades.row(0, named=True)
    assert (t["exit_date"], t["exit_reason"]) == (D3, "profit_target")
    assert t["exit_debit"] == pytest.approx(0.25, abs=CENT)
    assert t["pnl"] == pytest.approx(35.00, abs=CENT)


def test_dte_and_max_hold_exits_and_end_of_data():
    days = [(d, (1.00, 1.10), (0.30, 0.40)) for d in (D1, D2, D3, D4)]
    chain = spread_chain(days)
    res = run_backtest(chain, **SPREAD, **NO_EXITS, exit_dte=15, weekdays=["tue"])
    t = res.trades.row(0, named=True)
    assert (t["exit_date"], t["exit_reason"]) == (D3, "dte")  # 19 - 4 = 15 days left
    assert t["exit_debit"] == pytest.approx(1.10 - 0.30, abs=CENT)
    assert t["pnl"] == pytest.approx((0.60 - 0.80) * 100, abs=CENT)

    res = run_backtest(chain, **SPREAD, **NO_EXITS, max_hold_days=1, weekdays=["tue", "wed"])
    assert res.trades["exit_reason"].to_list() == ["max_hold", "max_hold"]
    assert res.trades["entry_date"].to_list() == [D1, D2]  # the slot frees on D2: re-entry
    assert res.trades["exit_date"].to_list() == [D2, D3]

    res = run_backtest(chain, **SPREAD, **NO_EXITS, weekdays=["tue"])
    t = res.trades.row(0, named=True)
    assert (t["exit_date"], t["exit_reason"]) == (D4, "end_of_data")
    assert res.equity["open_positions"].to_list() == [1, 1, 1, 0]


def test_mid_natural_and_slippage_entry_credit():
    chain = spread_chain([(d, (1.00, 1.10), (0.30, 0.40)) for d in (D1, D2)])

    def credit(**kw):
        res = run_backtest(chain, **SPREAD, **NO_EXITS, **kw)
        return res.trades["entry_credit"][0]

    assert credit() == pytest.approx(1.00 - 0.40, abs=CENT)
    assert credit(fill="mid") == pytest.approx(1.05 - 0.35, abs=CENT)
    assert credit(fill="mid", slippage=0.2) == pytest.approx(1.03 - 0.37, abs=CENT)
    assert credit(slippage=0.5) == pytest.approx(0.95 - 0.45, abs=CENT)
    assert credit(fill="mid", slippage=0.5) == pytest.approx(credit(), abs=CENT)


def test_weekday_filter_and_dte_window():
    chain = spread_chain([(d, (1.00, 1.10), (0.30, 0.40)) for d in (D1, D2, D3, D4)])
    res = run_backtest(chain, **SPREAD, **NO_EXITS, max_hold_days=1, weekdays=[3])  # Thursday
    assert res.trades["entry_date"].to_list() == [D3]
    with pytest.warns(NoTradesWarning, match="no bull_put_spread position"):
        res = run_backtest(chain, **{**SPREAD, "min_dte": 20}, max_dte=30)
    assert res.trades.height == 0
    assert res.equity["equity"].to_list() == [100_000.0] * 4
    assert res.metrics["n_trades"].to_list() == [0]


def test_metrics_are_null_when_the_account_is_wiped_out_or_has_one_day():
    chain = spread_chain([(d, (1.00, 1.10), (0.30, 0.40)) for d in (D1, D2, D3)])
    res = run_backtest(chain, **SPREAD, **NO_EXITS, capital=20.0, fill="mid", slippage=1.0,
                       max_margin_usage=None)  # fmt: skip
    assert res.equity["equity"].min() <= 0.0
    assert res.metrics["curve"].to_list() == [0]
    assert res.metrics["total_return"].to_list() == [None]
    with pytest.warns(NoTradesWarning):
        one_day = run_backtest(chain, **SPREAD, end=D1)
    assert one_day.equity.height == 1
    assert one_day.metrics["n_trades"].to_list() == [None]


def test_unquoted_leg_keeps_its_last_mark():
    exp = EXP
    chain = pl.DataFrame(
        [
            quote(D1, exp, 90, "put", 0.40, 0.50, delta=-0.10),
            quote(D1, exp, 95, "put", 1.00, 1.20, delta=-0.20),
            quote(D2, exp, 90, "put", 0.50, 0.60, delta=-0.12),  # the 95 put is not quoted
            quote(D3, exp, 95, "put", 2.00, 2.20, delta=-0.30),
            quote(D4, exp, 95, "put", 2.00, 2.20, delta=-0.30),
        ]
    )
    res = run_backtest(chain, "short_put", short_delta=0.2, min_dte=5, **NO_EXITS)
    equity = res.equity["equity"].to_list()
    assert equity[:3] == pytest.approx([99_990.0, 99_990.0, 99_890.0], abs=CENT)
    assert res.trades["exit_debit"].to_list() == pytest.approx([2.20], abs=CENT)


def test_pandas_chain_gives_the_same_result():
    pd = pytest.importorskip("pandas")
    chain = spread_chain([(d, (1.00, 1.10), (0.30, 0.40)) for d in (D1, D2, D3)])
    a = run_backtest(chain, **SPREAD)
    b = run_backtest(pd.DataFrame(chain.to_dict(as_series=False)), **SPREAD)
    assert a.trades.equals(b.trades)
    assert a.equity.equals(b.equity)


# --------------------------------------------------------------------------- generated chains


def test_iron_condor_on_generated_chains(generated):
    res = run_backtest(generated, "iron_condor", short_delta=0.16, width=50.0)
    assert isinstance(res, BacktestResult)
    assert res.trades.height >= 2
    assert res.metrics.height == 1
    assert res.metrics["n_trades"][0] == res.trades.height
    assert res.equity.height == generated["date"].n_unique()
    assert res.trades["legs"].list.len().to_list() == [4] * res.trades.height
    assert (res.trades["short_put_delta"].abs() - 0.16).abs().max() <= 0.05
    assert (res.trades["short_call_delta"] - 0.16).abs().max() <= 0.05
    by_delta = run_backtest(generated, "iron_condor", short_delta=0.16, long_delta=0.05)
    assert by_delta.trades.height >= 1


def test_equity_is_capital_plus_realised_plus_unrealised(generated):
    qty, c_contract, c_order = 2, 0.65, 1.5
    res = run_backtest(
        generated,
        "short_strangle",
        short_delta=0.2,
        quantity=qty,
        max_positions=2,
        weekdays=["mon", "thu"],
        commission_per_contract=c_contract,
        commission_per_order=c_order,
        profit_target=0.5,
        stop_loss=1.5,
        max_margin_usage=None,
    )
    assert res.equity["open_positions"].max() == 2
    mids = generated.with_columns(mid=(pl.col("bid") + pl.col("ask")) / 2)
    key = {(r[0], r[1], r[2], r[3]): r[4] for r in mids.select(
        "date", "expiry", "strike", "kind", "mid").iter_rows()}  # fmt: skip
    entry_comm = c_contract * 2 * qty + c_order
    last_mark: dict[int, float] = {}
    for day, value in res.equity.select("date", "equity").iter_rows():
        expected = 100_000.0
        for k, t in enumerate(res.trades.iter_rows(named=True)):
            if t["exit_date"] <= day:
                expected += t["pnl"]
            elif t["entry_date"] <= day:
                debit = 0.0
                for leg in t["legs"]:
                    n, kind, strike, expiry = leg.split()
                    mid = key.get(
                        (
                            day,
                            dt.date.fromisoformat(expiry),
                            float(strike),
                            {"P": "put"}.get(kind, "call"),
                        )
                    )
                    if mid is None:
                        break
                    debit -= int(n) / qty * mid
                else:
                    last_mark[k] = debit
                expected += (t["entry_credit"] - last_mark[k]) * qty * 100 - entry_comm
        assert value == pytest.approx(expected, abs=1e-6), day
    np.testing.assert_allclose(
        res.equity["pnl"].cum_sum().to_numpy() + 100_000, res.equity["equity"].to_numpy()
    )


def test_deterministic(generated):
    kw = {"short_delta": 0.16, "width": 25.0, "fill": "mid", "slippage": 0.1, "exit_dte": 7}
    a = run_backtest(generated, "iron_condor", **kw)
    b = run_backtest(generated.clone(), "iron_condor", **kw)
    assert a.equity.equals(b.equity)
    assert a.trades.equals(b.trades)
    assert a.metrics.equals(b.metrics, null_equal=True)


# --------------------------------------------------------------------------- save


def test_save_round_trip(tmp_path, generated):
    res = run_backtest(generated, "short_put", short_delta=0.3, end="2018-02-15")
    paths = res.save(tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "equity.parquet",
        "metrics.parquet",
        "trades.parquet",
    ]
    assert pl.read_parquet(paths["equity"]).equals(res.equity)
    assert pl.read_parquet(paths["trades"]).equals(res.trades)
    assert pl.read_parquet(paths["metrics"]).equals(res.metrics, null_equal=True)


def test_save_failure_leaves_no_partial_files(tmp_path, monkeypatch, generated):
    res = run_backtest(generated, "short_put", short_delta=0.3, end="2018-02-15")
    original = pl.DataFrame.write_parquet
    calls = []

    def failing(self, file, *args, **kwargs):
        calls.append(file)
        if len(calls) == 2:
            Path(file).write_bytes(b"partial")
            raise OSError("disk full")
        return original(self, file, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", failing)
    with pytest.raises(OSError, match="disk full"):
        res.save(tmp_path)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"commission_per_contract": -0.1}, ValueError, "commission_per_contract"),
        ({"commission_per_order": -1.0}, ValueError, "commission_per_order"),
        ({"min_dte": 20, "max_dte": 10}, ValueError, "min_dte"),
        ({"min_dte": 0}, ValueError, "min_dte"),
        ({"structure": "butterfly"}, ValueError, "structure"),
        ({"short_delta": 1.2}, ValueError, "short_delta"),
        ({"short_delta": 0.0}, ValueError, "short_delta"),
        ({"long_delta": -0.1, "width": None}, ValueError, "long_delta"),
        ({"width": None}, ValueError, "width"),
        ({"long_delta": 0.3, "width": None}, ValueError, "long_delta"),
        ({"width": -5.0}, ValueError, "width"),
        ({"fill": "last"}, ValueError, "fill"),
        ({"slippage": 1.5}, ValueError, "slippage"),
        ({"profit_target": 0.0}, ValueError, "profit_target"),
        ({"stop_loss": -1.0}, ValueError, "stop_loss"),
        ({"quantity": True}, TypeError, "quantity"),
        ({"quantity": 0}, ValueError, "quantity"),
        ({"max_positions": 0}, ValueError, "max_positions"),
        ({"weekdays": ["someday"]}, ValueError, "weekdays"),
        ({"capital": 0.0}, ValueError, "capital"),
        ({"start": "2025-01-01"}, ValueError, "no chain date"),
        ({"start": "2024-01-05", "end": "2024-01-02"}, ValueError, "start"),
        ({"short_delta": "0.2"}, TypeError, "short_delta"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    chain = spread_chain([(d, (1.00, 1.10), (0.30, 0.40)) for d in (D1, D2)])
    params = {**SPREAD, **kwargs}
    with pytest.raises(error, match=match):
        run_backtest(chain, **params)


def test_bad_chains():
    chain = spread_chain([(d, (1.00, 1.10), (0.30, 0.40)) for d in (D1, D2)])
    with pytest.raises(ValueError, match="empty"):
        run_backtest(chain.clear(), **SPREAD)
    with pytest.raises(ValueError, match="delta"):
        run_backtest(chain.drop("delta"), **SPREAD)
    with pytest.raises(ValueError, match="bid"):
        run_backtest(chain.drop("bid"), **SPREAD)
    with pytest.raises(TypeError, match="chain"):
        run_backtest([1, 2, 3], **SPREAD)
