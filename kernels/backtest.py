"""A daily, event-free backtest loop of one short-premium option structure.

Contract (NumPy arrays and scalars only; the facade
:mod:`fastopt.backtest.engine` validates and builds every array):

* the chain is flat, one row per quote, sorted by ``(day, expiry, strike,
  kind)``; day ``d`` owns rows ``offsets[d]:offsets[d + 1]`` (CSR, ``offsets``
  int64 of length ``n_days + 1``, every day non-empty);
* per row: ``expiry`` (int64, days since 1970-01-01), ``strike`` (float64),
  ``kind`` (int64, 0 = call, 1 = put: the sort order of ``"call" < "put"``),
  ``bid``, ``ask``, ``delta``, ``iv``, ``volume`` (float64, NaN = no quote /
  not given);
* per day: ``day_num`` (int64, days since 1970-01-01, increasing), ``weekday``
  (int64, 0 = Monday ... 6 = Sunday), ``und`` (float64, the underlying),
  ``day_f`` (n_days, N_DAY_F) float64: the IV rank and IV percentile of the
  day in percent (``DF_*`` columns; NaN = undefined);
* the structure: ``leg_i`` (n_legs, LEG_COLS) int64 rows ``(sign, kind, mode, ref,
  slot)``
  -- ``sign`` the signed units of the leg per structure (-2 for a butterfly
  body), ``mode`` 0 = chosen by ``|delta|`` nearest ``leg_f[l]``, 1 = a wing
  ``leg_f[l]`` strike points further out of the money than leg ``ref`` (an
  earlier leg), 2 = the strike of leg ``ref``, 3 = a wing ``leg_f[l]`` points
  further in the money, 4 = the strike nearest ``spot * (1 -/+ leg_f[l])``
  (puts below, calls above: moneyness), 5 = the stock (``kind`` 2: each bar's
  last row, a synthetic quote at the underlying with expiry
  :data:`STOCK_EXPIRY`; one unit = ``multiplier`` shares); ``slot`` 0 = the traded (near) expiry,
  1 = the far expiry of a calendar or diagonal (nearest ``near +
  entry.calendar_gap`` days, later than the near one); at most :data:`MAX_LEGS`;
* the rules: one record of each dtype of :mod:`fastopt.kernels.rule_records`
  (``entry``, ``exit_rules``, ``sizing``, ``costs``), read by field name; NaN
  switches a rule off.

Open positions live in a book of :data:`fastopt.kernels.book.BOOK_DTYPE` records, one
per slot (``entry.max_positions`` slots). Each day, in order: (1) every open
position is marked -- each leg is found on the day by binary search of
``(expiry, strike, kind)`` within the day's slice;
(2) exits are checked (from the day after the entry): expiry settlement at
intrinsic value (no commission), stop loss, profit target, delta breach
(``|sum sign * delta| >= delta_exit`` per unit), DTE exit, maximum holding
period; all but expiry need every leg quoted and fill at the natural price to
close (buy shorts at the ask, sell longs at the bid); (3) on the last day
every open position is closed at its last natural price (``END``); (4)
otherwise, if a slot is free, the weekday is allowed and the IV rank /
percentile of the day are inside their bands, one new position may open: the
expiry nearest the target DTE inside ``[min_dte, max_dte]``, the legs by
delta / width, filled at natural or mid prices worsened by ``slippage * (ask
- bid)``; entries with a net credit ``<= 0`` are skipped. Its size is the
fixed quantity, or ``floor(size_fraction * account value / BPR)`` when
sized by margin, capped by ``participation`` times the smallest leg volume
where volume is known; the buying-power reduction (BPR, strategy-based Reg T
margin, :func:`fastopt.kernels.margin.naked_requirement`) of all open
positions plus the new one must stay within ``max_margin`` times the account
value, otherwise the entry is skipped (a margin-sized entry is shrunk to fit
first); (5) equity = capital + realised P&L (net of commissions) + for every
open position ``(credit - mid debit) * quantity * multiplier - entry
commissions``.

Outputs: ``equity`` (n_days,), ``open_n`` (n_days,), and one row per trade
(in entry order) of ``trade_i`` (max_trades, N_TI): entry day, exit day, exit
reason, the entry row of each leg and the row of each leg's last quote at the
exit (-1 when unused); ``trade_f`` (max_trades, N_TF): entry credit and exit
debit per share, entry and exit commissions, P&L in money, the underlying at
entry and at exit, quantity, BPR. Returns the number of trades.

:func:`run_batch_nb` runs many rule sets over the same chain arrays, one
``prange`` item per set: set ``s`` uses ``leg_i[s, :n_legs[s]]``,
``leg_f[s, :n_legs[s]]`` and row ``s`` of each rule-record array, and writes row ``s`` of
``equity``, ``open_n`` and ``trade_pnl`` (the P&L of its trades in entry
order; the rest of the row is left as is) and ``n_trades[s]``. Each set's
work is the serial :func:`run_nb`, so results do not depend on the thread
count.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import prange

from fastopt.kernels._jit import jit, jit_inline, jit_parallel
from fastopt.kernels.book import MAX_LEGS, new_book
from fastopt.kernels.enums import ExpirySlot, LegKind, Select
from fastopt.kernels.exits import (
    R_EARLY_ASSIGNMENT,
    R_EXPIRY,
    R_PHYSICAL,
    R_ROLL,
    ExitRules,
    assigned_early,
    exit_reason,
    greek_breach,
)
from fastopt.kernels.margin import margin_workspace, strategy_requirement_ws
from fastopt.kernels.position import exercised_value, intrinsic, position_gamma_vega
from fastopt.kernels.rule_records import SIDE_CREDIT, SIDE_DEBIT
from fastopt.kernels.select import (
    STOCK_EXPIRY as STOCK_EXPIRY,
)
from fastopt.kernels.select import (
    expiry_rows,
    select_expiry,
    select_far_expiry,
    select_leg,
)

LEG_COLS = 5  # (units, kind, mode, ref, slot): slot 0 = the traded expiry, 1 = a later one


TF_BAR = 0
TF_HOUR = 1
TF_DAY = 2
TF_WEEK = 3
TF_MONTH = 4

DF_IVR = 0
DF_IVP = 1
DF_DIVIDEND = 2  # cash dividend per share going ex on this bar (0 = none)
N_DAY_F = 3


TI_ENTRY = 0
TI_EXIT = 1
TI_REASON = 2
TI_ROW0 = 3
TI_XROW0 = 3 + MAX_LEGS
TI_ROLLED_FROM = 3 + 2 * MAX_LEGS  # the trade this one rolled, or -1
N_TI = 4 + 2 * MAX_LEGS
TF_CREDIT = 0
TF_DEBIT = 1
TF_ENTRY_COMM = 2
TF_EXIT_COMM = 3
TF_PNL = 4
TF_UND = 5
TF_UND_EXIT = 6
TF_QTY = 7
TF_BPR = 8
TF_EPRICE0 = 9  # per-leg entry fill prices (per share, MAX_LEGS columns)
TF_XPRICE0 = 9 + MAX_LEGS  # per-leg exit prices: fill, intrinsic or stock settlement
TF_DIVIDENDS = 9 + 2 * MAX_LEGS  # dividends received on stock legs, per share of a unit
N_TF = 10 + 2 * MAX_LEGS


@jit_inline
def _find(lo, hi, expiry, strike, kind, e, k, c):  # type: ignore[no-untyped-def]
    """Row in [lo, hi) with key (e, k, c), or -1 (binary search on the sorted key)."""
    end = hi
    while lo < hi:
        mid = (lo + hi) // 2
        em = expiry[mid]
        if em < e or (em == e and (strike[mid] < k or (strike[mid] == k and kind[mid] < c))):
            lo = mid + 1
        else:
            hi = mid
    if lo < end and expiry[lo] == e and strike[lo] == k and kind[lo] == c:
        return lo
    return -1


@jit
def _entry_requirement(n_legs, leg_i, new, kind, strike, prices, spot, naked_pct, naked_min,  # type: ignore[no-untyped-def]
                       stock_initial, kinds, units, strikes, wf, wi):  # fmt: skip
    """:func:`fastopt.kernels.margin.strategy_requirement` of one unit of the legs at
    chain rows ``new`` (the first ``n_legs``), filled at ``prices``; ``kinds``,
    ``units``, ``strikes``, ``wf``, ``wi``: scratch arrays allocated once per run."""
    for j in range(n_legs):
        kinds[j] = kind[new[j]]
        units[j] = leg_i[j, 0]
        strikes[j] = strike[new[j]]
    return strategy_requirement_ws(kinds, units, strikes, prices[:n_legs], spot, naked_pct,
                                   naked_min, stock_initial, wf, wi)  # fmt: skip


@jit
def _mark_gamma_vega(n_legs, leg_i, found, kind, strike, expiry, iv, today, spot):  # type: ignore[no-untyped-def]
    """:func:`fastopt.kernels.position.position_gamma_vega` of a position whose legs are
    quoted at chain rows ``found`` on the day ``today``."""
    kinds = np.empty(n_legs, dtype=np.int64)
    units = np.empty(n_legs)
    strikes = np.empty(n_legs)
    tau = np.empty(n_legs)
    vols = np.empty(n_legs)
    for j in range(n_legs):
        r = found[j]
        kinds[j] = kind[r]
        units[j] = leg_i[j, 0]
        strikes[j] = strike[r]
        tau[j] = (expiry[r] - today) / 365.0
        vols[j] = iv[r]
    return position_gamma_vega(kinds, units, strikes, tau, vols, spot)


@jit_inline
def _close_price(sign, b, a, exit_mid, slip, slip_abs):  # type: ignore[no-untyped-def]
    """Price per share at which a leg of ``sign`` units is closed: natural (buy shorts back
    at the ask, sell longs at the bid) or the mid worsened like an entry fill."""
    if not exit_mid:
        return a if sign < 0 else b
    cost = slip * (a - b) + slip_abs
    mid = 0.5 * (b + a)
    return mid + cost if sign < 0 else mid - cost


@jit_inline
def _period_ends(period, d, tf):  # type: ignore[no-untyped-def]
    """True when bar ``d`` is the last bar of its period of timeframe ``tf``."""
    return d == period.shape[0] - 1 or period[d + 1, tf] != period[d, tf]


class Quotes(NamedTuple):
    """The flat chain's per-row columns (see the module docstring)."""

    expiry: np.ndarray
    strike: np.ndarray
    kind: np.ndarray
    bid: np.ndarray
    ask: np.ndarray
    delta: np.ndarray
    iv: np.ndarray
    volume: np.ndarray


