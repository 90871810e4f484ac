"""The frame contracts between stages: column names, polars dtypes, category values.

Every stage reads and writes these frames (DESIGN.md, "Frames between stages").
Category values are DfE's harmonised EES labels, so a table built from these
frames drops into EES and DfE tools without recoding. The public names are
re-exported by :mod:`makingdata.domain` (the enums) and :mod:`makingdata.schemas`
(the dtypes and frame schemas).
"""

from __future__ import annotations

import enum

import polars as pl

from makingdata.codes import CODE_DTYPE, SESSION_DTYPE

__all__ = [
    "EDUCATION_PHASE_DTYPE",
    "ENROLMENTS_SCHEMA",
    "ETHNICITY_DTYPE",
    "KS2_RESULTS_SCHEMA",
    "KS2_SCALED_SCORE_RANGE",
    "KS2_TA_DTYPE",
    "KS2_TEST_CODE_DTYPE",
    "MARKS_SCHEMA",
    "MEMBERSHIPS_SCHEMA",
    "PERIOD_COLUMNS",
    "SCHOOLS_OPTIONAL",
    "SCHOOLS_SCHEMA",
    "SEN_PROVISION_DTYPE",
    "SEX_DTYPE",
    "TABLE_TIME_COLUMNS",
    "YEAR_GROUP_DTYPE",
    "EducationPhase",
    "EthnicityMajor",
    "KS2TeacherAssessment",
    "KS2TestCode",
    "SenProvision",
    "Sex",
    "YearGroup",
]


class Sex(enum.StrEnum):
    """Pupil sex, as EES labels it (``sex`` filter)."""

    MALE = "Male"
    FEMALE = "Female"
    UNKNOWN = "Unknown"


class EthnicityMajor(enum.StrEnum):
    """Major ethnic group, as EES labels it (``ethnicity_major`` filter)."""

    WHITE = "White"
    MIXED = "Mixed / Multiple ethnic groups"
    ASIAN = "Asian / Asian British"
    BLACK = "Black / African / Caribbean / Black British"
    OTHER = "Other ethnic group"
    UNKNOWN = "Unknown"


class SenProvision(enum.StrEnum):
    """Special educational needs provision, as EES labels it (``sen_provision``)."""

    NONE = "No SEN provision"
    SEN_SUPPORT = "SEN support / SEN without an EHC plan"
    EHC_PLAN = "Education, health and care plan"


class YearGroup(enum.StrEnum):
    """National curriculum year group (CBDS ``NCyearActual`` codes).

    ``E1``/``E2`` early years, ``N1``/``N2`` nursery, ``R`` reception,
    ``1``–``14`` NC years, ``X`` not following the national curriculum.
    """

    E1 = "E1"
    E2 = "E2"
    N1 = "N1"
    N2 = "N2"
    R = "R"
    Y1 = "1"
    Y2 = "2"
    Y3 = "3"
    Y4 = "4"
    Y5 = "5"
    Y6 = "6"
    Y7 = "7"
    Y8 = "8"
    Y9 = "9"
    Y10 = "10"
    Y11 = "11"
    Y12 = "12"
    Y13 = "13"
    Y14 = "14"
    X = "X"


class EducationPhase(enum.StrEnum):
    """School phase of education, as EES labels it (``education_phase``)."""

    PRIMARY = "Primary"
    SECONDARY = "Secondary"
    SPECIAL = "Special"
    NURSERY = "Nursery"
    ALL_THROUGH = "All-through"
    ALTERNATIVE_PROVISION = "Alternative provision"
    MIDDLE_DEEMED_PRIMARY = "Middle (deemed primary)"
    MIDDLE_DEEMED_SECONDARY = "Middle (deemed secondary)"


class KS2TestCode(enum.StrEnum):
    """A KS2 test result that is not a scaled score (reading, maths, GPS).

    DfE's result codes, from "Key stage 2 assessment and reporting arrangements"
    (ARA, Standards and Testing Agency) and the results file schools receive;
    which codes count in which denominator is in "Primary school accountability
    technical guidance" (DfE) and :mod:`makingdata.attainment`. ``U`` is the
    older letter for a pupil unable to access the test, ``T`` the newer one:
    both are accepted and treated alike.
    """

    ABSENT = "A"
    BELOW_TEST_STANDARD = "B"
    FUTURE = "F"
    CHEATING = "H"
    JUST_ARRIVED = "J"
    LEFT = "L"
    MISSING = "M"
    PAST = "P"
    MALADMINISTRATION = "Q"
    UNABLE_TO_ACCESS = "T"
    UNABLE_TO_ACCESS_OLD = "U"


class KS2TeacherAssessment(enum.StrEnum):
    """A KS2 teacher assessment outcome (writing; science uses EXS and HNM).

    From "Key stage 2 teacher assessment guidance" and the ARA (Standards and
    Testing Agency): the interim frameworks' GDS, EXS and WTS (writing), HNM
    (science), the pre-key stage standards PK1–PK6, the engagement model
    (EM), ``BLW`` (below the pre-key stage standards, before the engagement
    model), and the other codes: A absent (or not enough information), D
    disapplied (before 2018), L left, F future, P past, Q maladministration.
    """

    GDS = "GDS"
    EXS = "EXS"
    WTS = "WTS"
    HNM = "HNM"
    PK6 = "PK6"
    PK5 = "PK5"
    PK4 = "PK4"
    PK3 = "PK3"
    PK2 = "PK2"
    PK1 = "PK1"
    EM = "EM"
    BLW = "BLW"
    ABSENT = "A"
    DISAPPLIED = "D"
    LEFT = "L"
    FUTURE = "F"
    PAST = "P"
    MALADMINISTRATION = "Q"


