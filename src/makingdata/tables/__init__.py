"""Tables: the EES vocabulary, the spec every table carries, and the Table itself.

The contract from kernel to published file. Kernels return a :class:`Table`
(a polars frame and its :class:`TableSpec`); disclosure control, the audit,
rollups and the EES writer read the spec rather than guessing from column
names. The vocabulary of published tables — geographic levels and the columns
each requires, the geography chain, time identifiers, the GSS cell symbols,
the ``Total`` of every filter — lives here and nowhere else.

Examples
--------
>>> from makingdata.tables import LEVELS, SYMBOLS, TOTAL, level
>>> level("Local authority") is LEVELS["la"], SYMBOLS["c"].split(":")[0], TOTAL
(True, 'confidential', 'Total')
"""

from __future__ import annotations

from makingdata.tables._conventions import (
    format_ay,
    format_ay_reverse,
    format_fy,
    format_fy_reverse,
    pretty_num,
    z_replace,
)
from makingdata.tables._published import read_published
from makingdata.tables._regions import (
    LONDON,
    SUB_REGION_LEVEL,
    WholeRegion,
    parse_whole_region,
    split_regions,
)
from makingdata.tables._spec import (
    Indicator,
    Nesting,
    Rate,
    TableSpec,
    is_rate_column,
)
from makingdata.tables._table import Table, ees_text
from makingdata.tables._vocabulary import (
    ALL_SYMBOLS,
    CHAIN,
    CHAIN_COLUMNS,
    COUNTRY_CODES,
    EES_SYMBOLS,
    ENGLAND,
    GEOGRAPHIES,
    GEOGRAPHY_COLUMNS,
    KEY_COLUMNS,
    LEGACY_SYMBOLS,
    LEVELS,
    PERIOD_COLUMNS,
    ROUNDS_TO_ZERO,
    SYMBOLS,
    TIME_COLUMNS,
    TIME_IDENTIFIERS,
    TOTAL,
    UNLISTED_SYMBOLS,
    Geography,
    Level,
    level,
)

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
    "LONDON",
    "PERIOD_COLUMNS",
    "ROUNDS_TO_ZERO",
    "SUB_REGION_LEVEL",
    "SYMBOLS",
    "TIME_COLUMNS",
    "TIME_IDENTIFIERS",
    "TOTAL",
    "UNLISTED_SYMBOLS",
    "Geography",
    "Indicator",
    "Level",
    "Nesting",
    "Rate",
    "Table",
    "TableSpec",
    "WholeRegion",
    "ees_text",
    "format_ay",
    "format_ay_reverse",
    "format_fy",
    "format_fy_reverse",
    "is_rate_column",
    "level",
    "parse_whole_region",
    "pretty_num",
    "read_published",
    "split_regions",
    "z_replace",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
