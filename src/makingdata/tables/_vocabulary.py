"""The EES vocabulary of published tables, in one place.

Explore Education Statistics (EES) open data standards, as DfE's analysts'
guide and its screener (``eesyscreener``) state them: geographic levels and
the columns each requires, the geography chain (England, region, local
authority, school), time identifiers, the GSS cell symbols, and the ``Total``
category of every filter. Every stage that builds, protects, rolls up, audits
or writes a table takes these names from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from makingdata._contracts import PERIOD_COLUMNS, TABLE_TIME_COLUMNS
from makingdata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ALL_SYMBOLS",
    "CHAIN",
    "CHAIN_COLUMNS",
    "COUNTRY_CODES",
    "EES_SYMBOLS",
    "ENGLAND",
    "GEOGRAPHIES",
    "GEOGRAPHY_COLUMNS",
    "KEY_COLUMNS",
    "LEGACY_SYMBOLS",
    "LEVELS",
    "PERIOD_COLUMNS",
    "SYMBOLS",
    "TIME_COLUMNS",
    "TIME_IDENTIFIERS",
    "TOTAL",
    "UNLISTED_SYMBOLS",
    "Geography",
    "Level",
    "level",
]

#: The label of the aggregate category of every filter (EES: "Total").
TOTAL = "Total"

#: Every time column a table can carry: ``time_period``, ``time_identifier``,
#: then makingdata's period columns (:data:`PERIOD_COLUMNS`).
TIME_COLUMNS: tuple[str, ...] = TABLE_TIME_COLUMNS

SYMBOLS: Mapping[str, str] = {
    "c": "confidential: suppressed to protect people",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to zero, but is not zero",
    "k": "rounds to zero, but is not zero (where low is inappropriate)",
    "u": "low reliability",
    ":": "not available (obsolete form of x)",
    "~": "rounds to zero (obsolete form of low)",
    ".": "not applicable (legacy form of z, DfE files before 2017/18)",
}
"""Every cell symbol makingdata reads, with its meaning (GSS symbols guidance)."""

#: The symbols the EES screener accepts in an indicator cell.
EES_SYMBOLS: tuple[str, ...] = ("z", "x", "c", "low")
#: GSS symbols the screener does not list (a warning).
UNLISTED_SYMBOLS: tuple[str, ...] = ("k", "u")
#: Obsolete or legacy symbols (an error in a new file; read in old ones).
LEGACY_SYMBOLS: tuple[str, ...] = (":", "~", ".")
#: Every symbol, in the order above.
ALL_SYMBOLS: tuple[str, ...] = (*EES_SYMBOLS, *UNLISTED_SYMBOLS, *LEGACY_SYMBOLS)

#: England's country code and name (the only country makingdata counts).
ENGLAND: tuple[str, str] = ("E92000001", "England")
#: Country codes EES knows (``z`` where no country applies).
COUNTRY_CODES: tuple[str, ...] = (
    "E92000001",
    "K02000001",
    "K03000001",
    "K04000001",
    "N92000002",
    "S92000003",
    "W92000004",
    "z",
)

TIME_IDENTIFIERS: Mapping[str, tuple[tuple[str, ...], int]] = {
    "Calendar year": (("Calendar year",), 4),
    "Reporting year": (("Reporting year",), 4),
    "Academic year": (("Academic year",), 6),
    "Financial year": (("Financial year",), 6),
    "Financial quarters": (tuple(f"Financial year Q{q}" for q in range(1, 5)), 6),
    "Financial halves": (
        ("Part 1 (April to September)", "Part 2 (October to March)"),
        6,
    ),
    "Tax year": (("Tax year",), 6),
    "Terms": (("Autumn term", "Spring term", "Summer term"), 6),
    "Two terms": (("Autumn and spring term",), 6),
    "Months": (
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        4,
    ),
    "Weeks": (tuple(f"Week {w}" for w in range(1, 53)), 4),
}
"""Allowed ``time_identifier`` values by group, with the digits of ``time_period``.

Values of different groups may not be mixed in one file; EES allows ``Week 1``
to ``Week 52`` only.
"""


@attrs.frozen(slots=True)
class Geography:
    """An EES ``geographic_level`` and the columns a row of it fills.

    Attributes
    ----------
    label
        The ``geographic_level`` value (``"Local authority"``).
    code
        Its code column (``"new_la_code"``), or ``None`` (RSC regions have none).
    name
        Its name column (``"la_name"``).
    extra
        Other columns a row of this level must fill (``("old_la_code",)``).

    Examples
    --------
    >>> from makingdata.tables import GEOGRAPHIES
    >>> GEOGRAPHIES["School"].code
    'school_urn'
    """

    label: str
    code: str | None
    name: str
    extra: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The code, name and extra columns of this level, in that order."""
        return tuple(c for c in (self.code, self.name, *self.extra) if c is not None)


def _geo(label: str, code: str | None, name: str, *extra: str) -> Geography:
    return Geography(label, code, name, tuple(extra))


