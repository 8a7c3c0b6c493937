"""fastopt.kernels.legs: the leg record layout and the money of legs."""

from __future__ import annotations

import numpy as np

from fastopt.kernels import legs as kl
from fastopt.kernels.enums import LegKind
from fastopt.kernels.select import STOCK_EXPIRY


def test_leg_dtype_layout():
    dt = kl.LEG_DTYPE
    assert dt.names == (
        "kind", "units", "strike", "expiry", "premium", "vol", "multiplier", "underlying"
    )  # fmt: skip
    want = {
        "kind": np.int8,
        "units": np.float64,
        "strike": np.float64,
        "expiry": np.int64,
        "premium": np.float64,
        "vol": np.float64,
        "multiplier": np.float64,
        "underlying": np.int32,
    }
    for name, typ in want.items():
        assert dt.fields[name][0] == np.dtype(typ), name
    assert dt.itemsize == 1 + 8 * 6 + 4  # packed: no padding
    assert tuple((n, np.dtype(t).str) for n, t in kl.LEG_FIELDS) == tuple(
        (n, dt.fields[n][0].str) for n in dt.names
    )
    assert (kl.CALL, kl.PUT, kl.STOCK) == (LegKind.CALL, LegKind.PUT, LegKind.STOCK) == (0, 1, 2)
    assert kl.NO_EXPIRY == STOCK_EXPIRY


def test_fields_are_kernel_arrays_and_money_is_units_x_multiplier_x_price():
    rec = np.zeros(3, dtype=kl.LEG_DTYPE)
    rec["units"] = [-1.0, 2.0, 0.5]
    rec["multiplier"] = [100.0, 100.0, 1.0]
    price = np.array([1.25, 0.5, 101.0])
    out = np.empty(3)
    total = kl.leg_money_nb(
        np.ascontiguousarray(rec["units"]), np.ascontiguousarray(rec["multiplier"]), price, out
    )
    np.testing.assert_array_equal(out, [-125.0, 100.0, 50.5])
    assert total == 25.5
    price[0] = np.nan
    assert np.isnan(kl.leg_money_nb(rec["units"].copy(), rec["multiplier"].copy(), price, out))