@jit_inline
def _mark(book, p, q, leg_i, lo, hi, today, spot, costs, exits, div_next, greeks_on, found):  # type: ignore[no-untyped-def]
    """Mark position ``p`` on the bar (chain rows ``lo:hi``): find each leg, and when every
    leg is quoted store its mid and natural debit to close, net delta, largest short
    delta and whether a short leg is assigned early. Returns ``(quoted, breach)``
    (``breach``: the Greek-breach rule fires)."""
    n_legs = leg_i.shape[0]
    pos = book[p]
    exit_mid = costs.exit_mid
    slip = costs.slippage
    slip_abs = costs.slippage_abs
    early = exits.early_extrinsic
    quoted = True
    mid_debit = 0.0
    nat_debit = 0.0
    net_delta = 0.0
    short_delta = 0.0
    assign = False
    for j in range(n_legs):
        r0 = pos.rows[j]
        r = _find(lo, hi, q.expiry, q.strike, q.kind, q.expiry[r0], q.strike[r0], q.kind[r0])
        if r < 0 or not (math.isfinite(q.bid[r]) and math.isfinite(q.ask[r])):
            quoted = False
            break
        found[j] = r
        sign = leg_i[j, 0]
        mid_debit -= sign * 0.5 * (q.bid[r] + q.ask[r])
        nat_debit -= sign * _close_price(sign, q.bid[r], q.ask[r], exit_mid, slip, slip_abs)
        net_delta += sign * q.delta[r]
        if sign < 0:
            short_delta = max(short_delta, abs(q.delta[r]))
            mid = 0.5 * (q.bid[r] + q.ask[r])
            if assigned_early(q.kind[r], q.strike[r], spot, mid, early, div_next):
                assign = True
    breach = False
    if quoted and greeks_on:  # position gamma and vega at each leg's own IV
        known, pos_gamma, pos_vega = _mark_gamma_vega(
            n_legs, leg_i, found, q.kind, q.strike, q.expiry, q.iv, today, spot
        )
        breach = known and greek_breach(exits, pos_gamma, pos_vega, pos.scale)
    if quoted:
        pos.mid = mid_debit
        pos.nat = nat_debit
        pos.delta = net_delta
        pos.short_delta = short_delta
        pos.assign = assign
        for j in range(n_legs):
            pos.last[j] = found[j]
    return quoted, breach


