"""Value at risk and expected shortfall of a book of European options on one underlying.

:func:`portfolio_risk` simulates the underlying at the horizon, revalues the
book in every scenario (exactly, or by a delta-gamma-theta expansion) and
returns a :class:`RiskMeasures`; :func:`value_at_risk` and
:func:`expected_shortfall` are thin wrappers returning one number (or one per
confidence level).

The book
--------
A ``dict`` of arrays (any mapping), a ``polars.DataFrame`` or a
``pandas.DataFrame`` with one row per option and the columns

============  =========================================================
``strike``    strike (> 0)
``t``         time to expiry in years (>= 0)
``kind``      ``"call"``/``"put"`` (or ``"c"``/``"p"``, or booleans, True = call)
``quantity``  signed number of options (negative = short)
``vol``       optional: the option's own implied vol (>= 0); without it
              every option is priced at the ``vol`` argument
============  =========================================================

Other columns are ignored. Scalars are broadcast against the columns.
``quantity`` counts options of ``multiplier`` shares each (100 by default):
money follows the convention of :mod:`fastopt.positions` (prices per share,
money = quantity x multiplier x price), and
:func:`fastopt.positions.from_book` turns a book into leg records; a book of
leg records (options on one underlying) is accepted as well, valued at ``asof``.

The formulas live in :mod:`fastopt.kernels.var`; prices and Greeks of the
book today come from the BSM kernel of :func:`fastopt.bs_price`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from fastopt._typing import Float64Array
from fastopt._validate import (
    as_float_array,
    check_choice,
    check_finite,
    check_int,
    check_nonnegative,
    check_positive,
)
from fastopt.kernels import var as _kv
from fastopt.parallel import use_parallel
from fastopt.positions import DEFAULT_MULTIPLIER, LegRecords, book_arrays, option_arrays
from fastopt.pricing import bs_greeks

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

__all__ = [
    "RiskMeasures",
    "RiskMethod",
    "expected_shortfall",
    "from_pnl",
    "portfolio_risk",
    "value_at_risk",
]

RiskMethod: TypeAlias = Literal["full", "delta_gamma"]
"""``"full"``: reprice every option in every scenario; ``"delta_gamma"``: Taylor expansion."""

CI_LEVEL = 0.95
"""Coverage of :attr:`RiskMeasures.var_ci`."""

_Z_CI = 1.959963984540054  # standard normal quantile at (1 + CI_LEVEL) / 2


@dataclass(frozen=True, slots=True)
class RiskMeasures:
    """VaR and ES of a book, with their Monte Carlo uncertainty.

    ``var``, ``es``, ``es_stderr`` and the two ends of ``var_ci`` are Python
    floats when one confidence level was asked for, else float64 arrays with
    one entry per level. Losses are positive numbers, in money per share
    times ``multiplier``.

    Attributes
    ----------
    var : float or numpy.ndarray
        Value at risk: minus the empirical ``1 - confidence`` quantile of the P&L.
    es : float or numpy.ndarray
        Expected shortfall: minus the mean P&L over the same tail (>= ``var``).
    confidence : float or numpy.ndarray
        The confidence levels.
    es_stderr : float or numpy.ndarray
        Asymptotic standard error of ``es`` (Manistre and Hancock).
    var_ci : tuple
        ``(low, high)`` distribution-free 95 % confidence interval of ``var``
        from order statistics.
    n_scenarios : int
        Number of simulated scenarios.
    method : {"full", "delta_gamma"}
        Revaluation method.
    horizon : float
        Horizon in years.
    value : float
        Value of the book today (sum of quantity x multiplier x price).
    pnl : numpy.ndarray
        P&L of every scenario, shape (n_scenarios,), in simulation order.
    spot_scenarios : numpy.ndarray
        Underlying at the horizon in every scenario, shape (n_scenarios,).
    """

    var: Any
    es: Any
    confidence: Any
    es_stderr: Any
    var_ci: tuple[Any, Any]
    n_scenarios: int
    method: str
    horizon: float
    value: float
    pnl: Float64Array
    spot_scenarios: Float64Array

    def to_polars(self) -> pl.DataFrame:
        """The results as a frame, one row per confidence level.

        Examples
        --------
        >>> import fastopt.risk_measures as rm
        >>> book = {"strike": [100.0], "t": [0.5], "kind": ["call"], "quantity": [1.0]}
        >>> r = rm.portfolio_risk(book, spot=100.0, vol=0.2, confidence=[0.95, 0.99],
        ...                       n_scenarios=10_000, seed=1)
        >>> r.to_polars().columns
        ['confidence', 'var', 'es', 'es_stderr', 'var_ci_low', 'var_ci_high']
        """
        return pl.DataFrame(
            {
                "confidence": np.atleast_1d(self.confidence),
                "var": np.atleast_1d(self.var),
                "es": np.atleast_1d(self.es),
                "es_stderr": np.atleast_1d(self.es_stderr),
                "var_ci_low": np.atleast_1d(self.var_ci[0]),
                "var_ci_high": np.atleast_1d(self.var_ci[1]),
            }
        )


def _scalar(value: object, name: str) -> float:
    """A finite real scalar (0-d), else ``TypeError``/``ValueError`` naming ``name``."""
    arr = as_float_array(value, name)
    if arr.ndim != 0:
        msg = f"`{name}` must be a scalar (one underlying), got shape {arr.shape}"
        raise ValueError(msg)
    check_finite(arr, name)
    return float(arr)


def _confidence(confidence: float | Sequence[float] | npt.ArrayLike) -> Float64Array:
    arr = as_float_array(confidence, "confidence")
    if arr.ndim > 1 or arr.size == 0:
        msg = f"`confidence` must be a number or a 1-D sequence of them, got {confidence!r}"
        raise ValueError(msg)
    check_finite(arr, "confidence")
    flat = np.atleast_1d(arr).astype(np.float64)
    bad = (flat <= 0.0) | (flat >= 1.0)
    if bad.any():
        msg = f"`confidence` must be in (0, 1), got {float(flat[bad][0])!r}"
        raise ValueError(msg)
    return flat


def _seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return seed if seed is not None else np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        msg = f"`seed` must be an int >= 0, a numpy.random.SeedSequence or None, got {seed!r}"
        raise TypeError(msg)
    if seed < 0:
        msg = f"`seed` must be >= 0, got {seed!r}"
        raise ValueError(msg)
    return np.random.SeedSequence(int(seed))


def portfolio_risk(
    book: Mapping[str, npt.ArrayLike] | pl.DataFrame | LegRecords | Any,
    *,
    spot: float,
    vol: float,
    rate: float = 0.0,
    div: float = 0.0,
    horizon: float = 1.0 / 252.0,
    confidence: float | Sequence[float] | npt.ArrayLike = 0.99,
    n_scenarios: int = 100_000,
    method: RiskMethod = "full",
    seed: int | np.random.SeedSequence | None = None,
    drift: float | None = None,
    multiplier: float | None = None,
    asof: dt.date | str | None = None,
) -> RiskMeasures:
    r"""Monte Carlo VaR and expected shortfall of a book of European options.

    Parameters
    ----------
    book : dict of arrays, polars.DataFrame, pandas.DataFrame or leg records
        One row per option with columns ``strike, t, kind, quantity`` and
        optionally ``vol`` (see the module docstring), or a 1-D array of
        :data:`fastopt.positions.LEG_DTYPE` records of options on one underlying
        (``units`` signed options of ``multiplier`` shares; a NaN ``vol`` is
        priced at the ``vol`` argument) with ``asof``.
    spot : float
        Spot of the underlying today (> 0).
    vol : float
        Volatility of the underlying used to simulate the scenarios (>= 0);
        also the pricing vol of every option when the book has no ``vol``
        column. Implied vols are held fixed in the scenarios (sticky strike).
    rate, div : float, default 0.0
        Risk-free rate and dividend yield, continuously compounded.
    horizon : float, default 1/252
        Risk horizon in years (> 0).
    confidence : float or sequence of float, default 0.99
        Confidence level(s) :math:`\alpha`, each in (0, 1).
    n_scenarios : int, default 100,000
        Number of simulated scenarios (>= 2).
    method : {"full", "delta_gamma"}, default "full"
        Full BSM revaluation of every option, or the book's
        delta-gamma-theta expansion (cheap, approximate).
    seed : int, numpy.random.SeedSequence or None
        Seed of the scenarios. The same seed gives bit-identical results
        whatever the thread count. ``None`` draws fresh entropy.
    drift : float, optional
        Annual drift :math:`\mu` of the underlying; default ``rate - div``
        (risk-neutral). Pass ``0.0`` for a driftless short-horizon VaR or a
        real-world estimate.
    multiplier : float, optional
        Shares of the underlying per option of a table book: 100 (the default)
        for listed equity option contracts (the money convention of
        :mod:`fastopt.positions`), 1 for a book counted in shares. Losses scale
        linearly with it. Leg records carry their own multipliers, so it is an
        error to pass one with them. (Before the position core it defaulted to 1.)
    asof : datetime.date or str, optional
        The valuation date of a book of leg records (required with them, an
        error with a table book): each option's ``t`` is ``(expiry - asof) /
        365`` years.

    Returns
    -------
    RiskMeasures
        ``var``, ``es`` (floats, or arrays for a sequence of levels), their
        uncertainty, the book value and the scenario P&L.

    Raises
    ------
    ValueError
        ``confidence`` outside (0, 1), ``n_scenarios < 2``, negative or
        non-finite ``vol``, non-positive ``spot``/``horizon``/``multiplier``,
        book columns missing, of different lengths or out of domain, unknown
        ``method``.
    TypeError
        A book that is not a mapping/frame, non-numeric values, a
        non-integer ``n_scenarios`` or a bad ``seed``.

    Notes
    -----
    Scenarios: :math:`S_h = S\exp((\mu - \sigma^2/2)h + \sigma\sqrt h\,Z)`,
    :math:`Z` standard normal from ``numpy.random.default_rng`` seeded by
    ``SeedSequence(seed)``. P&L of scenario :math:`j`:

    .. math::

        \text{full:}\quad P_j = m\sum_i q_i\,[V_i(S_{h,j}, t_i - h) - V_i(S, t_i)],
        \qquad
        \text{delta-gamma:}\quad P_j = \Delta\,dS_j + \tfrac12\Gamma\,dS_j^2 + \Theta h,

    with :math:`m` the multiplier, :math:`q_i` the quantities, :math:`V_i`
    the BSM price and :math:`\Delta, \Gamma, \Theta` the book's summed
    Greeks (:math:`\Theta` per year). An option with :math:`t_i \le h` is
    worth its intrinsic value on the scenario spot. With :math:`P_{(1)} \le
    \dots \le P_{(n)}` the sorted P&L and :math:`k = \lceil n(1-\alpha)\rceil`
    (:math:`n(1-\alpha)` rounded to 6 decimals first, so that
    :math:`1 - 0.99` leaves no ``1e-12`` remainder):

    .. math::

        \mathrm{VaR}_\alpha = -P_{(k)},\qquad
        \mathrm{ES}_\alpha = -\frac1k\sum_{j\le k} P_{(j)} \;\ge\; \mathrm{VaR}_\alpha .

    ``VaR`` is the inverse empirical CDF (``numpy.quantile(...,
    method="inverted_cdf")``). ``es_stderr`` is
    :math:`\sqrt{(s_k^2 + (1-k/n)(\mathrm{ES}-\mathrm{VaR})^2)/k}`, with
    :math:`s_k^2` the variance of the tail P&L; ``var_ci`` takes the order
    statistics at ranks :math:`k \mp 1.96\sqrt{np(1-p)}`, :math:`p = k/n`.

    Full revaluation of 100,000 scenarios x 1,000 options (10^8 prices)
    runs in about 0.3-0.5 s on 2 cores (``benchmarks/bench_var.py``).

    References
    ----------
    .. [1] P. Jorion, "Value at Risk", 3rd ed., McGraw-Hill 2007
       (full revaluation and delta-gamma methods).
    .. [2] C. Acerbi, D. Tasche, "On the coherence of expected shortfall",
       J. Banking & Finance 26 (2002) 1487-1503.
    .. [3] B. Manistre, G. Hancock, "Variance of the CTE estimator",
       North American Actuarial Journal 9 (2005) 129-156.

    Examples
    --------
    >>> import fastopt.risk_measures as rm
    >>> book = {"strike": [95.0, 105.0], "t": [0.25, 0.25],
    ...         "kind": ["put", "call"], "quantity": [-10.0, 10.0]}
    >>> r = rm.portfolio_risk(book, spot=100.0, vol=0.25, confidence=[0.95, 0.99],
    ...                       n_scenarios=20_000, seed=7)
    >>> bool((r.es >= r.var).all()), bool(r.var[1] > r.var[0])
    (True, True)
    >>> r.pnl.shape
    (20000,)
    """
    method_name = check_choice(method, "method", ("full", "delta_gamma"))
    n = check_int(n_scenarios, "n_scenarios", 2)
    s0 = _scalar(spot, "spot")
    check_positive(np.asarray(s0), "spot")
    sig = _scalar(vol, "vol")
    check_nonnegative(np.asarray(sig), "vol")
    r = _scalar(rate, "rate")
    q = _scalar(div, "div")
    h = _scalar(horizon, "horizon")
    check_positive(np.asarray(h), "horizon")
    mu = r - q if drift is None else _scalar(drift, "drift")
    _confidence(confidence)  # checked before any work
    if isinstance(book, np.ndarray) and book.dtype.names is not None:  # leg records
        if asof is None:
            msg = "`asof` is required when `book` is leg records (it dates their expiries)"
            raise ValueError(msg)
        if multiplier is not None:
            msg = "`multiplier` does not apply to leg records: each record carries its own"
            raise ValueError(msg)
        strike, t, vols, is_call, weight = option_arrays(book, asof=asof, vol=sig)
    else:
        if asof is not None:
            msg = "`asof` applies only to a book of leg records (a table gives `t` in years)"
            raise ValueError(msg)
        mult = DEFAULT_MULTIPLIER if multiplier is None else _scalar(multiplier, "multiplier")
        check_positive(np.asarray(mult), "multiplier")
        strike, t, vols, is_call, qty = book_arrays(book, sig)
        weight = qty * mult
    z = np.random.default_rng(_seed_sequence(seed)).standard_normal(n)
    log_ret = np.empty(n)
    spot_h = np.empty(n)
    _kv.scenario_spots_nb(s0, z, mu, sig, h, log_ret, spot_h)
    pnl = np.empty(n)
    if method_name == "full":
        consts = _kv.empty_constants(strike.shape[0])
        _kv.hoist_constants_nb(s0, strike, t, vols, r, q, is_call, weight, h, consts)
        value = float(consts[6] @ consts[7])
        order, lr_sorted, spot_sorted = _kv.sort_scenarios_nb(log_ret, spot_h)
        pnl_sorted = np.empty(n)
        par = use_parallel(n * strike.shape[0])
        kernel = _kv.full_reval_pnl_par_nb if par else _kv.full_reval_pnl_nb
        kernel(consts, lr_sorted, spot_sorted, pnl_sorted)
        _kv.unsort_nb(order, pnl_sorted, pnl)
    else:
        g = bs_greeks(s0, strike, t, vols, r, q, is_call)
        w = weight
        value = float(w @ g.price)
        _kv.delta_gamma_pnl_nb(
            s0, spot_h, float(w @ g.delta), float(w @ g.gamma), float(w @ g.theta), h, pnl
        )

    return from_pnl(
        pnl,
        confidence=confidence,
        method=method_name,
        horizon=h,
        value=value,
        spot_scenarios=spot_h,
    )


def from_pnl(
    pnl: Float64Array,
    *,
    confidence: float | Sequence[float] | npt.ArrayLike,
    method: str,
    horizon: float,
    value: float,
    spot_scenarios: Float64Array,
) -> RiskMeasures:
    """:class:`RiskMeasures` of simulated scenario P&L (the tail measures of
    :func:`fastopt.kernels.var.tail_measures_nb`); shared by :func:`portfolio_risk` and
    the multi-underlying :meth:`fastopt.risk.Portfolio.value_at_risk`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastopt.risk_measures import from_pnl
    >>> pnl = np.arange(-50.0, 50.0)  # 100 scenarios
    >>> r = from_pnl(pnl, confidence=0.95, method="full", horizon=1 / 252, value=0.0,
    ...              spot_scenarios=np.zeros(100))
    >>> r.var, r.es  # the 5th worst loss; the mean of the 5 worst
    (46.0, 48.0)
    """
    levels = _confidence(confidence)
    scalar_levels = np.ndim(confidence) == 0
    n = int(pnl.shape[0])
    counts = np.array([max(1, math.ceil(round(n * (1.0 - a), 6))) for a in levels], dtype=np.int64)
    out = np.empty((_kv.N_TAIL, levels.shape[0]))
    _kv.tail_measures_nb(np.ascontiguousarray(pnl, dtype=np.float64), counts, _Z_CI, out)

    def pick(row: Float64Array) -> Any:
        return float(row[0]) if scalar_levels else row.copy()

    return RiskMeasures(
        var=pick(out[0]),
        es=pick(out[1]),
        confidence=pick(levels),
        es_stderr=pick(out[2]),
        var_ci=(pick(out[3]), pick(out[4])),
        n_scenarios=n,
        method=method,
        horizon=horizon,
        value=value,
        pnl=pnl,
        spot_scenarios=spot_scenarios,
    )


def value_at_risk(
    book: Mapping[str, npt.ArrayLike] | pl.DataFrame | LegRecords | Any,
    *,
    spot: float,
    vol: float,
    rate: float = 0.0,
    div: float = 0.0,
    horizon: float = 1.0 / 252.0,
    confidence: float | Sequence[float] | npt.ArrayLike = 0.99,
    n_scenarios: int = 100_000,
    method: RiskMethod = "full",
    seed: int | np.random.SeedSequence | None = None,
    drift: float | None = None,
    multiplier: float | None = None,
    asof: dt.date | str | None = None,
) -> Any:
    r"""Monte Carlo value at risk of a book of options (a positive loss).

    Arguments, validation and definitions are those of
    :func:`portfolio_risk`; this returns its ``var`` field.

    Returns
    -------
    float or numpy.ndarray
        :math:`-P_{(k)}`, :math:`k = \lceil n(1-\alpha)\rceil`: a float for one
        confidence level, an array for a sequence.

    Raises
    ------
    ValueError, TypeError
        As :func:`portfolio_risk`.

    Notes
    -----
    See :func:`portfolio_risk`.

    References
    ----------
    .. [1] P. Jorion, "Value at Risk", 3rd ed., McGraw-Hill 2007.

    Examples
    --------
    >>> import fastopt.risk_measures as rm
    >>> book = {"strike": [100.0], "t": [0.5], "kind": ["call"], "quantity": [-1.0]}
    >>> v = rm.value_at_risk(book, spot=100.0, vol=0.2, n_scenarios=20_000, seed=3)
    >>> 50.0 < v < 500.0  # one contract of 100 shares (the default multiplier)
    True
    >>> per_share = rm.value_at_risk(book, spot=100.0, vol=0.2, n_scenarios=20_000, seed=3,
    ...                              multiplier=1.0)
    >>> bool(abs(per_share * 100.0 - v) < 1e-9 * v)
    True
    """
    return portfolio_risk(
        book,
        spot=spot,
        vol=vol,
        rate=rate,
        div=div,
        horizon=horizon,
        confidence=confidence,
        n_scenarios=n_scenarios,
        method=method,
        seed=seed,
        drift=drift,
        multiplier=multiplier,
        asof=asof,
    ).var


def expected_shortfall(
    book: Mapping[str, npt.ArrayLike] | pl.DataFrame | LegRecords | Any,
    *,
    spot: float,
    vol: float,
    rate: float = 0.0,
    div: float = 0.0,
    horizon: float = 1.0 / 252.0,
    confidence: float | Sequence[float] | npt.ArrayLike = 0.99,
    n_scenarios: int = 100_000,
    method: RiskMethod = "full",
    seed: int | np.random.SeedSequence | None = None,
    drift: float | None = None,
    multiplier: float | None = None,
    asof: dt.date | str | None = None,
) -> Any:
    r"""Monte Carlo expected shortfall (CVaR) of a book of options (a positive loss).

    Arguments, validation and definitions are those of
    :func:`portfolio_risk`; this returns its ``es`` field.

    Returns
    -------
    float or numpy.ndarray
        :math:`-\frac1k\sum_{j\le k}P_{(j)}`: a float for one confidence
        level, an array for a sequence. Never below the VaR at the same level.

    Raises
    ------
    ValueError, TypeError
        As :func:`portfolio_risk`.

    Notes
    -----
    See :func:`portfolio_risk`.

    References
    ----------
    .. [1] C. Acerbi, D. Tasche, "On the coherence of expected shortfall",
       J. Banking & Finance 26 (2002) 1487-1503.

    Examples
    --------
    >>> import fastopt.risk_measures as rm
    >>> book = {"strike": [100.0], "t": [0.5], "kind": ["call"], "quantity": [-1.0]}
    >>> kw = dict(spot=100.0, vol=0.2, n_scenarios=20_000, seed=3)
    >>> rm.expected_shortfall(book, **kw) >= rm.value_at_risk(book, **kw)
    True
    """
    return portfolio_risk(
        book,
        spot=spot,
        vol=vol,
        rate=rate,
        div=div,
        horizon=horizon,
        confidence=confidence,
        n_scenarios=n_scenarios,
        method=method,
        seed=seed,
        drift=drift,
        multiplier=multiplier,
        asof=asof,
    ).es
