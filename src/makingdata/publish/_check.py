"""EES open-data files: the rules, and the checker of a data file and its ``.meta.csv``.

The rules are DfE's open data standards for Explore Education Statistics as
DfE's own screener, the R package ``eesyscreener``, checks them: file names,
column names, the mandatory time and geography columns, the allowed
``time_identifier`` and ``geographic_level`` values with their columns,
geography codes with their official names (the lookups of
``makingdata/data/geography/``), filters and filter groups, indicators as
numbers or the GSS symbols ``z x c low`` (never blank), the harmonised names,
and the metadata file's columns and values. A rule is an error only where the
screener fails a file; where it warns, so does :func:`check_ees`.
:func:`~makingdata.publish.write_ees` and :func:`check_ees` run the same
checks (:data:`EES_RULES`): the checker lists every problem of an existing
pair; the writer refuses a file with an error and, beyond the screener, three
warnings (capitals in the file name, School rows beside other levels, a
filter without ``Total``). The vocabulary (levels, geography columns, time
identifiers, symbols) is :mod:`makingdata.tables`'.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata import _html
from makingdata.errors import InputError
from makingdata.publish._geography import GEOGRAPHY_LOOKUPS, valid_combinations
from makingdata.tables import (
    EES_SYMBOLS,
    GEOGRAPHIES,
    PERIOD_COLUMNS,
    TIME_IDENTIFIERS,
    UNLISTED_SYMBOLS,
    TableSpec,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from os import PathLike

__all__ = [
    "EES_GEOGRAPHIES",
    "EES_META_COLUMNS",
    "EES_RULES",
    "EES_SYMBOLS",
    "EES_TIME_IDENTIFIERS",
    "EesCheck",
    "check_ees",
]

#: Allowed ``time_identifier`` values by group, with the digits of
#: ``time_period``: :data:`makingdata.tables.TIME_IDENTIFIERS`, kept under its
#: old name for compatibility.
EES_TIME_IDENTIFIERS: Mapping[str, tuple[tuple[str, ...], int]] = TIME_IDENTIFIERS

EES_GEOGRAPHIES: Mapping[str, tuple[str | None, str, tuple[str, ...]]] = {
    label: (g.code, g.name, g.extra) for label, g in GEOGRAPHIES.items()
}
"""``geographic_level`` values: (code column, name column, other required columns).