@jit
def _settle(book, p, reason, q, leg_i, spot, comm, per_contract, units, costs, exits,  # type: ignore[no-untyped-def]
            div_next, last, exit_px):  # fmt: skip
    """Exit prices (``exit_px``, per leg) and the debit per share of closing position
    ``p`` for ``reason``; ``comm`` is the commission of a normal close,
    ``per_contract`` the commission and fees per contract and ``units`` the position's
    units of the structure (contracts per leg unit). Returns
    ``(debit, comm, pending)``: ``pending`` when expiring legs settle into stock that
    is sold on the next bar."""
    n_legs = leg_i.shape[0]
    debit = 0.0
    if reason == R_PHYSICAL:  # assigned stock from yesterday's expiry, sold today
        comm = 0.0
        for j in range(n_legs):
            exit_px[j] = 0.0
            if book[p].itm[j]:
                r0 = book[p].rows[j]
                exit_px[j] = exercised_value(q.kind[r0], q.strike[r0], spot)
                debit -= leg_i[j, 0] * exit_px[j]
    elif reason == R_EXPIRY:
        comm = 0.0
        any_itm = False
        for j in range(n_legs):
            r0 = book[p].rows[j]
            if q.kind[r0] == LegKind.STOCK:  # the stock leg is sold at the underlying
                exit_px[j] = spot
                debit -= leg_i[j, 0] * spot
                book[p].itm[j] = False
                continue
            if leg_i[j, 4] == ExpirySlot.FAR:  # a far leg of a calendar: closed
                r = book[p].last[j]
                exit_px[j] = q.ask[r] if leg_i[j, 0] < 0 else q.bid[r]
                debit -= leg_i[j, 0] * exit_px[j]
                comm += per_contract * abs(leg_i[j, 0]) * units
                book[p].itm[j] = False
                continue
            value = intrinsic(q.kind[r0], q.strike[r0], spot)
            book[p].itm[j] = value > 0.0
            any_itm = any_itm or value > 0.0
            debit -= leg_i[j, 0] * value
            exit_px[j] = value
        if comm > 0.0:
            comm += costs.commission_per_order
        if exits.physical and any_itm and not last:
            return debit, comm, True
    elif reason == R_EARLY_ASSIGNMENT:
        # the assigned shorts settle at intrinsic (stock at the strike, closed at the
        # underlying); every other leg closes at its natural price
        for j in range(n_legs):
            r = book[p].last[j]
            sign = leg_i[j, 0]
            mid = 0.5 * (q.bid[r] + q.ask[r])
            if sign < 0 and assigned_early(q.kind[r], q.strike[r], spot, mid,
                                           exits.early_extrinsic, div_next):  # fmt: skip
                exit_px[j] = intrinsic(q.kind[r], q.strike[r], spot)
            else:
                exit_px[j] = _close_price(sign, q.bid[r], q.ask[r], costs.exit_mid,
                                          costs.slippage, costs.slippage_abs)  # fmt: skip
            debit -= sign * exit_px[j]
    else:
        debit = book[p].nat
        for j in range(n_legs):
            r = book[p].last[j]
            exit_px[j] = _close_price(leg_i[j, 0], q.bid[r], q.ask[r], costs.exit_mid,
                                      costs.slippage, costs.slippage_abs)  # fmt: skip
    return debit, comm, False


