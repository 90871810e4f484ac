"""Row numbers are file lines; broken lines are rejected one by one; dates are checked.

The first tests are the hardening issue's repro: on the previous code, reject
rows after a quoted line break were record numbers (9,725 of 10,000 wrong),
and one stray quote or extra field failed the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pytest

from makingdata.cli import main
from makingdata.errors import InputError
from makingdata.io import _records as records
from makingdata.io import read_enrolments, read_marks, read_schools
from makingdata.io._records import scan_records, tolerant_copy

if TYPE_CHECKING:
    from pathlib import Path

KEY = "corpus-test-key-4f9c1a7e2b8d6053e1f4a9c7b2d80e6f"
UPN = "B801200005001"
BAD_UPN = "A801200005001"


def rejected_lines(result: object) -> list[tuple[int, str]]:
    rejects = result.rejects  # type: ignore[attr-defined]
    return [
        (row, err)
        for row, errs in rejects.select("row", "errors").iter_rows()
        for err in errs
    ]


def multiline_marks(n: int, *, seed: int) -> tuple[str, list[int]]:
    """Return a marks export with notes holding line breaks, and the planted lines."""
    rng = random.Random(seed)
    out = ["upn,urn,date,session,code,note\n"]
    line = 2
    planted: list[int] = []
    for i in range(n):
        bad = rng.random() < 0.05
        upn = BAD_UPN if bad else UPN
        breaks = rng.choice([0, 0, 1, 2, 5])
        note = '"' + "\n".join(f"part {k}" for k in range(breaks + 1)) + '"'
        day = 2 + i % 20
        session = "AM" if i % 2 == 0 else "PM"
        out.append(f"{upn},{100000 + i},2024-09-{day:02d},{session},/,{note}\n")
        if bad:
            planted.append(line)
        line += 1 + breaks
    return "".join(out), planted


def test_reject_rows_are_file_lines_after_quoted_line_breaks(tmp_path: Path) -> None:
    text, planted = multiline_marks(10_000, seed=14)
    p = tmp_path / "marks.csv"
    p.write_text(text)
    result = read_marks(p, key=KEY)
    assert result.n_read == 10_000
    assert rejected_lines(result) == [(line, "upn_check_letter") for line in planted]
    # every reject row is the line an editor shows the row starting on
    lines = text.split("\n")
    for line in planted[:50]:
        assert lines[line - 1].startswith(BAD_UPN)


def test_enrolments_and_schools_lines_after_line_breaks(tmp_path: Path) -> None:
    e = tmp_path / "spells.csv"
    e.write_text(
        "upn,urn,enrol_start,reason\n"
        f'{UPN},100001,2024-09-02,"moved\nhouse\n(twice)"\n'
        "W330200005001,100001,2024-13-02,x\n"
    )
    assert rejected_lines(read_enrolments(e, key=KEY)) == [(5, "enrol_start_invalid")]
    s = tmp_path / "edubasealldata.csv"
    s.write_bytes(
        b'"URN","EstablishmentName","LA (code)","Trusts (name, code)"\n'
        b'"100001","Oak\r\nPrimary","330","Oak Trust, 1"\r\n'
        b'"10002","Elm","330","Not applicable"\r\n'
    )
    assert rejected_lines(read_schools(s)) == [(4, "urn_invalid")]


def test_broken_lines_are_rejected_and_the_rest_read(tmp_path: Path) -> None:
    rng = random.Random(5)
    out = ["upn,urn,date,session,code\n"]
    expected: list[tuple[int, str]] = []
    for i in range(2_000):
        row = f"{UPN},{100000 + i},2024-09-02,AM,/"
        kind = rng.random()
        if kind < 0.02:
            row += ",extra"
            expected.append((i + 2, "too_many_fields"))
        elif kind < 0.04:
            row = '"' + row
            expected.append((i + 2, "unbalanced_quote"))
        out.append(row + "\n")
    p = tmp_path / "marks.csv"
    p.write_text("".join(out))
    result = read_marks(p, key=KEY)
    assert result.n_read == 2_000 == result.n_valid + result.n_rejected
    assert rejected_lines(result) == expected
    failures = result.report.failures
    assert failures.filter(pl.col("check") == "too_many_fields")["value"][0].startswith(
        "6 fields, the header has 5"
    )


def test_broken_wide_line_counts_as_two_marks(tmp_path: Path) -> None:
    p = tmp_path / "wide.csv"
    p.write_text(
        f"upn,urn,date,am,pm\n{UPN},100001,2024-09-02,/,/\n{UPN},100001,2024-09-03,/,/,x\n"
    )
    result = read_marks(p, key=KEY)
    assert (result.n_read, result.n_valid, result.n_rejected) == (4, 2, 2)
    assert result.rejects.select("row", "session", "errors").rows() == [
        (3, "AM", ["too_many_fields"]),
        (3, "PM", ["too_many_fields"]),
    ]


def test_a_polars_failure_the_scan_missed_takes_the_tolerant_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `"/"x` has balanced quotes and the right field count: the byte scan
    # passes it, polars refuses it, the reader retries on the tolerant path.
    p = tmp_path / "marks.csv"
    p.write_text(
        f'upn,urn,date,session,code\n{UPN},100001,2024-09-02,AM,"/"x\n'
        f"{UPN},100001,2024-09-02,PM,/\n"
    )
    calls: list[bool] = []
    real = records.tolerant_copy

    def spy(*args: object, **kwargs: object) -> records.Tolerant:
        calls.append(True)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("makingdata.io._source.tolerant_copy", spy)
    assert scan_records(p, separator=",", n_fields=5).suspect is False
    result = read_marks(p, key=KEY)
    assert calls == [True]
    assert rejected_lines(result) == [(2, "bad_quoting")]
    assert result.n_valid == 1


def test_a_file_of_broken_lines_is_one_error(tmp_path: Path) -> None:
    p = tmp_path / "marks.csv"
    p.write_text("upn,urn,date,session,code\n" + "a,b,c,d,e,f\n" * 30)
    with pytest.raises(InputError, match="30 broken line") as info:
        read_marks(p, key=KEY)
    assert info.value.row == 2
    assert info.value.path == str(p)


def _reference(data: bytes, n_fields: int) -> tuple[list[int], list[int], bool]:
    """Record start lines, short lines and whether anything is broken, in Python."""
    starts: list[int] = []
    short: list[int] = []
    line, start, seps, record_no = 1, 1, 0, 0
    inside = content = suspect = False
    for ch in data.decode():
        if ch == '"':
            inside = not inside
        if ch == "," and not inside:
            seps += 1
        if ch == "\n" and not inside:
            if record_no > 0:
                starts.append(start)
                if seps > n_fields - 1:
                    suspect = True
                elif seps < n_fields - 1 and content:
                    short.append(start)
            record_no += 1
            line += 1
            start, seps, content = line, 0, False
        elif ch == "\n":
            line += 1
            content = True
        elif ch != "\r":
            content = True
    return starts, short, suspect or inside


@pytest.mark.parametrize("seed", range(100))
def test_scan_matches_a_reference_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(records, "_CHUNK_BYTES", rng.choice([3, 7, 16, 64]))
    monkeypatch.setattr(records, "_PLAIN_CHUNK_BYTES", rng.choice([5, 11, 1 << 20]))
    pieces = ["a,b,c\n"]
    quoted = ['"q,\nr"', '"s\r\nt"', '""""'] if rng.random() < 0.7 else []
    for _ in range(rng.randint(1, 40)):
        fields = [rng.choice(["x", "", "yy", *quoted]) for _ in range(3)]
        fields = fields[: rng.choice([1, 2, 3, 3, 3, 3, 4])] + (
            ["z"] if rng.random() < 0.1 else []
        )
        pieces.append(",".join(fields) + rng.choice(["\n", "\r\n"]))
        if rng.random() < 0.1:
            pieces.append("\n")
    data = "".join(pieces).encode()
    p = tmp_path / "x.csv"
    p.write_bytes(data)
    scan = scan_records(p, separator=",", n_fields=3)
    starts, short, suspect = _reference(data, 3)
    lines = (
        list(range(2, 2 + len(starts))) if scan.lines is None else scan.lines.tolist()
    )
    assert lines == starts
    if suspect and not scan.suspect:
        # One long and one short line balance the byte counts of a file
        # without quotes: polars refuses the long line (the reader retries).
        assert b'"' not in data
        with pytest.raises(pl.exceptions.ComputeError, match="more fields"):
            pl.read_csv(data, infer_schema=False)
        return
    assert scan.suspect == suspect
    if not suspect:
        assert scan.short.tolist() == short
        rows = pl.read_csv(data, infer_schema=False)
        assert rows.height == len(starts)


