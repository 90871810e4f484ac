"""Disclosure control: protect every table for its audience, and prove it.

Primary suppression (thresholds, single-school aggregates, optional dominance
and p% rules), secondary suppression across hierarchies, breakdowns, tables
released together and year-to-date periods (a mixed integer programme solved
with HiGHS), half-up rounding, EES symbols, and an LP audit of what an
intruder can derive. Rules are data, each with its source.

``scipy`` is needed (``pip install 'makingdata[disclosure]'``).

Examples
--------
>>> import polars as pl
>>> from makingdata.disclosure import audit, protect
>>> table = pl.DataFrame(
...     {
...         "geographic_level": ["Local authority"] * 4,
...         "new_la_code": ["E06000001"] * 4,
...         "sen_provision": ["Total", "EHC plan", "SEN support", "No SEN"],
...         "num_schools": [30] * 4,
...         "enrolments": [5000, 4, 600, 4396],
...     }
... )
>>> protected = protect(table, "public")
>>> protected.to_ees()["enrolments"].to_list()
['5000', 'c', 'c', '4396']
>>> audit(protected).ok
True
"""

from __future__ import annotations

from makingdata.disclosure._audit import SYMBOLS, AuditReport, audit, differencing
from makingdata.disclosure._protect import (
    ProtectedTable,
    ProtectionReport,
    protect,
    protect_tables,
    protected_columns,
    require_protected,
    write_protected_csv,
)
from makingdata.disclosure._rounding import round_half_up, round_half_up_expr
from makingdata.disclosure._rules import (
    AUDIENCES,
    Audience,
    Dominance,
    DropIdentifiers,
    MinimumUnits,
    PPercent,
    ProtectRates,
    Rounding,
    RuleSet,
    SecondarySuppression,
    Source,
    Threshold,
    rule_set,
    rules_frame,
)
from makingdata.disclosure._secondary import SolveInfo
from makingdata.disclosure._tables import ees_spec
from makingdata.tables import Nesting, Rate, TableSpec, is_rate_column

__all__ = [
    "AUDIENCES",
    "SYMBOLS",
    "Audience",
    "AuditReport",
    "Dominance",
    "DropIdentifiers",
    "MinimumUnits",
    "Nesting",
    "PPercent",
    "ProtectRates",
    "ProtectedTable",
    "ProtectionReport",
    "Rate",
    "Rounding",
    "RuleSet",
    "SecondarySuppression",
    "SolveInfo",
    "Source",
    "TableSpec",
    "Threshold",
    "audit",
    "differencing",
    "ees_spec",
    "is_rate_column",
    "protect",
    "protect_tables",
    "protected_columns",
    "require_protected",
    "round_half_up",
    "round_half_up_expr",
    "rule_set",
    "rules_frame",
    "write_protected_csv",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
