"""High-precision (mpmath, 40 digits) reference prices and Greeks: the tight oracle."""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 40


def bsm(s, k, t, v, r, q, call, model="bsm"):
    """Price and Greeks (price, delta, gamma, vega, theta, rho, vanna, volga, charm).

    Greeks are derivatives of the mpmath price taken by mpmath's own
    high-precision numerical differentiation, so no closed form is shared with
    the code under test.
    """
    s, k, t, v, r, q = (mp.mpf(float(x)) for x in (s, k, t, v, r, q))

    def price(s_, t_, v_, r_):
        if model == "bachelier":
            sd = v_ * mp.sqrt(t_)
            d = (s_ - k) / sd
            w = 1 if call else -1
            return mp.e ** (-r_ * t_) * (w * (s_ - k) * mp.ncdf(w * d) + sd * mp.npdf(d))
        fwd = s_ * mp.e ** ((r_ - q) * t_) if model == "bsm" else s_
        sd = v_ * mp.sqrt(t_)
        d1 = mp.log(fwd / k) / sd + sd / 2
        d2 = d1 - sd
        w = 1 if call else -1
        return w * mp.e ** (-r_ * t_) * (fwd * mp.ncdf(w * d1) - k * mp.ncdf(w * d2))

    p = price(s, t, v, r)
    delta = mp.diff(lambda x: price(x, t, v, r), s)
    gamma = mp.diff(lambda x: price(x, t, v, r), s, 2)
    vega = mp.diff(lambda x: price(s, t, x, r), v)
    theta = -mp.diff(lambda x: price(s, x, v, r), t)
    rho = mp.diff(lambda x: price(s, t, v, x), r)
    vanna = mp.diff(lambda a, b: price(a, t, b, r), (s, v), (1, 1))
    volga = mp.diff(lambda x: price(s, t, x, r), v, 2)
    charm = -mp.diff(lambda a, b: price(a, b, v, r), (s, t), (1, 1))
    return tuple(float(x) for x in (p, delta, gamma, vega, theta, rho, vanna, volga, charm))


def bsm_price(s, k, t, v, r, q, call, model="bsm"):
    """Just the price (fast path of :func:`bsm`)."""
    s, k, t, v, r, q = (mp.mpf(float(x)) for x in (s, k, t, v, r, q))
    w = 1 if call else -1
    if model == "bachelier":
        sd = v * mp.sqrt(t)
        d = (s - k) / sd
        return float(mp.e ** (-r * t) * (w * (s - k) * mp.ncdf(w * d) + sd * mp.npdf(d)))
    fwd = s * mp.e ** ((r - q) * t) if model == "bsm" else s
    sd = v * mp.sqrt(t)
    d1 = mp.log(fwd / k) / sd + sd / 2
    d2 = d1 - sd
    return float(w * mp.e ** (-r * t) * (fwd * mp.ncdf(w * d1) - k * mp.ncdf(w * d2)))
