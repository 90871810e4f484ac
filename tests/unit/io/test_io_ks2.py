"""read_ks2_results: good files, each kind of bad row, UPNs never in the output."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata._pseudonym import hash_upn
from makingdata.errors import InputError, ValidationError
from makingdata.io import read_ks2_results
from makingdata.schemas import KS2_RESULTS_SCHEMA, check_ks2_results

if TYPE_CHECKING:
    from pathlib import Path

KEY = "ks2-test-key-7d1e4c9a0b3f8e2d6a5c1b7f9e3d0a4c"
UPN = "B801200005001"
UPN2 = "W330200005001"
UPN3 = "H801200001001"
HEADER = (
    "UPN,URN,time_period,read_scaled_score,read_code,mat_scaled_score,mat_code,"
    "gps_scaled_score,gps_code,writta_outcome,scita_outcome,disadvantaged,"
    "sen_provision,eal,sex,looked_after,month_of_birth\n"
)


def write(tmp_path: Path, text: str, name: str = "ks2.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def errors_by_row(result: object) -> dict[int, list[str]]:
    rejects = result.rejects  # type: ignore[attr-defined]
    return dict(rejects.select("row", "errors").iter_rows())


def test_good_file_reads_every_column(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        HEADER
        + f"{UPN},100001,202425,104,,,A,99,,EXS,EXS,Y,N,n,F,0,3\n"
        + f"{UPN2},100002,2024/25,,b,112,,,t,pk4,hnm,no,E,yes,M,1,12\n",
    )
    result = read_ks2_results(p, key=KEY)
    assert result.ok, result.rejects
    assert result.valid.schema == pl.Schema(KS2_RESULTS_SCHEMA)
    assert check_ks2_results(result.valid).ok
    first, second = result.valid.iter_rows(named=True)
    assert first == {
        "pupil_key": hash_upn(UPN, KEY.encode()),
        "urn": 100001,
        "time_period": 202425,
        "read_scaled_score": 104,
        "read_code": None,
        "mat_scaled_score": None,
        "mat_code": "A",
        "gps_scaled_score": 99,
        "gps_code": None,
        "writta_outcome": "EXS",
        "scita_outcome": "EXS",
        "disadvantaged": True,
        "sen_provision": "No SEN provision",
        "eal": False,
        "sex": "Female",
        "looked_after": False,
        "month_of_birth": 3,
    }
    assert (second["read_code"], second["gps_code"], second["writta_outcome"]) == (
        "B",
        "T",
        "PK4",
    )
    assert (second["scita_outcome"], second["sen_provision"], second["eal"]) == (
        "HNM",
        "Education, health and care plan",
        True,
    )


def test_upns_never_reach_the_output(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        HEADER
        + f"{UPN},100001,202425,104,,100,,99,,EXS,EXS,Y,N,n,F,0,3\n"
        + f"{UPN2},100001,202425,130,,100,,99,,EXS,EXS,Y,N,n,F,0,3\n",
    )
    result = read_ks2_results(p, key=KEY)
    assert "upn" not in result.valid.columns
    text = result.valid.write_csv()
    assert UPN not in text
    assert UPN2 not in text
    assert result.valid["pupil_key"].to_list() == [hash_upn(UPN, KEY.encode())]
    # the reject keeps the delivered UPN, for the sender to correct the row
    assert result.rejects["upn"].to_list() == [UPN2]


def test_optional_columns_absent_are_null(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "upn,urn,academic_year,reading_scaled_score,maths_scaled_score,gps_scaled_score\n"
        f"{UPN},100001,2024/2025,100,101,102\n",
    )
    result = read_ks2_results(p, key=KEY)
    assert result.ok, result.rejects
    row = result.valid.row(0, named=True)
    assert row["time_period"] == 202425
    assert (row["read_code"], row["writta_outcome"], row["sen_provision"]) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"{UPN},10001,202425,104,,100,,99,,EXS,EXS,,,,,,", ["urn_invalid"]),
        (f"{UPN},,202425,104,,100,,99,,EXS,EXS,,,,,,", ["urn_missing"]),
        (f"{UPN},100001,,104,,100,,99,,EXS,EXS,,,,,,", ["time_period_missing"]),
        (f"{UPN},100001,2024,104,,100,,99,,EXS,EXS,,,,,,", ["time_period_invalid"]),
        (
            f"{UPN},100001,202426,104,,100,,99,,EXS,EXS,,,,,,",
            ["time_period_academic_year"],
        ),
        (
            f"{UPN},100001,202425,79,,100,,99,,EXS,EXS,,,,,,",
            ["read_scaled_score_range"],
        ),
        (
            f"{UPN},100001,202425,1o4,,100,,99,,EXS,EXS,,,,,,",
            ["read_scaled_score_invalid", "read_no_result"],
        ),
        (f"{UPN},100001,202425,104,A,100,,99,,EXS,EXS,,,,,,", ["read_score_and_code"]),
        (f"{UPN},100001,202425,104,,,,99,,EXS,EXS,,,,,,", ["mat_no_result"]),
        (f"{UPN},100001,202425,104,,100,,99,X,EXS,EXS,,,,,,", ["gps_code_invalid"]),
        (
            f"{UPN},100001,202425,104,,100,,99,,XYZ,EXS,,,,,,",
            ["writta_outcome_invalid"],
        ),
        (f"{UPN},100001,202425,104,,100,,99,,HNM,EXS,,,,,,", ["writta_outcome_valid"]),
        (f"{UPN},100001,202425,104,,100,,99,,EXS,GDS,,,,,,", ["scita_outcome_valid"]),
        (
            f"{UPN},100001,202425,104,,100,,99,,EXS,EXS,maybe,,,,,",
            ["disadvantaged_invalid"],
        ),
        (
            f"{UPN},100001,202425,104,,100,,99,,EXS,EXS,,Z,,,,",
            ["sen_provision_invalid"],
        ),
        (f"{UPN},100001,202425,104,,100,,99,,EXS,EXS,,,,X,,", ["sex_invalid"]),
        (
            f"{UPN},100001,202425,104,,100,,99,,EXS,EXS,,,,,,13",
            ["month_of_birth_range"],
        ),
        (
            f"{UPN},100001,202425,104,,100,,99,,EXS,EXS,,,,,,May",
            ["month_of_birth_invalid"],
        ),
        ("B80120000500,100001,202425,104,,100,,99,,EXS,EXS,,,,,,", ["upn_length"]),
        (",100001,202425,104,,100,,99,,EXS,EXS,,,,,,", ["upn_missing"]),
    ],
)
def test_each_kind_of_bad_row_is_rejected_with_its_reason(
    tmp_path: Path, line: str, expected: list[str]
) -> None:
    good = f"{UPN3},100001,202425,104,,100,,99,,EXS,EXS,,,,,,\n"
    p = write(tmp_path, HEADER + good + line + "\n")
    result = read_ks2_results(p, key=KEY)
    assert result.n_read == 2
    assert result.n_valid == 1
    assert errors_by_row(result) == {3: expected}
    failing = result.report.checks.filter(pl.col("result") == "FAIL")["check"]
    assert sorted(failing.to_list()) == sorted(expected)
    assert set(result.report.failures["row"].to_list()) == {3}


def test_a_repeated_pupil_rejects_every_row_of_the_repeat(tmp_path: Path) -> None:
    row = f"{UPN},100001,202425,104,,100,,99,,EXS,EXS,,,,,,\n"
    other = f"{UPN},100001,202324,104,,100,,99,,EXS,EXS,,,,,,\n"
    p = write(tmp_path, HEADER + row + other + row)
    result = read_ks2_results(p, key=KEY)
    assert errors_by_row(result) == {2: ["duplicate_pupil"], 4: ["duplicate_pupil"]}
    assert result.valid["time_period"].to_list() == [202324]


def test_parquet_and_csv_read_alike(tmp_path: Path) -> None:
    lines = [
        f"{UPN},100001,202425,104,,,A,99,,EXS,EXS,Y,N,n,F,0,3",
        f"{UPN2},100002,202425,,B,112,,,T,PK4,HNM,no,E,yes,M,1,12",
        f"{UPN3},100002,202425,125,,112,,100,,EXS,EXS,no,E,yes,M,1,12",
    ]
    csv_path = write(tmp_path, HEADER + "\n".join(lines) + "\n")
    from_csv = read_ks2_results(csv_path, key=KEY)
    frame = pl.read_csv(csv_path, infer_schema=False)
    pq_path = tmp_path / "ks2.parquet"
    frame.write_parquet(pq_path)
    from_parquet = read_ks2_results(pq_path, key=KEY)
    assert from_parquet.format == "parquet"
    assert from_parquet.valid.equals(from_csv.valid)
    assert from_parquet.rejects["errors"].to_list() == [["read_scaled_score_range"]]
    # Parquet rows are 0-based positions; CSV rows are file lines
    assert from_parquet.rejects["row"].to_list() == [2]
    assert from_csv.rejects["row"].to_list() == [4]


def test_typed_parquet_with_pupil_key_is_read_as_is(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        [
            {
                "pupil_key": 42,
                "urn": 100001,
                "time_period": 202425,
                "read_scaled_score": 100,
                "mat_code": "A",
                "gps_scaled_score": 110,
                "writta_outcome": "GDS",
                "scita_outcome": "EXS",
            }
        ],
        schema=KS2_RESULTS_SCHEMA,
    )
    p = tmp_path / "typed.parquet"
    frame.write_parquet(p)
    result = read_ks2_results(p)
    assert result.ok, result.rejects
    assert result.valid.equals(frame)


def test_strict_raises_with_the_rejects(tmp_path: Path) -> None:
    p = write(tmp_path, HEADER + f"{UPN},100001,202425,130,,100,,99,,EXS,EXS,,,,,,\n")
    with pytest.raises(ValidationError) as info:
        read_ks2_results(p, key=KEY, strict=True)
    assert info.value.rejects is not None
    assert info.value.rejects["errors"].to_list() == [["read_scaled_score_range"]]


def test_a_test_with_neither_column_is_an_input_error(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "upn,urn,time_period,read_scaled_score,mat_scaled_score\n"
        f"{UPN},100001,202425,100,100\n",
    )
    with pytest.raises(InputError, match="gps_scaled_score"):
        read_ks2_results(p, key=KEY)


def test_no_key_for_upns_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAKINGDATA_PSEUDONYM_KEY", raising=False)
    p = write(tmp_path, HEADER + f"{UPN},100001,202425,104,,100,,99,,EXS,EXS,,,,,,\n")
    with pytest.raises(InputError):
        read_ks2_results(p)
