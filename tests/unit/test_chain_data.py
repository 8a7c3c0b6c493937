"""Chain data layer: schema validation, loaders, synthetic chains, resampling."""

from __future__ import annotations

import datetime as dt
import math
import re

import numba
import numpy as np
import pandas as pd
import polars as pl
import pytest

from fastopt.data import (
    CHAIN_SCHEMA,
    REQUIRED_COLUMNS,
    ValidationReport,
    generate_chains,
    load_chain,
    load_sp500_vix,
    resample_underlying,
    validate_chain,
)
from fastopt.exceptions import FastoptWarning

D1, D2 = dt.date(2024, 1, 2), dt.date(2024, 1, 3)
EXP = dt.date(2024, 1, 19)


def good_chain() -> pl.DataFrame:
    """2 dates x 2 strikes x call/put, sorted, valid."""
    rows = []
    for d, spot in ((D1, 101.0), (D2, 102.0)):
        for k in (100.0, 105.0):
            for kind in ("call", "put"):
                intrinsic = max(spot - k, 0.0) if kind == "call" else max(k - spot, 0.0)
                rows.append((d, EXP, k, kind, intrinsic + 1.0, intrinsic + 1.2, spot))
    return pl.DataFrame(rows, schema=list(REQUIRED_COLUMNS), orient="row")


def with_value(frame: pl.DataFrame, row: int, column: str, value: object) -> pl.DataFrame:
    values = frame[column].to_list()
    values[row] = value
    return frame.with_columns(pl.Series(column, values, dtype=frame.schema[column]))


# ---------------------------------------------------------------- schema


def test_valid_chain_passes_unchanged():
    chain = good_chain()
    out, report = validate_chain(chain)
    assert out.equals(chain)
    assert isinstance(report, ValidationReport)
    assert (report.n_input, report.n_output, report.n_dropped) == (8, 8, 0)
    assert not report.resorted
    assert dict(report.counts) == {}
    assert report.casts == ()


def test_missing_columns_are_named_with_their_dtype():
    with pytest.raises(ValueError, match=r"missing required column\(s\) `bid` \(Float64\)"):
        validate_chain(good_chain().drop("bid"))
    with pytest.raises(ValueError, match=r"`expiry` \(Date\); `underlying` \(Float64\)"):
        validate_chain(good_chain().drop("expiry", "underlying"))


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("strike", ["100"] * 8, "Float64"),
        ("bid", [True] * 8, "Float64"),
        ("kind", [1] * 8, "String"),
        ("expiry", [1.5] * 8, "Date"),
        ("date", ["not a date"] * 8, "Date"),
    ],
)
def test_mistyped_columns_are_named(column, values, expected):
    frame = good_chain().with_columns(pl.Series(column, values))
    with pytest.raises(ValueError, match=rf"chain column `{column}` has dtype .*{expected}"):
        validate_chain(frame)


def test_safe_casts_are_applied_and_reported():
    chain = good_chain().with_columns(
        pl.col("strike").cast(pl.Int64),
        pl.col("date").cast(pl.String),
        pl.col("expiry").cast(pl.Datetime("us")),
        pl.col("kind").replace({"call": "C", "put": "P"}).cast(pl.Categorical),
        pl.lit(7, dtype=pl.Int32).alias("volume"),
    )
    out, report = validate_chain(chain)
    assert out.schema["strike"] == pl.Float64
    assert out.schema["date"] == pl.Date
    assert out.schema["expiry"] == pl.Date
    assert out.schema["kind"] == pl.String
    assert out.schema["volume"] == pl.Int64
    assert out["kind"].to_list()[:2] == ["call", "put"]
    assert out.drop("volume").equals(good_chain())
    assert any(c.startswith("strike: Int64 -> Float64") for c in report.casts)
    assert len(report.casts) == 5


def test_datetime_quote_dates_are_kept_for_intraday_data():
    chain = good_chain().with_columns(
        (pl.col("date").cast(pl.Datetime("us")) + pl.duration(hours=10)).alias("date")
    )
    out, _ = validate_chain(chain)
    assert out.schema["date"] == pl.Datetime("us")


