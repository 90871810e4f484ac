"""check_ees on DfE's own files, and write_ees re-publishing one of them.

What the checker finds in these files is a property of the files (see the
shared data folder's SOURCES.md): the 2016/17 four-year-olds release predates
the current standard (``urn`` not ``school_urn``, no ``indicator_dp``, School
rows mixed with other levels, region and LA names that are not DfE's lookup's,
``school_type``); the children-in-need files have no ``Total`` social care
group, a few ``k`` cells and no meta file beside them; the in-year file's name
has capitals. None has a blank indicator or a broken hierarchy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata.publish import check_ees, write_ees

if TYPE_CHECKING:
    from pathlib import Path


def rules(problems: pl.DataFrame, severity: str) -> set[str]:
    return set(problems.filter(pl.col("severity") == severity)["rule"].to_list())


def test_four_year_olds_release(real_data_dir: Path) -> None:
    report = check_ees(real_data_dir / "absence_for_four_year_olds.csv")
    assert report.meta is not None
    assert report.rows == 84_365
    assert rules(report.problems, "error") == {
        "geography_column",
        "meta_columns",
        "region_code",  # 'Yorkshire and the Humber' (the standard: 'and The Humber')
        "la_code",  # 'Bristol City of' and four more names not in DfE's lookup
        "harmonised_column",  # school_type (the standard: establishment_type)
    }
    # School rows beside other levels: DfE's screener accepts them (the table tool ignores them)
    assert "school_rows_separate" in rules(report.problems, "warning")
    missing = report.errors.filter(pl.col("rule") == "geography_column")
    assert set(missing["column"].to_list()) == {
        "school_urn",
        "school_name",
        "school_laestab",
    }
    # its x cells are valid symbols; no blank, no legacy symbol
    assert not rules(report.problems, "error") & {
        "indicator_blank",
        "indicator_legacy_symbol",
        "indicator_not_number",
        "duplicate_row",
        "geography_blank",
        "geography_overfilled",
    }


def test_children_in_need_absence(real_data_dir: Path) -> None:
    report = check_ees(real_data_dir / "absence_la.csv")
    assert rules(report.problems, "error") == {"meta_missing"}
    # no Total: a warning, as in DfE's screener
    assert report.warnings.filter(pl.col("rule") == "filter_total")[
        "column"
    ].to_list() == ["social_care_group"]
    k = report.warnings.filter(pl.col("rule") == "indicator_symbol_unlisted")
    assert k.height == 4


def test_ks2_column_names(real_data_dir: Path) -> None:
    report = check_ees(real_data_dir / "ks2_la.csv")
    # not snake_case: a warning, as in DfE's screener
    bad = report.warnings.filter(pl.col("rule") == "col_name_format")[
        "column"
    ].to_list()
    assert bad
    assert all(c.endswith("_CI") for c in bad)


def test_in_year_file_rewritten_by_write_ees(
    real_data_dir: Path, tmp_path: Path
) -> None:
    source = real_data_dir / "EES_ytd_data.csv"
    report = check_ees(source)
    assert rules(report.problems, "error") == {"meta_missing"}
    # capitals in the name: a warning (DfE's screener accepts them)
    assert rules(report.problems, "warning") == {"file_name_style"}
    table = pl.read_csv(source, infer_schema_length=10_000)
    files = write_ees(table, tmp_path / "pupil_attendance_ytd.csv", audience="dfe")
    again = check_ees(files.data)
    assert again.ok, again
    back = pl.read_csv(files.data, infer_schema_length=0)
    original = pl.read_csv(source, infer_schema_length=0)
    assert back.columns == original.columns
    assert back["enrolments"].to_list() == original["enrolments"].to_list()
    assert back["reason_i_authorised_illness"].to_list() == (
        original["reason_i_authorised_illness"].to_list()
    )
