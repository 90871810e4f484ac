"""EES open-data files: write a data CSV and its ``.meta.csv``, and check a pair.

The rules are DfE's open data standards for Explore Education Statistics
(analysts' guide, "Open Data Standards"; the reference lists of DfE's
``eesyscreener``): file names, snake_case headers, the mandatory time and
geography columns, the allowed ``time_identifier`` and ``geographic_level``
values with their columns, the hierarchy rule, filters with a ``Total``,
indicators as numbers or the GSS symbols ``z x c low`` (never blank), and the
metadata file's columns and values. :func:`write_ees` and :func:`check_ees`
run the same checks (:data:`EES_RULES`): the writer refuses to write a file
that breaks one, the checker lists every problem of an existing pair.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs
import polars as pl

from makingdata._contracts import PERIOD_COLUMNS
from makingdata.attendance import BREAKDOWNS
from makingdata.codes import CODES
from makingdata.disclosure import (
    ProtectedTable,
    ProtectionReport,
    is_rate_column,
    require_protected,
)
from makingdata.disclosure import protect as _protect
from makingdata.errors import ExportError, InputError, MakingDataError
from makingdata.tables import TableSpec

if TYPE_CHECKING:
    from collections.abc import Sequence
    from os import PathLike

__all__ = [
    "EES_GEOGRAPHIES",
    "EES_META_COLUMNS",
    "EES_RULES",
    "EES_SYMBOLS",
    "EES_TIME_IDENTIFIERS",
    "EesCheck",
    "EesFiles",
    "check_ees",
    "ees_meta",
    "write_ees",
]

EES_TIME_IDENTIFIERS: Mapping[str, tuple[tuple[str, ...], int]] = {
    "Calendar year": (("Calendar year",), 4),
    "Reporting year": (("Reporting year",), 4),
    "Academic year": (("Academic year",), 6),
    "Financial year": (("Financial year",), 6),
    "Financial quarters": (tuple(f"Financial year Q{q}" for q in range(1, 5)), 6),
    "Financial halves": (
        ("Part 1 (April to September)", "Part 2 (October to March)"),
        6,
    ),
    "Tax year": (("Tax year",), 6),
    "Terms": (("Autumn term", "Spring term", "Summer term"), 6),
    "Two terms": (("Autumn and spring term",), 6),
    "Months": (
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        4,
    ),
    "Weeks": (tuple(f"Week {w}" for w in range(1, 53)), 4),
}
"""Allowed ``time_identifier`` values by group, with the digits of ``time_period``.

Values of different groups may not be mixed in one file; EES allows ``Week 1``
to ``Week 52`` only.
"""

EES_GEOGRAPHIES: Mapping[str, tuple[str | None, str, tuple[str, ...]]] = {
    "National": ("country_code", "country_name", ()),
    "Regional": ("region_code", "region_name", ()),
    "Local authority": ("new_la_code", "la_name", ("old_la_code",)),
    "Local authority district": ("lad_code", "lad_name", ()),
    "RSC region": (None, "rsc_region_lead_name", ()),
    "Parliamentary constituency": ("pcon_code", "pcon_name", ()),
    "Local skills improvement plan area": ("lsip_code", "lsip_name", ()),
    "Local enterprise partnership": (
        "local_enterprise_partnership_code",
        "local_enterprise_partnership_name",
        (),
    ),
    "English devolved area": (
        "english_devolved_area_code",
        "english_devolved_area_name",
        (),
    ),
    "Opportunity area": ("opportunity_area_code", "opportunity_area_name", ()),
    "Ward": ("ward_code", "ward_name", ()),
    "MAT": ("trust_id", "trust_name", ()),
    "Sponsor": ("sponsor_id", "sponsor_name", ()),
    "School": (
        "school_urn",
        "school_name",
        ("school_laestab", "old_la_code", "new_la_code", "la_name"),
    ),
    "Provider": ("provider_ukprn", "provider_name", ()),
    "Institution": ("institution_id", "institution_name", ()),
    "Planning area": ("planning_area_code", "planning_area_name", ()),
    "Police force area": ("pfa_code", "pfa_name", ()),
}
"""``geographic_level`` values: (code column, name column, other required columns)."""

EES_SYMBOLS: tuple[str, ...] = ("z", "x", "c", "low")
"""The GSS symbols the EES screener accepts in an indicator cell."""
_WARN_SYMBOLS = ("k", "u")
_LEGACY_SYMBOLS = (":", "~", ".")

EES_META_COLUMNS: tuple[str, ...] = (
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
)
"""Columns of a ``.meta.csv``, in order (``filter_default`` is optional, last)."""
_META_OPTIONAL = ("filter_default",)
_UNITS = ("", "£", "£m", "%", "pp", "numberstring")
_MANDATORY = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
)
_COUNTRIES = (
    "E92000001",
    "K02000001",
    "K03000001",
    "K04000001",
    "N92000002",
    "S92000003",
    "W92000004",
    "z",
)
#: Geographic levels that nest, from the top: a row fills the columns of its
#: own and higher levels and leaves lower levels' columns blank.
_CHAIN = ("National", "Regional", "Local authority", "School")
_CHAIN_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "National": ("country_code", "country_name"),
    "Regional": ("region_code", "region_name"),
    "Local authority": ("new_la_code", "la_name", "old_la_code"),
    "School": ("school_urn", "school_name", "school_laestab"),
}
#: Period columns of attendance tables beside time_period/time_identifier:
#: filters in EES terms (dates as yyyy-mm-dd), but part of the period.
_PERIOD_FILTERS = PERIOD_COLUMNS
_OB_UNITS: frozenset[str] = frozenset(
    {"time_period", "time_identifier", "geographic_level"}
    | {
        c
        for code, name, extra in EES_GEOGRAPHIES.values()
        for c in (code, name, *extra)
        if c is not None
    }
)
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE = re.compile(r"^[a-z0-9_-]+\.csv$")

EES_RULES: Mapping[str, tuple[str, str]] = {
    "file_name": ("error", "file names are lower case letters, digits, _ and -, ending .csv"),
    "meta_file_name": ("error", "the metadata file is named <datafile>.meta.csv"),
    "meta_missing": ("error", "every data file has a metadata file"),
    "encoding": ("error", "files are UTF-8"),
    "col_name_format": ("error", "column names are snake_case: a-z, 0-9 and _, not starting with a digit"),
    "col_name_duplicate": ("error", "column names are unique"),
    "col_name_length": ("warning", "column names are at most 50 characters (API standard)"),
    "mandatory_column": ("error", "time_period, time_identifier, geographic_level, country_code and country_name are in every file"),
    "time_period": ("error", "time_period is 4 digits (YYYY) or 6 digits of consecutive years (YYYYNN)"),
    "time_identifier": ("error", "time_identifier is one of the allowed values (Week 1 to Week 52, terms, years, ...)"),
    "time_identifier_mixed": ("error", "time_identifier values come from one group"),
    "time_period_digits": ("error", "time_period has the digits of its time_identifier's group"),
    "geographic_level": ("error", "geographic_level is one of the allowed levels"),
    "geography_column": ("error", "a file with rows at a level has that level's geography columns"),
    "geography_blank": ("error", "a row fills the geography columns of its own and higher levels"),
    "geography_overfilled": ("error", "a row leaves the geography columns of lower levels blank"),
    "country_code": ("error", "country_code is a known country code"),
    "school_rows_separate": ("error", "School rows go in their own file, not mixed with other levels"),
    "duplicate_row": ("error", "no two rows have the same time, geography and filter values"),
    "filter_total": ("error", "every filter has a Total row (date and period filters such as half_term excepted)"),
    "filter_blank": ("error", "filter cells are never blank"),
    "filter_item_length": ("warning", "filter items and location names are at most 120 characters (API standard)"),
    "indicator_blank": ("error", "indicator cells are never blank: use a symbol (z, x, c, low)"),
    "indicator_legacy_symbol": ("error", "the legacy symbols : ~ . are not used"),
    "indicator_symbol_unlisted": ("warning", "k and u are GSS symbols the EES screener does not list"),
    "indicator_not_number": ("error", "indicator cells are numbers (no commas, no £, no %) or a GSS symbol"),
    "data_not_in_meta": ("warning", "every data column with more than one value is a time or geography column or has a meta row"),
    "meta_columns": ("error", "the metadata file has the columns col_name, col_type, label, indicator_grouping, indicator_unit, indicator_dp, filter_hint, filter_grouping_column, in that order"),
    "meta_col_name": ("error", "every meta row names a column of the data file"),
    "meta_col_name_duplicate": ("error", "a column has one meta row"),
    "meta_ob_unit": ("error", "time and geography columns have no meta row"),
    "meta_col_type": ("error", "col_type is Filter or Indicator"),
    "meta_label": ("error", "every meta row has a label"),
    "meta_label_duplicate": ("error", "labels are unique"),
    "meta_label_length": ("warning", "labels are at most 80 characters (API standard)"),
    "meta_indicator_unit": ("error", "indicator_unit is blank, £, £m, %, pp or numberstring"),
    "meta_percent_unit": ("warning", "a _percent indicator has the unit %"),
    "meta_indicator_dp": ("warning", "every indicator has indicator_dp, a whole number"),
    "meta_filter_fields": ("error", "filters have no indicator_grouping, indicator_unit or indicator_dp; indicators no filter_hint or filter_grouping_column"),
    "meta_filter_single_level": ("error", "filters with one level are not listed in the meta file"),
    "meta_filter_grouping": ("error", "a filter_grouping_column is a data column with no meta row of its own"),
}  # fmt: skip
"""Every rule :func:`check_ees` applies: id -> (severity, what it requires).