BAD_ROWS = [
    ("bid", 2.0, "crossed_quote", "crossed quote"),  # ask of row 2 is 1.2
    ("bid", -0.5, "negative_price", "negative bid, ask or last"),
    ("strike", 0.0, "non_positive_strike", "strike <= 0"),
    ("strike", -5.0, "non_positive_strike", "strike <= 0"),
    ("underlying", 0.0, "non_positive_underlying", "underlying <= 0"),
    ("expiry", dt.date(2023, 12, 29), "expiry_before_date", "expiry before the quote date"),
    ("kind", "straddle", "bad_kind", "kind is not"),
    ("ask", math.nan, "non_finite", "NaN or infinite"),
    ("underlying", None, "null_key", "a null date"),
]


@pytest.mark.parametrize(("column", "value", "reason", "text"), BAD_ROWS)
def test_each_bad_row_is_named(column, value, reason, text):
    chain = with_value(good_chain(), 2, column, value)
    with pytest.raises(ValueError, match=re.escape(text)) as info:
        validate_chain(chain)
    message = str(info.value)
    assert "1 bad row(s)" in message
    assert "row 2:" in message
    assert f"{column}={value!r}" in message or column == "kind"
    assert "row 0:" not in message
    out, report = validate_chain(chain, drop_invalid=True)
    assert dict(report.counts) == {reason: 1}
    assert report.dropped["row"].to_list() == [2]
    assert report.dropped["reason"].to_list() == [reason]
    assert out.height == 7
    assert out.equals(good_chain().filter(pl.int_range(pl.len()) != 2))


def test_duplicate_keys_flag_the_later_rows():
    chain = pl.concat([good_chain(), good_chain().slice(1, 2)])
    with pytest.raises(ValueError, match=r"2 row\(s\) with duplicate") as info:
        validate_chain(chain)
    assert "row 8:" in str(info.value)
    assert "row 9:" in str(info.value)
    out, report = validate_chain(chain, drop_invalid=True)
    assert out.equals(good_chain())
    assert report.dropped["row"].to_list() == [8, 9]


def test_duplicates_with_a_root_column_are_distinct_roots():
    a = good_chain().with_columns(pl.lit("SPX").alias("root"))
    b = good_chain().with_columns(pl.lit("SPXW").alias("root"))
    out, report = validate_chain(pl.concat([a, b]))
    assert out.height == 16
    assert report.resorted  # interleaved by root after sorting
    assert out["root"].to_list()[:2] == ["SPX", "SPXW"]


def test_error_shows_at_most_five_rows_and_the_count():
    chain = good_chain().with_columns(pl.col("bid") + 10.0)
    with pytest.raises(ValueError, match=r"8 row\(s\) with crossed quote") as info:
        validate_chain(chain)
    message = str(info.value)
    assert [f"row {i}:" in message for i in range(8)] == [True] * 5 + [False] * 3


def test_report_counts_several_reasons():
    chain = with_value(with_value(good_chain(), 1, "bid", 5.0), 6, "strike", -1.0)
    chain = with_value(chain, 7, "bid", -1.0)
    out, report = validate_chain(chain, drop_invalid=True)
    assert dict(report.counts) == {
        "non_positive_strike": 1,
        "negative_price": 1,
        "crossed_quote": 1,
    }
    assert report.dropped.columns == ["row", *good_chain().columns, "reason"]
    assert sorted(report.dropped["row"].to_list()) == [1, 6, 7]
    assert out.height == 5
    assert "8 rows in, 5 out" in str(report)


def test_unsorted_input_is_sorted_and_reported():
    chain = good_chain()
    shuffled = chain.sample(fraction=1.0, shuffle=True, seed=3)
    assert not shuffled.equals(chain)
    out, report = validate_chain(shuffled)
    assert out.equals(chain)
    assert report.resorted
    assert report.n_dropped == 0


