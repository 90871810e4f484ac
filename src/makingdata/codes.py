r"""Attendance and absence codes, as data.

Two code sets are in force in England's admission registers:

* the **2024 set**, from 19 August 2024 under the School Attendance (Pupil
  Registration) (England) Regulations 2024 and the statutory guidance
  "Working together to improve school attendance" (August 2024);
* the **legacy set**, used from the Education (Pupil Registration) (England)
  Regulations 2006 until 18 August 2024. ``F`` (extended family holiday) was
  withdrawn in September 2013; ``H``, ``J`` and ``Y`` became inactive on
  19 August 2024, when ``C1``, ``C2``, ``J1``, ``K``, ``Q`` and ``Y1``–``Y7``
  began.

Each code carries its DfE statistical category (present, approved educational
activity, authorised, unauthorised, or not counted in possible sessions), the
dates it is valid for, and the DfE in-year column name for its sessions. One
polars :data:`CODE_DTYPE` (an ``Enum``) covers every letter of both sets, so
historic and current marks share one column type.

A letter's statistical category is the same in every period in which the letter
is valid, so :func:`category_expr` needs no date; :func:`invalid_on_date_expr`
flags a code used outside its validity dates (``J`` after 18 August 2024,
``C1`` before 19 August 2024).

Sources: ``attendance-domain.md`` §1–2 (DfE data dictionary, the in-year
attendance dashboard's column names, DCSF 2009 code guidance, LA and vendor
copies of the 2024 guidance). Wordings marked *uncertain* there are kept as
DfE's data dictionary labels them.

Examples
--------
>>> import datetime as dt
>>> import polars as pl
>>> from makingdata.codes import CODES, CODE_DTYPE, Category, category_expr
>>> CODES["I"].category
<Category.AUTHORISED: 'Authorised'>
>>> CODES["D"].counted_in_possible
False
>>> CODES["J"].is_valid_on(dt.date(2024, 9, 2))
False
>>> marks = pl.DataFrame({"code": ["/", "I", "D"]}, schema={"code": CODE_DTYPE})
>>> marks.with_columns(category=category_expr("code"))["category"].to_list()
['Present', 'Authorised', 'Not counted in possible sessions']
"""

from __future__ import annotations

import datetime as dt
import enum
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs
import polars as pl

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CATEGORY_DTYPE",
    "CODES",
    "CODE_DTYPE",
    "CODE_LETTERS",
    "CODE_SET_2024_START",
    "LEGACY_CODES",
    "NOT_COUNTED_CODES",
    "SESSION_DTYPE",
    "AttendanceCode",
    "Category",
    "CodeSet",
    "category_expr",
    "codes_frame",
    "codes_in_category",
    "counted_in_possible_expr",
    "invalid_on_date_expr",
]

#: First day of the 2024 code set (School Attendance (Pupil Registration)
#: (England) Regulations 2024).
CODE_SET_2024_START = dt.date(2024, 8, 19)
_LEGACY_END = CODE_SET_2024_START - dt.timedelta(days=1)
#: ``F`` (agreed extended family holiday) was withdrawn from September 2013.
_F_END = dt.date(2013, 8, 31)


class Category(enum.StrEnum):
    """DfE statistical category of an attendance code (``attendance_type``)."""

    PRESENT = "Present"
    AEA = "Approved educational activity"
    AUTHORISED = "Authorised"
    UNAUTHORISED = "Unauthorised"
    NOT_COUNTED = "Not counted in possible sessions"

    @property
    def counted_in_possible(self) -> bool:
        """Whether sessions in this category count as possible sessions."""
        return self is not Category.NOT_COUNTED

    @property
    def is_attendance(self) -> bool:
        """Whether the category counts towards attendance (present or AEA)."""
        return self in (Category.PRESENT, Category.AEA)

    @property
    def is_absence(self) -> bool:
        """Whether the category counts towards overall absence."""
        return self in (Category.AUTHORISED, Category.UNAUTHORISED)


