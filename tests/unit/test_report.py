"""The HTML backtest report: sections, embedding, the numbers behind it, bad input, atomicity."""

from __future__ import annotations

import datetime as dt
import math
import re

import polars as pl
import pytest

from fastopt import iron_condor
from fastopt.backtest import BacktestResult, run_backtest
from fastopt.backtest import report as rp
from fastopt.backtest.report import write_report
from fastopt.data import generate_chains

PLOTLY_MARKER = "* plotly.js v"  # the licence header of the plotly.js bundle
ALL_SECTIONS = (
    rp.H_METRICS,
    rp.H_EQUITY,
    rp.H_MONTHLY,
    rp.H_PARAMS,
    rp.H_BEST,
    rp.H_TRADES,
    rp.H_RECENT,
    rp.H_WALK,
    rp.H_PAYOFF,
)


@pytest.fixture(scope="module")
def backtest():
    chain = generate_chains(start="2017-10-02", end="2018-06-29", max_dte=60, seed=2)
    res = run_backtest(chain, "iron_condor", short_delta=0.16, width=50.0)
    underlying = chain.group_by("date", maintain_order=True).agg(pl.col("underlying").first())
    return res, underlying


@pytest.fixture(scope="module")
def batch():
    return pl.DataFrame(
        {
            "set": list(range(8)),
            "short_delta": [0.1, 0.1, 0.2, 0.2] * 2,
            "width": [25.0, 50.0] * 4,
            "min_dte": [20] * 4 + [30] * 4,
            "sharpe": [1.0, float("nan"), 0.5, 2.0, 1.5, None, 0.7, -1.0],
            "total_return": [0.1, 0.2, 0.05, 0.3, 0.15, 0.0, 0.07, -0.1],
            "max_drawdown": [-0.1] * 8,
            "annual_volatility": [0.2, 0.1, 0.3, 0.25, 0.05, 0.4, 0.15, 0.35],
            "n_trades": [5] * 8,
        }
    )


@pytest.fixture(scope="module")
def strategy():
    return iron_condor(
        2500.0, 2400.0, 2450.0, 2550.0, 2600.0, "2018-08-17", vol=0.15, asof="2018-06-29"
    )


@pytest.fixture(scope="module")
def full_report(backtest, batch, strategy, tmp_path_factory):
    res, underlying = backtest
    walk = pl.DataFrame(
        {
            "window": [0, 1],
            "test_start": [dt.date(2018, 1, 2), dt.date(2018, 4, 2)],
            "sharpe": [1.25, 0.4],
            "note": ["<b>bold</b>", "ok"],
        }
    )
    path = tmp_path_factory.mktemp("report") / "sub" / "report.html"
    out = write_report(
        path,
        res,
        title="Iron condor <script>alert('x')</script>",
        underlying=underlying,
        batch=batch,
        batch_params=["short_delta", "width", "min_dte"],
        walk_forward=walk,
        strategy=strategy,
        top=5,
    )
    return out, out.read_text(encoding="utf-8")


def _section(page: str, heading: str) -> str:
    """The HTML of the section under ``heading``."""
    start = page.index(f"<h2>{heading}")
    return page[start : page.index("</section>", start)]


def _first_column(table_html: str) -> list[str]:
    body = table_html[table_html.index("<tbody>") :]
    return re.findall(r"<tr><td[^>]*>([^<]*)</td>", body)


# --------------------------------------------------------------------------- the page
def test_full_report_has_every_section(full_report):
    path, page = full_report
    assert path.name == "report.html"
    assert path.is_file()
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    for heading in ALL_SECTIONS:
        assert f"<h2>{heading}" in page, heading
    assert f"<h2>{rp.H_EQUITY} vs buy-and-hold</h2>" in page
    assert "buy &amp; hold" in page  # the header's benchmark return
    assert "By exit reason" in page
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"]  # no temp file


def test_plotly_embedded_once_and_offline(full_report):
    _, page = full_report
    assert page.count(PLOTLY_MARKER) == 1
    assert page.count("window.PlotlyConfig") == 1
    assert page.count('class="plotly-graph-div"') == 4  # equity, monthly, params, payoff
    script_tags = re.findall(r"<script[^>]*>", page)
    assert all("src" not in tag for tag in script_tags)
    assert not re.search(r"<script[^>]*src=[\"']?https?://", page)
    assert 'src="https://cdn.plot.ly' not in page
    # plotly.js precedes every figure that calls it
    assert page.index(PLOTLY_MARKER) < page.index("Plotly.newPlot")


