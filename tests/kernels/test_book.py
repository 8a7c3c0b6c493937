"""The backtest book: the open-position record layout and an empty book."""

from __future__ import annotations

import numpy as np

from fastopt.kernels import backtest as kb
from fastopt.kernels.book import BOOK_DTYPE, MAX_LEGS, new_book


def test_new_book_is_free_with_no_legs() -> None:
    book = new_book(3)
    assert book.dtype == BOOK_DTYPE
    assert book.shape == (3,)
    assert not book["active"].any()
    assert (book["rows"] == -1).all()
    assert (book["last"] == -1).all()
    assert (book["itm"] == 0).all()
    assert (book["credit"] == 0.0).all()


def test_layout_holds_every_leg_of_a_structure() -> None:
    assert BOOK_DTYPE["rows"].shape == (MAX_LEGS,)
    assert BOOK_DTYPE["last"].shape == (MAX_LEGS,)
    assert BOOK_DTYPE["itm"].shape == (MAX_LEGS,)
    assert kb.MAX_LEGS == MAX_LEGS
    # aligned: every 8-byte field on an 8-byte boundary
    for name in ("trade", "entry", "expiry", "credit", "mid", "scale", "rows", "last"):
        assert BOOK_DTYPE.fields[name][1] % 8 == 0


def test_a_book_of_no_slots_and_its_record_size() -> None:
    # an empty book of zero slots is valid (no position can open)
    assert new_book(0).shape == (0,)
    assert np.dtype(BOOK_DTYPE).itemsize % 8 == 0
