r"""Reading MIS exports, GIAS extracts and KS2 results.

:func:`read_marks`, :func:`read_enrolments`, :func:`read_schools` and
:func:`read_ks2_results` read a CSV file, a Parquet file or a hive-partitioned Parquet directory, validate every
row, and return a :class:`ReadResult`: ``valid`` rows in the contract dtypes,
``rejects`` with their delivered values, source row number and every rule
broken, and a report. Rows in = rows valid + rows rejected, always. UPNs are
turned into ``pupil_key`` with a keyed BLAKE2b hash at this boundary
(:func:`pseudonymise`) and never reach ``valid``; the key is ``key=``, a
key file (:func:`read_key_file`) or the ``MAKINGDATA_PSEUDONYM_KEY``
environment variable, 32 to 64 random bytes.

``makingdata.io`` reads: it imports no kernel, disclosure or publishing
module. Writing and checking EES files moved to :mod:`makingdata.publish` in
0.2; the old names here (``write_ees``, ``check_ees``, ``ees_meta``, ...) still
work, with a ``DeprecationWarning``, until 0.3.

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
>>> result = read_marks(p, key="example-key-xtdrHM3hka0or0zXRGAmVBEQ")
>>> result.n_read, result.n_valid, result.n_rejected
(2, 1, 1)
>>> result.rejects.select("row", "errors").row(0)
(3, ['upn_check_letter'])
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from makingdata._pseudonym import KEY_ENV_VAR, pseudonymise, read_key_file
from makingdata.io._exports import (
    ENROLMENTS_FIELDS,
    MARKS_FIELDS,
    ReadResult,
    read_enrolments,
    read_marks,
    rejects_for_csv,
)
from makingdata.io._gias import GIAS_NULLS, SCHOOLS_FIELDS, read_schools
from makingdata.io._ks2 import KS2_RESULTS_FIELDS, read_ks2_results
from makingdata.io._parse import DATE_FORMATS
from makingdata.io._source import Field

__all__ = [
    "DATE_FORMATS",
    "ENROLMENTS_FIELDS",
    "GIAS_NULLS",
    "KEY_ENV_VAR",
    "KS2_RESULTS_FIELDS",
    "MARKS_FIELDS",
    "SCHOOLS_FIELDS",
    "Field",
    "ReadResult",
    "pseudonymise",
    "read_enrolments",
    "read_key_file",
    "read_ks2_results",
    "read_marks",
    "read_schools",
    "rejects_for_csv",
]

# --- deprecation shim (0.2 -> 0.3) -----------------------------------------
# The EES writer and checker moved to makingdata.publish. io reads and never
# imports a publishing module; this shim fetches an old name with importlib,
# on request only, so the import graph keeps io below publishing.

#: Names that moved to makingdata.publish in 0.2 (removed from here in 0.3).
_MOVED_TO_PUBLISH = frozenset(
    {
        "EES_GEOGRAPHIES",
        "EES_META_COLUMNS",
        "EES_RULES",
        "EES_SYMBOLS",
        "EES_TIME_IDENTIFIERS",
        "EesCheck",
        "EesFiles",
        "check_ees",
        "ees_meta",
        "write_ees",
    }
)


def __getattr__(name: str) -> Any:
    """Return the EES names that moved to ``makingdata.publish``.

    The only place ``makingdata.io`` reaches a publishing module, and only when
    an old name is asked for: ``importlib`` (not an import statement) keeps io
    below publishing in the import graph. Removed in 0.3.
    """
    if name in _MOVED_TO_PUBLISH:
        warnings.warn(
            f"makingdata.io.{name} is deprecated in 0.2 and removed in 0.3: "
            f"use makingdata.publish.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module("makingdata.publish"), name)
    raise AttributeError(f"module 'makingdata.io' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
