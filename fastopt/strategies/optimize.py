"""Strike optimisation: score every candidate of a credit structure on a chain.

The search is exhaustive and compiled (``fastopt.kernels.optimize``): every
iron condor of a 100-strike expiry (about 4 million candidates) is priced,
checked against the constraints and scored in one pass; the best ``top`` come
back as a Polars frame.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from fastopt._validate import as_date, check_choice, check_int, check_memory, readonly
from fastopt.iv import implied_vol
from fastopt.kernels import optimize as ok
from fastopt.pricing import bs_greeks, bs_price
from fastopt.strategies.strategy import YEAR_BASES, year_fraction

if TYPE_CHECKING:
    import polars as pl
else:
    from fastopt._lazy import polars as pl

STRUCTURES = {
    "iron_condor": ok.IRON_CONDOR,
    "bull_put_spread": ok.PUT_CREDIT,
    "bear_call_spread": ok.CALL_CREDIT,
}
OBJECTIVES = {
    "ev_per_risk": ok.OBJ_EV_PER_RISK,
    "credit_per_margin": ok.OBJ_CREDIT_PER_MARGIN,
    "pop": ok.OBJ_POP,
    "ev": ok.OBJ_EV,
}
FILLS = ("mid", "natural")
REQUIRED = ("expiry", "strike", "kind", "bid", "ask")


def _side(frame: pl.DataFrame, kind: str, fill: str) -> dict[str, np.ndarray[Any, Any]]:
    side = frame.filter(pl.col("kind") == kind).sort("strike")
    k = side["strike"].to_numpy().astype(np.float64)
    if k.size and np.any(np.diff(k) <= 0.0):
        msg = f"the chain has duplicate {kind} strikes for this expiry"
        raise ValueError(msg)
    bid = side["bid"].to_numpy().astype(np.float64)
    ask = side["ask"].to_numpy().astype(np.float64)
    mid = 0.5 * (bid + ask)
    out = {
        "strike": k,
        "sell": mid if fill == "mid" else bid,
        "buy": mid if fill == "mid" else ask,
        "mid": mid,
    }
    for col in ("delta", "iv"):
        if col in side.columns:
            out[col] = side[col].to_numpy().astype(np.float64)
    return out


def optimize_strikes(
    chain: Any,
    structure: str = "iron_condor",
    *,
    expiry: dt.date | str | None = None,
    spot: float | None = None,
    vol: float | None = None,
    rate: float = 0.0,
    div: float = 0.0,
    asof: dt.date | str | None = None,
    year_basis: int = 365,
    fill: str = "mid",
    objective: str = "ev_per_risk",
    min_pop: float = 0.0,
    min_credit: float = 0.0,
    max_margin: float = float("inf"),
    short_delta: tuple[float, float] = (0.0, 1.0),
    max_width: float = float("inf"),
    multiplier: float = 100.0,
    top: int = 20,
) -> pl.DataFrame:
    """Rank every candidate of ``structure`` on one expiry of ``chain``.

    Parameters
    ----------
    chain : polars.DataFrame or pandas.DataFrame
        Quotes of one date: ``expiry, strike, kind ("call"/"put"), bid, ask``,
        and ``underlying`` unless ``spot`` is given; optional ``date``,
        ``delta`` (signed or absolute) and ``iv``. Missing deltas are computed
        from the mid's implied vol.
    structure : {"iron_condor", "bull_put_spread", "bear_call_spread"}
    expiry : date or str, optional
        Which expiry to search (required when the chain has several).
    spot, vol, rate, div : float
        Market; ``vol`` is the distribution vol for POP and EV (default: the
        implied vol of the strike nearest the money).
    asof : date or str, optional
        Quote date (default: the chain's ``date`` column, else today).
    year_basis : {365, 252}
    fill : {"mid", "natural"}
        Mid prices, or sell at the bid / buy at the ask.
    objective : {"ev_per_risk", "credit_per_margin", "pop", "ev"}
        What to maximise: expected value / max loss, credit / Reg T margin,
        probability of profit, or expected value.
    min_pop, min_credit, max_margin, short_delta, max_width
        Constraints: POP >= min_pop, credit per share >= min_credit, margin
        (dollars per structure) <= max_margin, every short leg's |delta| in
        ``short_delta``, widest spread <= max_width. A candidate whose credit
        covers its width (max loss <= 0) is an arbitrage at these fills and is
        always dropped as a quote artefact.
    multiplier : float
        Shares per contract.
    top : int
        How many of the best candidates to return.

    Returns
    -------
    polars.DataFrame
        ``rank, long_put, short_put, short_call, long_call`` (strikes; null
        where the structure has no such leg), ``credit`` (per share),
        ``max_loss``, ``margin``, ``bpr`` (dollars), ``pop``, ``ev``
        (dollars), ``breakeven_low``, ``breakeven_high``, ``short_delta``
        (largest short |delta|), ``score``; plus the number of candidates
        searched in the frame's ``n_candidates`` column.

    Examples
    --------
    >>> import numpy as np, polars as pl, fastopt
    >>> from fastopt.strategies.optimize import optimize_strikes
    >>> k = np.arange(80.0, 121.0, 1.0)
    >>> rows = []
    >>> for kind in ("call", "put"):
    ...     mid = fastopt.bs_price(100.0, k, 30 / 365, 0.2, kind=kind)
    ...     rows.append(pl.DataFrame({"expiry": ["2025-03-23"] * k.size, "strike": k,
    ...                               "kind": [kind] * k.size, "bid": mid * 0.98,
    ...                               "ask": mid * 1.02 + 0.01, "underlying": 100.0}))
    >>> chain = pl.concat(rows)
    >>> best = optimize_strikes(chain, asof="2025-02-21", min_pop=0.6,
    ...                         short_delta=(0.1, 0.3), max_width=5.0, top=3)
    >>> best.height, bool((best["pop"] >= 0.6).all())
    (3, True)
    """
    s_code = STRUCTURES.get(structure)
    if s_code is None:
        msg = f"`structure` must be one of {tuple(STRUCTURES)}, got {structure!r}"
        raise ValueError(msg)
    obj = OBJECTIVES.get(objective)
    if obj is None:
        msg = f"`objective` must be one of {tuple(OBJECTIVES)}, got {objective!r}"
        raise ValueError(msg)
    check_choice(fill, "fill", FILLS)
    top_n = check_int(top, "top", 1)
    if year_basis not in YEAR_BASES:
        msg = f"`year_basis` must be 365 or 252, got {year_basis!r}"
        raise ValueError(msg)
    frame = chain if isinstance(chain, pl.DataFrame) else None
    if frame is None:
        try:
            frame = pl.from_pandas(chain)
        except Exception as exc:
            msg = f"`chain` must be a Polars or pandas DataFrame, got {type(chain).__name__}"
            raise TypeError(msg) from exc
    missing = [c for c in REQUIRED if c not in frame.columns]
    if spot is None and "underlying" not in frame.columns:
        missing.append("underlying (or pass spot=)")
    if missing:
        msg = f"`chain` is missing columns {missing}"
        raise ValueError(msg)
    if frame.height == 0:
        msg = "`chain` is empty"
        raise ValueError(msg)
    exps = frame["expiry"].unique().to_list()
    if expiry is None:
        if len(exps) != 1:
            msg = f"`chain` has {len(exps)} expiries: pass `expiry=` (one of {sorted(exps)[:5]}...)"
            raise ValueError(msg)
        exp_day = as_date(exps[0], "chain expiry")
    else:
        exp_day = as_date(expiry, "`expiry`")
    exp_col = frame["expiry"]
    if exp_col.dtype == pl.Utf8:
        frame = frame.with_columns(pl.col("expiry").str.to_date())
    frame = frame.filter(pl.col("expiry") == exp_day)
    if frame.height == 0:
        msg = f"no quotes for expiry {exp_day} in `chain`"
        raise ValueError(msg)
    if asof is None:
        if "date" in frame.columns:
            dates = frame["date"].unique().to_list()
            if len(dates) != 1:
                msg = f"`chain` holds {len(dates)} quote dates: filter it to one"
                raise ValueError(msg)
            asof_day = as_date(dates[0], "chain date")
        else:
            asof_day = dt.date.today()
    else:
        asof_day = as_date(asof, "`asof`")
    h = year_fraction(asof_day, exp_day, year_basis)
    if h <= 0.0:
        msg = f"expiry {exp_day} is not after the quote date {asof_day}"
        raise ValueError(msg)
    s0 = float(frame["underlying"][0]) if spot is None else float(spot)
    if not np.isfinite(s0) or s0 <= 0.0:
        msg = f"`spot` must be finite and > 0, got {s0!r}"
        raise ValueError(msg)
    puts = _side(frame, "put", fill)
    calls = _side(frame, "call", fill)
    need = {"iron_condor": (puts, calls), "bull_put_spread": (puts,), "bear_call_spread": (calls,)}[
        structure
    ]
    for side in need:
        if side["strike"].size < 2:
            msg = f"{structure} needs at least two strikes of each side it uses on {exp_day}"
            raise ValueError(msg)
    for side, kind in ((puts, "put"), (calls, "call")):
        if side["strike"].size == 0:
            side["delta"] = side["iv"] = np.empty(0)
            continue
        if "iv" not in side:
            side["iv"] = np.asarray(
                implied_vol(side["mid"], s0, side["strike"], h, rate, div, kind), dtype=np.float64
            )
        if "delta" not in side:
            iv = np.where(np.isfinite(side["iv"]), side["iv"], np.nanmedian(side["iv"]))
            side["delta"] = np.asarray(
                bs_greeks(s0, side["strike"], h, iv, rate, div, kind).delta, dtype=np.float64
            )
        side["delta"] = np.abs(side["delta"])
    if vol is None:
        ivs = np.concatenate([puts["iv"], calls["iv"]])
        ks = np.concatenate([puts["strike"], calls["strike"]])
        good = np.isfinite(ivs)
        if not good.any():
            msg = "no implied vol could be computed from the chain: pass `vol=`"
            raise ValueError(msg)
        sig = float(ivs[good][np.argmin(np.abs(ks[good] - s0))])
    else:
        sig = float(vol)
    mu = rate - div
    fwd = s0 * np.exp(mu * h)
    e_put = (
        np.asarray(bs_price(fwd, puts["strike"], h, sig, 0.0, 0.0, "put"), dtype=np.float64)
        if puts["strike"].size
        else np.empty(0)
    )
    e_call = (
        np.asarray(bs_price(fwd, calls["strike"], h, sig, 0.0, 0.0, "call"), dtype=np.float64)
        if calls["strike"].size
        else np.empty(0)
    )
    off, m = ok.layout_nb(s_code, readonly(puts["strike"]), readonly(calls["strike"]))
    n_cand = int(off[-1])
    check_memory(n_cand * 8, f"scoring {n_cand:,} {structure} candidates")
    dlo, dhi = (float(x) for x in short_delta)
    arrays = (
        readonly(puts["strike"]),
        readonly(puts["sell"]),
        readonly(puts["buy"]),
        readonly(puts["delta"]),
        readonly(e_put),
        readonly(calls["strike"]),
        readonly(calls["sell"]),
        readonly(calls["buy"]),
        readonly(calls["delta"]),
        readonly(e_call),
        s0,
        mu,
        sig,
        h,
        0.01 / multiplier,
        float(multiplier),
        obj,
    )
    scores = np.empty(n_cand)
    ok.score_nb(
        s_code,
        off,
        m,
        *arrays,
        float(min_pop),
        float(min_credit),
        float(max_margin),
        dlo,
        dhi,
        float(max_width),
        scores,
    )
    valid = np.flatnonzero(~np.isnan(scores))
    k_best = min(top_n, valid.size)
    if k_best:
        part = valid[np.argpartition(-scores[valid], k_best - 1)[:k_best]]
        best = part[np.argsort(-scores[part], kind="stable")]
    else:
        best = np.empty(0, np.int64)
    idx = np.empty((best.size, 4), np.int64)
    met = np.empty((best.size, ok.N_METRICS))
    ok.decode_nb(s_code, best.astype(np.int64), off, m, *arrays, idx, met)

    def strikes(col: int, side: dict[str, np.ndarray[Any, Any]]) -> list[float | None]:
        return [float(side["strike"][i]) if i >= 0 else None for i in idx[:, col]]

    mult = float(multiplier)
    return pl.DataFrame(
        {
            "rank": np.arange(1, best.size + 1),
            "long_put": strikes(0, puts),
            "short_put": strikes(1, puts),
            "short_call": strikes(2, calls),
            "long_call": strikes(3, calls),
            "credit": met[:, 0],
            "max_loss": met[:, 1] * mult,
            "margin": met[:, 2],
            "bpr": met[:, 2] - met[:, 0] * mult,
            "pop": met[:, 3],
            "ev": met[:, 4] * mult,
            "breakeven_low": np.where(idx[:, 1] >= 0, met[:, 6], np.nan),
            "breakeven_high": np.where(idx[:, 2] >= 0, met[:, 7], np.nan),
            "short_delta": met[:, 8],
            "score": met[:, 5],
            "n_candidates": np.full(best.size, n_cand, np.int64),
        },
        schema_overrides={
            "long_put": pl.Float64,
            "short_put": pl.Float64,
            "short_call": pl.Float64,
            "long_call": pl.Float64,
        },
    )
