"""`makingdata report trust-weekly|la-ytd|national-release`: one command, one folder."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import polars as pl
import pytest

if TYPE_CHECKING:
    from pathlib import Path

SAMPLE = [
    "--synthetic",
    "--scale",
    "0.01",
    "--from",
    "2025-09-08",
    "--to",
    "2025-09-19",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "makingdata.cli", "report", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("reports")
    out = {}
    for kind, extra in (
        ("trust-weekly", []),
        ("la-ytd", ["--la", "330"]),
        ("national-release", []),
    ):
        proc = run(kind, *SAMPLE, *extra, "--out", str(base / kind))
        assert proc.returncode == 0, proc.stderr
        assert f"wrote the {kind} report to {base / kind}/" in proc.stdout
        assert "report.html" in proc.stdout  # the folder's files are listed
        assert "Traceback" not in proc.stderr
        out[kind] = base / kind
    return out


def test_each_report_writes_its_folder(folders: dict[str, Path]) -> None:
    expected = {
        "trust-weekly": {
            "trust_attendance.csv",
            "trust_attendance_schools.csv",
            "audit.jsonl",
        },
        "la-ytd": {"la_attendance_fsm.csv", "audit.jsonl"},
        "national-release": {"pupil_attendance_fsm.csv"},
    }
    for kind, folder in folders.items():
        names = {p.name for p in folder.iterdir()}
        assert {"report.html", "CONTENTS.txt"} | expected[kind] <= names, kind
        for data in expected[kind] - {"audit.jsonl"}:
            assert data.removesuffix(".csv") + ".meta.csv" in names


def test_national_release_has_no_school_rows(folders: dict[str, Path]) -> None:
    data = pl.read_csv(
        folders["national-release"] / "pupil_attendance_fsm.csv", infer_schema_length=0
    )
    assert "School" not in set(data["geographic_level"])
    assert {"National", "Regional", "Local authority"} <= set(data["geographic_level"])


def test_trust_pack_audit_log_names_the_trust(folders: dict[str, Path]) -> None:
    log = (folders["trust-weekly"] / "audit.jsonl").read_text()
    assert '"trust:TR' in log


def test_input_files_or_synthetic_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("national-release", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert "--synthetic" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_unknown_trust_is_an_input_error(tmp_path: Path) -> None:
    proc = run(
        "trust-weekly", *SAMPLE, "--trust", "TR00000", "--out", str(tmp_path / "x")
    )
    assert proc.returncode == 4, proc.stderr
    assert "trust TR00000 is not in the memberships" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_folder_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    proc = run("national-release", *SAMPLE, "--out", str(tmp_path / "x"))
    assert proc.returncode == 4, proc.stderr
    assert "not empty" in proc.stderr
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["keep.txt"]


def test_help_lists_the_exit_codes() -> None:
    proc = run("la-ytd", "--help")
    assert proc.returncode == 0
    assert "Exit codes:" in proc.stdout
    assert "REFUSED" in proc.stdout


def test_a_forbidden_purpose_is_refused(tmp_path: Path) -> None:
    proc = run(
        "trust-weekly",
        *SAMPLE,
        "--purpose",
        "Academisation",
        "--out",
        str(tmp_path / "x"),
    )
    assert proc.returncode == 5, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()