class CodeSet(enum.StrEnum):
    """Which register regulations a code belongs to."""

    LEGACY = "2006 regulations (to 18 Aug 2024)"
    Y2024 = "2024 regulations (from 19 Aug 2024)"
    BOTH = "both"


@attrs.frozen(slots=True)
class AttendanceCode:
    r"""One attendance or absence code with its meaning and DfE category.

    Attributes
    ----------
    code
        The register mark: ``/``, ``\``, ``L``, ``I``, ``C1`` …
    meaning
        What the mark records, in the words of the guidance.
    category
        DfE statistical category.
    code_set
        The regulations the code belongs to.
    valid_from
        First day the code may be used; ``None`` means no lower bound is known
        (legacy codes in use since before the 2006 regulations).
    valid_to
        Last day (inclusive) the code may be used; ``None`` for codes still in
        force.
    dfe_reason
        The DfE in-year statistics column for sessions with this code
        (``reason_i_authorised_illness`` …); for codes DfE does not publish
        (``X``) a makingdata name in the same style.
    label
        Short DfE data-dictionary label.

    Examples
    --------
    >>> from makingdata.codes import CODES
    >>> CODES["C1"].valid_from
    datetime.date(2024, 8, 19)
    >>> CODES["C1"].dfe_reason
    'reason_c1_authorised_regulated_performance'
    """

    code: str
    meaning: str
    category: Category
    code_set: CodeSet
    valid_from: dt.date | None
    valid_to: dt.date | None
    dfe_reason: str
    label: str

    @property
    def counted_in_possible(self) -> bool:
        """Whether a session with this code is a possible session."""
        return self.category.counted_in_possible

    def is_valid_on(self, date: dt.date) -> bool:
        """Return whether the code may be used in a register on ``date``."""
        if self.valid_from is not None and date < self.valid_from:
            return False
        return not (self.valid_to is not None and date > self.valid_to)


_P, _A, _AU, _UN, _NC = (
    Category.PRESENT,
    Category.AEA,
    Category.AUTHORISED,
    Category.UNAUTHORISED,
    Category.NOT_COUNTED,
)
_B, _L, _N = CodeSet.BOTH, CodeSet.LEGACY, CodeSet.Y2024
_NEW = (CODE_SET_2024_START, None)
_OLD = (None, _LEGACY_END)
_ALL = (None, None)

