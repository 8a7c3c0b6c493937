"""The structure table: every named option structure, specified once.

Each :class:`StructureSpec` says what a structure is made of: its legs (kind,
signed ratio per unit, the role name of the leg's strike, near or far
expiry), the order its strikes must be in, whether it is opened for a credit
or a debit, and, for the structures the backtest trades, how the backtest
picks each leg from a day's chain. The predefined builders
(:mod:`fastopt.strategies.builders`), the backtest's structure list
(:func:`backtest_legs`, :func:`backtest_debit_structures`,
:func:`backtest_aliases`) and the builder table in ``docs/strategies.md``
all come from :data:`STRUCTURES`.

Codes are the kernels' enums: :data:`~fastopt.kernels.enums.LegKind` for the
kind, :data:`~fastopt.kernels.enums.ExpirySlot` for the expiry and
:data:`~fastopt.kernels.enums.Select` for the backtest's leg selection.

Examples
--------
>>> from fastopt.strategies.structures import STRUCTURES, backtest_legs
>>> ic = STRUCTURES["iron_condor"]
>>> ic.strikes, ic.order, ic.side
(('long_put', 'short_put', 'short_call', 'long_call'), \
'long_put < short_put <= short_call < long_call', 'credit')
>>> [str(leg) for leg in ic.legs]
['+1 P long_put', '-1 P short_put', '-1 C short_call', '+1 C long_call']
>>> backtest_legs()["bull_put_spread"]   # (units, kind, select, ref, slot)
((-1, 1, 0, -1, 0), (1, 1, 1, 0, 0))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeAlias

from fastopt.kernels.enums import ExpirySlot, LegKind, Select

__all__ = [
    "STRUCTURES",
    "BacktestLeg",
    "BacktestSpec",
    "LegRow",
    "LegSpec",
    "Side",
    "StructureSpec",
    "backtest_aliases",
    "backtest_debit_structures",
    "backtest_legs",
]

Side: TypeAlias = Literal["credit", "debit", "either"]
"""How a structure is opened: for a net credit, a net debit, or either (strikes decide)."""
LegRow: TypeAlias = tuple[int, int, int, int, int]
"""A backtest leg row: (signed units, kind, select mode, reference leg or -1, expiry slot)."""

_KIND_LETTER = {LegKind.CALL: "C", LegKind.PUT: "P", LegKind.STOCK: "S"}


@dataclass(frozen=True, slots=True)
class LegSpec:
    """One leg of a structure, per unit of the structure.

    Attributes
    ----------
    kind : int
        A :data:`~fastopt.kernels.enums.LegKind` code (call, put, stock).
    ratio : int
        Signed units per unit of the structure (``-2``: two sold). A stock leg
        counts lots of ``multiplier`` shares.
    strike : str or None
        Role name of the leg's strike, the builder argument that gives it
        (``"long_put"``); ``None`` for stock.
    expiry : int
        An :data:`~fastopt.kernels.enums.ExpirySlot` code: the near (traded)
        expiry or the far expiry of a calendar or diagonal.
    scaled : bool
        The size is the builder's ``ratio`` keyword (with this leg's sign)
        instead of ``ratio`` (ratio spreads and backspreads).
    """

    kind: int
    ratio: int
    strike: str | None = None
    expiry: int = ExpirySlot.NEAR
    scaled: bool = False

    def __str__(self) -> str:
        size = ("+" if self.ratio > 0 else "-") + "ratio" if self.scaled else f"{self.ratio:+d}"
        where = "" if self.strike is None else f" {self.strike}"
        return f"{size} {_KIND_LETTER[self.kind]}{where}"


@dataclass(frozen=True, slots=True)
class BacktestLeg:
    """How the backtest picks one leg of a structure from a day's chain.

    Attributes
    ----------
    leg : int
        Index of the leg in :attr:`StructureSpec.legs`.
    select : int
        A :data:`~fastopt.kernels.enums.Select` code: by |delta|, a wing out of
        or into the money from leg ``of``, the same strike as leg ``of``, or
        the stock.
    of : int
        Index in :attr:`StructureSpec.legs` of the leg a wing or a same-strike
        leg is placed from (picked earlier); -1 when none.
    """

    leg: int
    select: int
    of: int = -1


@dataclass(frozen=True, slots=True)
class BacktestSpec:
    """The backtest's version of a structure.

    Attributes
    ----------
    rank : int
        Position in the backtest's structure list (:func:`backtest_legs`).
    legs : tuple of BacktestLeg
        The legs in the order the backtest picks them.
    name : str
        The backtest's name when it differs from the structure's (``""``: the same).
    aliases : tuple of str
        Other ``structure`` names the backtest accepts for it.
    """

    rank: int
    legs: tuple[BacktestLeg, ...]
    name: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StructureSpec:
    """A named structure.

    Attributes
    ----------
    name : str
        The structure's name (and its builder's).
    description : str
        One line: what the structure is.
    legs : tuple of LegSpec
        The legs in leg order (the order of a builder's ``premiums``); with
        :attr:`put_legs`, the legs when built from calls.
    side : {"credit", "debit", "either"}
        Opened for a net credit, a net debit, or either depending on the strikes.
    order : str
        The strike ordering rule, e.g. ``"lower < middle < upper"`` (``""``: none).
    equal_wings : bool
        The three strikes must be evenly spaced (butterflies).
    put_legs : tuple of LegSpec or None
        The legs when built from puts; when set the builder takes ``kind=``.
    builder : bool
        Whether :mod:`fastopt.strategies.builders` has a builder for it (the
        backtest's ``covered_put`` has none).
    backtest : BacktestSpec or None
        How the backtest trades it; ``None``: not a backtest structure.
    """

    name: str
    description: str
    legs: tuple[LegSpec, ...]
    side: Side
    order: str = ""
    equal_wings: bool = False
    put_legs: tuple[LegSpec, ...] | None = None
    builder: bool = True
    backtest: BacktestSpec | None = None

    @property
    def strikes(self) -> tuple[str, ...]:
        """The strike roles in argument order (the order they first appear in the legs)."""
        return tuple(dict.fromkeys(leg.strike for leg in self.legs if leg.strike is not None))

    @property
    def expiries(self) -> tuple[str, ...]:
        """The expiry arguments: ``("expiry",)`` or ``("near_expiry", "far_expiry")``."""
        if any(leg.expiry == ExpirySlot.FAR for leg in self.legs):
            return ("near_expiry", "far_expiry")
        return ("expiry",)

    @property
    def takes_ratio(self) -> bool:
        """Whether a leg's size is the builder's ``ratio`` keyword."""
        return any(leg.scaled for leg in self.legs)


# --------------------------------------------------------------------------- the table
_C, _P, _S = LegKind.CALL, LegKind.PUT, LegKind.STOCK
_FAR = ExpirySlot.FAR
_DELTA, _OUT, _SAME, _IN, _STOCK = (
    Select.DELTA,
    Select.WING_OUT,
    Select.SAME_STRIKE,
    Select.WING_IN,
    Select.STOCK,
)


def _bt(
    rank: int, *legs: tuple[int, ...], name: str = "", aliases: tuple[str, ...] = ()
) -> BacktestSpec:
    """A BacktestSpec from ``(leg, select[, of])`` tuples."""
    return BacktestSpec(rank, tuple(BacktestLeg(*leg) for leg in legs), name, aliases)


_TABLE = (
    # ------------------------------------------------------------------ single options
    StructureSpec(
        "long_call",
        "Long call: buy a call; unlimited upside, the debit at risk.",
        (LegSpec(_C, 1, "strike"),),
        "debit",
        backtest=_bt(9, (0, _DELTA)),
    ),
    StructureSpec(
        "short_call",
        "Short (naked) call: sell a call; keep the credit, unlimited risk above the strike.",
        (LegSpec(_C, -1, "strike"),),
        "credit",
        backtest=_bt(1, (0, _DELTA)),
    ),
    StructureSpec(
        "long_put",
        "Long put: buy a put; profit down to zero, the debit at risk.",
        (LegSpec(_P, 1, "strike"),),
        "debit",
        backtest=_bt(10, (0, _DELTA)),
    ),
    StructureSpec(
        "short_put",
        "Short (naked) put: sell a put; keep the credit, risk down to a zero underlying.",
        (LegSpec(_P, -1, "strike"),),
        "credit",
        backtest=_bt(0, (0, _DELTA)),
    ),
    StructureSpec(
        "cash_secured_put",
        "Cash-secured put: a short put backed by cash for the strike.",
        (LegSpec(_P, -1, "strike"),),
        "credit",
    ),
    # ------------------------------------------------------------------ with stock
    StructureSpec(
        "covered_call",
        "Covered call: long stock and a short call on it; capped upside for the credit.",
        (LegSpec(_S, 1), LegSpec(_C, -1, "strike")),
        "debit",
        backtest=_bt(17, (1, _DELTA), (0, _STOCK)),
    ),
    StructureSpec(
        "protective_put",
        "Protective (married) put: long stock and a long put; loss floored at the strike.",
        (LegSpec(_S, 1), LegSpec(_P, 1, "strike")),
        "debit",
        backtest=_bt(18, (1, _DELTA), (0, _STOCK)),
    ),
    StructureSpec(
        "covered_put",
        "Covered put: short stock and a short put below; capped downside profit for the credit.",
        (LegSpec(_S, -1), LegSpec(_P, -1, "strike")),
        "credit",
        builder=False,
        backtest=_bt(20, (1, _DELTA), (0, _STOCK)),
    ),
    StructureSpec(
        "collar",
        "Collar: long stock, a long put below and a short call above; P&L boxed between them.",
        (LegSpec(_S, 1), LegSpec(_P, 1, "put_strike"), LegSpec(_C, -1, "call_strike")),
        "debit",
        "put_strike < call_strike",
        backtest=_bt(19, (1, _DELTA), (2, _DELTA), (0, _STOCK)),
    ),
    # ------------------------------------------------------------------ verticals
    StructureSpec(
        "bull_call_spread",
        "Bull call spread (debit): buy a call, sell a higher-strike call.",
        (LegSpec(_C, 1, "long_strike"), LegSpec(_C, -1, "short_strike")),
        "debit",
        "long_strike < short_strike",
        backtest=_bt(13, (0, _DELTA), (1, _OUT, 0), aliases=("call_debit_spread",)),
    ),
    StructureSpec(
        "bear_call_spread",
        "Bear call spread (credit): sell a call, buy a higher-strike call.",
        (LegSpec(_C, -1, "short_strike"), LegSpec(_C, 1, "long_strike")),
        "credit",
        "short_strike < long_strike",
        backtest=_bt(3, (0, _DELTA), (1, _OUT, 0), aliases=("call_credit_spread",)),
    ),
    StructureSpec(
        "bull_put_spread",
        "Bull put spread (credit): sell a put, buy a lower-strike put.",
        (LegSpec(_P, 1, "long_strike"), LegSpec(_P, -1, "short_strike")),
        "credit",
        "long_strike < short_strike",
        backtest=_bt(2, (1, _DELTA), (0, _OUT, 1), aliases=("put_credit_spread",)),
    ),
    StructureSpec(
        "bear_put_spread",
        "Bear put spread (debit): buy a put, sell a lower-strike put.",
        (LegSpec(_P, -1, "short_strike"), LegSpec(_P, 1, "long_strike")),
        "debit",
        "short_strike < long_strike",
        backtest=_bt(14, (1, _DELTA), (0, _OUT, 1), aliases=("put_debit_spread",)),
    ),
    # ------------------------------------------------------------------ straddles & strangles
    StructureSpec(
        "long_straddle",
        "Long straddle: buy a put and a call at one strike; profits from a large move.",
        (LegSpec(_P, 1, "strike"), LegSpec(_C, 1, "strike")),
        "debit",
        backtest=_bt(11, (0, _DELTA), (1, _SAME, 0)),
    ),
    StructureSpec(
        "short_straddle",
        "Short straddle: sell a put and a call at one strike; profits if the price stays.",
        (LegSpec(_P, -1, "strike"), LegSpec(_C, -1, "strike")),
        "credit",
        backtest=_bt(5, (0, _DELTA), (1, _SAME, 0)),
    ),
    StructureSpec(
        "long_strangle",
        "Long strangle: buy a put below and a call above; cheaper than a straddle.",
        (LegSpec(_P, 1, "put_strike"), LegSpec(_C, 1, "call_strike")),
        "debit",
        "put_strike < call_strike",
        backtest=_bt(12, (0, _DELTA), (1, _DELTA)),
    ),
    StructureSpec(
        "short_strangle",
        "Short strangle: sell a put below and a call above; keeps the credit between them.",
        (LegSpec(_P, -1, "put_strike"), LegSpec(_C, -1, "call_strike")),
        "credit",
        "put_strike < call_strike",
        backtest=_bt(4, (0, _DELTA), (1, _DELTA)),
    ),
    StructureSpec(
        "strip",
        "Strip: a long straddle with two puts; bearish volatility buy.",
        (LegSpec(_P, 2, "strike"), LegSpec(_C, 1, "strike")),
        "debit",
    ),
    StructureSpec(
        "strap",
        "Strap: a long straddle with two calls; bullish volatility buy.",
        (LegSpec(_P, 1, "strike"), LegSpec(_C, 2, "strike")),
        "debit",
    ),
    # ------------------------------------------------------------------ condors & butterflies
    StructureSpec(
        "iron_condor",
        "Iron condor (credit): a bull put spread below and a bear call spread above.",
        (
            LegSpec(_P, 1, "long_put"),
            LegSpec(_P, -1, "short_put"),
            LegSpec(_C, -1, "short_call"),
            LegSpec(_C, 1, "long_call"),
        ),
        "credit",
        "long_put < short_put <= short_call < long_call",
        backtest=_bt(6, (1, _DELTA), (0, _OUT, 1), (2, _DELTA), (3, _OUT, 2)),
    ),
    StructureSpec(
        "reverse_iron_condor",
        "Reverse (long) iron condor (debit): a bear put spread below and a bull call spread above.",
        (
            LegSpec(_P, -1, "short_put"),
            LegSpec(_P, 1, "long_put"),
            LegSpec(_C, 1, "long_call"),
            LegSpec(_C, -1, "short_call"),
        ),
        "debit",
        "short_put < long_put <= long_call < short_call",
    ),
    StructureSpec(
        "iron_butterfly",
        "Iron butterfly (credit): a short straddle with a long put below and a long call above.",
        (
            LegSpec(_P, 1, "long_put"),
            LegSpec(_P, -1, "short_strike"),
            LegSpec(_C, -1, "short_strike"),
            LegSpec(_C, 1, "long_call"),
        ),
        "credit",
        "long_put < short_strike < long_call",
        backtest=_bt(7, (1, _DELTA), (2, _SAME, 1), (0, _OUT, 1), (3, _OUT, 2)),
    ),
    StructureSpec(
        "long_call_butterfly",
        "Long call butterfly (debit): calls 1 x -2 x 1 with equal wings; peaks at the middle.",
        (LegSpec(_C, 1, "lower"), LegSpec(_C, -2, "middle"), LegSpec(_C, 1, "upper")),
        "debit",
        "lower < middle < upper",
        equal_wings=True,
        backtest=_bt(15, (1, _DELTA), (2, _OUT, 1), (0, _IN, 1), name="call_butterfly"),
    ),
    StructureSpec(
        "short_call_butterfly",
        "Short call butterfly (credit): calls -1 x 2 x -1 with equal wings.",
        (LegSpec(_C, -1, "lower"), LegSpec(_C, 2, "middle"), LegSpec(_C, -1, "upper")),
        "credit",
        "lower < middle < upper",
        equal_wings=True,
    ),
    StructureSpec(
        "long_put_butterfly",
        "Long put butterfly (debit): puts 1 x -2 x 1 with equal wings; peaks at the middle.",
        (LegSpec(_P, 1, "lower"), LegSpec(_P, -2, "middle"), LegSpec(_P, 1, "upper")),
        "debit",
        "lower < middle < upper",
        equal_wings=True,
        backtest=_bt(16, (1, _DELTA), (0, _OUT, 1), (2, _IN, 1), name="put_butterfly"),
    ),
    StructureSpec(
        "short_put_butterfly",
        "Short put butterfly (credit): puts -1 x 2 x -1 with equal wings.",
        (LegSpec(_P, -1, "lower"), LegSpec(_P, 2, "middle"), LegSpec(_P, -1, "upper")),
        "credit",
        "lower < middle < upper",
        equal_wings=True,
    ),
    StructureSpec(
        "broken_wing_butterfly",
        "Broken-wing butterfly: a long 1 x -2 x 1 butterfly whose wings may differ.",
        (LegSpec(_C, 1, "lower"), LegSpec(_C, -2, "middle"), LegSpec(_C, 1, "upper")),
        "either",
        "lower < middle < upper",
        put_legs=(LegSpec(_P, 1, "lower"), LegSpec(_P, -2, "middle"), LegSpec(_P, 1, "upper")),
    ),
    StructureSpec(
        "long_call_condor",
        "Long call condor (debit): calls 1 x -1 x -1 x 1; profits between k2 and k3.",
        (
            LegSpec(_C, 1, "k1"),
            LegSpec(_C, -1, "k2"),
            LegSpec(_C, -1, "k3"),
            LegSpec(_C, 1, "k4"),
        ),
        "debit",
        "k1 < k2 < k3 < k4",
    ),
    StructureSpec(
        "long_put_condor",
        "Long put condor (debit): puts 1 x -1 x -1 x 1; profits between k2 and k3.",
        (
            LegSpec(_P, 1, "k1"),
            LegSpec(_P, -1, "k2"),
            LegSpec(_P, -1, "k3"),
            LegSpec(_P, 1, "k4"),
        ),
        "debit",
        "k1 < k2 < k3 < k4",
    ),
    # ------------------------------------------------------------------ calendars & diagonals
    StructureSpec(
        "call_calendar",
        "Call calendar (time) spread: sell a near call, buy a far call at the same strike.",
        (LegSpec(_C, -1, "strike"), LegSpec(_C, 1, "strike", _FAR)),
        "debit",
        backtest=_bt(21, (0, _DELTA), (1, _SAME, 0)),
    ),
    StructureSpec(
        "put_calendar",
        "Put calendar (time) spread: sell a near put, buy a far put at the same strike.",
        (LegSpec(_P, -1, "strike"), LegSpec(_P, 1, "strike", _FAR)),
        "debit",
        backtest=_bt(22, (0, _DELTA), (1, _SAME, 0)),
    ),
    StructureSpec(
        "call_diagonal",
        "Call diagonal: sell a near call at one strike, buy a far call at another.",
        (LegSpec(_C, -1, "near_strike"), LegSpec(_C, 1, "far_strike", _FAR)),
        "debit",
        backtest=_bt(23, (0, _DELTA), (1, _IN, 0)),
    ),
    StructureSpec(
        "put_diagonal",
        "Put diagonal: sell a near put at one strike, buy a far put at another.",
        (LegSpec(_P, -1, "near_strike"), LegSpec(_P, 1, "far_strike", _FAR)),
        "debit",
        backtest=_bt(24, (0, _DELTA), (1, _IN, 0)),
    ),
    StructureSpec(
        "poor_mans_covered_call",
        "Poor man's covered call: a long deep in-the-money far call and a short near call above.",
        (LegSpec(_C, 1, "long_strike", _FAR), LegSpec(_C, -1, "short_strike")),
        "debit",
        "long_strike < short_strike",
    ),
    # ------------------------------------------------------------------ ratio spreads
    StructureSpec(
        "call_ratio_spread",
        "Call ratio (front) spread: buy one call, sell `ratio` higher calls.",
        (LegSpec(_C, 1, "long_strike"), LegSpec(_C, -2, "short_strike", scaled=True)),
        "either",
        "long_strike < short_strike",
    ),
    StructureSpec(
        "put_ratio_spread",
        "Put ratio (front) spread: buy one put, sell `ratio` lower puts.",
        (LegSpec(_P, -2, "short_strike", scaled=True), LegSpec(_P, 1, "long_strike")),
        "either",
        "short_strike < long_strike",
    ),
    StructureSpec(
        "call_backspread",
        "Call backspread: sell one call, buy `ratio` higher calls; unlimited profit up.",
        (LegSpec(_C, -1, "short_strike"), LegSpec(_C, 2, "long_strike", scaled=True)),
        "either",
        "short_strike < long_strike",
    ),
    StructureSpec(
        "put_backspread",
        "Put backspread: sell one put, buy `ratio` lower puts; large profit on a fall.",
        (LegSpec(_P, 2, "long_strike", scaled=True), LegSpec(_P, -1, "short_strike")),
        "either",
        "long_strike < short_strike",
    ),
    # ------------------------------------------------------------------ other structures
    StructureSpec(
        "jade_lizard",
        "Jade lizard: a short put and a bear call spread; no upside risk if the credit is wide.",
        (LegSpec(_P, -1, "short_put"), LegSpec(_C, -1, "short_call"), LegSpec(_C, 1, "long_call")),
        "credit",
        "short_put < short_call < long_call",
        backtest=_bt(8, (0, _DELTA), (1, _DELTA), (2, _OUT, 1)),
    ),
    StructureSpec(
        "risk_reversal",
        "Risk reversal (bullish): sell a put, buy a call above it.",
        (LegSpec(_P, -1, "put_strike"), LegSpec(_C, 1, "call_strike")),
        "either",
        "put_strike <= call_strike",
    ),
    StructureSpec(
        "synthetic_long",
        "Synthetic long stock: buy a call and sell a put at one strike.",
        (LegSpec(_P, -1, "strike"), LegSpec(_C, 1, "strike")),
        "either",
    ),
    StructureSpec(
        "synthetic_short",
        "Synthetic short stock: buy a put and sell a call at one strike.",
        (LegSpec(_P, 1, "strike"), LegSpec(_C, -1, "strike")),
        "either",
    ),
    StructureSpec(
        "long_box",
        "Long box: a bull call spread plus a bear put spread; pays upper - lower at expiry.",
        (
            LegSpec(_C, 1, "lower"),
            LegSpec(_C, -1, "upper"),
            LegSpec(_P, 1, "upper"),
            LegSpec(_P, -1, "lower"),
        ),
        "debit",
        "lower < upper",
    ),
    StructureSpec(
        "christmas_tree",
        "Christmas tree (ladder) 1 x -1 x -1: a vertical debit spread plus one more short option.",
        (LegSpec(_C, 1, "lower"), LegSpec(_C, -1, "middle"), LegSpec(_C, -1, "upper")),
        "either",
        "lower < middle < upper",
        put_legs=(LegSpec(_P, -1, "lower"), LegSpec(_P, -1, "middle"), LegSpec(_P, 1, "upper")),
    ),
    StructureSpec(
        "seagull",
        "Seagull (bullish): a bull call spread financed by a short put below it.",
        (LegSpec(_P, -1, "short_put"), LegSpec(_C, 1, "long_call"), LegSpec(_C, -1, "short_call")),
        "either",
        "short_put < long_call < short_call",
    ),
)

STRUCTURES: Mapping[str, StructureSpec] = MappingProxyType({s.name: s for s in _TABLE})
"""Every named structure by name, builders' order (the backtest-only ``covered_put`` included)."""


def _traded() -> list[tuple[str, StructureSpec, BacktestSpec]]:
    rows = [(s.backtest.name or s.name, s, s.backtest) for s in _TABLE if s.backtest is not None]
    return sorted(rows, key=lambda row: row[2].rank)


def backtest_legs() -> dict[str, tuple[LegRow, ...]]:
    """The backtest's structures as kernel leg rows, in the backtest's order.

    Returns
    -------
    dict of str to tuple of (int, int, int, int, int)
        Per structure, per leg in picking order: signed units, kind
        (:data:`~fastopt.kernels.enums.LegKind`), select mode
        (:data:`~fastopt.kernels.enums.Select`), the index of the reference
        leg in that order (-1: none) and the expiry slot
        (:data:`~fastopt.kernels.enums.ExpirySlot`).

    Examples
    --------
    >>> from fastopt.strategies.structures import backtest_legs
    >>> legs = backtest_legs()
    >>> list(legs)[:3], legs["iron_condor"][1]   # the long put: a wing out from leg 0
    (['short_put', 'short_call', 'bull_put_spread'], (1, 1, 1, 0, 0))
    """
    out: dict[str, tuple[LegRow, ...]] = {}
    for name, spec, bt in _traded():
        picked = [b.leg for b in bt.legs]
        rows: list[LegRow] = []
        for b in bt.legs:
            leg = spec.legs[b.leg]
            ref = picked.index(b.of) if b.of >= 0 else -1
            rows.append((leg.ratio, leg.kind, b.select, ref, leg.expiry))
        out[name] = tuple(rows)
    return out


def backtest_debit_structures() -> frozenset[str]:
    """The backtest structures entered for a net debit (the others for a net credit).

    Examples
    --------
    >>> from fastopt.strategies.structures import backtest_debit_structures
    >>> "iron_condor" in backtest_debit_structures(), "call_calendar" in backtest_debit_structures()
    (False, True)
    """
    return frozenset(name for name, spec, _ in _traded() if spec.side == "debit")


def backtest_aliases() -> dict[str, str]:
    """Other names the backtest accepts for its structures: alias -> structure.

    Examples
    --------
    >>> from fastopt.strategies.structures import backtest_aliases
    >>> backtest_aliases()["put_credit_spread"]
    'bull_put_spread'
    """
    return {alias: name for name, _, bt in _traded() for alias in bt.aliases}
