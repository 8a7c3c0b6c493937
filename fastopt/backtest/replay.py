"""Replay a backtest from its trade log: the equity curve, the portfolio on any date, the fills.

A :class:`BacktestResult` trade log holds every fill (legs, quantity, entry
credit, exit debit, commissions, P&L, dates). :func:`replay` rebuilds the run
from it and the chain alone: :meth:`Replay.equity` recomputes the daily
account value (marking every open position at the chain's mid prices, with the
slot and summation order of the engine, so the curve is bit-identical to the
run's), :meth:`Replay.positions` shows what was open on a date and what it was
worth, and :meth:`Replay.events` lists the fills in time order for stepping
through them (iterating over the replay yields them one by one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt import positions as _positions
from fastopt.backtest.prepared import PreparedChain, prepare_chain
from fastopt.kernels import backtest as _kb

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = ["Replay", "replay"]

_NEEDED = ("entry_date", "exit_date", "legs", "quantity", "entry_credit", "exit_debit",
           "entry_commissions", "exit_commissions", "pnl", "exit_reason")  # fmt: skip


@dataclass(frozen=True, eq=False)
class Replay:
    """A backtest rebuilt from its trade log (see :func:`replay`).

    Attributes
    ----------
    trades : polars.DataFrame
        The trade log, with a ``trade`` number (0-based, entry order).
    chain : PreparedChain
    capital : float
    multiplier : float
    """

    trades: pl.DataFrame
    chain: PreparedChain
    capital: float
    multiplier: float
    _legs: dict[str, Any] = field(repr=False)

    def equity(self) -> pl.DataFrame:
        """The daily account value rebuilt from the log: the frame ``run_backtest`` wrote.

        Returns
        -------
        polars.DataFrame
            ``date``, ``equity``, ``pnl``, ``open_positions``.
        """
        prep, legs = self.chain, self._legs
        n_days = prep.n_days
        equity = np.empty(n_days)
        open_n = np.empty(n_days, dtype=np.int64)
        _kb.replay_nb(
            prep.offsets, prep.bid, prep.ask, prep.expiry, prep.strike, prep.kind,
            legs["entry"], legs["exit"], legs["n_legs"], legs["sign"], legs["expiry"],
            legs["strike"], legs["kind"], legs["credit"], legs["scale"], legs["entry_comm"],
            legs["pnl"], self.capital, equity, open_n,
            np.ascontiguousarray(prep.day_f[:, _kb.DF_DIVIDEND]),
        )  # fmt: skip
        return pl.DataFrame(
            {
                "date": prep.dates,
                "equity": equity,
                "pnl": np.diff(equity, prepend=self.capital),
                "open_positions": pl.Series(open_n, dtype=pl.Int64),
            }
        )

    def positions(self, date: dt.date | str) -> pl.DataFrame:
        """The positions open at the end of ``date`` and their marks.

        Parameters
        ----------
        date : datetime.date or str
            A trading day of the chain.

        Returns
        -------
        polars.DataFrame
            One row per open trade: ``trade``, ``entry_date``, ``legs``,
            ``quantity``, ``entry_credit``, ``mid_debit`` (per share, at the
            day's mids; null while a leg is unquoted), ``unrealised_pnl``
            (money, net of the entry commissions), ``days_held``.
        """
        d = self.chain.day_index(date, "date")
        key = self.chain.time_key(date, "date")
        if d >= self.chain.n_days or self.chain.bar_time[d] != key:
            msg = f"`date` {date} is not a trading day (bar) of the chain"
            raise ValueError(msg)
        day = self.chain.date(d)
        t = self.trades
        open_now = t.filter((pl.col("entry_date") <= day) & (pl.col("exit_date") > day))
        rows = []
        lo, hi = int(self.chain.offsets[d]), int(self.chain.offsets[d + 1])
        for row in open_now.iter_rows(named=True):
            k = row["trade"]
            debit: float | None = 0.0
            for j in range(int(self._legs["n_legs"][k])):
                r = _kb._find(lo, hi, self.chain.expiry, self.chain.strike, self.chain.kind,
                              self._legs["expiry"][k, j], self._legs["strike"][k, j],
                              self._legs["kind"][k, j])  # fmt: skip
                if r < 0 or not np.isfinite(self.chain.bid[r] + self.chain.ask[r]):
                    debit = None
                    break
                assert debit is not None
                debit -= self._legs["sign"][k, j] * 0.5 * (self.chain.bid[r] + self.chain.ask[r])
            scale = row["quantity"] * self.multiplier
            rows.append(
                {
                    "trade": k,
                    "entry_date": row["entry_date"],
                    "legs": row["legs"],
                    "quantity": row["quantity"],
                    "entry_credit": row["entry_credit"],
                    "mid_debit": debit,
                    "unrealised_pnl": None
                    if debit is None
                    else (row["entry_credit"] - debit) * scale - row["entry_commissions"],
                    "days_held": int(self.chain.day_num[d])
                    - int(self.chain.day_num[self.chain.day_index(row["entry_date"], "entry")]),
                }
            )
        schema: dict[str, Any] = {
            "trade": pl.Int64, "entry_date": pl.Date, "legs": pl.List(pl.String),
            "quantity": pl.Int64, "entry_credit": pl.Float64, "mid_debit": pl.Float64,
            "unrealised_pnl": pl.Float64, "days_held": pl.Int64,
        }  # fmt: skip
        return pl.DataFrame(rows, schema=schema)

    def events(self) -> pl.DataFrame:
        """Every fill in time order (a day's exits before its entry, as the engine runs them).

        Returns
        -------
        polars.DataFrame
            ``date``, ``trade``, ``action`` (``"open"``/``"close"``), ``legs``,
            ``quantity``, ``price`` (net credit received on open, net debit
            paid on close, per share), ``commissions``, ``pnl`` (the trade's
            P&L on close, null on open), ``reason`` (the exit reason on close).
        """
        t = self.trades
        opens = t.select(
            pl.col("entry_date").alias("date"), "trade", pl.lit("open").alias("action"), "legs",
            "quantity", pl.col("entry_credit").alias("price"),
            pl.col("entry_commissions").alias("commissions"),
            pl.lit(None, dtype=pl.Float64).alias("pnl"),
            pl.lit(None, dtype=pl.String).alias("reason"),
        )  # fmt: skip
        closes = t.select(
            pl.col("exit_date").alias("date"), "trade", pl.lit("close").alias("action"), "legs",
            "quantity", pl.col("exit_debit").alias("price"),
            pl.col("exit_commissions").alias("commissions"), "pnl",
            pl.col("exit_reason").alias("reason"),
        )  # fmt: skip
        closes_first = pl.when(pl.col("action") == "close").then(0).otherwise(1)
        both = pl.concat([opens, closes]).with_columns(_order=closes_first)
        return both.sort("date", "_order", "trade").drop("_order")

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The fills of :meth:`events`, one dict at a time."""
        yield from self.events().iter_rows(named=True)


def _parse_legs(trades: pl.DataFrame, multiplier: float) -> dict[str, Any]:
    """Leg keys of every trade from the log's ``legs`` strings, read by the one parser of
    :func:`fastopt.positions.from_trades` (a stock leg's key expiry is ``STOCK_EXPIRY``,
    :data:`fastopt.positions.NO_EXPIRY`)."""
    n = trades.height
    shape = (n, _kb.MAX_LEGS)
    out: dict[str, Any] = {
        "sign": np.zeros(shape, dtype=np.int64), "expiry": np.zeros(shape, dtype=np.int64),
        "strike": np.zeros(shape), "kind": np.zeros(shape, dtype=np.int64),
        "n_legs": np.zeros(n, dtype=np.int64),
    }  # fmt: skip
    for k, legs in enumerate(trades["legs"].to_list()):
        if not 1 <= len(legs) <= _kb.MAX_LEGS:
            msg = f"`trades` row {k}: {len(legs)} legs, expected 1..{_kb.MAX_LEGS}"
            raise ValueError(msg)
    records, trade = _positions.from_trades(trades, multiplier=multiplier, prices=None)
    quantity = trades["quantity"].to_numpy().astype(np.int64)
    if (quantity[trade] == 0).any():
        k = int(trade[quantity[trade] == 0][0])
        msg = f"`trades` row {k}: `quantity` is 0"
        raise ValueError(msg)
    starts = np.searchsorted(trade, np.arange(n))
    slot = np.arange(trade.shape[0]) - starts[trade]
    out["n_legs"][:] = np.bincount(trade, minlength=n)
    out["sign"][trade, slot] = np.rint(records["units"] / quantity[trade]).astype(np.int64)
    out["kind"][trade, slot] = records["kind"]
    out["strike"][trade, slot] = records["strike"]
    out["expiry"][trade, slot] = records["expiry"]
    return out


def replay(
    trades: pl.DataFrame,
    chain: object,
    *,
    capital: float = 100_000.0,
    multiplier: float = 100.0,
) -> Replay:
    """Rebuild a backtest from its trade log and the chain.

    Parameters
    ----------
    trades : polars.DataFrame
        A :class:`BacktestResult` trade log (``res.trades``, or read back from
        ``trades.parquet``).
    chain : polars.DataFrame, path or PreparedChain
        The chain the run used, over the same dates.
    capital, multiplier : float
        The run's starting capital and shares per contract.

    Returns
    -------
    Replay

    Raises
    ------
    TypeError
        ``trades`` is not a Polars frame.
    ValueError
        Columns missing, an unreadable leg, a trade not closed, or dates
        outside the chain.

    Examples
    --------
    >>> from fastopt.backtest import replay, run_backtest
    >>> from fastopt.data import generate_chains
    >>> chain = generate_chains(start="2018-01-02", end="2018-04-30", max_dte=45, seed=1)
    >>> res = run_backtest(chain, "short_put", short_delta=0.2, min_dte=20, max_dte=40)
    >>> rep = replay(res.trades, chain)
    >>> rep.equity().equals(res.equity)
    True
    >>> first = rep.events().row(0, named=True)
    >>> first["action"], first["trade"]
    ('open', 0)
    """
    if not isinstance(trades, pl.DataFrame):
        msg = f"`trades` must be a Polars DataFrame (a trade log), got {type(trades).__name__}"
        raise TypeError(msg)
    missing = [c for c in _NEEDED if c not in trades.columns]
    if missing:
        msg = f"`trades` is missing the trade-log columns {missing}"
        raise ValueError(msg)
    if trades["exit_date"].null_count():
        msg = "`trades` has trades without an exit date: a finished run's log is needed"
        raise ValueError(msg)
    prep = prepare_chain(chain)
    log = trades.with_row_index("trade").with_columns(pl.col("trade").cast(pl.Int64))
    legs = _parse_legs(log, multiplier)
    days = {}
    for name in ("entry_date", "exit_date"):
        col = log[name]
        if prep.intraday:
            values = col.cast(pl.Datetime("us")).cast(pl.Int64).to_numpy()
        else:
            values = col.cast(pl.Int32).to_numpy().astype(np.int64)
        idx = np.searchsorted(prep.bar_time, values)
        bad = (idx >= prep.n_days) | (prep.bar_time[np.minimum(idx, prep.n_days - 1)] != values)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            msg = f"`trades` row {k}: {name} {log[name][k]} is not a trading day of the chain"
            raise ValueError(msg)
        days[name] = idx
    legs.update(
        entry=days["entry_date"], exit=days["exit_date"],
        credit=log["entry_credit"].to_numpy().astype(np.float64),
        scale=log["quantity"].to_numpy().astype(np.float64) * float(multiplier),
        entry_comm=log["entry_commissions"].to_numpy().astype(np.float64),
        pnl=log["pnl"].to_numpy().astype(np.float64),
    )  # fmt: skip
    return Replay(trades=log, chain=prep, capital=float(capital), multiplier=float(multiplier),
                  _legs=legs)  # fmt: skip
