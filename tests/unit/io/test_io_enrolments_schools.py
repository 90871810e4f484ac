"""read_enrolments, read_schools (contract files and GIAS extracts), pseudonymise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from makingdata._pseudonym import hash_upn, upn_problem
from makingdata.errors import InputError
from makingdata.io import pseudonymise, read_enrolments, read_schools
from makingdata.schemas import (
    ENROLMENTS_SCHEMA,
    SCHOOLS_SCHEMA,
    check_enrolments,
    check_schools,
)

KEY = "enrol-key-wJIa6gdy3vRnCgCEfWU_3LDs"
UPN = "B801200005001"
UPN2 = "W330200005001"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "file.csv"
    p.write_text(text, encoding="utf-8")
    return p


def rejects_set(result: object) -> set[tuple[int, str]]:
    rejects = result.rejects  # type: ignore[attr-defined]
    return {
        (r, e) for r, errs in rejects.select("row", "errors").iter_rows() for e in errs
    }


def test_enrolments_all_columns(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "UPN,URN,Entry Date,Leaving Date,DOB,Age,NC Year,Gender,Ethnicity,FSM,SEN,CLA,CIN\n"
        f"{UPN},100001,02/09/2024,,2015-03-01,9,Y4,M,white,yes,N,0,1\n"
        f"{UPN2},100001,2024-09-02,2025-07-22,2014-03-01,10,5,Female,Asian / Asian British,n,E,false,no\n",
    )
    result = read_enrolments(p, key=KEY)
    assert result.ok, result.rejects
    assert result.valid.schema == pl.Schema(ENROLMENTS_SCHEMA)
    assert check_enrolments(result.valid).ok
    first = result.valid.row(0, named=True)
    assert first["enrol_end"] is None
    assert (first["year_group"], first["sex"], first["ethnicity_major"]) == (
        "4",
        "Male",
        "White",
    )
    assert (
        first["fsm_eligible"],
        first["sen_provision"],
        first["looked_after"],
        first["child_in_need"],
    ) == (
        True,
        "No SEN provision",
        False,
        True,
    )
    assert result.valid["pupil_key"][0] == hash_upn(UPN, KEY.encode())


def test_enrolments_rules_and_bad_values(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "upn,urn,enrol_start,enrol_end,sex,fsm_eligible,age_at_31_august,year_group\n"
        f"{UPN},100001,2024-09-02,2024-09-01,Z,maybe,9,Y4\n"  # 2
        f"{UPN},100002,2024-09-02,,M,1,99,R\n"  # 3 age_range
        f"{UPN2},100001,2024-09-02,,M,1,abc,Q\n"  # 4
        f"{UPN2},100001,2024-09-02,,M,1,,\n"  # 5 duplicate of 4
        f"{UPN2},100003,2024-09-02,2025-01-01,M,1,,\n"  # 6 overlaps 7
        f"{UPN2},100003,2024-12-01,,M,1,,\n",  # 7
    )
    result = read_enrolments(p, key=KEY)
    assert rejects_set(result) == {
        (2, "sex_invalid"),
        (2, "fsm_eligible_invalid"),
        (2, "enrol_start_after_end"),
        (3, "age_range"),
        (4, "age_at_31_august_invalid"),
        (4, "year_group_invalid"),
        (4, "duplicate_spell"),
        (5, "duplicate_spell"),
        (7, "overlapping_spell"),
    }
    assert result.valid.height == 1


def test_enrolments_need_start(tmp_path: Path) -> None:
    p = write(tmp_path, f"upn,urn,admision_date\n{UPN},100001,2024-09-02\n")
    with pytest.raises(InputError, match="rename 'admision_date' to 'enrol_start'"):
        read_enrolments(p, key=KEY)


def test_gias_extract_maps_to_schools_contract() -> None:
    result = read_schools(
        FIXTURES / "edubasealldata_sample.csv", trust_ids={"2170": "TR00092"}
    )
    assert result.encoding == "latin-1"
    assert result.valid.schema == pl.Schema(SCHOOLS_SCHEMA)
    assert check_schools(result.valid).ok
    valid = {row["urn"]: row for row in result.valid.iter_rows(named=True)}
    mary = valid[103990]
    assert mary["school_name"] == "St Maryé's Catholic Primary School"
    assert (mary["laestab"], mary["old_la_code"], mary["new_la_code"]) == (
        3302001,
        330,
        "E08000025",
    )
    assert (mary["region_code"], mary["region_name"]) == ("E12000005", "West Midlands")
    assert (mary["education_phase"], mary["trust_id"]) == ("Primary", None)
    assert mary["open_date"] == dt.date(1974, 9, 1)
    assert valid[140000]["trust_id"] == "TR00092"
    brook = valid[140001]
    # Blank GSS code filled from the LA table; phase from the type group.
    assert (brook["new_la_code"], brook["la_name"], brook["education_phase"]) == (
        "E06000061",
        "North Northamptonshire",
        "Special",
    )
    assert valid[140002]["education_phase"] == "Alternative provision"
    assert valid[140003]["education_phase"] is None
    assert rejects_set(result) == {
        (7, "la_unknown"),
        (8, "open_after_close"),
        (9, "urn_invalid"),
    }
    warnings = dict(
        result.report.checks.filter(result="WARNING")
        .select("check", "n_failing")
        .iter_rows()
    )
    assert warnings == {"education_phase_unmapped": 1}


def test_gias_trust_uids_without_map_are_counted() -> None:
    result = read_schools(FIXTURES / "edubasealldata_sample.csv")
    row = result.report.checks.filter(check="trust_uid_unmapped").row(0, named=True)
    assert (row["result"], row["n_failing"]) == ("WARNING", 1)
    assert result.valid.filter(urn=140000)["trust_id"].item() is None


def test_schools_contract_columns(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "urn,school_name,laestab,old_la_code,trust_id,education_phase,open_date\n"
        "100001,Oak,3302001,330,TR00001,primary,2010-09-01\n"
        "100002,Elm,3312001,330,T1,Secondary,\n",
    )
    result = read_schools(p)
    assert rejects_set(result) == {(3, "laestab_matches_la"), (3, "trust_id_format")}
    assert result.valid.select("la_name", "region_code", "education_phase").row(0) == (
        "Birmingham",
        "E12000005",
        "Primary",
    )


def test_pseudonymise_and_upn_rules() -> None:
    df = pl.DataFrame(
        {"upn": [UPN, " b801200005001 ", None, "A801200005001"], "x": [1, 2, 3, 4]}
    )
    out = pseudonymise(df, key=KEY)
    assert out.columns == ["pupil_key", "x"]
    keys = out["pupil_key"].to_list()
    assert keys[0] == keys[1] == hash_upn(UPN, KEY.encode())
    assert keys[2:] == [None, None]
    assert upn_problem("B80120000500") == "upn_length"
    assert upn_problem("B8012000050O1") == "upn_format"
    assert upn_problem("B999200005001") == "upn_la_code"
    assert upn_problem("M940200005001") is None  # LA 940 (2021), not in stdnum's list
    assert upn_problem("A940200005001") == "upn_check_letter"
    # a tab around a UPN of a post-2011 LA is checked, not a crash
    assert upn_problem("\tM940200005001") is None
    assert upn_problem("\tA940200005001") == "upn_check_letter"
    with pytest.raises(InputError, match="no 'pupil' column"):
        pseudonymise(df, key=KEY, column="pupil")


def test_whitespace_around_a_upn_does_not_change_its_key() -> None:
    # the text that is checked (stdnum strips it) is the text that is hashed
    df = pl.DataFrame({"upn": [UPN, f"\t{UPN}", f"{UPN}\r", f" {UPN.lower()}\t"]})
    keys = pseudonymise(df, key=KEY)["pupil_key"].to_list()
    assert keys == [hash_upn(UPN, KEY.encode())] * 4
