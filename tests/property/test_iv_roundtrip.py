"""Price -> implied vol -> price over the whole domain, with accuracy in condition units."""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

import fastopt
from fastopt.iv import IVStatus, implied_vol
from tests.mp_oracle import bsm_price as mp_price

EPS = float(np.finfo(np.float64).eps)

spots = st.floats(1.0, 1000.0)
money = st.floats(0.2, 5.0)  # strike / spot: deep ITM to deep OTM
times = st.floats(1.0 / 365.0, 30.0)  # one day to 30 years
vols = st.floats(0.01, 5.0)  # 1 % to 500 %
rates = st.floats(-0.05, 0.15)
divs = st.floats(0.0, 0.10)


def conditioning(s, k, t, v, r, q, call, model):
    """eps * (price + |delta| spot) / vega at 40 digits: the vol error that rounding the
    price and the spot/forward alone causes (no solver can do better)."""
    s_, k_, t_, v_, r_, q_ = (mp.mpf(float(x)) for x in (s, k, t, v, r, q))
    sd = v_ * mp.sqrt(t_)
    w = 1 if call else -1
    disc = mp.e ** (-r_ * t_)
    if model == "bachelier":
        d = (s_ - k_) / sd
        vega = disc * mp.npdf(d) * mp.sqrt(t_)
        delta = disc * mp.ncdf(w * d)
    else:
        fwd = s_ * mp.e ** ((r_ - q_) * t_) if model == "bsm" else s_
        d1 = mp.log(fwd / k_) / sd + sd / 2
        vega = disc * fwd * mp.npdf(d1) * mp.sqrt(t_)
        delta = disc * fwd / s_ * mp.ncdf(w * d1)
    price = mp_price(s, k, t, v, r, q, call, model=model)
    noise = EPS * (price + delta * abs(s_))  # price error from rounding price and spot
    if vega == 0:
        return price, math.inf, math.inf, float(noise)
    return price, float(EPS * price / vega), float(noise / vega), float(noise)


def check(s, k, t, v, r, q, call, model):
    price, cond, cond_in, noise = conditioning(s, k, t, v, r, q, call, model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastopt.ImpliedVolWarning)
        got, status = implied_vol(price, s, k, t, r, q, call, model=model, return_status=True)
    if status != IVStatus.OK:
        # only where the price carries no information: rounded onto a bound
        assert status == IVStatus.ABOVE_MAX
        upper = s * math.exp(-(q if model == "bsm" else r) * t) if call else k * math.exp(-r * t)
        assert price >= upper * (1 - 4 * EPS)
        return
    if price < 1e-290:  # subnormal range: the price has lost relative precision
        assert got >= 0.0
        return
    if got == 0.0:  # price indistinguishable from intrinsic (or 0)
        assert cond_in > 1e-4 * v
        return
    err = abs(got - v)
    if cond < 1e-14:
        assert err <= 1e-12, (err, cond)
    assert err <= max(30 * cond_in, 16 * EPS * v), (err, cond_in)
    # the recovered vol reproduces the price to a few ulps of its conditioning
    again = fastopt.bs_price(s, k, t, got, r, q, call, model=model)
    assert abs(again - price) <= 64 * EPS * (price + abs(s)) + 30 * noise


@given(spots, money, times, vols, rates, divs, st.booleans())
@example(100.0, 3.0, 0.1, 0.3, 0.0, 0.0, True)  # deep OTM call, price 3.6e-31
@example(100.0, 0.2, 1.0, 0.3, 0.0, 0.0, True)  # deep ITM call K = S/5
@example(100.0, 5.0, 1.0, 0.3, 0.0, 0.0, False)  # deep ITM put K = 5S
@example(100.0, 1.0, 1.0 / 8760.0, 0.3, 0.0, 0.0, True)  # one hour, ATM
@example(100.0, 1.0, 3.0, 5.0, 0.0, 0.0, True)  # price close to the spot
@example(100.0, 1.05, 1.0, 0.01, 0.0, 0.0, True)  # 1 % vol, 5 % OTM
@example(100.0, 1.0, 30.0, 5.0, 0.15, 0.1, False)
@example(100.0, 1.0, 1.0 / 365.0, 0.01, -0.05, 0.0, True)
def test_bsm_round_trip(s, m, t, v, r, q, call):
    check(s, s * m, t, v, r, q, call, "bsm")


@given(spots, money, times, vols, rates, st.booleans())
@example(100.0, 1.0, 1.0 / 365.0, 0.01, 0.0, True)
def test_black76_round_trip(f, m, t, v, r, call):
    check(f, f * m, t, v, r, 0.0, call, "black76")


@given(spots, st.floats(-4.0, 4.0), times, st.floats(0.001, 2.0), rates, st.booleans())
@example(100.0, 0.0, 1.0, 0.2, 0.0, True)  # ATM
@example(100.0, 4.0, 1.0 / 365.0, 0.001, 0.0, False)  # 4 sd ITM put
def test_bachelier_round_trip(f, z, t, rel_vol, r, call):
    # normal vol in price units; strike z standard deviations from the forward
    v = rel_vol * f
    k = f + z * v * math.sqrt(t)
    check(f, k, t, v, r, 0.0, call, "bachelier")