# (code, meaning, category, set, (from, to), dfe_reason, label)
_TABLE: tuple[
    tuple[str, str, Category, CodeSet, tuple[dt.date | None, dt.date | None], str, str],
    ...,
] = (
    ("/", "Present, morning session", _P, _B, _ALL, "reason_present_am", "Present am"),
    (
        "\\",
        "Present, afternoon session",
        _P,
        _B,
        _ALL,
        "reason_present_pm",
        "Present pm",
    ),
    (
        "L",
        "Late arrival before the register closed",
        _P,
        _B,
        _ALL,
        "reason_l_present_late_before_registers_closed",
        "Present late before registers closed",
    ),
    (
        "K",
        "Attending education provision arranged by the local authority",
        _A,
        _N,
        _NEW,
        "reason_k_aea_education_arranged_by_la",
        "Education arranged by LA",
    ),
    (
        "V",
        "Attending an educational visit or trip",
        _A,
        _B,
        _ALL,
        "reason_v_aea_educational_visit_trip",
        "Educational visit or trip",
    ),
    (
        "P",
        "Participating in an approved sporting activity",
        _A,
        _B,
        _ALL,
        "reason_p_aea_approved_sporting_activity",
        "Approved sporting activity",
    ),
    (
        "W",
        "Attending work experience",
        _A,
        _B,
        _ALL,
        "reason_w_aea_work_experience",
        "Work experience",
    ),
    (
        "B",
        "Attending any other approved educational activity off site",
        _A,
        _B,
        _ALL,
        "reason_b_aea_education_off_site",
        "Education off site",
    ),
    (
        "J",
        "Interview (before 19 Aug 2024, an approved educational activity)",
        _A,
        _L,
        _OLD,
        "reason_j_aea_interview",
        "Interview",
    ),
    (
        "C1",
        "Leave of absence for a regulated performance or regulated employment abroad",
        _AU,
        _N,
        _NEW,
        "reason_c1_authorised_regulated_performance",
        "Regulated performance",
    ),
    (
        "M",
        "Leave of absence for a medical or dental appointment",
        _AU,
        _B,
        _ALL,
        "reason_m_authorised_medical_dental",
        "Medical or dental appointment",
    ),
    (
        "J1",
        "Leave of absence for an interview",
        _AU,
        _N,
        _NEW,
        "reason_j1_authorised_interview",
        "Interview",
    ),
    (
        "S",
        "Leave of absence for study leave",
        _AU,
        _B,
        _ALL,
        "reason_s_authorised_study_leave",
        "Study leave",
    ),
    (
        "C2",
        "Leave of absence for a pupil on a temporary reduced timetable",
        _AU,
        _N,
        _NEW,
        "reason_c2_authorised_temp_reduced_timetable",
        "Temporary reduced timetable",
    ),
    (
        "C",
        "Leave of absence for exceptional circumstances",
        _AU,
        _B,
        _ALL,
        "reason_c_authorised_other",
        "Other authorised",
    ),
    (
        "T",
        "Parent travelling for occupational purposes (mobile child; before 2024: traveller absence)",
        _AU,
        _B,
        _ALL,
        "reason_t_authorised_mobile_child",
        "Mobile child",
    ),
    (
        "R",
        "Religious observance",
        _AU,
        _B,
        _ALL,
        "reason_r_authorised_religious_observance",
        "Religious observance",
    ),
    (
        "I",
        "Illness (not medical or dental appointment)",
        _AU,
        _B,
        _ALL,
        "reason_i_authorised_illness",
        "Illness",
    ),
    (
        "E",
        "Suspended or permanently excluded, no alternative provision made",
        _AU,
        _B,
        _ALL,
        "reason_e_authorised_excluded",
        "Excluded",
    ),
    (
        "H",
        "Agreed family holiday (exceptional circumstances only from 2013)",
        _AU,
        _L,
        _OLD,
        "reason_h_authorised_holiday",
        "Authorised holiday",
    ),
    (
        "F",
        "Agreed extended family holiday (withdrawn September 2013)",
        _AU,
        _L,
        (None, _F_END),
        "reason_f_legacy_family_holiday",
        "Legacy family holiday",
    ),
    (
        "G",
        "Holiday not granted by the school, or days in excess of leave granted",
        _UN,
        _B,
        _ALL,
        "reason_g_unauthorised_holiday",
        "Unauthorised holiday",
    ),
    (
        "N",
        "Reason for absence not yet established",
        _UN,
        _B,
        _ALL,
        "reason_n_no_reason_yet",
        "No reason yet",
    ),
    (
        "O",
        "Absent in other or unknown circumstances",
        _UN,
        _B,
        _ALL,
        "reason_o_other_unauthorised",
        "Other unauthorised",
    ),
    (
        "U",
        "Arrived in school after the register closed",
        _UN,
        _B,
        _ALL,
        "reason_u_unauthorised_late_after_registers_closed",
        "Late after registers closed",
    ),
    (
        "D",
        "Dual registered: attending another school where also registered",
        _NC,
        _B,
        _ALL,
        "reason_d_dual_registration",
        "Dual registration",
    ),
    (
        "X",
        "Non-compulsory school age pupil not required to attend",
        _NC,
        _B,
        _ALL,
        "reason_x_not_required_to_attend",
        "Not required to attend",
    ),
    (
        "Q",
        "Unable to attend: lack of access arrangements by the local authority",
        _NC,
        _N,
        _NEW,
        "reason_q_la_arrangements",
        "LA arrangements",
    ),
    (
        "Y",
        "Unable to attend due to exceptional circumstances (enforced closure)",
        _NC,
        _L,
        _OLD,
        "reason_y_not_attending_enforced_closure",
        "Not attending enforced closure",
    ),
    (
        "Y1",
        "Unable to attend: transport normally provided not available",
        _NC,
        _N,
        _NEW,
        "reason_y1_transport_not_provided",
        "Transport not provided",
    ),
    (
        "Y2",
        "Unable to attend: widespread disruption to travel",
        _NC,
        _N,
        _NEW,
        "reason_y2_travel_disruption",
        "Travel disruption",
    ),
    (
        "Y3",
        "Unable to attend: part of the school premises closed",
        _NC,
        _N,
        _NEW,
        "reason_y3_premises_out_of_use",
        "Premises out of use",
    ),
    (
        "Y4",
        "Unable to attend: whole school site unexpectedly closed",
        _NC,
        _N,
        _NEW,
        "reason_y4_closed_session_cancelled",
        "Closed session cancelled",
    ),
    (
        "Y5",
        "Unable to attend: in criminal justice detention",
        _NC,
        _N,
        _NEW,
        "reason_y5_detention_sentence",
        "Detention sentence",
    ),
    (
        "Y6",
        "Unable to attend: in accordance with public health guidance or law",
        _NC,
        _N,
        _NEW,
        "reason_y6_prohibited_infectious_disease",
        "Prohibited infectious disease",
    ),
    (
        "Y7",
        "Unable to attend: any other unavoidable cause",
        _NC,
        _N,
        _NEW,
        "reason_y7_unavoidable_cause",
        "Unavoidable cause",
    ),
    (
        "Z",
        "Prospective pupil not yet on the admission register",
        _NC,
        _B,
        _ALL,
        "reason_z_not_attending_not_on_roll",
        "Not attending not on roll",
    ),
    (
        "#",
        "Planned whole-school closure (including INSET days)",
        _NC,
        _B,
        _ALL,
        "reason_not_attending_planned_closed",
        "Not attending planned closed",
    ),
)

