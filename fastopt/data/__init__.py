"""Market data: option-chain schema and loaders, synthetic chains, the bundled sample.

* :func:`validate_chain`, :data:`CHAIN_SCHEMA` -- the chain schema (:mod:`.schema`);
* :func:`load_chain` -- Parquet/CSV files, Polars and pandas frames (:mod:`.loaders`);
  :func:`to_polars` -- the frame conversion it and the chain builders share;
* :func:`generate_chains`, :func:`resample_underlying` -- deterministic synthetic
  chains anchored to a real underlying series (:mod:`.synthetic`);
* :func:`load_sp500_vix` -- the bundled S&P 500 / VIX sample.

The bundled file ``sp500_vix_1999_2018.parquet`` holds real daily S&P 500
OHLC (1999-01-04 to 2018-12-31) and the CBOE VIX close (2014-01-03 to
2018-12-31, null before). It is derived from the data files of the ``arch``
package and distributed under the NCSA licence in ``NOTICE.md`` beside it.
"""

from __future__ import annotations

from importlib import resources

import polars as pl

from fastopt.data.loaders import load_chain, to_polars
from fastopt.data.schema import (
    CHAIN_SCHEMA,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ValidationReport,
    validate_chain,
)
from fastopt.data.synthetic import generate_chains, resample_underlying

__all__ = [
    "CHAIN_SCHEMA",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ValidationReport",
    "generate_chains",
    "load_chain",
    "load_sp500_vix",
    "resample_underlying",
    "sample_path",
    "to_polars",
    "validate_chain",
]

_SAMPLE = "sp500_vix_1999_2018.parquet"


def sample_path() -> str:
    """Filesystem path of the bundled S&P 500 / VIX Parquet file."""
    return str(resources.files("fastopt.data").joinpath(_SAMPLE))


def load_sp500_vix() -> pl.DataFrame:
    """Load the bundled daily S&P 500 OHLC and VIX close as a Polars frame.

    Returns
    -------
    polars.DataFrame
        Columns ``date`` (Date), ``open, high, low, close, adj_close``
        (Float64), ``volume`` (Int64), ``vix`` (Float64, in vol points,
        null before 2014-01-03). 5,031 rows, sorted by date.

    Examples
    --------
    >>> from fastopt.data import load_sp500_vix
    >>> df = load_sp500_vix()
    >>> df.height, df["date"].min().isoformat(), df["date"].max().isoformat()
    (5031, '1999-01-04', '2018-12-31')
    """
    return pl.read_parquet(sample_path())
