"""Local authority districts (LADs) of the synthetic directory (private).

Outside the two-tier counties a school's LAD is its LA (a unitary authority,
a metropolitan district or a London borough has one GSS code for both). In
each of England's 21 two-tier counties (E10) the schools are spread over the
county's real districts (E07), with the districts' names from the package's
geography lookup (``makingdata/data/geography/local_authority_districts.csv``).

Which district belongs to which county comes from DfE's ward -> LAD -> LA
hierarchy for its EES screener (``data/ward_lad_la_pcon_hierarchy.csv`` of
``dfe-analytical-services/dfe-published-data-qa``, the commit the geography
lookups were taken from; the LADs of 2024): :data:`COUNTY_DISTRICTS` holds the
number part of each E07 code.
"""

from __future__ import annotations

import importlib.resources
from functools import cache

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "COUNTY_DISTRICTS",
    "THREE_TIER_LADS",
    "district_names",
    "school_districts",
]

#: The districts (E07 + six digits: the number here) of each two-tier county.
COUNTY_DISTRICTS: dict[str, tuple[int, ...]] = {
    "E10000003": (8, 9, 10, 11, 12),  # Cambridgeshire
    "E10000007": (32, 33, 34, 35, 36, 37, 38, 39),  # Derbyshire
    "E10000008": (40, 41, 42, 43, 44, 45, 46, 47),  # Devon
    "E10000011": (61, 62, 63, 64, 65),  # East Sussex
    "E10000012": (66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77),  # Essex
    "E10000013": (78, 79, 80, 81, 82, 83),  # Gloucestershire
    "E10000014": (84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94),  # Hampshire
    "E10000015": (95, 96, 98, 99, 102, 103, 240, 241, 242, 243),  # Hertfordshire
    "E10000016": (105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116),  # Kent
    "E10000017": (
        117,
        118,
        119,
        120,
        121,
        122,
        123,
        124,
        125,
        126,
        127,
        128,
    ),  # Lancashire
    "E10000018": (129, 130, 131, 132, 133, 134, 135),  # Leicestershire
    "E10000019": (136, 137, 138, 139, 140, 141, 142),  # Lincolnshire
    "E10000020": (143, 144, 145, 146, 147, 148, 149),  # Norfolk
    "E10000024": (170, 171, 172, 173, 174, 175, 176),  # Nottinghamshire
    "E10000025": (177, 178, 179, 180, 181),  # Oxfordshire
    "E10000028": (192, 193, 194, 195, 196, 197, 198, 199),  # Staffordshire
    "E10000029": (200, 202, 203, 244, 245),  # Suffolk
    "E10000030": (207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217),  # Surrey
    "E10000031": (218, 219, 220, 221, 222),  # Warwickshire
    "E10000032": (223, 224, 225, 226, 227, 228, 229),  # West Sussex
    "E10000034": (234, 235, 236, 237, 238, 239),  # Worcestershire
}

#: Districts modelled with first, middle and high schools inside a county that
#: is otherwise two-tier (partly three-tier counties, as the county scrutiny
#: panel of the KS2 issue describes): Bromsgrove and Redditch in
#: Worcestershire, Staffordshire Moorlands in Staffordshire. Which districts
#: really keep middle schools is not claimed.
THREE_TIER_LADS: tuple[str, ...] = ("E07000234", "E07000236", "E07000198")


@cache
def district_names() -> dict[str, str]:
    """Return the LAD code -> name map of the package's geography lookup.

    Examples
    --------
    >>> from makingdata.synth._districts import district_names
    >>> district_names()["E07000234"]
    'Bromsgrove'
    """
    ref = (
        importlib.resources.files("makingdata")
        / "data"
        / "geography"
        / "local_authority_districts.csv"
    )
    with importlib.resources.as_file(ref) as path:
        frame = pl.read_csv(path, columns=["lad_code", "lad_name"], infer_schema=False)
    return dict(frame.unique("lad_code", keep="last").iter_rows())


def school_districts(
    new_la_codes: npt.NDArray[np.object_], rng: np.random.Generator
) -> npt.NDArray[np.object_]:
    """Return each school's LAD code: its LA's, or one of its county's districts.

    Within a county each school is in one of the districts, drawn uniformly
    (``rng``: a generator of its own, so the rest of the directory does not
    move when the districts do).

    Examples
    --------
    >>> import numpy as np
    >>> from makingdata.synth._districts import school_districts
    >>> codes = np.array(["E08000025", "E10000034"], dtype=object)
    >>> out = school_districts(codes, np.random.default_rng(0))
    >>> out[0], out[1].startswith("E07")
    ('E08000025', True)
    """
    out = np.asarray(new_la_codes, dtype=object).copy()
    u = rng.random(out.size)
    for county, numbers in COUNTY_DISTRICTS.items():
        rows = np.nonzero(out == county)[0]
        if rows.size == 0:
            continue
        pick = np.minimum((u[rows] * len(numbers)).astype(np.int64), len(numbers) - 1)
        codes = np.array([f"E07{n:06d}" for n in numbers], dtype=object)
        out[rows] = codes[pick]
    return out