#: Every code of both sets, by letter, in register order.
CODES: Mapping[str, AttendanceCode] = MappingProxyType(
    {
        row[0]: AttendanceCode(
            code=row[0],
            meaning=row[1],
            category=row[2],
            code_set=row[3],
            valid_from=row[4][0],
            valid_to=row[4][1],
            dfe_reason=row[5],
            label=row[6],
        )
        for row in _TABLE
    }
)

#: The letters of :data:`CODES`, in register order.
CODE_LETTERS: tuple[str, ...] = tuple(CODES)

#: Codes that are only valid before 19 August 2024.
LEGACY_CODES: frozenset[str] = frozenset(
    c.code for c in CODES.values() if c.code_set is CodeSet.LEGACY
)

#: Codes whose sessions never enter possible sessions.
NOT_COUNTED_CODES: frozenset[str] = frozenset(
    c.code for c in CODES.values() if not c.counted_in_possible
)

#: polars dtype of the ``code`` column: an ``Enum`` of every letter of both sets.
CODE_DTYPE = pl.Enum(list(CODE_LETTERS))

#: polars dtype of the ``session`` column.
SESSION_DTYPE = pl.Enum(["AM", "PM"])

#: polars dtype of a statistical category column.
CATEGORY_DTYPE = pl.Enum([c.value for c in Category])


def codes_in_category(category: Category | str) -> tuple[str, ...]:
    r"""Return the letters whose statistical category is ``category``.

    Examples
    --------
    >>> from makingdata.codes import codes_in_category
    >>> codes_in_category("Present")
    ('/', '\\', 'L')
    """
    cat = Category(category)
    return tuple(c.code for c in CODES.values() if c.category is cat)