def test_tolerant_copy_keeps_good_records_intact(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    text = 'a,b\n"x, y","1\n2"\nbad,"open\nq,r\n"""quoted""",3\n'
    src.write_text(text)
    out = tmp_path / "out.csv"
    result = tolerant_copy(src, out, separator=",", header=["a", "b"])
    assert [(b.line, b.rule) for b in result.broken] == [(4, "unbalanced_quote")]
    assert result.lines.tolist() == [2, 5, 6]
    assert list(csv.reader(io.StringIO(out.read_text()))) == [
        ["a", "b"],
        ["x, y", "1\n2"],
        ["q", "r"],
        ['"quoted"', "3"],
    ]
    assert isinstance(result.lines, np.ndarray)


def test_weekend_dates_are_counted_with_their_lines(tmp_path: Path) -> None:
    p = tmp_path / "marks.csv"
    p.write_text(
        "upn,urn,date,session,code\n"
        f"{UPN},100001,06/09/2024,AM,/\n"  # Friday
        f"{UPN},100001,07/09/2024,AM,/\n"  # Saturday
        f"{UPN},100001,08/09/2024,PM,/\n"  # Sunday
    )
    result = read_marks(p, key=KEY)
    assert result.ok
    check = result.report.checks.filter(check="date_weekend").row(0, named=True)
    assert (check["result"], check["n_failing"]) == ("WARNING", 2)
    assert check["message"].endswith("(first lines: 3, 4)")


def test_validate_prints_the_weekend_count_and_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "marks.csv"
    p.write_text(
        f"upn,urn,date,session,code\n{UPN},100001,2024-09-07,AM,/\n"
        f"{UPN},100001,2024-09-09,AM,/\n"
    )
    key = tmp_path / "pseudonym.key"
    key.write_text(KEY + "\n")
    key.chmod(0o600)
    code = main(["validate", str(p), "--kind", "marks", "--key-file", str(key)])
    out = capsys.readouterr().out
    assert code == 0
    assert "date_weekend" in out
    assert "WARNING" in out
    assert "(first lines: 2)" in out


def test_month_first_export_is_flagged(tmp_path: Path) -> None:
    # School days (Mon 2 Sep, Tue 3 Sep, Mon 7 Oct, Fri 11 Oct 2024) written
    # month first: read day first, two of them fall on a Saturday.
    p = tmp_path / "marks.csv"
    p.write_text(
        "upn,urn,date,session,code\n"
        + "".join(
            f"{UPN},100001,{d},AM,/\n"
            for d in ("09/02/2024", "09/03/2024", "10/07/2024", "10/11/2024")
        )
    )
    checks = read_marks(p, key=KEY).report.checks
    row = checks.filter(check="date_maybe_month_first").row(0, named=True)
    assert (row["result"], row["n_failing"]) == ("WARNING", 2)
    assert "mm/dd/yyyy" in row["message"]
    mixed = checks.filter(check="date_formats_mixed").row(0, named=True)
    assert mixed["result"] == "PASS"


def test_day_first_school_days_are_not_flagged(tmp_path: Path) -> None:
    p = tmp_path / "marks.csv"
    p.write_text(
        "upn,urn,date,session,code\n"
        + "".join(f"{UPN},100001,{d:02d}/09/2024,AM,/\n" for d in (2, 3, 4, 5, 6, 9))
    )
    checks = read_marks(p, key=KEY).report.checks
    assert (
        checks.filter(pl.col("check").str.starts_with("date_"))["result"].to_list()
        == ["PASS"] * 6
    )


def test_mixed_date_formats_are_flagged(tmp_path: Path) -> None:
    p = tmp_path / "marks.csv"
    p.write_text(
        "upn,urn,date,session,code\n"
        f"{UPN},100001,2024-09-02,AM,/\n{UPN},100001,03/09/2024,AM,/\n"
        f"{UPN},100001,04/09/2024,AM,/\n"
    )
    row = (
        read_marks(p, key=KEY)
        .report.checks.filter(check="date_formats_mixed")
        .row(0, named=True)
    )
    assert (row["result"], row["n_failing"]) == ("WARNING", 1)
    assert "(1 rows) and dd/mm/yyyy (2 rows)" in row["message"]


def test_utf16_header_has_no_nul_in_any_message(tmp_path: Path) -> None:
    p = tmp_path / "marks.csv"
    p.write_bytes("upn,urn,date,session\n".encode("utf-16-le"))
    with pytest.raises(InputError) as info:
        read_marks(p, key=KEY)
    assert "\x00" not in str(info.value)
    assert "required column 'code'" in str(info.value)


def test_hive_folders_and_files_that_agree_keep_every_partition_key(
    tmp_path: Path,
) -> None:
    root = tmp_path / "marks"
    for urn, day in (("100001", 2), ("100002", 3)):
        part = root / f"urn={urn}" / f"date=2024-09-0{day}"
        part.mkdir(parents=True)
        pl.DataFrame(
            {
                "upn": [UPN],
                "date": [dt.date(2024, 9, day)],
                "session": ["AM"],
                "code": ["/"],
            }
        ).write_parquet(part / "part-0.parquet")
    result = read_marks(root, key=KEY)
    assert result.ok
    assert sorted(result.valid.select("urn", "date").rows()) == [
        (100001, dt.date(2024, 9, 2)),
        (100002, dt.date(2024, 9, 3)),
    ]


def test_forced_utf8_on_latin1_with_a_broken_line_is_unusable(tmp_path: Path) -> None:
    p = tmp_path / "marks.csv"
    p.write_bytes(
        "upn,urn,date,session,code\n"
        f"{UPN},100001,2024-09-02,AM,/,extra\n"
        f"{UPN},100001,2024-09-02,PM,é\n".encode("latin-1")
    )
    with pytest.raises(InputError, match="latin-1"):
        read_marks(p, key=KEY, encoding="utf-8")
    result = read_marks(p, key=KEY)
    assert rejected_lines(result) == [(2, "too_many_fields"), (3, "code_invalid")]
