"""Official geography lookups of the EES checker: which code goes with which name.

The lookups are the CSVs of ``makingdata/data/geography/`` (ONS-derived, as
DfE's EES screener uses them; sources and licence in that folder's README).
:func:`geography_lookup` reads one as a frame; :data:`GEOGRAPHY_LOOKUPS` says
which data columns each lookup checks. :func:`geography_hierarchy` gives
England's ward -> constituency -> district -> LA -> region hierarchy of a
year as a frame (dfeR's ``geo_hierarchy``). A code with no matching name (names
are case sensitive: ``Yorkshire and The Humber``, not ``Yorkshire and the
Humber``) is reported by :func:`makingdata.publish.check_ees`.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
from typing import TYPE_CHECKING

import polars as pl

from makingdata.errors import InputError
from makingdata.tables import ENGLAND

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "GEOGRAPHY_LOOKUPS",
    "HIERARCHY_YEARS",
    "geography_hierarchy",
    "geography_lookup",
]

GEOGRAPHY_LOOKUPS: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "country_code": ("countries.csv", ("country_code", "country_name"), "country"),
    "region_code": ("regions.csv", ("region_code", "region_name"), "region"),
    "la_code": (
        "local_authorities.csv",
        ("old_la_code", "new_la_code", "la_name"),
        "local authority",
    ),
    "lad_code": (
        "local_authority_districts.csv",
        ("lad_code", "lad_name"),
        "local authority district",
    ),
    "pcon_code": (
        "parliamentary_constituencies.csv",
        ("pcon_code", "pcon_name"),
        "parliamentary constituency",
    ),
    "ward_code": ("wards.csv", ("ward_code", "ward_name"), "ward"),
    "lsip_code": (
        "local_skills_improvement_plan_areas.csv",
        ("lsip_code", "lsip_name"),
        "local skills improvement plan area",
    ),
    "lep_code": (
        "local_enterprise_partnerships.csv",
        ("local_enterprise_partnership_code", "local_enterprise_partnership_name"),
        "local enterprise partnership",
    ),
    "eda_code": (
        "english_devolved_areas.csv",
        ("english_devolved_area_code", "english_devolved_area_name"),
        "English devolved area",
    ),
}
"""Rule id -> (lookup file, data columns checked together, what it is).