def test_null_quotes_are_allowed():
    out, report = validate_chain(with_value(good_chain(), 3, "bid", None))
    assert out["bid"].null_count() == 1
    assert report.n_dropped == 0


def test_validate_rejects_non_frames():
    with pytest.raises(TypeError, match=r"polars\.DataFrame"):
        validate_chain(good_chain().to_dict())  # type: ignore[arg-type]


def test_schema_lists_every_documented_column():
    assert set(REQUIRED_COLUMNS) == {
        "date",
        "expiry",
        "strike",
        "kind",
        "bid",
        "ask",
        "underlying",
    }
    assert {"iv", "delta", "volume", "open_interest", "root", "symbol", "last"} <= set(CHAIN_SCHEMA)


# ---------------------------------------------------------------- loaders

VENDOR = {
    "quotedate": "date",
    "expiration": "expiry",
    "type": "kind",
    "underlying_last": "underlying",
}


def vendor_chain() -> pl.DataFrame:
    inverse = {v: k for k, v in VENDOR.items()}
    return (
        good_chain()
        .with_columns(pl.col("kind").replace({"call": "C", "put": "P"}))
        .rename(inverse)
        .with_columns(pl.lit("SPX").alias("underlying_symbol"))
    )


def test_column_mapping_and_kind_normalisation():
    out = load_chain(vendor_chain(), columns=VENDOR)
    assert out.drop("underlying_symbol").equals(good_chain())
    with pytest.raises(ValueError, match=r"maps \['nope'\] but the source has no such"):
        load_chain(vendor_chain(), columns={**VENDOR, "nope": "iv"})
    with pytest.raises(ValueError, match="missing required column"):
        load_chain(vendor_chain())


def test_pandas_input_is_converted():
    src = good_chain()
    pdf = pd.DataFrame({c: src[c].to_list() for c in src.columns})
    pdf["date"] = pd.to_datetime(pdf["date"])  # datetime64 at midnight
    pdf["expiry"] = pdf["expiry"].astype(str)  # strings
    pdf["kind"] = pdf["kind"].astype("category")
    out = load_chain(pdf)
    assert out.equals(src)
    indexed = load_chain(pdf.set_index("date"))
    assert indexed.select(src.columns).equals(src)


def test_pandas_missing_values_become_nulls():
    pdf = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-02"] * 2, utc=True),
            "expiry": pd.to_datetime(["2024-01-05"] * 2),
            "strike": [1.0, 2.0],
            "kind": ["c", "P"],
            "bid": [np.nan, 0.5],
            "ask": [np.nan, 0.6],
            "underlying": [1.5, 1.5],
            "volume": pd.array([1, None], dtype="Int64"),
            "root": ["X", None],
        }
    )
    out = load_chain(pdf)
    assert out["bid"].to_list() == [None, 0.5]
    assert out["volume"].to_list() == [1, None]
    assert out["kind"].to_list() == ["call", "put"]
    assert out.schema["date"] == pl.Date


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_file_round_trip(tmp_path, suffix):
    src = vendor_chain()
    path = tmp_path / f"chain{suffix}"
    if suffix == ".csv":
        src.write_csv(path)
    else:
        src.write_parquet(path)
    out = load_chain(path, columns=VENDOR)
    assert out.drop("underlying_symbol").equals(good_chain())
    assert load_chain(str(path), columns=VENDOR, start=D2).height == 4


def test_lazy_loading_pushes_the_date_range_down(tmp_path):
    path = tmp_path / "chain.parquet"
    good_chain().write_parquet(path)
    lf = load_chain(path, lazy=True, start="2024-01-03", end=D2)
    assert isinstance(lf, pl.LazyFrame)
    plan = lf.explain()
    scan = plan[plan.index("Parquet SCAN") :]
    assert "SELECTION" in scan
    assert "2024-01-03" in scan
    out, report = validate_chain(lf.collect())
    assert out["date"].unique().to_list() == [D2]
    assert out.height == 4
    assert report.n_dropped == 0
    assert load_chain(path, lazy=True, end="2024-01-02").collect()["date"].max() == D1


