"""The local authority district (LAD) of a school: School, frames, Directory, checks, GIAS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.domain import (
    Directory,
    LocalAuthority,
    Region,
    School,
    frame_to_schools,
    is_valid_lad_code,
    schools_to_frame,
    validate_lad_code,
)
from makingdata.errors import IdentifierError
from makingdata.io import read_schools
from makingdata.schemas import SCHOOLS_OPTIONAL, SCHOOLS_SCHEMA, check_schools

if TYPE_CHECKING:
    from pathlib import Path

WORCS = LocalAuthority(
    885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
)


def _school(**kw: object) -> School:
    return School(123456, "Example First School", 8852001, WORCS, "Primary", **kw)  # type: ignore[arg-type]


def test_lad_codes() -> None:
    assert validate_lad_code("E07000234") == "E07000234"
    for good in ("E06000047", "E07000234", "E08000025", "E09000033"):
        assert is_valid_lad_code(good)
    for bad in ("E10000034", "E12000005", "W06000001", "E0700023", "", None, 7):
        assert not is_valid_lad_code(bad)
    with pytest.raises(IdentifierError, match="county"):
        validate_lad_code("E10000034")


def test_school_holds_its_district() -> None:
    s = _school(lad_code="E07000234", lad_name="Bromsgrove")
    assert (s.lad_code, s.lad_name) == ("E07000234", "Bromsgrove")
    assert _school().lad_code is None
    with pytest.raises(IdentifierError):
        _school(lad_code="E10000034")
    with pytest.raises(IdentifierError, match="no lad_code"):
        _school(lad_name="Bromsgrove")


def _frame_without_lad() -> pl.DataFrame:
    frame = schools_to_frame([_school(lad_code="E07000234", lad_name="Bromsgrove")])
    return frame.drop(*SCHOOLS_OPTIONAL)


def test_a_schools_frame_without_district_columns_keeps_working() -> None:
    old = _frame_without_lad()
    assert "lad_code" not in old.columns
    assert frame_to_schools(old)[0].lad_code is None
    directory = Directory.from_frames(old)
    schools, _ = directory.to_frames()
    assert dict(schools.schema) == SCHOOLS_SCHEMA
    assert schools["lad_code"].to_list() == [None]
    report = check_schools(old)
    assert report.ok, report
    assert check_schools(old.lazy()).ok


def test_districts_survive_the_directory() -> None:
    school = _school(lad_code="E07000234", lad_name="Bromsgrove")
    frame = schools_to_frame([school])
    assert frame.select("lad_code", "lad_name").row(0) == ("E07000234", "Bromsgrove")
    directory = Directory.from_frames(frame)
    assert directory.school(123456).lad_name == "Bromsgrove"
    schools, _ = directory.to_frames()
    assert schools.select("lad_code", "lad_name").row(0) == ("E07000234", "Bromsgrove")


def test_district_rules_in_check_schools() -> None:
    frame = schools_to_frame([_school()]).with_columns(
        lad_code=pl.lit("E10000034"), lad_name=pl.lit("Worcestershire")
    )
    failing = check_schools(frame).failures.select("check", "value").rows()
    assert failing == [("lad_code_format", "E10000034")]
    frame = schools_to_frame([_school()]).with_columns(lad_name=pl.lit("Bromsgrove"))
    failing = check_schools(frame).failures["check"].to_list()
    assert failing == ["lad_name_without_code"]


def test_gias_district_columns_are_read(tmp_path: Path) -> None:
    p = tmp_path / "edubasealldata.csv"
    p.write_bytes(
        b'"URN","LA (code)","EstablishmentNumber","EstablishmentName",'
        b'"PhaseOfEducation (name)","DistrictAdministrative (code)",'
        b'"DistrictAdministrative (name)"\n'
        b'"100001","885","2001","A First School","Primary","E07000234","Bromsgrove"\n'
        b'"100002","885","2002","B First School","Primary","e07000236","Redditch"\n'
        b'"100003","885","2003","C Primary School","Primary","",""\n'
        b'"100004","885","2004","D Primary School","Primary","W06000001","Wrexham"\n'
        b'"100005","885","2005","E Primary School","Primary","","Worcester"\n'
    )
    result = read_schools(p)
    assert result.valid.select("urn", "lad_code", "lad_name").rows() == [
        (100001, "E07000234", "Bromsgrove"),
        (100002, "E07000236", "Redditch"),
        (100003, None, None),
    ]
    assert result.rejects.select("row", "errors").rows() == [
        (5, ["lad_code_format"]),
        (6, ["lad_name_without_code"]),
    ]
