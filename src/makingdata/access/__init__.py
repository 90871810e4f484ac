"""Access: who may see which schools' data, on which days, for which purpose.

The daily-data principles (seeds/003_39734155fc877a52.txt §4) promise schools
that a trust sees only the participating schools it is responsible for, an LA
only those in its area, that the data is not used for Ofsted or RSC
decisions, schools-causing-concern judgements, inspection, academisation or
trust moves, that no child is identified publicly and that the Attendance
Action Alliance sees no school. This module keeps those promises by
construction:

* :func:`scope` returns only what a :class:`~makingdata.domain.sharing.Viewer`
  may see of marks, enrolments or a table, for a
  :class:`~makingdata.domain.purposes.Purpose`, recomputed from the
  :class:`~makingdata.domain.Directory` and the
  :class:`~makingdata.domain.sharing.SharingAgreement` list on every call
  (deny by default; forbidden purposes raise
  :class:`~makingdata.errors.AccessDenied` citing the promise);
  :func:`allowed_windows` shows the allow-list it uses;
* :func:`release` scopes an aggregate table for a partner group or the public
  and protects it with :func:`makingdata.disclosure.protect`;
* :class:`Reidentifier` turns a school's pupil keys back into UPNs, only with
  the school's key and only for its pupils; :func:`rotation_map` moves stored
  keys to a new key;
* :class:`AuditLog` records every decision as a JSON line;
  :func:`read_audit_log` reads it back (``makingdata audit-log show``);
* :func:`parse_viewer`, :func:`read_agreements`, :class:`ScopeOptions`
  (a scope given as text, parsed once; statutory agreements from 19 August
  2024), :func:`add_scope_arguments` and :func:`apply_cli_scope` give
  command-line tools the same scope.

The domain objects (``SharingAgreement``, ``Viewer``, ``Audience``,
``LegalBasis``, ``GRANTS``, ``statutory_agreements``) live in
:mod:`makingdata.domain.sharing` and are re-exported here.

Examples
--------
>>> import datetime as dt
>>> import polars as pl
>>> from makingdata.access import SharingAgreement, Viewer, scope
>>> from makingdata.domain import Directory, LocalAuthority, Region, School
>>> la = LocalAuthority(
...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
... )
>>> d = Directory([School(123456, "Example Primary", 8852001, la)])
>>> shared = [
...     SharingAgreement(
...         123456, "DfE", dt.date(2022, 2, 1), opt_out=dt.date(2022, 6, 1)
...     )
... ]
>>> marks = pl.DataFrame(
...     {"urn": [123456, 123456], "date": [dt.date(2022, 5, 31), dt.date(2022, 6, 1)]}
... )
>>> scope(
...     marks,
...     viewer=Viewer.la(885, d),
...     purpose="monitoring",
...     directory=d,
...     agreements=shared,
...     audit=None,
... )["date"].to_list()
[datetime.date(2022, 5, 31)]
"""

from __future__ import annotations

from makingdata._pseudonym import (
    BIRTH_COHORT,
    BIRTH_DATE_SPELLINGS,
    DIRECT_IDENTIFIERS,
    IDENTIFIER_SPELLINGS,
    Reidentifier,
    birth_cohort_expr,
    is_birth_date,
    is_direct_identifier,
    rotation_map,
)
from makingdata.access._auditlog import AUDIT_COLUMNS, AuditLog, read_audit_log
from makingdata.access._cli import (
    ScopeOptions,
    add_scope_arguments,
    apply_cli_scope,
    parse_viewer,
    read_agreements,
)
from makingdata.access._scope import FrameKind, allowed_windows, release, scope
from makingdata.domain.sharing import (
    GRANTS,
    Audience,
    LegalBasis,
    SharingAgreement,
    Viewer,
    statutory_agreements,
)

__all__ = [
    "AUDIT_COLUMNS",
    "BIRTH_COHORT",
    "BIRTH_DATE_SPELLINGS",
    "DIRECT_IDENTIFIERS",
    "GRANTS",
    "IDENTIFIER_SPELLINGS",
    "Audience",
    "AuditLog",
    "FrameKind",
    "LegalBasis",
    "Reidentifier",
    "ScopeOptions",
    "SharingAgreement",
    "Viewer",
    "add_scope_arguments",
    "allowed_windows",
    "apply_cli_scope",
    "birth_cohort_expr",
    "is_birth_date",
    "is_direct_identifier",
    "parse_viewer",
    "read_agreements",
    "read_audit_log",
    "release",
    "rotation_map",
    "scope",
    "statutory_agreements",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
