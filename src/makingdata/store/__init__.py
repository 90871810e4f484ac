r"""The national attendance store: daily ingest, a dense enrolment registry, daily counts.

A store is a folder of hive-partitioned Parquet (by academic year and date)
and a manifest. :func:`ingest` validates a marks export with the io readers,
numbers every enrolment once, stores each mark with its enrolment's number
and counts each enrolment's sessions per day; :class:`Store` reads it back.
:func:`makingdata.attendance.enrolment_summary`,
:func:`~makingdata.attendance.attendance_table` and
:func:`~makingdata.attendance.session_counts` accept a :class:`Store` in
place of the marks; a year to date reads the running totals each day keeps. The layout is documented in the concepts page "The
attendance store" so that polars or DuckDB can open it directly.

``makingdata.store`` sits after io and before the kernels: it imports io,
never a kernel, access, disclosure or publishing module.
"""

from makingdata.store._ingest import IngestResult, ingest
from makingdata.store._layout import (
    COUNT_CATEGORIES,
    ENROLMENT_DTYPE,
    LAYOUT_VERSION,
    REASON_COLUMNS,
    REGISTRY_KEY,
    Store,
)

__all__ = [
    "COUNT_CATEGORIES",
    "ENROLMENT_DTYPE",
    "LAYOUT_VERSION",
    "REASON_COLUMNS",
    "REGISTRY_KEY",
    "IngestResult",
    "Store",
    "ingest",
]