def codes_frame() -> pl.DataFrame:
    """Return the code table as a polars frame, one row per code.

    Columns: ``code`` (:data:`CODE_DTYPE`), ``meaning``, ``category``
    (:data:`CATEGORY_DTYPE`), ``code_set``, ``counted_in_possible``,
    ``valid_from``, ``valid_to``, ``dfe_reason``, ``label``.

    Examples
    --------
    >>> from makingdata.codes import codes_frame
    >>> codes_frame().filter(code="G").select("category", "dfe_reason").row(0)
    ('Unauthorised', 'reason_g_unauthorised_holiday')
    """
    rows = list(CODES.values())
    return pl.DataFrame(
        {
            "code": [c.code for c in rows],
            "meaning": [c.meaning for c in rows],
            "category": [c.category.value for c in rows],
            "code_set": [c.code_set.value for c in rows],
            "counted_in_possible": [c.counted_in_possible for c in rows],
            "valid_from": [c.valid_from for c in rows],
            "valid_to": [c.valid_to for c in rows],
            "dfe_reason": [c.dfe_reason for c in rows],
            "label": [c.label for c in rows],
        },
        schema={
            "code": CODE_DTYPE,
            "meaning": pl.String,
            "category": CATEGORY_DTYPE,
            "code_set": pl.String,
            "counted_in_possible": pl.Boolean,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "dfe_reason": pl.String,
            "label": pl.String,
        },
    )


def _code_col(code: str | pl.Expr) -> pl.Expr:
    return pl.col(code) if isinstance(code, str) else code


def category_expr(code: str | pl.Expr = "code") -> pl.Expr:
    """Map a code column to its statistical category (:data:`CATEGORY_DTYPE`).

    Works on a column of :data:`CODE_DTYPE` or of plain strings; unknown
    strings map to null.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.codes import category_expr
    >>> pl.select(category_expr(pl.lit("N"))).item()
    'Unauthorised'
    """
    mapping = {c.code: c.category.value for c in CODES.values()}
    return (
        _code_col(code)
        .cast(pl.String)
        .replace_strict(mapping, default=None, return_dtype=CATEGORY_DTYPE)
    )


def counted_in_possible_expr(code: str | pl.Expr = "code") -> pl.Expr:
    """Return whether each mark counts as a possible session (boolean expression).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.codes import counted_in_possible_expr
    >>> pl.select(counted_in_possible_expr(pl.lit("#"))).item()
    False
    """
    return _code_col(code).cast(pl.String).is_in(sorted(NOT_COUNTED_CODES)).not_()


def invalid_on_date_expr(
    code: str | pl.Expr = "code", date: str | pl.Expr = "date"
) -> pl.Expr:
    """Return ``True`` where a code is used outside the dates it is valid for.

    ``J``, ``H``, ``Y`` after 18 August 2024, ``F`` after August 2013, and
    ``C1``, ``C2``, ``J1``, ``K``, ``Q``, ``Y1``–``Y7`` before 19 August 2024
    are flagged. Null codes or dates give null.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.codes import invalid_on_date_expr
    >>> df = pl.DataFrame(
    ...     {
    ...         "code": ["J", "J", "C1", "I"],
    ...         "date": [
    ...             dt.date(2024, 7, 1),
    ...             dt.date(2024, 9, 2),
    ...             dt.date(2024, 7, 1),
    ...             dt.date(2024, 9, 2),
    ...         ],
    ...     }
    ... )
    >>> df.select(bad=invalid_on_date_expr())["bad"].to_list()
    [False, True, True, False]
    """
    c = _code_col(code).cast(pl.String)
    d = pl.col(date) if isinstance(date, str) else date
    starts = {k: v.valid_from for k, v in CODES.items() if v.valid_from is not None}
    ends = {k: v.valid_to for k, v in CODES.items() if v.valid_to is not None}
    start = c.replace_strict(starts, default=None, return_dtype=pl.Date)
    end = c.replace_strict(ends, default=None, return_dtype=pl.Date)
    too_early = start.is_not_null() & (d < start)
    too_late = end.is_not_null() & (d > end)
    return pl.when(c.is_null() | d.is_null()).then(None).otherwise(too_early | too_late)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