GEOGRAPHIES: Mapping[str, Geography] = {
    g.label: g
    for g in (
        _geo("National", "country_code", "country_name"),
        _geo("Regional", "region_code", "region_name"),
        _geo("Local authority", "new_la_code", "la_name", "old_la_code"),
        _geo("Local authority district", "lad_code", "lad_name"),
        _geo("RSC region", None, "rsc_region_lead_name"),
        _geo("Parliamentary constituency", "pcon_code", "pcon_name"),
        _geo("Local skills improvement plan area", "lsip_code", "lsip_name"),
        _geo(
            "Local enterprise partnership",
            "local_enterprise_partnership_code",
            "local_enterprise_partnership_name",
        ),
        _geo(
            "English devolved area",
            "english_devolved_area_code",
            "english_devolved_area_name",
        ),
        _geo("Opportunity area", "opportunity_area_code", "opportunity_area_name"),
        _geo("Ward", "ward_code", "ward_name"),
        _geo("MAT", "trust_id", "trust_name"),
        _geo("Sponsor", "sponsor_id", "sponsor_name"),
        _geo(
            "School",
            "school_urn",
            "school_name",
            "school_laestab",
            "old_la_code",
            "new_la_code",
            "la_name",
        ),
        _geo("Provider", "provider_ukprn", "provider_name"),
        _geo("Institution", "institution_id", "institution_name"),
        _geo("Planning area", "planning_area_code", "planning_area_name"),
        _geo("Police force area", "pfa_code", "pfa_name"),
    )
}
"""Every EES ``geographic_level``, keyed by its label."""

#: Geographic levels that nest, from the top: a row fills the columns of its
#: own and higher levels and leaves lower levels' columns blank.
CHAIN: tuple[str, ...] = ("National", "Regional", "Local authority", "School")
#: The columns each level of :data:`CHAIN` adds to the row.
CHAIN_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "National": ("country_code", "country_name"),
    "Regional": ("region_code", "region_name"),
    "Local authority": ("new_la_code", "la_name", "old_la_code"),
    "School": ("school_urn", "school_name", "school_laestab"),
}
_TRUST = ("trust_id", "trust_name")

#: Every geography column of the levels makingdata builds, in EES order.
GEOGRAPHY_COLUMNS: tuple[str, ...] = (
    *CHAIN_COLUMNS["National"],
    *CHAIN_COLUMNS["Regional"],
    *CHAIN_COLUMNS["Local authority"],
    *_TRUST,
    *CHAIN_COLUMNS["School"],
)

#: Geography columns that key a row (codes and identifiers, not names).
KEY_COLUMNS: tuple[str, ...] = (
    "country_code",
    "region_code",
    "old_la_code",
    "new_la_code",
    "trust_id",
    "school_urn",
    "urn",
    "school_laestab",
    "laestab",
)


@attrs.frozen(slots=True)
class Level:
    """A geographic level makingdata builds and rolls tables up to.

    Attributes
    ----------
    name
        makingdata's short name (``"la"``), used in ``levels=``, ``to=`` and
        the keys of ``decimals=``.
    label
        EES ``geographic_level`` value (``"Local authority"``).
    columns
        Geography columns filled in at this level, hierarchy included, in EES
        order.
    rank
        Sort order, national first.

    Examples
    --------
    >>> from makingdata.tables import LEVELS
    >>> LEVELS["la"].columns[-3:]
    ('new_la_code', 'la_name', 'old_la_code')
    """

    name: str
    label: str
    columns: tuple[str, ...]
    rank: int


_C = CHAIN_COLUMNS["National"]
_R = CHAIN_COLUMNS["Regional"]
_LA = CHAIN_COLUMNS["Local authority"]
_S = CHAIN_COLUMNS["School"]

LEVELS: Mapping[str, Level] = {
    "national": Level("national", "National", _C, 0),
    "region": Level("region", "Regional", (*_C, *_R), 1),
    "la": Level("la", "Local authority", (*_C, *_R, *_LA), 2),
    "trust": Level("trust", "MAT", (*_C, *_TRUST), 3),
    "school": Level("school", "School", (*_C, *_R, *_LA, *_S), 4),
}
"""The levels makingdata builds and rolls up to, by short name."""

_ALIASES: Mapping[str, str] = {
    "national": "national",
    "country": "national",
    "england": "national",
    "region": "region",
    "regional": "region",
    "la": "la",
    "local authority": "la",
    "local_authority": "la",
    "trust": "trust",
    "mat": "trust",
    "school": "school",
}


def level(name: str | Level) -> Level:
    """Return the :class:`Level` a name stands for.

    One vocabulary for every argument that names a level (``levels=``,
    ``to=``, ``from_level=`` and the keys of ``decimals=``): makingdata's short
    names (``"la"``), EES labels (``"Local authority"``) and a few aliases
    (``"england"``, ``"mat"``), in any case.

    Parameters
    ----------
    name
        A level name or a :class:`Level`.

    Returns
    -------
    Level
        The level.

    Raises
    ------
    InputError
        If the name is not a level makingdata builds.

    Examples
    --------
    >>> from makingdata.tables import level
    >>> level("Local authority").name, level("MAT").name, level("la").label
    ('la', 'trust', 'Local authority')
    >>> level("ward")
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: unknown level 'ward'. What to do: use school, trust, la, region or national (or the EES labels School, MAT, Local authority, Regional, National).
    """
    if isinstance(name, Level):
        return name
    key = _ALIASES.get(str(name).strip().lower())
    if key is None:
        raise InputError(
            f"unknown level {name!r}",
            hint="use school, trust, la, region or national (or the EES labels "
            "School, MAT, Local authority, Regional, National)",
        )
    return LEVELS[key]


# PERIOD_COLUMNS is re-exported from the frame contracts (listed in __all__).
_ = PERIOD_COLUMNS
