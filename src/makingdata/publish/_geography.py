"""Official geography lookups of the EES checker: which code goes with which name.

The lookups are the CSVs of ``makingdata/data/geography/`` (ONS-derived, as
DfE's EES screener uses them; sources and licence in that folder's README).
:func:`geography_lookup` reads one as a frame; :data:`GEOGRAPHY_LOOKUPS` says
which data columns each lookup checks. A code with no matching name (names
are case sensitive: ``Yorkshire and The Humber``, not ``Yorkshire and the
Humber``) is reported by :func:`makingdata.publish.check_ees`.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["GEOGRAPHY_LOOKUPS", "geography_lookup"]

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