@jit
def _record_exit(book, p, d, reason, credit, debit, comm, spot, n_legs, exit_px, trade_i,  # type: ignore[no-untyped-def]
                 trade_f):  # fmt: skip
    """Close position ``p`` on bar ``d``: write its trade's exit record, free the slot;
    returns the realised P&L (money, net of all commissions)."""
    book[p].pending = False
    t = book[p].trade
    pnl = (credit - debit) * book[p].scale - trade_f[t, TF_ENTRY_COMM] - comm
    trade_i[t, TI_EXIT] = d
    trade_i[t, TI_REASON] = reason
    for j in range(MAX_LEGS):
        trade_i[t, TI_XROW0 + j] = book[p].last[j]
    trade_f[t, TF_DEBIT] = debit
    trade_f[t, TF_DIVIDENDS] = book[p].div
    for j in range(MAX_LEGS):
        trade_f[t, TF_XPRICE0 + j] = exit_px[j] if j < n_legs else np.nan
    trade_f[t, TF_EXIT_COMM] = comm
    trade_f[t, TF_PNL] = pnl
    trade_f[t, TF_UND_EXIT] = spot
    book[p].active = False
    return pnl


@jit_inline
def _account(book, capital, realised, trade_f):  # type: ignore[no-untyped-def]
    """Account value marked at mid, buying power in use and open positions:
    ``(value, in_use, count)``."""
    value = capital + realised
    in_use = 0.0
    count = 0
    for p in range(book.shape[0]):
        if book[p].active:
            count += 1
            value += (book[p].credit + book[p].div - book[p].mid) * book[p].scale - trade_f[
                book[p].trade, TF_ENTRY_COMM
            ]
            in_use += book[p].bpr
    return value, in_use, count


@jit_inline
def _entry_day(d, period, weekday, day_f, entry):  # type: ignore[no-untyped-def]
    """True when the entry rules allow an entry on bar ``d``: the last bar of an entry
    period, an allowed weekday, the IV rank and percentile inside their bands."""
    allowed = _period_ends(period, d, entry.timeframe) and entry.weekdays[weekday[d]] != 0.0
    ivr_lo, ivr_hi = entry.iv_rank_min, entry.iv_rank_max
    if allowed and not (math.isnan(ivr_lo) and math.isnan(ivr_hi)):
        x = day_f[d, DF_IVR]
        allowed = not math.isnan(x) and not x < ivr_lo and not x > ivr_hi
    ivp_lo, ivp_hi = entry.iv_percentile_min, entry.iv_percentile_max
    if allowed and not (math.isnan(ivp_lo) and math.isnan(ivp_hi)):
        x = day_f[d, DF_IVP]
        allowed = not math.isnan(x) and not x < ivp_lo and not x > ivp_hi
    return allowed