Severity ``error`` stops :func:`write_ees`; ``warning`` does not.
"""

_LABELS: Mapping[str, str] = {
    "num_schools": "Number of schools",
    "enrolments": "Number of pupil enrolments",
    "sess_possible": "Number of possible sessions",
    "sess_attendance": "Number of sessions attended (present or approved activity)",
    "sess_present": "Number of sessions present",
    "sess_aea": "Number of approved educational activity sessions",
    "sess_overall": "Number of overall absence sessions",
    "sess_authorised": "Number of authorised absence sessions",
    "sess_unauthorised": "Number of unauthorised absence sessions",
    "sess_late": "Number of late sessions",
    "sess_not_counted": "Number of sessions not counted as possible",
    "reason_present": "Number of sessions present (all present codes)",
    "enrolments_pa_10_exact": "Number of persistent absentees (10% or more missed)",
    "enrolments_pa_50_exact": "Number of severe absentees (50% or more missed)",
    "sess_overall_percent": "Overall absence rate",
    "sess_authorised_percent": "Authorised absence rate",
    "sess_unauthorised_percent": "Unauthorised absence rate",
    "sess_attendance_percent": "Attendance rate",
    "sess_present_percent": "Present rate",
    "sess_aea_percent": "Approved educational activity rate",
    "sess_late_percent": "Late rate",
    "enrolments_pa_10_exact_percent": "Percentage of enrolments persistently absent",
    "enrolments_pa_50_exact_percent": "Percentage of enrolments severely absent",
    "fsm_status": "FSM status",
    "sen_provision": "SEN provision",
    "sen_status": "SEN status",
    "ethnicity_major": "Ethnicity (major group)",
    "sex": "Sex",
    "year_group": "Year group",
    "looked_after": "Looked after",
    "child_in_need": "Child in need",
    "education_phase": "Education phase",
    "school_type": "School type",
    "phase_type_grouping": "Phase type grouping",
    "establishment_type_group": "Establishment type group",
    "attendance_date": "Date",
    "week_commencing": "Week commencing",
    "half_term": "Half term",
    "period_start": "Period start",
    "period_end": "Period end",
}
_REASON_LABELS = {
    c.dfe_reason: f"Sessions coded {c.code} ({c.label})" for c in CODES.values()
}
#: Filter columns of the attendance kernels' tables, beside the period columns.
_KNOWN_FILTERS: tuple[str, ...] = (*BREAKDOWNS, *_PERIOD_FILTERS)


def _base_label(col: str) -> str:
    if col in _LABELS:
        return _LABELS[col]
    if col in _REASON_LABELS:
        return _REASON_LABELS[col]
    for suffix, who in (("_pa_10_exact", "persistent"), ("_pa_50_exact", "severe")):
        if col.endswith(suffix) and col != suffix:
            return f"{_base_label(col[: -len(suffix)])} of {who} absentees"
    text = col.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _label(col: str) -> str:
    if col in _LABELS:
        return _LABELS[col]
    if is_rate_column(col):
        stem = "_".join(
            p for p in col.split("_") if p not in {"percent", "perc", "rate"}
        )
        return f"{_base_label(stem)} (percent)"
    return _base_label(col)


_ID_NAMES = frozenset({"urn", "laestab", "estab", "ukprn", "upin"})


def _is_id(col: str) -> bool:
    """Whether a column is an identifier (a key, never an indicator) by its name."""
    return col in _ID_NAMES or col.endswith(
        ("_code", "_id", "_urn", "_laestab", "_ukprn")
    )


def _lower_first(label: str) -> str:
    """``FSM status`` stays, ``Education phase`` becomes ``education phase``."""
    if label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _grouping(col: str) -> str:
    if "_pa_10_exact" in col:
        return "Persistent absence"
    if "_pa_50_exact" in col:
        return "Severe absence"
    if col.startswith("reason_"):
        return "Sessions by reason"
    if col in {"num_schools", "enrolments"}:
        return "Schools and pupils"
    if col.startswith("sess_"):
        return "Sessions"
    return ""


def _is_percent(col: str) -> bool:
    return "_percent" in col or col.endswith("_perc") or col.startswith("pt_")


@attrs.frozen
class EesCheck:
    """Every problem found in an EES data file and its metadata.

    Attributes
    ----------
    data
        The data file checked.
    meta
        The metadata file checked (``None`` if there was none).
    rows
        Data rows read.
    problems
        One row per problem: ``file``, ``row`` (line of the file, header =
        line 1; null for the whole file or column), ``column``, ``rule`` (an id
        of :data:`EES_RULES`), ``severity`` (``error`` or ``warning``) and
        ``message``.
    """

    data: Path
    meta: Path | None
    rows: int
    problems: pl.DataFrame

    @property
    def ok(self) -> bool:
        """Whether no rule of severity ``error`` is broken."""
        return self.errors.height == 0

    @property
    def errors(self) -> pl.DataFrame:
        """The problems of severity ``error``."""
        return self.problems.filter(pl.col("severity") == "error")

    @property
    def warnings(self) -> pl.DataFrame:
        """The problems of severity ``warning``."""
        return self.problems.filter(pl.col("severity") == "warning")

    def summary(self) -> pl.DataFrame:
        """Count problems per rule, with the first example of each.

        Returns
        -------
        polars.DataFrame
            ``rule``, ``severity``, ``problems``, ``first`` (file, row, column
            and message of the first one).
        """
        p = self.problems.with_columns(
            where=pl.concat_str(
                pl.col("file"),
                pl.lit(", row ") + pl.col("row").cast(pl.String),
                pl.lit(", column ") + pl.col("column"),
                ignore_nulls=True,
            )
        )
        return (
            p.group_by("rule", "severity", maintain_order=True)
            .agg(
                pl.len().alias("problems"),
                (pl.col("where") + pl.lit(": ") + pl.col("message"))
                .first()
                .alias("first"),
            )
            .sort("severity", "rule")
        )

    def __str__(self) -> str:
        head = (
            f"{self.data.name}: {self.rows} rows, {self.errors.height} errors, "
            f"{self.warnings.height} warnings"
        )
        lines = [head]
        for rule, severity, n, first in self.summary().iter_rows():
            lines.append(f"  {severity} {rule} ({n}): {first}")
        return "\n".join(lines)


@attrs.frozen
class EesFiles:
    """The pair of files :func:`write_ees` wrote.

    Attributes
    ----------
    data
        The data CSV.
    meta
        The ``.meta.csv`` beside it.
    rows
        Rows written (after completing the matrix, if asked).
    rows_completed
        Rows added to complete the matrix.
    warnings
        Problems of severity ``warning`` found by the checks (see :class:`EesCheck`).
    protection
        The protection report when the table was protected on the way out.
    """

    data: Path
    meta: Path
    rows: int
    rows_completed: int
    warnings: pl.DataFrame
    protection: ProtectionReport | None = None


# --- the checks -------------------------------------------------------------

_PROBLEM_SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "message": pl.String,
}


class _Problems:
    """Collects problems as frames (cells) and single rows (files, columns)."""

    def __init__(self) -> None:
        self.parts: list[pl.DataFrame] = []

    def add(
        self,
        file: str,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.parts.append(
            pl.DataFrame(
                [[file], [row], [column], [rule], [EES_RULES[rule][0]], [message]],
                schema=_PROBLEM_SCHEMA,
                orient="col",
            )
        )

    def cells(  # noqa: PLR0917 - private, called once per rule
        self,
        frame: pl.DataFrame,
        file: str,
        rule: str,
        mask: pl.Expr,
        message: pl.Expr,
        column: str | None,
    ) -> None:
        """Add one problem per row of ``frame`` (with ``__line``) where ``mask`` holds."""
        # mask and message on the whole frame, then filter: formatting the
        # filtered rows of a string view column can panic in polars 2.1
        hit = frame.select(
            mask.fill_null(value=False).alias("__hit"),
            pl.lit(file).alias("file"),
            pl.col("__line").cast(pl.Int64).alias("row"),
            pl.lit(column, pl.String).alias("column"),
            pl.lit(rule).alias("rule"),
            pl.lit(EES_RULES[rule][0]).alias("severity"),
            message.cast(pl.String).alias("message"),
        ).filter(pl.col("__hit"))
        if hit.height:
            self.parts.append(hit.drop("__hit"))

    def frame(self) -> pl.DataFrame:
        if not self.parts:
            return pl.DataFrame(schema=_PROBLEM_SCHEMA)
        return pl.concat(self.parts, how="vertical")


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")


def _check_names(p: _Problems, data_path: Path, meta_path: Path | None) -> None:
    name = data_path.name
    if not _FILE.match(name) or name.endswith(".meta.csv"):
        p.add(
            name,
            "file_name",
            f"{name!r} is not an EES data file name: use lower case letters, "
            "digits, _ and - and end it .csv (e.g. pupil_attendance_la.csv)",
        )
    if meta_path is not None and meta_path.name != data_path.name[:-4] + ".meta.csv":
        p.add(
            meta_path.name,
            "meta_file_name",
            f"the metadata of {name!r} must be named "
            f"{data_path.name[:-4] + '.meta.csv'!r}",
        )


def _check_header(p: _Problems, file: str, header: Sequence[str]) -> None:
    seen: set[str] = set()
    for col in header:
        if not _SNAKE.match(col):
            p.add(
                file,
                "col_name_format",
                f"{col!r} is not snake_case: rename it with lower case letters, "
                "digits and _ only, starting with a letter",
                row=1,
                column=col,
            )
        if len(col) > 50:
            p.add(
                file,
                "col_name_length",
                f"{col!r} is {len(col)} characters (at most 50)",
                row=1,
                column=col,
            )
        if col in seen:
            p.add(
                file,
                "col_name_duplicate",
                f"{col!r} appears twice in the header",
                row=1,
                column=col,
            )
        seen.add(col)
    for col in _MANDATORY:
        if col not in header:
            p.add(
                file,
                "mandatory_column",
                f"the file has no {col!r} column (every EES file has "
                "time_period, time_identifier, geographic_level, country_code, country_name)",
                row=1,
                column=col,
            )


def _check_time(p: _Problems, file: str, d: pl.DataFrame) -> None:
    if "time_period" in d.columns:
        tp = pl.col("time_period").str.strip_chars()
        six = tp.str.contains(r"^[0-9]{6}$")
        first = tp.str.slice(0, 4).cast(pl.Int64, strict=False)
        last = tp.str.slice(4, 2).cast(pl.Int64, strict=False)
        bad = _blank("time_period") | ~(
            tp.str.contains(r"^[0-9]{4}$") | (six & (last == (first + 1) % 100))
        )
        p.cells(
            d,
            file,
            "time_period",
            bad.fill_null(value=True),
            pl.format(
                "time_period '{}' is not YYYY or YYYYNN with consecutive years (e.g. 202526)",
                pl.col("time_period").fill_null(""),
            ),
            "time_period",
        )
    if "time_identifier" not in d.columns:
        return
    group_of = {v: g for g, (vals, _) in EES_TIME_IDENTIFIERS.items() for v in vals}
    digits_of = {g: n for g, (_, n) in EES_TIME_IDENTIFIERS.items()}
    ti = pl.col("time_identifier")
    allowed = list(group_of)
    week53 = ti.str.contains(r"^Week (5[3-9]|[6-9][0-9])$").fill_null(value=False)
    p.cells(
        d,
        file,
        "time_identifier",
        week53,
        pl.format(
            "'{}' is not an EES time_identifier: EES allows Week 1 to Week 52; "
            "publish ISO week 53 with week 52 or week 1 of the next year, or as dates",
            ti,
        ),
        "time_identifier",
    )
    p.cells(
        d,
        file,
        "time_identifier",
        (~ti.is_in(allowed) | ti.is_null()) & ~week53,
        pl.format(
            "'{}' is not an EES time_identifier (e.g. Academic year, Autumn term, Week 1..Week 52)",
            ti.fill_null(""),
        ),
        "time_identifier",
    )
    groups = d.select(ti.replace_strict(group_of, default=None).alias("g"))["g"]
    present = [g for g in groups.unique(maintain_order=True).to_list() if g is not None]
    if len(present) > 1:
        p.add(
            file,
            "time_identifier_mixed",
            f"time_identifier mixes groups {present}: put each group in its own file",
            column="time_identifier",
        )
    if "time_period" in d.columns and present:
        need = ti.replace_strict(group_of, default=None).replace_strict(
            digits_of, default=None, return_dtype=pl.Int64
        )
        have = pl.col("time_period").str.strip_chars().str.len_chars().cast(pl.Int64)
        p.cells(
            d,
            file,
            "time_period_digits",
            (need.is_not_null() & (have != need)).fill_null(value=False),
            pl.format(
                "time_period '{}' does not fit time_identifier '{}' ({} digits expected)",
                pl.col("time_period"),
                ti,
                need.cast(pl.String),
            ),
            "time_period",
        )


def _check_geography(p: _Problems, file: str, d: pl.DataFrame) -> None:  # noqa: PLR0912 - one loop per rule
    if "geographic_level" not in d.columns:
        return
    lv = pl.col("geographic_level")
    p.cells(
        d,
        file,
        "geographic_level",
        ~lv.is_in(list(EES_GEOGRAPHIES)) | lv.is_null(),
        pl.format(
            "'{}' is not an EES geographic_level (National, Regional, Local authority, School, MAT, ...)",
            lv.fill_null(""),
        ),
        "geographic_level",
    )
    levels = [
        x for x in d["geographic_level"].unique().to_list() if x in EES_GEOGRAPHIES
    ]
    if "School" in levels and len(levels) > 1:
        first = d.filter(lv == "School")["__line"][0]
        p.add(
            file,
            "school_rows_separate",
            f"School rows are mixed with {sorted(x for x in levels if x != 'School')} rows: "
            "write the School rows to a file of their own",
            row=int(first),
            column="geographic_level",
        )
    for level in levels:
        code, name, extra = EES_GEOGRAPHIES[level]
        need = [c for c in (code, name, *extra) if c is not None]
        if level in _CHAIN:
            rank = _CHAIN.index(level)
            need += [
                c
                for above in _CHAIN[:rank]
                for c in _CHAIN_COLUMNS[above]
                if c in d.columns
            ]
        need = list(dict.fromkeys(need))
        for col in need:
            if col not in d.columns:
                p.add(
                    file,
                    "geography_column",
                    f"the file has {level} rows but no {col!r} column",
                    column=col,
                )
                continue
            blank = _blank(col)
            if level in {"Local authority", "School"} and col == "new_la_code":
                # a legacy LA with no 9-character code has a blank new_la_code
                blank = (
                    blank & _blank("old_la_code")
                    if "old_la_code" in d.columns
                    else blank
                )
            p.cells(
                d,
                file,
                "geography_blank",
                (lv == level) & blank,
                pl.lit(f"a {level} row has a blank {col!r}"),
                col,
            )
        if level in _CHAIN:
            rank = _CHAIN.index(level)
            below = [c for lower in _CHAIN[rank + 1 :] for c in _CHAIN_COLUMNS[lower]]
            below = [c for c in below if c in d.columns and c not in need]
            if level != "School":
                below += [c for c in ("trust_id", "trust_name") if c in d.columns]
            for col in below:
                p.cells(
                    d,
                    file,
                    "geography_overfilled",
                    (lv == level) & ~_blank(col),
                    pl.format(
                        "a {} row has {} = '{}': leave the columns of lower levels blank",
                        pl.lit(level),
                        pl.lit(col),
                        pl.col(col),
                    ),
                    col,
                )
    if "country_code" in d.columns:
        cc = pl.col("country_code").str.strip_chars()
        p.cells(
            d,
            file,
            "country_code",
            ~_blank("country_code") & ~cc.is_in(list(_COUNTRIES)),
            pl.format(
                "'{}' is not a country code EES knows (England is E92000001)",
                pl.col("country_code"),
            ),
            "country_code",
        )
    for col in ("country_name", "region_name", "la_name", "school_name", "trust_name"):
        if col in d.columns:
            p.cells(
                d,
                file,
                "filter_item_length",
                pl.col(col).str.len_chars() > 120,
                pl.lit("location name longer than 120 characters"),
                col,
            )


def _check_filters(
    p: _Problems, file: str, d: pl.DataFrame, filters: Sequence[str]
) -> None:
    for col in filters:
        if col not in d.columns:
            continue
        p.cells(
            d,
            file,
            "filter_blank",
            _blank(col),
            pl.lit(
                f"blank {col!r}: every row needs a filter value (use Total, Unknown or Not applicable)"
            ),
            col,
        )
        values = d[col].drop_nulls()
        is_date = values.len() > 0 and bool(values.str.contains(_DATE).all())
        if (
            col not in _PERIOD_FILTERS
            and not is_date
            and not bool((values == "Total").any())
        ):
            p.add(
                file,
                "filter_total",
                f"filter {col!r} has no 'Total' row: add the rows for all of its "
                "categories together, labelled Total",
                column=col,
            )
        p.cells(
            d,
            file,
            "filter_item_length",
            pl.col(col).str.len_chars() > 120,
            pl.lit("filter item longer than 120 characters"),
            col,
        )


def _check_indicators(
    p: _Problems, file: str, d: pl.DataFrame, indicators: Sequence[str]
) -> None:
    for col in indicators:
        if col not in d.columns:
            continue
        v = pl.col(col).str.strip_chars()
        blank = _blank(col)
        legacy = v.is_in(list(_LEGACY_SYMBOLS))
        unlisted = v.is_in(list(_WARN_SYMBOLS))
        p.cells(
            d,
            file,
            "indicator_blank",
            blank,
            pl.lit(
                "blank indicator cell: write z (not applicable), x (not available), c (suppressed) or low"
            ),
            col,
        )
        p.cells(
            d,
            file,
            "indicator_legacy_symbol",
            legacy & ~blank,
            pl.format(
                "legacy symbol '{}': use x (not available) or z (not applicable)",
                pl.col(col),
            ),
            col,
        )
        p.cells(
            d,
            file,
            "indicator_symbol_unlisted",
            unlisted & ~blank,
            pl.format(
                "symbol '{}' is not one the EES screener lists (z, x, c, low)",
                pl.col(col),
            ),
            col,
        )
        p.cells(
            d,
            file,
            "indicator_not_number",
            ~blank
            & ~legacy
            & ~unlisted
            & ~v.is_in(list(EES_SYMBOLS))
            & ~v.str.contains(_NUMBER),
            pl.format(
                "'{}' is neither a number nor a GSS symbol (z, x, c, low)", pl.col(col)
            ),
            col,
        )


def _check_duplicates(
    p: _Problems, file: str, d: pl.DataFrame, indicators: Sequence[str]
) -> None:
    keys = [c for c in d.columns if c not in indicators and c != "__line"]
    if not keys or d.height == 0:
        return
    p.cells(
        d,
        file,
        "duplicate_row",
        pl.struct(keys).is_duplicated(),
        pl.lit("another row has the same time, geography and filter values"),
        None,
    )


def _check_meta(
    p: _Problems, file: str, meta: pl.DataFrame, d: pl.DataFrame
) -> tuple[list[str], list[str]]:
    """Check the meta frame; return (filters, indicators) it declares."""
    cols = list(meta.columns)
    expected = list(EES_META_COLUMNS)
    if cols[: len(expected)] != expected or any(
        c not in _META_OPTIONAL for c in cols[len(expected) :]
    ):
        missing = [c for c in expected if c not in cols]
        extra = [c for c in cols if c not in expected and c not in _META_OPTIONAL]
        what = []
        if missing:
            what.append(f"missing {missing}")
        if extra:
            what.append(f"unknown {extra}")
        if not what:
            what.append("columns out of order")
        p.add(
            file,
            "meta_columns",
            f"metadata columns: {'; '.join(what)}. Expected {', '.join(expected)}",
            row=1,
        )
    m = meta.with_row_index("__line", offset=2)
    for c in EES_META_COLUMNS:
        if c not in m.columns:
            m = m.with_columns(pl.lit(None, pl.String).alias(c))
    name, ctype = pl.col("col_name"), pl.col("col_type")
    p.cells(
        m,
        file,
        "meta_col_name",
        _blank("col_name"),
        pl.lit("blank col_name"),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_col_name",
        ~_blank("col_name") & ~name.is_in(d.columns) & ~name.is_in(list(_OB_UNITS)),
        pl.format("col_name '{}' is not a column of the data file", name),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_col_name_duplicate",
        ~_blank("col_name") & name.is_duplicated(),
        pl.format("'{}' has more than one meta row", name),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_ob_unit",
        name.is_in(list(_OB_UNITS)),
        pl.format("'{}' is a time or geography column: remove its meta row", name),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_col_type",
        ~ctype.is_in(["Filter", "Indicator"]) | ctype.is_null(),
        pl.format("col_type '{}' is not Filter or Indicator", ctype.fill_null("")),
        "col_type",
    )
    p.cells(
        m,
        file,
        "meta_label",
        _blank("label"),
        pl.format("'{}' has no label", name),
        "label",
    )
    p.cells(
        m,
        file,
        "meta_label_duplicate",
        ~_blank("label") & pl.col("label").is_duplicated(),
        pl.format("label '{}' is used twice", pl.col("label")),
        "label",
    )
    p.cells(
        m,
        file,
        "meta_label_length",
        pl.col("label").str.len_chars() > 80,
        pl.format("label of '{}' is longer than 80 characters", name),
        "label",
    )
    ind = ctype == "Indicator"
    fil = ctype == "Filter"
    unit = pl.col("indicator_unit").fill_null("")
    p.cells(
        m,
        file,
        "meta_indicator_unit",
        ind & ~unit.is_in(list(_UNITS)),
        pl.format(
            "indicator_unit '{}' of '{}' is not blank, £, £m, %, pp or numberstring",
            unit,
            name,
        ),
        "indicator_unit",
    )
    p.cells(
        m,
        file,
        "meta_percent_unit",
        ind & name.str.contains("_percent") & (unit != "%"),
        pl.format("'{}' is a percentage: set its indicator_unit to %", name),
        "indicator_unit",
    )
    dp = pl.col("indicator_dp").str.strip_chars()
    p.cells(
        m,
        file,
        "meta_indicator_dp",
        ind
        & (
            _blank("indicator_dp")
            | ~dp.str.contains(r"^[0-9]+$").fill_null(value=False)
        ),
        pl.format(
            "'{}' has indicator_dp '{}': give the decimal places as a whole number",
            name,
            dp.fill_null(""),
        ),
        "indicator_dp",
    )
    for c in ("indicator_grouping", "indicator_unit", "indicator_dp"):
        p.cells(
            m,
            file,
            "meta_filter_fields",
            fil & ~_blank(c),
            pl.format(
                "filter '{}' has a value in {}: leave it blank for filters",
                name,
                pl.lit(c),
            ),
            c,
        )
    for c in ("filter_hint", "filter_grouping_column"):
        p.cells(
            m,
            file,
            "meta_filter_fields",
            ind & ~_blank(c),
            pl.format(
                "indicator '{}' has a value in {}: leave it blank for indicators",
                name,
                pl.lit(c),
            ),
            c,
        )
    grouping = [
        g
        for g in m.filter(fil)["filter_grouping_column"].drop_nulls().to_list()
        if g.strip()
    ]
    names = set(m["col_name"].drop_nulls().to_list())
    for g in grouping:
        if g not in d.columns or g in names:
            p.add(
                file,
                "meta_filter_grouping",
                f"filter_grouping_column {g!r} must be a data column without a meta row of its own",
                column="filter_grouping_column",
            )
    filters = [c for c in m.filter(fil)["col_name"].to_list() if c in d.columns]
    indicators = [c for c in m.filter(ind)["col_name"].to_list() if c in d.columns]
    for c in filters:
        if d[c].n_unique() < 2:
            line = m.filter(name == c)["__line"][0]
            p.add(
                file,
                "meta_filter_single_level",
                f"filter {c!r} has one level: remove its meta row (the column may stay in the data)",
                row=int(line),
                column="col_name",
            )
    return filters, indicators


def _check_pair(
    data: pl.DataFrame,
    meta: pl.DataFrame | None,
    *,
    data_path: Path,
    meta_path: Path | None,
    header: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Run every rule on text frames of a data file and its meta; return problems."""
    p = _Problems()
    dfile = data_path.name
    _check_names(p, data_path, meta_path)
    _check_header(p, dfile, header if header is not None else data.columns)
    d = data.with_row_index("__line", offset=2)
    _check_time(p, dfile, d)
    _check_geography(p, dfile, d)
    if meta is None:
        p.add(
            dfile,
            "meta_missing",
            f"no metadata file {data_path.name[:-4] + '.meta.csv'!r} beside the data",
        )
        filters, indicators = _guess_columns(data)
    else:
        assert meta_path is not None
        filters, indicators = _check_meta(p, meta_path.name, meta, data)
        grouping = (
            set(meta["filter_grouping_column"].drop_nulls().to_list())
            if "filter_grouping_column" in meta.columns
            else set()
        )
        described = (
            set(filters)
            | set(indicators)
            | grouping
            | set(
                meta["col_name"].drop_nulls().to_list()
                if "col_name" in meta.columns
                else []
            )
        )
        for col in data.columns:
            if col in _OB_UNITS or col in described:
                continue
            if data[col].n_unique() > 1:
                p.add(
                    dfile,
                    "data_not_in_meta",
                    f"{col!r} has several values but no meta row: describe it as a "
                    "Filter or an Indicator, or drop it",
                    column=col,
                )
    _check_filters(p, dfile, d, filters)
    _check_indicators(p, dfile, d, indicators)
    _check_duplicates(p, dfile, d, indicators)
    return p.frame()