def test_date_range_on_intraday_datetimes():
    chain = good_chain().with_columns(
        (pl.col("date").cast(pl.Datetime("us")) + pl.duration(hours=15)).alias("date")
    )
    out = load_chain(chain, start=D2, end=D2)
    assert out.height == 4
    assert out.schema["date"] == pl.Datetime("us")


def test_loader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="chain file not found"):
        load_chain(tmp_path / "nope.parquet")
    (tmp_path / "chain.xlsx").write_text("x")
    with pytest.raises(ValueError, match=r"suffix '\.xlsx'; expected one of \.parquet"):
        load_chain(tmp_path / "chain.xlsx")
    with pytest.raises(TypeError, match="`source` must be"):
        load_chain(42)
    with pytest.raises(ValueError, match="is after `end`"):
        load_chain(good_chain(), start=D2, end=D1)


def test_load_with_drop_invalid_warns_with_the_report():
    bad = with_value(good_chain(), 0, "bid", 9.0)
    with pytest.warns(FastoptWarning, match=r"8 rows in, 7 out; 1 dropped: crossed quote"):
        out = load_chain(bad, drop_invalid=True)
    assert out.height == 7
    with pytest.raises(ValueError, match="row 0:"):
        load_chain(bad)


# ---------------------------------------------------------------- synthetic chains

START, END = "2018-01-29", "2018-02-09"  # includes the Feb-2018 volatility spike


@pytest.fixture(scope="module")
def chain() -> pl.DataFrame:
    return generate_chains(start=START, end=END, max_dte=35)


def test_generated_chain_has_the_schema_and_validates(chain):
    assert chain.schema == pl.Schema(
        {
            "date": pl.Date,
            "expiry": pl.Date,
            "strike": pl.Float64,
            "kind": pl.String,
            "bid": pl.Float64,
            "ask": pl.Float64,
            "underlying": pl.Float64,
            "iv": pl.Float64,
            "delta": pl.Float64,
        }
    )
    out, report = validate_chain(chain)
    assert report.n_dropped == 0
    assert not report.resorted
    assert out.equals(chain)
    assert chain["date"].n_unique() == 10
    assert (chain["ask"] > chain["bid"]).all()
    sp = load_sp500_vix().filter(pl.col("date").is_between(dt.date(2018, 1, 29), D2))
    first = chain.filter(pl.col("date") == dt.date(2018, 1, 29))
    assert first["underlying"][0] == sp["close"][0]


def test_generator_is_deterministic_per_seed(chain):
    again = generate_chains(start=START, end=END, max_dte=35)
    assert again.equals(chain)
    other = generate_chains(start=START, end=END, max_dte=35, seed=1)
    assert other.drop("bid", "ask").equals(chain.drop("bid", "ask"))
    changed = (other["ask"] - other["bid"]) != (chain["ask"] - chain["bid"])
    assert changed.mean() > 0.3


def test_put_call_parity_of_mids_within_half_a_spread(chain):
    wide = (
        chain.with_columns(
            mid=(pl.col("bid") + pl.col("ask")) / 2, spread=pl.col("ask") - pl.col("bid")
        )
        .pivot(
            on="kind", index=["date", "expiry", "strike", "underlying"], values=["mid", "spread"]
        )
        .drop_nulls()
    )
    parity = wide["mid_call"] - wide["mid_put"] - (wide["underlying"] - wide["strike"])
    half = (wide["spread_call"] + wide["spread_put"]) / 2
    assert wide.height > 1000
    assert (parity.abs() <= half + 1e-9).all()


