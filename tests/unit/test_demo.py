"""The main job runs end to end on the bundled data and prints its tables."""

from __future__ import annotations

from fastopt import demo


def test_demo_prints_chain_and_analytics(capsys):
    demo.main()
    out = capsys.readouterr().out
    assert "S&P 500 on 2018-12-31: close 2506.85, VIX 25.42" in out
    assert "implied-vol round trip: prices reproduced to" in out
    assert "realised vol 21d (yang_zhang)" in out
    assert "30d expected move from ATM straddle" in out


def test_chain_covers_expiries_and_strikes():
    chain = demo.build_chain(2500.0, 0.2)
    assert chain.height == 2 * len(demo.EXPIRY_DAYS) * 33
    assert set(chain["kind"].unique()) == {"call", "put"}
    assert chain["iv"].min() > 0.0
