"""fastopt.kernels.select: expiries and legs picked from one day's chain slice."""

from __future__ import annotations

import numpy as np
import pytest

from fastopt.kernels import select as ks
from fastopt.kernels.enums import Select

NAN = np.nan


def _slice(rows):
    """Flat arrays sorted by (expiry, strike, kind) from (expiry, strike, kind, bid, ask,
    delta) tuples."""
    rows = sorted(rows, key=lambda r: (r[0], r[1], r[2]))
    cols = list(zip(*rows, strict=True))
    return (
        np.array(cols[0], dtype=np.int64),
        np.array(cols[1], dtype=np.float64),
        np.array(cols[2], dtype=np.int64),
        np.array(cols[3], dtype=np.float64),
        np.array(cols[4], dtype=np.float64),
        np.array(cols[5], dtype=np.float64),
    )


E1, E2, E3 = 100, 130, 160
ROWS = [
    (E1, 90.0, 1, 0.5, 0.6, -0.0625),
    (E1, 95.0, 1, 1.0, 1.1, -0.25),
    (E1, 100.0, 0, 2.0, 2.1, 0.5),
    (E1, 100.0, 1, 2.0, 2.1, -0.5),
    (E1, 105.0, 0, 1.0, 1.1, 0.375),
    (E1, 110.0, 0, 0.5, 0.6, 0.125),
    (E1, 115.0, 0, NAN, 0.2, 0.05),  # one-sided quote: never picked
    (E2, 100.0, 0, 3.0, 3.1, 0.52),
    (E3, 100.0, 0, 4.0, 4.1, 0.53),
    (ks.STOCK_EXPIRY, 0.0, 2, 100.0, 100.0, 1.0),
]
EXPIRY, STRIKE, KIND, BID, ASK, DELTA = _slice(ROWS)
N = EXPIRY.shape[0]


def pick(mode, kind, target, ref=0.0, spot=100.0, lo=0, hi=None):
    hi = ks.expiry_rows(0, N, EXPIRY, E1)[1] if hi is None else hi
    r, err = ks.select_leg(mode, kind, target, ref, spot, lo, hi, KIND, STRIKE, BID, ASK, DELTA)
    return (None if r < 0 else (STRIKE[r], int(KIND[r]))), err


def test_expiry_nearest_target_inside_the_window_earlier_on_a_tie():
    assert ks.select_expiry(0, N, EXPIRY, 70, 20, 100, 45) == E1  # dte 30 / 60 / 90
    assert ks.select_expiry(0, N, EXPIRY, 70, 20, 100, 75) == E2  # 60 beats 90 and 30
    assert ks.select_expiry(0, N, EXPIRY, 70, 45, 75, 45) == E2  # 30 is below min_dte
    assert ks.select_expiry(0, N, EXPIRY, 70, 0, 200, 45) == E1  # 30 and 60 tie: earlier
    assert ks.select_expiry(0, N, EXPIRY, 70, 95, 99, 45) == -1
    lo, hi = ks.expiry_rows(0, N, EXPIRY, E2)
    assert (lo, hi) == (7, 8)
    assert ks.select_far_expiry(hi, N, EXPIRY, E1, 30) == E3  # only later rows count
    assert ks.select_far_expiry(7, N, EXPIRY, E1, 45) == E2  # 30 and 60 away tie: earlier
    assert ks.select_far_expiry(9, N, EXPIRY, E1, 45) == -1  # only the stock row left


def test_by_delta_nearest_with_quotes_only():
    assert pick(Select.DELTA, 1, 0.2)[0] == (95.0, 1)
    q, err = pick(Select.DELTA, 0, 0.06)
    assert q == (110.0, 0)  # 115 is nearer (0.05) but has no bid
    assert err == pytest.approx(0.065)


def test_tie_rule_goes_further_out_of_the_money():
    # |delta| 0.375 and 0.125 are both exactly 0.125 from 0.25: the call at 110
    assert pick(Select.DELTA, 0, 0.25)[0] == (110.0, 0)
    assert pick(Select.DELTA, 1, 0.375)[0] == (95.0, 1)  # 0.25 and 0.5: the put at 95
    # moneyness: spot 102.5, 2.5 % up = 105.06...; strikes 105 nearest
    assert pick(Select.MONEYNESS, 0, 0.025, spot=102.5)[0] == (105.0, 0)
    # a call at spot x 1.075 = 107.5: 105 and 110 tie -> 110
    assert pick(Select.MONEYNESS, 0, 0.075)[0] == (110.0, 0)
    # a put at spot x (1 - 0.075) = 92.5: 90 and 95 tie -> 90
    assert pick(Select.MONEYNESS, 1, 0.075)[0] == (90.0, 1)


def test_wings_nearest_strictly_beyond_wider_on_a_tie():
    assert pick(Select.WING_OUT, 1, 5.0, ref=100.0)[0] == (95.0, 1)
    assert pick(Select.WING_OUT, 1, 7.5, ref=100.0)[0] == (90.0, 1)  # 95 and 90 tie: wider
    assert pick(Select.WING_OUT, 0, 7.5, ref=100.0)[0] == (110.0, 0)
    assert pick(Select.WING_OUT, 0, 50.0, ref=100.0)[0] == (110.0, 0)  # the furthest quoted
    assert pick(Select.WING_IN, 0, 5.0, ref=110.0)[0] == (105.0, 0)
    assert pick(Select.WING_OUT, 1, 5.0, ref=90.0)[0] is None  # nothing below 90


def test_same_strike_and_stock():
    assert pick(Select.SAME_STRIKE, 0, 0.0, ref=100.0)[0] == (100.0, 0)
    assert pick(Select.SAME_STRIKE, 0, 0.0, ref=95.0)[0] is None  # no call at 95
    assert pick(Select.STOCK, 2, 0.0, lo=0, hi=N)[0] == (0.0, 2)
    assert pick(Select.STOCK, 2, 0.0)[0] is None  # the slice does not end with the stock row
