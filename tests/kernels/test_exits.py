"""fastopt.kernels.exits: each exit rule, its precedence, early assignment, Greek breach."""

from __future__ import annotations

import math

import pytest

from fastopt.kernels.enums import ExitReason as R
from fastopt.kernels.exits import ExitRules, assigned_early, exit_reason, greek_breach

OFF = math.nan
NONE = ExitRules(OFF, OFF, OFF, OFF, OFF, OFF, OFF, OFF, OFF, OFF)


def rules(**kw):
    return NONE._replace(**kw)


def reason(r, *, pending=False, expired=False, quoted=True, assign=False, manage=True,
           last=False, credit=2.0, close_debit=1.0, net_delta=0.0, breach=False, dte=30,
           short_delta=0.16, held_days=5):  # fmt: skip
    return exit_reason(r, pending, expired, quoted, assign, manage, last, credit,
                       close_debit, net_delta, breach, dte, short_delta, held_days)  # fmt: skip


def test_no_rule_no_exit():
    assert reason(NONE) == R.NONE
    assert reason(NONE, last=True) == R.END


@pytest.mark.parametrize(
    ("kw", "state", "expected"),
    [
        ({"stop_loss": 1.0}, {"close_debit": 4.0}, R.STOP_LOSS),  # P&L -2 <= -1 x 2
        ({"stop_loss": 1.0}, {"close_debit": 3.99}, R.NONE),
        ({"profit_target": 0.5}, {"close_debit": 1.0}, R.PROFIT_TARGET),  # P&L 1 >= 0.5 x 2
        ({"profit_target": 0.5}, {"close_debit": 1.01}, R.NONE),
        ({"profit_target": 0.5}, {"credit": -2.0, "close_debit": -3.0}, R.PROFIT_TARGET),
        ({"delta_exit": 0.3}, {"net_delta": -0.3}, R.DELTA),
        ({"delta_exit": 0.3}, {"net_delta": 0.29}, R.NONE),
        ({"roll_dte": 10}, {"dte": 10}, R.ROLL),
        ({"roll_delta": 0.3}, {"short_delta": 0.31}, R.ROLL),
        ({"exit_dte": 7}, {"dte": 7}, R.DTE),
        ({"exit_dte": 7}, {"dte": 8}, R.NONE),
        ({"max_hold": 5}, {"held_days": 5}, R.MAX_HOLD),
        ({"max_hold": 5}, {"held_days": 4}, R.NONE),
        ({}, {"breach": True}, R.GREEK),
    ],
)
def test_each_rule(kw, state, expected):
    assert reason(rules(**kw), **state) == expected


def test_precedence():
    every = rules(stop_loss=0.1, profit_target=0.1, delta_exit=0.0, roll_dte=100,
                  exit_dte=100, max_hold=0)  # fmt: skip
    assert reason(every, pending=True, expired=True, assign=True) == R.PHYSICAL
    assert reason(every, expired=True, assign=True) == R.EXPIRY
    assert reason(every, expired=True, quoted=False) == R.EXPIRY  # needs no quote
    assert reason(every, assign=True) == R.EARLY_ASSIGNMENT
    assert reason(every, assign=True, quoted=False, last=True) == R.END
    assert reason(every, close_debit=5.0) == R.STOP_LOSS
    assert reason(every) == R.PROFIT_TARGET
    assert reason(every._replace(profit_target=OFF), net_delta=0.5) == R.DELTA
    no_delta = every._replace(profit_target=OFF, delta_exit=OFF, stop_loss=OFF)
    assert reason(no_delta, breach=True) == R.GREEK
    assert reason(no_delta) == R.ROLL
    assert reason(no_delta._replace(roll_dte=OFF)) == R.DTE
    assert reason(no_delta._replace(roll_dte=OFF, exit_dte=OFF)) == R.MAX_HOLD
    # managed rules wait for a managed bar and for every leg's quote
    assert reason(every, manage=False) == R.NONE
    assert reason(every, quoted=False) == R.NONE


def test_assigned_early():
    # a put 5 in the money quoted at 5.2: extrinsic 0.2
    assert assigned_early(1, 105.0, 100.0, 5.2, 0.25, 0.0)
    assert not assigned_early(1, 105.0, 100.0, 5.3, 0.25, 0.0)
    assert not assigned_early(1, 95.0, 100.0, 0.1, 0.25, 0.0)  # out of the money
    assert not assigned_early(1, 105.0, 100.0, 5.2, OFF, 0.0)  # rule off, no dividend
    # a call ahead of a dividend larger than its extrinsic value (rule off)
    assert assigned_early(0, 95.0, 100.0, 5.3, OFF, 0.5)
    assert not assigned_early(0, 95.0, 100.0, 5.6, OFF, 0.5)
    assert not assigned_early(1, 105.0, 100.0, 5.3, OFF, 0.5)  # puts ignore dividends


def test_greek_breach():
    r = rules(gamma_exit=5.0, vega_exit=100.0)
    assert greek_breach(r, 0.05, 0.0, 100.0)  # |0.05| x 100 = 5 shares per point
    assert not greek_breach(r, 0.0499, 0.0, 100.0)
    assert greek_breach(r, 0.0, -100.0, 100.0)  # 100 x 100 / 100 = 100 per vol point
    assert not greek_breach(r, 0.0, 99.0, 100.0)
    assert not greek_breach(NONE, 1e9, 1e9, 100.0)
