"""makingdata.schemas: two-stage checks, reports, validators, pandera agreement."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata.codes import invalid_on_date_expr
from makingdata.errors import ValidationError
from makingdata.schemas import (
    ENROLMENTS_SCHEMA,
    MARKS_SCHEMA,
    SCHOOLS_SCHEMA,
    EnrolmentRecords,
    MarkRecords,
    SchoolRecords,
    check_enrolments,
    check_marks,
    check_schools,
    enrolments_rules,
    marks_rules,
    schools_rules,
    validate_enrolments,
    validate_marks,
    validate_schools,
)
from makingdata.schemas._frames import code_invalid_on_date

D = dt.date(2024, 9, 2)


def marks(rows: list[tuple[int, int, dt.date, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=list(MARKS_SCHEMA), orient="row").cast(
        MARKS_SCHEMA
    )  # type: ignore[arg-type]


def with_nulls(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return (
        frame.with_columns(
            pl.lit(None).cast(d).alias(c)
            for c, d in schema.items()
            if c not in frame.columns
        )
        .select(list(schema))
        .cast(schema)
    )  # type: ignore[arg-type]


def failing(report_failures: pl.DataFrame) -> set[tuple[int, str]]:
    return set(report_failures.select("row", "check").iter_rows())


def test_clean_marks_pass_every_check() -> None:
    report = check_marks(marks([(100001, 1, D, "AM", "/"), (100001, 1, D, "PM", "\\")]))
    assert report.ok
    assert report.failures.height == 0
    assert set(report.checks["result"].to_list()) == {"PASS"}
    assert report.n_rows == 2


def test_each_marks_rule_reports_its_row() -> None:
    frame = marks(
        [
            (100001, 1, D, "AM", "/"),  # 0 ok
            (99999, 2, D, "AM", "/"),  # 1 urn_range
            (100001, 3, D, "AM", "J"),  # 2 code_valid_on_date (J ended 18 Aug 2024)
            (100001, 4, D, "AM", "/"),  # 3 duplicate
            (100001, 4, D, "AM", "I"),  # 4 duplicate
            (100001, 5, dt.date(2024, 7, 1), "PM", "C1"),  # 5 C1 before 19 Aug 2024
        ]
    ).with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(None)
        .otherwise(pl.col("session"))
        .alias("session")
    )
    report = check_marks(frame)
    assert failing(report.failures) == {
        (0, "session_missing"),
        (1, "urn_range"),
        (2, "code_valid_on_date"),
        (3, "duplicate_mark"),
        (4, "duplicate_mark"),
        (5, "code_valid_on_date"),
    }
    counts = dict(report.checks.select("check", "n_failing").iter_rows())
    assert counts["duplicate_mark"] == 2
    assert counts["code_valid_on_date"] == 2


def test_schema_stage_gates_the_data_stage() -> None:
    frame = pl.DataFrame({"urn": ["100001"], "pupil_key": [1]})
    report = check_marks(frame)
    results = dict(report.checks.select("check", "result").iter_rows())
    assert results["columns_present"] == "FAIL"
    assert results["column_dtypes"] == "FAIL"
    assert results["code_valid_on_date"] == "NOT RUN"
    assert report.failures.filter(pl.col("check") == "column_dtypes")[
        "column"
    ].to_list() == [
        "urn",
        "pupil_key",
    ]
    assert "pupil_key, date" not in report.summary()  # pupil_key is present
    assert "date, session, code" in report.summary()


def test_validate_marks_raises_with_failures_and_rejects() -> None:
    frame = marks([(100001, 1, D, "AM", "/"), (100001, 1, D, "AM", "/")])
    with pytest.raises(ValidationError, match="duplicate_mark: 2 failing") as info:
        validate_marks(frame)
    assert info.value.failures is not None
    assert info.value.failures.height == 2
    assert info.value.rejects is not None
    assert info.value.rejects["errors"].to_list() == [
        ["duplicate_mark"],
        ["duplicate_mark"],
    ]


def test_validate_marks_returns_valid_frame_unchanged_and_collects_lazy() -> None:
    frame = marks([(100001, 1, D, "AM", "/")])
    assert_frame_equal(validate_marks(frame.lazy()), frame)


def test_summary_is_short_with_many_failures() -> None:
    frame = marks([(99999, i, D, "AM", "/") for i in range(500)])
    report = check_marks(frame)
    text = str(report)
    assert "... and 495 more" in text
    assert len(text) < 1500
    assert report.failures.height == 500
    assert report.n_failing_rows == 500


def test_fast_code_dates_agree_with_codes_module() -> None:
    from makingdata.codes import CODE_DTYPE, CODE_LETTERS

    days = [
        dt.date(2013, 8, 31),
        dt.date(2013, 9, 1),
        dt.date(2024, 8, 18),
        dt.date(2024, 8, 19),
    ]
    grid = pl.DataFrame(
        {
            "code": [c for c in CODE_LETTERS for _ in days] + [None],
            "date": days * len(CODE_LETTERS) + [D],
        },
        schema={"code": CODE_DTYPE, "date": pl.Date},
    )
    got = grid.select(code_invalid_on_date())
    expected = grid.select(invalid_on_date_expr())
    assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("schema", "check", "rules", "frame"),
    [
        (MarkRecords, check_marks, marks_rules, "marks"),
        (EnrolmentRecords, check_enrolments, enrolments_rules, "enrolments"),
        (SchoolRecords, check_schools, schools_rules, "schools"),
    ],
)
def test_pandera_schema_flags_the_same_rows(
    schema: pa.DataFrameSchema, check: object, rules: object, frame: str
) -> None:
    data = {
        "marks": marks(
            [(100001, 1, D, "AM", "J"), (5, 2, D, "AM", "/"), (100001, 3, D, "AM", "/")]
        ),
        "enrolments": with_nulls(
            pl.DataFrame(
                {
                    "pupil_key": [1, 1, 2],
                    "urn": [100001, 100001, 100002],
                    "enrol_start": [D, D, D],
                    "enrol_end": [None, None, dt.date(2024, 1, 1)],
                }
            ),
            ENROLMENTS_SCHEMA,
        ),
        "schools": with_nulls(
            pl.DataFrame(
                {
                    "urn": [100001, 100002],
                    "school_name": ["A", "B"],
                    "trust_id": ["TR1", "TR00001"],
                }
            ),
            SCHOOLS_SCHEMA,
        ),
    }[frame]
    ours = check(data)  # type: ignore[operator]
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema.validate(data, lazy=True)
    # pandera names a custom check by its error message: map back to rule names.
    names = {r.message: r.name for r in rules()}  # type: ignore[operator]
    pandera_rows = {
        (row, names[message])
        for row, message in info.value.failure_cases.select(
            "index", "check"
        ).iter_rows()
    }
    assert pandera_rows == failing(ours.failures)


def test_enrolment_rules() -> None:
    frame = with_nulls(
        pl.DataFrame(
            {
                "pupil_key": [1, 2, 3, 3, 4, 4],
                "urn": [100001] * 6,
                "enrol_start": [D, D, D, D, D, dt.date(2024, 10, 1)],
                "enrol_end": [
                    None,
                    dt.date(2024, 9, 1),
                    None,
                    None,
                    dt.date(2025, 1, 1),
                    None,
                ],
                "date_of_birth": [
                    dt.date(2015, 1, 1),
                    None,
                    None,
                    None,
                    None,
                    dt.date(2025, 1, 1),
                ],
                "age_at_31_august": [9, 30, None, None, None, None],
            }
        ),
        ENROLMENTS_SCHEMA,
    )
    report = check_enrolments(frame)
    assert failing(report.failures) == {
        (1, "enrol_start_after_end"),
        (1, "age_range"),
        (2, "duplicate_spell"),
        (3, "duplicate_spell"),
        (5, "overlapping_spell"),
        (5, "born_after_enrol_start"),
    }


def test_validate_enrolments_and_schools_pass_clean_frames() -> None:
    spells = with_nulls(
        pl.DataFrame({"pupil_key": [1], "urn": [100001], "enrol_start": [D]}),
        ENROLMENTS_SCHEMA,
    )
    assert validate_enrolments(spells).height == 1
    schools = with_nulls(
        pl.DataFrame(
            {
                "urn": [100001],
                "school_name": ["A"],
                "laestab": [3302001],
                "old_la_code": [330],
                "new_la_code": ["E08000025"],
                "region_code": ["E12000005"],
                "trust_id": ["TR00092"],
                "open_date": [dt.date(2011, 9, 1)],
            }
        ),
        SCHOOLS_SCHEMA,
    )
    assert validate_schools(schools).height == 1


def test_school_rules() -> None:
    frame = with_nulls(
        pl.DataFrame(
            {
                "urn": [100001, 100001, 100003],
                "school_name": ["A", "B", None],
                "laestab": [3302001, 3312001, 999],
                "old_la_code": [330, 330, 330],
                "new_la_code": ["E08000025", "E07000001", None],
                "region_code": ["E12000005", "E92000001", None],
                "open_date": [D, dt.date(2025, 1, 1), None],
                "close_date": [None, dt.date(2024, 1, 1), None],
            }
        ),
        SCHOOLS_SCHEMA,
    )
    report = check_schools(frame)
    assert failing(report.failures) == {
        (0, "duplicate_urn"),
        (1, "duplicate_urn"),
        (1, "laestab_matches_la"),
        (1, "new_la_code_format"),
        (1, "region_code_format"),
        (1, "open_after_close"),
        (2, "school_name_missing"),
        (2, "laestab_range"),
        (2, "laestab_matches_la"),
    }