def test_text_is_escaped(full_report):
    _, page = full_report
    assert "<script>alert(" not in page
    assert "<title>Iron condor &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</title>" in page
    assert "<h1>Iron condor &lt;script&gt;" in page
    walk = _section(page, rp.H_WALK)
    assert "&lt;b&gt;bold&lt;/b&gt;" in walk
    assert "<b>" not in walk
    assert "2018-04-02" in walk
    assert "1.25" in walk


def test_minimal_report_has_only_the_fixed_sections(backtest, tmp_path):
    res, _ = backtest
    page = write_report(tmp_path / "r.html", res).read_text(encoding="utf-8")
    for heading in (rp.H_METRICS, rp.H_EQUITY, rp.H_MONTHLY, rp.H_TRADES, rp.H_RECENT):
        assert f"<h2>{heading}" in page
    for heading in (rp.H_PARAMS, rp.H_BEST, rp.H_WALK, rp.H_PAYOFF, "vs buy-and-hold"):
        assert heading not in page
    assert page.count(PLOTLY_MARKER) == 1
    assert page.count('class="plotly-graph-div"') == 2
    assert "<title>fastopt backtest</title>" in page


def test_headline_metrics_are_formatted(backtest, full_report):
    res, _ = backtest
    _, page = full_report
    metrics = _section(page, rp.H_METRICS)
    m = res.metrics.row(0, named=True)
    assert (
        f'<div class="v">{m["total_return"]:.2%}</div><div class="l">Total return</div>' in metrics
    )
    assert f'<div class="v">{m["max_drawdown"]:.2%}</div>' in metrics
    assert f'<div class="v">{m["win_rate"]:.2%}</div><div class="l">Win rate</div>' in metrics
    assert f'<div class="v">{m["n_trades"]}</div><div class="l">Trades</div>' in metrics
    assert f'<div class="v">{m["sharpe"]:.4g}</div><div class="l">Sharpe</div>' in metrics


def test_recent_trades_are_the_last_twenty(tmp_path, backtest):
    res, _ = backtest
    trades = pl.concat([res.trades] * 3)  # > 20 rows
    big = BacktestResult(equity=res.equity, trades=trades, metrics=res.metrics)
    page = write_report(tmp_path / "r.html", big).read_text(encoding="utf-8")
    recent = _section(page, rp.H_RECENT)
    assert recent.count("<tr><td") == rp.RECENT_TRADES
    assert f"the last 20 of {trades.height} trades" in recent
    assert _first_column(recent) == [d.isoformat() for d in trades["entry_date"].tail(20)]


def test_report_without_trades(tmp_path, backtest):
    res, _ = backtest
    empty = BacktestResult(equity=res.equity, trades=res.trades.head(0), metrics=res.metrics)
    page = write_report(tmp_path / "r.html", empty).read_text(encoding="utf-8")
    stats = _section(page, rp.H_TRADES)
    assert '<td class="t">Trades</td><td>0</td>' in stats
    assert rp.H_RECENT not in page


def test_same_inputs_same_bytes(backtest, tmp_path):
    res, _ = backtest
    a = write_report(tmp_path / "a.html", res).read_bytes()
    b = write_report(tmp_path / "b.html", res).read_bytes()
    assert a == b


# --------------------------------------------------------------------------- the numbers
def test_monthly_returns_by_hand():
    equity = pl.DataFrame(
        {
            "date": [
                dt.date(2025, 1, 15),
                dt.date(2025, 1, 31),
                dt.date(2025, 2, 14),
                dt.date(2025, 2, 28),
            ],
            "equity": [104.0, 110.0, 120.0, 99.0],
        }
    )
    out = rp._monthly_returns(equity, 100.0)
    assert out["year"].to_list() == [2025, 2025]
    assert out["month"].to_list() == [1, 2]
    assert out["equity"].to_list() == [110.0, 99.0]
    assert out["return"].to_list() == pytest.approx([0.10, -0.10])


def test_monthly_returns_across_years_and_gaps():
    equity = pl.DataFrame(
        {
            "date": [
                dt.date(2024, 12, 2),
                dt.date(2024, 12, 31),
                dt.date(2025, 1, 30),
                dt.date(2025, 3, 3),
            ],  # no February
            "equity": [200.0, 190.0, 209.0, 250.8],
        }
    ).reverse()  # unsorted input
    out = rp._monthly_returns(equity, 200.0)
    assert list(zip(out["year"], out["month"], strict=True)) == [(2024, 12), (2025, 1), (2025, 3)]
    assert out["return"].to_list() == pytest.approx([-0.05, 0.10, 0.20])


def test_start_equity_is_capital():
    equity = pl.DataFrame({"date": [dt.date(2025, 1, 2)], "equity": [99_940.0], "pnl": [-60.0]})
    assert rp._start_equity(equity) == 100_000.0
    assert rp._start_equity(equity.drop("pnl")) == 99_940.0


