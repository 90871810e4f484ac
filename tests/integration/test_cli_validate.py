"""`makingdata validate` end to end: planted errors are reported, and nothing else."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.cli import main
from makingdata.errors import ExitCode

if TYPE_CHECKING:
    from pathlib import Path

KEY = "integration-key-NMyFAMXmZVzHL0yLWEWhmEd2"


def key_file(folder: Path) -> str:
    """Write KEY to a key file only its owner may read; return its path."""
    path = folder / "pseudonym.key"
    if not path.exists():
        path.write_text(KEY + "\n")
        path.chmod(0o600)
    return str(path)


ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"


def upn(serial: int) -> str:
    body = f"330{(serial // 1000) % 10_000:04d}24{serial % 1000:03d}"
    check = sum(i * ALPHABET.index(c) for i, c in enumerate(body, 2)) % 23
    return ALPHABET[check] + body


def wrong_letter(u: str) -> str:
    return next(c for c in "ABCDEFGH" if c != u[0]) + u[1:]


def weekdays(n: int) -> list[str]:
    out: list[str] = []
    day = dt.date(2024, 9, 2)
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out


def clean_marks(n_rows: int, n_days: int = 190) -> pl.DataFrame:
    """Long marks, every row valid: pupils x weekdays x (AM, PM), in that order."""
    n_pupils = -(-n_rows // (2 * n_days))
    pupils = pl.DataFrame(
        {
            "upn": [upn(i) for i in range(n_pupils)],
            "urn": [str(100_000 + i // 300) for i in range(n_pupils)],
        }
    )
    days = pl.DataFrame({"date": weekdays(n_days)})
    frame = (
        pupils.join(days, how="cross")
        .join(pl.DataFrame({"session": ["AM", "PM"]}), how="cross")
        .head(n_rows)
    )
    code = pl.when(pl.col("session") == "AM").then(pl.lit("/")).otherwise(pl.lit("\\"))
    return frame.with_columns(code=code)


#: planted error kind -> (column, how to spoil the value)
SPOILERS = {
    "upn_check_letter": ("upn", wrong_letter),
    "upn_length": ("upn", lambda v: v[:-1]),
    "urn_invalid": ("urn", lambda v: v[1:]),
    "date_invalid": ("date", lambda _v: "2024-02-30"),
    "session_invalid": ("session", lambda _v: "XM"),
    "code_invalid": ("code", lambda _v: "Q9"),
    "code_no_mark_yet": ("code", lambda _v: "-"),
    "code_valid_on_date": ("code", lambda _v: "J"),
}
#: changes that are accepted (normalised), and must not be reported
HARMLESS = {
    "lower": ("code", lambda _v: "i"),
    "padded": ("code", lambda _v: "  M "),
}


def plant(
    frame: pl.DataFrame, n_plants: int, seed: int
) -> tuple[pl.DataFrame, set[tuple[int, str]]]:
    """Spoil ``n_plants`` AM rows (one per pupil-day pair); return (frame, {(line, rule)})."""
    rng = random.Random(seed)
    pairs = rng.sample(range(frame.height // 2), n_plants)
    kinds = [*SPOILERS, "duplicate_mark", "blank_row", *HARMLESS]
    columns = {c: frame[c].to_list() for c in frame.columns}
    expected: set[tuple[int, str]] = set()
    for n, pair in enumerate(pairs):
        i = 2 * pair  # the AM row; its PM sibling is i + 1
        kind = kinds[n % len(kinds)]
        line = i + 2  # the header is line 1
        if kind == "duplicate_mark":
            columns["session"][i] = "PM"
            expected |= {(line, kind), (line + 1, kind)}
        elif kind == "blank_row":
            for values in columns.values():
                values[i] = ""
            expected.add((line, kind))
        else:
            column, spoil = {**SPOILERS, **HARMLESS}[kind]
            columns[column][i] = spoil(columns[column][i])
            if kind in SPOILERS:
                expected.add((line, kind))
    return pl.DataFrame(columns), expected


def reported(report_csv: Path) -> set[tuple[int, str]]:
    rejects = pl.read_csv(report_csv, infer_schema=False)
    return {
        (int(row), rule)
        for row, errors in rejects.select("row", "errors").iter_rows()
        for rule in errors.split(";")
    }


def run_planted(tmp_path: Path, n_rows: int, n_plants: int) -> None:
    frame, expected = plant(clean_marks(n_rows), n_plants, seed=n_rows)
    export = tmp_path / "marks.csv"
    frame.write_csv(export)
    report = tmp_path / "rejects.csv"
    code = main(
        [
            "validate",
            str(export),
            "--kind",
            "marks",
            "--key-file",
            key_file(tmp_path),
            "--report",
            str(report),
            "--strict-code-dates",  # a planted J is a reject, not a warning
        ]
    )
    assert code == 1
    assert reported(report) == expected


def test_planted_errors_are_reported_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_planted(tmp_path, 300_000, 400)
    out, err = capsys.readouterr()
    assert "rows read 300,000" in out
    assert re.search(r"code_normalised +WARNING +66 ", out)
    assert "checked 300,000 rows" in err


@pytest.mark.slow
def test_planted_errors_in_a_million_rows(tmp_path: Path) -> None:
    run_planted(tmp_path, 1_000_000, 2_000)


def test_clean_file_exits_0_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "marks.parquet"
    clean_marks(2_000).write_parquet(export)
    assert (
        main(
            [
                "validate",
                str(export),
                "--kind",
                "marks",
                "--key-file",
                key_file(tmp_path),
                "--format",
                "json",
            ]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert (payload["n_read"], payload["n_rejected"], payload["format"]) == (
        2_000,
        0,
        "parquet",
    )
    assert {c["result"] for c in payload["checks"]} == {"PASS"}


def test_unusable_input_exits_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "marks.csv"
    export.write_text("upn;urn;date;session;code\n")
    assert (
        main(
            [
                "validate",
                str(export),
                "--kind",
                "marks",
                "--key-file",
                key_file(tmp_path),
            ]
        )
        == ExitCode.INPUT
    )
    assert "semicolon-separated" in capsys.readouterr().err


def test_enrolments_and_schools_kinds(tmp_path: Path) -> None:
    spells = tmp_path / "spells.csv"
    spells.write_text(f"upn,urn,enrol_start\n{upn(1)},100001,2024-09-02\n")
    assert (
        main(
            [
                "validate",
                str(spells),
                "--kind",
                "enrolments",
                "--key-file",
                key_file(tmp_path),
            ]
        )
        == 0
    )
    schools = tmp_path / "schools.csv"
    schools.write_text("urn,school_name,old_la_code\n100001,Oak,330\n1,Elm,330\n")
    report = tmp_path / "r.parquet"
    assert (
        main(["validate", str(schools), "--kind", "schools", "--report", str(report)])
        == 1
    )
    assert pl.read_parquet(report)["errors"].to_list() == [["urn_invalid"]]


def test_console_script_runs(tmp_path: Path) -> None:
    export = tmp_path / "m.csv"
    export.write_text(f"upn,urn,date,session,code\n{upn(2)},100001,2024-09-02,AM,/\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "makingdata.cli",
            "validate",
            str(export),
            "--kind",
            "marks",
            "--key-file",
            key_file(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "rows read 1" in done.stdout


def test_report_cells_that_look_like_formulas_are_escaped(tmp_path: Path) -> None:
    export = tmp_path / "marks.csv"
    frame = clean_marks(20).with_columns(pl.col("date").cast(pl.String))
    frame = frame.with_columns(
        code=pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit('=HYPERLINK("http://example.invalid","open")'))
        .when(pl.int_range(pl.len()) == 5)
        .then(pl.lit("@SUM(A1)"))
        .otherwise(pl.col("code"))
    )
    frame.write_csv(export)
    report = tmp_path / "rejects.csv"
    code = main(
        [
            "validate",
            str(export),
            "--kind",
            "marks",
            "--key-file",
            key_file(tmp_path),
            "--report",
            str(report),
        ]
    )
    assert code == ExitCode.FINDINGS
    cells = pl.read_csv(report, infer_schema=False)["code"].to_list()
    assert sorted(cells) == [
        '\'=HYPERLINK("http://example.invalid","open")',
        "'@SUM(A1)",
    ]


def test_report_may_not_overwrite_the_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "marks.csv"
    clean_marks(20).with_columns(pl.col("date").cast(pl.String)).write_csv(export)
    before = export.read_bytes()
    args = [
        "validate",
        str(export),
        "--kind",
        "marks",
        "--key-file",
        key_file(tmp_path),
    ]
    assert main([*args, "--report", str(export)]) == ExitCode.INPUT
    assert "would overwrite it" in capsys.readouterr().err
    assert export.read_bytes() == before
