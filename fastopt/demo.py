"""The main job (``make demo``): the pricing core end to end on the bundled data.

Builds an S&P 500 option chain for the last day of the bundled sample (spot =
S&P 500 close, at-the-money vol = VIX, a simple quadratic smile in log
moneyness), prices it with Greeks, recovers the implied vols from the prices,
and prints the volatility analytics of the underlying. Later capabilities grow
this into the full backtest report.

Run with ``python -m fastopt.demo``.
"""

from __future__ import annotations

import time

import numpy as np
import polars as pl

import fastopt
from fastopt.data import load_sp500_vix

RATE = 0.025  # USD rate at the end of 2018, continuously compounded (approx.)
DIV = 0.019  # S&P 500 dividend yield (approx.)
EXPIRY_DAYS = (7, 30, 60, 91, 182, 365)
SMILE_SLOPE = -0.35  # d(iv)/d(ln K/F): equity skew
SMILE_CURVATURE = 0.60


def build_chain(spot: float, atm_vol: float) -> pl.DataFrame:
    """A chain of calls and puts: 6 expiries x strikes from 80 % to 120 % of spot."""
    days = np.repeat(np.array(EXPIRY_DAYS, dtype=np.float64), 33)
    strikes = np.tile(np.round(spot * np.linspace(0.8, 1.2, 33) / 5.0) * 5.0, len(EXPIRY_DAYS))
    t = days / 365.0
    fwd = spot * np.exp((RATE - DIV) * t)
    x = np.log(strikes / fwd)
    iv = atm_vol + SMILE_SLOPE * x + SMILE_CURVATURE * x * x
    chain = pl.DataFrame({"dte": days.astype(np.int64), "strike": strikes, "t": t, "iv": iv})
    return pl.concat(
        [chain.with_columns(kind=pl.lit("call")), chain.with_columns(kind=pl.lit("put"))]
    )


def main() -> None:
    """Run the demo and print its tables."""
    t0 = time.perf_counter()
    spx = load_sp500_vix()
    last = spx.row(-1, named=True)
    spot, vix = float(last["close"]), float(last["vix"]) / 100.0
    print(f"S&P 500 on {last['date']}: close {spot:.2f}, VIX {vix * 100:.2f}")

    chain = build_chain(spot, vix)
    kinds = chain["kind"].to_numpy()
    strikes, t, iv = (chain[c].to_numpy() for c in ("strike", "t", "iv"))
    g = fastopt.bs_greeks(spot, strikes, t, iv, RATE, DIV, kinds)
    vols, status = fastopt.implied_vol(
        g.price, spot, strikes, t, RATE, DIV, kinds, return_status=True
    )
    chain = chain.with_columns(
        price=g.price,
        delta=g.delta,
        gamma=g.gamma,
        vega_1pct=g.vega_pct,
        theta_day=g.theta_per_day(),
        iv_back=vols,
        iv_status=status,
    )
    repriced = fastopt.bs_price(spot, strikes, t, vols, RATE, DIV, kinds)
    price_err = np.max(np.abs(repriced - g.price) / g.price)
    # the vol a price pins down is uncertain by about eps * price / vega (its conditioning)
    informative = (status == 0) & (np.finfo(float).eps * g.price / g.vega < 1e-12)
    vol_err = np.max(np.abs(vols - iv)[informative])
    print(
        f"\nchain: {chain.height} options; implied-vol round trip: prices reproduced to "
        f"{price_err:.1e} relative; vols to {vol_err:.1e} where the price pins the vol "
        f"({informative.sum()} of {chain.height})"
    )
    columns = ["kind", "dte", "strike", "iv", "price", "delta", "gamma", "vega_1pct"]
    columns += ["theta_day", "iv_back"]
    with pl.Config(tbl_rows=20, tbl_cols=12, float_precision=4):
        print(chain.filter((pl.col("dte") == 30) & (pl.col("strike") % 50 == 0)).select(columns))

    rv = {
        est: float(fastopt.realized_vol(spx, estimator=est, window=21)[-1])
        for est in ("close_to_close", "parkinson", "garman_klass", "rogers_satchell", "yang_zhang")
    }
    vix_hist = spx["vix"].drop_nulls().to_numpy() / 100.0
    move = fastopt.expected_move(spot, iv=vix, t=30 / 365)
    atm = chain.filter(pl.col("dte") == 30).with_columns(dist=(pl.col("strike") - spot).abs())
    atm_strike = atm.sort("dist")["strike"][0]
    straddle = float(atm.filter(pl.col("strike") == atm_strike)["price"].sum())
    move_straddle = fastopt.expected_move(spot, straddle=straddle)
    regime = int(fastopt.vol_regime(vix_hist)[-1])
    print("\nvolatility analytics (last day):")
    measures = {f"realised vol 21d ({k})": v for k, v in rv.items()}
    measures["VIX IV rank (252d)"] = float(fastopt.iv_rank(vix_hist)[-1])
    measures["VIX IV percentile (252d)"] = float(fastopt.iv_percentile(vix_hist)[-1])
    measures["VIX regime (0=low..3=extreme)"] = float(regime)
    measures["30d expected move from VIX"] = float(move.move)
    measures["30d expected move from ATM straddle"] = float(move_straddle.move)
    with pl.Config(fmt_str_lengths=60, tbl_rows=20):
        print(pl.DataFrame({"measure": list(measures), "value": list(measures.values())}))
    print(f"\ndone in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
