"""Schemas and validators for the frames between stages: marks, enrolments, schools, KS2 results.

Each frame has a pandera schema (polars backend) that declares its contract
dtypes and carries every row rule as a check (:data:`MarkRecords`,
:data:`EnrolmentRecords`, :data:`SchoolRecords`, :data:`KS2Results`), and two
functions:

* ``check_*`` returns a :class:`ValidationReport` (one row per check, every
  failure as data) and never raises on bad data;
* ``validate_*`` returns the frame when it is valid and raises
  :class:`~makingdata.errors.ValidationError` (carrying the failures and the
  failing rows) when it is not.

Validation runs in two stages (STYLE §3.5): the schema stage (pandera at schema
depth: columns present, contract dtypes) gates the data stage, which evaluates
every rule as one polars ``select`` of boolean masks. :func:`check_marks_enrolled`
is the cross-frame check that every mark's pupil is on roll at that school on
that date.

Examples
--------
>>> import datetime as dt
>>> import polars as pl
>>> from makingdata.schemas import MARKS_SCHEMA, check_marks
>>> marks = pl.DataFrame(
...     {
...         "urn": [100001],
...         "pupil_key": [42],
...         "date": [dt.date(2024, 9, 2)],
...         "session": ["AM"],
...         "code": ["/"],
...     },
...     schema=MARKS_SCHEMA,
... )
>>> check_marks(marks).ok
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from makingdata._contracts import (
    EDUCATION_PHASE_DTYPE,
    ENROLMENTS_SCHEMA,
    ETHNICITY_DTYPE,
    KS2_RESULTS_SCHEMA,
    KS2_SCALED_SCORE_RANGE,
    MARKS_SCHEMA,
    MEMBERSHIPS_SCHEMA,
    SCHOOLS_OPTIONAL,
    SCHOOLS_SCHEMA,
    SEN_PROVISION_DTYPE,
    SEX_DTYPE,
    YEAR_GROUP_DTYPE,
)
from makingdata._deprecated import renamed_getattr
from makingdata.schemas._frames import (
    MARK_KEY,
    SPELL_KEY,
    EnrolmentRecords,
    MarkRecords,
    SchoolRecords,
    check_enrolments,
    check_marks,
    check_marks_enrolled,
    check_schools,
    enrolments_rules,
    marks_rules,
    schools_rules,
    validate_enrolments,
    validate_marks,
    validate_schools,
)
from makingdata.schemas._ks2 import (
    KS2_KEY,
    KS2Results,
    check_ks2_results,
    ks2_results_rules,
    validate_ks2_results,
)
from makingdata.schemas._report import ValidationReport
from makingdata.schemas._rules import RowRule

if TYPE_CHECKING:  # the deprecated name, typed for callers until it goes
    Rule = RowRule

__all__ = [
    "EDUCATION_PHASE_DTYPE",
    "ENROLMENTS_SCHEMA",
    "ETHNICITY_DTYPE",
    "KS2_KEY",
    "KS2_RESULTS_SCHEMA",
    "KS2_SCALED_SCORE_RANGE",
    "MARKS_SCHEMA",
    "MARK_KEY",
    "MEMBERSHIPS_SCHEMA",
    "SCHOOLS_OPTIONAL",
    "SCHOOLS_SCHEMA",
    "SEN_PROVISION_DTYPE",
    "SEX_DTYPE",
    "SPELL_KEY",
    "YEAR_GROUP_DTYPE",
    "EnrolmentRecords",
    "KS2Results",
    "MarkRecords",
    "RowRule",
    "SchoolRecords",
    "ValidationReport",
    "check_enrolments",
    "check_ks2_results",
    "check_marks",
    "check_marks_enrolled",
    "check_schools",
    "enrolments_rules",
    "ks2_results_rules",
    "marks_rules",
    "schools_rules",
    "validate_enrolments",
    "validate_ks2_results",
    "validate_marks",
    "validate_schools",
]

__getattr__ = renamed_getattr(
    __name__, {"Rule": ("makingdata.schemas.RowRule", RowRule)}
)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