@jit_inline
def _pick_legs(q, lo, hi, today, spot, entry, leg_i, leg_f, has_far, new):  # type: ignore[no-untyped-def]
    """Select the expiry and each leg of a new position from the bar's rows ``lo:hi``
    (:mod:`fastopt.kernels.select`) into ``new``; returns ``(ok, expiry)``."""
    tol = entry.delta_tolerance
    best_e = select_expiry(lo, hi, q.expiry, today, entry.min_dte, entry.max_dte,
                           entry.target_dte)  # fmt: skip
    ok = best_e >= 0
    elo = lo
    ehi = lo
    if ok:
        elo, ehi = expiry_rows(lo, hi, q.expiry, best_e)
    flo = ehi
    fhi = ehi
    if ok and has_far:  # the far expiry: nearest best_e + gap, strictly later
        best_f = select_far_expiry(ehi, hi, q.expiry, best_e, entry.calendar_gap)
        ok = best_f >= 0
        if ok:
            flo, fhi = expiry_rows(ehi, hi, q.expiry, best_f)
    for j in range(leg_i.shape[0]):
        if not ok:
            break
        near = leg_i[j, 4] == ExpirySlot.NEAR
        mode = leg_i[j, 2]
        ref_strike = q.strike[new[leg_i[j, 3]]] if leg_i[j, 3] >= 0 else 0.0
        stock = mode == Select.STOCK  # the bar's synthetic stock row ends the day
        best_r, best_err = select_leg(
            mode, leg_i[j, 1], leg_f[j], ref_strike, spot,
            lo if stock else (elo if near else flo), hi if stock else (ehi if near else fhi),
            q.kind, q.strike, q.bid, q.ask, q.delta,
        )  # fmt: skip
        if best_r < 0 or (mode == Select.DELTA and best_err > tol):
            ok = False
        new[j] = best_r
    return ok, best_e


@jit
def _fill(q, new, leg_i, costs, prices):  # type: ignore[no-untyped-def]
    """Entry fill prices of the legs at rows ``new`` into ``prices``; returns ``(credit,
    mid_debit, nat_debit, net_delta, min_volume)`` per share of one unit."""
    credit = 0.0
    mid_debit = 0.0
    nat_debit = 0.0
    net_delta = 0.0
    min_volume = np.inf
    slip = costs.slippage
    slip_abs = costs.slippage_abs
    for j in range(leg_i.shape[0]):
        r = new[j]
        sign = leg_i[j, 0]
        spread = q.ask[r] - q.bid[r]
        mid = 0.5 * (q.bid[r] + q.ask[r])
        if sign < 0:
            base = mid if costs.fill_mid else q.bid[r]
            prices[j] = base - (slip * spread + slip_abs)
            credit -= sign * prices[j]
            nat_debit -= sign * q.ask[r]
        else:
            base = mid if costs.fill_mid else q.ask[r]
            prices[j] = base + (slip * spread + slip_abs)
            credit -= sign * prices[j]
            nat_debit -= sign * q.bid[r]
        mid_debit -= sign * mid
        net_delta += sign * q.delta[r]
        if math.isfinite(q.volume[r]):
            min_volume = min(min_volume, q.volume[r])
    return credit, mid_debit, nat_debit, net_delta, min_volume


@jit
def _size(sizing, bpr_unit, value, in_use, min_volume):  # type: ignore[no-untyped-def]
    """Contracts of a new position: the fixed quantity or margin sizing, capped by the
    volume participation and the margin room (0: no entry)."""
    size_frac = sizing.size_fraction
    qty = sizing.quantity
    if not math.isnan(size_frac):
        qty = math.floor(size_frac * value / bpr_unit) if bpr_unit > 0.0 else sizing.quantity
    if not math.isnan(sizing.participation) and math.isfinite(min_volume):
        qty = min(qty, math.floor(sizing.participation * min_volume))
    if not math.isnan(sizing.max_margin) and bpr_unit > 0.0:
        room = sizing.max_margin * value - in_use
        if not math.isnan(size_frac):
            qty = min(qty, math.floor(room / bpr_unit))
        elif qty * bpr_unit > room:
            qty = 0.0
    return qty


@jit_inline
def _side_ok(credit, side):  # type: ignore[no-untyped-def]
    """True when the net entry price is on the side the rules need."""
    if side == SIDE_CREDIT:
        return credit > 0.0
    if side == SIDE_DEBIT:
        return credit < 0.0
    return credit != 0.0


