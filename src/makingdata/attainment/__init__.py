"""KS2 attainment: pupils' results to every level, by group, as DfE measures them — never predicted.

The data path, additive counts first and rates last:

1. ``KS2_RESULTS_SCHEMA`` — one row per pupil at the end of key stage 2:
   scaled scores (80–120) or DfE's result codes (:class:`KS2TestCode`) for
   reading, maths and grammar-punctuation-spelling, teacher assessment
   outcomes (:class:`KS2TeacherAssessment`) for writing and science, and the
   pupil characteristics of the breakdowns.
   :func:`check_ks2_results` and :func:`validate_ks2_results` check it
   (pandera schema :data:`KS2Results`, row rules with reasons).
2. :func:`ks2_table` — eligible pupils, % meeting the expected and the higher
   standard, average scaled scores, at school, trust, LA, region and England,
   with breakdowns (:data:`KS2_BREAKDOWNS`) and ``Total`` rows, as a
   :class:`~makingdata.tables.Table`.

Nothing here predicts or targets a result: there is no function that takes
this year's pupils and returns an expected one. The methodology page of the
documentation states every definition with its DfE source.

Examples
--------
>>> from makingdata.attainment import EXPECTED_SCORE, HIGHER_SCORE, KS2TestCode
>>> EXPECTED_SCORE, HIGHER_SCORE, KS2TestCode("B").name
(100, 110, 'BELOW_TEST_STANDARD')
"""

from __future__ import annotations

from makingdata._contracts import (
    KS2_RESULTS_SCHEMA,
    KS2_TA_DTYPE,
    KS2_TEST_CODE_DTYPE,
    KS2TeacherAssessment,
    KS2TestCode,
)
from makingdata.attainment._compare import (
    NATIONAL,
    gap_to_group,
    gap_to_national,
    near_national,
    trend,
)
from makingdata.attainment._measures import (
    EXPECTED_SCORE,
    HIGHER_SCORE,
    KS2_SUBJECTS,
    SCALED_SCORE_RANGE,
    TA_ELIGIBLE,
    TEST_ELIGIBLE_CODES,
    Subject,
    round_whole,
)
from makingdata.attainment._progress import (
    FIRST_MINIMUM_YEAR,
    FIRST_PROGRESS_YEAR,
    NO_PROGRESS_YEARS,
    PROGRESS_AUDIENCES,
    PROGRESS_MINIMUM_SCHEMA,
    PROGRESS_REFERENCE_SCHEMA,
    PROGRESS_SHARE_RULE,
    PROGRESS_SUBJECTS,
    PROGRESS_Z,
    progress_interval,
    progress_reference,
    progress_table,
    pupil_progress,
)
from makingdata.attainment._schema import (
    KS2Results,
    check_ks2_results,
    ks2_results_rules,
    validate_ks2_results,
)
from makingdata.attainment._table import (
    ACADEMY,
    DISTRICT,
    KS2_BREAKDOWNS,
    KS2_SCHOOL_BREAKDOWNS,
    MAINTAINED,
    THREE_TIER,
    TWO_TIER,
    ks2_table,
)

__all__ = [
    "ACADEMY",
    "DISTRICT",
    "EXPECTED_SCORE",
    "FIRST_MINIMUM_YEAR",
    "FIRST_PROGRESS_YEAR",
    "HIGHER_SCORE",
    "KS2_BREAKDOWNS",
    "KS2_RESULTS_SCHEMA",
    "KS2_SCHOOL_BREAKDOWNS",
    "KS2_SUBJECTS",
    "KS2_TA_DTYPE",
    "KS2_TEST_CODE_DTYPE",
    "MAINTAINED",
    "NATIONAL",
    "NO_PROGRESS_YEARS",
    "PROGRESS_AUDIENCES",
    "PROGRESS_MINIMUM_SCHEMA",
    "PROGRESS_REFERENCE_SCHEMA",
    "PROGRESS_SHARE_RULE",
    "PROGRESS_SUBJECTS",
    "PROGRESS_Z",
    "SCALED_SCORE_RANGE",
    "TA_ELIGIBLE",
    "TEST_ELIGIBLE_CODES",
    "THREE_TIER",
    "TWO_TIER",
    "KS2Results",
    "KS2TeacherAssessment",
    "KS2TestCode",
    "Subject",
    "check_ks2_results",
    "gap_to_group",
    "gap_to_national",
    "ks2_results_rules",
    "ks2_table",
    "near_national",
    "progress_interval",
    "progress_reference",
    "progress_table",
    "pupil_progress",
    "round_whole",
    "trend",
    "validate_ks2_results",
]
