"""Domain models: organisations, pupils, attendance records and the Directory.

Everything here is an attrs class (frozen, slotted, typed, validated on
construction) or a function on identifiers and frames. Bad values raise
:class:`~makingdata.errors.IdentifierError` (a malformed URN, LAESTAB, LA or
region code, trust id or UPN) or :class:`~makingdata.errors.InputError`
(anything else); both are ``ValueError`` subclasses and name the field and
what to do.

* **Identifiers**: ``validate_*`` (normalise or raise), ``is_valid_*``
  (bool), ``is_valid_*_expr`` (polars expressions for millions of rows),
  :func:`check_upns` (UPN check letters via python-stdnum, once per distinct
  value), :func:`split_laestab`, :func:`make_laestab`.
* **Organisations**: :class:`Region`, :class:`LocalAuthority` (with its
  dates and predecessors), :class:`Trust`, :class:`School`,
  :class:`TrustMembership`, and :class:`Directory`, which answers
  URN → school → LA → region and trust → schools *as of a date*.
* **Pupils and marks**: :class:`Enrolment` with the characteristic enums
  (:class:`Sex`, :class:`EthnicityMajor`, :class:`SenProvision`,
  :class:`YearGroup`, :class:`EducationPhase`, the EES labels of
  ``makingdata._contracts``), :func:`age_at_31_august`, and
  :class:`AttendanceRecord`.
* **Sharing** (``makingdata.domain.sharing``): :class:`SharingAgreement`
  (consent or statutory, with opt-out dates), :class:`Viewer` (built only from
  the Directory), :class:`Audience` and :class:`LegalBasis`: the facts
  ``makingdata.access.scope`` decides from.
* **Conversions** between lists of records and the contract frames:
  :func:`records_to_frame` / :func:`frame_to_records` (marks),
  :func:`enrolments_to_frame` / :func:`frame_to_enrolments`,
  :func:`schools_to_frame` / :func:`frame_to_schools`,
  :func:`memberships_to_frame` / :func:`frame_to_memberships`.

Examples
--------
>>> import datetime as dt
>>> from makingdata.domain import AttendanceRecord, records_to_frame, frame_to_records
>>> records = [AttendanceRecord(123456, 7, dt.date(2024, 9, 2), "AM", "/")]
>>> frame_to_records(records_to_frame(records)) == records
True
"""

from __future__ import annotations

from typing import Any

from makingdata._contracts import (
    EducationPhase,
    EthnicityMajor,
    SenProvision,
    Sex,
    YearGroup,
)
from makingdata.domain._convert import (
    enrolments_to_frame,
    frame_to_enrolments,
    frame_to_memberships,
    frame_to_records,
    frame_to_schools,
    memberships_to_frame,
    records_to_frame,
    schools_to_frame,
)
from makingdata.domain._directory import Directory
from makingdata.domain._identifiers import (
    UPN_RULES,
    check_upns,
    is_valid_lad_code,
    is_valid_lad_code_expr,
    is_valid_laestab,
    is_valid_laestab_expr,
    is_valid_new_la_code,
    is_valid_new_la_code_expr,
    is_valid_old_la_code,
    is_valid_old_la_code_expr,
    is_valid_region_code,
    is_valid_region_code_expr,
    is_valid_trust_id,
    is_valid_trust_id_expr,
    is_valid_upn,
    is_valid_urn,
    is_valid_urn_expr,
    make_laestab,
    split_laestab,
    validate_lad_code,
    validate_laestab,
    validate_new_la_code,
    validate_old_la_code,
    validate_region_code,
    validate_trust_id,
    validate_upn,
    validate_urn,
)
from makingdata.domain._organisations import (
    LocalAuthority,
    Region,
    School,
    Trust,
    TrustMembership,
    TrustType,
    default_local_authorities,
)
from makingdata.domain._pupils import (
    Enrolment,
    academic_year_start,
    age_at_31_august,
    age_at_31_august_expr,
)
from makingdata.domain._records import AttendanceRecord
from makingdata.domain.purposes import (
    FORBIDDEN_FOR_SHARED_DAILY_DATA,
    Purpose,
    parse_purpose,
)
from makingdata.domain.requests import moved as _moved
from makingdata.domain.sharing import (
    Audience,
    LegalBasis,
    SharingAgreement,
    Viewer,
)

__all__ = [
    "FORBIDDEN_FOR_SHARED_DAILY_DATA",
    "UPN_RULES",
    "AttendanceRecord",
    "Audience",
    "Directory",
    "EducationPhase",
    "Enrolment",
    "EthnicityMajor",
    "LegalBasis",
    "LocalAuthority",
    "Purpose",
    "Region",
    "School",
    "SenProvision",
    "Sex",
    "SharingAgreement",
    "Trust",
    "TrustMembership",
    "TrustType",
    "Viewer",
    "YearGroup",
    "academic_year_start",
    "age_at_31_august",
    "age_at_31_august_expr",
    "check_upns",
    "default_local_authorities",
    "enrolments_to_frame",
    "frame_to_enrolments",
    "frame_to_memberships",
    "frame_to_records",
    "frame_to_schools",
    "is_valid_lad_code",
    "is_valid_lad_code_expr",
    "is_valid_laestab",
    "is_valid_laestab_expr",
    "is_valid_new_la_code",
    "is_valid_new_la_code_expr",
    "is_valid_old_la_code",
    "is_valid_old_la_code_expr",
    "is_valid_region_code",
    "is_valid_region_code_expr",
    "is_valid_trust_id",
    "is_valid_trust_id_expr",
    "is_valid_upn",
    "is_valid_urn",
    "is_valid_urn_expr",
    "make_laestab",
    "memberships_to_frame",
    "parse_purpose",
    "records_to_frame",
    "schools_to_frame",
    "split_laestab",
    "validate_lad_code",
    "validate_laestab",
    "validate_new_la_code",
    "validate_old_la_code",
    "validate_region_code",
    "validate_trust_id",
    "validate_upn",
    "validate_urn",
]

#: Names that moved to ``makingdata.policy`` in 0.2 (with the request model);
#: ``makingdata.domain.<name>`` still gives them, with a warning, until 0.3.
_MOVED_TO_POLICY = ("DataItem", "DataRequest", "ItemKind", "Requester", "RequesterKind")


def __getattr__(name: str) -> Any:
    # Deprecation shim only (see makingdata.domain.requests): forwards the moved
    # names to makingdata.policy with a DeprecationWarning.
    if name in _MOVED_TO_POLICY:
        return _moved(name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