Built from :data:`makingdata.tables.GEOGRAPHIES` (the one definition), in the
shape this mapping had before 0.2.
"""

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
_META_OPTIONAL = ("filter_default", "parent_filter")
_UNITS = ("", "£", "£m", "%", "pp", "numberstring")
_MANDATORY = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
)
#: Period columns of attendance tables beside time_period/time_identifier:
#: filters in EES terms (dates as yyyy-mm-dd), but part of the period.
_PERIOD_FILTERS = PERIOD_COLUMNS
#: Time and geography columns ("observational units"): no meta row.
_OB_UNITS: frozenset[str] = frozenset(
    {"time_period", "time_identifier", "geographic_level"}
    | {c for g in GEOGRAPHIES.values() for c in g.columns}
)
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"

#: Per level, the columns DfE's screener requires: code, name and second code.
_LEVEL_COLUMNS: Mapping[str, tuple[str, ...]] = {
    label: tuple(
        c
        for c in (
            g.code,
            g.name,
            *(("school_laestab",) if label == "School" else g.extra),
        )
        if c is not None
    )
    for label, g in GEOGRAPHIES.items()
}
_LOW_LEVELS = ("School", "Provider", "Institution")
#: The levels whose rows may fill a level's columns (DfE's screener's table).
_COMPATIBLE: Mapping[str, frozenset[str]] = {
    level: frozenset(allowed)
    for level, allowed in {
        "Regional": (
            "Regional", "Local skills improvement plan area", "Local authority",
            "Local enterprise partnership", "Opportunity area", "Local authority district",
            "Parliamentary constituency", "English devolved area", "Ward", *_LOW_LEVELS,
            "Planning area", "Police force area",
        ),
        "Local authority": (
            "Local authority", "Parliamentary constituency", "Local authority district",
            "Ward", *_LOW_LEVELS, "Planning area", "Police force area",
        ),
        "Local authority district": (
            "Local authority district", "Ward", *_LOW_LEVELS, "Police force area",
        ),
        "Local skills improvement plan area": (
            "Local skills improvement plan area", "Local authority district",
            *_LOW_LEVELS, "Planning area",
        ),
        "RSC region": ("RSC region", *_LOW_LEVELS),
        "Parliamentary constituency": ("Parliamentary constituency", *_LOW_LEVELS),
        "Local enterprise partnership": ("Local enterprise partnership", *_LOW_LEVELS),
        "English devolved area": ("English devolved area", *_LOW_LEVELS),
        "Opportunity area": ("Opportunity area", *_LOW_LEVELS),
        "Ward": ("Ward", *_LOW_LEVELS),
        "MAT": ("MAT", *_LOW_LEVELS),
        "Sponsor": ("Sponsor", *_LOW_LEVELS),
        "Planning area": ("Planning area", *_LOW_LEVELS),
        "Police force area": ("Police force area", *_LOW_LEVELS),
        "School": ("School",),
        "Provider": ("Provider",),
        "Institution": ("Institution",),
    }.items()
}  # fmt: skip
#: Levels the EES table tool does not show.
_IGNORED_LEVELS = ("School", "Provider", "Institution", "Planning area")
#: Levels whose code x must be named 'Not available' (and the reverse).
_NOT_AVAILABLE_LEVELS = (
    "Opportunity area",
    "MAT",
    "Sponsor",
    "School",
    "Provider",
    "Police force area",
)
#: Observational units that may not be in the metadata (school_name and
#: provider_name may be filters).
_OB_UNITS_SCREENER: frozenset[str] = _OB_UNITS - {"school_name", "provider_name"}
#: Column names that look like geography (DfE's screener's pattern).
_OB_REGEX = re.compile(
    r"(^(country|sch|prov|inst|estab|reg|la|local|rsc|pfa|pcon|lep|mca|oa|ward|mat)"
    r".*(name|code|urn|ukprn|number|upin|id)$)"
    r"|(^(laestab|estab|sch|school|schools|prov|provider|providers|inst|institution|"
    r"institutions|name|code|urn|ukprn|number|upin|id|region|la|lad|rsc|pcon|lep|mca|"
    r"oa|ward|mat)$)",
    re.IGNORECASE,
)
_GEO_CODE_COLUMNS: frozenset[str] = frozenset(
    c for g in GEOGRAPHIES.values() for c in (g.code, *g.extra) if c is not None
) - {"la_name"}
_GEO_NAME_COLUMNS: frozenset[str] = frozenset(g.name for g in GEOGRAPHIES.values())
#: Text read as null by many tools: never in an EES file.
_NULL_TEXT = ("NULL", "Null", "null", "NA", "na")
#: Legacy no-data symbols (a warning anywhere in the data).
_LEGACY_TEXT = ("N/A", "n/a", ".", "..", "-")
#: Warnings that write_ees refuses as errors: a file makingdata writes has
#: lower case names, School rows on their own and a Total for every filter.
_WRITER_REFUSES = frozenset({"file_name_style", "school_rows_separate", "filter_total"})
#: Legacy GSS symbols refused in indicators.
_LEGACY_INDICATOR = (":", "~")
#: Filter values that, in an indicator's name, show a table not in tidy form.
_SMUSHED = (
    "male|female|asian|chinese|indian|pakistani|bangladeshi|black|african|caribbean|"
    "white|roma|irish|english|british|scottish|welsh|northern irish|arab"
)
_HARMONISED_SEARCH = re.compile(
    "sen_|primary_need|secondary_need|establishment_type|provider_type|school_type|ethnic"
)
#: DfE's harmonised ethnicity values: (ethnicity_major, ethnicity_minor).
_ETHNICITY: frozenset[tuple[str, str]] = frozenset(
    {
        ("Total", "Total"),
        ("White", "Total"),
        ("White", "English/Welsh/Scottish/Northern Irish/British"),
        ("White", "English / Welsh / Scottish / Northern Irish / British"),
        ("White", "Irish"),
        ("White", "Gypsy or Irish Traveller"),
        ("White", "Roma"),
        ("White", "Any other White background"),
        ("Mixed/Multiple ethnic groups", "Total"),
        ("Mixed/Multiple ethnic groups", "White and Black Caribbean"),
        ("Mixed/Multiple ethnic groups", "White and Black African"),
        ("Mixed/Multiple ethnic groups", "White and Asian"),
        ("Mixed/Multiple ethnic groups", "Any other Mixed/Multiple ethnic background"),
        ("Mixed / Multiple ethnic groups", "Total"),
        ("Mixed / Multiple ethnic groups", "White and Black Caribbean"),
        ("Mixed / Multiple ethnic groups", "White and Black African"),
        ("Mixed / Multiple ethnic groups", "White and Asian"),
        (
            "Mixed / Multiple ethnic groups",
            "Any other Mixed / Multiple ethnic background",
        ),
        ("Asian/Asian British", "Total"),
        ("Asian/Asian British", "Indian"),
        ("Asian/Asian British", "Pakistani"),
        ("Asian/Asian British", "Bangladeshi"),
        ("Asian/Asian British", "Chinese"),
        ("Asian/Asian British", "Any other Asian background"),
        ("Asian / Asian British", "Total"),
        ("Asian / Asian British", "Indian"),
        ("Asian / Asian British", "Pakistani"),
        ("Asian / Asian British", "Bangladeshi"),
        ("Asian / Asian British", "Chinese"),
        ("Asian / Asian British", "Any other Asian background"),
        ("Black/African/Caribbean/Black British", "Total"),
        ("Black/African/Caribbean/Black British", "African"),
        ("Black/African/Caribbean/Black British", "Caribbean"),
        (
            "Black/African/Caribbean/Black British",
            "Any other Black/African/Caribbean background",
        ),
        ("Black / African / Caribbean / Black British", "Total"),
        ("Black / African / Caribbean / Black British", "African"),
        ("Black / African / Caribbean / Black British", "Caribbean"),
        (
            "Black / African / Caribbean / Black British",
            "Any other Black / African / Caribbean background",
        ),
        ("Other ethnic group", "Total"),
        ("Other ethnic group", "Arab"),
        ("Other ethnic group", "Any other ethnic group"),
        ("Unknown", "Unknown"),
    }
)
_ETHNICITY_GROUPS = (
    "Ethnicity Major",
    "Ethnicity Minor",
    "Ethnicity Detailed",
    "Minority Ethnic",
)
_HARMONISED_NAMES = frozenset(
    {
        "sen_status", "sen_primary_need", "sen_secondary_need", "sen_provision",
        "establishment_type", "establishment_type_group", "provider_type",
        "ethnicity_major", "ethnicity_minor", "ethnicity_detailed", "minority_ethnic",
    }
)  # fmt: skip

_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE = re.compile(r"^[a-z0-9_-]+\.csv$")

EES_RULES: Mapping[str, tuple[str, str]] = {
    "file_read": ("error", "both files are UTF-8 text with a .csv name: the data comma-separated, the metadata with one separator (sniffed, as the screener's reader does)"),
    "file_name": ("error", "file names have no spaces or special characters: letters, digits, _ and - only"),
    "file_name_style": ("warning", "file names are lower case and start with a letter (recommended)"),
    "meta_file_name": ("error", "the metadata file is named <datafile>.meta.csv"),
    "meta_missing": ("error", "every data file has a metadata file"),
    "encoding": ("error", "files are UTF-8"),
    "col_name_spaces": ("error", "column names have no spaces"),
    "col_name_format": ("warning", "column names are snake_case: a-z, 0-9 and _, starting with a lower case letter"),
    "col_name_duplicate": ("error", "column names are unique"),
    "col_name_length": ("warning", "column names are at most 50 characters (API standard)"),
    "col_characteristic": ("warning", "'characteristic' and 'characteristic_group' columns do not suit the EES table tool"),
    "indicator_smushed": ("error", "indicator names do not hold filter values (male, female, white, asian, ...): pivot them into a filter"),
    "harmonised_column": ("error", "columns on SEN, establishment or provider type and ethnicity use the harmonised names"),
    "harmonised_ethnicity_group": ("error", "a characteristic_group on ethnicity names its standard (Ethnicity Major, Ethnicity Minor, Ethnicity Detailed, Minority Ethnic)"),
    "harmonised_ethnicity_value": ("warning", "ethnicity values are those of the GSS harmonised standard"),
    "mandatory_column": ("error", "time_period, time_identifier, geographic_level, country_code and country_name are in every file"),
    "time_period": ("error", "time_period is 4 digits (YYYY) or 6 digits of consecutive years (YYYYNN)"),
    "time_identifier": ("error", "time_identifier is one of the allowed values (Week 1 to Week 52, terms, years, ...)"),
    "time_identifier_mixed": ("error", "time_identifier values come from one group"),
    "time_period_digits": ("error", "time_period has the digits of its time_identifier's group"),
    "geographic_level": ("error", "geographic_level is one of the allowed levels"),
    "geography_column": ("error", "a file with rows at a level has that level's geography columns, and a region or LA column comes with the others of its level"),
    "geography_blank": ("error", "a row fills the code and name columns of its own level"),
    "geography_overfilled": ("error", "a row leaves the columns of levels it cannot carry blank"),
    "geography_total": ("error", "geography columns hold no Total or All rows"),
    "geography_not_available": ("error", "a location code x goes with the name 'Not available', and that name with the code x"),
    "geography_code_duplicate": ("error", "a MAT, sponsor or opportunity area has one code, and a code one name"),
    "region_for_la": ("warning", "Local authority and LAD rows give their region (recommended)"),
    "country_code": ("error", "country_code and country_name are an official combination (e.g. E92000001 England)"),
    "region_code": ("error", "region_code and region_name are an official combination (case sensitive)"),
    "la_code": ("error", "old_la_code, new_la_code and la_name are an official combination (case sensitive)"),
    "lad_code": ("error", "lad_code and lad_name are an official combination (case sensitive)"),
    "pcon_code": ("error", "pcon_code and pcon_name are an official combination (case sensitive)"),
    "ward_code": ("error", "ward_code and ward_name are an official combination (case sensitive)"),
    "lsip_code": ("error", "lsip_code and lsip_name are an official combination (case sensitive)"),
    "lep_code": ("error", "local enterprise partnership codes and names are an official combination (case sensitive)"),
    "eda_code": ("error", "English devolved area codes and names are an official combination (case sensitive)"),
    "table_tool_rows": ("error", "a file has rows the table tool shows (not only Institution or Planning area), and does not mix School with Provider rows"),
    "school_rows_separate": ("warning", "School rows beside other levels are ignored by the EES table tool"),
    "duplicate_row": ("error", "no two rows have the same time, geography and filter values"),
    "filter_total": ("warning", "every filter has its default item (filter_default, else Total)"),
    "filter_blank": ("error", "filter cells are never blank"),
    "filter_whitespace": ("error", "filter and location values have no leading or trailing spaces"),
    "filter_group_level": ("error", "a filter group has no more levels than its filter"),
    "filter_group_stripped": ("error", "filter group values stay distinct when punctuation is stripped"),
    "filter_item_limit": ("error", "a filter has at most 25,000 items"),
    "filter_item_length": ("warning", "filter items and location names are at most 120 characters (API standard)"),
    "location_code_length": ("warning", "location codes are at most 30 characters (API standard)"),
    "data_dict_col_name": ("warning", "filter, filter group and indicator names are in DfE's data dictionary (API standard; check_ees(data_dictionary=True))"),
    "data_dict_filter_item": ("warning", "the items of a data dictionary filter are the dictionary's (API standard; check_ees(data_dictionary=True))"),
    "null_symbol": ("error", "no NULL or NA text in the data or the metadata"),
    "indicator_blank": ("error", "indicator cells are never blank: use a symbol (z, x, c, low)"),
    "indicator_legacy_symbol": ("error", "the legacy symbols : and ~ are not used in indicators"),
    "legacy_symbol": ("warning", "the legacy no-data symbols N/A . .. - are replaced by GSS symbols"),
    "indicator_symbol_unlisted": ("warning", "k and u are GSS symbols the EES screener does not list"),
    "indicator_not_number": ("warning", "indicator cells are numbers (no commas, no £, no %) or a GSS symbol"),
    "data_not_in_meta": ("warning", "every data column with more than one value is a time or geography column or has a meta row"),
    "meta_columns": ("error", "the metadata file has the columns col_name, col_type, label, indicator_grouping, indicator_unit, indicator_dp, filter_hint, filter_grouping_column (and optionally filter_default, parent_filter), no others"),
    "meta_rows": ("error", "the metadata has no more rows than the data has columns beyond the five mandatory ones"),
    "meta_col_name": ("error", "every meta row has a col_name, and every filter and filter group it names is a column of the data file"),
    "meta_col_name_spaces": ("error", "col_name values have no spaces"),
    "meta_col_name_duplicate": ("error", "a column has one meta row"),
    "meta_ob_unit": ("error", "time and geography columns have no meta row (school_name and provider_name may be filters)"),
    "meta_geography_filter": ("error", "a filter is not a geography column under another name (e.g. la_name, school_urn)"),
    "meta_col_type": ("error", "col_type is Filter or Indicator"),
    "meta_label": ("error", "every meta row has a label"),
    "meta_label_duplicate": ("error", "labels are unique"),
    "meta_label_length": ("warning", "labels are at most 100 characters (API standard)"),
    "meta_indicator_unit": ("error", "indicator_unit is blank, £, £m, %, pp or numberstring"),
    "meta_percent_unit": ("warning", "a _percent indicator has the unit %"),
    "meta_indicator_dp": ("warning", "every indicator has indicator_dp"),
    "meta_indicator_dp_value": ("error", "indicator_dp is blank, zero or a positive whole number"),
    "meta_filter_fields": ("error", "filters have no indicator_grouping, indicator_unit or indicator_dp; indicators no filter_hint or filter_grouping_column"),
    "meta_filter_single_level": ("error", "filters with one level are not listed in the meta file"),
    "meta_filter_grouping": ("error", "a filter_grouping_column is a column of the data file"),
    "meta_filter_grouping_duplicate": ("error", "two filters do not share a filter_grouping_column"),
    "meta_filter_group_row": ("warning", "a filter_grouping_column also has a meta row of its own (recommended)"),
}  # fmt: skip
"""Every rule :func:`check_ees` applies: id -> (severity, what it requires).

