r"""Reading MIS exports and GIAS extracts; writing and checking EES files.

:func:`read_marks`, :func:`read_enrolments` and :func:`read_schools` read a CSV
file, a Parquet file or a hive-partitioned Parquet directory, validate every
row, and return a :class:`ReadResult`: ``valid`` rows in the contract dtypes,
``rejects`` with their delivered values, source row number and every rule
broken, and a report. Rows in = rows valid + rows rejected, always. UPNs are
turned into ``pupil_key`` with a keyed BLAKE2b hash at this boundary
(:func:`pseudonymise`) and never reach ``valid``.

:func:`write_ees` writes a table as an EES data file and its ``.meta.csv``
(partner and public audiences only ever get a protected table), and
:func:`check_ees` lists every way an existing pair breaks the EES open data
standards.

Examples
--------
>>> import tempfile, pathlib
>>> from makingdata.io import read_marks
>>> p = pathlib.Path(tempfile.mkdtemp(), "marks.csv")
>>> _ = p.write_text(
...     "upn,urn,date,session,code\n"
...     "B801200005001,100001,2024-09-02,AM,/\n"
...     "A801200005001,100001,2024-09-02,AM,/\n"
... )
>>> result = read_marks(p, key="secret")
>>> result.n_read, result.n_valid, result.n_rejected
(2, 1, 1)
>>> result.rejects.select("row", "errors").row(0)
(3, ['upn_check_letter'])
"""

from __future__ import annotations

from makingdata._pseudonym import KEY_ENV_VAR, pseudonymise
from makingdata.io._ees import (
    EES_GEOGRAPHIES,
    EES_META_COLUMNS,
    EES_RULES,
    EES_SYMBOLS,
    EES_TIME_IDENTIFIERS,
    EesCheck,
    EesFiles,
    check_ees,
    ees_meta,
    write_ees,
)
from makingdata.io._exports import (
    ENROLMENTS_FIELDS,
    MARKS_FIELDS,
    ReadResult,
    read_enrolments,
    read_marks,
    rejects_for_csv,
)
from makingdata.io._gias import GIAS_NULLS, SCHOOLS_FIELDS, read_schools
from makingdata.io._parse import DATE_FORMATS
from makingdata.io._source import Field

__all__ = [
    "DATE_FORMATS",
    "EES_GEOGRAPHIES",
    "EES_META_COLUMNS",
    "EES_RULES",
    "EES_SYMBOLS",
    "EES_TIME_IDENTIFIERS",
    "ENROLMENTS_FIELDS",
    "GIAS_NULLS",
    "KEY_ENV_VAR",
    "MARKS_FIELDS",
    "SCHOOLS_FIELDS",
    "EesCheck",
    "EesFiles",
    "Field",
    "ReadResult",
    "check_ees",
    "ees_meta",
    "pseudonymise",
    "read_enrolments",
    "read_marks",
    "read_schools",
    "rejects_for_csv",
    "write_ees",
]
