"""check_ees: every rule of EES_RULES has a case that breaks it, and a clean pair passes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.errors import InputError
from makingdata.publish import EES_RULES, check_ees

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

NAT = ["202526", "Academic year", "National", "E92000001", "England", None, None]
REG = [
    "202526",
    "Academic year",
    "Regional",
    "E92000001",
    "England",
    "E12000001",
    "North East",
]
GEO = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
]
FSM = ("Total", "FSM eligible", "Not known to be FSM eligible")
VALUES = (("100", "5.5"), ("20", "c"), ("80", "4.25"))


def base_data() -> pl.DataFrame:
    rows = [
        [*geo, fsm, n, rate]
        for geo in (NAT, REG)
        for fsm, (n, rate) in zip(FSM, VALUES, strict=True)
    ]
    return pl.DataFrame(
        rows,
        schema=[*GEO, "fsm_status", "enrolments", "sess_overall_percent"],
        orient="row",
    )


def base_meta() -> pl.DataFrame:
    return pl.DataFrame(
        [
            ["fsm_status", "Filter", "FSM status", None, None, None, "Filter by FSM", None],
            ["enrolments", "Indicator", "Enrolments", "Pupils", None, "0", None, None],
            ["sess_overall_percent", "Indicator", "Overall absence rate", None, "%", "2", None, None],
        ],
        schema=[
            "col_name",
            "col_type",
            "label",
            "indicator_grouping",
            "indicator_unit",
            "indicator_dp",
            "filter_hint",
            "filter_grouping_column",
        ],
        orient="row",
    )  # fmt: skip


Pair = tuple[pl.DataFrame, pl.DataFrame | None]


def cell(d: pl.DataFrame, row: int, col: str, value: str | None) -> pl.DataFrame:
    return d.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value, pl.String))
        .otherwise(pl.col(col))
        .alias(col)
    )


def meta_cell(m: pl.DataFrame, name: str, col: str, value: str | None) -> pl.DataFrame:
    return m.with_columns(
        pl.when(pl.col("col_name") == name)
        .then(pl.lit(value, pl.String))
        .otherwise(pl.col(col))
        .alias(col)
    )


def add_meta(m: pl.DataFrame, *row: str | None) -> pl.DataFrame:
    return pl.concat([m, pl.DataFrame([list(row)], schema=m.columns, orient="row")])


def rename(d: pl.DataFrame, m: pl.DataFrame, old: str, new: str) -> Pair:
    return d.rename({old: new}), meta_cell(m, old, "col_name", new)


def geo(d: pl.DataFrame, row: int, **values: str) -> pl.DataFrame:
    """Add geography columns (blank) and fill them on one row."""
    d = d.with_columns(
        pl.lit(None, pl.String).alias(c) for c in values if c not in d.columns
    )
    for col, value in values.items():
        d = cell(d, row, col, value)
    return d


def grouped(d: pl.DataFrame, m: pl.DataFrame, values: list[str]) -> Pair:
    """Give fsm_status a filter group fsm_group with these values."""
    return (
        d.with_columns(fsm_group=pl.Series(values)),
        meta_cell(m, "fsm_status", "filter_grouping_column", "fsm_group"),
    )


def many_items(d: pl.DataFrame) -> pl.DataFrame:
    big = d.sample(25001, with_replacement=True, seed=1)
    return big.with_columns(fsm_status=pl.int_range(pl.len()).cast(pl.String))


# rule -> (mutation of (data, meta), expected data line or None, expected column or None)
CASES: dict[str, tuple[Callable[[pl.DataFrame, pl.DataFrame], Pair], int | None, str | None]] = {
    "meta_missing": (lambda d, m: (d, None), None, None),
    "col_name_format": (
        lambda d, m: (
            d.rename({"fsm_status": "FSM_status"}),
            meta_cell(m, "fsm_status", "col_name", "FSM_status"),
        ),
        1,
        "FSM_status",
    ),
    "col_name_length": (lambda d, m: (d.with_columns(pl.lit("a").alias("x" * 51)), m), 1, "x" * 51),
    "mandatory_column": (lambda d, m: (d.drop("country_name"), m), 1, "country_name"),
    "time_period": (lambda d, m: (cell(d, 0, "time_period", "202527"), m), 2, "time_period"),
    "time_identifier": (lambda d, m: (cell(d, 1, "time_identifier", "Week 53"), m), 3, "time_identifier"),
    "time_identifier_mixed": (
        lambda d, m: (cell(cell(d, 0, "time_identifier", "Calendar year"), 0, "time_period", "2025"), m),
        None,
        "time_identifier",
    ),
    "time_period_digits": (lambda d, m: (cell(d, 2, "time_period", "2025"), m), 4, "time_period"),
    "geographic_level": (lambda d, m: (cell(d, 0, "geographic_level", "Country"), m), 2, "geographic_level"),
    "geography_column": (lambda d, m: (d.drop("region_name"), m), None, "region_name"),
    "geography_blank": (lambda d, m: (cell(d, 3, "region_code", None), m), 5, "region_code"),
    "geography_overfilled": (lambda d, m: (cell(d, 0, "region_name", "North East"), m), 2, "region_name"),
    "country_code": (lambda d, m: (cell(d, 0, "country_code", "E92000009"), m), 2, "country_code"),
    "school_rows_separate": (lambda d, m: (cell(d, 5, "geographic_level", "School"), m), 7, "geographic_level"),
    "duplicate_row": (lambda d, m: (pl.concat([d, d.tail(1)]), m), 7, None),
    "filter_total": (
        lambda d, m: (d.with_columns(pl.col("fsm_status").replace("Total", "All pupils")), m),
        None,
        "fsm_status",
    ),
    "filter_blank": (lambda d, m: (cell(d, 1, "fsm_status", None), m), 3, "fsm_status"),
    "filter_item_length": (lambda d, m: (cell(d, 1, "fsm_status", "F" * 121), m), 3, "fsm_status"),
    "indicator_blank": (lambda d, m: (cell(d, 2, "enrolments", None), m), 4, "enrolments"),
    "indicator_legacy_symbol": (lambda d, m: (cell(d, 2, "enrolments", ":"), m), 4, "enrolments"),
    "indicator_symbol_unlisted": (lambda d, m: (cell(d, 2, "enrolments", "k"), m), 4, "enrolments"),
    "indicator_not_number": (lambda d, m: (cell(d, 0, "enrolments", "1,234"), m), 2, "enrolments"),
    "data_not_in_meta": (
        lambda d, m: (d.with_columns(note=pl.int_range(pl.len()).cast(pl.String)), m),
        None,
        "note",
    ),
    "meta_columns": (lambda d, m: (d, m.drop("indicator_dp")), 1, None),
    "meta_col_name": (
        lambda d, m: (d, add_meta(m, "phase", "Filter", "Phase", None, None, None, None, None)),
        5,
        "col_name",
    ),
    "meta_col_name_duplicate": (lambda d, m: (d, pl.concat([m, m.tail(1)])), 4, "col_name"),
    "meta_ob_unit": (
        lambda d, m: (d, add_meta(m, "region_code", "Filter", "Region", None, None, None, None, None)),
        5,
        "col_name",
    ),
    "meta_col_type": (lambda d, m: (d, meta_cell(m, "enrolments", "col_type", "Measure")), 3, "col_type"),
    "meta_label": (lambda d, m: (d, meta_cell(m, "enrolments", "label", None)), 3, "label"),
    "meta_label_duplicate": (
        lambda d, m: (d, meta_cell(m, "enrolments", "label", "Overall absence rate")),
        3,
        "label",
    ),
    "meta_label_length": (lambda d, m: (d, meta_cell(m, "enrolments", "label", "L" * 101)), 3, "label"),
    "meta_indicator_unit": (
        lambda d, m: (d, meta_cell(m, "sess_overall_percent", "indicator_unit", "percent")),
        4,
        "indicator_unit",
    ),
    "meta_percent_unit": (
        lambda d, m: (d, meta_cell(m, "sess_overall_percent", "indicator_unit", None)),
        4,
        "indicator_unit",
    ),
    "meta_indicator_dp": (lambda d, m: (d, meta_cell(m, "enrolments", "indicator_dp", None)), 3, "indicator_dp"),
    "meta_indicator_dp_value": (
        lambda d, m: (d, meta_cell(m, "enrolments", "indicator_dp", "one")),
        3,
        "indicator_dp",
    ),
    "meta_filter_fields": (lambda d, m: (d, meta_cell(m, "fsm_status", "indicator_unit", "%")), 2, "indicator_unit"),
    "meta_filter_single_level": (
        lambda d, m: (
            d.with_columns(phase=pl.lit("Total")),
            add_meta(m, "phase", "Filter", "Phase", None, None, None, "Filter by phase", None),
        ),
        5,
        "col_name",
    ),
    "meta_filter_grouping": (
        lambda d, m: (d, meta_cell(m, "fsm_status", "filter_grouping_column", "fsm_group")),
        None,
        "filter_grouping_column",
    ),
    "col_name_spaces": (lambda d, m: rename(d, m, "fsm_status", "fsm status"), 1, "fsm status"),
    "col_characteristic": (lambda d, m: rename(d, m, "fsm_status", "characteristic"), None, "col_name"),
    "indicator_smushed": (lambda d, m: rename(d, m, "enrolments", "enrolments_female"), 3, "col_name"),
    "harmonised_column": (lambda d, m: rename(d, m, "fsm_status", "school_type"), None, "col_name"),
    "harmonised_ethnicity_group": (
        lambda d, m: (d.with_columns(characteristic_group=pl.lit("Ethnic group")), m),
        None,
        "characteristic_group",
    ),
    "harmonised_ethnicity_value": (lambda d, m: (d.with_columns(ethnicity_major=pl.lit("Purple")), m), None, None),
    "geography_total": (lambda d, m: (cell(d, 3, "region_name", "Total"), m), 5, "region_name"),
    "geography_not_available": (
        lambda d, m: (geo(d, 3, geographic_level="MAT", trust_id="x", trust_name="A trust"), m),
        5,
        "trust_name",
    ),
    "geography_code_duplicate": (
        lambda d, m: (
            geo(
                geo(d, 3, geographic_level="MAT", trust_id="T1", trust_name="A trust"),
                4,
                geographic_level="MAT",
                trust_id="T2",
                trust_name="A trust",
            ),
            m,
        ),
        None,
        "trust_name",
    ),
    "region_for_la": (
        lambda d, m: (
            geo(
                d, 3, geographic_level="Local authority", region_code=None, region_name=None,
                old_la_code="841", new_la_code="E06000005", la_name="Darlington",
            ),
            m,
        ),
        5,
        "region_code",
    ),
    "region_code": (lambda d, m: (cell(d, 3, "region_name", "north east"), m), 5, "region_code"),
    "la_code": (
        lambda d, m: (
            geo(d, 3, geographic_level="Local authority", old_la_code="841", new_la_code="E06000005", la_name="darlington"),
            m,
        ),
        5,
        "new_la_code",
    ),
    "lad_code": (lambda d, m: (geo(d, 3, lad_code="E06000005", lad_name="Stockton-on-Tees"), m), 5, "lad_code"),
    "pcon_code": (lambda d, m: (geo(d, 3, pcon_code="E14000001", pcon_name="Nowhere"), m), 5, "pcon_code"),
    "ward_code": (lambda d, m: (geo(d, 3, ward_code="E05000001", ward_name="Nowhere"), m), 5, "ward_code"),
    "lsip_code": (lambda d, m: (geo(d, 3, lsip_code="E69000016", lsip_name="Herts"), m), 5, "lsip_code"),
    "lep_code": (
        lambda d, m: (
            geo(d, 3, local_enterprise_partnership_code="E37000007", local_enterprise_partnership_name="Cheshire and Warrington"),
            m,
        ),
        5,
        "local_enterprise_partnership_code",
    ),
    "eda_code": (
        lambda d, m: (geo(d, 3, english_devolved_area_code="E12000003", english_devolved_area_name="West Midlands"), m),
        5,
        "english_devolved_area_code",
    ),
    "table_tool_rows": (lambda d, m: (d.with_columns(geographic_level=pl.lit("Planning area")), m), None, "geographic_level"),
    "filter_whitespace": (lambda d, m: (cell(d, 1, "fsm_status", " FSM eligible"), m), 3, "fsm_status"),
    "filter_group_level": (
        lambda d, m: grouped(d, m, ["g0", "g1", "g2", "g3", "g4", "g5"]), None, "fsm_group"
    ),
    "filter_group_stripped": (
        lambda d, m: grouped(d, m, ["Total", "A-B", "AB", "Total", "A-B", "AB"]), None, "fsm_group"
    ),
    "filter_item_limit": (lambda d, m: (many_items(d), m), None, "fsm_status"),
    "location_code_length": (lambda d, m: (cell(d, 3, "region_code", "E" * 31), m), 5, "region_code"),
    "null_symbol": (lambda d, m: (cell(d, 1, "fsm_status", "NULL"), m), 3, "fsm_status"),
    "legacy_symbol": (lambda d, m: (cell(d, 2, "enrolments", ".."), m), 4, "enrolments"),
    "meta_rows": (
        lambda d, m: (
            d,
            add_meta(
                add_meta(
                    add_meta(m, "a1", "Indicator", "A1", None, None, "0", None, None),
                    "a2", "Indicator", "A2", None, None, "0", None, None,
                ),
                "a3", "Indicator", "A3", None, None, "0", None, None,
            ),
        ),
        None,
        None,
    ),
    "meta_col_name_spaces": (lambda d, m: (d, meta_cell(m, "enrolments", "col_name", "enrol ments")), 3, "col_name"),
    "meta_geography_filter": (lambda d, m: rename(d, m, "fsm_status", "school"), None, "col_name"),
    "meta_filter_grouping_duplicate": (
        lambda d, m: (
            d.with_columns(sex=pl.Series(["Total", "Girls", "Boys"] * 2), sex_group=pl.lit("Total")),
            add_meta(
                meta_cell(m, "fsm_status", "filter_grouping_column", "sex_group"),
                "sex", "Filter", "Sex", None, None, None, None, "sex_group",
            ),
        ),
        None,
        "filter_grouping_column",
    ),
    "meta_filter_group_row": (
        lambda d, m: grouped(d, m, ["Total"] * 6), None, "filter_grouping_column"
    ),
}  # fmt: skip
FILE_CASES = {
    "data_dict_col_name",
    "data_dict_filter_item",
    "file_name",
    "file_name_style",
    "file_read",
    "meta_file_name",
    "encoding",
    "col_name_duplicate",
}


def write_pair(tmp_path: Path, data: pl.DataFrame, meta: pl.DataFrame | None) -> Path:
    path = tmp_path / "absence_fsm.csv"
    data.write_csv(path)
    if meta is not None:
        meta.write_csv(tmp_path / "absence_fsm.meta.csv")
    return path


def test_the_clean_pair_has_no_problem(tmp_path: Path) -> None:
    report = check_ees(write_pair(tmp_path, base_data(), base_meta()))
    assert report.ok
    assert report.problems.height == 0, report.problems
    assert report.rows == 6


def test_every_rule_has_a_breaking_case() -> None:
    assert set(CASES) | FILE_CASES == set(EES_RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_is_reported_where_it_is_broken(tmp_path: Path, rule: str) -> None:
    mutate, row, column = CASES[rule]
    data, meta = mutate(base_data(), base_meta())
    report = check_ees(write_pair(tmp_path, data, meta))
    hits = report.problems.filter(pl.col("rule") == rule)
    assert hits.height >= 1, report.problems
    first = hits.row(0, named=True)
    assert (first["row"], first["column"]) == (row, column)
    assert first["severity"] == EES_RULES[rule][0]
    assert report.ok == (EES_RULES[rule][0] == "warning" and report.errors.height == 0)


def test_week_53_names_its_row(tmp_path: Path) -> None:
    d = cell(base_data(), 4, "time_identifier", "Week 53")
    report = check_ees(write_pair(tmp_path, d, base_meta()))
    hit = report.errors.filter(pl.col("rule") == "time_identifier")
    assert hit["row"].to_list() == [6]
    assert "Week 1 to Week 52" in hit["message"][0]


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path) -> None:
    d = base_data().with_columns(enrolments=pl.lit(None, pl.String))
    report = check_ees(write_pair(tmp_path, d, base_meta()))
    blanks = report.errors.filter(pl.col("rule") == "indicator_blank")
    assert blanks["row"].to_list() == [2, 3, 4, 5, 6, 7]
    assert "indicator_blank" in str(report)


def test_bad_file_names(tmp_path: Path) -> None:
    path = tmp_path / "Absence FSM.csv"
    base_data().write_csv(path)
    other = tmp_path / "meta.csv"
    base_meta().write_csv(other)
    report = check_ees(path, meta=other)
    assert set(report.errors["rule"].to_list()) == {"file_name", "meta_file_name"}


def test_latin1_file_is_reported_and_still_checked(tmp_path: Path) -> None:
    path = write_pair(tmp_path, base_data(), base_meta())
    text = path.read_text(encoding="utf-8").replace("FSM eligible", "FSM éligible")
    path.write_bytes(text.encode("latin-1"))
    report = check_ees(path)
    assert report.errors["rule"].to_list() == ["encoding"]


def test_duplicate_header_is_reported(tmp_path: Path) -> None:
    path = write_pair(tmp_path, base_data(), base_meta())
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("region_name", "region_code")
    path.write_text("\n".join(lines) + "\n")
    report = check_ees(path)
    dup = report.errors.filter(pl.col("rule") == "col_name_duplicate")
    assert dup.select("row", "column").rows() == [(1, "region_code")]


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        check_ees(tmp_path / "nothing.csv")


def test_summary_counts_per_rule(tmp_path: Path) -> None:
    d = base_data().with_columns(enrolments=pl.lit(":"))
    report = check_ees(write_pair(tmp_path, d, base_meta()))
    s = report.summary()
    assert s.filter(pl.col("rule") == "indicator_legacy_symbol")[
        "problems"
    ].to_list() == [6]


def test_without_meta_identifier_columns_are_keys(tmp_path: Path) -> None:
    # two rows told apart only by a numeric urn: not duplicates, and the urn
    # (blank on the national rows) is neither an indicator nor a filter
    d = base_data()
    d = pl.concat([d, d.tail(1)]).with_columns(
        urn=pl.Series([None, None, None, "100001", "100002", "100003", "100004"])
    )
    report = check_ees(write_pair(tmp_path, d, None))
    assert set(report.problems["rule"].to_list()) == {"meta_missing"}


@pytest.mark.parametrize("kind", ["txt", "tab", "xlsx", "ragged"])
def test_an_unreadable_file_fails_at_file_read(tmp_path: Path, kind: str) -> None:
    path = write_pair(tmp_path, base_data(), None)
    if kind == "txt":
        meta = tmp_path / "absence_fsm.meta.txt"
        base_meta().write_csv(meta)
    elif kind == "tab":
        # a tab-separated data file (DfE's screener reads the data with commas)
        base_data().write_csv(path, separator="\t")
        meta = tmp_path / "absence_fsm.meta.csv"
        base_meta().write_csv(meta)
    elif kind == "xlsx":
        meta = tmp_path / "absence_fsm.meta.xlsx"
        meta.write_bytes(b"PK\x03\x04 not really a workbook")
    else:
        meta = tmp_path / "absence_fsm.meta.csv"
        meta.write_text("col_name,col_type\nenrolments,Indicator,extra,fields\n")
    report = check_ees(path, meta=meta)
    assert not report.ok
    assert report.problems["rule"].to_list() == ["file_read"]
    assert (path if kind == "tab" else meta).name in report.problems["message"][0]


@pytest.mark.parametrize("separator", ["\t", ";", "|"])
def test_a_meta_with_another_separator_is_read_as_the_screener_reads_it(
    tmp_path: Path, separator: str
) -> None:
    # DfE's screener reads the meta with DuckDB's sniffer: tab, semicolon or
    # pipe on every line is a separator
    path = write_pair(tmp_path, base_data(), None)
    meta = tmp_path / "absence_fsm.meta.csv"
    base_meta().write_csv(meta, separator=separator)
    report = check_ees(path, meta=meta)
    assert report.ok
    assert report.problems.height == 0, report.problems


def test_upper_case_file_names_are_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "Absence_FSM.csv"
    base_data().write_csv(path)
    base_meta().write_csv(tmp_path / "Absence_FSM.meta.csv")
    report = check_ees(path)
    assert report.ok
    assert set(report.warnings["rule"].to_list()) == {"file_name_style"}


def test_a_filter_default_replaces_total(tmp_path: Path) -> None:
    d = base_data().with_columns(pl.col("fsm_status").replace("Total", "All pupils"))
    m = base_meta().with_columns(
        filter_default=pl.when(pl.col("col_name") == "fsm_status").then(
            pl.lit("All pupils")
        )
    )
    report = check_ees(write_pair(tmp_path, d, m))
    assert report.problems.height == 0, report.problems
    m = m.with_columns(filter_default=pl.lit("Everyone"))
    report = check_ees(write_pair(tmp_path, d, m))
    assert report.ok
    assert report.warnings["rule"].to_list() == ["filter_total"]
    assert "no 'Everyone' row" in report.warnings["message"][0]


def test_the_data_dictionary_checks_are_asked_for(tmp_path: Path) -> None:
    # DfE's screener's two API checks: column names and filter items missing
    # from DfE's data dictionary are warnings, run with data_dictionary=True
    path = write_pair(tmp_path, base_data(), base_meta())
    assert check_ees(path).problems.height == 0
    report = check_ees(path, data_dictionary=True)
    assert report.ok
    found = report.warnings.select("file", "column", "rule").rows()
    # fsm_status and its items are in the dictionary; the two indicators are not
    assert found == [
        ("absence_fsm.meta.csv", "enrolments", "data_dict_col_name"),
        ("absence_fsm.meta.csv", "sess_overall_percent", "data_dict_col_name"),
    ]
    assert "not in DfE's data dictionary" in report.warnings["message"][0]


def test_a_filter_item_outside_the_data_dictionary_is_named(tmp_path: Path) -> None:
    d = cell(base_data(), 1, "fsm_status", "Eligible")
    m = (
        base_meta()
        .with_columns(
            col_name=pl.col("col_name").replace(
                {
                    "enrolments": "enrolment_count",
                    "sess_overall_percent": "enrolment_count",
                }
            )
        )
        .head(2)
    )
    d = d.rename({"enrolments": "enrolment_count"}).drop("sess_overall_percent")
    report = check_ees(write_pair(tmp_path, d, m), data_dictionary=True)
    hits = report.warnings.filter(pl.col("rule").str.starts_with("data_dict"))
    assert hits.select("column", "rule").rows() == [
        ("fsm_status", "data_dict_filter_item")
    ]
    assert "'Eligible'" in hits["message"][0]
