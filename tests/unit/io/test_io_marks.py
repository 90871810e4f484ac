"""makingdata.io.read_marks: layouts, formats, values, rejects and the invariant."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata.errors import InputError, ValidationError
from makingdata.io import pseudonymise, read_marks
from makingdata.schemas import MARKS_SCHEMA, check_marks

if TYPE_CHECKING:
    from pathlib import Path

KEY = "unit-test-key-1d6PHoWJ6zJ_U-RZwDUfbiKy"
UPN = "B801200005001"  # valid check letter
UPN2 = "W330200005001"  # valid
UPN_NEW_LA = "M940200005001"  # LA 940 (2021), unknown to stdnum's 2011 list
BAD_LETTER = "A801200005001"


def write(
    tmp_path: Path, text: str, name: str = "marks.csv", encoding: str = "utf-8"
) -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def rejects_set(result: object) -> set[tuple[int, str]]:
    rejects = result.rejects  # type: ignore[attr-defined]
    return {
        (row, err)
        for row, errs in rejects.select("row", "errors").iter_rows()
        for err in errs
    }


def key_of(upn: str) -> int:
    return int(pseudonymise(pl.DataFrame({"upn": [upn]}), key=KEY)["pupil_key"].item())


def test_long_csv_reads_into_contract(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "upn,urn,date,session,code\n"
        f"{UPN},100001,2024-09-02,AM,/\n"
        f"{UPN},100001,2024-09-02,PM,\\\n"
        f"{UPN_NEW_LA},100001,2024-09-02,AM,I\n",
    )
    result = read_marks(p, key=KEY)
    assert result.ok
    assert result.layout == "long"
    assert result.format == "csv"
    assert result.encoding == "utf-8"
    expected = pl.DataFrame(
        {
            "urn": [100001] * 3,
            "pupil_key": [key_of(UPN), key_of(UPN), key_of(UPN_NEW_LA)],
            "date": [dt.date(2024, 9, 2)] * 3,
            "session": ["AM", "PM", "AM"],
            "code": ["/", "\\", "I"],
        },
        schema=MARKS_SCHEMA,
    )
    assert_frame_equal(result.valid, expected)
    assert check_marks(result.valid).ok
    assert "upn" not in result.valid.columns


def test_wide_layout_gives_two_marks_per_line(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "UPN,URN,Date,AM,PM\n"
        f"{UPN},100001,02/09/2024,/,\\\n"
        f"{UPN},100001,03/09/2024,I,-\n",
    )
    result = read_marks(p, key=KEY)
    assert result.layout == "wide"
    assert result.n_read == 4
    assert result.valid.height == 3
    assert result.valid["session"].to_list() == ["AM", "PM", "AM"]
    assert result.rejects.select("row", "session", "code").rows() == [(3, "PM", "-")]


def test_header_aliases_case_and_spaces(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        " Unique Pupil Number , School URN ,Session Date,AM/PM, Mark ,Pupil Name\n"
        f"{UPN},100001,2024-09-02,am,/,Ann\n",
    )
    result = read_marks(p, key=KEY)
    assert result.ok
    assert result.columns == {
        "upn": "Unique Pupil Number",
        "urn": "School URN",
        "date": "Session Date",
        "session": "AM/PM",
        "code": "Mark",
    }
    assert result.ignored_columns == ("Pupil Name",)
    assert "Pupil Name" not in result.rejects.columns


@pytest.mark.parametrize(
    "text", ["2024-09-02", "02/09/2024", "02-09-2024", " 2024-09-02 "]
)
def test_three_date_formats(tmp_path: Path, text: str) -> None:
    p = write(tmp_path, f"upn,urn,date,session,code\n{UPN},100001,{text},AM,/\n")
    assert read_marks(p, key=KEY).valid["date"].item() == dt.date(2024, 9, 2)


def test_day_first_is_read_day_first(tmp_path: Path) -> None:
    # mm/dd/yyyy is not accepted: 09/02/2024 is 9 February, never 2 September.
    p = write(tmp_path, f"upn,urn,date,session,code\n{UPN},100001,09/02/2024,AM,/\n")
    assert read_marks(p, key=KEY).valid["date"].item() == dt.date(2024, 2, 9)


@pytest.mark.parametrize(
    "text",
    [
        "2024/09/02",
        "2-9-2024",
        "31/02/2024",
        "02/09-2024",
        "20240902",
        "2024-09-02T00:00",
        "02/09/24",
    ],
)
def test_other_date_shapes_are_rejected(tmp_path: Path, text: str) -> None:
    p = write(tmp_path, f"upn,urn,date,session,code\n{UPN},100001,{text},AM,/\n")
    assert rejects_set(read_marks(p, key=KEY)) == {(2, "date_invalid")}


def test_codes_are_normalised_and_counted(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "upn,urn,date,session,code\n"
        f"{UPN},100001,2024-09-02,AM, i \n"
        f"{UPN},100001,2024-09-02,PM,c1\n"
        f"{UPN},100001,2024-09-03,AM,/\n",
    )
    result = read_marks(p, key=KEY)
    assert result.valid["code"].to_list() == ["I", "C1", "/"]
    row = result.report.checks.filter(check="code_normalised").row(0, named=True)
    assert (row["result"], row["n_failing"]) == ("WARNING", 2)
    assert result.report.ok


def test_every_rule_broken_is_listed(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "upn,urn,date,session,code\n"
        f"{BAD_LETTER},12345,2024-13-01,XX,Q9\n"  # 2
        f"{UPN},100001,2024-09-02,AM,-\n"  # 3
        f"{UPN},100001,2024-09-02,PM,J\n"  # 4: J ended 18 Aug 2024
        f"{UPN},100001,1999-09-02,AM,/\n"  # 5
        f"{UPN2},100002,2024-09-02,AM,/\n"  # 6 duplicate of 7
        f"{UPN2},100002,2024-09-02,AM,I\n"  # 7
        ",,,,\n"  # 8 blank
        "TOOSHORT,100001,,AM,\n",  # 9
    )
    result = read_marks(p, key=KEY, strict_code_dates=True)
    assert rejects_set(result) == {
        (2, "upn_check_letter"),
        (2, "urn_invalid"),
        (2, "date_invalid"),
        (2, "session_invalid"),
        (2, "code_invalid"),
        (3, "code_no_mark_yet"),
        (4, "code_valid_on_date"),
        (5, "date_range"),
        (6, "duplicate_mark"),
        (7, "duplicate_mark"),
        (8, "blank_row"),
        (9, "upn_length"),
        (9, "date_missing"),
        (9, "code_missing"),
    }
    assert result.n_read == result.n_valid + result.n_rejected == 8
    # Original values, as text, are kept.
    first = result.rejects.row(0, named=True)
    assert (first["upn"], first["urn"], first["date"], first["code"]) == (
        BAD_LETTER,
        "12345",
        "2024-13-01",
        "Q9",
    )
    failures = result.report.failures
    assert failures.filter(row=2, check="urn_invalid")["value"].item() == "12345"
    assert failures.height == len(rejects_set(result))


def test_a_code_outside_its_dates_is_counted_with_a_warning(tmp_path: Path) -> None:
    # DfE's 2025/26 in-year file counts J (ended 18 August 2024) under its
    # category; so does the reader, unless strict_code_dates=True
    p = write(
        tmp_path,
        "upn,urn,date,session,code\n"
        f"{UPN},100001,2024-09-02,AM,/\n"
        f"{UPN},100001,2024-09-02,PM,J\n",
    )
    result = read_marks(p, key=KEY)
    assert result.valid["code"].to_list() == ["/", "J"]
    row = result.report.checks.filter(check="code_valid_on_date").row(0, named=True)
    assert (row["result"], row["n_failing"]) == ("WARNING", 1)
    assert "(first lines: 3)" in row["message"]
    strict = read_marks(p, key=KEY, strict_code_dates=True)
    assert rejects_set(strict) == {(3, "code_valid_on_date")}


def test_strict_raises_with_rejects(tmp_path: Path) -> None:
    p = write(tmp_path, f"upn,urn,date,session,code\n{UPN},1,2024-09-02,AM,/\n")
    with pytest.raises(ValidationError, match="urn_invalid") as info:
        read_marks(p, key=KEY, strict=True)
    assert info.value.rejects is not None
    assert info.value.rejects["row"].to_list() == [2]
    assert info.value.path == str(p)


def test_key_from_environment_and_missing_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write(tmp_path, f"upn,urn,date,session,code\n{UPN},100001,2024-09-02,AM,/\n")
    monkeypatch.delenv("MAKINGDATA_PSEUDONYM_KEY", raising=False)
    with pytest.raises(InputError, match="MAKINGDATA_PSEUDONYM_KEY"):
        read_marks(p)
    monkeypatch.setenv("MAKINGDATA_PSEUDONYM_KEY", KEY)
    assert read_marks(p).valid["pupil_key"].item() == key_of(UPN)
    other = (
        read_marks(p, key="another-key-m7r-pSqfr1dqexvTJ495IJQr")
        .valid["pupil_key"]
        .item()
    )
    assert other != key_of(UPN)


def test_bad_key_length(tmp_path: Path) -> None:
    p = write(tmp_path, f"upn,urn,date,session,code\n{UPN},100001,2024-09-02,AM,/\n")
    with pytest.raises(InputError, match="32 to 64 bytes"):
        read_marks(p, key="x" * 65)


def test_parquet_file_and_hive_directory(tmp_path: Path) -> None:
    typed = pl.DataFrame(
        {
            "urn": [100001, 100001, 100001],
            "pupil_key": [1, 1, 2],
            "date": [dt.date(2024, 9, 2), dt.date(2024, 9, 2), dt.date(2024, 9, 3)],
            "session": ["AM", "PM", "AM"],
            "code": ["/", "\\", "J"],
        },
        schema=MARKS_SCHEMA,
    )
    typed.write_parquet(tmp_path / "m.parquet")
    result = read_marks(tmp_path / "m.parquet", strict_code_dates=True)
    assert result.format == "parquet"
    assert_frame_equal(result.valid, typed.head(2))
    assert rejects_set(result) == {(2, "code_valid_on_date")}
    hive = tmp_path / "hive"
    typed.write_parquet(hive, partition_by="date")
    result = read_marks(hive, strict_code_dates=True)
    assert result.n_read == 3
    assert_frame_equal(result.valid.sort("date", "session"), typed.head(2))
    assert result.rejects["errors"].to_list() == [["code_valid_on_date"]]


def test_parquet_with_text_columns(tmp_path: Path) -> None:
    pl.DataFrame(
        {
            "UPN": [UPN, "nonsense"],
            "URN": [100001, 100001],
            "Date": ["02/09/2024"] * 2,
            "AM": ["/"] * 2,
            "PM": ["\\"] * 2,
        }
    ).write_parquet(tmp_path / "wide.parquet")
    result = read_marks(tmp_path / "wide.parquet", key=KEY)
    assert result.layout == "wide"
    assert result.valid.height == 2
    assert rejects_set(result) == {(1, "upn_length")}


def test_both_upn_and_pupil_key_is_unusable(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        f"upn,pupil_key,urn,date,session,code\n{UPN},1,100001,2024-09-02,AM,/\n",
    )
    with pytest.raises(InputError, match="both a UPN column and a pupil_key"):
        read_marks(p, key=KEY)


def test_both_layouts_is_unusable(tmp_path: Path) -> None:
    p = write(
        tmp_path, f"upn,urn,date,session,code,am\n{UPN},100001,2024-09-02,AM,/,/\n"
    )
    with pytest.raises(InputError, match="both long"):
        read_marks(p, key=KEY)


def test_semicolon_separator_option(tmp_path: Path) -> None:
    p = write(tmp_path, f"upn;urn;date;session;code\n{UPN};100001;2024-09-02;AM;/\n")
    assert read_marks(p, key=KEY, separator=";").ok


def test_trailing_blank_lines_are_not_rows(tmp_path: Path) -> None:
    row = f"{UPN},100001,2024-09-02,AM,/"
    p = write(
        tmp_path,
        f"upn,urn,date,session,code\r\n{row}\r\n,,,,\r\n{row[:-4]}PM,\\\r\n\r\n\r\n",
    )
    result = read_marks(p, key=KEY)
    # The blank row in the middle is a row (rejected); the two at the end are not.
    assert (result.n_read, result.n_valid) == (3, 2)
    assert rejects_set(result) == {(3, "blank_row")}
    check = result.report.checks.filter(check="trailing_blank_lines").row(0, named=True)
    assert (check["result"], check["n_failing"]) == ("WARNING", 2)


def test_blank_lines_in_the_wide_layout(tmp_path: Path) -> None:
    row = f"{UPN},100001,02/09/2024,/,\\"
    p = write(
        tmp_path,
        f"upn,urn,date,am,pm\n{row}\n,,,,\n{row.replace('02/09', '03/09')}\n\n",
    )
    result = read_marks(p, key=KEY)
    assert rejects_set(result) == {(3, "blank_row")}
    assert result.rejects["session"].to_list() == ["AM", "PM"]
    assert (result.n_read, result.n_valid) == (6, 4)
    check = result.report.checks.filter(check="trailing_blank_lines").row(0, named=True)
    assert check["n_failing"] == 2  # one blank line = two marks, AM and PM