def test_buy_and_hold_rebased_on_first_equity_date():
    d = [dt.date(2025, 1, k) for k in (2, 3, 6, 7)]
    equity = pl.DataFrame({"date": d[1:], "equity": [1.0, 1.0, 1.0]})
    underlying = pl.DataFrame({"date": [d[0], d[1], d[3]], "underlying": [40.0, 50.0, 60.0]})
    out = rp._buy_and_hold(equity, underlying, 1000.0)
    assert out.to_list() == pytest.approx([1000.0, 1000.0, 1200.0])  # Jan 6 carried forward
    with pytest.raises(ValueError, match="`underlying` needs a finite value > 0"):
        rp._buy_and_hold(equity, underlying.filter(pl.col("date") != d[1]), 1000.0)


def test_buy_and_hold_trace_in_equity_figure(backtest):
    res, underlying = backtest
    start = rp._start_equity(res.equity)
    bench = rp._buy_and_hold(res.equity, underlying, start)
    fig = rp._equity_figure(res.equity, bench)
    assert [t.name for t in fig.data] == ["equity", "drawdown", "buy & hold"]
    first_u = underlying.filter(pl.col("date") == res.equity["date"][0])["underlying"][0]
    last_u = underlying.filter(pl.col("date") == res.equity["date"][-1])["underlying"][0]
    assert fig.data[2].y[0] == pytest.approx(start)
    assert fig.data[2].y[-1] == pytest.approx(start * last_u / first_u)


def test_best_sets_order(batch):
    best = rp._best_sets(batch, "sharpe", 10)
    assert best["set"].to_list()[:6] == [3, 4, 0, 6, 2, 7]
    assert set(best["set"].to_list()[6:]) == {1, 5}  # NaN and null last
    assert rp._best_sets(batch, "sharpe", 3)["set"].to_list() == [3, 4, 0]
    # lower is better for volatility
    assert rp._best_sets(batch, "annual_volatility", 2)["set"].to_list() == [4, 1]
    assert best.columns == batch.columns


def test_best_sets_table_in_page(full_report):
    _, page = full_report
    best = _section(page, rp.H_BEST)
    assert _first_column(best) == ["3", "4", "0", "6", "2"]  # top=5
    assert "the 5 of 8 sets with the highest sharpe" in best


def test_param_pivot_takes_the_best_over_the_other_params():
    batch = pl.DataFrame(
        {
            "a": [1, 1, 1, 1, 2, 2, 2, 2],
            "b": [10, 10, 20, 20, 10, 10, 20, 20],
            "c": [0, 1, 0, 1, 0, 1, 0, 1],
            "sharpe": [0.5, 0.9, -1.0, float("nan"), 2.0, 1.0, None, None],
            "annual_volatility": [0.3, 0.2, 0.1, 0.4, 0.5, 0.6, 0.7, 0.05],
        }
    )
    out = rp._param_pivot(batch, "a", "b", "sharpe")
    assert out.columns == ["a", "b", "sharpe"]
    assert out.rows() == [(1, 10, 0.9), (1, 20, -1.0), (2, 10, 2.0), (2, 20, None)]
    vol = rp._param_pivot(batch, "a", "b", "annual_volatility")
    assert vol["annual_volatility"].to_list() == [0.2, 0.1, 0.5, 0.05]  # min: lower is better


def test_param_figure_heatmap_and_line(batch):
    fig = rp._param_figure(batch, ["short_delta", "width", "min_dte"], "sharpe")
    (heat,) = fig.data
    assert list(heat.x) == ["0.1", "0.2"]
    assert list(heat.y) == ["25.0", "50.0"]
    assert [list(r) for r in heat.z] == [[1.5, 0.7], [None, 2.0]]  # z[y][x], max over min_dte
    line = rp._param_figure(batch, ["width"], "sharpe").data[0]
    assert list(line.x) == [25.0, 50.0]
    assert list(line.y) == [1.5, 2.0]