def _guess_columns(text: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Guess filters and indicators of a text frame with no meta (numbers and symbols: indicators)."""
    filters: list[str] = []
    indicators: list[str] = []
    symbols = [*EES_SYMBOLS, *_WARN_SYMBOLS, *_LEGACY_SYMBOLS]
    for col in text.columns:
        if col in _OB_UNITS:
            continue
        if _is_id(col):
            continue  # a key (kept in the duplicate check), neither filter nor indicator
        v = text[col].drop_nulls().str.strip_chars()
        v = v.filter(v != "")
        if (
            v.len()
            and bool((v.str.contains(_NUMBER) | v.is_in(symbols)).all())
            and bool(v.str.contains(_NUMBER).any())
        ):
            indicators.append(col)
        elif text[col].n_unique() > 1:
            filters.append(col)
    return filters, indicators


# --- reading ------------------------------------------------------------------


def _read_text(
    path: Path, p: _Problems | None = None
) -> tuple[pl.DataFrame, list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except UnicodeDecodeError:
        header = []
    try:
        frame = pl.read_csv(path, infer_schema_length=0, encoding="utf8")
    except pl.exceptions.ComputeError:
        if p is not None:
            p.add(
                path.name, "encoding", "the file is not valid UTF-8: save it as UTF-8"
            )
        frame = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    frame = frame.rename(
        {c: c.lstrip("\ufeff") for c in frame.columns if c.startswith("\ufeff")}
    )
    if not header:
        header = list(frame.columns)
    return frame, header


def check_ees(
    path: str | PathLike[str], meta: str | PathLike[str] | None = None
) -> EesCheck:
    r"""Check an EES data file and its metadata against the open data standards.

    Every rule of :data:`EES_RULES` is applied and every problem is listed
    (the check does not stop at the first). The rules are those
    :func:`write_ees` enforces before writing.

    Parameters
    ----------
    path
        The data CSV.
    meta
        Its metadata; default ``<name>.meta.csv`` beside it. When there is
        none, ``meta_missing`` is reported and filters and indicators are
        guessed from the values (numbers and symbols are indicators).

    Returns
    -------
    EesCheck
        The problems (``ok`` is True when none is an error).

    Raises
    ------
    InputError
        If the data file does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "weekly.csv").write_text(
    ...     "time_period,time_identifier,geographic_level,country_code,country_name,sex,enrolments\n"
    ...     "2026,Week 53,National,E92000001,England,Total,120\n"
    ...     "2026,Week 53,National,E92000001,England,Female,\n"
    ... )
    >>> report = check_ees(d / "weekly.csv")
    >>> report.ok
    False
    >>> report.problems.select(
    ...     "row", "column", "rule"
    ... ).rows()  # doctest: +NORMALIZE_WHITESPACE
    [(None, None, 'meta_missing'), (2, 'time_identifier', 'time_identifier'),
     (3, 'time_identifier', 'time_identifier'), (3, 'enrolments', 'indicator_blank')]
    """
    data_path = Path(path)
    if not data_path.is_file():
        raise InputError(
            "the file does not exist", path=data_path, hint="check the path"
        )
    meta_path = (
        Path(meta)
        if meta is not None
        else data_path.with_name(data_path.name.removesuffix(".csv") + ".meta.csv")
    )
    pre = _Problems()
    data, header = _read_text(data_path, pre)
    meta_frame = None
    if meta_path.is_file():
        meta_frame, _ = _read_text(meta_path, pre)
    found = _check_pair(
        data,
        meta_frame,
        data_path=data_path,
        meta_path=meta_path if meta_frame is not None else None,
        header=header,
    )
    problems = pl.concat([pre.frame(), found]).sort(
        "row", nulls_last=False, maintain_order=True
    )
    return EesCheck(
        data=data_path,
        meta=meta_path if meta_frame is not None else None,
        rows=data.height,
        problems=problems,
    )


# --- writing ----------------------------------------------------------------------


def _float_text(col: str) -> pl.Expr:
    return pl.col(col).round_sig_figs(15).cast(pl.String)


def _decimals_of(text: pl.Series) -> int:
    v = text.drop_nulls()
    v = v.filter(v.str.contains(_NUMBER))
    if v.len() == 0:
        return 0
    frac = v.str.extract(r"\.([0-9]+)", 1).str.len_chars().fill_null(0)
    return int(frac.cast(pl.Int64).max() or 0)  # type: ignore[arg-type]


def _classify(
    frame: pl.DataFrame, filters: Sequence[str] | None, indicators: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """Return the filters and indicators of a typed table (before rendering)."""
    if filters is not None and indicators is not None:
        return list(filters), list(indicators)
    symbols = [*EES_SYMBOLS, *_WARN_SYMBOLS]
    guess_f: list[str] = []
    guess_i: list[str] = []
    for col, dtype in frame.schema.items():
        if col in _OB_UNITS:
            continue
        if dtype.is_numeric() and not _is_id(col):
            guess_i.append(col)
            continue
        if dtype == pl.String and col not in _KNOWN_FILTERS:
            v = frame[col].drop_nulls().str.strip_chars()
            if v.len() and bool((v.str.contains(_NUMBER) | v.is_in(symbols)).all()):
                guess_i.append(col)
                continue
        guess_f.append(col)
    f = (
        list(filters)
        if filters is not None
        else [c for c in guess_f if c not in (indicators or ())]
    )
    i = (
        list(indicators)
        if indicators is not None
        else [c for c in guess_i if c not in f]
    )
    return f, i


def ees_meta(  # noqa: PLR0912 - one branch per meta field
    table: pl.DataFrame,
    *,
    filters: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    decimals: int | Mapping[str, int] | None = None,
    meta: pl.DataFrame | Mapping[str, Mapping[str, str | int | None]] | None = None,
) -> pl.DataFrame:
    """Derive the ``.meta.csv`` rows of a table (what :func:`write_ees` writes).

    Time and geography columns get no row. Filters are the non-numeric
    columns (the attendance kernels' breakdowns and period columns among
    them) and indicators the numeric ones, unless given; a filter with a
    single level is not listed. Labels come from a table of known names
    (attendance counts, rates, DfE reason columns, breakdowns), else from the
    column name; ``_percent`` (and ``_perc``, ``pt_``) indicators get the unit
    ``%``; ``indicator_dp`` is the most decimals found in the column (0 for
    whole numbers) unless ``decimals`` says otherwise.

    Parameters
    ----------
    table
        The table (typed, or as text).
    filters
        The filter columns, if the guess would be wrong.
    indicators
        The indicator columns, if the guess would be wrong.
    decimals
        ``indicator_dp`` for every indicator (an int) or per column (a mapping).
    meta
        Overrides: a frame with ``col_name`` and any meta columns, or a mapping
        ``{col_name: {field: value}}``; a non-null value replaces the derived one.

    Returns
    -------
    polars.DataFrame
        The meta rows, columns in the EES order, all text.

    Raises
    ------
    ExportError
        If an override names a column the table does not have.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": [202526] * 2,
    ...         "fsm_status": ["Total", "FSM eligible"],
    ...         "enrolments": [40, 12],
    ...         "sess_overall_percent": [5.25, 7.5],
    ...     }
    ... )
    >>> ees_meta(t).select(
    ...     "col_name", "col_type", "label", "indicator_unit", "indicator_dp"
    ... ).rows()
    [('fsm_status', 'Filter', 'FSM status', None, None), ('enrolments', 'Indicator', 'Number of pupil enrolments', None, '0'), ('sess_overall_percent', 'Indicator', 'Overall absence rate', '%', '2')]
    """
    f, i = _classify(table, filters, indicators)
    rows: list[dict[str, str | None]] = []
    for col in f:
        if table[col].n_unique() < 2:
            continue
        label = _label(col)
        rows.append(
            {
                "col_name": col,
                "col_type": "Filter",
                "label": label,
                "filter_hint": f"Filter by {_lower_first(label)}",
            }
        )
    for col in i:
        if isinstance(decimals, int):
            dp = decimals
        elif isinstance(decimals, Mapping) and col in decimals:
            dp = int(decimals[col])
        elif table.schema[col].is_integer():
            dp = 0
        elif table.schema[col].is_float():
            dp = _decimals_of(table.select(_float_text(col))[col])
        else:
            dp = _decimals_of(table[col].cast(pl.String))
        rows.append(
            {
                "col_name": col,
                "col_type": "Indicator",
                "label": _label(col),
                "indicator_grouping": _grouping(col) or None,
                "indicator_unit": "%" if _is_percent(col) else None,
                "indicator_dp": str(dp),
            }
        )
    out = pl.DataFrame(rows, schema=dict.fromkeys(EES_META_COLUMNS, pl.String))
    if meta is None:
        return out
    if isinstance(meta, Mapping):
        over = pl.DataFrame(
            [
                {
                    "col_name": k,
                    **{f: None if v is None else str(v) for f, v in fields.items()},
                }
                for k, fields in meta.items()
            ],
            infer_schema_length=None,
        )
    else:
        over = meta.with_columns(pl.all().cast(pl.String))
    if "col_name" not in over.columns:
        raise ExportError(
            "the meta overrides have no 'col_name' column",
            column="col_name",
            hint="give one row per column, named in col_name",
        )
    unknown = [c for c in over["col_name"].to_list() if c not in table.columns]
    if unknown:
        raise ExportError(
            f"meta overrides name {unknown[0]!r}, which the table does not have",
            column=unknown[0],
            hint="name only columns of the table in the meta overrides",
        )
    bad = [
        c for c in over.columns if c not in EES_META_COLUMNS and c not in _META_OPTIONAL
    ]
    if bad:
        raise ExportError(
            f"meta overrides have an unknown column {bad[0]!r}",
            column=bad[0],
            hint=f"use the meta columns {', '.join(EES_META_COLUMNS)}",
        )
    new = over.filter(~pl.col("col_name").is_in(out["col_name"].to_list()))
    merged = out.join(over, on="col_name", how="left", suffix="__o").with_columns(
        [
            pl.coalesce(f"{c}__o", c).alias(c)
            for c in over.columns
            if c != "col_name" and c in out.columns
        ]
        + [pl.col(f"{c}__o").alias(c) for c in over.columns if c in _META_OPTIONAL]
    )
    merged = merged.select([c for c in merged.columns if not c.endswith("__o")])
    return pl.concat([merged, new], how="diagonal_relaxed").select(
        [*EES_META_COLUMNS, *[c for c in _META_OPTIONAL if c in over.columns]]
    )


def _where_text(row: int | None, column: str | None) -> str:
    parts = [f"row {row}"] if row is not None else []
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts) or "whole file"


_HINT = (
    "fix the table (or pass filters=, indicators= or meta= if the columns were "
    "guessed wrongly) and write again"
)
_HINTS = {
    "school_rows_separate": "write the School rows and the other levels to two files, "
    "e.g. table.filter(pl.col('geographic_level') == 'School') and the rest",
    "time_identifier": "relabel the period with an allowed time_identifier (an ISO week "
    "53 goes with week 52, or publish daily rows by date)",
    "filter_total": "add the filter's Total rows (attendance_table and rollup make them "
    "for every breakdown in by=) or pass filters= without that column",
    "duplicate_row": "aggregate the duplicated rows, or add the filter that tells them apart",
    "geography_blank": "fill the geography columns of the row's level and the levels above",
    "geography_overfilled": "blank the columns of lower levels on that row",
    "geography_column": "add the level's geography columns (see EES_GEOGRAPHIES)",
}


def _render(
    frame: pl.DataFrame, indicators: Sequence[str], null_symbol: str
) -> pl.DataFrame:
    """Every column as text; null indicator cells become a symbol (z for 0/0 rates)."""
    zero_den: dict[str, str] = {}
    try:
        numeric = frame.select(
            [c for c in frame.columns if frame.schema[c].is_numeric()]
        )
        if numeric.width:
            spec = TableSpec.infer(frame)
            zero_den = {
                r.column: r.denominator
                for r in spec.rates
                if r.denominator in frame.columns
            }
    except MakingDataError:
        zero_den = {}
    exprs = []
    for col, dtype in frame.schema.items():
        text = _float_text(col) if dtype.is_float() else pl.col(col).cast(pl.String)
        if col in indicators:
            fill: pl.Expr = pl.lit(null_symbol)
            den = zero_den.get(col)
            if den is not None and frame.schema[den].is_numeric():
                fill = pl.when(pl.col(den) == 0).then(pl.lit("z")).otherwise(fill)
            text = pl.when(pl.col(col).is_null()).then(fill).otherwise(text)
        exprs.append(text.alias(col))
    return frame.select(exprs)


def _complete(
    text: pl.DataFrame,
    filters: Sequence[str],
    indicators: Sequence[str],
    fill: Literal["z", "0"],
) -> pl.DataFrame:
    """Add a row for every missing combination of the (non-period) filters."""
    crossed = [c for c in filters if c not in _PERIOD_FILTERS and c in text.columns]
    if not crossed or text.height == 0:
        return text
    unit_cols = [c for c in text.columns if c not in crossed and c not in indicators]
    units = text.select(unit_cols).unique(maintain_order=True)
    full = units
    for col in crossed:
        full = full.join(text.select(col).unique(maintain_order=True), how="cross")
    keys = [*unit_cols, *crossed]
    missing = full.join(text.select(keys), on=keys, how="anti", nulls_equal=True)
    if missing.height == 0:
        return text
    added = missing.with_columns(
        [
            pl.lit("z" if fill == "z" or is_rate_column(c) else "0").alias(c)
            for c in indicators
        ]
    )
    return pl.concat([text, added.select(text.columns)])


def write_ees(
    table: ProtectedTable | pl.DataFrame | pl.LazyFrame,
    path: str | PathLike[str],
    *,
    audience: str,
    meta: pl.DataFrame | Mapping[str, Mapping[str, str | int | None]] | None = None,
    protect: bool = False,
    filters: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    decimals: int | Mapping[str, int] | None = None,
    complete: Literal["z", "0"] | None = None,
    null_symbol: str = "x",
) -> EesFiles:
    r"""Write an EES data CSV and its ``.meta.csv``, checked against the standards.

    **No unprotected exit.** For a ``partner`` or ``public`` audience the table
    must be a :class:`~makingdata.disclosure.ProtectedTable` protected for it
    (one protected for the public may go to a partner); a plain frame raises
    :class:`~makingdata.errors.DisclosureError` unless ``protect=True``, which
    protects it on the way with :func:`~makingdata.disclosure.protect`. For
    ``school``, ``trust``, ``la`` and ``dfe`` the table is written as given:
    scoping it to what that reader may see is :func:`makingdata.access.scope`'s
    job, before this call. Both paths go through
    :func:`~makingdata.disclosure.require_protected`.

    The file is checked with every rule of :data:`EES_RULES` before anything
    is written; an error stops the write with an
    :class:`~makingdata.errors.ExportError` naming the file, the row (the line
    the row would have in the file, header = line 1), the column and what to
    do. Null indicator cells are written as ``null_symbol`` (``x``), or ``z``
    for a rate whose denominator is 0; a protected table's cells carry its
    symbols (``c`` suppressed, ``low``). Nothing is ever blank.

    Parameters
    ----------
    table
        The table, EES-shaped (time, ``geographic_level``, geography,
        filters, indicators), or a ProtectedTable.
    path
        The data file, e.g. ``out/pupil_attendance_la.csv``; the meta file is
        written beside it as ``pupil_attendance_la.meta.csv``. Parent folders
        are created.
    audience
        Who the files are for: ``school``, ``trust``, ``la``, ``dfe``,
        ``partner`` or ``public``.
    meta
        Meta overrides (see :func:`ees_meta`).
    protect
        Protect an unprotected table for ``audience`` before writing.
    filters
        Filter columns, if the guess (non-numeric columns) would be wrong.
    indicators
        Indicator columns, if the guess (numeric columns) would be wrong.
    decimals
        ``indicator_dp`` for every indicator, or per column; default: the data's.
    complete
        Complete the matrix: add a row for every combination of filter values
        missing from a time and geography unit. ``"z"`` writes ``z`` in every
        indicator of the added rows; ``"0"`` writes ``0`` in counts and ``z``
        in rates. A combination is missing from an attendance kernel's table
        when no pupil of the unit is in it, so the added rows say what the
        file already implied; a protected table is completed after protection.
        Period filters (dates, weeks, half terms) are not crossed.
    null_symbol
        Symbol for other null indicator cells (default ``x``, not available).

    Returns
    -------
    EesFiles
        The paths, the rows written, warnings, and the protection report if
        the table was protected here.

    Raises
    ------
    DisclosureError
        If an unprotected table (or one protected for a more trusted audience)
        would go to a partner or the public.
    ExportError
        If the file name or the table breaks an EES rule (every error is
        counted; the first few are listed).

    Examples
    --------
    >>> import polars as pl, tempfile, pathlib
    >>> from makingdata.disclosure import protect
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": [202526] * 3,
    ...         "time_identifier": ["Academic year"] * 3,
    ...         "geographic_level": ["National"] * 3,
    ...         "country_code": ["E92000001"] * 3,
    ...         "country_name": ["England"] * 3,
    ...         "fsm_status": ["Total", "FSM eligible", "Not known to be FSM eligible"],
    ...         "num_schools": [3] * 3,
    ...         "enrolments": [40, 3, 37],
    ...     }
    ... )
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "attendance_fsm.csv"
    >>> write_ees(t, out, audience="public")
    Traceback (most recent call last):
    ...
    makingdata.errors.DisclosureError: an unprotected table cannot be written for audience 'public'. What to do: call makingdata.disclosure.protect(table, audience='public') and write its result.
    >>> files = write_ees(protect(t, "public"), out, audience="public")
    >>> out.read_text().splitlines()[2:]
    ['202526,Academic year,National,E92000001,England,FSM eligible,3,c', '202526,Academic year,National,E92000001,England,Not known to be FSM eligible,3,c']
    >>> files.meta.read_text().splitlines()[1]
    'fsm_status,Filter,FSM status,,,,Filter by FSM status,'
    >>> check_ees(out).ok
    True
    """
    target = Path(path)
    meta_path = target.with_name(target.name.removesuffix(".csv") + ".meta.csv")
    p = _Problems()
    _check_names(p, target, meta_path)
    if p.parts:
        raise ExportError(
            p.frame()["message"][0],
            path=target,
            hint="rename the file (EES file names are lower case letters, digits, _ and -, ending .csv)",
        )
    report: ProtectionReport | None = None
    if isinstance(table, pl.LazyFrame):
        table = table.collect()
    if protect and not isinstance(table, ProtectedTable):
        protected = _protect(table, audience)
        report = protected.report
        table = protected
    # partner/public: only a table protected for them; others: as given
    frame = require_protected(table, audience)
    f, i = _classify(frame, filters, indicators)
    meta_frame = ees_meta(frame, filters=f, indicators=i, decimals=decimals, meta=meta)
    text = _render(frame, i, null_symbol)
    before = text.height
    if complete is not None:
        if complete not in ("z", "0"):
            raise ExportError(
                f"complete={complete!r} is not a way to complete the matrix",
                hint="use complete='z' or complete='0' (or leave it out)",
            )
        text = _complete(
            text,
            list(meta_frame.filter(pl.col("col_type") == "Filter")["col_name"]),
            i,
            complete,
        )
    problems = _check_pair(text, meta_frame, data_path=target, meta_path=meta_path)
    errors = problems.filter(pl.col("severity") == "error").sort(
        "row", nulls_last=False, maintain_order=True
    )
    if errors.height:
        first = errors.row(0, named=True)
        others = [
            f"{r['rule']} ({_where_text(r['row'], r['column'])})"
            for r in errors.slice(1, 4).iter_rows(named=True)
        ]
        more = (
            f"; {errors.height - 1} more problems: {', '.join(others)}"
            if errors.height > 1
            else ""
        )
        raise ExportError(
            f"{first['message']} [rule {first['rule']}]{more}",
            path=meta_path if first["file"] == meta_path.name else target,
            row=first["row"],
            column=first["column"],
            hint=_HINTS.get(first["rule"], _HINT) + "; nothing was written",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    text.write_csv(target)
    meta_frame.write_csv(meta_path)
    return EesFiles(
        data=target,
        meta=meta_path,
        rows=text.height,
        rows_completed=text.height - before,
        warnings=problems.filter(pl.col("severity") == "warning"),
        protection=report,
    )