Severity ``error`` stops :func:`~makingdata.publish.write_ees`; ``warning`` does not.
"""


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

    def _repr_html_(self) -> str:
        """Show the verdict and the problems per rule (first of each) in a notebook."""
        facts: list[tuple[str, object]] = [
            ("data", self.data.name),
            ("meta", self.meta.name if self.meta is not None else "none"),
            ("rows", f"{self.rows:,}"),
            ("errors", f"{self.errors.height:,}"),
            ("warnings", f"{self.warnings.height:,}"),
        ]
        parts = [_html.facts_html(facts)]
        if self.problems.height:
            parts.append(_html.frame_html(self.summary()))
        verdict = "passes" if self.ok else "fails"
        return _html.repr_html(f"EesCheck: {self.data.name} {verdict}", *parts)

    def __str__(self) -> str:
        head = (
            f"{self.data.name}: {self.rows} rows, {self.errors.height} errors, "
            f"{self.warnings.height} warnings"
        )
        lines = [head]
        for rule, severity, n, first in self.summary().iter_rows():
            lines.append(f"  {severity} {rule} ({n}): {first}")
        return "\n".join(lines)


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


def _check_names(
    p: _Problems, data_path: Path, meta_path: Path | None, *, strict: bool = True
) -> None:
    """Check the file names; ``strict`` (the writer's) also wants lower case ``.csv``."""
    if strict and (
        not _FILE.match(data_path.name) or data_path.name.endswith(".meta.csv")
    ):
        p.add(
            data_path.name,
            "file_name_style",
            f"{data_path.name!r} is not an EES data file name: use lower case letters, "
            "digits, _ and - and end it .csv (e.g. pupil_attendance_la.csv)",
        )
        return
    names = [data_path.name] + ([meta_path.name] if meta_path is not None else [])
    for name in names:
        stem = re.sub(r"\.meta$", "", name.rsplit(".", 1)[0] if "." in name else name)
        if re.search(r"\s", name) and " " in name:
            p.add(
                name,
                "file_name",
                f"{name!r} has spaces: remove them (use _ or -)",
            )
        special = sorted(set(re.sub(r"[A-Za-z0-9_\-\s]", "", stem)))
        if special:
            p.add(
                name,
                "file_name",
                f"{name!r} has the special characters {' '.join(special)}: file names "
                "hold letters, digits, _ and - only",
            )
        elif not re.match(r"^[a-z][a-z0-9_-]*$", stem):
            p.add(
                name,
                "file_name_style",
                f"{name!r}: file names are best lower case, starting with a letter "
                "(e.g. pupil_attendance_la.csv)",
            )
    expected = re.sub(r"\.csv", ".meta.csv", data_path.name, count=1)
    if meta_path is not None and meta_path.name != expected:
        p.add(
            meta_path.name,
            "meta_file_name",
            f"the metadata of {data_path.name!r} must be named {expected!r}",
        )


def _check_header(p: _Problems, file: str, header: Sequence[str]) -> None:
    seen: set[str] = set()
    for col in header:
        if re.search(r"\s", col):
            p.add(
                file,
                "col_name_spaces",
                f"column name {col!r} has a space: remove it (snake_case uses _)",
                row=1,
                column=col,
            )
        elif not _SNAKE.match(col):
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
    group_of = {v: g for g, (vals, _) in TIME_IDENTIFIERS.items() for v in vals}
    digits_of = {g: n for g, (_, n) in TIME_IDENTIFIERS.items()}
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


def _empty(col: str) -> pl.Expr:
    """Null or the empty string (what DfE's screener counts as missing)."""
    return pl.col(col).is_null() | (pl.col(col) == "")


def _first_line(d: pl.DataFrame, mask: pl.Expr) -> int | None:
    hit = d.filter(mask.fill_null(value=False))
    return int(hit["__line"][0]) if hit.height else None


def _check_geography(  # noqa: PLR0912, PLR0915 - one block per rule
    p: _Problems,
    file: str,
    d: pl.DataFrame,
    filters: Sequence[str],
    groups: Sequence[str],
) -> None:
    if "geographic_level" not in d.columns:
        return
    lv = pl.col("geographic_level")
    cols = set(d.columns)
    p.cells(
        d,
        file,
        "geographic_level",
        ~lv.is_in(list(GEOGRAPHIES)) | lv.is_null(),
        pl.format(
            "'{}' is not an EES geographic_level (National, Regional, Local authority, School, MAT, ...)",
            lv.fill_null(""),
        ),
        "geographic_level",
    )
    present = d["geographic_level"].unique(maintain_order=True).to_list()
    levels = [x for x in present if x in GEOGRAPHIES]
    # the level's own columns exist (a file of National rows only needs none more)
    if set(present) != {"National"}:
        for level in levels:
            if level == "Planning area":
                continue
            for col in _LEVEL_COLUMNS[level]:
                if col not in cols:
                    p.add(
                        file,
                        "geography_column",
                        f"the file has {level} rows but no {col!r} column",
                        column=col,
                    )
    for level in ("Regional", "Local authority"):
        need = _LEVEL_COLUMNS[level]
        have = [c for c in need if c in cols]
        for col in need:
            if have and col not in cols:
                p.add(
                    file,
                    "geography_column",
                    f"the file has {have} but no {col!r}: when one {level.lower()} "
                    "column is present, all are needed",
                    column=col,
                )
    # a row fills its own level's code and name (new_la_code may be blank for a legacy LA)
    for level in levels:
        if level == "Planning area":
            continue
        for col in _LEVEL_COLUMNS[level]:
            if col not in cols or col == "new_la_code":
                continue
            p.cells(
                d,
                file,
                "geography_blank",
                (lv == level) & _empty(col),
                pl.lit(f"a {level} row has a blank {col!r}"),
                col,
            )
    # no column filled on a row of a level that cannot carry it
    single_named_filter = len(filters) == 1
    for level, own in _LEVEL_COLUMNS.items():
        if level == "National":
            continue
        check_cols = [c for c in own if c in cols]
        if level in {"School", "Provider"} and single_named_filter:
            name_col = GEOGRAPHIES[level].name
            if name_col in filters or name_col in groups:
                check_cols = [c for c in check_cols if c != name_col]
        bad_levels = [x for x in present if x not in _COMPATIBLE[level]]
        if not check_cols or not bad_levels:
            continue
        for col in check_cols:
            p.cells(
                d,
                file,
                "geography_overfilled",
                lv.is_in(bad_levels) & ~_empty(col),
                pl.format(
                    "a {} row has {} = '{}': leave the columns of lower levels blank "
                    "({} columns are for {} rows and the levels within them)",
                    lv,
                    pl.lit(col),
                    pl.col(col),
                    pl.lit(level),
                    pl.lit(level),
                ),
                col,
            )
    # rows the EES table tool shows
    shown = [x for x in present if x not in {"Institution", "Planning area"}]
    if d.height and not shown:
        p.add(
            file,
            "table_tool_rows",
            "the file has only Institution or Planning area rows, which the EES table "
            "tool ignores: publish it as an ancillary file without metadata",
            column="geographic_level",
        )
    elif "School" in present and "Provider" in present:
        p.add(
            file,
            "table_tool_rows",
            "School and Provider rows are mixed: put them in separate files",
            column="geographic_level",
        )
    else:
        low = [x for x in present if x in _IGNORED_LEVELS]
        if low and not (len(present) == 1 and present[0] in {"School", "Provider"}):
            line = _first_line(d, lv.is_in(low))
            p.add(
                file,
                "school_rows_separate",
                f"{', '.join(low)} rows beside {sorted(x for x in present if x not in low)} "
                "rows are ignored by the EES table tool: publish them in a file of their own "
                "if they should be shown",
                row=line,
                column="geographic_level",
            )
    # 'x' is 'Not available' and 'Not available' is 'x'
    for level in _NOT_AVAILABLE_LEVELS:
        code, name = GEOGRAPHIES[level].code, GEOGRAPHIES[level].name
        if level not in present or code is None or code not in cols or name not in cols:
            continue
        p.cells(
            d,
            file,
            "geography_not_available",
            (pl.col(code) == "x") & (pl.col(name) != "Not available"),
            pl.format(
                "{} is x but {} is '{}': the name of x is 'Not available'",
                pl.lit(code),
                pl.lit(name),
                pl.col(name),
            ),
            name,
        )
        p.cells(
            d,
            file,
            "geography_not_available",
            (lv == level) & (pl.col(name) == "Not available") & (pl.col(code) != "x"),
            pl.format(
                "{} is 'Not available' but {} is '{}': its code is x",
                pl.lit(name),
                pl.lit(code),
                pl.col(code),
            ),
            code,
        )
    # one code per MAT, sponsor, opportunity area and one name per code
    for level in ("Opportunity area", "MAT", "Sponsor"):
        code, name = GEOGRAPHIES[level].code, GEOGRAPHIES[level].name
        if level not in present or code is None or code not in cols or name not in cols:
            continue
        rows = d.filter((lv == level) & ~_empty(code)).select(code, name).unique()
        for key, other, what in ((name, code, "codes"), (code, name, "names")):
            many = rows.group_by(key).agg(pl.len().alias("n")).filter(pl.col("n") > 1)
            for value, n in many.iter_rows():
                p.add(
                    file,
                    "geography_code_duplicate",
                    f"{level} {key} '{value}' has {n} different {what}: give each "
                    f"{level} one {other}",
                    column=key,
                )
    # region given for LA and LAD rows (a recommendation)
    for level in ("Local authority", "Local authority district"):
        if level not in present:
            continue
        missing = [c for c in ("region_code", "region_name") if c not in cols]
        if missing:
            p.add(
                file,
                "region_for_la",
                f"the file has {level} rows but no {missing}: give each its region",
                column=missing[0],
            )
        elif d.filter(
            (lv == level) & (_empty("region_code") | _empty("region_name"))
        ).height:
            p.add(
                file,
                "region_for_la",
                f"some {level} rows have a blank region_code or region_name: give each its region",
                row=_first_line(
                    d, (lv == level) & (_empty("region_code") | _empty("region_name"))
                ),
                column="region_code",
            )
    # no Total or All in a geography column
    ob_cols = [
        c
        for c in d.columns
        if c != "__line" and (c in _OB_UNITS_SCREENER or _OB_REGEX.search(c))
    ]
    if len(filters) == 1 and (
        filters[0] in {"school_name", "provider_name"}
        or (groups and groups[0] in {"school_name", "provider_name"})
    ):
        ob_cols = [c for c in ob_cols if c not in {"school_name", "provider_name"}]
    for col in ob_cols:
        p.cells(
            d,
            file,
            "geography_total",
            pl.col(col).is_in(["Total", "total", "All", "all"]),
            pl.format(
                "'{}' in the geography column {}: leave it blank",
                pl.col(col),
                pl.lit(col),
            ),
            col,
        )
    # official code and name combinations
    for rule, (_, combo, what) in GEOGRAPHY_LOOKUPS.items():
        if not all(c in cols for c in combo):
            continue
        code = combo[-2]
        keep = ~_empty(code) & (pl.col(code) != "x")
        if len(combo) > 2:
            keep &= ~_empty(combo[0])
        seen = (
            d.filter(keep.fill_null(value=False))
            .group_by(list(combo))
            .agg(pl.col("__line").min())
        )
        bad = seen.join(valid_combinations(rule), on=list(combo), how="anti").sort(
            "__line"
        )
        for row in bad.iter_rows(named=True):
            shown_combo = " / ".join(f"{row[c]}" for c in combo)
            p.add(
                file,
                rule,
                f"{' / '.join(combo)} '{shown_combo}' is not an official {what} "
                "combination (names are case sensitive): use the code and name of DfE's "
                "geography lookup",
                row=int(row["__line"]),
                column=code,
            )
    # lengths the EES API accepts
    for col in sorted(_GEO_CODE_COLUMNS & cols):
        p.cells(
            d,
            file,
            "location_code_length",
            pl.col(col).str.len_chars() > 30,
            pl.lit("location code longer than 30 characters"),
            col,
        )
    for col in sorted(_GEO_NAME_COLUMNS & cols):
        p.cells(
            d,
            file,
            "filter_item_length",
            pl.col(col).str.len_chars() > 120,
            pl.lit("location name longer than 120 characters"),
            col,
        )


def _check_filters(  # noqa: PLR0917 - private, called once
    p: _Problems,
    file: str,
    d: pl.DataFrame,
    filters: Sequence[str],
    groups: Sequence[str],
    defaults: Mapping[str, str],
) -> None:
    both = list(dict.fromkeys([*filters, *groups]))
    for col in both:
        if col not in d.columns:
            continue
        p.cells(
            d,
            file,
            "filter_blank",
            _empty(col),
            pl.lit(
                f"blank {col!r}: every row needs a filter value (use Total, Unknown or Not applicable)"
            ),
            col,
        )
        values = d[col].drop_nulls()
        is_date = values.len() > 0 and bool(values.str.contains(_DATE).all())
        default = defaults.get(col, "Total")
        if (
            col not in _PERIOD_FILTERS
            and not is_date
            and not bool((values == default).any())
        ):
            p.add(
                file,
                "filter_total",
                f"filter {col!r} has no {default!r} row: add the rows for all of its "
                "categories together, or name its default item in filter_default",
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
        n = values.n_unique()
        if n > 25000:
            p.add(
                file,
                "filter_item_limit",
                f"filter {col!r} has {n} items (at most 25,000): split it or make it an indicator",
                column=col,
            )
    for col in filters:
        if col not in d.columns:
            continue
        v = pl.col(col)
        p.cells(
            d,
            file,
            "filter_whitespace",
            v != v.str.strip_chars(),
            pl.format("filter item '{}' has leading or trailing spaces: trim it", v),
            col,
        )


def _check_groups(
    p: _Problems, file: str, d: pl.DataFrame, pairs: Sequence[tuple[str, str]]
) -> None:
    for col, group in pairs:
        if col not in d.columns or group not in d.columns:
            continue
        n_filter, n_group = d[col].n_unique(), d[group].n_unique()
        if n_group > n_filter:
            p.add(
                file,
                "filter_group_level",
                f"filter group {group!r} has more levels ({n_group}) than its filter "
                f"{col!r} ({n_filter}): the hierarchy looks the wrong way round in the metadata",
                column=group,
            )
    for group in dict.fromkeys(g for _, g in pairs):
        if group not in d.columns:
            continue
        raw = d[group].unique()
        stripped = raw.str.replace_all(r"[^\p{L}\p{N}]", "").unique()
        if raw.len() != stripped.len():
            p.add(
                file,
                "filter_group_stripped",
                f"filter group {group!r} has values that differ only in punctuation or "
                f"spaces ({sorted(v for v in raw.to_list() if v is not None)[:6]}...): make them one",
                column=group,
            )


def _check_symbols(
    p: _Problems, file: str, d: pl.DataFrame, meta: pl.DataFrame | None, meta_file: str
) -> None:
    for col in d.columns:
        if col == "__line":
            continue
        v = pl.col(col)
        p.cells(
            d,
            file,
            "null_symbol",
            v.is_in(list(_NULL_TEXT)),
            pl.format(
                "'{}' in {}: write a GSS symbol (z, x, c, low) or leave the meaning explicit",
                v,
                pl.lit(col),
            ),
            col,
        )
        p.cells(
            d,
            file,
            "legacy_symbol",
            v.is_in(list(_LEGACY_TEXT)),
            pl.format(
                "legacy no-data symbol '{}': use x (not available) or z (not applicable)",
                v,
            ),
            col,
        )
    if meta is not None:
        m = meta.with_row_index("__line", offset=2)
        for col in meta.columns:
            p.cells(
                m,
                meta_file,
                "null_symbol",
                pl.col(col).is_in(list(_NULL_TEXT)),
                pl.format("'{}' in the metadata: leave the cell blank", pl.col(col)),
                col,
            )


def _check_indicators(
    p: _Problems, file: str, d: pl.DataFrame, indicators: Sequence[str]
) -> None:
    for col in indicators:
        if col not in d.columns:
            continue
        v = pl.col(col).str.strip_chars()
        blank = _empty(col)
        legacy = v.is_in(list(_LEGACY_INDICATOR))
        other = v.is_in(list(_NULL_TEXT) + list(_LEGACY_TEXT))
        unlisted = v.is_in(list(UNLISTED_SYMBOLS))
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
                "legacy symbol '{}': use x (not available) or low (rounds to zero)",
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
            & ~other
            & ~unlisted
            & ~v.is_in(list(EES_SYMBOLS))
            & ~v.str.contains(_NUMBER),
            pl.format(
                "'{}' is neither a number nor a GSS symbol (z, x, c, low)", pl.col(col)
            ),
            col,
        )


def _check_duplicates(
    p: _Problems, file: str, d: pl.DataFrame, filters: Sequence[str]
) -> None:
    """Report rows with the same time, geography and ``filters`` values.

    School, Provider, Institution and Planning area rows are left out beside
    other levels (the table tool ignores them), as DfE's screener does.
    """
    keys = [c for c in d.columns if c in _OB_UNITS or c in filters]
    if not keys or d.height == 0 or "geographic_level" not in d.columns:
        return
    present = d["geographic_level"].unique().to_list()
    skip = (
        ["Institution", "Planning area"]
        if len(present) == 1 and present[0] in {"School", "Provider"}
        else list(_IGNORED_LEVELS)
    )
    kept = d.filter(~pl.col("geographic_level").is_in(skip).fill_null(value=False))
    p.cells(
        kept,
        file,
        "duplicate_row",
        pl.struct(keys).is_duplicated(),
        pl.lit("another row has the same time, geography and filter values"),
        None,
    )


@attrs.frozen
class _Declared:
    """What a metadata file declares about the data columns."""

    filters: list[str]
    indicators: list[str]
    groups: list[str]
    pairs: list[tuple[str, str]]
    defaults: dict[str, str]


def _nonblank(values: Sequence[str | None]) -> list[str]:
    return [v for v in values if v is not None and v != ""]


def _check_meta(  # noqa: PLR0912, PLR0915 - one block per rule
    p: _Problems, file: str, meta: pl.DataFrame, d: pl.DataFrame
) -> _Declared:
    """Check the meta frame; return what it declares."""
    cols = list(meta.columns)
    missing = [c for c in EES_META_COLUMNS if c not in cols]
    extra = [c for c in cols if c not in EES_META_COLUMNS and c not in _META_OPTIONAL]
    if missing or extra:
        what = []
        if missing:
            what.append(f"missing {missing}")
        if extra:
            what.append(f"unknown {extra}")
        p.add(
            file,
            "meta_columns",
            f"metadata columns: {'; '.join(what)}. Expected {', '.join(EES_META_COLUMNS)}"
            " (filter_default and parent_filter may follow)",
            row=1,
        )
    data_cols = [c for c in d.columns if c != "__line"]
    if meta.height > len(data_cols) - 5:
        p.add(
            file,
            "meta_rows",
            f"the metadata has {meta.height} rows but the data only {len(data_cols) - 5} "
            "columns beyond the five mandatory ones: check both files (open them in a text editor)",
        )
    m = meta.with_row_index("__line", offset=2)
    for c in (*EES_META_COLUMNS, *_META_OPTIONAL):
        if c not in m.columns:
            m = m.with_columns(pl.lit(None, pl.String).alias(c))
    name, ctype = pl.col("col_name"), pl.col("col_type")
    ind = ctype == "Indicator"
    fil = ctype == "Filter"
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
        fil & ~_blank("col_name") & ~name.is_in(data_cols),
        pl.format("filter '{}' is not a column of the data file", name),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_col_name_spaces",
        name.str.contains(r"\s"),
        pl.format("col_name '{}' has a space: remove it", name),
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
    ob_units = list(_OB_UNITS_SCREENER)
    for c in ("col_name", "filter_grouping_column"):
        p.cells(
            m,
            file,
            "meta_ob_unit",
            pl.col(c).is_in(ob_units),
            pl.format(
                "'{}' is a time or geography column: remove it from the metadata",
                pl.col(c),
            ),
            c,
        )
    p.cells(
        m,
        file,
        "meta_col_type",
        ~ctype.is_in(["Filter", "Indicator"]) | ctype.is_null(),
        pl.format("col_type '{}' is not Filter or Indicator", ctype.fill_null("")),
        "col_type",
    )
    label = pl.col("label")
    p.cells(
        m,
        file,
        "meta_label",
        label.is_null() | label.is_in(["", " "]),
        pl.format("'{}' has no label", name),
        "label",
    )
    p.cells(
        m,
        file,
        "meta_label_duplicate",
        ~_blank("label") & label.is_duplicated(),
        pl.format("label '{}' is used twice", label),
        "label",
    )
    p.cells(
        m,
        file,
        "meta_label_length",
        label.str.len_chars() > 100,
        pl.format("label of '{}' is longer than 100 characters", name),
        "label",
    )
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
        ind & _blank("indicator_dp"),
        pl.format("'{}' has no indicator_dp: give its decimal places", name),
        "indicator_dp",
    )
    number = dp.cast(pl.Float64, strict=False)
    p.cells(
        m,
        file,
        "meta_indicator_dp_value",
        ~_blank("indicator_dp")
        & (number.is_null() | (number < 0) | (number != number.floor())),
        pl.format(
            "indicator_dp '{}' of '{}' is not a whole number of decimal places (0, 1, 2, ...)",
            dp.fill_null(""),
            name,
        ),
        "indicator_dp",
    )
    for c in ("indicator_grouping", "indicator_unit", "indicator_dp"):
        p.cells(
            m,
            file,
            "meta_filter_fields",
            fil & ~_empty(c),
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
            ind & ~_empty(c),
            pl.format(
                "indicator '{}' has a value in {}: leave it blank for indicators",
                name,
                pl.lit(c),
            ),
            c,
        )
    p.cells(
        m,
        file,
        "indicator_smushed",
        ind & name.str.to_lowercase().str.contains(_SMUSHED),
        pl.format(
            "indicator '{}' looks like it holds a filter value (sex, ethnicity, ...): "
            "pivot the data longer and add a filter for the characteristic",
            name,
        ),
        "col_name",
    )
    filter_names = _nonblank(m.filter(fil)["col_name"].to_list())
    groups = _nonblank(m["filter_grouping_column"].to_list())
    all_names = _nonblank(m["col_name"].to_list())
    if {"characteristic", "characteristic_group"} & set(
        all_names
    ) or "characteristic_group" in groups:
        p.add(
            file,
            "col_characteristic",
            "'characteristic' / 'characteristic_group' columns do not suit the EES table "
            "tool: give each characteristic a filter of its own",
            column="col_name",
        )
    harmonised = [
        c
        for c in dict.fromkeys([*all_names, *groups])
        if _HARMONISED_SEARCH.search(c.lower()) and c not in _HARMONISED_NAMES
    ]
    for c in harmonised:
        p.add(
            file,
            "harmonised_column",
            f"{c!r} falls under DfE's harmonised data standards: use the standard "
            "name (e.g. establishment_type, sen_status, ethnicity_major)",
            column="col_name",
        )
    exempt = len(filter_names) == 1 and (
        filter_names[0] in {"school_name", "provider_name"}
        or (groups and groups[0] in {"school_name", "provider_name"})
    )
    for c in dict.fromkeys([*filter_names, *groups]):
        if exempt and c in {"school_name", "provider_name"}:
            continue
        if _OB_REGEX.search(c):
            p.add(
                file,
                "meta_geography_filter",
                f"filter {c!r} looks like a geography column: geography goes in the "
                "geography columns, not in the metadata",
                column="col_name",
            )
    for g in dict.fromkeys(groups):
        if g not in data_cols:
            p.add(
                file,
                "meta_filter_grouping",
                f"filter_grouping_column {g!r} is not a column of the data file",
                column="filter_grouping_column",
            )
        elif g not in all_names:
            p.add(
                file,
                "meta_filter_group_row",
                f"filter group {g!r} has no meta row of its own: add one (col_type Filter)",
                column="filter_grouping_column",
            )
    for g in sorted({g for g in groups if groups.count(g) > 1}):
        p.add(
            file,
            "meta_filter_grouping_duplicate",
            f"filter_grouping_column {g!r} is given for more than one filter",
            column="filter_grouping_column",
        )
    filters = [c for c in filter_names if c in data_cols]
    indicators = [
        c for c in _nonblank(m.filter(ind)["col_name"].to_list()) if c in data_cols
    ]
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
    pairs = [
        (c, g)
        for c, g in m.filter(fil)
        .select("col_name", "filter_grouping_column")
        .iter_rows()
        if c and g
    ]
    defaults = {
        c: v
        for c, v in m.filter(fil).select("col_name", "filter_default").iter_rows()
        if c and v
    }
    return _Declared(
        filters=filters,
        indicators=indicators,
        groups=[g for g in dict.fromkeys(groups) if g in data_cols],
        pairs=pairs,
        defaults=defaults,
    )