SEX_DTYPE = pl.Enum([m.value for m in Sex])
ETHNICITY_DTYPE = pl.Enum([m.value for m in EthnicityMajor])
SEN_PROVISION_DTYPE = pl.Enum([m.value for m in SenProvision])
YEAR_GROUP_DTYPE = pl.Enum([m.value for m in YearGroup])
EDUCATION_PHASE_DTYPE = pl.Enum([m.value for m in EducationPhase])
KS2_TEST_CODE_DTYPE = pl.Enum([m.value for m in KS2TestCode])
KS2_TA_DTYPE = pl.Enum([m.value for m in KS2TeacherAssessment])

#: marks: one row per pupil per session.
MARKS_SCHEMA: dict[str, pl.DataType] = {
    "urn": pl.UInt32(),
    "pupil_key": pl.UInt64(),
    "date": pl.Date(),
    "session": SESSION_DTYPE,
    "code": CODE_DTYPE,
}

#: enrolments: one row per pupil per school spell (``enrol_end`` null = on roll).
ENROLMENTS_SCHEMA: dict[str, pl.DataType] = {
    "pupil_key": pl.UInt64(),
    "urn": pl.UInt32(),
    "enrol_start": pl.Date(),
    "enrol_end": pl.Date(),
    "date_of_birth": pl.Date(),
    "age_at_31_august": pl.UInt8(),
    "year_group": YEAR_GROUP_DTYPE,
    "sex": SEX_DTYPE,
    "ethnicity_major": ETHNICITY_DTYPE,
    "fsm_eligible": pl.Boolean(),
    "sen_provision": SEN_PROVISION_DTYPE,
    "looked_after": pl.Boolean(),
    "child_in_need": pl.Boolean(),
}

#: The range of a KS2 test scaled score ("Key stage 2 assessment and reporting
#: arrangements", Standards and Testing Agency).
KS2_SCALED_SCORE_RANGE: tuple[int, int] = (80, 120)

#: KS2 results: one row per pupil at the end of key stage 2, attributed to the
#: school where the pupil sat the tests. Each test subject (``read``, ``mat``,
#: ``gps``) has a scaled score (80–120) or a result code, never both; writing
#: and science have teacher assessment outcomes. ``disadvantaged``: FSM in the
#: last 6 years, looked after, or adopted from care (DfE's definition).
#: ``eal``: first language known or believed to be other than English (null:
#: unclassified).
KS2_RESULTS_SCHEMA: dict[str, pl.DataType] = {
    "pupil_key": pl.UInt64(),
    "urn": pl.UInt32(),
    "time_period": pl.Int32(),
    "read_scaled_score": pl.UInt8(),
    "read_code": KS2_TEST_CODE_DTYPE,
    "mat_scaled_score": pl.UInt8(),
    "mat_code": KS2_TEST_CODE_DTYPE,
    "gps_scaled_score": pl.UInt8(),
    "gps_code": KS2_TEST_CODE_DTYPE,
    "writta_outcome": KS2_TA_DTYPE,
    "scita_outcome": KS2_TA_DTYPE,
    "disadvantaged": pl.Boolean(),
    "sen_provision": SEN_PROVISION_DTYPE,
    "eal": pl.Boolean(),
    "sex": SEX_DTYPE,
    "looked_after": pl.Boolean(),
    "month_of_birth": pl.UInt8(),
}

#: schools: one row per school (a Directory as a frame).
SCHOOLS_SCHEMA: dict[str, pl.DataType] = {
    "urn": pl.UInt32(),
    "school_name": pl.String(),
    "laestab": pl.UInt32(),
    "old_la_code": pl.UInt16(),
    "new_la_code": pl.String(),
    "la_name": pl.String(),
    "region_code": pl.String(),
    "region_name": pl.String(),
    "trust_id": pl.String(),
    "education_phase": EDUCATION_PHASE_DTYPE,
    "establishment_type": pl.String(),
    "establishment_type_group": pl.String(),
    "open_date": pl.Date(),
    "close_date": pl.Date(),
    "lad_code": pl.String(),
    "lad_name": pl.String(),
}
#: Columns of ``SCHOOLS_SCHEMA`` a schools frame may leave out: read as null
#: when absent, so a Directory made before they existed keeps working. The
#: local authority district (LAD, GIAS ``DistrictAdministrative``): ``lad_code``
#: its GSS code (E06, E07, E08 or E09 and six digits; for a unitary authority,
#: a metropolitan district or a London borough the LAD is the LA itself),
#: ``lad_name`` its name.
SCHOOLS_OPTIONAL: tuple[str, ...] = ("lad_code", "lad_name")

#: trust memberships over time: a school in a trust from ``joined`` to ``left``
#: (inclusive; null = still a member).
MEMBERSHIPS_SCHEMA: dict[str, pl.DataType] = {
    "urn": pl.UInt32(),
    "trust_id": pl.String(),
    "trust_name": pl.String(),
    "joined": pl.Date(),
    "left": pl.Date(),
}

#: The period columns of a table (EES shape) beside ``time_period`` and
#: ``time_identifier``, as the attendance kernels write them: the day of a daily
#: table, the Monday of a weekly one, the half term, and the dates of a
#: year-to-date or any-range period. EES treats them as filters (dates as
#: yyyy-mm-dd), but they belong to the period.
PERIOD_COLUMNS: tuple[str, ...] = (
    "attendance_date",
    "week_commencing",
    "half_term",
    "period_start",
    "period_end",
)
#: Every time column a table can carry: the EES pair, then the period columns.
TABLE_TIME_COLUMNS: tuple[str, ...] = (
    "time_period",
    "time_identifier",
    *PERIOD_COLUMNS,
)