The first of the columns that is a code decides whether a row is checked: a
blank code, or ``x`` (not available), is not checked. For local
authorities a row with a blank ``old_la_code`` is not checked (as DfE's
screener does).
"""


@functools.cache
def geography_lookup(name: str) -> pl.DataFrame:
    """Return one shipped geography lookup as a frame of strings.

    Parameters
    ----------
    name
        The file name in ``makingdata/data/geography/``, e.g. ``"regions.csv"``.

    Returns
    -------
    polars.DataFrame
        Every column as text, as published (names are case sensitive).

    Examples
    --------
    >>> regions = geography_lookup("regions.csv")
    >>> regions.filter(pl.col("region_code") == "E12000003")["region_name"].item()
    'Yorkshire and The Humber'
    """
    ref = importlib.resources.files("makingdata") / "data" / "geography" / name
    return pl.read_csv(io.BytesIO(ref.read_bytes()), infer_schema_length=0)


def valid_combinations(rule: str) -> pl.DataFrame:
    """Return the accepted combinations of the columns a geography rule checks.

    The lookup's rows plus the codes that are not a place (``z`` with ``Not
    applicable``, ``Unknown``, ``Outside of England`` ...), as DfE's screener
    accepts them.
    """
    file, cols, _ = GEOGRAPHY_LOOKUPS[rule]
    valid = geography_lookup(file).select(cols)
    extra = geography_lookup("not_a_place.csv")
    code_col, name_col = cols[-2], cols[-1]
    extra = extra.select(
        *(pl.lit("z").alias(c) for c in cols[:-2]),
        pl.col("code").alias(code_col),
        pl.col("name").alias(name_col),
    )
    return pl.concat([valid, extra]).unique()


#: The years of DfE's ward -> PCON -> LAD -> LA lookups the shipped hierarchy
#: holds (there was no 2018 lookup).
HIERARCHY_YEARS: tuple[int, ...] = (2017, 2019, 2020, 2021, 2022, 2023, 2024)

#: Columns of each level of :func:`geography_hierarchy`, with the levels
#: above it that it nests in (a constituency crosses LAD boundaries: alone).
_HIERARCHY_LEVELS: Mapping[str, tuple[str, ...]] = {
    "ward": (
        "ward_code", "ward_name", "pcon_code", "pcon_name", "lad_code", "lad_name",
        "new_la_code", "old_la_code", "la_name", "region_code", "region_name",
        "country_code", "country_name",
    ),
    "pcon": ("pcon_code", "pcon_name", "country_code", "country_name"),
    "lad": (
        "lad_code", "lad_name", "new_la_code", "old_la_code", "la_name",
        "region_code", "region_name", "country_code", "country_name",
    ),
    "la": (
        "new_la_code", "old_la_code", "la_name", "region_code", "region_name",
        "country_code", "country_name",
    ),
    "region": ("region_code", "region_name", "country_code", "country_name"),
    "country": ("country_code", "country_name"),
}  # fmt: skip


@functools.cache
def _ward_hierarchy() -> pl.DataFrame:
    ref = importlib.resources.files("makingdata") / "data" / "geography"
    return pl.read_parquet(io.BytesIO((ref / "ward_hierarchy.parquet").read_bytes()))


def geography_hierarchy(year: int, *, level: str = "ward") -> pl.DataFrame:
    """Return England's geography hierarchy in a year: ward, PCON, LAD, LA, region, country.

    dfeR's ``geo_hierarchy`` as a frame for one year: every ward of DfE's
    ward -> parliamentary constituency -> local authority district -> local
    authority lookup of that year, with the LA's old (three-digit) code, its
    region and England: one row per ward and constituency (a ward split
    between two constituencies has two rows; DfE's 2022 lookup also splits
    one North Yorkshire division between two districts, by name). ``level`` gives the distinct
    rows of a higher level
    instead (an LAD with its LA and region; a constituency alone, as it
    crosses district boundaries).

    The shipped data is England's (20,201 ward rows) for the years of
    :data:`HIERARCHY_YEARS` (2017, 2019 to 2024; DfE published no 2018
    lookup). London's LAs are in London (``E12000007``), not in Inner or
    Outer London. Source and licence: the README of
    ``makingdata/data/geography/``.

    Parameters
    ----------
    year
        A year of :data:`HIERARCHY_YEARS`.
    level
        ``"ward"`` (default), ``"pcon"``, ``"lad"``, ``"la"``, ``"region"`` or
        ``"country"``.

    Returns
    -------
    polars.DataFrame
        One row per unit of ``level`` (per ward and constituency at ward
        level): its columns and those of the levels it nests in, as text,
        sorted by code.

    Raises
    ------
    InputError
        If the year is not one the data covers, or the level is unknown.

    Examples
    --------
    >>> from makingdata.publish import geography_hierarchy
    >>> regions = geography_hierarchy(2024, level="region")
    >>> regions.height, regions.row(0)
    (9, ('E12000001', 'North East', 'E92000001', 'England'))
    >>> las = geography_hierarchy(2024, level="la")
    >>> las.filter(pl.col("la_name") == "Darlington").row(0)
    ('E06000005', '841', 'Darlington', 'E12000001', 'North East', 'E92000001', 'England')
    >>> geography_hierarchy(2024).columns[:4]
    ['ward_code', 'ward_name', 'pcon_code', 'pcon_name']
    """
    given: object = year
    if (
        isinstance(given, bool)
        or not isinstance(given, int)
        or year not in HIERARCHY_YEARS
    ):
        raise InputError(
            f"no geography hierarchy for {year!r}",
            column="year",
            hint="give one of the years the shipped lookups cover: "
            + ", ".join(map(str, HIERARCHY_YEARS)),
        )
    columns = _HIERARCHY_LEVELS.get(level)
    if columns is None:
        raise InputError(
            f"unknown level {level!r} of the geography hierarchy",
            column="level",
            hint=f"use one of {', '.join(_HIERARCHY_LEVELS)}",
        )
    wards = (
        _ward_hierarchy()
        .filter((pl.col("first_year") <= year) & (pl.col("last_year") >= year))
        .with_columns(country_code=pl.lit(ENGLAND[0]), country_name=pl.lit(ENGLAND[1]))
    )
    return wards.select(columns).unique().sort(columns[0], columns[1])
