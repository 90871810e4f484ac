r"""Publishing: EES files at the top of the data path, protected for their audience.

:func:`publish` does protect -> write: for a partner or the public it
protects the table with :func:`makingdata.disclosure.protect` (unless it is
already a :class:`~makingdata.disclosure.ProtectedTable` for that audience),
then :func:`write_ees` checks the data file and its ``.meta.csv`` against
DfE's open data standards for Explore Education Statistics
(:data:`EES_RULES`) and writes both atomically. :func:`check_ees` lists every
way an existing pair breaks the standards; :func:`ees_meta` derives the meta
rows from the table's spec. The writer reads what each column is from the
table's :class:`~makingdata.tables.TableSpec`; a frame makingdata did not
build is read with :meth:`TableSpec.infer <makingdata.tables.TableSpec.infer>`.

Added in 0.2 (the writer and checker moved here from ``makingdata.io``).

Examples
--------
>>> import polars as pl, tempfile, pathlib
>>> from makingdata.publish import check_ees, publish
>>> t = pl.DataFrame(
...     {
...         "time_period": [202526] * 3,
...         "time_identifier": ["Academic year"] * 3,
...         "geographic_level": ["National"] * 3,
...         "country_code": ["E92000001"] * 3,
...         "country_name": ["England"] * 3,
...         "sex": ["Total", "Female", "Male"],
...         "num_schools": [3, 3, 3],
...         "enrolments": [300, 2, 298],
...     }
... )
>>> out = pathlib.Path(tempfile.mkdtemp()) / "attendance_sex.csv"
>>> files = publish(t, out, audience="public")
>>> [line.split(",")[-1] for line in out.read_text().splitlines()]
['enrolments', '300', 'c', 'c']
>>> check_ees(files.data).ok
True
"""

from __future__ import annotations

from makingdata.publish._check import (
    EES_GEOGRAPHIES,
    EES_META_COLUMNS,
    EES_RULES,
    EES_SYMBOLS,
    EES_TIME_IDENTIFIERS,
    EesCheck,
    check_ees,
)
from makingdata.publish._geography import (
    GEOGRAPHY_LOOKUPS,
    HIERARCHY_YEARS,
    geography_hierarchy,
    geography_lookup,
)
from makingdata.publish._meta import ees_meta
from makingdata.publish._publish import CsvFile, publish, publish_csv
from makingdata.publish._write import EesFiles, write_ees

__all__ = [
    "EES_GEOGRAPHIES",
    "EES_META_COLUMNS",
    "EES_RULES",
    "EES_SYMBOLS",
    "EES_TIME_IDENTIFIERS",
    "GEOGRAPHY_LOOKUPS",
    "HIERARCHY_YEARS",
    "CsvFile",
    "EesCheck",
    "EesFiles",
    "check_ees",
    "ees_meta",
    "geography_hierarchy",
    "geography_lookup",
    "publish",
    "publish_csv",
    "write_ees",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
