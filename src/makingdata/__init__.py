"""makingdata: pupil data that English schools share, counted, scoped, protected and published.

The public API is re-exported here; everything else lives in ``_``-prefixed
modules. See the documentation for the data path (io → access → kernels →
disclosure → EES) and the frame contracts between the stages.

Examples
--------
>>> import makingdata
>>> makingdata.CODES["I"].category.value
'Authorised'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from makingdata.access import SharingAgreement, Viewer, scope
from makingdata.attendance import (
    Cohort,
    attendance_table,
    enrolment_summary,
    rollup,
    round_half_up,
    session_counts,
)
from makingdata.codes import (
    CODE_DTYPE,
    CODES,
    AttendanceCode,
    Category,
    CodeSet,
    category_expr,
    codes_frame,
)
from makingdata.disclosure import (
    AuditReport,
    ProtectedTable,
    audit,
    protect,
    protect_tables,
    require_protected,
)
from makingdata.domain import (
    AttendanceRecord,
    Directory,
    Enrolment,
    LocalAuthority,
    Region,
    School,
    Trust,
    TrustMembership,
)
from makingdata.errors import (
    AccessDenied,
    DisclosureError,
    ExitCode,
    ExportError,
    IdentifierError,
    InputError,
    MakingDataError,
    MakingDataWarning,
    RuleError,
    ScopeError,
    ValidationError,
)
from makingdata.io import (
    ReadResult,
    pseudonymise,
    read_enrolments,
    read_marks,
    read_schools,
)
from makingdata.policy import (
    Assessment,
    DataItem,
    DataRequest,
    Purpose,
    Requester,
    assess,
    assess_burden,
    load_request,
)

# ``publish`` (the function) stays in makingdata.publish: exporting it here
# would hide the subpackage of the same name (``import makingdata.publish as p``
# would give the function).
from makingdata.publish import check_ees, write_ees
from makingdata.schemas import (
    ValidationReport,
    check_enrolments,
    check_marks,
    check_marks_enrolled,
    check_schools,
    validate_enrolments,
    validate_marks,
    validate_schools,
)

try:
    __version__ = version("makingdata")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "CODES",
    "CODE_DTYPE",
    "AccessDenied",
    "Assessment",
    "AttendanceCode",
    "AttendanceRecord",
    "AuditReport",
    "Category",
    "CodeSet",
    "Cohort",
    "DataItem",
    "DataRequest",
    "Directory",
    "DisclosureError",
    "Enrolment",
    "ExitCode",
    "ExportError",
    "IdentifierError",
    "InputError",
    "LocalAuthority",
    "MakingDataError",
    "MakingDataWarning",
    "ProtectedTable",
    "Purpose",
    "ReadResult",
    "Region",
    "Requester",
    "RuleError",
    "School",
    "ScopeError",
    "SharingAgreement",
    "Trust",
    "TrustMembership",
    "ValidationError",
    "ValidationReport",
    "Viewer",
    "__version__",
    "assess",
    "assess_burden",
    "attendance_table",
    "audit",
    "category_expr",
    "check_ees",
    "check_enrolments",
    "check_marks",
    "check_marks_enrolled",
    "check_schools",
    "codes_frame",
    "enrolment_summary",
    "load_request",
    "protect",
    "protect_tables",
    "pseudonymise",
    "read_enrolments",
    "read_marks",
    "read_schools",
    "require_protected",
    "rollup",
    "round_half_up",
    "scope",
    "session_counts",
    "validate_enrolments",
    "validate_marks",
    "validate_schools",
    "write_ees",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