def test_trade_stats_by_hand():
    trades = pl.DataFrame(
        {
            "pnl": [100.0, -50.0, 300.0, -150.0, 0.0],
            "exit_reason": ["profit_target", "stop_loss", "profit_target", "expiry", "expiry"],
            "days_held": [10, 20, 30, 40, 50],
            "commissions": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    stats = dict(rp._trade_stats(trades))
    assert stats["Trades"] == "5"
    assert stats["Win rate"] == "40.00%"
    assert stats["Average win"] == "200.00"
    assert stats["Average loss"] == "-100.00"
    assert stats["Largest win"] == "300.00"
    assert stats["Largest loss"] == "-150.00"
    assert stats["Average days held"] == "30.0"
    assert stats["Total commissions"] == "15.00"
    reasons = rp._exit_reasons(trades)
    assert reasons.rows() == [
        ("expiry", 2, -150.0, 0.4),
        ("profit_target", 2, 400.0, 0.4),
        ("stop_loss", 1, -50.0, 0.2),
    ]


def test_formatting():
    assert rp._fmt(None) == "–"
    assert rp._fmt(0.1234, "total_return") == "12.34%"
    assert rp._fmt(-1352.0117, "pnl") == "-1,352.01"
    assert rp._fmt(123456.789) == "123,456.79"
    assert rp._fmt(0.16) == "0.16"
    assert rp._fmt(math.nan) == "NaN"
    assert rp._fmt(12000) == "12,000"
    assert rp._fmt(["-1 P 2500", "1 P 2450"]) == "-1 P 2500, 1 P 2450"
    assert rp._fmt(dt.date(2018, 3, 16)) == "2018-03-16"


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"result": "nope"}, TypeError, "`result` must be a fastopt.backtest.BacktestResult"),
        ({"path": 3}, TypeError, "`path` must be a str or path-like"),
        ({"title": 5}, TypeError, "`title` must be a str"),
        ({"top": 0}, ValueError, "`top` must be >= 1"),
        ({"top": 2.5}, TypeError, "`top` must be an integer"),
        ({"metric": 1}, TypeError, "`metric` must be a str"),
        ({"batch": "x"}, TypeError, "`batch` must be a polars DataFrame"),
        ({"batch": "BATCH", "metric": "calmar"}, ValueError, "`metric` 'calmar' is not a column"),
        (
            {"batch": "BATCH", "batch_params": ["delta"]},
            ValueError,
            r"`batch_params` names \['delta'\]",
        ),
        (
            {"batch": "BATCH", "batch_params": "width"},
            TypeError,
            "`batch_params` must be a sequence",
        ),
        (
            {"batch": "BATCH", "batch_params": ["sharpe"]},
            ValueError,
            "`metric` 'sharpe' is one of `batch_params`",
        ),
        ({"batch_params": ["width"]}, ValueError, "`batch_params` given without `batch`"),
        ({"underlying": [1, 2]}, TypeError, "`underlying` must be a polars DataFrame"),
        ({"underlying": "NO_COLUMN"}, ValueError, r"`underlying` needs columns \['underlying'\]"),
        ({"walk_forward": {"a": 1}}, TypeError, "`walk_forward` must be a polars DataFrame"),
        ({"strategy": "condor"}, TypeError, "`strategy` must be a fastopt Strategy"),
    ],
)
def test_bad_inputs_name_the_argument(backtest, batch, tmp_path, kwargs, exc, match):
    res, underlying = backtest
    args = {"path": tmp_path / "r.html", "result": res, **kwargs}
    if args.get("batch") == "BATCH":
        args["batch"] = batch
    if args.get("underlying") == "NO_COLUMN":
        args["underlying"] = underlying.rename({"underlying": "close"})
    with pytest.raises(exc, match=match):
        write_report(**args)
    assert list(tmp_path.iterdir()) == []


def test_path_that_is_a_directory(backtest, tmp_path):
    res, _ = backtest
    with pytest.raises(ValueError, match=r"`path` .* is a directory"):
        write_report(tmp_path, res)


def test_underlying_missing_first_date(backtest, tmp_path):
    res, underlying = backtest
    late = underlying.filter(pl.col("date") > res.equity["date"][0])
    with pytest.raises(ValueError, match="`underlying` needs a finite value > 0 on the first"):
        write_report(tmp_path / "r.html", res, underlying=late)


# --------------------------------------------------------------------------- atomicity
def test_render_failure_leaves_no_file(backtest, tmp_path, monkeypatch):
    res, _ = backtest

    def boom(*args, **kwargs):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(rp, "_monthly_figure", boom)
    old = tmp_path / "old.html"
    old.write_text("previous report")
    with pytest.raises(RuntimeError, match="figure failed"):
        write_report(old, res)
    with pytest.raises(RuntimeError, match="figure failed"):
        write_report(tmp_path / "new" / "r.html", res)
    assert [p.name for p in tmp_path.iterdir()] == ["old.html"]  # no temp file, no new dir
    assert old.read_text() == "previous report"


def test_write_failure_removes_the_temp_file(backtest, tmp_path, monkeypatch):
    import fastopt.viz.export as export

    res, _ = backtest

    def fail_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(export.os, "replace", fail_replace)
    with pytest.raises(OSError, match="disk full"):
        write_report(tmp_path / "r.html", res)
    assert list(tmp_path.iterdir()) == []