def _check_harmonised(p: _Problems, file: str, d: pl.DataFrame) -> None:
    cols = set(d.columns)
    majors = {a for a, _ in _ETHNICITY}
    minors = {b for _, b in _ETHNICITY}
    odd: list[str] = []
    if {"ethnicity_major", "ethnicity_minor"} <= cols:
        pairs = d.select("ethnicity_major", "ethnicity_minor").unique().rows()
        odd = [f"{a}, {b}" for a, b in pairs if (a, b) not in _ETHNICITY]
    elif "ethnicity_major" in cols:
        odd = [v for v in d["ethnicity_major"].unique().to_list() if v not in majors]
    elif "ethnicity_minor" in cols:
        odd = [v for v in d["ethnicity_minor"].unique().to_list() if v not in minors]
    if "characteristic_group" in cols:
        groups = [
            g
            for g in d["characteristic_group"].unique().to_list()
            if g is not None and "ethnic" in g.lower()
        ]
        for g in sorted(
            g for g in groups if not any(s in g for s in _ETHNICITY_GROUPS)
        ):
            p.add(
                file,
                "harmonised_ethnicity_group",
                f"characteristic_group {g!r} is about ethnicity but is not one of "
                f"{', '.join(_ETHNICITY_GROUPS)} (alone or combined with 'and')",
                column="characteristic_group",
            )
        if "characteristic" in cols and groups:
            values = d.filter(pl.col("characteristic_group").is_in(groups))[
                "characteristic"
            ]
            odd += [v for v in values.unique().to_list() if v not in majors | minors]
    odd = sorted(str(v) for v in dict.fromkeys(odd))
    if odd:
        p.add(
            file,
            "harmonised_ethnicity_value",
            f"ethnicity values not in the GSS harmonised standard: {odd[:5]}"
            + (f" and {len(odd) - 5} more" if len(odd) > 5 else ""),
        )


