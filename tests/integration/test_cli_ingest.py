"""`makingdata ingest` end to end: days stored, replaced, rejects reported, the lock respected."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from makingdata.cli import main
from makingdata.errors import ExitCode
from makingdata.store import Store

KEY = "store-test-key-3b8f1e6c2a9d4075e1c8b3f6a2d9e0c7"
ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"


def upn(serial: int) -> str:
    body = f"330{(serial // 1000) % 10_000:04d}24{serial % 1000:03d}"
    check = sum(i * ALPHABET.index(c) for i, c in enumerate(body, 2)) % 23
    return ALPHABET[check] + body


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    key = tmp_path / "pseudonym.key"
    key.write_text(KEY + "\n")
    key.chmod(0o600)
    marks = tmp_path / "marks.csv"
    rows = [
        f"{upn(p)},100001,2025-09-{d:02d},{s},{'/' if (p + d) % 4 else 'I'}"
        for p in range(1, 6)
        for d in (8, 9)
        for s in ("AM", "PM")
    ]
    marks.write_text("upn,urn,date,session,code\n" + "\n".join(rows) + "\n")
    enrolments = tmp_path / "enrolments.csv"
    enrolments.write_text(
        "upn,urn,enrol_start\n"
        + "\n".join(f"{upn(p)},100001,2025-09-01" for p in range(1, 6))
        + "\n"
    )
    return {
        "marks": str(marks),
        "enrolments": str(enrolments),
        "key": str(key),
        "store": str(tmp_path / "store"),
    }


def _ingest(files: dict[str, str], *extra: str, marks: str | None = None) -> int:
    return main(
        [
            "ingest",
            marks or files["marks"],
            "--enrolments",
            files["enrolments"],
            "--store",
            files["store"],
            "--key-file",
            files["key"],
            *extra,
        ]
    )


def test_ingest_stores_the_days_and_a_second_run_replaces_them(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _ingest(files) == ExitCode.OK
    out = capsys.readouterr().out
    assert "ingested 2 day(s): 2025-09-08, 2025-09-09" in out
    assert "valid 20" in out
    store = Store.open(files["store"])
    counts = store.counts().collect()
    assert counts.height == 10
    assert counts.get_column("sess_possible").sum() == 20
    # no UPN reaches the store
    for path in store.path.rglob("*.parquet"):
        frame = pl.read_parquet(path)
        assert "upn" not in frame.columns
    # the export re-sent with corrected codes on both days: both replaced
    # (an unchanged day would be kept)
    corrected = Path(files["marks"]).with_name("corrected.csv")
    corrected.write_text(Path(files["marks"]).read_text().replace(",I\n", ",O\n"))
    assert _ingest(files, marks=str(corrected)) == ExitCode.OK
    assert "(2 replaced)" in capsys.readouterr().out
    assert len(list(store.path.glob("marks/*/*/*.parquet"))) == 2
    assert len(Store.open(files["store"]).manifest()["ingests"]) == 2
    # and re-sent again unchanged: both kept, the store as it was
    assert _ingest(files, marks=str(corrected)) == ExitCode.OK
    assert "(2 unchanged, kept)" in capsys.readouterr().out
    assert len(Store.open(files["store"]).manifest()["ingests"]) == 2


def test_rejected_marks_are_reported_and_written(
    files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "upn,urn,date,session,code\n"
        f"{upn(1)},100001,2025-09-10,AM,/\n"
        f"{upn(1)},100001,2025-09-10,PM,-\n"
    )
    assert _ingest(files, marks=str(bad)) == ExitCode.FINDINGS
    assert "1 marks were rejected" in capsys.readouterr().err
    rejects = tmp_path / "rejects.csv"
    assert (
        _ingest(files, "--rejects", str(rejects), marks=str(bad)) == ExitCode.FINDINGS
    )
    assert pl.read_csv(rejects).height == 1
    day = Store.open(files["store"]).manifest()["days"]["2025-09-10"]
    assert (day["rows_in"], day["rows_valid"], day["rows_rejected"]) == (2, 1, 1)


def test_a_held_lock_refuses_the_ingest_without_a_traceback(
    files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "ingest.lock").write_text("pid 99 since 2025-09-09T06:00:00+00:00\n")
    assert _ingest(files) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "another ingest is writing this store" in err
    assert "ingest.lock" in err
    assert "Traceback" not in err
    assert not (store / "manifest.json").exists()


def test_a_missing_export_is_an_input_error(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _ingest(files, marks="no-such-file.csv") == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "no-such-file.csv" in err
    assert "Traceback" not in err


def test_aggregate_from_the_store_writes_the_table_the_marks_give(
    files: dict[str, str], tmp_path: Path
) -> None:
    assert _ingest(files) == ExitCode.OK
    schools = tmp_path / "schools.csv"
    schools.write_text(
        "urn,school_name,laestab,old_la_code,new_la_code,la_name,region_code,"
        "region_name,education_phase,establishment_type_group\n"
        "100001,North Primary,3302000,330,E08000025,Birmingham,E12000005,"
        "West Midlands,Primary,Academies\n"
    )
    common = [
        "--schools", str(schools), "--key-file", files["key"], "--all-pupils",
        "--level", "national,school", "--period", "week", "--audience", "la",
    ]  # fmt: skip
    from_marks, from_store = tmp_path / "marks-table.csv", tmp_path / "store-table.csv"
    args = ["--marks", files["marks"], "--enrolments", files["enrolments"]]
    assert main(["aggregate", *args, *common, "--out", str(from_marks)]) == 0
    args = ["--store", files["store"]]
    assert main(["aggregate", *args, *common, "--out", str(from_store)]) == 0
    table = pl.read_csv(from_store)
    assert table.height == 2
    assert table.equals(pl.read_csv(from_marks))


def test_aggregate_needs_the_marks_or_a_store_not_both(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["aggregate", "--marks", files["marks"], "--store", files["store"],
         "--enrolments", files["enrolments"], "--schools", files["marks"],
         "--out", files["marks"] + ".out.csv"]
    )  # fmt: skip
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "not both" in err
    assert "Traceback" not in err