@jit
def _record_entry(book, p, t, d, expiry, new, n_legs, credit, mid_debit, nat_debit,  # type: ignore[no-untyped-def]
                  net_delta, qty, mult, bpr_unit, entry_comm, spot, prices, rolled_from,
                  trade_i, trade_f):  # fmt: skip
    """Open position ``p`` as trade ``t`` on bar ``d`` and write its entry record."""
    book[p].active = True
    book[p].trade = t
    book[p].entry = d
    book[p].expiry = expiry
    book[p].credit = credit
    book[p].div = 0.0
    book[p].mid = mid_debit
    book[p].nat = nat_debit
    book[p].delta = net_delta
    book[p].scale = qty * mult
    book[p].bpr = qty * bpr_unit
    book[p].pending = False
    book[p].assign = False
    for j in range(MAX_LEGS):
        book[p].rows[j] = new[j] if j < n_legs else -1
        book[p].last[j] = book[p].rows[j]
        trade_i[t, TI_ROW0 + j] = book[p].rows[j]
        trade_i[t, TI_XROW0 + j] = -1
    trade_i[t, TI_ENTRY] = d
    trade_i[t, TI_EXIT] = -1
    trade_i[t, TI_REASON] = 0
    trade_i[t, TI_ROLLED_FROM] = rolled_from
    trade_f[t, TF_CREDIT] = credit
    trade_f[t, TF_DEBIT] = np.nan
    trade_f[t, TF_ENTRY_COMM] = entry_comm
    trade_f[t, TF_EXIT_COMM] = np.nan
    trade_f[t, TF_PNL] = np.nan
    trade_f[t, TF_UND] = spot
    trade_f[t, TF_UND_EXIT] = np.nan
    trade_f[t, TF_QTY] = qty
    trade_f[t, TF_BPR] = qty * bpr_unit
    for j in range(MAX_LEGS):
        trade_f[t, TF_EPRICE0 + j] = prices[j] if j < n_legs else np.nan
        trade_f[t, TF_XPRICE0 + j] = np.nan