def test_spreads_widen_away_from_the_money(chain):
    otm = chain.filter(
        pl.col("expiry") > pl.col("date"),
        pl.col("bid") > 0,
        ((pl.col("kind") == "call") & (pl.col("strike") > pl.col("underlying")))
        | ((pl.col("kind") == "put") & (pl.col("strike") < pl.col("underlying"))),
    ).with_columns(
        rel=(pl.col("ask") - pl.col("bid")) / (pl.col("ask") + pl.col("bid")) * 2,
        dist=(pl.col("strike") / pl.col("underlying")).log().abs(),
    )
    near = otm.filter(pl.col("dist") < 0.01)["rel"].median()
    far = otm.filter(pl.col("dist") > 0.04)["rel"].median()
    assert far > 1.5 * near  # type: ignore[operator]
    # and when volatility is high: the VIX spiked on 2018-02-05
    calm = chain.filter(pl.col("date") == dt.date(2018, 1, 29))
    stressed = chain.filter(pl.col("date") == dt.date(2018, 2, 6))
    assert stressed["iv"].median() > 1.5 * calm["iv"].median()  # type: ignore[operator]


def test_weekly_and_monthly_expiries(chain):
    expiries = chain["expiry"].unique().sort().to_list()
    assert all(e.weekday() == 4 for e in expiries)
    assert dt.date(2018, 2, 16) in expiries  # third Friday
    assert dt.date(2018, 2, 9) in expiries  # weekly
    assert max(chain["expiry"] - chain["date"]).days <= 35  # type: ignore[union-attr]
    monthly = generate_chains(start=START, end=END, max_dte=35, expiries="monthly")
    assert set(monthly["expiry"].unique().to_list()) == {dt.date(2018, 2, 16), dt.date(2018, 3, 16)}
    weekly = generate_chains(start=START, end=END, max_dte=35, expiries="weekly")
    assert dt.date(2018, 2, 16) not in set(weekly["expiry"].to_list())


def test_friday_holiday_expiry_moves_to_thursday():
    # 2018-03-30 was Good Friday: no quote date, the weekly expires on Thursday the 29th
    c = generate_chains(start="2018-03-26", end="2018-03-29", max_dte=7)
    assert dt.date(2018, 3, 29) in c["expiry"].to_list()
    assert dt.date(2018, 3, 30) not in c["expiry"].to_list()


def test_expiry_day_quotes_at_intrinsic(chain):
    today = chain.filter(pl.col("expiry") == pl.col("date"))
    assert today["date"].unique().sort().to_list() == [dt.date(2018, 2, 2), dt.date(2018, 2, 9)]
    intrinsic = np.where(
        today["kind"] == "call",
        np.maximum(today["underlying"] - today["strike"], 0.0),
        np.maximum(today["strike"] - today["underlying"], 0.0),
    )
    mid = ((today["bid"] + today["ask"]) / 2).to_numpy()
    assert np.abs(mid - intrinsic).max() <= 0.025 + 1e-12
    itm = intrinsic > 1.0
    assert np.allclose(today["ask"].to_numpy()[itm] - intrinsic[itm], 0.025)
    assert np.allclose(np.abs(today["delta"].to_numpy()[itm]), 1.0)


def test_strike_grid_and_custom_underlying():
    days = pl.date_range(dt.date(2024, 1, 1), dt.date(2024, 3, 29), "1d", eager=True)
    days = days.filter(days.dt.weekday() <= 5)
    close = 100.0 * np.exp(np.cumsum(np.full(days.len(), 0.001)))
    frame = pl.DataFrame({"date": days, "close": close})
    c = generate_chains(frame, start="2024-03-01", max_dte=14, iv_source="realized")
    strikes = c["strike"].unique().sort()
    assert strikes.diff().drop_nulls().min() == 0.25  # 100 / 300 rounded down to 2.5 * 0.1
    assert c["iv"].min() >= 0.08  # realised vol of a straight line: floored at min_vol
    flat = generate_chains(frame, max_dte=14, iv_source=0.3, strike_step=0.1, skew=0.0, curv=0.0)
    assert np.allclose(flat.filter(pl.col("expiry") > pl.col("date"))["iv"], 0.3, atol=0.08)
    assert all(round(k, 1) == k for k in flat["strike"].to_list())  # 43.7, not 43.70000001


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"max_dte": -1}, ValueError, "`max_dte` must be >= 0"),
        ({"expiries": "daily"}, ValueError, "`expiries` must be one of"),
        ({"iv_source": "garch"}, ValueError, "`iv_source` must be one of"),
        ({"tick": 0.0}, ValueError, "`tick` must be > 0"),
        ({"max_moneyness": 1.5}, ValueError, "`max_moneyness` must be < 1"),
        ({"start": "2030-01-01"}, ValueError, "no underlying dates"),
        ({"seed": -1}, ValueError, "`seed` must be a non-negative int"),
        ({"underlying": [1, 2]}, TypeError, "`underlying` must be None"),
        ({"underlying": pl.DataFrame({"date": [D1]})}, ValueError, r"needs columns \['close'\]"),
    ],
)
def test_generator_argument_errors(kwargs, error, text):
    with pytest.raises(error, match=text):
        generate_chains(**kwargs)


