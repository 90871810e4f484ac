"""`makingdata demo` runs the whole data path and reports what each stage did."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "report"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's temporary folder (TMPDIR): it should be empty once the demo ends."""
    return tmp_path_factory.mktemp("scratch")


@pytest.fixture(scope="module")
def demo_output(report_dir: Path, scratch: Path) -> str:
    # One run for the whole module, through the real entry point.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "makingdata.cli",
            "demo",
            "--start",
            "2025-09-08",
            "--end",
            "2025-09-19",
            "--report-dir",
            str(report_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_demo_leaves_no_temporary_folder_behind(
    demo_output: str, scratch: Path
) -> None:
    # The audit log's working folder and the read-back export are removed at
    # the end; the report folder (chosen with --report-dir) keeps the audit log.
    assert "done in" in demo_output
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_every_stage_runs(demo_output: str) -> None:
    for n in range(1, 8):
        assert f"[{n}/7]" in demo_output


def test_planted_errors_are_all_rejected_and_nothing_else(demo_output: str) -> None:
    m = re.search(r"(\d[\d,]*) rejected \((\d+) errors were planted\)", demo_output)
    assert m is not None
    assert m.group(1) == m.group(2)
    assert "rows in = valid + rejected: True" in demo_output


def test_forbidden_purpose_is_refused(demo_output: str) -> None:
    assert "refused:" in demo_output
    assert "academisation" in demo_output


def test_public_release_passes_its_audit(demo_output: str) -> None:
    assert re.search(r"audit of the protected release: .* -> OK", demo_output)


def test_flight_path_request_is_prohibited(demo_output: str) -> None:
    assert "overall verdict prohibited" in demo_output


def test_public_table_is_published_as_a_clean_ees_pair(demo_output: str) -> None:
    m = re.search(
        r"published as EES la_fsm.csv \+ la_fsm.meta.csv .*: (\d+) rows, (\d+) errors",
        demo_output,
    )
    assert m is not None
    assert int(m.group(1)) > 0
    assert m.group(2) == "0"


def test_demo_writes_a_report_folder_and_says_where(
    demo_output: str, report_dir: Path
) -> None:
    assert f"report: wrote {report_dir}/ (2 charts)" in demo_output
    names = sorted(p.name for p in report_dir.iterdir())
    assert names == [
        "CONTENTS.txt",
        "audit.jsonl",
        "la_fsm.csv",
        "la_fsm.meta.csv",
        "report.html",
    ]
    for name in names:
        assert f"  {name}" in demo_output
    assert f"open {report_dir / 'report.html'} in a browser" in demo_output
    assert "--report-dir" in demo_output
    page = (report_dir / "report.html").read_text()
    assert page.count("<svg") == 2
    assert "<script" not in page
    # the audit log holds the demo's access decisions (the refusal included)
    log = (report_dir / "audit.jsonl").read_text()
    assert "Academisation" in log or "academisation" in log