@jit
def run_nb(  # type: ignore[no-untyped-def]
    offsets,
    day_num,
    weekday,
    period,
    und,
    day_f,
    expiry,
    strike,
    kind,
    bid,
    ask,
    delta,
    iv,
    volume,
    leg_i,
    leg_f,
    entry,
    exit_rules,
    sizing,
    costs,
    equity,
    open_n,
    trade_i,
    trade_f,
):
    """Run the backtest (see the module docstring); returns the number of trades.

    Each bar is a sequence of calls: every open position is marked (:func:`_mark`),
    its exit rule evaluated (:func:`fastopt.kernels.exits.exit_reason`) and, if it
    closes, settled (:func:`_settle`) and recorded (:func:`_record_exit`); then one
    entry may be tried: the entry rules (:func:`_entry_day`), leg selection
    (:func:`_pick_legs`), fills (:func:`_fill`), margin
    (:func:`fastopt.kernels.margin.strategy_requirement_ws`), size (:func:`_size`)
    and the record (:func:`_record_entry`); last the account is marked
    (:func:`_account`).
    """
    n_days = day_num.shape[0]
    n_legs = leg_i.shape[0]
    q = Quotes(expiry, strike, kind, bid, ask, delta, iv, volume)
    capital = sizing.capital
    mult = sizing.multiplier
    per_contract = costs.commission_per_contract + costs.fee_per_contract
    c_order = costs.commission_per_order
    stock_units = 0.0
    for j in range(n_legs):
        if leg_i[j, 1] == 2:
            stock_units += leg_i[j, 0]
    has_stock = stock_units != 0.0
    exits = ExitRules(
        exit_rules.stop_loss,
        exit_rules.profit_target,
        exit_rules.delta_exit,
        exit_rules.gamma_exit,
        exit_rules.vega_exit,
        exit_rules.roll_dte,
        exit_rules.roll_delta,
        exit_rules.exit_dte,
        exit_rules.max_hold,
        exit_rules.early_extrinsic,
    )
    greeks_on = not (math.isnan(exits.gamma_exit) and math.isnan(exits.vega_exit))
    has_far = False
    for j in range(n_legs):
        has_far = has_far or leg_i[j, 4] == ExpirySlot.FAR
    n_contracts = 0
    for j in range(n_legs):
        n_contracts += abs(leg_i[j, 0])

    max_pos = entry.max_positions
    book = new_book(max_pos)
    new = np.full(MAX_LEGS, -1, dtype=np.int64)
    found = np.full(MAX_LEGS, -1, dtype=np.int64)  # each leg's row on the bar being marked
    prices = np.zeros(MAX_LEGS)
    exit_px = np.zeros(MAX_LEGS)
    m_kind = np.empty(n_legs, dtype=np.int64)  # margin scratch, allocated once
    m_units = np.empty(n_legs)
    m_strike = np.empty(n_legs)
    m_wf, m_wi = margin_workspace(max(n_legs, 1))

    realised = 0.0
    n_trades = 0
    for d in range(n_days):
        lo = offsets[d]
        hi = offsets[d + 1]
        today = day_num[d]
        spot = und[d]
        last = d == n_days - 1
        manage = _period_ends(period, d, exit_rules.timeframe)
        day_end = _period_ends(period, d, TF_DAY)
        div_next = 0.0 if last else day_f[d + 1, DF_DIVIDEND]
        force_entry = False
        rolled_from = -1
        # ---------------------------------------------------------- mark and exit
        div_today = day_f[d, DF_DIVIDEND]
        for p in range(max_pos):
            if not book[p].active:
                continue
            if div_today > 0.0 and has_stock and d > book[p].entry:  # the stock goes ex today
                book[p].div += stock_units * div_today
            quoted, breach = _mark(book, p, q, leg_i, lo, hi, today, spot, costs, exits,
                                   div_next, greeks_on, found)  # fmt: skip
            if d == book[p].entry:
                continue
            credit = book[p].credit + book[p].div  # dividends on a stock leg count as received
            scale = book[p].scale
            expired = today > book[p].expiry or (today == book[p].expiry and day_end)
            reason = exit_reason(
                exits,
                book[p].pending,
                expired,
                quoted,
                book[p].assign,
                manage,
                last,
                credit,
                book[p].nat,
                book[p].delta,
                breach,
                book[p].expiry - today,
                book[p].short_delta,
                today - day_num[book[p].entry],
            )
            if reason == 0:
                continue
            comm = per_contract * n_contracts * (scale / mult) + c_order
            debit, comm, pending = _settle(
                book, p, reason, q, leg_i, spot, comm, per_contract, scale / mult, costs,
                exit_rules, div_next, last, exit_px,
            )  # fmt: skip
            if pending:
                book[p].pending = True  # settle into stock; sell it on the next bar
                continue
            if reason == R_ROLL and not last:
                force_entry = True
                rolled_from = book[p].trade
            realised += _record_exit(book, p, d, reason, credit, debit, comm, spot, n_legs,
                                     exit_px, trade_i, trade_f)  # fmt: skip
        # ---------------------------------------------------------- entry
        value, in_use, _ = _account(book, capital, realised, trade_f)
        free = -1
        for p in range(max_pos):
            if not book[p].active and free < 0:
                free = p
        allowed = not last and free >= 0 and _entry_day(d, period, weekday, day_f, entry)
        if force_entry and free >= 0:  # a roll reopens at once, whatever the entry filters
            allowed = True
        if allowed:
            ok, best_e = _pick_legs(q, lo, hi, today, spot, entry, leg_i, leg_f, has_far, new)
            if ok:
                credit, mid_debit, nat_debit, net_delta, min_volume = _fill(
                    q, new, leg_i, costs, prices
                )
                bpr_unit = (
                    _entry_requirement(
                        n_legs, leg_i, new, kind, strike, prices, spot, sizing.naked_pct,
                        sizing.naked_min_pct, sizing.stock_initial, m_kind, m_units, m_strike,
                        m_wf, m_wi,
                    )
                    * mult
                )  # fmt: skip
                qty = _size(sizing, bpr_unit, value, in_use, min_volume)
                if _side_ok(credit, entry.side) and qty >= 1.0:
                    _record_entry(
                        book, free, n_trades, d, best_e, new, n_legs, credit, mid_debit,
                        nat_debit, net_delta, qty, mult, bpr_unit,
                        per_contract * n_contracts * qty + c_order, spot, prices,
                        rolled_from if force_entry else -1, trade_i, trade_f,
                    )  # fmt: skip
                    n_trades += 1
        # ---------------------------------------------------------- equity
        value, _, count = _account(book, capital, realised, trade_f)
        equity[d] = value
        open_n[d] = count
    return n_trades


@jit
def _run_set(  # type: ignore[no-untyped-def]
    offsets, day_num, weekday, period, und, day_f, expiry, strike, kind, bid, ask, delta, iv,
    volume,
    leg_i, leg_f, n_legs, entry, exit_rules, sizing, costs, equity, open_n, trade_pnl,
    n_trades, s,
):  # fmt: skip
    """Set ``s`` of :func:`run_batch_nb` (private trade buffers, P&L copied out)."""
    n_days = day_num.shape[0]
    trade_i = np.empty((n_days, N_TI), dtype=np.int64)
    trade_f = np.empty((n_days, N_TF), dtype=np.float64)
    m = n_legs[s]
    n = run_nb(
        offsets, day_num, weekday, period, und, day_f, expiry, strike, kind, bid, ask, delta, iv,
    volume,
        leg_i[s, :m], leg_f[s, :m], entry[s], exit_rules[s], sizing[s], costs[s], equity[s],
        open_n[s], trade_i, trade_f,
    )  # fmt: skip
    for t in range(n):
        trade_pnl[s, t] = trade_f[t, TF_PNL]
    n_trades[s] = n


