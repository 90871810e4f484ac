"""The national figures the generator is calibrated to, with their sources."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs
import polars as pl

if TYPE_CHECKING:
    from collections.abc import Mapping

_YTD = (
    "DfE in-year 'Pupil attendance in schools', 2025/26 year to date, national "
    "(EES_ytd_data.csv, dfe-analytical-services/attendance-data-dashboard@8f4979c)"
)
_CENSUS = "makingdata/data/las.csv (school census counts behind the same file)"
_ASSUMED = (
    "assumption close to DfE 'Schools, pupils and their characteristics' "
    "(recent years); not checked against a file in this project"
)
_SEVERE = (
    "approximate: about 2% in DfE's recent annual absence releases; "
    "not checked against a file in this project"
)
_FSM_GAP = (
    "approximate: FSM pupils about twice as likely to be persistently absent in "
    "DfE's recent releases; not checked against a file in this project"
)

# KS2 attainment (the synthetic KS2 results; DfE's national statistics,
# explore-education-statistics: "Key stage 2 attainment: National headlines"
# and "Key stage 2 attainment", all schools, England).
_KS2_HEAD_2025 = (
    "DfE 'Key stage 2 attainment: National headlines', 2024/25 (July 2025): "
    "62% met the expected standard in reading, writing and maths"
)
_KS2_SEX_2025 = (
    "DfE 'Key stage 2 attainment', 2024/25 provisional, attainment by sex: "
    "RWM 65% girls, 59% boys; higher standard in maths 22% girls, 30% boys, "
    "greater depth in writing 16% girls, 10% boys, RWM 9% girls, 7% boys"
)
_KS2_2024 = (
    "DfE 'Key stage 2 attainment', 2023/24 national figures (reading 74%, "
    "writing 72%, maths 73%, GPS 72%, science 81%; higher standard 28% / 31% "
    "(reading / GPS); average scaled scores 105, 104, 105), as quoted from "
    "DfE's release by sector summaries; not checked against DfE's file"
)
_KS2_DISADV = (
    "DfE 'Key stage 2 attainment', 2023/24 revised: RWM 46% of disadvantaged "
    "pupils, 67% of other pupils (as reported by the Social Mobility "
    "Commission's 'Attainment at age 11' indicator); the 2024/25 breakdown "
    "was not found"
)
_KS2_SEN = (
    "approximate: RWM for pupils on SEN support and with an EHC plan in DfE's "
    "recent KS2 releases (about a quarter and under a tenth); not checked "
    "against a file or page in this project"
)
_KS2_CODES = (
    "assumption: a few % of pupils working below the standard of the test or "
    "absent; not checked against DfE's figures"
)


@attrs.frozen
class Target:
    """One calibration target: the published figure and the accepted band.

    Attributes
    ----------
    name
        Short name of the measure.
    value
        The published (or assumed) national figure.
    low
        Lowest value the generator's output is accepted at (tests check it).
    high
        Highest accepted value.
    unit
        ``"%"``, ``"count"``, ``"ratio"`` or ``"score"`` (a KS2 average
        scaled score).
    source
        Where the figure comes from.

    Examples
    --------
    >>> from makingdata.synth import TARGETS
    >>> t = TARGETS["overall_absence"]
    >>> t.low <= t.value <= t.high
    True
    """

    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str


_ROWS = (
    ("overall_absence", 6.88, 6.0, 7.6, "%", _YTD),
    ("authorised_absence", 4.52, 3.8, 5.3, "%", _YTD),
    ("unauthorised_absence", 2.36, 1.8, 3.0, "%", _YTD),
    ("illness", 3.21, 2.6, 3.9, "%", _YTD),
    ("overall_absence_primary", 5.28, 4.5, 6.1, "%", _YTD),
    ("overall_absence_secondary", 8.49, 7.5, 9.5, "%", _YTD),
    ("overall_absence_special", 13.17, 10.5, 16.0, "%", _YTD),
    ("persistent_absence", 18.78, 16.5, 21.5, "%", _YTD),
    ("persistent_absence_primary", 13.77, 11.0, 16.5, "%", _YTD),
    ("persistent_absence_secondary", 23.77, 20.5, 27.0, "%", _YTD),
    ("severe_absence", 2.0, 1.3, 2.9, "%", _SEVERE),
    (
        "pa_ratio_fsm",
        2.0,
        1.6,
        2.8,
        "ratio",
        _FSM_GAP,
    ),
    ("fsm_eligible", 25.0, 23.0, 27.5, "%", _ASSUMED),
    ("sen_support", 13.0, 11.5, 14.5, "%", _ASSUMED),
    ("ehc_plan", 5.0, 4.0, 6.0, "%", _ASSUMED),
    ("looked_after", 0.7, 0.45, 1.0, "%", _ASSUMED),
    ("child_in_need", 3.3, 2.5, 4.5, "%", _ASSUMED),
    ("male", 51.2, 49.5, 53.0, "%", _ASSUMED),
    ("ethnicity_white", 67.5, 63.0, 72.0, "%", _ASSUMED),
    ("schools", 21292.0, 21000.0, 21600.0, "count", _CENSUS),
    ("enrolments_5_to_15", 8102761.0, 7700000.0, 8500000.0, "count", _CENSUS),
    # KS2: % of eligible pupils (ks2_table's national Total row)
    ("ks2_rwm_expected", 62.0, 59.0, 65.0, "%", _KS2_HEAD_2025),
    ("ks2_rwm_higher", 8.0, 6.0, 11.0, "%", _KS2_SEX_2025),
    ("ks2_read_expected", 74.0, 71.0, 77.0, "%", _KS2_2024),
    ("ks2_writta_expected", 72.0, 69.0, 75.0, "%", _KS2_2024),
    ("ks2_mat_expected", 73.0, 70.0, 76.0, "%", _KS2_2024),
    ("ks2_gps_expected", 72.0, 69.0, 75.0, "%", _KS2_2024),
    ("ks2_scita_expected", 81.0, 78.0, 84.0, "%", _KS2_2024),
    ("ks2_read_higher", 28.0, 25.0, 31.0, "%", _KS2_2024),
    ("ks2_writta_higher", 13.0, 10.0, 16.0, "%", _KS2_SEX_2025),
    ("ks2_mat_higher", 26.0, 23.0, 29.0, "%", _KS2_SEX_2025),
    ("ks2_gps_higher", 31.0, 28.0, 34.0, "%", _KS2_2024),
    ("ks2_read_average", 105.0, 104.0, 106.0, "score", _KS2_2024),
    ("ks2_mat_average", 104.0, 103.0, 106.0, "score", _KS2_2024),
    ("ks2_gps_average", 105.0, 104.0, 106.0, "score", _KS2_2024),
    ("ks2_rwm_girls", 65.0, 62.0, 68.0, "%", _KS2_SEX_2025),
    ("ks2_rwm_boys", 59.0, 56.0, 62.0, "%", _KS2_SEX_2025),
    ("ks2_rwm_disadvantaged", 46.0, 43.0, 50.0, "%", _KS2_DISADV),
    ("ks2_rwm_not_disadvantaged", 67.0, 64.0, 70.0, "%", _KS2_DISADV),
    ("ks2_rwm_sen_support", 24.0, 17.0, 31.0, "%", _KS2_SEN),
    ("ks2_rwm_ehc_plan", 8.0, 3.0, 13.0, "%", _KS2_SEN),
    ("ks2_test_code_share", 3.0, 1.5, 5.0, "%", _KS2_CODES),
)

#: Calibration targets by name (the figures tests hold the generator to).
TARGETS: Mapping[str, Target] = MappingProxyType({r[0]: Target(*r) for r in _ROWS})


def targets_frame() -> pl.DataFrame:
    """Return :data:`TARGETS` as a frame (one row per measure).

    Examples
    --------
    >>> from makingdata.synth import targets_frame
    >>> targets_frame().filter(name="persistent_absence")["value"].item()
    18.78
    """
    return pl.DataFrame(
        [attrs.asdict(t) for t in TARGETS.values()],
        schema={
            "name": pl.String,
            "value": pl.Float64,
            "low": pl.Float64,
            "high": pl.Float64,
            "unit": pl.String,
            "source": pl.String,
        },
    )
