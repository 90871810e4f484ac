"""The garbage-input suite: readers raise nothing but MakingDataError subclasses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from makingdata.errors import InputError, MakingDataError
from makingdata.io import ReadResult, read_enrolments, read_marks, read_schools

if TYPE_CHECKING:
    from pathlib import Path

KEY = "garbage-key-jwBG8GUAvwEe8q8_U9D-wOvC"
UPN = "B801200005001"

Reader = Callable[..., ReadResult]

MARKS_HEADER = "upn,urn,date,session,code"
MARKS_ROW = f"{UPN},100001,2024-09-02,AM,/"
ENROL_HEADER = "upn,urn,enrol_start"
ENROL_ROW = f"{UPN},100001,2024-09-02"
SCHOOLS_HEADER = "urn,school_name,old_la_code"
SCHOOLS_ROW = "100001,Oak Primary,330"

KINDS: dict[str, tuple[Reader, str, str]] = {
    "marks": (read_marks, MARKS_HEADER, MARKS_ROW),
    "enrolments": (read_enrolments, ENROL_HEADER, ENROL_ROW),
    "schools": (read_schools, SCHOOLS_HEADER, SCHOOLS_ROW),
}


def read(kind: str, path: Path, **kwargs: object) -> ReadResult:
    reader = KINDS[kind][0]
    if kind != "schools":
        kwargs.setdefault("key", KEY)
    return reader(path, **kwargs)


def write(tmp_path: Path, data: bytes, name: str = "export.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.fixture(params=list(KINDS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \n\n", b"\r\n"])
def test_empty_file(tmp_path: Path, kind: str, data: bytes) -> None:
    p = write(tmp_path, data)
    with pytest.raises(InputError, match="the file is empty") as info:
        read(kind, p)
    assert info.value.path == str(p)


def test_header_only_is_an_empty_result(tmp_path: Path, kind: str) -> None:
    header = KINDS[kind][1]
    result = read(kind, write(tmp_path, f"{header}\n".encode()))
    assert (result.n_read, result.n_valid, result.n_rejected) == (0, 0, 0)


def test_no_header(tmp_path: Path, kind: str) -> None:
    row = KINDS[kind][2]
    p = write(tmp_path, f"{row}\n{row}\n".encode())
    with pytest.raises(InputError, match="looks like data, not a header") as info:
        read(kind, p)
    assert info.value.row == 1


@pytest.mark.parametrize(
    ("sep", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")]
)
def test_wrong_delimiter(tmp_path: Path, kind: str, sep: str, name: str) -> None:
    header, row = KINDS[kind][1:]
    p = write(tmp_path, f"{header}\n{row}\n".replace(",", sep).encode())
    with pytest.raises(InputError, match=f"looks {name}-separated") as info:
        read(kind, p)
    assert f"separator={sep!r}" in str(info.value)


@pytest.mark.parametrize(
    ("kind_", "drop"),
    [
        ("marks", "code"),
        ("marks", "upn"),
        ("enrolments", "enrol_start"),
        ("schools", "school_name"),
    ],
)
def test_missing_header(tmp_path: Path, kind_: str, drop: str) -> None:
    header, row = KINDS[kind_][1:]
    names, values = header.split(","), row.split(",")
    i = names.index(drop)
    kept_header = ",".join(n for j, n in enumerate(names) if j != i)
    kept_row = ",".join(v for j, v in enumerate(values) if j != i)
    p = write(tmp_path, f"{kept_header}\n{kept_row}\n".encode())
    with pytest.raises(InputError, match=f"required column '{drop}'") as info:
        read(kind_, p)
    assert info.value.column == drop
    assert info.value.row == 1


def test_duplicate_header(tmp_path: Path, kind: str) -> None:
    header, row = KINDS[kind][1:]
    p = write(tmp_path, f"{header},URN\n{row},100002\n".encode())
    with pytest.raises(InputError, match="columns 'urn' and 'URN' both give 'urn'"):
        read(kind, p)


@pytest.mark.parametrize(
    ("kind_", "header", "row", "wrong", "right"),
    [
        ("marks", "upn,urn,date,sesion,code", MARKS_ROW, "sesion", "session"),
        ("marks", "upn,urn,daet,session,code", MARKS_ROW, "daet", "date"),
        ("enrolments", "upn,urn,enrol_strat", ENROL_ROW, "enrol_strat", "enrol_start"),
        (
            "schools",
            "urn,school_nme,old_la_code",
            SCHOOLS_ROW,
            "school_nme",
            "school_name",
        ),
    ],
)
def test_misspelt_header_suggests_the_closest(  # noqa: PLR0917
    tmp_path: Path, kind_: str, header: str, row: str, wrong: str, right: str
) -> None:
    p = write(tmp_path, f"{header}\n{row}\n".encode())
    with pytest.raises(InputError, match=f"rename '{wrong}' to '{right}'"):
        read(kind_, p)


def test_latin1_bytes_are_detected(tmp_path: Path) -> None:
    text = f"{MARKS_HEADER},pupil_name\n{MARKS_ROW},Zoë\n{MARKS_ROW[:-4]}PM,é\n"
    p = write(tmp_path, text.encode("latin-1"))
    result = read("marks", p)
    assert result.encoding == "latin-1"
    assert result.rejects.select("row", "code", "errors").rows() == [
        (3, "é", ["code_invalid"])
    ]


def test_forced_utf8_on_latin1_is_unusable(tmp_path: Path) -> None:
    p = write(tmp_path, f"{MARKS_HEADER}\n{MARKS_ROW[:-1]}é\n".encode("latin-1"))
    with pytest.raises(InputError, match="latin-1"):
        read("marks", p, encoding="utf-8")
    with pytest.raises(InputError, match="unknown encoding"):
        read("marks", p, encoding="klingon")
    assert read("marks", p, encoding="latin-1").n_rejected == 1


def test_bom_is_ignored(tmp_path: Path, kind: str) -> None:
    header, row = KINDS[kind][1:]
    p = write(tmp_path, b"\xef\xbb\xbf" + f"{header}\n{row}\n".encode())
    result = read(kind, p)
    assert result.ok, result.rejects
    assert result.encoding == "utf-8"


@pytest.mark.parametrize(
    "urn", ["99999999999999999999999999", "-100001", "1e5", "100001.0", "0x1869F"]
)
def test_huge_and_odd_numbers_are_rejected(tmp_path: Path, kind: str, urn: str) -> None:
    header, row = KINDS[kind][1:]
    p = write(tmp_path, f"{header}\n{row.replace('100001', urn)}\n".encode())
    result = read(kind, p)
    assert result.rejects["errors"].to_list() == [["urn_invalid"]]


def test_huge_pupil_key(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        b"pupil_key,urn,date,session,code\n"
        b"18446744073709551616,100001,2024-09-02,AM,/\n"
        b"18446744073709551615,100001,2024-09-02,AM,/\n",
    )
    result = read_marks(p)
    assert result.rejects["errors"].to_list() == [["pupil_key_invalid"]]
    assert result.valid["pupil_key"].to_list() == [2**64 - 1]


def test_trailing_whitespace_everywhere(tmp_path: Path, kind: str) -> None:
    header, row = KINDS[kind][1:]
    padded_header = ",".join(f" {h} " for h in header.split(","))
    padded_row = ",".join(f"{v}  \t" for v in row.split(","))
    p = write(tmp_path, f"{padded_header}\r\n{padded_row}\r\n".encode())
    result = read(kind, p)
    assert result.ok, result.rejects


@pytest.mark.parametrize(
    "data",
    [
        b"upn,urn,date,session,code\nB801200005001,100001,2024-09-02,AM,/,extra,fields\n",
        b'upn,urn,date,session,code\n"B801200005001,100001,2024-09-02,AM,/\n',
        b"\x00\x01\x02\x03\xff\xfe\n\x00\x00",
        bytes(range(256)) * 4,
    ],
)
def test_mangled_files_raise_only_our_errors(
    tmp_path: Path, kind: str, data: bytes
) -> None:
    p = write(tmp_path, data)
    try:
        result = read(kind, p)
    except MakingDataError:
        return
    assert result.n_read == result.n_valid + result.n_rejected


def test_missing_paths_and_bad_parquet(tmp_path: Path, kind: str) -> None:
    with pytest.raises(InputError, match="no such file"):
        read(kind, tmp_path / "nope.csv")
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(InputError, match=r"no \.parquet files"):
        read(kind, tmp_path / "empty_dir")
    bad = write(tmp_path, b"this is not parquet", name="fake.parquet")
    with pytest.raises(InputError, match="Parquet"):
        read(kind, bad)


def test_bad_separator_argument(tmp_path: Path) -> None:
    p = write(tmp_path, f"{MARKS_HEADER}\n{MARKS_ROW}\n".encode())
    with pytest.raises(InputError, match="one character"):
        read("marks", p, separator=";;")
