"""Attendance kernels: DfE's methodology from session marks to every level.

The data path, additive counts first and rates last:

1. :func:`session_counts` — marks to counts per school (or pupil) and date:
   possible sessions, present, approved educational activity, authorised and
   unauthorised absence, late, a count per reason (DfE's in-year names), and
   the not-counted codes kept apart.
2. :func:`enrolment_summary` — per enrolment over any period: possible and
   missed sessions, ``overall_absence_percent``, persistent absence (>= 10% of
   its own possible sessions) and severe absence (>= 50%), in DfE's cohort by
   default (:class:`Cohort`).
3. :func:`attendance_table` — school, trust, LA, region and England, with
   breakdowns by pupil characteristics, ``Total`` rows and any period, in the
   EES shape.
4. :func:`rollup` — re-aggregates any additive counts (including a published
   DfE school-level file) to higher levels.
5. :func:`rate_expr` and :func:`round_half_up` — DfE's arithmetic: ``n / d *
   100`` in float64, rounded half-up on the float's exact value.

The methodology page of the documentation states every definition and its
DfE source.

Examples
--------
>>> from makingdata.attendance import Cohort, LEVELS
>>> Cohort().min_age, LEVELS["region"].label
(5, 'Regional')
"""

from __future__ import annotations

from makingdata.attendance._enrolments import Cohort, enrolment_summary
from makingdata.attendance._headline import headline_tables
from makingdata.attendance._measures import (
    GROUPINGS,
    LABELS,
    MEASURES,
    Measure,
    add_rates,
    rate_expr,
    round_half_up,
)
from makingdata.attendance._periods import (
    HALF_TERMS,
    PERIODS,
    Period,
    academic_year,
    default_calendar,
    easter_sunday,
)
from makingdata.attendance._rollup import LEVELS, Level, rollup, rounding_default
from makingdata.attendance._sessions import (
    COUNT_COLUMNS,
    REASON_COLUMNS,
    SESSION_COLUMNS,
    session_counts,
)
from makingdata.attendance._table import BREAKDOWNS, attendance_table

__all__ = [
    "BREAKDOWNS",
    "COUNT_COLUMNS",
    "GROUPINGS",
    "HALF_TERMS",
    "LABELS",
    "LEVELS",
    "MEASURES",
    "PERIODS",
    "REASON_COLUMNS",
    "SESSION_COLUMNS",
    "Cohort",
    "Level",
    "Measure",
    "Period",
    "academic_year",
    "add_rates",
    "attendance_table",
    "default_calendar",
    "easter_sunday",
    "enrolment_summary",
    "headline_tables",
    "rate_expr",
    "rollup",
    "round_half_up",
    "rounding_default",
    "session_counts",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