def _check_pair(
    data: pl.DataFrame,
    meta: pl.DataFrame | None,
    *,
    data_path: Path,
    meta_path: Path | None,
    header: Sequence[str] | None = None,
    strict: bool = True,
) -> pl.DataFrame:
    """Run every rule on text frames of a data file and its meta; return problems.

    ``strict`` (the writer's default) makes the warnings of :data:`_WRITER_REFUSES`
    errors: makingdata writes files the EES table tool shows whole.
    """
    p = _Problems()
    dfile = data_path.name
    _check_names(p, data_path, meta_path, strict=strict)
    _check_header(p, dfile, header if header is not None else data.columns)
    d = data.with_row_index("__line", offset=2)
    _check_time(p, dfile, d)
    if meta is None:
        p.add(
            dfile,
            "meta_missing",
            f"no metadata file {data_path.name[:-4] + '.meta.csv'!r} beside the data",
        )
        filters, indicators = _guess_columns(data)
        declared = _Declared(filters, indicators, [], [], {})
    else:
        assert meta_path is not None
        declared = _check_meta(p, meta_path.name, meta, d)
        described = set(declared.groups) | set(
            meta["col_name"].drop_nulls().to_list()
            if "col_name" in meta.columns
            else []
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
    _check_geography(p, dfile, d, declared.filters, declared.groups)
    _check_filters(p, dfile, d, declared.filters, declared.groups, declared.defaults)
    _check_groups(p, dfile, d, declared.pairs)
    _check_symbols(p, dfile, d, meta, meta_path.name if meta_path is not None else "")
    _check_indicators(p, dfile, d, declared.indicators)
    _check_harmonised(p, dfile, d)
    keys = (
        [*declared.filters, *declared.groups]
        if meta is not None
        else [c for c in data.columns if c not in declared.indicators]
    )
    _check_duplicates(p, dfile, d, keys)
    found = p.frame()
    if strict:
        found = found.with_columns(
            severity=pl.when(pl.col("rule").is_in(list(_WRITER_REFUSES)))
            .then(pl.lit("error"))
            .otherwise(pl.col("severity"))
        )
    return found


def _guess_columns(text: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Return the filters and indicators of a text frame with no meta, as the spec places them.

    Indicators are the columns the spec places as indicators (numbers and
    symbols). Filters, when they have more than one value: the spec's filters,
    the period columns, and every column it could not place (a text column
    without a ``Total`` is checked as a filter, so the missing ``Total`` is
    reported). Identifier columns are keys: neither.
    """
    spec = TableSpec.infer(text)
    guessed = {*spec.filters, *_PERIOD_FILTERS, *(c for c, _ in spec.unplaced)}
    indicators = [c for c in text.columns if c in spec.indicators]
    filters = [
        c
        for c in text.columns
        if c in guessed
        and c not in indicators
        and c not in _OB_UNITS
        and text[c].n_unique() > 1
    ]
    return filters, indicators


# --- reading ------------------------------------------------------------------


class _UnreadableError(Exception):
    """A file that cannot be read as an EES CSV (the message says why)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.file = path.name


#: Separators DfE's screener's reader (DuckDB's CSV sniffer) finds in a meta file.
_META_SEPARATORS = ("\t", ";", "|")


def _sniff_separator(text: str) -> str:
    """Return the separator of a meta file as DfE's screener reads it.

    The screener reads the metadata with DuckDB's ``read_csv``, which sniffs
    the separator: a meta whose header has one comma-separated field, and
    whose every line splits into the same number (two or more) of fields on a
    tab, semicolon or pipe, is read with that separator. Otherwise a comma.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines or len(next(csv.reader(io.StringIO(lines[0])), [])) > 1:
        return ","
    for sep in _META_SEPARATORS:
        widths = {
            len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=sep)
        }
        if len(widths) == 1 and widths.pop() > 1:
            return sep
    return ","


def _read_text(
    path: Path, p: _Problems | None = None, *, sniff: bool = False
) -> tuple[pl.DataFrame, list[str]]:
    if path.suffix.lower() != ".csv":
        raise _UnreadableError(
            path,
            f"{path.name!r} is not a .csv file: save it as comma-separated values (.csv)",
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if p is not None:
            p.add(
                path.name, "encoding", "the file is not valid UTF-8: save it as UTF-8"
            )
        text = raw.decode("utf-8-sig", errors="replace")
    sep = _sniff_separator(text) if sniff else ","
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")), infer_schema_length=0, separator=sep
        )
    except (pl.exceptions.PolarsError, csv.Error, ValueError) as exc:
        lines = str(exc).strip().splitlines()
        first = lines[0] if lines else type(exc).__name__
        raise _UnreadableError(
            path,
            f"{path.name!r} cannot be read as comma-separated values ({first}): check "
            "the separator is a comma and every row has as many fields as the header",
        ) from exc
    if len(header) == 1 and any(s in header[0] for s in ("\t", ";", "|")):
        raise _UnreadableError(
            path,
            f"{path.name!r} is not comma-separated (its header is {header[0][:60]!r}): "
            "save it as comma-separated values",
        )
    if not header:
        header = list(frame.columns)
    return frame, header


@functools.cache
def _data_dictionary() -> pl.DataFrame:
    ref = importlib.resources.files("makingdata") / "data" / "ees"
    return pl.read_csv(
        io.BytesIO((ref / "data_dictionary.csv").read_bytes()), infer_schema_length=0
    )


def _dictionary_names() -> pl.DataFrame:
    """(col_type, col_name) of every column the data dictionary defines, parents included."""
    d = _data_dictionary()
    return (
        pl.concat(
            [
                d.select("col_type", "col_name"),
                d.select("col_type", pl.col("col_name_parent").alias("col_name")),
            ]
        )
        .drop_nulls()
        .unique()
    )


def _dictionary_items() -> pl.DataFrame:
    """(col_name, filter_item) of every filter item the dictionary defines, parents included."""
    d = _data_dictionary().filter(pl.col("col_type") == "Filter")
    return (
        pl.concat(
            [
                d.select("col_name", "filter_item"),
                d.select(
                    pl.col("col_name_parent").alias("col_name"),
                    pl.col("filter_item_parent").alias("filter_item"),
                ),
            ]
        )
        .drop_nulls()
        .unique()
    )


def _check_data_dictionary(
    data: pl.DataFrame, meta: pl.DataFrame, dfile: str, mfile: str
) -> pl.DataFrame:
    """DfE's screener's two data-dictionary checks (its Check API stage): warnings."""
    p = _Problems()
    needed = {"col_name", "col_type", "filter_grouping_column"}
    if not needed <= set(meta.columns):
        return p.frame()
    names = (
        pl.concat(
            [
                meta.select("col_type", "col_name"),
                meta.select(
                    "col_type", pl.col("filter_grouping_column").alias("col_name")
                ),
            ]
        )
        .with_columns(pl.col("col_name").str.strip_chars())
        .filter(pl.col("col_name").is_not_null() & (pl.col("col_name") != ""))
        .unique(maintain_order=True)
    )
    known = names.join(_dictionary_names(), on=["col_type", "col_name"], how="semi")
    for col_type, col in names.join(
        known, on=["col_type", "col_name"], how="anti"
    ).iter_rows():
        p.add(
            mfile,
            "data_dict_col_name",
            f"{col_type.lower() if col_type else 'column'} {col!r} is not in DfE's data "
            "dictionary: it should not be used in a data set for the EES API until it is "
            "(a standard name, or one added to the dictionary)",
            column=col,
        )
    items = _dictionary_items()
    for col in known.filter(pl.col("col_type") == "Filter")["col_name"].to_list():
        if col not in data.columns:
            continue
        valid = set(items.filter(pl.col("col_name") == col)["filter_item"].to_list())
        for item in sorted(set(data[col].drop_nulls().to_list()) - valid):
            p.add(
                dfile,
                "data_dict_filter_item",
                f"{col!r} item {item!r} is not in DfE's data dictionary: it should not be "
                "used in a data set for the EES API until it is",
                column=col,
            )
    return p.frame()


def check_ees(
    path: str | PathLike[str],
    meta: str | PathLike[str] | None = None,
    *,
    data_dictionary: bool = False,
) -> EesCheck:
    r"""Check an EES data file and its metadata against the open data standards.

    Every rule of :data:`EES_RULES` is applied and every problem is listed
    (the check does not stop at the first). A rule is an error where DfE's
    screener (eesyscreener) fails a file and a warning where it warns; the
    rules are those :func:`~makingdata.publish.write_ees` enforces before
    writing. A file that cannot be read as comma-separated UTF-8 text named
    ``.csv`` (a ``.txt`` or ``.xlsx`` meta, a tab-separated data file) gives
    one problem, ``file_read``, and nothing else is checked. The meta file's
    separator is sniffed as the screener's reader does: a meta separated by
    tabs, semicolons or pipes on every line is read.

    Parameters
    ----------
    path
        The data CSV.
    meta
        Its metadata; default ``<name>.meta.csv`` beside it. When there is
        none, ``meta_missing`` is reported and filters and indicators are
        guessed from the values (numbers and symbols are indicators).
    data_dictionary
        Also run DfE's screener's data-dictionary checks (``data_dict_col_name``,
        ``data_dict_filter_item``: warnings that a file is not suitable for the
        EES API), against DfE's data dictionary shipped in
        ``makingdata/data/ees/``. Off by default: most files name columns the
        dictionary does not list, and the screener's warning only matters for
        API data sets.

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
    meta_frame = None
    try:
        data, header = _read_text(data_path, pre)
        if meta_path.is_file():
            # the screener's reader sniffs the meta's separator (a tab
            # separated meta is read), and reads the data as comma-separated
            meta_frame, _ = _read_text(meta_path, pre, sniff=True)
    except _UnreadableError as exc:
        # as DfE's screener: a file that cannot be read stops the check there
        unread = _Problems()
        unread.add(exc.file, "file_read", str(exc))
        return EesCheck(
            data=data_path,
            meta=meta_path if meta_path.is_file() else None,
            rows=0,
            problems=unread.frame(),
        )
    found = _check_pair(
        data,
        meta_frame,
        data_path=data_path,
        meta_path=meta_path if meta_frame is not None else None,
        header=header,
        strict=False,
    )
    if data_dictionary and meta_frame is not None:
        found = pl.concat(
            [
                found,
                _check_data_dictionary(
                    data, meta_frame, data_path.name, meta_path.name
                ),
            ]
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