@jit
def run_batch_serial_nb(  # type: ignore[no-untyped-def]
    offsets, day_num, weekday, period, und, day_f, expiry, strike, kind, bid, ask, delta, iv,
    volume,
    leg_i, leg_f, n_legs, entry, exit_rules, sizing, costs, equity, open_n, trade_pnl,
    n_trades,
):  # fmt: skip
    """:func:`run_batch_nb` on one thread (identical results)."""
    for s in range(entry.shape[0]):
        _run_set(
            offsets, day_num, weekday, period, und, day_f, expiry, strike, kind, bid, ask,
            delta, iv, volume, leg_i, leg_f, n_legs, entry, exit_rules, sizing, costs, equity,
            open_n, trade_pnl, n_trades, s,
        )  # fmt: skip


@jit_parallel
def run_batch_nb(  # type: ignore[no-untyped-def]
    offsets, day_num, weekday, period, und, day_f, expiry, strike, kind, bid, ask, delta, iv,
    volume,
    leg_i, leg_f, n_legs, entry, exit_rules, sizing, costs, equity, open_n, trade_pnl,
    n_trades,
):  # fmt: skip
    """Every rule set (rows of the record arrays) over one chain; ``prange`` over sets."""
    for s in prange(entry.shape[0]):
        _run_set(
            offsets, day_num, weekday, period, und, day_f, expiry, strike, kind, bid, ask,
            delta, iv, volume, leg_i, leg_f, n_legs, entry, exit_rules, sizing, costs, equity,
            open_n, trade_pnl, n_trades, s,
        )  # fmt: skip


@jit
def replay_nb(  # type: ignore[no-untyped-def]
    offsets, bid, ask, expiry, strike, kind,
    entry_day, exit_day, n_legs, leg_sign, leg_exp, leg_strike, leg_kind,
    credit, scale, entry_comm, pnl, capital, equity, open_n, dividend,
):  # fmt: skip
    """Rebuild the daily equity of a run from its trade records.

    Trades (in entry order, at most one entry a day) give their entry and exit
    day indices, legs as keys ``(sign, expiry, strike, kind)`` (``n_legs[t]``
    of them), credit per share, ``scale`` (quantity x multiplier), entry
    commissions and realised P&L. Positions take the first free slot, are
    marked at mid each day in slot order (keeping the last mark while a leg is
    unquoted) and realise their P&L on the exit day, in the order of
    :func:`run_nb`, so the curve is bit-identical to the one the run wrote.
    """
    n_days = offsets.shape[0] - 1
    n_trades = entry_day.shape[0]
    active = np.zeros(n_trades, dtype=np.bool_)
    slot_trade = np.full(n_trades, -1, dtype=np.int64)
    p_mid = np.zeros(n_trades)
    p_div = np.zeros(n_trades)
    stock = np.zeros(n_trades)
    for t in range(n_trades):
        for j in range(n_legs[t]):
            if leg_kind[t, j] == 2:
                stock[t] += leg_sign[t, j]
    realised = 0.0
    nxt = 0
    for d in range(n_days):
        lo = offsets[d]
        hi = offsets[d + 1]
        for p in range(n_trades):
            if not active[p]:
                continue
            t = slot_trade[p]
            if dividend[d] > 0.0 and stock[t] != 0.0 and d > entry_day[t]:
                p_div[p] += stock[t] * dividend[d]
            if entry_day[t] != d:
                mid_debit = 0.0
                quoted = True
                for j in range(n_legs[t]):
                    r = _find(lo, hi, expiry, strike, kind, leg_exp[t, j], leg_strike[t, j],
                              leg_kind[t, j])  # fmt: skip
                    if r < 0 or not (math.isfinite(bid[r]) and math.isfinite(ask[r])):
                        quoted = False
                        break
                    mid_debit -= leg_sign[t, j] * 0.5 * (bid[r] + ask[r])
                if quoted:
                    p_mid[p] = mid_debit
            if exit_day[t] == d:
                realised += pnl[t]
                active[p] = False
        while nxt < n_trades and entry_day[nxt] == d:
            p = 0
            while active[p]:
                p += 1
            active[p] = True
            slot_trade[p] = nxt
            p_div[p] = 0.0
            mid_debit = 0.0
            for j in range(n_legs[nxt]):
                r = _find(lo, hi, expiry, strike, kind, leg_exp[nxt, j], leg_strike[nxt, j],
                          leg_kind[nxt, j])  # fmt: skip
                if r >= 0:
                    mid_debit -= leg_sign[nxt, j] * (0.5 * (bid[r] + ask[r]))
            p_mid[p] = mid_debit
            nxt += 1
        value = capital + realised
        count = 0
        for p in range(n_trades):
            if active[p]:
                count += 1
                t = slot_trade[p]
                value += (credit[t] + p_div[p] - p_mid[p]) * scale[t] - entry_comm[t]
        equity[d] = value
        open_n[d] = count
    return equity