# ---------------------------------------------------------------- resampling


def test_resample_intraday_ohlc():
    rng = np.random.default_rng(7)
    times = pl.datetime_range(
        dt.datetime(2024, 1, 1, 9, 30), dt.datetime(2024, 1, 12, 16, 0), "30m", eager=True
    )
    times = times.filter(times.dt.hour().is_between(9, 15) & (times.dt.weekday() <= 5))
    close = 100 + np.cumsum(rng.normal(0, 0.2, times.len()))
    bars = pl.DataFrame(
        {
            "ts": times,
            "open": close + rng.normal(0, 0.05, close.size),
            "close": close,
            "volume": rng.integers(1, 100, close.size),
        }
    ).with_columns(
        high=pl.max_horizontal("open", "close") + 0.1,
        low=pl.min_horizontal("open", "close") - 0.1,
    )
    daily = resample_underlying(bars.reverse(), "1d", time_column="ts")
    assert daily.columns == ["ts", "open", "high", "low", "close", "volume"]
    assert daily.height == 10  # two weeks of weekdays
    for day, group in bars.group_by(pl.col("ts").dt.date()):
        row = daily.filter(pl.col("ts").dt.date() == day[0]).row(0, named=True)
        assert row["open"] == group["open"][0]
        assert row["high"] == group["high"].max()
        assert row["low"] == group["low"].min()
        assert row["close"] == group["close"][-1]
        assert row["volume"] == group["volume"].sum()
    weekly = resample_underlying(bars, "1w", time_column="ts")
    assert weekly["ts"].dt.weekday().to_list() == [1, 1]  # labelled by the Monday
    assert weekly["high"].max() == bars["high"].max()
    close_only = resample_underlying(bars.select("ts", "close"), "1w", time_column="ts")
    assert close_only["open"].to_list() == [close[0], bars["close"][close.size // 2]]


def test_resample_daily_to_monthly_and_errors():
    sp = load_sp500_vix().filter(pl.col("date").dt.year() == 2018)
    monthly = resample_underlying(sp, "1mo")
    assert monthly.height == 12
    assert monthly["close"][-1] == sp["close"][-1]
    assert monthly["date"][1] == dt.date(2018, 2, 1)
    with pytest.raises(ValueError, match="no time column 'ts'"):
        resample_underlying(sp, time_column="ts")
    with pytest.raises(ValueError, match="needs a `close` column"):
        resample_underlying(sp.drop("close"))


def _parallel_equals_serial(chain: pl.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    import fastopt.data.synthetic as synthetic

    monkeypatch.setattr(synthetic, "PARALLEL_ROWS", 0)
    assert generate_chains(start=START, end=END, max_dte=35).equals(chain)


@pytest.mark.skipif(
    not numba.config.DISABLE_JIT,
    reason="compiling the prange kernel takes ~25 s: see the slow twin",
)
def test_parallel_fill_matches_serial(chain, monkeypatch):
    _parallel_equals_serial(chain, monkeypatch)


@pytest.mark.slow
def test_parallel_fill_matches_serial_compiled(chain, monkeypatch):
    _parallel_equals_serial(chain, monkeypatch)
